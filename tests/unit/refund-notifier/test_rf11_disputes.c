/* test_rf11_disputes.c -- RF-11: a platform intervention opens a dispute:
 * a task to the owner due 3 x 24 h later and a timer; the timer fired
 * while still intervened -> an urgent task to the owner; cancelled when
 * the platform rules. The 4th dispute of a local calendar month raises
 * the alert (once), the 6th the campaign bar. */
#include "rf_fixtures.h"

#define ST FXR_ST

static void test_rf11_intervention_opens_evidence_deadline(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(QUALITY), ST(REFUSED), 9900);
    rf_case c = {0};
    rf_decision d;
    rf_event ev = fxr_event(&e, "a", 1000);
    fxr_apply(&c, &ev, &o, &s, &d);
    e.stage = ST(PLATFORM_INTERVENED);
    int64_t at = fxr_local(&s, 2024, 6, 10, 22, 0);
    ev = fxr_event(&e, "b", at);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_CHECK(d.dispute_opened);
    CT_EQ_INT(fxr_timer(&d, RF_TIMER_EVIDENCE), at + 3 * FXR_DAY);
    const cs_task *t = fxr_task(&d, "RF-11");
    CT_CHECK(t != NULL);
    if (t) {
        CT_EQ_STR(t->owner, "小王");
        CT_EQ_INT(t->due_ms, at + 3 * FXR_DAY);
        CT_CHECK(strstr(t->summary, "submit the evidence within 3 days") != NULL);
    }
    CT_EQ_INT(c.intervened_ms, at);
    /* fired at the deadline, still intervened: the owner must act now */
    rf_decision_init(&d);
    CT_CHECK(!rf_on_timer(RF_TIMER_EVIDENCE, &c, &o, &s, at + 3 * FXR_DAY - 1, &d));
    CT_CHECK(rf_on_timer(RF_TIMER_EVIDENCE, &c, &o, &s, at + 3 * FXR_DAY, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_CHECK(d.fx.tasks[0].urgent);
    CT_EQ_STR(d.fx.tasks[0].owner, "小王");
    /* the platform rules for the buyer: the deadline is cancelled */
    e.stage = ST(AGREED);
    ev = fxr_event(&e, "c", at + FXR_DAY);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_CHECK(d.stage_changed);
    CT_CHECK(fxr_cancels(&d, RF_TIMER_EVIDENCE));
    rf_decision_init(&d);
    CT_CHECK(!rf_on_timer(RF_TIMER_EVIDENCE, &c, &o, &s, at + 3 * FXR_DAY, &d));
    fxr_shop_done(&s);
}

/* The intervention consumed after a later stage (an agreement of 11:00
 * before the 10:00 intervention): not applied as a stage, but the dispute
 * was opened: counted, its time recorded; no evidence deadline (the case
 * moved past it). Once only. */
static void test_rf11_late_intervention_still_counts_the_dispute(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(QUALITY), ST(REQUESTED), 9900);
    rf_case c = {0};
    rf_decision d;
    int64_t t10 = fxr_local(&s, 2024, 6, 10, 10, 0);
    rf_event ev = fxr_event(&e, "a", t10 - FXR_HOUR);
    fxr_apply(&c, &ev, &o, &s, &d);
    e.stage = ST(AGREED);
    ev = fxr_event(&e, "c", t10 + FXR_HOUR);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(c.stage, ST(AGREED));
    e.stage = ST(PLATFORM_INTERVENED);
    ev = fxr_event(&e, "b", t10);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_CHECK(d.stale);
    CT_CHECK(d.dispute_opened);
    CT_EQ_INT(c.stage, ST(AGREED)); /* the case does not go back */
    CT_EQ_INT(c.intervened_ms, t10);
    CT_EQ_INT(fxr_timer(&d, RF_TIMER_EVIDENCE), -1);
    CT_CHECK(fxr_task(&d, "RF-11") == NULL);
    /* the same intervention again: a duplicate, not a second dispute */
    ev = fxr_event(&e, "b", t10);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_CHECK(!d.dispute_opened);
    fxr_shop_done(&s);
}

static void test_rf11_alert_at_the_4th_dispute_of_the_month(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t now = fxr_local(&s, 2024, 6, 20, 10, 0);
    rf_decision d;
    for (int n = 1; n <= 7; n++) {
        rf_decision_init(&d);
        bool raised = rf11_dispute_month(n, &s, now, &d);
        CT_EQ_INT(raised, n == 4 || n == 6);
        CT_EQ_INT(d.dispute_alert, n == 4);
        CT_EQ_INT(d.campaign_barred, n == 6);
        if (raised) {
            CT_EQ_STR(d.fx.tasks[0].assignee, CS_FX_SUPERVISOR);
            CT_EQ_STR(d.fx.tasks[0].rule, "RF-11");
            CT_CHECK(strstr(d.fx.tasks[0].summary, "this month (2024-06)") != NULL);
        }
    }
    fxr_shop_done(&s);
}

static void test_rf11_month_is_the_shops_local_calendar_month(void) {
    cs_shop sh, ny;
    fxr_shop_init(&sh, "Asia/Shanghai");
    fxr_shop_init(&ny, "America/New_York");
    /* 2024-07-01 02:00 in Shanghai is still June 30 in New York */
    int64_t now = fxr_local(&sh, 2024, 7, 1, 2, 0);
    CT_EQ_INT(rf11_month_start_ms(&sh, now), fxr_local(&sh, 2024, 7, 1, 0, 0));
    CT_EQ_INT(rf11_month_start_ms(&ny, now), fxr_local(&ny, 2024, 6, 1, 0, 0));
    CT_EQ_INT(rf11_month_start_ms(&sh, fxr_local(&sh, 2024, 7, 1, 0, 0) - 1), fxr_local(&sh, 2024, 6, 1, 0, 0));
    fxr_shop_done(&sh);
    fxr_shop_done(&ny);
}

CT_MAIN(CT_CASE(test_rf11_intervention_opens_evidence_deadline),
        CT_CASE(test_rf11_late_intervention_still_counts_the_dispute),
        CT_CASE(test_rf11_alert_at_the_4th_dispute_of_the_month),
        CT_CASE(test_rf11_month_is_the_shops_local_calendar_month))
