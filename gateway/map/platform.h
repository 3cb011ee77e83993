/* platform.h -- what the Taobao and Shopify mappings share: the order they
 * read once and emit as one or several OrderEvents, the after-sales reason
 * read from a platform's free text, and the strings built for a request.
 *
 * A platform body (a Taobao trade, a Shopify order) always carries the
 * whole order, while an OrderEvent carries only the field groups its kind
 * changes (OV-12: CORE, LINES, FEE, PAYMENT, ADDRESS, MEMO; docs/topics.md).
 * So a mapping reads the whole order into a gw_pf once and
 * gw_pf_emit_order() cuts the view each kind needs from it: one table
 * (kind -> groups) instead of one hand-written copy per topic, and a
 * Shopify orders/updated emits several kinds from the same reading.
 *
 * Memory: a gw_pf owns its storage (lines, discounts, receiver, strings
 * built by gw_pf_strf()); the strings read from the body point into the
 * cJSON tree, which outlives the mapping call. Nothing is kept after
 * gw_pf_free(): every record is packed when emitted. */
#ifndef GW_PLATFORM_H
#define GW_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "cs/v1/envelope.pb-c.h"
#include "gw_json.h"
#include "gw_map.h"

#define GW_PF_MAX_LINES 200   /* order lines a body may carry */
#define GW_PF_MAX_DISCOUNTS 8 /* discount entries of one order */
#define GW_PF_MAX_OWNED 16    /* strings built for one request */
#define GW_PF_ID_LEN 64       /* bytes of a platform id (order, line, refund, customer) */
#define GW_PF_NAME_LEN 256    /* names, titles, SKUs, couriers */
#define GW_PF_TEXT_LEN 2000   /* buyer messages, memos, review texts, reasons */

/* One request being mapped: the reading context and the order read. */
typedef struct gw_pf {
    const gw_request *rq; /* the request (shop, ids, ingest time) */
    gw_mapped *out;       /* where records go */
    gw_json j;            /* reading context: path of 400s, the shop's zone */
    const char *source;   /* envelope source: "taobao", "shopify" */
    Cs__V1__Order order;  /* the whole order as the body gives it */
    Cs__V1__OrderLine line_store[GW_PF_MAX_LINES];
    Cs__V1__OrderLine *lines[GW_PF_MAX_LINES]; /* order.lines points here */
    Cs__V1__Discount discount_store[GW_PF_MAX_DISCOUNTS];
    Cs__V1__Discount *discounts[GW_PF_MAX_DISCOUNTS]; /* order.discounts points here */
    Cs__V1__Receiver receiver;                        /* order.receiver points here once a receiver is read */
    Cs__V1__Address address;                          /* receiver.address */
    Cs__V1__Shipment shipment;                        /* SHIPPED */
    Cs__V1__Cancellation cancellation;                /* CANCELLED */
    char *cancel_lines[GW_PF_MAX_LINES];              /* cancellation.line_ids points here */
    int64_t signed_ms;                                /* SIGNED */
    char *owned[GW_PF_MAX_OWNED];                     /* strings of gw_pf_strf(), freed with the gw_pf */
    size_t nowned;
} gw_pf;

/* A new context for rq writing into out and err; the order is empty but
 * for its channel (the shop's). Free with gw_pf_free() (accepts NULL). */
gw_pf *gw_pf_new(const gw_request *rq, gw_mapped *out, gw_error *err, const char *source);
void gw_pf_free(gw_pf *pf);

/* A string built with printf, owned by pf (lives until gw_pf_free()). */
char *gw_pf_strf(gw_pf *pf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* a and b joined by sep, leaving out an empty or NULL part (owned by pf,
 * or one of the arguments itself when the other is empty). */
const char *gw_pf_join(gw_pf *pf, const char *a, const char *sep, const char *b);
/* The first of n strings that is neither NULL nor empty, else "". */
const char *gw_pf_first(size_t n, const char *const *candidates);

/* The request's event id (a platform message id): checked (1..128
 * visible ASCII characters, gw_event_id_valid()) and set with the kind
 * for logs. field names it in a 400 ("id", "X-Shopify-Webhook-Id"). */
int gw_pf_begin(gw_pf *pf, const char *event_id, const char *field, const char *kind);

/* Array member key of obj, each element an object handed to fn with the
 * path at "<key>[i]" (so fn's refusals name the element's fields). An
 * absent optional array is 0; a required one must have an element
 * ("empty; at least one <what>"); more than maxn elements, or an element
 * that is not an object, is refused. 1 when read, or -1. */
typedef int (*gw_pf_each_fn)(gw_pf *pf, const cJSON *elem, void *arg);
int gw_pf_each(gw_pf *pf, const cJSON *obj, const char *key, gw_need need, size_t maxn, const char *what,
               gw_pf_each_fn fn, void *arg);

/* Adds a line (initialised, in order.lines), or refuses with a 400 on
 * the current path when the order already has GW_PF_MAX_LINES. */
Cs__V1__OrderLine *gw_pf_add_line(gw_pf *pf);
/* Adds a discount of kind (a static or pf-owned string); 0 fen adds
 * nothing. Sums into an existing entry of the same kind. */
void gw_pf_add_discount(gw_pf *pf, const char *kind, int64_t fen);
/* Points order.receiver at pf's receiver (and its address). */
Cs__V1__Receiver *gw_pf_receiver(gw_pf *pf);

/* Emits an OrderEvent of kind: the order's id and modified time, the
 * field groups of kind (CREATED: all; PAID: payment; FEE_CHANGED:
 * discounts and shipping; ADDRESS_CHANGED: receiver; MEMO_CHANGED: buyer
 * message, memo and special requests; LINES_CHANGED: lines), and the
 * event's own part (SHIPPED: pf->shipment, SIGNED: pf->signed_ms,
 * CANCELLED: pf->cancellation). Topic shop.orders.v1, key
 * "<shop_id>:<order_id>". 0, or -1 with the error set. */
int gw_pf_emit_order(gw_pf *pf, Cs__V1__OrderEventKind kind, int64_t event_ms);
/* Emits an after-sales case (shop.aftersales.v1) / a review
 * (shop.reviews.v1), keyed by their order. */
int gw_pf_emit_case(gw_pf *pf, Cs__V1__AfterSalesCase *c, int64_t event_ms);
int gw_pf_emit_review(gw_pf *pf, Cs__V1__Review *r, int64_t event_ms);

/* The case reason a refund's free text names (Taobao's reason list, a
 * Shopify refund note; Chinese and English words), CASE_REASON_OTHER
 * when none is recognised. The table is in docs/webhooks-platforms.md. */
Cs__V1__CaseReason gw_pf_reason_of_text(const char *text);

#endif
