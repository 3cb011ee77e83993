/* bench_aftersales.c -- cs-bench aftersales: the refund-notifier's burst and
 * the review follow-up wave (bench/run aftersales starts the stack, runs
 * this; docs/performance.md, "After-sales and reviews").
 *
 *   cs-bench aftersales [--events N] [--reviews M] [--notes K] [--rf-copies C]
 *            [--rv-copies C] [--bin DIR] [--templates FILE] [--shops FILE]
 *            [--out DIR] [--latency-s S] [--latency-rate R]
 *
 * (0) orders: the cases' orders, one CREATED event each (cs-sample's
 *     benchmark form), through one order-verifier, so that the
 *     refund-notifier reads real order facts.
 * (a) burst: N after-sales events of a Double-11 mix (refund-only, return
 *     and refund, exchange, disputes with a platform intervention; each
 *     case's stages in order, several reasons) loaded into
 *     shop.aftersales.v1 before C refund-notifiers start in one group:
 *     events/s = N / (last event applied - first batch began); then at half
 *     that rate for S seconds: produce -> applied (committed) latency of
 *     every 16th event, p50/p99.
 * (b) review wave: M reviews (60 % negative, 40 % neutral, each buyer and
 *     number its own) posted on day 1 at 18:00 (Asia/Shanghai, the Redis
 *     clock) through C review-schedulers, with one timer-dispatcher and
 *     one notifier whose SMS provider is this driver's HTTP stub (200 to
 *     everything; CS_NOTIFIER_RATE=0). Each case's follow-ups are
 *     requested when it opens and held by the notifier until their send
 *     time (RV-4); the bench waits until all are held. The clock then
 *     moves to day 2's send time (10:00): seconds until the stub has
 *     accepted every day-2 follow-up (released by the notifier's own
 *     timers through the dispatcher), SMS/s; the same for day 3 (the
 *     negative reviews).
 * (c) notifier alone: K ready follow-up requests (distinct numbers, no
 *     case) loaded into cs.notifications.v1 before a fresh notifier starts
 *     against the same stub: messages/s from the first request consumed to
 *     the last accepted; the wave's ceiling.
 * Peak RSS of every worker process; a machine line (the calibration loop)
 * before and after. The last line:
 *   AFTERSALES events_per_s=.. p99_ms=.. followup_sms_per_s=.. day2_wave_s=.. day3_wave_s=..
 *              notifier_msgs_per_s=.. rss_mib=.. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "cs/config.h"
#include "cs/pg.h"
#include "cs/redis.h"
#include "cs/timer_sync.h"
#include "cs/topics.h"
#include "cs/tz.h"
#include "cs/util.h"
#include "cs/v1/envelope.pb-c.h"

#define BA_MAX_COPIES 8
#define BA_TRACK_EVERY 16 /* latency: every 16th event is tracked */

typedef struct baOpts {
    int events, reviews, notes, rf_copies, rv_copies;
    const char *bin, *templates, *shops, *out;
    double latency_s;
    double latency_rate; /* events/s of the latency phase; 0 = half the burst's */
    char run_id[48];
} baOpts;

typedef struct baCtx {
    baOpts *o;
    const cs_config *cfg;
    PGconn *pg;
    cs_redis *redis;
    cs_tz *tz;
    double rss[4]; /* peak MiB: refund-notifier, review-scheduler, notifier, timer-dispatcher */
    char err[1024];
} baCtx;
enum { RSS_RF, RSS_RV, RSS_NT, RSS_TD };

/* ---- the provider stub: 200 to every request, counted ------------------------------- */

#define STUB_BINS 80     /* the profile of a phase: 0.25 s bins, 20 s */
#define STUB_BIN_US 250000

static struct {
    int fd, port;
    atomic_long accepted;
    atomic_llong last_us;
    atomic_int stop;
    atomic_llong mark_us;          /* the start of the phase profiled (0: none) */
    atomic_long bins[STUB_BINS];   /* requests accepted per bin since mark_us */
} stub = {.fd = -1};

/* Starts the profile of a phase: where its time goes shows in the ramp
 * (first acceptance) and in the rate per bin. */
static void stubMark(int64_t at_us) {
    for (int i = 0; i < STUB_BINS; i++) atomic_store(&stub.bins[i], 0);
    atomic_store(&stub.mark_us, at_us);
}

/* "first at +0.41 s; per 0.5 s: 812 5120 ..." from the bins, up to the last */
static void stubProfile(const char *label) {
    int last = -1, first = -1;
    for (int i = 0; i < STUB_BINS; i++)
        if (atomic_load(&stub.bins[i])) {
            if (first < 0) first = i;
            last = i;
        }
    printf("profile:     %s: first SMS in the 0.25 s from +%.2f s; accepted per 0.5 s:", label, first * 0.25);
    for (int i = 0; i <= last; i += 2)
        printf(" %ld", atomic_load(&stub.bins[i]) + (i + 1 < STUB_BINS ? atomic_load(&stub.bins[i + 1]) : 0));
    printf("%s\n", last == STUB_BINS - 1 ? " (the last bin holds the rest)" : "");
    atomic_store(&stub.mark_us, 0);
}

static void *stubConn(void *arg) {
    int fd = (int)(intptr_t)arg;
    size_t cap = 65536, have = 0;
    char *buf = cs_xmalloc(cap);
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
                               "{\"ok\":true}";
    for (;;) {
        char *end;
        while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
            if (have == cap) goto done;
            ssize_t r = recv(fd, buf + have, cap - have, 0);
            if (r <= 0) goto done;
            have += (size_t)r;
        }
        size_t head = (size_t)(end - buf) + 4, clen = 0;
        for (char *p = buf; p < end; p++)
            if ((p == buf || p[-1] == '\n') && strncasecmp(p, "Content-Length:", 15) == 0) clen = strtoul(p + 15, 0, 10);
        if (head + clen > cap) goto done;
        while (have < head + clen) {
            ssize_t r = recv(fd, buf + have, cap - have, 0);
            if (r <= 0) goto done;
            have += (size_t)r;
        }
        memmove(buf, buf + head + clen, have - head - clen);
        have -= head + clen;
        if (send(fd, resp, sizeof resp - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof resp - 1)) goto done;
        atomic_fetch_add(&stub.accepted, 1);
        int64_t now = bench_now_us(), mark = atomic_load(&stub.mark_us);
        atomic_store(&stub.last_us, now);
        if (mark) {
            int64_t bin = (now - mark) / STUB_BIN_US;
            atomic_fetch_add(&stub.bins[bin < 0 ? 0 : bin >= STUB_BINS ? STUB_BINS - 1 : bin], 1);
        }
    }
done:
    free(buf);
    close(fd);
    return NULL;
}

static void *stubAccept(void *arg) {
    (void)arg;
    while (!atomic_load(&stub.stop)) {
        int fd = accept(stub.fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR) continue;
            break;
        }
        pthread_t t;
        pthread_create(&t, NULL, stubConn, (void *)(intptr_t)fd);
        pthread_detach(t);
    }
    return NULL;
}

static int stubStart(char *err, size_t errlen) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 256) != 0) {
        snprintf(err, errlen, "provider stub: %s", strerror(errno));
        close(fd);
        return -1;
    }
    socklen_t al = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &al);
    stub.port = ntohs(a.sin_port);
    stub.fd = fd;
    pthread_t t;
    pthread_create(&t, NULL, stubAccept, NULL);
    pthread_detach(t);
    return 0;
}

/* Waits until the stub has accepted `want` requests; false on a stall of
 * 60 s or an interruption. */
static bool stubWait(long want, const char *label) {
    long last = -1;
    int64_t changed = bench_now_us();
    for (;;) {
        long n = atomic_load(&stub.accepted);
        if (n >= want) return true;
        if (n != last) last = n, changed = bench_now_us();
        if (bench_interrupted || bench_now_us() - changed > 60000000) {
            fprintf(stderr, "bench: %s: the stub accepted %ld of %ld\n", label, n, want);
            return false;
        }
        bench_sleep_us(5000);
    }
}

/* ---- helpers ------------------------------------------------------------------------------ */

static int setClock(baCtx *x, int64_t ms) {
    char v[24];
    snprintf(v, sizeof v, "%" PRId64, ms);
    redisReply *r =
        cs_redis_command(x->redis, 3, (const char *[]){"SET", "cs:clock:now_ms", v}, x->err, sizeof x->err);
    if (!r) return -1;
    freeReplyObject(r);
    return 0;
}

static int64_t pgCount(baCtx *x, const char *sql, const char *p1, const char *p2) {
    const char *p[] = {p1, p2};
    int n = p2 ? 2 : p1 ? 1 : 0;
    PGresult *r = NULL;
    if (cs_pg_exec(x->pg, sql, n, p, &r, x->err, sizeof x->err) != 0) return -1;
    int64_t v = PQgetisnull(r, 0, 0) ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

/* Events of worker whose id starts with prefix, applied so far: a range
 * of the primary key (the database's collation is C), so that polling
 * reads only the run's rows; starts_with() read every row of the worker
 * each time, and at 100,000 reviews that polling (every 10 ms then) was
 * most of PostgreSQL's CPU. Counting is still a scan of the run's rows, so
 * waitApplied polls every 100 ms. */
static int64_t applied(baCtx *x, const char *worker, const char *prefix) {
    char hi[160];
    snprintf(hi, sizeof hi, "%s", prefix);
    size_t n = strlen(hi);
    if (n) hi[n - 1]++; /* the prefixes end in '-': '.' is the next byte */
    const char *p[] = {worker, prefix, hi};
    PGresult *r = NULL;
    if (cs_pg_exec(x->pg, "SELECT count(*) FROM processed_events WHERE worker = $1 AND event_id >= $2 AND event_id < $3",
                   3, p, &r, x->err, sizeof x->err) != 0)
        return -1;
    int64_t v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

/* When the first of them was applied (its batch's transaction began). */
static int64_t firstApplied(baCtx *x, const char *worker, const char *prefix) {
    return pgCount(x,
                   "SELECT (extract(epoch FROM min(processed_at)) * 1000000)::bigint FROM processed_events "
                   "WHERE worker = $1 AND event_id >= $2 AND starts_with(event_id, $2)",
                   worker, prefix);
}

/* Polls until `want` events of prefix are applied by worker; the instant
 * the count was first seen complete, or -1 on a 60 s stall. */
static int64_t waitApplied(baCtx *x, const char *worker, const char *prefix, int64_t want) {
    int64_t last = -1, changed = bench_now_us();
    for (;;) {
        int64_t n = applied(x, worker, prefix);
        int64_t now = bench_now_us();
        if (n < 0) return -1;
        if (n >= want) return now;
        if (n != last) last = n, changed = now;
        if (bench_interrupted || now - changed > 60000000) {
            snprintf(x->err, sizeof x->err, "%s applied %" PRId64 " of %" PRId64 " events", worker, n, want);
            return -1;
        }
        bench_sleep_us(100000);
    }
}

/* Commits `group` at the end of every topic the worker reads, so that it
 * starts exactly at what is produced next. */
static int groupAtEnd(baCtx *x, const char *group, const char *const *topics) {
    for (int k = 0; topics[k]; k++) {
        bench_offsets end;
        if (bench_watermarks(x->cfg, topics[k], &end, x->err, sizeof x->err) ||
            bench_commit_group(x->cfg, group, &end, x->err, sizeof x->err))
            return -1;
    }
    return 0;
}

static pid_t spawnWorker(baCtx *x, const char *bin, const char *instance, const char *group, const char *const *extra) {
    char path[1024], logp[1200], e1[160], e2[160], e3[1100];
    snprintf(path, sizeof path, "%s/%s", x->o->bin, bin);
    snprintf(logp, sizeof logp, "%s/%s.log", x->o->out, instance);
    snprintf(e1, sizeof e1, "CS_INSTANCE=%s", instance);
    snprintf(e2, sizeof e2, "CS_GROUP_ID=%s", group ? group : "");
    snprintf(e3, sizeof e3, "CS_SHOPS_FILE=%s", x->o->shops);
    const char *env[16] = {e1, e3, "CS_HTTP_ADDR=127.0.0.1:0"};
    int n = 3;
    if (group) env[n++] = e2;
    for (int i = 0; extra && extra[i] && n < 15; i++) env[n++] = extra[i];
    env[n] = NULL;
    return bench_spawn(path, logp, env, x->err, sizeof x->err);
}

static void peakRss(double *slot, const pid_t *pids, int n) {
    for (int i = 0; i < n; i++) {
        double m = pids[i] > 0 ? bench_peak_rss_mib(pids[i]) : -1;
        if (m > *slot) *slot = m;
    }
}

static int produce(rd_kafka_t *rk, const char *topic, const char *key, const Cs__V1__Envelope *env, char *err,
                   size_t errlen) {
    size_t len = cs__v1__envelope__get_packed_size(env);
    uint8_t *buf = cs_xmalloc(len);
    cs__v1__envelope__pack(env, buf);
    for (;;) {
        rd_kafka_resp_err_t e =
            rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                              RD_KAFKA_V_VALUE(buf, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE), RD_KAFKA_V_END);
        if (!e) return 0;
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk, 10);
            continue;
        }
        snprintf(err, errlen, "produce %s: %s", topic, rd_kafka_err2str(e));
        free(buf);
        return -1;
    }
}

/* CPU seconds so far by process name, over the whole machine: where a
 * phase's time went on the shared cores. */
enum { CPU_PG, CPU_BROKER, CPU_REDIS, CPU_RF, CPU_RV, CPU_NT, CPU_TD, CPU_DRIVER, CPU_OTHER, NCPU };
static const char *const cpuNames[NCPU] = {"postgres",         "kafka broker",     "redis",
                                           "refund-notifier",  "review-scheduler", "notifier",
                                           "timer-dispatcher", "cs-bench",         "other"};

static void addCpu(const char *id, const char *comm, double cpu_s, void *arg) {
    (void)id;
    double *out = arg;
    int k = strcmp(comm, "postgres") == 0           ? CPU_PG
            : strcmp(comm, "java") == 0             ? CPU_BROKER
            : strcmp(comm, "redis-server") == 0     ? CPU_REDIS
            : strcmp(comm, "refund-notifier") == 0  ? CPU_RF
            : strcmp(comm, "review-schedule") == 0  ? CPU_RV
            : strcmp(comm, "notifier") == 0         ? CPU_NT
            : strcmp(comm, "timer-dispatche") == 0  ? CPU_TD
            : strcmp(comm, "cs-bench") == 0         ? CPU_DRIVER
                                                    : CPU_OTHER;
    out[k] += cpu_s;
}

/* A phase's costs so far: CPU seconds by process name, over the whole
 * machine (where its time went on the shared cores), and what it cost the
 * database beyond its statements (WAL, full-page images, checkpoints). */
typedef struct baSnap {
    double cpu[NCPU];
    bench_wal wal;
} baSnap;

static void snapNow(baCtx *x, baSnap *s) {
    for (int i = 0; i < NCPU; i++) s->cpu[i] = 0;
    bench_proc_each(NULL, addCpu, s->cpu);
    bench_pg_wal(x->pg, &s->wal);
}

/* "cpu: postgres 3.1 s, ..." between two snapshots (roles that used some),
 * then "wal: ...". */
static void printSnap(const char *label, const baSnap *a, const baSnap *b, double wall_s) {
    double total = 0;
    printf("cpu:         %s:", label);
    int k = 0;
    for (int i = 0; i < NCPU; i++) {
        double d = b->cpu[i] - a->cpu[i];
        if (d < 0.005) continue;
        total += d;
        printf("%s %s %.2f s", k++ ? "," : "", cpuNames[i], d);
    }
    printf("; %.2f of %ld cores busy over %.2f s\n", wall_s > 0 ? total / wall_s : 0, sysconf(_SC_NPROCESSORS_ONLN),
           wall_s);
    printf("wal:         %s: %.1f MiB of WAL, %" PRId64 " full-page images, %" PRId64 " checkpoint(s), %" PRId64
           " autovacuum/autoanalyze run(s)\n",
           label, (double)(b->wal.bytes - a->wal.bytes) / 1048576.0, b->wal.fpi - a->wal.fpi,
           b->wal.checkpoints - a->wal.checkpoints, b->wal.autovacuums - a->wal.autovacuums);
}

/* ---- (0) the orders --------------------------------------------------------------------- */

typedef struct baOrder {
    char shop[32];
    char id[64];
} baOrder;

static int loadOrders(baCtx *x, int n, baOrder *orders) {
    char run[64], err[256];
    snprintf(run, sizeof run, "%s-ord", x->o->run_id);
    cs_sample_opts so = {.run_id = run, .seed = 11, .count = n};
    cs_sample *s = cs_sample_new(&so, err, sizeof err);
    if (!s) {
        snprintf(x->err, sizeof x->err, "sample: %s", err);
        return -1;
    }
    int rc = -1;
    pid_t pid = 0;
    rd_kafka_t *prod = NULL;
    char group[96];
    snprintf(group, sizeof group, "order-verifier-bench-as-%s", x->o->run_id);
    static const char *const ovTopics[] = {CS_TOPIC_ORDERS, CS_TOPIC_INVENTORY, CS_TOPIC_AFTERSALES, CS_TOPIC_CONTACTS,
                                           CS_TOPIC_TIMERS, NULL};
    if (bench_seed_stock(x->pg, s, x->err, sizeof x->err) || groupAtEnd(x, group, ovTopics)) goto out;
    if (!(prod = bench_producer_new(x->cfg, x->err, sizeof x->err))) goto out;
    cs_sample_arena arena;
    cs_sample_arena_init(&arena);
    for (int i = 0; i < n && !bench_interrupted; i++) {
        cs_sample_event ev;
        cs_sample_order_single(s, i, &arena, &ev);
        snprintf(orders[i].shop, sizeof orders[i].shop, "%s", ev.env->shop_id);
        cs_sample_order_id(s, i, orders[i].id, sizeof orders[i].id);
        int e = produce(prod, ev.topic, ev.key, ev.env, x->err, sizeof x->err);
        cs_sample_arena_reset(&arena);
        if (e) goto out;
    }
    if (bench_producer_flush(prod, x->err, sizeof x->err)) goto out;
    pid = spawnWorker(x, "order-verifier", "bench-as-verifier", group, NULL);
    if (pid < 0) goto out;
    char prefix[96]; /* cs-sample's event ids: smp-<run>-<seed>-<i>-<tag> */
    snprintf(prefix, sizeof prefix, "smp-%s-", run);
    int64_t t0 = bench_now_us();
    if (waitApplied(x, "order-verifier", prefix, n) < 0) goto out;
    printf("orders:      %d orders (one CREATED event each) through one order-verifier in %.1f s, for the cases "
           "to read\n",
           n, (double)(bench_now_us() - t0) / 1e6);
    rc = 0;
out:
    if (pid > 0) bench_stop(&pid, 1);
    if (prod) rd_kafka_destroy(prod);
    cs_sample_free(s);
    return rc;
}

/* ---- (a) the after-sales burst ------------------------------------------------------------ */

#define ST(s) CS__V1__CASE_STAGE__CASE_STAGE_##s
#define TY(t) CS__V1__CASE_TYPE__CASE_TYPE_##t
#define RE(r) CS__V1__CASE_REASON__CASE_REASON_##r

/* The Double-11 mix, by case number mod 20: half refund-only (most on
 * unshipped orders, auto-agreed in promotion mode), a third returns, some
 * exchanges, one in twenty disputed through the platform. */
static int caseStages(int k, Cs__V1__CaseType *type, Cs__V1__CaseReason *reason, Cs__V1__CaseStage *st) {
    static const Cs__V1__CaseReason reasons[] = {RE(CHANGED_MIND), RE(NO_REASON_7D), RE(QUALITY),  RE(WRONG_ITEM),
                                                 RE(NOT_RECEIVED), RE(MISSING_ITEM), RE(OTHER)};
    *reason = reasons[(k / 20) % 7];
    int m = k % 20, n = 0;
    if (m < 10) {
        *type = TY(REFUND_ONLY);
        Cs__V1__CaseStage s[] = {ST(REQUESTED), ST(AGREED), ST(REFUNDED), ST(CLOSED)};
        for (n = 0; n < 4; n++) st[n] = s[n];
    } else if (m < 17) {
        *type = TY(RETURN_REFUND);
        Cs__V1__CaseStage s[] = {ST(REQUESTED),       ST(AGREED),   ST(BUYER_SHIPPED),
                                 ST(RETURN_RECEIVED), ST(REFUNDED), ST(CLOSED)};
        for (n = 0; n < 6; n++) st[n] = s[n];
    } else if (m < 19) {
        *type = TY(EXCHANGE);
        Cs__V1__CaseStage s[] = {ST(REQUESTED), ST(AGREED), ST(BUYER_SHIPPED), ST(RETURN_RECEIVED), ST(RESHIPPED)};
        for (n = 0; n < 5; n++) st[n] = s[n];
    } else {
        *type = TY(REFUND_ONLY);
        *reason = RE(QUALITY);
        Cs__V1__CaseStage s[] = {ST(REQUESTED), ST(REFUSED), ST(PLATFORM_INTERVENED), ST(AGREED), ST(REFUNDED)};
        for (n = 0; n < 5; n++) st[n] = s[n];
    }
    return n;
}

/* Event j (0-based) of the case stream starting at case k0: fills the
 * envelope (buffers in the caller's scratch). */
typedef struct baCaseEv {
    Cs__V1__Envelope env;
    Cs__V1__AfterSalesEvent ae;
    Cs__V1__AfterSalesCase c;
    char eid[128], cid[96], key[160];
} baCaseEv;

static void caseEvent(baCtx *x, const char *prefix, const baOrder *o, int k, int stage_i, Cs__V1__CaseType type,
                      Cs__V1__CaseReason reason, Cs__V1__CaseStage stage, int64_t t_ms, baCaseEv *e) {
    (void)x;
    snprintf(e->eid, sizeof e->eid, "%s%d-%d", prefix, k, stage_i);
    snprintf(e->cid, sizeof e->cid, "%sC%d", prefix, k);
    snprintf(e->key, sizeof e->key, "%s:%s", o->shop, o->id);
    cs__v1__after_sales_case__init(&e->c);
    e->c.case_id = e->cid;
    e->c.order_id = (char *)o->id;
    e->c.sku = (char *)"SKU-BENCH";
    e->c.type = type;
    e->c.reason = reason;
    e->c.stage = stage;
    e->c.amount_fen = 1990 + (k % 40) * 500;
    e->c.agent = (char *)(k % 3 == 0 ? "小王" : k % 3 == 1 ? "小李" : "小张");
    e->c.has_photo = reason == RE(QUALITY);
    e->c.goods_unused = true;
    e->c.packaging_complete = true;
    e->c.resellable = k % 4 != 0;
    e->c.supplier_exchanges = k % 8 != 0;
    e->c.refund_account = (char *)"alipay:bench";
    e->c.requested_ms = t_ms - stage_i * 60000;
    e->c.postage_paid_fen = type == TY(RETURN_REFUND) ? 1200 : 0;
    e->c.origin_province = (char *)(k % 2 ? "浙江省" : "广东省");
    cs__v1__after_sales_event__init(&e->ae);
    e->ae.body_case = CS__V1__AFTER_SALES_EVENT__BODY_CASE;
    e->ae.case_ = &e->c;
    cs__v1__envelope__init(&e->env);
    e->env.event_id = e->eid;
    e->env.shop_id = (char *)o->shop;
    e->env.event_ms = t_ms;
    e->env.ingest_ms = t_ms;
    e->env.source = (char *)"cs-bench";
    e->env.body_case = CS__V1__ENVELOPE__BODY_AFTERSALES;
    e->env.aftersales = &e->ae;
}

/* Produces the events of cases k0.. until n events; returns the cases used
 * (-1 on error). If sent_us is given, event j's hand-over instant goes
 * there and production is paced at rate events/s. */
static int produceCases(baCtx *x, rd_kafka_t *rk, const char *prefix, const baOrder *orders, int norders, int k0,
                        int n, double rate, int64_t *sent_us) {
    int j = 0, k = k0;
    int64_t t_base = 1794621600000LL; /* 2026-11-11 10:00 Shanghai */
    int64_t start = bench_now_us();
    while (j < n && !bench_interrupted) {
        Cs__V1__CaseType type;
        Cs__V1__CaseReason reason;
        Cs__V1__CaseStage st[8];
        int ns = caseStages(k, &type, &reason, st);
        for (int i = 0; i < ns && j < n; i++, j++) {
            if (rate > 0) {
                int64_t due = start + (int64_t)(j * 1e6 / rate);
                int64_t now = bench_now_us();
                if (due > now) bench_sleep_us(due - now);
                rd_kafka_poll(rk, 0);
            }
            baCaseEv e;
            caseEvent(x, prefix, &orders[k % norders], k, i, type, reason, st[i], t_base + k + i * 60000LL, &e);
            if (sent_us) sent_us[j] = bench_now_us();
            if (produce(rk, CS_TOPIC_AFTERSALES, e.key, &e.env, x->err, sizeof x->err)) return -1;
        }
        k++;
    }
    return k - k0;
}

/* Latency: a thread that stamps when each tracked event becomes visible
 * (committed) in processed_events. */
typedef struct baTrack {
    PGconn *pg;
    const char *prefix;
    int n;             /* events produced in the phase */
    int64_t *seen_us;  /* by event index */
    atomic_int limit;  /* events produced so far */
    atomic_int stop;
    pthread_t th;
} baTrack;

static void *trackLoop(void *arg) {
    baTrack *t = arg;
    char **ids = cs_xcalloc((size_t)t->n, sizeof *ids);
    size_t cap = 1 << 16;
    char *arr = cs_xmalloc(cap);
    while (!atomic_load(&t->stop)) {
        int lim = atomic_load(&t->limit);
        /* the outstanding tracked ids, as one array literal */
        size_t len = 0;
        int k = 0;
        arr[len++] = '{';
        for (int j = 0; j < lim; j += BA_TRACK_EVERY) {
            if (t->seen_us[j]) continue;
            char id[128];
            int m = snprintf(id, sizeof id, "%s%d", t->prefix, j);
            if (len + (size_t)m + 4 >= cap) break;
            if (k++) arr[len++] = ',';
            memcpy(arr + len, id, (size_t)m);
            len += (size_t)m;
        }
        arr[len++] = '}';
        arr[len] = '\0';
        if (k) {
            const char *p[] = {arr};
            PGresult *r = PQexecParams(t->pg,
                                       "SELECT event_id FROM processed_events WHERE worker = 'refund-notifier' AND "
                                       "event_id = ANY($1::text[])",
                                       1, NULL, p, NULL, NULL, 0);
            int64_t now = bench_now_us();
            if (PQresultStatus(r) == PGRES_TUPLES_OK)
                for (int i = 0; i < PQntuples(r); i++) {
                    const char *id = PQgetvalue(r, i, 0) + strlen(t->prefix);
                    int j = atoi(id);
                    if (j >= 0 && j < t->n) t->seen_us[j] = now;
                }
            PQclear(r);
        }
        /* 10 ms: the granularity of the figures; polling every 2 ms was
         * itself the heaviest statement of the run */
        bench_sleep_us(10000);
    }
    free(arr);
    free(ids);
    return NULL;
}

/* The event ids of a paced phase are "<prefix><j>": one per event, so
 * they are produced as cases of one stage each -- a REQUESTED stage of a
 * new case, the commonest first event of a burst. */
static int producePaced(baCtx *x, rd_kafka_t *rk, const char *prefix, const baOrder *orders, int norders, int n,
                        double rate, int64_t *sent_us, baTrack *t) {
    int64_t t_base = 1794621600000LL, start = bench_now_us();
    for (int j = 0; j < n && !bench_interrupted; j++) {
        int64_t due = start + (int64_t)(j * 1e6 / rate), now = bench_now_us();
        if (due > now) bench_sleep_us(due - now);
        rd_kafka_poll(rk, 0);
        baCaseEv e;
        Cs__V1__CaseType type;
        Cs__V1__CaseReason reason;
        Cs__V1__CaseStage st[8];
        caseStages(j, &type, &reason, st);
        caseEvent(x, prefix, &orders[(j * 7919) % norders], j, 0, type, reason, st[0], t_base + j, &e);
        snprintf(e.eid, sizeof e.eid, "%s%d", prefix, j); /* the tracker's form */
        sent_us[j] = bench_now_us();
        if (produce(rk, CS_TOPIC_AFTERSALES, e.key, &e.env, x->err, sizeof x->err)) return -1;
        atomic_store(&t->limit, j + 1);
    }
    return 0;
}

static int cmpI64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double burst(baCtx *x, const baOrder *orders, int norders, double *p99_ms) {
    baOpts *o = x->o;
    double eps = -1;
    pid_t pids[BA_MAX_COPIES] = {0};
    rd_kafka_t *prod = NULL;
    int64_t *sent = NULL;
    baTrack t = {0};
    char group[96], prefix[96];
    snprintf(group, sizeof group, "refund-notifier-bench-as-%s", o->run_id);
    snprintf(prefix, sizeof prefix, "%s-as-", o->run_id);
    static const char *const rfTopics[] = {CS_TOPIC_AFTERSALES, CS_TOPIC_TIMERS, NULL};
    if (groupAtEnd(x, group, rfTopics)) goto out;
    if (!(prod = bench_producer_new(x->cfg, x->err, sizeof x->err))) goto out;
    int cases = produceCases(x, prod, prefix, orders, norders, 0, o->events, 0, NULL);
    if (cases < 0 || bench_producer_flush(prod, x->err, sizeof x->err)) goto out;
    double calib0 = bench_calibration_ms();
    baSnap cpu0, cpu1;
    snapNow(x, &cpu0);
    int64_t t_spawn = bench_now_us();
    for (int i = 0; i < o->rf_copies; i++) {
        char inst[64];
        snprintf(inst, sizeof inst, "bench-refund-notifier-%d", i + 1);
        if ((pids[i] = spawnWorker(x, "refund-notifier", inst, group, NULL)) < 0) goto out;
    }
    int64_t t_done = waitApplied(x, "refund-notifier", prefix, o->events);
    if (t_done < 0) goto out;
    snapNow(x, &cpu1);
    int64_t t_first = firstApplied(x, "refund-notifier", prefix);
    eps = o->events * 1e6 / (double)(t_done - t_first);
    double cpu = 0;
    for (int i = 0; i < o->rf_copies; i++) cpu += bench_cpu_s(pids[i]);
    int64_t fin = pgCount(x, "SELECT count(*) FROM finance_requests WHERE starts_with(request_id, $1)", prefix, NULL);
    int64_t ncases = pgCount(x, "SELECT count(*) FROM cases WHERE kind = 'aftersales' AND starts_with(case_id, $1)",
                             prefix, NULL);
    int64_t dec = pgCount(x, "SELECT count(*) FROM outbox", NULL, NULL);
    (void)dec;
    printf("burst:       %d after-sales events (%d cases: refund-only, returns, exchanges, disputes), loaded "
           "first, %d refund-notifier(s): %.0f events/s (first batch -> last event applied, %.2f s); %" PRId64
           " cases stored, %" PRId64 " finance requests; CPU %.1f s (%.0f us per event)\n",
           o->events, cases, o->rf_copies, eps, (double)(t_done - t_first) / 1e6, ncases, fin, cpu,
           cpu * 1e6 / o->events);
    printSnap("the burst (from the workers' start)", &cpu0, &cpu1, (double)(t_done - t_spawn) / 1e6);
    printf("machine:     a fixed 100M-step loop took %.0f ms before the burst and %.0f ms after it (55-80 ms when "
           "the host is quiet)\n",
           calib0, bench_calibration_ms());

    /* latency at half the rate (or a fixed rate, to compare two versions
     * at one load) */
    double rate = o->latency_rate > 0 ? o->latency_rate : eps / 2;
    int n = (int)(rate * o->latency_s);
    if (n < 100) n = 100;
    sent = cs_xcalloc((size_t)n, sizeof *sent);
    char lprefix[96];
    snprintf(lprefix, sizeof lprefix, "%s-lat-", o->run_id);
    t.pg = PQconnectdb(x->cfg->pg_dsn);
    if (PQstatus(t.pg) != CONNECTION_OK) {
        snprintf(x->err, sizeof x->err, "tracker: %s", PQerrorMessage(t.pg));
        goto out;
    }
    t.prefix = lprefix;
    t.n = n;
    t.seen_us = cs_xcalloc((size_t)n, sizeof *t.seen_us);
    pthread_create(&t.th, NULL, trackLoop, &t);
    if (producePaced(x, prod, lprefix, orders, norders, n, rate, sent, &t)) goto out;
    if (bench_producer_flush(prod, x->err, sizeof x->err)) goto out;
    if (waitApplied(x, "refund-notifier", lprefix, n) < 0) goto out;
    bench_sleep_us(50000);
    atomic_store(&t.stop, 1);
    pthread_join(t.th, NULL);
    t.th = 0;
    int64_t *lat = cs_xcalloc((size_t)n / BA_TRACK_EVERY + 1, sizeof *lat);
    size_t m = 0;
    for (int j = 0; j < n; j += BA_TRACK_EVERY)
        if (t.seen_us[j]) lat[m++] = t.seen_us[j] - sent[j];
    qsort(lat, m, sizeof *lat, cmpI64);
    if (m) {
        *p99_ms = bench_percentile(lat, m, 0.99) / 1e3;
        printf("latency:     %d events at %.0f/s (%s) for %.0f s: produce -> applied "
               "(committed) of every %dth: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%zu samples)\n",
               n, rate, o->latency_rate > 0 ? "--latency-rate" : "half the burst's rate", o->latency_s,
               BA_TRACK_EVERY, bench_percentile(lat, m, 0.50) / 1e3, *p99_ms, lat[m - 1] / 1e3, m);
    }
    free(lat);
    peakRss(&x->rss[RSS_RF], pids, o->rf_copies);
out:
    if (t.th) {
        atomic_store(&t.stop, 1);
        pthread_join(t.th, NULL);
    }
    if (t.pg) PQfinish(t.pg);
    free(t.seen_us);
    free(sent);
    bench_stop(pids, o->rf_copies);
    if (prod) rd_kafka_destroy(prod);
    return eps;
}

/* ---- (b) the review wave ------------------------------------------------------------------- */

static int produceReviews(baCtx *x, rd_kafka_t *rk, const char *prefix, int n, int64_t posted_ms) {
    for (int i = 0; i < n && !bench_interrupted; i++) {
        char eid[128], rid[128], order[128], buyer[128], phone[24], key[160];
        snprintf(eid, sizeof eid, "%s%d", prefix, i);
        snprintf(rid, sizeof rid, "%sR%d", prefix, i);
        snprintf(order, sizeof order, "%sO%d", prefix, i);
        snprintf(buyer, sizeof buyer, "%sB%d", prefix, i);
        snprintf(phone, sizeof phone, "136%08d", i);
        snprintf(key, sizeof key, "tb-demo:%s", order);
        Cs__V1__Review r = CS__V1__REVIEW__INIT;
        r.review_id = rid;
        r.order_id = order;
        r.buyer_id = buyer;
        r.sku = (char *)"SKU-BENCH";
        r.rating = i % 5 < 3 ? CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE
                             : CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL;
        r.text = (char *)"发货太慢";
        r.dislike = i % 2 ? CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT : CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE;
        r.posted_ms = posted_ms;
        r.item_price_fen = 1990 + (i % 10) * 1000;
        r.buyer_phone = phone;
        Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
        env.event_id = eid;
        env.shop_id = (char *)"tb-demo";
        env.event_ms = posted_ms;
        env.ingest_ms = posted_ms;
        env.source = (char *)"cs-bench";
        env.body_case = CS__V1__ENVELOPE__BODY_REVIEW;
        env.review = &r;
        if (produce(rk, CS_TOPIC_REVIEWS, key, &env, x->err, sizeof x->err)) return -1;
    }
    return bench_producer_flush(rk, x->err, sizeof x->err);
}

static int64_t shanghai(baCtx *x, int y, int m, int d, int hh, int mm) {
    return cs_tz_instant(x->tz, cs_day_from_ymd(y, m, d), hh * 60 + mm);
}

/* Day 1's evening to day 2's send time is a night on a real shop: what
 * the stack does in those hours is done before the clock moves, so that
 * the wave measures the release and not the after-effects of the burst
 * that requested it seconds earlier. The timer-dispatcher's routine
 * reconciliation reads every timer scheduled within its window
 * (cs_timer_recent_window_s): 160,000 follow-ups still inside it
 * meant two passes of 160,000 rows and 320,000 ZSCOREs during the
 * wave, a cost no real day 2 pays. Then VACUUM (ANALYZE), what autovacuum
 * does overnight, and a CHECKPOINT, after which the first change to each
 * page writes a full page image again, as it would on day 2. The time
 * each step took is printed. */
static int night(baCtx *x, int64_t t_held) {
    const char *rs = getenv("CS_TIMER_RECONCILE_S");
    int reconcile = rs && atoi(rs) > 0 ? atoi(rs) : 5;
    int64_t until = t_held + (cs_timer_recent_window_s(reconcile) + 1) * 1000000LL;
    int64_t waited = until - bench_now_us();
    if (waited > 0) bench_sleep_us(waited);
    int64_t v0 = bench_now_us();
    /* the catalogs it may not vacuum are skipped, each with a warning */
    if (cs_pg_exec(x->pg, "SET client_min_messages = error", 0, NULL, NULL, x->err, sizeof x->err) != 0 ||
        cs_pg_exec(x->pg, "VACUUM (ANALYZE)", 0, NULL, NULL, x->err, sizeof x->err) != 0 ||
        cs_pg_exec(x->pg, "RESET client_min_messages", 0, NULL, NULL, x->err, sizeof x->err) != 0)
        return -1;
    int64_t v1 = bench_now_us();
    if (cs_pg_exec(x->pg, "CHECKPOINT", 0, NULL, NULL, x->err, sizeof x->err) != 0) return -1;
    printf("night:       the reconciliation window (%d s) passed (waited %.1f s), VACUUM (ANALYZE) %.1f s, "
           "CHECKPOINT %.1f s\n",
           cs_timer_recent_window_s(reconcile), waited > 0 ? (double)waited / 1e6 : 0.0, (double)(v1 - v0) / 1e6,
           (double)(bench_now_us() - v1) / 1e6);
    return 0;
}

static double wave(baCtx *x, double *day2_s, double *day3_s) {
    baOpts *o = x->o;
    double sps = -1;
    pid_t rv[BA_MAX_COPIES] = {0}, td = 0, nt = 0;
    rd_kafka_t *prod = NULL;
    char prefix[96], gRv[96], gNt[96], sms[96], tpl[1100], logf[1100];
    snprintf(prefix, sizeof prefix, "%s-rv-", o->run_id);
    snprintf(gRv, sizeof gRv, "review-scheduler-bench-as-%s", o->run_id);
    snprintf(gNt, sizeof gNt, "notifier-bench-as-%s", o->run_id);
    snprintf(sms, sizeof sms, "CS_SMS_URL=http://127.0.0.1:%d/sms", stub.port);
    snprintf(tpl, sizeof tpl, "CS_NOTIFIER_TEMPLATES=%s", o->templates);
    snprintf(logf, sizeof logf, "CS_NOTIFIER_LOG_FILE=%s/messages.jsonl", o->out);
    static const char *const rvTopics[] = {CS_TOPIC_REVIEWS, CS_TOPIC_CONTACTS, CS_TOPIC_TIMERS, NULL};
    static const char *const ntTopics[] = {CS_TOPIC_NOTIFICATIONS, CS_TOPIC_CONTACTS, CS_TOPIC_TIMERS, NULL};
    int64_t posted = shanghai(x, 2026, 11, 20, 18, 0);
    if (setClock(x, posted + 30 * 60000LL) || groupAtEnd(x, gRv, rvTopics) || groupAtEnd(x, gNt, ntTopics)) goto out;
    if (!(prod = bench_producer_new(x->cfg, x->err, sizeof x->err))) goto out;
    const char *clock[] = {"CS_CLOCK=redis", NULL};
    const char *ntEnv[] = {"CS_CLOCK=redis", "CS_NOTIFIER_RATE=0", sms, "CS_IM_URL=", tpl, logf, NULL};
    if ((td = spawnWorker(x, "timer-dispatcher", "bench-as-dispatcher", NULL, clock)) < 0) goto out;
    if ((nt = spawnWorker(x, "notifier", "bench-as-notifier", gNt, ntEnv)) < 0) goto out;
    for (int i = 0; i < o->rv_copies; i++) {
        char inst[64];
        snprintf(inst, sizeof inst, "bench-review-scheduler-%d", i + 1);
        if ((rv[i] = spawnWorker(x, "review-scheduler", inst, gRv, clock)) < 0) goto out;
    }
    baSnap cpuR0, cpuR1;
    snapNow(x, &cpuR0);
    int64_t t0 = bench_now_us();
    if (produceReviews(x, prod, prefix, o->reviews, posted)) goto out;
    int64_t t_open = waitApplied(x, "review-scheduler", prefix, o->reviews);
    if (t_open < 0) goto out;
    int64_t t_first = firstApplied(x, "review-scheduler", prefix);
    int neg = 0;
    for (int i = 0; i < o->reviews; i++) neg += i % 5 < 3;
    /* every case's follow-ups were requested when it opened (RV-4): the
     * notifier holds them until their send time (their ids derive from
     * the review events', so they share the prefix) */
    int64_t t_held = waitApplied(x, "notifier", prefix, o->reviews + neg);
    if (t_held < 0) goto out;
    snapNow(x, &cpuR1);
    int64_t held = pgCount(x,
                           "SELECT count(*) FROM messages WHERE template = 'review_follow_up' AND status = 'held' "
                           "AND starts_with(order_id, $1)",
                           prefix, NULL);
    int64_t timers = pgCount(x, "SELECT count(*) FROM timers WHERE owner = 'notifier' AND status = 'pending'", NULL,
                             NULL);
    printf("reviews:     %d reviews (%d negative, %d neutral) posted on day 1 (11-20 18:00), %d review-scheduler(s): "
           "%.0f cases opened/s (first batch -> last applied, %.2f s; %.1f s from the first produce); "
           "%" PRId64 " follow-ups held by the notifier to their send time %.1f s from the first produce, "
           "%" PRId64 " notifier timers pending (its sweeps: one per shop, send time and bucket)\n",
           o->reviews, neg, o->reviews - neg, o->rv_copies, o->reviews * 1e6 / (double)(t_open - t_first),
           (double)(t_open - t_first) / 1e6, (double)(t_open - t0) / 1e6, held, (double)(t_held - t0) / 1e6, timers);
    printSnap("the reviews and their held follow-ups (from the first produce)", &cpuR0, &cpuR1,
             (double)(t_held - t0) / 1e6);
    if (night(x, t_held)) goto out;
    double calib0 = bench_calibration_ms();

    long base = atomic_load(&stub.accepted);
    baSnap cpu0, cpu1;
    snapNow(x, &cpu0);
    int64_t jump = bench_now_us();
    stubMark(jump);
    if (setClock(x, shanghai(x, 2026, 11, 21, 10, 0))) goto out;
    if (!stubWait(base + o->reviews, "day 2")) goto out;
    snapNow(x, &cpu1);
    *day2_s = (double)(atomic_load(&stub.last_us) - jump) / 1e6;
    sps = o->reviews / *day2_s;
    printf("day 2:       clock to 11-21 10:00: %d follow-up SMS accepted by the provider stub in %.2f s "
           "(%.0f SMS/s; clock move -> last accepted)\n",
           o->reviews, *day2_s, sps);
    stubProfile("the day-2 wave, from the clock move");
    printSnap("the day-2 wave", &cpu0, &cpu1, (double)(bench_now_us() - jump) / 1e6);

    if (night(x, t_held)) goto out;
    base = atomic_load(&stub.accepted);
    jump = bench_now_us();
    if (setClock(x, shanghai(x, 2026, 11, 22, 10, 0))) goto out;
    if (!stubWait(base + neg, "day 3")) goto out;
    *day3_s = (double)(atomic_load(&stub.last_us) - jump) / 1e6;
    printf("day 3:       clock to 11-22 10:00: %d follow-up SMS (the negative reviews) in %.2f s (%.0f SMS/s)\n", neg,
           *day3_s, neg / *day3_s);
    bench_sleep_us(1000000);
    int64_t sent = pgCount(x,
                           "SELECT count(*) FROM messages WHERE template = 'review_follow_up' AND status = 'sent' "
                           "AND starts_with(order_id, $1)",
                           prefix, NULL);
    int64_t dup = (long)atomic_load(&stub.accepted) - base - neg;
    printf("check:       %" PRId64 " follow-ups recorded sent (want %d); %" PRId64
           " requests beyond the expected at the stub after day 3\n",
           sent, o->reviews + neg, dup);
    printf("machine:     a fixed 100M-step loop took %.0f ms before the day-2 wave and %.0f ms after day 3\n", calib0,
           bench_calibration_ms());
    peakRss(&x->rss[RSS_RV], rv, o->rv_copies);
    peakRss(&x->rss[RSS_NT], &nt, 1);
    peakRss(&x->rss[RSS_TD], &td, 1);
out:
    bench_stop(rv, o->rv_copies);
    if (nt > 0) bench_stop(&nt, 1);
    if (td > 0) bench_stop(&td, 1);
    if (prod) rd_kafka_destroy(prod);
    return sps;
}

/* ---- (c) the notifier alone ------------------------------------------------------------------- */

static double notifierAlone(baCtx *x) {
    baOpts *o = x->o;
    double rate = -1;
    pid_t nt = 0;
    rd_kafka_t *prod = NULL;
    char prefix[96], group[96], sms[96], tpl[1100], logf[1100];
    snprintf(prefix, sizeof prefix, "%s-nt-", o->run_id);
    snprintf(group, sizeof group, "notifier-bench-alone-%s", o->run_id);
    snprintf(sms, sizeof sms, "CS_SMS_URL=http://127.0.0.1:%d/sms", stub.port);
    snprintf(tpl, sizeof tpl, "CS_NOTIFIER_TEMPLATES=%s", o->templates);
    snprintf(logf, sizeof logf, "CS_NOTIFIER_LOG_FILE=%s/messages-alone.jsonl", o->out);
    static const char *const ntTopics[] = {CS_TOPIC_NOTIFICATIONS, CS_TOPIC_CONTACTS, CS_TOPIC_TIMERS, NULL};
    int64_t at = shanghai(x, 2026, 11, 23, 10, 0);
    if (setClock(x, at) || groupAtEnd(x, group, ntTopics)) goto out;
    if (!(prod = bench_producer_new(x->cfg, x->err, sizeof x->err))) goto out;
    for (int i = 0; i < o->notes && !bench_interrupted; i++) {
        char ev[128], order[128], to[24], key[160];
        snprintf(ev, sizeof ev, "%s%d", prefix, i);
        snprintf(order, sizeof order, "%sO%d", prefix, i);
        snprintf(to, sizeof to, "135%08d", i);
        snprintf(key, sizeof key, "tb-demo:%s", order);
        Cs__V1__NotificationRequest req = CS__V1__NOTIFICATION_REQUEST__INIT;
        req.idempotency_key = ev;
        req.order_id = order;
        req.to = to;
        req.channel = CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS;
        req.class_ = CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_FOLLOW_UP;
        req.template_ = (char *)"review_follow_up";
        req.rule = (char *)"RV-4";
        Cs__V1__NotificationRequest__ParamsEntry e = CS__V1__NOTIFICATION_REQUEST__PARAMS_ENTRY__INIT, *pe = &e;
        e.key = (char *)"order_id";
        e.value = order;
        req.n_params = 1;
        req.params = &pe;
        Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
        env.event_id = ev;
        env.shop_id = (char *)"tb-demo";
        env.event_ms = at;
        env.ingest_ms = at;
        env.source = (char *)"cs-bench";
        env.body_case = CS__V1__ENVELOPE__BODY_NOTIFICATION;
        env.notification = &req;
        if (produce(prod, CS_TOPIC_NOTIFICATIONS, key, &env, x->err, sizeof x->err)) goto out;
    }
    if (bench_producer_flush(prod, x->err, sizeof x->err)) goto out;
    long base = atomic_load(&stub.accepted);
    baSnap cpu0, cpu1;
    snapNow(x, &cpu0);
    int64_t t_spawn = bench_now_us();
    stubMark(t_spawn);
    const char *env[] = {"CS_CLOCK=redis", "CS_NOTIFIER_RATE=0", sms, "CS_IM_URL=", tpl, logf, NULL};
    if ((nt = spawnWorker(x, "notifier", "bench-as-notifier-alone", group, env)) < 0) goto out;
    if (!stubWait(base + o->notes, "notifier alone")) goto out;
    snapNow(x, &cpu1);
    int64_t t_first = firstApplied(x, "notifier", prefix);
    int64_t t_last = atomic_load(&stub.last_us);
    rate = o->notes * 1e6 / (double)(t_last - t_first);
    printf("notifier:    %d ready follow-up requests loaded first, one notifier, the same stub, CS_NOTIFIER_RATE=0: "
           "%.0f messages/s (first request consumed -> last accepted, %.2f s); CPU %.1f s\n",
           o->notes, rate, (double)(t_last - t_first) / 1e6, bench_cpu_s(nt));
    printf("profile:     the first request consumed %.2f s after the notifier's start\n",
           (double)(t_first - t_spawn) / 1e6);
    stubProfile("the notifier alone, from its start");
    printSnap("the notifier alone (from its start)", &cpu0, &cpu1, (double)(bench_now_us() - t_spawn) / 1e6);
    peakRss(&x->rss[RSS_NT], &nt, 1);
out:
    if (nt > 0) bench_stop(&nt, 1);
    if (prod) rd_kafka_destroy(prod);
    return rate;
}

/* ---- main ---------------------------------------------------------------------------------------- */

static void usage(FILE *out) {
    fprintf(out, "usage: cs-bench aftersales [--events N] [--reviews M] [--notes K] [--rf-copies C] [--rv-copies C]\n"
                 "         [--bin DIR] [--templates FILE] [--shops FILE] [--out DIR] [--latency-s S]\n"
                 "         [--latency-rate EVENTS_PER_S]\n");
}

int bench_aftersales_main(int argc, char **argv) {
    baOpts o = {.events = 100000,
                .reviews = 100000,
                .notes = 100000,
                .rf_copies = 2,
                .rv_copies = 2,
                .bin = "build",
                .out = ".",
                .latency_s = 20};
    static const struct option lo[] = {
        {"events", 1, 0, 'e'}, {"reviews", 1, 0, 'r'},   {"notes", 1, 0, 'n'}, {"rf-copies", 1, 0, 'f'},
        {"rv-copies", 1, 0, 'v'}, {"bin", 1, 0, 'b'},    {"templates", 1, 0, 't'}, {"shops", 1, 0, 's'},
        {"out", 1, 0, 'o'},    {"latency-s", 1, 0, 'l'}, {"latency-rate", 1, 0, 'R'},
        {"help", 0, 0, 'h'},   {0, 0, 0, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
            case 'e': o.events = atoi(optarg); break;
            case 'r': o.reviews = atoi(optarg); break;
            case 'n': o.notes = atoi(optarg); break;
            case 'f': o.rf_copies = atoi(optarg); break;
            case 'v': o.rv_copies = atoi(optarg); break;
            case 'b': o.bin = optarg; break;
            case 't': o.templates = optarg; break;
            case 's': o.shops = optarg; break;
            case 'o': o.out = optarg; break;
            case 'l': o.latency_s = atof(optarg); break;
            case 'R': o.latency_rate = atof(optarg); break;
            case 'h': usage(stdout); return 0;
            default: usage(stderr); return 2;
        }
    }
    if (o.events < 100 || o.reviews < 10 || o.notes < 10 || o.rf_copies < 1 || o.rf_copies > BA_MAX_COPIES ||
        o.rv_copies < 1 || o.rv_copies > BA_MAX_COPIES || !o.templates || !o.shops) {
        usage(stderr);
        return 2;
    }
    snprintf(o.run_id, sizeof o.run_id, "b%lld", (long long)(bench_now_us() / 1000000 % 100000000));
    bench_catch_signals();
    baCtx x = {.o = &o, .rss = {-1, -1, -1, -1}};
    cs_config cfg;
    if (cs_config_load(&cfg, x.err, sizeof x.err) != 0) {
        fprintf(stderr, "bench: %s\n", x.err);
        return 1;
    }
    x.cfg = &cfg;
    int rc = 1;
    baOrder *orders = NULL;
    if (cs_topics_wait_ready(&cfg, BENCH_READY_MS, x.err, sizeof x.err)) goto fail;
    if (!(x.pg = cs_pg_connect(cfg.pg_dsn, x.err, sizeof x.err))) goto fail;
    if (!(x.redis = cs_redis_new(cfg.redis_url, x.err, sizeof x.err))) goto fail;
    if (!(x.tz = cs_tz_load("Asia/Shanghai", x.err, sizeof x.err))) goto fail;
    if (stubStart(x.err, sizeof x.err)) goto fail;
    char fsync[32], sync[32];
    bench_pg_show(x.pg, "fsync", fsync, sizeof fsync);
    bench_pg_show(x.pg, "synchronous_commit", sync, sizeof sync);
    printf("setup:       %d after-sales events, %d reviews, %d notifier requests; PostgreSQL fsync=%s "
           "synchronous_commit=%s; %ld cores\n",
           o.events, o.reviews, o.notes, fsync, sync, sysconf(_SC_NPROCESSORS_ONLN));
    int norders = o.events / 4 + 1;
    orders = cs_xcalloc((size_t)norders, sizeof *orders);
    if (loadOrders(&x, norders, orders)) goto fail;
    double p99 = -1, d2 = -1, d3 = -1;
    double eps = burst(&x, orders, norders, &p99);
    if (eps < 0) goto fail;
    double sps = wave(&x, &d2, &d3);
    if (sps < 0) goto fail;
    double nps = notifierAlone(&x);
    if (nps < 0) goto fail;
    double rss = 0;
    for (int i = 0; i < 3; i++)
        if (x.rss[i] > rss) rss = x.rss[i];
    printf("rss:         peak MiB: refund-notifier %.1f, review-scheduler %.1f, notifier %.1f, timer-dispatcher "
           "%.1f\n",
           x.rss[RSS_RF], x.rss[RSS_RV], x.rss[RSS_NT], x.rss[RSS_TD]);
    printf("AFTERSALES events_per_s=%.0f p99_ms=%.1f followup_sms_per_s=%.0f day2_wave_s=%.2f day3_wave_s=%.2f "
           "notifier_msgs_per_s=%.0f rss_mib=%.1f\n",
           eps, p99, sps, d2, d3, nps, rss);
    rc = 0;
fail:
    if (rc) fprintf(stderr, "bench: %s\n", x.err);
    atomic_store(&stub.stop, 1);
    free(orders);
    if (x.tz) cs_tz_free(x.tz);
    if (x.redis) cs_redis_free(x.redis);
    if (x.pg) PQfinish(x.pg);
    cs_config_free(&cfg);
    return rc;
}
