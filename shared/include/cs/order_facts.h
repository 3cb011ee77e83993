/* order_facts.h -- the order facts every worker but the verifier reads:
 * the verifier's merged order (orders.doc, a cs.v1.OrderState) reduced to
 * what the exception-handler, the refund-notifier and the review-scheduler
 * decide on (shared/src/order_facts.c; pure, in the core library).
 * Loading them is cs_order_facts_load() (cs/readmodel.h), one shared
 * statement instead of each worker's own SQL.
 *
 * Strings and lines point into the OrderState they were built from (or are
 * NULL): the facts live as long as that state. */
#ifndef CS_ORDER_FACTS_H
#define CS_ORDER_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/shop.h"
#include "cs/v1/state.pb-c.h"

typedef struct cs_order_facts {
    bool known;                     /* the order exists (its CREATED event was seen) */
    const char *order_id;           /* as stored, else as asked */
    const char *buyer_id;           /* also the buyer's IM handle on the platforms; NULL if none */
    const char *phone;              /* receiver's phone, NULL if none */
    const char *receiver_name;      /* NULL if none */
    const Cs__V1__Address *address; /* receiver's address, NULL if none */
    Cs__V1__Channel channel;        /* UNSPECIFIED: the shop's channel applies (cs_order_channel) */
    Cs__V1__PaymentMethod payment_method;
    bool cod; /* cash on delivery */
    int64_t created_ms;
    int64_t paid_ms;         /* 0 = unpaid (COD orders are committed at creation) */
    int64_t paid_fen;        /* paid amount (0 while unpaid) */
    int64_t presale_ship_ms; /* latest promised ship date of its presale lines, 0 = none */
    int64_t shipped_ms;
    int64_t signed_ms;
    int64_t cancelled_ms;
    int64_t closed_ms;
    Cs__V1__OrderLine *const *lines; /* its lines (SKU, quantity, unit price), into the state */
    size_t nlines;
} cs_order_facts;

/* The facts of st (NULL st: an unknown order, known = false, order_id as
 * given). Points into st. */
void cs_order_facts_from_state(cs_order_facts *o, const Cs__V1__OrderState *st, const char *order_id);
/* The order's channel, the shop's when the order does not say. */
Cs__V1__Channel cs_order_channel(const cs_order_facts *o, const cs_shop *shop);
/* The instant the order was committed: paid, or created for COD (0 if
 * neither). */
int64_t cs_order_committed_ms(const cs_order_facts *o);
/* Units of sku over all its lines (int64: a sum of int32 quantities). */
int64_t cs_order_sku_quantity(const Cs__V1__Order *o, const char *sku);

#endif
