/* test_map_shopify.c -- gateway/map/shopify.c: every Shopify topic the
 * gateway takes, from the example bodies of tests/data/webhooks/shopify,
 * checked field by field in the packed envelope; the decisions of
 * docs/webhooks-platforms.md (orders/updated as four field groups,
 * refunds/create as a refunded case, payment gateways, tax on top); and
 * bodies refused with the JSON path or header at fault. */
#include "platform_fixture.h"

#include "cs/topics.h"

#define ORDER "5832104857653"
#define KEY "shop-1:" ORDER
#define WID "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"

static cs_shop shop;

/* The example body of topic ("orders/create" is orders_create.json). */
static char *example(const char *topic) {
    char rel[160];
    snprintf(rel, sizeof rel, "webhooks/shopify/%s.json", topic);
    for (char *p = rel + strlen("webhooks/shopify/"); *p; p++)
        if (*p == '/') *p = '_';
    return pf_read(rel);
}

static int map_as(const char *topic, char *body, gw_mapped *m, gw_error *err) {
    return pf_map(CS_WEBHOOK_SHOPIFY, &shop, body, topic, WID, m, err);
}

static int map(const char *topic, gw_mapped *m, gw_error *err) { return map_as(topic, example(topic), m, err); }

/* ---- orders ------------------------------------------------------------------------- */

static void test_orders_create_is_the_full_order(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map("orders/create", &m, &err), 0);
    CT_EQ_INT(m.n, 1);
    CT_EQ_STR(m.event_id, WID);
    CT_EQ_STR(m.kind, "orders/create");
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        pf_check_stamp(&m, 0, env, CS_TOPIC_ORDERS, KEY, WID, pf_utc_ms(2026, 11, 11, 2, 0, 0), "shopify");
        const Cs__V1__Order *o = ev->order;
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED);
        CT_EQ_STR(o->order_id, ORDER);
        CT_EQ_STR(o->buyer_id, "7012345678901");
        CT_EQ_INT(o->channel, CS__V1__CHANNEL__CHANNEL_OWN_SITE);
        CT_EQ_INT(o->created_ms, pf_utc_ms(2026, 11, 11, 2, 0, 0));
        CT_EQ_INT(o->modified_ms, pf_utc_ms(2026, 11, 11, 2, 0, 3));
        CT_EQ_INT(o->n_lines, 2);
        if (o->n_lines == 2) {
            CT_EQ_STR(o->lines[0]->line_id, "14012345678901");
            CT_EQ_STR(o->lines[0]->sku, "TEA-LJ-250G");
            CT_EQ_STR(o->lines[0]->title, "西湖龙井 明前特级");
            CT_EQ_INT(o->lines[0]->quantity, 1);
            CT_EQ_INT(o->lines[0]->unit_price_fen, 5990);
            CT_EQ_STR(o->lines[1]->line_id, "14012345678902");
            CT_EQ_STR(o->lines[1]->sku, "CUP-GLASS-300");
            CT_EQ_INT(o->lines[1]->quantity, 2);
            CT_EQ_INT(o->lines[1]->unit_price_fen, 2990);
        }
        CT_EQ_INT(o->n_discounts, 1);
        if (o->n_discounts == 1) {
            CT_EQ_STR(o->discounts[0]->kind, "coupon");
            CT_EQ_INT(o->discounts[0]->amount_fen, 1000);
        }
        CT_EQ_INT(o->shipping_fee_fen, 800);
        CT_EQ_INT(o->payment_method, CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM);
        CT_CHECK(!o->cod);
        CT_EQ_INT(o->paid_ms, 0); /* financial_status pending */
        CT_EQ_INT(o->paid_amount_fen, 0);
        CT_CHECK(o->receiver && o->receiver->address);
        if (o->receiver && o->receiver->address) {
            CT_EQ_STR(o->receiver->name, "张三");
            CT_EQ_STR(o->receiver->phone, "13800138000");
            CT_EQ_STR(o->receiver->address->province, "浙江省");
            CT_EQ_STR(o->receiver->address->city, "杭州市");
            CT_EQ_STR(o->receiver->address->district, ""); /* Shopify has none (OV-3: address_required) */
            CT_EQ_STR(o->receiver->address->street, "西湖区文三路 478 号 华星时代广场 A 座 1201 室");
            CT_EQ_STR(o->receiver->address->postcode, "310012");
        }
        CT_EQ_STR(o->buyer_message, "请周末送货，工作日家里没人");
        CT_CHECK(o->gift_wrap);
        CT_CHECK(!o->installation);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_orders_create_already_paid_carries_the_payment(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("orders/create"), "\"financial_status\": \"pending\"", "\"financial_status\": \"paid\"");
    CT_EQ_INT(map_as("orders/create", b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        CT_EQ_INT(ev->order->paid_amount_fen, 11770);
        CT_EQ_INT(ev->order->paid_ms, pf_utc_ms(2026, 11, 11, 2, 0, 0)); /* processed_at */
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_orders_paid_carries_the_payment_only(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map("orders/paid", &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        pf_check_stamp(&m, 0, env, CS_TOPIC_ORDERS, KEY, WID, pf_utc_ms(2026, 11, 11, 2, 2, 41), "shopify");
        const Cs__V1__Order *o = ev->order;
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID);
        CT_EQ_INT(o->paid_amount_fen, 11770);
        CT_EQ_INT(o->paid_ms, pf_utc_ms(2026, 11, 11, 2, 2, 41)); /* updated_at */
        CT_EQ_INT(o->payment_method, CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM);
        CT_EQ_INT(o->n_lines, 0);
        CT_CHECK(o->receiver == NULL);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_orders_updated_is_address_memo_fee_and_lines(void) {
    static const Cs__V1__OrderEventKind kinds[] = {
        CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED,
        CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED,
        CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_FEE_CHANGED,
        CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_LINES_CHANGED,
    };
    static const char *const ids[] = {WID, WID "#1", WID "#2", WID "#3"};
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map("orders/updated", &m, &err), 0);
    CT_EQ_INT(m.n, 4);
    CT_EQ_STR(m.event_id, WID);
    for (size_t i = 0; i < 4 && i < m.n; i++) {
        Cs__V1__Envelope *env;
        const Cs__V1__OrderEvent *ev = pf_order_event(&m, i, &env);
        if (!ev) continue;
        pf_check_stamp(&m, i, env, CS_TOPIC_ORDERS, KEY, ids[i], pf_utc_ms(2026, 11, 11, 3, 20, 0), "shopify");
        CT_EQ_INT(ev->kind, kinds[i]);
        const Cs__V1__Order *o = ev->order;
        CT_EQ_STR(o->order_id, ORDER);
        CT_EQ_INT(o->modified_ms, pf_utc_ms(2026, 11, 11, 3, 20, 0));
        /* each record carries its own group and no other */
        CT_EQ_INT(o->receiver != NULL, i == 0);
        CT_EQ_INT(o->buyer_message[0] != '\0', i == 1);
        CT_EQ_INT(o->n_discounts, i == 2 ? 1 : 0);
        CT_EQ_INT(o->n_lines, i == 3 ? 2 : 0);
        CT_EQ_INT(o->paid_amount_fen, 0);
        if (i == 0 && o->receiver && o->receiver->address) {
            CT_EQ_STR(o->receiver->phone, "13900139000");
            CT_EQ_STR(o->receiver->address->province, "上海市");
            CT_EQ_STR(o->receiver->address->city, "上海市");
            CT_EQ_STR(o->receiver->address->street, "浦东新区世纪大道 1001 号 12 楼");
            CT_EQ_STR(o->receiver->address->postcode, "200120");
        }
        if (i == 1) {
            CT_EQ_STR(o->buyer_message, "请周末送货，工作日家里没人；地址已改到公司");
            CT_CHECK(o->gift_wrap);
        }
        if (i == 2) {
            CT_EQ_INT(o->shipping_fee_fen, 800);
            if (o->n_discounts) CT_EQ_INT(o->discounts[0]->amount_fen, 1000);
        }
        pf_env_free(env);
    }
    gw_mapped_free(&m);
}

static void test_orders_updated_without_address_changes_no_address(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("orders/updated"), "\"shipping_address\": {", "\"no_shipping_address\": {");
    CT_EQ_INT(map_as("orders/updated", b, &m, &err), 0);
    CT_EQ_INT(m.n, 3);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED);
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_orders_cancelled_is_a_cancellation_with_its_reason(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map("orders/cancelled", &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        pf_check_stamp(&m, 0, env, CS_TOPIC_ORDERS, "shop-1:5832104857699", WID, pf_utc_ms(2026, 11, 11, 12, 31, 10),
                       "shopify");
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED);
        CT_CHECK(ev->cancellation != NULL);
        if (ev->cancellation) {
            CT_EQ_STR(ev->cancellation->reason, "customer");
            CT_EQ_INT(ev->cancellation->n_line_ids, 0);
            CT_EQ_INT(ev->cancellation->refund_fen, 0);
        }
        CT_EQ_INT(ev->order->n_lines, 0);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_orders_fulfilled_is_the_shipment(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map("orders/fulfilled", &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        pf_check_stamp(&m, 0, env, CS_TOPIC_ORDERS, KEY, WID, pf_utc_ms(2026, 11, 12, 8, 31, 5), "shopify");
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED);
        CT_CHECK(ev->shipment != NULL);
        if (ev->shipment) {
            CT_EQ_STR(ev->shipment->courier, "SF");
            CT_EQ_STR(ev->shipment->tracking_no, "SF1402345678901");
            CT_EQ_INT(ev->shipment->shipped_ms, pf_utc_ms(2026, 11, 12, 8, 30, 0));
        }
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_orders_payment_gateways(void) {
    static const struct {
        const char *gateway;
        Cs__V1__PaymentMethod method;
    } cases[] = {
        {"Cash on Delivery (COD)", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD},
        {"Bank Deposit", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER},
        {"manual", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER},
        {"alipay", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_OWN_SITE_ALIPAY},
        {"UnionPay online banking", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_ONLINE_BANKING},
        {"paypal", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gw_mapped m;
        gw_error err;
        char to[96];
        snprintf(to, sizeof to, "\"%s\"\n  ]", cases[i].gateway);
        char *b = pf_edit(example("orders/create"), "\"shopify_payments\"\n  ]", to);
        CT_EQ_INT(map_as("orders/create", b, &m, &err), 0);
        Cs__V1__Envelope *env;
        const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
        if (ev) {
            CT_EQ_INT(ev->order->payment_method, cases[i].method);
            CT_EQ_INT(ev->order->cod, cases[i].method == CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD);
        }
        pf_env_free(env);
        gw_mapped_free(&m);
    }
}

static void test_orders_tax_on_top_rides_on_the_shipping_fee(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("orders/create"), "\"total_tax\": \"0.00\",\n  \"taxes_included\": true",
                      "\"total_tax\": \"5.00\",\n  \"taxes_included\": false");
    CT_EQ_INT(map_as("orders/create", b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) CT_EQ_INT(ev->order->shipping_fee_fen, 1300);
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_orders_line_without_sku_takes_the_variant(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("orders/create"), "\"sku\": \"TEA-LJ-250G\"", "\"sku\": \"\"");
    CT_EQ_INT(map_as("orders/create", b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev && ev->order->n_lines) CT_EQ_STR(ev->order->lines[0]->sku, "45012345678901");
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_orders_guest_buyer_is_the_email(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("orders/create"), "\"customer\": {", "\"no_customer\": {");
    CT_EQ_INT(map_as("orders/create", b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) CT_EQ_STR(ev->order->buyer_id, "xiaoming@example.com");
    pf_env_free(env);
    gw_mapped_free(&m);
}

/* ---- refunds ---------------------------------------------------------------------- */

static void test_refunds_create_is_a_refunded_case(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map("refunds/create", &m, &err), 0);
    CT_EQ_INT(m.n, 1);
    Cs__V1__Envelope *env;
    const Cs__V1__AfterSalesCase *k = pf_case(&m, 0, &env);
    if (k) {
        pf_check_stamp(&m, 0, env, CS_TOPIC_AFTERSALES, KEY, WID, pf_utc_ms(2026, 11, 18, 7, 20, 0), "shopify");
        CT_EQ_STR(k->case_id, "929361464");
        CT_EQ_STR(k->order_id, ORDER);
        CT_EQ_STR(k->sku, "TEA-LJ-250G");
        CT_EQ_INT(k->type, CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND);
        CT_EQ_INT(k->reason, CS__V1__CASE_REASON__CASE_REASON_QUALITY);
        CT_EQ_INT(k->stage, CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED);
        CT_EQ_INT(k->amount_fen, 5990);
        CT_EQ_INT(k->requested_ms, pf_utc_ms(2026, 11, 18, 7, 20, 0));
        CT_CHECK(k->buyer_wants_return);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_refunds_count_only_money_that_moved(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("refunds/create"), "\"restock_type\": \"return\"", "\"restock_type\": \"no_restock\"");
    b = pf_edit(b, "\"status\": \"success\"", "\"status\": \"failure\"");
    CT_EQ_INT(map_as("refunds/create", b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__AfterSalesCase *k = pf_case(&m, 0, &env);
    if (k) {
        CT_EQ_INT(k->type, CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY);
        CT_EQ_INT(k->amount_fen, 0);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

/* ---- every example, and refusals ---------------------------------------------------------- */

static void test_every_example_maps_to_its_topic(void) {
    static const char *const topics[] = {"orders/create",    "orders/paid",      "orders/updated",
                                         "orders/cancelled", "orders/fulfilled", "refunds/create"};
    for (size_t i = 0; i < sizeof topics / sizeof *topics; i++) {
        gw_mapped m;
        gw_error err;
        int rc = map(topics[i], &m, &err);
        if (rc != 0) fprintf(stderr, "  %s: %s: %s\n", topics[i], err.field, err.reason);
        CT_EQ_INT(rc, 0);
        CT_CHECK(m.n >= 1);
        CT_EQ_STR(m.kind, topics[i]);
        gw_mapped_free(&m);
    }
}

static void test_refused_other_currency(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("orders/create"), "\"currency\": \"CNY\"", "\"currency\": \"USD\"");
    pf_check_refused(map_as("orders/create", b, &m, &err), &m, &err, "currency", "CNY");
}

static void test_refused_refund_in_other_currency(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("refunds/create"), "\"currency\": \"CNY\"", "\"currency\": \"HKD\"");
    pf_check_refused(map_as("refunds/create", b, &m, &err), &m, &err, "transactions[0].currency", "CNY");
}

static void test_refused_money_as_a_number(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("orders/paid"), "\"total_price\": \"117.70\"", "\"total_price\": 117.70");
    pf_check_refused(map_as("orders/paid", b, &m, &err), &m, &err, "total_price", "decimal string");
}

static void test_refused_line_price_as_a_number(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("orders/create"), "\"price\": \"29.90\"", "\"price\": 29.9");
    pf_check_refused(map_as("orders/create", b, &m, &err), &m, &err, "line_items[1].price", "decimal string");
}

static void test_refused_missing_line_quantity(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("orders/create"), "\"quantity\": 1,", "");
    pf_check_refused(map_as("orders/create", b, &m, &err), &m, &err, "line_items[0].quantity", "required");
}

static void test_refused_missing_order_id(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("orders/paid"), "\"id\": 5832104857653,", "");
    pf_check_refused(map_as("orders/paid", b, &m, &err), &m, &err, "id", "required");
}

static void test_refused_created_without_buyer(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("orders/create"), "\"customer\": {", "\"no_customer\": {");
    b = pf_edit(b, "\"email\": \"xiaoming@example.com\",", "");
    pf_check_refused(map_as("orders/create", b, &m, &err), &m, &err, "customer.id", "required");
}

static void test_refused_fulfilled_without_fulfillment(void) {
    gw_mapped m;
    gw_error err;
    pf_check_refused(map_as("orders/fulfilled", example("orders/paid"), &m, &err), &m, &err, "fulfillments", "empty");
}

static void test_refused_cancelled_without_time(void) {
    gw_mapped m;
    gw_error err;
    pf_check_refused(map_as("orders/cancelled", example("orders/paid"), &m, &err), &m, &err, "cancelled_at",
                     "required");
}

static void test_refused_address_part_not_a_string(void) {
    gw_mapped m;
    gw_error err;
    char *b =
        pf_edit(example("orders/create"), "\"city\": \"杭州市\",\n    \"province\": \"浙江省\",\n    \"province_code\"",
                "\"city\": 330100,\n    \"province\": \"浙江省\",\n    \"province_code\"");
    pf_check_refused(map_as("orders/create", b, &m, &err), &m, &err, "shipping_address.city", "string");
}

static void test_refused_unknown_or_missing_topic(void) {
    gw_mapped m;
    gw_error err;
    pf_check_refused(map_as("products/update", example("orders/create"), &m, &err), &m, &err, "X-Shopify-Topic",
                     "not a Shopify topic");
    pf_check_refused(map_as(NULL, example("orders/create"), &m, &err), &m, &err, "X-Shopify-Topic", "required");
}

static void test_refused_missing_webhook_id(void) {
    gw_mapped m;
    gw_error err;
    int rc = pf_map(CS_WEBHOOK_SHOPIFY, &shop, example("orders/create"), "orders/create", NULL, &m, &err);
    pf_check_refused(rc, &m, &err, "X-Shopify-Webhook-Id", "visible ASCII");
}

static void setup(void) {
    ct_shop_init(&shop, "Asia/Shanghai");
    shop.channel = CS_CHANNEL_OWN_SITE;
    shop.shopify_domain = (char *)"xihu-tea.myshopify.com";
    snprintf(shop.currency, sizeof shop.currency, "CNY");
    shop.address_required = CS_ADDR_PROVINCE | CS_ADDR_CITY | CS_ADDR_STREET;
}

int main(void) {
    static const ct_case cases[] = {
        CT_CASE(test_orders_create_is_the_full_order),
        CT_CASE(test_orders_create_already_paid_carries_the_payment),
        CT_CASE(test_orders_paid_carries_the_payment_only),
        CT_CASE(test_orders_updated_is_address_memo_fee_and_lines),
        CT_CASE(test_orders_updated_without_address_changes_no_address),
        CT_CASE(test_orders_cancelled_is_a_cancellation_with_its_reason),
        CT_CASE(test_orders_fulfilled_is_the_shipment),
        CT_CASE(test_orders_payment_gateways),
        CT_CASE(test_orders_tax_on_top_rides_on_the_shipping_fee),
        CT_CASE(test_orders_line_without_sku_takes_the_variant),
        CT_CASE(test_orders_guest_buyer_is_the_email),
        CT_CASE(test_refunds_create_is_a_refunded_case),
        CT_CASE(test_refunds_count_only_money_that_moved),
        CT_CASE(test_every_example_maps_to_its_topic),
        CT_CASE(test_refused_other_currency),
        CT_CASE(test_refused_refund_in_other_currency),
        CT_CASE(test_refused_money_as_a_number),
        CT_CASE(test_refused_line_price_as_a_number),
        CT_CASE(test_refused_missing_line_quantity),
        CT_CASE(test_refused_missing_order_id),
        CT_CASE(test_refused_created_without_buyer),
        CT_CASE(test_refused_fulfilled_without_fulfillment),
        CT_CASE(test_refused_cancelled_without_time),
        CT_CASE(test_refused_address_part_not_a_string),
        CT_CASE(test_refused_unknown_or_missing_topic),
        CT_CASE(test_refused_missing_webhook_id),
    };
    setup();
    int rc = ct_run(cases, sizeof cases / sizeof *cases);
    ct_shop_done(&shop);
    return rc;
}
