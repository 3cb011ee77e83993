/* shopify.c -- POST /v1/webhooks/shopify: a Shopify webhook (REST Order or
 * Refund resource) into the cs.v1 records it stands for.
 *
 * Shopify names the event in headers: X-Shopify-Webhook-Id is the event
 * id, X-Shopify-Topic the topic; the shop was found by
 * X-Shopify-Shop-Domain before the mapping runs. The body is the whole
 * resource after the change, with Shopify's field names.
 *
 * Why it is built this way: as in taobao.c, one table row per topic, the
 * order read whole into a gw_pf (platform.h) and emitted as the row's
 * order event kinds, each cutting its own field groups (OV-12). Shopify
 * sends orders/updated without saying what changed, so that topic emits
 * every group the verifier versions separately that an update can touch
 * (address, memo, fee, lines: four records, event ids "<id>" then
 * derived), and OV-12 takes each where it is newer. Shopify ids are
 * integers (read by their exact digits); money is a decimal string; every
 * money amount must be in the shop's currency (a body in another currency
 * is refused, never converted). Decisions are in
 * docs/webhooks-platforms.md. */
#include "gw_map_internal.h"
#include "platform.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

enum {
    SH_NEED_ORDER = 1,     /* created_at, customer, line_items: a full order */
    SH_NEED_PAY = 2,       /* total_price */
    SH_NEED_CANCEL = 4,    /* cancelled_at */
    SH_NEED_FULFILMENT = 8 /* fulfillments[] with at least one */
};

struct sh_topic;
typedef int (*sh_map_fn)(gw_pf *pf, const cJSON *root, const struct sh_topic *t);

typedef struct sh_topic {
    const char *name;          /* X-Shopify-Topic */
    sh_map_fn map;             /* how the body becomes records */
    unsigned need;             /* SH_NEED_* */
    const char *time_key;      /* the member that is the event time */
    int kinds[GW_MAX_RECORDS]; /* order event kinds emitted, in order (0 = none) */
} sh_topic;

/* ---- payment and special requests ---------------------------------------------------- */

/* OV-5's payment method from a gateway name, first match wins ("online
 * banking" before "bank"); any other gateway captured the payment at
 * checkout: PLATFORM. */
static const struct {
    const char *word;
    Cs__V1__PaymentMethod method;
} gateway_words[] = {
    {"cash on delivery", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD},
    {"cash_on_delivery", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD},
    {"(cod)", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD},
    {"online banking", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_ONLINE_BANKING},
    {"unionpay", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_ONLINE_BANKING},
    {"网银", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_ONLINE_BANKING},
    {"bank", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER},
    {"money order", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER},
    {"manual", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER},
    {"alipay", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_OWN_SITE_ALIPAY},
    {"支付宝", CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_OWN_SITE_ALIPAY},
};

static Cs__V1__PaymentMethod method_of_gateway(const char *name) {
    if (!name || !name[0]) return CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_UNSPECIFIED;
    for (size_t i = 0; i < sizeof gateway_words / sizeof *gateway_words; i++)
        if (strcasestr(name, gateway_words[i].word)) return gateway_words[i].method;
    return CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM;
}

/* payment_gateway_names[0], else the older gateway member. */
static int read_gateway(gw_pf *pf, const cJSON *root, const char **name) {
    const cJSON *names = NULL;
    if (gw_json_str(&pf->j, root, "gateway", GW_OPTIONAL, GW_PF_NAME_LEN, name) < 0 ||
        gw_json_array(&pf->j, root, "payment_gateway_names", GW_OPTIONAL, 16, &names) < 0)
        return -1;
    const cJSON *first = names ? cJSON_GetArrayItem(names, 0) : NULL;
    if (cJSON_IsString(first) && first->valuestring[0]) *name = first->valuestring;
    return 0;
}

static bool truthy(const char *v) {
    return strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "是") == 0;
}

/* OV-7's special requests from note_attributes (cart attributes a theme
 * collects): {"name": "gift_wrap", "value": "yes"}, "delivery_window",
 * "installation"; other names are ignored. */
static int read_requests(gw_pf *pf, const cJSON *root) {
    const cJSON *attrs = NULL, *a;
    int rc = gw_json_array(&pf->j, root, "note_attributes", GW_OPTIONAL, 100, &attrs);
    if (rc <= 0) return rc;
    cJSON_ArrayForEach(a, attrs) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "name");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "value");
        if (!cJSON_IsString(n) || !cJSON_IsString(v)) continue;
        if (strcasecmp(n->valuestring, "gift_wrap") == 0) pf->order.gift_wrap = truthy(v->valuestring);
        if (strcasecmp(n->valuestring, "installation") == 0) pf->order.installation = truthy(v->valuestring);
        if (strcasecmp(n->valuestring, "delivery_window") == 0 && strlen(v->valuestring) <= GW_PF_NAME_LEN)
            pf->order.delivery_window = v->valuestring;
    }
    return 0;
}

/* ---- the order ------------------------------------------------------------------------- */

/* line_items[i] into a line: sku, else the variant id (OV-1 wants one). */
static int read_line(gw_pf *pf, const cJSON *li, void *arg) {
    (void)arg;
    static const gw_field fields[] = {
        {"id", GW_F_ID, GW_REQUIRED, offsetof(Cs__V1__OrderLine, line_id), GW_PF_ID_LEN, NULL},
        {"sku", GW_F_STR, GW_OPTIONAL, offsetof(Cs__V1__OrderLine, sku), GW_PF_NAME_LEN, NULL},
        {"title", GW_F_STR, GW_OPTIONAL, offsetof(Cs__V1__OrderLine, title), GW_PF_NAME_LEN, NULL},
        {"quantity", GW_F_INT32, GW_REQUIRED, offsetof(Cs__V1__OrderLine, quantity), 999999, NULL},
        {"price", GW_F_MONEY, GW_REQUIRED, offsetof(Cs__V1__OrderLine, unit_price_fen), 0, NULL},
    };
    Cs__V1__OrderLine *l = gw_pf_add_line(pf);
    const char *variant = NULL;
    if (!l || gw_json_fields(&pf->j, li, fields, sizeof fields / sizeof *fields, l) < 0 ||
        gw_json_id(&pf->j, li, "variant_id", GW_OPTIONAL, GW_PF_ID_LEN, &variant) < 0)
        return -1;
    if (!l->sku[0] && variant) l->sku = (char *)variant;
    return 0;
}

/* shipping_address: Shopify has no district; address1 and address2 are
 * the street detail. Which parts OV-3 requires is the shop's
 * address_required. The phone falls back to the order's. */
static int read_receiver(gw_pf *pf, const cJSON *root) {
#define A(key, member, max)                                                                                            \
    { key, GW_F_STR, GW_OPTIONAL, offsetof(Cs__V1__Address, member), max, NULL }
    static const gw_field parts[] = {
        A("province", province, GW_PF_NAME_LEN),
        A("city", city, GW_PF_NAME_LEN),
        A("zip", postcode, GW_PF_NAME_LEN),
    };
#undef A
    const cJSON *sa = NULL;
    const char *street[2] = {NULL, NULL}, *phone[2] = {NULL, NULL};
    int rc = gw_json_object(&pf->j, root, "shipping_address", GW_OPTIONAL, &sa);
    if (rc <= 0 || gw_json_str(&pf->j, root, "phone", GW_OPTIONAL, GW_PF_NAME_LEN, &phone[1]) < 0) return rc;
    Cs__V1__Receiver *r = gw_pf_receiver(pf);
    size_t mark = gw_json_enter(&pf->j, "shipping_address");
    if (gw_json_fields(&pf->j, sa, parts, sizeof parts / sizeof *parts, r->address) < 0 ||
        gw_json_str(&pf->j, sa, "name", GW_OPTIONAL, GW_PF_NAME_LEN, (const char **)&r->name) < 0 ||
        gw_json_str(&pf->j, sa, "phone", GW_OPTIONAL, GW_PF_NAME_LEN, &phone[0]) < 0 ||
        gw_json_str(&pf->j, sa, "address1", GW_OPTIONAL, GW_PF_TEXT_LEN, &street[0]) < 0 ||
        gw_json_str(&pf->j, sa, "address2", GW_OPTIONAL, GW_PF_TEXT_LEN, &street[1]) < 0)
        return -1;
    gw_json_leave(&pf->j, mark);
    r->phone = (char *)gw_pf_first(2, phone);
    r->address->street = (char *)gw_pf_join(pf, street[0], " ", street[1]);
    return 1;
}

/* customer.id, else the order's email (a guest checkout). */
static int read_buyer(gw_pf *pf, const cJSON *root, unsigned need) {
    const cJSON *cust = NULL;
    const char *who[2] = {NULL, NULL};
    if (gw_json_object(&pf->j, root, "customer", GW_OPTIONAL, &cust) < 0) return -1;
    if (cust) {
        size_t mark = gw_json_enter(&pf->j, "customer");
        if (gw_json_id(&pf->j, cust, "id", GW_OPTIONAL, GW_PF_ID_LEN, &who[0]) < 0) return -1;
        gw_json_leave(&pf->j, mark);
    }
    if (gw_json_str(&pf->j, root, "email", GW_OPTIONAL, GW_PF_NAME_LEN, &who[1]) < 0) return -1;
    pf->order.buyer_id = (char *)gw_pf_first(2, who);
    if ((need & SH_NEED_ORDER) && !pf->order.buyer_id[0]) return gw_json_fail(&pf->j, "customer.id", "required");
    return 0;
}

/* total_shipping_price_set.shop_money.amount (the shop's currency). */
static int read_shipping(gw_pf *pf, const cJSON *root) {
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(root, "total_shipping_price_set");
    const cJSON *shop = cJSON_GetObjectItemCaseSensitive(set, "shop_money");
    if (!cJSON_IsObject(shop)) return 0;
    size_t mark = gw_json_enter(&pf->j, "total_shipping_price_set.shop_money");
    if (gw_json_currency(&pf->j, shop, "currency_code", pf->rq->shop->currency) < 0 ||
        gw_json_money(&pf->j, shop, "amount", GW_REQUIRED, &pf->order.shipping_fee_fen) < 0)
        return -1;
    gw_json_leave(&pf->j, mark);
    return 0;
}

/* Discounts, shipping, and tax charged on top (which has no cs.v1 field:
 * it rides on the shipping fee, so OV-2's payable is what the buyer pays). */
static int read_fees(gw_pf *pf, const cJSON *root) {
    const cJSON *codes = NULL;
    int64_t discounts = 0, tax = 0;
    bool tax_included = true;
    if (gw_json_money(&pf->j, root, "total_discounts", GW_OPTIONAL, &discounts) < 0 ||
        gw_json_array(&pf->j, root, "discount_codes", GW_OPTIONAL, 100, &codes) < 0 ||
        gw_json_money(&pf->j, root, "total_tax", GW_OPTIONAL, &tax) < 0 ||
        gw_json_bool(&pf->j, root, "taxes_included", GW_OPTIONAL, &tax_included) < 0 || read_shipping(pf, root) < 0)
        return -1;
    gw_pf_add_discount(pf, codes && cJSON_GetArraySize(codes) > 0 ? "coupon" : "promotion", discounts);
    if (!tax_included) pf->order.shipping_fee_fen += tax;
    return 0;
}

/* The parcel of orders/fulfilled: the last fulfillment. */
static int read_fulfilment(gw_pf *pf, const cJSON *root, unsigned need) {
    const cJSON *fs = NULL;
    int rc =
        gw_json_array(&pf->j, root, "fulfillments", (need & SH_NEED_FULFILMENT) ? GW_REQUIRED : GW_OPTIONAL, 100, &fs);
    if (rc <= 0) return rc;
    int n = cJSON_GetArraySize(fs);
    if (n == 0) return (need & SH_NEED_FULFILMENT) ? gw_json_fail(&pf->j, "fulfillments", "empty; required") : 0;
    const cJSON *f = cJSON_GetArrayItem(fs, n - 1);
    size_t mark = gw_json_enter(&pf->j, "fulfillments");
    gw_json_enter_index(&pf->j, (size_t)n - 1);
    if (!cJSON_IsObject(f)) return gw_json_fail(&pf->j, NULL, "not an object; a fulfillment expected");
    if (gw_json_str(&pf->j, f, "tracking_company", GW_OPTIONAL, GW_PF_NAME_LEN, (const char **)&pf->shipment.courier) <
            0 ||
        gw_json_str(&pf->j, f, "tracking_number", GW_OPTIONAL, GW_PF_NAME_LEN,
                    (const char **)&pf->shipment.tracking_no) < 0 ||
        gw_json_time(&pf->j, f, "created_at", GW_OPTIONAL, &pf->shipment.shipped_ms) < 0)
        return -1;
    gw_json_leave(&pf->j, mark);
    return 1;
}

/* Whether financial_status says the money is in. */
static bool is_paid_status(const char *s) {
    return strcmp(s, "paid") == 0 || strcmp(s, "partially_refunded") == 0 || strcmp(s, "refunded") == 0;
}

/* The whole order into pf->order; need: SH_NEED_*. */
static int read_order(gw_pf *pf, const cJSON *root, unsigned need) {
    gw_json *j = &pf->j;
    Cs__V1__Order *o = &pf->order;
    const char *status = "", *gateway = NULL, *reason = "";
    int64_t total = 0, processed = 0, cancelled = 0;
    if (gw_json_id(j, root, "id", GW_REQUIRED, GW_PF_ID_LEN, (const char **)&o->order_id) < 0 ||
        gw_json_require(j, root, (const char *const[]){"currency", NULL}) < 0 ||
        gw_json_currency(j, root, "currency", pf->rq->shop->currency) < 0 ||
        gw_json_time(j, root, "updated_at", GW_REQUIRED, &o->modified_ms) < 0 ||
        gw_json_time(j, root, "created_at", (need & SH_NEED_ORDER) ? GW_REQUIRED : GW_OPTIONAL, &o->created_ms) < 0 ||
        gw_json_time(j, root, "processed_at", GW_OPTIONAL, &processed) < 0 ||
        gw_json_str(j, root, "financial_status", GW_OPTIONAL, GW_PF_NAME_LEN, &status) < 0 ||
        gw_json_money(j, root, "total_price", (need & SH_NEED_PAY) ? GW_REQUIRED : GW_OPTIONAL, &total) < 0 ||
        gw_json_str(j, root, "note", GW_OPTIONAL, GW_PF_TEXT_LEN, (const char **)&o->buyer_message) < 0 ||
        gw_json_str(j, root, "cancel_reason", GW_OPTIONAL, GW_PF_NAME_LEN, &reason) < 0 ||
        gw_json_time(j, root, "cancelled_at", (need & SH_NEED_CANCEL) ? GW_REQUIRED : GW_OPTIONAL, &cancelled) < 0 ||
        read_gateway(pf, root, &gateway) < 0 || read_buyer(pf, root, need) < 0 || read_fees(pf, root) < 0 ||
        gw_pf_each(pf, root, "line_items", (need & SH_NEED_ORDER) ? GW_REQUIRED : GW_OPTIONAL, GW_PF_MAX_LINES,
                   "line item", read_line, NULL) < 0 ||
        read_receiver(pf, root) < 0 || read_requests(pf, root) < 0 || read_fulfilment(pf, root, need) < 0)
        return -1;
    o->payment_method = method_of_gateway(gateway);
    o->cod = o->payment_method == CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD;
    /* orders/paid: paid now (the update that recorded it); an order created
     * paid (card at checkout): when it was processed */
    if (need & SH_NEED_PAY) {
        o->paid_amount_fen = total;
        o->paid_ms = o->modified_ms;
    } else if (is_paid_status(status)) {
        o->paid_amount_fen = total;
        o->paid_ms = processed ? processed : o->created_ms;
    }
    pf->cancellation.reason = (char *)(reason[0] ? reason : "cancelled in Shopify");
    return 0;
}

/* An order topic: the row's kinds, in order, at the row's event time. */
static int map_order(gw_pf *pf, const cJSON *root, const sh_topic *t) {
    int64_t at = 0;
    if (read_order(pf, root, t->need) < 0 || gw_json_time(&pf->j, root, t->time_key, GW_REQUIRED, &at) < 0) return -1;
    for (size_t i = 0; i < GW_MAX_RECORDS && t->kinds[i]; i++) {
        /* an update without a shipping address changes no address */
        if (t->kinds[i] == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED && !pf->order.receiver) continue;
        if (gw_pf_emit_order(pf, (Cs__V1__OrderEventKind)t->kinds[i], at) < 0) return -1;
    }
    return 0;
}

/* ---- refunds ----------------------------------------------------------------------------- */

/* refund_line_items[i] (arg: the case): a "return" restock makes it a
 * return and refund; the first line's SKU is the case's. */
static int read_refund_line(gw_pf *pf, const cJSON *it, void *arg) {
    Cs__V1__AfterSalesCase *k = arg;
    const char *restock = "", *sku = "";
    const cJSON *li = NULL;
    if (gw_json_str(&pf->j, it, "restock_type", GW_OPTIONAL, GW_PF_NAME_LEN, &restock) < 0 ||
        gw_json_object(&pf->j, it, "line_item", GW_OPTIONAL, &li) < 0)
        return -1;
    if (li) {
        size_t mark = gw_json_enter(&pf->j, "line_item");
        if (gw_json_str(&pf->j, li, "sku", GW_OPTIONAL, GW_PF_NAME_LEN, &sku) < 0) return -1;
        gw_json_leave(&pf->j, mark);
    }
    if (strcmp(restock, "return") == 0) k->type = CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND;
    if (!k->sku[0]) k->sku = (char *)sku;
    return 0;
}

/* transactions[i] (arg: the refunded fen): the refunded amount is the sum
 * of the "refund" ones that succeeded or are pending at the gateway
 * (Shopify sends no later webhook for them); failed ones moved no money. */
static int read_transaction(gw_pf *pf, const cJSON *tx, void *arg) {
    int64_t *fen = arg, amount = 0;
    const char *kind = "", *status = "";
    if (gw_json_str(&pf->j, tx, "kind", GW_OPTIONAL, GW_PF_NAME_LEN, &kind) < 0 ||
        gw_json_str(&pf->j, tx, "status", GW_OPTIONAL, GW_PF_NAME_LEN, &status) < 0 ||
        gw_json_currency(&pf->j, tx, "currency", pf->rq->shop->currency) < 0 ||
        gw_json_money(&pf->j, tx, "amount", GW_REQUIRED, &amount) < 0)
        return -1;
    if (strcmp(kind, "refund") == 0 && (strcmp(status, "success") == 0 || strcmp(status, "pending") == 0))
        *fen += amount;
    return 0;
}

/* refunds/create: a refund Shopify has made is a case at REFUNDED with
 * its amount; the note's words give the reason (gw_pf_reason_of_text). */
static int map_refund(gw_pf *pf, const cJSON *root, const sh_topic *t) {
    static const gw_field fields[] = {
        {"id", GW_F_ID, GW_REQUIRED, offsetof(Cs__V1__AfterSalesCase, case_id), GW_PF_ID_LEN, NULL},
        {"order_id", GW_F_ID, GW_REQUIRED, offsetof(Cs__V1__AfterSalesCase, order_id), GW_PF_ID_LEN, NULL},
        {"created_at", GW_F_TIME, GW_REQUIRED, offsetof(Cs__V1__AfterSalesCase, requested_ms), 0, NULL},
    };
    Cs__V1__AfterSalesCase k = CS__V1__AFTER_SALES_CASE__INIT;
    const char *note = "";
    int64_t at = 0;
    k.type = CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY;
    if (gw_json_fields(&pf->j, root, fields, sizeof fields / sizeof *fields, &k) < 0 ||
        gw_json_time(&pf->j, root, t->time_key, GW_OPTIONAL, &at) < 0 ||
        gw_json_str(&pf->j, root, "note", GW_OPTIONAL, GW_PF_TEXT_LEN, &note) < 0 ||
        gw_pf_each(pf, root, "refund_line_items", GW_OPTIONAL, GW_PF_MAX_LINES, "refund line", read_refund_line, &k) <
            0 ||
        gw_pf_each(pf, root, "transactions", GW_OPTIONAL, 100, "transaction", read_transaction, &k.amount_fen) < 0)
        return -1;
    k.stage = CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED;
    k.reason = gw_pf_reason_of_text(note);
    k.buyer_wants_return = k.type == CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND;
    return gw_pf_emit_case(pf, &k, at ? at : k.requested_ms);
}

/* ---- the topics ------------------------------------------------------------------------- */

#define K(x) CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_##x
static const sh_topic topics[] = {
    {"orders/create", map_order, SH_NEED_ORDER, "created_at", {K(CREATED)}},
    {"orders/paid", map_order, SH_NEED_PAY, "updated_at", {K(PAID)}},
    {"orders/updated",
     map_order,
     0,
     "updated_at",
     {K(ADDRESS_CHANGED), K(MEMO_CHANGED), K(FEE_CHANGED), K(LINES_CHANGED)}},
    {"orders/cancelled", map_order, SH_NEED_CANCEL, "cancelled_at", {K(CANCELLED)}},
    {"orders/fulfilled", map_order, SH_NEED_FULFILMENT, "updated_at", {K(SHIPPED)}},
    {"refunds/create", map_refund, 0, "processed_at", {0}},
};
#undef K

int gw_map_shopify(const gw_request *rq, const cJSON *root, gw_mapped *out, gw_error *err) {
    const sh_topic *t = NULL;
    for (size_t i = 0; rq->topic && i < sizeof topics / sizeof *topics; i++)
        if (strcmp(topics[i].name, rq->topic) == 0) t = &topics[i];
    if (!t) {
        snprintf(err->field, sizeof err->field, "X-Shopify-Topic");
        snprintf(err->reason, sizeof err->reason, "%s",
                 rq->topic ? "not a Shopify topic the gateway takes (docs/webhooks-platforms.md lists them)"
                           : "required");
        return -1;
    }
    gw_pf *pf = gw_pf_new(rq, out, err, "shopify");
    int rc = -1;
    if (gw_pf_begin(pf, rq->webhook_id ? rq->webhook_id : "", "X-Shopify-Webhook-Id", t->name) == 0)
        rc = t->map(pf, root, t);
    gw_pf_free(pf);
    return rc;
}
