/* webhook_enc.c -- sample records as webhook requests (webhook_enc.h).
 *
 * How it is built: three writers, one per endpoint, each the inverse of
 * the gateway's mapping of that endpoint (gateway/map/generic.c, taobao.c,
 * shopify.c) for the records the sample makes.
 *
 * - generic is written from the protobuf descriptors, not by hand: the
 *   generic body's keys are the proto's field names with money, instants
 *   and dates renamed (docs/webhooks-generic.md "Conventions"), so one walk
 *   over any message writes it, and a field added to a proto is carried
 *   without a change here.
 * - taobao writes a TMC message whose content is the trade, refund or rate
 *   the record describes (the relay's "whole object", as much of it as the
 *   record knows), the topic chosen by the order event kind or case stage.
 * - shopify writes the Order or Refund resource of orders/create, paid,
 *   cancelled, fulfilled and refunds/create.
 *
 * Whether a platform request stands for the record is not decided by
 * rules written here but by the gateway's mapping itself (cs_webhook_check:
 * gw_map() and a field-by-field comparison driven by the descriptors), so
 * the fallback to generic stays right when either side changes. */
#include "webhook_enc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cs/tz.h"
#include "cs/util.h"
#include "gw_auth.h"
#include "gw_map.h"

#define DAY_MS 86400000LL

/* What a writer knows besides the record: the shop it speaks for. */
typedef struct encCtx {
    const cs_shop *shop;  /* NULL for a shop not in the file (poison) */
    const char *shop_id;  /* the record's shop */
    const cs_tz *tz;      /* the shop's zone; NULL = UTC */
    const char *currency; /* the shop's currency */
} encCtx;

/* ---- JSON values ------------------------------------------------------------------ */

typedef enum timeStyle {
    T_RFC3339, /* "2026-11-11T10:00:00.250+08:00" (fraction only when there is one) */
    T_LOCAL,   /* "2026-11-11 10:00:00": Taobao's local time (no fraction: TMC has none) */
} timeStyle;

static void formatTime(const encCtx *c, int64_t ms, timeStyle st, char *buf, size_t len) {
    int32_t off = c->tz ? cs_tz_offset_s(c->tz, ms) : 0;
    int64_t local = ms + (int64_t)off * 1000;
    int64_t day = local >= 0 ? local / DAY_MS : (local - DAY_MS + 1) / DAY_MS;
    int64_t in_day = local - day * DAY_MS;
    int y, m, d;
    cs_day_to_ymd((cs_day)day, &y, &m, &d);
    int hh = (int)(in_day / 3600000), mi = (int)(in_day / 60000 % 60), ss = (int)(in_day / 1000 % 60);
    int frac = (int)(in_day % 1000);
    if (st == T_LOCAL) {
        snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, hh, mi, ss);
        return;
    }
    char fr[8] = "";
    if (frac) snprintf(fr, sizeof fr, ".%03d", frac);
    int aoff = off < 0 ? -off : off;
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d", y, m, d, hh, mi, ss, fr, off < 0 ? '-' : '+',
             aoff / 3600, aoff / 60 % 60);
}

static void putStr(cJSON *o, const char *key, const char *v) {
    if (v && *v) cJSON_AddStringToObject(o, key, v);
}

/* Money as the decimal string bodies carry ("117.70"); a negative amount
 * keeps its sign, which every endpoint refuses (a poison record's). */
static void putMoney(cJSON *o, const char *key, int64_t fen) {
    char buf[32];
    int64_t a = fen < 0 ? -fen : fen;
    snprintf(buf, sizeof buf, "%s%lld.%02lld", fen < 0 ? "-" : "", (long long)(a / 100), (long long)(a % 100));
    cJSON_AddStringToObject(o, key, buf);
}

static void putTime(const encCtx *c, cJSON *o, const char *key, int64_t ms, timeStyle st) {
    if (!ms) return;
    char buf[48];
    formatTime(c, ms, st, buf, sizeof buf);
    cJSON_AddStringToObject(o, key, buf);
}

static cJSON *child(cJSON *o, const char *key, cJSON *v) {
    cJSON_AddItemToObject(o, key, v);
    return v;
}

/* Takes ownership of root: printed into out's body, then deleted. */
static void setBody(cJSON *root, cs_webhook *out) {
    out->body = cJSON_PrintUnformatted(root);
    if (!out->body) abort(); /* out of memory */
    out->len = strlen(out->body);
    cJSON_Delete(root);
}

/* ---- the tables both platforms share ----------------------------------------------- */

/* A refund reason as words the gateway's reason table reads back
 * (gateway/map/platform.c reason_words[]; Taobao's buyer reason list). */
static const char *const reasonTexts[] = {
    [CS__V1__CASE_REASON__CASE_REASON_QUALITY] = "质量问题",
    [CS__V1__CASE_REASON__CASE_REASON_WRONG_ITEM] = "卖家发错货",
    [CS__V1__CASE_REASON__CASE_REASON_MISSING_ITEM] = "少件/漏发",
    [CS__V1__CASE_REASON__CASE_REASON_NO_REASON_7D] = "七天无理由退换货",
    [CS__V1__CASE_REASON__CASE_REASON_NOT_RECEIVED] = "未收到货",
    [CS__V1__CASE_REASON__CASE_REASON_OUT_OF_STOCK] = "缺货",
    [CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND] = "不想要了",
    [CS__V1__CASE_REASON__CASE_REASON_OTHER] = "其他",
};

static const char *reasonText(Cs__V1__CaseReason r) {
    return r > 0 && (size_t)r < sizeof reasonTexts / sizeof *reasonTexts ? reasonTexts[r] : NULL;
}

/* ---- generic: from the descriptors ---------------------------------------------------- */

typedef enum valueKind { V_PLAIN, V_MONEY, V_TIME, V_DATE } valueKind;

/* The generic key of a proto field and how its value is written: money
 * drops "_fen", an instant "x_ms" is "x_at", a date "x_date_ms" "x_date". */
static valueKind genericKey(const char *name, char *key, size_t len) {
    static const struct {
        const char *suffix, *repl;
        valueKind kind;
    } renames[] = {{"_fen", "", V_MONEY}, {"_date_ms", "_date", V_DATE}, {"_ms", "_at", V_TIME}};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof renames / sizeof *renames; i++) {
        size_t s = strlen(renames[i].suffix);
        if (n > s && strcmp(name + n - s, renames[i].suffix) == 0) {
            snprintf(key, len, "%.*s%s", (int)(n - s), name, renames[i].repl);
            return renames[i].kind;
        }
    }
    snprintf(key, len, "%s", name);
    return V_PLAIN;
}

/* An enum value by its generic name: the proto name without the enum's
 * prefix (the zero value is <ENUM>_UNSPECIFIED), lower-cased. */
static cJSON *enumName(const ProtobufCEnumDescriptor *ed, int v) {
    const ProtobufCEnumValue *val = protobuf_c_enum_descriptor_get_value(ed, v);
    const ProtobufCEnumValue *zero = protobuf_c_enum_descriptor_get_value(ed, 0);
    if (!val || !zero) return NULL;
    size_t skip = strlen(zero->name) - strlen("UNSPECIFIED");
    char buf[96];
    snprintf(buf, sizeof buf, "%s", val->name + (strlen(val->name) > skip ? skip : 0));
    for (char *p = buf; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    return cJSON_CreateString(buf);
}

static void writeMessage(const encCtx *c, cJSON *obj, const ProtobufCMessage *msg);

/* One value of field f at p, or NULL for a value the body leaves out
 * (proto3 defaults: empty, zero, false, unset). */
static cJSON *genericValue(const encCtx *c, const ProtobufCFieldDescriptor *f, const void *p, valueKind vk) {
    int64_t v = 0;
    switch (f->type) {
        case PROTOBUF_C_TYPE_STRING: {
            const char *s = *(char *const *)p;
            return s && *s ? cJSON_CreateString(s) : NULL;
        }
        case PROTOBUF_C_TYPE_BOOL: return *(const protobuf_c_boolean *)p ? cJSON_CreateTrue() : NULL;
        case PROTOBUF_C_TYPE_ENUM: return *(const int *)p ? enumName(f->descriptor, *(const int *)p) : NULL;
        case PROTOBUF_C_TYPE_MESSAGE: {
            const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;
            if (!sub) return NULL;
            cJSON *o = cJSON_CreateObject();
            writeMessage(c, o, sub);
            return o;
        }
        case PROTOBUF_C_TYPE_INT32: v = *(const int32_t *)p; break;
        case PROTOBUF_C_TYPE_INT64: v = *(const int64_t *)p; break;
        default: return NULL; /* the cs.v1 event messages use no other type */
    }
    /* money is always stated (a gift line's "0.00", a fee group's free
     * shipping), and so is a line's quantity (OV-1's 0): both required */
    if (!v && vk != V_MONEY && strcmp(f->name, "quantity") != 0) return NULL;
    cJSON *tmp = cJSON_CreateObject(), *out;
    if (vk == V_MONEY)
        putMoney(tmp, "v", v);
    else if (vk == V_TIME || vk == V_DATE)
        putTime(c, tmp, "v", v, T_RFC3339); /* a date takes an RFC 3339 time too: exact */
    else
        cJSON_AddNumberToObject(tmp, "v", (double)v);
    out = cJSON_DetachItemFromObject(tmp, "v");
    cJSON_Delete(tmp);
    return out;
}

/* Every set field of msg into obj, by its generic key. The channel is the
 * shop's and a review's revision is the type: neither is in a body. */
static void writeMessage(const encCtx *c, cJSON *obj, const ProtobufCMessage *msg) {
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (strcmp(f->name, "channel") == 0 || strcmp(f->name, "revision") == 0) continue;
        char key[64];
        valueKind vk = genericKey(f->name, key, sizeof key);
        const char *p = (const char *)msg + f->offset;
        if (f->label != PROTOBUF_C_LABEL_REPEATED) {
            cJSON *v = genericValue(c, f, p, vk);
            if (v) cJSON_AddItemToObject(obj, key, v);
            continue;
        }
        size_t n = *(const size_t *)((const char *)msg + f->quantifier_offset);
        if (!n) continue;
        cJSON *arr = child(obj, key, cJSON_CreateArray());
        const char *items = *(char *const *)p;
        size_t step = f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE ? sizeof(void *) : 0;
        for (size_t k = 0; k < n && step; k++) {
            cJSON *v = genericValue(c, f, items + k * step, vk);
            cJSON_AddItemToArray(arr, v ? v : cJSON_CreateString(""));
        }
    }
}

/* The generic type of a record and the message its data is written from;
 * NULL for a body the generic format has no type for. */
static const char *genericTarget(const Cs__V1__Envelope *env, const ProtobufCMessage **msg) {
#define K(x) [CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_##x]
    static const char *const orderTypes[] = {
        K(CREATED) = "order.created",           K(PAID) = "order.paid",
        K(FEE_CHANGED) = "order.fee_changed",   K(ADDRESS_CHANGED) = "order.address_changed",
        K(MEMO_CHANGED) = "order.memo_changed", K(LINES_CHANGED) = "order.lines_changed",
        K(SHIPPED) = "order.shipped",           K(SIGNED) = "order.signed",
        K(CANCELLED) = "order.cancelled",       K(CLOSED) = "order.closed",
    };
#undef K
    switch (env->body_case) {
        case CS__V1__ENVELOPE__BODY_ORDER: {
            unsigned k = (unsigned)env->order->kind;
            *msg = &env->order->base;
            return k < sizeof orderTypes / sizeof *orderTypes ? orderTypes[k] : NULL;
        }
        case CS__V1__ENVELOPE__BODY_REVIEW:
            *msg = &env->review->base;
            return env->review->revision ? "review.revised" : "review";
        case CS__V1__ENVELOPE__BODY_INVENTORY: *msg = &env->inventory->base; return "inventory.level";
        case CS__V1__ENVELOPE__BODY_AFTERSALES: {
            const Cs__V1__AfterSalesEvent *a = env->aftersales;
            switch (a->body_case) {
                case CS__V1__AFTER_SALES_EVENT__BODY_CASE: *msg = &a->case_->base; return "aftersales.case";
                case CS__V1__AFTER_SALES_EVENT__BODY_COMPLAINT:
                    *msg = &a->complaint->base;
                    return "aftersales.complaint";
                case CS__V1__AFTER_SALES_EVENT__BODY_DISPUTE: *msg = &a->dispute->base; return "aftersales.dispute";
                default: return NULL;
            }
        }
        case CS__V1__ENVELOPE__BODY_CONTACT: {
            const Cs__V1__ContactEvent *ce = env->contact;
            switch (ce->body_case) {
                case CS__V1__CONTACT_EVENT__BODY_CALL: *msg = &ce->call->base; return "contact.call_result";
                case CS__V1__CONTACT_EVENT__BODY_PRESENCE: *msg = &ce->presence->base; return "contact.presence";
                case CS__V1__CONTACT_EVENT__BODY_SMS: *msg = &ce->sms->base; return "contact.sms_reply";
                case CS__V1__CONTACT_EVENT__BODY_CHASER: *msg = &ce->chaser->base; return "contact.chaser";
                case CS__V1__CONTACT_EVENT__BODY_INVOICE: *msg = &ce->invoice->base; return "contact.invoice";
                case CS__V1__CONTACT_EVENT__BODY_CASE_UPDATE:
                    *msg = &ce->case_update->base;
                    return "contact.case_update";
                default: return NULL;
            }
        }
        default: return NULL;
    }
}

/* An order event's data: the order's fields and the event's own part
 * (shipment, signing, cancellation) side by side, as the generic body has
 * them. */
static void writeOrderData(const encCtx *c, cJSON *data, const Cs__V1__OrderEvent *ev) {
    if (ev->order) writeMessage(c, data, &ev->order->base);
    if (ev->shipment) writeMessage(c, data, &ev->shipment->base);
    if (ev->cancellation) writeMessage(c, data, &ev->cancellation->base);
    putTime(c, data, "signed_at", ev->signed_ms, T_RFC3339);
}

static int encodeGeneric(const encCtx *c, const Cs__V1__Envelope *env, cs_webhook *out, char *why, size_t whylen) {
    const ProtobufCMessage *msg = NULL;
    const char *type = genericTarget(env, &msg);
    if (!type) {
        snprintf(why, whylen, "no generic type for this body");
        return -1;
    }
    cJSON *root = cJSON_CreateObject();
    putStr(root, "event_id", env->event_id);
    cJSON_AddStringToObject(root, "type", type);
    putTime(c, root, "occurred_at", env->event_ms, T_RFC3339);
    cJSON_AddStringToObject(root, "currency", c->currency);
    cJSON *data = child(root, "data", cJSON_CreateObject());
    if (env->body_case == CS__V1__ENVELOPE__BODY_ORDER)
        writeOrderData(c, data, env->order);
    else
        writeMessage(c, data, msg);
    /* a count of 0 is still a count (the gateway dates it by counted_at) */
    if (env->body_case == CS__V1__ENVELOPE__BODY_INVENTORY && env->inventory->counted_ms &&
        !cJSON_HasObjectItem(data, "available"))
        cJSON_AddNumberToObject(data, "available", 0);
    if (env->body_case == CS__V1__ENVELOPE__BODY_CONTACT && !cJSON_HasObjectItem(data, "online") &&
        env->contact->body_case == CS__V1__CONTACT_EVENT__BODY_PRESENCE)
        cJSON_AddFalseToObject(data, "online"); /* required: offline is a value */
    out->kind = type;
    setBody(root, out);
    return 0;
}

/* ---- taobao: TMC messages ---------------------------------------------------------- */

#define K(x) CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_##x
#define S(x) CS__V1__CASE_STAGE__CASE_STAGE_##x
/* A platform topic of an enum value (an order event kind, a case stage). */
typedef struct topicRow {
    int value;         /* the enum value; 0 ends a table */
    const char *topic; /* its topic */
} topicRow;

static const char *topicOf(const topicRow *t, int value) {
    for (; t->topic; t++)
        if (t->value == value) return t->topic;
    return NULL;
}

/* The TMC topic of an order event kind / a case stage (webhooks-platforms.md).
 * SIGNED and CLOSED have none: TradeSuccess is both records at once. */
static const topicRow tbOrderTopics[] = {
    {K(CREATED), "taobao_trade_TradeCreate"},
    {K(PAID), "taobao_trade_TradeBuyerPay"},
    {K(FEE_CHANGED), "taobao_trade_TradeModifyFee"},
    {K(ADDRESS_CHANGED), "taobao_trade_TradeLogisticsAddressChanged"},
    {K(MEMO_CHANGED), "taobao_trade_TradeMemoModified"},
    {K(CANCELLED), "taobao_trade_TradeClose"},
    {K(SHIPPED), "taobao_trade_TradeSellerShip"},
    {0, NULL},
};
static const topicRow tbRefundTopics[] = {
    {S(REQUESTED), "taobao_refund_RefundCreated"},
    {S(AGREED), "taobao_refund_RefundSellerAgreeAgreement"},
    {S(REFUSED), "taobao_refund_RefundSellerRefuseAgreement"},
    {S(BUYER_SHIPPED), "taobao_refund_RefundBuyerReturnGoods"},
    {S(CLOSED), "taobao_refund_RefundClosed"},
    {S(REFUNDED), "taobao_refund_RefundSuccess"},
    {S(PLATFORM_INTERVENED), "taobao_refund_TaobaoInterApplied"},
    {0, NULL},
};
#undef S

/* The refund's order_status / good_status for a logistics state (RF-13). */
static const struct {
    Cs__V1__LogisticsState state;
    const char *order_status, *good_status;
} tbLogistics[] = {
    {CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_NOT_SHIPPED, "WAIT_SELLER_SEND_GOODS", NULL},
    {CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_IN_TRANSIT, "WAIT_BUYER_CONFIRM_GOODS", "BUYER_NOT_RECEIVED"},
    {CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_SIGNED, "WAIT_BUYER_CONFIRM_GOODS", "BUYER_RECEIVED"},
};

/* orders[]: one per line. A presale line makes the trade a presale
 * (step_trade_status), its date the line's estimate_con_time. */
static void tbLines(const encCtx *c, cJSON *content, const Cs__V1__Order *o) {
    if (!o->n_lines) return;
    cJSON *arr = child(content, "orders", cJSON_CreateArray());
    for (size_t i = 0; i < o->n_lines; i++) {
        const Cs__V1__OrderLine *l = o->lines[i];
        cJSON *x = cJSON_CreateObject();
        putStr(x, "oid", l->line_id);
        putStr(x, "outer_sku_id", l->sku);
        putStr(x, "title", l->title);
        cJSON_AddNumberToObject(x, "num", l->quantity);
        putMoney(x, "price", l->unit_price_fen);
        putTime(c, x, "estimate_con_time", l->presale_ship_date_ms, T_LOCAL);
        if (l->presale && !cJSON_HasObjectItem(content, "step_trade_status"))
            cJSON_AddStringToObject(content, "step_trade_status", "FRONT_PAID_FINAL_NOPAID");
        cJSON_AddItemToArray(arr, x);
    }
}

static void tbReceiver(cJSON *content, const Cs__V1__Receiver *r) {
    if (!r) return;
    putStr(content, "receiver_name", r->name);
    putStr(content, "receiver_mobile", r->phone);
    if (!r->address) return;
    putStr(content, "receiver_state", r->address->province);
    putStr(content, "receiver_city", r->address->city);
    putStr(content, "receiver_district", r->address->district);
    putStr(content, "receiver_address", r->address->street);
    putStr(content, "receiver_zip", r->address->postcode);
}

/* The trade as the relay forwards it: every part the event knows. */
static cJSON *tbTrade(const encCtx *c, const Cs__V1__OrderEvent *ev) {
    const Cs__V1__Order *o = ev->order;
    cJSON *t = cJSON_CreateObject();
    putStr(t, "tid", o->order_id);
    putTime(c, t, "modified", o->modified_ms, T_LOCAL);
    putTime(c, t, "created", o->created_ms, T_LOCAL);
    putStr(t, "buyer_nick", o->buyer_id);
    cJSON_AddStringToObject(t, "type", o->cod ? "cod" : "fixed");
    if (o->paid_ms) {
        putTime(c, t, "pay_time", o->paid_ms, T_LOCAL);
        putMoney(t, "payment", o->paid_amount_fen);
    }
    if (o->shipping_fee_fen) putMoney(t, "post_fee", o->shipping_fee_fen);
    int64_t disc = 0;
    for (size_t i = 0; i < o->n_discounts; i++) disc += o->discounts[i]->amount_fen;
    if (o->n_discounts) putMoney(t, "discount_fee", disc);
    tbLines(c, t, o);
    tbReceiver(t, o->receiver);
    putStr(t, "buyer_message", o->buyer_message);
    putStr(t, "seller_memo", o->seller_memo);
    if (ev->shipment) {
        putTime(c, t, "consign_time", ev->shipment->shipped_ms, T_LOCAL);
        putStr(t, "company_code", ev->shipment->courier);
        putStr(t, "out_sid", ev->shipment->tracking_no);
    }
    putTime(c, t, "end_time", ev->signed_ms, T_LOCAL);
    if (ev->cancellation) {
        /* a closed trade that was paid is refunded what was paid: the close
         * record names the refund, not the payment time, so the trade's
         * pay_time is the close (it only tells the gateway it was paid) */
        const Cs__V1__Cancellation *x = ev->cancellation;
        cJSON_AddStringToObject(t, "status", x->refund_fen ? "TRADE_CLOSED" : "TRADE_CLOSED_BY_TAOBAO");
        putStr(t, "close_reason", x->reason);
        if (x->refund_fen && !o->paid_ms) {
            putTime(c, t, "pay_time", o->modified_ms, T_LOCAL);
            putMoney(t, "payment", x->refund_fen);
        }
    }
    return t;
}

static cJSON *tbRefund(const encCtx *c, const Cs__V1__AfterSalesCase *k) {
    cJSON *t = cJSON_CreateObject();
    putStr(t, "refund_id", k->case_id);
    putStr(t, "tid", k->order_id);
    putStr(t, "outer_id", k->sku);
    putMoney(t, "refund_fee", k->amount_fen);
    cJSON_AddBoolToObject(t, "has_good_return", k->type == CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND);
    putStr(t, "reason", reasonText(k->reason));
    putTime(c, t, "created", k->requested_ms, T_LOCAL);
    putStr(t, "buyer_nick", k->buyer_id);
    for (size_t i = 0; i < sizeof tbLogistics / sizeof *tbLogistics; i++)
        if (tbLogistics[i].state == k->logistics) {
            putStr(t, "order_status", tbLogistics[i].order_status);
            putStr(t, "good_status", tbLogistics[i].good_status);
        }
    return t;
}

static cJSON *tbRate(const encCtx *c, const Cs__V1__Review *r) {
    static const char *const results[] = {[CS__V1__REVIEW_RATING__REVIEW_RATING_POSITIVE] = "good",
                                          [CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL] = "neutral",
                                          [CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE] = "bad"};
    cJSON *t = cJSON_CreateObject();
    putStr(t, "tid", r->order_id);
    putStr(t, "oid", r->review_id);
    if (r->rating > 0 && (size_t)r->rating < sizeof results / sizeof *results) putStr(t, "result", results[r->rating]);
    putStr(t, "nick", r->buyer_id);
    putStr(t, "content", r->text);
    putTime(c, t, "created", r->posted_ms, T_LOCAL);
    if (r->item_price_fen) putMoney(t, "item_price", r->item_price_fen);
    putStr(t, "outer_sku_id", r->sku);
    cJSON_AddStringToObject(t, "role", "buyer");
    return t;
}

/* The TMC topic and content of a record, or NULL (no topic for it). */
static cJSON *tbContent(const encCtx *c, const Cs__V1__Envelope *env, const char **topic) {
    switch (env->body_case) {
        case CS__V1__ENVELOPE__BODY_ORDER:
            *topic = topicOf(tbOrderTopics, env->order->kind);
            return *topic && env->order->order ? tbTrade(c, env->order) : NULL;
        case CS__V1__ENVELOPE__BODY_AFTERSALES: {
            const Cs__V1__AfterSalesCase *k =
                env->aftersales->body_case == CS__V1__AFTER_SALES_EVENT__BODY_CASE ? env->aftersales->case_ : NULL;
            bool refund = k && (k->type == CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY ||
                                k->type == CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND);
            *topic = refund ? topicOf(tbRefundTopics, k->stage) : NULL;
            return *topic ? tbRefund(c, k) : NULL;
        }
        case CS__V1__ENVELOPE__BODY_REVIEW: *topic = "taobao_trade_TradeRated"; return tbRate(c, env->review);
        default: return NULL;
    }
}

static int encodeTaobao(const encCtx *c, const Cs__V1__Envelope *env, cs_webhook *out, char *why, size_t whylen) {
    const char *topic = NULL;
    cJSON *content = tbContent(c, env, &topic);
    if (!content) {
        snprintf(why, whylen, "no Taobao topic for this record");
        return -1;
    }
    char *text = cJSON_PrintUnformatted(content);
    cJSON_Delete(content);
    if (!text) abort(); /* out of memory */
    cJSON *root = cJSON_CreateObject();
    putStr(root, "id", env->event_id);
    cJSON_AddStringToObject(root, "topic", topic);
    putTime(c, root, "pub_time", env->event_ms, T_LOCAL);
    cJSON_AddStringToObject(root, "content", text);
    free(text);
    out->kind = topic;
    setBody(root, out);
    return 0;
}

/* ---- shopify: Order and Refund resources ----------------------------------------------- */

/* The Shopify topic of an order event kind and the body member that is its
 * event time. Changes (FEE, ADDRESS, MEMO, LINES) have only orders/updated,
 * which restates four groups at once: never one record. */
static const topicRow shOrderTopics[] = {
    {K(CREATED), "orders/create"},
    {K(PAID), "orders/paid"},
    {K(CANCELLED), "orders/cancelled"},
    {K(SHIPPED), "orders/fulfilled"},
    {0, NULL},
};
#undef K

/* A payment gateway name the gateway's table reads as the method (OV-5). */
static const char *const shGateways[] = {
    [CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM] = "shopify_payments",
    [CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER] = "Bank Deposit",
    [CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_OWN_SITE_ALIPAY] = "Alipay",
    [CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_ONLINE_BANKING] = "Online Banking",
    [CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD] = "Cash on Delivery (COD)",
};

static void shLines(cJSON *root, const Cs__V1__Order *o) {
    if (!o->n_lines) return;
    cJSON *arr = child(root, "line_items", cJSON_CreateArray());
    for (size_t i = 0; i < o->n_lines; i++) {
        const Cs__V1__OrderLine *l = o->lines[i];
        cJSON *x = cJSON_CreateObject();
        putStr(x, "id", l->line_id);
        putStr(x, "sku", l->sku);
        putStr(x, "title", l->title);
        cJSON_AddNumberToObject(x, "quantity", l->quantity);
        putMoney(x, "price", l->unit_price_fen);
        cJSON_AddItemToArray(arr, x);
    }
}

static void shAddress(cJSON *root, const Cs__V1__Receiver *r) {
    if (!r) return;
    cJSON *a = child(root, "shipping_address", cJSON_CreateObject());
    putStr(a, "name", r->name);
    putStr(a, "phone", r->phone);
    if (!r->address) return;
    putStr(a, "province", r->address->province);
    putStr(a, "city", r->address->city);
    putStr(a, "zip", r->address->postcode);
    putStr(a, "address1", r->address->street);
    cJSON_AddStringToObject(a, "country_code", "CN");
}

/* OV-7's special requests as the cart attributes a theme collects. */
static void shAttributes(cJSON *root, const Cs__V1__Order *o) {
    const char *names[3] = {o->gift_wrap ? "gift_wrap" : NULL, o->installation ? "installation" : NULL,
                            o->delivery_window && *o->delivery_window ? "delivery_window" : NULL};
    const char *values[3] = {"yes", "yes", o->delivery_window};
    cJSON *arr = NULL;
    for (int i = 0; i < 3; i++) {
        if (!names[i]) continue;
        if (!arr) arr = child(root, "note_attributes", cJSON_CreateArray());
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "name", names[i]);
        cJSON_AddStringToObject(x, "value", values[i]);
        cJSON_AddItemToArray(arr, x);
    }
}

static void shFees(const encCtx *c, cJSON *root, const Cs__V1__Order *o) {
    int64_t disc = 0;
    for (size_t i = 0; i < o->n_discounts; i++) disc += o->discounts[i]->amount_fen;
    if (o->n_discounts) putMoney(root, "total_discounts", disc);
    cJSON_AddTrueToObject(root, "taxes_included");
    if (!o->shipping_fee_fen) return;
    cJSON *money =
        child(child(root, "total_shipping_price_set", cJSON_CreateObject()), "shop_money", cJSON_CreateObject());
    putMoney(money, "amount", o->shipping_fee_fen);
    cJSON_AddStringToObject(money, "currency_code", c->currency);
}

/* The Order resource after the event: every part the event knows. */
static cJSON *shOrder(const encCtx *c, const Cs__V1__Envelope *env) {
    const Cs__V1__OrderEvent *ev = env->order;
    const Cs__V1__Order *o = ev->order;
    cJSON *root = cJSON_CreateObject();
    putStr(root, "id", o->order_id);
    cJSON_AddStringToObject(root, "currency", c->currency);
    putTime(c, root, "created_at", o->created_ms, T_RFC3339);
    putTime(c, root, "updated_at", o->modified_ms, T_RFC3339);
    if (o->buyer_id && *o->buyer_id) putStr(child(root, "customer", cJSON_CreateObject()), "id", o->buyer_id);
    if (o->payment_method > 0 && (size_t)o->payment_method < sizeof shGateways / sizeof *shGateways) {
        cJSON *names = child(root, "payment_gateway_names", cJSON_CreateArray());
        cJSON_AddItemToArray(names, cJSON_CreateString(shGateways[o->payment_method]));
    }
    cJSON_AddStringToObject(root, "financial_status", o->paid_ms ? "paid" : "pending");
    if (o->paid_ms || ev->kind == CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID)
        putMoney(root, "total_price", o->paid_amount_fen);
    if (o->paid_ms && ev->kind != CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID)
        putTime(c, root, "processed_at", o->paid_ms, T_RFC3339);
    shFees(c, root, o);
    shLines(root, o);
    shAddress(root, o->receiver);
    putStr(root, "note", o->buyer_message);
    shAttributes(root, o);
    if (ev->cancellation) {
        putStr(root, "cancel_reason", ev->cancellation->reason);
        putTime(c, root, "cancelled_at", env->event_ms, T_RFC3339);
    }
    if (ev->shipment) {
        cJSON *f = cJSON_CreateObject();
        putStr(f, "tracking_company", ev->shipment->courier);
        putStr(f, "tracking_number", ev->shipment->tracking_no);
        putTime(c, f, "created_at", ev->shipment->shipped_ms, T_RFC3339);
        cJSON_AddItemToArray(child(root, "fulfillments", cJSON_CreateArray()), f);
    }
    return root;
}

/* refunds/create: a refund Shopify has made (stage REFUNDED only). */
static cJSON *shRefund(const encCtx *c, const Cs__V1__Envelope *env, const Cs__V1__AfterSalesCase *k) {
    cJSON *root = cJSON_CreateObject();
    putStr(root, "id", k->case_id);
    putStr(root, "order_id", k->order_id);
    putTime(c, root, "created_at", k->requested_ms, T_RFC3339);
    putTime(c, root, "processed_at", env->event_ms, T_RFC3339);
    putStr(root, "note", reasonText(k->reason));
    cJSON *item = cJSON_CreateObject();
    cJSON_AddStringToObject(item, "restock_type",
                            k->type == CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND ? "return" : "no_restock");
    putStr(child(item, "line_item", cJSON_CreateObject()), "sku", k->sku);
    cJSON_AddItemToArray(child(root, "refund_line_items", cJSON_CreateArray()), item);
    cJSON *tx = cJSON_CreateObject();
    cJSON_AddStringToObject(tx, "kind", "refund");
    cJSON_AddStringToObject(tx, "status", "success");
    putMoney(tx, "amount", k->amount_fen);
    cJSON_AddStringToObject(tx, "currency", c->currency);
    cJSON_AddItemToArray(child(root, "transactions", cJSON_CreateArray()), tx);
    return root;
}

static int encodeShopify(const encCtx *c, const Cs__V1__Envelope *env, cs_webhook *out, char *why, size_t whylen) {
    cJSON *root = NULL;
    const char *topic = NULL;
    if (env->body_case == CS__V1__ENVELOPE__BODY_ORDER && env->order->order) {
        topic = topicOf(shOrderTopics, env->order->kind);
        if (topic) root = shOrder(c, env);
    } else if (env->body_case == CS__V1__ENVELOPE__BODY_AFTERSALES &&
               env->aftersales->body_case == CS__V1__AFTER_SALES_EVENT__BODY_CASE &&
               env->aftersales->case_->stage == CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED) {
        topic = "refunds/create";
        root = shRefund(c, env, env->aftersales->case_);
    }
    if (!root) {
        snprintf(why, whylen, "no Shopify topic for this record");
        return -1;
    }
    out->kind = topic;
    setBody(root, out);
    return 0;
}

/* ---- encoding ------------------------------------------------------------------------ */

typedef int (*encodeFn)(const encCtx *c, const Cs__V1__Envelope *env, cs_webhook *out, char *why, size_t whylen);

static const encodeFn encoders[CS_WEBHOOK_PLATFORMS] = {
    [CS_WEBHOOK_GENERIC] = encodeGeneric,
    [CS_WEBHOOK_TAOBAO] = encodeTaobao,
    [CS_WEBHOOK_SHOPIFY] = encodeShopify,
};

cs_webhook_platform cs_webhook_platform_of(const cs_shop *shop) {
    bool taobao = shop->channel == CS_CHANNEL_TAOBAO || shop->channel == CS_CHANNEL_TMALL;
    if (taobao && shop->secrets[CS_WEBHOOK_TAOBAO][0]) return CS_WEBHOOK_TAOBAO;
    if (shop->shopify_domain && shop->secrets[CS_WEBHOOK_SHOPIFY][0]) return CS_WEBHOOK_SHOPIFY;
    return CS_WEBHOOK_GENERIC;
}

static void ctxFor(encCtx *c, const cs_shop *shop, const char *shop_id) {
    c->shop = shop;
    c->shop_id = shop ? shop->id : shop_id;
    c->tz = shop ? shop->tz : NULL;
    c->currency = shop && shop->currency[0] ? shop->currency : "CNY";
}

/* Encodes env for p as the shop c names; fills the request's headers'
 * parts. */
static int encodeFor(cs_webhook_platform p, const encCtx *c, const Cs__V1__Envelope *env, cs_webhook *out, char *why,
                     size_t whylen) {
    memset(out, 0, sizeof *out);
    out->platform = p;
    snprintf(out->shop_id, sizeof out->shop_id, "%s", cs_str(c->shop_id));
    out->shopify_domain = c->shop ? c->shop->shopify_domain : NULL;
    out->secret = c->shop ? c->shop->secrets[p][0] : NULL;
    out->expect = 202;
    if (encoders[p](c, env, out, why, whylen) != 0) return -1;
    out->event_id = cs_xstrdup(env->event_id ? env->event_id : "");
    return 0;
}

int cs_webhook_encode_as(cs_webhook_platform p, const cs_shop *shop, const Cs__V1__Envelope *env, cs_webhook *out,
                         char *why, size_t whylen) {
    encCtx c;
    ctxFor(&c, shop, env->shop_id);
    if ((unsigned)p >= CS_WEBHOOK_PLATFORMS) {
        memset(out, 0, sizeof *out);
        snprintf(why, whylen, "unknown platform");
        return -1;
    }
    return encodeFor(p, &c, env, out, why, whylen);
}

/* ---- the check --------------------------------------------------------------------------- */

/* Whether field f is set in msg (a oneof member: its case is f). */
static bool oneofSet(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f) {
    return *(const uint32_t *)((const char *)msg + f->quantifier_offset) == f->id;
}

/* The fields found to differ: "order.order.courier, order.order.lines[].gift". */
typedef struct diffList {
    char buf[232]; /* paths, ", "-separated, each once (repeated elements as "[]") */
    bool any;      /* a difference was found (buf may be truncated) */
} diffList;

static void diffAdd(diffList *d, const char *path) {
    d->any = true;
    size_t n = strlen(path), len = strlen(d->buf);
    for (const char *p = d->buf; (p = strstr(p, path)); p += n)
        if ((p == d->buf || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0')) return;
    snprintf(d->buf + len, sizeof d->buf - len, "%s%s", len ? ", " : "", path);
}

static void msgDiff(const ProtobufCMessage *a, const ProtobufCMessage *b, const char *prefix, diffList *d);

/* Compares one value of field f (at pa and pb), named where. */
static void valueDiff(const ProtobufCFieldDescriptor *f, const void *pa, const void *pb, const char *where,
                      diffList *d) {
    bool differ;
    switch (f->type) {
        case PROTOBUF_C_TYPE_STRING: {
            const char *x = *(char *const *)pa, *y = *(char *const *)pb;
            differ = strcmp(x ? x : "", y ? y : "") != 0;
            break;
        }
        case PROTOBUF_C_TYPE_MESSAGE: {
            const ProtobufCMessage *x = *(ProtobufCMessage *const *)pa, *y = *(ProtobufCMessage *const *)pb;
            if (x && y) {
                msgDiff(x, y, where, d);
                return;
            }
            differ = x != y;
            break;
        }
        case PROTOBUF_C_TYPE_BOOL: differ = !*(const protobuf_c_boolean *)pa != !*(const protobuf_c_boolean *)pb; break;
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64:
        case PROTOBUF_C_TYPE_DOUBLE: differ = memcmp(pa, pb, 8) != 0; break;
        default: differ = memcmp(pa, pb, 4) != 0; break; /* 32-bit scalars and enums */
    }
    if (differ) diffAdd(d, where);
}

/* Every field where a and b (of one descriptor) differ, as paths
 * ("order.courier", "order.lines[].gift") into d. NULL and "" are the
 * same string (proto3 packs neither). */
static void msgDiff(const ProtobufCMessage *a, const ProtobufCMessage *b, const char *prefix, diffList *d) {
    const ProtobufCMessageDescriptor *desc = a->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        char where[160];
        snprintf(where, sizeof where, "%.120s%s%s", prefix, *prefix ? "." : "", f->name);
        const char *pa = (const char *)a + f->offset, *pb = (const char *)b + f->offset;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            bool sa = oneofSet(a, f), sb = oneofSet(b, f);
            if (sa != sb) diffAdd(d, where);
            if (!sa || !sb) continue;
        }
        if (f->label != PROTOBUF_C_LABEL_REPEATED) {
            valueDiff(f, pa, pb, where, d);
            continue;
        }
        size_t na = *(const size_t *)((const char *)a + f->quantifier_offset);
        size_t nb = *(const size_t *)((const char *)b + f->quantifier_offset);
        if (na != nb) {
            diffAdd(d, where);
            continue;
        }
        size_t step = f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE ? sizeof(void *) : 8;
        char at[176];
        snprintf(at, sizeof at, "%s[]", where);
        for (size_t k = 0; k < na; k++)
            valueDiff(f, *(char *const *)pa + k * step, *(char *const *)pb + k * step, at, d);
    }
}

void cs_webhook_unstamp_channel(Cs__V1__Envelope *got, const Cs__V1__Envelope *sent, const cs_shop *shop) {
    if (got->body_case != CS__V1__ENVELOPE__BODY_ORDER || sent->body_case != CS__V1__ENVELOPE__BODY_ORDER) return;
    Cs__V1__Order *g = got->order->order;
    const Cs__V1__Order *o = sent->order->order;
    if (g && o && !o->channel && (int)g->channel == (int)shop->channel) g->channel = 0;
}

int cs_webhook_check(const cs_webhook *w, const cs_shop *shop, const char *topic, const Cs__V1__Envelope *env,
                     char *why, size_t whylen) {
    bool shopify = w->platform == CS_WEBHOOK_SHOPIFY;
    gw_request rq = {.platform = w->platform,
                     .shop = shop,
                     .body = w->body,
                     .len = w->len,
                     .topic = shopify ? w->kind : NULL,
                     .webhook_id = shopify ? w->event_id : NULL};
    gw_mapped m;
    gw_error e;
    if (gw_map(&rq, &m, &e) != 0) {
        snprintf(why, whylen, "refused: %s: %s", e.field, e.reason);
        return -1;
    }
    int rc = -1;
    Cs__V1__Envelope *got = NULL;
    if (m.n != 1)
        snprintf(why, whylen, "maps to %zu records", m.n);
    else if (strcmp(m.rec[0].topic, topic) != 0)
        snprintf(why, whylen, "maps to topic %s", m.rec[0].topic);
    else if (!(got = cs__v1__envelope__unpack(NULL, m.rec[0].len, m.rec[0].value)))
        snprintf(why, whylen, "maps to a record that does not unpack");
    else {
        /* the gateway's own stamps: when it took the request, and from where;
         * and the shop's channel, which a generic order event carries
         * whatever its kind (the platforms' only on CREATED, as the sample) */
        cs_webhook_unstamp_channel(got, env, shop);
        Cs__V1__Envelope want = *env, have = *got;
        want.ingest_ms = have.ingest_ms = 0;
        want.source = have.source = NULL;
        diffList d = {.buf = "", .any = false};
        msgDiff(&want.base, &have.base, "", &d);
        if (d.any)
            snprintf(why, whylen, "loses %s", d.buf);
        else
            rc = 0;
    }
    if (got) cs__v1__envelope__free_unpacked(got, NULL);
    gw_mapped_free(&m);
    return rc;
}

int cs_webhook_encode(const cs_shops *shops, const char *topic, const Cs__V1__Envelope *env, cs_webhook *out, char *err,
                      size_t errlen) {
    const cs_shop *shop = cs_shops_find(shops, env->shop_id ? env->shop_id : "");
    memset(out, 0, sizeof *out);
    if (!shop) {
        snprintf(err, errlen, "event %s: shop %s is not in the shops file", cs_str(env->event_id),
                 cs_str(env->shop_id));
        return -1;
    }
    encCtx c;
    ctxFor(&c, shop, env->shop_id);
    cs_webhook_platform p = cs_webhook_platform_of(shop);
    char fallback[256] = "", reason[248] = "";
    if (p != CS_WEBHOOK_GENERIC) {
        if (encodeFor(p, &c, env, out, reason, sizeof reason) == 0 &&
            cs_webhook_check(out, shop, topic, env, reason, sizeof reason) == 0)
            return 0;
        cs_webhook_free(out);
        snprintf(fallback, sizeof fallback, "%s: %s", cs_webhook_platform_name(p), reason);
    }
    if (encodeFor(CS_WEBHOOK_GENERIC, &c, env, out, reason, sizeof reason) != 0 ||
        cs_webhook_check(out, shop, topic, env, reason, sizeof reason) != 0) {
        cs_webhook_free(out);
        snprintf(err, errlen, "event %s: not even generic carries it: %s", cs_str(env->event_id), reason);
        return -1;
    }
    snprintf(out->fallback, sizeof out->fallback, "%s", fallback);
    return 0;
}

/* ---- poison ------------------------------------------------------------------------------- */

void cs_webhook_encode_poison(const cs_shops *shops, const char *key, const uint8_t *value, size_t len,
                              cs_webhook *out) {
    Cs__V1__Envelope *env = cs__v1__envelope__unpack(NULL, len, value);
    char sid[64];
    if (env && env->shop_id)
        snprintf(sid, sizeof sid, "%s", env->shop_id);
    else
        snprintf(sid, sizeof sid, "%.*s", (int)strcspn(key, ":"), key);
    const cs_shop *shop = cs_shops_find(shops, sid);
    encCtx c;
    ctxFor(&c, shop, sid);
    char why[160];
    if (!env || encodeFor(CS_WEBHOOK_GENERIC, &c, env, out, why, sizeof why) != 0) {
        /* bytes that are no protobuf: the same bytes as the body, no JSON */
        memset(out, 0, sizeof *out);
        out->platform = CS_WEBHOOK_GENERIC;
        snprintf(out->shop_id, sizeof out->shop_id, "%s", sid);
        out->secret = shop ? shop->secrets[CS_WEBHOOK_GENERIC][0] : NULL;
        out->kind = "garbage";
        out->body = cs_xmalloc(len ? len : 1);
        memcpy(out->body, value, len);
        out->len = len;
        out->event_id = cs_xstrdup(key);
    }
    /* a shop not in the file is not the gateway's either: 404 */
    out->expect = shop ? 400 : 404;
    if (env) cs__v1__envelope__free_unpacked(env, NULL);
}

/* ---- sending -------------------------------------------------------------------------------- */

const char *cs_webhook_path(cs_webhook_platform p) {
    static const char *const paths[CS_WEBHOOK_PLATFORMS] = {
        [CS_WEBHOOK_GENERIC] = "/v1/webhooks/generic",
        [CS_WEBHOOK_TAOBAO] = "/v1/webhooks/taobao",
        [CS_WEBHOOK_SHOPIFY] = "/v1/webhooks/shopify",
    };
    return (unsigned)p < CS_WEBHOOK_PLATFORMS ? paths[p] : "/v1/webhooks/unknown";
}

int cs_webhook_headers(const cs_webhook *w, int64_t now_s, char out[CS_WEBHOOK_MAX_HEADERS][CS_WEBHOOK_HEADER_LEN]) {
    int n = 0;
    char sig[128];
    /* a shop without a secret (a poison record's) signs with none: refused first for the shop */
    const char *secret = w->secret ? w->secret : "";
    snprintf(out[n++], CS_WEBHOOK_HEADER_LEN, "Content-Type: application/json");
    if (w->platform == CS_WEBHOOK_SHOPIFY) {
        gw_auth_sign_shopify(secret, w->body, w->len, sig, sizeof sig);
        snprintf(out[n++], CS_WEBHOOK_HEADER_LEN, "X-Shopify-Shop-Domain: %s", cs_str(w->shopify_domain));
        snprintf(out[n++], CS_WEBHOOK_HEADER_LEN, "X-Shopify-Topic: %s", w->kind);
        snprintf(out[n++], CS_WEBHOOK_HEADER_LEN, "X-Shopify-Webhook-Id: %s", w->event_id);
        snprintf(out[n++], CS_WEBHOOK_HEADER_LEN, "X-Shopify-Hmac-Sha256: %s", sig);
        return n;
    }
    char ts[24];
    snprintf(ts, sizeof ts, "%lld", (long long)now_s);
    gw_auth_sign_cs(secret, ts, w->body, w->len, sig, sizeof sig);
    snprintf(out[n++], CS_WEBHOOK_HEADER_LEN, "X-CS-Shop: %s", w->shop_id);
    snprintf(out[n++], CS_WEBHOOK_HEADER_LEN, "X-CS-Timestamp: %s", ts);
    snprintf(out[n++], CS_WEBHOOK_HEADER_LEN, "X-CS-Signature: %s", sig);
    return n;
}

void cs_webhook_free(cs_webhook *w) {
    if (!w) return;
    free(w->event_id);
    free(w->body);
    memset(w, 0, sizeof *w);
}
