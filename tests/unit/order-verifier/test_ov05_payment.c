/* test_ov05_payment.c -- OV-5: in-platform payment proceeds; bank transfer,
 * own-site Alipay and online banking wait for finance (awaiting payment or
 * paid, to be verified); unpaid platform orders wait for payment; COD is
 * not unpaid. */
#include "ov_fixtures.h"

static void run(const Cs__V1__Order *o, ov_decision *d) {
    ov_decision_init(d);
    ov5_check_payment(o, d);
    d->state = ov12_state_of(d);
}

static void test_ov5_platform_paid_proceeds(void) {
    fx_order f;
    fx_order_init(&f);
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(d.nreasons, 0);
    CT_EQ_INT(d.ntasks, 0);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
}

static void test_ov5_platform_unpaid_is_pending_payment(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.paid_ms = 0;
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_UNPAID), 1);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_PAYMENT);
}

static void test_ov5_bank_transfer_unpaid_awaits_buyer_payment(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER;
    f.o.paid_ms = 0;
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(d.nreasons, 1);
    CT_EQ_INT(fx_count_code(&d, OV_AWAITING_BUYER_PAYMENT), 1);
    CT_EQ_INT(fx_count_code(&d, OV_UNPAID), 0);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_FINANCE_CHECK);
    CT_EQ_INT(d.ntasks, 1);
    CT_EQ_INT(d.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_FINANCE_CHECK);
    CT_CHECK(strstr(d.tasks[0].summary, "awaiting buyer payment") != NULL);
}

static void test_ov5_own_site_alipay_paid_is_to_be_verified(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_OWN_SITE_ALIPAY;
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_PAID_TO_BE_VERIFIED), 1);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_FINANCE_CHECK);
    CT_CHECK(strstr(d.tasks[0].summary, "paid, to be verified") != NULL);
}

static void test_ov5_online_banking_needs_finance_check(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_ONLINE_BANKING;
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_PAID_TO_BE_VERIFIED), 1);
    f.o.paid_ms = 0;
    run(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_AWAITING_BUYER_PAYMENT), 1);
}

static void test_ov5_cod_is_not_unpaid(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD;
    f.o.paid_ms = 0;
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(d.nreasons, 0);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
}

CT_MAIN(CT_CASE(test_ov5_platform_paid_proceeds), CT_CASE(test_ov5_platform_unpaid_is_pending_payment),
        CT_CASE(test_ov5_bank_transfer_unpaid_awaits_buyer_payment),
        CT_CASE(test_ov5_own_site_alipay_paid_is_to_be_verified), CT_CASE(test_ov5_online_banking_needs_finance_check),
        CT_CASE(test_ov5_cod_is_not_unpaid))
