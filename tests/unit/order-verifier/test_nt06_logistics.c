/* test_nt06_logistics.c -- NT-6: after shipment the buyer gets exactly one
 * logistics message (template logistics_shipped, courier name and tracking
 * number, service class). */
#include "ov_fixtures.h"

static Cs__V1__Shipment shipment(const char *courier, const char *tracking) {
    Cs__V1__Shipment s = CS__V1__SHIPMENT__INIT;
    s.courier = FX_S(courier);
    s.tracking_no = FX_S(tracking);
    s.shipped_ms = FX_CREATED_MS + FX_DAY;
    return s;
}

static void shipped(Cs__V1__OrderState *st, fx_order *f, Cs__V1__Shipment *s) {
    fx_order_init(f);
    fx_state_init(st, f);
    st->shipment = s;
    st->shipped_ms = s->shipped_ms;
}

static void test_nt6_shipped_order_gets_logistics_message(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    Cs__V1__OrderState st;
    Cs__V1__Shipment sh = shipment("SF", "SF1234567890");
    shipped(&st, &f, &sh);
    ov_note n;
    CT_CHECK(nt6_logistics_message(&st, &s, &n));
    CT_EQ_STR(n.template_id, "logistics_shipped");
    CT_EQ_STR(n.rule, "NT-6");
    CT_EQ_INT(n.klass, CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE);
    CT_EQ_INT(n.channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM);
    CT_EQ_STR(fx_param(&n, "courier"), "顺丰速运");
    CT_EQ_STR(fx_param(&n, "tracking_no"), "SF1234567890");
    fx_shop_done(&s);
}

static void test_nt6_only_one_message_per_order(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    Cs__V1__OrderState st;
    Cs__V1__Shipment sh = shipment("SF", "SF1234567890");
    shipped(&st, &f, &sh);
    st.logistics_sent = 1;
    ov_note n;
    CT_CHECK(!nt6_logistics_message(&st, &s, &n));
    CT_CHECK(n.template_id == NULL);
    fx_shop_done(&s);
}

static void test_nt6_repeated_shipped_events_give_one_message(void) {
    /* end to end with the merge: the flag the worker sets after the first
     * message survives a second SHIPPED event */
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    Cs__V1__OrderState *st = cs_order_state_new();
    Cs__V1__OrderEvent ev = CS__V1__ORDER_EVENT__INIT;
    Cs__V1__Shipment sh = shipment("YTO", "YT0001");
    char err[64];
    ev.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED;
    ev.shipment = &sh;
    CT_EQ_INT(ov12_apply_event(st, &ev, "s1", sh.shipped_ms, err, sizeof err), 1);
    ov_note n;
    CT_CHECK(nt6_logistics_message(st, &s, &n));
    CT_EQ_STR(fx_param(&n, "courier"), "圆通速递");
    st->logistics_sent = 1; /* what the worker records with the request */
    CT_EQ_INT(ov12_apply_event(st, &ev, "s2", sh.shipped_ms + 1, err, sizeof err), 0);
    CT_CHECK(!nt6_logistics_message(st, &s, &n));
    cs_order_state_free(st);
    fx_shop_done(&s);
}

static void test_nt6_courier_missing_from_table_is_named_by_code(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    Cs__V1__OrderState st;
    Cs__V1__Shipment sh = shipment("ZTO", "ZT42");
    shipped(&st, &f, &sh);
    ov_note n;
    CT_CHECK(nt6_logistics_message(&st, &s, &n));
    CT_EQ_STR(fx_param(&n, "courier"), "ZTO");
    fx_shop_done(&s);
}

static void test_nt6_shipment_without_courier_uses_the_order_courier(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    Cs__V1__OrderState st;
    Cs__V1__Shipment sh = shipment("", "E123");
    shipped(&st, &f, &sh);
    f.o.courier = FX_S("EMS");
    ov_note n;
    CT_CHECK(nt6_logistics_message(&st, &s, &n));
    CT_EQ_STR(fx_param(&n, "courier"), "中国邮政");
    fx_shop_done(&s);
}

static void test_nt6_no_tracking_number_or_not_shipped_no_message(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    Cs__V1__OrderState st;
    Cs__V1__Shipment sh = shipment("SF", " ");
    shipped(&st, &f, &sh);
    ov_note n;
    CT_CHECK(!nt6_logistics_message(&st, &s, &n));
    fx_order_init(&f);
    fx_state_init(&st, &f); /* not shipped */
    CT_CHECK(!nt6_logistics_message(&st, &s, &n));
    fx_shop_done(&s);
}

static void test_nt6_sms_when_the_shop_prefers_sms(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    s.msg_pref = CS_MSG_PREF_SMS;
    fx_order f;
    Cs__V1__OrderState st;
    Cs__V1__Shipment sh = shipment("SF", "SF1");
    shipped(&st, &f, &sh);
    ov_note n;
    CT_CHECK(nt6_logistics_message(&st, &s, &n));
    CT_EQ_INT(n.channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS);
    fx_shop_done(&s);
}

CT_MAIN(CT_CASE(test_nt6_shipped_order_gets_logistics_message), CT_CASE(test_nt6_only_one_message_per_order),
        CT_CASE(test_nt6_repeated_shipped_events_give_one_message),
        CT_CASE(test_nt6_courier_missing_from_table_is_named_by_code),
        CT_CASE(test_nt6_shipment_without_courier_uses_the_order_courier),
        CT_CASE(test_nt6_no_tracking_number_or_not_shipped_no_message), CT_CASE(test_nt6_sms_when_the_shop_prefers_sms))
