/* rv_plan.c -- what a review event decides: a revision is RV-5's; a new
 * neutral or negative review opens its case (RV-1), gets its day-1
 * contact (RV-2, with RV-3's remedy) and its follow-up schedule (RV-4,
 * with RV-6's no-answer timer).
 *
 * Handbook: 000 §3 #5 and 000 6月第一周 #5, #6 (the review follow-up, day
 * by day).
 *
 * Why it is built this way: the case a review opens does not exist yet
 * when the contact and the timers are decided, so they are decided on the
 * case as rv_case_from_review() will store it (day 1 from the posting);
 * the worker stores that case when d->open is set, then applies the
 * effects with the case id as their subject, in one transaction. */
#include "rv_rules.h"

bool rv_on_review_for(const Cs__V1__Review *r, const rv_case *existing, const rv_buyer *buyer, const cs_shop *shop,
                      int64_t now_ms, rv_decision *d) {
    if (!r) return false;
    if (r->revision) return rv5_revision(r, existing, d);
    if (!rv1_open_case(r, existing, d)) return false;
    rv_case c;
    rv_case_from_review(r, shop, now_ms, &c);
    rv_case_phone_fallback(&c, buyer);
    c.difficult = d->difficult = buyer && buyer->difficult;
    c.opted_out = d->opted_out = buyer && buyer->opted_out;
    rv2_day1_contact(&c, buyer && buyer->online, shop, now_ms, d);
    rv4_schedule(&c, shop, now_ms, d);
    d->rule = "RV-1";
    return true;
}

bool rv_on_review(const Cs__V1__Review *r, const rv_case *existing, bool buyer_online, const cs_shop *shop,
                  int64_t now_ms, rv_decision *d) {
    rv_buyer b = {.online = buyer_online};
    return rv_on_review_for(r, existing, &b, shop, now_ms, d);
}
