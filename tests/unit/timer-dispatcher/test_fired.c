/* test_fired.c -- the dispatcher's decisions (workers/timer-dispatcher/
 * fired.c): which claimed members fire, and the record a firing becomes. */
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "dispatcher.h"

static td_row pendingRow(void) {
    static const uint8_t payload[] = {0x01, 0x00, 0xff};
    return (td_row){ .owner = "exception-handler", .timer_id = "ex6.escalate@tb-demo:T1001",
                     .order_key = "tb-demo:T1001", .kind = "ex6.escalate", .due_ms = 1794360600000,
                     .payload = payload, .payload_len = sizeof payload, .status = "pending",
                     .generation = 3 };
}

static cs_timer_ref refOf(const char *member) {
    cs_timer_ref ref;
    memset(&ref, 0, sizeof ref);
    if (cs_timer_member_parse(member, strlen(member), &ref) != 0) ref.generation = -1;
    return ref;
}

static void test_decide_fires_only_the_current_pending_generation(void) {
    td_row row = pendingRow();
    cs_timer_ref cur = refOf("exception-handler|ex6.escalate@tb-demo:T1001|3");
    cs_timer_ref old = refOf("exception-handler|ex6.escalate@tb-demo:T1001|2");
    cs_timer_ref newer = refOf("exception-handler|ex6.escalate@tb-demo:T1001|4");
    CT_EQ_INT(td_decide(&cur, &row), TD_FIRE);
    CT_EQ_INT(td_decide(&old, &row), TD_DROP);     /* rescheduled since */
    CT_EQ_INT(td_decide(&newer, &row), TD_DROP);   /* cannot be; never fire it */
}

static void test_decide_drops_cancelled_taken_and_missing_timers(void) {
    td_row row = pendingRow();
    cs_timer_ref cur = refOf("exception-handler|ex6.escalate@tb-demo:T1001|3");
    row.status = "cancelled";
    CT_EQ_INT(td_decide(&cur, &row), TD_DROP);
    row.status = "fired";                          /* the owner already took it */
    CT_EQ_INT(td_decide(&cur, &row), TD_DROP);
    CT_EQ_INT(td_decide(&cur, NULL), TD_DROP);     /* no row at all */
    row = pendingRow();
    cs_timer_ref other = refOf("refund-notifier|ex6.escalate@tb-demo:T1001|3");
    CT_EQ_INT(td_decide(&other, &row), TD_DROP);   /* a row of another owner */
}

static void test_fired_record_carries_the_row_and_a_stable_event_id(void) {
    td_row row = pendingRow();
    td_fired f;
    td_fired_build(&f, &row, 1794360601234);
    CT_EQ_STR(f.env.event_id, "timer/exception-handler/ex6.escalate@tb-demo:T1001/3");
    CT_EQ_STR(f.env.shop_id, "tb-demo");
    CT_EQ_INT(f.env.event_ms, 1794360600000);      /* business time: when it was due */
    CT_EQ_INT(f.env.ingest_ms, 1794360601234);
    CT_EQ_INT(f.env.body_case, CS__V1__ENVELOPE__BODY_TIMER);

    /* through the wire and back, as the owner sees it */
    size_t len = cs__v1__envelope__get_packed_size(&f.env);
    uint8_t *buf = malloc(len);
    cs__v1__envelope__pack(&f.env, buf);
    Cs__V1__Envelope *e = cs__v1__envelope__unpack(NULL, len, buf);
    free(buf);
    CT_CHECK(e != NULL && e->timer != NULL);
    if (!e || !e->timer) return;
    CT_EQ_STR(e->timer->owner, "exception-handler");
    CT_EQ_STR(e->timer->timer_id, "ex6.escalate@tb-demo:T1001");
    CT_EQ_STR(e->timer->order_key, "tb-demo:T1001");
    CT_EQ_STR(e->timer->kind, "ex6.escalate");
    CT_EQ_INT(e->timer->due_ms, 1794360600000);
    CT_EQ_INT(e->timer->generation, 3);
    CT_EQ_INT(e->timer->payload.len, 3);
    CT_CHECK(e->timer->payload.len == 3 && memcmp(e->timer->payload.data, "\x01\x00\xff", 3) == 0);
    cs__v1__envelope__free_unpacked(e, NULL);

    /* a second firing of the same generation has the same id (dedupe) */
    td_fired g;
    td_fired_build(&g, &row, 1794360700000);
    CT_EQ_STR(g.env.event_id, f.env.event_id);
}

CT_MAIN(CT_CASE(test_decide_fires_only_the_current_pending_generation),
        CT_CASE(test_decide_drops_cancelled_taken_and_missing_timers),
        CT_CASE(test_fired_record_carries_the_row_and_a_stable_event_id))
