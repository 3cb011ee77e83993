/* bench_gateway.c -- cs-bench gateway: the webhook gateway under wrk
 * (bench/run gateway starts the stack, runs this; docs/performance.md,
 * "Webhook gateway").
 *
 *   cs-bench gateway --gateway BIN --script LUA --body JSON [--shops FILE]
 *            [--shop ID] [--out DIR] [--port P] [--threads T] [--conns LIST]
 *            [--max-s S] [--warmup-s S] [--rate R] [--rate-conns C]
 *            [--latency-s S] [--raw N]
 *
 * One gateway process (CS_GATEWAY_* settings from the environment) on
 * 127.0.0.1:P; wrk (Debian's, no -R) with bench/gateway/webhook.lua sends
 * generic order.created webhooks, each with its own event id and order id,
 * signed with the shop's generic secret (the script's HMAC-SHA256 is first
 * checked against OpenSSL's here). Phases:
 *   warm-up   S seconds as fast as answers come (not counted: a fresh
 *             broker compiles its hot paths first);
 *   maximum   for each connection count of LIST, S seconds as fast as
 *             answers come: 202 answers per second;
 *   latency   R requests/s offered for S seconds over C connections, paced
 *             by the script (a schedule of send slots per wrk thread):
 *             p50/p99/max from each request's slot to its answer;
 *   durable   every record of the run read back from shop.orders.v1: each
 *             event id answered 202 must be there exactly once;
 *   raw       the same records (keys, values, event-id header) produced
 *             again with librdkafka alone, acks=all and idempotence, as fast
 *             as it takes them: the ceiling of the gateway's rate.
 * Errors are non-202 answers and wrk's socket errors, in every phase, plus
 * 202'd ids missing from Kafka or found twice. CPU per request by process
 * (the gateway, this stack's broker and Redis, wrk, the rest of the
 * machine), the gateway's peak RSS (VmHWM: whole run, and reset before the
 * latency phase), the calibration loop before and after. The last line:
 *   GATEWAY requests_per_s=.. p50_ms=.. p99_ms=.. max_ms=.. errors=.. raw_per_s=.. produce_ratio=.. rss_mib=.. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "bench.h"
#include "cs/config.h"
#include "cs/shop.h"
#include "cs/topics.h"
#include "cs/util.h"

#define GW_MAX_CONNS 16
#define GW_ID_PREFIX "gw-"

typedef struct gwOpts {
    const char *gateway, *script, *body, *shops, *shop, *out;
    int port, threads, rate, rate_conns, raw;
    int conns[GW_MAX_CONNS], nconns;
    double max_s, warmup_s, latency_s;
    char run_id[32];
} gwOpts;

/* ---- event ids of the run ------------------------------------------------------------ */

typedef struct gwId {
    char *id;       /* owned; NULL = free slot */
    uint32_t acked; /* 202 answers */
    uint32_t kafka; /* records on shop.orders.v1 */
} gwId;

typedef struct gwIds {
    gwId *v;
    size_t cap, n;
} gwIds;

static uint64_t hashOf(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static gwId *idsFind(gwIds *s, const char *id, size_t n, bool add) {
    if (add && (s->n + 1) * 2 > s->cap) {
        gwIds g = {.cap = s->cap ? s->cap * 2 : 1 << 20};
        g.v = cs_xcalloc(g.cap, sizeof *g.v);
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->v[i].id) continue;
            size_t j = hashOf(s->v[i].id, strlen(s->v[i].id)) & (g.cap - 1);
            while (g.v[j].id) j = (j + 1) & (g.cap - 1);
            g.v[j] = s->v[i];
        }
        g.n = s->n;
        free(s->v);
        *s = g;
    }
    if (!s->cap) return NULL;
    size_t j = hashOf(id, n) & (s->cap - 1);
    while (s->v[j].id) {
        if (strncmp(s->v[j].id, id, n) == 0 && s->v[j].id[n] == '\0') return &s->v[j];
        j = (j + 1) & (s->cap - 1);
    }
    if (!add) return NULL;
    s->v[j].id = cs_xmalloc(n + 1);
    memcpy(s->v[j].id, id, n);
    s->v[j].id[n] = '\0';
    s->n++;
    return &s->v[j];
}

static void idsFree(gwIds *s) {
    for (size_t i = 0; i < s->cap; i++) free(s->v[i].id);
    free(s->v);
}

/* ---- CPU by process ------------------------------------------------------------------- */

enum { ROLE_GATEWAY, ROLE_BROKER, ROLE_REDIS, ROLE_WRK, ROLE_DRIVER, ROLE_OTHER, NROLES };
static const char *const roleNames[NROLES] = {"gateway", "kafka broker", "redis", "wrk", "cs-bench", "other"};
static pid_t rolePid[3]; /* gateway, this stack's broker, this stack's Redis */

static void addRole(const char *id, const char *comm, double cpu_s, void *arg) {
    double *out = arg;
    pid_t pid = (pid_t)atoi(id);
    int role = pid == rolePid[0]               ? ROLE_GATEWAY
               : pid == rolePid[1]             ? ROLE_BROKER
               : pid == rolePid[2]             ? ROLE_REDIS
               : strcmp(comm, "wrk") == 0      ? ROLE_WRK
               : strcmp(comm, "cs-bench") == 0 ? ROLE_DRIVER
                                               : ROLE_OTHER;
    out[role] += cpu_s;
}

/* wrk has exited (and been reaped) by the second reading: its CPU is that
 * of this process's reaped children (the gateway is reaped only at the end). */
static void machineCpu(double out[NROLES]) {
    for (int i = 0; i < NROLES; i++) out[i] = 0;
    bench_proc_each(NULL, addRole, out);
    struct rusage ru;
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
        out[ROLE_WRK] += (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                         (double)ru.ru_stime.tv_usec / 1e6;
}

static pid_t pidFile(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int pid = 0;
    if (fscanf(f, "%d", &pid) != 1) pid = 0;
    fclose(f);
    return (pid_t)pid;
}

/* ---- HTTP probe ------------------------------------------------------------------------ */

/* GET path on 127.0.0.1:port: the status, or -1. */
static int httpGet(int port, const char *path) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int status = -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        char req[256], buf[512];
        int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
        if (write(fd, req, (size_t)n) == n) {
            ssize_t got = read(fd, buf, sizeof buf - 1);
            if (got > 12) {
                buf[got] = '\0';
                if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) status = -1;
            }
        }
    }
    close(fd);
    return status;
}

/* ---- the body and the script's HMAC ----------------------------------------------------- */

/* The example order without its event id and order id, ending where the
 * order id's value begins: the script appends <order id>"},"event_id":"<id>"}. */
static char *bodyPrefix(const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *text = cs_xmalloc(1 << 20);
    size_t n = fread(text, 1, (1 << 20) - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *o = cJSON_Parse(text);
    free(text);
    cJSON *data = o ? cJSON_GetObjectItemCaseSensitive(o, "data") : NULL;
    if (!cJSON_IsObject(data)) {
        snprintf(err, errlen, "%s: not a generic webhook body with a data object", path);
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(o, "event_id");
    cJSON_DeleteItemFromObjectCaseSensitive(data, "order_id");
    /* data last, so that the order id and the event id are at the end */
    cJSON_DetachItemViaPointer(o, data);
    cJSON_AddItemToObject(o, "data", data);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    size_t len = strlen(s);
    if (len < 3 || strcmp(s + len - 2, "}}") != 0) {
        snprintf(err, errlen, "%s: unexpected shape", path);
        free(s);
        return NULL;
    }
    s[len - 2] = '\0';
    char *prefix = cs_xmalloc(len + 32);
    snprintf(prefix, len + 32, "%s%s\"order_id\":\"", s, len > 3 && s[len - 3] == '{' ? "" : ",");
    free(s);
    return prefix;
}

/* ---- wrk -------------------------------------------------------------------------------- */

typedef struct gwPhase {
    const char *label; /* "warm-up", "max", "rate" */
    char name[16];     /* id part and file names: w, c16, r10000 */
    int conns, rate;
    double secs;
    /* from wrk's WRKDONE line */
    int64_t wrk_requests, wrk_duration_us, wrk_p50, wrk_p99, wrk_max;
    int64_t sock_connect, sock_read, sock_write, sock_timeout;
    /* from the answer files */
    int64_t answers, ok, by_status[6]; /* 200, 400, 401, 429, 503, other */
    int64_t *lat;                      /* of the 202s, sorted */
    size_t nlat;
    int64_t *at_ms;  /* the 202s' answer times (monotonic ms), in lat's order before sorting */
    int64_t *lat_at; /* their latencies in that order */
    /* the machine */
    double cpu[NROLES], wall_s;
} gwPhase;

static int64_t sockErrors(const gwPhase *p) { return p->sock_connect + p->sock_read + p->sock_write + p->sock_timeout; }
static int64_t phaseErrors(const gwPhase *p) { return p->answers - p->ok + sockErrors(p); }

/* Runs wrk with the script; its stdout and stderr to out/wrk-<name>.txt.
 * extra: "NAME=value" strings for the script. 0, or -1 with err. */
static int runWrk(const gwOpts *o, const char *dir, const char *logpath, int conns, double secs,
                  const char *const *extra, char *err, size_t errlen) {
    char c[16], d[32], t[16], url[96];
    snprintf(c, sizeof c, "%d", conns);
    snprintf(d, sizeof d, "%ds", (int)(secs + 0.5));
    snprintf(t, sizeof t, "%d", o->threads < conns ? o->threads : conns);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/webhooks/generic", o->port);
    int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "%.900s: %s", logpath, strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (pid == 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        if (chdir(dir) != 0) _exit(126);
        for (int i = 0; extra && extra[i]; i++) putenv((char *)extra[i]);
        setenv("GW_THREADS", t, 1);
        execlp("wrk", "wrk", "-t", t, "-c", c, "-d", d, "--timeout", "10s", "-s", o->script, url, (char *)NULL);
        fprintf(stderr, "cs-bench: exec wrk: %s (apt-get install wrk)\n", strerror(errno));
        _exit(127);
    }
    close(fd);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        snprintf(err, errlen, "wrk failed (exit %d; see %.800s)", WIFEXITED(st) ? WEXITSTATUS(st) : -1, logpath);
        return -1;
    }
    return 0;
}

static int64_t fieldOf(const char *line, const char *name) {
    char key[40];
    snprintf(key, sizeof key, " %s=", name);
    const char *p = strstr(line, key);
    return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/* Reads out/<name>/t<k>.txt: every answer; 202s into ids and lat. */
static void readAnswers(const char *dir, gwPhase *p, gwIds *ids) {
    size_t cap = 1 << 16;
    p->lat = cs_xmalloc(cap * sizeof *p->lat);
    p->at_ms = cs_xmalloc(cap * sizeof *p->at_ms);
    for (int k = 0; k < 256; k++) {
        char path[1200], line[512];
        snprintf(path, sizeof path, "%s/t%d.txt", dir, k);
        FILE *f = fopen(path, "r");
        if (!f) break;
        while (fgets(line, sizeof line, f)) {
            char *sp = strchr(line, ' ');
            if (!sp) continue;
            int status = atoi(line);
            char *id = sp + 1, *sp2 = strchr(id, ' ');
            if (!sp2) continue;
            int64_t lat = strtoll(sp2 + 1, NULL, 10);
            p->answers++;
            if (status != 202) {
                int slot = status == 200   ? 0
                           : status == 400 ? 1
                           : status == 401 ? 2
                           : status == 429 ? 3
                           : status == 503 ? 4
                                           : 5;
                p->by_status[slot]++;
                continue;
            }
            p->ok++;
            gwId *e = idsFind(ids, id, (size_t)(sp2 - id), true);
            e->acked++;
            if (lat >= 0) {
                if (p->nlat == cap) {
                    cap *= 2;
                    p->lat = cs_xrealloc(p->lat, cap * sizeof *p->lat);
                    p->at_ms = cs_xrealloc(p->at_ms, cap * sizeof *p->at_ms);
                }
                char *sp3 = strchr(sp2 + 1, ' ');
                p->at_ms[p->nlat] = sp3 ? strtoll(sp3 + 1, NULL, 10) : 0;
                p->lat[p->nlat++] = lat;
            }
        }
        fclose(f);
    }
    p->lat_at = cs_xmalloc((p->nlat ? p->nlat : 1) * sizeof *p->lat_at);
    memcpy(p->lat_at, p->lat, p->nlat * sizeof *p->lat);
    bench_sort_i64(p->lat, p->nlat);
}

/* ---- the other tenants, second by second ------------------------------------------------ */

/* The machine is shared: while the latency phase runs, a thread reads every
 * process's CPU once a second, so that each second's p99 can be set against
 * what processes outside this run (ROLE_OTHER) took of the two cores. */
#define GW_MAX_SAMPLES 1000
typedef struct gwSampler {
    pthread_t thread;
    volatile int stop;
    int n;
    int64_t ms[GW_MAX_SAMPLES]; /* CLOCK_MONOTONIC, as the script's answer times */
    double other[GW_MAX_SAMPLES], ours[GW_MAX_SAMPLES];
} gwSampler;

static int64_t monoMs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *sampleLoop(void *arg) {
    gwSampler *s = arg;
    while (!s->stop && s->n < GW_MAX_SAMPLES) {
        double c[NROLES];
        machineCpu(c);
        s->ms[s->n] = monoMs();
        s->other[s->n] = c[ROLE_OTHER];
        s->ours[s->n] = c[ROLE_GATEWAY] + c[ROLE_BROKER] + c[ROLE_REDIS] + c[ROLE_WRK];
        s->n++;
        for (int i = 0; i < 10 && !s->stop; i++) bench_sleep_us(100000);
    }
    return NULL;
}

/* Per second of the phase: the other tenants' share of a core and the p99
 * of the answers in it; quiet seconds (others under quiet_share) apart. */
static void printSeconds(const gwPhase *p, const gwSampler *s, double quiet_share) {
    if (s->n < 3 || !p->nlat) return;
    int64_t *buf = cs_xmalloc(p->nlat * sizeof *buf);
    int64_t *quiet = cs_xmalloc(p->nlat * sizeof *quiet), *busy = cs_xmalloc(p->nlat * sizeof *busy);
    size_t nq = 0, nb = 0;
    int sq = 0, sb = 0;
    char list[8192];
    size_t ll = 0;
    list[0] = '\0';
    for (int i = 0; i + 1 < s->n; i++) {
        double dt = (double)(s->ms[i + 1] - s->ms[i]) / 1e3;
        double other = dt > 0 ? (s->other[i + 1] - s->other[i]) / dt : 0;
        if (other < 0) other = 0; /* a process of others ended */
        size_t nb1 = 0;
        for (size_t k = 0; k < p->nlat; k++)
            if (p->at_ms[k] >= s->ms[i] && p->at_ms[k] < s->ms[i + 1]) buf[nb1++] = p->lat_at[k];
        if (!nb1) continue;
        bool isQuiet = other < quiet_share;
        memcpy(isQuiet ? quiet + nq : busy + nb, buf, nb1 * sizeof *buf);
        if (isQuiet) {
            nq += nb1;
            sq++;
        } else {
            nb += nb1;
            sb++;
        }
        bench_sort_i64(buf, nb1);
        if (ll < sizeof list - 64)
            ll += (size_t)snprintf(list + ll, sizeof list - ll, " %.0f%%:%.1f", other * 100,
                                   (double)bench_percentile(buf, nb1, 99) / 1e3);
    }
    bench_sort_i64(quiet, nq);
    bench_sort_i64(busy, nb);
    printf("seconds:     other tenants' CPU (processes outside this run) per second of the latency phase: %d s under "
           "%.0f %%"
           " of a core, p99 %.2f ms, max %.1f ms; %d s over it, p99 %.2f ms, max %.1f ms\n",
           sq, quiet_share * 100, nq ? (double)bench_percentile(quiet, nq, 99) / 1e3 : 0,
           nq ? (double)quiet[nq - 1] / 1e3 : 0, sb, nb ? (double)bench_percentile(busy, nb, 99) / 1e3 : 0,
           nb ? (double)busy[nb - 1] / 1e3 : 0);
    printf("             each second, others' share of a core : p99 ms:%s\n", list);
    free(buf);
    free(quiet);
    free(busy);
}

static int runPhase(const gwOpts *o, gwPhase *p, const char *prefixFile, const char *secret, gwIds *ids, char *err,
                    size_t errlen) {
    char dir[1100], log[1200];
    snprintf(dir, sizeof dir, "%s/wrk-%s", o->out, p->name);
    mkdir(dir, 0755);
    snprintf(log, sizeof log, "%s/wrk-%s.txt", o->out, p->name);
    static char e_secret[600], e_shop[200], e_prefix[1200], e_run[96], e_rate[40], e_out[1200];
    snprintf(e_secret, sizeof e_secret, "GW_SECRET=%s", secret);
    snprintf(e_shop, sizeof e_shop, "GW_SHOP=%s", o->shop);
    snprintf(e_prefix, sizeof e_prefix, "GW_PREFIX_FILE=%s", prefixFile);
    snprintf(e_run, sizeof e_run, "GW_RUN=%s-%s", o->run_id, p->name);
    snprintf(e_rate, sizeof e_rate, "GW_RATE=%d", p->rate);
    snprintf(e_out, sizeof e_out, "GW_OUT=%s", dir);
    const char *env[] = {e_secret, e_shop, e_prefix, e_run, e_rate, e_out, NULL};
    double c0[NROLES], c1[NROLES];
    machineCpu(c0);
    int64_t t0 = bench_now_us();
    if (runWrk(o, dir, log, p->conns, p->secs, env, err, errlen) != 0) return -1;
    p->wall_s = (double)(bench_now_us() - t0) / 1e6;
    machineCpu(c1);
    for (int i = 0; i < NROLES; i++) p->cpu[i] = c1[i] - c0[i];
    FILE *f = fopen(log, "r");
    char line[1024];
    bool seen = false;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "WRKDONE ", 8) != 0) continue;
        seen = true;
        p->wrk_requests = fieldOf(line, "requests");
        p->wrk_duration_us = fieldOf(line, "duration_us");
        p->sock_connect = fieldOf(line, "connect");
        p->sock_read = fieldOf(line, "read");
        p->sock_write = fieldOf(line, "write");
        p->sock_timeout = fieldOf(line, "timeout");
        p->wrk_p50 = fieldOf(line, "p50_us");
        p->wrk_p99 = fieldOf(line, "p99_us");
        p->wrk_max = fieldOf(line, "max_us");
    }
    if (f) fclose(f);
    if (!seen || p->wrk_duration_us <= 0) {
        snprintf(err, errlen, "no WRKDONE line from wrk (see %.900s)", log);
        return -1;
    }
    readAnswers(dir, p, ids);
    return 0;
}

static double perSec(const gwPhase *p) { return (double)p->ok * 1e6 / (double)p->wrk_duration_us; }

static void printCpu(const gwPhase *p, int64_t n) {
    double total = 0;
    for (int i = 0; i < NROLES; i++) total += p->cpu[i];
    printf("             cpu per request: ");
    for (int i = 0; i < NROLES; i++) {
        if (p->cpu[i] < 0) /* a process of others ended in the phase: its CPU left the sum */
            printf("%s n/a%s", roleNames[i], i + 1 < NROLES ? ", " : "");
        else
            printf("%s %.1f us%s", roleNames[i], p->cpu[i] * 1e6 / (double)(n ? n : 1), i + 1 < NROLES ? ", " : "");
    }
    printf("; 2 cores %.0f %% busy (processes that ended within the phase not counted)\n",
           total / (2.0 * p->wall_s) * 100.0);
}

static void printErrors(const gwPhase *p) {
    printf("errors %" PRId64, phaseErrors(p));
    if (phaseErrors(p))
        printf(" (200 %" PRId64 ", 400 %" PRId64 ", 401 %" PRId64 ", 429 %" PRId64 ", 503 %" PRId64 ", other %" PRId64
               "; socket: connect %" PRId64 " read %" PRId64 " write %" PRId64 " timeout %" PRId64 ")",
               p->by_status[0], p->by_status[1], p->by_status[2], p->by_status[3], p->by_status[4], p->by_status[5],
               p->sock_connect, p->sock_read, p->sock_write, p->sock_timeout);
}

/* ---- durability: the run's records read back ---------------------------------------------- */

typedef struct gwRaw {
    char *key;
    size_t key_len;
    void *value;
    size_t len;
    char *event_id;
} gwRaw;

typedef struct gwCheck {
    gwIds *ids;
    char prefix[64];
    size_t plen;
    int64_t ours, unanswered, dup_records, foreign;
    gwRaw *raw;
    size_t nraw, maxraw;
    int64_t raw_bytes;
} gwCheck;

static void checkOne(const rd_kafka_message_t *m, void *arg) {
    gwCheck *c = arg;
    rd_kafka_headers_t *h = NULL;
    const void *val = NULL;
    size_t size = 0;
    if (rd_kafka_message_headers(m, &h) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_header_get_last(h, "event-id", &val, &size) != RD_KAFKA_RESP_ERR_NO_ERROR || !val || size < c->plen ||
        memcmp(val, c->prefix, c->plen) != 0) {
        c->foreign++;
        return;
    }
    c->ours++;
    gwId *e = idsFind(c->ids, val, size, false);
    if (!e)
        c->unanswered++; /* sent, its answer not awaited (wrk stopped), or not a 202 */
    else if (++e->kafka > 1)
        c->dup_records++;
    if (c->nraw < c->maxraw) {
        gwRaw *r = &c->raw[c->nraw++];
        r->key_len = m->key_len;
        r->key = cs_xmalloc(m->key_len + 1);
        memcpy(r->key, m->key, m->key_len);
        r->value = cs_xmalloc(m->len ? m->len : 1);
        memcpy(r->value, m->payload, m->len);
        r->len = m->len;
        r->event_id = cs_xmalloc(size + 1);
        memcpy(r->event_id, val, size);
        r->event_id[size] = '\0';
        c->raw_bytes += (int64_t)m->len;
    }
}

/* The same records through librdkafka alone: records/s from the first
 * produce call to the last acknowledgement, or -1. */
static double rawProduce(const cs_config *cfg, gwRaw *raw, size_t n, char *err, size_t errlen) {
    rd_kafka_t *rk = bench_producer_new(cfg, err, errlen);
    if (!rk) return -1;
    int64_t t0 = bench_now_us();
    for (size_t i = 0; i < n; i++) {
        gwRaw *r = &raw[i];
        for (;;) {
            rd_kafka_resp_err_t e =
                rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(CS_TOPIC_ORDERS), RD_KAFKA_V_KEY(r->key, r->key_len),
                                  RD_KAFKA_V_VALUE(r->value, r->len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
                                  RD_KAFKA_V_HEADER("event-id", r->event_id, -1), RD_KAFKA_V_END);
            if (!e) {
                r->value = NULL; /* librdkafka frees it */
                break;
            }
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                snprintf(err, errlen, "raw produce: %s", rd_kafka_err2str(e));
                rd_kafka_destroy(rk);
                return -1;
            }
            rd_kafka_poll(rk, 10);
        }
        rd_kafka_poll(rk, 0);
    }
    int rc = bench_producer_flush(rk, err, errlen);
    int64_t t1 = bench_now_us();
    rd_kafka_destroy(rk);
    return rc == 0 ? (double)n * 1e6 / (double)(t1 - t0) : -1;
}

/* ---- main --------------------------------------------------------------------------------- */

static void usage(FILE *out) {
    fprintf(out, "usage: cs-bench gateway --gateway BIN --script LUA --body JSON [options]\n"
                 "  --gateway BIN     the gateway binary\n"
                 "  --script LUA      bench/gateway/webhook.lua\n"
                 "  --body JSON       a generic order.created body (tests/data/webhooks/generic/order.created.json)\n"
                 "  --shops FILE      shops file (default deploy/config/shops.sample.json)\n"
                 "  --shop ID         the signing shop (default tb-demo; its secrets.generic)\n"
                 "  --out DIR         logs, wrk's answer files (default .)\n"
                 "  --port P          the gateway's port on 127.0.0.1 (default 38080)\n"
                 "  --threads T       wrk threads (default 2)\n"
                 "  --conns LIST      connection counts of the maximum phase (default 16,64,256)\n"
                 "  --max-s S         seconds per connection count (default 12)\n"
                 "  --warmup-s S      unmeasured warm-up at 64 connections (default 15; 0 = none)\n"
                 "  --rate R          offered requests/s of the latency phase (default 10000)\n"
                 "  --rate-conns C    its connections (default 128)\n"
                 "  --latency-s S     its length (default 30)\n"
                 "  --raw N           records produced again for the raw rate (default 300000)\n"
                 "Kafka from CS_KAFKA_BROKERS; the gateway gets this environment (CS_GATEWAY_*, CS_REDIS_URL).\n");
}

static int parseConns(gwOpts *o, const char *s) {
    o->nconns = 0;
    while (*s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 10000 || o->nconns == GW_MAX_CONNS) return -1;
        o->conns[o->nconns++] = (int)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') return -1;
    }
    return o->nconns ? 0 : -1;
}

int bench_gateway_main(int argc, char **argv) {
    gwOpts o = {.shops = "deploy/config/shops.sample.json",
                .shop = "tb-demo",
                .out = ".",
                .port = 38080,
                .threads = 2,
                .rate = 10000,
                .rate_conns = 128,
                .raw = 300000,
                .max_s = 12,
                .warmup_s = 15,
                .latency_s = 30};
    parseConns(&o, "16,64,256");
    static const struct option opts[] = {{"gateway", required_argument, NULL, 'g'},
                                         {"script", required_argument, NULL, 's'},
                                         {"body", required_argument, NULL, 'b'},
                                         {"shops", required_argument, NULL, 'S'},
                                         {"shop", required_argument, NULL, 'h'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"conns", required_argument, NULL, 'c'},
                                         {"max-s", required_argument, NULL, 'm'},
                                         {"warmup-s", required_argument, NULL, 'w'},
                                         {"rate", required_argument, NULL, 'r'},
                                         {"rate-conns", required_argument, NULL, 'C'},
                                         {"latency-s", required_argument, NULL, 'l'},
                                         {"raw", required_argument, NULL, 'R'},
                                         {"help", no_argument, NULL, 'H'},
                                         {NULL, 0, NULL, 0}};
    optind = 2;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
            case 'g': o.gateway = optarg; break;
            case 's': o.script = optarg; break;
            case 'b': o.body = optarg; break;
            case 'S': o.shops = optarg; break;
            case 'h': o.shop = optarg; break;
            case 'o': o.out = optarg; break;
            case 'p': o.port = atoi(optarg); break;
            case 't': o.threads = atoi(optarg); break;
            case 'c':
                if (parseConns(&o, optarg) != 0) {
                    fprintf(stderr, "cs-bench gateway: --conns: a list such as 16,64,256\n");
                    return 2;
                }
                break;
            case 'm': o.max_s = atof(optarg); break;
            case 'w': o.warmup_s = atof(optarg); break;
            case 'r': o.rate = atoi(optarg); break;
            case 'C': o.rate_conns = atoi(optarg); break;
            case 'l': o.latency_s = atof(optarg); break;
            case 'R': o.raw = atoi(optarg); break;
            case 'H': usage(stdout); return 0;
            default: usage(stderr); return 2;
        }
    }
    if (!o.gateway || !o.script || !o.body || o.port < 1 || o.port > 65535 || o.threads < 1 || o.threads > 64 ||
        o.rate < 1 || o.rate_conns < 1 || o.max_s < 1 || o.latency_s < 1 || o.max_s > 240 || o.latency_s > 240 ||
        o.raw < 0) {
        usage(stderr);
        return 2;
    }
    char err[1024];
    cs_config cfg;
    if (cs_config_load(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "cs-bench: configuration: %s\n", err);
        return 2;
    }
    cs_shops *shops = cs_shops_load(o.shops, err, sizeof err);
    const cs_shop *shop = shops ? cs_shops_find(shops, o.shop) : NULL;
    if (!shop || !shop->secrets[CS_WEBHOOK_GENERIC][0]) {
        fprintf(stderr, "cs-bench gateway: %s\n", shops ? "the shop has no generic secret" : err);
        return 2;
    }
    const char *secret = shop->secrets[CS_WEBHOOK_GENERIC][0];
    bench_catch_signals();
    snprintf(o.run_id, sizeof o.run_id, "%lld", (long long)(bench_now_us() / 1000000));
    int code = 1;
    pid_t gw = 0;
    gwIds ids = {0};
    gwCheck chk = {.ids = &ids};
    gwPhase phases[GW_MAX_CONNS + 2];
    memset(phases, 0, sizeof phases);
    int nph = 0;

    /* the body prefix, and the script's HMAC against OpenSSL's */
    char prefixFile[1100];
    snprintf(prefixFile, sizeof prefixFile, "%s/body-prefix.json", o.out);
    char *prefix = bodyPrefix(o.body, err, sizeof err);
    if (!prefix) goto out;
    FILE *pf = fopen(prefixFile, "w");
    if (!pf || fputs(prefix, pf) < 0 || fclose(pf) != 0) {
        snprintf(err, sizeof err, "%.900s: cannot write", prefixFile);
        goto out;
    }
    {
        char log[1200], e1[1200], e2[600];
        snprintf(log, sizeof log, "%s/wrk-selftest.txt", o.out);
        snprintf(e1, sizeof e1, "GW_PREFIX_FILE=%s", prefixFile);
        snprintf(e2, sizeof e2, "GW_SECRET=%s", secret);
        const char *env[] = {"GW_SELFTEST=1", e1, e2, NULL};
        if (runWrk(&o, o.out, log, 1, 1, env, err, sizeof err) != 0) goto out;
        size_t plen = strlen(prefix);
        char *msg = cs_xmalloc(plen + 4);
        memcpy(msg, "abc", 3);
        memcpy(msg + 3, prefix, plen + 1);
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned maclen = 0;
        HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)msg, plen + 3, mac, &maclen);
        free(msg);
        char hex[2 * EVP_MAX_MD_SIZE + 1], line[256] = "";
        for (unsigned i = 0; i < maclen; i++) snprintf(hex + 2 * i, 3, "%02x", mac[i]);
        FILE *f = fopen(log, "r");
        bool same = false;
        while (f && fgets(line, sizeof line, f))
            if (strncmp(line, "SELFTEST ", 9) == 0) same = strncmp(line + 9, hex, 2 * maclen) == 0;
        if (f) fclose(f);
        if (!same) {
            snprintf(err, sizeof err, "the script's HMAC-SHA256 differs from OpenSSL's (see %.900s)", log);
            goto out;
        }
    }

    bench_offsets from, to;
    if (cs_topics_wait_ready(&cfg, BENCH_READY_MS, err, sizeof err) != 0) goto out;
    if (bench_watermarks(&cfg, CS_TOPIC_ORDERS, &from, err, sizeof err) != 0) goto out;

    /* the gateway */
    char gwlog[1200];
    snprintf(gwlog, sizeof gwlog, "%s/gateway.log", o.out);
    static char e_addr[64], e_shops[1100];
    snprintf(e_addr, sizeof e_addr, "CS_GATEWAY_ADDR=127.0.0.1:%d", o.port);
    snprintf(e_shops, sizeof e_shops, "CS_SHOPS_FILE=%s", o.shops);
    const char *genv[] = {e_addr, e_shops, "CS_INSTANCE=bench-gateway", NULL};
    if (httpGet(o.port, "/healthz") > 0) {
        snprintf(err, sizeof err, "something already answers on 127.0.0.1:%d (--port, BENCH_GATEWAY_PORT)", o.port);
        goto out;
    }
    gw = bench_spawn(o.gateway, gwlog, genv, err, sizeof err);
    if (gw < 0) {
        gw = 0;
        goto out;
    }
    rolePid[0] = gw;
    {
        const char *run = getenv("CS_RUN_DIR");
        char path[1100];
        snprintf(path, sizeof path, "%s/kafka/kafka.pid", run ? run : "/var/tmp/cs-bench");
        rolePid[1] = pidFile(path);
        snprintf(path, sizeof path, "%s/redis/redis.pid", run ? run : "/var/tmp/cs-bench");
        rolePid[2] = pidFile(path);
    }
    for (int i = 0;; i++) {
        if (httpGet(o.port, "/readyz") == 200) break;
        if (i == 300 || waitpid(gw, NULL, WNOHANG) == gw) {
            snprintf(err, sizeof err, "the gateway did not become ready (see %.900s)", gwlog);
            goto out;
        }
        bench_sleep_us(100000);
    }
    printf("gateway:     %s on 127.0.0.1:%d; settings:", o.gateway, o.port);
    {
        extern char **environ;
        bool any = false;
        for (char **e = environ; *e; e++)
            if (strncmp(*e, "CS_GATEWAY_", 11) == 0 && strncmp(*e, "CS_GATEWAY_ADDR=", 16) != 0) {
                printf(" %s", *e);
                any = true;
            }
        if (!any) printf(" the defaults");
    }
    printf("\nload:        wrk %d threads, generic order.created webhooks of %zu bytes (the example order, its own"
           " event id and order id each), signed for %s\n",
           o.threads, strlen(prefix) + 2 * strlen(o.run_id) + 48, o.shop);
    fflush(stdout);

    double calib0 = bench_calibration_ms();
    double loadavg[3] = {0};
    if (getloadavg(loadavg, 3) < 0) loadavg[0] = -1;

    if (o.warmup_s > 0) {
        gwPhase *p = &phases[nph++];
        *p = (gwPhase){.label = "warm-up", .conns = 64, .secs = o.warmup_s};
        snprintf(p->name, sizeof p->name, "w");
        if (runPhase(&o, p, prefixFile, secret, &ids, err, sizeof err) != 0) goto out;
        printf("warm-up:     %.0f s at 64 connections: %.0f requests/s (not counted), ", o.warmup_s, perSec(p));
        printErrors(p);
        printf("\n");
        fflush(stdout);
        bench_sleep_us(2000000);
    }
    int firstMax = nph, best = -1;
    for (int i = 0; i < o.nconns && !bench_interrupted; i++) {
        gwPhase *p = &phases[nph++];
        *p = (gwPhase){.label = "max", .conns = o.conns[i], .secs = o.max_s};
        snprintf(p->name, sizeof p->name, "c%d", o.conns[i]);
        if (runPhase(&o, p, prefixFile, secret, &ids, err, sizeof err) != 0) goto out;
        if (best < 0 || perSec(p) > perSec(&phases[best])) best = nph - 1;
        printf("max c=%-4d   %" PRId64 " answered 202 in %.2f s: %.0f requests/s; latency from the send p50 %.1f ms,"
               " p99 %.1f ms, max %.1f ms; ",
               p->conns, p->ok, (double)p->wrk_duration_us / 1e6, perSec(p),
               p->nlat ? (double)bench_percentile(p->lat, p->nlat, 50) / 1e3 : 0,
               p->nlat ? (double)bench_percentile(p->lat, p->nlat, 99) / 1e3 : 0,
               p->nlat ? (double)p->lat[p->nlat - 1] / 1e3 : 0);
        printErrors(p);
        printf("\n");
        printCpu(p, p->ok);
        fflush(stdout);
        bench_sleep_us(2000000);
    }
    if (bench_interrupted) {
        snprintf(err, sizeof err, "interrupted");
        goto out;
    }
    double rssAll = bench_peak_rss_mib(gw);
    {
        /* VmHWM from here on: the latency phase's own peak */
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/clear_refs", (int)gw);
        FILE *f = fopen(path, "w");
        if (f) {
            fputs("5", f);
            fclose(f);
        }
    }
    gwPhase *rp = &phases[nph++];
    *rp = (gwPhase){.label = "rate", .conns = o.rate_conns, .rate = o.rate, .secs = o.latency_s};
    snprintf(rp->name, sizeof rp->name, "r%d", o.rate);
    static gwSampler smp;
    bool sampling = pthread_create(&smp.thread, NULL, sampleLoop, &smp) == 0;
    int rrc = runPhase(&o, rp, prefixFile, secret, &ids, err, sizeof err);
    if (sampling) {
        smp.stop = 1;
        pthread_join(smp.thread, NULL);
    }
    if (rrc != 0) goto out;
    double rssRate = bench_peak_rss_mib(gw);
    if (rssAll < rssRate) rssAll = rssRate;
    double calib1 = bench_calibration_ms();
    double p50 = rp->nlat ? (double)bench_percentile(rp->lat, rp->nlat, 50) / 1e3 : -1;
    double p99 = rp->nlat ? (double)bench_percentile(rp->lat, rp->nlat, 99) / 1e3 : -1;
    double pmax = rp->nlat ? (double)rp->lat[rp->nlat - 1] / 1e3 : -1;
    printf("latency:     offered %d requests/s for %.0f s over %d connections: %" PRId64 " answered 202 (%.0f/s);"
           " from the scheduled send: p50 %.2f ms, p99 %.2f ms, max %.1f ms (wrk's own, from the actual send: p50 %.2f,"
           " p99 %.2f ms); ",
           o.rate, o.latency_s, o.rate_conns, rp->ok, perSec(rp), p50, p99, pmax, (double)rp->wrk_p50 / 1e3,
           (double)rp->wrk_p99 / 1e3);
    printErrors(rp);
    printf("\n");
    printCpu(rp, rp->ok);
    printSeconds(rp, &smp, 0.15);
    printf("machine:     a fixed 100M-step loop took %.0f ms before the load and %.0f ms after it; load average %.2f"
           " %.2f %.2f at the start\n",
           calib0, calib1, loadavg[0], loadavg[1], loadavg[2]);
    printf("memory:      gateway peak RSS (VmHWM) %.1f MiB over the whole run, %.1f MiB in the latency phase\n", rssAll,
           rssRate);
    fflush(stdout);

    /* stop the gateway: whatever it still answers is in Kafka before we read */
    double gwCpu = bench_cpu_s(gw);
    bench_stop(&gw, 1);
    bench_sleep_us(500000);
    if (bench_watermarks(&cfg, CS_TOPIC_ORDERS, &to, err, sizeof err) != 0) goto out;
    snprintf(chk.prefix, sizeof chk.prefix, GW_ID_PREFIX "%s-", o.run_id);
    chk.plen = strlen(chk.prefix);
    chk.maxraw = (size_t)o.raw;
    chk.raw = cs_xcalloc(chk.maxraw ? chk.maxraw : 1, sizeof *chk.raw);
    int64_t read = bench_consume_range(&cfg, &from, &to, checkOne, &chk, err, sizeof err);
    if (read < 0) goto out;
    int64_t acked = 0, missing = 0, twice = 0, ackedTwice = 0;
    for (size_t i = 0; i < ids.cap; i++) {
        gwId *e = &ids.v[i];
        if (!e->id) continue;
        acked++;
        if (e->acked > 1) ackedTwice++;
        if (e->kafka == 0) {
            if (missing < 5)
                fprintf(stderr, "cs-bench gateway: %s answered 202 but not in %s\n", e->id, CS_TOPIC_ORDERS);
            missing++;
        } else if (e->kafka > 1)
            twice++;
    }
    printf("durable:     %" PRId64 " records of the run on %s; of the %" PRId64 " event ids answered 202, %" PRId64
           " are there exactly once, %" PRId64 " missing, %" PRId64 " more than once; %" PRId64
           " records of requests whose answer wrk did not wait for (in flight when"
           " a phase ended); %" PRId64 " ids answered 202 twice; %" PRId64 " other records\n",
           chk.ours, CS_TOPIC_ORDERS, acked, acked - missing - twice, missing, twice, chk.unanswered, ackedTwice,
           chk.foreign);
    fflush(stdout);
    double raw = -1;
    if (chk.nraw) {
        raw = rawProduce(&cfg, chk.raw, chk.nraw, err, sizeof err);
        if (raw < 0) goto out;
        printf("raw produce: %zu of the same records (avg %.0f B, same keys and event-id header) to %s by one"
               " librdkafka producer, acks=all, idempotent, all at once: %.0f records/s\n",
               chk.nraw, (double)chk.raw_bytes / (double)chk.nraw, CS_TOPIC_ORDERS, raw);
    }
    int64_t errors = missing + twice;
    for (int i = firstMax; i < nph; i++) errors += phaseErrors(&phases[i]);
    double rps = best >= 0 ? perSec(&phases[best]) : 0;
    printf("gateway cpu: %.1f s over the run\n", gwCpu);
    printf("GATEWAY requests_per_s=%.0f conns=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.1f errors=%" PRId64
           " raw_per_s=%.0f produce_ratio=%.2f rss_mib=%.1f rate_rss_mib=%.1f\n",
           rps, best >= 0 ? phases[best].conns : 0, p50, p99, pmax, errors, raw, raw > 0 ? rps / raw : 0, rssAll,
           rssRate);
    code = 0;
out:
    if (code) fprintf(stderr, "cs-bench gateway: %s\n", err);
    if (gw > 0) bench_stop(&gw, 1);
    for (int i = 0; i < nph; i++) {
        free(phases[i].lat);
        free(phases[i].at_ms);
        free(phases[i].lat_at);
    }
    for (size_t i = 0; i < chk.nraw; i++) {
        free(chk.raw[i].key);
        free(chk.raw[i].value);
        free(chk.raw[i].event_id);
    }
    free(chk.raw);
    idsFree(&ids);
    free(prefix);
    cs_shops_free(shops);
    cs_config_free(&cfg);
    return code;
}
