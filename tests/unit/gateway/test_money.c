/* test_money.c -- gw_money_fen: decimal strings into fen exactly, and the
 * forms refused with a reason (gateway/map/money.c). */
#include <stdint.h>
#include <string.h>

#include "ct.h"
#include "gw_map.h"

static int64_t fen_of(const char *s) {
    int64_t fen = -12345;
    char why[128];
    if (gw_money_fen(s, &fen, why, sizeof why) != 0) return -1;
    return fen;
}

/* the refusal's reason, or "" if s was accepted */
static const char *why_of(const char *s) {
    static char why[128];
    int64_t fen;
    why[0] = '\0';
    if (gw_money_fen(s, &fen, why, sizeof why) == 0) return "";
    return why;
}

static void test_money_two_decimals_to_fen(void) {
    CT_EQ_INT(fen_of("0.10"), 10);
    CT_EQ_INT(fen_of("117.70"), 11770);
    CT_EQ_INT(fen_of("0.01"), 1);
    CT_EQ_INT(fen_of("0.00"), 0);
    CT_EQ_INT(fen_of("99999999.99"), INT64_C(9999999999));
}

static void test_money_whole_and_one_decimal(void) {
    CT_EQ_INT(fen_of("5"), 500);
    CT_EQ_INT(fen_of("0"), 0);
    CT_EQ_INT(fen_of("5.5"), 550);
    CT_EQ_INT(fen_of("10.0"), 1000);
}

static void test_money_largest_accepted(void) {
    CT_EQ_INT(fen_of("99999999999.99"), INT64_C(9999999999999));
    CT_EQ_INT(fen_of("99999999999"), INT64_C(9999999999900));
}

static void test_money_refuses_exponent_sign_and_third_decimal(void) {
    CT_CHECK(strstr(why_of("1e3"), "exponent") != NULL);
    CT_CHECK(strstr(why_of("1E3"), "exponent") != NULL);
    CT_CHECK(strstr(why_of("-0.01"), "sign") != NULL);
    CT_CHECK(strstr(why_of("+1"), "sign") != NULL);
    CT_CHECK(strstr(why_of("12.345"), "two decimals") != NULL);
    CT_CHECK(strstr(why_of("0.001"), "two decimals") != NULL);
}

static void test_money_refuses_blanks_empty_and_hex(void) {
    CT_CHECK(strstr(why_of(""), "empty") != NULL);
    CT_CHECK(strstr(why_of(NULL), "empty") != NULL);
    CT_CHECK(strstr(why_of(" 1"), "blanks") != NULL);
    CT_CHECK(strstr(why_of("1 "), "blanks") != NULL);
    CT_CHECK(strstr(why_of("0x10"), "not a decimal") != NULL);
    CT_CHECK(strstr(why_of("1,000.00"), "not a decimal") != NULL);
    CT_CHECK(strstr(why_of("1.2.3"), "not a decimal") != NULL);
    CT_CHECK(strstr(why_of("NaN"), "not a decimal") != NULL);
    CT_CHECK(strstr(why_of("１"), "not a decimal") != NULL); /* full-width digit */
}

static void test_money_refuses_bare_point_and_leading_zero(void) {
    CT_CHECK(strstr(why_of("1."), "after the point") != NULL);
    CT_CHECK(strstr(why_of(".5"), "before the point") != NULL);
    CT_CHECK(strstr(why_of("."), "before the point") != NULL);
    CT_CHECK(strstr(why_of("07.50"), "leading zero") != NULL);
    CT_CHECK(strstr(why_of("00"), "leading zero") != NULL);
}

static void test_money_refuses_overflow(void) {
    CT_CHECK(strstr(why_of("100000000000"), "too large") != NULL);
    CT_CHECK(strstr(why_of("100000000000.00"), "too large") != NULL);
    CT_CHECK(strstr(why_of("99999999999999999999999999"), "too large") != NULL);
}

static void test_money_refusal_leaves_fen_untouched(void) {
    int64_t fen = 42;
    char why[8]; /* a short buffer is cut, never overrun */
    CT_EQ_INT(gw_money_fen("12.345", &fen, why, sizeof why), -1);
    CT_EQ_INT(fen, 42);
    CT_EQ_INT(strlen(why), sizeof why - 1);
    CT_EQ_INT(gw_money_fen("1e3", &fen, NULL, 0), -1);
}

CT_MAIN(CT_CASE(test_money_two_decimals_to_fen), CT_CASE(test_money_whole_and_one_decimal),
        CT_CASE(test_money_largest_accepted), CT_CASE(test_money_refuses_exponent_sign_and_third_decimal),
        CT_CASE(test_money_refuses_blanks_empty_and_hex), CT_CASE(test_money_refuses_bare_point_and_leading_zero),
        CT_CASE(test_money_refuses_overflow), CT_CASE(test_money_refusal_leaves_fen_untouched))
