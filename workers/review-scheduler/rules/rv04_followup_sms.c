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
 * Why it is built this way: the SMS are durable timers armed when the
 * case opens, one per day ("rv4.sms.d2", "rv4.sms.d3" on the case), due
 * at follow_up_send_min local time on day N of the case, where day 1 is
 * the local date of the posting: a review posted at 23:59 has its day 2
 * one minute later, and one consumed after midnight still counts from the
 * posting. The instants are local wall times (cs_tz_instant), so a shop
 * in a zone with daylight saving gets 10:00 on both sides of the change.
 * A timer only says "look now": when it fires, rv4_on_timer() decides
 * again from the stored case, so a timer that fires twice, late, or after
 * the case was revised, opted out or closed sends nothing wrong. A firing
 * on another date than its day (a backlog past midnight) sends nothing:
 * day N's SMS belongs to day N. The request is follow-up class (the
 * notifier's quiet hours, daily cap and opt-outs apply, NT-2..4), names
 * the case and expires at the end of day N, so the notifier never sends
 * it late even when it held it. RV-5's "one follow-up SMS per case per
 * local day" is checked against the case's record of the days an SMS was
 * requested (sms_days). The no-answer timer of RV-6 is armed here too, at
 * the end of the last SMS day, since it closes the same schedule. */
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

static const char *const smsKinds[] = {NULL, NULL, RV_TIMER_SMS_DAY2, RV_TIMER_SMS_DAY3};
#define NKINDS ((int)(sizeof smsKinds / sizeof smsKinds[0]))

/* RV-4 */
const char *rv4_timer_kind(int n) { return n >= 0 && n < NKINDS ? smsKinds[n] : NULL; }

/* RV-4 */
int rv4_timer_day(const char *kind) {
    if (!kind) return 0;
    for (int n = 0; n < NKINDS; n++)
        if (smsKinds[n] && strcmp(smsKinds[n], kind) == 0) return n;
    return 0;
}

/* RV-4 */
void rv4_schedule(const rv_case *c, const cs_shop *shop, int64_t now_ms, rv_decision *d) {
    int last = rv4_last_sms_day(c);
    for (int n = RV4_FIRST_SMS_DAY; n <= last; n++) {
        const char *kind = rv4_timer_kind(n);
        if (kind && now_ms < rv_day_end_ms(c, shop, n)) cs_fx_timer(&d->fx, kind, NULL, rv4_send_ms(c, shop, n));
    }
    if (last > 0) cs_fx_timer(&d->fx, RV_TIMER_NO_ANSWER, NULL, rv_day_end_ms(c, shop, last));
}

static bool smsOnDay(const rv_case *c, int n) { return n >= 1 && n <= 32 && ((c->sms_days >> (n - 1)) & 1u); }

/* RV-4 */
bool rv4_on_timer(const char *kind, const rv_case *c, const cs_shop *shop, int64_t now_ms, rv_decision *d) {
    int n = rv4_timer_day(kind);
    if (n < RV4_FIRST_SMS_DAY || !c || !c->exists) return false;
    if (c->state != RV_STATE_OPEN || c->opted_out) return false; /* RV-5 */
    if (n > rv4_last_sms_day(c)) return false;                   /* neutral: no day 3 */
    if (rv_day_number(c, shop, now_ms) != n || now_ms < rv4_send_ms(c, shop, n)) return false;
    if (smsOnDay(c, n)) return false; /* RV-5: one a day */
    if (!c->buyer_phone || !c->buyer_phone[0]) return false;
    cs_note *note =
        cs_fx_note(&d->fx, "RV-4", RV_TPL_FOLLOW_UP, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS, CS_TO_PHONE);
    if (!note) return false;
    note->klass = CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_FOLLOW_UP;
    note->expires_ms = rv_day_end_ms(c, shop, n);
    note->about_case = true;
    cs_fx_note_param(note, "order_id", "%s", rv_str(c->order_id));
    d->sms_day = n;
    d->rule = "RV-4";
    return true;
}
