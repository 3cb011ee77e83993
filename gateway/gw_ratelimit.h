/* gw_ratelimit.h -- each shop's webhook request rate (429 above it).
 *
 * A token bucket per shop with a limit (cs_shop.webhook_rate > 0): it
 * refills at webhook_rate tokens a second up to max(webhook_burst, 1), and
 * a request takes one token or is refused with the whole seconds until a
 * token is there (the Retry-After). Thread-safe: a mutex per bucket, held
 * for a few arithmetic operations. The clock is the caller's (monotonic
 * microseconds), so tests drive it. */
#ifndef GW_RATELIMIT_H
#define GW_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "cs/shop.h"

typedef struct gw_ratelimit gw_ratelimit;

/* Buckets for every shop of the set that has a limit, full at now_us. The
 * set must outlive the limiter. */
gw_ratelimit *gw_ratelimit_new(const cs_shops *shops, int64_t now_us);
void gw_ratelimit_free(gw_ratelimit *rl); /* accepts NULL */

/* Takes a token of shop's bucket: true, or false with *retry_after_s
 * (>= 1). A shop without a limit (or not of the set) is always let through. */
bool gw_ratelimit_take(gw_ratelimit *rl, const cs_shop *shop, int64_t now_us, int *retry_after_s);

#endif
