/* test_ov11_quality.c -- OV-11: 2+ quality cases for a SKU in 30 days put
 * TEST_BEFORE_SHIPPING on every new line of it; 3+ also list it for
 * delisting (once per SKU). Thresholds and window are shop settings. */
#include "ov_fixtures.h"

static void run(const Cs__V1__Order *o, int cases, const cs_shop *s, ov_decision *d) {
    ov_quality_count q = {.sku = "SKU-A", .cases = cases};
    ov_state st = {.quality = &q, .nquality = 1};
    ov_decision_init(d);
    ov11_quality_watch(o, &st, s, d);
}

static void test_ov11_one_case_flags_nothing(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    ov_decision d;
    run(&f.o, 1, &s, &d);
    CT_EQ_INT(d.nannotations, 0);
    fx_shop_done(&s);
}

static void test_ov11_two_cases_test_before_shipping_on_each_line(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    fx_add_line(&f, "L2", "SKU-B", 1, 100);
    fx_add_line(&f, "L3", "SKU-A", 1, 1990);
    ov_decision d;
    run(&f.o, 2, &s, &d);
    CT_EQ_INT(fx_count_annotation(&d, OV_TEST_BEFORE_SHIPPING), 2);
    CT_EQ_STR(d.annotations[0].line_id, "L1");
    CT_EQ_STR(d.annotations[1].line_id, "L3");
    CT_EQ_INT(fx_count_annotation(&d, OV_DELIST_CANDIDATE), 0);
    CT_EQ_INT(d.nreasons, 0); /* it does not stop the order */
    fx_shop_done(&s);
}

static void test_ov11_three_cases_delist_candidate_once_per_sku(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    fx_add_line(&f, "L2", "SKU-A", 1, 1990);
    ov_decision d;
    run(&f.o, 3, &s, &d);
    CT_EQ_INT(fx_count_annotation(&d, OV_TEST_BEFORE_SHIPPING), 2);
    CT_EQ_INT(fx_count_annotation(&d, OV_DELIST_CANDIDATE), 1);
    fx_shop_done(&s);
}

static void test_ov11_thresholds_are_shop_settings(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    s.th.quality_test_cases = 4;
    s.th.quality_delist_cases = 6;
    fx_order f;
    fx_order_init(&f);
    ov_decision d;
    run(&f.o, 3, &s, &d);
    CT_EQ_INT(d.nannotations, 0);
    run(&f.o, 4, &s, &d);
    CT_EQ_INT(fx_count_annotation(&d, OV_TEST_BEFORE_SHIPPING), 1);
    CT_EQ_INT(fx_count_annotation(&d, OV_DELIST_CANDIDATE), 0);
    fx_shop_done(&s);
}

static void test_ov11_window_starts_30_days_back(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    CT_EQ_INT(ov11_window_start_ms(&s, FX_CREATED_MS), FX_CREATED_MS - 30 * FX_DAY);
    s.th.quality_window_days = 7;
    CT_EQ_INT(ov11_window_start_ms(&s, FX_CREATED_MS), FX_CREATED_MS - 7 * FX_DAY);
    fx_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ov11_one_case_flags_nothing), CT_CASE(test_ov11_two_cases_test_before_shipping_on_each_line),
        CT_CASE(test_ov11_three_cases_delist_candidate_once_per_sku), CT_CASE(test_ov11_thresholds_are_shop_settings),
        CT_CASE(test_ov11_window_starts_30_days_back))
