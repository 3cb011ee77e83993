/* readmodel.c -- shared read models (see readmodel.h).
 *
 * A batch keeps the order documents it read (a cache registered on the
 * batch, dropped with it): a worker's prepare hook reads every order its
 * events name in one query (cs_order_prefetch), and each handler's
 * cs_order_load then unpacks from memory instead of a round trip per
 * event. */
#include "cs/readmodel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/log.h"
#include "cs/pg.h"
#include "cs/strmap.h"
#include "cs/util.h"

#define ORDER_KEY_LEN 512

typedef struct orderDoc {
    uint8_t *doc; /* NULL: not stored */
    size_t len;
} orderDoc;

typedef struct orderCache {
    cs_strmap map; /* "<shop>\x1f<order>" -> orderDoc */
    orderDoc **docs;
    size_t n, cap;
} orderCache;

static void cacheCommitted(void *arg) { (void)arg; }

static void cacheFree(void *arg) {
    orderCache *c = arg;
    for (size_t i = 0; i < c->n; i++) {
        free(c->docs[i]->doc);
        free(c->docs[i]);
    }
    free(c->docs);
    cs_strmap_clear(&c->map);
    free(c);
}

static orderCache *batchCache(cs_batch *b) {
    orderCache *c = cs_batch_after_commit_arg(b, cacheCommitted);
    if (!c) {
        c = cs_xcalloc(1, sizeof *c);
        cs_strmap_init(&c->map);
        cs_batch_after_commit(b, cacheCommitted, c, cacheFree);
    }
    return c;
}

static bool orderKey(char *out, size_t len, const char *shop, const char *order) {
    return snprintf(out, len, "%s\x1f%s", shop, order) < (int)len;
}

static orderDoc *cachePut(orderCache *c, const char *key, const void *doc, size_t len) {
    orderDoc *d = cs_xcalloc(1, sizeof *d);
    if (doc) {
        d->doc = cs_xmalloc(len ? len : 1);
        memcpy(d->doc, doc, len);
        d->len = len;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->docs = cs_xrealloc(c->docs, c->cap * sizeof *c->docs);
    }
    c->docs[c->n++] = d;
    cs_strmap_put(&c->map, key, d);
    return d;
}

int cs_order_prefetch(cs_batch *b, const char *const *shops, const char *const *orders, size_t n, char *err,
                      size_t errlen) {
    orderCache *c = batchCache(b);
    const char **ws = cs_xcalloc(n ? n : 1, sizeof *ws), **wo = cs_xcalloc(n ? n : 1, sizeof *wo);
    size_t m = 0;
    char key[ORDER_KEY_LEN];
    for (size_t i = 0; i < n; i++) {
        if (!shops[i] || !orders[i] || !orders[i][0] || !orderKey(key, sizeof key, shops[i], orders[i])) continue;
        if (cs_strmap_get(&c->map, key)) continue;
        cachePut(c, key, NULL, 0); /* unknown, unless the query finds it */
        ws[m] = shops[i];
        wo[m++] = orders[i];
    }
    int rc = 0;
    if (m) {
        cs_copybuf a1 = {0}, a2 = {0};
        cs_pg_text_array(&a1, ws, m);
        cs_pg_text_array(&a2, wo, m);
        const char *p[] = {a1.data, a2.data};
        PGresult *r = PQexecParams(cs_batch_pg(b),
                                   /* one index probe per order (LATERAL; OFFSET 0 keeps it from being
                                    * flattened into a join, which stale statistics plan as a scan) */
                                   "SELECT o.shop_id, o.order_id, o.doc FROM (SELECT DISTINCT * FROM unnest($1::text[], "
                                   "$2::text[]) AS k(s, i)) k CROSS JOIN LATERAL (SELECT shop_id, order_id, doc FROM "
                                   "orders WHERE shop_id = k.s AND order_id = k.i OFFSET 0) o",
                                   2, NULL, p, NULL, NULL, 1);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            snprintf(err, errlen, "prefetch %zu orders: %s", m, PQresultErrorMessage(r));
            rc = -1;
        } else {
            for (int j = 0; j < PQntuples(r); j++) {
                if (PQgetisnull(r, j, 2) || !orderKey(key, sizeof key, PQgetvalue(r, j, 0), PQgetvalue(r, j, 1)))
                    continue;
                orderDoc *d = cs_strmap_get(&c->map, key);
                if (!d || d->doc) continue;
                d->len = (size_t)PQgetlength(r, j, 2);
                d->doc = cs_xmalloc(d->len ? d->len : 1);
                memcpy(d->doc, PQgetvalue(r, j, 2), d->len);
            }
        }
        PQclear(r);
        cs_copy_free(&a1);
        cs_copy_free(&a2);
    }
    free(ws);
    free(wo);
    return rc;
}

int cs_order_load(cs_batch *b, const char *shop_id, const char *order_id, cs_order_view *v, char *err, size_t errlen) {
    memset(v, 0, sizeof *v);
    orderCache *c = batchCache(b);
    char key[ORDER_KEY_LEN];
    bool cacheable = orderKey(key, sizeof key, shop_id, order_id);
    orderDoc *d = cacheable ? cs_strmap_get(&c->map, key) : NULL;
    if (!d) {
        const char *p[] = {shop_id, order_id};
        PGresult *r = PQexecParams(cs_batch_pg(b), "SELECT doc FROM orders WHERE shop_id = $1 AND order_id = $2", 2,
                                   NULL, p, NULL, NULL, 1);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            snprintf(err, errlen, "load order: %s", PQresultErrorMessage(r));
            PQclear(r);
            return -1;
        }
        bool found = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0);
        orderDoc tmp = {0};
        if (found) tmp = (orderDoc){(uint8_t *)PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0)};
        if (cacheable) {
            d = cachePut(c, key, tmp.doc, tmp.len);
        } else if (found) {
            v->st = cs__v1__order_state__unpack(NULL, tmp.len, tmp.doc);
        }
        PQclear(r);
    }
    if (d && d->doc) v->st = cs__v1__order_state__unpack(NULL, d->len, d->doc);
    if ((d ? d->doc != NULL : false) && !v->st)
        cs_log_warn("order %s:%s: stored state does not decode; treated as unknown", shop_id, order_id);
    cs_order_facts_from_state(&v->f, v->st, order_id);
    return 0;
}

void cs_order_view_free(cs_order_view *v) {
    if (v->st) cs__v1__order_state__free_unpacked(v->st, NULL);
    memset(v, 0, sizeof *v);
}
