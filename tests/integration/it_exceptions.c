/* it_exceptions.c -- the exception-handler against the real stack, fed by
 * the real order-verifier: an out-of-stock order paid yesterday becomes an
 * exception worked by a call task (EX-3) with its EX-6 timers recorded; a
 * call outcome "unreachable" gives exactly one message request (EX-4),
 * however often the agent fails to get through; a cancellation is
 * registered with a refund request to finance and closes the exception
 * (EX-8); the same event twice changes nothing; and, on the Redis clock
 * with the real timer-dispatcher, an exception left open goes to the top
 * of the middle shift's queue after its day, is escalated at the start of
 * day 3 and not before, and breaches its SLA at the end of day 3 (EX-6).
 * A Tmall stock-out refund is compensated once (EX-7); complaints get their
 * level task and an unmet one breaches at its deadline (EX-9). The clock
 * case runs last and deletes the clock key (real time again)
 * whatever its outcome. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"
#include "cs/clock.h"
#include "cs/tz.h"

#define KIND(k) CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_##k
#define EX_GROUP IT_GROUP_EXCEPTIONS
#define EX_NAME "exception-handler"
#define TOPIC_CONTACTS "shop.contacts.v1"

/* ---- helpers ------------------------------------------------------------------ */

static bool startWorkers(it_worker *ov, it_worker *ex) {
    if (it_worker_start(ov, "ov", NULL) != 0) return false;
    static const char *const env[] = {"CS_GROUP_ID=" EX_GROUP, NULL};
    if (it_worker_start_bin(ex, EX_NAME, "ex", NULL, env) != 0) return false;
    if (!it_worker_wait_assigned(ov, 60000) || !it_worker_wait_assigned(ex, 60000)) {
        fprintf(stderr, "  workers got no partitions (logs %s, %s)\n", ov->log, ex->log);
        return false;
    }
    return true;
}

/* An order of tb-demo with one line of a SKU nobody stocks (OV-8: out of
 * stock, restock unknown), created and paid `days_ago` days back. */
static void oosOrder(it_order *o, const char *run, const char *tag, int days_ago, int seq) {
    char id[160], buyer[160], sku[160];
    snprintf(id, sizeof id, "%s-%s", run, tag);
    snprintf(buyer, sizeof buyer, "%s-b%s", run, tag);
    snprintf(sku, sizeof sku, "SKU-%s-%s", run, tag);
    it_order_init(o, "tb-demo", id, buyer, sku, NULL, seq);
    o->created_ms = it_wall_ms() - (int64_t)days_ago * 86400000LL - 3600000;
    o->paid_ms = o->created_ms + 60000;
}

static void produceOrder(const it_order *o) {
    char id[200];
    snprintf(id, sizeof id, "%s-c", o->order_id);
    CT_EQ_INT(it_produce_order_event(o, KIND(CREATED), id, o->created_ms, false, NULL), 0);
    snprintf(id, sizeof id, "%s-p", o->order_id);
    CT_EQ_INT(it_produce_order_event(o, KIND(PAID), id, o->paid_ms, false, NULL), 0);
}

static long long openExceptions(const it_order *o) {
    return it_pg_int("SELECT count(*) FROM exceptions WHERE shop_id = '%s' AND order_id = '%s' AND closed_ms IS NULL",
                     o->shop, o->order_id);
}

/* Waits for o's exception to open; false after 60 s. */
static bool waitException(const it_order *o) {
    return it_wait_pg(IT_EQ, 1, 60000, "SELECT count(*) FROM exceptions WHERE shop_id = '%s' AND order_id = '%s'",
                      o->shop, o->order_id) == 1;
}

static int produceContact(const it_order *o, const char *event_id, Cs__V1__ContactEvent *ce) {
    Cs__V1__Envelope env;
    cs__v1__envelope__init(&env);
    env.event_id = (char *)event_id;
    env.shop_id = (char *)o->shop;
    env.event_ms = it_wall_ms();
    env.ingest_ms = env.event_ms;
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_CONTACT;
    env.contact = ce;
    char key[256];
    snprintf(key, sizeof key, "%s:%s", o->shop, o->order_id);
    return it_produce_env(TOPIC_CONTACTS, -1, key, &env, NULL);
}

static int produceUnreachable(const it_order *o, const char *event_id) {
    Cs__V1__CallResult call;
    cs__v1__call_result__init(&call);
    call.order_id = (char *)o->order_id;
    call.agent = (char *)"agent-7";
    call.outcome = CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE;
    Cs__V1__ContactEvent ce;
    cs__v1__contact_event__init(&ce);
    ce.body_case = CS__V1__CONTACT_EVENT__BODY_CALL;
    ce.call = &call;
    return produceContact(o, event_id, &ce);
}

/* A delivery chaser behind other contacts of o (same key, same partition):
 * once its EX-10 task exists, everything before it was consumed. */
static bool chaserMarker(const it_order *o, const char *event_id) {
    Cs__V1__DeliveryChaser ch;
    cs__v1__delivery_chaser__init(&ch);
    ch.order_id = (char *)o->order_id;
    ch.buyer_id = (char *)o->buyer;
    ch.text = (char *)"还没发货吗";
    Cs__V1__ContactEvent ce;
    cs__v1__contact_event__init(&ce);
    ce.body_case = CS__V1__CONTACT_EVENT__BODY_CHASER;
    ce.chaser = &ch;
    if (produceContact(o, event_id, &ce) != 0 || it_flush(30000) != 0) return false;
    return it_wait_pg(IT_GE, 1, 60000,
                      "SELECT count(*) FROM tasks WHERE shop_id = '%s' AND order_id = '%s' AND rule = 'EX-10'", o->shop,
                      o->order_id) >= 1;
}

static int produceAftersales(const char *shop, const char *order_id, const char *event_id,
                             Cs__V1__AfterSalesEvent *ae) {
    Cs__V1__Envelope env;
    cs__v1__envelope__init(&env);
    env.event_id = (char *)event_id;
    env.shop_id = (char *)shop;
    env.event_ms = it_wall_ms();
    env.ingest_ms = env.event_ms;
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_AFTERSALES;
    env.aftersales = ae;
    char key[256];
    snprintf(key, sizeof key, "%s:%s", shop, order_id);
    return it_produce_env("shop.aftersales.v1", -1, key, &env, NULL);
}

static int produceComplaint(const it_order *o, const char *id, Cs__V1__ComplaintLevel level, int64_t opened,
                            bool escalated, const char *event_id) {
    Cs__V1__Complaint k;
    cs__v1__complaint__init(&k);
    k.complaint_id = (char *)id;
    k.order_id = (char *)o->order_id;
    k.buyer_id = (char *)o->buyer;
    k.level = level;
    k.summary = (char *)"包装破损";
    k.opened_ms = opened;
    k.escalated = escalated;
    Cs__V1__AfterSalesEvent ae;
    cs__v1__after_sales_event__init(&ae);
    ae.body_case = CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT;
    ae.complaint = &k;
    return produceAftersales(o->shop, o->order_id, event_id, &ae);
}

static int produceStockoutCase(const char *shop, const char *order_id, const char *case_id, Cs__V1__CaseStage stage,
                               int64_t amount, const char *event_id) {
    Cs__V1__AfterSalesCase c;
    cs__v1__after_sales_case__init(&c);
    c.case_id = (char *)case_id;
    c.order_id = (char *)order_id;
    c.reason = CS__V1__CASE_REASON__CASE_REASON_OUT_OF_STOCK;
    c.type = CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY;
    c.stage = stage;
    c.amount_fen = amount;
    Cs__V1__AfterSalesEvent ae;
    cs__v1__after_sales_event__init(&ae);
    ae.body_case = CS__V1__AFTER_SALES_EVENT__BODY_CASE;
    ae.case_ = &c;
    return produceAftersales(shop, order_id, event_id, &ae);
}

/* An EXCEPTION verdict for a made-up order on the same partition of
 * cs.verdicts.v1 as `like`: once its exception row exists, every verdict
 * before it on that partition was consumed. */
static bool verdictMarker(const it_order *like, const char *run) {
    char key[256], mid[160], prefix[100], id[200];
    snprintf(key, sizeof key, "%s:%s", like->shop, like->order_id);
    int32_t part = it_partition_of(IT_TOPIC_VERDICTS, key);
    int n = 0;
    snprintf(prefix, sizeof prefix, "%s-vm", run);
    it_order_id_on_partition(mid, sizeof mid, like->shop, prefix, part, &n);
    Cs__V1__Reason reason;
    cs__v1__reason__init(&reason);
    reason.rule = (char *)"OV-8";
    reason.code = (char *)"OUT_OF_STOCK";
    Cs__V1__Reason *rp[] = {&reason};
    Cs__V1__Verdict v;
    cs__v1__verdict__init(&v);
    v.order_id = mid;
    v.version = 1;
    v.state = CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION;
    v.reasons = rp;
    v.n_reasons = 1;
    Cs__V1__Envelope env;
    cs__v1__envelope__init(&env);
    snprintf(id, sizeof id, "%s/verdict/v1", mid);
    env.event_id = id;
    env.shop_id = (char *)like->shop;
    env.event_ms = it_wall_ms();
    env.ingest_ms = env.event_ms;
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_VERDICT;
    env.verdict = &v;
    snprintf(key, sizeof key, "%s:%s", like->shop, mid);
    if (it_produce_env(IT_TOPIC_VERDICTS, part, key, &env, NULL) != 0 || it_flush(30000) != 0) return false;
    return it_wait_pg(IT_EQ, 1, 60000, "SELECT count(*) FROM exceptions WHERE shop_id = '%s' AND order_id = '%s'",
                      like->shop, mid) == 1;
}

/* ---- the cases ------------------------------------------------------------------ */

/* EX-3 (and EX-6): paid yesterday, out of stock, restock unknown. */
static void test_ex3_out_of_stock_paid_yesterday_gives_call_task(void) {
    char run[64];
    it_run_id(run, sizeof run);
    it_reader *tasks = it_reader_open("cs.tasks.v1", false);
    IT_REQUIRE(tasks != NULL);
    it_worker ov, ex;
    IT_REQUIRE(startWorkers(&ov, &ex));
    it_order o;
    oosOrder(&o, run, "y", 1, 1);
    produceOrder(&o);
    CT_EQ_INT(it_flush(30000), 0);
    IT_REQUIRE(waitException(&o));
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM tasks WHERE shop_id = 'tb-demo' AND order_id = '%s' AND rule = 'EX-3' "
                         "AND kind = 'TASK_KIND_CALL' AND closed_ms IS NULL AND shift <> ''",
                         o.order_id),
              1);
    char plan[16], reasons[128];
    it_pg_text(plan, sizeof plan, "SELECT plan_rule FROM exceptions WHERE order_id = '%s'", o.order_id);
    it_pg_text(reasons, sizeof reasons, "SELECT reasons FROM exceptions WHERE order_id = '%s'", o.order_id);
    CT_EQ_STR(plan, "EX-3");
    CT_CHECK(strstr(reasons, "OUT_OF_STOCK") != NULL);
    /* EX-6: the escalation is at the start of day 3 of the exception's
     * local date (Asia/Shanghai), recorded with its durable timers */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM exceptions WHERE order_id = '%s' AND escalate_due_ms = "
                        "(extract(epoch FROM (date_trunc('day', to_timestamp(opened_ms / 1000.0) AT TIME ZONE "
                        "'Asia/Shanghai') + interval '2 days') AT TIME ZONE 'Asia/Shanghai') * 1000)::bigint",
                        o.order_id),
              1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner = '%s' AND order_key = 'tb-demo:%s' "
                        "AND status = 'pending' AND kind IN ('ex6.requeue','ex6.escalate','ex6.breach')",
                        EX_NAME, o.order_id),
              3);
    /* the same task on cs.tasks.v1 */
    CT_CHECK(it_reader_collect(tasks, o.order_id, 1, 30000) >= 1);
    bool found = false;
    for (size_t i = 0; i < it_reader_count(tasks); i++) {
        const it_rec *r = it_reader_get(tasks, i);
        if (r->env && r->env->body_case == CS__V1__ENVELOPE__BODY_TASK && strcmp(r->env->task->rule, "EX-3") == 0)
            found = r->env->task->kind == CS__V1__TASK_KIND__TASK_KIND_CALL;
    }
    CT_CHECK(found);
    it_reader_close(tasks);
}

/* EX-4: one written message, however many unreachable calls. */
static void test_ex4_unreachable_gives_exactly_one_message(void) {
    char run[64], id[200];
    it_run_id(run, sizeof run);
    it_reader *notes = it_reader_open("cs.notifications.v1", false);
    IT_REQUIRE(notes != NULL);
    it_worker ov, ex;
    IT_REQUIRE(startWorkers(&ov, &ex));
    it_order o;
    oosOrder(&o, run, "u", 1, 2);
    produceOrder(&o);
    CT_EQ_INT(it_flush(30000), 0);
    IT_REQUIRE(waitException(&o));
    /* two failed calls, the first delivered twice */
    snprintf(id, sizeof id, "%s-call1", o.order_id);
    CT_EQ_INT(produceUnreachable(&o, id), 0);
    CT_EQ_INT(produceUnreachable(&o, id), 0);
    snprintf(id, sizeof id, "%s-call2", o.order_id);
    CT_EQ_INT(produceUnreachable(&o, id), 0);
    snprintf(id, sizeof id, "%s-chase", o.order_id);
    IT_REQUIRE(chaserMarker(&o, id));
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM notification_requests WHERE shop_id = 'tb-demo' AND order_id = '%s' "
                        "AND rule = 'EX-4'",
                        o.order_id),
              1);
    char channel[32];
    it_pg_text(channel, sizeof channel,
               "SELECT channel FROM notification_requests WHERE order_id = '%s' AND rule = 'EX-4'", o.order_id);
    CT_EQ_STR(channel, "MESSAGE_CHANNEL_IM"); /* tb-demo prefers IM; a Taobao buyer has it */
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM exceptions WHERE order_id = '%s' AND written_sent_ms IS NOT NULL", o.order_id),
        1);
    /* on the topic: one request, keyed by the order, its key fixed from the
     * first call's event id */
    it_reader_collect(notes, o.order_id, 2, 5000);
    int ex4 = 0;
    for (size_t i = 0; i < it_reader_count(notes); i++) {
        const it_rec *r = it_reader_get(notes, i);
        if (r->env && r->env->body_case == CS__V1__ENVELOPE__BODY_NOTIFICATION &&
            strcmp(r->env->notification->rule, "EX-4") == 0) {
            ex4++;
            CT_CHECK(strncmp(r->env->notification->idempotency_key, o.order_id, strlen(o.order_id)) == 0);
            CT_EQ_STR(r->env->notification->to, o.buyer);
        }
    }
    CT_EQ_INT(ex4, 1);
    it_reader_close(notes);
}

/* EX-8: registry row, finance request, exception closed; the same
 * cancellation again changes nothing. */
static void test_ex8_cancellation_registered_with_finance_request_once(void) {
    char run[64], id[200];
    it_run_id(run, sizeof run);
    it_reader *fin = it_reader_open("cs.finance.v1", false);
    IT_REQUIRE(fin != NULL);
    it_worker ov, ex;
    IT_REQUIRE(startWorkers(&ov, &ex));
    it_order o;
    oosOrder(&o, run, "k", 0, 3);
    produceOrder(&o);
    CT_EQ_INT(it_flush(30000), 0);
    IT_REQUIRE(waitException(&o));
    snprintf(id, sizeof id, "%s-cancel", o.order_id);
    CT_EQ_INT(it_produce_cancel(&o, id, "缺货,买家取消"), 0);
    CT_EQ_INT(it_produce_cancel(&o, id, "缺货,买家取消"), 0); /* the same event twice */
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM cancellations WHERE shop_id = 'tb-demo' AND order_id = '%s'",
                         o.order_id),
              1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 0, 30000, "SELECT count(*) FROM exceptions WHERE order_id = '%s' AND closed_ms IS NULL",
                         o.order_id),
              0);
    char reason[64], day[16], today[16], stock[256];
    it_pg_text(reason, sizeof reason, "SELECT reason FROM cancellations WHERE order_id = '%s'", o.order_id);
    CT_EQ_STR(reason, "缺货,买家取消");
    /* registered the same (local) day */
    it_pg_text(day, sizeof day, "SELECT local_day FROM cancellations WHERE order_id = '%s'", o.order_id);
    it_pg_text(today, sizeof today, "SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')");
    CT_EQ_STR(day, today);
    it_pg_text(stock, sizeof stock, "SELECT stock_returned::text FROM cancellations WHERE order_id = '%s'", o.order_id);
    CT_CHECK(strstr(stock, o.lines[0].sku) != NULL);
    /* the refund is what was paid */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM finance_requests WHERE order_id = '%s' AND kind = 'refund' "
                        "AND rule = 'EX-8' AND amount_fen = %lld",
                        o.order_id, (long long)it_order_payable(&o)),
              1);
    /* the EX-6 timers went with the exception */
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM timers WHERE owner = '%s' AND order_key = 'tb-demo:%s' AND status = 'pending'",
                  EX_NAME, o.order_id),
        0);
    CT_EQ_INT(openExceptions(&o), 0);
    it_reader_collect(fin, o.order_id, 2, 5000);
    int refunds = 0;
    for (size_t i = 0; i < it_reader_count(fin); i++) {
        const it_rec *r = it_reader_get(fin, i);
        if (r->env && r->env->body_case == CS__V1__ENVELOPE__BODY_FINANCE) {
            refunds++;
            CT_EQ_INT(r->env->finance->amount_fen, it_order_payable(&o));
        }
    }
    CT_EQ_INT(refunds, 1);
    it_reader_close(fin);
}

/* Replays: verdicts, contacts and cancellations delivered twice, and the
 * whole input re-read by a fresh consumer group position, change nothing. */
static void test_same_event_twice_changes_nothing(void) {
    char run[64], id[200];
    it_run_id(run, sizeof run);
    it_worker ov, ex;
    IT_REQUIRE(startWorkers(&ov, &ex));
    it_order o;
    oosOrder(&o, run, "t", 1, 4);
    produceOrder(&o);
    CT_EQ_INT(it_flush(30000), 0);
    IT_REQUIRE(waitException(&o));
    snprintf(id, sizeof id, "%s-call", o.order_id);
    CT_EQ_INT(produceUnreachable(&o, id), 0);
    snprintf(id, sizeof id, "%s-chase1", o.order_id);
    IT_REQUIRE(chaserMarker(&o, id));
    long long tasks = it_pg_int("SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule <> 'EX-10'", o.order_id);
    long long notes = it_pg_int("SELECT count(*) FROM notification_requests WHERE order_id = '%s'", o.order_id);
    long long excs = it_pg_int("SELECT count(*) FROM exceptions WHERE order_id = '%s'", o.order_id);
    long long timers =
        it_pg_int("SELECT count(*) FROM timers WHERE owner = '%s' AND order_key = 'tb-demo:%s'", EX_NAME, o.order_id);
    CT_EQ_INT(tasks, 1);
    CT_EQ_INT(notes, 1);
    CT_EQ_INT(excs, 1);
    CT_EQ_INT(timers, 3);
    /* the same verdict records again, straight onto cs.verdicts.v1: copies
     * from the topic (same key, bytes and event id) */
    it_reader *vr = it_reader_open(IT_TOPIC_VERDICTS, true);
    IT_REQUIRE(vr != NULL);
    IT_REQUIRE(it_reader_collect(vr, o.order_id, 2, 30000) >= 2);
    for (size_t i = 0; i < it_reader_count(vr); i++) {
        const it_rec *r = it_reader_get(vr, i);
        CT_EQ_INT(it_produce_raw(IT_TOPIC_VERDICTS, -1, r->key, r->value, r->len, NULL), 0);
    }
    it_reader_close(vr);
    snprintf(id, sizeof id, "%s-call", o.order_id);
    CT_EQ_INT(produceUnreachable(&o, id), 0);
    CT_EQ_INT(it_flush(30000), 0);
    /* markers behind the replays on their partitions */
    snprintf(id, sizeof id, "%s-chase2", o.order_id);
    IT_REQUIRE(chaserMarker(&o, id));
    IT_REQUIRE(verdictMarker(&o, run));
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule <> 'EX-10'", o.order_id), tasks);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM notification_requests WHERE order_id = '%s'", o.order_id), notes);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM exceptions WHERE order_id = '%s'", o.order_id), excs);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM timers WHERE owner = '%s' AND order_key = 'tb-demo:%s'", EX_NAME, o.order_id),
        timers);
    CT_EQ_INT(openExceptions(&o), 1);
}

/* EX-7: a Tmall stock-out refund: an exchange offered first, then 5 % of
 * the refund capped at 3000 fen, once per case. */
static void test_ex7_tmall_stockout_refund_compensated_once(void) {
    char run[64], order[128], kase[128], id[200];
    it_run_id(run, sizeof run);
    it_worker ov, ex;
    IT_REQUIRE(startWorkers(&ov, &ex));
    snprintf(order, sizeof order, "%s-tm", run);
    snprintf(kase, sizeof kase, "%s-case", run);
    snprintf(id, sizeof id, "%s-req", kase);
    CT_EQ_INT(produceStockoutCase("tm-demo", order, kase, CS__V1__CASE_STAGE__CASE_STAGE_REQUESTED, 60020, id), 0);
    snprintf(id, sizeof id, "%s-refunded", kase);
    CT_EQ_INT(produceStockoutCase("tm-demo", order, kase, CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED, 60020, id), 0);
    snprintf(id, sizeof id, "%s-refunded-again", kase); /* the platform reports it twice */
    CT_EQ_INT(produceStockoutCase("tm-demo", order, kase, CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED, 60020, id), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM tasks WHERE shop_id = 'tm-demo' AND order_id = '%s' AND rule = 'EX-7'",
                         order),
              1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM finance_requests WHERE shop_id = 'tm-demo' AND order_id = '%s' "
                         "AND kind = 'compensation' AND rule = 'EX-7' AND amount_fen = 3000",
                         order),
              1);
    /* the repeat is consumed once a later case on the same key (so the
     * same partition) is: 10 fen refunded, 0.5 fen rounds half up to 1 */
    snprintf(id, sizeof id, "%s-marker", kase);
    snprintf(kase, sizeof kase, "%s-case2", run);
    CT_EQ_INT(produceStockoutCase("tm-demo", order, kase, CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED, 10, id), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 2, 60000,
                         "SELECT count(*) FROM compensations WHERE shop_id = 'tm-demo' AND order_id = '%s'", order),
              2);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM finance_requests WHERE shop_id = 'tm-demo' AND order_id = '%s' "
                        "AND amount_fen = 3000",
                        order),
              1);
    CT_EQ_INT(it_pg_int("SELECT amount_fen FROM compensations WHERE shop_id = 'tm-demo' AND case_id = '%s'", kase), 1);
}

/* ---- EX-6 on the Redis clock ------------------------------------------------ */

/* Back to real time: the key and its record (deleting the key alone
 * would have it restored from the record). */
static void clockRelease(void) { it_clock_reset(); }

static long long tasksOf(const it_order *o, const char *rule, const char *kind) {
    return it_pg_int(
        "SELECT count(*) FROM tasks WHERE shop_id = '%s' AND order_id = '%s' AND rule = '%s' AND kind = '%s'", o->shop,
        o->order_id, rule, kind);
}

static void ex6Clock(void) {
    char err[256], run[64];
    it_run_id(run, sizeof run);
    cs_tz *tz = cs_tz_load("Asia/Shanghai", err, sizeof err);
    IT_REQUIRE(tz != NULL);
    /* day 1 = Wed 2031-03-05 (a date no other case uses) */
    cs_day day1 = cs_day_from_ymd(2031, 3, 5);
    int64_t base = cs_tz_instant(tz, day1, 10 * 60);
    int64_t end1 = cs_tz_instant(tz, day1 + 1, 0), day3 = cs_tz_instant(tz, day1 + 2, 0);
    int64_t end3 = cs_tz_instant(tz, day1 + 3, 0), middle2 = cs_tz_instant(tz, day1 + 1, 11 * 60 + 30);
    cs_tz_free(tz);
    IT_REQUIRE(it_clock_set(base) == 0);
    it_worker ov, ex, td;
    static const char *const ovEnv[] = {"CS_CLOCK=redis", NULL};
    static const char *const exEnv[] = {"CS_CLOCK=redis", "CS_GROUP_ID=" EX_GROUP, NULL};
    static const char *const tdEnv[] = {"CS_CLOCK=redis", NULL};
    IT_REQUIRE(it_worker_start(&ov, "ov-clock", ovEnv) == 0);
    IT_REQUIRE(it_worker_start_bin(&ex, EX_NAME, "ex-clock", NULL, exEnv) == 0);
    IT_REQUIRE(it_worker_start_bin(&td, "timer-dispatcher", "td-clock", NULL, tdEnv) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&ov, 60000) && it_worker_wait_assigned(&ex, 60000));

    it_order o;
    oosOrder(&o, run, "d", 0, 5);
    o.created_ms = base - 2 * 3600000;
    o.paid_ms = base - 3600000;
    produceOrder(&o);
    CT_EQ_INT(it_flush(30000), 0);
    IT_REQUIRE(waitException(&o));
    CT_EQ_INT(it_pg_int("SELECT (escalate_due_ms = %lld AND breach_due_ms = %lld AND requeue_due_ms = %lld)::int "
                        "FROM exceptions WHERE order_id = '%s'",
                        (long long)day3, (long long)end3, (long long)end1, o.order_id),
              1);

    /* EX-9: an L2 complaint (4 h) nobody solves, and an L1 (1 h) the
     * supervisor takes up in time */
    char k2[160], k1[160], kid[200];
    snprintf(k2, sizeof k2, "%s-K2", run);
    snprintf(k1, sizeof k1, "%s-K1", run);
    snprintf(kid, sizeof kid, "%s-open", k2);
    CT_EQ_INT(produceComplaint(&o, k2, CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L2_EXPERIENCE, base, false, kid), 0);
    snprintf(kid, sizeof kid, "%s-open", k1);
    CT_EQ_INT(produceComplaint(&o, k1, CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L1_URGENT, base, false, kid), 0);
    snprintf(kid, sizeof kid, "%s-escalated", k1);
    CT_EQ_INT(produceComplaint(&o, k1, CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L1_URGENT, base, true, kid), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM complaints WHERE complaint_id = '%s' AND met_ms IS NOT NULL", k1),
              1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'EX-9'", o.order_id), 2);
    /* 2 complaints in 30 days: VIP */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM buyers WHERE buyer_id = '%s' AND vip", o.buyer), 1);

    /* the end of day 1: top of the middle shift's queue at its next start */
    IT_REQUIRE(it_clock_set(end1) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM sla_breaches WHERE subject = 'complaint' AND subject_id = '%s' "
                         "AND rule = 'EX-9' AND deadline_ms = %lld",
                         k2, (long long)(base + 4 * 3600000LL)),
              1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'EX-6' AND top_of_queue "
                         "AND shift = 'middle' AND queue_at_ms = %lld",
                         o.order_id, (long long)middle2),
              1);

    /* one minute before day 3: no escalation */
    IT_REQUIRE(it_clock_set(day3 - 60000) == 0);
    it_sleep_ms(4000);
    CT_EQ_INT(tasksOf(&o, "EX-6", "TASK_KIND_ESCALATION"), 0);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM exceptions WHERE order_id = '%s' AND escalated_ms IS NOT NULL", o.order_id), 0);

    /* the start of day 3 (local midnight): escalated to the supervisor */
    IT_REQUIRE(it_clock_set(day3) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'EX-6' "
                         "AND kind = 'TASK_KIND_ESCALATION' AND assignee = 'supervisor' AND urgent",
                         o.order_id),
              1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM exceptions WHERE order_id = '%s' AND escalated_ms = %lld", o.order_id,
                        (long long)day3),
              1);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM sla_breaches WHERE subject = 'exception' AND order_id = '%s'", o.order_id), 0);

    /* the end of day 3, still open: one SLA breach */
    IT_REQUIRE(it_clock_set(end3) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM sla_breaches WHERE shop_id = 'tb-demo' AND order_id = '%s' "
                         "AND rule = 'EX-6' AND deadline_ms = %lld",
                         o.order_id, (long long)end3),
              1);
    int port = it_worker_http_port(&ex);
    CT_CHECK(port > 0 && it_metric(port, "cs_ex_sla_breaches_total{rule=\"EX-6\"}") >= 1);
    CT_EQ_INT(tasksOf(&o, "EX-6", "TASK_KIND_ESCALATION"), 2); /* the escalation and the breach */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM sla_breaches WHERE subject = 'complaint' AND subject_id = '%s'", k1), 0);
}

static void test_ex6_left_open_escalated_at_start_of_day3_not_before(void) {
    ex6Clock();
    clockRelease();
}

IT_MAIN(CT_CASE(test_ex3_out_of_stock_paid_yesterday_gives_call_task),
        CT_CASE(test_ex4_unreachable_gives_exactly_one_message),
        CT_CASE(test_ex8_cancellation_registered_with_finance_request_once),
        CT_CASE(test_same_event_twice_changes_nothing), CT_CASE(test_ex7_tmall_stockout_refund_compensated_once),
        CT_CASE(test_ex6_left_open_escalated_at_start_of_day3_not_before))
