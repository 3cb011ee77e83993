/* fuzz_envelope.c -- libFuzzer target for a consumed Kafka value.
 *
 * Every worker reads records anyone with produce rights can write, so a
 * value of any bytes must become an event or a poison event with a reason,
 * never a crash, a leak or undefined behaviour. Each input goes the way a
 * worker takes it, without servers:
 *
 *   1. cs_event_decode(): the runtime's unpack of cs.v1.Envelope and its
 *      checks (ids, a shop of deploy/config/shops.sample.json, event time,
 *      a body);
 *   2. the validation of every worker that consumes the body: the
 *      verifier's ov_event_valid(), the route checks (`valid`, `lock_key`)
 *      of the exception-handler, refund-notifier and review-scheduler as
 *      their route tables declare them, the notifier's NT-1 key and
 *      sender-number checks, and a fired timer's subject;
 *   3. the pure rules that take the decoded body, on fresh state: OV-12
 *      (ov12_apply_event into a new OrderState, then ov_verify and the
 *      OV-6 reminder's due time), RF-1..13
 *      (rf_case_event, rf_case_after on a new case), EX-9 (a new
 *      complaint and its deadline), a verdict's reason list (EX-5) and
 *      RV-1 (a review opening a case).
 *
 * (A body is a oneof: its pointer is read only under its body_case.)
 *
 * Not covered: what needs PostgreSQL or Redis (the handlers, the stored
 * state they load), the exception-handler's other plans (they start from
 * stored exceptions), timers' handlers.
 *
 * A poison reason, a validation reason and an OV-12 error are dead-letter
 * rows (PostgreSQL text) and log lines: each must be valid UTF-8, which is
 * checked here, so a reason cut inside a character is a finding too.
 *
 * Built with clang only (CS_FUZZ=ON) and run by tests/run.sh on a copy of
 * tests/fuzz/corpus/envelope (tests/fuzz/envelope_seeds.c writes it). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/effects.h"
#include "cs/runtime.h"
#include "cs/shop.h"
#include "cs/topics.h"
#include "cs/v1/envelope.pb-c.h"
#include "ex_rules.h"
#include "exceptions.h"
#include "nt_rules.h"
#include "ov_rules.h"
#include "refunds.h"
#include "reviews.h"
#include "rf_rules.h"
#include "rv_rules.h"
#include "verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cs_shops *shops;

static const cs_shops *fuzzShops(void) {
    if (!shops) {
        char err[512];
        shops = cs_shops_load(CS_FUZZ_SHOPS_FILE, err, sizeof err);
        if (!shops) {
            fprintf(stderr, "fuzz_envelope: %s\n", err);
            abort();
        }
    }
    return shops;
}

/* true if s is valid UTF-8 (what a PostgreSQL text column takes). */
static bool utf8Valid(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0 || (n == 1 && *p < 0xC2)) return false;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80) return false;
    }
    return true;
}

static void checkReason(const char *why) {
    if (!why[0] || !utf8Valid(why)) abort();
}

/* The topic a body comes on. */
static const char *topicOf(Cs__V1__Envelope__BodyCase body) {
    switch (body) {
        case CS__V1__ENVELOPE__BODY_ORDER: return CS_TOPIC_ORDERS;
        case CS__V1__ENVELOPE__BODY_INVENTORY: return CS_TOPIC_INVENTORY;
        case CS__V1__ENVELOPE__BODY_AFTERSALES: return CS_TOPIC_AFTERSALES;
        case CS__V1__ENVELOPE__BODY_CONTACT: return CS_TOPIC_CONTACTS;
        case CS__V1__ENVELOPE__BODY_TIMER: return CS_TOPIC_TIMERS;
        case CS__V1__ENVELOPE__BODY_REVIEW: return CS_TOPIC_REVIEWS;
        case CS__V1__ENVELOPE__BODY_VERDICT: return CS_TOPIC_VERDICTS;
        case CS__V1__ENVELOPE__BODY_NOTIFICATION: return CS_TOPIC_NOTIFICATIONS;
        default: return NULL;
    }
}

/* The verifier: its validation, then OV-12 and the verification of the
 * version on a fresh state. */
static void verifier(cs_event *ev) {
    char why[CS_REASON_LEN];
    why[0] = '\0';
    if (!ov_event_valid(ev, why, sizeof why)) {
        checkReason(why);
        return;
    }
    if (ev->env->body_case != CS__V1__ENVELOPE__BODY_ORDER) return;
    Cs__V1__OrderState *st = cs_order_state_new();
    char err[256] = "";
    int changed = ov12_apply_event(st, ev->env->order, ev->env->event_id, ev->env->event_ms, err, sizeof err);
    if (changed < 0) checkReason(err);
    if (changed > 0) {
        ov_state io;
        memset(&io, 0, sizeof io);
        ov_decision d;
        memset(&d, 0, sizeof d);
        ov_verify(st, &io, ev->shop, ev->env->event_ms, &d);
        if (st->order) (void)ov6_reminder_due_ms(st->order, ev->shop); /* the worker arms it */
    }
    cs_order_state_free(st);
}

/* A worker whose routes the runtime runs: the route of the body, its
 * checks and lock key, as cs_routes_run() calls them. */
static void routes(const cs_worker_def *def, cs_event *ev) {
    for (const cs_route *r = def->routes; r && r->topic; r++) {
        if (r->body != ev->env->body_case) continue;
        ev->topic = r->topic;
        char why[CS_REASON_LEN] = "", key[512];
        if (r->valid && !r->valid(ev, why, sizeof why)) {
            checkReason(why);
            continue;
        }
        if (r->lock_key && r->lock_key(ev, key, sizeof key) && !key[0]) abort();
    }
}

/* RF-1..13 on a new case with no order facts. */
static void refunds(const cs_event *ev) {
    if (ev->env->body_case != CS__V1__ENVELOPE__BODY_AFTERSALES) return;
    const Cs__V1__AfterSalesEvent *a = ev->env->aftersales;
    if (!a || a->body_case != CS__V1__AFTER_SALES_EVENT__BODY_CASE || !a->case_) return;
    const Cs__V1__AfterSalesCase *k = a->case_;
    if (!k->case_id || !k->case_id[0] || !k->order_id || !k->order_id[0]) return; /* refused by validCase */
    rf_event e = {.c = k,
                  .event_id = ev->env->event_id,
                  .event_ms = ev->env->event_ms,
                  .postage_paid_fen = k->postage_paid_fen,
                  .origin_province = k->origin_province && k->origin_province[0] ? k->origin_province : NULL,
                  .supplier_exchanges = k->supplier_exchanges};
    rf_case c, after;
    memset(&c, 0, sizeof c);
    rf_order o;
    memset(&o, 0, sizeof o);
    rf_decision d;
    rf_decision_init(&d);
    rf_case_event(&c, &e, &o, ev->shop, ev->env->event_ms, &d);
    rf_case_after(&c, &e, &d, &after);
}

/* EX-9 on a new complaint (its deadline as the worker stores it), and the
 * reasons of a verdict as EX-5 lists them. */
static void exceptions(const cs_event *ev) {
    if (ev->env->body_case == CS__V1__ENVELOPE__BODY_VERDICT) {
        char reasons[512];
        ex_reason_list(ev->env->verdict, reasons, sizeof reasons);
        if (!utf8Valid(reasons)) abort();
        return;
    }
    if (ev->env->body_case != CS__V1__ENVELOPE__BODY_AFTERSALES) return;
    const Cs__V1__AfterSalesEvent *a = ev->env->aftersales;
    if (!a || a->body_case != CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT || !a->complaint) return;
    char why[CS_REASON_LEN] = "";
    if (!ex_valid_aftersales(ev, why, sizeof why)) return;
    const Cs__V1__Complaint *k = a->complaint;
    ex_complaint stored;
    memset(&stored, 0, sizeof stored);
    ex_buyer_stats stats = {.complaints = 1, .paid_fen = 0};
    ex_decision d;
    ex_decision_init(&d);
    if (!ex9_complaint(k, &stored, &stats, ev->shop, ev->env->event_ms, &d)) return;
    int64_t opened = k->opened_ms > 0 ? k->opened_ms : ev->env->event_ms;
    (void)ex9_deadline_ms(k->level, opened, ev->shop);
}

/* RV-1: a review that opens a case, as onReview() takes it. */
static void reviews(const cs_event *ev) {
    if (ev->env->body_case != CS__V1__ENVELOPE__BODY_REVIEW) return;
    const Cs__V1__Review *r = ev->env->review;
    if (!r || !r->review_id || !r->review_id[0] || !r->order_id || !r->order_id[0] || r->revision) return;
    rv_case none;
    memset(&none, 0, sizeof none);
    if (!rv1_opens_case(r, &none)) return;
    rv_case c;
    rv_case_from_review(r, ev->shop, ev->env->event_ms, &c);
    rv_buyer buyer;
    memset(&buyer, 0, sizeof buyer);
    rv_decision d;
    rv_decision_init(&d);
    rv_on_review_for(r, NULL, &buyer, ev->shop, ev->env->event_ms, &d);
}

/* The notifier's own checks: NT-1's provider key of a request, the
 * sender of an opt-out reply. */
static void notifier(const cs_event *ev) {
    char why[160] = "", to[128];
    if (ev->env->body_case == CS__V1__ENVELOPE__BODY_NOTIFICATION) {
        if (!nt1_provider_key(ev->env->notification, why, sizeof why)) checkReason(why);
    } else if (ev->env->body_case == CS__V1__ENVELOPE__BODY_CONTACT &&
               ev->env->contact->body_case == CS__V1__CONTACT_EVENT__BODY_SMS) {
        (void)nt_number_canon(ev->env->contact->sms->from_phone, to, sizeof to);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cs_event ev;
    memset(&ev, 0, sizeof ev);
    ev.topic = "fuzz";
    ev.key = "";
    if (cs_event_decode(&ev, data, size, NULL, fuzzShops()) != 0) {
        if (!ev.poison) abort();
        checkReason(ev.reason);
    } else {
        const char *topic = topicOf(ev.env->body_case);
        if (topic) {
            ev.topic = topic;
            verifier(&ev);
            ev.poison = false;
            routes(ex_worker_def(), &ev);
            routes(rf_worker_def(), &ev);
            routes(rv_worker_def(), &ev);
            ev.topic = topic;
            refunds(&ev);
            exceptions(&ev);
            reviews(&ev);
            notifier(&ev);
            if (ev.env->body_case == CS__V1__ENVELOPE__BODY_TIMER && ev.env->timer->timer_id)
                (void)cs_fx_timer_subject(ev.env->timer->timer_id);
        }
    }
    if (ev.env) cs__v1__envelope__free_unpacked(ev.env, NULL);
    return 0;
}
