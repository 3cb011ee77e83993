/* rf04_seven_day.c -- RF-4: a seven-day no-reason return is allowed only
 * if requested within 7 days counted from the day after delivery was
 * signed, the goods unused and the packaging complete.
 *
 * Handbook: 003 退换货规定 ("七天无理由退换货: 自签收次日起七天内, 商品未使用,
 * 包装完整").
 *
 * Why it is built this way: the seven days are local calendar dates in
 * the shop's zone (RULES.md preamble): the signing date is day 0, the day
 * after it day 1, and the window closes at local midnight ending day
 * no_reason_return_days (7). Signed at 00:05 or at 23:55 on 06-01, a
 * request is in time until 06-08 23:59:59.999 and late from 06-09 00:00;
 * half-open, the instant of that midnight is outside. In a shop in
 * another zone the dates are that zone's, computed by cs_tz_instant() so
 * a daylight-saving change inside the window moves nothing. A request
 * needs the signing to have happened (an order not yet signed has no
 * window: it is a "not received" or a refund-only case). */
#include "rf_rules.h"

#include <stdio.h>

#include "cs/tz.h"

/* RF-4 */
int64_t rf4_window_end_ms(int64_t signed_ms, const cs_shop *shop) {
    cs_day signed_day = cs_tz_day(shop->tz, signed_ms);
    return cs_tz_instant(shop->tz, signed_day + shop->th.no_reason_return_days + 1, 0);
}

static bool refuse(char *why, size_t whylen, const char *text) {
    if (why && whylen) snprintf(why, whylen, "%s", text);
    return false;
}

/* RF-4 */
bool rf4_no_reason_ok(int64_t signed_ms, int64_t requested_ms, bool goods_unused, bool packaging_complete,
                      const cs_shop *shop, char *why, size_t whylen) {
    if (signed_ms <= 0) return refuse(why, whylen, "the delivery is not signed");
    if (requested_ms < signed_ms) return refuse(why, whylen, "requested before the delivery was signed");
    if (requested_ms >= rf4_window_end_ms(signed_ms, shop))
        return refuse(why, whylen, "requested after the seven days from the day after signing");
    if (!goods_unused) return refuse(why, whylen, "the goods were used");
    if (!packaging_complete) return refuse(why, whylen, "the packaging is not complete");
    if (why && whylen) why[0] = '\0';
    return true;
}
