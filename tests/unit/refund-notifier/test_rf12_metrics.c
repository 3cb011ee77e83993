/* test_rf12_metrics.c -- RF-12: the rolling 30-day rates (basis points)
 * and mean completion times, rounded half up, 0 over an empty window; the
 * Saturday summary's week in the shop's local calendar. */
#include "rf_fixtures.h"

static void test_rf12_rates_and_means_rounded_half_up(void) {
    rf12_counts c = {.quality_refund_orders = 1,
                     .closed_orders = 3,
                     .refund_only_done = 2,
                     .refund_only_total_ms = 3,
                     .return_refund_done = 3,
                     .return_refund_total_ms = 10 * FXR_HOUR,
                     .seller_dispute_refunds = 1,
                     .paid_orders = 8};
    rf12_metrics m;
    rf12_compute(&c, &m);
    CT_EQ_INT(m.product_experience_refund_bp, 3333); /* 33.333 % */
    CT_EQ_INT(m.refund_only_mean_ms, 2);             /* 1.5 -> 2 */
    CT_EQ_INT(m.return_refund_mean_ms, 12000000);    /* 3 h 20 min */
    CT_EQ_INT(m.dispute_refund_bp, 1250);            /* 12.5 % */
    c.quality_refund_orders = 2;                     /* 6666.67 -> 6667 */
    rf12_compute(&c, &m);
    CT_EQ_INT(m.product_experience_refund_bp, 6667);
}

static void test_rf12_empty_window_gives_zero(void) {
    rf12_counts c = {0};
    rf12_metrics m;
    rf12_compute(&c, &m);
    CT_EQ_INT(m.product_experience_refund_bp, 0);
    CT_EQ_INT(m.refund_only_mean_ms, 0);
    CT_EQ_INT(m.return_refund_mean_ms, 0);
    CT_EQ_INT(m.dispute_refund_bp, 0);
    CT_EQ_INT(rf12_window_start_ms(40 * FXR_DAY), 10 * FXR_DAY);
}

static void test_rf12_summary_week_ends_on_the_last_saturday(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t a, b;
    /* Sunday 2024-06-09 08:00: the week 06-02 (Sun) .. 06-08 (Sat) */
    rf12_summary_week(&s, fxr_local(&s, 2024, 6, 9, 8, 0), &a, &b);
    CT_EQ_INT(a, fxr_local(&s, 2024, 6, 2, 0, 0));
    CT_EQ_INT(b, fxr_local(&s, 2024, 6, 9, 0, 0));
    /* Saturday 06-08 23:59: that Saturday is not over, the week before */
    rf12_summary_week(&s, fxr_local(&s, 2024, 6, 8, 23, 59), &a, &b);
    CT_EQ_INT(a, fxr_local(&s, 2024, 5, 26, 0, 0));
    CT_EQ_INT(b, fxr_local(&s, 2024, 6, 2, 0, 0));
    fxr_shop_done(&s);
    /* New York across the spring change: the week is 167 h long */
    cs_shop ny;
    fxr_shop_init(&ny, "America/New_York");
    rf12_summary_week(&ny, fxr_local(&ny, 2024, 3, 17, 12, 0), &a, &b);
    CT_EQ_INT(a, fxr_local(&ny, 2024, 3, 10, 0, 0));
    CT_EQ_INT(b - a, 7 * FXR_DAY - FXR_HOUR);
    fxr_shop_done(&ny);
}

CT_MAIN(CT_CASE(test_rf12_rates_and_means_rounded_half_up), CT_CASE(test_rf12_empty_window_gives_zero),
        CT_CASE(test_rf12_summary_week_ends_on_the_last_saturday))
