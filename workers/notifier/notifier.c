/* notifier.c -- the notifier's batch handler (see notifier.h).
 *
 * Per partition batch, inside the runtime's transaction:
 *
 *  1. sort the events: opt-out replies (shop.contacts.v1) are recorded at
 *     once; fired "nt.sweep" timers are taken (marked fired: a cancelled
 *     or superseded one does nothing) and the held messages of their
 *     (shop, bucket) whose release time came, up to a share of
 *     NT_SWEEP_ROWS, are read FOR UPDATE and become candidates again (a
 *     sweep that released anything is armed again, due now); notification
 *     requests are validated (no key, no template or no class = poison,
 *     dead-lettered);
 *  2. read the message rows of every other key FOR UPDATE: a key already sent,
 *     held, suppressed, expired, cancelled or permanently failed is a
 *     replay and does nothing (NT-1); a key dead-lettered earlier is tried
 *     again;
 *  3. lock each (shop, number) with a transaction advisory lock, in hash
 *     order (two notifier processes with messages to one number on
 *     different partitions take turns, so NT-3's count cannot be raced),
 *     then read what was sent to those numbers since yesterday and the
 *     opt-outs in force; and, in one query, the review cases the batch's
 *     follow-ups name (RV-5: a case no longer open cancels them);
 *  4. decide each message in partition order (nt_decide: RV-5, NT-4,
 *     NT-2, NT-3), counting the batch's own sends as they are decided;
 *  5. send everything to be sent, concurrently, with retries (provider.c);
 *  6. record every message's fate with one upsert (array parameters); held ones
 *     get a bucket, and each (shop, release time, bucket) held into its
 *     sweep timer (cs_timer_schedule, same transaction).
 *
 * Sending happens while the transaction is open, before COMMIT: the record
 * of a send and the progress of its input commit together or not at all.
 * A crash after the provider's 2xx and before COMMIT re-delivers the
 * request, which is sent again with the same Idempotency-Key -- the
 * provider dedupes, so the buyer gets one message. The transaction stays
 * open for the length of the provider calls; CS_NOTIFIER_TIMEOUT_MS and
 * CS_NOTIFIER_ATTEMPTS bound it. */
#include "notifier.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cs/clock.h"
#include "cs/effects.h"
#include "cs/log.h"
#include "cs/metrics.h"
#include "cs/pg.h"
#include "cs/routes.h"
#include "cs/strmap.h"
#include "cs/timers.h"
#include "cs/topics.h"
#include "cs/util.h"
#include "nt_config.h"
#include "provider.h"
#include "rules/nt_rules.h"
#include "template.h"

#define NT_TEXT_MAX 2048
#define NT_LOOKBACK_MS (48LL * 3600 * 1000) /* covers "today" in any zone */

/* messages.status (migrations 0003, 0012): expired and cancelled are RV-5's. */
enum { ST_SENT, ST_HELD, ST_SUPPRESSED, ST_FAILED, ST_EXPIRED, ST_CANCELLED, NT_NSTATUS };
static const char *const statusName[NT_NSTATUS] = {"sent", "held", "suppressed", "failed", "expired", "cancelled"};

typedef struct ntWorker {
    nt_config cfg;
    nt_templates *tpl;                /* owned */
    nt_provider *prov;                /* owned */
    cs_copybuf copy, upd, arr1, arr2; /* reused per batch: new rows, updated rows, arrays */
    cs_metric *mStatus[NT_NSTATUS];   /* by status (statusName) */
    cs_metric *mReplay, *mReleased, *mOptOut, *mDead, *mAttempts, *mSweeps;
} ntWorker;

/* What the batch knows of one (shop, number). */
typedef struct ntNumber {
    int64_t *sent; /* send times (business), owned */
    size_t n, cap;
    bool optout; /* NT-4 in force */
} ntNumber;

/* One message decided in this batch. */
typedef struct ntMsg {
    cs_event *ev; /* the input (request or fired timer) */
    const cs_shop *shop;
    const Cs__V1__NotificationRequest *req;
    Cs__V1__NotificationRequest *owned; /* unpacked from a held row; freed */
    char key[256];                      /* idempotency key (NT-1) */
    char to[128];                       /* canonical recipient, "" if none */
    bool released;                      /* by a sweep: its row read and locked there */
    bool skip;                          /* nothing to do (replay, stale timer) */
    bool exists;                        /* a row exists (held or retryable) */
    bool unreadable;                    /* held, its request unreadable: failed */
    char tid[32];                       /* that row's ctid, locked by step 2 */
    int priorAttempts;
    ntNumber *num;
    bool caseEnded;     /* RV-5: the follow-up's review case is no longer open */
    char caseStage[32]; /* that case's stage, for the reason */
    int status;         /* ST_*, -1 = nothing to write */
    char reason[200];
    bool permanent;
    int64_t releaseMs;
    int httpStatus;
    int attempts; /* this batch's provider calls */
    nt_channel channel;
    char *text;  /* rendered (owned) */
    char *body;  /* provider JSON (owned) */
    int sendIdx; /* into the batch's nt_send array, -1 */
} ntMsg;

static ntWorker theWorker;
static int sweepBucket(const char *key);
static const Cs__V1__NotificationRequest noRequest = CS__V1__NOTIFICATION_REQUEST__INIT;

/* The most held messages one batch's sweeps release: each fired sweep of
 * the batch gets an equal share (at least NT_SWEEP_MIN_SHARE); a sweep
 * that released anything is armed again, due now, and the rest of its
 * bucket goes in a later batch. Bounds a batch's memory and transaction
 * whatever a shop holds until one instant (a review wave: 100,000). */
#define NT_SWEEP_ROWS 3000
#define NT_SWEEP_MIN_SHARE 64

/* ---- small helpers ------------------------------------------------------------------ */

static const char *className(Cs__V1__MessageClass k) { return k == NT_FOLLOW_UP ? "FOLLOW_UP" : "SERVICE"; }

static nt_channel channelOf(const Cs__V1__NotificationRequest *r, const cs_shop *shop) {
    if (r->channel == CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS) return NT_CH_SMS;
    if (r->channel == CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM) return NT_CH_IM;
    return shop && shop->msg_pref == CS_MSG_PREF_SMS ? NT_CH_SMS : NT_CH_IM;
}

static int exec(PGconn *pg, const char *sql, int n, const char *const *p, PGresult **r, char *err, size_t errlen) {
    return cs_pg_exec(pg, sql, n, p, r, err, errlen);
}

/* Runs sql with two parallel text arrays (and an optional third text
 * parameter). */
static int query2(ntWorker *w, PGconn *pg, const char *sql, const char *const *a, const char *const *b, size_t n,
                  const char *third, PGresult **r, char *err, size_t errlen) {
    cs_pg_text_array(&w->arr1, a, n);
    cs_pg_text_array(&w->arr2, b, n);
    const char *p[3] = {w->arr1.data, w->arr2.data, third};
    return exec(pg, sql, third ? 3 : 2, p, r, err, errlen);
}

static void numberFree(void *v) {
    ntNumber *x = v;
    if (!x) return;
    free(x->sent);
    free(x);
}

static void numberAddSent(ntNumber *x, int64_t ms) {
    if (x->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 8;
        x->sent = cs_xrealloc(x->sent, x->cap * sizeof *x->sent);
    }
    x->sent[x->n++] = ms;
}

static void pairKey(char *out, size_t len, const char *a, const char *b) { snprintf(out, len, "%s\x1f%s", a, b); }

/* ---- NT-4: opt-outs ---------------------------------------------------------------- */

static int recordOptOut(ntWorker *w, cs_batch *b, cs_event *ev, char *err, size_t errlen) {
    const Cs__V1__InboundSms *sms = ev->env->contact->sms;
    char to[128], ms[24];
    if (nt_number_canon(sms->from_phone, to, sizeof to) != 0) {
        cs_event_poison(ev, "validation: opt-out reply without a sender number");
        return 0;
    }
    snprintf(ms, sizeof ms, "%" PRId64, ev->env->event_ms > 0 ? ev->env->event_ms : cs_batch_now(b));
    const char *p[4] = {ev->env->shop_id, to, ms, ev->env->event_id};
    if (exec(cs_batch_pg(b),
             "INSERT INTO message_optouts (shop_id, to_addr, opted_out_ms, event_id) VALUES ($1, $2, $3, $4) "
             "ON CONFLICT (shop_id, to_addr) DO UPDATE SET opted_out_ms = EXCLUDED.opted_out_ms, "
             "event_id = EXCLUDED.event_id, lifted_ms = NULL, lifted_by = NULL",
             4, p, NULL, err, errlen) != 0)
        return -1;
    cs_metric_add(w->mOptOut, 1);
    cs_log_kv(CS_LOG_INFO, "opt-out recorded (NT-4)",
              (const char *const[]){"shop", ev->env->shop_id, "phone", to, "event_id", ev->env->event_id, NULL});
    return 0;
}

/* ---- step 1: what the batch holds --------------------------------------------------- */

static bool validRequest(cs_event *ev) {
    const Cs__V1__NotificationRequest *r = ev->env->notification;
    char why[160];
    if (!nt1_provider_key(r, why, sizeof why)) {
        cs_event_poison(ev, "validation: %s", why);
        return false;
    }
    if (!r->template_ || !r->template_[0]) {
        cs_event_poison(ev, "validation: notification request without a template");
        return false;
    }
    if (r->class_ != NT_SERVICE && r->class_ != NT_FOLLOW_UP) {
        cs_event_poison(ev, "validation: notification request class unspecified");
        return false;
    }
    return true;
}

/* ---- step 2: existing rows ------------------------------------------------------------- */

/* A held row a sweep read and locked (takeSweeps: attempts, request and
 * tid in columns ca, cr, ct of r's row j), released: its request is
 * decided again. */
static void releaseRow(ntWorker *w, ntMsg *m, const PGresult *r, int j, int ca, int cr, int ct) {
    size_t blen = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, j, cr), &blen);
    m->owned = raw ? cs__v1__notification_request__unpack(NULL, blen, raw) : NULL;
    PQfreemem(raw);
    /* recorded failed, with its reason, on its own row: its release (a
     * sweep) may be the release of many others */
    m->unreadable = !m->owned;
    m->req = m->owned ? m->owned : &noRequest;
    m->exists = true;
    cs_strlcpy(m->tid, PQgetvalue(r, j, ct), sizeof m->tid);
    m->priorAttempts = atoi(PQgetvalue(r, j, ca));
    cs_metric_add(w->mReleased, 1);
}

/* The rows of the batch's requests, locked FOR UPDATE (the messages a
 * sweep released come read and locked already: takeSweeps). A key twice
 * in one batch: the first occurrence that is decided decides; a request
 * that is a replay (NT-1) decides nothing, so a release of its held row
 * later in the batch still goes. */
static int loadRows(ntWorker *w, cs_batch *b, ntMsg *ms, size_t n, char *err, size_t errlen) {
    if (!n) return 0;
    const char **a = cs_xcalloc(n, sizeof *a), **k = cs_xcalloc(n, sizeof *k);
    size_t nq = 0;
    for (size_t i = 0; i < n; i++) {
        if (ms[i].released) continue;
        a[nq] = ms[i].shop->id;
        k[nq++] = ms[i].key;
    }
    PGresult *r = NULL;
    int rc = nq == 0 ? 0
                     : query2(w, cs_batch_pg(b),
                              /* one index probe per key (LATERAL), in key order: a join
                               * with the keys was planned as a scan of every message
                               * once the table grew (docs/performance.md) */
                              "SELECT m.shop_id, m.idempotency_key, m.status, m.permanent, m.attempts, m.tid "
                              "FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS k(s, i) "
                              "ORDER BY 1, 2) k CROSS JOIN LATERAL (SELECT shop_id, idempotency_key, status, "
                              "permanent, attempts, ctid AS tid FROM messages WHERE "
                              "shop_id = k.s AND idempotency_key = k.i FOR UPDATE) m",
                              a, k, nq, NULL, &r, err, errlen);
    free(a);
    free(k);
    if (rc != 0) return -1;
    cs_strmap rows;
    cs_strmap_init(&rows);
    for (int j = 0; r && j < PQntuples(r); j++) {
        char pk[400];
        pairKey(pk, sizeof pk, PQgetvalue(r, j, 0), PQgetvalue(r, j, 1));
        cs_strmap_put(&rows, pk, (void *)(intptr_t)(j + 1));
    }
    cs_strmap seen; /* keys decided in this batch */
    cs_strmap_init(&seen);
    for (size_t i = 0; i < n; i++) {
        ntMsg *m = &ms[i];
        char pk[400];
        pairKey(pk, sizeof pk, m->shop->id, m->key);
        if (cs_strmap_get(&seen, pk)) {
            m->skip = true;
            if (!m->released) cs_metric_add(w->mReplay, 1);
            continue;
        }
        if (m->released) { /* by a sweep: read and locked, held */
            cs_strmap_put(&seen, pk, m);
            continue;
        }
        int j = (int)(intptr_t)cs_strmap_get(&rows, pk) - 1;
        const char *status = j >= 0 ? PQgetvalue(r, j, 2) : NULL;
        bool permanent = j >= 0 && PQgetvalue(r, j, 3)[0] == 't';
        switch (nt1_on_request(status, permanent)) { /* NT-1 */
            case NT1_NEW: break;
            case NT1_DONE:
                m->skip = true;
                cs_metric_add(w->mReplay, 1);
                continue; /* decides nothing: a release of the key may follow */
            case NT1_RETRY:
                m->exists = true;
                cs_strlcpy(m->tid, PQgetvalue(r, j, 5), sizeof m->tid);
                m->priorAttempts = atoi(PQgetvalue(r, j, 4));
                break;
        }
        cs_strmap_put(&seen, pk, m);
    }
    cs_strmap_clear(&seen);
    cs_strmap_clear(&rows);
    PQclear(r);
    return 0;
}

/* ---- step 3: the numbers' state -------------------------------------------------------- */

static int loadNumbers(ntWorker *w, cs_batch *b, ntMsg *ms, size_t n, cs_strmap *nums, char *err, size_t errlen) {
    const char **a = cs_xcalloc(n ? n : 1, sizeof *a), **t = cs_xcalloc(n ? n : 1, sizeof *t);
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        ntMsg *m = &ms[i];
        if (m->skip || !m->to[0]) continue;
        char pk[400];
        pairKey(pk, sizeof pk, m->shop->id, m->to);
        ntNumber *x = cs_strmap_get(nums, pk);
        if (!x) {
            x = cs_xcalloc(1, sizeof *x);
            cs_strmap_put(nums, pk, x);
            a[np] = m->shop->id;
            t[np] = m->to;
            np++;
        }
        m->num = x;
    }
    int rc = -1;
    PGresult *r = NULL;
    if (np == 0) {
        rc = 0;
        goto out;
    }
    PGconn *pg = cs_batch_pg(b);
    /* NT-3 under concurrency: one (shop, number) at a time (the kit's
     * locks: one global order, no deadlock). */
    if (cs_batch_lock_pairs(b, "nt3", a, t, np, err, errlen) != 0) goto out;
    char since[24];
    snprintf(since, sizeof since, "%" PRId64, (int64_t)(cs_batch_now(b) - NT_LOOKBACK_MS));
    /* One index probe per pair (LATERAL): a join with the batch's pairs,
     * or "= ANY" on each column, was planned as a scan of every message of
     * the shop once the table grew (at 3000 pairs and 260,000 messages,
     * 40-120 ms a batch against 6-9 ms; the notifier fell from 14,000 to
     * 8,000 messages/s between 20,000 and 100,000 rows). OFFSET 0 keeps
     * the planner from flattening the LATERAL into that join again: with
     * statistics taken while no message was sent yet (a night of held
     * follow-ups), it hashed every message sent since yesterday, each
     * batch of a day-2 wave (29 us a pair against 5). The same fence is
     * on every probe query below and in the kit's read models. */
    if (query2(w, pg,
               "SELECT m.shop_id, m.to_addr, m.sent_ms FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) "
               "AS k(s, t)) k CROSS JOIN LATERAL (SELECT shop_id, to_addr, sent_ms FROM messages WHERE "
               "status = 'sent' AND sent_ms >= $3 AND shop_id = k.s AND to_addr = k.t OFFSET 0) m",
               a, t, np, since, &r, err, errlen) != 0)
        goto out;
    for (int j = 0; j < PQntuples(r); j++) {
        char pk[400];
        pairKey(pk, sizeof pk, PQgetvalue(r, j, 0), PQgetvalue(r, j, 1));
        ntNumber *x = cs_strmap_get(nums, pk);
        if (x) numberAddSent(x, strtoll(PQgetvalue(r, j, 2), NULL, 10));
    }
    PQclear(r);
    r = NULL;
    if (query2(w, pg,
               "SELECT o.shop_id, o.to_addr FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS k(s, t)) "
               "k CROSS JOIN LATERAL (SELECT shop_id, to_addr FROM message_optouts WHERE lifted_ms IS NULL AND "
               "shop_id = k.s AND to_addr = k.t OFFSET 0) o",
               a, t, np, NULL, &r, err, errlen) != 0)
        goto out;
    for (int j = 0; j < PQntuples(r); j++) {
        char pk[400];
        pairKey(pk, sizeof pk, PQgetvalue(r, j, 0), PQgetvalue(r, j, 1));
        ntNumber *x = cs_strmap_get(nums, pk);
        if (x) x->optout = true;
    }
    rc = 0;
out:
    PQclear(r);
    free(a);
    free(t);
    return rc;
}

/* ---- step 3b: the follow-ups' cases (RV-5) ---------------------------------------------- */

/* True when m is a follow-up naming a case: the only messages whose case
 * matters (nt_followup_expiry.c). */
static bool namesCase(const ntMsg *m) {
    return !m->skip && m->req->class_ == NT_FOLLOW_UP && m->req->case_id && m->req->case_id[0];
}

/* One query for every case the batch's follow-ups name: the review cases
 * of the review-scheduler (migration 0010), read as committed now. Not
 * locked: a case that ends while this batch sends was still open when it
 * was read, as it would be had the follow-up gone a moment earlier; the
 * next decision (a release) reads it again. A case with no row stays
 * open (nt_rv5_case_ended). */
static int loadCases(ntWorker *w, cs_batch *b, ntMsg *ms, size_t n, char *err, size_t errlen) {
    const char **a = cs_xcalloc(n ? n : 1, sizeof *a), **c = cs_xcalloc(n ? n : 1, sizeof *c);
    size_t np = 0;
    cs_strmap asked; /* (shop, case) -> 1: each pair once in the parameters */
    cs_strmap_init(&asked);
    for (size_t i = 0; i < n; i++) {
        if (!namesCase(&ms[i])) continue;
        char pk[400];
        pairKey(pk, sizeof pk, ms[i].shop->id, ms[i].req->case_id);
        if (cs_strmap_get(&asked, pk)) continue;
        cs_strmap_put(&asked, pk, (void *)1);
        a[np] = ms[i].shop->id;
        c[np] = ms[i].req->case_id;
        np++;
    }
    cs_strmap_clear(&asked);
    int rc = -1;
    PGresult *r = NULL;
    if (np == 0) {
        rc = 0;
        goto out;
    }
    if (query2(w, cs_batch_pg(b),
               "SELECT c.shop_id, c.case_id, c.stage, c.closed_ms IS NOT NULL FROM (SELECT DISTINCT * FROM "
               "unnest($1::text[], $2::text[]) AS k(s, i)) k CROSS JOIN LATERAL (SELECT * FROM cases WHERE "
               "kind = 'review' AND shop_id = k.s AND case_id = k.i OFFSET 0) c", /* probes, as above */
               a, c, np, NULL, &r, err, errlen) != 0)
        goto out;
    cs_strmap rows;
    cs_strmap_init(&rows);
    for (int j = 0; j < PQntuples(r); j++) {
        char pk[400];
        pairKey(pk, sizeof pk, PQgetvalue(r, j, 0), PQgetvalue(r, j, 1));
        cs_strmap_put(&rows, pk, (void *)(intptr_t)(j + 1));
    }
    for (size_t i = 0; i < n; i++) {
        ntMsg *m = &ms[i];
        if (!namesCase(m)) continue;
        char pk[400];
        pairKey(pk, sizeof pk, m->shop->id, m->req->case_id);
        int j = (int)(intptr_t)cs_strmap_get(&rows, pk) - 1;
        if (j < 0) continue;
        const char *stage = PQgetisnull(r, j, 2) ? NULL : PQgetvalue(r, j, 2);
        m->caseEnded = nt_rv5_case_ended(stage, PQgetvalue(r, j, 3)[0] == 't'); /* RV-5 */
        cs_strlcpy(m->caseStage, stage ? stage : "", sizeof m->caseStage);
    }
    cs_strmap_clear(&rows);
    rc = 0;
out:
    PQclear(r);
    free(a);
    free(c);
    return rc;
}

/* ---- step 4: deciding and rendering ----------------------------------------------------- */

static char *providerBody(const ntMsg *m, const char *text) {
    const Cs__V1__NotificationRequest *r = m->req;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "to", m->to);
    cJSON_AddStringToObject(o, "template", r->template_);
    cJSON *p = cJSON_AddObjectToObject(o, "params");
    for (size_t i = 0; i < r->n_params; i++)
        if (r->params[i]->key)
            cJSON_AddStringToObject(p, r->params[i]->key, r->params[i]->value ? r->params[i]->value : "");
    cJSON_AddStringToObject(o, "text", text);
    cJSON_AddStringToObject(o, "idempotency_key", m->key); /* NT-1 */
    cJSON_AddStringToObject(o, "shop_id", m->shop->id);
    cJSON_AddStringToObject(o, "order_id", r->order_id ? r->order_id : "");
    cJSON_AddStringToObject(o, "channel", m->channel == NT_CH_SMS ? "sms" : "im");
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static void failMsg(ntMsg *m, bool permanent, const char *fmt, const char *arg) {
    m->status = ST_FAILED;
    m->permanent = permanent;
    snprintf(m->reason, sizeof m->reason, fmt, arg);
}

/* RF-8: an IM the provider refused for good goes again by SMS to the
 * request's fallback number, as a request of its own on
 * cs.notifications.v1 (its quiet hours, cap and opt-outs decided when it
 * comes back), emitted in this batch's transaction with the refusal. */
static void smsFallback(cs_batch *b, const ntMsg *m, bool refused_for_good, int64_t now) {
    const char *to = nt_rf8_sms_fallback(m->channel == NT_CH_IM, refused_for_good, m->req->fallback_sms_to);
    char key[300], id[300], rkey[300];
    if (!to || nt_rf8_fallback_key(m->key, key, sizeof key) != 0) return;
    Cs__V1__NotificationRequest req = *m->req;
    req.base.n_unknown_fields = 0; /* a copy that shares the params, nothing owned */
    req.base.unknown_fields = NULL;
    req.idempotency_key = key;
    req.to = (char *)to;
    req.channel = CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS;
    req.fallback_sms_to = (char *)"";
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    cs_event_id_derive(id, sizeof id, m->ev->env->event_id, "rf8-sms");
    env.event_id = id;
    env.shop_id = (char *)m->shop->id;
    env.event_ms = now;
    env.ingest_ms = now;
    env.source = (char *)NT_WORKER_NAME;
    env.body_case = CS__V1__ENVELOPE__BODY_NOTIFICATION;
    env.notification = &req;
    snprintf(rkey, sizeof rkey, "%s:%s", m->shop->id, req.order_id ? req.order_id : "");
    cs_batch_emit(b, CS_TOPIC_NOTIFICATIONS, rkey, &env);
    cs_log_kv(CS_LOG_INFO, "IM refused for good: the notice goes by SMS (RF-8)",
              (const char *const[]){"key", m->key, "sms_key", key, NULL});
}

/* The recorded reason of a final decision: "RV-5 CASE_CLOSED (revised)",
 * "NT-4 OPTED_OUT". */
static void reasonOf(const nt_decision *d, char *out, size_t len) {
    if (d->detail && d->detail[0])
        snprintf(out, len, "%s %s (%.120s)", d->rule, d->reason, d->detail);
    else
        snprintf(out, len, "%s %s", d->rule, d->reason);
}

/* Decides one message; a message to send gets its text and body. */
static void decide(ntWorker *w, ntMsg *m, int64_t now) {
    const Cs__V1__NotificationRequest *r = m->req;
    m->channel = channelOf(r, m->shop);
    if (!m->to[0]) {
        failMsg(m, true, "%s", "no recipient");
        return;
    }
    bool refusal = false;
    const char *tpl = nt_template_text(w->tpl, m->shop, r->template_, &refusal);
    if (!tpl) {
        /* not permanent: once the template is deployed, replaying the
         * dead letter sends it */
        failMsg(m, false, "unknown template %s", r->template_);
        cs_event_poison(m->ev, "validation: unknown template '%.64s'", r->template_);
        return;
    }
    nt_number_state st = {.sent_ms = m->num->sent, .nsent = m->num->n, .opted_out = m->num->optout};
    nt_followup fu = {.expires_ms = r->expires_ms,
                      .case_ended = m->caseEnded,
                      .case_stage = m->caseStage,
                      .not_before_ms = r->not_before_ms};
    nt_decision d = nt_decide(r->class_, &fu, &st, m->shop, now);
    if (d.action == NT_SUPPRESS || d.action == NT_EXPIRE || d.action == NT_CANCEL) {
        m->status = d.action == NT_SUPPRESS ? ST_SUPPRESSED : d.action == NT_EXPIRE ? ST_EXPIRED : ST_CANCELLED;
        reasonOf(&d, m->reason, sizeof m->reason);
        return;
    }
    if (d.action == NT_HOLD) {
        m->status = ST_HELD;
        m->releaseMs = d.until_ms;
        snprintf(m->reason, sizeof m->reason, "%s %s", d.rule, d.reason);
        return;
    }
    const char **keys = cs_xcalloc(r->n_params + 1, sizeof *keys), **vals = cs_xcalloc(r->n_params + 1, sizeof *vals);
    for (size_t i = 0; i < r->n_params; i++) {
        keys[i] = r->params[i]->key;
        vals[i] = r->params[i]->value;
    }
    char why[160];
    m->text = cs_xmalloc(NT_TEXT_MAX);
    int rc = nt_render(tpl, keys, vals, r->n_params, m->text, NT_TEXT_MAX, why, sizeof why);
    free(keys);
    free(vals);
    if (rc != 0) {
        char reason[200];
        snprintf(reason, sizeof reason, "template %.64s: %.120s", r->template_, why);
        failMsg(m, true, "%s", reason);
        return;
    }
    m->body = providerBody(m, m->text);
    m->status = ST_SENT;        /* provisional: the provider decides */
    numberAddSent(m->num, now); /* NT-3: counts for the rest of the batch */
}

/* ---- step 6: the record ------------------------------------------------------------------ */

/* The messages columns the upsert writes: first the key and the outcome
 * (all an existing row's update writes, NT_MSG_OUTCOME of them), then
 * what only a new row gets. The element types of the array parameters;
 * keyAndOutcome and newRowRest write the fields in this order. */
#define NT_MSG_OUTCOME 15
#define NT_MSG_COLS 23
static const uint32_t msgParamTypes[NT_MSG_COLS] = {
    CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT,  CS_PG_TEXT,  CS_PG_TEXT, CS_PG_TEXT, CS_PG_BOOL,
    CS_PG_INT8, CS_PG_INT4, CS_PG_INT4, CS_PG_TEXT,  CS_PG_INT8,  CS_PG_INT8, CS_PG_INT4, /* the outcome */
    CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT,  CS_PG_JSONB, CS_PG_BYTEA, CS_PG_TEXT, CS_PG_INT8};

/* An existing row's update: its tid (read in step 2, where the row was
 * locked: it cannot move before this transaction ends), then its key and
 * outcome. */
#define NT_UPD_COLS (1 + NT_MSG_OUTCOME)
static const uint32_t updParamTypes[NT_UPD_COLS] = {CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT,
                                                    CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT,
                                                    CS_PG_BOOL, CS_PG_INT8, CS_PG_INT4, CS_PG_INT4,
                                                    CS_PG_TEXT, CS_PG_INT8, CS_PG_INT8, CS_PG_INT4};

/* shop_id, idempotency_key, to_addr, channel, body, status, reason,
 * permanent, release_ms, attempts, http_status, provider, sent_ms,
 * updated_ms, release_bucket */
static void keyAndOutcome(ntWorker *w, const ntMsg *m, int64_t now, cs_copybuf *c) {
    cs_copybin_text(c, m->shop->id);
    cs_copybin_text(c, m->key);
    cs_copybin_text(c, m->to);
    cs_copybin_text(c, m->channel == NT_CH_SMS ? "SMS" : "IM");
    cs_copybin_text(c, m->text); /* NULL -> NULL */
    cs_copybin_text(c, statusName[m->status]);
    cs_copybin_text(c, m->reason);
    cs_copybin_bool(c, m->permanent);
    if (m->status == ST_HELD)
        cs_copybin_int8(c, m->releaseMs);
    else
        cs_copybin_null(c);
    cs_copybin_int4(c, m->priorAttempts + m->attempts);
    if (m->httpStatus)
        cs_copybin_int4(c, m->httpStatus);
    else
        cs_copybin_null(c);
    cs_copybin_text(c, m->sendIdx >= 0 ? nt_provider_kind(w->prov, m->channel) : "");
    if (m->status == ST_SENT)
        cs_copybin_int8(c, now);
    else
        cs_copybin_null(c);
    cs_copybin_int8(c, now);
    /* its sweep's (scheduleRelease); a released row keeps the bucket it
     * was released from (the update's COALESCE) */
    if (m->status == ST_HELD)
        cs_copybin_int4(c, sweepBucket(m->key));
    else
        cs_copybin_null(c);
}

/* order_id, class, template, rule, params, request, case_id, requested_ms */
static void newRowRest(const ntMsg *m, int64_t now, cs_copybuf *c) { /* a row that did not exist: requested now */
    const Cs__V1__NotificationRequest *r = m->req;
    cs_copybin_text(c, r->order_id ? r->order_id : "");
    cs_copybin_text(c, className(r->class_));
    cs_copybin_text(c, r->template_);
    cs_copybin_text(c, r->rule ? r->rule : "");
    cJSON *p = cJSON_CreateObject();
    for (size_t i = 0; i < r->n_params; i++)
        if (r->params[i]->key)
            cJSON_AddStringToObject(p, r->params[i]->key, r->params[i]->value ? r->params[i]->value : "");
    char *pj = cJSON_PrintUnformatted(p);
    cJSON_Delete(p);
    cs_copybin_jsonb(c, pj);
    free(pj);
    size_t len = cs__v1__notification_request__get_packed_size(r);
    uint8_t *buf = cs_xmalloc(len ? len : 1);
    cs__v1__notification_request__pack(r, buf);
    cs_copybin_bytes(c, buf, len);
    free(buf);
    /* the case a follow-up is about (migration 0023): what FollowUpCancel finds it by */
    cs_copybin_text(c, r->class_ == NT_FOLLOW_UP && r->case_id && r->case_id[0] ? r->case_id : NULL);
    cs_copybin_int8(c, now);
}

/* One messages row, as binary fields for cs_pgbin_columns: a message with
 * a row (a held one released, a dead-lettered one tried again) gets its
 * key and outcome only, into upd; a new one all of it, into ins. Its
 * request, parameters and case stay as first recorded either way. */
static void recordRow(ntWorker *w, const ntMsg *m, int64_t now, cs_copybuf *ins, cs_copybuf *upd) {
    if (m->exists) {
        cs_copybin_row(upd, NT_UPD_COLS);
        cs_copybin_text(upd, m->tid);
        keyAndOutcome(w, m, now, upd);
        return;
    }
    cs_copybin_row(ins, NT_MSG_COLS);
    keyAndOutcome(w, m, now, ins);
    newRowRest(m, now, ins);
}

/* ---- holds and their release --------------------------------------------------------------
 *
 * A held message is not given a timer of its own: a review wave holds
 * 100,000 follow-ups until one instant, and a timer each was 100,000
 * Redis members fired, records through cs.timers.v1, takes and dedupe
 * rows (docs/performance.md). Each held row gets a bucket
 * (messages.release_bucket, from its key), and each (shop, release time,
 * bucket) held into has one "nt.sweep" timer due at that time. Its firing
 * releases the held rows of the shop and bucket whose release time came,
 * read in release order through messages_held_sweep (migration 0027).
 *
 * Exactly once: the sweep's take (marked 'fired', its generation kept) and
 * the released rows' new status commit together; a crash before the
 * commit re-delivers the firing, which finds the same rows still held. A
 * hold into a (shop, time, bucket) whose sweep is being taken reschedules
 * it (a new generation, not keep_pending): the two transactions take turns
 * on the timer's row, and either the take comes second and is superseded
 * (the new generation's firing sweeps everything) or first, and the new
 * generation fires again for what the hold added. Marked, never deleted:
 * deleted, a hold into the same id would bring it back at generation 1,
 * a firing the runtime already recorded as processed. */

/* A held message's bucket: FNV-1a of its key, so a shop's holds of one
 * instant spread over NT_SWEEP_BUCKETS sweeps, which come on different
 * partitions of cs.timers.v1 (and to different notifier copies). */
static int sweepBucket(const char *key) {
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) h = (h ^ *p) * 16777619u;
    return (int)(h % NT_SWEEP_BUCKETS);
}

/* A held message's sweep, noted once per batch and (shop, time, bucket):
 * armed maps "<shop>\x1f<release ms>\x1f<bucket>" to its first message. */
static void noteHold(cs_strmap *armed, ntMsg *m) {
    char k[400];
    snprintf(k, sizeof k, "%s\x1f%" PRId64 "\x1f%d", m->shop->id, m->releaseMs, sweepBucket(m->key));
    if (!cs_strmap_get(armed, k)) cs_strmap_put(armed, k, m);
}

static int cmpStr(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Arms the batch's noted sweeps, in key order: two notifier copies holding
 * into the same sweeps lock their timer rows in one order, never a
 * deadlock. Each is timer "nt.sweep@<shop>:<release ms>#b<bucket>" (the
 * scheme of effects.h), due at the release time, order key
 * "<shop>:nt.sweep-<bucket>", the bucket its payload. */
static int armSweeps(cs_batch *b, const cs_strmap *armed, char *err, size_t errlen) {
    const char **keys = cs_xcalloc(armed->cap ? armed->cap : 1, sizeof *keys);
    size_t n = 0;
    for (size_t i = 0; i < armed->cap; i++)
        if (armed->keys[i]) keys[n++] = armed->keys[i];
    qsort(keys, n, sizeof *keys, cmpStr);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const ntMsg *m = cs_strmap_get(armed, keys[i]);
        char subject[64], tid[400], okey[300], pay[8];
        int bucket = sweepBucket(m->key);
        snprintf(subject, sizeof subject, "%" PRId64 "#b%02d", m->releaseMs, bucket);
        cs_fx_timer_id(tid, sizeof tid, NT_SWEEP_KIND, m->shop->id, subject);
        snprintf(okey, sizeof okey, "%s:" NT_SWEEP_KIND "-%02d", m->shop->id, bucket);
        snprintf(pay, sizeof pay, "%d", bucket);
        cs_timer_spec t = {.kind = NT_SWEEP_KIND,
                           .order_key = okey,
                           .timer_id = tid,
                           .due_ms = m->releaseMs,
                           .payload = pay,
                           .payload_len = strlen(pay)};
        rc = cs_timer_schedule(b, &t, err, errlen);
    }
    free(keys);
    return rc;
}

/* The batch's fired sweeps, taken in one statement; the held rows of each
 * taken one's (shop, bucket) due by its time (or now, if later), up to its
 * share, are read, locked and become released messages in ms (grown as
 * needed; *nm counts them). A sweep that released anything is armed
 * again, due now: a bucket is done when its sweep finds nothing. */
static int takeSweeps(ntWorker *w, cs_batch *b, const Cs__V1__TimerFired **f, cs_event **fev, size_t n,
                      ntMsg **ms, size_t *nm, size_t *mcap, char *err, size_t errlen) {
    bool *taken = cs_xcalloc(n, sizeof *taken);
    const char **shop = cs_xcalloc(n, sizeof *shop);
    int64_t *bucket = cs_xcalloc(n, sizeof *bucket), *upto = cs_xcalloc(n, sizeof *upto),
            *share = cs_xcalloc(n, sizeof *share), *got = cs_xcalloc(n, sizeof *got);
    size_t *of = cs_xcalloc(n, sizeof *of), nt = 0;
    cs_copybuf a3 = {0}, a4 = {0};
    PGresult *r = NULL;
    int rc = -1;
    int64_t now = cs_batch_now(b);
    if (cs_timer_take_fired_many(b, f, n, taken, err, errlen) != 0) goto out;
    for (size_t i = 0; i < n; i++) {
        if (!taken[i]) continue;
        char pay[8] = "";
        memcpy(pay, f[i]->payload.data, f[i]->payload.len < sizeof pay ? f[i]->payload.len : sizeof pay - 1);
        char *end = NULL;
        long bk = strtol(pay, &end, 10);
        if (!pay[0] || *end || bk < 0 || bk >= NT_SWEEP_BUCKETS) {
            /* taken, so its fate is recorded with the dead letter */
            cs_event_poison(fev[i], "validation: nt.sweep timer with bucket '%s'", pay);
            continue;
        }
        cs_metric_add(w->mSweeps, 1);
        of[nt] = i;
        shop[nt] = fev[i]->shop->id;
        bucket[nt] = bk;
        /* a clock behind the dispatcher's still releases what the timer was for */
        upto[nt] = now > f[i]->due_ms ? now : f[i]->due_ms;
        nt++;
    }
    if (nt == 0) {
        rc = 0;
        goto out;
    }
    int64_t each = NT_SWEEP_ROWS / (int64_t)nt;
    if (each < NT_SWEEP_MIN_SHARE) each = NT_SWEEP_MIN_SHARE;
    for (size_t i = 0; i < nt; i++) share[i] = each;
    cs_pg_text_array(&w->arr1, shop, nt);
    cs_pg_int_array(&w->arr2, bucket, nt);
    cs_pg_int_array(&a3, upto, nt);
    cs_pg_int_array(&a4, share, nt);
    const char *p[4] = {w->arr1.data, w->arr2.data, a3.data, a4.data};
    /* one range of messages_held_sweep per sweep, in release order, each
     * row read and locked here for step 2 (a row a concurrent cancel or
     * release changed is re-checked by the lock and left out) */
    if (exec(cs_batch_pg(b),
             "SELECT s.i, m.idempotency_key, m.attempts, m.request, m.tid FROM unnest($1::text[], $2::int[], "
             "$3::bigint[], $4::int[]) WITH ORDINALITY AS s(shop, bucket, upto, share, i) CROSS JOIN LATERAL "
             "(SELECT idempotency_key, attempts, request, ctid AS tid FROM messages WHERE status = 'held' AND "
             "shop_id = s.shop AND release_bucket = s.bucket AND release_ms <= s.upto ORDER BY release_ms "
             "LIMIT s.share FOR UPDATE) m",
             4, p, &r, err, errlen) != 0)
        goto out;
    size_t nr = (size_t)PQntuples(r);
    if (*nm + nr > *mcap) {
        size_t cap = *nm + nr;
        *ms = cs_xrealloc(*ms, cap * sizeof **ms);
        memset(*ms + *mcap, 0, (cap - *mcap) * sizeof **ms);
        *mcap = cap;
    }
    for (size_t j = 0; j < nr; j++) {
        size_t s = strtoul(PQgetvalue(r, (int)j, 0), NULL, 10) - 1;
        const char *key = PQgetvalue(r, (int)j, 1);
        if (s >= nt || strlen(key) >= sizeof (*ms)[0].key) continue; /* keys are checked when held */
        got[s]++;
        ntMsg *m = &(*ms)[(*nm)++];
        m->ev = fev[of[s]];
        m->shop = m->ev->shop;
        m->released = true;
        cs_strlcpy(m->key, key, sizeof m->key);
        releaseRow(w, m, r, (int)j, 2, 3, 4);
    }
    for (size_t i = 0; i < nt; i++) {
        if (got[i] == 0) continue;
        /* more of its bucket may be due (a full share; or rows the lock
         * left out, which can make a share look short): the sweep goes on
         * in a later batch until it finds nothing */
        const Cs__V1__TimerFired *t = f[of[i]];
        cs_timer_spec again = {.kind = NT_SWEEP_KIND,
                               .order_key = t->order_key,
                               .timer_id = t->timer_id,
                               .due_ms = upto[i],
                               .payload = t->payload.data,
                               .payload_len = t->payload.len};
        if (cs_timer_schedule(b, &again, err, errlen) != 0) goto out;
    }
    rc = 0;
out:
    PQclear(r);
    cs_copy_free(&a3);
    cs_copy_free(&a4);
    free(taken);
    free(shop);
    free(bucket);
    free(upto);
    free(share);
    free(got);
    free(of);
    return rc;
}

static void logMsg(const ntMsg *m) {
    char attempts[16], release[24];
    snprintf(attempts, sizeof attempts, "%d", m->priorAttempts + m->attempts);
    snprintf(release, sizeof release, "%" PRId64, m->releaseMs);
    cs_log_level lvl = m->status == ST_FAILED ? CS_LOG_WARN : CS_LOG_DEBUG;
    cs_log_kv(lvl, "message",
              (const char *const[]){"shop", m->shop->id, "key", m->key, "phone", m->to, "template", m->req->template_,
                                    "status", statusName[m->status], "reason", m->reason, "attempts", attempts,
                                    "release_ms", m->status == ST_HELD ? release : "", NULL});
}

/* ---- RV-5: a case's held follow-ups cancelled at once ------------------------------------- */

/* The reason recorded on a follow-up its case's FollowUpCancel ended:
 * "RV-5 CASE_CLOSED (revised)" as a release would write it, or "RV-5
 * OPTED_OUT". */
static void cancelReason(const Cs__V1__FollowUpCancel *c, char *out, size_t len) {
    const char *why = c->reason && c->reason[0] ? c->reason : "closed";
    bool optout = strcmp(why, "opted_out") == 0;
    nt_decision d = {.action = NT_CANCEL,
                     .rule = "RV-5",
                     .reason = optout ? "OPTED_OUT" : "CASE_CLOSED",
                     .detail = optout ? "" : why};
    reasonOf(&d, out, len);
}

/* Every follow-up still held for each cancel's case becomes `cancelled`
 * (one UPDATE per cancel, by the index of held follow-ups by case,
 * migration 0023). Its sweep stays armed for the rest of its bucket and
 * finds it no longer held. A follow-up already sent, or released in this
 * very batch, is not held any more and stays as it is. */
static int cancelHeld(ntWorker *w, cs_batch *b, cs_event *const *cancels, size_t n, int64_t now, char *err,
                      size_t errlen) {
    char ms[24], reason[96];
    snprintf(ms, sizeof ms, "%" PRId64, now);
    for (size_t i = 0; i < n; i++) {
        const Cs__V1__Envelope *env = cancels[i]->env;
        cancelReason(env->follow_up_cancel, reason, sizeof reason);
        const char *p[4] = {env->shop_id, env->follow_up_cancel->case_id, reason, ms};
        PGresult *r = NULL;
        if (exec(cs_batch_pg(b),
                 "UPDATE messages SET status = 'cancelled', reason = $3, release_ms = NULL, release_bucket = NULL, "
                 "updated_ms = $4::bigint WHERE shop_id = $1 AND case_id = $2 AND status = 'held' AND "
                 "class = 'FOLLOW_UP'",
                 4, p, &r, err, errlen) != 0)
            return -1;
        const char *count = PQcmdTuples(r);
        if (atoi(count) > 0) {
            cs_metric_add(w->mStatus[ST_CANCELLED], atoi(count));
            cs_log_kv(CS_LOG_INFO, "held follow-ups cancelled (RV-5)",
                      (const char *const[]){"shop", env->shop_id, "case", env->follow_up_cancel->case_id, "count",
                                            count, "reason", reason, NULL});
        }
        PQclear(r);
    }
    return 0;
}

/* ---- the batch ------------------------------------------------------------------------------ */

static int handleBatch(void *user, cs_batch *b, char *err, size_t errlen) {
    ntWorker *w = user;
    PGconn *pg = cs_batch_pg(b);
    int64_t now = cs_batch_now(b);
    size_t nev = cs_batch_count(b), nm = 0, mcap = nev ? nev : 1;
    ntMsg *ms = cs_xcalloc(mcap, sizeof *ms);
    cs_strmap nums, armed;
    cs_strmap_init(&nums);
    cs_strmap_init(&armed);
    nt_send *sends = NULL;
    size_t nsend = 0;
    cs_copybuf cols[NT_MSG_COLS] = {{0}}; /* the upsert's parameters */
    const Cs__V1__TimerFired **sweeps = cs_xcalloc(nev ? nev : 1, sizeof *sweeps);
    cs_event **sweepEv = cs_xcalloc(nev ? nev : 1, sizeof *sweepEv),
             **cancels = cs_xcalloc(nev ? nev : 1, sizeof *cancels);
    size_t nsweeps = 0, ncancels = 0;
    int rc = -1;

    for (size_t i = 0; i < nev; i++) {
        cs_event *ev = cs_batch_event(b, i);
        const Cs__V1__Envelope *env = ev->env;
        if (env->body_case == CS__V1__ENVELOPE__BODY_CONTACT) {
            const Cs__V1__ContactEvent *c = env->contact;
            if (c && c->body_case == CS__V1__CONTACT_EVENT__BODY_SMS && c->sms && nt4_is_opt_out(c->sms->text))
                if (recordOptOut(w, b, ev, err, errlen) != 0) goto out;
            continue; /* other contacts are other workers' business */
        }
        if (env->body_case == CS__V1__ENVELOPE__BODY_TIMER) {
            const Cs__V1__TimerFired *f = env->timer;
            if (!f || !f->owner || strcmp(f->owner, NT_WORKER_NAME) != 0 || !f->kind)
                continue; /* another worker's timer */
            if (strcmp(f->kind, NT_SWEEP_KIND) == 0) {
                sweeps[nsweeps] = f;
                sweepEv[nsweeps++] = ev;
                continue;
            }
            /* nt.release: one message's timer before sweeps, cancelled by
             * migration 0028 (its message is in a sweep); its firing is stale */
            if (strcmp(f->kind, NT_LEGACY_TIMER_KIND) != 0)
                cs_event_poison(ev, "validation: notifier timer of unknown kind '%.64s'", f->kind);
            continue;
        }
        if (env->body_case == CS__V1__ENVELOPE__BODY_FOLLOW_UP_CANCEL) {
            const Cs__V1__FollowUpCancel *c = env->follow_up_cancel;
            if (!c || !c->case_id || !c->case_id[0])
                cs_event_poison(ev, "validation: follow-up cancel without a case id");
            else
                cancels[ncancels++] = ev;
            continue;
        }
        if (env->body_case != CS__V1__ENVELOPE__BODY_NOTIFICATION) {
            if (strcmp(ev->topic, CS_TOPIC_NOTIFICATIONS) == 0)
                cs_event_poison(ev, "validation: not a notification request on cs.notifications.v1");
            continue;
        }
        if (!validRequest(ev)) continue;
        ntMsg *m = &ms[nm++];
        m->ev = ev;
        m->shop = ev->shop;
        m->req = env->notification;
        cs_strlcpy(m->key, m->req->idempotency_key, sizeof m->key);
    }
    int64_t t0 = cs_mono_us(), tTake = t0, tRows, tNums, tCases, tDecide, tSend, tWrite;
    if (nsweeps && takeSweeps(w, b, sweeps, sweepEv, nsweeps, &ms, &nm, &mcap, err, errlen) != 0) goto out;
    tTake = cs_mono_us();
    if (nm == 0) {
        rc = ncancels ? cancelHeld(w, b, cancels, ncancels, now, err, errlen) : 0;
        goto out;
    }
    if (loadRows(w, b, ms, nm, err, errlen) != 0) goto out;
    tRows = cs_mono_us();
    for (size_t i = 0; i < nm; i++) {
        ntMsg *m = &ms[i];
        m->status = -1;
        m->sendIdx = -1;
        if (m->skip) continue;
        if (nt_number_canon(m->req->to, m->to, sizeof m->to) != 0) m->to[0] = '\0';
    }
    if (loadNumbers(w, b, ms, nm, &nums, err, errlen) != 0) goto out;
    tNums = cs_mono_us();
    if (loadCases(w, b, ms, nm, err, errlen) != 0) goto out;
    tCases = cs_mono_us();

    for (size_t i = 0; i < nm; i++) {
        ntMsg *m = &ms[i];
        if (m->skip) continue;
        if (!m->unreadable) {
            decide(w, m, now);
            continue;
        }
        failMsg(m, true, "%s", "held message's request unreadable");
        cs_log_kv(CS_LOG_ERROR, "held message with an unreadable request: recorded failed",
                  (const char *const[]){"shop", m->shop->id, "key", m->key, NULL});
    }
    tDecide = cs_mono_us();

    sends = cs_xcalloc(nm, sizeof *sends);
    for (size_t i = 0; i < nm; i++) {
        ntMsg *m = &ms[i];
        if (m->skip || m->status != ST_SENT) continue;
        m->sendIdx = (int)nsend;
        sends[nsend].channel = m->channel;
        sends[nsend].key = m->key; /* NT-1: the request's key, always */
        sends[nsend].body = m->body;
        nsend++;
    }
    if (nsend) {
        nt_provider_send(w->prov, sends, nsend);
        bool anyOk = false;
        for (size_t i = 0; i < nsend; i++) anyOk |= sends[i].result == NT_SEND_OK;
        /* fault tests: the provider accepted, our record is not committed */
        if (anyOk) cs_crash_point("after_provider_2xx");
    }
    for (size_t i = 0; i < nm; i++) {
        ntMsg *m = &ms[i];
        if (m->sendIdx < 0) continue;
        nt_send *s = &sends[m->sendIdx];
        m->attempts = s->attempts;
        m->httpStatus = s->http_status;
        cs_metric_add(w->mAttempts, s->attempts);
        if (s->result == NT_SEND_OK) continue;
        smsFallback(b, m, s->result == NT_SEND_PERMANENT, now); /* RF-8 */
        if (s->result == NT_SEND_PERMANENT) {
            failMsg(m, true, "%s", s->error);
        } else {
            char reason[200];
            snprintf(reason, sizeof reason, "%.150s after %d attempts; dead-lettered", s->error, s->attempts);
            failMsg(m, false, "%s", reason);
            cs_event_poison(m->ev, "provider: %.150s after %d attempts", s->error, s->attempts);
            cs_metric_add(w->mDead, 1);
        }
    }

    tSend = cs_mono_us();
    cs_copy_reset(&w->copy);
    cs_copy_reset(&w->upd);
    for (size_t i = 0; i < nm; i++) {
        ntMsg *m = &ms[i];
        if (m->skip || m->status < 0) continue;
        if (m->status == ST_HELD) noteHold(&armed, m);
        recordRow(w, m, now, &w->copy, &w->upd);
        cs_metric_add(w->mStatus[m->status], 1);
        logMsg(m);
    }
    if (armSweeps(b, &armed, err, errlen) != 0) goto out;
    /* From array parameters, one per column; not through a staging table
     * (a temporary table touched makes COMMIT truncate every ON COMMIT
     * DELETE ROWS table: docs/performance.md). The rows that exist were
     * read FOR UPDATE in step 2: a plain UPDATE of the outcome, which in
     * a day-2 wave is every row, costs less than the upsert's whole row
     * (its jsonb parsed and its request sent again, to be dropped). */
    if (w->upd.rows) {
        if (cs_pgbin_columns(&w->upd, NT_UPD_COLS, updParamTypes, cols) != (long)w->upd.rows) {
            snprintf(err, errlen, "messages: a row without its %d fields (a bug)", NT_UPD_COLS);
            goto out;
        }
        PGresult *r = NULL;
        if (cs_pg_exec_bin(pg,
                           /* each row by the tid step 2 read it at (a tid scan, not a
                            * second probe of the key); the key is checked again */
                           "UPDATE messages m SET to_addr = u.to_addr, channel = u.channel, body = u.body, "
                           "status = u.status, reason = u.reason, permanent = u.permanent, release_ms = u.release_ms, "
                           "attempts = u.attempts, http_status = u.http_status, provider = u.provider, "
                           "sent_ms = u.sent_ms, updated_ms = u.updated_ms, release_bucket = COALESCE(u.release_bucket, "
                           "m.release_bucket) FROM "
                           "unnest($1::text[]::tid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
                           "$7::text[], $8::text[], $9::bool[], $10::bigint[], $11::int[], $12::int[], $13::text[], "
                           "$14::bigint[], $15::bigint[], $16::int[]) AS u(tid, shop_id, idempotency_key, to_addr, "
                           "channel, body, status, reason, permanent, release_ms, attempts, http_status, provider, "
                           "sent_ms, updated_ms, release_bucket) WHERE m.ctid = u.tid "
                           "AND m.shop_id = u.shop_id AND m.idempotency_key = u.idempotency_key",
                           NT_UPD_COLS, cols, &r, err, errlen) != 0)
            goto out;
        bool all = strtoul(PQcmdTuples(r), NULL, 10) == w->upd.rows;
        PQclear(r);
        if (!all) {
            snprintf(err, errlen, "messages: %zu locked rows to update, not all found at their tid (a bug)",
                     (size_t)w->upd.rows);
            goto out;
        }
    }
    if (w->copy.rows) {
        if (cs_pgbin_columns(&w->copy, NT_MSG_COLS, msgParamTypes, cols) != (long)w->copy.rows) {
            snprintf(err, errlen, "messages: a row without its %d fields (a bug)", NT_MSG_COLS);
            goto out;
        }
        /* ON CONFLICT: a row another notifier copy wrote since step 2
         * (two requests with one key on two partitions) keeps its
         * request and takes this outcome, as before */
        if (cs_pg_exec_bin(
                pg,
                "INSERT INTO messages (shop_id, idempotency_key, to_addr, channel, body, status, reason, permanent, "
                "release_ms, attempts, http_status, provider, sent_ms, updated_ms, release_bucket, order_id, class, "
                "template, rule, params, request, case_id, requested_ms) "
                "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
                "$7::text[], $8::bool[], $9::bigint[], $10::int[], $11::int[], $12::text[], $13::bigint[], "
                "$14::bigint[], $15::int[], $16::text[], $17::text[], $18::text[], $19::text[], $20::jsonb[], "
                "$21::bytea[], $22::text[], $23::bigint[]) "
                "ON CONFLICT (shop_id, idempotency_key) DO UPDATE SET to_addr = EXCLUDED.to_addr, "
                "channel = EXCLUDED.channel, body = EXCLUDED.body, status = EXCLUDED.status, "
                "reason = EXCLUDED.reason, permanent = EXCLUDED.permanent, release_ms = EXCLUDED.release_ms, "
                "attempts = EXCLUDED.attempts, http_status = EXCLUDED.http_status, provider = EXCLUDED.provider, "
                "sent_ms = EXCLUDED.sent_ms, updated_ms = EXCLUDED.updated_ms, "
                "release_bucket = EXCLUDED.release_bucket",
                NT_MSG_COLS, cols, NULL, err, errlen) != 0)
            goto out;
    }
    /* after the batch's own requests are recorded: a cancel follows its
     * case's requests on their partition */
    if (ncancels && cancelHeld(w, b, cancels, ncancels, now, err, errlen) != 0) goto out;
    tWrite = cs_mono_us();
    /* where a batch's time goes (docs/performance.md compares a day-2 wave
     * with the notifier alone step by step) */
    cs_log_debug("notifier steps (us): %zu messages (%zu sweeps, %zu sent): take %" PRId64
                 " rows %" PRId64 " numbers %" PRId64 " cases %" PRId64 " decide %" PRId64 " provider %" PRId64
                 " write %" PRId64,
                 nm, nsweeps, nsend, tTake - t0, tRows - tTake, tNums - tRows, tCases - tNums, tDecide - tCases,
                 tSend - tDecide, tWrite - tSend);
    rc = 0;
out:
    for (int k = 0; k < NT_MSG_COLS; k++) cs_copy_free(&cols[k]);
    for (size_t i = 0; i < nm; i++) {
        if (ms[i].owned) cs__v1__notification_request__free_unpacked(ms[i].owned, NULL);
        free(ms[i].text);
        cJSON_free(ms[i].body);
    }
    free(ms);
    free(sends);
    free(sweeps);
    free(sweepEv);
    cs_strmap_clear(&armed);
    free(cancels);
    for (size_t i = 0; i < nums.cap; i++)
        if (nums.keys[i]) numberFree(nums.vals[i]);
    cs_strmap_clear(&nums);
    return rc;
}

/* ---- set-up --------------------------------------------------------------------------------- */

static int init(void *user, const cs_config *cfg, const cs_shops *shops, char *err, size_t errlen) {
    ntWorker *w = user;
    if (nt_config_load(&w->cfg, cfg->state_dir, err, errlen) != 0) return -1;
    w->tpl = nt_templates_load(w->cfg.templates, err, errlen);
    if (!w->tpl) return -1;
    /* NT-5: a template with the wrong wording stops the process here */
    if (nt_templates_check(w->tpl, shops, err, errlen) != 0) return -1;
    nt_provider_cfg pc = {
        .url = {w->cfg.im_url, w->cfg.sms_url},
        .log_file = w->cfg.log_file,
        .rate_per_s = w->cfg.rate_per_s,
        .timeout_ms = w->cfg.timeout_ms,
        .attempts = w->cfg.attempts,
        .backoff_ms = w->cfg.backoff_ms,
        .concurrency = w->cfg.concurrency,
    };
    w->prov = nt_provider_new(&pc, err, errlen);
    if (!w->prov) return -1;
    for (int s = 0; s < NT_NSTATUS; s++) {
        char labels[64];
        snprintf(labels, sizeof labels, "status=\"%s\"", statusName[s]);
        w->mStatus[s] = cs_metric_get(CS_METRIC_COUNTER, "cs_nt_messages_total", "Messages by recorded status", labels);
    }
    w->mReplay =
        cs_metric_get(CS_METRIC_COUNTER, "cs_nt_replays_total", "Requests whose key was already handled (NT-1)", NULL);
    w->mReleased =
        cs_metric_get(CS_METRIC_COUNTER, "cs_nt_released_total", "Held messages released (their sweep fired)", NULL);
    w->mOptOut = cs_metric_get(CS_METRIC_COUNTER, "cs_nt_optouts_total", "Opt-out replies recorded (NT-4)", NULL);
    w->mDead = cs_metric_get(CS_METRIC_COUNTER, "cs_nt_dead_lettered_total",
                             "Messages dead-lettered after their retries", NULL);
    w->mAttempts = cs_metric_get(CS_METRIC_COUNTER, "cs_nt_provider_calls_total", "Provider calls made", NULL);
    w->mSweeps = cs_metric_get(CS_METRIC_COUNTER, "cs_nt_sweeps_total",
                               "Release sweeps taken (a bucket of held messages whose time came)", NULL);
    cs_log_kv(CS_LOG_INFO, "notifier ready",
              (const char *const[]){"templates", w->cfg.templates, "sms", nt_provider_kind(w->prov, NT_CH_SMS), "im",
                                    nt_provider_kind(w->prov, NT_CH_IM), "log_file", w->cfg.log_file, NULL});
    return 0;
}

static void fini(void *user) {
    ntWorker *w = user;
    nt_provider_free(w->prov);
    w->prov = NULL;
    nt_templates_free(w->tpl);
    w->tpl = NULL;
    cs_copy_free(&w->copy);
    cs_copy_free(&w->upd);
    cs_copy_free(&w->arr1);
    cs_copy_free(&w->arr2);
}

static const char *const topics[] = {CS_TOPIC_NOTIFICATIONS, CS_TOPIC_CONTACTS, CS_TOPIC_TIMERS, NULL};

static const cs_worker_def def = {
    .name = NT_WORKER_NAME,
    .topics = topics,
    .handle_batch = handleBatch,
    .init = init,
    .fini = fini,
    .user = &theWorker,
};

const cs_worker_def *nt_worker_def(void) { return &def; }

void nt_worker_usage(FILE *out) { nt_config_usage(out); }
