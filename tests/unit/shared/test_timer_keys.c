/* test_timer_keys.c -- the timers' Redis layout (shared/src/timer_keys.c):
 * shards, key names, member encoding and parsing, event ids, shop of an
 * order key. The Lua scripts run against a real Redis in it_timers. */
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

static void test_member_round_trips_even_with_bars_in_the_timer_id(void) {
    char m[CS_TIMER_MEMBER_MAX];
    CT_EQ_INT(cs_timer_member(m, sizeof m, "refund-notifier", "rf3|chase@tb:T9", 12), 0);
    CT_EQ_STR(m, "refund-notifier|rf3|chase@tb:T9|12");
    cs_timer_ref ref;
    CT_EQ_INT(cs_timer_member_parse(m, strlen(m), &ref), 0);
    CT_EQ_STR(ref.owner, "refund-notifier");
    CT_EQ_STR(ref.timer_id, "rf3|chase@tb:T9");
    CT_EQ_INT(ref.generation, 12);
}

static void test_member_refuses_bad_owner_and_short_buffer(void) {
    char m[32];
    CT_EQ_INT(cs_timer_member(m, sizeof m, "", "t", 1), -1);
    CT_EQ_INT(cs_timer_member(m, sizeof m, "a|b", "t", 1), -1);
    CT_EQ_INT(cs_timer_member(m, sizeof m, "w", "", 1), -1);
    CT_EQ_INT(cs_timer_member(m, sizeof m, "worker", "a-timer-id-that-is-long", 1), -1);
    CT_EQ_INT(cs_timer_member(m, sizeof m, "worker", "short", 1), 0);
}

static void test_member_parse_refuses_malformed_members(void) {
    cs_timer_ref ref;
    const char *bad[] = {"", "w", "w|t", "|t|1", "w||1", "w|t|", "w|t|0", "w|t|-1", "w|t|1x",
                         "w|t|1234567890123456789", NULL};
    for (int i = 0; bad[i]; i++) {
        int rc = cs_timer_member_parse(bad[i], strlen(bad[i]), &ref);
        if (rc != -1) fprintf(stderr, "  accepted '%s'\n", bad[i]);
        CT_EQ_INT(rc, -1);
    }
    /* an embedded NUL (Redis members are binary) is refused */
    CT_EQ_INT(cs_timer_member_parse("w\0x|t|1", 7, &ref), -1);
    /* the length, not a terminator, bounds the member */
    CT_EQ_INT(cs_timer_member_parse("w|t|42junk", 6, &ref), 0);
    CT_EQ_INT(ref.generation, 42);
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

CT_MAIN(CT_CASE(test_shard_is_stable_in_range_and_spreads),
        CT_CASE(test_shard_separates_owner_from_timer_id),
        CT_CASE(test_keys_carry_the_shard_as_a_hash_tag),
        CT_CASE(test_member_round_trips_even_with_bars_in_the_timer_id),
        CT_CASE(test_member_refuses_bad_owner_and_short_buffer),
        CT_CASE(test_member_parse_refuses_malformed_members),
        CT_CASE(test_event_id_names_owner_timer_and_generation),
        CT_CASE(test_shop_of_order_key))
