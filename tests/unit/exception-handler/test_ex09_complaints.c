/* test_ex09_complaints.c -- EX-9: complaint levels L1 1 h escalate, L2 4 h
 * solution, L3 24 h close; a missed deadline is an SLA breach; VIP = 2+
 * complaints in 30 days or >= 200000 fen paid in 12 months. */
#include "ex_fixtures.h"

static Cs__V1__Complaint complaint(Cs__V1__ComplaintLevel level, int64_t opened) {
    Cs__V1__Complaint c;
    cs__v1__complaint__init(&c);
    c.complaint_id = FXE_S("K1");
    c.order_id = FXE_S("O1");
    c.buyer_id = FXE_S("buyer-1");
    c.level = level;
    c.summary = FXE_S("屏幕碎裂");
    c.opened_ms = opened;
    return c;
}

static const ex_complaint fresh = {0};
static const ex_buyer_stats first = {.complaints = 1, .paid_fen = 0};

static void test_ex9_deadlines_1h_4h_24h(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t t = fxe_local(&s, 2024, 6, 1, 22, 30);
    CT_EQ_INT(ex9_deadline_ms(CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L1_URGENT, t, &s), t + FXE_HOUR);
    CT_EQ_INT(ex9_deadline_ms(CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L2_EXPERIENCE, t, &s), t + 4 * FXE_HOUR);
    CT_EQ_INT(ex9_deadline_ms(CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L3_ENQUIRY, t, &s), t + FXE_DAY);
    CT_EQ_INT(ex9_deadline_ms(CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_UNSPECIFIED, t, &s), 0);
    fxe_shop_done(&s);
}

static void test_ex9_l1_goes_to_supervisor_urgent_with_1h_timer(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t t = fxe_local(&s, 2024, 6, 1, 10, 0);
    Cs__V1__Complaint c = complaint(CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L1_URGENT, t);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex9_complaint(&c, &fresh, &first, &s, t + 5 * FXE_MIN, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_INT(d.fx.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_ESCALATION);
    CT_EQ_STR(d.fx.tasks[0].assignee, CS_FX_SUPERVISOR);
    CT_CHECK(d.fx.tasks[0].urgent);
    CT_EQ_INT(d.fx.tasks[0].due_ms, t + FXE_HOUR);
    CT_EQ_INT(fxe_timer(&d, EX_TIMER_COMPLAINT), t + FXE_HOUR); /* from the complaint, not from now */
    CT_CHECK(!d.vip);
    fxe_shop_done(&s);
}

static void test_ex9_l2_and_l3_tasks_by_level(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t t = fxe_local(&s, 2024, 6, 1, 10, 0);
    Cs__V1__Complaint c = complaint(CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L2_EXPERIENCE, t);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex9_complaint(&c, &fresh, &first, &s, t, &d));
    CT_EQ_INT(d.fx.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_COMPLAINT);
    CT_CHECK(!d.fx.tasks[0].urgent);
    CT_CHECK(d.fx.tasks[0].assignee == NULL);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "solution within 240 min") != NULL);
    CT_EQ_INT(fxe_timer(&d, EX_TIMER_COMPLAINT), t + 4 * FXE_HOUR);
    c = complaint(CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L3_ENQUIRY, 0); /* no time: now */
    ex_decision_init(&d);
    CT_CHECK(ex9_complaint(&c, &fresh, &first, &s, t, &d));
    CT_CHECK(strstr(d.fx.tasks[0].summary, "close within 1440 min") != NULL);
    CT_EQ_INT(fxe_timer(&d, EX_TIMER_COMPLAINT), t + FXE_DAY);
    fxe_shop_done(&s);
}

static void test_ex9_missed_deadline_is_sla_breach_met_one_is_not(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t t = fxe_local(&s, 2024, 6, 1, 10, 0);
    ex_complaint k = {.exists = true,
                      .level = CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L2_EXPERIENCE,
                      .opened_ms = t,
                      .deadline_ms = t + 4 * FXE_HOUR};
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(!ex9_on_deadline(&k, "K1", &s, t + 4 * FXE_HOUR - 1, &d));
    CT_CHECK(ex9_on_deadline(&k, "K1", &s, t + 4 * FXE_HOUR, &d));
    CT_CHECK(d.breach);
    CT_EQ_STR(d.fx.breaches[0].rule, "EX-9");
    CT_EQ_INT(d.fx.breaches[0].deadline_ms, t + 4 * FXE_HOUR);
    CT_CHECK(strstr(d.fx.breaches[0].detail, "L2: no solution") != NULL);
    k.met_ms = t + FXE_HOUR;
    ex_decision_init(&d);
    CT_CHECK(!ex9_on_deadline(&k, "K1", &s, t + 5 * FXE_HOUR, &d));
    CT_CHECK(!d.breach);
    k.met_ms = 0;
    k.breached_ms = t + 4 * FXE_HOUR; /* fired twice: one breach */
    CT_CHECK(!ex9_on_deadline(&k, "K1", &s, t + 5 * FXE_HOUR, &d));
    fxe_shop_done(&s);
}

static void test_ex9_level_action_marks_met_and_cancels_timer(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t t = fxe_local(&s, 2024, 6, 1, 10, 0);
    ex_complaint k = {.exists = true,
                      .level = CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L1_URGENT,
                      .opened_ms = t,
                      .deadline_ms = t + FXE_HOUR};
    Cs__V1__Complaint c = complaint(CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L1_URGENT, t);
    c.solution_offered = 1; /* not L1's action */
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(!ex9_complaint(&c, &k, &first, &s, t, &d));
    CT_CHECK(!d.complaint_met);
    c.escalated = 1;
    CT_CHECK(ex9_complaint(&c, &k, &first, &s, t, &d));
    CT_CHECK(d.complaint_met);
    CT_CHECK(fxe_cancels(&d, EX_TIMER_COMPLAINT));
    CT_EQ_INT(d.fx.ntasks, 0);
    /* L3 is met only by closing */
    k.level = CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L3_ENQUIRY;
    c = complaint(CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L3_ENQUIRY, t);
    c.escalated = 1;
    c.solution_offered = 1;
    ex_decision_init(&d);
    CT_CHECK(!ex9_complaint(&c, &k, &first, &s, t, &d));
    c.closed = 1;
    CT_CHECK(ex9_complaint(&c, &k, &first, &s, t, &d));
    CT_CHECK(d.complaint_met);
    fxe_shop_done(&s);
}

static void test_ex9_vip_two_complaints_or_200000_fen(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    ex_decision d;
    ex_decision_init(&d);
    ex_buyer_stats st = {.complaints = 1, .paid_fen = 199999};
    CT_CHECK(!ex9_vip(&st, &s, &d)); /* 1 fen short */
    st.paid_fen = 200000;
    CT_CHECK(ex9_vip(&st, &s, &d));
    CT_CHECK(strstr(d.vip_reason, "200000 fen") != NULL);
    ex_decision_init(&d);
    st = (ex_buyer_stats){.complaints = 2, .paid_fen = 0};
    CT_CHECK(ex9_vip(&st, &s, &d));
    CT_CHECK(strstr(d.vip_reason, "2 complaints in 30 days") != NULL);
    /* a VIP's complaint task is urgent and marked */
    int64_t t = fxe_local(&s, 2024, 6, 1, 10, 0);
    Cs__V1__Complaint c = complaint(CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L3_ENQUIRY, t);
    ex_decision_init(&d);
    CT_CHECK(ex9_complaint(&c, &fresh, &st, &s, t, &d));
    CT_CHECK(d.vip);
    CT_CHECK(d.fx.tasks[0].urgent);
    CT_CHECK(strncmp(d.fx.tasks[0].summary, "VIP ", 4) == 0);
    fxe_shop_done(&s);
}

static void test_ex9_vip_windows_half_open_and_calendar_months(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2025, 3, 31, 10, 15) + 1234;
    CT_EQ_INT(ex9_vip_complaint_since_ms(&s, now), now - 30 * FXE_DAY);
    /* 12 months back from 2025-03-31 10:15:01.234 is 2024-03-31 10:15:01.234 */
    CT_EQ_INT(ex9_vip_paid_since_ms(&s, now), fxe_local(&s, 2024, 3, 31, 10, 15) + 1234);
    /* one month back from 03-31 clamps to 02-28 (2025 is not a leap year) */
    s.th.vip_paid_window_months = 1;
    CT_EQ_INT(ex9_vip_paid_since_ms(&s, now), fxe_local(&s, 2025, 2, 28, 10, 15) + 1234);
    s.th.vip_paid_window_months = 13; /* across a year: 2024-02-29 exists */
    CT_EQ_INT(ex9_vip_paid_since_ms(&s, fxe_local(&s, 2025, 3, 29, 0, 0)), fxe_local(&s, 2024, 2, 29, 0, 0));
    fxe_shop_done(&s);
}

/* Found with fuzz_envelope (on an input written after reading EX-9, kept
 * in its corpus): a complaint "opened" at INT64_MAX passed, and
 * EX-9 added the level's minutes to it (signed overflow). The
 * exception-handler's validation refuses it, as it refuses a complaint
 * without ids; the last instant of 9999 is still taken. */
static void test_ex9_complaint_opened_past_year_9999_is_refused(void) {
    Cs__V1__Complaint c = complaint(CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L1_URGENT, INT64_MAX);
    Cs__V1__AfterSalesEvent a = CS__V1__AFTER_SALES_EVENT__INIT;
    a.body_case = CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT;
    a.complaint = &c;
    Cs__V1__Envelope e = CS__V1__ENVELOPE__INIT;
    e.body_case = CS__V1__ENVELOPE__BODY_AFTERSALES;
    e.aftersales = &a;
    cs_event ev = {.topic = "shop.aftersales.v1", .env = &e};
    char why[256] = "";
    CT_CHECK(!ex_valid_aftersales(&ev, why, sizeof why));
    CT_EQ_STR(why, "complaint.opened_ms negative or past year 9999");
    c.opened_ms = -1;
    CT_CHECK(!ex_valid_aftersales(&ev, why, sizeof why));
    c.opened_ms = CS_TZ_MAX_MS;
    CT_CHECK(ex_valid_aftersales(&ev, why, sizeof why));
    c.opened_ms = 0; /* not given: the worker takes its now */
    CT_CHECK(ex_valid_aftersales(&ev, why, sizeof why));
}

CT_MAIN(CT_CASE(test_ex9_deadlines_1h_4h_24h), CT_CASE(test_ex9_l1_goes_to_supervisor_urgent_with_1h_timer),
        CT_CASE(test_ex9_l2_and_l3_tasks_by_level), CT_CASE(test_ex9_missed_deadline_is_sla_breach_met_one_is_not),
        CT_CASE(test_ex9_level_action_marks_met_and_cancels_timer), CT_CASE(test_ex9_vip_two_complaints_or_200000_fen),
        CT_CASE(test_ex9_vip_windows_half_open_and_calendar_months),
        CT_CASE(test_ex9_complaint_opened_past_year_9999_is_refused))
