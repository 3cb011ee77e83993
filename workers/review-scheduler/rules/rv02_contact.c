/* rv02_contact.c -- RV-2: on day 1, a buyer who is online is contacted by
 * IM, otherwise by a phone call. Caps: a neutral review at most 2 calls; a
 * negative review at most 3 contacts; the aim is one call.
 *
 * Handbook: 000 §3 #5 ("中评电话不超过两个,差评尽可能不超过三次,也就是说,尽可能
 * 的一通电话搞定中差评") and 000 6月第一周 #5 ("中评,客户在线的,可在线联系,不在线
 * 的打电话和客户沟通").
 *
 * Why it is built this way: a contact is an agent task (a call task, or an
 * IM task for an agent to chat with the buyer while he is online: a
 * template message cannot negotiate RV-3's remedy), and it counts against
 * the cap when the task is made, so the cap can never be passed, whatever
 * the agents do with their tasks. The caps are the shop's
 * neutral_max_calls (calls only: IM is free and the handbook caps the
 * calls) and negative_max_contacts (calls and IMs together). A further
 * contact is made only when something asks for one: the buyer coming
 * online on a day without a contact yet, or a day-1 call that did not
 * reach him (one retry per unreachable call, within the cap). Days 2 and
 * 3 belong to RV-4's SMS, whose purpose is to bring the buyer online, and
 * his coming online is what makes the next IM task. An opted-out buyer
 * (RV-5) is left alone. A call refused by the buyer is an outcome (RV-6)
 * and ends the follow-ups (RV-5). */
#include "rv_rules.h"

#include <stdio.h>

#include "cs/text.h"

static bool isNeutral(const rv_case *c) { return c->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL; }
static bool isNegative(const rv_case *c) { return c->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE; }

/* RV-2 */
bool rv2_contact_allowed(const rv_case *c, const cs_shop *shop, rv_contact kind) {
    if (!c || !c->exists || c->state != RV_STATE_OPEN || c->opted_out) return false;
    if (isNeutral(c)) return kind == RV_CONTACT_IM || c->calls < shop->th.neutral_max_calls;
    if (isNegative(c)) return c->calls + c->ims < shop->th.negative_max_contacts;
    return false;
}

/* One contact task, counted in d. */
static bool contact(const rv_case *c, rv_contact kind, const cs_shop *shop, int64_t now_ms, rv_decision *d) {
    if (!rv2_contact_allowed(c, shop, kind)) return false;
    char price[24], count[64];
    cs_fen_format(c->item_price_fen, price, sizeof price);
    if (isNeutral(c) && kind == RV_CONTACT_CALL)
        snprintf(count, sizeof count, "call %d of at most %d", c->calls + 1, shop->th.neutral_max_calls);
    else if (isNeutral(c))
        snprintf(count, sizeof count, "IM contact %d", c->ims + 1);
    else
        snprintf(count, sizeof count, "contact %d of at most %d", c->calls + c->ims + 1,
                 shop->th.negative_max_contacts);
    const char *remedy = rv3_remedy_text(rv3_remedy(c, shop));
    cs_task *t;
    if (kind == RV_CONTACT_CALL)
        t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_CALL, "RV-2", false,
                       "order %s: %s review %s (disliked: %s): call the buyer (%s)%s; "
                       "RV-3: %s (item %s CNY), and ask for a revision",
                       rv_str(c->order_id), rv_rating_name(c->rating), rv_str(c->review_id),
                       rv_dislike_name(c->dislike), count, c->difficult ? ", difficult buyer" : "", remedy, price);
    else
        t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "RV-2", true,
                       "order %s: %s review %s (disliked: %s): the buyer is online, contact by IM now "
                       "(%s)%s; RV-3: %s (item %s CNY), and ask for a revision",
                       rv_str(c->order_id), rv_rating_name(c->rating), rv_str(c->review_id),
                       rv_dislike_name(c->dislike), count, c->difficult ? ", difficult buyer" : "", remedy, price);
    if (!t) return false;
    t->due_ms = cs_tz_instant(shop->tz, cs_tz_day(shop->tz, now_ms) + 1, 0);
    if (kind == RV_CONTACT_CALL)
        d->add_calls++;
    else
        d->add_ims++;
    d->contact_day = rv_day_number(c, shop, now_ms);
    d->rule = "RV-2";
    return true;
}

/* RV-2 */
bool rv2_day1_contact(const rv_case *c, bool buyer_online, const cs_shop *shop, int64_t now_ms, rv_decision *d) {
    if (!c || !c->exists || c->calls + c->ims > 0) return false;
    return contact(c, buyer_online ? RV_CONTACT_IM : RV_CONTACT_CALL, shop, now_ms, d);
}

/* RV-2 */
bool rv2_on_presence(const Cs__V1__Presence *p, const rv_case *c, const cs_shop *shop, int64_t now_ms, rv_decision *d) {
    if (!p || !p->online || !c || !c->exists) return false;
    if (c->last_contact_day >= rv_day_number(c, shop, now_ms)) return false; /* one a day */
    return contact(c, RV_CONTACT_IM, shop, now_ms, d);
}

/* RV-2 */
bool rv2_on_call_result(const Cs__V1__CallResult *call, const rv_case *c, const cs_shop *shop, int64_t now_ms,
                        rv_decision *d) {
    if (!call || !c || !c->exists || c->state != RV_STATE_OPEN) return false;
    switch (call->outcome) {
        case CS__V1__CALL_OUTCOME__CALL_OUTCOME_REFUSED: return rv5_close(c, RV_STATE_REFUSED, d);
        case CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE:
            if (rv_day_number(c, shop, now_ms) != 1) return false; /* days 2, 3: RV-4's SMS */
            return contact(c, RV_CONTACT_CALL, shop, now_ms, d);
        default: return false;
    }
}
