/* timer_sync.h -- putting PostgreSQL's pending timers back into Redis
 * (shared/src/timer_sync.c): the dispatcher's reconciliation and
 * `cscli timers rebuild` run the same code.
 *
 * Pending rows are read in pages of CS_TIMER_SYNC_PAGE ordered by (owner,
 * timer_id) (index timers_pending_key); for each page one Redis pipeline
 * asks ZSCORE of the row's member in its due and in its inflight set, and
 * a second one ZADD NX's the members found in neither. Cost of a full
 * pass: one indexed query and two round trips per 1000 pending timers,
 * and 2 ZSCORE per pending timer in Redis (about 1 s of Redis time per
 * million pending timers). A timer whose record was produced but not yet
 * taken by its owner is still in its inflight set (under the long lease),
 * so it is not put back. */
#ifndef CS_TIMER_SYNC_H
#define CS_TIMER_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>

#include "cs/redis.h"

#define CS_TIMER_SYNC_PAGE 1000

/* The routine reconciliation's window for a period of reconcile_s seconds:
 * two periods and a margin, so that a row committed during a pass is seen
 * by the next one. A timer scheduled longer ago than this is read again
 * only by the full pass (CS_TIMER_FULL_RECONCILE_S). */
static inline int cs_timer_recent_window_s(int reconcile_s) { return 2 * reconcile_s + 15; }

/* The Redis member of a timer row, from PostgreSQL's text values (payload
 * in bytea's text form). 0, or -1 as cs_timer_member. */
int cs_timer_member_of_row(char *out, size_t outlen, const char *owner, const char *timer_id, const char *generation,
                           const char *due_ms, const char *kind, const char *order_key, const char *payload_bytea);

typedef struct cs_timer_sync_stats {
    long checked;  /* pending rows looked at */
    long restored; /* members put back in a due set */
} cs_timer_sync_stats;

/* Called after each page (may be NULL). Returning false stops the pass. */
typedef bool (*cs_timer_sync_progress)(void *arg, const cs_timer_sync_stats *s);

/* One pass. window_s > 0: only rows (re)scheduled in the last window_s
 * seconds (PostgreSQL's now()); 0: every pending row, and the epoch key
 * CS_TIMER_EPOCH_KEY is set first (its absence later means Redis lost its
 * data). Returns 0 with *out filled, or -1 with errbuf (*out has what was
 * done until then). */
int cs_timer_sync(PGconn *pg, cs_redis *redis, int window_s, cs_timer_sync_progress progress, void *arg,
                  cs_timer_sync_stats *out, char *errbuf, size_t errlen);

#endif
