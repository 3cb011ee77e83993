/* test_rf13_not_received.c -- RF-13: "not received" by logistics state:
 * signed -> guide to confirm receipt; refused or stuck -> agreed at once;
 * in transit -> confirm on arrival; the buyer wants to return -> the
 * return address and freight insurance. */
#include "rf_fixtures.h"

#define ST FXR_ST

static void test_rf13_action_by_logistics_state(void) {
    CT_EQ_INT(rf13_action(FXR_L(SIGNED), false), RF_NR_GUIDE_CONFIRM);
    CT_EQ_INT(rf13_action(FXR_L(REFUSED), false), RF_NR_AGREE);
    CT_EQ_INT(rf13_action(FXR_L(STUCK), false), RF_NR_AGREE);
    CT_EQ_INT(rf13_action(FXR_L(IN_TRANSIT), false), RF_NR_CONFIRM_ON_ARRIVAL);
    CT_EQ_INT(rf13_action(FXR_L(IN_TRANSIT), true), RF_NR_RETURN_ADDRESS);
    CT_EQ_INT(rf13_action(FXR_L(SIGNED), true), RF_NR_RETURN_ADDRESS);
    CT_EQ_INT(rf13_action(FXR_L(STUCK), true), RF_NR_AGREE); /* it comes back anyway */
    CT_EQ_INT(rf13_action(FXR_L(NOT_SHIPPED), false), RF_NR_NONE);
    CT_EQ_INT(rf13_action(FXR_L(UNSPECIFIED), false), RF_NR_NONE);
}

static void nr(const cs_shop *s, const rf_order *o, Cs__V1__LogisticsState l, bool wants, rf_decision *d) {
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(REFUND_ONLY), FXR_R(NOT_RECEIVED), ST(REQUESTED), 9900);
    e.logistics = l;
    e.buyer_wants_return = wants;
    rf_event ev = fxr_event(&e, "a", 1000);
    rf_case c = {0};
    fxr_apply(&c, &ev, o, s, d);
}

static void test_rf13_refused_or_stuck_agreed_at_once(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    o.signed_ms = 0;
    rf_decision d;
    nr(&s, &o, FXR_L(STUCK), false, &d);
    CT_EQ_INT(d.not_received, RF_NR_AGREE);
    CT_EQ_INT(d.decision.verdict, RF_VERDICT_AGREE);
    CT_EQ_STR(d.decision.rule, "RF-13");
    CT_EQ_INT(d.decision.amount_fen, 9900);
    CT_EQ_INT(d.fx.ntasks, 0);
    CT_EQ_INT(d.fx.nnotes, 0);
    fxr_shop_done(&s);
}

static void test_rf13_signed_or_in_transit_messages_the_buyer(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    rf_decision d;
    nr(&s, &o, FXR_L(SIGNED), false, &d);
    CT_EQ_INT(d.not_received, RF_NR_GUIDE_CONFIRM);
    CT_EQ_INT(d.decision.verdict, RF_VERDICT_NONE);
    CT_EQ_INT(d.fx.nnotes, 1);
    CT_EQ_STR(d.fx.notes[0].template_id, RF_TPL_NR_SIGNED);
    CT_EQ_STR(d.fx.notes[0].rule, "RF-13");
    CT_EQ_STR(fxr_param(&d.fx.notes[0], "agent"), "小王");
    nr(&s, &o, FXR_L(IN_TRANSIT), false, &d);
    CT_EQ_INT(d.not_received, RF_NR_CONFIRM_ON_ARRIVAL);
    CT_EQ_INT(d.fx.nnotes, 1);
    CT_EQ_STR(d.fx.notes[0].template_id, RF_TPL_NR_TRANSIT);
    fxr_shop_done(&s);
}

static void test_rf13_wants_to_return_gets_address_and_insurance(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    s.promotion_mode = true;
    rf_order o;
    fxr_order(&o);
    rf_decision d;
    nr(&s, &o, FXR_L(IN_TRANSIT), true, &d);
    CT_EQ_INT(d.not_received, RF_NR_RETURN_ADDRESS);
    const cs_task *t = fxr_task(&d, "RF-13");
    CT_CHECK(t != NULL);
    if (t) {
        CT_CHECK(strstr(t->summary, "send the return address") != NULL);
        CT_CHECK(strstr(t->summary, "freight insurance") != NULL);
        CT_EQ_STR(t->queue, RF_QUEUE_VERIFICATION); /* promotion mode: its queue */
    }
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rf13_action_by_logistics_state), CT_CASE(test_rf13_refused_or_stuck_agreed_at_once),
        CT_CASE(test_rf13_signed_or_in_transit_messages_the_buyer),
        CT_CASE(test_rf13_wants_to_return_gets_address_and_insurance))
