/* publish_probe.c -- a minimal worker for it_publish: outbound records that
 * Kafka refuses for good, through the real worker runtime (cs_worker_main),
 * so the runtime's outbox and publishing are exercised as a production
 * worker's would be.
 *
 * It consumes shop.orders.v1. For an order event whose key contains
 * "pubprobe" it emits to cs.tasks.v1, keyed like the event, a small task
 * (event id "<event id>/ok") and, when the key also contains "big", a task
 * whose summary is PROBE_BIG bytes ("<event id>/big"): more than any
 * producer takes, as a handler that copied a hostile text into its output
 * would make. Not a project worker: it is built only for the tests. */
#include <stdlib.h>
#include <string.h>

#include "cs/runtime.h"
#include "cs/topics.h"
#include "cs/util.h"

#define PROBE_BIG 1100000

static void emitTask(cs_batch *b, const cs_event *ev, const char *suffix, char *summary) {
    char id[300];
    cs_event_id_derive(id, sizeof id, ev->env->event_id, suffix);
    Cs__V1__AgentTask t = CS__V1__AGENT_TASK__INIT;
    t.task_id = id;
    t.order_id = (char *)ev->key;
    t.rule = (char *)"PROBE";
    t.summary = summary;
    Cs__V1__Envelope e = CS__V1__ENVELOPE__INIT;
    e.event_id = id;
    e.shop_id = ev->env->shop_id;
    e.event_ms = ev->env->event_ms;
    e.body_case = CS__V1__ENVELOPE__BODY_TASK;
    e.task = &t;
    cs_batch_emit(b, CS_TOPIC_TASKS, ev->key, &e);
}

static int probeBatch(void *user, cs_batch *b, char *err, size_t errlen) {
    (void)user;
    (void)err;
    (void)errlen;
    for (size_t i = 0; i < cs_batch_count(b); i++) {
        cs_event *ev = cs_batch_event(b, i);
        if (ev->env->body_case != CS__V1__ENVELOPE__BODY_ORDER || !strstr(ev->key, "pubprobe")) continue;
        emitTask(b, ev, "ok", (char *)"a task Kafka takes");
        if (strstr(ev->key, "big")) {
            char *big = cs_xmalloc(PROBE_BIG + 1);
            memset(big, 'x', PROBE_BIG);
            big[PROBE_BIG] = 0;
            emitTask(b, ev, "big", big);
            free(big);
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    static const char *const topics[] = {CS_TOPIC_ORDERS, NULL};
    static const cs_worker_def def = {.name = "it-publish-probe", .topics = topics, .handle_batch = probeBatch};
    return cs_worker_main(&def, argc, argv);
}
