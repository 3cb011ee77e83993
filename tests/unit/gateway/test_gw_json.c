/* test_gw_json.c -- the JSON readers every platform mapping shares
 * (gateway/map/gw_json.c): paths in errors, exact integers and ids,
 * platform local times in a zone, dates, enums. The generic mapping's
 * tests (test_map_generic.c) cover them through whole bodies; these pin
 * what the Taobao and Shopify mappings rely on directly. */
#include <string.h>

#include "ct.h"
#include "gw_json.h"
#include "shop_fixture.h"

static cJSON *parse(const char *s, gw_error *err) {
    cJSON *root = NULL;
    if (gw_json_parse(s, strlen(s), &root, err) != 0) return NULL;
    return root;
}

static void test_gw_json_path_names_nested_field(void) {
    gw_error err;
    gw_json j;
    cJSON *root = parse("{\"trade\":{\"orders\":[{\"num\":1},{\"num\":\"x\"}]}}", &err);
    CT_CHECK(root != NULL);
    gw_json_init(&j, &err, NULL);
    const cJSON *trade = NULL, *orders = NULL;
    CT_EQ_INT(gw_json_object(&j, root, "trade", GW_REQUIRED, &trade), 1);
    size_t m1 = gw_json_enter(&j, "trade");
    CT_EQ_INT(gw_json_array(&j, trade, "orders", GW_REQUIRED, 10, &orders), 1);
    size_t m2 = gw_json_enter(&j, "orders");
    int64_t v = 0;
    size_t m3 = gw_json_enter_index(&j, 1);
    CT_EQ_INT(gw_json_int(&j, cJSON_GetArrayItem(orders, 1), "num", GW_REQUIRED, 0, 10, &v), -1);
    CT_EQ_STR(err.field, "trade.orders[1].num");
    gw_json_leave(&j, m3);
    CT_EQ_STR(j.path, "trade.orders");
    gw_json_leave(&j, m2);
    CT_EQ_STR(j.path, "trade");
    gw_json_leave(&j, m1);
    CT_EQ_STR(j.path, "");
    CT_EQ_INT(gw_json_str(&j, root, "missing", GW_REQUIRED, 10, &(const char *){NULL}), -1);
    CT_EQ_STR(err.field, "missing");
    cJSON_Delete(root);
}

static void test_gw_json_integers_exact_and_bounded(void) {
    gw_error err;
    gw_json j;
    cJSON *root = parse("{\"a\":9223372036854775807,\"b\":-9223372036854775808,\"c\":9223372036854775808,"
                        "\"d\":012,\"e\":-0,\"f\":1.0}",
                        &err);
    CT_CHECK(root != NULL);
    gw_json_init(&j, &err, NULL);
    int64_t v = 0;
    CT_EQ_INT(gw_json_int(&j, root, "a", GW_REQUIRED, INT64_MIN, INT64_MAX, &v), 1);
    CT_CHECK(v == INT64_MAX);
    CT_EQ_INT(gw_json_int(&j, root, "b", GW_REQUIRED, INT64_MIN, INT64_MAX, &v), 1);
    CT_CHECK(v == INT64_MIN);
    CT_EQ_INT(gw_json_int(&j, root, "c", GW_REQUIRED, INT64_MIN, INT64_MAX, &v), -1);
    CT_EQ_INT(gw_json_int(&j, root, "e", GW_REQUIRED, -1, 1, &v), 1);
    CT_EQ_INT(v, 0);
    CT_EQ_INT(gw_json_int(&j, root, "f", GW_REQUIRED, 0, 10, &v), -1);
    CT_EQ_STR(err.field, "f");
    CT_EQ_INT(gw_json_int(&j, root, "absent", GW_OPTIONAL, 0, 10, &v), 0);
    /* cJSON takes 012 as 12; the reader sees the text and refuses it */
    CT_EQ_INT(gw_json_int(&j, root, "d", GW_REQUIRED, 0, 100, &v), -1);
    CT_CHECK(strstr(err.reason, "leading zero") != NULL);
    cJSON_Delete(root);
}

static void test_gw_json_ids_from_strings_and_integers(void) {
    gw_error err;
    gw_json j;
    cJSON *root = parse("{\"tid\":3456789012345678901,\"s\":\"abc\",\"neg\":-1,\"long\":\"abcdef\"}", &err);
    CT_CHECK(root != NULL);
    gw_json_init(&j, &err, NULL);
    const char *id = NULL;
    CT_EQ_INT(gw_json_id(&j, root, "tid", GW_REQUIRED, 64, &id), 1);
    CT_EQ_STR(id, "3456789012345678901");
    CT_EQ_INT(gw_json_id(&j, root, "s", GW_REQUIRED, 64, &id), 1);
    CT_EQ_STR(id, "abc");
    CT_EQ_INT(gw_json_id(&j, root, "neg", GW_REQUIRED, 64, &id), -1);
    CT_EQ_INT(gw_json_id(&j, root, "long", GW_REQUIRED, 5, &id), -1);
    CT_CHECK(strstr(err.reason, "longer than 5") != NULL);
    cJSON_Delete(root);
}

static void test_gw_json_local_time_in_shop_zone(void) {
    gw_error err;
    gw_json j;
    cs_shop sh, ny;
    ct_shop_init(&sh, "Asia/Shanghai");
    ct_shop_init(&ny, "America/New_York");
    cJSON *root =
        parse("{\"created\":\"2026-11-11 10:00:00\",\"gap\":\"2026-03-08 02:30:00\",\"bad\":\"2026-11-11T10:00:00\","
              "\"day\":\"2026-11-13\"}",
              &err);
    CT_CHECK(root != NULL);
    int64_t ms = 0;
    gw_json_init(&j, &err, sh.tz);
    CT_EQ_INT(gw_json_local_time(&j, root, "created", GW_REQUIRED, &ms), 1);
    CT_EQ_INT(ms, INT64_C(1794362400000)); /* 2026-11-11T02:00:00Z */
    CT_EQ_INT(gw_json_local_time(&j, root, "bad", GW_REQUIRED, &ms), -1);
    CT_EQ_STR(err.field, "bad");
    CT_EQ_INT(gw_json_date(&j, root, "day", GW_REQUIRED, &ms), 1);
    CT_EQ_INT(ms, INT64_C(1794499200000)); /* 2026-11-12T16:00:00Z */
    gw_json_init(&j, &err, ny.tz);
    CT_EQ_INT(gw_json_local_time(&j, root, "created", GW_REQUIRED, &ms), 1);
    CT_EQ_INT(ms, INT64_C(1794409200000)); /* 15:00Z: EST, -05:00 */
    /* 02:30 does not exist on the spring-forward day: the instant the gap
     * ends, 03:00 EDT = 07:00Z (cs_tz_instant) */
    CT_EQ_INT(gw_json_local_time(&j, root, "gap", GW_REQUIRED, &ms), 1);
    CT_EQ_INT(ms, INT64_C(1772953200000));
    gw_json_init(&j, &err, NULL);
    CT_EQ_INT(gw_json_local_time(&j, root, "created", GW_REQUIRED, &ms), -1);
    cJSON_Delete(root);
    ct_shop_done(&sh);
    ct_shop_done(&ny);
}

static void test_gw_json_enum_lists_names(void) {
    static const gw_enum_name names[] = {{"a", 1}, {"b", 2}, {NULL, 0}};
    gw_error err;
    gw_json j;
    cJSON *root = parse("{\"x\":\"b\",\"y\":\"c\"}", &err);
    gw_json_init(&j, &err, NULL);
    int v = 0;
    CT_EQ_INT(gw_json_enum(&j, root, "x", GW_REQUIRED, names, &v), 1);
    CT_EQ_INT(v, 2);
    CT_EQ_INT(gw_json_enum(&j, root, "y", GW_REQUIRED, names, &v), -1);
    CT_EQ_STR(err.reason, "not one of: a, b");
    cJSON_Delete(root);
}

static void test_gw_json_currency_and_require(void) {
    static const char *const keys[] = {"a", "b", NULL};
    gw_error err;
    gw_json j;
    cJSON *root = parse("{\"currency\":\"USD\",\"a\":1,\"b\":null}", &err);
    gw_json_init(&j, &err, NULL);
    CT_EQ_INT(gw_json_currency(&j, root, "currency", "CNY"), -1);
    CT_EQ_STR(err.field, "currency");
    CT_EQ_INT(gw_json_currency(&j, root, "currency", "USD"), 1);
    CT_EQ_INT(gw_json_currency(&j, root, "absent", "CNY"), 0);
    CT_EQ_INT(gw_json_require(&j, root, keys), -1);
    CT_EQ_STR(err.field, "b");
    cJSON_Delete(root);
}

CT_MAIN(CT_CASE(test_gw_json_path_names_nested_field), CT_CASE(test_gw_json_integers_exact_and_bounded),
        CT_CASE(test_gw_json_ids_from_strings_and_integers), CT_CASE(test_gw_json_local_time_in_shop_zone),
        CT_CASE(test_gw_json_enum_lists_names), CT_CASE(test_gw_json_currency_and_require))
