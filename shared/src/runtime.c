/* runtime.c -- the consume/apply/produce loop every worker runs.
 *
 * Why it is built this way (see runtime.h for the contract):
 *
 * - Exactly-once in effect comes from PostgreSQL, not Kafka: the dedupe row
 *   (worker, event_id), the worker's state and the outbox of what it must
 *   publish are written in one transaction. Kafka offsets are committed only
 *   after that transaction, and outbox rows are deleted only after Kafka
 *   acknowledged them, so each crash window re-does work that is idempotent.
 * - Throughput comes from micro-batches: one transaction (one fsync) per
 *   partition batch, dedupe and outbox as set statements, and the handler
 *   is given the whole batch so it can read and write in bulk too.
 * - Poison never stops the loop: it is written to the outbox as a record for
 *   <topic>.dlq (with the reason and origin as headers) in the same
 *   transaction that marks it processed, so it is dead-lettered exactly once.
 * - Modules hook into the transaction's end: before-commit hooks write
 *   what they deferred in bulk (a batch's timer rows), after-commit hooks
 *   make the effects outside PostgreSQL that must follow the commit (the
 *   timers into Redis); those run right after COMMIT, are dropped on
 *   rollback, and are best effort by design: their owner repairs what a
 *   crash or an outage leaves undone (timers: the dispatcher's
 *   reconciliation).
 * - Outages stop the intake: a failed transaction is retried with capped
 *   exponential backoff (real time) until it commits; nothing is committed
 *   to Kafka meanwhile.
 *
 * Threads: one. librdkafka's callbacks (rebalance, delivery reports) run
 * inside our poll calls; the HTTP endpoint has its own thread and reads only
 * atomics. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <librdkafka/rdkafka.h>
#include <openssl/evp.h>

#include "cs/clock.h"
#include "cs/kafka.h"
#include "cs/log.h"
#include "cs/proc.h"
#include "cs/metrics.h"
#include "cs/pg.h"
#include "cs/redis.h"
#include "cs/routes.h"
#include "cs/runtime.h"
#include "cs/strmap.h"
#include "cs/text.h"
#include "cs/timers.h"
#include "cs/tz.h"
#include "cs/util.h"

#define RT_ERRLEN 512
#define RT_BACKOFF_MIN_MS 100
#define RT_BACKOFF_MAX_MS 5000
#define RT_SWEEP_EVERY_MS 2000
#define RT_SWEEP_MIN_AGE_S 5
#define RT_EXIT_CRASH 86
#define RT_MAX_FLIGHTS 8 /* committed batches publishing at once; more stops the intake */
/* ... and the bytes of their records not yet retired: past this, the
 * intake stops too (the one batch in hand still goes). RT_MAX_FLIGHTS
 * alone bounds batches, not memory: CS_BATCH_MAX bounds a batch's inputs,
 * but one input may emit several records (a review case opening emits
 * its task and every follow-up request: 2.6 records a review), so eight
 * flights of 3000-review batches held 60,000 records, twice each (the
 * flight's and librdkafka's queue), and were most of the
 * review-scheduler's 72 MiB peak. 2 MiB is two or more batches of
 * ~1000 records (or one and a bit of a review-scheduler's 7,800), which a
 * healthy broker acknowledges while the next batch's transaction runs, so
 * the loop seldom waits on it (bench/run aftersales: cases opened/s did
 * not drop); a slow broker makes it wait sooner, which is the point. */
#define RT_MAX_FLIGHT_BYTES (2u << 20)

/* ---- crash points ------------------------------------------------------- */

static char crashName[64];
static int crashAfter = 1;
static int crashSeen;

void cs_crash_points_init(const char *name, int after) {
    cs_strlcpy(crashName, name ? name : "", sizeof crashName);
    crashAfter = after > 0 ? after : 1;
    crashSeen = 0;
}

void cs_crash_point(const char *name) {
    if (crashName[0] == 0 || strcmp(name, crashName) != 0) return;
    if (++crashSeen < crashAfter) return;
    /* No cleanup on purpose: this stands for a power cut at this instant. */
    fprintf(stderr, "{\"level\":\"error\",\"msg\":\"crash point %s reached: exiting\"}\n", name);
    _exit(RT_EXIT_CRASH);
}

/* ---- outbound records of a batch ------------------------------------------ */

typedef struct rtOut {
    char *topic;    /* owned */
    char *key;      /* owned */
    char *event_id; /* owned */
    char *headers;  /* owned; "name=value\n" lines, "" if none */
    void *payload;  /* owned */
    size_t len;
    /* Publishing, once the record is in a flight (zero before): */
    struct rtFlight *flight; /* its flight; the record is its delivery report's opaque */
    rd_kafka_resp_err_t err; /* the last attempt's error, NO_ERROR if none failed */
    bool acked;              /* Kafka has it */
    bool dead;               /* Kafka refused it for good: dead-lettered in PostgreSQL, not sent again */
    size_t value_max;        /* a dead letter's value is cut to at most this (0: to what the producer takes) */
    size_t sent_len;         /* value bytes of the last attempt (< len: a dead letter cut to fit) */
} rtOut;

/* A function to run after the batch commits (see cs_batch_after_commit). */
typedef struct rtHook {
    cs_after_commit_fn fn;
    void *arg; /* owned through free_arg */
    void (*free_arg)(void *arg);
} rtHook;

/* A function to run before the batch commits (see cs_batch_before_commit). */
typedef struct rtPreHook {
    cs_before_commit_fn fn;
    void *arg; /* not owned */
} rtPreHook;

struct cs_batch {
    PGconn *pg;     /* connection with the open transaction */
    int64_t now_ms; /* business now for the batch */
    const cs_shops *shops;
    const char *worker;
    cs_event **view; /* the handler's events (new, not poison) */
    size_t nview;
    rtOut *out; /* records to write to the outbox */
    size_t nout, capout;
    char batch_id[96]; /* outbox rows of this batch carry it */
    rtHook *hooks;     /* after-commit hooks of the open transaction */
    size_t nhooks, caphooks;
    rtPreHook *pre; /* before-commit hooks of the open transaction */
    size_t npre, cappre;
    struct cs_redis *redis;         /* the worker's Redis, connected on first use (not owned) */
    const char *const *timer_kinds; /* the worker's timer route kinds, NULL-terminated (not owned), or NULL */
};

PGconn *cs_batch_pg(cs_batch *b) { return b->pg; }
int64_t cs_batch_now(const cs_batch *b) { return b->now_ms; }
size_t cs_batch_count(const cs_batch *b) { return b->nview; }
cs_event *cs_batch_event(cs_batch *b, size_t i) { return i < b->nview ? b->view[i] : NULL; }
const cs_shops *cs_batch_shops(const cs_batch *b) { return b->shops; }
const char *cs_batch_worker(const cs_batch *b) { return b->worker; }

struct cs_redis *cs_batch_redis(cs_batch *b) {
    return b->redis;
}

void cs_batch_after_commit(cs_batch *b, cs_after_commit_fn fn, void *arg, void (*free_arg)(void *arg)) {
    if (b->nhooks == b->caphooks) {
        b->caphooks = b->caphooks ? 2 * b->caphooks : 4;
        b->hooks = cs_xrealloc(b->hooks, b->caphooks * sizeof *b->hooks);
    }
    b->hooks[b->nhooks++] = (rtHook){fn, arg, free_arg};
}

void *cs_batch_after_commit_arg(cs_batch *b, cs_after_commit_fn fn) {
    for (size_t i = 0; i < b->nhooks; i++)
        if (b->hooks[i].fn == fn) return b->hooks[i].arg;
    return NULL;
}

void cs_batch_before_commit(cs_batch *b, cs_before_commit_fn fn, void *arg) {
    if (b->npre == b->cappre) {
        b->cappre = b->cappre ? 2 * b->cappre : 4;
        b->pre = cs_xrealloc(b->pre, b->cappre * sizeof *b->pre);
    }
    b->pre[b->npre++] = (rtPreHook){fn, arg};
}

bool cs_batch_before_commit_has(const cs_batch *b, cs_before_commit_fn fn) {
    for (size_t i = 0; i < b->npre; i++)
        if (b->pre[i].fn == fn) return true;
    return false;
}

/* Runs the before-commit hooks (each once: the list empties). */
static int batchHooksPre(cs_batch *b, char *err, size_t errlen) {
    for (size_t i = 0; i < b->npre; i++) {
        if (b->pre[i].fn(b->pre[i].arg, b, err, errlen) != 0) {
            b->npre = 0;
            return -1;
        }
    }
    b->npre = 0;
    return 0;
}

int cs_batch_flush(cs_batch *b, char *err, size_t errlen) { return batchHooksPre(b, err, errlen); }

/* Runs the hooks if the transaction committed, then frees them either way. */
static void batchHooksEnd(cs_batch *b, bool committed) {
    for (size_t i = 0; i < b->nhooks; i++) {
        if (committed) b->hooks[i].fn(b->hooks[i].arg);
        if (b->hooks[i].free_arg) b->hooks[i].free_arg(b->hooks[i].arg);
    }
    b->nhooks = 0;
    b->npre = 0;
}

static void batchAddRaw(cs_batch *b, const char *topic, const char *key, const char *event_id, const char *headers,
                        const void *payload, size_t len) {
    if (b->nout == b->capout) {
        b->capout = b->capout ? 2 * b->capout : 64;
        b->out = cs_xrealloc(b->out, b->capout * sizeof *b->out);
    }
    rtOut *o = &b->out[b->nout++];
    memset(o, 0, sizeof *o);
    o->topic = cs_xstrdup(topic);
    o->key = cs_xstrdup(key ? key : "");
    o->event_id = cs_xstrdup(event_id);
    o->headers = cs_xstrdup(headers ? headers : "");
    o->payload = cs_xmalloc(len ? len : 1);
    if (len) memcpy(o->payload, payload, len);
    o->len = len;
}

void cs_batch_emit(cs_batch *b, const char *topic, const char *key, const Cs__V1__Envelope *env) {
    if (!env->event_id || !env->event_id[0]) abort(); /* a programming error: ids are derived */
    size_t len = cs__v1__envelope__get_packed_size(env);
    uint8_t *buf = cs_xmalloc(len ? len : 1);
    cs__v1__envelope__pack(env, buf);
    batchAddRaw(b, topic, key, env->event_id, "", buf, len);
    free(buf);
}

static void batchClearOut(cs_batch *b) {
    for (size_t i = 0; i < b->nout; i++) {
        free(b->out[i].topic);
        free(b->out[i].key);
        free(b->out[i].event_id);
        free(b->out[i].headers);
        free(b->out[i].payload);
    }
    b->nout = 0;
}

cs_batch *cs_batch_new(PGconn *pg, const char *worker, int64_t now_ms, struct cs_redis *redis) {
    cs_batch *b = cs_xcalloc(1, sizeof *b);
    b->pg = pg;
    b->worker = worker;
    b->now_ms = now_ms;
    b->redis = redis;
    return b;
}

void cs_batch_committed(cs_batch *b) { batchHooksEnd(b, true); }

const char *const *cs_batch_timer_kinds(const cs_batch *b) { return b->timer_kinds; }

void cs_batch_set_timer_kinds(cs_batch *b, const char *const *kinds) { b->timer_kinds = kinds; }

void cs_batch_set_events(cs_batch *b, cs_event **events, size_t n) {
    b->view = events;
    b->nview = n;
}

void cs_batch_free(cs_batch *b) {
    if (!b) return;
    batchHooksEnd(b, false);
    batchClearOut(b);
    free(b->out);
    free(b->hooks);
    free(b->pre);
    free(b);
}

void cs_event_poison(cs_event *ev, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev->reason, sizeof ev->reason, fmt, ap);
    va_end(ap);
    /* the reason quotes what was sent ("%.64s" may cut a character, and
     * the vsnprintf above too): it is a dead-letter row's text */
    cs_utf8_repair(ev->reason);
    ev->poison = true;
}

void cs_event_id_derive(char *out, size_t outlen, const char *parent, const char *suffix) {
    size_t np = strlen(parent), ns = strlen(suffix);
    if (np + 1 + ns < outlen) { /* the common case, several per event: no format parsing */
        memcpy(out, parent, np);
        out[np] = '/';
        memcpy(out + np + 1, suffix, ns + 1);
        return;
    }
    /* Too long for the caller's buffer: a hash keeps it deterministic. */
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) abort();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    EVP_DigestUpdate(ctx, parent, strlen(parent));
    EVP_DigestUpdate(ctx, "/", 1);
    EVP_DigestUpdate(ctx, suffix, strlen(suffix));
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    for (; i < mdlen && 2 * i + 2 < outlen; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * i] = 0;
}

/* ---- the process --------------------------------------------------------- */

/* One consumed record while it waits in a batch. */
typedef struct rtMsg {
    rd_kafka_message_t *rk; /* owned until the batch is done */
    cs_event ev;            /* ev.env owned */
    char keybuf[256];
    char *keyheap; /* owned when the key does not fit keybuf */
    bool fresh;    /* not seen before (dedupe said new) */
    bool foreign;  /* a fired timer of another worker: skipped */
} rtMsg;

/* A committed batch whose outbox records are on their way to Kafka.
 * Publishing runs behind the next batches; only when every record is
 * acknowledged is the outbox row deleted. */
typedef struct rtFlight {
    char batch_id[96];
    rtOut *out; /* owned records */
    size_t nout;
    size_t bytes;     /* their size (flightBytes), counted in rt->flight_bytes */
    int outstanding;  /* delivery reports still to come */
    int backoff;      /* ms before the next attempt after a failure */
    int64_t retry_at; /* mono ms of the next attempt, 0 = none due */
} rtFlight;

/* The decoded envelopes of one polling round live in an arena: a round's
 * records are all freed together when it is done, and a protobuf
 * envelope is a score of small allocations, so a bump allocator reset per
 * round replaces thousands of malloc/free pairs a batch. Chunks are kept
 * for the next round, up to twice what the round used (arenaReset): a
 * backlog's round does not leave its chunks allocated for good. */
#define RT_ARENA_CHUNK (256u << 10)

typedef struct rtChunk {
    struct rtChunk *next;
    size_t cap, used;
    max_align_t data[];
} rtChunk;
typedef struct rtArena {
    rtChunk *head, *spare;
} rtArena;

static void *arenaAlloc(void *arg, size_t size) {
    rtArena *a = arg;
    size = (size + 15) & ~(size_t)15;
    rtChunk *c = a->head;
    if (!c || c->used + size > c->cap) {
        if (a->spare && a->spare->cap >= size) {
            c = a->spare;
            a->spare = c->next;
        } else {
            size_t cap = size > RT_ARENA_CHUNK ? size : RT_ARENA_CHUNK;
            c = cs_xmalloc(sizeof *c + cap);
            c->cap = cap;
        }
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    return p;
}

static void arenaFreeOne(void *arg, void *p) {
    (void)arg;
    (void)p;
} /* all go at arenaReset */

/* Everything allocated so far is released: kept for reuse, as many
 * chunks as twice the round used (at least two); the rest freed. */
static void arenaReset(rtArena *a) {
    size_t used = 0;
    while (a->head) {
        rtChunk *c = a->head;
        a->head = c->next;
        c->next = a->spare;
        a->spare = c;
        used++;
    }
    size_t keep = used > 1 ? 2 * used : 2;
    rtChunk **p = &a->spare;
    for (size_t n = 0; *p && n < keep; n++) p = &(*p)->next;
    while (*p) {
        rtChunk *c = *p;
        *p = c->next;
        free(c);
    }
}

static void arenaDone(rtArena *a) {
    arenaReset(a);
    while (a->spare) {
        rtChunk *c = a->spare;
        a->spare = c->next;
        free(c);
    }
}

typedef struct rtState {
    const cs_worker_def *def;
    cs_config cfg;
    cs_shops *shops;
    cs_clock *clock;
    struct cs_redis *redis; /* CS_REDIS_URL; connects on first use (timers) */
    rd_kafka_t *consumer;
    rd_kafka_t *producer;
    PGconn *pg;
    bool cooperative;
    char group[128];
    uint64_t batch_seq;
    int64_t boot_s; /* start time (unix s): in batch ids, so a restarted copy with the same CS_INSTANCE
                     * never reuses one whose outbox row is still there */
    int64_t last_sweep_ms;
    size_t msg_max;                           /* the producer's message.max.bytes */
    struct rtFlight *flights[RT_MAX_FLIGHTS]; /* committed batches being published */
    int nflights;
    size_t flight_bytes; /* of the flights' records (RT_MAX_FLIGHT_BYTES) */
    char **acked;   /* batch ids published: their outbox rows can go */
    cs_strmap seen; /* batchTxn's dedupe map, empty between batches */
    size_t nacked, capacked;
    cs_copybuf copy; /* scratch COPY buffer */
    cs_copybuf arr;  /* scratch array literal */
    rtMsg *pending;  /* records polled, not yet processed */
    size_t npending, cappending;
    rtArena arena; /* their decoded envelopes */
    ProtobufCAllocator envAlloc;
    /* metrics */
    cs_metric *m_applied, *m_dup, *m_poison, *m_batches, *m_pg_retry, *m_kafka_retry, *m_relayed, *m_pg_up,
        *m_kafka_err, *m_batch_size, *m_isolated, *m_cut;
    atomic_int pg_up; /* 1 while PostgreSQL answers: read by the HTTP thread */
} rtState;

static int backoffNext(int cur) { return cs_proc_backoff(cur, RT_BACKOFF_MIN_MS, RT_BACKOFF_MAX_MS); }

static bool healthCheck(void *arg, char *why, size_t len) {
    rtState *rt = arg;
    if (!atomic_load(&rt->pg_up)) {
        snprintf(why, len, "postgres unreachable");
        return false;
    }
    return true;
}

/* ---- PostgreSQL connection ------------------------------------------------ */

/* The connection (cs_pg_ensure, with the worker's on_connect), and
 * whether PostgreSQL is up for /healthz and cs_postgres_up. */
static int pgEnsure(rtState *rt, char *err, size_t errlen) {
    if (!cs_pg_conn_lost(rt->pg)) return 0;
    int rc = cs_pg_ensure(&rt->pg, rt->cfg.pg_dsn, rt->def->on_connect, rt->def->user, err, errlen);
    atomic_store(&rt->pg_up, rc == 0);
    cs_metric_set(rt->m_pg_up, rc == 0);
    return rc;
}

/* ---- Kafka ----------------------------------------------------------------- */

/* A delivery report: only noted on the record; what follows (retry,
 * dead letter, retiring the flight) is decided by flightsService(). */
static void onDelivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    rtState *rt = opaque;
    rtOut *o = m->_private; /* per-message opaque: the record */
    o->err = m->err;
    o->acked = m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
    o->flight->outstanding--;
    if (m->err) cs_metric_add(rt->m_kafka_err, 1);
}

/* librdkafka's own log lines go through our JSON logger (syslog levels). */
static void onKafkaLog(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    cs_log(level <= 3   ? CS_LOG_ERROR
           : level <= 4 ? CS_LOG_WARN
           : level <= 6 ? CS_LOG_INFO
                        : CS_LOG_DEBUG,
           "kafka %s %s: %s", rd_kafka_name(rk), fac, buf);
}

static void dropPendingOf(rtState *rt, const rd_kafka_topic_partition_list_t *parts) {
    size_t w = 0;
    for (size_t i = 0; i < rt->npending; i++) {
        rtMsg *m = &rt->pending[i];
        bool revoked = false;
        for (int j = 0; j < parts->cnt && !revoked; j++)
            revoked = parts->elems[j].partition == m->rk->partition &&
                      strcmp(parts->elems[j].topic, rd_kafka_topic_name(m->rk->rkt)) == 0;
        if (revoked)
            rd_kafka_message_destroy(m->rk);
        else
            rt->pending[w++] = *m;
    }
    rt->npending = w;
}

static void onRebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts, void *opaque) {
    rtState *rt = opaque;
    char list[512] = "";
    size_t off = 0;
    for (int i = 0; i < parts->cnt && off < sizeof list - 40; i++)
        off += (size_t)snprintf(list + off, sizeof list - off, "%s%s[%d]", i ? "," : "", parts->elems[i].topic,
                                parts->elems[i].partition);
    /* The outcome of (un)assigning, checked as librdkafka's examples do (an
     * error object from the incremental calls, a code from assign): a
     * failure is logged once, with the partition count, and the loop goes
     * on; nothing better can be done inside the callback. A failed assign
     * leaves those partitions unconsumed here until the group's next
     * rebalance; after a failed unassign records of a revoked partition may
     * still come, and applying them twice is a no-op (the dedupe). */
    rd_kafka_error_t *ierr = NULL;
    rd_kafka_resp_err_t aerr = RD_KAFKA_RESP_ERR_NO_ERROR;
    const char *what;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        what = "assign";
        if (rt->cooperative)
            ierr = rd_kafka_incremental_assign(rk, parts);
        else
            aerr = rd_kafka_assign(rk, parts);
        if (!ierr && !aerr) cs_log_info("partitions assigned: %s", list);
    } else {
        what = "unassign";
        if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
            cs_log_info("partitions revoked: %s", list);
        else
            cs_log_error("rebalance error %s: giving up %s", rd_kafka_err2str(err), list);
        /* Records polled from these partitions but not yet applied go back to
         * Kafka: their next owner reads them from the committed offset. */
        dropPendingOf(rt, parts);
        /* what we applied, before leaving; nothing stored since the last
         * commit is no error */
        rd_kafka_resp_err_t cerr = rd_kafka_commit(rk, NULL, 0);
        if (cerr && cerr != RD_KAFKA_RESP_ERR__NO_OFFSET)
            cs_log_error(
                "offset commit on revoking %d partitions failed%s: %s; their next owner re-reads from the last "
                "commit (the dedupe makes that a no-op)",
                parts->cnt, rd_kafka_assignment_lost(rk) ? " (assignment lost)" : "", rd_kafka_err2str(cerr));
        if (rt->cooperative)
            ierr = rd_kafka_incremental_unassign(rk, parts);
        else
            aerr = rd_kafka_assign(rk, NULL);
    }
    if (ierr || aerr) {
        cs_log_error("kafka %s of %d partitions failed: %s (%s); going on", what, parts->cnt,
                     ierr ? rd_kafka_error_string(ierr) : rd_kafka_err2str(aerr), list);
        if (ierr) rd_kafka_error_destroy(ierr);
    }
}

static int kafkaOpen(rtState *rt, char *err, size_t errlen) {
    rt->cooperative = strcmp(rt->cfg.assignor, "cooperative-sticky") == 0;
    rd_kafka_conf_t *c = cs_kafka_conf(&rt->cfg, CS_KAFKA_CONSUMER, rt->group, NULL, err, errlen);
    if (!c) return -1;
    rd_kafka_conf_set_rebalance_cb(c, onRebalance);
    rd_kafka_conf_set_log_cb(c, onKafkaLog);
    rd_kafka_conf_set_opaque(c, rt);
    char e[256];
    rt->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof e);
    if (!rt->consumer) {
        rd_kafka_conf_destroy(c);
        snprintf(err, errlen, "kafka consumer: %s", e);
        return -1;
    }
    c = NULL; /* rd_kafka_new() took ownership of the conf object */
    rd_kafka_poll_set_consumer(rt->consumer);

    size_t nt = 0;
    while (rt->def->topics[nt]) nt++;
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new((int)nt);
    for (size_t i = 0; i < nt; i++) rd_kafka_topic_partition_list_add(subs, rt->def->topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t rerr = rd_kafka_subscribe(rt->consumer, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (rerr) {
        snprintf(err, errlen, "kafka subscribe: %s", rd_kafka_err2str(rerr));
        return -1;
    }

    rd_kafka_conf_t *p = cs_kafka_conf(&rt->cfg, CS_KAFKA_PRODUCER, NULL, NULL, err, errlen);
    if (!p) return -1;
    rd_kafka_conf_set_dr_msg_cb(p, onDelivery);
    rd_kafka_conf_set_log_cb(p, onKafkaLog);
    rd_kafka_conf_set_opaque(p, rt);
    char mmb[32];
    size_t mmblen = sizeof mmb;
    rt->msg_max = rd_kafka_conf_get(p, "message.max.bytes", mmb, &mmblen) == RD_KAFKA_CONF_OK
                      ? (size_t)strtoul(mmb, NULL, 10)
                      : 1000000; /* librdkafka's default */
    rt->producer = rd_kafka_new(RD_KAFKA_PRODUCER, p, e, sizeof e);
    if (!rt->producer) {
        rd_kafka_conf_destroy(p);
        snprintf(err, errlen, "kafka producer: %s", e);
        return -1;
    }
    return 0;
}

/* ---- publishing ------------------------------------------------------------ */

/* Dead letters are cut to fit. A dead-lettered record goes to <topic>.dlq
 * with its original bytes plus headers, so a record that only just fitted
 * its topic (the broker's limit is ~1 MiB, the producer's message.max.bytes
 * 1,000,000 bytes) does not fit as a dead letter. Its value is then cut to
 * what the producer takes, with the header truncated=<original size>; the
 * whole record is in PostgreSQL (dead_letters.payload, written with the
 * dead letter). If a broker still refuses it as too large (a topic whose
 * max.message.bytes is lower than the producer's limit), it is cut to
 * RT_DLQ_FALLBACK bytes. A key longer than RT_DLQ_KEY_MAX is cut likewise
 * (truncated-key=<original size>): the project's keys are a few dozen
 * bytes, a longer one is the sender's mistake. */
#define RT_DLQ_KEY_MAX 1024
#define RT_DLQ_ROOM 2048 /* bytes of message.max.bytes kept for the record's framing */
#define RT_DLQ_FALLBACK 65536

static bool topicIsDlq(const char *topic) {
    size_t n = strlen(topic);
    return n > 4 && strcmp(topic + n - 4, ".dlq") == 0;
}

/* The value bytes of dead letter o that go to Kafka with a key of keylen
 * bytes: all of them if they fit the producer's limit, else what fits. */
static size_t dlqValueFit(const rtState *rt, const rtOut *o, size_t keylen) {
    size_t framing = RT_DLQ_ROOM + keylen + strlen(o->headers) + strlen(o->event_id);
    size_t fit = rt->msg_max > framing ? rt->msg_max - framing : 0;
    if (o->value_max && o->value_max < fit) fit = o->value_max;
    return o->len < fit ? o->len : fit;
}

/* Enqueues the records of f that Kafka has neither acknowledged nor refused
 * for good, each with itself as its delivery report's opaque. The value
 * is lent, not copied (no RD_KAFKA_MSG_F_COPY): the flight owns it until
 * every delivery report of it is in (flightsService frees a flight only
 * at outstanding == 0; at exit, after rd_kafka_destroy), and a copy
 * doubled the memory of every record in flight. A record
 * librdkafka refuses at once gets that error as if reported, so
 * flightsService() judges both alike. */
static void flightSend(rtState *rt, rtFlight *f) {
    for (size_t i = 0; i < f->nout; i++) {
        rtOut *o = &f->out[i];
        if (o->acked || o->dead) continue;
        o->flight = f;
        o->err = RD_KAFKA_RESP_ERR_NO_ERROR;
        size_t keylen = strlen(o->key);
        rd_kafka_headers_t *hdrs = rd_kafka_headers_new(10);
        rd_kafka_header_add(hdrs, "event-id", -1, o->event_id, -1);
        /* headers text: "name=value\n" lines */
        const char *p = o->headers;
        while (*p) {
            const char *eq = strchr(p, '='), *nl = strchr(p, '\n');
            if (!nl) nl = p + strlen(p);
            if (eq && eq < nl) rd_kafka_header_add(hdrs, p, eq - p, eq + 1, nl - eq - 1);
            p = *nl ? nl + 1 : nl;
        }
        o->sent_len = o->len;
        if (topicIsDlq(o->topic)) {
            char orig[24];
            if (keylen > RT_DLQ_KEY_MAX) {
                snprintf(orig, sizeof orig, "%zu", keylen);
                rd_kafka_header_add(hdrs, "truncated-key", -1, orig, -1);
                keylen = RT_DLQ_KEY_MAX;
            }
            o->sent_len = dlqValueFit(rt, o, keylen);
            if (o->sent_len < o->len) {
                snprintf(orig, sizeof orig, "%zu", o->len);
                rd_kafka_header_add(hdrs, "truncated", -1, orig, -1);
            }
        }
        for (;;) {
            rd_kafka_resp_err_t e =
                rd_kafka_producev(rt->producer, RD_KAFKA_V_TOPIC(o->topic), RD_KAFKA_V_KEY(o->key, keylen),
                                  RD_KAFKA_V_VALUE(o->payload, o->sent_len), RD_KAFKA_V_MSGFLAGS(0),
                                  RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(o), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR_NO_ERROR) { /* hdrs now owned by librdkafka */
                f->outstanding++;
                break;
            }
            if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(rt->producer, 10);
                continue;
            }
            rd_kafka_headers_destroy(hdrs);
            o->err = e;
            cs_metric_add(rt->m_kafka_err, 1);
            break;
        }
    }
}

/* ---- outbox ---------------------------------------------------------------- */

/* The outbox holds one row per batch: its records packed into one bytea
 * (each record: five length-prefixed fields topic, key, event id, headers,
 * payload). One row instead of hundreds keeps the write and the delete to a
 * single index entry each, which matters at tens of thousands of records a
 * second. */
static void blobPut(cs_copybuf *c, const void *p, size_t n) {
    uint32_t be = htonl((uint32_t)n);
    if (c->len + 4 + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + 4 + n + 1) cap *= 2;
        c->data = cs_xrealloc(c->data, cap);
        c->cap = cap;
    }
    memcpy(c->data + c->len, &be, 4);
    memcpy(c->data + c->len + 4, p, n);
    c->len += 4 + n;
}

static int outboxWrite(rtState *rt, cs_batch *b, char *err, size_t errlen) {
    if (b->nout == 0) return 0;
    cs_copybuf *blob = &rt->arr;
    cs_copy_reset(blob);
    for (size_t i = 0; i < b->nout; i++) {
        const rtOut *o = &b->out[i];
        blobPut(blob, o->topic, strlen(o->topic));
        blobPut(blob, o->key, strlen(o->key));
        blobPut(blob, o->event_id, strlen(o->event_id));
        blobPut(blob, o->headers, strlen(o->headers));
        blobPut(blob, o->payload, o->len);
    }
    /* binary COPY: the packed records go as they are, not as hex text
     * that the server decodes again (hundreds of bytes per record) */
    cs_copybuf *c = &rt->copy;
    cs_copybin_start(c);
    cs_copybin_row(c, 4);
    cs_copybin_text(c, rt->def->name);
    cs_copybin_text(c, b->batch_id);
    cs_copybin_int4(c, (int32_t)b->nout);
    cs_copybin_bytes(c, blob->data, blob->len);
    cs_copybin_finish(c);
    return cs_copy_send(rt->pg, "COPY outbox (worker, batch_id, nrecords, records) FROM STDIN (FORMAT binary)", c, err,
                        errlen);
}

static void outFree(rtOut *o) {
    free(o->topic);
    free(o->key);
    free(o->event_id);
    free(o->headers);
    free(o->payload);
}

/* Splits a packed outbox row back into records (owned copies, zeroed
 * publishing state). Returns the count, or -1 if the blob is damaged (the
 * records split so far are freed). */
static long blobSplit(const char *blob, size_t len, rtOut *out, size_t max) {
    size_t off = 0, n = 0;
    while (off < len && n < max) {
        const char *f[5];
        size_t fl[5];
        for (int k = 0; k < 5; k++) {
            uint32_t be;
            if (off + 4 > len) goto damaged;
            memcpy(&be, blob + off, 4);
            fl[k] = ntohl(be);
            off += 4;
            if (off + fl[k] > len) goto damaged;
            f[k] = blob + off;
            off += fl[k];
        }
        /* text fields are copied so they are NUL-terminated */
        memset(&out[n], 0, sizeof out[n]);
        out[n].topic = strndup(f[0], fl[0]);
        out[n].key = strndup(f[1], fl[1]);
        out[n].event_id = strndup(f[2], fl[2]);
        out[n].headers = strndup(f[3], fl[3]);
        if (!out[n].topic || !out[n].key || !out[n].event_id || !out[n].headers) abort();
        out[n].payload = cs_xmalloc(fl[4] ? fl[4] : 1);
        memcpy(out[n].payload, f[4], fl[4]);
        out[n].len = fl[4];
        n++;
    }
    return (long)n;
damaged:
    for (size_t i = 0; i < n; i++) outFree(&out[i]);
    return -1;
}

static void flightsService(rtState *rt, int wait_ms);

/* What f's records weigh in memory (the flight's own copy of each). */
static size_t flightBytes(const rtFlight *f) {
    size_t n = f->nout * sizeof *f->out;
    for (size_t i = 0; i < f->nout; i++) {
        const rtOut *o = &f->out[i];
        n += o->len + strlen(o->topic) + strlen(o->key) + strlen(o->event_id) + strlen(o->headers);
    }
    return n;
}

/* f joins the flights and goes to Kafka. */
static void flightStart(rtState *rt, rtFlight *f) {
    f->bytes = flightBytes(f);
    rt->flight_bytes += f->bytes;
    rt->flights[rt->nflights++] = f;
    flightSend(rt, f);
}

/* Room for another batch: fewer than RT_MAX_FLIGHTS flights, holding
 * fewer than RT_MAX_FLIGHT_BYTES (none at all always is room). */
static bool flightsRoom(const rtState *rt) {
    return rt->nflights == 0 || (rt->nflights < RT_MAX_FLIGHTS && rt->flight_bytes < RT_MAX_FLIGHT_BYTES);
}

/* Hands a committed batch's records to Kafka without waiting: the batch
 * becomes a flight, finished by flightsService(). */
static void outboxPublish(rtState *rt, cs_batch *b) {
    if (b->nout == 0) return;
    /* At most RT_MAX_FLIGHTS in flight (the array's size): wait for room.
     * When stopping with no room, the batch's committed outbox row is left
     * to the sweep of the next start. */
    while (rt->nflights >= RT_MAX_FLIGHTS && !cs_proc_stopping()) flightsService(rt, 50);
    if (rt->nflights >= RT_MAX_FLIGHTS) {
        batchClearOut(b);
        return;
    }
    rtFlight *f = cs_xcalloc(1, sizeof *f);
    cs_strlcpy(f->batch_id, b->batch_id, sizeof f->batch_id);
    f->out = b->out; /* the flight takes the records */
    f->nout = b->nout;
    b->out = NULL;
    b->nout = b->capout = 0;
    flightStart(rt, f);
}

static void flightFree(rtFlight *f) {
    for (size_t i = 0; i < f->nout; i++) outFree(&f->out[i]);
    free(f->out);
    free(f);
}

/* Writes what PostgreSQL must know of f's records before its outbox row
 * goes: each record Kafka refused for good becomes a dead_letters row
 * (reason and publish_error "publish to <topic>: <error>", its key and
 * bytes; a dead letter that could not be published keeps its row and
 * gains publish_error), and each dead letter that went out cut records
 * how much went (dlq_value_bytes) and keeps its whole bytes. Upserts: a
 * flight that fails half-way writes them all again. 0, or -1 (err). */
static bool textClean(const char *s);

static int flightRecord(rtState *rt, rtFlight *f, char *err, size_t errlen) {
    bool any = false;
    for (size_t i = 0; i < f->nout && !any; i++)
        any = f->out[i].dead || (f->out[i].acked && f->out[i].sent_len < f->out[i].len);
    if (!any) return 0;
    if (pgEnsure(rt, err, errlen) != 0) return -1;
    for (size_t i = 0; i < f->nout; i++) {
        const rtOut *o = &f->out[i];
        if (o->len > INT32_MAX) abort();                   /* an outbox row is one bytea: far below */
        const char *key = textClean(o->key) ? o->key : ""; /* a text column: never a reason to fail */
        if (o->dead) {
            char reason[CS_REASON_LEN];
            snprintf(reason, sizeof reason, "publish to %s: %s", o->topic, rd_kafka_err2str(o->err));
            const char *v[6] = {rt->def->name, o->event_id, o->topic, reason, key, o->payload};
            const int len[6] = {0, 0, 0, 0, 0, (int)o->len}, fmt[6] = {0, 0, 0, 0, 0, 1};
            if (cs_pg_exec_mixed(rt->pg,
                                 "INSERT INTO dead_letters (worker, event_id, topic, part, \"offset\", reason, key, "
                                 "payload, publish_error) VALUES ($1, $2, $3, -1, -1, $4, $5, $6, $4) "
                                 "ON CONFLICT (worker, event_id) DO UPDATE SET publish_error = EXCLUDED.publish_error, "
                                 "key = coalesce(dead_letters.key, EXCLUDED.key), "
                                 "payload = coalesce(dead_letters.payload, EXCLUDED.payload)",
                                 6, v, len, fmt, NULL, err, errlen) != 0)
                return -1;
        } else if (o->acked && o->sent_len < o->len) {
            char sent[24];
            snprintf(sent, sizeof sent, "%zu", o->sent_len);
            const char *v[5] = {rt->def->name, o->event_id, sent, key, o->payload};
            const int len[5] = {0, 0, 0, 0, (int)o->len}, fmt[5] = {0, 0, 0, 0, 1};
            if (cs_pg_exec_mixed(rt->pg,
                                 "UPDATE dead_letters SET dlq_value_bytes = $3::int, key = coalesce(key, $4), "
                                 "payload = coalesce(payload, $5) WHERE worker = $1 AND event_id = $2",
                                 5, v, len, fmt, NULL, err, errlen) != 0)
                return -1;
        }
    }
    return 0;
}

/* Judges f once every report of its last attempt is in: true when it is
 * done (each record acknowledged, or refused for good and recorded as a
 * dead letter), false while a retry is pending. A transient error
 * (Kafka away, a timeout) retries the records that failed after a backoff,
 * for as long as it lasts; a permanent one (cs_kafka_err_permanent: too
 * large, invalid, no such topic) never passes, so the record is
 * dead-lettered in PostgreSQL instead, and the rest of the batch, the
 * outbox row and every later batch go on. Before that, publishing retried
 * such a record every few seconds for ever and its outbox row was never
 * deleted. */
static bool flightSettled(rtState *rt, rtFlight *f) {
    int64_t now = cs_mono_ms();
    if (f->retry_at) {
        if (now < f->retry_at) return false;
        f->retry_at = 0;
        flightSend(rt, f); /* what is not acknowledged: duplicates carry the same event ids */
        if (f->outstanding > 0) return false;
    }
    int transient = 0;
    rd_kafka_resp_err_t why = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (size_t i = 0; i < f->nout; i++) {
        rtOut *o = &f->out[i];
        if (o->acked || o->dead) continue;
        if (!cs_kafka_err_permanent(o->err)) {
            transient++;
            why = o->err;
            continue;
        }
        if (topicIsDlq(o->topic) && cs_kafka_err_size(o->err) && o->sent_len > RT_DLQ_FALLBACK) {
            /* the producer took it, a broker did not: its topic's limit is lower */
            o->value_max = RT_DLQ_FALLBACK;
            transient++;
            why = o->err;
            cs_log_warn("dead letter %s refused by %s (%s) with %zu value bytes: cutting it to %d", o->event_id,
                        o->topic, rd_kafka_err2str(o->err), o->sent_len, RT_DLQ_FALLBACK);
            continue;
        }
        o->dead = true;
        char bytes[24], labels[160];
        snprintf(bytes, sizeof bytes, "%zu", strlen(o->key) + o->len + strlen(o->headers));
        cs_log_kv(CS_LOG_ERROR, "record refused by kafka for good: dead-lettered",
                  (const char *const[]){"event_id", o->event_id, "topic", o->topic, "bytes", bytes, "error",
                                        rd_kafka_err2str(o->err), NULL});
        snprintf(labels, sizeof labels, "worker=\"%s\",error=\"%s\"", rt->def->name, rd_kafka_err2name(o->err));
        cs_metric_add(cs_metric_get(CS_METRIC_COUNTER, "cs_publish_dead_total",
                                    "Outbound records Kafka refused for good, dead-lettered in PostgreSQL", labels),
                      1);
    }
    if (transient) {
        f->backoff = backoffNext(f->backoff);
        f->retry_at = now + f->backoff;
        cs_metric_add(rt->m_kafka_retry, 1);
        cs_log_warn("kafka did not acknowledge %d records of %s (%s); retry in %d ms", transient, f->batch_id,
                    rd_kafka_err2str(why), f->backoff);
        return false;
    }
    char err[RT_ERRLEN];
    if (flightRecord(rt, f, err, sizeof err) != 0) {
        f->backoff = backoffNext(f->backoff);
        f->retry_at = now + f->backoff; /* nothing left to send: the retry records again */
        cs_log_warn("dead letters of %s not recorded (%s); retry in %d ms", f->batch_id, err, f->backoff);
        return false;
    }
    for (size_t i = 0; i < f->nout; i++)
        if (f->out[i].acked && f->out[i].sent_len < f->out[i].len) cs_metric_add(rt->m_cut, 1);
    return true;
}

/* Serves delivery reports (waiting up to wait_ms), retires flights that
 * are done (their outbox rows join rt->acked) and re-sends failed records
 * after a backoff. */
static void flightsService(rtState *rt, int wait_ms) {
    rd_kafka_poll(rt->producer, wait_ms);
    int w = 0;
    for (int i = 0; i < rt->nflights; i++) {
        rtFlight *f = rt->flights[i];
        if (f->outstanding > 0 || !flightSettled(rt, f)) {
            rt->flights[w++] = f;
            continue;
        }
        cs_crash_point("after_produce");
        if (rt->nacked == rt->capacked) {
            rt->capacked = rt->capacked ? 2 * rt->capacked : 16;
            rt->acked = cs_xrealloc(rt->acked, rt->capacked * sizeof *rt->acked);
        }
        rt->acked[rt->nacked++] = cs_xstrdup(f->batch_id);
        rt->flight_bytes -= f->bytes;
        flightFree(f);
    }
    rt->nflights = w;
}

/* Deletes the outbox rows of acknowledged batches, inside the caller's
 * transaction or on its own. On failure the ids stay queued. */
static int outboxForget(rtState *rt, char *err, size_t errlen) {
    if (rt->nacked == 0) return 0;
    cs_copybuf arr = {0};
    cs_pg_text_array(&arr, (const char *const *)rt->acked, rt->nacked);
    const char *p[1] = {arr.data};
    int rc = cs_pg_exec(rt->pg, "DELETE FROM outbox WHERE batch_id = ANY($1::text[])", 1, p, NULL, err, errlen);
    cs_copy_free(&arr);
    return rc;
}

static void ackedClear(rtState *rt) {
    for (size_t i = 0; i < rt->nacked; i++) free(rt->acked[i]);
    rt->nacked = 0;
}

/* Publishes outbox rows of this worker left behind by a crash (older than
 * a few seconds, so rows of batches in flight elsewhere are left alone):
 * each becomes a flight like a batch of this process, published without
 * waiting, its row deleted once it is done. Rows this process is
 * publishing or has just published are left out. Records may go out twice;
 * consumers dedupe on event id. It never waits for Kafka: the sweep used
 * to flush each row it re-published, which held the loop (and a SIGTERM)
 * for as long as Kafka did not answer. */
static void outboxSweep(rtState *rt) {
    if (rt->nflights >= RT_MAX_FLIGHTS) return; /* no room: the next sweep */
    char err[RT_ERRLEN];
    if (pgEnsure(rt, err, sizeof err) != 0) return;
    size_t nbusy = 0;
    const char **busy = cs_xcalloc((size_t)rt->nflights + rt->nacked + 1, sizeof *busy);
    for (int i = 0; i < rt->nflights; i++) busy[nbusy++] = rt->flights[i]->batch_id;
    for (size_t i = 0; i < rt->nacked; i++) busy[nbusy++] = rt->acked[i];
    cs_copybuf arr = {0};
    cs_pg_text_array(&arr, busy, nbusy);
    free(busy);
    const char *params[2] = {rt->def->name, arr.data};
    char sql[320];
    snprintf(sql, sizeof sql,
             "SELECT batch_id, nrecords::text, records FROM outbox WHERE worker = $1 "
             "AND created_at < now() - interval '%d seconds' AND NOT (batch_id = ANY($2::text[])) "
             "ORDER BY id LIMIT %d",
             RT_SWEEP_MIN_AGE_S, RT_MAX_FLIGHTS - rt->nflights);
    PGresult *r = PQexecParams(rt->pg, sql, 2, NULL, params, NULL, NULL, 1);
    cs_copy_free(&arr);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        cs_log_warn("outbox sweep: %s", PQresultErrorMessage(r));
        PQclear(r);
        return;
    }
    for (int i = 0; i < PQntuples(r) && rt->nflights < RT_MAX_FLIGHTS; i++) {
        char nrec[16];
        snprintf(nrec, sizeof nrec, "%.*s", PQgetlength(r, i, 1), PQgetvalue(r, i, 1));
        size_t want = (size_t)strtoul(nrec, NULL, 10);
        rtOut *recs = cs_xcalloc(want ? want : 1, sizeof *recs);
        long n = blobSplit(PQgetvalue(r, i, 2), (size_t)PQgetlength(r, i, 2), recs, want);
        if (n < 0) {
            cs_log_error("outbox row %.*s is damaged; left in place for an operator", PQgetlength(r, i, 0),
                         PQgetvalue(r, i, 0));
            free(recs);
            continue;
        }
        rtFlight *f = cs_xcalloc(1, sizeof *f);
        snprintf(f->batch_id, sizeof f->batch_id, "%.*s", PQgetlength(r, i, 0), PQgetvalue(r, i, 0));
        f->out = recs;
        f->nout = (size_t)n;
        flightStart(rt, f);
        cs_metric_add(rt->m_relayed, n);
        cs_log_info("outbox sweep: re-publishing %ld records of %s, left by an interrupted batch", n, f->batch_id);
    }
    PQclear(r);
}

/* ---- one partition batch --------------------------------------------------- */

static void msgKey(rtMsg *m) {
    const rd_kafka_message_t *k = m->rk;
    size_t n = k->key ? k->key_len : 0;
    char *dst = m->keybuf;
    if (n >= sizeof m->keybuf) dst = m->keyheap = cs_xmalloc(n + 1);
    if (n) memcpy(dst, k->key, n);
    dst[n] = 0;
    m->ev.key = dst;
}

/* true if s is valid UTF-8 without control characters: what can go into a
 * PostgreSQL text column and a log line. */
static bool textClean(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0 || (n == 0 && *p < 0x20)) return false;
        if (n == 1 && *p < 0xC2) return false;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80) return false;
    }
    return true;
}

int cs_event_decode(cs_event *ev, const void *payload, size_t len, ProtobufCAllocator *alloc, const cs_shops *shops) {
    ev->env = cs__v1__envelope__unpack(alloc, len, payload);
    if (!ev->env) {
        cs_event_poison(ev, "decode: not a cs.v1.Envelope (%zu bytes)", len);
        return -1;
    }
    const Cs__V1__Envelope *e = ev->env;
    if (!e->event_id || !e->event_id[0]) {
        cs_event_poison(ev, "validation: envelope.event_id missing");
        return -1;
    }
    if (strlen(e->event_id) > 200 || !textClean(e->event_id)) {
        cs_event_poison(ev, "validation: envelope.event_id longer than 200 bytes or not clean UTF-8");
        return -1;
    }
    if (!e->shop_id || !e->shop_id[0]) {
        cs_event_poison(ev, "validation: envelope.shop_id missing");
        return -1;
    }
    if (!textClean(e->shop_id)) {
        cs_event_poison(ev, "validation: envelope.shop_id not clean UTF-8");
        return -1;
    }
    ev->shop = cs_shops_find(shops, e->shop_id);
    if (!ev->shop) {
        cs_event_poison(ev, "unknown shop '%.64s'", e->shop_id);
        return -1;
    }
    /* past 9999 is no business time, and the rules add days to it */
    if (e->event_ms <= 0 || e->event_ms > CS_TZ_MAX_MS) {
        cs_event_poison(ev, "validation: envelope.event_ms missing, negative or past year 9999");
        return -1;
    }
    if (e->body_case == CS__V1__ENVELOPE__BODY__NOT_SET) {
        cs_event_poison(ev, "validation: envelope has no body");
        return -1;
    }
    return 0;
}

/* Decodes and validates the envelope; a failure makes the event poison with
 * a synthetic id built from its origin, so it is still deduped. */
static void msgDecode(rtState *rt, rtMsg *m, char *synth, size_t synthlen) {
    cs_event *ev = &m->ev;
    const rd_kafka_message_t *k = m->rk;
    memset(ev, 0, sizeof *ev);
    m->foreign = false;
    ev->topic = rd_kafka_topic_name(k->rkt);
    ev->partition = k->partition;
    ev->offset = k->offset;
    rd_kafka_timestamp_type_t tt;
    ev->produce_ms = rd_kafka_message_timestamp(k, &tt);
    msgKey(m);
    if (!textClean(ev->key)) { m->ev.key = ""; }
    snprintf(synth, synthlen, "%s:%d:%" PRId64, ev->topic, (int)k->partition, k->offset);
    if (cs_event_decode(ev, k->payload, k->len, &rt->envAlloc, rt->shops) != 0) return;
    const Cs__V1__Envelope *e = ev->env;
    /* cs.timers.v1 carries every owner's firings; another worker's are
     * not this one's events at all: no dedupe row, no handler, no DLQ. */
    m->foreign = e->body_case == CS__V1__ENVELOPE__BODY_TIMER && e->timer && e->timer->owner &&
                 strcmp(e->timer->owner, rt->def->name) != 0;
}

static const char *msgEventId(const rtMsg *m, const char *synth) {
    return (m->ev.env && m->ev.env->event_id && m->ev.env->event_id[0] && strlen(m->ev.env->event_id) <= 200 &&
            textClean(m->ev.env->event_id))
               ? m->ev.env->event_id
               : synth;
}

static void reasonClass(const char *reason, char *out, size_t len) {
    size_t i = 0;
    while (reason[i] && reason[i] != ':' && reason[i] != ' ' && i + 1 < len) {
        out[i] = reason[i];
        i++;
    }
    out[i] = 0;
    if (strncmp(reason, "unknown shop", 12) == 0) cs_strlcpy(out, "unknown_shop", len);
}

/* Adds the dead-letter record and row for a poison event to the batch. */
static int poisonRecord(rtState *rt, cs_batch *b, rtMsg *m, const char *eid, char *err, size_t errlen) {
    char dlq[300], headers[1024], reason[CS_REASON_LEN];
    snprintf(dlq, sizeof dlq, "%s.dlq", m->ev.topic);
    cs_strlcpy(reason, m->ev.reason, sizeof reason);
    for (char *p = reason; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    snprintf(headers, sizeof headers,
             "error=%s\norigin-topic=%s\norigin-partition=%d\norigin-offset=%" PRId64 "\nworker=%s\ninstance=%s\n",
             reason, m->ev.topic, (int)m->ev.partition, m->ev.offset, rt->def->name, rt->cfg.instance);
    const char *key = textClean(m->ev.key) ? m->ev.key : "";
    batchAddRaw(b, dlq, key, eid, headers, m->rk->payload, m->rk->len);
    char part[16], off[24];
    snprintf(part, sizeof part, "%d", (int)m->ev.partition);
    snprintf(off, sizeof off, "%" PRId64, m->ev.offset);
    /* The whole record is kept here too: its copy on <topic>.dlq may be
     * cut to fit Kafka (flightSend). */
    const char *p[8] = {rt->def->name, eid, m->ev.topic, part, off, reason, key, m->rk->payload ? m->rk->payload : ""};
    const int len[8] = {0, 0, 0, 0, 0, 0, 0, (int)m->rk->len}, fmt[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    if (cs_pg_exec_mixed(b->pg,
                         "INSERT INTO dead_letters (worker, event_id, topic, part, \"offset\", reason, key, payload) "
                         "VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING",
                         8, p, len, fmt, NULL, err, errlen) != 0)
        return -1;
    char cls[48], labels[128];
    reasonClass(reason, cls, sizeof cls);
    snprintf(labels, sizeof labels, "worker=\"%s\",reason=\"%s\"", rt->def->name, cls);
    cs_metric_add(cs_metric_get(CS_METRIC_COUNTER, "cs_dlq_total", "Events dead-lettered, by reason class", labels), 1);
    cs_log_kv(CS_LOG_WARN, "dead-lettered",
              (const char *const[]){"event_id", eid, "topic", m->ev.topic, "partition", part, "offset", off, "reason",
                                    reason, NULL});
    return 0;
}

/* Inserts (worker, id) for ids[0..n) under the savepoint cs_dedupe.
 * Returns 0 done, 1 refused because one of them is recorded already (the
 * transaction is then in error until ROLLBACK TO SAVEPOINT cs_dedupe),
 * -1 any other failure. */
static int dedupeInsert(rtState *rt, const char **ids, size_t n, char *err, size_t errlen) {
    if (cs_pg_exec(rt->pg, "SAVEPOINT cs_dedupe", 0, NULL, NULL, err, errlen) != 0) return -1;
    cs_pg_text_array(&rt->arr, ids, n);
    const char *p[2] = {rt->def->name, rt->arr.data};
    PGresult *r = PQexecParams(rt->pg, "INSERT INTO processed_events (worker, event_id) SELECT $1, unnest($2::text[])",
                               2, NULL, p, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        rc = state && strcmp(state, "23505") == 0 ? 1 : -1; /* unique_violation */
        if (rc < 0) snprintf(err, errlen, "dedupe insert: %s", r ? PQresultErrorMessage(r) : PQerrorMessage(rt->pg));
    }
    PQclear(r);
    return rc;
}

/* One transaction over msgs[0..n). Returns 0 committed, -1 failed (rolled
 * back; err says why). On success fills counters. */
static int batchTxn(rtState *rt, cs_batch *b, rtMsg *msgs, size_t n, char (*synth)[96], size_t *applied, size_t *dups,
                    size_t *poisons, char *err, size_t errlen) {
    *applied = *dups = *poisons = 0;
    b->pg = rt->pg;
    batchClearOut(b);
    batchHooksEnd(b, false);
    b->nview = 0;
    snprintf(b->batch_id, sizeof b->batch_id, "%s/%s/%" PRId64 ".%" PRIu64, rt->def->name, rt->cfg.instance, rt->boot_s,
             ++rt->batch_seq);
    if (cs_pg_exec(rt->pg, "BEGIN", 0, NULL, NULL, err, errlen) != 0) return -1;
    size_t forgotten = rt->nacked; /* outbox rows of published batches go in this transaction */
    if (outboxForget(rt, err, errlen) != 0) goto fail;

    int64_t tA = cs_mono_ms();
    /* Dedupe, optimistic: the batch's ids (the first occurrence of each)
     * go in with one plain INSERT under a savepoint. Almost always none of
     * them is there yet, and that one statement is the whole dedupe. If one
     * is (a redelivery after a crash or rebalance, a record produced twice),
     * the primary key refuses the INSERT: back to the savepoint, look the
     * ids up, and insert only the new ones. A plain insert is much cheaper
     * than INSERT .. ON CONFLICT DO NOTHING RETURNING (a speculative
     * insertion per row: 7-9 us a row against 2.6, measured on 100 000
     * ids), and the lookup it saves cost as much as the insert. A copy of
     * this worker inserting the same id concurrently makes the INSERT wait
     * for it, then fail on the key if it committed: the lookup sees it. */
    const char **ids = cs_xcalloc(n ? n : 1, sizeof *ids);
    size_t nids = 0;
    cs_strmap seen = rt->seen; /* kept between batches, empty */
    memset(&rt->seen, 0, sizeof rt->seen);
    for (size_t i = 0; i < n; i++) {
        msgs[i].fresh = false;
        if (msgs[i].foreign) continue;
        const char *id = msgEventId(&msgs[i], synth[i]);
        if (cs_strmap_get(&seen, id)) continue; /* repeated inside the batch: applied once */
        cs_strmap_put(&seen, id, &msgs[i]);
        msgs[i].fresh = true;
        ids[nids++] = id;
    }
    int drc = nids ? dedupeInsert(rt, ids, nids, err, errlen) : 0;
    if (drc == 1) {
        /* some were there: only those not recorded are fresh */
        PGresult *r = NULL;
        cs_pg_text_array(&rt->arr, ids, nids);
        const char *p[2] = {rt->def->name, rt->arr.data};
        drc = cs_pg_exec(rt->pg, "ROLLBACK TO SAVEPOINT cs_dedupe", 0, NULL, NULL, err, errlen);
        if (drc == 0)
            drc = cs_pg_exec(rt->pg,
                             "SELECT event_id FROM processed_events WHERE worker = $1 AND event_id = ANY($2::text[])",
                             2, p, &r, err, errlen);
        size_t nfresh = nids;
        for (int j = 0; drc == 0 && j < PQntuples(r); j++) {
            rtMsg *m = cs_strmap_get(&seen, PQgetvalue(r, j, 0));
            if (m && m->fresh) {
                m->fresh = false;
                nfresh--;
            }
        }
        PQclear(r);
        if (drc == 0 && nfresh) {
            size_t k = 0;
            for (size_t i = 0; i < n; i++)
                if (msgs[i].fresh) ids[k++] = msgEventId(&msgs[i], synth[i]);
            drc = dedupeInsert(rt, ids, k, err, errlen);
            if (drc == 1) {
                snprintf(err, errlen, "dedupe: an event id of the batch was recorded concurrently; retrying");
                drc = -1;
            }
        }
    }
    cs_strmap_reset(&seen);
    rt->seen = seen;
    free(ids);
    if (drc != 0) goto fail;

    int64_t tB = cs_mono_ms();
    cs_event **view = cs_xcalloc(n ? n : 1, sizeof *view);
    for (size_t i = 0; i < n; i++)
        if (msgs[i].fresh && !msgs[i].ev.poison) view[b->nview++] = &msgs[i].ev;
    b->view = view;
    /* declared routes (routes.c), or the worker's raw batch handler */
    if (b->nview && (rt->def->handle_batch ? rt->def->handle_batch(rt->def->user, b, err, errlen)
                                           : cs_routes_run(rt->def, b, NULL, err, errlen)) != 0) {
        free(view);
        b->view = NULL;
        goto fail;
    }
    free(view);
    b->view = NULL;
    int64_t tC = cs_mono_ms();

    for (size_t i = 0; i < n; i++) {
        if (msgs[i].foreign) continue; /* neither applied nor a duplicate */
        /* This worker's firing, new, repeated or poison: its member leaves
         * the inflight set once this batch has committed (timers.h). */
        const Cs__V1__Envelope *e = msgs[i].ev.env;
        if (e && e->body_case == CS__V1__ENVELOPE__BODY_TIMER) cs_timer_fired_done(b, e->timer);
        if (!msgs[i].fresh) {
            (*dups)++;
            continue;
        }
        if (msgs[i].ev.poison) {
            if (poisonRecord(rt, b, &msgs[i], msgEventId(&msgs[i], synth[i]), err, errlen) != 0) goto fail;
            (*poisons)++;
        } else {
            (*applied)++;
        }
    }
    if (batchHooksPre(b, err, errlen) != 0) goto fail; /* e.g. the batch's timer rows */
    if (outboxWrite(rt, b, err, errlen) != 0) goto fail;
    int64_t tD = cs_mono_ms();
    cs_crash_point("before_pg_commit");
    if (cs_pg_exec(rt->pg, "COMMIT", 0, NULL, NULL, err, errlen) != 0) {
        batchHooksEnd(b, false);
        return -1;
    }
    /* committed, Redis not yet written: the dispatcher's reconciliation
     * must put the batch's timers back (it_timers) */
    cs_crash_point("before_commit_hooks");
    batchHooksEnd(b, true); /* e.g. the batch's timers into Redis */
    if (forgotten == rt->nacked) ackedClear(rt);
    cs_log_debug("txn phases: dedupe %" PRId64 " handler %" PRId64 " outbox %" PRId64 " commit %" PRId64 " ms", tB - tA,
                 tC - tB, tD - tC, cs_mono_ms() - tD);
    return 0;
fail:
    if (!cs_pg_conn_lost(rt->pg)) PQclear(PQexec(rt->pg, "ROLLBACK"));
    batchHooksEnd(b, false);
    return -1;
}

static void metricsAfter(rtState *rt, size_t applied, size_t dups, size_t poisons) {
    cs_metric_add(rt->m_applied, (int64_t)applied);
    cs_metric_add(rt->m_dup, (int64_t)dups);
    cs_metric_add(rt->m_poison, (int64_t)poisons);
    cs_metric_add(rt->m_batches, 1);
}

/* Applies msgs[0..n) (one partition, in offset order) until committed.
 * Returns 0 when done, -1 if stopped before it could commit. */
static void storeOffset(rtState *rt, const rtMsg *last) {
    rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(tp, last->ev.topic, last->ev.partition)->offset = last->rk->offset + 1;
    rd_kafka_offsets_store(rt->consumer, tp); /* fails harmlessly for a revoked partition */
    rd_kafka_topic_partition_list_destroy(tp);
}

static int processPartitionBatch(rtState *rt, cs_batch *b, rtMsg *msgs, size_t n) {
    char(*synth)[96] = cs_xcalloc(n, sizeof *synth);
    bool mine = false;
    for (size_t i = 0; i < n; i++) {
        msgDecode(rt, &msgs[i], synth[i], sizeof synth[i]);
        mine = mine || !msgs[i].foreign;
    }
    if (!mine) {
        /* Only other owners' firings (cs.timers.v1 carries every worker's):
         * nothing to apply, so no transaction. A review wave puts 100,000
         * firings of the review-scheduler before the notifier, whose
         * rounds spent a transaction on each of the six timer partitions
         * for nothing. */
        free(synth);
        storeOffset(rt, &msgs[n - 1]);
        return 0;
    }
    char err[RT_ERRLEN];
    int backoff = 0, rc = -1, refused = 0;
    size_t applied, dups, poisons;
    for (;;) {
        if (pgEnsure(rt, err, sizeof err) != 0) goto retry;
        if (cs_clock_now(rt->clock, &b->now_ms) != 0) {
            snprintf(err, sizeof err, "clock: redis clock unreadable");
            goto retry;
        }
        int64_t t0 = cs_mono_ms();
        if (batchTxn(rt, b, msgs, n, synth, &applied, &dups, &poisons, err, sizeof err) == 0) {
            metricsAfter(rt, applied, dups, poisons);
            cs_log_debug("batch %s: %zu events, txn %" PRId64 " ms", b->batch_id, n, cs_mono_ms() - t0);
            rc = 0;
            break;
        }
        if (!cs_pg_conn_lost(rt->pg) && ++refused == 1) {
            /* Deadlocks and serialization conflicts pass: try once more. */
            cs_log_warn("batch refused (%s); retrying once", err);
            continue;
        }
        if (!cs_pg_conn_lost(rt->pg)) {
            /* Refused twice with the server up: find the event behind it by
             * applying the batch one event per transaction. */
            cs_log_warn("batch failed (%s); applying its %zu events one by one", err, n);
            cs_metric_add(rt->m_isolated, 1);
            rc = 0;
            for (size_t i = 0; i < n && rc == 0; i++) {
                char e1[RT_ERRLEN];
                int fails = 0;
                for (;;) {
                    if (batchTxn(rt, b, &msgs[i], 1, &synth[i], &applied, &dups, &poisons, e1, sizeof e1) == 0) {
                        metricsAfter(rt, applied, dups, poisons);
                        cs_crash_point("after_pg_commit");
                        outboxPublish(rt, b);
                        break;
                    }
                    if (cs_pg_conn_lost(rt->pg)) {
                        rc = -1;
                        break;
                    }
                    ++fails;
                    if (fails == 2 && !msgs[i].ev.poison) {
                        /* Alone it still fails, with the server up: poison. */
                        cs_event_poison(&msgs[i].ev, "db: %s", e1);
                    } else if (fails >= 4) {
                        /* Not even its dead letter can be written: say so
                         * loudly and move on rather than wedge the partition. */
                        cs_log_error("event %s@%s[%d] could not be applied nor dead-lettered: %s", synth[i],
                                     msgs[i].ev.topic, (int)msgs[i].ev.partition, e1);
                        break;
                    }
                }
            }
            if (rc == 0) {
                batchClearOut(b);
                break;
            }
        }
    retry:
        cs_metric_add(rt->m_pg_retry, 1);
        rt->pg_up = !cs_pg_conn_lost(rt->pg);
        cs_metric_set(rt->m_pg_up, rt->pg_up);
        if (cs_proc_stopping()) break;
        backoff = backoffNext(backoff);
        cs_log_warn("batch not applied (%s); retry in %d ms", err, backoff);
        cs_proc_sleep_ms(backoff);
    }
    free(synth);
    if (rc != 0) return -1;
    cs_crash_point("after_pg_commit");
    outboxPublish(rt, b);
    batchClearOut(b);
    /* Offsets only now that the transaction is durable; what is still to be
     * published is in the outbox. */
    storeOffset(rt, &msgs[n - 1]);
    return 0;
}

/* The envelope stays: it is in the round's arena. */
static void msgFree(rtMsg *m) {
    free(m->keyheap);
    rd_kafka_message_destroy(m->rk);
    memset(m, 0, sizeof *m);
}

static int cmpPending(const void *a, const void *b) {
    const rtMsg *x = a, *y = b;
    int c = strcmp(rd_kafka_topic_name(x->rk->rkt), rd_kafka_topic_name(y->rk->rkt));
    if (c) return c;
    if (x->rk->partition != y->rk->partition) return x->rk->partition < y->rk->partition ? -1 : 1;
    return x->rk->offset < y->rk->offset ? -1 : x->rk->offset > y->rk->offset;
}

/* Polls up to batch_max records, waiting at most batch_wait_ms once the
 * first one arrived. */
static void collect(rtState *rt) {
    int64_t deadline = 0;
    while (!cs_proc_stopping() && rt->npending < (size_t)rt->cfg.batch_max) {
        int timeout = 100;
        if (deadline) {
            int64_t left = deadline - cs_mono_ms();
            if (left <= 0) break;
            timeout = (int)left;
        }
        rd_kafka_message_t *k = rd_kafka_consumer_poll(rt->consumer, timeout);
        /* Nothing within the timeout: back to the loop even when idle, so
         * delivery reports are served, the outbox drains and the sweep runs. */
        if (!k) break;
        if (k->err) {
            if (k->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) cs_log_warn("kafka: %s", rd_kafka_message_errstr(k));
            rd_kafka_message_destroy(k);
            continue;
        }
        if (rt->npending == rt->cappending) {
            rt->cappending = rt->cappending ? 2 * rt->cappending : 256;
            rt->pending = cs_xrealloc(rt->pending, rt->cappending * sizeof *rt->pending);
        }
        rtMsg *m = &rt->pending[rt->npending++];
        memset(m, 0, sizeof *m);
        m->rk = k;
        if (!deadline) deadline = cs_mono_ms() + rt->cfg.batch_wait_ms;
    }
}

/* What a round kept for the next follows the recent rounds, not the
 * largest since the start: the records array and the outbox and dedupe
 * buffers of a backlog's round (megabytes at CS_BATCH_MAX 3000) are given
 * back once the rounds are small again (a soak showed a worker's heap
 * rising in steps, one per new largest round, and staying there). */
#define RT_KEEP_MAX (4u << 20)
static void roundTrim(rtState *rt) {
    if (rt->cappending > 256 && rt->npending * 4 < rt->cappending) {
        free(rt->pending);
        rt->pending = NULL;
        rt->cappending = 0;
    }
    cs_copy_keep(&rt->arr, RT_KEEP_MAX);
    cs_copy_keep(&rt->copy, RT_KEEP_MAX);
}

static void loop(rtState *rt) {
    /* the kinds of the worker's timer routes: a cancel of every timer of a
     * subject names them (timers.c, cs_timer_cancel_subject) */
    static const char *kinds[65];
    size_t nk = 0;
    for (const cs_timer_route *t = rt->def->timer_routes; t && t->kind && nk < 64; t++) kinds[nk++] = t->kind;
    kinds[nk] = NULL;
    cs_batch b = {.shops = rt->shops, .worker = rt->def->name, .redis = rt->redis, .timer_kinds = nk ? kinds : NULL};
    while (!cs_proc_stopping()) {
        collect(rt);
        if (rt->npending) {
            qsort(rt->pending, rt->npending, sizeof *rt->pending, cmpPending);
            size_t i = 0;
            int stopped = 0;
            while (i < rt->npending && !stopped) {
                /* Backpressure: while Kafka is slow or down, committed
                 * batches pile up unpublished; stop taking new work. */
                flightsService(rt, 0);
                while (!flightsRoom(rt) && !cs_proc_stopping()) flightsService(rt, 50);
                size_t j = i + 1;
                while (j < rt->npending && rt->pending[j].rk->partition == rt->pending[i].rk->partition &&
                       rt->pending[j].rk->rkt == rt->pending[i].rk->rkt)
                    j++;
                cs_metric_set(rt->m_batch_size, (int64_t)(j - i));
                stopped = processPartitionBatch(rt, &b, &rt->pending[i], j - i) != 0;
                i = j;
            }
            for (size_t k = 0; k < rt->npending; k++) msgFree(&rt->pending[k]);
            arenaReset(&rt->arena); /* the round's envelopes */
            roundTrim(rt);
            rt->npending = 0;
            rd_kafka_commit(rt->consumer, NULL, 1);
        }
        flightsService(rt, 0);
        if (rt->npending == 0 && rt->nacked && rt->nflights == 0) {
            /* idle: let the outbox drain without waiting for the next batch */
            char e[RT_ERRLEN];
            if (pgEnsure(rt, e, sizeof e) == 0 && outboxForget(rt, e, sizeof e) == 0) ackedClear(rt);
        }
        int64_t now = cs_mono_ms();
        if (now - rt->last_sweep_ms >= RT_SWEEP_EVERY_MS) {
            rt->last_sweep_ms = now;
            outboxSweep(rt);
        }
        cs_proc_trim_memory();
    }
    batchHooksEnd(&b, false);
    free(b.hooks);
    free(b.pre);
    free(b.out);
}

int cs_worker_main(const cs_worker_def *declared, int argc, char **argv) {
    /* the topics to consume: declared, or those of the routes */
    static const char *topics[32];
    static cs_worker_def withTopics;
    withTopics = *declared;
    cs_routes_topics(declared, topics, sizeof topics / sizeof *topics);
    withTopics.topics = topics;
    const cs_worker_def *def = &withTopics;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: %s\n\n%s consumes:", def->name, def->name);
            for (size_t t = 0; def->topics[t]; t++) printf(" %s", def->topics[t]);
            printf("\n\n");
            cs_config_usage(stdout);
            return 0;
        }
        fprintf(stderr, "%s: unknown argument '%s' (try --help)\n", def->name, argv[i]);
        return 2;
    }
    static rtState rt;
    memset(&rt, 0, sizeof rt);
    rt.def = def;
    rt.envAlloc = (ProtobufCAllocator){arenaAlloc, arenaFreeOne, &rt.arena};
    rt.boot_s = cs_real_ms() / 1000;
    char err[RT_ERRLEN];
    if (cs_config_load(&rt.cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s: configuration: %s\n", def->name, err);
        return 2;
    }
    cs_log_init(def->name, rt.cfg.log_level);
    cs_crash_points_init(rt.cfg.crash_point, rt.cfg.crash_after);
    rt.shops = cs_shops_load(rt.cfg.shops_file, err, sizeof err);
    if (!rt.shops) {
        cs_log_error("shops file: %s", err);
        fprintf(stderr, "%s: shops file: %s\n", def->name, err);
        cs_config_free(&rt.cfg);
        return 2;
    }
    snprintf(rt.group, sizeof rt.group, "%s", rt.cfg.group_id[0] ? rt.cfg.group_id : def->name);
    srandom((unsigned)(getpid() ^ cs_real_ms()));

    int code = 0;
    char labels[96];
    snprintf(labels, sizeof labels, "worker=\"%s\",result=\"applied\"", def->name);
    rt.m_applied = cs_metric_get(CS_METRIC_COUNTER, "cs_events_total", "Input events by outcome", labels);
    snprintf(labels, sizeof labels, "worker=\"%s\",result=\"duplicate\"", def->name);
    rt.m_dup = cs_metric_get(CS_METRIC_COUNTER, "cs_events_total", "Input events by outcome", labels);
    snprintf(labels, sizeof labels, "worker=\"%s\",result=\"poison\"", def->name);
    rt.m_poison = cs_metric_get(CS_METRIC_COUNTER, "cs_events_total", "Input events by outcome", labels);
    snprintf(labels, sizeof labels, "worker=\"%s\"", def->name);
    rt.m_batches = cs_metric_get(CS_METRIC_COUNTER, "cs_batches_total", "Committed batch transactions", labels);
    rt.m_pg_retry =
        cs_metric_get(CS_METRIC_COUNTER, "cs_batch_retries_total", "Batches retried after a failure", labels);
    rt.m_kafka_retry =
        cs_metric_get(CS_METRIC_COUNTER, "cs_outbox_publish_retries_total", "Outbox publishes retried", labels);
    rt.m_kafka_err =
        cs_metric_get(CS_METRIC_COUNTER, "cs_kafka_delivery_errors_total", "Failed delivery reports", labels);
    rt.m_relayed =
        cs_metric_get(CS_METRIC_COUNTER, "cs_outbox_swept_total", "Outbox records re-published by the sweep", labels);
    rt.m_pg_up = cs_metric_get(CS_METRIC_GAUGE, "cs_postgres_up", "1 when PostgreSQL is reachable", labels);
    rt.m_batch_size =
        cs_metric_get(CS_METRIC_GAUGE, "cs_last_batch_events", "Events in the last partition batch", labels);
    rt.m_isolated =
        cs_metric_get(CS_METRIC_COUNTER, "cs_batches_isolated_total", "Batches re-applied one event at a time", labels);
    rt.m_cut = cs_metric_get(CS_METRIC_COUNTER, "cs_dlq_truncated_total",
                             "Dead letters whose value was cut to fit Kafka (whole in dead_letters.payload)", labels);

    rt.clock = cs_clock_new(rt.cfg.clock, rt.cfg.redis_url, rt.cfg.pg_dsn, err, sizeof err);
    if (!rt.clock) {
        cs_log_error("clock: %s", err);
        code = 2;
        goto out;
    }
    rt.redis = cs_redis_new(rt.cfg.redis_url, err, sizeof err); /* no connection yet */
    if (!rt.redis) {
        cs_log_error("redis: %s", err);
        code = 2;
        goto out;
    }
    if (def->init && def->init(def->user, &rt.cfg, rt.shops, err, sizeof err) != 0) {
        cs_log_error("init: %s", err);
        code = 2;
        goto out;
    }
    if (rt.cfg.http_addr[0] && cs_http_start(rt.cfg.http_addr, healthCheck, &rt, err, sizeof err) != 0) {
        cs_log_error("http: %s", err);
        code = 2;
        goto out;
    }
    cs_proc_signals();
    cs_proc_memory_setup();

    if (kafkaOpen(&rt, err, sizeof err) != 0) {
        cs_log_error("%s", err);
        code = 2;
        goto out;
    }
    if (pgEnsure(&rt, err, sizeof err) != 0) cs_log_warn("%s (will retry)", err);
    cs_log_kv(CS_LOG_INFO, "started",
              (const char *const[]){"group", rt.group, "assignor", rt.cfg.assignor, "instance", rt.cfg.instance, NULL});
    if (rt.cfg.http_addr[0]) cs_log_info("http endpoint on port %d", cs_http_port());
    loop(&rt);
    cs_log_info("stopping: publishing what is committed, committing offsets, leaving the group");
    for (int64_t until = cs_mono_ms() + 15000; rt.nflights && cs_mono_ms() < until;) flightsService(&rt, 100);
    if (rt.nacked && pgEnsure(&rt, err, sizeof err) == 0 && outboxForget(&rt, err, sizeof err) == 0) ackedClear(&rt);
    if (rt.nflights) {
        cs_log_warn("%d batches unpublished at exit: their outbox rows are published by the next sweep", rt.nflights);
        /* Their records are in the outbox: drop what librdkafka still
         * holds rather than wait for it in the flush below (up to 10 s
         * more while Kafka does not answer). */
        rd_kafka_purge(rt.producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    }

out:
    if (rt.consumer) {
        rd_kafka_commit(rt.consumer, NULL, 0);
        rd_kafka_consumer_close(rt.consumer);
        rd_kafka_destroy(rt.consumer);
    }
    if (rt.producer) {
        rd_kafka_flush(rt.producer, 10000);
        rd_kafka_destroy(rt.producer);
    }
    for (size_t k = 0; k < rt.npending; k++) msgFree(&rt.pending[k]);
    free(rt.pending);
    arenaDone(&rt.arena);
    for (int k = 0; k < rt.nflights; k++) flightFree(rt.flights[k]);
    ackedClear(&rt);
    free(rt.acked);
    cs_strmap_clear(&rt.seen);
    cs_http_stop();
    if (def->fini) def->fini(def->user);
    if (rt.pg) PQfinish(rt.pg);
    cs_copy_free(&rt.copy);
    cs_copy_free(&rt.arr);
    cs_clock_free(rt.clock);
    cs_redis_free(rt.redis);
    cs_shops_free(rt.shops);
    cs_config_free(&rt.cfg);
    if (code == 0) cs_log_info("stopped");
    return code;
}
