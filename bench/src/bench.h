/* bench.h -- the pieces of cs-bench, the order-verifier benchmark driver
 * (bench_main.c runs them in order; bench/run sets up the stack first).
 *
 * bench_kafka.c: producing the load, positioning consumer groups, the
 *                verdict listener (a thread stamping each verdict's arrival)
 *                and the raw consume rate.
 * bench_pg.c:    PostgreSQL: settings, seeding stock, the COPY rate and the
 *                one-transaction-per-event baseline.
 * bench_gateway.c: cs-bench gateway, the webhook gateway under wrk.
 * bench_proc.c:  the worker processes under test (start, stop, CPU, RSS),
 *                ^C handling and percentiles, for both drivers.
 *
 * All times are microseconds of CLOCK_REALTIME (bench_now_us), so that
 * they compare with PostgreSQL's timestamps on the same machine. */
#ifndef CS_BENCH_H
#define CS_BENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>

#include "../../tools/cs-sample/sample_gen.h"
#include "cs/config.h"
#include "cs/shop.h"

#define BENCH_MAX_PARTS 64
/* Longest wait at start for every partition of every topic to have its
 * leader (cs_topics_wait_ready): the topics may have been created a moment
 * before, on a stack that has never run. */
#define BENCH_READY_MS 30000

int64_t bench_now_us(void);
/* Milliseconds a fixed single-threaded 100M-step loop takes now (the
 * "machine:" line): the shared cores' speed at the time of a run. */
double bench_calibration_ms(void);

/* ---- bench_proc.c ---- */
/* Set by the first SIGINT/SIGTERM after bench_catch_signals(); a second
 * one exits at once. Phases check it and stop. */
extern volatile sig_atomic_t bench_interrupted;
void bench_catch_signals(void);
void bench_sleep_us(int64_t us);
/* Starts bin with env ("NAME=value" strings, NULL-terminated; may be NULL)
 * added to this environment, its stderr to logpath. -1 with err. */
pid_t bench_spawn(const char *bin, const char *logpath, const char *const *env, char *err, size_t errlen);
/* SIGTERM to each (pid > 0), SIGKILL to those still running after 30 s;
 * every entry is 0 afterwards. */
void bench_stop(pid_t *pids, int n);
/* /proc/<pid>/stat: command name, parent and CPU seconds (user + system);
 * any out pointer may be NULL. -1 if the process is gone. */
int bench_proc_stat(const char *pid, char *comm, size_t commlen, int *ppid, double *cpu_s);
double bench_cpu_s(pid_t pid); /* -1 if gone */
/* Calls fn for every process (pid NULL) or every thread of process pid,
 * with its bench_proc_stat id ("<pid>" or "<pid>/task/<tid>"), command
 * name and CPU seconds so far. */
void bench_proc_each(const char *pid, void (*fn)(const char *id, const char *comm, double cpu_s, void *arg), void *arg);
double bench_peak_rss_mib(pid_t pid); /* VmHWM, -1 if gone */
void bench_sort_i64(int64_t *v, size_t n);
/* Nearest-rank percentile of sorted v (n > 0). */
int64_t bench_percentile(const int64_t *v, size_t n, double p);

/* Offsets of every partition of one topic. */
typedef struct bench_offsets {
    char topic[64];
    int n;                        /* partitions */
    int64_t off[BENCH_MAX_PARTS]; /* by partition id */
} bench_offsets;

/* High watermarks (the next offset to be written) of topic. 0 or -1. */
int bench_watermarks(const cs_config *cfg, const char *topic, bench_offsets *out, char *err, size_t errlen);
/* Total records between two offset sets of one topic. */
int64_t bench_offsets_span(const bench_offsets *from, const bench_offsets *to);

/* Commits offsets `at` for consumer group `group` (no member active), so
 * that a worker joining the group starts exactly there. 0 or -1. */
int bench_commit_group(const cs_config *cfg, const char *group, const bench_offsets *at, char *err, size_t errlen);

/* The idempotent producer the load is written with (acks=all). */
rd_kafka_t *bench_producer_new(const cs_config *cfg, char *err, size_t errlen);
/* One record ready to produce: order i of a sample, packed. */
typedef struct bench_record {
    const char *topic; /* static string */
    char key[CS_SAMPLE_KEY_LEN];
    uint8_t *value; /* malloc'd; NULL once produced */
    size_t len;
} bench_record;
void bench_pack_order(const cs_sample *s, int i, cs_sample_arena *a, bench_record *out);
/* Hands r to librdkafka (which frees the value); retries on a full queue. */
int bench_produce_packed(rd_kafka_t *rk, bench_record *r, int64_t *produced_us, char *err, size_t errlen);
/* Produces order i of s as one event (cs_sample_order_single); retries on
 * a full queue. *produced_us gets the instant it was handed over, *bytes
 * its size (either may be NULL). */
int bench_produce_order(rd_kafka_t *rk, const cs_sample *s, int i, cs_sample_arena *a, int64_t *produced_us,
                        size_t *bytes, char *err, size_t errlen);
/* Waits for every acknowledgement; -1 if some record failed. */
int bench_producer_flush(rd_kafka_t *rk, char *err, size_t errlen);
long bench_producer_failed(void);

/* Reads cs.verdicts.v1 from `from` on a thread and stamps the first
 * arrival of each tracked order's verdict. */
typedef struct bench_listener bench_listener;
bench_listener *bench_listener_start(const cs_config *cfg, const bench_offsets *from, char *err, size_t errlen);
/* Tracks the orders of s as phase p (0 or 1); the listener keeps the
 * pointer (s must outlive it). */
void bench_listener_track(bench_listener *l, int phase, const cs_sample *s);
/* Verdicts received for phase p so far, and the arrival of the last. */
int64_t bench_listener_count(bench_listener *l, int phase, int64_t *last_us);
/* Arrival of order i of phase p (0 if none yet). */
int64_t bench_listener_arrival(bench_listener *l, int phase, int i);
long bench_listener_foreign(bench_listener *l); /* verdicts of other runs */
void bench_listener_stop(bench_listener *l);

/* Raw consume: a fresh consumer reads [from, to) of one topic with no
 * processing. Returns records/s from the first record to the last, or -1. */
double bench_raw_consume(const cs_config *cfg, const bench_offsets *from, const bench_offsets *to, int64_t *records,
                         char *err, size_t errlen);

/* Reads [from, to) of one topic with a fresh consumer, calling fn for each
 * record in it. Returns the records read, or -1 (an error, or 15 s without a
 * record before the end). */
int64_t bench_consume_range(const cs_config *cfg, const bench_offsets *from, const bench_offsets *to,
                            void (*fn)(const rd_kafka_message_t *m, void *arg), void *arg, char *err, size_t errlen);

/* ---- PostgreSQL --------------------------------------------------------- */

/* SHOW name into buf. */
void bench_pg_show(PGconn *pg, const char *name, char *buf, size_t len);
/* PostgreSQL's write-ahead log and checkpoint counters (pg_stat_wal,
 * pg_stat_bgwriter) and autovacuum/autoanalyze runs so far: what a window
 * cost the database beyond its statements. */
typedef struct bench_wal {
    int64_t bytes, fpi, checkpoints, autovacuums;
} bench_wal;
int bench_pg_wal(PGconn *pg, bench_wal *w);
/* Adds the planned stock of s to the stock table (upsert). */
int bench_seed_stock(PGconn *pg, const cs_sample *s, char *err, size_t errlen);
/* earliest processed_events.processed_at of events whose id starts with
 * prefix, in bench_now_us() units; 0 if none. */
int64_t bench_first_processed_us(PGconn *pg, const char *prefix);

/* COPY of n verdict-like rows into a scratch table (logged, same
 * durability as the real one). Returns rows/s, or -1. */
double bench_copy_rate(PGconn *pg, int64_t n, char *err, size_t errlen);

/* The naive design: one transaction per event with the verifier's
 * statements (dedupe insert, load the order row FOR UPDATE, upsert it,
 * insert the verdict, insert the outbox row), reading [from, to) of
 * shop.orders.v1, for at most max_events or max_s seconds. Returns
 * events/s, or -1. *events gets how many it did. */
double bench_baseline(PGconn *pg, const cs_config *cfg, const bench_offsets *from, const bench_offsets *to,
                      const cs_shops *shops, int64_t max_events, double max_s, int64_t *events, char *err,
                      size_t errlen);

#endif
