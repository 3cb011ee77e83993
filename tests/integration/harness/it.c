/* it.c -- the integration tests' harness (see it.h).
 *
 * Built for black-box tests against the real servers: the worker under
 * test is the real binary, started as a child process with its stderr in
 * a log file the test can grep; the test talks to it only through Kafka
 * and PostgreSQL, as the shop platforms and operators do. Everything here
 * fails loudly: a server that is not there ends the test binary with a
 * message naming it (integration tests are never skipped).
 *
 * Worker processes get PR_SET_PDEATHSIG, and every process still running
 * at the end of a test case is stopped by it_cleanup_case(), so a test
 * that leaves early never leaves a consumer in the shared group behind to
 * steal the next test's partitions. */
#include "it.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <librdkafka/rdkafka.h>

#include "cs/clock.h"
#include "cs/config.h"
#include "cs/identity.h"
#include "cs/kafka.h"
#include "cs/topics.h"

it_env it;

#define IT_MAX_PROCS 32

static pid_t procs[IT_MAX_PROCS]; /* children started and not yet reaped */
static cs_config kafkaCfg;        /* CS_* settings of the harness's own Kafka clients */
static rd_kafka_t *producer;      /* lazily created */
static int producerFailed;        /* failed deliveries since the last flush */
static PGconn *pgConn;            /* it_pg()'s connection */
static bool pgQuiet;              /* errors not printed (inside waits) */
static unsigned long phoneBase;   /* random part of generated phone numbers */
static int logSeq;                /* log file numbering */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s: ", it.test_name[0] ? it.test_name : "integration test");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    printf("0 passed, 1 failed\n");
    fflush(stdout);
    exit(1);
}

/* ---- time ------------------------------------------------------------------ */

int64_t it_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t it_wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void it_sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

void it_measure(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("  [%s] ", it.test_name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

void it_copy(char *dst, size_t len, const char *src) {
    if (!len) return;
    size_t n = strlen(src);
    if (n >= len) n = len - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

void it_run_id(char *out, size_t len) {
    static int n;
    snprintf(out, len, "it%dx%ld%d", (int)getpid(), (long)(time(NULL) % 100000000), n++);
}

/* ---- environment -------------------------------------------------------------- */

static const char *needEnv(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v)
        die("%s is not set: run the integration tests through tests/run.sh, or bring the stack up "
            "(bash deploy/local/stack.sh up; eval \"$(bash deploy/local/stack.sh env)\") and run ctest "
            "from the build directory",
            name);
    return v;
}

redisContext *it_redis_connect(void) {
    /* redis://host[:port][/db] */
    const char *url = it.redis_url;
    char host[256] = "127.0.0.1";
    int port = 6379;
    const char *p = strncmp(url, "redis://", 8) == 0 ? url + 8 : url;
    size_t hl = strcspn(p, ":/");
    if (hl > 0 && hl < sizeof host) {
        memcpy(host, p, hl);
        host[hl] = 0;
    }
    if (p[hl] == ':') port = atoi(p + hl + 1);
    struct timeval tv = {3, 0};
    redisContext *c = redisConnectWithTimeout(host, port, tv);
    if (!c || c->err) {
        if (c) redisFree(c);
        return NULL;
    }
    const cs_identity *id = cs_identity_get();
    if (id->redis_password[0]) {
        redisReply *r = redisCommand(c, "AUTH %s %s", id->redis_user, id->redis_password);
        bool ok = r && r->type == REDIS_REPLY_STATUS;
        if (r) freeReplyObject(r);
        if (!ok) {
            redisFree(c);
            return NULL;
        }
    }
    return c;
}

static void checkRedis(const char *url) {
    redisContext *c = it_redis_connect();
    if (!c) die("Redis at %s is unreachable or refuses the admin's password", url);
    redisReply *r = redisCommand(c, "PING");
    bool ok = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
    if (r) freeReplyObject(r);
    redisFree(c);
    if (!ok) die("Redis at %s does not answer PING", url);
}

static void checkKafka(void) {
    char err[512];
    rd_kafka_conf_t *c = cs_kafka_conf(&kafkaCfg, CS_KAFKA_ADMIN, NULL, NULL, err, sizeof err);
    if (!c) die("%s", err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
    if (!rk) die("kafka client: %s", err);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, 10000);
    if (e) {
        rd_kafka_destroy(rk);
        die("Kafka at %s is unreachable: %s", it.brokers, rd_kafka_err2str(e));
    }
    static const char *const need[] = {IT_TOPIC_ORDERS, IT_TOPIC_INVENTORY, IT_TOPIC_VERDICTS, IT_TOPIC_ORDERS_DLQ,
                                       NULL};
    for (int i = 0; need[i]; i++) {
        bool found = false;
        for (int t = 0; t < md->topic_cnt && !found; t++)
            found = strcmp(md->topics[t].topic, need[i]) == 0 && md->topics[t].partition_cnt > 0;
        if (!found) {
            rd_kafka_metadata_destroy(md);
            rd_kafka_destroy(rk);
            die("Kafka at %s has no topic %s (bash deploy/local/stack.sh up creates them)", it.brokers, need[i]);
        }
    }
    rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(rk);
}

int it_topic_config(const char *topic, const char *name, const char *value) {
    char err[512];
    rd_kafka_conf_t *c = cs_kafka_conf(&kafkaCfg, CS_KAFKA_ADMIN, NULL, NULL, err, sizeof err);
    if (!c) {
        fprintf(stderr, "  topic config: %s\n", err);
        return -1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(c);
        fprintf(stderr, "  topic config: %s\n", err);
        return -1;
    }
    /* rd_kafka_new() took ownership of the conf object */
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    if (name && value) rd_kafka_ConfigResource_set_config(res, name, value);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AlterConfigs(rk, &res, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 15000);
    int rc = -1;
    if (!ev)
        fprintf(stderr, "  topic config %s: no answer\n", topic);
    else if (rd_kafka_event_error(ev))
        fprintf(stderr, "  topic config %s: %s\n", topic, rd_kafka_event_error_string(ev));
    else {
        size_t n = 0;
        const rd_kafka_ConfigResource_t **out =
            rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
        rc = n == 1 && rd_kafka_ConfigResource_error(out[0]) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
        if (rc != 0 && n == 1)
            fprintf(stderr, "  topic config %s: %s\n", topic, rd_kafka_ConfigResource_error_string(out[0]));
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_ConfigResource_destroy(res);
    rd_kafka_destroy(rk);
    return rc;
}

/* The stack lives on between runs (and between suites), so its topics
 * carry every earlier run's records. A consumer group the suite has never
 * used would start at the beginning of them all (the workers' own
 * auto.offset.reset is "earliest": in production no event may be skipped)
 * and spend minutes on other runs' history. Before any case produces, each
 * group the suite uses gets, on every partition where it has no position
 * yet, the partition's end as its committed offset. */
static void groupStartAtEndIfNew(const char *group) {
    char err[512];
    rd_kafka_conf_t *c = cs_kafka_conf(&kafkaCfg, CS_KAFKA_READER, group, NULL, err, sizeof err);
    if (!c) die("group %s: %s", group, err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
    if (!rk) die("group %s: %s", group, err);
    size_t nt = 0;
    const cs_topic_info *t = cs_topics(&nt);
    rd_kafka_topic_partition_list_t *all = rd_kafka_topic_partition_list_new(64);
    for (size_t i = 0; i < nt; i++)
        for (int p = 0; p < t[i].partitions; p++) rd_kafka_topic_partition_list_add(all, t[i].name, p);
    rd_kafka_resp_err_t e = rd_kafka_committed(rk, all, 15000);
    if (e) die("group %s: committed offsets: %s", group, rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_t *set = rd_kafka_topic_partition_list_new(64);
    for (int i = 0; i < all->cnt; i++) {
        if (all->elems[i].offset >= 0) continue; /* the group has a position here */
        int64_t lo = 0, hi = 0;
        e = rd_kafka_query_watermark_offsets(rk, all->elems[i].topic, all->elems[i].partition, &lo, &hi, 10000);
        if (e)
            die("group %s: watermarks of %s[%d]: %s", group, all->elems[i].topic, all->elems[i].partition,
                rd_kafka_err2str(e));
        rd_kafka_topic_partition_list_add(set, all->elems[i].topic, all->elems[i].partition)->offset = hi;
    }
    if (set->cnt) {
        /* Refused while members of an earlier, killed run are still in the
         * group (until their session times out): then the group keeps its
         * reset policy, slower but not wrong. */
        for (int attempt = 0; attempt < 3; attempt++) {
            e = rd_kafka_commit(rk, set, 0);
            if (!e) break;
            it_sleep_ms(2500);
        }
        if (e) fprintf(stderr, "  (group %s: could not position it at the end: %s)\n", group, rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(set);
    rd_kafka_topic_partition_list_destroy(all);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

/* Timers other suites left pending (every paid order arms its OV-13 sweep)
 * would all fall due the moment a suite moves the Redis clock by years,
 * and the dispatcher fires a backlog oldest first: a suite's own timer
 * would wait behind thousands of strangers'. Suites run one at a time, so
 * each starts from an empty schedule: earlier suites' pending timers are
 * cancelled (the record says so) and the Redis schedule emptied. */
static void resetTimers(PGconn *pg) {
    PGresult *r = PQexec(pg, "UPDATE timers SET status = 'cancelled' WHERE status = 'pending'");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die("cancel leftover timers: %s", PQerrorMessage(pg));
    PQclear(r);
    if (it_sh("redis-cli -u '%s' --scan --pattern 'cs:timers:*' | xargs -r redis-cli -u '%s' DEL >/dev/null",
              it.redis_url, it.redis_url) != 0)
        die("empty the Redis timer schedule at %s", it.redis_url);
}

void it_init(const char *argv0) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *base = strrchr(argv0, '/');
    snprintf(it.test_name, sizeof it.test_name, "%s", base ? base + 1 : argv0);
    it.brokers = needEnv("CS_KAFKA_BROKERS");
    /* The harness is the stack's admin: it empties tables, makes groups and
     * reads every topic. Its own redis-cli calls log in with the admin's
     * password through REDISCLI_AUTH (never on their command line). The
     * workers it starts are their own roles whatever CS_ROLE says. */
    setenv("CS_ROLE", "admin", 1);
    char cfgErr[512];
    if (cs_config_load(&kafkaCfg, cfgErr, sizeof cfgErr) != 0) die("%s", cfgErr);
    if (cs_identity_get()->redis_password[0]) setenv("REDISCLI_AUTH", cs_identity_get()->redis_password, 1);
    it.pg_dsn = needEnv("CS_PG_DSN");
    it.redis_url = needEnv("CS_REDIS_URL");
    it.source_dir = needEnv("CS_SOURCE_DIR");
    it.build_dir = needEnv("CS_BUILD_DIR");
    snprintf(it.shops_file, sizeof it.shops_file, "%s/deploy/config/shops.sample.json", it.source_dir);
    if (access(it.shops_file, R_OK) != 0) die("shops file %s: %s", it.shops_file, strerror(errno));
    char bin[1100];
    snprintf(bin, sizeof bin, "%s/order-verifier", it.build_dir);
    if (access(bin, X_OK) != 0) die("%s: %s (build first)", bin, strerror(errno));
    snprintf(it.log_dir, sizeof it.log_dir, "%s/tests/it-logs", it.build_dir);
    mkdir(it.log_dir, 0755);
    /* children must not inherit a half-written stdout buffer */
    signal(SIGPIPE, SIG_IGN);

    PGconn *pg = PQconnectdb(it.pg_dsn);
    if (PQstatus(pg) != CONNECTION_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", PQerrorMessage(pg));
        PQfinish(pg);
        die("PostgreSQL (%s) is unreachable: %s", it.pg_dsn, why);
    }
    PGresult *r = PQexec(pg, "SELECT count(*) FROM schema_migrations");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", PQerrorMessage(pg));
        PQclear(r);
        PQfinish(pg);
        die("PostgreSQL has no schema (deploy/local/migrate.sh): %s", why);
    }
    PQclear(r);
    pgConn = pg;
    checkRedis(it.redis_url);
    checkKafka();
    /* every consumer group a suite starts workers in (see groupStartAtEndIfNew) */
    static const char *const groups[] = {IT_GROUP, IT_GROUP_EXCEPTIONS, IT_GROUP_NOTIFIER, IT_GROUP_TIMER_PROBE, NULL};
    for (int i = 0; groups[i]; i++) groupStartAtEndIfNew(groups[i]);
    resetTimers(pg);
    phoneBase = (unsigned long)(it_wall_ms() ^ ((int64_t)getpid() << 20)) % 1000000000UL;
    fprintf(stderr, "%s: Kafka %s, PostgreSQL '%s', Redis %s, binaries in %s, logs in %s\n", it.test_name, it.brokers,
            it.pg_dsn, it.redis_url, it.build_dir, it.log_dir);
}

static void stopAll(void) {
    for (int i = 0; i < IT_MAX_PROCS; i++) {
        if (!procs[i]) continue;
        pid_t pid = procs[i];
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            procs[i] = 0;
            continue;
        }
        fprintf(stderr, "  (stopping leftover process %d)\n", (int)pid);
        kill(pid, SIGTERM);
        int64_t end = it_now_ms() + 15000;
        bool gone = false;
        while (it_now_ms() < end && !gone) {
            if (waitpid(pid, NULL, WNOHANG) == pid)
                gone = true;
            else
                it_sleep_ms(20);
        }
        if (!gone) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        procs[i] = 0;
    }
}

void it_cleanup_case(void) { stopAll(); }

void it_shutdown(void) {
    stopAll();
    if (producer) {
        rd_kafka_flush(producer, 10000);
        rd_kafka_destroy(producer);
        producer = NULL;
    }
    if (pgConn) PQfinish(pgConn);
    pgConn = NULL;
    cs_config_free(&kafkaCfg);
}

/* ---- processes ----------------------------------------------------------------- */

static void procAdd(pid_t pid) {
    for (int i = 0; i < IT_MAX_PROCS; i++)
        if (!procs[i]) {
            procs[i] = pid;
            return;
        }
}

static void procDel(pid_t pid) {
    for (int i = 0; i < IT_MAX_PROCS; i++)
        if (procs[i] == pid) procs[i] = 0;
}

static void setEnvPair(const char *kv) {
    const char *eq = strchr(kv, '=');
    if (!eq) {
        unsetenv(kv);
        return;
    }
    char name[128];
    size_t n = (size_t)(eq - kv);
    if (n >= sizeof name) return;
    memcpy(name, kv, n);
    name[n] = 0;
    setenv(name, eq + 1, 1);
}

int it_worker_start_bin(it_worker *w, const char *bin, const char *name, const char *const *args,
                        const char *const *env) {
    memset(w, 0, sizeof *w);
    snprintf(w->name, sizeof w->name, "%s", name);
    snprintf(w->log, sizeof w->log, "%s/%s-%s-%d.log", it.log_dir, it.test_name, name, ++logSeq);
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", it.build_dir, bin);
    int fd = open(w->log, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "  log %s: %s\n", w->log, strerror(errno));
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fd);
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        dup2(fd, 1);
        dup2(fd, 2);
        static const char *const reset[] = {"CS_CRASH_POINT",
                                            "CS_CRASH_AFTER",
                                            "CS_BATCH_MAX",
                                            "CS_BATCH_WAIT_MS",
                                            "CS_LOG_LEVEL",
                                            "CS_GROUP_ID",
                                            "CS_INSTANCE",
                                            "CS_HTTP_ADDR",
                                            "CS_CLOCK",
                                            "REDISCLI_AUTH", /* the harness's admin password */
                                            "CS_ASSIGNOR",
                                            NULL};
        for (int i = 0; reset[i]; i++) unsetenv(reset[i]);
        setenv("CS_SHOPS_FILE", it.shops_file, 1);
        /* "<role>-it": IT_GROUP for the verifier, IT_GROUP_EXCEPTIONS and
         * IT_GROUP_NOTIFIER for theirs (a role joins its own groups only) */
        char group[160];
        snprintf(group, sizeof group, "%s-it", bin);
        setenv("CS_GROUP_ID", group, 1);
        setenv("CS_SESSION_TIMEOUT_MS", "6000", 1);
        setenv("CS_INSTANCE", name, 1);
        setenv("CS_LOG_LEVEL", "info", 1);
        setenv("CS_HTTP_ADDR", "127.0.0.1:0", 1);
        char state[1200];
        snprintf(state, sizeof state, "%s/state-%s", it.log_dir, name);
        setenv("CS_STATE_DIR", state, 1);
        for (int i = 0; env && env[i]; i++) setEnvPair(env[i]);
        const char *argv[16] = {path};
        int n = 1;
        for (int i = 0; args && args[i] && n < 15; i++) argv[n++] = args[i];
        argv[n] = NULL;
        execv(path, (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(fd);
    w->pid = pid;
    w->exit_code = -1;
    procAdd(pid);
    return 0;
}

int it_worker_start(it_worker *w, const char *name, const char *const *env) {
    return it_worker_start_bin(w, "order-verifier", name, NULL, env);
}

static bool reap(it_worker *w, int flags) {
    if (!w->pid) return true;
    int status;
    pid_t r = waitpid(w->pid, &status, flags);
    if (r != w->pid) return false;
    w->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
    procDel(w->pid);
    w->pid = 0;
    return true;
}

bool it_worker_alive(it_worker *w) {
    if (!w->pid) return false;
    return !reap(w, WNOHANG);
}

int it_worker_wait(it_worker *w, int timeout_ms) {
    int64_t end = it_now_ms() + timeout_ms;
    for (;;) {
        if (reap(w, WNOHANG)) return w->exit_code;
        if (it_now_ms() >= end) return -1;
        it_sleep_ms(10);
    }
}

int it_worker_stop(it_worker *w, int sig, int timeout_ms) {
    if (!w->pid) return w->exit_code;
    kill(w->pid, sig);
    int rc = it_worker_wait(w, timeout_ms);
    if (rc != -1) return rc;
    fprintf(stderr, "  %s (pid %d) still running %d ms after signal %d: SIGKILL\n", w->name, (int)w->pid, timeout_ms,
            sig);
    kill(w->pid, SIGKILL);
    reap(w, 0);
    return w->exit_code;
}

char *it_log_read(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return strdup("");
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    if (!buf) abort();
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 4096) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) abort();
        }
    }
    fclose(f);
    buf[len] = 0;
    return buf;
}

int it_log_count(const char *path, const char *needle) {
    char *s = it_log_read(path);
    int n = 0;
    for (char *line = s; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        if (strstr(line, needle)) n++;
        line = nl ? nl + 1 : NULL;
    }
    free(s);
    return n;
}

bool it_worker_wait_log(it_worker *w, const char *needle, int timeout_ms) {
    int64_t end = it_now_ms() + timeout_ms;
    for (;;) {
        if (it_log_count(w->log, needle) > 0) return true;
        if (!it_worker_alive(w)) return it_log_count(w->log, needle) > 0;
        if (it_now_ms() >= end) return false;
        it_sleep_ms(50);
    }
}

/* The text after the last line containing needle, the line itself
 * included (malloc'd), or NULL. */
static char *lastLineWith(const char *path, const char *needle) {
    char *s = it_log_read(path);
    char *found = NULL;
    for (char *line = s; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        if (strstr(line, needle)) found = line;
        line = nl ? nl + 1 : NULL;
    }
    char *out = found ? strdup(found) : NULL;
    free(s);
    return out;
}

int it_worker_assigned(it_worker *w, const char *topic, bool parts[], int nparts) {
    for (int i = 0; i < nparts; i++) parts[i] = false;
    char *line = lastLineWith(w->log, "partitions assigned");
    if (!line) return 0;
    int n = 0;
    char pat[200];
    for (int p = 0; p < nparts; p++) {
        snprintf(pat, sizeof pat, "%s[%d]", topic, p);
        if (strstr(line, pat)) {
            parts[p] = true;
            n++;
        }
    }
    free(line);
    return n;
}

/* Line number (1-based) of the last line containing needle, 0 if none. */
static int lastLineNo(const char *path, const char *needle) {
    char *s = it_log_read(path);
    int no = 0, last = 0;
    for (char *line = s; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        no++;
        if (strstr(line, needle)) last = no;
        line = nl ? nl + 1 : NULL;
    }
    free(s);
    return last;
}

bool it_worker_wait_assigned(it_worker *w, int timeout_ms) {
    int64_t end = it_now_ms() + timeout_ms;
    for (;;) {
        int a = lastLineNo(w->log, "partitions assigned"), r = lastLineNo(w->log, "partitions revoked");
        if (a > 0 && a > r) return true;
        if (!it_worker_alive(w) || it_now_ms() >= end) return false;
        it_sleep_ms(50);
    }
}

int it_worker_http_port(it_worker *w) {
    char *line = lastLineWith(w->log, "http endpoint on port ");
    if (!line) return -1;
    int port = atoi(strstr(line, "http endpoint on port ") + strlen("http endpoint on port "));
    free(line);
    return port > 0 ? port : -1;
}

double it_metric(int port, const char *series) {
    if (port <= 0) return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    const char *req = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
        close(fd);
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (!buf) abort();
    ssize_t n;
    while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 1024) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) abort();
        }
    }
    close(fd);
    buf[len] = 0;
    double v = -1;
    size_t sl = strlen(series);
    for (char *line = buf; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        if (strncmp(line, series, sl) == 0 && line[sl] == ' ') v = strtod(line + sl + 1, NULL);
        line = nl ? nl + 1 : NULL;
    }
    free(buf);
    return v;
}

int it_http_status(int port, const char *path) {
    if (port <= 0) return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    char req[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (n <= 0 || (size_t)n >= sizeof req || write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    char head[64] = "";
    size_t len = 0;
    ssize_t r;
    while (len < sizeof head - 1 && (r = read(fd, head + len, sizeof head - 1 - len)) > 0) len += (size_t)r;
    close(fd);
    head[len] = 0;
    int status = -1;
    if (sscanf(head, "HTTP/%*d.%*d %d", &status) != 1) return -1;
    return status;
}

int it_sh(const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    fflush(stdout);
    fflush(stderr);
    int st = system(cmd);
    if (st == -1) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* ---- producing ------------------------------------------------------------------- */

static void onDelivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    (void)opaque;
    it_dr *dr = m->_private;
    if (m->err) {
        producerFailed++;
        fprintf(stderr, "  delivery to %s failed: %s\n", rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
    }
    if (dr) {
        dr->err = m->err;
        dr->partition = m->partition;
        dr->offset = m->err ? -1 : m->offset;
    }
}

static rd_kafka_t *prod(void) {
    if (producer) return producer;
    char err[512];
    /* message.max.bytes above librdkafka's 1,000,000: tests produce records
     * as large as the broker takes (~1 MiB, it_publish), as a sender with
     * another client may; the broker's limit is the one that counts. */
    static const char *const over[] = {"linger.ms", "5",           "message.timeout.ms", "60000",
                                       "client.id", "it-producer", "message.max.bytes",  "2000000",
                                       NULL};
    rd_kafka_conf_t *c = cs_kafka_conf(&kafkaCfg, CS_KAFKA_PRODUCER, NULL, over, err, sizeof err);
    if (!c) die("producer: %s", err);
    rd_kafka_conf_set_dr_msg_cb(c, onDelivery);
    producer = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
    if (!producer) die("producer: %s", err);
    return producer;
}

typedef struct pcount {
    char topic[64];
    int n;
} pcount;
static pcount pcounts[16];

int it_partition_count(const char *topic) {
    for (int i = 0; i < 16; i++)
        if (pcounts[i].n && strcmp(pcounts[i].topic, topic) == 0) return pcounts[i].n;
    rd_kafka_t *rk = prod();
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    int n = -1;
    for (int attempt = 0; attempt < 30 && n < 0; attempt++) {
        if (rd_kafka_metadata(rk, 0, t, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (md->topic_cnt == 1 && !md->topics[0].err) n = md->topics[0].partition_cnt;
            rd_kafka_metadata_destroy(md);
        }
        if (n < 0) it_sleep_ms(1000);
    }
    rd_kafka_topic_destroy(t);
    if (n <= 0) die("no metadata for topic %s", topic);
    for (int i = 0; i < 16; i++)
        if (!pcounts[i].n) {
            snprintf(pcounts[i].topic, sizeof pcounts[i].topic, "%s", topic);
            pcounts[i].n = n;
            break;
        }
    return n;
}

int32_t it_partition_of(const char *topic, const char *key) {
    return rd_kafka_msg_partitioner_consistent(NULL, key, strlen(key), it_partition_count(topic), NULL, NULL);
}

int it_produce_raw(const char *topic, int32_t partition, const char *key, const void *value, size_t len, it_dr *dr) {
    rd_kafka_t *rk = prod();
    if (partition < 0) partition = key ? it_partition_of(topic, key) : 0;
    if (dr) {
        dr->partition = partition;
        dr->offset = -1;
        dr->err = 0;
    }
    for (;;) {
        rd_kafka_resp_err_t e =
            rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                              RD_KAFKA_V_KEY(key, key ? strlen(key) : 0), RD_KAFKA_V_VALUE((void *)value, len),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(dr), RD_KAFKA_V_END);
        if (!e) break;
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk, 50);
            continue;
        }
        fprintf(stderr, "  produce to %s: %s\n", topic, rd_kafka_err2str(e));
        return -1;
    }
    rd_kafka_poll(rk, 0);
    return 0;
}

int it_produce_env(const char *topic, int32_t partition, const char *key, const Cs__V1__Envelope *env, it_dr *dr) {
    size_t len = cs__v1__envelope__get_packed_size(env);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) abort();
    cs__v1__envelope__pack(env, buf);
    int rc = it_produce_raw(topic, partition, key, buf, len, dr);
    free(buf);
    return rc;
}

int it_flush(int timeout_ms) {
    if (!producer) return 0;
    int64_t end = it_now_ms() + timeout_ms;
    while (rd_kafka_outq_len(producer) > 0 && it_now_ms() < end) rd_kafka_flush(producer, 200);
    int failed = producerFailed + rd_kafka_outq_len(producer);
    producerFailed = 0;
    return failed;
}

/* ---- orders ------------------------------------------------------------------------ */

static Cs__V1__Channel channelOf(const char *shop) {
    if (strcmp(shop, "tb-demo") == 0) return CS__V1__CHANNEL__CHANNEL_TAOBAO;
    if (strcmp(shop, "tm-demo") == 0) return CS__V1__CHANNEL__CHANNEL_TMALL;
    return CS__V1__CHANNEL__CHANNEL_OWN_SITE;
}

void it_order_init(it_order *o, const char *shop, const char *order_id, const char *buyer, const char *sku1,
                   const char *sku2, int seq) {
    memset(o, 0, sizeof *o);
    snprintf(o->shop, sizeof o->shop, "%s", shop);
    snprintf(o->order_id, sizeof o->order_id, "%s", order_id);
    snprintf(o->buyer, sizeof o->buyer, "%s", buyer);
    o->channel = channelOf(shop);
    snprintf(o->lines[0].sku, sizeof o->lines[0].sku, "%s", sku1);
    snprintf(o->lines[0].title, sizeof o->lines[0].title, "T恤 白色 L");
    o->lines[0].qty = 2;
    o->lines[0].price_fen = 1999;
    o->nlines = 1;
    if (sku2) {
        snprintf(o->lines[1].sku, sizeof o->lines[1].sku, "%s", sku2);
        snprintf(o->lines[1].title, sizeof o->lines[1].title, "帆布包");
        o->lines[1].qty = 1;
        o->lines[1].price_fen = 5000;
        o->nlines = 2;
    }
    o->discount_fen = 500;
    o->shipping_fen = 800;
    o->pay = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM;
    o->paid_fen = -1;
    o->created_ms = it_wall_ms() - 600000;
    o->paid_ms = o->created_ms + 60000;
    snprintf(o->name, sizeof o->name, "张三");
    /* mainland mobile 1[3-9] + 9 digits, different per seq */
    snprintf(o->phone, sizeof o->phone, "1%d%09lu", 3 + (seq % 7),
             (phoneBase + (unsigned long)seq * 7919UL) % 1000000000UL);
    snprintf(o->province, sizeof o->province, "浙江省");
    snprintf(o->city, sizeof o->city, "杭州市");
    snprintf(o->district, sizeof o->district, "西湖区");
    snprintf(o->street, sizeof o->street, "文三路%d号 %d室", 100 + seq % 800, 1 + seq % 30);
    snprintf(o->courier, sizeof o->courier, "%s", strcmp(shop, "tb-demo") == 0 ? "YTO" : "SF");
}

int64_t it_order_item_total(const it_order *o) {
    int64_t t = 0;
    for (int i = 0; i < o->nlines; i++) t += (int64_t)o->lines[i].qty * o->lines[i].price_fen;
    return t;
}

int64_t it_order_payable(const it_order *o) { return it_order_item_total(o) - o->discount_fen + o->shipping_fen; }

uint8_t *it_pack_order_event(const it_order *o, Cs__V1__OrderEventKind kind, const char *event_id, int64_t event_ms,
                             bool with_payment, size_t *len) {
    Cs__V1__OrderLine lines[IT_MAX_LINES], *lp[IT_MAX_LINES];
    Cs__V1__Discount disc = CS__V1__DISCOUNT__INIT, *dp[1] = {&disc};
    Cs__V1__Address addr = CS__V1__ADDRESS__INIT;
    Cs__V1__Receiver rcv = CS__V1__RECEIVER__INIT;
    Cs__V1__Order ord = CS__V1__ORDER__INIT;
    Cs__V1__OrderEvent oe = CS__V1__ORDER_EVENT__INIT;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    char lid[IT_MAX_LINES][16];

    ord.order_id = (char *)o->order_id;
    ord.modified_ms = event_ms;
    bool all = kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED;
    if (all) {
        ord.buyer_id = (char *)o->buyer;
        ord.channel = o->channel;
        for (int i = 0; i < o->nlines; i++) {
            cs__v1__order_line__init(&lines[i]);
            snprintf(lid[i], sizeof lid[i], "L%d", i + 1);
            lines[i].line_id = lid[i];
            lines[i].sku = (char *)o->lines[i].sku;
            lines[i].title = (char *)o->lines[i].title;
            lines[i].quantity = o->lines[i].qty;
            lines[i].unit_price_fen = o->lines[i].price_fen;
            lines[i].gift = o->lines[i].gift;
            lp[i] = &lines[i];
        }
        ord.n_lines = (size_t)o->nlines;
        ord.lines = lp;
        if (o->discount_fen) {
            disc.kind = (char *)"coupon";
            disc.amount_fen = o->discount_fen;
            ord.n_discounts = 1;
            ord.discounts = dp;
        }
        ord.shipping_fee_fen = o->shipping_fen;
        ord.cod = o->cod;
        ord.created_ms = o->created_ms;
        ord.courier = (char *)o->courier;
        ord.payment_method = o->pay;
    }
    if (all || kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED) {
        addr.province = (char *)o->province;
        addr.city = (char *)o->city;
        addr.district = (char *)o->district;
        addr.street = (char *)o->street;
        rcv.name = (char *)o->name;
        rcv.phone = (char *)o->phone;
        rcv.address = &addr;
        ord.receiver = &rcv;
    }
    if (all || kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED) {
        ord.buyer_message = (char *)o->buyer_message;
        ord.seller_memo = (char *)o->seller_memo;
    }
    if ((all && with_payment) || kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID) {
        ord.payment_method = o->pay;
        ord.paid_amount_fen = o->paid_fen >= 0 ? o->paid_fen : it_order_payable(o);
        ord.paid_ms = o->paid_ms;
    }
    oe.kind = kind;
    oe.order = &ord;
    env.event_id = (char *)event_id;
    env.shop_id = (char *)o->shop;
    env.event_ms = event_ms;
    env.ingest_ms = it_wall_ms();
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_ORDER;
    env.order = &oe;
    *len = cs__v1__envelope__get_packed_size(&env);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (!buf) abort();
    cs__v1__envelope__pack(&env, buf);
    return buf;
}

int it_produce_order_event(const it_order *o, Cs__V1__OrderEventKind kind, const char *event_id, int64_t event_ms,
                           bool with_payment, it_dr *dr) {
    size_t len;
    uint8_t *buf = it_pack_order_event(o, kind, event_id, event_ms, with_payment, &len);
    char key[256];
    snprintf(key, sizeof key, "%s:%s", o->shop, o->order_id);
    int rc = it_produce_raw(IT_TOPIC_ORDERS, -1, key, buf, len, dr);
    free(buf);
    return rc;
}

int it_produce_inventory(const char *shop, const char *sku, int32_t available, int64_t counted_ms, const char *event_id,
                         it_dr *dr) {
    Cs__V1__InventoryLevel lvl = CS__V1__INVENTORY_LEVEL__INIT;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    lvl.sku = (char *)sku;
    lvl.available = available;
    lvl.counted_ms = counted_ms;
    env.event_id = (char *)event_id;
    env.shop_id = (char *)shop;
    env.event_ms = counted_ms;
    env.ingest_ms = it_wall_ms();
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_INVENTORY;
    env.inventory = &lvl;
    return it_produce_env(IT_TOPIC_INVENTORY, -1, sku, &env, dr);
}

void it_order_id_on_partition(char *out, size_t len, const char *shop, const char *prefix, int32_t part, int *n) {
    char key[512];
    for (;; (*n)++) {
        snprintf(out, len, "%s%d", prefix, *n);
        snprintf(key, sizeof key, "%s:%s", shop, out);
        if (it_partition_of(IT_TOPIC_ORDERS, key) == part) {
            (*n)++;
            return;
        }
    }
}

/* ---- PostgreSQL ------------------------------------------------------------------- */

PGconn *it_pg(void) {
    if (pgConn && PQstatus(pgConn) == CONNECTION_OK) return pgConn;
    if (pgConn) PQfinish(pgConn);
    pgConn = PQconnectdb(it.pg_dsn);
    if (PQstatus(pgConn) != CONNECTION_OK) {
        if (!pgQuiet) fprintf(stderr, "  postgres: %s", PQerrorMessage(pgConn));
        PQfinish(pgConn);
        pgConn = NULL;
    }
    return pgConn;
}

static PGresult *pgRun(const char *sql, ExecStatusType want) {
    PGconn *pg = it_pg();
    if (!pg) return NULL;
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != want) {
        if (!pgQuiet) fprintf(stderr, "  postgres: %s\n  in: %s\n", PQerrorMessage(pg), sql);
        PQclear(r);
        return NULL;
    }
    return r;
}

static long long vPgInt(const char *fmt, va_list ap) {
    char sql[8192];
    vsnprintf(sql, sizeof sql, fmt, ap);
    PGresult *r = pgRun(sql, PGRES_TUPLES_OK);
    if (!r) return -1;
    long long v = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    return v;
}

long long it_pg_int(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    long long v = vPgInt(fmt, ap);
    va_end(ap);
    return v;
}

bool it_pg_text(char *out, size_t len, const char *fmt, ...) {
    char sql[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    out[0] = 0;
    PGresult *r = pgRun(sql, PGRES_TUPLES_OK);
    if (!r) return false;
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) snprintf(out, len, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return true;
}

int it_pg_exec(const char *fmt, ...) {
    char sql[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    PGresult *r = pgRun(sql, PGRES_COMMAND_OK);
    if (!r) return -1;
    PQclear(r);
    return 0;
}

const char *it_prefix(char *out, size_t len, const char *col, const char *prefix) {
    char hi[256];
    it_copy(hi, sizeof hi, prefix);
    size_t n = strlen(hi);
    if (n) hi[n - 1]++;
    snprintf(out, len, "(%s >= '%s' AND %s < '%s')", col, prefix, col, hi);
    return out;
}

static bool cmpOk(it_cmp c, long long v, long long want) {
    switch (c) {
        case IT_EQ: return v == want;
        case IT_GE: return v >= want;
        case IT_LE: return v >= 0 && v <= want;
    }
    return false;
}

long long it_wait_pg(it_cmp cmp, long long want, int timeout_ms, const char *fmt, ...) {
    int64_t end = it_now_ms() + timeout_ms;
    long long last = -1;
    pgQuiet = true;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        long long v = vPgInt(fmt, ap);
        va_end(ap);
        if (v >= 0) last = v;
        if (v >= 0 && cmpOk(cmp, v, want)) break;
        if (it_now_ms() >= end) {
            char sql[8192];
            va_start(ap, fmt);
            vsnprintf(sql, sizeof sql, fmt, ap);
            va_end(ap);
            fprintf(stderr, "  wait timed out after %d ms: last value %lld, wanted %s %lld, query: %s\n", timeout_ms,
                    last,
                    cmp == IT_EQ   ? "=="
                    : cmp == IT_GE ? ">="
                                   : "<=",
                    want, sql);
            break;
        }
        it_sleep_ms(100);
    }
    pgQuiet = false;
    return last;
}

/* ---- reading topics ---------------------------------------------------------------- */

struct it_reader {
    rd_kafka_t *rk; /* assign-only consumer */
    it_rec *recs;
    size_t n, cap;
};

it_reader *it_reader_open(const char *topic, bool from_start) {
    static int seq;
    char err[512], group[96];
    snprintf(group, sizeof group, "it-reader-%d-%d", (int)getpid(), seq++);
    static const char *const over[] = {"enable.partition.eof",
                                       "false",
                                       "auto.offset.reset",
                                       "earliest",
                                       "client.id",
                                       "it-reader",
                                       "fetch.wait.max.ms",
                                       "50",
                                       NULL};
    rd_kafka_conf_t *c = cs_kafka_conf(&kafkaCfg, CS_KAFKA_READER, group, over, err, sizeof err);
    if (!c) {
        fprintf(stderr, "  reader: %s\n", err);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "  reader: %s\n", err);
        return NULL;
    }
    int np = it_partition_count(topic);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
    for (int p = 0; p < np; p++) {
        int64_t lo = 0, hi = 0;
        int64_t off = RD_KAFKA_OFFSET_BEGINNING;
        if (!from_start) {
            rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000);
            if (e) {
                fprintf(stderr, "  reader: watermarks of %s[%d]: %s\n", topic, p, rd_kafka_err2str(e));
                rd_kafka_topic_partition_list_destroy(l);
                rd_kafka_destroy(rk);
                return NULL;
            }
            off = hi;
        }
        rd_kafka_topic_partition_list_add(l, topic, p)->offset = off;
    }
    rd_kafka_resp_err_t e = rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        fprintf(stderr, "  reader: assign: %s\n", rd_kafka_err2str(e));
        rd_kafka_destroy(rk);
        return NULL;
    }
    it_reader *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->rk = rk;
    return r;
}

static void keep(it_reader *r, const rd_kafka_message_t *m) {
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->recs = realloc(r->recs, r->cap * sizeof *r->recs);
        if (!r->recs) abort();
    }
    it_rec *x = &r->recs[r->n++];
    memset(x, 0, sizeof *x);
    x->partition = m->partition;
    x->offset = m->offset;
    x->key = malloc(m->key_len + 1);
    if (!x->key) abort();
    if (m->key_len) memcpy(x->key, m->key, m->key_len);
    x->key[m->key_len] = 0;
    x->value = malloc(m->len ? m->len : 1);
    if (!x->value) abort();
    if (m->len) memcpy(x->value, m->payload, m->len);
    x->len = m->len;
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
        size_t cnt = rd_kafka_header_cnt(hdrs);
        x->headers = calloc(cnt ? cnt : 1, sizeof *x->headers);
        if (!x->headers) abort();
        const char *name;
        const void *val;
        size_t vlen;
        for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &vlen) == RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
            x->headers[x->nheaders].name = strdup(name);
            char *v = malloc(vlen + 1);
            if (!v) abort();
            if (vlen) memcpy(v, val, vlen);
            v[vlen] = 0;
            x->headers[x->nheaders].value = v;
            x->nheaders++;
        }
    }
    x->env = cs__v1__envelope__unpack(NULL, x->len, x->value);
}

size_t it_reader_collect(it_reader *r, const char *match, size_t want, int timeout_ms) {
    int64_t end = it_now_ms() + timeout_ms;
    while (r->n < want && it_now_ms() < end) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r->rk, 100);
        if (!m) continue;
        if (!m->err) {
            bool hit = !match || (m->key && memmem(m->key, m->key_len, match, strlen(match)));
            if (hit) keep(r, m);
        } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            /* transient (broker restarting): librdkafka retries by itself */
        }
        rd_kafka_message_destroy(m);
    }
    return r->n;
}

size_t it_reader_count(const it_reader *r) { return r ? r->n : 0; }

const it_rec *it_reader_get(const it_reader *r, size_t i) { return i < r->n ? &r->recs[i] : NULL; }

const char *it_rec_header(const it_rec *rec, const char *name) {
    const char *v = NULL;
    for (size_t i = 0; i < rec->nheaders; i++)
        if (strcmp(rec->headers[i].name, name) == 0) v = rec->headers[i].value;
    return v;
}

void it_reader_close(it_reader *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        it_rec *x = &r->recs[i];
        free(x->key);
        free(x->value);
        for (size_t j = 0; j < x->nheaders; j++) {
            free(x->headers[j].name);
            free(x->headers[j].value);
        }
        free(x->headers);
        if (x->env) cs__v1__envelope__free_unpacked(x->env, NULL);
    }
    free(r->recs);
    rd_kafka_consumer_close(r->rk);
    rd_kafka_destroy(r->rk);
    free(r);
}

/* ---- Kafka group state -------------------------------------------------------------- */

/* A consumer handle in group that never subscribes: for reading and
 * committing the group's offsets. NULL on error. */
static rd_kafka_t *groupClient(const char *group) {
    char err[512];
    rd_kafka_conf_t *c = cs_kafka_conf(&kafkaCfg, CS_KAFKA_READER, group, NULL, err, sizeof err);
    if (!c) return NULL;
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
    if (!rk) rd_kafka_conf_destroy(c);
    return rk;
}

/* Every partition of topic, with its high watermark in .offset (the
 * caller destroys the list); NULL on error. */
static rd_kafka_topic_partition_list_t *topicEnds(rd_kafka_t *rk, const char *topic) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_topic_partition_list_t *l = NULL;
    if (t && rd_kafka_metadata(rk, 0, t, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1) {
        int np = md->topics[0].partition_cnt;
        l = rd_kafka_topic_partition_list_new(np);
        for (int i = 0; i < np && l; i++) {
            int32_t part = md->topics[0].partitions[i].id;
            int64_t lo = 0, hi = 0;
            if (rd_kafka_query_watermark_offsets(rk, topic, part, &lo, &hi, 10000) != 0) {
                rd_kafka_topic_partition_list_destroy(l);
                l = NULL;
            } else {
                rd_kafka_topic_partition_list_add(l, topic, part)->offset = hi;
            }
        }
    }
    if (md) rd_kafka_metadata_destroy(md);
    if (t) rd_kafka_topic_destroy(t);
    return l;
}

int64_t it_committed(const char *group, const char *topic, int32_t partition) {
    rd_kafka_t *rk = groupClient(group);
    if (!rk) return -1;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition);
    int64_t off = -1;
    if (rd_kafka_committed(rk, l, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR && !l->elems[0].err) off = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
    return off;
}

/* Commits the end of topic for rk's group; 0 or -1. */
static int commitEnd(rd_kafka_t *rk, const char *topic) {
    rd_kafka_topic_partition_list_t *ends = topicEnds(rk, topic);
    int rc = ends && (ends->cnt == 0 || rd_kafka_commit(rk, ends, 0) == RD_KAFKA_RESP_ERR_NO_ERROR) ? 0 : -1;
    if (ends) rd_kafka_topic_partition_list_destroy(ends);
    return rc;
}

int it_group_commit_end(const char *group, const char *topic) {
    rd_kafka_t *rk = groupClient(group);
    if (!rk) return -1;
    int rc = commitEnd(rk, topic);
    rd_kafka_destroy(rk);
    return rc;
}

bool it_group_at_end(const char *group) {
    const char *pre = "CS_GROUP_ID=";
    if (strncmp(group, pre, strlen(pre)) == 0) group += strlen(pre);
    /* one client for every topic: each new one is a TLS handshake and a
     * SCRAM login, half a second with its teardown */
    rd_kafka_t *rk = groupClient(group);
    if (!rk) return false;
    size_t n = 0;
    const cs_topic_info *t = cs_topics(&n);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        if (commitEnd(rk, t[i].name) != 0) {
            fprintf(stderr, "  group %s: cannot commit the end of %s\n", group, t[i].name);
            ok = false;
        }
    rd_kafka_destroy(rk);
    return ok;
}

int64_t it_group_lag(const char *group, const char *topic) {
    rd_kafka_t *rk = groupClient(group);
    if (!rk) return -1;
    int64_t lag = -1;
    rd_kafka_topic_partition_list_t *ends = topicEnds(rk, topic);
    rd_kafka_topic_partition_list_t *at = ends ? rd_kafka_topic_partition_list_copy(ends) : NULL;
    if (at && rd_kafka_committed(rk, at, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        lag = 0;
        for (int i = 0; i < at->cnt; i++) {
            /* no committed offset: the group starts from the log start */
            int64_t lo = 0, hi = 0;
            if (at->elems[i].offset < 0 &&
                rd_kafka_query_watermark_offsets(rk, topic, at->elems[i].partition, &lo, &hi, 10000) != 0) {
                lag = -1;
                break;
            }
            int64_t from = at->elems[i].offset >= 0 ? at->elems[i].offset : lo;
            lag += ends->elems[i].offset > from ? ends->elems[i].offset - from : 0;
        }
    }
    if (at) rd_kafka_topic_partition_list_destroy(at);
    if (ends) rd_kafka_topic_partition_list_destroy(ends);
    rd_kafka_destroy(rk);
    return lag;
}

/* ---- verdicts ------------------------------------------------------------------------ */

const char *it_state_name(int state) {
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&cs__v1__verdict_state__descriptor, state);
    if (!v) return "?";
    return strncmp(v->name, "VERDICT_STATE_", 14) == 0 ? v->name + 14 : v->name;
}

typedef struct vrow {
    char *order_id;
    int version;
    char *state;
    char *trigger;
    bool seen, bad;
} vrow;

static int cmpVrow(const void *a, const void *b) {
    const vrow *x = a, *y = b;
    int c = strcmp(x->order_id, y->order_id);
    return c ? c : (x->version > y->version) - (x->version < y->version);
}

long it_verdicts_on_topic(it_reader *r, const char *run, int timeout_ms, long *missing, long *mismatch, long *records) {
    *missing = *mismatch = *records = 0;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT order_id, version, state, trigger_event_id FROM verdicts "
             "WHERE order_id LIKE '%s%%' ORDER BY order_id, version",
             run);
    PGresult *res = pgRun(sql, PGRES_TUPLES_OK);
    if (!res) return -1;
    long n = PQntuples(res);
    vrow *rows = calloc((size_t)(n ? n : 1), sizeof *rows);
    if (!rows) abort();
    for (long i = 0; i < n; i++) {
        rows[i].order_id = strdup(PQgetvalue(res, (int)i, 0));
        rows[i].version = atoi(PQgetvalue(res, (int)i, 1));
        rows[i].state = strdup(PQgetvalue(res, (int)i, 2));
        rows[i].trigger = strdup(PQgetvalue(res, (int)i, 3));
    }
    PQclear(res);
    qsort(rows, (size_t)n, sizeof *rows, cmpVrow);
    size_t done = 0; /* records of r already looked at */
    long seen = 0;
    int64_t end = it_now_ms() + timeout_ms;
    for (;;) {
        for (; done < r->n; done++) {
            const it_rec *x = &r->recs[done];
            if (!x->env || x->env->body_case != CS__V1__ENVELOPE__BODY_VERDICT || !x->env->verdict) continue;
            const Cs__V1__Verdict *v = x->env->verdict;
            if (strncmp(v->order_id, run, strlen(run)) != 0) continue;
            (*records)++;
            vrow key = {.order_id = v->order_id, .version = v->version};
            vrow *row = bsearch(&key, rows, (size_t)n, sizeof *rows, cmpVrow);
            if (!row) continue; /* a verdict newer than our snapshot of the table */
            char want_id[512];
            snprintf(want_id, sizeof want_id, "%s/verdict/v%d", row->trigger, row->version);
            if (strcmp(it_state_name(v->state), row->state) != 0 || strcmp(x->env->event_id, want_id) != 0) {
                if (!row->bad)
                    fprintf(stderr, "  verdict %s v%d: topic says %s id %s, postgres %s id %s\n", row->order_id,
                            row->version, it_state_name(v->state), x->env->event_id, row->state, want_id);
                row->bad = true;
            }
            if (!row->seen) {
                row->seen = true;
                seen++;
            }
        }
        if (seen == n || it_now_ms() >= end) break;
        it_reader_collect(r, run, r->n + 1, 200);
    }
    for (long i = 0; i < n; i++) {
        if (!rows[i].seen) {
            if (*missing < 5) fprintf(stderr, "  verdict %s v%d not on the topic\n", rows[i].order_id, rows[i].version);
            (*missing)++;
        }
        if (rows[i].bad) (*mismatch)++;
        free(rows[i].order_id);
        free(rows[i].state);
        free(rows[i].trigger);
    }
    free(rows);
    return n;
}

/* ---- cancellations and the business clock ------------------------------------ */

int it_produce_order_body(const it_order *o, const Cs__V1__OrderEvent *oe, const char *event_id, int64_t event_ms) {
    Cs__V1__Envelope env;
    cs__v1__envelope__init(&env);
    env.event_id = (char *)event_id;
    env.shop_id = (char *)o->shop;
    env.event_ms = event_ms;
    env.ingest_ms = it_wall_ms();
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_ORDER;
    env.order = (Cs__V1__OrderEvent *)oe;
    char key[256];
    snprintf(key, sizeof key, "%s:%s", o->shop, o->order_id);
    return it_produce_env(IT_TOPIC_ORDERS, -1, key, &env, NULL);
}

int it_produce_cancel(const it_order *o, const char *event_id, const char *reason) {
    Cs__V1__Order part;
    cs__v1__order__init(&part);
    part.order_id = (char *)o->order_id;
    part.modified_ms = it_wall_ms();
    Cs__V1__Cancellation can;
    cs__v1__cancellation__init(&can);
    can.reason = (char *)reason;
    Cs__V1__OrderEvent oe;
    cs__v1__order_event__init(&oe);
    oe.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED;
    oe.order = &part;
    oe.cancellation = &can;
    return it_produce_order_body(o, &oe, event_id, part.modified_ms);
}

static int clockDo(bool advance, int64_t v) {
    char err[256];
    int64_t now;
    cs_clock *c = cs_clock_new("redis", it.redis_url, it.pg_dsn, err, sizeof err);
    int rc = !c ? -1 : advance ? cs_clock_advance(c, v, &now, err, sizeof err) : cs_clock_set(c, v, err, sizeof err);
    if (rc) fprintf(stderr, "  clock %s: %s\n", advance ? "advance" : "set", err);
    cs_clock_free(c);
    return rc;
}

int it_clock_set(int64_t ms) { return clockDo(false, ms); }
int it_clock_advance(int64_t delta_ms) { return clockDo(true, delta_ms); }

int it_clock_reset(void) {
    char err[256];
    cs_clock *c = cs_clock_new("redis", it.redis_url, it.pg_dsn, err, sizeof err);
    int rc = !c ? -1 : cs_clock_reset(c, err, sizeof err);
    if (rc) fprintf(stderr, "  clock reset: %s\n", err);
    cs_clock_free(c);
    return rc;
}

/* ---- cscli ------------------------------------------------------------ */

char it_cscli_out[131072];

int it_cscli(const char *args) {
    char cmd[2048];
    /* as the operator role, as an operator runs it (docs/security.md) */
    snprintf(cmd, sizeof cmd, "CS_ROLE=operator '%s/cscli' %s 2>/dev/null", it.build_dir, args);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    size_t n = fread(it_cscli_out, 1, sizeof it_cscli_out - 1, p);
    it_cscli_out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

cJSON *it_cscli_json(int *rc, const char *fmt, ...) {
    char args[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    strncat(args, " --json", sizeof args - strlen(args) - 1);
    *rc = it_cscli(args);
    return cJSON_Parse(it_cscli_out);
}

const char *it_jstr(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

long long it_jint(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

int it_jcount(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
}

char *it_hex(const uint8_t *b, size_t n) {
    char *h = malloc(2 * n + 1);
    if (!h) abort();
    for (size_t i = 0; i < n; i++) snprintf(h + 2 * i, 3, "%02x", b[i]);
    h[2 * n] = 0;
    return h;
}
