/* rv_common.c -- helpers the review-scheduler's rule files share: the
 * decision's reset, the case a review opens, applying a decision's state
 * changes to a case, the case's local days, and names.
 *
 * Handbook: none of its own; it serves RV-1..RV-6.
 *
 * Why it is built this way: every day of a case is counted from one
 * local date, day1, fixed when the case opens from the review's posting
 * time (not from when the event was processed), so a review posted at
 * 23:59 and consumed after midnight still has its day 2 tomorrow, not the
 * day after. rv_case_apply() is the one place that turns a decision into
 * the stored case, so the tests replay a case's life exactly as the
 * worker will store it. */
#include "rv_rules.h"

#include <string.h>

void rv_decision_init(rv_decision *d) {
    memset(d, 0, sizeof *d);
    cs_fx_init(&d->fx);
}

const char *rv_str(const char *s) { return s ? s : ""; }

void rv_case_from_review(const Cs__V1__Review *r, const cs_shop *shop, int64_t now_ms, rv_case *c) {
    memset(c, 0, sizeof *c);
    c->exists = true;
    c->review_id = r->review_id;
    c->order_id = r->order_id;
    c->buyer_id = r->buyer_id;
    c->buyer_phone = r->buyer_phone;
    c->sku = r->sku;
    c->rating = r->rating;
    c->dislike = r->dislike;
    c->posted_ms = r->posted_ms > 0 ? r->posted_ms : now_ms;
    c->day1 = cs_tz_day(shop->tz, c->posted_ms);
    c->item_price_fen = r->item_price_fen;
    c->state = RV_STATE_OPEN;
}

void rv_case_phone_fallback(rv_case *c, const rv_buyer *buyer) {
    if ((!c->buyer_phone || !c->buyer_phone[0]) && buyer && buyer->order_phone && buyer->order_phone[0])
        c->buyer_phone = buyer->order_phone;
}

void rv_case_apply(rv_case *c, const rv_decision *d, int64_t now_ms) {
    c->calls += d->add_calls;
    c->ims += d->add_ims;
    if (d->contact_day > c->last_contact_day) c->last_contact_day = d->contact_day;
    c->sms_days |= d->sms_days;
    if (d->opted_out) c->opted_out = true;
    if (d->difficult) c->difficult = true;
    if (d->dislike) c->dislike = d->dislike;
    if (d->state != RV_STATE_NONE && d->state != c->state) {
        c->state = d->state;
        c->closed_ms = d->state == RV_STATE_OPEN ? 0 : now_ms;
    }
}

int rv_day_number(const rv_case *c, const cs_shop *shop, int64_t ms) {
    return (int)(cs_tz_day(shop->tz, ms) - c->day1) + 1;
}

int64_t rv_day_end_ms(const rv_case *c, const cs_shop *shop, int n) { return cs_tz_instant(shop->tz, c->day1 + n, 0); }

const char *rv_state_name(rv_state s) {
    switch (s) {
        case RV_STATE_OPEN: return "open";
        case RV_STATE_REVISED: return "revised";
        case RV_STATE_REFUSED: return "refused";
        case RV_STATE_NO_ANSWER: return "no_answer";
        case RV_STATE_CLOSED: return "closed";
        default: return "none";
    }
}

const char *rv_dislike_name(Cs__V1__DislikeKind k) {
    switch (k) {
        case CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT: return "product";
        case CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE: return "service";
        default: return "unspecified";
    }
}

const char *rv_rating_name(Cs__V1__ReviewRating r) {
    switch (r) {
        case CS__V1__REVIEW_RATING__REVIEW_RATING_POSITIVE: return "positive";
        case CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL: return "neutral";
        case CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE: return "negative";
        default: return "unspecified";
    }
}
