/* it_example.c -- the "Writing a worker" example (probes/example_worker.c,
 * docs/architecture.md) against the real stack, with a timer-dispatcher,
 * on the Redis clock:
 *   - order A signed: its follow-up timer is armed, fires once after the
 *     clock passes it, and raises exactly one task; the same signed record
 *     produced twice is applied once (one timer generation, one task);
 *   - order B signed, then closed: the close cancels every timer of the
 *     order, which never fires, and raises nothing;
 *   - an event of the wrong body on the topic is dead-lettered, not
 *     applied. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cs/clock.h"
#include "it.h"

#define EXAMPLE "example-worker"

static void test_example_worker_applies_once_fires_once_and_never_a_cancelled_timer(void) {
    char run[32], group[64], a[64], bo[64], eid[96];
    it_run_id(run, sizeof run);
    snprintf(group, sizeof group, "CS_GROUP_ID=" EXAMPLE "-%s", run);
    snprintf(a, sizeof a, "EXA-%s", run);
    snprintf(bo, sizeof bo, "EXB-%s", run);
    int64_t base = (it_wall_ms() / 1000) * 1000;
    IT_REQUIRE(it_clock_set(base) == 0);
    /* A fresh group starts at the topics' end: from the earliest offset it
     * would first apply every order the suite produced before (30 s and
     * more on CI), and the waits below would time out. */
    IT_REQUIRE(it_group_at_end(group));
    it_worker d, w;
    IT_REQUIRE(it_worker_start_bin(&d, "timer-dispatcher", "ex-dispatcher", NULL,
                                   (const char *[]){"CS_CLOCK=redis", NULL}) == 0);
    IT_REQUIRE(it_worker_start_bin(&w, "tests/example-worker", "example", NULL,
                                   (const char *[]){"CS_CLOCK=redis", group, NULL}) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&w, 30000));

    it_order oa, ob;
    it_order_init(&oa, "tb-demo", a, "buyer-exa", "SKU-EXA", NULL, 1);
    it_order_init(&ob, "tb-demo", bo, "buyer-exb", "SKU-EXA", NULL, 2);
    snprintf(eid, sizeof eid, "%s-a-signed", run);
    CT_EQ_INT(it_produce_order_event(&oa, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SIGNED, eid, base, false, NULL),
              0);
    CT_EQ_INT(it_produce_order_event(&oa, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SIGNED, eid, base, false, NULL),
              0);
    snprintf(eid, sizeof eid, "%s-b-signed", run);
    CT_EQ_INT(it_produce_order_event(&ob, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SIGNED, eid, base, false, NULL),
              0);
    snprintf(eid, sizeof eid, "%s-b-closed", run);
    CT_EQ_INT(
        it_produce_order_event(&ob, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED, eid, base + 1000, false, NULL),
        0);
    /* a verdict body on the orders topic: poison */
    Cs__V1__Verdict v = CS__V1__VERDICT__INIT;
    v.order_id = a;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    snprintf(eid, sizeof eid, "%s-wrong-body", run);
    env.event_id = eid;
    env.shop_id = (char *)"tb-demo";
    env.event_ms = base;
    env.body_case = CS__V1__ENVELOPE__BODY_VERDICT;
    env.verdict = &v;
    char key[128];
    snprintf(key, sizeof key, "tb-demo:%s", a);
    CT_EQ_INT(it_produce_env("shop.orders.v1", -1, key, &env, NULL), 0);
    CT_EQ_INT(it_flush(10000), 0);

    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM timers WHERE owner='" EXAMPLE "' AND "
                         "timer_id='example.followup@tb-demo:%s' AND status='pending' AND generation=1",
                         a),
              1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM timers WHERE owner='" EXAMPLE "' AND "
                         "timer_id='example.followup@tb-demo:%s' AND status='cancelled'",
                         bo),
              1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM dead_letters WHERE worker='" EXAMPLE "' AND "
                         "event_id='%s'",
                         eid),
              1);

    IT_REQUIRE(it_clock_advance(2 * 3600 * 1000) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000, "SELECT count(*) FROM tasks WHERE rule='EXAMPLE-1' AND order_id='%s'", a), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner='" EXAMPLE "' AND "
                        "timer_id='example.followup@tb-demo:%s' AND status='fired'",
                        a),
              1);
    it_sleep_ms(3000); /* time for a wrong second firing or a task for B to show */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE rule='EXAMPLE-1' AND order_id='%s'", a), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE rule='EXAMPLE-1' AND order_id='%s'", bo), 0);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner='" EXAMPLE "' AND "
                        "timer_id='example.followup@tb-demo:%s' AND status='cancelled'",
                        bo),
              1);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&d, SIGTERM, 30000), 0);
}

int main(int argc, char **argv) {
    (void)argc;
    it_init(argv[0]);
    static const ct_case cases[] = {
        CT_CASE(test_example_worker_applies_once_fires_once_and_never_a_cancelled_timer),
    };
    int rc = it_run_cases(cases, sizeof cases / sizeof cases[0]);
    it_shutdown();
    return rc;
}
