/* ex_plan.c -- how a new exception is worked: the choice between EX-1 to
 * EX-5 for an EXCEPTION verdict, plus EX-6's day-end, day-N and breach
 * timers.
 *
 * Handbook: 000 §2 #7 (异常件: the day's exceptions are handled after the
 * day's shipping, by these principles).
 *
 * Why it is built this way: the handbook lists own-site orders (#7.4)
 * apart from the platform cases (#7.1, #7.2): an own-site buyer is always
 * called, so EX-5 is tried first; the out-of-stock table (EX-1, EX-2,
 * EX-3) then decides a platform order that is OUT_OF_STOCK. Any other
 * reason (a courier that cannot reach, an incomplete address, an amount
 * that does not add up, a missing presale date) has no rule of its own in
 * section 2 beyond EX-6's clock, so it gets one agent task to work it,
 * recorded under EX-6, the rule that then follows it day by day. */
#include "ex_rules.h"

#include <string.h>

static bool hasCode(const char *reasons, const char *code) {
    size_t n = strlen(code);
    for (const char *p = reasons; p && (p = strstr(p, code)); p += n)
        if ((p == reasons || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return true;
    return false;
}

void ex_plan_open(const ex_order *o, const char *reasons, int64_t restock_ms, const cs_shop *shop, int64_t now_ms,
                  ex_decision *d) {
    d->open = true;
    if (!ex5_own_site_call(o, reasons, shop, now_ms, d)) {
        if (hasCode(reasons, "OUT_OF_STOCK")) {
            if (!ex1_restock_message(o, restock_ms, shop, now_ms, d) &&
                !ex2_restock_unknown_call(o, restock_ms, shop, now_ms, d))
                ex3_paid_earlier_call(o, restock_ms, shop, now_ms, d);
        } else {
            cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "EX-6", false,
                                    "order %s is an exception (%s): work it today", ex_str(o->order_id),
                                    reasons && reasons[0] ? reasons : "no reason given");
            if (t) t->due_ms = ex_end_of_day_ms(shop, now_ms);
            d->plan_rule = "EX-6";
        }
    }
    ex6_schedule(shop, now_ms, d);
}
