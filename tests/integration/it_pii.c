/* it_pii.c -- `cscli pii purge` (docs/security.md "PII retention") against
 * the real PostgreSQL and Redis, on rows the test writes as the workers
 * would: for an old order (cancelled 200 days before the run's --now) and a
 * recent one (10 days), each with its order document (cs.v1.OrderState with
 * a receiver), a closed review case (document and buyer_id / phone
 * columns), a sent message, a fired timer with a payload (and, for the old
 * one, its member left in Redis's in-flight set) and a dead letter; plus an
 * outbox row 200 days old and one just written.
 *
 * The old order's every place must come out purged (markers, ids and
 * amounts kept), the recent one's untouched; --dry-run changes nothing;
 * a second run purges nothing more; --json gives the counts per table.
 * The shop (the sample's first, renamed) keeps the default 90 days. Rows
 * carry the run id and are deleted at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cs/redis.h"
#include "cs/timer_keys.h"
#include "cs/v1/state.pb-c.h"
#include "it.h"

/* The test's own shop, alone in its own shops file: the purge touches no
 * other test's rows (only shops of CS_SHOPS_FILE are purged; the outbox
 * and unkeyed dead letters only when older than 89 days of real time). */
#define SHOP "it-pii"
#define DAY 86400000LL
#define PHONE "13800138000"
#define MASKED "138****8000"

static char run_id[64], old_order[128], new_order[128], now_iso[48];
static long long now_ms;

/* An order document with a receiver, its last activity at ms. */
static char *orderDocHex(const char *order_id, long long ms) {
    Cs__V1__Address a = CS__V1__ADDRESS__INIT;
    a.province = (char *)"浙江省";
    a.city = (char *)"杭州市";
    a.district = (char *)"西湖区";
    a.street = (char *)"文三路 1 号 2 室";
    Cs__V1__Receiver r = CS__V1__RECEIVER__INIT;
    r.name = (char *)"张三";
    r.phone = (char *)PHONE;
    r.address = &a;
    Cs__V1__Order o = CS__V1__ORDER__INIT;
    o.order_id = (char *)order_id;
    o.buyer_id = (char *)"buyer-pii";
    o.created_ms = ms - DAY;
    o.paid_amount_fen = 11770;
    o.receiver = &r;
    Cs__V1__OrderState st = CS__V1__ORDER_STATE__INIT;
    st.order = &o;
    st.version = 2;
    st.cancelled_ms = ms;
    uint8_t buf[2048];
    size_t n = cs__v1__order_state__pack(&st, buf);
    return it_hex(buf, n);
}

static char *reviewDocHex(const char *review_id, const char *order_id, long long closed) {
    Cs__V1__ReviewCaseState vs = CS__V1__REVIEW_CASE_STATE__INIT;
    vs.exists = true;
    vs.review_id = (char *)review_id;
    vs.order_id = (char *)order_id;
    vs.buyer_id = (char *)"buyer-pii";
    vs.buyer_phone = (char *)PHONE;
    vs.item_price_fen = 1990;
    vs.state = 5;
    vs.closed_ms = closed;
    uint8_t buf[1024];
    size_t n = cs__v1__review_case_state__pack(&vs, buf);
    return it_hex(buf, n);
}

/* The Redis member of the fired timer of order (generation 1). */
static void timerMember(char *out, size_t len, const char *order, long long due) {
    char id[256], key[256];
    snprintf(id, sizeof id, "rv.follow@" SHOP ":%s", order);
    snprintf(key, sizeof key, SHOP ":%s", order);
    cs_timer_fields f = {.owner = "review-scheduler",
                         .timer_id = id,
                         .kind = "rv.follow",
                         .order_key = key,
                         .generation = 1,
                         .due_ms = due,
                         .payload = "ref-1",
                         .payload_len = 5};
    if (cs_timer_member(out, len, &f) != 0) out[0] = '\0';
}

/* ZSCORE of member in the timer's in-flight set: true when there. */
static bool inflightHas(const char *order, long long due, bool add) {
    char member[CS_TIMER_MEMBER_MAX], id[256], key[CS_TIMER_KEY_LEN], err[256];
    timerMember(member, sizeof member, order, due);
    snprintf(id, sizeof id, "rv.follow@" SHOP ":%s", order);
    cs_timer_inflight_key(key, sizeof key, cs_timer_shard("review-scheduler", id));
    cs_redis *r = cs_redis_new(it.redis_url, err, sizeof err);
    if (!r || !member[0]) {
        cs_redis_free(r);
        return false;
    }
    const char *zadd[] = {"ZADD", key, "1", member}, *zscore[] = {"ZSCORE", key, member};
    redisReply *rep = cs_redis_command(r, add ? 4 : 3, add ? zadd : zscore, err, sizeof err);
    bool there = rep && (add || rep->type == REDIS_REPLY_STRING);
    if (rep) freeReplyObject(rep);
    cs_redis_free(r);
    return there;
}

static bool seedOrder(const char *order, long long ms) {
    char *doc = orderDocHex(order, ms), *rdoc = NULL;
    char review[160];
    snprintf(review, sizeof review, "R-%s", order);
    rdoc = reviewDocHex(review, order, ms);
    bool ok =
        it_pg_exec("INSERT INTO orders (shop_id, order_id, version, state, buyer_id, created_ms, cancelled_ms, "
                   "payable_fen, paid_fen, fingerprint, doc) VALUES ('" SHOP "', '%s', 2, 'CANCELLED', 'buyer-pii', "
                   "%lld, %lld, 11770, 11770, 'fp-addr', decode('%s', 'hex'))",
                   order, ms - DAY, ms, doc) == 0 &&
        it_pg_exec("INSERT INTO cases (shop_id, case_id, kind, order_id, stage, opened_ms, closed_ms, updated_ms, doc, "
                   "buyer_id, phone) VALUES ('" SHOP "', '%s', 'review', '%s', 'closed', %lld, %lld, %lld, "
                   "decode('%s', 'hex'), 'buyer-pii', '" PHONE "')",
                   review, order, ms - DAY, ms, ms, rdoc) == 0 &&
        it_pg_exec("INSERT INTO messages (shop_id, idempotency_key, order_id, to_addr, channel, class, template, rule, "
                   "params, body, status, requested_ms, sent_ms, updated_ms, request) VALUES ('" SHOP "', '%s/msg', "
                   "'%s', '" PHONE "', 'SMS', 'SERVICE', 'ov_logistics', 'NT-6', '{\"name\":\"张三\"}', "
                   "'张三您好, " PHONE "', 'sent', %lld, %lld, %lld, 'req')",
                   order, order, ms - DAY, ms - DAY, ms - DAY) == 0 &&
        it_pg_exec("INSERT INTO timers (owner, timer_id, order_key, kind, due_ms, payload, status) VALUES "
                   "('review-scheduler', 'rv.follow@" SHOP ":%s', '" SHOP ":%s', 'rv.follow', %lld, 'ref-1', 'fired')",
                   order, order, ms) == 0 &&
        it_pg_exec("INSERT INTO dead_letters (worker, event_id, topic, part, \"offset\", reason, key, payload) VALUES "
                   "('it-pii', '%s/dl', 'shop.orders.v1', 0, 1, 'test', '" SHOP ":%s', 'bytes " PHONE "')",
                   order, order) == 0 &&
        it_pg_exec("INSERT INTO finance_requests (shop_id, request_id, order_id, kind, amount_fen, rule, reason, "
                   "created_ms, buyer_id, refund_account) VALUES ('" SHOP "', '%s/fin', '%s', 'refund', 11770, "
                   "'RF-7', 'test', %lld, 'buyer-pii', '" PHONE "')",
                   order, order, ms - DAY) == 0;
    free(doc);
    free(rdoc);
    return ok;
}

static void unseed(void) {
    const char *orders[] = {old_order, new_order};
    for (int i = 0; i < 2; i++) {
        const char *o = orders[i];
        it_pg_exec("DELETE FROM orders WHERE shop_id = '" SHOP "' AND order_id = '%s'", o);
        it_pg_exec("DELETE FROM cases WHERE shop_id = '" SHOP "' AND order_id = '%s'", o);
        it_pg_exec("DELETE FROM messages WHERE shop_id = '" SHOP "' AND order_id = '%s'", o);
        it_pg_exec("DELETE FROM timers WHERE owner = 'review-scheduler' AND order_key = '" SHOP ":%s'", o);
        it_pg_exec("DELETE FROM dead_letters WHERE worker = 'it-pii' AND event_id = '%s/dl'", o);
        it_pg_exec("DELETE FROM finance_requests WHERE shop_id = '" SHOP "' AND order_id = '%s'", o);
    }
    it_pg_exec("DELETE FROM outbox WHERE worker = 'it-pii' AND batch_id LIKE '%s%%'", run_id);
}

/* The stored document of order in table (its doc column) decoded as desc
 * (free with protobuf_c_message_free_unpacked), or NULL. */
static ProtobufCMessage *storedDoc(const ProtobufCMessageDescriptor *desc, const char *table, const char *order) {
    char hex[8192];
    if (!it_pg_text(hex, sizeof hex, "SELECT encode(doc, 'hex') FROM %s WHERE shop_id = '" SHOP "' AND order_id = '%s'",
                    table, order))
        return NULL;
    size_t n = strlen(hex) / 2;
    uint8_t *b = malloc(n + 1);
    for (size_t i = 0; i < n; i++) sscanf(hex + 2 * i, "%2hhx", &b[i]);
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, n, b);
    free(b);
    return m;
}

static Cs__V1__OrderState *orderDoc(const char *order) {
    return (Cs__V1__OrderState *)storedDoc(&cs__v1__order_state__descriptor, "orders", order);
}

static Cs__V1__ReviewCaseState *reviewDoc(const char *order) {
    return (Cs__V1__ReviewCaseState *)storedDoc(&cs__v1__review_case_state__descriptor, "cases", order);
}

/* Every place of order holds the buyer's data (purged false) or markers. */
static void checkOrder(const char *order, bool purged) {
    char s[512];
    Cs__V1__OrderState *st = orderDoc(order);
    CT_CHECK(st && st->order && st->order->receiver && st->order->receiver->address);
    if (st && st->order && st->order->receiver && st->order->receiver->address) {
        CT_EQ_STR(st->order->receiver->phone, purged ? MASKED : PHONE);
        CT_EQ_STR(st->order->receiver->name, purged ? "*" : "张三");
        CT_EQ_STR(st->order->receiver->address->street, purged ? "" : "文三路 1 号 2 室");
        CT_EQ_STR(st->order->receiver->address->province, "浙江省");
        CT_EQ_STR(st->order->order_id, order);
        CT_CHECK(st->order->paid_amount_fen == 11770);
    }
    if (st) cs__v1__order_state__free_unpacked(st, NULL);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM orders WHERE shop_id = '" SHOP "' AND order_id = '%s' AND "
                        "fingerprint IS %s NULL AND paid_fen = 11770",
                        order, purged ? "" : "NOT"),
              1);

    Cs__V1__ReviewCaseState *rc = reviewDoc(order);
    CT_CHECK(rc != NULL);
    if (rc) {
        CT_EQ_STR(rc->buyer_phone, purged ? MASKED : PHONE);
        CT_EQ_STR(rc->buyer_id, purged ? "*" : "buyer-pii");
        CT_CHECK(rc->item_price_fen == 1990);
        cs__v1__review_case_state__free_unpacked(rc, NULL);
    }
    CT_CHECK(it_pg_text(s, sizeof s,
                        "SELECT buyer_id || '|' || phone FROM cases WHERE shop_id = '" SHOP "' AND order_id = '%s'",
                        order));
    CT_EQ_STR(s, purged ? "*|" MASKED : "buyer-pii|" PHONE);

    CT_CHECK(it_pg_text(s, sizeof s,
                        "SELECT to_addr || '|' || coalesce(body, '-') || '|' || params::text || '|' || "
                        "length(request) FROM messages WHERE shop_id = '" SHOP "' AND order_id = '%s'",
                        order));
    CT_EQ_STR(s, purged ? MASKED "|-|{}|0" : PHONE "|张三您好, " PHONE "|{\"name\": \"张三\"}|3");

    CT_EQ_INT(it_pg_int("SELECT length(payload) FROM timers WHERE owner = 'review-scheduler' AND order_key = '" SHOP
                        ":%s'",
                        order),
              purged ? 0 : 5);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM dead_letters WHERE worker = 'it-pii' AND event_id = '%s/dl' AND "
                        "payload IS %s NULL AND key = '" SHOP ":%s'",
                        order, purged ? "" : "NOT", order),
              1);
    /* RF-7's refund account masked; the amount stays for the books */
    CT_CHECK(it_pg_text(s, sizeof s,
                        "SELECT refund_account || '|' || amount_fen FROM finance_requests WHERE shop_id = '" SHOP
                        "' AND order_id = '%s'",
                        order));
    CT_EQ_STR(s, purged ? MASKED "|11770" : PHONE "|11770");
}

static long long count(const cJSON *doc, const char *table) {
    return it_jint(cJSON_GetObjectItemCaseSensitive(doc, "purged"), table);
}

/* A shops file with the sample's first shop as SHOP; CS_SHOPS_FILE for the
 * cscli runs of the test. */
static bool ownShopsFile(void) {
    static char path[1100];
    char *text = it_log_read(it.shops_file);
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    free(text);
    cJSON *shops = doc ? cJSON_GetObjectItemCaseSensitive(doc, "shops") : NULL;
    cJSON *first = cJSON_IsArray(shops) ? cJSON_DetachItemFromArray(shops, 0) : NULL;
    bool ok = false;
    if (first) {
        cJSON_ReplaceItemInObjectCaseSensitive(first, "id", cJSON_CreateString(SHOP));
        cJSON_DeleteItemFromObjectCaseSensitive(first, "shopify_domain");
        cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "shops");
        cJSON_AddItemToArray(arr, first);
        char *json = cJSON_Print(out);
        snprintf(path, sizeof path, "%s/it_pii_shops.json", it.log_dir);
        FILE *f = fopen(path, "w");
        ok = f && json && fputs(json, f) >= 0;
        if (f) ok = fclose(f) == 0 && ok;
        free(json);
        cJSON_Delete(out);
    }
    cJSON_Delete(doc);
    return ok && setenv("CS_SHOPS_FILE", path, 1) == 0;
}

static void test_pii_purge_masks_every_place_of_old_order_only(void) {
    it_run_id(run_id, sizeof run_id);
    IT_REQUIRE(ownShopsFile());
    snprintf(old_order, sizeof old_order, "PII-OLD-%s", run_id);
    snprintf(new_order, sizeof new_order, "PII-NEW-%s", run_id);
    now_ms = it_wall_ms() + DAY; /* the business "now" of the run: a day ahead of real time */
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now_iso, sizeof now_iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    long long old_ms = now_ms - 200 * DAY, new_ms = now_ms - 10 * DAY;
    IT_REQUIRE(seedOrder(old_order, old_ms));
    IT_REQUIRE(seedOrder(new_order, new_ms));
    IT_REQUIRE(inflightHas(old_order, old_ms, true)); /* a member left behind */
    IT_REQUIRE(it_pg_exec("INSERT INTO outbox (worker, batch_id, nrecords, records, created_at) VALUES "
                          "('it-pii', '%s-old', 0, '', now() - interval '200 days'), "
                          "('it-pii', '%s-new', 0, '', now())",
                          run_id, run_id) == 0);

    /* a dry run counts and changes nothing */
    int rc;
    cJSON *doc = it_cscli_json(&rc, "pii purge --dry-run --now %s", now_iso);
    CT_EQ_INT(rc, 0);
    CT_CHECK(doc != NULL);
    if (doc) {
        CT_CHECK(count(doc, "orders") >= 1 && count(doc, "cases") >= 1 && count(doc, "messages") >= 1);
        CT_CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "dry_run")));
    }
    cJSON_Delete(doc);
    checkOrder(old_order, false);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM outbox WHERE worker = 'it-pii' AND batch_id LIKE '%s%%'", run_id), 2);

    /* the run */
    doc = it_cscli_json(&rc, "pii purge --now %s", now_iso);
    CT_EQ_INT(rc, 0);
    CT_CHECK(doc != NULL);
    if (doc) {
        CT_CHECK(count(doc, "orders") >= 1);
        CT_CHECK(count(doc, "cases") >= 1);
        CT_CHECK(count(doc, "messages") >= 1);
        CT_CHECK(count(doc, "timers") >= 1);
        CT_CHECK(count(doc, "dead_letters") >= 1);
        CT_CHECK(count(doc, "finance_requests") >= 1);
        CT_CHECK(count(doc, "outbox") >= 1);
        CT_CHECK(it_jint(doc, "redis_members_removed") >= 1);
        CT_CHECK(it_jcount(doc, "shops") >= 1);
        CT_CHECK(it_jint(doc, "now_ms") == now_ms / 1000 * 1000);
    }
    cJSON_Delete(doc);
    checkOrder(old_order, true);
    checkOrder(new_order, false);
    CT_CHECK(!inflightHas(old_order, old_ms, false));
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM outbox WHERE worker = 'it-pii' AND batch_id = '%s-old'", run_id), 0);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM outbox WHERE worker = 'it-pii' AND batch_id = '%s-new'", run_id), 1);

    /* a second run purges nothing more */
    doc = it_cscli_json(&rc, "pii purge --now %s", now_iso);
    CT_EQ_INT(rc, 0);
    if (doc) {
        const char *tables[] = {"orders", "cases", "messages", "timers", "dead_letters", "finance_requests", "outbox"};
        for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) CT_EQ_INT(count(doc, tables[i]), 0);
    }
    cJSON_Delete(doc);
    checkOrder(old_order, true);
    checkOrder(new_order, false);

    /* usage */
    CT_EQ_INT(it_cscli("pii purge --now yesterday"), 2);
    CT_EQ_INT(it_cscli("pii purge --shop no-such-shop --now 2030-01-01T00:00Z"), 1);
    unseed();
}

IT_MAIN(CT_CASE(test_pii_purge_masks_every_place_of_old_order_only))
