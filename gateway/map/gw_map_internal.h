/* gw_map_internal.h -- what the platform mappings share behind gw_map().
 *
 * gw_map() (map.c) runs the checks every platform shares, then hands the
 * parsed body to one mapping per platform: generic.c, taobao.c,
 * shopify.c. A mapping reads fields with gw_json.h and emits each record
 * with gw_mapped_emit(), which stamps the envelope (event id, shop, times,
 * source) and packs it, so no mapping packs or names ids by itself. */
#ifndef GW_MAP_INTERNAL_H
#define GW_MAP_INTERNAL_H

#include <cjson/cJSON.h>

#include "cs/v1/envelope.pb-c.h"
#include "gw_json.h"
#include "gw_map.h"

#define GW_MAX_EVENT_ID 128 /* bytes of an event id (the gateway's idempotency key) */

/* One platform's mapping: root is the parsed body (a JSON object, checked
 * by gw_json_parse()); out has been zeroed. 0, or -1 with err filled; on
 * -1 gw_map() frees whatever was put in out. */
typedef int (*gw_map_fn)(const gw_request *rq, const cJSON *root, gw_mapped *out, gw_error *err);

int gw_map_generic(const gw_request *rq, const cJSON *root, gw_mapped *out, gw_error *err);
int gw_map_taobao(const gw_request *rq, const cJSON *root, gw_mapped *out, gw_error *err);
int gw_map_shopify(const gw_request *rq, const cJSON *root, gw_mapped *out, gw_error *err);

/* An event id fit to be an idempotency key and a Kafka header: 1..128
 * visible ASCII characters (0x21..0x7E). */
bool gw_event_id_valid(const char *id);

/* Sets the request's event id (copied) and what it was ("order.created"). */
void gw_mapped_begin(gw_mapped *m, const char *event_id, const char *kind);

/* Appends a record: topic (a CS_TOPIC_* constant), key (copied; built with
 * snprintf in the formats of docs/topics.md), env
 * packed after its envelope fields are stamped: event id (the request's
 * for the first record, "<id>#<n>" for the n-th after it), shop id
 * (rq->shop->id), event_ms, ingest_ms (rq->ingest_ms) and source. env's
 * body is the caller's; env itself is changed only in those fields.
 * 0, or -1 with err when the request already has GW_MAX_RECORDS. */
int gw_mapped_emit(gw_mapped *m, const gw_request *rq, const char *source, int64_t event_ms, const char *topic,
                   const char *key, Cs__V1__Envelope *env, gw_error *err);

#endif
