/* it_refunds.c -- the refund-notifier against the real stack, its orders
 * made by the real order-verifier:
 *   - in promotion mode (a copy of the sample shops file with tb-demo's
 *     promotion_mode on), a refund-only request on a paid, unshipped order
 *     is auto-agreed (RF-9): the case is stored at its stage, one
 *     decision record goes to cs.decisions.v1 and one row, under the
 *     record's id, to decisions; when the refund is made, exactly one
 *     finance request (kind refund, naming RF-7's agent and buyer) exists
 *     for the case, with the REFUNDED record produced twice and a second
 *     REFUNDED event of another id (RF-7, RF-1);
 *   - events of one case out of order (AGREED, then REQUESTED with an
 *     earlier event time) end in one case at the later stage (RF-1);
 *   - the 4th dispute of a local calendar month in one shop makes exactly
 *     one supervisor alert task, whether its record is produced twice or
 *     the intervention comes again under another event id, and the 5th
 *     makes none (RF-11; table disputes, migration 0014);
 *   - on the Redis clock with the real timer-dispatcher, a case still open
 *     case_deadline_days after its registration gets RF-2's urgent task
 *     and supervisor escalation from its fired timers; a case closed
 *     before then has its timers cancelled and gets neither. This case
 *     runs last and deletes the clock key (real time again). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cs/clock.h"
#include "it.h"

#define KIND(k) CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_##k
#define STAGE(s) CS__V1__CASE_STAGE__CASE_STAGE_##s
#define RF_NAME "refund-notifier"
#define TOPIC_DECISIONS "cs.decisions.v1"

/* Starts the verifier and the refund-notifier (its own group, the shops
 * file shops); false if either gets no partitions. */
static bool startWorkers(it_worker *ov, it_worker *rf, const char *run, const char *shops) {
    char group[96], file[1200];
    snprintf(group, sizeof group, "CS_GROUP_ID=" RF_NAME "-%s", run);
    snprintf(file, sizeof file, "CS_SHOPS_FILE=%s", shops);
    if (!it_group_at_end(group)) return false; /* not the suite's history first */
    if (it_worker_start(ov, "ov", NULL) != 0) return false;
    const char *env[] = {group, file, NULL};
    if (it_worker_start_bin(rf, RF_NAME, "rf", NULL, env) != 0) return false;
    if (!it_worker_wait_assigned(ov, 60000) || !it_worker_wait_assigned(rf, 60000)) {
        fprintf(stderr, "  workers got no partitions (logs %s, %s)\n", ov->log, rf->log);
        return false;
    }
    return true;
}

/* The sample shops file with tb-demo (the first shop) in promotion mode,
 * written to the log folder; its path into out. */
static bool promotionShops(char *out, size_t len, const char *run) {
    snprintf(out, len, "%s/%s-shops.json", it.log_dir, run);
    return it_sh("mkdir -p '%s' && sed '0,/\"promotion_mode\": false/s//\"promotion_mode\": true/' '%s' > '%s'",
                 it.log_dir, it.shops_file, out) == 0;
}

/* One after-sales case event of tb-demo, keyed by its order, naming its
 * buyer (NULL: none). */
static int produceCaseOf(const char *buyer_id, const char *order_id, const char *case_id, Cs__V1__CaseType type,
                         Cs__V1__CaseStage stage, int64_t amount_fen, const char *event_id, int64_t event_ms) {
    Cs__V1__AfterSalesCase c = CS__V1__AFTER_SALES_CASE__INIT;
    c.case_id = (char *)case_id;
    c.order_id = (char *)order_id;
    c.type = type;
    c.reason = CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND;
    c.stage = stage;
    c.amount_fen = amount_fen;
    c.agent = (char *)"小王";
    c.buyer_id = (char *)buyer_id;
    Cs__V1__AfterSalesEvent ae = CS__V1__AFTER_SALES_EVENT__INIT;
    ae.body_case = CS__V1__AFTER_SALES_EVENT__BODY_CASE;
    ae.case_ = &c;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.event_id = (char *)event_id;
    env.shop_id = (char *)"tb-demo";
    env.event_ms = event_ms;
    env.ingest_ms = it_wall_ms();
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_AFTERSALES;
    env.aftersales = &ae;
    char key[256];
    snprintf(key, sizeof key, "tb-demo:%s", order_id);
    return it_produce_env("shop.aftersales.v1", -1, key, &env, NULL);
}

static int produceCase(const char *order_id, const char *case_id, Cs__V1__CaseType type, Cs__V1__CaseStage stage,
                       int64_t amount_fen, const char *event_id, int64_t event_ms) {
    return produceCaseOf(NULL, order_id, case_id, type, stage, amount_fen, event_id, event_ms);
}

static long long processed(const char *event_id) {
    return it_wait_pg(IT_EQ, 1, 60000,
                      "SELECT count(*) FROM processed_events WHERE worker = '" RF_NAME "' AND event_id = '%s'",
                      event_id);
}

static bool caseStage(const char *case_id, const char *stage) {
    char got[64];
    for (int i = 0; i < 300; i++) {
        if (it_pg_text(got, sizeof got,
                       "SELECT stage FROM cases WHERE shop_id = 'tb-demo' AND kind = 'aftersales' AND case_id = '%s'",
                       case_id) &&
            strcmp(got, stage) == 0)
            return true;
        it_sleep_ms(100);
    }
    fprintf(stderr, "  case %s: stage '%s', want '%s'\n", case_id, got, stage);
    return false;
}

static void test_rf9_promotion_auto_agrees_unshipped_refund_only_and_refunds_once(void) {
    char run[32], shops[1200], order[96], kase[96], eid[128], r1[128], r2[128];
    it_run_id(run, sizeof run);
    IT_REQUIRE(promotionShops(shops, sizeof shops, run));
    snprintf(order, sizeof order, "RFA-%s", run);
    snprintf(kase, sizeof kase, "CASE-A-%s", run);
    it_reader *dec = it_reader_open(TOPIC_DECISIONS, false);
    IT_REQUIRE(dec != NULL);
    it_worker ov, rf;
    IT_REQUIRE(startWorkers(&ov, &rf, run, shops));

    it_order o;
    it_order_init(&o, "tb-demo", order, "buyer-rfa", "SKU-RFA", NULL, 1);
    snprintf(eid, sizeof eid, "%s-created", run);
    CT_EQ_INT(it_produce_order_event(&o, KIND(CREATED), eid, o.created_ms, true, NULL), 0);
    CT_EQ_INT(it_flush(10000), 0);
    IT_REQUIRE(it_wait_pg(IT_EQ, 1, 60000, "SELECT count(*) FROM orders WHERE shop_id = 'tb-demo' AND order_id = '%s'",
                          order) == 1);

    int64_t t0 = it_wall_ms(), amount = it_order_payable(&o);
    snprintf(eid, sizeof eid, "%s-a-requested", run);
    CT_EQ_INT(produceCase(order, kase, CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY, STAGE(REQUESTED), amount, eid, t0), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_CHECK(caseStage(kase, "requested"));
    CT_EQ_INT((long long)it_reader_collect(dec, run, 1, 30000), 1);
    if (it_reader_count(dec) >= 1) {
        const it_rec *rec = it_reader_get(dec, 0);
        IT_REQUIRE(rec->env && rec->env->body_case == CS__V1__ENVELOPE__BODY_DECISION);
        CT_EQ_STR(rec->env->decision->case_id, kase);
        CT_EQ_STR(rec->env->decision->rule, "RF-9");
        CT_EQ_INT(rec->env->decision->verdict, CS__V1__DECISION_VERDICT__DECISION_VERDICT_AGREE);
        CT_EQ_INT(rec->env->decision->amount_fen, amount);
        /* the same decision in PostgreSQL (cscli decisions list), under the record's id */
        CT_EQ_INT(it_pg_int("SELECT count(*) FROM decisions WHERE shop_id = 'tb-demo' AND case_id = '%s' "
                            "AND decision_id = '%s' AND order_id = '%s' AND verdict = 'AGREE' AND rule = 'RF-9' "
                            "AND amount_fen = %lld",
                            kase, rec->env->event_id, order, (long long)amount),
                  1);
    }

    snprintf(eid, sizeof eid, "%s-a-agreed", run);
    CT_EQ_INT(produceCase(order, kase, CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY, STAGE(AGREED), amount, eid, t0 + 1000),
              0);
    snprintf(r1, sizeof r1, "%s-a-refunded", run);
    snprintf(r2, sizeof r2, "%s-a-refunded-again", run);
    for (int i = 0; i < 2; i++) /* the same record twice */
        CT_EQ_INT(
            produceCase(order, kase, CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY, STAGE(REFUNDED), amount, r1, t0 + 2000),
            0);
    CT_EQ_INT(
        produceCase(order, kase, CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY, STAGE(REFUNDED), amount, r2, t0 + 3000), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(r2), 1);
    CT_CHECK(caseStage(kase, "refunded"));
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM finance_requests WHERE shop_id = 'tb-demo' AND order_id = '%s' "
                        "AND kind = 'refund'",
                        order),
              1);
    CT_EQ_INT(it_pg_int("SELECT amount_fen FROM finance_requests WHERE shop_id = 'tb-demo' AND order_id = '%s' "
                        "AND kind = 'refund'",
                        order),
              amount);
    /* RF-7: the row names the case's agent and the buyer, as the record does */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM finance_requests WHERE shop_id = 'tb-demo' AND order_id = '%s' "
                        "AND kind = 'refund' AND agent = '小王' AND buyer_id = 'buyer-rfa'",
                        order),
              1);
    /* nothing else decided: still one decision record, and one row */
    CT_EQ_INT((long long)it_reader_collect(dec, run, 2, 3000), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM decisions WHERE shop_id = 'tb-demo' AND case_id = '%s'", kase), 1);
    it_reader_close(dec);
    CT_EQ_INT(it_worker_stop(&rf, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&ov, SIGTERM, 30000), 0);
}

/* RF-7: a refund of an order the verifier has not stored (its events
 * still on the way) names the buyer the case event names: the finance
 * request carries that nick. */
static void test_rf7_refund_of_an_order_not_yet_stored_names_the_cases_buyer(void) {
    char run[32], shops[1200], order[96], kase[96], ev[128], buyer[96];
    it_run_id(run, sizeof run);
    IT_REQUIRE(promotionShops(shops, sizeof shops, run));
    snprintf(order, sizeof order, "RFN-%s", run);
    snprintf(kase, sizeof kase, "CASE-N-%s", run);
    snprintf(buyer, sizeof buyer, "nick-%s", run);
    snprintf(ev, sizeof ev, "%s-n-refunded", run);
    it_worker ov, rf;
    IT_REQUIRE(startWorkers(&ov, &rf, run, shops));
    CT_EQ_INT(produceCaseOf(buyer, order, kase, CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY, STAGE(REFUNDED), 4200, ev,
                            it_wall_ms()),
              0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(ev), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM finance_requests WHERE shop_id = 'tb-demo' AND order_id = '%s' AND "
                        "kind = 'refund' AND amount_fen = 4200 AND buyer_id = '%s'",
                        order, buyer),
              1);
    CT_EQ_INT(it_worker_stop(&rf, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&ov, SIGTERM, 30000), 0);
}

static void test_rf1_out_of_order_events_end_in_one_case_at_the_later_stage(void) {
    char run[32], shops[1200], order[96], kase[96], agreed[128], requested[128];
    it_run_id(run, sizeof run);
    IT_REQUIRE(promotionShops(shops, sizeof shops, run));
    snprintf(order, sizeof order, "RFB-%s", run);
    snprintf(kase, sizeof kase, "CASE-B-%s", run);
    it_worker ov, rf;
    IT_REQUIRE(startWorkers(&ov, &rf, run, shops));
    int64_t t0 = it_wall_ms();
    snprintf(agreed, sizeof agreed, "%s-b-agreed", run);
    snprintf(requested, sizeof requested, "%s-b-requested", run);
    CT_EQ_INT(produceCase(order, kase, CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND, STAGE(AGREED), 5000, agreed, t0), 0);
    CT_EQ_INT(produceCase(order, kase, CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND, STAGE(REQUESTED), 5000, requested,
                          t0 - 60000),
              0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(requested), 1);
    CT_CHECK(caseStage(kase, "agreed"));
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM cases WHERE shop_id = 'tb-demo' AND order_id = '%s'", order), 1);
    CT_EQ_INT(it_worker_stop(&rf, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&ov, SIGTERM, 30000), 0);
}

/* RF-7 / EX-8: a refund the platform reports twice -- the case reaching
 * REFUNDED (refund-notifier) and the order's cancellation
 * (exception-handler), as Taobao's RefundSuccess and TradeClose do -- is
 * asked of finance once, whichever worker decides first. Order A: the
 * case first, then the cancellation. Order B: the cancellation first,
 * with the verifier stopped, so the refund-notifier can only learn of it
 * from EX-8's registry, then the case. */
static void test_rf7_refund_reported_twice_asked_of_finance_once_whichever_comes_first(void) {
    char run[32], ids[2][96], cases[2][96], eid[160], exGroup[96];
    it_run_id(run, sizeof run);
    snprintf(exGroup, sizeof exGroup, "CS_GROUP_ID=exception-handler-rf-%s", run);
    IT_REQUIRE(it_group_at_end(exGroup));
    it_worker ov, rf, ex;
    IT_REQUIRE(startWorkers(&ov, &rf, run, it.shops_file));
    IT_REQUIRE(it_worker_start_bin(&ex, "exception-handler", "ex-rf", NULL, (const char *[]){exGroup, NULL}) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&ex, 60000));
    it_order o[2];
    int64_t amount[2], t0 = it_wall_ms();
    for (int i = 0; i < 2; i++) {
        snprintf(ids[i], sizeof ids[i], "RFG%d-%s", i, run);
        snprintf(cases[i], sizeof cases[i], "CASE-G%d-%s", i, run);
        it_order_init(&o[i], "tb-demo", ids[i], "buyer-rfg", "SKU-RFG", NULL, 1);
        amount[i] = it_order_payable(&o[i]);
        snprintf(eid, sizeof eid, "%s-g%d-created", run, i);
        CT_EQ_INT(it_produce_order_event(&o[i], KIND(CREATED), eid, o[i].created_ms, true, NULL), 0);
    }
    CT_EQ_INT(it_flush(10000), 0);
    IT_REQUIRE(it_wait_pg(IT_EQ, 2, 60000,
                          "SELECT count(*) FROM orders WHERE shop_id = 'tb-demo' AND order_id IN ('%s', '%s')", ids[0],
                          ids[1]) == 2);

    /* A: refunded by its case, then the order closed */
    snprintf(eid, sizeof eid, "%s-g0-refunded", run);
    CT_EQ_INT(produceCase(ids[0], cases[0], CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY, STAGE(REFUNDED), amount[0], eid,
                          t0),
              0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(eid), 1);
    snprintf(eid, sizeof eid, "%s-g0-cancelled", run);
    CT_EQ_INT(it_produce_cancel(&o[0], eid, "closed after a full refund"), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM cancellations WHERE shop_id = 'tb-demo' AND order_id = '%s'", ids[0]),
              1);

    /* B: the cancellation first, the verifier not running */
    CT_EQ_INT(it_worker_stop(&ov, SIGTERM, 30000), 0);
    snprintf(eid, sizeof eid, "%s-g1-cancelled", run);
    CT_EQ_INT(it_produce_cancel(&o[1], eid, "buyer cancelled"), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM cancellations WHERE shop_id = 'tb-demo' AND order_id = '%s' "
                         "AND refund_fen = %lld",
                         ids[1], (long long)amount[1]),
              1);
    snprintf(eid, sizeof eid, "%s-g1-refunded", run);
    CT_EQ_INT(produceCase(ids[1], cases[1], CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY, STAGE(REFUNDED), amount[1], eid,
                          t0),
              0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(eid), 1);

    for (int i = 0; i < 2; i++) {
        CT_EQ_INT(it_pg_int("SELECT count(*) FROM finance_requests WHERE shop_id = 'tb-demo' AND order_id = '%s' "
                            "AND kind = 'refund'",
                            ids[i]),
                  1);
        CT_EQ_INT(it_pg_int("SELECT sum(amount_fen) FROM finance_requests WHERE shop_id = 'tb-demo' AND order_id = "
                            "'%s' AND kind = 'refund'",
                            ids[i]),
                  amount[i]);
    }
    /* who asked: the case for A (first), the cancellation for B (first) */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM finance_requests WHERE shop_id = 'tb-demo' AND order_id = '%s' "
                        "AND kind = 'refund' AND rule = 'RF-7'",
                        ids[0]),
              1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM finance_requests WHERE shop_id = 'tb-demo' AND order_id = '%s' "
                        "AND kind = 'refund' AND rule = 'EX-8'",
                        ids[1]),
              1);
    CT_CHECK(caseStage(cases[1], "refunded")); /* the case knows it was refunded */
    CT_EQ_INT(it_worker_stop(&ex, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&rf, SIGTERM, 30000), 0);
}

/* RF-11: one tb-demo dispute (a case entering PLATFORM_INTERVENED) at
 * event_ms. */
static int produceDispute(const char *run, int i, const char *event_id, int64_t event_ms) {
    char order[96], kase[96];
    snprintf(order, sizeof order, "RFM%d-%s", i, run);
    snprintf(kase, sizeof kase, "CASE-M%d-%s", i, run);
    return produceCase(order, kase, CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND, STAGE(PLATFORM_INTERVENED), 5000,
                       event_id, event_ms);
}

/* RF-11's alert tasks of the test's month (the evidence tasks of the same
 * rule go to the owners, not the supervisor). */
static long long monthAlerts(const char *month) {
    return it_pg_int("SELECT count(*) FROM tasks WHERE shop_id = 'tb-demo' AND rule = 'RF-11' "
                     "AND assignee = 'supervisor' AND summary LIKE '%%disputes this month (%s)%%'",
                     month);
}

static void test_rf11_fourth_dispute_of_the_month_makes_one_alert_replays_and_fifth_none(void) {
    /* March 2001 in Shanghai: a month of the test's own (its rows are
     * cleared first, so a second run counts from 1 again) */
    const int64_t MAR = 983376000000LL; /* 2001-03-01T00:00+08:00 */
    it_pg_exec("DELETE FROM disputes WHERE shop_id = 'tb-demo' AND month_start_ms = %lld", (long long)MAR);
    it_pg_exec("DELETE FROM dispute_months WHERE shop_id = 'tb-demo' AND month_start_ms = %lld", (long long)MAR);
    it_pg_exec("DELETE FROM tasks WHERE shop_id = 'tb-demo' AND rule = 'RF-11' AND summary LIKE '%%(2001-03)%%'");
    char run[32], group[96], eid[6][128], again[128];
    it_run_id(run, sizeof run);
    snprintf(group, sizeof group, "CS_GROUP_ID=" RF_NAME "-%s", run);
    it_worker rf;
    IT_REQUIRE(it_group_at_end(group));
    IT_REQUIRE(it_worker_start_bin(&rf, RF_NAME, "rf-disputes", NULL, (const char *[]){group, NULL}) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&rf, 60000));
    for (int i = 1; i <= 3; i++) {
        snprintf(eid[i], sizeof eid[i], "%s-m%d-intervened", run, i);
        CT_EQ_INT(produceDispute(run, i, eid[i], MAR + 9 * 86400000LL + i * 60000), 0);
    }
    CT_EQ_INT(it_flush(10000), 0);
    /* all three counted before the 4th is produced: they are on different
     * partitions, so the 3rd can be applied before the 1st */
    for (int i = 1; i <= 3; i++) CT_EQ_INT(processed(eid[i]), 1);
    CT_EQ_INT(monthAlerts("2001-03"), 0);
    /* the 4th: one alert; the same record twice, and the same
     * intervention again under another event id, count once */
    snprintf(eid[4], sizeof eid[4], "%s-m4-intervened", run);
    snprintf(again, sizeof again, "%s-m4-intervened-again", run);
    for (int k = 0; k < 2; k++) CT_EQ_INT(produceDispute(run, 4, eid[4], MAR + 10 * 86400000LL), 0);
    CT_EQ_INT(produceDispute(run, 4, again, MAR + 10 * 86400000LL + 1000), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(again), 1);
    CT_EQ_INT(monthAlerts("2001-03"), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE shop_id = 'tb-demo' AND rule = 'RF-11' AND assignee = "
                        "'supervisor' AND summary LIKE '4 disputes this month (2001-03)%%' AND urgent"),
              1);
    CT_EQ_INT(it_pg_int("SELECT month_n FROM disputes WHERE shop_id = 'tb-demo' AND case_id = 'CASE-M4-%s'", run), 4);
    CT_EQ_INT(
        it_pg_int("SELECT n FROM dispute_months WHERE shop_id = 'tb-demo' AND month_start_ms = %lld", (long long)MAR),
        4);
    /* the 5th: nothing more (the bar comes at the 6th) */
    snprintf(eid[5], sizeof eid[5], "%s-m5-intervened", run);
    CT_EQ_INT(produceDispute(run, 5, eid[5], MAR + 11 * 86400000LL), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(eid[5]), 1);
    CT_EQ_INT(monthAlerts("2001-03"), 1);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM disputes WHERE shop_id = 'tb-demo' AND month_start_ms = %lld", (long long)MAR),
        5);
    CT_EQ_INT(it_worker_stop(&rf, SIGTERM, 30000), 0);
}

/* RF-11 under concurrency: forty disputes of one shop and month at once,
 * spread over the partitions of two refund-notifier copies. Each copy
 * counts its batch's disputes just before COMMIT under the shop's lock, so
 * the numbers are 1..40 with none twice, and the alert (4th) and the bar
 * (6th) are each raised once. */
static void test_rf11_two_copies_count_a_burst_of_disputes_once_each(void) {
    const int64_t APR = 986054400000LL; /* 2001-04-01T00:00+08:00 */
    const int N = 40;
    it_pg_exec("DELETE FROM disputes WHERE shop_id = 'tb-demo' AND month_start_ms = %lld", (long long)APR);
    it_pg_exec("DELETE FROM dispute_months WHERE shop_id = 'tb-demo' AND month_start_ms = %lld", (long long)APR);
    it_pg_exec("DELETE FROM tasks WHERE shop_id = 'tb-demo' AND rule = 'RF-11' AND summary LIKE '%%(2001-04)%%'");
    char run[32], group[96], eid[128];
    it_run_id(run, sizeof run);
    snprintf(group, sizeof group, "CS_GROUP_ID=" RF_NAME "-%s", run);
    it_worker rf[2];
    IT_REQUIRE(it_group_at_end(group));
    IT_REQUIRE(it_worker_start_bin(&rf[0], RF_NAME, "rf-disputes-1", NULL, (const char *[]){group, NULL}) == 0);
    IT_REQUIRE(it_worker_start_bin(&rf[1], RF_NAME, "rf-disputes-2", NULL, (const char *[]){group, NULL}) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&rf[0], 60000));
    IT_REQUIRE(it_worker_wait_assigned(&rf[1], 60000));
    for (int i = 1; i <= N; i++) {
        snprintf(eid, sizeof eid, "%s-c%d-intervened", run, i);
        CT_EQ_INT(produceDispute(run, 100 + i, eid, APR + 2 * 86400000LL + i * 1000), 0);
    }
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, N, 60000,
                         "SELECT count(*) FROM disputes WHERE shop_id = 'tb-demo' AND month_start_ms = %lld",
                         (long long)APR),
              N);
    CT_EQ_INT(it_pg_int("SELECT count(DISTINCT month_n) FROM disputes WHERE shop_id = 'tb-demo' AND "
                        "month_start_ms = %lld AND month_n BETWEEN 1 AND %d",
                        (long long)APR, N),
              N);
    CT_EQ_INT(
        it_pg_int("SELECT n FROM dispute_months WHERE shop_id = 'tb-demo' AND month_start_ms = %lld", (long long)APR),
        N);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE shop_id = 'tb-demo' AND rule = 'RF-11' AND assignee = "
                        "'supervisor' AND summary LIKE '4 disputes this month (2001-04)%%'"),
              1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE shop_id = 'tb-demo' AND rule = 'RF-11' AND assignee = "
                        "'supervisor' AND summary LIKE '6 disputes this month (2001-04)%%'"),
              1);
    CT_EQ_INT(monthAlerts("2001-04"), 2);
    CT_EQ_INT(it_worker_stop(&rf[0], SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&rf[1], SIGTERM, 30000), 0);
}

/* Back to real time: the key and its record (deleting the key alone
 * would have it restored from the record). */
static void clockRelease(void) { it_clock_reset(); }

static void test_rf2_open_case_escalated_at_its_deadline_closed_case_never(void) {
    char run[32], group[96], open_o[96], open_c[96], shut_o[96], shut_c[96], eid[128];
    it_run_id(run, sizeof run);
    snprintf(group, sizeof group, "CS_GROUP_ID=" RF_NAME "-%s", run);
    snprintf(open_o, sizeof open_o, "RFC-%s", run);
    snprintf(open_c, sizeof open_c, "CASE-C-%s", run);
    snprintf(shut_o, sizeof shut_o, "RFD-%s", run);
    snprintf(shut_c, sizeof shut_c, "CASE-D-%s", run);
    int64_t base = (it_wall_ms() / 1000) * 1000;
    IT_REQUIRE(it_clock_set(base) == 0);
    IT_REQUIRE(it_group_at_end(group));
    it_worker td, rf;
    IT_REQUIRE(it_worker_start_bin(&td, "timer-dispatcher", "td-rf", NULL, (const char *[]){"CS_CLOCK=redis", NULL}) ==
               0);
    IT_REQUIRE(it_worker_start_bin(&rf, RF_NAME, "rf-clock", NULL, (const char *[]){"CS_CLOCK=redis", group, NULL}) ==
               0);
    if (!it_worker_wait_assigned(&rf, 60000)) {
        clockRelease();
        IT_REQUIRE(false);
    }
    snprintf(eid, sizeof eid, "%s-c-requested", run);
    CT_EQ_INT(
        produceCase(open_o, open_c, CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND, STAGE(REQUESTED), 5000, eid, base), 0);
    snprintf(eid, sizeof eid, "%s-d-requested", run);
    CT_EQ_INT(
        produceCase(shut_o, shut_c, CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND, STAGE(REQUESTED), 5000, eid, base), 0);
    snprintf(eid, sizeof eid, "%s-d-closed", run);
    CT_EQ_INT(
        produceCase(shut_o, shut_c, CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND, STAGE(CLOSED), 5000, eid, base + 1000),
        0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 2, 60000,
                         "SELECT count(*) FROM timers WHERE owner = '" RF_NAME "' AND status = 'pending' AND "
                         "timer_id IN ('rf2.resolve@tb-demo:%s', 'rf2.escalate@tb-demo:%s')",
                         open_c, open_c),
              2);
    CT_EQ_INT(it_wait_pg(IT_EQ, 2, 60000,
                         "SELECT count(*) FROM timers WHERE owner = '" RF_NAME "' AND status = 'cancelled' AND "
                         "timer_id IN ('rf2.resolve@tb-demo:%s', 'rf2.escalate@tb-demo:%s')",
                         shut_c, shut_c),
              2);
    CT_CHECK(caseStage(shut_c, "closed"));
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'RF-2'", open_o), 0);

    IT_REQUIRE(it_clock_advance(7LL * 86400000 + 3600000) == 0); /* case_deadline_days 7, and an hour */
    CT_EQ_INT(it_wait_pg(IT_EQ, 2, 60000, "SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'RF-2'", open_o),
              2);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'RF-2' AND urgent", open_o), 2);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'RF-2' AND assignee = 'supervisor'",
                  open_o),
        1);
    it_sleep_ms(3000); /* time for a second firing or a task for the closed case to show */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'RF-2'", open_o), 2);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'RF-2'", shut_o), 0);
    CT_EQ_INT(it_worker_stop(&rf, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&td, SIGTERM, 30000), 0);
    clockRelease();
}

/* RF-2: a return agreed and never shipped back: the ship-return deadline
 * (return_ship_days, 2 days after the agreement) escalates it, not an
 * hour before; a return shipped in time is never escalated. Redis clock. */
static void test_rf2_return_never_shipped_escalated_after_2_days_not_before(void) {
    char run[32], group[96], late_o[96], late_c[96], ok_o[96], ok_c[96], eid[128];
    it_run_id(run, sizeof run);
    snprintf(group, sizeof group, "CS_GROUP_ID=" RF_NAME "-%s", run);
    snprintf(late_o, sizeof late_o, "RFE-%s", run);
    snprintf(late_c, sizeof late_c, "CASE-E-%s", run);
    snprintf(ok_o, sizeof ok_o, "RFF-%s", run);
    snprintf(ok_c, sizeof ok_c, "CASE-F-%s", run);
    int64_t base = (it_wall_ms() / 1000) * 1000;
    IT_REQUIRE(it_clock_set(base) == 0);
    IT_REQUIRE(it_group_at_end(group));
    it_worker td, rf;
    IT_REQUIRE(it_worker_start_bin(&td, "timer-dispatcher", "td-rf2", NULL, (const char *[]){"CS_CLOCK=redis", NULL}) ==
               0);
    IT_REQUIRE(it_worker_start_bin(&rf, RF_NAME, "rf-ship", NULL, (const char *[]){"CS_CLOCK=redis", group, NULL}) ==
               0);
    if (!it_worker_wait_assigned(&rf, 60000)) {
        clockRelease();
        IT_REQUIRE(false);
    }
    const char *os[2] = {late_o, ok_o}, *cs[2] = {late_c, ok_c};
    for (int i = 0; i < 2; i++) {
        snprintf(eid, sizeof eid, "%s-%d-requested", run, i);
        CT_EQ_INT(produceCase(os[i], cs[i], CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND, STAGE(REQUESTED), 5000, eid,
                              base),
                  0);
        snprintf(eid, sizeof eid, "%s-%d-agreed", run, i);
        CT_EQ_INT(
            produceCase(os[i], cs[i], CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND, STAGE(AGREED), 5000, eid, base + 1000),
            0);
    }
    snprintf(eid, sizeof eid, "%s-1-shipped", run);
    CT_EQ_INT(produceCase(ok_o, ok_c, CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND, STAGE(BUYER_SHIPPED), 5000, eid,
                          base + 3600000),
              0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(eid), 1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM timers WHERE owner = '" RF_NAME "' AND status = 'pending' AND "
                         "timer_id = 'rf2.ship_return@tb-demo:%s'",
                         late_c),
              1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM timers WHERE owner = '" RF_NAME "' AND status = 'cancelled' AND "
                         "timer_id = 'rf2.ship_return@tb-demo:%s'",
                         ok_c),
              1);
    const char *escalated = "SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'RF-2' AND "
                            "summary LIKE '%%has not shipped the return%%'";
    /* an hour before the deadline: nothing */
    IT_REQUIRE(it_clock_advance(2LL * 86400000 + 1000 - 3600000) == 0);
    it_sleep_ms(3000);
    CT_EQ_INT(it_pg_int(escalated, late_o), 0);
    /* past it: the agreed, unshipped return escalated once; the shipped one never */
    IT_REQUIRE(it_clock_advance(2 * 3600000LL) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000, escalated, late_o), 1);
    it_sleep_ms(2000);
    CT_EQ_INT(it_pg_int(escalated, late_o), 1);
    CT_EQ_INT(it_pg_int(escalated, ok_o), 0);
    CT_EQ_INT(it_worker_stop(&rf, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&td, SIGTERM, 30000), 0);
    clockRelease();
}

int main(int argc, char **argv) {
    (void)argc;
    it_init(argv[0]);
    static const ct_case cases[] = {
        CT_CASE(test_rf9_promotion_auto_agrees_unshipped_refund_only_and_refunds_once),
        CT_CASE(test_rf1_out_of_order_events_end_in_one_case_at_the_later_stage),
        CT_CASE(test_rf7_refund_of_an_order_not_yet_stored_names_the_cases_buyer),
        CT_CASE(test_rf7_refund_reported_twice_asked_of_finance_once_whichever_comes_first),
        CT_CASE(test_rf11_fourth_dispute_of_the_month_makes_one_alert_replays_and_fifth_none),
        CT_CASE(test_rf11_two_copies_count_a_burst_of_disputes_once_each),
        CT_CASE(test_rf2_return_never_shipped_escalated_after_2_days_not_before),
        CT_CASE(test_rf2_open_case_escalated_at_its_deadline_closed_case_never), /* last: the clock */
    };
    int rc = it_run_cases(cases, sizeof cases / sizeof cases[0]);
    it_shutdown();
    return rc;
}
