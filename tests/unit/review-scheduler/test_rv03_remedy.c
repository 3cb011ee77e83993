/* test_rv03_remedy.c -- RV-3: under 30 CNY (strictly less than
 * cheap_item_fen) a partial refund or a gift with the next order; 30 CNY
 * and up, or a difficult buyer, return or exchange; the remedy is part of
 * the contact task's summary. */
#include "rv_fixtures.h"

static rv_case caseAt(const cs_shop *s, int64_t price_fen) {
    Cs__V1__Review r = fxr_review(FXR_NEG, fxr_local(s, 2024, 11, 20, 9, 0));
    r.item_price_fen = price_fen;
    rv_case c; /* its strings are the fixture's literals, not r's */
    rv_case_from_review(&r, s, r.posted_ms, &c);
    return c;
}

static void test_rv3_29_99_cny_partial_refund_or_gift(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rv_case c = caseAt(&s, 2999);
    CT_EQ_INT(rv3_remedy(&c, &s), RV_REMEDY_PARTIAL_REFUND_OR_GIFT);
    fxr_shop_done(&s);
}

static void test_rv3_30_00_cny_return_or_exchange(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rv_case c = caseAt(&s, 3000);
    CT_EQ_INT(rv3_remedy(&c, &s), RV_REMEDY_RETURN_OR_EXCHANGE);
    c = caseAt(&s, 12800);
    CT_EQ_INT(rv3_remedy(&c, &s), RV_REMEDY_RETURN_OR_EXCHANGE);
    fxr_shop_done(&s);
}

static void test_rv3_difficult_buyer_return_or_exchange_even_under_30_cny(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rv_case c = caseAt(&s, 990);
    c.difficult = true;
    CT_EQ_INT(rv3_remedy(&c, &s), RV_REMEDY_RETURN_OR_EXCHANGE);
    fxr_shop_done(&s);
}

static void test_rv3_unknown_price_is_not_cheap(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rv_case c = caseAt(&s, 0);
    CT_EQ_INT(rv3_remedy(&c, &s), RV_REMEDY_RETURN_OR_EXCHANGE);
    fxr_shop_done(&s);
}

static void test_rv3_threshold_is_the_shop_setting(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    s.th.cheap_item_fen = 5000;
    rv_case c = caseAt(&s, 4999);
    CT_EQ_INT(rv3_remedy(&c, &s), RV_REMEDY_PARTIAL_REFUND_OR_GIFT);
    fxr_shop_done(&s);
}

static void test_rv3_remedy_is_in_the_call_task_summary(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 9, 0);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    r.item_price_fen = 2999;
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, posted, &c, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "partial refund or a similar gift with the next order") != NULL);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "29.99 CNY") != NULL);
    r.item_price_fen = 3000;
    CT_CHECK(fxr_open(&r, true, &s, posted, &c, &d));
    CT_CHECK(strstr(d.fx.tasks[0].summary, "return or an exchange") != NULL);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "30.00 CNY") != NULL);
    fxr_shop_done(&s);
}

static void test_rv3_marking_difficult_changes_the_next_contacts_remedy(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 9, 0);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    r.item_price_fen = 1500;
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, posted, &c, &d));
    rv_decision_init(&d);
    CT_CHECK(rv3_mark_difficult(&c, &d));
    CT_CHECK(d.difficult);
    rv_case_apply(&c, &d, posted + FXR_MIN);
    CT_CHECK(c.difficult);
    /* once marked, marking again decides nothing */
    rv_decision_init(&d);
    CT_CHECK(!rv3_mark_difficult(&c, &d));
    /* the retry call proposes a return or exchange */
    Cs__V1__CallResult call = CS__V1__CALL_RESULT__INIT;
    call.outcome = CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE;
    rv_decision_init(&d);
    CT_CHECK(rv2_on_call_result(&call, &c, &s, posted + FXR_HOUR, &d));
    CT_CHECK(strstr(d.fx.tasks[0].summary, "difficult buyer") != NULL);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "return or an exchange") != NULL);
    fxr_shop_done(&s);
}

/* A buyer an agent marked difficult on an earlier case: the next case
 * opens difficult, and its day-1 contact proposes a return or exchange
 * even for a 15 CNY item. */
static void test_rv3_buyer_marked_on_an_earlier_case_opens_the_next_difficult(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 9, 0);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    r.item_price_fen = 1500;
    rv_buyer buyer = {.online = false, .difficult = true};
    rv_decision d;
    rv_decision_init(&d);
    CT_CHECK(rv_on_review_for(&r, NULL, &buyer, &s, posted, &d));
    CT_CHECK(d.open);
    CT_CHECK(d.difficult);
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "difficult buyer") != NULL);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "return or an exchange") != NULL);
    rv_case c;
    rv_case_from_review(&r, &s, posted, &c);
    rv_case_apply(&c, &d, posted);
    CT_CHECK(c.difficult);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rv3_buyer_marked_on_an_earlier_case_opens_the_next_difficult),
        CT_CASE(test_rv3_29_99_cny_partial_refund_or_gift), CT_CASE(test_rv3_30_00_cny_return_or_exchange),
        CT_CASE(test_rv3_difficult_buyer_return_or_exchange_even_under_30_cny),
        CT_CASE(test_rv3_unknown_price_is_not_cheap), CT_CASE(test_rv3_threshold_is_the_shop_setting),
        CT_CASE(test_rv3_remedy_is_in_the_call_task_summary),
        CT_CASE(test_rv3_marking_difficult_changes_the_next_contacts_remedy))
