/* ex_fixtures.h -- shared fixtures of the exception-handler's rule tests:
 * a shop built by hand with the handbook's defaults (three shifts, middle
 * the requeue shift) and an order's facts as the handler sees them, so
 * each test changes only what its rule is about. The shop owns only its
 * loaded time zone, freed by fxe_shop_done(). */
#ifndef EX_FIXTURES_H
#define EX_FIXTURES_H

#include "shop_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "cs/shop.h"
#include "cs/tz.h"
#include "ex_rules.h"

#define FXE_S(x) ((char *)(x))
#define FXE_MIN (60 * 1000LL)
#define FXE_HOUR (60 * FXE_MIN)
#define FXE_DAY (24 * FXE_HOUR)

static inline void fxe_shop_init(cs_shop *s, const char *zone, cs_channel ch) {
    ct_shop_init(s, zone);
    s->channel = ch;
    s->shifts[0] = (cs_shift){FXE_S("early"), 9 * 60, 18 * 60 + 30};
    s->shifts[1] = (cs_shift){FXE_S("middle"), 11 * 60 + 30, 21 * 60};
    s->shifts[2] = (cs_shift){FXE_S("night"), 16 * 60, 24 * 60};
    s->nshifts = 3;
    s->requeue_shift = s->shifts[1].name;
}

static inline void fxe_shop_done(cs_shop *s) { ct_shop_done(s); }

/* The instant of local wall time y-m-d hh:mm in the shop's zone. */
static inline int64_t fxe_local(const cs_shop *s, int y, int m, int d, int hh, int mm) {
    return cs_tz_instant(s->tz, cs_day_from_ymd(y, m, d), hh * 60 + mm);
}

/* Order O1 of buyer-1 (phone 13800138000), paid at `paid` for 4480 fen. */
static inline void fxe_order(ex_order *o, int64_t paid) {
    memset(o, 0, sizeof *o);
    o->known = true;
    o->order_id = "O1";
    o->buyer_id = "buyer-1";
    o->phone = "13800138000";
    o->channel = CS__V1__CHANNEL__CHANNEL_UNSPECIFIED;
    o->created_ms = paid - 5 * FXE_MIN;
    o->paid_ms = paid;
    o->paid_fen = 4480;
}

static inline const char *fxe_param(const cs_note *n, const char *key) {
    for (int i = 0; i < n->nparams; i++)
        if (strcmp(n->param_keys[i], key) == 0) return n->param_vals[i];
    return NULL;
}

static inline int64_t fxe_timer(const ex_decision *d, const char *kind) {
    for (int i = 0; i < d->fx.ntimers; i++)
        if (strcmp(d->fx.timers[i].kind, kind) == 0) return d->fx.timers[i].due_ms;
    return -1;
}

static inline bool fxe_cancels(const ex_decision *d, const char *kind) {
    /* a cancel of kind, or of every timer of the subject (kind NULL) */
    for (int i = 0; i < d->fx.ncancels; i++)
        if (!d->fx.cancels[i].kind || strcmp(d->fx.cancels[i].kind, kind) == 0) return true;
    return false;
}

#endif
