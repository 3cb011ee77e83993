/* ov14_invoice.c -- OV-14: an invoice request is answered with the invoice
 * amount: goods only (postage is never invoiced), plus 6 % for own-site
 * orders.
 *
 * Handbook: 000 6.8号周会 #1 ("开发票的细节...网站需加6%的手续费,邮费不开发票").
 *
 * Why it is built this way: goods = item total - discounts, in int64 fen
 * with overflow checks; shipping is left out by construction rather than
 * subtracted. The surcharge is own_site_invoice_tax_bp basis points,
 * rounded half up to the fen by cs_fen_percent_bp() (integer arithmetic,
 * never floating point). Own-site is the order's channel, or the shop's
 * when the order does not say. An impossible order (negative or
 * overflowing amounts) gets -1 and no note with an amount: an agent must
 * answer that one; discounts above the goods give 0, as nothing is left to
 * invoice. */
#include "ov_rules.h"

#include <string.h>

#include "cs/text.h"
#include "cs/util.h"

static bool own_site(const Cs__V1__Order *o, const cs_shop *shop) {
    if (o->channel != CS__V1__CHANNEL__CHANNEL_UNSPECIFIED) return o->channel == CS__V1__CHANNEL__CHANNEL_OWN_SITE;
    return shop && shop->channel == CS_CHANNEL_OWN_SITE;
}

/* OV-14 */
int64_t ov14_invoice_amount(const Cs__V1__Order *o, const cs_shop *shop) {
    int64_t items, discounts, goods, tax = 0;
    if (!ov_item_total(o, &items) || !ov_discount_total(o, &discounts)) return -1;
    if (__builtin_sub_overflow(items, discounts, &goods)) return -1;
    if (goods < 0) goods = 0;
    if (own_site(o, shop)) tax = cs_fen_percent_bp(goods, shop->th.own_site_invoice_tax_bp);
    if (tax < 0 || __builtin_add_overflow(goods, tax, &goods)) return -1;
    return goods;
}

/* OV-14 */
void ov14_invoice_note(const Cs__V1__Order *o, const cs_shop *shop, ov_note *note) {
    int64_t amount = ov14_invoice_amount(o, shop);
    ov_note_init(note, "OV-14", "invoice_amount", ov_shop_channel(shop), CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE);
    ov_note_param(note, "order_id", "%s", ov_str(o->order_id));
    if (amount >= 0) {
        char yuan[24];
        cs_fen_format(amount, yuan, sizeof yuan);
        ov_note_param(note, "amount", "%s", yuan);
    } else {
        note->template_id = NULL; /* nothing sensible to tell the buyer */
    }
}

ov14_wait ov14_wait_for_order(Cs__V1__OrderState *st, const char *event_id) {
    for (size_t k = 0; k < st->n_pending_invoices; k++)
        if (strcmp(st->pending_invoices[k], event_id) == 0) return OV14_ALREADY_WAITING;
    if (st->n_pending_invoices >= OV14_MAX_WAITING) return OV14_WAITING_FULL;
    st->pending_invoices =
        cs_xrealloc(st->pending_invoices, sizeof *st->pending_invoices * (st->n_pending_invoices + 1));
    st->pending_invoices[st->n_pending_invoices++] = cs_xstrdup(event_id);
    return OV14_WAIT;
}
