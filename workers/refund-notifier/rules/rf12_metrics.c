/* rf12_metrics.c -- RF-12: rolling 30-day metrics: product-experience
 * refund rate = quality-reason refunds / closed orders; refund-only
 * completion time = mean(request to refund); return-and-refund completion
 * time (same); dispute refund rate = seller-responsible disputed refunds /
 * paid orders. Weekly (Saturday) after-sales cost summary.
 *
 * Handbook: 004 (商品体验退款率, 仅退款自主完结时长, 退货退款自主完结时长, 纠纷
 * 退款率), 000 管理 1.6, 末 1.
 *
 * Why it is built this way: the worker counts (SQL over its cases, next
 * session) and these functions do the arithmetic, so the rounding is
 * tested once: rates in basis points and means in ms, integer division
 * rounded half up, a zero denominator giving 0 rather than a division
 * fault. The window is 30 x 24 h back from now, half-open. The summary's
 * week runs Sunday 00:00 to the midnight ending Saturday, local: the
 * latest such week that is over, so a summary made on Saturday evening is
 * of the week before (Saturday is not over) and one made on Sunday
 * morning is of the week that just ended. */
#include "rf_rules.h"

#include "cs/tz.h"

/* RF-12 */
int64_t rf12_window_start_ms(int64_t now_ms) { return now_ms - rf_days_ms(30); }

/* num / den rounded half up, for num, den >= 0; 0 when den is 0. */
static int64_t divHalfUp(int64_t num, int64_t den) {
    if (den <= 0 || num <= 0) return 0;
    return (int64_t)(((__int128)num * 2 + den) / ((__int128)den * 2));
}

/* RF-12 */
void rf12_compute(const rf12_counts *c, rf12_metrics *m) {
    m->product_experience_refund_bp = divHalfUp(c->quality_refund_orders * 10000, c->closed_orders);
    m->refund_only_mean_ms = divHalfUp(c->refund_only_total_ms, c->refund_only_done);
    m->return_refund_mean_ms = divHalfUp(c->return_refund_total_ms, c->return_refund_done);
    m->dispute_refund_bp = divHalfUp(c->seller_dispute_refunds * 10000, c->paid_orders);
}

/* RF-12 */
void rf12_summary_week(const cs_shop *shop, int64_t now_ms, int64_t *start_ms, int64_t *end_ms) {
    cs_day today = cs_tz_day(shop->tz, now_ms);
    int wd = cs_day_weekday(today);  /* 0 = Sunday .. 6 = Saturday */
    cs_day this_sunday = today - wd; /* opens this week, closes the last */
    *end_ms = cs_tz_instant(shop->tz, this_sunday, 0);
    *start_ms = cs_tz_instant(shop->tz, this_sunday - 7, 0);
}
