/* generic.c -- the generic webhook body (POST /v1/webhooks/generic) into
 * cs.v1 records.
 *
 * The generic body is the project's own format, for shops whose platform
 * has no mapping of its own (own sites, ERPs) and for tests. Reference for
 * senders: docs/webhooks-generic.md; JSON Schema:
 * docs/webhooks-generic.schema.json; one example per type:
 * tests/data/webhooks/generic/<type>.json.
 *
 *   {"event_id": "<1..128 visible ASCII>", "type": "order.created",
 *    "occurred_at": "<RFC 3339>", "currency": "CNY", "data": {...}}
 *
 * - event_id may instead come from the Standard Webhooks `webhook-id`
 *   header (rq->webhook_id); with both, they must be equal.
 * - occurred_at is the envelope's event_ms (business time).
 * - currency is optional (default: the shop's); any other is refused.
 * - data's keys are the proto's field names, with money named without
 *   `_fen` and given as a decimal string ("unit_price": "117.70"), an
 *   instant `*_ms` named `*_at` (RFC 3339), a date `*_date_ms` named
 *   `*_date` ("2026-11-13", local midnight in the shop's zone, or RFC
 *   3339), enums by their lower-case name ("return_refund").
 * - Keys the mapping does not know are ignored, at every level, so a
 *   sender may add fields before the gateway reads them (forward
 *   compatible); a known key with a wrong type is refused.
 *
 * One request is one record. The types are two tables: order events
 * (which field groups each reads, OV-12's groups) and flat events (one
 * proto message read by a field table, its topic and its key). */
#include "gw_map_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/topics.h"
#include "cs/util.h"

#define GEN_SOURCE "generic"
#define GEN_MAX_ID 128    /* bytes of an order, case, buyer or SKU id (the workers' limit) */
#define GEN_MAX_TEXT 4000 /* bytes of free text: messages, memos, notes */
#define GEN_MAX_NAME 256  /* bytes of a name, title, account, address part */
#define GEN_MAX_LINES 500 /* lines or discounts of one order */
#define GEN_MAX_QTY 1000000
#define GEN_MAX_STOCK 1000000000
#define GEN_OWNED 8 /* allocations one request makes at most (lines and discounts: 2 each, line_ids, a message) */

/* ---- enum names (lower-case proto names without the prefix) --------------------- */

static const gw_enum_name PAYMENT_METHODS[] = {
    {"platform", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM},
    {"bank_transfer", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER},
    {"own_site_alipay", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_OWN_SITE_ALIPAY},
    {"online_banking", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_ONLINE_BANKING},
    {"cod", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD},
    {NULL, 0},
};

static const gw_enum_name CASE_TYPES[] = {
    {"refund_only", CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY},
    {"return_refund", CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND},
    {"exchange", CS__V1__CASE_TYPE__CASE_TYPE_EXCHANGE},
    {"repair", CS__V1__CASE_TYPE__CASE_TYPE_REPAIR},
    {"reship", CS__V1__CASE_TYPE__CASE_TYPE_RESHIP},
    {"postage_difference", CS__V1__CASE_TYPE__CASE_TYPE_POSTAGE_DIFFERENCE},
    {NULL, 0},
};

static const gw_enum_name CASE_REASONS[] = {
    {"quality", CS__V1__CASE_REASON__CASE_REASON_QUALITY},
    {"wrong_item", CS__V1__CASE_REASON__CASE_REASON_WRONG_ITEM},
    {"missing_item", CS__V1__CASE_REASON__CASE_REASON_MISSING_ITEM},
    {"no_reason_7d", CS__V1__CASE_REASON__CASE_REASON_NO_REASON_7D},
    {"not_received", CS__V1__CASE_REASON__CASE_REASON_NOT_RECEIVED},
    {"out_of_stock", CS__V1__CASE_REASON__CASE_REASON_OUT_OF_STOCK},
    {"changed_mind", CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND},
    {"other", CS__V1__CASE_REASON__CASE_REASON_OTHER},
    {NULL, 0},
};

static const gw_enum_name CASE_STAGES[] = {
    {"requested", CS__V1__CASE_STAGE__CASE_STAGE_REQUESTED},
    {"agreed", CS__V1__CASE_STAGE__CASE_STAGE_AGREED},
    {"refused", CS__V1__CASE_STAGE__CASE_STAGE_REFUSED},
    {"buyer_shipped", CS__V1__CASE_STAGE__CASE_STAGE_BUYER_SHIPPED},
    {"return_received", CS__V1__CASE_STAGE__CASE_STAGE_RETURN_RECEIVED},
    {"refunded", CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED},
    {"reshipped", CS__V1__CASE_STAGE__CASE_STAGE_RESHIPPED},
    {"closed", CS__V1__CASE_STAGE__CASE_STAGE_CLOSED},
    {"platform_intervened", CS__V1__CASE_STAGE__CASE_STAGE_PLATFORM_INTERVENED},
    {NULL, 0},
};

static const gw_enum_name LOGISTICS_STATES[] = {
    {"not_shipped", CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_NOT_SHIPPED},
    {"in_transit", CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_IN_TRANSIT},
    {"signed", CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_SIGNED},
    {"refused", CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_REFUSED},
    {"stuck", CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_STUCK},
    {NULL, 0},
};

static const gw_enum_name COMPLAINT_LEVELS[] = {
    {"l1_urgent", CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L1_URGENT},
    {"l2_experience", CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L2_EXPERIENCE},
    {"l3_enquiry", CS__V1__COMPLAINT_LEVEL__COMPLAINT_LEVEL_L3_ENQUIRY},
    {NULL, 0},
};

static const gw_enum_name RATINGS[] = {
    {"positive", CS__V1__REVIEW_RATING__REVIEW_RATING_POSITIVE},
    {"neutral", CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL},
    {"negative", CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE},
    {NULL, 0},
};

static const gw_enum_name DISLIKES[] = {
    {"product", CS__V1__DISLIKE_KIND__DISLIKE_KIND_PRODUCT},
    {"service", CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE},
    {NULL, 0},
};

static const gw_enum_name CALL_OUTCOMES[] = {
    {"reached", CS__V1__CALL_OUTCOME__CALL_OUTCOME_REACHED},
    {"unreachable", CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE},
    {"refused", CS__V1__CALL_OUTCOME__CALL_OUTCOME_REFUSED},
    {"agreed", CS__V1__CALL_OUTCOME__CALL_OUTCOME_AGREED},
    {NULL, 0},
};

static const gw_enum_name CASE_OUTCOMES[] = {
    {"refused", CS__V1__CASE_OUTCOME__CASE_OUTCOME_REFUSED},
    {"no_answer", CS__V1__CASE_OUTCOME__CASE_OUTCOME_NO_ANSWER},
    {"closed", CS__V1__CASE_OUTCOME__CASE_OUTCOME_CLOSED},
    {NULL, 0},
};

/* ---- field tables ------------------------------------------------------------------ */

#define REQ GW_REQUIRED
#define OPT GW_OPTIONAL
#define F(type, key, kind, need, member, max)                                                                          \
    { key, kind, need, offsetof(type, member), max, NULL }
#define FE(type, key, need, member, names)                                                                             \
    { key, GW_F_ENUM, need, offsetof(type, member), 0, names }
#define NF(a) (sizeof(a) / sizeof((a)[0]))

/* OV-12 core group: read by order.created only */
static const gw_field ORDER_CORE[] = {
    F(Cs__V1__Order, "buyer_id", GW_F_ID, OPT, buyer_id, GEN_MAX_ID),
    F(Cs__V1__Order, "created_at", GW_F_TIME, OPT, created_ms, 0),
    F(Cs__V1__Order, "courier", GW_F_STR, OPT, courier, GEN_MAX_ID),
    F(Cs__V1__Order, "cod", GW_F_BOOL, OPT, cod, 0),
    F(Cs__V1__Order, "on_hold", GW_F_BOOL, OPT, on_hold, 0),
};

static const gw_field ORDER_FEE[] = {
    F(Cs__V1__Order, "shipping_fee", GW_F_MONEY, OPT, shipping_fee_fen, 0),
};

static const gw_field ORDER_PAYMENT[] = {
    FE(Cs__V1__Order, "payment_method", OPT, payment_method, PAYMENT_METHODS),
    F(Cs__V1__Order, "paid_amount", GW_F_MONEY, OPT, paid_amount_fen, 0),
    F(Cs__V1__Order, "paid_at", GW_F_TIME, OPT, paid_ms, 0),
};

static const gw_field ORDER_MEMO[] = {
    F(Cs__V1__Order, "buyer_message", GW_F_STR, OPT, buyer_message, GEN_MAX_TEXT),
    F(Cs__V1__Order, "seller_memo", GW_F_STR, OPT, seller_memo, GEN_MAX_TEXT),
    F(Cs__V1__Order, "gift_wrap", GW_F_BOOL, OPT, gift_wrap, 0),
    F(Cs__V1__Order, "delivery_window", GW_F_STR, OPT, delivery_window, GEN_MAX_NAME),
    F(Cs__V1__Order, "installation", GW_F_BOOL, OPT, installation, 0),
};

static const gw_field LINE[] = {
    F(Cs__V1__OrderLine, "line_id", GW_F_ID, OPT, line_id, GEN_MAX_ID),
    F(Cs__V1__OrderLine, "sku", GW_F_STR, REQ, sku, GEN_MAX_ID),
    F(Cs__V1__OrderLine, "title", GW_F_STR, REQ, title, GEN_MAX_NAME),
    F(Cs__V1__OrderLine, "quantity", GW_F_INT32, REQ, quantity, GEN_MAX_QTY),
    F(Cs__V1__OrderLine, "unit_price", GW_F_MONEY, REQ, unit_price_fen, 0),
    F(Cs__V1__OrderLine, "gift", GW_F_BOOL, OPT, gift, 0),
    F(Cs__V1__OrderLine, "presale", GW_F_BOOL, OPT, presale, 0),
    F(Cs__V1__OrderLine, "presale_ship_date", GW_F_DATE, OPT, presale_ship_date_ms, 0),
};

static const gw_field DISCOUNT[] = {
    F(Cs__V1__Discount, "kind", GW_F_STR, REQ, kind, GEN_MAX_ID),
    F(Cs__V1__Discount, "amount", GW_F_MONEY, REQ, amount_fen, 0),
};

static const gw_field RECEIVER[] = {
    F(Cs__V1__Receiver, "name", GW_F_STR, OPT, name, GEN_MAX_NAME),
    F(Cs__V1__Receiver, "phone", GW_F_STR, OPT, phone, 64),
};

static const gw_field ADDRESS[] = {
    F(Cs__V1__Address, "province", GW_F_STR, OPT, province, GEN_MAX_NAME),
    F(Cs__V1__Address, "city", GW_F_STR, OPT, city, GEN_MAX_NAME),
    F(Cs__V1__Address, "district", GW_F_STR, OPT, district, GEN_MAX_NAME),
    F(Cs__V1__Address, "street", GW_F_STR, OPT, street, GEN_MAX_TEXT),
    F(Cs__V1__Address, "postcode", GW_F_STR, OPT, postcode, 32),
};

static const gw_field SHIPMENT[] = {
    F(Cs__V1__Shipment, "courier", GW_F_STR, REQ, courier, GEN_MAX_ID),
    F(Cs__V1__Shipment, "tracking_no", GW_F_STR, REQ, tracking_no, GEN_MAX_ID),
    F(Cs__V1__Shipment, "shipped_at", GW_F_TIME, OPT, shipped_ms, 0),
};

static const gw_field SIGNING[] = {
    F(Cs__V1__OrderEvent, "signed_at", GW_F_TIME, OPT, signed_ms, 0),
};

static const gw_field CANCELLATION[] = {
    F(Cs__V1__Cancellation, "reason", GW_F_STR, REQ, reason, GEN_MAX_TEXT),
    F(Cs__V1__Cancellation, "refund", GW_F_MONEY, OPT, refund_fen, 0),
};

static const gw_field CASE[] = {
    F(Cs__V1__AfterSalesCase, "case_id", GW_F_ID, REQ, case_id, GEN_MAX_ID),
    F(Cs__V1__AfterSalesCase, "order_id", GW_F_ID, REQ, order_id, GEN_MAX_ID),
    F(Cs__V1__AfterSalesCase, "sku", GW_F_STR, OPT, sku, GEN_MAX_ID),
    FE(Cs__V1__AfterSalesCase, "type", REQ, type, CASE_TYPES),
    FE(Cs__V1__AfterSalesCase, "reason", REQ, reason, CASE_REASONS),
    FE(Cs__V1__AfterSalesCase, "stage", REQ, stage, CASE_STAGES),
    F(Cs__V1__AfterSalesCase, "amount", GW_F_MONEY, OPT, amount_fen, 0),
    F(Cs__V1__AfterSalesCase, "agent", GW_F_STR, OPT, agent, GEN_MAX_ID),
    F(Cs__V1__AfterSalesCase, "has_photo", GW_F_BOOL, OPT, has_photo, 0),
    F(Cs__V1__AfterSalesCase, "item_unusable_photo", GW_F_BOOL, OPT, item_unusable_photo, 0),
    F(Cs__V1__AfterSalesCase, "goods_unused", GW_F_BOOL, OPT, goods_unused, 0),
    F(Cs__V1__AfterSalesCase, "packaging_complete", GW_F_BOOL, OPT, packaging_complete, 0),
    F(Cs__V1__AfterSalesCase, "freight_collect", GW_F_BOOL, OPT, freight_collect, 0),
    F(Cs__V1__AfterSalesCase, "resellable", GW_F_BOOL, OPT, resellable, 0),
    F(Cs__V1__AfterSalesCase, "refund_account", GW_F_STR, OPT, refund_account, GEN_MAX_NAME),
    FE(Cs__V1__AfterSalesCase, "logistics", OPT, logistics, LOGISTICS_STATES),
    F(Cs__V1__AfterSalesCase, "buyer_wants_return", GW_F_BOOL, OPT, buyer_wants_return, 0),
    F(Cs__V1__AfterSalesCase, "requested_at", GW_F_TIME, OPT, requested_ms, 0),
    F(Cs__V1__AfterSalesCase, "buyer_id", GW_F_ID, OPT, buyer_id, GEN_MAX_ID),
    F(Cs__V1__AfterSalesCase, "postage_paid", GW_F_MONEY, OPT, postage_paid_fen, 0),
    F(Cs__V1__AfterSalesCase, "origin_province", GW_F_STR, OPT, origin_province, GEN_MAX_NAME),
    F(Cs__V1__AfterSalesCase, "supplier_exchanges", GW_F_BOOL, OPT, supplier_exchanges, 0),
};

static const gw_field COMPLAINT[] = {
    F(Cs__V1__Complaint, "complaint_id", GW_F_ID, REQ, complaint_id, GEN_MAX_ID),
    F(Cs__V1__Complaint, "order_id", GW_F_ID, REQ, order_id, GEN_MAX_ID),
    F(Cs__V1__Complaint, "buyer_id", GW_F_ID, OPT, buyer_id, GEN_MAX_ID),
    FE(Cs__V1__Complaint, "level", REQ, level, COMPLAINT_LEVELS),
    F(Cs__V1__Complaint, "summary", GW_F_STR, OPT, summary, GEN_MAX_TEXT),
    F(Cs__V1__Complaint, "closed", GW_F_BOOL, OPT, closed, 0),
    F(Cs__V1__Complaint, "escalated", GW_F_BOOL, OPT, escalated, 0),
    F(Cs__V1__Complaint, "solution_offered", GW_F_BOOL, OPT, solution_offered, 0),
    F(Cs__V1__Complaint, "opened_at", GW_F_TIME, OPT, opened_ms, 0),
};

static const gw_field DISPUTE[] = {
    F(Cs__V1__Dispute, "dispute_id", GW_F_ID, REQ, dispute_id, GEN_MAX_ID),
    F(Cs__V1__Dispute, "order_id", GW_F_ID, REQ, order_id, GEN_MAX_ID),
    F(Cs__V1__Dispute, "case_id", GW_F_ID, OPT, case_id, GEN_MAX_ID),
    F(Cs__V1__Dispute, "seller_responsible", GW_F_BOOL, OPT, seller_responsible, 0),
    F(Cs__V1__Dispute, "refund", GW_F_MONEY, OPT, refund_fen, 0),
    F(Cs__V1__Dispute, "closed", GW_F_BOOL, OPT, closed, 0),
};

/* rating: required by "review" (its must list), optional in a revision */
static const gw_field REVIEW[] = {
    F(Cs__V1__Review, "review_id", GW_F_ID, REQ, review_id, GEN_MAX_ID),
    F(Cs__V1__Review, "order_id", GW_F_ID, REQ, order_id, GEN_MAX_ID),
    F(Cs__V1__Review, "buyer_id", GW_F_ID, OPT, buyer_id, GEN_MAX_ID),
    F(Cs__V1__Review, "sku", GW_F_STR, OPT, sku, GEN_MAX_ID),
    FE(Cs__V1__Review, "rating", OPT, rating, RATINGS),
    F(Cs__V1__Review, "text", GW_F_STR, OPT, text, GEN_MAX_TEXT),
    FE(Cs__V1__Review, "dislike", OPT, dislike, DISLIKES),
    F(Cs__V1__Review, "posted_at", GW_F_TIME, OPT, posted_ms, 0),
    F(Cs__V1__Review, "item_price", GW_F_MONEY, OPT, item_price_fen, 0),
    F(Cs__V1__Review, "buyer_phone", GW_F_STR, OPT, buyer_phone, 64),
};

static const gw_field INVENTORY[] = {
    F(Cs__V1__InventoryLevel, "sku", GW_F_STR, REQ, sku, GEN_MAX_ID),
    F(Cs__V1__InventoryLevel, "available", GW_F_INT32, OPT, available, GEN_MAX_STOCK),
    F(Cs__V1__InventoryLevel, "restock_quantity", GW_F_INT32, OPT, restock_quantity, GEN_MAX_STOCK),
    F(Cs__V1__InventoryLevel, "restock_date", GW_F_DATE, OPT, restock_date_ms, 0),
    F(Cs__V1__InventoryLevel, "counted_at", GW_F_TIME, OPT, counted_ms, 0),
};

static const gw_field CALL[] = {
    F(Cs__V1__CallResult, "task_id", GW_F_STR, OPT, task_id, GEN_MAX_NAME),
    F(Cs__V1__CallResult, "order_id", GW_F_ID, REQ, order_id, GEN_MAX_ID),
    F(Cs__V1__CallResult, "agent", GW_F_STR, OPT, agent, GEN_MAX_ID),
    FE(Cs__V1__CallResult, "outcome", REQ, outcome, CALL_OUTCOMES),
    F(Cs__V1__CallResult, "note", GW_F_STR, OPT, note, GEN_MAX_TEXT),
    F(Cs__V1__CallResult, "buyer_has_im", GW_F_BOOL, OPT, buyer_has_im, 0),
};

/* online: required (its must list): absent would read as offline */
static const gw_field PRESENCE[] = {
    F(Cs__V1__Presence, "buyer_id", GW_F_ID, REQ, buyer_id, GEN_MAX_ID),
    F(Cs__V1__Presence, "online", GW_F_BOOL, OPT, online, 0),
};

static const gw_field SMS[] = {
    F(Cs__V1__InboundSms, "from_phone", GW_F_STR, REQ, from_phone, 64),
    F(Cs__V1__InboundSms, "text", GW_F_STR, REQ, text, GEN_MAX_TEXT),
};

static const gw_field CHASER[] = {
    F(Cs__V1__DeliveryChaser, "order_id", GW_F_ID, REQ, order_id, GEN_MAX_ID),
    F(Cs__V1__DeliveryChaser, "buyer_id", GW_F_ID, OPT, buyer_id, GEN_MAX_ID),
    F(Cs__V1__DeliveryChaser, "text", GW_F_STR, OPT, text, GEN_MAX_TEXT),
};

static const gw_field INVOICE[] = {
    F(Cs__V1__InvoiceRequest, "order_id", GW_F_ID, REQ, order_id, GEN_MAX_ID),
    F(Cs__V1__InvoiceRequest, "buyer_id", GW_F_ID, OPT, buyer_id, GEN_MAX_ID),
    F(Cs__V1__InvoiceRequest, "title", GW_F_STR, OPT, title, GEN_MAX_NAME),
    F(Cs__V1__InvoiceRequest, "tax_id", GW_F_STR, OPT, tax_id, GEN_MAX_ID),
};

static const gw_field CASE_UPDATE[] = {
    F(Cs__V1__CaseUpdate, "case_id", GW_F_ID, REQ, case_id, GEN_MAX_ID),
    F(Cs__V1__CaseUpdate, "order_id", GW_F_ID, REQ, order_id, GEN_MAX_ID),
    F(Cs__V1__CaseUpdate, "agent", GW_F_STR, OPT, agent, GEN_MAX_ID),
    F(Cs__V1__CaseUpdate, "buyer_difficult", GW_F_BOOL, OPT, buyer_difficult, 0),
    FE(Cs__V1__CaseUpdate, "outcome", OPT, outcome, CASE_OUTCOMES),
    F(Cs__V1__CaseUpdate, "note", GW_F_STR, OPT, note, GEN_MAX_TEXT),
    FE(Cs__V1__CaseUpdate, "dislike", OPT, dislike, DISLIKES),
};

/* ---- the type tables ------------------------------------------------------------------ */

/* Order field groups an order event reads from data (OV-12's groups, plus
 * the event kinds' own parts). */
enum {
    G_CORE = 1 << 0,    /* buyer_id, created_at, courier, cod, on_hold */
    G_LINES = 1 << 1,   /* lines[] */
    G_FEE = 1 << 2,     /* discounts[], shipping_fee */
    G_PAYMENT = 1 << 3, /* payment_method, paid_amount, paid_at */
    G_ADDRESS = 1 << 4, /* receiver{} */
    G_MEMO = 1 << 5,    /* buyer_message, seller_memo, gift_wrap, delivery_window, installation */
    G_SHIP = 1 << 6,    /* courier, tracking_no, shipped_at -> Shipment */
    G_SIGN = 1 << 7,    /* signed_at */
    G_CANCEL = 1 << 8,  /* reason, line_ids[], refund -> Cancellation */
};

/* The envelope body a flat type's message goes into. */
typedef enum gen_body {
    B_CASE,
    B_COMPLAINT,
    B_DISPUTE,
    B_REVIEW,
    B_INVENTORY,
    B_CALL,
    B_PRESENCE,
    B_SMS,
    B_CHASER,
    B_INVOICE,
    B_CASE_UPDATE,
} gen_body;

/* How a flat type's Kafka key is made from its key member (docs/topics.md). */
typedef enum gen_key {
    K_ORDER, /* <shop_id>:<order_id> */
    K_SKU,   /* <sku> */
    K_BUYER, /* <shop_id>:buyer:<buyer_id> */
    K_PHONE, /* <shop_id>:phone:<phone> */
} gen_key;

typedef struct gen_type {
    const char *name;                       /* "type" of the body */
    const char *const *must;                /* data keys required beyond the tables' own */
    int order_kind;                         /* order events: the OrderEventKind; 0 = a flat event */
    unsigned groups;                        /* order events: G_* read */
    const ProtobufCMessageDescriptor *desc; /* flat events: the message */
    const gw_field *fields;                 /* flat events: its fields */
    size_t nfields;
    gen_body body;     /* flat events: where it goes */
    const char *topic; /* flat events: CS_TOPIC_* */
    gen_key key;       /* flat events: how it is keyed */
    size_t key_off;    /* flat events: offsetof the key member (char *) */
    bool revision;     /* review.revised: Review.revision = true */
} gen_type;

static const char *const MUST_NONE[] = {NULL};
static const char *const MUST_CREATED[] = {"buyer_id", "created_at", "lines", NULL};
static const char *const MUST_PAID[] = {"paid_amount", NULL};
static const char *const MUST_FEE[] = {"shipping_fee", NULL};
static const char *const MUST_ADDRESS[] = {"receiver", NULL};
static const char *const MUST_LINES[] = {"lines", NULL};
static const char *const MUST_REVIEW[] = {"rating", NULL};
static const char *const MUST_PRESENCE[] = {"online", NULL};

#define ORDER_TYPE(name, kind, groups, must)                                                                           \
    { name, must, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_##kind, groups, NULL, NULL, 0, 0, NULL, K_ORDER, 0, false }
#define FLAT_TYPE(name, must, desc, fields, body, topic, key, type, member, rev)                                       \
    { name, must, 0, 0, &desc, fields, NF(fields), body, topic, key, offsetof(type, member), rev }

static const gen_type TYPES[] = {
    ORDER_TYPE("order.created", CREATED, G_CORE | G_LINES | G_FEE | G_PAYMENT | G_ADDRESS | G_MEMO, MUST_CREATED),
    ORDER_TYPE("order.paid", PAID, G_PAYMENT, MUST_PAID),
    ORDER_TYPE("order.fee_changed", FEE_CHANGED, G_FEE, MUST_FEE),
    ORDER_TYPE("order.address_changed", ADDRESS_CHANGED, G_ADDRESS, MUST_ADDRESS),
    ORDER_TYPE("order.memo_changed", MEMO_CHANGED, G_MEMO, MUST_NONE),
    ORDER_TYPE("order.lines_changed", LINES_CHANGED, G_LINES, MUST_LINES),
    ORDER_TYPE("order.shipped", SHIPPED, G_SHIP, MUST_NONE),
    ORDER_TYPE("order.signed", SIGNED, G_SIGN, MUST_NONE),
    ORDER_TYPE("order.cancelled", CANCELLED, G_CANCEL, MUST_NONE),
    ORDER_TYPE("order.closed", CLOSED, 0, MUST_NONE),
    FLAT_TYPE("aftersales.case", MUST_NONE, cs__v1__after_sales_case__descriptor, CASE, B_CASE, CS_TOPIC_AFTERSALES,
              K_ORDER, Cs__V1__AfterSalesCase, order_id, false),
    FLAT_TYPE("aftersales.complaint", MUST_NONE, cs__v1__complaint__descriptor, COMPLAINT, B_COMPLAINT,
              CS_TOPIC_AFTERSALES, K_ORDER, Cs__V1__Complaint, order_id, false),
    FLAT_TYPE("aftersales.dispute", MUST_NONE, cs__v1__dispute__descriptor, DISPUTE, B_DISPUTE, CS_TOPIC_AFTERSALES,
              K_ORDER, Cs__V1__Dispute, order_id, false),
    FLAT_TYPE("review", MUST_REVIEW, cs__v1__review__descriptor, REVIEW, B_REVIEW, CS_TOPIC_REVIEWS, K_ORDER,
              Cs__V1__Review, order_id, false),
    FLAT_TYPE("review.revised", MUST_NONE, cs__v1__review__descriptor, REVIEW, B_REVIEW, CS_TOPIC_REVIEWS, K_ORDER,
              Cs__V1__Review, order_id, true),
    FLAT_TYPE("inventory.level", MUST_NONE, cs__v1__inventory_level__descriptor, INVENTORY, B_INVENTORY,
              CS_TOPIC_INVENTORY, K_SKU, Cs__V1__InventoryLevel, sku, false),
    FLAT_TYPE("contact.call_result", MUST_NONE, cs__v1__call_result__descriptor, CALL, B_CALL, CS_TOPIC_CONTACTS,
              K_ORDER, Cs__V1__CallResult, order_id, false),
    FLAT_TYPE("contact.presence", MUST_PRESENCE, cs__v1__presence__descriptor, PRESENCE, B_PRESENCE, CS_TOPIC_CONTACTS,
              K_BUYER, Cs__V1__Presence, buyer_id, false),
    FLAT_TYPE("contact.sms_reply", MUST_NONE, cs__v1__inbound_sms__descriptor, SMS, B_SMS, CS_TOPIC_CONTACTS, K_PHONE,
              Cs__V1__InboundSms, from_phone, false),
    FLAT_TYPE("contact.chaser", MUST_NONE, cs__v1__delivery_chaser__descriptor, CHASER, B_CHASER, CS_TOPIC_CONTACTS,
              K_ORDER, Cs__V1__DeliveryChaser, order_id, false),
    FLAT_TYPE("contact.invoice", MUST_NONE, cs__v1__invoice_request__descriptor, INVOICE, B_INVOICE, CS_TOPIC_CONTACTS,
              K_ORDER, Cs__V1__InvoiceRequest, order_id, false),
    FLAT_TYPE("contact.case_update", MUST_NONE, cs__v1__case_update__descriptor, CASE_UPDATE, B_CASE_UPDATE,
              CS_TOPIC_CONTACTS, K_ORDER, Cs__V1__CaseUpdate, order_id, false),
};

/* ---- one request ----------------------------------------------------------------------- */

typedef struct gen_ctx {
    const gw_request *rq;
    gw_json j;           /* path: "data" while data is read */
    const cJSON *data;   /* the body's data object */
    const gen_type *t;   /* its type */
    int64_t occurred_ms; /* occurred_at: the envelope's event_ms */
    gw_mapped *out;
    void *owned[GEN_OWNED]; /* freed when the request is mapped (messages point into the tree) */
    size_t nowned;
} gen_ctx;

/* Keeps p until gen_release(); returns it. */
static void *own(gen_ctx *c, void *p) {
    if (c->nowned == GEN_OWNED) abort(); /* a table asks for more than GEN_OWNED: a bug, not input */
    c->owned[c->nowned++] = p;
    return p;
}

static void gen_release(gen_ctx *c) {
    for (size_t i = 0; i < c->nowned; i++) free(c->owned[i]);
    c->nowned = 0;
}

/* Reads array `key` of data: objects, each a message of desc read by
 * fields. *items (an array of n pointers) and the messages are owned by c. */
static int read_objects(gen_ctx *c, const char *key, const ProtobufCMessageDescriptor *desc, const gw_field *fields,
                        size_t nf, void ***items, size_t *n) {
    const cJSON *arr = NULL;
    int rc = gw_json_array(&c->j, c->data, key, GW_OPTIONAL, GEN_MAX_LINES, &arr);
    if (rc <= 0) return rc;
    size_t count = (size_t)cJSON_GetArraySize(arr), i = 0;
    char *msgs = own(c, cs_xcalloc(count ? count : 1, desc->sizeof_message));
    void **ptrs = own(c, cs_xcalloc(count ? count : 1, sizeof *ptrs));
    size_t mark = gw_json_enter(&c->j, key);
    const cJSON *el;
    cJSON_ArrayForEach(el, arr) {
        size_t m2 = gw_json_enter_index(&c->j, i);
        void *msg = msgs + i * desc->sizeof_message;
        protobuf_c_message_init(desc, msg);
        if (!cJSON_IsObject(el)) return gw_json_fail(&c->j, NULL, "an object expected");
        if (gw_json_fields(&c->j, el, fields, nf, msg) != 0) return -1;
        ptrs[i++] = msg;
        gw_json_leave(&c->j, m2);
    }
    gw_json_leave(&c->j, mark);
    *items = ptrs;
    *n = count;
    return 1;
}

static int read_lines(gen_ctx *c, Cs__V1__Order *o) {
    void **items = NULL;
    int rc = read_objects(c, "lines", &cs__v1__order_line__descriptor, LINE, NF(LINE), &items, &o->n_lines);
    if (rc <= 0) return rc;
    if (o->n_lines == 0) return gw_json_fail(&c->j, "lines", "empty; an order has at least one line");
    o->lines = (Cs__V1__OrderLine **)items;
    return 1;
}

static int read_fee(gen_ctx *c, Cs__V1__Order *o) {
    void **items = NULL;
    if (read_objects(c, "discounts", &cs__v1__discount__descriptor, DISCOUNT, NF(DISCOUNT), &items, &o->n_discounts) <
        0)
        return -1;
    o->discounts = (Cs__V1__Discount **)items;
    return gw_json_fields(&c->j, c->data, ORDER_FEE, NF(ORDER_FEE), o);
}

/* receiver{name, phone, address{...}}: r and a are the caller's */
static int read_receiver(gen_ctx *c, Cs__V1__Order *o, Cs__V1__Receiver *r, Cs__V1__Address *a) {
    const cJSON *ro = NULL, *ao = NULL;
    int rc = gw_json_object(&c->j, c->data, "receiver", GW_OPTIONAL, &ro);
    if (rc <= 0) return rc;
    size_t mark = gw_json_enter(&c->j, "receiver");
    if (gw_json_fields(&c->j, ro, RECEIVER, NF(RECEIVER), r) != 0) return -1;
    rc = gw_json_object(&c->j, ro, "address", GW_OPTIONAL, &ao);
    if (rc < 0) return -1;
    if (rc > 0) {
        gw_json_enter(&c->j, "address");
        if (gw_json_fields(&c->j, ao, ADDRESS, NF(ADDRESS), a) != 0) return -1;
        r->address = a;
    }
    gw_json_leave(&c->j, mark);
    o->receiver = r;
    return 1;
}

/* cancellation: reason, refund and line_ids[] (ids; none = the whole order) */
static int read_cancel(gen_ctx *c, Cs__V1__Cancellation *x) {
    if (gw_json_fields(&c->j, c->data, CANCELLATION, NF(CANCELLATION), x) != 0) return -1;
    const cJSON *arr = NULL;
    int rc = gw_json_array(&c->j, c->data, "line_ids", GW_OPTIONAL, GEN_MAX_LINES, &arr);
    if (rc <= 0) return rc;
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
    x->line_ids = own(c, cs_xcalloc(n ? n : 1, sizeof *x->line_ids));
    size_t mark = gw_json_enter(&c->j, "line_ids");
    const cJSON *el;
    cJSON_ArrayForEach(el, arr) {
        const char *id = NULL;
        if (cJSON_IsString(el) && el->valuestring[0] && strlen(el->valuestring) <= GEN_MAX_ID) id = el->valuestring;
        if (!id) {
            gw_json_enter_index(&c->j, i);
            return gw_json_fail(&c->j, NULL, "a line id (a string of 1 to %d bytes) expected", GEN_MAX_ID);
        }
        x->line_ids[i++] = (char *)id;
    }
    gw_json_leave(&c->j, mark);
    x->n_line_ids = n;
    return 1;
}

static int emit(gen_ctx *c, const char *topic, const char *key, Cs__V1__Envelope *env) {
    return gw_mapped_emit(c->out, c->rq, GEN_SOURCE, c->occurred_ms, topic, key, env, c->j.err);
}

static int map_order(gen_ctx *c) {
    const gen_type *t = c->t;
    Cs__V1__OrderEvent ev = CS__V1__ORDER_EVENT__INIT;
    Cs__V1__Order o = CS__V1__ORDER__INIT;
    Cs__V1__Receiver r = CS__V1__RECEIVER__INIT;
    Cs__V1__Address a = CS__V1__ADDRESS__INIT;
    Cs__V1__Shipment s = CS__V1__SHIPMENT__INIT;
    Cs__V1__Cancellation x = CS__V1__CANCELLATION__INIT;
    const char *order_id = NULL;
    ev.kind = (Cs__V1__OrderEventKind)t->order_kind;
    ev.order = &o;
    o.channel = (Cs__V1__Channel)c->rq->shop->channel; /* cs_channel and Channel share their numbers */
    if (gw_json_id(&c->j, c->data, "order_id", GW_REQUIRED, GEN_MAX_ID, &order_id) < 0) return -1;
    o.order_id = (char *)order_id;
    if (gw_json_time(&c->j, c->data, "modified_at", GW_OPTIONAL, &o.modified_ms) < 0) return -1;
    if ((t->groups & G_CORE) && gw_json_fields(&c->j, c->data, ORDER_CORE, NF(ORDER_CORE), &o) != 0) return -1;
    if ((t->groups & G_LINES) && read_lines(c, &o) < 0) return -1;
    if ((t->groups & G_FEE) && read_fee(c, &o) < 0) return -1;
    if ((t->groups & G_PAYMENT) && gw_json_fields(&c->j, c->data, ORDER_PAYMENT, NF(ORDER_PAYMENT), &o) != 0) return -1;
    if ((t->groups & G_ADDRESS) && read_receiver(c, &o, &r, &a) < 0) return -1;
    if ((t->groups & G_MEMO) && gw_json_fields(&c->j, c->data, ORDER_MEMO, NF(ORDER_MEMO), &o) != 0) return -1;
    if (t->groups & G_SHIP) {
        if (gw_json_fields(&c->j, c->data, SHIPMENT, NF(SHIPMENT), &s) != 0) return -1;
        ev.shipment = &s;
    }
    if ((t->groups & G_SIGN) && gw_json_fields(&c->j, c->data, SIGNING, NF(SIGNING), &ev) != 0) return -1;
    if (t->groups & G_CANCEL) {
        if (read_cancel(c, &x) < 0) return -1;
        ev.cancellation = &x;
    }
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.body_case = CS__V1__ENVELOPE__BODY_ORDER;
    env.order = &ev;
    char key[512];
    snprintf(key, sizeof key, "%s:%s", c->rq->shop->id, order_id);
    return emit(c, CS_TOPIC_ORDERS, key, &env);
}

/* inventory.level: a count (available) is dated by counted_at, or by
 * occurred_at when absent, since the verifier takes a level only with a
 * count time (OV-8); a restock alone carries no count time. */
static int fix_inventory(gen_ctx *c, Cs__V1__InventoryLevel *l) {
    bool count = cJSON_GetObjectItemCaseSensitive(c->data, "available") &&
                 !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(c->data, "available"));
    bool restock = l->restock_quantity > 0 || l->restock_date_ms > 0;
    if (!count && l->counted_ms) return gw_json_fail(&c->j, "counted_at", "given without available");
    if (!count && !restock)
        return gw_json_fail(&c->j, "available", "required (or restock_quantity / restock_date): a level says one");
    if (count && !l->counted_ms) l->counted_ms = c->occurred_ms;
    return 0;
}

/* Puts msg into env's body (and the after-sales / contact wrapper). */
static void wrap(Cs__V1__Envelope *env, gen_body b, void *msg, Cs__V1__AfterSalesEvent *as, Cs__V1__ContactEvent *ce) {
    switch (b) {
        case B_CASE: as->body_case = CS__V1__AFTER_SALES_EVENT__BODY_CASE, as->case_ = msg; break;
        case B_COMPLAINT: as->body_case = CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT, as->complaint = msg; break;
        case B_DISPUTE: as->body_case = CS__V1__AFTER_SALES_EVENT__BODY_DISPUTE, as->dispute = msg; break;
        case B_REVIEW: env->body_case = CS__V1__ENVELOPE__BODY_REVIEW, env->review = msg; return;
        case B_INVENTORY: env->body_case = CS__V1__ENVELOPE__BODY_INVENTORY, env->inventory = msg; return;
        case B_CALL: ce->body_case = CS__V1__CONTACT_EVENT__BODY_CALL, ce->call = msg; break;
        case B_PRESENCE: ce->body_case = CS__V1__CONTACT_EVENT__BODY_PRESENCE, ce->presence = msg; break;
        case B_SMS: ce->body_case = CS__V1__CONTACT_EVENT__BODY_SMS, ce->sms = msg; break;
        case B_CHASER: ce->body_case = CS__V1__CONTACT_EVENT__BODY_CHASER, ce->chaser = msg; break;
        case B_INVOICE: ce->body_case = CS__V1__CONTACT_EVENT__BODY_INVOICE, ce->invoice = msg; break;
        case B_CASE_UPDATE: ce->body_case = CS__V1__CONTACT_EVENT__BODY_CASE_UPDATE, ce->case_update = msg; break;
    }
    if (as->body_case) env->body_case = CS__V1__ENVELOPE__BODY_AFTERSALES, env->aftersales = as;
    if (ce->body_case) env->body_case = CS__V1__ENVELOPE__BODY_CONTACT, env->contact = ce;
}

static void flat_key(const gen_ctx *c, const char *id, char *key, size_t len) {
    const char *shop = c->rq->shop->id;
    switch (c->t->key) {
        case K_ORDER: snprintf(key, len, "%s:%s", shop, id); break;
        case K_SKU: snprintf(key, len, "%s", id); break;
        case K_BUYER: snprintf(key, len, "%s:buyer:%s", shop, id); break;
        case K_PHONE: snprintf(key, len, "%s:phone:%s", shop, id); break;
    }
}

static int map_flat(gen_ctx *c) {
    const gen_type *t = c->t;
    char *msg = own(c, cs_xcalloc(1, t->desc->sizeof_message));
    protobuf_c_message_init(t->desc, msg);
    if (gw_json_fields(&c->j, c->data, t->fields, t->nfields, msg) != 0) return -1;
    if (t->revision) ((Cs__V1__Review *)(void *)msg)->revision = 1;
    if (t->body == B_INVENTORY && fix_inventory(c, (Cs__V1__InventoryLevel *)(void *)msg) != 0) return -1;
    const char *id;
    memcpy(&id, msg + t->key_off, sizeof id);
    char key[512];
    flat_key(c, id, key, sizeof key);
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    Cs__V1__AfterSalesEvent as = CS__V1__AFTER_SALES_EVENT__INIT;
    Cs__V1__ContactEvent ce = CS__V1__CONTACT_EVENT__INIT;
    wrap(&env, t->body, msg, &as, &ce);
    return emit(c, t->topic, key, &env);
}

/* The event id: the body's event_id, else the webhook-id header; both
 * present must agree (a sender retrying must send the same id both ways). */
static int event_id_of(gen_ctx *c, const cJSON *root, const char **id) {
    const char *body_id = NULL, *hdr = c->rq->webhook_id;
    if (gw_json_str(&c->j, root, "event_id", GW_OPTIONAL, GW_MAX_EVENT_ID, &body_id) < 0) return -1;
    if (body_id && !gw_event_id_valid(body_id))
        return gw_json_fail(&c->j, "event_id", "1 to %d visible ASCII characters expected", GW_MAX_EVENT_ID);
    if (hdr && !gw_event_id_valid(hdr)) {
        snprintf(c->j.err->field, sizeof c->j.err->field, "webhook-id");
        snprintf(c->j.err->reason, sizeof c->j.err->reason, "1 to %d visible ASCII characters expected",
                 GW_MAX_EVENT_ID);
        return -1;
    }
    if (body_id && hdr && strcmp(body_id, hdr) != 0)
        return gw_json_fail(&c->j, "event_id", "differs from the webhook-id header; send one id");
    *id = body_id ? body_id : hdr;
    if (!*id) return gw_json_fail(&c->j, "event_id", "required (in the body or the webhook-id header)");
    return 0;
}

static const gen_type *type_named(const char *name) {
    for (size_t i = 0; i < NF(TYPES); i++)
        if (strcmp(TYPES[i].name, name) == 0) return &TYPES[i];
    return NULL;
}

/* Reads the envelope part of the body; leaves c->j inside "data". */
static int read_head(gen_ctx *c, const cJSON *root, const char **event_id) {
    const char *type = NULL;
    if (event_id_of(c, root, event_id) != 0) return -1;
    if (gw_json_str(&c->j, root, "type", GW_REQUIRED, 64, &type) < 0) return -1;
    c->t = type_named(type);
    if (!c->t) return gw_json_fail(&c->j, "type", "unknown event type; the types are in docs/webhooks-generic.md");
    if (gw_json_time(&c->j, root, "occurred_at", GW_REQUIRED, &c->occurred_ms) < 0) return -1;
    if (gw_json_currency(&c->j, root, "currency", c->rq->shop->currency) < 0) return -1;
    if (gw_json_object(&c->j, root, "data", GW_REQUIRED, &c->data) < 0) return -1;
    gw_json_enter(&c->j, "data");
    return gw_json_require(&c->j, c->data, c->t->must);
}

int gw_map_generic(const gw_request *rq, const cJSON *root, gw_mapped *out, gw_error *err) {
    gen_ctx c = {.rq = rq, .out = out};
    const char *event_id = NULL;
    gw_json_init(&c.j, err, rq->shop->tz);
    if (read_head(&c, root, &event_id) != 0) return -1;
    gw_mapped_begin(out, event_id, c.t->name);
    int rc = c.t->order_kind ? map_order(&c) : map_flat(&c);
    gen_release(&c);
    return rc;
}
