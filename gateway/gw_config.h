/* gw_config.h -- the gateway's own CS_GATEWAY_* variables (docs/config.md,
 * "Gateway"). What every process reads (CS_KAFKA_BROKERS, CS_REDIS_URL,
 * CS_SHOPS_FILE, CS_LOG_LEVEL, CS_INSTANCE) stays in the runtime's table
 * (shared/src/config.c); these only the gateway reads, so they live here as
 * the notifier's do, read and validated the same way (a bad value stops the
 * process naming the variable) and printed by `gateway --help`. */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stddef.h>
#include <stdio.h>

typedef struct gw_config {
    char addr[256];         /* CS_GATEWAY_ADDR: host:port of webhooks, /healthz, /readyz, /metrics */
    int http_threads;       /* CS_GATEWAY_HTTP_THREADS: libmicrohttpd's pool of event loops */
    int max_inflight;       /* CS_GATEWAY_MAX_INFLIGHT: requests between headers and answer */
    int id_ttl_s;           /* CS_GATEWAY_ID_TTL: how long an accepted event id is remembered */
    int claim_ttl_ms;       /* CS_GATEWAY_CLAIM_TTL_MS: a claim left by a crashed copy expires */
    int claim_wait_ms;      /* CS_GATEWAY_CLAIM_WAIT_MS: a copy of an event in flight waits this long */
    int produce_timeout_ms; /* CS_GATEWAY_PRODUCE_TIMEOUT_MS: Kafka's message.timeout.ms */
} gw_config;

/* Reads the variables; 0, or -1 with "CS_NAME: reason". */
int gw_config_load(gw_config *c, char *err, size_t errlen);
void gw_config_usage(FILE *out);

#endif
