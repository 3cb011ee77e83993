/* cmd_cases.c -- `cscli cases`: the case store (PostgreSQL table cases,
 * migration 0010) of the case-keeping workers: the refund-notifier's
 * after-sales cases (kind aftersales, doc cs.v1.RefundCaseState) and the
 * review-scheduler's follow-up cases (kind review, doc
 * cs.v1.ReviewCaseState).
 *
 *   cases list [--open] [--kind aftersales|review] [--shop S] [--order K]
 *     the cases, last updated first, from the row's columns.
 *   cases show <id> [--shop S] [--kind K]
 *     one case: its row and its decoded doc; a timeline merged by time of
 *     what was done about it (registration and stage times from the doc,
 *     the order's tasks, finance requests and messages, the case's
 *     decisions and fired timers, closing); its timers (those whose id
 *     ends "@<shop>:<case id>", the scheme of cs_fx_timer_id) pending,
 *     fired and cancelled; its order's messages.
 *
 * Tasks, finance requests and messages name an order, not a case: the
 * ones shown are the order's, so two cases of one order show each
 * other's too (their rule and summary tell them apart). A case id is
 * unique per shop and kind; `show` without --shop finds it in any shop
 * and stops with exit 2, naming the candidates, when there are several.
 *
 * All reads run in one read-only REPEATABLE READ transaction, one
 * snapshot. Times are shown in the shop's zone when the shops file
 * (CS_SHOPS_FILE) knows the shop, else in Asia/Shanghai; --tz overrides.
 * Money is integer fen in JSON, yuan with two decimals for people.
 * Phone numbers (review buyer, message recipients, refund accounts) are
 * masked (138****8000) in both forms, as in `cscli messages`. */
#include "cscli.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "cs/clock.h"
#include "cs/shop.h"
#include "cs/text.h"
#include "cs/tz.h"
#include "cs/util.h"
#include "cs/v1/state.pb-c.h"

static const char cases_usage[] =
    "usage: cscli cases list [--open] [--kind aftersales|review] [--shop SHOP] [--order SHOP:ORDER]\n"
    "                        [--limit N] [--tz ZONE] [--json]\n"
    "         cases (after-sales RF-1, review follow-ups RV-1), last updated first\n"
    "         (default 100): id, kind, order, stage, opened, closed, updated.\n"
    "         --open: only cases not closed yet.\n"
    "       cscli cases show <id> [--shop SHOP] [--kind aftersales|review] [--tz ZONE] [--json]\n"
    "         one case: its stored state (type, reason, stage, agent, amounts, ...),\n"
    "         a timeline by time (registered, tasks, finance requests, decisions,\n"
    "         messages, fired timers, closed), its timers and its order's messages.\n"
    "         --shop (and --kind) pick the case when the id is in several shops;\n"
    "         exit 1 when there is no such case.\n"
    "Times are in the shop's zone (else " CSCLI_DEFAULT_TZ "), or ZONE.\n";

static const char *col(const PGresult *r, int row, int c) {
    return PQgetisnull(r, row, c) ? NULL : PQgetvalue(r, row, c);
}

static int64_t colInt(const PGresult *r, int row, int c) {
    const char *s = col(r, row, c);
    return s ? strtoll(s, NULL, 10) : 0;
}

/* JSON: a nullable column as a number or a string. */
static void jsonColInt(cJSON *o, const char *name, const PGresult *r, int row, int c) {
    if (PQgetisnull(r, row, c))
        cJSON_AddNullToObject(o, name);
    else
        cscli_json_int(o, name, colInt(r, row, c));
}

static void jsonColStr(cJSON *o, const char *name, const PGresult *r, int row, int c) {
    const char *s = col(r, row, c);
    if (s)
        cJSON_AddStringToObject(o, name, s);
    else
        cJSON_AddNullToObject(o, name);
}

static void jsonColMasked(cJSON *o, const char *name, const PGresult *r, int row, int c) {
    const char *s = col(r, row, c);
    char masked[512];
    if (!s || !*s) {
        cJSON_AddNullToObject(o, name);
        return;
    }
    cs_mask_phones(s, masked, sizeof masked);
    cJSON_AddStringToObject(o, name, masked);
}

/* ---- the queries ---------------------------------------------------------- */

enum { C_SHOP, C_KIND, C_ID, C_ORDER, C_STAGE, C_OPENED, C_CLOSED, C_UPDATED, C_DOC };

static const char sqlCase[] = "SELECT shop_id, kind, case_id, order_id, stage, opened_ms, closed_ms, updated_ms, doc"
                              " FROM cases WHERE case_id = $1 AND ($2::text IS NULL OR shop_id = $2)"
                              " AND ($3::text IS NULL OR kind = $3) ORDER BY shop_id, kind LIMIT 20";

enum { K_ID, K_KIND, K_RULE, K_SUMMARY, K_SHIFT, K_ASSIGNEE, K_URGENT, K_DUE, K_CREATED, K_CLOSED };

static const char sqlTasks[] = "SELECT task_id, replace(kind, 'TASK_KIND_', ''), rule, summary, shift, assignee,"
                               " urgent, due_ms, created_ms, closed_ms FROM tasks"
                               " WHERE shop_id = $1 AND order_id = $2 ORDER BY created_ms, task_id";

enum { F_ID, F_KIND, F_AMOUNT, F_AGENT, F_BUYER, F_ACCOUNT, F_RULE, F_REASON, F_CREATED };

static const char sqlFinance[] = "SELECT request_id, kind, amount_fen, nullif(agent, ''), nullif(buyer_id, ''),"
                                 " nullif(refund_account, ''), rule, reason, created_ms FROM finance_requests"
                                 " WHERE shop_id = $1 AND order_id = $2 ORDER BY created_ms, request_id";

enum { D_ID, D_VERDICT, D_AMOUNT, D_RULE, D_REASON, D_DECIDED };

static const char sqlDecisions[] = "SELECT decision_id, verdict, amount_fen, rule, reason, decided_ms FROM decisions"
                                   " WHERE shop_id = $1 AND case_id = $2 ORDER BY decided_ms, decision_id";

enum { M_KEY, M_TO, M_CHANNEL, M_CLASS, M_TEMPLATE, M_RULE, M_STATUS, M_REASON, M_RELEASE, M_REQUESTED, M_SENT };

static const char sqlMessages[] = "SELECT idempotency_key, to_addr, channel, class, template, rule, status, reason,"
                                  " release_ms, requested_ms, sent_ms FROM messages"
                                  " WHERE shop_id = $1 AND order_id = $2 ORDER BY requested_ms, idempotency_key";

enum { T_OWNER, T_ID, T_KIND, T_DUE, T_STATUS };

/* The scheme's suffix "@<shop>:<case id>" (cs_fx_timer_id), compared as a
 * suffix rather than with LIKE so '%' or '_' in an id match only
 * themselves. No index serves it: a scan of timers, as `timers list
 * --order` is; an operator command, run once. */
static const char sqlTimers[] = "SELECT owner, timer_id, kind, due_ms, status FROM timers"
                                " WHERE right(timer_id, length($1)) = $1 ORDER BY due_ms, timer_id";

/* ---- formatting helpers ------------------------------------------------- */

static void fmtMs(int64_t ms, const cs_tz *tz, char *buf, size_t len) {
    if (ms == 0)
        cs_strlcpy(buf, "-", len);
    else
        cs_format_iso8601(ms, tz, buf, len);
}

static void fmtColMs(const PGresult *r, int row, int c, const cs_tz *tz, char *buf, size_t len) {
    fmtMs(PQgetisnull(r, row, c) ? 0 : colInt(r, row, c), tz, buf, len);
}

/* "CASE_TYPE_REFUND_ONLY" -> "REFUND_ONLY": an enum value's name without
 * its prefix. */
static const char *enumShort(const ProtobufCEnumDescriptor *d, int v, const char *prefix) {
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);
    if (!ev) return "?";
    size_t n = strlen(prefix);
    return strncmp(ev->name, prefix, n) == 0 ? ev->name + n : ev->name;
}

/* ReviewCaseState.state (RV-6 outcome). */
static const char *reviewStateName(int32_t s) {
    static const char *const names[] = {"unknown", "open", "revised", "refused", "no answer", "closed"};
    return s >= 0 && s < (int32_t)(sizeof names / sizeof names[0]) ? names[s] : "unknown";
}

/* RV-4's sms_days bits as "2, 3" ("-" when none). */
static void smsDaysText(uint32_t bits, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (int d = 1; d <= 32; d++) {
        if (!(bits & (1u << (d - 1)))) continue;
        int n = snprintf(buf + used, len - used, "%s%d", used ? ", " : "", d);
        if (n < 0 || (size_t)n >= len - used) break;
        used += (size_t)n;
    }
    if (!buf[0]) cs_strlcpy(buf, "-", len);
}

static const char *orDash(const char *s) { return s && *s ? s : "-"; }

/* ---- the decoded doc ------------------------------------------------------ */

/* A case's doc, whichever kind it is (at most one set). */
typedef struct caseDoc {
    Cs__V1__RefundCaseState *refund; /* kind aftersales, owned */
    Cs__V1__ReviewCaseState *review; /* kind review, owned */
    bool bad;                        /* present but not decodable */
} caseDoc;

static void caseDocLoad(caseDoc *d, const char *kind, const PGresult *r) {
    memset(d, 0, sizeof *d);
    size_t len = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, C_DOC), &len);
    if (!raw) {
        d->bad = true;
        return;
    }
    if (strcmp(kind, "aftersales") == 0)
        d->refund = cs__v1__refund_case_state__unpack(NULL, len, raw);
    else if (strcmp(kind, "review") == 0)
        d->review = cs__v1__review_case_state__unpack(NULL, len, raw);
    PQfreemem(raw);
    d->bad = !d->refund && !d->review;
}

static void caseDocFree(caseDoc *d) {
    if (d->refund) cs__v1__refund_case_state__free_unpacked(d->refund, NULL);
    if (d->review) cs__v1__review_case_state__free_unpacked(d->review, NULL);
}

/* RF-3's postage_where: "refund" (added to the refund), "parcel" (cash in
 * the reshipped parcel), "none". */
static const char *postageWhere(int32_t w) { return w == 1 ? "refund" : w == 2 ? "parcel" : "none"; }

static cJSON *refundJson(const Cs__V1__RefundCaseState *s) {
    cJSON *d = cJSON_CreateObject();
    char masked[512];
    cJSON_AddStringToObject(d, "type", enumShort(&cs__v1__case_type__descriptor, s->type, "CASE_TYPE_"));
    cJSON_AddStringToObject(d, "reason", enumShort(&cs__v1__case_reason__descriptor, s->reason, "CASE_REASON_"));
    cJSON_AddStringToObject(d, "stage", enumShort(&cs__v1__case_stage__descriptor, s->stage, "CASE_STAGE_"));
    cJSON_AddStringToObject(d, "sku", s->sku);
    cJSON_AddStringToObject(d, "agent", s->agent);
    cs_mask_phones(s->refund_account, masked, sizeof masked);
    cJSON_AddStringToObject(d, "refund_account", masked);
    cJSON_AddStringToObject(d, "origin_province", s->origin_province);
    cscli_json_int(d, "amount_fen", s->amount_fen);
    cscli_json_int(d, "postage_paid_fen", s->postage_paid_fen);
    cscli_json_int(d, "registered_ms", s->registered_ms);
    cscli_json_int(d, "requested_ms", s->requested_ms);
    cscli_json_int(d, "agreed_ms", s->agreed_ms);
    cscli_json_int(d, "refunded_ms", s->refunded_ms);
    cscli_json_int(d, "intervened_ms", s->intervened_ms);
    cscli_json_int(d, "last_event_ms", s->last_event_ms);
    cJSON_AddStringToObject(d, "last_event_id", s->last_event_id);
    cJSON_AddBoolToObject(d, "has_photo", s->has_photo);
    cJSON_AddBoolToObject(d, "item_unusable_photo", s->item_unusable_photo);
    cJSON_AddBoolToObject(d, "goods_unused", s->goods_unused);
    cJSON_AddBoolToObject(d, "packaging_complete", s->packaging_complete);
    cJSON_AddBoolToObject(d, "freight_collect", s->freight_collect);
    cscli_json_int(d, "refused_transitions", s->refused_transitions);
    cJSON_AddStringToObject(d, "postage_reimburse", postageWhere(s->postage_where));
    cscli_json_int(d, "postage_reimbursed_fen", s->postage_fen);
    cscli_json_int(d, "refund_fen", s->refund_fen);
    return d;
}

static cJSON *reviewJson(const Cs__V1__ReviewCaseState *s) {
    cJSON *d = cJSON_CreateObject();
    char masked[128];
    cJSON_AddStringToObject(d, "review_id", s->review_id);
    cJSON_AddStringToObject(d, "buyer_id", s->buyer_id);
    cs_mask_phones(s->buyer_phone, masked, sizeof masked);
    cJSON_AddStringToObject(d, "buyer_phone", masked);
    cJSON_AddStringToObject(d, "sku", s->sku);
    cJSON_AddStringToObject(d, "rating", enumShort(&cs__v1__review_rating__descriptor, s->rating, "REVIEW_RATING_"));
    cJSON_AddStringToObject(d, "dislike", enumShort(&cs__v1__dislike_kind__descriptor, s->dislike, "DISLIKE_KIND_"));
    cscli_json_int(d, "posted_ms", s->posted_ms);
    cscli_json_int(d, "item_price_fen", s->item_price_fen);
    cJSON_AddBoolToObject(d, "difficult", s->difficult);
    cscli_json_int(d, "calls", s->calls);
    cscli_json_int(d, "ims", s->ims);
    cscli_json_int(d, "last_contact_day", s->last_contact_day);
    cJSON *days = cJSON_AddArrayToObject(d, "sms_days");
    for (int k = 1; k <= 32; k++)
        if (s->sms_days & (1u << (k - 1))) cJSON_AddItemToArray(days, cJSON_CreateNumber(k));
    cJSON_AddStringToObject(d, "state", reviewStateName(s->state));
    cJSON_AddBoolToObject(d, "opted_out", s->opted_out);
    cscli_json_int(d, "closed_ms", s->closed_ms);
    return d;
}

static void refundRows(cscli_table *kv, const Cs__V1__RefundCaseState *s, const cs_tz *tz) {
    char a[64], b[64], line[1024];
    snprintf(line, sizeof line, "%s, reason %s", enumShort(&cs__v1__case_type__descriptor, s->type, "CASE_TYPE_"),
             enumShort(&cs__v1__case_reason__descriptor, s->reason, "CASE_REASON_"));
    cscli_table_row(kv, "type", line);
    cscli_table_row(kv, "agent", orDash(s->agent));
    cscli_table_row(kv, "sku", orDash(s->sku));
    cs_fen_format(s->amount_fen, a, sizeof a);
    cs_fen_format(s->postage_paid_fen, b, sizeof b);
    snprintf(line, sizeof line, "%s CNY, return postage paid %s", a, b);
    cscli_table_row(kv, "amount", line);
    cs_mask_phones(s->refund_account, line, sizeof line);
    cscli_table_row(kv, "refund to", line[0] ? line : "the original payment");
    if (s->postage_where) {
        cs_fen_format(s->postage_fen, a, sizeof a);
        const char *where = s->postage_where == 2 ? "cash in the reshipped parcel" : "added to the refund";
        snprintf(line, sizeof line, "%s (RF-3)%s%s%s", where, s->postage_fen ? ", " : "", s->postage_fen ? a : "",
                 s->postage_fen ? " CNY reimbursed" : "");
        cscli_table_row(kv, "return postage", line);
    }
    if (s->origin_province && *s->origin_province) cscli_table_row(kv, "ships from", s->origin_province);
    snprintf(line, sizeof line, "photo %s, unusable-item photo %s, goods unused %s, packaging complete %s%s",
             s->has_photo ? "yes" : "no", s->item_unusable_photo ? "yes" : "no", s->goods_unused ? "yes" : "no",
             s->packaging_complete ? "yes" : "no", s->freight_collect ? ", freight collect" : "");
    cscli_table_row(kv, "evidence", line);
    fmtMs(s->last_event_ms, tz, a, sizeof a);
    snprintf(line, sizeof line, "%s at %s", orDash(s->last_event_id), a);
    cscli_table_row(kv, "last event", line);
    if (s->refused_transitions) {
        snprintf(line, sizeof line, "%d (RF-1: stage changes out of order, ignored)", s->refused_transitions);
        cscli_table_row(kv, "refused", line);
    }
}

static void reviewRows(cscli_table *kv, const Cs__V1__ReviewCaseState *s) {
    char a[64], line[1024];
    snprintf(line, sizeof line, "%s, disliked %s",
             enumShort(&cs__v1__review_rating__descriptor, s->rating, "REVIEW_RATING_"),
             enumShort(&cs__v1__dislike_kind__descriptor, s->dislike, "DISLIKE_KIND_"));
    cscli_table_row(kv, "rating", line);
    char masked[128];
    cs_mask_phones(s->buyer_phone, masked, sizeof masked);
    snprintf(line, sizeof line, "%s  %s%s%s", orDash(s->buyer_id), orDash(masked), s->difficult ? "  difficult" : "",
             s->opted_out ? "  opted out" : "");
    cscli_table_row(kv, "buyer", line);
    cs_fen_format(s->item_price_fen, a, sizeof a);
    snprintf(line, sizeof line, "%s  price %s CNY", orDash(s->sku), a);
    cscli_table_row(kv, "item", line);
    char days[128];
    smsDaysText(s->sms_days, days, sizeof days);
    char last[32] = "none";
    if (s->last_contact_day) snprintf(last, sizeof last, "on day %d", s->last_contact_day);
    bool sms = strcmp(days, "-") != 0;
    snprintf(line, sizeof line, "%d call%s, %d IM, last contact %s; follow-up SMS %s%s", s->calls,
             s->calls == 1 ? "" : "s", s->ims, last, sms ? "on day " : "none", sms ? days : "");
    cscli_table_row(kv, "contacts", line);
    cscli_table_row(kv, "outcome", reviewStateName(s->state));
}

/* ---- the timeline ---------------------------------------------------------- */

typedef struct tlEntry {
    int64_t ms;       /* when */
    int seq;          /* insertion order: ties keep it */
    char what[32];    /* "registered", "task", "decision", ... */
    char detail[512]; /* one line for people */
    char ref[256];    /* the row's id ("" = none) */
} tlEntry;

typedef struct timeline {
    tlEntry *e; /* owned */
    int n, cap;
} timeline;

static void tlAdd(timeline *t, int64_t ms, const char *what, const char *ref, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void tlAdd(timeline *t, int64_t ms, const char *what, const char *ref, const char *fmt, ...) {
    if (ms == 0) return; /* never happened */
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->e = cs_xrealloc(t->e, (size_t)t->cap * sizeof *t->e);
    }
    tlEntry *e = &t->e[t->n];
    e->ms = ms;
    e->seq = t->n++;
    cs_strlcpy(e->what, what, sizeof e->what);
    cs_strlcpy(e->ref, ref ? ref : "", sizeof e->ref);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
}

static int tlCmp(const void *a, const void *b) {
    const tlEntry *x = a, *y = b;
    if (x->ms != y->ms) return x->ms < y->ms ? -1 : 1;
    return x->seq - y->seq;
}

/* Everything read about one case. */
typedef struct caseView {
    const PGresult *c, *tasks, *fin, *dec, *msg, *tim;
    caseDoc doc;
} caseView;

static void buildTimeline(timeline *t, const caseView *v) {
    const PGresult *c = v->c;
    char a[64];
    const char *id = PQgetvalue(c, 0, C_ID);
    if (v->doc.refund) {
        const Cs__V1__RefundCaseState *s = v->doc.refund;
        cs_fen_format(s->amount_fen, a, sizeof a);
        tlAdd(t, s->registered_ms, "registered", id, "%s, reason %s, %s CNY, agent %s (RF-1)",
              enumShort(&cs__v1__case_type__descriptor, s->type, "CASE_TYPE_"),
              enumShort(&cs__v1__case_reason__descriptor, s->reason, "CASE_REASON_"), a, orDash(s->agent));
        tlAdd(t, s->requested_ms, "requested", id, "the buyer's request");
        tlAdd(t, s->agreed_ms, "agreed", id, "the case was agreed");
        tlAdd(t, s->intervened_ms, "intervened", id, "platform intervention: a dispute (RF-11)");
        tlAdd(t, s->refunded_ms, "refunded", id, "refund made (RF-7)");
    } else if (v->doc.review) {
        const Cs__V1__ReviewCaseState *s = v->doc.review;
        tlAdd(t, s->posted_ms, "review posted", id, "%s review, disliked %s (day 1)",
              enumShort(&cs__v1__review_rating__descriptor, s->rating, "REVIEW_RATING_"),
              enumShort(&cs__v1__dislike_kind__descriptor, s->dislike, "DISLIKE_KIND_"));
        tlAdd(t, colInt(c, 0, C_OPENED), "opened", id, "follow-up case opened (RV-1)");
    } else {
        tlAdd(t, colInt(c, 0, C_OPENED), "opened", id, "case opened");
    }
    for (int i = 0; i < PQntuples(v->tasks); i++) {
        const PGresult *r = v->tasks;
        bool urgent = PQgetvalue(r, i, K_URGENT)[0] == 't';
        const char *who = col(r, i, K_ASSIGNEE) ? col(r, i, K_ASSIGNEE) : col(r, i, K_SHIFT);
        tlAdd(t, colInt(r, i, K_CREATED), "task", PQgetvalue(r, i, K_ID), "%s %s%s to %s: %s", PQgetvalue(r, i, K_RULE),
              PQgetvalue(r, i, K_KIND), urgent ? " (urgent)" : "", orDash(who), PQgetvalue(r, i, K_SUMMARY));
        tlAdd(t, colInt(r, i, K_CLOSED), "task closed", PQgetvalue(r, i, K_ID), "%s %s", PQgetvalue(r, i, K_RULE),
              PQgetvalue(r, i, K_KIND));
    }
    for (int i = 0; i < PQntuples(v->fin); i++) {
        const PGresult *r = v->fin;
        cs_fen_format(colInt(r, i, F_AMOUNT), a, sizeof a);
        tlAdd(t, colInt(r, i, F_CREATED), "finance", PQgetvalue(r, i, F_ID), "%s %s CNY (%s): %s",
              PQgetvalue(r, i, F_KIND), a, PQgetvalue(r, i, F_RULE), PQgetvalue(r, i, F_REASON));
    }
    for (int i = 0; i < PQntuples(v->dec); i++) {
        const PGresult *r = v->dec;
        cs_fen_format(colInt(r, i, D_AMOUNT), a, sizeof a);
        tlAdd(t, colInt(r, i, D_DECIDED), "decision", PQgetvalue(r, i, D_ID), "%s %s CNY (%s): %s",
              PQgetvalue(r, i, D_VERDICT), a, PQgetvalue(r, i, D_RULE), PQgetvalue(r, i, D_REASON));
    }
    for (int i = 0; i < PQntuples(v->msg); i++) {
        const PGresult *r = v->msg;
        const char *reason = PQgetvalue(r, i, M_REASON);
        int64_t req = colInt(r, i, M_REQUESTED), sent = colInt(r, i, M_SENT);
        tlAdd(t, req, "message", PQgetvalue(r, i, M_KEY), "%s %s %s (%s)%s%s", PQgetvalue(r, i, M_TEMPLATE),
              PQgetvalue(r, i, M_CHANNEL), PQgetvalue(r, i, M_STATUS), PQgetvalue(r, i, M_RULE), *reason ? ": " : "",
              reason);
        /* a held message goes out later: its sending is its own moment */
        if (sent && sent != req)
            tlAdd(t, sent, "message sent", PQgetvalue(r, i, M_KEY), "%s %s", PQgetvalue(r, i, M_TEMPLATE),
                  PQgetvalue(r, i, M_CHANNEL));
    }
    for (int i = 0; i < PQntuples(v->tim); i++) {
        const PGresult *r = v->tim;
        /* the row keeps the due time, not the firing's: fired at or after it */
        if (strcmp(PQgetvalue(r, i, T_STATUS), "fired") == 0)
            tlAdd(t, colInt(r, i, T_DUE), "timer fired", PQgetvalue(r, i, T_ID), "%s (due then; owner %s)",
                  PQgetvalue(r, i, T_KIND), PQgetvalue(r, i, T_OWNER));
    }
    tlAdd(t, colInt(c, 0, C_CLOSED), "closed", id, "stage %s", orDash(col(c, 0, C_STAGE)));
    if (t->n) qsort(t->e, (size_t)t->n, sizeof *t->e, tlCmp);
}

/* ---- output ------------------------------------------------------------------ */

/* One array of objects from a result, a field per column spec: the
 * sections of cases show --json. */
typedef struct jsonCol {
    const char *name;
    int col;
    char type; /* 's' text, 'i' integer, 'm' masked text, 'b' boolean */
} jsonCol;

static void jsonRows(cJSON *doc, const char *key, const PGresult *r, const jsonCol *cols, size_t n) {
    cJSON *arr = cJSON_AddArrayToObject(doc, key);
    for (int i = 0; i < PQntuples(r); i++) {
        cJSON *o = cJSON_CreateObject();
        for (size_t k = 0; k < n; k++) {
            const jsonCol *jc = &cols[k];
            if (jc->type == 'i')
                jsonColInt(o, jc->name, r, i, jc->col);
            else if (jc->type == 'm')
                jsonColMasked(o, jc->name, r, i, jc->col);
            else if (jc->type == 'b')
                cJSON_AddBoolToObject(o, jc->name, PQgetvalue(r, i, jc->col)[0] == 't');
            else
                jsonColStr(o, jc->name, r, i, jc->col);
        }
        cJSON_AddItemToArray(arr, o);
    }
}

static const jsonCol tasksCols[] = {{"task_id", K_ID, 's'},         {"kind", K_KIND, 's'},
                                    {"rule", K_RULE, 's'},          {"summary", K_SUMMARY, 's'},
                                    {"shift", K_SHIFT, 's'},        {"assignee", K_ASSIGNEE, 's'},
                                    {"urgent", K_URGENT, 'b'},      {"due_ms", K_DUE, 'i'},
                                    {"created_ms", K_CREATED, 'i'}, {"closed_ms", K_CLOSED, 'i'}};
static const jsonCol financeCols[] = {
    {"request_id", F_ID, 's'}, {"kind", F_KIND, 's'},      {"amount_fen", F_AMOUNT, 'i'},
    {"agent", F_AGENT, 's'},   {"buyer_id", F_BUYER, 's'}, {"refund_account", F_ACCOUNT, 'm'},
    {"rule", F_RULE, 's'},     {"reason", F_REASON, 's'},  {"created_ms", F_CREATED, 'i'}};
static const jsonCol decisionsCols[] = {{"decision_id", D_ID, 's'},    {"verdict", D_VERDICT, 's'},
                                        {"amount_fen", D_AMOUNT, 'i'}, {"rule", D_RULE, 's'},
                                        {"reason", D_REASON, 's'},     {"decided_ms", D_DECIDED, 'i'}};
static const jsonCol timersCols[] = {{"timer_id", T_ID, 's'},
                                     {"owner", T_OWNER, 's'},
                                     {"kind", T_KIND, 's'},
                                     {"due_ms", T_DUE, 'i'},
                                     {"status", T_STATUS, 's'}};
static const jsonCol messagesCols[] = {{"idempotency_key", M_KEY, 's'}, {"to", M_TO, 'm'},
                                       {"channel", M_CHANNEL, 's'},     {"class", M_CLASS, 's'},
                                       {"template", M_TEMPLATE, 's'},   {"rule", M_RULE, 's'},
                                       {"status", M_STATUS, 's'},       {"reason", M_REASON, 's'},
                                       {"release_ms", M_RELEASE, 'i'},  {"requested_ms", M_REQUESTED, 'i'},
                                       {"sent_ms", M_SENT, 'i'}};

static void printJson(cscli *c, const caseView *v, const timeline *tl) {
    const PGresult *r = v->c;
    cJSON *doc = cJSON_CreateObject();
    jsonColStr(doc, "shop_id", r, 0, C_SHOP);
    jsonColStr(doc, "case_id", r, 0, C_ID);
    jsonColStr(doc, "kind", r, 0, C_KIND);
    jsonColStr(doc, "order_id", r, 0, C_ORDER);
    jsonColStr(doc, "stage", r, 0, C_STAGE);
    jsonColInt(doc, "opened_ms", r, 0, C_OPENED);
    jsonColInt(doc, "closed_ms", r, 0, C_CLOSED);
    jsonColInt(doc, "updated_ms", r, 0, C_UPDATED);
    cJSON_AddBoolToObject(doc, "open", PQgetisnull(r, 0, C_CLOSED));
    cJSON_AddItemToObject(doc, "doc",
                          v->doc.refund   ? refundJson(v->doc.refund)
                          : v->doc.review ? reviewJson(v->doc.review)
                                          : cJSON_CreateNull());

    cJSON *arr = cJSON_AddArrayToObject(doc, "timeline");
    for (int i = 0; i < tl->n; i++) {
        cJSON *o = cJSON_CreateObject();
        cscli_json_int(o, "ms", tl->e[i].ms);
        cJSON_AddStringToObject(o, "what", tl->e[i].what);
        cJSON_AddStringToObject(o, "detail", tl->e[i].detail);
        cJSON_AddStringToObject(o, "ref", tl->e[i].ref);
        cJSON_AddItemToArray(arr, o);
    }
    jsonRows(doc, "tasks", v->tasks, tasksCols, sizeof tasksCols / sizeof tasksCols[0]);
    jsonRows(doc, "finance", v->fin, financeCols, sizeof financeCols / sizeof financeCols[0]);
    jsonRows(doc, "decisions", v->dec, decisionsCols, sizeof decisionsCols / sizeof decisionsCols[0]);
    jsonRows(doc, "timers", v->tim, timersCols, sizeof timersCols / sizeof timersCols[0]);
    jsonRows(doc, "messages", v->msg, messagesCols, sizeof messagesCols / sizeof messagesCols[0]);
    cscli_print_json(c, doc);
}

static void printHuman(cscli *c, const caseView *v, const timeline *tl, const cs_tz *tz) {
    const PGresult *r = v->c;
    char a[64], b[64];
    fprintf(c->out, "Case %s:%s (%s)  order %s  stage %s\n", cscli_field(c, PQgetvalue(r, 0, C_SHOP)),
            cscli_field(c, PQgetvalue(r, 0, C_ID)), cscli_field(c, PQgetvalue(r, 0, C_KIND)),
            cscli_field(c, col(r, 0, C_ORDER)), cscli_field(c, col(r, 0, C_STAGE)));
    cscli_table *kv = cscli_table_new(2);
    if (v->doc.refund)
        refundRows(kv, v->doc.refund, tz);
    else if (v->doc.review)
        reviewRows(kv, v->doc.review);
    fmtColMs(r, 0, C_OPENED, tz, a, sizeof a);
    cscli_table_row(kv, "opened", a);
    fmtColMs(r, 0, C_CLOSED, tz, a, sizeof a);
    cscli_table_row(kv, "closed", PQgetisnull(r, 0, C_CLOSED) ? "- (open)" : a);
    fmtColMs(r, 0, C_UPDATED, tz, a, sizeof a);
    cscli_table_row(kv, "updated", a);
    cscli_table_print(kv, c->out, "  ");
    cscli_table_free(kv);
    if (v->doc.bad)
        fprintf(c->out, "\n(doc: not a decodable %s)\n",
                strcmp(PQgetvalue(r, 0, C_KIND), "review") == 0 ? "cs.v1.ReviewCaseState" : "cs.v1.RefundCaseState");

    fprintf(c->out, "\nTimeline\n");
    if (tl->n == 0) {
        fprintf(c->out, "  none\n");
    } else {
        cscli_table *t = cscli_table_new(3);
        cscli_table_row(t, "TIME", "WHAT", "DETAIL");
        for (int i = 0; i < tl->n; i++) {
            fmtMs(tl->e[i].ms, tz, a, sizeof a);
            cscli_table_row(t, a, tl->e[i].what, tl->e[i].detail);
        }
        cscli_table_print(t, c->out, "  ");
        cscli_table_free(t);
    }

    fprintf(c->out, "\nTimers\n");
    if (PQntuples(v->tim) == 0) {
        fprintf(c->out, "  none\n");
    } else {
        cscli_table *t = cscli_table_new(4);
        cscli_table_row(t, "DUE", "KIND", "STATUS", "OWNER");
        for (int i = 0; i < PQntuples(v->tim); i++) {
            fmtColMs(v->tim, i, T_DUE, tz, a, sizeof a);
            cscli_table_row(t, a, PQgetvalue(v->tim, i, T_KIND), PQgetvalue(v->tim, i, T_STATUS),
                            PQgetvalue(v->tim, i, T_OWNER));
        }
        cscli_table_print(t, c->out, "  ");
        cscli_table_free(t);
    }

    fprintf(c->out, "\nMessages\n");
    if (PQntuples(v->msg) == 0) {
        fprintf(c->out, "  none\n");
    } else {
        cscli_table *t = cscli_table_new(8);
        cscli_table_row(t, "REQUESTED", "TO", "TEMPLATE", "CH", "STATUS", "REASON", "RELEASE", "SENT");
        for (int i = 0; i < PQntuples(v->msg); i++) {
            const PGresult *m = v->msg;
            char masked[128], rel[64];
            fmtColMs(m, i, M_REQUESTED, tz, a, sizeof a);
            fmtColMs(m, i, M_SENT, tz, b, sizeof b);
            fmtColMs(m, i, M_RELEASE, tz, rel, sizeof rel);
            cs_mask_phones(PQgetvalue(m, i, M_TO), masked, sizeof masked);
            cscli_table_row(t, a, masked, PQgetvalue(m, i, M_TEMPLATE), PQgetvalue(m, i, M_CHANNEL),
                            PQgetvalue(m, i, M_STATUS), orDash(PQgetvalue(m, i, M_REASON)), rel, b);
        }
        cscli_table_print(t, c->out, "  ");
        cscli_table_free(t);
    }
}

/* The zone to show times in: --tz, else the shop's, else the default. */
static cs_tz *pickZone(cscli *c, const char *tzname, const char *shop, char *err, size_t errlen) {
    if (tzname) return cs_tz_load(tzname, err, errlen);
    char ignored[512];
    cs_shops *shops = cs_shops_load(c->cfg.shops_file, ignored, sizeof ignored);
    const cs_shop *s = shops ? cs_shops_find(shops, shop) : NULL;
    cs_tz *tz = s && s->time_zone ? cs_tz_load(s->time_zone, ignored, sizeof ignored) : NULL;
    cs_shops_free(shops);
    return tz ? tz : cs_tz_load(CSCLI_DEFAULT_TZ, err, errlen);
}

static int casesShow(cscli *c, const char *id, const char *shop, const char *kind, const char *tzname) {
    char err[1024];
    int rc = cscli_load_config(c);
    if (rc != CSCLI_OK) return rc;
    PGconn *pg = cscli_pg_connect(c, err, sizeof err);
    if (!pg) return cscli_fail(c, CSCLI_BACKEND, "PostgreSQL unreachable: %s", err);

    caseView v = {0};
    PGresult *begin = NULL, *cr = NULL, *tr = NULL, *fr = NULL, *dr = NULL, *mr = NULL, *xr = NULL;
    cs_tz *tz = NULL;
    timeline tl = {0};
    begin = cscli_pg_run(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, err, sizeof err);
    const char *pc[] = {id, shop, kind};
    if (!begin || !(cr = cscli_pg_run(pg, sqlCase, 3, pc, err, sizeof err))) {
        rc = cscli_fail(c, CSCLI_BACKEND, "PostgreSQL: %s", err);
        goto out;
    }
    if (PQntuples(cr) == 0) {
        rc = cscli_fail(c, CSCLI_NOT_FOUND, "case %s not found%s%s%s%s", id, shop ? " in shop " : "", shop ? shop : "",
                        kind ? " of kind " : "", kind ? kind : "");
        goto out;
    }
    if (PQntuples(cr) > 1) {
        char which[1024] = "";
        size_t used = 0;
        for (int i = 0; i < PQntuples(cr); i++) {
            int n = snprintf(which + used, sizeof which - used, "%s%s (%s)", i ? ", " : "", PQgetvalue(cr, i, C_SHOP),
                             PQgetvalue(cr, i, C_KIND));
            if (n < 0 || (size_t)n >= sizeof which - used) break;
            used += (size_t)n;
        }
        rc = cscli_fail(c, CSCLI_USAGE, "cases show: case %s is in %s: name one with %s", id, which,
                        shop ? "--kind" : "--shop (and --kind)");
        goto out;
    }
    const char *cshop = PQgetvalue(cr, 0, C_SHOP), *order = col(cr, 0, C_ORDER);
    char suffix[1024];
    snprintf(suffix, sizeof suffix, "@%s:%s", cshop, id);
    const char *po[] = {cshop, order}, *pd[] = {cshop, id}, *pt[] = {suffix};
    if (!(tr = cscli_pg_run(pg, sqlTasks, 2, po, err, sizeof err)) ||
        !(fr = cscli_pg_run(pg, sqlFinance, 2, po, err, sizeof err)) ||
        !(dr = cscli_pg_run(pg, sqlDecisions, 2, pd, err, sizeof err)) ||
        !(mr = cscli_pg_run(pg, sqlMessages, 2, po, err, sizeof err)) ||
        !(xr = cscli_pg_run(pg, sqlTimers, 1, pt, err, sizeof err))) {
        rc = cscli_fail(c, CSCLI_BACKEND, "PostgreSQL: %s", err);
        goto out;
    }
    tz = pickZone(c, tzname, cshop, err, sizeof err);
    if (!tz) {
        rc = cscli_fail(c, CSCLI_USAGE, "cases: time zone: %s", err);
        goto out;
    }
    v = (caseView){.c = cr, .tasks = tr, .fin = fr, .dec = dr, .msg = mr, .tim = xr};
    caseDocLoad(&v.doc, PQgetvalue(cr, 0, C_KIND), cr);
    buildTimeline(&tl, &v);
    if (c->json)
        printJson(c, &v, &tl);
    else
        printHuman(c, &v, &tl, tz);
    rc = CSCLI_OK;
out:
    caseDocFree(&v.doc);
    free(tl.e);
    cs_tz_free(tz);
    PQclear(begin);
    PQclear(cr);
    PQclear(tr);
    PQclear(fr);
    PQclear(dr);
    PQclear(mr);
    PQclear(xr);
    PQfinish(pg);
    return rc;
}

static int casesList(cscli *c, int argc, char **argv) {
    cscli_list_args a;
    int rc = cscli_list_args_parse(c, argc, argv, "cases", cases_usage, "--kind", &a);
    if (rc >= 0) return rc;
    const char *params[] = {a.open ? "t" : "f",          a.shop,  a.order ? a.order_shop : NULL,
                            a.order ? a.order_id : NULL, a.limit, a.extra};
    static const cscli_col cols[] = {{"shop_id", CSCLI_COL_TEXT}, {"case_id", CSCLI_COL_TEXT},
                                     {"kind", CSCLI_COL_TEXT},    {"order_id", CSCLI_COL_TEXT},
                                     {"stage", CSCLI_COL_TEXT},   {"opened_ms", CSCLI_COL_MS},
                                     {"closed_ms", CSCLI_COL_MS}, {"updated_ms", CSCLI_COL_MS}};
    return cscli_list_query(c,
                            "SELECT shop_id, case_id, kind, order_id, stage, opened_ms, closed_ms, updated_ms "
                            "FROM cases WHERE ($1::boolean IS FALSE OR closed_ms IS NULL) "
                            "AND ($2::text IS NULL OR shop_id = $2) "
                            "AND ($3::text IS NULL OR (shop_id = $3 AND order_id = $4)) "
                            "AND ($6::text IS NULL OR kind = $6) "
                            "ORDER BY updated_ms DESC, shop_id, kind, case_id LIMIT $5::int",
                            6, params, cols, (int)(sizeof cols / sizeof cols[0]), a.tzname, "cases");
}

static bool kindValid(const char *k) { return !k || strcmp(k, "aftersales") == 0 || strcmp(k, "review") == 0; }

int cscli_cmd_cases(cscli *c, int argc, char **argv) {
    /* One pass with every option of both subcommands finds which one it
     * is; `list` then parses again with the list engine's rules. */
    bool help = false, json = false, open = false;
    const char *shop = NULL, *kind = NULL, *tzname = NULL, *order = NULL, *limit = NULL;
    const cscli_opt opts[] = {{"--json", &json, NULL},   {"--help", &help, NULL},  {"--open", &open, NULL},
                              {"--shop", NULL, &shop},   {"--kind", NULL, &kind},  {"--tz", NULL, &tzname},
                              {"--order", NULL, &order}, {"--limit", NULL, &limit}};
    const char *pos[3];
    int npos;
    char err[1024];
    int rc = cscli_parse_args(argc - 1, argv + 1, opts, sizeof opts / sizeof opts[0], pos, 3, &npos, err, sizeof err);
    c->json |= json;
    if (rc != 0) return cscli_usage_error(c, cases_usage, "cases: %s", err);
    if (help) {
        fputs(cases_usage, c->out);
        return CSCLI_OK;
    }
    if (npos == 0) return cscli_usage_error(c, cases_usage, "cases: which subcommand? (list, show)");
    if (!kindValid(kind))
        return cscli_usage_error(c, cases_usage, "cases: --kind must be aftersales or review, got '%s'", kind);
    if (strcmp(pos[0], "list") == 0) return casesList(c, argc, argv);
    if (strcmp(pos[0], "show") != 0) return cscli_usage_error(c, cases_usage, "cases: unknown subcommand '%s'", pos[0]);
    if (npos != 2 || !*pos[1])
        return cscli_usage_error(c, cases_usage, "cases show: needs one case id%s%s", npos > 2 ? ", got also " : "",
                                 npos > 2 ? pos[2] : "");
    if (open || order || limit)
        return cscli_usage_error(c, cases_usage, "cases show: %s applies to list only",
                                 open    ? "--open"
                                 : order ? "--order"
                                         : "--limit");
    if (tzname) {
        cs_tz *probe = cs_tz_load(tzname, err, sizeof err);
        if (!probe) return cscli_usage_error(c, cases_usage, "cases: time zone: %s", err);
        cs_tz_free(probe);
    }
    return casesShow(c, pos[1], shop, kind, tzname);
}
