/* cmd_messages.c -- `cscli messages`: what the notifier did with each
 * message (PostgreSQL table messages, migration 0003) and the buyers'
 * opt-outs (NT-4).
 *
 *   messages list [--order <shop>:<order>] [--status S] [--limit N]
 *   messages optouts [--shop S]
 *   messages lift <shop> <number> [--by NAME]
 *
 * `list` shows the newest first: status sent / held (with the release
 * time) / suppressed / failed (with the provider's answer) / expired or
 * cancelled (RV-5: a follow-up past its expiry, or whose case ended, with
 * the reason), the template, class and channel. `lift` is the operator's end of NT-4: the number gets
 * follow-ups from that shop again. Numbers are masked as in the logs
 * (138****8000) in the human output and in JSON: an operator screen is
 * shared; `lift` takes the full number because the operator has it from
 * the buyer. Times are shown in Asia/Shanghai, or --tz. */
#include "cscli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "cs/clock.h"
#include "cs/text.h"
#include "cs/tz.h"
#include "cs/util.h"

static const char messages_usage[] =
    "usage: cscli messages list [--order <shop>:<order>]\n"
    "                           [--status sent|held|suppressed|failed|expired|cancelled]\n"
    "                           [--limit N] [--tz ZONE] [--json]\n"
    "         the notifier's messages, newest first, with their status (NT-1..NT-5, RV-5);\n"
    "         exit 1 when --order matches none\n"
    "       cscli messages optouts [--shop S] [--json]\n"
    "         numbers that replied T, TD or 退订 (NT-4), in force\n"
    "       cscli messages lift <shop> <number> [--by NAME] [--json]\n"
    "         lifts an opt-out: follow-ups from the shop reach the number again;\n"
    "         exit 1 when there is none in force\n";

/* messages.status values (migrations 0003, 0012). */
static bool knownStatus(const char *s) {
    static const char *const known[] = {"sent", "held", "suppressed", "failed", "expired", "cancelled"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(s, known[i]) == 0) return true;
    return false;
}

static void fmtTime(const PGresult *r, int row, int col, const cs_tz *tz, char *buf, size_t len) {
    if (PQgetisnull(r, row, col)) {
        cs_strlcpy(buf, "-", len);
        return;
    }
    cs_format_iso8601(strtoll(PQgetvalue(r, row, col), NULL, 10), tz, buf, len);
}

static void jsonInt(cJSON *o, const char *name, const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col))
        cJSON_AddNullToObject(o, name);
    else
        cscli_json_int(o, name, strtoll(PQgetvalue(r, row, col), NULL, 10));
}

enum {
    M_SHOP,
    M_KEY,
    M_ORDER,
    M_TO,
    M_CHANNEL,
    M_CLASS,
    M_TEMPLATE,
    M_RULE,
    M_STATUS,
    M_REASON,
    M_PERMANENT,
    M_RELEASE,
    M_ATTEMPTS,
    M_HTTP,
    M_PROVIDER,
    M_REQUESTED,
    M_SENT,
    M_UPDATED,
    M_BODY
};

static const char sqlList[] =
    "SELECT shop_id, idempotency_key, order_id, to_addr, channel, class, template, rule, status, reason,"
    " permanent, release_ms, attempts, http_status, provider, requested_ms, sent_ms, updated_ms, body"
    " FROM messages WHERE ($1 = '' OR (shop_id = $1 AND order_id = $2)) AND ($3 = '' OR status = $3)"
    " ORDER BY updated_ms DESC, shop_id, idempotency_key LIMIT $4::int";

static int cmdList(cscli *c, PGconn *pg, const char *shop, const char *order, const char *status, int limit,
                   const cs_tz *tz) {
    char err[512], lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[4] = {shop, order, status, lim};
    PGresult *r = cscli_pg_run(pg, sqlList, 4, p, err, sizeof err);
    if (!r) return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL: %s", err);
    int n = PQntuples(r);
    if (n == 0 && shop[0]) {
        PQclear(r);
        return cscli_fail(c, CSCLI_NOT_FOUND, "no messages for order %s:%s", shop, order);
    }
    if (c->json) {
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            char masked[128];
            cJSON_AddStringToObject(o, "shop_id", PQgetvalue(r, i, M_SHOP));
            cJSON_AddStringToObject(o, "idempotency_key", PQgetvalue(r, i, M_KEY));
            cJSON_AddStringToObject(o, "order_id", PQgetvalue(r, i, M_ORDER));
            cs_mask_phones(PQgetvalue(r, i, M_TO), masked, sizeof masked);
            cJSON_AddStringToObject(o, "to", masked);
            cJSON_AddStringToObject(o, "channel", PQgetvalue(r, i, M_CHANNEL));
            cJSON_AddStringToObject(o, "class", PQgetvalue(r, i, M_CLASS));
            cJSON_AddStringToObject(o, "template", PQgetvalue(r, i, M_TEMPLATE));
            cJSON_AddStringToObject(o, "rule", PQgetvalue(r, i, M_RULE));
            cJSON_AddStringToObject(o, "status", PQgetvalue(r, i, M_STATUS));
            cJSON_AddStringToObject(o, "reason", PQgetvalue(r, i, M_REASON));
            cJSON_AddBoolToObject(o, "permanent", PQgetvalue(r, i, M_PERMANENT)[0] == 't');
            jsonInt(o, "release_ms", r, i, M_RELEASE);
            jsonInt(o, "attempts", r, i, M_ATTEMPTS);
            jsonInt(o, "http_status", r, i, M_HTTP);
            cJSON_AddStringToObject(o, "provider", PQgetvalue(r, i, M_PROVIDER));
            jsonInt(o, "requested_ms", r, i, M_REQUESTED);
            jsonInt(o, "sent_ms", r, i, M_SENT);
            jsonInt(o, "updated_ms", r, i, M_UPDATED);
            if (PQgetisnull(r, i, M_BODY))
                cJSON_AddNullToObject(o, "text");
            else
                cJSON_AddStringToObject(o, "text", PQgetvalue(r, i, M_BODY));
            cJSON_AddItemToArray(arr, o);
        }
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "messages", arr);
        cscli_print_json(c, doc);
    } else {
        cscli_table *t = cscli_table_new(10);
        cscli_table_row(t, "UPDATED", "ORDER", "TO", "TEMPLATE", "CLASS", "CH", "STATUS", "REASON", "RELEASE", "TRIES");
        for (int i = 0; i < n; i++) {
            char upd[40], rel[40], ord[200], masked[128], reason[160];
            fmtTime(r, i, M_UPDATED, tz, upd, sizeof upd);
            fmtTime(r, i, M_RELEASE, tz, rel, sizeof rel);
            snprintf(ord, sizeof ord, "%s:%s", PQgetvalue(r, i, M_SHOP), PQgetvalue(r, i, M_ORDER));
            cs_mask_phones(PQgetvalue(r, i, M_TO), masked, sizeof masked);
            snprintf(reason, sizeof reason, "%s", PQgetvalue(r, i, M_REASON));
            cscli_table_row(t, upd, ord, masked, PQgetvalue(r, i, M_TEMPLATE), PQgetvalue(r, i, M_CLASS),
                            PQgetvalue(r, i, M_CHANNEL), PQgetvalue(r, i, M_STATUS), reason[0] ? reason : "-", rel,
                            PQgetvalue(r, i, M_ATTEMPTS));
        }
        cscli_table_print(t, c->out, "");
        cscli_table_free(t);
        fprintf(c->out, "%d message%s\n", n, n == 1 ? "" : "s");
    }
    PQclear(r);
    return CSCLI_OK;
}

static int cmdOptouts(cscli *c, PGconn *pg, const char *shop, const cs_tz *tz) {
    char err[512];
    const char *p[1] = {shop};
    PGresult *r = cscli_pg_run(pg,
                               "SELECT shop_id, to_addr, opted_out_ms, event_id FROM message_optouts "
                               "WHERE lifted_ms IS NULL AND ($1 = '' OR shop_id = $1) ORDER BY opted_out_ms DESC",
                               1, p, err, sizeof err);
    if (!r) return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL: %s", err);
    int n = PQntuples(r);
    if (c->json) {
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            char masked[128];
            cs_mask_phones(PQgetvalue(r, i, 1), masked, sizeof masked);
            cJSON_AddStringToObject(o, "shop_id", PQgetvalue(r, i, 0));
            cJSON_AddStringToObject(o, "to", masked);
            jsonInt(o, "opted_out_ms", r, i, 2);
            cJSON_AddStringToObject(o, "event_id", PQgetvalue(r, i, 3));
            cJSON_AddItemToArray(arr, o);
        }
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "optouts", arr);
        cscli_print_json(c, doc);
    } else {
        cscli_table *t = cscli_table_new(3);
        cscli_table_row(t, "SHOP", "NUMBER", "SINCE");
        for (int i = 0; i < n; i++) {
            char since[40], masked[128];
            fmtTime(r, i, 2, tz, since, sizeof since);
            cs_mask_phones(PQgetvalue(r, i, 1), masked, sizeof masked);
            cscli_table_row(t, PQgetvalue(r, i, 0), masked, since);
        }
        cscli_table_print(t, c->out, "");
        cscli_table_free(t);
        fprintf(c->out, "%d opt-out%s in force\n", n, n == 1 ? "" : "s");
    }
    PQclear(r);
    return CSCLI_OK;
}

static int cmdLift(cscli *c, PGconn *pg, const char *shop, const char *number, const char *by) {
    char err[512], canon[128], now[24];
    /* the notifier's canonical form: +86 and separators dropped */
    if (cs_text_normalize(number, canon, sizeof canon) < 0) cs_strlcpy(canon, number, sizeof canon);
    const char *d = canon;
    if (strlen(d) == 13 && strncmp(d, "86", 2) == 0)
        d += 2;
    else if (strlen(d) == 15 && strncmp(d, "0086", 4) == 0)
        d += 4;
    int64_t ms = 0;
    cs_clock *clk = cs_clock_new(c->cfg.clock, c->cfg.redis_url, c->cfg.pg_dsn, err, sizeof err);
    if (!clk || cs_clock_now(clk, &ms) != 0) ms = cs_real_ms();
    cs_clock_free(clk);
    snprintf(now, sizeof now, "%" PRId64, ms);
    const char *p[5] = {shop, d, now, by, number};
    PGresult *r = cscli_pg_run(pg,
                               "UPDATE message_optouts SET lifted_ms = $3, lifted_by = $4 "
                               "WHERE shop_id = $1 AND to_addr IN ($2, $5) AND lifted_ms IS NULL RETURNING to_addr",
                               5, p, err, sizeof err);
    if (!r) return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL: %s", err);
    int n = PQntuples(r);
    PQclear(r);
    char masked[128];
    cs_mask_phones(d, masked, sizeof masked);
    if (n == 0) return cscli_fail(c, CSCLI_NOT_FOUND, "no opt-out in force for %s at shop %s", masked, shop);
    if (c->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "shop_id", shop);
        cJSON_AddStringToObject(doc, "to", masked);
        cscli_json_int(doc, "lifted_ms", ms);
        cJSON_AddStringToObject(doc, "lifted_by", by);
        cscli_print_json(c, doc);
    } else {
        fprintf(c->out, "opt-out of %s at shop %s lifted\n", masked, shop);
    }
    return CSCLI_OK;
}

int cscli_cmd_messages(cscli *c, int argc, char **argv) {
    bool help = false, json = false;
    const char *order = NULL, *status = NULL, *limit = NULL, *tzname = NULL, *shopOpt = NULL, *by = NULL;
    const cscli_opt opts[] = {{"--json", &json, NULL},     {"--help", &help, NULL},   {"--order", NULL, &order},
                              {"--status", NULL, &status}, {"--limit", NULL, &limit}, {"--tz", NULL, &tzname},
                              {"--shop", NULL, &shopOpt},  {"--by", NULL, &by}};
    const char *pos[3];
    int npos;
    char err[1024];
    int rc = cscli_parse_args(argc - 1, argv + 1, opts, sizeof opts / sizeof opts[0], pos, 3, &npos, err, sizeof err);
    c->json |= json;
    if (rc != 0) return cscli_usage_error(c, messages_usage, "messages: %s", err);
    if (help) {
        fputs(messages_usage, c->out);
        return CSCLI_OK;
    }
    if (npos == 0) return cscli_usage_error(c, messages_usage, "messages: which subcommand? (list, optouts, lift)");
    const char *sub = pos[0];
    char shop[256] = "", ord[256] = "";
    int lim = 100;
    if (strcmp(sub, "list") == 0) {
        if (npos != 1) return cscli_usage_error(c, messages_usage, "messages list: unexpected '%s'", pos[1]);
        if (order && cscli_parse_order_key(order, shop, sizeof shop, ord, sizeof ord) != 0)
            return cscli_usage_error(c, messages_usage, "messages list: --order needs <shop>:<order>, got '%s'", order);
        if (status && !knownStatus(status))
            return cscli_usage_error(c, messages_usage,
                                     "messages list: --status must be sent, held, suppressed, failed, expired or "
                                     "cancelled");
        if (limit && cscli_parse_int(limit, 100000, &lim) != 0)
            return cscli_usage_error(c, messages_usage, "messages list: --limit must be 1..100000");
    } else if (strcmp(sub, "optouts") == 0) {
        if (npos != 1) return cscli_usage_error(c, messages_usage, "messages optouts: unexpected '%s'", pos[1]);
    } else if (strcmp(sub, "lift") == 0) {
        if (npos != 3) return cscli_usage_error(c, messages_usage, "messages lift: needs <shop> <number>");
    } else {
        return cscli_usage_error(c, messages_usage, "messages: unknown subcommand '%s'", sub);
    }
    cs_tz *tz = cs_tz_load(tzname ? tzname : CSCLI_DEFAULT_TZ, err, sizeof err);
    if (!tz) return cscli_usage_error(c, messages_usage, "messages: time zone: %s", err);
    if ((rc = cscli_load_config(c)) != CSCLI_OK) {
        cs_tz_free(tz);
        return rc;
    }
    PGconn *pg = cscli_pg_connect(c, err, sizeof err);
    if (!pg) {
        cs_tz_free(tz);
        return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL unreachable: %s", err);
    }
    if (strcmp(sub, "list") == 0)
        rc = cmdList(c, pg, shop, ord, status ? status : "", lim, tz);
    else if (strcmp(sub, "optouts") == 0)
        rc = cmdOptouts(c, pg, shopOpt ? shopOpt : "", tz);
    else
        rc = cmdLift(c, pg, pos[1], pos[2], by ? by : "cscli");
    PQfinish(pg);
    cs_tz_free(tz);
    return rc;
}
