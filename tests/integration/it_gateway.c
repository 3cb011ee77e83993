/* it_gateway.c -- the real `gateway` binary against the real stack.
 *
 * Black-box over HTTP (libcurl): signatures of each platform (good, bad,
 * stale, from the future, replayed with a new body), a rotated secret,
 * Standard Webhooks headers, every refusal (404, 413, 415, 429, 400) with
 * the gateway serving on after each, one event id twice (200, one record),
 * two gateway copies racing on the same ids, the claim of a crashed copy
 * expiring, an id of another shop, Kafka stopped in the middle of a stream
 * (503 while down; every 2xx in Kafka exactly once after), and the records
 * of one event per platform (topic, key, envelope, event-id header).
 *
 * The gateway runs with its own shops file (written here: a rotating shop,
 * a rate-limited one, one without secrets, a Shopify one, a whsec_ one)
 * and a 3 s produce timeout, so an outage answers 503 quickly. Event ids
 * carry the run id; records are found by their event-id header. */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <hiredis/hiredis.h>

#include "gw_auth.h"
#include "it.h"

#define SECRET_A_NEW "gw-it-secret-a-new-0123456789"
#define SECRET_A_OLD "gw-it-secret-a-old-0123456789"
#define SECRET_A_TB "gw-it-secret-a-taobao-0123456"
#define SECRET_B_GEN "gw-it-secret-b-generic-012345"
#define SECRET_B_SHOPIFY "gw-it-secret-b-shopify-012345"
#define SECRET_SLOW "gw-it-secret-slow-0123456789"
#define SECRET_STD "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define DOMAIN_B "gw-it-b.myshopify.com"

static char run[64];
static char shopsFile[1200];

/* ---- HTTP ----------------------------------------------------------------------------- */

typedef struct resp {
    long status;          /* 0 = no answer (connection failed) */
    char body[4096];      /* the answer's body (truncated) */
    size_t len;           /* its length */
    char retry_after[32]; /* Retry-After, "" if none */
    CURLcode cc;          /* the transfer's result */
} resp;

static size_t onBody(char *p, size_t size, size_t n, void *arg) {
    resp *r = arg;
    size_t k = size * n, room = sizeof r->body - 1 - r->len;
    memcpy(r->body + r->len, p, k < room ? k : room);
    r->len += k < room ? k : room;
    r->body[r->len] = '\0';
    return size * n;
}

static size_t onHeader(char *p, size_t size, size_t n, void *arg) {
    resp *r = arg;
    size_t k = size * n;
    if (k > 13 && strncasecmp(p, "Retry-After:", 12) == 0) {
        const char *v = p + 12;
        while (*v == ' ') v++;
        size_t vn = strcspn(v, "\r\n");
        if (vn >= sizeof r->retry_after) vn = sizeof r->retry_after - 1;
        memcpy(r->retry_after, v, vn);
        r->retry_after[vn] = '\0';
    }
    return k;
}

/* One request. headers: NULL-terminated "Name: value" strings. */
static void http(int port, const char *method, const char *path, const char *const *headers, const char *body,
                 size_t len, resp *r) {
    memset(r, 0, sizeof *r);
    CURL *c = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    struct curl_slist *hl = curl_slist_append(NULL, "Expect:"); /* no 100-continue round trip */
    for (size_t i = 0; headers && headers[i]; i++) hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    r->cc = curl_easy_perform(c);
    if (r->cc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
}

static long get(int port, const char *path) {
    resp r;
    http(port, "GET", path, NULL, NULL, 0, &r);
    return r.status;
}

/* A webhook signed for its platform. ts_delta shifts the signed timestamp
 * from now; sign_body (NULL = body) is what the signature covers. */
typedef struct hook {
    cs_webhook_platform platform;
    const char *shop;       /* X-CS-Shop (generic, taobao) */
    const char *secret;     /* signs */
    const char *domain;     /* shopify */
    const char *topic;      /* shopify */
    const char *webhook_id; /* shopify: X-Shopify-Webhook-Id */
    int64_t ts_delta;
    const char *sign_body;
    const char *ctype; /* NULL = application/json */
} hook;

static void sendHook(int port, const hook *h, const char *body, resp *r) {
    char ts[32], sig[128], hdr[8][256];
    const char *headers[10];
    int n = 0;
    const char *sb = h->sign_body ? h->sign_body : body;
    snprintf(hdr[n], sizeof hdr[n], "Content-Type: %s", h->ctype ? h->ctype : "application/json");
    headers[n] = hdr[n];
    n++;
    if (h->platform == CS_WEBHOOK_SHOPIFY) {
        gw_auth_sign_shopify(h->secret, sb, strlen(sb), sig, sizeof sig);
        snprintf(hdr[n], sizeof hdr[n], "X-Shopify-Hmac-Sha256: %s", sig);
        headers[n] = hdr[n], n++;
        snprintf(hdr[n], sizeof hdr[n], "X-Shopify-Shop-Domain: %s", h->domain);
        headers[n] = hdr[n], n++;
        snprintf(hdr[n], sizeof hdr[n], "X-Shopify-Topic: %s", h->topic);
        headers[n] = hdr[n], n++;
        snprintf(hdr[n], sizeof hdr[n], "X-Shopify-Webhook-Id: %s", h->webhook_id);
        headers[n] = hdr[n], n++;
    } else {
        snprintf(ts, sizeof ts, "%lld", (long long)(it_wall_ms() / 1000 + h->ts_delta));
        gw_auth_sign_cs(h->secret, ts, sb, strlen(sb), sig, sizeof sig);
        snprintf(hdr[n], sizeof hdr[n], "X-CS-Shop: %s", h->shop);
        headers[n] = hdr[n], n++;
        snprintf(hdr[n], sizeof hdr[n], "X-CS-Timestamp: %s", ts);
        headers[n] = hdr[n], n++;
        snprintf(hdr[n], sizeof hdr[n], "X-CS-Signature: %s", sig);
        headers[n] = hdr[n], n++;
    }
    headers[n] = NULL;
    const char *path = h->platform == CS_WEBHOOK_SHOPIFY  ? "/v1/webhooks/shopify"
                       : h->platform == CS_WEBHOOK_TAOBAO ? "/v1/webhooks/taobao"
                                                          : "/v1/webhooks/generic";
    http(port, "POST", path, headers, body, strlen(body), r);
}

/* ---- bodies ------------------------------------------------------------------------------- */

/* A generic order.created with this event id and order id (malloc'd). */
static char *genericOrder(const char *event_id, const char *order_id) {
    char *b = malloc(2048);
    snprintf(b, 2048,
             "{\"event_id\":\"%s\",\"type\":\"order.created\",\"occurred_at\":\"2026-11-11T10:00:00+08:00\","
             "\"data\":{\"order_id\":\"%s\",\"buyer_id\":\"buyer-%s\",\"created_at\":\"2026-11-11T09:58:12+08:00\","
             "\"lines\":[{\"line_id\":\"L1\",\"sku\":\"SKU-RED-M\",\"title\":\"scarf\",\"quantity\":2,"
             "\"unit_price\":\"58.85\"}],\"shipping_fee\":\"8.00\",\"payment_method\":\"platform\","
             "\"receiver\":{\"name\":\"Zhang\",\"phone\":\"13800138000\",\"address\":{\"province\":\"浙江省\","
             "\"city\":\"杭州市\",\"district\":\"西湖区\",\"street\":\"文三路 100 号\"}}}}",
             event_id, order_id, order_id);
    return b;
}

/* An example body of tests/data/webhooks with its top-level "id" set (taobao). */
static char *exampleWithId(const char *rel, const char *id) {
    char path[1200];
    snprintf(path, sizeof path, "%s/tests/data/webhooks/%s", it.source_dir, rel);
    char *text = it_log_read(path);
    cJSON *o = cJSON_Parse(text);
    free(text);
    if (!o) return NULL;
    if (id) cJSON_ReplaceItemInObjectCaseSensitive(o, "id", cJSON_CreateString(id));
    char *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return out;
}

/* ---- the gateway process ------------------------------------------------------------------ */

static void writeShops(void) {
    snprintf(shopsFile, sizeof shopsFile, "%s/it_gateway-shops.json", it.log_dir);
    FILE *f = fopen(shopsFile, "w");
    if (!f) return;
    fprintf(f,
            "{\"shops\": [\n"
            " {\"id\": \"gw-a\", \"channel\": \"taobao\", \"secrets\": {\"generic\": [\"%s\", \"%s\"], \"taobao\": "
            "\"%s\"}},\n"
            " {\"id\": \"gw-b\", \"channel\": \"own_site\", \"shopify_domain\": \"%s\",\n"
            "  \"secrets\": {\"generic\": \"%s\", \"shopify\": \"%s\"}},\n"
            " {\"id\": \"gw-slow\", \"channel\": \"taobao\", \"webhook_rate\": 1, \"webhook_burst\": 3,\n"
            "  \"secrets\": {\"generic\": \"%s\"}},\n"
            " {\"id\": \"gw-none\", \"channel\": \"taobao\"},\n"
            " {\"id\": \"gw-std\", \"channel\": \"own_site\", \"secrets\": {\"generic\": \"%s\"}}\n"
            "]}\n",
            SECRET_A_NEW, SECRET_A_OLD, SECRET_A_TB, DOMAIN_B, SECRET_B_GEN, SECRET_B_SHOPIFY, SECRET_SLOW, SECRET_STD);
    fclose(f);
}

/* Starts a gateway copy and waits until /readyz says Kafka takes writes;
 * returns its port, or -1. */
static int startGateway(it_worker *w, const char *name) {
    char shops[1300];
    snprintf(shops, sizeof shops, "CS_SHOPS_FILE=%s", shopsFile);
    const char *env[] = {shops,
                         "CS_GATEWAY_ADDR=127.0.0.1:0",
                         "CS_GATEWAY_PRODUCE_TIMEOUT_MS=3000",
                         "CS_GATEWAY_CLAIM_TTL_MS=5000",
                         "CS_GATEWAY_CLAIM_WAIT_MS=4000",
                         NULL};
    if (it_worker_start_bin(w, "gateway", name, NULL, env) != 0) return -1;
    if (!it_worker_wait_log(w, "http endpoint on port", 10000)) return -1;
    int port = it_worker_http_port(w);
    for (int64_t end = it_now_ms() + 20000; it_now_ms() < end; it_sleep_ms(100))
        if (get(port, "/readyz") == 200) return port;
    return -1;
}

/* ---- reading what was produced ------------------------------------------------------------ */

/* Records of r whose event-id header is id or derives from it ("<id>#n"). */
static int countId(const it_reader *r, const char *id) {
    int n = 0;
    size_t len = strlen(id);
    for (size_t i = 0; i < it_reader_count(r); i++) {
        const char *h = it_rec_header(it_reader_get(r, i), "event-id");
        if (h && strncmp(h, id, len) == 0 && (h[len] == '\0' || h[len] == '#')) n++;
    }
    return n;
}

/* Reads r until every id of ids is there (or timeout), then 500 ms more for
 * any duplicate. */
static void collectIds(it_reader *r, char ids[][96], int n, int timeout_ms) {
    int64_t end = it_now_ms() + timeout_ms;
    for (;;) {
        int missing = 0;
        for (int i = 0; i < n; i++)
            if (countId(r, ids[i]) == 0) missing++;
        if (!missing || it_now_ms() >= end) break;
        it_reader_collect(r, NULL, it_reader_count(r) + (size_t)missing, 200);
    }
    it_reader_collect(r, NULL, (size_t)-1, 500);
}

/* ---- cases ---------------------------------------------------------------------------------- */

static int port; /* the first copy, started once for most cases */
static it_worker gw;

static bool ensureGateway(void) {
    if (port > 0 && it_worker_alive(&gw) && get(port, "/healthz") == 200) return true;
    port = startGateway(&gw, "gateway-1");
    return port > 0;
}

/* generic and taobao: good, bad, stale, from the future, replayed with a new body */
static void test_signatures_generic_and_taobao(void) {
    IT_REQUIRE(ensureGateway());
    for (int p = 0; p < 2; p++) {
        bool tb = p == 1;
        char id[96], oid[96];
        resp r;
        snprintf(id, sizeof id, "%s-sig-%d", run, p);
        snprintf(oid, sizeof oid, "%s-o-sig-%d", run, p);
        char *body = tb ? exampleWithId("taobao/taobao_trade_TradeCreate.json", id) : genericOrder(id, oid);
        IT_REQUIRE(body);
        hook h = {.platform = tb ? CS_WEBHOOK_TAOBAO : CS_WEBHOOK_GENERIC,
                  .shop = "gw-a",
                  .secret = tb ? SECRET_A_TB : SECRET_A_NEW};
        hook bad = h;
        bad.secret = "gw-it-not-the-secret-000000";
        sendHook(port, &bad, body, &r);
        CT_EQ_INT(r.status, 401);
        hook stale = h;
        stale.ts_delta = -301;
        sendHook(port, &stale, body, &r);
        CT_EQ_INT(r.status, 401);
        CT_CHECK(strstr(r.body, "further back") != NULL);
        hook future = h;
        future.ts_delta = 301;
        sendHook(port, &future, body, &r);
        CT_EQ_INT(r.status, 401);
        hook edge = h;
        edge.ts_delta = -290; /* inside the window */
        sendHook(port, &edge, body, &r);
        CT_EQ_INT(r.status, 202);
        /* the signature of that body sent with another body */
        char *other =
            tb ? exampleWithId("taobao/taobao_trade_TradeCreate.json", "x-other") : genericOrder("x-other", oid);
        hook replay = h;
        replay.sign_body = body;
        sendHook(port, &replay, other, &r);
        CT_EQ_INT(r.status, 401);
        sendHook(port, &h, body, &r); /* the same event again, signed afresh */
        CT_EQ_INT(r.status, 200);
        free(other);
        free(body);
    }
}

static void test_signatures_shopify(void) {
    IT_REQUIRE(ensureGateway());
    char *body = exampleWithId("shopify/orders_create.json", NULL);
    IT_REQUIRE(body);
    char wid[96];
    snprintf(wid, sizeof wid, "%s-shopify-sig", run);
    hook h = {.platform = CS_WEBHOOK_SHOPIFY,
              .secret = SECRET_B_SHOPIFY,
              .domain = DOMAIN_B,
              .topic = "orders/create",
              .webhook_id = wid};
    resp r;
    hook bad = h;
    bad.secret = "gw-it-not-the-secret-000000";
    sendHook(port, &bad, body, &r);
    CT_EQ_INT(r.status, 401);
    hook replay = h;
    replay.sign_body = "{\"id\": 1}";
    sendHook(port, &replay, body, &r);
    CT_EQ_INT(r.status, 401);
    hook unknown = h;
    unknown.domain = "nobody.myshopify.com";
    sendHook(port, &unknown, body, &r);
    CT_EQ_INT(r.status, 404);
    sendHook(port, &h, body, &r);
    CT_EQ_INT(r.status, 202);
    sendHook(port, &h, body, &r);
    CT_EQ_INT(r.status, 200);
    free(body);
}

static void test_rotated_secret_old_and_new_both_accepted(void) {
    IT_REQUIRE(ensureGateway());
    const char *secrets[] = {SECRET_A_NEW, SECRET_A_OLD};
    for (int i = 0; i < 2; i++) {
        char id[96], oid[96];
        snprintf(id, sizeof id, "%s-rot-%d", run, i);
        snprintf(oid, sizeof oid, "%s-o-rot-%d", run, i);
        char *body = genericOrder(id, oid);
        hook h = {.platform = CS_WEBHOOK_GENERIC, .shop = "gw-a", .secret = secrets[i]};
        resp r;
        sendHook(port, &h, body, &r);
        CT_EQ_INT(r.status, 202);
        free(body);
    }
}

/* webhook-id, webhook-timestamp, webhook-signature (whsec_ secret); the id
 * in the header is the event id. */
static void test_standard_webhooks_headers(void) {
    IT_REQUIRE(ensureGateway());
    char id[96], oid[96], ts[32], sig[96], h1[160], h2[64], h3[256];
    snprintf(id, sizeof id, "%s-std", run);
    snprintf(oid, sizeof oid, "%s-o-std", run);
    char *body = genericOrder(id, oid);
    snprintf(ts, sizeof ts, "%lld", (long long)(it_wall_ms() / 1000));
    it_reader *rd = it_reader_open(IT_TOPIC_ORDERS, false);
    IT_REQUIRE(rd);
    gw_auth_sign_standard(SECRET_STD, id, ts, body, strlen(body), sig, sizeof sig);
    snprintf(h1, sizeof h1, "webhook-id: %s", id);
    snprintf(h2, sizeof h2, "webhook-timestamp: %s", ts);
    snprintf(h3, sizeof h3, "webhook-signature: v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= %s", sig);
    const char *hs[] = {"Content-Type: application/json", "X-CS-Shop: gw-std", h1, h2, h3, NULL};
    resp r;
    http(port, "POST", "/v1/webhooks/generic", hs, body, strlen(body), &r);
    CT_EQ_INT(r.status, 202);
    /* a signature over another id */
    const char *other[] = {
        "Content-Type: application/json", "X-CS-Shop: gw-std", "webhook-id: msg_other", h2, h3, NULL};
    http(port, "POST", "/v1/webhooks/generic", other, body, strlen(body), &r);
    CT_EQ_INT(r.status, 401);
    char ids[1][96];
    snprintf(ids[0], sizeof ids[0], "%s", id);
    collectIds(rd, ids, 1, 10000);
    CT_EQ_INT(countId(rd, id), 1);
    it_reader_close(rd);
    free(body);
}

/* Every refusal, and the gateway serves on after each. */
static void test_refusals_and_the_gateway_keeps_serving(void) {
    IT_REQUIRE(ensureGateway());
    resp r;
    char id[96], oid[96];
    snprintf(id, sizeof id, "%s-ref", run);
    snprintf(oid, sizeof oid, "%s-o-ref", run);
    char *good = genericOrder(id, oid);
    hook h = {.platform = CS_WEBHOOK_GENERIC, .shop = "gw-a", .secret = SECRET_A_NEW};
    /* 404: unknown platform, unknown shop, a shop without a secret for it */
    const char *ct[] = {"Content-Type: application/json", NULL};
    http(port, "POST", "/v1/webhooks/ebay", ct, good, strlen(good), &r);
    CT_EQ_INT(r.status, 404);
    hook unknown = h;
    unknown.shop = "gw-nobody";
    sendHook(port, &unknown, good, &r);
    CT_EQ_INT(r.status, 404);
    hook nosecret = h;
    nosecret.shop = "gw-none";
    sendHook(port, &nosecret, good, &r);
    CT_EQ_INT(r.status, 404);
    CT_EQ_INT(get(port, "/healthz"), 200);
    /* 415 */
    hook text = h;
    text.ctype = "text/plain";
    sendHook(port, &text, good, &r);
    CT_EQ_INT(r.status, 415);
    hook charset = h;
    charset.ctype = "application/json; charset=utf-8";
    /* 413: 1 MiB + 1 byte, by Content-Length and chunked */
    size_t big = 1024 * 1024 + 1;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    huge[big] = '\0';
    sendHook(port, &h, huge, &r);
    CT_EQ_INT(r.status, 413);
    {
        char ts[32], sig[96], h2[64], h3[128];
        snprintf(ts, sizeof ts, "%lld", (long long)(it_wall_ms() / 1000));
        gw_auth_sign_cs(SECRET_A_NEW, ts, huge, big, sig, sizeof sig);
        snprintf(h2, sizeof h2, "X-CS-Timestamp: %s", ts);
        snprintf(h3, sizeof h3, "X-CS-Signature: %s", sig);
        const char *chunked[] = {
            "Content-Type: application/json", "Transfer-Encoding: chunked", "X-CS-Shop: gw-a", h2, h3, NULL};
        http(port, "POST", "/v1/webhooks/generic", chunked, huge, big, &r);
        CT_EQ_INT(r.status, 413);
    }
    free(huge);
    CT_EQ_INT(get(port, "/healthz"), 200);
    /* 400: malformed JSON, a wrong type, invalid UTF-8, deep nesting; each names a field */
    /* a valid order but for its money given as a JSON number */
    char wtId[96];
    snprintf(wtId, sizeof wtId, "%s-wt", run);
    char *wrongType = genericOrder(wtId, oid);
    char *money = strstr(wrongType, "\"shipping_fee\":\"8.00\"");
    IT_REQUIRE(money);
    memcpy(money + 15, "8.00  ", 6); /* "shipping_fee":8.00  , */
    char deep[20100];
    size_t k = 0;
    for (int i = 0; i < 10000; i++) deep[k++] = '[';
    for (int i = 0; i < 10000; i++) deep[k++] = ']';
    deep[k] = '\0';
    const char *bad[] = {"{\"event_id\": ", wrongType, "{\"event_id\":\"\xff\xfe\",\"type\":\"order.created\"}", deep,
                         "[]"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sendHook(port, &h, bad[i], &r);
        CT_EQ_INT(r.status, 400);
        cJSON *o = cJSON_Parse(r.body);
        CT_CHECK(o && cJSON_IsString(cJSON_GetObjectItem(o, "field")) &&
                 cJSON_IsString(cJSON_GetObjectItem(o, "reason")));
        if (i == 1) CT_CHECK(strstr(r.body, "shipping_fee") != NULL);
        cJSON_Delete(o);
    }
    free(wrongType);
    CT_EQ_INT(get(port, "/healthz"), 200);
    /* 429 with Retry-After: gw-slow takes 3 at once, then 1 a second */
    int n429 = 0;
    for (int i = 0; i < 6; i++) {
        char sid[96], soid[96];
        snprintf(sid, sizeof sid, "%s-slow-%d", run, i);
        snprintf(soid, sizeof soid, "%s-o-slow-%d", run, i);
        char *b = genericOrder(sid, soid);
        hook s = {.platform = CS_WEBHOOK_GENERIC, .shop = "gw-slow", .secret = SECRET_SLOW};
        sendHook(port, &s, b, &r);
        if (r.status == 429) {
            n429++;
            CT_CHECK(atoi(r.retry_after) >= 1);
        } else
            CT_EQ_INT(r.status, 202);
        free(b);
    }
    CT_CHECK(n429 >= 2);
    CT_EQ_INT(it_metric(port, "cs_gateway_rate_limited_total{shop=\"gw-slow\"}"), n429);
    /* and still serving: a good request, with a charset */
    sendHook(port, &charset, good, &r);
    CT_EQ_INT(r.status, 202);
    CT_EQ_INT(get(port, "/healthz"), 200);
    CT_CHECK(it_worker_alive(&gw));
    free(good);
}

/* The same event id twice: 202 then 200, one record; another shop's use of
 * the id: 400 naming event_id. */
static void test_same_event_twice_one_record_and_other_shop_400(void) {
    IT_REQUIRE(ensureGateway());
    it_reader *rd = it_reader_open(IT_TOPIC_ORDERS, false);
    IT_REQUIRE(rd);
    char ids[1][96], oid[96];
    snprintf(ids[0], sizeof ids[0], "%s-twice", run);
    snprintf(oid, sizeof oid, "%s-o-twice", run);
    char *body = genericOrder(ids[0], oid);
    hook h = {.platform = CS_WEBHOOK_GENERIC, .shop = "gw-a", .secret = SECRET_A_NEW};
    resp r;
    sendHook(port, &h, body, &r);
    CT_EQ_INT(r.status, 202);
    CT_CHECK(strstr(r.body, ids[0]) != NULL);
    sendHook(port, &h, body, &r);
    CT_EQ_INT(r.status, 200);
    hook b = {.platform = CS_WEBHOOK_GENERIC, .shop = "gw-b", .secret = SECRET_B_GEN};
    sendHook(port, &b, body, &r);
    CT_EQ_INT(r.status, 400);
    CT_CHECK(strstr(r.body, "\"field\":\"event_id\"") != NULL);
    collectIds(rd, ids, 1, 10000);
    CT_EQ_INT(countId(rd, ids[0]), 1);
    it_reader_close(rd);
    free(body);
}

/* ---- two copies racing ------------------------------------------------------------------------ */

#define RACE_IDS 40

typedef struct racer {
    int port;              /* the copy it sends to */
    long status[RACE_IDS]; /* per id */
    pthread_barrier_t *go; /* both start each id together */
} racer;

static void *raceLoop(void *arg) {
    racer *rc = arg;
    for (int i = 0; i < RACE_IDS; i++) {
        char id[96], oid[96];
        snprintf(id, sizeof id, "%s-race-%d", run, i);
        snprintf(oid, sizeof oid, "%s-o-race-%d", run, i);
        char *body = genericOrder(id, oid);
        hook h = {.platform = CS_WEBHOOK_GENERIC, .shop = "gw-a", .secret = SECRET_A_NEW};
        resp r;
        pthread_barrier_wait(rc->go);
        sendHook(rc->port, &h, body, &r);
        rc->status[i] = r.status;
        free(body);
    }
    return NULL;
}

static void test_two_copies_racing_produce_each_id_once(void) {
    IT_REQUIRE(ensureGateway());
    it_worker gw2;
    int port2 = startGateway(&gw2, "gateway-2");
    IT_REQUIRE(port2 > 0);
    it_reader *rd = it_reader_open(IT_TOPIC_ORDERS, false);
    IT_REQUIRE(rd);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 2);
    racer a = {.port = port, .go = &go}, b = {.port = port2, .go = &go};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, raceLoop, &a);
    pthread_create(&tb, NULL, raceLoop, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&go);
    static char ids[RACE_IDS][96];
    int both202 = 0, bad = 0;
    for (int i = 0; i < RACE_IDS; i++) {
        snprintf(ids[i], sizeof ids[i], "%s-race-%d", run, i);
        long x = a.status[i], y = b.status[i];
        if (x == 202 && y == 202) both202++;
        if (!((x == 202 && y == 200) || (x == 200 && y == 202))) {
            bad++;
            fprintf(stderr, "  race id %d: %ld and %ld\n", i, x, y);
        }
    }
    CT_EQ_INT(both202, 0);
    CT_EQ_INT(bad, 0);
    collectIds(rd, ids, RACE_IDS, 15000);
    int once = 0;
    for (int i = 0; i < RACE_IDS; i++) once += countId(rd, ids[i]) == 1;
    CT_EQ_INT(once, RACE_IDS);
    it_measure("two copies, %d ids sent to both at once: each produced once", RACE_IDS);
    it_reader_close(rd);
    CT_EQ_INT(it_worker_stop(&gw2, SIGTERM, 20000), 0);
}

/* A claim left by a copy that died (never released): the request waits
 * for it to expire, then produces. */
static void test_claim_of_a_dead_copy_expires_and_is_taken(void) {
    IT_REQUIRE(ensureGateway());
    char id[96], oid[96], key[160];
    snprintf(id, sizeof id, "%s-dead", run);
    snprintf(oid, sizeof oid, "%s-o-dead", run);
    snprintf(key, sizeof key, "cs:gw:id:%s", id);
    redisContext *rc = it_redis_connect();
    IT_REQUIRE(rc != NULL);
    redisReply *rep = redisCommand(rc, "SET %s %s PX 1500", key, "c gw-a dead-copy/1");
    freeReplyObject(rep);
    char *body = genericOrder(id, oid);
    hook h = {.platform = CS_WEBHOOK_GENERIC, .shop = "gw-a", .secret = SECRET_A_NEW};
    resp r;
    int64_t t0 = it_now_ms();
    sendHook(port, &h, body, &r);
    int64_t took = it_now_ms() - t0;
    CT_EQ_INT(r.status, 202);
    CT_CHECK(took >= 1000); /* it waited for the claim to expire */
    rep = redisCommand(rc, "GET %s", key);
    CT_CHECK(rep && rep->type == REDIS_REPLY_STRING && strcmp(rep->str, "a gw-a") == 0);
    freeReplyObject(rep);
    /* a live claim that outlasts the wait: 503 with Retry-After */
    char id2[96];
    snprintf(id2, sizeof id2, "%s-held", run);
    snprintf(key, sizeof key, "cs:gw:id:%s", id2);
    rep = redisCommand(rc, "SET %s %s PX 30000", key, "c gw-a other-copy/7");
    freeReplyObject(rep);
    char *body2 = genericOrder(id2, oid);
    sendHook(port, &h, body2, &r);
    CT_EQ_INT(r.status, 503);
    CT_CHECK(atoi(r.retry_after) >= 1);
    rep = redisCommand(rc, "DEL %s", key);
    freeReplyObject(rep);
    redisFree(rc);
    it_measure("a dead copy's claim (1.5 s left) was taken after %lld ms", (long long)took);
    free(body);
    free(body2);
}

/* ---- Kafka down mid-stream -------------------------------------------------------------------- */

#define STREAM_MAX 4000

typedef struct stream {
    int port;
    atomic_bool stop;
    int n;                   /* sent */
    long status[STREAM_MAX]; /* first answer per id */
    int64_t slowest_ms;      /* the longest a request waited for its answer */
} stream;

static void streamId(char *out, size_t len, int i) { snprintf(out, len, "%s-k-%d", run, i); }

static void *streamLoop(void *arg) {
    stream *s = arg;
    while (!atomic_load(&s->stop) && s->n < STREAM_MAX) {
        char id[96], oid[96];
        streamId(id, sizeof id, s->n);
        snprintf(oid, sizeof oid, "%s-o-k-%d", run, s->n);
        char *body = genericOrder(id, oid);
        hook h = {.platform = CS_WEBHOOK_GENERIC, .shop = "gw-a", .secret = SECRET_A_NEW};
        resp r;
        int64_t t0 = it_now_ms();
        sendHook(s->port, &h, body, &r);
        if (it_now_ms() - t0 > s->slowest_ms) s->slowest_ms = it_now_ms() - t0;
        s->status[s->n++] = r.status;
        free(body);
        it_sleep_ms(20);
    }
    return NULL;
}

static int stack(const char *cmd) {
    int64_t t0 = it_now_ms();
    int rc = it_sh("bash '%s/deploy/local/stack.sh' %s", it.source_dir, cmd);
    it_measure("stack.sh %s: exit %d in %lld ms", cmd, rc, (long long)(it_now_ms() - t0));
    return rc;
}

static void test_kafka_stopped_mid_stream_503_and_no_2xx_lost(void) {
    IT_REQUIRE(ensureGateway());
    it_reader *rd = it_reader_open(IT_TOPIC_ORDERS, false);
    IT_REQUIRE(rd);
    static stream s;
    memset(&s, 0, sizeof s);
    s.port = port;
    pthread_t t;
    pthread_create(&t, NULL, streamLoop, &s);
    it_sleep_ms(1000);
    int stopped = stack("stop-kafka");
    it_sleep_ms(2000);
    long readyWhileDown = get(port, "/readyz");
    int started = stack("start-kafka");
    int64_t up = it_now_ms();
    while (get(port, "/readyz") != 200 && it_now_ms() - up < 30000) it_sleep_ms(100);
    it_measure("gateway ready %lld ms after Kafka came back", (long long)(it_now_ms() - up));
    it_sleep_ms(1000);
    atomic_store(&s.stop, true);
    pthread_join(t, NULL);
    CT_EQ_INT(stopped, 0);
    CT_EQ_INT(started, 0);
    CT_EQ_INT(readyWhileDown, 503);
    int n2xx = 0, n503 = 0, other = 0;
    for (int i = 0; i < s.n; i++) {
        if (s.status[i] == 202)
            n2xx++;
        else if (s.status[i] == 503)
            n503++;
        else {
            other++;
            fprintf(stderr, "  stream id %d: %ld\n", i, s.status[i]);
        }
    }
    it_measure("stream through a Kafka restart: %d sent, %d accepted, %d refused 503", s.n, n2xx, n503);
    CT_CHECK(n503 > 0);
    CT_CHECK(n2xx > 0);
    /* never hangs: answered within the produce timeout (3 s) + 1 s, plus slack */
    it_measure("slowest answer during the outage: %lld ms", (long long)s.slowest_ms);
    CT_CHECK(s.slowest_ms < 5500);
    CT_EQ_INT(other, 0);
    /* the senders retry what was refused */
    int retried = 0;
    for (int i = 0; i < s.n; i++) {
        if (s.status[i] != 503) continue;
        char id[96], oid[96];
        streamId(id, sizeof id, i);
        snprintf(oid, sizeof oid, "%s-o-k-%d", run, i);
        char *body = genericOrder(id, oid);
        hook h = {.platform = CS_WEBHOOK_GENERIC, .shop = "gw-a", .secret = SECRET_A_NEW};
        resp r;
        for (int k = 0; k < 20; k++) {
            sendHook(port, &h, body, &r);
            if (r.status == 202 || r.status == 200) break;
            it_sleep_ms(500);
        }
        retried += r.status == 202 || r.status == 200;
        free(body);
    }
    CT_EQ_INT(retried, n503);
    static char ids[STREAM_MAX][96];
    for (int i = 0; i < s.n; i++) streamId(ids[i], sizeof ids[i], i);
    collectIds(rd, ids, s.n, 30000);
    int exactlyOnce = 0, lost = 0, twice = 0;
    for (int i = 0; i < s.n; i++) {
        int c = countId(rd, ids[i]);
        if (s.status[i] == 202) {
            exactlyOnce += c == 1;
            if (c == 0) lost++;
        } else {
            if (c == 0) lost++;
            twice += c > 1; /* a 503 whose record Kafka had kept (possibly persisted), then the retry */
        }
    }
    CT_EQ_INT(exactlyOnce, n2xx);
    CT_EQ_INT(lost, 0);
    it_measure("after the restart: every 2xx once; %d retried 503s were in Kafka twice (same event id)", twice);
    it_reader_close(rd);
    CT_EQ_INT(get(port, "/healthz"), 200);
}

/* ---- the records of one event per platform ------------------------------------------------------ */

static bool checkEnvelope(const it_rec *rec, const char *shop, const char *source, const char *event_id, int64_t t0) {
    const Cs__V1__Envelope *e = rec->env;
    bool ok = e && strcmp(e->shop_id, shop) == 0 && strcmp(e->source, source) == 0 &&
              strncmp(e->event_id, event_id, strlen(event_id)) == 0 && e->ingest_ms >= t0 - 1000 &&
              e->ingest_ms <= it_wall_ms() + 1000 && e->event_ms > 0 && e->body_case != CS__V1__ENVELOPE__BODY__NOT_SET;
    const char *h = it_rec_header(rec, "event-id");
    ok = ok && h && strcmp(h, e->event_id) == 0;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s:", shop);
    ok = ok && strncmp(rec->key, prefix, strlen(prefix)) == 0;
    if (!ok)
        fprintf(stderr, "  record %s key %s: envelope %s/%s/%s\n", event_id, rec->key, e ? e->shop_id : "?",
                e ? e->source : "?", e ? e->event_id : "?");
    return ok;
}

static void test_records_of_one_event_per_platform(void) {
    IT_REQUIRE(ensureGateway());
    it_reader *rd = it_reader_open(IT_TOPIC_ORDERS, false);
    IT_REQUIRE(rd);
    int64_t t0 = it_wall_ms();
    char ids[3][96], oid[96];
    resp r;
    /* generic order.created: shop.orders.v1, key gw-a:<order id> */
    snprintf(ids[0], sizeof ids[0], "%s-rec-gen", run);
    snprintf(oid, sizeof oid, "%s-o-rec", run);
    char *g = genericOrder(ids[0], oid);
    hook hg = {.platform = CS_WEBHOOK_GENERIC, .shop = "gw-a", .secret = SECRET_A_NEW};
    sendHook(port, &hg, g, &r);
    CT_EQ_INT(r.status, 202);
    /* taobao TradeCreate */
    snprintf(ids[1], sizeof ids[1], "%s-rec-tb", run);
    char *t = exampleWithId("taobao/taobao_trade_TradeCreate.json", ids[1]);
    hook ht = {.platform = CS_WEBHOOK_TAOBAO, .shop = "gw-a", .secret = SECRET_A_TB};
    sendHook(port, &ht, t, &r);
    CT_EQ_INT(r.status, 202);
    /* shopify orders/create */
    snprintf(ids[2], sizeof ids[2], "%s-rec-sh", run);
    char *s = exampleWithId("shopify/orders_create.json", NULL);
    hook hs = {.platform = CS_WEBHOOK_SHOPIFY,
               .secret = SECRET_B_SHOPIFY,
               .domain = DOMAIN_B,
               .topic = "orders/create",
               .webhook_id = ids[2]};
    sendHook(port, &hs, s, &r);
    CT_EQ_INT(r.status, 202);
    collectIds(rd, ids, 3, 10000);
    const char *shops[] = {"gw-a", "gw-a", "gw-b"}, *sources[] = {"generic", "taobao", "shopify"};
    for (int p = 0; p < 3; p++) {
        int seen = 0;
        for (size_t i = 0; i < it_reader_count(rd); i++) {
            const it_rec *rec = it_reader_get(rd, i);
            const char *h = it_rec_header(rec, "event-id");
            if (!h || strncmp(h, ids[p], strlen(ids[p])) != 0) continue;
            seen++;
            CT_CHECK(checkEnvelope(rec, shops[p], sources[p], ids[p], t0));
            if (p == 0) {
                char key[160];
                snprintf(key, sizeof key, "gw-a:%s", oid);
                CT_EQ_STR(rec->key, key);
                CT_CHECK(rec->env && rec->env->body_case == CS__V1__ENVELOPE__BODY_ORDER &&
                         strcmp(rec->env->event_id, ids[0]) == 0);
            }
        }
        CT_CHECK(seen >= 1);
    }
    it_reader_close(rd);
    free(g);
    free(t);
    free(s);
}

/* SIGTERM with requests in flight: every request the copy took is
 * answered (202 and in Kafka, or 503), none is dropped; the copy exits 0. */
#define TERM_REQS 24

typedef struct termReq {
    int port;
    int i;
    long status;
    CURLcode cc;
} termReq;

static void *termSend(void *arg) {
    termReq *t = arg;
    char id[96], oid[96];
    snprintf(id, sizeof id, "%s-term-%d", run, t->i);
    snprintf(oid, sizeof oid, "%s-o-term-%d", run, t->i);
    char *body = genericOrder(id, oid);
    hook h = {.platform = CS_WEBHOOK_GENERIC, .shop = "gw-a", .secret = SECRET_A_NEW};
    resp r;
    it_sleep_ms(t->i * 2); /* spread over the moment of the signal */
    sendHook(t->port, &h, body, &r);
    t->status = r.status;
    t->cc = r.cc;
    free(body);
    return NULL;
}

static void test_sigterm_answers_requests_in_flight(void) {
    it_worker w;
    int p = startGateway(&w, "gateway-term");
    IT_REQUIRE(p > 0);
    it_reader *rd = it_reader_open(IT_TOPIC_ORDERS, false);
    IT_REQUIRE(rd);
    static termReq t[TERM_REQS];
    pthread_t th[TERM_REQS];
    for (int i = 0; i < TERM_REQS; i++) {
        t[i] = (termReq){.port = p, .i = i};
        pthread_create(&th[i], NULL, termSend, &t[i]);
    }
    it_sleep_ms(20);
    kill(w.pid, SIGTERM);
    for (int i = 0; i < TERM_REQS; i++) pthread_join(th[i], NULL);
    CT_EQ_INT(it_worker_wait(&w, 20000), 0);
    int accepted = 0, refused = 0, notTaken = 0, dropped = 0;
    static char ids[TERM_REQS][96];
    int nids = 0;
    for (int i = 0; i < TERM_REQS; i++) {
        if (t[i].status == 202) {
            accepted++;
            snprintf(ids[nids++], sizeof ids[0], "%s-term-%d", run, i);
        } else if (t[i].status == 503)
            refused++;
        else if (t[i].cc == CURLE_COULDNT_CONNECT)
            notTaken++; /* after the listening socket closed */
        else {
            dropped++;
            fprintf(stderr, "  request %d: status %ld, curl %d\n", i, t[i].status, (int)t[i].cc);
        }
    }
    it_measure("SIGTERM amid %d requests: %d accepted, %d refused 503, %d not connected", TERM_REQS, accepted, refused,
               notTaken);
    CT_EQ_INT(dropped, 0);
    collectIds(rd, ids, nids, 10000);
    int once = 0;
    for (int i = 0; i < nids; i++) once += countId(rd, ids[i]) == 1;
    CT_EQ_INT(once, nids);
    it_reader_close(rd);
}

/* Counters of this copy's own requests, then a clean stop on SIGTERM. */
static void test_metrics_and_clean_stop(void) {
    IT_REQUIRE(ensureGateway());
    char id[96], oid[96];
    snprintf(id, sizeof id, "%s-metrics", run);
    snprintf(oid, sizeof oid, "%s-o-metrics", run);
    char *body = genericOrder(id, oid);
    hook h = {.platform = CS_WEBHOOK_GENERIC, .shop = "gw-a", .secret = SECRET_A_NEW};
    hook bad = h;
    bad.secret = "gw-it-not-the-secret-000000";
    resp r;
    sendHook(port, &h, body, &r);
    sendHook(port, &h, body, &r);
    sendHook(port, &bad, body, &r);
    CT_EQ_INT(it_metric(port, "cs_gateway_requests_total{platform=\"generic\",code=\"202\"}"), 1);
    CT_EQ_INT(it_metric(port, "cs_gateway_requests_total{platform=\"generic\",code=\"200\"}"), 1);
    CT_EQ_INT(it_metric(port, "cs_gateway_requests_total{platform=\"generic\",code=\"401\"}"), 1);
    CT_EQ_INT(it_metric(port, "cs_gateway_dedupe_hits_total"), 1);
    CT_EQ_INT(it_metric(port, "cs_gateway_request_duration_seconds_count"), 3);
    CT_EQ_INT(it_metric(port, "cs_gateway_inflight_requests"), 0);
    CT_EQ_INT(it_metric(port, "cs_gateway_kafka_produce_errors_total"), 0);
    CT_EQ_INT(it_worker_stop(&gw, SIGTERM, 20000), 0);
    CT_EQ_INT(it_log_count(gw.log, "\"stopped\""), 1);
    port = 0;
    free(body);
}

static void setup(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    it_run_id(run, sizeof run);
    writeShops();
}

int main(int argc, char **argv) {
    (void)argc;
    it_init(argv[0]);
    setup();
    static const ct_case cases[] = {
        CT_CASE(test_signatures_generic_and_taobao),
        CT_CASE(test_signatures_shopify),
        CT_CASE(test_rotated_secret_old_and_new_both_accepted),
        CT_CASE(test_standard_webhooks_headers),
        CT_CASE(test_refusals_and_the_gateway_keeps_serving),
        CT_CASE(test_same_event_twice_one_record_and_other_shop_400),
        CT_CASE(test_two_copies_racing_produce_each_id_once),
        CT_CASE(test_claim_of_a_dead_copy_expires_and_is_taken),
        CT_CASE(test_records_of_one_event_per_platform),
        CT_CASE(test_kafka_stopped_mid_stream_503_and_no_2xx_lost),
        CT_CASE(test_sigterm_answers_requests_in_flight),
        CT_CASE(test_metrics_and_clean_stop),
    };
    int rc = it_run_cases(cases, sizeof cases / sizeof cases[0]);
    it_shutdown();
    curl_global_cleanup();
    return rc;
}
