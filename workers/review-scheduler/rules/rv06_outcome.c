/* rv06_outcome.c -- RV-6: the outcome of a follow-up case (revised,
 * refused, no answer) is recorded and reported weekly with the reasons of
 * RV-1 (what the buyer disliked).
 *
 * Handbook: 000 §3 #5 ("客服主管要做好回评登记工作:主要是客户对哪些产品不满等祥
 * 细说明,以便于后期对产品或服务的提高上做参考,回评记录工作要落实") and 000 末 #1
 * (results counted every Saturday).
 *
 * Why it is built this way: "revised" comes from the review's revision and
 * "refused" from a call or an agent (RV-5 records both when it cancels);
 * "no answer" needs no one to say it: the case's schedule ends with a
 * timer at the end of its last follow-up day (rv4_schedule), and an open
 * case still unanswered then is closed as no answer, so every case ends
 * with an outcome and the report has no silent remainder. The report is
 * a pure fold over closed cases: the worker reads the week's closed cases
 * and this counts them by outcome, by dislike and by both; the week is 7
 * local dates from Sunday to Saturday in the shop's zone, so a Saturday's
 * report covers the week it ends. */
#include "rv_rules.h"

#include <string.h>

/* RV-6 */
bool rv6_on_no_answer_timer(const rv_case *c, const cs_shop *shop, int64_t now_ms, rv_decision *d) {
    if (!c || !c->exists || c->state != RV_STATE_OPEN) return false;
    int last = rv4_last_sms_day(c);
    if (now_ms < rv_day_end_ms(c, shop, last > 0 ? last : 1)) return false;
    if (!rv5_close(c, RV_STATE_NO_ANSWER, d)) return false;
    /* the last follow-up expired at this very instant: nothing of the
     * case is left in the notifier to cancel, and a cancel per case at
     * midnight would be a wave of its own */
    d->fx.followup_cancel = NULL;
    d->rule = "RV-6";
    return true;
}

/* RV-6 */
cs_day rv6_week_start(const cs_shop *shop, int64_t ms) {
    cs_day day = cs_tz_day(shop->tz, ms);
    return day - cs_day_weekday(day);
}

/* RV-6 */
int rv6_weekly_report(const rv_case *cases, size_t n, const cs_shop *shop, cs_day week_start, rv_week_report *out) {
    memset(out, 0, sizeof *out);
    out->week_start = week_start;
    for (size_t i = 0; i < n; i++) {
        const rv_case *c = &cases[i];
        if (!c->exists || c->state == RV_STATE_OPEN || c->state == RV_STATE_NONE || c->closed_ms <= 0) continue;
        if ((int)c->state < 0 || (int)c->state >= RV_NSTATES) continue;
        cs_day day = cs_tz_day(shop->tz, c->closed_ms);
        if (day < week_start || day >= week_start + 7) continue;
        int k = (int)c->dislike >= 0 && (int)c->dislike < 3 ? (int)c->dislike : 0;
        out->closed++;
        out->by_outcome[c->state]++;
        out->by_dislike[k]++;
        out->by_outcome_dislike[c->state][k]++;
        if (c->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL) {
            out->neutral++;
            out->by_outcome_rating[c->state][0]++;
        } else if (c->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE) {
            out->negative++;
            out->by_outcome_rating[c->state][1]++;
        }
    }
    return out->closed;
}
