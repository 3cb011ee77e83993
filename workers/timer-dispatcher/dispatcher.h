/* dispatcher.h -- the timer dispatcher (workers/timer-dispatcher): moves
 * due timers from Redis to cs.timers.v1 (see docs/timers.md and
 * shared/include/cs/timers.h).
 *
 * dispatcher.c is the process: its loop, Redis, PostgreSQL and Kafka.
 * fired.c holds the pure decisions it makes, unit-tested without servers:
 * whether a claimed member still stands for a pending timer, and the
 * record a firing becomes. */
#ifndef TD_DISPATCHER_H
#define TD_DISPATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/timer_keys.h"
#include "cs/v1/envelope.pb-c.h"

/* A timer's row in PostgreSQL, as the dispatcher reads it (pointers into
 * the query result; not owned). */
typedef struct td_row {
    const char *owner;          /* worker that scheduled it */
    const char *timer_id;       /* the owner's id */
    const char *order_key;      /* "<shop_id>:<order_id>": the record's key */
    const char *kind;           /* what the owner does with it */
    int64_t due_ms;             /* business time it was due */
    const uint8_t *payload;     /* opaque bytes for the owner */
    size_t payload_len;
    const char *status;         /* pending, fired, cancelled */
    int64_t generation;         /* the row's current generation */
} td_row;

typedef enum td_action {
    TD_FIRE = 1,   /* produce its TimerFired record */
    TD_DROP = 2,   /* stale: acknowledge without producing */
} td_action;

/* What to do with a claimed member: fire only if its row exists, is still
 * pending and has the member's generation. Anything else (cancelled,
 * already taken, rescheduled since, row gone) would be ignored by the
 * owner's cs_timer_take_fired() anyway, so it is not sent. row may be
 * NULL (no row). */
td_action td_decide(const cs_timer_ref *ref, const td_row *row);

/* Storage for one record's envelope; td_fired_build() fills it. */
typedef struct td_fired {
    Cs__V1__Envelope env;
    Cs__V1__TimerFired timer;
    char event_id[CS_TIMER_MEMBER_MAX + 16];  /* "timer/<owner>/<timer_id>/<generation>" */
    char shop_id[128];                        /* order key before ':' */
} td_fired;

/* Builds the record of a firing of row (strings and payload point into
 * row: keep it alive until packed). event_ms is the due time (the firing's
 * business time), ingest_ms the real time of the firing. */
void td_fired_build(td_fired *out, const td_row *row, int64_t ingest_ms);

/* Runs the dispatcher process (config, logs, /metrics, loop, signals);
 * returns the exit code. */
int td_main(int argc, char **argv);

#endif
