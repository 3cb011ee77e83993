/* test_rf06_return_received.c -- RF-6: returned goods recorded resellable
 * (back to stock) or damaged; damaged and the supplier will not exchange
 * -> a supervisor task; the buyer is told of the receipt (RF-8). */
#include "rf_fixtures.h"

#define ST FXR_ST

static void test_rf6_resellable_goes_back_to_stock(void) {
    rf_case c = {.exists = true, .case_id = "C1", .order_id = "O1", .sku = "SKU-A", .agent = "小王"};
    rf_decision d;
    rf_decision_init(&d);
    rf6_return_received(&c, true, false, &d);
    CT_EQ_INT(d.return_condition, RF_RETURN_RESELLABLE);
    CT_CHECK(d.restock);
    CT_EQ_INT(d.fx.ntasks, 0);
    CT_CHECK(!d.escalated);
}

static void test_rf6_damaged_supplier_exchanges_needs_nobody(void) {
    rf_case c = {.exists = true, .case_id = "C1", .order_id = "O1", .sku = "SKU-A"};
    rf_decision d;
    rf_decision_init(&d);
    rf6_return_received(&c, false, true, &d);
    CT_EQ_INT(d.return_condition, RF_RETURN_DAMAGED);
    CT_CHECK(!d.restock);
    CT_EQ_INT(d.fx.ntasks, 0);
}

static void test_rf6_damaged_supplier_refuses_goes_to_supervisor(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(QUALITY), ST(BUYER_SHIPPED), 9900);
    rf_case c = {0};
    rf_decision d;
    rf_event ev = fxr_event(&e, "a", 1000);
    fxr_apply(&c, &ev, &o, &s, &d);
    e.stage = ST(RETURN_RECEIVED);
    e.resellable = false;
    ev = fxr_event(&e, "b", 2000);
    ev.supplier_exchanges = false;
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(d.return_condition, RF_RETURN_DAMAGED);
    const cs_task *t = fxr_task(&d, "RF-6");
    CT_CHECK(t != NULL);
    if (t) {
        CT_EQ_STR(t->assignee, CS_FX_SUPERVISOR);
        CT_CHECK(strstr(t->summary, "SKU-A is damaged and the supplier will not exchange it") != NULL);
    }
    CT_EQ_INT(d.fx.nnotes, 1);
    CT_EQ_STR(d.fx.notes[0].template_id, RF_TPL_RECEIVED);
    CT_EQ_STR(fxr_param(&d.fx.notes[0], "agent"), "小王");
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rf6_resellable_goes_back_to_stock), CT_CASE(test_rf6_damaged_supplier_exchanges_needs_nobody),
        CT_CASE(test_rf6_damaged_supplier_refuses_goes_to_supervisor))
