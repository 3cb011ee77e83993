/* test_rv01_open_case.c -- RV-1: a neutral or negative review opens one
 * follow-up case recording what the buyer disliked; a positive review
 * opens none; the same review delivered twice opens one case; a revision
 * never opens one. */
#include "rv_fixtures.h"

static void test_rv1_negative_review_opens_case_recording_product_dislike(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 18, 30);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, posted + FXR_MIN, &c, &d));
    CT_CHECK(d.open);
    CT_EQ_STR(d.rule, "RV-1");
    CT_CHECK(c.exists);
    CT_EQ_INT(c.state, RV_STATE_OPEN);
    CT_EQ_STR(c.review_id, "R1");
    CT_EQ_STR(c.order_id, "O1");
    CT_EQ_INT(c.rating, FXR_NEG);
    CT_EQ_INT(c.dislike, CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT);
    CT_EQ_STR(rv_dislike_name(c.dislike), "product");
    CT_EQ_INT(c.posted_ms, posted);
    CT_EQ_INT(c.day1, cs_day_from_ymd(2024, 11, 20));
    fxr_shop_done(&s);
}

static void test_rv1_neutral_review_opens_case_recording_service_dislike(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 9, 0);
    Cs__V1__Review r = fxr_review(FXR_NEU, posted);
    r.dislike = CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE;
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, true, &s, posted, &c, &d));
    CT_EQ_INT(c.rating, FXR_NEU);
    CT_EQ_STR(rv_dislike_name(c.dislike), "service");
    fxr_shop_done(&s);
}

static void test_rv1_positive_review_opens_none(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 9, 0);
    Cs__V1__Review r = fxr_review(FXR_POS, posted);
    rv_case none = {0};
    rv_decision d;
    rv_decision_init(&d);
    CT_CHECK(!rv_on_review(&r, &none, false, &s, posted, &d));
    CT_CHECK(!d.open);
    CT_CHECK(cs_fx_empty(&d.fx));
    /* nor an unrated one */
    r.rating = CS__V1__REVIEW_RATING__REVIEW_RATING_UNSPECIFIED;
    CT_CHECK(!rv1_opens_case(&r, &none));
    fxr_shop_done(&s);
}

static void test_rv1_same_review_twice_opens_one_case(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 18, 30);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, posted, &c, &d));
    /* the second delivery finds the case */
    rv_decision_init(&d);
    CT_CHECK(!rv_on_review(&r, &c, false, &s, posted + FXR_HOUR, &d));
    CT_CHECK(!d.open);
    CT_CHECK(cs_fx_empty(&d.fx));
    CT_EQ_INT(d.add_calls, 0);
    fxr_shop_done(&s);
}

static void test_rv1_revision_without_case_opens_none(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 18, 30);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    r.revision = true;
    rv_case none = {0};
    rv_decision d;
    rv_decision_init(&d);
    CT_CHECK(!rv_on_review(&r, &none, false, &s, posted, &d));
    CT_CHECK(!d.open);
    CT_CHECK(cs_fx_empty(&d.fx));
    fxr_shop_done(&s);
}

static void test_rv1_day1_is_the_posting_date_not_the_processing_date(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 23, 59);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    rv_case c;
    rv_decision d;
    /* consumed after midnight */
    CT_CHECK(fxr_open(&r, false, &s, fxr_local(&s, 2024, 11, 21, 0, 5), &c, &d));
    CT_EQ_INT(c.day1, cs_day_from_ymd(2024, 11, 20));
    CT_CHECK(fxr_sms(&d, fxr_local(&s, 2024, 11, 21, 10, 0)) != NULL);
    fxr_shop_done(&s);
}

/* Found by fuzz_envelope: posted_ms is the platform's word; a review
 * "posted" in the year 300000 overflowed the day number (int) when the
 * case opened. The posting time is held to the last instant of 9999
 * (UTC; 10000-01-01 in Shanghai). */
static void test_rv1_review_posted_past_year_9999_opens_case_without_overflow(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, INT64_C(9223372036854775000));
    rv_case c;
    rv_decision d;
    int64_t now = fxr_local(&s, 2024, 11, 21, 0, 5);
    CT_CHECK(fxr_open(&r, false, &s, now, &c, &d));
    CT_EQ_INT(c.day1, cs_day_from_ymd(10000, 1, 1));
    CT_EQ_INT(rv_day_number(&c, &s, now), cs_day_from_ymd(2024, 11, 21) - cs_day_from_ymd(10000, 1, 1) + 1);
    fxr_shop_done(&s);
}

/* What the buyer disliked, when the review does not say (Taobao's does
 * not): the agent records it through a case update, on an open or a
 * closed case, for the weekly report; nothing new, nothing recorded. */
static void test_rv1_agent_records_what_the_buyer_disliked(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(&s, 2024, 11, 20, 18, 30));
    r.dislike = CS__V1__DISLIKE_KIND__DISLIKE_KIND_UNSPECIFIED;
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, r.posted_ms, &c, &d));
    CT_EQ_INT(c.dislike, CS__V1__DISLIKE_KIND__DISLIKE_KIND_UNSPECIFIED);
    rv_decision_init(&d);
    CT_CHECK(rv1_record_dislike(&c, CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE, &d));
    CT_EQ_STR(d.rule, "RV-1");
    CT_EQ_INT(d.fx.ntasks + d.fx.nnotes + d.fx.ntimers + d.fx.ncancels, 0); /* a record, no contact */
    rv_case_apply(&c, &d, r.posted_ms + 60000);
    CT_EQ_INT(c.dislike, CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE);
    CT_EQ_INT(c.state, RV_STATE_OPEN);
    rv_decision_init(&d);
    CT_CHECK(!rv1_record_dislike(&c, CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE, &d)); /* nothing new */
    CT_CHECK(!rv1_record_dislike(&c, CS__V1__DISLIKE_KIND__DISLIKE_KIND_UNSPECIFIED, &d));
    CT_CHECK(!rv1_record_dislike(&c, (Cs__V1__DislikeKind)7, &d));
    /* a closed case takes it too: the weekly report reads it */
    c.state = RV_STATE_REFUSED;
    CT_CHECK(rv1_record_dislike(&c, CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT, &d));
    rv_case_apply(&c, &d, r.posted_ms + 120000);
    CT_EQ_INT(c.dislike, CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT);
    CT_EQ_INT(c.state, RV_STATE_REFUSED);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rv1_agent_records_what_the_buyer_disliked), CT_CASE(test_rv1_negative_review_opens_case_recording_product_dislike),
        CT_CASE(test_rv1_neutral_review_opens_case_recording_service_dislike),
        CT_CASE(test_rv1_positive_review_opens_none), CT_CASE(test_rv1_same_review_twice_opens_one_case),
        CT_CASE(test_rv1_revision_without_case_opens_none),
        CT_CASE(test_rv1_day1_is_the_posting_date_not_the_processing_date),
        CT_CASE(test_rv1_review_posted_past_year_9999_opens_case_without_overflow))
