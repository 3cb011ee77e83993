/* test_nt_followup_expiry.c -- RV-5 in the notifier (nt_followup_expiry.c
 * and its place in nt_decide): a follow-up is never sent at or after its
 * expiry, at request time or when a hold (NT-2 quiet hours, NT-3 daily
 * cap) would release it; one whose case ended is cancelled; service
 * messages are neither. The times are a review's day 2 in Shanghai: the
 * follow-up expires at local midnight. */
#include "nt_fixtures.h"

/* 2026-11-12 (day 2) ends at 2026-11-13 00:00 local. */
static int64_t dayEnd(const cs_shop *s) { return nt_fx_local(s, 2026, 11, 13, 0, 0, 0); }

static void test_rv5_follow_up_exactly_at_expiry_is_expired(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    s.th.follow_up_quiet_start_min = s.th.follow_up_quiet_end_min = 0; /* no quiet hours: expiry alone */
    nt_number_state st = {0};
    nt_followup fu = {.expires_ms = dayEnd(&s)};
    nt_decision d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, fu.expires_ms);
    CT_EQ_INT(d.action, NT_EXPIRE);
    CT_EQ_STR(d.rule, "RV-5");
    CT_EQ_STR(d.reason, "EXPIRED");
    CT_EQ_STR(d.detail, "");
    CT_EQ_INT(nt_decide(NT_FOLLOW_UP, &fu, &st, &s, fu.expires_ms + 3 * NT_FX_HOUR).action, NT_EXPIRE);
    nt_fx_shop_done(&s);
}

static void test_rv5_follow_up_1ms_before_expiry_is_sent(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    /* expiring at 10:00:00.000, asked for at 09:59:59.999 (open window) */
    nt_followup fu = {.expires_ms = nt_fx_local(&s, 2026, 11, 12, 10, 0, 0)};
    nt_decision d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, fu.expires_ms - 1);
    CT_EQ_INT(d.action, NT_SEND);
    CT_CHECK(d.rule == NULL);
    CT_CHECK(!nt_rv5_expired(NT_FOLLOW_UP, &fu, fu.expires_ms - 1));
    CT_CHECK(nt_rv5_expired(NT_FOLLOW_UP, &fu, fu.expires_ms));
    nt_fx_shop_done(&s);
}

static void test_rv5_no_expiry_never_expires(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    nt_followup fu = {.expires_ms = 0};
    CT_EQ_INT(nt_decide(NT_FOLLOW_UP, &fu, &st, &s, nt_fx_local(&s, 2030, 1, 1, 10, 0, 0)).action, NT_SEND);
    CT_CHECK(!nt_rv5_expired(NT_FOLLOW_UP, NULL, INT64_MAX));
    nt_fx_shop_done(&s);
}

/* Asked for at 20:30 (follow-up quiet hours) expiring at midnight: the
 * window opens at 08:00, after the expiry, so it is expired now, not held;
 * and a message already held (an older row) whose release fires at 08:00
 * is expired then. */
static void test_rv5_held_by_quiet_hours_past_expiry_is_expired(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    nt_followup fu = {.expires_ms = dayEnd(&s)};
    nt_decision d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, nt_fx_local(&s, 2026, 11, 12, 20, 30, 0));
    CT_EQ_INT(d.action, NT_EXPIRE);
    CT_EQ_STR(d.rule, "RV-5");
    CT_EQ_STR(d.reason, "EXPIRED");
    CT_CHECK(strstr(d.detail, "NT-2 QUIET_HOURS") != NULL);
    CT_EQ_INT(d.until_ms, 0);
    d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, nt_fx_local(&s, 2026, 11, 13, 8, 0, 0));
    CT_EQ_INT(d.action, NT_EXPIRE);
    CT_EQ_STR(d.detail, "");
    nt_fx_shop_done(&s);
}

/* A hold that releases before the expiry is a hold; a release that comes
 * late (the clock or a backlog past the expiry) expires it. */
static void test_rv5_held_by_quiet_hours_released_after_expiry_is_expired(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    nt_followup fu = {.expires_ms = nt_fx_local(&s, 2026, 11, 13, 9, 0, 0)};
    nt_decision d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, nt_fx_local(&s, 2026, 11, 12, 20, 30, 0));
    CT_EQ_INT(d.action, NT_HOLD);
    CT_EQ_STR(d.rule, "NT-2");
    CT_EQ_INT(d.until_ms, nt_fx_local(&s, 2026, 11, 13, 8, 0, 0));
    CT_EQ_INT(nt_decide(NT_FOLLOW_UP, &fu, &st, &s, d.until_ms).action, NT_SEND);       /* released in time */
    d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, nt_fx_local(&s, 2026, 11, 13, 9, 30, 0)); /* released late */
    CT_EQ_INT(d.action, NT_EXPIRE);
    CT_EQ_STR(d.reason, "EXPIRED");
    nt_fx_shop_done(&s);
}

/* The edge of the hold: a release exactly at the expiry could never send
 * (expired now); one a millisecond before it is a hold. */
static void test_rv5_hold_releasing_exactly_at_expiry_is_expired(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    int64_t now = nt_fx_local(&s, 2026, 11, 12, 20, 30, 0), open = nt_fx_local(&s, 2026, 11, 13, 8, 0, 0);
    nt_followup fu = {.expires_ms = open};
    CT_EQ_INT(nt_decide(NT_FOLLOW_UP, &fu, &st, &s, now).action, NT_EXPIRE);
    fu.expires_ms = open + 1;
    nt_decision d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, now);
    CT_EQ_INT(d.action, NT_HOLD);
    CT_EQ_INT(d.until_ms, open);
    nt_fx_shop_done(&s);
}

/* NT-3: with three sent today, the next goes tomorrow at 08:00, after the
 * follow-up's day ended: expired now, naming the cap; an older row held to
 * that morning is expired when released. */
static void test_rv5_held_by_daily_cap_to_next_day_is_expired(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    int64_t sent[3] = {nt_fx_local(&s, 2026, 11, 12, 9, 0, 0), nt_fx_local(&s, 2026, 11, 12, 11, 0, 0),
                       nt_fx_local(&s, 2026, 11, 12, 12, 0, 0)};
    nt_number_state st = {.sent_ms = sent, .nsent = 3};
    nt_followup fu = {.expires_ms = dayEnd(&s)};
    nt_decision d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, nt_fx_local(&s, 2026, 11, 12, 13, 0, 0));
    CT_EQ_INT(d.action, NT_EXPIRE);
    CT_EQ_STR(d.rule, "RV-5");
    CT_CHECK(strstr(d.detail, "NT-3 DAILY_CAP") != NULL);
    nt_number_state fresh = {0};
    CT_EQ_INT(nt_decide(NT_FOLLOW_UP, &fu, &fresh, &s, nt_fx_local(&s, 2026, 11, 13, 8, 0, 0)).action, NT_EXPIRE);
    /* the same without an expiry is NT-3's hold, as before */
    d = nt_decide(NT_FOLLOW_UP, NULL, &st, &s, nt_fx_local(&s, 2026, 11, 12, 13, 0, 0));
    CT_EQ_INT(d.action, NT_HOLD);
    CT_EQ_STR(d.rule, "NT-3");
    nt_fx_shop_done(&s);
}

static void test_rv5_case_no_longer_open_is_cancelled(void) {
    CT_CHECK(!nt_rv5_case_ended("open", false));
    CT_CHECK(!nt_rv5_case_ended(NULL, false)); /* nothing known: not a closure */
    CT_CHECK(!nt_rv5_case_ended("", false));
    CT_CHECK(nt_rv5_case_ended("open", true)); /* closed_ms set wins */
    CT_CHECK(nt_rv5_case_ended("revised", false));
    CT_CHECK(nt_rv5_case_ended("refused", true));
    CT_CHECK(nt_rv5_case_ended("no_answer", true));
    CT_CHECK(nt_rv5_case_ended("closed", true));
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    nt_followup fu = {.expires_ms = dayEnd(&s), .case_ended = true, .case_stage = "revised"};
    nt_decision d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, nt_fx_local(&s, 2026, 11, 12, 10, 0, 0));
    CT_EQ_INT(d.action, NT_CANCEL);
    CT_EQ_STR(d.rule, "RV-5");
    CT_EQ_STR(d.reason, "CASE_CLOSED");
    CT_EQ_STR(d.detail, "revised");
    /* at night, opted out or late: cancelled all the same, never held */
    st.opted_out = true;
    CT_EQ_INT(nt_decide(NT_FOLLOW_UP, &fu, &st, &s, nt_fx_local(&s, 2026, 11, 12, 22, 0, 0)).action, NT_CANCEL);
    nt_fx_shop_done(&s);
}

/* Held at 20:30 to 08:00 while the case was open; revised in the night:
 * the release finds it ended and cancels it. */
static void test_rv5_held_follow_up_whose_case_ended_is_cancelled_at_release(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    nt_followup fu = {.expires_ms = nt_fx_local(&s, 2026, 11, 13, 12, 0, 0)};
    nt_decision d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, nt_fx_local(&s, 2026, 11, 12, 20, 30, 0));
    CT_EQ_INT(d.action, NT_HOLD);
    fu.case_ended = true;
    fu.case_stage = "closed";
    d = nt_decide(NT_FOLLOW_UP, &fu, &st, &s, d.until_ms);
    CT_EQ_INT(d.action, NT_CANCEL);
    CT_EQ_STR(d.detail, "closed");
    nt_fx_shop_done(&s);
}

/* Service messages are owed to the buyer: neither their case nor an
 * expires_ms stops them; NT-2 still holds them. */
static void test_rv5_service_message_is_never_expired_nor_cancelled(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    nt_number_state st = {0};
    nt_followup fu = {.expires_ms = dayEnd(&s), .case_ended = true, .case_stage = "closed"};
    CT_EQ_INT(nt_decide(NT_SERVICE, &fu, &st, &s, nt_fx_local(&s, 2026, 11, 13, 10, 0, 0)).action, NT_SEND);
    nt_decision d = nt_decide(NT_SERVICE, &fu, &st, &s, nt_fx_local(&s, 2026, 11, 12, 22, 0, 0));
    CT_EQ_INT(d.action, NT_HOLD);
    CT_EQ_INT(d.until_ms, nt_fx_local(&s, 2026, 11, 13, 8, 0, 0));
    CT_CHECK(!nt_rv5_cancelled(NT_SERVICE, &fu));
    CT_CHECK(!nt_rv5_expired(NT_SERVICE, &fu, INT64_MAX));
    nt_fx_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rv5_follow_up_exactly_at_expiry_is_expired), CT_CASE(test_rv5_follow_up_1ms_before_expiry_is_sent),
        CT_CASE(test_rv5_no_expiry_never_expires), CT_CASE(test_rv5_held_by_quiet_hours_past_expiry_is_expired),
        CT_CASE(test_rv5_held_by_quiet_hours_released_after_expiry_is_expired),
        CT_CASE(test_rv5_hold_releasing_exactly_at_expiry_is_expired),
        CT_CASE(test_rv5_held_by_daily_cap_to_next_day_is_expired), CT_CASE(test_rv5_case_no_longer_open_is_cancelled),
        CT_CASE(test_rv5_held_follow_up_whose_case_ended_is_cancelled_at_release),
        CT_CASE(test_rv5_service_message_is_never_expired_nor_cancelled))
