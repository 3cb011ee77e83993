/* refunds.c -- the refund-notifier's wiring (see refunds.h): its routes,
 * the case it loads and saves, and nothing else.
 *
 * Per case event: the runtime has validated it and holds the order's
 * advisory lock (the key "<shop>:<order>" is also the one its timers
 * carry, so an event and a firing of one case never interleave). The
 * handler loads the stored case (cs/casestore.h) and the verifier's order
 * facts (cs/readmodel.h), asks rf_case_event() what the event means, saves
 * rf_case_after(), hands the effects to cs_fx_apply() with the case as
 * their subject, and puts an RF-9 / RF-13 verdict on cs.decisions.v1 (and
 * its row in decisions).
 * Every output id derives from the input event's, so a replay emits the
 * same ids; RF-1 (position) and RF-7 (refunded_ms) keep a redelivered or
 * repeated event from deciding twice. A case entering PLATFORM_INTERVENED
 * is counted among its shop's disputes of the month (table disputes,
 * migration 0014) just before the batch commits, under the shop's lock
 * (countDisputes), and rf11_dispute_month() decides on the count. A fired
 * timer decides again from the stored case (rf_on_timer). */
#include "refunds.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "cs/apply.h"
#include "cs/casestore.h"
#include "cs/log.h"
#include "cs/metrics.h"
#include "cs/pg.h"
#include "cs/readmodel.h"
#include "cs/routes.h"
#include "cs/topics.h"
#include "cs/util.h"

static cs_metric *mDecisions, *mDisputes, *mDisputeAlerts, *mCampaignBars;

/* ---- the stored form ---------------------------------------------------------------- */

static const char *orNull(const char *s) { return s && s[0] ? s : NULL; }
static char *orEmpty(const char *s) { return (char *)(s ? s : ""); }

void rf_case_from_state(rf_case *c, const Cs__V1__RefundCaseState *st) {
    memset(c, 0, sizeof *c);
    if (!st) return;
    *c = (rf_case){.exists = st->exists,
                   .case_id = orNull(st->case_id),
                   .order_id = orNull(st->order_id),
                   .sku = orNull(st->sku),
                   .agent = orNull(st->agent),
                   .refund_account = orNull(st->refund_account),
                   .origin_province = orNull(st->origin_province),
                   .type = st->type,
                   .reason = st->reason,
                   .stage = st->stage,
                   .registered_ms = st->registered_ms,
                   .requested_ms = st->requested_ms,
                   .agreed_ms = st->agreed_ms,
                   .refunded_ms = st->refunded_ms,
                   .intervened_ms = st->intervened_ms,
                   .last_event_ms = st->last_event_ms,
                   .last_event_id = orNull(st->last_event_id),
                   .amount_fen = st->amount_fen,
                   .postage_paid_fen = st->postage_paid_fen,
                   .has_photo = st->has_photo,
                   .item_unusable_photo = st->item_unusable_photo,
                   .goods_unused = st->goods_unused,
                   .packaging_complete = st->packaging_complete,
                   .freight_collect = st->freight_collect,
                   .refused_transitions = st->refused_transitions,
                   .refund_fen = st->refund_fen,
                   .postage_fen = st->postage_fen,
                   .postage_ms = st->postage_ms,
                   .remedy = st->remedy,
                   .postage_where = st->postage_where};
}

void rf_case_to_state(const rf_case *c, Cs__V1__RefundCaseState *st) {
    cs__v1__refund_case_state__init(st);
    st->exists = c->exists;
    st->case_id = orEmpty(c->case_id);
    st->order_id = orEmpty(c->order_id);
    st->sku = orEmpty(c->sku);
    st->agent = orEmpty(c->agent);
    st->refund_account = orEmpty(c->refund_account);
    st->origin_province = orEmpty(c->origin_province);
    st->type = c->type;
    st->reason = c->reason;
    st->stage = c->stage;
    st->registered_ms = c->registered_ms;
    st->requested_ms = c->requested_ms;
    st->agreed_ms = c->agreed_ms;
    st->refunded_ms = c->refunded_ms;
    st->intervened_ms = c->intervened_ms;
    st->last_event_ms = c->last_event_ms;
    st->last_event_id = orEmpty(c->last_event_id);
    st->amount_fen = c->amount_fen;
    st->postage_paid_fen = c->postage_paid_fen;
    st->has_photo = c->has_photo;
    st->item_unusable_photo = c->item_unusable_photo;
    st->goods_unused = c->goods_unused;
    st->packaging_complete = c->packaging_complete;
    st->freight_collect = c->freight_collect;
    st->refused_transitions = c->refused_transitions;
    st->refund_fen = c->refund_fen;
    st->postage_fen = c->postage_fen;
    st->postage_ms = c->postage_ms;
    st->remedy = c->remedy;
    st->postage_where = c->postage_where;
}

/* ---- loads and saves ------------------------------------------------------------------ */

/* The stored case (shop, case id) into *c; *st owns its strings (free
 * with cs__v1__refund_case_state__free_unpacked when not NULL). */
static int loadCase(cs_batch *b, const char *shop, const char *case_id, rf_case *c, Cs__V1__RefundCaseState **st,
                    char *err, size_t errlen) {
    cs_case_doc doc;
    *st = NULL;
    if (cs_case_load(b, shop, CS_CASE_AFTERSALES, case_id, &doc, err, errlen) != 0) return -1;
    if (doc.doc) {
        *st = cs__v1__refund_case_state__unpack(NULL, doc.len, doc.doc);
        if (!*st) { /* not ours to repair here: the batch fails, loudly */
            snprintf(err, errlen, "case %s:%s: stored state does not decode", shop, case_id);
            cs_case_doc_free(&doc);
            return -1;
        }
    }
    cs_case_doc_free(&doc);
    rf_case_from_state(c, *st);
    return 0;
}

static int saveCase(cs_batch *b, const char *shop, const rf_case *c, char *err, size_t errlen) {
    Cs__V1__RefundCaseState st;
    rf_case_to_state(c, &st);
    size_t len = cs__v1__refund_case_state__get_packed_size(&st);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) abort(); /* out of memory */
    cs__v1__refund_case_state__pack(&st, buf);
    cs_case_cols cols = {.order_id = c->order_id,
                         .stage = rf_stage_name(c->stage),
                         .opened_ms = c->registered_ms,
                         .closed_ms = c->stage == CS__V1__CASE_STAGE__CASE_STAGE_CLOSED ? c->last_event_ms : 0};
    int rc = cs_case_save(b, shop, CS_CASE_AFTERSALES, c->case_id, &cols, buf, len, err, errlen);
    free(buf);
    return rc;
}

/* RF-9 / RF-13: d's verdict on cs.decisions.v1, id "<trigger>/decision",
 * and its row in decisions (migration 0013) in the same transaction: the
 * record is for the platform connector, the row for operators (cscli
 * decisions list, cases show). The id is the primary key, so a replayed
 * trigger, which emits the same id, inserts nothing. 0, or -1 with err. */
static int emitDecision(cs_batch *b, const cs_event *ev, const rf_case *c, const rf_platform_decision *pd, char *err,
                        size_t errlen) {
    char id[256], key[512];
    cs_event_id_derive(id, sizeof id, ev->env->event_id, "decision");
    snprintf(key, sizeof key, "%s:%s", ev->env->shop_id, cs_str(c->order_id));
    Cs__V1__Decision dec = CS__V1__DECISION__INIT;
    dec.case_id = orEmpty(c->case_id);
    dec.order_id = orEmpty(c->order_id);
    bool agree = pd->verdict == RF_VERDICT_AGREE;
    dec.verdict =
        agree ? CS__V1__DECISION_VERDICT__DECISION_VERDICT_AGREE : CS__V1__DECISION_VERDICT__DECISION_VERDICT_REFUSE;
    dec.amount_fen = pd->amount_fen;
    dec.reason = orEmpty(pd->reason);
    dec.rule = orEmpty(pd->rule);
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.event_id = id;
    env.shop_id = ev->env->shop_id;
    env.event_ms = cs_batch_now(b);
    env.source = (char *)cs_batch_worker(b);
    env.body_case = CS__V1__ENVELOPE__BODY_DECISION;
    env.decision = &dec;
    cs_batch_emit(b, CS_TOPIC_DECISIONS, key, &env);

    char amount[24], now[24];
    snprintf(amount, sizeof amount, "%" PRId64, pd->amount_fen);
    snprintf(now, sizeof now, "%" PRId64, env.event_ms);
    const char *p[] = {ev->env->shop_id, id,       dec.case_id, orNull(c->order_id), agree ? "AGREE" : "REFUSE", amount,
                       dec.reason,       dec.rule, now};
    if (cs_pg_exec(cs_batch_pg(b),
                   "INSERT INTO decisions (shop_id, decision_id, case_id, order_id, verdict, amount_fen, reason, rule, "
                   "decided_ms) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT DO NOTHING",
                   9, p, NULL, err, errlen) != 0)
        return -1;
    cs_metric_add(mDecisions, 1);
    return 0;
}

/* RF-11: a case that entered PLATFORM_INTERVENED in this batch, counted
 * just before the batch commits (countDisputes). */
typedef struct rfDispute {
    const cs_shop *shop;
    char *shop_id, *case_id, *order_id, *buyer_id, *phone, *trigger, *subject; /* owned */
    int64_t at;                                                                 /* the intervention */
    char month[24]; /* rf11_month_start_ms of it, decimal: the counter's and the lock's key */
    int task_idx; /* the alert's task index: after its decision's own tasks */
    size_t seq;   /* batch order */
} rfDispute;

typedef struct rfDisputes {
    rfDispute *v;
    size_t n, cap;
} rfDisputes;

static void disputesFree(void *arg) {
    rfDisputes *q = arg;
    for (size_t i = 0; i < q->n; i++) {
        rfDispute *x = &q->v[i];
        char *owned[] = {x->shop_id, x->case_id, x->order_id, x->buyer_id, x->phone, x->trigger, x->subject};
        for (size_t k = 0; k < sizeof owned / sizeof *owned; k++) free(owned[k]);
    }
    free(q->v);
    free(q);
}

/* Nothing to do after the commit: registered for its free_arg, which runs
 * whether the batch committed or not (a retried batch queues again). */
static void disputesDone(void *arg) { (void)arg; }

static char *dupOrNull(const char *s) { return s ? cs_xstrdup(s) : NULL; }

static int byShopThenSeq(const void *a, const void *b) {
    const rfDispute *x = a, *y = b;
    int c = strcmp(x->shop_id, y->shop_id);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* RF-11: counts the batch's disputes, shop by shop, each shop's in batch
 * order, and hands each count to rf11_dispute_month(), whose supervisor
 * tasks are applied with the case's event as their trigger and the index
 * they would have had among its decision's tasks. One statement a
 * dispute: it inserts the case's row in disputes and increments the
 * month's counter in dispute_months together, unless the case is in
 * disputes already (a case re-entering intervention, or the same
 * intervention under another event id, counts once; a replay of the same
 * event never gets here: RF-1 finds it a duplicate). Each dispute gets its
 * own n, and the alert is raised exactly once, because two batches
 * counting one shop's month take turns: the (shop, month) advisory locks,
 * taken here in the kit's one global order (cs_batch_lock_pairs; see
 * migration 0014).
 *
 * Here, just before COMMIT, not before the handlers: held from the first
 * handler to COMMIT, they made the refund-notifier's copies take turns on
 * whole batches (a Double-11 burst has a dispute of the shop in nearly
 * every batch of 1,000 events: 9 s of lock waits in a 12 s burst of
 * 100,000 events); held from here, only for the counting and the commit.
 * Nothing waits for a lock after this hook, so taking these after the
 * batch's order locks cannot close a cycle. 0, or -1 with err. */
static int countDisputes(void *arg, cs_batch *b, char *err, size_t errlen) {
    rfDisputes *q = arg;
    if (q->n == 0) return 0;
    qsort(q->v, q->n, sizeof *q->v, byShopThenSeq);
    const char **shops = cs_xcalloc(q->n, sizeof *shops), **months = cs_xcalloc(q->n, sizeof *months);
    for (size_t i = 0; i < q->n; i++) {
        shops[i] = q->v[i].shop_id;
        months[i] = q->v[i].month;
    }
    int rc = cs_batch_lock_pairs(b, "rf11", shops, months, q->n, err, errlen); /* one (shop, month) at a time */
    free(shops);
    free(months);
    for (size_t i = 0; rc == 0 && i < q->n; i++) {
        rfDispute *x = &q->v[i];
        char p_at[24];
        snprintf(p_at, sizeof p_at, "%" PRId64, x->at);
        const char *p[] = {x->shop_id, x->case_id, x->order_id, x->month, p_at};
        PGresult *r = NULL;
        rc = cs_pg_exec(cs_batch_pg(b),
                        "WITH cnt AS (INSERT INTO dispute_months (shop_id, month_start_ms, n) "
                        "SELECT $1, $4::bigint, 1 WHERE NOT EXISTS "
                        "(SELECT 1 FROM disputes WHERE shop_id = $1 AND case_id = $2) "
                        "ON CONFLICT (shop_id, month_start_ms) DO UPDATE SET n = dispute_months.n + 1 RETURNING n) "
                        "INSERT INTO disputes (shop_id, case_id, order_id, opened_ms, month_start_ms, month_n) "
                        "SELECT $1, $2, $3, $5::bigint, $4::bigint, n FROM cnt RETURNING month_n",
                        5, p, &r, err, errlen);
        if (rc != 0) break;
        int n = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
        PQclear(r);
        if (n <= 0) continue; /* counted before */
        cs_metric_add(mDisputes, 1);
        rf_decision d;
        rf_decision_init(&d);
        if (!rf11_dispute_month(n, x->shop, x->at, &d)) continue;
        if (d.dispute_alert) cs_metric_add(mDisputeAlerts, 1);
        if (d.campaign_barred) cs_metric_add(mCampaignBars, 1);
        cs_log_warn("shop %s: case %s is dispute %d of the month (RF-11 %s)", x->shop_id, x->case_id, n,
                    d.campaign_barred ? "campaign bar" : "alert");
        cs_fx_target t = {.shop = x->shop,
                          .shop_id = x->shop_id,
                          .order_id = x->order_id ? x->order_id : "",
                          .buyer_id = x->buyer_id,
                          .phone = x->phone,
                          .trigger = x->trigger,
                          .subject = x->subject};
        for (int k = 0; k < d.fx.ntasks; k++) cs_fx_apply_task(b, &t, x->task_idx + k, &d.fx.tasks[k]);
    }
    return rc;
}

/* Queues case c, which entered PLATFORM_INTERVENED with event ev, for
 * countDisputes: t is its decision's target, ntasks its decision's task
 * count. */
static void queueDispute(cs_batch *b, const cs_event *ev, const rf_case *c, const cs_fx_target *t, int ntasks) {
    rfDisputes *q = cs_batch_after_commit_arg(b, disputesDone);
    if (!q) {
        q = cs_xcalloc(1, sizeof *q);
        cs_batch_after_commit(b, disputesDone, q, disputesFree);
        cs_batch_before_commit(b, countDisputes, q);
    }
    if (q->n == q->cap) {
        q->cap = q->cap ? 2 * q->cap : 8;
        q->v = cs_xrealloc(q->v, q->cap * sizeof *q->v);
    }
    q->v[q->n] = (rfDispute){.shop = ev->shop,
                             .shop_id = cs_xstrdup(t->shop_id),
                             .case_id = cs_xstrdup(cs_str(c->case_id)),
                             .order_id = dupOrNull(orNull(c->order_id)),
                             .buyer_id = dupOrNull(t->buyer_id),
                             .phone = dupOrNull(t->phone),
                             .trigger = dupOrNull(t->trigger),
                             .subject = dupOrNull(t->subject),
                             .at = c->intervened_ms,
                             .task_idx = ntasks,
                             .seq = q->n};
    snprintf(q->v[q->n].month, sizeof q->v[q->n].month, "%" PRId64, rf11_month_start_ms(ev->shop, c->intervened_ms));
    q->n++;
}

/* ---- handlers -------------------------------------------------------------------------- */

static const Cs__V1__AfterSalesCase *caseOf(const cs_event *ev) {
    const Cs__V1__AfterSalesEvent *a = ev->env->aftersales;
    return a && a->body_case == CS__V1__AFTER_SALES_EVENT__BODY_CASE ? a->case_ : NULL;
}

static bool validCase(const cs_event *ev, char *why, size_t len) {
    const Cs__V1__AfterSalesCase *k = caseOf(ev);
    if (!k) return true; /* complaints and disputes: not this worker's */
    if (k->case_id && k->case_id[0] && k->order_id && k->order_id[0]) return true;
    snprintf(why, len, "after-sales case without case_id or order_id");
    return false;
}

static bool lockCase(const cs_event *ev, char *out, size_t len) {
    const Cs__V1__AfterSalesCase *k = caseOf(ev);
    if (!k) return false;
    snprintf(out, len, "%s:%s", ev->env->shop_id, k->order_id);
    return true;
}

/* RF-7: one refund is asked of finance once. A platform often reports a
 * refund twice, as this case's REFUNDED and as the order's cancellation
 * (Taobao's RefundSuccess and TradeClose; Shopify's refunds/create and
 * orders/cancelled); the exception-handler asks for the cancellation's
 * refund (EX-8) and registers it in `cancellations`. The verifier's order
 * facts may not show the cancellation yet, so the registry is read too:
 * a whole-order cancellation that asked for a refund marks the order
 * cancelled here, and onRefunded() then records the refund without a
 * request. Both workers hold the order's advisory lock while they decide,
 * so the second reads what the first committed (EX-8 takes off what RF-7
 * asked, in the other order). */
static int cancelRefunded(cs_batch *b, const char *shop, const char *order_id, rf_order *o, char *err,
                          size_t errlen) {
    const char *p[] = {shop, order_id};
    PGresult *r = NULL;
    int rc = cs_pg_exec(cs_batch_pg(b),
                        "SELECT min(registered_ms) FROM cancellations WHERE shop_id = $1 AND order_id = $2 "
                        "AND line_ids = '{}' AND refund_fen > 0",
                        2, p, &r, err, errlen);
    if (rc == 0 && !PQgetisnull(r, 0, 0)) o->cancelled_ms = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return rc;
}

static int onCase(void *user, cs_batch *b, cs_event *ev, char *err, size_t errlen) {
    (void)user;
    const Cs__V1__AfterSalesCase *k = caseOf(ev);
    if (!k) return 0;
    const char *shop = ev->env->shop_id;
    rf_case c, after;
    Cs__V1__RefundCaseState *st;
    if (loadCase(b, shop, k->case_id, &c, &st, err, errlen) != 0) return -1;
    cs_order_view ov;
    int rc = cs_order_load(b, shop, k->order_id, &ov, err, errlen);
    if (rc == 0 && k->stage == CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED && !ov.f.cancelled_ms)
        rc = cancelRefunded(b, shop, k->order_id, &ov.f, err, errlen);
    /* RF-7's buyer nick and RF-8's IM handle: the order's buyer, or the
     * case's own (an after-sales event for an order the verifier has not
     * stored yet, or stored without a buyer) */
    if (rc == 0 && (!ov.f.buyer_id || !ov.f.buyer_id[0]) && k->buyer_id && k->buyer_id[0]) ov.f.buyer_id = k->buyer_id;
    if (rc == 0) {
        rf_event e = {.c = k,
                      .event_id = ev->env->event_id,
                      .event_ms = ev->env->event_ms,
                      .postage_paid_fen = k->postage_paid_fen,
                      .origin_province = orNull(k->origin_province),
                      .supplier_exchanges = k->supplier_exchanges};
        rf_decision d;
        rf_decision_init(&d);
        rf_case_event(&c, &e, &ov.f, ev->shop, cs_batch_now(b), &d);
        rf_case_after(&c, &e, &d, &after);
        if (!d.duplicate && after.exists) rc = saveCase(b, shop, &after, err, errlen);
        cs_fx_target t = cs_fx_target_of(ev, &ov.f, after.case_id ? after.case_id : k->case_id);
        if (rc == 0 && d.dispute_opened && after.exists) queueDispute(b, ev, &after, &t, d.fx.ntasks); /* RF-11 */
        if (rc == 0) rc = cs_fx_apply(b, &t, &d.fx, err, errlen);
        if (rc == 0 && d.decision.verdict != RF_VERDICT_NONE)
            rc = emitDecision(b, ev, &after, &d.decision, err, errlen);
        if (rc == 0 && d.refused_transition)
            cs_log_warn("case %s:%s: %s -> %s refused (RF-1)", shop, k->case_id, rf_stage_name(d.refused_from),
                        rf_stage_name(d.refused_to));
        cs_order_view_free(&ov);
    }
    if (st) cs__v1__refund_case_state__free_unpacked(st, NULL);
    return rc;
}

/* RF-2 / RF-11: a fired timer of the case `subject`. */
static int onTimer(void *user, cs_batch *b, cs_event *ev, const char *subject, char *err, size_t errlen) {
    (void)user;
    const char *shop = ev->env->shop_id;
    rf_case c;
    Cs__V1__RefundCaseState *st;
    if (loadCase(b, shop, subject, &c, &st, err, errlen) != 0) return -1;
    int rc = 0;
    if (c.exists) {
        cs_order_view ov;
        rc = cs_order_load(b, shop, cs_str(c.order_id), &ov, err, errlen);
        if (rc == 0) {
            rf_decision d;
            rf_decision_init(&d);
            if (rf_on_timer(ev->env->timer->kind, &c, &ov.f, ev->shop, cs_batch_now(b), &d)) {
                cs_fx_target t = cs_fx_target_of(ev, &ov.f, subject);
                rc = cs_fx_apply(b, &t, &d.fx, err, errlen);
            }
            cs_order_view_free(&ov);
        }
    }
    if (st) cs__v1__refund_case_state__free_unpacked(st, NULL);
    return rc;
}

/* The batch's cases in one read (the case events' and the timers'). */
static const char *caseIdOf(const cs_event *ev) {
    const Cs__V1__AfterSalesCase *k = ev->env->body_case == CS__V1__ENVELOPE__BODY_AFTERSALES ? caseOf(ev) : NULL;
    return k ? k->case_id : NULL;
}

/* ... and their orders: a case event's, a timer's order key
 * ("<shop>:<order>"). */
static int rfPrepare(void *user, cs_batch *b, char *err, size_t errlen) {
    (void)user;
    if (cs_case_prefetch_batch(b, CS_CASE_AFTERSALES, caseIdOf, err, errlen) != 0) return -1;
    size_t n = cs_batch_count(b), m = 0;
    const char **shops = cs_xcalloc(n ? n : 1, sizeof *shops), **orders = cs_xcalloc(n ? n : 1, sizeof *orders);
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(b, i);
        if (ev->poison) continue;
        const Cs__V1__AfterSalesCase *k = ev->env->body_case == CS__V1__ENVELOPE__BODY_AFTERSALES ? caseOf(ev) : NULL;
        const char *order = k ? k->order_id : NULL;
        if (!k && ev->env->body_case == CS__V1__ENVELOPE__BODY_TIMER && ev->env->timer->order_key) {
            const char *colon = strchr(ev->env->timer->order_key, ':');
            order = colon ? colon + 1 : NULL;
        }
        if (!order || !order[0]) continue;
        shops[m] = ev->env->shop_id;
        orders[m++] = order;
    }
    int rc = cs_order_prefetch(b, shops, orders, m, err, errlen);
    free(shops);
    free(orders);
    return rc;
}

/* ---- the declaration ------------------------------------------------------------------- */

static int rfInit(void *user, const cs_config *cfg, const cs_shops *shops, char *err, size_t errlen) {
    (void)user, (void)cfg, (void)shops, (void)err, (void)errlen;
    cs_fx_metrics("cs_rf", RF_WORKER_NAME, NULL);
    mDecisions = cs_metric_get(CS_METRIC_COUNTER, "cs_rf_decisions_total",
                               "Case decisions put on cs.decisions.v1 (RF-9, RF-13)", NULL);
    mDisputes = cs_metric_get(CS_METRIC_COUNTER, "cs_rf_disputes_total",
                              "After-sales cases counted as a dispute of their shop's month (RF-11)", NULL);
    mDisputeAlerts =
        cs_metric_get(CS_METRIC_COUNTER, "cs_rf_dispute_alerts_total",
                      "RF-11 alerts: a shop's dispute_alert_at-th dispute of a month (default the 4th)", NULL);
    mCampaignBars = cs_metric_get(CS_METRIC_COUNTER, "cs_rf_campaign_bars_total",
                                  "RF-11 bars: a shop past dispute_month_limit disputes in a month", NULL);
    return 0;
}

static const cs_route rfRoutes[] = {
    {CS_TOPIC_AFTERSALES, CS__V1__ENVELOPE__BODY_AFTERSALES, validCase, lockCase, onCase},
    {0},
};

static const cs_timer_route rfTimerRoutes[] = {
    {RF_TIMER_SHIP_RETURN, onTimer},
    {RF_TIMER_RESOLVE, onTimer},
    {RF_TIMER_ESCALATE, onTimer},
    {RF_TIMER_EVIDENCE, onTimer},
    {0},
};

static const cs_worker_def rfDef = {
    .name = RF_WORKER_NAME,
    .routes = rfRoutes,
    .timer_routes = rfTimerRoutes,
    .prepare = rfPrepare,
    .init = rfInit,
};

const cs_worker_def *rf_worker_def(void) { return &rfDef; }
