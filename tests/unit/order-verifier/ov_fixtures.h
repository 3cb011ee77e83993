/* ov_fixtures.h -- shared fixtures of the order-verifier's rule tests: a
 * shop built by hand (the handbook's default thresholds, three couriers
 * with coverage gaps) and a valid paid order built in place on the stack,
 * so each test changes only what its rule is about.
 *
 * The fixtures own nothing on the heap except the loaded time zone, which
 * fx_shop_done() frees, so valgrind sees only the code under test. An
 * fx_order points into itself: initialise it where it lives, never copy
 * it. */
#ifndef OV_FIXTURES_H
#define OV_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "shop_fixture.h"
#include "cs/shop.h"
#include "cs/tz.h"
#include "ov_rules.h"

#define FX_S(x) ((char *)(x))

/* ---- shop -------------------------------------------------------------- */

/* Couriers in preference order:
 *   SF  顺丰速运: cannot reach 浙江省/杭州市/淳安县 (the district only) nor
 *                 西藏自治区; collects cash everywhere.
 *   YTO 圆通速递: cannot reach 新疆维吾尔自治区; collects cash in 浙江省 only.
 *   EMS 中国邮政: reaches everywhere; no cash on delivery. */
static inline void fx_shop_init(cs_shop *s, const char *zone) {
    ct_shop_init(s, zone);

    cs_courier *sf = &s->couriers[0];
    sf->code = FX_S("SF");
    sf->name = FX_S("顺丰速运");
    sf->unreachable[0] = (cs_region){{FX_S("浙江省"), FX_S("杭州市"), FX_S("淳安县")}, 3};
    sf->unreachable[1] = (cs_region){{FX_S("西藏自治区"), NULL, NULL}, 1};
    sf->nunreachable = 2;
    sf->cod_everywhere = true;

    cs_courier *yto = &s->couriers[1];
    yto->code = FX_S("YTO");
    yto->name = FX_S("圆通速递");
    yto->unreachable[0] = (cs_region){{FX_S("新疆维吾尔自治区"), NULL, NULL}, 1};
    yto->nunreachable = 1;
    yto->cod[0] = (cs_region){{FX_S("浙江省"), NULL, NULL}, 1};
    yto->ncod = 1;

    cs_courier *ems = &s->couriers[2];
    ems->code = FX_S("EMS");
    ems->name = FX_S("中国邮政");
    s->ncouriers = 3;
}

static inline void fx_shop_done(cs_shop *s) { ct_shop_done(s); }

/* The instant of local wall time y-m-d hh:mm in the shop's zone. */
static inline int64_t fx_local_ms(const cs_shop *s, int y, int m, int d, int hh, int mm) {
    return cs_tz_instant(s->tz, cs_day_from_ymd(y, m, d), hh * 60 + mm);
}

#define FX_MIN (60 * 1000LL)
#define FX_HOUR (60 * FX_MIN)
#define FX_DAY (24 * FX_HOUR)
/* 2024-06-01 10:00 +08:00 (Asia/Shanghai) */
#define FX_CREATED_MS 1717207200000LL

/* ---- order ------------------------------------------------------------- */

#define FX_MAX_LINES 8
#define FX_MAX_DISCOUNTS 4

typedef struct fx_order {
    Cs__V1__Order o;
    Cs__V1__OrderLine line[FX_MAX_LINES];
    Cs__V1__OrderLine *lp[FX_MAX_LINES];
    Cs__V1__Discount disc[FX_MAX_DISCOUNTS];
    Cs__V1__Discount *dp[FX_MAX_DISCOUNTS];
    Cs__V1__Receiver rcv;
    Cs__V1__Address addr;
} fx_order;

static inline Cs__V1__OrderLine *fx_add_line(fx_order *f, const char *id, const char *sku, int32_t qty, int64_t price) {
    if (f->o.n_lines >= FX_MAX_LINES) abort();
    Cs__V1__OrderLine *l = &f->line[f->o.n_lines];
    cs__v1__order_line__init(l);
    l->line_id = FX_S(id);
    l->sku = FX_S(sku);
    l->title = FX_S("手机液晶屏");
    l->quantity = qty;
    l->unit_price_fen = price;
    f->lp[f->o.n_lines++] = l;
    return l;
}

static inline void fx_add_discount(fx_order *f, int64_t amount) {
    if (f->o.n_discounts >= FX_MAX_DISCOUNTS) abort();
    Cs__V1__Discount *d = &f->disc[f->o.n_discounts];
    cs__v1__discount__init(d);
    d->kind = FX_S("coupon");
    d->amount_fen = amount;
    f->dp[f->o.n_discounts++] = d;
}

/* Order O1 by buyer-1: 2 x SKU-A at 19.90, a 5.00 coupon, 10.00 shipping:
 * payable 44.80, paid in full 5 minutes after creation on the platform;
 * to 张三 13800138000, 浙江省 杭州市 西湖区 文三路100号, courier SF. */
static inline void fx_order_init(fx_order *f) {
    memset(f, 0, sizeof *f);
    cs__v1__order__init(&f->o);
    cs__v1__receiver__init(&f->rcv);
    cs__v1__address__init(&f->addr);
    f->o.lines = f->lp;
    f->o.discounts = f->dp;
    f->o.order_id = FX_S("O1");
    f->o.buyer_id = FX_S("buyer-1");
    f->o.channel = CS__V1__CHANNEL__CHANNEL_TAOBAO;
    fx_add_line(f, "L1", "SKU-A", 2, 1990);
    fx_add_discount(f, 500);
    f->o.shipping_fee_fen = 1000;
    f->o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM;
    f->o.paid_amount_fen = 4480;
    f->o.created_ms = FX_CREATED_MS;
    f->o.paid_ms = FX_CREATED_MS + 5 * FX_MIN;
    f->o.modified_ms = f->o.paid_ms;
    f->o.courier = FX_S("SF");
    f->rcv.name = FX_S("张三");
    f->rcv.phone = FX_S("13800138000");
    f->addr.province = FX_S("浙江省");
    f->addr.city = FX_S("杭州市");
    f->addr.district = FX_S("西湖区");
    f->addr.street = FX_S("文三路100号");
    f->rcv.address = &f->addr;
    f->o.receiver = &f->rcv;
}

/* A state that has seen the order's creation, pointing at f (not owned). */
static inline void fx_state_init(Cs__V1__OrderState *st, fx_order *f) {
    cs__v1__order_state__init(st);
    st->order = &f->o;
    st->created = 1;
    st->version = 1;
}

/* ---- decisions ----------------------------------------------------------- */

static inline int fx_count_code(const ov_decision *d, const char *code) {
    int n = 0;
    for (int i = 0; i < d->nreasons; i++)
        if (strcmp(d->reasons[i].code, code) == 0) n++;
    return n;
}

static inline const ov_reason *fx_reason(const ov_decision *d, const char *code) {
    for (int i = 0; i < d->nreasons; i++)
        if (strcmp(d->reasons[i].code, code) == 0) return &d->reasons[i];
    return NULL;
}

static inline int fx_count_annotation(const ov_decision *d, const char *code) {
    int n = 0;
    for (int i = 0; i < d->nannotations; i++)
        if (strcmp(d->annotations[i].code, code) == 0) n++;
    return n;
}

static inline const ov_annotation *fx_annotation(const ov_decision *d, const char *code) {
    for (int i = 0; i < d->nannotations; i++)
        if (strcmp(d->annotations[i].code, code) == 0) return &d->annotations[i];
    return NULL;
}

static inline const char *fx_param(const ov_note *n, const char *key) {
    for (int i = 0; i < n->nparams; i++)
        if (strcmp(n->param_keys[i], key) == 0) return n->param_vals[i];
    return NULL;
}

/* true if the reason's detail contains needle */
static inline int fx_detail_has(const ov_reason *r, const char *needle) {
    return r && strstr(r->detail, needle) != NULL;
}

#endif
