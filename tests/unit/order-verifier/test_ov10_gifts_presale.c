/* test_ov10_gifts_presale.c -- OV-10: gift lines (price 0 or flagged) are
 * annotated; a presale line without a promised ship date is
 * PRESALE_DATE_MISSING. */
#include "ov_fixtures.h"

static void run(const Cs__V1__Order *o, ov_decision *d) {
    ov_decision_init(d);
    ov10_check_gifts_presale(o, d);
}

static void test_ov10_zero_price_line_is_annotated_as_gift(void) {
    fx_order f;
    fx_order_init(&f);
    fx_add_line(&f, "L2", "FILM-1", 1, 0);
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(d.nreasons, 0);
    CT_EQ_INT(fx_count_annotation(&d, OV_GIFT_LINE), 1);
    CT_EQ_STR(fx_annotation(&d, OV_GIFT_LINE)->line_id, "L2");
    CT_EQ_STR(fx_annotation(&d, OV_GIFT_LINE)->rule, "OV-10");
}

static void test_ov10_flagged_gift_with_a_price_is_annotated(void) {
    /* 在其它产品里扣了钱的赠品: priced but flagged */
    fx_order f;
    fx_order_init(&f);
    f.line[0].gift = 1;
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(fx_count_annotation(&d, OV_GIFT_LINE), 1);
    CT_EQ_STR(fx_annotation(&d, OV_GIFT_LINE)->line_id, "L1");
}

static void test_ov10_ordinary_lines_are_not_gifts(void) {
    fx_order f;
    fx_order_init(&f);
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(d.nannotations + d.nreasons, 0);
}

static void test_ov10_presale_without_ship_date_is_exception(void) {
    fx_order f;
    fx_order_init(&f);
    f.line[0].presale = 1;
    Cs__V1__OrderLine *l2 = fx_add_line(&f, "L2", "SKU-P", 1, 100);
    l2->presale = 1;
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_PRESALE_DATE_MISSING), 1);
    const ov_reason *r = fx_reason(&d, OV_PRESALE_DATE_MISSING);
    CT_CHECK(fx_detail_has(r, "L1 (SKU-A)") && fx_detail_has(r, "L2 (SKU-P)"));
    CT_EQ_INT(ov12_state_of(&d), CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION);
}

static void test_ov10_presale_with_ship_date_passes(void) {
    fx_order f;
    fx_order_init(&f);
    f.line[0].presale = 1;
    f.line[0].presale_ship_date_ms = FX_CREATED_MS + 10 * FX_DAY;
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(d.nreasons, 0);
}

CT_MAIN(CT_CASE(test_ov10_zero_price_line_is_annotated_as_gift),
        CT_CASE(test_ov10_flagged_gift_with_a_price_is_annotated), CT_CASE(test_ov10_ordinary_lines_are_not_gifts),
        CT_CASE(test_ov10_presale_without_ship_date_is_exception), CT_CASE(test_ov10_presale_with_ship_date_passes))
