/* cmd_timers.c -- `cscli timers`: the durable timers (docs/timers.md).
 *
 *   timers list [--due] [--all] [--owner W] [--order K] [--limit N]
 *     timers from PostgreSQL (the record), soonest first, each with where
 *     Redis has it: "due" (scheduled), "in-flight" (claimed by a
 *     dispatcher, record not yet acknowledged), "produced" (its record is
 *     in Kafka, the owner has not processed it yet: the inflight member
 *     under the long lease) or "missing" (the dispatcher's reconciliation
 *     will put it back). --due: only pending
 *     timers whose time has come on the business clock (CS_CLOCK).
 *   timers rebuild
 *     puts the business clock back if Redis lost it (from its PostgreSQL
 *     record, CONTRACTS.md "Clock"), then every pending timer missing from
 *     Redis (the dispatcher's full reconciliation, run now), with a
 *     progress bar on a terminal.
 *
 * Redis unreachable does not stop `list` (PostgreSQL is the record): the
 * Redis column then says "?" and a note goes to stderr. `rebuild` needs
 * both and exits 3 without either. */
#include "cscli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "cs/clock.h"
#include "cs/redis.h"
#include "cs/timer_keys.h"
#include "cs/timer_sync.h"
#include "cs/tz.h"
#include "cs/util.h"

#define TIMERS_LIST_DEFAULT 100
#define TIMERS_LIST_MAX 100000

static const char timers_usage[] = "usage: cscli timers list [--due] [--all] [--owner WORKER] [--order SHOP:ORDER]\n"
                                   "                         [--limit N] [--tz ZONE] [--json]\n"
                                   "         timers, soonest first (default: pending ones, at most 100), with where\n"
                                   "         Redis holds each: due, in-flight, produced (its record is in Kafka)\n"
                                   "         or missing. --due: pending and due on the business clock; --all:\n"
                                   "         fired and cancelled ones too.\n"
                                   "       cscli timers rebuild [--json]\n"
                                   "         put the business clock back if Redis lost it (from its record in\n"
                                   "         PostgreSQL), then every pending timer that Redis lacks (what the\n"
                                   "         dispatcher's reconciliation does); timers whose record is in Kafka,\n"
                                   "         not yet processed by their owner, are still in Redis (in flight).\n"
                                   "ZONE defaults to " CSCLI_DEFAULT_TZ ".\n";

/* ---- list ------------------------------------------------------------------- */

enum { T_OWNER, T_ID, T_KIND, T_KEY, T_DUE, T_STATUS, T_GEN, T_PAYLOAD };

/* Where Redis has each row's member: "due", "in-flight", "missing", or "?"
 * (Redis unreachable; *redis_ok false). where[] gets a static string. */
static void redisPlaces(cs_redis *redis, PGresult *r, int64_t lease_ms, const char **where, bool *redis_ok) {
    int n = PQntuples(r);
    cs_redis_pipe *p = cs_redis_pipe_new();
    char(*members)[CS_TIMER_MEMBER_MAX] = cs_xcalloc(n ? (size_t)n : 1, sizeof *members);
    for (int j = 0; j < n; j++) {
        const char *owner = PQgetvalue(r, j, T_OWNER), *id = PQgetvalue(r, j, T_ID);
        int s = cs_timer_shard(owner, id);
        char due[CS_TIMER_KEY_LEN], inf[CS_TIMER_KEY_LEN];
        cs_timer_due_key(due, sizeof due, s);
        cs_timer_inflight_key(inf, sizeof inf, s);
        cs_timer_member_of_row(members[j], sizeof members[j], owner, id, PQgetvalue(r, j, T_GEN),
                               PQgetvalue(r, j, T_DUE), PQgetvalue(r, j, T_KIND), PQgetvalue(r, j, T_KEY),
                               PQgetvalue(r, j, T_PAYLOAD));
        cs_redis_pipe_add(p, 3, (const char *[]){"ZSCORE", due, members[j]});
        cs_redis_pipe_add(p, 3, (const char *[]){"ZSCORE", inf, members[j]});
    }
    char err[256];
    *redis_ok = n == 0 || cs_redis_pipe_run(redis, p, err, sizeof err) == 0;
    for (int j = 0; j < n; j++) {
        if (!*redis_ok) {
            where[j] = "?";
            continue;
        }
        const redisReply *a = cs_redis_pipe_reply(p, 2 * (size_t)j);
        const redisReply *b = cs_redis_pipe_reply(p, 2 * (size_t)j + 1);
        bool pending = strcmp(PQgetvalue(r, j, T_STATUS), "pending") == 0;
        /* a lease longer than a claim's is the acknowledged firing's */
        bool produced = b && b->type == REDIS_REPLY_STRING && strtoll(b->str, NULL, 10) > cs_real_ms() + lease_ms;
        where[j] = a && a->type == REDIS_REPLY_STRING   ? "due"
                   : produced                           ? "produced"
                   : b && b->type == REDIS_REPLY_STRING ? "in-flight"
                   : !pending                           ? "-"
                                                        : "missing";
    }
    free(members);
    cs_redis_pipe_free(p);
}

static int timersList(cscli *c, bool due_only, bool all, const char *owner, const char *order, int limit,
                      const cs_tz *tz) {
    char err[512];
    int64_t now = 0;
    if (due_only) {
        cs_clock *clk = cs_clock_new(c->cfg.clock, c->cfg.redis_url, c->cfg.pg_dsn, err, sizeof err);
        if (!clk) return cscli_fail(c, CSCLI_USAGE, "timers: %s", err);
        int rc = cs_clock_now(clk, &now);
        cs_clock_free(clk);
        if (rc != 0)
            return cscli_fail(c, CSCLI_BACKEND,
                              "timers list --due: business clock unreadable "
                              "(Redis at %s)",
                              c->cfg.redis_url);
    }
    PGconn *pg = cscli_pg_connect(c, err, sizeof err);
    if (!pg) return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL unreachable: %s", err);
    char snow[24], slimit[16];
    snprintf(snow, sizeof snow, "%" PRId64, now);
    snprintf(slimit, sizeof slimit, "%d", limit);
    const char *params[5] = {due_only || !all ? "1" : "0", due_only ? snow : NULL, owner, order, slimit};
    PGresult *r = PQexecParams(pg,
                               "SELECT owner, timer_id, kind, order_key, due_ms, status, generation, payload "
                               "FROM timers WHERE ($1 = '0' OR status = 'pending') "
                               "AND ($2::bigint IS NULL OR due_ms <= $2::bigint) "
                               "AND ($3::text IS NULL OR owner = $3) AND ($4::text IS NULL OR order_key = $4) "
                               "ORDER BY due_ms, owner, timer_id LIMIT $5::int",
                               5, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        cscli_one_line(PQresultErrorMessage(r), err, sizeof err);
        PQclear(r);
        PQfinish(pg);
        return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL: %s", err);
    }
    int n = PQntuples(r);
    const char **where = cs_xcalloc(n ? (size_t)n : 1, sizeof *where);
    bool redis_ok = true;
    cs_redis *redis = cs_redis_new(c->cfg.redis_url, err, sizeof err);
    if (redis)
        redisPlaces(redis, r, c->cfg.timer_lease_ms, where, &redis_ok);
    else
        for (int j = 0; j < n; j++) where[j] = "?";
    cs_redis_free(redis);
    if (!redis_ok || !redis)
        fprintf(c->err, "cscli: note: Redis at %s unreachable; the redis column is unknown\n", c->cfg.redis_url);

    if (c->json) {
        cJSON *doc = cJSON_CreateObject();
        if (due_only) cscli_json_int(doc, "now_ms", now);
        cJSON *arr = cJSON_AddArrayToObject(doc, "timers");
        for (int j = 0; j < n; j++) {
            cJSON *t = cJSON_CreateObject();
            char iso[48];
            int64_t due = strtoll(PQgetvalue(r, j, T_DUE), NULL, 10);
            cs_format_iso8601(due, tz, iso, sizeof iso);
            cJSON_AddStringToObject(t, "owner", PQgetvalue(r, j, T_OWNER));
            cJSON_AddStringToObject(t, "timer_id", PQgetvalue(r, j, T_ID));
            cJSON_AddStringToObject(t, "kind", PQgetvalue(r, j, T_KIND));
            cJSON_AddStringToObject(t, "order_key", PQgetvalue(r, j, T_KEY));
            cJSON_AddStringToObject(t, "due", iso);
            cscli_json_int(t, "due_ms", due);
            cJSON_AddStringToObject(t, "status", PQgetvalue(r, j, T_STATUS));
            cscli_json_int(t, "generation", strtoll(PQgetvalue(r, j, T_GEN), NULL, 10));
            cJSON_AddBoolToObject(t, "produced", strcmp(where[j], "produced") == 0);
            cJSON_AddStringToObject(t, "redis", where[j]);
            cJSON_AddItemToArray(arr, t);
        }
        cJSON_AddBoolToObject(doc, "truncated", n == limit);
        cscli_print_json(c, doc);
    } else if (n == 0) {
        fprintf(c->out, "no %stimers\n", due_only ? "due " : all ? "" : "pending ");
    } else {
        cscli_table *t = cscli_table_new(8);
        cscli_table_row(t, "DUE", "OWNER", "TIMER", "KIND", "ORDER", "GEN", "STATUS", "REDIS");
        for (int j = 0; j < n; j++) {
            char iso[48];
            cs_format_iso8601(strtoll(PQgetvalue(r, j, T_DUE), NULL, 10), tz, iso, sizeof iso);
            cscli_table_row(t, iso, PQgetvalue(r, j, T_OWNER), PQgetvalue(r, j, T_ID), PQgetvalue(r, j, T_KIND),
                            PQgetvalue(r, j, T_KEY), PQgetvalue(r, j, T_GEN), PQgetvalue(r, j, T_STATUS), where[j]);
        }
        cscli_table_print(t, c->out, "");
        cscli_table_free(t);
        if (n == limit) fprintf(c->out, "(first %d; --limit N shows more)\n", limit);
    }
    free(where);
    PQclear(r);
    PQfinish(pg);
    return CSCLI_OK;
}

/* ---- rebuild ---------------------------------------------------------------- */

typedef struct rebuildBar {
    FILE *tty;  /* where the bar goes; NULL = no bar */
    long total; /* pending timers counted before the pass */
} rebuildBar;

static bool rebuildProgress(void *arg, const cs_timer_sync_stats *s) {
    rebuildBar *bar = arg;
    if (!bar->tty) return true;
    const int width = 30;
    long total = bar->total > s->checked ? bar->total : s->checked;
    int filled = total ? (int)((double)s->checked * width / (double)total) : width;
    char cells[64];
    for (int i = 0; i < width; i++) cells[i] = i < filled ? '#' : '.';
    cells[width] = 0;
    fprintf(bar->tty, "\rrebuild [%s] %3d%% %ld/%ld checked, %ld put back", cells,
            total ? (int)(100.0 * (double)s->checked / (double)total) : 100, s->checked, total, s->restored);
    fflush(bar->tty);
    return true;
}

static int timersRebuild(cscli *c, const cs_tz *tz) {
    char err[512];
    PGconn *pg = cscli_pg_connect(c, err, sizeof err);
    if (!pg) return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL unreachable: %s", err);
    /* The clock first: a Redis that lost the schedule lost the clock key
     * too, and nothing should decide at real time meanwhile. Read as the
     * workers on CS_CLOCK=redis read it -- which puts the key back from its
     * record (shared/src/clock.c) -- whatever this shell's CS_CLOCK. */
    int64_t clock_ms = 0;
    cs_clock_source clock_src = CS_CLOCK_REAL;
    cs_clock *clk = cs_clock_new("redis", c->cfg.redis_url, c->cfg.pg_dsn, err, sizeof err);
    if (!clk) {
        PQfinish(pg);
        return cscli_fail(c, CSCLI_USAGE, "timers rebuild: %s", err);
    }
    int crc = cs_clock_read(clk, &clock_ms, &clock_src, err, sizeof err);
    cs_clock_free(clk);
    if (crc != 0) {
        PQfinish(pg);
        return cscli_fail(c, CSCLI_BACKEND, "timers rebuild: the business clock: %s", err);
    }
    cs_redis *redis = cs_redis_new(c->cfg.redis_url, err, sizeof err);
    if (!redis) {
        PQfinish(pg);
        return cscli_fail(c, CSCLI_USAGE, "timers rebuild: %s", err);
    }
    rebuildBar bar = {NULL, 0};
    if (!c->json && isatty(fileno(c->err))) {
        bar.tty = c->err;
        PGresult *r = PQexec(pg, "SELECT count(*) FROM timers WHERE status = 'pending'");
        if (PQresultStatus(r) == PGRES_TUPLES_OK) bar.total = strtol(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    int64_t t0 = cs_mono_ms();
    cs_timer_sync_stats s;
    int rc = cs_timer_sync(pg, redis, 0, rebuildProgress, &bar, &s, err, sizeof err);
    int64_t took = cs_mono_ms() - t0;
    if (bar.tty) fputc('\n', bar.tty);
    cs_redis_free(redis);
    PQfinish(pg);
    if (rc != 0)
        return cscli_fail(c, CSCLI_BACKEND, "timers rebuild: %s (%ld checked, %ld put back so far)", err, s.checked,
                          s.restored);
    if (c->json) {
        cJSON *doc = cJSON_CreateObject();
        cscli_json_int(doc, "checked", s.checked);
        cscli_json_int(doc, "restored", s.restored);
        cscli_json_int(doc, "took_ms", took);
        cJSON *cj = cJSON_AddObjectToObject(doc, "clock");
        cscli_json_int(cj, "now_ms", clock_ms);
        cJSON_AddStringToObject(cj, "source", cs_clock_source_name(clock_src));
        cscli_print_json(c, doc);
    } else {
        char iso[48];
        cs_format_iso8601(clock_ms, tz, iso, sizeof iso);
        fprintf(c->out, "timers rebuild: clock %s (%s)\n", iso,
                clock_src == CS_CLOCK_RESTORED ? "restored from its PostgreSQL record"
                : clock_src == CS_CLOCK_REAL   ? "real time: no clock set"
                                               : "Redis had it");
        fprintf(c->out, "timers rebuild: %ld pending timers checked, %ld put back in Redis (%" PRId64 " ms)\n",
                s.checked, s.restored, took);
    }
    return CSCLI_OK;
}

int cscli_cmd_timers(cscli *c, int argc, char **argv) {
    bool help = false, json = false, due = false, all = false;
    const char *owner = NULL, *order = NULL, *limit_s = NULL, *tzname = NULL;
    const cscli_opt opts[] = {{"--json", &json, NULL},     {"--help", &help, NULL},   {"--due", &due, NULL},
                              {"--all", &all, NULL},       {"--owner", NULL, &owner}, {"--order", NULL, &order},
                              {"--limit", NULL, &limit_s}, {"--tz", NULL, &tzname}};
    const char *pos[2];
    int npos;
    char err[512];
    if (cscli_parse_args(argc - 1, argv + 1, opts, sizeof opts / sizeof opts[0], pos, 2, &npos, err, sizeof err) != 0) {
        c->json |= json;
        return cscli_usage_error(c, timers_usage, "timers: %s", err);
    }
    c->json |= json;
    if (help) {
        fputs(timers_usage, c->out);
        return CSCLI_OK;
    }
    if (npos != 1) return cscli_usage_error(c, timers_usage, "timers: list or rebuild?");
    const char *sub = pos[0];
    int limit = TIMERS_LIST_DEFAULT;
    if (strcmp(sub, "list") == 0) {
        if (due && all) return cscli_usage_error(c, timers_usage, "timers list: --due and --all exclude each other");
        if (limit_s && cscli_parse_int(limit_s, TIMERS_LIST_MAX, &limit) != 0)
            return cscli_usage_error(c, timers_usage, "timers list: --limit must be 1..%d, got '%s'", TIMERS_LIST_MAX,
                                     limit_s);
        if (order) {
            char shop[128], oid[256];
            if (cscli_parse_order_key(order, shop, sizeof shop, oid, sizeof oid) != 0)
                return cscli_usage_error(c, timers_usage,
                                         "timers list: --order '%s' is not "
                                         "<shop>:<order>",
                                         order);
        }
    } else if (strcmp(sub, "rebuild") == 0) {
        if (due || all || owner || order || limit_s || tzname)
            return cscli_usage_error(c, timers_usage, "timers rebuild takes no options but --json");
    } else {
        return cscli_usage_error(c, timers_usage, "timers: unknown subcommand '%s'", sub);
    }
    cs_tz *tz = cs_tz_load(tzname ? tzname : CSCLI_DEFAULT_TZ, err, sizeof err);
    if (!tz) return cscli_usage_error(c, timers_usage, "timers: time zone: %s", err);
    int rc = cscli_load_config(c);
    if (rc == CSCLI_OK)
        rc = strcmp(sub, "list") == 0 ? timersList(c, due, all, owner, order, limit, tz) : timersRebuild(c, tz);
    cs_tz_free(tz);
    return rc;
}
