/* it_cscli_cases.c -- `cscli cases list / show`, `cscli finance list` and
 * `cscli decisions list` against the real PostgreSQL, on rows the test
 * writes as the workers would: an after-sales case (doc a packed
 * cs.v1.RefundCaseState) and a review case (cs.v1.ReviewCaseState) of one
 * order, the order's tasks, a finance request, a message, a decision and
 * the case's timers (pending, fired, cancelled), plus a timer of another
 * case that must not show. Every command runs as the real binary; the
 * --json documents are parsed and their values checked, the human output
 * is checked for the yuan amounts, the zone's times and masked numbers.
 * The rows carry the run id and are deleted at the end (the pending timer
 * is due in 2100 and never fires meanwhile). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>

#include "cs/v1/state.pb-c.h"
#include "it.h"

#define SHOP "tb-demo"
#define BASE 1772330400000LL /* 2026-03-01T10:00:00+08:00 */
#define MIN 60000LL
#define PHONE "13800138000"

static int insertCase(const char *shop, const char *kind, const char *case_id, const char *order, const char *stage,
                      long long opened, long long closed, const uint8_t *doc, size_t len) {
    char *hex = it_hex(doc, len), closed_s[32];
    if (closed)
        snprintf(closed_s, sizeof closed_s, "%lld", closed);
    else
        snprintf(closed_s, sizeof closed_s, "NULL");
    int rc = it_pg_exec("INSERT INTO cases (shop_id, case_id, kind, order_id, stage, opened_ms, closed_ms, updated_ms, "
                        "doc) VALUES ('%s', '%s', '%s', '%s', '%s', %lld, %s, %lld, decode('%s', 'hex'))",
                        shop, case_id, kind, order, stage, opened, closed_s, closed ? closed : opened + MIN, hex);
    free(hex);
    return rc;
}

/* The rows of one run: an after-sales case (closed, refunded) and a review
 * case (open) of order, and what was done about them. */
static bool seed(const char *run, const char *order, const char *kase, const char *review) {
    Cs__V1__RefundCaseState rs = CS__V1__REFUND_CASE_STATE__INIT;
    rs.exists = true;
    rs.case_id = (char *)kase;
    rs.order_id = (char *)order;
    rs.sku = (char *)"SKU-CLI";
    rs.agent = (char *)"小王";
    rs.refund_account = (char *)"alipay " PHONE;
    rs.type = CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY;
    rs.reason = CS__V1__CASE_REASON__CASE_REASON_QUALITY;
    rs.stage = CS__V1__CASE_STAGE__CASE_STAGE_CLOSED;
    rs.registered_ms = BASE;
    rs.requested_ms = BASE;
    rs.agreed_ms = BASE + 10 * MIN;
    rs.refunded_ms = BASE + 30 * MIN;
    rs.last_event_ms = BASE + 60 * MIN;
    rs.last_event_id = (char *)"ev-closed";
    rs.amount_fen = 2999;
    rs.postage_paid_fen = 800;
    rs.has_photo = true;
    uint8_t buf[1024];
    size_t n = cs__v1__refund_case_state__pack(&rs, buf);
    if (insertCase(SHOP, "aftersales", kase, order, "closed", BASE, BASE + 60 * MIN, buf, n) != 0) return false;

    Cs__V1__ReviewCaseState vs = CS__V1__REVIEW_CASE_STATE__INIT;
    vs.exists = true;
    vs.review_id = (char *)review;
    vs.order_id = (char *)order;
    vs.buyer_id = (char *)"buyer-cli";
    vs.buyer_phone = (char *)PHONE;
    vs.sku = (char *)"SKU-CLI";
    vs.rating = CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE;
    vs.dislike = CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE;
    vs.posted_ms = BASE + 2 * MIN;
    vs.item_price_fen = 1990;
    vs.calls = 1;
    vs.sms_days = 0x6; /* day 2 and day 3 */
    vs.state = 1;
    n = cs__v1__review_case_state__pack(&vs, buf);
    if (insertCase(SHOP, "review", review, order, "open", BASE + 3 * MIN, 0, buf, n) != 0) return false;
    /* the same review id in another shop: `show` without --shop is ambiguous */
    if (insertCase("tm-demo", "review", review, order, "open", BASE + 3 * MIN, 0, buf, n) != 0) return false;

    return it_pg_exec("INSERT INTO tasks (shop_id, task_id, order_id, kind, rule, summary, shift, urgent, created_ms, "
                      "closed_ms, assignee) VALUES ('%s', '%s-t1/task/0/RF-5', '%s', 'TASK_KIND_AFTERSALES', 'RF-5', "
                      "'ask for a photo', 'early', true, %lld, %lld, NULL)",
                      SHOP, run, order, BASE + 1 * MIN, BASE + 9 * MIN) == 0 &&
           it_pg_exec("INSERT INTO finance_requests (shop_id, request_id, order_id, kind, amount_fen, rule, reason, "
                      "created_ms, agent, buyer_id, refund_account) VALUES ('%s', '%s-r/finance/0/refund', '%s', "
                      "'refund', 2999, 'RF-7', 'quality: refund only', %lld, '小王', 'buyer-cli', 'alipay " PHONE "')",
                      SHOP, run, order, BASE + 30 * MIN) == 0 &&
           it_pg_exec("INSERT INTO decisions (shop_id, decision_id, case_id, order_id, verdict, amount_fen, reason, "
                      "rule, decided_ms) VALUES ('%s', '%s-a/decision', '%s', '%s', 'AGREE', 2999, "
                      "'promotion: refund only, unshipped', 'RF-9', %lld)",
                      SHOP, run, kase, order, BASE + 5 * MIN) == 0 &&
           it_pg_exec("INSERT INTO messages (shop_id, idempotency_key, order_id, to_addr, channel, class, template, "
                      "rule, status, reason, requested_ms, sent_ms, updated_ms, request) VALUES ('%s', "
                      "'%s-a/note/0/rf_agreed', '%s', '" PHONE "', 'SMS', 'SERVICE', 'rf_agreed', 'RF-8', 'sent', '', "
                      "%lld, %lld, %lld, '')",
                      SHOP, run, order, BASE + 11 * MIN, BASE + 11 * MIN, BASE + 11 * MIN) == 0 &&
           it_pg_exec("INSERT INTO timers (owner, timer_id, order_key, kind, due_ms, status) VALUES "
                      "('refund-notifier', 'rf2.escalate@%s:%s', '%s:%s', 'rf2.escalate', 4102444800000, 'pending'), "
                      "('refund-notifier', 'rf2.ship@%s:%s', '%s:%s', 'rf2.ship', %lld, 'fired'), "
                      "('refund-notifier', 'rf2.resolve@%s:%s', '%s:%s', 'rf2.resolve', %lld, 'cancelled'), "
                      "('refund-notifier', 'rf2.resolve@%s:%sX', '%s:%s', 'rf2.resolve', %lld, 'cancelled')",
                      SHOP, kase, SHOP, order, SHOP, kase, SHOP, order, BASE + 20 * MIN, SHOP, kase, SHOP, order,
                      BASE + 7 * 1440 * MIN, SHOP, kase, SHOP, order, BASE) == 0;
}

static void unseed(const char *run, const char *order, const char *kase) {
    it_pg_exec("DELETE FROM cases WHERE order_id = '%s'", order);
    it_pg_exec("DELETE FROM tasks WHERE shop_id = '%s' AND order_id = '%s'", SHOP, order);
    it_pg_exec("DELETE FROM finance_requests WHERE shop_id = '%s' AND order_id = '%s'", SHOP, order);
    it_pg_exec("DELETE FROM decisions WHERE shop_id = '%s' AND order_id = '%s'", SHOP, order);
    it_pg_exec("DELETE FROM messages WHERE shop_id = '%s' AND order_id = '%s'", SHOP, order);
    it_pg_exec("DELETE FROM timers WHERE owner = 'refund-notifier' AND order_key = '%s:%s'", SHOP, order);
    (void)run, (void)kase;
}

static void test_cscli_cases_list_filters_by_order_kind_and_open(void) {
    char run[32], order[96], kase[96], review[96];
    it_run_id(run, sizeof run);
    snprintf(order, sizeof order, "CLI-%s", run);
    snprintf(kase, sizeof kase, "CASE-%s", run);
    snprintf(review, sizeof review, "REV-%s", run);
    IT_REQUIRE(seed(run, order, kase, review));
    int rc = -1;
    cJSON *doc = it_cscli_json(&rc, "cases list --order " SHOP ":%s", order);
    CT_EQ_INT(rc, 0);
    CT_EQ_INT(it_jint(doc, "count"), 2);
    const cJSON *it_;
    int seen = 0;
    cJSON_ArrayForEach(it_, cJSON_GetObjectItem(doc, "cases")) {
        if (it_jstr(it_, "case_id") && strcmp(it_jstr(it_, "case_id"), kase) == 0) {
            seen++;
            CT_EQ_STR(it_jstr(it_, "kind"), "aftersales");
            CT_EQ_STR(it_jstr(it_, "stage"), "closed");
            CT_EQ_STR(it_jstr(it_, "order_id"), order);
            CT_EQ_INT(it_jint(it_, "opened_ms"), BASE);
            CT_EQ_INT(it_jint(it_, "closed_ms"), BASE + 60 * MIN);
            CT_EQ_INT(it_jint(it_, "updated_ms"), BASE + 60 * MIN);
        } else {
            seen += 10;
            CT_EQ_STR(it_jstr(it_, "case_id"), review);
            CT_EQ_STR(it_jstr(it_, "kind"), "review");
            CT_CHECK(cJSON_IsNull(cJSON_GetObjectItem(it_, "closed_ms")));
        }
    }
    CT_EQ_INT(seen, 11);
    cJSON_Delete(doc);

    doc = it_cscli_json(&rc, "cases list --open --order " SHOP ":%s", order);
    CT_EQ_INT(rc, 0);
    CT_EQ_INT(it_jint(doc, "count"), 1);
    CT_EQ_STR(it_jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "cases"), 0), "case_id"), review);
    cJSON_Delete(doc);
    doc = it_cscli_json(&rc, "cases list --kind aftersales --shop " SHOP " --order " SHOP ":%s", order);
    CT_EQ_INT(rc, 0);
    CT_EQ_INT(it_jint(doc, "count"), 1);
    CT_EQ_STR(it_jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "cases"), 0), "case_id"), kase);
    cJSON_Delete(doc);

    /* for people: one line per case, times in the zone asked */
    char args[512];
    snprintf(args, sizeof args, "cases list --tz Asia/Shanghai --order " SHOP ":%s", order);
    CT_EQ_INT(it_cscli(args), 0);
    CT_CHECK(strstr(it_cscli_out, kase) && strstr(it_cscli_out, review));
    CT_CHECK(strstr(it_cscli_out, "2026-03-01T10:00:00") != NULL);
    CT_CHECK(strstr(it_cscli_out, "2 rows") != NULL);
    unseed(run, order, kase);
}

static void test_cscli_finance_and_decisions_list_every_field(void) {
    char run[32], order[96], kase[96], review[96], want[160];
    it_run_id(run, sizeof run);
    snprintf(order, sizeof order, "CLI-%s", run);
    snprintf(kase, sizeof kase, "CASE-%s", run);
    snprintf(review, sizeof review, "REV-%s", run);
    IT_REQUIRE(seed(run, order, kase, review));
    int rc = -1;
    cJSON *doc = it_cscli_json(&rc, "finance list --order " SHOP ":%s", order);
    CT_EQ_INT(rc, 0);
    CT_EQ_INT(it_jint(doc, "count"), 1);
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "finance"), 0);
    snprintf(want, sizeof want, "%s-r/finance/0/refund", run);
    CT_EQ_STR(it_jstr(f, "request_id"), want);
    CT_EQ_STR(it_jstr(f, "shop_id"), SHOP);
    CT_EQ_STR(it_jstr(f, "order_id"), order);
    CT_EQ_STR(it_jstr(f, "kind"), "refund");
    CT_EQ_INT(it_jint(f, "amount_fen"), 2999);
    CT_EQ_STR(it_jstr(f, "agent"), "小王");
    CT_EQ_STR(it_jstr(f, "buyer_id"), "buyer-cli");
    CT_EQ_STR(it_jstr(f, "refund_account"), "alipay 138****8000"); /* masked, as in the logs */
    CT_EQ_STR(it_jstr(f, "rule"), "RF-7");
    CT_EQ_STR(it_jstr(f, "reason"), "quality: refund only");
    CT_EQ_INT(it_jint(f, "created_ms"), BASE + 30 * MIN);
    cJSON_Delete(doc);
    doc = it_cscli_json(&rc, "finance list --kind compensation --order " SHOP ":%s", order);
    CT_EQ_INT(rc, 0);
    CT_EQ_INT(it_jint(doc, "count"), 0);
    cJSON_Delete(doc);
    char args[512];
    snprintf(args, sizeof args, "finance list --order " SHOP ":%s", order);
    CT_EQ_INT(it_cscli(args), 0);
    CT_CHECK(strstr(it_cscli_out, "29.99") != NULL);
    CT_CHECK(strstr(it_cscli_out, PHONE) == NULL);

    doc = it_cscli_json(&rc, "decisions list --case %s", kase);
    CT_EQ_INT(rc, 0);
    CT_EQ_INT(it_jint(doc, "count"), 1);
    const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "decisions"), 0);
    snprintf(want, sizeof want, "%s-a/decision", run);
    CT_EQ_STR(it_jstr(d, "decision_id"), want);
    CT_EQ_STR(it_jstr(d, "case_id"), kase);
    CT_EQ_STR(it_jstr(d, "order_id"), order);
    CT_EQ_STR(it_jstr(d, "verdict"), "AGREE");
    CT_EQ_INT(it_jint(d, "amount_fen"), 2999);
    CT_EQ_STR(it_jstr(d, "rule"), "RF-9");
    CT_EQ_INT(it_jint(d, "decided_ms"), BASE + 5 * MIN);
    cJSON_Delete(doc);
    snprintf(args, sizeof args, "decisions list --case %s", kase);
    CT_EQ_INT(it_cscli(args), 0);
    CT_CHECK(strstr(it_cscli_out, "AGREE") && strstr(it_cscli_out, "29.99") && strstr(it_cscli_out, "RF-9"));
    unseed(run, order, kase);
}

static void test_cscli_cases_show_case_timeline_timers_messages(void) {
    char run[32], order[96], kase[96], review[96], args[512];
    it_run_id(run, sizeof run);
    snprintf(order, sizeof order, "CLI-%s", run);
    snprintf(kase, sizeof kase, "CASE-%s", run);
    snprintf(review, sizeof review, "REV-%s", run);
    IT_REQUIRE(seed(run, order, kase, review));
    int rc = -1;
    cJSON *doc = it_cscli_json(&rc, "cases show %s", kase);
    CT_EQ_INT(rc, 0);
    IT_REQUIRE(doc != NULL);
    CT_EQ_STR(it_jstr(doc, "shop_id"), SHOP);
    CT_EQ_STR(it_jstr(doc, "kind"), "aftersales");
    CT_EQ_STR(it_jstr(doc, "order_id"), order);
    CT_EQ_STR(it_jstr(doc, "stage"), "closed");
    CT_CHECK(cJSON_IsFalse(cJSON_GetObjectItem(doc, "open")));
    const cJSON *st = cJSON_GetObjectItem(doc, "doc");
    CT_EQ_STR(it_jstr(st, "type"), "REFUND_ONLY");
    CT_EQ_STR(it_jstr(st, "reason"), "QUALITY");
    CT_EQ_STR(it_jstr(st, "stage"), "CLOSED");
    CT_EQ_STR(it_jstr(st, "agent"), "小王");
    CT_EQ_STR(it_jstr(st, "refund_account"), "alipay 138****8000");
    CT_EQ_INT(it_jint(st, "amount_fen"), 2999);
    CT_EQ_INT(it_jint(st, "postage_paid_fen"), 800);
    CT_EQ_INT(it_jint(st, "agreed_ms"), BASE + 10 * MIN);
    CT_CHECK(cJSON_IsTrue(cJSON_GetObjectItem(st, "has_photo")));

    /* the timeline: in time order, every source once */
    const char *want[] = {"registered", "requested",   "task",     "decision", "task closed", "agreed",
                          "message",    "timer fired", "refunded", "finance",  "closed"};
    const int64_t at[] = {BASE,
                          BASE,
                          BASE + MIN,
                          BASE + 5 * MIN,
                          BASE + 9 * MIN,
                          BASE + 10 * MIN,
                          BASE + 11 * MIN,
                          BASE + 20 * MIN,
                          BASE + 30 * MIN,
                          BASE + 30 * MIN,
                          BASE + 60 * MIN};
    const cJSON *tl = cJSON_GetObjectItem(doc, "timeline");
    CT_EQ_INT(cJSON_GetArraySize(tl), (int)(sizeof want / sizeof want[0]));
    long long prev = 0;
    for (int i = 0; i < cJSON_GetArraySize(tl) && i < (int)(sizeof want / sizeof want[0]); i++) {
        const cJSON *e = cJSON_GetArrayItem(tl, i);
        CT_EQ_STR(it_jstr(e, "what"), want[i]);
        CT_EQ_INT(it_jint(e, "ms"), at[i]);
        CT_CHECK(it_jint(e, "ms") >= prev);
        prev = it_jint(e, "ms");
    }
    CT_EQ_INT(it_jcount(doc, "tasks"), 1);
    CT_EQ_INT(it_jcount(doc, "finance"), 1);
    CT_EQ_INT(it_jcount(doc, "decisions"), 1);
    /* its three timers, soonest first; the other case's is not one */
    const cJSON *tm = cJSON_GetObjectItem(doc, "timers");
    CT_EQ_INT(cJSON_GetArraySize(tm), 3);
    CT_EQ_STR(it_jstr(cJSON_GetArrayItem(tm, 0), "status"), "fired");
    CT_EQ_STR(it_jstr(cJSON_GetArrayItem(tm, 1), "status"), "cancelled");
    CT_EQ_STR(it_jstr(cJSON_GetArrayItem(tm, 2), "status"), "pending");
    CT_EQ_STR(it_jstr(cJSON_GetArrayItem(tm, 2), "kind"), "rf2.escalate");
    CT_EQ_INT(it_jint(cJSON_GetArrayItem(tm, 2), "due_ms"), 4102444800000LL);
    const cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "messages"), 0);
    CT_EQ_INT(it_jcount(doc, "messages"), 1);
    CT_EQ_STR(it_jstr(m, "template"), "rf_agreed");
    CT_EQ_STR(it_jstr(m, "status"), "sent");
    CT_EQ_STR(it_jstr(m, "to"), "138****8000");
    cJSON_Delete(doc);

    /* for people: yuan, the shop's zone, masked numbers, the sections */
    snprintf(args, sizeof args, "cases show %s --shop " SHOP, kase);
    CT_EQ_INT(it_cscli(args), 0);
    CT_CHECK(strstr(it_cscli_out, "29.99 CNY") != NULL);
    CT_CHECK(strstr(it_cscli_out, "REFUND_ONLY") != NULL);
    CT_CHECK(strstr(it_cscli_out, "小王") != NULL);
    CT_CHECK(strstr(it_cscli_out, "2026-03-01T10:00:00") != NULL); /* tb-demo is Asia/Shanghai */
    CT_CHECK(strstr(it_cscli_out, "Timeline") && strstr(it_cscli_out, "Timers") && strstr(it_cscli_out, "Messages"));
    CT_CHECK(strstr(it_cscli_out, "rf2.escalate") != NULL);
    CT_CHECK(strstr(it_cscli_out, PHONE) == NULL);

    /* the review case: in two shops, so --shop picks it */
    snprintf(args, sizeof args, "cases show %s", review);
    CT_EQ_INT(it_cscli(args), 2);
    doc = it_cscli_json(&rc, "cases show %s --shop " SHOP, review);
    CT_EQ_INT(rc, 0);
    st = cJSON_GetObjectItem(doc, "doc");
    CT_EQ_STR(it_jstr(doc, "kind"), "review");
    CT_CHECK(cJSON_IsTrue(cJSON_GetObjectItem(doc, "open")));
    CT_EQ_STR(it_jstr(st, "rating"), "NEGATIVE");
    CT_EQ_STR(it_jstr(st, "dislike"), "SERVICE");
    CT_EQ_STR(it_jstr(st, "buyer_phone"), "138****8000");
    CT_EQ_INT(it_jint(st, "item_price_fen"), 1990);
    CT_EQ_INT(it_jcount(st, "sms_days"), 2);
    CT_EQ_STR(it_jstr(st, "state"), "open");
    /* its own times, and the order's task (the order's, whichever case) */
    const cJSON *rt = cJSON_GetObjectItem(doc, "timeline");
    CT_EQ_INT(cJSON_GetArraySize(rt), 6); /* + task closed, message, finance */
    CT_EQ_STR(it_jstr(cJSON_GetArrayItem(rt, 0), "what"), "task");
    CT_EQ_STR(it_jstr(cJSON_GetArrayItem(rt, 1), "what"), "review posted");
    CT_EQ_INT(it_jint(cJSON_GetArrayItem(rt, 1), "ms"), BASE + 2 * MIN);
    CT_EQ_STR(it_jstr(cJSON_GetArrayItem(rt, 2), "what"), "opened");
    CT_EQ_INT(it_jcount(doc, "timers"), 0);
    CT_EQ_INT(it_jcount(doc, "decisions"), 0);
    cJSON_Delete(doc);

    /* no such case: exit 1 */
    doc = it_cscli_json(&rc, "cases show NOPE-%s", run);
    CT_EQ_INT(rc, 1);
    CT_EQ_INT(it_jint(cJSON_GetObjectItem(doc, "error"), "code"), 1);
    cJSON_Delete(doc);
    unseed(run, order, kase);
}

IT_MAIN(CT_CASE(test_cscli_cases_list_filters_by_order_kind_and_open),
        CT_CASE(test_cscli_finance_and_decisions_list_every_field),
        CT_CASE(test_cscli_cases_show_case_timeline_timers_messages))
