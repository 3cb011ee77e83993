/* rf06_return_received.c -- RF-6: the returned goods are received and
 * recorded resellable (back to stock) or damaged; a damaged item the
 * supplier will not exchange goes to the supervisor.
 *
 * Handbook: 000 售后的衔接 1, 3 ("退回的货物要登记是否可以二次销售...损坏的
 * 如供应商不给换, 交主管处理").
 *
 * Why it is built this way: the return-received event carries the
 * warehouse's inspection (resellable) and the supplier's answer
 * (supplier_exchanges; on the event until the proto has it). The
 * decision records the condition and, for a resellable item, that it goes
 * back to stock (the worker tells inventory next session); a damaged item
 * the supplier exchanges is the supplier's business and needs nobody. */
#include "rf_rules.h"

#include "cs/util.h"

/* RF-6 */
void rf6_return_received(const rf_case *c, bool resellable, bool supplier_exchanges, rf_decision *d) {
    d->return_condition = resellable ? RF_RETURN_RESELLABLE : RF_RETURN_DAMAGED;
    d->restock = resellable;
    if (resellable || supplier_exchanges) return;
    cs_task *t =
        cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_ESCALATION, "RF-6", false,
                   "case %s (order %s): the returned item%s%s is damaged and the supplier will not "
                   "exchange it: decide what to do with it (owner %s)",
                   cs_str(c->case_id), cs_str(c->order_id), c->sku ? " " : "", cs_str(c->sku), rf_agent_name(c));
    if (t) t->assignee = CS_FX_SUPERVISOR;
    d->escalated = true;
}
