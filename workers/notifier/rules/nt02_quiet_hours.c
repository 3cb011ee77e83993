/* nt02_quiet_hours.c -- NT-2: service messages are not sent 21:00-08:00
 * local, follow-ups not 20:00-08:00; held messages go out when the window
 * opens.
 *
 * Why it is built this way: quiet hours are wall-clock times in the shop's
 * zone, so the check reads the local minute of the day (cs_tz) and the
 * release is the local opening time turned back into an instant on the
 * right local date: across a DST change "08:00 tomorrow" is 23 or 25 hours
 * away, never "now + N hours". The check has minute resolution because the
 * window edges are whole minutes: 20:59:59 is still open and 21:00:00 is
 * quiet; 07:59:59 is quiet and 08:00:00 is open. The quiet span may wrap
 * midnight (start > end, the handbook's case) or not (start < end); equal
 * start and end mean no quiet hours. */
#include "nt_rules.h"

static void quietSpan(const cs_shop *shop, Cs__V1__MessageClass klass, int *start, int *end) {
    if (klass == NT_FOLLOW_UP) {
        *start = shop->th.follow_up_quiet_start_min;
        *end = shop->th.follow_up_quiet_end_min;
    } else {
        *start = shop->th.service_quiet_start_min;
        *end = shop->th.service_quiet_end_min;
    }
}

/* NT-2 */
int64_t nt2_window_open_ms(const cs_shop *shop, Cs__V1__MessageClass klass, cs_day day) {
    int start, end;
    quietSpan(shop, klass, &start, &end);
    return cs_tz_instant(shop->tz, day, start == end ? 0 : end);
}

/* NT-2 */
int64_t nt2_quiet_release_ms(const cs_shop *shop, Cs__V1__MessageClass klass, int64_t now_ms) {
    int start, end;
    quietSpan(shop, klass, &start, &end);
    if (start == end) return 0;
    int m = cs_tz_minute_of_day(shop->tz, now_ms);
    cs_day today = cs_tz_day(shop->tz, now_ms);
    if (start > end) { /* wraps midnight: 21:00-08:00 */
        if (m >= start) return cs_tz_instant(shop->tz, today + 1, end);
        if (m < end) return cs_tz_instant(shop->tz, today, end);
        return 0;
    }
    if (m >= start && m < end) return cs_tz_instant(shop->tz, today, end);
    return 0;
}
