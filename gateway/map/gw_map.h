/* gw_map.h -- a webhook body into the cs.v1 records it stands for.
 *
 * Pure: (platform, authenticated shop, headers that name the event, raw
 * body, ingest time) -> the Kafka records to produce, or the field that is
 * wrong and why (the gateway answers 400 with both). No I/O: the gateway
 * (the files of gateway/ itself) authenticates, claims the event id, produces and answers;
 * this part only reads JSON (cJSON) and writes protobuf, so it is unit
 * tested and fuzzed without servers (tests/unit/gateway, tests/fuzz).
 *
 * One request is one event with one id (the idempotency key of the
 * gateway's accepted-ids in Redis); it maps to 1..GW_MAX_RECORDS records
 * (a Shopify orders/updated carries several field groups of OV-12, each
 * its own OrderEvent). The first record's event id is the request's; the
 * others derive theirs as "<id>#<n>", so a repeat derives the same ids and
 * the workers' dedupe keeps each effect single.
 *
 * Money is a decimal string in every body and becomes integer fen exactly
 * (gw_money_fen); a JSON number where money is expected is refused. */
#ifndef GW_MAP_H
#define GW_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/shop.h"

#define GW_MAX_RECORDS 4

typedef struct gw_request {
    cs_webhook_platform platform;
    const cs_shop *shop;    /* authenticated: its secret verified the signature */
    const char *body;       /* raw body, len bytes, not NUL-terminated */
    size_t len;
    const char *topic;      /* shopify: X-Shopify-Topic; else NULL */
    const char *webhook_id; /* X-Shopify-Webhook-Id, or the Standard Webhooks
                             * webhook-id of a generic request; NULL if none */
    int64_t ingest_ms;      /* the gateway's clock when it took the request */
} gw_request;

typedef struct gw_record {
    const char *topic; /* a CS_TOPIC_* name (static) */
    char *key;         /* the Kafka key (docs/topics.md) */
    char *event_id;    /* the envelope's event id */
    uint8_t *value;    /* a packed cs.v1.Envelope */
    size_t len;
} gw_record;

typedef struct gw_mapped {
    char *event_id; /* the request's event id: the idempotency key */
    char kind[48];  /* what it was, for logs and metrics: "order.created", "taobao_trade_TradeCreate" */
    size_t n;
    gw_record rec[GW_MAX_RECORDS];
} gw_mapped;

typedef struct gw_error {
    char field[128];  /* JSON path of the offending field: "data.lines[2].unit_price", or a header name */
    char reason[256]; /* why, for a person: "a JSON number; money is a decimal string such as \"117.70\"" */
} gw_error;

/* Maps the request. 0 and *out filled (free with gw_mapped_free), or -1 and
 * *err filled (nothing to free): the gateway answers 400. */
int gw_map(const gw_request *rq, gw_mapped *out, gw_error *err);
void gw_mapped_free(gw_mapped *m);

/* A decimal money string ("117.70", "0.10", "5", "99999999.99") into fen,
 * exactly, never through a float: 1..11 integer digits (no leading zero
 * but a lone "0"), then optionally '.' and one or two decimals; no sign,
 * no exponent, no blanks, no "1." nor ".5"; at most 99,999,999,999.99.
 * 0 and *fen, or -1 with a reason in why. */
int gw_money_fen(const char *s, int64_t *fen, char *why, size_t whylen);

#endif
