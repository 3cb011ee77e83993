/* rv04_followup_sms.c -- RV-4: a review still not revised after the day-1
 * contact: a negative review gets one SMS on day 2 and one on day 3, a
 * neutral review one on day 2, sent at the shop's send time (10:00),
 * asking the buyer to come online. Day 1 is the date the review was
 * posted.
 *
 * Handbook: 000 6月第一周 #5 ("当晚没有改的,第二天客服继续跟进,以发短信的方式联系
 * 督促客户尽快上线修改") and #6 ("如还不答应修改的,当天打过电话后,第二天,第三天
 * 每天一个短信发给客户,尽量让他上线和我们联系").
 *
 * Why it is built this way: every follow-up SMS of the case is requested
 * when the case opens, each held by the notifier until its send time
 * (not_before_ms: follow_up_send_min local on day N, where day 1 is the
 * local date of the posting) and expiring at the end of day N. The
 * notifier then releases them on its own timers, so the day-2 wave of a
 * promotion is the notifier sending what it holds, without a hop through
 * this worker per SMS (docs/performance.md, "the review wave"). Whether an
 * SMS may still go is decided when it is released, by the notifier, from
 * what holds then: the case's stage (a revision or an outcome cancels it,
 * RV-5), its expiry (never late: day N's SMS belongs to day N), the
 * buyer's opt-out (NT-4), quiet hours (NT-2) and the daily cap (NT-3).
 * And RV-5's "at once": a revision, opt-out or closing also asks the
 * notifier to cancel what it holds of the case (rv05_cancel.c). The
 * instants are local wall times (cs_tz_instant), so a shop in a zone with
 * daylight saving gets 10:00 on both sides of the change. One request per
 * day and case, with an id derived from the review event, is RV-5's "one
 * follow-up SMS per case per local day"; the case records the days asked
 * for (sms_days). A day already over when the case opens is not asked for;
 * day N's send time already past (a review consumed late) sends at once.
 * The no-answer timer of RV-6 is armed here too, at the end of the last
 * SMS day, since it closes the same schedule. A case opened by the
 * version that armed one timer per SMS day instead still has those
 * timers; when one fires, that day's follow-up is requested then
 * (rv4_on_legacy_timer), so an upgrade in the middle of a promotion drops
 * no follow-up and, with sms_days, requests none twice. */
#include "rv_rules.h"

#include <string.h>

/* RV-4 */
int rv4_last_sms_day(const rv_case *c) {
    if (c->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE) return RV4_NEGATIVE_LAST_SMS_DAY;
    if (c->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL) return RV4_NEUTRAL_LAST_SMS_DAY;
    return 0;
}

/* RV-4 */
int64_t rv4_send_ms(const rv_case *c, const cs_shop *shop, int n) {
    return cs_tz_instant(shop->tz, c->day1 + n - 1, shop->th.follow_up_send_min);
}

static bool smsOnDay(const rv_case *c, int n) { return n >= 1 && n <= 32 && ((c->sms_days >> (n - 1)) & 1u); }

/* RV-4 */
bool rv4_followup(const rv_case *c, const cs_shop *shop, int n, int64_t now_ms, rv_decision *d) {
    if (!c || n < RV4_FIRST_SMS_DAY || n > rv4_last_sms_day(c) || n > 32) return false;
    if (c->state != RV_STATE_OPEN || c->opted_out) return false; /* RV-5 */
    if (now_ms >= rv_day_end_ms(c, shop, n)) return false;       /* day N is over */
    if (smsOnDay(c, n) || (d->sms_days >> (n - 1)) & 1u) return false; /* RV-5: one a day */
    if (!c->buyer_phone || !c->buyer_phone[0]) return false;
    cs_note *note =
        cs_fx_note(&d->fx, "RV-4", RV_TPL_FOLLOW_UP, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS, CS_TO_PHONE);
    if (!note) return false;
    note->klass = CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_FOLLOW_UP;
    note->not_before_ms = rv4_send_ms(c, shop, n);
    note->expires_ms = rv_day_end_ms(c, shop, n);
    note->about_case = true;
    cs_fx_note_param(note, "order_id", "%s", rv_str(c->order_id));
    d->sms_days |= 1u << (n - 1);
    return true;
}

/* RV-4 */
bool rv4_on_legacy_timer(const char *kind, const rv_case *c, const cs_shop *shop, int64_t now_ms, rv_decision *d) {
    int n = !kind                                         ? 0
            : strcmp(kind, RV_TIMER_LEGACY_SMS_DAY2) == 0 ? 2
            : strcmp(kind, RV_TIMER_LEGACY_SMS_DAY3) == 0 ? 3
                                                          : 0;
    if (!n || !c || !c->exists || !rv4_followup(c, shop, n, now_ms, d)) return false;
    d->rule = "RV-4";
    return true;
}

/* RV-4 */
void rv4_schedule(const rv_case *c, const cs_shop *shop, int64_t now_ms, rv_decision *d) {
    int last = rv4_last_sms_day(c);
    for (int n = RV4_FIRST_SMS_DAY; n <= last; n++) rv4_followup(c, shop, n, now_ms, d);
    if (last > 0) cs_fx_timer(&d->fx, RV_TIMER_NO_ANSWER, NULL, rv_day_end_ms(c, shop, last));
}
