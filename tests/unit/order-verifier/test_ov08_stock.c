/* test_ov08_stock.c -- OV-8: stock is reserved per line on payment;
 * quantities of one SKU add up; not enough = OUT_OF_STOCK with the restock
 * date when known; an order that already holds stock swaps its
 * reservation when its lines change; two orders never both take the last
 * unit. */
#include "ov_fixtures.h"

static void run(const Cs__V1__Order *o, const ov_state *st, ov_decision *d) {
    ov_decision_init(d);
    ov8_check_stock(o, st, d);
}

static void test_ov8_enough_stock_reserves(void) {
    fx_order f;
    fx_order_init(&f);
    ov_stock stock[] = {{.sku = "SKU-A", .available = 10, .known = true}};
    ov_state st = {.stock = stock, .nstock = 1};
    ov_decision d;
    run(&f.o, &st, &d);
    CT_EQ_INT(d.nreasons, 0);
    CT_CHECK(d.reserve_stock);
    CT_CHECK(!d.release_stock);
}

static void test_ov8_exactly_enough_is_enough(void) {
    fx_order f;
    fx_order_init(&f); /* 2 x SKU-A */
    ov_stock stock[] = {{.sku = "SKU-A", .available = 2, .known = true}};
    ov_state st = {.stock = stock, .nstock = 1};
    ov_decision d;
    run(&f.o, &st, &d);
    CT_EQ_INT(d.nreasons, 0);
    CT_CHECK(d.reserve_stock);
}

static void test_ov8_quantities_of_one_sku_add_up(void) {
    fx_order f;
    fx_order_init(&f);                       /* L1: 2 x SKU-A */
    fx_add_line(&f, "L2", "SKU-A", 2, 1990); /* L2: 2 more */
    ov_stock stock[] = {{.sku = "SKU-A", .available = 3, .known = true}};
    ov_state st = {.stock = stock, .nstock = 1};
    ov_decision d;
    run(&f.o, &st, &d);
    CT_EQ_INT(fx_count_code(&d, OV_OUT_OF_STOCK), 1);
    CT_EQ_STR(fx_reason(&d, OV_OUT_OF_STOCK)->detail, "SKU-A: need 4, available 3");
    CT_CHECK(!d.reserve_stock);
    CT_EQ_INT(ov12_state_of(&d), CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION);
}

static void test_ov8_out_of_stock_carries_latest_restock_date(void) {
    fx_order f;
    fx_order_init(&f);
    fx_add_line(&f, "L2", "SKU-B", 1, 500);
    fx_add_line(&f, "L3", "SKU-C", 1, 500);
    ov_stock stock[] = {
        {.sku = "SKU-A", .available = 0, .known = true, .restock_date_ms = 2000},
        {.sku = "SKU-B", .available = 0, .known = true, .restock_date_ms = 3000},
        {.sku = "SKU-C", .available = 5, .known = true, .restock_date_ms = 9000},
    };
    ov_state st = {.stock = stock, .nstock = 3};
    ov_decision d;
    run(&f.o, &st, &d);
    CT_EQ_INT(fx_count_code(&d, OV_OUT_OF_STOCK), 1);
    CT_EQ_INT(d.restock_date_ms, 3000); /* SKU-C is not short: its date does not count */
    const ov_reason *r = fx_reason(&d, OV_OUT_OF_STOCK);
    CT_CHECK(fx_detail_has(r, "SKU-A") && fx_detail_has(r, "SKU-B") && !fx_detail_has(r, "SKU-C"));
}

static void test_ov8_unknown_restock_date_of_any_short_sku_is_unknown(void) {
    fx_order f;
    fx_order_init(&f);
    fx_add_line(&f, "L2", "SKU-B", 1, 500);
    ov_stock stock[] = {
        {.sku = "SKU-A", .available = 0, .known = true, .restock_date_ms = 2000},
        {.sku = "SKU-B", .available = 0, .known = true, .restock_date_ms = 0},
    };
    ov_state st = {.stock = stock, .nstock = 2};
    ov_decision d;
    run(&f.o, &st, &d);
    CT_EQ_INT(d.restock_date_ms, 0);
}

static void test_ov8_sku_without_inventory_row_is_out_of_stock(void) {
    fx_order f;
    fx_order_init(&f);
    ov_state st = {0};
    ov_decision d;
    run(&f.o, &st, &d);
    CT_EQ_INT(fx_count_code(&d, OV_OUT_OF_STOCK), 1);
    CT_EQ_INT(d.restock_date_ms, 0);
    ov_stock stock[] = {{.sku = "SKU-A", .available = 99, .known = false}};
    st.stock = stock;
    st.nstock = 1;
    run(&f.o, &st, &d);
    CT_EQ_INT(fx_count_code(&d, OV_OUT_OF_STOCK), 1);
}

static void test_ov8_unpaid_order_takes_no_stock(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.paid_ms = 0;
    ov_state st = {0}; /* even with no stock at all: no reason either */
    ov_decision d;
    run(&f.o, &st, &d);
    CT_EQ_INT(d.nreasons, 0);
    CT_CHECK(!d.reserve_stock);
}

static void test_ov8_cod_order_reserves_without_payment(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.paid_ms = 0;
    f.o.cod = 1;
    ov_stock stock[] = {{.sku = "SKU-A", .available = 2, .known = true}};
    ov_state st = {.stock = stock, .nstock = 1};
    ov_decision d;
    run(&f.o, &st, &d);
    CT_CHECK(d.reserve_stock);
}

static void test_ov8_already_reserved_same_lines_takes_nothing_more(void) {
    fx_order f;
    fx_order_init(&f);
    ov_stock stock[] = {{.sku = "SKU-A", .available = 0, .known = true, .held_by_order = 2}};
    ov_state st = {.stock = stock, .nstock = 1, .stock_reserved = true};
    ov_decision d;
    run(&f.o, &st, &d);
    CT_EQ_INT(d.nreasons, 0); /* its own units count for it: not out of stock */
    CT_CHECK(!d.reserve_stock);
    CT_CHECK(!d.release_stock);
}

static void test_ov8_lines_changed_swaps_the_reservation(void) {
    /* held 1, the buyer now wants 2; 1 more is free: give back, take anew */
    fx_order f;
    fx_order_init(&f);
    ov_stock stock[] = {{.sku = "SKU-A", .available = 1, .known = true, .held_by_order = 1}};
    ov_state st = {.stock = stock, .nstock = 1, .stock_reserved = true};
    ov_decision d;
    run(&f.o, &st, &d);
    CT_EQ_INT(d.nreasons, 0);
    CT_CHECK(d.release_stock);
    CT_CHECK(d.reserve_stock);
}

static void test_ov8_sku_dropped_from_lines_swaps_the_reservation(void) {
    fx_order f;
    fx_order_init(&f);
    ov_stock stock[] = {{.sku = "SKU-A", .available = 0, .known = true, .held_by_order = 2},
                        {.sku = "SKU-B", .available = 4, .known = true, .held_by_order = 1}};
    ov_state st = {.stock = stock, .nstock = 2, .stock_reserved = true};
    ov_decision d;
    run(&f.o, &st, &d);
    CT_CHECK(d.release_stock && d.reserve_stock);
}

static void test_ov8_lines_changed_beyond_stock_keeps_the_reservation(void) {
    fx_order f;
    fx_order_init(&f);
    f.line[0].quantity = 3;
    ov_stock stock[] = {{.sku = "SKU-A", .available = 1, .known = true, .held_by_order = 1}};
    ov_state st = {.stock = stock, .nstock = 1, .stock_reserved = true};
    ov_decision d;
    run(&f.o, &st, &d);
    CT_EQ_STR(fx_reason(&d, OV_OUT_OF_STOCK)->detail, "SKU-A: need 3, available 2");
    CT_CHECK(!d.release_stock);
    CT_CHECK(!d.reserve_stock);
}

static void test_ov8_reserved_without_holdings_never_takes_twice(void) {
    /* the worker knows the order holds stock but did not say what: it is
     * taken to hold what it needs */
    fx_order f;
    fx_order_init(&f);
    ov_stock stock[] = {{.sku = "SKU-A", .available = 0, .known = true}};
    ov_state st = {.stock = stock, .nstock = 1, .stock_reserved = true};
    ov_decision d;
    run(&f.o, &st, &d);
    CT_CHECK(!d.reserve_stock);
    CT_CHECK(!d.release_stock);
}

static void test_ov8_two_orders_cannot_both_take_the_last_unit(void) {
    /* the worker verifies one order after the other inside the batch
     * transaction that locked the row, applying each reservation */
    fx_order a, b;
    fx_order_init(&a);
    fx_order_init(&b);
    a.line[0].quantity = 1;
    b.line[0].quantity = 1;
    b.o.order_id = FX_S("O2");
    ov_stock row = {.sku = "SKU-A", .available = 1, .known = true};
    ov_state st = {.stock = &row, .nstock = 1};
    ov_decision d;
    run(&a.o, &st, &d);
    CT_CHECK(d.reserve_stock);
    if (d.reserve_stock) row.available -= 1; /* what the worker does */
    run(&b.o, &st, &d);
    CT_CHECK(!d.reserve_stock);
    CT_EQ_INT(fx_count_code(&d, OV_OUT_OF_STOCK), 1);
}

CT_MAIN(CT_CASE(test_ov8_enough_stock_reserves), CT_CASE(test_ov8_exactly_enough_is_enough),
        CT_CASE(test_ov8_quantities_of_one_sku_add_up), CT_CASE(test_ov8_out_of_stock_carries_latest_restock_date),
        CT_CASE(test_ov8_unknown_restock_date_of_any_short_sku_is_unknown),
        CT_CASE(test_ov8_sku_without_inventory_row_is_out_of_stock), CT_CASE(test_ov8_unpaid_order_takes_no_stock),
        CT_CASE(test_ov8_cod_order_reserves_without_payment),
        CT_CASE(test_ov8_already_reserved_same_lines_takes_nothing_more),
        CT_CASE(test_ov8_lines_changed_swaps_the_reservation),
        CT_CASE(test_ov8_sku_dropped_from_lines_swaps_the_reservation),
        CT_CASE(test_ov8_lines_changed_beyond_stock_keeps_the_reservation),
        CT_CASE(test_ov8_reserved_without_holdings_never_takes_twice),
        CT_CASE(test_ov8_two_orders_cannot_both_take_the_last_unit))
