/* timers.h -- durable timers: recorded in PostgreSQL, scheduled in Redis,
 * fired through Kafka (shared/src/timers.c, workers/timer-dispatcher).
 *
 * A worker schedules, reschedules and cancels timers from its batch
 * handler, inside the batch's transaction:
 *
 *   cs_timer_schedule(b, &(cs_timer_spec){ .kind = "ex6.escalate",
 *       .order_key = "tb-demo:T1001", .due_ms = day3_start });
 *
 * The row in `timers` is the record; it commits with the rest of the batch.
 * After the commit the runtime puts the timer in Redis (sharded sorted
 * sets). A crash between the two leaves a committed timer missing from
 * Redis: the dispatcher's reconciliation puts it back within 10 s.
 *
 * The dispatcher claims due timers atomically (Lua: due -> in-flight with
 * a real-time lease), produces a TimerFired envelope to cs.timers.v1 keyed
 * by order_key, all from the Redis member (timer_keys.h), then
 * acknowledges by giving the member a long lease (CS_TIMER_UNTAKEN_S):
 * it stays in flight until its owner has processed the record, and the
 * owner's runtime removes it after that batch commits
 * (cs_timer_fired_done). A lease that expires, short or long, is fired
 * again. The fired record's event id is
 * "timer/<owner>/<timer_id>/<generation>", so the owner's dedupe
 * (processed_events) makes a second firing a no-op.
 *
 * Every reschedule bumps the timer's generation. The owner, on a fired
 * record, calls cs_timer_take_fired() in its batch: it acts only if the row
 * is still pending with that generation (then the row becomes 'fired' in
 * the same transaction). A cancelled or rescheduled timer therefore never
 * has an effect, even when its old firing was already in flight. */
#ifndef CS_TIMERS_H
#define CS_TIMERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/runtime.h"
#include "cs/v1/envelope.pb-c.h"

typedef struct cs_timer_spec {
    const char *kind;      /* what to do when due, e.g. "ov6.remind" */
    const char *order_key; /* "<shop_id>:<order_id>": key of the fired record */
    const char *timer_id;  /* unique per owner; NULL = "<kind>@<order_key>" */
    int64_t due_ms;        /* business time (the clock of CONTRACTS.md) */
    const void *payload;   /* opaque to the timer service; may be NULL; at most
                                * CS_TIMER_PAYLOAD_MAX bytes (it travels in Redis) */
    size_t payload_len;
    bool keep_pending; /* if the timer is pending already, leave it as it is:
                                * arms a recurring timer (e.g. a shop's daily sweep)
                                * without moving a firing that may be in flight */
} cs_timer_spec;

/* Schedules the timer, or reschedules it (same owner and timer_id: new due
 * time and payload, generation + 1). The owner is the batch's worker.
 * Returns 0, or -1 with err (the handler then fails the batch).
 * Schedule and cancel calls are checked at once but written together just
 * before the batch commits (two statements for the whole batch), or at
 * the next cs_timer_take_fired(); a database error then fails the batch. */
int cs_timer_schedule(cs_batch *b, const cs_timer_spec *t, char *err, size_t errlen);

/* Cancels the owner's timer (no-op if there is none or it already fired).
 * Final: a cancelled timer never has an effect. Returns 0 or -1. */
int cs_timer_cancel(cs_batch *b, const char *timer_id, char *err, size_t errlen);

/* Cancels every pending timer of the owner whose id is "<kind>@<subject_key>"
 * (the scheme of effects.h; subject_key = "<shop_id>:<subject>"), whatever
 * its kind: "cancel every follow-up of this case" in one call. The kinds
 * are the worker's timer routes' (cs_batch_timer_kinds: one statement by
 * primary key); without any, every pending timer of the owner is matched
 * on its id's subject part. Applied in call order with the other calls.
 * Returns 0 or -1. */
int cs_timer_cancel_subject(cs_batch *b, const char *subject_key, char *err, size_t errlen);

/* For a TimerFired record of this worker: 1 = act on it (the row is now
 * 'fired' in this transaction), 0 = ignore it (cancelled, rescheduled, or
 * another owner's), -1 = database error (err). */
int cs_timer_take_fired(cs_batch *b, const Cs__V1__TimerFired *f, char *err, size_t errlen);

/* cs_timer_take_fired for a run of records in one statement: taken[i]
 * (false for another owner's, a cancelled or rescheduled one, and every
 * repeat of a record already in the run). 0, or -1 on a database error.
 * Unlike one take per record just before its handler, the run is taken
 * before any of its handlers: the caller watches (below) for a handler
 * that cancels or reschedules a later timer of the run, and skips that
 * one -- its row stays 'fired', and it has no effect. */
int cs_timer_take_fired_many(cs_batch *b, const Cs__V1__TimerFired *const *f, size_t n, bool *taken, char *err,
                             size_t errlen);
/* Between begin and end, records the timer ids and subject keys that this
 * batch's schedule (not keep_pending) and cancel calls name; touched()
 * says whether timer_id, or its subject ("<kind>@<subject key>"), was. */
void cs_timer_watch_begin(cs_batch *b);
bool cs_timer_watch_touched(cs_batch *b, const char *timer_id);
void cs_timer_watch_end(cs_batch *b);

/* For every TimerFired record of this worker in the batch, taken or not,
 * new or a duplicate: after the commit, its member leaves the inflight
 * set (it stayed there, under a long lease, so that a record lost on its
 * way is fired again). The runtime calls it; handlers need not. */
void cs_timer_fired_done(cs_batch *b, const Cs__V1__TimerFired *f);

/* The default timer id, "<kind>@<order_key>". */
void cs_timer_default_id(char *out, size_t outlen, const char *kind, const char *order_key);

#endif
