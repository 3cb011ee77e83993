/* cs-bench: the order-verifier benchmark driver (bench/run starts the
 * stack and calls it; see bench/run for the whole procedure).
 *
 *   cs-bench order-verifier [--count N] [--verifier PATH] [--shops FILE]
 *            [--out DIR] [--run-id ID] [--latency-s S] [--baseline-s S]
 *            [--verifiers K]
 *
 * "The verifier" below is K copies of order-verifier (--verifiers, default
 * 1) in one consumer group, the way the product scales a worker: same
 * CS_GROUP_ID, CS_INSTANCE bench-order-verifier-1..K, logs
 * order-verifier-1..K.log (K = 1: bench-order-verifier, order-verifier.log).
 *
 * First a warm-up, not measured: rounds of 20 000 orders through the
 * verifier's copies until the broker's JIT compiler threads are idle (a
 * fresh broker compiles over its first few hundred thousand orders'
 * traffic); then the copies stop and the database is emptied and
 * checkpointed again, as bench/run left it.
 * Then it measures, in one run, on the same records:
 *  (a) throughput: the verifier's copies start in a fresh group positioned
 *      at the end of shop.orders.v1 and wait until they have split its
 *      partitions; then N single-event orders (cs-sample's generator,
 *      realistic sizes and mix) are produced at once (about 200 000/s, far
 *      above what the verifier takes, so a backlog forms at once);
 *      events/s = N / (last verdict of the run received on
 *      cs.verdicts.v1 - first event consumed, i.e. the earliest
 *      processed_events.processed_at of the run, whichever copy wrote it);
 *      verifier CPU is the sum over the copies;
 *  (b) after a VACUUM (ANALYZE) of the database (what autovacuum would do
 *      to the tables the backlog grew, on the same cores, during this
 *      phase), latency p50/p99 at a steady offered load of half of (a) for
 *      --latency-s seconds: verdict arrival at this driver - the moment the
 *      order was handed to the producer, matched by order id;
 *      "cpu:" splits the machine's CPU time from the start of the load to
 *      the last verdict by process (PostgreSQL, the copies, the broker,
 *      Redis, this driver producing the load and reading the verdicts), per
 *      event: on a 2-core machine shared by the whole stack it is the figure
 *      that says where an events/s figure came from;
 *  (c) the verifier's peak RSS (VmHWM), per copy and the largest (the
 *      RESULT's rss_mib: a memory limit applies to each process);
 *  (d) reference points: the raw librdkafka consume rate of the same N
 *      records, the COPY rate of N verdict-like rows, and a baseline
 *      consumer doing one transaction per event with the same statements.
 * The last line is machine-readable:
 *   RESULT events_per_s=.. p99_ms=.. rss_mib=.. baseline_ratio=.. copy_ratio=.. consume_ratio=..
 *
 * Isolation from earlier runs is by offsets and ids, not by wiping: the
 * verifier's consumer group (fresh per run) is committed at the first
 * record of this run, the listener starts at the end of cs.verdicts.v1,
 * and order ids carry the run id. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "bench.h"
#include "cs/config.h"
#include "cs/pg.h"
#include "cs/shop.h"
#include "cs/topics.h"
#include "cs/util.h"

typedef struct benchOpts {
    int count;            /* orders of the throughput phase */
    const char *verifier; /* order-verifier binary */
    const char *shops;    /* shops file (verifier and baseline) */
    const char *out;      /* folder for the verifier's log */
    char run_id[48];
    double latency_s;  /* length of the latency phase */
    double baseline_s; /* longest baseline run */
    int warmup;        /* most orders of the warm-up (-1 = 600000) */
    int verifiers;     /* copies of the verifier in its consumer group */
} benchOpts;

/* One pid per copy; more copies than partitions would only sit idle. */
#define BENCH_MAX_VERIFIERS BENCH_MAX_PARTS

static pid_t verifierPids[BENCH_MAX_VERIFIERS]; /* 0 once reaped */
static int nVerifiers;                          /* copies started */
static int verifierDead;                        /* 1-based copy found dead, for the message */

/* Copy k (1-based) of the verifier: its log and CS_INSTANCE. A single
 * copy keeps the names of the one-verifier benchmark. */
static void verifierLog(const benchOpts *o, int k, char *buf, size_t len) {
    if (o->verifiers == 1)
        snprintf(buf, len, "%s/order-verifier.log", o->out);
    else
        snprintf(buf, len, "%s/order-verifier-%d.log", o->out, k);
}

static void verifierInstance(const benchOpts *o, int k, char *buf, size_t len) {
    if (o->verifiers == 1)
        snprintf(buf, len, "bench-order-verifier");
    else
        snprintf(buf, len, "bench-order-verifier-%d", k);
}

/* Starts copy k of the verifier in consumer group `group`; stderr to its log. */
static pid_t startVerifier(const benchOpts *o, const char *group, int k, char *err, size_t errlen) {
    char logpath[1024], instance[64];
    static char e_group[160], e_instance[96], e_shops[1100];
    verifierLog(o, k, logpath, sizeof logpath);
    verifierInstance(o, k, instance, sizeof instance);
    snprintf(e_group, sizeof e_group, "CS_GROUP_ID=%s", group);
    snprintf(e_instance, sizeof e_instance, "CS_INSTANCE=%s", instance);
    snprintf(e_shops, sizeof e_shops, "CS_SHOPS_FILE=%s", o->shops);
    const char *env[] = {e_group, e_instance, "CS_HTTP_ADDR=127.0.0.1:0", e_shops, NULL};
    return bench_spawn(o->verifier, logpath, env, err, errlen);
}

static int startVerifiers(const benchOpts *o, const char *group, char *err, size_t errlen) {
    nVerifiers = 0;
    verifierDead = 0;
    for (int k = 1; k <= o->verifiers; k++) {
        pid_t pid = startVerifier(o, group, k, err, errlen);
        if (pid < 0) return -1;
        verifierPids[nVerifiers++] = pid;
    }
    return 0;
}

/* False as soon as one copy has exited: the others would take over its
 * partitions and the run would measure fewer copies than it says. */
static bool verifierAlive(void) {
    if (nVerifiers == 0) return false;
    for (int k = 0; k < nVerifiers; k++) {
        if (verifierPids[k] <= 0) {
            verifierDead = k + 1;
            return false;
        }
        int st;
        if (waitpid(verifierPids[k], &st, WNOHANG) == verifierPids[k]) {
            verifierPids[k] = 0;
            verifierDead = k + 1;
            return false;
        }
    }
    return true;
}

/* SIGTERM to every copy, then SIGKILL to those still there after 30 s. */
static void stopVerifier(void) {
    bench_stop(verifierPids, nVerifiers);
    nVerifiers = 0;
}

/* Partitions of topic the copy k holds now by its log: the list of its
 * last "partitions assigned" line, or 0 if a revoke came after it (or
 * nothing yet). */
static int copyHolds(const benchOpts *o, int k, const char *topic) {
    char path[1024], line[8192];
    verifierLog(o, k, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int held = 0;
    char needle[128];
    snprintf(needle, sizeof needle, "%s[", topic);
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "partitions revoked")) held = 0;
        if (!strstr(line, "partitions assigned")) continue;
        held = 0;
        for (const char *p = strstr(line, needle); p; p = strstr(p + 1, needle)) held++;
    }
    fclose(f);
    return held;
}

/* Waits until the copies hold all nparts partitions of topic between them
 * (each copy's latest assignment, no revoke pending): the group is split
 * and will not rebalance when the backlog arrives. */
static bool waitSplit(const benchOpts *o, const char *topic, int nparts, double timeout_s) {
    int64_t start = bench_now_us();
    while (!bench_interrupted && bench_now_us() - start < (int64_t)(timeout_s * 1e6)) {
        int sum = 0, busy = 0;
        for (int k = 1; k <= o->verifiers; k++) {
            int h = copyHolds(o, k, topic);
            sum += h;
            busy += h > 0;
        }
        if (sum == nparts && busy == (o->verifiers < nparts ? o->verifiers : nparts)) return true;
        if (!verifierAlive()) return false;
        bench_sleep_us(100000);
    }
    return false;
}

/* A fresh group for the verifier: at `orders` on shop.orders.v1 (the first
 * record of the run) and at the end of every other topic it reads. */
static int positionGroup(const cs_config *cfg, const char *group, const bench_offsets *orders, char *err,
                         size_t errlen) {
    static const char *const others[] = {CS_TOPIC_INVENTORY, CS_TOPIC_AFTERSALES, CS_TOPIC_CONTACTS, CS_TOPIC_TIMERS};
    if (bench_commit_group(cfg, group, orders, err, errlen)) return -1;
    for (size_t k = 0; k < sizeof others / sizeof *others; k++) {
        bench_offsets end;
        if (bench_watermarks(cfg, others[k], &end, err, errlen) || bench_commit_group(cfg, group, &end, err, errlen))
            return -1;
    }
    return 0;
}

/* CPU seconds of all copies together, or -1 if one is gone (its share
 * can no longer be read, and a partial sum would look cheap). */
/* CPU seconds used so far by every process of the machine, summed by
 * command name into the roles that matter here (the rest is "other"):
 * where a run's CPU went, since the stack shares the machine's cores. */
enum { ROLE_PG, ROLE_VERIFIER, ROLE_BROKER, ROLE_REDIS, ROLE_DRIVER, ROLE_OTHER, NROLES };
static const char *const roleNames[NROLES] = {"postgres", "verifier", "kafka broker", "redis", "cs-bench", "other"};

static void addRole(const char *id, const char *comm, double cpu_s, void *arg) {
    (void)id;
    double *out = arg;
    int role = strcmp(comm, "postgres") == 0         ? ROLE_PG
               : strcmp(comm, "order-verifier") == 0 ? ROLE_VERIFIER
               : strcmp(comm, "java") == 0           ? ROLE_BROKER
               : strcmp(comm, "redis-server") == 0   ? ROLE_REDIS
               : strcmp(comm, "cs-bench") == 0       ? ROLE_DRIVER
                                                     : ROLE_OTHER;
    out[role] += cpu_s;
}

static void machineCpu(double out[NROLES]) {
    for (int i = 0; i < NROLES; i++) out[i] = 0;
    bench_proc_each(NULL, addRole, out);
}

/* CPU seconds the broker's JIT compiler threads (HotSpot's "C1
 * CompilerThread<n>" and "C2 CompilerThread<n>", cut to 15 characters in
 * /proc) have used so far, over every java process. */
static void addJit(const char *id, const char *comm, double cpu_s, void *arg) {
    (void)id;
    if (strncmp(comm, "C1 CompilerThre", 15) == 0 || strncmp(comm, "C2 CompilerThre", 15) == 0) *(double *)arg += cpu_s;
}

static void addJavaJit(const char *id, const char *comm, double cpu_s, void *arg) {
    (void)cpu_s;
    if (strcmp(comm, "java") == 0) bench_proc_each(id, addJit, arg);
}

static double brokerJitSeconds(void) {
    double sum = 0;
    bench_proc_each(NULL, addJavaJit, &sum);
    return sum;
}

/* Milliseconds a fixed single-threaded integer loop takes now. This
 * machine's two cores are shared with others: the same loop has taken
 * from 0.26 to 0.66 s (its 100M-step form from 53 to 160 ms), and every
 * process's CPU per event moves with it.
 * Printed before and after the throughput phase so that a run's figures
 * can be read against the machine's speed at the time. */
double bench_calibration_ms(void) {
    int64_t t0 = bench_now_us();
    volatile uint64_t x = 0;
    for (uint64_t i = 0; i < 100000000u; i++) x += i * i;
    return (double)(bench_now_us() - t0) / 1e3;
}

/* Warm-up rounds: this many orders each, until the broker's JIT compilers
 * used less than WARMUP_JIT_IDLE of a core during one. */
#define WARMUP_ROUND 20000
#define WARMUP_JIT_IDLE 0.05

/* Empties every table but schema_migrations and checkpoints, as bench/run
 * does before the run: what the warm-up wrote is not in the measurement. */
static int resetDatabase(PGconn *pg, char *err, size_t errlen) {
    PGresult *r = PQexec(pg, "DO $$ DECLARE t text; BEGIN "
                             "FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> "
                             "'schema_migrations' LOOP "
                             "EXECUTE format('TRUNCATE %I', t); END LOOP; END $$");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) snprintf(err, errlen, "emptying the database: %s", PQresultErrorMessage(r));
    PQclear(r);
    if (!ok) return -1;
    r = PQexec(pg, "CHECKPOINT");
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) snprintf(err, errlen, "CHECKPOINT: %s", PQresultErrorMessage(r));
    PQclear(r);
    return ok ? 0 : -1;
}

/* "postgres 60 us, verifier 33 us, ..." per event between two snapshots,
 * and how busy the machine's cores were. Processes that started or ended
 * in between count only their part inside (ended ones not at all). */
static void printCpuSplit(const double a[NROLES], const double b[NROLES], int events, double wall_s) {
    double total = 0;
    printf("cpu:         per event over the throughput window:");
    for (int i = 0; i < NROLES; i++) {
        double d = b[i] - a[i];
        if (d < 0) d = 0;
        total += d;
        printf("%s %s %.1f us", i ? "," : "", roleNames[i], d * 1e6 / events);
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("; total %.1f us; %ld cores %.0f %% busy\n", total * 1e6 / events, cores,
           wall_s > 0 && cores > 0 ? 100.0 * total / (wall_s * (double)cores) : 0.0);
}

static double verifierCpuSeconds(void) {
    if (nVerifiers == 0) return -1;
    double sum = 0;
    for (int k = 0; k < nVerifiers; k++) {
        double s = verifierPids[k] > 0 ? bench_cpu_s(verifierPids[k]) : -1;
        if (s < 0) return -1;
        sum += s;
    }
    return sum;
}

/* Peak RSS of each copy as "a, b, .." into buf; returns the largest, or -1. */
static double verifierPeakRss(char *buf, size_t len) {
    double max = -1;
    size_t at = 0;
    buf[0] = 0;
    for (int k = 0; k < nVerifiers; k++) {
        double mib = verifierPids[k] > 0 ? bench_peak_rss_mib(verifierPids[k]) : -1;
        if (mib > max) max = mib;
        if (at < len) {
            int n = snprintf(buf + at, len - at, "%s%.1f", k ? ", " : "", mib);
            if (n > 0) at += (size_t)n;
        }
    }
    return max;
}

/* Waits until every order of phase p has a verdict; false on timeout, a
 * dead verifier or an interrupt. */
static bool waitVerdicts(bench_listener *l, int phase, int64_t want, double timeout_s, const char *label) {
    int64_t start = bench_now_us(), last_report = start, last_change = start, seen = -1;
    for (;;) {
        int64_t n = bench_listener_count(l, phase, NULL), now = bench_now_us();
        if (n >= want) return true;
        if (n != seen) {
            seen = n;
            last_change = now;
        }
        if (bench_interrupted) return false;
        if (!verifierAlive()) {
            if (nVerifiers > 1)
                fprintf(stderr, "cs-bench: verifier copy %d exited (see order-verifier-%d.log)\n", verifierDead,
                        verifierDead);
            else
                fprintf(stderr, "cs-bench: the verifier exited (see its log)\n");
            return false;
        }
        if (now - start > (int64_t)(timeout_s * 1e6) || now - last_change > 60000000) {
            fprintf(stderr, "cs-bench: %s: only %" PRId64 " of %" PRId64 " verdicts after %.0f s\n", label, n, want,
                    (double)(now - start) / 1e6);
            return false;
        }
        if (now - last_report > 5000000) {
            fprintf(stderr, "  %s: %" PRId64 "/%" PRId64 " verdicts\n", label, n, want);
            last_report = now;
        }
        bench_sleep_us(20000);
    }
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: cs-bench order-verifier [options]\n"
            "  --count N        orders loaded before the verifier starts (default 200000)\n"
            "  --verifier PATH  order-verifier binary (default build/order-verifier)\n"
            "  --shops FILE     shops file (default deploy/config/shops.sample.json)\n"
            "  --out DIR        folder for the verifier's log (default .)\n"
            "  --run-id ID      part of every order id (default b<unix time>)\n"
            "  --latency-s S    length of the latency phase (default 20)\n"
            "  --baseline-s S   longest baseline run (default 15)\n"
            "  --warmup N       unmeasured warm-up first: at most N orders through the verifier, in rounds of %d\n"
            "                   until the broker's JIT compilers are idle; then the database is emptied\n"
            "                   (default 600000; 0 = no warm-up)\n"
            "  --verifiers K    copies of the verifier in one consumer group (default 1, at most %d)\n"
            "Kafka and PostgreSQL from CS_KAFKA_BROKERS and CS_PG_DSN.\n",
            WARMUP_ROUND, BENCH_MAX_VERIFIERS);
}

int bench_timers_main(int argc, char **argv);     /* bench_timers.c */
int bench_aftersales_main(int argc, char **argv); /* bench_aftersales.c */
int bench_gateway_main(int argc, char **argv);    /* bench_gateway.c */
int bench_soak_ids_main(int argc, char **argv);   /* bench_soak.c */

int main(int argc, char **argv) {
    /* every subcommand prints its figures as they come, through tee */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && strcmp(argv[1], "timers") == 0) return bench_timers_main(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "aftersales") == 0) return bench_aftersales_main(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "gateway") == 0) return bench_gateway_main(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "soak-ids") == 0) return bench_soak_ids_main(argc, argv);
    if (argc == 2 && strcmp(argv[1], "machine") == 0) { /* the "machine:" figure alone (bench/run soak) */
        printf("%.0f\n", bench_calibration_ms());
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "order-verifier") != 0) {
        usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
        return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    benchOpts o = {.count = 200000,
                   .verifier = "build/order-verifier",
                   .shops = "deploy/config/shops.sample.json",
                   .out = ".",
                   .latency_s = 20,
                   .baseline_s = 15,
                   .warmup = -1,
                   .verifiers = 1};
    snprintf(o.run_id, sizeof o.run_id, "b%lld", (long long)(bench_now_us() / 1000000));
    static const struct option opts[] = {{"count", required_argument, NULL, 'n'},
                                         {"verifier", required_argument, NULL, 'v'},
                                         {"shops", required_argument, NULL, 's'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"run-id", required_argument, NULL, 'r'},
                                         {"latency-s", required_argument, NULL, 'l'},
                                         {"baseline-s", required_argument, NULL, 'b'},
                                         {"warmup", required_argument, NULL, 'w'},
                                         {"verifiers", required_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    optind = 2;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
            case 'n': o.count = atoi(optarg); break;
            case 'v': o.verifier = optarg; break;
            case 's': o.shops = optarg; break;
            case 'o': o.out = optarg; break;
            case 'r': snprintf(o.run_id, sizeof o.run_id, "%s", optarg); break;
            case 'l': o.latency_s = atof(optarg); break;
            case 'b': o.baseline_s = atof(optarg); break;
            case 'w': o.warmup = atoi(optarg); break;
            case 'k': o.verifiers = atoi(optarg); break;
            case 'h': usage(stdout); return 0;
            default: usage(stderr); return 2;
        }
    }
    if (o.count < 1 || o.latency_s <= 0 || o.baseline_s <= 0 || o.verifiers < 1 || o.verifiers > BENCH_MAX_VERIFIERS) {
        usage(stderr);
        return 2;
    }
    if (o.warmup < 0) o.warmup = 600000;
    bench_catch_signals();

    char err[1024];
    cs_config cfg;
    if (cs_config_load(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "cs-bench: %s\n", err);
        return 2;
    }
    cs_shops *shops = cs_shops_load(o.shops, err, sizeof err);
    if (!shops) {
        fprintf(stderr, "cs-bench: %s\n", err);
        return 2;
    }
    PGconn *pg = cs_pg_connect(cfg.pg_dsn, err, sizeof err);
    if (!pg) {
        fprintf(stderr, "cs-bench: %s\n", err);
        return 3;
    }
    PQclear(PQexec(pg, "SET client_min_messages = warning")); /* no NOTICE for DROP ... IF EXISTS */

    int rc = 1;
    bench_listener *l = NULL;
    rd_kafka_t *prod = NULL;
    cs_sample *sa = NULL, *sl = NULL, *sw = NULL;
    bench_record *recs = NULL; /* the backlog, packed before the window */
    int64_t *produced = NULL, *lat = NULL;
    cs_sample_arena arena;
    cs_sample_arena_init(&arena);

    char fsync_s[32], sync_s[32];
    bench_pg_show(pg, "fsync", fsync_s, sizeof fsync_s);
    bench_pg_show(pg, "synchronous_commit", sync_s, sizeof sync_s);
    printf("cs-bench order-verifier: %d events, run %s, %ld cores\n", o.count, o.run_id, sysconf(_SC_NPROCESSORS_ONLN));
    printf("PostgreSQL: SHOW fsync = %s; SHOW synchronous_commit = %s\n", fsync_s, sync_s);
    printf("verifier: CS_BATCH_MAX=%d CS_BATCH_WAIT_MS=%d CS_QUEUE_KBYTES=%d (inherited from this environment)\n",
           cfg.batch_max, cfg.batch_wait_ms, cfg.queue_kbytes);

    char rid[64], group[96];
    cs_sample_opts so;
    bench_offsets orders_from, orders_to, verdicts_from;
    if (cs_topics_wait_ready(&cfg, BENCH_READY_MS, err, sizeof err)) goto fail;
    if (bench_watermarks(&cfg, CS_TOPIC_VERDICTS, &verdicts_from, err, sizeof err)) goto fail;
    if (!(l = bench_listener_start(&cfg, &verdicts_from, err, sizeof err))) goto fail;
    if (!(prod = bench_producer_new(&cfg, err, sizeof err))) goto fail;

    /* ---- warm-up, not measured: rounds of orders through the verifier's
     * copies until the broker's JIT compilers are idle. A freshly started
     * broker compiles its hot paths over its first few hundred thousand
     * orders' worth of traffic; measured cold, its CPU per event was three
     * times what it is warm (26-40 us against 9-10), and on two shared cores
     * that comes straight out of the verifier's throughput, while a broker
     * in service has been running for days. Records produced and read back
     * raw did not warm it: the compilers were still busy after 2 million.
     * Afterwards the database is emptied again (resetDatabase), so the
     * measurement starts from the state bench/run describes. */
    if (o.warmup > 0) {
        snprintf(rid, sizeof rid, "%s-w", o.run_id);
        so = (cs_sample_opts){.run_id = rid, .seed = 3, .count = o.warmup};
        if (!(sw = cs_sample_new(&so, err, sizeof err))) goto fail;
        if (bench_seed_stock(pg, sw, err, sizeof err) != 0) goto fail;
        if (bench_watermarks(&cfg, CS_TOPIC_ORDERS, &orders_from, err, sizeof err)) goto fail;
        bench_listener_track(l, 0, sw);
        snprintf(group, sizeof group, "order-verifier-bench-%s-warmup", o.run_id);
        if (positionGroup(&cfg, group, &orders_from, err, sizeof err)) goto fail;
        int64_t w0 = bench_now_us();
        int done = 0, rounds = 0;
        double jit_start = brokerJitSeconds(), jit_busy = 1;
        while (done < o.warmup && !bench_interrupted) {
            int upto = done + WARMUP_ROUND < o.warmup ? done + WARMUP_ROUND : o.warmup;
            double jit0 = brokerJitSeconds();
            int64_t r0 = bench_now_us();
            for (int i = done; i < upto && !bench_interrupted; i++)
                if (bench_produce_order(prod, sw, i, &arena, NULL, NULL, err, sizeof err)) goto fail;
            if (bench_producer_flush(prod, err, sizeof err)) goto fail;
            if (rounds == 0 && startVerifiers(&o, group, err, sizeof err) != 0) goto fail;
            if (!waitVerdicts(l, 0, upto, 120 + (upto - done) / 200.0, "warm-up")) {
                snprintf(err, sizeof err, "warm-up incomplete");
                goto fail;
            }
            done = upto;
            rounds++;
            jit_busy = (brokerJitSeconds() - jit0) / ((double)(bench_now_us() - r0) / 1e6);
            fprintf(stderr, "  warm-up: %d orders; the broker's JIT compilers %.0f %% of a core in the last round\n",
                    done, 100 * jit_busy);
            if (jit_busy < WARMUP_JIT_IDLE) break;
        }
        stopVerifier();
        int64_t z0 = bench_now_us();
        if (resetDatabase(pg, err, sizeof err) != 0) goto fail;
        printf("warm-up:     %d orders through the verifier in %.1f s (not measured); broker JIT compilers %.1f s CPU, "
               "%.0f %% of a core in the last round%s; database emptied and checkpointed in %.1f s\n",
               done, (double)(z0 - w0) / 1e6, brokerJitSeconds() - jit_start, 100 * jit_busy,
               jit_busy < WARMUP_JIT_IDLE ? "" : " (still compiling: --warmup ran out)",
               (double)(bench_now_us() - z0) / 1e6);
    }

    /* ---- (a) throughput: the backlog, then the verifier's copies -------- */
    snprintf(rid, sizeof rid, "%s-t", o.run_id);
    so = (cs_sample_opts){.run_id = rid, .seed = 1, .count = o.count};
    if (!(sa = cs_sample_new(&so, err, sizeof err))) goto fail;
    if (bench_seed_stock(pg, sa, err, sizeof err) != 0) goto fail;
    if (bench_watermarks(&cfg, CS_TOPIC_ORDERS, &orders_from, err, sizeof err)) goto fail;
    bench_listener_track(l, 0, sa);

    /* The backlog's records are built and packed now, before the copies
     * start: during the window this driver only hands bytes to librdkafka.
     * Generating and packing 200 000 orders while the copies consumed them
     * took the driver about a second of CPU inside the window, on the same
     * two cores. */
    recs = cs_xcalloc((size_t)o.count, sizeof *recs);
    int64_t bytes = 0;
    for (int i = 0; i < o.count; i++) {
        bench_pack_order(sa, i, &arena, &recs[i]);
        bytes += (int64_t)recs[i].len;
    }

    /* A fresh group for the verifier, positioned at the end of every topic
     * it reads, i.e. at the first record of this run. The copies start and
     * split the partitions among themselves while there is nothing to do,
     * so the backlog does not arrive in the middle of a rebalance (which
     * would measure the group's joining, not its work). */
    snprintf(group, sizeof group, "order-verifier-bench-%s", o.run_id);
    if (positionGroup(&cfg, group, &orders_from, err, sizeof err)) goto fail;
    int64_t t_spawn = bench_now_us(); /* before the first copy */
    if (startVerifiers(&o, group, err, sizeof err) != 0) goto fail;
    if (!waitSplit(&o, CS_TOPIC_ORDERS, orders_from.n, 60)) {
        snprintf(err, sizeof err, "the %d verifier copies did not split the %d partitions of %s within 60 s",
                 o.verifiers, orders_from.n, CS_TOPIC_ORDERS);
        goto fail;
    }
    printf("group:       %d verifier cop%s holding the %d partitions of %s after %.2f s; now the backlog\n",
           o.verifiers, o.verifiers > 1 ? "ies" : "y", orders_from.n, CS_TOPIC_ORDERS,
           (double)(bench_now_us() - t_spawn) / 1e6);
    fflush(stdout);

    double cpu0[NROLES], cpu1[NROLES];
    bench_wal wal0, wal1;
    bench_pg_wal(pg, &wal0);
    double calib0 = bench_calibration_ms();
    machineCpu(cpu0);
    int64_t t0 = bench_now_us();
    int rc_prod = 0;
    for (int i = 0; i < o.count && !bench_interrupted && rc_prod == 0; i++)
        rc_prod = bench_produce_packed(prod, &recs[i], NULL, err, sizeof err);
    for (int i = 0; i < o.count; i++) free(recs[i].value); /* those not handed over */
    free(recs);
    recs = NULL;
    if (rc_prod) goto fail;
    if (bench_producer_flush(prod, err, sizeof err)) goto fail;
    int64_t t1 = bench_now_us();
    if (bench_watermarks(&cfg, CS_TOPIC_ORDERS, &orders_to, err, sizeof err)) goto fail;
    if (o.verifiers > orders_to.n)
        fprintf(stderr, "cs-bench: %d verifiers for %d partitions of %s: %d of them get nothing to do\n", o.verifiers,
                orders_to.n, CS_TOPIC_ORDERS, o.verifiers - orders_to.n);
    printf("load:        %d order events (avg %" PRId64
           " B, packed beforehand) produced in %.2f s (%.0f/s), the copies consuming as they come\n",
           o.count, bytes / o.count, (double)(t1 - t0) / 1e6, o.count * 1e6 / (double)(t1 - t0));
    double timeout_a = 120 + o.count / 200.0;
    if (!waitVerdicts(l, 0, o.count, timeout_a, "throughput")) {
        snprintf(err, sizeof err, "throughput phase incomplete");
        goto fail;
    }
    machineCpu(cpu1);
    bench_pg_wal(pg, &wal1);
    int64_t t_cpu1 = bench_now_us();
    int64_t t_last;
    bench_listener_count(l, 0, &t_last);
    char prefix[96];
    snprintf(prefix, sizeof prefix, "smp-%s-", rid);
    /* processed_events.worker is the worker's name, not CS_INSTANCE, and
     * processed_at is PostgreSQL's clock: the minimum covers every copy. */
    int64_t t_first = bench_first_processed_us(pg, prefix);
    if (!t_first || t_first > t_last) t_first = t_spawn; /* fall back to the start of the process */
    double eps = o.count * 1e6 / (double)(t_last - t_first);
    double cpu_a = verifierCpuSeconds();
    printf("throughput:  %d verdicts in %.2f s from the first event consumed (%.2f s after the verifier started): "
           "%.0f events/s, verifiers=%d; verifier CPU %.1f s%s (%.0f us/event)\n",
           o.count, (double)(t_last - t_first) / 1e6, (double)(t_first - t_spawn) / 1e6, eps, o.verifiers, cpu_a,
           o.verifiers > 1 ? " summed over the copies" : "", cpu_a * 1e6 / o.count);
    printCpuSplit(cpu0, cpu1, o.count, (double)(t_cpu1 - t0) / 1e6);
    printf("machine:     a fixed 100M-step loop took %.0f ms before the backlog and %.0f ms after it (55-80 ms when "
           "the host is quiet; slower means the shared cores were slower, and so was everything above)\n",
           calib0, bench_calibration_ms());
    printf("wal:         %.0f bytes and %.2f full-page images per event; %" PRId64 " checkpoints and %" PRId64
           " autovacuum/autoanalyze runs during the window\n",
           (double)(wal1.bytes - wal0.bytes) / o.count, (double)(wal1.fpi - wal0.fpi) / o.count,
           wal1.checkpoints - wal0.checkpoints, wal1.autovacuums - wal0.autovacuums);

    /* The backlog leaves every table a few hundred thousand rows bigger,
     * and autovacuum would take them on during the next 20 s on the same
     * two cores: the latency phase would measure the clean-up of a burst
     * (batches of 1 500 orders taking 1.6 s were seen), not a steady load.
     * So the database is vacuumed first, and the time it took printed. */
    int64_t v0 = bench_now_us();
    PGresult *vr = PQexec(pg, "VACUUM (ANALYZE)");
    if (PQresultStatus(vr) != PGRES_COMMAND_OK) {
        snprintf(err, sizeof err, "VACUUM: %s", PQresultErrorMessage(vr));
        PQclear(vr);
        goto fail;
    }
    PQclear(vr);
    printf("vacuum:      VACUUM (ANALYZE) after the backlog, before the latency phase: %.1f s\n",
           (double)(bench_now_us() - v0) / 1e6);
    fflush(stdout);

    /* ---- (b) latency at half the measured maximum ---------------------- */
    double rate = floor(eps / 2);
    if (rate < 1) rate = 1;
    int m = (int)(rate * o.latency_s);
    if (m < 1) m = 1;
    snprintf(rid, sizeof rid, "%s-l", o.run_id);
    so = (cs_sample_opts){.run_id = rid, .seed = 2, .count = m};
    if (!(sl = cs_sample_new(&so, err, sizeof err))) goto fail;
    if (bench_seed_stock(pg, sl, err, sizeof err) != 0) goto fail;
    bench_listener_track(l, 1, sl);
    produced = cs_xcalloc((size_t)m, sizeof *produced);
    int64_t lt0 = bench_now_us();
    for (int i = 0; i < m && !bench_interrupted; i++) {
        int64_t due = lt0 + (int64_t)((double)i * 1e6 / rate);
        for (int64_t now = bench_now_us(); now < due; now = bench_now_us()) {
            rd_kafka_poll(prod, 0);
            bench_sleep_us(due - now > 1000 ? 1000 : due - now);
        }
        if (bench_produce_order(prod, sl, i, &arena, &produced[i], NULL, err, sizeof err)) goto fail;
    }
    if (bench_producer_flush(prod, err, sizeof err)) goto fail;
    waitVerdicts(l, 1, m, 120, "latency");
    /* An order still without a verdict counts with the time waited so far:
     * a lower bound, so a stalled verifier cannot look fast. */
    int64_t t_end = bench_now_us();
    lat = cs_xcalloc((size_t)m, sizeof *lat);
    size_t missing = 0;
    for (int i = 0; i < m; i++) {
        int64_t a = bench_listener_arrival(l, 1, i);
        if (!a) {
            a = t_end;
            missing++;
        }
        lat[i] = a - produced[i];
    }
    bench_sort_i64(lat, (size_t)m);
    double p50 = bench_percentile(lat, (size_t)m, 50) / 1000.0, p99 = bench_percentile(lat, (size_t)m, 99) / 1000.0,
           pmax = lat[m - 1] / 1000.0;
    double cpu_b = verifierCpuSeconds() - cpu_a;
    char miss[96] = "";
    if (missing) snprintf(miss, sizeof miss, " (%zu verdicts missing, counted as %.0f s)", missing, pmax / 1000.0);
    printf("latency:     %d orders at %.0f events/s for %.0f s (half the maximum): p50 %.1f ms, p99 %.1f ms, max "
           "%.1f ms%s; verifier CPU %.1f s\n",
           m, rate, o.latency_s, p50, p99, pmax, miss, cpu_b);

    /* ---- (c) memory ----------------------------------------------------- */
    char rss_each[BENCH_MAX_VERIFIERS * 12];
    double rss = verifierPeakRss(rss_each, sizeof rss_each);
    if (o.verifiers > 1)
        printf("memory:      verifier peak RSS (VmHWM) per copy %s MiB; max %.1f MiB\n", rss_each, rss);
    else
        printf("memory:      verifier peak RSS (VmHWM) %.1f MiB\n", rss);
    stopVerifier();
    bench_listener_stop(l);
    l = NULL;

    /* ---- (d) reference points on the same records ---------------------- */
    int64_t raw_n = 0;
    double raw = bench_raw_consume(&cfg, &orders_from, &orders_to, &raw_n, err, sizeof err);
    if (raw < 0) goto fail;
    printf("raw consume: %" PRId64 " records, fresh consumer, no processing: %.0f records/s\n", raw_n, raw);
    double copy = bench_copy_rate(pg, o.count, err, sizeof err);
    if (copy < 0) goto fail;
    printf("COPY:        %d verdict-like rows into a scratch table, one COPY: %.0f rows/s\n", o.count, copy);
    int64_t base_n = 0;
    double base =
        bench_baseline(pg, &cfg, &orders_from, &orders_to, shops, o.count, o.baseline_s, &base_n, err, sizeof err);
    if (base < 0) goto fail;
    printf("baseline:    one transaction per event (dedupe, load, upsert, verdict, outbox): %" PRId64
           " events: %.0f events/s\n",
           base_n, base);

    printf("RESULT events_per_s=%.0f p99_ms=%.1f rss_mib=%.1f baseline_ratio=%.2f copy_ratio=%.3f consume_ratio=%.3f\n",
           eps, p99, rss, eps / base, eps / copy, eps / raw);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "cs-bench: %s\n", err);
out:
    stopVerifier();
    bench_listener_stop(l);
    if (prod) {
        rd_kafka_flush(prod, 10000);
        rd_kafka_destroy(prod);
    }
    free(produced);
    free(lat);
    cs_sample_arena_reset(&arena);
    cs_sample_free(sa);
    cs_sample_free(sl);
    cs_sample_free(sw);
    for (int i = 0; recs && i < o.count; i++) free(recs[i].value);
    free(recs);
    PQfinish(pg);
    cs_shops_free(shops);
    cs_config_free(&cfg);
    return rc;
}
