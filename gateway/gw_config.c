/* gw_config.c -- the gateway's CS_GATEWAY_* variables: one table, one row
 * each (as shared/src/config.c and the notifier's nt_config.c), so loading,
 * validation and --help cannot disagree. */
#include "gw_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cs/util.h"

typedef struct gwRow {
    const char *name; /* environment variable */
    int isInt;        /* 1: an integer in [min, max]; 0: a string */
    size_t offset;    /* into gw_config */
    size_t size;      /* string fields: buffer size */
    const char *def;  /* default as text */
    long min, max;    /* integers: inclusive range */
    const char *help; /* one line for --help and docs/config.md */
} gwRow;

#define OFF(f) offsetof(gw_config, f)
#define SZ(f) sizeof(((gw_config *)0)->f)

static const gwRow rows[] = {
    {"CS_GATEWAY_ADDR", 0, OFF(addr), SZ(addr), "127.0.0.1:8080", 0, 0,
     "host:port of POST /v1/webhooks/{platform}, /healthz, /readyz and /metrics"},
    {"CS_GATEWAY_HTTP_THREADS", 1, OFF(http_threads), 0, "2", 1, 64,
     "HTTP event-loop threads (they never wait on Redis or Kafka)"},
    {"CS_GATEWAY_MAX_INFLIGHT", 1, OFF(max_inflight), 0, "512", 1, 100000,
     "requests taken and not yet answered; more answer 503 (memory: at most this many 1 MiB bodies)"},
    {"CS_GATEWAY_ID_TTL", 1, OFF(id_ttl_s), 0, "604800", 60, 31536000,
     "seconds an accepted event id is remembered in Redis (a repeat within it answers 200)"},
    {"CS_GATEWAY_CLAIM_TTL_MS", 1, OFF(claim_ttl_ms), 0, "30000", 1000, 600000,
     "an event id claimed by a copy that died is free again after this (ms)"},
    {"CS_GATEWAY_CLAIM_WAIT_MS", 1, OFF(claim_wait_ms), 0, "5000", 0, 60000,
     "a request whose event id another request is producing waits this long (ms) for the outcome, then 503"},
    {"CS_GATEWAY_PRODUCE_TIMEOUT_MS", 1, OFF(produce_timeout_ms), 0, "5000", 500, 300000,
     "Kafka acknowledgement deadline (ms, message.timeout.ms); past it the request answers 503"},
};

#define NROWS (sizeof rows / sizeof rows[0])

int gw_config_load(gw_config *c, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NROWS; i++) {
        const gwRow *r = &rows[i];
        const char *v = getenv(r->name);
        if (!v) v = r->def;
        if (r->isInt) {
            char *end;
            errno = 0;
            long n = strtol(v, &end, 10);
            if (errno || end == v || *end || n < r->min || n > r->max) {
                snprintf(err, errlen, "%s: must be an integer from %ld to %ld, got '%s'", r->name, r->min, r->max, v);
                return -1;
            }
            *(int *)((char *)c + r->offset) = (int)n;
        } else {
            const char *colon = strrchr(v, ':');
            if (!colon || colon == v || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
                snprintf(err, errlen, "%s: must be host:port, got '%s'", r->name, v);
                return -1;
            }
            if (strlen(v) >= r->size) {
                snprintf(err, errlen, "%s: longer than %zu bytes", r->name, r->size - 1);
                return -1;
            }
            cs_strlcpy((char *)c + r->offset, v, r->size);
        }
    }
    /* A claim must outlive the produce it guards: were it to expire while
     * Kafka may still acknowledge, a copy could produce the event again. */
    if (c->claim_ttl_ms < c->produce_timeout_ms + 1000) {
        snprintf(err, errlen,
                 "CS_GATEWAY_CLAIM_TTL_MS: must exceed CS_GATEWAY_PRODUCE_TIMEOUT_MS by at least 1000, got %d and %d",
                 c->claim_ttl_ms, c->produce_timeout_ms);
        return -1;
    }
    return 0;
}

void gw_config_usage(FILE *out) {
    fprintf(out, "Gateway:\n");
    for (size_t i = 0; i < NROWS; i++) {
        const gwRow *r = &rows[i];
        fprintf(out, "  %-29s %s\n  %-29s   default '%s'", r->name, r->help, "", r->def);
        if (r->isInt) fprintf(out, ", range %ld..%ld", r->min, r->max);
        fputc('\n', out);
    }
}
