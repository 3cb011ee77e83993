/* test_ex06_day_end_escalation.c -- EX-6: open at the end of its day ->
 * top of the middle shift's queue when it next starts; open on day 3 ->
 * escalated at the START of day 3 (local midnight), SLA breach if still
 * open at the END of day 3; day 1 = the exception's local date. */
#include "ex_fixtures.h"

static ex_exception openAt(int64_t ms) { return (ex_exception){.exists = true, .open = true, .opened_ms = ms}; }

static void test_ex6_timers_at_day_boundaries_shanghai(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t opened = fxe_local(&s, 2024, 6, 1, 23, 50);
    ex_decision d;
    ex_decision_init(&d);
    ex6_schedule(&s, opened, &d);
    CT_EQ_INT(d.fx.ntimers, 3);
    CT_EQ_INT(fxe_timer(&d, EX_TIMER_REQUEUE), fxe_local(&s, 2024, 6, 2, 0, 0));
    CT_EQ_INT(fxe_timer(&d, EX_TIMER_ESCALATE), 1717344000000LL); /* 2024-06-03T00:00+08:00 */
    CT_EQ_INT(fxe_timer(&d, EX_TIMER_BREACH), 1717430400000LL);   /* 2024-06-04T00:00+08:00 */
    fxe_shop_done(&s);
}

static void test_ex6_escalated_at_start_of_day3_not_before(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    ex_exception x = openAt(fxe_local(&s, 2024, 6, 1, 10, 0));
    ex_order o;
    fxe_order(&o, x.opened_ms);
    int64_t day3 = fxe_local(&s, 2024, 6, 3, 0, 0);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(!ex6_on_timer(EX_TIMER_ESCALATE, &x, &o, &s, day3 - 1, &d)); /* 23:59:59.999 of day 2 */
    CT_EQ_INT(d.fx.ntasks, 0);
    CT_CHECK(ex6_on_timer(EX_TIMER_ESCALATE, &x, &o, &s, day3, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_INT(d.fx.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_ESCALATION);
    CT_EQ_STR(d.fx.tasks[0].assignee, CS_FX_SUPERVISOR);
    CT_CHECK(d.fx.tasks[0].urgent);
    CT_CHECK(d.escalated);
    CT_CHECK(!d.breach);
    CT_EQ_INT(d.fx.tasks[0].due_ms, fxe_local(&s, 2024, 6, 4, 0, 0));
    CT_CHECK(strstr(d.fx.tasks[0].summary, "day 3") != NULL);
    fxe_shop_done(&s);
}

static void test_ex6_breach_at_end_of_day3_not_before(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    ex_exception x = openAt(fxe_local(&s, 2024, 6, 1, 0, 0));
    x.escalated_ms = fxe_local(&s, 2024, 6, 3, 0, 0);
    ex_order o;
    fxe_order(&o, x.opened_ms);
    int64_t end3 = fxe_local(&s, 2024, 6, 4, 0, 0);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(!ex6_on_timer(EX_TIMER_BREACH, &x, &o, &s, end3 - 1, &d));
    CT_CHECK(!d.breach);
    CT_CHECK(ex6_on_timer(EX_TIMER_BREACH, &x, &o, &s, end3, &d));
    CT_CHECK(d.breach);
    CT_EQ_STR(d.fx.breaches[0].rule, "EX-6");
    CT_EQ_INT(d.fx.breaches[0].deadline_ms, end3);
    CT_CHECK(strstr(d.fx.breaches[0].detail, "end of day 3") != NULL);
    /* once breached, never again */
    x.breached_ms = end3;
    ex_decision_init(&d);
    CT_CHECK(!ex6_on_timer(EX_TIMER_BREACH, &x, &o, &s, end3 + FXE_HOUR, &d));
    CT_CHECK(!d.breach);
    fxe_shop_done(&s);
}

static void test_ex6_requeue_top_of_middle_shift_queue_at_its_next_start(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    ex_exception x = openAt(fxe_local(&s, 2024, 6, 1, 16, 0));
    ex_order o;
    fxe_order(&o, x.opened_ms);
    int64_t end1 = fxe_local(&s, 2024, 6, 2, 0, 0);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex6_on_timer(EX_TIMER_REQUEUE, &x, &o, &s, end1, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_STR(d.fx.tasks[0].shift, "middle");
    CT_CHECK(d.fx.tasks[0].top_of_queue);
    CT_EQ_INT(d.fx.tasks[0].queue_at_ms, fxe_local(&s, 2024, 6, 2, 11, 30));
    CT_EQ_STR(d.fx.tasks[0].rule, "EX-6");
    CT_CHECK(strstr(d.fx.tasks[0].summary, "end of day 1") != NULL);
    CT_EQ_INT(d.fx.ntimers, 0); /* the end of day 2 is day 3's start: escalation's */
    fxe_shop_done(&s);
}

static void test_ex6_requeue_fired_late_still_queues_today(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    ex_exception x = openAt(fxe_local(&s, 2024, 6, 1, 16, 0));
    ex_order o;
    fxe_order(&o, x.opened_ms);
    ex_decision d;
    ex_decision_init(&d);
    /* a backlog delayed the end-of-day-1 timer to 12:00 on day 2 */
    CT_CHECK(ex6_on_timer(EX_TIMER_REQUEUE, &x, &o, &s, fxe_local(&s, 2024, 6, 2, 12, 0), &d));
    CT_EQ_INT(d.fx.tasks[0].queue_at_ms, fxe_local(&s, 2024, 6, 2, 11, 30));
    CT_CHECK(d.fx.tasks[0].top_of_queue);
    fxe_shop_done(&s);
}

static void test_ex6_requeue_shift_is_a_shop_setting(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    s.requeue_shift = s.shifts[2].name; /* night, 16:00 */
    int64_t at = fxe_local(&s, 2024, 6, 2, 0, 0);
    CT_EQ_INT(ex6_next_requeue_start_ms(&s, at), fxe_local(&s, 2024, 6, 2, 16, 0));
    s.requeue_shift = NULL; /* none: the first shift of the day */
    CT_EQ_INT(ex6_next_requeue_start_ms(&s, at), fxe_local(&s, 2024, 6, 2, 9, 0));
    /* after today's start: tomorrow's */
    CT_EQ_INT(ex6_next_requeue_start_ms(&s, fxe_local(&s, 2024, 6, 2, 9, 1)), fxe_local(&s, 2024, 6, 3, 9, 0));
    fxe_shop_done(&s);
}

static void test_ex6_closed_exception_is_not_requeued_or_escalated(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    ex_exception x = openAt(fxe_local(&s, 2024, 6, 1, 10, 0));
    x.open = false;
    ex_order o;
    fxe_order(&o, x.opened_ms);
    ex_decision d;
    ex_decision_init(&d);
    int64_t late = fxe_local(&s, 2024, 6, 9, 0, 0);
    CT_CHECK(!ex6_on_timer(EX_TIMER_REQUEUE, &x, &o, &s, late, &d));
    CT_CHECK(!ex6_on_timer(EX_TIMER_ESCALATE, &x, &o, &s, late, &d));
    CT_CHECK(!ex6_on_timer(EX_TIMER_BREACH, &x, &o, &s, late, &d));
    CT_EQ_INT(d.fx.ntasks, 0);
    CT_CHECK(!d.breach);
    /* open but already escalated: no second escalation */
    x.open = true;
    x.escalated_ms = fxe_local(&s, 2024, 6, 3, 0, 0);
    CT_CHECK(!ex6_on_timer(EX_TIMER_ESCALATE, &x, &o, &s, late, &d));
    CT_EQ_INT(d.fx.ntasks, 0);
    fxe_shop_done(&s);
}

static void test_ex6_day3_across_dst_new_york(void) {
    /* opened Sat 2024-03-09 12:00 EST; clocks spring forward Sun 03-10:
     * day 3 starts Mon 03-11 00:00 EDT = 04:00 UTC, day 3 ends Tue 03-12
     * 00:00 EDT = 04:00 UTC */
    cs_shop s;
    fxe_shop_init(&s, "America/New_York", CS_CHANNEL_TAOBAO);
    const int64_t opened = 1710003600000LL;                  /* 2024-03-09T17:00:00Z */
    CT_EQ_INT(ex6_escalate_ms(&s, opened), 1710129600000LL); /* 2024-03-11T04:00:00Z */
    CT_EQ_INT(ex6_breach_ms(&s, opened), 1710216000000LL);   /* 2024-03-12T04:00:00Z */
    fxe_shop_done(&s);
}

static void test_ex6_escalate_day_is_a_shop_setting(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    s.th.exception_escalate_day = 2;
    int64_t opened = fxe_local(&s, 2024, 6, 1, 10, 0);
    ex_decision d;
    ex_decision_init(&d);
    ex6_schedule(&s, opened, &d);
    CT_EQ_INT(fxe_timer(&d, EX_TIMER_REQUEUE), -1); /* end of day 1 = start of day 2 */
    CT_EQ_INT(fxe_timer(&d, EX_TIMER_ESCALATE), fxe_local(&s, 2024, 6, 2, 0, 0));
    CT_EQ_INT(fxe_timer(&d, EX_TIMER_BREACH), fxe_local(&s, 2024, 6, 3, 0, 0));
    /* day 4: requeues at the end of days 1 and 2 */
    s.th.exception_escalate_day = 4;
    ex_decision_init(&d);
    ex6_schedule(&s, opened, &d);
    CT_EQ_INT(fxe_timer(&d, EX_TIMER_REQUEUE), fxe_local(&s, 2024, 6, 2, 0, 0));
    ex_exception x = openAt(opened);
    ex_order o;
    fxe_order(&o, opened);
    ex_decision_init(&d);
    CT_CHECK(ex6_on_timer(EX_TIMER_REQUEUE, &x, &o, &s, fxe_local(&s, 2024, 6, 2, 0, 0), &d));
    CT_EQ_INT(fxe_timer(&d, EX_TIMER_REQUEUE), fxe_local(&s, 2024, 6, 3, 0, 0));
    fxe_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ex6_timers_at_day_boundaries_shanghai), CT_CASE(test_ex6_escalated_at_start_of_day3_not_before),
        CT_CASE(test_ex6_breach_at_end_of_day3_not_before),
        CT_CASE(test_ex6_requeue_top_of_middle_shift_queue_at_its_next_start),
        CT_CASE(test_ex6_requeue_fired_late_still_queues_today), CT_CASE(test_ex6_requeue_shift_is_a_shop_setting),
        CT_CASE(test_ex6_closed_exception_is_not_requeued_or_escalated), CT_CASE(test_ex6_day3_across_dst_new_york),
        CT_CASE(test_ex6_escalate_day_is_a_shop_setting))
