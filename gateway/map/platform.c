/* platform.c -- the order view per event kind, record emission and the
 * refund reason table shared by taobao.c and shopify.c (platform.h).
 *
 * Why a view per kind: the verifier merges an order field group by field
 * group (OV-12, ov12_merge.c), each group versioned by the event that last
 * wrote it, so an event must carry exactly the groups its kind names; a
 * PAID event that also carried (stale) lines would be harmless there, but
 * a reader of the topic could not tell what changed. kind_groups[] is the
 * one place that says which groups a kind carries. */
#include "platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/topics.h"
#include "cs/util.h"
#include "gw_map_internal.h"

/* ---- the context ------------------------------------------------------------------ */

gw_pf *gw_pf_new(const gw_request *rq, gw_mapped *out, gw_error *err, const char *source) {
    gw_pf *pf = cs_xcalloc(1, sizeof *pf);
    pf->rq = rq;
    pf->out = out;
    pf->source = source;
    gw_json_init(&pf->j, err, rq->shop->tz);
    cs__v1__order__init(&pf->order);
    pf->order.channel = (Cs__V1__Channel)rq->shop->channel; /* cs_channel and cs.v1.Channel share numbers */
    pf->order.lines = pf->lines;
    pf->order.discounts = pf->discounts;
    cs__v1__receiver__init(&pf->receiver);
    cs__v1__address__init(&pf->address);
    cs__v1__shipment__init(&pf->shipment);
    cs__v1__cancellation__init(&pf->cancellation);
    pf->cancellation.line_ids = pf->cancel_lines;
    return pf;
}

void gw_pf_free(gw_pf *pf) {
    if (!pf) return;
    for (size_t i = 0; i < pf->nowned; i++) free(pf->owned[i]);
    free(pf);
}

char *gw_pf_strf(gw_pf *pf, const char *fmt, ...) {
    if (pf->nowned >= GW_PF_MAX_OWNED) abort(); /* a mapping builds a handful of strings: a bug, not input */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = cs_xmalloc((size_t)(n < 0 ? 0 : n) + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
    va_end(ap);
    pf->owned[pf->nowned++] = s;
    return s;
}

const char *gw_pf_join(gw_pf *pf, const char *a, const char *sep, const char *b) {
    if (!a || !*a) return b ? b : "";
    if (!b || !*b) return a;
    return gw_pf_strf(pf, "%s%s%s", a, sep, b);
}

const char *gw_pf_first(size_t n, const char *const *candidates) {
    for (size_t i = 0; i < n; i++)
        if (candidates[i] && candidates[i][0]) return candidates[i];
    return "";
}

int gw_pf_begin(gw_pf *pf, const char *event_id, const char *field, const char *kind) {
    if (!gw_event_id_valid(event_id)) {
        gw_error *e = pf->j.err;
        snprintf(e->field, sizeof e->field, "%s", field);
        snprintf(e->reason, sizeof e->reason, "an event id is 1..%d visible ASCII characters", GW_MAX_EVENT_ID);
        return -1;
    }
    gw_mapped_begin(pf->out, event_id, kind);
    return 0;
}

int gw_pf_each(gw_pf *pf, const cJSON *obj, const char *key, gw_need need, size_t maxn, const char *what,
               gw_pf_each_fn fn, void *arg) {
    const cJSON *arr = NULL, *e;
    int rc = gw_json_array(&pf->j, obj, key, need, maxn, &arr);
    if (rc <= 0) return rc;
    if (need == GW_REQUIRED && cJSON_GetArraySize(arr) == 0)
        return gw_json_fail(&pf->j, key, "empty; at least one %s expected", what);
    size_t mark = gw_json_enter(&pf->j, key), i = 0;
    cJSON_ArrayForEach(e, arr) {
        size_t m = gw_json_enter_index(&pf->j, i++);
        if (!cJSON_IsObject(e)) return gw_json_fail(&pf->j, NULL, "not an object; a %s expected", what);
        if (fn(pf, e, arg) < 0) return -1;
        gw_json_leave(&pf->j, m);
    }
    gw_json_leave(&pf->j, mark);
    return 1;
}

Cs__V1__OrderLine *gw_pf_add_line(gw_pf *pf) {
    if (pf->order.n_lines >= GW_PF_MAX_LINES) {
        gw_json_fail(&pf->j, NULL, "more than %d lines", GW_PF_MAX_LINES);
        return NULL;
    }
    Cs__V1__OrderLine *l = &pf->line_store[pf->order.n_lines];
    cs__v1__order_line__init(l);
    pf->lines[pf->order.n_lines++] = l;
    return l;
}

void gw_pf_add_discount(gw_pf *pf, const char *kind, int64_t fen) {
    if (fen == 0) return;
    for (size_t i = 0; i < pf->order.n_discounts; i++)
        if (strcmp(pf->discounts[i]->kind, kind) == 0) {
            pf->discounts[i]->amount_fen += fen;
            return;
        }
    if (pf->order.n_discounts >= GW_PF_MAX_DISCOUNTS) abort(); /* the mappings add at most 4 kinds */
    Cs__V1__Discount *d = &pf->discount_store[pf->order.n_discounts];
    cs__v1__discount__init(d);
    d->kind = (char *)kind;
    d->amount_fen = fen;
    pf->discounts[pf->order.n_discounts++] = d;
}

Cs__V1__Receiver *gw_pf_receiver(gw_pf *pf) {
    pf->receiver.address = &pf->address;
    pf->order.receiver = &pf->receiver;
    return &pf->receiver;
}

/* ---- emitting ---------------------------------------------------------------------- */

enum {
    G_CORE = 1 << 0,
    G_LINES = 1 << 1,
    G_FEE = 1 << 2,
    G_PAYMENT = 1 << 3,
    G_ADDRESS = 1 << 4,
    G_MEMO = 1 << 5,
    G_ALL = (1 << 6) - 1,
};

/* OV-12: the field groups each order event kind carries (docs/topics.md). */
static unsigned kind_groups(Cs__V1__OrderEventKind kind) {
    switch (kind) {
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED: return G_ALL;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID: return G_PAYMENT;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_FEE_CHANGED: return G_FEE;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED: return G_ADDRESS;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED: return G_MEMO;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_LINES_CHANGED: return G_LINES;
        default: return 0; /* SHIPPED, SIGNED, CANCELLED, CLOSED: their own part only */
    }
}

/* The part of src that groups name, into v (initialised); pointers are
 * shared with src. */
static void order_view(const Cs__V1__Order *src, unsigned groups, Cs__V1__Order *v) {
    v->order_id = src->order_id;
    v->modified_ms = src->modified_ms;
    if (groups & G_CORE) {
        v->buyer_id = src->buyer_id;
        v->channel = src->channel;
        v->created_ms = src->created_ms;
        v->courier = src->courier;
        v->cod = src->cod;
        v->on_hold = src->on_hold;
    }
    if (groups & G_LINES) {
        v->n_lines = src->n_lines;
        v->lines = src->lines;
    }
    if (groups & G_FEE) {
        v->n_discounts = src->n_discounts;
        v->discounts = src->discounts;
        v->shipping_fee_fen = src->shipping_fee_fen;
    }
    if (groups & G_PAYMENT) {
        v->payment_method = src->payment_method;
        v->paid_amount_fen = src->paid_amount_fen;
        v->paid_ms = src->paid_ms;
    }
    if (groups & G_ADDRESS) v->receiver = src->receiver;
    if (groups & G_MEMO) {
        v->buyer_message = src->buyer_message;
        v->seller_memo = src->seller_memo;
        v->gift_wrap = src->gift_wrap;
        v->delivery_window = src->delivery_window;
        v->installation = src->installation;
    }
}

/* Stamps and packs env on topic, keyed "<shop_id>:<order_id>". */
static int emit(gw_pf *pf, const char *topic, const char *order_id, int64_t event_ms, Cs__V1__Envelope *env) {
    char key[GW_PF_ID_LEN * 2 + 8];
    snprintf(key, sizeof key, "%s:%s", pf->rq->shop->id, order_id);
    return gw_mapped_emit(pf->out, pf->rq, pf->source, event_ms, topic, key, env, pf->j.err);
}

int gw_pf_emit_order(gw_pf *pf, Cs__V1__OrderEventKind kind, int64_t event_ms) {
    Cs__V1__Order view = CS__V1__ORDER__INIT;
    order_view(&pf->order, kind_groups(kind), &view);
    Cs__V1__OrderEvent ev = CS__V1__ORDER_EVENT__INIT;
    ev.kind = kind;
    ev.order = &view;
    if (kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED) ev.shipment = &pf->shipment;
    if (kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SIGNED) ev.signed_ms = pf->signed_ms;
    if (kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED) ev.cancellation = &pf->cancellation;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.body_case = CS__V1__ENVELOPE__BODY_ORDER;
    env.order = &ev;
    return emit(pf, CS_TOPIC_ORDERS, view.order_id, event_ms, &env);
}

int gw_pf_emit_case(gw_pf *pf, Cs__V1__AfterSalesCase *c, int64_t event_ms) {
    Cs__V1__AfterSalesEvent ev = CS__V1__AFTER_SALES_EVENT__INIT;
    ev.body_case = CS__V1__AFTER_SALES_EVENT__BODY_CASE;
    ev.case_ = c;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.body_case = CS__V1__ENVELOPE__BODY_AFTERSALES;
    env.aftersales = &ev;
    return emit(pf, CS_TOPIC_AFTERSALES, c->order_id, event_ms, &env);
}

int gw_pf_emit_review(gw_pf *pf, Cs__V1__Review *r, int64_t event_ms) {
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.body_case = CS__V1__ENVELOPE__BODY_REVIEW;
    env.review = r;
    return emit(pf, CS_TOPIC_REVIEWS, r->order_id, event_ms, &env);
}

/* ---- refund reasons ---------------------------------------------------------------- */

/* Words of a refund's reason text, first match wins (so "七天无理由" is
 * read before "不喜欢", "参数不符" before "描述不符"). Taobao's buyer
 * reason list and common English notes; ASCII compared without case. */
static const struct {
    const char *word;
    Cs__V1__CaseReason reason;
} reason_words[] = {
    {"七天无理由", CS__V1__CASE_REASON__CASE_REASON_NO_REASON_7D},
    {"7天无理由", CS__V1__CASE_REASON__CASE_REASON_NO_REASON_7D},
    {"no reason", CS__V1__CASE_REASON__CASE_REASON_NO_REASON_7D},
    {"缺货", CS__V1__CASE_REASON__CASE_REASON_OUT_OF_STOCK},
    {"无货", CS__V1__CASE_REASON__CASE_REASON_OUT_OF_STOCK},
    {"out of stock", CS__V1__CASE_REASON__CASE_REASON_OUT_OF_STOCK},
    {"少件", CS__V1__CASE_REASON__CASE_REASON_MISSING_ITEM},
    {"漏发", CS__V1__CASE_REASON__CASE_REASON_MISSING_ITEM},
    {"缺件", CS__V1__CASE_REASON__CASE_REASON_MISSING_ITEM},
    {"空包", CS__V1__CASE_REASON__CASE_REASON_MISSING_ITEM},
    {"missing", CS__V1__CASE_REASON__CASE_REASON_MISSING_ITEM},
    {"发错", CS__V1__CASE_REASON__CASE_REASON_WRONG_ITEM},
    {"错发", CS__V1__CASE_REASON__CASE_REASON_WRONG_ITEM},
    {"参数不符", CS__V1__CASE_REASON__CASE_REASON_WRONG_ITEM},
    {"wrong item", CS__V1__CASE_REASON__CASE_REASON_WRONG_ITEM},
    {"质量", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"做工", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"破损", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"损坏", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"瑕疵", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"故障", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"描述不符", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"假冒", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"受潮", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"quality", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"defect", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"damaged", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"broken", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"未收到", CS__V1__CASE_REASON__CASE_REASON_NOT_RECEIVED},
    {"没收到", CS__V1__CASE_REASON__CASE_REASON_NOT_RECEIVED},
    {"没有收到", CS__V1__CASE_REASON__CASE_REASON_NOT_RECEIVED},
    {"未送达", CS__V1__CASE_REASON__CASE_REASON_NOT_RECEIVED},
    {"未送到", CS__V1__CASE_REASON__CASE_REASON_NOT_RECEIVED},
    {"not received", CS__V1__CASE_REASON__CASE_REASON_NOT_RECEIVED},
    {"never arrived", CS__V1__CASE_REASON__CASE_REASON_NOT_RECEIVED},
    {"不想要", CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND},
    {"不喜欢", CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND},
    {"拍错", CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND},
    {"多拍", CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND},
    {"拍多", CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND},
    {"changed mind", CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND},
    {"change of mind", CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND},
    {"no longer", CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND},
};

Cs__V1__CaseReason gw_pf_reason_of_text(const char *text) {
    if (!text) return CS__V1__CASE_REASON__CASE_REASON_OTHER;
    for (size_t i = 0; i < sizeof reason_words / sizeof *reason_words; i++)
        if (strcasestr(text, reason_words[i].word)) return reason_words[i].reason;
    return CS__V1__CASE_REASON__CASE_REASON_OTHER;
}
