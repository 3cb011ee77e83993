/* rf_fixtures.h -- shared fixtures of the refund-notifier's rule tests: a
 * shop built by hand with the handbook's defaults (its province 浙江省),
 * an order's facts as the refund-notifier sees them (buyer-1, phone,
 * 99.00 CNY paid, shipped and signed), after-sales events, and a helper
 * that applies an event to a stored case the way the worker will
 * (rf_case_event, then rf_case_after). Strings are literals, so a stored
 * case may point at them. The shop owns only its loaded time zone, freed
 * by fxr_shop_done(). */
#ifndef RF_FIXTURES_H
#define RF_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "shop_fixture.h"
#include "cs/shop.h"
#include "cs/tz.h"
#include "rf_rules.h"

#define FXR_S(x) ((char *)(x))
#define FXR_MIN (60 * 1000LL)
#define FXR_HOUR (60 * FXR_MIN)
#define FXR_DAY (24 * FXR_HOUR)

#define FXR_T(x) CS__V1__CASE_TYPE__CASE_TYPE_##x
#define FXR_R(x) CS__V1__CASE_REASON__CASE_REASON_##x
#define FXR_ST(x) CS__V1__CASE_STAGE__CASE_STAGE_##x
#define FXR_L(x) CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_##x

static inline void fxr_shop_init(cs_shop *s, const char *zone) {
    ct_shop_init(s, zone);
    s->province = FXR_S("浙江省");
    s->postage_reimburse = CS_POSTAGE_IN_REFUND;
}

static inline void fxr_shop_done(cs_shop *s) { ct_shop_done(s); }

/* The instant of local wall time y-m-d hh:mm in the shop's zone. */
static inline int64_t fxr_local(const cs_shop *s, int y, int m, int d, int hh, int mm) {
    return cs_tz_instant(s->tz, cs_day_from_ymd(y, m, d), hh * 60 + mm);
}

/* Order O1 of buyer-1 (phone 13800138000): one line SKU-A 99.00 CNY,
 * paid 2024-06-01 10:00 +08, shipped 06-02, signed 06-04 15:00 +08. */
static Cs__V1__OrderLine fxr_line_a;
static Cs__V1__OrderLine *fxr_lines[1];
static inline void fxr_order(rf_order *o) {
    memset(o, 0, sizeof *o);
    cs__v1__order_line__init(&fxr_line_a);
    fxr_line_a.sku = FXR_S("SKU-A");
    fxr_line_a.quantity = 1;
    fxr_line_a.unit_price_fen = 9900;
    fxr_lines[0] = &fxr_line_a;
    o->known = true;
    o->order_id = "O1";
    o->buyer_id = "buyer-1";
    o->phone = "13800138000";
    o->paid_ms = 1717207200000LL; /* 2024-06-01T10:00+08:00 */
    o->created_ms = o->paid_ms - 5 * FXR_MIN;
    o->paid_fen = 9900;
    o->shipped_ms = 1717300800000LL; /* 2024-06-02T12:00+08:00 */
    o->signed_ms = 1717484400000LL;  /* 2024-06-04T15:00+08:00 */
    o->lines = fxr_lines;
    o->nlines = 1;
}

/* The same order, not shipped. */
static inline void fxr_order_unshipped(rf_order *o) {
    fxr_order(o);
    o->shipped_ms = 0;
    o->signed_ms = 0;
}

/* An after-sales case event C1 on O1 by agent 小王. */
static inline Cs__V1__AfterSalesCase fxr_case(Cs__V1__CaseType type, Cs__V1__CaseReason reason, Cs__V1__CaseStage stage,
                                              int64_t amount) {
    Cs__V1__AfterSalesCase c;
    cs__v1__after_sales_case__init(&c);
    c.case_id = FXR_S("C1");
    c.order_id = FXR_S("O1");
    c.sku = FXR_S("SKU-A");
    c.type = type;
    c.reason = reason;
    c.stage = stage;
    c.amount_fen = amount;
    c.agent = FXR_S("小王");
    c.buyer_id = FXR_S("buyer-1");
    return c;
}

static inline rf_event fxr_event(const Cs__V1__AfterSalesCase *c, const char *id, int64_t ms) {
    rf_event ev;
    memset(&ev, 0, sizeof ev);
    ev.c = c;
    ev.event_id = id;
    ev.event_ms = ms;
    return ev;
}

/* Applies ev to *stored as the worker will: decides into d, then stores. */
static inline void fxr_apply(rf_case *stored, const rf_event *ev, const rf_order *o, const cs_shop *s, rf_decision *d) {
    rf_decision_init(d);
    rf_case_event(stored, ev, o, s, ev->event_ms, d);
    rf_case after;
    rf_case_after(stored, ev, d, &after);
    *stored = after;
}

static inline const char *fxr_param(const cs_note *n, const char *key) {
    for (int i = 0; i < n->nparams; i++)
        if (strcmp(n->param_keys[i], key) == 0) return n->param_vals[i];
    return NULL;
}

static inline int64_t fxr_timer(const rf_decision *d, const char *kind) {
    for (int i = 0; i < d->fx.ntimers; i++)
        if (strcmp(d->fx.timers[i].kind, kind) == 0) return d->fx.timers[i].due_ms;
    return -1;
}

/* a cancel of kind, or of every timer of the case (kind NULL) */
static inline bool fxr_cancels(const rf_decision *d, const char *kind) {
    for (int i = 0; i < d->fx.ncancels; i++)
        if (!d->fx.cancels[i].kind || (kind && strcmp(d->fx.cancels[i].kind, kind) == 0)) return true;
    return false;
}

/* the first task of rule, or NULL */
static inline const cs_task *fxr_task(const rf_decision *d, const char *rule) {
    for (int i = 0; i < d->fx.ntasks; i++)
        if (strcmp(d->fx.tasks[i].rule, rule) == 0) return &d->fx.tasks[i];
    return NULL;
}

#endif
