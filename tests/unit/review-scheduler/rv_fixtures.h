/* rv_fixtures.h -- shared fixtures of the review-scheduler's rule tests: a
 * shop built by hand with the handbook's defaults, a review event, and a
 * small driver that replays a case's life the way the worker does (open,
 * fire a timer, apply the decision with rv_case_apply), so each test
 * changes only what its rule is about. The shop owns only its loaded time
 * zone, freed by fxr_shop_done(). */
#ifndef RV_FIXTURES_H
#define RV_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "shop_fixture.h"
#include "cs/shop.h"
#include "cs/tz.h"
#include "rv_rules.h"

#define FXR_S(x) ((char *)(x))
#define FXR_MIN (60 * 1000LL)
#define FXR_HOUR (60 * FXR_MIN)
#define FXR_DAY (24 * FXR_HOUR)

static inline void fxr_shop_init(cs_shop *s, const char *zone) { ct_shop_init(s, zone); }

static inline void fxr_shop_done(cs_shop *s) { ct_shop_done(s); }

/* The instant of local wall time y-m-d hh:mm in the shop's zone. */
static inline int64_t fxr_local(const cs_shop *s, int y, int m, int d, int hh, int mm) {
    return cs_tz_instant(s->tz, cs_day_from_ymd(y, m, d), hh * 60 + mm);
}

/* Review R1 of order O1 by buyer-1 (phone 13800138000), item 45.00 CNY. */
static inline Cs__V1__Review fxr_review(Cs__V1__ReviewRating rating, int64_t posted_ms) {
    Cs__V1__Review r = CS__V1__REVIEW__INIT;
    r.review_id = FXR_S("R1");
    r.order_id = FXR_S("O1");
    r.buyer_id = FXR_S("buyer-1");
    r.sku = FXR_S("SKU-1");
    r.rating = rating;
    r.text = FXR_S("质量一般");
    r.dislike = CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT;
    r.posted_ms = posted_ms;
    r.item_price_fen = 4500;
    r.buyer_phone = FXR_S("13800138000");
    return r;
}

#define FXR_NEG CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE
#define FXR_NEU CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL
#define FXR_POS CS__V1__REVIEW_RATING__REVIEW_RATING_POSITIVE

/* Opens the case of r at now as the worker would: decide, store, return
 * the decision in *d. */
static inline bool fxr_open(const Cs__V1__Review *r, bool online, const cs_shop *s, int64_t now, rv_case *c,
                            rv_decision *d) {
    rv_case none = {0};
    rv_decision_init(d);
    if (!rv_on_review(r, &none, online, s, now, d) || !d->open) return false;
    rv_case_from_review(r, s, now, c);
    rv_case_apply(c, d, now);
    return true;
}

/* The due time of the armed timer of kind in d, or -1. */
static inline int64_t fxr_timer(const rv_decision *d, const char *kind) {
    for (int i = 0; i < d->fx.ntimers; i++)
        if (strcmp(d->fx.timers[i].kind, kind) == 0) return d->fx.timers[i].due_ms;
    return -1;
}

/* true when d cancels every pending timer of the case in one effect. */
static inline bool fxr_cancels_all(const rv_decision *d) {
    return d->fx.ncancels == 1 && d->fx.cancels[0].kind == NULL && d->fx.cancels[0].subject[0] == '\0';
}

static inline const char *fxr_param(const cs_note *n, const char *key) {
    for (int i = 0; i < n->nparams; i++)
        if (strcmp(n->param_keys[i], key) == 0) return n->param_vals[i];
    return NULL;
}

/* The follow-up SMS request of d held until not_before (RV-4), or NULL. */
static inline const cs_note *fxr_sms(const rv_decision *d, int64_t not_before) {
    for (int i = 0; i < d->fx.nnotes; i++)
        if (d->fx.notes[i].not_before_ms == not_before) return &d->fx.notes[i];
    return NULL;
}

/* Fires the no-answer timer (RV-6) at now on c and applies the decision;
 * returns the number of notification requests it made (always none). */
static inline int fxr_no_answer(rv_case *c, const cs_shop *s, int64_t now) {
    rv_decision d;
    rv_decision_init(&d);
    rv6_on_no_answer_timer(c, s, now, &d);
    rv_case_apply(c, &d, now);
    return d.fx.nnotes;
}

#endif
