/* test_rf02_deadlines.c -- RF-2: "within N days" = N x 24 h from the
 * triggering event: the return shipped within 2 days of the agreement,
 * resolved within 7 days of registration, escalated when open 7 days;
 * each timer cancelled when the case moves past it; a fired timer decides
 * from the stored case (nothing once the case moved on). */
#include "rf_fixtures.h"

#define ST FXR_ST

static void test_rf2_registration_arms_resolve_and_escalate_7x24h(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(CHANGED_MIND), ST(REQUESTED), 9900);
    int64_t at = fxr_local(&s, 2024, 6, 5, 23, 30);
    rf_event ev = fxr_event(&e, "a", at);
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(fxr_timer(&d, RF_TIMER_RESOLVE), at + 7 * FXR_DAY); /* 06-12 23:30, not a midnight */
    CT_EQ_INT(fxr_timer(&d, RF_TIMER_ESCALATE), at + 7 * FXR_DAY);
    CT_EQ_INT(fxr_timer(&d, RF_TIMER_SHIP_RETURN), -1);
    fxr_shop_done(&s);
}

static void test_rf2_agreed_return_arms_ship_return_2x24h(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase req = fxr_case(FXR_T(RETURN_REFUND), FXR_R(CHANGED_MIND), ST(REQUESTED), 9900);
    Cs__V1__AfterSalesCase agr = req;
    agr.stage = ST(AGREED);
    int64_t t0 = fxr_local(&s, 2024, 6, 5, 9, 0);
    rf_event e1 = fxr_event(&req, "a", t0), e2 = fxr_event(&agr, "b", t0 + 3 * FXR_HOUR);
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &e1, &o, &s, &d);
    fxr_apply(&c, &e2, &o, &s, &d);
    CT_EQ_INT(fxr_timer(&d, RF_TIMER_SHIP_RETURN), t0 + 3 * FXR_HOUR + 2 * FXR_DAY);
    CT_EQ_INT(c.agreed_ms, t0 + 3 * FXR_HOUR);
    /* a refund-only agreement has no return to ship */
    Cs__V1__AfterSalesCase r2 = fxr_case(FXR_T(REFUND_ONLY), FXR_R(CHANGED_MIND), ST(REQUESTED), 100);
    Cs__V1__AfterSalesCase a2 = r2;
    a2.stage = ST(AGREED);
    rf_event f1 = fxr_event(&r2, "a", t0), f2 = fxr_event(&a2, "b", t0 + FXR_HOUR);
    rf_case c2 = {0};
    fxr_apply(&c2, &f1, &o, &s, &d);
    fxr_apply(&c2, &f2, &o, &s, &d);
    CT_EQ_INT(fxr_timer(&d, RF_TIMER_SHIP_RETURN), -1);
    fxr_shop_done(&s);
}

static void test_rf2_unshipped_return_escalated_after_2_days_not_before(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    rf_case c = {.exists = true,
                 .case_id = "C1",
                 .order_id = "O1",
                 .agent = "小王",
                 .type = FXR_T(RETURN_REFUND),
                 .reason = FXR_R(CHANGED_MIND),
                 .stage = ST(AGREED)};
    c.registered_ms = fxr_local(&s, 2024, 6, 5, 9, 0);
    c.agreed_ms = c.registered_ms + FXR_HOUR;
    int64_t due = c.agreed_ms + 2 * FXR_DAY;
    rf_decision d;
    rf_decision_init(&d);
    CT_CHECK(!rf_on_timer(RF_TIMER_SHIP_RETURN, &c, &o, &s, due - 1, &d));
    CT_EQ_INT(d.fx.ntasks, 0);
    CT_CHECK(rf_on_timer(RF_TIMER_SHIP_RETURN, &c, &o, &s, due, &d)); /* exactly 48 h: passed */
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_INT(d.fx.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_ESCALATION);
    CT_EQ_STR(d.fx.tasks[0].assignee, CS_FX_SUPERVISOR);
    CT_EQ_STR(d.fx.tasks[0].rule, "RF-2");
    CT_CHECK(strstr(d.fx.tasks[0].summary, "not shipped the return within 2 days") != NULL);
    CT_CHECK(d.escalated);
    /* the buyer shipped meanwhile: a late firing decides nothing */
    c.stage = ST(BUYER_SHIPPED);
    rf_decision_init(&d);
    CT_CHECK(!rf_on_timer(RF_TIMER_SHIP_RETURN, &c, &o, &s, due + FXR_DAY, &d));
    CT_CHECK(cs_fx_empty(&d.fx));
    fxr_shop_done(&s);
}

static void test_rf2_resolve_goes_to_owner_escalate_to_supervisor(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    rf_case c = {.exists = true,
                 .case_id = "C1",
                 .order_id = "O1",
                 .agent = "小王",
                 .type = FXR_T(EXCHANGE),
                 .reason = FXR_R(QUALITY),
                 .stage = ST(RETURN_RECEIVED)};
    c.registered_ms = fxr_local(&s, 2024, 6, 5, 9, 0);
    int64_t due = c.registered_ms + 7 * FXR_DAY;
    rf_decision d;
    rf_decision_init(&d);
    CT_CHECK(!rf_on_timer(RF_TIMER_RESOLVE, &c, &o, &s, due - FXR_MIN, &d));
    CT_CHECK(!rf_on_timer(RF_TIMER_ESCALATE, &c, &o, &s, due - FXR_MIN, &d));
    CT_CHECK(rf_on_timer(RF_TIMER_RESOLVE, &c, &o, &s, due, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_STR(d.fx.tasks[0].owner, "小王");
    CT_CHECK(d.fx.tasks[0].assignee == NULL);
    CT_CHECK(d.fx.tasks[0].urgent);
    CT_CHECK(rf_on_timer(RF_TIMER_ESCALATE, &c, &o, &s, due, &d));
    CT_EQ_INT(d.fx.ntasks, 2);
    CT_EQ_STR(d.fx.tasks[1].assignee, CS_FX_SUPERVISOR);
    CT_CHECK(strstr(d.fx.tasks[1].summary, "open 7 days") != NULL);
    /* reshipped: neither fires any more; closed: nothing at all */
    c.stage = ST(RESHIPPED);
    rf_decision_init(&d);
    CT_CHECK(!rf_on_timer(RF_TIMER_RESOLVE, &c, &o, &s, due, &d));
    CT_CHECK(!rf_on_timer(RF_TIMER_ESCALATE, &c, &o, &s, due, &d));
    c.stage = ST(CLOSED);
    CT_CHECK(!rf_on_timer(RF_TIMER_ESCALATE, &c, &o, &s, due, &d));
    CT_CHECK(!rf_on_timer("rf2.unknown", &c, &o, &s, due, &d));
    CT_CHECK(cs_fx_empty(&d.fx));
    fxr_shop_done(&s);
}

static void test_rf2_timers_cancelled_as_the_case_moves_past(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(CHANGED_MIND), ST(REQUESTED), 9900);
    rf_case c = {0};
    rf_decision d;
    rf_event ev = fxr_event(&e, "a", 1000);
    fxr_apply(&c, &ev, &o, &s, &d);
    e.stage = ST(AGREED);
    ev = fxr_event(&e, "b", 2000);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_CHECK(!fxr_cancels(&d, RF_TIMER_RESOLVE));
    e.stage = ST(BUYER_SHIPPED);
    ev = fxr_event(&e, "c", 3000);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_CHECK(fxr_cancels(&d, RF_TIMER_SHIP_RETURN));
    CT_CHECK(!fxr_cancels(&d, RF_TIMER_RESOLVE));
    e.stage = ST(REFUNDED);
    ev = fxr_event(&e, "d", 4000);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(d.fx.ncancels, 1);
    CT_CHECK(d.fx.cancels[0].kind == NULL); /* every pending timer of the case */
    CT_EQ_STR(d.fx.cancels[0].subject, ""); /* the case: the applier's subject */
    fxr_shop_done(&s);
}

/* A refusal cancels the 7-day resolution; the case agreed after all (the
 * platform stepped in) runs it again, still 7 x 24 h from registration. */
static void test_rf2_refused_then_agreed_rearms_the_resolution_from_registration(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(QUALITY), ST(REQUESTED), 9900);
    rf_case c = {0};
    rf_decision d;
    rf_event ev = fxr_event(&e, "a", 1000);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(fxr_timer(&d, RF_TIMER_RESOLVE), 1000 + 7 * FXR_DAY);
    e.stage = ST(REFUSED);
    ev = fxr_event(&e, "b", 2000);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_CHECK(fxr_cancels(&d, RF_TIMER_RESOLVE));
    e.stage = ST(PLATFORM_INTERVENED);
    ev = fxr_event(&e, "c", 3000);
    fxr_apply(&c, &ev, &o, &s, &d);
    e.stage = ST(AGREED);
    ev = fxr_event(&e, "d", 4000);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(c.stage, ST(AGREED));
    CT_EQ_INT(fxr_timer(&d, RF_TIMER_RESOLVE), 1000 + 7 * FXR_DAY);
    for (int i = 0; i < d.fx.ntimers; i++) /* a pending one (never refused) is left as it is */
        if (strcmp(d.fx.timers[i].kind, RF_TIMER_RESOLVE) == 0) CT_CHECK(d.fx.timers[i].keep_pending);
    fxr_shop_done(&s);
}

static void test_rf2_days_are_shop_settings(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    s.th.case_deadline_days = 5;
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(REFUND_ONLY), FXR_R(OTHER), ST(REQUESTED), 100);
    rf_event ev = fxr_event(&e, "a", 1000);
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(fxr_timer(&d, RF_TIMER_RESOLVE), 1000 + 5 * FXR_DAY);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rf2_registration_arms_resolve_and_escalate_7x24h),
        CT_CASE(test_rf2_agreed_return_arms_ship_return_2x24h),
        CT_CASE(test_rf2_unshipped_return_escalated_after_2_days_not_before),
        CT_CASE(test_rf2_resolve_goes_to_owner_escalate_to_supervisor),
        CT_CASE(test_rf2_timers_cancelled_as_the_case_moves_past), CT_CASE(test_rf2_days_are_shop_settings),
        CT_CASE(test_rf2_refused_then_agreed_rearms_the_resolution_from_registration))
