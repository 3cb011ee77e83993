/* readmodel.h -- shared read models: state one worker keeps that others
 * read (shared/src/readmodel.c, I/O). Today: the order as the verifier
 * merged it (orders.doc), reduced to cs_order_facts (order_facts.h). One
 * statement for every worker, instead of each worker's own SQL; what a
 * batch read is kept for the rest of the batch. */
#ifndef CS_READMODEL_H
#define CS_READMODEL_H

#include <stddef.h>

#include "cs/order_facts.h"
#include "cs/runtime.h"

/* An order as read: the facts and the state they point into. */
typedef struct cs_order_view {
    Cs__V1__OrderState *st; /* owned; NULL when the order is unknown */
    cs_order_facts f;       /* points into st (known = false when unknown) */
} cs_order_view;

/* Reads (shop, order) in the batch's transaction, without locking it (the
 * verifier owns the row; readers lock their own subjects). An order that is
 * not there, or whose state does not decode (logged), is unknown: v->st
 * NULL, v->f.known false, v->f.order_id = order_id. Returns 0, or -1 with
 * err. Free with cs_order_view_free(). */
int cs_order_load(cs_batch *b, const char *shop_id, const char *order_id, cs_order_view *v, char *err, size_t errlen);
void cs_order_view_free(cs_order_view *v);

/* Reads the orders (shops[i], orders[i]) in one query and keeps them for
 * the rest of the batch: cs_order_load then finds them in memory (an
 * unknown order too). For a worker's prepare hook (runtime.h). 0, or -1
 * with err. */
int cs_order_prefetch(cs_batch *b, const char *const *shops, const char *const *orders, size_t n, char *err,
                      size_t errlen);

#endif
