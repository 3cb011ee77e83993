/* gw_server.c -- the HTTP side (see gw_server.h).
 *
 * libmicrohttpd calls the access handler several times per request: at
 * its headers, once per piece of body, at its end, and again after a
 * resume. The request's state (gwReq) hangs off *con_cls from the first
 * call until the "completed" notification, which frees it; while the
 * connection is suspended gw_accept answers it through answered(), and
 * the resume hands it back. The records move to gw_accept, which frees
 * them once Kafka has reported on each (maybe after the answer). Nothing
 * here blocks: reading, HMAC, the token bucket and the JSON mapping are
 * CPU work on the event loop.
 *
 * Every refusal is one JSON object, {"error", "reason"[, "field"]}, and
 * every 429/503 carries Retry-After (docs/webhooks.md). */
#include "gw_server.h"

#include <netdb.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "cs/clock.h"
#include "cs/log.h"
#include "cs/util.h"
#include "gw_auth.h"
#include "gw_map.h"
#include "gw_metrics.h"
#include "gw_route.h"

#define GW_MAX_EVENT_ID 256 /* bytes of an event id */
#define CONN_TIMEOUT_S 30   /* an idle or stalled connection is closed after this */
#define RETRY_FULL_S 1      /* Retry-After when CS_GATEWAY_MAX_INFLIGHT is reached */
#define RETRY_STOP_S 1      /* Retry-After while stopping: another copy takes it */
/* A chunked upload past 1 MiB cannot be answered in the middle
 * (libmicrohttpd 0.9 queues no response while it hands over upload data),
 * so the rest is read and dropped and 413 comes at its end; one that goes
 * on past this many bytes has its connection closed instead. */
#define DISCARD_MAX (8 * 1024 * 1024)

struct gw_server {
    struct MHD_Daemon *d;  /* the daemon */
    const cs_shops *shops; /* authentication and the shop of a request */
    gw_ratelimit *rl;      /* per-shop token buckets */
    gw_accept *acc;        /* claim, produce, answer */
    int max_inflight;      /* CS_GATEWAY_MAX_INFLIGHT */
    atomic_int inflight;   /* webhook requests holding a slot */
    atomic_bool stopping;  /* quiesced: refuse new requests */
    int port;              /* bound port */
};

/* One request's state, from its headers to its completion. */
typedef struct gwReq {
    gw_server *srv;               /* the server */
    struct MHD_Connection *conn;  /* for the resume */
    gw_route route;               /* what it is for */
    int64_t t0_us;                /* monotonic, at its headers */
    int64_t ingest_ms;            /* wall clock, at its headers (the envelope's ingest time) */
    bool slot;                    /* holds an in-flight slot */
    unsigned status;              /* the status answered (0 = none yet) */
    char *body;                   /* the raw body (owned), at most GW_MAX_BODY */
    size_t len, cap;              /* its length and allocation */
    bool overflow;                /* the upload passed GW_MAX_BODY: nothing more kept */
    size_t dropped;               /* bytes read and dropped since the overflow */
    bool mapped_ok;               /* mapped holds records (free them; empty once handed over) */
    gw_mapped mapped;             /* the records, until gw_accept takes them */
    const char *shop_id;          /* the authenticated shop (for logs) */
    struct MHD_Response *resumed; /* the answer prepared by gw_accept's done */
    unsigned resumed_status;      /* its status */
} gwReq;

/* ---- answers ---------------------------------------------------------------------- */

static int64_t monoUs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A response with a JSON body (takes ownership of json, a malloc'd string). */
static struct MHD_Response *jsonResponse(char *json, int retry_after_s, bool close) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(json), json, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(json);
        return NULL;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (retry_after_s > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry_after_s);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    if (close) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    return resp;
}

/* {"error": e, "reason": r[, "field": f][, "event_id": id]} */
static char *errorJson(const char *error, const char *reason, const char *field, const char *event_id) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", error);
    if (field) cJSON_AddStringToObject(o, "field", field);
    if (reason) cJSON_AddStringToObject(o, "reason", reason);
    if (event_id) cJSON_AddStringToObject(o, "event_id", event_id);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) abort(); /* out of memory */
    return s;
}

static enum MHD_Result queue(gwReq *r, unsigned status, struct MHD_Response *resp) {
    if (!resp) return MHD_NO;
    enum MHD_Result rc = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    if (rc == MHD_YES) r->status = status;
    return rc;
}

/* Logs a refused webhook once, where the decision is made. */
static void logRefusal(gwReq *r, unsigned status, const char *reason) {
    char code[8];
    snprintf(code, sizeof code, "%u", status);
    const char *kv[] = {"platform", cs_webhook_platform_name(r->route.platform),
                        "status",   code,
                        "shop",     r->shop_id ? r->shop_id : "",
                        "reason",   reason ? reason : "",
                        NULL};
    /* rate limiting and overload come in floods: one line each at debug */
    cs_log_kv(status == 429 || status == 503 ? CS_LOG_DEBUG : CS_LOG_INFO, "webhook refused", kv);
}

static enum MHD_Result refuse(gwReq *r, unsigned status, const char *error, const char *reason, const char *field,
                              int retry_after_s, bool close) {
    logRefusal(r, status, reason);
    return queue(r, status, jsonResponse(errorJson(error, reason, field, NULL), retry_after_s, close));
}

static enum MHD_Result textAnswer(gwReq *r, unsigned status, const char *text, const char *ctype) {
    char *body = cs_xstrdup(text);
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return queue(r, status, resp);
}

/* ---- the probes --------------------------------------------------------------------- */

static enum MHD_Result serveProbe(gwReq *r) {
    static const char plain[] = "text/plain; charset=utf-8";
    gw_server *s = r->srv;
    switch (r->route.kind) {
        case GW_ROUTE_HEALTHZ:
            /* alive unless the producer is beyond repair (restart us) */
            if (gw_accept_fatal(s->acc)) return textAnswer(r, 503, "kafka producer fatal error\n", plain);
            return textAnswer(r, 200, "ok\n", plain);
        case GW_ROUTE_READYZ:
            if (atomic_load(&s->stopping)) return textAnswer(r, 503, "stopping\n", plain);
            if (!gw_accept_ready(s->acc)) return textAnswer(r, 503, "kafka cannot take writes\n", plain);
            return textAnswer(r, 200, "ready\n", plain);
        case GW_ROUTE_METRICS: {
            char *text = gw_metrics_render();
            struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
            if (!resp) {
                free(text);
                return MHD_NO;
            }
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            return queue(r, 200, resp);
        }
        default: break;
    }
    return refuse(r, 404, "not_found", "no such path", NULL, 0, false);
}

/* ---- a webhook ------------------------------------------------------------------------ */

static const char *header(gwReq *r, const char *name) {
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* At its headers: what can be refused before the body is read. */
static enum MHD_Result webhookHeaders(gwReq *r) {
    gw_server *s = r->srv;
    if (atomic_load(&s->stopping))
        return refuse(r, 503, "unavailable", "this copy is stopping; retry (another copy takes it)", NULL, RETRY_STOP_S,
                      true);
    if (!gw_route_is_json(header(r, MHD_HTTP_HEADER_CONTENT_TYPE)))
        return refuse(r, 415, "unsupported_media_type", "Content-Type must be application/json (charset utf-8)",
                      "Content-Type", 0, false);
    const char *cl = header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        unsigned long long n = strtoull(cl, &end, 10);
        if (end == cl || *end || n > GW_MAX_BODY)
            return refuse(r, 413, "too_large", "body over 1 MiB (1048576 bytes)", NULL, 0, true);
    }
    if (atomic_fetch_add(&s->inflight, 1) >= s->max_inflight) {
        atomic_fetch_sub(&s->inflight, 1);
        return refuse(r, 503, "unavailable", "too many requests in flight; retry", NULL, RETRY_FULL_S, false);
    }
    r->slot = true;
    gw_metrics_inflight(atomic_load(&s->inflight));
    return MHD_YES;
}

/* gw_accept's answer, on its thread: prepare the response, resume. */
static void answered(void *arg, gw_outcome outcome, int retry_after_s, const gw_mapped *m) {
    gwReq *r = arg;
    const char *id = m->event_id;
    char *json = NULL;
    unsigned status = 503;
    int retry = 0;
    switch (outcome) {
        case GW_OUT_ACCEPTED:
        case GW_OUT_DUPLICATE: {
            status = outcome == GW_OUT_ACCEPTED ? 202 : 200;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "event_id", id);
            if (status == 200) cJSON_AddBoolToObject(o, "duplicate", true);
            json = cJSON_PrintUnformatted(o);
            cJSON_Delete(o);
            if (!json) abort();
            break;
        }
        case GW_OUT_OTHER_SHOP:
            status = 400;
            json = errorJson("invalid", "this event id was taken by another shop; event ids must be unique (a UUID)",
                             "event_id", id);
            break;
        case GW_OUT_BUSY:
            json = errorJson("unavailable", "a request with this event id is being processed; retry", NULL, id);
            retry = retry_after_s;
            break;
        case GW_OUT_KAFKA:
            json = errorJson("unavailable", "Kafka cannot take the write; retry", NULL, id);
            retry = retry_after_s;
            break;
        case GW_OUT_REDIS:
            json = errorJson("unavailable", "event ids cannot be checked (Redis unreachable); retry", NULL, id);
            retry = retry_after_s;
            break;
    }
    if (status >= 400)
        logRefusal(r, status, outcome == GW_OUT_OTHER_SHOP ? "event id of another shop" : "");
    else {
        const char *kv[] = {"platform", cs_webhook_platform_name(r->route.platform),
                            "status",   status == 202 ? "202" : "200",
                            "shop",     r->shop_id,
                            "event_id", id,
                            "kind",     m->kind,
                            NULL};
        cs_log_kv(CS_LOG_DEBUG, "webhook accepted", kv);
    }
    r->resumed = jsonResponse(json, retry, false);
    r->resumed_status = status;
    MHD_resume_connection(r->conn);
}

/* At the end of its body: authenticate, rate, map, hand over. */
static enum MHD_Result webhookBody(gwReq *r) {
    gw_server *s = r->srv;
    if (r->overflow) return refuse(r, 413, "too_large", "body over 1 MiB (1048576 bytes)", NULL, 0, true);
    gw_auth_headers h = {
        .cs_shop = header(r, "X-CS-Shop"),
        .cs_timestamp = header(r, "X-CS-Timestamp"),
        .cs_signature = header(r, "X-CS-Signature"),
        .shopify_hmac = header(r, "X-Shopify-Hmac-Sha256"),
        .shopify_domain = header(r, "X-Shopify-Shop-Domain"),
        .wh_id = header(r, "webhook-id"),
        .wh_timestamp = header(r, "webhook-timestamp"),
        .wh_signature = header(r, "webhook-signature"),
    };
    const char *body = r->body ? r->body : "";
    gw_auth au;
    gw_auth_result ar = gw_auth_verify(r->route.platform, s->shops, &h, body, r->len, r->ingest_ms / 1000, &au);
    if (au.shop) r->shop_id = au.shop->id;
    if (ar != GW_AUTH_OK) {
        unsigned st = (unsigned)gw_auth_status(ar);
        return refuse(r, st, st == 404 ? "not_found" : "unauthorized", au.reason, NULL, 0, false);
    }
    int retry;
    if (!gw_ratelimit_take(s->rl, au.shop, monoUs(), &retry)) {
        gw_metrics_rate_limited(au.shop);
        return refuse(r, 429, "rate_limited", "the shop's webhook rate is exceeded; retry after Retry-After", NULL,
                      retry, false);
    }
    gw_request rq = {
        .platform = r->route.platform,
        .shop = au.shop,
        .body = body,
        .len = r->len,
        .topic = r->route.platform == CS_WEBHOOK_SHOPIFY ? header(r, "X-Shopify-Topic") : NULL,
        .webhook_id = r->route.platform == CS_WEBHOOK_SHOPIFY ? header(r, "X-Shopify-Webhook-Id") : au.webhook_id,
        .ingest_ms = r->ingest_ms,
    };
    gw_error err;
    memset(&err, 0, sizeof err);
    if (gw_map(&rq, &r->mapped, &err) != 0)
        return refuse(r, 400, "invalid", err.reason[0] ? err.reason : "malformed", err.field[0] ? err.field : NULL, 0,
                      false);
    r->mapped_ok = true;
    /* the id is a Redis key and goes into claim values: the mappings bound
     * it (128 bytes for generic), this only guards the gateway's buffers */
    if (strlen(r->mapped.event_id) > GW_MAX_EVENT_ID)
        return refuse(r, 400, "invalid", "event id longer than 256 bytes", "event_id", 0, false);
    /* the body is no longer needed: the records are packed */
    free(r->body);
    r->body = NULL;
    r->len = r->cap = 0;
    /* suspend first: gw_accept may answer (and resume) before we return */
    MHD_suspend_connection(r->conn);
    if (!gw_accept_submit(s->acc, au.shop, &r->mapped, answered, r)) { /* shutting down */
        logRefusal(r, 503, "stopping");
        r->resumed = jsonResponse(errorJson("unavailable", "this copy is stopping; retry", NULL, r->mapped.event_id),
                                  RETRY_STOP_S, true);
        r->resumed_status = 503;
        MHD_resume_connection(r->conn);
    }
    return MHD_YES;
}

/* A piece of body: kept up to GW_MAX_BODY, past it only counted. */
static void webhookUpload(gwReq *r, const char *data, size_t n) {
    if (r->overflow) {
        r->dropped += n;
        return;
    }
    if (n > GW_MAX_BODY - r->len) {
        /* chunked, or a Content-Length that lied: refuse at the end of the
         * upload without keeping any of it (the answer cannot be queued
         * while a piece of upload is being handled) */
        r->overflow = true;
        r->dropped = r->len + n;
        free(r->body);
        r->body = NULL;
        r->len = r->cap = 0;
        return;
    }
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n) cap *= 2;
        if (cap > GW_MAX_BODY) cap = GW_MAX_BODY;
        r->body = cs_xrealloc(r->body, cap);
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls) {
    (void)version;
    gwReq *r = *con_cls;
    if (!r) { /* the headers */
        r = cs_xcalloc(1, sizeof *r);
        r->srv = cls;
        r->conn = conn;
        r->t0_us = monoUs();
        r->ingest_ms = cs_real_ms();
        *con_cls = r;
        gw_route_of(method, url, &r->route);
        if (r->route.kind == GW_ROUTE_NOT_FOUND)
            return refuse(r, 404, "not_found", "no such path (POST /v1/webhooks/{taobao,shopify,generic})", NULL, 0,
                          false);
        if (!r->route.method_ok) {
            char *json = errorJson("method_not_allowed", r->route.allow, NULL, NULL);
            struct MHD_Response *resp = jsonResponse(json, 0, false);
            if (resp) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->route.allow);
            return queue(r, 405, resp);
        }
        if (r->route.kind != GW_ROUTE_WEBHOOK) return serveProbe(r);
        return webhookHeaders(r);
    }
    if (r->resumed) { /* gw_accept answered */
        struct MHD_Response *resp = r->resumed;
        r->resumed = NULL;
        return queue(r, r->resumed_status, resp);
    }
    if (*upload_data_size) {
        webhookUpload(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        if (r->dropped > DISCARD_MAX) {
            logRefusal(r, 413, "upload far over 1 MiB: connection closed");
            r->status = 413;
            return MHD_NO;
        }
        return MHD_YES;
    }
    if (r->status) return MHD_YES; /* answered already (not expected to be called again) */
    return webhookBody(r);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)conn;
    (void)toe;
    gw_server *s = cls;
    gwReq *r = *con_cls;
    if (!r) return;
    *con_cls = NULL;
    gw_metrics_request(r->route.kind == GW_ROUTE_WEBHOOK ? (int)r->route.platform : -1, r->status, monoUs() - r->t0_us);
    if (r->slot) gw_metrics_inflight(atomic_fetch_sub(&s->inflight, 1) - 1);
    if (r->resumed) MHD_destroy_response(r->resumed);
    if (r->mapped_ok) gw_mapped_free(&r->mapped);
    free(r->body);
    free(r);
}

static void mhdLog(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    cs_log_warn("http: %s", line);
}

/* ---- life ------------------------------------------------------------------------------ */

/* "host:port" ("[v6]:port" too) into a socket address. */
static struct addrinfo *resolve(const char *addr, char *errbuf, size_t errlen) {
    char host[256], port[16];
    const char *h = addr, *colon;
    size_t hn;
    if (addr[0] == '[') {
        const char *rb = strchr(addr, ']');
        if (!rb || rb[1] != ':') goto bad;
        h = addr + 1;
        hn = (size_t)(rb - h);
        colon = rb + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon) goto bad;
        hn = (size_t)(colon - addr);
    }
    if (hn >= sizeof host || strlen(colon + 1) >= sizeof port) goto bad;
    memcpy(host, h, hn);
    host[hn] = '\0';
    cs_strlcpy(port, colon + 1, sizeof port);
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (gai != 0) {
        snprintf(errbuf, errlen, "CS_GATEWAY_ADDR %s: %s", addr, gai_strerror(gai));
        return NULL;
    }
    return ai;
bad:
    snprintf(errbuf, errlen, "CS_GATEWAY_ADDR must be host:port, got '%s'", addr);
    return NULL;
}

gw_server *gw_server_start(const gw_config *cfg, const cs_shops *shops, gw_ratelimit *rl, gw_accept *acc, char *errbuf,
                           size_t errlen) {
    struct addrinfo *ai = resolve(cfg->addr, errbuf, errlen);
    if (!ai) return NULL;
    gw_server *s = cs_xcalloc(1, sizeof *s);
    s->shops = shops;
    s->rl = rl;
    s->acc = acc;
    s->max_inflight = cfg->max_inflight;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
    /* connections: every request in flight, plus idle keep-alive ones and
     * probes; past it the kernel's backlog holds them */
    unsigned limit = (unsigned)cfg->max_inflight * 2 + 256;
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, s, MHD_OPTION_EXTERNAL_LOGGER, mhdLog, NULL,
                            MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->http_threads,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, limit,
                            MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                            MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!s->d) {
        snprintf(errbuf, errlen, "cannot listen on %s (in use, or not a local address?)", cfg->addr);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    return s;
}

int gw_server_port(const gw_server *s) { return s->port; }

void gw_server_refuse_new(gw_server *s) { atomic_store(&s->stopping, true); }

void gw_server_quiesce(gw_server *s) {
    atomic_store(&s->stopping, true);
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET) close(fd); /* ours to close once quiesced */
}

int gw_server_inflight(const gw_server *s) { return atomic_load(&((gw_server *)s)->inflight); }

void gw_server_stop(gw_server *s) {
    if (!s) return;
    MHD_stop_daemon(s->d);
    free(s);
}
