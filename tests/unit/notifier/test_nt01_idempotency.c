/* test_nt01_idempotency.c -- NT-1: the provider call carries the key fixed
 * at request time; a replayed key does nothing more, except one whose
 * retries ran out (dead-lettered), which a replay tries again. */
#include "nt_fixtures.h"

static void test_nt1_provider_key_is_the_requests_key(void) {
    Cs__V1__NotificationRequest r = CS__V1__NOTIFICATION_REQUEST__INIT;
    r.idempotency_key = NT_FX_S("evt-42/note/0/logistics_shipped");
    char why[128] = "";
    const char *k = nt1_provider_key(&r, why, sizeof why);
    CT_EQ_STR(k, "evt-42/note/0/logistics_shipped");
    CT_CHECK(k == r.idempotency_key); /* the same string, not a copy or a new key */
    /* asked twice (a retry, a replay after a crash): the same key */
    CT_EQ_STR(nt1_provider_key(&r, why, sizeof why), "evt-42/note/0/logistics_shipped");
}

static void test_nt1_request_without_usable_key_is_refused(void) {
    Cs__V1__NotificationRequest r = CS__V1__NOTIFICATION_REQUEST__INIT;
    char why[128] = "";
    r.idempotency_key = NT_FX_S("");
    CT_CHECK(nt1_provider_key(&r, why, sizeof why) == NULL);
    CT_CHECK(strstr(why, "NT-1") != NULL);
    char long_key[260];
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    r.idempotency_key = long_key;
    CT_CHECK(nt1_provider_key(&r, why, sizeof why) == NULL);
    r.idempotency_key = NT_FX_S("abc\r\nX-Evil: 1"); /* would split the HTTP header */
    CT_CHECK(nt1_provider_key(&r, why, sizeof why) == NULL);
    CT_CHECK(nt1_provider_key(NULL, why, sizeof why) == NULL);
}

static void test_nt1_replayed_key_sends_nothing_more(void) {
    CT_EQ_INT(nt1_on_request(NULL, false), NT1_NEW);
    CT_EQ_INT(nt1_on_request("sent", false), NT1_DONE);
    CT_EQ_INT(nt1_on_request("held", false), NT1_DONE); /* its timer sends it */
    CT_EQ_INT(nt1_on_request("suppressed", false), NT1_DONE);
    CT_EQ_INT(nt1_on_request("failed", true), NT1_DONE); /* 4xx: never again */
    /* RV-5: an expired or cancelled follow-up stays so, even replayed */
    CT_EQ_INT(nt1_on_request("expired", false), NT1_DONE);
    CT_EQ_INT(nt1_on_request("cancelled", false), NT1_DONE);
}

static void test_nt1_dead_lettered_message_is_retried_on_replay(void) {
    CT_EQ_INT(nt1_on_request("failed", false), NT1_RETRY);
}

CT_MAIN(CT_CASE(test_nt1_provider_key_is_the_requests_key), CT_CASE(test_nt1_request_without_usable_key_is_refused),
        CT_CASE(test_nt1_replayed_key_sends_nothing_more), CT_CASE(test_nt1_dead_lettered_message_is_retried_on_replay))
