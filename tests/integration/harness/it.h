/* it.h -- the integration tests' harness: black-box tests of the real
 * worker binaries against the real stack (Kafka, PostgreSQL, Redis on
 * loopback, brought up once by tests/run.sh with deploy/local/stack.sh).
 *
 * What it gives a test:
 *   - it_init(): reads the CS_* environment and checks every server
 *     answers; a missing variable or server FAILS the test binary loudly
 *     (integration tests are never skipped);
 *   - checks: ct.h's CT_CHECK / CT_EQ_INT / CT_EQ_STR, IT_REQUIRE (check and
 *     leave the test case), and IT_MAIN, which times each case and ends with
 *     ct.h's closing line "N passed, N failed";
 *   - worker processes: fork/exec $CS_BUILD_DIR/order-verifier with the
 *     test settings plus extra variables, stderr to a log file, signals,
 *     exit codes;
 *   - a producer of cs.v1.Envelope records (order events keyed
 *     "<shop>:<order>", inventory keyed by SKU) that reports each record's
 *     partition and offset;
 *   - PostgreSQL scalar queries and wait-until helpers (poll every 100 ms);
 *   - a reader of a topic from its end (or beginning) that keeps the
 *     records whose key contains a run id, with their headers;
 *   - order builders: a valid order with consistent amounts (payable =
 *     items - discounts + shipping), a complete receiver and a mainland
 *     mobile number.
 *
 * Isolation: every test makes a run id (it_run_id(): "it<pid>x<time>") and
 * puts it in its order ids, event ids and SKUs, and counts only that run's
 * rows; tests never need an empty database. Workers all use the consumer
 * group IT_GROUP, started fresh by each test, so each test only sees the
 * records produced since the previous one committed.
 *
 * Memory: the harness owns every record, log path and connection it hands
 * out; tests free what they get with the matching _free call. Everything
 * is single-threaded. */
#ifndef IT_H
#define IT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <libpq-fe.h>

#include <cjson/cJSON.h>

#include "ct.h"
#include "cs/v1/envelope.pb-c.h"

/* A worker's consumer group starts with its role's name: the Kafka ACLs
 * let a role join only such groups (docs/security.md). */
#define IT_GROUP "order-verifier-it"
/* The other workers' groups in the suites (it_init positions every one of
 * them at the end of the topics where it has no offset yet). */
#define IT_GROUP_EXCEPTIONS "exception-handler-it"
#define IT_GROUP_NOTIFIER "notifier-it"
#define IT_GROUP_TIMER_PROBE "it-timer-probe"
#define IT_TOPIC_ORDERS "shop.orders.v1"
/* SQL: the id of the notifier's sweep timer of a messages row m held until
 * `due` (SQL text too), as notifier.c names it:
 * "nt.sweep@<shop>:<release ms>#b<bucket>" (docs/notifier.md). A row
 * released keeps its bucket. */
#define IT_SWEEP_ID(m, due) "'nt.sweep@' || " m ".shop_id || ':' || " due " || '#b' || lpad(" m ".release_bucket::text, 2, '0')"
#define IT_TOPIC_INVENTORY "shop.inventory.v1"
#define IT_TOPIC_VERDICTS "cs.verdicts.v1"
#define IT_TOPIC_ORDERS_DLQ "shop.orders.v1.dlq"
#define IT_WORKER_NAME "order-verifier"

/* ---- environment and checks ------------------------------------------- */

typedef struct it_env {
    const char *brokers;    /* CS_KAFKA_BROKERS */
    const char *pg_dsn;     /* CS_PG_DSN */
    const char *redis_url;  /* CS_REDIS_URL */
    const char *source_dir; /* CS_SOURCE_DIR (set by ctest) */
    const char *build_dir;  /* CS_BUILD_DIR (set by ctest) */
    char shops_file[1024];  /* <source>/deploy/config/shops.sample.json */
    char log_dir[1024];     /* <build>/tests/it-logs */
    char test_name[64];     /* argv[0]'s base name */
} it_env;

extern it_env it;

/* Reads the environment, checks that Kafka, PostgreSQL and Redis answer
 * and that the binaries exist; on any failure prints why and exits 1. */
void it_init(const char *argv0);
/* Closes the harness's connections (producer flushed). */
void it_shutdown(void);

/* A fresh run id, "it<pid>x<seconds><n>": letters and digits only, so it
 * can go into SQL LIKE patterns and keys unquoted. */
void it_run_id(char *out, size_t len);

/* Copies src into dst (size len), truncating, always NUL-terminated. */
void it_copy(char *dst, size_t len, const char *src);

/* Monotonic milliseconds, for measurements. */
int64_t it_now_ms(void);
/* Wall-clock unix milliseconds (event times). */
int64_t it_wall_ms(void);
void it_sleep_ms(int ms);

/* Check and leave the current test case when false (for preconditions
 * whose failure would make every following check meaningless). */
#define IT_REQUIRE(cond)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "  %s:%d: required: %s\n", __FILE__, __LINE__, #cond);                                     \
            ct_failed_checks++;                                                                                        \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

/* Prints a measurement line, "  [name] ..." to stdout. */
void it_measure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Stops every worker process a test case left running (SIGTERM, then
 * SIGKILL after 15 s); it_run_cases() calls it after each case. */
void it_cleanup_case(void);

/* Runs the cases like ct_run(), timing each one; IT_ONLY=<text> in the
 * environment runs only the cases whose name contains it. */
static inline int it_run_cases(const ct_case *cases, size_t n) {
    int passed = 0, failed = 0;
    const char *only = getenv("IT_ONLY"); /* run only the cases whose name contains it */
    for (size_t i = 0; i < n; i++) {
        if (only && *only && !strstr(cases[i].name, only)) continue;
        int before = ct_failed_checks;
        int64_t t0 = it_now_ms();
        fprintf(stderr, "---- %s\n", cases[i].name);
        cases[i].fn();
        it_cleanup_case();
        double s = (double)(it_now_ms() - t0) / 1000.0;
        if (ct_failed_checks == before) {
            passed++;
            fprintf(stderr, "ok   %s (%.1f s)\n", cases[i].name, s);
        } else {
            failed++;
            fprintf(stderr, "FAIL %s (%.1f s)\n", cases[i].name, s);
        }
    }
    fflush(stderr);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#define IT_MAIN(...)                                                                                                   \
    int main(int argc, char **argv) {                                                                                  \
        (void)argc;                                                                                                    \
        it_init(argv[0]);                                                                                              \
        static const ct_case cs_[] = {__VA_ARGS__};                                                                    \
        int rc_ = it_run_cases(cs_, sizeof cs_ / sizeof cs_[0]);                                                       \
        it_shutdown();                                                                                                 \
        return rc_;                                                                                                    \
    }

/* ---- worker processes -------------------------------------------------- */

typedef struct it_worker {
    pid_t pid;      /* 0 when not running */
    char name[64];  /* CS_INSTANCE and log file stem */
    char log[1200]; /* stderr (and stdout) of the process */
    int exit_code;  /* after it_worker_wait/stop: exit code, 128+signal if killed */
} it_worker;

/* Starts $CS_BUILD_DIR/order-verifier with the test settings (shops file,
 * group IT_GROUP, session timeout 6000 ms, instance = name, log level
 * info, no crash point) overridden by env, a NULL-terminated list of
 * "NAME=value" strings (may be NULL). Returns 0 or -1. */
int it_worker_start(it_worker *w, const char *name, const char *const *env);
/* Same for another binary in the build dir (args NULL-terminated, may be NULL). */
int it_worker_start_bin(it_worker *w, const char *bin, const char *name, const char *const *args,
                        const char *const *env);
/* true while the process runs (reaps it if it exited). */
bool it_worker_alive(it_worker *w);
/* Waits up to timeout_ms for the process to exit; returns its exit code
 * (128+signal when killed by one), or -1 on timeout (still running). */
int it_worker_wait(it_worker *w, int timeout_ms);
/* Sends sig, waits up to timeout_ms, then SIGKILLs; returns the exit code
 * as it_worker_wait() does (128+9 if it had to be killed). */
int it_worker_stop(it_worker *w, int sig, int timeout_ms);
/* Waits until the log contains needle; true if it did within timeout_ms
 * (false at once if the process exited without writing it). */
bool it_worker_wait_log(it_worker *w, const char *needle, int timeout_ms);
/* Counts lines of the log that contain needle. */
int it_log_count(const char *path, const char *needle);
/* Reads the whole log (malloc'd, caller frees; "" if missing). */
char *it_log_read(const char *path);
/* The partitions of topic in the worker's latest "partitions assigned"
 * log line: sets parts[p] = true; returns how many. */
int it_worker_assigned(it_worker *w, const char *topic, bool parts[], int nparts);
/* Waits until the worker logged "partitions assigned" at least once and
 * has no rebalance pending (a revoke after its last assignment). */
bool it_worker_wait_assigned(it_worker *w, int timeout_ms);
/* The /metrics port the worker logged ("http endpoint on port N"), or -1. */
int it_worker_http_port(it_worker *w);
/* Value of a metric line starting with `series` (name{labels}) on
 * 127.0.0.1:port/metrics, or -1 if absent / unreachable. */
double it_metric(int port, const char *series);
/* The HTTP status of GET path on 127.0.0.1:port (200, 503, ...), or -1
 * when nothing answers within 3 s. */
int it_http_status(int port, const char *path);

/* Runs a shell command line; returns its exit status (or -1). Output goes
 * to this process's stderr. */
int it_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- producing ---------------------------------------------------------- */

/* Where one produced record landed (filled by the delivery report). */
typedef struct it_dr {
    int32_t partition;
    int64_t offset; /* -1 until delivered */
    int err;        /* rd_kafka_resp_err_t, 0 = ok */
} it_dr;

/* Partition of key in topic under the producer's (and the gateway's)
 * partitioner: CRC32 of the key modulo the partition count. */
int32_t it_partition_of(const char *topic, const char *key);
int it_partition_count(const char *topic);

/* Produces one record (value copied) to the key's partition, or to
 * `partition` if >= 0. dr (may be NULL) is filled on delivery: keep it
 * alive until it_flush(). Returns 0 if queued. */
int it_produce_raw(const char *topic, int32_t partition, const char *key, const void *value, size_t len, it_dr *dr);
int it_produce_env(const char *topic, int32_t partition, const char *key, const Cs__V1__Envelope *env, it_dr *dr);
/* Waits until every queued record is acknowledged; returns the number of
 * records that failed since the last flush (0 = all delivered). */
int it_flush(int timeout_ms);

/* ---- orders ------------------------------------------------------------ */

#define IT_MAX_LINES 6

typedef struct it_line {
    char sku[96];
    char title[64];
    int32_t qty;
    int64_t price_fen;
    bool gift;
} it_line;

/* An order as the tests describe it; it_order_init() makes a valid,
 * verifiable one (VERIFIED once paid, given stock). */
typedef struct it_order {
    char shop[32];
    char order_id[128];
    char buyer[96];
    Cs__V1__Channel channel;
    it_line lines[IT_MAX_LINES];
    int nlines;
    int64_t discount_fen;
    int64_t shipping_fen;
    Cs__V1__PaymentMethod pay;
    bool cod;
    int64_t paid_fen; /* -1 = exactly payable (it_order_payable) */
    int64_t created_ms;
    int64_t paid_ms; /* time the PAID event carries */
    char name[64];
    char phone[32];
    char province[64], city[64], district[64], street[160];
    char courier[16];
    char buyer_message[160];
    char seller_memo[160];
} it_order;

/* A valid order of shop: one or two lines of the given SKUs (sku2 may be
 * NULL), 1 fen-exact amounts (a 500 fen coupon, 800 fen shipping), a
 * receiver in 浙江省 杭州市 西湖区 with a street, a mobile number made from
 * seq, courier YTO (SF for shops without YTO), created at now. */
void it_order_init(it_order *o, const char *shop, const char *order_id, const char *buyer, const char *sku1,
                   const char *sku2, int seq);
int64_t it_order_item_total(const it_order *o);
int64_t it_order_payable(const it_order *o);

/* Builds the envelope of one event about o (event_ms also the order's
 * modified time, the OV-12 version time) and produces it keyed
 * "<shop>:<order>". CREATED carries the whole order (unpaid unless
 * with_payment), PAID the payment (paid_fen, paid_ms, method),
 * ADDRESS_CHANGED the receiver, MEMO_CHANGED the notes. */
int it_produce_order_event(const it_order *o, Cs__V1__OrderEventKind kind, const char *event_id, int64_t event_ms,
                           bool with_payment, it_dr *dr);
/* Packs the same envelope (malloc'd; caller frees) without producing it. */
uint8_t *it_pack_order_event(const it_order *o, Cs__V1__OrderEventKind kind, const char *event_id, int64_t event_ms,
                             bool with_payment, size_t *len);
/* Produces oe about o in an envelope (event_id, event_ms), keyed like o's
 * other events: for order events the harness does not build. */
int it_produce_order_body(const it_order *o, const Cs__V1__OrderEvent *oe, const char *event_id, int64_t event_ms);
/* A whole-order cancellation of o with reason, keyed like its other events. */
int it_produce_cancel(const it_order *o, const char *event_id, const char *reason);
/* The Redis business clock (CS_CLOCK=redis): set to ms, or moved by delta,
 * or back to real time (reset), recorded in PostgreSQL as cscli does it;
 * 0, or -1 (printed). A test that froze the clock ends with
 * it_clock_reset(): deleting the key alone no longer returns to real time
 * (a reader restores it from the record). */
int it_clock_set(int64_t ms);
int it_clock_advance(int64_t delta_ms);
int it_clock_reset(void);
/* A stock count for (shop, sku) keyed by the SKU. */
int it_produce_inventory(const char *shop, const char *sku, int32_t available, int64_t counted_ms, const char *event_id,
                         it_dr *dr);
/* An order id "<prefix>" + n whose key "<shop>:<id>" lands on partition
 * part of shop.orders.v1 (n counts up from *n, which is advanced). */
void it_order_id_on_partition(char *out, size_t len, const char *shop, const char *prefix, int32_t part, int *n);

/* ---- PostgreSQL ----------------------------------------------------------- */

/* The harness's connection (reconnected when lost); NULL if unreachable. */
PGconn *it_pg(void);
/* A new Redis connection logged in as the admin (redisFree it), or NULL. */
struct redisContext *it_redis_connect(void);
/* Runs a query built with printf (callers pass only run ids and numbers,
 * never outside text) and returns the first column of the first row as a
 * number (0 for NULL); -1 on error (printed unless quiet). */
long long it_pg_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, into out as text ("" for NULL or no row); false on error. */
bool it_pg_text(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Runs a statement; 0 or -1. */
int it_pg_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "(col >= 'prefix' AND col < 'prefiy')": the rows whose col starts with
 * prefix, as an index range (the stack's databases collate C.UTF-8, i.e.
 * by code point). prefix: letters, digits, '-' only. */
const char *it_prefix(char *out, size_t len, const char *col, const char *prefix);

typedef enum it_cmp { IT_EQ, IT_GE, IT_LE } it_cmp;
/* Polls the scalar query every 100 ms (errors and a server that is down
 * count as "not yet") until value <cmp> want or timeout_ms; returns the
 * last value read (-1 if none could be read). */
long long it_wait_pg(it_cmp cmp, long long want, int timeout_ms, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- reading topics ----------------------------------------------------------- */

typedef struct it_header {
    char *name;
    char *value;
} it_header;

typedef struct it_rec {
    int32_t partition;
    int64_t offset;
    char *key;      /* NUL-terminated copy */
    uint8_t *value; /* copy */
    size_t len;
    it_header *headers;
    size_t nheaders;
    Cs__V1__Envelope *env; /* decoded value, NULL if it does not decode */
} it_rec;

typedef struct it_reader it_reader;

/* Assigns every partition of topic, at its current end (from_start false:
 * only records produced from now on) or its beginning. NULL on failure. */
it_reader *it_reader_open(const char *topic, bool from_start);
/* Reads until `want` records whose key contains match are held (or
 * keep(rec) says so, when not NULL), or timeout_ms passes; returns how
 * many are held. */
size_t it_reader_collect(it_reader *r, const char *match, size_t want, int timeout_ms);
size_t it_reader_count(const it_reader *r);
const it_rec *it_reader_get(const it_reader *r, size_t i);
/* Value of header name (the last one of that name), NULL if absent. */
const char *it_rec_header(const it_rec *rec, const char *name);
void it_reader_close(it_reader *r);

/* Verdicts: reads r (a reader of cs.verdicts.v1) until every verdict row
 * of the run in PostgreSQL (order id starting with run) has a record with
 * the same order and version, or timeout_ms passes. Returns the number of
 * rows; *missing = rows with no record, *mismatch = rows whose records
 * disagree (state, or event id other than "<trigger>/verdict/v<version>"),
 * *records = run records read (duplicates included). */
long it_verdicts_on_topic(it_reader *r, const char *run, int timeout_ms, long *missing, long *mismatch, long *records);
/* "VERIFIED" for CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED, ... */
const char *it_state_name(int state);

/* Sets topic's configuration to name=value alone (AlterConfigs replaces a
 * topic's whole set), or with name NULL back to the broker's defaults: for
 * the project's topics, which are created with none of their own. 0 or -1
 * (printed). */
int it_topic_config(const char *topic, const char *name, const char *value);

/* ---- Kafka group state ------------------------------------------------------- */

/* The committed offset of group for topic[partition] (-1001 when none,
 * -1 on error). */
int64_t it_committed(const char *group, const char *topic, int32_t partition);
/* Records of topic the group has not committed yet, over all partitions
 * (from the log start where it has no offset); -1 on error. */
int64_t it_group_lag(const char *group, const char *topic);
/* Commits group's offsets at the end of every partition of topic (the
 * group must have no members): it then starts with what comes next. */
int it_group_commit_end(const char *group, const char *topic);
/* A new group starts at the end of every project topic (it_group_commit_end
 * on each), so a test's worker applies what the test produces, not the
 * whole suite's history first. Takes the group name or "CS_GROUP_ID=<name>".
 * false (with a line on stderr) on error. */
bool it_group_at_end(const char *group);

/* ---- cscli as the operator runs it --------------------------------------- */

/* The stdout of the last it_cscli / it_cscli_json (NUL-terminated). */
extern char it_cscli_out[131072];
/* Runs the built cscli with args (a shell word list of safe text), stdout
 * into it_cscli_out, stderr dropped; the exit code, or -1. */
int it_cscli(const char *args);
/* The same with " --json" appended to the formatted args, parsed: the
 * document (caller frees with cJSON_Delete) or NULL; *rc the exit code. */
cJSON *it_cscli_json(int *rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A member of a JSON object: the string (NULL when absent or not a
 * string), the number (-1 when absent), the array's length (-1). */
const char *it_jstr(const cJSON *o, const char *name);
long long it_jint(const cJSON *o, const char *name);
int it_jcount(const cJSON *o, const char *name);
/* n bytes as lower-case hex, for decode('...', 'hex') in SQL (malloc'd). */
char *it_hex(const uint8_t *b, size_t n);

#endif
