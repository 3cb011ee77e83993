/* gw_ratelimit.c -- per-shop token buckets (see gw_ratelimit.h).
 *
 * Buckets are found by the shop's address (sorted once, binary search), so
 * a request costs a lookup and one short critical section of its own
 * shop's bucket: shops never wait on each other. */
#include "gw_ratelimit.h"

#include <pthread.h>
#include <stdlib.h>

#include "cs/util.h"

typedef struct bucket {
    const cs_shop *shop; /* the key (its address) */
    pthread_mutex_t mu;  /* guards tokens and last_us */
    double tokens;       /* 0..cap */
    double cap;          /* max(webhook_burst, 1) */
    double rate;         /* tokens per second (webhook_rate) */
    int64_t last_us;     /* when tokens was last brought up to date */
} bucket;

struct gw_ratelimit {
    bucket *b; /* sorted by shop address */
    size_t n;
};

static int byShop(const void *a, const void *b) {
    const cs_shop *x = ((const bucket *)a)->shop, *y = ((const bucket *)b)->shop;
    return x < y ? -1 : x > y;
}

gw_ratelimit *gw_ratelimit_new(const cs_shops *shops, int64_t now_us) {
    gw_ratelimit *rl = cs_xcalloc(1, sizeof *rl);
    size_t n = cs_shops_count(shops);
    rl->b = cs_xcalloc(n ? n : 1, sizeof *rl->b);
    for (size_t i = 0; i < n; i++) {
        const cs_shop *s = cs_shops_at(shops, i);
        if (s->webhook_rate <= 0) continue;
        bucket *b = &rl->b[rl->n++];
        b->shop = s;
        pthread_mutex_init(&b->mu, NULL);
        b->cap = s->webhook_burst > 1 ? s->webhook_burst : 1;
        b->rate = s->webhook_rate;
        b->tokens = b->cap;
        b->last_us = now_us;
    }
    qsort(rl->b, rl->n, sizeof *rl->b, byShop);
    return rl;
}

void gw_ratelimit_free(gw_ratelimit *rl) {
    if (!rl) return;
    for (size_t i = 0; i < rl->n; i++) pthread_mutex_destroy(&rl->b[i].mu);
    free(rl->b);
    free(rl);
}

bool gw_ratelimit_take(gw_ratelimit *rl, const cs_shop *shop, int64_t now_us, int *retry_after_s) {
    bucket key = {.shop = shop};
    bucket *b = rl->n ? bsearch(&key, rl->b, rl->n, sizeof *rl->b, byShop) : NULL;
    if (!b) return true;
    bool ok;
    pthread_mutex_lock(&b->mu);
    if (now_us > b->last_us) { /* a clock read before another thread's is not a refill */
        b->tokens += (double)(now_us - b->last_us) / 1e6 * b->rate;
        if (b->tokens > b->cap) b->tokens = b->cap;
        b->last_us = now_us;
    }
    ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    else {
        double wait_s = (1.0 - b->tokens) / b->rate;
        int s = (int)wait_s;
        *retry_after_s = s < wait_s ? s + 1 : s;
        if (*retry_after_s < 1) *retry_after_s = 1;
    }
    pthread_mutex_unlock(&b->mu);
    return ok;
}
