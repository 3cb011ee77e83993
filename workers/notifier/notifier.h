/* notifier.h -- the notifier worker: the runtime's batch handler around
 * the pure rules of rules/ (NT-1..NT-5), the templates and the providers.
 *
 * Consumes cs.notifications.v1 (NotificationRequest), shop.contacts.v1
 * (inbound SMS replies: opt-outs, NT-4) and cs.timers.v1 (its own
 * "nt.sweep" timers: held messages whose window opened, released a
 * bucket at a time). For each
 * partition batch it reads the state the rules need (existing message rows
 * by key, messages sent to each number since yesterday, opt-outs) under an
 * advisory lock per (shop, number), decides, sends what is to be sent
 * through the providers (all of the batch concurrently), and records every
 * message's fate in `messages` in the batch's own transaction -- the same
 * one that records the input as processed and commits its progress, so a
 * crash anywhere re-delivers the request and the provider sees the same
 * Idempotency-Key again (NT-1). docs/notifier.md tells the whole flow. */
#ifndef NT_NOTIFIER_H
#define NT_NOTIFIER_H

#include <stdio.h>

#include "cs/runtime.h"

#define NT_WORKER_NAME "notifier"
#define NT_LEGACY_TIMER_KIND "nt.release" /* one held message each, before 0027; cancelled by 0028 */
#define NT_SWEEP_KIND "nt.sweep"   /* one (shop, release time, bucket) of held messages */
#define NT_SWEEP_BUCKETS 16        /* messages.release_bucket: 0..15, from the key */

/* The worker definition cs_worker_main() runs. */
const cs_worker_def *nt_worker_def(void);
/* The notifier's own variables for --help. */
void nt_worker_usage(FILE *out);

#endif
