/* it_cscli_report.c -- `cscli report daily|weekly` against the real
 * PostgreSQL, on rows the test writes as the workers would, for a shop of
 * its own ("rp-<run id>": not in the shops file, so the default zone
 * Asia/Shanghai and the handbook's thresholds apply, which the report
 * says). Every count is known: the --json documents are parsed and each
 * value checked, rows just outside the day, the week or the 30-day window
 * included to show they are left out. Rows are deleted at the end.
 *
 *   daily 2026-03-04 (a Wednesday): verdicts, exceptions (one overdue),
 *     after-sales cases by type, messages by fate, an SLA breach, missed
 *     orders (OV-13), SKUs on quality watch (OV-11), and the shop's 4th
 *     dispute of March: the RF-11 alert line.
 *   weekly ending 2026-03-07: RV-6 outcomes by dislike and rating, the
 *     RF-12 cost summary by case type and reason (refund, postage, EX-7
 *     compensation, RF-10 partial refund and gift) and the 30-day
 *     metrics. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>

#include "cs/v1/state.pb-c.h"
#include "it.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define MAR1 1772294400000LL /* 2026-03-01T00:00:00+08:00, a Sunday */
#define D0 (MAR1 + 3 * DAY)  /* 2026-03-04T00:00+08:00, the daily report's day */
#define T(x) CS__V1__CASE_TYPE__CASE_TYPE_##x
#define R(x) CS__V1__CASE_REASON__CASE_REASON_##x
#define S(x) CS__V1__CASE_STAGE__CASE_STAGE_##x

static char shop[64];

static const cJSON *obj(const cJSON *o, const char *name) { return cJSON_GetObjectItemCaseSensitive(o, name); }

/* The one shop section of a report document. */
static const cJSON *shopOf(const cJSON *doc) {
    const cJSON *a = obj(doc, "shops");
    return cJSON_IsArray(a) && cJSON_GetArraySize(a) == 1 ? cJSON_GetArrayItem(a, 0) : NULL;
}

/* An after-sales case row: its document, opened and closed columns, saved
 * at updated. */
static int aftersales(const char *id, const char *order, Cs__V1__CaseType type, Cs__V1__CaseReason reason,
                      Cs__V1__CaseStage stage, long long registered, long long refunded, long long refund_fen,
                      long long postage_fen, long long intervened, int remedy, long long last_event) {
    Cs__V1__RefundCaseState rs = CS__V1__REFUND_CASE_STATE__INIT;
    rs.exists = true;
    rs.case_id = (char *)id;
    rs.order_id = (char *)order;
    rs.type = type;
    rs.reason = reason;
    rs.stage = stage;
    rs.registered_ms = registered;
    rs.requested_ms = registered;
    rs.refunded_ms = refunded;
    rs.refund_fen = refund_fen;
    rs.amount_fen = refund_fen;
    rs.postage_fen = postage_fen;
    rs.postage_ms = postage_fen ? refunded : 0;
    rs.intervened_ms = intervened;
    rs.remedy = remedy;
    rs.last_event_ms = last_event;
    uint8_t buf[1024];
    size_t n = cs__v1__refund_case_state__pack(&rs, buf);
    char *hex = it_hex(buf, n), closed[32] = "NULL";
    if (stage == S(CLOSED)) snprintf(closed, sizeof closed, "%lld", last_event);
    int rc = it_pg_exec("INSERT INTO cases (shop_id, case_id, kind, order_id, stage, opened_ms, closed_ms, updated_ms, "
                        "doc) VALUES ('%s', '%s', 'aftersales', '%s', 'x', %lld, %s, %lld, decode('%s', 'hex'))",
                        shop, id, order, registered, closed, last_event, hex);
    free(hex);
    return rc;
}

static int review(const char *id, Cs__V1__ReviewRating rating, Cs__V1__DislikeKind dislike, int state,
                  long long closed) {
    Cs__V1__ReviewCaseState vs = CS__V1__REVIEW_CASE_STATE__INIT;
    vs.exists = true;
    vs.review_id = (char *)id;
    vs.order_id = (char *)id;
    vs.rating = rating;
    vs.dislike = dislike;
    vs.posted_ms = closed - 2 * DAY;
    vs.state = state;
    vs.closed_ms = closed;
    uint8_t buf[512];
    size_t n = cs__v1__review_case_state__pack(&vs, buf);
    char *hex = it_hex(buf, n);
    int rc = it_pg_exec("INSERT INTO cases (shop_id, case_id, kind, order_id, stage, opened_ms, closed_ms, updated_ms, "
                        "doc) VALUES ('%s', '%s', 'review', '%s', 'x', %lld, %lld, %lld, decode('%s', 'hex'))",
                        shop, id, id, closed - 2 * DAY, closed, closed, hex);
    free(hex);
    return rc;
}

/* An order row paid at paid whose document says closed at closed (0 = not). */
static int order(const char *id, long long paid, long long closed) {
    Cs__V1__OrderState st = CS__V1__ORDER_STATE__INIT;
    st.created = true;
    st.closed_ms = closed;
    uint8_t buf[256];
    size_t n = cs__v1__order_state__pack(&st, buf);
    char *hex = it_hex(buf, n);
    int rc = it_pg_exec("INSERT INTO orders (shop_id, order_id, version, state, created_ms, paid_ms, doc) VALUES "
                        "('%s', '%s', 1, 'VERIFIED', %lld, %lld, decode('%s', 'hex'))",
                        shop, id, paid - HOUR, paid, hex);
    free(hex);
    return rc;
}

static int message(const char *key, const char *status, long long requested, long long sent, long long updated) {
    char sent_s[32] = "NULL";
    if (sent) snprintf(sent_s, sizeof sent_s, "%lld", sent);
    return it_pg_exec("INSERT INTO messages (shop_id, idempotency_key, order_id, to_addr, channel, class, template, "
                      "status, requested_ms, sent_ms, updated_ms, request) VALUES ('%s', '%s', 'O', '13800138000', "
                      "'SMS', 'SERVICE', 't', '%s', %lld, %s, %lld, '')",
                      shop, key, status, requested, sent_s, updated);
}

static bool seedDaily(void) {
    bool ok = true;
    /* verdicts: A twice and B on the day, C the day before */
    ok = ok && it_pg_exec("INSERT INTO verdicts (shop_id, order_id, version, state, reasons, annotations, "
                          "item_total_fen, payable_fen, decided_ms, trigger_event_id) VALUES "
                          "('%s', 'A', 1, 'EXCEPTION', '[]', '[]', 0, 0, %lld, 'e1'), "
                          "('%s', 'A', 2, 'VERIFIED', '[]', '[]', 0, 0, %lld, 'e2'), "
                          "('%s', 'B', 1, 'VERIFIED', '[]', '[]', 0, 0, %lld, 'e3'), "
                          "('%s', 'C', 1, 'VERIFIED', '[]', '[]', 0, 0, %lld, 'e4')",
                          shop, D0 + HOUR, shop, D0 + 2 * HOUR, shop, D0 + DAY - 1, shop, D0 - 1) == 0;
    /* exceptions: X1 opened and closed on the day; X2 opened two days
     * before, still open at the end of its day 3 (the day): overdue; X3
     * opened on the day, open */
    ok = ok && it_pg_exec("INSERT INTO exceptions (shop_id, exception_id, order_id, reasons, opened_ms, local_day, "
                          "escalate_due_ms, breach_due_ms, closed_ms) VALUES "
                          "('%s', 'X1', 'A', 'OUT_OF_STOCK', %lld, 'd', %lld, %lld, %lld), "
                          "('%s', 'X2', 'C', 'OUT_OF_STOCK', %lld, 'd', %lld, %lld, NULL), "
                          "('%s', 'X3', 'B', 'OUT_OF_STOCK', %lld, 'd', %lld, %lld, NULL)",
                          shop, D0 + HOUR, D0 + 2 * DAY, D0 + 3 * DAY, D0 + 5 * HOUR, shop, D0 - 2 * DAY + HOUR, D0,
                          D0 + DAY, shop, D0 + 3 * HOUR, D0 + 2 * DAY, D0 + 3 * DAY) == 0;
    /* after-sales: a refund-only case opened on the day (open), a
     * return-and-refund opened the day before and closed on the day */
    ok = ok && aftersales("K1", "OK1", T(REFUND_ONLY), R(CHANGED_MIND), S(REQUESTED), D0 + HOUR, 0, 0, 0, 0, 0,
                          D0 + HOUR) == 0;
    ok = ok &&
         aftersales("K2", "OK2", T(RETURN_REFUND), R(OTHER), S(CLOSED), D0 - HOUR, 0, 0, 0, 0, 0, D0 + 4 * HOUR) == 0;
    /* messages */
    ok = ok && message("m1", "sent", D0 + HOUR, D0 + HOUR, D0 + HOUR) == 0;
    ok = ok && message("m2", "sent", D0 - 10 * HOUR, D0 + 1, D0 + 1) == 0; /* held overnight, released */
    ok = ok && message("m3", "held", D0 + 22 * HOUR, 0, D0 + 22 * HOUR) == 0;
    ok = ok && message("m4", "suppressed", D0 + HOUR, 0, D0 + HOUR) == 0;
    ok = ok && message("m5", "expired", D0 - HOUR, 0, D0 + 10 * HOUR) == 0;
    ok = ok && message("m6", "cancelled", D0 - HOUR, 0, D0 + 11 * HOUR) == 0;
    ok = ok && message("m7", "sent", D0 - DAY, D0 - DAY, D0 - DAY) == 0; /* the day before */
    ok = ok && it_pg_exec("INSERT INTO sla_breaches (shop_id, subject, subject_id, order_id, rule, deadline_ms, "
                          "breached_ms, detail) VALUES ('%s', 'exception', 'X2', 'C', 'EX-6', %lld, %lld, 'd')",
                          shop, D0, D0 + MIN) == 0;
    /* OV-13: M1 listed twice (two sweeps), M2 once; M3 the day before */
    ok = ok &&
         it_pg_exec("INSERT INTO tasks (shop_id, task_id, order_id, kind, rule, summary, created_ms) VALUES "
                    "('%s', 't1', 'M1', 'TASK_KIND_MISSED_ORDER', 'OV-13', 's', %lld), "
                    "('%s', 't2', 'M1', 'TASK_KIND_MISSED_ORDER', 'OV-13', 's', %lld), "
                    "('%s', 't3', 'M2', 'TASK_KIND_MISSED_ORDER', 'OV-13', 's', %lld), "
                    "('%s', 't4', 'M3', 'TASK_KIND_MISSED_ORDER', 'OV-13', 's', %lld)",
                    shop, D0 + 19 * HOUR, shop, D0 + 19 * HOUR + MIN, shop, D0 + 19 * HOUR, shop, D0 - 5 * HOUR) == 0;
    /* OV-11: SKU-Q 3 cases (delist), SKU-R 2 (test) plus one 31 days old, SKU-S 1 */
    ok = ok && it_pg_exec("INSERT INTO quality_cases (shop_id, case_id, sku, opened_ms) VALUES "
                          "('%s', 'q1', 'SKU-Q', %lld), ('%s', 'q2', 'SKU-Q', %lld), ('%s', 'q3', 'SKU-Q', %lld), "
                          "('%s', 'r1', 'SKU-R', %lld), ('%s', 'r2', 'SKU-R', %lld), ('%s', 'r3', 'SKU-R', %lld), "
                          "('%s', 's1', 'SKU-S', %lld)",
                          shop, D0 - 5 * DAY, shop, D0 - DAY, shop, D0 + HOUR, shop, D0 - 10 * DAY, shop, D0 + HOUR,
                          shop, D0 - 31 * DAY, shop, D0) == 0;
    /* RF-11: three disputes earlier in March, the 4th on the day */
    ok = ok && it_pg_exec("INSERT INTO disputes (shop_id, case_id, order_id, opened_ms, month_start_ms, month_n) "
                          "VALUES ('%s', 'd1', 'o', %lld, %lld, 1), ('%s', 'd2', 'o', %lld, %lld, 2), "
                          "('%s', 'd3', 'o', %lld, %lld, 3), ('%s', 'd4', 'o', %lld, %lld, 4)",
                          shop, MAR1 + HOUR, MAR1, shop, MAR1 + DAY, MAR1, shop, MAR1 + 2 * DAY, MAR1, shop,
                          D0 + 9 * HOUR, MAR1) == 0;
    return ok;
}

static bool seedWeekly(void) {
    const Cs__V1__ReviewRating NEG = CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE;
    const Cs__V1__ReviewRating NEU = CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL;
    const Cs__V1__DislikeKind P = CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT;
    const Cs__V1__DislikeKind V = CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE;
    long long mon = MAR1 + DAY + 10 * HOUR; /* 2026-03-02 10:00 */
    bool ok = true;
    ok = ok && review("V1", NEG, P, 2, mon) == 0;                /* revised */
    ok = ok && review("V2", NEU, V, 3, mon + DAY) == 0;          /* refused */
    ok = ok && review("V3", NEG, P, 4, MAR1 + 7 * DAY - 1) == 0; /* no answer, Saturday 23:59:59.999 */
    ok = ok && review("V4", NEG, P, 2, MAR1 - 1) == 0;           /* the Saturday before */
    /* costs of the week */
    ok = ok && aftersales("C3", "O3", T(RETURN_REFUND), R(QUALITY), S(REFUNDED), mon, mon + DAY, 9900, 1000, mon + HOUR,
                          0, mon + DAY) == 0; /* disputed, then refunded: the seller's */
    ok = ok && aftersales("C4", "O4", T(REFUND_ONLY), R(QUALITY), S(REFUNDED), mon, mon + 2 * HOUR, 500, 0, 0, 1,
                          mon + 2 * HOUR) == 0; /* RF-10 partial refund */
    ok = ok && aftersales("C5", "O5", T(REFUND_ONLY), R(QUALITY), S(CLOSED), mon, 0, 0, 0, 0, 1, mon + 3 * DAY) == 0;
    ok = ok && aftersales("C6", "O6", T(REFUND_ONLY), R(OUT_OF_STOCK), S(REFUNDED), mon, mon + 4 * HOUR, 3000, 0, 0, 0,
                          mon + 4 * HOUR) == 0;
    ok = ok && aftersales("C7", "O7", T(REFUND_ONLY), R(QUALITY), S(REFUNDED), MAR1 - 3 * DAY, MAR1 - DAY, 7777, 0, 0,
                          0, MAR1 - DAY) == 0; /* refunded the week before: in the 30 days, not the week */
    ok = ok && it_pg_exec("INSERT INTO compensations (shop_id, case_id, order_id, refunded_fen, amount_fen, "
                          "created_ms) VALUES ('%s', 'C6', 'O6', 3000, 150, %lld), ('%s', 'CX', 'OX', 100, 5, %lld)",
                          shop, mon + 5 * HOUR, shop, MAR1 + 7 * DAY) == 0; /* CX: the Sunday after */
    /* orders: 5 paid in the window, 4 of them closed in it; one paid long before */
    ok = ok && order("P1", mon, mon + 3 * DAY) == 0 && order("P2", mon, mon + 3 * DAY) == 0 &&
         order("P3", mon, mon + 3 * DAY) == 0 && order("P4", mon, mon + 3 * DAY) == 0 && order("P5", mon, 0) == 0 &&
         order("P6", MAR1 - 60 * DAY, MAR1 + 7 * DAY + HOUR) == 0;
    return ok;
}

static void unseed(void) {
    const char *tables[] = {"verdicts", "exceptions",    "cases",    "messages",      "sla_breaches",
                            "tasks",    "quality_cases", "disputes", "compensations", "orders"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        it_pg_exec("DELETE FROM %s WHERE shop_id = '%s'", tables[i], shop);
}

static void test_rp1_daily_report_counts_the_day_and_raises_the_rf11_alert_line(void) {
    int rc;
    cJSON *doc = it_cscli_json(&rc, "report daily --date 2026-03-04 --shop %s", shop);
    CT_EQ_INT(rc, 0);
    const cJSON *s = shopOf(doc);
    IT_REQUIRE(s != NULL);
    CT_EQ_STR(it_jstr(s, "date"), "2026-03-04");
    CT_EQ_STR(it_jstr(s, "time_zone"), "Asia/Shanghai");
    CT_CHECK(cJSON_IsFalse(obj(s, "shop_known")));
    CT_EQ_INT(it_jint(s, "start_ms"), D0);
    const cJSON *o = obj(s, "orders");
    CT_EQ_INT(it_jint(o, "verified"), 2);
    CT_EQ_INT(it_jint(obj(o, "verdicts"), "VERIFIED"), 2);
    CT_EQ_INT(it_jint(obj(o, "verdicts"), "EXCEPTION"), 1);
    o = obj(s, "exceptions");
    CT_EQ_INT(it_jint(o, "opened"), 2);
    CT_EQ_INT(it_jint(o, "closed"), 1);
    CT_EQ_INT(it_jint(o, "overdue"), 1);
    CT_EQ_INT(it_jint(o, "open_at_end"), 2);
    o = obj(s, "aftersales");
    CT_EQ_INT(it_jint(o, "opened"), 1);
    CT_EQ_INT(it_jint(o, "closed"), 1);
    CT_EQ_INT(it_jint(obj(o, "opened_by_type"), "refund_only"), 1);
    CT_EQ_INT(it_jint(obj(o, "closed_by_type"), "return_refund"), 1);
    /* open at the day's end: K1, and the weekly test's C3, C4, C6, C7
     * (registered 03-02, never closed) and C5 (closed 03-05) */
    CT_EQ_INT(it_jint(o, "open_at_end"), 6);
    o = obj(s, "messages");
    CT_EQ_INT(it_jint(o, "sent"), 2);
    CT_EQ_INT(it_jint(o, "held"), 1);
    CT_EQ_INT(it_jint(o, "suppressed"), 1);
    CT_EQ_INT(it_jint(o, "expired"), 1);
    CT_EQ_INT(it_jint(o, "cancelled"), 1);
    CT_EQ_INT(it_jint(o, "failed"), 0);
    CT_EQ_INT(it_jint(obj(s, "sla_breaches"), "total"), 1);
    CT_EQ_INT(it_jint(obj(obj(s, "sla_breaches"), "by_rule"), "EX-6"), 1);
    o = obj(s, "missed_orders");
    CT_EQ_INT(it_jint(o, "count"), 2);
    CT_EQ_STR(cJSON_GetArrayItem(obj(o, "orders"), 0)->valuestring, "M1");
    const cJSON *q = obj(s, "quality_watch");
    CT_EQ_INT(cJSON_GetArraySize(q), 2);
    CT_EQ_STR(it_jstr(cJSON_GetArrayItem(q, 0), "sku"), "SKU-Q");
    CT_EQ_INT(it_jint(cJSON_GetArrayItem(q, 0), "cases"), 3);
    CT_CHECK(cJSON_IsTrue(obj(cJSON_GetArrayItem(q, 0), "delist")));
    CT_EQ_STR(it_jstr(cJSON_GetArrayItem(q, 1), "sku"), "SKU-R");
    CT_EQ_INT(it_jint(cJSON_GetArrayItem(q, 1), "cases"), 2);
    CT_CHECK(cJSON_IsFalse(obj(cJSON_GetArrayItem(q, 1), "delist")));
    o = obj(s, "disputes");
    CT_EQ_INT(it_jint(o, "opened"), 1);
    CT_EQ_INT(it_jint(o, "month_to_date"), 4);
    CT_CHECK(cJSON_IsTrue(obj(o, "alert")));
    CT_CHECK(cJSON_IsFalse(obj(o, "campaign_barred")));
    CT_EQ_INT(cJSON_GetArraySize(obj(o, "lines")), 1);
    cJSON_Delete(doc);
    /* the day before: three disputes, no alert */
    doc = it_cscli_json(&rc, "report daily --date 2026-03-03 --shop %s", shop);
    CT_EQ_INT(rc, 0);
    s = shopOf(doc);
    IT_REQUIRE(s != NULL);
    CT_EQ_INT(it_jint(obj(s, "disputes"), "month_to_date"), 3);
    CT_CHECK(cJSON_IsFalse(obj(obj(s, "disputes"), "alert")));
    cJSON_Delete(doc);
    /* for people: the alert line */
    char args[256];
    snprintf(args, sizeof args, "report daily --date 2026-03-04 --shop %s", shop);
    CT_EQ_INT(it_cscli(args), 0);
    CT_CHECK(strstr(it_cscli_out, "! RF-11 alert: dispute 4 of 2026-03 (case d4)") != NULL);
}

static void test_rv6_rf12_weekly_report_by_outcome_and_case_with_30_day_metrics(void) {
    int rc;
    cJSON *doc = it_cscli_json(&rc, "report weekly --week-ending 2026-03-07 --shop %s", shop);
    CT_EQ_INT(rc, 0);
    const cJSON *s = shopOf(doc);
    IT_REQUIRE(s != NULL);
    CT_EQ_STR(it_jstr(s, "week_start"), "2026-03-01");
    CT_EQ_STR(it_jstr(s, "week_ending"), "2026-03-07");
    const cJSON *r = obj(s, "reviews");
    CT_EQ_INT(it_jint(r, "closed"), 3);
    CT_EQ_INT(it_jint(r, "negative"), 2);
    CT_EQ_INT(it_jint(r, "neutral"), 1);
    CT_EQ_INT(it_jint(obj(r, "by_outcome"), "revised"), 1);
    CT_EQ_INT(it_jint(obj(r, "by_outcome"), "refused"), 1);
    CT_EQ_INT(it_jint(obj(r, "by_outcome"), "no_answer"), 1);
    CT_EQ_INT(it_jint(obj(obj(r, "by_outcome_dislike"), "revised"), "product"), 1);
    CT_EQ_INT(it_jint(obj(obj(r, "by_outcome_dislike"), "refused"), "service"), 1);
    CT_EQ_INT(it_jint(obj(obj(r, "by_outcome_rating"), "refused"), "neutral"), 1);
    CT_EQ_INT(it_jint(obj(obj(r, "by_outcome_rating"), "no_answer"), "negative"), 1);
    CT_EQ_INT(it_jint(obj(r, "by_dislike"), "product"), 2);
    const cJSON *t = obj(obj(s, "costs"), "total");
    CT_EQ_INT(it_jint(t, "refunds"), 3);
    CT_EQ_INT(it_jint(t, "refunds_fen"), 9900 + 500 + 3000);
    CT_EQ_INT(it_jint(t, "postage_fen"), 1000);
    CT_EQ_INT(it_jint(t, "compensations"), 1);
    CT_EQ_INT(it_jint(t, "compensation_fen"), 150);
    CT_EQ_INT(it_jint(t, "partial_refunds"), 1);
    CT_EQ_INT(it_jint(t, "partial_refund_fen"), 500);
    CT_EQ_INT(it_jint(t, "gifts"), 1);
    const cJSON *by = obj(obj(s, "costs"), "by_case");
    CT_EQ_INT(cJSON_GetArraySize(by), 3);
    int seen = 0;
    for (int i = 0; i < cJSON_GetArraySize(by); i++) {
        const cJSON *l = cJSON_GetArrayItem(by, i);
        const char *ty = it_jstr(l, "type"), *re = it_jstr(l, "reason");
        if (!ty || !re) continue;
        if (strcmp(ty, "return_refund") == 0 && strcmp(re, "quality") == 0) {
            seen++;
            CT_EQ_INT(it_jint(l, "refunds_fen"), 9900);
            CT_EQ_INT(it_jint(l, "postage_fen"), 1000);
        } else if (strcmp(ty, "refund_only") == 0 && strcmp(re, "quality") == 0) {
            seen++;
            CT_EQ_INT(it_jint(l, "refunds_fen"), 500);
            CT_EQ_INT(it_jint(l, "partial_refunds"), 1);
            CT_EQ_INT(it_jint(l, "gifts"), 1);
        } else if (strcmp(ty, "refund_only") == 0 && strcmp(re, "out_of_stock") == 0) {
            seen++;
            CT_EQ_INT(it_jint(l, "refunds_fen"), 3000);
            CT_EQ_INT(it_jint(l, "compensation_fen"), 150);
        }
    }
    CT_EQ_INT(seen, 3);
    const cJSON *m = obj(s, "metrics_30d");
    CT_EQ_INT(it_jint(m, "window_end_ms"), MAR1 + 7 * DAY);
    const cJSON *k = obj(m, "counts");
    CT_EQ_INT(it_jint(k, "quality_refund_orders"), 4); /* O3, O4, O5, O7 */
    CT_EQ_INT(it_jint(k, "closed_orders"), 4);
    CT_EQ_INT(it_jint(k, "paid_orders"), 5);
    CT_EQ_INT(it_jint(k, "refund_only_done"), 3); /* C4, C6, C7 */
    CT_EQ_INT(it_jint(k, "return_refund_done"), 1);
    CT_EQ_INT(it_jint(k, "seller_dispute_refunds"), 1);
    CT_EQ_INT(it_jint(m, "product_experience_refund_bp"), 10000); /* 4 / 4 */
    CT_EQ_INT(it_jint(m, "refund_only_mean_ms"), (2 * HOUR + 4 * HOUR + 2 * DAY) / 3);
    CT_EQ_INT(it_jint(m, "return_refund_mean_ms"), DAY);
    CT_EQ_INT(it_jint(m, "dispute_refund_bp"), 2000); /* 1 / 5 */
    cJSON_Delete(doc);
    /* for people: yuan */
    char args[256];
    snprintf(args, sizeof args, "report weekly --week-ending 2026-03-07 --shop %s", shop);
    CT_EQ_INT(it_cscli(args), 0);
    CT_CHECK(strstr(it_cscli_out, "3 / 134.00") != NULL);
}

int main(int argc, char **argv) {
    (void)argc;
    it_init(argv[0]);
    char run[32];
    it_run_id(run, sizeof run);
    snprintf(shop, sizeof shop, "rp-%s", run);
    int rc = 1;
    if (seedDaily() && seedWeekly()) {
        static const ct_case cases[] = {
            CT_CASE(test_rp1_daily_report_counts_the_day_and_raises_the_rf11_alert_line),
            CT_CASE(test_rv6_rf12_weekly_report_by_outcome_and_case_with_30_day_metrics),
        };
        rc = it_run_cases(cases, sizeof cases / sizeof cases[0]);
    } else {
        fprintf(stderr, "it_cscli_report: seeding failed\n");
    }
    unseed();
    it_shutdown();
    return rc;
}
