/* test_rv05_cancel.c -- RV-5: a revision, an opt-out (T, TD, 退订 from the
 * case's number) or the case being closed cancels every pending follow-up
 * at once: the case's timers in one cancel-all effect and, in one
 * FollowUpCancel, every follow-up the notifier holds for it; never more
 * than one follow-up SMS per case per local day. */
#include "rv_fixtures.h"

static Cs__V1__InboundSms reply(const char *from, const char *text) {
    Cs__V1__InboundSms sms = CS__V1__INBOUND_SMS__INIT;
    sms.from_phone = FXR_S(from);
    sms.text = FXR_S(text);
    return sms;
}

static void openNegative(const cs_shop *s, rv_case *c) {
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(s, 2024, 11, 20, 18, 30));
    rv_decision d;
    fxr_open(&r, false, s, r.posted_ms, c, &d);
}

static void test_rv5_revision_cancels_every_pending_followup_in_one_effect(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rv_case c;
    openNegative(&s, &c);
    Cs__V1__Review rev = fxr_review(FXR_POS, c.posted_ms);
    rev.revision = true;
    rv_decision d;
    rv_decision_init(&d);
    CT_CHECK(rv5_revision(&rev, &c, &d));
    CT_CHECK(fxr_cancels_all(&d));
    CT_EQ_STR(d.fx.followup_cancel, "revised"); /* the held day-2 and day-3 SMS */
    CT_EQ_INT(d.fx.ntimers, 0);
    CT_EQ_INT(d.fx.nnotes, 0);
    CT_EQ_INT(d.state, RV_STATE_REVISED);
    CT_EQ_STR(d.rule, "RV-5");
    rv_case_apply(&c, &d, fxr_local(&s, 2024, 11, 21, 8, 0));
    /* the revision delivered twice: nothing more */
    rv_decision_init(&d);
    CT_CHECK(!rv5_revision(&rev, &c, &d));
    CT_CHECK(cs_fx_empty(&d.fx));
    fxr_shop_done(&s);
}

static void test_rv5_opt_out_words_from_the_case_number(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rv_case c;
    openNegative(&s, &c);
    static const char *const words[] = {"T", "td", " TD ", "ＴＤ", "退订", "退订。"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        Cs__V1__InboundSms sms = reply("13800138000", words[i]);
        CT_CHECK(rv5_is_opt_out_from(&sms, &c));
    }
    /* the same number written another way */
    Cs__V1__InboundSms sms = reply("+86 138-0013-8000", "TD");
    CT_CHECK(rv5_is_opt_out_from(&sms, &c));
    fxr_shop_done(&s);
}

static void test_rv5_other_text_or_other_number_is_no_opt_out(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rv_case c;
    openNegative(&s, &c);
    Cs__V1__InboundSms other = reply("13900139000", "TD");
    CT_CHECK(!rv5_is_opt_out_from(&other, &c));
    Cs__V1__InboundSms chat = reply("13800138000", "TD please call me");
    CT_CHECK(!rv5_is_opt_out_from(&chat, &c));
    rv_decision d;
    rv_decision_init(&d);
    CT_CHECK(!rv5_opt_out(&chat, &c, &s, fxr_local(&s, 2024, 11, 21, 9, 0), &d));
    CT_CHECK(cs_fx_empty(&d.fx));
    fxr_shop_done(&s);
}

static void test_rv5_opt_out_after_day2_sms_no_day3_sms(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rv_case c;
    openNegative(&s, &c);
    CT_EQ_INT(c.sms_days, 0x6); /* days 2 and 3 asked for when the case opened */
    Cs__V1__InboundSms sms = reply("13800138000", "退订");
    int64_t at = fxr_local(&s, 2024, 11, 21, 10, 5); /* after day 2's SMS went */
    rv_decision d;
    rv_decision_init(&d);
    CT_CHECK(rv5_opt_out(&sms, &c, &s, at, &d));
    CT_CHECK(d.opted_out);
    CT_CHECK(fxr_cancels_all(&d));
    /* day 3's SMS, held by the notifier, is cancelled at once */
    CT_EQ_STR(d.fx.followup_cancel, "opted_out");
    CT_EQ_INT(d.fx.nnotes, 0);
    /* the case stays open for its outcome: the no-answer timer again */
    CT_EQ_INT(d.fx.ntimers, 1);
    CT_EQ_INT(fxr_timer(&d, RV_TIMER_NO_ANSWER), fxr_local(&s, 2024, 11, 23, 0, 0));
    CT_EQ_INT(d.state, RV_STATE_NONE);
    rv_case_apply(&c, &d, at);
    CT_CHECK(c.opted_out);
    CT_EQ_INT(c.state, RV_STATE_OPEN);
    /* nothing can be asked for the case any more */
    rv_case fresh = c;
    fresh.sms_days = 0;
    rv_decision_init(&d);
    CT_CHECK(!rv4_followup(&fresh, &s, 3, at, &d));
    /* the second opt-out is not news */
    rv_decision_init(&d);
    CT_CHECK(!rv5_opt_out(&sms, &c, &s, at + FXR_HOUR, &d));
    CT_CHECK(cs_fx_empty(&d.fx));
    /* it ends as no answer at the end of day 3, with no cancel (nothing is held then) */
    rv_decision_init(&d);
    CT_CHECK(rv6_on_no_answer_timer(&c, &s, fxr_local(&s, 2024, 11, 23, 0, 0), &d));
    CT_CHECK(d.fx.followup_cancel == NULL);
    rv_case_apply(&c, &d, fxr_local(&s, 2024, 11, 23, 0, 0));
    CT_EQ_INT(c.state, RV_STATE_NO_ANSWER);
    fxr_shop_done(&s);
}

static void test_rv5_agent_closing_cancels_every_pending_followup(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rv_case c;
    openNegative(&s, &c);
    static const rv_state outcomes[] = {RV_STATE_CLOSED, RV_STATE_REFUSED, RV_STATE_NO_ANSWER};
    static const char *const reasons[] = {"closed", "refused", "no_answer"};
    rv_decision d;
    for (int i = 0; i < 3; i++) {
        rv_decision_init(&d);
        CT_CHECK(rv5_close(&c, outcomes[i], &d));
        CT_CHECK(fxr_cancels_all(&d));
        CT_EQ_STR(d.fx.followup_cancel, reasons[i]);
        CT_EQ_INT(d.state, outcomes[i]);
    }
    rv_decision_init(&d);
    CT_CHECK(rv5_close(&c, RV_STATE_CLOSED, &d));
    rv_case_apply(&c, &d, fxr_local(&s, 2024, 11, 21, 9, 0));
    /* closing a closed case: nothing; "open" is not an outcome */
    rv_decision_init(&d);
    CT_CHECK(!rv5_close(&c, RV_STATE_REFUSED, &d));
    CT_CHECK(cs_fx_empty(&d.fx));
    rv_case fresh;
    openNegative(&s, &fresh);
    rv_decision_init(&d);
    CT_CHECK(!rv5_close(&fresh, RV_STATE_OPEN, &d));
    CT_CHECK(!rv5_close(&fresh, RV_STATE_REVISED, &d)); /* only a revision revises */
    CT_CHECK(cs_fx_empty(&d.fx));
    fxr_shop_done(&s);
}

static void test_rv5_never_two_followup_sms_on_one_local_day(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rv_case c;
    openNegative(&s, &c);
    /* the case's record says day 3 was already asked for (a replay) */
    rv_case again = c;
    again.sms_days = 1u << 2;
    rv_decision d;
    rv_decision_init(&d);
    CT_CHECK(!rv4_followup(&again, &s, 3, fxr_local(&s, 2024, 11, 20, 19, 0), &d));
    CT_EQ_INT(d.fx.nnotes, 0);
    /* a whole life: one request per SMS day, each its own local day
     * (not before its day's send time, expiring at its day's end) */
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case life;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &life, &d));
    int per_day[5] = {0};
    for (int i = 0; i < d.fx.nnotes; i++) {
        const cs_note *n = &d.fx.notes[i];
        int day = rv_day_number(&life, &s, n->not_before_ms);
        CT_EQ_INT(rv_day_number(&life, &s, n->expires_ms - 1), day);
        CT_EQ_INT(n->expires_ms, rv_day_end_ms(&life, &s, day));
        if (day >= 1 && day <= 5) per_day[day - 1]++;
    }
    CT_EQ_INT(per_day[0], 0);
    CT_EQ_INT(per_day[1], 1);
    CT_EQ_INT(per_day[2], 1);
    CT_EQ_INT(per_day[3], 0);
    CT_EQ_INT(per_day[4], 0);
    /* the same review delivered again opens nothing and asks nothing */
    rv_decision_init(&d);
    CT_CHECK(!rv_on_review(&r, &life, false, &s, r.posted_ms + FXR_MIN, &d));
    CT_EQ_INT(d.fx.nnotes, 0);
    fxr_shop_done(&s);
}

/* A number already opted out when its review comes in (NT-4's record):
 * the case opens opted out, gets no contact task and no follow-up SMS. */
static void test_rv5_number_opted_out_before_the_review_is_left_alone(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 18, 30);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    rv_buyer buyer = {.opted_out = true};
    rv_decision d;
    rv_decision_init(&d);
    CT_CHECK(rv_on_review_for(&r, NULL, &buyer, &s, posted, &d));
    CT_CHECK(d.open);
    CT_CHECK(d.opted_out);
    CT_EQ_INT(d.fx.ntasks, 0);
    CT_EQ_INT(d.fx.nnotes, 0);
    rv_case c;
    rv_case_from_review(&r, &s, posted, &c);
    rv_case_apply(&c, &d, posted);
    CT_CHECK(c.opted_out);
    CT_EQ_INT(c.sms_days, 0);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rv5_number_opted_out_before_the_review_is_left_alone), CT_CASE(test_rv5_revision_cancels_every_pending_followup_in_one_effect),
        CT_CASE(test_rv5_opt_out_words_from_the_case_number),
        CT_CASE(test_rv5_other_text_or_other_number_is_no_opt_out),
        CT_CASE(test_rv5_opt_out_after_day2_sms_no_day3_sms),
        CT_CASE(test_rv5_agent_closing_cancels_every_pending_followup),
        CT_CASE(test_rv5_never_two_followup_sms_on_one_local_day))
