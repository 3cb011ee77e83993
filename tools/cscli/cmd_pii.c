/* cmd_pii.c -- `cscli pii purge`: PII retention (docs/security.md "PII
 * retention"), the scheduled job (deploy/k8s/pii-purge.yaml, cron).
 *
 * For each shop of CS_SHOPS_FILE, with N = its pii_retention_days and
 * cutoff = now - N days (business time: --now, else the clock of
 * CS_CLOCK), the buyer's phone, name and address are replaced by markers
 * (shared/src/pii.c) in every place they are kept:
 *
 *   orders        the verifier's OrderState document: receiver masked, the
 *                 buyer's message and seller's memo emptied, the OV-9
 *                 fingerprint (a normalised address) dropped; due when
 *                 its last activity is at or before the cutoff
 *                 (cs_pii_order_due) and no case of it is open
 *   cases         closed at or before the cutoff: the document (review:
 *                 buyer_phone, buyer_id; after-sales: refund_account) and
 *                 the buyer_id / phone columns
 *   messages      final (not held) and last updated at or before the
 *                 cutoff, or of a purged order: to_addr masked, params,
 *                 rendered body and the stored request emptied
 *   timers        fired or cancelled rows of a purged order (or due at or
 *                 before the cutoff): payload emptied, and any member of
 *                 theirs left in Redis removed. Pending timers are live
 *                 work and stay as they are until they fire.
 *   dead_letters  of a purged order, or dead-lettered before the cutoff:
 *                 payload dropped (the key is "<shop>:<order>": ids stay)
 *   finance_requests  of a purged order, or made at or before the cutoff:
 *                 the refund account (RF-7) masked; amounts and ids stay
 *
 * and, for all shops at once with the smallest N: outbox rows older than
 * the cutoff are deleted (a record not relayed in N days is not going to
 * be), and dead letters whose key names no shop lose payload and key. The
 * outbox's and dead letters' created_at is real time: those two use the
 * earlier of the business and the real cutoff, so a clock set ahead never
 * deletes records in flight.
 *
 * Batches: every step takes at most --batch rows (default 200) in one
 * transaction, row locks FOR UPDATE SKIP LOCKED, and for an order or case
 * also a try of the order's advisory lock (cs_lock_hash("<shop>:<order>"),
 * the key the workers lock an order's batch with). The workers read an
 * order or case FOR UPDATE before they rewrite it, so a purge and a
 * worker's read-modify-write of one document take turns; a row a worker
 * holds is skipped ("busy") and taken by the next run. Each row is marked
 * (pii_purged_ms), so a run is idempotent and a second run purges nothing
 * more. --dry-run does the same work in one transaction and rolls it back:
 * its counts are exactly what a run would purge. */
#include "cscli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "cs/clock.h"
#include "cs/pii.h"
#include "cs/redis.h"
#include "cs/routes.h"
#include "cs/shop.h"
#include "cs/timer_keys.h"
#include "cs/timer_sync.h"
#include "cs/tz.h"
#include "cs/util.h"

static const char pii_usage[] =
    "cscli pii purge [--dry-run] [--now ISO-8601] [--shop S] [--batch N] [--tz ZONE] [--json]\n"
    "  Masks buyers' phone numbers, names and addresses of orders and cases closed more\n"
    "  than the shop's pii_retention_days ago (docs/security.md \"PII retention\"):\n"
    "  orders, cases, messages, timers, dead letters; deletes outbox rows as old.\n"
    "  --now      business time of the run (no offset = --tz); default the clock (CS_CLOCK)\n"
    "  --dry-run  count what would be purged, change nothing\n"
    "  --shop     one shop only (the outbox and unkeyed dead letters are then left alone)\n"
    "  --batch    rows per transaction (default 200)\n";

/* What a run did (or would do). */
typedef struct piiCounts {
    long orders, cases, messages, timers, dead_letters, finance, outbox;
    long busy;          /* orders/cases skipped: a worker held the order's lock */
    long redis_members; /* timer members removed from Redis */
} piiCounts;

/* One run. */
typedef struct piiRun {
    cscli *c;
    PGconn *pg;
    cs_redis *redis; /* NULL: Redis unreachable (members left to the dispatcher) */
    bool dry_run;
    int batch;
    int64_t now_ms;
    char now_s[24];   /* now_ms as text */
    char batch_s[16]; /* batch as text */
    char err[512];
} piiRun;

/* One UPDATE of a purged row (its re-packed document a binary parameter):
 * 0, or -1 with PostgreSQL's message in r->err. */
static int updateDoc(piiRun *r, const char *sql, int n, const char *const *p, const int *lens, const int *fmts) {
    PGresult *u = PQexecParams(r->pg, sql, n, NULL, p, lens, fmts, 0);
    int rc = PQresultStatus(u) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc) cscli_one_line(PQresultErrorMessage(u), r->err, sizeof r->err);
    PQclear(u);
    return rc;
}

/* A statement; NULL with the reason in run->err. */
static PGresult *run(piiRun *r, const char *sql, int n, const char *const *p) {
    return cscli_pg_run(r->pg, sql, n, p, r->err, sizeof r->err);
}

/* A batch's transaction: its own, or with --dry-run the run's one. */
static int txBegin(piiRun *r) {
    if (r->dry_run) return 0;
    PGresult *res = run(r, "BEGIN", 0, NULL);
    PQclear(res);
    return res ? 0 : -1;
}

static int txEnd(piiRun *r, bool ok) {
    if (r->dry_run && ok) return 0;
    PGresult *res = run(r, ok ? "COMMIT" : "ROLLBACK", 0, NULL);
    PQclear(res);
    return res ? 0 : -1;
}

/* pg_try_advisory_xact_lock on "<shop>:<order>": 1 got, 0 busy, -1 error. */
static int tryOrderLock(piiRun *r, const char *shop, const char *order) {
    char key[1024], h[24];
    snprintf(key, sizeof key, "%s:%s", shop, order);
    snprintf(h, sizeof h, "%" PRId64, cs_lock_hash(key));
    const char *p[] = {h};
    PGresult *res = run(r, "SELECT pg_try_advisory_xact_lock($1::bigint)", 1, p);
    if (!res) return -1;
    int got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return got;
}

/* m packed into a new buffer (free it), *len its size. */
static uint8_t *packMessage(const ProtobufCMessage *m, size_t *len) {
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = cs_xcalloc(1, *len + 1);
    protobuf_c_message_pack(m, buf);
    return buf;
}

/* ---- orders ---------------------------------------------------------------- */

/* One batch of a shop's orders after *last (order_id). Returns rows read,
 * or -1. */
static int ordersBatch(piiRun *r, const char *shop, const char *cutoff_s, int64_t cutoff, char *last, size_t lastlen,
                       piiCounts *n) {
    if (txBegin(r) != 0) return -1;
    const char *p[] = {shop, last, cutoff_s, r->batch_s};
    /* the columns' instants prefilter; the document decides */
    PGresult *res =
        run(r,
            "SELECT o.order_id, o.doc FROM orders o WHERE o.shop_id = $1 AND o.order_id > $2 "
            "AND o.pii_purged_ms IS NULL "
            "AND coalesce(greatest(o.created_ms, o.paid_ms, o.shipped_ms, o.cancelled_ms), 0) <= $3::bigint "
            "AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.shop_id = o.shop_id AND c.order_id = o.order_id "
            "AND c.closed_ms IS NULL) "
            "ORDER BY o.order_id LIMIT $4::int FOR UPDATE SKIP LOCKED",
            4, p);
    if (!res) goto fail;
    int rows = PQntuples(res);
    for (int j = 0; j < rows; j++) {
        const char *oid = PQgetvalue(res, j, 0);
        snprintf(last, lastlen, "%s", oid);
        size_t blen = 0;
        unsigned char *bin = PQunescapeBytea((const unsigned char *)PQgetvalue(res, j, 1), &blen);
        Cs__V1__OrderState *st = bin ? cs__v1__order_state__unpack(NULL, blen, bin) : NULL;
        if (bin) PQfreemem(bin);
        if (!st) {
            fprintf(r->c->err, "cscli: pii: order %s:%s: stored document unreadable; left as it is\n", shop, oid);
            continue;
        }
        if (!cs_pii_order_due(st, cutoff)) {
            cs__v1__order_state__free_unpacked(st, NULL);
            continue;
        }
        int got = tryOrderLock(r, shop, oid);
        if (got <= 0) {
            cs__v1__order_state__free_unpacked(st, NULL);
            if (got < 0) goto fail_res;
            n->busy++;
            continue;
        }
        cs_pii_mask_order(st);
        size_t len;
        uint8_t *doc = packMessage(&st->base, &len);
        cs__v1__order_state__free_unpacked(st, NULL);
        const char *up[] = {shop, oid, (const char *)doc, r->now_s};
        int lens[] = {0, 0, (int)len, 0}, fmts[] = {0, 0, 1, 0};
        int urc = updateDoc(r,
                            "UPDATE orders SET doc = $3, fingerprint = NULL, pii_purged_ms = $4::bigint "
                            "WHERE shop_id = $1 AND order_id = $2",
                            4, up, lens, fmts);
        free(doc);
        if (urc != 0) goto fail_res;
        n->orders++;
    }
    PQclear(res);
    if (txEnd(r, true) != 0) return -1;
    return rows;
fail_res:
    PQclear(res);
fail:
    txEnd(r, false);
    return -1;
}

/* ---- cases ----------------------------------------------------------------- */

/* A case's stored document (kind "review": ReviewCaseState, "aftersales":
 * RefundCaseState) masked and packed again into a new buffer (free it),
 * *len its size; NULL when the kind is unknown or the bytes do not decode. */
static uint8_t *maskedCase(const char *kind, const uint8_t *bin, size_t blen, size_t *len) {
    bool review = strcmp(kind, "review") == 0;
    if (!review && strcmp(kind, "aftersales") != 0) return NULL;
    ProtobufCMessage *m = protobuf_c_message_unpack(
        review ? &cs__v1__review_case_state__descriptor : &cs__v1__refund_case_state__descriptor, NULL, blen, bin);
    if (!m) return NULL;
    if (review)
        cs_pii_mask_review_case((Cs__V1__ReviewCaseState *)m);
    else
        cs_pii_mask_refund_case((Cs__V1__RefundCaseState *)m);
    uint8_t *doc = packMessage(m, len);
    protobuf_c_message_free_unpacked(m, NULL);
    return doc;
}

static int casesBatch(piiRun *r, const char *shop, const char *cutoff_s, char *last_kind, char *last_id, size_t len,
                      piiCounts *n) {
    if (txBegin(r) != 0) return -1;
    const char *p[] = {shop, last_kind, last_id, cutoff_s, r->batch_s};
    PGresult *res =
        run(r,
            "SELECT kind, case_id, order_id, doc FROM cases WHERE shop_id = $1 AND (kind, case_id) > ($2, $3) "
            "AND pii_purged_ms IS NULL AND closed_ms IS NOT NULL AND closed_ms <= $4::bigint "
            "ORDER BY kind, case_id LIMIT $5::int FOR UPDATE SKIP LOCKED",
            5, p);
    if (!res) goto fail;
    int rows = PQntuples(res);
    for (int j = 0; j < rows; j++) {
        const char *kind = PQgetvalue(res, j, 0), *id = PQgetvalue(res, j, 1);
        snprintf(last_kind, len, "%s", kind);
        snprintf(last_id, len, "%s", id);
        if (!PQgetisnull(res, j, 2)) {
            int got = tryOrderLock(r, shop, PQgetvalue(res, j, 2));
            if (got < 0) goto fail_res;
            if (got == 0) {
                n->busy++;
                continue;
            }
        }
        size_t blen = 0;
        unsigned char *bin = PQunescapeBytea((const unsigned char *)PQgetvalue(res, j, 3), &blen);
        size_t dlen = 0;
        uint8_t *doc = bin ? maskedCase(kind, bin, blen, &dlen) : NULL;
        if (bin) PQfreemem(bin);
        if (!doc) {
            fprintf(r->c->err, "cscli: pii: case %s %s/%s: stored document unreadable; left as it is\n", kind, shop,
                    id);
            continue;
        }
        const char *up[] = {shop, kind, id, (const char *)doc, r->now_s};
        int lens[] = {0, 0, 0, (int)dlen, 0}, fmts[] = {0, 0, 0, 1, 0};
        int urc = updateDoc(r,
                            "UPDATE cases SET doc = $4, pii_purged_ms = $5::bigint, "
                            "buyer_id = CASE WHEN buyer_id IS NULL OR buyer_id = '' THEN buyer_id ELSE '*' END, "
                            "phone = cs_pii_mask_phone(phone) "
                            "WHERE shop_id = $1 AND kind = $2 AND case_id = $3",
                            5, up, lens, fmts);
        free(doc);
        if (urc != 0) goto fail_res;
        n->cases++;
    }
    PQclear(res);
    if (txEnd(r, true) != 0) return -1;
    return rows;
fail_res:
    PQclear(res);
fail:
    txEnd(r, false);
    return -1;
}

/* ---- set-based steps -------------------------------------------------------- */

/* Runs one batch statement (returning a row per row it changed) until a
 * batch changes fewer than --batch rows; adds the rows to *count. */
static int repeatBatches(piiRun *r, const char *sql, int np, const char *const *p, long *count) {
    for (;;) {
        if (txBegin(r) != 0) return -1;
        PGresult *res = run(r, sql, np, p);
        if (!res) {
            txEnd(r, false);
            return -1;
        }
        int rows = PQntuples(res);
        PQclear(res);
        if (txEnd(r, true) != 0) return -1;
        *count += rows;
        if (rows < r->batch) return 0;
    }
}

/* the order key's shop prefix test and its order id, for $1 = shop */
#define KEY_OF_SHOP(col) "left(" col ", length($1) + 1) = $1 || ':'"
#define ORDER_PURGED(col)                                                                                              \
    "EXISTS (SELECT 1 FROM orders o WHERE o.shop_id = $1 AND o.order_id = substr(" col ", length($1) + 2) "            \
    "AND o.pii_purged_ms IS NOT NULL)"

/* One masking UPDATE of a shop's rows, in batches: sql takes $1 shop, $2
 * cutoff, $3 batch size, $4 now, and returns a row per row purged. */
static int shopStep(piiRun *r, const char *shop, const char *cutoff_s, const char *sql, long *count) {
    const char *p[] = {shop, cutoff_s, r->batch_s, r->now_s};
    return repeatBatches(r, sql, 4, p, count);
}

static int messagesStep(piiRun *r, const char *shop, const char *cutoff_s, piiCounts *n) {
    return shopStep(r, shop, cutoff_s,
                    "UPDATE messages m SET to_addr = cs_pii_mask_phone(m.to_addr), params = '{}', body = NULL, "
                    "request = ''::bytea, pii_purged_ms = $4::bigint FROM (SELECT idempotency_key FROM messages x "
                    "WHERE x.shop_id = $1 AND x.pii_purged_ms IS NULL AND x.status <> 'held' "
                    "AND (x.updated_ms <= $2::bigint OR EXISTS (SELECT 1 FROM orders o WHERE o.shop_id = $1 "
                    "AND o.order_id = x.order_id AND o.pii_purged_ms IS NOT NULL)) "
                    "LIMIT $3::int FOR UPDATE SKIP LOCKED) k "
                    "WHERE m.shop_id = $1 AND m.idempotency_key = k.idempotency_key RETURNING 1",
                    &n->messages);
}

/* RF-7's refund account: the buyer's payment account, often a phone
 * number or an e-mail address. */
static int financeStep(piiRun *r, const char *shop, const char *cutoff_s, piiCounts *n) {
    return shopStep(r, shop, cutoff_s,
                    "UPDATE finance_requests f SET refund_account = cs_pii_mask_phone(f.refund_account), "
                    "pii_purged_ms = $4::bigint FROM (SELECT request_id FROM finance_requests x "
                    "WHERE x.shop_id = $1 AND x.pii_purged_ms IS NULL AND x.refund_account IS NOT NULL "
                    "AND x.refund_account <> '' AND (x.created_ms <= $2::bigint OR EXISTS (SELECT 1 FROM "
                    "orders o WHERE o.shop_id = $1 AND o.order_id = x.order_id AND o.pii_purged_ms IS NOT NULL)) "
                    "LIMIT $3::int FOR UPDATE SKIP LOCKED) k "
                    "WHERE f.shop_id = $1 AND f.request_id = k.request_id RETURNING 1",
                    &n->finance);
}

/* Removes the members of the purged timer rows in res (old values) from
 * Redis, due and in-flight sets both. */
static void timersRedis(piiRun *r, PGresult *res, piiCounts *n) {
    if (!r->redis || r->dry_run) return;
    int rows = PQntuples(res);
    if (rows == 0) return;
    cs_redis_pipe *pp = cs_redis_pipe_new();
    char(*members)[CS_TIMER_MEMBER_MAX] = cs_xcalloc((size_t)rows, sizeof *members);
    char(*keys)[2][CS_TIMER_KEY_LEN] = cs_xcalloc((size_t)rows, sizeof *keys);
    int k = 0;
    for (int j = 0; j < rows; j++) {
        const char *owner = PQgetvalue(res, j, 0), *id = PQgetvalue(res, j, 1);
        if (cs_timer_member_of_row(members[k], sizeof members[k], owner, id, PQgetvalue(res, j, 2),
                                   PQgetvalue(res, j, 3), PQgetvalue(res, j, 4), PQgetvalue(res, j, 5),
                                   PQgetvalue(res, j, 6)) != 0)
            continue;
        int s = cs_timer_shard(owner, id);
        cs_timer_due_key(keys[k][0], sizeof keys[k][0], s);
        cs_timer_inflight_key(keys[k][1], sizeof keys[k][1], s);
        cs_redis_pipe_add(pp, 3, (const char *[]){"ZREM", keys[k][0], members[k]});
        cs_redis_pipe_add(pp, 3, (const char *[]){"ZREM", keys[k][1], members[k]});
        k++;
    }
    char err[256];
    if (k > 0 && cs_redis_pipe_run(r->redis, pp, err, sizeof err) == 0) {
        for (int j = 0; j < 2 * k; j++) {
            const redisReply *a = cs_redis_pipe_reply(pp, (size_t)j);
            if (a && a->type == REDIS_REPLY_INTEGER) n->redis_members += a->integer;
        }
    } else if (k > 0) {
        fprintf(r->c->err, "cscli: pii: note: Redis: %s; purged timers' members left there\n", err);
    }
    free(keys);
    free(members);
    cs_redis_pipe_free(pp);
}

static int timersStep(piiRun *r, const char *shop, const char *cutoff_s, piiCounts *n) {
    const char *p[] = {shop, cutoff_s, r->batch_s};
    for (;;) {
        if (txBegin(r) != 0) return -1;
        /* the old row's values name its Redis member */
        PGresult *res =
            run(r,
                "WITH k AS (SELECT owner, timer_id, generation, due_ms, kind, order_key, payload "
                "FROM timers t WHERE " KEY_OF_SHOP(
                    "t.order_key") " AND t.status <> 'pending' "
                                   "AND t.payload <> ''::bytea AND (t.due_ms <= $2::bigint OR " ORDER_PURGED(
                                       "t.order_key") ") "
                                                      "LIMIT $3::int FOR UPDATE SKIP LOCKED), "
                                                      "u AS (UPDATE timers t SET payload = ''::bytea FROM k "
                                                      "WHERE t.owner = k.owner AND t.timer_id = k.timer_id RETURNING "
                                                      "t.owner) "
                                                      "SELECT k.owner, k.timer_id, k.generation, k.due_ms, k.kind, "
                                                      "k.order_key, k.payload FROM k",
                3, p);
        if (!res) {
            txEnd(r, false);
            return -1;
        }
        int rows = PQntuples(res);
        if (txEnd(r, true) != 0) {
            PQclear(res);
            return -1;
        }
        timersRedis(r, res, n);
        PQclear(res);
        n->timers += rows;
        if (rows < r->batch) return 0;
    }
}

static int deadLettersStep(piiRun *r, const char *shop, const char *cutoff_s, int days, piiCounts *n) {
    char days_s[16];
    snprintf(days_s, sizeof days_s, "%d", days);
    const char *p[] = {shop, cutoff_s, r->batch_s, r->now_s, days_s};
    return repeatBatches(
        r,
        "UPDATE dead_letters d SET payload = NULL, pii_purged_ms = $4::bigint FROM "
        "(SELECT worker, event_id FROM dead_letters x WHERE x.pii_purged_ms IS NULL "
        "AND x.key IS NOT NULL AND " KEY_OF_SHOP(
            "x.key") " AND (x.created_at <= "
                     "least(to_timestamp($2::bigint / 1000.0), now() - make_interval(days => $5::int)) "
                     "OR " ORDER_PURGED("x.key") ") LIMIT $3::int FOR UPDATE SKIP LOCKED) k "
                                                 "WHERE d.worker = k.worker AND d.event_id = k.event_id RETURNING 1",
        5, p, &n->dead_letters);
}

/* The outbox and dead letters of no shop, with the smallest retention:
 * rows older than both the business and the real cutoff. */
static int globalSteps(piiRun *r, int min_days, const char *const *shop_ids, size_t nshops, piiCounts *n) {
    char days[16], cutoff_s[24];
    snprintf(days, sizeof days, "%d", min_days);
    snprintf(cutoff_s, sizeof cutoff_s, "%" PRId64, cs_pii_cutoff_ms(r->now_ms, min_days));
    const char *p[] = {cutoff_s, days, r->batch_s};
    if (repeatBatches(r,
                      "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE created_at <= "
                      "least(to_timestamp($1::bigint / 1000.0), now() - make_interval(days => $2::int)) "
                      "ORDER BY id LIMIT $3::int FOR UPDATE SKIP LOCKED) RETURNING 1",
                      3, p, &n->outbox) != 0)
        return -1;
    /* shop ids as a text[] literal */
    size_t cap = 16;
    for (size_t i = 0; i < nshops; i++) cap += 2 * strlen(shop_ids[i]) + 4;
    char *arr = cs_xcalloc(1, cap);
    strcat(arr, "{");
    for (size_t i = 0; i < nshops; i++) {
        if (i) strcat(arr, ",");
        strcat(arr, "\"");
        char *e = arr + strlen(arr);
        for (const char *s = shop_ids[i]; *s; s++) {
            if (*s == '"' || *s == '\\') *e++ = '\\';
            *e++ = *s;
        }
        strcpy(e, "\"");
    }
    strcat(arr, "}");
    const char *q[] = {cutoff_s, days, r->batch_s, r->now_s, arr};
    int rc = repeatBatches(r,
                           "UPDATE dead_letters d SET payload = NULL, key = '', pii_purged_ms = $4::bigint FROM "
                           "(SELECT worker, event_id FROM dead_letters x WHERE x.pii_purged_ms IS NULL "
                           "AND NOT (split_part(coalesce(x.key, ''), ':', 1) = ANY ($5::text[]) "
                           "AND strpos(coalesce(x.key, ''), ':') > 0) "
                           "AND x.created_at <= least(to_timestamp($1::bigint / 1000.0), "
                           "now() - make_interval(days => $2::int)) "
                           "LIMIT $3::int FOR UPDATE SKIP LOCKED) k "
                           "WHERE d.worker = k.worker AND d.event_id = k.event_id RETURNING 1",
                           5, q, &n->dead_letters);
    free(arr);
    return rc;
}

/* ---- the command -------------------------------------------------------------- */

static int purgeShop(piiRun *r, const cs_shop *shop, piiCounts *n) {
    int64_t cutoff = cs_pii_cutoff_ms(r->now_ms, shop->th.pii_retention_days);
    char cutoff_s[24];
    snprintf(cutoff_s, sizeof cutoff_s, "%" PRId64, cutoff);
    char last[512] = "";
    int rows;
    while ((rows = ordersBatch(r, shop->id, cutoff_s, cutoff, last, sizeof last, n)) == r->batch) {}
    if (rows < 0) return -1;
    char last_kind[512] = "", last_id[512] = "";
    while ((rows = casesBatch(r, shop->id, cutoff_s, last_kind, last_id, sizeof last_id, n)) == r->batch) {}
    if (rows < 0) return -1;
    if (messagesStep(r, shop->id, cutoff_s, n) != 0) return -1;
    if (timersStep(r, shop->id, cutoff_s, n) != 0) return -1;
    if (deadLettersStep(r, shop->id, cutoff_s, shop->th.pii_retention_days, n) != 0) return -1;
    if (financeStep(r, shop->id, cutoff_s, n) != 0) return -1;
    return 0;
}

static void addCounts(cJSON *o, const piiCounts *n) {
    cscli_json_int(o, "orders", n->orders);
    cscli_json_int(o, "cases", n->cases);
    cscli_json_int(o, "messages", n->messages);
    cscli_json_int(o, "notification_requests", 0);
    cscli_json_int(o, "timers", n->timers);
    cscli_json_int(o, "dead_letters", n->dead_letters);
    cscli_json_int(o, "finance_requests", n->finance);
    cscli_json_int(o, "busy", n->busy);
}

static void sumInto(piiCounts *t, const piiCounts *n) {
    t->orders += n->orders;
    t->cases += n->cases;
    t->messages += n->messages;
    t->timers += n->timers;
    t->dead_letters += n->dead_letters;
    t->finance += n->finance;
    t->outbox += n->outbox;
    t->busy += n->busy;
    t->redis_members += n->redis_members;
}

static int piiPurge(cscli *c, bool dry_run, const char *now_arg, const char *only_shop, int batch, const cs_tz *tz) {
    char err[512];
    int rc = cscli_load_config(c);
    if (rc != CSCLI_OK) return rc;
    cs_shops *shops = cs_shops_load(c->cfg.shops_file, err, sizeof err);
    if (!shops) return cscli_fail(c, CSCLI_USAGE, "pii purge: shops file: %s", err);
    size_t nshops = 0;
    while (cs_shops_at(shops, nshops)) nshops++;
    if (only_shop && !cs_shops_find(shops, only_shop)) {
        cs_shops_free(shops);
        return cscli_fail(c, CSCLI_NOT_FOUND, "pii purge: no shop '%s' in %s", only_shop, c->cfg.shops_file);
    }

    piiRun r = {.c = c, .dry_run = dry_run, .batch = batch};
    if (now_arg) {
        if (cs_parse_iso8601(now_arg, tz, &r.now_ms) != 0) {
            cs_shops_free(shops);
            return cscli_usage_error(c, pii_usage, "pii purge: --now '%s' is not an ISO-8601 time", now_arg);
        }
    } else {
        cs_clock *clk = cs_clock_new(c->cfg.clock, c->cfg.redis_url, c->cfg.pg_dsn, err, sizeof err);
        if (!clk) {
            cs_shops_free(shops);
            return cscli_fail(c, CSCLI_USAGE, "pii purge: %s", err);
        }
        int crc = cs_clock_now(clk, &r.now_ms);
        cs_clock_free(clk);
        if (crc != 0) {
            cs_shops_free(shops);
            return cscli_fail(c, CSCLI_BACKEND, "pii purge: business clock unreadable (Redis at %s)", c->cfg.redis_url);
        }
    }
    snprintf(r.now_s, sizeof r.now_s, "%" PRId64, r.now_ms);
    snprintf(r.batch_s, sizeof r.batch_s, "%d", batch);

    r.pg = cscli_pg_connect(c, err, sizeof err);
    if (!r.pg) {
        cs_shops_free(shops);
        return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL unreachable: %s", err);
    }
    r.redis = cs_redis_new(c->cfg.redis_url, err, sizeof err);
    if (!r.redis) fprintf(c->err, "cscli: pii: note: Redis unreachable (%s); timer members left there\n", err);

    if (dry_run) {
        PGresult *b = run(&r, "BEGIN", 0, NULL);
        PQclear(b);
        if (!b) goto backend;
    }
    piiCounts total = {0};
    piiCounts *per = cs_xcalloc(nshops ? nshops : 1, sizeof *per);
    const char **ids = cs_xcalloc(nshops ? nshops : 1, sizeof *ids);
    int min_days = 3650;
    for (size_t i = 0; i < nshops; i++) {
        const cs_shop *s = cs_shops_at(shops, i);
        ids[i] = s->id;
        if (s->th.pii_retention_days < min_days) min_days = s->th.pii_retention_days;
        if (only_shop && strcmp(only_shop, s->id) != 0) continue;
        if (purgeShop(&r, s, &per[i]) != 0) goto backend_free;
        sumInto(&total, &per[i]);
    }
    if (!only_shop && nshops > 0 && globalSteps(&r, min_days, ids, nshops, &total) != 0) goto backend_free;
    if (dry_run) {
        PGresult *b = run(&r, "ROLLBACK", 0, NULL);
        PQclear(b);
    }

    char iso[48];
    cs_format_iso8601(r.now_ms, tz, iso, sizeof iso);
    if (c->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "now", iso);
        cscli_json_int(doc, "now_ms", r.now_ms);
        cJSON_AddBoolToObject(doc, "dry_run", dry_run);
        cJSON *pt = cJSON_AddObjectToObject(doc, "purged");
        addCounts(pt, &total);
        cscli_json_int(pt, "outbox", total.outbox);
        cscli_json_int(doc, "redis_members_removed", total.redis_members);
        cJSON *arr = cJSON_AddArrayToObject(doc, "shops");
        for (size_t i = 0; i < nshops; i++) {
            const cs_shop *s = cs_shops_at(shops, i);
            if (only_shop && strcmp(only_shop, s->id) != 0) continue;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "shop", s->id);
            cscli_json_int(o, "retention_days", s->th.pii_retention_days);
            char ciso[48];
            int64_t cutoff = cs_pii_cutoff_ms(r.now_ms, s->th.pii_retention_days);
            cs_format_iso8601(cutoff, tz, ciso, sizeof ciso);
            cJSON_AddStringToObject(o, "cutoff", ciso);
            cscli_json_int(o, "cutoff_ms", cutoff);
            addCounts(o, &per[i]);
            cJSON_AddItemToArray(arr, o);
        }
        cscli_print_json(c, doc);
    } else {
        fprintf(c->out, "pii purge%s at %s\n", dry_run ? " (dry run: nothing changed)" : "", iso);
        cscli_table *t = cscli_table_new(9);
        cscli_table_row(t, "shop", "days", "orders", "cases", "messages", "timers", "dead_letters", "finance",
                        "busy");
        for (size_t i = 0; i < nshops; i++) {
            const cs_shop *s = cs_shops_at(shops, i);
            if (only_shop && strcmp(only_shop, s->id) != 0) continue;
            char v[8][24];
            snprintf(v[0], 24, "%d", s->th.pii_retention_days);
            snprintf(v[1], 24, "%ld", per[i].orders);
            snprintf(v[2], 24, "%ld", per[i].cases);
            snprintf(v[3], 24, "%ld", per[i].messages);
            snprintf(v[4], 24, "%ld", per[i].timers);
            snprintf(v[5], 24, "%ld", per[i].dead_letters);
            snprintf(v[6], 24, "%ld", per[i].finance);
            snprintf(v[7], 24, "%ld", per[i].busy);
            cscli_table_row(t, cscli_field(c, s->id), v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
        }
        cscli_table_print(t, c->out, "  ");
        cscli_table_free(t);
        fprintf(c->out, "outbox rows deleted: %ld; Redis timer members removed: %ld\n", total.outbox,
                total.redis_members);
    }
    free(per);
    free(ids);
    cs_redis_free(r.redis);
    PQfinish(r.pg);
    cs_shops_free(shops);
    return CSCLI_OK;

backend_free:
    free(per);
    free(ids);
backend:
    rc = cscli_fail(c, CSCLI_BACKEND, "pii purge: PostgreSQL: %s", r.err);
    cs_redis_free(r.redis);
    PQfinish(r.pg);
    cs_shops_free(shops);
    return rc;
}

int cscli_cmd_pii(cscli *c, int argc, char **argv) {
    bool help = false, json = false, dry_run = false;
    const char *now_arg = NULL, *shop = NULL, *batch_s = NULL, *tzname = NULL;
    const cscli_opt opts[] = {
        {"--help", &help, NULL}, {"--json", &json, NULL},     {"--dry-run", &dry_run, NULL}, {"--now", NULL, &now_arg},
        {"--shop", NULL, &shop}, {"--batch", NULL, &batch_s}, {"--tz", NULL, &tzname},
    };
    const char *pos[2];
    int npos = 0;
    char err[256];
    if (cscli_parse_args(argc - 1, argv + 1, opts, sizeof opts / sizeof opts[0], pos, 2, &npos, err, sizeof err) != 0)
        return cscli_usage_error(c, pii_usage, "pii: %s", err);
    if (json) c->json = true;
    if (help) {
        fputs(pii_usage, c->out);
        return CSCLI_OK;
    }
    if (npos != 1 || strcmp(pos[0], "purge") != 0)
        return cscli_usage_error(c, pii_usage, "pii: %s", npos ? "unknown subcommand" : "which subcommand? (purge)");
    int batch = 200;
    if (batch_s && cscli_parse_int(batch_s, 100000, &batch) != 0)
        return cscli_usage_error(c, pii_usage, "pii purge: --batch '%s' is not 1..100000", batch_s);
    cs_tz *tz = cs_tz_load(tzname ? tzname : CSCLI_DEFAULT_TZ, err, sizeof err);
    if (!tz) return cscli_usage_error(c, pii_usage, "pii purge: time zone: %s", err);
    int rc = piiPurge(c, dry_run, now_arg, shop, batch, tz);
    cs_tz_free(tz);
    return rc;
}
