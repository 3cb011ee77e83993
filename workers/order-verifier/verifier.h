/* verifier.h -- the order-verifier worker: the runtime's batch handler
 * around the pure rules of rules/ (OV-1..OV-14, NT-6).
 *
 * For each partition batch it loads, in a handful of set-based queries,
 * everything the rules read (order states locked FOR UPDATE, the stock rows
 * of every SKU involved locked FOR UPDATE in key order, the buyers'
 * fingerprints under an advisory lock per buyer, quality cases), applies
 * the events in memory in partition order, and writes every change back
 * with COPY and one upsert per table. Verdicts, agent tasks and
 * notification requests are emitted through the runtime's outbox. */
#ifndef OV_VERIFIER_H
#define OV_VERIFIER_H

#include "cs/runtime.h"

#define OV_WORKER_NAME "order-verifier"

/* The worker definition cs_worker_main() runs. */
const cs_worker_def *ov_worker_def(void);

/* Event validation before any rule runs: impossible amounts (negative or
 * beyond 10^11 fen), quantities out of range, a body that does not belong
 * on the topic. Returns true when ok, else false with a reason. */
bool ov_event_valid(const cs_event *ev, char *why, size_t len);

#endif
