/* reviews.h -- the review-scheduler worker: routes around the pure rules
 * of rules/ (RV-1..RV-6, docs/reviews.md).
 *
 * It consumes reviews (shop.reviews.v1), contacts (shop.contacts.v1: call
 * outcomes, presence, inbound SMS replies, agents' case updates) and its
 * own fired timers (rv6.no_answer). Each follow-up
 * case is one row of the shared case store (cases, kind 'review',
 * migrations 0010 and 0011) holding a cs.v1.ReviewCaseState; the buyer's
 * last presence is in buyer_presence. Outputs go through the runtime's
 * outbox to cs.tasks.v1 (RV-2 contacts) and cs.notifications.v1 (RV-4
 * follow-up SMS, requested when the case opens, held by the notifier
 * until their send time, naming their case and expiring at the end of
 * their day; RV-5's FollowUpCancel of a case's held follow-ups). */
#ifndef RV_REVIEWS_H
#define RV_REVIEWS_H

#include "cs/runtime.h"
#include "cs/v1/state.pb-c.h"
#include "rv_rules.h"

#define RV_WORKER_NAME "review-scheduler"

/* The worker definition cs_worker_main() runs. */
const cs_worker_def *rv_worker_def(void);

/* rv_case <-> its stored form. rv_case_from_state: strings point into st
 * (keep st alive while c is used; NULL st gives an empty case); day1 is
 * recomputed from posted_ms in the shop's zone. rv_case_to_state: st's
 * strings point into c; st is the caller's, initialised here. */
void rv_case_from_state(rv_case *c, const Cs__V1__ReviewCaseState *st, const cs_shop *shop);
void rv_case_to_state(const rv_case *c, Cs__V1__ReviewCaseState *st);

#endif
