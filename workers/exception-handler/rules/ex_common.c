/* ex_common.c -- helpers the exception-handler's rule files share: the
 * decision's reset and the local-calendar helpers the day-counting rules
 * use. (Effects are filled with cs_fx_*, effects.h; the order facts come
 * from cs_order_facts_from_state, order_facts.h.)
 *
 * Handbook: none of its own; it serves EX-1..EX-10.
 *
 * Why it is built this way: a decision is a plain struct (effects in
 * fixed arrays), so a test reads it directly. */
#include "ex_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cs/tz.h"

void ex_decision_init(ex_decision *d) {
    memset(d, 0, sizeof *d);
    cs_fx_init(&d->fx);
}

const char *ex_str(const char *s) { return s ? s : ""; }

int64_t ex_end_of_day_ms(const cs_shop *shop, int64_t ms) {
    return cs_tz_instant(shop->tz, cs_tz_day(shop->tz, ms) + 1, 0);
}

void ex_local_date(const cs_shop *shop, int64_t ms, char *buf, size_t len) {
    cs_day_format(cs_tz_day(shop->tz, ms), buf, len);
}
