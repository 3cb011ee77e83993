/* ov06_reminders.c -- OV-6: one payment reminder for an order still unpaid
 * 30 minutes after it was placed, and escalation of an ON_HOLD order that
 * is still not settled on day 3 of its hold.
 *
 * Handbook: 002 日常工作流程 3 ("等待买家付款"的...电话回访用户了解什么情况,
 * 目的催促用户下单), 003 #7 (拍下未支付订单...跟进询问催促) and 000 管理 2.4
 * ("和客户确定后留单时间不要超过三天").
 *
 * Why it is built this way: the worker schedules one timer per order at
 * ov6_reminder_due_ms() / ov6_hold_escalation_ms() and, when it fires,
 * asks ov6_payment_reminder() / ov6_hold_escalation() whether the order
 * still qualifies (it may have been paid, cancelled or released since);
 * one timer id per order is what makes the reminder "one". The 30 minutes
 * are elapsed time (an instant plus a duration). The hold's three days are
 * calendar days in the shop's zone (RULES.md preamble: day 1 is the local
 * date the hold began), so the escalation instant is local midnight at the
 * start of day N computed through cs_tz_instant(): across a daylight-
 * saving change that is 47 or 49 hours after midnight of day 1, never a
 * fixed 48. Cash on delivery orders are never "unpaid" (paid at the door);
 * finance-checked orders still waiting for the buyer's transfer do get a
 * reminder, as the handbook asks for every 等待买家付款 order. */
#include "ov_rules.h"

#include <inttypes.h>

#include "cs/text.h"

/* OV-6 */
int64_t ov6_reminder_due_ms(const Cs__V1__Order *o, const cs_shop *shop) {
    return o->created_ms + (int64_t)shop->th.unpaid_reminder_min * 60 * 1000;
}

/* OV-6 */
bool ov6_payment_reminder(const Cs__V1__OrderState *st, const cs_shop *shop, int64_t now_ms, ov_task *task,
                          ov_note *note) {
    const Cs__V1__Order *o = st->order;
    if (task) ov_task_set(task, CS__V1__TASK_KIND__TASK_KIND_UNSPECIFIED, NULL, false, "%s", "");
    if (note) ov_note_init(note, NULL, NULL, 0, 0);
    if (!st->created || !o || ov_order_over(st) || st->shipped_ms != 0) return false;
    if (o->paid_ms != 0 || ov_order_cod(o)) return false;
    if (now_ms < ov6_reminder_due_ms(o, shop)) return false;

    int64_t items = 0, discounts = 0, payable = 0;
    bool amount_known = ov_item_total(o, &items) && ov_discount_total(o, &discounts) &&
                        !__builtin_sub_overflow(items, discounts, &payable) &&
                        !__builtin_add_overflow(payable, o->shipping_fee_fen, &payable) && payable >= 0;
    char amount[24] = "";
    if (amount_known) cs_fen_format(payable, amount, sizeof amount);

    if (shop->payment_reminder_im) {
        /* the shop prefers a written IM reminder to a call */
        if (note) {
            ov_note_init(note, "OV-6", "payment_reminder", CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM,
                         CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE);
            ov_note_param(note, "order_id", "%s", ov_str(o->order_id));
            if (amount_known) ov_note_param(note, "amount", "%s", amount);
        }
    } else {
        ov_task_set(task, CS__V1__TASK_KIND__TASK_KIND_PAYMENT_REMINDER, "OV-6", false,
                    "order %s unpaid %d min after it was placed: call the buyer%s%s", ov_str(o->order_id),
                    shop->th.unpaid_reminder_min, amount_known ? ", payable " : "", amount);
    }
    return true;
}

/* OV-6 */
int64_t ov6_hold_escalation_ms(int64_t held_ms, const cs_shop *shop) {
    cs_day day1 = cs_tz_day(shop->tz, held_ms);
    int n = shop->th.hold_settle_days > 0 ? shop->th.hold_settle_days : 1;
    return cs_tz_instant(shop->tz, day1 + (n - 1), 0);
}

/* OV-6 */
bool ov6_hold_escalation(const Cs__V1__OrderState *st, int64_t held_ms, const cs_shop *shop, int64_t now_ms,
                         ov_task *task) {
    const Cs__V1__Order *o = st->order;
    if (task) ov_task_set(task, CS__V1__TASK_KIND__TASK_KIND_UNSPECIFIED, NULL, false, "%s", "");
    if (held_ms == 0 || !o || ov_order_over(st) || st->shipped_ms != 0) return false;
    /* still on hold: the last verdict was ON_HOLD (OV-7, OV-9 or the
     * shop's own hold, which is also an ON_HOLD verdict) */
    bool held = st->last_state == CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD || o->on_hold;
    if (!held || now_ms < ov6_hold_escalation_ms(held_ms, shop)) return false;
    char since[11];
    cs_day_format(cs_tz_day(shop->tz, held_ms), since, sizeof since);
    ov_task_set(task, CS__V1__TASK_KIND__TASK_KIND_ESCALATION, "OV-6", true,
                "order %s on hold since %s (day %d): supervisor to cancel or ship", ov_str(o->order_id), since,
                cs_tz_day_number(shop->tz, held_ms, now_ms));
    return true;
}
