/* verifier.c -- the order-verifier's batch handler (see verifier.h): the
 * raw-batch escape hatch of the worker kit (runtime.h), because orders are
 * the volume and are read and written set by set, not event by event.
 *
 * Life of a batch (all inside the runtime's transaction):
 *   1. validate each event (poison: impossible amounts, wrong body);
 *   2. load the state the rules read, locking what two consumers could
 *      race on: orders (FOR UPDATE), buyers (advisory lock, for OV-9 across
 *      partitions); stock rows are read WITHOUT locks on order batches and
 *      checked at write time (stockCheck: the batch fails, and is retried
 *      at once with stock locked, if a level moved past what its decisions
 *      allow), and read FOR UPDATE on inventory, after-sales, contact and
 *      timer batches and on that retry;
 *   3. apply the events in memory, in partition order: OV-12 merge, then a
 *      verification of the new order version; restocks re-verify waiting
 *      orders oldest payment first; cancellations give stock back;
 *   4. write every changed row back with COPY + one statement per table,
 *      emit verdicts, and hand tasks and notification requests to the
 *      kit's applier (cs/apply.h).
 * Every business decision is a rule in rules/ (tested there); what is here
 * is loading, locking, bookkeeping and writing.
 *
 * State kept between batches, none of it a business fact: the COPY
 * buffers and maps, emptied and reused (ovBufs, ovMaps, ovDoc: their
 * allocations, not their contents); the shops whose OV-13 sweep this
 * process armed (ovArmed: a cache; a restart re-arms with keep_pending,
 * which leaves a pending sweep alone); and ovStockConflict, set when a
 * batch failed its stock check so that the runtime's immediate retry of
 * that batch (a promise of runtime.h) reads stock locked. A rolled-back
 * batch is simply run again. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/apply.h"
#include "cs/clock.h"
#include "cs/log.h"
#include "cs/metrics.h"
#include "cs/pg.h"
#include "cs/routes.h"
#include "cs/shift.h"
#include "cs/strmap.h"
#include "cs/timer_keys.h"
#include "cs/timers.h"
#include "cs/topics.h"
#include "cs/tz.h"
#include "cs/util.h"
#include "ov_rules.h"
#include "verifier.h"

#define OV_MAX_FEN 100000000000LL /* 10^11 fen = one billion CNY: beyond is impossible */
#define OV_MAX_QTY 1000000
#define OV_MAX_ID 128            /* bytes of an order, buyer or SKU id */
#define OV_QUALITY_LOAD_DAYS 400 /* load this much history; the shop window filters */

/* ---- per-batch model --------------------------------------------------- */

typedef struct vRes {
    char *sku;
    int32_t qty;
} vRes;

typedef struct vOrder {
    char *shop_id, *order_id; /* owned */
    const cs_shop *shop;
    Cs__V1__OrderState *st; /* owned */
    bool loaded;            /* looked up in the database */
    bool existed;           /* it has a row there (else all its rows are new) */
    bool dirty;             /* orders row to write */
    vRes *res;
    size_t nres; /* units held (OV-8), owned */
    bool res_dirty;
    char **waits;
    size_t nwaits; /* SKUs it waits for (OV-8), owned */
    bool waits_dirty;
    char fp[OV_FP_LEN]; /* OV-9 fingerprint, "" if none */
    bool fp_dirty;
    const char *state_name;            /* projection for the orders row */
    bool decided;                      /* verified in this batch: the projection below is set */
    const char *codes[OV_MAX_REASONS]; /* its reason codes (static strings), for orders.reasons */
    int ncodes;
    int64_t item_total, payable;
    const char *courier; /* into st or shop */
} vOrder;

typedef struct vStock {
    char *shop_id, *sku; /* owned */
    int32_t available;
    int64_t restock_date_ms, counted_ms;
    bool known, dirty;
    /* OV-8 without locks (stockCheck): what was read, and the range of
     * d = (available at write time) - read_available within which every
     * decision taken on this SKU comes out the same: lo <= d < hi. */
    bool locked; /* read FOR UPDATE: nothing to check */
    int32_t read_available;
    int64_t read_restock_ms;
    int64_t lo, hi;
    bool short_seen; /* some order came out short: the restock date mattered */
} vStock;

typedef struct vFp {
    char *order_id;
    char *fp;
    int64_t created_ms;
    bool cancelled, held;
} vFp;
typedef struct vBuyer {
    vFp *fps;
    size_t n, cap;
} vBuyer;
typedef struct vQual {
    int64_t *ms;
    size_t n, cap;
} vQual;

typedef struct vBatch {
    cs_batch *b;
    PGconn *pg;
    int64_t now;
    cs_strmap orders, stock, buyers, quality;
    vOrder **olist;
    size_t nolist, capolist;
    vStock **slist;
    size_t nslist, capslist;
    cs_copybuf verdicts, quality_rows;
    cs_copybuf arr1, arr2, scratch, fresh;
    size_t nverdicts;
    char timer_err[256]; /* a refused cs_timer_schedule(): fails the batch */
    bool lock_stock;     /* read stock FOR UPDATE (else check it at write time) */
} vBatch;

static cs_metric *mVerdicts, *mStockConflicts;

/* The batch's COPY buffers live on from batch to batch (emptied, not
 * freed): growing them anew each batch was a stream of large reallocs
 * and heap consolidations. One grown beyond OV_BUF_KEEP, or mostly unused
 * by the last batch, is freed (cs_copy_keep). */
#define OV_BUF_KEEP (4u << 20)
static struct { cs_copybuf verdicts, quality_rows, arr1, arr2, scratch, fresh; } ovBufs;

/* The batch's maps, empty between batches (batchFree resets them). */
static struct { cs_strmap orders, stock, buyers, quality; } ovMaps;

/* One packed OrderState at a time (writeAll), kept between batches. */
static uint8_t *ovDoc;
static size_t ovDocCap;

static void bufTake(cs_copybuf *dst, cs_copybuf *kept) {
    *dst = *kept;
    memset(kept, 0, sizeof *kept);
    cs_copy_reset(dst);
}

static void bufKeep(cs_copybuf *kept, cs_copybuf *src) {
    cs_copy_keep(src, OV_BUF_KEEP);
    *kept = *src;
    memset(src, 0, sizeof *src);
}

/* Set when a batch found stock moved under it (stockCheck): the retry of
 * that batch, which the runtime makes at once, locks stock as it reads. */
static bool ovStockConflict;

/* ---- small helpers ------------------------------------------------------- */

/* "<a>\x1f<b>": the map key of a (shop, id) pair. Several per event, so
 * no format parsing. */
static void keyOf(char *out, size_t len, const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    if (na + nb + 2 > len) {
        snprintf(out, len, "%s\x1f%s", a, b);
        return;
    }
    memcpy(out, a, na);
    out[na] = '\x1f';
    memcpy(out + na + 1, b, nb + 1);
}

static const char *stateName(Cs__V1__VerdictState s) {
    switch (s) {
        case CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED: return "VERIFIED";
        case CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_PAYMENT: return "PENDING_PAYMENT";
        case CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_FINANCE_CHECK: return "PENDING_FINANCE_CHECK";
        case CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD: return "ON_HOLD";
        case CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION: return "EXCEPTION";
        default: return "NEW";
    }
}

static const char *channelName(Cs__V1__Channel c) {
    switch (c) {
        case CS__V1__CHANNEL__CHANNEL_TAOBAO: return "taobao";
        case CS__V1__CHANNEL__CHANNEL_TMALL: return "tmall";
        case CS__V1__CHANNEL__CHANNEL_OWN_SITE: return "own_site";
        default: return NULL;
    }
}

static void jsonStr(cs_copybuf *c, const char *s) {
    /* appends a JSON string literal to c->data (not a COPY field) */
    char tmp[8];
    size_t need = strlen(s) * 6 + 3;
    if (c->len + need + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 1024;
        while (cap < c->len + need + 1) cap *= 2;
        c->data = cs_xrealloc(c->data, cap);
        c->cap = cap;
    }
    c->data[c->len++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            c->data[c->len++] = '\\';
            c->data[c->len++] = (char)*p;
        } else if (*p < 0x20) {
            snprintf(tmp, sizeof tmp, "\\u%04x", *p);
            memcpy(c->data + c->len, tmp, 6);
            c->len += 6;
        } else
            c->data[c->len++] = (char)*p;
    }
    c->data[c->len++] = '"';
    c->data[c->len] = 0;
}

static void rawAppend(cs_copybuf *c, const char *s) {
    size_t n = strlen(s);
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 1024;
        while (cap < c->len + n + 1) cap *= 2;
        c->data = cs_xrealloc(c->data, cap);
        c->cap = cap;
    }
    memcpy(c->data + c->len, s, n + 1);
    c->len += n;
}

/* ---- validation ------------------------------------------------------------ */

static bool fenOk(int64_t v) { return v >= 0 && v <= OV_MAX_FEN; }
static bool msOk(int64_t v) { return v >= 0 && v <= CS_TZ_MAX_MS; }

bool ov_event_valid(const cs_event *ev, char *why, size_t len) {
    const Cs__V1__Envelope *e = ev->env;
    if (strcmp(ev->topic, CS_TOPIC_ORDERS) == 0) {
        if (e->body_case != CS__V1__ENVELOPE__BODY_ORDER || !e->order) {
            snprintf(why, len, "validation: shop.orders.v1 carries an order event, got body %d", (int)e->body_case);
            return false;
        }
        const Cs__V1__OrderEvent *oe = e->order;
        if (oe->kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_UNSPECIFIED) {
            snprintf(why, len, "validation: order.kind missing");
            return false;
        }
        if (!oe->order || !oe->order->order_id || !oe->order->order_id[0]) {
            snprintf(why, len, "validation: order.order.order_id missing");
            return false;
        }
        const Cs__V1__Order *o = oe->order;
        /* Identifiers are keys (maps, rows, the OV-13 sweep's cursor in a
         * 256-byte timer payload): platform ids are a few dozen bytes, so
         * one past OV_MAX_ID is not an id. */
        if (strlen(o->order_id) > OV_MAX_ID || (o->buyer_id && strlen(o->buyer_id) > OV_MAX_ID)) {
            snprintf(why, len, "validation: order_id or buyer_id longer than %d bytes", OV_MAX_ID);
            return false;
        }
        /* Times are business instants: OV-6 and OV-10 add minutes and days
         * to them, so one past 9999 (CS_TZ_MAX_MS) is not a time. */
        if (!msOk(o->created_ms) || !msOk(o->paid_ms) || !msOk(o->modified_ms)) {
            snprintf(why, len, "validation: order created_ms, paid_ms or modified_ms negative or past year 9999");
            return false;
        }
        for (size_t i = 0; i < o->n_lines; i++) {
            const Cs__V1__OrderLine *l = o->lines[i];
            if (!msOk(l->presale_ship_date_ms)) {
                snprintf(why, len, "validation: lines[%zu].presale_ship_date_ms negative or past year 9999", i);
                return false;
            }
            if (l->sku && strlen(l->sku) > OV_MAX_ID) {
                snprintf(why, len, "validation: lines[%zu].sku longer than %d bytes", i, OV_MAX_ID);
                return false;
            }
            if (!fenOk(l->unit_price_fen)) {
                snprintf(why, len, "impossible amount: lines[%zu].unit_price_fen=%" PRId64, i, l->unit_price_fen);
                return false;
            }
            if (l->quantity < 0 || l->quantity > OV_MAX_QTY) {
                snprintf(why, len, "impossible amount: lines[%zu].quantity=%d", i, l->quantity);
                return false;
            }
        }
        for (size_t i = 0; i < o->n_discounts; i++)
            if (!fenOk(o->discounts[i]->amount_fen)) {
                snprintf(why, len, "impossible amount: discounts[%zu].amount_fen=%" PRId64, i,
                         o->discounts[i]->amount_fen);
                return false;
            }
        if (!fenOk(o->shipping_fee_fen)) {
            snprintf(why, len, "impossible amount: shipping_fee_fen=%" PRId64, o->shipping_fee_fen);
            return false;
        }
        if (!fenOk(o->paid_amount_fen)) {
            snprintf(why, len, "impossible amount: paid_amount_fen=%" PRId64, o->paid_amount_fen);
            return false;
        }
        if (oe->cancellation && !fenOk(oe->cancellation->refund_fen)) {
            snprintf(why, len, "impossible amount: cancellation.refund_fen");
            return false;
        }
        if (oe->kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED && (!o->buyer_id || !o->buyer_id[0])) {
            snprintf(why, len, "validation: created order without buyer_id");
            return false;
        }
        return true;
    }
    if (strcmp(ev->topic, CS_TOPIC_INVENTORY) == 0) {
        if (e->body_case != CS__V1__ENVELOPE__BODY_INVENTORY || !e->inventory) {
            snprintf(why, len, "validation: shop.inventory.v1 carries an inventory level");
            return false;
        }
        const Cs__V1__InventoryLevel *l = e->inventory;
        if (!l->sku || !l->sku[0]) {
            snprintf(why, len, "validation: inventory.sku missing");
            return false;
        }
        if (l->available < 0 || l->restock_quantity < 0) {
            snprintf(why, len, "impossible amount: inventory quantity below zero");
            return false;
        }
        return true;
    }
    if (strcmp(ev->topic, CS_TOPIC_AFTERSALES) == 0) {
        if (e->body_case != CS__V1__ENVELOPE__BODY_AFTERSALES || !e->aftersales) {
            snprintf(why, len, "validation: shop.aftersales.v1 carries an after-sales event");
            return false;
        }
        const Cs__V1__AfterSalesEvent *a = e->aftersales;
        if (a->body_case == CS__V1__AFTER_SALES_EVENT__BODY_CASE && a->case_) {
            if (!a->case_->case_id || !a->case_->case_id[0]) {
                snprintf(why, len, "validation: case.case_id missing");
                return false;
            }
            if (!fenOk(a->case_->amount_fen)) {
                snprintf(why, len, "impossible amount: case.amount_fen=%" PRId64, a->case_->amount_fen);
                return false;
            }
        }
        return true;
    }
    if (strcmp(ev->topic, CS_TOPIC_CONTACTS) == 0) {
        if (e->body_case != CS__V1__ENVELOPE__BODY_CONTACT || !e->contact) {
            snprintf(why, len, "validation: shop.contacts.v1 carries a contact event");
            return false;
        }
        if (e->contact->body_case == CS__V1__CONTACT_EVENT__BODY_INVOICE &&
            (!e->contact->invoice->order_id || !e->contact->invoice->order_id[0])) {
            snprintf(why, len, "validation: invoice.order_id missing");
            return false;
        }
        return true;
    }
    if (strcmp(ev->topic, CS_TOPIC_TIMERS) == 0) {
        if (e->body_case != CS__V1__ENVELOPE__BODY_TIMER || !e->timer || !e->timer->timer_id ||
            !e->timer->timer_id[0]) {
            snprintf(why, len, "validation: cs.timers.v1 carries a fired timer");
            return false;
        }
        return true;
    }
    snprintf(why, len, "validation: topic %s is not the verifier's", ev->topic);
    return false;
}

/* ---- model lookups ------------------------------------------------------ */

static vOrder *orderGet(vBatch *v, const cs_shop *shop, const char *shop_id, const char *order_id, bool create) {
    char key[512];
    keyOf(key, sizeof key, shop_id, order_id);
    vOrder *o = cs_strmap_get(&v->orders, key);
    if (o || !create) return o;
    o = cs_xcalloc(1, sizeof *o);
    o->shop_id = cs_xstrdup(shop_id);
    o->order_id = cs_xstrdup(order_id);
    o->shop = shop;
    cs_strmap_put(&v->orders, key, o);
    if (v->nolist == v->capolist) {
        v->capolist = v->capolist ? 2 * v->capolist : 64;
        v->olist = cs_xrealloc(v->olist, v->capolist * sizeof *v->olist);
    }
    v->olist[v->nolist++] = o;
    return o;
}

static vStock *stockGet(vBatch *v, const char *shop_id, const char *sku, bool create) {
    char key[512];
    keyOf(key, sizeof key, shop_id, sku);
    vStock *s = cs_strmap_get(&v->stock, key);
    if (s || !create) return s;
    s = cs_xcalloc(1, sizeof *s);
    s->shop_id = cs_xstrdup(shop_id);
    s->sku = cs_xstrdup(sku);
    s->lo = INT64_MIN;
    s->hi = INT64_MAX;
    cs_strmap_put(&v->stock, key, s);
    if (v->nslist == v->capslist) {
        v->capslist = v->capslist ? 2 * v->capslist : 64;
        v->slist = cs_xrealloc(v->slist, v->capslist * sizeof *v->slist);
    }
    v->slist[v->nslist++] = s;
    return s;
}

static vBuyer *buyerGet(vBatch *v, const char *shop_id, const char *buyer, bool create) {
    char key[512];
    keyOf(key, sizeof key, shop_id, buyer);
    vBuyer *b = cs_strmap_get(&v->buyers, key);
    if (b || !create) return b;
    b = cs_xcalloc(1, sizeof *b);
    cs_strmap_put(&v->buyers, key, b);
    return b;
}

static void buyerSet(vBuyer *b, const char *order_id, const char *fp, int64_t created, bool cancelled, bool held) {
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->fps[i].order_id, order_id) == 0) {
            free(b->fps[i].fp);
            b->fps[i].fp = cs_xstrdup(fp);
            b->fps[i].created_ms = created;
            b->fps[i].cancelled = cancelled;
            b->fps[i].held = held;
            return;
        }
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 4;
        b->fps = cs_xrealloc(b->fps, b->cap * sizeof *b->fps);
    }
    b->fps[b->n++] = (vFp){cs_xstrdup(order_id), cs_xstrdup(fp), created, cancelled, held};
}

static void orderFreeLists(vOrder *o) {
    for (size_t i = 0; i < o->nres; i++) free(o->res[i].sku);
    free(o->res);
    o->res = NULL;
    o->nres = 0;
    for (size_t i = 0; i < o->nwaits; i++) free(o->waits[i]);
    free(o->waits);
    o->waits = NULL;
    o->nwaits = 0;
}

static void batchFree(vBatch *v) {
    for (size_t i = 0; i < v->nolist; i++) {
        vOrder *o = v->olist[i];
        orderFreeLists(o);
        cs_order_state_free(o->st);
        free(o->shop_id);
        free(o->order_id);
        free(o);
    }
    free(v->olist);
    for (size_t i = 0; i < v->nslist; i++) {
        free(v->slist[i]->shop_id);
        free(v->slist[i]->sku);
        free(v->slist[i]);
    }
    free(v->slist);
    for (size_t i = 0; i < v->buyers.cap; i++) {
        vBuyer *b = v->buyers.vals ? v->buyers.vals[i] : NULL;
        if (!v->buyers.keys || !v->buyers.keys[i] || !b) continue;
        for (size_t j = 0; j < b->n; j++) {
            free(b->fps[j].order_id);
            free(b->fps[j].fp);
        }
        free(b->fps);
        free(b);
    }
    for (size_t i = 0; i < v->quality.cap; i++) {
        vQual *q = v->quality.vals ? v->quality.vals[i] : NULL;
        if (!v->quality.keys || !v->quality.keys[i] || !q) continue;
        free(q->ms);
        free(q);
    }
    /* emptied and kept for the next batch: their tables and key storage
     * are reused, not freed and allocated again (see cs_strmap_reset) */
    cs_strmap_reset(&v->orders);
    cs_strmap_reset(&v->stock);
    cs_strmap_reset(&v->buyers);
    cs_strmap_reset(&v->quality);
    ovMaps.orders = v->orders;
    ovMaps.stock = v->stock;
    ovMaps.buyers = v->buyers;
    ovMaps.quality = v->quality;
    memset(&v->orders, 0, sizeof v->orders);
    memset(&v->stock, 0, sizeof v->stock);
    memset(&v->buyers, 0, sizeof v->buyers);
    memset(&v->quality, 0, sizeof v->quality);
    bufKeep(&ovBufs.verdicts, &v->verdicts);
    bufKeep(&ovBufs.quality_rows, &v->quality_rows);
    bufKeep(&ovBufs.arr1, &v->arr1);
    bufKeep(&ovBufs.arr2, &v->arr2);
    bufKeep(&ovBufs.scratch, &v->scratch);
    bufKeep(&ovBufs.fresh, &v->fresh);
}

/* ---- loading --------------------------------------------------------------- */

/* Two parallel text[] literals of (shop, x) pairs, for "(a, b) IN (SELECT *
 * FROM unnest($1::text[], $2::text[]))". */
typedef struct vPairs {
    const char **a, **b;
    size_t n, cap;
} vPairs;

static void pairsAdd(vPairs *p, const char *a, const char *b) {
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 64;
        p->a = cs_xrealloc(p->a, p->cap * sizeof *p->a);
        p->b = cs_xrealloc(p->b, p->cap * sizeof *p->b);
    }
    p->a[p->n] = a;
    p->b[p->n] = b;
    p->n++;
}

static void pairsFree(vPairs *p) {
    free(p->a);
    free(p->b);
    memset(p, 0, sizeof *p);
}

static int query2(vBatch *v, const char *sql, const vPairs *p, const char *third, int binary, PGresult **res, char *err,
                  size_t errlen) {
    cs_pg_text_array(&v->arr1, p->a, p->n);
    cs_pg_text_array(&v->arr2, p->b, p->n);
    const char *params[3] = {v->arr1.data, v->arr2.data, third};
    PGresult *r = PQexecParams(v->pg, sql, third ? 3 : 2, NULL, params, NULL, NULL, binary);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        snprintf(err, errlen, "%.48s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return 0;
}

/* Loads (and locks) the orders of v->olist not loaded yet, with their
 * reservations and waits. */
static int loadOrders(vBatch *v, char *err, size_t errlen) {
    vPairs p = {0};
    for (size_t i = 0; i < v->nolist; i++)
        if (!v->olist[i]->loaded) pairsAdd(&p, v->olist[i]->shop_id, v->olist[i]->order_id);
    if (p.n == 0) return 0;
    int rc = -1;
    PGresult *r = NULL;
    if (query2(v,
               "SELECT o.shop_id, o.order_id, o.doc, o.fingerprint, o.reserved_skus, o.reserved_qty "
               "FROM (SELECT DISTINCT a, b FROM unnest($1::text[], $2::text[]) AS x(a, b)) u JOIN orders o ON "
               "o.shop_id = u.a AND o.order_id = u.b "
               "ORDER BY 1, 2 FOR UPDATE OF o",
               &p, NULL, 1, &r, err, errlen) != 0)
        goto out;
    for (int i = 0; i < PQntuples(r); i++) {
        vOrder *o = orderGet(v, NULL, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), false);
        if (!o) continue;
        Cs__V1__OrderState *st =
            cs__v1__order_state__unpack(NULL, (size_t)PQgetlength(r, i, 2), (const uint8_t *)PQgetvalue(r, i, 2));
        if (!st) {
            snprintf(err, errlen, "orders.doc of %s:%s does not decode", o->shop_id, o->order_id);
            goto out;
        }
        /* Unpacked with the default allocator (malloc), which is what the
         * rules use when they edit the state: they can own it as it is. */
        o->st = st;
        o->existed = true;
        /* the fingerprint stored (OV-9), to see whether a change moved it */
        if (!PQgetisnull(r, i, 3)) cs_strlcpy(o->fp, PQgetvalue(r, i, 3), sizeof o->fp);
        /* OV-8: the units it holds, per SKU (two parallel arrays) */
        if (!PQgetisnull(r, i, 4) && !PQgetisnull(r, i, 5)) {
            cs_pgarr ska, qta;
            if (cs_pgarr_open(&ska, PQgetvalue(r, i, 4), PQgetlength(r, i, 4), 25) != 0 ||
                cs_pgarr_open(&qta, PQgetvalue(r, i, 5), PQgetlength(r, i, 5), 23) != 0 || ska.n != qta.n) {
                snprintf(err, errlen, "orders.reserved_* of %s:%s do not decode", o->shop_id, o->order_id);
                goto out;
            }
            o->res = cs_xcalloc(ska.n ? ska.n : 1, sizeof *o->res);
            const char *sku, *qty;
            int skulen, qtylen;
            while (cs_pgarr_next(&ska, &sku, &skulen) == 0 && cs_pgarr_next(&qta, &qty, &qtylen) == 0)
                if (skulen >= 0 && qtylen == 4)
                    o->res[o->nres++] = (vRes){cs_xstrndup(sku, (size_t)skulen), cs_pgarr_int4(qty)};
        }
    }
    PQclear(r);
    r = NULL;
    /* Waits exist only for orders in EXCEPTION (OUT_OF_STOCK): new orders,
     * the bulk of a promotion morning, cost no lookup here. */
    vPairs pw = {0};
    for (size_t i = 0; i < v->nolist; i++) {
        vOrder *o = v->olist[i];
        if (o->loaded || !o->st) continue;
        if (o->st->last_state == CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION) pairsAdd(&pw, o->shop_id, o->order_id);
    }
    if (pw.n && query2(v,
                       "SELECT w.shop_id, w.order_id, w.sku FROM (SELECT DISTINCT a, b FROM unnest($1::text[], "
                       "$2::text[]) AS x(a, b)) u "
                       "JOIN stock_waits w ON w.shop_id = u.a AND w.order_id = u.b",
                       &pw, NULL, 0, &r, err, errlen) != 0) {
        pairsFree(&pw);
        goto out;
    }
    for (int i = 0; r && i < PQntuples(r); i++) {
        vOrder *o = orderGet(v, NULL, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), false);
        if (!o) continue;
        o->waits = cs_xrealloc(o->waits, (o->nwaits + 1) * sizeof *o->waits);
        o->waits[o->nwaits++] = cs_xstrdup(PQgetvalue(r, i, 2));
    }
    pairsFree(&pw);
    for (size_t i = 0; i < v->nolist; i++) {
        vOrder *o = v->olist[i];
        if (o->loaded) continue;
        o->loaded = true;
        if (!o->st) o->st = cs_order_state_new();
    }
    rc = 0;
out:
    PQclear(r);
    pairsFree(&p);
    return rc;
}

static void addSkusOf(vPairs *p, const char *shop_id, const Cs__V1__Order *o) {
    if (!o) return;
    for (size_t i = 0; i < o->n_lines; i++)
        if (o->lines[i]->sku && o->lines[i]->sku[0]) pairsAdd(p, shop_id, o->lines[i]->sku);
}

/* Locks buyers, then loads their fingerprints; locks and loads stock and
 * quality cases for SKUs. Entries already loaded are left as they are. */
static int loadContext(vBatch *v, const vPairs *skus, const vPairs *buyers, char *err, size_t errlen) {
    PGresult *r = NULL;
    vPairs nb = {0}, ns = {0};
    int rc = -1;
    for (size_t i = 0; i < buyers->n; i++)
        if (!buyerGet(v, buyers->a[i], buyers->b[i], false)) {
            buyerGet(v, buyers->a[i], buyers->b[i], true);
            pairsAdd(&nb, buyers->a[i], buyers->b[i]);
        }
    if (nb.n) {
        /* OV-9 across partitions: one buyer's orders are verified one at a
         * time (the kit's locks: one global order, no deadlock). */
        if (cs_batch_lock_pairs(v->b, "ov9", (const char *const *)nb.a, (const char *const *)nb.b, nb.n, err, errlen) !=
            0)
            goto out;
        if (query2(v,
                   "SELECT o.shop_id, o.buyer_id, o.order_id, o.fingerprint, o.created_ms, o.cancelled_ms IS NOT NULL, "
                   "'DUPLICATE_SUSPECTED' = ANY(o.reasons) "
                   "FROM (SELECT DISTINCT a, b FROM unnest($1::text[], $2::text[]) AS x(a, b)) u JOIN orders o ON "
                   "o.shop_id = u.a AND o.buyer_id = u.b "
                   "WHERE o.fingerprint IS NOT NULL",
                   &nb, NULL, 0, &r, err, errlen) != 0)
            goto out;
        for (int i = 0; i < PQntuples(r); i++) {
            vBuyer *b = buyerGet(v, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), true);
            buyerSet(b, PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), strtoll(PQgetvalue(r, i, 4), NULL, 10),
                     PQgetvalue(r, i, 5)[0] == 't', PQgetvalue(r, i, 6)[0] == 't');
        }
        PQclear(r);
        r = NULL;
    }
    for (size_t i = 0; i < skus->n; i++)
        if (!stockGet(v, skus->a[i], skus->b[i], false)) {
            stockGet(v, skus->a[i], skus->b[i], true);
            pairsAdd(&ns, skus->a[i], skus->b[i]);
        }
    if (ns.n) {
        /* OV-8. Locked: row locks in key order, and every reservation of
         * these SKUs by any consumer waits for this transaction. Not
         * locked (order batches): read, and checked at write time
         * (stockCheck), so copies of the worker overlap on hot SKUs. */
        if (query2(v,
                   v->lock_stock ? "SELECT s.shop_id, s.sku, s.available, s.restock_date_ms, s.counted_ms FROM (SELECT "
                                   "DISTINCT a, b FROM unnest($1::text[], $2::text[]) AS x(a, b)) u "
                                   "JOIN stock s ON s.shop_id = u.a AND s.sku = u.b ORDER BY 1, 2 FOR UPDATE OF s"
                                 : "SELECT s.shop_id, s.sku, s.available, s.restock_date_ms, s.counted_ms FROM (SELECT "
                                   "DISTINCT a, b FROM unnest($1::text[], $2::text[]) AS x(a, b)) u "
                                   "JOIN stock s ON s.shop_id = u.a AND s.sku = u.b",
                   &ns, NULL, 0, &r, err, errlen) != 0)
            goto out;
        for (int i = 0; i < PQntuples(r); i++) {
            vStock *s = stockGet(v, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), true);
            s->available = (int32_t)atoi(PQgetvalue(r, i, 2));
            s->restock_date_ms = strtoll(PQgetvalue(r, i, 3), NULL, 10);
            s->counted_ms = strtoll(PQgetvalue(r, i, 4), NULL, 10);
            s->known = true;
            s->read_available = s->available;
            s->read_restock_ms = s->restock_date_ms;
        }
        for (size_t i = 0; i < ns.n; i++) stockGet(v, ns.a[i], ns.b[i], false)->locked = v->lock_stock;
        PQclear(r);
        r = NULL;
        char since[32];
        snprintf(since, sizeof since, "%" PRId64, v->now - (int64_t)OV_QUALITY_LOAD_DAYS * 86400000);
        if (query2(v,
                   "SELECT q.shop_id, q.sku, q.opened_ms FROM (SELECT DISTINCT a, b FROM unnest($1::text[], "
                   "$2::text[]) AS x(a, b)) u "
                   "JOIN quality_cases q ON q.shop_id = u.a AND q.sku = u.b AND q.opened_ms > $3::bigint",
                   &ns, since, 0, &r, err, errlen) != 0)
            goto out;
        for (int i = 0; i < PQntuples(r); i++) {
            char key[512];
            keyOf(key, sizeof key, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
            vQual *q = cs_strmap_get(&v->quality, key);
            if (!q) {
                q = cs_xcalloc(1, sizeof *q);
                cs_strmap_put(&v->quality, key, q);
            }
            if (q->n == q->cap) {
                q->cap = q->cap ? 2 * q->cap : 4;
                q->ms = cs_xrealloc(q->ms, q->cap * sizeof *q->ms);
            }
            q->ms[q->n++] = strtoll(PQgetvalue(r, i, 2), NULL, 10);
        }
    }
    rc = 0;
out:
    PQclear(r);
    pairsFree(&nb);
    pairsFree(&ns);
    return rc;
}

/* The SKUs and buyers of every loaded order, plus those named by the
 * batch's events, then loadContext(). */
static int loadContextForOrders(vBatch *v, char *err, size_t errlen) {
    vPairs skus = {0}, buyers = {0};
    for (size_t i = 0; i < v->nolist; i++) {
        vOrder *o = v->olist[i];
        if (o->st && o->st->order) {
            addSkusOf(&skus, o->shop_id, o->st->order);
            if (o->st->order->buyer_id && o->st->order->buyer_id[0])
                pairsAdd(&buyers, o->shop_id, o->st->order->buyer_id);
        }
        for (size_t j = 0; j < o->nres; j++) pairsAdd(&skus, o->shop_id, o->res[j].sku);
    }
    for (size_t i = 0; i < cs_batch_count(v->b); i++) {
        const cs_event *ev = cs_batch_event(v->b, i);
        if (ev->env->body_case != CS__V1__ENVELOPE__BODY_ORDER) continue;
        const Cs__V1__Order *o = ev->env->order->order;
        addSkusOf(&skus, ev->env->shop_id, o);
        if (o->buyer_id && o->buyer_id[0]) pairsAdd(&buyers, ev->env->shop_id, o->buyer_id);
    }
    int rc = loadContext(v, &skus, &buyers, err, errlen);
    pairsFree(&skus);
    pairsFree(&buyers);
    return rc;
}

/* ---- emitting ---------------------------------------------------------------- */

static void envelopeInit(Cs__V1__Envelope *env, vBatch *v, const char *event_id, const char *shop_id) {
    cs__v1__envelope__init(env);
    env->event_id = (char *)event_id;
    env->shop_id = (char *)shop_id;
    env->event_ms = v->now;
    env->ingest_ms = cs_real_ms();
    env->source = (char *)OV_WORKER_NAME;
}

/* Tasks and notification requests go through the kit's applier (cs/apply.h):
 * ids "<trigger>/task/<idx>/<rule>" and "<trigger>/note/<idx>/<template>",
 * rows written in bulk before the commit, records to the outbox. */
static cs_fx_target targetOf(const vOrder *o, const char *trigger) {
    const Cs__V1__Order *ord = o->st ? o->st->order : NULL;
    return (cs_fx_target){.shop = o->shop,
                          .shop_id = o->shop_id,
                          .order_id = o->order_id,
                          .buyer_id = ord ? ord->buyer_id : NULL,
                          .phone = ord && ord->receiver ? ord->receiver->phone : NULL,
                          .trigger = trigger};
}

static void emitTask(vBatch *v, vOrder *o, const char *trigger, const ov_task *t, int idx) {
    cs_fx_target x = targetOf(o, trigger);
    cs_fx_apply_task(v->b, &x, idx, t);
}

static void emitNote(vBatch *v, vOrder *o, const char *trigger, const ov_note *n, int idx) {
    cs_fx_target x = targetOf(o, trigger);
    cs_fx_apply_note(v->b, &x, idx, n);
}

/* ---- verification of one order version ------------------------------------ */

/* Gives back the units o holds (in memory; written at the end). */
static void releaseStock(vBatch *v, vOrder *o) {
    for (size_t i = 0; i < o->nres; i++) {
        vStock *s = stockGet(v, o->shop_id, o->res[i].sku, true);
        s->available += o->res[i].qty;
        s->dirty = true;
    }
    if (o->nres) o->res_dirty = true;
    for (size_t i = 0; i < o->nres; i++) free(o->res[i].sku);
    free(o->res);
    o->res = NULL;
    o->nres = 0;
}

static void setWaits(vOrder *o, const char *const *skus, size_t n) {
    bool same = n == o->nwaits;
    for (size_t i = 0; same && i < n; i++) same = strcmp(skus[i], o->waits[i]) == 0;
    if (same) return;
    for (size_t i = 0; i < o->nwaits; i++) free(o->waits[i]);
    free(o->waits);
    o->waits = n ? cs_xcalloc(n, sizeof *o->waits) : NULL;
    for (size_t i = 0; i < n; i++) o->waits[i] = cs_xstrdup(skus[i]);
    o->nwaits = n;
    o->waits_dirty = true;
}

static void projectOrder(vOrder *o, const ov_decision *d) {
    o->state_name = stateName(d->state);
    o->decided = true;
    o->ncodes = 0;
    for (int i = 0; i < d->nreasons && i < OV_MAX_REASONS; i++) o->codes[o->ncodes++] = d->reasons[i].code;
    o->item_total = d->item_total_fen;
    o->payable = d->payable_fen;
    o->courier = d->courier;
}

/* Verifies o's current version and records everything it decides.
 * trigger: the event id the outputs derive theirs from. */
/* ---- timed rules (OV-6, OV-13) ------------------------------------------------ */

#define OV_TIMER_REMIND "ov6.remind"
#define OV_TIMER_HOLD "ov6.hold"
#define OV_TIMER_SWEEP "ov13.sweep"

static void scheduleTimer(vBatch *v, vOrder *o, const char *kind, int64_t due_ms) {
    char okey[512];
    snprintf(okey, sizeof okey, "%s:%s", o->shop_id, o->order_id);
    cs_timer_spec spec = {.kind = kind, .order_key = okey, .due_ms = due_ms};
    char err[256];
    if (cs_timer_schedule(v->b, &spec, err, sizeof err) != 0 && !v->timer_err[0])
        snprintf(v->timer_err, sizeof v->timer_err, "timer %.16s for %.100s: %.120s", kind, okey, err);
}

/* Arms the order's timers once, when the verdict first makes them
 * relevant. Each rule re-checks the order when its timer fires (it may
 * have been paid, shipped or released since), so nothing is cancelled on
 * the way: a stale firing decides "nothing to do". OV-13 is not here: it
 * is one sweep per shop (armSweeps). */
static void scheduleTimedRules(vBatch *v, vOrder *o, int64_t held_before) {
    Cs__V1__OrderState *st = o->st;
    const Cs__V1__Order *ord = st->order;
    if (!ord || !o->shop) return;
    if (!st->reminder_scheduled && ord->paid_ms == 0 && !ov_order_cod(ord) && !ov_order_over(st)) {
        scheduleTimer(v, o, OV_TIMER_REMIND, ov6_reminder_due_ms(ord, o->shop)); /* OV-6 */
        st->reminder_scheduled = true;
    }
    if (st->held_ms != 0 && held_before == 0) /* a hold began: day 3 of it */
        scheduleTimer(v, o, OV_TIMER_HOLD, ov6_hold_escalation_ms(st->held_ms, o->shop)); /* OV-6 */
}

static void emitTask(vBatch *v, vOrder *o, const char *trigger, const ov_task *t, int idx);
static void emitNote(vBatch *v, vOrder *o, const char *trigger, const ov_note *n, int idx);

/* ---- OV-13: the shop's daily capture sweep ----------------------------------
 *
 * One timer per shop, "ov13.sweep@<shop>:" (order key "<shop>:"), due at the
 * next 19:00 local. A timer per paid order would cost a row, four index
 * entries and a Redis member for every order of a promotion morning, and a
 * storm of firings at 19:00; the rule is a sweep, so it is one. When it
 * fires, the verifier pages through the shop's paid, unshipped, uncancelled
 * orders (index orders_unshipped) in payment order, OV_SWEEP_PAGE per
 * batch: a full page re-arms the timer at once with a cursor in its
 * payload, the last page arms the next day's sweep. The payload is
 * "<sweep instant ms>|<paid_ms>|<order_id>" (the cursor; empty on a sweep's
 * first page), so every page judges "today" by the same sweep. */

#define OV_SWEEP_PAGE 2000 /* orders per batch: a Double-11 backlog of 100 000 is 50 batches */

static cs_strmap ovArmed; /* shops whose sweep this process has armed (committed) */

/* after the commit only (a rolled-back batch drops the registration) */
static void sweepArmed(void *arg) { cs_strmap_put(&ovArmed, arg, (void *)1); }

static void scheduleSweep(vBatch *v, const char *shop_id, int64_t due_ms, const char *payload, bool keep) {
    char okey[300];
    snprintf(okey, sizeof okey, "%s:", shop_id);
    cs_timer_spec spec = {.kind = OV_TIMER_SWEEP,
                          .order_key = okey,
                          .due_ms = due_ms,
                          .payload = payload,
                          .payload_len = payload ? strlen(payload) : 0,
                          .keep_pending = keep};
    char err[256];
    if (cs_timer_schedule(v->b, &spec, err, sizeof err) != 0 && !v->timer_err[0])
        snprintf(v->timer_err, sizeof v->timer_err, "timer %s for %.100s: %.120s", OV_TIMER_SWEEP, okey, err);
}

/* Arms the sweep of every shop of the batch's orders that this process has
 * not armed yet. keep_pending: a sweep already pending (or fired and on its
 * way) is left alone, so a restart never moves it. */
static void armSweeps(vBatch *v) {
    cs_strmap here; /* shops armed by this batch */
    cs_strmap_init(&here);
    for (size_t i = 0; i < v->nolist; i++) {
        vOrder *o = v->olist[i];
        if (!o->shop || cs_strmap_get(&ovArmed, o->shop_id) || cs_strmap_get(&here, o->shop_id)) continue;
        cs_strmap_put(&here, o->shop_id, (void *)1);
        scheduleSweep(v, o->shop_id, ov13_next_sweep_ms(o->shop, v->now), NULL, true);
        cs_batch_after_commit(v->b, sweepArmed, cs_xstrdup(o->shop_id), free);
    }
    cs_strmap_clear(&here);
}

/* One page of the sweep of f (taken). Returns 0 or -1 with err. */
static int sweepPage(vBatch *v, const cs_shop *shop, const char *shop_id, const Cs__V1__TimerFired *f,
                     const char *trigger, char *err, size_t errlen) {
    char pay[CS_TIMER_PAYLOAD_MAX + 1] = "";
    size_t pl = f->payload.len < sizeof pay - 1 ? f->payload.len : sizeof pay - 1;
    if (pl) memcpy(pay, f->payload.data, pl);
    pay[pl] = 0;
    int64_t sweep_ms = f->due_ms, after_paid = -1;
    char after_id[256] = "";
    char *bar1 = strchr(pay, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    if (bar1 && bar2) {
        sweep_ms = strtoll(pay, NULL, 10);
        after_paid = strtoll(bar1 + 1, NULL, 10);
        cs_strlcpy(after_id, bar2 + 1, sizeof after_id);
    }
    /* "paid before today": before 00:00 local of the sweep's day */
    int64_t today = cs_tz_instant(shop->tz, cs_tz_day(shop->tz, sweep_ms), 0);
    char p_today[24], p_paid[24], p_limit[16];
    snprintf(p_today, sizeof p_today, "%" PRId64, today);
    snprintf(p_paid, sizeof p_paid, "%" PRId64, after_paid);
    snprintf(p_limit, sizeof p_limit, "%d", OV_SWEEP_PAGE);
    const char *params[5] = {shop_id, p_today, p_paid, after_id, p_limit};
    PGresult *r = PQexecParams(
        v->pg,
        "SELECT order_id, paid_ms FROM orders WHERE shop_id = $1 AND paid_ms IS NOT NULL AND shipped_ms IS NULL "
        "AND cancelled_ms IS NULL AND paid_ms < $2::bigint AND (paid_ms, order_id) > ($3::bigint, $4) "
        "AND state NOT IN ('EXCEPTION', 'ON_HOLD') ORDER BY paid_ms, order_id LIMIT $5::int",
        5, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "OV-13 sweep of %s: %s", shop_id, PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    int n = PQntuples(r);
    vOrder **page = cs_xcalloc(n ? (size_t)n : 1, sizeof *page);
    for (int i = 0; i < n; i++) page[i] = orderGet(v, shop, shop_id, PQgetvalue(r, i, 0), true);
    char next[CS_TIMER_PAYLOAD_MAX + 1] = "";
    if (n == OV_SWEEP_PAGE)
        snprintf(next, sizeof next, "%" PRId64 "|%s|%.200s", sweep_ms, PQgetvalue(r, n - 1, 1),
                 PQgetvalue(r, n - 1, 0));
    PQclear(r);
    if (loadOrders(v, err, errlen) != 0) {
        free(page);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        vOrder *o = page[i];
        Cs__V1__OrderState *st = o->st;
        ov_task t;
        ov_note nt;
        if (!st || !st->created || !ov13_missed_order(st, shop, sweep_ms, &t, &nt)) continue; /* OV-13 */
        char trig[512]; /* the whole order id: two ids sharing a prefix are two triggers */
        snprintf(trig, sizeof trig, "%s/sweep/%s", trigger, o->order_id);
        emitTask(v, o, trig, &t, 0);
        /* listed again each day it stays missed; the buyer is told once */
        if (st->missed_listed_ms == 0) {
            emitNote(v, o, trig, &nt, 0);
            st->missed_listed_ms = v->now;
            o->dirty = true;
        }
    }
    free(page);
    if (next[0])
        scheduleSweep(v, shop_id, v->now, next, false); /* the next page, at once */
    else
        scheduleSweep(v, shop_id, ov13_sweep_after(shop, sweep_ms, v->now), NULL, false);
    return 0;
}

static bool timerMine(const Cs__V1__TimerFired *f) {
    return f && f->owner && strcmp(f->owner, "order-verifier") == 0 && f->order_key && strchr(f->order_key, ':');
}

/* Fired timers of the verifier: each acts once (cs_timer_take_fired) and
 * asks its rule whether the order still qualifies. */
static int handleTimers(vBatch *v, char *err, size_t errlen) {
    size_t n = cs_batch_count(v->b);
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(v->b, i);
        if (ev->poison || !timerMine(ev->env->timer)) continue;
        const char *k = ev->env->timer->order_key, *colon = strchr(k, ':');
        if (!colon[1]) continue; /* a shop's sweep: its orders are paged in below */
        char shop_id[256];
        snprintf(shop_id, sizeof shop_id, "%.*s", (int)(colon - k), k);
        const cs_shop *shop = cs_shops_find(cs_batch_shops(v->b), shop_id);
        if (shop) orderGet(v, shop, shop_id, colon + 1, true);
    }
    if (loadOrders(v, err, errlen) != 0) return -1;
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(v->b, i);
        const Cs__V1__TimerFired *f = ev->env->timer;
        if (ev->poison || !timerMine(f)) continue;
        const char *colon = strchr(f->order_key, ':');
        char shop_id[256];
        snprintf(shop_id, sizeof shop_id, "%.*s", (int)(colon - f->order_key), f->order_key);
        int r = cs_timer_take_fired(v->b, f, err, errlen);
        if (r < 0) return -1;
        if (r == 1 && strcmp(f->kind, OV_TIMER_SWEEP) == 0) {
            /* OV-13. A sweep timer of one order was armed before the sweep
             * became one per shop (migration 0006): taken, nothing to do. */
            const cs_shop *shop = cs_shops_find(cs_batch_shops(v->b), shop_id);
            if (!colon[1] && shop && sweepPage(v, shop, shop_id, f, ev->env->event_id, err, errlen) != 0) return -1;
            continue;
        }
        vOrder *o = orderGet(v, NULL, shop_id, colon + 1, false);
        if (r == 0 || !o || !o->shop || !o->st || !o->st->created) continue;
        Cs__V1__OrderState *st = o->st;
        const char *trig = ev->env->event_id;
        ov_task t;
        ov_note nt;
        if (strcmp(f->kind, OV_TIMER_REMIND) == 0) {
            if (ov6_payment_reminder(st, o->shop, v->now, &t, &nt)) { /* OV-6 */
                if (t.rule) emitTask(v, o, trig, &t, 0);
                if (nt.rule) emitNote(v, o, trig, &nt, 0);
            }
        } else if (strcmp(f->kind, OV_TIMER_HOLD) == 0) {
            if (ov6_hold_escalation(st, st->held_ms, o->shop, v->now, &t)) emitTask(v, o, trig, &t, 0); /* OV-6 */
        }
    }
    return 0;
}

static void verifyOrder(vBatch *v, vOrder *o, const char *trigger, int64_t produce_ms) {
    Cs__V1__OrderState *st = o->st;
    const Cs__V1__Order *ord = st->order;

    /* What the rules read. */
    size_t nl = ord ? ord->n_lines : 0;
    ov_stock *stock = cs_xcalloc(nl ? nl : 1, sizeof *stock);
    ov_quality_count *qual = cs_xcalloc(nl ? nl : 1, sizeof *qual);
    size_t ns = 0, nq = 0;
    int64_t qstart = ov11_window_start_ms(o->shop, v->now);
    for (size_t i = 0; i < nl; i++) {
        const char *sku = ord->lines[i]->sku;
        if (!sku || !sku[0]) continue;
        bool seen = false;
        for (size_t j = 0; j < ns && !seen; j++) seen = strcmp(stock[j].sku, sku) == 0;
        if (seen) continue;
        vStock *s = stockGet(v, o->shop_id, sku, true);
        int32_t held = 0;
        for (size_t k = 0; k < o->nres; k++)
            if (strcmp(o->res[k].sku, sku) == 0) held += o->res[k].qty;
        stock[ns++] = (ov_stock){.sku = sku,
                                 .available = s->available,
                                 .restock_date_ms = s->restock_date_ms,
                                 .known = s->known,
                                 .held_by_order = held};
        char key[512];
        keyOf(key, sizeof key, o->shop_id, sku);
        vQual *q = cs_strmap_get(&v->quality, key);
        int cnt = 0;
        for (size_t k = 0; q && k < q->n; k++) cnt += q->ms[k] > qstart && q->ms[k] <= v->now;
        qual[nq++] = (ov_quality_count){.sku = sku, .cases = cnt};
    }
    char fp[OV_FP_LEN] = "";
    ov_prior_order *priors = NULL;
    size_t np = 0;
    vBuyer *buyer = NULL;
    if (ord && ord->buyer_id && ord->buyer_id[0] && ov9_fingerprint(o->shop_id, ord, fp)) {
        buyer = buyerGet(v, o->shop_id, ord->buyer_id, true);
        priors = cs_xcalloc(buyer->n ? buyer->n : 1, sizeof *priors);
        bool first = false; /* OV-9: already verified unheld with this fingerprint: its held twins came after it */
        for (size_t i = 0; i < buyer->n; i++) {
            const vFp *f = &buyer->fps[i];
            if (strcmp(f->fp, fp) != 0) continue;
            if (strcmp(f->order_id, o->order_id) == 0)
                first = !f->held && !f->cancelled;
            else
                priors[np++] = (ov_prior_order){f->order_id, f->created_ms, f->cancelled, f->held, false};
        }
        for (size_t i = 0; i < np; i++) priors[i].verified_before = !first;
    }
    /* What the order holds is passed in (held_by_order): OV-8 decides
     * whether to keep, swap or take units, and an order that goes to
     * EXCEPTION keeps what it holds while an agent looks. */
    ov_state io = {.stock = stock,
                   .nstock = ns,
                   .stock_reserved = o->nres > 0,
                   .priors = priors,
                   .npriors = np,
                   .quality = qual,
                   .nquality = nq};
    /* One decision (about 10 KB) reused: a fresh one per verification was
     * a large allocation each time, and with it a heap consolidation. The
     * worker verifies one order at a time. */
    static ov_decision dec;
    ov_decision *d = &dec;
    ov_decision_init(d);
    if (ov_verify(st, &io, o->shop, v->now, d) != 0) goto out;

    /* OV-8 without locks: the decision stays the same for any stock level
     * on the same side of each SKU's threshold; stockCheck() verifies that
     * at write time. With d = (level at write time) - (level read), the
     * order fits on a SKU iff d >= edge. */
    for (size_t i = 0; ord && ov_order_committed(ord) && i < ns; i++) { /* OV-8 reads stock only then */
        vStock *s = stockGet(v, o->shop_id, stock[i].sku, false);
        if (!s || s->locked || !s->known) continue;
        int64_t held = o->nres > 0 ? stock[i].held_by_order : 0;
        /* the level seen here was read + (this batch's changes so far);
         * replayed at write time it is that + d */
        int64_t edge = ov8_needs(ord, stock[i].sku) - held - (int64_t)stock[i].available;
        if (edge <= 0) {
            if (edge > s->lo) s->lo = edge;
        } else {
            if (edge < s->hi) s->hi = edge;
            s->short_seen = true;
        }
    }

    /* OV-8: give back, take, or keep units as decided; wait for the SKUs
     * that are short. */
    if (d->release_stock) releaseStock(v, o);
    const char *short_skus[64];
    size_t nshort = 0;
    if (d->reserve_stock) {
        if (o->nres) releaseStock(v, o); /* a swap: the new reservation replaces the old */
        bool all = true;                 /* OV-8, at the level after any release */
        for (size_t i = 0; i < ns && all; i++)
            all = ov8_sku_fits(ord, stock[i].sku, stockGet(v, o->shop_id, stock[i].sku, false)->available);
        if (all) {
            o->res = cs_xcalloc(ns ? ns : 1, sizeof *o->res);
            for (size_t i = 0; i < ns; i++) {
                int32_t q = (int32_t)ov8_needs(ord, stock[i].sku); /* fits in the level: an int32 */
                if (q <= 0) continue;
                vStock *s = stockGet(v, o->shop_id, stock[i].sku, false);
                s->available -= q;
                s->dirty = true;
                o->res[o->nres++] = (vRes){cs_xstrdup(stock[i].sku), q};
            }
            o->res_dirty = true;
        }
    }
    if (ov_has_reason(d, OV_OUT_OF_STOCK)) nshort = ov8_short_skus(ord, stock, ns, short_skus, 64);
    setWaits(o, short_skus, nshort);

    if (buyer) {
        if (strcmp(o->fp, fp) != 0) {
            cs_strlcpy(o->fp, fp, sizeof o->fp);
            o->fp_dirty = true;
        }
        buyerSet(buyer, o->order_id, fp, ord->created_ms, st->cancelled_ms != 0,
                 ov_has_reason(d, OV_DUPLICATE_SUSPECTED));
    }

    int64_t held_before = st->held_ms;
    ov_record_verdict(st, d, v->now);
    st->stock_reserved = o->nres > 0;
    scheduleTimedRules(v, o, held_before);
    projectOrder(o, d);
    o->dirty = true;

    /* The verdict: a row and a record on cs.verdicts.v1. */
    char vid[256], suffix[48], key[512];
    snprintf(suffix, sizeof suffix, "verdict/v%d", st->version);
    cs_event_id_derive(vid, sizeof vid, trigger, suffix);
    Cs__V1__Verdict vd;
    cs__v1__verdict__init(&vd);
    vd.order_id = o->order_id;
    vd.version = st->version;
    vd.state = d->state;
    vd.courier = (char *)(d->courier ? d->courier : "");
    vd.item_total_fen = d->item_total_fen;
    vd.payable_fen = d->payable_fen;
    vd.restock_date_ms = d->restock_date_ms;
    vd.decided_ms = v->now;
    vd.trigger_event_id = (char *)trigger;
    Cs__V1__Reason rs[OV_MAX_REASONS], *rp[OV_MAX_REASONS];
    Cs__V1__Annotation an[OV_MAX_ANNOTATIONS], *ap[OV_MAX_ANNOTATIONS];
    cs_copybuf *c = &v->scratch;
    cs_copy_reset(c);
    rawAppend(c, "[");
    for (int i = 0; i < d->nreasons; i++) {
        cs__v1__reason__init(&rs[i]);
        rs[i].rule = (char *)d->reasons[i].rule;
        rs[i].code = (char *)d->reasons[i].code;
        rs[i].detail = d->reasons[i].detail;
        rp[i] = &rs[i];
        rawAppend(c, i ? ",{\"rule\":" : "{\"rule\":");
        jsonStr(c, d->reasons[i].rule);
        rawAppend(c, ",\"code\":");
        jsonStr(c, d->reasons[i].code);
        rawAppend(c, ",\"detail\":");
        jsonStr(c, d->reasons[i].detail);
        rawAppend(c, "}");
    }
    rawAppend(c, "]");
    char *reasons_json = cs_xstrdup(c->data);
    cs_copy_reset(c);
    rawAppend(c, "[");
    for (int i = 0; i < d->nannotations; i++) {
        cs__v1__annotation__init(&an[i]);
        an[i].rule = (char *)d->annotations[i].rule;
        an[i].code = (char *)d->annotations[i].code;
        an[i].detail = d->annotations[i].detail;
        an[i].line_id = (char *)(d->annotations[i].line_id ? d->annotations[i].line_id : "");
        ap[i] = &an[i];
        rawAppend(c, i ? ",{\"rule\":" : "{\"rule\":");
        jsonStr(c, d->annotations[i].rule);
        rawAppend(c, ",\"code\":");
        jsonStr(c, d->annotations[i].code);
        rawAppend(c, ",\"detail\":");
        jsonStr(c, d->annotations[i].detail);
        rawAppend(c, ",\"line_id\":");
        jsonStr(c, an[i].line_id);
        rawAppend(c, "}");
    }
    rawAppend(c, "]");
    vd.n_reasons = (size_t)d->nreasons;
    vd.reasons = rp;
    vd.n_annotations = (size_t)d->nannotations;
    vd.annotations = ap;
    Cs__V1__Envelope env;
    envelopeInit(&env, v, vid, o->shop_id);
    env.body_case = CS__V1__ENVELOPE__BODY_VERDICT;
    env.verdict = &vd;
    snprintf(key, sizeof key, "%s:%s", o->shop_id, o->order_id);
    cs_batch_emit(v->b, CS_TOPIC_VERDICTS, key, &env);

    /* binary COPY (started in handleBatch): no text unescaping on the
     * server, only the two JSON documents to parse */
    cs_copybuf *w = &v->verdicts;
    cs_copybin_row(w, 12);
    cs_copybin_text(w, o->shop_id);
    cs_copybin_text(w, o->order_id);
    cs_copybin_int4(w, st->version);
    cs_copybin_text(w, o->state_name);
    cs_copybin_jsonb(w, reasons_json);
    cs_copybin_jsonb(w, c->data);
    cs_copybin_text(w, d->courier);
    cs_copybin_int8(w, d->item_total_fen);
    cs_copybin_int8(w, d->payable_fen);
    cs_copybin_int8(w, v->now);
    cs_copybin_text(w, trigger);
    if (produce_ms > 0)
        cs_copybin_int8(w, produce_ms);
    else
        cs_copybin_null(w);
    free(reasons_json);
    v->nverdicts++;
    cs_metric_add(mVerdicts, 1);

    bool raise[OV_MAX_TASKS] = {false};
    ov_tasks_to_raise(st, d, raise); /* one task per question */
    for (int i = 0; i < d->ntasks && i < OV_MAX_TASKS; i++)
        if (raise[i]) emitTask(v, o, vid, &d->tasks[i], i);
out:
    free(priors);
    free(stock);
    free(qual);
}

/* ---- events -------------------------------------------------------------------- */

static bool kindVerifies(Cs__V1__OrderEventKind k) {
    switch (k) {
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED:
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID:
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_FEE_CHANGED:
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED:
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED:
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_LINES_CHANGED: return true;
        default: return false;
    }
}

static void answerPendingInvoices(vBatch *v, vOrder *o);

static void applyOrderEvent(vBatch *v, cs_event *ev) {
    const Cs__V1__OrderEvent *oe = ev->env->order;
    vOrder *o = orderGet(v, ev->shop, ev->env->shop_id, oe->order->order_id, false);
    if (!o) return; /* cannot happen: every order of the batch was registered */
    if (!o->shop) o->shop = ev->shop;
    char err[256];
    int changed = ov12_apply_event(o->st, oe, ev->env->event_id, ev->env->event_ms, err, sizeof err);
    if (changed < 0) {
        cs_event_poison(ev, "validation: %s", err);
        return;
    }
    if (changed == 0) return; /* stale (OV-12) or no change: no new version */
    o->dirty = true;
    if (changed == OV12_RESTATED) return; /* the groups' marks moved; nothing to verify again */
    if (!o->state_name) o->state_name = stateName(o->st->last_state);
    answerPendingInvoices(v, o);
    switch (oe->kind) {
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED:
            /* EX-8 owns the registry; the verifier's part is the stock. */
            if (!oe->cancellation || oe->cancellation->n_line_ids == 0 || ov_order_over(o->st)) {
                releaseStock(v, o);
                o->st->stock_reserved = false;
                setWaits(o, NULL, 0);
                if (o->st->order && o->st->order->buyer_id && o->fp[0])
                    buyerSet(buyerGet(v, o->shop_id, o->st->order->buyer_id, true), o->order_id, o->fp,
                             o->st->order->created_ms, true, false);
            } else if (o->st->created) {
                verifyOrder(v, o, ev->env->event_id, ev->produce_ms);
            }
            return;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED: {
            ov_note note;
            if (nt6_logistics_message(o->st, o->shop, &note)) { /* NT-6: once per order */
                o->st->logistics_sent = true;
                emitNote(v, o, ev->env->event_id, &note, 0);
            }
            setWaits(o, NULL, 0);
            return;
        }
        default: break;
    }
    if (kindVerifies(oe->kind) && o->st->created && !ov_order_over(o->st))
        verifyOrder(v, o, ev->env->event_id, ev->produce_ms);
}

/* OV-8: waiting orders of the restocked SKUs, oldest payment first. */
static int loadWaiters(vBatch *v, const vPairs *skus, char *err, size_t errlen) {
    PGresult *r = NULL;
    if (query2(v,
               "SELECT DISTINCT w.shop_id, w.order_id, w.paid_ms FROM (SELECT DISTINCT a, b FROM unnest($1::text[], "
               "$2::text[]) AS x(a, b)) u "
               "JOIN stock_waits w ON w.shop_id = u.a AND w.sku = u.b ORDER BY 3, 2",
               skus, NULL, 0, &r, err, errlen) != 0)
        return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        const cs_shop *shop = cs_shops_find(cs_batch_shops(v->b), PQgetvalue(r, i, 0));
        if (shop) orderGet(v, shop, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), true);
    }
    PQclear(r);
    return 0;
}

static int cmpPaid(const void *a, const void *b) {
    const vOrder *x = *(vOrder *const *)a, *y = *(vOrder *const *)b;
    int64_t px = x->st && x->st->order ? x->st->order->paid_ms : 0;
    int64_t py = y->st && y->st->order ? y->st->order->paid_ms : 0;
    if (px != py) return px < py ? -1 : 1;
    return strcmp(x->order_id, y->order_id);
}

static int handleInventory(vBatch *v, char *err, size_t errlen) {
    vPairs skus = {0}, none = {0};
    size_t n = cs_batch_count(v->b);
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(v->b, i);
        if (!ev->poison) pairsAdd(&skus, ev->env->shop_id, ev->env->inventory->sku);
    }
    /* Orders first, stock second: the same lock order as an order batch. */
    int rc = -1;
    if (loadWaiters(v, &skus, err, errlen) != 0 || loadOrders(v, err, errlen) != 0) goto out;
    if (loadContextForOrders(v, err, errlen) != 0 || loadContext(v, &skus, &none, err, errlen) != 0) goto out;
    /* Waiters again, now that the SKUs' rows are locked: an order batch
     * that committed a wait between the first look and the lock is seen
     * (its stockCheck locked the same rows before its commit). Orders new
     * to the batch are locked after the stock here; should that deadlock
     * with an order batch, PostgreSQL aborts one and it is retried. */
    size_t before = v->nolist;
    if (loadWaiters(v, &skus, err, errlen) != 0) goto out;
    if (v->nolist > before && (loadOrders(v, err, errlen) != 0 || loadContextForOrders(v, err, errlen) != 0)) goto out;
    bool restocked = false;
    const char *trigger = NULL;
    for (size_t i = 0; i < n; i++) {
        if (cs_batch_event(v->b, i)->poison) continue;
        trigger = cs_batch_event(v->b, i)->env->event_id;
        const Cs__V1__InventoryLevel *l = cs_batch_event(v->b, i)->env->inventory;
        vStock *s = stockGet(v, cs_batch_event(v->b, i)->env->shop_id, l->sku, true);
        ov_level lv = {s->available, s->restock_date_ms, s->counted_ms, s->known};
        bool rose = ov8_apply_level(&lv, l); /* OV-8: count or restock */
        s->available = lv.available;
        s->restock_date_ms = lv.restock_date_ms;
        s->counted_ms = lv.counted_ms;
        s->known = lv.known;
        s->dirty = true;
        restocked = restocked || rose;
    }
    if (restocked) {
        /* Re-verify waiting orders, oldest payment first (OV-8). */
        size_t nw = 0;
        vOrder **w = cs_xcalloc(v->nolist ? v->nolist : 1, sizeof *w);
        for (size_t i = 0; i < v->nolist; i++)
            if (v->olist[i]->nwaits && v->olist[i]->st && v->olist[i]->st->created) w[nw++] = v->olist[i];
        qsort(w, nw, sizeof *w, cmpPaid);
        for (size_t i = 0; i < nw; i++) {
            char t2[512]; /* the whole order id (cs_event_id_derive hashes a long one) */
            snprintf(t2, sizeof t2, "%s/restock/%s", trigger, w[i]->order_id);
            w[i]->st->version++; /* a re-verification is a new order version */
            verifyOrder(v, w[i], t2, 0);
        }
        free(w);
    }
    rc = 0;
out:
    pairsFree(&skus);
    return rc;
}

static void handleAftersales(vBatch *v) {
    /* OV-11: the verifier keeps only the quality cases per SKU. */
    for (size_t i = 0; i < cs_batch_count(v->b); i++) {
        cs_event *ev = cs_batch_event(v->b, i);
        const Cs__V1__AfterSalesEvent *a = ev->env->aftersales;
        if (a->body_case != CS__V1__AFTER_SALES_EVENT__BODY_CASE) continue;
        const Cs__V1__AfterSalesCase *c = a->case_;
        if (c->reason != CS__V1__CASE_REASON__CASE_REASON_QUALITY || !c->sku || !c->sku[0]) continue;
        /* a row of writeAll's array parameters (cs_pgbin_columns) */
        cs_copybin_row(&v->quality_rows, 4);
        cs_copybin_text(&v->quality_rows, ev->env->shop_id);
        cs_copybin_text(&v->quality_rows, c->case_id);
        cs_copybin_text(&v->quality_rows, c->sku);
        cs_copybin_int8(&v->quality_rows, c->requested_ms > 0 ? c->requested_ms : ev->env->event_ms);
    }
}

static int handleContacts(vBatch *v, char *err, size_t errlen) {
    size_t n = cs_batch_count(v->b);
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(v->b, i);
        if (ev->env->contact->body_case == CS__V1__CONTACT_EVENT__BODY_INVOICE)
            orderGet(v, ev->shop, ev->env->shop_id, ev->env->contact->invoice->order_id, true);
    }
    if (loadOrders(v, err, errlen) != 0) return -1;
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(v->b, i);
        if (ev->env->contact->body_case != CS__V1__CONTACT_EVENT__BODY_INVOICE) continue;
        vOrder *o = orderGet(v, ev->shop, ev->env->shop_id, ev->env->contact->invoice->order_id, false);
        if (!o->st->created) {
            /* it waits in the order's state until the order is created (OV-14) */
            ov14_wait w = ov14_wait_for_order(o->st, ev->env->event_id);
            if (w == OV14_WAITING_FULL)
                cs_event_poison(ev, "invoice request for unknown order %.64s (%d already waiting)", o->order_id,
                                OV14_MAX_WAITING);
            if (w == OV14_WAIT) o->dirty = true;
            continue;
        }
        ov_note note;
        ov14_invoice_note(o->st->order, o->shop, &note);                   /* OV-14 */
        if (note.template_id) emitNote(v, o, ev->env->event_id, &note, 0); /* NULL: no amount to tell */
    }
    return 0;
}

/* OV-14 for invoice requests that came before their order: answered once
 * the order exists, each under its own request's event id (so a replay
 * derives the same notification id). */
static void answerPendingInvoices(vBatch *v, vOrder *o) {
    Cs__V1__OrderState *st = o->st;
    if (!st->created || st->n_pending_invoices == 0) return;
    for (size_t k = 0; k < st->n_pending_invoices; k++) {
        ov_note note;
        ov14_invoice_note(st->order, o->shop, &note);
        if (note.template_id) emitNote(v, o, st->pending_invoices[k], &note, 0);
        free(st->pending_invoices[k]);
    }
    free(st->pending_invoices);
    st->pending_invoices = NULL;
    st->n_pending_invoices = 0;
    o->dirty = true;
}

/* ---- writing ----------------------------------------------------------------- */

/* OV-8 when stock was read without locks: locks the rows this batch's
 * decisions read or changed, in key order, and checks that each level
 * moved (by other transactions, since it was read) by a d within [lo, hi),
 * and that a restock date an order was told is unchanged. Then every
 * decision is the one a run at this moment would take, and the rows are
 * written as now + this batch's changes. Otherwise the batch fails and is
 * retried at once with the stock locked as it is read (ovStockConflict).
 * "Two orders can never both take the last unit": a reservation is
 * written only on a locked row whose level still covers it. */
static int stockCheck(vBatch *v, char *err, size_t errlen) {
    vPairs p = {0};
    for (size_t i = 0; i < v->nslist; i++) {
        vStock *s = v->slist[i];
        if (!s->locked && s->known && (s->dirty || s->lo != INT64_MIN || s->hi != INT64_MAX))
            pairsAdd(&p, s->shop_id, s->sku);
    }
    if (p.n == 0) return 0;
    PGresult *r = NULL;
    int rc = query2(v,
                    "SELECT s.shop_id, s.sku, s.available, s.restock_date_ms, s.counted_ms FROM (SELECT DISTINCT a, b "
                    "FROM unnest($1::text[], $2::text[]) AS x(a, b)) u JOIN stock s ON s.shop_id = u.a AND s.sku = u.b "
                    "ORDER BY 1, 2 FOR UPDATE OF s",
                    &p, NULL, 0, &r, err, errlen);
    pairsFree(&p);
    if (rc != 0) return -1;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
        vStock *s = stockGet(v, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), false);
        if (!s) continue;
        int64_t now_level = strtoll(PQgetvalue(r, i, 2), NULL, 10), d = now_level - s->read_available;
        int64_t restock = strtoll(PQgetvalue(r, i, 3), NULL, 10);
        int64_t level = (int64_t)s->available + d;
        if (d < s->lo || d >= s->hi || (s->short_seen && restock != s->read_restock_ms) || level < 0 ||
            level > INT32_MAX) {
            snprintf(err, errlen,
                     "OV-8: stock of %s:%s moved from %d to %" PRId64 " under the batch; retried with locks",
                     s->shop_id, s->sku, s->read_available, now_level);
            ovStockConflict = true;
            cs_metric_add(mStockConflicts, 1);
            rc = -1;
            break;
        }
        s->available = (int32_t)level;
        s->restock_date_ms = restock;
        s->counted_ms = strtoll(PQgetvalue(r, i, 4), NULL, 10);
        s->locked = true;
    }
    PQclear(r);
    return rc;
}

/* The orders columns as writeAll's upsert of existing rows takes them:
 * element types of its array parameters, in the rows' field order. The
 * array columns (reasons, reserved_*) go as text literals, one per row: an
 * array parameter's elements cannot be arrays of varying length. */
static const uint32_t ovOrderParamTypes[20] = {
    CS_PG_TEXT,
    CS_PG_TEXT,
    CS_PG_INT4,
    CS_PG_TEXT,
    CS_PG_TEXT /* reasons */,
    CS_PG_TEXT,
    CS_PG_TEXT,
    CS_PG_INT8,
    CS_PG_INT8,
    CS_PG_INT8,
    CS_PG_INT8,
    CS_PG_INT8,
    CS_PG_INT8,
    CS_PG_INT8,
    CS_PG_TEXT,
    CS_PG_INT8,
    CS_PG_TEXT,
    CS_PG_BYTEA,
    CS_PG_TEXT /* reserved_skus */,
    CS_PG_TEXT /* reserved_qty */
};

static int writeAll(vBatch *v, char *err, size_t errlen) {
    PGconn *pg = v->pg;
    cs_copybuf *c = &v->scratch;
    /* orders */
    /* Binary COPY for new rows, binary array parameters for existing ones:
     * the server parses no text (the document alone is 600 bytes, 1 200 as
     * hex). Measured on 100 000 orders rows with no index, 6.0 us a row
     * against 13.5 for the same rows as text. */
    cs_copybuf *fresh = &v->fresh, *rows_old = c;
    cs_copy_reset(rows_old); /* rows for cs_pgbin_columns: no COPY header */
    cs_copybin_start(fresh);
    size_t nd = 0;
    vPairs waitOrders = {0};
    for (size_t i = 0; i < v->nolist; i++) {
        vOrder *o = v->olist[i];
        /* an order new to the database has no old rows to delete */
        if (o->waits_dirty && o->existed) pairsAdd(&waitOrders, o->shop_id, o->order_id);
        if (!o->dirty && !o->fp_dirty && !o->res_dirty) continue;
        Cs__V1__OrderState *st = o->st;
        cs_copybuf *c = o->existed ? rows_old : fresh;
        const Cs__V1__Order *ord = st->order;
        size_t len = cs__v1__order_state__get_packed_size(st);
        if (len > ovDocCap) {
            ovDocCap = len + 1024;
            ovDoc = cs_xrealloc(ovDoc, ovDocCap);
        }
        cs__v1__order_state__pack(st, ovDoc);
        bool decided = o->decided;
        cs_copybin_row(c, 20);
        cs_copybin_text(c, o->shop_id);
        cs_copybin_text(c, o->order_id);
        cs_copybin_int4(c, st->version);
        cs_copybin_text(c, o->state_name ? o->state_name : stateName(st->last_state));
        if (decided && o->existed) {
            cs_pg_text_array(&v->arr1, o->codes, (size_t)o->ncodes);
            cs_copybin_text(c, v->arr1.data);
        } else if (decided)
            cs_copybin_text_array(c, o->codes, (size_t)o->ncodes);
        else if (o->existed)
            cs_copybin_null(c); /* keep the stored reasons */
        else
            cs_copybin_text_array(c, NULL, 0);
        cs_copybin_text(c, ord && ord->buyer_id && ord->buyer_id[0] ? ord->buyer_id : NULL);
        cs_copybin_text(c, ord ? channelName(ord->channel) : NULL);
        if (ord && ord->created_ms)
            cs_copybin_int8(c, ord->created_ms);
        else
            cs_copybin_null(c);
        if (ord && ord->paid_ms)
            cs_copybin_int8(c, ord->paid_ms);
        else
            cs_copybin_null(c);
        if (st->shipped_ms)
            cs_copybin_int8(c, st->shipped_ms);
        else
            cs_copybin_null(c);
        if (st->cancelled_ms)
            cs_copybin_int8(c, st->cancelled_ms);
        else
            cs_copybin_null(c);
        if (decided) {
            cs_copybin_int8(c, o->item_total);
            cs_copybin_int8(c, o->payable);
        } else {
            cs_copybin_null(c);
            cs_copybin_null(c);
        }
        if (ord && ord->paid_ms)
            cs_copybin_int8(c, ord->paid_amount_fen);
        else
            cs_copybin_null(c);
        cs_copybin_text(c, o->courier ? o->courier : (ord && ord->courier && ord->courier[0] ? ord->courier : NULL));
        cs_copybin_int8(c, st->restock_date_ms);
        cs_copybin_text(c, o->fp[0] ? o->fp : NULL);
        cs_copybin_bytes(c, ovDoc, len);
        /* OV-8: the units it holds (NULL when none: no storage at all) */
        if (o->nres) {
            static const char **skus;
            static int32_t *qty;
            static int64_t *qty64;
            static size_t cap;
            if (o->nres > cap) {
                cap = o->nres + 16;
                skus = cs_xrealloc(skus, cap * sizeof *skus);
                qty = cs_xrealloc(qty, cap * sizeof *qty);
                qty64 = cs_xrealloc(qty64, cap * sizeof *qty64);
            }
            for (size_t j = 0; j < o->nres; j++) {
                skus[j] = o->res[j].sku;
                qty[j] = o->res[j].qty;
                qty64[j] = qty[j];
            }
            if (o->existed) {
                cs_pg_text_array(&v->arr1, skus, o->nres);
                cs_copybin_text(c, v->arr1.data);
                cs_pg_int_array(&v->arr2, qty64, o->nres);
                cs_copybin_text(c, v->arr2.data);
            } else {
                cs_copybin_text_array(c, skus, o->nres);
                cs_copybin_int4_array(c, qty, o->nres);
            }
        } else {
            cs_copybin_null(c);
            cs_copybin_null(c);
        }
        nd++;
    }
    cs_copybin_finish(fresh);
    int rc = -1;
    int64_t w0 = cs_mono_ms(), w1 = 0, w2 = 0, w3 = 0;
    if (nd) {
        /* Rows of orders seen for the first time go straight in; existing
         * ones are upserted from array parameters, one per column (not
         * through a staging table: see the stock upsert below). */
        if (fresh->rows &&
            cs_copy_send(
                pg,
                "COPY orders (shop_id, order_id, version, state, reasons, buyer_id, channel, created_ms, paid_ms, "
                "shipped_ms, cancelled_ms, item_total_fen, payable_fen, paid_fen, courier, restock_date_ms, "
                "fingerprint, doc, "
                "reserved_skus, reserved_qty) FROM STDIN (FORMAT binary)",
                fresh, err, errlen) != 0)
            goto out;
        /* The columns' buffers live on from batch to batch, as the
         * batch's own do (ovBufs, bufKeep). */
        static cs_copybuf cols[20];
        bool bad = false;
        if (rows_old->rows) {
            if (cs_pgbin_columns(rows_old, 20, ovOrderParamTypes, cols) != (long)rows_old->rows) {
                snprintf(err, errlen, "orders: a row without its 20 fields (a bug)");
                bad = true;
            }
            bad =
                bad ||
                cs_pg_exec_bin(
                    pg,
                    "INSERT INTO orders (shop_id, order_id, version, state, reasons, buyer_id, channel, created_ms, "
                    "paid_ms, "
                    "shipped_ms, cancelled_ms, item_total_fen, payable_fen, paid_fen, courier, restock_date_ms, "
                    "fingerprint, doc, "
                    "reserved_skus, reserved_qty) "
                    "SELECT shop_id, order_id, version, state, COALESCE(reasons::text[], '{}'), buyer_id, channel, "
                    "created_ms, paid_ms, "
                    "shipped_ms, cancelled_ms, item_total_fen, payable_fen, paid_fen, courier, restock_date_ms, "
                    "fingerprint, doc, "
                    "reserved_skus::text[], reserved_qty::int[] "
                    "FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], "
                    "$8::bigint[], "
                    "$9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], "
                    "$15::text[], "
                    "$16::bigint[], $17::text[], $18::bytea[], $19::text[], $20::text[]) AS u(shop_id, order_id, "
                    "version, state, "
                    "reasons, buyer_id, channel, created_ms, paid_ms, shipped_ms, cancelled_ms, item_total_fen, "
                    "payable_fen, "
                    "paid_fen, courier, restock_date_ms, fingerprint, doc, reserved_skus, reserved_qty) "
                    "ON CONFLICT (shop_id, order_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state, "
                    "reasons = CASE WHEN EXCLUDED.item_total_fen IS NULL THEN orders.reasons ELSE EXCLUDED.reasons "
                    "END, "
                    "buyer_id = EXCLUDED.buyer_id, channel = EXCLUDED.channel, created_ms = EXCLUDED.created_ms, "
                    "paid_ms = EXCLUDED.paid_ms, shipped_ms = EXCLUDED.shipped_ms, cancelled_ms = "
                    "EXCLUDED.cancelled_ms, "
                    "item_total_fen = COALESCE(EXCLUDED.item_total_fen, orders.item_total_fen), "
                    "payable_fen = COALESCE(EXCLUDED.payable_fen, orders.payable_fen), paid_fen = EXCLUDED.paid_fen, "
                    "courier = EXCLUDED.courier, restock_date_ms = EXCLUDED.restock_date_ms, fingerprint = "
                    "EXCLUDED.fingerprint, "
                    "doc = EXCLUDED.doc, reserved_skus = EXCLUDED.reserved_skus, reserved_qty = EXCLUDED.reserved_qty, "
                    "updated_at = now()",
                    20, cols, NULL, err, errlen) != 0;
            for (int k = 0; k < 20; k++) cs_copy_keep(&cols[k], OV_BUF_KEEP);
        }
        if (bad) goto out;
    }
    w1 = cs_mono_ms();
    if (v->verdicts.rows) cs_copybin_finish(&v->verdicts);
    if (v->verdicts.rows &&
        cs_copy_send(pg,
                     "COPY verdicts (shop_id, order_id, version, state, reasons, annotations, courier, item_total_fen, "
                     "payable_fen, decided_ms, trigger_event_id, produced_ms) FROM STDIN (FORMAT binary)",
                     &v->verdicts, err, errlen) != 0)
        goto out;
    if (v->quality_rows.rows) {
        static const uint32_t types[4] = {CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT, CS_PG_INT8};
        cs_copybuf cols[4] = {{0}};
        bool bad = cs_pgbin_columns(&v->quality_rows, 4, types, cols) != (long)v->quality_rows.rows;
        if (bad) snprintf(err, errlen, "quality_cases: a row without its 4 fields (a bug)");
        bad = bad || cs_pg_exec_bin(pg,
                                    "INSERT INTO quality_cases (shop_id, case_id, sku, opened_ms) "
                                    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) "
                                    "ON CONFLICT DO NOTHING",
                                    4, cols, NULL, err, errlen) != 0;
        for (int k = 0; k < 4; k++) cs_copy_free(&cols[k]);
        if (bad) goto out;
    }
    w2 = cs_mono_ms();
    /* waits: rewritten whole for the orders that changed */
    {
        if (waitOrders.n && query2(v,
                                   "DELETE FROM stock_waits w USING (SELECT DISTINCT a, b FROM unnest($1::text[], "
                                   "$2::text[]) AS x(a, b)) u "
                                   "WHERE w.shop_id = u.a AND w.order_id = u.b",
                                   &waitOrders, NULL, 0, NULL, err, errlen) != 0)
            goto out;
        cs_copy_reset(c);
        for (size_t i = 0; i < v->nolist; i++) {
            vOrder *o = v->olist[i];
            if (!o->waits_dirty) continue;
            for (size_t j = 0; j < o->nwaits; j++) {
                cs_copy_text(c, o->shop_id);
                cs_copy_text(c, o->waits[j]);
                cs_copy_text(c, o->order_id);
                cs_copy_int(c, o->st->order ? o->st->order->paid_ms : 0);
                cs_copy_end_row(c);
            }
        }
        if (c->rows &&
            cs_copy_send(pg, "COPY stock_waits (shop_id, sku, order_id, paid_ms) FROM STDIN", c, err, errlen) != 0)
            goto out;
    }
    w3 = cs_mono_ms();
    /* stock */
    if (stockCheck(v, err, errlen) != 0) goto out;
    /* Written from parameter arrays, not through a staging table: a
     * temporary table touched in a transaction makes its COMMIT truncate
     * every ON COMMIT DELETE ROWS table (a file truncation each, seen as
     * DataFileTruncate waits at COMMIT on every order batch). */
    {
        size_t n = 0;
        for (size_t i = 0; i < v->nslist; i++) n += v->slist[i]->dirty;
        if (n) {
            const char **shops = cs_xcalloc(n, sizeof *shops), **skus = cs_xcalloc(n, sizeof *skus);
            int64_t *avail = cs_xcalloc(n, sizeof *avail), *restock = cs_xcalloc(n, sizeof *restock),
                    *counted = cs_xcalloc(n, sizeof *counted);
            size_t k = 0;
            int bad = 0;
            for (size_t i = 0; i < v->nslist; i++) {
                vStock *s = v->slist[i];
                if (!s->dirty) continue;
                if (s->available < 0) {
                    /* Never: reservations check first. A negative here is a
                     * bug, and the CHECK constraint would refuse it anyway. */
                    snprintf(err, errlen, "stock %s:%s would go below zero", s->shop_id, s->sku);
                    bad = 1;
                    break;
                }
                shops[k] = s->shop_id;
                skus[k] = s->sku;
                avail[k] = s->available;
                restock[k] = s->restock_date_ms;
                counted[k] = s->counted_ms;
                k++;
            }
            cs_copybuf a3 = {0}, a4 = {0}, a5 = {0};
            if (!bad) {
                cs_pg_text_array(&v->arr1, shops, k);
                cs_pg_text_array(&v->arr2, skus, k);
                cs_pg_int_array(&a3, avail, k);
                cs_pg_int_array(&a4, restock, k);
                cs_pg_int_array(&a5, counted, k);
                const char *p[5] = {v->arr1.data, v->arr2.data, a3.data, a4.data, a5.data};
                bad = cs_pg_exec(pg,
                                 "INSERT INTO stock (shop_id, sku, available, restock_date_ms, counted_ms) "
                                 "SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[]) "
                                 "ON CONFLICT (shop_id, sku) DO UPDATE SET available = EXCLUDED.available, "
                                 "restock_date_ms = EXCLUDED.restock_date_ms, counted_ms = EXCLUDED.counted_ms",
                                 5, p, NULL, err, errlen) != 0;
            }
            free(shops);
            free(skus);
            free(avail);
            free(restock);
            free(counted);
            cs_copy_free(&a3);
            cs_copy_free(&a4);
            cs_copy_free(&a5);
            if (bad) goto out;
        }
    }
    rc = 0;
    cs_log_debug("write: orders %" PRId64 " verdicts+tasks %" PRId64 " res %" PRId64 " fp+stock %" PRId64
                 " ms (%zu orders)",
                 w1 - w0, w2 - w1, w3 - w2, cs_mono_ms() - w3, nd);
out:
    pairsFree(&waitOrders);
    return rc;
}

/* ---- the handler ---------------------------------------------------------------- */

static int handleBatch(void *user, cs_batch *b, char *err, size_t errlen) {
    (void)user;
    vBatch v;
    memset(&v, 0, sizeof v);
    v.b = b;
    v.pg = cs_batch_pg(b);
    v.now = cs_batch_now(b);
    v.orders = ovMaps.orders;
    v.stock = ovMaps.stock;
    v.buyers = ovMaps.buyers;
    v.quality = ovMaps.quality;
    memset(&ovMaps, 0, sizeof ovMaps);
    bufTake(&v.verdicts, &ovBufs.verdicts);
    cs_copybin_start(&v.verdicts);
    bufTake(&v.quality_rows, &ovBufs.quality_rows);
    bufTake(&v.arr1, &ovBufs.arr1);
    bufTake(&v.arr2, &ovBufs.arr2);
    bufTake(&v.scratch, &ovBufs.scratch);
    bufTake(&v.fresh, &ovBufs.fresh);
    size_t n = cs_batch_count(b);
    const char *topic = n ? cs_batch_event(b, 0)->topic : "";
    /* Order batches read stock without locks (stockCheck), unless this is
     * the retry of a batch that found stock moved under it; the rarer
     * inventory, after-sales, contact and timer batches lock as they read. */
    v.lock_stock = ovStockConflict || strcmp(topic, CS_TOPIC_ORDERS) != 0;
    ovStockConflict = false;
    char why[CS_REASON_LEN];
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(b, i);
        if (!ov_event_valid(ev, why, sizeof why)) cs_event_poison(ev, "%s", why);
    }
    int rc = -1;
    if (strcmp(topic, CS_TOPIC_ORDERS) == 0) {
        for (size_t i = 0; i < n; i++) {
            cs_event *ev = cs_batch_event(b, i);
            if (!ev->poison) orderGet(&v, ev->shop, ev->env->shop_id, ev->env->order->order->order_id, true);
        }
        int64_t t0 = cs_mono_ms();
        if (loadOrders(&v, err, errlen) != 0 || loadContextForOrders(&v, err, errlen) != 0) goto out;
        cs_log_debug("orders batch: load %" PRId64 " ms", cs_mono_ms() - t0);
        for (size_t i = 0; i < n; i++) {
            cs_event *ev = cs_batch_event(b, i);
            if (!ev->poison) applyOrderEvent(&v, ev);
        }
        armSweeps(&v); /* OV-13 */
    } else if (strcmp(topic, CS_TOPIC_INVENTORY) == 0) {
        bool any = false;
        for (size_t i = 0; i < n; i++) any = any || !cs_batch_event(b, i)->poison;
        if (any) {
            if (handleInventory(&v, err, errlen) != 0) goto out;
        }
    } else if (strcmp(topic, CS_TOPIC_AFTERSALES) == 0) {
        handleAftersales(&v);
    } else if (strcmp(topic, CS_TOPIC_CONTACTS) == 0) {
        if (handleContacts(&v, err, errlen) != 0) goto out;
    } else if (strcmp(topic, CS_TOPIC_TIMERS) == 0) {
        if (handleTimers(&v, err, errlen) != 0) goto out;
    }
    if (v.timer_err[0]) {
        snprintf(err, errlen, "%s", v.timer_err);
        goto out;
    }
    int64_t tw = cs_mono_ms();
    rc = writeAll(&v, err, errlen);
    cs_log_debug("batch: write %" PRId64 " ms", cs_mono_ms() - tw);
out:
    batchFree(&v);
    return rc;
}

static int ovInit(void *user, const cs_config *cfg, const cs_shops *shops, char *err, size_t errlen) {
    (void)user;
    (void)cfg;
    (void)shops;
    (void)err;
    (void)errlen;
    cs_strmap_init(&ovArmed);
    mVerdicts =
        cs_metric_get(CS_METRIC_COUNTER, "cs_ov_verdicts_total", "Verdicts recorded (one per order version)", NULL);
    cs_fx_metrics("cs_ov", "verifier", NULL); /* cs_ov_tasks_total, cs_ov_notifications_total */
    mStockConflicts =
        cs_metric_get(CS_METRIC_COUNTER, "cs_ov_stock_conflicts_total",
                      "Order batches retried with stock locked because stock moved under them (OV-8)", NULL);
    return 0;
}

static const char *const ovTopics[] = {CS_TOPIC_ORDERS,   CS_TOPIC_INVENTORY, CS_TOPIC_AFTERSALES,
                                       CS_TOPIC_CONTACTS, CS_TOPIC_TIMERS,    NULL};

static const cs_worker_def ovDef = {
    .name = OV_WORKER_NAME,
    .topics = ovTopics,
    .handle_batch = handleBatch,
    .init = ovInit,
};

const cs_worker_def *ov_worker_def(void) { return &ovDef; }
