/* bench_pg.c -- the benchmark's PostgreSQL side (see bench.h): settings,
 * stock seeding, and the two reference points the verifier is compared
 * with.
 *
 * COPY rate: the fastest PostgreSQL can take rows like the verifier's
 * verdict rows (one COPY, one commit, a table with the same columns and
 * primary key), i.e. the ceiling for "one verdict row per event".
 *
 * Baseline: the design the verifier's batching replaces -- one transaction
 * per event, with the same statements the verifier runs for an order
 * event (dedupe insert, order row loaded FOR UPDATE, order row upserted,
 * verdict inserted, outbox row inserted) and the same rule code in between
 * (ov12_apply_event, ov_verify), on scratch copies of the real tables and
 * with the same durability (fsync and synchronous_commit on: every commit
 * waits for the WAL flush). It does not produce to Kafka or reserve stock,
 * which only flatters it. */
#include "bench.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cjson/cJSON.h>

#include "cs/kafka.h"
#include "cs/pg.h"
#include "cs/topics.h"
#include "cs/util.h"
#include "cs/v1/envelope.pb-c.h"
#include "cs/v1/state.pb-c.h"
#include "ov_rules.h"

void bench_pg_show(PGconn *pg, const char *name, char *buf, size_t len) {
    char sql[96];
    snprintf(sql, sizeof sql, "SHOW %s", name);
    PGresult *r = PQexec(pg, sql);
    snprintf(buf, len, "%s", PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? PQgetvalue(r, 0, 0) : "?");
    PQclear(r);
}

int bench_pg_wal(PGconn *pg, bench_wal *w) {
    memset(w, 0, sizeof *w);
    PGresult *r = PQexec(pg, "SELECT w.wal_bytes::bigint, w.wal_fpi, b.checkpoints_timed + b.checkpoints_req, "
                             "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker') "
                             "FROM pg_stat_wal w, pg_stat_bgwriter b");
    int rc = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        w->bytes = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        w->fpi = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
        w->checkpoints = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
        rc = 0;
    }
    PQclear(r);
    r = PQexec(pg, "SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) FROM pg_stat_user_tables");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        w->autovacuums = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return rc;
}

int bench_seed_stock(PGconn *pg, const cs_sample *s, char *err, size_t errlen) {
    for (int k = 0; k < cs_sample_stock_count(s); k++) {
        cs_sample_stock row;
        cs_sample_stock_at(s, k, &row);
        char avail[16], restock[24];
        snprintf(avail, sizeof avail, "%d", row.available);
        snprintf(restock, sizeof restock, "%" PRId64, row.restock_date_ms);
        const char *p[] = {row.shop_id, row.sku, avail, restock};
        if (cs_pg_exec(pg,
                       "INSERT INTO stock (shop_id, sku, available, restock_date_ms) VALUES ($1, $2, $3, $4) "
                       "ON CONFLICT (shop_id, sku) DO UPDATE SET available = stock.available + EXCLUDED.available, "
                       "restock_date_ms = EXCLUDED.restock_date_ms",
                       4, p, NULL, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int64_t bench_first_processed_us(PGconn *pg, const char *prefix) {
    char n[24];
    snprintf(n, sizeof n, "%zu", strlen(prefix));
    const char *p[] = {prefix, n};
    PGresult *r = NULL;
    char err[256];
    int64_t us = 0;
    if (cs_pg_exec(pg,
                   "SELECT (extract(epoch FROM min(processed_at)) * 1000000)::bigint FROM processed_events "
                   "WHERE worker = 'order-verifier' AND left(event_id, $2::int) = $1",
                   2, p, &r, err, sizeof err) == 0 &&
        PQntuples(r) && !PQgetisnull(r, 0, 0))
        us = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return us;
}

/* ---- COPY rate ---------------------------------------------------------------- */

double bench_copy_rate(PGconn *pg, int64_t n, char *err, size_t errlen) {
    if (cs_pg_exec(pg, "DROP TABLE IF EXISTS bench_copy_verdicts", 0, NULL, NULL, err, errlen) != 0 ||
        cs_pg_exec(pg, "CREATE TABLE bench_copy_verdicts (LIKE verdicts INCLUDING ALL)", 0, NULL, NULL, err, errlen) !=
            0)
        return -1;
    /* Rows shaped like the verifier's: most plain, some with reasons and
     * annotations, built before the clock starts. */
    cs_copybuf c = {0};
    for (int64_t i = 0; i < n; i++) {
        char id[48], trig[64];
        snprintf(id, sizeof id, "copy-%08" PRId64, i);
        snprintf(trig, sizeof trig, "smp-copy-1-%08" PRId64 "-order", i);
        cs_copy_text(&c, i % 3 ? "tb-demo" : "tm-demo");
        cs_copy_text(&c, id);
        cs_copy_int(&c, 1);
        cs_copy_text(&c, i % 20 ? "VERIFIED" : "EXCEPTION");
        cs_copy_text(&c, i % 20 ? "[]"
                                : "[{\"rule\": \"OV-8\", \"code\": \"OUT_OF_STOCK\", \"detail\": \"SKU-10006: 1 "
                                  "wanted, 0 available\"}]");
        cs_copy_text(
            &c,
            i % 7
                ? "[]"
                : "[{\"rule\": \"OV-10\", \"code\": \"GIFT_LINE\", \"detail\": \"gift line\", \"line_id\": \"x-2\"}]");
        cs_copy_text(&c, "SF");
        cs_copy_int(&c, 19900 + i % 1000);
        cs_copy_int(&c, 18900 + i % 1000);
        cs_copy_int(&c, 1794326400000LL + i);
        cs_copy_text(&c, trig);
        cs_copy_int(&c, 1794326400000LL + i);
        cs_copy_end_row(&c);
    }
    int64_t t0 = bench_now_us();
    int rc = cs_copy_send(pg,
                          "COPY bench_copy_verdicts (shop_id, order_id, version, state, reasons, annotations, courier, "
                          "item_total_fen, payable_fen, decided_ms, trigger_event_id, produced_ms) FROM STDIN",
                          &c, err, errlen);
    int64_t t1 = bench_now_us();
    cs_copy_free(&c);
    char e2[256];
    cs_pg_exec(pg, "DROP TABLE IF EXISTS bench_copy_verdicts", 0, NULL, NULL, e2, sizeof e2);
    if (rc != 0) return -1;
    return t1 > t0 ? (double)n * 1e6 / (double)(t1 - t0) : -1;
}

/* ---- baseline: one transaction per event ----------------------------------- */

static const char *stateName(Cs__V1__VerdictState s) {
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&cs__v1__verdict_state__descriptor, (int)s);
    return v && strncmp(v->name, "VERDICT_STATE_", 14) == 0 ? v->name + 14 : "UNSPECIFIED";
}

static int prepare(PGconn *pg, const char *name, const char *sql, int n, char *err, size_t errlen) {
    PGresult *r = PQprepare(pg, name, sql, n, NULL);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) snprintf(err, errlen, "prepare %s: %s", name, PQerrorMessage(pg));
    PQclear(r);
    return ok ? 0 : -1;
}

/* Runs a prepared statement; text params except those flagged binary. */
static PGresult *run(PGconn *pg, const char *name, int n, const char *const *vals, const int *lens, const int *fmts,
                     int result_binary, ExecStatusType want, char *err, size_t errlen) {
    PGresult *r = PQexecPrepared(pg, name, n, vals, lens, fmts, result_binary);
    if (PQresultStatus(r) != want) {
        snprintf(err, errlen, "%s: %s", name, PQerrorMessage(pg));
        PQclear(r);
        return NULL;
    }
    return r;
}

static int exec(PGconn *pg, const char *sql, char *err, size_t errlen) {
    return cs_pg_exec(pg, sql, 0, NULL, NULL, err, errlen);
}

/* The outbox's shape: one row per batch with packed records (true), or
 * one row per record with a payload column (false). Set by
 * bench_baseline() from the live schema. */
static bool outboxPacked;

static void blobPut(cs_copybuf *c, const void *p, size_t n) {
    uint32_t be = htonl((uint32_t)n);
    size_t need = c->len + 4 + n + 1;
    if (need > c->cap) {
        size_t cap = c->cap ? c->cap : 1024;
        while (cap < need) cap *= 2;
        c->data = cs_xrealloc(c->data, cap);
        c->cap = cap;
    }
    memcpy(c->data + c->len, &be, 4);
    if (n) memcpy(c->data + c->len + 4, p, n);
    c->len += 4 + n;
}

/* One event in its own transaction. Returns 0 or -1. */
static int baselineEvent(PGconn *pg, const Cs__V1__Envelope *env, const cs_shop *shop, int64_t produce_ms, char *err,
                         size_t errlen) {
    int rc = -1;
    PGresult *r = NULL;
    Cs__V1__OrderState *st = NULL;
    uint8_t *doc = NULL, *payload = NULL;
    char *reasons_json = NULL, *annotations_json = NULL;
    ov_decision *d = NULL;
    ov_stock *stock = NULL;
    if (exec(pg, "BEGIN", err, errlen) != 0) return -1;

    /* 1. dedupe */
    const char *p1[] = {env->event_id};
    if (!(r = run(pg, "b_dedupe", 1, p1, NULL, NULL, 0, PGRES_COMMAND_OK, err, errlen))) goto out;
    bool fresh = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    r = NULL;
    if (!fresh) {
        rc = 0;
        goto out;
    }

    /* 2. the order row, locked */
    const char *oid = env->order->order->order_id;
    const char *p2[] = {env->shop_id, oid};
    if (!(r = run(pg, "b_load", 2, p2, NULL, NULL, 1, PGRES_TUPLES_OK, err, errlen))) goto out;
    if (PQntuples(r) == 1)
        st = cs__v1__order_state__unpack(NULL, (size_t)PQgetlength(r, 0, 0), (const uint8_t *)PQgetvalue(r, 0, 0));
    PQclear(r);
    r = NULL;
    if (!st) st = cs_order_state_new();

    /* the same rule code as the verifier */
    int changed = ov12_apply_event(st, env->order, env->event_id, env->event_ms, err, errlen);
    if (changed < 0) goto out;
    if (changed == 0 || !st->created) {
        rc = 0;
        goto out;
    }
    const Cs__V1__Order *o = st->order;
    stock = cs_xcalloc(o->n_lines ? o->n_lines : 1, sizeof *stock);
    size_t ns = 0;
    for (size_t i = 0; i < o->n_lines; i++)
        if (o->lines[i]->sku && o->lines[i]->sku[0])
            stock[ns++] = (ov_stock){.sku = o->lines[i]->sku, .available = 1000000, .known = true};
    ov_state io = {.stock = stock, .nstock = ns};
    d = cs_xcalloc(1, sizeof *d);
    ov_decision_init(d);
    int64_t now = bench_now_us() / 1000;
    if (ov_verify(st, &io, shop, now, d) != 0) {
        rc = 0;
        goto out;
    }
    ov_record_verdict(st, d, now);

    /* 3. upsert the order row */
    size_t doclen = cs__v1__order_state__get_packed_size(st);
    doc = cs_xmalloc(doclen ? doclen : 1);
    cs__v1__order_state__pack(st, doc);
    char reasons[512] = "{", version[16], created[24], paid[24], total[24], payable[24], paidfen[24], channel[8];
    for (int i = 0; i < d->nreasons; i++) ov_appendf(reasons, sizeof reasons, "%s%s", i ? "," : "", d->reasons[i].code);
    ov_appendf(reasons, sizeof reasons, "}");
    snprintf(version, sizeof version, "%d", st->version);
    snprintf(created, sizeof created, "%" PRId64, o->created_ms);
    snprintf(paid, sizeof paid, "%" PRId64, o->paid_ms);
    snprintf(total, sizeof total, "%" PRId64, d->item_total_fen);
    snprintf(payable, sizeof payable, "%" PRId64, d->payable_fen);
    snprintf(paidfen, sizeof paidfen, "%" PRId64, o->paid_amount_fen);
    snprintf(channel, sizeof channel, "%d", (int)o->channel);
    const char *p3[] = {env->shop_id,
                        oid,
                        version,
                        stateName(d->state),
                        reasons,
                        o->buyer_id,
                        channel,
                        created,
                        paid,
                        total,
                        payable,
                        paidfen,
                        d->courier ? d->courier : "",
                        (const char *)doc};
    int l3[14] = {0};
    int f3[14] = {0};
    l3[13] = (int)doclen;
    f3[13] = 1;
    if (!(r = run(pg, "b_upsert", 14, p3, l3, f3, 0, PGRES_COMMAND_OK, err, errlen))) goto out;
    PQclear(r);
    r = NULL;

    /* 4. the verdict row */
    cJSON *ja = cJSON_CreateArray(), *jn = cJSON_CreateArray();
    for (int i = 0; i < d->nreasons; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "rule", d->reasons[i].rule);
        cJSON_AddStringToObject(x, "code", d->reasons[i].code);
        cJSON_AddStringToObject(x, "detail", d->reasons[i].detail);
        cJSON_AddItemToArray(ja, x);
    }
    for (int i = 0; i < d->nannotations; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "rule", d->annotations[i].rule);
        cJSON_AddStringToObject(x, "code", d->annotations[i].code);
        cJSON_AddStringToObject(x, "detail", d->annotations[i].detail);
        cJSON_AddStringToObject(x, "line_id", d->annotations[i].line_id ? d->annotations[i].line_id : "");
        cJSON_AddItemToArray(jn, x);
    }
    reasons_json = cJSON_PrintUnformatted(ja);
    annotations_json = cJSON_PrintUnformatted(jn);
    cJSON_Delete(ja);
    cJSON_Delete(jn);
    char decided[24], produced[24];
    snprintf(decided, sizeof decided, "%" PRId64, now);
    snprintf(produced, sizeof produced, "%" PRId64, produce_ms);
    const char *p4[] = {env->shop_id,
                        oid,
                        version,
                        stateName(d->state),
                        reasons_json,
                        annotations_json,
                        d->courier ? d->courier : "",
                        total,
                        payable,
                        decided,
                        env->event_id,
                        produced};
    if (!(r = run(pg, "b_verdict", 12, p4, NULL, NULL, 0, PGRES_COMMAND_OK, err, errlen))) goto out;
    PQclear(r);
    r = NULL;

    /* 5. the outbox row: the verdict envelope as it would be produced */
    Cs__V1__Verdict v = CS__V1__VERDICT__INIT;
    v.order_id = (char *)oid;
    v.version = st->version;
    v.state = d->state;
    v.courier = (char *)(d->courier ? d->courier : "");
    v.item_total_fen = d->item_total_fen;
    v.payable_fen = d->payable_fen;
    v.decided_ms = now;
    v.trigger_event_id = env->event_id;
    Cs__V1__Reason rs[OV_MAX_REASONS], *rp[OV_MAX_REASONS];
    for (int i = 0; i < d->nreasons; i++) {
        cs__v1__reason__init(&rs[i]);
        rs[i].rule = (char *)d->reasons[i].rule;
        rs[i].code = (char *)d->reasons[i].code;
        rs[i].detail = d->reasons[i].detail;
        rp[i] = &rs[i];
    }
    v.n_reasons = (size_t)d->nreasons;
    v.reasons = rp;
    Cs__V1__Envelope out = CS__V1__ENVELOPE__INIT;
    char vid[256], key[256];
    snprintf(vid, sizeof vid, "%.200s/verdict", env->event_id);
    snprintf(key, sizeof key, "%.60s:%.180s", env->shop_id, oid);
    out.event_id = vid;
    out.shop_id = env->shop_id;
    out.event_ms = now;
    out.ingest_ms = now;
    out.source = "baseline";
    out.body_case = CS__V1__ENVELOPE__BODY_VERDICT;
    out.verdict = &v;
    size_t plen = cs__v1__envelope__get_packed_size(&out);
    payload = cs_xmalloc(plen ? plen : 1);
    cs__v1__envelope__pack(&out, payload);
    if (outboxPacked) {
        /* the runtime's row format: the batch's records packed in one bytea,
         * each as five length-prefixed fields (topic, key, event id,
         * headers, payload); here a batch of one */
        cs_copybuf blob = {0};
        blobPut(&blob, CS_TOPIC_VERDICTS, strlen(CS_TOPIC_VERDICTS));
        blobPut(&blob, key, strlen(key));
        blobPut(&blob, vid, strlen(vid));
        blobPut(&blob, "", 0);
        blobPut(&blob, payload, plen);
        const char *p5[] = {vid, blob.data};
        int l5[2] = {0, (int)blob.len}, f5[2] = {0, 1};
        r = run(pg, "b_outbox", 2, p5, l5, f5, 0, PGRES_COMMAND_OK, err, errlen);
        cs_copy_free(&blob);
    } else {
        const char *p5[] = {vid, key, vid, (const char *)payload};
        int l5[4] = {0, 0, 0, (int)plen}, f5[4] = {0, 0, 0, 1};
        r = run(pg, "b_outbox", 4, p5, l5, f5, 0, PGRES_COMMAND_OK, err, errlen);
    }
    if (!r) goto out;
    PQclear(r);
    r = NULL;
    rc = 0;
out:
    PQclear(r);
    if (rc == 0)
        rc = exec(pg, "COMMIT", err, errlen);
    else {
        char e2[256];
        exec(pg, "ROLLBACK", e2, sizeof e2);
    }
    cs_order_state_free(st);
    free(doc);
    free(payload);
    free(stock);
    free(d);
    cJSON_free(reasons_json);
    cJSON_free(annotations_json);
    return rc;
}

static const char *const baselineTables[] = {"bench_base_processed", "bench_base_orders", "bench_base_verdicts",
                                             "bench_base_outbox"};

static void dropBaseline(PGconn *pg) {
    char e[256], sql[128];
    for (size_t i = 0; i < sizeof baselineTables / sizeof *baselineTables; i++) {
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", baselineTables[i]);
        exec(pg, sql, e, sizeof e);
    }
}

double bench_baseline(PGconn *pg, const cs_config *cfg, const bench_offsets *from, const bench_offsets *to,
                      const cs_shops *shops, int64_t max_events, double max_s, int64_t *events, char *err,
                      size_t errlen) {
    *events = 0;
    dropBaseline(pg);
    PGresult *cols = NULL;
    if (cs_pg_exec(pg,
                   "SELECT 1 FROM information_schema.columns WHERE table_name = 'outbox' AND column_name = 'records'",
                   0, NULL, &cols, err, errlen) != 0)
        return -1;
    outboxPacked = PQntuples(cols) > 0;
    PQclear(cols);
    if (exec(pg, "CREATE TABLE bench_base_processed (LIKE processed_events INCLUDING ALL)", err, errlen) ||
        exec(pg, "CREATE TABLE bench_base_orders (LIKE orders INCLUDING ALL)", err, errlen) ||
        exec(pg, "CREATE TABLE bench_base_verdicts (LIKE verdicts INCLUDING ALL)", err, errlen) ||
        exec(pg, "CREATE TABLE bench_base_outbox (LIKE outbox INCLUDING ALL)", err, errlen) ||
        prepare(pg, "b_dedupe",
                "INSERT INTO bench_base_processed (worker, event_id) VALUES ('baseline', $1) ON CONFLICT DO NOTHING", 1,
                err, errlen) ||
        prepare(pg, "b_load", "SELECT doc FROM bench_base_orders WHERE shop_id = $1 AND order_id = $2 FOR UPDATE", 2,
                err, errlen) ||
        prepare(pg, "b_upsert",
                "INSERT INTO bench_base_orders (shop_id, order_id, version, state, reasons, buyer_id, channel, "
                "created_ms, paid_ms, item_total_fen, payable_fen, paid_fen, courier, doc) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) "
                "ON CONFLICT (shop_id, order_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state, "
                "reasons = EXCLUDED.reasons, paid_ms = EXCLUDED.paid_ms, item_total_fen = EXCLUDED.item_total_fen, "
                "payable_fen = EXCLUDED.payable_fen, paid_fen = EXCLUDED.paid_fen, courier = EXCLUDED.courier, "
                "doc = EXCLUDED.doc, updated_at = now()",
                14, err, errlen) ||
        prepare(pg, "b_verdict",
                "INSERT INTO bench_base_verdicts (shop_id, order_id, version, state, reasons, annotations, courier, "
                "item_total_fen, payable_fen, decided_ms, trigger_event_id, produced_ms) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                12, err, errlen) ||
        prepare(pg, "b_outbox",
                outboxPacked ? "INSERT INTO bench_base_outbox (worker, batch_id, nrecords, records) "
                               "VALUES ('baseline', $1, 1, $2)"
                             : "INSERT INTO bench_base_outbox (worker, batch_id, topic, key, event_id, payload) "
                               "VALUES ('baseline', $1, 'cs.verdicts.v1', $2, $3, $4)",
                outboxPacked ? 2 : 4, err, errlen)) {
        dropBaseline(pg);
        return -1;
    }

    /* the same records the verifier read, from the same offsets */
    char group[64];
    snprintf(group, sizeof group, "cs-bench-baseline-%d", (int)getpid());
    char e[256];
    rd_kafka_conf_t *c = cs_kafka_conf(cfg, CS_KAFKA_READER, group, NULL, e, sizeof e);
    if (!c) {
        snprintf(err, errlen, "baseline consumer: %s", e);
        dropBaseline(pg);
        return -1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof e);
    if (!rk) {
        snprintf(err, errlen, "baseline consumer: %s", e);
        rd_kafka_conf_destroy(c);
        dropBaseline(pg);
        return -1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(from->n);
    for (int p = 0; p < from->n; p++) rd_kafka_topic_partition_list_add(parts, from->topic, p)->offset = from->off[p];
    rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);

    int64_t want = bench_offsets_span(from, to), first = 0, last = 0, idle_since = bench_now_us(), n = 0;
    int rc = 0;
    while (n < want && n < max_events) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        int64_t now = bench_now_us();
        if (first && now - first > (int64_t)(max_s * 1e6)) {
            if (m) rd_kafka_message_destroy(m);
            break;
        }
        if (!m) {
            if (now - idle_since > 15000000) break;
            continue;
        }
        idle_since = now;
        if (m->err || m->partition >= to->n || m->offset >= to->off[m->partition]) {
            rd_kafka_message_destroy(m);
            continue;
        }
        if (!first) first = now;
        Cs__V1__Envelope *env = cs__v1__envelope__unpack(NULL, m->len, m->payload);
        rd_kafka_timestamp_type_t tt;
        int64_t produce_ms = rd_kafka_message_timestamp(m, &tt);
        rd_kafka_message_destroy(m);
        const cs_shop *shop = env && env->shop_id ? cs_shops_find(shops, env->shop_id) : NULL;
        if (env && shop && env->body_case == CS__V1__ENVELOPE__BODY_ORDER && env->order && env->order->order &&
            env->order->order->order_id && env->event_id) {
            if (baselineEvent(pg, env, shop, produce_ms, err, errlen) != 0) {
                cs__v1__envelope__free_unpacked(env, NULL);
                rc = -1;
                break;
            }
        }
        if (env) cs__v1__envelope__free_unpacked(env, NULL);
        n++;
        last = bench_now_us();
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    char e2[256];
    exec(pg, "DEALLOCATE ALL", e2, sizeof e2);
    dropBaseline(pg);
    *events = n;
    if (rc != 0) return -1;
    return last > first ? (double)n * 1e6 / (double)(last - first) : -1;
}
