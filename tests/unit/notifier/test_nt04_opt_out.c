/* test_nt04_opt_out.c -- NT-4: T, TD or 退订 opt out; follow-ups are
 * suppressed, service messages still go. */
#include "nt_fixtures.h"

static void test_nt4_keywords_opt_out_whatever_the_spelling(void) {
    CT_CHECK(nt4_is_opt_out("T"));
    CT_CHECK(nt4_is_opt_out("TD"));
    CT_CHECK(nt4_is_opt_out("td"));
    CT_CHECK(nt4_is_opt_out(" Td \n"));
    CT_CHECK(nt4_is_opt_out("ＴＤ")); /* full width */
    CT_CHECK(nt4_is_opt_out("退订"));
    CT_CHECK(nt4_is_opt_out("退订。"));
}

static void test_nt4_other_replies_are_not_opt_outs(void) {
    CT_CHECK(!nt4_is_opt_out("TD please call me back"));
    CT_CHECK(!nt4_is_opt_out("好的"));
    CT_CHECK(!nt4_is_opt_out("退货"));
    CT_CHECK(!nt4_is_opt_out("TT"));
    CT_CHECK(!nt4_is_opt_out(""));
    CT_CHECK(!nt4_is_opt_out(NULL));
}

static void test_nt4_opt_out_suppresses_follow_ups_only(void) {
    CT_CHECK(nt4_suppressed(NT_FOLLOW_UP, true));
    CT_CHECK(!nt4_suppressed(NT_SERVICE, true));
    CT_CHECK(!nt4_suppressed(NT_FOLLOW_UP, false));
    CT_CHECK(!nt4_suppressed(NT_SERVICE, false));
}

CT_MAIN(CT_CASE(test_nt4_keywords_opt_out_whatever_the_spelling), CT_CASE(test_nt4_other_replies_are_not_opt_outs),
        CT_CASE(test_nt4_opt_out_suppresses_follow_ups_only))
