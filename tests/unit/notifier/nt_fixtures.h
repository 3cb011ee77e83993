/* nt_fixtures.h -- shops and times for the notifier's unit tests. A shop
 * is built by hand with the handbook's thresholds (cs_thresholds_defaults)
 * in a real zone; nt_fx_shop_done() frees its zone, so valgrind sees only
 * the code under test. */
#ifndef NT_FIXTURES_H
#define NT_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "shop_fixture.h"
#include "cs/shop.h"
#include "cs/tz.h"
#include "nt_rules.h"

#define NT_FX_S(lit) ((char *)(lit))
#define NT_FX_HOUR (3600LL * 1000)
#define NT_FX_DAY (24 * NT_FX_HOUR)

static inline void nt_fx_shop_init(cs_shop *s, const char *zone) { ct_shop_init(s, zone); }

static inline void nt_fx_shop_done(cs_shop *s) { ct_shop_done(s); }

/* The instant of local wall time y-m-d hh:mm:ss in the shop's zone. */
static inline int64_t nt_fx_local(const cs_shop *s, int y, int m, int d, int hh, int mm, int ss) {
    return cs_tz_instant(s->tz, cs_day_from_ymd(y, m, d), hh * 60 + mm) + ss * 1000LL;
}

/* Unix ms of a UTC wall time. */
static inline int64_t nt_fx_utc(int y, int m, int d, int hh, int mm, int ss) {
    return (int64_t)cs_day_from_ymd(y, m, d) * NT_FX_DAY + ((hh * 60 + mm) * 60 + ss) * 1000LL;
}

#endif
