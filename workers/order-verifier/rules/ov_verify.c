/* ov_verify.c -- the whole verification of one order version: OV-1..OV-5,
 * OV-7..OV-11 and the shop's own hold, combined into exactly one state by
 * OV-12's precedence, every reason recorded.
 *
 * Handbook: 000 §2 (the F2/F3 checks a verifying agent makes on every
 * order before it is printed: products, quantities, prices, postage,
 * address, courier, payment, messages) and RULES.md OV-12.
 *
 * Why it is built this way: every rule runs and records its reasons, even
 * when an earlier one already decided the state, because the agent who
 * takes the exception should see everything wrong with the order at once
 * ("records every reason that applied"). Only checks that would be
 * meaningless are skipped: OV-2 and OV-8 when OV-1 found bad lines (the
 * total and the quantities mean nothing then).
 *
 * Stock (OV-8), the choice the worker must know: units are taken only by
 * a committed order (paid, or cash on delivery) whose final state will
 * ship once people act: VERIFIED, ON_HOLD (an agent confirms, then it
 * ships; holding its units keeps them from being sold meanwhile) or
 * PENDING_FINANCE_CHECK when paid (PAID_TO_BE_VERIFIED). An order ending
 * in EXCEPTION for any reason takes no new units (and keeps, rather than
 * swaps, any it already holds), and a PENDING_PAYMENT or awaiting-payment
 * order takes none (stock is reserved on payment). A shipped order is left
 * alone: its units left with the parcel. What the order holds is
 * io->stock_reserved (with ov_stock.held_by_order), the worker's word at
 * this moment; a worker that gives the units back before verifying passes
 * false and gets a plain reserve decision. A cancelled or closed order gets
 * no verdict at all: d->state stays UNSPECIFIED with one informational
 * reason (ORDER_CANCELLED / ORDER_CLOSED) and release_stock is set if it
 * holds units and did not ship; the worker applies the release and
 * publishes nothing. */
#include "ov_rules.h"

#include <stdlib.h>
#include <string.h>

#include "cs/util.h"

/* OV-12 */
int ov_verify(const Cs__V1__OrderState *st, const ov_state *io, const cs_shop *shop, int64_t now_ms, ov_decision *d) {
    (void)now_ms; /* verification is a function of the order version, not of the hour */
    ov_decision_init(d);
    if (!st || !st->created || !st->order) return -1;
    const Cs__V1__Order *o = st->order;
    /* What the order holds is what the worker says it holds now (it may
     * have given the units back before verifying; st->stock_reserved is
     * then stale until ov_record_verdict()). */
    ov_state in = io ? *io : (ov_state){0};

    if (ov_order_over(st)) {
        /* giving back what is not held is harmless: trust either record */
        d->release_stock = (in.stock_reserved || st->stock_reserved) && st->shipped_ms == 0;
        if (st->cancelled_ms)
            ov_add_reason(d, "OV-8", OV_ORDER_CANCELLED, "cancelled: %s", ov_str(st->cancel_reason));
        else
            ov_add_reason(d, "OV-8", OV_ORDER_CLOSED, "closed");
        return 0;
    }

    bool lines_ok = ov1_check_lines(o, d);
    if (lines_ok) ov2_check_amount(o, d);
    ov3_check_receiver(o, shop, d);
    ov4_choose_courier(o, shop, d);
    ov5_check_payment(o, d);
    ov7_check_notes(o, d);
    ov9_check_duplicate(o, &in, shop, d);
    ov10_check_gifts_presale(o, d);
    ov11_quality_watch(o, &in, shop, d);
    if (o->on_hold) ov_add_reason(d, "OV-6", OV_SHOP_HOLD, "the shop holds the order for the buyer's confirmation");
    if (lines_ok && st->shipped_ms == 0) ov8_check_stock(o, &in, d);

    d->state = ov12_state_of(d);
    if (d->state == CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION ||
        d->state == CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_PAYMENT) {
        d->reserve_stock = false; /* takes nothing new ... */
        d->release_stock = false; /* ... and keeps what it holds */
    }
    return 0;
}

void ov_record_verdict(Cs__V1__OrderState *st, const ov_decision *d, int64_t now_ms) {
    st->verified_version = st->version;
    st->last_verdict_ms = now_ms;
    if (d->reserve_stock)
        st->stock_reserved = true;
    else if (d->release_stock)
        st->stock_reserved = false;
    if (d->state == CS__V1__VERDICT_STATE__VERDICT_STATE_UNSPECIFIED) return; /* over: no verdict */
    st->last_state = d->state;
    st->restock_date_ms = d->restock_date_ms;
    /* OV-6 counts the hold's days from when it began, not from each re-verification */
    if (d->state == CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD) {
        if (st->held_ms == 0) st->held_ms = now_ms;
    } else {
        st->held_ms = 0;
    }
}

/* One task per question (moved from the worker: it decides what an agent
 * is asked). A rule whose task the previous verdict raised raises none
 * now: the agent has it, and a second one for the same question (a new
 * order version with the same reason, a restock re-check) would be noise. */
void ov_tasks_to_raise(Cs__V1__OrderState *st, const ov_decision *d, bool raise[OV_MAX_TASKS]) {
    char **rules = d->ntasks ? cs_xcalloc((size_t)d->ntasks, sizeof *rules) : NULL;
    size_t nrules = 0;
    for (int i = 0; i < d->ntasks && i < OV_MAX_TASKS; i++) {
        bool had = false, dup = false;
        for (size_t k = 0; k < st->n_task_rules && !had; k++) had = strcmp(st->task_rules[k], d->tasks[i].rule) == 0;
        for (size_t k = 0; k < nrules && !dup; k++) dup = strcmp(rules[k], d->tasks[i].rule) == 0;
        if (!dup) rules[nrules++] = cs_xstrdup(d->tasks[i].rule);
        raise[i] = !had;
    }
    for (size_t k = 0; k < st->n_task_rules; k++) free(st->task_rules[k]);
    free(st->task_rules);
    st->task_rules = rules;
    st->n_task_rules = nrules;
}
