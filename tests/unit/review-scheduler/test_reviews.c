/* test_reviews.c -- the review-scheduler's stored case (reviews.c): an
 * rv_case survives rv_case_to_state, pack, unpack and rv_case_from_state
 * field for field (day 1 recomputed from the posting in the shop's zone),
 * and an absent string stays absent, so a stored case decides as it did
 * before it was stored. */
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "reviews.h"
#include "rv_fixtures.h"

static Cs__V1__ReviewCaseState *roundTrip(const rv_case *c, const cs_shop *shop, rv_case *out) {
    Cs__V1__ReviewCaseState st;
    rv_case_to_state(c, &st);
    size_t len = cs__v1__review_case_state__get_packed_size(&st);
    uint8_t *buf = malloc(len ? len : 1);
    cs__v1__review_case_state__pack(&st, buf);
    Cs__V1__ReviewCaseState *back = cs__v1__review_case_state__unpack(NULL, len, buf);
    free(buf);
    rv_case_from_state(out, back, shop);
    return back;
}

static void test_reviews_case_state_round_trip_keeps_every_field(void) {
    cs_shop shop;
    fxr_shop_init(&shop, "Asia/Shanghai");
    int64_t posted = fxr_local(&shop, 2026, 11, 20, 23, 59);
    Cs__V1__Review rev = fxr_review(FXR_NEG, posted);
    rv_case c;
    rv_case_from_review(&rev, &shop, posted + FXR_HOUR, &c);
    c.difficult = true;
    c.calls = 2;
    c.ims = 1;
    c.last_contact_day = 2;
    c.sms_days = 0x6;
    c.state = RV_STATE_NO_ANSWER;
    c.opted_out = true;
    c.closed_ms = posted + 3 * FXR_DAY;
    rv_case r;
    Cs__V1__ReviewCaseState *st = roundTrip(&c, &shop, &r);
    CT_CHECK(st != NULL);
    CT_CHECK(r.exists);
    CT_EQ_STR(r.review_id, "R1");
    CT_EQ_STR(r.order_id, "O1");
    CT_EQ_STR(r.buyer_id, "buyer-1");
    CT_EQ_STR(r.buyer_phone, "13800138000");
    CT_EQ_STR(r.sku, "SKU-1");
    CT_EQ_INT(r.rating, FXR_NEG);
    CT_EQ_INT(r.dislike, CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT);
    CT_EQ_INT(r.posted_ms, posted);
    CT_EQ_INT(r.day1, cs_day_from_ymd(2026, 11, 20)); /* 23:59 local is still 11-20 */
    CT_EQ_INT(r.item_price_fen, 4500);
    CT_CHECK(r.difficult);
    CT_EQ_INT(r.calls, 2);
    CT_EQ_INT(r.ims, 1);
    CT_EQ_INT(r.last_contact_day, 2);
    CT_EQ_INT(r.sms_days, 0x6);
    CT_EQ_INT(r.state, RV_STATE_NO_ANSWER);
    CT_CHECK(r.opted_out);
    CT_EQ_INT(r.closed_ms, c.closed_ms);
    cs__v1__review_case_state__free_unpacked(st, NULL);
    fxr_shop_done(&shop);
}

static void test_reviews_absent_strings_stay_absent(void) {
    cs_shop shop;
    fxr_shop_init(&shop, "America/New_York");
    rv_case c = {.exists = true, .review_id = "R2", .state = RV_STATE_OPEN, .posted_ms = 1};
    rv_case r;
    Cs__V1__ReviewCaseState *st = roundTrip(&c, &shop, &r);
    CT_CHECK(r.order_id == NULL);
    CT_CHECK(r.buyer_phone == NULL);
    CT_CHECK(r.buyer_id == NULL);
    CT_EQ_INT(r.state, RV_STATE_OPEN);
    cs__v1__review_case_state__free_unpacked(st, NULL);
    rv_case none;
    rv_case_from_state(&none, NULL, &shop);
    CT_CHECK(!none.exists);
    fxr_shop_done(&shop);
}

CT_MAIN(CT_CASE(test_reviews_case_state_round_trip_keeps_every_field), CT_CASE(test_reviews_absent_strings_stay_absent))
