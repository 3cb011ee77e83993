/* test_cmd_lists.c -- the list commands that share cscli_list_args_parse()
 * (tools/cscli/list.c): `cscli tasks list` and `cscli exceptions list`.
 * Usage errors exit 2 naming the command before any backend is contacted,
 * --help exits 0 with the command's own usage, and a well-formed list with
 * PostgreSQL unreachable is exit 3. Real rows are in it_exceptions. */
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

static void test_list_usage_errors_exit_2_naming_the_command(void) {
    setenv("CS_PG_DSN", "host=127.0.0.1 port=1 dbname=cs connect_timeout=1", 1);
    const char *cmds[] = {"tasks", "exceptions"};
    for (int k = 0; k < 2; k++) {
        char *cmd = (char *)cmds[k];
        char *cases[][6] = {
            {"cscli", cmd, NULL},
            {"cscli", cmd, "frob", NULL},
            {"cscli", cmd, "list", "--limit", "0", NULL},
            {"cscli", cmd, "list", "--limit", "many", NULL},
            {"cscli", cmd, "list", "--order", "nocolon", NULL},
            {"cscli", cmd, "list", "--bogus", NULL},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            CT_EQ_INT(run(cases[i]), 2);
            char want[32];
            snprintf(want, sizeof want, "%s: ", cmd);
            CT_CHECK(strstr(err_text, want) != NULL);
        }
    }
    /* --shift belongs to tasks only */
    CT_EQ_INT(run((char *[]){"cscli", "exceptions", "list", "--shift", "middle", NULL}), 2);
}

static void test_list_help_exits_0_with_its_own_usage(void) {
    CT_EQ_INT(run((char *[]){"cscli", "tasks", "--help", NULL}), 0);
    CT_CHECK(strstr(out_text, "cscli tasks list") != NULL);
    CT_EQ_INT(run((char *[]){"cscli", "exceptions", "--help", NULL}), 0);
    CT_CHECK(strstr(out_text, "cscli exceptions list") != NULL);
}

static void test_list_with_postgres_down_exits_3(void) {
    setenv("CS_PG_DSN", "host=127.0.0.1 port=1 dbname=cs connect_timeout=1", 1);
    CT_EQ_INT(run((char *[]){"cscli", "tasks", "list", "--open", "--limit", "5", NULL}), 3);
    CT_EQ_INT(run((char *[]){"cscli", "exceptions", "list", "--order", "tb-demo:T1", NULL}), 3);
}

CT_MAIN(CT_CASE(test_list_usage_errors_exit_2_naming_the_command), CT_CASE(test_list_help_exits_0_with_its_own_usage),
        CT_CASE(test_list_with_postgres_down_exits_3))
