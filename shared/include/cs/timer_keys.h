/* timer_keys.h -- the Redis layout of the durable timers, shared by the
 * library (timers.c), the dispatcher (workers/timer-dispatcher) and cscli
 * (shared/src/timer_keys.c). Pure functions: no I/O.
 *
 * A timer is one member "<owner>|<timer_id>|<generation>" in one of
 * CS_TIMER_SHARDS pairs of sorted sets, chosen by a hash of owner and
 * timer id (so every generation of a timer lands in the same shard):
 *
 *   cs:timers:{<shard>}:due       score = due_ms (business time)
 *   cs:timers:{<shard>}:inflight  score = lease expiry (real time, ms)
 *
 * The braces are a Redis Cluster hash tag: a shard's two sets share a slot,
 * so the dispatcher's Lua claim (due -> inflight) touches one slot. The
 * member holds only what identifies the firing; kind, order key and
 * payload stay in PostgreSQL, which keeps Redis at about 100 bytes per
 * timer (docs/timers.md has the measured figures). Owners never contain
 * '|'; timer ids may (the generation is after the last '|'). */
#ifndef CS_TIMER_KEYS_H
#define CS_TIMER_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CS_TIMER_SHARDS 16
#define CS_TIMER_KEY_LEN 48          /* room for "cs:timers:{15}:inflight" */
#define CS_TIMER_MEMBER_MAX 512      /* owner + timer id + generation */
/* Set by the dispatcher's full reconciliation; its absence (a FLUSHALL, a
 * new Redis) makes the next reconciliation a full one. */
#define CS_TIMER_EPOCH_KEY "cs:timers:epoch"

/* The shard of (owner, timer_id): FNV-1a over "owner|timer_id", modulo
 * CS_TIMER_SHARDS. Stable across processes and versions (it is data). */
int cs_timer_shard(const char *owner, const char *timer_id);
/* "cs:timers:{<shard>}:due" and "cs:timers:{<shard>}:inflight". */
void cs_timer_due_key(char *out, size_t outlen, int shard);
void cs_timer_inflight_key(char *out, size_t outlen, int shard);

/* Writes "<owner>|<timer_id>|<generation>". Returns 0, or -1 when the owner
 * is empty or contains '|', or the member does not fit outlen. */
int cs_timer_member(char *out, size_t outlen, const char *owner, const char *timer_id,
                    int64_t generation);

/* A member split into its parts (pointers into the caller's buffer). */
typedef struct cs_timer_ref {
    char owner[128];          /* worker that owns the timer */
    char timer_id[384];       /* the owner's timer id */
    int64_t generation;       /* which (re)schedule this member stands for */
} cs_timer_ref;

/* Parses a member; 0, or -1 when it is malformed (no two '|', empty owner
 * or timer id, a generation that is not a positive integer, too long). */
int cs_timer_member_parse(const char *member, size_t len, cs_timer_ref *out);

/* The fired record's event id, "timer/<owner>/<timer_id>/<generation>":
 * the same for every firing of one generation, so consumers dedupe
 * repeats (a lease that expired after the record went out). */
void cs_timer_event_id(char *out, size_t outlen, const char *owner, const char *timer_id,
                       int64_t generation);

/* The shop id of an order key "<shop_id>:<order_id>" (the part before the
 * first ':'; the whole key when there is none). */
void cs_timer_shop_of(char *out, size_t outlen, const char *order_key);

/* The dispatcher's atomic claim, for one shard (EVAL with 2 keys):
 * KEYS = due, inflight; ARGV = business now, real now, lease expiry (real
 * ms), limit. Takes first the in-flight members whose lease expired
 * (their firing was never acknowledged), then due members (score <= now),
 * at most limit in all; each gets the new lease in inflight. Returns the
 * members. Two dispatchers never take the same member under one lease. */
extern const char cs_timer_claim_lua[];
/* Acknowledges firings (EVAL with 1 key): KEYS = inflight; ARGV = lease
 * expiry the claim set, members... Removes each member whose score is
 * still that lease (a member re-claimed by another dispatcher after this
 * lease expired is that dispatcher's to acknowledge). Returns the count. */
extern const char cs_timer_ack_lua[];

#endif
