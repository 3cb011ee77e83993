/* apply.c -- a rule's effects into records, rows and timers (see apply.h).
 *
 * Tasks and notification requests are the volume (the verifier raises one
 * for every order it holds): their rows go into two COPY buffers per batch,
 * sent by a before-commit hook, so a batch of thousands of tasks costs two
 * statements. The rest is rare and written at once. */
#include "cs/apply.h"

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
#include "cs/util.h"

#define FX_ID_LEN 256
#define FX_KEY_LEN 512

static const char sqlCopyTasks[] =
    "COPY tasks (shop_id, task_id, order_id, kind, rule, summary, shift, urgent, due_ms, created_ms, assignee, "
    "top_of_queue, queue_at_ms, queue) FROM STDIN";
static const char sqlCopyNotes[] =
    "COPY notification_requests (shop_id, idempotency_key, order_id, rule, template, channel, class, created_ms) "
    "FROM STDIN";

/* ---- metrics ----------------------------------------------------------------- */

static struct {
    char prefix[48];
    char who[48];
    cs_metric *tasks, *notes, *finance;
} fxMetrics;

static cs_metric *breachSeries(const char *rule) {
    char name[96], labels[64], help[96];
    snprintf(name, sizeof name, "%s_sla_breaches_total", fxMetrics.prefix);
    snprintf(labels, sizeof labels, "rule=\"%s\"", rule);
    snprintf(help, sizeof help, "SLA breaches (missed deadlines) recorded by the %s", fxMetrics.who);
    return cs_metric_get(CS_METRIC_COUNTER, name, help, labels);
}

void cs_fx_metrics(const char *prefix, const char *who, const char *const *breach_rules) {
    cs_strlcpy(fxMetrics.prefix, prefix, sizeof fxMetrics.prefix);
    cs_strlcpy(fxMetrics.who, who, sizeof fxMetrics.who);
    char name[96], help[128];
    snprintf(name, sizeof name, "%s_tasks_total", prefix);
    snprintf(help, sizeof help, "Agent tasks created by the %s", who);
    fxMetrics.tasks = cs_metric_get(CS_METRIC_COUNTER, name, help, NULL);
    snprintf(name, sizeof name, "%s_notifications_total", prefix);
    snprintf(help, sizeof help, "Notification requests made by the %s", who);
    fxMetrics.notes = cs_metric_get(CS_METRIC_COUNTER, name, help, NULL);
    snprintf(name, sizeof name, "%s_finance_requests_total", prefix);
    fxMetrics.finance = cs_metric_get(CS_METRIC_COUNTER, name, "Finance requests (refunds, compensations)", NULL);
    for (size_t i = 0; breach_rules && breach_rules[i]; i++) breachSeries(breach_rules[i]);
}

static void metricsEnsure(void) {
    if (!fxMetrics.tasks) cs_fx_metrics("cs_fx", "worker", NULL);
}

static void breachCounted(const char *rule) { cs_metric_add(breachSeries(rule), 1); }

/* ---- the batch's rows ---------------------------------------------------------- */

typedef struct fxRows {
    cs_copybuf tasks, notes;
} fxRows;

static void rowsFree(void *arg) {
    fxRows *r = arg;
    cs_copy_free(&r->tasks);
    cs_copy_free(&r->notes);
    free(r);
}

static void rowsDone(void *arg) { (void)arg; } /* the registration that owns the rows */

static int rowsFlush(void *arg, cs_batch *b, char *err, size_t errlen) {
    fxRows *r = arg;
    PGconn *pg = cs_batch_pg(b);
    if (r->tasks.rows && cs_copy_send(pg, sqlCopyTasks, &r->tasks, err, errlen) != 0) return -1;
    if (r->notes.rows && cs_copy_send(pg, sqlCopyNotes, &r->notes, err, errlen) != 0) return -1;
    cs_copy_reset(&r->tasks);
    cs_copy_reset(&r->notes);
    return 0;
}

static fxRows *batchRows(cs_batch *b) {
    fxRows *r = cs_batch_after_commit_arg(b, rowsDone);
    if (!r) {
        r = cs_xcalloc(1, sizeof *r);
        cs_batch_after_commit(b, rowsDone, r, rowsFree);
    }
    if (!cs_batch_before_commit_has(b, rowsFlush)) cs_batch_before_commit(b, rowsFlush, r); /* again after a flush */
    return r;
}

/* ---- records ----------------------------------------------------------------------- */

static const char *enumName(const ProtobufCEnumDescriptor *d, int v) {
    const ProtobufCEnumValue *e = protobuf_c_enum_descriptor_get_value(d, v);
    return e ? e->name : "UNSPECIFIED";
}

/* Queues one record: an envelope around body (of the oneof case bc) for
 * topic, keyed key, with event id id. */
static void emitBody(cs_batch *b, const char *topic, const char *key, const char *id, const char *shop_id,
                     Cs__V1__Envelope__BodyCase bc, void *body) {
    Cs__V1__Envelope env;
    cs__v1__envelope__init(&env);
    env.event_id = (char *)id;
    env.shop_id = (char *)shop_id;
    env.event_ms = cs_batch_now(b);
    env.ingest_ms = cs_real_ms();
    env.source = (char *)cs_batch_worker(b);
    env.body_case = bc;
    switch (bc) {
        case CS__V1__ENVELOPE__BODY_TASK: env.task = body; break;
        case CS__V1__ENVELOPE__BODY_NOTIFICATION: env.notification = body; break;
        case CS__V1__ENVELOPE__BODY_FINANCE: env.finance = body; break;
        case CS__V1__ENVELOPE__BODY_SLA_BREACH: env.sla_breach = body; break;
        case CS__V1__ENVELOPE__BODY_FOLLOW_UP_CANCEL: env.follow_up_cancel = body; break;
        default: abort(); /* a programming error: effects have these five */
    }
    cs_batch_emit(b, topic, key, &env);
}

static void recordKey(char *key, size_t len, const cs_fx_target *t) {
    snprintf(key, len, "%s:%s", t->shop_id, cs_str(t->order_id));
}

/* An output's key and its event id "<trigger>/<what>/<idx>/<name>". */
static void outputIds(char *key, char *id, const cs_fx_target *t, const char *what, int idx, const char *name) {
    char suffix[128];
    metricsEnsure();
    recordKey(key, FX_KEY_LEN, t);
    snprintf(suffix, sizeof suffix, "%s/%d/%s", what, idx, name);
    cs_event_id_derive(id, FX_ID_LEN, t->trigger, suffix);
}

void cs_fx_apply_task(cs_batch *b, const cs_fx_target *t, int idx, const cs_task *k) {
    char id[FX_ID_LEN], key[FX_KEY_LEN];
    outputIds(key, id, t, "task", idx, k->rule);
    int64_t now = cs_batch_now(b);
    const char *shift = k->shift;
    if (!shift) { /* SH-1 */
        const cs_shift *sh = t->shop ? cs_shift_for_task(t->shop, k->queue_at_ms ? k->queue_at_ms : now) : NULL;
        shift = sh ? sh->name : "";
    }
    Cs__V1__AgentTask task;
    cs__v1__agent_task__init(&task);
    task.task_id = id;
    task.order_id = (char *)cs_str(t->order_id);
    task.kind = k->kind;
    task.rule = (char *)k->rule;
    task.summary = (char *)k->summary;
    task.shift = (char *)shift;
    task.urgent = k->urgent;
    task.due_ms = k->due_ms;
    /* RF-1: a case's task goes to its owner unless it is the supervisor's */
    const char *assignee = k->assignee ? k->assignee : k->owner[0] ? k->owner : NULL;
    task.assignee = (char *)cs_str(assignee);
    task.top_of_queue = k->top_of_queue;
    task.queue_at_ms = k->queue_at_ms;
    task.queue = (char *)cs_str(k->queue);
    emitBody(b, CS_TOPIC_TASKS, key, id, t->shop_id, CS__V1__ENVELOPE__BODY_TASK, &task);

    cs_copybuf *c = &batchRows(b)->tasks;
    cs_copy_text(c, t->shop_id);
    cs_copy_text(c, id);
    cs_copy_text(c, cs_str(t->order_id));
    cs_copy_text(c, enumName(&cs__v1__task_kind__descriptor, (int)k->kind));
    cs_copy_text(c, k->rule);
    cs_copy_text(c, k->summary);
    cs_copy_text(c, shift);
    cs_copy_bool(c, k->urgent);
    if (k->due_ms)
        cs_copy_int(c, k->due_ms);
    else
        cs_copy_null(c);
    cs_copy_int(c, now);
    cs_copy_text(c, assignee);
    cs_copy_bool(c, k->top_of_queue);
    if (k->queue_at_ms)
        cs_copy_int(c, k->queue_at_ms);
    else
        cs_copy_null(c);
    cs_copy_text(c, k->queue);
    cs_copy_end_row(c);
    cs_metric_add(fxMetrics.tasks, 1);
}

void cs_fx_apply_note(cs_batch *b, const cs_fx_target *t, int idx, const cs_note *n) {
    if (!n->template_id || !n->rule) { /* a rule that decided "nothing to say" (OV-14) */
        cs_log_warn("%s: a notification request of %s without a template was not made", cs_batch_worker(b),
                    cs_str(t->trigger));
        return;
    }
    char id[FX_ID_LEN], key[FX_KEY_LEN];
    outputIds(key, id, t, "note", idx, n->template_id);
    Cs__V1__NotificationRequest req;
    cs__v1__notification_request__init(&req);
    req.idempotency_key = id; /* NT-1: fixed here, at request time, from the input's id */
    req.order_id = (char *)cs_str(t->order_id);
    req.to = (char *)cs_str(n->to == CS_TO_IM ? t->buyer_id : t->phone);
    req.channel = n->channel;
    req.class_ = n->klass;
    req.template_ = (char *)n->template_id;
    req.rule = (char *)n->rule;
    req.case_id = (char *)(n->about_case ? cs_str(t->subject) : "");
    req.expires_ms = n->expires_ms;
    req.not_before_ms = n->not_before_ms;
    /* RF-8: the notifier sends it again by SMS if the IM is refused */
    req.fallback_sms_to = (char *)(n->sms_fallback && n->to == CS_TO_IM ? cs_str(t->phone) : "");
    Cs__V1__NotificationRequest__ParamsEntry entries[CS_FX_MAX_PARAMS], *ptrs[CS_FX_MAX_PARAMS];
    req.n_params = 0;
    for (int i = 0; i < n->nparams && i < CS_FX_MAX_PARAMS; i++) {
        cs__v1__notification_request__params_entry__init(&entries[i]);
        entries[i].key = (char *)n->param_keys[i];
        entries[i].value = (char *)n->param_vals[i];
        ptrs[req.n_params++] = &entries[i];
    }
    req.params = ptrs;
    emitBody(b, CS_TOPIC_NOTIFICATIONS, key, id, t->shop_id, CS__V1__ENVELOPE__BODY_NOTIFICATION, &req);

    cs_copybuf *c = &batchRows(b)->notes;
    cs_copy_text(c, t->shop_id);
    cs_copy_text(c, id);
    cs_copy_text(c, cs_str(t->order_id));
    cs_copy_text(c, n->rule);
    cs_copy_text(c, n->template_id);
    cs_copy_text(c, enumName(&cs__v1__message_channel__descriptor, (int)n->channel));
    cs_copy_text(c, enumName(&cs__v1__message_class__descriptor, (int)n->klass));
    cs_copy_int(c, cs_batch_now(b));
    cs_copy_end_row(c);
    cs_metric_add(fxMetrics.notes, 1);
}

static int emitFinance(cs_batch *b, const cs_fx_target *t, int idx, const cs_finance *f, char *err, size_t errlen) {
    char id[FX_ID_LEN], key[FX_KEY_LEN];
    outputIds(key, id, t, "finance", idx, f->kind);
    Cs__V1__FinanceRequest req;
    cs__v1__finance_request__init(&req);
    req.request_id = id;
    req.order_id = (char *)cs_str(t->order_id);
    req.kind = (char *)f->kind;
    req.amount_fen = f->amount_fen;
    req.buyer_id = (char *)cs_str(t->buyer_id);
    req.reason = (char *)f->reason;
    req.rule = (char *)f->rule;
    req.agent = (char *)f->agent;
    req.refund_account = (char *)f->account;
    emitBody(b, CS_TOPIC_FINANCE, key, id, t->shop_id, CS__V1__ENVELOPE__BODY_FINANCE, &req);

    char amount[24], now[24];
    snprintf(amount, sizeof amount, "%" PRId64, f->amount_fen);
    snprintf(now, sizeof now, "%" PRId64, cs_batch_now(b));
    /* RF-7: the row carries what the record does (agent, buyer, account) */
    const char *p[] = {t->shop_id, id,       cs_str(t->order_id), f->kind,   amount, f->rule, f->reason,
                       now,        f->agent, cs_str(t->buyer_id), f->account};
    if (cs_pg_exec(cs_batch_pg(b),
                   "INSERT INTO finance_requests (shop_id, request_id, order_id, kind, amount_fen, rule, reason, "
                   "created_ms, agent, buyer_id, refund_account) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) "
                   "ON CONFLICT DO NOTHING",
                   11, p, NULL, err, errlen) != 0)
        return -1;
    cs_metric_add(fxMetrics.finance, 1);
    return 0;
}

static int emitBreach(cs_batch *b, const cs_fx_target *t, const char *key, int idx, const cs_breach *x, char *err,
                      size_t errlen) {
    char id[FX_ID_LEN], suffix[32];
    if (idx == 0)
        snprintf(suffix, sizeof suffix, "sla");
    else
        snprintf(suffix, sizeof suffix, "sla/%d", idx);
    cs_event_id_derive(id, sizeof id, t->trigger, suffix);
    const char *subject_id = x->subject_id[0] ? x->subject_id : cs_str(t->subject ? t->subject : t->order_id);
    int64_t now = cs_batch_now(b);
    Cs__V1__SlaBreach sb;
    cs__v1__sla_breach__init(&sb);
    sb.subject = (char *)cs_str(x->subject);
    sb.subject_id = (char *)subject_id;
    sb.order_id = (char *)cs_str(t->order_id);
    sb.rule = (char *)x->rule;
    sb.deadline_ms = x->deadline_ms;
    sb.breached_ms = now;
    sb.detail = (char *)x->detail;
    emitBody(b, CS_TOPIC_SLA, key, id, t->shop_id, CS__V1__ENVELOPE__BODY_SLA_BREACH, &sb);
    char dl[24], nowb[24];
    snprintf(dl, sizeof dl, "%" PRId64, x->deadline_ms);
    snprintf(nowb, sizeof nowb, "%" PRId64, now);
    const char *p[] = {t->shop_id, cs_str(x->subject), subject_id, cs_str(t->order_id), x->rule, dl, nowb, x->detail};
    if (cs_pg_exec(cs_batch_pg(b),
                   "INSERT INTO sla_breaches (shop_id, subject, subject_id, order_id, rule, deadline_ms, breached_ms, "
                   "detail) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING",
                   8, p, NULL, err, errlen) != 0)
        return -1;
    breachCounted(x->rule);
    cs_log_info("SLA breach %s %s %s:%s (%s)", x->rule, cs_str(x->subject), t->shop_id, subject_id, x->detail);
    return 0;
}

/* Closes tasks now: the rows queued so far go first, so that a task raised
 * earlier in the batch is closed with the rest. */
static int closeTasks(cs_batch *b, const cs_fx_target *t, const cs_task_close *k, char *err, size_t errlen) {
    fxRows *r = cs_batch_after_commit_arg(b, rowsDone);
    if (r && rowsFlush(r, b, err, errlen) != 0) return -1;
    char now[24];
    snprintf(now, sizeof now, "%" PRId64, cs_batch_now(b));
    PGconn *pg = cs_batch_pg(b);
    if (k->task_id) {
        const char *p[] = {t->shop_id, k->task_id, now, k->rule_prefix ? k->rule_prefix : ""};
        return cs_pg_exec(pg,
                          "UPDATE tasks SET closed_ms = $3 WHERE shop_id = $1 AND task_id = $2 "
                          "AND closed_ms IS NULL AND starts_with(rule, $4)",
                          4, p, NULL, err, errlen);
    }
    cs_copybuf arr = {0};
    size_t n = 0;
    while (k->rules && k->rules[n]) n++;
    cs_pg_text_array(&arr, k->rules, n);
    const char *p[] = {t->shop_id, cs_str(t->order_id), now, arr.data, k->rule_prefix ? k->rule_prefix : NULL};
    int rc = cs_pg_exec(pg,
                        "UPDATE tasks SET closed_ms = $3 WHERE shop_id = $1 AND order_id = $2 "
                        "AND closed_ms IS NULL AND (rule = ANY($4::text[]) OR starts_with(rule, $5))",
                        5, p, NULL, err, errlen);
    cs_copy_free(&arr);
    return rc;
}

/* ---- the call ------------------------------------------------------------------------- */

cs_fx_target cs_fx_target_of(const cs_event *ev, const cs_order_facts *o, const char *subject) {
    return (cs_fx_target){
        .shop = ev->shop,
        .shop_id = ev->env->shop_id,
        .order_id = o && o->order_id ? o->order_id : "",
        .buyer_id = o ? o->buyer_id : NULL,
        .phone = o ? o->phone : NULL,
        .trigger = ev->env->event_id,
        .subject = subject,
    };
}

int cs_fx_apply(cs_batch *b, const cs_fx_target *t, const cs_effects *fx, char *err, size_t errlen) {
    metricsEnsure();
    if (fx->dropped)
        cs_log_error("%s: %d effects of %s did not fit their arrays and were dropped", cs_batch_worker(b), fx->dropped,
                     cs_str(t->trigger));
    char key[FX_KEY_LEN];
    recordKey(key, sizeof key, t);
    for (int i = 0; i < fx->ncloses; i++)
        if (closeTasks(b, t, &fx->closes[i], err, errlen) != 0) return -1;
    for (int i = 0; i < fx->ntasks; i++) cs_fx_apply_task(b, t, i, &fx->tasks[i]);
    for (int i = 0; i < fx->nnotes; i++) cs_fx_apply_note(b, t, i, &fx->notes[i]);
    for (int i = 0; i < fx->nfinance; i++)
        if (emitFinance(b, t, i, &fx->finance[i], err, errlen) != 0) return -1;
    for (int i = 0; i < fx->nbreaches; i++)
        if (emitBreach(b, t, key, i, &fx->breaches[i], err, errlen) != 0) return -1;
    if (fx->followup_cancel) { /* RV-5: after this decision's own notes, on their partition (the order key) */
        char id[FX_ID_LEN];
        outputIds(key, id, t, "cancel", 0, "follow_ups");
        Cs__V1__FollowUpCancel c;
        cs__v1__follow_up_cancel__init(&c);
        c.case_id = (char *)cs_str(t->subject ? t->subject : t->order_id);
        c.order_id = (char *)cs_str(t->order_id);
        c.reason = (char *)fx->followup_cancel;
        c.rule = (char *)"RV-5";
        emitBody(b, CS_TOPIC_NOTIFICATIONS, key, id, t->shop_id, CS__V1__ENVELOPE__BODY_FOLLOW_UP_CANCEL, &c);
    }

    /* timers: cancels first, so that "cancel all, arm the next" moves on */
    const char *dflt = cs_str(t->subject ? t->subject : t->order_id);
    char tid[FX_KEY_LEN], skey[FX_KEY_LEN];
    for (int i = 0; i < fx->ncancels; i++) {
        const cs_timer_cancel_fx *c = &fx->cancels[i];
        const char *subject = c->subject[0] ? c->subject : dflt;
        if (!c->kind) {
            snprintf(skey, sizeof skey, "%s:%s", t->shop_id, subject);
            if (cs_timer_cancel_subject(b, skey, err, errlen) != 0) return -1;
            continue;
        }
        cs_fx_timer_id(tid, sizeof tid, c->kind, t->shop_id, subject);
        if (cs_timer_cancel(b, tid, err, errlen) != 0) return -1;
    }
    for (int i = 0; i < fx->ntimers; i++) {
        const cs_timer_arm *a = &fx->timers[i];
        const char *subject = a->subject[0] ? a->subject : dflt;
        cs_fx_timer_id(tid, sizeof tid, a->kind, t->shop_id, subject);
        cs_timer_spec spec = {.kind = a->kind,
                              .order_key = key,
                              .timer_id = tid,
                              .due_ms = a->due_ms,
                              .payload = subject,
                              .payload_len = strlen(subject),
                              .keep_pending = a->keep_pending};
        if (!t->order_id || !t->order_id[0]) {
            snprintf(skey, sizeof skey, "%s:%s", t->shop_id, subject);
            spec.order_key = skey;
        }
        if (cs_timer_schedule(b, &spec, err, errlen) != 0) return -1;
    }
    return 0;
}
