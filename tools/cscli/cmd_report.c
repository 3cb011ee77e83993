/* cmd_report.c -- `cscli report daily|weekly`: the operations reports of
 * RULES.md, read from PostgreSQL, one section per shop.
 *
 *   report daily [--date YYYY-MM-DD] [--shop S] [--json]
 *     RP-1 for one local date (default: today by the business clock):
 *     orders verified, exceptions opened / closed / overdue, after-sales
 *     cases opened and closed by type, messages by fate, SLA breaches,
 *     missed orders (OV-13), SKUs on quality watch (OV-11), and RF-11's
 *     disputes of the day with the alert line when the shop's
 *     dispute_alert_at-th dispute of the month (the 4th) was among them.
 *   report weekly [--week-ending YYYY-MM-DD] [--shop S] [--json]
 *     for the week Sunday..Saturday ending that Saturday (default: the
 *     latest Saturday that is over, rf12_summary_week): RV-6's review
 *     outcomes by outcome x dislike and by outcome x rating, RF-12's
 *     Saturday after-sales cost summary by case type and reason, and
 *     RF-12's rolling 30-day metrics as of the week's end.
 *
 * Why it is built this way: the numbers the rules define are computed by
 * the rules' own pure functions (rv6_weekly_report, rf12_count_cases,
 * rf12_cost_add_case, rf12_compute, rf12_summary_week,
 * rf11_month_start_ms), linked from the workers' rule libraries, over the
 * rows and case documents read here, so a report never re-derives a rule
 * in SQL and disagrees with the worker. Case documents are protobuf, so
 * RF-12's metrics are computed on read ("kept current" = always as of the
 * data at the moment of the report; docs/aftersales.md "RF-12") rather
 * than kept in a table that could drift. Plain counts of rows (verdicts,
 * exceptions, messages, breaches) are SQL. Every read of one report runs
 * in one REPEATABLE READ READ ONLY transaction: one snapshot.
 *
 * Days and weeks are local dates in the shop's zone (the shops file); a
 * shop named with --shop that the file does not know is reported with the
 * default zone (Asia/Shanghai) and the handbook's default thresholds, and
 * says so. Money is integer fen in JSON and yuan for people. */
#include "cscli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "cs/clock.h"
#include "cs/shop.h"
#include "cs/text.h"
#include "cs/tz.h"
#include "cs/util.h"
#include "cs/v1/state.pb-c.h"
#include "refunds.h"
#include "reviews.h"
#include "rf_rules.h"
#include "rv_rules.h"

static const char report_usage[] =
    "usage: cscli report daily [--date YYYY-MM-DD] [--shop SHOP] [--json]\n"
    "         RP-1 for one local date (default today): orders verified, exceptions\n"
    "         opened/closed/overdue, after-sales cases opened/closed by type, messages\n"
    "         sent/held/suppressed/expired/cancelled/failed, SLA breaches, missed orders\n"
    "         (OV-13), SKUs on quality watch (OV-11), disputes and the RF-11 alert.\n"
    "       cscli report weekly [--week-ending YYYY-MM-DD] [--shop SHOP] [--json]\n"
    "         the week Sunday..Saturday ending that Saturday (default the last one\n"
    "         that is over): review outcomes (RV-6) by dislike and rating, the\n"
    "         after-sales cost summary by case type and reason (RF-12: refunds,\n"
    "         postage, EX-7 compensation, RF-10 partial refunds and gifts) and\n"
    "         the rolling 30-day metrics of RF-12 as of the week's end.\n"
    "Without --shop every shop of the shops file (CS_SHOPS_FILE); dates are local\n"
    "to each shop. Exit 2 for a bad date, 3 when PostgreSQL is down.\n";

#define DAY_MS ((int64_t)86400 * 1000)

/* One report's reads: a connection, its snapshot and the first error. */
typedef struct rpDb {
    PGconn *pg;     /* owned */
    char err[1024]; /* the first failure, "" = none */
} rpDb;

/* sql with text params; NULL on failure (db->err says why, and later
 * queries are skipped). The caller PQclears the result. */
static PGresult *rpQuery(rpDb *db, const char *sql, int n, const char *const *p) {
    if (db->err[0]) return NULL;
    PGresult *r = PQexecParams(db->pg, sql, n, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
        cscli_one_line(PQresultErrorMessage(r), db->err, sizeof db->err);
        PQclear(r);
        return NULL;
    }
    return r;
}

static int64_t cellInt(const PGresult *r, int row, int col) {
    return r && row < PQntuples(r) && !PQgetisnull(r, row, col) ? strtoll(PQgetvalue(r, row, col), NULL, 10) : 0;
}

/* A one-row query of counts into out[0..ncols). */
static void rpCounts(rpDb *db, const char *sql, int n, const char *const *p, int64_t *out, int ncols) {
    PGresult *r = rpQuery(db, sql, n, p);
    for (int i = 0; i < ncols; i++) out[i] = cellInt(r, 0, i);
    PQclear(r);
}

/* ---- shops and dates -------------------------------------------------------- */

/* A shop to report on: the file's, or a stand-in with the defaults. */
typedef struct rpShop {
    const cs_shop *shop; /* the file's, or &standin */
    cs_shop standin;     /* a shop the file does not know: default zone and thresholds */
    cs_tz *tz;           /* the stand-in's zone (owned) */
    bool known;          /* in the shops file */
} rpShop;

static int rpShopFor(rpShop *s, const cs_shops *shops, const char *id, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    const cs_shop *f = shops ? cs_shops_find(shops, id) : NULL;
    if (f) {
        s->shop = f;
        s->known = true;
        return 0;
    }
    s->tz = cs_tz_load(CSCLI_DEFAULT_TZ, err, errlen);
    if (!s->tz) return -1;
    s->standin.id = (char *)id;
    s->standin.time_zone = (char *)CSCLI_DEFAULT_TZ;
    s->standin.tz = s->tz;
    cs_thresholds_defaults(&s->standin.th);
    s->shop = &s->standin;
    return 0;
}

static void rpShopDone(rpShop *s) { cs_tz_free(s->tz); }

/* "YYYY-MM-DD" exactly, a real date; 0 or -1. */
static int parseDate(const char *s, cs_day *out) {
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || s[4] != '-' || s[7] != '-')
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > 31) return -1;
    cs_day day = cs_day_from_ymd(y, m, d);
    int y2, m2, d2;
    cs_day_to_ymd(day, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d) return -1; /* 2026-02-30 */
    *out = day;
    return 0;
}

static void jsonDay(cJSON *o, const char *name, cs_day d) {
    char buf[16];
    cs_day_format(d, buf, sizeof buf);
    cJSON_AddStringToObject(o, name, buf);
}

static void fen(int64_t v, char *buf, size_t len) { cs_fen_format(v, buf, len); }

/* ---- the daily report (RP-1) ------------------------------------------------------ */

/* Decoded after-sales cases of one query (doc in column col); the rf_case
 * strings point into the unpacked states, freed by casesFree. */
typedef struct rpCases {
    rf_case *c;
    Cs__V1__RefundCaseState **st;
    size_t n;
} rpCases;

/* The bytea of (row, col) as bytes (text results carry it hex-escaped);
 * *len its length. malloc'd by libpq: PQfreemem. NULL for a NULL cell. */
static unsigned char *docOf(const PGresult *r, int row, int col, size_t *len) {
    if (PQgetisnull(r, row, col)) return NULL;
    unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), len);
    if (!b) abort(); /* out of memory */
    return b;
}

static void casesLoad(rpDb *db, const char *sql, int np, const char *const *p, rpCases *out) {
    memset(out, 0, sizeof *out);
    PGresult *r = rpQuery(db, sql, np, p);
    if (!r) return;
    int rows = PQntuples(r);
    out->c = cs_xcalloc(rows ? (size_t)rows : 1, sizeof *out->c);
    out->st = cs_xcalloc(rows ? (size_t)rows : 1, sizeof *out->st);
    for (int i = 0; i < rows; i++) {
        size_t len;
        unsigned char *b = docOf(r, i, 0, &len);
        Cs__V1__RefundCaseState *st = b ? cs__v1__refund_case_state__unpack(NULL, len, b) : NULL;
        PQfreemem(b);
        if (!st) continue; /* a document that does not decode is not counted (the worker refuses it too) */
        out->st[out->n] = st;
        rf_case_from_state(&out->c[out->n], st);
        out->n++;
    }
    PQclear(r);
}

static void casesFree(rpCases *k) {
    for (size_t i = 0; i < k->n; i++) cs__v1__refund_case_state__free_unpacked(k->st[i], NULL);
    free(k->st);
    free(k->c);
}

#define NTYPES 7 /* Cs__V1__CaseType values 0..6 */
#define NREASONS 9

static void byTypeJson(cJSON *o, const char *name, const int *n) {
    cJSON *t = cJSON_AddObjectToObject(o, name);
    for (int i = 0; i < NTYPES; i++)
        if (n[i]) cscli_json_int(t, rf_type_name((Cs__V1__CaseType)i), n[i]);
}

static void byTypeText(FILE *out, const int *n) {
    bool any = false;
    for (int i = 0; i < NTYPES; i++)
        if (n[i]) {
            fprintf(out, "%s%s %d", any ? ", " : " (", rf_type_name((Cs__V1__CaseType)i), n[i]);
            any = true;
        }
    fputs(any ? ")\n" : "\n", out);
}

static const char *const msgStatuses[] = {"sent", "held", "suppressed", "expired", "cancelled", "failed"};
#define NMSG 6

static void daily(cscli *c, rpDb *db, const cs_shop *shop, bool known, cs_day day, cJSON *arr) {
    int64_t start = cs_tz_instant(shop->tz, day, 0), end = cs_tz_instant(shop->tz, day + 1, 0);
    char ps[24], pe[24], pq[24];
    snprintf(ps, sizeof ps, "%" PRId64, start);
    snprintf(pe, sizeof pe, "%" PRId64, end);
    /* OV-11's window as the verifier counts it, as of the day's end */
    snprintf(pq, sizeof pq, "%" PRId64, end - (int64_t)shop->th.quality_window_days * DAY_MS);
    const char *p[] = {shop->id, ps, pe};

    int64_t ord[1], exc[4], cas[1], brk[1], msg[NMSG];
    rpCounts(db,
             "SELECT count(DISTINCT order_id) FROM verdicts WHERE shop_id = $1 AND decided_ms >= $2::bigint "
             "AND decided_ms < $3::bigint",
             3, p, ord, 1);
    PGresult *vs = rpQuery(db,
                           "SELECT state, count(*) FROM verdicts WHERE shop_id = $1 AND decided_ms >= $2::bigint "
                           "AND decided_ms < $3::bigint GROUP BY state ORDER BY state",
                           3, p);
    /* EX-6: overdue = still open at the day's end with its SLA (end of day 3) reached */
    rpCounts(db,
             "SELECT count(*) FILTER (WHERE opened_ms >= $2::bigint AND opened_ms < $3::bigint), "
             "count(*) FILTER (WHERE closed_ms >= $2::bigint AND closed_ms < $3::bigint), "
             "count(*) FILTER (WHERE opened_ms < $3::bigint AND (closed_ms IS NULL OR closed_ms >= $3::bigint) "
             "AND breach_due_ms <= $3::bigint), "
             "count(*) FILTER (WHERE opened_ms < $3::bigint AND (closed_ms IS NULL OR closed_ms >= $3::bigint)) "
             "FROM exceptions WHERE shop_id = $1",
             3, p, exc, 4);
    rpCases ac;
    casesLoad(db,
              "SELECT doc FROM cases WHERE shop_id = $1 AND kind = 'aftersales' AND ((opened_ms >= $2::bigint "
              "AND opened_ms < $3::bigint) OR (closed_ms >= $2::bigint AND closed_ms < $3::bigint))",
              3, p, &ac);
    rpCounts(db,
             "SELECT count(*) FROM cases WHERE shop_id = $1 AND kind = 'aftersales' AND opened_ms < $3::bigint "
             "AND (closed_ms IS NULL OR closed_ms >= $3::bigint) AND $2::bigint IS NOT NULL",
             3, p, cas, 1);
    /* sent: went out that day (held ones released too); held: asked that
     * day and still held; the final fates by the day they became final */
    rpCounts(db,
             "SELECT count(*) FILTER (WHERE sent_ms >= $2::bigint AND sent_ms < $3::bigint), "
             "count(*) FILTER (WHERE status = 'held' AND requested_ms >= $2::bigint AND requested_ms < $3::bigint), "
             "count(*) FILTER (WHERE status = 'suppressed' AND updated_ms >= $2::bigint AND updated_ms < $3::bigint), "
             "count(*) FILTER (WHERE status = 'expired' AND updated_ms >= $2::bigint AND updated_ms < $3::bigint), "
             "count(*) FILTER (WHERE status = 'cancelled' AND updated_ms >= $2::bigint AND updated_ms < $3::bigint), "
             "count(*) FILTER (WHERE status = 'failed' AND updated_ms >= $2::bigint AND updated_ms < $3::bigint) "
             "FROM messages WHERE shop_id = $1",
             3, p, msg, NMSG);
    PGresult *br = rpQuery(db,
                           "SELECT rule, count(*) FROM sla_breaches WHERE shop_id = $1 AND breached_ms >= $2::bigint "
                           "AND breached_ms < $3::bigint GROUP BY rule ORDER BY rule",
                           3, p);
    PGresult *mo = rpQuery(db,
                           "SELECT DISTINCT order_id FROM tasks WHERE shop_id = $1 AND rule = 'OV-13' "
                           "AND created_ms >= $2::bigint AND created_ms < $3::bigint ORDER BY order_id",
                           3, p);
    char pt[16];
    snprintf(pt, sizeof pt, "%d", shop->th.quality_test_cases);
    const char *pw[] = {shop->id, pq, pe, pt};
    PGresult *qw = rpQuery(db,
                           "SELECT sku, count(*) FROM quality_cases WHERE shop_id = $1 AND opened_ms > $2::bigint "
                           "AND opened_ms < $3::bigint GROUP BY sku HAVING count(*) >= $4::int "
                           "ORDER BY count(*) DESC, sku",
                           4, pw);
    /* RF-11: the day's disputes with their place in the month, and the
     * month's count by the day's end */
    char pm[24];
    snprintf(pm, sizeof pm, "%" PRId64, rf11_month_start_ms(shop, end - 1));
    PGresult *dp = rpQuery(db,
                           "SELECT case_id, order_id, month_n FROM disputes WHERE shop_id = $1 "
                           "AND opened_ms >= $2::bigint AND opened_ms < $3::bigint ORDER BY month_n, case_id",
                           3, p);
    const char *pd[] = {shop->id, pm, pe};
    rpCounts(db,
             "SELECT count(*) FROM disputes WHERE shop_id = $1 AND month_start_ms = $2::bigint "
             "AND opened_ms < $3::bigint",
             3, pd, brk, 1);
    int64_t month_disputes = brk[0];
    if (db->err[0]) goto out;

    int opened[NTYPES] = {0}, closed[NTYPES] = {0}, nopened = 0, nclosed = 0;
    for (size_t i = 0; i < ac.n; i++) {
        const rf_case *k = &ac.c[i];
        int t = (int)k->type >= 0 && (int)k->type < NTYPES ? (int)k->type : 0;
        if (k->registered_ms >= start && k->registered_ms < end) opened[t]++, nopened++;
        if (k->stage == CS__V1__CASE_STAGE__CASE_STAGE_CLOSED && k->last_event_ms >= start && k->last_event_ms < end)
            closed[t]++, nclosed++;
    }
    int alert_at = shop->th.dispute_alert_at, bar_at = shop->th.dispute_month_limit + 1;
    int y, m, d;
    cs_day_to_ymd(day, &y, &m, &d);
    char alerts[2][256];
    int nalerts = 0;
    for (int i = 0; i < PQntuples(dp) && nalerts < 2; i++) {
        int n = (int)cellInt(dp, i, 2);
        if (n == alert_at)
            snprintf(alerts[nalerts++], sizeof alerts[0],
                     "RF-11 alert: dispute %d of %04d-%02d (case %s); more than %d bars the shop from campaigns", n, y,
                     m, PQgetvalue(dp, i, 0), shop->th.dispute_month_limit);
        else if (n == bar_at)
            snprintf(alerts[nalerts++], sizeof alerts[0],
                     "RF-11 bar: dispute %d of %04d-%02d (case %s), past the limit of %d: barred from campaigns", n, y,
                     m, PQgetvalue(dp, i, 0), shop->th.dispute_month_limit);
    }

    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "shop_id", shop->id);
        cJSON_AddStringToObject(o, "time_zone", shop->time_zone);
        cJSON_AddBoolToObject(o, "shop_known", known);
        jsonDay(o, "date", day);
        cscli_json_int(o, "start_ms", start);
        cscli_json_int(o, "end_ms", end);
        cJSON *j = cJSON_AddObjectToObject(o, "orders");
        cscli_json_int(j, "verified", ord[0]);
        cJSON *v = cJSON_AddObjectToObject(j, "verdicts");
        for (int i = 0; i < PQntuples(vs); i++) cscli_json_int(v, PQgetvalue(vs, i, 0), cellInt(vs, i, 1));
        j = cJSON_AddObjectToObject(o, "exceptions");
        cscli_json_int(j, "opened", exc[0]);
        cscli_json_int(j, "closed", exc[1]);
        cscli_json_int(j, "overdue", exc[2]);
        cscli_json_int(j, "open_at_end", exc[3]);
        j = cJSON_AddObjectToObject(o, "aftersales");
        cscli_json_int(j, "opened", nopened);
        cscli_json_int(j, "closed", nclosed);
        cscli_json_int(j, "open_at_end", cas[0]);
        byTypeJson(j, "opened_by_type", opened);
        byTypeJson(j, "closed_by_type", closed);
        j = cJSON_AddObjectToObject(o, "messages");
        for (int i = 0; i < NMSG; i++) cscli_json_int(j, msgStatuses[i], msg[i]);
        j = cJSON_AddObjectToObject(o, "sla_breaches");
        int64_t nb = 0;
        cJSON *byr = cJSON_CreateObject();
        for (int i = 0; i < PQntuples(br); i++) {
            cscli_json_int(byr, PQgetvalue(br, i, 0), cellInt(br, i, 1));
            nb += cellInt(br, i, 1);
        }
        cscli_json_int(j, "total", nb);
        cJSON_AddItemToObject(j, "by_rule", byr);
        j = cJSON_AddObjectToObject(o, "missed_orders");
        cscli_json_int(j, "count", PQntuples(mo));
        cJSON *a = cJSON_AddArrayToObject(j, "orders");
        for (int i = 0; i < PQntuples(mo); i++) cJSON_AddItemToArray(a, cJSON_CreateString(PQgetvalue(mo, i, 0)));
        a = cJSON_AddArrayToObject(o, "quality_watch");
        for (int i = 0; i < PQntuples(qw); i++) {
            cJSON *q = cJSON_CreateObject();
            int64_t n = cellInt(qw, i, 1);
            cJSON_AddStringToObject(q, "sku", PQgetvalue(qw, i, 0));
            cscli_json_int(q, "cases", n);
            cJSON_AddBoolToObject(q, "test_before_shipping", true);
            cJSON_AddBoolToObject(q, "delist", n >= shop->th.quality_delist_cases);
            cJSON_AddItemToArray(a, q);
        }
        j = cJSON_AddObjectToObject(o, "disputes");
        cscli_json_int(j, "opened", PQntuples(dp));
        cscli_json_int(j, "month_to_date", month_disputes);
        bool alert = false, barred = false;
        for (int i = 0; i < PQntuples(dp); i++) {
            alert |= cellInt(dp, i, 2) == alert_at;
            barred |= cellInt(dp, i, 2) == bar_at;
        }
        cJSON_AddBoolToObject(j, "alert", alert);
        cJSON_AddBoolToObject(j, "campaign_barred", barred);
        a = cJSON_AddArrayToObject(j, "lines");
        for (int i = 0; i < nalerts; i++) cJSON_AddItemToArray(a, cJSON_CreateString(alerts[i]));
        cJSON_AddItemToArray(arr, o);
    } else {
        FILE *out = c->out;
        char ds[16];
        cs_day_format(day, ds, sizeof ds);
        fprintf(out, "Daily report %s, shop %s (%s%s)\n", ds, shop->id, shop->time_zone,
                known ? "" : "; not in the shops file: default settings");
        fprintf(out, "  orders verified       %" PRId64, ord[0]);
        for (int i = 0; i < PQntuples(vs); i++)
            fprintf(out, "%s%s %s", i ? ", " : " (", cscli_field(c, PQgetvalue(vs, i, 0)), PQgetvalue(vs, i, 1));
        fputs(PQntuples(vs) ? ")\n" : "\n", out);
        fprintf(out,
                "  exceptions            opened %" PRId64 ", closed %" PRId64 ", overdue %" PRId64
                ", open at day end %" PRId64 "\n",
                exc[0], exc[1], exc[2], exc[3]);
        fprintf(out, "  after-sales opened    %d", nopened);
        byTypeText(out, opened);
        fprintf(out, "  after-sales closed    %d", nclosed);
        byTypeText(out, closed);
        fprintf(out, "  after-sales open      %" PRId64 " at day end\n", cas[0]);
        fprintf(out, "  messages              ");
        for (int i = 0; i < NMSG; i++) fprintf(out, "%s%s %" PRId64, i ? ", " : "", msgStatuses[i], msg[i]);
        fputc('\n', out);
        int64_t nb = 0;
        for (int i = 0; i < PQntuples(br); i++) nb += cellInt(br, i, 1);
        fprintf(out, "  SLA breaches          %" PRId64, nb);
        for (int i = 0; i < PQntuples(br); i++)
            fprintf(out, "%s%s %s", i ? ", " : " (", cscli_field(c, PQgetvalue(br, i, 0)), PQgetvalue(br, i, 1));
        fputs(PQntuples(br) ? ")\n" : "\n", out);
        fprintf(out, "  missed orders (OV-13) %d", PQntuples(mo));
        for (int i = 0; i < PQntuples(mo); i++)
            fprintf(out, "%s%s", i ? ", " : ": ", cscli_field(c, PQgetvalue(mo, i, 0)));
        fputc('\n', out);
        fprintf(out, "  quality watch (OV-11) %d SKU%s", PQntuples(qw), PQntuples(qw) == 1 ? "" : "s");
        for (int i = 0; i < PQntuples(qw); i++)
            fprintf(out, "%s%s %s cases%s", i ? ", " : ": ", cscli_field(c, PQgetvalue(qw, i, 0)), PQgetvalue(qw, i, 1),
                    cellInt(qw, i, 1) >= shop->th.quality_delist_cases ? " (delist)" : " (test before shipping)");
        fputc('\n', out);
        fprintf(out, "  disputes (RF-11)      %d today, %" PRId64 " this month\n", PQntuples(dp), month_disputes);
        for (int i = 0; i < nalerts; i++) fprintf(out, "  ! %s\n", cscli_field(c, alerts[i]));
    }
out:
    casesFree(&ac);
    PQclear(vs);
    PQclear(br);
    PQclear(mo);
    PQclear(qw);
    PQclear(dp);
}

/* ---- the weekly report (RV-6, RF-12) ---------------------------------------------------- */

static const rv_state outcomes[] = {RV_STATE_REVISED, RV_STATE_REFUSED, RV_STATE_NO_ANSWER, RV_STATE_CLOSED};
#define NOUTCOMES 4

static void costJson(cJSON *o, const rf12_cost *k) {
    cscli_json_int(o, "refunds", k->refunds);
    cscli_json_int(o, "refunds_fen", k->refunds_fen);
    cscli_json_int(o, "postage", k->postage);
    cscli_json_int(o, "postage_fen", k->postage_fen);
    cscli_json_int(o, "compensations", k->compensations);
    cscli_json_int(o, "compensation_fen", k->compensation_fen);
    cscli_json_int(o, "partial_refunds", k->partial_refunds);
    cscli_json_int(o, "partial_refund_fen", k->partial_refund_fen);
    cscli_json_int(o, "gifts", k->gifts);
}

static bool costEmpty(const rf12_cost *k) {
    return !k->refunds && !k->postage && !k->compensations && !k->partial_refunds && !k->gifts;
}

static void costRow(cscli_table *t, const char *type, const char *reason, const rf12_cost *k) {
    char a[32], b[32], cc[32], d[32], ra[48], pa[48], co[48], pr[48], g[16];
    fen(k->refunds_fen, a, sizeof a);
    fen(k->postage_fen, b, sizeof b);
    fen(k->compensation_fen, cc, sizeof cc);
    fen(k->partial_refund_fen, d, sizeof d);
    snprintf(ra, sizeof ra, "%d / %s", k->refunds, a);
    snprintf(pa, sizeof pa, "%d / %s", k->postage, b);
    snprintf(co, sizeof co, "%d / %s", k->compensations, cc);
    snprintf(pr, sizeof pr, "%d / %s", k->partial_refunds, d);
    snprintf(g, sizeof g, "%d", k->gifts);
    cscli_table_row(t, type, reason, ra, pa, co, pr, g);
}

/* "2d 03:20" for a mean duration; "-" for none. */
static void fmtDuration(int64_t ms, char *buf, size_t len) {
    if (ms <= 0) {
        cs_strlcpy(buf, "-", len);
        return;
    }
    int64_t min = (ms + 30000) / 60000;
    snprintf(buf, len, "%" PRId64 "d %02" PRId64 ":%02" PRId64, min / 1440, (min / 60) % 24, min % 60);
}

static void weekly(cscli *c, rpDb *db, const cs_shop *shop, bool known, int64_t start, int64_t end, cJSON *arr) {
    cs_day first = cs_tz_day(shop->tz, start), last = cs_tz_day(shop->tz, end - 1);
    int64_t wstart = rf12_window_start_ms(end);
    char ps[24], pe[24], pw[24], pc[24];
    snprintf(ps, sizeof ps, "%" PRId64, start);
    snprintf(pe, sizeof pe, "%" PRId64, end);
    snprintf(pw, sizeof pw, "%" PRId64, wstart);
    /* closed orders are read from the order's document (OrderState.closed_ms):
     * the candidates are the orders created in the 30 days before the window
     * too, the time a trade takes to close at most (docs/aftersales.md) */
    snprintf(pc, sizeof pc, "%" PRId64, wstart - 30 * DAY_MS);
    const char *p[] = {shop->id, ps, pe};

    /* RV-6: the review cases whose outcome was recorded in the week */
    rv_week_report rw;
    PGresult *rr = rpQuery(db,
                           "SELECT doc FROM cases WHERE shop_id = $1 AND kind = 'review' AND closed_ms >= $2::bigint "
                           "AND closed_ms < $3::bigint",
                           3, p);
    size_t nr = rr ? (size_t)PQntuples(rr) : 0;
    rv_case *rc = cs_xcalloc(nr ? nr : 1, sizeof *rc);
    Cs__V1__ReviewCaseState **rst = cs_xcalloc(nr ? nr : 1, sizeof *rst);
    size_t nrc = 0;
    for (size_t i = 0; i < nr; i++) {
        size_t len;
        unsigned char *b = docOf(rr, (int)i, 0, &len);
        rst[nrc] = b ? cs__v1__review_case_state__unpack(NULL, len, b) : NULL;
        PQfreemem(b);
        if (!rst[nrc]) continue;
        rv_case_from_state(&rc[nrc], rst[nrc], shop);
        nrc++;
    }
    rv6_weekly_report(rc, nrc, shop, first, &rw);

    /* RF-12: the after-sales cases that recorded anything since the 30-day
     * window began (a save's updated_ms is at or after what it recorded) */
    const char *pa[] = {shop->id, pw};
    rpCases ac;
    casesLoad(db, "SELECT doc FROM cases WHERE shop_id = $1 AND kind = 'aftersales' AND updated_ms >= $2::bigint", 2,
              pa, &ac);
    rf12_cost lines[NTYPES][NREASONS], total;
    memset(lines, 0, sizeof lines);
    memset(&total, 0, sizeof total);
    for (size_t i = 0; i < ac.n; i++) {
        const rf_case *k = &ac.c[i];
        int t = (int)k->type >= 0 && (int)k->type < NTYPES ? (int)k->type : 0;
        int r = (int)k->reason >= 0 && (int)k->reason < NREASONS ? (int)k->reason : 0;
        rf12_cost_add_case(k, start, end, &lines[t][r]);
        rf12_cost_add_case(k, start, end, &total);
    }
    /* EX-7: the exception-handler's compensations, by their case's type and reason */
    PGresult *cr = rpQuery(db,
                           "SELECT m.amount_fen, k.doc FROM compensations m LEFT JOIN cases k ON k.shop_id = m.shop_id "
                           "AND k.kind = 'aftersales' AND k.case_id = m.case_id WHERE m.shop_id = $1 "
                           "AND m.created_ms >= $2::bigint AND m.created_ms < $3::bigint",
                           3, p);
    for (int i = 0; cr && i < PQntuples(cr); i++) {
        int t = 0, r = 0;
        size_t len;
        unsigned char *b = docOf(cr, i, 1, &len);
        if (b) {
            Cs__V1__RefundCaseState *st = cs__v1__refund_case_state__unpack(NULL, len, b);
            PQfreemem(b);
            if (st) {
                t = (int)st->type >= 0 && (int)st->type < NTYPES ? (int)st->type : 0;
                r = (int)st->reason >= 0 && (int)st->reason < NREASONS ? (int)st->reason : 0;
                cs__v1__refund_case_state__free_unpacked(st, NULL);
            }
        }
        lines[t][r].compensations++;
        lines[t][r].compensation_fen += cellInt(cr, i, 0);
        total.compensations++;
        total.compensation_fen += cellInt(cr, i, 0);
    }
    rf12_counts counts = {0};
    rf12_count_cases(ac.c, ac.n, wstart, end, &counts);
    const char *po[] = {shop->id, pw, pe};
    int64_t paid[1];
    rpCounts(db, "SELECT count(*) FROM orders WHERE shop_id = $1 AND paid_ms >= $2::bigint AND paid_ms < $3::bigint", 3,
             po, paid, 1);
    counts.paid_orders = paid[0];
    const char *pcl[] = {shop->id, pc, pe};
    PGresult *orr = rpQuery(db,
                            "SELECT doc FROM orders WHERE shop_id = $1 AND created_ms >= $2::bigint "
                            "AND created_ms < $3::bigint",
                            3, pcl);
    for (int i = 0; orr && i < PQntuples(orr); i++) {
        size_t len;
        unsigned char *b = docOf(orr, i, 0, &len);
        Cs__V1__OrderState *st = b ? cs__v1__order_state__unpack(NULL, len, b) : NULL;
        PQfreemem(b);
        if (!st) continue;
        if (st->closed_ms >= wstart && st->closed_ms < end) counts.closed_orders++;
        cs__v1__order_state__free_unpacked(st, NULL);
    }
    rf12_metrics mx;
    rf12_compute(&counts, &mx);
    if (db->err[0]) goto out;

    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "shop_id", shop->id);
        cJSON_AddStringToObject(o, "time_zone", shop->time_zone);
        cJSON_AddBoolToObject(o, "shop_known", known);
        jsonDay(o, "week_start", first);
        jsonDay(o, "week_ending", last);
        cscli_json_int(o, "start_ms", start);
        cscli_json_int(o, "end_ms", end);
        cJSON *j = cJSON_AddObjectToObject(o, "reviews");
        cscli_json_int(j, "closed", rw.closed);
        cscli_json_int(j, "neutral", rw.neutral);
        cscli_json_int(j, "negative", rw.negative);
        cJSON *bo = cJSON_AddObjectToObject(j, "by_outcome");
        cJSON *bod = cJSON_AddObjectToObject(j, "by_outcome_dislike");
        cJSON *bor = cJSON_AddObjectToObject(j, "by_outcome_rating");
        for (int i = 0; i < NOUTCOMES; i++) {
            rv_state s = outcomes[i];
            cscli_json_int(bo, rv_state_name(s), rw.by_outcome[s]);
            cJSON *x = cJSON_AddObjectToObject(bod, rv_state_name(s));
            for (int k = 0; k < 3; k++)
                cscli_json_int(x, rv_dislike_name((Cs__V1__DislikeKind)k), rw.by_outcome_dislike[s][k]);
            x = cJSON_AddObjectToObject(bor, rv_state_name(s));
            cscli_json_int(x, "neutral", rw.by_outcome_rating[s][0]);
            cscli_json_int(x, "negative", rw.by_outcome_rating[s][1]);
        }
        cJSON *bd = cJSON_AddObjectToObject(j, "by_dislike");
        for (int k = 0; k < 3; k++) cscli_json_int(bd, rv_dislike_name((Cs__V1__DislikeKind)k), rw.by_dislike[k]);
        j = cJSON_AddObjectToObject(o, "costs");
        costJson(cJSON_AddObjectToObject(j, "total"), &total);
        cJSON *a = cJSON_AddArrayToObject(j, "by_case");
        for (int t = 0; t < NTYPES; t++)
            for (int r = 0; r < NREASONS; r++) {
                if (costEmpty(&lines[t][r])) continue;
                cJSON *x = cJSON_CreateObject();
                cJSON_AddStringToObject(x, "type", rf_type_name((Cs__V1__CaseType)t));
                cJSON_AddStringToObject(x, "reason", rf_reason_name((Cs__V1__CaseReason)r));
                costJson(x, &lines[t][r]);
                cJSON_AddItemToArray(a, x);
            }
        j = cJSON_AddObjectToObject(o, "metrics_30d");
        cscli_json_int(j, "window_start_ms", wstart);
        cscli_json_int(j, "window_end_ms", end);
        cscli_json_int(j, "product_experience_refund_bp", mx.product_experience_refund_bp);
        cscli_json_int(j, "refund_only_mean_ms", mx.refund_only_mean_ms);
        cscli_json_int(j, "return_refund_mean_ms", mx.return_refund_mean_ms);
        cscli_json_int(j, "dispute_refund_bp", mx.dispute_refund_bp);
        cJSON *k = cJSON_AddObjectToObject(j, "counts");
        cscli_json_int(k, "quality_refund_orders", counts.quality_refund_orders);
        cscli_json_int(k, "closed_orders", counts.closed_orders);
        cscli_json_int(k, "refund_only_done", counts.refund_only_done);
        cscli_json_int(k, "return_refund_done", counts.return_refund_done);
        cscli_json_int(k, "seller_dispute_refunds", counts.seller_dispute_refunds);
        cscli_json_int(k, "paid_orders", counts.paid_orders);
        cJSON_AddItemToArray(arr, o);
    } else {
        FILE *out = c->out;
        char a[16], b[16];
        cs_day_format(first, a, sizeof a);
        cs_day_format(last, b, sizeof b);
        fprintf(out, "Weekly report %s (Sun) .. %s (Sat), shop %s (%s%s)\n", a, b, shop->id, shop->time_zone,
                known ? "" : "; not in the shops file: default settings");
        fprintf(out, "  review outcomes (RV-6): %d closed (neutral %d, negative %d)\n", rw.closed, rw.neutral,
                rw.negative);
        cscli_table *t = cscli_table_new(7);
        cscli_table_row(t, "OUTCOME", "TOTAL", "PRODUCT", "SERVICE", "UNSPECIFIED", "NEUTRAL", "NEGATIVE");
        for (int i = 0; i < NOUTCOMES; i++) {
            rv_state s = outcomes[i];
            char v[6][16];
            snprintf(v[0], 16, "%d", rw.by_outcome[s]);
            snprintf(v[1], 16, "%d", rw.by_outcome_dislike[s][CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT]);
            snprintf(v[2], 16, "%d", rw.by_outcome_dislike[s][CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE]);
            snprintf(v[3], 16, "%d", rw.by_outcome_dislike[s][0]);
            snprintf(v[4], 16, "%d", rw.by_outcome_rating[s][0]);
            snprintf(v[5], 16, "%d", rw.by_outcome_rating[s][1]);
            cscli_table_row(t, rv_state_name(s), v[0], v[1], v[2], v[3], v[4], v[5]);
        }
        cscli_table_print(t, out, "    ");
        cscli_table_free(t);
        fprintf(out, "  after-sales costs (RF-12), count / yuan:\n");
        t = cscli_table_new(7);
        cscli_table_row(t, "TYPE", "REASON", "REFUNDS", "POSTAGE", "EX-7 COMP.", "RF-10 PARTIAL", "GIFTS");
        for (int ty = 0; ty < NTYPES; ty++)
            for (int r = 0; r < NREASONS; r++)
                if (!costEmpty(&lines[ty][r]))
                    costRow(t, rf_type_name((Cs__V1__CaseType)ty), rf_reason_name((Cs__V1__CaseReason)r),
                            &lines[ty][r]);
        costRow(t, "total", "", &total);
        cscli_table_print(t, out, "    ");
        cscli_table_free(t);
        char d1[32], d2[32];
        fmtDuration(mx.refund_only_mean_ms, d1, sizeof d1);
        fmtDuration(mx.return_refund_mean_ms, d2, sizeof d2);
        fprintf(out, "  30-day metrics (RF-12) as of the week's end:\n");
        fprintf(out,
                "    product-experience refund rate  %" PRId64 ".%02" PRId64 " %% (%" PRId64 " / %" PRId64
                " closed orders)\n",
                mx.product_experience_refund_bp / 100, mx.product_experience_refund_bp % 100,
                counts.quality_refund_orders, counts.closed_orders);
        fprintf(out, "    refund-only completion          %s (%" PRId64 " refunded)\n", d1, counts.refund_only_done);
        fprintf(out, "    return-and-refund completion    %s (%" PRId64 " refunded)\n", d2, counts.return_refund_done);
        fprintf(out,
                "    dispute refund rate             %" PRId64 ".%02" PRId64 " %% (%" PRId64 " / %" PRId64
                " paid orders)\n",
                mx.dispute_refund_bp / 100, mx.dispute_refund_bp % 100, counts.seller_dispute_refunds,
                counts.paid_orders);
    }
out:
    for (size_t i = 0; i < nrc; i++) cs__v1__review_case_state__free_unpacked(rst[i], NULL);
    free(rst);
    free(rc);
    PQclear(rr);
    PQclear(cr);
    PQclear(orr);
    casesFree(&ac);
}

/* ---- the command -------------------------------------------------------------------------- */

int cscli_cmd_report(cscli *c, int argc, char **argv) {
    bool help = false, json = false;
    const char *date = NULL, *week = NULL, *shop_id = NULL;
    const cscli_opt opts[] = {{"--json", &json, NULL},
                              {"--help", &help, NULL},
                              {"--date", NULL, &date},
                              {"--week-ending", NULL, &week},
                              {"--shop", NULL, &shop_id}};
    const char *pos[2];
    int npos;
    char err[1024];
    int rc = cscli_parse_args(argc - 1, argv + 1, opts, sizeof opts / sizeof opts[0], pos, 2, &npos, err, sizeof err);
    c->json |= json;
    if (rc != 0) return cscli_usage_error(c, report_usage, "report: %s", err);
    if (help) {
        fputs(report_usage, c->out);
        return CSCLI_OK;
    }
    if (npos != 1 || (strcmp(pos[0], "daily") != 0 && strcmp(pos[0], "weekly") != 0))
        return cscli_usage_error(c, report_usage, "report: which report? (daily or weekly)");
    bool isDaily = strcmp(pos[0], "daily") == 0;
    if (isDaily && week) return cscli_usage_error(c, report_usage, "report daily: --week-ending is for weekly");
    if (!isDaily && date)
        return cscli_usage_error(c, report_usage, "report weekly: --date is for daily (--week-ending)");
    cs_day day = 0;
    if (date && parseDate(date, &day) != 0)
        return cscli_usage_error(c, report_usage, "report daily: --date needs YYYY-MM-DD, got '%s'", date);
    if (week && parseDate(week, &day) != 0)
        return cscli_usage_error(c, report_usage, "report weekly: --week-ending needs YYYY-MM-DD, got '%s'", week);
    if (week && cs_day_weekday(day) != 6)
        return cscli_usage_error(c, report_usage, "report weekly: --week-ending must be a Saturday, %s is not", week);
    if ((rc = cscli_load_config(c)) != CSCLI_OK) return rc;

    char shops_err[512];
    cs_shops *shops = cs_shops_load(c->cfg.shops_file, shops_err, sizeof shops_err);
    if (!shops && !shop_id)
        return cscli_fail(c, CSCLI_USAGE, "report: no --shop and the shops file does not load: %s", shops_err);
    size_t nshops = shop_id ? 1 : cs_shops_count(shops);

    /* today, when no date is given, by the business clock (CS_CLOCK) */
    int64_t now = 0;
    if (!date && !week) {
        cs_clock *clk = cs_clock_new(c->cfg.clock, c->cfg.redis_url, c->cfg.pg_dsn, err, sizeof err);
        if (!clk || cs_clock_now(clk, &now) != 0) {
            cs_clock_free(clk);
            cs_shops_free(shops);
            return cscli_fail(c, CSCLI_BACKEND, "report: cannot read the business clock (CS_CLOCK=%s)%s%s",
                              c->cfg.clock, clk ? "" : ": ", clk ? "" : err);
        }
        cs_clock_free(clk);
    }

    rpDb db = {0};
    db.pg = cscli_pg_connect(c, err, sizeof err);
    if (!db.pg) {
        cs_shops_free(shops);
        return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL unreachable: %s", err);
    }
    PQclear(rpQuery(&db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL));

    cJSON *doc = c->json ? cJSON_CreateObject() : NULL;
    cJSON *arr = NULL;
    if (doc) {
        cJSON_AddStringToObject(doc, "report", pos[0]);
        arr = cJSON_AddArrayToObject(doc, "shops");
    }
    rc = CSCLI_OK;
    for (size_t i = 0; i < nshops && !db.err[0]; i++) {
        rpShop s;
        if (rpShopFor(&s, shops, shop_id ? shop_id : cs_shops_at(shops, i)->id, err, sizeof err) != 0) {
            rc = cscli_fail(c, CSCLI_USAGE, "report: %s", err);
            break;
        }
        const cs_shop *sh = s.shop;
        if (i && !c->json) fputc('\n', c->out);
        if (isDaily) {
            daily(c, &db, sh, s.known, date ? day : cs_tz_day(sh->tz, now), arr);
        } else {
            int64_t start, end;
            if (week) {
                start = cs_tz_instant(sh->tz, day - 6, 0);
                end = cs_tz_instant(sh->tz, day + 1, 0);
            } else {
                rf12_summary_week(sh, now, &start, &end);
            }
            weekly(c, &db, sh, s.known, start, end, arr);
        }
        rpShopDone(&s);
    }
    if (rc == CSCLI_OK && db.err[0]) rc = cscli_fail(c, CSCLI_BACKEND, "PostgreSQL: %s", db.err);
    if (doc) {
        if (rc == CSCLI_OK)
            cscli_print_json(c, doc);
        else
            cJSON_Delete(doc);
    }
    PQfinish(db.pg);
    cs_shops_free(shops);
    return rc;
}
