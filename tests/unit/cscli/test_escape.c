/* test_escape.c -- the escaper of text from outside (tools/cscli/escape.c):
 * which characters are escaped and how, in each mode, what passes as it
 * is (printable ASCII, Chinese), bytes that are not UTF-8, and the stream
 * that joins a sequence stdio cut between two writes. */
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "cscli.h"

/* cscli_escape of a C string, compared and freed. */
static int escEq(const char *in, cscli_esc mode, const char *want) {
    char *got = cscli_escape(in, strlen(in), mode);
    int ok = strcmp(got, want) == 0;
    if (!ok) fprintf(stderr, "  escape('%s') == '%s', expected '%s'\n", in, got, want);
    free(got);
    return ok;
}

static void test_escape_field_shows_c0_and_del_as_hex_and_names_lf_cr_tab(void) {
    CT_CHECK(
        escEq("\x1b[1A\x1b[2Kfake line: state VERIFIED", CSCLI_ESC_FIELD, "\\x1b[1A\\x1b[2Kfake line: state VERIFIED"));
    CT_CHECK(escEq("a\x07"
                   "b\rc\nd\te\x7f"
                   "f\x01",
                   CSCLI_ESC_FIELD, "a\\x07b\\rc\\nd\\te\\x7ff\\x01"));
    /* a NUL inside the given length is shown, not an end */
    char *got = cscli_escape("a\0b", 3, CSCLI_ESC_FIELD);
    CT_EQ_STR(got, "a\\x00b");
    free(got);
}

static void test_escape_shows_c1_and_bidi_controls_as_code_points(void) {
    /* U+0085 NEL, U+009B CSI, U+202A..U+202E, U+2066..U+2069, LRM, RLM, ALM, U+2028/9 */
    CT_CHECK(escEq("\xc2\x85\xc2\x9b"
                   "2J",
                   CSCLI_ESC_FIELD, "\\u0085\\u009b2J"));
    CT_CHECK(escEq("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x80\xae", CSCLI_ESC_FIELD,
                   "\\u202a\\u202b\\u202c\\u202d\\u202e"));
    CT_CHECK(
        escEq("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", CSCLI_ESC_FIELD, "\\u2066\\u2067\\u2068\\u2069"));
    CT_CHECK(escEq("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c\xe2\x80\xa8\xe2\x80\xa9", CSCLI_ESC_FIELD,
                   "\\u200e\\u200f\\u061c\\u2028\\u2029"));
    /* neighbours that are ordinary text stay: U+00A0, U+200B, U+202F, U+2065, U+206A */
    CT_CHECK(escEq("\xc2\xa0\xe2\x80\x8b\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa", CSCLI_ESC_FIELD,
                   "\xc2\xa0\xe2\x80\x8b\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa"));
}

static void test_escape_keeps_printable_ascii_and_chinese_unchanged(void) {
    const char *plain[] = {"",
                           "hello, world",
                           "请尽快发货，谢谢！",
                           "浙江省 杭州市 西湖区 文三路 90 号",
                           "back\\slash and \\x1b as text",
                           "emoji \xf0\x9f\x93\xa6 and full-width ＡＢＣ",
                           NULL};
    for (int i = 0; plain[i]; i++) {
        CT_CHECK(escEq(plain[i], CSCLI_ESC_FIELD, plain[i]));
        CT_CHECK(escEq(plain[i], CSCLI_ESC_LINES, plain[i]));
        CT_CHECK(escEq(plain[i], CSCLI_ESC_JSON, plain[i]));
    }
}

static void test_escape_shows_each_byte_that_is_not_utf8(void) {
    /* stray continuation, bytes never in UTF-8, overlong "/", surrogate,
     * above U+10FFFF, a lead without its continuation, cut at the end */
    CT_CHECK(escEq("a\x80"
                   "b",
                   CSCLI_ESC_FIELD, "a\\x80b"));
    CT_CHECK(escEq("\xff\xfe\xf5", CSCLI_ESC_FIELD, "\\xff\\xfe\\xf5"));
    CT_CHECK(escEq("\xc0\xaf", CSCLI_ESC_FIELD, "\\xc0\\xaf"));
    CT_CHECK(escEq("\xe0\x80\xaf", CSCLI_ESC_FIELD, "\\xe0\\x80\\xaf"));
    CT_CHECK(escEq("\xed\xa0\x80", CSCLI_ESC_FIELD, "\\xed\\xa0\\x80"));
    CT_CHECK(escEq("\xf4\x90\x80\x80", CSCLI_ESC_FIELD, "\\xf4\\x90\\x80\\x80"));
    CT_CHECK(escEq("\xe4"
                   "a",
                   CSCLI_ESC_FIELD, "\\xe4a"));
    CT_CHECK(escEq("中\xe6\x96", CSCLI_ESC_FIELD, "中\\xe6\\x96"));
    /* the longest valid ones pass */
    CT_CHECK(escEq("\xf4\x8f\xbf\xbf\xed\x9f\xbf", CSCLI_ESC_FIELD, "\xf4\x8f\xbf\xbf\xed\x9f\xbf"));
}

static void test_escape_lines_keeps_line_feeds_and_nothing_else(void) {
    CT_CHECK(escEq("one\ntwo\r\n\tthree\x1b[0m\n", CSCLI_ESC_LINES, "one\ntwo\\r\n\\tthree\\x1b[0m\n"));
}

static void test_escape_json_uses_json_escapes_and_replaces_non_utf8(void) {
    /* what cJSON leaves raw inside strings: DEL, C1, bidi; not UTF-8 -> U+FFFD */
    CT_CHECK(escEq("{\"m\":\"\x7f\xc2\x9b\xe2\x80\xae\xff 中\"}\n", CSCLI_ESC_JSON,
                   "{\"m\":\"\\u007f\\u009b\\u202e\\ufffd 中\"}\n"));
    CT_CHECK(escEq("\x1b", CSCLI_ESC_JSON, "\\u001b"));
}

static void test_escape_twice_is_escape_once(void) {
    const char *in[] = {"\x1b[2J\xe2\x80\xae\xff\n\t中", "\xc2\x9b\x7f\r", NULL};
    cscli_esc modes[] = {CSCLI_ESC_FIELD, CSCLI_ESC_LINES, CSCLI_ESC_JSON};
    for (int i = 0; in[i]; i++)
        for (int m = 0; m < 3; m++) {
            char *once = cscli_escape(in[i], strlen(in[i]), modes[m]);
            CT_CHECK(escEq(once, modes[m], once));
            free(once);
        }
}

static void test_escape_whole_holds_back_only_a_cut_sequence(void) {
    CT_EQ_INT(cscli_escape_whole("abc", 3), 3);
    CT_EQ_INT(cscli_escape_whole("中", 3), 3);
    CT_EQ_INT(cscli_escape_whole("a\xe4", 2), 1);
    CT_EQ_INT(cscli_escape_whole("a\xe4\xb8", 3), 1);
    CT_EQ_INT(cscli_escape_whole("a\xf0\x9f\x93", 4), 1);
    /* not the start of anything valid: nothing to wait for */
    CT_EQ_INT(cscli_escape_whole("a\xff", 2), 2);
    CT_EQ_INT(cscli_escape_whole("a\xe4"
                                 "b",
                                 3),
              3);
    CT_EQ_INT(cscli_escape_whole("a\xed\xa0", 3), 3);
    CT_EQ_INT(cscli_escape_whole("", 0), 0);
}

/* The stream gets text one byte per write (stdio may cut anywhere): a
 * sequence cut between writes is joined, not shown as bytes. */
static void test_safe_stream_joins_a_sequence_cut_between_writes(void) {
    const char *in = "中文\xe2\x80\xae\x1b[2J\n\xf0\x9f\x93\xa6 ok\xe4";
    FILE *raw = tmpfile();
    bool json = false;
    FILE *s = cscli_safe_stream(raw, &json);
    setvbuf(s, NULL, _IONBF, 0);
    for (const char *p = in; *p; p++) fputc(*p, s);
    fclose(s);
    rewind(raw);
    char got[256];
    got[fread(got, 1, sizeof got - 1, raw)] = '\0';
    fclose(raw);
    CT_EQ_STR(got, "中文\\u202e\\x1b[2J\n\xf0\x9f\x93\xa6 ok\\xe4");
}

static void test_safe_stream_follows_json_flag(void) {
    FILE *raw = tmpfile();
    bool json = true;
    FILE *s = cscli_safe_stream(raw, &json);
    fputs("{\"a\":\"\xe2\x80\xae\"}\n", s);
    fclose(s);
    rewind(raw);
    char got[256];
    got[fread(got, 1, sizeof got - 1, raw)] = '\0';
    fclose(raw);
    CT_EQ_STR(got, "{\"a\":\"\\u202e\"}\n");
}

CT_MAIN(CT_CASE(test_escape_field_shows_c0_and_del_as_hex_and_names_lf_cr_tab),
        CT_CASE(test_escape_shows_c1_and_bidi_controls_as_code_points),
        CT_CASE(test_escape_keeps_printable_ascii_and_chinese_unchanged),
        CT_CASE(test_escape_shows_each_byte_that_is_not_utf8),
        CT_CASE(test_escape_lines_keeps_line_feeds_and_nothing_else),
        CT_CASE(test_escape_json_uses_json_escapes_and_replaces_non_utf8), CT_CASE(test_escape_twice_is_escape_once),
        CT_CASE(test_escape_whole_holds_back_only_a_cut_sequence),
        CT_CASE(test_safe_stream_joins_a_sequence_cut_between_writes), CT_CASE(test_safe_stream_follows_json_flag))
