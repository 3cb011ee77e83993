/* ov13_capture_sweep.c -- OV-13: the daily capture sweep at the end of the
 * shipping day (19:00 local): an order paid before today that is neither
 * shipped nor in an exception or on hold is a missed order, and its buyer
 * is told the new ship date.
 *
 * Handbook: 000 §2 #4 ("中班客服在7点后对所有已发出的订单进行打包出库...发完货
 * 后必须核对当天生成收款之前的订单是否存在异常件...如果存在漏抓单的情况,要及时
 * 陆单,并通知客户,及时安排发货").
 *
 * Why it is built this way: "today" and "paid before today" are local
 * calendar dates in the shop's zone (RULES.md preamble), so the test is on
 * cs_tz_day() of the payment and of now, not on 24 h differences: an order
 * paid at 23:50 yesterday is missed at 19:00 today. The sweep instant is
 * 19:00 local through cs_tz_instant(), which stays 19:00 on a day when the
 * clocks change. Exceptions and holds are excluded because someone already
 * owns them (EX-*, OV-7, OV-9); a shop hold (Order.on_hold) is a hold too.
 * An order waiting for finance (PENDING_FINANCE_CHECK) that is paid is
 * still listed: the rule names only exceptions and holds, and a paid order
 * nobody shipped is what the sweep exists to catch. The new ship date
 * told to the buyer is the next local date, the next shipping day after
 * the sweep. The worker runs one sweep per shop at ov13_next_sweep_ms()
 * over the shop's paid, unshipped orders (in pages) and emits the task and
 * the note for each; ov13_sweep_after() says when the next one runs. */
#include "ov_rules.h"

/* OV-13 */
int64_t ov13_next_sweep_ms(const cs_shop *shop, int64_t now_ms) {
    cs_day today = cs_tz_day(shop->tz, now_ms);
    int64_t t = cs_tz_instant(shop->tz, today, shop->th.capture_sweep_min);
    if (t >= now_ms) return t;
    return cs_tz_instant(shop->tz, today + 1, shop->th.capture_sweep_min);
}

/* OV-13 */
int64_t ov13_sweep_after(const cs_shop *shop, int64_t sweep_ms, int64_t now_ms) {
    int64_t next = ov13_next_sweep_ms(shop, sweep_ms + 1);
    if (next > now_ms) return next;
    /* Late (the worker or the dispatcher was down, or the clock jumped):
     * one sweep for the latest 19:00 that has passed, not one per missed
     * day; each sweep lists every order still missed anyway. */
    cs_day today = cs_tz_day(shop->tz, now_ms);
    int64_t last = cs_tz_instant(shop->tz, today, shop->th.capture_sweep_min);
    if (last > now_ms) last = cs_tz_instant(shop->tz, today - 1, shop->th.capture_sweep_min);
    return last > next ? last : next;
}

/* OV-13 */
bool ov13_missed_order(const Cs__V1__OrderState *st, const cs_shop *shop, int64_t now_ms, ov_task *task,
                       ov_note *note) {
    const Cs__V1__Order *o = st->order;
    if (task) ov_task_set(task, CS__V1__TASK_KIND__TASK_KIND_UNSPECIFIED, NULL, false, "%s", "");
    if (note) ov_note_init(note, NULL, NULL, 0, 0);
    if (!st->created || !o || o->paid_ms == 0) return false;
    if (st->shipped_ms != 0 || ov_order_over(st)) return false;
    if (st->last_state == CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION ||
        st->last_state == CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD || o->on_hold)
        return false;
    cs_day today = cs_tz_day(shop->tz, now_ms);
    cs_day paid_day = cs_tz_day(shop->tz, o->paid_ms);
    if (paid_day >= today) return false;

    char paid[11], ship[11];
    cs_day_format(paid_day, paid, sizeof paid);
    cs_day_format(today + 1, ship, sizeof ship);
    ov_task_set(task, CS__V1__TASK_KIND__TASK_KIND_MISSED_ORDER, "OV-13", false,
                "missed order %s: paid %s, not shipped; ship on %s", ov_str(o->order_id), paid, ship);
    if (note) {
        ov_note_init(note, "OV-13", "ship_date_changed", ov_shop_channel(shop),
                     CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE);
        ov_note_param(note, "order_id", "%s", ov_str(o->order_id));
        ov_note_param(note, "ship_date", "%s", ship);
    }
    return true;
}
