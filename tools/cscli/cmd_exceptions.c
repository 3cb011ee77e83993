/* cmd_exceptions.c -- `cscli exceptions list [--open] [--shop S]
 * [--order K] [--limit N] [--tz ZONE] [--json]`: exception orders as the
 * exception-handler keeps them (PostgreSQL table exceptions), newest
 * first: reasons, the rule that decided how each is worked (EX-1..EX-6),
 * day 1, EX-6's escalation and breach instants and what happened, and how
 * it closed. --open keeps the ones still open. */
#include "cscli.h"

#include <stdio.h>
#include <string.h>

static const char exceptions_usage[] =
    "usage: cscli exceptions list [--open] [--shop SHOP] [--order SHOP:ORDER] [--limit N] [--tz ZONE] [--json]\n"
    "         exception orders, newest first (default 100): reasons, plan rule,\n"
    "         day 1, escalation (start of day 3) and SLA breach (end of day 3)\n"
    "         times and whether they happened, closing time and reason.\n"
    "         --open: only exceptions still open.\n";

int cscli_cmd_exceptions(cscli *c, int argc, char **argv) {
    bool help = false, json = false, open = false;
    const char *shop = NULL, *order = NULL, *limit = NULL, *tzname = NULL;
    const cscli_opt opts[] = {{"--json", &json, NULL},   {"--help", &help, NULL},
                              {"--open", &open, NULL},   {"--shop", NULL, &shop},
                              {"--order", NULL, &order}, {"--limit", NULL, &limit},
                              {"--tz", NULL, &tzname}};
    const char *pos[2];
    int npos;
    char err[512];
    int rc = cscli_parse_args(argc - 1, argv + 1, opts, sizeof opts / sizeof opts[0], pos, 2, &npos, err,
                              sizeof err);
    c->json |= json;
    if (rc != 0) return cscli_usage_error(c, exceptions_usage, "exceptions: %s", err);
    if (help) {
        fputs(exceptions_usage, c->out);
        return CSCLI_OK;
    }
    if (npos != 1 || strcmp(pos[0], "list") != 0)
        return cscli_usage_error(c, exceptions_usage, "exceptions: which subcommand? (list)");
    int n = 100;
    if (limit && cscli_parse_int(limit, 100000, &n) != 0)
        return cscli_usage_error(c, exceptions_usage, "exceptions: --limit needs 1..100000, got '%s'", limit);
    char oshop[256] = "", oid[256] = "";
    if (order && cscli_parse_order_key(order, oshop, sizeof oshop, oid, sizeof oid) != 0)
        return cscli_usage_error(c, exceptions_usage, "exceptions: --order needs <shop>:<order>, got '%s'", order);
    char nbuf[16];
    snprintf(nbuf, sizeof nbuf, "%d", n);
    const char *params[] = {open ? "t" : "f", shop, order ? oshop : NULL, order ? oid : NULL, nbuf};
    static const cscli_col cols[] = {
        {"shop_id", CSCLI_COL_TEXT},        {"order_id", CSCLI_COL_TEXT},      {"reasons", CSCLI_COL_TEXT},
        {"plan_rule", CSCLI_COL_TEXT},      {"local_day", CSCLI_COL_TEXT},     {"opened_ms", CSCLI_COL_MS},
        {"escalate_due_ms", CSCLI_COL_MS},  {"escalated_ms", CSCLI_COL_MS},    {"breach_due_ms", CSCLI_COL_MS},
        {"breached_ms", CSCLI_COL_MS},      {"written_sent_ms", CSCLI_COL_MS}, {"closed_ms", CSCLI_COL_MS},
        {"close_reason", CSCLI_COL_TEXT},   {"exception_id", CSCLI_COL_TEXT}};
    return cscli_list_query(
        c,
        "SELECT shop_id, order_id, reasons, plan_rule, local_day, opened_ms, escalate_due_ms, escalated_ms, "
        "breach_due_ms, breached_ms, written_sent_ms, closed_ms, close_reason, exception_id FROM exceptions "
        "WHERE ($1::boolean IS FALSE OR closed_ms IS NULL) AND ($2::text IS NULL OR shop_id = $2) "
        "AND ($3::text IS NULL OR (shop_id = $3 AND order_id = $4)) "
        "ORDER BY opened_ms DESC, exception_id LIMIT $5::int",
        5, params, cols, (int)(sizeof cols / sizeof cols[0]), tzname, "exceptions");
}
