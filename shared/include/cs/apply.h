/* apply.h -- turning a rule's effects (cs/effects.h) into outbound records,
 * rows and timer calls, inside the batch transaction (shared/src/apply.c).
 *
 * One call per decision: cs_fx_apply(b, &target, &fx). For each effect it
 *   - derives the output's event id from the trigger (the input event's
 *     id) and the effect's place: "<trigger>/task/<i>/<rule>",
 *     "<trigger>/note/<i>/<template>" (the notification's idempotency key,
 *     NT-1: fixed here, the same on every replay),
 *     "<trigger>/finance/<i>/<kind>", "<trigger>/sla";
 *   - queues the record (cs_batch_emit) for cs.tasks.v1,
 *     cs.notifications.v1, cs.finance.v1 or cs.sla.v1, keyed
 *     "<shop>:<order>";
 *   - queues its row (tasks, notification_requests, finance_requests,
 *     sla_breaches); a before-commit hook writes the batch's rows in bulk
 *     (COPY for tasks and notification requests, whose ids are unique by
 *     construction: the trigger is deduped and (index, rule) differ;
 *     INSERT .. ON CONFLICT DO NOTHING for the rare finance and SLA rows);
 *   - closes tasks at once, after writing the rows queued so far, so a
 *     task raised earlier in the batch is closed and one raised later is
 *     not;
 *   - cancels, then arms, timers (cs/timers.h) with ids of the scheme
 *     "<kind>@<shop>:<subject>" and payload = subject.
 * Tasks without a named shift go to the shift SH-1 gives for their queue
 * time (cs_shift_for_task). */
#ifndef CS_APPLY_H
#define CS_APPLY_H

#include <stddef.h>

#include "cs/effects.h"
#include "cs/order_facts.h"
#include "cs/runtime.h"

/* What the effects are about. */
typedef struct cs_fx_target {
    const cs_shop *shop; /* settings (SH-1 shifts) */
    const char *shop_id;
    const char *order_id; /* "" when none; tasks, notes and finance name it */
    const char *buyer_id; /* IM recipient, finance's buyer; NULL = none */
    const char *phone;    /* SMS recipient; NULL = none */
    const char *trigger;  /* the input event id outputs derive theirs from */
    const char *subject;  /* default timer / breach subject; NULL = order_id */
} cs_fx_target;

/* The target of an order's effects: shop and order from the event, buyer
 * and phone from the facts (may be NULL). */
cs_fx_target cs_fx_target_of(const cs_event *ev, const cs_order_facts *o, const char *subject);

/* Applies fx. Returns 0, or -1 with err (a refused timer or a failed
 * statement: the batch fails). */
int cs_fx_apply(cs_batch *b, const cs_fx_target *t, const cs_effects *fx, char *err, size_t errlen);

/* One task or notification request as cs_fx_apply applies the idx-th of
 * a decision's: for set-based hot paths (the verifier) that keep their own
 * decision arrays. */
void cs_fx_apply_task(cs_batch *b, const cs_fx_target *t, int idx, const cs_task *task);
void cs_fx_apply_note(cs_batch *b, const cs_fx_target *t, int idx, const cs_note *note);

/* Names the worker's output counters "<prefix>_tasks_total",
 * "_notifications_total", "_finance_requests_total",
 * "_sla_breaches_total{rule}" ("... created by the <who>"), and registers
 * the breach series of rules (NULL-terminated, may be NULL) at once, so a
 * dashboard sees them at 0 before the first breach. A worker calls it once
 * from init; without it they are "cs_fx_...". */
void cs_fx_metrics(const char *prefix, const char *who, const char *const *breach_rules);

#endif
