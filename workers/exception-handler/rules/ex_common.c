/* ex_common.c -- helpers the exception-handler's rule files share: filling
 * a decision's fixed arrays, the order facts taken from the verifier's
 * state, and the local-calendar helpers the day-counting rules use.
 *
 * Handbook: none of its own; it serves EX-1..EX-10.
 *
 * Why it is built this way: as in the verifier (ov_common.c) a decision is
 * a plain struct; a full array drops the extra entry rather than writing
 * past its end, and the arrays are sized above what any one event can
 * decide. */
#include "ex_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cs/tz.h"

void ex_decision_init(ex_decision *d) { memset(d, 0, sizeof *d); }

const char *ex_str(const char *s) { return s ? s : ""; }

ex_task *ex_add_task(ex_decision *d, Cs__V1__TaskKind kind, const char *rule, bool urgent,
                     const char *fmt, ...) {
    if (d->ntasks >= EX_MAX_TASKS) return NULL;
    ex_task *t = &d->tasks[d->ntasks++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->rule = rule;
    t->urgent = urgent;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->summary, sizeof t->summary, fmt, ap);
    va_end(ap);
    return t;
}

ex_note *ex_add_note(ex_decision *d, const char *rule, const char *template_id,
                     Cs__V1__MessageChannel channel, ex_recipient to) {
    if (d->nnotes >= EX_MAX_NOTES) return NULL;
    ex_note *n = &d->notes[d->nnotes++];
    memset(n, 0, sizeof *n);
    n->rule = rule;
    n->template_id = template_id;
    n->channel = channel;
    n->klass = CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE;
    n->to = to;
    return n;
}

void ex_note_param(ex_note *n, const char *key, const char *fmt, ...) {
    if (!n || n->nparams >= 4) return;
    n->param_keys[n->nparams] = key;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->param_vals[n->nparams], sizeof n->param_vals[0], fmt, ap);
    va_end(ap);
    n->nparams++;
}

ex_finance *ex_add_finance(ex_decision *d, const char *kind, const char *rule, int64_t amount_fen,
                           const char *fmt, ...) {
    if (d->nfinance >= EX_MAX_FINANCE) return NULL;
    ex_finance *f = &d->finance[d->nfinance++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->rule = rule;
    f->amount_fen = amount_fen;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->reason, sizeof f->reason, fmt, ap);
    va_end(ap);
    return f;
}

void ex_add_timer(ex_decision *d, const char *kind, int64_t due_ms) {
    if (d->ntimers >= EX_MAX_TIMERS) return;
    d->timers[d->ntimers++] = (ex_timer){kind, due_ms};
}

void ex_cancel_timer(ex_decision *d, const char *kind) {
    if (d->ncancel >= EX_MAX_CANCEL_TIMERS) return;
    d->cancel_timers[d->ncancel++] = kind;
}

void ex_order_from_state(ex_order *o, const Cs__V1__OrderState *st, const char *order_id) {
    memset(o, 0, sizeof *o);
    o->order_id = order_id;
    if (!st || !st->order) return;
    const Cs__V1__Order *ord = st->order;
    o->known = st->created;
    if (ord->order_id && ord->order_id[0]) o->order_id = ord->order_id;
    o->buyer_id = ord->buyer_id && ord->buyer_id[0] ? ord->buyer_id : NULL;
    o->phone = ord->receiver && ord->receiver->phone && ord->receiver->phone[0] ? ord->receiver->phone : NULL;
    o->channel = ord->channel;
    o->cod = ord->cod || ord->payment_method == CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD;
    o->created_ms = ord->created_ms;
    o->paid_ms = ord->paid_ms;
    o->paid_fen = ord->paid_ms ? ord->paid_amount_fen : 0;
    for (size_t i = 0; i < ord->n_lines; i++) {
        const Cs__V1__OrderLine *l = ord->lines[i];
        if (l->presale && l->presale_ship_date_ms > o->presale_ship_ms) o->presale_ship_ms = l->presale_ship_date_ms;
    }
    o->shipped_ms = st->shipped_ms;
    o->cancelled_ms = st->cancelled_ms;
}

Cs__V1__Channel ex_channel(const ex_order *o, const cs_shop *shop) {
    if (o && o->channel != CS__V1__CHANNEL__CHANNEL_UNSPECIFIED) return o->channel;
    switch (shop->channel) {
    case CS_CHANNEL_TMALL: return CS__V1__CHANNEL__CHANNEL_TMALL;
    case CS_CHANNEL_OWN_SITE: return CS__V1__CHANNEL__CHANNEL_OWN_SITE;
    default: return CS__V1__CHANNEL__CHANNEL_TAOBAO;
    }
}

int64_t ex_committed_ms(const ex_order *o) {
    if (o->paid_ms) return o->paid_ms;
    return o->cod ? o->created_ms : 0;
}

int64_t ex_end_of_day_ms(const cs_shop *shop, int64_t ms) {
    return cs_tz_instant(shop->tz, cs_tz_day(shop->tz, ms) + 1, 0);
}

void ex_local_date(const cs_shop *shop, int64_t ms, char *buf, size_t len) {
    cs_day_format(cs_tz_day(shop->tz, ms), buf, len);
}
