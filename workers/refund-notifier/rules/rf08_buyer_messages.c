/* rf08_buyer_messages.c -- RF-8: the buyer is told (IM, SMS as fallback)
 * on agreement, on return receipt and on refund, naming the agent who
 * owns the case.
 *
 * Handbook: 000 6.8周会 #3 ("同意退款、收到退货、退款完成都要告知买家, 并留下
 * 客服名字").
 *
 * Why it is built this way: the channel is chosen once, here, as EX-4
 * does, so the notifier never sends one notice by two routes: IM to the
 * buyer's platform handle (every Taobao and Tmall buyer has one), SMS to
 * the receiver's phone when the shop prefers SMS (msg_pref) or the buyer
 * has no IM (an own-site order); a shop preferring SMS for a buyer with
 * no phone still reaches them by IM. With neither, no message. An IM
 * notice carries the phone (when there is one) as its fallback: the
 * notifier sends it by SMS if the IM provider refuses it for good (a 4xx:
 * no such handle, blocked), as a message of its own. The
 * templates (refund_agreed, return_received, refund_done) take the order,
 * the amount in yuan where the stage has one, and the owner's name
 * (RF_NO_AGENT before an owner is known); they are service-class, so
 * quiet hours and the daily cap apply but an opt-out does not (NT-2..4). */
#include "rf_rules.h"

#include "cs/util.h"

#include "cs/text.h"

/* RF-8 */
cs_note *rf8_buyer_message(const rf_case *c, const rf_order *o, const cs_shop *shop, const char *rule,
                           const char *template_id, int64_t amount_fen, rf_decision *d) {
    bool platform = cs_order_channel(o, shop) != CS__V1__CHANNEL__CHANNEL_OWN_SITE;
    bool has_im = o->buyer_id && o->buyer_id[0] && platform;
    bool has_phone = o->phone && o->phone[0];
    bool sms = shop->msg_pref == CS_MSG_PREF_SMS || !has_im;
    if (sms && !has_phone) {
        if (!has_im) return NULL;
        sms = false;
    }
    cs_note *n =
        cs_fx_note(&d->fx, rule, template_id,
                   sms ? CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS : CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM,
                   sms ? CS_TO_PHONE : CS_TO_IM);
    if (!n) return NULL;
    n->sms_fallback = !sms && has_phone;
    const char *order_id = c->order_id && c->order_id[0] ? c->order_id : cs_str(o->order_id);
    cs_fx_note_param(n, "order_id", "%s", order_id);
    cs_fx_note_param(n, "agent", "%s", rf_agent_name(c));
    if (amount_fen >= 0) {
        char yuan[24];
        cs_fen_format(amount_fen, yuan, sizeof yuan);
        cs_fx_note_param(n, "amount", "%s", yuan);
    }
    return n;
}
