/* cmd_clock.c -- `cscli clock`: show, set, advance and reset the business
 * clock (CONTRACTS.md "Clock").
 *
 * Showing reads the clock the way the workers do, in the mode CS_CLOCK
 * names: on the redis clock a key Redis lost is put back from its
 * PostgreSQL record by this very read (shared/src/clock.c), and the
 * reading says where it came from (the key, the record, or real time with
 * no clock set) next to the record itself. Setting, advancing and
 * resetting always act on the Redis clock and its record, whatever
 * CS_CLOCK says for this shell: that is the only clock that can be moved,
 * and refusing because the operator's own shell lacks CS_CLOCK=redis would
 * only be a trap; a note on stderr says so when the modes differ. Reset is
 * the way back to real time (deleting the key is not: it comes back from
 * the record). Times are read and shown in the default shop zone
 * (Asia/Shanghai) unless --tz names another. */
#include "cscli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cs/clock.h"
#include "cs/tz.h"

static const char clock_usage[] = "usage: cscli clock [--tz ZONE] [--json]\n"
                                  "         show the business clock: now in ZONE, its milliseconds, the mode,\n"
                                  "         where the value came from and the PostgreSQL record\n"
                                  "       cscli clock set <ISO-8601> [--tz ZONE] [--json]\n"
                                  "         set the Redis clock; a time without an offset is in ZONE,\n"
                                  "         e.g. 2026-11-11T09:30:00 or 2026-11-11T01:30:00Z\n"
                                  "       cscli clock advance <N>{s,m,h,d} [--json]\n"
                                  "         move the Redis clock forward, e.g. 90s, 15m, 2h, 1d, 1h30m\n"
                                  "       cscli clock reset [--json]\n"
                                  "         back to real time: the Redis clock deleted, its record set to none\n"
                                  "Every set, advance and reset is recorded in PostgreSQL; a clock Redis lost\n"
                                  "is put back from that record by the next reader (this command too).\n"
                                  "ZONE defaults to " CSCLI_DEFAULT_TZ " (the default shop zone).\n";

/* "+1d2h3m4s", "-15m", "0s": a skew between two clocks for humans. */
static void format_skew(int64_t ms, char *buf, size_t len) {
    char sign = ms < 0 ? '-' : '+';
    uint64_t s = (uint64_t)(ms < 0 ? -ms : ms) / 1000;
    if (s == 0) {
        snprintf(buf, len, "0s");
        return;
    }
    uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
    size_t used = 0;
    int n = snprintf(buf, len, "%c", sign);
    used = n > 0 ? (size_t)n : 0;
    const uint64_t parts[] = {d, h, m, sec};
    const char units[] = {'d', 'h', 'm', 's'};
    for (int i = 0; i < 4 && used < len; i++) {
        if (!parts[i]) continue;
        n = snprintf(buf + used, len - used, "%" PRIu64 "%c", parts[i], units[i]);
        if (n > 0) used += (size_t)n;
    }
}

/* What the source of a reading means, for people. */
static const char *source_text(cs_clock_source src) {
    switch (src) {
        case CS_CLOCK_SYSTEM: return "the system's real time (CS_CLOCK=system)";
        case CS_CLOCK_REAL: return "real time: no clock set (no key, no record)";
        case CS_CLOCK_FROZEN: return "Redis key " CS_CLOCK_KEY;
        case CS_CLOCK_RESTORED: return "restored from PostgreSQL (clock_record): Redis had lost " CS_CLOCK_KEY;
    }
    return "?";
}

/* Prints the clock's reading (show, and the result of set/advance/reset);
 * rec NULL when the record was not read (system mode). */
static int print_reading(cscli *c, const cs_tz *tz, const char *mode, int64_t now_ms, cs_clock_source src,
                         const cs_clock_record *rec, const char *verb) {
    char iso[48], skew[48], rec_iso[48] = "", upd_iso[48] = "";
    int64_t real = cs_real_ms();
    cs_format_iso8601(now_ms, tz, iso, sizeof iso);
    format_skew(now_ms - real, skew, sizeof skew);
    if (rec && rec->set) cs_format_iso8601(rec->now_ms, tz, rec_iso, sizeof rec_iso);
    if (rec) cs_format_iso8601(rec->updated_ms, tz, upd_iso, sizeof upd_iso);
    if (c->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "now", iso);
        cscli_json_int(doc, "now_ms", now_ms);
        cJSON_AddStringToObject(doc, "zone", cs_tz_name(tz));
        cJSON_AddStringToObject(doc, "mode", mode);
        cJSON_AddStringToObject(doc, "source", cs_clock_source_name(src));
        cscli_json_int(doc, "real_ms", real);
        cscli_json_int(doc, "skew_ms", now_ms - real);
        if (rec) {
            cJSON *r = cJSON_AddObjectToObject(doc, "record");
            if (rec->set)
                cscli_json_int(r, "now_ms", rec->now_ms);
            else
                cJSON_AddNullToObject(r, "now_ms");
            cJSON_AddStringToObject(r, "op", rec->op);
            cscli_json_int(r, "updated_ms", rec->updated_ms);
        } else {
            cJSON_AddNullToObject(doc, "record");
        }
        cscli_print_json(c, doc);
        return CSCLI_OK;
    }
    char ms[32], modetxt[128], rectxt[192];
    snprintf(ms, sizeof ms, "%" PRId64, now_ms);
    if (strcmp(mode, "redis") == 0)
        snprintf(modetxt, sizeof modetxt, "redis (%s, %s from real time)", CS_CLOCK_KEY, skew);
    else
        snprintf(modetxt, sizeof modetxt, "system (real time)");
    if (!rec)
        snprintf(rectxt, sizeof rectxt, "-");
    else if (rec->set)
        snprintf(rectxt, sizeof rectxt, "%s (%s at %s)%s", rec_iso, rec->op, upd_iso,
                 src == CS_CLOCK_FROZEN && rec->now_ms != now_ms ? "; differs from Redis: set outside cscli?" : "");
    else
        snprintf(rectxt, sizeof rectxt, "none: real time (%s at %s)", rec->op, upd_iso);
    if (verb) fprintf(c->out, "clock %s\n", verb);
    cscli_table *t = cscli_table_new(2);
    cscli_table_row(t, "now", iso);
    cscli_table_row(t, "zone", cs_tz_name(tz));
    cscli_table_row(t, "ms", ms);
    cscli_table_row(t, "mode", modetxt);
    cscli_table_row(t, "source", source_text(src));
    cscli_table_row(t, "record", rectxt);
    cscli_table_print(t, c->out, verb ? "  " : "");
    cscli_table_free(t);
    return CSCLI_OK;
}

int cscli_cmd_clock(cscli *c, int argc, char **argv) {
    bool help = false, json = false;
    const char *tzname = NULL;
    const cscli_opt opts[] = {{"--json", &json, NULL}, {"--help", &help, NULL}, {"--tz", NULL, &tzname}};
    const char *pos[3];
    int npos;
    char err[512];
    if (cscli_parse_args(argc - 1, argv + 1, opts, sizeof opts / sizeof opts[0], pos, 3, &npos, err, sizeof err) != 0) {
        c->json |= json;
        return cscli_usage_error(c, clock_usage, "clock: %s", err);
    }
    c->json |= json;
    if (help) {
        fputs(clock_usage, c->out);
        return CSCLI_OK;
    }

    const char *sub = npos ? pos[0] : "show";
    int64_t arg_ms = 0;
    if (strcmp(sub, "show") == 0) {
        if (npos > 1) return cscli_usage_error(c, clock_usage, "clock: unexpected '%s'", pos[1]);
    } else if (strcmp(sub, "reset") == 0) {
        if (npos > 1) return cscli_usage_error(c, clock_usage, "clock reset: unexpected '%s'", pos[1]);
    } else if (strcmp(sub, "set") == 0 || strcmp(sub, "advance") == 0) {
        if (npos != 2)
            return cscli_usage_error(c, clock_usage, "clock %s: needs exactly one %s", sub,
                                     sub[0] == 's' ? "time" : "duration");
    } else {
        return cscli_usage_error(c, clock_usage, "clock: unknown subcommand '%s'", sub);
    }

    cs_tz *tz = cs_tz_load(tzname ? tzname : CSCLI_DEFAULT_TZ, err, sizeof err);
    if (!tz) return cscli_usage_error(c, clock_usage, "clock: time zone: %s", err);

    int rc;
    if (strcmp(sub, "set") == 0 && cs_parse_iso8601(pos[1], tz, &arg_ms) != 0) {
        rc = cscli_usage_error(c, clock_usage,
                               "clock set: '%s' is not an ISO-8601 time "
                               "(YYYY-MM-DDTHH:MM[:SS[.mmm]][Z|+HH:MM])",
                               pos[1]);
        goto out;
    }
    if (strcmp(sub, "advance") == 0 && cscli_parse_duration(pos[1], &arg_ms) != 0) {
        rc = cscli_usage_error(c, clock_usage, "clock advance: '%s' is not a duration like 90s, 15m, 2h or 1d", pos[1]);
        goto out;
    }
    if ((rc = cscli_load_config(c)) != CSCLI_OK) goto out;

    bool show = strcmp(sub, "show") == 0;
    const char *mode = show ? c->cfg.clock : "redis";
    cs_clock *clk = cs_clock_new(mode, c->cfg.redis_url, c->cfg.pg_dsn, err, sizeof err);
    if (!clk) {
        rc = cscli_fail(c, CSCLI_USAGE, "clock: %s", err);
        goto out;
    }
    if (!show && strcmp(c->cfg.clock, "redis") != 0)
        fprintf(c->err,
                "cscli: note: CS_CLOCK=%s in this shell; workers follow the Redis clock "
                "only when they run with CS_CLOCK=redis\n",
                c->cfg.clock);

    int64_t now_ms = 0;
    cs_clock_source src = CS_CLOCK_FROZEN;
    cs_clock_record rec;
    if (show) {
        if (cs_clock_read(clk, &now_ms, &src, err, sizeof err) != 0) {
            rc = cscli_fail(c, CSCLI_BACKEND, "clock: cannot read the business clock: %s", err);
        } else {
            /* the reading stands without its record (PostgreSQL down, the
             * key still in Redis): shown, with a note, record null */
            bool have_rec = strcmp(mode, "redis") == 0 && cs_clock_record_read(clk, &rec, err, sizeof err) == 0;
            if (strcmp(mode, "redis") == 0 && !have_rec) {
                char *safe = cscli_escape(err, strlen(err), CSCLI_ESC_FIELD);
                fprintf(c->err, "cscli: note: the clock's record cannot be read: %s\n", safe);
                free(safe);
            }
            rc = print_reading(c, tz, mode, now_ms, src, have_rec ? &rec : NULL, NULL);
        }
    } else {
        const char *verb = sub[0] == 's' ? "set" : sub[0] == 'a' ? "advanced" : "reset";
        if (strcmp(sub, "set") == 0) {
            now_ms = arg_ms;
            rc = cs_clock_set(clk, arg_ms, err, sizeof err);
        } else if (strcmp(sub, "advance") == 0) {
            rc = cs_clock_advance(clk, arg_ms, &now_ms, err, sizeof err);
        } else {
            rc = cs_clock_reset(clk, err, sizeof err);
            now_ms = cs_real_ms();
            src = CS_CLOCK_REAL;
        }
        if (rc != 0)
            rc = cscli_fail(c, CSCLI_BACKEND, "clock %s: %s", sub, err);
        else if (cs_clock_record_read(clk, &rec, err, sizeof err) != 0)
            rc = cscli_fail(c, CSCLI_BACKEND, "clock %s: done, but its record: %s", sub, err);
        else
            rc = print_reading(c, tz, mode, now_ms, src, &rec, verb);
    }
    cs_clock_free(clk);
out:
    cs_tz_free(tz);
    return rc;
}
