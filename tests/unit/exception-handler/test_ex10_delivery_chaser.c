/* test_ex10_delivery_chaser.c -- EX-10: a buyer chasing delivery is always
 * a supervisor task; urgent when past the promised ship date (presale
 * date, else payment + 48 h). */
#include "ex_fixtures.h"

static Cs__V1__DeliveryChaser chaser(void) {
    Cs__V1__DeliveryChaser c;
    cs__v1__delivery_chaser__init(&c);
    c.order_id = FXE_S("O1");
    c.buyer_id = FXE_S("buyer-1");
    c.text = FXE_S("怎么还没发货");
    return c;
}

static void test_ex10_chaser_within_48h_is_reported_not_urgent(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t paid = fxe_local(&s, 2024, 6, 1, 10, 0);
    ex_order o;
    fxe_order(&o, paid);
    Cs__V1__DeliveryChaser c = chaser();
    ex_decision d;
    ex_decision_init(&d);
    CT_EQ_INT(ex10_promised_ship_ms(&o, &s), paid + 48 * FXE_HOUR);
    CT_CHECK(ex10_delivery_chaser(&c, &o, &s, paid + 48 * FXE_HOUR, &d)); /* exactly 48 h: not past */
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_INT(d.fx.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_DELIVERY_CHASER);
    CT_EQ_STR(d.fx.tasks[0].rule, "EX-10");
    CT_EQ_STR(d.fx.tasks[0].assignee, CS_FX_SUPERVISOR);
    CT_CHECK(!d.fx.tasks[0].urgent);
    fxe_shop_done(&s);
}

static void test_ex10_chaser_past_48h_is_urgent(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t paid = fxe_local(&s, 2024, 6, 1, 10, 0);
    ex_order o;
    fxe_order(&o, paid);
    Cs__V1__DeliveryChaser c = chaser();
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex10_delivery_chaser(&c, &o, &s, paid + 48 * FXE_HOUR + 1, &d));
    CT_CHECK(d.fx.tasks[0].urgent);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "now past") != NULL);
    /* shipped: no longer late to ship */
    o.shipped_ms = paid + 50 * FXE_HOUR;
    ex_decision_init(&d);
    CT_CHECK(ex10_delivery_chaser(&c, &o, &s, paid + 60 * FXE_HOUR, &d));
    CT_CHECK(!d.fx.tasks[0].urgent);
    CT_EQ_STR(d.fx.tasks[0].assignee, CS_FX_SUPERVISOR);
    fxe_shop_done(&s);
}

static void test_ex10_presale_date_is_the_promise(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t paid = fxe_local(&s, 2024, 6, 1, 10, 0);
    ex_order o;
    fxe_order(&o, paid);
    o.presale_ship_ms = fxe_local(&s, 2024, 6, 10, 0, 0);
    Cs__V1__DeliveryChaser c = chaser();
    ex_decision d;
    ex_decision_init(&d);
    /* the whole presale day is kept; payment + 48 h does not apply */
    CT_EQ_INT(ex10_promised_ship_ms(&o, &s), fxe_local(&s, 2024, 6, 11, 0, 0));
    CT_CHECK(ex10_delivery_chaser(&c, &o, &s, fxe_local(&s, 2024, 6, 10, 23, 59), &d));
    CT_CHECK(!d.fx.tasks[0].urgent);
    ex_decision_init(&d);
    CT_CHECK(ex10_delivery_chaser(&c, &o, &s, fxe_local(&s, 2024, 6, 11, 0, 0), &d));
    CT_CHECK(d.fx.tasks[0].urgent);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "2024-06-10") != NULL);
    fxe_shop_done(&s);
}

static void test_ex10_unpaid_order_has_no_promise(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    ex_order o;
    fxe_order(&o, 0);
    Cs__V1__DeliveryChaser c = chaser();
    ex_decision d;
    ex_decision_init(&d);
    CT_EQ_INT(ex10_promised_ship_ms(&o, &s), 0);
    CT_CHECK(ex10_delivery_chaser(&c, &o, &s, fxe_local(&s, 2030, 1, 1, 0, 0), &d));
    CT_EQ_INT(d.fx.ntasks, 1); /* always reported */
    CT_CHECK(!d.fx.tasks[0].urgent);
    fxe_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ex10_chaser_within_48h_is_reported_not_urgent), CT_CASE(test_ex10_chaser_past_48h_is_urgent),
        CT_CASE(test_ex10_presale_date_is_the_promise), CT_CASE(test_ex10_unpaid_order_has_no_promise))
