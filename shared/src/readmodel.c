/* readmodel.c -- shared read models (see readmodel.h). */
#include "cs/readmodel.h"

#include <stdio.h>
#include <string.h>

#include "cs/log.h"

int cs_order_load(cs_batch *b, const char *shop_id, const char *order_id, cs_order_view *v, char *err, size_t errlen) {
    memset(v, 0, sizeof *v);
    const char *p[] = {shop_id, order_id};
    PGresult *r = PQexecParams(cs_batch_pg(b), "SELECT doc FROM orders WHERE shop_id = $1 AND order_id = $2", 2, NULL,
                               p, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "load order: %s", PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
        v->st = cs__v1__order_state__unpack(NULL, (size_t)PQgetlength(r, 0, 0), (const uint8_t *)PQgetvalue(r, 0, 0));
        if (!v->st) cs_log_warn("order %s:%s: stored state does not decode; treated as unknown", shop_id, order_id);
    }
    PQclear(r);
    cs_order_facts_from_state(&v->f, v->st, order_id);
    return 0;
}

void cs_order_view_free(cs_order_view *v) {
    if (v->st) cs__v1__order_state__free_unpacked(v->st, NULL);
    memset(v, 0, sizeof *v);
}
