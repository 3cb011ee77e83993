/* test_ex07_compensation.c -- EX-7: a Tmall out-of-stock refund is
 * compensated 5 % of the refunded amount, rounded half up to the fen,
 * capped at 3000 fen (30 CNY); an exchange is offered first. */
#include "ex_fixtures.h"

static Cs__V1__AfterSalesCase stockout(Cs__V1__CaseStage stage, int64_t amount) {
    Cs__V1__AfterSalesCase c;
    cs__v1__after_sales_case__init(&c);
    c.case_id = FXE_S("C1");
    c.order_id = FXE_S("O1");
    c.reason = CS__V1__CASE_REASON__CASE_REASON_OUT_OF_STOCK;
    c.stage = stage;
    c.amount_fen = amount;
    return c;
}

static void test_ex7_compensation_is_5_percent_rounded_half_up(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TMALL);
    CT_EQ_INT(ex7_compensation_fen(10000, &s), 500);
    CT_EQ_INT(ex7_compensation_fen(10, &s), 1);     /* 0.50 -> 1 */
    CT_EQ_INT(ex7_compensation_fen(9, &s), 0);      /* 0.45 -> 0 */
    CT_EQ_INT(ex7_compensation_fen(4490, &s), 225); /* 224.5 -> 225 */
    CT_EQ_INT(ex7_compensation_fen(4489, &s), 224); /* 224.45 -> 224 */
    CT_EQ_INT(ex7_compensation_fen(0, &s), 0);
    CT_EQ_INT(ex7_compensation_fen(-100, &s), 0);
    fxe_shop_done(&s);
}

static void test_ex7_compensation_capped_at_30_cny(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TMALL);
    CT_EQ_INT(ex7_compensation_fen(59980, &s), 2999); /* 1 fen under the cap */
    CT_EQ_INT(ex7_compensation_fen(59989, &s), 2999); /* 2999.45 */
    CT_EQ_INT(ex7_compensation_fen(59990, &s), 3000); /* 2999.50 rounds to the cap */
    CT_EQ_INT(ex7_compensation_fen(60000, &s), 3000); /* exactly the cap */
    CT_EQ_INT(ex7_compensation_fen(60020, &s), 3000); /* 3001 -> capped */
    CT_EQ_INT(ex7_compensation_fen(100000000000LL, &s), 3000);
    s.th.compensation_cap_fen = 5000;
    CT_EQ_INT(ex7_compensation_fen(100020, &s), 5000);
    fxe_shop_done(&s);
}

static void test_ex7_exchange_offered_first_when_refund_requested(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TMALL);
    ex_order o;
    fxe_order(&o, 1);
    Cs__V1__AfterSalesCase c = stockout(CS__V1__CASE_STAGE__CASE_STAGE_REQUESTED, 8000);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex7_stockout_case(&c, &o, &s, false, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_INT(d.fx.nfinance, 0); /* no compensation before the refund */
    CT_EQ_INT(d.fx.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_CALL);
    CT_EQ_STR(d.fx.tasks[0].rule, "EX-7");
    CT_CHECK(strstr(d.fx.tasks[0].summary, "offer another style") != NULL);
    fxe_shop_done(&s);
}

static void test_ex7_refunded_case_gets_one_compensation_request(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TMALL);
    ex_order o;
    fxe_order(&o, 1);
    Cs__V1__AfterSalesCase c = stockout(CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED, 8000);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex7_stockout_case(&c, &o, &s, false, &d));
    CT_EQ_INT(d.fx.nfinance, 1);
    CT_EQ_STR(d.fx.finance[0].kind, "compensation");
    CT_EQ_STR(d.fx.finance[0].rule, "EX-7");
    CT_EQ_INT(d.fx.finance[0].amount_fen, 400);
    ex_decision_init(&d);
    CT_CHECK(!ex7_stockout_case(&c, &o, &s, true, &d)); /* already compensated */
    CT_EQ_INT(d.fx.nfinance, 0);
    fxe_shop_done(&s);
}

static void test_ex7_only_tmall_and_only_out_of_stock(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    ex_order o;
    fxe_order(&o, 1);
    Cs__V1__AfterSalesCase c = stockout(CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED, 8000);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(!ex7_stockout_case(&c, &o, &s, false, &d)); /* Taobao shop */
    o.channel = CS__V1__CHANNEL__CHANNEL_TMALL;          /* the order says Tmall */
    CT_CHECK(ex7_stockout_case(&c, &o, &s, false, &d));
    ex_decision_init(&d);
    c.reason = CS__V1__CASE_REASON__CASE_REASON_QUALITY;
    CT_CHECK(!ex7_stockout_case(&c, &o, &s, false, &d));
    CT_EQ_INT(d.fx.nfinance, 0);
    fxe_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ex7_compensation_is_5_percent_rounded_half_up), CT_CASE(test_ex7_compensation_capped_at_30_cny),
        CT_CASE(test_ex7_exchange_offered_first_when_refund_requested),
        CT_CASE(test_ex7_refunded_case_gets_one_compensation_request),
        CT_CASE(test_ex7_only_tmall_and_only_out_of_stock))
