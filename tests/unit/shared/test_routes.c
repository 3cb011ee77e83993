/* test_routes.c -- declared routes (shared/src/routes.c) run over a batch
 * made with cs_batch_new(), with the router's two I/O calls (the lock
 * statement, cs_timer_take_fired) replaced by fakes that record:
 *   - a body that is not the topic's, a route's refusal, a topic with no
 *     route and a timer kind with no route are poison, and reach no
 *     handler (the timer is taken all the same, so it fires no more);
 *   - a fired timer reaches its route only when taken (live), with the
 *     timer id's subject; a cancelled or rescheduled one never does;
 *   - every lock of the batch is taken once, before the first handler, in
 *     one global order (ascending hashes, each once), whatever the events'
 *     order. */
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "cs/routes.h"
#include "cs/topics.h"

static char calls[512];
static int64_t locked[16];
static size_t nlocked;
static int lockCalls;
static bool takeAnswer;
static int takes;

static int fakeLock(cs_batch *b, const int64_t *h, size_t n, char *err, size_t errlen) {
    (void)b;
    (void)err;
    (void)errlen;
    lockCalls++;
    strcat(calls, "[lock]");
    for (size_t i = 0; i < n && nlocked < 16; i++) locked[nlocked++] = h[i];
    return 0;
}

static int fakeTake(cs_batch *b, const Cs__V1__TimerFired *f, char *err, size_t errlen) {
    (void)b;
    (void)f;
    (void)err;
    (void)errlen;
    takes++;
    return takeAnswer ? 1 : 0;
}

static const cs_route_io io = {fakeLock, fakeTake};

static int onVerdict(void *user, cs_batch *b, cs_event *ev, char *err, size_t errlen) {
    (void)user;
    (void)b;
    (void)err;
    (void)errlen;
    strcat(calls, "V:");
    strcat(calls, ev->env->verdict->order_id);
    strcat(calls, ";");
    return 0;
}

static int onTimer(void *user, cs_batch *b, cs_event *ev, const char *subject, char *err, size_t errlen) {
    (void)user;
    (void)b;
    (void)ev;
    (void)err;
    (void)errlen;
    strcat(calls, "T:");
    strcat(calls, subject);
    strcat(calls, ";");
    return 0;
}

static bool validVerdict(const cs_event *ev, char *why, size_t len) {
    if (ev->env->verdict->order_id[0]) return true;
    snprintf(why, len, "verdict without order_id");
    return false;
}

static bool lockOrder(const cs_event *ev, char *out, size_t len) {
    snprintf(out, len, "%s:%s", ev->env->shop_id, ev->env->verdict->order_id);
    return true;
}

static const cs_route routes[] = {
    {CS_TOPIC_VERDICTS, CS__V1__ENVELOPE__BODY_VERDICT, validVerdict, lockOrder, onVerdict},
    {0},
};
static const cs_timer_route timerRoutes[] = {{"ex6.breach", onTimer}, {0}};
static const cs_worker_def def = {.name = "probe", .routes = routes, .timer_routes = timerRoutes};

/* Events of one test. */
static Cs__V1__Envelope envs[8];
static Cs__V1__Verdict verdicts[8];
static Cs__V1__TimerFired timers[8];
static Cs__V1__OrderEvent orderEv;
static cs_event events[8];
static cs_event *view[8];
static size_t nev;

static void reset(void) {
    calls[0] = 0;
    takes = 0;
    nlocked = 0;
    lockCalls = 0;
    nev = 0;
    memset(events, 0, sizeof events);
}

static cs_event *addEvent(const char *topic) {
    cs_event *ev = &events[nev];
    Cs__V1__Envelope *e = &envs[nev];
    cs__v1__envelope__init(e);
    e->event_id = (char *)"E";
    e->shop_id = (char *)"tb-demo";
    ev->topic = topic;
    ev->env = e;
    view[nev] = ev;
    nev++;
    return ev;
}

static cs_event *addVerdict(const char *order_id) {
    cs_event *ev = addEvent(CS_TOPIC_VERDICTS);
    Cs__V1__Verdict *v = &verdicts[nev - 1];
    cs__v1__verdict__init(v);
    v->order_id = (char *)order_id;
    ev->env->body_case = CS__V1__ENVELOPE__BODY_VERDICT;
    ev->env->verdict = v;
    return ev;
}

static cs_event *addTimer(const char *kind, const char *id, const char *order_key) {
    cs_event *ev = addEvent(CS_TOPIC_TIMERS);
    Cs__V1__TimerFired *f = &timers[nev - 1];
    cs__v1__timer_fired__init(f);
    f->kind = (char *)kind;
    f->timer_id = (char *)id;
    f->order_key = (char *)order_key;
    f->owner = (char *)"probe";
    f->generation = 1;
    ev->env->body_case = CS__V1__ENVELOPE__BODY_TIMER;
    ev->env->timer = f;
    return ev;
}

static int run(void) {
    cs_batch *b = cs_batch_new(NULL, "probe", 1000, NULL);
    cs_batch_set_events(b, view, nev);
    char err[256] = "";
    int rc = cs_routes_run(&def, b, &io, err, sizeof err);
    cs_batch_set_events(b, NULL, 0);
    cs_batch_free(b);
    return rc;
}

static void test_routes_wrong_body_for_topic_is_poison_and_reaches_no_handler(void) {
    reset();
    cs_event *wrong = addEvent(CS_TOPIC_VERDICTS); /* an order event on the verdicts topic */
    cs__v1__order_event__init(&orderEv);
    wrong->env->body_case = CS__V1__ENVELOPE__BODY_ORDER;
    wrong->env->order = &orderEv;
    cs_event *good = addVerdict("T1");
    CT_EQ_INT(run(), 0);
    CT_CHECK(wrong->poison);
    CT_CHECK(strstr(wrong->reason, "cs.verdicts.v1 carries verdict") != NULL);
    CT_CHECK(!good->poison);
    CT_EQ_STR(calls, "[lock]V:T1;");
}

static void test_routes_refused_event_and_unrouted_topic_are_poison(void) {
    reset();
    cs_event *blank = addVerdict("");
    cs_event *other = addEvent(CS_TOPIC_REVIEWS);
    other->env->body_case = CS__V1__ENVELOPE__BODY_REVIEW;
    CT_EQ_INT(run(), 0);
    CT_CHECK(blank->poison);
    CT_EQ_STR(blank->reason, "verdict without order_id");
    CT_CHECK(other->poison);
    CT_CHECK(strstr(other->reason, "not routed") != NULL);
    CT_EQ_STR(calls, ""); /* nothing to lock, nothing handled */
}

static void test_routes_cancelled_or_rescheduled_timer_never_reaches_its_route(void) {
    reset();
    addTimer("ex6.breach", "ex6.breach@tb-demo:X1", "tb-demo:T1");
    takeAnswer = false; /* cs_timer_take_fired: not pending at that generation */
    CT_EQ_INT(run(), 0);
    CT_EQ_STR(calls, "[lock]");
    reset();
    cs_event *live = addTimer("ex6.breach", "ex6.breach@tb-demo:X1", "tb-demo:T1");
    takeAnswer = true;
    CT_EQ_INT(run(), 0);
    CT_CHECK(!live->poison);
    CT_EQ_STR(calls, "[lock]T:X1;"); /* the id's subject */
}

static void test_routes_timer_kind_without_route_is_poison_and_taken(void) {
    reset();
    cs_event *ev = addTimer("ex6.retired", "ex6.retired@tb-demo:X1", "tb-demo:T1");
    takeAnswer = true;
    CT_EQ_INT(run(), 0);
    CT_CHECK(ev->poison);
    CT_CHECK(strstr(ev->reason, "no timer route for kind 'ex6.retired'") != NULL);
    CT_EQ_STR(calls, "");
    CT_EQ_INT(takes, 1); /* taken all the same: its row is no longer pending, it fires no more */
}

static void test_routes_locks_taken_once_first_in_one_global_order(void) {
    reset();
    addVerdict("T3");
    addVerdict("T1");
    addTimer("ex6.breach", "ex6.breach@tb-demo:X9", "tb-demo:T2");
    addVerdict("T3"); /* the same order twice: one lock */
    takeAnswer = true;
    CT_EQ_INT(run(), 0);
    CT_EQ_INT(lockCalls, 1);
    CT_CHECK(strncmp(calls, "[lock]", 6) == 0);     /* before any handler */
    CT_EQ_STR(calls, "[lock]V:T3;V:T1;T:X9;V:T3;"); /* handlers in batch order */
    CT_EQ_INT(nlocked, 3);
    for (size_t i = 1; i < nlocked; i++) CT_CHECK(locked[i - 1] < locked[i]);
    /* the same keys in another order give the same sequence */
    const char *keys[] = {"tb-demo:T2", "tb-demo:T3", "tb-demo:T1", "tb-demo:T2"};
    int64_t h[4];
    CT_EQ_INT(cs_lock_order(keys, 4, h), 3);
    for (size_t i = 0; i < 3; i++) CT_EQ_INT(h[i], locked[i]);
}

static void test_routes_topics_derived_from_routes_and_timer_routes(void) {
    const char *t[8];
    CT_EQ_INT(cs_routes_topics(&def, t, 8), 2);
    CT_EQ_STR(t[0], CS_TOPIC_VERDICTS);
    CT_EQ_STR(t[1], CS_TOPIC_TIMERS);
    CT_CHECK(t[2] == NULL);
    static const char *const own[] = {CS_TOPIC_ORDERS, NULL};
    cs_worker_def d2 = def;
    d2.topics = own;
    CT_EQ_INT(cs_routes_topics(&d2, t, 8), 1);
    CT_EQ_STR(t[0], CS_TOPIC_ORDERS);
}

CT_MAIN(CT_CASE(test_routes_wrong_body_for_topic_is_poison_and_reaches_no_handler),
        CT_CASE(test_routes_refused_event_and_unrouted_topic_are_poison),
        CT_CASE(test_routes_cancelled_or_rescheduled_timer_never_reaches_its_route),
        CT_CASE(test_routes_timer_kind_without_route_is_poison_and_taken),
        CT_CASE(test_routes_locks_taken_once_first_in_one_global_order),
        CT_CASE(test_routes_topics_derived_from_routes_and_timer_routes))
