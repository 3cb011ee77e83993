/* shift.c -- SH-1 routing (see shift.h). Shifts may end at 24:00 (1440);
 * none crosses midnight in the handbook's defaults, and the shops file
 * validator keeps start < end. */
#include <stddef.h>

#include "cs/shift.h"
#include "cs/tz.h"

const cs_shift *cs_shift_for_task(const cs_shop *shop, int64_t now_ms) {
    if (shop->nshifts == 0) return NULL;
    int minute = cs_tz_minute_of_day(shop->tz, now_ms);
    const cs_shift *best = NULL, *first = NULL;
    for (int i = 0; i < shop->nshifts; i++) {
        const cs_shift *s = &shop->shifts[i];
        if (minute >= s->start_min && minute < s->end_min && (!best || s->start_min > best->start_min))
            best = s;
        if (!first || s->start_min < first->start_min) first = s;
    }
    /* Off duty (before the first start or after the last end): the first
     * shift of the (next) day takes it. */
    return best ? best : first;
}
