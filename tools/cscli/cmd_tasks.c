/* cmd_tasks.c -- `cscli tasks list [--open] [--shop S] [--order K]
 * [--limit N] [--tz ZONE] [--json]`: agent tasks every worker created
 * (PostgreSQL table tasks), newest first, with the shift SH-1 routed each
 * to, its assignee (the supervisor for escalations), urgency and EX-6's
 * place at the top of a queue. --open keeps the tasks not closed yet,
 * which, listed per shift, is the handover list at a shift's end. */
#include "cscli.h"

#include <stdio.h>
#include <string.h>

#include "cs/shift.h"
#include "cs/shop.h"

static const char tasks_usage[] = "usage: cscli tasks list [--open] [--shift NAME] [--shop SHOP] [--order SHOP:ORDER] "
                                  "[--limit N] [--tz ZONE] [--json]\n"
                                  "         agent tasks, newest first (default 100): kind, rule, shift (SH-1),\n"
                                  "         assignee, urgency, due and queue times in ZONE (default Asia/Shanghai).\n"
                                  "         --open: only tasks not closed yet; with --shift NAME, the shift's\n"
                                  "         handover list at its end (SH-1), top-of-queue tasks first, and\n"
                                  "         with --shop too, the shift that takes it over (CS_SHOPS_FILE).\n";

int cscli_cmd_tasks(cscli *c, int argc, char **argv) {
    cscli_list_args a;
    int rc = cscli_list_args_parse(c, argc, argv, "tasks", tasks_usage, "--shift", &a);
    if (rc >= 0) return rc;
    const char *shop = a.shop, *tzname = a.tzname;
    const char *shift = a.extra;
    bool open = a.open;
    const char *params[] = {a.open ? "t" : "f",          a.shop,  a.order ? a.order_shop : NULL,
                            a.order ? a.order_id : NULL, a.limit, shift};
    static const cscli_col cols[] = {
        {"shop_id", CSCLI_COL_TEXT},   {"task_id", CSCLI_COL_TEXT}, {"order_id", CSCLI_COL_TEXT},
        {"kind", CSCLI_COL_TEXT},      {"rule", CSCLI_COL_TEXT},    {"shift", CSCLI_COL_TEXT},
        {"assignee", CSCLI_COL_TEXT},  {"urgent", CSCLI_COL_BOOL},  {"top_of_queue", CSCLI_COL_BOOL},
        {"queue_at_ms", CSCLI_COL_MS}, {"due_ms", CSCLI_COL_MS},    {"created_ms", CSCLI_COL_MS},
        {"closed_ms", CSCLI_COL_MS},   {"summary", CSCLI_COL_TEXT}};
    /* SH-1: who takes the shift's open tasks at its end, from the shop's
     * shifts (the shops file); unknown when the file or shift is not there */
    char handover[160] = "";
    if (shift && shop && open) {
        if ((rc = cscli_load_config(c)) != CSCLI_OK) return rc;
        char ignored[512];
        cs_shops *shops = cs_shops_load(c->cfg.shops_file, ignored, sizeof ignored);
        const cs_shop *s = shops ? cs_shops_find(shops, shop) : NULL;
        const cs_shift *ending = s ? cs_shift_named(s, shift) : NULL;
        const cs_shift *to = ending ? cs_shift_handover(s, ending) : NULL;
        if (ending)
            snprintf(handover, sizeof handover, "%s at %02d:%02d", to ? to->name : "nobody", ending->end_min / 60,
                     ending->end_min % 60);
        else
            snprintf(handover, sizeof handover, "unknown (no shift %s for shop %s in the shops file)", shift, shop);
        cs_shops_free(shops);
    }
    return cscli_list_query_extra(
        c,
        "SELECT shop_id, task_id, order_id, replace(kind, 'TASK_KIND_', ''), rule, shift, assignee, urgent, "
        "top_of_queue, queue_at_ms, due_ms, created_ms, closed_ms, summary FROM tasks "
        "WHERE ($1::boolean IS FALSE OR closed_ms IS NULL) AND ($2::text IS NULL OR shop_id = $2) "
        "AND ($3::text IS NULL OR (shop_id = $3 AND order_id = $4)) AND ($6::text IS NULL OR shift = $6) "
        "ORDER BY CASE WHEN $6::text IS NULL THEN 0 ELSE 1 END, "
        "CASE WHEN $6::text IS NOT NULL AND top_of_queue THEN 0 ELSE 1 END, created_ms DESC, task_id LIMIT $5::int",
        6, params, cols, (int)(sizeof cols / sizeof cols[0]), tzname, "tasks", handover[0] ? "handover_to" : NULL,
        handover);
}
