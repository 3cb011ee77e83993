/* test_rf07_finance.c -- RF-7: every refund makes one finance request
 * (kind "refund", amount, agent, account, reason with case, order, type
 * and reason), exactly one per refund: replays, later stages and a late
 * refund event after the case closed make no second one. */
#include "rf_fixtures.h"

#define ST FXR_ST

static void test_rf7_refund_request_has_every_field(void) {
    rf_case c = {.exists = true,
                 .case_id = "C1",
                 .order_id = "O1",
                 .agent = "小王",
                 .refund_account = "alipay:buyer@example.com",
                 .type = FXR_T(REFUND_ONLY),
                 .reason = FXR_R(CHANGED_MIND)};
    rf_decision d;
    rf_decision_init(&d);
    rf7_refund_request(&c, 4550, NULL, &d);
    CT_EQ_INT(d.fx.nfinance, 1);
    const cs_finance *f = &d.fx.finance[0];
    CT_EQ_STR(f->kind, "refund");
    CT_EQ_STR(f->rule, "RF-7");
    CT_EQ_INT(f->amount_fen, 4550);
    CT_EQ_STR(f->agent, "小王");
    CT_EQ_STR(f->account, "alipay:buyer@example.com");
    CT_CHECK(strstr(f->reason, "case C1 (refund_only, changed_mind), order O1: refund 4550 fen") != NULL);
    CT_CHECK(d.refund_recorded);
    CT_EQ_INT(d.refund_fen, 4550);
}

static void test_rf7_exactly_one_request_per_refund(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(REFUND_ONLY), FXR_R(CHANGED_MIND), ST(AGREED), 3000);
    rf_case c = {0};
    rf_decision d;
    rf_event ev = fxr_event(&e, "a", 1000);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 0); /* agreed is no refund */
    e.stage = ST(REFUNDED);
    rf_event refunded = fxr_event(&e, "b", 2000);
    fxr_apply(&c, &refunded, &o, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 1);
    CT_EQ_INT(d.fx.finance[0].amount_fen, 3000);
    CT_EQ_INT(c.refunded_ms, 2000);
    fxr_apply(&c, &refunded, &o, &s, &d); /* the same event again */
    CT_EQ_INT(d.fx.nfinance, 0);
    Cs__V1__AfterSalesCase e2 = e; /* another REFUNDED event, later */
    rf_event again = fxr_event(&e2, "c", 3000);
    fxr_apply(&c, &again, &o, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 0);
    e2.stage = ST(CLOSED);
    rf_event closed = fxr_event(&e2, "d", 4000);
    fxr_apply(&c, &closed, &o, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 0);
    CT_EQ_INT(c.stage, ST(CLOSED));
    fxr_shop_done(&s);
}

static void test_rf7_late_refund_after_close_is_recorded_once(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase agr = fxr_case(FXR_T(REFUND_ONLY), FXR_R(CHANGED_MIND), ST(AGREED), 3000);
    Cs__V1__AfterSalesCase rfd = agr, clo = agr;
    rfd.stage = ST(REFUNDED);
    clo.stage = ST(CLOSED);
    rf_event e1 = fxr_event(&agr, "a", 1000), e2 = fxr_event(&rfd, "b", 2000), e3 = fxr_event(&clo, "c", 3000);
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &e1, &o, &s, &d);
    fxr_apply(&c, &e3, &o, &s, &d); /* closed arrives before the refund */
    CT_EQ_INT(c.stage, ST(CLOSED));
    fxr_apply(&c, &e2, &o, &s, &d);
    CT_CHECK(d.stale);
    CT_EQ_INT(c.stage, ST(CLOSED)); /* not moved backwards */
    CT_EQ_INT(d.fx.nfinance, 1);    /* but the refund is recorded */
    CT_EQ_INT(d.fx.finance[0].amount_fen, 3000);
    CT_EQ_INT(c.refunded_ms, 2000);
    fxr_apply(&c, &e2, &o, &s, &d); /* and only once */
    CT_EQ_INT(d.fx.nfinance, 0);
    fxr_shop_done(&s);
}

static void test_rf7_refund_after_close_is_impossible_but_still_paid_once(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase clo = fxr_case(FXR_T(REFUND_ONLY), FXR_R(CHANGED_MIND), ST(CLOSED), 3000);
    Cs__V1__AfterSalesCase rfd = clo;
    rfd.stage = ST(REFUNDED);
    rf_event e1 = fxr_event(&clo, "a", 1000), e2 = fxr_event(&rfd, "b", 2000);
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &e1, &o, &s, &d);
    fxr_apply(&c, &e2, &o, &s, &d); /* a refund reported after the close */
    CT_CHECK(d.refused_transition);
    CT_EQ_INT(c.stage, ST(CLOSED));
    CT_EQ_INT(c.refused_transitions, 1);
    CT_EQ_INT(d.fx.nfinance, 1);
    CT_EQ_INT(c.refunded_ms, 2000);
    rf_event e3 = fxr_event(&rfd, "c", 3000);
    fxr_apply(&c, &e3, &o, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 0);
    fxr_shop_done(&s);
}

/* A cancelled order's refund is EX-8's (the exception-handler made its
 * finance request): a REFUNDED case on it records the refund and asks
 * finance for nothing, so one refund never has two requests. The buyer
 * is still told of the refund (RF-8; EX-8 sends no message). */
static void test_rf7_cancelled_orders_refund_stays_ex8s(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order_unshipped(&o);
    o.cancelled_ms = 1000;
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(REFUND_ONLY), FXR_R(CHANGED_MIND), ST(REFUNDED), 3000);
    rf_case c = {0};
    rf_decision d;
    rf_event ev = fxr_event(&e, "e1", 2000);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 0);
    CT_EQ_INT(d.fx.nnotes, 1);
    if (d.fx.nnotes == 1) {
        CT_EQ_STR(d.fx.notes[0].rule, "RF-8");
        CT_EQ_STR(d.fx.notes[0].template_id, RF_TPL_REFUNDED);
    }
    CT_CHECK(c.refunded_ms != 0);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rf7_cancelled_orders_refund_stays_ex8s), CT_CASE(test_rf7_refund_request_has_every_field),
        CT_CASE(test_rf7_refund_after_close_is_impossible_but_still_paid_once),
        CT_CASE(test_rf7_exactly_one_request_per_refund), CT_CASE(test_rf7_late_refund_after_close_is_recorded_once))
