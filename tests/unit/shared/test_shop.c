/* test_shop.c -- the shops file: the shipped sample loads with the values
 * it states, missing keys take the handbook defaults, and every kind of
 * bad file is refused with "<file>: <key path>: <reason>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cs/shop.h"
#include "ct.h"

/* The sample's path: $CS_SOURCE_DIR (set by ctest), else derived from
 * this file's path. */
static void sample_path(char *buf, size_t len) {
    const char *root = getenv("CS_SOURCE_DIR");
    if (root && *root) {
        snprintf(buf, len, "%s/deploy/config/shops.sample.json", root);
        return;
    }
    const char *me = __FILE__;
    const char *cut = strstr(me, "tests/unit/shared/test_shop.c");
    snprintf(buf, len, "%.*sdeploy/config/shops.sample.json", cut ? (int)(cut - me) : 0, me);
}

/* Writes json to a fresh temp file; its name goes into path. */
static void write_tmp(const char *json, char *path, size_t len) {
    snprintf(path, len, "/tmp/cs_shop_test_XXXXXX");
    int fd = mkstemp(path);
    CT_CHECK(fd >= 0);
    if (fd < 0) return;
    size_t n = strlen(json);
    CT_CHECK(write(fd, json, n) == (ssize_t)n);
    close(fd);
}

/* Loads json from a temp file; the caller frees the result. */
static cs_shops *load_json(const char *json, char *err, size_t errlen) {
    char path[64];
    write_tmp(json, path, sizeof path);
    cs_shops *s = cs_shops_load(path, err, errlen);
    unlink(path);
    return s;
}

/* Checks that json is refused with exactly "<tmpfile>: <want>". */
#define EXPECT_ERROR(json, want)                                                                                       \
    do {                                                                                                               \
        char path_[64], err_[512], full_[600];                                                                         \
        write_tmp((json), path_, sizeof path_);                                                                        \
        cs_shops *s_ = cs_shops_load(path_, err_, sizeof err_);                                                        \
        unlink(path_);                                                                                                 \
        CT_CHECK(s_ == NULL);                                                                                          \
        cs_shops_free(s_);                                                                                             \
        snprintf(full_, sizeof full_, "%s: %s", path_, (want));                                                        \
        if (!s_) CT_EQ_STR(err_, full_);                                                                               \
    } while (0)

/* One shop {"id":"a","channel":"tmall", <extra>}. */
#define SHOP(extra) "{\"shops\":[{\"id\":\"a\",\"channel\":\"tmall\"" extra "}]}"

static void test_shop_sample_file_loads(void) {
    char path[1024], err[512];
    sample_path(path, sizeof path);
    cs_shops *s = cs_shops_load(path, err, sizeof err);
    if (!s) fprintf(stderr, "  %s\n", err);
    CT_CHECK(s != NULL);
    if (!s) return;
    CT_EQ_INT(cs_shops_count(s), 4);

    const cs_shop *tb = cs_shops_find(s, "tb-demo");
    CT_CHECK(tb != NULL && tb == cs_shops_at(s, 0));
    if (tb) {
        CT_EQ_INT(tb->channel, CS_CHANNEL_TAOBAO);
        CT_EQ_STR(tb->time_zone, "Asia/Shanghai");
        CT_EQ_STR(cs_tz_name(tb->tz), "Asia/Shanghai");
        CT_CHECK(tb->secrets[CS_WEBHOOK_TAOBAO][0] != NULL && tb->secrets[CS_WEBHOOK_GENERIC][0] != NULL);
        CT_CHECK(tb->secrets[CS_WEBHOOK_SHOPIFY][0] == NULL && tb->secrets[CS_WEBHOOK_TAOBAO][1] == NULL);
        CT_EQ_INT(tb->ncouriers, 4);
        CT_EQ_STR(tb->couriers[0].code, "YTO"); /* preference order kept */
        CT_EQ_STR(tb->couriers[1].code, "SF");
        CT_EQ_STR(tb->couriers[2].code, "EMS");
        const cs_courier *yto = cs_shop_courier(tb, "YTO");
        CT_CHECK(yto == &tb->couriers[0]);
        if (yto) {
            CT_EQ_INT(yto->nunreachable, 2);
            CT_EQ_STR(yto->unreachable[0].parts[0], "西藏自治区");
            CT_EQ_INT(yto->unreachable[0].nparts, 1);
            CT_EQ_INT(yto->ncod, 0);
            CT_CHECK(!yto->cod_everywhere);
        }
        const cs_courier *sf = cs_shop_courier(tb, "SF");
        CT_CHECK(sf && sf->cod_everywhere && sf->nunreachable == 0 && sf->ncod == 0);
        CT_EQ_STR(sf ? sf->name : NULL, "顺丰速运");
        const cs_courier *ems = cs_shop_courier(tb, "EMS");
        CT_CHECK(ems && ems->ncod == 2 && !ems->cod_everywhere);
        const cs_courier *zto = cs_shop_courier(tb, "ZTO");
        CT_CHECK(zto != NULL);
        if (zto) {
            CT_EQ_INT(zto->unreachable[0].nparts, 3);
            CT_EQ_STR(zto->unreachable[0].parts[0], "浙江省");
            CT_EQ_STR(zto->unreachable[0].parts[1], "杭州市");
            CT_EQ_STR(zto->unreachable[0].parts[2], "淳安县");
            CT_CHECK(zto->unreachable[1].parts[2] == NULL);
        }
        CT_CHECK(cs_shop_courier(tb, "JD") == NULL);
        CT_EQ_INT(tb->th.capture_sweep_min, 19 * 60); /* written "19:00" */
        CT_EQ_INT(tb->nshifts, 3);
        const cs_template *t = cs_shop_template(tb, "out_of_stock_apology");
        CT_CHECK(t && t->refusal && strncmp(t->text, "非常抱歉", strlen("非常抱歉")) == 0);
        CT_CHECK(cs_shop_template(tb, "nope") == NULL);
        CT_EQ_STR(tb->province, "浙江省");
        CT_EQ_INT(tb->postage_reimburse, CS_POSTAGE_IN_REFUND);
    }
    const cs_shop *tm = cs_shops_find(s, "tm-demo");
    CT_CHECK(tm && tm->channel == CS_CHANNEL_TMALL && tm->msg_pref == CS_MSG_PREF_IM);
    const cs_shop *own = cs_shops_find(s, "own-demo");
    CT_CHECK(own != NULL);
    if (own) {
        CT_EQ_INT(own->channel, CS_CHANNEL_OWN_SITE);
        CT_EQ_INT(own->msg_pref, CS_MSG_PREF_SMS);
        CT_CHECK(own->payment_reminder_im);
        CT_EQ_STR(own->province, "广东省");
        CT_EQ_INT(own->postage_reimburse, CS_POSTAGE_IN_PARCEL);
        CT_CHECK(cs_shops_find_shopify(s, "own-demo.myshopify.com") == own);
    }
    const cs_shop *us = cs_shops_find(s, "us-dst");
    CT_CHECK(us != NULL);
    if (us) {
        CT_EQ_STR(cs_tz_name(us->tz), "America/New_York");
        CT_EQ_INT(cs_tz_offset_s(us->tz, 1720000000000LL), -4 * 3600); /* July 2024 */
    }
    CT_CHECK(cs_shops_find(s, "unknown") == NULL);
    CT_CHECK(cs_shops_find_shopify(s, "unknown.myshopify.com") == NULL);
    CT_CHECK(cs_shops_at(s, 4) == NULL);
    cs_shops_free(s);
}

static void test_shop_missing_keys_take_handbook_defaults(void) {
    char err[512];
    cs_shops *s = load_json(SHOP(""), err, sizeof err);
    CT_CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    const cs_shop *a = cs_shops_at(s, 0);
    cs_thresholds d;
    cs_thresholds_defaults(&d);
    CT_CHECK(memcmp(&a->th, &d, sizeof d) == 0);
    CT_EQ_INT(a->th.unpaid_reminder_min, 30);
    CT_EQ_INT(a->th.compensation_bp, 500);
    CT_EQ_INT(a->th.compensation_cap_fen, 3000);
    CT_EQ_INT(a->th.vip_paid_fen, 200000);
    CT_EQ_INT(a->th.service_quiet_start_min, 21 * 60);
    CT_EQ_INT(a->th.follow_up_send_min, 600);
    CT_EQ_STR(a->time_zone, "Asia/Shanghai");
    CT_EQ_INT(a->msg_pref, CS_MSG_PREF_IM);
    CT_CHECK(!a->promotion_mode && !a->payment_reminder_im);
    CT_CHECK(a->province == NULL);                         /* RF-3: every return out of province */
    CT_EQ_INT(a->postage_reimburse, CS_POSTAGE_IN_REFUND); /* RF-3: added to the refund */
    CT_EQ_INT(a->ncouriers, 0);
    CT_EQ_INT(a->ntemplates, 0);
    CT_CHECK(a->shopify_domain == NULL && a->secrets[CS_WEBHOOK_GENERIC][0] == NULL);
    CT_EQ_STR(a->currency, "CNY");
    CT_EQ_INT(a->address_required, CS_ADDR_ALL); /* OV-3 as RULES.md lists it */
    CT_EQ_INT(a->webhook_rate, 0);               /* no limit */
    CT_EQ_INT(a->webhook_burst, 0);
    CT_EQ_INT(a->nshifts, 3);
    CT_EQ_STR(a->shifts[0].name, "early");
    CT_EQ_INT(a->shifts[0].start_min, 9 * 60);
    CT_EQ_INT(a->shifts[0].end_min, 18 * 60 + 30);
    CT_EQ_STR(a->shifts[1].name, "middle");
    CT_EQ_INT(a->shifts[1].start_min, 11 * 60 + 30);
    CT_EQ_INT(a->shifts[1].end_min, 21 * 60);
    CT_EQ_STR(a->shifts[2].name, "night");
    CT_EQ_INT(a->shifts[2].start_min, 16 * 60);
    CT_EQ_INT(a->shifts[2].end_min, 1440);
    cs_shops_free(s);
}

static void test_shop_thresholds_and_shifts_are_read(void) {
    char err[512];
    cs_shops *s = load_json(SHOP(",\"thresholds\":{\"unpaid_reminder_min\":45,"
                                 "\"compensation_cap_fen\":5000,\"follow_up_send_min\":\"09:30\","
                                 "\"capture_sweep_min\":1110},"
                                 "\"shifts\":[{\"name\":\"all\",\"start\":\"00:00\",\"end\":\"24:00\"}],"
                                 "\"time_zone\":\"UTC\",\"promotion_mode\":true"),
                            err, sizeof err);
    CT_CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    const cs_shop *a = cs_shops_at(s, 0);
    CT_EQ_INT(a->th.unpaid_reminder_min, 45);
    CT_EQ_INT(a->th.compensation_cap_fen, 5000);
    CT_EQ_INT(a->th.follow_up_send_min, 570);
    CT_EQ_INT(a->th.capture_sweep_min, 1110);
    CT_EQ_INT(a->th.hold_settle_days, 3); /* untouched default */
    CT_EQ_INT(a->nshifts, 1);
    CT_EQ_INT(a->shifts[0].start_min, 0);
    CT_EQ_INT(a->shifts[0].end_min, 1440);
    CT_CHECK(a->promotion_mode);
    CT_EQ_STR(cs_tz_name(a->tz), "UTC");
    cs_shops_free(s);
}

static void test_shop_rf3_province_and_postage_reimburse(void) {
    char err[512];
    cs_shops *s = load_json(SHOP(",\"province\":\"江苏省\",\"postage_reimburse\":\"parcel\""), err, sizeof err);
    CT_CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    CT_EQ_STR(cs_shops_at(s, 0)->province, "江苏省");
    CT_EQ_INT(cs_shops_at(s, 0)->postage_reimburse, CS_POSTAGE_IN_PARCEL);
    cs_shops_free(s);
    s = load_json(SHOP(",\"postage_reimburse\":\"refund\""), err, sizeof err);
    CT_CHECK(s != NULL);
    if (s) CT_EQ_INT(cs_shops_at(s, 0)->postage_reimburse, CS_POSTAGE_IN_REFUND);
    cs_shops_free(s);
    EXPECT_ERROR(SHOP(",\"postage_reimburse\":\"cash\""),
                 "shops[0].postage_reimburse: unknown postage reimbursement \"cash\" (refund or parcel)");
    EXPECT_ERROR(SHOP(",\"province\":\"\""), "shops[0].province: must not be empty");
    EXPECT_ERROR(SHOP(",\"province\":3"), "shops[0].province: must be a string, not a number");
}

static void test_shop_bad_channel_names_key_path(void) {
    EXPECT_ERROR("{\"shops\":[{\"id\":\"a\",\"channel\":\"taobao\"},{\"id\":\"b\",\"channel\":\"jd\"}]}",
                 "shops[1].channel: unknown channel \"jd\" (taobao, tmall or own_site)");
}

static void test_shop_missing_required_keys_named(void) {
    EXPECT_ERROR("{\"shops\":[{\"channel\":\"tmall\"}]}", "shops[0].id: required");
    EXPECT_ERROR("{\"shops\":[{\"id\":\"a\"}]}", "shops[0].channel: required");
    EXPECT_ERROR("{\"shops\":[{\"id\":\"\",\"channel\":\"tmall\"}]}", "shops[0].id: must not be empty");
    EXPECT_ERROR("{}", "shops: required");
    EXPECT_ERROR("{\"shops\":[]}", "shops: at least one shop required");
    EXPECT_ERROR(SHOP(",\"couriers\":[{\"name\":\"x\"}]"), "shops[0].couriers[0].code: required");
    EXPECT_ERROR(SHOP(",\"templates\":[{\"id\":\"t\"}]"), "shops[0].templates[0].text: required");
}

static void test_shop_unknown_and_duplicate_keys_refused(void) {
    EXPECT_ERROR(SHOP(",\"colour\":\"red\""), "shops[0].colour: unknown key");
    EXPECT_ERROR(SHOP(",\"thresholds\":{\"unpaid_reminder_mins\":30}"),
                 "shops[0].thresholds.unpaid_reminder_mins: unknown key");
    EXPECT_ERROR(SHOP(",\"secrets\":{\"jd\":\"0123456789abcdef\"}"), "shops[0].secrets.jd: unknown key");
    EXPECT_ERROR("{\"shops\":[],\"extra\":1}", "extra: unknown key");
    EXPECT_ERROR(SHOP(",\"msg_pref\":\"im\",\"msg_pref\":\"sms\""), "shops[0].msg_pref: duplicate key");
}

static void test_shop_wrong_types_refused(void) {
    EXPECT_ERROR("[]", "(top level): must be an object, not an array");
    EXPECT_ERROR("{\"shops\":{}}", "shops: must be an array, not an object");
    EXPECT_ERROR("{\"shops\":[1]}", "shops[0]: must be an object, not a number");
    EXPECT_ERROR(SHOP(",\"promotion_mode\":\"yes\""), "shops[0].promotion_mode: must be true or false, not a string");
    EXPECT_ERROR(SHOP(",\"thresholds\":{\"hold_settle_days\":\"3\"}"),
                 "shops[0].thresholds.hold_settle_days: must be an integer, not a string");
    EXPECT_ERROR(SHOP(",\"thresholds\":{\"hold_settle_days\":2.5}"),
                 "shops[0].thresholds.hold_settle_days: 2.5 is not an integer");
    EXPECT_ERROR(SHOP(",\"couriers\":{}"), "shops[0].couriers: must be an array, not an object");
    EXPECT_ERROR(SHOP(",\"msg_pref\":\"fax\""), "shops[0].msg_pref: unknown message preference \"fax\" (im or sms)");
}

static void test_shop_out_of_range_numbers_refused(void) {
    EXPECT_ERROR(SHOP(",\"thresholds\":{\"compensation_bp\":10001}"),
                 "shops[0].thresholds.compensation_bp: 10001 is out of range 0..10000");
    EXPECT_ERROR(SHOP(",\"thresholds\":{\"unpaid_reminder_min\":0}"),
                 "shops[0].thresholds.unpaid_reminder_min: 0 is out of range 1..10080");
    EXPECT_ERROR(SHOP(",\"thresholds\":{\"cheap_item_fen\":-1}"),
                 "shops[0].thresholds.cheap_item_fen: -1 is out of range 0..1000000000000");
    EXPECT_ERROR(SHOP(",\"thresholds\":{\"capture_sweep_min\":1440}"),
                 "shops[0].thresholds.capture_sweep_min: 1440 is out of range 0..1439");
    EXPECT_ERROR(SHOP(",\"thresholds\":{\"capture_sweep_min\":\"19:60\"}"),
                 "shops[0].thresholds.capture_sweep_min: \"19:60\" is not a time \"HH:MM\" (00:00..23:59)");
    EXPECT_ERROR(SHOP(",\"thresholds\":{\"dispute_alert_at\":6}"),
                 "shops[0].thresholds.dispute_month_limit: 5 is less than dispute_alert_at (6)");
}

static void test_shop_unloadable_time_zone_refused(void) {
    char err[512];
    cs_shops *s = load_json(SHOP(",\"time_zone\":\"Mars/Olympus_Mons\""), err, sizeof err);
    CT_CHECK(s == NULL);
    cs_shops_free(s);
    CT_CHECK(strstr(err, ": shops[0].time_zone: unknown time zone \"Mars/Olympus_Mons\"") != NULL);
}

static void test_shop_duplicate_ids_codes_and_domains_refused(void) {
    EXPECT_ERROR("{\"shops\":[{\"id\":\"a\",\"channel\":\"tmall\"},{\"id\":\"a\",\"channel\":\"taobao\"}]}",
                 "shops[1].id: duplicate shop id \"a\" (also shops[0])");
    EXPECT_ERROR("{\"shops\":[{\"id\":\"a\",\"channel\":\"tmall\"},{\"id\":\"b\",\"channel\":\"tmall\","
                 "\"couriers\":[{\"code\":\"SF\"},{\"code\":\"YTO\"},{\"code\":\"SF\"}]}]}",
                 "shops[1].couriers[2].code: duplicate courier code \"SF\" (also couriers[0])");
    EXPECT_ERROR("{\"shops\":[{\"id\":\"a\",\"channel\":\"own_site\",\"shopify_domain\":\"x.myshopify.com\"},"
                 "{\"id\":\"b\",\"channel\":\"own_site\",\"shopify_domain\":\"x.myshopify.com\"}]}",
                 "shops[1].shopify_domain: duplicate shopify_domain \"x.myshopify.com\" (also shops[0])");
    EXPECT_ERROR(SHOP(",\"templates\":[{\"id\":\"t\",\"text\":\"a\"},{\"id\":\"t\",\"text\":\"b\"}]"),
                 "shops[0].templates[1].id: duplicate template id \"t\" (also templates[0])");
    EXPECT_ERROR(SHOP(",\"shifts\":[{\"name\":\"x\",\"start\":\"09:00\",\"end\":\"10:00\"},"
                      "{\"name\":\"x\",\"start\":\"10:00\",\"end\":\"11:00\"}]"),
                 "shops[0].shifts[1].name: duplicate shift name \"x\" (also shifts[0])");
}

static void test_shop_bad_shift_times_refused(void) {
    EXPECT_ERROR(SHOP(",\"shifts\":[{\"name\":\"x\",\"start\":\"25:00\",\"end\":\"26:00\"}]"),
                 "shops[0].shifts[0].start: must be a time \"HH:MM\" from 00:00 to 23:59");
    EXPECT_ERROR(SHOP(",\"shifts\":[{\"name\":\"x\",\"start\":\"24:00\",\"end\":\"24:00\"}]"),
                 "shops[0].shifts[0].start: must be a time \"HH:MM\" from 00:00 to 23:59");
    EXPECT_ERROR(SHOP(",\"shifts\":[{\"name\":\"x\",\"start\":\"9:00\",\"end\":\"18:00\"}]"),
                 "shops[0].shifts[0].start: must be a time \"HH:MM\" from 00:00 to 23:59");
    EXPECT_ERROR(SHOP(",\"shifts\":[{\"name\":\"x\",\"start\":\"09:00\",\"end\":\"24:01\"}]"),
                 "shops[0].shifts[0].end: must be a time \"HH:MM\" from 00:01 to 24:00");
    EXPECT_ERROR(SHOP(",\"shifts\":[{\"name\":\"x\",\"start\":\"22:00\",\"end\":\"06:00\"}]"),
                 "shops[0].shifts[0].end: \"06:00\" must be after start (a shift ends on the day it starts)");
    EXPECT_ERROR(SHOP(",\"shifts\":[]"), "shops[0].shifts: must have 1..8 shifts, not 0");
}

/* EX-6: the requeue shift is "middle" by default, a named shift when
 * given, none when the shop has no middle shift; an unknown name stops. */
static void test_shop_requeue_shift_default_named_or_refused(void) {
    char err[512];
    cs_shops *s = load_json(SHOP(""), err, sizeof err);
    CT_CHECK(s != NULL);
    if (s) CT_EQ_STR(cs_shops_at(s, 0)->requeue_shift, "middle");
    cs_shops_free(s);
    s = load_json(SHOP(",\"requeue_shift\":\"night\""), err, sizeof err);
    CT_CHECK(s != NULL);
    if (s) {
        const cs_shop *a = cs_shops_at(s, 0);
        CT_EQ_STR(a->requeue_shift, "night");
        CT_CHECK(a->requeue_shift == a->shifts[2].name); /* points at the shift's own name */
    }
    cs_shops_free(s);
    s = load_json(SHOP(",\"shifts\":[{\"name\":\"all\",\"start\":\"00:00\",\"end\":\"24:00\"}]"), err, sizeof err);
    CT_CHECK(s != NULL);
    if (s) CT_CHECK(cs_shops_at(s, 0)->requeue_shift == NULL);
    cs_shops_free(s);
    EXPECT_ERROR(SHOP(",\"requeue_shift\":\"late\""), "shops[0].requeue_shift: no shift named \"late\"");
}

static void test_shop_bad_regions_refused(void) {
    EXPECT_ERROR(
        SHOP(",\"couriers\":[{\"code\":\"SF\",\"unreachable\":[\"a/b/c/d\"]}]"),
        "shops[0].couriers[0].unreachable[0]: region \"a/b/c/d\" has more than 3 parts (province/city/district)");
    EXPECT_ERROR(SHOP(",\"couriers\":[{\"code\":\"SF\",\"unreachable\":[\"浙江省\",\"浙江省//淳安县\"]}]"),
                 "shops[0].couriers[0].unreachable[1]: region \"浙江省//淳安县\" has an empty or blank-padded part");
    EXPECT_ERROR(SHOP(",\"couriers\":[{\"code\":\"SF\",\"cod\":[\"广东省\",\"*\"]}]"),
                 "shops[0].couriers[0].cod[1]: \"*\" must be the only entry of the list");
    EXPECT_ERROR(SHOP(",\"couriers\":[{\"code\":\"SF\",\"unreachable\":[\"*\"]}]"),
                 "shops[0].couriers[0].unreachable[0]: \"*\" is only allowed alone, as the whole cod list");
    EXPECT_ERROR(SHOP(",\"couriers\":[{\"code\":\"SF\",\"cod\":[\"广东省\",\"广东省\"]}]"),
                 "shops[0].couriers[0].cod[1]: region \"广东省\" listed twice");
    EXPECT_ERROR(SHOP(",\"couriers\":[{\"code\":\"S F\"}]"),
                 "shops[0].couriers[0].code: \"S F\" must be 1..16 of [A-Za-z0-9_-]");
}

static void test_shop_too_many_couriers_refused(void) {
    char json[2048];
    strcpy(json, "{\"shops\":[{\"id\":\"a\",\"channel\":\"tmall\",\"couriers\":[");
    for (int i = 0; i < CS_SHOP_MAX_COURIERS + 1; i++) {
        char c[32];
        snprintf(c, sizeof c, "%s{\"code\":\"C%d\"}", i ? "," : "", i);
        strcat(json, c);
    }
    strcat(json, "]}]}");
    EXPECT_ERROR(json, "shops[0].couriers: at most 16 couriers, not 17");
}

static void test_shop_short_secret_and_bad_domain_refused(void) {
    EXPECT_ERROR(SHOP(",\"secrets\":{\"generic\":\"abc\"}"),
                 "shops[0].secrets.generic: too short: at least 16 characters");
    EXPECT_ERROR(SHOP(",\"shopify_domain\":\"Shop.MyShopify.com\""),
                 "shops[0].shopify_domain: \"Shop.MyShopify.com\" is not a lower-case host name");
}

static void test_shop_rotating_secrets_currency_address_parts_and_rate(void) {
    char err[512];
    cs_shops *s = load_json(SHOP(",\"secrets\":{\"generic\":[\"new-secret-0123456789\",\"old-secret-0123456789\"],"
                                 "\"shopify\":\"shopify-secret-012345\"},\"currency\":\"USD\","
                                 "\"address_required\":[\"street\",\"province\",\"city\"],\"webhook_rate\":200"),
                            err, sizeof err);
    CT_CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    const cs_shop *a = cs_shops_at(s, 0);
    CT_EQ_STR(a->secrets[CS_WEBHOOK_GENERIC][0], "new-secret-0123456789");
    CT_EQ_STR(a->secrets[CS_WEBHOOK_GENERIC][1], "old-secret-0123456789");
    CT_EQ_STR(a->secrets[CS_WEBHOOK_SHOPIFY][0], "shopify-secret-012345");
    CT_CHECK(a->secrets[CS_WEBHOOK_SHOPIFY][1] == NULL && a->secrets[CS_WEBHOOK_TAOBAO][0] == NULL);
    CT_EQ_STR(a->currency, "USD");
    CT_EQ_INT(a->address_required, CS_ADDR_PROVINCE | CS_ADDR_CITY | CS_ADDR_STREET);
    CT_EQ_INT(a->webhook_rate, 200);
    CT_EQ_INT(a->webhook_burst, 200); /* defaults to the rate */
    cs_shops_free(s);
    CT_EQ_INT(cs_webhook_platform_parse("shopify"), CS_WEBHOOK_SHOPIFY);
    CT_EQ_INT(cs_webhook_platform_parse("jd"), -1);
    CT_EQ_STR(cs_webhook_platform_name(CS_WEBHOOK_TAOBAO), "taobao");
    EXPECT_ERROR(SHOP(",\"secrets\":{\"taobao\":[\"a-secret-0123456789\",\"b-secret-0123456789\",\"c-secret-0123456789\"]}"),
                 "shops[0].secrets.taobao: 3 secrets: one, or two while rotating (new first)");
    EXPECT_ERROR(SHOP(",\"secrets\":{\"taobao\":[\"a-secret-0123456789\",\"short\"]}"),
                 "shops[0].secrets.taobao[1]: too short: at least 16 characters");
    EXPECT_ERROR(SHOP(",\"secrets\":{\"taobao\":[\"a-secret-0123456789\",\"a-secret-0123456789\"]}"),
                 "shops[0].secrets.taobao: the two secrets are the same");
    EXPECT_ERROR(SHOP(",\"currency\":\"cny\""), "shops[0].currency: \"cny\" is not an ISO 4217 code (3 upper-case letters)");
    EXPECT_ERROR(SHOP(",\"address_required\":[\"country\"]"),
                 "shops[0].address_required[0]: unknown address part \"country\" (province, city, district or street)");
    EXPECT_ERROR(SHOP(",\"address_required\":[\"city\",\"city\"]"), "shops[0].address_required[1]: \"city\" listed twice");
    EXPECT_ERROR(SHOP(",\"address_required\":[]"), "shops[0].address_required: must name at least one part");
    EXPECT_ERROR(SHOP(",\"webhook_rate\":-1"), "shops[0].webhook_rate: -1 is out of range 0..1000000");
}

static void test_shop_json_syntax_error_names_line(void) {
    EXPECT_ERROR("{\n  \"shops\": [\n    {\"id\": \"a\",, \"channel\": \"tmall\"}\n  ]\n}\n",
                 "line 3: JSON syntax error near ' \"channel\": \"tma'");
    EXPECT_ERROR("{\n  \"shops\": [\n", "line 3: JSON syntax error at end of file");
    EXPECT_ERROR("", "line 1: JSON syntax error at end of file");
    EXPECT_ERROR("{\"shops\":[]}\n}", "line 2: JSON syntax error near '}'");
}

static void test_shop_utf8_bom_accepted(void) {
    char err[512];
    cs_shops *s = load_json("\xEF\xBB\xBF" SHOP(""), err, sizeof err);
    CT_CHECK(s != NULL);
    CT_EQ_INT(cs_shops_count(s), 1);
    cs_shops_free(s);
}

static void test_shop_missing_file_refused(void) {
    char err[512];
    CT_CHECK(cs_shops_load("/nonexistent/shops.json", err, sizeof err) == NULL);
    CT_EQ_STR(err, "/nonexistent/shops.json: cannot open: No such file or directory");
}

CT_MAIN(CT_CASE(test_shop_sample_file_loads), CT_CASE(test_shop_rotating_secrets_currency_address_parts_and_rate), CT_CASE(test_shop_missing_keys_take_handbook_defaults),
        CT_CASE(test_shop_thresholds_and_shifts_are_read), CT_CASE(test_shop_rf3_province_and_postage_reimburse),
        CT_CASE(test_shop_bad_channel_names_key_path), CT_CASE(test_shop_requeue_shift_default_named_or_refused),
        CT_CASE(test_shop_missing_required_keys_named), CT_CASE(test_shop_unknown_and_duplicate_keys_refused),
        CT_CASE(test_shop_wrong_types_refused), CT_CASE(test_shop_out_of_range_numbers_refused),
        CT_CASE(test_shop_unloadable_time_zone_refused), CT_CASE(test_shop_duplicate_ids_codes_and_domains_refused),
        CT_CASE(test_shop_bad_shift_times_refused), CT_CASE(test_shop_bad_regions_refused),
        CT_CASE(test_shop_too_many_couriers_refused), CT_CASE(test_shop_short_secret_and_bad_domain_refused),
        CT_CASE(test_shop_json_syntax_error_names_line), CT_CASE(test_shop_utf8_bom_accepted),
        CT_CASE(test_shop_missing_file_refused))
