/* timer_keys.c -- the timers' Redis layout: shards, key names, members and
 * the Lua scripts of the dispatcher (see timer_keys.h). */
#include "cs/timer_keys.h"

#include <errno.h>
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

void cs_timer_due_key(char *out, size_t outlen, int shard) {
    snprintf(out, outlen, "cs:timers:{%d}:due", shard);
}

void cs_timer_inflight_key(char *out, size_t outlen, int shard) {
    snprintf(out, outlen, "cs:timers:{%d}:inflight", shard);
}

int cs_timer_member(char *out, size_t outlen, const char *owner, const char *timer_id,
                    int64_t generation) {
    if (!owner[0] || strchr(owner, '|') || !timer_id[0]) return -1;
    int n = snprintf(out, outlen, "%s|%s|%" PRId64, owner, timer_id, generation);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

int cs_timer_member_parse(const char *member, size_t len, cs_timer_ref *out) {
    const char *end = member + len;
    const char *bar1 = memchr(member, '|', len);
    if (!bar1) return -1;
    const char *bar2 = end;
    while (bar2 > bar1 && bar2[-1] != '|') bar2--;
    bar2--;   /* the last '|' */
    if (bar2 <= bar1) return -1;
    size_t on = (size_t)(bar1 - member), tn = (size_t)(bar2 - bar1 - 1), gn = (size_t)(end - bar2 - 1);
    if (on == 0 || on >= sizeof out->owner || tn == 0 || tn >= sizeof out->timer_id) return -1;
    if (gn == 0 || gn > 18) return -1;
    int64_t g = 0;
    for (const char *p = bar2 + 1; p < end; p++) {
        if (*p < '0' || *p > '9') return -1;
        g = g * 10 + (*p - '0');
    }
    if (g <= 0) return -1;
    memcpy(out->owner, member, on);
    out->owner[on] = 0;
    memcpy(out->timer_id, bar1 + 1, tn);
    out->timer_id[tn] = 0;
    if (memchr(out->owner, 0, on) || memchr(out->timer_id, 0, tn)) return -1;
    out->generation = g;
    return 0;
}

void cs_timer_event_id(char *out, size_t outlen, const char *owner, const char *timer_id,
                       int64_t generation) {
    snprintf(out, outlen, "timer/%s/%s/%" PRId64, owner, timer_id, generation);
}

void cs_timer_shop_of(char *out, size_t outlen, const char *order_key) {
    size_t n = strcspn(order_key, ":");
    if (outlen == 0) return;
    if (n >= outlen) n = outlen - 1;
    memcpy(out, order_key, n);
    out[n] = 0;
}

/* Expired leases first: a firing that was never acknowledged is older
 * than anything newly due. ZADD on inflight overwrites the old lease. */
const char cs_timer_claim_lua[] =
    "local limit = tonumber(ARGV[4])\n"
    "local out = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, limit)\n"
    "for _, m in ipairs(out) do redis.call('ZADD', KEYS[2], ARGV[3], m) end\n"
    "if #out < limit then\n"
    "  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, limit - #out)\n"
    "  for _, m in ipairs(due) do\n"
    "    redis.call('ZREM', KEYS[1], m)\n"
    "    redis.call('ZADD', KEYS[2], ARGV[3], m)\n"
    "    out[#out + 1] = m\n"
    "  end\n"
    "end\n"
    "return out\n";

const char cs_timer_ack_lua[] =
    "local n = 0\n"
    "for i = 2, #ARGV do\n"
    "  local s = redis.call('ZSCORE', KEYS[1], ARGV[i])\n"
    "  if s and tonumber(s) == tonumber(ARGV[1]) then\n"
    "    redis.call('ZREM', KEYS[1], ARGV[i])\n"
    "    n = n + 1\n"
    "  end\n"
    "end\n"
    "return n\n";
