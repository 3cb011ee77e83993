/* test_cmd_report.c -- `cscli report daily|weekly` (tools/cscli/cmd_report.c)
 * without a backend: usage errors exit 2 before any backend is contacted
 * (an unknown report, a malformed or impossible date, a --week-ending
 * that is not a Saturday, an option of the other report), --help exits 0
 * with the report's usage, and a well-formed report with PostgreSQL
 * unreachable is exit 3. Real rows are in it_cscli_report. */
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

static void test_report_usage_errors_exit_2(void) {
    setenv("CS_PG_DSN", "host=127.0.0.1 port=1 dbname=cs connect_timeout=1", 1);
    char *cases[][7] = {
        {"cscli", "report", NULL},
        {"cscli", "report", "monthly", NULL},
        {"cscli", "report", "daily", "--date", "2026-3-1", NULL},
        {"cscli", "report", "daily", "--date", "2026-02-30", NULL},
        {"cscli", "report", "daily", "--week-ending", "2026-03-07", NULL},
        {"cscli", "report", "weekly", "--date", "2026-03-07", NULL},
        {"cscli", "report", "weekly", "--week-ending", "2026-03-06", NULL}, /* a Friday */
        {"cscli", "report", "weekly", "--bogus", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CT_EQ_INT(run(cases[i]), 2);
        CT_CHECK(strstr(err_text, "report") != NULL);
    }
    CT_CHECK(strstr(err_text, "unknown option") != NULL);
    run(cases[6]);
    CT_CHECK(strstr(err_text, "must be a Saturday") != NULL);
    /* --json: the error as a document too */
    CT_EQ_INT(run((char *[]){"cscli", "report", "daily", "--date", "x", "--json", NULL}), 2);
    CT_CHECK(strstr(out_text, "\"code\":2") != NULL);
}

static void test_report_help_exits_0_with_its_usage(void) {
    CT_EQ_INT(run((char *[]){"cscli", "report", "--help", NULL}), 0);
    CT_CHECK(strstr(out_text, "cscli report daily") != NULL);
    CT_CHECK(strstr(out_text, "cscli report weekly") != NULL);
}

static void test_report_with_postgres_down_exits_3(void) {
    setenv("CS_PG_DSN", "host=127.0.0.1 port=1 dbname=cs connect_timeout=1", 1);
    CT_EQ_INT(run((char *[]){"cscli", "report", "daily", "--date", "2026-03-01", "--shop", "tb-demo", NULL}), 3);
    CT_EQ_INT(run((char *[]){"cscli", "report", "weekly", "--week-ending", "2026-03-07", "--shop", "x", NULL}), 3);
}

CT_MAIN(CT_CASE(test_report_usage_errors_exit_2), CT_CASE(test_report_help_exits_0_with_its_usage),
        CT_CASE(test_report_with_postgres_down_exits_3))
