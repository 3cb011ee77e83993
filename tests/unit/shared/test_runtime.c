/* test_runtime.c -- the runtime's first check of a consumed record
 * (cs_event_decode), without Kafka: a whole envelope of a known shop
 * decodes, anything else is poison with a reason that is valid UTF-8 (it
 * is a dead-letter row). The rest of the runtime needs the real stack
 * (tests/integration). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/runtime.h"
#include "cs/shop.h"
#include "cs/text.h"
#include "cs/tz.h"
#include "ct.h"

static cs_shops *sample(void) {
    char path[4096], err[512];
    const char *root = getenv("CS_SOURCE_DIR");
    if (root && *root) {
        snprintf(path, sizeof path, "%s/deploy/config/shops.sample.json", root);
    } else {
        const char *me = __FILE__;
        const char *cut = strstr(me, "tests/unit/shared/test_runtime.c");
        snprintf(path, sizeof path, "%.*sdeploy/config/shops.sample.json", cut ? (int)(cut - me) : 0, me);
    }
    cs_shops *s = cs_shops_load(path, err, sizeof err);
    if (!s) fprintf(stderr, "  %s\n", err);
    return s;
}

/* Packs an inventory envelope of shop_id at event_ms into buf; returns
 * its length. */
static size_t packInventoryAt(const char *shop_id, int64_t event_ms, uint8_t *buf, size_t cap) {
    Cs__V1__InventoryLevel inv = CS__V1__INVENTORY_LEVEL__INIT;
    inv.sku = (char *)"SKU-1";
    Cs__V1__Envelope e = CS__V1__ENVELOPE__INIT;
    e.event_id = (char *)"ev-1";
    e.shop_id = (char *)shop_id;
    e.event_ms = event_ms;
    e.body_case = CS__V1__ENVELOPE__BODY_INVENTORY;
    e.inventory = &inv;
    size_t n = cs__v1__envelope__get_packed_size(&e);
    CT_CHECK(n <= cap);
    return n <= cap ? cs__v1__envelope__pack(&e, buf) : 0;
}

static size_t packInventory(const char *shop_id, uint8_t *buf, size_t cap) {
    return packInventoryAt(shop_id, INT64_C(1790000000000), buf, cap);
}

static void decode(cs_event *ev, const uint8_t *buf, size_t n, const cs_shops *shops, int want) {
    memset(ev, 0, sizeof *ev);
    ev->topic = "shop.inventory.v1";
    ev->key = "";
    CT_EQ_INT(cs_event_decode(ev, buf, n, NULL, shops), want);
}

static void test_envelope_of_a_known_shop_decodes(void) {
    cs_shops *shops = sample();
    CT_CHECK(shops != NULL);
    uint8_t buf[512];
    size_t n = packInventory("tb-demo", buf, sizeof buf);
    cs_event ev;
    decode(&ev, buf, n, shops, 0);
    CT_CHECK(!ev.poison);
    CT_CHECK(ev.shop == cs_shops_find(shops, "tb-demo"));
    CT_EQ_STR(ev.env->inventory->sku, "SKU-1");
    cs__v1__envelope__free_unpacked(ev.env, NULL);
    cs_shops_free(shops);
}

static void test_bytes_that_are_no_envelope_are_poison(void) {
    cs_shops *shops = sample();
    static const uint8_t junk[] = {0xff, 0xff, 0xff};
    cs_event ev;
    decode(&ev, junk, sizeof junk, shops, -1);
    CT_CHECK(ev.poison && ev.env == NULL);
    CT_EQ_STR(ev.reason, "decode: not a cs.v1.Envelope (3 bytes)");
    cs_shops_free(shops);
}

/* Found by fuzz_envelope: "unknown shop '%.64s'" cut a shop id of clean
 * UTF-8 inside its 64th byte's character, and PostgreSQL refuses such a
 * reason in dead_letters (the batch failed again and again). */
static void test_unknown_shop_reason_cut_inside_a_character_is_valid_utf8(void) {
    cs_shops *shops = sample();
    char shop[80];
    memset(shop, 'a', 63);
    strcpy(shop + 63, "\xc3\xa9"); /* é across bytes 64 and 65 */
    uint8_t buf[512];
    size_t n = packInventory(shop, buf, sizeof buf);
    cs_event ev;
    decode(&ev, buf, n, shops, -1);
    CT_CHECK(ev.poison);
    CT_EQ_INT(strncmp(ev.reason, "unknown shop 'aaaa", 18), 0);
    CT_EQ_INT((int)cs_utf8_repair(ev.reason), 0); /* nothing left to repair */
    CT_EQ_STR(ev.reason + strlen(ev.reason) - 2, "?'");
    cs__v1__envelope__free_unpacked(ev.env, NULL);
    cs_shops_free(shops);
}

/* Found by fuzz_envelope: an event "at" INT64_MAX - 127 ms passed, and
 * RF-2 added the case deadline's 7 days to it (signed overflow). An event
 * time past 9999 is refused as the envelope's; 9999-12-31 23:59:59.999
 * is the last one taken. */
static void test_event_ms_past_year_9999_is_poison(void) {
    cs_shops *shops = sample();
    uint8_t buf[512];
    cs_event ev;
    size_t n = packInventoryAt("tb-demo", INT64_C(9223372036854775680), buf, sizeof buf);
    decode(&ev, buf, n, shops, -1);
    CT_EQ_STR(ev.reason, "validation: envelope.event_ms missing, negative or past year 9999");
    cs__v1__envelope__free_unpacked(ev.env, NULL);
    n = packInventoryAt("tb-demo", CS_TZ_MAX_MS + 1, buf, sizeof buf);
    decode(&ev, buf, n, shops, -1);
    cs__v1__envelope__free_unpacked(ev.env, NULL);
    n = packInventoryAt("tb-demo", CS_TZ_MAX_MS, buf, sizeof buf);
    decode(&ev, buf, n, shops, 0);
    cs__v1__envelope__free_unpacked(ev.env, NULL);
    cs_shops_free(shops);
}

CT_MAIN(CT_CASE(test_envelope_of_a_known_shop_decodes), CT_CASE(test_bytes_that_are_no_envelope_are_poison),
        CT_CASE(test_unknown_shop_reason_cut_inside_a_character_is_valid_utf8),
        CT_CASE(test_event_ms_past_year_9999_is_poison))
