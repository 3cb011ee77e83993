/* ex06_day_end_escalation.c -- EX-6: an exception still open at the end of
 * its day goes to the top of the middle shift's queue when that shift next
 * starts; one still open on day 3 is escalated to the supervisor at the
 * start of day 3, and breaches its SLA if still open at the end of day 3.
 *
 * Handbook: 000 §2 #7.4 ("如果当天联系不到的,保持大红色的蓝子,中班客服上班时,第一
 * 时间再次跟踪处理") and 000 管理 2.9 ("超过两天未能处理好的,一定要在第三天内完结").
 *
 * Why it is built this way: every instant is a local calendar boundary in
 * the shop's zone, computed with cs_tz_instant(): day 1 is the local date
 * the exception opened, "the start of day N" is local midnight opening
 * that date and "the end of day N" local midnight closing it. Across a
 * daylight-saving change those are 23 or 25 hours apart, never a fixed
 * 24. N is the shop's exception_escalate_day (3). The worker schedules
 * the instants as durable timers when the exception opens and cancels
 * them when it closes; when one fires, ex6_on_timer() decides again from
 * the stored exception, so a timer that fires late, twice, or after the
 * exception closed does nothing wrong: a closed, escalated or breached
 * exception is not acted on a second time. The re-queued task names the
 * requeue shift (shop setting requeue_shift, "middle") and the instant it
 * enters that queue (the shift's next start), marked top_of_queue: the
 * red basket is the first thing the middle shift picks up. A requeue is
 * made at the end of every day before day N; the end of day N-1 is the
 * start of day N, where the escalation takes over. */
#include "ex_rules.h"

#include <stdio.h>
#include <string.h>

#include "cs/tz.h"

static int escalateDay(const cs_shop *shop) {
    return shop->th.exception_escalate_day > 0 ? shop->th.exception_escalate_day : 1;
}

/* EX-6 */
int64_t ex6_escalate_ms(const cs_shop *shop, int64_t opened_ms) {
    cs_day day1 = cs_tz_day(shop->tz, opened_ms);
    return cs_tz_instant(shop->tz, day1 + escalateDay(shop) - 1, 0);
}

/* EX-6 */
int64_t ex6_breach_ms(const cs_shop *shop, int64_t opened_ms) {
    cs_day day1 = cs_tz_day(shop->tz, opened_ms);
    return cs_tz_instant(shop->tz, day1 + escalateDay(shop), 0);
}

/* EX-6 */
void ex6_schedule(const cs_shop *shop, int64_t opened_ms, ex_decision *d) {
    int n = escalateDay(shop);
    /* The end of day 1 is a requeue only while it is before day N's start. */
    if (n > 2) cs_fx_timer(&d->fx, EX_TIMER_REQUEUE, NULL, ex_end_of_day_ms(shop, opened_ms));
    if (n > 1) cs_fx_timer(&d->fx, EX_TIMER_ESCALATE, NULL, ex6_escalate_ms(shop, opened_ms));
    cs_fx_timer(&d->fx, EX_TIMER_BREACH, NULL, ex6_breach_ms(shop, opened_ms));
}

static const cs_shift *requeueShift(const cs_shop *shop) {
    const cs_shift *first = NULL;
    for (int i = 0; i < shop->nshifts; i++) {
        const cs_shift *s = &shop->shifts[i];
        if (shop->requeue_shift && strcmp(s->name, shop->requeue_shift) == 0) return s;
        if (!first || s->start_min < first->start_min) first = s;
    }
    return first;
}

/* EX-6 */
int64_t ex6_next_requeue_start_ms(const cs_shop *shop, int64_t ms) {
    const cs_shift *s = requeueShift(shop);
    int start = s ? s->start_min : 0;
    cs_day today = cs_tz_day(shop->tz, ms);
    int64_t t = cs_tz_instant(shop->tz, today, start);
    return t >= ms ? t : cs_tz_instant(shop->tz, today + 1, start);
}

/* EX-6 */
bool ex6_on_timer(const char *kind, const ex_exception *x, const ex_order *o, const cs_shop *shop, int64_t now_ms,
                  ex_decision *d) {
    if (!x->exists || !x->open) return false;
    char since[16];
    ex_local_date(shop, x->opened_ms, since, sizeof since);
    int day = cs_tz_day_number(shop->tz, x->opened_ms, now_ms);
    int n = escalateDay(shop);
    if (strcmp(kind, EX_TIMER_REQUEUE) == 0) {
        if (x->escalated_ms || day >= n) return false; /* the escalation owns day N */
        const cs_shift *s = requeueShift(shop);
        cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_CALL, "EX-6", false,
                                "order %s: exception open since %s still open at the end of day %d: "
                                "follow up first thing",
                                ex_str(o->order_id), since, day - 1 > 0 ? day - 1 : 1);
        if (t) {
            t->shift = s ? s->name : NULL;
            t->top_of_queue = true;
            /* from the day end the timer stands for (local midnight
             * opening today), so a firing delayed past the shift's start
             * still queues it today, not tomorrow */
            t->queue_at_ms = ex6_next_requeue_start_ms(shop, cs_tz_instant(shop->tz, cs_tz_day(shop->tz, now_ms), 0));
            t->due_ms = ex_end_of_day_ms(shop, now_ms);
        }
        /* another requeue at the end of this day if it is still before day N */
        if (day + 1 < n) cs_fx_timer(&d->fx, EX_TIMER_REQUEUE, NULL, ex_end_of_day_ms(shop, now_ms));
        d->plan_rule = "EX-6";
        return true;
    }
    if (strcmp(kind, EX_TIMER_ESCALATE) == 0) {
        if (x->escalated_ms || now_ms < ex6_escalate_ms(shop, x->opened_ms)) return false;
        cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_ESCALATION, "EX-6", true,
                                "order %s: exception open since %s is on day %d: supervisor to settle it today",
                                ex_str(o->order_id), since, day);
        if (t) {
            t->assignee = CS_FX_SUPERVISOR;
            t->due_ms = ex6_breach_ms(shop, x->opened_ms);
        }
        d->escalated = true;
        return true;
    }
    if (strcmp(kind, EX_TIMER_BREACH) == 0) {
        int64_t deadline = ex6_breach_ms(shop, x->opened_ms);
        if (x->breached_ms || now_ms < deadline) return false;
        d->breach = true;
        cs_fx_breach(&d->fx, "EX-6", "exception", deadline, "exception open since %s still open at the end of day %d",
                     since, n);
        cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_ESCALATION, "EX-6", true,
                                "order %s: exception open since %s breached its SLA (end of day %d)",
                                ex_str(o->order_id), since, n);
        if (t) t->assignee = CS_FX_SUPERVISOR;
        return true;
    }
    return false;
}
