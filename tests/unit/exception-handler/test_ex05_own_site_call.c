/* test_ex05_own_site_call.c -- EX-5: an own-site order (COD above all)
 * that cannot ship today gets a call task due the same day. */
#include "ex_fixtures.h"

static void test_ex5_own_site_cod_exception_gets_urgent_call_today(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_OWN_SITE);
    int64_t now = fxe_local(&s, 2024, 6, 1, 17, 0);
    ex_order o;
    fxe_order(&o, 0);
    o.cod = true;
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex5_own_site_call(&o, "COURIER_UNREACHABLE", &s, now, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_INT(d.fx.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_CALL);
    CT_EQ_STR(d.fx.tasks[0].rule, "EX-5");
    CT_CHECK(d.fx.tasks[0].urgent);
    CT_EQ_INT(d.fx.tasks[0].due_ms, fxe_local(&s, 2024, 6, 2, 0, 0));
    CT_CHECK(strstr(d.fx.tasks[0].summary, "cash-on-delivery") != NULL);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "COURIER_UNREACHABLE") != NULL);
    fxe_shop_done(&s);
}

static void test_ex5_prepaid_own_site_call_is_not_urgent(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    int64_t now = fxe_local(&s, 2024, 6, 1, 23, 59);
    ex_order o;
    fxe_order(&o, now - FXE_HOUR);
    o.channel = CS__V1__CHANNEL__CHANNEL_OWN_SITE; /* the order's channel wins */
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex5_own_site_call(&o, "OUT_OF_STOCK", &s, now, &d));
    CT_CHECK(!d.fx.tasks[0].urgent);
    CT_EQ_INT(d.fx.tasks[0].due_ms, now + FXE_MIN); /* still the same day */
    fxe_shop_done(&s);
}

static void test_ex5_platform_order_is_not_ex5(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_OWN_SITE);
    ex_order o;
    fxe_order(&o, 1);
    o.channel = CS__V1__CHANNEL__CHANNEL_TMALL;
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(!ex5_own_site_call(&o, "OUT_OF_STOCK", &s, 1000, &d));
    CT_EQ_INT(d.fx.ntasks, 0);
    fxe_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ex5_own_site_cod_exception_gets_urgent_call_today),
        CT_CASE(test_ex5_prepaid_own_site_call_is_not_urgent), CT_CASE(test_ex5_platform_order_is_not_ex5))
