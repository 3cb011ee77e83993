/* rf_case.c -- one after-sales event through the rules: RF-1 places it in
 * the case's life, and the stage it moves the case to decides the rest:
 *
 *   REQUESTED            RF-13 (not received), RF-9 (auto-agreement in
 *                        promotion mode), RF-4 (seven-day check), RF-5
 *                        (photos), RF-10 (cheap item remedy), else a task
 *                        to work it; tasks in RF-9's queue in promotion mode
 *   AGREED               RF-2 ship_return timer (returns), RF-8 message
 *   BUYER_SHIPPED        RF-3: a freight-collect parcel is refused
 *   RETURN_RECEIVED      RF-6, RF-8 message
 *   REFUNDED             RF-3 postage, RF-7 finance request, RF-8 message
 *   RESHIPPED            RF-3 postage in the parcel (or paid by finance)
 *   PLATFORM_INTERVENED  RF-11 evidence task and timer
 *   any                  RF-2's timers armed at registration, cancelled as
 *                        the case moves past them
 *
 * Why it is built this way: the rule files decide one thing each and this
 * file only strings them together, so a rule is tested alone and the
 * life cycle is tested here. The rules read the case as it is after the
 * event (rf_case_after: the stored case with the event's attributes and
 * new stage), so a photo sent with a later event counts. A refund event
 * that arrives after the case moved past REFUNDED (stale, or after
 * CLOSED) still fills in the refund the case never recorded: money moved,
 * and RF-7 wants one request per refund, kept to one by refunded_ms. */
#include "rf_rules.h"

#include "cs/util.h"

#include <stdio.h>
#include <string.h>

#include "cs/text.h"

#define T(x) CS__V1__CASE_TYPE__CASE_TYPE_##x
#define R(x) CS__V1__CASE_REASON__CASE_REASON_##x
#define S(x) CS__V1__CASE_STAGE__CASE_STAGE_##x

static bool has(const char *s) { return s && s[0]; }

void rf_case_after(const rf_case *c, const rf_event *ev, const rf_decision *d, rf_case *out) {
    const Cs__V1__AfterSalesCase *e = ev->c;
    if (c->exists)
        *out = *c;
    else
        memset(out, 0, sizeof *out);
    if (d->duplicate) return;
    if (d->registered) {
        out->exists = true;
        out->case_id = e->case_id;
        out->order_id = e->order_id;
        out->sku = has(e->sku) ? e->sku : NULL;
        out->type = e->type;
        out->reason = e->reason;
        out->registered_ms = d->registered_ms;
        out->requested_ms = e->requested_ms;
    }
    if (d->refused_transition) out->refused_transitions++;
    if (!out->exists) return;
    /* facts that only ever become true, and an owner first named late,
     * are taken from any event, in whatever order */
    out->has_photo = out->has_photo || e->has_photo;
    out->item_unusable_photo = out->item_unusable_photo || e->item_unusable_photo;
    out->freight_collect = out->freight_collect || e->freight_collect;
    if (!has(out->agent) && has(e->agent)) out->agent = e->agent;
    if (out->type == T(UNSPECIFIED)) out->type = e->type;
    if (out->reason == R(UNSPECIFIED)) out->reason = e->reason;
    if (!out->requested_ms && e->requested_ms) out->requested_ms = e->requested_ms;
    /* the rest follows the case's latest event */
    bool newer = d->registered || (!d->stale && !d->refused_transition);
    if (newer) {
        if (e->amount_fen > 0) out->amount_fen = e->amount_fen;
        if (has(e->refund_account)) out->refund_account = e->refund_account;
        if (d->registered || e->stage == S(REQUESTED)) { /* the buyer's request states them */
            out->goods_unused = e->goods_unused;
            out->packaging_complete = e->packaging_complete;
        }
        if (ev->postage_paid_fen > 0) out->postage_paid_fen = ev->postage_paid_fen;
        if (has(ev->origin_province)) out->origin_province = ev->origin_province;
        out->last_event_ms = ev->event_ms;
        out->last_event_id = ev->event_id;
    }
    if (d->stage_changed) {
        out->stage = d->stage;
        if (d->stage == S(AGREED)) out->agreed_ms = d->stage_ms;
        if (d->stage == S(PLATFORM_INTERVENED)) out->intervened_ms = d->stage_ms;
    }
    if (d->late_intervened_ms && !out->intervened_ms) out->intervened_ms = d->late_intervened_ms;
    if (d->refund_recorded && !out->refunded_ms) {
        out->refunded_ms = ev->event_ms;
        out->refund_fen = d->refund_fen;
    }
    /* RF-12's cost summary reads what was decided from the case: RF-3's
     * reimbursement once (the first refund or reshipment that decided
     * one), RF-10's proposal as last made */
    if (d->postage.fen > 0 && d->postage.where != RF_POSTAGE_NONE && !out->postage_ms) {
        out->postage_fen = d->postage.fen;
        out->postage_ms = ev->event_ms;
    }
    if (d->remedy != RF_REMEDY_NONE) out->remedy = (int)d->remedy;
    /* RF-3: where the reimbursement goes, recorded when the case is
     * agreed (the handbook's "做售后记录时...是支付宝直接退款还是重新发货时附上
     * 现金"), or when a reimbursement is decided on a case agreed before */
    if (!out->postage_where) out->postage_where = (int)(d->postage_where ? d->postage_where : d->postage.where);
}

/* Puts every task from index `from` on into the queue (RF-9). */
static void queueTasks(rf_decision *d, int from, const char *queue) {
    for (int i = from; i < d->fx.ntasks; i++) d->fx.tasks[i].queue = queue;
    if (queue && d->fx.ntasks > from) d->queue = queue;
}

static void agree(rf_decision *d, const char *rule, int64_t amount_fen, const char *why) {
    d->decision.verdict = RF_VERDICT_AGREE;
    d->decision.rule = rule;
    d->decision.amount_fen = amount_fen;
    snprintf(d->decision.reason, sizeof d->decision.reason, "%s", why);
}

/* RF-13 for a "not received" request; true when it answered. */
static bool notReceived(const rf_case *v, const rf_event *ev, const rf_order *o, const cs_shop *shop, rf_decision *d) {
    rf_nr_action a = rf13_action(ev->c->logistics, ev->c->buyer_wants_return);
    d->not_received = a;
    cs_task *t;
    switch (a) {
        case RF_NR_AGREE:
            agree(d, "RF-13", v->amount_fen > 0 ? v->amount_fen : o->paid_fen,
                  "not received: the parcel was refused or is stuck");
            return true;
        case RF_NR_GUIDE_CONFIRM: rf8_buyer_message(v, o, shop, "RF-13", RF_TPL_NR_SIGNED, -1, d); return true;
        case RF_NR_CONFIRM_ON_ARRIVAL: rf8_buyer_message(v, o, shop, "RF-13", RF_TPL_NR_TRANSIT, -1, d); return true;
        case RF_NR_RETURN_ADDRESS:
            t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_CALL, "RF-13", false,
                           "case %s (order %s): not received and the buyer wants to return it: send the return "
                           "address and remind them of the freight insurance (owner %s)",
                           cs_str(v->case_id), cs_str(v->order_id), rf_agent_name(v));
            rf_task_to_owner(t, v);
            return true;
        default: return false;
    }
}

static void onRequested(const rf_case *v, const rf_event *ev, const rf_order *o, const cs_shop *shop, rf_decision *d) {
    int first = d->fx.ntasks;
    if (v->reason == R(NOT_RECEIVED) && notReceived(v, ev, o, shop, d)) {
        if (shop->promotion_mode) queueTasks(d, first, rf9_queue_for(v->type, v->reason, v->stage));
        return;
    }
    if (rf9_auto_agree(v, o, shop, d)) {
        /* A refund-only request agreed on an unshipped order is the refund
         * itself: the platform pays it out on the seller's agreement. So
         * RF-7's finance request and RF-8's one buyer message go now; the
         * case's later AGREED and REFUNDED events find the refund recorded
         * and send neither again. A seven-day return waits for its parcel:
         * its refund comes with RETURN_RECEIVED / REFUNDED as usual. */
        if (v->type == T(REFUND_ONLY)) {
            rf7_refund_request(v, d->decision.amount_fen, NULL, d);
            rf8_buyer_message(v, o, shop, "RF-8", RF_TPL_AGREED, d->decision.amount_fen, d);
        }
        return;
    }
    char why[128];
    cs_task *t = NULL;
    if (v->reason == R(NO_REASON_7D)) {
        bool ok = rf4_no_reason_ok(o->signed_ms, v->requested_ms ? v->requested_ms : v->registered_ms, v->goods_unused,
                                   v->packaging_complete, shop, why, sizeof why);
        t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "RF-4", false,
                       "case %s (order %s): seven-day no-reason return %s%s%s (owner %s)", cs_str(v->case_id),
                       cs_str(v->order_id), ok ? "valid: agree it" : "not valid: ", ok ? "" : why,
                       ok ? "" : "; explain it to the buyer", rf_agent_name(v));
        rf_task_to_owner(t, v);
    }
    if (v->reason == R(QUALITY)) {
        if (!rf5_evidence_ok(v, o, why, sizeof why)) {
            t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_CALL, "RF-5", false,
                           "case %s (order %s): %s: ask the buyer for it before agreeing (owner %s)",
                           cs_str(v->case_id), cs_str(v->order_id), why, rf_agent_name(v));
            rf_task_to_owner(t, v);
        }
        int64_t item = rf10_item_fen(v, o);
        char price[24];
        cs_fen_format(item, price, sizeof price);
        d->remedy = rf10_remedy(item, shop);
        t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_COMPLAINT, "RF-10", false,
                       "case %s (order %s): quality complaint on an item of %s CNY: propose %s (owner %s)",
                       cs_str(v->case_id), cs_str(v->order_id), price,
                       d->remedy == RF_REMEDY_PARTIAL_OR_GIFT
                           ? "a partial refund or a similar gift with the next order instead of a return"
                           : "a return or an exchange",
                       rf_agent_name(v));
        rf_task_to_owner(t, v);
    } else if (!rf5_evidence_ok(v, o, why, sizeof why)) {
        t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_CALL, "RF-5", false,
                       "case %s (order %s): %s: ask the buyer for it before agreeing (owner %s)", cs_str(v->case_id),
                       cs_str(v->order_id), why, rf_agent_name(v));
        rf_task_to_owner(t, v);
    }
    if (d->fx.ntasks == first) {
        t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "RF-1", false,
                       "case %s (order %s): %s request (%s) for %lld fen: work it (owner %s)", cs_str(v->case_id),
                       cs_str(v->order_id), rf_type_name(v->type), rf_reason_name(v->reason), (long long)v->amount_fen,
                       rf_agent_name(v));
        rf_task_to_owner(t, v);
    }
    if (shop->promotion_mode) queueTasks(d, first, rf9_queue_for(v->type, v->reason, v->stage));
}

/* RF-3 at the refund or the reshipment; RF-7 and RF-8 at the refund. */
static void onRefunded(const rf_case *v, const rf_event *ev, const rf_order *o, const cs_shop *shop, rf_decision *d) {
    if (v->refunded_ms) return; /* this case's refund is recorded already */
    int64_t fen = ev->c->amount_fen > 0 ? ev->c->amount_fen : v->amount_fen;
    if (o->cancelled_ms) { /* the verifier's facts, or EX-8's registry (refunds.c) */
        /* the order was cancelled: its finance request is the
         * exception-handler's (EX-8), never requested twice; the refund is
         * recorded here so the case knows, and the buyer is told of it
         * (RF-8: EX-8 sends no message) */
        d->refund_recorded = true;
        d->refund_fen = fen;
        rf8_buyer_message(v, o, shop, "RF-8", RF_TPL_REFUNDED, fen, d);
        return;
    }
    rf3_postage(v, shop, &d->postage);
    rf7_refund_request(v, fen, &d->postage, d);
    rf8_buyer_message(v, o, shop, "RF-8", RF_TPL_REFUNDED,
                      fen + (d->postage.where == RF_POSTAGE_IN_REFUND ? d->postage.fen : 0), d);
}

static void onReshipped(const rf_case *v, const cs_shop *shop, rf_decision *d) {
    rf3_postage(v, shop, &d->postage);
    if (d->postage.fen <= 0) return;
    char yuan[24];
    cs_fen_format(d->postage.fen, yuan, sizeof yuan);
    if (d->postage.where == RF_POSTAGE_IN_PARCEL) {
        cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "RF-3", false,
                                "case %s (order %s): put %s CNY cash for the return postage in the reshipped "
                                "parcel (owner %s)",
                                cs_str(v->case_id), cs_str(v->order_id), yuan, rf_agent_name(v));
        rf_task_to_owner(t, v);
    } else {
        /* nothing refunded to add it to: finance pays it on its own */
        cs_finance *f =
            cs_fx_finance(&d->fx, "postage", "RF-3", d->postage.fen,
                          "after-sales case %s (%s, %s), order %s: return postage reimbursed", cs_str(v->case_id),
                          rf_type_name(v->type), rf_reason_name(v->reason), cs_str(v->order_id));
        if (f) {
            snprintf(f->agent, sizeof f->agent, "%s", cs_str(v->agent));
            snprintf(f->account, sizeof f->account, "%s", cs_str(v->refund_account));
        }
    }
}

/* RF-11: the platform stepped in at `at`: a dispute opened (the worker
 * counts it in its month), with the owner's evidence task and its timer. */
static void disputeOpened(const rf_case *v, int64_t at, const cs_shop *shop, rf_decision *d) {
    int64_t due = at + rf_days_ms(shop->th.dispute_evidence_days);
    int first = d->fx.ntasks;
    d->dispute_opened = true;
    cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_COMPLAINT, "RF-11", true,
                            "case %s (order %s): the platform stepped in: submit the evidence within %d days "
                            "(owner %s)",
                            cs_str(v->case_id), cs_str(v->order_id), shop->th.dispute_evidence_days, rf_agent_name(v));
    rf_task_to_owner(t, v);
    if (t) t->due_ms = due;
    cs_fx_timer(&d->fx, RF_TIMER_EVIDENCE, NULL, due);
    if (shop->promotion_mode) queueTasks(d, first, rf9_queue_for(v->type, v->reason, v->stage));
}

void rf_case_event(const rf_case *c, const rf_event *ev, const rf_order *o, const cs_shop *shop, int64_t now_ms,
                   rf_decision *d) {
    (void)now_ms;
    bool moved = rf1_place(c, ev, d);
    rf_case v;
    rf_case_after(c, ev, d, &v);
    if (!moved) {
        /* a refund the case never recorded, arriving after it moved on */
        if (c->exists && ev->c->stage == S(REFUNDED) && !c->refunded_ms && (d->stale || d->refused_transition))
            onRefunded(&v, ev, o, shop, d);
        /* a platform intervention the case never recorded, arriving after
         * it moved on (an agreement of 11:00 consumed before the 10:00
         * intervention): the dispute was opened all the same, so RF-11
         * counts it in its month and RF-12 reads its time. Its evidence
         * deadline is not armed: the case has moved past the intervention
         * (the platform ruled), which is what cancels that deadline. */
        if (c->exists && ev->c->stage == S(PLATFORM_INTERVENED) && d->stale && !c->intervened_ms) {
            d->late_intervened_ms = ev->event_ms;
            d->dispute_opened = true;
        }
        return;
    }
    int64_t at = ev->event_ms;
    rf2_on_stage(&v, v.type, d->stage, d->registered, at, shop, d);
    if (d->stage == S(AGREED)) d->postage_where = rf3_where(&v, shop); /* RF-3, recorded on the case */
    cs_task *t;
    switch (d->stage) {
        case S(REQUESTED): onRequested(&v, ev, o, shop, d); break;
        case S(AGREED):
            /* an auto-agreed refund (RF-9) told the buyer already */
            if (!v.refunded_ms)
                rf8_buyer_message(&v, o, shop, "RF-8", RF_TPL_AGREED, v.amount_fen > 0 ? v.amount_fen : -1, d);
            break;
        case S(BUYER_SHIPPED):
            if (v.freight_collect) {
                d->parcel_refused = true;
                t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "RF-3", false,
                               "case %s (order %s): the return was sent freight collect: refuse the parcel and ask "
                               "the buyer to pay the postage first (owner %s)",
                               cs_str(v.case_id), cs_str(v.order_id), rf_agent_name(&v));
                rf_task_to_owner(t, &v);
            }
            break;
        case S(RETURN_RECEIVED):
            rf6_return_received(&v, ev->c->resellable, ev->supplier_exchanges, d);
            rf8_buyer_message(&v, o, shop, "RF-8", RF_TPL_RECEIVED, -1, d);
            break;
        case S(REFUNDED): onRefunded(&v, ev, o, shop, d); break;
        case S(RESHIPPED): onReshipped(&v, shop, d); break;
        case S(PLATFORM_INTERVENED): disputeOpened(&v, at, shop, d); break;
        default: break;
    }
}
