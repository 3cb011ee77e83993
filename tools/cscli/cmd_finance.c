/* cmd_finance.c -- `cscli finance list [--order SHOP:ORDER] [--kind K]
 * [--shop S] [--limit N] [--tz ZONE] [--json]`: the finance requests every
 * worker made (PostgreSQL table finance_requests; cs.finance.v1 carries
 * the same), newest first, with every field RF-7 asks of one: request id,
 * order, kind, amount, agent, buyer, refund account, reason, the rule that
 * asked and when. A refund account is shown with its phone numbers masked
 * (138****8000): finance gets the full one on the topic, an operator's
 * screen does not need it. Rows made before migration 0013 have no agent,
 * buyer or account ("-", null). */
#include "cscli.h"

#include <stdio.h>
#include <string.h>

static const char finance_usage[] =
    "usage: cscli finance list [--order SHOP:ORDER] [--kind refund|compensation|postage|invoice] [--shop SHOP]\n"
    "                          [--limit N] [--tz ZONE] [--json]\n"
    "         finance requests (RF-3, RF-7, EX-7, EX-8), newest first (default 100): request id,\n"
    "         order, kind, amount (yuan; integer fen in JSON), agent, buyer, refund\n"
    "         account (phone numbers masked), rule, reason and time in ZONE\n"
    "         (default " CSCLI_DEFAULT_TZ ").\n";

int cscli_cmd_finance(cscli *c, int argc, char **argv) {
    cscli_list_args a;
    int rc = cscli_list_args_parse(c, argc, argv, "finance", finance_usage, "--kind", &a);
    if (rc >= 0) return rc;
    /* a request is made once and never closed: "open" means nothing here */
    if (a.open) return cscli_usage_error(c, finance_usage, "finance: --open does not apply to finance requests");
    const char *kind = a.extra;
    /* the kinds the workers make (cs_fx_finance) and cs.v1.FinanceRequest names */
    if (kind && strcmp(kind, "refund") != 0 && strcmp(kind, "compensation") != 0 && strcmp(kind, "postage") != 0 &&
        strcmp(kind, "invoice") != 0)
        return cscli_usage_error(c, finance_usage,
                                 "finance: --kind must be refund, compensation, postage or invoice, got '%s'", kind);
    const char *params[] = {a.shop, a.order ? a.order_shop : NULL, a.order ? a.order_id : NULL, kind, a.limit};
    static const cscli_col cols[] = {
        {"shop_id", CSCLI_COL_TEXT},  {"request_id", CSCLI_COL_TEXT},     {"order_id", CSCLI_COL_TEXT},
        {"kind", CSCLI_COL_TEXT},     {"amount_fen", CSCLI_COL_FEN},      {"agent", CSCLI_COL_TEXT},
        {"buyer_id", CSCLI_COL_TEXT}, {"refund_account", CSCLI_COL_MASK}, {"rule", CSCLI_COL_TEXT},
        {"reason", CSCLI_COL_TEXT},   {"created_ms", CSCLI_COL_MS}};
    /* "" agent / account (none named) read as NULL: "-" and null */
    return cscli_list_query(c,
                            "SELECT shop_id, request_id, order_id, kind, amount_fen, nullif(agent, ''), "
                            "nullif(buyer_id, ''), nullif(refund_account, ''), rule, reason, created_ms "
                            "FROM finance_requests WHERE ($1::text IS NULL OR shop_id = $1) "
                            "AND ($2::text IS NULL OR (shop_id = $2 AND order_id = $3)) "
                            "AND ($4::text IS NULL OR kind = $4) "
                            "ORDER BY created_ms DESC, shop_id, request_id LIMIT $5::int",
                            5, params, cols, (int)(sizeof cols / sizeof cols[0]), a.tzname, "finance");
}
