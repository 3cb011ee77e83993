/* test_rf04_seven_day.c -- RF-4: the seven days count from the day after
 * signing, as local dates in the shop's zone: signed on 06-04 (any time),
 * a request is in time until 06-11 23:59:59.999 and late from 06-12
 * 00:00; goods unused and packaging complete; a shop in another zone
 * counts its own dates (across a daylight-saving change too). */
#include "rf_fixtures.h"

#define ST FXR_ST

static void test_rf4_exactly_7_days_after_the_day_of_signing_and_one_minute_past(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t signed_ms = fxr_local(&s, 2024, 6, 4, 15, 0);
    char why[96];
    CT_EQ_INT(rf4_window_end_ms(signed_ms, &s), fxr_local(&s, 2024, 6, 12, 0, 0));
    CT_CHECK(rf4_no_reason_ok(signed_ms, fxr_local(&s, 2024, 6, 11, 15, 0), true, true, &s, why, sizeof why));
    CT_EQ_STR(why, "");
    CT_CHECK(rf4_no_reason_ok(signed_ms, fxr_local(&s, 2024, 6, 11, 23, 59), true, true, &s, why, sizeof why));
    CT_CHECK(rf4_no_reason_ok(signed_ms, fxr_local(&s, 2024, 6, 12, 0, 0) - 1, true, true, &s, why, sizeof why));
    CT_CHECK(!rf4_no_reason_ok(signed_ms, fxr_local(&s, 2024, 6, 12, 0, 0), true, true, &s, why, sizeof why));
    CT_CHECK(!rf4_no_reason_ok(signed_ms, fxr_local(&s, 2024, 6, 12, 0, 1), true, true, &s, why, sizeof why));
    CT_EQ_STR(why, "requested after the seven days from the day after signing");
    fxr_shop_done(&s);
}

static void test_rf4_signing_time_of_day_does_not_matter(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t early = fxr_local(&s, 2024, 6, 4, 0, 0), late = fxr_local(&s, 2024, 6, 4, 23, 59);
    CT_EQ_INT(rf4_window_end_ms(early, &s), rf4_window_end_ms(late, &s));
    int64_t last = fxr_local(&s, 2024, 6, 11, 23, 59);
    CT_CHECK(rf4_no_reason_ok(early, last, true, true, &s, NULL, 0));
    CT_CHECK(rf4_no_reason_ok(late, last, true, true, &s, NULL, 0));
    /* the signing day itself is in the window too (the buyer may ask at once) */
    CT_CHECK(rf4_no_reason_ok(late, late + FXR_MIN / 2, true, true, &s, NULL, 0));
    fxr_shop_done(&s);
}

static void test_rf4_used_goods_or_incomplete_packaging_refused(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t signed_ms = fxr_local(&s, 2024, 6, 4, 15, 0);
    int64_t req = fxr_local(&s, 2024, 6, 6, 10, 0);
    char why[96];
    CT_CHECK(!rf4_no_reason_ok(signed_ms, req, false, true, &s, why, sizeof why));
    CT_EQ_STR(why, "the goods were used");
    CT_CHECK(!rf4_no_reason_ok(signed_ms, req, true, false, &s, why, sizeof why));
    CT_EQ_STR(why, "the packaging is not complete");
    CT_CHECK(!rf4_no_reason_ok(0, req, true, true, &s, why, sizeof why));
    CT_EQ_STR(why, "the delivery is not signed");
    fxr_shop_done(&s);
}

static void test_rf4_shop_in_another_time_zone(void) {
    /* New York: signed Tue 2024-03-05 22:00 EST (03-06 03:00 UTC); clocks
     * spring forward on 03-10; the window ends 03-13 00:00 EDT = 04:00 UTC */
    cs_shop ny, sh;
    fxr_shop_init(&ny, "America/New_York");
    fxr_shop_init(&sh, "Asia/Shanghai");
    const int64_t signed_ms = 1709694000000LL; /* 2024-03-06T03:00:00Z */
    const int64_t end_ny = 1710302400000LL;    /* 2024-03-13T04:00:00Z */
    CT_EQ_INT(fxr_local(&ny, 2024, 3, 5, 22, 0), signed_ms);
    CT_EQ_INT(rf4_window_end_ms(signed_ms, &ny), end_ny);
    CT_CHECK(rf4_no_reason_ok(signed_ms, end_ny - FXR_MIN, true, true, &ny, NULL, 0));
    CT_CHECK(!rf4_no_reason_ok(signed_ms, end_ny, true, true, &ny, NULL, 0));
    CT_CHECK(!rf4_no_reason_ok(signed_ms, end_ny + FXR_MIN, true, true, &ny, NULL, 0));
    /* the same instants in Shanghai: signed on 03-06 there, in time until
     * 03-14 00:00 +08 = 03-13 16:00 UTC */
    CT_EQ_INT(rf4_window_end_ms(signed_ms, &sh), 1710345600000LL);
    CT_CHECK(rf4_no_reason_ok(signed_ms, end_ny, true, true, &sh, NULL, 0));
    fxr_shop_done(&ny);
    fxr_shop_done(&sh);
}

static void test_rf4_window_length_is_a_shop_setting(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    s.th.no_reason_return_days = 15;
    int64_t signed_ms = fxr_local(&s, 2024, 6, 4, 15, 0);
    CT_EQ_INT(rf4_window_end_ms(signed_ms, &s), fxr_local(&s, 2024, 6, 20, 0, 0));
    fxr_shop_done(&s);
}

static void test_rf4_request_gets_a_task_saying_valid_or_why_not(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o); /* signed 06-04 15:00 */
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(NO_REASON_7D), ST(REQUESTED), 9900);
    e.goods_unused = true;
    e.packaging_complete = true;
    e.requested_ms = fxr_local(&s, 2024, 6, 12, 0, 1);
    rf_event ev = fxr_event(&e, "a", e.requested_ms);
    rf_case c = {0};
    rf_decision d;
    fxr_apply(&c, &ev, &o, &s, &d);
    const cs_task *t = fxr_task(&d, "RF-4");
    CT_CHECK(t != NULL);
    if (t) CT_CHECK(strstr(t->summary, "not valid: requested after the seven days") != NULL);
    CT_EQ_INT(d.decision.verdict, RF_VERDICT_NONE);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rf4_exactly_7_days_after_the_day_of_signing_and_one_minute_past),
        CT_CASE(test_rf4_signing_time_of_day_does_not_matter),
        CT_CASE(test_rf4_used_goods_or_incomplete_packaging_refused), CT_CASE(test_rf4_shop_in_another_time_zone),
        CT_CASE(test_rf4_window_length_is_a_shop_setting),
        CT_CASE(test_rf4_request_gets_a_task_saying_valid_or_why_not))
