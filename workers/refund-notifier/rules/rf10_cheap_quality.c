/* rf10_cheap_quality.c -- RF-10: a quality complaint on an item under 30
 * CNY: propose a partial refund or a similar gift with the next order
 * instead of a return; 30 CNY and up: a return or an exchange.
 *
 * Handbook: 000 6月第一周 #6 ("30元以下的商品质量问题, 建议部分退款或下次购物送
 * 同类小礼品, 不必退货; 30元以上退换货").
 *
 * Why it is built this way: integer fen against the shop's cheap_item_fen
 * (3000), strictly less: 2 999 fen is cheap, 3 000 is not. The price is
 * the item's (the unit price of the case's SKU on the order), not the
 * case's amount, which may already be a partial refund; an order without
 * that line falls back to the amount asked. The remedy is a proposal: a
 * task for the owner (rf_case.c), recorded on the decision for RF-12's
 * cost summary. */
#include "rf_rules.h"

#include <string.h>

/* RF-10 */
rf_remedy rf10_remedy(int64_t item_fen, const cs_shop *shop) {
    return item_fen < shop->th.cheap_item_fen ? RF_REMEDY_PARTIAL_OR_GIFT : RF_REMEDY_RETURN_OR_EXCHANGE;
}

/* RF-10 */
int64_t rf10_item_fen(const rf_case *c, const rf_order *o) {
    if (c->sku && c->sku[0] && o)
        for (size_t i = 0; i < o->nlines; i++) {
            const Cs__V1__OrderLine *l = o->lines[i];
            if (l && l->sku && strcmp(l->sku, c->sku) == 0) return l->unit_price_fen;
        }
    return c->amount_fen;
}
