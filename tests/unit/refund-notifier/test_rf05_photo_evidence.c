/* test_rf05_photo_evidence.c -- RF-5: a quality claim needs a photo before
 * it is agreed; a full refund without return needs a photo of the item
 * made unusable; a request without them becomes a task asking for them. */
#include "rf_fixtures.h"

#define ST FXR_ST

static void test_rf5_quality_claim_needs_a_photo(void) {
    rf_order o;
    fxr_order(&o);
    rf_case c = {.exists = true, .type = FXR_T(RETURN_REFUND), .reason = FXR_R(QUALITY), .amount_fen = 9900};
    char why[128];
    CT_CHECK(!rf5_evidence_ok(&c, &o, why, sizeof why));
    CT_EQ_STR(why, "a quality claim needs a photo of the fault");
    c.has_photo = true;
    CT_CHECK(rf5_evidence_ok(&c, &o, why, sizeof why));
    /* not a quality claim: no photo needed */
    c = (rf_case){.exists = true, .type = FXR_T(RETURN_REFUND), .reason = FXR_R(CHANGED_MIND), .amount_fen = 9900};
    CT_CHECK(rf5_evidence_ok(&c, &o, NULL, 0));
}

static void test_rf5_full_refund_without_return_needs_unusable_photo(void) {
    rf_order o;
    fxr_order(&o); /* signed, paid 9900 */
    rf_case c = {
        .exists = true, .type = FXR_T(REFUND_ONLY), .reason = FXR_R(QUALITY), .amount_fen = 9900, .has_photo = true};
    char why[128];
    CT_CHECK(!rf5_evidence_ok(&c, &o, why, sizeof why));
    CT_EQ_STR(why, "a full refund without return needs a photo of the item made unusable");
    c.item_unusable_photo = true;
    CT_CHECK(rf5_evidence_ok(&c, &o, why, sizeof why));
    /* a partial refund without return: the ordinary photo suffices */
    c.item_unusable_photo = false;
    c.amount_fen = 9899;
    CT_CHECK(rf5_evidence_ok(&c, &o, why, sizeof why));
    /* no amount on the request: the whole order, a full refund */
    c.amount_fen = 0;
    CT_CHECK(!rf5_evidence_ok(&c, &o, why, sizeof why));
    /* an unshipped order: nothing left the warehouse, nothing to photograph */
    fxr_order_unshipped(&o);
    c.reason = FXR_R(CHANGED_MIND);
    c.amount_fen = 9900;
    CT_CHECK(rf5_evidence_ok(&c, &o, why, sizeof why));
}

static void test_rf5_request_without_photo_asks_for_it(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(QUALITY), ST(REQUESTED), 9900);
    rf_event ev = fxr_event(&e, "a", 1000);
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &ev, &o, &s, &d);
    const cs_task *t = fxr_task(&d, "RF-5");
    CT_CHECK(t != NULL);
    if (t) {
        CT_CHECK(strstr(t->summary, "needs a photo of the fault: ask the buyer") != NULL);
        CT_EQ_STR(t->owner, "小王");
    }
    /* with the photo, no such task */
    e.has_photo = true;
    rf_case c2 = {0};
    fxr_apply(&c2, &ev, &o, &s, &d);
    CT_CHECK(fxr_task(&d, "RF-5") == NULL);
    CT_CHECK(c2.has_photo);
    fxr_shop_done(&s);
}

static void test_rf5_no_auto_agreement_without_the_photo(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    s.promotion_mode = true;
    rf_order o;
    fxr_order_unshipped(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(REFUND_ONLY), FXR_R(QUALITY), ST(REQUESTED), 9900);
    rf_event ev = fxr_event(&e, "a", 1000);
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(d.decision.verdict, RF_VERDICT_NONE);
    CT_CHECK(fxr_task(&d, "RF-5") != NULL);
    e.has_photo = true;
    rf_case c2 = {0};
    fxr_apply(&c2, &ev, &o, &s, &d);
    CT_EQ_INT(d.decision.verdict, RF_VERDICT_AGREE);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rf5_quality_claim_needs_a_photo),
        CT_CASE(test_rf5_full_refund_without_return_needs_unusable_photo),
        CT_CASE(test_rf5_request_without_photo_asks_for_it), CT_CASE(test_rf5_no_auto_agreement_without_the_photo))
