/* effects.c -- filling a cs_effects (see effects.h). Pure: no I/O, no
 * allocation; a full array drops the extra entry and counts it. */
#include "cs/effects.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cs/util.h"

void cs_fx_init(cs_effects *fx) { memset(fx, 0, sizeof *fx); }

bool cs_fx_empty(const cs_effects *fx) {
    return fx->ntasks + fx->nnotes + fx->nfinance + fx->nbreaches + fx->ntimers + fx->ncancels + fx->ncloses == 0 &&
           !fx->followup_cancel;
}

void cs_fx_cancel_follow_ups(cs_effects *fx, const char *reason) { fx->followup_cancel = reason ? reason : ""; }

void cs_task_vset(cs_task *t, Cs__V1__TaskKind kind, const char *rule, bool urgent, const char *fmt, va_list ap) {
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->rule = rule;
    t->urgent = urgent;
    vsnprintf(t->summary, sizeof t->summary, fmt, ap);
}

cs_task *cs_fx_task(cs_effects *fx, Cs__V1__TaskKind kind, const char *rule, bool urgent, const char *fmt, ...) {
    if (fx->ntasks >= CS_FX_MAX_TASKS) {
        fx->dropped++;
        return NULL;
    }
    cs_task *t = &fx->tasks[fx->ntasks++];
    va_list ap;
    va_start(ap, fmt);
    cs_task_vset(t, kind, rule, urgent, fmt, ap);
    va_end(ap);
    return t;
}

cs_note *cs_fx_note(cs_effects *fx, const char *rule, const char *template_id, Cs__V1__MessageChannel channel,
                    cs_recipient to) {
    if (fx->nnotes >= CS_FX_MAX_NOTES) {
        fx->dropped++;
        return NULL;
    }
    cs_note *n = &fx->notes[fx->nnotes++];
    memset(n, 0, sizeof *n);
    n->rule = rule;
    n->template_id = template_id;
    n->channel = channel;
    n->klass = CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE;
    n->to = to;
    return n;
}

void cs_fx_note_param(cs_note *n, const char *key, const char *fmt, ...) {
    if (!n || n->nparams >= CS_FX_MAX_PARAMS) return;
    n->param_keys[n->nparams] = key;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->param_vals[n->nparams], sizeof n->param_vals[0], fmt, ap);
    va_end(ap);
    n->nparams++;
}

cs_finance *cs_fx_finance(cs_effects *fx, const char *kind, const char *rule, int64_t amount_fen, const char *fmt,
                          ...) {
    if (fx->nfinance >= CS_FX_MAX_FINANCE) {
        fx->dropped++;
        return NULL;
    }
    cs_finance *f = &fx->finance[fx->nfinance++];
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

cs_breach *cs_fx_breach(cs_effects *fx, const char *rule, const char *subject, int64_t deadline_ms, const char *fmt,
                        ...) {
    if (fx->nbreaches >= CS_FX_MAX_BREACHES) {
        fx->dropped++;
        return NULL;
    }
    cs_breach *b = &fx->breaches[fx->nbreaches++];
    memset(b, 0, sizeof *b);
    b->rule = rule;
    b->subject = subject;
    b->deadline_ms = deadline_ms;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->detail, sizeof b->detail, fmt, ap);
    va_end(ap);
    return b;
}

/* A subject that does not fit would name another timer: refused. */
static bool subjectFits(const char *subject) { return !subject || strlen(subject) < CS_FX_ID_LEN; }

cs_timer_arm *cs_fx_timer(cs_effects *fx, const char *kind, const char *subject, int64_t due_ms) {
    if (fx->ntimers >= CS_FX_MAX_TIMERS || !subjectFits(subject)) {
        fx->dropped++;
        return NULL;
    }
    cs_timer_arm *t = &fx->timers[fx->ntimers++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    cs_strlcpy(t->subject, subject ? subject : "", sizeof t->subject);
    t->due_ms = due_ms;
    return t;
}

void cs_fx_cancel(cs_effects *fx, const char *kind, const char *subject) {
    if (fx->ncancels >= CS_FX_MAX_CANCELS || !subjectFits(subject)) {
        fx->dropped++;
        return;
    }
    cs_timer_cancel_fx *c = &fx->cancels[fx->ncancels++];
    c->kind = kind;
    cs_strlcpy(c->subject, subject ? subject : "", sizeof c->subject);
}

void cs_fx_close_task(cs_effects *fx, const char *task_id, const char *rule_prefix) {
    if (fx->ncloses >= CS_FX_MAX_CLOSES) {
        fx->dropped++;
        return;
    }
    fx->closes[fx->ncloses++] = (cs_task_close){.task_id = task_id, .rule_prefix = rule_prefix};
}

void cs_fx_close_tasks(cs_effects *fx, const char *const *rules, const char *prefix) {
    if (fx->ncloses >= CS_FX_MAX_CLOSES) {
        fx->dropped++;
        return;
    }
    fx->closes[fx->ncloses++] = (cs_task_close){.rules = rules, .rule_prefix = rules ? NULL : prefix};
}

void cs_fx_timer_id(char *out, size_t len, const char *kind, const char *shop_id, const char *subject) {
    snprintf(out, len, "%s@%s:%s", kind, shop_id, subject ? subject : "");
}

const char *cs_fx_timer_subject(const char *timer_id) {
    const char *at = timer_id ? strchr(timer_id, '@') : NULL;
    const char *colon = at ? strchr(at + 1, ':') : NULL;
    return colon ? colon + 1 : NULL;
}
