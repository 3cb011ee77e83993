/* rf12_metrics.c -- RF-12: rolling 30-day metrics: product-experience
 * refund rate = quality-reason refunds / closed orders; refund-only
 * completion time = mean(request to refund); return-and-refund completion
 * time (same); dispute refund rate = seller-responsible disputed refunds /
 * paid orders. Weekly (Saturday) after-sales cost summary.
 *
 * Handbook: 004 (商品体验退款率, 仅退款自主完结时长, 退货退款自主完结时长, 纠纷
 * 退款率), 000 管理 1.6, 末 1.
 *
 * Why it is built this way: the inputs are the stored cases (their
 * protobuf documents, which SQL cannot read) and the verifier's orders, so
 * `cscli report weekly` reads them from PostgreSQL and these functions do
 * the counting and the arithmetic, each tested once (docs/aftersales.md
 * "RF-12"). The counts: a case is counted by the instants it records
 * (request, refund, intervention, RF-3's decision), never by when it was
 * last saved; the cost of a case is what the worker recorded when it
 * decided (refund_fen, postage_fen, remedy), not recomputed. The
 * arithmetic: rates in basis points and means in ms, integer division
 * rounded half up, a zero denominator giving 0 rather than a division
 * fault. The window is 30 x 24 h back from now, half-open. The summary's
 * week runs Sunday 00:00 to the midnight ending Saturday, local: the
 * latest such week that is over, so a summary made on Saturday evening is
 * of the week before (Saturday is not over) and one made on Sunday
 * morning is of the week that just ended. */
#include "rf_rules.h"

#include <stdlib.h>
#include <string.h>

#include "cs/tz.h"

#define T(x) CS__V1__CASE_TYPE__CASE_TYPE_##x

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

static bool within(int64_t ms, int64_t start_ms, int64_t end_ms) { return ms > 0 && ms >= start_ms && ms < end_ms; }

static int64_t requestedAt(const rf_case *c) { return c->requested_ms ? c->requested_ms : c->registered_ms; }

static int byOrder(const void *a, const void *b) {
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return strcmp(x, y);
}

/* RF-12 */
void rf12_count_cases(const rf_case *cases, size_t n, int64_t start_ms, int64_t end_ms, rf12_counts *k) {
    const char **orders = calloc(n ? n : 1, sizeof *orders);
    if (!orders) abort(); /* out of memory */
    size_t nq = 0;
    for (size_t i = 0; i < n; i++) {
        const rf_case *c = &cases[i];
        if (!c->exists) continue;
        /* "申请退款原因为质量问题的订单数": refund requests (refund only, return
         * and refund), not exchanges or repairs with a quality reason */
        if (c->reason == CS__V1__CASE_REASON__CASE_REASON_QUALITY &&
            (c->type == T(REFUND_ONLY) || c->type == T(RETURN_REFUND)) && within(requestedAt(c), start_ms, end_ms))
            orders[nq++] = c->order_id ? c->order_id : "";
        if (!within(c->refunded_ms, start_ms, end_ms)) continue;
        int64_t took = c->refunded_ms - requestedAt(c);
        if (took < 0) took = 0; /* a request time after the refund: bad data, not a negative mean */
        if (c->type == T(REFUND_ONLY)) {
            k->refund_only_done++;
            k->refund_only_total_ms += took;
        } else if (c->type == T(RETURN_REFUND)) {
            k->return_refund_done++;
            k->return_refund_total_ms += took;
        }
        if (c->intervened_ms && c->refunded_ms >= c->intervened_ms) k->seller_dispute_refunds++;
    }
    /* two cases of one order are one order */
    qsort(orders, nq, sizeof *orders, byOrder);
    for (size_t i = 0; i < nq; i++)
        if (i == 0 || strcmp(orders[i], orders[i - 1]) != 0) k->quality_refund_orders++;
    free(orders);
}

/* RF-12 */
void rf12_cost_add_case(const rf_case *c, int64_t start_ms, int64_t end_ms, rf12_cost *k) {
    if (!c->exists) return;
    bool cheap = c->remedy == RF_REMEDY_PARTIAL_OR_GIFT;
    if (within(c->refunded_ms, start_ms, end_ms)) {
        /* cases stored before refund_fen existed: the case's amount */
        int64_t fen = c->refund_fen ? c->refund_fen : c->amount_fen;
        k->refunds++;
        k->refunds_fen += fen;
        if (cheap) {
            k->partial_refunds++;
            k->partial_refund_fen += fen;
        }
    }
    if (c->postage_fen > 0 && within(c->postage_ms, start_ms, end_ms)) {
        k->postage++;
        k->postage_fen += c->postage_fen;
    }
    if (cheap && !c->refunded_ms && c->stage == CS__V1__CASE_STAGE__CASE_STAGE_CLOSED &&
        within(c->last_event_ms, start_ms, end_ms))
        k->gifts++;
}
