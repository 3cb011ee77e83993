/* ov12_merge.c -- OV-12: one state per verification by precedence, and the
 * merge of order events into the verifier's view of the order in the
 * platform's modification order.
 *
 * Handbook: 000 §2 #4 (漏抓单: the evening check of every order against the
 * platform's back office, because changes the shop missed turn into wrong
 * shipments); RULES.md OV-12 makes that continuous: every change re-runs
 * verification, and a late, older change never overwrites a newer one.
 *
 * Why it is built this way: events about one order arrive in any order and
 * any number of times (different topics, retries, a payment before its
 * creation). The order is therefore split into the field groups of
 * state.proto (CORE, LINES, FEE, PAYMENT, ADDRESS, MEMO), each remembering
 * the (modified_ms, event_id) of the event that last wrote it, and an
 * event writes a group only if it is strictly newer by that pair: time
 * first, then event id as a deterministic tie-break. So the merged state
 * is the same whatever the arrival order, and a replay (same time, same
 * id) changes nothing. A CREATED event carries the whole order and offers
 * every group, each taken only where newer: it fills what was never set
 * without undoing a newer address change that arrived first. Events before
 * CREATED are applied and kept; st->created says whether the order can be
 * verified yet. The version time is the event order's modified_ms (the
 * platform's), falling back to the envelope's event_ms when the platform
 * gave none. Lifecycle facts (shipped, signed, cancelled, closed) are not
 * groups: the first report of each is kept and repeats change nothing. A
 * cancellation of some lines only is a LINES change at its version time.
 * An event that changes the order is a new order version (st->version++).
 * One that only restates what is held (a newer event whose groups carry
 * the same values, as a Shopify orders/updated does for every group it
 * does not change) moves the groups' (modified_ms, event_id) marks but is
 * no new version: nothing changed, so there is nothing to verify again and
 * no second verdict, task or message for the same order (OV-12: one
 * verdict per order version). The test is the order's packed bytes,
 * before and after, less its modified time.
 *
 * Memory: st is a protobuf-c message owned by the caller; every string,
 * sub-message and array in it is malloc'd here (or is protobuf-c's shared
 * empty string, which free_unpacked knows not to free), so it is freed
 * completely by protobuf_c_message_free_unpacked(st, NULL) and packs and
 * unpacks like any message. Nothing in st ever points into the event. */
#include "ov_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/util.h"

/* ---- OV-12 precedence ------------------------------------------------------ */

/* The state a reason code asks for (UNSPECIFIED for informational codes). */
static Cs__V1__VerdictState state_for_code(const char *code) {
    static const char *const exception[] = {OV_AMOUNT_MISMATCH, OV_ADDRESS_INCOMPLETE,   OV_COURIER_UNREACHABLE,
                                            OV_OUT_OF_STOCK,    OV_PRESALE_DATE_MISSING, OV_LINE_INVALID};
    static const char *const hold[] = {OV_BUYER_MESSAGE_REVIEW, OV_DUPLICATE_SUSPECTED, OV_SHOP_HOLD};
    static const char *const finance[] = {OV_AWAITING_BUYER_PAYMENT, OV_PAID_TO_BE_VERIFIED};
    for (size_t i = 0; i < sizeof exception / sizeof *exception; i++)
        if (strcmp(code, exception[i]) == 0) return CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION;
    for (size_t i = 0; i < sizeof hold / sizeof *hold; i++)
        if (strcmp(code, hold[i]) == 0) return CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD;
    for (size_t i = 0; i < sizeof finance / sizeof *finance; i++)
        if (strcmp(code, finance[i]) == 0) return CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_FINANCE_CHECK;
    if (strcmp(code, OV_UNPAID) == 0) return CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_PAYMENT;
    return CS__V1__VERDICT_STATE__VERDICT_STATE_UNSPECIFIED;
}

/* Rank by OV-12's precedence: EXCEPTION > ON_HOLD > PENDING_FINANCE_CHECK
 * > PENDING_PAYMENT > VERIFIED. The enum's numbers are not the contract's
 * order of precedence, so it is written out. */
static int precedence(Cs__V1__VerdictState s) {
    switch (s) {
        case CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION: return 5;
        case CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD: return 4;
        case CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_FINANCE_CHECK: return 3;
        case CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_PAYMENT: return 2;
        default: return 0;
    }
}

/* OV-12 */
Cs__V1__VerdictState ov12_state_of(const ov_decision *d) {
    Cs__V1__VerdictState best = CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED;
    for (int i = 0; i < d->nreasons; i++) {
        Cs__V1__VerdictState s = state_for_code(d->reasons[i].code);
        if (precedence(s) > precedence(best)) best = s;
    }
    return best;
}

/* ---- deep copies into the state ------------------------------------------- */

/* Replaces *dst by a malloc'd copy of src ("" and NULL become protobuf-c's
 * shared empty string, which is never freed). Copies before freeing, so
 * src may alias *dst. */
static void set_str(char **dst, const char *src) {
    char *copy = (src && *src) ? cs_xstrdup(src) : (char *)protobuf_c_empty_string;
    if (*dst && *dst != protobuf_c_empty_string) free(*dst);
    *dst = copy;
}

static void free_msg(void *m) {
    if (m) protobuf_c_message_free_unpacked((ProtobufCMessage *)m, NULL);
}

static Cs__V1__Address *address_dup(const Cs__V1__Address *a) {
    Cs__V1__Address *c = cs_xmalloc(sizeof *c);
    cs__v1__address__init(c);
    set_str(&c->province, a->province);
    set_str(&c->city, a->city);
    set_str(&c->district, a->district);
    set_str(&c->street, a->street);
    set_str(&c->postcode, a->postcode);
    return c;
}

static Cs__V1__Receiver *receiver_dup(const Cs__V1__Receiver *r) {
    Cs__V1__Receiver *c = cs_xmalloc(sizeof *c);
    cs__v1__receiver__init(c);
    set_str(&c->name, r->name);
    set_str(&c->phone, r->phone);
    c->address = r->address ? address_dup(r->address) : NULL;
    return c;
}

static Cs__V1__OrderLine *line_dup(const Cs__V1__OrderLine *l) {
    Cs__V1__OrderLine *c = cs_xmalloc(sizeof *c);
    cs__v1__order_line__init(c);
    set_str(&c->line_id, l->line_id);
    set_str(&c->sku, l->sku);
    set_str(&c->title, l->title);
    c->quantity = l->quantity;
    c->unit_price_fen = l->unit_price_fen;
    c->gift = l->gift;
    c->presale = l->presale;
    c->presale_ship_date_ms = l->presale_ship_date_ms;
    return c;
}

static Cs__V1__Discount *discount_dup(const Cs__V1__Discount *dc) {
    Cs__V1__Discount *c = cs_xmalloc(sizeof *c);
    cs__v1__discount__init(c);
    set_str(&c->kind, dc->kind);
    c->amount_fen = dc->amount_fen;
    return c;
}

static Cs__V1__Shipment *shipment_dup(const Cs__V1__Shipment *s) {
    Cs__V1__Shipment *c = cs_xmalloc(sizeof *c);
    cs__v1__shipment__init(c);
    set_str(&c->courier, s->courier);
    set_str(&c->tracking_no, s->tracking_no);
    c->shipped_ms = s->shipped_ms;
    return c;
}

static void free_lines(Cs__V1__Order *o) {
    for (size_t i = 0; i < o->n_lines; i++) free_msg(o->lines[i]);
    free(o->lines);
    o->lines = NULL;
    o->n_lines = 0;
}

static void free_discounts(Cs__V1__Order *o) {
    for (size_t i = 0; i < o->n_discounts; i++) free_msg(o->discounts[i]);
    free(o->discounts);
    o->discounts = NULL;
    o->n_discounts = 0;
}

/* ---- field groups ------------------------------------------------------------ */

static void apply_core(Cs__V1__Order *dst, const Cs__V1__Order *src) {
    if (!ov_blank(src->order_id)) set_str(&dst->order_id, src->order_id);
    set_str(&dst->buyer_id, src->buyer_id);
    dst->channel = src->channel;
    dst->created_ms = src->created_ms;
    set_str(&dst->courier, src->courier);
    dst->cod = src->cod;
    dst->on_hold = src->on_hold;
}

static void apply_lines(Cs__V1__Order *dst, const Cs__V1__Order *src) {
    free_lines(dst);
    if (src->n_lines == 0) return;
    dst->lines = cs_xmalloc(sizeof *dst->lines * src->n_lines);
    for (size_t i = 0; i < src->n_lines; i++)
        if (src->lines[i]) dst->lines[dst->n_lines++] = line_dup(src->lines[i]);
}

static void apply_fee(Cs__V1__Order *dst, const Cs__V1__Order *src) {
    free_discounts(dst);
    if (src->n_discounts > 0) {
        dst->discounts = cs_xmalloc(sizeof *dst->discounts * src->n_discounts);
        for (size_t i = 0; i < src->n_discounts; i++)
            if (src->discounts[i]) dst->discounts[dst->n_discounts++] = discount_dup(src->discounts[i]);
    }
    dst->shipping_fee_fen = src->shipping_fee_fen;
}

/* paid_fallback_ms: for a PAID event that names no payment time, the
 * version time (a PAID event means the order is paid). */
static void apply_payment(Cs__V1__Order *dst, const Cs__V1__Order *src, int64_t paid_fallback_ms) {
    /* a payment report that omits the method does not erase a known one */
    if (src->payment_method != CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_UNSPECIFIED)
        dst->payment_method = src->payment_method;
    dst->paid_amount_fen = src->paid_amount_fen;
    dst->paid_ms = src->paid_ms ? src->paid_ms : paid_fallback_ms;
}

static void apply_address(Cs__V1__Order *dst, const Cs__V1__Order *src) {
    Cs__V1__Receiver *r = src->receiver ? receiver_dup(src->receiver) : NULL;
    free_msg(dst->receiver);
    dst->receiver = r;
}

static void apply_memo(Cs__V1__Order *dst, const Cs__V1__Order *src) {
    set_str(&dst->buyer_message, src->buyer_message);
    set_str(&dst->seller_memo, src->seller_memo);
    dst->gift_wrap = src->gift_wrap;
    set_str(&dst->delivery_window, src->delivery_window);
    dst->installation = src->installation;
}

/* Removes the lines named by a partial cancellation. */
static void cancel_lines(Cs__V1__Order *o, const Cs__V1__Cancellation *c) {
    size_t keep = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        bool gone = false;
        for (size_t j = 0; j < c->n_line_ids && !gone; j++)
            gone = c->line_ids[j] && strcmp(ov_str(o->lines[i]->line_id), c->line_ids[j]) == 0;
        if (gone)
            free_msg(o->lines[i]);
        else
            o->lines[keep++] = o->lines[i];
    }
    o->n_lines = keep;
}

/* ---- versions ------------------------------------------------------------ */

static Cs__V1__GroupVersion *group_version(const Cs__V1__OrderState *st, Cs__V1__OrderGroup g) {
    for (size_t i = 0; i < st->n_versions; i++)
        if (st->versions[i] && st->versions[i]->group == g) return st->versions[i];
    return NULL;
}

/* OV-12: strictly newer by (modified_ms, event_id); a group never written
 * is older than anything. */
static bool is_newer(const Cs__V1__OrderState *st, Cs__V1__OrderGroup g, int64_t t, const char *id) {
    const Cs__V1__GroupVersion *gv = group_version(st, g);
    if (!gv) return true;
    if (t != gv->modified_ms) return t > gv->modified_ms;
    return strcmp(id, ov_str(gv->event_id)) > 0;
}

static void record_version(Cs__V1__OrderState *st, Cs__V1__OrderGroup g, int64_t t, const char *id) {
    Cs__V1__GroupVersion *gv = group_version(st, g);
    if (!gv) {
        gv = cs_xmalloc(sizeof *gv);
        cs__v1__group_version__init(gv);
        gv->group = g;
        st->versions = cs_xrealloc(st->versions, sizeof *st->versions * (st->n_versions + 1));
        st->versions[st->n_versions++] = gv;
    }
    gv->modified_ms = t;
    set_str(&gv->event_id, id);
}

typedef void (*group_apply_fn)(Cs__V1__Order *dst, const Cs__V1__Order *src);

/* Applies one group of src if the event is newer for it; true if it did. */
static bool offer_group(Cs__V1__OrderState *st, Cs__V1__OrderGroup g, group_apply_fn fn, const Cs__V1__Order *src,
                        int64_t t, const char *id) {
    if (!is_newer(st, g, t, id)) return false;
    fn(st->order, src);
    record_version(st, g, t, id);
    return true;
}

static bool offer_payment(Cs__V1__OrderState *st, const Cs__V1__Order *src, int64_t t, const char *id,
                          int64_t paid_fallback_ms) {
    if (!is_newer(st, CS__V1__ORDER_GROUP__ORDER_GROUP_PAYMENT, t, id)) return false;
    apply_payment(st->order, src, paid_fallback_ms);
    record_version(st, CS__V1__ORDER_GROUP__ORDER_GROUP_PAYMENT, t, id);
    return true;
}

/* ---- the state ---------------------------------------------------------------- */

Cs__V1__OrderState *cs_order_state_new(void) {
    Cs__V1__OrderState *st = cs_xmalloc(sizeof *st);
    cs__v1__order_state__init(st);
    st->order = cs_xmalloc(sizeof *st->order);
    cs__v1__order__init(st->order);
    return st;
}

void cs_order_state_free(Cs__V1__OrderState *st) {
    if (st) protobuf_c_message_free_unpacked(&st->base, NULL);
}

static int fail(char *errbuf, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *errbuf, size_t errlen, const char *fmt, ...) {
    if (errbuf && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The order's packed bytes without its modified time (malloc'd): equal
 * bytes before and after an event mean it restated what was held. */
static uint8_t *orderBytes(Cs__V1__Order *o, size_t *len) {
    int64_t m = o->modified_ms;
    o->modified_ms = 0;
    *len = protobuf_c_message_get_packed_size(&o->base);
    uint8_t *b = cs_xmalloc(*len ? *len : 1);
    protobuf_c_message_pack(&o->base, b);
    o->modified_ms = m;
    return b;
}

/* OV-12 */
int ov12_apply_event(Cs__V1__OrderState *st, const Cs__V1__OrderEvent *ev, const char *event_id, int64_t event_ms,
                     char *errbuf, size_t errlen) {
    if (!st || !ev) return fail(errbuf, errlen, "no state or no event");
    const Cs__V1__Order *o = ev->order;
    const char *id = ov_str(event_id);
    int64_t t = (o && o->modified_ms) ? o->modified_ms : event_ms;
    Cs__V1__OrderEventKind kind = ev->kind;

    /* refuse what cannot apply before touching st */
    switch (kind) {
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED:
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID:
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_FEE_CHANGED:
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED:
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_LINES_CHANGED:
            if (!o) return fail(errbuf, errlen, "order event kind %d without its order", (int)kind);
            break;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED:
            if (!o || !o->receiver) return fail(errbuf, errlen, "ADDRESS_CHANGED event without order.receiver");
            break;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED:
            if (!ev->shipment) return fail(errbuf, errlen, "SHIPPED event without shipment");
            break;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SIGNED:
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED:
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED: break;
        default: return fail(errbuf, errlen, "unknown order event kind %d", (int)kind);
    }

    if (!st->order) {
        st->order = cs_xmalloc(sizeof *st->order);
        cs__v1__order__init(st->order);
    }
    bool changed = false, offered = false; /* offered: a group was newer and written */
    size_t before_len = 0;
    uint8_t *before = NULL;
    if (kind >= CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED &&
        kind <= CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_LINES_CHANGED)
        before = orderBytes(st->order, &before_len);
    /* the order's identity, from whichever event names it first */
    if (o && !ov_blank(o->order_id) && ov_blank(st->order->order_id)) {
        set_str(&st->order->order_id, o->order_id);
        changed = true;
    }

    switch (kind) {
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED:
            offered |= offer_group(st, CS__V1__ORDER_GROUP__ORDER_GROUP_CORE, apply_core, o, t, id);
            offered |= offer_group(st, CS__V1__ORDER_GROUP__ORDER_GROUP_LINES, apply_lines, o, t, id);
            offered |= offer_group(st, CS__V1__ORDER_GROUP__ORDER_GROUP_FEE, apply_fee, o, t, id);
            offered |= offer_payment(st, o, t, id, 0);
            offered |= offer_group(st, CS__V1__ORDER_GROUP__ORDER_GROUP_ADDRESS, apply_address, o, t, id);
            offered |= offer_group(st, CS__V1__ORDER_GROUP__ORDER_GROUP_MEMO, apply_memo, o, t, id);
            if (!st->created) {
                st->created = true;
                changed = true;
            }
            break;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID: offered |= offer_payment(st, o, t, id, t); break;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_FEE_CHANGED:
            offered |= offer_group(st, CS__V1__ORDER_GROUP__ORDER_GROUP_FEE, apply_fee, o, t, id);
            break;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED:
            offered |= offer_group(st, CS__V1__ORDER_GROUP__ORDER_GROUP_ADDRESS, apply_address, o, t, id);
            break;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED:
            offered |= offer_group(st, CS__V1__ORDER_GROUP__ORDER_GROUP_MEMO, apply_memo, o, t, id);
            break;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_LINES_CHANGED:
            offered |= offer_group(st, CS__V1__ORDER_GROUP__ORDER_GROUP_LINES, apply_lines, o, t, id);
            break;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED:
            if (st->shipped_ms == 0) {
                Cs__V1__Shipment *s = shipment_dup(ev->shipment);
                if (s->shipped_ms == 0) s->shipped_ms = t;
                free_msg(st->shipment);
                st->shipment = s;
                st->shipped_ms = s->shipped_ms;
                changed = true;
            }
            break;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SIGNED:
            if (st->signed_ms == 0) {
                st->signed_ms = ev->signed_ms ? ev->signed_ms : t;
                changed = true;
            }
            break;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED: {
            const Cs__V1__Cancellation *c = ev->cancellation;
            if (c && c->n_line_ids > 0) {
                /* some lines only: a LINES change at this version time */
                if (is_newer(st, CS__V1__ORDER_GROUP__ORDER_GROUP_LINES, t, id)) {
                    cancel_lines(st->order, c);
                    record_version(st, CS__V1__ORDER_GROUP__ORDER_GROUP_LINES, t, id);
                    changed = true;
                }
            } else if (st->cancelled_ms == 0) {
                st->cancelled_ms = t;
                set_str(&st->cancel_reason, c ? c->reason : NULL);
                changed = true;
            }
            break;
        }
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED:
            if (st->closed_ms == 0) {
                st->closed_ms = t;
                changed = true;
            }
            break;
        default: break; /* refused above */
    }

    if (offered && !changed) { /* only groups written: a change, or a restatement? */
        size_t after_len;
        uint8_t *after = orderBytes(st->order, &after_len);
        changed = after_len != before_len || memcmp(after, before, after_len) != 0;
        free(after);
        if (!changed) {
            free(before);
            return OV12_RESTATED;
        }
    }
    free(before);
    if (!changed) return 0;
    if (t > st->order->modified_ms) st->order->modified_ms = t;
    st->version++;
    return 1;
}
