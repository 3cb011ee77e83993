/* rv03_remedy.c -- RV-3: the remedy an agent proposes on a follow-up
 * contact, by the item's price: under 30 CNY a partial refund or a gift
 * with the next order; 30 CNY and up, or a difficult buyer, return or
 * exchange.
 *
 * Handbook: 000 6月第一周 #6 ("30元以内的产品,看下产品有没有必要退回更换,如可以
 * 给客户适当退点款,或者和客户说下次订购产品时再给送他一个相类似的产品,30元以上
 * 客户和不好处理的客户,可建议客户退回,更换产品").
 *
 * Why it is built this way: the threshold is the shop's cheap_item_fen
 * (3000, shared with RF-10), compared in integer fen and strictly: 2999
 * fen is under 30 CNY, 3000 is not. A buyer is difficult only when an
 * agent says so (a contact event marks the case); the rule never infers
 * it. An unknown price (0 or less) is not treated as cheap: the safe
 * proposal is the one that brings the item back. The remedy is a
 * proposal in the contact task's summary, not a refund: any money moves
 * through the after-sales flow (refund-notifier) once the buyer agrees. */
#include "rv_rules.h"

/* RV-3 */
rv_remedy rv3_remedy(const rv_case *c, const cs_shop *shop) {
    if (!c || !c->exists) return RV_REMEDY_NONE;
    if (c->difficult) return RV_REMEDY_RETURN_OR_EXCHANGE;
    if (c->item_price_fen > 0 && c->item_price_fen < shop->th.cheap_item_fen) return RV_REMEDY_PARTIAL_REFUND_OR_GIFT;
    return RV_REMEDY_RETURN_OR_EXCHANGE;
}

const char *rv3_remedy_text(rv_remedy r) {
    switch (r) {
        case RV_REMEDY_PARTIAL_REFUND_OR_GIFT: return "offer a partial refund or a similar gift with the next order";
        case RV_REMEDY_RETURN_OR_EXCHANGE: return "offer a return or an exchange";
        default: return "no remedy";
    }
}

/* RV-3 */
bool rv3_mark_difficult(const rv_case *c, rv_decision *d) {
    if (!c || !c->exists || c->state != RV_STATE_OPEN || c->difficult) return false;
    d->difficult = true;
    d->rule = "RV-3";
    return true;
}
