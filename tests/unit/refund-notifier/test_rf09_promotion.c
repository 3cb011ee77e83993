/* test_rf09_promotion.c -- RF-9: in promotion mode, refund-only requests
 * on unshipped orders and valid seven-day returns are agreed at once (a
 * decision for cs.decisions.v1 with amount and reason, no agent task);
 * every other case goes to one of four queues by the table; outside
 * promotion mode nothing is auto-agreed and tasks use the shift's queue. */
#include "rf_fixtures.h"

#define ST FXR_ST

static void request(const cs_shop *s, const rf_order *o, Cs__V1__AfterSalesCase *e, rf_decision *d) {
    rf_event ev = fxr_event(e, "a", e->requested_ms ? e->requested_ms : 1000);
    rf_case c = {0};
    fxr_apply(&c, &ev, o, s, d);
}

static void test_rf9_refund_only_on_unshipped_order_agreed_at_once(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    s.promotion_mode = true;
    rf_order o;
    fxr_order_unshipped(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(REFUND_ONLY), FXR_R(CHANGED_MIND), ST(REQUESTED), 9900);
    rf_decision d;
    request(&s, &o, &e, &d);
    CT_EQ_INT(d.decision.verdict, RF_VERDICT_AGREE);
    CT_EQ_STR(d.decision.rule, "RF-9");
    CT_EQ_INT(d.decision.amount_fen, 9900);
    CT_EQ_STR(d.decision.reason, "promotion mode: refund-only request on an unshipped order");
    CT_EQ_INT(d.fx.ntasks, 0);
    /* agreeing a refund-only request is the refund: RF-7's request and one
     * RF-8 message (naming the owning agent) at once */
    CT_EQ_INT(d.fx.nfinance, 1);
    CT_EQ_STR(d.fx.finance[0].kind, "refund");
    CT_EQ_INT(d.fx.finance[0].amount_fen, 9900);
    CT_EQ_STR(d.fx.finance[0].agent, "小王");
    CT_EQ_INT(d.fx.nnotes, 1);
    CT_EQ_STR(fxr_param(&d.fx.notes[0], "agent"), "小王");
    /* the platform's AGREED and REFUNDED events that follow: nothing more */
    rf_case stored = {0};
    rf_event ev = fxr_event(&e, "ev-req", 1000);
    fxr_apply(&stored, &ev, &o, &s, &d);
    CT_CHECK(stored.refunded_ms != 0);
    Cs__V1__AfterSalesCase agreed = e, refunded = e;
    agreed.stage = ST(AGREED);
    refunded.stage = ST(REFUNDED);
    ev = fxr_event(&agreed, "ev-agreed", 2000);
    fxr_apply(&stored, &ev, &o, &s, &d);
    CT_EQ_INT(d.fx.nnotes, 0);
    CT_EQ_INT(d.fx.nfinance, 0);
    ev = fxr_event(&refunded, "ev-refunded", 3000);
    fxr_apply(&stored, &ev, &o, &s, &d);
    CT_EQ_INT(d.fx.nnotes, 0);
    CT_EQ_INT(d.fx.nfinance, 0);
    /* the same request (for part of the price) on a shipped order is an agent's */
    fxr_order(&o);
    e.amount_fen = 5000;
    request(&s, &o, &e, &d);
    CT_EQ_INT(d.decision.verdict, RF_VERDICT_NONE);
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_STR(d.fx.tasks[0].rule, "RF-1");
    CT_EQ_STR(d.fx.tasks[0].queue, RF_QUEUE_BACK_OFFICE);
    CT_EQ_STR(d.queue, RF_QUEUE_BACK_OFFICE);
    fxr_shop_done(&s);
}

static void test_rf9_valid_seven_day_return_agreed_invalid_one_queued(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    s.promotion_mode = true;
    rf_order o;
    fxr_order(&o); /* signed 06-04 */
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(NO_REASON_7D), ST(REQUESTED), 9900);
    e.goods_unused = true;
    e.packaging_complete = true;
    e.requested_ms = fxr_local(&s, 2024, 6, 11, 23, 59);
    rf_decision d;
    request(&s, &o, &e, &d);
    CT_EQ_INT(d.decision.verdict, RF_VERDICT_AGREE);
    CT_EQ_STR(d.decision.reason, "promotion mode: seven-day no-reason return within its window");
    e.requested_ms = fxr_local(&s, 2024, 6, 12, 0, 1); /* one minute past */
    request(&s, &o, &e, &d);
    CT_EQ_INT(d.decision.verdict, RF_VERDICT_NONE);
    const cs_task *t = fxr_task(&d, "RF-4");
    CT_CHECK(t != NULL);
    if (t) CT_EQ_STR(t->queue, RF_QUEUE_DIFFICULT);
    e.requested_ms = fxr_local(&s, 2024, 6, 6, 10, 0);
    e.goods_unused = false; /* used */
    request(&s, &o, &e, &d);
    CT_EQ_INT(d.decision.verdict, RF_VERDICT_NONE);
    fxr_shop_done(&s);
}

static void test_rf9_nothing_auto_agreed_outside_promotion_mode(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order_unshipped(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(REFUND_ONLY), FXR_R(CHANGED_MIND), ST(REQUESTED), 9900);
    rf_decision d;
    request(&s, &o, &e, &d);
    CT_EQ_INT(d.decision.verdict, RF_VERDICT_NONE);
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_CHECK(d.fx.tasks[0].queue == NULL);
    CT_EQ_STR(d.fx.tasks[0].owner, "小王");
    CT_CHECK(d.queue == NULL);
    fxr_shop_done(&s);
}

static void test_rf9_queue_table(void) {
    CT_EQ_STR(rf9_queue_for(FXR_T(REFUND_ONLY), FXR_R(NOT_RECEIVED), ST(REQUESTED)), RF_QUEUE_VERIFICATION);
    CT_EQ_STR(rf9_queue_for(FXR_T(RETURN_REFUND), FXR_R(WRONG_ITEM), ST(REQUESTED)), RF_QUEUE_VERIFICATION);
    CT_EQ_STR(rf9_queue_for(FXR_T(RESHIP), FXR_R(MISSING_ITEM), ST(REQUESTED)), RF_QUEUE_VERIFICATION);
    CT_EQ_STR(rf9_queue_for(FXR_T(RETURN_REFUND), FXR_R(QUALITY), ST(REQUESTED)), RF_QUEUE_DIFFICULT);
    CT_EQ_STR(rf9_queue_for(FXR_T(RETURN_REFUND), FXR_R(NO_REASON_7D), ST(REQUESTED)), RF_QUEUE_DIFFICULT);
    CT_EQ_STR(rf9_queue_for(FXR_T(RETURN_REFUND), FXR_R(QUALITY), ST(PLATFORM_INTERVENED)), RF_QUEUE_COMPLAINTS);
    CT_EQ_STR(rf9_queue_for(FXR_T(EXCHANGE), FXR_R(CHANGED_MIND), ST(REQUESTED)), RF_QUEUE_BACK_OFFICE);
    CT_EQ_STR(rf9_queue_for(FXR_T(POSTAGE_DIFFERENCE), FXR_R(OTHER), ST(REQUESTED)), RF_QUEUE_BACK_OFFICE);
    CT_EQ_STR(rf9_queue_for(FXR_T(UNSPECIFIED), FXR_R(UNSPECIFIED), ST(UNSPECIFIED)), RF_QUEUE_BACK_OFFICE);
}

static void test_rf9_every_request_task_goes_to_the_cases_queue(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    s.promotion_mode = true;
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(QUALITY), ST(REQUESTED), 9900);
    rf_decision d;
    request(&s, &o, &e, &d); /* no photo: RF-5 and RF-10 tasks */
    CT_EQ_INT(d.fx.ntasks, 2);
    for (int i = 0; i < d.fx.ntasks; i++) CT_EQ_STR(d.fx.tasks[i].queue, RF_QUEUE_DIFFICULT);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rf9_refund_only_on_unshipped_order_agreed_at_once),
        CT_CASE(test_rf9_valid_seven_day_return_agreed_invalid_one_queued),
        CT_CASE(test_rf9_nothing_auto_agreed_outside_promotion_mode), CT_CASE(test_rf9_queue_table),
        CT_CASE(test_rf9_every_request_task_goes_to_the_cases_queue))
