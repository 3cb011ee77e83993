/* test_rv04_followup_sms.c -- RV-4: not revised, a negative review gets
 * one SMS on day 2 and one on day 3, a neutral review one on day 2, at the
 * shop's send time in the shop's zone, as follow-up-class requests about
 * the case expiring at the end of their local day. Day 1 is the local
 * date of the posting: 23:59 is day 1 until midnight. Another zone, with
 * daylight saving. Revised before the send time: no SMS. Never two SMS
 * for one case on one day. */
#include "rv_fixtures.h"

static void checkFollowUp(const rv_decision *d, int64_t expires_ms) {
    CT_EQ_INT(d->fx.nnotes, 1);
    if (d->fx.nnotes != 1) return;
    const cs_note *n = &d->fx.notes[0];
    CT_EQ_STR(n->rule, "RV-4");
    CT_EQ_STR(n->template_id, RV_TPL_FOLLOW_UP);
    CT_EQ_INT(n->channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS);
    CT_EQ_INT(n->klass, CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_FOLLOW_UP);
    CT_EQ_INT(n->to, CS_TO_PHONE);
    CT_CHECK(n->about_case);
    CT_EQ_INT(n->expires_ms, expires_ms);
    CT_EQ_STR(fxr_param(n, "order_id"), "O1");
}

static void test_rv4_negative_timers_at_send_time_day2_and_day3_shanghai(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY2), 1732154400000LL); /* 2024-11-21T10:00+08:00 */
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY3), 1732240800000LL); /* 2024-11-22T10:00+08:00 */
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_NO_ANSWER), fxr_local(&s, 2024, 11, 23, 0, 0));
    CT_EQ_INT(d.fx.ntimers, 3);
    /* timers on the case: the subject is the applier's (the case id) */
    for (int i = 0; i < d.fx.ntimers; i++) CT_EQ_STR(d.fx.timers[i].subject, "");
    fxr_shop_done(&s);
}

static void test_rv4_neutral_only_a_day2_timer(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEU, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY2), fxr_local(&s, 2024, 11, 21, 10, 0));
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY3), -1);
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
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY2), fxr_local(&s, 2024, 11, 21, 10, 0));
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY3), fxr_local(&s, 2024, 11, 22, 10, 0));
    /* one minute later, the posting is on the next date: everything a day later */
    r = fxr_review(FXR_NEG, at2359 + FXR_MIN);
    CT_CHECK(fxr_open(&r, false, &s, at2359 + FXR_MIN, &c, &d));
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY2), fxr_local(&s, 2024, 11, 22, 10, 0));
    fxr_shop_done(&s);
}

static void test_rv4_los_angeles_send_time_across_dst_start(void) {
    /* posted Sat 2024-03-09 23:59 PST (07:59Z on 03-10: a UTC date would
     * make that day 2); clocks spring forward Sun 03-10 02:00, so day 2's
     * 10:00 is PDT, 17:00Z */
    cs_shop s;
    fxr_shop_init(&s, "America/Los_Angeles");
    Cs__V1__Review r = fxr_review(FXR_NEG, 1710057540000LL); /* 2024-03-10T07:59Z */
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    CT_EQ_INT(c.day1, cs_day_from_ymd(2024, 3, 9));
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY2), 1710090000000LL);  /* 2024-03-10T17:00Z = 10:00 PDT */
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY3), 1710176400000LL);  /* 2024-03-11T17:00Z */
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_NO_ANSWER), 1710226800000LL); /* 2024-03-12T00:00 PDT */
    /* day 2's SMS expires at the end of 03-10 local: 07:00Z on 03-11 */
    rv_decision_init(&d);
    CT_CHECK(rv4_on_timer(RV_TIMER_SMS_DAY2, &c, &s, 1710090000000LL, &d));
    checkFollowUp(&d, 1710140400000LL);
    /* 16:59Z is 09:59 PDT: before the send time, nothing (10:00 at the
     * posting's offset, PST, would have been 18:00Z, an hour late) */
    rv_decision_init(&d);
    CT_CHECK(!rv4_on_timer(RV_TIMER_SMS_DAY2, &c, &s, 1710090000000LL - FXR_MIN, &d));
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
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY2), 1730656800000LL);
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY3), 1730743200000LL);
    fxr_shop_done(&s);
}

static void test_rv4_negative_never_revised_sms_on_day2_and_day3_none_after(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    CT_EQ_INT(d.fx.nnotes, 0); /* day 1: the call, no SMS */
    int64_t day2 = fxr_local(&s, 2024, 11, 21, 10, 0), day3 = fxr_local(&s, 2024, 11, 22, 10, 0);
    rv_decision_init(&d);
    CT_CHECK(rv4_on_timer(RV_TIMER_SMS_DAY2, &c, &s, day2, &d));
    checkFollowUp(&d, fxr_local(&s, 2024, 11, 22, 0, 0));
    CT_EQ_INT(d.sms_day, 2);
    rv_case_apply(&c, &d, day2);
    rv_decision_init(&d);
    CT_CHECK(rv4_on_timer(RV_TIMER_SMS_DAY3, &c, &s, day3, &d));
    checkFollowUp(&d, fxr_local(&s, 2024, 11, 23, 0, 0));
    rv_case_apply(&c, &d, day3);
    CT_EQ_INT(c.sms_days, 0x6); /* days 2 and 3 */
    /* the end of day 3: no answer; nothing on 11-23 or later */
    CT_EQ_INT(fxr_fire(RV_TIMER_NO_ANSWER, &c, &s, fxr_local(&s, 2024, 11, 23, 0, 0)), 0);
    CT_EQ_INT(c.state, RV_STATE_NO_ANSWER);
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY3, &c, &s, fxr_local(&s, 2024, 11, 23, 10, 0)), 0);
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY2, &c, &s, fxr_local(&s, 2024, 11, 24, 10, 0)), 0);
    fxr_shop_done(&s);
}

static void test_rv4_neutral_never_revised_sms_on_day2_only(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEU, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY2, &c, &s, fxr_local(&s, 2024, 11, 21, 10, 0)), 1);
    /* a day-3 timer (say one armed by an older version) sends nothing */
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY3, &c, &s, fxr_local(&s, 2024, 11, 22, 10, 0)), 0);
    CT_EQ_INT(c.sms_days, 0x2);
    CT_EQ_INT(fxr_fire(RV_TIMER_NO_ANSWER, &c, &s, fxr_local(&s, 2024, 11, 22, 0, 0)), 0);
    CT_EQ_INT(c.state, RV_STATE_NO_ANSWER);
    fxr_shop_done(&s);
}

static void test_rv4_revised_before_send_time_no_sms(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    Cs__V1__Review rev = r;
    rev.revision = true;
    rev.rating = FXR_POS;
    int64_t at = fxr_local(&s, 2024, 11, 21, 9, 59);
    rv_decision_init(&d);
    CT_CHECK(rv_on_review(&rev, &c, false, &s, at, &d));
    CT_CHECK(fxr_cancels_all(&d));
    rv_case_apply(&c, &d, at);
    CT_EQ_INT(c.state, RV_STATE_REVISED);
    /* even if a timer fired anyway (cancel lost, replay), no SMS */
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY2, &c, &s, fxr_local(&s, 2024, 11, 21, 10, 0)), 0);
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY3, &c, &s, fxr_local(&s, 2024, 11, 22, 10, 0)), 0);
    CT_EQ_INT(c.sms_days, 0);
    fxr_shop_done(&s);
}

static void test_rv4_never_two_sms_for_one_case_on_one_day(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    int64_t day2 = fxr_local(&s, 2024, 11, 21, 10, 0);
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY2, &c, &s, day2), 1);
    /* the same timer delivered twice, or fired again at 15:00 */
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY2, &c, &s, day2), 0);
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY2, &c, &s, day2 + 5 * FXR_HOUR), 0);
    /* day 3's timer fired early, on day 2 (a clock set back): not day 3 yet */
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY3, &c, &s, day2 + FXR_HOUR), 0);
    CT_EQ_INT(c.sms_days, 0x2);
    fxr_shop_done(&s);
}

static void test_rv4_timer_fired_after_its_day_sends_nothing(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    /* a backlog delays day 2's timer past midnight: day 2's SMS is gone */
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY2, &c, &s, fxr_local(&s, 2024, 11, 22, 0, 0)), 0);
    /* late but the same day: still sent, expiring at that day's end */
    rv_decision_init(&d);
    CT_CHECK(rv4_on_timer(RV_TIMER_SMS_DAY3, &c, &s, fxr_local(&s, 2024, 11, 22, 19, 0), &d));
    checkFollowUp(&d, fxr_local(&s, 2024, 11, 23, 0, 0));
    fxr_shop_done(&s);
}

static void test_rv4_review_consumed_late_arms_only_the_days_left(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    /* consumed on day 3 at 11:00: day 2 is over; day 3's send time has passed
     * and its timer fires at once */
    int64_t now = fxr_local(&s, 2024, 11, 22, 11, 0);
    CT_CHECK(fxr_open(&r, false, &s, now, &c, &d));
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY2), -1);
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY3), fxr_local(&s, 2024, 11, 22, 10, 0));
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY3, &c, &s, now), 1);
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
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_SMS_DAY2), fxr_local(&s, 2024, 11, 21, 9, 30));
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY2, &c, &s, fxr_local(&s, 2024, 11, 21, 9, 29)), 0);
    c.buyer_phone = "";
    CT_EQ_INT(fxr_fire(RV_TIMER_SMS_DAY2, &c, &s, fxr_local(&s, 2024, 11, 21, 9, 30)), 0);
    CT_EQ_INT(c.sms_days, 0);
    fxr_shop_done(&s);
}

static void test_rv4_timer_kinds_name_their_day(void) {
    CT_EQ_STR(rv4_timer_kind(2), RV_TIMER_SMS_DAY2);
    CT_EQ_STR(rv4_timer_kind(3), RV_TIMER_SMS_DAY3);
    CT_CHECK(rv4_timer_kind(4) == NULL);
    CT_EQ_INT(rv4_timer_day(RV_TIMER_SMS_DAY2), 2);
    CT_EQ_INT(rv4_timer_day(RV_TIMER_SMS_DAY3), 3);
    CT_EQ_INT(rv4_timer_day(RV_TIMER_NO_ANSWER), 0);
    CT_EQ_INT(rv4_timer_day("ex6.breach"), 0);
}

CT_MAIN(CT_CASE(test_rv4_negative_timers_at_send_time_day2_and_day3_shanghai),
        CT_CASE(test_rv4_neutral_only_a_day2_timer), CT_CASE(test_rv4_posted_at_2359_local_is_day1_until_midnight),
        CT_CASE(test_rv4_los_angeles_send_time_across_dst_start),
        CT_CASE(test_rv4_los_angeles_send_time_across_dst_end),
        CT_CASE(test_rv4_negative_never_revised_sms_on_day2_and_day3_none_after),
        CT_CASE(test_rv4_neutral_never_revised_sms_on_day2_only), CT_CASE(test_rv4_revised_before_send_time_no_sms),
        CT_CASE(test_rv4_never_two_sms_for_one_case_on_one_day),
        CT_CASE(test_rv4_timer_fired_after_its_day_sends_nothing),
        CT_CASE(test_rv4_review_consumed_late_arms_only_the_days_left),
        CT_CASE(test_rv4_send_time_is_the_shop_setting_and_needs_a_phone), CT_CASE(test_rv4_timer_kinds_name_their_day))
