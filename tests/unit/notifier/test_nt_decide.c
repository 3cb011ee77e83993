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

/* RV-4 on the notifier's side: a follow-up asked for ahead is held until
 * its send time, then decided from scratch; never late, never after its
 * case ended or its number opted out (RV-5, NT-4). */
static void test_rv4_followup_held_until_its_send_time_then_sent(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    int64_t asked = nt_fx_local(&s, 2024, 11, 20, 18, 30, 0), send = nt_fx_local(&s, 2024, 11, 21, 10, 0, 0);
    nt_followup fu = {.expires_ms = nt_fx_local(&s, 2024, 11, 22, 0, 0, 0), .not_before_ms = send};
    nt_decision d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, asked);
    CT_EQ_INT(d.action, NT_HOLD);
    CT_EQ_STR(d.rule, "RV-4");
    CT_EQ_STR(d.reason, "SEND_TIME");
    CT_EQ_INT(d.until_ms, send);
    /* a minute before the send time (a release come early): held again */
    d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, send - 60000);
    CT_EQ_INT(d.action, NT_HOLD);
    CT_EQ_INT(d.until_ms, send);
    /* released at the send time: it goes */
    d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, send);
    CT_EQ_INT(d.action, NT_SEND);
    /* released late but the same day, before the quiet hours (20:00): it
     * goes; in them, the window opens tomorrow, past its expiry: expired;
     * at midnight: expired */
    d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, nt_fx_local(&s, 2024, 11, 21, 19, 59, 59));
    CT_EQ_INT(d.action, NT_SEND);
    d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, nt_fx_local(&s, 2024, 11, 21, 20, 0, 0));
    CT_EQ_INT(d.action, NT_EXPIRE);
    d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, fu.expires_ms);
    CT_EQ_INT(d.action, NT_EXPIRE);
    nt_fx_shop_done(&s);
}

static void test_rv4_held_followup_released_after_revision_or_opt_out_is_not_sent(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    int64_t send = nt_fx_local(&s, 2024, 11, 21, 10, 0, 0);
    nt_followup fu = {.expires_ms = nt_fx_local(&s, 2024, 11, 22, 0, 0, 0), .not_before_ms = send};
    fu.case_ended = true;
    fu.case_stage = "revised";
    nt_decision d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, send);
    CT_EQ_INT(d.action, NT_CANCEL);
    CT_EQ_STR(d.detail, "revised");
    /* revised before it was even asked for: cancelled on arrival, not held */
    d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, send - 3600000);
    CT_EQ_INT(d.action, NT_CANCEL);
    fu.case_ended = false;
    fu.case_stage = NULL;
    st.opted_out = true;
    d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, send);
    CT_EQ_INT(d.action, NT_SUPPRESS);
    nt_fx_shop_done(&s);
}

static void test_rv4_send_time_at_or_past_its_expiry_expires_at_once(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    int64_t end = nt_fx_local(&s, 2024, 11, 22, 0, 0, 0);
    nt_followup fu = {.expires_ms = end, .not_before_ms = end};
    nt_decision d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, nt_fx_local(&s, 2024, 11, 21, 9, 0, 0));
    CT_EQ_INT(d.action, NT_EXPIRE);
    CT_EQ_STR(d.rule, "RV-5");
    CT_EQ_STR(d.detail, "held past it by RV-4 SEND_TIME");
    /* a service message ignores not_before (it is never a follow-up's) */
    d = nt_decide(NT_SERVICE, &fu, &st, &s, nt_fx_local(&s, 2024, 11, 21, 9, 0, 0));
    CT_EQ_INT(d.action, NT_SEND);
    nt_fx_shop_done(&s);
}

static void test_rv4_released_at_send_time_in_quiet_hours_or_over_the_cap_is_held_or_expired(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    /* the shop's send time moved to 07:00, inside the follow-ups' quiet
     * hours: NT-2 holds it to the window's opening, the same day */
    int64_t send = nt_fx_local(&s, 2024, 11, 21, 7, 0, 0);
    nt_followup fu = {.expires_ms = nt_fx_local(&s, 2024, 11, 22, 0, 0, 0), .not_before_ms = send};
    nt_number_state st = {0};
    nt_decision d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, send);
    CT_EQ_INT(d.action, NT_HOLD);
    CT_EQ_STR(d.rule, "NT-2");
    CT_CHECK(d.until_ms > send && d.until_ms < fu.expires_ms);
    /* three messages already sent that day: the cap would hold it to
     * tomorrow, past its expiry: expired now */
    int64_t at10 = nt_fx_local(&s, 2024, 11, 21, 10, 0, 0);
    int64_t sent[3] = {at10 - 3 * 60000, at10 - 2 * 60000, at10 - 60000};
    st.sent_ms = sent;
    st.nsent = 3;
    fu.not_before_ms = at10;
    d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, at10);
    CT_EQ_INT(d.action, NT_EXPIRE);
    nt_fx_shop_done(&s);
}

CT_MAIN(CT_CASE(test_decide_service_message_in_the_day_is_sent),
        CT_CASE(test_decide_opted_out_follow_up_is_suppressed_service_goes),
        CT_CASE(test_decide_service_at_2200_held_to_0800),
        CT_CASE(test_decide_fourth_of_the_day_held_next_day_then_sent),
        CT_CASE(test_decide_quiet_hours_come_before_the_cap),
        CT_CASE(test_rv4_followup_held_until_its_send_time_then_sent),
        CT_CASE(test_rv4_held_followup_released_after_revision_or_opt_out_is_not_sent),
        CT_CASE(test_rv4_send_time_at_or_past_its_expiry_expires_at_once),
        CT_CASE(test_rv4_released_at_send_time_in_quiet_hours_or_over_the_cap_is_held_or_expired))
