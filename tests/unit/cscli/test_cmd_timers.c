/* test_cmd_timers.c -- `cscli timers` (tools/cscli/cmd_timers.c): usage
 * errors exit 2 before any backend is contacted, --help exits 0, and an
 * unreachable PostgreSQL is exit 3 with a JSON error document under
 * --json. Listing real timers is in it_timers. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

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

static void test_timers_usage_errors_exit_2_before_any_backend(void) {
    /* nothing listens here: a usage error must not even try */
    setenv("CS_PG_DSN", "host=127.0.0.1 port=1 dbname=cs connect_timeout=1", 1);
    setenv("CS_REDIS_URL", "redis://127.0.0.1:1", 1);
    char *cases[][7] = {
        {"cscli", "timers", NULL},
        {"cscli", "timers", "frob", NULL},
        {"cscli", "timers", "list", "extra", NULL},
        {"cscli", "timers", "list", "--limit", "0", NULL},
        {"cscli", "timers", "list", "--limit", "many", NULL},
        {"cscli", "timers", "list", "--due", "--all", NULL},
        {"cscli", "timers", "list", "--order", "nocolon", NULL},
        {"cscli", "timers", "list", "--tz", "Mars/Olympus", NULL},
        {"cscli", "timers", "rebuild", "--due", NULL},
        {"cscli", "timers", "list", "--bogus", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = run(cases[i]);
        if (rc != CSCLI_USAGE) fprintf(stderr, "  case %zu: rc %d: %s\n", i, rc, err_text);
        CT_EQ_INT(rc, CSCLI_USAGE);
        CT_CHECK(strstr(err_text, "usage: cscli timers") != NULL || strstr(err_text, "cscli:") != NULL);
    }
}

static void test_timers_help_exits_0_with_both_subcommands(void) {
    CT_EQ_INT(run((char *[]){"cscli", "timers", "--help", NULL}), CSCLI_OK);
    CT_CHECK(strstr(out_text, "timers list") != NULL);
    CT_CHECK(strstr(out_text, "timers rebuild") != NULL);
    CT_EQ_INT(run((char *[]){"cscli", "--help", "timers", NULL}), CSCLI_OK);
    CT_CHECK(strstr(out_text, "--due") != NULL);
}

static void test_timers_backend_down_exits_3_with_a_json_error(void) {
    setenv("CS_PG_DSN", "host=127.0.0.1 port=1 dbname=cs connect_timeout=1", 1);
    setenv("CS_REDIS_URL", "redis://127.0.0.1:1", 1);
    setenv("CS_CLOCK", "system", 1);
    CT_EQ_INT(run((char *[]){"cscli", "timers", "list", "--json", NULL}), CSCLI_BACKEND);
    cJSON *doc = cJSON_Parse(out_text);
    CT_CHECK(doc != NULL);
    cJSON *e = doc ? cJSON_GetObjectItem(doc, "error") : NULL;
    CT_CHECK(e != NULL);
    if (e) CT_EQ_INT(cJSON_GetObjectItem(e, "code")->valueint, CSCLI_BACKEND);
    cJSON_Delete(doc);
    CT_EQ_INT(run((char *[]){"cscli", "timers", "rebuild", NULL}), CSCLI_BACKEND);
    CT_CHECK(strstr(err_text, "PostgreSQL unreachable") != NULL);
}

CT_MAIN(CT_CASE(test_timers_usage_errors_exit_2_before_any_backend),
        CT_CASE(test_timers_help_exits_0_with_both_subcommands),
        CT_CASE(test_timers_backend_down_exits_3_with_a_json_error))
