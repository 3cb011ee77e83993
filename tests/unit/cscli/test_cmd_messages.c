/* test_cmd_messages.c -- `cscli messages`: usage errors exit 2 before any
 * backend is contacted, --help goes to stdout, and a dead PostgreSQL is
 * exit 3 (CONTRACTS.md "cscli"). No server needed. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

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

static void test_messages_usage_errors_exit_2(void) {
    char *cases[][8] = {
        {"cscli", "messages", NULL},
        {"cscli", "messages", "send", NULL},
        {"cscli", "messages", "list", "extra", NULL},
        {"cscli", "messages", "list", "--order", "no-colon", NULL},
        {"cscli", "messages", "list", "--order", NULL},
        {"cscli", "messages", "list", "--status", "delivered", NULL},
        {"cscli", "messages", "list", "--limit", "0", NULL},
        {"cscli", "messages", "list", "--tz", "Mars/Olympus", NULL},
        {"cscli", "messages", "lift", "tb-demo", NULL},
        {"cscli", "messages", "optouts", "x", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = run(cases[i]);
        if (rc != CSCLI_USAGE) fprintf(stderr, "  case %zu gave %d\n", i, rc);
        CT_EQ_INT(rc, CSCLI_USAGE);
        CT_CHECK(strncmp(err_text, "cscli: ", 7) == 0);
        CT_EQ_STR(out_text, "");
    }
}

static void test_messages_help_lists_statuses(void) {
    char *argv[] = {"cscli", "messages", "--help", NULL};
    CT_EQ_INT(run(argv), CSCLI_OK);
    CT_CHECK(strstr(out_text, "sent|held|suppressed|failed|expired|cancelled") != NULL);
    CT_CHECK(strstr(out_text, "--order") != NULL);
    char *top[] = {"cscli", "--help", NULL};
    CT_EQ_INT(run(top), CSCLI_OK);
    CT_CHECK(strstr(out_text, "messages") != NULL);
}

/* RV-5's statuses are filters like the others: with PostgreSQL down the
 * answer is "backend down" (3), not a usage error (2). */
static void test_messages_list_accepts_rv5_statuses(void) {
    setenv("CS_PG_DSN", "host=127.0.0.1 port=1 dbname=cs user=cs connect_timeout=1", 1);
    const char *statuses[] = {"expired", "cancelled"};
    for (size_t i = 0; i < 2; i++) {
        char *argv[] = {"cscli", "messages", "list", "--status", (char *)statuses[i], NULL};
        CT_EQ_INT(run(argv), CSCLI_BACKEND);
    }
    unsetenv("CS_PG_DSN");
}

static void test_messages_backend_down_exits_3_with_json_error(void) {
    setenv("CS_PG_DSN", "host=127.0.0.1 port=1 dbname=cs user=cs connect_timeout=1", 1);
    char *argv[] = {"cscli", "messages", "list", "--json", NULL};
    CT_EQ_INT(run(argv), CSCLI_BACKEND);
    cJSON *doc = cJSON_Parse(out_text);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "error"), "code");
    CT_CHECK(cJSON_IsNumber(code) && code->valueint == 3);
    cJSON_Delete(doc);
    unsetenv("CS_PG_DSN");
}

CT_MAIN(CT_CASE(test_messages_usage_errors_exit_2), CT_CASE(test_messages_help_lists_statuses),
        CT_CASE(test_messages_list_accepts_rv5_statuses), CT_CASE(test_messages_backend_down_exits_3_with_json_error))
