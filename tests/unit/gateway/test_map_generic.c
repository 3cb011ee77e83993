/* test_map_generic.c -- the generic webhook body into cs.v1 records
 * (gateway/map/generic.c, with the shared checks of map.c and gw_json.c).
 *
 * Every type maps its example file (tests/data/webhooks/generic/<type>.json,
 * also the docs' and the curl test's examples); the packed envelope is
 * unpacked and checked field by field with its topic and key. Then what a
 * sender gets wrong: money, types, missing fields, ids, currency, and
 * bodies that are not JSON objects at all. The examples, the type list and
 * the JSON Schema (docs/webhooks-generic.schema.json) are checked against
 * each other so they cannot drift. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/topics.h"
#include "cs/v1/envelope.pb-c.h"
#include "ct.h"
#include "gw_map.h"
#include "shop_fixture.h"

#define INGEST_MS INT64_C(1790000000123)

static cs_shop shop;

/* Every generic type; an example file for each must exist and map. */
static const char *const TYPES[] = {
    "order.created",       "order.paid",
    "order.fee_changed",   "order.address_changed",
    "order.memo_changed",  "order.lines_changed",
    "order.shipped",       "order.signed",
    "order.cancelled",     "order.closed",
    "aftersales.case",     "aftersales.complaint",
    "aftersales.dispute",  "review",
    "review.revised",      "inventory.level",
    "contact.call_result", "contact.presence",
    "contact.sms_reply",   "contact.chaser",
    "contact.invoice",     "contact.case_update",
};
#define NTYPES (sizeof TYPES / sizeof TYPES[0])

/* ---- helpers ---------------------------------------------------------------- */

static void setup(void) {
    ct_shop_init(&shop, "Asia/Shanghai");
    memcpy(shop.currency, "CNY", 4);
}

static void teardown(void) { ct_shop_done(&shop); }

/* unix ms of a wall time at UTC offset +08:00 (Asia/Shanghai) */
static int64_t cst(int y, int mo, int d, int h, int mi, int s) {
    return (int64_t)cs_day_from_ymd(y, mo, d) * 86400000 + ((int64_t)(h - 8) * 3600 + mi * 60 + s) * 1000;
}

static char *read_text(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    if (len) *len = got;
    return buf;
}

static char *example(const char *type, size_t *len) {
    char path[1024];
    const char *data = getenv("CS_TEST_DATA");
    snprintf(path, sizeof path, "%s/webhooks/generic/%s.json", data ? data : "tests/data", type);
    char *s = read_text(path, len);
    if (!s) fprintf(stderr, "  cannot read %s\n", path);
    return s;
}

static int map_len(const char *body, size_t len, const char *webhook_id, gw_mapped *out, gw_error *err) {
    gw_request rq = {.platform = CS_WEBHOOK_GENERIC,
                     .shop = &shop,
                     .body = body,
                     .len = len,
                     .webhook_id = webhook_id,
                     .ingest_ms = INGEST_MS};
    return gw_map(&rq, out, err);
}

static int map_str(const char *body, gw_mapped *out, gw_error *err) {
    return map_len(body, strlen(body), NULL, out, err);
}

/* Maps the example of type; returns its only record's envelope (free with
 * cs__v1__envelope__free_unpacked) or NULL; *m keeps the records. */
static Cs__V1__Envelope *map_example(const char *type, gw_mapped *m) {
    size_t len = 0;
    char *body = example(type, &len);
    gw_error err;
    Cs__V1__Envelope *env = NULL;
    if (!body) return NULL;
    if (map_len(body, len, NULL, m, &err) != 0) {
        fprintf(stderr, "  %s: %s: %s\n", type, err.field, err.reason);
    } else if (m->n == 1) {
        env = cs__v1__envelope__unpack(NULL, m->rec[0].len, m->rec[0].value);
    }
    free(body);
    return env;
}

/* The envelope fields every generic record has. */
static void check_envelope(const Cs__V1__Envelope *env, const gw_mapped *m, const char *type) {
    char id[160];
    snprintf(id, sizeof id, "gen-%s-0001", type);
    for (char *p = id; *p; p++)
        if (*p == '.') *p = '-';
    CT_EQ_STR(env->event_id, id);
    CT_EQ_STR(m->event_id, id);
    CT_EQ_STR(m->rec[0].event_id, id);
    CT_EQ_STR(m->kind, type);
    CT_EQ_STR(env->shop_id, "shop-1");
    CT_EQ_INT(env->event_ms, cst(2026, 11, 11, 10, 0, 0));
    CT_EQ_INT(env->ingest_ms, INGEST_MS);
    CT_EQ_STR(env->source, "generic");
}

/* Maps body expecting a refusal of field, with reason containing what. */
static void expect_refused(const char *body, const char *field, const char *what) {
    gw_mapped m;
    gw_error err;
    int rc = map_str(body, &m, &err);
    CT_EQ_INT(rc, -1);
    CT_EQ_STR(err.field, field);
    if (what && !strstr(err.reason, what)) {
        fprintf(stderr, "  reason \"%s\" lacks \"%s\"\n", err.reason, what);
        CT_CHECK(strstr(err.reason, what) != NULL);
    }
    CT_EQ_INT(m.n, 0);
    CT_CHECK(m.event_id == NULL);
}

/* A body of type with data given as JSON text. */
static char *body_of(const char *type, const char *data) {
    size_t n = strlen(data) + 256;
    char *b = malloc(n);
    snprintf(b, n, "{\"event_id\":\"e-1\",\"type\":\"%s\",\"occurred_at\":\"2026-11-11T10:00:00+08:00\",\"data\":%s}",
             type, data);
    return b;
}

static void expect_data_refused(const char *type, const char *data, const char *field, const char *what) {
    char *b = body_of(type, data);
    expect_refused(b, field, what);
    free(b);
}

/* Maps body_of(type, data); returns its envelope or NULL. */
static Cs__V1__Envelope *map_data(const char *type, const char *data, gw_mapped *m) {
    char *b = body_of(type, data);
    gw_error err;
    Cs__V1__Envelope *env = NULL;
    if (map_str(b, m, &err) == 0)
        env = cs__v1__envelope__unpack(NULL, m->rec[0].len, m->rec[0].value);
    else
        fprintf(stderr, "  %s: %s: %s\n", type, err.field, err.reason);
    free(b);
    return env;
}

static const Cs__V1__OrderEvent *order_of(const Cs__V1__Envelope *env, const gw_mapped *m) {
    CT_EQ_INT(env->body_case, CS__V1__ENVELOPE__BODY_ORDER);
    CT_CHECK(m->rec[0].topic && strcmp(m->rec[0].topic, CS_TOPIC_ORDERS) == 0);
    CT_EQ_STR(m->rec[0].key, "shop-1:T1001");
    if (env->body_case != CS__V1__ENVELOPE__BODY_ORDER || !env->order->order) return NULL;
    CT_EQ_STR(env->order->order->order_id, "T1001");
    CT_EQ_INT(env->order->order->channel, CS__V1__CHANNEL__CHANNEL_TAOBAO);
    return env->order;
}

#define WITH_EXAMPLE(type, env, m)                                                                                     \
    gw_mapped m;                                                                                                       \
    setup();                                                                                                           \
    Cs__V1__Envelope *env = map_example(type, &m);                                                                     \
    CT_CHECK(env != NULL);                                                                                             \
    if (env) check_envelope(env, &m, type);                                                                            \
    if (env)

#define DONE(env, m)                                                                                                   \
    cs__v1__envelope__free_unpacked(env, NULL);                                                                        \
    gw_mapped_free(&m);                                                                                                \
    teardown();

/* ---- every order type -------------------------------------------------------------- */

static void test_order_created_full_order(void) {
    WITH_EXAMPLE("order.created", env, m) {
        const Cs__V1__OrderEvent *ev = order_of(env, &m);
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED);
        const Cs__V1__Order *o = ev->order;
        CT_EQ_STR(o->buyer_id, "buyer-77");
        CT_EQ_INT(o->created_ms, cst(2026, 11, 11, 9, 58, 12));
        CT_EQ_INT(o->modified_ms, cst(2026, 11, 11, 10, 0, 0));
        CT_EQ_INT(o->n_lines, 3);
        if (o->n_lines == 3) {
            CT_EQ_STR(o->lines[0]->line_id, "L1");
            CT_EQ_STR(o->lines[0]->sku, "SKU-RED-M");
            CT_EQ_STR(o->lines[0]->title, "羊毛围巾 红色");
            CT_EQ_INT(o->lines[0]->quantity, 2);
            CT_EQ_INT(o->lines[0]->unit_price_fen, 5885);
            CT_EQ_INT(o->lines[0]->gift, 0);
            CT_EQ_INT(o->lines[1]->unit_price_fen, 0);
            CT_EQ_INT(o->lines[1]->gift, 1);
            CT_EQ_INT(o->lines[2]->presale, 1);
            CT_EQ_INT(o->lines[2]->unit_price_fen, 39900);
            CT_EQ_INT(o->lines[2]->presale_ship_date_ms, cst(2026, 11, 20, 0, 0, 0)); /* local midnight */
        }
        CT_EQ_INT(o->n_discounts, 1);
        if (o->n_discounts == 1) {
            CT_EQ_STR(o->discounts[0]->kind, "coupon");
            CT_EQ_INT(o->discounts[0]->amount_fen, 1000);
        }
        CT_EQ_INT(o->shipping_fee_fen, 800);
        CT_EQ_INT(o->payment_method, CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM);
        CT_EQ_INT(o->cod, 0);
        CT_EQ_INT(o->paid_amount_fen, 51470);
        CT_EQ_INT(o->paid_ms, cst(2026, 11, 11, 10, 0, 0));
        CT_EQ_STR(o->buyer_message, "请周末送货");
        CT_EQ_STR(o->seller_memo, "VIP");
        CT_CHECK(o->receiver && o->receiver->address);
        if (o->receiver && o->receiver->address) {
            CT_EQ_STR(o->receiver->name, "张三");
            CT_EQ_STR(o->receiver->phone, "13800138000");
            CT_EQ_STR(o->receiver->address->province, "浙江省");
            CT_EQ_STR(o->receiver->address->city, "杭州市");
            CT_EQ_STR(o->receiver->address->district, "西湖区");
            CT_EQ_STR(o->receiver->address->street, "文三路 100 号 2 幢 301");
            CT_EQ_STR(o->receiver->address->postcode, "310012");
        }
        CT_EQ_STR(o->courier, "SF");
        CT_EQ_INT(o->gift_wrap, 1);
        CT_EQ_STR(o->delivery_window, "weekend");
        CT_EQ_INT(o->installation, 0);
        CT_EQ_INT(o->on_hold, 0);
    }
    DONE(env, m)
}

static void test_order_paid_payment_group(void) {
    WITH_EXAMPLE("order.paid", env, m) {
        const Cs__V1__OrderEvent *ev = order_of(env, &m);
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID);
        CT_EQ_INT(ev->order->paid_amount_fen, 51470);
        CT_EQ_INT(ev->order->paid_ms, cst(2026, 11, 11, 10, 0, 0));
        CT_EQ_INT(ev->order->payment_method, CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM);
        CT_EQ_INT(ev->order->n_lines, 0);
    }
    DONE(env, m)
}

static void test_order_fee_changed_discounts_and_shipping(void) {
    WITH_EXAMPLE("order.fee_changed", env, m) {
        const Cs__V1__OrderEvent *ev = order_of(env, &m);
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_FEE_CHANGED);
        CT_EQ_INT(ev->order->n_discounts, 2);
        if (ev->order->n_discounts == 2) CT_EQ_INT(ev->order->discounts[1]->amount_fen, 550);
        CT_EQ_INT(ev->order->shipping_fee_fen, 0);
        CT_EQ_INT(ev->order->modified_ms, cst(2026, 11, 11, 10, 5, 0));
    }
    DONE(env, m)
}

static void test_order_address_changed_receiver(void) {
    WITH_EXAMPLE("order.address_changed", env, m) {
        const Cs__V1__OrderEvent *ev = order_of(env, &m);
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED);
        CT_CHECK(ev->order->receiver && ev->order->receiver->address);
        if (ev->order->receiver && ev->order->receiver->address) {
            CT_EQ_STR(ev->order->receiver->name, "李四");
            CT_EQ_STR(ev->order->receiver->phone, "0571-88886666");
            CT_EQ_STR(ev->order->receiver->address->district, "滨江区");
        }
    }
    DONE(env, m)
}

static void test_order_memo_changed_memo_group(void) {
    WITH_EXAMPLE("order.memo_changed", env, m) {
        const Cs__V1__OrderEvent *ev = order_of(env, &m);
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED);
        CT_EQ_STR(ev->order->buyer_message, "请周末送货");
        CT_EQ_STR(ev->order->seller_memo, "已电话确认");
        CT_EQ_INT(ev->order->gift_wrap, 1);
        CT_EQ_STR(ev->order->delivery_window, "weekend");
        CT_EQ_INT(ev->order->installation, 0);
    }
    DONE(env, m)
}

static void test_order_lines_changed_lines(void) {
    WITH_EXAMPLE("order.lines_changed", env, m) {
        const Cs__V1__OrderEvent *ev = order_of(env, &m);
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_LINES_CHANGED);
        CT_EQ_INT(ev->order->n_lines, 1);
        if (ev->order->n_lines == 1) {
            CT_EQ_STR(ev->order->lines[0]->sku, "SKU-RED-L");
            CT_EQ_INT(ev->order->lines[0]->quantity, 2);
        }
    }
    DONE(env, m)
}

static void test_order_shipped_shipment(void) {
    WITH_EXAMPLE("order.shipped", env, m) {
        const Cs__V1__OrderEvent *ev = order_of(env, &m);
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED);
        CT_CHECK(ev->shipment != NULL);
        if (ev->shipment) {
            CT_EQ_STR(ev->shipment->courier, "SF");
            CT_EQ_STR(ev->shipment->tracking_no, "SF1234567890");
            CT_EQ_INT(ev->shipment->shipped_ms, cst(2026, 11, 12, 15, 30, 0));
        }
    }
    DONE(env, m)
}

static void test_order_signed_time(void) {
    WITH_EXAMPLE("order.signed", env, m) {
        const Cs__V1__OrderEvent *ev = order_of(env, &m);
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SIGNED);
        CT_EQ_INT(ev->signed_ms, cst(2026, 11, 14, 11, 20, 0));
    }
    DONE(env, m)
}

static void test_order_cancelled_lines_reason_refund(void) {
    WITH_EXAMPLE("order.cancelled", env, m) {
        const Cs__V1__OrderEvent *ev = order_of(env, &m);
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED);
        CT_CHECK(ev->cancellation != NULL);
        if (ev->cancellation) {
            CT_EQ_STR(ev->cancellation->reason, "out_of_stock");
            CT_EQ_INT(ev->cancellation->n_line_ids, 1);
            if (ev->cancellation->n_line_ids == 1) CT_EQ_STR(ev->cancellation->line_ids[0], "L3");
            CT_EQ_INT(ev->cancellation->refund_fen, 39900);
        }
    }
    DONE(env, m)
}

static void test_order_cancelled_whole_order_has_no_line_ids(void) {
    gw_mapped m;
    setup();
    Cs__V1__Envelope *env = map_data("order.cancelled", "{\"order_id\":\"T1001\",\"reason\":\"buyer asked\"}", &m);
    CT_CHECK(env && env->order->cancellation);
    if (env && env->order->cancellation) CT_EQ_INT(env->order->cancellation->n_line_ids, 0);
    DONE(env, m)
}

static void test_order_closed_kind_only(void) {
    WITH_EXAMPLE("order.closed", env, m) {
        const Cs__V1__OrderEvent *ev = order_of(env, &m);
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED);
        CT_EQ_INT(ev->order->modified_ms, cst(2026, 11, 21, 0, 0, 0));
        CT_CHECK(ev->shipment == NULL && ev->cancellation == NULL);
    }
    DONE(env, m)
}

/* ---- after-sales, reviews, inventory ----------------------------------------------------- */

static void check_aftersales_record(const gw_mapped *m) {
    CT_CHECK(m->rec[0].topic && strcmp(m->rec[0].topic, CS_TOPIC_AFTERSALES) == 0);
    CT_EQ_STR(m->rec[0].key, "shop-1:T1001");
}

static void test_aftersales_case_every_field(void) {
    WITH_EXAMPLE("aftersales.case", env, m) {
        check_aftersales_record(&m);
        CT_EQ_INT(env->body_case, CS__V1__ENVELOPE__BODY_AFTERSALES);
        CT_EQ_INT(env->aftersales->body_case, CS__V1__AFTER_SALES_EVENT__BODY_CASE);
        const Cs__V1__AfterSalesCase *c = env->aftersales->case_;
        CT_EQ_STR(c->case_id, "R5001");
        CT_EQ_STR(c->order_id, "T1001");
        CT_EQ_STR(c->sku, "SKU-RED-M");
        CT_EQ_INT(c->type, CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND);
        CT_EQ_INT(c->reason, CS__V1__CASE_REASON__CASE_REASON_QUALITY);
        CT_EQ_INT(c->stage, CS__V1__CASE_STAGE__CASE_STAGE_REQUESTED);
        CT_EQ_INT(c->amount_fen, 5885);
        CT_EQ_STR(c->agent, "agent-li");
        CT_EQ_INT(c->has_photo, 1);
        CT_EQ_INT(c->item_unusable_photo, 0);
        CT_EQ_INT(c->goods_unused, 1);
        CT_EQ_INT(c->packaging_complete, 1);
        CT_EQ_INT(c->freight_collect, 0);
        CT_EQ_INT(c->resellable, 0);
        CT_EQ_STR(c->refund_account, "alipay:zhang***@example.com");
        CT_EQ_INT(c->logistics, CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_SIGNED);
        CT_EQ_INT(c->buyer_wants_return, 1);
        CT_EQ_INT(c->requested_ms, cst(2026, 11, 15, 9, 0, 0));
        CT_EQ_STR(c->buyer_id, "buyer-77");
        CT_EQ_INT(c->postage_paid_fen, 1200);
        CT_EQ_STR(c->origin_province, "江苏省");
        CT_EQ_INT(c->supplier_exchanges, 0);
    }
    DONE(env, m)
}

static void test_aftersales_complaint_level_and_times(void) {
    WITH_EXAMPLE("aftersales.complaint", env, m) {
        check_aftersales_record(&m);
        CT_EQ_INT(env->aftersales->body_case, CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT);
        const Cs__V1__Complaint *c = env->aftersales->complaint;
        CT_EQ_STR(c->complaint_id, "C7001");
        CT_EQ_STR(c->order_id, "T1001");
        CT_EQ_STR(c->buyer_id, "buyer-77");
        CT_EQ_INT(c->level, CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L2_EXPERIENCE);
        CT_EQ_STR(c->summary, "发货太慢");
        CT_EQ_INT(c->closed + c->escalated + c->solution_offered, 0);
        CT_EQ_INT(c->opened_ms, cst(2026, 11, 13, 9, 30, 0));
    }
    DONE(env, m)
}

static void test_aftersales_dispute_fields(void) {
    WITH_EXAMPLE("aftersales.dispute", env, m) {
        check_aftersales_record(&m);
        CT_EQ_INT(env->aftersales->body_case, CS__V1__AFTER_SALES_EVENT__BODY_DISPUTE);
        const Cs__V1__Dispute *d = env->aftersales->dispute;
        CT_EQ_STR(d->dispute_id, "D9001");
        CT_EQ_STR(d->order_id, "T1001");
        CT_EQ_STR(d->case_id, "R5001");
        CT_EQ_INT(d->seller_responsible, 0);
        CT_EQ_INT(d->refund_fen, 5885);
        CT_EQ_INT(d->closed, 0);
    }
    DONE(env, m)
}

static void test_review_posted(void) {
    WITH_EXAMPLE("review", env, m) {
        CT_CHECK(m.rec[0].topic && strcmp(m.rec[0].topic, CS_TOPIC_REVIEWS) == 0);
        CT_EQ_STR(m.rec[0].key, "shop-1:T1001");
        CT_EQ_INT(env->body_case, CS__V1__ENVELOPE__BODY_REVIEW);
        const Cs__V1__Review *r = env->review;
        CT_EQ_STR(r->review_id, "V3001");
        CT_EQ_STR(r->order_id, "T1001");
        CT_EQ_STR(r->buyer_id, "buyer-77");
        CT_EQ_STR(r->sku, "SKU-RED-M");
        CT_EQ_INT(r->rating, CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE);
        CT_EQ_STR(r->text, "颜色和图片差别很大");
        CT_EQ_INT(r->dislike, CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT);
        CT_EQ_INT(r->posted_ms, cst(2026, 11, 16, 20, 15, 0));
        CT_EQ_INT(r->item_price_fen, 5885);
        CT_EQ_INT(r->revision, 0);
        CT_EQ_STR(r->buyer_phone, "13800138000");
    }
    DONE(env, m)
}

static void test_review_revised_sets_revision(void) {
    WITH_EXAMPLE("review.revised", env, m) {
        CT_EQ_STR(m.rec[0].key, "shop-1:T1001");
        CT_EQ_INT(env->review->revision, 1);
        CT_EQ_INT(env->review->rating, CS__V1__REVIEW_RATING__REVIEW_RATING_POSITIVE);
    }
    DONE(env, m)
}

static void test_review_requires_rating_revision_does_not(void) {
    gw_mapped m;
    setup();
    expect_data_refused("review", "{\"review_id\":\"V1\",\"order_id\":\"T1\"}", "data.rating", "required");
    Cs__V1__Envelope *env = map_data("review.revised", "{\"review_id\":\"V1\",\"order_id\":\"T1\"}", &m);
    CT_CHECK(env && env->review->revision && env->review->rating == 0);
    DONE(env, m)
}

static void test_inventory_level_keyed_by_sku(void) {
    WITH_EXAMPLE("inventory.level", env, m) {
        CT_CHECK(m.rec[0].topic && strcmp(m.rec[0].topic, CS_TOPIC_INVENTORY) == 0);
        CT_EQ_STR(m.rec[0].key, "SKU-COAT");
        CT_EQ_INT(env->body_case, CS__V1__ENVELOPE__BODY_INVENTORY);
        const Cs__V1__InventoryLevel *l = env->inventory;
        CT_EQ_STR(l->sku, "SKU-COAT");
        CT_EQ_INT(l->available, 0);
        CT_EQ_INT(l->restock_quantity, 0);
        CT_EQ_INT(l->restock_date_ms, cst(2026, 11, 13, 0, 0, 0));
        CT_EQ_INT(l->counted_ms, cst(2026, 11, 11, 8, 0, 0));
    }
    DONE(env, m)
}

static void test_inventory_count_without_time_dated_by_occurred_at(void) {
    gw_mapped m, m2;
    setup();
    Cs__V1__Envelope *env = map_data("inventory.level", "{\"sku\":\"S1\",\"available\":7}", &m);
    CT_CHECK(env && env->inventory->counted_ms == cst(2026, 11, 11, 10, 0, 0));
    /* a restock alone is no count: counted_ms stays 0 (OV-8 adds it) */
    Cs__V1__Envelope *env2 = map_data("inventory.level", "{\"sku\":\"S1\",\"restock_quantity\":5}", &m2);
    CT_CHECK(env2 && env2->inventory->counted_ms == 0 && env2->inventory->restock_quantity == 5);
    expect_data_refused("inventory.level", "{\"sku\":\"S1\"}", "data.available", "required");
    expect_data_refused("inventory.level",
                        "{\"sku\":\"S1\",\"restock_quantity\":1,\"counted_at\":\"2026-11-11T10:00:00Z\"}",
                        "data.counted_at", "without available");
    expect_data_refused("inventory.level", "{\"sku\":\"S1\",\"available\":-1}", "data.available", "out of range");
    cs__v1__envelope__free_unpacked(env2, NULL);
    gw_mapped_free(&m2);
    DONE(env, m)
}

/* ---- contacts -------------------------------------------------------------------------- */

static const Cs__V1__ContactEvent *contact_of(const Cs__V1__Envelope *env, const gw_mapped *m, const char *key,
                                              Cs__V1__ContactEvent__BodyCase body) {
    CT_CHECK(m->rec[0].topic && strcmp(m->rec[0].topic, CS_TOPIC_CONTACTS) == 0);
    CT_EQ_STR(m->rec[0].key, key);
    CT_EQ_INT(env->body_case, CS__V1__ENVELOPE__BODY_CONTACT);
    CT_EQ_INT(env->contact->body_case, body);
    return env->contact;
}

static void test_contact_call_result(void) {
    WITH_EXAMPLE("contact.call_result", env, m) {
        const Cs__V1__CallResult *c = contact_of(env, &m, "shop-1:T1001", CS__V1__CONTACT_EVENT__BODY_CALL)->call;
        CT_EQ_STR(c->task_id, "evt-1/verdict/v1/task/0/EX-2");
        CT_EQ_STR(c->order_id, "T1001");
        CT_EQ_STR(c->agent, "agent-li");
        CT_EQ_INT(c->outcome, CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE);
        CT_EQ_STR(c->note, "无人接听");
        CT_EQ_INT(c->buyer_has_im, 1);
    }
    DONE(env, m)
}

static void test_contact_presence_keyed_by_buyer(void) {
    WITH_EXAMPLE("contact.presence", env, m) {
        const Cs__V1__Presence *p =
            contact_of(env, &m, "shop-1:buyer:buyer-77", CS__V1__CONTACT_EVENT__BODY_PRESENCE)->presence;
        CT_EQ_STR(p->buyer_id, "buyer-77");
        CT_EQ_INT(p->online, 1);
    }
    DONE(env, m)
    setup();
    expect_data_refused("contact.presence", "{\"buyer_id\":\"b\"}", "data.online", "required");
    teardown();
}

static void test_contact_sms_reply_keyed_by_phone(void) {
    WITH_EXAMPLE("contact.sms_reply", env, m) {
        const Cs__V1__InboundSms *s =
            contact_of(env, &m, "shop-1:phone:13800138000", CS__V1__CONTACT_EVENT__BODY_SMS)->sms;
        CT_EQ_STR(s->from_phone, "13800138000");
        CT_EQ_STR(s->text, "TD");
    }
    DONE(env, m)
}

static void test_contact_chaser(void) {
    WITH_EXAMPLE("contact.chaser", env, m) {
        const Cs__V1__DeliveryChaser *c =
            contact_of(env, &m, "shop-1:T1001", CS__V1__CONTACT_EVENT__BODY_CHASER)->chaser;
        CT_EQ_STR(c->order_id, "T1001");
        CT_EQ_STR(c->buyer_id, "buyer-77");
        CT_EQ_STR(c->text, "什么时候发货？");
    }
    DONE(env, m)
}

static void test_contact_invoice(void) {
    WITH_EXAMPLE("contact.invoice", env, m) {
        const Cs__V1__InvoiceRequest *i =
            contact_of(env, &m, "shop-1:T1001", CS__V1__CONTACT_EVENT__BODY_INVOICE)->invoice;
        CT_EQ_STR(i->order_id, "T1001");
        CT_EQ_STR(i->buyer_id, "buyer-77");
        CT_EQ_STR(i->title, "杭州某某科技有限公司");
        CT_EQ_STR(i->tax_id, "91330100MA2XXXXXX1");
    }
    DONE(env, m)
}

static void test_contact_case_update(void) {
    WITH_EXAMPLE("contact.case_update", env, m) {
        const Cs__V1__CaseUpdate *u =
            contact_of(env, &m, "shop-1:T1001", CS__V1__CONTACT_EVENT__BODY_CASE_UPDATE)->case_update;
        CT_EQ_STR(u->case_id, "V3001");
        CT_EQ_STR(u->order_id, "T1001");
        CT_EQ_STR(u->agent, "agent-li");
        CT_EQ_INT(u->buyer_difficult, 0);
        CT_EQ_INT(u->outcome, CS__V1__CASE_OUTCOME__CASE_OUTCOME_REFUSED);
        CT_EQ_STR(u->note, "买家拒绝修改评价");
        CT_EQ_INT(u->dislike, CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE);
    }
    DONE(env, m)
}

/* ---- money ------------------------------------------------------------------------------ */

static int64_t paid_fen(const char *amount) {
    char data[256];
    gw_mapped m;
    int64_t fen = -1;
    snprintf(data, sizeof data, "{\"order_id\":\"T1\",\"paid_amount\":\"%s\"}", amount);
    Cs__V1__Envelope *env = map_data("order.paid", data, &m);
    if (env) fen = env->order->order->paid_amount_fen;
    cs__v1__envelope__free_unpacked(env, NULL);
    gw_mapped_free(&m);
    return fen;
}

static void test_money_strings_to_the_fen(void) {
    setup();
    CT_EQ_INT(paid_fen("0.10"), 10);
    CT_EQ_INT(paid_fen("117.70"), 11770);
    CT_EQ_INT(paid_fen("99999999.99"), INT64_C(9999999999));
    CT_EQ_INT(paid_fen("5"), 500);
    teardown();
}

static void test_money_refused_with_field_named(void) {
    setup();
    expect_data_refused("order.paid", "{\"order_id\":\"T1\",\"paid_amount\":\"1e3\"}", "data.paid_amount", "exponent");
    expect_data_refused("order.paid", "{\"order_id\":\"T1\",\"paid_amount\":\"-0.01\"}", "data.paid_amount", "sign");
    expect_data_refused("order.paid", "{\"order_id\":\"T1\",\"paid_amount\":\"12.345\"}", "data.paid_amount",
                        "two decimals");
    expect_data_refused("order.paid", "{\"order_id\":\"T1\",\"paid_amount\":117.70}", "data.paid_amount",
                        "a JSON number; money is a decimal string such as \"117.70\"");
    expect_data_refused("order.lines_changed",
                        "{\"order_id\":\"T1\",\"lines\":[{\"sku\":\"a\",\"title\":\"t\",\"quantity\":1,\"unit_price\":"
                        "\"1.00\"},{\"sku\":\"b\",\"title\":\"t\",\"quantity\":1,\"unit_price\":2.5}]}",
                        "data.lines[1].unit_price", "a JSON number");
    expect_data_refused("order.fee_changed",
                        "{\"order_id\":\"T1\",\"shipping_fee\":\"0\",\"discounts\":[{\"kind\":\"c\",\"amount\":\"\"}]}",
                        "data.discounts[0].amount", "empty");
    teardown();
}

/* ---- what senders get wrong -------------------------------------------------------------------- */

static void test_missing_required_fields_named(void) {
    setup();
    expect_refused("{\"event_id\":\"e\",\"occurred_at\":\"2026-11-11T10:00:00Z\",\"data\":{}}", "type", "required");
    expect_refused("{\"event_id\":\"e\",\"type\":\"order.closed\",\"data\":{\"order_id\":\"1\"}}", "occurred_at",
                   "required");
    expect_refused("{\"event_id\":\"e\",\"type\":\"order.closed\",\"occurred_at\":\"2026-11-11T10:00:00Z\"}", "data",
                   "required");
    expect_data_refused("order.closed", "{}", "data.order_id", "required");
    expect_data_refused("order.closed", "{\"order_id\":\"\"}", "data.order_id", "empty");
    expect_data_refused("order.created", "{\"order_id\":\"T1\",\"created_at\":\"2026-11-11T10:00:00Z\",\"lines\":[]}",
                        "data.buyer_id", "required");
    expect_data_refused("order.lines_changed",
                        "{\"order_id\":\"T1\",\"lines\":[{\"sku\":\"a\",\"title\":\"t\",\"quantity\":1,\"unit_price\":"
                        "\"1.00\"},{\"title\":\"t\",\"quantity\":1,\"unit_price\":\"1.00\"}]}",
                        "data.lines[1].sku", "required");
    expect_data_refused("order.lines_changed", "{\"order_id\":\"T1\",\"lines\":[]}", "data.lines", "at least one");
    expect_data_refused("order.shipped", "{\"order_id\":\"T1\",\"courier\":\"SF\"}", "data.tracking_no", "required");
    expect_data_refused("order.cancelled", "{\"order_id\":\"T1\"}", "data.reason", "required");
    expect_data_refused("order.address_changed", "{\"order_id\":\"T1\"}", "data.receiver", "required");
    expect_data_refused("aftersales.case",
                        "{\"case_id\":\"R1\",\"order_id\":\"T1\",\"type\":\"exchange\",\"reason\":"
                        "\"quality\"}",
                        "data.stage", "required");
    expect_data_refused("contact.call_result", "{\"outcome\":\"reached\"}", "data.order_id", "required");
    expect_data_refused("contact.sms_reply", "{\"from_phone\":\"13800138000\"}", "data.text", "required");
    teardown();
}

static void test_wrong_types_named(void) {
    setup();
    const char *line = "{\"order_id\":\"T1\",\"lines\":[{\"sku\":\"a\",\"title\":\"t\",\"quantity\":%s,\"unit_price\":"
                       "\"1.00\"%s}]}";
    char data[512];
    snprintf(data, sizeof data, line, "\"2\"", "");
    expect_data_refused("order.lines_changed", data, "data.lines[0].quantity", "a string; an integer expected");
    snprintf(data, sizeof data, line, "2.0", "");
    expect_data_refused("order.lines_changed", data, "data.lines[0].quantity", "not an integer");
    snprintf(data, sizeof data, line, "1e3", "");
    expect_data_refused("order.lines_changed", data, "data.lines[0].quantity", "not an integer");
    snprintf(data, sizeof data, line, "1000001", "");
    expect_data_refused("order.lines_changed", data, "data.lines[0].quantity", "out of range");
    snprintf(data, sizeof data, line, "1", ",\"gift\":\"yes\"");
    expect_data_refused("order.lines_changed", data, "data.lines[0].gift", "true or false");
    snprintf(data, sizeof data, line, "1", ",\"presale_ship_date\":\"20.11.2026\"");
    expect_data_refused("order.lines_changed", data, "data.lines[0].presale_ship_date", "not a date");
    expect_data_refused("order.lines_changed", "{\"order_id\":\"T1\",\"lines\":[\"x\"]}", "data.lines[0]", "an object");
    expect_data_refused("order.lines_changed", "{\"order_id\":\"T1\",\"lines\":{}}", "data.lines", "an array");
    expect_data_refused("order.closed", "{\"order_id\":true}", "data.order_id", "a boolean");
    expect_data_refused("order.closed", "{\"order_id\":\"T1\",\"modified_at\":\"2026-11-11 10:00:00\"}",
                        "data.modified_at", "RFC 3339");
    expect_data_refused("order.paid", "{\"order_id\":\"T1\",\"paid_amount\":\"1\",\"payment_method\":\"cash\"}",
                        "data.payment_method", "not one of: platform, bank_transfer");
    expect_data_refused("order.address_changed", "{\"order_id\":\"T1\",\"receiver\":{\"address\":[]}}",
                        "data.receiver.address", "an object");
    expect_data_refused("order.address_changed", "{\"order_id\":\"T1\",\"receiver\":{\"address\":{\"city\":1}}}",
                        "data.receiver.address.city", "a string");
    expect_data_refused("order.cancelled", "{\"order_id\":\"T1\",\"reason\":\"r\",\"line_ids\":[\"a\",5]}",
                        "data.line_ids[1]", "a line id");
    expect_refused(
        "{\"event_id\":\"e\",\"type\":\"order.closed\",\"occurred_at\":\"2026-11-11T10:00:00Z\",\"data\":[]}", "data",
        "an object");
    expect_refused("{\"event_id\":\"e\",\"type\":7,\"occurred_at\":\"2026-11-11T10:00:00Z\",\"data\":{}}", "type",
                   "a string");
    teardown();
}

static void test_unknown_type_named_without_echo(void) {
    setup();
    expect_data_refused("order.exploded<script>", "{\"order_id\":\"T1\"}", "type", "unknown event type");
    gw_mapped m;
    gw_error err;
    char *b = body_of("order.exploded<script>", "{}");
    CT_EQ_INT(map_str(b, &m, &err), -1);
    CT_CHECK(strstr(err.reason, "<script>") == NULL);
    free(b);
    teardown();
}

static void test_unknown_keys_ignored(void) {
    gw_mapped m;
    setup();
    Cs__V1__Envelope *env =
        map_data("order.signed",
                 "{\"order_id\":\"T1001\",\"signed_at\":\"2026-11-14T03:20:00Z\",\"future\":{\"x\":[1,"
                 "2.5,\"y\"]},\"courier_note\":null}",
                 &m);
    CT_CHECK(env && env->order->signed_ms == cst(2026, 11, 14, 11, 20, 0));
    DONE(env, m)
}

static void test_times_offsets_fractions_and_dates(void) {
    gw_mapped m1, m2, m3;
    setup();
    Cs__V1__Envelope *a =
        map_data("order.signed", "{\"order_id\":\"T1\",\"signed_at\":\"2026-11-14T03:20:00.250Z\"}", &m1);
    Cs__V1__Envelope *b =
        map_data("order.signed", "{\"order_id\":\"T1\",\"signed_at\":\"2026-11-13T22:20:00.25-05:00\"}", &m2);
    Cs__V1__Envelope *c =
        map_data("inventory.level", "{\"sku\":\"S\",\"restock_date\":\"2026-11-13T00:00:00+08:00\"}", &m3);
    CT_CHECK(a && b && c);
    if (a && b && c) {
        CT_EQ_INT(a->order->signed_ms, cst(2026, 11, 14, 11, 20, 0) + 250);
        CT_EQ_INT(b->order->signed_ms, cst(2026, 11, 14, 11, 20, 0) + 250);
        CT_EQ_INT(c->inventory->restock_date_ms, cst(2026, 11, 13, 0, 0, 0));
    }
    const char *bad[] = {"2026-11-14T03:20:00",   "2026-02-30T00:00:00Z",     "2026-11-14T24:00:00Z",
                         "2026-11-14T03:20:60Z",  "2026-11-14T03:20:00+8:00", "1969-12-31T23:59:59Z",
                         "2026-11-14T03:20:00.Z", "2026-11-14T03:20:00Zjunk"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char data[160];
        snprintf(data, sizeof data, "{\"order_id\":\"T1\",\"signed_at\":\"%s\"}", bad[i]);
        expect_data_refused("order.signed", data, "data.signed_at", "RFC 3339");
    }
    cs__v1__envelope__free_unpacked(a, NULL);
    cs__v1__envelope__free_unpacked(b, NULL);
    cs__v1__envelope__free_unpacked(c, NULL);
    gw_mapped_free(&m1);
    gw_mapped_free(&m2);
    gw_mapped_free(&m3);
    teardown();
}

static void test_numeric_order_id_kept_to_the_digit(void) {
    gw_mapped m;
    setup();
    /* beyond 2^53: a double would make it ...432 -> ...432 +- 256 */
    Cs__V1__Envelope *env = map_data("order.closed", "{\"order_id\":2087654321098765432}", &m);
    CT_CHECK(env != NULL);
    if (env) {
        CT_EQ_STR(env->order->order->order_id, "2087654321098765432");
        CT_EQ_STR(m.rec[0].key, "shop-1:2087654321098765432");
    }
    expect_data_refused("order.closed", "{\"order_id\":-5}", "data.order_id", "not a non-negative integer");
    expect_data_refused("order.closed", "{\"order_id\":1.5}", "data.order_id", "not a non-negative integer");
    DONE(env, m)
}

/* ---- event ids ------------------------------------------------------------------------ */

static const char *NO_ID = "{\"type\":\"order.closed\",\"occurred_at\":\"2026-11-11T10:00:00Z\",\"data\":{\"order_id\":"
                           "\"T1\"}}";

static void test_event_id_from_webhook_id_header(void) {
    gw_mapped m;
    gw_error err;
    setup();
    CT_EQ_INT(map_len(NO_ID, strlen(NO_ID), "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", &m, &err), 0);
    CT_EQ_STR(m.event_id, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W");
    CT_EQ_STR(m.rec[0].event_id, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W");
    gw_mapped_free(&m);
    CT_EQ_INT(map_len(NO_ID, strlen(NO_ID), NULL, &m, &err), -1);
    CT_EQ_STR(err.field, "event_id");
    CT_EQ_INT(map_len(NO_ID, strlen(NO_ID), "has space", &m, &err), -1);
    CT_EQ_STR(err.field, "webhook-id");
    teardown();
}

static void test_event_id_body_and_header_must_match(void) {
    gw_mapped m;
    gw_error err;
    setup();
    char *b = body_of("order.closed", "{\"order_id\":\"T1\"}");
    CT_EQ_INT(map_len(b, strlen(b), "e-1", &m, &err), 0);
    CT_EQ_STR(m.event_id, "e-1");
    gw_mapped_free(&m);
    CT_EQ_INT(map_len(b, strlen(b), "e-2", &m, &err), -1);
    CT_EQ_STR(err.field, "event_id");
    CT_CHECK(strstr(err.reason, "webhook-id") != NULL);
    free(b);
    char long_id[200];
    memset(long_id, 'x', 129);
    long_id[129] = '\0';
    char body[512];
    snprintf(body, sizeof body,
             "{\"event_id\":\"%s\",\"type\":\"order.closed\",\"occurred_at\":\"2026-11-11T10:00:00Z\","
             "\"data\":{\"order_id\":\"T1\"}}",
             long_id);
    expect_refused(body, "event_id", "128");
    teardown();
}

/* ---- bodies that are not JSON objects ------------------------------------------------------- */

static void test_truncated_json_refused(void) {
    size_t len = 0;
    setup();
    char *body = example("order.created", &len);
    gw_mapped m;
    gw_error err;
    CT_CHECK(body != NULL);
    if (body) {
        CT_EQ_INT(map_len(body, len / 2, NULL, &m, &err), -1);
        CT_EQ_STR(err.field, "body");
        CT_CHECK(strstr(err.reason, "not JSON") != NULL);
    }
    free(body);
    expect_refused("", "body", "empty");
    expect_refused("{\"event_id\":\"e\"} {}", "body", "text after the value");
    teardown();
}

static void test_invalid_utf8_refused(void) {
    setup();
    expect_data_refused("order.closed", "{\"order_id\":\"T\xff\"}", "body", "not valid UTF-8");
    expect_data_refused("order.closed", "{\"order_id\":\"T\xc0\xaf\"}", "body", "not valid UTF-8");     /* overlong */
    expect_data_refused("order.closed", "{\"order_id\":\"T\xed\xa0\x80\"}", "body", "not valid UTF-8"); /* surrogate */
    expect_data_refused("order.closed", "{\"order_id\":\"T\xe6\x9d\"}", "body", "not valid UTF-8");     /* cut */
    expect_data_refused("order.closed", "{\"order_id\":\"T\\u0000x\"}", "body", "u0000");
    gw_mapped m;
    gw_error err;
    const char nul[] = "{\"event_id\":\"e\0\"}";
    CT_EQ_INT(map_len(nul, sizeof nul - 1, NULL, &m, &err), -1);
    CT_EQ_STR(err.field, "body");
    teardown();
}

static void test_deep_nesting_refused_without_recursion(void) {
    setup();
    size_t n = 10000;
    char *deep = malloc(n + 1);
    memset(deep, '[', n);
    deep[n] = '\0';
    expect_refused(deep, "body", "nested deeper than 32");
    /* also inside data, where the mapping would otherwise see it */
    char *data = malloc(2 * n + 64);
    strcpy(data, "{\"order_id\":\"T1\",\"x\":");
    size_t k = strlen(data);
    memset(data + k, '[', 40);
    memset(data + k + 40, ']', 40);
    strcpy(data + k + 80, "}");
    expect_data_refused("order.closed", data, "body", "nested deeper");
    /* brackets inside strings are text, not nesting */
    char *text = body_of("order.closed", "{\"order_id\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}");
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map_str(text, &m, &err), 0);
    gw_mapped_free(&m);
    free(text);
    free(data);
    free(deep);
    teardown();
}

static void test_non_object_body_refused(void) {
    setup();
    expect_refused("[1,2]", "body", "an array; a JSON object expected");
    expect_refused("\"order.created\"", "body", "a string; a JSON object expected");
    expect_refused("42", "body", "a JSON number; a JSON object expected");
    expect_refused("null", "body", "a JSON object expected");
    expect_refused("true", "body", "a JSON object expected");
    teardown();
}

static void test_currency_other_than_shops_refused(void) {
    gw_mapped m;
    gw_error err;
    setup();
    const char *usd = "{\"event_id\":\"e\",\"type\":\"order.closed\",\"occurred_at\":\"2026-11-11T10:00:00Z\","
                      "\"currency\":\"USD\",\"data\":{\"order_id\":\"T1\"}}";
    expect_refused(usd, "currency", "the shop's currency is CNY");
    memcpy(shop.currency, "USD", 4); /* the same body for a USD shop is fine */
    CT_EQ_INT(map_str(usd, &m, &err), 0);
    gw_mapped_free(&m);
    teardown();
}

/* ---- examples, types and the schema agree -------------------------------------------------------- */

static void test_every_type_has_an_example_that_maps(void) {
    setup();
    for (size_t i = 0; i < NTYPES; i++) {
        gw_mapped m;
        Cs__V1__Envelope *env = map_example(TYPES[i], &m);
        if (!env) fprintf(stderr, "  example %s does not map\n", TYPES[i]);
        CT_CHECK(env != NULL);
        if (env) CT_EQ_INT(m.n, 1);
        cs__v1__envelope__free_unpacked(env, NULL);
        gw_mapped_free(&m);
    }
    teardown();
}

static bool known_type(const char *t) {
    for (size_t i = 0; i < NTYPES; i++)
        if (strcmp(TYPES[i], t) == 0) return true;
    return false;
}

static void test_example_files_are_known_types(void) {
    char path[1024];
    const char *data = getenv("CS_TEST_DATA");
    snprintf(path, sizeof path, "%s/webhooks/generic", data ? data : "tests/data");
    DIR *d = opendir(path);
    CT_CHECK(d != NULL);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
        char t[256];
        snprintf(t, sizeof t, "%.*s", (int)(len - 5), e->d_name);
        if (!known_type(t)) fprintf(stderr, "  example %s is no generic type\n", e->d_name);
        CT_CHECK(known_type(t));
        n++;
    }
    if (d) closedir(d);
    CT_EQ_INT(n, NTYPES);
}

static void test_schema_names_every_example_type(void) {
    char path[1024];
    const char *src = getenv("CS_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/docs/webhooks-generic.schema.json", src ? src : ".");
    char *schema = read_text(path, NULL);
    CT_CHECK(schema != NULL);
    for (size_t i = 0; schema && i < NTYPES; i++) {
        char needle[128];
        snprintf(needle, sizeof needle, "\"const\": \"%s\"", TYPES[i]);
        if (!strstr(schema, needle)) fprintf(stderr, "  schema lacks %s\n", needle);
        CT_CHECK(strstr(schema, needle) != NULL);
    }
    free(schema);
}

CT_MAIN(CT_CASE(test_order_created_full_order), CT_CASE(test_order_paid_payment_group),
        CT_CASE(test_order_fee_changed_discounts_and_shipping), CT_CASE(test_order_address_changed_receiver),
        CT_CASE(test_order_memo_changed_memo_group), CT_CASE(test_order_lines_changed_lines),
        CT_CASE(test_order_shipped_shipment), CT_CASE(test_order_signed_time),
        CT_CASE(test_order_cancelled_lines_reason_refund), CT_CASE(test_order_cancelled_whole_order_has_no_line_ids),
        CT_CASE(test_order_closed_kind_only), CT_CASE(test_aftersales_case_every_field),
        CT_CASE(test_aftersales_complaint_level_and_times), CT_CASE(test_aftersales_dispute_fields),
        CT_CASE(test_review_posted), CT_CASE(test_review_revised_sets_revision),
        CT_CASE(test_review_requires_rating_revision_does_not), CT_CASE(test_inventory_level_keyed_by_sku),
        CT_CASE(test_inventory_count_without_time_dated_by_occurred_at), CT_CASE(test_contact_call_result),
        CT_CASE(test_contact_presence_keyed_by_buyer), CT_CASE(test_contact_sms_reply_keyed_by_phone),
        CT_CASE(test_contact_chaser), CT_CASE(test_contact_invoice), CT_CASE(test_contact_case_update),
        CT_CASE(test_money_strings_to_the_fen), CT_CASE(test_money_refused_with_field_named),
        CT_CASE(test_missing_required_fields_named), CT_CASE(test_wrong_types_named),
        CT_CASE(test_unknown_type_named_without_echo), CT_CASE(test_unknown_keys_ignored),
        CT_CASE(test_times_offsets_fractions_and_dates), CT_CASE(test_numeric_order_id_kept_to_the_digit),
        CT_CASE(test_event_id_from_webhook_id_header), CT_CASE(test_event_id_body_and_header_must_match),
        CT_CASE(test_truncated_json_refused), CT_CASE(test_invalid_utf8_refused),
        CT_CASE(test_deep_nesting_refused_without_recursion), CT_CASE(test_non_object_body_refused),
        CT_CASE(test_currency_other_than_shops_refused), CT_CASE(test_every_type_has_an_example_that_maps),
        CT_CASE(test_example_files_are_known_types), CT_CASE(test_schema_names_every_example_type))
