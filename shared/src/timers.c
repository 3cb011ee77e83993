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
 * Each call is one statement on the batch's connection; the Redis side of
 * the whole batch is queued in one after-commit hook and sent as a single
 * pipeline, applied in call order (a reschedule removes the previous
 * generation's member, then adds the new one). Redis being down does not
 * fail the batch: the hook logs and leaves the repair to reconciliation,
 * and skips Redis for a second after a failure so a dead server does not
 * add a connect timeout to every batch. */
#include "cs/timers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/clock.h"
#include "cs/log.h"
#include "cs/pg.h"
#include "cs/redis.h"
#include "cs/timer_keys.h"
#include "cs/util.h"

#define TIMERS_REDIS_PAUSE_MS 1000   /* after a failed write, leave Redis alone this long */

/* One Redis change to make after the commit. */
typedef struct timerOp {
    bool add;                 /* ZADD due (else ZREM due) */
    int shard;                /* cs_timer_shard() of the timer */
    int64_t due_ms;           /* score, for add */
    char *member;             /* owned "<owner>|<timer_id>|<generation>" */
} timerOp;

/* The after-commit hook's argument: the batch's changes, in call order. */
typedef struct timerOps {
    cs_redis *redis;          /* not owned; NULL = leave it to reconciliation */
    timerOp *ops;             /* owned */
    size_t n, cap;
} timerOps;

static int64_t redisPausedUntil;  /* mono ms; single-threaded workers */

static void opsFree(void *arg) {
    timerOps *t = arg;
    for (size_t i = 0; i < t->n; i++) free(t->ops[i].member);
    free(t->ops);
    free(t);
}

static void opsApply(void *arg) {
    timerOps *t = arg;
    if (!t->redis || t->n == 0) return;
    if (cs_mono_ms() < redisPausedUntil) {
        cs_log_debug("timers: Redis paused after a failure; %zu changes left to reconciliation", t->n);
        return;
    }
    cs_redis_pipe *p = cs_redis_pipe_new();
    for (size_t i = 0; i < t->n; i++) {
        char key[CS_TIMER_KEY_LEN], score[24];
        cs_timer_due_key(key, sizeof key, t->ops[i].shard);
        if (t->ops[i].add) {
            snprintf(score, sizeof score, "%" PRId64, t->ops[i].due_ms);
            cs_redis_pipe_add(p, 4, (const char *[]){"ZADD", key, score, t->ops[i].member});
        } else {
            cs_redis_pipe_add(p, 3, (const char *[]){"ZREM", key, t->ops[i].member});
        }
    }
    char err[256];
    if (cs_redis_pipe_run(t->redis, p, err, sizeof err) != 0) {
        redisPausedUntil = cs_mono_ms() + TIMERS_REDIS_PAUSE_MS;
        cs_log_warn("timers: %zu committed changes not written to Redis (%s); the dispatcher's "
                    "reconciliation restores them", t->n, err);
    } else {
        for (size_t i = 0; i < t->n; i++) {
            const redisReply *r = cs_redis_pipe_reply(p, i);
            if (r && r->type == REDIS_REPLY_ERROR)
                cs_log_warn("timers: Redis refused a change of %s: %s", t->ops[i].member, r->str);
        }
    }
    cs_redis_pipe_free(p);
}

/* Queues a Redis change for after the commit of b's transaction. */
static void opQueue(cs_batch *b, bool add, const char *owner, const char *timer_id,
                    int64_t generation, int64_t due_ms) {
    char member[CS_TIMER_MEMBER_MAX];
    if (cs_timer_member(member, sizeof member, owner, timer_id, generation) != 0) return;
    timerOps *t = cs_batch_after_commit_arg(b, opsApply);
    if (!t) {
        t = cs_xcalloc(1, sizeof *t);
        t->redis = cs_batch_redis(b);
        cs_batch_after_commit(b, opsApply, t, opsFree);
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->ops = cs_xrealloc(t->ops, t->cap * sizeof *t->ops);
    }
    t->ops[t->n++] = (timerOp){ add, cs_timer_shard(owner, timer_id), due_ms, cs_xstrdup(member) };
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
    if (!t->kind || !t->kind[0]) { snprintf(err, errlen, "timer: kind missing"); return -1; }
    if (!t->order_key || !strchr(t->order_key, ':') || t->order_key[0] == ':') {
        snprintf(err, errlen, "timer %s: order key '%s' is not <shop_id>:<order_id>", t->kind,
                 t->order_key ? t->order_key : "");
        return -1;
    }
    if (t->due_ms <= 0) { snprintf(err, errlen, "timer %s: due time missing", t->kind); return -1; }
    char idbuf[sizeof ((cs_timer_ref *)0)->timer_id];
    const char *id = t->timer_id;
    if (!id) {
        cs_timer_default_id(idbuf, sizeof idbuf, t->kind, t->order_key);
        id = idbuf;
    }
    char member[CS_TIMER_MEMBER_MAX];
    if (strlen(id) >= sizeof idbuf || cs_timer_member(member, sizeof member, owner, id, 1) != 0) {
        snprintf(err, errlen, "timer '%.80s' of %s: id empty or too long, or owner contains '|'",
                 id, owner);
        return -1;
    }
    char due[24];
    snprintf(due, sizeof due, "%" PRId64, t->due_ms);
    char *payload = hexBytea(t->payload ? t->payload : "", t->payload ? t->payload_len : 0);
    const char *p[6] = { owner, id, t->order_key, t->kind, due, payload };
    PGresult *r = NULL;
    /* A reschedule (same owner and id, whatever the row's status) bumps the
     * generation: firings of earlier generations are then ignored. */
    int rc = cs_pg_exec(cs_batch_pg(b),
        "INSERT INTO timers (owner, timer_id, order_key, kind, due_ms, payload, status, generation, "
        "scheduled_at) VALUES ($1, $2, $3, $4, $5::bigint, $6::bytea, 'pending', 1, now()) "
        "ON CONFLICT (owner, timer_id) DO UPDATE SET order_key = EXCLUDED.order_key, "
        "kind = EXCLUDED.kind, due_ms = EXCLUDED.due_ms, payload = EXCLUDED.payload, "
        "status = 'pending', generation = timers.generation + 1, scheduled_at = now() "
        "RETURNING generation", 6, p, &r, err, errlen);
    free(payload);
    if (rc != 0) return -1;
    int64_t gen = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (gen > 1) opQueue(b, false, owner, id, gen - 1, 0);
    opQueue(b, true, owner, id, gen, t->due_ms);
    return 0;
}

int cs_timer_cancel(cs_batch *b, const char *timer_id, char *err, size_t errlen) {
    const char *owner = cs_batch_worker(b);
    const char *p[2] = { owner, timer_id };
    PGresult *r = NULL;
    if (cs_pg_exec(cs_batch_pg(b),
                   "UPDATE timers SET status = 'cancelled' WHERE owner = $1 AND timer_id = $2 "
                   "AND status = 'pending' RETURNING generation", 2, p, &r, err, errlen) != 0)
        return -1;
    if (PQntuples(r) == 1) opQueue(b, false, owner, timer_id, strtoll(PQgetvalue(r, 0, 0), NULL, 10), 0);
    PQclear(r);
    return 0;
}

int cs_timer_take_fired(cs_batch *b, const Cs__V1__TimerFired *f, char *err, size_t errlen) {
    const char *owner = cs_batch_worker(b);
    if (!f || !f->owner || strcmp(f->owner, owner) != 0 || !f->timer_id || f->generation <= 0)
        return 0;
    char gen[24];
    snprintf(gen, sizeof gen, "%" PRId64, f->generation);
    const char *p[3] = { owner, f->timer_id, gen };
    PGresult *r = NULL;
    if (cs_pg_exec(cs_batch_pg(b),
                   "UPDATE timers SET status = 'fired' WHERE owner = $1 AND timer_id = $2 "
                   "AND generation = $3::bigint AND status = 'pending'", 3, p, &r, err, errlen) != 0)
        return -1;
    int taken = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    return taken;
}
