/* test_timer_keys.c -- the timers' Redis layout (shared/src/timer_keys.c):
 * shards, key names, member encoding and parsing, event ids, shop of an
 * order key. The Lua scripts run against a real Redis in it_timers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "cs/timer_keys.h"

static void test_shard_is_stable_in_range_and_spreads(void) {
    /* FNV-1a of "a|b" is data: a change would strand every stored timer. */
    CT_EQ_INT(cs_timer_shard("order-verifier", "ov6.remind@tb-demo:T1001"),
              cs_timer_shard("order-verifier", "ov6.remind@tb-demo:T1001"));
    int counts[CS_TIMER_SHARDS] = {0};
    char id[64];
    for (int i = 0; i < 1600; i++) {
        snprintf(id, sizeof id, "ex6.escalate@tb-demo:T%d", i);
        int s = cs_timer_shard("exception-handler", id);
        CT_CHECK(s >= 0 && s < CS_TIMER_SHARDS);
        if (s >= 0 && s < CS_TIMER_SHARDS) counts[s]++;
    }
    /* 100 expected per shard: each within a loose band */
    for (int s = 0; s < CS_TIMER_SHARDS; s++) CT_CHECK(counts[s] > 50 && counts[s] < 150);
}

static void test_shard_separates_owner_from_timer_id(void) {
    /* "ab"+"c" and "a"+"bc" must not be the same input to the hash */
    int differ = 0;
    char o[16], t[16];
    for (int i = 0; i < 32; i++) {
        snprintf(o, sizeof o, "w%d", i);
        snprintf(t, sizeof t, "x%d", i);
        char o2[32], t2[16];
        snprintf(o2, sizeof o2, "w%dx", i);
        snprintf(t2, sizeof t2, "%d", i);
        differ += cs_timer_shard(o, t) != cs_timer_shard(o2, t2);
    }
    CT_CHECK(differ > 16);
}

static void test_keys_carry_the_shard_as_a_hash_tag(void) {
    char k[CS_TIMER_KEY_LEN];
    cs_timer_due_key(k, sizeof k, 7);
    CT_EQ_STR(k, "cs:timers:{7}:due");
    cs_timer_inflight_key(k, sizeof k, 15);
    CT_EQ_STR(k, "cs:timers:{15}:inflight");
}

static cs_timer_fields fields(const char *owner, const char *id, const char *kind, const char *key) {
    return (cs_timer_fields){owner, id, kind, key, 12, INT64_C(1762790400000), "p", 1};
}

static void test_member_carries_the_whole_firing(void) {
    char m[CS_TIMER_MEMBER_MAX];
    cs_timer_fields f = fields("exception-handler", NULL, "ex6.escalate", "tb-demo:T1001");
    f.payload = "subject";
    f.payload_len = 7;
    CT_EQ_INT(cs_timer_member(m, sizeof m, &f), 0);
    /* the default id is left out: it is kind@order_key again */
    CT_EQ_STR(m, "exception-handler|12|1762790400000|ex6.escalate|tb-demo:T1001||subject");
    cs_timer_ref ref;
    CT_EQ_INT(cs_timer_member_parse(m, strlen(m), &ref), 0);
    CT_EQ_STR(ref.owner, "exception-handler");
    CT_EQ_STR(ref.timer_id, "ex6.escalate@tb-demo:T1001");
    CT_EQ_STR(ref.kind, "ex6.escalate");
    CT_EQ_STR(ref.order_key, "tb-demo:T1001");
    CT_EQ_INT(ref.generation, 12);
    CT_EQ_INT(ref.due_ms, INT64_C(1762790400000));
    CT_CHECK(ref.payload_len == 7 && memcmp(ref.payload, "subject", 7) == 0);
    /* the default id given explicitly: the same member */
    char m2[CS_TIMER_MEMBER_MAX];
    f.timer_id = "ex6.escalate@tb-demo:T1001";
    CT_EQ_INT(cs_timer_member(m2, sizeof m2, &f), 0);
    CT_EQ_STR(m2, m);
}

static void test_member_round_trips_bars_percents_and_binary_payloads(void) {
    char m[CS_TIMER_MEMBER_MAX];
    const uint8_t bin[] = {0, '|', '%', 0xff, 'a'};
    cs_timer_fields f = fields("refund-notifier", "rf3|chase@tb:T9", "rf|3", "tb:T|9%");
    f.payload = bin;
    f.payload_len = sizeof bin;
    CT_EQ_INT(cs_timer_member(m, sizeof m, &f), 0);
    CT_EQ_STR(m, "refund-notifier|12|1762790400000|rf%7C3|tb:T%7C9%25|rf3%7Cchase@tb:T9|%00%7C%25\xff"
                 "a");
    cs_timer_ref ref;
    CT_EQ_INT(cs_timer_member_parse(m, strlen(m), &ref), 0);
    CT_EQ_STR(ref.timer_id, "rf3|chase@tb:T9");
    CT_EQ_STR(ref.kind, "rf|3");
    CT_EQ_STR(ref.order_key, "tb:T|9%");
    CT_CHECK(ref.payload_len == sizeof bin && memcmp(ref.payload, bin, sizeof bin) == 0);
}

static void test_member_refuses_bad_fields_and_short_buffer(void) {
    char m[64];
    cs_timer_fields f = fields("", "t", "k", "s:o");
    CT_EQ_INT(cs_timer_member(m, sizeof m, &f), -1);
    f = fields("a|b", "t", "k", "s:o");
    CT_EQ_INT(cs_timer_member(m, sizeof m, &f), -1);
    f = fields("a%b", "t", "k", "s:o");
    CT_EQ_INT(cs_timer_member(m, sizeof m, &f), -1);
    f = fields("w", "", "k", "s:o");
    CT_EQ_INT(cs_timer_member(m, sizeof m, &f), -1);
    f = fields("w", "t", "", "s:o");
    CT_EQ_INT(cs_timer_member(m, sizeof m, &f), -1);
    f = fields("w", "t", "k", "");
    CT_EQ_INT(cs_timer_member(m, sizeof m, &f), -1);
    f = fields("w", "t", "k", "s:o");
    f.generation = 0;
    CT_EQ_INT(cs_timer_member(m, sizeof m, &f), -1);
    f = fields("w", "t", "k", "s:o");
    f.payload_len = CS_TIMER_PAYLOAD_MAX + 1;
    f.payload = "";
    CT_EQ_INT(cs_timer_member(m, sizeof m, &f), -1);
    f = fields("worker", "a-timer-id-that-is-long-enough-to-overflow-the-buffer", "k", "s:o");
    CT_EQ_INT(cs_timer_member(m, sizeof m, &f), -1);
    f = fields("worker", "short", "k", "s:o");
    CT_EQ_INT(cs_timer_member(m, sizeof m, &f), 0);
}

static void test_member_parse_refuses_malformed_members(void) {
    cs_timer_ref ref;
    const char *bad[] = {"",
                         "w",
                         "w|1|2|k|s:o|t",
                         "w|1|2|k|s:o|t|p|x",
                         "|1|2|k|s:o||",
                         "w|0|2|k|s:o||",
                         "w|1|0|k|s:o||",
                         "w|-1|2|k|s:o||",
                         "w|1x|2|k|s:o||",
                         "w|1234567890123456789|2|k|s:o||",
                         "w|1|2||s:o||",
                         "w|1|2|k|||",
                         "w|1|2|k|s:o|t|%",
                         "w|1|2|k|s:o|t|%4",
                         "w|1|2|k|s:o|t|%zz",
                         "w|1|2|k%00|s:o||",
                         "w%|1|2|k|s:o||",
                         NULL};
    for (int i = 0; bad[i]; i++) {
        int rc = cs_timer_member_parse(bad[i], strlen(bad[i]), &ref);
        if (rc != -1) fprintf(stderr, "  accepted '%s'\n", bad[i]);
        CT_EQ_INT(rc, -1);
    }
    /* an embedded NUL (Redis members are binary) is refused */
    CT_EQ_INT(cs_timer_member_parse("w|1|2|k|s:o|t|a\0b", 17, &ref), -1);
    /* the length, not a terminator, bounds the member */
    CT_EQ_INT(cs_timer_member_parse("w|42|7|k|s:o||pjunk", 15, &ref), 0);
    CT_EQ_INT(ref.generation, 42);
    CT_CHECK(ref.payload_len == 1 && ref.payload[0] == 'p');
}

static void test_event_id_names_owner_timer_and_generation(void) {
    char id[256];
    cs_timer_event_id(id, sizeof id, "exception-handler", "ex6.escalate@tb-demo:T1001", 3);
    CT_EQ_STR(id, "timer/exception-handler/ex6.escalate@tb-demo:T1001/3");
}

static void test_shop_of_order_key(void) {
    char shop[16];
    cs_timer_shop_of(shop, sizeof shop, "tb-demo:T1001");
    CT_EQ_STR(shop, "tb-demo");
    cs_timer_shop_of(shop, sizeof shop, "tb-demo:T:1");
    CT_EQ_STR(shop, "tb-demo");
    cs_timer_shop_of(shop, sizeof shop, "noorder");
    CT_EQ_STR(shop, "noorder");
    cs_timer_shop_of(shop, 4, "tb-demo:T1");
    CT_EQ_STR(shop, "tb-");
}

CT_MAIN(CT_CASE(test_shard_is_stable_in_range_and_spreads), CT_CASE(test_shard_separates_owner_from_timer_id),
        CT_CASE(test_keys_carry_the_shard_as_a_hash_tag), CT_CASE(test_member_carries_the_whole_firing),
        CT_CASE(test_member_round_trips_bars_percents_and_binary_payloads),
        CT_CASE(test_member_refuses_bad_fields_and_short_buffer), CT_CASE(test_member_parse_refuses_malformed_members),
        CT_CASE(test_event_id_names_owner_timer_and_generation), CT_CASE(test_shop_of_order_key))
