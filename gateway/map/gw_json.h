/* gw_json.h -- reading webhook JSON bodies field by field, with the path of
 * the field that is wrong.
 *
 * Every platform mapping (generic.c, taobao.c, shopify.c) reads its body
 * through these helpers, so a 400 names the offending field the same way
 * everywhere ("data.lines[2].unit_price") and gives a reason a shop's
 * engineer can act on. The helpers never echo the sender's values into the
 * reason (a reason is safe to log and to answer with).
 *
 * gw_json_parse() is the one way in: it checks what cJSON does not (valid
 * UTF-8, nesting depth, no NUL) on the raw bytes before cJSON sees them,
 * and keeps the exact text of every JSON number, so integers and numeric
 * ids are read exactly (cJSON alone turns them into doubles: a 19-digit
 * Taobao tid would lose digits).
 *
 * Readers return 1 (read, *out set), 0 (absent or null and optional: *out
 * untouched, so callers pre-set defaults) or -1 (refused: the context's
 * gw_error is filled, the caller returns -1 up to gw_map()). Strings point
 * into the cJSON tree: they live as long as the tree. */
#ifndef GW_JSON_H
#define GW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cs/tz.h"
#include "gw_map.h"

#define GW_JSON_MAX_DEPTH 32 /* nesting of objects and arrays a body may have */

typedef enum gw_need {
    GW_OPTIONAL = 0, /* absent or null: left as it was */
    GW_REQUIRED = 1, /* absent or null: 400 "required" */
} gw_need;

/* A reading context: where the first failure goes, the path of the object
 * being read, and the shop's zone for local times and dates. */
typedef struct gw_json {
    gw_error *err;   /* filled by the first refusal */
    const cs_tz *tz; /* the shop's zone (dates, platform local times); may be NULL */
    char path[128];  /* path of the current object: "" = the body, "data", "data.lines[2]" */
} gw_json;

/* An enum value by its name in a body ("refund_only"), table ends with a
 * NULL name. */
typedef struct gw_enum_name {
    const char *name; /* lower-case name as in bodies */
    int value;        /* the proto enum value */
} gw_enum_name;

/* ---- the body ---------------------------------------------------------------- */

/* Checks the raw body (valid UTF-8, no NUL byte or \u0000 escape, nesting
 * at most GW_JSON_MAX_DEPTH, counted by a scan, not recursion, so 10,000
 * '[' are a 400 and not a stack overflow), parses it (nothing but
 * whitespace after the value) and requires a JSON object. 0 and *root (the
 * caller frees it with cJSON_Delete), or -1 with err (field "body"). */
int gw_json_parse(const char *body, size_t len, cJSON **root, gw_error *err);

/* ---- context and path -------------------------------------------------------- */

void gw_json_init(gw_json *j, gw_error *err, const cs_tz *tz);
/* Descends into member `key` / element i of the current path; returns a
 * mark for gw_json_leave(), which restores the path to what it was. */
size_t gw_json_enter(gw_json *j, const char *key);
size_t gw_json_enter_index(gw_json *j, size_t i);
void gw_json_leave(gw_json *j, size_t mark);
/* Refuses member `key` of the current object (key NULL: the current path
 * itself) with a printf-style reason. Always returns -1. */
int gw_json_fail(gw_json *j, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- members ------------------------------------------------------------------ */

/* A string of 1..maxlen bytes (required), or 0..maxlen (optional). */
int gw_json_str(gw_json *j, const cJSON *obj, const char *key, gw_need need, size_t maxlen, const char **out);
/* An identifier: a string of 1..maxlen bytes, or a non-negative JSON
 * integer taken by its exact digits (platforms send order ids as numbers). */
int gw_json_id(gw_json *j, const cJSON *obj, const char *key, gw_need need, size_t maxlen, const char **out);
int gw_json_bool(gw_json *j, const cJSON *obj, const char *key, gw_need need, bool *out);
/* A JSON integer in [min, max]: a fraction or exponent ("1.0", "1e3") is
 * refused; read from its digits, never through a double. */
int gw_json_int(gw_json *j, const cJSON *obj, const char *key, gw_need need, int64_t min, int64_t max, int64_t *out);
/* Money: a decimal string through gw_money_fen(); a JSON number is refused. */
int gw_json_money(gw_json *j, const cJSON *obj, const char *key, gw_need need, int64_t *fen);
/* An RFC 3339 time with its offset ("2026-11-11T10:00:00+08:00",
 * "2026-11-11T02:00:00.250Z") into unix ms. */
int gw_json_time(gw_json *j, const cJSON *obj, const char *key, gw_need need, int64_t *ms);
/* A platform's local time "YYYY-MM-DD HH:MM:SS" (Taobao) read in j->tz. */
int gw_json_local_time(gw_json *j, const cJSON *obj, const char *key, gw_need need, int64_t *ms);
/* A date "YYYY-MM-DD" (local midnight in j->tz), or an RFC 3339 time. */
int gw_json_date(gw_json *j, const cJSON *obj, const char *key, gw_need need, int64_t *ms);
/* A name from table (a string; the reason lists the names). */
int gw_json_enum(gw_json *j, const cJSON *obj, const char *key, gw_need need, const gw_enum_name *table, int *out);
/* An object / array member; *out points into the tree. An array has at
 * most maxn elements. */
int gw_json_object(gw_json *j, const cJSON *obj, const char *key, gw_need need, const cJSON **out);
int gw_json_array(gw_json *j, const cJSON *obj, const char *key, gw_need need, size_t maxn, const cJSON **out);
/* Every key of the NULL-terminated list is present and not null in obj. */
int gw_json_require(gw_json *j, const cJSON *obj, const char *const *keys);
/* Member `key`, if present, equals the shop's currency (a 3-letter code):
 * a body in another currency is refused, never converted. */
int gw_json_currency(gw_json *j, const cJSON *obj, const char *key, const char *shop_currency);

/* ---- table-driven reading of a flat message ------------------------------------ */

typedef enum gw_field_kind {
    GW_F_STR,   /* char *; max = max length */
    GW_F_ID,    /* char *; string or JSON integer; max = max length */
    GW_F_BOOL,  /* protobuf_c_boolean */
    GW_F_INT32, /* int32_t; in [0, max] */
    GW_F_MONEY, /* int64_t fen */
    GW_F_TIME,  /* int64_t unix ms, RFC 3339 */
    GW_F_DATE,  /* int64_t unix ms, a date or RFC 3339 */
    GW_F_ENUM,  /* a C enum (int); names = table */
} gw_field_kind;

/* One member of a JSON object and where it goes in a protobuf-c message. */
typedef struct gw_field {
    const char *key;           /* JSON member name */
    gw_field_kind kind;        /* how to read it */
    gw_need need;              /* required or optional */
    size_t off;                /* offsetof() the message member */
    size_t max;                /* GW_F_STR/ID: max bytes; GW_F_INT32: max value */
    const gw_enum_name *names; /* GW_F_ENUM: the names */
} gw_field;

/* Reads fields[0..n) of obj into msg (a protobuf-c message, initialised).
 * 0, or -1 at the first refusal. */
int gw_json_fields(gw_json *j, const cJSON *obj, const gw_field *fields, size_t n, void *msg);

#endif
