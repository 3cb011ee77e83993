/* dispatcher.h -- the timer dispatcher (workers/timer-dispatcher): moves
 * due timers from Redis to cs.timers.v1 (see docs/timers.md and
 * shared/include/cs/timers.h).
 *
 * dispatcher.c is the process: its loop, Redis, PostgreSQL (reconciliation
 * only) and Kafka. fired.c holds the pure part, unit-tested without
 * servers: the record a claimed member becomes. */
#ifndef TD_DISPATCHER_H
#define TD_DISPATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/timer_keys.h"
#include "cs/v1/envelope.pb-c.h"

/* Storage for one record's envelope; td_fired_build() fills it. */
typedef struct td_fired {
    Cs__V1__Envelope env;
    Cs__V1__TimerFired timer;
    char event_id[CS_TIMER_MEMBER_MAX + 16]; /* "timer/<owner>/<timer_id>/<generation>" */
    char shop_id[128];                       /* order key before ':' */
} td_fired;

/* Builds the record of the firing a member stands for (strings and payload
 * point into ref: keep it alive until packed). The envelope's event time
 * is the due time (the firing's business time), ingest_ms the real time
 * of the firing. */
void td_fired_build(td_fired *out, const cs_timer_ref *ref, int64_t ingest_ms);

/* Runs the dispatcher process (config, logs, /metrics, loop, signals);
 * returns the exit code. */
int td_main(int argc, char **argv);

#endif
