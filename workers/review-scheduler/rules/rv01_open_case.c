/* rv01_open_case.c -- RV-1: a neutral or negative review opens a follow-up
 * case recording what the buyer disliked (product or service), for the
 * weekly report.
 *
 * Handbook: 000 §3 #5 ("每天回评和处理当天或之前的中差评 ... 客服主管要做好回评
 * 登记工作:主要是客户对哪些产品不满等祥细说明,以便于后期对产品或服务的提高上
 * 做参考").
 *
 * Why it is built this way: a review can be delivered twice (Kafka
 * replays, the platform's retries), so "one case per review" is decided
 * by the case existing under the review id, which the worker looks up
 * under the case's lock: the second delivery finds it and opens nothing.
 * A revision event is never an opening: it concerns a case that exists
 * (RV-5), and a revision whose original is unknown opens nothing. The
 * dislike is recorded as the event gives it (unspecified when the
 * platform did not say), and counted so in the report rather than
 * guessed. */
#include "rv_rules.h"

static bool followedUp(Cs__V1__ReviewRating r) {
    return r == CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL || r == CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE;
}

/* RV-1 */
bool rv1_opens_case(const Cs__V1__Review *r, const rv_case *existing) {
    if (!r || r->revision || !followedUp(r->rating)) return false;
    return !(existing && existing->exists);
}

/* RV-1 */
bool rv1_open_case(const Cs__V1__Review *r, const rv_case *existing, rv_decision *d) {
    if (!rv1_opens_case(r, existing)) return false;
    d->open = true;
    d->rule = "RV-1";
    return true;
}

/* RV-1 */
bool rv1_record_dislike(const rv_case *c, Cs__V1__DislikeKind dislike, rv_decision *d) {
    if (!c->exists || dislike == CS__V1__DISLIKE_KIND__DISLIKE_KIND_UNSPECIFIED || dislike == c->dislike) return false;
    if (dislike != CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT && dislike != CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE)
        return false; /* a value this version does not know */
    d->dislike = dislike;
    if (!d->rule) d->rule = "RV-1";
    return true;
}
