/* routes.h -- running a worker's declared routes over a batch
 * (shared/src/routes.c; the contract is in runtime.h, "routes"). The
 * runtime calls cs_routes_run() instead of a raw batch handler when the
 * worker declares routes. */
#ifndef CS_ROUTES_H
#define CS_ROUTES_H

#include <stddef.h>
#include <stdint.h>

#include "cs/runtime.h"

/* The I/O the router does, replaceable in unit tests. NULL members (or a
 * NULL io) mean the real ones: cs_batch_lock_hashes and
 * cs_timer_take_fired. */
typedef struct cs_route_io {
    int (*lock)(cs_batch *b, const int64_t *hashes, size_t n, char *err, size_t errlen);
    int (*take_fired)(cs_batch *b, const Cs__V1__TimerFired *f, char *err, size_t errlen);
} cs_route_io;

/* Validates, locks and dispatches the batch's events (runtime.h). Returns
 * 0, or -1 with err (a handler or a statement failed: the batch fails). */
int cs_routes_run(const cs_worker_def *def, cs_batch *b, const cs_route_io *io, char *err, size_t errlen);

/* The lock of a key: a 64-bit FNV-1a hash (the advisory lock's id). */
int64_t cs_lock_hash(const char *key);
/* The hashes of keys[0..n) in the one global order locks are taken in:
 * ascending, each once. out holds n; returns how many were written. */
size_t cs_lock_order(const char *const *keys, size_t n, int64_t *out);
/* Takes the transaction's advisory locks on hashes[0..n), in that order
 * (already sorted by cs_lock_order). 0 or -1. */
int cs_batch_lock_hashes(cs_batch *b, const int64_t *hashes, size_t n, char *err, size_t errlen);

/* The transaction's advisory locks on the keys "<ns>|<a[i]>|<c[i]>", hashed
 * as cs_lock_hash would hash them (without building them) and taken in the
 * one global order. ns keeps one worker's kind of subject apart from
 * another's: "ov9" buyers, "nt3" numbers. */
int cs_batch_lock_pairs(cs_batch *b, const char *ns, const char *const *a, const char *const *c, size_t n, char *err,
                        size_t errlen);

/* The topics a worker consumes: def->topics, else its routes' topics and
 * cs.timers.v1 when it has timer routes. out holds max entries (the last a
 * NULL); returns the count. */
size_t cs_routes_topics(const cs_worker_def *def, const char **out, size_t max);

#endif
