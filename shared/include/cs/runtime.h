/* runtime.h -- the worker runtime every worker links (shared/src/runtime.c).
 *
 * A worker is a cs_worker_def: its name, the topics it consumes and a batch
 * handler. cs_worker_main() does everything else, identically for every
 * worker:
 *
 *   poll Kafka (consumer group, manual offsets) -> micro-batch per partition
 *   -> decode + validate envelopes (poison -> DLQ record) -> BEGIN
 *   -> dedupe on (worker, event_id) in processed_events
 *   -> handler(batch): reads/writes state with the batch's PGconn and emits
 *      outbound records with cs_batch_emit()
 *   -> the outbox row (emitted records and DLQ records, packed) written in
 *      the same transaction -> COMMIT -> store the Kafka offsets (committed
 *      to Kafka asynchronously after each poll round, synchronously on
 *      rebalance and at exit)
 *   -> produce the outbox with the idempotent producer, without waiting:
 *      the next batches go on while acknowledgements come in (at most 8
 *      batches in flight; more stops the intake)
 *   -> once every record of a batch is acknowledged, its outbox row is
 *      deleted (in the next batch's transaction, or on its own when idle).
 *
 * A crash anywhere re-delivers at most the uncommitted batch, whose events
 * the dedupe table turns into no-ops, and leaves at most the committed but
 * unproduced outbox rows, which the relay sweep produces again with the same
 * event ids (consumers dedupe; CONTRACTS.md "exactly once").
 *
 * cs.timers.v1 carries the firings of every worker's timers: a record whose
 * TimerFired.owner is another worker is skipped before the dedupe (no row,
 * no handler call), so a worker pays next to nothing for others' timers.
 *
 * PostgreSQL or Kafka unreachable: the batch is retried with backoff, no
 * offset is committed, and the loop resumes by itself. A handler error that
 * is not a lost connection is retried at once, one time, as the same batch
 * (a promise: deadlocks and serialization failures pass that way, and a
 * handler may fail a batch on purpose when it finds the state moved under
 * it, as the verifier's stock check does, knowing the retry follows with
 * no delay). Refused a second time, the batch is applied one event per
 * transaction, so a single bad event is dead-lettered with the database's
 * message while its neighbours are applied. */
#ifndef CS_RUNTIME_H
#define CS_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libpq-fe.h>

#include "cs/config.h"
#include "cs/event.h"
#include "cs/shop.h"
#include "cs/v1/envelope.pb-c.h"

typedef struct cs_batch cs_batch;

/* The open transaction's connection. Handlers run statements on it; any
 * failure is reported by returning -1 from the handler. */
PGconn *cs_batch_pg(cs_batch *b);
/* Business now for the whole batch (one clock read). */
int64_t cs_batch_now(const cs_batch *b);
/* The events of this batch that are new (not seen before), in partition
 * order. */
size_t cs_batch_count(const cs_batch *b);
cs_event *cs_batch_event(cs_batch *b, size_t i);
const cs_shops *cs_batch_shops(const cs_batch *b);
const char *cs_batch_worker(const cs_batch *b);

/* Queues an outbound record for `topic`, written to the outbox in this
 * transaction and produced after commit. The envelope is packed here (the
 * caller keeps ownership of env). env->event_id must be set: it is the
 * consumers' dedupe key, so derive it deterministically from the input
 * (cs_event_id_derive) so that a replay emits the same id. */
void cs_batch_emit(cs_batch *b, const char *topic, const char *key, const Cs__V1__Envelope *env);

/* After-commit hooks: effects outside PostgreSQL that must follow the
 * batch's commit, never precede it (timers.c puts the batch's timers in
 * Redis this way). fn(arg) runs once, right after COMMIT, in registration
 * order; if the transaction rolls back instead, the registration is
 * dropped (a retried batch registers again). Either way free_arg(arg)
 * (may be NULL) is called afterwards: the runtime owns arg from here. A
 * hook must not fail the batch: what it cannot do must be repairable
 * (for timers, the dispatcher's reconciliation). */
typedef void (*cs_after_commit_fn)(void *arg);
void cs_batch_after_commit(cs_batch *b, cs_after_commit_fn fn, void *arg, void (*free_arg)(void *arg));
/* The arg of this transaction's first registration of fn, or NULL: lets a
 * module keep one registration per batch and add to its arg. */
void *cs_batch_after_commit_arg(cs_batch *b, cs_after_commit_fn fn);

/* Before-commit hooks: work a module defers to the end of the batch so it
 * can write in bulk (timers.c turns a batch's schedule and cancel calls
 * into two statements). fn runs inside the transaction, after the handler
 * and before the outbox row and COMMIT, in registration order; -1 (with
 * err) fails the batch like a handler error. arg is not owned (a module
 * usually frees it through its after-commit registration). */
typedef int (*cs_before_commit_fn)(void *arg, cs_batch *b, char *err, size_t errlen);
void cs_batch_before_commit(cs_batch *b, cs_before_commit_fn fn, void *arg);
/* Whether fn is registered and has not run yet: a module whose per-batch
 * state outlives a cs_batch_flush() registers again when work comes after
 * it. */
bool cs_batch_before_commit_has(const cs_batch *b, cs_before_commit_fn fn);

/* The worker's Redis (CS_REDIS_URL). It connects on first use, so workers
 * that never call it (no timers) never open a connection. */
struct cs_redis;
struct cs_redis *cs_batch_redis(cs_batch *b);

/* A batch outside the worker loop, for tools and tests that call batch
 * APIs (timers.h) directly on their own connection: the caller runs BEGIN,
 * the calls, cs_batch_flush() (the before-commit hooks; on -1 roll back),
 * COMMIT, then cs_batch_committed() (the after-commit hooks) or, on
 * ROLLBACK, nothing; cs_batch_free() drops what is left. The batch has no
 * events; worker is the owner name; redis is not owned (may be NULL:
 * timers are then left to the dispatcher's reconciliation). */
cs_batch *cs_batch_new(PGconn *pg, const char *worker, int64_t now_ms, struct cs_redis *redis);
int cs_batch_flush(cs_batch *b, char *err, size_t errlen);
void cs_batch_committed(cs_batch *b);
void cs_batch_free(cs_batch *b);

/* The kinds of the worker's timer routes (NULL-terminated), or NULL for a
 * worker without timer routes; cs_batch_set_timer_kinds() gives a batch
 * made with cs_batch_new() its kinds (not owned). */
const char *const *cs_batch_timer_kinds(const cs_batch *b);
void cs_batch_set_timer_kinds(cs_batch *b, const char *const *kinds);

/* Gives a batch made with cs_batch_new() events (for tools and tests that
 * run routes or handlers outside the worker loop). Not owned. */
void cs_batch_set_events(cs_batch *b, cs_event **events, size_t n);

/* cs_event_poison(): event.h. */

/* The first check of every consumed record, as the runtime makes it
 * before a worker sees the event: unpacks payload[0..len) as a
 * cs.v1.Envelope into ev->env (with alloc; NULL = the system allocator,
 * then free it with cs__v1__envelope__free_unpacked) and requires an
 * event id (clean UTF-8, at most 200 bytes), a clean shop id that shops
 * knows (ev->shop), an event_ms in 1970..9999 (CS_TZ_MAX_MS: the rules
 * add days to it) and a body. Returns 0, or -1 with
 * the event poison (ev->env may then be NULL). ev's topic, partition,
 * offset and key are the caller's; tests/fuzz/fuzz_envelope.c feeds it
 * any bytes. */
int cs_event_decode(cs_event *ev, const void *payload, size_t len, ProtobufCAllocator *alloc, const cs_shops *shops);

/* Deterministic derived event id: "<parent>/<suffix>" (truncated hash when
 * long), so that outputs of a replayed input carry the same ids. */
void cs_event_id_derive(char *out, size_t outlen, const char *parent, const char *suffix);

/* ---- routes: what a worker consumes, declared (cs/routes.h runs them) ----
 *
 * A route binds a topic and the one envelope body it carries to a handler
 * of single events. Before any handler runs, the runtime
 *   - dead-letters an event whose body is not the topic's, or that its
 *     route's `valid` refuses (with the reason it gives);
 *   - takes the transaction's advisory locks for every lock key of the
 *     batch (the route's `lock_key`; a fired timer's order key), all at
 *     once and in one global order (sorted 64-bit hashes), so two copies
 *     of a worker, or two batches, can never deadlock on them;
 *   - passes a fired timer of this worker to the timer route of its kind
 *     only when cs_timer_take_fired() says it is still live (not
 *     cancelled, not rescheduled); a kind with no route is taken (so it
 *     fires no more) and dead-lettered.
 * Then it calls the handlers in partition order. A handler returns 0, or
 * -1 with err to fail (and retry) the batch. */
typedef int (*cs_route_fn)(void *user, cs_batch *b, cs_event *ev, char *err, size_t errlen);

typedef struct cs_route {
    const char *topic;               /* CS_TOPIC_* (NULL ends the table) */
    Cs__V1__Envelope__BodyCase body; /* the body the topic carries */
    /* Optional: further checks (ids present, amounts possible); false and
     * a reason make the event poison. */
    bool (*valid)(const cs_event *ev, char *why, size_t len);
    /* Optional: the event's lock key ("<shop>:<order>"); false = no lock. */
    bool (*lock_key)(const cs_event *ev, char *out, size_t len);
    cs_route_fn handle;
} cs_route;

/* A fired timer's handler; subject is the timer id's subject part
 * ("<kind>@<shop>:<subject>", effects.h), or its payload for an id of
 * another shape. */
typedef int (*cs_timer_route_fn)(void *user, cs_batch *b, cs_event *ev, const char *subject, char *err, size_t errlen);

typedef struct cs_timer_route {
    const char *kind; /* "ex6.escalate" (NULL ends the table) */
    cs_timer_route_fn handle;
} cs_timer_route;

typedef struct cs_worker_def {
    const char *name; /* "order-verifier": group, logs, DLQ header */
    /* NULL-terminated list to consume; NULL = the routes' topics (and
     * cs.timers.v1 when there are timer routes). */
    const char *const *topics;
    /* Either routes (and timer routes), run by the runtime (above) ... */
    const cs_route *routes;
    const cs_timer_route *timer_routes;
    /* ... or the raw batch handler, the escape hatch for set-based hot
     * paths (the verifier): applies the batch's new events itself. Returns
     * 0 (applied; poison events are dead-lettered), or -1 with errbuf: the
     * transaction is rolled back and retried (see file comment). */
    int (*handle_batch)(void *user, cs_batch *b, char *errbuf, size_t errlen);
    /* Optional, with routes: called once per batch transaction after the
     * locks and before the first handler, for set-based loads of what the
     * handlers will read (cs_case_prefetch); poison events are marked by
     * then. 0, or -1 with errbuf (the batch fails). */
    int (*prepare)(void *user, cs_batch *b, char *errbuf, size_t errlen);
    /* Optional: prepares per-connection state (prepared statements,
     * session settings; no temporary tables: docs/architecture.md) each
     * time the runtime (re)connects to PostgreSQL. */
    int (*on_connect)(void *user, PGconn *pg, char *errbuf, size_t errlen);
    /* Optional: set up / tear down the worker's own state. */
    int (*init)(void *user, const cs_config *cfg, const cs_shops *shops, char *errbuf, size_t errlen);
    void (*fini)(void *user);
    void *user;
} cs_worker_def;

/* The whole main() of a worker process: --help, config, shops file, logs,
 * /metrics and /healthz, signals (SIGTERM: finish the batch, commit, leave
 * the group, exit 0; a second one exits at once), then the loop. Returns the
 * process exit code. */
int cs_worker_main(const cs_worker_def *def, int argc, char **argv);

/* Named crash points for fault tests: when CS_CRASH_POINT equals name, the
 * CS_CRASH_AFTER-th pass (default 1) _exit()s with code 86. Inert unless
 * set; compiled into every build. Points: "after_pg_commit" (committed,
 * offsets not), "after_produce" (outbox produced, not yet deleted),
 * "before_pg_commit" (inside the transaction), "before_commit_hooks"
 * (committed, after-commit hooks such as the Redis side of timers not run).
 * Workers add their own: "timer_before_ack" (dispatcher),
 * "after_provider_2xx" (notifier). */
void cs_crash_point(const char *name);
void cs_crash_points_init(const char *name, int after);

#endif
