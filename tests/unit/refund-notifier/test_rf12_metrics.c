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

/* A stored case for the counts: refunded at refunded (0 = not), requested
 * at requested, disputed at intervened (0 = not). */
static rf_case storedCase(const char *order, Cs__V1__CaseType type, Cs__V1__CaseReason reason, int64_t requested,
                          int64_t refunded, int64_t intervened) {
    return (rf_case){.exists = true,
                     .case_id = order,
                     .order_id = order,
                     .type = type,
                     .reason = reason,
                     .stage = refunded ? FXR_ST(REFUNDED) : FXR_ST(REQUESTED),
                     .registered_ms = requested,
                     .requested_ms = requested,
                     .refunded_ms = refunded,
                     .intervened_ms = intervened};
}

static void test_rf12_counts_cases_by_the_instants_they_record(void) {
    const int64_t W0 = 100 * FXR_DAY, W1 = 130 * FXR_DAY; /* the window [W0, W1) */
    rf_case cs[] = {
        /* refund-only, refunded in the window after 2 h and 4 h */
        storedCase("O1", FXR_T(REFUND_ONLY), FXR_R(QUALITY), W0 + FXR_DAY, W0 + FXR_DAY + 2 * FXR_HOUR, 0),
        storedCase("O2", FXR_T(REFUND_ONLY), FXR_R(CHANGED_MIND), W0 - FXR_HOUR, W0 + 3 * FXR_HOUR, 0),
        /* return and refund, 3 days; disputed before the refund: the seller's */
        storedCase("O3", FXR_T(RETURN_REFUND), FXR_R(QUALITY), W0 + FXR_DAY, W0 + 4 * FXR_DAY, W0 + 2 * FXR_DAY),
        /* a second quality case of O1: still one order */
        storedCase("O1", FXR_T(EXCHANGE), FXR_R(QUALITY), W0 + 2 * FXR_DAY, 0, 0),
        /* refunded exactly at the window's end: outside (half-open) */
        storedCase("O4", FXR_T(REFUND_ONLY), FXR_R(QUALITY), W0 - 2 * FXR_DAY, W1, 0),
        /* disputed but never refunded: not a dispute refund */
        storedCase("O5", FXR_T(RETURN_REFUND), FXR_R(WRONG_ITEM), W0 + FXR_DAY, 0, W0 + 2 * FXR_DAY),
        /* an exchange for a quality fault alone: no refund asked, not counted */
        storedCase("O6", FXR_T(EXCHANGE), FXR_R(QUALITY), W0 + FXR_DAY, 0, 0),
    };
    rf12_counts k = {0};
    rf12_count_cases(cs, sizeof cs / sizeof cs[0], W0, W1, &k);
    CT_EQ_INT(k.quality_refund_orders, 2); /* O1 and O3; O4 asked before the window, O6 an exchange */
    CT_EQ_INT(k.refund_only_done, 2);
    CT_EQ_INT(k.refund_only_total_ms, 2 * FXR_HOUR + 4 * FXR_HOUR);
    CT_EQ_INT(k.return_refund_done, 1);
    CT_EQ_INT(k.return_refund_total_ms, 3 * FXR_DAY);
    CT_EQ_INT(k.seller_dispute_refunds, 1);
    CT_EQ_INT(k.closed_orders, 0); /* the orders' counts are the caller's */
    k.closed_orders = 40;
    k.paid_orders = 50;
    rf12_metrics m;
    rf12_compute(&k, &m);
    CT_EQ_INT(m.product_experience_refund_bp, 500); /* 2 / 40 */
    CT_EQ_INT(m.refund_only_mean_ms, 3 * FXR_HOUR);
    CT_EQ_INT(m.dispute_refund_bp, 200); /* 1 / 50 */
}

static void test_rf12_cost_summary_counts_what_the_case_recorded_in_the_week(void) {
    const int64_t W0 = 200 * FXR_DAY, W1 = 207 * FXR_DAY;
    rf12_cost k = {0};
    /* a quality return refunded in the week: 99.00 refund + 10.00 postage */
    rf_case a = storedCase("A", FXR_T(RETURN_REFUND), FXR_R(QUALITY), W0 - FXR_DAY, W0 + FXR_DAY, 0);
    a.refund_fen = 9900;
    a.amount_fen = 10900;
    a.postage_fen = 1000;
    a.postage_ms = W0 + FXR_DAY;
    rf12_cost_add_case(&a, W0, W1, &k);
    /* RF-10 partial refund of 5.00 on a cheap item */
    rf_case b = storedCase("B", FXR_T(REFUND_ONLY), FXR_R(QUALITY), W0, W0 + 2 * FXR_DAY, 0);
    b.refund_fen = 500;
    b.remedy = RF_REMEDY_PARTIAL_OR_GIFT;
    rf12_cost_add_case(&b, W0, W1, &k);
    /* RF-10 closed in the week with nothing refunded: a gift */
    rf_case g = storedCase("G", FXR_T(REFUND_ONLY), FXR_R(QUALITY), W0, 0, 0);
    g.remedy = RF_REMEDY_PARTIAL_OR_GIFT;
    g.stage = FXR_ST(CLOSED);
    g.last_event_ms = W0 + 3 * FXR_DAY;
    rf12_cost_add_case(&g, W0, W1, &k);
    /* stored before refund_fen existed: the case's amount */
    rf_case old = storedCase("OLD", FXR_T(REFUND_ONLY), FXR_R(CHANGED_MIND), W0, W0 + FXR_HOUR, 0);
    old.amount_fen = 1234;
    rf12_cost_add_case(&old, W0, W1, &k);
    /* refunded the week before: nothing */
    rf_case before = storedCase("P", FXR_T(REFUND_ONLY), FXR_R(QUALITY), W0 - 3 * FXR_DAY, W0 - 1, 0);
    before.refund_fen = 7777;
    rf12_cost_add_case(&before, W0, W1, &k);
    CT_EQ_INT(k.refunds, 3);
    CT_EQ_INT(k.refunds_fen, 9900 + 500 + 1234);
    CT_EQ_INT(k.postage, 1);
    CT_EQ_INT(k.postage_fen, 1000);
    CT_EQ_INT(k.partial_refunds, 1);
    CT_EQ_INT(k.partial_refund_fen, 500);
    CT_EQ_INT(k.gifts, 1);
    CT_EQ_INT(k.compensations, 0);
}

static void test_rf12_case_records_refund_postage_and_remedy(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    fxr_line_a.unit_price_fen = 1500; /* under cheap_item_fen (30.00) */
    /* a quality complaint on a cheap item: RF-10's proposal is kept */
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(REFUND_ONLY), FXR_R(QUALITY), FXR_ST(REQUESTED), 1500);
    e.has_photo = true;
    rf_case c = {0};
    rf_decision d;
    rf_event ev = fxr_event(&e, "a", 1000);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(c.remedy, RF_REMEDY_PARTIAL_OR_GIFT);
    e.stage = FXR_ST(REFUNDED);
    ev = fxr_event(&e, "b", 5000);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(c.refunded_ms, 5000);
    CT_EQ_INT(c.refund_fen, 1500);
    CT_EQ_INT(c.remedy, RF_REMEDY_PARTIAL_OR_GIFT);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rf12_rates_and_means_rounded_half_up), CT_CASE(test_rf12_empty_window_gives_zero),
        CT_CASE(test_rf12_summary_week_ends_on_the_last_saturday),
        CT_CASE(test_rf12_counts_cases_by_the_instants_they_record),
        CT_CASE(test_rf12_cost_summary_counts_what_the_case_recorded_in_the_week),
        CT_CASE(test_rf12_case_records_refund_postage_and_remedy))
