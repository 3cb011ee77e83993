/* ex10_delivery_chaser.c -- EX-10: a buyer chasing delivery (催货) is
 * always reported to the supervisor (a task); urgent when the order is past
 * its promised ship date (the presale date, else payment + 48 h).
 *
 * Handbook: 002 日常工作流程 5 and 004 (催货 during promotions).
 *
 * Why it is built this way: a presale date is a calendar date promised to
 * the buyer, so it is kept until the end of its local date (the order is
 * late from the next local midnight on); the default promise is elapsed
 * time, the payment instant plus chaser_default_ship_h (48), and "past"
 * means strictly after it. A cash-on-delivery order counts from when it
 * was placed. An order already shipped is no longer late to ship: the
 * chaser still goes to the supervisor, not urgent. An order that is
 * neither paid nor COD has no promise: reported, not urgent. */
#include "ex_rules.h"

#include "cs/tz.h"

/* EX-10 */
int64_t ex10_promised_ship_ms(const ex_order *o, const cs_shop *shop) {
    if (o->presale_ship_ms > 0) return ex_end_of_day_ms(shop, o->presale_ship_ms);
    int64_t committed = cs_order_committed_ms(o);
    if (committed == 0) return 0;
    return committed + (int64_t)shop->th.chaser_default_ship_h * 3600 * 1000;
}

/* EX-10 */
bool ex10_delivery_chaser(const Cs__V1__DeliveryChaser *c, const ex_order *o, const cs_shop *shop, int64_t now_ms,
                          ex_decision *d) {
    int64_t promised = ex10_promised_ship_ms(o, shop);
    /* the presale promise ends at a local midnight: reaching it is past */
    bool past =
        promised != 0 && o->shipped_ms == 0 && (o->presale_ship_ms > 0 ? now_ms >= promised : now_ms > promised);
    char when[16] = "none";
    if (promised) ex_local_date(shop, o->presale_ship_ms > 0 ? o->presale_ship_ms : promised, when, sizeof when);
    const char *order = c->order_id && c->order_id[0] ? c->order_id : ex_str(o->order_id);
    cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_DELIVERY_CHASER, "EX-10", past,
                            "buyer chasing delivery of order %s%s (promised ship date %s%s)%s%s", order,
                            o->shipped_ms ? ", already shipped" : "", when, past ? ", now past" : "",
                            c->text && c->text[0] ? ": " : "", ex_str(c->text));
    if (t) t->assignee = CS_FX_SUPERVISOR;
    return true;
}
