/* casestore.h -- one store for the case-keeping workers' cases
 * (shared/src/casestore.c, I/O; table `cases`, migration 0010): the
 * refund-notifier's after-sales cases (kind "aftersales"), the
 * review-scheduler's next (kind "review").
 *
 * A case is a document the worker owns (its protobuf state, packed) plus a
 * few columns copied out of it for queries (order, stage, opened, closed).
 * Reads and writes run in the batch's transaction; the worker's route
 * holds the case's advisory lock, so load-decide-save is not raced. */
#ifndef CS_CASESTORE_H
#define CS_CASESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "cs/runtime.h"

#define CS_CASE_AFTERSALES "aftersales"
#define CS_CASE_REVIEW "review"

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
} cs_case_cols;

/* Loads the document of (shop, kind, case id) into *out. 0, or -1 with err. */
int cs_case_load(cs_batch *b, const char *shop_id, const char *kind, const char *case_id, cs_case_doc *out, char *err,
                 size_t errlen);
void cs_case_doc_free(cs_case_doc *d);

/* Inserts or replaces (shop, kind, case id) with doc[0..len) and cols;
 * updated_ms is the batch's now. 0, or -1 with err. */
int cs_case_save(cs_batch *b, const char *shop_id, const char *kind, const char *case_id, const cs_case_cols *cols,
                 const void *doc, size_t len, char *err, size_t errlen);

#endif
