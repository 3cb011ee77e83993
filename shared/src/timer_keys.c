/* timer_keys.c -- the timers' Redis layout: shards, key names, members and
 * the Lua scripts of the dispatcher (see timer_keys.h). */
#include "cs/timer_keys.h"

#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/util.h"

int cs_timer_shard(const char *owner, const char *timer_id) {
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)owner; *p; p++) h = (h ^ *p) * 16777619u;
    h = (h ^ (unsigned char)'|') * 16777619u;
    for (const unsigned char *p = (const unsigned char *)timer_id; *p; p++) h = (h ^ *p) * 16777619u;
    return (int)(h % CS_TIMER_SHARDS);
}

void cs_timer_due_key(char *out, size_t outlen, int shard) { snprintf(out, outlen, "cs:timers:{%d}:due", shard); }

void cs_timer_inflight_key(char *out, size_t outlen, int shard) {
    snprintf(out, outlen, "cs:timers:{%d}:inflight", shard);
}

/* Appends the escaped bytes of p[0..n) at out[*at], or fails when they do
 * not fit outlen (room kept for the terminator). */
static int putEscaped(char *out, size_t outlen, size_t *at, const void *p, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        bool esc = s[i] == '%' || s[i] == '|' || s[i] == 0;
        if (*at + (esc ? 3 : 1) >= outlen) return -1;
        if (esc) {
            out[(*at)++] = '%';
            out[(*at)++] = hex[s[i] >> 4];
            out[(*at)++] = hex[s[i] & 15];
        } else {
            out[(*at)++] = (char)s[i];
        }
    }
    return 0;
}

static int putText(char *out, size_t outlen, size_t *at, const char *s) {
    size_t n = strlen(s);
    if (*at + n >= outlen) return -1;
    memcpy(out + *at, s, n);
    *at += n;
    return 0;
}

int cs_timer_member(char *out, size_t outlen, const cs_timer_fields *f) {
    const cs_timer_ref *R = NULL; /* for the field sizes only */
    if (!f->owner || !f->owner[0] || strpbrk(f->owner, "|%") || strlen(f->owner) >= sizeof R->owner) return -1;
    if (!f->kind || !f->kind[0] || strlen(f->kind) >= sizeof R->kind) return -1;
    if (!f->order_key || !f->order_key[0] || strlen(f->order_key) >= sizeof R->order_key) return -1;
    if (f->generation <= 0 || f->due_ms <= 0 || f->payload_len > CS_TIMER_PAYLOAD_MAX) return -1;
    const char *id = f->timer_id;
    if (id) {
        if (!id[0] || strlen(id) >= sizeof R->timer_id) return -1;
        /* the default id is left out: it is the kind and order key again */
        size_t kn = strlen(f->kind);
        if (strncmp(id, f->kind, kn) == 0 && id[kn] == '@' && strcmp(id + kn + 1, f->order_key) == 0) id = NULL;
    }
    char nums[48];
    snprintf(nums, sizeof nums, "|%" PRId64 "|%" PRId64 "|", f->generation, f->due_ms);
    size_t at = 0;
    if (putText(out, outlen, &at, f->owner) || putText(out, outlen, &at, nums) ||
        putEscaped(out, outlen, &at, f->kind, strlen(f->kind)) || putText(out, outlen, &at, "|") ||
        putEscaped(out, outlen, &at, f->order_key, strlen(f->order_key)) || putText(out, outlen, &at, "|") ||
        (id && putEscaped(out, outlen, &at, id, strlen(id))) || putText(out, outlen, &at, "|") ||
        putEscaped(out, outlen, &at, f->payload ? f->payload : "", f->payload ? f->payload_len : 0))
        return -1;
    out[at] = 0;
    return 0;
}

static int hexVal(char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
}

/* Unescapes s[0..n) into out (cap bytes; a text field keeps room for its
 * terminator and may not hold a NUL). *outn gets the length. */
static int getEscaped(const char *s, size_t n, uint8_t *out, size_t cap, size_t *outn, bool text) {
    size_t room = text ? cap - 1 : cap, k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == 0) return -1; /* a NUL is always escaped */
        if (c == '%') {
            if (n - i < 3) return -1;
            int h = hexVal(s[i + 1]), l = hexVal(s[i + 2]);
            if (h < 0 || l < 0) return -1;
            c = h * 16 + l;
            i += 2;
            if (text && c == 0) return -1;
        }
        if (k >= room) return -1;
        out[k++] = (uint8_t)c;
    }
    if (text) out[k] = 0;
    *outn = k;
    return 0;
}

static int getNumber(const char *s, size_t n, int64_t *out) {
    if (n == 0 || n > 18) return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v <= 0) return -1;
    *out = v;
    return 0;
}

int cs_timer_member_parse(const char *member, size_t len, cs_timer_ref *out) {
    const char *f[7];
    size_t fn[7];
    const char *p = member, *end = member + len;
    for (int i = 0; i < 7; i++) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        if (i < 6 && !bar) return -1;
        if (i == 6) {
            if (bar) return -1; /* an eighth field */
            bar = end;
        }
        f[i] = p;
        fn[i] = (size_t)(bar - p);
        if (i < 6) p = bar + 1;
    }
    if (fn[0] == 0 || fn[0] >= sizeof out->owner || memchr(f[0], 0, fn[0]) || memchr(f[0], '%', fn[0])) return -1;
    memcpy(out->owner, f[0], fn[0]);
    out->owner[fn[0]] = 0;
    size_t n;
    if (getNumber(f[1], fn[1], &out->generation) || getNumber(f[2], fn[2], &out->due_ms)) return -1;
    if (getEscaped(f[3], fn[3], (uint8_t *)out->kind, sizeof out->kind, &n, true) || n == 0) return -1;
    if (getEscaped(f[4], fn[4], (uint8_t *)out->order_key, sizeof out->order_key, &n, true) || n == 0) return -1;
    if (getEscaped(f[5], fn[5], (uint8_t *)out->timer_id, sizeof out->timer_id, &n, true)) return -1;
    if (n == 0) {
        int w = snprintf(out->timer_id, sizeof out->timer_id, "%s@%s", out->kind, out->order_key);
        if (w < 0 || (size_t)w >= sizeof out->timer_id) return -1;
    }
    if (getEscaped(f[6], fn[6], out->payload, sizeof out->payload, &out->payload_len, false)) return -1;
    return 0;
}

void cs_timer_event_id(char *out, size_t outlen, const char *owner, const char *timer_id, int64_t generation) {
    snprintf(out, outlen, "timer/%s/%s/%" PRId64, owner, timer_id, generation);
}

void cs_timer_shop_of(char *out, size_t outlen, const char *order_key) {
    size_t n = strcspn(order_key, ":");
    if (outlen == 0) return;
    if (n >= outlen) n = outlen - 1;
    memcpy(out, order_key, n);
    out[n] = 0;
}

/* Expired leases first: a firing that was never acknowledged (or never
 * taken by its owner) is older than anything newly due. The due members
 * are the lowest ranks of their set, so one ZREMRANGEBYRANK removes them;
 * one ZADD gives all of them their lease (arguments built in Lua: at most
 * 2 x limit values, well under Lua's stack limit). */
const char cs_timer_claim_lua[] =
    "local limit = tonumber(ARGV[4])\n"
    "local out = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, limit)\n"
    "if #out < limit then\n"
    "  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, limit - #out)\n"
    "  if #due > 0 then\n"
    "    redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #due - 1)\n"
    "    for _, m in ipairs(due) do out[#out + 1] = m end\n"
    "  end\n"
    "end\n"
    "if #out > 0 then\n"
    "  local args = {}\n"
    "  for i, m in ipairs(out) do args[2 * i - 1] = ARGV[3]; args[2 * i] = m end\n"
    "  redis.call('ZADD', KEYS[2], unpack(args))\n"
    "end\n"
    "return out\n";
