/* test_ex01_restock_message.c -- EX-1: out of stock, paid today (local
 * date), restock by tomorrow: one IM message with the new ship date. */
#include "ex_fixtures.h"

static void test_ex1_paid_today_restock_tomorrow_gets_im_with_ship_date(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 1, 20, 0);
    ex_order o;
    fxe_order(&o, fxe_local(&s, 2024, 6, 1, 0, 1));
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex1_restock_message(&o, fxe_local(&s, 2024, 6, 2, 23, 0), &s, now, &d));
    CT_EQ_INT(d.fx.nnotes, 1);
    CT_EQ_INT(d.fx.ntasks, 0);
    CT_EQ_STR(d.fx.notes[0].rule, "EX-1");
    CT_EQ_STR(d.fx.notes[0].template_id, EX_TPL_RESTOCK);
    CT_EQ_INT(d.fx.notes[0].channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM);
    CT_EQ_INT(d.fx.notes[0].to, CS_TO_IM);
    CT_EQ_INT(d.fx.notes[0].klass, CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE);
    CT_EQ_STR(fxe_param(&d.fx.notes[0], "ship_date"), "2024-06-02");
    CT_EQ_STR(fxe_param(&d.fx.notes[0], "order_id"), "O1");
    CT_EQ_STR(d.plan_rule, "EX-1");
    fxe_shop_done(&s);
}

static void test_ex1_restock_day_after_tomorrow_is_not_ex1(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 1, 20, 0);
    ex_order o;
    fxe_order(&o, fxe_local(&s, 2024, 6, 1, 10, 0));
    ex_decision d;
    ex_decision_init(&d);
    /* 00:00 on the day after tomorrow: one minute past "by tomorrow" */
    CT_CHECK(!ex1_restock_message(&o, fxe_local(&s, 2024, 6, 3, 0, 0), &s, now, &d));
    CT_CHECK(ex1_restock_message(&o, fxe_local(&s, 2024, 6, 2, 23, 59), &s, now, &d));
    fxe_shop_done(&s);
}

static void test_ex1_paid_yesterday_or_unknown_restock_is_not_ex1(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 1, 0, 5);
    ex_order o;
    ex_decision d;
    ex_decision_init(&d);
    fxe_order(&o, fxe_local(&s, 2024, 5, 31, 23, 59)); /* yesterday, 6 minutes ago */
    CT_CHECK(!ex1_restock_message(&o, fxe_local(&s, 2024, 6, 2, 9, 0), &s, now, &d));
    fxe_order(&o, fxe_local(&s, 2024, 6, 1, 0, 0));
    CT_CHECK(!ex1_restock_message(&o, 0, &s, now, &d)); /* restock unknown */
    CT_EQ_INT(d.fx.nnotes, 0);
    fxe_shop_done(&s);
}

static void test_ex1_restock_already_due_ships_today(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 1, 20, 0);
    ex_order o;
    fxe_order(&o, fxe_local(&s, 2024, 6, 1, 9, 0));
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex1_restock_message(&o, fxe_local(&s, 2024, 5, 30, 9, 0), &s, now, &d));
    CT_EQ_STR(fxe_param(&d.fx.notes[0], "ship_date"), "2024-06-01");
    fxe_shop_done(&s);
}

static void test_ex1_today_is_the_shops_local_date(void) {
    /* 2024-06-01 23:30 in New York is 06-02 03:30 UTC: a UTC date would
     * call the payment "tomorrow"; the shop's date says today */
    cs_shop s;
    fxe_shop_init(&s, "America/New_York", CS_CHANNEL_TAOBAO);
    int64_t paid = fxe_local(&s, 2024, 6, 1, 0, 30);
    int64_t now = fxe_local(&s, 2024, 6, 1, 23, 30);
    ex_order o;
    fxe_order(&o, paid);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex1_restock_message(&o, fxe_local(&s, 2024, 6, 2, 18, 0), &s, now, &d));
    CT_EQ_STR(fxe_param(&d.fx.notes[0], "ship_date"), "2024-06-02");
    fxe_shop_done(&s);
}

static void test_ex1_cod_order_counts_from_creation(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 1, 20, 0);
    ex_order o;
    fxe_order(&o, 0);
    o.cod = true;
    o.created_ms = fxe_local(&s, 2024, 6, 1, 8, 0);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex1_restock_message(&o, fxe_local(&s, 2024, 6, 2, 8, 0), &s, now, &d));
    fxe_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ex1_paid_today_restock_tomorrow_gets_im_with_ship_date),
        CT_CASE(test_ex1_restock_day_after_tomorrow_is_not_ex1),
        CT_CASE(test_ex1_paid_yesterday_or_unknown_restock_is_not_ex1),
        CT_CASE(test_ex1_restock_already_due_ships_today), CT_CASE(test_ex1_today_is_the_shops_local_date),
        CT_CASE(test_ex1_cod_order_counts_from_creation))
