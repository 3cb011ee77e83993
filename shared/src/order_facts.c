/* order_facts.c -- the order facts from the verifier's merged state (see
 * order_facts.h). Pure. */
#include "cs/order_facts.h"

#include <string.h>

static const char *nonEmpty(const char *s) { return s && s[0] ? s : NULL; }

void cs_order_facts_from_state(cs_order_facts *o, const Cs__V1__OrderState *st, const char *order_id) {
    memset(o, 0, sizeof *o);
    o->order_id = order_id;
    if (!st || !st->order) return;
    const Cs__V1__Order *ord = st->order;
    o->known = st->created;
    if (nonEmpty(ord->order_id)) o->order_id = ord->order_id;
    o->buyer_id = nonEmpty(ord->buyer_id);
    if (ord->receiver) {
        o->phone = nonEmpty(ord->receiver->phone);
        o->receiver_name = nonEmpty(ord->receiver->name);
        o->address = ord->receiver->address;
    }
    o->channel = ord->channel;
    o->payment_method = ord->payment_method;
    o->cod = ord->cod || ord->payment_method == CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD;
    o->created_ms = ord->created_ms;
    o->paid_ms = ord->paid_ms;
    o->paid_fen = ord->paid_ms ? ord->paid_amount_fen : 0;
    for (size_t i = 0; i < ord->n_lines; i++) {
        const Cs__V1__OrderLine *l = ord->lines[i];
        if (l->presale && l->presale_ship_date_ms > o->presale_ship_ms) o->presale_ship_ms = l->presale_ship_date_ms;
    }
    o->lines = ord->lines;
    o->nlines = ord->n_lines;
    o->shipped_ms = st->shipped_ms;
    o->signed_ms = st->signed_ms;
    o->cancelled_ms = st->cancelled_ms;
    o->closed_ms = st->closed_ms;
}

Cs__V1__Channel cs_order_channel(const cs_order_facts *o, const cs_shop *shop) {
    if (o && o->channel != CS__V1__CHANNEL__CHANNEL_UNSPECIFIED) return o->channel;
    switch (shop->channel) {
        case CS_CHANNEL_TMALL: return CS__V1__CHANNEL__CHANNEL_TMALL;
        case CS_CHANNEL_OWN_SITE: return CS__V1__CHANNEL__CHANNEL_OWN_SITE;
        default: return CS__V1__CHANNEL__CHANNEL_TAOBAO;
    }
}

int64_t cs_order_committed_ms(const cs_order_facts *o) {
    if (o->paid_ms) return o->paid_ms;
    return o->cod ? o->created_ms : 0;
}

int64_t cs_order_sku_quantity(const Cs__V1__Order *o, const char *sku) {
    int64_t q = 0;
    for (size_t i = 0; o && i < o->n_lines; i++)
        if (o->lines[i]->sku && strcmp(o->lines[i]->sku, sku) == 0 && o->lines[i]->quantity > 0)
            q += o->lines[i]->quantity;
    return q;
}
