/* metrics.c -- Prometheus counters and gauges, and the /metrics, /healthz
 * endpoint (see metrics.h).
 *
 * The registry is an append-only list of series. Registration (start-up,
 * or the first use of a label value) takes a mutex; updates are a single
 * atomic add or store on the series' value, so the hot path never locks.
 * Series are never removed, so a pointer from cs_metric_get() stays valid
 * for the life of the process and the list needs no reference counting.
 * Rendering takes the mutex only to walk the list (registration is rare),
 * reads each value atomically, and writes "# HELP" and "# TYPE" once per
 * metric name, before all the series of that name.
 *
 * The HTTP side is libmicrohttpd with its own polling thread
 * (MHD_USE_INTERNAL_POLLING_THREAD), so a worker's loop is never involved
 * in answering a scrape: GET /metrics, GET /healthz (200 "ok", or 503 with
 * the health callback's reason), anything else 404. One endpoint per
 * process, as CONTRACTS.md asks; an empty address (CS_HTTP_ADDR="") means
 * no endpoint, and cs_http_start() then succeeds doing nothing. */
#include "cs/metrics.h"

#include <assert.h>
#include <malloc.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cs/util.h"

struct cs_metric {
    cs_metric_type type;    /* counter or gauge; fixed at registration */
    char *name;             /* metric name (owned) */
    char *help;             /* help text (owned) */
    char *labels;           /* text inside the braces, NULL for none (owned) */
    _Atomic int64_t value;  /* current value; updated lock-free */
    struct cs_metric *next; /* registration order */
};

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER; /* guards reg_head/reg_tail */
static cs_metric *reg_head;                                /* first registered series */
static cs_metric *reg_tail;                                /* last, for appending */

static bool same_labels(const char *a, const char *b) {
    if (!a || !*a) return !b || !*b;
    return b && strcmp(a, b) == 0;
}

cs_metric *cs_metric_get(cs_metric_type type, const char *name, const char *help, const char *labels) {
    assert(name && *name);
    pthread_mutex_lock(&reg_mu);
    for (cs_metric *m = reg_head; m; m = m->next) {
        if (strcmp(m->name, name) == 0 && same_labels(m->labels, labels)) {
            pthread_mutex_unlock(&reg_mu);
            assert(m->type == type);
            return m;
        }
    }
    cs_metric *m = cs_xcalloc(1, sizeof *m);
    m->type = type;
    m->name = cs_xstrdup(name);
    m->help = cs_xstrdup(help ? help : "");
    m->labels = labels && *labels ? cs_xstrdup(labels) : NULL;
    atomic_init(&m->value, 0);
    if (reg_tail)
        reg_tail->next = m;
    else
        reg_head = m;
    reg_tail = m;
    pthread_mutex_unlock(&reg_mu);
    return m;
}

void cs_metric_add(cs_metric *m, int64_t v) {
    assert(m);
    atomic_fetch_add_explicit(&m->value, v, memory_order_relaxed);
}

void cs_metric_set(cs_metric *m, int64_t v) {
    assert(m);
    atomic_store_explicit(&m->value, v, memory_order_relaxed);
}

int64_t cs_metric_value(const cs_metric *m) {
    assert(m);
    return atomic_load_explicit(&((cs_metric *)m)->value, memory_order_relaxed);
}

/* ---- text exposition ---------------------------------------------------- */

typedef struct outbuf {
    char *p;    /* owned, NUL-terminated */
    size_t len; /* used bytes without the NUL */
    size_t cap; /* allocated bytes */
} outbuf;

static void ob_printf(outbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ob_printf(outbuf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->p = cs_xrealloc(b->p, b->cap);
    }
}

/* HELP text escaping: backslash and newline (exposition format 0.0.4). */
static void ob_help(outbuf *b, const char *s) {
    for (; *s; s++) {
        if (*s == '\\')
            ob_printf(b, "\\\\");
        else if (*s == '\n')
            ob_printf(b, "\\n");
        else
            ob_printf(b, "%c", *s);
    }
}

/* Resident set size from /proc/self/statm (pages * page size); 0 if unreadable. */
static int64_t resident_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    long long size = 0, resident = 0;
    int n = fscanf(f, "%lld %lld", &size, &resident);
    fclose(f);
    if (n != 2) return 0;
    long page = sysconf(_SC_PAGESIZE);
    return (int64_t)resident * (page > 0 ? page : 4096);
}

char *cs_metrics_render(void) {
    cs_metric_set(cs_metric_get(CS_METRIC_GAUGE, "cs_process_resident_memory_bytes",
                                "Resident memory of this process in bytes.", NULL),
                  resident_bytes());
    /* live heap next to the resident size: a resident size that grows
     * while this stays flat is memory kept, not leaked */
    struct mallinfo2 mi = mallinfo2();
    cs_metric_set(cs_metric_get(CS_METRIC_GAUGE, "cs_process_heap_inuse_bytes",
                                "Heap in use by this process (malloc), in bytes.", NULL),
                  (int64_t)(mi.uordblks + mi.hblkhd));
    outbuf b = {cs_xmalloc(4096), 0, 4096};
    b.p[0] = '\0';
    pthread_mutex_lock(&reg_mu);
    for (cs_metric *m = reg_head; m; m = m->next) {
        /* A name's header goes before its first series; later series of the
         * same name were printed with that first one. */
        bool seen = false;
        for (cs_metric *e = reg_head; e != m; e = e->next)
            if (strcmp(e->name, m->name) == 0) {
                seen = true;
                break;
            }
        if (seen) continue;
        ob_printf(&b, "# HELP %s ", m->name);
        ob_help(&b, m->help);
        ob_printf(&b, "\n# TYPE %s %s\n", m->name, m->type == CS_METRIC_COUNTER ? "counter" : "gauge");
        for (cs_metric *s = m; s; s = s->next) {
            if (strcmp(s->name, m->name) != 0) continue;
            int64_t v = cs_metric_value(s);
            if (s->labels)
                ob_printf(&b, "%s{%s} %lld\n", s->name, s->labels, (long long)v);
            else
                ob_printf(&b, "%s %lld\n", s->name, (long long)v);
        }
    }
    pthread_mutex_unlock(&reg_mu);
    return b.p;
}

/* ---- HTTP endpoint ------------------------------------------------------ */

static struct MHD_Daemon *http_daemon; /* running daemon, NULL when stopped */
static cs_health_fn http_health;       /* health callback, NULL = always healthy */
static void *http_health_arg;          /* its argument */
static int http_bound_port;            /* port actually bound */

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status, char *body, const char *ctype) {
    /* MHD takes ownership of body (MUST_FREE: released with free()). */
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result r = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result http_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                    const char *version, const char *upload_data, size_t *upload_data_size,
                                    void **con_cls) {
    (void)cls;
    (void)version;
    (void)upload_data;
    (void)con_cls;
    static const char plain[] = "text/plain; charset=utf-8";
    bool known = strcmp(url, "/metrics") == 0 || strcmp(url, "/healthz") == 0;
    if (!known) return send_text(conn, MHD_HTTP_NOT_FOUND, cs_xstrdup("not found\n"), plain);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        *upload_data_size = 0;
        return send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, cs_xstrdup("method not allowed\n"), plain);
    }
    if (strcmp(url, "/metrics") == 0)
        return send_text(conn, MHD_HTTP_OK, cs_metrics_render(), "text/plain; version=0.0.4; charset=utf-8");
    char why[256] = "";
    if (!http_health || http_health(http_health_arg, why, sizeof why))
        return send_text(conn, MHD_HTTP_OK, cs_xstrdup("ok\n"), plain);
    size_t n = strlen(why);
    char *body = cs_xmalloc(n + 16);
    snprintf(body, n + 16, "%s\n", n ? why : "unhealthy");
    return send_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, body, plain);
}

/* Splits "host:port" ("[v6]:port" too) into host and port strings. */
static int split_addr(const char *addr, char *host, size_t hostlen, char *port, size_t portlen) {
    const char *colon;
    const char *h = addr;
    size_t hn;
    if (addr[0] == '[') {
        const char *rb = strchr(addr, ']');
        if (!rb || rb[1] != ':') return -1;
        h = addr + 1;
        hn = (size_t)(rb - h);
        colon = rb + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon) return -1;
        hn = (size_t)(colon - addr);
    }
    if (hn >= hostlen || strlen(colon + 1) >= portlen || !colon[1]) return -1;
    memcpy(host, h, hn);
    host[hn] = '\0';
    strcpy(port, colon + 1);
    for (const char *p = port; *p; p++)
        if (*p < '0' || *p > '9') return -1;
    return 0;
}

int cs_http_start(const char *addr, cs_health_fn health, void *arg, char *errbuf, size_t errlen) {
    if (http_daemon) {
        snprintf(errbuf, errlen, "HTTP endpoint already started on port %d", http_bound_port);
        return -1;
    }
    if (addr && !*addr) return 0; /* CS_HTTP_ADDR="" turns the endpoint off */
    char host[256], port[16];
    if (!addr || split_addr(addr, host, sizeof host, port, sizeof port) != 0) {
        snprintf(errbuf, errlen, "HTTP address must be host:port, got '%s'", addr ? addr : "");
        return -1;
    }
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (gai != 0) {
        snprintf(errbuf, errlen, "HTTP address %s: %s", addr, gai_strerror(gai));
        return -1;
    }
    http_health = health;
    http_health_arg = arg;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
    http_daemon = MHD_start_daemon(flags, 0, NULL, NULL, http_handler, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                                   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!http_daemon) {
        snprintf(errbuf, errlen, "HTTP endpoint: cannot listen on %s (in use or not local?)", addr);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(http_daemon, MHD_DAEMON_INFO_BIND_PORT);
    http_bound_port = info ? info->port : atoi(port);
    return 0;
}

void cs_http_stop(void) {
    if (!http_daemon) return;
    MHD_stop_daemon(http_daemon);
    http_daemon = NULL;
    http_health = NULL;
    http_health_arg = NULL;
    http_bound_port = 0;
}

int cs_http_port(void) { return http_bound_port; }
