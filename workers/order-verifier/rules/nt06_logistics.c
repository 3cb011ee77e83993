/* nt06_logistics.c -- NT-6: after shipment the buyer gets exactly one
 * logistics message with the courier and the tracking number.
 *
 * Handbook: 001 §03 物流跟踪信息推送 ("向客户说明物流单号查询方式及预计送达
 * 时间,承诺在发货后主动发送物流状态更新短信或邮件").
 *
 * Why it is built this way: the order-verifier owns the order state, so it
 * is the one worker that knows both that the order shipped and whether the
 * message was already requested (st->logistics_sent): that flag, written
 * in the same transaction as the notification request, is what makes the
 * message "one" across replays and repeated SHIPPED events (the notifier's
 * idempotency key, NT-1, covers the rest). The courier's display name
 * comes from the shop's courier table, falling back to the code the
 * platform sent; the shipment's courier wins over the one chosen at order
 * time because it is what actually carries the parcel. A shipment without
 * a tracking number has nothing to tell, so no message. It is a service
 * message (NT-2 quiet hours of the service class apply) on the shop's
 * preferred channel. The caller sets st->logistics_sent once it has
 * queued the note. */
#include "ov_rules.h"

#include <string.h>

/* NT-6 */
bool nt6_logistics_message(const Cs__V1__OrderState *st, const cs_shop *shop, ov_note *note) {
    ov_note_init(note, NULL, NULL, 0, 0);
    if (st->logistics_sent || st->shipped_ms == 0 || !st->shipment) return false;
    const Cs__V1__Shipment *s = st->shipment;
    if (ov_blank(s->tracking_no)) return false;

    const char *code = !ov_blank(s->courier)                        ? s->courier
                       : st->order && !ov_blank(st->order->courier) ? st->order->courier
                                                                    : "";
    const char *name = code;
    for (int i = 0; shop && i < shop->ncouriers; i++)
        if (shop->couriers[i].code && strcmp(shop->couriers[i].code, code) == 0 && !ov_blank(shop->couriers[i].name))
            name = shop->couriers[i].name;

    ov_note_init(note, "NT-6", "logistics_shipped", ov_shop_channel(shop),
                 CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE);
    ov_note_param(note, "courier", "%s", name);
    ov_note_param(note, "tracking_no", "%s", s->tracking_no);
    return true;
}
