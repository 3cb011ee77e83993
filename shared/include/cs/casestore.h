/* casestore.h -- one store for the case-keeping workers' cases
 * (shared/src/casestore.c, I/O; table `cases`, migration 0010): the
 * refund-notifier's after-sales cases (kind "aftersales"), the
 * review-scheduler's next (kind "review").
 *
 * A case is a document the worker owns (its protobuf state, packed) plus a
 * few columns copied out of it for queries (order, stage, opened, closed).
 * Reads and writes run in the batch's transaction; the worker's route
 * holds the case's advisory lock, so load-decide-save is not raced.
 *
 * Within a batch the store caches what it read and saved: a worker's
 * prepare hook (runtime.h) prefetches the batch's cases in one query,
 * loads after that come from memory, and saves are written by one upsert
 * just before COMMIT. */
#ifndef CS_CASESTORE_H
#define CS_CASESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "cs/runtime.h"

#define CS_CASE_AFTERSALES "aftersales"
#define CS_CASE_REVIEW "review"

/* The longest "<shop>, <kind>, <case id>" together (bytes, with 3
 * separators); a longer case id is refused by cs_case_save. */
#define CS_CASE_KEY_LEN 512

/* One case's stored document: doc is malloc'd and owned by the caller
 * (cs_case_doc_free); NULL with len 0 when the case is not stored. */
typedef struct cs_case_doc {
    uint8_t *doc;
    size_t len;
} cs_case_doc;

/* The columns a save writes besides the document. */
typedef struct cs_case_cols {
    const char *order_id; /* NULL = none */
    const char *stage;    /* NULL = none ("AGREED", ...) */
    int64_t opened_ms;    /* 0 = NULL */
    int64_t closed_ms;    /* 0 = NULL (open) */
    const char *buyer_id; /* NULL = none; finds open cases by buyer */
    const char *phone;    /* NULL = none; canonical number, finds open cases by number */
} cs_case_cols;

/* What an open case can be found by besides its id. */
typedef enum cs_case_by {
    CS_CASE_BY_ORDER = 0,
    CS_CASE_BY_BUYER = 1,
    CS_CASE_BY_PHONE = 2,
} cs_case_by;

/* A worker's prepare hook in one call: prefetches the case of every new,
 * not poison event of the batch: case_of(ev) for the routed events (NULL
 * = none), the subject of the worker's fired timers (ids of the scheme
 * "<kind>@<shop>:<case>"). 0, or -1 with err. */
int cs_case_prefetch_batch(cs_batch *b, const char *kind, const char *(*case_of)(const cs_event *ev), char *err,
                           size_t errlen);

/* Loads the document of (shop, kind, case id) into *out, locking the row
 * (FOR UPDATE) so that two events of one case reached under different
 * lock keys (a buyer's presence and the case's own review) still apply
 * one after the other. 0, or -1 with err. */
int cs_case_load(cs_batch *b, const char *shop_id, const char *kind, const char *case_id, cs_case_doc *out, char *err,
                 size_t errlen);
void cs_case_doc_free(cs_case_doc *d);

/* Reads (and locks) the cases (shops[i], kind, ids[i]) of the batch in one
 * query, for cs_case_load to find in memory; a case not stored is
 * remembered as such. Ids already read in this batch are skipped. 0, or
 * -1 with err. */
int cs_case_prefetch(cs_batch *b, const char *kind, const char *const *shops, const char *const *ids, size_t n,
                     char *err, size_t errlen);

/* The ids of the open cases (closed_ms NULL) of kind in shop whose `by`
 * column equals value, oldest first: *ids is malloc'd (free with
 * cs_case_ids_free), *n its length. 0, or -1 with err. */
int cs_case_find_open(cs_batch *b, const char *shop_id, const char *kind, cs_case_by by, const char *value, char ***ids,
                      size_t *n, char *err, size_t errlen);
void cs_case_ids_free(char **ids, size_t n);

/* Inserts or replaces (shop, kind, case id) with doc[0..len) and cols,
 * written before the batch commits (updated_ms: the batch's now); later
 * loads in the batch see it at once. 0, or -1 with err (an id too long). */
int cs_case_save(cs_batch *b, const char *shop_id, const char *kind, const char *case_id, const cs_case_cols *cols,
                 const void *doc, size_t len, char *err, size_t errlen);

#endif
