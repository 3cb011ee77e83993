/* shift.c -- SH-1 routing (see shift.h). Shifts may end at 24:00 (1440);
 * none crosses midnight in the handbook's defaults, and the shops file
 * validator keeps start < end. */
#include <stddef.h>
#include <string.h>

#include "cs/shift.h"
#include "cs/tz.h"

const cs_shift *cs_shift_for_task(const cs_shop *shop, int64_t now_ms) {
    if (shop->nshifts == 0) return NULL;
    int minute = cs_tz_minute_of_day(shop->tz, now_ms);
    const cs_shift *best = NULL, *first = NULL;
    for (int i = 0; i < shop->nshifts; i++) {
        const cs_shift *s = &shop->shifts[i];
        if (minute >= s->start_min && minute < s->end_min && (!best || s->start_min > best->start_min)) best = s;
        if (!first || s->start_min < first->start_min) first = s;
    }
    /* Off duty (before the first start or after the last end): the first
     * shift of the (next) day takes it. */
    return best ? best : first;
}

const cs_shift *cs_shift_handover(const cs_shop *shop, const cs_shift *ending) {
    int at = ending->end_min; /* 1440 = midnight: nobody is on duty "at 24:00" of that day */
    const cs_shift *best = NULL, *next = NULL, *first = NULL;
    for (int i = 0; i < shop->nshifts; i++) {
        const cs_shift *s = &shop->shifts[i];
        if (s == ending || strcmp(s->name, ending->name) == 0) continue;
        if (at >= s->start_min && at < s->end_min && (!best || s->start_min > best->start_min)) best = s;
        if (s->start_min >= at && (!next || s->start_min < next->start_min)) next = s;
        if (!first || s->start_min < first->start_min) first = s;
    }
    if (best) return best;
    return next ? next : first;
}

const cs_shift *cs_shift_named(const cs_shop *shop, const char *name) {
    for (int i = 0; name && i < shop->nshifts; i++)
        if (strcmp(shop->shifts[i].name, name) == 0) return &shop->shifts[i];
    return NULL;
}
