/* test_gw_route.c -- what a request is for (gateway/gw_route.c): the
 * webhook paths by platform, 404 for others, 405 for a wrong method, and
 * the Content-Type the webhooks take. */
#include "ct.h"
#include "gw_route.h"

static void test_webhook_paths_by_platform(void) {
    gw_route r;
    gw_route_of("POST", "/v1/webhooks/taobao", &r);
    CT_EQ_INT(r.kind, GW_ROUTE_WEBHOOK);
    CT_EQ_INT(r.platform, CS_WEBHOOK_TAOBAO);
    CT_CHECK(r.method_ok);
    gw_route_of("POST", "/v1/webhooks/shopify", &r);
    CT_EQ_INT(r.platform, CS_WEBHOOK_SHOPIFY);
    gw_route_of("POST", "/v1/webhooks/generic", &r);
    CT_EQ_INT(r.platform, CS_WEBHOOK_GENERIC);
}

static void test_unknown_platform_and_paths_are_404(void) {
    const char *paths[] = {"/v1/webhooks/ebay",   "/v1/webhooks/",         "/v1/webhooks/taobao/",
                           "/v1/webhooks/Taobao", "/v2/webhooks/taobao",   "/",
                           "/healthz/",           "/v1/webhooks/generic/x"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        gw_route r;
        gw_route_of("POST", paths[i], &r);
        CT_EQ_INT(r.kind, GW_ROUTE_NOT_FOUND);
    }
}

static void test_wrong_method_is_405_with_allow(void) {
    gw_route r;
    gw_route_of("GET", "/v1/webhooks/generic", &r);
    CT_EQ_INT(r.kind, GW_ROUTE_WEBHOOK);
    CT_CHECK(!r.method_ok);
    CT_EQ_STR(r.allow, "POST");
    gw_route_of("POST", "/metrics", &r);
    CT_EQ_INT(r.kind, GW_ROUTE_METRICS);
    CT_CHECK(!r.method_ok);
    gw_route_of("HEAD", "/readyz", &r);
    CT_EQ_INT(r.kind, GW_ROUTE_READYZ);
    CT_CHECK(r.method_ok);
    gw_route_of("GET", "/healthz", &r);
    CT_EQ_INT(r.kind, GW_ROUTE_HEALTHZ);
    CT_CHECK(r.method_ok);
}

static void test_json_content_types(void) {
    CT_CHECK(gw_route_is_json("application/json"));
    CT_CHECK(gw_route_is_json("Application/JSON"));
    CT_CHECK(gw_route_is_json("application/json; charset=utf-8"));
    CT_CHECK(gw_route_is_json("application/json;charset=UTF-8"));
    CT_CHECK(gw_route_is_json("application/json; charset=\"utf-8\""));
    CT_CHECK(gw_route_is_json("application/json ; foo=bar"));
    CT_CHECK(!gw_route_is_json(NULL));
    CT_CHECK(!gw_route_is_json(""));
    CT_CHECK(!gw_route_is_json("text/plain"));
    CT_CHECK(!gw_route_is_json("application/jsonx"));
    CT_CHECK(!gw_route_is_json("application/json-patch+json"));
    CT_CHECK(!gw_route_is_json("application/x-www-form-urlencoded"));
    CT_CHECK(!gw_route_is_json("application/json; charset=latin1"));
    CT_CHECK(!gw_route_is_json("application/json garbage"));
}

int main(void) {
    static const ct_case cases[] = {
        CT_CASE(test_webhook_paths_by_platform),
        CT_CASE(test_unknown_platform_and_paths_are_404),
        CT_CASE(test_wrong_method_is_405_with_allow),
        CT_CASE(test_json_content_types),
    };
    return ct_run(cases, sizeof cases / sizeof cases[0]);
}
