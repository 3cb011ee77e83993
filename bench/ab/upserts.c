/* bench/ab/upserts.c -- A/B of the upserts that went through temporary
 * staging tables (A) against their parameter-array replacements (B; C is
 * an UPDATE ... FROM unnest variant of B for orders, not adopted), run
 * round by round interleaved (A B C, B C A, ...) on one PostgreSQL, so a
 * busy moment of the shared host falls on every variant alike
 * (docs/performance.md, "Upserts from array parameters").
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Ishared/include $(pkg-config --cflags libpq) \
 *      bench/ab/upserts.c build/libcs_shared.a $(pkg-config --libs libpq) -o /tmp/ab-upserts
 *   /tmp/ab-upserts "<dsn of a scratch database>" orders|messages|quality <rows per txn> <txns per round> <rounds> [ABC]
 *
 * It (re)creates its tables (orders, messages, quality_cases with the
 * migrations' columns and indexes) in that database: never point it at a
 * worker's. A runs in a session holding the workers' old temporary tables
 * (ON COMMIT DELETE ROWS) and writes through them; B and C in a session
 * without any. orders: 100 000 rows preloaded, each transaction rewrites
 * the next <rows> of them (document 600 bytes, two reservations);
 * messages: half new keys, half the previous transaction's again;
 * quality: new case ids. AB_SYNC_OFF=1 sets synchronous_commit off in both
 * sessions, leaving at COMMIT only the server's own work. Prints per round
 * and variant the microseconds per row (whole transaction: building the
 * rows, statements, COMMIT) and per COMMIT, then the medians. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cs/pg.h"

static int64_t nowUs(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void ok(PGconn *pg, const char *sql) {
    char err[512];
    if (cs_pg_exec(pg, sql, 0, NULL, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
}
static void okc(int rc, const char *err) {
    if (rc != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
}

static unsigned char doc[700];
static void fillDoc(unsigned seed, size_t n) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        doc[i] = (unsigned char)(seed >> 16);
    }
}

/* ---------------------------------------------------------------- orders */

#define ORDERS_N 100000
static const char *ORD_COLS =
    "shop_id, order_id, version, state, reasons, buyer_id, channel, created_ms, paid_ms, "
    "shipped_ms, cancelled_ms, item_total_fen, payable_fen, paid_fen, courier, restock_date_ms, fingerprint, doc, "
    "reserved_skus, reserved_qty";
static const char *ORD_SET =
    "ON CONFLICT (shop_id, order_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state, "
    "reasons = CASE WHEN EXCLUDED.item_total_fen IS NULL THEN orders.reasons ELSE EXCLUDED.reasons END, "
    "buyer_id = EXCLUDED.buyer_id, channel = EXCLUDED.channel, created_ms = EXCLUDED.created_ms, "
    "paid_ms = EXCLUDED.paid_ms, shipped_ms = EXCLUDED.shipped_ms, cancelled_ms = EXCLUDED.cancelled_ms, "
    "item_total_fen = COALESCE(EXCLUDED.item_total_fen, orders.item_total_fen), "
    "payable_fen = COALESCE(EXCLUDED.payable_fen, orders.payable_fen), paid_fen = EXCLUDED.paid_fen, "
    "courier = EXCLUDED.courier, restock_date_ms = EXCLUDED.restock_date_ms, fingerprint = EXCLUDED.fingerprint, "
    "doc = EXCLUDED.doc, reserved_skus = EXCLUDED.reserved_skus, reserved_qty = EXCLUDED.reserved_qty, updated_at = "
    "now()";

/* One orders row: bin = arrays as binary (COPY), else as text literals (params). */
static void orderRow(cs_copybuf *c, long i, int gen, bool bin) {
    char id[32], buyer[32], fp[80], lit[128];
    snprintf(id, sizeof id, "o%06ld", i);
    snprintf(buyer, sizeof buyer, "b%05ld", i / 2);
    snprintf(fp, sizeof fp, "%064ld", i * 7 + gen);
    bool decided = gen == 0 || (i + gen) % 3 != 0;
    const char *codes[] = {"OUT_OF_STOCK", "BUYER_MESSAGE_REVIEW"};
    const char *skus[] = {"SKU-00017", "SKU-00042"};
    int32_t qty[] = {1, 2};
    cs_copybin_row(c, 20);
    cs_copybin_text(c, "tb-demo");
    cs_copybin_text(c, id);
    cs_copybin_int4(c, gen + 1);
    cs_copybin_text(c, decided ? "EXCEPTION" : "VERIFIED");
    if (!decided)
        cs_copybin_null(c);
    else if (bin)
        cs_copybin_text_array(c, codes, 2);
    else {
        cs_copybuf t = {0};
        cs_pg_text_array(&t, codes, 2);
        cs_copybin_text(c, t.data);
        cs_copy_free(&t);
    }
    cs_copybin_text(c, buyer);
    cs_copybin_text(c, "TMALL");
    cs_copybin_int8(c, 1700000000000LL + i);
    cs_copybin_int8(c, 1700000060000LL + i);
    cs_copybin_null(c);
    cs_copybin_null(c);
    if (decided) {
        cs_copybin_int8(c, 12900 + gen);
        cs_copybin_int8(c, 12900 + gen);
    } else {
        cs_copybin_null(c);
        cs_copybin_null(c);
    }
    cs_copybin_int8(c, 12900);
    cs_copybin_text(c, "YTO");
    cs_copybin_int8(c, 0);
    cs_copybin_text(c, fp);
    fillDoc((unsigned)(i * 31 + gen), 600);
    cs_copybin_bytes(c, doc, 600);
    if (bin) {
        cs_copybin_text_array(c, skus, 2);
        cs_copybin_int4_array(c, qty, 2);
    } else {
        cs_copybuf t = {0};
        cs_pg_text_array(&t, skus, 2);
        cs_copybin_text(c, t.data);
        snprintf(lit, sizeof lit, "{%d,%d}", qty[0], qty[1]);
        cs_copybin_text(c, lit);
        cs_copy_free(&t);
    }
}

static const uint32_t ORD_TYPES[20] = {CS_PG_TEXT, CS_PG_TEXT, CS_PG_INT4,  CS_PG_TEXT, CS_PG_TEXT,
                                       CS_PG_TEXT, CS_PG_TEXT, CS_PG_INT8,  CS_PG_INT8, CS_PG_INT8,
                                       CS_PG_INT8, CS_PG_INT8, CS_PG_INT8,  CS_PG_INT8, CS_PG_TEXT,
                                       CS_PG_INT8, CS_PG_TEXT, CS_PG_BYTEA, CS_PG_TEXT, CS_PG_TEXT};

static const char *ORD_UNNEST =
    "FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], "
    "$8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], "
    "$15::text[], "
    "$16::bigint[], $17::text[], $18::bytea[], $19::text[], $20::text[]) AS u(shop_id, order_id, version, state, "
    "reasons, "
    "buyer_id, channel, created_ms, paid_ms, shipped_ms, cancelled_ms, item_total_fen, payable_fen, paid_fen, courier, "
    "restock_date_ms, fingerprint, doc, reserved_skus, reserved_qty)";

static char sqlB[4096], sqlC[4096], sqlA[4096];

static void ordersSetup(PGconn *pg) {
    ok(pg,
       "DROP TABLE IF EXISTS orders; CREATE TABLE orders (shop_id text NOT NULL, order_id text NOT NULL, version int "
       "NOT NULL, "
       "state text NOT NULL, reasons text[] NOT NULL DEFAULT '{}', buyer_id text, channel text, created_ms bigint, "
       "paid_ms bigint, "
       "shipped_ms bigint, cancelled_ms bigint, item_total_fen bigint, payable_fen bigint, paid_fen bigint, courier "
       "text, "
       "restock_date_ms bigint, doc bytea NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), fingerprint text, "
       "reserved_skus text[], reserved_qty int[], PRIMARY KEY (shop_id, order_id));"
       "CREATE INDEX orders_buyer_paid ON orders (shop_id, buyer_id, paid_ms);"
       "CREATE INDEX orders_unshipped ON orders (shop_id, paid_ms, order_id) WHERE paid_ms IS NOT NULL AND shipped_ms "
       "IS NULL AND cancelled_ms IS NULL;");
    cs_copybuf c = {0};
    char err[512];
    cs_copybin_start(&c);
    for (long i = 0; i < ORDERS_N; i++) orderRow(&c, i, 0, true);
    cs_copybin_finish(&c);
    char q[1024];
    snprintf(q, sizeof q, "COPY orders (%s) FROM STDIN (FORMAT binary)", ORD_COLS);
    okc(cs_copy_send(pg, q, &c, err, sizeof err), err);
    cs_copy_free(&c);
    ok(pg, "VACUUM ANALYZE orders");
}

static void ordersSql(void) {
    snprintf(
        sqlA, sizeof sqlA,
        "INSERT INTO orders (%s) SELECT shop_id, order_id, version, state, COALESCE(reasons, '{}'), buyer_id, channel, "
        "created_ms, paid_ms, shipped_ms, cancelled_ms, item_total_fen, payable_fen, paid_fen, courier, "
        "restock_date_ms, "
        "fingerprint, doc, reserved_skus, reserved_qty FROM ov_orders_stage %s",
        ORD_COLS, ORD_SET);
    snprintf(
        sqlB, sizeof sqlB,
        "INSERT INTO orders (%s) SELECT shop_id, order_id, version, state, COALESCE(reasons::text[], '{}'), buyer_id, "
        "channel, created_ms, paid_ms, shipped_ms, cancelled_ms, item_total_fen, payable_fen, paid_fen, courier, "
        "restock_date_ms, "
        "fingerprint, doc, reserved_skus::text[], reserved_qty::int[] %s %s",
        ORD_COLS, ORD_UNNEST, ORD_SET);
    snprintf(sqlC, sizeof sqlC,
             "UPDATE orders o SET version = u.version, state = u.state, "
             "reasons = CASE WHEN u.item_total_fen IS NULL THEN o.reasons ELSE COALESCE(u.reasons::text[], '{}') END, "
             "buyer_id = u.buyer_id, channel = u.channel, created_ms = u.created_ms, paid_ms = u.paid_ms, shipped_ms = "
             "u.shipped_ms, "
             "cancelled_ms = u.cancelled_ms, item_total_fen = COALESCE(u.item_total_fen, o.item_total_fen), "
             "payable_fen = COALESCE(u.payable_fen, o.payable_fen), paid_fen = u.paid_fen, courier = u.courier, "
             "restock_date_ms = u.restock_date_ms, fingerprint = u.fingerprint, doc = u.doc, "
             "reserved_skus = u.reserved_skus::text[], reserved_qty = u.reserved_qty::int[], updated_at = now() "
             "%s WHERE o.shop_id = u.shop_id AND o.order_id = u.order_id",
             ORD_UNNEST);
}

/* ---------------------------------------------------------------- messages */

static const char *MSG_SET =
    "ON CONFLICT (shop_id, idempotency_key) DO UPDATE SET to_addr = EXCLUDED.to_addr, "
    "channel = EXCLUDED.channel, body = EXCLUDED.body, status = EXCLUDED.status, "
    "reason = EXCLUDED.reason, permanent = EXCLUDED.permanent, release_ms = EXCLUDED.release_ms, "
    "attempts = EXCLUDED.attempts, http_status = EXCLUDED.http_status, provider = EXCLUDED.provider, "
    "sent_ms = EXCLUDED.sent_ms, updated_ms = EXCLUDED.updated_ms";
static const uint32_t MSG_TYPES[21] = {CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT,  CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT,
                                       CS_PG_TEXT, CS_PG_TEXT, CS_PG_JSONB, CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT,
                                       CS_PG_BOOL, CS_PG_INT8, CS_PG_INT4,  CS_PG_INT4, CS_PG_TEXT, CS_PG_INT8,
                                       CS_PG_INT8, CS_PG_INT8, CS_PG_BYTEA};

static void messagesSetup(PGconn *pg) {
    ok(pg,
       "DROP TABLE IF EXISTS messages; CREATE TABLE messages (shop_id text NOT NULL, idempotency_key text NOT NULL, "
       "order_id text NOT NULL DEFAULT '', to_addr text NOT NULL, channel text NOT NULL, class text NOT NULL, template "
       "text NOT NULL, "
       "rule text NOT NULL DEFAULT '', params jsonb NOT NULL DEFAULT '{}', body text, "
       "status text NOT NULL CHECK (status IN ('sent', 'held', 'suppressed', 'failed')), reason text NOT NULL DEFAULT "
       "'', "
       "permanent boolean NOT NULL DEFAULT false, release_ms bigint, attempts int NOT NULL DEFAULT 0, http_status int, "
       "provider text NOT NULL DEFAULT '', requested_ms bigint NOT NULL, sent_ms bigint, updated_ms bigint NOT NULL, "
       "request bytea NOT NULL, PRIMARY KEY (shop_id, idempotency_key));"
       "CREATE INDEX messages_sent_to ON messages (shop_id, to_addr, sent_ms) WHERE status = 'sent';"
       "CREATE INDEX messages_order ON messages (shop_id, order_id);"
       "CREATE INDEX messages_held ON messages (release_ms) WHERE status = 'held';");
}

static void msgRow(cs_copybuf *c, long i, bool bin) {
    char key[64], order[32], to[32], pj[128], body[256];
    snprintf(key, sizeof key, "nt6:tb-demo:o%07ld:logistics", i);
    snprintf(order, sizeof order, "o%07ld", i);
    snprintf(to, sizeof to, "+86138%08ld", i % 100000000);
    snprintf(pj, sizeof pj, "{\"courier\":\"YTO\",\"tracking\":\"YT%010ld\",\"order_id\":\"%s\"}", i, order);
    snprintf(body, sizeof body, "【淘宝演示店】您的订单%s已由圆通发出，运单号YT%010ld，请留意查收。", order, i);
    bool held = i % 5 == 0;
    fillDoc((unsigned)i, 180);
    if (bin) {
        cs_copybin_row(c, 21);
        cs_copybin_text(c, "tb-demo");
        cs_copybin_text(c, key);
        cs_copybin_text(c, order);
        cs_copybin_text(c, to);
        cs_copybin_text(c, "SMS");
        cs_copybin_text(c, "SERVICE");
        cs_copybin_text(c, "logistics_shipped");
        cs_copybin_text(c, "NT-6");
        cs_copybin_jsonb(c, pj);
        cs_copybin_text(c, held ? NULL : body);
        cs_copybin_text(c, held ? "held" : "sent");
        cs_copybin_text(c, held ? "NT-2 QUIET_HOURS" : "");
        cs_copybin_bool(c, false);
        if (held)
            cs_copybin_int8(c, 1700000000000LL + i);
        else
            cs_copybin_null(c);
        cs_copybin_int4(c, held ? 0 : 1);
        if (held)
            cs_copybin_null(c);
        else
            cs_copybin_int4(c, 200);
        cs_copybin_text(c, held ? "" : "log");
        cs_copybin_int8(c, 1700000000000LL);
        if (held)
            cs_copybin_null(c);
        else
            cs_copybin_int8(c, 1700000000000LL);
        cs_copybin_int8(c, 1700000000000LL);
        cs_copybin_bytes(c, doc, 180);
    } else {
        cs_copy_text(c, "tb-demo");
        cs_copy_text(c, key);
        cs_copy_text(c, order);
        cs_copy_text(c, to);
        cs_copy_text(c, "SMS");
        cs_copy_text(c, "SERVICE");
        cs_copy_text(c, "logistics_shipped");
        cs_copy_text(c, "NT-6");
        cs_copy_text(c, pj);
        cs_copy_text(c, held ? NULL : body);
        cs_copy_text(c, held ? "held" : "sent");
        cs_copy_text(c, held ? "NT-2 QUIET_HOURS" : "");
        cs_copy_bool(c, false);
        if (held)
            cs_copy_int(c, 1700000000000LL + i);
        else
            cs_copy_null(c);
        cs_copy_int(c, held ? 0 : 1);
        if (held)
            cs_copy_null(c);
        else
            cs_copy_int(c, 200);
        cs_copy_text(c, held ? "" : "log");
        cs_copy_int(c, 1700000000000LL);
        if (held)
            cs_copy_null(c);
        else
            cs_copy_int(c, 1700000000000LL);
        cs_copy_int(c, 1700000000000LL);
        cs_copy_bytea(c, doc, 180);
        cs_copy_end_row(c);
    }
}

/* ---------------------------------------------------------------- main */

static int cmpD(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: ab dsn orders|messages|quality rows txns rounds [variants]\n");
        return 2;
    }
    const char *dsn = argv[1], *what = argv[2];
    long rows = atol(argv[3]), txns = atol(argv[4]), rounds = atol(argv[5]);
    const char *variants = argc > 6 ? argv[6] : "AB";
    char err[512];
    PGconn *old = cs_pg_connect(dsn, err, sizeof err), *neu = cs_pg_connect(dsn, err, sizeof err);
    if (!old || !neu) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (getenv("AB_SYNC_OFF")) {
        ok(old, "SET synchronous_commit = off");
        ok(neu, "SET synchronous_commit = off");
    }
    /* the old sessions had their worker's temp tables */
    if (strcmp(what, "messages") == 0) {
        messagesSetup(old);
        ok(old, "CREATE TEMP TABLE nt_messages_stage (LIKE messages) ON COMMIT DELETE ROWS");
    } else {
        if (strcmp(what, "orders") == 0)
            ordersSetup(old);
        else
            ok(old, "DROP TABLE IF EXISTS quality_cases; CREATE TABLE quality_cases (shop_id text NOT NULL, case_id "
                    "text NOT NULL, "
                    "sku text NOT NULL, opened_ms bigint NOT NULL, PRIMARY KEY (shop_id, case_id));"
                    "CREATE INDEX quality_cases_sku ON quality_cases (shop_id, sku, opened_ms);");
        ok(old,
           "CREATE TEMP TABLE ov_orders_stage (shop_id text, order_id text, version int, state text, reasons text[], "
           "buyer_id text, channel text, created_ms bigint, paid_ms bigint, shipped_ms bigint, cancelled_ms bigint, "
           "item_total_fen bigint, payable_fen bigint, paid_fen bigint, courier text, restock_date_ms bigint, "
           "fingerprint text, doc bytea, "
           "reserved_skus text[], reserved_qty int[]) ON COMMIT DELETE ROWS;"
           "CREATE TEMP TABLE ov_quality_stage (shop_id text, case_id text, sku text, opened_ms bigint) ON COMMIT "
           "DELETE ROWS;");
    }
    ordersSql();
    int nv = (int)strlen(variants);
    double *perRow = calloc((size_t)(nv * rounds), sizeof *perRow),
           *perCommit = calloc((size_t)(nv * rounds), sizeof *perCommit);
    cs_copybuf c = {0}, cols[21] = {{0}};
    long cursor = 0, msgSeq = 0;
    int gen = 1;
    for (long r = 0; r < rounds; r++) {
        for (int vi = 0; vi < nv; vi++) {
            int v = (int)((vi + r) % nv); /* rotate which goes first */
            char var = variants[v];
            PGconn *pg = var == 'A' ? old : neu;
            int64_t total = 0, commit = 0;
            for (long t = 0; t < txns; t++) {
                int64_t t0 = nowUs();
                ok(pg, "BEGIN");
                if (strcmp(what, "orders") == 0) {
                    if (cursor + rows > ORDERS_N) {
                        cursor = 0;
                        gen++;
                    }
                    if (var == 'A') {
                        cs_copybin_start(&c);
                        for (long i = 0; i < rows; i++) orderRow(&c, cursor + i, gen, true);
                        cs_copybin_finish(&c);
                        okc(cs_copy_send(pg, "COPY ov_orders_stage FROM STDIN (FORMAT binary)", &c, err, sizeof err),
                            err);
                        okc(cs_pg_exec(pg, sqlA, 0, NULL, NULL, err, sizeof err), err);
                    } else {
                        cs_copy_reset(&c);
                        for (long i = 0; i < rows; i++) orderRow(&c, cursor + i, gen, false);
                        if (cs_pgbin_columns(&c, 20, ORD_TYPES, cols) != rows) {
                            fprintf(stderr, "columns\n");
                            return 1;
                        }
                        PGresult *res = NULL;
                        okc(cs_pg_exec_bin(pg, var == 'B' ? sqlB : sqlC, 20, cols, &res, err, sizeof err), err);
                        if (atol(PQcmdTuples(res)) != rows) {
                            fprintf(stderr, "%s rows\n", PQcmdTuples(res));
                            return 1;
                        }
                        PQclear(res);
                    }
                    cursor += rows;
                } else if (strcmp(what, "messages") == 0) {
                    /* half new keys, half the previous txn's keys again (a release) */
                    long base = msgSeq;
                    msgSeq += rows / 2;
                    if (var == 'A') {
                        cs_copy_reset(&c);
                        for (long i = 0; i < rows; i++) msgRow(&c, base - rows / 2 + i, false);
                        okc(cs_copy_send(pg, "COPY nt_messages_stage FROM STDIN", &c, err, sizeof err), err);
                        char q[1024];
                        snprintf(q, sizeof q, "INSERT INTO messages SELECT * FROM nt_messages_stage %s", MSG_SET);
                        okc(cs_pg_exec(pg, q, 0, NULL, NULL, err, sizeof err), err);
                    } else {
                        cs_copy_reset(&c);
                        for (long i = 0; i < rows; i++) msgRow(&c, base - rows / 2 + i, true);
                        if (cs_pgbin_columns(&c, 21, MSG_TYPES, cols) != rows) {
                            fprintf(stderr, "columns\n");
                            return 1;
                        }
                        char q[2048];
                        snprintf(q, sizeof q,
                                 "INSERT INTO messages (shop_id, idempotency_key, order_id, to_addr, channel, class, "
                                 "template, rule, "
                                 "params, body, status, reason, permanent, release_ms, attempts, http_status, "
                                 "provider, requested_ms, "
                                 "sent_ms, updated_ms, request) SELECT * FROM unnest($1::text[], $2::text[], "
                                 "$3::text[], $4::text[], "
                                 "$5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::text[], "
                                 "$11::text[], $12::text[], "
                                 "$13::bool[], $14::bigint[], $15::int[], $16::int[], $17::text[], $18::bigint[], "
                                 "$19::bigint[], "
                                 "$20::bigint[], $21::bytea[]) %s",
                                 MSG_SET);
                        okc(cs_pg_exec_bin(pg, q, 21, cols, NULL, err, sizeof err), err);
                    }
                } else {
                    long base = msgSeq;
                    msgSeq += rows;
                    if (var == 'A') {
                        cs_copy_reset(&c);
                        for (long i = 0; i < rows; i++) {
                            char id[32];
                            snprintf(id, sizeof id, "case-%08ld", base + i);
                            cs_copy_text(&c, "tb-demo");
                            cs_copy_text(&c, id);
                            cs_copy_text(&c, "SKU-00017");
                            cs_copy_int(&c, 1700000000000LL + i);
                            cs_copy_end_row(&c);
                        }
                        okc(cs_copy_send(pg, "COPY ov_quality_stage FROM STDIN", &c, err, sizeof err), err);
                        okc(cs_pg_exec(
                                pg, "INSERT INTO quality_cases SELECT * FROM ov_quality_stage ON CONFLICT DO NOTHING",
                                0, NULL, NULL, err, sizeof err),
                            err);
                    } else {
                        cs_copy_reset(&c);
                        for (long i = 0; i < rows; i++) {
                            char id[32];
                            snprintf(id, sizeof id, "case-%08ld", base + i);
                            cs_copybin_row(&c, 4);
                            cs_copybin_text(&c, "tb-demo");
                            cs_copybin_text(&c, id);
                            cs_copybin_text(&c, "SKU-00017");
                            cs_copybin_int8(&c, 1700000000000LL + i);
                        }
                        static const uint32_t qt[4] = {CS_PG_TEXT, CS_PG_TEXT, CS_PG_TEXT, CS_PG_INT8};
                        cs_pgbin_columns(&c, 4, qt, cols);
                        okc(cs_pg_exec_bin(
                                pg,
                                "INSERT INTO quality_cases (shop_id, case_id, sku, opened_ms) SELECT * FROM "
                                "unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) ON CONFLICT DO NOTHING",
                                4, cols, NULL, err, sizeof err),
                            err);
                    }
                }
                int64_t t1 = nowUs();
                ok(pg, "COMMIT");
                int64_t t2 = nowUs();
                total += t2 - t0;
                commit += t2 - t1;
            }
            perRow[v * rounds + r] = (double)total / (double)(txns * rows);
            perCommit[v * rounds + r] = (double)commit / (double)txns;
            printf("round %ld %c: %.2f us/row, commit %.0f us\n", r, var, perRow[v * rounds + r],
                   perCommit[v * rounds + r]);
            fflush(stdout);
        }
    }
    for (int v = 0; v < nv; v++) {
        qsort(perRow + v * rounds, (size_t)rounds, sizeof(double), cmpD);
        qsort(perCommit + v * rounds, (size_t)rounds, sizeof(double), cmpD);
        printf("SUMMARY %s %c rows/txn=%ld: us/row median %.2f (min %.2f max %.2f); commit us median %.0f (min %.0f "
               "max %.0f)\n",
               what, variants[v], rows, perRow[v * rounds + rounds / 2], perRow[v * rounds],
               perRow[v * rounds + rounds - 1], perCommit[v * rounds + rounds / 2], perCommit[v * rounds],
               perCommit[v * rounds + rounds - 1]);
    }
    PQfinish(old);
    PQfinish(neu);
    return 0;
}
