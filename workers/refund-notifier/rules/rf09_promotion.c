/* rf09_promotion.c -- RF-9: promotion mode (Double 11): auto-agree (a)
 * refund-only requests on unshipped orders and (b) valid seven-day
 * no-reason returns (RF-4); every other case is routed to a queue:
 * back-office, verification, difficult cases, complaints.
 *
 * Handbook: 004 ("只开启不发货自动协议、只退款和退货申请自动协议(七天无理由退货)";
 * "客服分为这几类: 后台处理客服、核对客服、疑难客服、投诉接待客服").
 *
 * Why it is built this way: the auto-agreement is a decision for the
 * platform (rf_decision.decision, published on cs.decisions.v1 by the
 * worker), not a stage change: the case becomes AGREED when the platform
 * says so, like any agreement. It agrees the amount the buyer asked for
 * (the order's paid amount when the request names none) and asks RF-5
 * first, so a quality claim without its photo is never auto-agreed. The
 * queues are a table, first matching row wins, so a shop's operations
 * lead reads who gets what in one place:
 *   - a case the platform stepped into: complaints (投诉接待);
 *   - not received, wrong item, missing item: verification (核对: parcel
 *     contents, warehouse, courier);
 *   - quality claims and refused seven-day returns: difficult (疑难:
 *     evidence, inspection, a buyer to persuade);
 *   - everything else (changed mind, exchanges, repairs, reshipments,
 *     postage differences): back-office (后台处理).
 * Outside promotion mode the tasks go to the shift's general queue (a
 * NULL queue), as every other worker's do. */
#include "rf_rules.h"

#include <stdio.h>

#define T(x) CS__V1__CASE_TYPE__CASE_TYPE_##x
#define R(x) CS__V1__CASE_REASON__CASE_REASON_##x
#define S(x) CS__V1__CASE_STAGE__CASE_STAGE_##x

typedef struct queueRow {
    Cs__V1__CaseType type;     /* UNSPECIFIED = any */
    Cs__V1__CaseReason reason; /* UNSPECIFIED = any */
    Cs__V1__CaseStage stage;   /* UNSPECIFIED = any */
    const char *queue;
} queueRow;

static const queueRow queueTable[] = {
    {T(UNSPECIFIED), R(UNSPECIFIED), S(PLATFORM_INTERVENED), RF_QUEUE_COMPLAINTS},
    {T(UNSPECIFIED), R(NOT_RECEIVED), S(UNSPECIFIED), RF_QUEUE_VERIFICATION},
    {T(UNSPECIFIED), R(WRONG_ITEM), S(UNSPECIFIED), RF_QUEUE_VERIFICATION},
    {T(UNSPECIFIED), R(MISSING_ITEM), S(UNSPECIFIED), RF_QUEUE_VERIFICATION},
    {T(UNSPECIFIED), R(QUALITY), S(UNSPECIFIED), RF_QUEUE_DIFFICULT},
    {T(UNSPECIFIED), R(NO_REASON_7D), S(UNSPECIFIED), RF_QUEUE_DIFFICULT},
    {T(UNSPECIFIED), R(UNSPECIFIED), S(UNSPECIFIED), RF_QUEUE_BACK_OFFICE},
};

/* RF-9 */
const char *rf9_queue_for(Cs__V1__CaseType type, Cs__V1__CaseReason reason, Cs__V1__CaseStage stage) {
    for (size_t i = 0; i < sizeof queueTable / sizeof queueTable[0]; i++) {
        const queueRow *r = &queueTable[i];
        if (r->type != T(UNSPECIFIED) && r->type != type) continue;
        if (r->reason != R(UNSPECIFIED) && r->reason != reason) continue;
        if (r->stage != S(UNSPECIFIED) && r->stage != stage) continue;
        return r->queue;
    }
    return RF_QUEUE_BACK_OFFICE;
}

/* RF-9 */
bool rf9_auto_agree(const rf_case *c, const rf_order *o, const cs_shop *shop, rf_decision *d) {
    if (!shop->promotion_mode || c->stage != S(REQUESTED)) return false;
    if (!rf5_evidence_ok(c, o, NULL, 0)) return false;
    const char *why = NULL;
    if (c->type == T(REFUND_ONLY) && o->known && o->shipped_ms == 0 && o->signed_ms == 0 && o->cancelled_ms == 0)
        why = "refund-only request on an unshipped order";
    else if (c->type == T(RETURN_REFUND) && c->reason == R(NO_REASON_7D) &&
             rf4_no_reason_ok(o->signed_ms, c->requested_ms ? c->requested_ms : c->registered_ms, c->goods_unused,
                              c->packaging_complete, shop, NULL, 0))
        why = "seven-day no-reason return within its window";
    if (!why) return false;
    d->decision.verdict = RF_VERDICT_AGREE;
    d->decision.rule = "RF-9";
    d->decision.amount_fen = c->amount_fen > 0 ? c->amount_fen : o->paid_fen;
    snprintf(d->decision.reason, sizeof d->decision.reason, "promotion mode: %s", why);
    return true;
}
