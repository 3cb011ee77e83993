/* test_pii.c -- PII retention's pure part (shared/src/pii.c): which orders
 * are due, the cutoff, and the masks (idempotent, ids and amounts kept). */
#include <stdlib.h>
#include <string.h>

#include "cs/pii.h"
#include "cs/util.h"
#include "ct.h"

#define DAY CS_PII_DAY_MS
#define NOW (INT64_C(1800000000000))

static void test_mask_phone_keeps_first_3_and_last_4(void) {
    char out[64];
    cs_pii_mask_phone("13800138000", out, sizeof out);
    CT_EQ_STR(out, "138****8000");
    cs_pii_mask_phone("+8613800138000", out, sizeof out);
    CT_EQ_STR(out, "+86****8000");
    cs_pii_mask_phone("010-1234", out, sizeof out); /* short: all hidden */
    CT_EQ_STR(out, "****");
    cs_pii_mask_phone("", out, sizeof out);
    CT_EQ_STR(out, "");
    cs_pii_mask_phone(NULL, out, sizeof out);
    CT_EQ_STR(out, "");
}

static void test_mask_phone_twice_changes_nothing(void) {
    char once[64], twice[64];
    cs_pii_mask_phone("13800138000", once, sizeof once);
    cs_pii_mask_phone(once, twice, sizeof twice);
    CT_EQ_STR(twice, once);
    cs_pii_mask_phone("****", twice, sizeof twice);
    CT_EQ_STR(twice, "****");
}

static void test_cutoff_is_now_less_whole_days(void) {
    CT_CHECK(cs_pii_cutoff_ms(NOW, 90) == NOW - 90 * DAY);
    CT_CHECK(cs_pii_cutoff_ms(NOW, 1) == NOW - DAY);
}

static Cs__V1__OrderState *orderWith(int64_t created, const char *phone) {
    Cs__V1__OrderState *st = cs_xcalloc(1, sizeof *st);
    cs__v1__order_state__init(st);
    Cs__V1__Order *o = cs_xcalloc(1, sizeof *o);
    cs__v1__order__init(o);
    o->order_id = cs_xstrdup("T1");
    o->buyer_id = cs_xstrdup("nick");
    o->created_ms = created;
    o->paid_amount_fen = 11770;
    Cs__V1__Receiver *r = cs_xcalloc(1, sizeof *r);
    cs__v1__receiver__init(r);
    r->name = cs_xstrdup("张三");
    r->phone = cs_xstrdup(phone);
    Cs__V1__Address *a = cs_xcalloc(1, sizeof *a);
    cs__v1__address__init(a);
    a->province = cs_xstrdup("浙江省");
    a->city = cs_xstrdup("杭州市");
    a->district = cs_xstrdup("西湖区");
    a->street = cs_xstrdup("文三路 1 号");
    r->address = a;
    o->receiver = r;
    st->order = o;
    return st;
}

static void test_order_closed_at_its_last_activity(void) {
    Cs__V1__OrderState *st = orderWith(NOW - 200 * DAY, "13800138000");
    CT_CHECK(cs_pii_order_closed_ms(st) == NOW - 200 * DAY);
    st->signed_ms = NOW - 150 * DAY;
    st->closed_ms = NOW - 149 * DAY;
    CT_CHECK(cs_pii_order_closed_ms(st) == NOW - 149 * DAY);
    CT_CHECK(cs_pii_order_due(st, cs_pii_cutoff_ms(NOW, 90)));
    CT_CHECK(!cs_pii_order_due(st, cs_pii_cutoff_ms(NOW, 150)));
    cs__v1__order_state__free_unpacked(st, NULL);
}

static void test_order_with_recent_group_change_not_due(void) {
    Cs__V1__OrderState *st = orderWith(NOW - 200 * DAY, "13800138000");
    st->cancelled_ms = NOW - 199 * DAY;
    Cs__V1__GroupVersion *g = cs_xcalloc(1, sizeof *g);
    cs__v1__group_version__init(g);
    g->modified_ms = NOW - 10 * DAY; /* an address change after the cancellation */
    st->versions = cs_xcalloc(1, sizeof *st->versions);
    st->versions[0] = g;
    st->n_versions = 1;
    CT_CHECK(!cs_pii_order_due(st, cs_pii_cutoff_ms(NOW, 90)));
    cs__v1__order_state__free_unpacked(st, NULL);
}

static void test_order_without_instants_never_due(void) {
    Cs__V1__OrderState st;
    cs__v1__order_state__init(&st);
    CT_CHECK(!cs_pii_order_due(&st, NOW));
}

static void test_mask_order_receiver_keeps_ids_amounts_and_province(void) {
    Cs__V1__OrderState *st = orderWith(NOW - 200 * DAY, "13800138000");
    st->order->buyer_message = cs_xstrdup("送货前请打 13800138000");
    st->order->seller_memo = cs_xstrdup("改地址: 西湖区文三路 1 号");
    CT_EQ_INT(cs_pii_mask_order(st), 7); /* message, memo, name, phone, city, district, street */
    CT_EQ_STR(st->order->buyer_message, "");
    CT_EQ_STR(st->order->seller_memo, "");
    CT_EQ_STR(st->order->receiver->name, "*");
    CT_EQ_STR(st->order->receiver->phone, "138****8000");
    CT_EQ_STR(st->order->receiver->address->province, "浙江省");
    CT_EQ_STR(st->order->receiver->address->city, "");
    CT_EQ_STR(st->order->receiver->address->street, "");
    CT_EQ_STR(st->order->order_id, "T1");
    CT_EQ_STR(st->order->buyer_id, "nick");
    CT_CHECK(st->order->paid_amount_fen == 11770);
    /* packed and read back: the same, and a second mask changes nothing */
    size_t n = cs__v1__order_state__get_packed_size(st);
    uint8_t *buf = cs_xcalloc(1, n + 1);
    cs__v1__order_state__pack(st, buf);
    Cs__V1__OrderState *back = cs__v1__order_state__unpack(NULL, n, buf);
    CT_CHECK(back != NULL);
    CT_EQ_INT(cs_pii_mask_order(back), 0);
    CT_EQ_STR(back->order->receiver->phone, "138****8000");
    cs__v1__order_state__free_unpacked(back, NULL);
    free(buf);
    cs__v1__order_state__free_unpacked(st, NULL);
}

static void test_mask_order_without_receiver_changes_nothing(void) {
    Cs__V1__OrderState st;
    cs__v1__order_state__init(&st);
    CT_EQ_INT(cs_pii_mask_order(&st), 0);
}

static void test_mask_review_case_phone_and_buyer(void) {
    Cs__V1__ReviewCaseState rc;
    cs__v1__review_case_state__init(&rc);
    rc.buyer_phone = cs_xstrdup("13900139000");
    rc.buyer_id = cs_xstrdup("buyer-nick");
    rc.review_id = "R1";
    CT_EQ_INT(cs_pii_mask_review_case(&rc), 2);
    CT_EQ_STR(rc.buyer_phone, "139****9000");
    CT_EQ_STR(rc.buyer_id, "*");
    CT_EQ_INT(cs_pii_mask_review_case(&rc), 0);
    CT_EQ_STR(rc.review_id, "R1");
    free(rc.buyer_phone);
    free(rc.buyer_id);
}

static void test_mask_refund_case_account(void) {
    Cs__V1__RefundCaseState rc;
    cs__v1__refund_case_state__init(&rc);
    CT_EQ_INT(cs_pii_mask_refund_case(&rc), 0); /* empty default left alone */
    rc.refund_account = cs_xstrdup("alipay:13700137000");
    CT_EQ_INT(cs_pii_mask_refund_case(&rc), 1);
    CT_EQ_STR(rc.refund_account, "ali****7000");
    free(rc.refund_account);
}

CT_MAIN(CT_CASE(test_mask_phone_keeps_first_3_and_last_4), CT_CASE(test_mask_phone_twice_changes_nothing),
        CT_CASE(test_cutoff_is_now_less_whole_days), CT_CASE(test_order_closed_at_its_last_activity),
        CT_CASE(test_order_with_recent_group_change_not_due), CT_CASE(test_order_without_instants_never_due),
        CT_CASE(test_mask_order_receiver_keeps_ids_amounts_and_province),
        CT_CASE(test_mask_order_without_receiver_changes_nothing), CT_CASE(test_mask_review_case_phone_and_buyer),
        CT_CASE(test_mask_refund_case_account))
