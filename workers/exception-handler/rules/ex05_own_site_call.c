/* ex05_own_site_call.c -- EX-5: an own-site order (cash on delivery above
 * all) that cannot ship today: a phone-call task the same day.
 *
 * Handbook: 000 §2 #7.4 ("网站上的订单(特别是货到付款的订单)当天不能发出的,一定要
 * 电话通知客户").
 *
 * Why it is built this way: an own-site buyer has no platform IM to read a
 * note, and a cash-on-delivery buyer who is not told may refuse the parcel
 * at the door, so every exception of such an order is a call, whatever
 * its reason (out of stock, a courier that cannot reach, an incomplete
 * address). The call is due by local midnight ending today ("the same
 * day"); COD orders are marked urgent so they go first. The channel is the
 * order's when it names one, else the shop's. */
#include "ex_rules.h"

/* EX-5 */
bool ex5_own_site_call(const ex_order *o, const char *reasons, const cs_shop *shop, int64_t now_ms, ex_decision *d) {
    if (cs_order_channel(o, shop) != CS__V1__CHANNEL__CHANNEL_OWN_SITE) return false;
    cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_CALL, "EX-5", o->cod,
                            "own-site %sorder %s cannot ship today (%s): call the buyer today",
                            o->cod ? "cash-on-delivery " : "", ex_str(o->order_id),
                            reasons && reasons[0] ? reasons : "exception");
    if (t) t->due_ms = ex_end_of_day_ms(shop, now_ms);
    d->plan_rule = "EX-5";
    return true;
}
