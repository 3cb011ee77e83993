/* rf05_photo_evidence.c -- RF-5: a quality claim needs photo evidence
 * before it is agreed; a full refund without return needs a photo of the
 * item made unusable.
 *
 * Handbook: 000 末 #1 ("质量问题必须让买家提供照片; 不退货全额退款的, 要求买家
 * 拍下商品已剪坏、无法再使用的照片").
 *
 * Why it is built this way: the rule is a gate that the other rules ask
 * before they agree (RF-9's auto-agreement) and that a request without
 * the evidence turns into an agent task (rf_case.c): the photos come on
 * the case's events (has_photo, item_unusable_photo) and stay on the
 * stored case once seen. "Full refund without return" is a refund-only
 * case for at least what the buyer paid (or for no stated amount, which
 * means the whole order) on an order the buyer signed for:
 * a refund-only request on an unshipped order returns nothing because
 * nothing left the warehouse, and a parcel never received (RF-13) cannot
 * be photographed, so neither needs the photo. */
#include "rf_rules.h"

#include <stdio.h>

/* RF-5 */
bool rf5_evidence_ok(const rf_case *c, const rf_order *o, char *why, size_t whylen) {
    if (why && whylen) why[0] = '\0';
    if (c->reason == CS__V1__CASE_REASON__CASE_REASON_QUALITY && !c->has_photo) {
        if (why && whylen) snprintf(why, whylen, "a quality claim needs a photo of the fault");
        return false;
    }
    bool received = o && o->signed_ms > 0 && c->reason != CS__V1__CASE_REASON__CASE_REASON_NOT_RECEIVED;
    /* no amount on the request = the whole order, as RF-7 and RF-9 read it */
    bool full = o && o->paid_fen > 0 && (c->amount_fen <= 0 || c->amount_fen >= o->paid_fen);
    if (c->type == CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY && received && full && !c->item_unusable_photo) {
        if (why && whylen)
            snprintf(why, whylen, "a full refund without return needs a photo of the item made unusable");
        return false;
    }
    return true;
}
