/* test_ov02_amount.c -- OV-2: payable = items - discounts + shipping; a paid
 * order whose paid amount differs by even 1 fen is AMOUNT_MISMATCH. */
#include <stdint.h>

#include "ov_fixtures.h"

static void check_amount(const Cs__V1__Order *o, ov_decision *d) {
    ov_decision_init(d);
    CT_CHECK(ov1_check_lines(o, d));
    ov2_check_amount(o, d);
}

static void test_ov2_payable_is_items_minus_discounts_plus_shipping(void) {
    fx_order f;
    fx_order_init(&f);
    fx_add_discount(&f, 300); /* two discounts: 5.00 + 3.00 */
    f.o.paid_amount_fen = 2 * 1990 - 500 - 300 + 1000;
    ov_decision d;
    check_amount(&f.o, &d);
    CT_EQ_INT(d.payable_fen, 4180);
    CT_EQ_INT(d.nreasons, 0);
}

static void test_ov2_exact_payment_passes(void) {
    fx_order f;
    fx_order_init(&f);
    ov_decision d;
    check_amount(&f.o, &d);
    CT_EQ_INT(d.payable_fen, 4480);
    CT_EQ_INT(fx_count_code(&d, OV_AMOUNT_MISMATCH), 0);
    CT_EQ_INT(ov12_state_of(&d), CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
}

static void test_ov2_amount_mismatch_by_one_fen(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.paid_amount_fen = 4479;
    ov_decision d;
    check_amount(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_AMOUNT_MISMATCH), 1);
    CT_CHECK(fx_detail_has(fx_reason(&d, OV_AMOUNT_MISMATCH), "paid 4479 fen, payable 4480 fen"));
    CT_EQ_INT(ov12_state_of(&d), CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION);
}

static void test_ov2_overpaid_by_one_fen_is_mismatch(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.paid_amount_fen = 4481;
    ov_decision d;
    check_amount(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_AMOUNT_MISMATCH), 1);
}

static void test_ov2_shipping_fee_counts_to_the_fen(void) {
    /* paid the goods but not the postage (the handbook's 补邮费 case) */
    fx_order f;
    fx_order_init(&f);
    f.o.paid_amount_fen = 4480 - 1000;
    ov_decision d;
    check_amount(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_AMOUNT_MISMATCH), 1);
}

static void test_ov2_unpaid_order_not_compared(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.paid_ms = 0;
    f.o.paid_amount_fen = 0;
    ov_decision d;
    check_amount(&f.o, &d);
    CT_EQ_INT(d.payable_fen, 4480);
    CT_EQ_INT(d.nreasons, 0);
}

static void test_ov2_negative_discount_is_impossible_amount(void) {
    fx_order f;
    fx_order_init(&f);
    f.disc[0].amount_fen = -500;
    f.o.paid_amount_fen = 5480;
    ov_decision d;
    check_amount(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_AMOUNT_MISMATCH), 1);
    CT_EQ_INT(d.payable_fen, 0);
}

static void test_ov2_negative_shipping_is_impossible_amount(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.shipping_fee_fen = -1;
    ov_decision d;
    check_amount(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_AMOUNT_MISMATCH), 1);
}

static void test_ov2_discounts_above_items_is_mismatch(void) {
    fx_order f;
    fx_order_init(&f);
    f.disc[0].amount_fen = 6000; /* 39.80 + 10.00 - 60.00 < 0 */
    f.o.paid_amount_fen = 0;
    ov_decision d;
    check_amount(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_AMOUNT_MISMATCH), 1);
}

static void test_ov2_overflowing_amounts_are_mismatch_not_ub(void) {
    fx_order f;
    fx_order_init(&f);
    f.line[0].quantity = 1;
    f.line[0].unit_price_fen = INT64_MAX - 10;
    f.o.n_discounts = 0;
    f.o.shipping_fee_fen = 1000; /* items + shipping overflows */
    ov_decision d;
    check_amount(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_AMOUNT_MISMATCH), 1);
    CT_CHECK(fx_detail_has(fx_reason(&d, OV_AMOUNT_MISMATCH), "overflows"));

    fx_order_init(&f);
    f.disc[0].amount_fen = INT64_MAX;
    fx_add_discount(&f, INT64_MAX); /* the discounts' own sum overflows */
    check_amount(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_AMOUNT_MISMATCH), 1);
}

CT_MAIN(CT_CASE(test_ov2_payable_is_items_minus_discounts_plus_shipping), CT_CASE(test_ov2_exact_payment_passes),
        CT_CASE(test_ov2_amount_mismatch_by_one_fen), CT_CASE(test_ov2_overpaid_by_one_fen_is_mismatch),
        CT_CASE(test_ov2_shipping_fee_counts_to_the_fen), CT_CASE(test_ov2_unpaid_order_not_compared),
        CT_CASE(test_ov2_negative_discount_is_impossible_amount),
        CT_CASE(test_ov2_negative_shipping_is_impossible_amount), CT_CASE(test_ov2_discounts_above_items_is_mismatch),
        CT_CASE(test_ov2_overflowing_amounts_are_mismatch_not_ub))
