/* refunds.h -- the refund-notifier worker: routes around the pure rules
 * of rules/ (RF-1..RF-13, docs/aftersales.md).
 *
 * It consumes after-sales case events (shop.aftersales.v1, the CASE
 * sub-body; complaints and disputes are the exception-handler's) and its
 * own fired timers (rf2.ship_return, rf2.resolve, rf2.escalate,
 * rf11.evidence). Each case is one row of the shared case store (cases,
 * kind 'aftersales', migration 0010) holding a cs.v1.RefundCaseState;
 * outputs go through the runtime's outbox to cs.tasks.v1,
 * cs.notifications.v1, cs.finance.v1 and, for RF-9 / RF-13 verdicts,
 * cs.decisions.v1. */
#ifndef RF_REFUNDS_H
#define RF_REFUNDS_H

#include "cs/runtime.h"
#include "cs/v1/state.pb-c.h"
#include "rf_rules.h"

#define RF_WORKER_NAME "refund-notifier"

/* The worker definition cs_worker_main() runs. */
const cs_worker_def *rf_worker_def(void);

/* rf_case <-> its stored form. rf_case_from_state: strings point into st
 * (keep st alive while c is used; NULL st gives an empty case).
 * rf_case_to_state: st's strings point into c (never NULL: "" for none);
 * st is the caller's, initialised here. */
void rf_case_from_state(rf_case *c, const Cs__V1__RefundCaseState *st);
void rf_case_to_state(const rf_case *c, Cs__V1__RefundCaseState *st);

#endif
