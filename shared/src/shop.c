/* shop.c -- the per-shop settings file (CS_SHOPS_FILE), loaded and
 * validated completely at start-up.
 *
 * Every number of RULES.md is a shop setting; the rules read them from a
 * cs_shop and never hard-code them. A bad file must stop the process with
 * the file, the key path and the reason, so the loader walks the JSON tree
 * itself, key by key, against the format below: unknown and duplicate
 * keys, wrong types, numbers out of range, unknown names and unloadable
 * zones are all refused. The result is immutable and owns every string and
 * every loaded zone, so rule code may hold `const cs_shop *` freely.
 *
 * ---- File format (copied into docs/config.md) ----------------------------
 *
 * A JSON object with one key, "shops": an array of one or more shops.
 * Keys are case-sensitive; an unknown or repeated key is an error. Each
 * shop is an object:
 *
 *   id                   string, required. 1..64 of [A-Za-z0-9._-]; unique.
 *                        The shop id of envelopes, keys and webhook paths.
 *   channel              string, required: "taobao", "tmall" or "own_site".
 *   time_zone            string, IANA zone name. Default "Asia/Shanghai".
 *                        Must load from /usr/share/zoneinfo ("UTC" always does).
 *   secrets              object of webhook HMAC secrets, each optional:
 *                          generic  (POST /v1/webhooks/generic)
 *                          taobao   (POST /v1/webhooks/taobao)
 *                          shopify  (POST /v1/webhooks/shopify)
 *                        each a string of 16..512 characters, or, while a
 *                        shop rotates its secret, an array of two: the new
 *                        secret first, then the old; a signature made with
 *                        either is accepted until the old one is removed.
 *                        An absent secret means webhooks of that kind are
 *                        refused for the shop.
 *   currency             ISO 4217 code (3 upper-case letters) of the shop's
 *                        money. Default "CNY". A webhook in another currency
 *                        is refused (400).
 *   address_required     array of the address parts OV-3 requires, from
 *                        "province", "city", "district", "street" (no
 *                        repeats, at least one). Default all four (RULES.md);
 *                        a Shopify shop may drop "district".
 *   webhook_rate         integer 0..1000000: webhook requests per second the
 *                        gateway takes from the shop (more answer 429 with
 *                        Retry-After). Default 0 = no limit.
 *   webhook_burst        integer 0..1000000: requests above the rate taken
 *                        at once after a quiet spell. Default = webhook_rate.
 *   shopify_domain       string, "<name>.myshopify.com"-like host name
 *                        (lower-case letters, digits, '-', '.'); unique
 *                        across shops. Default: none.
 *   couriers             array (at most 16), in preference order (OV-4):
 *                          code         string, required, 1..16 of
 *                                       [A-Za-z0-9_-], unique in the shop,
 *                                       as on orders ("SF", "YTO").
 *                          name         string, display name. Default: code.
 *                          unreachable  array of regions it cannot deliver
 *                                       to (at most 64). Default [].
 *                          cod          array of regions where it collects
 *                                       cash on delivery (at most 64), or
 *                                       ["*"] for everywhere. Default [].
 *                        A region is "province", "city", "district" or a
 *                        path "province/city[/district]" ("浙江省/杭州市/淳安县"):
 *                        a single name matches that level of an address, a
 *                        path from the province down as far as it goes.
 *                        Parts are non-empty, without surrounding blanks;
 *                        a list may not repeat a region. Default: no couriers.
 *   thresholds           object; each key is optional and takes the
 *                        handbook default (cs_thresholds in shop.h):
 *                          unpaid_reminder_min 30, hold_settle_days 3,
 *                          duplicate_window_min 1440, quality_window_days 30,
 *                          quality_test_cases 2, quality_delist_cases 3,
 *                          capture_sweep_min 1140 (19:00),
 *                          own_site_invoice_tax_bp 600, compensation_bp 500,
 *                          compensation_cap_fen 3000, complaint_l1_min 60,
 *                          complaint_l2_min 240, complaint_l3_min 1440,
 *                          vip_complaints 2, vip_complaint_window_days 30,
 *                          vip_paid_fen 200000, vip_paid_window_months 12,
 *                          exception_escalate_day 3, chaser_default_ship_h 48,
 *                          return_ship_days 2, case_deadline_days 7,
 *                          postage_out_province_fen 1000,
 *                          postage_in_province_fen 800,
 *                          no_reason_return_days 7, cheap_item_fen 3000,
 *                          dispute_evidence_days 3, dispute_month_limit 5,
 *                          dispute_alert_at 4, neutral_max_calls 2,
 *                          negative_max_contacts 3,
 *                          follow_up_send_min 600 (10:00),
 *                          service_quiet_start_min 1260 (21:00),
 *                          service_quiet_end_min 480 (08:00),
 *                          follow_up_quiet_start_min 1200 (20:00),
 *                          follow_up_quiet_end_min 480 (08:00),
 *                          daily_message_cap 3, target_base_pct 110,
 *                          target_stretch_pct 125, enquiries_per_agent 300,
 *                          pii_retention_days 90 (1..3650: days after an
 *                          order or case closes until `cscli pii purge`
 *                          masks the buyer's phone, name and address;
 *                          docs/security.md "PII retention").
 *                        Values are integers (the range of each is in the
 *                        table th_fields below). Times of day (capture_sweep_min,
 *                        follow_up_send_min, *_quiet_*_min) may also be
 *                        written "HH:MM". Cross-checks: quality_test_cases <=
 *                        quality_delist_cases, complaint_l1_min <= l2 <= l3,
 *                        dispute_alert_at <= dispute_month_limit,
 *                        target_base_pct <= target_stretch_pct.
 *   shifts               array of 1..8 {"name", "start", "end"} (SH-1):
 *                        name unique and non-empty; start "HH:MM" 00:00..23:59,
 *                        end "HH:MM" after start, up to "24:00". Default
 *                        early 09:00-18:30, middle 11:30-21:00, night 16:00-24:00.
 *   promotion_mode       boolean (RF-9). Default false.
 *   msg_pref             "im" or "sms" (EX-4, RF-8). Default "im".
 *   province             the shop's own province (RF-3: a return from it is
 *                        reimbursed at most postage_in_province_fen, else
 *                        postage_out_province_fen), 1..64 bytes, compared
 *                        without its suffix ("浙江" = "浙江省"). Default none:
 *                        every return counts as out of province.
 *   postage_reimburse    "refund" or "parcel" (RF-3: a reimbursement added to
 *                        the refund, or put as cash in the reshipped parcel
 *                        where one is reshipped). Default "refund".
 *   payment_reminder_im  boolean (OV-6: IM message instead of a call).
 *                        Default false.
 *   requeue_shift        name of the shift whose queue takes an exception
 *                        still open at the end of its day (EX-6). Default
 *                        "middle" when a shift has that name, else none
 *                        (the first shift of the day takes it).
 *   templates            array (at most 64) of template overrides:
 *                        {"id": string (unique, required), "text": string
 *                        (required, non-empty), "refusal": boolean (default
 *                        false)}. The NT-5 wording check is the template
 *                        module's, at start-up.
 *
 * All strings must be valid UTF-8. Errors read
 *   "<file>: <key path>: <reason>"   e.g.
 *   "shops.json: shops[1].couriers[0].code: duplicate courier code \"SF\""
 *   "shops.json: line 7: JSON syntax error near '}'"
 * -------------------------------------------------------------------------- */
#include "cs/shop.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cs/util.h"

#define SHOPS_MAX_FILE (16 * 1024 * 1024)

struct cs_shops {
    cs_shop *shops; /* nshops entries; each owns its strings */
    size_t nshops;
    cs_tz **tzs; /* distinct zones the shops point into; owned */
    size_t ntzs;
};

/* ---- defaults ---------------------------------------------------------- */

void cs_thresholds_defaults(cs_thresholds *th) {
    memset(th, 0, sizeof *th);
    th->unpaid_reminder_min = 30;
    th->hold_settle_days = 3;
    th->duplicate_window_min = 1440;
    th->quality_window_days = 30;
    th->quality_test_cases = 2;
    th->quality_delist_cases = 3;
    th->capture_sweep_min = 19 * 60;
    th->own_site_invoice_tax_bp = 600;
    th->compensation_bp = 500;
    th->compensation_cap_fen = 3000;
    th->complaint_l1_min = 60;
    th->complaint_l2_min = 240;
    th->complaint_l3_min = 1440;
    th->vip_complaints = 2;
    th->vip_complaint_window_days = 30;
    th->vip_paid_fen = 200000;
    th->vip_paid_window_months = 12;
    th->exception_escalate_day = 3;
    th->chaser_default_ship_h = 48;
    th->return_ship_days = 2;
    th->case_deadline_days = 7;
    th->postage_out_province_fen = 1000;
    th->postage_in_province_fen = 800;
    th->no_reason_return_days = 7;
    th->cheap_item_fen = 3000;
    th->dispute_evidence_days = 3;
    th->dispute_month_limit = 5;
    th->dispute_alert_at = 4;
    th->neutral_max_calls = 2;
    th->negative_max_contacts = 3;
    th->follow_up_send_min = 10 * 60;
    th->service_quiet_start_min = 21 * 60;
    th->service_quiet_end_min = 8 * 60;
    th->follow_up_quiet_start_min = 20 * 60;
    th->follow_up_quiet_end_min = 8 * 60;
    th->daily_message_cap = 3;
    th->target_base_pct = 110;
    th->target_stretch_pct = 125;
    th->enquiries_per_agent = 300;
    th->pii_retention_days = 90;
}

/* One row per threshold key: name, where, width, range, whether it is a
 * time of day that may be written "HH:MM". */
typedef struct th_field {
    const char *name; /* JSON key = cs_thresholds field name */
    size_t off;       /* offsetof in cs_thresholds */
    bool wide;        /* int64_t (fen) rather than int */
    int64_t min, max; /* inclusive range */
    bool time_of_day; /* also accepts "HH:MM" */
} th_field;

#define TH_INT(f, lo, hi)                                                                                              \
    { #f, offsetof(cs_thresholds, f), false, lo, hi, false }
#define TH_FEN(f, lo, hi)                                                                                              \
    { #f, offsetof(cs_thresholds, f), true, lo, hi, false }
#define TH_TOD(f)                                                                                                      \
    { #f, offsetof(cs_thresholds, f), false, 0, 1439, true }
#define FEN_MAX INT64_C(1000000000000) /* 10^10 CNY: exact as a JSON double */

static const th_field th_fields[] = {
    TH_INT(unpaid_reminder_min, 1, 10080),
    TH_INT(hold_settle_days, 1, 365),
    TH_INT(duplicate_window_min, 1, 43200),
    TH_INT(quality_window_days, 1, 365),
    TH_INT(quality_test_cases, 1, 1000),
    TH_INT(quality_delist_cases, 1, 1000),
    TH_TOD(capture_sweep_min),
    TH_INT(own_site_invoice_tax_bp, 0, 10000),
    TH_INT(compensation_bp, 0, 10000),
    TH_FEN(compensation_cap_fen, 0, FEN_MAX),
    TH_INT(complaint_l1_min, 1, 43200),
    TH_INT(complaint_l2_min, 1, 43200),
    TH_INT(complaint_l3_min, 1, 43200),
    TH_INT(vip_complaints, 1, 1000),
    TH_INT(vip_complaint_window_days, 1, 365),
    TH_FEN(vip_paid_fen, 0, FEN_MAX),
    TH_INT(vip_paid_window_months, 1, 120),
    TH_INT(exception_escalate_day, 1, 365),
    TH_INT(chaser_default_ship_h, 1, 8760),
    TH_INT(return_ship_days, 1, 365),
    TH_INT(case_deadline_days, 1, 365),
    TH_FEN(postage_out_province_fen, 0, FEN_MAX),
    TH_FEN(postage_in_province_fen, 0, FEN_MAX),
    TH_INT(no_reason_return_days, 1, 365),
    TH_FEN(cheap_item_fen, 0, FEN_MAX),
    TH_INT(dispute_evidence_days, 1, 365),
    TH_INT(dispute_month_limit, 1, 1000),
    TH_INT(dispute_alert_at, 1, 1000),
    TH_INT(neutral_max_calls, 0, 100),
    TH_INT(negative_max_contacts, 0, 100),
    TH_TOD(follow_up_send_min),
    TH_TOD(service_quiet_start_min),
    TH_TOD(service_quiet_end_min),
    TH_TOD(follow_up_quiet_start_min),
    TH_TOD(follow_up_quiet_end_min),
    TH_INT(daily_message_cap, 1, 100),
    TH_INT(target_base_pct, 1, 1000),
    TH_INT(pii_retention_days, 1, 3650),
    TH_INT(target_stretch_pct, 1, 1000),
    TH_INT(enquiries_per_agent, 1, 100000),
};
#define N_TH_FIELDS (sizeof th_fields / sizeof th_fields[0])

/* Writes one threshold at its offset. Out of line: when GCC -O3 unrolls the
 * loop over th_fields it loses which width goes with which offset and warns
 * (stringop-overflow) about stores the table never makes. */
__attribute__((noinline)) static void thStore(cs_thresholds *th, const th_field *f, int64_t val) {
    char *dst = (char *)th + f->off;
    if (f->wide) {
        memcpy(dst, &val, sizeof val);
    } else {
        int narrow = (int)val;
        memcpy(dst, &narrow, sizeof narrow);
    }
}

/* ---- loader context: the file name, the key path, the error ------------- */

typedef struct ld {
    const char *file; /* as given to cs_shops_load() */
    char *err;        /* caller's errbuf */
    size_t errlen;
    char path[512]; /* current key path, "shops[1].couriers[0].code" */
    size_t plen;
    cs_shops *set; /* being built; zones are cached here */
} ld;

/* Appends ".key" (or "key" at the top) to the path; returns the length to
 * restore with path_pop(). */
static size_t path_key(ld *l, const char *key) {
    size_t old = l->plen;
    int n = snprintf(l->path + l->plen, sizeof l->path - l->plen, "%s%s", l->plen ? "." : "", key);
    if (n > 0) l->plen += (size_t)n;
    if (l->plen >= sizeof l->path) l->plen = sizeof l->path - 1;
    return old;
}

static size_t path_idx(ld *l, size_t i) {
    size_t old = l->plen;
    int n = snprintf(l->path + l->plen, sizeof l->path - l->plen, "[%zu]", i);
    if (n > 0) l->plen += (size_t)n;
    if (l->plen >= sizeof l->path) l->plen = sizeof l->path - 1;
    return old;
}

static void path_pop(ld *l, size_t old) {
    l->plen = old;
    l->path[old] = '\0';
}

/* Writes "<file>: <path>: <reason>" and returns -1. */
__attribute__((format(printf, 2, 3))) static int fail(ld *l, const char *fmt, ...) {
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(l->err, l->errlen, "%s: %s: %s", l->file, l->plen ? l->path : "(top level)", reason);
    return -1;
}

/* ---- JSON value helpers ------------------------------------------------ */

static bool utf8_valid(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int n;
        unsigned cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF)
            n = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 3, cp = c & 0x07;
        else
            return false;
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (p[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += n + 1;
    }
    return true;
}

static const char *json_type(const cJSON *v) {
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "invalid";
}

/* Checks that obj (at the current path) is an object whose keys are all
 * in allowed (NULL-terminated) and none repeated. */
static int check_keys(ld *l, const cJSON *obj, const char *const *allowed) {
    if (!cJSON_IsObject(obj)) return fail(l, "must be an object, not %s", json_type(obj));
    for (const cJSON *c = obj->child; c; c = c->next) {
        bool known = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, c->string) == 0) known = true;
        size_t old = path_key(l, c->string);
        if (!known) {
            int rc = fail(l, "unknown key");
            path_pop(l, old);
            return rc;
        }
        for (const cJSON *d = obj->child; d != c; d = d->next)
            if (strcmp(d->string, c->string) == 0) {
                int rc = fail(l, "duplicate key");
                path_pop(l, old);
                return rc;
            }
        path_pop(l, old);
    }
    return 0;
}

/* A string at the current path: non-empty unless allow_empty, valid UTF-8,
 * at most maxlen bytes. *out borrows from the JSON tree. */
static int get_string(ld *l, const cJSON *v, size_t maxlen, const char **out) {
    if (!cJSON_IsString(v)) return fail(l, "must be a string, not %s", json_type(v));
    const char *s = v->valuestring;
    if (!*s) return fail(l, "must not be empty");
    if (!utf8_valid(s)) return fail(l, "not valid UTF-8");
    if (strlen(s) > maxlen) return fail(l, "longer than %zu bytes", maxlen);
    *out = s;
    return 0;
}

static int get_bool(ld *l, const cJSON *v, bool *out) {
    if (!cJSON_IsBool(v)) return fail(l, "must be true or false, not %s", json_type(v));
    *out = cJSON_IsTrue(v);
    return 0;
}

/* "HH:MM" into minutes; max_min 1439 or 1440 ("24:00"). -1 if malformed. */
static int parse_hhmm(const char *s, int max_min) {
    if (strlen(s) != 5 || s[2] != ':') return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9')) return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59) return -1;
    int v = h * 60 + m;
    return v > max_min ? -1 : v;
}

/* An integer in [min, max] at the current path. */
static int get_int(ld *l, const cJSON *v, int64_t min, int64_t max, int64_t *out) {
    if (!cJSON_IsNumber(v)) return fail(l, "must be an integer, not %s", json_type(v));
    double d = v->valuedouble;
    /* The comparisons also reject NaN; the range keeps the cast defined. */
    if (!(d >= (double)min && d <= (double)max))
        return fail(l, "%.15g is out of range %lld..%lld", d, (long long)min, (long long)max);
    int64_t i = (int64_t)d;
    if ((double)i != d) return fail(l, "%.17g is not an integer", d);
    *out = i;
    return 0;
}

/* Name-like identifiers: 1..maxlen characters of [A-Za-z0-9] and extra. */
static bool ident_ok(const char *s, size_t maxlen, const char *extra) {
    size_t n = strlen(s);
    if (n == 0 || n > maxlen) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr(extra, *p)))
            return false;
    return true;
}

/* ---- parts of a shop --------------------------------------------------- */

static void region_free(cs_region *r) {
    for (int i = 0; i < 3; i++) free(r->parts[i]);
    memset(r, 0, sizeof *r);
}

static bool region_equal(const cs_region *a, const cs_region *b) {
    if (a->nparts != b->nparts) return false;
    for (int i = 0; i < a->nparts; i++)
        if (strcmp(a->parts[i], b->parts[i]) != 0) return false;
    return true;
}

/* "浙江省/杭州市/淳安县" into r (which then owns its parts). */
static int parse_region(ld *l, const char *s, cs_region *r) {
    memset(r, 0, sizeof *r);
    const char *p = s;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (r->nparts == 3) {
            region_free(r);
            return fail(l, "region \"%s\" has more than 3 parts (province/city/district)", s);
        }
        if (n == 0 || p[0] == ' ' || p[n - 1] == ' ' || p[0] == '\t' || p[n - 1] == '\t') {
            region_free(r);
            return fail(l, "region \"%s\" has an empty or blank-padded part", s);
        }
        char *part = cs_xmalloc(n + 1);
        memcpy(part, p, n);
        part[n] = '\0';
        r->parts[r->nparts++] = part;
        if (!slash) break;
        p = slash + 1;
    }
    if (strchr(s, '*')) {
        region_free(r);
        return fail(l, "\"*\" is only allowed alone, as the whole cod list");
    }
    return 0;
}

/* A region list into regions/n; allow_star: ["*"] sets *star. */
static int parse_regions(ld *l, const cJSON *arr, cs_region *regions, int *n, bool allow_star, bool *star) {
    if (!cJSON_IsArray(arr)) return fail(l, "must be an array, not %s", json_type(arr));
    int count = cJSON_GetArraySize(arr);
    if (count > CS_SHOP_MAX_REGIONS) return fail(l, "at most %d regions, not %d", CS_SHOP_MAX_REGIONS, count);
    size_t i = 0;
    for (const cJSON *v = arr->child; v; v = v->next, i++) {
        size_t old = path_idx(l, i);
        const char *s;
        int rc = get_string(l, v, 256, &s);
        if (rc == 0 && allow_star && strcmp(s, "*") == 0) {
            if (count != 1)
                rc = fail(l, "\"*\" must be the only entry of the list");
            else
                *star = true;
        } else if (rc == 0) {
            rc = parse_region(l, s, &regions[*n]);
            if (rc == 0) {
                (*n)++;
                for (int k = 0; k < *n - 1; k++)
                    if (region_equal(&regions[k], &regions[*n - 1])) rc = fail(l, "region \"%s\" listed twice", s);
            }
        }
        path_pop(l, old);
        if (rc) return -1;
    }
    return 0;
}

static int parse_courier(ld *l, const cJSON *obj, cs_shop *shop) {
    static const char *const keys[] = {"code", "name", "unreachable", "cod", NULL};
    if (check_keys(l, obj, keys)) return -1;
    cs_courier *c = &shop->couriers[shop->ncouriers++]; /* zeroed by the caller */
    const cJSON *v;
    const char *s;
    size_t old;
    int rc = 0;

    old = path_key(l, "code");
    if (!(v = cJSON_GetObjectItemCaseSensitive(obj, "code")))
        rc = fail(l, "required");
    else if (get_string(l, v, 16, &s))
        rc = -1;
    else if (!ident_ok(s, 16, "_-"))
        rc = fail(l, "\"%s\" must be 1..16 of [A-Za-z0-9_-]", s);
    else {
        for (int k = 0; k < shop->ncouriers - 1; k++)
            if (strcmp(shop->couriers[k].code, s) == 0)
                rc = fail(l, "duplicate courier code \"%s\" (also couriers[%d])", s, k);
        c->code = cs_xstrdup(s);
    }
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "name");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "name"))) {
        if (get_string(l, v, 128, &s) == 0)
            c->name = cs_xstrdup(s);
        else
            rc = -1;
    } else {
        c->name = cs_xstrdup(c->code);
    }
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "unreachable");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "unreachable")))
        rc = parse_regions(l, v, c->unreachable, &c->nunreachable, false, NULL);
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "cod");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "cod")))
        rc = parse_regions(l, v, c->cod, &c->ncod, true, &c->cod_everywhere);
    path_pop(l, old);
    return rc;
}

/* An array of min..max objects ("couriers", "shifts", ...), each parsed by
 * each() with its index in the error path. */
static int parse_each(ld *l, const cJSON *arr, int min, int max, const char *what,
                      int (*each)(ld *l, const cJSON *obj, cs_shop *shop), cs_shop *shop) {
    if (!cJSON_IsArray(arr)) return fail(l, "must be an array, not %s", json_type(arr));
    int n = cJSON_GetArraySize(arr);
    if (n < min || n > max) {
        if (min > 0) return fail(l, "must have %d..%d %s, not %d", min, max, what, n);
        return fail(l, "at most %d %s, not %d", max, what, n);
    }
    size_t i = 0;
    for (const cJSON *v = arr->child; v; v = v->next, i++) {
        size_t old = path_idx(l, i);
        int rc = each(l, v, shop);
        path_pop(l, old);
        if (rc) return -1;
    }
    return 0;
}

static int parse_thresholds(ld *l, const cJSON *obj, cs_thresholds *th) {
    const char *keys[N_TH_FIELDS + 1];
    for (size_t i = 0; i < N_TH_FIELDS; i++) keys[i] = th_fields[i].name;
    keys[N_TH_FIELDS] = NULL;
    if (check_keys(l, obj, keys)) return -1;
    for (size_t i = 0; i < N_TH_FIELDS; i++) {
        const th_field *f = &th_fields[i];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f->name);
        if (!v) continue;
        size_t old = path_key(l, f->name);
        int64_t val = 0;
        int rc = 0;
        if (f->time_of_day && cJSON_IsString(v)) {
            int m = parse_hhmm(v->valuestring, 1439);
            if (m < 0) rc = fail(l, "\"%s\" is not a time \"HH:MM\" (00:00..23:59)", v->valuestring);
            val = m;
        } else {
            rc = get_int(l, v, f->min, f->max, &val);
        }
        path_pop(l, old);
        if (rc) return -1;
        thStore(th, f, val);
    }

    /* Cross-checks, reported at the key that breaks them. */
    struct {
        const char *key;
        long long lo, hi;
        const char *lo_name;
    } pairs[] = {
        {"quality_delist_cases", th->quality_test_cases, th->quality_delist_cases, "quality_test_cases"},
        {"complaint_l2_min", th->complaint_l1_min, th->complaint_l2_min, "complaint_l1_min"},
        {"complaint_l3_min", th->complaint_l2_min, th->complaint_l3_min, "complaint_l2_min"},
        {"dispute_month_limit", th->dispute_alert_at, th->dispute_month_limit, "dispute_alert_at"},
        {"target_stretch_pct", th->target_base_pct, th->target_stretch_pct, "target_base_pct"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        if (pairs[i].hi >= pairs[i].lo) continue;
        size_t old = path_key(l, pairs[i].key);
        fail(l, "%lld is less than %s (%lld)", pairs[i].hi, pairs[i].lo_name, pairs[i].lo);
        path_pop(l, old);
        return -1;
    }
    return 0;
}

static void default_shifts(cs_shop *shop) {
    static const struct {
        const char *name;
        int start, end;
    } d[] = {
        {"early", 9 * 60, 18 * 60 + 30},
        {"middle", 11 * 60 + 30, 21 * 60},
        {"night", 16 * 60, 24 * 60},
    };
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
        shop->shifts[i].name = cs_xstrdup(d[i].name);
        shop->shifts[i].start_min = d[i].start;
        shop->shifts[i].end_min = d[i].end;
    }
    shop->nshifts = (int)(sizeof d / sizeof d[0]);
}

static int parse_shift(ld *l, const cJSON *obj, cs_shop *shop) {
    static const char *const keys[] = {"name", "start", "end", NULL};
    if (check_keys(l, obj, keys)) return -1;
    cs_shift *sh = &shop->shifts[shop->nshifts++];
    const cJSON *v;
    const char *s;
    size_t old;
    int rc = 0;

    old = path_key(l, "name");
    if (!(v = cJSON_GetObjectItemCaseSensitive(obj, "name")))
        rc = fail(l, "required");
    else if (get_string(l, v, 64, &s))
        rc = -1;
    else {
        for (int k = 0; k < shop->nshifts - 1; k++)
            if (strcmp(shop->shifts[k].name, s) == 0)
                rc = fail(l, "duplicate shift name \"%s\" (also shifts[%d])", s, k);
        sh->name = cs_xstrdup(s);
    }
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "start");
    if (!(v = cJSON_GetObjectItemCaseSensitive(obj, "start")))
        rc = fail(l, "required");
    else if (get_string(l, v, 5, &s) || (sh->start_min = parse_hhmm(s, 1439)) < 0)
        rc = fail(l, "must be a time \"HH:MM\" from 00:00 to 23:59");
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "end");
    if (!(v = cJSON_GetObjectItemCaseSensitive(obj, "end")))
        rc = fail(l, "required");
    else if (get_string(l, v, 5, &s) || (sh->end_min = parse_hhmm(s, 1440)) < 0)
        rc = fail(l, "must be a time \"HH:MM\" from 00:01 to 24:00");
    else if (sh->end_min <= sh->start_min)
        rc = fail(l, "\"%s\" must be after start (a shift ends on the day it starts)", s);
    path_pop(l, old);
    return rc;
}

static int parse_template(ld *l, const cJSON *obj, cs_shop *shop) {
    static const char *const keys[] = {"id", "text", "refusal", NULL};
    if (check_keys(l, obj, keys)) return -1;
    cs_template *t = &shop->templates[shop->ntemplates++];
    const cJSON *v;
    const char *s;
    size_t old;
    int rc = 0;

    old = path_key(l, "id");
    if (!(v = cJSON_GetObjectItemCaseSensitive(obj, "id")))
        rc = fail(l, "required");
    else if (get_string(l, v, 64, &s))
        rc = -1;
    else if (!ident_ok(s, 64, "_.-"))
        rc = fail(l, "\"%s\" must be 1..64 of [A-Za-z0-9_.-]", s);
    else {
        for (int k = 0; k < shop->ntemplates - 1; k++)
            if (strcmp(shop->templates[k].id, s) == 0)
                rc = fail(l, "duplicate template id \"%s\" (also templates[%d])", s, k);
        t->id = cs_xstrdup(s);
    }
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "text");
    if (!(v = cJSON_GetObjectItemCaseSensitive(obj, "text")))
        rc = fail(l, "required");
    else if (get_string(l, v, 4096, &s))
        rc = -1;
    else
        t->text = cs_xstrdup(s);
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "refusal");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "refusal"))) rc = get_bool(l, v, &t->refusal);
    path_pop(l, old);
    return rc;
}

/* One secret at the current path: 16..512 characters. */
static int get_secret(ld *l, const cJSON *v, char **dst) {
    const char *s;
    if (get_string(l, v, 512, &s)) return -1;
    if (strlen(s) < 16) return fail(l, "too short: at least 16 characters");
    *dst = cs_xstrdup(s);
    return 0;
}

static int parse_secrets(ld *l, const cJSON *obj, cs_shop *shop) {
    static const char *const keys[] = {"generic", "taobao", "shopify", NULL};
    if (check_keys(l, obj, keys)) return -1;
    for (int i = 0; i < CS_WEBHOOK_PLATFORMS; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, keys[i]);
        if (!v) continue;
        size_t old = path_key(l, keys[i]);
        int rc = 0;
        if (cJSON_IsArray(v)) {
            int n = cJSON_GetArraySize(v);
            if (n < 1 || n > CS_SHOP_MAX_SECRETS)
                rc = fail(l, "%d secrets: one, or two while rotating (new first)", n);
            for (int k = 0; rc == 0 && k < n; k++) {
                size_t o2 = path_idx(l, (size_t)k);
                rc = get_secret(l, cJSON_GetArrayItem(v, k), &shop->secrets[i][k]);
                path_pop(l, o2);
            }
            if (rc == 0 && n == 2 && strcmp(shop->secrets[i][0], shop->secrets[i][1]) == 0)
                rc = fail(l, "the two secrets are the same");
        } else {
            rc = get_secret(l, v, &shop->secrets[i][0]);
        }
        path_pop(l, old);
        if (rc) return -1;
    }
    return 0;
}

/* OV-3's parts: names into CS_ADDR_* bits. */
static int parse_address_required(ld *l, const cJSON *v, unsigned *out) {
    static const char *const names[] = {"province", "city", "district", "street"};
    if (!cJSON_IsArray(v)) return fail(l, "must be an array, not %s", json_type(v));
    unsigned bits = 0;
    int n = cJSON_GetArraySize(v);
    for (int k = 0; k < n; k++) {
        size_t old = path_idx(l, (size_t)k);
        const char *s;
        int rc = get_string(l, cJSON_GetArrayItem(v, k), 16, &s);
        unsigned bit = 0;
        for (int j = 0; rc == 0 && j < 4; j++)
            if (strcmp(s, names[j]) == 0) bit = 1u << j;
        if (rc == 0 && !bit) rc = fail(l, "unknown address part \"%s\" (province, city, district or street)", s);
        if (rc == 0 && (bits & bit)) rc = fail(l, "\"%s\" listed twice", s);
        bits |= bit;
        path_pop(l, old);
        if (rc) return -1;
    }
    if (!bits) return fail(l, "must name at least one part");
    *out = bits;
    return 0;
}

/* The zone `name`, loaded once per set. */
static const cs_tz *zone_for(ld *l, const char *name) {
    cs_shops *set = l->set;
    for (size_t i = 0; i < set->ntzs; i++)
        if (strcmp(cs_tz_name(set->tzs[i]), name) == 0) return set->tzs[i];
    char why[256];
    cs_tz *tz = cs_tz_load(name, why, sizeof why);
    if (!tz) {
        fail(l, "%s", why);
        return NULL;
    }
    set->tzs = cs_xrealloc(set->tzs, sizeof *set->tzs * (set->ntzs + 1));
    set->tzs[set->ntzs++] = tz;
    return tz;
}

static bool hostname_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-' || s[n - 1] == '.' || !strchr(s, '.')) return false;
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.')) return false;
        if (*p == '.' && p[1] == '.') return false;
    }
    return true;
}

/* One shop object at the current path into shop (zeroed by the caller;
 * on error the caller frees what was filled in). */
static int parse_shop(ld *l, const cJSON *obj, cs_shop *shop, size_t index) {
    static const char *const keys[] = {"id",
                                       "channel",
                                       "time_zone",
                                       "secrets",
                                       "shopify_domain",
                                       "couriers",
                                       "thresholds",
                                       "shifts",
                                       "promotion_mode",
                                       "msg_pref",
                                       "payment_reminder_im",
                                       "templates",
                                       "requeue_shift",
                                       "province",
                                       "postage_reimburse",
                                       "currency",
                                       "address_required",
                                       "webhook_rate",
                                       "webhook_burst",
                                       NULL};
    if (check_keys(l, obj, keys)) return -1;
    cs_thresholds_defaults(&shop->th);
    shop->msg_pref = CS_MSG_PREF_IM;
    shop->postage_reimburse = CS_POSTAGE_IN_REFUND;
    shop->address_required = CS_ADDR_ALL;
    memcpy(shop->currency, "CNY", 4);
    const cJSON *v;
    const char *s;
    size_t old;
    int rc = 0;

    old = path_key(l, "id");
    if (!(v = cJSON_GetObjectItemCaseSensitive(obj, "id")))
        rc = fail(l, "required");
    else if (get_string(l, v, 64, &s))
        rc = -1;
    else if (!ident_ok(s, 64, "._-"))
        rc = fail(l, "\"%s\" must be 1..64 of [A-Za-z0-9._-]", s);
    else {
        for (size_t k = 0; k < index; k++)
            if (strcmp(l->set->shops[k].id, s) == 0) rc = fail(l, "duplicate shop id \"%s\" (also shops[%zu])", s, k);
        shop->id = cs_xstrdup(s);
    }
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "channel");
    if (!(v = cJSON_GetObjectItemCaseSensitive(obj, "channel")))
        rc = fail(l, "required");
    else if (get_string(l, v, 32, &s))
        rc = -1;
    else if (strcmp(s, "taobao") == 0)
        shop->channel = CS_CHANNEL_TAOBAO;
    else if (strcmp(s, "tmall") == 0)
        shop->channel = CS_CHANNEL_TMALL;
    else if (strcmp(s, "own_site") == 0)
        shop->channel = CS_CHANNEL_OWN_SITE;
    else
        rc = fail(l, "unknown channel \"%s\" (taobao, tmall or own_site)", s);
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "time_zone");
    s = "Asia/Shanghai";
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "time_zone")) && get_string(l, v, 128, &s))
        rc = -1;
    else if (!(shop->tz = zone_for(l, s)))
        rc = -1;
    else
        shop->time_zone = cs_xstrdup(s);
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "secrets");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "secrets"))) rc = parse_secrets(l, v, shop);
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "shopify_domain");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "shopify_domain"))) {
        if (get_string(l, v, 253, &s))
            rc = -1;
        else if (!hostname_ok(s))
            rc = fail(l, "\"%s\" is not a lower-case host name", s);
        else {
            for (size_t k = 0; k < index; k++)
                if (l->set->shops[k].shopify_domain && strcmp(l->set->shops[k].shopify_domain, s) == 0)
                    rc = fail(l, "duplicate shopify_domain \"%s\" (also shops[%zu])", s, k);
            shop->shopify_domain = cs_xstrdup(s);
        }
    }
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "couriers");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "couriers")))
        rc = parse_each(l, v, 0, CS_SHOP_MAX_COURIERS, "couriers", parse_courier, shop);
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "thresholds");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "thresholds"))) rc = parse_thresholds(l, v, &shop->th);
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "shifts");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "shifts")))
        rc = parse_each(l, v, 1, CS_SHOP_MAX_SHIFTS, "shifts", parse_shift, shop);
    else
        default_shifts(shop);
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "promotion_mode");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "promotion_mode"))) rc = get_bool(l, v, &shop->promotion_mode);
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "msg_pref");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "msg_pref"))) {
        if (get_string(l, v, 16, &s))
            rc = -1;
        else if (strcmp(s, "im") == 0)
            shop->msg_pref = CS_MSG_PREF_IM;
        else if (strcmp(s, "sms") == 0)
            shop->msg_pref = CS_MSG_PREF_SMS;
        else
            rc = fail(l, "unknown message preference \"%s\" (im or sms)", s);
    }
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "province");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "province"))) {
        if (get_string(l, v, 64, &s))
            rc = -1;
        else
            shop->province = cs_xstrdup(s);
    }
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "postage_reimburse");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "postage_reimburse"))) {
        if (get_string(l, v, 16, &s))
            rc = -1;
        else if (strcmp(s, "refund") == 0)
            shop->postage_reimburse = CS_POSTAGE_IN_REFUND;
        else if (strcmp(s, "parcel") == 0)
            shop->postage_reimburse = CS_POSTAGE_IN_PARCEL;
        else
            rc = fail(l, "unknown postage reimbursement \"%s\" (refund or parcel)", s);
    }
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "currency");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "currency"))) {
        if (get_string(l, v, 3, &s))
            rc = -1;
        else if (strlen(s) != 3 || !ident_ok(s, 3, "") || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' ||
                 s[2] < 'A' || s[2] > 'Z')
            rc = fail(l, "\"%s\" is not an ISO 4217 code (3 upper-case letters)", s);
        else
            memcpy(shop->currency, s, 4);
    }
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "address_required");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "address_required")))
        rc = parse_address_required(l, v, &shop->address_required);
    path_pop(l, old);
    if (rc) return -1;

    int64_t rate = 0, burst = -1;
    old = path_key(l, "webhook_rate");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "webhook_rate"))) rc = get_int(l, v, 0, 1000000, &rate);
    path_pop(l, old);
    if (rc) return -1;
    old = path_key(l, "webhook_burst");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "webhook_burst"))) rc = get_int(l, v, 0, 1000000, &burst);
    path_pop(l, old);
    if (rc) return -1;
    shop->webhook_rate = (int)rate;
    shop->webhook_burst = burst < 0 ? (int)rate : (int)burst;

    old = path_key(l, "payment_reminder_im");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "payment_reminder_im")))
        rc = get_bool(l, v, &shop->payment_reminder_im);
    path_pop(l, old);
    if (rc) return -1;

    old = path_key(l, "templates");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "templates")))
        rc = parse_each(l, v, 0, CS_SHOP_MAX_TEMPLATES, "templates", parse_template, shop);
    path_pop(l, old);
    if (rc) return -1;

    /* EX-6: the shift whose queue takes exceptions left open at the end of
     * their day. It points at the shift's own name (owned there). */
    old = path_key(l, "requeue_shift");
    shop->requeue_shift = NULL;
    s = "middle";
    v = cJSON_GetObjectItemCaseSensitive(obj, "requeue_shift");
    if (v && get_string(l, v, 64, &s))
        rc = -1;
    else {
        for (int i = 0; i < shop->nshifts; i++)
            if (strcmp(shop->shifts[i].name, s) == 0) shop->requeue_shift = shop->shifts[i].name;
        if (v && !shop->requeue_shift) rc = fail(l, "no shift named \"%s\"", s);
    }
    path_pop(l, old);
    return rc;
}

static void shop_free_fields(cs_shop *shop) {
    free(shop->id);
    free(shop->time_zone);
    for (int i = 0; i < CS_WEBHOOK_PLATFORMS; i++)
        for (int k = 0; k < CS_SHOP_MAX_SECRETS; k++) free(shop->secrets[i][k]);
    free(shop->shopify_domain);
    free(shop->province);
    for (int i = 0; i < shop->ncouriers; i++) {
        cs_courier *c = &shop->couriers[i];
        free(c->code);
        free(c->name);
        for (int k = 0; k < c->nunreachable; k++) region_free(&c->unreachable[k]);
        for (int k = 0; k < c->ncod; k++) region_free(&c->cod[k]);
    }
    for (int i = 0; i < shop->nshifts; i++) free(shop->shifts[i].name);
    for (int i = 0; i < shop->ntemplates; i++) {
        free(shop->templates[i].id);
        free(shop->templates[i].text);
    }
}

/* ---- the file ---------------------------------------------------------- */

/* Reads the whole file (NUL-terminated) into *buf, which the caller frees. */
static int read_file(const char *path, char **buf, size_t *len, char *errbuf, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    char *b = cs_xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            if (cap >= SHOPS_MAX_FILE) {
                snprintf(errbuf, errlen, "%s: larger than %d bytes", path, SHOPS_MAX_FILE);
                fclose(f);
                free(b);
                return -1;
            }
            cap *= 2;
            b = cs_xrealloc(b, cap);
        }
        size_t got = fread(b + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        snprintf(errbuf, errlen, "%s: read error: %s", path, strerror(errno));
        fclose(f);
        free(b);
        return -1;
    }
    fclose(f);
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

cs_shops *cs_shops_load(const char *path, char *errbuf, size_t errlen) {
    char *text = NULL;
    size_t len = 0;
    if (read_file(path, &text, &len, errbuf, errlen)) return NULL;
    cs_shops *set = cs_shops_parse(text, len, path, errbuf, errlen);
    free(text);
    return set;
}

cs_shops *cs_shops_parse(const char *file, size_t filelen, const char *path, char *errbuf, size_t errlen) {
    /* cJSON wants the NUL after the text (below): a copy that has it */
    size_t len = filelen;
    char *text = cs_xmalloc(len + 1);
    if (len) memcpy(text, file, len);
    text[len] = '\0';

    /* A UTF-8 byte order mark, as some editors write, is not JSON. */
    size_t skip = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    const char *end = NULL;
    /* len + 1: the NUL is part of the buffer, as require_null_terminated
     * wants; trailing garbage is then a syntax error. */
    cJSON *root = cJSON_ParseWithLengthOpts(text + skip, len + 1 - skip, &end, true);
    if (!root) {
        size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        int line = 1;
        for (size_t i = 0; i < off; i++)
            if (text[i] == '\n') line++;
        /* Up to 16 bytes of context, whole UTF-8 characters only. */
        char near[24];
        size_t k = 0;
        for (size_t i = off; i < len && k < 16 && text[i] != '\n';) {
            unsigned char c = (unsigned char)text[i];
            size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if (i + n > len || k + n > 16) break;
            memcpy(near + k, text + i, n);
            k += n;
            i += n;
        }
        near[k] = '\0';
        if (off >= len)
            snprintf(errbuf, errlen, "%s: line %d: JSON syntax error at end of file", path, line);
        else
            snprintf(errbuf, errlen, "%s: line %d: JSON syntax error near '%s'", path, line, near);
        free(text);
        return NULL;
    }
    free(text);

    cs_shops *set = cs_xcalloc(1, sizeof *set);
    ld l = {.file = path, .err = errbuf, .errlen = errlen, .set = set};
    static const char *const top_keys[] = {"shops", NULL};
    int rc = check_keys(&l, root, top_keys);
    const cJSON *arr = rc ? NULL : cJSON_GetObjectItemCaseSensitive(root, "shops");
    size_t old = path_key(&l, "shops");
    if (rc == 0 && !arr)
        rc = fail(&l, "required");
    else if (rc == 0 && !cJSON_IsArray(arr))
        rc = fail(&l, "must be an array, not %s", json_type(arr));
    else if (rc == 0 && cJSON_GetArraySize(arr) == 0)
        rc = fail(&l, "at least one shop required");
    if (rc == 0) {
        size_t n = (size_t)cJSON_GetArraySize(arr);
        set->shops = cs_xcalloc(n, sizeof *set->shops);
        size_t i = 0;
        for (const cJSON *v = arr->child; v && rc == 0; v = v->next, i++) {
            size_t o2 = path_idx(&l, i);
            set->nshops = i + 1; /* so cs_shops_free() sees what was filled */
            rc = parse_shop(&l, v, &set->shops[i], i);
            path_pop(&l, o2);
        }
    }
    path_pop(&l, old);
    cJSON_Delete(root);
    if (rc) {
        cs_shops_free(set);
        return NULL;
    }
    return set;
}

void cs_shops_free(cs_shops *s) {
    if (!s) return;
    for (size_t i = 0; i < s->nshops; i++) shop_free_fields(&s->shops[i]);
    free(s->shops);
    for (size_t i = 0; i < s->ntzs; i++) cs_tz_free(s->tzs[i]);
    free(s->tzs);
    free(s);
}

const cs_shop *cs_shops_find(const cs_shops *s, const char *id) {
    if (!s || !id) return NULL;
    for (size_t i = 0; i < s->nshops; i++)
        if (strcmp(s->shops[i].id, id) == 0) return &s->shops[i];
    return NULL;
}

const cs_shop *cs_shops_find_shopify(const cs_shops *s, const char *domain) {
    if (!s || !domain) return NULL;
    for (size_t i = 0; i < s->nshops; i++)
        if (s->shops[i].shopify_domain && strcmp(s->shops[i].shopify_domain, domain) == 0) return &s->shops[i];
    return NULL;
}

size_t cs_shops_count(const cs_shops *s) { return s ? s->nshops : 0; }

const cs_shop *cs_shops_at(const cs_shops *s, size_t i) { return s && i < s->nshops ? &s->shops[i] : NULL; }

int cs_webhook_platform_parse(const char *name) {
    for (int p = 0; p < CS_WEBHOOK_PLATFORMS; p++)
        if (name && strcmp(name, cs_webhook_platform_name((cs_webhook_platform)p)) == 0) return p;
    return -1;
}

const char *cs_webhook_platform_name(cs_webhook_platform p) {
    switch (p) {
        case CS_WEBHOOK_GENERIC: return "generic";
        case CS_WEBHOOK_TAOBAO: return "taobao";
        case CS_WEBHOOK_SHOPIFY: return "shopify";
        default: return "?";
    }
}

const cs_courier *cs_shop_courier(const cs_shop *shop, const char *code) {
    if (!shop || !code) return NULL;
    for (int i = 0; i < shop->ncouriers; i++)
        if (strcmp(shop->couriers[i].code, code) == 0) return &shop->couriers[i];
    return NULL;
}

const cs_template *cs_shop_template(const cs_shop *shop, const char *id) {
    if (!shop || !id) return NULL;
    for (int i = 0; i < shop->ntemplates; i++)
        if (strcmp(shop->templates[i].id, id) == 0) return &shop->templates[i];
    return NULL;
}
