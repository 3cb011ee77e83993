/* exceptions.c -- the exception-handler's batch handler (see
 * exceptions.h).
 *
 * Life of a batch (all inside the runtime's transaction):
 *   1. validate each event (poison: wrong body for the topic, no order id,
 *      impossible amounts);
 *   2. lock every order the batch touches with a transaction-scoped
 *      advisory lock, in hash order: the same order's verdicts, contacts,
 *      after-sales events and timers arrive on different topics and may be
 *      handled by two processes at once, and the rules read-then-write
 *      the order's exception (one open per order, one EX-4 message, one
 *      escalation). Locks in one global order cannot deadlock;
 *   3. for each event, in partition order: read what its rule needs (the
 *      order's open exception, the verifier's merged order from
 *      orders.doc, the complaint, the buyer's counts), call the pure rule
 *      in rules/, then write the state change, the task / notification /
 *      finance / SLA rows, queue the outbound records with cs_batch_emit()
 *      and schedule or cancel the durable timers (cs/timers.h), all in
 *      this transaction.
 * Outbound event ids derive from the input event's id, so a replayed batch
 * (after a crash between COMMIT and the offset commit) emits the same ids,
 * and a notification's idempotency key, fixed here, is the same on every
 * replay (NT-1). Nothing is kept between batches.
 *
 * The volumes here are small next to the verifier's (exceptions are a few
 * per cent of orders), so each event is a handful of single-row
 * statements; the batch still commits once. */
#include "exceptions.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/clock.h"
#include "cs/log.h"
#include "cs/metrics.h"
#include "cs/pg.h"
#include "cs/shift.h"
#include "cs/timers.h"
#include "cs/topics.h"
#include "cs/tz.h"
#include "cs/util.h"
#include "ex_rules.h"

#define EX_MAX_FEN 100000000000LL /* 10^11 fen: beyond is impossible */
#define EX_ID_LEN 256

static cs_metric *mOpened, *mClosed, *mTasks, *mNotes, *mFinance, *mBreach6, *mBreach9, *mVip;

/* ---- per-batch context ---------------------------------------------------- */

typedef struct exCtx {
    cs_batch *b;
    PGconn *pg;
    int64_t now;
} exCtx;

/* The open (or given) exception row of an order. */
typedef struct exRow {
    bool found;
    char id[EX_ID_LEN];
    char order_id[EX_ID_LEN];
    ex_exception x;
} exRow;

static const char *taskKindName(Cs__V1__TaskKind k) {
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&cs__v1__task_kind__descriptor, (int)k);
    return v ? v->name : "TASK_KIND_UNSPECIFIED";
}

static const char *enumName(const ProtobufCEnumDescriptor *d, int v) {
    const ProtobufCEnumValue *e = protobuf_c_enum_descriptor_get_value(d, v);
    return e ? e->name : "UNSPECIFIED";
}

static void i64(char *buf, size_t len, int64_t v) { snprintf(buf, len, "%" PRId64, v); }

static int exec(exCtx *c, const char *sql, int n, const char *const *params, PGresult **res,
                char *err, size_t errlen) {
    return cs_pg_exec(c->pg, sql, n, params, res, err, errlen);
}

static int64_t colInt(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* ---- validation -------------------------------------------------------------- */

static bool fenOk(int64_t v) { return v >= 0 && v <= EX_MAX_FEN; }
static bool blank(const char *s) { return !s || !s[0]; }

bool ex_event_valid(const cs_event *ev, char *why, size_t len) {
    const Cs__V1__Envelope *e = ev->env;
    const char *t = ev->topic;
    if (strcmp(t, CS_TOPIC_VERDICTS) == 0) {
        if (e->body_case != CS__V1__ENVELOPE__BODY_VERDICT) { snprintf(why, len, "not a verdict"); return false; }
        if (blank(e->verdict->order_id)) { snprintf(why, len, "verdict without order_id"); return false; }
        return true;
    }
    if (strcmp(t, CS_TOPIC_ORDERS) == 0) {
        if (e->body_case != CS__V1__ENVELOPE__BODY_ORDER || !e->order->order || blank(e->order->order->order_id)) {
            snprintf(why, len, "not an order event with an order id");
            return false;
        }
        if (e->order->cancellation && !fenOk(e->order->cancellation->refund_fen)) {
            snprintf(why, len, "impossible amount: cancellation.refund_fen");
            return false;
        }
        return true;
    }
    if (strcmp(t, CS_TOPIC_AFTERSALES) == 0) {
        if (e->body_case != CS__V1__ENVELOPE__BODY_AFTERSALES) { snprintf(why, len, "not an after-sales event"); return false; }
        const Cs__V1__AfterSalesEvent *a = e->aftersales;
        if (a->body_case == CS__V1__AFTER_SALES_EVENT__BODY_CASE) {
            if (blank(a->case_->case_id) || blank(a->case_->order_id)) { snprintf(why, len, "case without case_id or order_id"); return false; }
            if (!fenOk(a->case_->amount_fen)) { snprintf(why, len, "impossible amount: case.amount_fen"); return false; }
        } else if (a->body_case == CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT) {
            if (blank(a->complaint->complaint_id) || blank(a->complaint->order_id)) {
                snprintf(why, len, "complaint without complaint_id or order_id");
                return false;
            }
        }
        return true;
    }
    if (strcmp(t, CS_TOPIC_CONTACTS) == 0) {
        if (e->body_case != CS__V1__ENVELOPE__BODY_CONTACT) { snprintf(why, len, "not a contact event"); return false; }
        const Cs__V1__ContactEvent *c = e->contact;
        if (c->body_case == CS__V1__CONTACT_EVENT__BODY_CALL && blank(c->call->order_id)) {
            snprintf(why, len, "call result without order_id");
            return false;
        }
        if (c->body_case == CS__V1__CONTACT_EVENT__BODY_CHASER && blank(c->chaser->order_id)) {
            snprintf(why, len, "delivery chaser without order_id");
            return false;
        }
        return true;
    }
    if (strcmp(t, CS_TOPIC_TIMERS) == 0) {
        if (e->body_case != CS__V1__ENVELOPE__BODY_TIMER || blank(e->timer->timer_id)) {
            snprintf(why, len, "not a fired timer");
            return false;
        }
        return true;
    }
    snprintf(why, len, "unexpected topic %s", t);
    return false;
}

/* The order an event is about ("" when none: another owner's timer). */
static const char *orderOf(const cs_event *ev) {
    const Cs__V1__Envelope *e = ev->env;
    switch (e->body_case) {
    case CS__V1__ENVELOPE__BODY_VERDICT: return e->verdict->order_id;
    case CS__V1__ENVELOPE__BODY_ORDER: return e->order->order->order_id;
    case CS__V1__ENVELOPE__BODY_AFTERSALES:
        if (e->aftersales->body_case == CS__V1__AFTER_SALES_EVENT__BODY_CASE) return e->aftersales->case_->order_id;
        if (e->aftersales->body_case == CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT) return e->aftersales->complaint->order_id;
        return "";
    case CS__V1__ENVELOPE__BODY_CONTACT:
        if (e->contact->body_case == CS__V1__CONTACT_EVENT__BODY_CALL) return e->contact->call->order_id;
        if (e->contact->body_case == CS__V1__CONTACT_EVENT__BODY_CHASER) return e->contact->chaser->order_id;
        return "";
    default: return "";
    }
}

/* ---- reading ------------------------------------------------------------------- */

/* The verifier's merged order (orders.doc), or NULL if there is none. The
 * caller frees it with cs__v1__order_state__free_unpacked(st, NULL). */
static int loadOrder(exCtx *c, const char *shop_id, const char *order_id, Cs__V1__OrderState **out,
                     char *err, size_t errlen) {
    *out = NULL;
    const char *p[] = {shop_id, order_id};
    PGresult *r = PQexecParams(c->pg, "SELECT doc FROM orders WHERE shop_id = $1 AND order_id = $2", 2, NULL, p,
                               NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "load order: %s", PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
        *out = cs__v1__order_state__unpack(NULL, (size_t)PQgetlength(r, 0, 0), (const uint8_t *)PQgetvalue(r, 0, 0));
        if (!*out) cs_log_warn("order %s:%s: stored state does not decode; treated as unknown", shop_id, order_id);
    }
    PQclear(r);
    return 0;
}

static const char sqlExceptionCols[] =
    "SELECT exception_id, order_id, opened_ms, escalated_ms, breached_ms, written_sent_ms, closed_ms FROM exceptions ";

static void rowFrom(const PGresult *r, exRow *row) {
    memset(row, 0, sizeof *row);
    if (PQntuples(r) < 1) return;
    row->found = true;
    cs_strlcpy(row->id, PQgetvalue(r, 0, 0), sizeof row->id);
    cs_strlcpy(row->order_id, PQgetvalue(r, 0, 1), sizeof row->order_id);
    row->x.exists = true;
    row->x.opened_ms = colInt(r, 0, 2);
    row->x.escalated_ms = colInt(r, 0, 3);
    row->x.breached_ms = colInt(r, 0, 4);
    row->x.written_sent = !PQgetisnull(r, 0, 5);
    row->x.open = PQgetisnull(r, 0, 6);
}

/* The order's open exception (row->found false if none). */
static int loadOpenException(exCtx *c, const char *shop_id, const char *order_id, exRow *row, char *err,
                             size_t errlen) {
    char sql[512];
    snprintf(sql, sizeof sql, "%sWHERE shop_id = $1 AND order_id = $2 AND closed_ms IS NULL", sqlExceptionCols);
    const char *p[] = {shop_id, order_id};
    PGresult *r;
    if (exec(c, sql, 2, p, &r, err, errlen) != 0) return -1;
    rowFrom(r, row);
    PQclear(r);
    return 0;
}

static int loadExceptionById(exCtx *c, const char *shop_id, const char *id, exRow *row, char *err,
                             size_t errlen) {
    char sql[512];
    snprintf(sql, sizeof sql, "%sWHERE shop_id = $1 AND exception_id = $2", sqlExceptionCols);
    const char *p[] = {shop_id, id};
    PGresult *r;
    if (exec(c, sql, 2, p, &r, err, errlen) != 0) return -1;
    rowFrom(r, row);
    PQclear(r);
    return 0;
}

/* ---- emitting -------------------------------------------------------------------- */

static void envelopeInit(Cs__V1__Envelope *env, exCtx *c, const char *event_id, const char *shop_id) {
    cs__v1__envelope__init(env);
    env->event_id = (char *)event_id;
    env->shop_id = (char *)shop_id;
    env->event_ms = c->now;
    env->ingest_ms = cs_real_ms();
    env->source = (char *)EX_WORKER_NAME;
}

static int emitTask(exCtx *c, const cs_shop *shop, const char *shop_id, const char *order_id,
                    const char *trigger, int idx, const ex_task *t, char *err, size_t errlen) {
    char id[EX_ID_LEN], suffix[64], key[512];
    snprintf(suffix, sizeof suffix, "task/%d/%s", idx, t->rule);
    cs_event_id_derive(id, sizeof id, trigger, suffix);
    /* SH-1, unless the rule names the shift (EX-6's requeue) */
    const char *shift = t->shift;
    if (!shift) {
        const cs_shift *sh = cs_shift_for_task(shop, t->queue_at_ms ? t->queue_at_ms : c->now);
        shift = sh ? sh->name : "";
    }
    Cs__V1__AgentTask task;
    cs__v1__agent_task__init(&task);
    task.task_id = id;
    task.order_id = (char *)order_id;
    task.kind = t->kind;
    task.rule = (char *)t->rule;
    task.summary = (char *)t->summary;
    task.shift = (char *)shift;
    task.urgent = t->urgent;
    task.due_ms = t->due_ms;
    task.assignee = (char *)(t->assignee ? t->assignee : "");
    task.top_of_queue = t->top_of_queue;
    task.queue_at_ms = t->queue_at_ms;
    Cs__V1__Envelope env;
    envelopeInit(&env, c, id, shop_id);
    env.body_case = CS__V1__ENVELOPE__BODY_TASK;
    env.task = &task;
    snprintf(key, sizeof key, "%s:%s", shop_id, order_id);
    cs_batch_emit(c->b, CS_TOPIC_TASKS, key, &env);

    char due[24], now[24], qat[24];
    i64(due, sizeof due, t->due_ms);
    i64(now, sizeof now, c->now);
    i64(qat, sizeof qat, t->queue_at_ms);
    const char *p[] = {shop_id, id, order_id, taskKindName(t->kind), t->rule, t->summary, shift,
                       t->urgent ? "t" : "f", t->due_ms ? due : NULL, now, t->assignee,
                       t->top_of_queue ? "t" : "f", t->queue_at_ms ? qat : NULL};
    if (exec(c, "INSERT INTO tasks (shop_id, task_id, order_id, kind, rule, summary, shift, urgent, due_ms, created_ms, "
                "assignee, top_of_queue, queue_at_ms) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) "
                "ON CONFLICT (shop_id, task_id) DO NOTHING",
             13, p, NULL, err, errlen) != 0)
        return -1;
    cs_metric_add(mTasks, 1);
    return 0;
}

static int emitNote(exCtx *c, const char *shop_id, const ex_order *o, const char *trigger, int idx,
                    const ex_note *n, char *err, size_t errlen) {
    char id[EX_ID_LEN], suffix[96], key[512];
    snprintf(suffix, sizeof suffix, "note/%d/%s", idx, n->template_id);
    cs_event_id_derive(id, sizeof id, trigger, suffix);
    const char *to = n->to == EX_TO_PHONE ? o->phone : o->buyer_id;
    if (!to) to = "";
    Cs__V1__NotificationRequest req;
    cs__v1__notification_request__init(&req);
    req.idempotency_key = id; /* NT-1: fixed here, at request time, from the input's id */
    req.order_id = (char *)ex_str(o->order_id);
    req.to = (char *)to;
    req.channel = n->channel;
    req.class_ = n->klass;
    req.template_ = (char *)n->template_id;
    req.rule = (char *)n->rule;
    Cs__V1__NotificationRequest__ParamsEntry entries[4], *ptrs[4];
    req.n_params = (size_t)n->nparams;
    for (int i = 0; i < n->nparams && i < 4; i++) {
        cs__v1__notification_request__params_entry__init(&entries[i]);
        entries[i].key = (char *)n->param_keys[i];
        entries[i].value = (char *)n->param_vals[i];
        ptrs[i] = &entries[i];
    }
    req.params = ptrs;
    Cs__V1__Envelope env;
    envelopeInit(&env, c, id, shop_id);
    env.body_case = CS__V1__ENVELOPE__BODY_NOTIFICATION;
    env.notification = &req;
    snprintf(key, sizeof key, "%s:%s", shop_id, ex_str(o->order_id));
    cs_batch_emit(c->b, CS_TOPIC_NOTIFICATIONS, key, &env);

    char now[24];
    i64(now, sizeof now, c->now);
    const char *p[] = {shop_id, id, ex_str(o->order_id), n->rule, n->template_id,
                       enumName(&cs__v1__message_channel__descriptor, (int)n->channel),
                       enumName(&cs__v1__message_class__descriptor, (int)n->klass), now};
    if (exec(c, "INSERT INTO notification_requests (shop_id, idempotency_key, order_id, rule, template, channel, class, "
                "created_ms) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING",
             8, p, NULL, err, errlen) != 0)
        return -1;
    cs_metric_add(mNotes, 1);
    return 0;
}

static int emitFinance(exCtx *c, const char *shop_id, const ex_order *o, const char *trigger, int idx,
                       const ex_finance *f, char *err, size_t errlen) {
    char id[EX_ID_LEN], suffix[64], key[512];
    snprintf(suffix, sizeof suffix, "finance/%d/%s", idx, f->kind);
    cs_event_id_derive(id, sizeof id, trigger, suffix);
    Cs__V1__FinanceRequest req;
    cs__v1__finance_request__init(&req);
    req.request_id = id;
    req.order_id = (char *)ex_str(o->order_id);
    req.kind = (char *)f->kind;
    req.amount_fen = f->amount_fen;
    req.buyer_id = (char *)ex_str(o->buyer_id);
    req.reason = (char *)f->reason;
    req.rule = (char *)f->rule;
    Cs__V1__Envelope env;
    envelopeInit(&env, c, id, shop_id);
    env.body_case = CS__V1__ENVELOPE__BODY_FINANCE;
    env.finance = &req;
    snprintf(key, sizeof key, "%s:%s", shop_id, ex_str(o->order_id));
    cs_batch_emit(c->b, CS_TOPIC_FINANCE, key, &env);

    char amount[24], now[24];
    i64(amount, sizeof amount, f->amount_fen);
    i64(now, sizeof now, c->now);
    const char *p[] = {shop_id, id, ex_str(o->order_id), f->kind, amount, f->rule, f->reason, now};
    if (exec(c, "INSERT INTO finance_requests (shop_id, request_id, order_id, kind, amount_fen, rule, reason, created_ms) "
                "VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING",
             8, p, NULL, err, errlen) != 0)
        return -1;
    cs_metric_add(mFinance, 1);
    return 0;
}

/* Records and emits an SLA breach; 0 or -1. */
static int emitBreach(exCtx *c, const char *shop_id, const char *order_id, const char *subject,
                      const char *subject_id, const char *trigger, const ex_decision *d, char *err, size_t errlen) {
    char id[EX_ID_LEN], key[512];
    cs_event_id_derive(id, sizeof id, trigger, "sla");
    Cs__V1__SlaBreach sb;
    cs__v1__sla_breach__init(&sb);
    sb.subject = (char *)subject;
    sb.subject_id = (char *)subject_id;
    sb.order_id = (char *)order_id;
    sb.rule = (char *)d->breach_rule;
    sb.deadline_ms = d->breach_deadline_ms;
    sb.breached_ms = c->now;
    sb.detail = (char *)d->breach_detail;
    Cs__V1__Envelope env;
    envelopeInit(&env, c, id, shop_id);
    env.body_case = CS__V1__ENVELOPE__BODY_SLA_BREACH;
    env.sla_breach = &sb;
    snprintf(key, sizeof key, "%s:%s", shop_id, order_id);
    cs_batch_emit(c->b, CS_TOPIC_SLA, key, &env);
    char dl[24], now[24];
    i64(dl, sizeof dl, d->breach_deadline_ms);
    i64(now, sizeof now, c->now);
    const char *p[] = {shop_id, subject, subject_id, order_id, d->breach_rule, dl, now, d->breach_detail};
    if (exec(c, "INSERT INTO sla_breaches (shop_id, subject, subject_id, order_id, rule, deadline_ms, breached_ms, detail) "
                "VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING",
             8, p, NULL, err, errlen) != 0)
        return -1;
    cs_metric_add(strcmp(d->breach_rule, "EX-9") == 0 ? mBreach9 : mBreach6, 1);
    cs_log_info("SLA breach %s %s %s:%s (%s)", d->breach_rule, subject, shop_id, subject_id, d->breach_detail);
    return 0;
}

/* Timer id of kind for a subject (exception or complaint id). */
static void timerId(char *out, size_t len, const char *kind, const char *shop_id, const char *subject_id) {
    snprintf(out, len, "%s@%s:%s", kind, shop_id, subject_id);
}

/* Emits everything d decided and schedules / cancels its timers for
 * subject_id (payload = subject_id, read back when the timer fires). */
static int applyOutputs(exCtx *c, const cs_shop *shop, const char *shop_id, const ex_order *o,
                        const char *trigger, const ex_decision *d, const char *subject_id, char *err,
                        size_t errlen) {
    const char *order_id = ex_str(o->order_id);
    for (int i = 0; i < d->ntasks; i++)
        if (emitTask(c, shop, shop_id, order_id, trigger, i, &d->tasks[i], err, errlen) != 0) return -1;
    for (int i = 0; i < d->nnotes; i++)
        if (emitNote(c, shop_id, o, trigger, i, &d->notes[i], err, errlen) != 0) return -1;
    for (int i = 0; i < d->nfinance; i++)
        if (emitFinance(c, shop_id, o, trigger, i, &d->finance[i], err, errlen) != 0) return -1;
    char tid[512], okey[512];
    snprintf(okey, sizeof okey, "%s:%s", shop_id, order_id);
    for (int i = 0; subject_id && i < d->ncancel; i++) {
        timerId(tid, sizeof tid, d->cancel_timers[i], shop_id, subject_id);
        if (cs_timer_cancel(c->b, tid, err, errlen) != 0) return -1;
    }
    for (int i = 0; subject_id && i < d->ntimers; i++) {
        timerId(tid, sizeof tid, d->timers[i].kind, shop_id, subject_id);
        cs_timer_spec spec = {.kind = d->timers[i].kind, .order_key = okey, .timer_id = tid,
                              .due_ms = d->timers[i].due_ms, .payload = subject_id,
                              .payload_len = strlen(subject_id)};
        if (cs_timer_schedule(c->b, &spec, err, errlen) != 0) return -1;
    }
    return 0;
}

/* Closes the open exception row (its EX-6 timers cancelled). */
static int closeException(exCtx *c, const char *shop_id, const exRow *row, const char *reason, char *err,
                          size_t errlen) {
    char now[24];
    i64(now, sizeof now, c->now);
    const char *p[] = {shop_id, row->id, now, reason};
    if (exec(c, "UPDATE exceptions SET closed_ms = $3, close_reason = $4 WHERE shop_id = $1 AND exception_id = $2 "
                "AND closed_ms IS NULL",
             4, p, NULL, err, errlen) != 0)
        return -1;
    /* its still-open EX tasks are done with it */
    const char *q[] = {shop_id, row->order_id, now};
    if (exec(c, "UPDATE tasks SET closed_ms = $3 WHERE shop_id = $1 AND order_id = $2 AND closed_ms IS NULL "
                "AND rule IN ('EX-1','EX-2','EX-3','EX-5','EX-6')",
             3, q, NULL, err, errlen) != 0)
        return -1;
    static const char *const kinds[] = {EX_TIMER_REQUEUE, EX_TIMER_ESCALATE, EX_TIMER_BREACH};
    char tid[512];
    for (size_t i = 0; i < 3; i++) {
        timerId(tid, sizeof tid, kinds[i], shop_id, row->id);
        if (cs_timer_cancel(c->b, tid, err, errlen) != 0) return -1;
    }
    cs_metric_add(mClosed, 1);
    return 0;
}

/* ---- verdicts: exceptions open and close --------------------------------------- */

static int onVerdict(exCtx *c, cs_event *ev, char *err, size_t errlen) {
    const Cs__V1__Verdict *v = ev->env->verdict;
    const char *shop_id = ev->env->shop_id;
    exRow row;
    if (loadOpenException(c, shop_id, v->order_id, &row, err, errlen) != 0) return -1;
    if (v->state != CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION) {
        if (!row.found || v->state == CS__V1__VERDICT_STATE__VERDICT_STATE_UNSPECIFIED) return 0;
        char why[64];
        snprintf(why, sizeof why, "order now %s", enumName(&cs__v1__verdict_state__descriptor, (int)v->state));
        return closeException(c, shop_id, &row, why, err, errlen);
    }
    char reasons[512] = "";
    for (size_t i = 0; i < v->n_reasons; i++) {
        const char *code = v->reasons[i]->code;
        if (blank(code)) continue;
        size_t n = strlen(reasons);
        snprintf(reasons + n, sizeof reasons - n, "%s%s", n ? "," : "", code);
    }
    if (row.found) {
        /* still an exception (a newer version, or a restock re-check): the
         * exception and its day 1 stay; the reasons follow the order */
        const char *p[] = {shop_id, row.id, reasons};
        return exec(c, "UPDATE exceptions SET reasons = $3 WHERE shop_id = $1 AND exception_id = $2", 3, p, NULL, err,
                    errlen);
    }
    Cs__V1__OrderState *st = NULL;
    if (loadOrder(c, shop_id, v->order_id, &st, err, errlen) != 0) return -1;
    ex_order o;
    ex_order_from_state(&o, st, v->order_id);
    ex_decision d;
    ex_decision_init(&d);
    ex_plan_open(&o, reasons, v->restock_date_ms, ev->shop, c->now, &d);
    char xid[EX_ID_LEN];
    cs_event_id_derive(xid, sizeof xid, ev->env->event_id, "exception");
    char now[24], day[16], restock[24], req[24], esc[24], br[24];
    i64(now, sizeof now, c->now);
    ex_local_date(ev->shop, c->now, day, sizeof day);
    i64(restock, sizeof restock, v->restock_date_ms);
    int64_t req_ms = -1;
    for (int i = 0; i < d.ntimers; i++)
        if (strcmp(d.timers[i].kind, EX_TIMER_REQUEUE) == 0) req_ms = d.timers[i].due_ms;
    i64(req, sizeof req, req_ms);
    i64(esc, sizeof esc, ex6_escalate_ms(ev->shop, c->now));
    i64(br, sizeof br, ex6_breach_ms(ev->shop, c->now));
    const char *p[] = {shop_id, xid, v->order_id, reasons, d.plan_rule, now, day, restock,
                       req_ms >= 0 ? req : NULL, esc, br};
    int rc = exec(c, "INSERT INTO exceptions (shop_id, exception_id, order_id, reasons, plan_rule, opened_ms, local_day, "
                     "restock_date_ms, requeue_due_ms, escalate_due_ms, breach_due_ms) "
                     "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                  11, p, NULL, err, errlen);
    if (rc == 0) rc = applyOutputs(c, ev->shop, shop_id, &o, ev->env->event_id, &d, xid, err, errlen);
    if (rc == 0) {
        cs_metric_add(mOpened, 1);
        cs_log_info("exception opened %s:%s (%s) plan %s", shop_id, v->order_id, reasons, ex_str(d.plan_rule));
    }
    if (st) cs__v1__order_state__free_unpacked(st, NULL);
    return rc;
}

/* ---- orders: cancellations (EX-8), shipment and close end exceptions ------------ */

static int onOrder(exCtx *c, cs_event *ev, char *err, size_t errlen) {
    const Cs__V1__OrderEvent *oe = ev->env->order;
    const char *shop_id = ev->env->shop_id;
    const char *order_id = oe->order->order_id;
    exRow row;
    switch (oe->kind) {
    case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED:
    case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED:
        if (loadOpenException(c, shop_id, order_id, &row, err, errlen) != 0) return -1;
        if (!row.found) return 0;
        return closeException(c, shop_id, &row,
                              oe->kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED ? "order shipped"
                                                                                             : "order closed",
                              err, errlen);
    case CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED: break;
    default: return 0;
    }
    if (loadOpenException(c, shop_id, order_id, &row, err, errlen) != 0) return -1;
    Cs__V1__OrderState *st = NULL;
    if (loadOrder(c, shop_id, order_id, &st, err, errlen) != 0) return -1;
    ex_order o;
    ex_order_from_state(&o, st, order_id);
    static const Cs__V1__Cancellation none = CS__V1__CANCELLATION__INIT;
    const Cs__V1__Cancellation *can = oe->cancellation ? oe->cancellation : &none;
    ex_decision d;
    ex_decision_init(&d);
    ex8_cancellation(can, st, &o, &row.x, ev->shop, &d); /* EX-8 */
    /* the registry row */
    cs_copybuf lines = {0};
    cs_pg_text_array(&lines, (const char *const *)can->line_ids, can->n_line_ids);
    char stock[EX_MAX_STOCK * 160 + 4] = "[";
    for (int i = 0; i < d.nstock; i++) {
        /* SKUs are identifiers; a quote or backslash is escaped the JSON way */
        char sku[96];
        size_t k = 0;
        for (const char *q = d.stock[i].sku; *q && k + 2 < sizeof sku; q++) {
            if (*q == '"' || *q == '\\') sku[k++] = '\\';
            else if ((unsigned char)*q < 0x20) continue;
            sku[k++] = *q;
        }
        sku[k] = 0;
        size_t used = strlen(stock);
        snprintf(stock + used, sizeof stock - used, "%s{\"sku\":\"%s\",\"quantity\":%d}", i ? "," : "", sku,
                 d.stock[i].quantity);
    }
    cs_strlcpy(stock + strlen(stock), "]", sizeof stock - strlen(stock));
    char refund[24], now[24], day[16];
    i64(refund, sizeof refund, d.nfinance ? d.finance[0].amount_fen : 0);
    i64(now, sizeof now, c->now);
    ex_local_date(ev->shop, c->now, day, sizeof day);
    const char *p[] = {shop_id, ev->env->event_id, order_id, lines.data ? lines.data : "{}",
                       blank(can->reason) ? "no reason given" : can->reason, refund, stock, now, day};
    int rc = exec(c, "INSERT INTO cancellations (shop_id, event_id, order_id, line_ids, reason, refund_fen, stock_returned, "
                     "registered_ms, local_day) VALUES ($1,$2,$3,$4::text[],$5,$6,$7::jsonb,$8,$9) ON CONFLICT DO NOTHING",
                  9, p, NULL, err, errlen);
    cs_copy_free(&lines);
    if (rc == 0) rc = applyOutputs(c, ev->shop, shop_id, &o, ev->env->event_id, &d, NULL, err, errlen);
    if (rc == 0 && d.close) rc = closeException(c, shop_id, &row, d.close_reason, err, errlen);
    if (st) cs__v1__order_state__free_unpacked(st, NULL);
    return rc;
}

/* ---- after-sales: EX-7 stock-out refunds, EX-9 complaints ------------------------ */

static int onCase(exCtx *c, cs_event *ev, char *err, size_t errlen) {
    const Cs__V1__AfterSalesCase *k = ev->env->aftersales->case_;
    if (k->reason != CS__V1__CASE_REASON__CASE_REASON_OUT_OF_STOCK) return 0;
    const char *shop_id = ev->env->shop_id;
    const char *p[] = {shop_id, k->case_id};
    PGresult *r;
    if (exec(c, "SELECT 1 FROM compensations WHERE shop_id = $1 AND case_id = $2", 2, p, &r, err, errlen) != 0) return -1;
    bool done = PQntuples(r) > 0;
    PQclear(r);
    Cs__V1__OrderState *st = NULL;
    if (loadOrder(c, shop_id, k->order_id, &st, err, errlen) != 0) return -1;
    ex_order o;
    ex_order_from_state(&o, st, k->order_id);
    if (!o.buyer_id && !blank(k->buyer_id)) o.buyer_id = k->buyer_id;
    ex_decision d;
    ex_decision_init(&d);
    int rc = 0;
    if (ex7_stockout_case(k, &o, ev->shop, done, &d)) { /* EX-7 */
        rc = applyOutputs(c, ev->shop, shop_id, &o, ev->env->event_id, &d, NULL, err, errlen);
        if (rc == 0 && d.nfinance) {
            char refunded[24], amount[24], now[24];
            i64(refunded, sizeof refunded, k->amount_fen);
            i64(amount, sizeof amount, d.finance[0].amount_fen);
            i64(now, sizeof now, c->now);
            const char *q[] = {shop_id, k->case_id, k->order_id, refunded, amount, now};
            rc = exec(c, "INSERT INTO compensations (shop_id, case_id, order_id, refunded_fen, amount_fen, created_ms) "
                         "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING",
                      6, q, NULL, err, errlen);
        }
    }
    if (st) cs__v1__order_state__free_unpacked(st, NULL);
    return rc;
}

static int loadComplaint(exCtx *c, const char *shop_id, const char *id, ex_complaint *k, char *order_id,
                         size_t olen, char *err, size_t errlen) {
    memset(k, 0, sizeof *k);
    const char *p[] = {shop_id, id};
    PGresult *r;
    if (exec(c, "SELECT level, opened_ms, deadline_ms, met_ms, breached_ms, closed_ms, order_id FROM complaints "
                "WHERE shop_id = $1 AND complaint_id = $2",
             2, p, &r, err, errlen) != 0)
        return -1;
    if (PQntuples(r) == 1) {
        k->exists = true;
        k->level = (Cs__V1__ComplaintLevel)colInt(r, 0, 0);
        k->opened_ms = colInt(r, 0, 1);
        k->deadline_ms = colInt(r, 0, 2);
        k->met_ms = colInt(r, 0, 3);
        k->breached_ms = colInt(r, 0, 4);
        k->closed_ms = colInt(r, 0, 5);
        if (order_id) cs_strlcpy(order_id, PQgetvalue(r, 0, 6), olen);
    }
    PQclear(r);
    return 0;
}

static int onComplaint(exCtx *c, cs_event *ev, char *err, size_t errlen) {
    const Cs__V1__Complaint *k = ev->env->aftersales->complaint;
    const char *shop_id = ev->env->shop_id;
    ex_complaint stored;
    if (loadComplaint(c, shop_id, k->complaint_id, &stored, NULL, 0, err, errlen) != 0) return -1;
    Cs__V1__OrderState *st = NULL;
    if (loadOrder(c, shop_id, k->order_id, &st, err, errlen) != 0) return -1;
    ex_order o;
    ex_order_from_state(&o, st, k->order_id);
    const char *buyer = !blank(k->buyer_id) ? k->buyer_id : o.buyer_id;
    if (!o.buyer_id) o.buyer_id = buyer;
    ex_buyer_stats stats = {0};
    int rc = 0;
    if (!stored.exists && buyer) {
        /* EX-9 VIP: complaints in 30 days (this one included) and paid
         * orders in 12 months */
        char since_c[24], since_p[24];
        i64(since_c, sizeof since_c, ex9_vip_complaint_since_ms(ev->shop, c->now));
        i64(since_p, sizeof since_p, ex9_vip_paid_since_ms(ev->shop, c->now));
        const char *p[] = {shop_id, buyer, since_c, since_p};
        PGresult *r;
        if (exec(c, "SELECT (SELECT count(*) FROM complaints WHERE shop_id = $1 AND buyer_id = $2 AND opened_ms > $3), "
                    "(SELECT COALESCE(sum(paid_fen), 0) FROM orders WHERE shop_id = $1 AND buyer_id = $2 AND paid_ms > $4 "
                    "AND cancelled_ms IS NULL)",
                 4, p, &r, err, errlen) != 0) {
            rc = -1;
            goto out;
        }
        stats.complaints = (int)colInt(r, 0, 0) + 1;
        stats.paid_fen = colInt(r, 0, 1);
        PQclear(r);
    }
    ex_decision d;
    ex_decision_init(&d);
    if (!ex9_complaint(k, &stored, &stats, ev->shop, c->now, &d)) goto out; /* EX-9 */
    char now[24];
    i64(now, sizeof now, c->now);
    if (!stored.exists) {
        int64_t opened = k->opened_ms > 0 ? k->opened_ms : c->now;
        char lv[8], op[24], dl[24];
        snprintf(lv, sizeof lv, "%d", (int)k->level);
        i64(op, sizeof op, opened);
        i64(dl, sizeof dl, ex9_deadline_ms(k->level, opened, ev->shop));
        const char *p[] = {shop_id, k->complaint_id, k->order_id, buyer, lv, op, dl,
                           d.complaint_met ? now : NULL, k->closed ? now : NULL, d.vip ? "t" : "f"};
        rc = exec(c, "INSERT INTO complaints (shop_id, complaint_id, order_id, buyer_id, level, opened_ms, deadline_ms, "
                     "met_ms, closed_ms, vip) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING",
                  10, p, NULL, err, errlen);
        if (rc == 0 && d.vip && buyer) {
            const char *q[] = {shop_id, buyer, d.vip_reason, now};
            rc = exec(c, "INSERT INTO buyers (shop_id, buyer_id, vip, vip_reason, vip_since_ms) VALUES ($1,$2,true,$3,$4) "
                         "ON CONFLICT (shop_id, buyer_id) DO UPDATE SET vip_reason = EXCLUDED.vip_reason, "
                         "vip_since_ms = COALESCE(buyers.vip_since_ms, EXCLUDED.vip_since_ms), vip = true",
                      4, q, NULL, err, errlen);
            if (rc == 0) cs_metric_add(mVip, 1);
        }
    } else {
        const char *p[] = {shop_id, k->complaint_id, now, k->closed ? "t" : "f"};
        rc = exec(c, "UPDATE complaints SET met_ms = COALESCE(met_ms, $3::bigint), "
                     "closed_ms = CASE WHEN $4::boolean THEN COALESCE(closed_ms, $3::bigint) ELSE closed_ms END "
                     "WHERE shop_id = $1 AND complaint_id = $2",
                  4, p, NULL, err, errlen);
    }
    if (rc == 0) rc = applyOutputs(c, ev->shop, shop_id, &o, ev->env->event_id, &d, k->complaint_id, err, errlen);
out:
    if (st) cs__v1__order_state__free_unpacked(st, NULL);
    return rc;
}

/* ---- contacts: EX-4 unreachable, agreement closes, EX-10 chasers ------------------ */

static int onContact(exCtx *c, cs_event *ev, char *err, size_t errlen) {
    const Cs__V1__ContactEvent *ce = ev->env->contact;
    const char *shop_id = ev->env->shop_id;
    if (ce->body_case != CS__V1__CONTACT_EVENT__BODY_CALL && ce->body_case != CS__V1__CONTACT_EVENT__BODY_CHASER)
        return 0;
    const char *order_id = orderOf(ev);
    Cs__V1__OrderState *st = NULL;
    if (loadOrder(c, shop_id, order_id, &st, err, errlen) != 0) return -1;
    ex_order o;
    ex_order_from_state(&o, st, order_id);
    ex_decision d;
    ex_decision_init(&d);
    int rc = 0;
    char now[24];
    i64(now, sizeof now, c->now);
    if (ce->body_case == CS__V1__CONTACT_EVENT__BODY_CHASER) {
        if (!o.buyer_id && !blank(ce->chaser->buyer_id)) o.buyer_id = ce->chaser->buyer_id;
        ex10_delivery_chaser(ce->chaser, &o, ev->shop, c->now, &d); /* EX-10 */
        rc = applyOutputs(c, ev->shop, shop_id, &o, ev->env->event_id, &d, NULL, err, errlen);
        goto out;
    }
    const Cs__V1__CallResult *call = ce->call;
    /* the call is the task's outcome: an EX task called about is done */
    if (!blank(call->task_id)) {
        const char *p[] = {shop_id, call->task_id, now};
        if (exec(c, "UPDATE tasks SET closed_ms = $3 WHERE shop_id = $1 AND task_id = $2 AND closed_ms IS NULL "
                    "AND rule LIKE 'EX-%'",
                 3, p, NULL, err, errlen) != 0) {
            rc = -1;
            goto out;
        }
    }
    exRow row;
    if (loadOpenException(c, shop_id, order_id, &row, err, errlen) != 0) { rc = -1; goto out; }
    if (!row.found) goto out;
    if (call->outcome == CS__V1__CALL_OUTCOME__CALL_OUTCOME_AGREED) {
        /* the buyer agreed to what the agent proposed (wait, exchange,
         * refund): the exception has been worked */
        rc = closeException(c, shop_id, &row, "buyer agreed on the call", err, errlen);
        goto out;
    }
    if (ex4_unreachable_message(call, &o, &row.x, ev->shop, &d)) { /* EX-4 */
        const char *p[] = {shop_id, row.id, now};
        rc = exec(c, "UPDATE exceptions SET written_sent_ms = $3 WHERE shop_id = $1 AND exception_id = $2", 3, p, NULL,
                  err, errlen);
        if (rc == 0) rc = applyOutputs(c, ev->shop, shop_id, &o, ev->env->event_id, &d, NULL, err, errlen);
    }
out:
    if (st) cs__v1__order_state__free_unpacked(st, NULL);
    return rc;
}

/* ---- fired timers: EX-6 and EX-9 ------------------------------------------------ */

static int onTimer(exCtx *c, cs_event *ev, char *err, size_t errlen) {
    const Cs__V1__TimerFired *f = ev->env->timer;
    if (blank(f->owner) || strcmp(f->owner, EX_WORKER_NAME) != 0) return 0;
    int take = cs_timer_take_fired(c->b, f, err, errlen);
    if (take < 0) return -1;
    if (take == 0) return 0; /* cancelled or rescheduled since: no effect */
    const char *shop_id = ev->env->shop_id;
    char subject[EX_ID_LEN];
    size_t n = f->payload.len < sizeof subject - 1 ? f->payload.len : sizeof subject - 1;
    memcpy(subject, f->payload.data, n);
    subject[n] = 0;
    char now[24];
    i64(now, sizeof now, c->now);
    ex_decision d;
    ex_decision_init(&d);
    Cs__V1__OrderState *st = NULL;
    int rc = 0;
    if (strcmp(f->kind, EX_TIMER_COMPLAINT) == 0) {
        ex_complaint k;
        char order_id[EX_ID_LEN] = "";
        if (loadComplaint(c, shop_id, subject, &k, order_id, sizeof order_id, err, errlen) != 0) return -1;
        if (!ex9_on_deadline(&k, subject, ev->shop, c->now, &d)) return 0; /* EX-9 */
        const char *p[] = {shop_id, subject, now};
        rc = exec(c, "UPDATE complaints SET breached_ms = $3 WHERE shop_id = $1 AND complaint_id = $2", 3, p, NULL, err,
                  errlen);
        if (rc == 0) rc = emitBreach(c, shop_id, order_id, "complaint", subject, ev->env->event_id, &d, err, errlen);
        return rc;
    }
    exRow row;
    if (loadExceptionById(c, shop_id, subject, &row, err, errlen) != 0) return -1;
    if (!row.found) return 0;
    if (loadOrder(c, shop_id, row.order_id, &st, err, errlen) != 0) return -1;
    ex_order o;
    ex_order_from_state(&o, st, row.order_id);
    if (ex6_on_timer(f->kind, &row.x, &o, ev->shop, c->now, &d)) { /* EX-6 */
        const char *p[] = {shop_id, row.id, now};
        if (d.escalated)
            rc = exec(c, "UPDATE exceptions SET escalated_ms = $3 WHERE shop_id = $1 AND exception_id = $2", 3, p, NULL,
                      err, errlen);
        else if (d.breach)
            rc = exec(c, "UPDATE exceptions SET breached_ms = $3 WHERE shop_id = $1 AND exception_id = $2", 3, p, NULL,
                      err, errlen);
        else
            rc = exec(c, "UPDATE exceptions SET requeued_ms = $3 WHERE shop_id = $1 AND exception_id = $2", 3, p, NULL,
                      err, errlen);
        if (rc == 0 && d.breach)
            rc = emitBreach(c, shop_id, row.order_id, "exception", row.id, ev->env->event_id, &d, err, errlen);
        if (rc == 0) rc = applyOutputs(c, ev->shop, shop_id, &o, ev->env->event_id, &d, row.id, err, errlen);
    }
    if (st) cs__v1__order_state__free_unpacked(st, NULL);
    return rc;
}

/* ---- the handler ------------------------------------------------------------------ */

/* Locks every order of the batch (see the file comment). */
static int lockOrders(exCtx *c, char *err, size_t errlen) {
    size_t n = cs_batch_count(c->b);
    const char **keys = cs_xcalloc(n + 1, sizeof *keys);
    char **owned = cs_xcalloc(n + 1, sizeof *owned);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(c->b, i);
        if (ev->poison) continue;
        char buf[600];
        if (ev->env->body_case == CS__V1__ENVELOPE__BODY_TIMER) {
            if (blank(ev->env->timer->order_key)) continue;
            snprintf(buf, sizeof buf, "%s", ev->env->timer->order_key);
        } else {
            /* order events other than these change nothing here: no lock */
            if (ev->env->body_case == CS__V1__ENVELOPE__BODY_ORDER) {
                Cs__V1__OrderEventKind k = ev->env->order->kind;
                if (k != CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED &&
                    k != CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED &&
                    k != CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED)
                    continue;
            }
            const char *o = orderOf(ev);
            if (blank(o)) continue;
            snprintf(buf, sizeof buf, "%s:%s", ev->env->shop_id, o);
        }
        owned[k] = cs_xstrdup(buf);
        keys[k] = owned[k];
        k++;
    }
    int rc = 0;
    if (k) {
        cs_copybuf arr = {0};
        cs_pg_text_array(&arr, keys, k);
        const char *p[] = {arr.data};
        rc = exec(c, "SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 11) h "
                     "FROM unnest($1::text[]) k ORDER BY 1) s",
                  1, p, NULL, err, errlen);
        cs_copy_free(&arr);
    }
    for (size_t i = 0; i < k; i++) free(owned[i]);
    free(owned);
    free(keys);
    return rc;
}

static int handleBatch(void *user, cs_batch *b, char *err, size_t errlen) {
    (void)user;
    exCtx c = {.b = b, .pg = cs_batch_pg(b), .now = cs_batch_now(b)};
    size_t n = cs_batch_count(b);
    char why[CS_REASON_LEN];
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(b, i);
        if (!ex_event_valid(ev, why, sizeof why)) cs_event_poison(ev, "%s", why);
    }
    if (lockOrders(&c, err, errlen) != 0) return -1;
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(b, i);
        if (ev->poison) continue;
        int rc = 0;
        switch (ev->env->body_case) {
        case CS__V1__ENVELOPE__BODY_VERDICT: rc = onVerdict(&c, ev, err, errlen); break;
        case CS__V1__ENVELOPE__BODY_ORDER: rc = onOrder(&c, ev, err, errlen); break;
        case CS__V1__ENVELOPE__BODY_AFTERSALES:
            if (ev->env->aftersales->body_case == CS__V1__AFTER_SALES_EVENT__BODY_CASE) rc = onCase(&c, ev, err, errlen);
            else if (ev->env->aftersales->body_case == CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT)
                rc = onComplaint(&c, ev, err, errlen);
            break;
        case CS__V1__ENVELOPE__BODY_CONTACT: rc = onContact(&c, ev, err, errlen); break;
        case CS__V1__ENVELOPE__BODY_TIMER: rc = onTimer(&c, ev, err, errlen); break;
        default: break;
        }
        if (rc != 0) return -1;
    }
    return 0;
}

static int exInit(void *user, const cs_config *cfg, const cs_shops *shops, char *err, size_t errlen) {
    (void)user; (void)cfg; (void)shops; (void)err; (void)errlen;
    mOpened = cs_metric_get(CS_METRIC_COUNTER, "cs_ex_exceptions_opened_total", "Exceptions opened", NULL);
    mClosed = cs_metric_get(CS_METRIC_COUNTER, "cs_ex_exceptions_closed_total", "Exceptions closed", NULL);
    mTasks = cs_metric_get(CS_METRIC_COUNTER, "cs_ex_tasks_total", "Agent tasks created by the exception-handler", NULL);
    mNotes = cs_metric_get(CS_METRIC_COUNTER, "cs_ex_notifications_total",
                           "Notification requests made by the exception-handler", NULL);
    mFinance = cs_metric_get(CS_METRIC_COUNTER, "cs_ex_finance_requests_total", "Finance requests (refunds, compensations)", NULL);
    mBreach6 = cs_metric_get(CS_METRIC_COUNTER, "cs_ex_sla_breaches_total", "SLA breaches (missed deadlines)", "rule=\"EX-6\"");
    mBreach9 = cs_metric_get(CS_METRIC_COUNTER, "cs_ex_sla_breaches_total", "SLA breaches (missed deadlines)", "rule=\"EX-9\"");
    mVip = cs_metric_get(CS_METRIC_COUNTER, "cs_ex_vip_flags_total", "Buyers flagged VIP (EX-9)", NULL);
    return 0;
}

static const char *const exTopics[] = {
    CS_TOPIC_VERDICTS, CS_TOPIC_ORDERS, CS_TOPIC_AFTERSALES, CS_TOPIC_CONTACTS, CS_TOPIC_TIMERS, NULL
};

static const cs_worker_def exDef = {
    .name = EX_WORKER_NAME,
    .topics = exTopics,
    .handle_batch = handleBatch,
    .init = exInit,
};

const cs_worker_def *ex_worker_def(void) { return &exDef; }
