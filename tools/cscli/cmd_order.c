/* cmd_order.c -- `cscli order show <shop>:<order>`: one order as the
 * order-verifier keeps it (PostgreSQL table orders, its protobuf doc
 * cs.v1.OrderState) and its verdicts, latest first.
 *
 * Both reads run in one read-only REPEATABLE READ transaction so the order
 * and its verdicts are one snapshot. The receiver's phone is masked as in
 * logs (138****8000): an operator screen is shared and screenshotted, and
 * the agent tools, not this one, are where a number is dialled. Times are
 * shown in the shop's zone when the shops file (CS_SHOPS_FILE) knows the
 * shop, else in Asia/Shanghai; --tz overrides both. Money is integer fen
 * in JSON and yuan with two decimals for humans. */
#include "cscli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "cs/clock.h"
#include "cs/shop.h"
#include "cs/text.h"
#include "cs/tz.h"
#include "cs/util.h"
#include "cs/v1/state.pb-c.h"

static const char order_usage[] = "usage: cscli order show <shop>:<order> [--tz ZONE] [--json]\n"
                                  "         the order's merged state (lines, amounts, receiver with the phone\n"
                                  "         masked) and its verdicts, latest first; times in the shop's zone\n"
                                  "         (or ZONE). Exit 1 when there is no such order.\n";

/* Columns of the orders query, in order. */
enum {
    O_VERSION,
    O_STATE,
    O_REASONS,
    O_BUYER,
    O_CHANNEL,
    O_CREATED,
    O_PAID,
    O_SHIPPED,
    O_CANCELLED,
    O_ITEMS,
    O_PAYABLE,
    O_PAID_FEN,
    O_COURIER,
    O_RESTOCK,
    O_DOC,
    O_UPDATED
};

static const char sql_order[] = "SELECT version, state, array_to_json(reasons)::text, buyer_id, channel, created_ms,"
                                " paid_ms, shipped_ms, cancelled_ms, item_total_fen, payable_fen, paid_fen, courier,"
                                " restock_date_ms, doc, (extract(epoch FROM updated_at) * 1000)::bigint"
                                " FROM orders WHERE shop_id = $1 AND order_id = $2";

enum { V_VERSION, V_STATE, V_REASONS, V_ANNOTATIONS, V_COURIER, V_ITEMS, V_PAYABLE, V_DECIDED, V_TRIGGER };

static const char sql_verdicts[] = "SELECT version, state, reasons::text, annotations::text, courier, item_total_fen,"
                                   " payable_fen, decided_ms, trigger_event_id"
                                   " FROM verdicts WHERE shop_id = $1 AND order_id = $2 ORDER BY version DESC";

static PGresult *query(PGconn *pg, const char *sql, const char *shop, const char *order, char *err, size_t errlen) {
    const char *params[] = {shop, order};
    PGresult *r = PQexecParams(pg, sql, shop ? 2 : 0, NULL, shop ? params : NULL, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
        cscli_one_line(PQresultErrorMessage(r), err, errlen);
        PQclear(r);
        return NULL;
    }
    return r;
}

static const char *col(const PGresult *r, int row, int c) {
    return PQgetisnull(r, row, c) ? NULL : PQgetvalue(r, row, c);
}

static bool col_int(const PGresult *r, int row, int c, int64_t *v) {
    const char *s = col(r, row, c);
    if (!s) return false;
    *v = strtoll(s, NULL, 10);
    return true;
}

/* ---- formatting helpers ------------------------------------------------- */

static void fmt_ms(int64_t ms, bool present, const cs_tz *tz, char *buf, size_t len) {
    if (!present || ms == 0)
        cs_strlcpy(buf, "-", len);
    else
        cs_format_iso8601(ms, tz, buf, len);
}

static void fmt_fen(int64_t fen, bool present, char *buf, size_t len) {
    if (!present)
        cs_strlcpy(buf, "-", len);
    else
        cs_fen_format(fen, buf, len);
}

/* "PAYMENT_METHOD_COD" -> "COD": an enum value's name without its prefix. */
static const char *enum_short(const ProtobufCEnumDescriptor *d, int v, const char *prefix) {
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);
    if (!ev) return "?";
    size_t n = strlen(prefix);
    return strncmp(ev->name, prefix, n) == 0 ? ev->name + n : ev->name;
}

static void mask_phone(const char *phone, char *out, size_t len) { cs_mask_phones(phone ? phone : "", out, len); }

/* JSON: a nullable int64 column. */
static void json_col_int(cJSON *o, const char *name, const PGresult *r, int row, int c) {
    int64_t v;
    if (col_int(r, row, c, &v))
        cscli_json_int(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

static void json_col_str(cJSON *o, const char *name, const PGresult *r, int row, int c) {
    const char *s = col(r, row, c);
    if (s)
        cJSON_AddStringToObject(o, name, s);
    else
        cJSON_AddNullToObject(o, name);
}

/* JSON: a column holding JSON text, embedded as a value (null if bad). */
static void json_col_json(cJSON *o, const char *name, const PGresult *r, int row, int c) {
    const char *s = col(r, row, c);
    cJSON *v = s ? cJSON_Parse(s) : NULL;
    cJSON_AddItemToObject(o, name, v ? v : cJSON_CreateNull());
}

/* "OV-2 AMOUNT_MISMATCH, OV-6 UNPAID" from [{"rule","code",...}] or
 * ["CODE", ...] JSON text. */
static void reasons_text(const char *json, char *buf, size_t len) {
    cs_strlcpy(buf, "", len);
    cJSON *a = json ? cJSON_Parse(json) : NULL;
    size_t used = 0;
    cJSON *it;
    cJSON_ArrayForEach(it, a) {
        char one[256];
        if (cJSON_IsString(it)) {
            cs_strlcpy(one, it->valuestring, sizeof one);
        } else {
            const cJSON *rule = cJSON_GetObjectItemCaseSensitive(it, "rule");
            const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, "code");
            snprintf(one, sizeof one, "%s%s%s", cJSON_IsString(rule) ? rule->valuestring : "",
                     cJSON_IsString(rule) && cJSON_IsString(code) ? " " : "",
                     cJSON_IsString(code) ? code->valuestring : "");
        }
        int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", one);
        if (n < 0 || (size_t)n >= len - used) break;
        used += (size_t)n;
    }
    cJSON_Delete(a);
    if (!buf[0]) cs_strlcpy(buf, "-", len);
}

/* ---- the decoded doc ---------------------------------------------------- */

static cJSON *doc_json(const Cs__V1__OrderState *st) {
    cJSON *d = cJSON_CreateObject();
    const Cs__V1__Order *o = st->order;
    cscli_json_int(d, "version", st->version);
    cJSON_AddStringToObject(d, "last_state",
                            enum_short(&cs__v1__verdict_state__descriptor, st->last_state, "VERDICT_STATE_"));
    cscli_json_int(d, "signed_ms", st->signed_ms);
    cscli_json_int(d, "closed_ms", st->closed_ms);
    cscli_json_int(d, "held_ms", st->held_ms);
    cJSON_AddStringToObject(d, "cancel_reason", st->cancel_reason ? st->cancel_reason : "");
    if (st->shipment) {
        cJSON *s = cJSON_AddObjectToObject(d, "shipment");
        cJSON_AddStringToObject(s, "courier", st->shipment->courier);
        cJSON_AddStringToObject(s, "tracking_no", st->shipment->tracking_no);
        cscli_json_int(s, "shipped_ms", st->shipment->shipped_ms);
    }
    if (!o) return d;
    cJSON_AddStringToObject(d, "payment_method",
                            enum_short(&cs__v1__payment_method__descriptor, o->payment_method, "PAYMENT_METHOD_"));
    cJSON_AddBoolToObject(d, "cod", o->cod);
    cscli_json_int(d, "shipping_fee_fen", o->shipping_fee_fen);
    cscli_json_int(d, "paid_amount_fen", o->paid_amount_fen);
    char text[2048];
    mask_phone(o->buyer_message, text, sizeof text);
    cJSON_AddStringToObject(d, "buyer_message", text);
    mask_phone(o->seller_memo, text, sizeof text);
    cJSON_AddStringToObject(d, "seller_memo", text);
    cJSON *lines = cJSON_AddArrayToObject(d, "lines");
    for (size_t i = 0; i < o->n_lines; i++) {
        const Cs__V1__OrderLine *l = o->lines[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "line_id", l->line_id);
        cJSON_AddStringToObject(j, "sku", l->sku);
        cJSON_AddStringToObject(j, "title", l->title);
        cscli_json_int(j, "quantity", l->quantity);
        cscli_json_int(j, "unit_price_fen", l->unit_price_fen);
        cscli_json_int(j, "line_total_fen", l->unit_price_fen * l->quantity);
        cJSON_AddBoolToObject(j, "gift", l->gift);
        cJSON_AddBoolToObject(j, "presale", l->presale);
        cscli_json_int(j, "presale_ship_date_ms", l->presale_ship_date_ms);
        cJSON_AddItemToArray(lines, j);
    }
    cJSON *disc = cJSON_AddArrayToObject(d, "discounts");
    for (size_t i = 0; i < o->n_discounts; i++) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "kind", o->discounts[i]->kind);
        cscli_json_int(j, "amount_fen", o->discounts[i]->amount_fen);
        cJSON_AddItemToArray(disc, j);
    }
    if (o->receiver) {
        char phone[128];
        mask_phone(o->receiver->phone, phone, sizeof phone);
        cJSON *r = cJSON_AddObjectToObject(d, "receiver");
        cJSON_AddStringToObject(r, "name", o->receiver->name);
        cJSON_AddStringToObject(r, "phone", phone);
        const Cs__V1__Address *a = o->receiver->address;
        cJSON_AddStringToObject(r, "province", a ? a->province : "");
        cJSON_AddStringToObject(r, "city", a ? a->city : "");
        cJSON_AddStringToObject(r, "district", a ? a->district : "");
        cJSON_AddStringToObject(r, "street", a ? a->street : "");
        cJSON_AddStringToObject(r, "postcode", a ? a->postcode : "");
    }
    return d;
}

static void print_doc(cscli *c, const Cs__V1__OrderState *st, const cs_tz *tz) {
    const Cs__V1__Order *o = st->order;
    char a[64], b[64], line[1024];
    if (!o) {
        fprintf(c->out, "\n(doc has no order)\n");
        return;
    }
    cscli_table *kv = cscli_table_new(2);
    cs_fen_format(o->shipping_fee_fen, a, sizeof a);
    cs_fen_format(o->paid_amount_fen, b, sizeof b);
    snprintf(line, sizeof line, "%s%s, shipping fee %s, paid %s",
             enum_short(&cs__v1__payment_method__descriptor, o->payment_method, "PAYMENT_METHOD_"),
             o->cod ? " (cash on delivery)" : "", a, b);
    cscli_table_row(kv, "payment", line);
    if (o->receiver) {
        char phone[128];
        mask_phone(o->receiver->phone, phone, sizeof phone);
        const Cs__V1__Address *ad = o->receiver->address;
        snprintf(line, sizeof line, "%s  %s  %s %s %s %s", o->receiver->name, phone, ad ? ad->province : "",
                 ad ? ad->city : "", ad ? ad->district : "", ad ? ad->street : "");
        cscli_table_row(kv, "receiver", line);
    }
    if (o->buyer_message && *o->buyer_message) {
        mask_phone(o->buyer_message, line, sizeof line);
        cscli_table_row(kv, "buyer msg", line);
    }
    if (o->seller_memo && *o->seller_memo) {
        mask_phone(o->seller_memo, line, sizeof line);
        cscli_table_row(kv, "memo", line);
    }
    if (st->shipment && st->shipment->tracking_no && *st->shipment->tracking_no) {
        fmt_ms(st->shipment->shipped_ms, true, tz, a, sizeof a);
        snprintf(line, sizeof line, "%s %s at %s", st->shipment->courier, st->shipment->tracking_no, a);
        cscli_table_row(kv, "shipment", line);
    }
    if (st->signed_ms) {
        fmt_ms(st->signed_ms, true, tz, a, sizeof a);
        cscli_table_row(kv, "signed", a);
    }
    if (st->cancel_reason && *st->cancel_reason) cscli_table_row(kv, "cancel", st->cancel_reason);
    cscli_table_print(kv, c->out, "  ");
    cscli_table_free(kv);

    fprintf(c->out, "\nLines\n");
    cscli_table *t = cscli_table_new(7);
    cscli_table_row(t, "LINE", "SKU", "TITLE", "QTY", "UNIT", "TOTAL", "FLAGS");
    for (size_t i = 0; i < o->n_lines; i++) {
        const Cs__V1__OrderLine *l = o->lines[i];
        char qty[16], flags[96] = "";
        snprintf(qty, sizeof qty, "%d", l->quantity);
        cs_fen_format(l->unit_price_fen, a, sizeof a);
        cs_fen_format(l->unit_price_fen * l->quantity, b, sizeof b);
        if (l->gift) cs_strlcpy(flags, "gift", sizeof flags);
        if (l->presale) {
            char d[48];
            fmt_ms(l->presale_ship_date_ms, true, tz, d, sizeof d);
            size_t n = strlen(flags);
            snprintf(flags + n, sizeof flags - n, "%spresale ships %.10s", n ? ", " : "",
                     l->presale_ship_date_ms ? d : "?");
        }
        cscli_table_row(t, l->line_id, l->sku, l->title, qty, a, b, flags);
    }
    cscli_table_print(t, c->out, "  ");
    cscli_table_free(t);
    if (o->n_discounts) {
        fprintf(c->out, "\nDiscounts\n");
        t = cscli_table_new(2);
        cscli_table_row(t, "KIND", "AMOUNT");
        for (size_t i = 0; i < o->n_discounts; i++) {
            cs_fen_format(o->discounts[i]->amount_fen, a, sizeof a);
            cscli_table_row(t, o->discounts[i]->kind, a);
        }
        cscli_table_print(t, c->out, "  ");
        cscli_table_free(t);
    }
}

/* ---- output ------------------------------------------------------------- */

static int print_json(cscli *c, const char *shop, const char *order, const PGresult *o, const Cs__V1__OrderState *st,
                      const PGresult *v) {
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "shop_id", shop);
    cJSON_AddStringToObject(doc, "order_id", order);
    json_col_int(doc, "version", o, 0, O_VERSION);
    json_col_str(doc, "state", o, 0, O_STATE);
    json_col_json(doc, "reasons", o, 0, O_REASONS);
    json_col_str(doc, "buyer_id", o, 0, O_BUYER);
    json_col_str(doc, "channel", o, 0, O_CHANNEL);
    json_col_int(doc, "created_ms", o, 0, O_CREATED);
    json_col_int(doc, "paid_ms", o, 0, O_PAID);
    json_col_int(doc, "shipped_ms", o, 0, O_SHIPPED);
    json_col_int(doc, "cancelled_ms", o, 0, O_CANCELLED);
    json_col_int(doc, "item_total_fen", o, 0, O_ITEMS);
    json_col_int(doc, "payable_fen", o, 0, O_PAYABLE);
    json_col_int(doc, "paid_fen", o, 0, O_PAID_FEN);
    json_col_str(doc, "courier", o, 0, O_COURIER);
    json_col_int(doc, "restock_date_ms", o, 0, O_RESTOCK);
    json_col_int(doc, "updated_ms", o, 0, O_UPDATED);
    cJSON_AddItemToObject(doc, "doc", st ? doc_json(st) : cJSON_CreateNull());
    cJSON *vs = cJSON_AddArrayToObject(doc, "verdicts");
    for (int i = 0; i < PQntuples(v); i++) {
        cJSON *j = cJSON_CreateObject();
        json_col_int(j, "version", v, i, V_VERSION);
        json_col_str(j, "state", v, i, V_STATE);
        json_col_json(j, "reasons", v, i, V_REASONS);
        json_col_json(j, "annotations", v, i, V_ANNOTATIONS);
        json_col_str(j, "courier", v, i, V_COURIER);
        json_col_int(j, "item_total_fen", v, i, V_ITEMS);
        json_col_int(j, "payable_fen", v, i, V_PAYABLE);
        json_col_int(j, "decided_ms", v, i, V_DECIDED);
        json_col_str(j, "trigger_event_id", v, i, V_TRIGGER);
        cJSON_AddItemToArray(vs, j);
    }
    cscli_print_json(c, doc);
    return CSCLI_OK;
}

static int print_human(cscli *c, const char *shop, const char *order, const PGresult *o, const Cs__V1__OrderState *st,
                       bool doc_bad, const PGresult *v, const cs_tz *tz) {
    char a[64], b[64], d[64], line[1024];
    int64_t n;
    bool has;
    fprintf(c->out, "Order %s:%s  version %s  state %s\n", cscli_field(c, shop), cscli_field(c, order),
            cscli_field(c, col(o, 0, O_VERSION)), cscli_field(c, col(o, 0, O_STATE)));
    cscli_table *kv = cscli_table_new(2);
    reasons_text(col(o, 0, O_REASONS), line, sizeof line);
    cscli_table_row(kv, "reasons", line);
    snprintf(line, sizeof line, "%s (%s)", col(o, 0, O_BUYER) ? col(o, 0, O_BUYER) : "-",
             col(o, 0, O_CHANNEL) ? col(o, 0, O_CHANNEL) : "-");
    cscli_table_row(kv, "buyer", line);
    has = col_int(o, 0, O_CREATED, &n);
    fmt_ms(n, has, tz, a, sizeof a);
    cscli_table_row(kv, "created", a);
    has = col_int(o, 0, O_PAID, &n);
    fmt_ms(n, has, tz, a, sizeof a);
    cscli_table_row(kv, "paid", a);
    has = col_int(o, 0, O_SHIPPED, &n);
    fmt_ms(n, has, tz, a, sizeof a);
    cscli_table_row(kv, "shipped", a);
    has = col_int(o, 0, O_CANCELLED, &n);
    fmt_ms(n, has, tz, a, sizeof a);
    cscli_table_row(kv, "cancelled", a);
    has = col_int(o, 0, O_ITEMS, &n);
    fmt_fen(n, has, a, sizeof a);
    has = col_int(o, 0, O_PAYABLE, &n);
    fmt_fen(n, has, b, sizeof b);
    has = col_int(o, 0, O_PAID_FEN, &n);
    fmt_fen(n, has, d, sizeof d);
    snprintf(line, sizeof line, "items %s  payable %s  paid %s (CNY)", a, b, d);
    cscli_table_row(kv, "amounts", line);
    cscli_table_row(kv, "courier", col(o, 0, O_COURIER));
    has = col_int(o, 0, O_RESTOCK, &n);
    if (has && n) {
        fmt_ms(n, has, tz, a, sizeof a);
        cscli_table_row(kv, "restock", a);
    }
    has = col_int(o, 0, O_UPDATED, &n);
    fmt_ms(n, has, tz, a, sizeof a);
    cscli_table_row(kv, "updated", a);
    cscli_table_print(kv, c->out, "  ");
    cscli_table_free(kv);

    if (st)
        print_doc(c, st, tz);
    else if (doc_bad)
        fprintf(c->out, "\n(doc: not a decodable cs.v1.OrderState)\n");

    fprintf(c->out, "\nVerdicts (latest first)\n");
    if (PQntuples(v) == 0) {
        fprintf(c->out, "  none\n");
        return CSCLI_OK;
    }
    cscli_table *t = cscli_table_new(7);
    cscli_table_row(t, "VERSION", "STATE", "DECIDED", "COURIER", "ITEMS", "PAYABLE", "REASONS");
    for (int i = 0; i < PQntuples(v); i++) {
        has = col_int(v, i, V_DECIDED, &n);
        fmt_ms(n, has, tz, a, sizeof a);
        has = col_int(v, i, V_ITEMS, &n);
        fmt_fen(n, has, b, sizeof b);
        has = col_int(v, i, V_PAYABLE, &n);
        fmt_fen(n, has, d, sizeof d);
        reasons_text(col(v, i, V_REASONS), line, sizeof line);
        cscli_table_row(t, col(v, i, V_VERSION), col(v, i, V_STATE), a, col(v, i, V_COURIER), b, d, line);
    }
    cscli_table_print(t, c->out, "  ");
    cscli_table_free(t);
    return CSCLI_OK;
}

/* The zone to show times in: --tz, else the shop's, else the default. */
static cs_tz *pick_zone(cscli *c, const char *tzname, const char *shop, char *err, size_t errlen) {
    if (tzname) return cs_tz_load(tzname, err, errlen);
    char ignored[512];
    cs_shops *shops = cs_shops_load(c->cfg.shops_file, ignored, sizeof ignored);
    const cs_shop *s = shops ? cs_shops_find(shops, shop) : NULL;
    cs_tz *tz = s && s->time_zone ? cs_tz_load(s->time_zone, ignored, sizeof ignored) : NULL;
    cs_shops_free(shops);
    return tz ? tz : cs_tz_load(CSCLI_DEFAULT_TZ, err, errlen);
}

int cscli_cmd_order(cscli *c, int argc, char **argv) {
    bool help = false, json = false;
    const char *tzname = NULL;
    const cscli_opt opts[] = {{"--json", &json, NULL}, {"--help", &help, NULL}, {"--tz", NULL, &tzname}};
    const char *pos[2];
    int npos;
    char err[1024];
    int rc = cscli_parse_args(argc - 1, argv + 1, opts, sizeof opts / sizeof opts[0], pos, 2, &npos, err, sizeof err);
    c->json |= json;
    if (rc != 0) return cscli_usage_error(c, order_usage, "order: %s", err);
    if (help) {
        fputs(order_usage, c->out);
        return CSCLI_OK;
    }
    if (npos == 0) return cscli_usage_error(c, order_usage, "order: which subcommand? (show)");
    if (strcmp(pos[0], "show") != 0) return cscli_usage_error(c, order_usage, "order: unknown subcommand '%s'", pos[0]);
    char shop[256], order[256];
    if (npos != 2 || cscli_parse_order_key(pos[1], shop, sizeof shop, order, sizeof order) != 0)
        return cscli_usage_error(c, order_usage, "order show: needs <shop>:<order>%s%s%s", npos == 2 ? ", got '" : "",
                                 npos == 2 ? pos[1] : "", npos == 2 ? "'" : "");
    if (tzname) {
        cs_tz *probe = cs_tz_load(tzname, err, sizeof err);
        if (!probe) return cscli_usage_error(c, order_usage, "order: time zone: %s", err);
        cs_tz_free(probe);
    }
    if ((rc = cscli_load_config(c)) != CSCLI_OK) return rc;

    PGconn *pg = cscli_pg_connect(c, err, sizeof err);
    if (!pg) return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL unreachable: %s", err);

    PGresult *o = NULL, *v = NULL, *r = NULL;
    Cs__V1__OrderState *st = NULL;
    cs_tz *tz = NULL;
    r = query(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, NULL, err, sizeof err);
    if (!r || !(o = query(pg, sql_order, shop, order, err, sizeof err)) ||
        !(v = query(pg, sql_verdicts, shop, order, err, sizeof err))) {
        rc = cscli_fail(c, CSCLI_BACKEND, "PostgreSQL: %s", err);
        goto out;
    }
    if (PQntuples(o) == 0) {
        rc = cscli_fail(c, CSCLI_NOT_FOUND, "order %s:%s not found", shop, order);
        goto out;
    }
    bool doc_bad = false;
    size_t doclen = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(o, 0, O_DOC), &doclen);
    if (raw) {
        st = cs__v1__order_state__unpack(NULL, doclen, raw);
        PQfreemem(raw);
    }
    doc_bad = st == NULL;
    tz = pick_zone(c, tzname, shop, err, sizeof err);
    if (!tz) {
        rc = cscli_fail(c, CSCLI_USAGE, "order: time zone: %s", err);
        goto out;
    }
    rc = c->json ? print_json(c, shop, order, o, st, v) : print_human(c, shop, order, o, st, doc_bad, v, tz);
out:
    if (st) cs__v1__order_state__free_unpacked(st, NULL);
    cs_tz_free(tz);
    PQclear(r);
    PQclear(o);
    PQclear(v);
    PQfinish(pg);
    return rc;
}
