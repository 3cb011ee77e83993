/* fired.c -- the dispatcher's pure decisions (see dispatcher.h). */
#include "dispatcher.h"

#include <string.h>

td_action td_decide(const cs_timer_ref *ref, const td_row *row) {
    if (!row) return TD_DROP;
    if (strcmp(row->owner, ref->owner) != 0 || strcmp(row->timer_id, ref->timer_id) != 0)
        return TD_DROP;
    if (strcmp(row->status, "pending") != 0) return TD_DROP;
    return row->generation == ref->generation ? TD_FIRE : TD_DROP;
}

void td_fired_build(td_fired *out, const td_row *row, int64_t ingest_ms) {
    cs__v1__envelope__init(&out->env);
    cs__v1__timer_fired__init(&out->timer);
    cs_timer_event_id(out->event_id, sizeof out->event_id, row->owner, row->timer_id,
                      row->generation);
    cs_timer_shop_of(out->shop_id, sizeof out->shop_id, row->order_key);
    out->timer.timer_id = (char *)row->timer_id;
    out->timer.owner = (char *)row->owner;
    out->timer.order_key = (char *)row->order_key;
    out->timer.kind = (char *)row->kind;
    out->timer.due_ms = row->due_ms;
    out->timer.payload.data = (uint8_t *)row->payload;
    out->timer.payload.len = row->payload_len;
    out->timer.generation = row->generation;
    out->env.event_id = out->event_id;
    out->env.shop_id = out->shop_id;
    out->env.event_ms = row->due_ms;
    out->env.ingest_ms = ingest_ms;
    out->env.source = (char *)"timer-dispatcher";
    out->env.body_case = CS__V1__ENVELOPE__BODY_TIMER;
    out->env.timer = &out->timer;
}
