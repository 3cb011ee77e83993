/* test_rf10_cheap_quality.c -- RF-10: a quality complaint on an item
 * strictly under 30.00 CNY gets a partial refund or gift proposal, 30.00
 * and up a return or exchange; the price is the item's on the order. */
#include "rf_fixtures.h"

#define ST FXR_ST

static void test_rf10_29_99_against_30_00_cny(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    CT_EQ_INT(rf10_remedy(2999, &s), RF_REMEDY_PARTIAL_OR_GIFT);
    CT_EQ_INT(rf10_remedy(3000, &s), RF_REMEDY_RETURN_OR_EXCHANGE);
    CT_EQ_INT(rf10_remedy(3001, &s), RF_REMEDY_RETURN_OR_EXCHANGE);
    CT_EQ_INT(rf10_remedy(0, &s), RF_REMEDY_PARTIAL_OR_GIFT);
    s.th.cheap_item_fen = 5000;
    CT_EQ_INT(rf10_remedy(4999, &s), RF_REMEDY_PARTIAL_OR_GIFT);
    fxr_shop_done(&s);
}

static void test_rf10_price_is_the_items_on_the_order(void) {
    rf_order o;
    fxr_order(&o); /* SKU-A at 99.00 */
    rf_case c = {.exists = true, .sku = "SKU-A", .amount_fen = 1000};
    CT_EQ_INT(rf10_item_fen(&c, &o), 9900); /* a partial refund asked does not make the item cheap */
    c.sku = "SKU-B";
    CT_EQ_INT(rf10_item_fen(&c, &o), 1000); /* not on the order: the amount asked */
    c.sku = NULL;
    CT_EQ_INT(rf10_item_fen(&c, &o), 1000);
}

static void test_rf10_quality_request_gets_the_proposal_task(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    fxr_line_a.unit_price_fen = 2999;
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(QUALITY), ST(REQUESTED), 2999);
    e.has_photo = true;
    rf_event ev = fxr_event(&e, "a", 1000);
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(d.remedy, RF_REMEDY_PARTIAL_OR_GIFT);
    const cs_task *t = fxr_task(&d, "RF-10");
    CT_CHECK(t != NULL);
    if (t) CT_CHECK(strstr(t->summary, "item of 29.99 CNY: propose a partial refund or a similar gift") != NULL);
    fxr_line_a.unit_price_fen = 3000;
    rf_case c2 = {0};
    fxr_apply(&c2, &ev, &o, &s, &d);
    CT_EQ_INT(d.remedy, RF_REMEDY_RETURN_OR_EXCHANGE);
    t = fxr_task(&d, "RF-10");
    CT_CHECK(t != NULL);
    if (t) CT_CHECK(strstr(t->summary, "item of 30.00 CNY: propose a return or an exchange") != NULL);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rf10_29_99_against_30_00_cny), CT_CASE(test_rf10_price_is_the_items_on_the_order),
        CT_CASE(test_rf10_quality_request_gets_the_proposal_task))
