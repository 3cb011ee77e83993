/* ov02_amount.c -- OV-2: payable amount, and a paid order must have paid
 * exactly that.
 *
 * Handbook: 001 §03 支付状态与金额确认 ("核对实付金额与商品总价、优惠券抵扣、
 * 运费等是否匹配,防止财务纠纷").
 *
 * Why it is built this way: payable = item total (OV-1) - discounts +
 * shipping, all int64 fen, so "differs by even 1 fen" is an exact integer
 * comparison. Every step is overflow-checked; a negative discount, shipping
 * fee or paid amount, a sum that overflows, or discounts larger than what
 * they discount (a negative payable) are impossible amounts and also give
 * AMOUNT_MISMATCH, because an agent must look at such an order before it
 * ships. Only a paid order (paid_ms set) is compared: an unpaid or cash on
 * delivery order has paid nothing yet. The caller runs OV-1 first; with
 * invalid lines the item total means nothing and ov_verify() skips OV-2. */
#include "ov_rules.h"

#include <inttypes.h>

/* OV-2 */
void ov2_check_amount(const Cs__V1__Order *o, ov_decision *d) {
    int64_t discounts, payable;

    d->payable_fen = 0;
    if (!ov_discount_total(o, &discounts)) {
        ov_add_reason(d, "OV-2", OV_AMOUNT_MISMATCH, "impossible discounts (negative or overflowing)");
        return;
    }
    if (o->shipping_fee_fen < 0) {
        ov_add_reason(d, "OV-2", OV_AMOUNT_MISMATCH, "negative shipping fee %" PRId64 " fen", o->shipping_fee_fen);
        return;
    }
    if (__builtin_sub_overflow(d->item_total_fen, discounts, &payable) ||
        __builtin_add_overflow(payable, o->shipping_fee_fen, &payable)) {
        ov_add_reason(d, "OV-2", OV_AMOUNT_MISMATCH, "payable amount overflows");
        return;
    }
    if (payable < 0) {
        ov_add_reason(d, "OV-2", OV_AMOUNT_MISMATCH,
                      "discounts %" PRId64 " fen exceed items %" PRId64 " + shipping %" PRId64 " fen", discounts,
                      d->item_total_fen, o->shipping_fee_fen);
        return;
    }
    d->payable_fen = payable;
    if (o->paid_ms == 0) return; /* nothing paid yet: nothing to compare */
    if (o->paid_amount_fen != payable)
        ov_add_reason(d, "OV-2", OV_AMOUNT_MISMATCH,
                      "paid %" PRId64 " fen, payable %" PRId64 " fen (items %" PRId64 " - discounts %" PRId64
                      " + shipping %" PRId64 ")",
                      o->paid_amount_fen, payable, d->item_total_fen, discounts, o->shipping_fee_fen);
}
