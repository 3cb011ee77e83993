/* exceptions.h -- the exception-handler worker: routes around the pure
 * rules of rules/ (EX-1..EX-10).
 *
 * It consumes EXCEPTION verdicts (an exception opens), order events
 * (cancellations: EX-8; shipment, cancellation and closing end an open
 * exception), after-sales events (Tmall stock-out refunds: EX-7;
 * complaints: EX-9), contacts (call outcomes: EX-4 and closing; delivery
 * chasers: EX-10) and its own fired timers (EX-6, EX-9). State lives in
 * PostgreSQL (migration 0004: exceptions, cancellations, complaints,
 * buyers, compensations, sla_breaches, finance_requests; tasks and
 * notification_requests of 0001); outputs go through the runtime's outbox
 * to cs.tasks.v1, cs.notifications.v1, cs.finance.v1 and cs.sla.v1. */
#ifndef EX_EXCEPTIONS_H
#define EX_EXCEPTIONS_H

#include "cs/runtime.h"

#define EX_WORKER_NAME "exception-handler"

/* The worker definition cs_worker_main() runs. */
const cs_worker_def *ex_worker_def(void);

#endif
