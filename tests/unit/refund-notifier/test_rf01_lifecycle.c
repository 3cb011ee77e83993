/* test_rf01_lifecycle.c -- RF-1: a case is registered from its first
 * event (type, reason, owner), follows the transition table, applies its
 * events in the order of (event time, event id): a duplicate does
 * nothing, a late older stage never moves it backwards, an impossible
 * transition is reported and counted, not applied; CLOSED is final. */
#include "rf_fixtures.h"

#define ST FXR_ST

static void test_rf1_transition_table(void) {
    CT_CHECK(rf1_transition_allowed(ST(REQUESTED), ST(AGREED)));
    CT_CHECK(rf1_transition_allowed(ST(REQUESTED), ST(REFUSED)));
    CT_CHECK(rf1_transition_allowed(ST(REQUESTED), ST(PLATFORM_INTERVENED)));
    CT_CHECK(rf1_transition_allowed(ST(REQUESTED), ST(CLOSED)));
    CT_CHECK(rf1_transition_allowed(ST(PLATFORM_INTERVENED), ST(AGREED))); /* the platform rules for the buyer */
    CT_CHECK(rf1_transition_allowed(ST(AGREED), ST(BUYER_SHIPPED)));
    CT_CHECK(rf1_transition_allowed(ST(REFUNDED), ST(CLOSED)));
    CT_CHECK(!rf1_transition_allowed(ST(AGREED), ST(REQUESTED))); /* never backwards */
    CT_CHECK(!rf1_transition_allowed(ST(REFUNDED), ST(AGREED)));
    CT_CHECK(!rf1_transition_allowed(ST(AGREED), ST(AGREED))); /* not itself */
    for (int to = 0; to <= 9; to++) CT_CHECK(!rf1_transition_allowed(ST(CLOSED), (Cs__V1__CaseStage)to));
    for (int to = 1; to <= 9; to++) CT_CHECK(rf1_transition_allowed(ST(UNSPECIFIED), (Cs__V1__CaseStage)to));
    CT_CHECK(!rf1_transition_allowed(ST(REQUESTED), ST(UNSPECIFIED)));
    CT_CHECK(!rf1_transition_allowed((Cs__V1__CaseStage)42, ST(CLOSED)));
}

static void test_rf1_first_event_registers_type_reason_owner(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(CHANGED_MIND), ST(REQUESTED), 9900);
    rf_event ev = fxr_event(&e, "ev-1", fxr_local(&s, 2024, 6, 5, 9, 0));
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_CHECK(d.registered);
    CT_EQ_INT(d.registered_ms, ev.event_ms);
    CT_CHECK(c.exists);
    CT_EQ_STR(c.case_id, "C1");
    CT_EQ_INT(c.type, FXR_T(RETURN_REFUND));
    CT_EQ_INT(c.reason, FXR_R(CHANGED_MIND));
    CT_EQ_STR(c.agent, "小王");
    CT_EQ_INT(c.stage, ST(REQUESTED));
    CT_EQ_INT(c.registered_ms, ev.event_ms);
    CT_EQ_INT(c.last_event_ms, ev.event_ms);
    /* a later owner never replaces the first */
    Cs__V1__AfterSalesCase e2 = fxr_case(FXR_T(RETURN_REFUND), FXR_R(CHANGED_MIND), ST(AGREED), 9900);
    e2.agent = FXR_S("小李");
    rf_event ev2 = fxr_event(&e2, "ev-2", ev.event_ms + FXR_HOUR);
    fxr_apply(&c, &ev2, &o, &s, &d);
    CT_EQ_STR(c.agent, "小王");
    CT_EQ_INT(c.stage, ST(AGREED));
    fxr_shop_done(&s);
}

static void test_rf1_owner_named_later_is_taken(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(REFUND_ONLY), FXR_R(OTHER), ST(REQUESTED), 500);
    e.agent = FXR_S("");
    rf_event ev = fxr_event(&e, "ev-1", 1000);
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_CHECK(c.agent == NULL);
    Cs__V1__AfterSalesCase e2 = fxr_case(FXR_T(REFUND_ONLY), FXR_R(OTHER), ST(AGREED), 500);
    rf_event ev2 = fxr_event(&e2, "ev-2", 2000);
    fxr_apply(&c, &ev2, &o, &s, &d);
    CT_EQ_STR(c.agent, "小王");
    fxr_shop_done(&s);
}

static void test_rf1_duplicate_event_does_nothing(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(REFUND_ONLY), FXR_R(OTHER), ST(REQUESTED), 500);
    rf_event ev = fxr_event(&e, "ev-1", 1000);
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_CHECK(!cs_fx_empty(&d.fx));
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_CHECK(d.duplicate);
    CT_CHECK(!d.registered && !d.stage_changed);
    CT_CHECK(cs_fx_empty(&d.fx));
    CT_EQ_INT(c.stage, ST(REQUESTED));
    fxr_shop_done(&s);
}

static void test_rf1_late_older_stage_never_moves_back(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase req = fxr_case(FXR_T(RETURN_REFUND), FXR_R(CHANGED_MIND), ST(REQUESTED), 9900);
    Cs__V1__AfterSalesCase agr = fxr_case(FXR_T(RETURN_REFUND), FXR_R(CHANGED_MIND), ST(AGREED), 9900);
    Cs__V1__AfterSalesCase shp = fxr_case(FXR_T(RETURN_REFUND), FXR_R(CHANGED_MIND), ST(BUYER_SHIPPED), 9900);
    rf_event e1 = fxr_event(&req, "a", 1000), e2 = fxr_event(&agr, "b", 2000), e3 = fxr_event(&shp, "c", 3000);
    rf_case c = {0};
    rf_decision d;
    /* arrive 3, 1, 2: the shipped return stands */
    fxr_apply(&c, &e3, &o, &s, &d);
    CT_CHECK(d.registered);
    CT_EQ_INT(c.stage, ST(BUYER_SHIPPED));
    fxr_apply(&c, &e1, &o, &s, &d);
    CT_CHECK(d.stale);
    CT_CHECK(!d.stage_changed);
    CT_CHECK(cs_fx_empty(&d.fx));
    fxr_apply(&c, &e2, &o, &s, &d);
    CT_CHECK(d.stale);
    CT_EQ_INT(c.stage, ST(BUYER_SHIPPED));
    CT_EQ_INT(c.last_event_ms, 3000);
    /* same time: the event id breaks the tie */
    rf_event e2b = fxr_event(&agr, "0", 3000);
    fxr_apply(&c, &e2b, &o, &s, &d);
    CT_CHECK(d.stale);
    fxr_shop_done(&s);
}

static void test_rf1_impossible_transition_reported_not_applied(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase clo = fxr_case(FXR_T(REFUND_ONLY), FXR_R(OTHER), ST(CLOSED), 500);
    Cs__V1__AfterSalesCase agr = fxr_case(FXR_T(REFUND_ONLY), FXR_R(OTHER), ST(AGREED), 500);
    rf_event e1 = fxr_event(&clo, "a", 1000), e2 = fxr_event(&agr, "b", 2000);
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &e1, &o, &s, &d);
    CT_EQ_INT(c.stage, ST(CLOSED));
    fxr_apply(&c, &e2, &o, &s, &d);
    CT_CHECK(d.refused_transition);
    CT_EQ_INT(d.refused_from, ST(CLOSED));
    CT_EQ_INT(d.refused_to, ST(AGREED));
    CT_CHECK(!d.stage_changed);
    CT_EQ_INT(d.fx.nnotes, 0); /* no agreement message for a closed case */
    CT_EQ_INT(c.stage, ST(CLOSED));
    CT_EQ_INT(c.refused_transitions, 1);
    CT_EQ_INT(c.last_event_ms, 1000); /* the position does not move */
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rf1_transition_table), CT_CASE(test_rf1_first_event_registers_type_reason_owner),
        CT_CASE(test_rf1_owner_named_later_is_taken), CT_CASE(test_rf1_duplicate_event_does_nothing),
        CT_CASE(test_rf1_late_older_stage_never_moves_back),
        CT_CASE(test_rf1_impossible_transition_reported_not_applied))
