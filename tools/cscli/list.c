/* list.c -- the engine of cscli's "<things> list" commands (tasks,
 * exceptions): one read-only query, printed as an aligned table for
 * people or as {"<key>": [{...}, ...]} with --json.
 *
 * Columns are typed so each prints right in both forms: business times
 * (*_ms) are ISO-8601 in the chosen zone for people and integer
 * milliseconds in JSON; money is yuan with two decimals for people and
 * integer fen in JSON; NULL is "-" and null; phone numbers in free text
 * (refund accounts) are masked in both, as in the logs. */
#include "cscli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "cs/clock.h"
#include "cs/text.h"
#include "cs/tz.h"
#include "cs/util.h"

int cscli_list_query(cscli *c, const char *sql, int nparams, const char *const *params, const cscli_col *cols,
                     int ncols, const char *tzname, const char *json_key) {
    return cscli_list_query_extra(c, sql, nparams, params, cols, ncols, tzname, json_key, NULL, NULL);
}

int cscli_list_query_extra(cscli *c, const char *sql, int nparams, const char *const *params, const cscli_col *cols,
                           int ncols, const char *tzname, const char *json_key, const char *extra_key,
                           const char *extra_value) {
    char err[1024];
    cs_tz *tz = cs_tz_load(tzname ? tzname : CSCLI_DEFAULT_TZ, err, sizeof err);
    if (!tz) return cscli_fail(c, CSCLI_USAGE, "time zone: %s", err);
    int rc = cscli_load_config(c);
    if (rc != CSCLI_OK) {
        cs_tz_free(tz);
        return rc;
    }
    PGconn *pg = cscli_pg_connect(c, err, sizeof err);
    if (!pg) {
        cs_tz_free(tz);
        return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL unreachable: %s", err);
    }
    PGresult *r = PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        cscli_one_line(PQresultErrorMessage(r), err, sizeof err);
        PQclear(r);
        PQfinish(pg);
        cs_tz_free(tz);
        return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL: %s", err);
    }
    int rows = PQntuples(r);
    if (c->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(doc, json_key);
        for (int i = 0; i < rows; i++) {
            cJSON *o = cJSON_CreateObject();
            for (int k = 0; k < ncols; k++) {
                if (PQgetisnull(r, i, k)) {
                    cJSON_AddNullToObject(o, cols[k].name);
                    continue;
                }
                const char *v = PQgetvalue(r, i, k);
                switch (cols[k].type) {
                    case CSCLI_COL_INT:
                    case CSCLI_COL_MS:
                    case CSCLI_COL_FEN: cscli_json_int(o, cols[k].name, strtoll(v, NULL, 10)); break;
                    case CSCLI_COL_BOOL: cJSON_AddBoolToObject(o, cols[k].name, v[0] == 't'); break;
                    case CSCLI_COL_MASK: {
                        char masked[512];
                        cs_mask_phones(v, masked, sizeof masked);
                        cJSON_AddStringToObject(o, cols[k].name, masked);
                        break;
                    }
                    default: cJSON_AddStringToObject(o, cols[k].name, v); break;
                }
            }
            cJSON_AddItemToArray(arr, o);
        }
        cscli_json_int(doc, "count", rows);
        if (extra_key) cJSON_AddStringToObject(doc, extra_key, extra_value ? extra_value : "");
        cscli_print_json(c, doc);
    } else {
        cscli_table *t = cscli_table_new(ncols);
        const char *head[16];
        for (int k = 0; k < ncols && k < 16; k++) head[k] = cols[k].name;
            /* cscli_table_row takes exactly ncols strings: rows are passed
         * through a fixed 16-wide call, the extra ones unused */
#define ROW16(a)                                                                                                       \
    cscli_table_row(t, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],  \
                    a[15])
        for (int k = ncols; k < 16; k++) head[k] = "";
        ROW16(head);
        char cells[16][256];
        const char *cp[16];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < 16; k++) {
                cp[k] = cells[k];
                cells[k][0] = 0;
                if (k >= ncols) continue;
                if (PQgetisnull(r, i, k)) {
                    cs_strlcpy(cells[k], "-", sizeof cells[k]);
                    continue;
                }
                const char *v = PQgetvalue(r, i, k);
                switch (cols[k].type) {
                    case CSCLI_COL_MS: {
                        int64_t ms = strtoll(v, NULL, 10);
                        if (ms)
                            cs_format_iso8601(ms, tz, cells[k], sizeof cells[k]);
                        else
                            cs_strlcpy(cells[k], "-", sizeof cells[k]);
                        break;
                    }
                    case CSCLI_COL_FEN: cs_fen_format(strtoll(v, NULL, 10), cells[k], sizeof cells[k]); break;
                    case CSCLI_COL_BOOL: cs_strlcpy(cells[k], v[0] == 't' ? "yes" : "no", sizeof cells[k]); break;
                    case CSCLI_COL_MASK: cs_mask_phones(v, cells[k], sizeof cells[k]); break;
                    default: cs_strlcpy(cells[k], v, sizeof cells[k]); break;
                }
            }
            ROW16(cp);
        }
#undef ROW16
        cscli_table_print(t, c->out, "");
        fprintf(c->out, "%d row%s\n", rows, rows == 1 ? "" : "s");
        if (extra_key) fprintf(c->out, "%s: %s\n", extra_key, extra_value ? extra_value : "");
        cscli_table_free(t);
    }
    PQclear(r);
    PQfinish(pg);
    cs_tz_free(tz);
    return CSCLI_OK;
}

int cscli_list_args_parse(cscli *c, int argc, char **argv, const char *what, const char *usage, const char *extra_opt,
                          cscli_list_args *a) {
    memset(a, 0, sizeof *a);
    bool help = false, json = false;
    const char *limit = NULL;
    cscli_opt opts[8] = {{"--json", &json, NULL},    {"--help", &help, NULL},      {"--open", &a->open, NULL},
                         {"--shop", NULL, &a->shop}, {"--order", NULL, &a->order}, {"--limit", NULL, &limit},
                         {"--tz", NULL, &a->tzname}};
    size_t nopts = 7;
    if (extra_opt) opts[nopts++] = (cscli_opt){extra_opt, NULL, &a->extra};
    const char *pos[2];
    int npos;
    char err[512];
    int rc = cscli_parse_args(argc - 1, argv + 1, opts, nopts, pos, 2, &npos, err, sizeof err);
    c->json |= json;
    if (rc != 0) return cscli_usage_error(c, usage, "%s: %s", what, err);
    if (help) {
        fputs(usage, c->out);
        return CSCLI_OK;
    }
    if (npos != 1 || strcmp(pos[0], "list") != 0)
        return cscli_usage_error(c, usage, "%s: which subcommand? (list)", what);
    int n = 100;
    if (limit && cscli_parse_int(limit, 100000, &n) != 0)
        return cscli_usage_error(c, usage, "%s: --limit needs 1..100000, got '%s'", what, limit);
    snprintf(a->limit, sizeof a->limit, "%d", n);
    if (a->order &&
        cscli_parse_order_key(a->order, a->order_shop, sizeof a->order_shop, a->order_id, sizeof a->order_id) != 0)
        return cscli_usage_error(c, usage, "%s: --order needs <shop>:<order>, got '%s'", what, a->order);
    return -1;
}
