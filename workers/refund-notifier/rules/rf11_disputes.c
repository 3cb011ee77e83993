/* rf11_disputes.c -- RF-11: a platform intervention opens a dispute with
 * a 3-day evidence deadline; more than 5 disputes in a month bar the
 * shop from campaigns: alert at 4.
 *
 * Handbook: 003 淘宝客服介入 ("淘宝介入后三天内提交凭证; 一个月内纠纷超过5笔将
 * 无法参加活动").
 *
 * Why it is built this way: the evidence deadline is "within 3 days",
 * 3 x 24 h from the intervention (RULES.md preamble): on entering
 * PLATFORM_INTERVENED the owner gets a task due then and the case a timer
 * (rf11.evidence, armed and fired through rf_case.c and rf_on_timer()),
 * cancelled when the platform rules and the case moves on. The month is
 * the local calendar month in the shop's zone: the worker counts the
 * shop's disputes since rf11_month_start_ms() (this one included) and
 * hands the count to rf11_dispute_month(), which raises the alert exactly
 * at dispute_alert_at (the 4th, once: the 5th does not repeat it) and the
 * bar exactly past dispute_month_limit (the 6th), each as a supervisor
 * task; the flags are for the metric and the daily report. */
#include "rf_rules.h"

#include "cs/tz.h"

/* RF-11 */
int64_t rf11_month_start_ms(const cs_shop *shop, int64_t now_ms) {
    int y, m, dd;
    cs_day_to_ymd(cs_tz_day(shop->tz, now_ms), &y, &m, &dd);
    return cs_tz_instant(shop->tz, cs_day_from_ymd(y, m, 1), 0);
}

/* RF-11 */
bool rf11_dispute_month(int n, const cs_shop *shop, int64_t now_ms, rf_decision *d) {
    int y, m, dd;
    cs_day_to_ymd(cs_tz_day(shop->tz, now_ms), &y, &m, &dd);
    if (n == shop->th.dispute_alert_at) {
        cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_ESCALATION, "RF-11", true,
                                "%d disputes this month (%04d-%02d): more than %d bars the shop from campaigns", n, y,
                                m, shop->th.dispute_month_limit);
        if (t) t->assignee = CS_FX_SUPERVISOR;
        d->dispute_alert = true;
        return true;
    }
    if (n == shop->th.dispute_month_limit + 1) {
        cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_ESCALATION, "RF-11", true,
                                "%d disputes this month (%04d-%02d): past the limit of %d, the shop is barred "
                                "from campaigns",
                                n, y, m, shop->th.dispute_month_limit);
        if (t) t->assignee = CS_FX_SUPERVISOR;
        d->campaign_barred = true;
        return true;
    }
    return false;
}
