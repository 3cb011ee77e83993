/* bench_timers.c -- cs-bench timers: the durable timers' benchmark (bench/run
 * timers starts the stack, runs this, then the BullMQ comparison).
 *
 *   cs-bench timers [--count N] [--copies LIST] [--dispatcher PATH]
 *            [--notifier PATH] [--out DIR] [--latency-s S] [--rate R]
 *            [--notes M] [--batch B]
 *
 * (a) backlog, for each dispatcher count in LIST (default "1,2"): empty
 *     timers table and Redis; N timers scheduled through the library
 *     (cs_timer_schedule in batch transactions of B calls, cs_batch_flush,
 *     COMMIT, cs_batch_committed = the Redis pipeline after the commit),
 *     due over one business hour; Redis used_memory before and after gives
 *     the bytes per pending timer. Then the dispatchers start with
 *     CS_CLOCK=redis; once each has logged its start-up full
 *     reconciliation (the steady state of a running dispatcher), the
 *     business clock jumps past every due time. fired/s = N / (arrival at
 *     this driver's consumer of the last distinct TimerFired of the run -
 *     the clock jump).
 * (b) lateness: the timers of a steady stream (R a second for S seconds,
 *     each scheduled 2 s before it falls due) with CS_CLOCK=system and the
 *     best dispatcher count of (a): due time -> arrival at this driver's
 *     consumer (reported), and due time -> the record's timestamp (the
 *     producer's CreateTime, for reference).
 * (c) notifier: M notification requests (SERVICE class, distinct numbers,
 *     business clock at 10:00 Shanghai) loaded into cs.notifications.v1
 *     before one notifier starts with the log provider and
 *     CS_NOTIFIER_RATE=0; messages/s = M / (last `messages` row written -
 *     first request consumed).
 * A machine line for bench/run comes last:
 *   TIMERS fired_per_s=.. copies=.. lateness_p99_ms=.. redis_bytes_per_timer=.. notifier_msgs_per_s=.. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cs/config.h"
#include "cs/kafka.h"
#include "cs/pg.h"
#include "cs/redis.h"
#include "cs/runtime.h"
#include "cs/timers.h"
#include "cs/topics.h"
#include "cs/util.h"
#include "cs/v1/envelope.pb-c.h"

#define BT_MAX_COPIES 8
#define BT_OWNER "bench-timers"
#define BT_SHOP "tb-demo"
#define BT_LEAD_MS 2000 /* lateness: scheduled this long before due */

typedef struct btOpts {
    int count;
    int copies[BT_MAX_COPIES];
    int ncopies;
    const char *dispatcher, *notifier, *out, *templates;
    double latency_s;
    int rate, notes, batch;
    char run_id[48];
} btOpts;

/* ---- the consumer: every distinct TimerFired of this run ---------------- */

typedef struct btListener {
    pthread_t th;
    rd_kafka_t *rk;
    atomic_int stop;
    char prefix[96]; /* order keys of this phase: prefix<i> */
    size_t prefix_len;
    int64_t n;           /* expected */
    uint8_t *seen;       /* by index */
    int64_t *arrival_us; /* by index, first arrival */
    int64_t *ts_ms;      /* by index, record timestamp */
    int64_t *due_ms;     /* by index */
    atomic_llong distinct, total, last_us;
} btListener;

static void *btListen(void *arg) {
    btListener *l = arg;
    while (!atomic_load(&l->stop)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(l->rk, 100);
        if (!m) continue;
        if (!m->err && m->payload) {
            int64_t now = bench_now_us();
            Cs__V1__Envelope *env = cs__v1__envelope__unpack(NULL, m->len, m->payload);
            if (env && env->body_case == CS__V1__ENVELOPE__BODY_TIMER && env->timer->order_key &&
                strncmp(env->timer->order_key, l->prefix, l->prefix_len) == 0) {
                long long i = strtoll(env->timer->order_key + l->prefix_len, NULL, 10);
                atomic_fetch_add(&l->total, 1);
                if (i >= 0 && i < l->n && !l->seen[i]) {
                    l->seen[i] = 1;
                    l->arrival_us[i] = now;
                    rd_kafka_timestamp_type_t tt;
                    l->ts_ms[i] = rd_kafka_message_timestamp(m, &tt);
                    l->due_ms[i] = env->timer->due_ms;
                    atomic_store(&l->last_us, now);
                    atomic_fetch_add(&l->distinct, 1);
                }
            }
            if (env) cs__v1__envelope__free_unpacked(env, NULL);
        }
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

static btListener *btListenerStart(const cs_config *cfg, const bench_offsets *from, const char *prefix, int64_t n,
                                   char *err, size_t errlen) {
    char e[256], group[96];
    snprintf(group, sizeof group, "bench-timers-listener-%lld", (long long)bench_now_us());
    static const char *const over[] = {"fetch.wait.max.ms", "10", NULL};
    rd_kafka_conf_t *c = cs_kafka_conf(cfg, CS_KAFKA_READER, group, over, e, sizeof e);
    if (!c) {
        snprintf(err, errlen, "consumer config: %s", e);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof e);
    if (!rk) {
        snprintf(err, errlen, "consumer: %s", e);
        rd_kafka_conf_destroy(c);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(from->n);
    for (int p = 0; p < from->n; p++) rd_kafka_topic_partition_list_add(tp, from->topic, p)->offset = from->off[p];
    rd_kafka_resp_err_t ae = rd_kafka_assign(rk, tp);
    rd_kafka_topic_partition_list_destroy(tp);
    if (ae) {
        snprintf(err, errlen, "assign: %s", rd_kafka_err2str(ae));
        rd_kafka_destroy(rk);
        return NULL;
    }
    btListener *l = cs_xcalloc(1, sizeof *l);
    l->rk = rk;
    snprintf(l->prefix, sizeof l->prefix, "%s", prefix);
    l->prefix_len = strlen(l->prefix);
    l->n = n;
    l->seen = cs_xcalloc((size_t)n, 1);
    l->arrival_us = cs_xcalloc((size_t)n, sizeof *l->arrival_us);
    l->ts_ms = cs_xcalloc((size_t)n, sizeof *l->ts_ms);
    l->due_ms = cs_xcalloc((size_t)n, sizeof *l->due_ms);
    pthread_create(&l->th, NULL, btListen, l);
    return l;
}

static void btListenerStop(btListener *l) {
    if (!l) return;
    atomic_store(&l->stop, 1);
    pthread_join(l->th, NULL);
    rd_kafka_consumer_close(l->rk);
    rd_kafka_destroy(l->rk);
    free(l->seen);
    free(l->arrival_us);
    free(l->ts_ms);
    free(l->due_ms);
    free(l);
}

/* Waits for `want` distinct records; stalls of 60 s or the timeout end it. */
static bool btWait(btListener *l, int64_t want, double timeout_s, const char *label) {
    int64_t start = bench_now_us(), last_change = start, last_report = start, seen = -1;
    for (;;) {
        int64_t n = atomic_load(&l->distinct), now = bench_now_us();
        if (n >= want) return true;
        if (n != seen) {
            seen = n;
            last_change = now;
        }
        if (bench_interrupted) return false;
        if (now - start > (int64_t)(timeout_s * 1e6) || now - last_change > 60000000) {
            fprintf(stderr, "cs-bench: %s: only %" PRId64 " of %" PRId64 " timers fired after %.0f s\n", label, n, want,
                    (double)(now - start) / 1e6);
            return false;
        }
        if (now - last_report > 5000000) {
            fprintf(stderr, "  %s: %" PRId64 "/%" PRId64 " fired\n", label, n, want);
            last_report = now;
        }
        bench_sleep_us(5000);
    }
}

/* ---- processes ------------------------------------------------------------ */

/* CPU seconds used so far by the bench stack's processes whose command
 * name starts with comm: those whose command line names the stack's run
 * folder or Redis port, and their children (PostgreSQL's backends). Other
 * stacks on the machine are not counted. */
static double btCpuOf(const char *comm) {
    const char *dir = getenv("CS_RUN_DIR"), *port = getenv("CS_REDIS_PORT");
    char rport[32];
    snprintf(rport, sizeof rport, ":%s", port ? port : "-");
    pid_t roots[64];
    int nroots = 0;
    double sum = 0;
    for (int pass = 0; pass < 2; pass++) {
        DIR *d = opendir("/proc");
        if (!d) return 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
            pid_t pid = (pid_t)atoi(e->d_name);
            char path[300], name[64] = "", buf[4096];
            snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
            FILE *f = fopen(path, "r");
            if (!f) continue;
            if (!fgets(name, sizeof name, f)) name[0] = 0;
            fclose(f);
            if (strncmp(name, comm, strlen(comm)) != 0) continue;
            if (pass == 0) {
                snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
                if (!(f = fopen(path, "r"))) continue;
                size_t n = fread(buf, 1, sizeof buf - 1, f);
                fclose(f);
                for (size_t k = 0; k < n; k++)
                    if (!buf[k]) buf[k] = ' ';
                buf[n] = 0;
                if (((dir && *dir && strstr(buf, dir)) || strstr(buf, rport)) && nroots < 64) {
                    roots[nroots++] = pid;
                    double c = bench_cpu_s(pid);
                    if (c > 0) sum += c;
                }
            } else {
                int ppid = 0;
                double c = 0;
                if (bench_proc_stat(e->d_name, NULL, 0, &ppid, &c) != 0) continue;
                for (int r = 0; r < nroots; r++)
                    if (roots[r] == ppid && c > 0) sum += c;
            }
        }
        closedir(d);
    }
    return sum;
}

typedef struct btCpuSet {
    double pg, redis, kafka;
} btCpuSet;
static btCpuSet btServersCpu(void) { return (btCpuSet){btCpuOf("postgres"), btCpuOf("redis-server"), btCpuOf("java")}; }

/* True once the file holds `needle`. */
static bool btFileHas(const char *path, const char *needle) {
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

static void btLoad(char *out, size_t len) {
    double l[3] = {0};
    if (getloadavg(l, 3) < 0)
        snprintf(out, len, "?");
    else
        snprintf(out, len, "%.2f %.2f %.2f", l[0], l[1], l[2]);
}

/* ---- Redis ---------------------------------------------------------------- */

static int btRedis(cs_redis *r, int argc, const char *const *argv, char *err, size_t errlen) {
    redisReply *x = cs_redis_command(r, argc, argv, err, errlen);
    if (!x) return -1;
    freeReplyObject(x);
    return 0;
}

static int64_t btUsedMemory(cs_redis *r) {
    char err[256];
    redisReply *x = cs_redis_command(r, 2, (const char *[]){"INFO", "memory"}, err, sizeof err);
    if (!x) return -1;
    int64_t v = -1;
    const char *p = x->type == REDIS_REPLY_STRING ? strstr(x->str, "used_memory:") : NULL;
    if (p) v = strtoll(p + 12, NULL, 10);
    freeReplyObject(x);
    return v;
}

static int btSetClock(cs_redis *r, int64_t ms, char *err, size_t errlen) {
    char v[24];
    snprintf(v, sizeof v, "%" PRId64, ms);
    return btRedis(r, 3, (const char *[]){"SET", "cs:clock:now_ms", v}, err, errlen);
}

/* Empties the timers table and Redis: each configuration starts alike. */
static int btReset(PGconn *pg, cs_redis *r, char *err, size_t errlen) {
    if (cs_pg_exec(pg, "TRUNCATE timers", 0, NULL, NULL, err, errlen) != 0) return -1;
    if (cs_pg_exec(pg, "CHECKPOINT", 0, NULL, NULL, err, errlen) != 0) return -1;
    return btRedis(r, 1, (const char *[]){"FLUSHALL"}, err, errlen);
}

/* ---- scheduling through the library --------------------------------------- */

/* Schedules timers [from, to) of prefix in transactions of `batch` calls;
 * due(i) gives each due time. */
typedef int64_t (*btDueFn)(int64_t i, void *arg);

static int btSchedule(PGconn *pg, cs_redis *r, const char *prefix, int64_t from, int64_t to, int batch, int64_t now_ms,
                      btDueFn due, void *due_arg, char *err, size_t errlen) {
    /* A payload of a realistic size: what an owner needs when it fires. */
    static const char payload[] = "{\"rule\":\"EX-6\",\"day\":3,\"amount_fen\":12900}";
    for (int64_t i = from; i < to && !bench_interrupted;) {
        if (cs_pg_exec(pg, "BEGIN", 0, NULL, NULL, err, errlen) != 0) return -1;
        cs_batch *b = cs_batch_new(pg, BT_OWNER, now_ms, r);
        int64_t end = i + batch < to ? i + batch : to;
        for (; i < end; i++) {
            char key[128];
            snprintf(key, sizeof key, "%s%" PRId64, prefix, i);
            cs_timer_spec t = {.kind = "bench.fire",
                               .order_key = key,
                               .due_ms = due(i, due_arg),
                               .payload = payload,
                               .payload_len = sizeof payload - 1};
            if (cs_timer_schedule(b, &t, err, errlen) != 0) goto bad;
        }
        if (cs_batch_flush(b, err, errlen) != 0) goto bad;
        if (cs_pg_exec(pg, "COMMIT", 0, NULL, NULL, err, errlen) != 0) {
            cs_batch_free(b);
            return -1;
        }
        cs_batch_committed(b);
        cs_batch_free(b);
        continue;
    bad:
        cs_pg_exec(pg, "ROLLBACK", 0, NULL, NULL, NULL, 0);
        cs_batch_free(b);
        return -1;
    }
    return bench_interrupted ? -1 : 0;
}

typedef struct btBacklogDue {
    int64_t base;
} btBacklogDue;
static int64_t btBacklogDueFn(int64_t i, void *arg) {
    const btBacklogDue *d = arg;
    return d->base + 3600000 + (i * 3600000 / 1000003) % 3600000; /* spread over one hour */
}

/* ---- the phases ------------------------------------------------------------ */

typedef struct btCtx {
    btOpts *o;
    cs_config *cfg;
    PGconn *pg;
    cs_redis *redis;
    char err[1024];
} btCtx;

/* Starts n dispatchers with clock `clock` and waits for their start-up
 * full reconciliation. */
static int btStartDispatchers(btCtx *x, int n, const char *clock, const char *tag, pid_t *pids) {
    static char envs[BT_MAX_COPIES][4][160];
    char logs[BT_MAX_COPIES][1024];
    for (int k = 0; k < n; k++) {
        snprintf(envs[k][0], sizeof envs[k][0], "CS_CLOCK=%s", clock);
        snprintf(envs[k][1], sizeof envs[k][1], "CS_INSTANCE=bench-td-%s-%d", tag, k);
        snprintf(envs[k][2], sizeof envs[k][2], "CS_HTTP_ADDR=127.0.0.1:0");
        snprintf(envs[k][3], sizeof envs[k][3], "CS_LOG_LEVEL=%s",
                 getenv("BENCH_TD_LOG_LEVEL") ? getenv("BENCH_TD_LOG_LEVEL") : "info");
        const char *env[] = {envs[k][0], envs[k][1], envs[k][2], envs[k][3], NULL};
        snprintf(logs[k], sizeof logs[k], "%s/timer-dispatcher-%s-%d.log", x->o->out, tag, k);
        if ((pids[k] = bench_spawn(x->o->dispatcher, logs[k], env, x->err, sizeof x->err)) < 0) return -1;
    }
    int64_t t0 = bench_now_us();
    for (int k = 0; k < n; k++) {
        while (!btFileHas(logs[k], "reconciliation (full)")) {
            if (bench_interrupted || waitpid(pids[k], NULL, WNOHANG) == pids[k] || bench_now_us() - t0 > 600000000) {
                snprintf(x->err, sizeof x->err, "dispatcher %d did not finish its start-up reconciliation (%.900s)", k,
                         logs[k]);
                return -1;
            }
            bench_sleep_us(100000);
        }
    }
    printf("             %d dispatcher(s) up, start-up full reconciliation done in %.1f s\n", n,
           (double)(bench_now_us() - t0) / 1e6);
    return 0;
}

/* (a) one backlog run with n dispatchers. Returns fired/s or -1. */
static double btBacklog(btCtx *x, int n, double *bytes_per_timer) {
    btOpts *o = x->o;
    pid_t pids[BT_MAX_COPIES] = {0};
    btListener *l = NULL;
    double rate = -1;
    if (btReset(x->pg, x->redis, x->err, sizeof x->err) != 0) return -1;
    int64_t base = (bench_now_us() / 1000 / 1000) * 1000;
    if (btSetClock(x->redis, base, x->err, sizeof x->err) != 0) return -1;
    char prefix[96];
    snprintf(prefix, sizeof prefix, BT_SHOP ":%s-b%d-", o->run_id, n);
    int64_t mem0 = btUsedMemory(x->redis);
    btBacklogDue d = {base};
    int64_t t0 = bench_now_us();
    if (btSchedule(x->pg, x->redis, prefix, 0, o->count, o->batch, base, btBacklogDueFn, &d, x->err, sizeof x->err) !=
        0)
        return -1;
    int64_t t1 = bench_now_us();
    int64_t mem1 = btUsedMemory(x->redis);
    *bytes_per_timer = (double)(mem1 - mem0) / o->count;
    char load[64];
    btLoad(load, sizeof load);
    printf("backlog/%d:   %d timers scheduled in %.1f s (%.0f/s; cs_timer_schedule, %d per transaction, Redis "
           "after COMMIT); Redis used_memory +%" PRId64 " B = %.0f B per pending timer; load %s\n",
           n, o->count, (double)(t1 - t0) / 1e6, o->count * 1e6 / (double)(t1 - t0), o->batch, mem1 - mem0,
           *bytes_per_timer, load);

    if (btStartDispatchers(x, n, "redis", n == 1 ? "b1" : "bn", pids) != 0) goto out;
    /* The routine reconciliation re-checks every row scheduled in its
     * window (2 x CS_TIMER_RECONCILE_S + 15 s, docs/timers.md). A backlog
     * that was just scheduled would sit in that window during the drain;
     * a real one (timers scheduled over hours or days, falling due
     * together) does not. Wait until the window has passed. */
    int64_t window_us = (int64_t)(2 * x->cfg->timer_reconcile_s + 15 + 1) * 1000000;
    if (bench_now_us() - t1 < window_us) {
        printf("             waiting %.0f s: the routine reconciliation's window (%d s) moves past the "
               "scheduling\n",
               (double)(t1 + window_us - bench_now_us()) / 1e6, 2 * x->cfg->timer_reconcile_s + 15);
        bench_sleep_us(t1 + window_us - bench_now_us());
    }
    bench_offsets from;
    if (bench_watermarks(x->cfg, CS_TOPIC_TIMERS, &from, x->err, sizeof x->err)) goto out;
    if (!(l = btListenerStart(x->cfg, &from, prefix, o->count, x->err, sizeof x->err))) goto out;
    bench_sleep_us(1000000); /* the consumer's assignment and first fetch */
    double cpu0[BT_MAX_COPIES];
    for (int k = 0; k < n; k++) cpu0[k] = bench_cpu_s(pids[k]);
    btCpuSet sv0 = btServersCpu();
    int64_t ta = bench_now_us();
    if (btSetClock(x->redis, base + 3 * 3600000, x->err, sizeof x->err) != 0) goto out;
    if (!btWait(l, o->count, 600 + o->count / 1000.0, "backlog")) {
        snprintf(x->err, sizeof x->err, "backlog phase incomplete");
        goto out;
    }
    int64_t tl = atomic_load(&l->last_us);
    rate = o->count * 1e6 / (double)(tl - ta);
    double cpu = 0;
    for (int k = 0; k < n; k++) cpu += bench_cpu_s(pids[k]) - cpu0[k];
    btCpuSet sv1 = btServersCpu();
    btLoad(load, sizeof load);
    printf("backlog/%d:   clock advanced past all %d; last distinct TimerFired at the consumer %.2f s later: "
           "%.0f fired/s with %d dispatcher(s); %lld records read (%lld repeats); dispatcher CPU %.1f s "
           "(%.1f us/timer); PostgreSQL CPU %.1f s (%.1f us/timer), Redis %.1f s, Kafka %.1f s (the bench stack's "
           "processes); load %s\n",
           n, o->count, (double)(tl - ta) / 1e6, rate, n, (long long)atomic_load(&l->total),
           (long long)(atomic_load(&l->total) - o->count), cpu, cpu * 1e6 / o->count, sv1.pg - sv0.pg,
           (sv1.pg - sv0.pg) * 1e6 / o->count, sv1.redis - sv0.redis, sv1.kafka - sv0.kafka, load);
out:
    bench_stop(pids, n);
    btListenerStop(l);
    return rate;
}

typedef struct btStreamDue {
    int64_t first_ms, rate;
} btStreamDue;
static int64_t btStreamDueFn(int64_t i, void *arg) {
    const btStreamDue *d = arg;
    return d->first_ms + i * 1000 / d->rate;
}

/* (b) lateness with n dispatchers on the real clock. Returns 0 or -1. */
static int btLateness(btCtx *x, int n, double *p50, double *p99) {
    btOpts *o = x->o;
    pid_t pids[BT_MAX_COPIES] = {0};
    btListener *l = NULL;
    int64_t *lat = NULL, *lts = NULL;
    int rc = -1;
    int64_t m = (int64_t)(o->rate * o->latency_s);
    if (m < 1) m = 1;
    if (btReset(x->pg, x->redis, x->err, sizeof x->err) != 0) return -1;
    char prefix[96];
    snprintf(prefix, sizeof prefix, BT_SHOP ":%s-l-", o->run_id);
    if (btStartDispatchers(x, n, "system", "lat", pids) != 0) goto out;
    bench_offsets from;
    if (bench_watermarks(x->cfg, CS_TOPIC_TIMERS, &from, x->err, sizeof x->err)) goto out;
    if (!(l = btListenerStart(x->cfg, &from, prefix, m, x->err, sizeof x->err))) goto out;
    bench_sleep_us(1000000);
    /* Timer i falls due at first + i/rate and is scheduled BT_LEAD_MS
     * before, in transactions of 20 ms worth of timers. */
    btStreamDue d = {bench_now_us() / 1000 + 200 + BT_LEAD_MS, o->rate};
    int chunk = o->rate / 50 > 0 ? o->rate / 50 : 1;
    int64_t behind = 0;
    for (int64_t i = 0; i < m && !bench_interrupted;) {
        int64_t at_us = (btStreamDueFn(i, &d) - BT_LEAD_MS) * 1000, now = bench_now_us();
        if (at_us > now)
            bench_sleep_us(at_us - now);
        else if (now - at_us > behind)
            behind = now - at_us;
        int64_t end = i + chunk < m ? i + chunk : m;
        if (btSchedule(x->pg, x->redis, prefix, i, end, chunk, bench_now_us() / 1000, btStreamDueFn, &d, x->err,
                       sizeof x->err) != 0)
            goto out;
        i = end;
    }
    if (behind > BT_LEAD_MS * 1000)
        fprintf(stderr, "cs-bench: scheduling fell %.0f ms behind (more than the lead)\n", behind / 1000.0);
    bool all = btWait(l, m, 120, "lateness");
    int64_t t_end = bench_now_us();
    lat = cs_xcalloc((size_t)m, sizeof *lat);
    lts = cs_xcalloc((size_t)m, sizeof *lts);
    int64_t missing = 0;
    for (int64_t i = 0; i < m; i++) {
        int64_t due = btStreamDueFn(i, &d);
        if (!l->seen[i]) {
            missing++;
            lat[i] = t_end / 1000 - due;
            lts[i] = lat[i];
            continue;
        }
        lat[i] = l->arrival_us[i] / 1000 - due;
        lts[i] = l->ts_ms[i] - due;
    }
    bench_sort_i64(lat, (size_t)m);
    bench_sort_i64(lts, (size_t)m);
    *p50 = (double)bench_percentile(lat, (size_t)m, 50);
    *p99 = (double)bench_percentile(lat, (size_t)m, 99);
    char load[64];
    btLoad(load, sizeof load);
    printf("lateness:    %" PRId64 " timers due at %d/s for %.0f s (CS_CLOCK=system, scheduled %d ms ahead, %d "
           "dispatcher(s)); due -> arrival at the bench consumer: p50 %.0f ms, p99 %.0f ms, max %" PRId64
           " ms; due -> record timestamp (CreateTime): p50 %.0f ms, p99 %.0f ms%s; load %s\n",
           m, o->rate, o->latency_s, BT_LEAD_MS, n, *p50, *p99, lat[m - 1],
           (double)bench_percentile(lts, (size_t)m, 50), (double)bench_percentile(lts, (size_t)m, 99),
           missing ? " (some never arrived: counted as the time waited)" : "", load);
    (void)all; /* missing ones were counted above */
    rc = 0;
out:
    bench_stop(pids, n);
    btListenerStop(l);
    free(lat);
    free(lts);
    return rc;
}

/* (c) the notifier with the log provider. Returns messages/s or -1. */
static double btNotifier(btCtx *x) {
    btOpts *o = x->o;
    pid_t pid = 0;
    rd_kafka_t *prod = NULL;
    double rate = -1;
    /* 10:00 Shanghai: outside quiet hours. */
    if (btSetClock(x->redis, 1794621600000LL, x->err, sizeof x->err) != 0) return -1;
    if (cs_pg_exec(x->pg, "TRUNCATE messages", 0, NULL, NULL, x->err, sizeof x->err) != 0) return -1;
    bench_offsets from, other;
    if (bench_watermarks(x->cfg, CS_TOPIC_NOTIFICATIONS, &from, x->err, sizeof x->err)) return -1;
    if (!(prod = bench_producer_new(x->cfg, x->err, sizeof x->err))) return -1;
    char evp[96];
    snprintf(evp, sizeof evp, "%s-n-", o->run_id);
    for (int i = 0; i < o->notes && !bench_interrupted; i++) {
        char ev[128], order[96], to[24], rkey[160];
        snprintf(ev, sizeof ev, "%s%d", evp, i);
        snprintf(order, sizeof order, "%s-o%d", o->run_id, i);
        snprintf(to, sizeof to, "139%08d", i);
        snprintf(rkey, sizeof rkey, BT_SHOP ":%s", order);
        Cs__V1__NotificationRequest req = CS__V1__NOTIFICATION_REQUEST__INIT;
        req.idempotency_key = ev;
        req.order_id = order;
        req.to = to;
        req.channel = CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS;
        req.class_ = CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE;
        req.template_ = (char *)"logistics_shipped";
        req.rule = (char *)"NT-6";
        Cs__V1__NotificationRequest__ParamsEntry e[3], *pe[3];
        const char *k[3] = {"order_id", "courier", "tracking_no"};
        const char *v[3] = {order, "顺丰速运", "SF1234567890"};
        for (int j = 0; j < 3; j++) {
            cs__v1__notification_request__params_entry__init(&e[j]);
            e[j].key = (char *)k[j];
            e[j].value = (char *)v[j];
            pe[j] = &e[j];
        }
        req.n_params = 3;
        req.params = pe;
        Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
        env.event_id = ev;
        env.shop_id = (char *)BT_SHOP;
        env.event_ms = 1794621600000LL;
        env.ingest_ms = env.event_ms;
        env.source = (char *)"cs-bench";
        env.body_case = CS__V1__ENVELOPE__BODY_NOTIFICATION;
        env.notification = &req;
        size_t len = cs__v1__envelope__get_packed_size(&env);
        uint8_t *buf = cs_xmalloc(len);
        cs__v1__envelope__pack(&env, buf);
        for (;;) {
            rd_kafka_resp_err_t pe2 =
                rd_kafka_producev(prod, RD_KAFKA_V_TOPIC(CS_TOPIC_NOTIFICATIONS), RD_KAFKA_V_KEY(rkey, strlen(rkey)),
                                  RD_KAFKA_V_VALUE(buf, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE), RD_KAFKA_V_END);
            if (!pe2) break;
            if (pe2 == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(prod, 10);
                continue;
            }
            snprintf(x->err, sizeof x->err, "produce: %s", rd_kafka_err2str(pe2));
            free(buf);
            goto out;
        }
    }
    if (bench_producer_flush(prod, x->err, sizeof x->err)) goto out;
    char group[96];
    snprintf(group, sizeof group, "notifier-bench-%s", o->run_id);
    if (bench_commit_group(x->cfg, group, &from, x->err, sizeof x->err)) goto out;
    static const char *const others[] = {CS_TOPIC_CONTACTS, CS_TOPIC_TIMERS};
    for (size_t k = 0; k < 2; k++)
        if (bench_watermarks(x->cfg, others[k], &other, x->err, sizeof x->err) ||
            bench_commit_group(x->cfg, group, &other, x->err, sizeof x->err))
            goto out;
    char e1[160], e2[1100], e3[1200], logp[1024];
    snprintf(e1, sizeof e1, "CS_GROUP_ID=%s", group);
    snprintf(e2, sizeof e2, "CS_NOTIFIER_LOG_FILE=%s/messages.jsonl", o->out);
    snprintf(e3, sizeof e3, "CS_NOTIFIER_TEMPLATES=%s", o->templates);
    snprintf(logp, sizeof logp, "%s/notifier.log", o->out);
    const char *env[] = {e1,
                         e2,
                         e3,
                         "CS_CLOCK=redis",
                         "CS_NOTIFIER_RATE=0",
                         "CS_SMS_URL=",
                         "CS_IM_URL=",
                         "CS_INSTANCE=bench-notifier",
                         "CS_HTTP_ADDR=127.0.0.1:0",
                         NULL};
    int64_t t_spawn = bench_now_us();
    if ((pid = bench_spawn(o->notifier, logp, env, x->err, sizeof x->err)) < 0) goto out;
    int64_t last_n = -1, last_change = bench_now_us(), t_done = 0;
    for (;;) {
        PGresult *r = NULL;
        if (cs_pg_exec(x->pg, "SELECT count(*) FROM messages", 0, NULL, &r, x->err, sizeof x->err) != 0) goto out;
        int64_t c = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
        int64_t now = bench_now_us();
        if (c >= o->notes) {
            t_done = now;
            break;
        }
        if (c != last_n) {
            last_n = c;
            last_change = now;
        }
        if (bench_interrupted || now - last_change > 60000000 || waitpid(pid, NULL, WNOHANG) == pid) {
            snprintf(x->err, sizeof x->err, "notifier: %" PRId64 " of %d messages (see %.900s)", c, o->notes, logp);
            goto out;
        }
        bench_sleep_us(20000);
    }
    PGresult *r = NULL;
    const char *p[] = {evp};
    if (cs_pg_exec(x->pg,
                   "SELECT (extract(epoch FROM min(processed_at)) * 1000000)::bigint, count(*) FILTER (WHERE true) "
                   "FROM processed_events WHERE worker = 'notifier' AND starts_with(event_id, $1)",
                   1, p, &r, x->err, sizeof x->err) != 0)
        goto out;
    int64_t t_first = PQgetisnull(r, 0, 0) ? t_spawn : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (cs_pg_exec(x->pg, "SELECT status, count(*) FROM messages GROUP BY 1 ORDER BY 1", 0, NULL, &r, x->err,
                   sizeof x->err) != 0)
        goto out;
    char st[256] = "";
    for (int j = 0; j < PQntuples(r); j++)
        snprintf(st + strlen(st), sizeof st - strlen(st), "%s%s %s", j ? ", " : "", PQgetvalue(r, j, 0),
                 PQgetvalue(r, j, 1));
    PQclear(r);
    rate = o->notes * 1e6 / (double)(t_done - t_first);
    char load[64];
    btLoad(load, sizeof load);
    printf("notifier:    %d SMS requests loaded first, one notifier, log provider (JSON lines to a file), "
           "CS_NOTIFIER_RATE=0: %.0f messages/s (first request consumed -> last messages row, %.2f s; %s); "
           "CPU %.1f s; load %s\n",
           o->notes, rate, (double)(t_done - t_first) / 1e6, st, bench_cpu_s(pid), load);
out:
    if (pid > 0) bench_stop(&pid, 1);
    if (prod) rd_kafka_destroy(prod);
    return rate;
}

static void btUsage(FILE *out) {
    fprintf(out, "usage: cs-bench timers [--count N] [--copies 1,2] [--dispatcher PATH] [--notifier PATH]\n"
                 "         [--templates FILE] [--out DIR] [--latency-s S] [--rate R] [--notes M] [--batch B]\n");
}

int bench_timers_main(int argc, char **argv) {
    btOpts o = {.count = 1000000,
                .dispatcher = "build/timer-dispatcher",
                .notifier = "build/notifier",
                .templates = "workers/notifier/templates/zh-CN.json",
                .out = ".",
                .latency_s = 60,
                .rate = 5000,
                .notes = 20000,
                .batch = 1000};
    o.copies[0] = 1, o.copies[1] = 2, o.ncopies = 2;
    snprintf(o.run_id, sizeof o.run_id, "t%lld", (long long)(bench_now_us() / 1000000));
    static const struct option opts[] = {{"count", required_argument, NULL, 'n'},
                                         {"copies", required_argument, NULL, 'c'},
                                         {"dispatcher", required_argument, NULL, 'd'},
                                         {"notifier", required_argument, NULL, 'N'},
                                         {"templates", required_argument, NULL, 'T'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"latency-s", required_argument, NULL, 'l'},
                                         {"rate", required_argument, NULL, 'r'},
                                         {"notes", required_argument, NULL, 'm'},
                                         {"batch", required_argument, NULL, 'b'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    optind = 2;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
            case 'n': o.count = atoi(optarg); break;
            case 'c': {
                o.ncopies = 0;
                for (char *s = optarg; *s && o.ncopies < BT_MAX_COPIES; s += *s == ',') {
                    int v = (int)strtol(s, &s, 10);
                    if (v < 1 || v > BT_MAX_COPIES) {
                        btUsage(stderr);
                        return 2;
                    }
                    o.copies[o.ncopies++] = v;
                }
                break;
            }
            case 'd': o.dispatcher = optarg; break;
            case 'N': o.notifier = optarg; break;
            case 'T': o.templates = optarg; break;
            case 'o': o.out = optarg; break;
            case 'l': o.latency_s = atof(optarg); break;
            case 'r': o.rate = atoi(optarg); break;
            case 'm': o.notes = atoi(optarg); break;
            case 'b': o.batch = atoi(optarg); break;
            case 'h': btUsage(stdout); return 0;
            default: btUsage(stderr); return 2;
        }
    }
    if (o.count < 1 || o.ncopies < 1 || o.latency_s <= 0 || o.rate < 1 || o.batch < 1) {
        btUsage(stderr);
        return 2;
    }
    bench_catch_signals();
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);

    btCtx x = {.o = &o};
    cs_config cfg;
    if (cs_config_load(&cfg, x.err, sizeof x.err) != 0) {
        fprintf(stderr, "cs-bench: %s\n", x.err);
        return 2;
    }
    x.cfg = &cfg;
    int rc = 1;
    if (cs_topics_wait_ready(&cfg, BENCH_READY_MS, x.err, sizeof x.err)) goto fail;
    if (!(x.pg = cs_pg_connect(cfg.pg_dsn, x.err, sizeof x.err))) goto fail;
    PQclear(PQexec(x.pg, "SET client_min_messages = warning"));
    if (!(x.redis = cs_redis_new(cfg.redis_url, x.err, sizeof x.err))) goto fail;
    char fsync_s[32], sync_s[32], load[64];
    bench_pg_show(x.pg, "fsync", fsync_s, sizeof fsync_s);
    bench_pg_show(x.pg, "synchronous_commit", sync_s, sizeof sync_s);
    btLoad(load, sizeof load);
    printf("cs-bench timers: %d timers, run %s, %ld cores, load %s\n", o.count, o.run_id, sysconf(_SC_NPROCESSORS_ONLN),
           load);
    printf("PostgreSQL: SHOW fsync = %s; SHOW synchronous_commit = %s\n", fsync_s, sync_s);

    double best = -1, bytes = 0;
    int best_n = 0;
    for (int k = 0; k < o.ncopies; k++) {
        double b = 0, r = btBacklog(&x, o.copies[k], &b);
        if (r < 0) goto fail;
        if (k == 0) bytes = b;
        if (r > best) {
            best = r;
            best_n = o.copies[k];
        }
    }
    printf("backlog:     best %.0f fired/s with %d dispatcher(s)\n", best, best_n);
    double p50 = 0, p99 = 0;
    if (btLateness(&x, best_n, &p50, &p99) != 0) goto fail;
    double nps = 0;
    if (o.notes > 0 && (nps = btNotifier(&x)) < 0) goto fail;
    if (btReset(x.pg, x.redis, x.err, sizeof x.err) != 0) goto fail;
    printf("TIMERS fired_per_s=%.0f copies=%d lateness_p50_ms=%.0f lateness_p99_ms=%.0f redis_bytes_per_timer=%.0f "
           "notifier_msgs_per_s=%.0f\n",
           best, best_n, p50, p99, bytes, nps);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "cs-bench: %s\n", x.err);
out:
    if (x.pg) PQfinish(x.pg);
    cs_redis_free(x.redis);
    cs_config_free(&cfg);
    return rc;
}
