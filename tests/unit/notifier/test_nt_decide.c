/* test_nt_decide.c -- the combined decision (NT-4, then NT-2, then NT-3):
 * (class, the number's state, shop, now) -> SEND / HOLD(until) / SUPPRESS. */
#include "nt_fixtures.h"

static void test_decide_service_message_in_the_day_is_sent(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    nt_decision d = nt_decide(NT_SERVICE, NULL, &st, &s, nt_fx_local(&s, 2026, 11, 11, 10, 0, 0));
    CT_EQ_INT(d.action, NT_SEND);
    CT_CHECK(d.rule == NULL);
    nt_fx_shop_done(&s);
}

static void test_decide_opted_out_follow_up_is_suppressed_service_goes(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {.opted_out = true};
    int64_t now = nt_fx_local(&s, 2026, 11, 11, 10, 0, 0);
    nt_decision d = nt_decide(NT_FOLLOW_UP, NULL, &st, &s, now);
    CT_EQ_INT(d.action, NT_SUPPRESS);
    CT_EQ_STR(d.rule, "NT-4");
    CT_EQ_STR(d.reason, "OPTED_OUT");
    d = nt_decide(NT_SERVICE, NULL, &st, &s, now);
    CT_EQ_INT(d.action, NT_SEND);
    /* at night an opted-out follow-up is suppressed, not held */
    d = nt_decide(NT_FOLLOW_UP, NULL, &st, &s, nt_fx_local(&s, 2026, 11, 11, 22, 0, 0));
    CT_EQ_INT(d.action, NT_SUPPRESS);
    nt_fx_shop_done(&s);
}

static void test_decide_service_at_2200_held_to_0800(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    nt_decision d = nt_decide(NT_SERVICE, NULL, &st, &s, nt_fx_local(&s, 2026, 11, 11, 22, 0, 0));
    CT_EQ_INT(d.action, NT_HOLD);
    CT_EQ_STR(d.rule, "NT-2");
    CT_EQ_STR(d.reason, "QUIET_HOURS");
    CT_EQ_INT(d.until_ms, nt_fx_local(&s, 2026, 11, 12, 8, 0, 0));
    nt_fx_shop_done(&s);
}

static void test_decide_fourth_of_the_day_held_next_day_then_sent(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    int64_t sent[3] = {nt_fx_local(&s, 2026, 11, 11, 9, 0, 0), nt_fx_local(&s, 2026, 11, 11, 10, 0, 0),
                       nt_fx_local(&s, 2026, 11, 11, 11, 0, 0)};
    nt_number_state st = {.sent_ms = sent, .nsent = 3};
    nt_decision d = nt_decide(NT_SERVICE, NULL, &st, &s, nt_fx_local(&s, 2026, 11, 11, 12, 0, 0));
    CT_EQ_INT(d.action, NT_HOLD);
    CT_EQ_STR(d.rule, "NT-3");
    CT_EQ_STR(d.reason, "DAILY_CAP");
    CT_EQ_INT(d.until_ms, nt_fx_local(&s, 2026, 11, 12, 8, 0, 0));
    /* released at 08:00 the next day: decided again, and it goes */
    d = nt_decide(NT_SERVICE, NULL, &st, &s, d.until_ms);
    CT_EQ_INT(d.action, NT_SEND);
    nt_fx_shop_done(&s);
}

static void test_decide_quiet_hours_come_before_the_cap(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    int64_t sent[3] = {nt_fx_local(&s, 2026, 11, 12, 1, 0, 0), nt_fx_local(&s, 2026, 11, 12, 1, 1, 0),
                       nt_fx_local(&s, 2026, 11, 12, 1, 2, 0)};
    nt_number_state st = {.sent_ms = sent, .nsent = 3};
    /* 07:00 with the cap already reached: held to 08:00 (NT-2), then
     * decided again, when NT-3 holds it to the next morning */
    nt_decision d = nt_decide(NT_SERVICE, NULL, &st, &s, nt_fx_local(&s, 2026, 11, 12, 7, 0, 0));
    CT_EQ_INT(d.action, NT_HOLD);
    CT_EQ_STR(d.rule, "NT-2");
    d = nt_decide(NT_SERVICE, NULL, &st, &s, d.until_ms);
    CT_EQ_INT(d.action, NT_HOLD);
    CT_EQ_STR(d.rule, "NT-3");
    CT_EQ_INT(d.until_ms, nt_fx_local(&s, 2026, 11, 13, 8, 0, 0));
    nt_fx_shop_done(&s);
}

CT_MAIN(CT_CASE(test_decide_service_message_in_the_day_is_sent),
        CT_CASE(test_decide_opted_out_follow_up_is_suppressed_service_goes),
        CT_CASE(test_decide_service_at_2200_held_to_0800),
        CT_CASE(test_decide_fourth_of_the_day_held_next_day_then_sent),
        CT_CASE(test_decide_quiet_hours_come_before_the_cap))
