/* fired.c -- the dispatcher's pure part (see dispatcher.h). */
#include "dispatcher.h"

#include <string.h>

void td_fired_build(td_fired *out, const cs_timer_ref *ref, int64_t ingest_ms) {
    cs__v1__envelope__init(&out->env);
    cs__v1__timer_fired__init(&out->timer);
    cs_timer_event_id(out->event_id, sizeof out->event_id, ref->owner, ref->timer_id, ref->generation);
    cs_timer_shop_of(out->shop_id, sizeof out->shop_id, ref->order_key);
    out->timer.timer_id = (char *)ref->timer_id;
    out->timer.owner = (char *)ref->owner;
    out->timer.order_key = (char *)ref->order_key;
    out->timer.kind = (char *)ref->kind;
    out->timer.due_ms = ref->due_ms;
    out->timer.payload.data = (uint8_t *)ref->payload;
    out->timer.payload.len = ref->payload_len;
    out->timer.generation = ref->generation;
    out->env.event_id = out->event_id;
    out->env.shop_id = out->shop_id;
    out->env.event_ms = ref->due_ms;
    out->env.ingest_ms = ingest_ms;
    out->env.source = (char *)"timer-dispatcher";
    out->env.body_case = CS__V1__ENVELOPE__BODY_TIMER;
    out->env.timer = &out->timer;
}
