/* test_cmd_cases.c -- `cscli cases`, `cscli finance` and `cscli decisions`
 * (tools/cscli/cmd_cases.c, cmd_finance.c, cmd_decisions.c) without a
 * database: usage errors exit 2 naming the command before any backend is
 * contacted, --help exits 0 with the command's own usage, and a
 * well-formed command with PostgreSQL unreachable is exit 3 (with --json,
 * an error document). Real rows are in tests/integration/it_cscli_cases.c. */
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "cscli.h"

static char out_text[16384], err_text[16384];

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

#define DEAD_PG "host=127.0.0.1 port=1 dbname=cs connect_timeout=1"

static void test_cases_usage_errors_exit_2_naming_the_command(void) {
    setenv("CS_PG_DSN", DEAD_PG, 1);
    char *cases[][7] = {
        {"cscli", "cases", NULL},
        {"cscli", "cases", "frob", NULL},
        {"cscli", "cases", "show", NULL},
        {"cscli", "cases", "show", "C1", "C2", NULL},
        {"cscli", "cases", "show", "C1", "--open", NULL},
        {"cscli", "cases", "show", "C1", "--limit", "5", NULL},
        {"cscli", "cases", "show", "C1", "--tz", "Mars/Olympus", NULL},
        {"cscli", "cases", "list", "--kind", "refund", NULL},
        {"cscli", "cases", "show", "C1", "--kind", "refund", NULL},
        {"cscli", "cases", "list", "--limit", "0", NULL},
        {"cscli", "cases", "list", "--order", "nocolon", NULL},
        {"cscli", "cases", "list", "extra", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CT_EQ_INT(run(cases[i]), 2);
        CT_CHECK(strstr(err_text, "cases") != NULL);
    }
}

static void test_finance_and_decisions_usage_errors_exit_2(void) {
    setenv("CS_PG_DSN", DEAD_PG, 1);
    CT_EQ_INT(run((char *[]){"cscli", "finance", NULL}), 2);
    CT_EQ_INT(run((char *[]){"cscli", "finance", "list", "--kind", "gift", NULL}), 2);
    CT_CHECK(strstr(err_text, "finance: --kind must be refund, compensation, postage or invoice") != NULL);
    CT_EQ_INT(run((char *[]){"cscli", "finance", "list", "--open", NULL}), 2);
    CT_EQ_INT(run((char *[]){"cscli", "finance", "list", "--case", "C1", NULL}), 2);
    CT_EQ_INT(run((char *[]){"cscli", "decisions", "show", NULL}), 2);
    CT_CHECK(strstr(err_text, "decisions: ") != NULL);
    CT_EQ_INT(run((char *[]){"cscli", "decisions", "list", "--open", NULL}), 2);
    CT_EQ_INT(run((char *[]){"cscli", "decisions", "list", "--kind", "refund", NULL}), 2);
    /* --json: the error is also a document on stdout */
    CT_EQ_INT(run((char *[]){"cscli", "--json", "decisions", "list", "--limit", "x", NULL}), 2);
    cJSON *doc = cJSON_Parse(out_text);
    cJSON *code = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "error"), "code");
    CT_CHECK(cJSON_IsNumber(code) && code->valueint == 2);
    cJSON_Delete(doc);
}

static void test_help_exits_0_with_the_commands_usage(void) {
    CT_EQ_INT(run((char *[]){"cscli", "cases", "--help", NULL}), 0);
    CT_CHECK(strstr(out_text, "cscli cases list") != NULL);
    CT_CHECK(strstr(out_text, "cscli cases show <id>") != NULL);
    CT_EQ_INT(run((char *[]){"cscli", "finance", "--help", NULL}), 0);
    CT_CHECK(strstr(out_text, "cscli finance list") != NULL);
    CT_EQ_INT(run((char *[]){"cscli", "decisions", "-h", NULL}), 0);
    CT_CHECK(strstr(out_text, "cscli decisions list") != NULL);
    /* the top-level help lists the three */
    CT_EQ_INT(run((char *[]){"cscli", "--help", NULL}), 0);
    CT_CHECK(strstr(out_text, "  cases ") != NULL);
    CT_CHECK(strstr(out_text, "  finance ") != NULL);
    CT_CHECK(strstr(out_text, "  decisions ") != NULL);
}

static void test_with_postgres_down_exits_3(void) {
    setenv("CS_PG_DSN", DEAD_PG, 1);
    CT_EQ_INT(run((char *[]){"cscli", "cases", "list", "--open", "--kind", "review", NULL}), 3);
    CT_EQ_INT(run((char *[]){"cscli", "cases", "show", "C1", "--shop", "tb-demo", NULL}), 3);
    CT_EQ_INT(run((char *[]){"cscli", "finance", "list", "--order", "tb-demo:T1", "--kind", "refund", NULL}), 3);
    CT_EQ_INT(run((char *[]){"cscli", "decisions", "list", "--case", "C1", NULL}), 3);
    CT_EQ_INT(run((char *[]){"cscli", "cases", "show", "C1", "--json", NULL}), 3);
    cJSON *doc = cJSON_Parse(out_text);
    cJSON *code = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "error"), "code");
    CT_CHECK(cJSON_IsNumber(code) && code->valueint == 3);
    cJSON_Delete(doc);
}

CT_MAIN(CT_CASE(test_cases_usage_errors_exit_2_naming_the_command),
        CT_CASE(test_finance_and_decisions_usage_errors_exit_2), CT_CASE(test_help_exits_0_with_the_commands_usage),
        CT_CASE(test_with_postgres_down_exits_3))
