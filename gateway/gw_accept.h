/* gw_accept.h -- from a mapped webhook to "durably in Kafka, once": the
 * event id's claim in Redis, the produce, the acknowledgement, the answer.
 *
 * The claim protocol (docs/webhooks.md "Event ids"), one Redis key per
 * event id, across shops (the workers dedupe by event id alone):
 *
 *   cs:gw:id:<event id> =
 *     "c <shop> <token>"  claimed: a request (token: copy and request) is
 *                         producing it; PX CS_GATEWAY_CLAIM_TTL_MS, so the
 *                         claim of a copy that died frees itself
 *     "a <shop>"          accepted: Kafka acknowledged every record;
 *                         EX CS_GATEWAY_ID_TTL (7 days)
 *
 *   1. SET key "c ..." NX PX claim GET (one command: claims, or says what
 *      is there). Nothing there: this request produces. "a <shop>": 200
 *      (another shop: 400, the id is taken). "c <shop> ...": another
 *      request is producing it: look again every 100 ms until it is
 *      accepted (200), freed (claim it), or CS_GATEWAY_CLAIM_WAIT_MS
 *      passed (503 Retry-After).
 *   2. Produce every record (idempotent producer, acks=all).
 *   3. Every record acknowledged: SET key "a <shop>" EX ttl, then 202.
 *      A record failed (or timed out): release the claim if it is still
 *      ours (a compare-and-delete script), then 503 Retry-After.
 *
 * Redis unreachable: the request is refused with 503 (no claim, no
 * produce), so a 200 is never given for an id that was not checked. An
 * acknowledged request whose "accepted" mark cannot be written is still
 * answered 202 (its records are in Kafka); a repeat after the claim
 * expires is produced again and the workers' dedupe keeps its effect
 * single. Kafka known down (gw_producer_ready false) refuses at step 1
 * without claiming.
 *
 * A request is answered by CS_GATEWAY_PRODUCE_TIMEOUT_MS + 1 s after its
 * records were sent, whatever Kafka does: the idempotent producer keeps a
 * record that may have reached the broker until it can tell (a broker
 * down holds its report until it returns), and a request must not hang
 * that long. Such a request is answered 503; its claim stays, and when
 * the report comes the id is marked accepted (a retry then gets 200) or
 * the claim released (a retry produces it).
 *
 * Threads: one thread of its own runs the protocol, batching the Redis
 * commands of every request ready at that moment into one pipeline (one
 * round trip for many requests), so the HTTP threads never wait on Redis.
 * The producer's poll thread only counts acknowledgements down and hands
 * a finished request back. Answers are given on this thread. */
#ifndef GW_ACCEPT_H
#define GW_ACCEPT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "cs/config.h"
#include "cs/shop.h"
#include "gw_config.h"
#include "gw_map.h"

typedef enum gw_outcome {
    GW_OUT_ACCEPTED = 1,   /* 202: every record acknowledged by Kafka */
    GW_OUT_DUPLICATE = 2,  /* 200: accepted before (same shop) */
    GW_OUT_OTHER_SHOP = 3, /* 400: the event id is another shop's */
    GW_OUT_BUSY = 4,       /* 503: another request holds the id's claim; it did not finish in time */
    GW_OUT_KAFKA = 5,      /* 503: Kafka cannot take the write (down, timed out, refused) */
    GW_OUT_REDIS = 6,      /* 503: Redis unreachable: the id cannot be checked */
} gw_outcome;

/* The answer to a submitted request, called exactly once on gw_accept's
 * thread: arg is the submitter's, m the request's records (event id,
 * kind), valid during the call only. Must not block. */
typedef void (*gw_answer_fn)(void *arg, gw_outcome o, int retry_after_s, const gw_mapped *m);

typedef struct gw_accept gw_accept;

/* Starts the protocol thread and the producer. NULL with errbuf. shops
 * and configs are read during the call only (instance, brokers, TTLs). */
gw_accept *gw_accept_new(const cs_config *cfg, const gw_config *gcfg, char *errbuf, size_t errlen);
/* Hands a request over (thread-safe): true, and its answer follows; the
 * records are moved out of *m (left empty: gw_accept frees them once
 * Kafka has reported on each, which may be after the answer). false once
 * gw_accept_close() was called: nothing taken, the caller answers 503. */
bool gw_accept_submit(gw_accept *a, const cs_shop *shop, gw_mapped *m, gw_answer_fn answer, void *arg);
/* Kafka takes writes (for /readyz). */
bool gw_accept_ready(gw_accept *a);
/* Kafka's producer hit a fatal error: restart the process. */
bool gw_accept_fatal(gw_accept *a);
/* Requests submitted and not yet answered. */
int gw_accept_inflight(gw_accept *a);
/* Shutdown: takes no new job (submit returns false), fails waiting ones
 * with 503, and waits up to wait_ms for every job to be done. */
void gw_accept_close(gw_accept *a, int wait_ms);
/* Stops the thread (after the jobs in flight are done) and the producer
 * (flushed). Accepts NULL. Call once no submit can come any more. */
void gw_accept_free(gw_accept *a);

#endif
