/* timer_probe.c -- a minimal worker for it_timers: the timers API through
 * the real worker runtime (cs_worker_main), so the runtime's before- and
 * after-commit hooks are exercised as a production worker would.
 *
 * It consumes shop.orders.v1 and cs.timers.v1. For an order event whose
 * key contains "tprobe" it schedules "probe.remind" one hour after the
 * event (business time), or cancels it when the key also contains
 * "cancel"; for a TimerFired record it calls cs_timer_take_fired() and
 * logs "probe took <timer id>" when it may act. Not a project worker: it
 * is built only for the tests. */
#include <stdio.h>
#include <string.h>

#include "cs/log.h"
#include "cs/runtime.h"
#include "cs/timers.h"
#include "cs/topics.h"

static int probeBatch(void *user, cs_batch *b, char *err, size_t errlen) {
    (void)user;
    for (size_t i = 0; i < cs_batch_count(b); i++) {
        cs_event *ev = cs_batch_event(b, i);
        const Cs__V1__Envelope *e = ev->env;
        if (e->body_case == CS__V1__ENVELOPE__BODY_TIMER) {
            int taken = cs_timer_take_fired(b, e->timer, err, errlen);
            if (taken < 0) return -1;
            if (taken) cs_log_info("probe took %s", e->timer->timer_id);
            continue;
        }
        if (e->body_case != CS__V1__ENVELOPE__BODY_ORDER || !strstr(ev->key, "tprobe")) continue;
        char id[256];
        cs_timer_default_id(id, sizeof id, "probe.remind", ev->key);
        if (strstr(ev->key, "cancel") && e->order->kind != CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED) {
            if (cs_timer_cancel(b, id, err, errlen) != 0) return -1;
            continue;
        }
        cs_timer_spec t = {.kind = "probe.remind", .order_key = ev->key, .due_ms = e->event_ms + 3600000};
        if (cs_timer_schedule(b, &t, err, errlen) != 0) return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    static const char *const topics[] = {CS_TOPIC_ORDERS, CS_TOPIC_TIMERS, NULL};
    static const cs_worker_def def = {.name = "it-timer-probe", .topics = topics, .handle_batch = probeBatch};
    return cs_worker_main(&def, argc, argv);
}
