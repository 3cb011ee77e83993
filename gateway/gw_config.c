/* gw_config.c -- the gateway's CS_GATEWAY_* variables: one table, one row
 * each (cs/envtable.h, as the notifier's nt_config.c), so loading,
 * validation and --help cannot disagree. */
#include "gw_config.h"

#include <stdlib.h>
#include <string.h>

#include "cs/envtable.h"

/* CS_GATEWAY_ADDR: "host:port" with a numeric port. */
static int hostPort(const char *v, char *why, size_t whylen) {
    const char *colon = strrchr(v, ':');
    if (colon && colon != v && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) return 1;
    snprintf(why, whylen, "must be host:port");
    return 0;
}

#define OFF(f) offsetof(gw_config, f)
#define SZ(f) sizeof(((gw_config *)0)->f)

static const cs_env_row rows[] = {
    {"CS_GATEWAY_ADDR", 0, OFF(addr), SZ(addr), "127.0.0.1:8080", 0, 0,
     "host:port of POST /v1/webhooks/{platform}, /healthz, /readyz and /metrics", hostPort},
    {"CS_GATEWAY_HTTP_THREADS", 1, OFF(http_threads), 0, "2", 1, 64,
     "HTTP event-loop threads (they never wait on Redis or Kafka)", NULL},
    {"CS_GATEWAY_MAX_INFLIGHT", 1, OFF(max_inflight), 0, "512", 1, 100000,
     "requests taken and not yet answered; more answer 503 (memory: at most this many 1 MiB bodies)", NULL},
    {"CS_GATEWAY_ID_TTL", 1, OFF(id_ttl_s), 0, "604800", 60, 31536000,
     "seconds an accepted event id is remembered in Redis (a repeat within it answers 200)", NULL},
    {"CS_GATEWAY_CLAIM_TTL_MS", 1, OFF(claim_ttl_ms), 0, "30000", 1000, 600000,
     "an event id claimed by a copy that died is free again after this (ms)", NULL},
    {"CS_GATEWAY_CLAIM_WAIT_MS", 1, OFF(claim_wait_ms), 0, "5000", 0, 60000,
     "a request whose event id another request is producing waits this long (ms) for the outcome, then 503", NULL},
    {"CS_GATEWAY_PRODUCE_TIMEOUT_MS", 1, OFF(produce_timeout_ms), 0, "5000", 500, 300000,
     "Kafka acknowledgement deadline (ms, message.timeout.ms); past it the request answers 503", NULL},
};

#define NROWS (sizeof rows / sizeof rows[0])

int gw_config_load(gw_config *c, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    if (cs_env_table_load(rows, NROWS, c, err, errlen) != 0) return -1;
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

void gw_config_usage(FILE *out) { cs_env_table_usage(out, "Gateway", rows, NROWS); }
