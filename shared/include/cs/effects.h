/* effects.h -- what a rule decides beyond the state change, one type for
 * every worker (shared/src/effects.c; pure: part of the core library,
 * which links neither librdkafka, libpq nor hiredis).
 *
 * A rule fills a cs_effects and returns; it never emits. The worker's
 * wiring hands the effects to cs_fx_apply() (cs/apply.h), which turns them
 * into outbound records, rows and timer calls inside the batch
 * transaction. Keeping the two apart is what lets a rule be tested by
 * reading a struct, without servers.
 *
 * The effects:
 *   - agent tasks (routed to a shift by SH-1 when the rule names none);
 *   - notification requests (service or follow-up class) to the buyer's
 *     phone or IM handle; their idempotency key (NT-1) is fixed when they
 *     are applied, from the triggering event's id;
 *   - finance requests (refunds, compensations);
 *   - SLA breaches (escalations are supervisor tasks);
 *   - closing agent tasks (by id, or an order's open tasks of some rules);
 *   - durable timers to arm and to cancel, and "cancel every pending timer
 *     of this subject" as one effect;
 *   - "cancel every follow-up of this case the notifier still holds"
 *     (RV-5: the follow-ups are requested ahead, so they wait there).
 *
 * Timer ids follow one scheme: "<kind>@<shop>:<subject>", where the
 * subject is what the timer is about (an order id, an exception id, a
 * case id, "" for a shop-wide timer). A timer effect names its kind and
 * optionally its subject (else the subject the wiring gives to
 * cs_fx_apply), so two timers of one kind on one subject are one timer:
 * arming it again moves it.
 *
 * Storage: fixed-size arrays, so a rule never allocates and a full array
 * drops the extra entry (counted in `dropped`, which the applier logs)
 * instead of writing past its end. Text is copied into the effect's own
 * buffers or points at static strings; nothing points into the event, so
 * effects may outlive it. */
#ifndef CS_EFFECTS_H
#define CS_EFFECTS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/v1/envelope.pb-c.h"

#define CS_FX_MAX_TASKS 8
#define CS_FX_MAX_NOTES 4
#define CS_FX_MAX_FINANCE 4
#define CS_FX_MAX_BREACHES 2
#define CS_FX_MAX_TIMERS 8
#define CS_FX_MAX_CANCELS 8
#define CS_FX_MAX_CLOSES 4
#define CS_FX_MAX_PARAMS 6
#define CS_FX_TEXT_LEN 320
#define CS_FX_PARAM_LEN 96
#define CS_FX_ID_LEN 256 /* a subject: an id longer than this is refused (dropped) */

/* Where a task goes when it is not the shift queue's. */
#define CS_FX_SUPERVISOR "supervisor"

typedef struct cs_task {
    Cs__V1__TaskKind kind;
    const char *rule; /* "EX-3" (static) */
    char summary[CS_FX_TEXT_LEN];
    bool urgent;
    int64_t due_ms;       /* 0 = none */
    const char *assignee; /* CS_FX_SUPERVISOR, or NULL (the shift's queue) */
    const char *shift;    /* a named shift (EX-6's requeue), or NULL: SH-1 routes it */
    bool top_of_queue;    /* EX-6 */
    int64_t queue_at_ms;  /* enters the queue then (0 = now); SH-1 routes by it */
    const char *queue;    /* RF-9's queue ("back-office", "verification", "difficult",
                                  * "complaints"; static), or NULL: the shift's general queue */
    char owner[64];       /* RF-1: the agent who owns the case ("" = none): the task is
                                  * theirs (the assignee, unless assignee names the supervisor) */
} cs_task;

typedef enum cs_recipient {
    CS_TO_PHONE = 0, /* the receiver's phone (SMS) */
    CS_TO_IM = 1,    /* the buyer's IM handle (platform buyer id) */
} cs_recipient;

typedef struct cs_note {
    const char *rule;
    const char *template_id; /* a notifier template (static) */
    Cs__V1__MessageChannel channel;
    Cs__V1__MessageClass klass; /* service (default) or follow-up */
    cs_recipient to;
    int64_t expires_ms;    /* follow-ups: not sent at or after this (RV-5); 0 = never */
    int64_t not_before_ms; /* follow-ups: held by the notifier until this (RV-4's send time); 0 = now */
    bool about_case;    /* the request names the applier's subject as its case (RV-5) */
    bool sms_fallback;  /* an IM note: the receiver's phone as its SMS fallback (RF-8) */
    int nparams;
    const char *param_keys[CS_FX_MAX_PARAMS]; /* static */
    char param_vals[CS_FX_MAX_PARAMS][CS_FX_PARAM_LEN];
} cs_note;

typedef struct cs_finance {
    const char *kind; /* "refund", "compensation" (static) */
    const char *rule;
    int64_t amount_fen;
    char reason[CS_FX_TEXT_LEN];
    char agent[64];    /* RF-7: the agent who owns the case ("" = none) */
    char account[128]; /* RF-7: the buyer's refund account ("" = the original payment) */
} cs_finance;

typedef struct cs_breach {
    const char *rule;              /* "EX-6" */
    const char *subject;           /* "exception", "complaint" (static) */
    char subject_id[CS_FX_ID_LEN]; /* "" = the subject cs_fx_apply is given */
    int64_t deadline_ms;
    char detail[CS_FX_TEXT_LEN];
} cs_breach;

typedef struct cs_timer_arm {
    const char *kind;           /* "ex6.escalate" (static) */
    char subject[CS_FX_ID_LEN]; /* "" = the subject cs_fx_apply is given */
    int64_t due_ms;
    bool keep_pending; /* cs_timer_spec.keep_pending */
} cs_timer_arm;

typedef struct cs_timer_cancel_fx {
    const char *kind;           /* NULL = every kind: all pending timers of the subject */
    char subject[CS_FX_ID_LEN]; /* "" = the subject cs_fx_apply is given */
} cs_timer_cancel_fx;

typedef struct cs_task_close {
    const char *task_id;      /* one task (static or into the event), or NULL */
    const char *const *rules; /* else the order's open tasks of these rules (NULL-terminated, static) */
    const char *rule_prefix;  /* or of rules starting so ("EX-"); NULL = not used */
} cs_task_close;

typedef struct cs_effects {
    cs_task tasks[CS_FX_MAX_TASKS];
    int ntasks;
    cs_note notes[CS_FX_MAX_NOTES];
    int nnotes;
    cs_finance finance[CS_FX_MAX_FINANCE];
    int nfinance;
    cs_breach breaches[CS_FX_MAX_BREACHES];
    int nbreaches;
    cs_timer_arm timers[CS_FX_MAX_TIMERS];
    int ntimers;
    cs_timer_cancel_fx cancels[CS_FX_MAX_CANCELS];
    int ncancels;
    cs_task_close closes[CS_FX_MAX_CLOSES];
    int ncloses;
    const char *followup_cancel; /* RV-5: why the subject's held follow-ups are cancelled
                                  * ("revised", ...; static), NULL = none */
    int dropped; /* effects that did not fit (a sizing bug: logged) */
} cs_effects;

void cs_fx_init(cs_effects *fx);
/* true when there is nothing to apply. */
bool cs_fx_empty(const cs_effects *fx);

/* Sets *t to a task (every other field zero), summary from fmt. */
void cs_task_vset(cs_task *t, Cs__V1__TaskKind kind, const char *rule, bool urgent, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
/* Appends a task and returns it (NULL when full). */
cs_task *cs_fx_task(cs_effects *fx, Cs__V1__TaskKind kind, const char *rule, bool urgent, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Appends a service-class notification request to `to` (NULL when full). */
cs_note *cs_fx_note(cs_effects *fx, const char *rule, const char *template_id, Cs__V1__MessageChannel channel,
                    cs_recipient to);
/* Adds a template parameter (ignored past CS_FX_MAX_PARAMS or for n NULL). */
void cs_fx_note_param(cs_note *n, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
cs_finance *cs_fx_finance(cs_effects *fx, const char *kind, const char *rule, int64_t amount_fen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
cs_breach *cs_fx_breach(cs_effects *fx, const char *rule, const char *subject, int64_t deadline_ms, const char *fmt,
                        ...) __attribute__((format(printf, 5, 6)));
/* Arms (or moves) the timer kind of subject (NULL or "" = the applier's
 * subject). */
cs_timer_arm *cs_fx_timer(cs_effects *fx, const char *kind, const char *subject, int64_t due_ms);
/* Cancels the timer kind of subject; kind NULL cancels every pending timer
 * of the subject, whatever its kind. */
void cs_fx_cancel(cs_effects *fx, const char *kind, const char *subject);
/* Closes one task by id, if its rule starts with rule_prefix (NULL or
 * "": whatever its rule). */
void cs_fx_close_task(cs_effects *fx, const char *task_id, const char *rule_prefix);
/* Closes the order's open tasks raised by any of rules (NULL-terminated,
 * static) or, with rules NULL, by a rule starting with prefix. */
void cs_fx_close_tasks(cs_effects *fx, const char *const *rules, const char *prefix);
/* Asks the notifier to cancel every follow-up of the applier's subject (a
 * case) that it still holds, for reason (static). */
void cs_fx_cancel_follow_ups(cs_effects *fx, const char *reason);

/* The timer id of the scheme: "<kind>@<shop>:<subject>". */
void cs_fx_timer_id(char *out, size_t len, const char *kind, const char *shop_id, const char *subject);
/* The subject part of a timer id of the scheme (after the '@'), or NULL. */
const char *cs_fx_timer_subject(const char *timer_id);

#endif
