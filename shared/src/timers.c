/* timers.c -- durable timers: the record in PostgreSQL, written in the
 * caller's batch transaction, and the schedule in Redis, written after the
 * commit (see timers.h for the contract, timer_keys.h for the Redis
 * layout, docs/timers.md for the whole design).
 *
 * Why the order "PostgreSQL, commit, then Redis": a timer must never fire
 * for a transaction that rolled back, and a timer that committed must
 * fire. Writing Redis after the commit gives the first for free; the
 * second holds because the dispatcher's reconciliation re-adds every
 * pending row missing from Redis (a crash or a Redis outage between the
 * commit and the write costs a delay of seconds, never the timer).
 *
 * Throughput: schedule and cancel only check their arguments and queue the
 * call; a before-commit hook applies the batch's calls as one INSERT ...
 * ON CONFLICT and one UPDATE over arrays (more only when one timer is
 * touched twice in a batch: calls are applied in order, in rounds where
 * each timer appears once), so a batch of 500 events scheduling 500 timers
 * costs two statements, not 500. cs_timer_take_fired() applies the queue
 * first, so it sees every earlier call. The Redis side of the whole batch
 * is one after-commit hook sending a single pipeline, in call order (a
 * reschedule removes the previous generation's member, then adds the new
 * one). Redis being down does not fail the batch: the hook logs and leaves
 * the repair to reconciliation, and skips Redis for a second after a
 * failure so a dead server does not add a connect timeout to every batch. */
#include "cs/timers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/clock.h"
#include "cs/log.h"
#include "cs/pg.h"
#include "cs/redis.h"
#include "cs/strmap.h"
#include "cs/timer_keys.h"
#include "cs/util.h"

#define TIMERS_REDIS_PAUSE_MS 1000 /* after a failed write, leave Redis alone this long */

/* One Redis change to make after the commit. */
typedef enum opKind {
    OP_ADD_DUE = 1,  /* ZADD due: a new generation */
    OP_REM_DUE,      /* ZREM due: a cancelled or replaced generation */
    OP_REM_INFLIGHT, /* ZREM inflight: a firing its owner processed */
} opKind;

typedef struct timerOp {
    opKind kind;
    int shard;      /* cs_timer_shard() of the timer */
    int64_t due_ms; /* score, for OP_ADD_DUE */
    char *member;   /* owned (timer_keys.h) */
} timerOp;

/* A schedule or cancel call not yet applied to PostgreSQL. */
typedef struct timerCall {
    bool schedule;     /* else cancel */
    bool by_subject;   /* cancel: timer_id holds "<shop>:<subject>", every kind */
    bool keep_pending; /* schedule only if not pending (cs_timer_spec) */
    char *timer_id;    /* owned */
    char *order_key;   /* owned (schedule) */
    char *kind;        /* owned (schedule) */
    char *due;         /* owned decimal due_ms (schedule) */
    char *payload;     /* owned bytea input "\x<hex>" (schedule) */
} timerCall;

/* Per batch: the calls to apply before the commit and the Redis changes
 * to make after it, in call order. Owned by the after-commit registration. */
typedef struct timerOps {
    cs_redis *redis; /* not owned; NULL = leave it to reconciliation */
    timerOp *ops;    /* owned */
    size_t n, cap;
    timerCall *calls; /* owned */
    size_t ncalls, capcalls;
    cs_copybuf a1, a2, a3, a4, a5; /* scratch array literals */
    /* while a run of fired timers taken at once is dispatched
     * (cs_timer_watch_begin): the ids and subject keys that schedule and
     * cancel calls named since; NULL otherwise */
    cs_strmap *watch;
} timerOps;

static int64_t redisPausedUntil; /* mono ms; single-threaded workers */

static void callsClear(timerOps *t) {
    for (size_t i = 0; i < t->ncalls; i++) {
        timerCall *c = &t->calls[i];
        free(c->timer_id);
        free(c->order_key);
        free(c->kind);
        free(c->due);
        free(c->payload);
    }
    t->ncalls = 0;
}

static void watchNote(timerOps *t, const char *key) {
    if (t->watch) cs_strmap_put(t->watch, key, (void *)1);
}

static void opsFree(void *arg) {
    timerOps *t = arg;
    if (t->watch) {
        cs_strmap_clear(t->watch);
        free(t->watch);
    }
    for (size_t i = 0; i < t->n; i++) free(t->ops[i].member);
    free(t->ops);
    callsClear(t);
    free(t->calls);
    cs_copy_free(&t->a1);
    cs_copy_free(&t->a2);
    cs_copy_free(&t->a3);
    cs_copy_free(&t->a4);
    cs_copy_free(&t->a5);
    free(t);
}

/* The most members one ZREM names: a day-2 wave's batch removes 1,000 to
 * 3,000 firings from the inflight sets, one ZREM a shard rather than one a
 * member (Redis spends most of a one-member ZREM on the command itself). */
#define TIMERS_ZREM_MAX 512

static void opKey(const timerOp *o, char *key, size_t len) {
    if (o->kind == OP_REM_INFLIGHT)
        cs_timer_inflight_key(key, len, o->shard);
    else
        cs_timer_due_key(key, len, o->shard);
}

/* The removals ops[i..j) as ZREMs, one per (set, shard) and up to
 * TIMERS_ZREM_MAX members each. Removals commute, so a run of them between
 * two ZADDs may be regrouped; a ZADD is never moved across one. */
static void queueRemovals(cs_redis_pipe *p, const timerOp *ops, size_t i, size_t j, bool *done, const char **argv) {
    for (size_t k = i; k < j; k++) {
        if (done[k]) continue;
        char key[CS_TIMER_KEY_LEN];
        opKey(&ops[k], key, sizeof key);
        argv[0] = "ZREM";
        argv[1] = key;
        int argc = 2;
        for (size_t m = k; m < j && argc < 2 + TIMERS_ZREM_MAX; m++) {
            if (done[m] || ops[m].kind != ops[k].kind || ops[m].shard != ops[k].shard) continue;
            argv[argc++] = ops[m].member;
            done[m] = true;
        }
        cs_redis_pipe_add(p, argc, argv);
    }
}

static void opsApply(void *arg) {
    timerOps *t = arg;
    if (!t->redis || t->n == 0) return;
    if (cs_mono_ms() < redisPausedUntil) {
        cs_log_debug("timers: Redis paused after a failure; %zu changes left to reconciliation", t->n);
        return;
    }
    cs_redis_pipe *p = cs_redis_pipe_new();
    bool *done = cs_xcalloc(t->n, sizeof *done);
    const char **argv = cs_xcalloc(2 + TIMERS_ZREM_MAX, sizeof *argv);
    for (size_t i = 0; i < t->n;) {
        if (t->ops[i].kind != OP_ADD_DUE) {
            size_t j = i;
            while (j < t->n && t->ops[j].kind != OP_ADD_DUE) j++;
            queueRemovals(p, t->ops, i, j, done, argv);
            i = j;
            continue;
        }
        char key[CS_TIMER_KEY_LEN], score[24];
        opKey(&t->ops[i], key, sizeof key);
        snprintf(score, sizeof score, "%" PRId64, t->ops[i].due_ms);
        cs_redis_pipe_add(p, 4, (const char *[]){"ZADD", key, score, t->ops[i].member});
        i++;
    }
    char err[256];
    if (cs_redis_pipe_run(t->redis, p, err, sizeof err) != 0) {
        redisPausedUntil = cs_mono_ms() + TIMERS_REDIS_PAUSE_MS;
        cs_log_warn("timers: %zu committed changes not written to Redis (%s); the dispatcher's "
                    "reconciliation restores them",
                    t->n, err);
    } else {
        for (size_t i = 0; i < cs_redis_pipe_count(p); i++) {
            const redisReply *r = cs_redis_pipe_reply(p, i);
            if (r && r->type == REDIS_REPLY_ERROR)
                cs_log_warn("timers: Redis refused change %zu of the batch's %zu: %s", i + 1, cs_redis_pipe_count(p),
                            r->str);
        }
    }
    free(argv);
    free(done);
    cs_redis_pipe_free(p);
}

static int callsApply(void *arg, cs_batch *b, char *err, size_t errlen);
static void opQueueRow(timerOps *t, opKind kind, const char *owner, const char *timer_id, PGresult *r, int j, int col);

/* This batch's timerOps, made and registered (before and after commit) on
 * first use. */
static timerOps *batchOps(cs_batch *b) {
    timerOps *t = cs_batch_after_commit_arg(b, opsApply);
    if (!t) {
        t = cs_xcalloc(1, sizeof *t);
        t->redis = cs_batch_redis(b);
        cs_batch_after_commit(b, opsApply, t, opsFree);
    }
    /* registered again when calls come after a cs_batch_flush() */
    if (!cs_batch_before_commit_has(b, callsApply)) cs_batch_before_commit(b, callsApply, t);
    return t;
}

/* Queues a Redis change for after the commit. */
static void opQueue(timerOps *t, opKind kind, const cs_timer_fields *f) {
    char member[CS_TIMER_MEMBER_MAX];
    if (cs_timer_member(member, sizeof member, f) != 0) return; /* refused at schedule time */
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->ops = cs_xrealloc(t->ops, t->cap * sizeof *t->ops);
    }
    char idbuf[sizeof((cs_timer_ref *)0)->timer_id];
    const char *id = f->timer_id;
    if (!id) {
        cs_timer_default_id(idbuf, sizeof idbuf, f->kind, f->order_key);
        id = idbuf;
    }
    t->ops[t->n++] = (timerOp){kind, cs_timer_shard(f->owner, id), f->due_ms, cs_xstrdup(member)};
}

/* Queues the change of one timer whose row is in r at row j, columns
 * from col on: generation, order_key, kind, due_ms, payload (bytea). */
static void opQueueRow(timerOps *t, opKind kind, const char *owner, const char *timer_id, PGresult *r, int j, int col) {
    size_t plen = 0;
    unsigned char *payload = PQunescapeBytea((const unsigned char *)PQgetvalue(r, j, col + 4), &plen);
    cs_timer_fields f = {owner,
                         timer_id,
                         PQgetvalue(r, j, col + 2),
                         PQgetvalue(r, j, col + 1),
                         strtoll(PQgetvalue(r, j, col), NULL, 10),
                         strtoll(PQgetvalue(r, j, col + 3), NULL, 10),
                         payload,
                         plen};
    opQueue(t, kind, &f);
    PQfreemem(payload);
}

void cs_timer_default_id(char *out, size_t outlen, const char *kind, const char *order_key) {
    snprintf(out, outlen, "%s@%s", kind, order_key);
}

/* The bytea input form "\x<hex>" of a payload (malloc'd). */
static char *hexBytea(const void *p, size_t n) {
    static const char hex[] = "0123456789abcdef";
    char *s = cs_xmalloc(2 * n + 3);
    s[0] = '\\';
    s[1] = 'x';
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        s[2 + 2 * i] = hex[b[i] >> 4];
        s[3 + 2 * i] = hex[b[i] & 15];
    }
    s[2 + 2 * n] = 0;
    return s;
}

int cs_timer_schedule(cs_batch *b, const cs_timer_spec *t, char *err, size_t errlen) {
    const char *owner = cs_batch_worker(b);
    if (!t->kind || !t->kind[0]) {
        snprintf(err, errlen, "timer: kind missing");
        return -1;
    }
    if (!t->order_key || !strchr(t->order_key, ':') || t->order_key[0] == ':') {
        snprintf(err, errlen, "timer %s: order key '%s' is not <shop_id>:<order_id>", t->kind,
                 t->order_key ? t->order_key : "");
        return -1;
    }
    if (t->due_ms <= 0) {
        snprintf(err, errlen, "timer %s: due time missing", t->kind);
        return -1;
    }
    char idbuf[sizeof((cs_timer_ref *)0)->timer_id];
    const char *id = t->timer_id;
    if (!id) {
        cs_timer_default_id(idbuf, sizeof idbuf, t->kind, t->order_key);
        id = idbuf;
    }
    if (t->payload_len > CS_TIMER_PAYLOAD_MAX) {
        snprintf(err, errlen,
                 "timer %s of %s: payload of %zu bytes (at most %d: a timer carries a "
                 "reference, not a document)",
                 t->kind, t->order_key, t->payload_len, CS_TIMER_PAYLOAD_MAX);
        return -1;
    }
    char member[CS_TIMER_MEMBER_MAX];
    cs_timer_fields f = {owner,     id,         t->kind,       t->order_key, INT64_C(999999999999),
                         t->due_ms, t->payload, t->payload_len};
    if (strlen(id) >= sizeof idbuf || cs_timer_member(member, sizeof member, &f) != 0) {
        snprintf(err, errlen,
                 "timer '%.80s' of %s: id, kind or order key empty or too long, or "
                 "owner contains '|' or '%%'",
                 id, owner);
        return -1;
    }
    char due[24];
    snprintf(due, sizeof due, "%" PRId64, t->due_ms);
    timerOps *ops = batchOps(b);
    if (ops->ncalls == ops->capcalls) {
        ops->capcalls = ops->capcalls ? 2 * ops->capcalls : 32;
        ops->calls = cs_xrealloc(ops->calls, ops->capcalls * sizeof *ops->calls);
    }
    if (!t->keep_pending) watchNote(ops, id);
    ops->calls[ops->ncalls++] =
        (timerCall){.schedule = true,
                    .keep_pending = t->keep_pending,
                    .timer_id = cs_xstrdup(id),
                    .order_key = cs_xstrdup(t->order_key),
                    .kind = cs_xstrdup(t->kind),
                    .due = cs_xstrdup(due),
                    .payload = hexBytea(t->payload ? t->payload : "", t->payload ? t->payload_len : 0)};
    return 0;
}

int cs_timer_cancel(cs_batch *b, const char *timer_id, char *err, size_t errlen) {
    if (!timer_id || !timer_id[0]) {
        snprintf(err, errlen, "timer cancel: no timer id");
        return -1;
    }
    timerOps *ops = batchOps(b);
    if (ops->ncalls == ops->capcalls) {
        ops->capcalls = ops->capcalls ? 2 * ops->capcalls : 32;
        ops->calls = cs_xrealloc(ops->calls, ops->capcalls * sizeof *ops->calls);
    }
    watchNote(ops, timer_id);
    ops->calls[ops->ncalls++] = (timerCall){.timer_id = cs_xstrdup(timer_id)};
    return 0;
}

int cs_timer_cancel_subject(cs_batch *b, const char *subject_key, char *err, size_t errlen) {
    if (!subject_key || !strchr(subject_key, ':') || subject_key[0] == ':') {
        snprintf(err, errlen, "timer cancel: subject '%s' is not <shop_id>:<subject>", subject_key ? subject_key : "");
        return -1;
    }
    timerOps *ops = batchOps(b);
    if (ops->ncalls == ops->capcalls) {
        ops->capcalls = ops->capcalls ? 2 * ops->capcalls : 32;
        ops->calls = cs_xrealloc(ops->calls, ops->capcalls * sizeof *ops->calls);
    }
    watchNote(ops, subject_key);
    ops->calls[ops->ncalls++] = (timerCall){.by_subject = true, .timer_id = cs_xstrdup(subject_key)};
    return 0;
}

/* Cancels every pending timer of the subjects of calls[from, to) (all
 * by_subject), whatever their kind. Ids follow the scheme
 * "<kind>@<subject>" (effects.h), so with the worker's timer kinds known
 * (its timer routes, cs_batch_timer_kinds) the candidates are named and
 * found by primary key: no index of their own, nothing added to the cost
 * of scheduling. A worker without timer routes matches the id's subject
 * part over its pending timers (a scan of the owner's pending rows:
 * acceptable for the rare raw-handler worker that cancels this way). */
static int cancelWhere(timerOps *t, cs_batch *b, const char *match, const char *const *keys, size_t n, char *err,
                       size_t errlen);

static int subjectsApply(timerOps *t, cs_batch *b, const char *const *subjects, size_t ns, char *err, size_t errlen) {
    const char *const *kinds = cs_batch_timer_kinds(b);
    size_t nk = 0;
    while (kinds && kinds[nk]) nk++;
    size_t n = nk ? nk * ns : ns;
    char **keys = cs_xcalloc(n, sizeof *keys);
    for (size_t i = 0; i < ns; i++) {
        const char *subject = subjects[i];
        if (!nk) {
            keys[i] = cs_xstrdup(subject);
            continue;
        }
        for (size_t k = 0; k < nk; k++) {
            size_t len = strlen(kinds[k]) + strlen(subject) + 2;
            keys[i * nk + k] = cs_xmalloc(len);
            snprintf(keys[i * nk + k], len, "%s@%s", kinds[k], subject);
        }
    }
    int rc = cancelWhere(t, b, nk ? "timer_id" : "substr(timer_id, strpos(timer_id, '@') + 1)",
                         (const char *const *)keys, n, err, errlen);
    for (size_t i = 0; i < n; i++) free(keys[i]);
    free(keys);
    return rc;
}

/* Cancels the owner's pending timers whose `match` (a column or the
 * subject expression) is one of keys[0..n), and queues their members'
 * removal from Redis. */
static int cancelWhere(timerOps *t, cs_batch *b, const char *match, const char *const *keys, size_t n, char *err,
                       size_t errlen) {
    const char *owner = cs_batch_worker(b);
    cs_pg_text_array(&t->a1, keys, n);
    const char *p[2] = {owner, t->a1.data};
    char sql[320];
    snprintf(sql, sizeof sql,
             "UPDATE timers SET status = 'cancelled' WHERE owner = $1 AND status = 'pending' AND %s = ANY($2::text[]) "
             "RETURNING timer_id, generation, order_key, kind, due_ms, payload",
             match);
    PGresult *r = NULL;
    int rc = cs_pg_exec(cs_batch_pg(b), sql, 2, p, &r, err, errlen);
    for (int j = 0; rc == 0 && j < PQntuples(r); j++) opQueueRow(t, OP_REM_DUE, owner, PQgetvalue(r, j, 0), r, j, 1);
    PQclear(r);
    return rc;
}

/* The schedule statement of a round: an upsert that bumps the generation
 * of a rescheduled timer and reads the replaced generation (its member
 * must leave Redis). */
static const char schedSql[] =
    /* The replaced generation's fields come from the statement's snapshot
     * (CTE "old"). "= ANY(ids)" keeps that a probe of the primary key per
     * id; a join with k let the planner scan every pending row of the
     * owner once the table grew (scheduling fell from 20 000/s to 7 500/s). */
    "WITH k AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], "
    "$6::bytea[]) AS k(id, key, kind, due, payload)), "
    "old AS (SELECT t.timer_id, t.generation, t.order_key, t.kind, t.due_ms, t.payload "
    "FROM timers t WHERE t.owner = $1 AND t.timer_id = ANY($2::text[]) AND t.status = 'pending'), "
    "up AS (INSERT INTO timers (owner, timer_id, order_key, kind, due_ms, payload, status, "
    "generation, scheduled_at) SELECT $1, k.id, k.key, k.kind, k.due, k.payload, 'pending', 1, "
    "now() FROM k "
    "ON CONFLICT (owner, timer_id) DO UPDATE SET order_key = EXCLUDED.order_key, "
    "kind = EXCLUDED.kind, due_ms = EXCLUDED.due_ms, payload = EXCLUDED.payload, "
    "status = 'pending', generation = timers.generation + 1, scheduled_at = now() "
    "RETURNING timer_id, generation, order_key, kind, due_ms, payload) "
    "SELECT up.timer_id, up.generation, up.order_key, up.kind, up.due_ms, up.payload, "
    "old.generation, old.order_key, old.kind, old.due_ms, old.payload "
    "FROM up LEFT JOIN old USING (timer_id)";

/* keep_pending: a pending row is left alone (nothing returned for it, so
 * nothing changes in Redis); a new, fired or cancelled one is (re)armed. */
static const char schedKeepSql[] =
    "INSERT INTO timers (owner, timer_id, order_key, kind, due_ms, payload, status, generation, "
    "scheduled_at) SELECT $1, k.id, k.key, k.kind, k.due, k.payload, 'pending', 1, now() "
    "FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bytea[]) AS k(id, key, kind, due, payload) "
    "ON CONFLICT (owner, timer_id) DO UPDATE SET order_key = EXCLUDED.order_key, "
    "kind = EXCLUDED.kind, due_ms = EXCLUDED.due_ms, payload = EXCLUDED.payload, "
    "status = 'pending', generation = timers.generation + 1, scheduled_at = now() "
    "WHERE timers.status <> 'pending' "
    "RETURNING timer_id, generation, order_key, kind, due_ms, payload";

/* Applies the schedules sc[0..n) -- each timer once -- as one INSERT (two
 * if some keep a pending timer), and queues the Redis changes. */
static int schedulesApply(timerOps *t, cs_batch *b, const timerCall *const *sc, size_t n, char *err, size_t errlen) {
    const char *owner = cs_batch_worker(b);
    const char **ids = cs_xcalloc(n ? n : 1, sizeof *ids), **keys = cs_xcalloc(n ? n : 1, sizeof *keys),
               **kinds = cs_xcalloc(n ? n : 1, sizeof *kinds), **dues = cs_xcalloc(n ? n : 1, sizeof *dues),
               **pays = cs_xcalloc(n ? n : 1, sizeof *pays);
    int rc = 0;
    PGresult *r = NULL;
    for (int keep = 0; keep < 2 && rc == 0; keep++) {
        size_t ns = 0;
        for (size_t i = 0; i < n; i++) {
            const timerCall *c = sc[i];
            if (c->keep_pending != (keep == 1)) continue;
            ids[ns] = c->timer_id;
            keys[ns] = c->order_key;
            kinds[ns] = c->kind;
            dues[ns] = c->due;
            pays[ns++] = c->payload;
        }
        if (ns == 0) continue;
        cs_pg_text_array(&t->a1, ids, ns);
        cs_pg_text_array(&t->a2, keys, ns);
        cs_pg_text_array(&t->a3, kinds, ns);
        cs_pg_text_array(&t->a4, dues, ns);
        cs_pg_text_array(&t->a5, pays, ns);
        const char *p[6] = {owner, t->a1.data, t->a2.data, t->a3.data, t->a4.data, t->a5.data};
        rc = cs_pg_exec(cs_batch_pg(b), keep ? schedKeepSql : schedSql, 6, p, &r, err, errlen);
        for (int j = 0; rc == 0 && j < PQntuples(r); j++) {
            const char *id = PQgetvalue(r, j, 0);
            if (!keep && !PQgetisnull(r, j, 6)) opQueueRow(t, OP_REM_DUE, owner, id, r, j, 6);
            opQueueRow(t, OP_ADD_DUE, owner, id, r, j, 1);
        }
        PQclear(r);
        r = NULL;
    }
    free(ids);
    free(keys);
    free(kinds);
    free(dues);
    free(pays);
    return rc;
}

/* Picks, among a timer's schedules, the one whose effect stands: the last
 * plain one (a keep_pending one after it would find it pending), else the
 * first keep_pending one (later ones would find it pending). map: timer
 * id -> index + 1 in sc. */
static void pick(cs_strmap *map, const timerCall **sc, size_t *n, const timerCall *c) {
    uintptr_t prev = (uintptr_t)cs_strmap_get(map, c->timer_id);
    if (!prev) {
        sc[*n] = c;
        cs_strmap_put(map, c->timer_id, (void *)(uintptr_t)(++*n));
    } else if (!c->keep_pending) {
        sc[prev - 1] = c;
    }
}

/* Before commit (and before a take_fired): applies the queued calls with
 * the effect of applying them one by one in call order, in at most five
 * statements whatever their number:
 *   A. the schedules of timers that a later cancel covers (by id or by
 *      subject) and that are not scheduled again after it: written, so
 *      that the cancel finds them and the record shows them cancelled;
 *   B. every cancel: by subject, then by id;
 *   C. for each timer scheduled after its last cancel (or never
 *      cancelled), the schedule whose effect stands (pick()): a cancel
 *      before it is undone, the row pending again one generation up, as
 *      in call order.
 * The rounds this replaces (a new one at each alternation of cancels and
 * schedules) cost two statements per event for a worker that cancels a
 * case's timers and arms the next, the refund-notifier. */
static int callsApply(void *arg, cs_batch *b, char *err, size_t errlen) {
    timerOps *t = arg;
    if (!t->ncalls) return 0;
    /* the last cancel of each id ("I<id>") and subject ("S<subject key>"),
     * as call index + 1 */
    cs_strmap last, before, after;
    cs_strmap_init(&last);
    cs_strmap_init(&before);
    cs_strmap_init(&after);
    size_t nc = t->ncalls;
    const char **subjects = cs_xcalloc(nc, sizeof *subjects), **cids = cs_xcalloc(nc, sizeof *cids);
    const timerCall **sa = cs_xcalloc(nc, sizeof *sa), **sc = cs_xcalloc(nc, sizeof *sc);
    size_t nsub = 0, ncid = 0, nsa = 0, nsc = 0;
    char key[CS_TIMER_MEMBER_MAX + 2];
    for (size_t i = 0; i < nc; i++) {
        const timerCall *c = &t->calls[i];
        if (c->schedule) continue;
        snprintf(key, sizeof key, "%c%s", c->by_subject ? 'S' : 'I', c->timer_id);
        if (!cs_strmap_get(&last, key)) {
            if (c->by_subject)
                subjects[nsub++] = c->timer_id;
            else
                cids[ncid++] = c->timer_id;
        }
        cs_strmap_put(&last, key, (void *)(uintptr_t)(i + 1));
    }
    for (size_t i = 0; i < nc; i++) {
        const timerCall *c = &t->calls[i];
        if (!c->schedule) continue;
        snprintf(key, sizeof key, "I%s", c->timer_id);
        uintptr_t cancelAt = (uintptr_t)cs_strmap_get(&last, key);
        const char *at = strchr(c->timer_id, '@');
        if (at) {
            snprintf(key, sizeof key, "S%s", at + 1);
            uintptr_t s2 = (uintptr_t)cs_strmap_get(&last, key);
            if (s2 > cancelAt) cancelAt = s2;
        }
        if (i + 1 < cancelAt)
            pick(&before, sa, &nsa, c);
        else
            pick(&after, sc, &nsc, c);
    }
    /* A: only the timers that end cancelled */
    size_t keep = 0;
    for (size_t i = 0; i < nsa; i++)
        if (!cs_strmap_get(&after, sa[i]->timer_id)) sa[keep++] = sa[i];
    int rc = 0;
    if (keep) rc = schedulesApply(t, b, sa, keep, err, errlen);
    if (rc == 0 && nsub) rc = subjectsApply(t, b, subjects, nsub, err, errlen);
    if (rc == 0 && ncid) rc = cancelWhere(t, b, "timer_id", cids, ncid, err, errlen);
    if (rc == 0 && nsc) rc = schedulesApply(t, b, sc, nsc, err, errlen);
    cs_strmap_clear(&last);
    cs_strmap_clear(&before);
    cs_strmap_clear(&after);
    free(subjects);
    free(cids);
    free(sa);
    free(sc);
    callsClear(t);
    return rc;
}

int cs_timer_take_fired(cs_batch *b, const Cs__V1__TimerFired *f, char *err, size_t errlen) {
    const char *owner = cs_batch_worker(b);
    if (!f || !f->owner || strcmp(f->owner, owner) != 0 || !f->timer_id || f->generation <= 0) return 0;
    /* Earlier schedule and cancel calls of this batch first: a timer
     * cancelled or rescheduled just before must not be taken. */
    timerOps *t = cs_batch_after_commit_arg(b, opsApply);
    if (t && t->ncalls && callsApply(t, b, err, errlen) != 0) return -1;
    char gen[24];
    snprintf(gen, sizeof gen, "%" PRId64, f->generation);
    const char *p[3] = {owner, f->timer_id, gen};
    PGresult *r = NULL;
    if (cs_pg_exec(cs_batch_pg(b),
                   "UPDATE timers SET status = 'fired' WHERE owner = $1 AND timer_id = $2 "
                   "AND generation = $3::bigint AND status = 'pending'",
                   3, p, &r, err, errlen) != 0)
        return -1;
    int taken = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    return taken;
}

int cs_timer_take_fired_many(cs_batch *b, const Cs__V1__TimerFired *const *f, size_t n, bool *taken, char *err,
                             size_t errlen) {
    const char *owner = cs_batch_worker(b);
    for (size_t i = 0; i < n; i++) taken[i] = false;
    timerOps *t = cs_batch_after_commit_arg(b, opsApply);
    if (t && t->ncalls && callsApply(t, b, err, errlen) != 0) return -1;
    /* the candidates: this owner's, each (id, generation) once */
    cs_strmap seen;
    cs_strmap_init(&seen);
    const char **ids = cs_xcalloc(n ? n : 1, sizeof *ids);
    int64_t *gens = cs_xcalloc(n ? n : 1, sizeof *gens);
    size_t m = 0;
    char key[CS_TIMER_MEMBER_MAX];
    for (size_t i = 0; i < n; i++) {
        if (!f[i] || !f[i]->owner || strcmp(f[i]->owner, owner) != 0 || !f[i]->timer_id || f[i]->generation <= 0)
            continue;
        snprintf(key, sizeof key, "%s|%" PRId64, f[i]->timer_id, f[i]->generation);
        if (cs_strmap_get(&seen, key)) continue;
        cs_strmap_put(&seen, key, (void *)(uintptr_t)(i + 1));
        ids[m] = f[i]->timer_id;
        gens[m++] = f[i]->generation;
    }
    int rc = 0;
    if (m) {
        cs_copybuf a1 = {0}, a2 = {0};
        cs_pg_text_array(&a1, ids, m);
        cs_pg_int_array(&a2, gens, m);
        const char *p[3] = {owner, a1.data, a2.data};
        PGresult *r = NULL;
        rc = cs_pg_exec(cs_batch_pg(b),
                        "UPDATE timers t SET status = 'fired' FROM unnest($2::text[], $3::bigint[]) AS k(id, gen) "
                        "WHERE t.owner = $1 AND t.timer_id = k.id AND t.generation = k.gen AND "
                        "t.status = 'pending' RETURNING t.timer_id, t.generation",
                        3, p, &r, err, errlen);
        if (rc == 0) {
            for (int j = 0; j < PQntuples(r); j++) {
                snprintf(key, sizeof key, "%s|%s", PQgetvalue(r, j, 0), PQgetvalue(r, j, 1));
                uintptr_t at = (uintptr_t)cs_strmap_get(&seen, key);
                if (at) taken[at - 1] = true; /* the first record of it; a duplicate is not taken */
            }
            PQclear(r);
        }
        cs_copy_free(&a1);
        cs_copy_free(&a2);
    }
    cs_strmap_clear(&seen);
    free(ids);
    free(gens);
    return rc;
}


void cs_timer_watch_begin(cs_batch *b) {
    timerOps *t = batchOps(b);
    if (!t->watch) {
        t->watch = cs_xcalloc(1, sizeof *t->watch);
        cs_strmap_init(t->watch);
    }
}

bool cs_timer_watch_touched(cs_batch *b, const char *timer_id) {
    timerOps *t = cs_batch_after_commit_arg(b, opsApply);
    if (!t || !t->watch || !timer_id) return false;
    if (cs_strmap_get(t->watch, timer_id)) return true;
    const char *at = strchr(timer_id, '@'); /* "<kind>@<shop>:<subject>": its subject key */
    return at && cs_strmap_get(t->watch, at + 1);
}

void cs_timer_watch_end(cs_batch *b) {
    timerOps *t = cs_batch_after_commit_arg(b, opsApply);
    if (!t || !t->watch) return;
    cs_strmap_clear(t->watch);
    free(t->watch);
    t->watch = NULL;
}

void cs_timer_fired_done(cs_batch *b, const Cs__V1__TimerFired *f) {
    if (!f || !f->owner || strcmp(f->owner, cs_batch_worker(b)) != 0 || !f->timer_id || !f->kind || !f->order_key)
        return;
    cs_timer_fields m = {f->owner,      f->timer_id, f->kind,         f->order_key,
                         f->generation, f->due_ms,   f->payload.data, f->payload.len};
    opQueue(batchOps(b), OP_REM_INFLIGHT, &m);
}
