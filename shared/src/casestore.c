/* casestore.c -- the case store (see casestore.h): one row per case, its
 * document sent and read as binary bytea (no hex round trip).
 *
 * Within a batch the store keeps what it read and what was saved in a
 * cache of its own (registered on the batch, dropped with it, committed or
 * not): a case prefetched for the batch, or loaded once, is read from
 * memory after that, and every case saved is written by one upsert from
 * array parameters just before COMMIT (a before-commit hook). A wave of
 * fired follow-up timers thus costs one read and one write per batch, not
 * two round trips per case. Queries that look cases up by a column
 * (cs_case_find_open) write the batch's saves out first, so they see them. */
#include "cs/casestore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/effects.h"
#include "cs/pg.h"
#include "cs/strmap.h"
#include "cs/topics.h"
#include "cs/util.h"

/* One case the batch has read or saved. */
typedef struct caseEnt {
    char *shop, *kind, *id;
    uint8_t *doc; /* NULL: not stored */
    size_t len;
    bool dirty; /* saved in this batch, not yet written */
    char *order_id, *stage, *buyer_id, *phone;
    int64_t opened_ms, closed_ms;
} caseEnt;

typedef struct caseCache {
    cs_strmap map; /* "<shop>\x1f<kind>\x1f<id>" -> caseEnt */
    caseEnt **ents;
    size_t n, cap;
    size_t dirty;
} caseCache;

static void cacheCommitted(void *arg) { (void)arg; }

static void entFree(caseEnt *e) {
    free(e->shop);
    free(e->kind);
    free(e->id);
    free(e->doc);
    free(e->order_id);
    free(e->stage);
    free(e->buyer_id);
    free(e->phone);
    free(e);
}

static void cacheFree(void *arg) {
    caseCache *c = arg;
    for (size_t i = 0; i < c->n; i++) entFree(c->ents[i]);
    free(c->ents);
    cs_strmap_clear(&c->map);
    free(c);
}

/* The batch's cache, made and registered on first use. */
static caseCache *batchCache(cs_batch *b) {
    caseCache *c = cs_batch_after_commit_arg(b, cacheCommitted);
    if (!c) {
        c = cs_xcalloc(1, sizeof *c);
        cs_strmap_init(&c->map);
        cs_batch_after_commit(b, cacheCommitted, c, cacheFree);
    }
    return c;
}

static void entKey(char *out, size_t len, const char *shop, const char *kind, const char *id) {
    snprintf(out, len, "%s\x1f%s\x1f%s", shop, kind, id);
}

static caseEnt *cacheGet(caseCache *c, const char *shop, const char *kind, const char *id) {
    char key[CS_CASE_KEY_LEN];
    entKey(key, sizeof key, shop, kind, id);
    return cs_strmap_get(&c->map, key);
}

/* The entry of (shop, kind, id), made (not stored) when missing. */
static caseEnt *cachePut(caseCache *c, const char *shop, const char *kind, const char *id) {
    caseEnt *e = cacheGet(c, shop, kind, id);
    if (e) return e;
    e = cs_xcalloc(1, sizeof *e);
    e->shop = cs_xstrdup(shop);
    e->kind = cs_xstrdup(kind);
    e->id = cs_xstrdup(id);
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->ents = cs_xrealloc(c->ents, c->cap * sizeof *c->ents);
    }
    c->ents[c->n++] = e;
    char key[CS_CASE_KEY_LEN];
    entKey(key, sizeof key, shop, kind, id);
    cs_strmap_put(&c->map, key, e);
    return e;
}

static void entSetDoc(caseEnt *e, const void *doc, size_t len) {
    free(e->doc);
    e->doc = NULL;
    e->len = 0;
    if (!doc) return;
    e->doc = cs_xmalloc(len ? len : 1);
    memcpy(e->doc, doc, len);
    e->len = len;
}

static bool keyFits(const char *shop, const char *kind, const char *id) {
    return strlen(shop) + strlen(kind) + strlen(id) + 3 <= CS_CASE_KEY_LEN;
}

/* ---- reads ---------------------------------------------------------------------------------- */

int cs_case_prefetch(cs_batch *b, const char *kind, const char *const *shops, const char *const *ids, size_t n,
                     char *err, size_t errlen) {
    caseCache *c = batchCache(b);
    const char **ws = cs_xcalloc(n ? n : 1, sizeof *ws), **wi = cs_xcalloc(n ? n : 1, sizeof *wi);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!shops[i] || !ids[i] || !ids[i][0] || !keyFits(shops[i], kind, ids[i])) continue;
        if (cacheGet(c, shops[i], kind, ids[i])) continue;
        cachePut(c, shops[i], kind, ids[i]); /* not stored, unless the query finds it */
        ws[m] = shops[i];
        wi[m++] = ids[i];
    }
    int rc = 0;
    if (m) {
        cs_copybuf a1 = {0}, a2 = {0};
        cs_pg_text_array(&a1, ws, m);
        cs_pg_text_array(&a2, wi, m);
        const char *p[] = {kind, a1.data, a2.data};
        /* in key order, so two batches lock shared rows in one order; one
         * index probe per case (LATERAL), which a join can stop being
         * once the table grows (docs/performance.md) */
        PGresult *r = PQexecParams(cs_batch_pg(b),
                                   "SELECT c.shop_id, c.case_id, c.doc FROM (SELECT DISTINCT * FROM unnest($2::text[], "
                                   "$3::text[]) AS k(s, i) ORDER BY 1, 2) k CROSS JOIN LATERAL (SELECT * FROM cases "
                                   "WHERE shop_id = k.s AND kind = $1 AND case_id = k.i FOR UPDATE) c",
                                   3, NULL, p, NULL, NULL, 1);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            snprintf(err, errlen, "prefetch %zu cases: %s", m, PQresultErrorMessage(r));
            rc = -1;
        } else {
            for (int j = 0; j < PQntuples(r); j++) {
                caseEnt *e = cacheGet(c, PQgetvalue(r, j, 0), kind, PQgetvalue(r, j, 1));
                if (e && !PQgetisnull(r, j, 2)) entSetDoc(e, PQgetvalue(r, j, 2), (size_t)PQgetlength(r, j, 2));
            }
        }
        PQclear(r);
        cs_copy_free(&a1);
        cs_copy_free(&a2);
    }
    free(ws);
    free(wi);
    return rc;
}

int cs_case_prefetch_batch(cs_batch *b, const char *kind, const char *(*case_of)(const cs_event *ev), char *err,
                           size_t errlen) {
    size_t n = cs_batch_count(b), m = 0;
    const char **shops = cs_xcalloc(n ? n : 1, sizeof *shops), **ids = cs_xcalloc(n ? n : 1, sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(b, i);
        if (ev->poison) continue;
        const char *id = NULL;
        if (strcmp(ev->topic, CS_TOPIC_TIMERS) == 0) {
            if (ev->env->body_case == CS__V1__ENVELOPE__BODY_TIMER) id = cs_fx_timer_subject(ev->env->timer->timer_id);
        } else if (case_of) {
            id = case_of(ev);
        }
        if (!id || !id[0]) continue;
        shops[m] = ev->env->shop_id;
        ids[m++] = id;
    }
    int rc = cs_case_prefetch(b, kind, shops, ids, m, err, errlen);
    free(shops);
    free(ids);
    return rc;
}

int cs_case_load(cs_batch *b, const char *shop_id, const char *kind, const char *case_id, cs_case_doc *out, char *err,
                 size_t errlen) {
    memset(out, 0, sizeof *out);
    caseCache *c = batchCache(b);
    caseEnt *e = keyFits(shop_id, kind, case_id) ? cacheGet(c, shop_id, kind, case_id) : NULL;
    if (!e) {
        const char *p[] = {shop_id, kind, case_id};
        PGresult *r = PQexecParams(cs_batch_pg(b),
                                   "SELECT doc FROM cases WHERE shop_id = $1 AND kind = $2 AND case_id = $3 FOR UPDATE",
                                   3, NULL, p, NULL, NULL, 1);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            snprintf(err, errlen, "load case %s:%s: %s", shop_id, case_id, PQresultErrorMessage(r));
            PQclear(r);
            return -1;
        }
        bool found = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0);
        if (!keyFits(shop_id, kind, case_id)) { /* too long to cache: hand it over as read */
            if (found) {
                out->len = (size_t)PQgetlength(r, 0, 0);
                out->doc = cs_xmalloc(out->len ? out->len : 1);
                memcpy(out->doc, PQgetvalue(r, 0, 0), out->len);
            }
            PQclear(r);
            return 0;
        }
        e = cachePut(c, shop_id, kind, case_id);
        if (found) entSetDoc(e, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
        PQclear(r);
    }
    if (e->doc) {
        out->doc = cs_xmalloc(e->len ? e->len : 1);
        memcpy(out->doc, e->doc, e->len);
        out->len = e->len;
    }
    return 0;
}

void cs_case_doc_free(cs_case_doc *d) {
    if (!d) return;
    free(d->doc);
    d->doc = NULL;
    d->len = 0;
}

/* ---- writes --------------------------------------------------------------------------------- */

#define CASE_COLS 11
static const uint32_t caseParamTypes[CASE_COLS] = {CS_PG_TEXT, CS_PG_TEXT,  CS_PG_TEXT,  CS_PG_TEXT,
                                                   CS_PG_TEXT, CS_PG_INT8,  CS_PG_INT8,  CS_PG_INT8,
                                                   CS_PG_BYTEA, CS_PG_TEXT, CS_PG_TEXT};

static void binTextOrNull(cs_copybuf *c, const char *s) {
    if (s && s[0])
        cs_copybin_text(c, s);
    else
        cs_copybin_null(c);
}

static void binIntOrNull(cs_copybuf *c, int64_t v) {
    if (v)
        cs_copybin_int8(c, v);
    else
        cs_copybin_null(c);
}

/* Before COMMIT (and before a lookup by column): every case saved in the
 * batch, in one upsert. */
static int cacheFlush(void *arg, cs_batch *b, char *err, size_t errlen) {
    caseCache *c = arg;
    if (!c->dirty) return 0;
    cs_copybuf rows = {0}, cols[CASE_COLS];
    memset(cols, 0, sizeof cols);
    int64_t now = cs_batch_now(b);
    for (size_t i = 0; i < c->n; i++) {
        caseEnt *e = c->ents[i];
        if (!e->dirty) continue;
        cs_copybin_row(&rows, CASE_COLS);
        cs_copybin_text(&rows, e->shop);
        cs_copybin_text(&rows, e->id);
        cs_copybin_text(&rows, e->kind);
        binTextOrNull(&rows, e->order_id);
        binTextOrNull(&rows, e->stage);
        binIntOrNull(&rows, e->opened_ms);
        binIntOrNull(&rows, e->closed_ms);
        cs_copybin_int8(&rows, now);
        cs_copybin_bytes(&rows, e->doc, e->len);
        binTextOrNull(&rows, e->buyer_id);
        binTextOrNull(&rows, e->phone);
    }
    int rc = -1;
    if (cs_pgbin_columns(&rows, CASE_COLS, caseParamTypes, cols) != (long)rows.rows) {
        snprintf(err, errlen, "cases: a row without its %d fields (a bug)", CASE_COLS);
        goto out;
    }
    if (cs_pg_exec_bin(cs_batch_pg(b),
                       "INSERT INTO cases (shop_id, case_id, kind, order_id, stage, opened_ms, closed_ms, updated_ms, "
                       "doc, buyer_id, phone) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
                       "$5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bytea[], $10::text[], $11::text[]) "
                       "ON CONFLICT (shop_id, kind, case_id) DO UPDATE SET order_id = EXCLUDED.order_id, "
                       "stage = EXCLUDED.stage, opened_ms = EXCLUDED.opened_ms, closed_ms = EXCLUDED.closed_ms, "
                       "updated_ms = EXCLUDED.updated_ms, doc = EXCLUDED.doc, buyer_id = EXCLUDED.buyer_id, "
                       "phone = EXCLUDED.phone",
                       CASE_COLS, cols, NULL, err, errlen) != 0)
        goto out;
    for (size_t i = 0; i < c->n; i++) c->ents[i]->dirty = false;
    c->dirty = 0;
    rc = 0;
out:
    cs_copy_free(&rows);
    for (int k = 0; k < CASE_COLS; k++) cs_copy_free(&cols[k]);
    return rc;
}

static char *dupOrNull(const char *s) { return s && s[0] ? cs_xstrdup(s) : NULL; }

int cs_case_save(cs_batch *b, const char *shop_id, const char *kind, const char *case_id, const cs_case_cols *cols,
                 const void *doc, size_t len, char *err, size_t errlen) {
    if (!keyFits(shop_id, kind, case_id)) {
        snprintf(err, errlen, "save case %.64s:%.64s: id too long (at most %d bytes with the shop)", shop_id, case_id,
                 CS_CASE_KEY_LEN - 8);
        return -1;
    }
    caseCache *c = batchCache(b);
    caseEnt *e = cachePut(c, shop_id, kind, case_id);
    entSetDoc(e, doc ? doc : "", doc ? len : 0);
    free(e->order_id);
    free(e->stage);
    free(e->buyer_id);
    free(e->phone);
    e->order_id = dupOrNull(cols->order_id);
    e->stage = dupOrNull(cols->stage);
    e->buyer_id = dupOrNull(cols->buyer_id);
    e->phone = dupOrNull(cols->phone);
    e->opened_ms = cols->opened_ms;
    e->closed_ms = cols->closed_ms;
    if (!e->dirty) c->dirty++;
    e->dirty = true;
    /* registered again when saves come after a cs_batch_flush() */
    if (!cs_batch_before_commit_has(b, cacheFlush)) cs_batch_before_commit(b, cacheFlush, c);
    return 0;
}

/* ---- lookups by column -------------------------------------------------------------------- */

int cs_case_find_open(cs_batch *b, const char *shop_id, const char *kind, cs_case_by by, const char *value, char ***ids,
                      size_t *n, char *err, size_t errlen) {
    /* one statement per column: each matches its own partial index */
    static const char *const sql[] = {
        "SELECT case_id FROM cases WHERE shop_id = $1 AND kind = $2 AND order_id = $3 AND closed_ms IS NULL "
        "ORDER BY opened_ms, case_id",
        "SELECT case_id FROM cases WHERE shop_id = $1 AND kind = $2 AND buyer_id = $3 AND closed_ms IS NULL "
        "ORDER BY opened_ms, case_id",
        "SELECT case_id FROM cases WHERE shop_id = $1 AND kind = $2 AND phone = $3 AND closed_ms IS NULL "
        "ORDER BY opened_ms, case_id",
    };
    *ids = NULL;
    *n = 0;
    if (!value || !value[0]) return 0;
    caseCache *c = batchCache(b);
    if (cacheFlush(c, b, err, errlen) != 0) return -1; /* the batch's own saves first */
    const char *p[] = {shop_id, kind, value};
    PGresult *r = PQexecParams(cs_batch_pg(b), sql[by], 3, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "find cases of %s %s: %s", shop_id, value, PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    int rows = PQntuples(r);
    if (rows > 0) {
        *ids = cs_xcalloc((size_t)rows, sizeof **ids);
        for (int i = 0; i < rows; i++) (*ids)[i] = cs_xstrdup(PQgetvalue(r, i, 0));
        *n = (size_t)rows;
    }
    PQclear(r);
    return 0;
}

void cs_case_ids_free(char **ids, size_t n) {
    for (size_t i = 0; i < n; i++) free(ids[i]);
    free(ids);
}
