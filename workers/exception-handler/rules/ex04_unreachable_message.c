/* ex04_unreachable_message.c -- EX-4: a call that could not reach the
 * buyer is followed by exactly one written message: IM by default, SMS
 * where the shop prefers SMS for cost or the buyer has no IM. One message,
 * not both.
 *
 * Handbook: 000 §2 #7.3 ("如果电话打不通的,都必须旺旺留言或短信通知,部分订单为了
 * 节约成本可多用短信通知的方式").
 *
 * Why it is built this way: the channel is chosen once, here, so the
 * notifier never sends the same notice twice by two routes. On Taobao and
 * Tmall every buyer has the platform's IM (旺旺: the buyer id is the
 * handle); an own-site buyer has IM only when the call result says so
 * (CallResult.buyer_has_im). "One" is per exception: an agent who tries
 * three times and fails three times does not make three messages, so the
 * worker records written_sent on the exception in the same transaction.
 * SMS needs a phone number and IM a buyer id; with neither, nothing is
 * sent (the exception stays open and EX-6 moves it on). */
#include "ex_rules.h"

/* EX-4 */
bool ex4_unreachable_message(const Cs__V1__CallResult *call, const ex_order *o, const ex_exception *x,
                             const cs_shop *shop, ex_decision *d) {
    if (call->outcome != CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE) return false;
    if (!x->exists || !x->open || x->written_sent) return false;
    bool platform = cs_order_channel(o, shop) != CS__V1__CHANNEL__CHANNEL_OWN_SITE;
    bool has_im = o->buyer_id && (platform || call->buyer_has_im);
    bool sms = shop->msg_pref == CS_MSG_PREF_SMS || !has_im;
    if (sms && !o->phone) {
        if (!has_im) return false;
        sms = false; /* the shop prefers SMS but there is no number: IM still reaches */
    }
    cs_note *n =
        cs_fx_note(&d->fx, "EX-4", EX_TPL_UNREACHABLE,
                   sms ? CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS : CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM,
                   sms ? CS_TO_PHONE : CS_TO_IM);
    cs_fx_note_param(n, "order_id", "%s", ex_str(o->order_id));
    d->written_sent = true;
    return true;
}
