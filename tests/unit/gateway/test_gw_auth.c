/* test_gw_auth.c -- webhook signatures (gateway/auth/gw_auth.c) against
 * vectors made with the openssl command line (docs/webhooks.md's recipe),
 * not with the code under test, and the Standard Webhooks specification's
 * own example. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct.h"
#include "gw_auth.h"

static const char BODY[] = "{\"event_id\":\"e1\",\"type\":\"order.paid\"}";
#define TS 1700000000
/* printf '%s' "1700000000.$BODY" | openssl dgst -sha256 -hmac <secret> */
static const char SIG_CURRENT[] = "sha256=7e4dfbf49090b25a12fe963549f6f825a0f0f16ee919a58710ea349f1d245ded";
static const char SIG_PREVIOUS[] = "sha256=aa7c431eaf9210f8776f33c98ead02e02a0c12f3fa47ca5b6f5fbd4460ed4929";
/* printf '%s' "$BODY" | openssl dgst -sha256 -hmac shpss_0123456789abcdef -binary | base64 */
static const char SIG_SHOPIFY[] = "rHD2IRYzGSRgiOC+Wf73Ym1u+1PgHc95P28gPj7j2as=";

static const char SHOPS[] =
    "{\"shops\": ["
    "{\"id\": \"s1\", \"channel\": \"taobao\", \"secrets\": {\"generic\": [\"sekrit-current-0123\", "
    "\"sekrit-previous-0123\"], \"taobao\": \"sekrit-current-0123\"}},"
    "{\"id\": \"s2\", \"channel\": \"own_site\", \"shopify_domain\": \"s2.myshopify.com\", \"secrets\": {\"shopify\": "
    "\"shpss_0123456789abcdef\"}},"
    "{\"id\": \"s3\", \"channel\": \"own_site\", \"secrets\": {\"generic\": "
    "\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}}"
    "]}";

static cs_shops *shops;

static gw_auth_result verify(cs_webhook_platform p, const gw_auth_headers *h, const char *body, int64_t now,
                             gw_auth *out) {
    return gw_auth_verify(p, shops, h, body, strlen(body), now, out);
}

static void test_cs_signature_current_secret_accepted(void) {
    gw_auth_headers h = {.cs_shop = "s1", .cs_timestamp = "1700000000", .cs_signature = SIG_CURRENT};
    gw_auth a;
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS, &a), GW_AUTH_OK);
    CT_EQ_STR(a.shop->id, "s1");
    CT_EQ_INT(a.secret_index, 0);
    CT_CHECK(a.webhook_id == NULL);
    CT_EQ_INT(verify(CS_WEBHOOK_TAOBAO, &h, BODY, TS, &a), GW_AUTH_OK);
}

static void test_cs_signature_upper_case_hex_accepted(void) {
    char up[80];
    snprintf(up, sizeof up, "%s", SIG_CURRENT);
    for (char *p = up + 7; *p; p++)
        if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 'a' + 'A');
    gw_auth_headers h = {.cs_shop = "s1", .cs_timestamp = "1700000000", .cs_signature = up};
    gw_auth a;
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS, &a), GW_AUTH_OK);
}

static void test_cs_signature_rotation_previous_secret_accepted(void) {
    gw_auth_headers h = {.cs_shop = "s1", .cs_timestamp = "1700000000", .cs_signature = SIG_PREVIOUS};
    gw_auth a;
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS, &a), GW_AUTH_OK);
    CT_EQ_INT(a.secret_index, 1);
    /* taobao has only the new secret: the old one signs nothing there */
    CT_EQ_INT(verify(CS_WEBHOOK_TAOBAO, &h, BODY, TS, &a), GW_AUTH_BAD_SIGNATURE);
}

static void test_cs_signature_other_body_refused(void) {
    gw_auth_headers h = {.cs_shop = "s1", .cs_timestamp = "1700000000", .cs_signature = SIG_CURRENT};
    gw_auth a;
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, "{\"event_id\":\"e1\",\"type\":\"order.paie\"}", TS, &a),
              GW_AUTH_BAD_SIGNATURE);
    CT_EQ_INT(gw_auth_status(GW_AUTH_BAD_SIGNATURE), 401);
    /* the same body and signature under another timestamp (a replay with a fresh one) */
    gw_auth_headers h2 = {.cs_shop = "s1", .cs_timestamp = "1700000001", .cs_signature = SIG_CURRENT};
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h2, BODY, TS, &a), GW_AUTH_BAD_SIGNATURE);
}

static void test_cs_timestamp_window_is_300_s_both_ways(void) {
    gw_auth_headers h = {.cs_shop = "s1", .cs_timestamp = "1700000000", .cs_signature = SIG_CURRENT};
    gw_auth a;
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS + 300, &a), GW_AUTH_OK);
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS - 300, &a), GW_AUTH_OK);
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS + 301, &a), GW_AUTH_STALE); /* stale */
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS - 301, &a), GW_AUTH_STALE); /* from the future */
    CT_EQ_INT(gw_auth_status(GW_AUTH_STALE), 401);
}

static void test_cs_malformed_headers_refused_401(void) {
    gw_auth a;
    const char *bad_ts[] = {"", "+1700000000", " 1700000000", "1.7e9", "17000000000000", "abc"};
    for (size_t i = 0; i < sizeof bad_ts / sizeof *bad_ts; i++) {
        gw_auth_headers h = {.cs_shop = "s1", .cs_timestamp = bad_ts[i], .cs_signature = SIG_CURRENT};
        CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS, &a), GW_AUTH_MISSING);
    }
    const char *bad_sig[] = {"",
                             "sha256=",
                             "sha1=7e4d",
                             "7e4dfbf49090b25a12fe963549f6f825a0f0f16ee919a58710ea349f1d245ded",
                             "sha256=7e4dfbf49090b25a12fe963549f6f825a0f0f16ee919a58710ea349f1d245de",
                             "sha256=7e4dfbf49090b25a12fe963549f6f825a0f0f16ee919a58710ea349f1d245dedaa"};
    for (size_t i = 0; i < sizeof bad_sig / sizeof *bad_sig; i++) {
        gw_auth_headers h = {.cs_shop = "s1", .cs_timestamp = "1700000000", .cs_signature = bad_sig[i]};
        CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS, &a), GW_AUTH_MISSING);
    }
    gw_auth_headers none = {.cs_shop = "s1"};
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &none, BODY, TS, &a), GW_AUTH_MISSING);
    gw_auth_headers noShop = {.cs_timestamp = "1700000000", .cs_signature = SIG_CURRENT};
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &noShop, BODY, TS, &a), GW_AUTH_MISSING);
}

static void test_unknown_shop_and_missing_secret_are_404(void) {
    gw_auth a;
    gw_auth_headers h = {.cs_shop = "nope", .cs_timestamp = "1700000000", .cs_signature = SIG_CURRENT};
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS, &a), GW_AUTH_UNKNOWN_SHOP);
    CT_EQ_INT(gw_auth_status(GW_AUTH_UNKNOWN_SHOP), 404);
    gw_auth_headers h2 = {.cs_shop = "s2", .cs_timestamp = "1700000000", .cs_signature = SIG_CURRENT};
    CT_EQ_INT(verify(CS_WEBHOOK_TAOBAO, &h2, BODY, TS, &a), GW_AUTH_NO_SECRET);
    CT_EQ_INT(gw_auth_status(GW_AUTH_NO_SECRET), 404);
    gw_auth_headers h3 = {.shopify_domain = "other.myshopify.com", .shopify_hmac = SIG_SHOPIFY};
    CT_EQ_INT(verify(CS_WEBHOOK_SHOPIFY, &h3, BODY, TS, &a), GW_AUTH_UNKNOWN_SHOP);
}

static void test_shopify_hmac_of_body(void) {
    gw_auth a;
    gw_auth_headers h = {.shopify_domain = "s2.myshopify.com", .shopify_hmac = SIG_SHOPIFY};
    CT_EQ_INT(verify(CS_WEBHOOK_SHOPIFY, &h, BODY, TS, &a), GW_AUTH_OK);
    CT_EQ_STR(a.shop->id, "s2");
    CT_EQ_INT(verify(CS_WEBHOOK_SHOPIFY, &h, "{}", TS, &a), GW_AUTH_BAD_SIGNATURE);
    gw_auth_headers bad = {.shopify_domain = "s2.myshopify.com", .shopify_hmac = "not base64!"};
    CT_EQ_INT(verify(CS_WEBHOOK_SHOPIFY, &bad, BODY, TS, &a), GW_AUTH_MISSING);
    gw_auth_headers missing = {.shopify_domain = "s2.myshopify.com"};
    CT_EQ_INT(verify(CS_WEBHOOK_SHOPIFY, &missing, BODY, TS, &a), GW_AUTH_MISSING);
    char sig[64];
    gw_auth_sign_shopify("shpss_0123456789abcdef", BODY, strlen(BODY), sig, sizeof sig);
    CT_EQ_STR(sig, SIG_SHOPIFY);
}

/* The example of the Standard Webhooks specification (its test vector). */
static void test_standard_webhooks_spec_vector(void) {
    const char body[] = "{\"test\": 2432232314}";
    gw_auth a;
    gw_auth_headers h = {.cs_shop = "s3",
                         .wh_id = "msg_p5jXN8AQM9LWM0D4loKWxJek",
                         .wh_timestamp = "1614265330",
                         .wh_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="};
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, body, 1614265330, &a), GW_AUTH_OK);
    CT_EQ_STR(a.webhook_id, "msg_p5jXN8AQM9LWM0D4loKWxJek");
    CT_EQ_STR(a.scheme, "standard-webhooks");
    /* a list: any entry may match, unknown versions are skipped */
    h.wh_signature =
        "v1a,AAAA v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, body, 1614265330, &a), GW_AUTH_OK);
    /* the id is signed: another id is refused */
    h.wh_id = "msg_other";
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, body, 1614265330, &a), GW_AUTH_BAD_SIGNATURE);
    h.wh_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, body, 1614265330 + 301, &a), GW_AUTH_STALE);
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, body, 1614265330 - 301, &a), GW_AUTH_STALE);
    /* only generic speaks Standard Webhooks */
    gw_auth_headers tb = h;
    tb.cs_shop = "s1";
    CT_EQ_INT(verify(CS_WEBHOOK_TAOBAO, &tb, body, 1614265330, &a), GW_AUTH_MISSING);
    char sig[64];
    gw_auth_sign_standard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body,
                          strlen(body), sig, sizeof sig);
    CT_EQ_STR(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

/* A secret without whsec_: its bytes as written sign (and a rotation works). */
static void test_standard_webhooks_plain_secret_and_rotation(void) {
    char sig[64];
    gw_auth_sign_standard("sekrit-previous-0123", "msg_1", "1700000000", BODY, strlen(BODY), sig, sizeof sig);
    gw_auth_headers h = {.cs_shop = "s1", .wh_id = "msg_1", .wh_timestamp = "1700000000", .wh_signature = sig};
    gw_auth a;
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS, &a), GW_AUTH_OK);
    CT_EQ_INT(a.secret_index, 1);
    h.wh_signature = "v1,";
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS, &a), GW_AUTH_MISSING);
    h.wh_signature = sig;
    h.wh_id = NULL;
    CT_EQ_INT(verify(CS_WEBHOOK_GENERIC, &h, BODY, TS, &a), GW_AUTH_MISSING);
}

static void test_sign_cs_matches_openssl(void) {
    char sig[80];
    gw_auth_sign_cs("sekrit-current-0123", "1700000000", BODY, strlen(BODY), sig, sizeof sig);
    CT_EQ_STR(sig, SIG_CURRENT);
}

int main(void) {
    char path[] = "/tmp/gw-auth-shops-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, SHOPS, sizeof SHOPS - 1) != (ssize_t)(sizeof SHOPS - 1)) return 1;
    close(fd);
    char err[512];
    shops = cs_shops_load(path, err, sizeof err);
    unlink(path);
    if (!shops) {
        fprintf(stderr, "shops: %s\n", err);
        return 1;
    }
    static const ct_case cases[] = {
        CT_CASE(test_cs_signature_current_secret_accepted),
        CT_CASE(test_cs_signature_upper_case_hex_accepted),
        CT_CASE(test_cs_signature_rotation_previous_secret_accepted),
        CT_CASE(test_cs_signature_other_body_refused),
        CT_CASE(test_cs_timestamp_window_is_300_s_both_ways),
        CT_CASE(test_cs_malformed_headers_refused_401),
        CT_CASE(test_unknown_shop_and_missing_secret_are_404),
        CT_CASE(test_shopify_hmac_of_body),
        CT_CASE(test_standard_webhooks_spec_vector),
        CT_CASE(test_standard_webhooks_plain_secret_and_rotation),
        CT_CASE(test_sign_cs_matches_openssl),
    };
    int rc = ct_run(cases, sizeof cases / sizeof cases[0]);
    cs_shops_free(shops);
    return rc;
}
