/* test_ov07_notes.c -- OV-7: a paid order with a buyer message or remark
 * is held for an agent review; special requests (gift wrap, delivery
 * window, installation) are flagged for the warehouse. */
#include "ov_fixtures.h"

static void run(const Cs__V1__Order *o, ov_decision *d) {
    ov_decision_init(d);
    ov7_check_notes(o, d);
    d->state = ov12_state_of(d);
}

static void test_ov7_buyer_message_on_paid_order_holds_for_review(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.buyer_message = FX_S("请发顺丰,周末不在家");
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_BUYER_MESSAGE_REVIEW), 1);
    CT_CHECK(fx_detail_has(fx_reason(&d, OV_BUYER_MESSAGE_REVIEW), "请发顺丰"));
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD);
    CT_EQ_INT(d.ntasks, 1);
    CT_EQ_INT(d.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_REVIEW);
    CT_EQ_STR(d.tasks[0].rule, "OV-7");
}

static void test_ov7_seller_remark_is_reviewed_too(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.seller_memo = FX_S("客户要求换白色");
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_BUYER_MESSAGE_REVIEW), 1);
    CT_CHECK(strstr(d.tasks[0].summary, "remark") != NULL);
}

static void test_ov7_unpaid_order_with_message_not_reviewed_yet(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.paid_ms = 0;
    f.o.buyer_message = FX_S("尽快发货");
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(d.nreasons, 0);
    CT_EQ_INT(d.ntasks, 0);
}

static void test_ov7_cod_order_with_message_is_reviewed(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.paid_ms = 0;
    f.o.cod = 1;
    f.o.buyer_message = FX_S("送货前打电话");
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_BUYER_MESSAGE_REVIEW), 1);
}

static void test_ov7_whitespace_only_message_is_no_message(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.buyer_message = FX_S(" \xE3\x80\x80\n");
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(d.nreasons, 0);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
}

static void test_ov7_special_requests_flagged_for_warehouse_without_hold(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.gift_wrap = 1;
    f.o.delivery_window = FX_S("工作日送货");
    f.o.installation = 1;
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(d.nreasons, 0);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
    CT_EQ_INT(fx_count_annotation(&d, OV_WAREHOUSE_FLAG), 3);
    CT_EQ_STR(d.annotations[1].detail, "delivery window: 工作日送货");
    CT_EQ_STR(d.annotations[0].rule, "OV-7");
}

CT_MAIN(CT_CASE(test_ov7_buyer_message_on_paid_order_holds_for_review), CT_CASE(test_ov7_seller_remark_is_reviewed_too),
        CT_CASE(test_ov7_unpaid_order_with_message_not_reviewed_yet),
        CT_CASE(test_ov7_cod_order_with_message_is_reviewed), CT_CASE(test_ov7_whitespace_only_message_is_no_message),
        CT_CASE(test_ov7_special_requests_flagged_for_warehouse_without_hold))
