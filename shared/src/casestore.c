/* casestore.c -- the case store (see casestore.h): one row per case, its
 * document sent and read as binary bytea (no hex round trip). */
#include "cs/casestore.h"

#include "cs/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cs_case_load(cs_batch *b, const char *shop_id, const char *kind, const char *case_id, cs_case_doc *out, char *err,
                 size_t errlen) {
    memset(out, 0, sizeof *out);
    const char *p[] = {shop_id, kind, case_id};
    PGresult *r =
        PQexecParams(cs_batch_pg(b), "SELECT doc FROM cases WHERE shop_id = $1 AND kind = $2 AND case_id = $3 FOR UPDATE", 3, NULL,
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

int cs_case_find_open(cs_batch *b, const char *shop_id, const char *kind, cs_case_by by, const char *value, char ***ids,
                      size_t *n, char *err, size_t errlen) {
    /* one statement per column: each matches its own partial index */
    static const char *const sql[] = {
        "SELECT case_id FROM cases WHERE shop_id = $1 AND kind = $2 AND order_id = $3 AND closed_ms IS NULL "
        "ORDER BY opened_ms, case_id",
        "SELECT case_id FROM cases WHERE shop_id = $1 AND kind = $2 AND buyer_id = $3 AND closed_ms IS NULL "
        "ORDER BY opened_ms, case_id",
        "SELECT case_id FROM cases WHERE shop_id = $1 AND kind = $2 AND phone = $3 AND closed_ms IS NULL "
        "ORDER BY opened_ms, case_id",
    };
    *ids = NULL;
    *n = 0;
    if (!value || !value[0]) return 0;
    const char *p[] = {shop_id, kind, value};
    PGresult *r = PQexecParams(cs_batch_pg(b), sql[by], 3, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "find cases of %s %s: %s", shop_id, value, PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    int rows = PQntuples(r);
    if (rows > 0) {
        *ids = cs_xcalloc((size_t)rows, sizeof **ids);
        for (int i = 0; i < rows; i++) (*ids)[i] = cs_xstrdup(PQgetvalue(r, i, 0));
        *n = (size_t)rows;
    }
    PQclear(r);
    return 0;
}

void cs_case_ids_free(char **ids, size_t n) {
    for (size_t i = 0; i < n; i++) free(ids[i]);
    free(ids);
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
                       (const char *)doc,
                       cols->buyer_id && cols->buyer_id[0] ? cols->buyer_id : NULL,
                       cols->phone && cols->phone[0] ? cols->phone : NULL};
    int lens[11] = {0, 0, 0, 0, 0, 0, 0, 0, (int)len, 0, 0};
    int fmts[11] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
    PGresult *r =
        PQexecParams(cs_batch_pg(b),
                     "INSERT INTO cases (shop_id, case_id, kind, order_id, stage, opened_ms, closed_ms, "
                     "updated_ms, doc, buyer_id, phone) VALUES ($1, $2, $3, $4, $5, $6::bigint, $7::bigint, $8::bigint, $9, "
                     "$10, $11) "
                     "ON CONFLICT (shop_id, kind, case_id) DO UPDATE SET order_id = EXCLUDED.order_id, "
                     "stage = EXCLUDED.stage, opened_ms = EXCLUDED.opened_ms, closed_ms = EXCLUDED.closed_ms, "
                     "updated_ms = EXCLUDED.updated_ms, doc = EXCLUDED.doc, buyer_id = EXCLUDED.buyer_id, "
                     "phone = EXCLUDED.phone",
                     11, NULL, p, lens, fmts, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        snprintf(err, errlen, "save case %s:%s: %s", shop_id, case_id, PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    PQclear(r);
    return 0;
}
