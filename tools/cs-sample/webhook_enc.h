/* webhook_enc.h -- one sample record as the webhook request a shop would
 * send the gateway for it (docs/webhooks.md).
 *
 * Why: the demo's morning goes through the gateway (cs-sample --gateway)
 * rather than straight into Kafka, in the formats the shops' platforms
 * really use: a Taobao/Tmall shop's order events and refunds as Taobao TMC
 * messages, a Shopify store's orders and refunds as Shopify webhooks, and
 * everything else in the project's generic format. The gateway must turn
 * each request back into exactly the record the sample made, so the demo's
 * verdicts and counts do not depend on the path.
 *
 * The rule that keeps it honest: a platform request is only used when the
 * gateway's own mapping (gw_map(), linked here) turns it back into the
 * same record -- same topic, same envelope but for ingest_ms and source.
 * A record the platform's format cannot carry without loss (a Taobao trade
 * has no courier chosen at checkout, a TMC time no milliseconds, a Shopify
 * orders/updated is four records) is sent as generic instead, and the
 * request says why (cs_webhook.fallback). A generic request is checked the
 * same way; a record not even that carries is an error.
 *
 * Memory: a cs_webhook owns its body and event id; free with
 * cs_webhook_free(). Shop pointers point into the cs_shops set passed in,
 * which must outlive the request. */
#ifndef CS_WEBHOOK_ENC_H
#define CS_WEBHOOK_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/shop.h"
#include "cs/v1/envelope.pb-c.h"

#define CS_WEBHOOK_MAX_HEADERS 6
#define CS_WEBHOOK_HEADER_LEN 256

typedef struct cs_webhook {
    cs_webhook_platform platform; /* the endpoint: /v1/webhooks/<platform> */
    char shop_id[64];             /* X-CS-Shop (generic, taobao): the record's shop */
    const char *shopify_domain;   /* X-Shopify-Shop-Domain (shopify); not owned */
    const char *secret;           /* the shop's current secret for the platform; NULL = none */
    const char *kind;             /* TMC topic, X-Shopify-Topic or generic type (static) */
    char *event_id;               /* owned: the request's event id */
    char *body;                   /* owned: the raw JSON body (not NUL-terminated for poison) */
    size_t len;                   /* bytes of body */
    int expect;                   /* the answer expected: 202, or a refusal for a poison record */
    char fallback[256];           /* why a platform shop's record went generic ("taobao: loses
                                   * order.courier"), or "" */
} cs_webhook;

/* The platform a shop's own events come from: taobao for a Taobao or
 * Tmall shop with a taobao secret, shopify for a shop with a
 * shopify_domain and a shopify secret, else generic. */
cs_webhook_platform cs_webhook_platform_of(const cs_shop *shop);

/* Encodes env (a record of topic) for platform p as shop's request, with
 * no check. 0, or -1 with why when p's format has no topic for it. */
int cs_webhook_encode_as(cs_webhook_platform p, const cs_shop *shop, const Cs__V1__Envelope *env, cs_webhook *out,
                         char *why, size_t whylen);

/* Whether the gateway's mapping turns w back into env on topic: 0, or -1
 * with why (the first field that differs, or the gateway's refusal). */
int cs_webhook_check(const cs_webhook *w, const cs_shop *shop, const char *topic, const Cs__V1__Envelope *env,
                     char *why, size_t whylen);

/* The generic mapping stamps the shop's channel on every order event, the
 * platforms' and the sample only on CREATED: got (a mapped record of sent)
 * loses a channel sent did not have when it is the shop's. */
void cs_webhook_unstamp_channel(Cs__V1__Envelope *got, const Cs__V1__Envelope *sent, const cs_shop *shop);

/* The request for record (topic, env) of shop env->shop_id: the shop's
 * platform when it carries the record without loss, else generic. 0, or
 * -1 with err (unknown shop, or not even generic carries it). */
int cs_webhook_encode(const cs_shops *shops, const char *topic, const Cs__V1__Envelope *env, cs_webhook *out, char *err,
                      size_t errlen);

/* A poison record (cs_sample_poison) as the malformed request that stands
 * for it: bytes that are no protobuf become a body that is no JSON (400);
 * a record of a shop not in the file is sent in its name (404); any other
 * is sent generic as it is (a negative amount: 400). */
void cs_webhook_encode_poison(const cs_shops *shops, const char *key, const uint8_t *value, size_t len,
                              cs_webhook *out);

/* The headers that sign w at now_s (unix seconds), "Name: value" each,
 * Content-Type included. Returns how many. */
int cs_webhook_headers(const cs_webhook *w, int64_t now_s, char out[CS_WEBHOOK_MAX_HEADERS][CS_WEBHOOK_HEADER_LEN]);

/* "/v1/webhooks/<platform>" (static). */
const char *cs_webhook_path(cs_webhook_platform p);

void cs_webhook_free(cs_webhook *w);

#endif
