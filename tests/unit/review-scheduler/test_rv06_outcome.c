/* test_rv06_outcome.c -- RV-6: the outcome (revised, refused, no answer)
 * is recorded with RV-1's reason; no answer at the end of the last
 * follow-up day; the weekly report counts closed cases by outcome and
 * dislike, for the local week Sunday to Saturday. */
#include "rv_fixtures.h"

static rv_case closedCase(const cs_shop *s, Cs__V1__ReviewRating rating, Cs__V1__DislikeKind dislike, rv_state st,
                          int64_t closed_ms) {
    Cs__V1__Review r = fxr_review(rating, closed_ms - 2 * FXR_DAY);
    r.dislike = dislike;
    rv_case c;
    rv_case_from_review(&r, s, r.posted_ms, &c);
    c.state = st;
    c.closed_ms = st == RV_STATE_OPEN ? 0 : closed_ms;
    return c;
}

static void test_rv6_no_answer_at_the_end_of_the_last_followup_day_not_before(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    int64_t end3 = fxr_local(&s, 2024, 11, 23, 0, 0);
    rv_decision_init(&d);
    CT_CHECK(!rv6_on_no_answer_timer(&c, &s, end3 - 1, &d));
    CT_CHECK(cs_fx_empty(&d.fx));
    CT_CHECK(rv6_on_no_answer_timer(&c, &s, end3, &d));
    CT_EQ_INT(d.state, RV_STATE_NO_ANSWER);
    CT_EQ_STR(d.rule, "RV-6");
    CT_CHECK(fxr_cancels_all(&d));
    rv_case_apply(&c, &d, end3);
    CT_EQ_INT(c.state, RV_STATE_NO_ANSWER);
    CT_EQ_INT(c.closed_ms, end3);
    /* the reason of RV-1 stays on the case */
    CT_EQ_STR(rv_dislike_name(c.dislike), "product");
    CT_EQ_STR(rv_state_name(c.state), "no_answer");
    /* fired again: nothing */
    rv_decision_init(&d);
    CT_CHECK(!rv6_on_no_answer_timer(&c, &s, end3 + FXR_HOUR, &d));
    fxr_shop_done(&s);
}

static void test_rv6_revision_after_no_answer_is_recorded_revised(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEU, fxr_local(&s, 2024, 11, 20, 18, 30));
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    CT_EQ_INT(fxr_no_answer(&c, &s, fxr_local(&s, 2024, 11, 22, 0, 0)), 0);
    CT_EQ_INT(c.state, RV_STATE_NO_ANSWER);
    Cs__V1__Review rev = r;
    rev.revision = true;
    int64_t at = fxr_local(&s, 2024, 11, 25, 12, 0);
    rv_decision_init(&d);
    CT_CHECK(rv_on_review(&rev, &c, false, &s, at, &d));
    rv_case_apply(&c, &d, at);
    CT_EQ_INT(c.state, RV_STATE_REVISED);
    CT_EQ_INT(c.closed_ms, at);
    fxr_shop_done(&s);
}

static void test_rv6_weekly_report_counts_by_outcome_and_dislike(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    const Cs__V1__DislikeKind P = CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT;
    const Cs__V1__DislikeKind V = CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE;
    int64_t mon = fxr_local(&s, 2024, 11, 18, 12, 0);
    rv_case cases[] = {
        closedCase(&s, FXR_NEG, P, RV_STATE_REVISED, mon),
        closedCase(&s, FXR_NEG, P, RV_STATE_REVISED, mon + FXR_DAY),
        closedCase(&s, FXR_NEU, V, RV_STATE_REVISED, mon + 2 * FXR_DAY),
        closedCase(&s, FXR_NEG, V, RV_STATE_REFUSED, mon),
        closedCase(&s, FXR_NEU, P, RV_STATE_NO_ANSWER, mon + 3 * FXR_DAY),
        closedCase(&s, FXR_NEG, CS__V1__DISLIKE_KIND__DISLIKE_KIND_UNSPECIFIED, RV_STATE_NO_ANSWER, mon),
        closedCase(&s, FXR_NEG, P, RV_STATE_OPEN, mon), /* still open: not in the report */
    };
    rv_week_report w;
    cs_day sunday = rv6_week_start(&s, mon);
    CT_EQ_INT(sunday, cs_day_from_ymd(2024, 11, 17));
    CT_EQ_INT(rv6_weekly_report(cases, sizeof cases / sizeof cases[0], &s, sunday, &w), 6);
    CT_EQ_INT(w.week_start, sunday);
    CT_EQ_INT(w.closed, 6);
    CT_EQ_INT(w.by_outcome[RV_STATE_REVISED], 3);
    CT_EQ_INT(w.by_outcome[RV_STATE_REFUSED], 1);
    CT_EQ_INT(w.by_outcome[RV_STATE_NO_ANSWER], 2);
    CT_EQ_INT(w.by_outcome[RV_STATE_OPEN], 0);
    CT_EQ_INT(w.by_dislike[P], 3);
    CT_EQ_INT(w.by_dislike[V], 2);
    CT_EQ_INT(w.by_dislike[CS__V1__DISLIKE_KIND__DISLIKE_KIND_UNSPECIFIED], 1);
    CT_EQ_INT(w.by_outcome_dislike[RV_STATE_REVISED][P], 2);
    CT_EQ_INT(w.by_outcome_dislike[RV_STATE_REVISED][V], 1);
    CT_EQ_INT(w.by_outcome_dislike[RV_STATE_REFUSED][V], 1);
    CT_EQ_INT(w.by_outcome_dislike[RV_STATE_NO_ANSWER][P], 1);
    CT_EQ_INT(w.by_outcome_dislike[RV_STATE_NO_ANSWER][CS__V1__DISLIKE_KIND__DISLIKE_KIND_UNSPECIFIED], 1);
    CT_EQ_INT(w.neutral, 2);
    CT_EQ_INT(w.negative, 4);
    /* by outcome and rating, for the weekly report's table */
    CT_EQ_INT(w.by_outcome_rating[RV_STATE_REVISED][0], 1);
    CT_EQ_INT(w.by_outcome_rating[RV_STATE_REVISED][1], 2);
    CT_EQ_INT(w.by_outcome_rating[RV_STATE_REFUSED][1], 1);
    CT_EQ_INT(w.by_outcome_rating[RV_STATE_NO_ANSWER][0], 1);
    CT_EQ_INT(w.by_outcome_rating[RV_STATE_NO_ANSWER][1], 1);
    CT_EQ_INT(w.by_outcome_rating[RV_STATE_OPEN][1], 0);
    fxr_shop_done(&s);
}

static void test_rv6_weekly_report_week_is_sunday_to_saturday_local(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    const Cs__V1__DislikeKind P = CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT;
    rv_case cases[] = {
        closedCase(&s, FXR_NEG, P, RV_STATE_REVISED, fxr_local(&s, 2024, 11, 16, 23, 59)), /* Sat before */
        closedCase(&s, FXR_NEG, P, RV_STATE_REVISED, fxr_local(&s, 2024, 11, 17, 0, 0)),   /* Sun: in */
        closedCase(&s, FXR_NEG, P, RV_STATE_REFUSED, fxr_local(&s, 2024, 11, 23, 23, 59)), /* Sat: in */
        closedCase(&s, FXR_NEG, P, RV_STATE_REFUSED, fxr_local(&s, 2024, 11, 24, 0, 0)),   /* next Sun */
    };
    rv_week_report w;
    cs_day sunday = rv6_week_start(&s, fxr_local(&s, 2024, 11, 23, 20, 0));
    CT_EQ_INT(sunday, cs_day_from_ymd(2024, 11, 17));
    CT_EQ_INT(rv6_weekly_report(cases, 4, &s, sunday, &w), 2);
    CT_EQ_INT(w.by_outcome[RV_STATE_REVISED], 1);
    CT_EQ_INT(w.by_outcome[RV_STATE_REFUSED], 1);
    /* an empty list is an empty report */
    CT_EQ_INT(rv6_weekly_report(NULL, 0, &s, sunday, &w), 0);
    CT_EQ_INT(w.closed, 0);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rv6_no_answer_at_the_end_of_the_last_followup_day_not_before),
        CT_CASE(test_rv6_revision_after_no_answer_is_recorded_revised),
        CT_CASE(test_rv6_weekly_report_counts_by_outcome_and_dislike),
        CT_CASE(test_rv6_weekly_report_week_is_sunday_to_saturday_local))
