/* rv05_cancel.c -- RV-5: a revision of the review, an opt-out, or the case
 * being closed cancels every pending follow-up at once. Never more than
 * one follow-up SMS per case per day (checked where the SMS is decided,
 * rv4_on_timer).
 *
 * Handbook: 000 6月第一周 #5 (follow up by SMS only while the review is
 * not yet revised: "当晚没有改的,第二天客服继续跟进").
 *
 * Why it is built this way: the follow-ups were requested when the case
 * opened and wait in the notifier until their send time (rv04), so
 * "every pending follow-up at once" is the notifier's to carry out:
 * cs_fx_cancel_follow_ups() asks it to cancel every follow-up of the case
 * it still holds (recorded `cancelled` with the reason), on the case's
 * own partition after the requests. The notifier also reads the case's
 * stage whenever it decides a follow-up, so one released before the
 * cancel reached it is dropped all the same; and the cancel-all of the
 * case's timers, cs_fx_cancel(fx, NULL, NULL), stops whatever timer the
 * case has, whatever its kind. An opt-out is NT-4's reply (T, TD,
 * 退订, recognised by the notifier's own nt4_is_opt_out, so the two
 * workers can never disagree about what an opt-out is) from the case's
 * number, compared in the notifier's canonical form (nt_number_canon:
 * "+86 138-0013-8000" is 13800138000). An opted-out case stays open for
 * its outcome, so after the cancel-all the no-answer timer (RV-6, not a
 * follow-up) is armed again; the applier runs cancels before arms. */
#include "rv_rules.h"

#include <string.h>

#include "nt_rules.h"

/* RV-5 */
bool rv5_is_opt_out_from(const Cs__V1__InboundSms *sms, const rv_case *c) {
    if (!sms || !c || !c->exists || !nt4_is_opt_out(sms->text)) return false;
    char from[64], ours[64];
    if (nt_number_canon(sms->from_phone, from, sizeof from) != 0) return false;
    if (nt_number_canon(c->buyer_phone, ours, sizeof ours) != 0) return false;
    return strcmp(from, ours) == 0;
}

/* RV-5 */
bool rv5_opt_out(const Cs__V1__InboundSms *sms, const rv_case *c, const cs_shop *shop, int64_t now_ms, rv_decision *d) {
    if (!rv5_is_opt_out_from(sms, c) || c->opted_out || c->state != RV_STATE_OPEN) return false;
    d->opted_out = true;
    cs_fx_cancel(&d->fx, NULL, NULL);
    cs_fx_cancel_follow_ups(&d->fx, "opted_out");
    int last = rv4_last_sms_day(c);
    int64_t end = rv_day_end_ms(c, shop, last > 0 ? last : 1);
    cs_fx_timer(&d->fx, RV_TIMER_NO_ANSWER, NULL, end > now_ms ? end : now_ms);
    d->rule = "RV-5";
    return true;
}

/* RV-5 */
bool rv5_revision(const Cs__V1__Review *r, const rv_case *c, rv_decision *d) {
    if (!r || !r->revision || !c || !c->exists || c->state == RV_STATE_REVISED) return false;
    d->state = RV_STATE_REVISED;
    cs_fx_cancel(&d->fx, NULL, NULL);
    cs_fx_cancel_follow_ups(&d->fx, "revised");
    d->rule = "RV-5";
    return true;
}

/* RV-5 */
bool rv5_close(const rv_case *c, rv_state outcome, rv_decision *d) {
    if (!c || !c->exists || c->state != RV_STATE_OPEN) return false;
    if (outcome != RV_STATE_REFUSED && outcome != RV_STATE_NO_ANSWER && outcome != RV_STATE_CLOSED) return false;
    d->state = outcome;
    cs_fx_cancel(&d->fx, NULL, NULL);
    cs_fx_cancel_follow_ups(&d->fx, rv_state_name(outcome));
    d->rule = "RV-5";
    return true;
}
