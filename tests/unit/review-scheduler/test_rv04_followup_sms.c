/* test_rv04_followup_sms.c -- RV-4: not revised, a negative review gets
 * one SMS on day 2 and one on day 3, a neutral review one on day 2, at the
 * shop's send time in the shop's zone, as follow-up-class requests about
 * the case expiring at the end of their local day. They are requested
 * when the case opens and held by the notifier until their send time
 * (not_before_ms); the notifier's side (held until then, never late,
 * dropped when the case ended) is tests/unit/notifier/test_nt_decide.c.
 * Day 1 is the local date of the posting: 23:59 is day 1 until midnight.
 * Another zone, with daylight saving. Never two SMS for one case on one
 * day. */
#include "rv_fixtures.h"

/* d's follow-up held until not_before: every field RV-4 and RV-5 need. */
static void checkFollowUp(const rv_decision *d, int64_t not_before, int64_t expires_ms) {
    const cs_note *n = fxr_sms(d, not_before);
    CT_CHECK(n != NULL);
    if (!n) return;
    CT_EQ_STR(n->rule, "RV-4");
    CT_EQ_STR(n->template_id, RV_TPL_FOLLOW_UP);
    CT_EQ_INT(n->channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS);
    CT_EQ_INT(n->klass, CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_FOLLOW_UP);
    CT_EQ_INT(n->to, CS_TO_PHONE);
    CT_CHECK(n->about_case);
    CT_EQ_INT(n->expires_ms, expires_ms);
    CT_EQ_STR(fxr_param(n, "order_id"), "O1");
}

static void test_rv4_negative_sms_at_send_time_day2_and_day3_shanghai(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    CT_EQ_INT(d.fx.nnotes, 2);
    checkFollowUp(&d, 1732154400000LL, fxr_local(&s, 2024, 11, 22, 0, 0)); /* 2024-11-21T10:00+08:00 */
    checkFollowUp(&d, 1732240800000LL, fxr_local(&s, 2024, 11, 23, 0, 0)); /* 2024-11-22T10:00+08:00 */
    CT_EQ_INT(c.sms_days, 0x6);                                              /* days 2 and 3 */
    /* the case's one timer: no answer at the end of day 3 */
    CT_EQ_INT(d.fx.ntimers, 1);
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_NO_ANSWER), fxr_local(&s, 2024, 11, 23, 0, 0));
    CT_EQ_STR(d.fx.timers[0].subject, ""); /* on the case: the applier's subject */
    fxr_shop_done(&s);
}

static void test_rv4_neutral_only_a_day2_sms(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEU, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    CT_EQ_INT(d.fx.nnotes, 1);
    checkFollowUp(&d, fxr_local(&s, 2024, 11, 21, 10, 0), fxr_local(&s, 2024, 11, 22, 0, 0));
    CT_EQ_INT(c.sms_days, 0x2);
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_NO_ANSWER), fxr_local(&s, 2024, 11, 22, 0, 0));
    fxr_shop_done(&s);
}

static void test_rv4_posted_at_2359_local_is_day1_until_midnight(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t at2359 = fxr_local(&s, 2024, 11, 20, 23, 59);
    Cs__V1__Review r = fxr_review(FXR_NEG, at2359);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, at2359, &c, &d));
    CT_EQ_INT(rv_day_number(&c, &s, at2359 + FXR_MIN - 1), 1); /* 23:59:59.999 */
    CT_EQ_INT(rv_day_number(&c, &s, at2359 + FXR_MIN), 2);     /* 00:00 */
    /* day 2 is the next morning, 10 h 1 min later */
    checkFollowUp(&d, fxr_local(&s, 2024, 11, 21, 10, 0), fxr_local(&s, 2024, 11, 22, 0, 0));
    checkFollowUp(&d, fxr_local(&s, 2024, 11, 22, 10, 0), fxr_local(&s, 2024, 11, 23, 0, 0));
    /* one minute later, the posting is on the next date: everything a day later */
    r = fxr_review(FXR_NEG, at2359 + FXR_MIN);
    CT_CHECK(fxr_open(&r, false, &s, at2359 + FXR_MIN, &c, &d));
    checkFollowUp(&d, fxr_local(&s, 2024, 11, 22, 10, 0), fxr_local(&s, 2024, 11, 23, 0, 0));
    CT_CHECK(fxr_sms(&d, fxr_local(&s, 2024, 11, 21, 10, 0)) == NULL);
    fxr_shop_done(&s);
}

static void test_rv4_posted_at_2359_but_consumed_after_midnight_still_counts_from_the_posting(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 23, 59));
    rv_case c;
    rv_decision d;
    /* the event reaches the worker at 00:30: day 1 is still 11-20 */
    CT_CHECK(fxr_open(&r, false, &s, fxr_local(&s, 2024, 11, 21, 0, 30), &c, &d));
    CT_EQ_INT(c.day1, cs_day_from_ymd(2024, 11, 20));
    checkFollowUp(&d, fxr_local(&s, 2024, 11, 21, 10, 0), fxr_local(&s, 2024, 11, 22, 0, 0));
    fxr_shop_done(&s);
}

static void test_rv4_los_angeles_send_time_across_dst_start(void) {
    /* posted Sat 2024-03-09 23:59 PST (07:59Z on 03-10: a UTC date would
     * make that day 2); clocks spring forward Sun 03-10 02:00, so day 2's
     * 10:00 is PDT, 17:00Z (10:00 at the posting's offset, PST, would have
     * been 18:00Z, an hour late) */
    cs_shop s;
    fxr_shop_init(&s, "America/Los_Angeles");
    Cs__V1__Review r = fxr_review(FXR_NEG, 1710057540000LL); /* 2024-03-10T07:59Z */
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    CT_EQ_INT(c.day1, cs_day_from_ymd(2024, 3, 9));
    /* day 2's SMS expires at the end of 03-10 local: 07:00Z on 03-11 */
    checkFollowUp(&d, 1710090000000LL, 1710140400000LL); /* 2024-03-10T17:00Z = 10:00 PDT */
    checkFollowUp(&d, 1710176400000LL, 1710226800000LL); /* 2024-03-11T17:00Z */
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_NO_ANSWER), 1710226800000LL); /* 2024-03-12T00:00 PDT */
    fxr_shop_done(&s);
}

static void test_rv4_los_angeles_send_time_across_dst_end(void) {
    /* posted Sat 2024-11-02 12:00 PDT; clocks fall back Sun 11-03: 10:00
     * PST is 18:00Z on both days 2 and 3 */
    cs_shop s;
    fxr_shop_init(&s, "America/Los_Angeles");
    Cs__V1__Review r = fxr_review(FXR_NEG, 1730574000000LL);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    CT_CHECK(fxr_sms(&d, 1730656800000LL) != NULL);
    CT_CHECK(fxr_sms(&d, 1730743200000LL) != NULL);
    fxr_shop_done(&s);
}

static void test_rv4_negative_never_revised_nothing_after_day3(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    /* day 1: the call task and the two SMS of days 2 and 3, nothing else */
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_INT(d.fx.nnotes, 2);
    /* no day 4: asking for it is refused */
    rv_decision_init(&d);
    CT_CHECK(!rv4_followup(&c, &s, 4, r.posted_ms, &d));
    /* the end of day 3: no answer, and no request */
    CT_EQ_INT(fxr_no_answer(&c, &s, fxr_local(&s, 2024, 11, 23, 0, 0)), 0);
    CT_EQ_INT(c.state, RV_STATE_NO_ANSWER);
    fxr_shop_done(&s);
}

static void test_rv4_neutral_never_revised_sms_on_day2_only(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEU, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    rv_decision_init(&d);
    CT_CHECK(!rv4_followup(&c, &s, 3, r.posted_ms, &d)); /* a neutral review has no day 3 */
    CT_EQ_INT(c.sms_days, 0x2);
    CT_EQ_INT(fxr_no_answer(&c, &s, fxr_local(&s, 2024, 11, 22, 0, 0)), 0);
    CT_EQ_INT(c.state, RV_STATE_NO_ANSWER);
    fxr_shop_done(&s);
}

static void test_rv4_never_two_sms_for_one_case_on_one_day(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    /* day 2 was requested when the case opened: not again */
    rv_decision_init(&d);
    CT_CHECK(!rv4_followup(&c, &s, 2, fxr_local(&s, 2024, 11, 21, 10, 0), &d));
    /* nor twice in one decision */
    rv_case fresh;
    rv_case_from_review(&r, &s, r.posted_ms, &fresh);
    rv_decision_init(&d);
    CT_CHECK(rv4_followup(&fresh, &s, 2, r.posted_ms, &d));
    CT_CHECK(!rv4_followup(&fresh, &s, 2, r.posted_ms, &d));
    CT_EQ_INT(d.fx.nnotes, 1);
    fxr_shop_done(&s);
}

static void test_rv4_review_consumed_late_requests_only_the_days_left(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    /* consumed on day 3 at 11:00: day 2 is over; day 3's send time has
     * passed, so the notifier sends it at once (not before 10:00, expiring
     * at midnight) */
    int64_t now = fxr_local(&s, 2024, 11, 22, 11, 0);
    CT_CHECK(fxr_open(&r, false, &s, now, &c, &d));
    CT_EQ_INT(d.fx.nnotes, 1);
    CT_CHECK(fxr_sms(&d, fxr_local(&s, 2024, 11, 21, 10, 0)) == NULL);
    checkFollowUp(&d, fxr_local(&s, 2024, 11, 22, 10, 0), fxr_local(&s, 2024, 11, 23, 0, 0));
    CT_EQ_INT(c.sms_days, 0x4);
    /* at day 3's very end nothing is left to ask for: day 3 ends at midnight */
    CT_CHECK(fxr_open(&r, false, &s, fxr_local(&s, 2024, 11, 23, 0, 0), &c, &d));
    CT_EQ_INT(d.fx.nnotes, 0);
    CT_CHECK(fxr_open(&r, false, &s, fxr_local(&s, 2024, 11, 23, 0, 0) - 1, &c, &d));
    CT_EQ_INT(d.fx.nnotes, 1);
    fxr_shop_done(&s);
}

static void test_rv4_send_time_is_the_shop_setting_and_needs_a_phone(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    s.th.follow_up_send_min = 9 * 60 + 30;
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    checkFollowUp(&d, fxr_local(&s, 2024, 11, 21, 9, 30), fxr_local(&s, 2024, 11, 22, 0, 0));
    r.buyer_phone = FXR_S("");
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    CT_EQ_INT(d.fx.nnotes, 0);
    CT_EQ_INT(c.sms_days, 0);
    fxr_shop_done(&s);
}

/* A review that names no number (Taobao's TradeRated carries the buyer's
 * nick only) follows up on the order's receiver phone; the review's own
 * number wins when it has one; with neither, no SMS. */
static void test_rv4_review_without_a_number_follows_up_on_the_orders_phone(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    r.buyer_phone = FXR_S("");
    rv_buyer buyer = {.order_phone = "13900139000"};
    rv_case none = {0}, c;
    rv_decision d;
    rv_decision_init(&d);
    CT_CHECK(rv_on_review_for(&r, &none, &buyer, &s, r.posted_ms, &d));
    CT_EQ_INT(d.fx.nnotes, 2);
    checkFollowUp(&d, fxr_local(&s, 2024, 11, 21, 10, 0), fxr_local(&s, 2024, 11, 22, 0, 0));
    checkFollowUp(&d, fxr_local(&s, 2024, 11, 22, 10, 0), fxr_local(&s, 2024, 11, 23, 0, 0));
    rv_case_from_review(&r, &s, r.posted_ms, &c);
    rv_case_phone_fallback(&c, &buyer);
    CT_EQ_STR(c.buyer_phone, "13900139000"); /* what the case stores and the requests go to */

    r.buyer_phone = FXR_S("13800138000");
    rv_case_from_review(&r, &s, r.posted_ms, &c);
    rv_case_phone_fallback(&c, &buyer);
    CT_EQ_STR(c.buyer_phone, "13800138000");

    r.buyer_phone = FXR_S("");
    buyer.order_phone = NULL;
    rv_decision_init(&d);
    CT_CHECK(rv_on_review_for(&r, &none, &buyer, &s, r.posted_ms, &d));
    CT_EQ_INT(d.fx.nnotes, 0);
    fxr_shop_done(&s);
}

static void test_rv4_opted_out_before_the_review_no_sms(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case none = {0};
    rv_buyer b = {.online = false, .opted_out = true};
    rv_decision d;
    rv_decision_init(&d);
    CT_CHECK(rv_on_review_for(&r, &none, &b, &s, r.posted_ms, &d));
    CT_EQ_INT(d.fx.nnotes, 0);
    CT_EQ_INT(d.sms_days, 0);
    /* the case still runs to its outcome */
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_NO_ANSWER), fxr_local(&s, 2024, 11, 23, 0, 0));
    fxr_shop_done(&s);
}

/* A case opened by the version that armed one timer per SMS day: its
 * timers still fire after the upgrade, and each asks for its day's SMS
 * then, once. */
static void test_rv4_timer_armed_before_the_upgrade_asks_for_its_day_once(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_case_from_review(&r, &s, r.posted_ms, &c);
    c.exists = true; /* opened before the upgrade: nothing requested ahead */
    int64_t day2 = fxr_local(&s, 2024, 11, 21, 10, 0);
    rv_decision d;
    rv_decision_init(&d);
    CT_CHECK(rv4_on_legacy_timer(RV_TIMER_LEGACY_SMS_DAY2, &c, &s, day2, &d));
    CT_EQ_STR(d.rule, "RV-4");
    checkFollowUp(&d, day2, fxr_local(&s, 2024, 11, 22, 0, 0));
    rv_case_apply(&c, &d, day2);
    /* the same timer again: nothing */
    rv_decision_init(&d);
    CT_CHECK(!rv4_on_legacy_timer(RV_TIMER_LEGACY_SMS_DAY2, &c, &s, day2, &d));
    /* day 3's, fired late on day 4: day 3 is over, nothing */
    rv_decision_init(&d);
    CT_CHECK(!rv4_on_legacy_timer(RV_TIMER_LEGACY_SMS_DAY3, &c, &s, fxr_local(&s, 2024, 11, 23, 0, 0), &d));
    /* a revised case or another kind: nothing */
    c.state = RV_STATE_REVISED;
    rv_decision_init(&d);
    CT_CHECK(!rv4_on_legacy_timer(RV_TIMER_LEGACY_SMS_DAY3, &c, &s, fxr_local(&s, 2024, 11, 22, 10, 0), &d));
    c.state = RV_STATE_OPEN;
    CT_CHECK(!rv4_on_legacy_timer(RV_TIMER_NO_ANSWER, &c, &s, fxr_local(&s, 2024, 11, 22, 10, 0), &d));
    CT_EQ_INT(d.fx.nnotes, 0);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rv4_negative_sms_at_send_time_day2_and_day3_shanghai), CT_CASE(test_rv4_neutral_only_a_day2_sms),
        CT_CASE(test_rv4_posted_at_2359_local_is_day1_until_midnight),
        CT_CASE(test_rv4_posted_at_2359_but_consumed_after_midnight_still_counts_from_the_posting),
        CT_CASE(test_rv4_los_angeles_send_time_across_dst_start),
        CT_CASE(test_rv4_los_angeles_send_time_across_dst_end),
        CT_CASE(test_rv4_negative_never_revised_nothing_after_day3),
        CT_CASE(test_rv4_neutral_never_revised_sms_on_day2_only),
        CT_CASE(test_rv4_never_two_sms_for_one_case_on_one_day),
        CT_CASE(test_rv4_review_consumed_late_requests_only_the_days_left),
        CT_CASE(test_rv4_send_time_is_the_shop_setting_and_needs_a_phone),
        CT_CASE(test_rv4_review_without_a_number_follows_up_on_the_orders_phone),
        CT_CASE(test_rv4_opted_out_before_the_review_no_sms),
        CT_CASE(test_rv4_timer_armed_before_the_upgrade_asks_for_its_day_once))
