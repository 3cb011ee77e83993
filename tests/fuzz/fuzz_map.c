/* fuzz_map.c -- libFuzzer target for the webhook mapping (gw_map).
 *
 * A webhook body is the gateway's only input an outsider writes byte by
 * byte (the signature proves who sent it, not that it is well formed), so
 * every byte string must map to records or to a 400, never to a crash, a
 * leak or undefined behaviour. Each input is fed as the body of every
 * platform, with the headers each one reads: generic with and without a
 * webhook-id, Taobao, and Shopify under several X-Shopify-Topic values.
 * What maps must also make sense: 1..GW_MAX_RECORDS records, each with a
 * topic, key, event id and an envelope that unpacks.
 *
 * Built with clang only (cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang-14
 * -DCS_FUZZ=ON; cmake --build build-fuzz --target fuzz_map) and run by
 * tests/run.sh for 60 s on a copy of tests/fuzz/corpus/map. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/shop.h"
#include "cs/tz.h"
#include "cs/v1/envelope.pb-c.h"
#include "gw_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cs_shop shop;

/* The fixed test shop: a Tmall shop in Asia/Shanghai, money in CNY. */
static const cs_shop *fuzz_shop(void) {
    if (!shop.id) {
        char err[256];
        shop.tz = cs_tz_load("Asia/Shanghai", err, sizeof err);
        if (!shop.tz) {
            fprintf(stderr, "fuzz_map: cannot load Asia/Shanghai: %s\n", err);
            abort();
        }
        shop.id = (char *)"fuzz-shop";
        shop.channel = CS_CHANNEL_TMALL;
        shop.time_zone = (char *)"Asia/Shanghai";
        shop.shopify_domain = (char *)"fuzz-shop.myshopify.com";
        memcpy(shop.currency, "CNY", 4);
        shop.address_required = CS_ADDR_ALL;
        cs_thresholds_defaults(&shop.th);
    }
    return &shop;
}

/* A mapped request must be whole: a broken record is a bug even if no
 * sanitizer sees it, so it aborts for libFuzzer to keep the input. */
static void check_mapped(const gw_mapped *m) {
    if (m->n < 1 || m->n > GW_MAX_RECORDS || !m->event_id) abort();
    for (size_t i = 0; i < m->n; i++) {
        const gw_record *r = &m->rec[i];
        if (!r->topic || !r->key || !r->key[0] || !r->event_id || !r->value) abort();
        Cs__V1__Envelope *env = cs__v1__envelope__unpack(NULL, r->len, r->value);
        if (!env || strcmp(env->event_id, r->event_id) != 0 || strcmp(env->shop_id, shop.id) != 0) abort();
        cs__v1__envelope__free_unpacked(env, NULL);
    }
}

static void map_once(cs_webhook_platform p, const char *topic, const char *webhook_id, const uint8_t *data,
                     size_t size) {
    gw_request rq = {.platform = p,
                     .shop = fuzz_shop(),
                     .body = (const char *)data,
                     .len = size,
                     .topic = topic,
                     .webhook_id = webhook_id,
                     .ingest_ms = INT64_C(1790000000000)};
    gw_mapped m;
    gw_error err;
    if (gw_map(&rq, &m, &err) == 0) {
        check_mapped(&m);
        gw_mapped_free(&m);
    } else if (!err.field[0] || !err.reason[0]) {
        abort(); /* a 400 must name the field and the reason */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const shopify_topics[] = {"orders/create",    "orders/paid",      "orders/updated",
                                                 "orders/cancelled", "orders/fulfilled", "refunds/create"};
    map_once(CS_WEBHOOK_GENERIC, NULL, NULL, data, size);
    map_once(CS_WEBHOOK_GENERIC, NULL, "msg_fuzz", data, size);
    map_once(CS_WEBHOOK_TAOBAO, NULL, NULL, data, size);
    for (size_t i = 0; i < sizeof shopify_topics / sizeof shopify_topics[0]; i++)
        map_once(CS_WEBHOOK_SHOPIFY, shopify_topics[i], "fuzz-webhook-id", data, size);
    return 0;
}
