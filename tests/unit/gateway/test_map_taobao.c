/* test_map_taobao.c -- gateway/map/taobao.c: every Taobao topic the gateway
 * takes, from the example bodies of tests/data/webhooks/taobao, checked
 * field by field in the packed envelope; the decisions of
 * docs/webhooks-platforms.md (TradeClose, TradeSuccess, ratings, the
 * refund reason table); and bodies refused with the JSON path at fault. */
#include "platform_fixture.h"
#include "platform.h"

#include "cs/topics.h"

#define TID "4012345678901234567"
#define OID1 "4012345678901234568"
#define OID2 "4012345678901234569"
#define KEY "shop-1:" TID

static cs_shop shop;

/* The example body of topic. */
static char *example(const char *topic) {
    char rel[160];
    snprintf(rel, sizeof rel, "webhooks/taobao/%s.json", topic);
    return pf_read(rel);
}

/* An edit inside content, written with ' for content's escaped quotes
 * (content is a JSON string: "tid":1 reads \"tid\":1 in the body). */
static char *edit(char *body, const char *from, const char *to) {
    char f[512], t[512];
    size_t i = 0, k = 0;
    for (const char *p = from; *p && i + 2 < sizeof f; p++)
        if (*p == '\'')
            f[i++] = '\\', f[i++] = '"';
        else
            f[i++] = *p;
    for (const char *p = to; *p && k + 2 < sizeof t; p++)
        if (*p == '\'')
            t[k++] = '\\', t[k++] = '"';
        else
            t[k++] = *p;
    f[i] = t[k] = '\0';
    return pf_edit(body, f, t);
}

static int map(char *body, gw_mapped *m, gw_error *err) {
    return pf_map(CS_WEBHOOK_TAOBAO, &shop, body, NULL, NULL, m, err);
}

/* ---- trades ---------------------------------------------------------------------- */

static void test_trade_create_is_the_full_order(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map(example("taobao_trade_TradeCreate"), &m, &err), 0);
    CT_EQ_INT(m.n, 1);
    CT_EQ_STR(m.event_id, "2140000000012345001");
    CT_EQ_STR(m.kind, "taobao_trade_TradeCreate");
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        pf_check_stamp(&m, 0, env, CS_TOPIC_ORDERS, KEY, "2140000000012345001", pf_cn_ms(2026, 11, 11, 10, 0, 1),
                       "taobao");
        const Cs__V1__Order *o = ev->order;
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED);
        CT_EQ_STR(o->order_id, TID); /* 19 digits, exactly, from a JSON number */
        CT_EQ_STR(o->buyer_id, "小明同学");
        CT_EQ_INT(o->channel, CS__V1__CHANNEL__CHANNEL_TAOBAO);
        CT_EQ_INT(o->created_ms, pf_cn_ms(2026, 11, 11, 10, 0, 0));
        CT_EQ_INT(o->modified_ms, pf_cn_ms(2026, 11, 11, 10, 0, 0));
        CT_EQ_INT(o->n_lines, 2);
        if (o->n_lines == 2) {
            CT_EQ_STR(o->lines[0]->line_id, OID1);
            CT_EQ_STR(o->lines[0]->sku, "TEA-LJ-250G");
            CT_EQ_STR(o->lines[0]->title, "西湖龙井 明前特级 250g 罐装");
            CT_EQ_INT(o->lines[0]->quantity, 1);
            CT_EQ_INT(o->lines[0]->unit_price_fen, 5990);
            CT_EQ_STR(o->lines[1]->line_id, OID2);
            CT_EQ_STR(o->lines[1]->sku, "CUP-GLASS-300");
            CT_EQ_INT(o->lines[1]->quantity, 2);
            CT_EQ_INT(o->lines[1]->unit_price_fen, 2990);
            CT_CHECK(!o->lines[0]->presale && !o->lines[0]->gift);
        }
        CT_EQ_INT(o->n_discounts, 1);
        if (o->n_discounts == 1) {
            CT_EQ_STR(o->discounts[0]->kind, "promotion");
            CT_EQ_INT(o->discounts[0]->amount_fen, 1000);
        }
        CT_EQ_INT(o->shipping_fee_fen, 800); /* 119.70 - 10.00 + 8.00 = 117.70 payable (OV-2) */
        CT_EQ_INT(o->payment_method, CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM);
        CT_CHECK(!o->cod);
        CT_EQ_INT(o->paid_ms, 0); /* created unpaid: payment is what is due */
        CT_EQ_INT(o->paid_amount_fen, 0);
        CT_CHECK(o->receiver && o->receiver->address);
        if (o->receiver && o->receiver->address) {
            CT_EQ_STR(o->receiver->name, "张三");
            CT_EQ_STR(o->receiver->phone, "13800138000");
            CT_EQ_STR(o->receiver->address->province, "浙江省");
            CT_EQ_STR(o->receiver->address->city, "杭州市");
            CT_EQ_STR(o->receiver->address->district, "西湖区");
            CT_EQ_STR(o->receiver->address->street, "文三路 478 号华星时代广场 A 座 1201 室");
            CT_EQ_STR(o->receiver->address->postcode, "310012");
        }
        CT_EQ_STR(o->buyer_message, "请用顺丰发货，周末也可以送");
        CT_EQ_STR(o->seller_memo, "");
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_create_on_a_tmall_shop_is_a_tmall_order(void) {
    gw_mapped m;
    gw_error err;
    shop.channel = CS_CHANNEL_TMALL;
    CT_EQ_INT(map(example("taobao_trade_TradeCreate"), &m, &err), 0);
    shop.channel = CS_CHANNEL_TAOBAO;
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) CT_EQ_INT(ev->order->channel, CS__V1__CHANNEL__CHANNEL_TMALL);
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_buyer_pay_carries_the_payment_only(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map(example("taobao_trade_TradeBuyerPay"), &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        pf_check_stamp(&m, 0, env, CS_TOPIC_ORDERS, KEY, "2140000000012345003", pf_cn_ms(2026, 11, 11, 10, 5, 13),
                       "taobao");
        const Cs__V1__Order *o = ev->order;
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID);
        CT_EQ_STR(o->order_id, TID);
        CT_EQ_INT(o->paid_amount_fen, 10470);
        CT_EQ_INT(o->paid_ms, pf_cn_ms(2026, 11, 11, 10, 5, 12));
        CT_EQ_INT(o->modified_ms, pf_cn_ms(2026, 11, 11, 10, 5, 12));
        CT_EQ_INT(o->payment_method, CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM);
        /* OV-12: the other groups are not this event's */
        CT_EQ_INT(o->n_lines, 0);
        CT_EQ_INT(o->n_discounts, 0);
        CT_CHECK(o->receiver == NULL);
        CT_EQ_STR(o->buyer_id, "");
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_modify_fee_lowered_price_is_a_discount(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map(example("taobao_trade_TradeModifyFee"), &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        const Cs__V1__Order *o = ev->order;
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_FEE_CHANGED);
        CT_EQ_INT(o->modified_ms, pf_cn_ms(2026, 11, 11, 10, 3, 0));
        CT_EQ_INT(o->shipping_fee_fen, 0);
        CT_EQ_INT(o->n_discounts, 2);
        if (o->n_discounts == 2) {
            CT_EQ_STR(o->discounts[0]->kind, "promotion");
            CT_EQ_INT(o->discounts[0]->amount_fen, 1000);
            CT_EQ_STR(o->discounts[1]->kind, "seller_adjust"); /* orders[1].adjust_fee "-5.00" */
            CT_EQ_INT(o->discounts[1]->amount_fen, 500);
        }
        CT_EQ_INT(o->n_lines, 0);
        CT_EQ_INT(o->paid_amount_fen, 0);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_raised_price_rides_on_the_shipping_fee(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeModifyFee"), "'adjust_fee':'-5.00'", "'adjust_fee':'3.50'");
    CT_EQ_INT(map(b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        CT_EQ_INT(ev->order->shipping_fee_fen, 350);
        CT_EQ_INT(ev->order->n_discounts, 1);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_address_changed_carries_the_receiver(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map(example("taobao_trade_TradeLogisticsAddressChanged"), &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        const Cs__V1__Order *o = ev->order;
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED);
        CT_EQ_INT(o->modified_ms, pf_cn_ms(2026, 11, 11, 11, 20, 0));
        CT_CHECK(o->receiver && o->receiver->address);
        if (o->receiver && o->receiver->address) {
            CT_EQ_STR(o->receiver->name, "张三");
            CT_EQ_STR(o->receiver->phone, "13900139000");
            CT_EQ_STR(o->receiver->address->province, "上海");
            CT_EQ_STR(o->receiver->address->city, "上海市");
            CT_EQ_STR(o->receiver->address->district, "浦东新区");
            CT_EQ_STR(o->receiver->address->street, "世纪大道 1001 号 12 楼");
            CT_EQ_STR(o->receiver->address->postcode, "200120");
        }
        CT_EQ_INT(o->n_lines, 0);
        CT_EQ_STR(o->buyer_message, "");
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_landline_when_no_mobile(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeLogisticsAddressChanged"), "'receiver_mobile':'13900139000',", "");
    CT_EQ_INT(map(b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev && ev->order->receiver) CT_EQ_STR(ev->order->receiver->phone, "0571-88886666");
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_memo_modified_carries_message_and_memo(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map(example("taobao_trade_TradeMemoModified"), &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED);
        CT_EQ_STR(ev->order->seller_memo, "已与买家确认：加送试饮装两包");
        CT_EQ_STR(ev->order->buyer_message, "请用顺丰发货，周末也可以送");
        CT_EQ_INT(ev->order->modified_ms, pf_cn_ms(2026, 11, 11, 14, 2, 30));
        CT_CHECK(ev->order->receiver == NULL);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_seller_ship_is_the_shipment(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map(example("taobao_trade_TradeSellerShip"), &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        pf_check_stamp(&m, 0, env, CS_TOPIC_ORDERS, KEY, "2140000000012345006", pf_cn_ms(2026, 11, 12, 16, 30, 4),
                       "taobao");
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED);
        CT_CHECK(ev->shipment != NULL);
        if (ev->shipment) {
            CT_EQ_STR(ev->shipment->courier, "SF");
            CT_EQ_STR(ev->shipment->tracking_no, "SF1402345678901");
            CT_EQ_INT(ev->shipment->shipped_ms, pf_cn_ms(2026, 11, 12, 16, 30, 0));
        }
        CT_EQ_INT(ev->order->n_lines, 0);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_seller_ship_courier_from_the_line(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeSellerShip"),
                   ",'company_code':'SF','company_name':'顺丰速运','out_sid':'SF1402345678901'", "");
    CT_EQ_INT(map(b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev && ev->shipment) {
        CT_EQ_STR(ev->shipment->courier, "顺丰速运");
        CT_EQ_STR(ev->shipment->tracking_no, "SF1402345678901");
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_success_is_signed_then_closed(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map(example("taobao_trade_TradeSuccess"), &m, &err), 0);
    CT_EQ_INT(m.n, 2);
    Cs__V1__Envelope *e0, *e1;
    const Cs__V1__OrderEvent *signed_ev = pf_order_event(&m, 0, &e0);
    const Cs__V1__OrderEvent *closed = pf_order_event(&m, 1, &e1);
    int64_t pub = pf_cn_ms(2026, 11, 15, 9, 12, 3);
    if (signed_ev && closed) {
        pf_check_stamp(&m, 0, e0, CS_TOPIC_ORDERS, KEY, "2140000000012345007", pub, "taobao");
        pf_check_stamp(&m, 1, e1, CS_TOPIC_ORDERS, KEY, "2140000000012345007#1", pub, "taobao");
        CT_EQ_INT(signed_ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SIGNED);
        CT_EQ_INT(signed_ev->signed_ms, pf_cn_ms(2026, 11, 15, 9, 12, 0)); /* end_time */
        CT_EQ_INT(closed->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED);
        CT_EQ_STR(closed->order->order_id, TID);
        CT_EQ_INT(closed->order->modified_ms, pf_cn_ms(2026, 11, 15, 9, 12, 0));
    }
    pf_env_free(e0);
    pf_env_free(e1);
    gw_mapped_free(&m);
}

static void test_trade_close_before_payment_is_a_cancellation_with_its_reason(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map(example("taobao_trade_TradeClose"), &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        pf_check_stamp(&m, 0, env, CS_TOPIC_ORDERS, "shop-1:4012345678901299999", "2140000000012345008",
                       pf_cn_ms(2026, 11, 11, 20, 31, 12), "taobao");
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED);
        CT_CHECK(ev->cancellation != NULL);
        if (ev->cancellation) {
            CT_EQ_STR(ev->cancellation->reason, "我不想买了");
            CT_EQ_INT(ev->cancellation->n_line_ids, 0); /* the whole trade */
            CT_EQ_INT(ev->cancellation->refund_fen, 0); /* nothing was paid */
        }
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_close_after_payment_refunds_the_payment(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeClose"), "'status':'TRADE_CLOSED_BY_TAOBAO',",
                   "'status':'TRADE_CLOSED','pay_time':'2026-11-11 20:01:00',");
    b = edit(b, ",'close_reason':'我不想买了'", "");
    CT_EQ_INT(map(b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev && ev->cancellation) {
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED);
        CT_EQ_STR(ev->cancellation->reason, "closed after a full refund");
        CT_EQ_INT(ev->cancellation->refund_fen, 5990);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_close_after_shipping_is_closed(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeClose"), "'status':'TRADE_CLOSED_BY_TAOBAO',",
                   "'status':'TRADE_CLOSED','consign_time':'2026-11-12 09:00:00',");
    CT_EQ_INT(map(b, &m, &err), 0);
    CT_EQ_INT(m.n, 1);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED);
        CT_CHECK(ev->cancellation == NULL);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_close_of_some_lines_cancels_those_lines(void) {
    gw_mapped m;
    gw_error err;
    /* the trade is paid and waits to ship; its second line was closed */
    char *b = example("taobao_trade_TradeBuyerPay");
    b = pf_edit(b, "\"taobao_trade_TradeBuyerPay\"", "\"taobao_trade_TradeClose\"");
    b = edit(b, "'status':'WAIT_SELLER_SEND_GOODS'}]", "'status':'TRADE_CLOSED'}]");
    CT_EQ_INT(map(b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev && ev->cancellation) {
        CT_EQ_INT(ev->kind, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED);
        CT_EQ_INT(ev->cancellation->n_line_ids, 1);
        if (ev->cancellation->n_line_ids == 1) CT_EQ_STR(ev->cancellation->line_ids[0], OID2);
        CT_EQ_INT(ev->cancellation->refund_fen, 0); /* EX-8 values the lines */
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_cod_type_is_cash_on_delivery(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeCreate"), "'type':'fixed'", "'type':'cod'");
    CT_EQ_INT(map(b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev) {
        CT_CHECK(ev->order->cod);
        CT_EQ_INT(ev->order->payment_method, CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_presale_lines_carry_their_date(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeCreate"), "'type':'fixed'",
                   "'type':'fixed','step_trade_status':'FRONT_NOPAID_FINAL_NOPAID'");
    b = edit(b, "'status':'WAIT_BUYER_PAY'}", "'status':'WAIT_BUYER_PAY','estimate_con_time':'2026-12-01'}");
    b = edit(b, "'status':'WAIT_BUYER_PAY'}]", "'status':'WAIT_BUYER_PAY','estimate_con_time':'付款后15天内'}]");
    CT_EQ_INT(map(b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__OrderEvent *ev = pf_order_event(&m, 0, &env);
    if (ev && ev->order->n_lines == 2) {
        CT_CHECK(ev->order->lines[0]->presale && ev->order->lines[1]->presale);
        CT_EQ_INT(ev->order->lines[0]->presale_ship_date_ms, pf_cn_ms(2026, 12, 1, 0, 0, 0));
        CT_EQ_INT(ev->order->lines[1]->presale_ship_date_ms, 0); /* free text: OV-10 will ask */
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

/* ---- ratings ------------------------------------------------------------------------- */

static void test_trade_rated_neutral_is_a_review(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map(example("taobao_trade_TradeRated"), &m, &err), 0);
    Cs__V1__Envelope *env = pf_unpack(&m, 0);
    if (env) {
        pf_check_stamp(&m, 0, env, CS_TOPIC_REVIEWS, KEY, "2140000000012345009", pf_cn_ms(2026, 11, 16, 20, 15, 2),
                       "taobao");
        CT_EQ_INT(env->body_case, CS__V1__ENVELOPE__BODY_REVIEW);
        const Cs__V1__Review *r = env->review;
        if (r) {
            CT_EQ_STR(r->review_id, OID1);
            CT_EQ_STR(r->order_id, TID);
            CT_EQ_STR(r->buyer_id, "小明同学");
            CT_EQ_STR(r->sku, "TEA-LJ-250G");
            CT_EQ_INT(r->rating, CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL);
            CT_EQ_STR(r->text, "茶叶香气一般，罐子运输中压扁了");
            CT_EQ_INT(r->posted_ms, pf_cn_ms(2026, 11, 16, 20, 15, 0));
            CT_EQ_INT(r->item_price_fen, 5990);
            CT_CHECK(!r->revision);
        }
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_trade_rated_results_and_good_is_a_revision(void) {
    static const struct {
        const char *result;
        Cs__V1__ReviewRating rating;
        bool revision;
    } cases[] = {
        {"good", CS__V1__REVIEW_RATING__REVIEW_RATING_POSITIVE, true},
        {"bad", CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gw_mapped m;
        gw_error err;
        char to[64];
        snprintf(to, sizeof to, "'result':'%s'", cases[i].result);
        CT_EQ_INT(map(edit(example("taobao_trade_TradeRated"), "'result':'neutral'", to), &m, &err), 0);
        Cs__V1__Envelope *env = pf_unpack(&m, 0);
        if (env && env->review) {
            CT_EQ_INT(env->review->rating, cases[i].rating);
            CT_EQ_INT(env->review->revision, cases[i].revision);
        }
        pf_env_free(env);
        gw_mapped_free(&m);
    }
}

static void test_trade_rated_by_the_seller_is_refused(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeRated"), "'role':'buyer'", "'role':'seller'");
    pf_check_refused(map(b, &m, &err), &m, &err, "content.role", "buyer");
}

/* ---- refunds ------------------------------------------------------------------------- */

static void test_refund_created_is_a_requested_case(void) {
    gw_mapped m;
    gw_error err;
    CT_EQ_INT(map(example("taobao_refund_RefundCreated"), &m, &err), 0);
    CT_EQ_STR(m.kind, "taobao_refund_RefundCreated");
    Cs__V1__Envelope *env;
    const Cs__V1__AfterSalesCase *k = pf_case(&m, 0, &env);
    if (k) {
        pf_check_stamp(&m, 0, env, CS_TOPIC_AFTERSALES, KEY, "2140000000012345010", pf_cn_ms(2026, 11, 17, 9, 0, 2),
                       "taobao");
        CT_EQ_STR(k->case_id, "98765432101234567");
        CT_EQ_STR(k->order_id, TID);
        CT_EQ_STR(k->sku, "TEA-LJ-250G");
        CT_EQ_INT(k->type, CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND);
        CT_EQ_INT(k->reason, CS__V1__CASE_REASON__CASE_REASON_QUALITY);
        CT_EQ_INT(k->stage, CS__V1__CASE_STAGE__CASE_STAGE_REQUESTED);
        CT_EQ_INT(k->amount_fen, 5990);
        CT_EQ_STR(k->buyer_id, "小明同学");
        CT_EQ_INT(k->requested_ms, pf_cn_ms(2026, 11, 17, 9, 0, 0));
        CT_EQ_INT(k->logistics, CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_SIGNED);
        CT_CHECK(k->buyer_wants_return);
        CT_EQ_STR(k->agent, "");
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_refund_topics_are_their_stages(void) {
    static const struct {
        const char *topic;
        Cs__V1__CaseStage stage;
        const char *case_id;
        Cs__V1__CaseType type;
        int64_t amount_fen;
    } cases[] = {
        {"taobao_refund_RefundSellerAgreeAgreement", CS__V1__CASE_STAGE__CASE_STAGE_AGREED, "98765432101234567",
         CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND, 5990},
        {"taobao_refund_RefundBuyerReturnGoods", CS__V1__CASE_STAGE__CASE_STAGE_BUYER_SHIPPED, "98765432101234567",
         CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND, 5990},
        {"taobao_refund_RefundSuccess", CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED, "98765432101234567",
         CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND, 5990},
        {"taobao_refund_RefundSellerRefuseAgreement", CS__V1__CASE_STAGE__CASE_STAGE_REFUSED, "98765432101234599",
         CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY, 2000},
        {"taobao_refund_TaobaoInterApplied", CS__V1__CASE_STAGE__CASE_STAGE_PLATFORM_INTERVENED, "98765432101234599",
         CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY, 2000},
        {"taobao_refund_RefundClosed", CS__V1__CASE_STAGE__CASE_STAGE_CLOSED, "98765432101234599",
         CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY, 2000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gw_mapped m;
        gw_error err;
        CT_EQ_INT(map(example(cases[i].topic), &m, &err), 0);
        CT_EQ_INT(m.n, 1);
        Cs__V1__Envelope *env;
        const Cs__V1__AfterSalesCase *k = pf_case(&m, 0, &env);
        if (k) {
            CT_EQ_STR(m.rec[0].topic, CS_TOPIC_AFTERSALES);
            CT_EQ_STR(m.rec[0].key, KEY);
            CT_EQ_INT(k->stage, cases[i].stage);
            CT_EQ_STR(k->case_id, cases[i].case_id);
            CT_EQ_INT(k->type, cases[i].type);
            CT_EQ_INT(k->amount_fen, cases[i].amount_fen);
            CT_EQ_INT(k->reason, CS__V1__CASE_REASON__CASE_REASON_QUALITY); /* 质量问题, 与商品描述不符 */
        }
        pf_env_free(env);
        gw_mapped_free(&m);
    }
}

static void test_refund_has_good_return_as_a_string(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_refund_RefundCreated"), "'has_good_return':true", "'has_good_return':'false'");
    CT_EQ_INT(map(b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__AfterSalesCase *k = pf_case(&m, 0, &env);
    if (k) {
        CT_EQ_INT(k->type, CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY);
        CT_CHECK(!k->buyer_wants_return);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_refund_before_shipping_is_not_shipped(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_refund_RefundCreated"), "'order_status':'TRADE_FINISHED'",
                   "'order_status':'WAIT_SELLER_SEND_GOODS'");
    b = edit(b, "'reason':'质量问题'", "'reason':'我不想要了'");
    CT_EQ_INT(map(b, &m, &err), 0);
    Cs__V1__Envelope *env;
    const Cs__V1__AfterSalesCase *k = pf_case(&m, 0, &env);
    if (k) {
        CT_EQ_INT(k->logistics, CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_NOT_SHIPPED);
        CT_EQ_INT(k->reason, CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND);
    }
    pf_env_free(env);
    gw_mapped_free(&m);
}

static void test_refund_reason_table(void) {
    static const struct {
        const char *text;
        Cs__V1__CaseReason reason;
    } cases[] = {
        {"七天无理由退换货", CS__V1__CASE_REASON__CASE_REASON_NO_REASON_7D},
        {"7天无理由退货（不喜欢）", CS__V1__CASE_REASON__CASE_REASON_NO_REASON_7D},
        {"质量问题", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
        {"做工粗糙/有瑕疵", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
        {"商品破损", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
        {"与商品描述不符", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
        {"颜色/尺寸/参数不符", CS__V1__CASE_REASON__CASE_REASON_WRONG_ITEM},
        {"卖家发错货", CS__V1__CASE_REASON__CASE_REASON_WRONG_ITEM},
        {"少件/漏发", CS__V1__CASE_REASON__CASE_REASON_MISSING_ITEM},
        {"收到空包裹", CS__V1__CASE_REASON__CASE_REASON_MISSING_ITEM},
        {"卖家缺货", CS__V1__CASE_REASON__CASE_REASON_OUT_OF_STOCK},
        {"未收到货", CS__V1__CASE_REASON__CASE_REASON_NOT_RECEIVED},
        {"快递一直未送到", CS__V1__CASE_REASON__CASE_REASON_NOT_RECEIVED},
        {"多拍/拍错/不想要", CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND},
        {"Item arrived DAMAGED", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
        {"customer changed mind", CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND},
        {"协商一致退款", CS__V1__CASE_REASON__CASE_REASON_OTHER},
        {"", CS__V1__CASE_REASON__CASE_REASON_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Cs__V1__CaseReason got = gw_pf_reason_of_text(cases[i].text);
        if (got != cases[i].reason) fprintf(stderr, "  reason of \"%s\"\n", cases[i].text);
        CT_EQ_INT(got, cases[i].reason);
    }
    CT_EQ_INT(gw_pf_reason_of_text(NULL), CS__V1__CASE_REASON__CASE_REASON_OTHER);
}

/* ---- every example, and refusals ---------------------------------------------------------- */

static void test_every_example_maps_to_its_topic(void) {
    static const char *const topics[] = {
        "taobao_trade_TradeCreate",
        "taobao_trade_TradeBuyerPay",
        "taobao_trade_TradeModifyFee",
        "taobao_trade_TradeLogisticsAddressChanged",
        "taobao_trade_TradeMemoModified",
        "taobao_trade_TradeClose",
        "taobao_trade_TradeSellerShip",
        "taobao_trade_TradeSuccess",
        "taobao_trade_TradeRated",
        "taobao_refund_RefundCreated",
        "taobao_refund_RefundSellerAgreeAgreement",
        "taobao_refund_RefundSellerRefuseAgreement",
        "taobao_refund_RefundBuyerReturnGoods",
        "taobao_refund_RefundClosed",
        "taobao_refund_RefundSuccess",
        "taobao_refund_TaobaoInterApplied",
    };
    for (size_t i = 0; i < sizeof topics / sizeof *topics; i++) {
        gw_mapped m;
        gw_error err;
        int rc = map(example(topics[i]), &m, &err);
        if (rc != 0) fprintf(stderr, "  %s: %s: %s\n", topics[i], err.field, err.reason);
        CT_EQ_INT(rc, 0);
        CT_CHECK(m.n >= 1);
        CT_EQ_STR(m.kind, topics[i]);
        gw_mapped_free(&m);
    }
}

static void test_refused_content_not_a_string(void) {
    gw_mapped m;
    gw_error err;
    char *b = strdup("{\"id\":1,\"topic\":\"taobao_trade_TradeCreate\",\"pub_time\":\"2026-11-11 10:00:01\","
                     "\"content\":{\"tid\":1}}");
    pf_check_refused(map(b, &m, &err), &m, &err, "content", "JSON string");
}

static void test_refused_content_not_json(void) {
    gw_mapped m;
    gw_error err;
    char *b = strdup("{\"id\":1,\"topic\":\"taobao_trade_TradeCreate\",\"pub_time\":\"2026-11-11 10:00:01\","
                     "\"content\":\"{tid:1\"}");
    pf_check_refused(map(b, &m, &err), &m, &err, "content", "not JSON");
}

static void test_refused_money_as_a_number(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeBuyerPay"), "'payment':'104.70'", "'payment':104.70");
    pf_check_refused(map(b, &m, &err), &m, &err, "content.payment", "decimal string");
}

static void test_refused_line_money_as_a_number(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeCreate"), "'price':'29.90'", "'price':29.9");
    pf_check_refused(map(b, &m, &err), &m, &err, "content.orders[1].price", "decimal string");
}

static void test_refused_missing_tid(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeCreate"), "'tid':4012345678901234567,", "");
    pf_check_refused(map(b, &m, &err), &m, &err, "content.tid", "required");
}

static void test_refused_missing_line_quantity(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeCreate"), "'num':2,", "");
    pf_check_refused(map(b, &m, &err), &m, &err, "content.orders[1].num", "required");
}

static void test_refused_paid_without_pay_time(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeBuyerPay"), ",'pay_time':'2026-11-11 10:05:12'", "");
    pf_check_refused(map(b, &m, &err), &m, &err, "content.pay_time", "required");
}

static void test_refused_created_without_buyer(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeCreate"), "'buyer_nick':'小明同学',", "");
    pf_check_refused(map(b, &m, &err), &m, &err, "content.buyer_nick", "required");
}

static void test_refused_unknown_topic(void) {
    gw_mapped m;
    gw_error err;
    char *b =
        pf_edit(example("taobao_trade_TradeCreate"), "\"taobao_trade_TradeCreate\"", "\"taobao_item_ItemUpdate\"");
    pf_check_refused(map(b, &m, &err), &m, &err, "topic", "not a Taobao topic");
}

static void test_refused_local_time_with_an_offset(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("taobao_trade_TradeCreate"), "\"2026-11-11 10:00:01\"", "\"2026-11-11T10:00:01+08:00\"");
    pf_check_refused(map(b, &m, &err), &m, &err, "pub_time", "local time");
}

static void test_refused_event_id_not_an_id(void) {
    gw_mapped m;
    gw_error err;
    char *b = pf_edit(example("taobao_trade_TradeCreate"), "\"2140000000012345001\"", "\"msg 1\"");
    pf_check_refused(map(b, &m, &err), &m, &err, "id", "visible ASCII");
}

static void test_refused_refund_money_as_a_number(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_refund_RefundSuccess"), "'refund_fee':'59.90'", "'refund_fee':59.90");
    pf_check_refused(map(b, &m, &err), &m, &err, "content.refund_fee", "decimal string");
}

static void test_refused_refund_without_has_good_return(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_refund_RefundCreated"), "'has_good_return':true,", "");
    pf_check_refused(map(b, &m, &err), &m, &err, "content.has_good_return", "required");
}

static void test_refused_rating_not_a_result(void) {
    gw_mapped m;
    gw_error err;
    char *b = edit(example("taobao_trade_TradeRated"), "'result':'neutral'", "'result':'average'");
    pf_check_refused(map(b, &m, &err), &m, &err, "content.result", "good");
}

static void setup(void) {
    ct_shop_init(&shop, "Asia/Shanghai");
    snprintf(shop.currency, sizeof shop.currency, "CNY");
    shop.address_required = CS_ADDR_ALL;
}

int main(void) {
    static const ct_case cases[] = {
        CT_CASE(test_trade_create_is_the_full_order),
        CT_CASE(test_trade_create_on_a_tmall_shop_is_a_tmall_order),
        CT_CASE(test_trade_buyer_pay_carries_the_payment_only),
        CT_CASE(test_trade_modify_fee_lowered_price_is_a_discount),
        CT_CASE(test_trade_raised_price_rides_on_the_shipping_fee),
        CT_CASE(test_trade_address_changed_carries_the_receiver),
        CT_CASE(test_trade_landline_when_no_mobile),
        CT_CASE(test_trade_memo_modified_carries_message_and_memo),
        CT_CASE(test_trade_seller_ship_is_the_shipment),
        CT_CASE(test_trade_seller_ship_courier_from_the_line),
        CT_CASE(test_trade_success_is_signed_then_closed),
        CT_CASE(test_trade_close_before_payment_is_a_cancellation_with_its_reason),
        CT_CASE(test_trade_close_after_payment_refunds_the_payment),
        CT_CASE(test_trade_close_after_shipping_is_closed),
        CT_CASE(test_trade_close_of_some_lines_cancels_those_lines),
        CT_CASE(test_trade_cod_type_is_cash_on_delivery),
        CT_CASE(test_trade_presale_lines_carry_their_date),
        CT_CASE(test_trade_rated_neutral_is_a_review),
        CT_CASE(test_trade_rated_results_and_good_is_a_revision),
        CT_CASE(test_trade_rated_by_the_seller_is_refused),
        CT_CASE(test_refund_created_is_a_requested_case),
        CT_CASE(test_refund_topics_are_their_stages),
        CT_CASE(test_refund_has_good_return_as_a_string),
        CT_CASE(test_refund_before_shipping_is_not_shipped),
        CT_CASE(test_refund_reason_table),
        CT_CASE(test_every_example_maps_to_its_topic),
        CT_CASE(test_refused_content_not_a_string),
        CT_CASE(test_refused_content_not_json),
        CT_CASE(test_refused_money_as_a_number),
        CT_CASE(test_refused_line_money_as_a_number),
        CT_CASE(test_refused_missing_tid),
        CT_CASE(test_refused_missing_line_quantity),
        CT_CASE(test_refused_paid_without_pay_time),
        CT_CASE(test_refused_created_without_buyer),
        CT_CASE(test_refused_unknown_topic),
        CT_CASE(test_refused_local_time_with_an_offset),
        CT_CASE(test_refused_event_id_not_an_id),
        CT_CASE(test_refused_refund_money_as_a_number),
        CT_CASE(test_refused_refund_without_has_good_return),
        CT_CASE(test_refused_rating_not_a_result),
    };
    setup();
    int rc = ct_run(cases, sizeof cases / sizeof *cases);
    ct_shop_done(&shop);
    return rc;
}
