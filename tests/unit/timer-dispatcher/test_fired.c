/* test_fired.c -- the record a claimed member becomes (workers/
 * timer-dispatcher/fired.c): built from the member alone, with a stable
 * event id, and the same member again from the record (what the owner's
 * runtime removes from inflight). */
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "dispatcher.h"

static const uint8_t payload[] = {0x01, 0x00, 0xff};

static cs_timer_ref claimed(char *member, size_t len) {
    cs_timer_fields f = {"exception-handler", NULL,    "ex6.escalate", "tb-demo:T1001", 3,
                         1794360600000,       payload, sizeof payload};
    cs_timer_ref ref;
    memset(&ref, 0, sizeof ref);
    if (cs_timer_member(member, len, &f) != 0 || cs_timer_member_parse(member, strlen(member), &ref) != 0)
        ref.generation = -1;
    return ref;
}

static void test_fired_record_carries_the_member_and_a_stable_event_id(void) {
    char member[CS_TIMER_MEMBER_MAX];
    cs_timer_ref ref = claimed(member, sizeof member);
    CT_EQ_INT(ref.generation, 3);
    td_fired f;
    td_fired_build(&f, &ref, 1794360601234);
    CT_EQ_STR(f.env.event_id, "timer/exception-handler/ex6.escalate@tb-demo:T1001/3");
    CT_EQ_STR(f.env.shop_id, "tb-demo");
    CT_EQ_INT(f.env.event_ms, 1794360600000); /* business time: when it was due */
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
    const Cs__V1__TimerFired *t = e->timer;
    CT_EQ_STR(t->owner, "exception-handler");
    CT_EQ_STR(t->timer_id, "ex6.escalate@tb-demo:T1001");
    CT_EQ_STR(t->order_key, "tb-demo:T1001");
    CT_EQ_STR(t->kind, "ex6.escalate");
    CT_EQ_INT(t->due_ms, 1794360600000);
    CT_EQ_INT(t->generation, 3);
    CT_CHECK(t->payload.len == 3 && memcmp(t->payload.data, "\x01\x00\xff", 3) == 0);

    /* the owner rebuilds the very member from the record: that is what
     * its runtime removes from inflight after processing it */
    char again[CS_TIMER_MEMBER_MAX];
    cs_timer_fields g = {t->owner,      t->timer_id, t->kind,         t->order_key,
                         t->generation, t->due_ms,   t->payload.data, t->payload.len};
    CT_EQ_INT(cs_timer_member(again, sizeof again, &g), 0);
    CT_EQ_STR(again, member);
    cs__v1__envelope__free_unpacked(e, NULL);

    /* a second firing of the same generation has the same id (dedupe) */
    td_fired h;
    td_fired_build(&h, &ref, 1794360700000);
    CT_EQ_STR(h.env.event_id, f.env.event_id);
}

CT_MAIN(CT_CASE(test_fired_record_carries_the_member_and_a_stable_event_id))
