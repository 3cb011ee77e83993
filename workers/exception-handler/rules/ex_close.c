/* ex_close.c -- the end of an exception and of the tasks worked on it.
 *
 * Handbook: an exception order is worked until it is resolved (shipped,
 * closed, cancelled, or the buyer agreed on the call); its open calls and
 * reviews are done with it, and its day-end follow-ups (EX-6) stop.
 * Serves EX-1..EX-6 and EX-8.
 *
 * Why it is built this way: which tasks close with an exception is a
 * business decision, so it is here, tested, and the worker only applies
 * the effects. EX-7, EX-9 and EX-10 tasks are about a case, a complaint or
 * a chaser, not the exception: they stay open. */
#include "ex_rules.h"

#include <stdio.h>
#include <string.h>

const char *const ex_exception_task_rules[] = {"EX-1", "EX-2", "EX-3", "EX-5", "EX-6", NULL};

void ex_close(ex_decision *d, const char *reason) {
    d->close = true;
    d->close_reason = reason;
    cs_fx_close_tasks(&d->fx, ex_exception_task_rules, NULL);
    cs_fx_cancel(&d->fx, NULL, NULL); /* every pending EX-6 timer of the exception */
}

void ex_call_done(ex_decision *d, const char *task_id) {
    if (!task_id || !task_id[0]) return;
    cs_fx_close_task(&d->fx, task_id, "EX-"); /* the call was about an exception-handler task */
}

void ex_reason_list(const Cs__V1__Verdict *v, char *out, size_t len) {
    size_t n = 0;
    if (len) out[0] = 0;
    for (size_t i = 0; i < v->n_reasons; i++) {
        const char *code = v->reasons[i]->code;
        if (!code || !code[0]) continue;
        int w = snprintf(out + n, len > n ? len - n : 0, "%s%s", n ? "," : "", code);
        if (w < 0 || (size_t)w >= len - n) { /* a code that does not fit is left out whole */
            out[n] = 0;
            break;
        }
        n += (size_t)w;
    }
}
