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
    cscli_list_args a;
    int rc = cscli_list_args_parse(c, argc, argv, "exceptions", exceptions_usage, NULL, &a);
    if (rc >= 0) return rc;
    const char *tzname = a.tzname;
    const char *params[] = {a.open ? "t" : "f", a.shop, a.order ? a.order_shop : NULL, a.order ? a.order_id : NULL,
                            a.limit};
    static const cscli_col cols[] = {
        {"shop_id", CSCLI_COL_TEXT},       {"order_id", CSCLI_COL_TEXT},      {"reasons", CSCLI_COL_TEXT},
        {"plan_rule", CSCLI_COL_TEXT},     {"local_day", CSCLI_COL_TEXT},     {"opened_ms", CSCLI_COL_MS},
        {"escalate_due_ms", CSCLI_COL_MS}, {"escalated_ms", CSCLI_COL_MS},    {"breach_due_ms", CSCLI_COL_MS},
        {"breached_ms", CSCLI_COL_MS},     {"written_sent_ms", CSCLI_COL_MS}, {"closed_ms", CSCLI_COL_MS},
        {"close_reason", CSCLI_COL_TEXT},  {"exception_id", CSCLI_COL_TEXT}};
    return cscli_list_query(
        c,
        "SELECT shop_id, order_id, reasons, plan_rule, local_day, opened_ms, escalate_due_ms, escalated_ms, "
        "breach_due_ms, breached_ms, written_sent_ms, closed_ms, close_reason, exception_id FROM exceptions "
        "WHERE ($1::boolean IS FALSE OR closed_ms IS NULL) AND ($2::text IS NULL OR shop_id = $2) "
        "AND ($3::text IS NULL OR (shop_id = $3 AND order_id = $4)) "
        "ORDER BY opened_ms DESC, exception_id LIMIT $5::int",
        5, params, cols, (int)(sizeof cols / sizeof cols[0]), tzname, "exceptions");
}
