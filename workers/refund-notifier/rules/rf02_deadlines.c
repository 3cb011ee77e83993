/* rf02_deadlines.c -- RF-2: the buyer ships the return within 2 days of
 * the agreement; registration to reshipment or refund within 7 days; a
 * case open 7 days is escalated. Also the firing of RF-11's evidence
 * deadline, which shares the timer dispatch.
 *
 * Handbook: 000 §3 #2 ("买家同意退换货后2天内寄回"), 000 管理 2.5 ("售后问题7天内
 * 处理完毕, 超过7天的上报主管").
 *
 * Why it is built this way: "within N days" runs N x 24 h from the event
 * that starts it (RULES.md preamble), so each deadline is the triggering
 * event's time plus a fixed duration, not a calendar date: agreement +
 * return_ship_days x 24 h (rf2.ship_return, only for the types where the
 * buyer sends goods back), registration + case_deadline_days x 24 h for
 * both the 7-day deadline (rf2.resolve) and the escalation (rf2.escalate).
 * Each is a durable timer on the case, cancelled as soon as the case moves
 * past it: ship_return by the goods on their way (or the case ending),
 * resolve by the refund, the reshipment, a refusal or the closing (and
 * armed again, at the same due time, when a refused case is agreed after
 * all),
 * escalate by the refund, the reshipment or the closing (a refused case
 * is still open: the buyer may ask again or call in the platform). When
 * one fires, rf_on_timer() decides again from the stored case, so a late
 * or repeated firing after the case moved on decides nothing. The two
 * 7-day timers fire together and ask different people: the owner for the
 * overdue resolution (an urgent task), the supervisor for the case open a
 * week (an escalation). A return never shipped is escalated to the
 * supervisor (issue 10: "a return whose buyer never ships it: escalated
 * after 2 days, not before"). */
#include "rf_rules.h"

#include "cs/util.h"

#include <string.h>

#define S(x) CS__V1__CASE_STAGE__CASE_STAGE_##x

static bool settled(Cs__V1__CaseStage s) { return s == S(REFUNDED) || s == S(RESHIPPED) || s == S(CLOSED); }

/* RF-2 */
void rf2_on_stage(const rf_case *c, Cs__V1__CaseType type, Cs__V1__CaseStage stage, bool registering, int64_t at_ms,
                  const cs_shop *shop, rf_decision *d) {
    if (registering && !settled(stage)) {
        int64_t due = at_ms + rf_days_ms(shop->th.case_deadline_days);
        if (stage != S(REFUSED)) cs_fx_timer(&d->fx, RF_TIMER_RESOLVE, NULL, due);
        cs_fx_timer(&d->fx, RF_TIMER_ESCALATE, NULL, due);
    }
    switch (stage) {
        case S(AGREED):
            if (rf_type_returns_goods(type))
                cs_fx_timer(&d->fx, RF_TIMER_SHIP_RETURN, NULL, at_ms + rf_days_ms(shop->th.return_ship_days));
            if (!registering) {
                cs_fx_cancel(&d->fx, RF_TIMER_EVIDENCE, NULL);
                /* agreed after a refusal (the platform stepped in, the
                 * buyer asked again): the 7 days from registration run
                 * again for the owner. keep_pending: a case agreed the
                 * first time keeps its pending timer untouched (no new
                 * generation, nothing written to Redis) */
                cs_timer_arm *t = c && c->registered_ms
                                      ? cs_fx_timer(&d->fx, RF_TIMER_RESOLVE, NULL,
                                                    c->registered_ms + rf_days_ms(shop->th.case_deadline_days))
                                      : NULL;
                if (t) t->keep_pending = true;
            }
            break;
        case S(REFUSED):
            if (!registering) {
                cs_fx_cancel(&d->fx, RF_TIMER_SHIP_RETURN, NULL);
                cs_fx_cancel(&d->fx, RF_TIMER_RESOLVE, NULL);
                cs_fx_cancel(&d->fx, RF_TIMER_EVIDENCE, NULL);
            }
            break;
        case S(BUYER_SHIPPED):
        case S(RETURN_RECEIVED):
            if (!registering) {
                cs_fx_cancel(&d->fx, RF_TIMER_SHIP_RETURN, NULL);
                cs_fx_cancel(&d->fx, RF_TIMER_EVIDENCE, NULL);
            }
            break;
        case S(REFUNDED):
        case S(RESHIPPED):
        case S(CLOSED):
            if (!registering) cs_fx_cancel(&d->fx, NULL, NULL); /* every pending timer of the case */
            break;
        default: break;
    }
}

/* RF-2, RF-11 */
bool rf_on_timer(const char *kind, const rf_case *c, const rf_order *o, const cs_shop *shop, int64_t now_ms,
                 rf_decision *d) {
    (void)o;
    if (!kind || !c->exists || c->stage == S(CLOSED)) return false;
    if (strcmp(kind, RF_TIMER_SHIP_RETURN) == 0) {
        if (c->stage != S(AGREED) || !c->agreed_ms) return false;
        if (now_ms < c->agreed_ms + rf_days_ms(shop->th.return_ship_days)) return false;
        cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_ESCALATION, "RF-2", false,
                                "case %s (order %s, %s): the buyer has not shipped the return within %d days "
                                "of the agreement (owner %s)",
                                cs_str(c->case_id), cs_str(c->order_id), rf_type_name(c->type),
                                shop->th.return_ship_days, rf_agent_name(c));
        if (t) t->assignee = CS_FX_SUPERVISOR;
        d->escalated = true;
        return true;
    }
    if (strcmp(kind, RF_TIMER_RESOLVE) == 0) {
        if (c->stage == S(REFUNDED) || c->stage == S(RESHIPPED) || c->stage == S(REFUSED)) return false;
        if (now_ms < c->registered_ms + rf_days_ms(shop->th.case_deadline_days)) return false;
        cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_CALL, "RF-2", true,
                                "case %s (order %s): not refunded or reshipped within %d days of its "
                                "registration: settle it now (owner %s)",
                                cs_str(c->case_id), cs_str(c->order_id), shop->th.case_deadline_days, rf_agent_name(c));
        rf_task_to_owner(t, c);
        if (t) t->due_ms = now_ms;
        return true;
    }
    if (strcmp(kind, RF_TIMER_ESCALATE) == 0) {
        if (c->stage == S(REFUNDED) || c->stage == S(RESHIPPED)) return false;
        if (now_ms < c->registered_ms + rf_days_ms(shop->th.case_deadline_days)) return false;
        cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_ESCALATION, "RF-2", true,
                                "case %s (order %s, %s, %s) open %d days at stage %s (owner %s)", cs_str(c->case_id),
                                cs_str(c->order_id), rf_type_name(c->type), rf_reason_name(c->reason),
                                shop->th.case_deadline_days, rf_stage_name(c->stage), rf_agent_name(c));
        if (t) t->assignee = CS_FX_SUPERVISOR;
        d->escalated = true;
        return true;
    }
    if (strcmp(kind, RF_TIMER_EVIDENCE) == 0) {
        if (c->stage != S(PLATFORM_INTERVENED) || !c->intervened_ms) return false;
        if (now_ms < c->intervened_ms + rf_days_ms(shop->th.dispute_evidence_days)) return false;
        cs_task *t =
            cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_COMPLAINT, "RF-11", true,
                       "case %s (order %s): the dispute's %d-day evidence deadline is reached: "
                       "submit the evidence now (owner %s)",
                       cs_str(c->case_id), cs_str(c->order_id), shop->th.dispute_evidence_days, rf_agent_name(c));
        rf_task_to_owner(t, c);
        if (t) t->due_ms = now_ms;
        return true;
    }
    return false;
}
