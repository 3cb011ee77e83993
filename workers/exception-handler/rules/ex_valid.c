/* ex_valid.c -- which events the exception-handler accepts, and which
 * order each one is about.
 *
 * Handbook: none; the contract (CONTRACTS.md) and RULES.md's preamble
 * (money in integer fen) are what an event must meet. An event that does
 * not is dead-lettered with the reason given here, never applied.
 *
 * Why it is built this way: these are pure functions of the event, so the
 * routes (exceptions.c) only name them and a unit test calls them. The
 * lock key is the order: every event and timer about one order is applied
 * by one copy at a time. */
#include "ex_rules.h"

#include "cs/tz.h"

#include <stdio.h>
#include <string.h>

#define EX_MAX_FEN 100000000000LL /* 10^11 fen: beyond is impossible */

static bool fenOk(int64_t v) { return v >= 0 && v <= EX_MAX_FEN; }
static bool blank(const char *s) { return !s || !s[0]; }

static bool refuse(char *why, size_t len, const char *reason) {
    snprintf(why, len, "%s", reason);
    return false;
}

bool ex_valid_verdict(const cs_event *ev, char *why, size_t len) {
    return blank(ev->env->verdict->order_id) ? refuse(why, len, "verdict without order_id") : true;
}

bool ex_valid_order(const cs_event *ev, char *why, size_t len) {
    const Cs__V1__OrderEvent *oe = ev->env->order;
    if (!oe->order || blank(oe->order->order_id)) return refuse(why, len, "not an order event with an order id");
    if (oe->cancellation && !fenOk(oe->cancellation->refund_fen))
        return refuse(why, len, "impossible amount: cancellation.refund_fen");
    return true;
}

bool ex_valid_aftersales(const cs_event *ev, char *why, size_t len) {
    const Cs__V1__AfterSalesEvent *a = ev->env->aftersales;
    if (a->body_case == CS__V1__AFTER_SALES_EVENT__BODY_CASE) {
        if (blank(a->case_->case_id) || blank(a->case_->order_id))
            return refuse(why, len, "case without case_id or order_id");
        if (!fenOk(a->case_->amount_fen)) return refuse(why, len, "impossible amount: case.amount_fen");
    } else if (a->body_case == CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT) {
        if (blank(a->complaint->complaint_id) || blank(a->complaint->order_id))
            return refuse(why, len, "complaint without complaint_id or order_id");
        /* EX-9 adds the level's minutes to it */
        if (a->complaint->opened_ms < 0 || a->complaint->opened_ms > CS_TZ_MAX_MS)
            return refuse(why, len, "complaint.opened_ms negative or past year 9999");
    }
    return true;
}

bool ex_valid_contact(const cs_event *ev, char *why, size_t len) {
    const Cs__V1__ContactEvent *c = ev->env->contact;
    if (c->body_case == CS__V1__CONTACT_EVENT__BODY_CALL && blank(c->call->order_id))
        return refuse(why, len, "call result without order_id");
    if (c->body_case == CS__V1__CONTACT_EVENT__BODY_CHASER && blank(c->chaser->order_id))
        return refuse(why, len, "delivery chaser without order_id");
    return true;
}

/* The order an event is about, or NULL when it changes nothing here. */
static const char *orderOf(const Cs__V1__Envelope *e) {
    switch (e->body_case) {
        case CS__V1__ENVELOPE__BODY_VERDICT: return e->verdict->order_id;
        case CS__V1__ENVELOPE__BODY_ORDER:
            switch (e->order->kind) { /* other order events change nothing here: no lock */
                case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED:
                case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED:
                case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED: return e->order->order->order_id;
                default: return NULL;
            }
        case CS__V1__ENVELOPE__BODY_AFTERSALES:
            if (e->aftersales->body_case == CS__V1__AFTER_SALES_EVENT__BODY_CASE) return e->aftersales->case_->order_id;
            if (e->aftersales->body_case == CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT)
                return e->aftersales->complaint->order_id;
            return NULL;
        case CS__V1__ENVELOPE__BODY_CONTACT:
            if (e->contact->body_case == CS__V1__CONTACT_EVENT__BODY_CALL) return e->contact->call->order_id;
            if (e->contact->body_case == CS__V1__CONTACT_EVENT__BODY_CHASER) return e->contact->chaser->order_id;
            return NULL;
        default: return NULL;
    }
}

bool ex_lock_order(const cs_event *ev, char *out, size_t len) {
    const char *o = orderOf(ev->env);
    if (blank(o)) return false;
    snprintf(out, len, "%s:%s", ev->env->shop_id, o);
    return true;
}
