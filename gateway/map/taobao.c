/* taobao.c -- POST /v1/webhooks/taobao: a Taobao/Tmall message (TMC) into
 * the cs.v1 records it stands for.
 *
 * The body is a TMC message {"id", "topic", "pub_time", "content"} whose
 * content is a JSON object encoded as a string. The engine cannot call the
 * platform's API, so the shop's relay puts the WHOLE trade, refund or rate
 * in content, with the open platform's field names (tid, orders[].oid,
 * refund_fee, ...): every topic is mapped from what the message carries,
 * never from an earlier one.
 *
 * Why it is built this way: one table row per topic names the body it
 * carries (trade, refund, rate), the function that maps that body, and the
 * order event kinds or case stage it becomes; the three mapping functions
 * are shared by every row of their body. A trade is read whole into a
 * gw_pf (platform.h) and emitted as the kinds of the row, each event
 * cutting its own field groups (OV-12) from the one reading. The message
 * id is the event id; pub_time (the shop's local time, as Taobao writes
 * every time) is the event time; content.modified is the order's version
 * time for OV-12, falling back to pub_time. Decisions (TradeClose,
 * TradeSuccess, the refund reason table, a seller's rating) are written
 * down in docs/webhooks-platforms.md. */
#include "gw_map_internal.h"
#include "platform.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define TB_MAX_EVENT_ID 128 /* TMC message ids are 19 digits; the gateway's key limit */

/* What a trade topic needs in content beyond tid (a missing one is a 400). */
enum {
    TB_NEED_ORDER = 1, /* buyer_nick, created, orders[] (a full order) */
    TB_NEED_PAY = 2,   /* payment, pay_time */
};

/* What was read of a trade besides the order itself. */
typedef struct tb_trade {
    const char *status;                       /* trade status, "" if absent */
    const char *close_reason;                 /* relay-supplied reason of a close, "" if absent */
    bool shipped;                             /* consign_time given */
    bool presale;                             /* step_trade_status given */
    int64_t payment_fen;                      /* content.payment (0 if absent) */
    const char *line_status[GW_PF_MAX_LINES]; /* orders[i].status, "" if absent */
} tb_trade;

struct tb_topic;
typedef int (*tb_map_fn)(gw_pf *pf, const cJSON *content, const struct tb_topic *t, int64_t pub_ms);

typedef struct tb_topic {
    const char *name; /* TMC topic */
    tb_map_fn map;    /* how content becomes records */
    unsigned need;    /* trades: TB_NEED_* */
    int arg[2];       /* trades: order event kinds emitted in order (0 = none); refunds: the case stage */
} tb_topic;

/* ---- reading helpers ------------------------------------------------------------ */

/* A line's or refund's SKU: the merchant's code first (outer_sku_id /
 * outer_id, the code the shop's stock uses), then the platform's SKU id,
 * then the item ids. keys: candidate members in that order. */
static int read_sku(gw_pf *pf, const cJSON *obj, const char *const *keys, size_t nkeys, char **sku) {
    const char *v[4] = {NULL, NULL, NULL, NULL};
    for (size_t i = 0; i < nkeys && i < 4; i++)
        if (gw_json_id(&pf->j, obj, keys[i], GW_OPTIONAL, GW_PF_NAME_LEN, &v[i]) < 0) return -1;
    *sku = (char *)gw_pf_first(nkeys, v);
    return 0;
}

/* Money that may carry a sign ("-5.00": Taobao's adjust_fee). */
static int read_signed_money(gw_pf *pf, const cJSON *obj, const char *key, int64_t *fen) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) return 0;
    if (!cJSON_IsString(v))
        return gw_json_fail(&pf->j, key, "not a string; money is a decimal string such as \"-5.00\"");
    const char *s = v->valuestring;
    bool neg = s[0] == '-';
    char why[128];
    if (gw_money_fen(neg ? s + 1 : s, fen, why, sizeof why) != 0) return gw_json_fail(&pf->j, key, "%s", why);
    if (neg) *fen = -*fen;
    return 1;
}

/* A local time that is optional and may be free text (orders[].
 * estimate_con_time: "2026-12-01" or "付款后15天内"): 1 and *ms for a
 * date or local time, else 0 and no error. */
static int read_loose_date(gw_pf *pf, const cJSON *obj, const char *key, int64_t *ms) {
    gw_error scratch;
    gw_json j;
    gw_json_init(&j, &scratch, pf->j.tz);
    if (gw_json_local_time(&j, obj, key, GW_OPTIONAL, ms) == 1) return 1;
    return gw_json_date(&j, obj, key, GW_OPTIONAL, ms) == 1 ? 1 : 0;
}

/* A price raised by the seller (positive adjust_fee) has no field in
 * cs.v1: it rides on the shipping fee, so OV-2's payable stays what the
 * buyer pays. A lowered one is a discount. */
static void add_adjustment(gw_pf *pf, int64_t fen) {
    if (fen < 0)
        gw_pf_add_discount(pf, "seller_adjust", -fen);
    else
        pf->order.shipping_fee_fen += fen;
}

/* orders[i] into a line (arg: the tb_trade). */
static int read_line(gw_pf *pf, const cJSON *o, void *arg) {
    static const char *const sku_keys[] = {"outer_sku_id", "sku_id", "outer_iid", "num_iid"};
    tb_trade *tr = arg;
    Cs__V1__OrderLine *l = gw_pf_add_line(pf);
    if (!l) return -1;
    gw_json *j = &pf->j;
    int64_t num = 0, item_discount = 0, adjust = 0;
    const char *status = "";
    if (gw_json_id(j, o, "oid", GW_REQUIRED, GW_PF_ID_LEN, (const char **)&l->line_id) < 0 ||
        read_sku(pf, o, sku_keys, 4, &l->sku) < 0 ||
        gw_json_str(j, o, "title", GW_OPTIONAL, GW_PF_NAME_LEN, (const char **)&l->title) < 0 ||
        gw_json_int(j, o, "num", GW_REQUIRED, 0, 999999, &num) < 0 ||
        gw_json_money(j, o, "price", GW_REQUIRED, &l->unit_price_fen) < 0 ||
        gw_json_money(j, o, "discount_fee", GW_OPTIONAL, &item_discount) < 0 ||
        read_signed_money(pf, o, "adjust_fee", &adjust) < 0 ||
        gw_json_str(j, o, "status", GW_OPTIONAL, GW_PF_NAME_LEN, &status) < 0)
        return -1;
    l->quantity = (int32_t)num;
    l->presale = tr->presale;
    if (tr->presale) read_loose_date(pf, o, "estimate_con_time", &l->presale_ship_date_ms);
    tr->line_status[pf->order.n_lines - 1] = status;
    gw_pf_add_discount(pf, "item_discount", item_discount);
    add_adjustment(pf, adjust);
    return 0;
}

/* A presale (定金预售) trade names its step; every line then needs its
 * promised date (OV-10). */
static int read_lines(gw_pf *pf, const cJSON *c, unsigned need, tb_trade *tr) {
    const char *step = "";
    if (gw_json_str(&pf->j, c, "step_trade_status", GW_OPTIONAL, GW_PF_NAME_LEN, &step) < 0) return -1;
    tr->presale = step[0] != '\0';
    return gw_pf_each(pf, c, "orders", (need & TB_NEED_ORDER) ? GW_REQUIRED : GW_OPTIONAL, GW_PF_MAX_LINES,
                      "order line", read_line, tr);
}

/* receiver_* into the order's receiver (every part optional: OV-3 names
 * what is missing). The mobile is preferred; a landline otherwise. */
static int read_receiver(gw_pf *pf, const cJSON *c) {
#define A(key, member, max)                                                                                            \
    { key, GW_F_STR, GW_OPTIONAL, offsetof(Cs__V1__Address, member), max, NULL }
    static const gw_field parts[] = {
        A("receiver_state", province, GW_PF_NAME_LEN),    A("receiver_city", city, GW_PF_NAME_LEN),
        A("receiver_district", district, GW_PF_NAME_LEN), A("receiver_address", street, GW_PF_TEXT_LEN),
        A("receiver_zip", postcode, GW_PF_NAME_LEN),
    };
#undef A
    Cs__V1__Receiver *r = gw_pf_receiver(pf);
    const char *phone[2] = {NULL, NULL};
    if (gw_json_fields(&pf->j, c, parts, sizeof parts / sizeof *parts, r->address) < 0 ||
        gw_json_str(&pf->j, c, "receiver_name", GW_OPTIONAL, GW_PF_NAME_LEN, (const char **)&r->name) < 0 ||
        gw_json_str(&pf->j, c, "receiver_mobile", GW_OPTIONAL, GW_PF_NAME_LEN, &phone[0]) < 0 ||
        gw_json_str(&pf->j, c, "receiver_phone", GW_OPTIONAL, GW_PF_NAME_LEN, &phone[1]) < 0)
        return -1;
    r->phone = (char *)gw_pf_first(2, phone);
    return 0;
}

/* The parcel: the relay's logistics fields (company_code, the courier
 * code the shops file uses; company_name; out_sid), else the first line's
 * (orders[0].logistics_company / invoice_no, as in the trade's full info). */
static int read_shipment(gw_pf *pf, const cJSON *c, tb_trade *tr) {
    const char *v[4] = {NULL, NULL, NULL, NULL}, *tracking[2] = {NULL, NULL};
    const cJSON *orders = cJSON_GetObjectItemCaseSensitive(c, "orders");
    const cJSON *first = cJSON_IsArray(orders) ? cJSON_GetArrayItem(orders, 0) : NULL;
    if (gw_json_local_time(&pf->j, c, "consign_time", GW_OPTIONAL, &pf->shipment.shipped_ms) < 0 ||
        gw_json_str(&pf->j, c, "company_code", GW_OPTIONAL, GW_PF_NAME_LEN, &v[0]) < 0 ||
        gw_json_str(&pf->j, c, "company_name", GW_OPTIONAL, GW_PF_NAME_LEN, &v[1]) < 0 ||
        gw_json_str(&pf->j, c, "out_sid", GW_OPTIONAL, GW_PF_NAME_LEN, &tracking[0]) < 0)
        return -1;
    if (cJSON_IsObject(first)) {
        /* already checked as a line: only strings are taken, leniently */
        const cJSON *lc = cJSON_GetObjectItemCaseSensitive(first, "logistics_company");
        const cJSON *inv = cJSON_GetObjectItemCaseSensitive(first, "invoice_no");
        v[2] = cJSON_IsString(lc) ? lc->valuestring : NULL;
        tracking[1] = cJSON_IsString(inv) ? inv->valuestring : NULL;
    }
    pf->shipment.courier = (char *)gw_pf_first(3, v);
    pf->shipment.tracking_no = (char *)gw_pf_first(2, tracking);
    tr->shipped = pf->shipment.shipped_ms != 0;
    return 0;
}

/* The whole trade into pf->order (and tr); need: TB_NEED_*. */
static int read_trade(gw_pf *pf, const cJSON *c, unsigned need, int64_t pub_ms, tb_trade *tr) {
    gw_json *j = &pf->j;
    Cs__V1__Order *o = &pf->order;
    const char *nick[2] = {NULL, NULL}, *type = "";
    int64_t discount = 0, post = 0;
    gw_need order = (need & TB_NEED_ORDER) ? GW_REQUIRED : GW_OPTIONAL;
    gw_need pay = (need & TB_NEED_PAY) ? GW_REQUIRED : GW_OPTIONAL;
    memset(tr, 0, sizeof *tr);
    tr->status = tr->close_reason = "";
    if (gw_json_id(j, c, "tid", GW_REQUIRED, GW_PF_ID_LEN, (const char **)&o->order_id) < 0 ||
        gw_json_local_time(j, c, "modified", GW_OPTIONAL, &o->modified_ms) < 0 ||
        gw_json_local_time(j, c, "created", order, &o->created_ms) < 0 ||
        gw_json_str(j, c, "buyer_nick", GW_OPTIONAL, GW_PF_ID_LEN, &nick[0]) < 0 ||
        gw_json_str(j, c, "buyer_open_uid", GW_OPTIONAL, GW_PF_ID_LEN, &nick[1]) < 0 ||
        gw_json_str(j, c, "type", GW_OPTIONAL, GW_PF_NAME_LEN, &type) < 0 ||
        gw_json_str(j, c, "status", GW_OPTIONAL, GW_PF_NAME_LEN, &tr->status) < 0 ||
        gw_json_money(j, c, "payment", pay, &tr->payment_fen) < 0 ||
        gw_json_local_time(j, c, "pay_time", pay, &o->paid_ms) < 0 ||
        gw_json_money(j, c, "post_fee", GW_OPTIONAL, &post) < 0 ||
        gw_json_money(j, c, "discount_fee", GW_OPTIONAL, &discount) < 0 ||
        gw_json_str(j, c, "buyer_message", GW_OPTIONAL, GW_PF_TEXT_LEN, (const char **)&o->buyer_message) < 0 ||
        gw_json_str(j, c, "seller_memo", GW_OPTIONAL, GW_PF_TEXT_LEN, (const char **)&o->seller_memo) < 0 ||
        gw_json_str(j, c, "close_reason", GW_OPTIONAL, GW_PF_TEXT_LEN, &tr->close_reason) < 0 ||
        gw_json_local_time(j, c, "end_time", GW_OPTIONAL, &pf->signed_ms) < 0)
        return -1;
    o->buyer_id = (char *)gw_pf_first(2, nick);
    if (order == GW_REQUIRED && !o->buyer_id[0]) return gw_json_fail(j, "buyer_nick", "required");
    if (!o->modified_ms) o->modified_ms = pub_ms;
    o->cod = strcmp(type, "cod") == 0;
    o->payment_method =
        o->cod ? CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD : CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM;
    if (o->paid_ms) o->paid_amount_fen = tr->payment_fen; /* an unpaid trade's payment is what is due, not paid */
    o->shipping_fee_fen = post;
    gw_pf_add_discount(pf, "promotion", discount);
    if (read_lines(pf, c, need, tr) < 0 || read_receiver(pf, c) < 0 || read_shipment(pf, c, tr) < 0) return -1;
    return 0;
}

/* ---- the three bodies ------------------------------------------------------------ */

/* A trade topic: the row's order event kinds, in order. */
static int map_trade(gw_pf *pf, const cJSON *c, const tb_topic *t, int64_t pub_ms) {
    tb_trade tr;
    if (read_trade(pf, c, t->need, pub_ms, &tr) < 0) return -1;
    for (size_t i = 0; i < 2 && t->arg[i]; i++)
        if (gw_pf_emit_order(pf, (Cs__V1__OrderEventKind)t->arg[i], pub_ms) < 0) return -1;
    return 0;
}

static bool is_closed_status(const char *s) { return strncmp(s, "TRADE_CLOSED", 12) == 0; }

/* TradeClose: a trade closed before it shipped is a cancellation (EX-8),
 * with the relay's close_reason or what the status says; the whole trade
 * when its status is closed, else the lines whose status is. A trade
 * closed after shipping (every line refunded through after-sales) is
 * CLOSED: the refund cases carry the money. */
static int map_trade_close(gw_pf *pf, const cJSON *c, const tb_topic *t, int64_t pub_ms) {
    tb_trade tr;
    if (read_trade(pf, c, t->need, pub_ms, &tr) < 0) return -1;
    bool whole = !tr.status[0] || is_closed_status(tr.status);
    Cs__V1__Cancellation *k = &pf->cancellation;
    for (size_t i = 0; !whole && i < pf->order.n_lines; i++)
        if (is_closed_status(tr.line_status[i])) k->line_ids[k->n_line_ids++] = pf->lines[i]->line_id;
    if (!whole && k->n_line_ids == 0) whole = true; /* nothing says which lines: the trade */
    if (whole && tr.shipped) return gw_pf_emit_order(pf, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED, pub_ms);
    k->reason = (char *)(tr.close_reason[0]                                 ? tr.close_reason
                         : strcmp(tr.status, "TRADE_CLOSED_BY_TAOBAO") == 0 ? "closed before payment"
                                                                            : "closed after a full refund");
    if (whole && pf->order.paid_ms) k->refund_fen = tr.payment_fen;
    return gw_pf_emit_order(pf, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED, pub_ms);
}

/* has_good_return: a JSON boolean, or "true"/"false" as some relays write it. */
static int read_has_good_return(gw_pf *pf, const cJSON *c, bool *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, "has_good_return");
    if (cJSON_IsString(v) && (strcmp(v->valuestring, "true") == 0 || strcmp(v->valuestring, "false") == 0)) {
        *out = strcmp(v->valuestring, "true") == 0;
        return 1;
    }
    return gw_json_bool(&pf->j, c, "has_good_return", GW_REQUIRED, out);
}

/* RF-13's logistics state from where the goods were when the buyer asked. */
static Cs__V1__LogisticsState logistics_of(const char *order_status, const char *good_status) {
    if (strcmp(order_status, "WAIT_SELLER_SEND_GOODS") == 0)
        return CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_NOT_SHIPPED;
    if (strcmp(good_status, "BUYER_NOT_RECEIVED") == 0) return CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_IN_TRANSIT;
    if (strcmp(good_status, "BUYER_RECEIVED") == 0 || strcmp(good_status, "BUYER_RETURNED_GOODS") == 0)
        return CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_SIGNED;
    return CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_UNSPECIFIED;
}

/* A refund topic: the case at the row's stage. */
static int map_refund(gw_pf *pf, const cJSON *c, const tb_topic *t, int64_t pub_ms) {
    static const gw_field fields[] = {
        {"refund_id", GW_F_ID, GW_REQUIRED, offsetof(Cs__V1__AfterSalesCase, case_id), GW_PF_ID_LEN, NULL},
        {"tid", GW_F_ID, GW_REQUIRED, offsetof(Cs__V1__AfterSalesCase, order_id), GW_PF_ID_LEN, NULL},
        {"refund_fee", GW_F_MONEY, GW_REQUIRED, offsetof(Cs__V1__AfterSalesCase, amount_fen), 0, NULL},
        {"buyer_nick", GW_F_STR, GW_OPTIONAL, offsetof(Cs__V1__AfterSalesCase, buyer_id), GW_PF_ID_LEN, NULL},
    };
    static const char *const sku_keys[] = {"outer_id", "sku_id", "num_iid"};
    Cs__V1__AfterSalesCase k = CS__V1__AFTER_SALES_CASE__INIT;
    const char *reason = "", *order_status = "", *good_status = "";
    bool goods_back = false;
    if (gw_json_fields(&pf->j, c, fields, sizeof fields / sizeof *fields, &k) < 0 ||
        read_sku(pf, c, sku_keys, 3, &k.sku) < 0 || read_has_good_return(pf, c, &goods_back) < 0 ||
        gw_json_str(&pf->j, c, "reason", GW_OPTIONAL, GW_PF_TEXT_LEN, &reason) < 0 ||
        gw_json_str(&pf->j, c, "order_status", GW_OPTIONAL, GW_PF_NAME_LEN, &order_status) < 0 ||
        gw_json_str(&pf->j, c, "good_status", GW_OPTIONAL, GW_PF_NAME_LEN, &good_status) < 0 ||
        gw_json_local_time(&pf->j, c, "created", GW_OPTIONAL, &k.requested_ms) < 0)
        return -1;
    k.type = goods_back ? CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND : CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY;
    k.buyer_wants_return = goods_back;
    k.reason = gw_pf_reason_of_text(reason);
    k.stage = (Cs__V1__CaseStage)t->arg[0];
    k.logistics = logistics_of(order_status, good_status);
    return gw_pf_emit_case(pf, &k, pub_ms);
}

static const gw_enum_name rate_results[] = {
    {"good", CS__V1__REVIEW_RATING__REVIEW_RATING_POSITIVE},
    {"neutral", CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL},
    {"bad", CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE},
    {NULL, 0},
};

/* TradeRated: the buyer's rating of one line. Taobao lets a buyer change
 * a neutral or bad rating only to good, and content cannot tell a first
 * rating from a changed one, so a good rating is a revision: it ends the
 * follow-up of that line's earlier rating (RV-5) and opens nothing (RV-1). */
static int map_rate(gw_pf *pf, const cJSON *c, const tb_topic *t, int64_t pub_ms) {
    (void)t;
    static const gw_field fields[] = {
        {"tid", GW_F_ID, GW_REQUIRED, offsetof(Cs__V1__Review, order_id), GW_PF_ID_LEN, NULL},
        {"oid", GW_F_ID, GW_OPTIONAL, offsetof(Cs__V1__Review, review_id), GW_PF_ID_LEN, NULL},
        {"nick", GW_F_STR, GW_OPTIONAL, offsetof(Cs__V1__Review, buyer_id), GW_PF_ID_LEN, NULL},
        {"content", GW_F_STR, GW_OPTIONAL, offsetof(Cs__V1__Review, text), GW_PF_TEXT_LEN, NULL},
        {"item_price", GW_F_MONEY, GW_OPTIONAL, offsetof(Cs__V1__Review, item_price_fen), 0, NULL},
        {"result", GW_F_ENUM, GW_REQUIRED, offsetof(Cs__V1__Review, rating), 0, rate_results},
    };
    static const char *const sku_keys[] = {"outer_sku_id", "sku_id", "num_iid"};
    Cs__V1__Review r = CS__V1__REVIEW__INIT;
    const char *role = "buyer";
    if (gw_json_fields(&pf->j, c, fields, sizeof fields / sizeof *fields, &r) < 0 ||
        read_sku(pf, c, sku_keys, 3, &r.sku) < 0 ||
        gw_json_str(&pf->j, c, "role", GW_OPTIONAL, GW_PF_NAME_LEN, &role) < 0 ||
        gw_json_local_time(&pf->j, c, "created", GW_OPTIONAL, &r.posted_ms) < 0)
        return -1;
    if (strcmp(role, "buyer") != 0)
        return gw_json_fail(&pf->j, "role", "only the buyer's rating is a review; relay role \"buyer\" only");
    if (!r.review_id[0]) r.review_id = r.order_id; /* a rating of the whole trade */
    if (!r.posted_ms) r.posted_ms = pub_ms;
    r.revision = r.rating == CS__V1__REVIEW_RATING__REVIEW_RATING_POSITIVE;
    return gw_pf_emit_review(pf, &r, pub_ms);
}

/* ---- the topics ------------------------------------------------------------------ */

#define K(x) CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_##x
#define S(x) CS__V1__CASE_STAGE__CASE_STAGE_##x
static const tb_topic topics[] = {
    {"taobao_trade_TradeCreate", map_trade, TB_NEED_ORDER, {K(CREATED), 0}},
    {"taobao_trade_TradeBuyerPay", map_trade, TB_NEED_PAY, {K(PAID), 0}},
    {"taobao_trade_TradeModifyFee", map_trade, 0, {K(FEE_CHANGED), 0}},
    {"taobao_trade_TradeLogisticsAddressChanged", map_trade, 0, {K(ADDRESS_CHANGED), 0}},
    {"taobao_trade_TradeMemoModified", map_trade, 0, {K(MEMO_CHANGED), 0}},
    {"taobao_trade_TradeClose", map_trade_close, 0, {K(CANCELLED), 0}},
    {"taobao_trade_TradeSellerShip", map_trade, 0, {K(SHIPPED), 0}},
    /* the buyer confirmed receipt: the parcel was signed for (if no
     * earlier event said so) and the trade is over */
    {"taobao_trade_TradeSuccess", map_trade, 0, {K(SIGNED), K(CLOSED)}},
    {"taobao_trade_TradeRated", map_rate, 0, {0, 0}},
    {"taobao_refund_RefundCreated", map_refund, 0, {S(REQUESTED), 0}},
    {"taobao_refund_RefundSellerAgreeAgreement", map_refund, 0, {S(AGREED), 0}},
    {"taobao_refund_RefundSellerRefuseAgreement", map_refund, 0, {S(REFUSED), 0}},
    {"taobao_refund_RefundBuyerReturnGoods", map_refund, 0, {S(BUYER_SHIPPED), 0}},
    {"taobao_refund_RefundClosed", map_refund, 0, {S(CLOSED), 0}},
    {"taobao_refund_RefundSuccess", map_refund, 0, {S(REFUNDED), 0}},
    {"taobao_refund_TaobaoInterApplied", map_refund, 0, {S(PLATFORM_INTERVENED), 0}},
};
#undef K
#undef S

static const tb_topic *topic_named(const char *name) {
    for (size_t i = 0; i < sizeof topics / sizeof *topics; i++)
        if (strcmp(topics[i].name, name) == 0) return &topics[i];
    return NULL;
}

/* content: a JSON string holding a JSON object, parsed into *out. */
static int parse_content(gw_pf *pf, const cJSON *root, cJSON **out) {
    const cJSON *v = NULL;
    if (gw_json_require(&pf->j, root, (const char *const[]){"content", NULL}) < 0) return -1;
    v = cJSON_GetObjectItemCaseSensitive(root, "content");
    if (!cJSON_IsString(v))
        return gw_json_fail(&pf->j, "content",
                            "not a string; TMC content is the trade, refund or rate as a JSON string");
    gw_error inner;
    memset(&inner, 0, sizeof inner);
    if (gw_json_parse(v->valuestring, strlen(v->valuestring), out, &inner) != 0)
        return gw_json_fail(&pf->j, "content", "the string is %s", inner.reason);
    return 0;
}

int gw_map_taobao(const gw_request *rq, const cJSON *root, gw_mapped *out, gw_error *err) {
    gw_pf *pf = gw_pf_new(rq, out, err, "taobao");
    const char *id = NULL, *name = NULL;
    int64_t pub_ms = 0;
    cJSON *content = NULL;
    int rc = -1;
    if (gw_json_id(&pf->j, root, "id", GW_REQUIRED, TB_MAX_EVENT_ID, &id) < 0 ||
        gw_json_str(&pf->j, root, "topic", GW_REQUIRED, 128, &name) < 0)
        goto done;
    const tb_topic *t = topic_named(name);
    if (!t) {
        gw_json_fail(&pf->j, "topic", "not a Taobao topic the gateway takes (docs/webhooks-platforms.md lists them)");
        goto done;
    }
    if (gw_pf_begin(pf, id, "id", t->name) < 0 ||
        gw_json_local_time(&pf->j, root, "pub_time", GW_REQUIRED, &pub_ms) < 0 || parse_content(pf, root, &content) < 0)
        goto done;
    size_t mark = gw_json_enter(&pf->j, "content");
    rc = t->map(pf, content, t, pub_ms);
    gw_json_leave(&pf->j, mark);
done:
    cJSON_Delete(content);
    gw_pf_free(pf);
    return rc;
}
