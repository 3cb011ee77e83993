/* test_ex03_paid_earlier_call.c -- EX-3: out of stock, paid before today,
 * restock tomorrow or unknown: a call task. */
#include "ex_fixtures.h"

static void test_ex3_paid_yesterday_restock_tomorrow_gets_call(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 2, 9, 0);
    ex_order o;
    fxe_order(&o, fxe_local(&s, 2024, 6, 1, 23, 59));
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex3_paid_earlier_call(&o, fxe_local(&s, 2024, 6, 3, 9, 0), &s, now, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_INT(d.fx.nnotes, 0);
    CT_EQ_INT(d.fx.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_CALL);
    CT_EQ_STR(d.fx.tasks[0].rule, "EX-3");
    CT_CHECK(strstr(d.fx.tasks[0].summary, "paid 2024-06-01") != NULL);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "restock 2024-06-03") != NULL);
    fxe_shop_done(&s);
}

static void test_ex3_paid_yesterday_restock_unknown_gets_call(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 2, 0, 0);
    ex_order o;
    fxe_order(&o, now - 1);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex3_paid_earlier_call(&o, 0, &s, now, &d));
    CT_CHECK(strstr(d.fx.tasks[0].summary, "restock unknown") != NULL);
    fxe_shop_done(&s);
}

static void test_ex3_paid_today_is_not_ex3(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 2, 23, 59);
    ex_order o;
    fxe_order(&o, fxe_local(&s, 2024, 6, 2, 0, 0)); /* exactly local midnight: today */
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(!ex3_paid_earlier_call(&o, 0, &s, now, &d));
    CT_EQ_INT(d.fx.ntasks, 0);
    fxe_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ex3_paid_yesterday_restock_tomorrow_gets_call),
        CT_CASE(test_ex3_paid_yesterday_restock_unknown_gets_call), CT_CASE(test_ex3_paid_today_is_not_ex3))
