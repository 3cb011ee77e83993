/* example_worker.c -- the worker of docs/architecture.md "Writing a
 * worker", whole: a rule, its routes and timer route, and main. It runs as
 * a test against the real stack (it_example); not a project worker.
 *
 * The rule: a signed order gets a follow-up call an hour later (business
 * time); a cancelled or closed order gets none. */
#include "cs/apply.h"
#include "cs/readmodel.h"
#include "cs/routes.h"
#include "cs/topics.h"

#define EXAMPLE_FOLLOWUP "example.followup" /* timer kind */

/* ---- the rule: pure, (event, now) -> effects; would live in rules/ ---- */
static void exampleOnOrder(const Cs__V1__OrderEvent *oe, int64_t now_ms, cs_effects *fx) {
    switch (oe->kind) {
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SIGNED:
            cs_fx_timer(fx, EXAMPLE_FOLLOWUP, NULL, now_ms + 3600 * 1000); /* subject: the order */
            break;
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED:
        case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED:
            cs_fx_cancel(fx, NULL, NULL); /* every pending timer of the order */
            break;
        default: break;
    }
}

static void exampleOnFollowup(const cs_order_facts *o, cs_effects *fx) {
    if (o->cancelled_ms) return;
    cs_fx_task(fx, CS__V1__TASK_KIND__TASK_KIND_CALL, "EXAMPLE-1", false, "ask the buyer of %s how it went",
               o->order_id);
}

/* ---- the wiring: routes, what each loads, the effects applied ---- */
static bool validOrder(const cs_event *ev, char *why, size_t len) {
    if (ev->env->order->order && ev->env->order->order->order_id && ev->env->order->order->order_id[0]) return true;
    snprintf(why, len, "order event without order_id");
    return false;
}

static bool lockOrder(const cs_event *ev, char *out, size_t len) {
    snprintf(out, len, "%s:%s", ev->env->shop_id, ev->env->order->order->order_id);
    return true;
}

static int onOrder(void *user, cs_batch *b, cs_event *ev, char *err, size_t errlen) {
    (void)user;
    cs_effects fx;
    cs_fx_init(&fx);
    exampleOnOrder(ev->env->order, cs_batch_now(b), &fx);
    cs_order_facts o;
    cs_order_facts_from_state(&o, NULL, ev->env->order->order->order_id);
    cs_fx_target t = cs_fx_target_of(ev, &o, NULL);
    return cs_fx_apply(b, &t, &fx, err, errlen);
}

static int onFollowup(void *user, cs_batch *b, cs_event *ev, const char *order_id, char *err, size_t errlen) {
    (void)user;
    cs_order_view v; /* the verifier's order through the shared read model */
    if (cs_order_load(b, ev->env->shop_id, order_id, &v, err, errlen) != 0) return -1;
    cs_effects fx;
    cs_fx_init(&fx);
    exampleOnFollowup(&v.f, &fx);
    cs_fx_target t = cs_fx_target_of(ev, &v.f, NULL);
    int rc = cs_fx_apply(b, &t, &fx, err, errlen);
    cs_order_view_free(&v);
    return rc;
}

static const cs_route routes[] = {
    {CS_TOPIC_ORDERS, CS__V1__ENVELOPE__BODY_ORDER, validOrder, lockOrder, onOrder},
    {0},
};
static const cs_timer_route timerRoutes[] = {{EXAMPLE_FOLLOWUP, onFollowup}, {0}};

int main(int argc, char **argv) {
    static const cs_worker_def def = {.name = "example-worker", .routes = routes, .timer_routes = timerRoutes};
    return cs_worker_main(&def, argc, argv);
}
