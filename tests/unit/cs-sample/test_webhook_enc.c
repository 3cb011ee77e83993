/* test_webhook_enc.c -- cs-sample's webhook encoder (tools/cs-sample/
 * webhook_enc.c): a whole sample morning and its days after, every record
 * encoded as the webhook its shop would send and mapped back by the
 * gateway's own mapping (gw_map), must come back as the record it was
 * (the envelope but for ingest_ms and source, byte for byte once packed);
 * records a platform cannot carry go generic, poison records become
 * refused requests, and the headers sign as the gateway verifies. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "gw_auth.h"
#include "gw_map.h"
#include "sample_gen.h"
#include "webhook_enc.h"

#define SAMPLE_ORDERS 2000
#define TOPIC_CONTACTS "shop.contacts.v1"

static cs_shops *loadShops(void) {
    const char *src = getenv("CS_SOURCE_DIR");
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/deploy/config/shops.sample.json", src ? src : ".");
    cs_shops *s = cs_shops_load(path, err, sizeof err);
    if (!s) fprintf(stderr, "  shops: %s\n", err);
    return s;
}

/* env packed without the gateway's own stamps (ingest_ms, source). */
static uint8_t *packBare(const Cs__V1__Envelope *env, size_t *len) {
    Cs__V1__Envelope e = *env;
    e.ingest_ms = 0;
    e.source = NULL;
    *len = cs__v1__envelope__get_packed_size(&e);
    uint8_t *buf = malloc(*len ? *len : 1);
    cs__v1__envelope__pack(&e, buf);
    return buf;
}

/* Counts of requests by platform, and of fallbacks by what they were and why. */
#define MAX_REASONS 48
typedef struct tally {
    long platform[CS_WEBHOOK_PLATFORMS];
    long failures, rekeyed;
    struct {
        const char *what; /* static (the generator's) */
        char why[256];
        long n;
    } reason[MAX_REASONS];
    int nreason;
} tally;

static void countFallback(tally *t, const char *what, const char *why) {
    for (int i = 0; i < t->nreason; i++)
        if (strcmp(t->reason[i].what, what) == 0 && strcmp(t->reason[i].why, why) == 0) {
            t->reason[i].n++;
            return;
        }
    if (t->nreason == MAX_REASONS) return;
    t->reason[t->nreason].what = what;
    snprintf(t->reason[t->nreason].why, sizeof t->reason[t->nreason].why, "%s", why);
    t->reason[t->nreason++].n = 1;
}

/* Encodes ev, maps the request back as the gateway would and compares. */
static void roundTrip(const cs_shops *shops, const cs_sample_event *ev, tally *t) {
    cs_webhook w;
    char err[512];
    if (cs_webhook_encode(shops, ev->topic, ev->env, &w, err, sizeof err) != 0) {
        if (t->failures++ < 5) fprintf(stderr, "  %s: %s\n", ev->what, err);
        return;
    }
    t->platform[w.platform]++;
    if (w.fallback[0]) countFallback(t, ev->what, w.fallback);
    const cs_shop *shop = cs_shops_find(shops, w.shop_id);
    bool shopify = w.platform == CS_WEBHOOK_SHOPIFY;
    gw_request rq = {.platform = w.platform,
                     .shop = shop,
                     .body = w.body,
                     .len = w.len,
                     .topic = shopify ? w.kind : NULL,
                     .webhook_id = shopify ? w.event_id : NULL,
                     .ingest_ms = 1};
    gw_mapped m;
    gw_error e;
    bool ok = shop && gw_map(&rq, &m, &e) == 0;
    if (ok) {
        Cs__V1__Envelope *got = m.n == 1 ? cs__v1__envelope__unpack(NULL, m.rec[0].len, m.rec[0].value) : NULL;
        if (got) cs_webhook_unstamp_channel(got, ev->env, shop);
        size_t la = 0, lb = 0;
        uint8_t *a = packBare(ev->env, &la), *b = got ? packBare(got, &lb) : NULL;
        ok = got && strcmp(m.rec[0].topic, ev->topic) == 0 && strcmp(m.rec[0].event_id, ev->env->event_id) == 0 &&
             strcmp(got->event_id, ev->env->event_id) == 0 && la == lb && memcmp(a, b, la) == 0;
        /* the gateway keys an inbound SMS by its number (docs/topics.md), the sample by its order */
        if (ok && strcmp(m.rec[0].key, ev->key) != 0) {
            bool sms = strcmp(ev->topic, TOPIC_CONTACTS) == 0 &&
                       ev->env->contact->body_case == CS__V1__CONTACT_EVENT__BODY_SMS;
            ok = sms;
            t->rekeyed += sms;
        }
        free(a);
        free(b);
        if (got) cs__v1__envelope__free_unpacked(got, NULL);
        gw_mapped_free(&m);
    } else if (t->failures < 5) {
        fprintf(stderr, "  %s via %s refused: %s: %s\n", ev->what, cs_webhook_platform_name(w.platform), e.field,
                e.reason);
    }
    if (!ok && t->failures++ < 5) fprintf(stderr, "  %s via %s does not round-trip\n", ev->what, w.kind);
    cs_webhook_free(&w);
}

static void test_a_sample_morning_and_its_days_round_trip_through_the_gateway_mapping(void) {
    cs_shops *shops = loadShops();
    char err[256];
    cs_sample_opts o = {.run_id = "wh-test", .seed = 1, .count = SAMPLE_ORDERS, .counted_ms = 1794322800123LL};
    cs_sample *s = cs_sample_new(&o, err, sizeof err);
    CT_CHECK(shops && s);
    if (!shops || !s) goto out;
    tally t;
    memset(&t, 0, sizeof t);
    cs_sample_arena a;
    cs_sample_arena_init(&a);
    cs_sample_event ev, evs[CS_SAMPLE_MAX_DAY_EVENTS];
    long records = 0;
    for (int k = 0; k < cs_sample_preamble_count(s); k++, records++) {
        cs_sample_preamble_event(s, k, &a, &ev);
        roundTrip(shops, &ev, &t);
        cs_sample_arena_reset(&a);
    }
    for (int i = 0; i < SAMPLE_ORDERS; i++) {
        int n = cs_sample_order_events(s, i, &a, evs);
        for (int k = 0; k < n; k++, records++) roundTrip(shops, &evs[k], &t);
        cs_sample_arena_reset(&a);
    }
    for (int k = 0; k < cs_sample_epilogue_count(s); k++, records++) {
        cs_sample_epilogue_event(s, k, &a, &ev);
        roundTrip(shops, &ev, &t);
        cs_sample_arena_reset(&a);
    }
    for (int ph = 0; ph < CS_SAMPLE_NPHASES; ph++) {
        int n = cs_sample_day_events(s, (cs_sample_phase)ph, &a, evs, CS_SAMPLE_MAX_DAY_EVENTS);
        for (int k = 0; k < n; k++, records++) roundTrip(shops, &evs[k], &t);
        cs_sample_arena_reset(&a);
    }
    fprintf(stderr, "  %ld records: taobao %ld, shopify %ld, generic %ld (%ld SMS replies keyed by number)\n", records,
            t.platform[CS_WEBHOOK_TAOBAO], t.platform[CS_WEBHOOK_SHOPIFY], t.platform[CS_WEBHOOK_GENERIC], t.rekeyed);
    for (int i = 0; i < t.nreason; i++)
        fprintf(stderr, "    generic instead: %-22s %5ld  %s\n", t.reason[i].what, t.reason[i].n, t.reason[i].why);
    CT_EQ_INT(t.failures, 0);
    CT_EQ_INT(t.platform[0] + t.platform[1] + t.platform[2], records);
    /* all three platforms carry a realistic share: most order events of
     * the Taobao and Tmall shops, the Shopify store's payments */
    CT_CHECK(t.platform[CS_WEBHOOK_TAOBAO] > records / 4);
    CT_CHECK(t.platform[CS_WEBHOOK_SHOPIFY] > records / 50);
    CT_CHECK(t.platform[CS_WEBHOOK_GENERIC] > 0);
out:
    cs_sample_free(s);
    cs_shops_free(shops);
}

/* A record of shop with the given parts: a tb-demo order event. */
static void orderRecord(Cs__V1__Envelope *env, Cs__V1__OrderEvent *ev, Cs__V1__Order *o, const char *shop,
                        Cs__V1__OrderEventKind kind, int64_t ms) {
    cs__v1__envelope__init(env);
    cs__v1__order_event__init(ev);
    cs__v1__order__init(o);
    env->event_id = "evt-unit-1";
    env->shop_id = (char *)shop;
    env->event_ms = ms;
    env->body_case = CS__V1__ENVELOPE__BODY_ORDER;
    env->order = ev;
    ev->kind = kind;
    ev->order = o;
    o->order_id = "T-unit-1";
    o->modified_ms = ms;
}

static void test_a_payment_goes_by_taobao_and_loses_nothing(void) {
    cs_shops *shops = loadShops();
    Cs__V1__Envelope env;
    Cs__V1__OrderEvent ev;
    Cs__V1__Order o;
    orderRecord(&env, &ev, &o, "tb-demo", CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID, 1794362405000LL);
    o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM;
    o.paid_amount_fen = 11770;
    o.paid_ms = env.event_ms;
    cs_webhook w;
    char err[256];
    CT_EQ_INT(cs_webhook_encode(shops, "shop.orders.v1", &env, &w, err, sizeof err), 0);
    CT_EQ_INT(w.platform, CS_WEBHOOK_TAOBAO);
    CT_EQ_STR(w.kind, "taobao_trade_TradeBuyerPay");
    CT_EQ_STR(w.fallback, "");
    CT_CHECK(strstr(w.body, "\"pub_time\":\"2026-11-11 10:00:05\"") != NULL);
    CT_CHECK(strstr(w.body, "\\\"payment\\\":\\\"117.70\\\"") != NULL);
    cs_webhook_free(&w);
    cs_shops_free(shops);
}

static void test_what_a_platform_cannot_carry_goes_generic_and_says_why(void) {
    cs_shops *shops = loadShops();
    Cs__V1__Envelope env;
    Cs__V1__OrderEvent ev;
    Cs__V1__Order o;
    cs_webhook w;
    char err[256];
    /* a TMC time has no milliseconds */
    orderRecord(&env, &ev, &o, "tm-demo", CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID, 1794362405250LL);
    o.paid_amount_fen = 100;
    o.paid_ms = 1794362405000LL;
    o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM;
    CT_EQ_INT(cs_webhook_encode(shops, "shop.orders.v1", &env, &w, err, sizeof err), 0);
    CT_EQ_INT(w.platform, CS_WEBHOOK_GENERIC);
    CT_EQ_STR(w.fallback, "taobao: loses event_ms, order.order.modified_ms");
    cs_webhook_free(&w);
    /* a Shopify store's address change is orders/updated: four records */
    Cs__V1__Receiver r = CS__V1__RECEIVER__INIT;
    r.name = "张三";
    orderRecord(&env, &ev, &o, "own-demo", CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, 1794362405000LL);
    o.receiver = &r;
    CT_EQ_INT(cs_webhook_encode(shops, "shop.orders.v1", &env, &w, err, sizeof err), 0);
    CT_EQ_INT(w.platform, CS_WEBHOOK_GENERIC);
    CT_EQ_STR(w.kind, "order.address_changed");
    CT_EQ_STR(w.fallback, "shopify: no Shopify topic for this record");
    cs_webhook_free(&w);
    /* the courier chosen at checkout has no field in a Taobao trade */
    orderRecord(&env, &ev, &o, "tb-demo", CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, 1794362405000LL);
    Cs__V1__OrderLine line = CS__V1__ORDER_LINE__INIT, *lines[1] = {&line};
    line.line_id = "T-unit-1-1";
    line.sku = "SKU-10001";
    line.title = "加厚珊瑚绒睡衣";
    line.quantity = 1;
    line.unit_price_fen = 8900;
    o.lines = lines;
    o.n_lines = 1;
    o.buyer_id = "tb-buyer";
    o.created_ms = env.event_ms;
    o.channel = CS__V1__CHANNEL__CHANNEL_TAOBAO;
    o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM;
    Cs__V1__Address addr = CS__V1__ADDRESS__INIT;
    addr.province = "浙江省";
    addr.city = "杭州市";
    addr.district = "西湖区";
    addr.street = "文三路 100 号";
    r.address = &addr;
    r.phone = "13800138000";
    o.receiver = &r; /* a trade always has its receiver */
    o.courier = "YTO";
    CT_EQ_INT(cs_webhook_encode(shops, "shop.orders.v1", &env, &w, err, sizeof err), 0);
    CT_EQ_INT(w.platform, CS_WEBHOOK_GENERIC);
    CT_EQ_STR(w.kind, "order.created");
    CT_EQ_STR(w.fallback, "taobao: loses order.order.courier");
    cs_webhook_free(&w);
    /* without it, the order is a Taobao TradeCreate */
    o.courier = NULL;
    CT_EQ_INT(cs_webhook_encode(shops, "shop.orders.v1", &env, &w, err, sizeof err), 0);
    CT_EQ_STR(w.kind, "taobao_trade_TradeCreate");
    cs_webhook_free(&w);
    /* a shop not in the file has no request at all */
    env.shop_id = "no-such-shop";
    CT_EQ_INT(cs_webhook_encode(shops, "shop.orders.v1", &env, &w, err, sizeof err), -1);
    cs_shops_free(shops);
}

static void test_poison_records_become_requests_the_gateway_refuses(void) {
    cs_shops *shops = loadShops();
    char err[256];
    cs_sample_opts o = {.run_id = "wh-poison", .seed = 1, .count = 50};
    cs_sample *s = cs_sample_new(&o, err, sizeof err);
    static const int expect[3] = {400, 404, 400};
    static const char *const field[3] = {"body", "", "data.lines[0].unit_price"};
    for (int k = 0; k < 3; k++) {
        uint8_t *v;
        size_t len;
        char key[CS_SAMPLE_KEY_LEN];
        const char *what;
        cs_sample_poison(s, k, &v, &len, key, &what);
        cs_webhook w;
        cs_webhook_encode_poison(shops, key, v, len, &w);
        CT_EQ_INT(w.expect, expect[k]);
        const cs_shop *shop = cs_shops_find(shops, w.shop_id);
        CT_CHECK((shop != NULL) == (expect[k] == 400));
        if (shop) {
            gw_request rq = {.platform = w.platform, .shop = shop, .body = w.body, .len = w.len};
            gw_mapped m;
            gw_error e;
            CT_EQ_INT(gw_map(&rq, &m, &e), -1);
            CT_EQ_STR(e.field, field[k]);
        }
        cs_webhook_free(&w);
        free(v);
    }
    cs_sample_free(s);
    cs_shops_free(shops);
}

/* The signing headers of a request, as gw_auth reads them. */
static gw_auth_result verify(const cs_shops *shops, const cs_webhook *w, int64_t now_s) {
    char h[CS_WEBHOOK_MAX_HEADERS][CS_WEBHOOK_HEADER_LEN];
    int n = cs_webhook_headers(w, now_s, h);
    gw_auth_headers ah = {0};
    static const struct {
        const char *name;
        size_t off;
    } names[] = {
        {"X-CS-Shop", offsetof(gw_auth_headers, cs_shop)},
        {"X-CS-Timestamp", offsetof(gw_auth_headers, cs_timestamp)},
        {"X-CS-Signature", offsetof(gw_auth_headers, cs_signature)},
        {"X-Shopify-Hmac-Sha256", offsetof(gw_auth_headers, shopify_hmac)},
        {"X-Shopify-Shop-Domain", offsetof(gw_auth_headers, shopify_domain)},
    };
    for (int i = 0; i < n; i++) {
        char *colon = strchr(h[i], ':');
        if (!colon) continue;
        *colon = '\0';
        for (size_t k = 0; k < sizeof names / sizeof *names; k++)
            if (strcmp(h[i], names[k].name) == 0) *(const char **)((char *)&ah + names[k].off) = colon + 2;
    }
    gw_auth out;
    return gw_auth_verify(w->platform, shops, &ah, w->body, w->len, now_s, &out);
}

static void test_headers_sign_each_platform_as_the_gateway_verifies(void) {
    cs_shops *shops = loadShops();
    Cs__V1__Envelope env;
    Cs__V1__OrderEvent ev;
    Cs__V1__Order o;
    orderRecord(&env, &ev, &o, "tb-demo", CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID, 1794362405000LL);
    o.paid_amount_fen = 100;
    o.paid_ms = env.event_ms;
    o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM;
    static const char *const shopOf[CS_WEBHOOK_PLATFORMS] = {"us-dst", "tb-demo", "own-demo"};
    for (int p = 0; p < CS_WEBHOOK_PLATFORMS; p++) {
        env.shop_id = (char *)shopOf[p];
        cs_webhook w;
        char why[160];
        CT_EQ_INT(
            cs_webhook_encode_as((cs_webhook_platform)p, cs_shops_find(shops, shopOf[p]), &env, &w, why, sizeof why),
            0);
        CT_EQ_INT(verify(shops, &w, 1794362405), GW_AUTH_OK);
        cs_webhook_free(&w);
    }
    cs_shops_free(shops);
}

int main(void) {
    static const ct_case cases[] = {
        CT_CASE(test_a_sample_morning_and_its_days_round_trip_through_the_gateway_mapping),
        CT_CASE(test_a_payment_goes_by_taobao_and_loses_nothing),
        CT_CASE(test_what_a_platform_cannot_carry_goes_generic_and_says_why),
        CT_CASE(test_poison_records_become_requests_the_gateway_refuses),
        CT_CASE(test_headers_sign_each_platform_as_the_gateway_verifies),
    };
    return ct_run(cases, sizeof cases / sizeof *cases);
}
