/* casestore.c -- the case store (see casestore.h): one row per case, its
 * document sent and read as binary bytea (no hex round trip). */
#include "cs/casestore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cs_case_load(cs_batch *b, const char *shop_id, const char *kind, const char *case_id, cs_case_doc *out, char *err,
                 size_t errlen) {
    memset(out, 0, sizeof *out);
    const char *p[] = {shop_id, kind, case_id};
    PGresult *r =
        PQexecParams(cs_batch_pg(b), "SELECT doc FROM cases WHERE shop_id = $1 AND kind = $2 AND case_id = $3", 3, NULL,
                     p, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "load case %s:%s: %s", shop_id, case_id, PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
        out->len = (size_t)PQgetlength(r, 0, 0);
        out->doc = malloc(out->len ? out->len : 1);
        if (!out->doc) abort(); /* out of memory */
        memcpy(out->doc, PQgetvalue(r, 0, 0), out->len);
    }
    PQclear(r);
    return 0;
}

void cs_case_doc_free(cs_case_doc *d) {
    if (!d) return;
    free(d->doc);
    d->doc = NULL;
    d->len = 0;
}

int cs_case_save(cs_batch *b, const char *shop_id, const char *kind, const char *case_id, const cs_case_cols *cols,
                 const void *doc, size_t len, char *err, size_t errlen) {
    char opened[24], closed[24], now[24];
    snprintf(opened, sizeof opened, "%" PRId64, cols->opened_ms);
    snprintf(closed, sizeof closed, "%" PRId64, cols->closed_ms);
    snprintf(now, sizeof now, "%" PRId64, cs_batch_now(b));
    const char *p[] = {shop_id,
                       case_id,
                       kind,
                       cols->order_id,
                       cols->stage,
                       cols->opened_ms ? opened : NULL,
                       cols->closed_ms ? closed : NULL,
                       now,
                       (const char *)doc};
    int lens[9] = {0, 0, 0, 0, 0, 0, 0, 0, (int)len};
    int fmts[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    PGresult *r =
        PQexecParams(cs_batch_pg(b),
                     "INSERT INTO cases (shop_id, case_id, kind, order_id, stage, opened_ms, closed_ms, "
                     "updated_ms, doc) VALUES ($1, $2, $3, $4, $5, $6::bigint, $7::bigint, $8::bigint, $9) "
                     "ON CONFLICT (shop_id, kind, case_id) DO UPDATE SET order_id = EXCLUDED.order_id, "
                     "stage = EXCLUDED.stage, opened_ms = EXCLUDED.opened_ms, closed_ms = EXCLUDED.closed_ms, "
                     "updated_ms = EXCLUDED.updated_ms, doc = EXCLUDED.doc",
                     9, NULL, p, lens, fmts, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        snprintf(err, errlen, "save case %s:%s: %s", shop_id, case_id, PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    PQclear(r);
    return 0;
}
