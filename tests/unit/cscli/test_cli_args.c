/* test_cli_args.c -- cscli argument handling (tools/cscli): durations,
 * order keys, option parsing, and the exit codes of cscli_main() for usage
 * errors, which are decided before any backend is contacted (so these
 * tests need no server). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ct.h"
#include "cscli.h"

static void test_duration_units_are_seconds_minutes_hours_days(void) {
    int64_t ms = 0;
    CT_EQ_INT(cscli_parse_duration("90s", &ms), 0);
    CT_EQ_INT(ms, 90000);
    CT_EQ_INT(cscli_parse_duration("15m", &ms), 0);
    CT_EQ_INT(ms, 15 * 60000);
    CT_EQ_INT(cscli_parse_duration("2h", &ms), 0);
    CT_EQ_INT(ms, 2 * 3600000);
    CT_EQ_INT(cscli_parse_duration("1d", &ms), 0);
    CT_EQ_INT(ms, 86400000);
    CT_EQ_INT(cscli_parse_duration("1h30m", &ms), 0);
    CT_EQ_INT(ms, 90 * 60000);
    CT_EQ_INT(cscli_parse_duration("0s", &ms), 0);
    CT_EQ_INT(ms, 0);
    CT_EQ_INT(cscli_parse_duration("3650d", &ms), 0);
    CT_EQ_INT(ms, INT64_C(3650) * 86400000);
}

static void test_bad_durations_are_refused(void) {
    static const char *const bad[] = {"",     "10",   "s",     "10x",    "1.5h",
                                      "-5m",  "+5m",  "10 s",  " 10s",   "1H",
                                      "5ms",  "1h30", "3651d", "87601h", "99999999999999999999d",
                                      "1d-1h"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 0;
        if (cscli_parse_duration(bad[i], &ms) != -1) {
            fprintf(stderr, "  accepted '%s'\n", bad[i]);
            CT_CHECK(!"bad duration accepted");
        }
    }
    int64_t ms;
    CT_EQ_INT(cscli_parse_duration(NULL, &ms), -1);
}

static void test_order_key_splits_at_the_first_colon(void) {
    char shop[32], order[32];
    CT_EQ_INT(cscli_parse_order_key("shop1:T1001", shop, sizeof shop, order, sizeof order), 0);
    CT_EQ_STR(shop, "shop1");
    CT_EQ_STR(order, "T1001");
    CT_EQ_INT(cscli_parse_order_key("s:a:b", shop, sizeof shop, order, sizeof order), 0);
    CT_EQ_STR(shop, "s");
    CT_EQ_STR(order, "a:b");
    CT_EQ_INT(cscli_parse_order_key("shop1", shop, sizeof shop, order, sizeof order), -1);
    CT_EQ_INT(cscli_parse_order_key(":T1", shop, sizeof shop, order, sizeof order), -1);
    CT_EQ_INT(cscli_parse_order_key("s:", shop, sizeof shop, order, sizeof order), -1);
    CT_EQ_INT(cscli_parse_order_key("", shop, sizeof shop, order, sizeof order), -1);
    CT_EQ_INT(cscli_parse_order_key("a-shop-name-longer-than-32-bytes-xx:1", shop, sizeof shop, order, sizeof order),
              -1);
}

static void test_options_and_positionals_are_separated(void) {
    bool json = false, help = false;
    const char *tz = NULL;
    const cscli_opt opts[] = {{"--json", &json, NULL}, {"--help", &help, NULL}, {"--tz", NULL, &tz}};
    char *argv[] = {"set", "--tz", "UTC", "2026-11-11T09:30", "--json", NULL};
    const char *pos[3];
    int npos = -1;
    char err[128] = "";
    CT_EQ_INT(cscli_parse_args(5, argv, opts, 3, pos, 3, &npos, err, sizeof err), 0);
    CT_EQ_INT(npos, 2);
    CT_EQ_STR(pos[0], "set");
    CT_EQ_STR(pos[1], "2026-11-11T09:30");
    CT_EQ_STR(tz, "UTC");
    CT_CHECK(json && !help);

    char *argv2[] = {"--tz=Asia/Tokyo", "-h", "--", "--json", NULL};
    json = help = false;
    CT_EQ_INT(cscli_parse_args(4, argv2, opts, 3, pos, 3, &npos, err, sizeof err), 0);
    CT_EQ_STR(tz, "Asia/Tokyo");
    CT_CHECK(help && !json);
    CT_EQ_INT(npos, 1);
    CT_EQ_STR(pos[0], "--json"); /* after "--" it is an argument */

    char *argv3[] = {"advance", "-5m", NULL}; /* a negative number is an argument */
    CT_EQ_INT(cscli_parse_args(2, argv3, opts, 3, pos, 3, &npos, err, sizeof err), 0);
    CT_EQ_INT(npos, 2);
}

static void test_unknown_option_missing_value_and_extra_arguments_are_errors(void) {
    bool json = false;
    const char *tz = NULL;
    const cscli_opt opts[] = {{"--json", &json, NULL}, {"--tz", NULL, &tz}};
    const char *pos[1];
    int npos;
    char err[128] = "";
    char *a1[] = {"--jsn", NULL};
    CT_EQ_INT(cscli_parse_args(1, a1, opts, 2, pos, 1, &npos, err, sizeof err), -1);
    CT_EQ_STR(err, "unknown option '--jsn'");
    char *a2[] = {"--tz", NULL};
    CT_EQ_INT(cscli_parse_args(1, a2, opts, 2, pos, 1, &npos, err, sizeof err), -1);
    CT_EQ_STR(err, "option --tz needs a value");
    char *a3[] = {"one", "two", NULL};
    CT_EQ_INT(cscli_parse_args(2, a3, opts, 2, pos, 1, &npos, err, sizeof err), -1);
    CT_EQ_STR(err, "unexpected argument 'two'");
    char *a4[] = {"--json=yes", NULL};
    CT_EQ_INT(cscli_parse_args(1, a4, opts, 2, pos, 1, &npos, err, sizeof err), -1);
}

static void test_positive_int_bounds(void) {
    int v = 0;
    CT_EQ_INT(cscli_parse_int("3", 32, &v), 0);
    CT_EQ_INT(v, 3);
    CT_EQ_INT(cscli_parse_int("0", 32, &v), -1);
    CT_EQ_INT(cscli_parse_int("33", 32, &v), -1);
    CT_EQ_INT(cscli_parse_int("2x", 32, &v), -1);
    CT_EQ_INT(cscli_parse_int("-1", 32, &v), -1);
}

static void test_text_width_counts_cjk_as_two_cells(void) {
    CT_EQ_INT(cscli_text_width("abc"), 3);
    CT_EQ_INT(cscli_text_width("陶瓷马克杯"), 10);
    CT_EQ_INT(cscli_text_width("SKU-1 杯"), 8);
    CT_EQ_INT(cscli_text_width(""), 0);
}

/* ---- cscli_main --------------------------------------------------------- */

static char out_text[16384], err_text[16384];

/* Runs cscli with argv (NULL-terminated) and captures both streams. */
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

static void test_usage_errors_exit_2_before_any_backend(void) {
    char *cases[][6] = {
        {"cscli", NULL},
        {"cscli", "frobnicate", NULL},
        {"cscli", "--bogus", "clock", NULL},
        {"cscli", "clock", "advance", "10x", NULL},
        {"cscli", "clock", "advance", "-5m", NULL},
        {"cscli", "clock", "advance", NULL},
        {"cscli", "clock", "set", "tomorrow", NULL},
        {"cscli", "clock", "set", "2026-11-11T09:30", "extra", NULL},
        {"cscli", "clock", "rewind", NULL},
        {"cscli", "clock", "--tz", "Mars/Olympus", NULL},
        {"cscli", "clock", "--bogus", NULL},
        {"cscli", "order", NULL},
        {"cscli", "order", "show", NULL},
        {"cscli", "order", "show", "shop1", NULL},
        {"cscli", "order", "list", NULL},
        {"cscli", "topics", "create", "--replication", "0", NULL},
        {"cscli", "topics", "delete", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = run(cases[i]);
        if (rc != CSCLI_USAGE)
            fprintf(stderr, "  case %zu (%s %s ...) gave %d\n", i, cases[i][1] ? cases[i][1] : "",
                    cases[i][1] && cases[i][2] ? cases[i][2] : "", rc);
        CT_EQ_INT(rc, CSCLI_USAGE);
        CT_CHECK(strncmp(err_text, "cscli: ", 7) == 0);
        CT_EQ_STR(out_text, ""); /* nothing on stdout without --json */
    }
}

static void test_usage_error_with_json_prints_an_error_document(void) {
    char *argv[] = {"cscli", "clock", "advance", "10x", "--json", NULL};
    CT_EQ_INT(run(argv), CSCLI_USAGE);
    cJSON *doc = cJSON_Parse(out_text);
    CT_CHECK(doc != NULL);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
    CT_CHECK(cJSON_IsNumber(code) && code->valueint == 2);
    CT_CHECK(cJSON_IsString(msg) && strstr(msg->valuestring, "10x") != NULL);
    cJSON_Delete(doc);
}

static void test_help_exits_0_and_goes_to_stdout(void) {
    char *a1[] = {"cscli", "--help", NULL};
    CT_EQ_INT(run(a1), CSCLI_OK);
    CT_CHECK(strstr(out_text, "clock") && strstr(out_text, "CS_KAFKA_BROKERS"));
    char *a2[] = {"cscli", "clock", "--help", NULL};
    CT_EQ_INT(run(a2), CSCLI_OK);
    CT_CHECK(strstr(out_text, "advance <N>{s,m,h,d}") != NULL);
    char *a3[] = {"cscli", "--help", "order", NULL};
    CT_EQ_INT(run(a3), CSCLI_OK);
    CT_CHECK(strstr(out_text, "order show <shop>:<order>") != NULL);
    char *a4[] = {"cscli", "topics", "-h", NULL};
    CT_EQ_INT(run(a4), CSCLI_OK);
    char *a5[] = {"cscli", "help", NULL};
    CT_EQ_INT(run(a5), CSCLI_OK);
}

static void test_bad_environment_is_a_usage_error_naming_the_variable(void) {
    setenv("CS_BATCH_MAX", "abc", 1);
    char *argv[] = {"cscli", "clock", NULL};
    CT_EQ_INT(run(argv), CSCLI_USAGE);
    CT_CHECK(strstr(err_text, "CS_BATCH_MAX: must be an integer from 1 to 100000, got 'abc'") != NULL);
    unsetenv("CS_BATCH_MAX");
}

static void test_clock_show_in_system_mode_needs_no_backend(void) {
    unsetenv("CS_CLOCK");
    char *argv[] = {"cscli", "--json", "clock", "--tz", "UTC", NULL};
    CT_EQ_INT(run(argv), CSCLI_OK);
    cJSON *doc = cJSON_Parse(out_text);
    CT_CHECK(doc != NULL);
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(doc, "mode");
    const cJSON *now = cJSON_GetObjectItemCaseSensitive(doc, "now");
    CT_CHECK(cJSON_IsString(mode) && strcmp(mode->valuestring, "system") == 0);
    CT_CHECK(cJSON_IsString(now) && strlen(now->valuestring) == 29 && strcmp(now->valuestring + 23, "+00:00") == 0);
    cJSON_Delete(doc);
}

CT_MAIN(CT_CASE(test_duration_units_are_seconds_minutes_hours_days), CT_CASE(test_bad_durations_are_refused),
        CT_CASE(test_order_key_splits_at_the_first_colon), CT_CASE(test_options_and_positionals_are_separated),
        CT_CASE(test_unknown_option_missing_value_and_extra_arguments_are_errors), CT_CASE(test_positive_int_bounds),
        CT_CASE(test_text_width_counts_cjk_as_two_cells), CT_CASE(test_usage_errors_exit_2_before_any_backend),
        CT_CASE(test_usage_error_with_json_prints_an_error_document), CT_CASE(test_help_exits_0_and_goes_to_stdout),
        CT_CASE(test_bad_environment_is_a_usage_error_naming_the_variable),
        CT_CASE(test_clock_show_in_system_mode_needs_no_backend))
