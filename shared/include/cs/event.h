/* event.h -- one inbound record as workers see it (the runtime,
 * runtime.h, fills it; rules may read it, so it needs no I/O library). */
#ifndef CS_EVENT_H
#define CS_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "cs/shop.h"
#include "cs/v1/envelope.pb-c.h"

#define CS_REASON_LEN 256

/* One inbound record of a batch. The runtime owns everything in it. */
typedef struct cs_event {
    const char *topic; /* origin topic */
    int32_t partition;
    int64_t offset;
    const char *key;            /* record key, NUL-terminated copy ("" if none) */
    int64_t produce_ms;         /* record timestamp (produce time), for latency */
    Cs__V1__Envelope *env;      /* decoded envelope */
    const cs_shop *shop;        /* env->shop_id's settings (never NULL here) */
    bool poison;                /* set through cs_event_poison() */
    char reason[CS_REASON_LEN]; /* why it is poison */
} cs_event;

/* Marks an event as poison: the handler must not have written anything
 * for it. It is dead-lettered (in the same transaction) with the reason,
 * made valid UTF-8 (cs_utf8_repair: it quotes what was sent).
 * (shared/src/runtime.c) */
void cs_event_poison(cs_event *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
