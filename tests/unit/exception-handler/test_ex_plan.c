/* test_ex_plan.c -- the out-of-stock table and the choice between EX-1..5
 * when an exception opens, with EX-6's timers. */
#include "ex_fixtures.h"

static void plan(const cs_shop *s, const ex_order *o, const char *reasons, int64_t restock, int64_t now,
                 ex_decision *d) {
    ex_decision_init(d);
    ex_plan_open(o, reasons, restock, s, now, d);
}

static void test_ex_plan_out_of_stock_table(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 2, 20, 0);
    int64_t today = fxe_local(&s, 2024, 6, 2, 9, 0), yesterday = fxe_local(&s, 2024, 6, 1, 9, 0);
    int64_t tomorrow = fxe_local(&s, 2024, 6, 3, 9, 0);
    ex_order o;
    ex_decision d;
    fxe_order(&o, today);
    plan(&s, &o, "OUT_OF_STOCK", tomorrow, now, &d);
    CT_EQ_STR(d.plan_rule, "EX-1");
    CT_EQ_INT(d.fx.nnotes, 1);
    CT_EQ_INT(d.fx.ntasks, 0);
    plan(&s, &o, "OUT_OF_STOCK", 0, now, &d);
    CT_EQ_STR(d.plan_rule, "EX-2");
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_INT(d.fx.nnotes, 0);
    fxe_order(&o, yesterday);
    plan(&s, &o, "AMOUNT_MISMATCH,OUT_OF_STOCK", tomorrow, now, &d);
    CT_EQ_STR(d.plan_rule, "EX-3");
    CT_EQ_INT(d.fx.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_CALL);
    plan(&s, &o, "OUT_OF_STOCK", 0, now, &d);
    CT_EQ_STR(d.plan_rule, "EX-3");
    CT_CHECK(d.open);
    CT_EQ_INT(d.fx.ntimers, 3); /* EX-6 */
    fxe_shop_done(&s);
}

static void test_ex_plan_own_site_is_ex5_before_the_table(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_OWN_SITE);
    int64_t now = fxe_local(&s, 2024, 6, 2, 20, 0);
    ex_order o;
    fxe_order(&o, fxe_local(&s, 2024, 6, 2, 9, 0));
    ex_decision d;
    plan(&s, &o, "OUT_OF_STOCK", fxe_local(&s, 2024, 6, 3, 9, 0), now, &d);
    CT_EQ_STR(d.plan_rule, "EX-5");
    CT_EQ_INT(d.fx.nnotes, 0); /* a call, not EX-1's message */
    CT_EQ_INT(d.fx.ntasks, 1);
    fxe_shop_done(&s);
}

static void test_ex_plan_other_reasons_get_a_work_task(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 2, 20, 0);
    ex_order o;
    fxe_order(&o, now);
    ex_decision d;
    plan(&s, &o, "COURIER_UNREACHABLE", 0, now, &d);
    CT_EQ_STR(d.plan_rule, "EX-6");
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "COURIER_UNREACHABLE") != NULL);
    /* a code that merely contains OUT_OF_STOCK is not it */
    plan(&s, &o, "NOT_OUT_OF_STOCKX", 0, now, &d);
    CT_EQ_STR(d.plan_rule, "EX-6");
    fxe_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ex_plan_out_of_stock_table), CT_CASE(test_ex_plan_own_site_is_ex5_before_the_table),
        CT_CASE(test_ex_plan_other_reasons_get_a_work_task))
