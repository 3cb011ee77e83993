/* ex03_paid_earlier_call.c -- EX-3: an out-of-stock order paid before
 * today, whether the restock comes tomorrow or at an unknown date: a
 * phone-call task.
 *
 * Handbook: 000 §2 #7.2 ("前一天付好款的订单,如果缺货的产品第二天可以到货或不确定
 * 什么时间能到的,都需电话通知").
 *
 * Why it is built this way: the buyer paid on an earlier local date and
 * already waited a shipping day, so a message is not enough: the handbook
 * wants a call in every restock case. "Before today" compares local dates
 * (an order paid at 23:59 yesterday qualifies at 00:01 today). An order
 * without a payment time that is not cash on delivery cannot normally be
 * out of stock (OV-8 reserves only committed orders); should one reach
 * here, a call is the safe plan, so it is treated as paid earlier. */
#include "ex_rules.h"

#include "cs/tz.h"

/* EX-3 */
bool ex3_paid_earlier_call(const ex_order *o, int64_t restock_ms, const cs_shop *shop, int64_t now_ms, ex_decision *d) {
    int64_t committed = cs_order_committed_ms(o);
    cs_day today = cs_tz_day(shop->tz, now_ms);
    if (committed != 0 && cs_tz_day(shop->tz, committed) >= today) return false;
    char paid[16] = "unknown", when[16] = "unknown";
    if (committed) ex_local_date(shop, committed, paid, sizeof paid);
    if (restock_ms > 0) ex_local_date(shop, restock_ms, when, sizeof when);
    cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_CALL, "EX-3", false,
                            "order %s out of stock, paid %s (before today), restock %s: call the buyer",
                            ex_str(o->order_id), paid, when);
    if (t) t->due_ms = ex_end_of_day_ms(shop, now_ms);
    d->plan_rule = "EX-3";
    return true;
}
