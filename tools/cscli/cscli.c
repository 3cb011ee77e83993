/* cscli.c -- cscli's top level: global options, the command table and
 * dispatch. Each command lives in its own cmd_<name>.c; adding one is a
 * row in `commands` below.
 *
 * Global options may come before the command ("cscli --json clock") or
 * after it ("cscli clock --json"); both set the same flag. */
#include "cscli.h"

#include <stdlib.h>
#include <string.h>

#include "cs/log.h"

typedef struct cscli_command {
    const char *name;                            /* first word */
    int (*run)(cscli *c, int argc, char **argv); /* argv[0] is name */
    const char *summary;                         /* one line for --help */
} cscli_command;

static const cscli_command commands[] = {
    {"clock", cscli_cmd_clock, "show, set or advance the business clock"},
    {"order", cscli_cmd_order, "order show <shop>:<order>: an order and its verdicts"},
    {"topics", cscli_cmd_topics, "list or create the project's Kafka topics"},
    {"tasks", cscli_cmd_tasks, "tasks list [--open]: agent tasks by shift (SH-1)"},
    {"exceptions", cscli_cmd_exceptions, "exceptions list [--open]: exception orders (EX-*)"},
    {"timers", cscli_cmd_timers, "list durable timers, or rebuild Redis from PostgreSQL"},
    {"messages", cscli_cmd_messages, "messages list [--order K]: the notifier's messages; optouts; lift"},
    {"cases", cscli_cmd_cases, "cases list [--open] [--kind K]; cases show <id>: cases, timeline, timers"},
    {"finance", cscli_cmd_finance, "finance list [--order K] [--kind K]: finance requests (RF-7)"},
    {"decisions", cscli_cmd_decisions, "decisions list [--case ID]: after-sales decisions (RF-9, RF-13)"},
    {"report", cscli_cmd_report, "report daily|weekly: RP-1 daily; RV-6, RF-12 weekly (RF-11 alerts)"},
    {"pii", cscli_cmd_pii, "pii purge [--dry-run] [--now ISO]: PII retention (docs/security.md)"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out, bool with_env) {
    fprintf(out, "usage: cscli [--json] <command> [args] [--json] [--help]\n\nCommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'cscli <command> --help' describes a command. Every command takes --json.\n"
                 "Exit codes: 0 ok, 1 not found, 2 usage, 3 backend down.\n");
    if (with_env) {
        fputc('\n', out);
        cs_config_usage(out);
    }
}

/* Global options, then the command; out and err are c's streams. */
static int dispatch(cscli *c, int argc, char **argv) {
    FILE *out = c->out, *err = c->err;
    int i = 1;
    bool help = false;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            c->json = true;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            help = true;
        } else {
            int rc = cscli_fail(c, CSCLI_USAGE, "unknown option '%s'", argv[i]);
            usage(err, false);
            return rc;
        }
    }
    if (i >= argc || strcmp(argv[i], "help") == 0) {
        if (help || i < argc) {
            usage(out, true);
            return CSCLI_OK;
        }
        int rc = cscli_fail(c, CSCLI_USAGE, "which command?");
        usage(err, false);
        return rc;
    }
    const cscli_command *cmd = NULL;
    for (size_t k = 0; k < NCOMMANDS; k++)
        if (strcmp(commands[k].name, argv[i]) == 0) cmd = &commands[k];
    if (!cmd) {
        int rc = cscli_fail(c, CSCLI_USAGE, "unknown command '%s'", argv[i]);
        usage(err, false);
        return rc;
    }
    /* "cscli --help clock" is "cscli clock --help". */
    char *sub_argv[64];
    int sub_argc = 0;
    for (int k = i; k < argc && sub_argc < 62; k++) sub_argv[sub_argc++] = argv[k];
    static char help_arg[] = "--help";
    if (help) sub_argv[sub_argc++] = help_arg;
    sub_argv[sub_argc] = NULL;

    /* cscli's own log lines (backend warnings from the library) stay quiet
     * unless CS_LOG_LEVEL asks for them: errors are reported as results. */
    const char *lvl = getenv("CS_LOG_LEVEL");
    cs_log_init("cscli", lvl && *lvl ? lvl : "error");

    return cmd->run(c, sub_argc, sub_argv);
}

int cscli_main(int argc, char **argv, FILE *out, FILE *err) {
    cscli c = {.out = NULL, .err = err};
    /* Everything a command prints goes through the escaping stream: text
     * from buyers and platforms cannot drive the operator's terminal, in
     * any command (escape.c). */
    c.out = cscli_safe_stream(out, &c.json);
    int rc = dispatch(&c, argc, argv);
    if (c.cfg_loaded) cs_config_free(&c.cfg);
    fclose(c.out); /* flushes into out; out stays open */
    for (size_t i = 0; i < c.nfields; i++) free(c.fields[i]);
    free(c.fields);
    fflush(out);
    return rc;
}
