/* ex09_complaints.c -- EX-9: complaints by severity. L1 urgent (serious
 * quality or safety): escalated to the supervisor within 1 h. L2
 * experience (late shipping, damaged packaging): a solution within 4 h.
 * L3 enquiry (usage question, slight flaw): closed within 24 h. A missed
 * deadline is an SLA-breach event (and a metric). A buyer with 2 or more
 * complaints in 30 days, or 2,000 CNY or more of paid orders in 12
 * months, is flagged VIP.
 *
 * Handbook: 001 §04 客诉问题分级处理.
 *
 * Why it is built this way: the deadlines are elapsed time from the moment
 * the buyer complained (Complaint.opened_ms, else the time the event is
 * handled), so they are instants plus shop-set minutes, not calendar days.
 * A new complaint gets its task at once (L1 straight to the supervisor,
 * urgent) and one durable timer at the deadline; the complaint is "met"
 * when the level's action is reported done (L1 escalated, L2 solution
 * offered, any level closed), which cancels the timer. When the timer
 * fires, ex9_on_deadline() looks at the stored complaint again, so a late
 * or repeated firing cannot breach a complaint that was met in time or
 * breach one twice. The VIP windows are half-open like every RULES.md
 * window: 30 days is elapsed time back from now, 12 months are calendar
 * months in the shop's zone (2025-03-31 back one month is 2025-02-28, the
 * day clamped to the month's end). The complaint being handled counts
 * toward the 2 (the worker counts it in). A VIP's task is urgent. */
#include "ex_rules.h"

#include <stdio.h>
#include <string.h>

#include "cs/tz.h"

/* EX-9 */
int64_t ex9_deadline_ms(Cs__V1__ComplaintLevel level, int64_t opened_ms, const cs_shop *shop) {
    int min;
    switch (level) {
        case CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L1_URGENT: min = shop->th.complaint_l1_min; break;
        case CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L2_EXPERIENCE: min = shop->th.complaint_l2_min; break;
        case CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L3_ENQUIRY: min = shop->th.complaint_l3_min; break;
        default: return 0;
    }
    return opened_ms + (int64_t)min * 60 * 1000;
}

/* EX-9 */
int64_t ex9_vip_complaint_since_ms(const cs_shop *shop, int64_t now_ms) {
    return now_ms - (int64_t)shop->th.vip_complaint_window_days * 24 * 3600 * 1000;
}

static int daysInMonth(int y, int m) {
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

/* EX-9 */
int64_t ex9_vip_paid_since_ms(const cs_shop *shop, int64_t now_ms) {
    int y, m, dd;
    cs_day_to_ymd(cs_tz_day(shop->tz, now_ms), &y, &m, &dd);
    int months = y * 12 + (m - 1) - shop->th.vip_paid_window_months;
    y = months / 12;
    m = months % 12 + 1;
    if (dd > daysInMonth(y, m)) dd = daysInMonth(y, m);
    int minute = cs_tz_minute_of_day(shop->tz, now_ms);
    int64_t sub_minute = now_ms - cs_tz_instant(shop->tz, cs_tz_day(shop->tz, now_ms), minute);
    if (sub_minute < 0) sub_minute = 0;
    return cs_tz_instant(shop->tz, cs_day_from_ymd(y, m, dd), minute) + sub_minute;
}

/* EX-9 */
bool ex9_vip(const ex_buyer_stats *s, const cs_shop *shop, ex_decision *d) {
    if (s->complaints >= shop->th.vip_complaints) {
        snprintf(d->vip_reason, sizeof d->vip_reason, "%d complaints in %d days", s->complaints,
                 shop->th.vip_complaint_window_days);
        d->vip = true;
    } else if (s->paid_fen >= shop->th.vip_paid_fen) {
        snprintf(d->vip_reason, sizeof d->vip_reason, "%lld fen paid in %d months", (long long)s->paid_fen,
                 shop->th.vip_paid_window_months);
        d->vip = true;
    }
    return d->vip;
}

static bool levelMet(const Cs__V1__Complaint *c, Cs__V1__ComplaintLevel level) {
    if (c->closed) return true;
    if (level == CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L1_URGENT) return c->escalated;
    if (level == CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L2_EXPERIENCE) return c->solution_offered;
    return false;
}

/* EX-9 */
bool ex9_complaint(const Cs__V1__Complaint *c, const ex_complaint *stored, const ex_buyer_stats *s, const cs_shop *shop,
                   int64_t now_ms, ex_decision *d) {
    if (stored->exists) {
        if (stored->met_ms || stored->closed_ms) return false;
        if (!levelMet(c, stored->level)) return false;
        d->complaint_met = true;
        cs_fx_cancel(&d->fx, EX_TIMER_COMPLAINT, NULL);
        return true;
    }
    int64_t opened = c->opened_ms > 0 ? c->opened_ms : now_ms;
    int64_t deadline = ex9_deadline_ms(c->level, opened, shop);
    bool vip = ex9_vip(s, shop, d);
    if (levelMet(c, c->level) || deadline == 0) {
        /* reported already handled (or of no level): recorded, no task */
        d->complaint_met = levelMet(c, c->level);
        return true;
    }
    const char *order = ex_str(c->order_id);
    const char *sum = ex_str(c->summary);
    const char *tag = vip ? "VIP " : "";
    cs_task *t;
    switch (c->level) {
        case CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L1_URGENT:
            t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_ESCALATION, "EX-9", true,
                           "%sL1 urgent complaint on order %s (%s): supervisor to take it up within %d min", tag, order,
                           sum, shop->th.complaint_l1_min);
            if (t) t->assignee = CS_FX_SUPERVISOR;
            break;
        case CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L2_EXPERIENCE:
            t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_COMPLAINT, "EX-9", vip,
                           "%sL2 complaint on order %s (%s): give the buyer a solution within %d min", tag, order, sum,
                           shop->th.complaint_l2_min);
            break;
        default:
            t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_COMPLAINT, "EX-9", vip,
                           "%sL3 enquiry on order %s (%s): answer and close within %d min", tag, order, sum,
                           shop->th.complaint_l3_min);
            break;
    }
    if (t) t->due_ms = deadline;
    cs_fx_timer(&d->fx, EX_TIMER_COMPLAINT, NULL, deadline);
    return true;
}

/* EX-9 */
bool ex9_on_deadline(const ex_complaint *stored, const char *complaint_id, const cs_shop *shop, int64_t now_ms,
                     ex_decision *d) {
    (void)shop;
    if (!stored->exists || stored->met_ms || stored->closed_ms || stored->breached_ms) return false;
    if (stored->deadline_ms == 0 || now_ms < stored->deadline_ms) return false;
    static const char *const what[] = {"", "L1: not escalated within the deadline",
                                       "L2: no solution within the deadline", "L3: not closed within the deadline"};
    int lv = (int)stored->level;
    d->breach = true;
    /* the breach's subject is the complaint: the worker applies it so */
    cs_fx_breach(&d->fx, "EX-9", "complaint", stored->deadline_ms, "complaint %s %s", ex_str(complaint_id),
                 lv >= 1 && lv <= 3 ? what[lv] : "missed its deadline");
    return true;
}
