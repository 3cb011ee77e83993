/* ov05_payment.c -- OV-5: payment method. In-platform payment proceeds;
 * bank transfer, own-site Alipay and online banking wait for finance;
 * unpaid platform orders wait for payment.
 *
 * Handbook: 000 §2 #6 ("银行转帐,网站支付宝,网银等需查帐的订单,都需标识待
 * 财务查帐,并补充说明是等待客户付款,还是已经付好款,便于财务查帐") and
 * 000 §2 #3 (货到付款).
 *
 * Why it is built this way: the finance-checked methods give one reason
 * (PENDING_FINANCE_CHECK by OV-12's precedence) whose code is exactly the
 * handbook's annotation: AWAITING_BUYER_PAYMENT when nothing is paid yet,
 * PAID_TO_BE_VERIFIED when the buyer says it is paid, plus a finance-check
 * task. Everything else unpaid (platform or unspecified method) is UNPAID,
 * i.e. PENDING_PAYMENT. Cash on delivery is not "unpaid": it is paid at
 * the door, and whether the courier can collect there is OV-4's check
 * (ov4_courier_serves(..., cod=true)). */
#include "ov_rules.h"

/* OV-5 */
void ov5_check_payment(const Cs__V1__Order *o, ov_decision *d) {
    bool paid = o->paid_ms != 0;
    switch (o->payment_method) {
        case CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER:
        case CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_OWN_SITE_ALIPAY:
        case CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_ONLINE_BANKING: {
            const char *how =
                o->payment_method == CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER     ? "bank transfer"
                : o->payment_method == CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_OWN_SITE_ALIPAY ? "own-site Alipay"
                                                                                              : "online banking";
            if (paid) {
                ov_add_reason(d, "OV-5", OV_PAID_TO_BE_VERIFIED, "%s: paid, to be verified by finance", how);
                ov_add_task(d, CS__V1__TASK_KIND__TASK_KIND_FINANCE_CHECK, "OV-5", false,
                            "%s order %s: paid, to be verified", how, ov_str(o->order_id));
            } else {
                ov_add_reason(d, "OV-5", OV_AWAITING_BUYER_PAYMENT, "%s: awaiting buyer payment", how);
                ov_add_task(d, CS__V1__TASK_KIND__TASK_KIND_FINANCE_CHECK, "OV-5", false,
                            "%s order %s: awaiting buyer payment", how, ov_str(o->order_id));
            }
            return;
        }
        default: break;
    }
    if (ov_order_cod(o)) return; /* paid at the door; coverage is OV-4's */
    if (!paid) ov_add_reason(d, "OV-5", OV_UNPAID, "not paid yet");
}
