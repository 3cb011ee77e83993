/* nt03_daily_cap.c -- NT-3: at most 3 messages a day (local date) to one
 * number from one shop, both classes together; a further one is held to
 * the next day's window.
 *
 * Why it is built this way: "a day" is the shop's local date, so the rule
 * takes the send times themselves and counts those on now's local date,
 * rather than trusting a per-day counter someone else computed in UTC: two
 * messages at 23:50 and 00:10 local are on two dates, two at 15:50 and
 * 16:10 UTC in Shanghai too. Only messages actually sent count; held,
 * suppressed and failed ones reached nobody. The held message goes out
 * when its own class's window opens on the next local date (08:00), where
 * it is decided again: if three more went out first it waits another day. */
#include "nt_rules.h"

/* NT-3 */
int nt3_sent_on_local_day(const cs_tz *tz, const int64_t *sent_ms, size_t n, int64_t now_ms) {
    cs_day today = cs_tz_day(tz, now_ms);
    int count = 0;
    for (size_t i = 0; i < n; i++)
        if (cs_tz_day(tz, sent_ms[i]) == today) count++;
    return count;
}

/* NT-3 */
int64_t nt3_cap_release_ms(const cs_shop *shop, Cs__V1__MessageClass klass, const int64_t *sent_ms, size_t n,
                           int64_t now_ms) {
    int cap = shop->th.daily_message_cap;
    if (cap <= 0) cap = 1;
    if (nt3_sent_on_local_day(shop->tz, sent_ms, n, now_ms) < cap) return 0;
    return nt2_window_open_ms(shop, klass, cs_tz_day(shop->tz, now_ms) + 1);
}
