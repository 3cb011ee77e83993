/* ex08_cancellation.c -- EX-8: any cancelled order or line is registered
 * the same day with its reason; its stock is returned; finance is asked
 * to refund.
 *
 * Handbook: 000 §2 #9 ("某个产品取消,或整张单取消的必须当天在售后登记的取消订单里
 * 做好登记,以便后期在网店管家里取消订单和财务退款做依据,取消订单的产品,做入库
 * 登记").
 *
 * Why it is built this way: the registry row is written by the worker in
 * the transaction that consumes the cancellation, so it is dated the local
 * day the event is handled, the same day by construction. The units to
 * return are listed from the order's lines (all of them, or those named by
 * line id) for the warehouse's 入库登记; the stock counters themselves are
 * the order-verifier's (it releases a cancelled order's reservation under
 * its stock row locks, OV-8), so nothing here writes them twice. The
 * refund asked of finance is the amount the platform reports
 * (Cancellation.refund_fen) when it gives one; else, for a whole order,
 * what was paid; else the value of the cancelled lines when the order was
 * paid. An unpaid order (cash on delivery not yet collected) has nothing
 * to refund and gets no request. One refund is asked once: a platform
 * often reports a refund twice, as an after-sales case that reached
 * REFUNDED (the refund-notifier's RF-7 request) and as the order's close
 * (Taobao's RefundSuccess then TradeClose; Shopify's refunds/create and
 * orders/cancelled). What RF-7 already asked for the order is therefore
 * taken off: never more than what was paid less that, and without a known
 * payment, the amount less that. Both workers hold the order's advisory
 * lock ("<shop>:<order>") while they decide, so whichever comes second
 * reads the first's request. A line id the state no longer has (the
 * verifier may already have dropped it) is registered without units. A
 * whole-order cancellation also closes the order's open exception: there
 * is nothing left to work. */
#include "ex_rules.h"

#include <cjson/cJSON.h>

#include <string.h>

/* Adds a line's units (merged per SKU: two lines of one SKU are one
 * registry entry). */
static void addStock(ex_decision *d, const Cs__V1__OrderLine *l) {
    if (!l->sku || !l->sku[0] || l->quantity <= 0) return;
    for (int i = 0; i < d->nstock; i++)
        if (strcmp(d->stock[i].sku, l->sku) == 0) {
            d->stock[i].quantity += l->quantity;
            return;
        }
    if (d->nstock < EX_MAX_STOCK) d->stock[d->nstock++] = (ex_stock_line){l->sku, l->quantity};
}

/* EX-8 */
void ex8_cancellation(const Cs__V1__Cancellation *c, const Cs__V1__OrderState *st, const ex_order *o,
                      const ex_exception *x, int64_t refunded_fen, const cs_shop *shop, ex_decision *d) {
    (void)shop;
    const Cs__V1__Order *ord = st ? st->order : NULL;
    bool whole = c->n_line_ids == 0;
    int64_t lines_value = 0;
    if (ord) {
        for (size_t i = 0; i < ord->n_lines; i++) {
            const Cs__V1__OrderLine *l = ord->lines[i];
            bool named = whole;
            for (size_t k = 0; !named && k < c->n_line_ids; k++)
                named = l->line_id && strcmp(l->line_id, c->line_ids[k]) == 0;
            if (!named) continue;
            addStock(d, l);
            if (l->quantity > 0 && l->unit_price_fen > 0) lines_value += (int64_t)l->quantity * l->unit_price_fen;
        }
    }
    int64_t refund = 0;
    if (c->refund_fen > 0)
        refund = c->refund_fen;
    else if (o->paid_ms)
        refund = whole ? o->paid_fen : (lines_value < o->paid_fen ? lines_value : o->paid_fen);
    if (refunded_fen > 0) { /* RF-7 paid part or all of it already */
        int64_t left = o->paid_ms ? o->paid_fen - refunded_fen : refund - refunded_fen;
        if (refund > left) refund = left;
    }
    if (refund > 0)
        cs_fx_finance(&d->fx, "refund", "EX-8", refund, "%s cancelled: %s", whole ? "order" : "lines",
                      c->reason && c->reason[0] ? c->reason : "no reason given");
    if (whole && x->exists && x->open) ex_close(d, "order cancelled");
    d->plan_rule = "EX-8";
}

char *ex8_stock_json(const ex_decision *d) {
    cJSON *stock = cJSON_CreateArray();
    for (int i = 0; i < d->nstock; i++) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "sku", d->stock[i].sku);
        cJSON_AddNumberToObject(l, "quantity", d->stock[i].quantity);
        cJSON_AddItemToArray(stock, l);
    }
    char *json = cJSON_PrintUnformatted(stock);
    cJSON_Delete(stock);
    return json;
}
