/* exceptions.c -- the exception-handler's wiring (see exceptions.h): its
 * routes, what each one loads and saves, and nothing else.
 *
 * The runtime (cs/routes.h) validates each event against its route, takes
 * an advisory lock per order the batch touches (the same order's verdicts,
 * contacts, after-sales events and timers arrive on different topics and
 * may be handled by two copies at once; the rules read-then-write the
 * order's exception: one open per order, one EX-4 message, one
 * escalation), and passes a fired timer on only while it is live. A
 * handler reads its subject (the order's open exception, the verifier's
 * order through the shared read model, the complaint, the buyer's counts),
 * calls the pure rules of rules/, saves the state change and hands the
 * rule's effects to cs_fx_apply() (tasks, notification requests, finance
 * requests, SLA breaches, timers), all in the batch transaction. Outbound
 * ids derive from the input event's id, so a replayed batch emits the same
 * ids and a notification's idempotency key is the same on every replay
 * (NT-1). Nothing is kept between batches.
 *
 * The volumes are small next to the verifier's (exceptions are a few per
 * cent of orders), so each event is a handful of single-row statements;
 * the batch still commits once. */
#include "exceptions.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/apply.h"
#include "cs/log.h"
#include "cs/metrics.h"
#include "cs/pg.h"
#include "cs/readmodel.h"
#include "cs/topics.h"
#include "cs/util.h"
#include "ex_rules.h"

#define EX_ID_LEN 256

static cs_metric *mOpened, *mClosed, *mVip;

/* The open (or given) exception row of an order. */
typedef struct exRow {
    bool found;
    char id[EX_ID_LEN];
    char order_id[EX_ID_LEN];
    ex_exception x;
} exRow;

/* A statement with text parameters; PGresult to *res if res. */
static int sql(cs_batch *b, const char *q, int n, const char *const *p, PGresult **res, char *err, size_t errlen) {
    return cs_pg_exec(cs_batch_pg(b), q, n, p, res, err, errlen);
}

static int64_t colInt(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Decimal text of v in one of the caller's buffers. */
#define I64(buf, v) (snprintf(buf, sizeof buf, "%" PRId64, (int64_t)(v)), buf)

/* ---- loads and saves --------------------------------------------------------- */

/* The order's open exception (by_id NULL) or exception by_id. */
static int loadException(cs_batch *b, const char *shop, const char *order_id, const char *by_id, exRow *row, char *err,
                         size_t errlen) {
    const char *p[] = {shop, by_id ? by_id : order_id};
    PGresult *r;
    memset(row, 0, sizeof *row);
    if (sql(b,
            by_id ? "SELECT exception_id, order_id, opened_ms, escalated_ms, breached_ms, written_sent_ms, closed_ms "
                    "FROM exceptions WHERE shop_id = $1 AND exception_id = $2"
                  : "SELECT exception_id, order_id, opened_ms, escalated_ms, breached_ms, written_sent_ms, closed_ms "
                    "FROM exceptions WHERE shop_id = $1 AND order_id = $2 AND closed_ms IS NULL",
            2, p, &r, err, errlen) != 0)
        return -1;
    if (PQntuples(r) == 1) {
        row->found = row->x.exists = true;
        cs_strlcpy(row->id, PQgetvalue(r, 0, 0), sizeof row->id);
        cs_strlcpy(row->order_id, PQgetvalue(r, 0, 1), sizeof row->order_id);
        row->x.opened_ms = colInt(r, 0, 2);
        row->x.escalated_ms = colInt(r, 0, 3);
        row->x.breached_ms = colInt(r, 0, 4);
        row->x.written_sent = !PQgetisnull(r, 0, 5);
        row->x.open = PQgetisnull(r, 0, 6);
    }
    PQclear(r);
    return 0;
}

/* Saves what d changed on the exception row (closed, escalated, breached,
 * requeued, written message sent). */
static int saveException(cs_batch *b, const char *shop, const exRow *row, const ex_decision *d, bool requeued,
                         char *err, size_t errlen) {
    bool requeue = requeued && !d->escalated && !d->breach;
    if (!row->found || !(d->close || d->escalated || d->breach || requeue || d->written_sent)) return 0;
    char now[24];
    const char *p[] = {shop,
                       row->id,
                       I64(now, cs_batch_now(b)),
                       d->close ? "t" : "f",
                       d->escalated ? "t" : "f",
                       d->breach ? "t" : "f",
                       requeue ? "t" : "f",
                       d->written_sent ? "t" : "f",
                       d->close_reason ? d->close_reason : ""};
    int rc = sql(b,
                 "UPDATE exceptions SET "
                 "closed_ms = CASE WHEN $4 AND closed_ms IS NULL THEN $3::bigint ELSE closed_ms END, "
                 "close_reason = CASE WHEN $4 AND closed_ms IS NULL THEN $9 ELSE close_reason END, "
                 "escalated_ms = CASE WHEN $5 THEN $3::bigint ELSE escalated_ms END, "
                 "breached_ms = CASE WHEN $6 THEN $3::bigint ELSE breached_ms END, "
                 "requeued_ms = CASE WHEN $7 THEN $3::bigint ELSE requeued_ms END, "
                 "written_sent_ms = CASE WHEN $8 THEN $3::bigint ELSE written_sent_ms END "
                 "WHERE shop_id = $1 AND exception_id = $2",
                 9, p, NULL, err, errlen);
    if (rc == 0 && d->close && row->x.open) cs_metric_add(mClosed, 1);
    return rc;
}

static int loadComplaint(cs_batch *b, const char *shop, const char *id, ex_complaint *k, char *order_id, size_t olen,
                         char *err, size_t errlen) {
    memset(k, 0, sizeof *k);
    const char *p[] = {shop, id};
    PGresult *r;
    if (sql(b,
            "SELECT level, opened_ms, deadline_ms, met_ms, breached_ms, closed_ms, order_id FROM complaints "
            "WHERE shop_id = $1 AND complaint_id = $2",
            2, p, &r, err, errlen) != 0)
        return -1;
    if (PQntuples(r) == 1) {
        *k = (ex_complaint){true,
                            (Cs__V1__ComplaintLevel)colInt(r, 0, 0),
                            colInt(r, 0, 1),
                            colInt(r, 0, 2),
                            colInt(r, 0, 3),
                            colInt(r, 0, 4),
                            colInt(r, 0, 5)};
        if (order_id) cs_strlcpy(order_id, PQgetvalue(r, 0, 6), olen);
    }
    PQclear(r);
    return 0;
}

/* Applies d's effects for the order, timers on subject (the exception or
 * complaint id; NULL: the order). */
static int apply(cs_batch *b, const cs_event *ev, const ex_order *o, const char *subject, const ex_decision *d,
                 char *err, size_t errlen) {
    cs_fx_target t = cs_fx_target_of(ev, o, subject);
    return cs_fx_apply(b, &t, &d->fx, err, errlen);
}

/* ---- handlers ------------------------------------------------------------------- */

/* Verdicts: an EXCEPTION opens one (one open per order); another state
 * closes it. */
static int onVerdict(void *user, cs_batch *b, cs_event *ev, char *err, size_t errlen) {
    (void)user;
    const Cs__V1__Verdict *v = ev->env->verdict;
    const char *shop = ev->env->shop_id;
    exRow row;
    if (loadException(b, shop, v->order_id, NULL, &row, err, errlen) != 0) return -1;
    ex_decision d;
    ex_decision_init(&d);
    cs_order_view ov = {0};
    if (v->state != CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION) {
        if (!row.found || v->state == CS__V1__VERDICT_STATE__VERDICT_STATE_UNSPECIFIED) return 0;
        const ProtobufCEnumValue *sv =
            protobuf_c_enum_descriptor_get_value(&cs__v1__verdict_state__descriptor, (int)v->state);
        char why[64]; /* lives until saveException below */
        snprintf(why, sizeof why, "order now %s", sv ? sv->name : "UNSPECIFIED");
        ex_close(&d, why);
        int rc = saveException(b, shop, &row, &d, false, err, errlen);
        cs_order_facts_from_state(&ov.f, NULL, v->order_id);
        return rc ? rc : apply(b, ev, &ov.f, row.id, &d, err, errlen);
    }
    char reasons[512];
    ex_reason_list(v, reasons, sizeof reasons);
    if (row.found) { /* still one (a newer version, a restock re-check): its day 1 stays */
        const char *p[] = {shop, row.id, reasons};
        return sql(b, "UPDATE exceptions SET reasons = $3 WHERE shop_id = $1 AND exception_id = $2", 3, p, NULL, err,
                   errlen);
    }
    if (cs_order_load(b, shop, v->order_id, &ov, err, errlen) != 0) return -1;
    int64_t now = cs_batch_now(b);
    ex_plan_open(&ov.f, reasons, v->restock_date_ms, ev->shop, now, &d);
    char xid[EX_ID_LEN], n0[24], day[16], rs[24], req[24], esc[24], br[24];
    cs_event_id_derive(xid, sizeof xid, ev->env->event_id, "exception");
    ex_local_date(ev->shop, now, day, sizeof day);
    int64_t req_ms = -1;
    for (int i = 0; i < d.fx.ntimers; i++)
        if (strcmp(d.fx.timers[i].kind, EX_TIMER_REQUEUE) == 0) req_ms = d.fx.timers[i].due_ms;
    const char *p[] = {shop,
                       xid,
                       v->order_id,
                       reasons,
                       d.plan_rule,
                       I64(n0, now),
                       day,
                       I64(rs, v->restock_date_ms),
                       req_ms >= 0 ? I64(req, req_ms) : NULL,
                       I64(esc, ex6_escalate_ms(ev->shop, now)),
                       I64(br, ex6_breach_ms(ev->shop, now))};
    int rc = sql(b,
                 "INSERT INTO exceptions (shop_id, exception_id, order_id, reasons, plan_rule, opened_ms, local_day, "
                 "restock_date_ms, requeue_due_ms, escalate_due_ms, breach_due_ms) "
                 "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                 11, p, NULL, err, errlen);
    if (rc == 0) rc = apply(b, ev, &ov.f, xid, &d, err, errlen);
    if (rc == 0) {
        cs_metric_add(mOpened, 1);
        cs_log_info("exception opened %s:%s (%s) plan %s", shop, v->order_id, reasons, ex_str(d.plan_rule));
    }
    cs_order_view_free(&ov);
    return rc;
}

/* Orders: shipment and closing end an exception; a cancellation is
 * registered (EX-8). */
static int onOrder(void *user, cs_batch *b, cs_event *ev, char *err, size_t errlen) {
    (void)user;
    const Cs__V1__OrderEvent *oe = ev->env->order;
    const char *shop = ev->env->shop_id, *order_id = oe->order->order_id;
    bool cancelled = oe->kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED;
    if (!cancelled && oe->kind != CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED &&
        oe->kind != CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED)
        return 0; /* other order events change nothing here */
    exRow row;
    if (loadException(b, shop, order_id, NULL, &row, err, errlen) != 0) return -1;
    ex_decision d;
    ex_decision_init(&d);
    cs_order_view ov;
    if (!cancelled) {
        if (!row.found) return 0;
        ex_close(&d, oe->kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED ? "order shipped" : "order closed");
        cs_order_facts_from_state(&ov.f, NULL, order_id);
        int rc = saveException(b, shop, &row, &d, false, err, errlen);
        return rc ? rc : apply(b, ev, &ov.f, row.id, &d, err, errlen);
    }
    if (cs_order_load(b, shop, order_id, &ov, err, errlen) != 0) return -1;
    static const Cs__V1__Cancellation none = CS__V1__CANCELLATION__INIT;
    const Cs__V1__Cancellation *can = oe->cancellation ? oe->cancellation : &none;
    /* what the order's after-sales cases already asked finance to refund
     * (RF-7): under the order's lock, so a request committed by the
     * refund-notifier is seen here, and ours is seen there */
    int64_t refunded = 0;
    {
        const char *p[] = {shop, order_id};
        PGresult *r = NULL;
        if (sql(b,
                "SELECT coalesce(sum(amount_fen), 0) FROM finance_requests "
                "WHERE shop_id = $1 AND order_id = $2 AND kind = 'refund' AND rule = 'RF-7'",
                2, p, &r, err, errlen) != 0) {
            cs_order_view_free(&ov);
            return -1;
        }
        refunded = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    ex8_cancellation(can, ov.st, &ov.f, &row.x, refunded, ev->shop, &d); /* EX-8 */
    char *stockJson = ex8_stock_json(&d);                      /* the registry row: units given back */
    cs_copybuf lines = {0};
    cs_pg_text_array(&lines, (const char *const *)can->line_ids, can->n_line_ids);
    char refund[24], now[24], day[16];
    ex_local_date(ev->shop, cs_batch_now(b), day, sizeof day);
    const char *p[] = {shop,
                       ev->env->event_id,
                       order_id,
                       lines.data ? lines.data : "{}",
                       can->reason && can->reason[0] ? can->reason : "no reason given",
                       I64(refund, d.fx.nfinance ? d.fx.finance[0].amount_fen : 0),
                       stockJson,
                       I64(now, cs_batch_now(b)),
                       day};
    int rc = sql(b,
                 "INSERT INTO cancellations (shop_id, event_id, order_id, line_ids, reason, refund_fen, "
                 "stock_returned, registered_ms, local_day) VALUES ($1,$2,$3,$4::text[],$5,$6,$7::jsonb,$8,$9) "
                 "ON CONFLICT DO NOTHING",
                 9, p, NULL, err, errlen);
    cs_copy_free(&lines);
    free(stockJson);
    if (rc == 0) rc = saveException(b, shop, &row, &d, false, err, errlen);
    if (rc == 0) rc = apply(b, ev, &ov.f, row.found ? row.id : NULL, &d, err, errlen);
    cs_order_view_free(&ov);
    return rc;
}

/* Complaints (EX-9): registered once, the level's action marks it met. */
static int onComplaint(cs_batch *b, cs_event *ev, char *err, size_t errlen) {
    const Cs__V1__Complaint *k = ev->env->aftersales->complaint;
    const char *shop = ev->env->shop_id;
    int64_t now = cs_batch_now(b);
    ex_complaint stored;
    cs_order_view ov;
    if (loadComplaint(b, shop, k->complaint_id, &stored, NULL, 0, err, errlen) != 0 ||
        cs_order_load(b, shop, k->order_id, &ov, err, errlen) != 0)
        return -1;
    const char *buyer = k->buyer_id && k->buyer_id[0] ? k->buyer_id : ov.f.buyer_id;
    if (!ov.f.buyer_id) ov.f.buyer_id = buyer;
    ex_buyer_stats stats = {0};
    int rc = 0;
    char n0[24], c1[24], c2[24], lv[24], op[24], dl[24];
    if (!stored.exists && buyer) { /* EX-9 VIP: complaints in 30 days (this one too), paid in 12 months */
        const char *p[] = {shop, buyer, I64(c1, ex9_vip_complaint_since_ms(ev->shop, now)),
                           I64(c2, ex9_vip_paid_since_ms(ev->shop, now))};
        PGresult *r;
        rc = sql(b,
                 "SELECT (SELECT count(*) FROM complaints WHERE shop_id = $1 AND buyer_id = $2 AND opened_ms > $3), "
                 "(SELECT COALESCE(sum(paid_fen), 0) FROM orders WHERE shop_id = $1 AND buyer_id = $2 "
                 "AND paid_ms > $4 AND cancelled_ms IS NULL)",
                 4, p, &r, err, errlen);
        if (rc == 0) stats = (ex_buyer_stats){(int)colInt(r, 0, 0) + 1, colInt(r, 0, 1)};
        if (rc == 0) PQclear(r);
    }
    ex_decision d;
    ex_decision_init(&d);
    if (rc != 0 || !ex9_complaint(k, &stored, &stats, ev->shop, now, &d)) goto out; /* EX-9 */
    I64(n0, now);
    if (!stored.exists) {
        int64_t opened = k->opened_ms > 0 ? k->opened_ms : now;
        const char *p[] = {shop,
                           k->complaint_id,
                           k->order_id,
                           buyer,
                           I64(lv, k->level),
                           I64(op, opened),
                           I64(dl, ex9_deadline_ms(k->level, opened, ev->shop)),
                           d.complaint_met ? n0 : NULL,
                           k->closed ? n0 : NULL,
                           d.vip ? "t" : "f"};
        rc = sql(b,
                 "INSERT INTO complaints (shop_id, complaint_id, order_id, buyer_id, level, opened_ms, deadline_ms, "
                 "met_ms, closed_ms, vip) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING",
                 10, p, NULL, err, errlen);
        if (rc == 0 && d.vip && buyer) {
            const char *q[] = {shop, buyer, d.vip_reason, n0};
            rc = sql(b,
                     "INSERT INTO buyers (shop_id, buyer_id, vip, vip_reason, vip_since_ms) VALUES ($1,$2,true,$3,$4) "
                     "ON CONFLICT (shop_id, buyer_id) DO UPDATE SET vip_reason = EXCLUDED.vip_reason, "
                     "vip_since_ms = COALESCE(buyers.vip_since_ms, EXCLUDED.vip_since_ms), vip = true",
                     4, q, NULL, err, errlen);
            if (rc == 0) cs_metric_add(mVip, 1);
        }
    } else {
        const char *p[] = {shop, k->complaint_id, n0, k->closed ? "t" : "f"};
        rc = sql(b,
                 "UPDATE complaints SET met_ms = COALESCE(met_ms, $3::bigint), "
                 "closed_ms = CASE WHEN $4::boolean THEN COALESCE(closed_ms, $3::bigint) ELSE closed_ms END "
                 "WHERE shop_id = $1 AND complaint_id = $2",
                 4, p, NULL, err, errlen);
    }
    if (rc == 0) rc = apply(b, ev, &ov.f, k->complaint_id, &d, err, errlen);
out:
    cs_order_view_free(&ov);
    return rc;
}

/* After-sales: Tmall stock-out refunds (EX-7), complaints (EX-9). */
static int onAftersales(void *user, cs_batch *b, cs_event *ev, char *err, size_t errlen) {
    (void)user;
    const Cs__V1__AfterSalesEvent *a = ev->env->aftersales;
    if (a->body_case == CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT) return onComplaint(b, ev, err, errlen);
    if (a->body_case != CS__V1__AFTER_SALES_EVENT__BODY_CASE ||
        a->case_->reason != CS__V1__CASE_REASON__CASE_REASON_OUT_OF_STOCK)
        return 0;
    const Cs__V1__AfterSalesCase *k = a->case_;
    const char *shop = ev->env->shop_id;
    const char *p[] = {shop, k->case_id};
    PGresult *r;
    cs_order_view ov;
    if (sql(b, "SELECT 1 FROM compensations WHERE shop_id = $1 AND case_id = $2", 2, p, &r, err, errlen) != 0)
        return -1;
    bool done = PQntuples(r) > 0;
    PQclear(r);
    if (cs_order_load(b, shop, k->order_id, &ov, err, errlen) != 0) return -1;
    if (!ov.f.buyer_id && k->buyer_id && k->buyer_id[0]) ov.f.buyer_id = k->buyer_id;
    ex_decision d;
    ex_decision_init(&d);
    int rc = 0;
    if (ex7_stockout_case(k, &ov.f, ev->shop, done, &d)) { /* EX-7 */
        rc = apply(b, ev, &ov.f, NULL, &d, err, errlen);
        if (rc == 0 && d.fx.nfinance) {
            char refunded[24], amount[24], now[24];
            const char *q[] = {shop,
                               k->case_id,
                               k->order_id,
                               I64(refunded, k->amount_fen),
                               I64(amount, d.fx.finance[0].amount_fen),
                               I64(now, cs_batch_now(b))};
            rc = sql(b,
                     "INSERT INTO compensations (shop_id, case_id, order_id, refunded_fen, amount_fen, created_ms) "
                     "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING",
                     6, q, NULL, err, errlen);
        }
    }
    cs_order_view_free(&ov);
    return rc;
}

/* Contacts: a call outcome (the task it was about is done; agreement
 * closes the exception; unreachable: EX-4), a delivery chaser (EX-10). */
static int onContact(void *user, cs_batch *b, cs_event *ev, char *err, size_t errlen) {
    (void)user;
    const Cs__V1__ContactEvent *ce = ev->env->contact;
    const char *shop = ev->env->shop_id;
    bool chaser = ce->body_case == CS__V1__CONTACT_EVENT__BODY_CHASER;
    if (!chaser && ce->body_case != CS__V1__CONTACT_EVENT__BODY_CALL) return 0;
    const char *order_id = chaser ? ce->chaser->order_id : ce->call->order_id;
    cs_order_view ov;
    exRow row = {0};
    if (cs_order_load(b, shop, order_id, &ov, err, errlen) != 0) return -1;
    ex_decision d;
    ex_decision_init(&d);
    int rc = 0;
    if (chaser) {
        if (!ov.f.buyer_id && ce->chaser->buyer_id && ce->chaser->buyer_id[0]) ov.f.buyer_id = ce->chaser->buyer_id;
        ex10_delivery_chaser(ce->chaser, &ov.f, ev->shop, cs_batch_now(b), &d); /* EX-10 */
    } else {
        const Cs__V1__CallResult *call = ce->call;
        ex_call_done(&d, call->task_id);
        rc = loadException(b, shop, order_id, NULL, &row, err, errlen);
        if (rc == 0 && row.found && call->outcome == CS__V1__CALL_OUTCOME__CALL_OUTCOME_AGREED)
            ex_close(&d, "buyer agreed on the call"); /* what the agent proposed: worked */
        else if (rc == 0 && row.found)
            ex4_unreachable_message(call, &ov.f, &row.x, ev->shop, &d); /* EX-4 */
        if (rc == 0) rc = saveException(b, shop, &row, &d, false, err, errlen);
    }
    if (rc == 0) rc = apply(b, ev, &ov.f, row.found ? row.id : NULL, &d, err, errlen);
    cs_order_view_free(&ov);
    return rc;
}

/* EX-6 timers: requeue, escalate, breach of the exception (the subject). */
static int onExceptionTimer(void *user, cs_batch *b, cs_event *ev, const char *subject, char *err, size_t errlen) {
    (void)user;
    const char *shop = ev->env->shop_id;
    exRow row;
    cs_order_view ov;
    if (loadException(b, shop, NULL, subject, &row, err, errlen) != 0) return -1;
    if (!row.found) return 0;
    if (cs_order_load(b, shop, row.order_id, &ov, err, errlen) != 0) return -1;
    ex_decision d;
    ex_decision_init(&d);
    int rc = 0;
    if (ex6_on_timer(ev->env->timer->kind, &row.x, &ov.f, ev->shop, cs_batch_now(b), &d)) { /* EX-6 */
        rc = saveException(b, shop, &row, &d, true, err, errlen); /* a requeue unless escalated or breached */
        if (rc == 0) rc = apply(b, ev, &ov.f, row.id, &d, err, errlen);
    }
    cs_order_view_free(&ov);
    return rc;
}

/* EX-9: the complaint's deadline. */
static int onComplaintTimer(void *user, cs_batch *b, cs_event *ev, const char *subject, char *err, size_t errlen) {
    (void)user;
    const char *shop = ev->env->shop_id;
    ex_complaint k;
    char order_id[EX_ID_LEN] = "", now[24];
    if (loadComplaint(b, shop, subject, &k, order_id, sizeof order_id, err, errlen) != 0) return -1;
    ex_decision d;
    ex_decision_init(&d);
    if (!ex9_on_deadline(&k, subject, ev->shop, cs_batch_now(b), &d)) return 0; /* EX-9 */
    const char *p[] = {shop, subject, I64(now, cs_batch_now(b))};
    if (sql(b, "UPDATE complaints SET breached_ms = $3 WHERE shop_id = $1 AND complaint_id = $2", 3, p, NULL, err,
            errlen) != 0)
        return -1;
    cs_order_facts o;
    cs_order_facts_from_state(&o, NULL, order_id);
    return apply(b, ev, &o, subject, &d, err, errlen);
}

/* ---- the declaration ------------------------------------------------------------- */

static int exInit(void *user, const cs_config *cfg, const cs_shops *shops, char *err, size_t errlen) {
    (void)user;
    (void)cfg;
    (void)shops;
    (void)err;
    (void)errlen;
    static const char *const breachRules[] = {"EX-6", "EX-9", NULL};
    cs_fx_metrics("cs_ex", "exception-handler", breachRules);
    mOpened = cs_metric_get(CS_METRIC_COUNTER, "cs_ex_exceptions_opened_total", "Exceptions opened", NULL);
    mClosed = cs_metric_get(CS_METRIC_COUNTER, "cs_ex_exceptions_closed_total", "Exceptions closed", NULL);
    mVip = cs_metric_get(CS_METRIC_COUNTER, "cs_ex_vip_flags_total", "Buyers flagged VIP (EX-9)", NULL);
    return 0;
}

static const cs_route exRoutes[] = {
    {CS_TOPIC_VERDICTS, CS__V1__ENVELOPE__BODY_VERDICT, ex_valid_verdict, ex_lock_order, onVerdict},
    {CS_TOPIC_ORDERS, CS__V1__ENVELOPE__BODY_ORDER, ex_valid_order, ex_lock_order, onOrder},
    {CS_TOPIC_AFTERSALES, CS__V1__ENVELOPE__BODY_AFTERSALES, ex_valid_aftersales, ex_lock_order, onAftersales},
    {CS_TOPIC_CONTACTS, CS__V1__ENVELOPE__BODY_CONTACT, ex_valid_contact, ex_lock_order, onContact},
    {0},
};

static const cs_timer_route exTimerRoutes[] = {
    {EX_TIMER_REQUEUE, onExceptionTimer},
    {EX_TIMER_ESCALATE, onExceptionTimer},
    {EX_TIMER_BREACH, onExceptionTimer},
    {EX_TIMER_COMPLAINT, onComplaintTimer},
    {0},
};

static const cs_worker_def exDef = {
    .name = EX_WORKER_NAME,
    .routes = exRoutes,
    .timer_routes = exTimerRoutes,
    .init = exInit,
};

const cs_worker_def *ex_worker_def(void) { return &exDef; }
