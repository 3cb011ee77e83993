/* test_refunds.c -- the refund-notifier's stored case (refunds.c): an
 * rf_case survives rf_case_to_state, pack, unpack and rf_case_from_state
 * field for field, and an absent string stays absent (NULL), so a stored
 * case decides as it did before it was stored. */
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "refunds.h"

#define ST(s) CS__V1__CASE_STAGE__CASE_STAGE_##s

/* c through its stored form into *out; the state to free is returned. */
static Cs__V1__RefundCaseState *roundTrip(const rf_case *c, rf_case *out) {
    Cs__V1__RefundCaseState st;
    rf_case_to_state(c, &st);
    size_t len = cs__v1__refund_case_state__get_packed_size(&st);
    uint8_t *buf = malloc(len ? len : 1);
    cs__v1__refund_case_state__pack(&st, buf);
    Cs__V1__RefundCaseState *back = cs__v1__refund_case_state__unpack(NULL, len, buf);
    free(buf);
    rf_case_from_state(out, back);
    return back;
}

static void test_refunds_case_state_round_trip_keeps_every_field(void) {
    rf_case c = {.exists = true,
                 .case_id = "CASE-1",
                 .order_id = "O-1",
                 .sku = "SKU-1",
                 .agent = "小王",
                 .refund_account = "alipay:b1",
                 .origin_province = "浙江省",
                 .type = CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND,
                 .reason = CS__V1__CASE_REASON__CASE_REASON_QUALITY,
                 .stage = ST(REFUNDED),
                 .registered_ms = 1000,
                 .requested_ms = 900,
                 .agreed_ms = 2000,
                 .refunded_ms = 3000,
                 .intervened_ms = 2500,
                 .last_event_ms = 3000,
                 .last_event_id = "ev-3",
                 .amount_fen = 9900,
                 .postage_paid_fen = 1200,
                 .has_photo = true,
                 .item_unusable_photo = true,
                 .goods_unused = true,
                 .packaging_complete = true,
                 .freight_collect = true,
                 .refused_transitions = 2,
                 .refund_fen = 9800,
                 .postage_fen = 1000,
                 .postage_ms = 3000,
                 .remedy = 2};
    rf_case r;
    Cs__V1__RefundCaseState *st = roundTrip(&c, &r);
    CT_CHECK(st != NULL);
    CT_CHECK(r.exists);
    CT_EQ_STR(r.case_id, "CASE-1");
    CT_EQ_STR(r.order_id, "O-1");
    CT_EQ_STR(r.sku, "SKU-1");
    CT_EQ_STR(r.agent, "小王");
    CT_EQ_STR(r.refund_account, "alipay:b1");
    CT_EQ_STR(r.origin_province, "浙江省");
    CT_EQ_STR(r.last_event_id, "ev-3");
    CT_EQ_INT(r.type, c.type);
    CT_EQ_INT(r.reason, c.reason);
    CT_EQ_INT(r.stage, ST(REFUNDED));
    CT_EQ_INT(r.registered_ms, 1000);
    CT_EQ_INT(r.requested_ms, 900);
    CT_EQ_INT(r.agreed_ms, 2000);
    CT_EQ_INT(r.refunded_ms, 3000);
    CT_EQ_INT(r.intervened_ms, 2500);
    CT_EQ_INT(r.last_event_ms, 3000);
    CT_EQ_INT(r.amount_fen, 9900);
    CT_EQ_INT(r.postage_paid_fen, 1200);
    CT_CHECK(r.has_photo && r.item_unusable_photo && r.goods_unused && r.packaging_complete && r.freight_collect);
    CT_EQ_INT(r.refused_transitions, 2);
    CT_EQ_INT(r.refund_fen, 9800);
    CT_EQ_INT(r.postage_fen, 1000);
    CT_EQ_INT(r.postage_ms, 3000);
    CT_EQ_INT(r.remedy, 2);
    cs__v1__refund_case_state__free_unpacked(st, NULL);
}

static void test_refunds_case_state_absent_strings_stay_null(void) {
    rf_case c = {.exists = true, .case_id = "CASE-2", .order_id = "O-2", .stage = ST(REQUESTED)};
    rf_case r;
    Cs__V1__RefundCaseState *st = roundTrip(&c, &r);
    CT_CHECK(st != NULL);
    CT_CHECK(r.sku == NULL);
    CT_CHECK(r.agent == NULL);
    CT_CHECK(r.refund_account == NULL);
    CT_CHECK(r.origin_province == NULL);
    CT_CHECK(r.last_event_id == NULL);
    CT_EQ_INT(r.refunded_ms, 0);
    cs__v1__refund_case_state__free_unpacked(st, NULL);
    rf_case_from_state(&r, NULL); /* no stored case: a new one */
    CT_CHECK(!r.exists);
}

CT_MAIN(CT_CASE(test_refunds_case_state_round_trip_keeps_every_field),
        CT_CASE(test_refunds_case_state_absent_strings_stay_null))
