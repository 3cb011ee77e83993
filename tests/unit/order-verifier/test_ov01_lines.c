/* test_ov01_lines.c -- OV-1: every line has SKU, title, quantity >= 1 and
 * unit price >= 0; item total = sum(qty x unit price). */
#include <stdint.h>

#include "ov_fixtures.h"

static void test_ov1_item_total_sums_quantity_times_price(void) {
    fx_order f;
    fx_order_init(&f);
    fx_add_line(&f, "L2", "SKU-B", 3, 500);
    ov_decision d;
    ov_decision_init(&d);
    CT_CHECK(ov1_check_lines(&f.o, &d));
    CT_EQ_INT(d.item_total_fen, 2 * 1990 + 3 * 500);
    CT_EQ_INT(d.nreasons, 0);
}

static void test_ov1_zero_quantity_is_line_invalid(void) {
    fx_order f;
    fx_order_init(&f);
    f.line[0].quantity = 0;
    ov_decision d;
    ov_decision_init(&d);
    CT_CHECK(!ov1_check_lines(&f.o, &d));
    CT_EQ_INT(fx_count_code(&d, OV_LINE_INVALID), 1);
    CT_CHECK(fx_detail_has(fx_reason(&d, OV_LINE_INVALID), "L1: quantity 0"));
    CT_EQ_INT(ov12_state_of(&d), CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION);
}

static void test_ov1_quantity_one_is_valid(void) {
    fx_order f;
    fx_order_init(&f);
    f.line[0].quantity = 1;
    ov_decision d;
    ov_decision_init(&d);
    CT_CHECK(ov1_check_lines(&f.o, &d));
    CT_EQ_INT(d.item_total_fen, 1990);
}

static void test_ov1_missing_sku_and_title_named_in_one_reason(void) {
    fx_order f;
    fx_order_init(&f);
    f.line[0].sku = FX_S("  ");
    Cs__V1__OrderLine *l2 = fx_add_line(&f, "L2", "SKU-B", 1, 100);
    l2->title = FX_S("\xE3\x80\x80"); /* an ideographic space only */
    ov_decision d;
    ov_decision_init(&d);
    CT_CHECK(!ov1_check_lines(&f.o, &d));
    CT_EQ_INT(fx_count_code(&d, OV_LINE_INVALID), 1);
    const ov_reason *r = fx_reason(&d, OV_LINE_INVALID);
    CT_CHECK(fx_detail_has(r, "L1: no SKU"));
    CT_CHECK(fx_detail_has(r, "L2: no title"));
    CT_EQ_STR(r->rule, "OV-1");
    CT_EQ_INT(d.item_total_fen, 0);
}

static void test_ov1_negative_price_is_line_invalid(void) {
    fx_order f;
    fx_order_init(&f);
    f.line[0].unit_price_fen = -1;
    ov_decision d;
    ov_decision_init(&d);
    CT_CHECK(!ov1_check_lines(&f.o, &d));
    CT_CHECK(fx_detail_has(fx_reason(&d, OV_LINE_INVALID), "unit price -1 fen"));
}

static void test_ov1_zero_price_is_valid(void) {
    fx_order f;
    fx_order_init(&f);
    fx_add_line(&f, "L2", "GIFT-1", 1, 0);
    ov_decision d;
    ov_decision_init(&d);
    CT_CHECK(ov1_check_lines(&f.o, &d));
    CT_EQ_INT(d.item_total_fen, 3980);
}

static void test_ov1_no_lines_is_line_invalid(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.n_lines = 0;
    ov_decision d;
    ov_decision_init(&d);
    CT_CHECK(!ov1_check_lines(&f.o, &d));
    CT_EQ_INT(fx_count_code(&d, OV_LINE_INVALID), 1);
}

static void test_ov1_total_overflow_is_line_invalid_not_ub(void) {
    fx_order f;
    fx_order_init(&f);
    f.line[0].quantity = INT32_MAX;
    f.line[0].unit_price_fen = INT64_MAX / 2;
    ov_decision d;
    ov_decision_init(&d);
    CT_CHECK(!ov1_check_lines(&f.o, &d));
    CT_CHECK(fx_detail_has(fx_reason(&d, OV_LINE_INVALID), "overflows"));

    /* two lines each representable whose sum is not */
    fx_order_init(&f);
    f.line[0].quantity = 1;
    f.line[0].unit_price_fen = INT64_MAX;
    fx_add_line(&f, "L2", "SKU-B", 1, 1);
    ov_decision_init(&d);
    CT_CHECK(!ov1_check_lines(&f.o, &d));
    CT_EQ_INT(fx_count_code(&d, OV_LINE_INVALID), 1);
}

CT_MAIN(CT_CASE(test_ov1_item_total_sums_quantity_times_price), CT_CASE(test_ov1_zero_quantity_is_line_invalid),
        CT_CASE(test_ov1_quantity_one_is_valid), CT_CASE(test_ov1_missing_sku_and_title_named_in_one_reason),
        CT_CASE(test_ov1_negative_price_is_line_invalid), CT_CASE(test_ov1_zero_price_is_valid),
        CT_CASE(test_ov1_no_lines_is_line_invalid), CT_CASE(test_ov1_total_overflow_is_line_invalid_not_ub))
