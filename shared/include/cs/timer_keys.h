/* timer_keys.h -- the Redis layout of the durable timers, shared by the
 * library (timers.c), the runtime, the dispatcher (workers/timer-dispatcher)
 * and cscli (shared/src/timer_keys.c). Pure functions: no I/O.
 *
 * A timer is one member in one of CS_TIMER_SHARDS pairs of sorted sets,
 * chosen by a hash of owner and timer id (so every generation of a timer
 * lands in the same shard):
 *
 *   cs:timers:{<shard>}:due       score = due_ms (business time)
 *   cs:timers:{<shard>}:inflight  score = lease expiry (real time, ms)
 *
 * The braces are a Redis Cluster hash tag: a shard's two sets share a slot,
 * so the dispatcher's Lua claim (due -> inflight) touches one slot.
 *
 * The member carries the whole firing:
 *
 *   <owner>|<generation>|<due_ms>|<kind>|<order_key>|<timer_id>|<payload>
 *
 * with kind, order key, timer id and payload escaped ('%' -> %25, '|' ->
 * %7C, NUL -> %00) and the timer id left empty when it is the default
 * "<kind>@<order_key>". Why everything is in the member: the dispatcher
 * then fires from Redis alone -- no PostgreSQL read or write per timer on
 * the firing path, which was two thirds of the cost of a firing
 * (docs/performance.md). The price is Redis memory: the payload is limited
 * to CS_TIMER_PAYLOAD_MAX bytes (a timer carries a reference, not a
 * document), and a pending timer costs about 200 bytes. */
#ifndef CS_TIMER_KEYS_H
#define CS_TIMER_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CS_TIMER_SHARDS 16
#define CS_TIMER_KEY_LEN 48      /* room for "cs:timers:{15}:inflight" */
#define CS_TIMER_MEMBER_MAX 2048 /* every field escaped, worst case */
#define CS_TIMER_PAYLOAD_MAX 256 /* bytes of payload a timer may carry */
/* Set by the dispatcher's full reconciliation; its absence (a FLUSHALL, a
 * new Redis) makes the next reconciliation a full one. */
#define CS_TIMER_EPOCH_KEY "cs:timers:epoch"

/* The shard of (owner, timer_id): FNV-1a over "owner|timer_id", modulo
 * CS_TIMER_SHARDS. Stable across processes and versions (it is data). */
int cs_timer_shard(const char *owner, const char *timer_id);
/* "cs:timers:{<shard>}:due" and "cs:timers:{<shard>}:inflight". */
void cs_timer_due_key(char *out, size_t outlen, int shard);
void cs_timer_inflight_key(char *out, size_t outlen, int shard);

/* What a member says (its fields, unescaped). */
typedef struct cs_timer_ref {
    char owner[128];     /* worker that owns the timer */
    char timer_id[384];  /* the owner's timer id */
    char kind[64];       /* what the owner does when it fires */
    char order_key[256]; /* "<shop_id>:<order_id>": the record's key */
    int64_t generation;  /* which (re)schedule this member stands for */
    int64_t due_ms;      /* business time it is due */
    uint8_t payload[CS_TIMER_PAYLOAD_MAX];
    size_t payload_len;
} cs_timer_ref;

/* The fields a member is built from (not owned). timer_id NULL or equal
 * to the default id gives the same member. */
typedef struct cs_timer_fields {
    const char *owner, *timer_id, *kind, *order_key;
    int64_t generation, due_ms;
    const void *payload;
    size_t payload_len;
} cs_timer_fields;

/* Writes the member of f. Returns 0, or -1 when the owner is empty or
 * contains '|' or '%', the kind or order key is empty, a field does not
 * fit cs_timer_ref, the payload is over CS_TIMER_PAYLOAD_MAX, or the
 * member does not fit outlen. */
int cs_timer_member(char *out, size_t outlen, const cs_timer_fields *f);

/* Parses a member; 0, or -1 when it is malformed (not seven fields, an
 * empty owner, kind or order key, a bad escape, an embedded NUL, a
 * generation or due time that is not a positive integer, a field too
 * long for cs_timer_ref). */
int cs_timer_member_parse(const char *member, size_t len, cs_timer_ref *out);

/* The fired record's event id, "timer/<owner>/<timer_id>/<generation>":
 * the same for every firing of one generation, so consumers dedupe
 * repeats (a lease that expired after the record went out). */
void cs_timer_event_id(char *out, size_t outlen, const char *owner, const char *timer_id, int64_t generation);

/* The shop id of an order key "<shop_id>:<order_id>" (the part before the
 * first ':'; the whole key when there is none). */
void cs_timer_shop_of(char *out, size_t outlen, const char *order_key);

/* The dispatcher's atomic claim, for one shard (EVAL with 2 keys):
 * KEYS = due, inflight; ARGV = business now, real now, lease expiry (real
 * ms), limit. Takes first the in-flight members whose lease expired
 * (their firing was never acknowledged, or never taken by its owner), then
 * due members (score <= now), at most limit in all; each gets the new
 * lease in inflight. Returns the members. Two dispatchers never take the
 * same member under one lease. */
extern const char cs_timer_claim_lua[];

#endif
