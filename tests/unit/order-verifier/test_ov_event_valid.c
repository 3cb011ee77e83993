/* test_ov_event_valid.c -- what the verifier refuses as poison before any
 * rule runs: impossible amounts and identifiers too long to be keys. */
#include <string.h>

#include "ct.h"
#include "cs/runtime.h"
#include "cs/tz.h"
#include "cs/v1/envelope.pb-c.h"
#include "verifier.h"

typedef struct fx {
    Cs__V1__Envelope env;
    Cs__V1__OrderEvent oe;
    Cs__V1__Order order;
    Cs__V1__OrderLine line, *lines[1];
    cs_event ev;
} fx;

static void fxInit(fx *f) {
    memset(f, 0, sizeof *f);
    cs__v1__envelope__init(&f->env);
    cs__v1__order_event__init(&f->oe);
    cs__v1__order__init(&f->order);
    cs__v1__order_line__init(&f->line);
    f->order.order_id = "T2026111100001";
    f->order.buyer_id = "tb_buyer_01";
    f->line.sku = "SKU-1";
    f->line.quantity = 1;
    f->line.unit_price_fen = 1999;
    f->lines[0] = &f->line;
    f->order.lines = f->lines;
    f->order.n_lines = 1;
    f->oe.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED;
    f->oe.order = &f->order;
    f->env.body_case = CS__V1__ENVELOPE__BODY_ORDER;
    f->env.order = &f->oe;
    f->ev.topic = "shop.orders.v1";
    f->ev.env = &f->env;
}

static void test_valid_order_passes(void) {
    fx f;
    fxInit(&f);
    char why[256] = "";
    CT_CHECK(ov_event_valid(&f.ev, why, sizeof why));
}

static void test_ids_longer_than_128_bytes_are_poison(void) {
    char longid[130];
    memset(longid, '9', 129);
    longid[129] = 0;
    char why[256];
    fx f;
    fxInit(&f);
    f.order.order_id = longid;
    CT_CHECK(!ov_event_valid(&f.ev, why, sizeof why));
    CT_CHECK(strstr(why, "longer than 128") != NULL);
    fxInit(&f);
    f.line.sku = longid;
    CT_CHECK(!ov_event_valid(&f.ev, why, sizeof why));
    CT_CHECK(strstr(why, "sku longer than 128") != NULL);
    fxInit(&f);
    longid[128] = 0; /* exactly 128: an id */
    f.order.order_id = longid;
    CT_CHECK(ov_event_valid(&f.ev, why, sizeof why));
}

static void test_impossible_quantity_is_poison(void) {
    char why[256];
    fx f;
    fxInit(&f);
    f.line.quantity = -1;
    CT_CHECK(!ov_event_valid(&f.ev, why, sizeof why));
    CT_CHECK(strstr(why, "impossible amount") != NULL);
}

/* Found while extending fuzz_envelope to the OV-6 due time the worker
 * arms: an order "created" at INT64_MAX passed, and OV-6 added the
 * reminder's minutes to it (signed overflow). Times past 9999 are poison;
 * its last instant is still taken. */
static void test_order_times_past_year_9999_are_poison(void) {
    char why[256];
    fx f;
    fxInit(&f);
    f.order.created_ms = INT64_MAX;
    CT_CHECK(!ov_event_valid(&f.ev, why, sizeof why));
    CT_EQ_STR(why, "validation: order created_ms, paid_ms or modified_ms negative or past year 9999");
    fxInit(&f);
    f.order.paid_ms = -1;
    CT_CHECK(!ov_event_valid(&f.ev, why, sizeof why));
    fxInit(&f);
    f.order.modified_ms = CS_TZ_MAX_MS + 1;
    CT_CHECK(!ov_event_valid(&f.ev, why, sizeof why));
    fxInit(&f);
    f.line.presale_ship_date_ms = INT64_MAX;
    CT_CHECK(!ov_event_valid(&f.ev, why, sizeof why));
    CT_EQ_STR(why, "validation: lines[0].presale_ship_date_ms negative or past year 9999");
    fxInit(&f);
    f.order.created_ms = CS_TZ_MAX_MS;
    CT_CHECK(ov_event_valid(&f.ev, why, sizeof why));
}

CT_MAIN(CT_CASE(test_valid_order_passes), CT_CASE(test_ids_longer_than_128_bytes_are_poison),
        CT_CASE(test_impossible_quantity_is_poison), CT_CASE(test_order_times_past_year_9999_are_poison))
