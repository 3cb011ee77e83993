/* cmd_decisions.c -- `cscli decisions list [--case ID] [--order
 * SHOP:ORDER] [--shop S] [--limit N] [--tz ZONE] [--json]`: the decisions
 * the refund-notifier took on after-sales cases (RF-9 promotion
 * auto-agree, RF-13 "not received"), newest first, from PostgreSQL table
 * decisions (migration 0013): the same as the cs.decisions.v1 records the
 * platform connector reads, one row per record id. */
#include "cscli.h"

#include <stdio.h>
#include <string.h>

static const char decisions_usage[] =
    "usage: cscli decisions list [--case ID] [--order SHOP:ORDER] [--shop SHOP] [--limit N] [--tz ZONE] [--json]\n"
    "         decisions on after-sales cases (RF-9, RF-13; cs.decisions.v1), newest first\n"
    "         (default 100): verdict (AGREE or REFUSE), amount (yuan; integer fen in\n"
    "         JSON), rule, reason and time in ZONE (default " CSCLI_DEFAULT_TZ ").\n";

int cscli_cmd_decisions(cscli *c, int argc, char **argv) {
    cscli_list_args a;
    int rc = cscli_list_args_parse(c, argc, argv, "decisions", decisions_usage, "--case", &a);
    if (rc >= 0) return rc;
    if (a.open) return cscli_usage_error(c, decisions_usage, "decisions: --open does not apply to decisions");
    const char *params[] = {a.shop, a.order ? a.order_shop : NULL, a.order ? a.order_id : NULL, a.extra, a.limit};
    static const cscli_col cols[] = {
        {"shop_id", CSCLI_COL_TEXT}, {"case_id", CSCLI_COL_TEXT},   {"order_id", CSCLI_COL_TEXT},
        {"verdict", CSCLI_COL_TEXT}, {"amount_fen", CSCLI_COL_FEN}, {"rule", CSCLI_COL_TEXT},
        {"reason", CSCLI_COL_TEXT},  {"decided_ms", CSCLI_COL_MS},  {"decision_id", CSCLI_COL_TEXT}};
    return cscli_list_query(c,
                            "SELECT shop_id, case_id, order_id, verdict, amount_fen, rule, reason, decided_ms, "
                            "decision_id FROM decisions WHERE ($1::text IS NULL OR shop_id = $1) "
                            "AND ($2::text IS NULL OR (shop_id = $2 AND order_id = $3)) "
                            "AND ($4::text IS NULL OR case_id = $4) "
                            "ORDER BY decided_ms DESC, shop_id, decision_id LIMIT $5::int",
                            5, params, cols, (int)(sizeof cols / sizeof cols[0]), a.tzname, "decisions");
}
