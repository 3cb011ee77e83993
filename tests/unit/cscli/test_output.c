/* test_output.c -- the output layer every command shares (tools/cscli/
 * util.c, cscli.c): table cells, error messages and JSON documents show
 * terminal controls from outside escaped, and Chinese text unchanged with
 * the columns still aligned. Driven through cscli_main() and the table
 * API, without a backend. */
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "cscli.h"

static char out_text[8192], err_text[8192];

static int run(char **argv) {
    int argc = 0;
    while (argv[argc]) argc++;
    FILE *out = tmpfile(), *err = tmpfile();
    int rc = cscli_main(argc, argv, out, err);
    rewind(out);
    rewind(err);
    out_text[fread(out_text, 1, sizeof out_text - 1, out)] = '\0';
    err_text[fread(err_text, 1, sizeof err_text - 1, err)] = '\0';
    fclose(out);
    fclose(err);
    return rc;
}

/* No raw ESC, BEL, CR, TAB, DEL, U+009B or U+202E in s. */
static bool noRawControls(const char *s) {
    return !strpbrk(s, "\x1b\x07\r\t\x7f") && !strstr(s, "\xc2\x9b") && !strstr(s, "\xe2\x80\xae");
}

static void test_table_cells_show_controls_escaped_and_keep_columns(void) {
    cscli_table *t = cscli_table_new(3);
    cscli_table_row(t, "KEY", "VALUE", "END");
    cscli_table_row(t, "msg", "\x1b[1A\x1b[2Kfake line: state VERIFIED", "|");
    cscli_table_row(t, "name", "张三\x07\rX\n\tY\xe2\x80\xae", "|");
    cscli_table_row(t, "zh", "请尽快发货", "|");
    FILE *f = tmpfile();
    cscli_table_print(t, f, "");
    cscli_table_free(t);
    rewind(f);
    char got[1024];
    got[fread(got, 1, sizeof got - 1, f)] = '\0';
    fclose(f);
    CT_CHECK(noRawControls(got));
    CT_CHECK(strstr(got, "msg   \\x1b[1A\\x1b[2Kfake line: state VERIFIED  |\n") != NULL);
    CT_CHECK(strstr(got, "name  张三\\x07\\rX\\n\\tY\\u202e") != NULL);
    CT_CHECK(strstr(got, "zh    请尽快发货") != NULL);
    /* four rows: a line feed in a value is no new line */
    int lines = 0;
    for (const char *p = got; *p; p++) lines += *p == '\n';
    CT_EQ_INT(lines, 4);
}

/* An error message quotes what was given: escaped on stderr; the JSON
 * error document carries it in JSON escapes only. */
static void test_error_messages_quote_controls_escaped_on_stderr_and_in_json(void) {
    char zone[] = "\x1b]0;pwned\x07\xe2\x80\xae\xc2\x9b";
    CT_EQ_INT(run((char *[]){"cscli", "clock", "--tz", zone, NULL}), 2);
    CT_CHECK(noRawControls(err_text));
    CT_CHECK(strstr(err_text, "\\x1b]0;pwned\\x07\\u202e\\u009b") != NULL);

    CT_EQ_INT(run((char *[]){"cscli", "clock", "--tz", zone, "--json", NULL}), 2);
    CT_CHECK(noRawControls(out_text));
    CT_CHECK(strstr(out_text, "\\u001b]0;pwned\\u0007\\u202e\\u009b") != NULL);
    cJSON *doc = cJSON_Parse(out_text);
    CT_CHECK(doc != NULL);
    const cJSON *e = cJSON_GetObjectItem(doc, "error");
    const cJSON *m = cJSON_GetObjectItem(e, "message");
    CT_CHECK(cJSON_IsString(m) && strstr(m->valuestring, zone) != NULL);
    cJSON_Delete(doc);
}

/* An unknown command word goes through the same path. */
static void test_unknown_command_word_is_escaped(void) {
    char word[] = "x\rcscli: all good\x1b[K";
    CT_EQ_INT(run((char *[]){"cscli", word, NULL}), 2);
    CT_CHECK(noRawControls(err_text));
    CT_CHECK(strstr(err_text, "unknown command 'x\\rcscli: all good\\x1b[K'") != NULL);
}

CT_MAIN(CT_CASE(test_table_cells_show_controls_escaped_and_keep_columns),
        CT_CASE(test_error_messages_quote_controls_escaped_on_stderr_and_in_json),
        CT_CASE(test_unknown_command_word_is_escaped))
