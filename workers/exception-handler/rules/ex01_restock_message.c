/* ex01_restock_message.c -- EX-1: an out-of-stock order paid today whose
 * restock arrives by tomorrow: the buyer gets an IM message with the new
 * ship date; no call is needed.
 *
 * Handbook: 000 §2 #7.1 ("当天付好款的订单,如果缺货的产品第二天可以到货,给客户
 * 留言通知").
 *
 * Why it is built this way: "today" and "tomorrow" are local dates in the
 * shop's zone (RULES.md preamble), so both the payment and the restock are
 * compared as cs_tz_day() values, never as 24 h spans: an order paid at
 * 23:59 is "today" until local midnight, and a restock due at 23:00
 * tomorrow is still "by tomorrow". The ship date told to the buyer is the
 * restock's local date, or today when the restock date has already come.
 * A cash-on-delivery order counts as paid when it was placed (it is
 * committed then, as OV-8 reserves it). The message is a service message
 * on the IM channel whatever the shop's SMS preference: the handbook says
 * 留言 (a note on the platform's IM), and EX-4's SMS choice is about buyers
 * who could not be reached by phone. */
#include "ex_rules.h"

#include "cs/tz.h"

/* EX-1 */
bool ex1_restock_message(const ex_order *o, int64_t restock_ms, const cs_shop *shop, int64_t now_ms, ex_decision *d) {
    int64_t committed = cs_order_committed_ms(o);
    if (committed == 0 || restock_ms <= 0) return false;
    cs_day today = cs_tz_day(shop->tz, now_ms);
    if (cs_tz_day(shop->tz, committed) != today) return false;
    cs_day restock = cs_tz_day(shop->tz, restock_ms);
    if (restock > today + 1) return false;
    cs_day ship = restock < today ? today : restock;
    char date[16];
    cs_day_format(ship, date, sizeof date);
    cs_note *n = cs_fx_note(&d->fx, "EX-1", EX_TPL_RESTOCK, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM, CS_TO_IM);
    cs_fx_note_param(n, "order_id", "%s", ex_str(o->order_id));
    cs_fx_note_param(n, "ship_date", "%s", date);
    d->plan_rule = "EX-1";
    return true;
}
