/* it_verifier.c -- the order-verifier against the real stack: orders
 * produced to Kafka end as the right verdicts in PostgreSQL and on
 * cs.verdicts.v1; replays change nothing; events of one order out of order
 * end right (OV-12); the last unit of a SKU goes to exactly one order and
 * OV-9 holds across partitions with two worker processes, at every link of
 * a chain of repeat orders; poison goes to the dead-letter topic with its
 * reason while neighbours are applied; orders already stored are
 * rewritten right by later batches, and OV-11's quality cases recorded
 * once; migrations re-run cleanly; bad configuration stops the process
 * with exit code 2 naming the problem; logs carry no full phone number. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "it.h"
#include "cs/clock.h"
#include "cs/tz.h"
#include "cs/util.h"

#define KIND(k) CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_##k

/* ---- helpers ------------------------------------------------------------------ */

static void orderCol(char *out, size_t len, const char *col, const it_order *o) {
    it_pg_text(out, len, "SELECT %s FROM orders WHERE shop_id = '%s' AND order_id = '%s'", col, o->shop, o->order_id);
}

static long long verdictsOf(const it_order *o) {
    return it_pg_int("SELECT count(*) FROM verdicts WHERE shop_id = '%s' AND order_id = '%s'", o->shop, o->order_id);
}

/* Produces CREATED (and PAID unless unpaid) for o with ids "<order>-c" / "-p". */
static void produceOrder(const it_order *o, bool paid) {
    char id[200];
    snprintf(id, sizeof id, "%s-c", o->order_id);
    CT_EQ_INT(it_produce_order_event(o, KIND(CREATED), id, o->created_ms, false, NULL), 0);
    if (paid) {
        snprintf(id, sizeof id, "%s-p", o->order_id);
        CT_EQ_INT(it_produce_order_event(o, KIND(PAID), id, o->paid_ms, false, NULL), 0);
    }
}

/* Stock levels for the SKUs, applied (rows present) before returning. */
static bool stockLevels(const char *run, const char *shop, const char *const *skus, int n, int32_t available) {
    char id[200];
    int64_t now = it_wall_ms();
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "%s-inv-%s-%s-%d", run, shop, skus[i], available);
        if (it_produce_inventory(shop, skus[i], available, now, id, NULL) != 0) return false;
    }
    if (it_flush(30000) != 0) return false;
    char list[2048] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s'%s'", i ? "," : "", skus[i]);
    return it_wait_pg(IT_EQ, n, 60000,
                      "SELECT count(*) FROM stock WHERE shop_id = '%s' AND sku IN (%s) AND available = %d", shop, list,
                      (int)available) == n;
}

static bool startWorker(it_worker *w, const char *name, const char *const *env) {
    if (it_worker_start(w, name, env) != 0) return false;
    if (!it_worker_wait_assigned(w, 60000)) {
        fprintf(stderr, "  %s: no partitions assigned (log %s)\n", name, w->log);
        return false;
    }
    return true;
}

/* Two workers in the group with the partitions of shop.orders.v1 split
 * between them: own1[p] / own2[p] say who owns p. */
static bool startPair(it_worker *w1, it_worker *w2, bool own1[6], bool own2[6]) {
    if (!startWorker(w1, "pair-a", NULL)) return false;
    if (it_worker_start(w2, "pair-b", NULL) != 0) return false;
    int64_t t0 = it_now_ms();
    while (it_now_ms() - t0 < 60000) {
        if (it_worker_wait_assigned(w2, 500) && it_worker_wait_assigned(w1, 500)) {
            int n1 = it_worker_assigned(w1, IT_TOPIC_ORDERS, own1, 6);
            int n2 = it_worker_assigned(w2, IT_TOPIC_ORDERS, own2, 6);
            bool disjoint = true;
            for (int p = 0; p < 6; p++) disjoint = disjoint && !(own1[p] && own2[p]);
            if (n1 > 0 && n2 > 0 && n1 + n2 == 6 && disjoint) {
                it_measure("two workers share shop.orders.v1 (%d + %d partitions) after %lld ms", n1, n2,
                           (long long)(it_now_ms() - t0));
                return true;
            }
        }
        it_sleep_ms(100);
    }
    fprintf(stderr, "  the two workers did not split the partitions (logs %s, %s)\n", w1->log, w2->log);
    return false;
}

static int firstOwned(const bool own[6]) {
    for (int p = 0; p < 6; p++)
        if (own[p]) return p;
    return -1;
}

/* ---- verdicts ------------------------------------------------------------------ */

/* OV-1..OV-8, OV-12: each order ends in the state its rule asks for, in
 * PostgreSQL and on cs.verdicts.v1 (same order, version, state, event id). */
static void test_orders_end_as_right_verdicts_in_pg_and_on_topic(void) {
    char run[64], sku[96], nostock[96], id[160], buyer[160];
    it_run_id(run, sizeof run);
    snprintf(sku, sizeof sku, "SKU-%s-A", run);
    snprintf(nostock, sizeof nostock, "SKU-%s-NONE", run);
    it_reader *topic = it_reader_open(IT_TOPIC_VERDICTS, false);
    IT_REQUIRE(topic != NULL);
    it_worker w;
    IT_REQUIRE(startWorker(&w, "verdicts", NULL));
    const char *skus[] = {sku};
    IT_REQUIRE(stockLevels(run, "tb-demo", skus, 1, 1000));
    IT_REQUIRE(stockLevels(run, "us-dst", skus, 1, 1000));

    enum { PLAIN, UNPAID, BANK, NOSTOCK, COD_UNREACHABLE, MEMO, MISMATCH, N };
    static const char *const wantState[N] = {
        "VERIFIED", "PENDING_PAYMENT", "PENDING_FINANCE_CHECK", "EXCEPTION", "EXCEPTION", "ON_HOLD", "EXCEPTION"};
    static const char *const wantReason[N] = {NULL,
                                              "UNPAID",
                                              "AWAITING_BUYER_PAYMENT",
                                              "OUT_OF_STOCK",
                                              "COURIER_UNREACHABLE",
                                              "BUYER_MESSAGE_REVIEW",
                                              "AMOUNT_MISMATCH"};
    static const int wantVersion[N] = {2, 1, 1, 2, 1, 2, 2};
    it_order o[N];
    int64_t t0 = it_now_ms();
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "%s-o%d", run, i);
        snprintf(buyer, sizeof buyer, "%s-b%d", run, i);
        it_order_init(&o[i], i == COD_UNREACHABLE ? "us-dst" : "tb-demo", id, buyer, i == NOSTOCK ? nostock : sku, NULL,
                      i);
        bool paid = true;
        switch (i) {
            case UNPAID: paid = false; break;
            case BANK:
                o[i].pay = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER;
                paid = false;
                break;
            case COD_UNREACHABLE: /* OV-4/OV-5: us-dst's only courier collects no cash */
                o[i].pay = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD;
                o[i].cod = true;
                paid = false;
                break;
            case MEMO: snprintf(o[i].seller_memo, sizeof o[i].seller_memo, "买家要求开发票"); break;
            case MISMATCH: o[i].paid_fen = it_order_payable(&o[i]) + 100; break;
            default: break;
        }
        produceOrder(&o[i], paid);
    }
    CT_EQ_INT(it_flush(30000), 0);
    long long want = 0;
    for (int i = 0; i < N; i++) want += wantVersion[i];
    CT_EQ_INT(it_wait_pg(IT_EQ, want, 60000, "SELECT count(*) FROM verdicts WHERE order_id LIKE '%s-o%%'", run), want);
    it_measure("%d orders -> %lld verdicts in %lld ms", N, want, (long long)(it_now_ms() - t0));

    for (int i = 0; i < N; i++) {
        char st[64], reasons[512], ver[16];
        orderCol(st, sizeof st, "state", &o[i]);
        orderCol(reasons, sizeof reasons, "array_to_string(reasons, ',')", &o[i]);
        orderCol(ver, sizeof ver, "version", &o[i]);
        fprintf(stderr, "  order %d: %s v%s [%s]\n", i, st, ver, reasons);
        CT_EQ_STR(st, wantState[i]);
        CT_EQ_INT(atoi(ver), wantVersion[i]);
        if (wantReason[i])
            CT_CHECK(strstr(reasons, wantReason[i]) != NULL);
        else
            CT_EQ_STR(reasons, "");
        CT_EQ_INT(verdictsOf(&o[i]), wantVersion[i]);
    }
    /* OV-1/OV-2 amounts and OV-4 courier of the plain order */
    CT_EQ_INT(
        it_pg_int("SELECT payable_fen FROM verdicts WHERE shop_id = 'tb-demo' AND order_id = '%s' AND version = 2",
                  o[PLAIN].order_id),
        it_order_payable(&o[PLAIN]));
    CT_EQ_INT(
        it_pg_int("SELECT item_total_fen FROM verdicts WHERE shop_id = 'tb-demo' AND order_id = '%s' AND version = 2",
                  o[PLAIN].order_id),
        it_order_item_total(&o[PLAIN]));
    char courier[32];
    orderCol(courier, sizeof courier, "courier", &o[PLAIN]);
    CT_EQ_STR(courier, "YTO");
    /* OV-8: the plain order holds its units, the short one waits for its SKU */
    CT_EQ_INT(
        it_pg_int(
            "SELECT coalesce(sum(quantity), 0) FROM stock_reservations WHERE shop_id = 'tb-demo' AND order_id = '%s'",
            o[PLAIN].order_id),
        2);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM stock_waits WHERE shop_id = 'tb-demo' AND order_id = '%s' AND sku = '%s'",
                        o[NOSTOCK].order_id, nostock),
              1);

    long missing, mismatch, records;
    long rows = it_verdicts_on_topic(topic, run, 30000, &missing, &mismatch, &records);
    CT_EQ_INT(rows, want);
    CT_EQ_INT(missing, 0);
    CT_EQ_INT(mismatch, 0);
    it_measure("cs.verdicts.v1: %ld records for %ld verdict rows", records, rows);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 30000), 0);
    it_reader_close(topic);
}

/* Exactly once (CONTRACTS.md): the same event again, later or in the same
 * batch, changes nothing: no second verdict, the order's version stays. */
static void test_same_event_twice_changes_nothing(void) {
    char run[64], sku[96], id[160], buyer[160];
    it_run_id(run, sizeof run);
    snprintf(sku, sizeof sku, "SKU-%s-A", run);
    it_reader *topic = it_reader_open(IT_TOPIC_VERDICTS, false);
    IT_REQUIRE(topic != NULL);
    it_worker w;
    IT_REQUIRE(startWorker(&w, "twice", NULL));
    const char *skus[] = {sku};
    IT_REQUIRE(stockLevels(run, "tb-demo", skus, 1, 1000));

    it_order x, y, m;
    snprintf(id, sizeof id, "%s-x", run);
    snprintf(buyer, sizeof buyer, "%s-bx", run);
    it_order_init(&x, "tb-demo", id, buyer, sku, NULL, 1);
    produceOrder(&x, true);
    CT_EQ_INT(it_flush(30000), 0);
    IT_REQUIRE(it_wait_pg(IT_EQ, 2, 60000,
                          "SELECT count(*) FROM verdicts WHERE shop_id = 'tb-demo' AND order_id = '%s'",
                          x.order_id) == 2);
    long long processed = it_pg_int(
        "SELECT count(*) FROM processed_events WHERE worker = '%s' AND event_id LIKE '%s-%%'", IT_WORKER_NAME, run);

    /* the payment again, twice; y's creation twice back to back (one batch) */
    char key[256];
    snprintf(key, sizeof key, "tb-demo:%s", x.order_id);
    int32_t part = it_partition_of(IT_TOPIC_ORDERS, key);
    snprintf(id, sizeof id, "%s-p", x.order_id);
    CT_EQ_INT(it_produce_order_event(&x, KIND(PAID), id, x.paid_ms, false, NULL), 0);
    CT_EQ_INT(it_produce_order_event(&x, KIND(PAID), id, x.paid_ms, false, NULL), 0);
    snprintf(id, sizeof id, "%s-y", run);
    snprintf(buyer, sizeof buyer, "%s-by", run);
    it_order_init(&y, "tb-demo", id, buyer, sku, NULL, 2);
    snprintf(id, sizeof id, "%s-c", y.order_id);
    CT_EQ_INT(it_produce_order_event(&y, KIND(CREATED), id, y.created_ms, false, NULL), 0);
    CT_EQ_INT(it_produce_order_event(&y, KIND(CREATED), id, y.created_ms, false, NULL), 0);
    /* a marker behind the duplicates of x on x's partition: once it has its
     * verdict, the duplicates before it have been consumed */
    int n = 0;
    char mid[160], prefix[100];
    snprintf(prefix, sizeof prefix, "%s-m", run);
    it_order_id_on_partition(mid, sizeof mid, "tb-demo", prefix, part, &n);
    snprintf(buyer, sizeof buyer, "%s-bm", run);
    it_order_init(&m, "tb-demo", mid, buyer, sku, NULL, 3);
    produceOrder(&m, false);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000, "SELECT count(*) FROM verdicts WHERE shop_id = 'tb-demo' AND order_id = '%s'",
                         m.order_id),
              1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000, "SELECT count(*) FROM verdicts WHERE shop_id = 'tb-demo' AND order_id = '%s'",
                         y.order_id),
              1);

    char ver[16];
    orderCol(ver, sizeof ver, "version", &x);
    CT_EQ_STR(ver, "2");
    CT_EQ_INT(verdictsOf(&x), 2);
    orderCol(ver, sizeof ver, "version", &y);
    CT_EQ_STR(ver, "1");
    CT_EQ_INT(verdictsOf(&y), 1);
    /* 2 new distinct events (y's creation, m's creation); nothing for the replays */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM processed_events WHERE worker = '%s' AND event_id LIKE '%s-%%'",
                        IT_WORKER_NAME, run),
              processed + 2);
    /* on the topic: x's two verdicts only, no v3 */
    long missing, mismatch, records;
    long rows = it_verdicts_on_topic(topic, run, 20000, &missing, &mismatch, &records);
    CT_EQ_INT(rows, 4);
    CT_EQ_INT(missing, 0);
    CT_EQ_INT(mismatch, 0);
    size_t x_records = 0;
    bool v1 = false, v2 = false;
    for (size_t i = 0; i < it_reader_count(topic); i++) {
        const it_rec *r = it_reader_get(topic, i);
        if (r->env && r->env->verdict && strcmp(r->env->verdict->order_id, x.order_id) == 0) {
            x_records++;
            CT_CHECK(r->env->verdict->version <= 2);
            v1 = v1 || r->env->verdict->version == 1;
            v2 = v2 || r->env->verdict->version == 2;
        }
    }
    CT_CHECK(v1 && v2);
    it_measure(
        "replayed payment x2 and creation x2: versions unchanged; x has %zu verdict records on the topic (v1, v2)",
        x_records);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 30000), 0);
    it_reader_close(topic);
}

/* OV-12: a payment before the creation, and an address change before the
 * creation (newer by modified time), end as if they came in order. */
static void test_ov12_out_of_order_events_end_right(void) {
    char run[64], sku[96], id[160], buyer[160];
    it_run_id(run, sizeof run);
    snprintf(sku, sizeof sku, "SKU-%s-A", run);
    it_worker w;
    IT_REQUIRE(startWorker(&w, "ooo", NULL));
    const char *skus[] = {sku};
    IT_REQUIRE(stockLevels(run, "tb-demo", skus, 1, 1000));

    it_order p, a, stale;
    snprintf(id, sizeof id, "%s-pay-first", run);
    snprintf(buyer, sizeof buyer, "%s-bp", run);
    it_order_init(&p, "tb-demo", id, buyer, sku, NULL, 1);
    snprintf(id, sizeof id, "%s-p", p.order_id);
    CT_EQ_INT(it_produce_order_event(&p, KIND(PAID), id, p.paid_ms, false, NULL), 0);
    snprintf(id, sizeof id, "%s-c", p.order_id);
    CT_EQ_INT(it_produce_order_event(&p, KIND(CREATED), id, p.created_ms, false, NULL), 0);

    /* the address change (complete) is newer than the creation (no district) */
    snprintf(id, sizeof id, "%s-addr-first", run);
    snprintf(buyer, sizeof buyer, "%s-ba", run);
    it_order_init(&a, "tb-demo", id, buyer, sku, NULL, 2);
    stale = a;
    stale.district[0] = 0;
    snprintf(a.street, sizeof a.street, "天目山路88号 新地址");
    snprintf(id, sizeof id, "%s-a", a.order_id);
    CT_EQ_INT(it_produce_order_event(&a, KIND(ADDRESS_CHANGED), id, a.created_ms + 120000, false, NULL), 0);
    snprintf(id, sizeof id, "%s-c", a.order_id);
    CT_EQ_INT(it_produce_order_event(&stale, KIND(CREATED), id, a.created_ms, true, NULL), 0);
    CT_EQ_INT(it_flush(30000), 0);

    CT_EQ_INT(it_wait_pg(IT_EQ, 2, 60000, "SELECT count(*) FROM orders WHERE order_id IN ('%s','%s') AND version = 2",
                         p.order_id, a.order_id),
              2);
    char st[64], reasons[256], paid[32];
    orderCol(st, sizeof st, "state", &p);
    orderCol(reasons, sizeof reasons, "array_to_string(reasons, ',')", &p);
    orderCol(paid, sizeof paid, "paid_fen", &p);
    fprintf(stderr, "  payment first: %s [%s] paid %s\n", st, reasons, paid);
    CT_EQ_STR(st, "VERIFIED");
    CT_EQ_INT(atoll(paid), it_order_payable(&p));
    /* no verdict before the creation: one verdict, for version 2 */
    CT_EQ_INT(verdictsOf(&p), 1);
    CT_EQ_INT(it_pg_int("SELECT version FROM verdicts WHERE shop_id = 'tb-demo' AND order_id = '%s'", p.order_id), 2);

    orderCol(st, sizeof st, "state", &a);
    orderCol(reasons, sizeof reasons, "array_to_string(reasons, ',')", &a);
    fprintf(stderr, "  address change first: %s [%s]\n", st, reasons);
    CT_EQ_STR(st, "VERIFIED"); /* the stale creation's incomplete address did not win */
    CT_CHECK(strstr(reasons, "ADDRESS_INCOMPLETE") == NULL);
    CT_EQ_INT(verdictsOf(&a), 1);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 30000), 0);
}

/* OV-14 across topics: an invoice request (shop.contacts.v1) that comes
 * before its order (shop.orders.v1) waits in the order's state and is
 * answered once the order is created: not dead-lettered, answered once. */
static void test_ov14_invoice_request_before_its_order_is_answered(void) {
    char run[64], sku[96], id[160], buyer[160], key[256];
    it_run_id(run, sizeof run);
    snprintf(sku, sizeof sku, "SKU-%s-A", run);
    it_worker w;
    IT_REQUIRE(startWorker(&w, "inv", NULL));
    const char *skus[] = {sku};
    IT_REQUIRE(stockLevels(run, "tb-demo", skus, 1, 1000));
    it_order o;
    snprintf(id, sizeof id, "%s-inv", run);
    snprintf(buyer, sizeof buyer, "%s-b", run);
    it_order_init(&o, "tb-demo", id, buyer, sku, NULL, 1);

    Cs__V1__InvoiceRequest inv = CS__V1__INVOICE_REQUEST__INIT;
    Cs__V1__ContactEvent ce = CS__V1__CONTACT_EVENT__INIT;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    inv.order_id = o.order_id;
    inv.buyer_id = buyer;
    inv.title = (char *)"杭州某某有限公司";
    ce.body_case = CS__V1__CONTACT_EVENT__BODY_INVOICE;
    ce.invoice = &inv;
    snprintf(id, sizeof id, "%s-invoice", o.order_id);
    env.event_id = id;
    env.shop_id = (char *)"tb-demo";
    env.event_ms = o.created_ms + 60000;
    env.ingest_ms = it_wall_ms();
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_CONTACT;
    env.contact = &ce;
    snprintf(key, sizeof key, "tb-demo:%s", o.order_id);
    CT_EQ_INT(it_produce_env("shop.contacts.v1", -1, key, &env, NULL), 0);
    CT_EQ_INT(it_flush(30000), 0);
    /* the request is taken in (the order's state row exists) before the order comes */
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000, "SELECT count(*) FROM orders WHERE shop_id = 'tb-demo' AND order_id = '%s'",
                         o.order_id),
              1);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM notification_requests WHERE order_id = '%s' AND rule = 'OV-14'", o.order_id),
        0);
    /* and replayed: still one answer in the end */
    CT_EQ_INT(it_produce_env("shop.contacts.v1", -1, key, &env, NULL), 0);
    snprintf(id, sizeof id, "%s-c", o.order_id);
    CT_EQ_INT(it_produce_order_event(&o, KIND(CREATED), id, o.created_ms, true, NULL), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM notification_requests WHERE order_id = '%s' AND rule = 'OV-14'",
                         o.order_id),
              1);
    it_sleep_ms(500);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM notification_requests WHERE order_id = '%s' AND rule = 'OV-14'", o.order_id),
        1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM dead_letters WHERE event_id = '%s-invoice'", o.order_id), 0);
    it_measure("invoice request before its order: answered once when the order came, none dead-lettered");
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 30000), 0);
}

/* An order event the harness does not build: SHIPPED with its shipment,
 * or a whole-order CANCELLED. */
static int produceOrderChange(const it_order *o, Cs__V1__OrderEventKind kind, const char *event_id, int64_t event_ms) {
    Cs__V1__Order part = CS__V1__ORDER__INIT;
    Cs__V1__Shipment ship = CS__V1__SHIPMENT__INIT;
    Cs__V1__Cancellation can = CS__V1__CANCELLATION__INIT;
    Cs__V1__OrderEvent oe = CS__V1__ORDER_EVENT__INIT;
    part.order_id = (char *)o->order_id;
    part.modified_ms = event_ms;
    oe.kind = kind;
    oe.order = &part;
    if (kind == KIND(SHIPPED)) {
        ship.courier = (char *)o->courier;
        ship.tracking_no = (char *)"YT0000000001";
        ship.shipped_ms = event_ms;
        oe.shipment = &ship;
    } else {
        can.reason = (char *)"买家不想要了";
        oe.cancellation = &can;
    }
    return it_produce_order_body(o, &oe, event_id, event_ms);
}

static int produceCase(const char *run, const char *case_id, const char *sku, Cs__V1__CaseReason reason,
                       int64_t requested_ms, int64_t event_ms, const char *event_id) {
    Cs__V1__AfterSalesCase c = CS__V1__AFTER_SALES_CASE__INIT;
    Cs__V1__AfterSalesEvent ae = CS__V1__AFTER_SALES_EVENT__INIT;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    char order[128];
    snprintf(order, sizeof order, "%s-qo", run);
    c.case_id = (char *)case_id;
    c.order_id = order;
    c.sku = (char *)sku;
    c.type = CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY;
    c.reason = reason;
    c.requested_ms = requested_ms;
    ae.body_case = CS__V1__AFTER_SALES_EVENT__BODY_CASE;
    ae.case_ = &c;
    env.event_id = (char *)event_id;
    env.shop_id = (char *)"tb-demo";
    env.event_ms = event_ms;
    env.ingest_ms = it_wall_ms();
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_AFTERSALES;
    env.aftersales = &ae;
    char key[256];
    snprintf(key, sizeof key, "tb-demo:%s", order);
    return it_produce_env("shop.aftersales.v1", -1, key, &env, NULL);
}

/* Orders already in PostgreSQL are rewritten in place by later batches
 * (the upsert of existing rows): a payment re-verifies (state, reasons,
 * amounts, reservations, fingerprint, document written); a shipment or a
 * cancellation, which verify nothing, keep the stored reasons and amounts.
 * OV-11's quality cases are recorded once per case id, the first opening
 * kept; other reasons are not recorded. */
static void test_existing_orders_rewritten_and_quality_cases_recorded(void) {
    char run[64], sku[96], id[160], buyer[160], st[64], reasons[256], col[64];
    it_run_id(run, sizeof run);
    snprintf(sku, sizeof sku, "SKU-%s-A", run);
    it_worker w;
    IT_REQUIRE(startWorker(&w, "rewrite", NULL));
    const char *skus[] = {sku};
    IT_REQUIRE(stockLevels(run, "tb-demo", skus, 1, 1000));

    it_order x, y;
    snprintf(id, sizeof id, "%s-x", run);
    snprintf(buyer, sizeof buyer, "%s-bx", run);
    it_order_init(&x, "tb-demo", id, buyer, sku, NULL, 1);
    snprintf(id, sizeof id, "%s-y", run);
    snprintf(buyer, sizeof buyer, "%s-by", run);
    it_order_init(&y, "tb-demo", id, buyer, sku, NULL, 2);
    produceOrder(&x, false);
    produceOrder(&y, false);
    CT_EQ_INT(it_flush(30000), 0);
    IT_REQUIRE(it_wait_pg(IT_EQ, 2, 60000,
                          "SELECT count(*) FROM orders WHERE order_id IN ('%s', '%s') AND state = "
                          "'PENDING_PAYMENT'",
                          x.order_id, y.order_id) == 2);

    /* x paid (re-verified), y cancelled (nothing verified), each in a later batch */
    snprintf(id, sizeof id, "%s-p", x.order_id);
    CT_EQ_INT(it_produce_order_event(&x, KIND(PAID), id, x.paid_ms, false, NULL), 0);
    snprintf(id, sizeof id, "%s-cancel", y.order_id);
    CT_EQ_INT(produceOrderChange(&y, KIND(CANCELLED), id, y.created_ms + 120000), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(
        it_wait_pg(IT_EQ, 1, 60000, "SELECT count(*) FROM orders WHERE order_id = '%s' AND version = 2", x.order_id),
        1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM orders WHERE order_id = '%s' AND cancelled_ms IS NOT NULL", y.order_id),
              1);
    orderCol(st, sizeof st, "state", &x);
    CT_EQ_STR(st, "VERIFIED");
    orderCol(reasons, sizeof reasons, "reasons::text", &x);
    CT_EQ_STR(reasons, "{}");
    orderCol(col, sizeof col, "paid_fen", &x);
    CT_EQ_INT(atoll(col), it_order_payable(&x));
    orderCol(col, sizeof col, "payable_fen", &x);
    CT_EQ_INT(atoll(col), it_order_payable(&x));
    orderCol(col, sizeof col, "item_total_fen", &x);
    CT_EQ_INT(atoll(col), it_order_item_total(&x));
    orderCol(col, sizeof col, "paid_ms", &x);
    CT_EQ_INT(atoll(col), x.paid_ms);
    orderCol(col, sizeof col, "buyer_id", &x);
    CT_EQ_STR(col, x.buyer);
    orderCol(col, sizeof col, "fingerprint IS NOT NULL AND length(doc) > 0", &x);
    CT_EQ_STR(col, "t");
    CT_EQ_INT(
        it_pg_int(
            "SELECT coalesce(sum(quantity), 0) FROM stock_reservations WHERE shop_id = 'tb-demo' AND order_id = '%s' "
            "AND sku = '%s'",
            x.order_id, sku),
        2);
    CT_EQ_INT(verdictsOf(&x), 2);
    /* y: the stored reasons and amounts stay; its units are given back */
    orderCol(st, sizeof st, "state", &y);
    CT_EQ_STR(st, "PENDING_PAYMENT");
    orderCol(reasons, sizeof reasons, "array_to_string(reasons, ',')", &y);
    CT_CHECK(strstr(reasons, "UNPAID") != NULL);
    orderCol(col, sizeof col, "item_total_fen", &y);
    CT_EQ_INT(atoll(col), it_order_item_total(&y));
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM orders WHERE order_id = '%s' AND reserved_skus IS NULL", y.order_id), 1);
    CT_EQ_INT(verdictsOf(&y), 1);

    /* x shipped: no verification, the row keeps what the payment wrote */
    snprintf(id, sizeof id, "%s-ship", x.order_id);
    int64_t shipped = x.paid_ms + 3600000;
    CT_EQ_INT(produceOrderChange(&x, KIND(SHIPPED), id, shipped), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000, "SELECT count(*) FROM orders WHERE order_id = '%s' AND shipped_ms = %lld",
                         x.order_id, (long long)shipped),
              1);
    orderCol(st, sizeof st, "state", &x);
    CT_EQ_STR(st, "VERIFIED");
    orderCol(col, sizeof col, "payable_fen", &x);
    CT_EQ_INT(atoll(col), it_order_payable(&x));
    orderCol(reasons, sizeof reasons, "reasons::text", &x);
    CT_EQ_STR(reasons, "{}");
    CT_EQ_INT(verdictsOf(&x), 2);

    /* OV-11: quality cases, once per case id */
    char q1[128], q2[128], q3[128];
    snprintf(q1, sizeof q1, "%s-q1", run);
    snprintf(q2, sizeof q2, "%s-q2", run);
    snprintf(q3, sizeof q3, "%s-q3", run);
    int64_t now = it_wall_ms(), r1 = now - 86400000;
    snprintf(id, sizeof id, "%s-e1", q1);
    CT_EQ_INT(produceCase(run, q1, sku, CS__V1__CASE_REASON__CASE_REASON_QUALITY, r1, now, id), 0);
    snprintf(id, sizeof id, "%s-e1", q2);
    CT_EQ_INT(produceCase(run, q2, sku, CS__V1__CASE_REASON__CASE_REASON_QUALITY, 0, now - 5000, id), 0);
    snprintf(id, sizeof id, "%s-e1", q3);
    CT_EQ_INT(produceCase(run, q3, sku, CS__V1__CASE_REASON__CASE_REASON_WRONG_ITEM, r1, now, id), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 2, 60000, "SELECT count(*) FROM quality_cases WHERE case_id LIKE '%s-q%%'", run), 2);
    /* the same case again (a later event of it): still one row, its first opening */
    snprintf(id, sizeof id, "%s-e2", q1);
    CT_EQ_INT(produceCase(run, q1, sku, CS__V1__CASE_REASON__CASE_REASON_QUALITY, now, now, id), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM processed_events WHERE worker = '%s' AND event_id = '%s'",
                         IT_WORKER_NAME, id),
              1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM quality_cases WHERE case_id LIKE '%s-q%%'", run), 2);
    CT_EQ_INT(
        it_pg_int("SELECT opened_ms FROM quality_cases WHERE shop_id = 'tb-demo' AND case_id = '%s' AND sku = '%s'", q1,
                  sku),
        r1);
    CT_EQ_INT(it_pg_int("SELECT opened_ms FROM quality_cases WHERE shop_id = 'tb-demo' AND case_id = '%s'", q2),
              now - 5000);
    it_measure("existing orders rewritten by later batches (payment, cancellation, shipment); 2 quality cases of 3, "
               "once each");
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 30000), 0);
}

/* ---- across partitions, two worker processes ------------------------------------ */

#define RACE_PAIRS 5

/* OV-8: the last unit of a SKU, bought at once by two orders on partitions
 * owned by different worker processes, goes to exactly one of them. */
static void test_ov8_last_unit_goes_to_exactly_one_order_across_workers(void) {
    char run[64], id[160], buyer[160], prefix[100];
    char skus[RACE_PAIRS][96];
    const char *skp[RACE_PAIRS];
    it_run_id(run, sizeof run);
    for (int i = 0; i < RACE_PAIRS; i++) {
        snprintf(skus[i], sizeof skus[i], "SKU-%s-LAST%d", run, i);
        skp[i] = skus[i];
    }
    it_worker w1, w2;
    bool own1[6], own2[6];
    IT_REQUIRE(startPair(&w1, &w2, own1, own2));
    IT_REQUIRE(stockLevels(run, "tb-demo", skp, RACE_PAIRS, 1));

    int p1 = firstOwned(own1), p2 = firstOwned(own2), n1 = 0, n2 = 0;
    it_order a[RACE_PAIRS], b[RACE_PAIRS];
    for (int i = 0; i < RACE_PAIRS; i++) {
        snprintf(prefix, sizeof prefix, "%s-a%d-", run, i);
        it_order_id_on_partition(id, sizeof id, "tb-demo", prefix, p1, &n1);
        snprintf(buyer, sizeof buyer, "%s-ba%d", run, i);
        it_order_init(&a[i], "tb-demo", id, buyer, skus[i], NULL, 10 + i);
        snprintf(prefix, sizeof prefix, "%s-b%d-", run, i);
        it_order_id_on_partition(id, sizeof id, "tb-demo", prefix, p2, &n2);
        snprintf(buyer, sizeof buyer, "%s-bb%d", run, i);
        it_order_init(&b[i], "tb-demo", id, buyer, skus[i], NULL, 20 + i);
        a[i].lines[0].qty = b[i].lines[0].qty = 1;
    }
    /* each pair at once (created already paid) on both partitions, the
     * pair's first order alternating between them */
    for (int i = 0; i < RACE_PAIRS; i++) {
        it_order *first = i % 2 ? &b[i] : &a[i], *second = i % 2 ? &a[i] : &b[i];
        snprintf(id, sizeof id, "%s-cp", first->order_id);
        CT_EQ_INT(it_produce_order_event(first, KIND(CREATED), id, first->created_ms, true, NULL), 0);
        snprintf(id, sizeof id, "%s-cp", second->order_id);
        CT_EQ_INT(it_produce_order_event(second, KIND(CREATED), id, second->created_ms, true, NULL), 0);
        CT_EQ_INT(it_flush(30000), 0);
    }
    CT_EQ_INT(
        it_wait_pg(IT_EQ, 2 * RACE_PAIRS, 60000, "SELECT count(*) FROM verdicts WHERE order_id LIKE '%s-%%'", run),
        2 * RACE_PAIRS);

    int winners_a = 0;
    for (int i = 0; i < RACE_PAIRS; i++) {
        char sa[64], sb[64], ra[256], rb[256];
        orderCol(sa, sizeof sa, "state", &a[i]);
        orderCol(sb, sizeof sb, "state", &b[i]);
        orderCol(ra, sizeof ra, "array_to_string(reasons, ',')", &a[i]);
        orderCol(rb, sizeof rb, "array_to_string(reasons, ',')", &b[i]);
        fprintf(stderr, "  %s: partition %d %s [%s] / partition %d %s [%s]\n", skus[i], p1, sa, ra, p2, sb, rb);
        CT_EQ_INT(it_pg_int("SELECT available FROM stock WHERE shop_id = 'tb-demo' AND sku = '%s'", skus[i]), 0);
        CT_EQ_INT(
            it_pg_int("SELECT count(*) FROM stock_reservations WHERE shop_id = 'tb-demo' AND sku = '%s'", skus[i]), 1);
        CT_EQ_INT(
            it_pg_int(
                "SELECT coalesce(sum(quantity), 0) FROM stock_reservations WHERE shop_id = 'tb-demo' AND sku = '%s'",
                skus[i]),
            1);
        bool a_won = strcmp(sa, "VERIFIED") == 0, b_won = strcmp(sb, "VERIFIED") == 0;
        CT_CHECK(a_won != b_won);
        const char *lost_reasons = a_won ? rb : ra;
        CT_EQ_STR(a_won ? sb : sa, "EXCEPTION");
        CT_CHECK(strstr(lost_reasons, "OUT_OF_STOCK") != NULL);
        winners_a += a_won;
    }
    it_measure("%d last units: %d went to worker a's partition %d, %d to worker b's partition %d, none twice",
               RACE_PAIRS, winners_a, p1, RACE_PAIRS - winners_a, p2);
    double c1 = it_metric(it_worker_http_port(&w1), "cs_ov_stock_conflicts_total"),
           c2 = it_metric(it_worker_http_port(&w2), "cs_ov_stock_conflicts_total");
    CT_CHECK(c1 >= 0 && c2 >= 0);
    it_measure("order batches that found stock moved under them and were retried with locks: %.0f + %.0f", c1, c2);
    CT_EQ_INT(it_worker_stop(&w1, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
}

/* OV-8 without locks, forced: an order batch reads the last unit (no
 * lock), decides to reserve it, and at write time finds the row taken by
 * another transaction that sets the level to 0 before letting go. The
 * batch must fail its check and be retried with the stock locked, which
 * makes the order OUT_OF_STOCK and reserves nothing. */
static void test_ov8_stock_moved_under_a_batch_is_retried_with_locks(void) {
    char run[64], sku[96], id[160], buyer[160], sql[512];
    it_run_id(run, sizeof run);
    snprintf(sku, sizeof sku, "SKU-%s-MOVED", run);
    const char *skp[] = {sku};
    it_worker w;
    IT_REQUIRE(startWorker(&w, "moved", NULL));
    IT_REQUIRE(stockLevels(run, "tb-demo", skp, 1, 1));
    PGconn *held = PQconnectdb(it.pg_dsn);
    IT_REQUIRE(PQstatus(held) == CONNECTION_OK);
    snprintf(sql, sizeof sql, "BEGIN; SELECT available FROM stock WHERE shop_id = 'tb-demo' AND sku = '%s' FOR UPDATE",
             sku);
    PGresult *r = PQexec(held, sql);
    IT_REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
    PQclear(r);
    it_order o;
    snprintf(id, sizeof id, "%s-moved", run);
    snprintf(buyer, sizeof buyer, "%s-bm", run);
    it_order_init(&o, "tb-demo", id, buyer, sku, NULL, 7);
    o.lines[0].qty = 1;
    produceOrder(&o, true);
    CT_EQ_INT(it_flush(30000), 0);
    /* the verifier has read 1 and now waits for the row at its check */
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                         "AND query LIKE '%%FOR UPDATE OF s%%' AND pid <> pg_backend_pid()"),
              1);
    snprintf(sql, sizeof sql, "UPDATE stock SET available = 0 WHERE shop_id = 'tb-demo' AND sku = '%s'; COMMIT", sku);
    r = PQexec(held, sql);
    CT_EQ_INT(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(held);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM orders WHERE shop_id = 'tb-demo' AND order_id = '%s' "
                         "AND version = 2",
                         o.order_id),
              1);
    char st[64], rs[256];
    orderCol(st, sizeof st, "state", &o);
    orderCol(rs, sizeof rs, "array_to_string(reasons, ',')", &o);
    CT_EQ_STR(st, "EXCEPTION");
    CT_CHECK(strstr(rs, "OUT_OF_STOCK") != NULL);
    CT_EQ_INT(it_pg_int("SELECT available FROM stock WHERE shop_id = 'tb-demo' AND sku = '%s'", sku), 0);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM stock_reservations WHERE shop_id = 'tb-demo' AND sku = '%s'", sku), 0);
    CT_CHECK(it_metric(it_worker_http_port(&w), "cs_ov_stock_conflicts_total") >= 1);
    it_measure(
        "stock set to 0 while the batch held a decision on 1: retried with locks, OUT_OF_STOCK, nothing reserved");
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 30000), 0);
}

/* OV-9 across partitions: same buyer, same address after normalisation
 * (full-width digits, spaces), same SKUs, different order ids on
 * partitions of different workers: the later order is held, once. */
static void test_ov9_duplicate_across_partitions(void) {
    char run[64], sku[96], id[160], buyer[160], prefix[100];
    it_run_id(run, sizeof run);
    snprintf(sku, sizeof sku, "SKU-%s-A", run);
    snprintf(buyer, sizeof buyer, "%s-buyer", run);
    it_worker w1, w2;
    bool own1[6], own2[6];
    IT_REQUIRE(startPair(&w1, &w2, own1, own2));
    const char *skus[] = {sku};
    IT_REQUIRE(stockLevels(run, "tb-demo", skus, 1, 1000));
    int p1 = firstOwned(own1), p2 = firstOwned(own2), n1 = 0, n2 = 0;

    /* first, the earlier order; then the later one, from another worker */
    it_order d1, d2, other;
    snprintf(prefix, sizeof prefix, "%s-d1-", run);
    it_order_id_on_partition(id, sizeof id, "tb-demo", prefix, p1, &n1);
    it_order_init(&d1, "tb-demo", id, buyer, sku, NULL, 1);
    snprintf(d1.street, sizeof d1.street, "文三路12号 3室");
    d1.created_ms = it_wall_ms() - 2 * 3600000;
    d1.paid_ms = d1.created_ms + 60000;
    snprintf(prefix, sizeof prefix, "%s-d2-", run);
    it_order_id_on_partition(id, sizeof id, "tb-demo", prefix, p2, &n2);
    d2 = d1;
    it_copy(d2.order_id, sizeof d2.order_id, id);
    snprintf(d2.street, sizeof d2.street, "文三路１２号３室"); /* full-width, no space: same after NFKC */
    d2.created_ms = d1.created_ms + 3600000;
    d2.paid_ms = d2.created_ms + 60000;
    /* same buyer, different address: no duplicate */
    snprintf(prefix, sizeof prefix, "%s-d3-", run);
    it_order_id_on_partition(id, sizeof id, "tb-demo", prefix, p2, &n2);
    other = d2;
    it_copy(other.order_id, sizeof other.order_id, id);
    snprintf(other.street, sizeof other.street, "莫干山路1号");

    produceOrder(&d1, true);
    CT_EQ_INT(it_flush(30000), 0);
    IT_REQUIRE(it_wait_pg(IT_EQ, 2, 60000,
                          "SELECT count(*) FROM verdicts WHERE shop_id = 'tb-demo' AND order_id = '%s'",
                          d1.order_id) == 2);
    produceOrder(&d2, true);
    produceOrder(&other, true);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 6, 60000, "SELECT count(*) FROM verdicts WHERE order_id LIKE '%s-d%%'", run), 6);

    char s1[64], s2[64], s3[64];
    orderCol(s1, sizeof s1, "state", &d1);
    orderCol(s2, sizeof s2, "state", &d2);
    orderCol(s3, sizeof s3, "state", &other);
    fprintf(stderr, "  earlier %s (partition %d), later %s (partition %d), other address %s\n", s1, p1, s2, p2, s3);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM orders WHERE order_id LIKE '%s-d%%' AND 'DUPLICATE_SUSPECTED' = ANY(reasons)",
                  run),
        1);
    CT_EQ_STR(s2, "ON_HOLD");
    CT_EQ_STR(s1, "VERIFIED");
    CT_EQ_STR(s3, "VERIFIED");
    /* the hold comes with one agent task to confirm (OV-9), not one per
     * version (created and paid are two versions); the earlier order gets
     * none. */
    long long tasks = it_pg_int(
        "SELECT count(*) FROM tasks WHERE shop_id = 'tb-demo' AND order_id = '%s' AND rule = 'OV-9'", d2.order_id);
    CT_EQ_INT(tasks, 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE shop_id = 'tb-demo' AND order_id = '%s' AND rule = 'OV-9'",
                        d1.order_id),
              0);

    /* and two such orders at the same moment: never both held */
    it_order e1 = d1, e2 = d2;
    snprintf(prefix, sizeof prefix, "%s-e1-", run);
    it_order_id_on_partition(e1.order_id, sizeof e1.order_id, "tb-demo", prefix, p1, &n1);
    snprintf(prefix, sizeof prefix, "%s-e2-", run);
    it_order_id_on_partition(e2.order_id, sizeof e2.order_id, "tb-demo", prefix, p2, &n2);
    snprintf(e1.buyer, sizeof e1.buyer, "%s-buyer2", run);
    snprintf(e2.buyer, sizeof e2.buyer, "%s-buyer2", run);
    snprintf(id, sizeof id, "%s-cp", e1.order_id);
    CT_EQ_INT(it_produce_order_event(&e1, KIND(CREATED), id, e1.created_ms, true, NULL), 0);
    snprintf(id, sizeof id, "%s-cp", e2.order_id);
    CT_EQ_INT(it_produce_order_event(&e2, KIND(CREATED), id, e2.created_ms, true, NULL), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 2, 60000, "SELECT count(*) FROM verdicts WHERE order_id LIKE '%s-e%%'", run), 2);
    long long held = it_pg_int(
        "SELECT count(*) FROM orders WHERE order_id LIKE '%s-e%%' AND 'DUPLICATE_SUSPECTED' = ANY(reasons)", run);
    CT_CHECK(held <= 1);
    it_measure("sequential pair: later one held (%lld OV-9 tasks); simultaneous pair: %lld held", tasks, held);
    CT_EQ_INT(it_worker_stop(&w1, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
}

/* OV-9 whatever the arrival order: the later-placed order of a duplicate
 * pair reaches the verifier first (its partition was ahead), the earlier
 * one a moment later on another partition. One of the two must be held,
 * or both ship ("never shipped twice"). */
static void test_ov9_duplicate_held_when_later_order_arrives_first(void) {
    char run[64], sku[96], id[160], buyer[160], prefix[100];
    it_run_id(run, sizeof run);
    snprintf(sku, sizeof sku, "SKU-%s-A", run);
    snprintf(buyer, sizeof buyer, "%s-buyer", run);
    it_worker w1, w2;
    bool own1[6], own2[6];
    IT_REQUIRE(startPair(&w1, &w2, own1, own2));
    const char *skus[] = {sku};
    IT_REQUIRE(stockLevels(run, "tb-demo", skus, 1, 1000));
    int p1 = firstOwned(own1), p2 = firstOwned(own2), n1 = 0, n2 = 0;
    it_order early, late;
    snprintf(prefix, sizeof prefix, "%s-r1-", run);
    it_order_id_on_partition(id, sizeof id, "tb-demo", prefix, p1, &n1);
    it_order_init(&early, "tb-demo", id, buyer, sku, NULL, 1);
    early.created_ms = it_wall_ms() - 2 * 3600000;
    early.paid_ms = early.created_ms + 60000;
    late = early;
    snprintf(prefix, sizeof prefix, "%s-r2-", run);
    it_order_id_on_partition(late.order_id, sizeof late.order_id, "tb-demo", prefix, p2, &n2);
    late.created_ms = early.created_ms + 3600000;
    late.paid_ms = late.created_ms + 60000;

    produceOrder(&late, true);
    CT_EQ_INT(it_flush(30000), 0);
    IT_REQUIRE(it_wait_pg(IT_EQ, 2, 60000,
                          "SELECT count(*) FROM verdicts WHERE shop_id = 'tb-demo' AND order_id = '%s'",
                          late.order_id) == 2);
    produceOrder(&early, true);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 2, 60000, "SELECT count(*) FROM verdicts WHERE shop_id = 'tb-demo' AND order_id = '%s'",
                         early.order_id),
              2);
    char se[64], sl[64];
    orderCol(se, sizeof se, "state", &early);
    orderCol(sl, sizeof sl, "state", &late);
    long long held =
        it_pg_int("SELECT count(*) FROM orders WHERE order_id IN ('%s','%s') AND 'DUPLICATE_SUSPECTED' = ANY(reasons)",
                  early.order_id, late.order_id);
    it_measure("later order verified first (%s), earlier one second (%s): %lld held as DUPLICATE_SUSPECTED", sl, se,
               held);
    CT_EQ_INT(held, 1);
    CT_EQ_INT(it_worker_stop(&w1, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
}

/* ---- OV-9 chains of repeat orders (issue 13) --------------------------------------- */

/* The first order of a chain: buyer "<run>-<tag>", an id on partition part,
 * placed at created_ms, paid the exact payable in-platform a minute later. */
static void chainFirst(it_order *o, const char *run, const char *tag, const char *sku, int part, int *n,
                       int64_t created_ms) {
    char id[160], buyer[160], prefix[100];
    snprintf(prefix, sizeof prefix, "%s-%sa-", run, tag);
    it_order_id_on_partition(id, sizeof id, "tb-demo", prefix, part, n);
    snprintf(buyer, sizeof buyer, "%s-%s", run, tag);
    it_order_init(o, "tb-demo", id, buyer, sku, NULL, 1);
    o->created_ms = created_ms;
    o->paid_ms = created_ms + 60000;
    snprintf(o->street, sizeof o->street, "文三路12号 3室");
}

/* The next order of first's chain (same buyer, SKUs, quantities), with an
 * id "<run>-<tag><letter>-..." on partition part, placed at created_ms and
 * paid a minute later, its address written as street. */
static void chainNext(it_order *o, const it_order *first, const char *run, const char *tag, char letter, int part,
                      int *n, int64_t created_ms, const char *street) {
    char prefix[100];
    *o = *first;
    snprintf(prefix, sizeof prefix, "%s-%s%c-", run, tag, letter);
    it_order_id_on_partition(o->order_id, sizeof o->order_id, "tb-demo", prefix, part, n);
    o->created_ms = created_ms;
    o->paid_ms = created_ms + 60000;
    snprintf(o->street, sizeof o->street, "%s", street);
}

/* Produces o (created, then paid) and waits for its two verdicts. */
static bool chainVerified(const it_order *o) {
    produceOrder(o, true);
    if (it_flush(30000) != 0) return false;
    return it_wait_pg(IT_EQ, 2, 60000, "SELECT count(*) FROM verdicts WHERE shop_id = '%s' AND order_id = '%s'",
                      o->shop, o->order_id) == 2;
}

/* Cancels o and waits until the verifier has recorded it. */
static bool chainCancelled(const it_order *o) {
    char id[200];
    snprintf(id, sizeof id, "%s-x", o->order_id);
    if (it_produce_cancel(o, id, "重复下单,买家取消") != 0 || it_flush(30000) != 0) return false;
    return it_wait_pg(IT_EQ, 1, 60000,
                      "SELECT count(*) FROM orders WHERE shop_id = '%s' AND order_id = '%s' "
                      "AND cancelled_ms IS NOT NULL",
                      o->shop, o->order_id) == 1;
}

/* "STATE [reasons]" of o, into out. */
static const char *chainState(char *out, size_t len, const it_order *o) {
    it_pg_text(out, len,
               "SELECT state || ' [' || array_to_string(reasons, ',') || ']' FROM orders "
               "WHERE shop_id = '%s' AND order_id = '%s'",
               o->shop, o->order_id);
    return out;
}

static bool dupHeld(const it_order *o) {
    char st[512];
    chainState(st, sizeof st, o);
    return strncmp(st, "ON_HOLD [", 9) == 0 && strstr(st, "DUPLICATE_SUSPECTED") != NULL;
}

static bool verified(const it_order *o) {
    char st[512];
    chainState(st, sizeof st, o);
    return strncmp(st, "VERIFIED [", 10) == 0 && strstr(st, "DUPLICATE_SUSPECTED") == NULL;
}

/* The summaries of o's OV-9 tasks, " | " between them, into out. */
static const char *ov9Tasks(char *out, size_t len, const it_order *o) {
    it_pg_text(out, len,
               "SELECT coalesce(string_agg(summary, ' | '), '') FROM tasks WHERE shop_id = '%s' "
               "AND order_id = '%s' AND rule = 'OV-9'",
               o->shop, o->order_id);
    return out;
}

static long long ov9TaskCount(const it_order *o) {
    return it_pg_int("SELECT count(*) FROM tasks WHERE shop_id = '%s' AND order_id = '%s' AND rule = 'OV-9'", o->shop,
                     o->order_id);
}

/* OV-9 chains across partitions (issue 13): every order placed less than
 * 24 h after an earlier one of the chain is held, whatever that one's
 * state (held too), even when it is more than 24 h after the first; its
 * task names every order it matched. A cancelled link holds nothing.
 * Links alternate between the partitions of two worker processes. */
static void test_ov9_chain_of_repeats_held_at_every_link_across_partitions(void) {
    char run[64], sku[96], id[200], s1[512], s2[512], s3[512], sum[2048];
    it_run_id(run, sizeof run);
    snprintf(sku, sizeof sku, "SKU-%s-CHAIN", run);
    it_worker w1, w2;
    bool own1[6], own2[6];
    IT_REQUIRE(startPair(&w1, &w2, own1, own2));
    const char *skus[] = {sku};
    IT_REQUIRE(stockLevels(run, "tb-demo", skus, 1, 1000));
    int p1 = firstOwned(own1), p2 = firstOwned(own2), n1 = 0, n2 = 0;
    const int64_t H = 3600000, M = 60000, now = it_wall_ms();

    /* 1. the reproduction: B 23 h 59 min after A, C 23 h 59 min 59 s after
     * B (47 h 58 min 59 s after A); the address with spaces, full-width */
    it_order a, b, c;
    chainFirst(&a, run, "k1", sku, p1, &n1, now - 50 * H);
    chainNext(&b, &a, run, "k1", 'b', p2, &n2, a.created_ms + 23 * H + 59 * M, "文三路１２号３室");
    chainNext(&c, &a, run, "k1", 'c', p1, &n1, b.created_ms + 23 * H + 59 * M + 59000, " 文三路 １２ 号 ３ 室 ");
    IT_REQUIRE(chainVerified(&a));
    IT_REQUIRE(chainVerified(&b));
    IT_REQUIRE(chainVerified(&c));
    fprintf(stderr, "  A %s (p%d) / B %s (p%d) / C %s (p%d)\n", chainState(s1, sizeof s1, &a), p1,
            chainState(s2, sizeof s2, &b), p2, chainState(s3, sizeof s3, &c), p1);
    CT_CHECK(verified(&a));
    CT_CHECK(dupHeld(&b));
    CT_CHECK(dupHeld(&c));
    ov9Tasks(sum, sizeof sum, &c);
    fprintf(stderr, "  C's task: %s\n", sum);
    CT_EQ_INT(ov9TaskCount(&c), 1);
    CT_CHECK(strstr(sum, b.order_id) != NULL);
    CT_CHECK(strstr(sum, a.order_id) == NULL); /* A is more than 24 h before C */
    CT_EQ_INT(ov9TaskCount(&a), 0);
    /* A verified again (its address written another way, same
     * fingerprint): it stays verified, B and C stay held */
    snprintf(a.street, sizeof a.street, "文三路１２号 ３室");
    snprintf(id, sizeof id, "%s-addr", a.order_id);
    CT_EQ_INT(it_produce_order_event(&a, KIND(ADDRESS_CHANGED), id, it_wall_ms(), false, NULL), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 3, 60000, "SELECT count(*) FROM verdicts WHERE shop_id = 'tb-demo' AND order_id = '%s'",
                         a.order_id),
              3);
    CT_CHECK(verified(&a));
    CT_EQ_INT(ov9TaskCount(&a), 0);
    CT_CHECK(dupHeld(&b));
    CT_CHECK(dupHeld(&c));

    /* 2. A, B, C each less than 24 h apart: B and C held, C naming A and B */
    it_order a2, b2, c2;
    chainFirst(&a2, run, "k2", sku, p2, &n2, now - 30 * H);
    chainNext(&b2, &a2, run, "k2", 'b', p1, &n1, a2.created_ms + 10 * H, "文三路１２号３室");
    chainNext(&c2, &a2, run, "k2", 'c', p2, &n2, a2.created_ms + 20 * H, "文三路 12号 3 室");
    IT_REQUIRE(chainVerified(&a2));
    IT_REQUIRE(chainVerified(&b2));
    IT_REQUIRE(chainVerified(&c2));
    CT_CHECK(verified(&a2));
    CT_CHECK(dupHeld(&b2));
    CT_CHECK(dupHeld(&c2));
    ov9Tasks(sum, sizeof sum, &c2);
    fprintf(stderr, "  chain within 24 h, C's task: %s\n", sum);
    CT_EQ_INT(ov9TaskCount(&c2), 1);
    CT_CHECK(strstr(sum, a2.order_id) != NULL);
    CT_CHECK(strstr(sum, b2.order_id) != NULL);

    /* 3. B cancelled before C: C compared with A only. Held when less than
     * 24 h after A (naming A alone), verified when 24 h or more after A */
    it_order a3, b3, c3, a4, b4, c4;
    chainFirst(&a3, run, "k3", sku, p1, &n1, now - 30 * H);
    chainNext(&b3, &a3, run, "k3", 'b', p2, &n2, a3.created_ms + H, "文三路１２号３室");
    chainNext(&c3, &a3, run, "k3", 'c', p1, &n1, a3.created_ms + 2 * H, "文三路１２号３室");
    IT_REQUIRE(chainVerified(&a3));
    IT_REQUIRE(chainVerified(&b3));
    CT_CHECK(dupHeld(&b3));
    IT_REQUIRE(chainCancelled(&b3));
    IT_REQUIRE(chainVerified(&c3));
    CT_CHECK(verified(&a3));
    CT_CHECK(dupHeld(&c3));
    ov9Tasks(sum, sizeof sum, &c3);
    fprintf(stderr, "  B cancelled, C 2 h after A: %s\n", sum);
    CT_CHECK(strstr(sum, a3.order_id) != NULL);
    CT_CHECK(strstr(sum, b3.order_id) == NULL);

    chainFirst(&a4, run, "k4", sku, p2, &n2, now - 50 * H);
    chainNext(&b4, &a4, run, "k4", 'b', p1, &n1, a4.created_ms + 23 * H, "文三路１２号３室");
    chainNext(&c4, &a4, run, "k4", 'c', p2, &n2, a4.created_ms + 24 * H + M, "文三路１２号３室");
    IT_REQUIRE(chainVerified(&a4));
    IT_REQUIRE(chainVerified(&b4));
    CT_CHECK(dupHeld(&b4));
    IT_REQUIRE(chainCancelled(&b4));
    IT_REQUIRE(chainVerified(&c4));
    fprintf(stderr, "  B cancelled, C 1 h 1 min after B, 24 h 1 min after A: %s\n", chainState(s3, sizeof s3, &c4));
    CT_CHECK(verified(&c4));
    CT_EQ_INT(ov9TaskCount(&c4), 0);

    it_measure("chains on partitions %d and %d: B and C held (C 47 h 59 min after A, or all within 24 h), A verified "
               "and still verified when re-verified; B cancelled: C compared with A only",
               p1, p2);
    CT_EQ_INT(it_worker_stop(&w1, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
}

/* ---- poison ------------------------------------------------------------------------ */

/* Garbage bytes, an unknown shop, a negative amount and a missing event id
 * land in shop.orders.v1.dlq with their reason and origin headers, while
 * the good orders around them on the same partition are verified. */
static void test_poison_goes_to_dlq_with_reason_neighbours_applied(void) {
    char run[64], sku[96], id[160], buyer[160], key[256];
    it_run_id(run, sizeof run);
    snprintf(sku, sizeof sku, "SKU-%s-A", run);
    it_reader *dlq = it_reader_open(IT_TOPIC_ORDERS_DLQ, false);
    IT_REQUIRE(dlq != NULL);
    it_worker w;
    IT_REQUIRE(startWorker(&w, "poison", NULL));
    const char *skus[] = {sku};
    IT_REQUIRE(stockLevels(run, "tb-demo", skus, 1, 1000));

    it_order g1, g2, neg;
    snprintf(id, sizeof id, "%s-g1", run);
    snprintf(buyer, sizeof buyer, "%s-b1", run);
    it_order_init(&g1, "tb-demo", id, buyer, sku, NULL, 1);
    snprintf(key, sizeof key, "tb-demo:%s", g1.order_id);
    int32_t part = it_partition_of(IT_TOPIC_ORDERS, key);
    int n = 0;
    char prefix[100];
    snprintf(prefix, sizeof prefix, "%s-g2-", run);
    it_order_id_on_partition(id, sizeof id, "tb-demo", prefix, part, &n);
    snprintf(buyer, sizeof buyer, "%s-b2", run);
    it_order_init(&g2, "tb-demo", id, buyer, sku, NULL, 2);
    snprintf(id, sizeof id, "%s-neg", run);
    snprintf(buyer, sizeof buyer, "%s-b3", run);
    it_order_init(&neg, "tb-demo", id, buyer, sku, NULL, 3);
    neg.lines[0].price_fen = -100;

    enum { GARBAGE, UNKNOWN_SHOP, NEGATIVE, NO_ID, NP };
    it_dr dr[NP];
    static const char *const want_error[NP] = {"decode", "unknown shop", "impossible amount", "event_id missing"};
    char keys[NP][256];

    produceOrder(&g1, true);
    /* garbage: field 1 with wire type 7 cannot be a protobuf */
    static const char garbage[] = "\x0f\xff\xfe not a protobuf at all";
    snprintf(keys[GARBAGE], sizeof keys[GARBAGE], "tb-demo:%s-garbage", run);
    CT_EQ_INT(it_produce_raw(IT_TOPIC_ORDERS, part, keys[GARBAGE], garbage, sizeof garbage - 1, &dr[GARBAGE]), 0);
    /* an order of a shop the shops file does not know */
    it_order u = g1;
    snprintf(u.shop, sizeof u.shop, "nosuch-shop");
    snprintf(u.order_id, sizeof u.order_id, "%s-unknown", run);
    snprintf(keys[UNKNOWN_SHOP], sizeof keys[UNKNOWN_SHOP], "nosuch-shop:%s", u.order_id);
    size_t len;
    snprintf(id, sizeof id, "%s-c", u.order_id);
    uint8_t *buf = it_pack_order_event(&u, KIND(CREATED), id, u.created_ms, true, &len);
    CT_EQ_INT(it_produce_raw(IT_TOPIC_ORDERS, part, keys[UNKNOWN_SHOP], buf, len, &dr[UNKNOWN_SHOP]), 0);
    free(buf);
    /* a negative unit price */
    snprintf(keys[NEGATIVE], sizeof keys[NEGATIVE], "tb-demo:%s", neg.order_id);
    snprintf(id, sizeof id, "%s-c", neg.order_id);
    buf = it_pack_order_event(&neg, KIND(CREATED), id, neg.created_ms, true, &len);
    CT_EQ_INT(it_produce_raw(IT_TOPIC_ORDERS, part, keys[NEGATIVE], buf, len, &dr[NEGATIVE]), 0);
    free(buf);
    /* no event id */
    it_order noid = g1;
    snprintf(noid.order_id, sizeof noid.order_id, "%s-noid", run);
    snprintf(keys[NO_ID], sizeof keys[NO_ID], "tb-demo:%s", noid.order_id);
    buf = it_pack_order_event(&noid, KIND(CREATED), "", noid.created_ms, true, &len);
    CT_EQ_INT(it_produce_raw(IT_TOPIC_ORDERS, part, keys[NO_ID], buf, len, &dr[NO_ID]), 0);
    free(buf);
    produceOrder(&g2, false);
    CT_EQ_INT(it_flush(30000), 0);

    int64_t t0 = it_now_ms();
    CT_EQ_INT(it_wait_pg(IT_EQ, 3, 60000, "SELECT count(*) FROM verdicts WHERE order_id IN ('%s','%s')", g1.order_id,
                         g2.order_id),
              3);
    size_t got = it_reader_collect(dlq, run, NP, 30000);
    it_measure("%zu dead letters on %s within %lld ms; neighbours verified", got, IT_TOPIC_ORDERS_DLQ,
               (long long)(it_now_ms() - t0));
    CT_EQ_INT(got, NP);
    for (int k = 0; k < NP; k++) {
        const it_rec *r = NULL;
        for (size_t i = 0; i < it_reader_count(dlq) && !r; i++)
            if (strcmp(it_reader_get(dlq, i)->key, keys[k]) == 0) r = it_reader_get(dlq, i);
        CT_CHECK(r != NULL);
        if (!r) continue;
        const char *err = it_rec_header(r, "error");
        fprintf(stderr, "  dlq %s: error=%s origin=%s[%s]@%s worker=%s\n", keys[k], err ? err : "(none)",
                it_rec_header(r, "origin-topic"), it_rec_header(r, "origin-partition"),
                it_rec_header(r, "origin-offset"), it_rec_header(r, "worker"));
        CT_CHECK(err && strstr(err, want_error[k]) != NULL);
        CT_EQ_STR(it_rec_header(r, "origin-topic"), IT_TOPIC_ORDERS);
        CT_EQ_INT(atoi(it_rec_header(r, "origin-partition") ? it_rec_header(r, "origin-partition") : "-1"), part);
        CT_EQ_INT(atoll(it_rec_header(r, "origin-offset") ? it_rec_header(r, "origin-offset") : "-1"), dr[k].offset);
        CT_EQ_STR(it_rec_header(r, "worker"), IT_WORKER_NAME);
        if (k == GARBAGE) { /* the original bytes, unchanged */
            CT_EQ_INT(r->len, sizeof garbage - 1);
            CT_CHECK(r->len == sizeof garbage - 1 && memcmp(r->value, garbage, r->len) == 0);
        }
        CT_EQ_INT(it_pg_int("SELECT count(*) FROM dead_letters WHERE worker = '%s' AND topic = '%s' AND part = %d AND "
                            "\"offset\" = %lld",
                            IT_WORKER_NAME, IT_TOPIC_ORDERS, (int)part, (long long)dr[k].offset),
                  1);
    }
    /* nothing of the poison reached the order tables */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM orders WHERE order_id IN ('%s','%s','%s')", u.order_id, neg.order_id,
                        noid.order_id),
              0);
    char st[64];
    orderCol(st, sizeof st, "state", &g1);
    CT_EQ_STR(st, "VERIFIED");
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 30000), 0);
    it_reader_close(dlq);
}

/* ---- deployment and configuration ------------------------------------------------ */

/* deploy/local/migrate.sh applied twice: exit 0 both times and
 * schema_migrations unchanged. */
static void test_migrations_rerun_change_nothing(void) {
    char before[4096], after[4096];
    const char *q =
        "SELECT string_agg(version || ':' || name || ':' || applied_at, ',' ORDER BY version) FROM schema_migrations";
    IT_REQUIRE(it_pg_text(before, sizeof before, "%s", q));
    long long tables = it_pg_int("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
    for (int i = 0; i < 2; i++) {
        int64_t t0 = it_now_ms();
        int rc = it_sh("bash '%s/deploy/local/migrate.sh' \"$CS_PG_DSN\"", it.source_dir);
        it_measure("migrate.sh run %d: exit %d in %lld ms", i + 1, rc, (long long)(it_now_ms() - t0));
        CT_EQ_INT(rc, 0);
    }
    IT_REQUIRE(it_pg_text(after, sizeof after, "%s", q));
    CT_EQ_STR(after, before);
    CT_CHECK(before[0] != 0);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), tables);
}

static void writeFile(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) {
        CT_CHECK(f != NULL);
        return;
    }
    fputs(text, f);
    fclose(f);
}

/* Runs the worker with env until it exits (it must, within 30 s); returns
 * the exit code and leaves its log in *log (caller frees). */
static int runToExit(const char *name, const char *const *env, char **log) {
    it_worker w;
    if (it_worker_start(&w, name, env) != 0) {
        *log = cs_xstrdup("(the worker did not start)\n");
        return -1;
    }
    int rc = it_worker_wait(&w, 30000);
    if (rc == -1) rc = it_worker_stop(&w, SIGKILL, 5000) + 1000; /* did not stop by itself */
    *log = it_log_read(w.log);
    if (!*log) *log = cs_xstrdup("(no log)\n");
    return rc;
}

/* A bad shops file stops the process with exit code 2 and a message
 * naming the file and the key (or line) and the reason. */
static void test_bad_shops_file_stops_with_exit_2(void) {
    char path[1200], env1[1300], *log;
    snprintf(path, sizeof path, "%s/bad-shops-%d.json", it.log_dir, (int)getpid());
    const char *env[] = {env1, NULL};
    snprintf(env1, sizeof env1, "CS_SHOPS_FILE=%s", path);

    writeFile(path, "{\"shops\": [{\"id\": \"x-shop\", \"channel\": \"ebay\"}]}\n");
    int rc = runToExit("badshops-key", env, &log);
    fprintf(stderr, "  bad channel: exit %d: %s", rc, log);
    CT_EQ_INT(rc, 2);
    CT_CHECK(strstr(log, path) != NULL);
    CT_CHECK(strstr(log, "channel") != NULL);
    free(log);

    writeFile(path, "{\"shops\": [\n  {\"id\": \"x-shop\",\n   \"channel\": \"taobao\",,\n  }\n]}\n");
    rc = runToExit("badshops-syntax", env, &log);
    fprintf(stderr, "  syntax error: exit %d: %s", rc, log);
    CT_EQ_INT(rc, 2);
    CT_CHECK(strstr(log, path) != NULL);
    CT_CHECK(strstr(log, "line") != NULL);
    free(log);

    snprintf(env1, sizeof env1, "CS_SHOPS_FILE=%s.missing", path);
    rc = runToExit("badshops-missing", env, &log);
    fprintf(stderr, "  missing file: exit %d: %s", rc, log);
    CT_EQ_INT(rc, 2);
    CT_CHECK(strstr(log, ".missing") != NULL);
    free(log);
    unlink(path);
}

/* A bad CS_* variable stops the process with exit code 2 naming it. */
static void test_bad_variable_stops_with_exit_2(void) {
    static const char *const cases[][2] = {
        {"CS_BATCH_MAX=abc", "CS_BATCH_MAX"},
        {"CS_SESSION_TIMEOUT_MS=10", "CS_SESSION_TIMEOUT_MS"},
        {"CS_CLOCK=sundial", "CS_CLOCK"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *env[] = {cases[i][0], NULL};
        char *log;
        int rc = runToExit("badvar", env, &log);
        fprintf(stderr, "  %s: exit %d: %s", cases[i][0], rc, log);
        CT_EQ_INT(rc, 2);
        CT_CHECK(strstr(log, cases[i][1]) != NULL);
        free(log);
    }
}

/* CONTRACTS.md: phone numbers are masked in logs (138****8000), even at
 * debug level and in the reasons of dead-lettered events. */
static void test_logs_carry_no_full_phone_number(void) {
    char run[64], sku[96], id[200], buyer[160];
    it_run_id(run, sizeof run);
    snprintf(sku, sizeof sku, "SKU-%s-A", run);
    const char *env[] = {"CS_LOG_LEVEL=debug", NULL};
    it_worker w;
    IT_REQUIRE(startWorker(&w, "phones", env));
    const char *skus[] = {sku};
    IT_REQUIRE(stockLevels(run, "tb-demo", skus, 1, 1000));

    enum { N = 6 };
    it_order o[N];
    char phones[N + 2][32];
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "%s-o%d", run, i);
        snprintf(buyer, sizeof buyer, "%s-b%d", run, i);
        it_order_init(&o[i], "tb-demo", id, buyer, sku, NULL, 100 + i);
        snprintf(phones[i], sizeof phones[i], "%s", o[i].phone);
    }
    /* phones where a careless log line would print them: in a buyer
     * message, in an invalid (poison) event's fields, in a shop id and in
     * an event id of dead-lettered events */
    snprintf(phones[N], sizeof phones[N], "1%d%09d", 5 + (int)(getpid() % 4), (int)(it_wall_ms() % 1000000000));
    snprintf(phones[N + 1], sizeof phones[N + 1], "1%d%09d", 7, (int)((it_wall_ms() / 7) % 1000000000));
    snprintf(o[1].buyer_message, sizeof o[1].buyer_message, "到了打我电话%s", phones[N]);
    o[2].lines[0].price_fen = -1; /* poison: negative price */
    for (int i = 0; i < N; i++) produceOrder(&o[i], i != 2);
    it_order u = o[0];
    snprintf(id, sizeof id, "shop%s", phones[N + 1]);
    it_copy(u.shop, sizeof u.shop, id); /* unknown shop named with a phone */
    snprintf(u.order_id, sizeof u.order_id, "%s-u", run);
    snprintf(id, sizeof id, "%s-%s-u", run, phones[N]);
    size_t len;
    uint8_t *buf = it_pack_order_event(&u, KIND(CREATED), id, u.created_ms, true, &len);
    char key[256];
    snprintf(key, sizeof key, "tb-demo:%s", u.order_id);
    CT_EQ_INT(it_produce_raw(IT_TOPIC_ORDERS, -1, key, buf, len, NULL), 0);
    free(buf);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 2 * (N - 1), 60000, "SELECT count(*) FROM verdicts WHERE order_id LIKE '%s-o%%'", run),
              2 * (N - 1));
    CT_EQ_INT(it_wait_pg(IT_EQ, 2, 30000,
                         "SELECT count(*) FROM dead_letters WHERE worker = '%s' AND (event_id LIKE '%s-%%')",
                         IT_WORKER_NAME, run),
              2);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 30000), 0);

    char *log = it_log_read(w.log);
    int lines = it_log_count(w.log, "\"level\":");
    int debug = it_log_count(w.log, "\"level\":\"debug\"");
    int found = 0;
    for (int i = 0; i < N + 2; i++)
        if (strstr(log, phones[i])) {
            fprintf(stderr, "  full phone number %s in %s\n", phones[i], w.log);
            found++;
        }
    CT_EQ_INT(found, 0);
    /* the log did talk about these events: the masked forms are there */
    char masked[96];
    snprintf(masked, sizeof masked, "%.3s****%s", phones[N + 1], phones[N + 1] + 7);
    CT_CHECK(strstr(log, masked) != NULL);
    snprintf(masked, sizeof masked, "%.3s****%s", phones[N], phones[N] + 7);
    CT_CHECK(strstr(log, masked) != NULL);
    it_measure("%d log lines (%d debug) checked for %d phone numbers: %d unmasked", lines, debug, N + 2, found);
    CT_CHECK(debug > 0);
    free(log);
}

/* ---- timed rules on the Redis clock (last: it moves the clock) -------------------- */

static long long tasksFor(const it_order *o, const char *rule) {
    return it_pg_int("SELECT count(*) FROM tasks WHERE shop_id = '%s' AND order_id = '%s' AND rule = '%s'", o->shop,
                     o->order_id, rule);
}

/* OV-6 and OV-13 through durable timers and the real timer-dispatcher: the
 * payment reminder 30 min after an unpaid order was placed (not at 29),
 * the missed-order sweep at 19:00 of the day after payment (not at 18:59;
 * the buyer told once, the order listed again the next day), and the hold
 * escalated at the start of day 3 of the hold (not a minute before). */
static void test_ov6_ov13_timed_rules_fire_on_the_redis_clock(void) {
    char err[256], run[64], sku[96], id[160], buyer[160];
    it_run_id(run, sizeof run);
    cs_tz *tz = cs_tz_load("Asia/Shanghai", err, sizeof err);
    IT_REQUIRE(tz != NULL);
    cs_day day1 = cs_day_from_ymd(2032, 6, 9); /* a date no other case uses */
    int64_t base = cs_tz_instant(tz, day1, 10 * 60);
    int64_t sweep2 = cs_tz_instant(tz, day1 + 1, 19 * 60), sweep3 = cs_tz_instant(tz, day1 + 2, 19 * 60);
    int64_t day3 = cs_tz_instant(tz, day1 + 2, 0);
    cs_tz_free(tz);
    IT_REQUIRE(it_clock_set(base) == 0);
    static const char *const env[] = {"CS_CLOCK=redis", NULL};
    it_worker ov, td;
    IT_REQUIRE(startWorker(&ov, "ov-timed", env));
    IT_REQUIRE(it_worker_start_bin(&td, "timer-dispatcher", "td-timed", NULL, env) == 0);
    snprintf(sku, sizeof sku, "SKU-%s-T", run);
    const char *skus[] = {sku};
    IT_REQUIRE(stockLevels(run, "tb-demo", skus, 1, 5000));

    it_order u, p, h;
    snprintf(id, sizeof id, "%s-unpaid", run);
    snprintf(buyer, sizeof buyer, "%s-bu", run);
    it_order_init(&u, "tb-demo", id, buyer, sku, NULL, 1);
    u.created_ms = base;
    snprintf(id, sizeof id, "%s-paid", run);
    snprintf(buyer, sizeof buyer, "%s-bp", run);
    it_order_init(&p, "tb-demo", id, buyer, sku, NULL, 2);
    p.created_ms = base;
    p.paid_ms = base + 60000;
    snprintf(id, sizeof id, "%s-held", run);
    snprintf(buyer, sizeof buyer, "%s-bh", run);
    it_order_init(&h, "tb-demo", id, buyer, sku, NULL, 3);
    h.created_ms = base;
    h.paid_ms = base + 60000;
    snprintf(h.buyer_message, sizeof h.buyer_message, "到了打我电话13800000000");
    produceOrder(&u, false);
    produceOrder(&p, true);
    produceOrder(&h, true);
    /* OV-13 pages through a shop's orders, OV_SWEEP_PAGE (2000) a batch:
     * with the orders other cases left unshipped in the shop, the sweep
     * takes pages, and each order is listed once per sweep. Every sweep
     * goes through that backlog first (payment order), hence the waits. */
    enum { BULK = 2100 };
    int backlog_ms =
        30000 + 2 * (int)it_pg_int("SELECT count(*) FROM orders WHERE shop_id = 'tb-demo' AND paid_ms IS NOT NULL "
                                   "AND shipped_ms IS NULL AND cancelled_ms IS NULL");
    for (int i = 0; i < BULK; i++) {
        it_order bk;
        snprintf(id, sizeof id, "%s-bulk-%04d", run, i);
        snprintf(buyer, sizeof buyer, "%s-bb%d", run, i);
        it_order_init(&bk, "tb-demo", id, buyer, sku, NULL, 100 + i);
        bk.created_ms = base;
        bk.paid_ms = base + 60000 + i;
        produceOrder(&bk, true);
    }
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 5, 60000, "SELECT count(*) FROM verdicts WHERE order_id IN ('%s','%s','%s')",
                         u.order_id, p.order_id, h.order_id),
              5);
    CT_EQ_INT(it_wait_pg(IT_EQ, BULK, 60000,
                         "SELECT count(*) FROM orders WHERE order_id LIKE '%s-bulk-%%' AND state = "
                         "'VERIFIED' AND version = 2",
                         run),
              BULK);
    char st[64];
    orderCol(st, sizeof st, "state", &h);
    CT_EQ_STR(st, "ON_HOLD");
    /* armed: a reminder for each (all three were created unpaid), the
     * hold's day 3 for the held one; OV-13 is one sweep for the shop, not
     * a timer per paid order */
    const char *tq = "SELECT count(*) FROM timers WHERE owner = 'order-verifier' AND kind = '%s' AND order_key IN "
                     "('tb-demo:%s', 'tb-demo:%s', 'tb-demo:%s')";
    CT_EQ_INT(it_pg_int(tq, "ov6.remind", u.order_id, p.order_id, h.order_id), 3);
    CT_EQ_INT(it_pg_int(tq, "ov13.sweep", u.order_id, p.order_id, h.order_id), 0);
    CT_EQ_INT(it_pg_int(tq, "ov6.hold", u.order_id, p.order_id, h.order_id), 1);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM timers WHERE owner = 'order-verifier' AND timer_id = 'ov13.sweep@tb-demo:' "
                  "AND status = 'pending'"),
        1);
    CT_EQ_INT(tasksFor(&p, "OV-6"), 0); /* paid in time: its reminder will decide nothing */

    /* OV-6: 29 min, nothing; 30 min, one reminder task */
    IT_REQUIRE(it_clock_set(base + 29 * 60000) == 0);
    it_sleep_ms(1500);
    CT_EQ_INT(tasksFor(&u, "OV-6"), 0);
    IT_REQUIRE(it_clock_set(base + 30 * 60000) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'OV-6' AND kind = "
                         "'TASK_KIND_PAYMENT_REMINDER'",
                         u.order_id),
              1);
    /* OV-13: 18:59 the next day, nothing; 19:00, listed and the buyer told */
    IT_REQUIRE(it_clock_set(sweep2 - 60000) == 0);
    it_sleep_ms(1500);
    CT_EQ_INT(tasksFor(&p, "OV-13"), 0);
    IT_REQUIRE(it_clock_set(sweep2) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, backlog_ms, "SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'OV-13'",
                         p.order_id),
              1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, backlog_ms,
                         "SELECT count(*) FROM notification_requests WHERE order_id = '%s' AND rule = 'OV-13'",
                         p.order_id),
              1);
    CT_EQ_INT(it_wait_pg(IT_EQ, BULK, backlog_ms,
                         "SELECT count(*) FROM tasks WHERE order_id LIKE '%s-bulk-%%' AND rule = 'OV-13'", run),
              BULK);
    CT_EQ_INT(it_wait_pg(IT_EQ, BULK, backlog_ms,
                         "SELECT count(DISTINCT order_id) FROM notification_requests WHERE order_id "
                         "LIKE '%s-bulk-%%' AND rule = 'OV-13'",
                         run),
              BULK);
    CT_EQ_INT(tasksFor(&h, "OV-13"), 0); /* on hold: someone owns it */
    CT_EQ_INT(tasksFor(&u, "OV-13"), 0); /* unpaid: not missed */
    /* OV-6 hold: a minute before day 3, nothing; at day 3, escalated */
    IT_REQUIRE(it_clock_set(day3 - 60000) == 0);
    it_sleep_ms(1500);
    CT_EQ_INT(tasksFor(&h, "OV-6"), 0);
    IT_REQUIRE(it_clock_set(day3) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'OV-6' AND urgent "
                         "AND kind = 'TASK_KIND_ESCALATION'",
                         h.order_id),
              1);
    /* still missed the day after: listed again, the buyer not told twice */
    IT_REQUIRE(it_clock_set(sweep3) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 2, backlog_ms, "SELECT count(*) FROM tasks WHERE order_id = '%s' AND rule = 'OV-13'",
                         p.order_id),
              2);
    it_sleep_ms(500);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM notification_requests WHERE order_id = '%s' AND rule = 'OV-13'", p.order_id),
        1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 2 * BULK, backlog_ms,
                         "SELECT count(*) FROM tasks WHERE order_id LIKE '%s-bulk-%%' AND "
                         "rule = 'OV-13'",
                         run),
              2 * BULK);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM notification_requests WHERE order_id LIKE '%s-bulk-%%' AND rule = 'OV-13'",
                  run),
        BULK);
    CT_EQ_INT(tasksFor(&u, "OV-6"), 1); /* the reminder is one */
    CT_EQ_INT(tasksFor(&p, "OV-6"), 0); /* its reminder fired and found it paid */
    it_measure("OV-6 reminder at +30 min, OV-13 at 19:00 of the next day (again the day after, buyer told once; "
               "2 100 more orders swept in pages of 2 000), hold escalated at day 3 00:00");
    it_clock_reset();
    CT_EQ_INT(it_worker_stop(&td, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&ov, SIGTERM, 30000), 0);
}

IT_MAIN(CT_CASE(test_orders_end_as_right_verdicts_in_pg_and_on_topic), CT_CASE(test_same_event_twice_changes_nothing),
        CT_CASE(test_ov12_out_of_order_events_end_right),
        CT_CASE(test_ov14_invoice_request_before_its_order_is_answered),
        CT_CASE(test_existing_orders_rewritten_and_quality_cases_recorded),
        CT_CASE(test_ov8_last_unit_goes_to_exactly_one_order_across_workers),
        CT_CASE(test_ov8_stock_moved_under_a_batch_is_retried_with_locks),
        CT_CASE(test_ov9_duplicate_across_partitions), CT_CASE(test_ov9_duplicate_held_when_later_order_arrives_first),
        CT_CASE(test_ov9_chain_of_repeats_held_at_every_link_across_partitions),
        CT_CASE(test_poison_goes_to_dlq_with_reason_neighbours_applied), CT_CASE(test_migrations_rerun_change_nothing),
        CT_CASE(test_bad_shops_file_stops_with_exit_2), CT_CASE(test_bad_variable_stops_with_exit_2),
        CT_CASE(test_logs_carry_no_full_phone_number), CT_CASE(test_ov6_ov13_timed_rules_fire_on_the_redis_clock))
