/* test_ex02_restock_unknown_call.c -- EX-2: out of stock, paid today,
 * restock unknown: a call task proposing another style (exchange first). */
#include "ex_fixtures.h"

static void test_ex2_paid_today_restock_unknown_gets_call_task(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 1, 20, 0);
    ex_order o;
    fxe_order(&o, fxe_local(&s, 2024, 6, 1, 10, 0));
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex2_restock_unknown_call(&o, 0, &s, now, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_INT(d.fx.nnotes, 0);
    CT_EQ_INT(d.fx.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_CALL);
    CT_EQ_STR(d.fx.tasks[0].rule, "EX-2");
    CT_CHECK(strstr(d.fx.tasks[0].summary, "another style") != NULL);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "exchange before refund") != NULL);
    CT_EQ_INT(d.fx.tasks[0].due_ms, fxe_local(&s, 2024, 6, 2, 0, 0)); /* today */
    CT_EQ_STR(d.plan_rule, "EX-2");
    fxe_shop_done(&s);
}

static void test_ex2_restock_later_than_tomorrow_is_a_call_too(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 1, 20, 0);
    ex_order o;
    fxe_order(&o, fxe_local(&s, 2024, 6, 1, 10, 0));
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex2_restock_unknown_call(&o, fxe_local(&s, 2024, 6, 3, 0, 0), &s, now, &d));
    CT_CHECK(strstr(d.fx.tasks[0].summary, "restock 2024-06-03") != NULL);
    ex_decision_init(&d);
    /* by tomorrow is EX-1's, not EX-2's */
    CT_CHECK(!ex2_restock_unknown_call(&o, fxe_local(&s, 2024, 6, 2, 23, 59), &s, now, &d));
    CT_EQ_INT(d.fx.ntasks, 0);
    fxe_shop_done(&s);
}

static void test_ex2_paid_yesterday_is_not_ex2(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 1, 0, 0);
    ex_order o;
    fxe_order(&o, now - 1); /* 23:59:59.999 yesterday */
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(!ex2_restock_unknown_call(&o, 0, &s, now, &d));
    CT_EQ_INT(d.fx.ntasks, 0);
    fxe_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ex2_paid_today_restock_unknown_gets_call_task),
        CT_CASE(test_ex2_restock_later_than_tomorrow_is_a_call_too), CT_CASE(test_ex2_paid_yesterday_is_not_ex2))
