/* test_ov14_invoice.c -- OV-14: invoice amount = goods (item total -
 * discounts, never postage), plus 6 % half up for own-site orders. */
#include <stdint.h>

#include "ov_fixtures.h"

static void goods_only(fx_order *f, int64_t price) {
    fx_order_init(f);
    f->line[0].quantity = 1;
    f->line[0].unit_price_fen = price;
    f->o.n_discounts = 0;
}

static void test_ov14_postage_is_never_invoiced(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f); /* 39.80 goods - 5.00 coupon + 10.00 postage */
    CT_EQ_INT(ov14_invoice_amount(&f.o, &s), 3480);
    f.o.shipping_fee_fen = 123456;
    CT_EQ_INT(ov14_invoice_amount(&f.o, &s), 3480);
    fx_shop_done(&s);
}

static void test_ov14_own_site_adds_6_percent_half_up(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    goods_only(&f, 1025); /* 6 % = 61.5 fen -> 62 */
    f.o.channel = CS__V1__CHANNEL__CHANNEL_OWN_SITE;
    CT_EQ_INT(ov14_invoice_amount(&f.o, &s), 1087);
    goods_only(&f, 1024); /* 61.44 -> 61 */
    f.o.channel = CS__V1__CHANNEL__CHANNEL_OWN_SITE;
    CT_EQ_INT(ov14_invoice_amount(&f.o, &s), 1085);
    fx_order_init(&f); /* 34.80 goods: 2.088 -> 2.09 */
    f.o.channel = CS__V1__CHANNEL__CHANNEL_OWN_SITE;
    CT_EQ_INT(ov14_invoice_amount(&f.o, &s), 3480 + 209);
    fx_shop_done(&s);
}

static void test_ov14_platform_orders_get_no_surcharge(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    goods_only(&f, 1025);
    f.o.channel = CS__V1__CHANNEL__CHANNEL_TMALL;
    CT_EQ_INT(ov14_invoice_amount(&f.o, &s), 1025);
    fx_shop_done(&s);
}

static void test_ov14_channel_from_shop_when_order_does_not_say(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    s.channel = CS_CHANNEL_OWN_SITE;
    fx_order f;
    goods_only(&f, 10000);
    f.o.channel = CS__V1__CHANNEL__CHANNEL_UNSPECIFIED;
    CT_EQ_INT(ov14_invoice_amount(&f.o, &s), 10600);
    s.th.own_site_invoice_tax_bp = 300;
    CT_EQ_INT(ov14_invoice_amount(&f.o, &s), 10300);
    fx_shop_done(&s);
}

static void test_ov14_note_carries_amount_in_yuan(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    goods_only(&f, 1025);
    f.o.channel = CS__V1__CHANNEL__CHANNEL_OWN_SITE;
    ov_note n;
    ov14_invoice_note(&f.o, &s, &n);
    CT_EQ_STR(n.template_id, "invoice_amount");
    CT_EQ_STR(n.rule, "OV-14");
    CT_EQ_INT(n.klass, CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE);
    CT_EQ_STR(fx_param(&n, "amount"), "10.87");
    CT_EQ_STR(fx_param(&n, "order_id"), "O1");
    fx_shop_done(&s);
}

static void test_ov14_impossible_amount_is_refused(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    goods_only(&f, INT64_MAX);
    fx_add_line(&f, "L2", "SKU-B", 1, 1);
    CT_EQ_INT(ov14_invoice_amount(&f.o, &s), -1);
    ov_note n;
    ov14_invoice_note(&f.o, &s, &n);
    CT_CHECK(n.template_id == NULL);
    CT_CHECK(fx_param(&n, "amount") == NULL);
    /* own-site surcharge that would overflow */
    goods_only(&f, INT64_MAX - 10);
    f.o.channel = CS__V1__CHANNEL__CHANNEL_OWN_SITE;
    CT_EQ_INT(ov14_invoice_amount(&f.o, &s), -1);
    /* discounts larger than the goods leave nothing to invoice */
    goods_only(&f, 100);
    fx_add_discount(&f, 500);
    CT_EQ_INT(ov14_invoice_amount(&f.o, &s), 0);
    fx_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ov14_postage_is_never_invoiced), CT_CASE(test_ov14_own_site_adds_6_percent_half_up),
        CT_CASE(test_ov14_platform_orders_get_no_surcharge),
        CT_CASE(test_ov14_channel_from_shop_when_order_does_not_say), CT_CASE(test_ov14_note_carries_amount_in_yuan),
        CT_CASE(test_ov14_impossible_amount_is_refused))
