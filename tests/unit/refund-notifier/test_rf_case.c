/* test_rf_case.c -- one case through rf_case_event(), as the worker will
 * drive it: the promotion-mode refund of an unshipped order (agreed at
 * once, one finance request with every RF-7 field, buyer messages), and
 * one case's events delivered out of order and twice (one case, the right
 * stage, one refund request). */
#include "rf_fixtures.h"

#define ST FXR_ST

static void test_rf_case_promotion_refund_only_unshipped_end_to_end(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    s.promotion_mode = true;
    rf_order o;
    fxr_order_unshipped(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(REFUND_ONLY), FXR_R(CHANGED_MIND), ST(REQUESTED), 9900);
    e.refund_account = FXR_S("alipay:b1");
    rf_case c = {0};
    rf_decision d;
    int64_t t0 = fxr_local(&s, 2024, 11, 11, 0, 5);
    rf_event ev = fxr_event(&e, "r1", t0);
    fxr_apply(&c, &ev, &o, &s, &d);
    /* agreed at once, and that is the refund: one finance request with
     * every RF-7 field and one buyer message, now */
    CT_EQ_INT(d.decision.verdict, RF_VERDICT_AGREE);
    CT_EQ_INT(d.fx.ntasks, 0);
    CT_EQ_INT(d.fx.nfinance, 1);
    CT_EQ_STR(d.fx.finance[0].kind, "refund");
    CT_EQ_INT(d.fx.finance[0].amount_fen, 9900);
    CT_EQ_STR(d.fx.finance[0].agent, "小王");
    CT_EQ_STR(d.fx.finance[0].account, "alipay:b1");
    CT_CHECK(strstr(d.fx.finance[0].reason, "order O1") != NULL);
    CT_EQ_INT(d.fx.nnotes, 1);
    CT_EQ_STR(d.fx.notes[0].template_id, RF_TPL_AGREED);
    CT_EQ_STR(fxr_param(&d.fx.notes[0], "agent"), "小王");
    /* the platform carries the decision out: AGREED, then REFUNDED, tell
     * nobody anything new and pay nothing twice */
    e.stage = ST(AGREED);
    ev = fxr_event(&e, "r2", t0 + FXR_MIN);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(d.fx.nnotes, 0);
    CT_EQ_INT(d.fx.nfinance, 0);
    CT_EQ_INT(fxr_timer(&d, RF_TIMER_SHIP_RETURN), -1); /* nothing to send back */
    e.stage = ST(REFUNDED);
    ev = fxr_event(&e, "r3", t0 + 2 * FXR_MIN);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 0);
    CT_EQ_INT(d.fx.nnotes, 0);
    CT_CHECK(fxr_cancels(&d, NULL));
    CT_EQ_INT(c.stage, ST(REFUNDED));
    fxr_shop_done(&s);
}

/* Delivers the six events of a return in `order` (indexes, repeats
 * allowed); returns the finance requests made in total. */
static int deliver(const int *order, int n, rf_case *c) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    static const Cs__V1__CaseStage stages[] = {ST(REQUESTED),       ST(AGREED),   ST(BUYER_SHIPPED),
                                               ST(RETURN_RECEIVED), ST(REFUNDED), ST(CLOSED)};
    static const char *const ids[] = {"e0", "e1", "e2", "e3", "e4", "e5"};
    static Cs__V1__AfterSalesCase ev_cases[6];
    for (int i = 0; i < 6; i++) {
        ev_cases[i] = fxr_case(FXR_T(RETURN_REFUND), FXR_R(CHANGED_MIND), stages[i], 9900);
        ev_cases[i].resellable = true;
    }
    memset(c, 0, sizeof *c);
    int finance = 0;
    rf_decision d;
    for (int k = 0; k < n; k++) {
        int i = order[k];
        rf_event ev = fxr_event(&ev_cases[i], ids[i], 1000 + i * FXR_HOUR);
        fxr_apply(c, &ev, &o, &s, &d);
        finance += d.fx.nfinance;
    }
    fxr_shop_done(&s);
    return finance;
}

static void test_rf_case_out_of_order_and_twice_one_case_right_stage(void) {
    static const int in_order[] = {0, 1, 2, 3, 4, 5};
    static const int reversed[] = {5, 4, 3, 2, 1, 0};
    static const int shuffled_twice[] = {1, 0, 1, 3, 2, 4, 4, 3, 5, 0, 5};
    static const int refund_last[] = {0, 1, 2, 3, 5, 4, 4};
    static const int no_close[] = {2, 0, 4, 1, 3, 4, 2};
    rf_case c;
    CT_EQ_INT(deliver(in_order, 6, &c), 1);
    CT_EQ_INT(c.stage, ST(CLOSED));
    CT_EQ_INT(deliver(reversed, 6, &c), 1);
    CT_EQ_INT(c.stage, ST(CLOSED));
    CT_EQ_INT(c.registered_ms, 1000 + 5 * FXR_HOUR); /* registered from the first event to arrive */
    CT_EQ_INT(deliver(shuffled_twice, 11, &c), 1);
    CT_EQ_INT(c.stage, ST(CLOSED));
    CT_EQ_INT(c.refused_transitions, 0);
    CT_EQ_INT(deliver(refund_last, 7, &c), 1);
    CT_EQ_INT(c.stage, ST(CLOSED));
    CT_CHECK(c.refunded_ms > 0);
    CT_EQ_INT(deliver(no_close, 7, &c), 1);
    CT_EQ_INT(c.stage, ST(REFUNDED));
    CT_EQ_INT(c.last_event_ms, 1000 + 4 * FXR_HOUR);
}

CT_MAIN(CT_CASE(test_rf_case_promotion_refund_only_unshipped_end_to_end),
        CT_CASE(test_rf_case_out_of_order_and_twice_one_case_right_stage))
