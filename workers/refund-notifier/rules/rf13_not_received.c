/* rf13_not_received.c -- RF-13: "not received" requests by logistics
 * state: signed = guide the buyer to confirm receipt; refused or stuck =
 * agree at once; in transit = ask the buyer to confirm on arrival; the
 * buyer wants to return = send the return address and mention freight
 * insurance.
 *
 * Handbook: 004 易干预题分析 ("a.货物已经签收——引导买家确认收货; b.货物已被拒收或
 * 停滞——立即同意; c.货物仍在运送中——收到后确认收货; d.买家需要退回——退货地址,
 * 并提醒使用运费险").
 *
 * Why it is built this way: a refused or stuck parcel comes back to us
 * whatever the buyer wants, so agreeing at once wins over every other
 * answer; a buyer who says they want to send it back gets the return
 * address next (an agent task: the address is the agent's to give, with
 * the freight-insurance reminder); otherwise the parcel's state decides
 * the message. A parcel not shipped has no logistics answer: the request
 * goes to an agent like any other (rf_case.c). */
#include "rf_rules.h"

#define L(x) CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_##x

/* RF-13 */
rf_nr_action rf13_action(Cs__V1__LogisticsState logistics, bool buyer_wants_return) {
    if (logistics == L(REFUSED) || logistics == L(STUCK)) return RF_NR_AGREE;
    if (buyer_wants_return) return RF_NR_RETURN_ADDRESS;
    if (logistics == L(SIGNED)) return RF_NR_GUIDE_CONFIRM;
    if (logistics == L(IN_TRANSIT)) return RF_NR_CONFIRM_ON_ARRIVAL;
    return RF_NR_NONE;
}
