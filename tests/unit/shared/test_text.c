/* test_text.c -- OV-9 normalisation, OV-3 phone checks, log masking and
 * the integer money helpers. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <unicode/uclean.h>

#include "cs/text.h"
#include "ct.h"

static void check_norm(const char *in, const char *want) {
    char out[256];
    int n = cs_text_normalize(in, out, sizeof out);
    CT_EQ_INT(n, (long long)strlen(want));
    CT_EQ_STR(out, want);
}

static void test_text_normalize_fullwidth_digits(void) {
    check_norm("１２３号Ａ栋", "123号a栋");
    check_norm("ＡＢＣ１２３", "abc123");
}

static void test_text_normalize_removes_whitespace_and_punctuation(void) {
    check_norm("浙江省 杭州市，西湖区-文三路#12号。", "浙江省杭州市西湖区文三路12号");
    check_norm("\t1 2\u30003\n", "123");            /* tab, ideographic space, newline */
    check_norm("12\u200b3\ufeff号", "123号");       /* zero-width space, BOM */
    check_norm("（3单元）【501室】", "3单元501室"); /* full-width brackets */
    check_norm("A+B~C", "abc");                     /* ASCII symbols */
}

static void test_text_normalize_case_folds(void) {
    check_norm("Room 5B, Tower A", "room5btowera");
    check_norm("STRASSE Straße", "strassestrasse");
}

static void test_text_normalize_makes_one_address_typed_two_ways_equal(void) {
    char a[128], b[128];
    CT_CHECK(cs_text_normalize("杭州市西湖区文三路１２号Ａ座 ５０１", a, sizeof a) > 0);
    CT_CHECK(cs_text_normalize("杭州市 西湖区 文三路12号a座-501", b, sizeof b) > 0);
    CT_EQ_STR(a, b);
}

static void test_text_normalize_refuses_invalid_utf8_and_small_buffers(void) {
    char out[8];
    CT_EQ_INT(cs_text_normalize("ab\xff", out, sizeof out), -1);
    CT_EQ_INT(cs_text_normalize("\xe6\xb5", out, sizeof out), -1); /* truncated 浙 */
    CT_EQ_INT(cs_text_normalize("1234567", out, sizeof out), 7);   /* exact fit */
    CT_EQ_INT(cs_text_normalize("12345678", out, sizeof out), -1);
    CT_EQ_INT(cs_text_normalize("  ", out, sizeof out), 0);
    CT_EQ_STR(out, "");
}

/* The quick path (ASCII and CJK Unified Ideographs) gives the bytes ICU
 * gives, for every code point of both ranges, alone and between letters. */
static void test_text_normalize_quick_path_matches_icu_everywhere(void) {
    char in[16], a[64], b[64];
    int mismatches = 0;
    for (unsigned c = 1; c < 0x80; c++) {
        snprintf(in, sizeof in, "Ab%cZ", (char)c);
        int na = cs_text_normalize(in, a, sizeof a), nb = cs_text_normalize_icu(in, b, sizeof b);
        if (na != nb || strcmp(a, b) != 0) mismatches++;
    }
    for (unsigned c = 0x4E00; c <= 0x9FFF; c++) {
        unsigned char u[4] = {(unsigned char)(0xE0 | (c >> 12)), (unsigned char)(0x80 | ((c >> 6) & 0x3F)),
                              (unsigned char)(0x80 | (c & 0x3F)), 0};
        snprintf(in, sizeof in, "X%s 1", (const char *)u);
        int na = cs_text_normalize(in, a, sizeof a), nb = cs_text_normalize_icu(in, b, sizeof b);
        if (na != nb || strcmp(a, b) != 0) mismatches++;
    }
    CT_EQ_INT(mismatches, 0);
    /* text beyond the two ranges still goes through ICU */
    check_norm("杭州 Ｂ栋", "杭州b栋");
    char small[4];
    CT_EQ_INT(cs_text_normalize("杭州", small, sizeof small), -1); /* 6 bytes + NUL do not fit */
    CT_EQ_STR(small, "");
}

static void test_phone_valid_mobiles(void) {
    CT_CHECK(cs_phone_valid("13800138000"));
    CT_CHECK(cs_phone_valid("19912345678"));
    CT_CHECK(cs_phone_valid("１３８００１３８０００")); /* full-width */
    CT_CHECK(cs_phone_valid("138 0013 8000"));
    CT_CHECK(cs_phone_valid("+8613800138000"));
    CT_CHECK(cs_phone_valid("+86 138 0013 8000"));
    CT_CHECK(cs_phone_valid("0086-13800138000"));
    CT_CHECK(cs_phone_valid("＋８６１３８００１３８０００"));
}

static void test_phone_valid_landlines(void) {
    CT_CHECK(cs_phone_valid("0571-88886666"));
    CT_CHECK(cs_phone_valid("010-66668888"));
    CT_CHECK(cs_phone_valid("01066668888"));
    CT_CHECK(cs_phone_valid("0755-1234567"));
    CT_CHECK(cs_phone_valid("0571-88886666-123"));
    CT_CHECK(cs_phone_valid("０５７１－８８８８６６６６"));
}

static void test_phone_invalid_numbers_refused(void) {
    CT_CHECK(!cs_phone_valid(NULL));
    CT_CHECK(!cs_phone_valid(""));
    CT_CHECK(!cs_phone_valid("   "));
    CT_CHECK(!cs_phone_valid("12800138000"));  /* 12x is not a mobile prefix */
    CT_CHECK(!cs_phone_valid("1380013800"));   /* 10 digits */
    CT_CHECK(!cs_phone_valid("138001380001")); /* 12 digits */
    CT_CHECK(!cs_phone_valid("1380013800a"));
    CT_CHECK(!cs_phone_valid("+86 0571-88886666")); /* +86 only for mobiles */
    CT_CHECK(!cs_phone_valid("+1 2025550123"));
    CT_CHECK(!cs_phone_valid("0571-123456"));    /* 6-digit local number */
    CT_CHECK(!cs_phone_valid("05-88886666"));    /* 1-digit area code */
    CT_CHECK(!cs_phone_valid("05712-88886666")); /* 4-digit area code */
    CT_CHECK(!cs_phone_valid("88886666"));       /* no area code */
    CT_CHECK(!cs_phone_valid("0571--88886666"));
    CT_CHECK(!cs_phone_valid("0571-88886666-"));
    CT_CHECK(!cs_phone_valid("138\xff"));
}

static void check_mask(const char *in, const char *want) {
    char out[256];
    cs_mask_phones(in, out, sizeof out);
    CT_EQ_STR(out, want);
}

static void test_mask_phones_inside_text(void) {
    check_mask("13800138000", "138****8000");
    check_mask("buyer 13800138000 called, alt 13912345678.", "buyer 138****8000 called, alt 139****5678.");
    check_mask("收货人电话13800138000请联系", "收货人电话138****8000请联系");
    check_mask("tel +8613800138000", "tel +86138****8000");
    check_mask("138-0013-8000 / 138 0013 8000", "138-****-8000 / 138 **** 8000");
}

static void test_mask_phones_landlines_keep_first3_last2(void) {
    check_mask("0571-88886666", "057*-******66");
    check_mask("call 01066668888 now", "call 010******88 now");
    check_mask("0571-88886666-123", "057*-******66-123");
}

static void test_mask_phones_leaves_other_numbers(void) {
    check_mask("order 202401011234567 paid 99.00", "order 202401011234567 paid 99.00");
    check_mask("sku 12345, qty 2", "sku 12345, qty 2");
    check_mask("2024-03-10 12:00", "2024-03-10 12:00");
}

static void test_mask_phones_fullwidth_digits(void) { check_mask("１３８００１３８０００", "１３８****８０００"); }

static void test_mask_phones_truncates_at_whole_characters(void) {
    char out[8];
    cs_mask_phones("电话13800138000", out, sizeof out);
    CT_EQ_STR(out, "电话1"); /* 7 bytes + NUL */
    char tiny[4];
    cs_mask_phones("13800138000", tiny, sizeof tiny);
    CT_EQ_STR(tiny, "138");
}

static void test_mask_address_keeps_two_characters(void) {
    char out[64];
    cs_mask_address("浙江省杭州市西湖区文三路12号", out, sizeof out);
    CT_EQ_STR(out, "浙江****");
    cs_mask_address("12 Main St", out, sizeof out);
    CT_EQ_STR(out, "12****");
    cs_mask_address("", out, sizeof out);
    CT_EQ_STR(out, "");
    cs_mask_address("浙江省", out, 6); /* room for 浙 and NUL, not half of 江 */
    CT_EQ_STR(out, "浙");
}

static void test_fen_percent_half_up_edges(void) {
    CT_EQ_INT(cs_fen_percent_bp(10, 500), 1);       /* 0.5 -> 1 */
    CT_EQ_INT(cs_fen_percent_bp(9, 500), 0);        /* 0.45 -> 0 */
    CT_EQ_INT(cs_fen_percent_bp(30, 500), 2);       /* 1.5 -> 2 */
    CT_EQ_INT(cs_fen_percent_bp(29, 500), 1);       /* 1.45 -> 1 */
    CT_EQ_INT(cs_fen_percent_bp(12345, 600), 741);  /* 740.7 */
    CT_EQ_INT(cs_fen_percent_bp(59999, 500), 3000); /* 2999.95 */
    CT_EQ_INT(cs_fen_percent_bp(0, 500), 0);
    CT_EQ_INT(cs_fen_percent_bp(12345, 0), 0);
    CT_EQ_INT(cs_fen_percent_bp(12345, 10000), 12345);
    CT_EQ_INT(cs_fen_percent_bp(1, 5000), 1); /* 0.5 -> 1 */
    CT_EQ_INT(cs_fen_percent_bp(1, 4999), 0);
}

static void test_fen_percent_no_overflow_on_huge_amounts(void) {
    CT_EQ_INT(cs_fen_percent_bp(INT64_MAX, 10000), INT64_MAX);
    CT_EQ_INT(cs_fen_percent_bp(INT64_MAX, 500), 461168601842738790LL);
    CT_EQ_INT(cs_fen_percent_bp(INT64_MAX, 20000), INT64_MAX); /* saturates */
    CT_EQ_INT(cs_fen_percent_bp(INT64_MAX / 2, 20000), INT64_MAX - 1);
}

static void test_fen_format_two_decimals(void) {
    char buf[32];
    cs_fen_format(1234, buf, sizeof buf);
    CT_EQ_STR(buf, "12.34");
    cs_fen_format(5, buf, sizeof buf);
    CT_EQ_STR(buf, "0.05");
    cs_fen_format(0, buf, sizeof buf);
    CT_EQ_STR(buf, "0.00");
    cs_fen_format(100, buf, sizeof buf);
    CT_EQ_STR(buf, "1.00");
    cs_fen_format(-250, buf, sizeof buf);
    CT_EQ_STR(buf, "-2.50");
    cs_fen_format(INT64_MIN, buf, sizeof buf);
    CT_EQ_STR(buf, "-92233720368547758.08");
}

/* Last: releases ICU's cached data so valgrind sees no leftovers. */
static void test_text_icu_cleanup(void) { u_cleanup(); }

/* What cs_event_poison makes of a reason: a character cut by a
 * precision, stray and overlong bytes, a surrogate become '?'; whole
 * characters of every length stay. */
static void test_utf8_repair_replaces_cut_and_stray_bytes_only(void) {
    char cut[] = "shop '\xe5\xba\x97\xe5\xba'";
    CT_EQ_INT((int)cs_utf8_repair(cut), 2);
    CT_EQ_STR(cut, "shop '\xe5\xba\x97\?\?'"); /* \? : not a trigraph */
    char mixed[] = "\xc3\xa9\xf0\x9f\x98\x80 \x80\xc0\xaf\xed\xa0\x80\xff";
    CT_EQ_INT((int)cs_utf8_repair(mixed), 7);
    CT_EQ_STR(mixed, "\xc3\xa9\xf0\x9f\x98\x80 ???????");
    char clean[] = "validation: order.kind missing";
    CT_EQ_INT((int)cs_utf8_repair(clean), 0);
    CT_EQ_INT((int)cs_utf8_char("\xe9\x94\x99", 2), 0);     /* cut by the end */
    CT_EQ_INT((int)cs_utf8_char("\xf4\x8f\xbf\xbf", 4), 4); /* U+10FFFF */
    CT_EQ_INT((int)cs_utf8_char("\xf4\x90\x80\x80", 4), 0); /* past it */
}

CT_MAIN(CT_CASE(test_utf8_repair_replaces_cut_and_stray_bytes_only), CT_CASE(test_text_normalize_fullwidth_digits),
        CT_CASE(test_text_normalize_removes_whitespace_and_punctuation), CT_CASE(test_text_normalize_case_folds),
        CT_CASE(test_text_normalize_makes_one_address_typed_two_ways_equal),
        CT_CASE(test_text_normalize_refuses_invalid_utf8_and_small_buffers),
        CT_CASE(test_text_normalize_quick_path_matches_icu_everywhere), CT_CASE(test_phone_valid_mobiles),
        CT_CASE(test_phone_valid_landlines), CT_CASE(test_phone_invalid_numbers_refused),
        CT_CASE(test_mask_phones_inside_text), CT_CASE(test_mask_phones_landlines_keep_first3_last2),
        CT_CASE(test_mask_phones_leaves_other_numbers), CT_CASE(test_mask_phones_fullwidth_digits),
        CT_CASE(test_mask_phones_truncates_at_whole_characters), CT_CASE(test_mask_address_keeps_two_characters),
        CT_CASE(test_fen_percent_half_up_edges), CT_CASE(test_fen_percent_no_overflow_on_huge_amounts),
        CT_CASE(test_fen_format_two_decimals), CT_CASE(test_text_icu_cleanup))
