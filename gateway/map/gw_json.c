/* gw_json.c -- reading webhook JSON bodies field by field (gw_json.h).
 *
 * Two passes over a body. The first is a scan of the raw bytes, with no
 * recursion: it refuses what cJSON would accept or crash on (invalid
 * UTF-8, which cJSON copies through; NUL and \u0000, which cut a string
 * short without a word; nesting deep enough to exhaust the stack, since
 * cJSON recurses once per level), and it notes where every number token
 * starts. The second is cJSON's parse. Both see the number tokens in the
 * same document order, so a pre-order walk of the tree hands each number
 * node its exact text (kept in the node's otherwise unused valuestring,
 * which cJSON_Delete frees): integers and numeric ids are then read from
 * their digits, never from a double.
 *
 * Readers only ever write the path and a fixed reason into gw_error, never
 * the sender's value: the gateway answers with it and logs it. */
#include "gw_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/util.h"

/* ---- the raw scan ---------------------------------------------------------- */

/* Number tokens found by the scan, in document order. */
typedef struct num_tokens {
    size_t *off; /* byte offset of each token */
    size_t *len; /* its length */
    size_t n, cap;
} num_tokens;

static void tokens_add(num_tokens *t, size_t off, size_t len) {
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->off = cs_xrealloc(t->off, t->cap * sizeof *t->off);
        t->len = cs_xrealloc(t->len, t->cap * sizeof *t->len);
    }
    t->off[t->n] = off;
    t->len[t->n++] = len;
}

static void tokens_free(num_tokens *t) {
    free(t->off);
    free(t->len);
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t k;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F; /* U+D800..DFFF are surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (n < k || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < k; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return k;
}

static bool is_num_char(unsigned char c) {
    /* the characters cJSON's parse_number takes into a number */
    return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E';
}

static int body_fail(gw_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int body_fail(gw_error *err, const char *fmt, ...) {
    snprintf(err->field, sizeof err->field, "body");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->reason, sizeof err->reason, fmt, ap);
    va_end(ap);
    return -1;
}

/* The raw checks of gw_json_parse() and the number tokens. */
static int scan_body(const unsigned char *b, size_t len, num_tokens *t, gw_error *err) {
    bool in_str = false;
    int depth = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = b[i];
        if (c == 0) return body_fail(err, "a NUL byte at byte %zu", i);
        if (c >= 0x80) {
            size_t k = utf8_seq(b + i, len - i);
            if (!k) return body_fail(err, "not valid UTF-8 at byte %zu", i);
            i += k;
        } else if (in_str) {
            if (c == '"') in_str = false;
            if (c == '\\' && i + 1 < len && b[i + 1] < 0x80) {
                if (b[i + 1] == 'u' && len - i >= 6 && memcmp(b + i + 2, "0000", 4) == 0)
                    return body_fail(err, "a \\u0000 escape at byte %zu: text may not hold NUL", i);
                i++; /* the escaped character, so \" does not end the string */
            }
            i++;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t start = i;
            while (i < len && is_num_char(b[i])) i++;
            tokens_add(t, start, i - start);
        } else {
            if (c == '"') in_str = true;
            if ((c == '[' || c == '{') && ++depth > GW_JSON_MAX_DEPTH)
                return body_fail(err, "nested deeper than %d levels at byte %zu", GW_JSON_MAX_DEPTH, i);
            if ((c == ']' || c == '}') && depth > 0) depth--;
            i++;
        }
    }
    return 0;
}

/* What a value is, for reasons ("a JSON number; a string expected"). */
static const char *type_name(const cJSON *v) {
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a JSON number";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "null";
}

/* Gives every number node of the tree its token's text, in pre-order.
 * Recursion is bounded: the scan refused more than GW_JSON_MAX_DEPTH. */
static int attach_numbers(cJSON *n, const char *body, const num_tokens *t, size_t *k) {
    for (; n; n = n->next) {
        if (cJSON_IsNumber(n)) {
            if (*k >= t->n || n->valuestring) return -1;
            n->valuestring = cs_xstrndup(body + t->off[*k], t->len[*k]);
            (*k)++;
        }
        if (n->child && attach_numbers(n->child, body, t, k) != 0) return -1;
    }
    return 0;
}

static bool only_space(const char *p, const char *end) {
    for (; p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return false;
    return true;
}

int gw_json_parse(const char *body, size_t len, cJSON **root, gw_error *err) {
    num_tokens t = {0};
    *root = NULL;
    if (!body || len == 0) return body_fail(err, "empty; a JSON object expected");
    if (scan_body((const unsigned char *)body, len, &t, err) != 0) {
        tokens_free(&t);
        return -1;
    }
    const char *end = NULL;
    cJSON *r = cJSON_ParseWithLengthOpts(body, len, &end, false);
    if (!r) {
        tokens_free(&t);
        size_t at = end && end >= body && end <= body + len ? (size_t)(end - body) : 0;
        return body_fail(err, "not JSON: syntax error near byte %zu", at);
    }
    if (!only_space(end, body + len)) {
        cJSON_Delete(r);
        tokens_free(&t);
        return body_fail(err, "not JSON: text after the value at byte %zu", (size_t)(end - body));
    }
    size_t k = 0;
    int rc = attach_numbers(r, body, &t, &k);
    if (rc != 0 || k != t.n) {
        cJSON_Delete(r);
        tokens_free(&t);
        return body_fail(err, "not JSON: could not be read (number %zu)", k);
    }
    tokens_free(&t);
    if (!cJSON_IsObject(r)) {
        body_fail(err, "%s; a JSON object expected", type_name(r));
        cJSON_Delete(r);
        return -1;
    }
    *root = r;
    return 0;
}

/* ---- context and path ------------------------------------------------------- */

void gw_json_init(gw_json *j, gw_error *err, const cs_tz *tz) {
    j->err = err;
    j->tz = tz;
    j->path[0] = '\0';
}

size_t gw_json_enter(gw_json *j, const char *key) {
    size_t mark = strlen(j->path);
    snprintf(j->path + mark, sizeof j->path - mark, "%s%s", mark ? "." : "", key);
    return mark;
}

size_t gw_json_enter_index(gw_json *j, size_t i) {
    size_t mark = strlen(j->path);
    snprintf(j->path + mark, sizeof j->path - mark, "[%zu]", i);
    return mark;
}

void gw_json_leave(gw_json *j, size_t mark) {
    if (mark < sizeof j->path) j->path[mark] = '\0';
}

int gw_json_fail(gw_json *j, const char *key, const char *fmt, ...) {
    gw_error *e = j->err;
    /* a path too long for the field is cut: its start still says where */
    size_t n = cs_strlcpy(e->field, j->path[0] || key ? j->path : "body", sizeof e->field);
    if (key && n + 1 < sizeof e->field) {
        if (n) e->field[n++] = '.';
        cs_strlcpy(e->field + n, key, sizeof e->field - n);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->reason, sizeof e->reason, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- members ---------------------------------------------------------------- */

/* Member key of obj: 1 and *v, 0 when absent or null and optional, -1
 * when absent or null and required. */
static int member(gw_json *j, const cJSON *obj, const char *key, gw_need need, const cJSON **v) {
    const cJSON *m = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (!m || cJSON_IsNull(m)) return need == GW_REQUIRED ? gw_json_fail(j, key, "required") : 0;
    *v = m;
    return 1;
}

static int read_str(gw_json *j, const char *key, const cJSON *v, gw_need need, size_t maxlen, const char **out) {
    size_t n = strlen(v->valuestring);
    if (need == GW_REQUIRED && n == 0) return gw_json_fail(j, key, "empty; required");
    if (n > maxlen) return gw_json_fail(j, key, "longer than %zu bytes", maxlen);
    *out = v->valuestring;
    return 1;
}

int gw_json_str(gw_json *j, const cJSON *obj, const char *key, gw_need need, size_t maxlen, const char **out) {
    const cJSON *v = NULL;
    int rc = member(j, obj, key, need, &v);
    if (rc <= 0) return rc;
    if (!cJSON_IsString(v)) return gw_json_fail(j, key, "%s; a string expected", type_name(v));
    return read_str(j, key, v, need, maxlen, out);
}

/* The exact text of a number node (gw_json_parse() kept it). */
static const char *num_text(const cJSON *v) { return v->valuestring ? v->valuestring : ""; }

int gw_json_id(gw_json *j, const cJSON *obj, const char *key, gw_need need, size_t maxlen, const char **out) {
    const cJSON *v = NULL;
    int rc = member(j, obj, key, need, &v);
    if (rc <= 0) return rc;
    if (cJSON_IsString(v)) return read_str(j, key, v, need, maxlen, out);
    if (!cJSON_IsNumber(v)) return gw_json_fail(j, key, "%s; an id (string or integer) expected", type_name(v));
    const char *s = num_text(v);
    size_t n = strspn(s, "0123456789");
    if (n == 0 || s[n] != '\0')
        return gw_json_fail(j, key, "a number that is not a non-negative integer; an id expected");
    if (n > maxlen) return gw_json_fail(j, key, "longer than %zu digits", maxlen);
    *out = s;
    return 1;
}

int gw_json_bool(gw_json *j, const cJSON *obj, const char *key, gw_need need, bool *out) {
    const cJSON *v = NULL;
    int rc = member(j, obj, key, need, &v);
    if (rc <= 0) return rc;
    if (!cJSON_IsBool(v)) return gw_json_fail(j, key, "%s; true or false expected", type_name(v));
    *out = cJSON_IsTrue(v);
    return 1;
}

/* A JSON integer's text ("-12", "0"; no fraction, exponent or leading
 * zero) into *out; false if it is not one or does not fit. */
static bool parse_integer(const char *s, int64_t *out) {
    bool neg = *s == '-';
    if (neg) s++;
    if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] != '\0')) return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_C(9223372036854775808) - d) / 10) return false;
        v = v * 10 + d;
    }
    if (!neg && v > INT64_MAX) return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

int gw_json_int(gw_json *j, const cJSON *obj, const char *key, gw_need need, int64_t min, int64_t max, int64_t *out) {
    const cJSON *v = NULL;
    int rc = member(j, obj, key, need, &v);
    if (rc <= 0) return rc;
    if (!cJSON_IsNumber(v)) return gw_json_fail(j, key, "%s; an integer expected", type_name(v));
    int64_t x;
    if (!parse_integer(num_text(v), &x))
        return gw_json_fail(j, key, "not an integer (no fraction, exponent or leading zero)");
    if (x < min || x > max) return gw_json_fail(j, key, "out of range %lld..%lld", (long long)min, (long long)max);
    *out = x;
    return 1;
}

int gw_json_money(gw_json *j, const cJSON *obj, const char *key, gw_need need, int64_t *fen) {
    const cJSON *v = NULL;
    int rc = member(j, obj, key, need, &v);
    if (rc <= 0) return rc;
    if (!cJSON_IsString(v))
        return gw_json_fail(j, key, "%s; money is a decimal string such as \"117.70\"", type_name(v));
    char why[128];
    if (gw_money_fen(v->valuestring, fen, why, sizeof why) != 0) return gw_json_fail(j, key, "%s", why);
    return 1;
}

/* ---- times -------------------------------------------------------------------- */

static bool digits(const char *s, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static int days_in_month(int y, int m) {
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* "YYYY-MM-DD" at s (years 1970..9999) into a day number. */
static bool parse_date(const char *s, cs_day *day) {
    int y, m, d;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' || !digits(s + 8, 2, &d)) return false;
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return false;
    *day = cs_day_from_ymd(y, m, d);
    return true;
}

/* "HH:MM:SS" at s into milliseconds after midnight (no leap second). */
static bool parse_clock(const char *s, int64_t *ms) {
    int h, mi, sec;
    if (!digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &mi) || s[5] != ':' || !digits(s + 6, 2, &sec))
        return false;
    if (h > 23 || mi > 59 || sec > 59) return false;
    *ms = ((int64_t)h * 3600 + mi * 60 + sec) * 1000;
    return true;
}

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS[.fff...](Z|+HH:MM|-HH:MM)" into unix ms;
 * fractions beyond the millisecond are dropped. */
static bool parse_rfc3339(const char *s, int64_t *out) {
    cs_day day;
    int64_t clock;
    if (strlen(s) < 20 || !parse_date(s, &day) || (s[10] != 'T' && s[10] != 't') || !parse_clock(s + 11, &clock))
        return false;
    const char *p = s + 19;
    int64_t frac = 0;
    if (*p == '.') {
        int n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 3) frac = frac * 10 + (*p - '0');
        if (n == 0 || n > 9) return false;
        for (; n < 3; n++) frac *= 10;
    }
    int64_t off_ms = 0;
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59) return false;
        off_ms = ((int64_t)oh * 60 + om) * 60000 * (*p == '-' ? -1 : 1);
        p += 6;
    } else
        return false;
    if (*p != '\0') return false;
    *out = (int64_t)day * 86400000 + clock + frac - off_ms;
    return true;
}

/* A string member for a time reader: 1 and *s, or what member() said. */
static int time_member(gw_json *j, const cJSON *obj, const char *key, gw_need need, const char **s) {
    const cJSON *v = NULL;
    int rc = member(j, obj, key, need, &v);
    if (rc <= 0) return rc;
    if (!cJSON_IsString(v)) return gw_json_fail(j, key, "%s; a time string expected", type_name(v));
    *s = v->valuestring;
    return 1;
}

int gw_json_time(gw_json *j, const cJSON *obj, const char *key, gw_need need, int64_t *ms) {
    const char *s = NULL;
    int rc = time_member(j, obj, key, need, &s);
    if (rc <= 0) return rc;
    if (!parse_rfc3339(s, ms))
        return gw_json_fail(j, key, "not an RFC 3339 time with offset such as \"2026-11-11T10:00:00+08:00\"");
    return 1;
}

/* Local wall time "YYYY-MM-DD[ HH:MM:SS]" in tz into unix ms. */
static bool parse_local(const cs_tz *tz, const char *s, bool with_clock, int64_t *ms) {
    cs_day day;
    int64_t clock = 0;
    if (strlen(s) != (with_clock ? 19u : 10u) || !parse_date(s, &day)) return false;
    if (with_clock && (s[10] != ' ' || !parse_clock(s + 11, &clock))) return false;
    int minute = (int)(clock / 60000);
    *ms = cs_tz_instant(tz, day, minute) + clock % 60000;
    return true;
}

int gw_json_local_time(gw_json *j, const cJSON *obj, const char *key, gw_need need, int64_t *ms) {
    const char *s = NULL;
    int rc = time_member(j, obj, key, need, &s);
    if (rc <= 0) return rc;
    if (!j->tz) return gw_json_fail(j, key, "no time zone to read a local time in");
    if (!parse_local(j->tz, s, true, ms))
        return gw_json_fail(j, key, "not a local time such as \"2026-11-11 10:00:00\"");
    return 1;
}

int gw_json_date(gw_json *j, const cJSON *obj, const char *key, gw_need need, int64_t *ms) {
    const char *s = NULL;
    int rc = time_member(j, obj, key, need, &s);
    if (rc <= 0) return rc;
    if (j->tz && parse_local(j->tz, s, false, ms)) return 1;
    if (parse_rfc3339(s, ms)) return 1;
    return gw_json_fail(j, key, "not a date such as \"2026-11-13\" nor an RFC 3339 time");
}

/* ---- enums, objects, arrays ----------------------------------------------------- */

int gw_json_enum(gw_json *j, const cJSON *obj, const char *key, gw_need need, const gw_enum_name *table, int *out) {
    const cJSON *v = NULL;
    int rc = member(j, obj, key, need, &v);
    if (rc <= 0) return rc;
    if (cJSON_IsString(v))
        for (const gw_enum_name *e = table; e->name; e++)
            if (strcmp(e->name, v->valuestring) == 0) {
                *out = e->value;
                return 1;
            }
    char names[200];
    size_t n = 0;
    names[0] = '\0';
    for (const gw_enum_name *e = table; e->name && n < sizeof names; e++)
        n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", e == table ? "" : ", ", e->name);
    return gw_json_fail(j, key, "not one of: %s", names);
}

int gw_json_object(gw_json *j, const cJSON *obj, const char *key, gw_need need, const cJSON **out) {
    const cJSON *v = NULL;
    int rc = member(j, obj, key, need, &v);
    if (rc <= 0) return rc;
    if (!cJSON_IsObject(v)) return gw_json_fail(j, key, "%s; an object expected", type_name(v));
    *out = v;
    return 1;
}

int gw_json_array(gw_json *j, const cJSON *obj, const char *key, gw_need need, size_t maxn, const cJSON **out) {
    const cJSON *v = NULL;
    int rc = member(j, obj, key, need, &v);
    if (rc <= 0) return rc;
    if (!cJSON_IsArray(v)) return gw_json_fail(j, key, "%s; an array expected", type_name(v));
    if ((size_t)cJSON_GetArraySize(v) > maxn) return gw_json_fail(j, key, "more than %zu elements", maxn);
    *out = v;
    return 1;
}

int gw_json_require(gw_json *j, const cJSON *obj, const char *const *keys) {
    const cJSON *v;
    for (; keys && *keys; keys++)
        if (member(j, obj, *keys, GW_REQUIRED, &v) < 0) return -1;
    return 0;
}

int gw_json_currency(gw_json *j, const cJSON *obj, const char *key, const char *shop_currency) {
    const char *c = NULL;
    int rc = gw_json_str(j, obj, key, GW_OPTIONAL, 8, &c);
    if (rc <= 0) return rc;
    if (strcmp(c, shop_currency) != 0)
        return gw_json_fail(j, key, "the shop's currency is %s; a body in another currency is refused", shop_currency);
    return 1;
}

/* ---- table-driven reading ------------------------------------------------------------ */

/* Reads one field into its member (memcpy: members are char *, int32_t,
 * int64_t, protobuf_c_boolean or a C enum, each written at its type). */
static int read_field(gw_json *j, const cJSON *obj, const gw_field *f, char *base) {
    void *dst = base + f->off;
    const char *s = NULL;
    bool b = false;
    int64_t i64 = 0;
    int e = 0, rc = 0;
    switch (f->kind) {
        case GW_F_STR: rc = gw_json_str(j, obj, f->key, f->need, f->max, &s); break;
        case GW_F_ID: rc = gw_json_id(j, obj, f->key, f->need, f->max, &s); break;
        case GW_F_BOOL: rc = gw_json_bool(j, obj, f->key, f->need, &b); break;
        case GW_F_INT32: rc = gw_json_int(j, obj, f->key, f->need, 0, (int64_t)f->max, &i64); break;
        case GW_F_MONEY: rc = gw_json_money(j, obj, f->key, f->need, &i64); break;
        case GW_F_TIME: rc = gw_json_time(j, obj, f->key, f->need, &i64); break;
        case GW_F_DATE: rc = gw_json_date(j, obj, f->key, f->need, &i64); break;
        case GW_F_ENUM: rc = gw_json_enum(j, obj, f->key, f->need, f->names, &e); break;
    }
    if (rc <= 0) return rc;
    switch (f->kind) {
        case GW_F_STR:
        case GW_F_ID: {
            char *p = (char *)s; /* points into the tree; packing copies it */
            memcpy(dst, &p, sizeof p);
            break;
        }
        case GW_F_BOOL: {
            int v = b; /* protobuf_c_boolean is int */
            memcpy(dst, &v, sizeof v);
            break;
        }
        case GW_F_INT32: {
            int32_t v = (int32_t)i64;
            memcpy(dst, &v, sizeof v);
            break;
        }
        case GW_F_ENUM: memcpy(dst, &e, sizeof e); break;
        default: memcpy(dst, &i64, sizeof i64); break;
    }
    return rc;
}

int gw_json_fields(gw_json *j, const cJSON *obj, const gw_field *fields, size_t n, void *msg) {
    for (size_t i = 0; i < n; i++)
        if (read_field(j, obj, &fields[i], msg) < 0) return -1;
    return 0;
}
