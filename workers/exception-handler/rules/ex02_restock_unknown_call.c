/* ex02_restock_unknown_call.c -- EX-2: an out-of-stock order paid today
 * whose restock date is unknown: a phone-call task; the agent proposes
 * another style or colour (an exchange is preferred over a refund).
 *
 * Handbook: 000 §2 #7.1 ("不确定到货时间的,需电话通知,协商更换款式") and #8
 * ("尽可能引导客服更换款式,尽可能不要退款").
 *
 * Why it is built this way: the rule table has two restock cases for an
 * order paid today, "by tomorrow" (EX-1, a message) and "unknown" (a call).
 * A restock known to come later than tomorrow is the same situation for
 * the buyer as an unknown one (no ship date we can promise soon), so it is
 * a call here too; EX-1 covers only what it names. Days are local dates,
 * as in EX-1. The task is due by the end of the local day: the handbook
 * works the day's exceptions the same day (#7: 每天发完货后,处理当天的异常件). */
#include "ex_rules.h"

#include "cs/tz.h"

/* EX-2 */
bool ex2_restock_unknown_call(const ex_order *o, int64_t restock_ms, const cs_shop *shop, int64_t now_ms,
                              ex_decision *d) {
    int64_t committed = cs_order_committed_ms(o);
    if (committed == 0) return false;
    cs_day today = cs_tz_day(shop->tz, now_ms);
    if (cs_tz_day(shop->tz, committed) != today) return false;
    if (restock_ms > 0 && cs_tz_day(shop->tz, restock_ms) <= today + 1) return false; /* EX-1 */
    char when[32] = "unknown";
    if (restock_ms > 0) ex_local_date(shop, restock_ms, when, sizeof when);
    cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_CALL, "EX-2", false,
                            "order %s out of stock, paid today, restock %s: call the buyer and "
                            "propose another style or colour (exchange before refund)",
                            ex_str(o->order_id), when);
    if (t) t->due_ms = ex_end_of_day_ms(shop, now_ms);
    d->plan_rule = "EX-2";
    return true;
}
