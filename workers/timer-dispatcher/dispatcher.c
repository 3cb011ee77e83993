/* dispatcher.c -- the timer dispatcher process: claims due timers in Redis,
 * produces their TimerFired records to cs.timers.v1, acknowledges them, and
 * reconciles Redis with PostgreSQL (docs/timers.md).
 *
 * One round (every CS_TIMER_TICK_MS, at once again while a backlog lasts):
 *
 *   read the business clock -> one Redis pipeline: the previous round's
 *   acknowledgements, then 16 claim scripts (one per shard: expired
 *   leases, then due members -> inflight with a real-time lease) -> build
 *   each claimed member's record from the member itself and produce it
 *   (idempotent producer, acks=all) -> wait for every acknowledgement.
 *
 * The acknowledgement does not remove the member: it gives it the long
 * lease CS_TIMER_UNTAKEN_S (ZADD XX), and the owner's runtime removes it
 * once it has processed the record. So a record produced but never
 * processed (lost with a topic, or an owner that stayed down) fires again,
 * and reconciliation, which puts back only pending timers found in
 * neither set, never re-adds a firing that is on its way.
 *
 * Why no PostgreSQL on this path: the member carries everything the record
 * needs (timer_keys.h), and the owner's cs_timer_take_fired() checks the
 * row anyway. Reading the rows and recording what was produced cost about
 * 40 us of PostgreSQL time per timer, more than everything else together
 * (docs/performance.md). A member that no longer stands for a pending
 * timer (its cancel or reschedule was lost between COMMIT and Redis) is
 * fired like any other, and the owner ignores it. Firing goes on while
 * PostgreSQL is down.
 *
 * Failures: a record Kafka does not acknowledge stays in inflight under
 * the short lease and fires again when it expires (same event id: the
 * owner's dedupe and cs_timer_take_fired make it one effect). A crash
 * anywhere in the round is the same case. Two dispatchers never fire one
 * member under the same lease: the claim is one Lua script. Redis or the
 * clock down: the round is skipped with backoff; nothing is lost, timers
 * fire late.
 *
 * Reconciliation (every CS_TIMER_RECONCILE_S): the pending rows scheduled
 * in the last seconds that are neither in a due nor in an inflight set are
 * put back (ZADD NX). A full pass over every pending row runs every
 * CS_TIMER_FULL_RECONCILE_S, and at once when the epoch key is missing
 * (Redis restarted empty or flushed).
 *
 * Threads: the rounds run in the main thread (librdkafka's delivery
 * callbacks run inside our polls); reconciliation runs in its own thread
 * with its own connections, so a pass never delays firing; the HTTP
 * endpoint reads only atomics. With several copies, one per period runs
 * the routine pass (a Redis lock), since they would check the same rows. */
#include "dispatcher.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <libpq-fe.h>

#include "cs/clock.h"
#include "cs/config.h"
#include "cs/kafka.h"
#include "cs/log.h"
#include "cs/proc.h"
#include "cs/metrics.h"
#include "cs/pg.h"
#include "cs/redis.h"
#include "cs/runtime.h"
#include "cs/strmap.h"
#include "cs/timer_sync.h"
#include "cs/topics.h"
#include "cs/util.h"

#define TD_NAME "timer-dispatcher"
#define TD_CLAIM_LIMIT 256    /* members claimed per shard per round */
/* Claims a round's array keeps between rounds. A full round is
 * CS_TIMER_SHARDS x TD_CLAIM_LIMIT claims of about 1.1 KiB (the parsed
 * member): 4.5 MiB for each of the two rounds, grown in a backlog and
 * kept at that size ever after -- the dispatcher's RSS stepped up by 4
 * MiB after each backlog of the soak (bench/run soak). */
#define TD_ROUND_KEEP 256
#define TD_BACKOFF_MIN_MS 100
#define TD_BACKOFF_MAX_MS 5000
#define TD_ERRLEN 512
#define TD_PG_CHECK_MS 1000 /* how often the reconciliation thread asks PostgreSQL whether it answers */

/* One claimed member during a round. */
typedef struct tdClaim {
    int shard;        /* its shard */
    char *member;     /* owned copy of the member */
    cs_timer_ref ref; /* what it says */
    bool malformed;   /* does not parse: removed, never fired */
    int delivered;    /* 0 = waiting, 1 = acknowledged by Kafka, -1 = failed */
} tdClaim;

/* A round's claims; two of them alternate (this round's, and the previous
 * round's awaiting their acknowledgement in Redis). */
typedef struct tdRound {
    tdClaim *claims; /* owned; cap entries */
    size_t n, cap;
} tdRound;

typedef struct tdState {
    cs_config cfg;
    cs_clock *clock;
    cs_redis *redis;     /* owned */
    PGconn *pg;          /* owned; reconciliation only; NULL while down */
    cs_redis *rec_redis; /* owned; the reconciliation thread's connection */
    pthread_t rec_thread;
    bool rec_started;
    rd_kafka_t *producer; /* owned */
    cs_redis_pipe *pipe;  /* scratch pipeline */
    tdRound rounds[2];
    tdRound *cur, *prev;    /* prev: acknowledged by Kafka, not yet in Redis */
    int outstanding;        /* records produced in this round, reports to come */
    int64_t last_reconcile; /* mono ms of the last routine reconciliation */
    int64_t last_full;      /* mono ms of the last full one (0 = never) */
    int64_t last_pg_check;  /* mono ms of the last PostgreSQL check (reconciliation thread) */
    atomic_int up;          /* last round reached Redis: read by the HTTP thread */
    atomic_int pg_up;       /* PostgreSQL answered the last check: read by the HTTP thread */
    cs_metric *m_fired, *m_malformed, *m_failed, *m_restored, *m_rounds, *m_up;
} tdState;

static int backoffNext(int cur) { return cs_proc_backoff(cur, TD_BACKOFF_MIN_MS, TD_BACKOFF_MAX_MS); }

/* Healthy while both backends answer: Redis (the rounds) and PostgreSQL
 * (reconciliation, the only repair of a timer whose Redis write was lost).
 * Firing goes on without PostgreSQL, but a dispatcher that cannot
 * reconcile is degraded, and docs/operations.md promises
 * cs_timer_backends_up = 1 only while both answer; /healthz said 200
 * through a PostgreSQL outage before. */
static bool healthCheck(void *arg, char *why, size_t len) {
    tdState *st = arg;
    if (!atomic_load(&st->up)) {
        snprintf(why, len, "redis unreachable");
        return false;
    }
    if (!atomic_load(&st->pg_up)) {
        snprintf(why, len, "postgres unreachable");
        return false;
    }
    return true;
}

/* cs_timer_backends_up from the two flags; either thread calls it when it
 * changes one (a stale value from a race lasts until the next change or
 * round, a tick at most while Redis answers). */
static void backendsPublish(tdState *st) { cs_metric_set(st->m_up, atomic_load(&st->up) && atomic_load(&st->pg_up)); }

/* Whether PostgreSQL answers, on the reconciliation connection (the
 * reconciliation thread's, or main's before that thread starts): a
 * connection that is up is asked SELECT 1, since an idle connection to a
 * server that stopped still looks up until it is used. Sets pg_up and
 * logs the changes. */
static void pgCheck(tdState *st) {
    char err[TD_ERRLEN];
    int ok = cs_pg_ensure(&st->pg, st->cfg.pg_dsn, NULL, NULL, err, sizeof err) == 0 &&
             cs_pg_exec(st->pg, "SELECT 1", 0, NULL, NULL, err, sizeof err) == 0;
    if (!ok && st->pg && cs_pg_conn_lost(st->pg)) {
        PQfinish(st->pg); /* the next check connects again */
        st->pg = NULL;
    }
    int was = atomic_exchange(&st->pg_up, ok);
    if (was && !ok) cs_log_warn("timers: postgres unreachable (%s): reconciliation waits; /healthz 503", err);
    if (!was && ok) cs_log_info("timers: postgres reachable");
    backendsPublish(st);
}

/* ---- Kafka ---------------------------------------------------------------- */

static void onDelivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    tdState *st = opaque;
    tdClaim *c = m->_private;
    if (!c) return;
    c->delivered = m->err ? -1 : 1;
    st->outstanding--;
    if (m->err) cs_log_warn("kafka did not acknowledge %s: %s", c->member, rd_kafka_err2str(m->err));
}

static void onKafkaLog(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    cs_log(level <= 3   ? CS_LOG_ERROR
           : level <= 4 ? CS_LOG_WARN
           : level <= 6 ? CS_LOG_INFO
                        : CS_LOG_DEBUG,
           "kafka %s %s: %s", rd_kafka_name(rk), fac, buf);
}

static int producerOpen(tdState *st, char *err, size_t errlen) {
    /* A record not acknowledged within half a lease is given up (it fires
     * again after the lease): the round never outlives its lease. */
    char timeout[24];
    snprintf(timeout, sizeof timeout, "%d", st->cfg.timer_lease_ms / 2);
    const char *const over[] = {"message.timeout.ms", timeout, NULL};
    rd_kafka_conf_t *c = cs_kafka_conf(&st->cfg, CS_KAFKA_PRODUCER, NULL, over, err, errlen);
    if (!c) return -1;
    rd_kafka_conf_set_dr_msg_cb(c, onDelivery);
    rd_kafka_conf_set_log_cb(c, onKafkaLog);
    rd_kafka_conf_set_opaque(c, st);
    char e[256];
    st->producer = rd_kafka_new(RD_KAFKA_PRODUCER, c, e, sizeof e);
    if (!st->producer) {
        rd_kafka_conf_destroy(c);
        snprintf(err, errlen, "kafka producer: %s", e);
        return -1;
    }
    /* rd_kafka_new() took ownership of the conf object. Fetch the topic's
     * metadata now, so the first firing does not wait for it (the clock
     * contract: due timers fire within 1 s of a clock move). */
    rd_kafka_topic_t *t = rd_kafka_topic_new(st->producer, CS_TOPIC_TIMERS, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e2 = rd_kafka_metadata(st->producer, 0, t, &md, 5000);
    if (e2)
        cs_log_warn("kafka: no metadata for %s yet (%s); will retry when firing", CS_TOPIC_TIMERS,
                    rd_kafka_err2str(e2));
    else
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    return 0;
}

/* Produces one record for claim c (the claim is the delivery opaque).
 * Returns 0 if queued. */
static int produceFired(tdState *st, tdClaim *c) {
    td_fired f;
    td_fired_build(&f, &c->ref, cs_real_ms());
    size_t len = cs__v1__envelope__get_packed_size(&f.env);
    uint8_t *buf = cs_xmalloc(len ? len : 1);
    cs__v1__envelope__pack(&f.env, buf);
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new(1);
    rd_kafka_header_add(hdrs, "event-id", -1, f.event_id, -1);
    int rc = 0;
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(st->producer, RD_KAFKA_V_TOPIC(CS_TOPIC_TIMERS),
                                                  RD_KAFKA_V_KEY(c->ref.order_key, strlen(c->ref.order_key)),
                                                  RD_KAFKA_V_VALUE(buf, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                                  RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(c), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break; /* hdrs now owned by librdkafka */
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(st->producer, 10);
            continue;
        }
        cs_log_error("produce %s: %s", f.event_id, rd_kafka_err2str(e));
        rd_kafka_headers_destroy(hdrs);
        rc = -1;
        break;
    }
    free(buf);
    if (rc == 0) st->outstanding++;
    return rc;
}

/* ---- one round -------------------------------------------------------------- */

/* Adds the acknowledgements of round r to the pipeline: per shard, one
 * ZADD XX giving the fired members the long lease (XX: a member its owner
 * already removed is not brought back), one ZREM for the malformed. Those
 * whose record failed keep their short lease and fire again. */
static void ackAdd(tdState *st, const tdRound *r) {
    char untaken[24];
    snprintf(untaken, sizeof untaken, "%" PRId64, cs_real_ms() + (int64_t)st->cfg.timer_untaken_s * 1000);
    const char **argv = cs_xcalloc(2 * r->n + 4, sizeof *argv);
    for (int s = 0; s < CS_TIMER_SHARDS; s++) {
        char inf[CS_TIMER_KEY_LEN];
        cs_timer_inflight_key(inf, sizeof inf, s);
        int argc = 0;
        argv[argc++] = "ZADD";
        argv[argc++] = inf;
        argv[argc++] = "XX";
        for (size_t i = 0; i < r->n; i++) {
            const tdClaim *c = &r->claims[i];
            if (c->shard != s || c->malformed || c->delivered != 1) continue;
            argv[argc++] = untaken;
            argv[argc++] = c->member;
        }
        if (argc > 3) cs_redis_pipe_add(st->pipe, argc, argv);
        argc = 0;
        argv[argc++] = "ZREM";
        argv[argc++] = inf;
        for (size_t i = 0; i < r->n; i++)
            if (r->claims[i].shard == s && r->claims[i].malformed) argv[argc++] = r->claims[i].member;
        if (argc > 2) cs_redis_pipe_add(st->pipe, argc, argv);
    }
    free(argv);
}

static void roundClear(tdRound *r) {
    for (size_t i = 0; i < r->n; i++) free(r->claims[i].member);
    r->n = 0;
}

/* Idle: an empty round's array grown beyond TD_ROUND_KEEP claims goes
 * back to the allocator (a backlog grows it again if it comes). */
static void roundTrim(tdRound *r) {
    if (r->n == 0 && r->cap > TD_ROUND_KEEP) {
        free(r->claims);
        r->claims = NULL;
        r->cap = 0;
    }
}

/* Sends the previous round's acknowledgements, if any, on their own. */
static void ackFlush(tdState *st) {
    if (st->prev->n == 0) return;
    char err[TD_ERRLEN];
    cs_redis_pipe_reset(st->pipe);
    ackAdd(st, st->prev);
    if (cs_redis_pipe_count(st->pipe) && cs_redis_pipe_run(st->redis, st->pipe, err, sizeof err) != 0)
        cs_log_warn("timers: acknowledgements not written (%s); those timers fire again after "
                    "their lease",
                    err);
    roundClear(st->prev);
}

/* One pipeline: the previous round's acknowledgements, then up to
 * TD_CLAIM_LIMIT members of every shard into st->cur. *full = some shard
 * gave its limit (a backlog: go again). */
static int claimAll(tdState *st, int64_t now, int64_t lease, bool *full, char *err, size_t errlen) {
    char snow[24], sreal[24], slease[24], slimit[16];
    snprintf(snow, sizeof snow, "%" PRId64, now);
    snprintf(sreal, sizeof sreal, "%" PRId64, cs_real_ms());
    snprintf(slease, sizeof slease, "%" PRId64, lease);
    snprintf(slimit, sizeof slimit, "%d", TD_CLAIM_LIMIT);
    cs_redis_pipe_reset(st->pipe);
    ackAdd(st, st->prev);
    size_t first = cs_redis_pipe_count(st->pipe);
    for (int s = 0; s < CS_TIMER_SHARDS; s++) {
        char due[CS_TIMER_KEY_LEN], inf[CS_TIMER_KEY_LEN];
        cs_timer_due_key(due, sizeof due, s);
        cs_timer_inflight_key(inf, sizeof inf, s);
        cs_redis_pipe_add(st->pipe, 9,
                          (const char *[]){"EVAL", cs_timer_claim_lua, "2", due, inf, snow, sreal, slease, slimit});
    }
    int rc = cs_redis_pipe_run(st->redis, st->pipe, err, errlen);
    /* Sent or not, the acknowledgements are done with: unsent ones only
     * mean those members fire again after their short lease. */
    if (rc != 0 && st->prev->n)
        cs_log_warn("timers: %zu acknowledgements not written; those timers fire again after their lease", st->prev->n);
    roundClear(st->prev);
    if (rc != 0) return -1;
    for (size_t i = 0; i < first; i++) {
        const redisReply *r = cs_redis_pipe_reply(st->pipe, i);
        if (r && r->type == REDIS_REPLY_ERROR) cs_log_warn("timers: acknowledgement refused: %s", r->str);
    }
    tdRound *cur = st->cur;
    *full = false;
    for (int s = 0; s < CS_TIMER_SHARDS; s++) {
        const redisReply *r = cs_redis_pipe_reply(st->pipe, first + (size_t)s);
        if (!r || r->type != REDIS_REPLY_ARRAY) {
            snprintf(err, errlen, "claim script on shard %d: %s", s,
                     r && r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
            return -1;
        }
        if (r->elements >= TD_CLAIM_LIMIT) *full = true;
        for (size_t i = 0; i < r->elements; i++) {
            const redisReply *m = r->element[i];
            if (m->type != REDIS_REPLY_STRING) continue;
            if (cur->n == cur->cap) {
                cur->cap = cur->cap ? 2 * cur->cap : 256;
                cur->claims = cs_xrealloc(cur->claims, cur->cap * sizeof *cur->claims);
            }
            tdClaim *c = &cur->claims[cur->n++];
            c->shard = s;
            c->delivered = 0;
            c->member = cs_xmalloc(m->len + 1);
            memcpy(c->member, m->str, m->len);
            c->member[m->len] = 0;
            c->malformed = cs_timer_member_parse(m->str, m->len, &c->ref) != 0;
            if (c->malformed) cs_log_warn("timers: malformed member '%.200s' in shard %d; dropped", c->member, s);
        }
    }
    return 0;
}

/* One round. Returns the number of claims (0 = idle), or -1 when Redis or
 * the clock failed (err). *more = a shard had a backlog. */
static long dispatchRound(tdState *st, bool *more, char *err, size_t errlen) {
    *more = false;
    int64_t now;
    if (cs_clock_now(st->clock, &now) != 0) {
        snprintf(err, errlen, "business clock unreadable");
        return -1;
    }
    int64_t lease = cs_real_ms() + st->cfg.timer_lease_ms;
    int64_t p0 = cs_mono_ms();
    if (claimAll(st, now, lease, more, err, errlen) != 0) {
        roundClear(st->cur); /* claimed ones fire again after their lease */
        return -1;
    }
    tdRound *cur = st->cur;
    if (cur->n == 0) return 0;
    int64_t p1 = cs_mono_ms();
    int64_t malformed = 0;
    for (size_t i = 0; i < cur->n; i++) {
        tdClaim *c = &cur->claims[i];
        if (c->malformed)
            malformed++;
        else if (produceFired(st, c) != 0)
            c->delivered = -1;
    }
    /* Every report must come before the claims are reused (they are the
     * records' opaques); message.timeout.ms bounds the wait. */
    int64_t p2 = cs_mono_ms();
    while (st->outstanding > 0) rd_kafka_poll(st->producer, 20);
    int64_t p3 = cs_mono_ms();
    cs_crash_point("timer_before_ack");
    int64_t fired = 0, failed = 0;
    for (size_t i = 0; i < cur->n; i++) {
        if (cur->claims[i].malformed) continue;
        if (cur->claims[i].delivered == 1)
            fired++;
        else
            failed++;
    }
    cs_metric_add(st->m_fired, fired);
    cs_metric_add(st->m_malformed, malformed);
    cs_metric_add(st->m_failed, failed);
    cs_log_debug("round: %zu claimed, %" PRId64 " fired, %" PRId64 " malformed, %" PRId64 " failed; ms: claim %" PRId64
                 ", produce %" PRId64 ", kafka acks %" PRId64,
                 cur->n, fired, malformed, failed, p1 - p0, p2 - p1, p3 - p2);
    /* This round's acknowledgements go out with the next round's claims. */
    st->cur = st->prev;
    st->prev = cur;
    return (long)cur->n;
}

/* ---- reconciliation ----------------------------------------------------------- */

/* A full pass over many timers stops with the process. */
static bool syncGoOn(void *arg, const cs_timer_sync_stats *s) {
    (void)arg;
    (void)s;
    return !cs_proc_stopping();
}

/* Whether this copy runs the periodic pass named by lock now: the first
 * dispatcher to set the lock in a period does, the others skip it (they
 * would check the same rows). The lock expires shortly before the next
 * period. A Redis error says yes: the pass then meets the error itself. */
static bool passMine(tdState *st, const char *lock, int period_s) {
    char err[TD_ERRLEN], px[24];
    int64_t ms = (int64_t)period_s * 1000 - 250;
    snprintf(px, sizeof px, "%" PRId64, ms > 250 ? ms : 250);
    redisReply *r = cs_redis_command(st->rec_redis, 6, (const char *[]){"SET", lock, st->cfg.instance, "NX", "PX", px},
                                     err, sizeof err);
    if (!r) return true;
    bool mine = r->type != REDIS_REPLY_NIL;
    freeReplyObject(r);
    return mine;
}

/* Runs the reconciliation that is due, if any. */
static void reconcileIfDue(tdState *st) {
    int64_t mono = cs_mono_ms();
    if (mono - st->last_reconcile < (int64_t)st->cfg.timer_reconcile_s * 1000) return;
    st->last_reconcile = mono;
    char err[TD_ERRLEN];
    /* every copy's first pass is full (its start-up check); later ones,
     * routine or periodic full, run in one copy per period */
    bool full = st->last_full == 0;
    if (!full && mono - st->last_full >= (int64_t)st->cfg.timer_full_reconcile_s * 1000) {
        st->last_full = mono;
        full = passMine(st, "cs:timers:lock:full", st->cfg.timer_full_reconcile_s);
    }
    if (!full) {
        /* The epoch key vanishes with the data (FLUSHALL, a Redis that
         * restarted empty): then everything must be checked. */
        redisReply *r =
            cs_redis_command(st->rec_redis, 2, (const char *[]){"EXISTS", CS_TIMER_EPOCH_KEY}, err, sizeof err);
        if (!r) {
            cs_log_warn("reconciliation: %s", err);
            return;
        }
        if (r->type == REDIS_REPLY_INTEGER && r->integer == 0) {
            cs_log_warn("reconciliation: %s is missing (Redis lost its data?): full pass", CS_TIMER_EPOCH_KEY);
            full = true;
        }
        freeReplyObject(r);
    }
    if (!full && !passMine(st, "cs:timers:lock:recent", st->cfg.timer_reconcile_s)) return;
    if (cs_pg_ensure(&st->pg, st->cfg.pg_dsn, NULL, NULL, err, sizeof err) != 0) {
        cs_log_warn("reconciliation: %s", err);
        pgCheck(st); /* down: say so now */
        return;
    }
    int64_t t0 = cs_mono_ms();
    cs_timer_sync_stats stats;
    if (cs_timer_sync(st->pg, st->rec_redis, full ? 0 : cs_timer_recent_window_s(st->cfg.timer_reconcile_s), syncGoOn,
                      NULL, &stats, err, sizeof err) != 0) {
        cs_log_warn("reconciliation: %s", err);
        cs_metric_add(st->m_restored, stats.restored);
        if (cs_pg_conn_lost(st->pg)) pgCheck(st);
        return;
    }
    if (full || stats.restored)
        cs_log_info("reconciliation (%s): %ld pending timers checked, %ld put back in Redis, %" PRId64 " ms",
                    full ? "full" : "recent", stats.checked, stats.restored, cs_mono_ms() - t0);
    else
        cs_log_debug("reconciliation (recent): %ld pending timers checked in %" PRId64 " ms", stats.checked,
                     cs_mono_ms() - t0);
    cs_metric_add(st->m_restored, stats.restored);
    if (full) st->last_full = mono;
}

/* The reconciliation thread: passes never hold up the firing rounds (a
 * routine pass over a busy window checks every row scheduled in the last
 * 25 s, which is seconds of work while owners lag behind). It has its own
 * Redis and PostgreSQL connections. */
static void *reconcileThread(void *arg) {
    tdState *st = arg;
    while (!cs_proc_stopping()) {
        int64_t mono = cs_mono_ms();
        if (mono - st->last_pg_check >= TD_PG_CHECK_MS) {
            st->last_pg_check = mono;
            pgCheck(st);
        }
        reconcileIfDue(st);
        cs_proc_sleep_ms(200);
    }
    return NULL;
}

/* ---- the process ----------------------------------------------------------------- */

static void loop(tdState *st) {
    int backoff = 0;
    while (!cs_proc_stopping()) {
        int64_t t0 = cs_mono_ms();
        bool more = false;
        char err[TD_ERRLEN];
        long n = dispatchRound(st, &more, err, sizeof err);
        cs_metric_add(st->m_rounds, 1);
        if (n < 0) {
            if (atomic_exchange(&st->up, 0)) cs_log_warn("timers round failed: %s", err);
            backendsPublish(st);
            backoff = backoffNext(backoff);
            cs_proc_sleep_ms(backoff);
            continue;
        }
        if (!atomic_exchange(&st->up, 1)) cs_log_info("timers: redis reachable");
        backendsPublish(st);
        backoff = 0;
        if (!more) ackFlush(st); /* idle: do not hold acknowledgements for a tick */
        if (more) continue;      /* a backlog: next round at once */
        roundTrim(st->cur);
        roundTrim(st->prev);
        cs_proc_trim_memory();
        int64_t left = t0 + st->cfg.timer_tick_ms - cs_mono_ms();
        if (left > 0) cs_proc_sleep_ms((int)left);
    }
}

int td_main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: %s\n\nFires due durable timers from Redis as records on %s\n"
                   "(docs/timers.md). Run one or more copies.\n\n",
                   TD_NAME, CS_TOPIC_TIMERS);
            cs_config_usage(stdout);
            return 0;
        }
        fprintf(stderr, "%s: unknown argument '%s' (try --help)\n", TD_NAME, argv[i]);
        return 2;
    }
    static tdState st;
    memset(&st, 0, sizeof st);
    char err[TD_ERRLEN];
    if (cs_config_load(&st.cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s: configuration: %s\n", TD_NAME, err);
        return 2;
    }
    cs_log_init(TD_NAME, st.cfg.log_level);
    cs_crash_points_init(st.cfg.crash_point, st.cfg.crash_after);
    int code = 0;
    const char *lbl = "worker=\"" TD_NAME "\"";
    st.m_fired =
        cs_metric_get(CS_METRIC_COUNTER, "cs_timers_fired_total", "Timer records produced and acknowledged", lbl);
    st.m_malformed = cs_metric_get(CS_METRIC_COUNTER, "cs_timers_malformed_total",
                                   "Claimed members that do not parse: removed, never fired", lbl);
    st.m_failed = cs_metric_get(CS_METRIC_COUNTER, "cs_timers_failed_total",
                                "Firings Kafka did not acknowledge (fire again after the lease)", lbl);
    st.m_restored =
        cs_metric_get(CS_METRIC_COUNTER, "cs_timers_restored_total", "Timers put back in Redis by reconciliation", lbl);
    st.m_rounds = cs_metric_get(CS_METRIC_COUNTER, "cs_timer_rounds_total", "Dispatcher rounds", lbl);
    st.m_up = cs_metric_get(CS_METRIC_GAUGE, "cs_timer_backends_up",
                            "1 when Redis answered the last round and PostgreSQL the last check", lbl);
    st.cur = &st.rounds[0];
    st.prev = &st.rounds[1];

    st.clock = cs_clock_new(st.cfg.clock, st.cfg.redis_url, st.cfg.pg_dsn, err, sizeof err);
    if (!st.clock) {
        cs_log_error("clock: %s", err);
        code = 2;
        goto out;
    }
    st.redis = cs_redis_new(st.cfg.redis_url, err, sizeof err);
    if (!st.redis) {
        cs_log_error("redis: %s", err);
        code = 2;
        goto out;
    }
    st.pipe = cs_redis_pipe_new();
    /* PostgreSQL's state before /healthz answers (the reconciliation
     * thread checks it from then on) */
    atomic_store(&st.up, 1);
    atomic_store(&st.pg_up, 1); /* so that a server down at start is logged */
    st.last_pg_check = cs_mono_ms();
    pgCheck(&st);
    if (st.cfg.http_addr[0] && cs_http_start(st.cfg.http_addr, healthCheck, &st, err, sizeof err) != 0) {
        cs_log_error("http: %s", err);
        code = 2;
        goto out;
    }
    cs_proc_signals();
    cs_proc_memory_setup();
    if (producerOpen(&st, err, sizeof err) != 0) {
        cs_log_error("%s", err);
        code = 2;
        goto out;
    }
    char tick[16], lease[16];
    snprintf(tick, sizeof tick, "%d", st.cfg.timer_tick_ms);
    snprintf(lease, sizeof lease, "%d", st.cfg.timer_lease_ms);
    cs_log_kv(CS_LOG_INFO, "started",
              (const char *const[]){"instance", st.cfg.instance, "clock", st.cfg.clock, "tick_ms", tick, "lease_ms",
                                    lease, NULL});
    if (st.cfg.http_addr[0]) cs_log_info("http endpoint on port %d", cs_http_port());
    st.rec_redis = cs_redis_new(st.cfg.redis_url, err, sizeof err);
    if (!st.rec_redis) {
        cs_log_error("redis: %s", err);
        code = 2;
        goto out;
    }
    if (pthread_create(&st.rec_thread, NULL, reconcileThread, &st) != 0) {
        cs_log_error("reconciliation thread: %s", strerror(errno));
        code = 2;
        goto out;
    }
    st.rec_started = true;
    loop(&st);
    ackFlush(&st);
    cs_log_info("stopping");
out:
    if (st.producer) {
        rd_kafka_flush(st.producer, 5000);
        rd_kafka_destroy(st.producer);
    }
    cs_http_stop();
    if (st.rec_started) pthread_join(st.rec_thread, NULL);
    if (st.pg) PQfinish(st.pg);
    cs_redis_free(st.rec_redis);
    for (int i = 0; i < 2; i++) {
        roundClear(&st.rounds[i]);
        free(st.rounds[i].claims);
    }
    cs_redis_pipe_free(st.pipe);
    cs_redis_free(st.redis);
    cs_clock_free(st.clock);
    cs_config_free(&st.cfg);
    if (code == 0) cs_log_info("stopped");
    return code;
}
