/* test_gw_ratelimit.c -- per-shop token buckets (gateway/gw_ratelimit.c):
 * the burst, the refill at the rate, Retry-After, shops apart, no limit,
 * and many threads taking from one bucket never getting more than it holds. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "ct.h"
#include "gw_ratelimit.h"

/* A set of shops is only made by cs_shops_load: write one. */
#include <stdlib.h>
#include <unistd.h>

static cs_shops *load(const char *json) {
    char path[] = "/tmp/gw-rl-shops-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, json, strlen(json)) != (ssize_t)strlen(json)) abort();
    close(fd);
    char err[512];
    cs_shops *s = cs_shops_load(path, err, sizeof err);
    unlink(path);
    if (!s) {
        fprintf(stderr, "shops: %s\n", err);
        abort();
    }
    return s;
}

static const char SHOPS[] = "{\"shops\": ["
                            "{\"id\": \"r2\", \"channel\": \"taobao\", \"webhook_rate\": 2, \"webhook_burst\": 3},"
                            "{\"id\": \"r10\", \"channel\": \"taobao\", \"webhook_rate\": 10},"
                            "{\"id\": \"free\", \"channel\": \"taobao\"},"
                            "{\"id\": \"strict\", \"channel\": \"taobao\", \"webhook_rate\": 1, \"webhook_burst\": 0}"
                            "]}";

static void test_burst_then_429_with_retry_after(void) {
    cs_shops *s = load(SHOPS);
    gw_ratelimit *rl = gw_ratelimit_new(s, 0);
    const cs_shop *r2 = cs_shops_find(s, "r2");
    int ra = -1;
    for (int i = 0; i < 3; i++) CT_CHECK(gw_ratelimit_take(rl, r2, 0, &ra));
    CT_CHECK(!gw_ratelimit_take(rl, r2, 0, &ra));
    CT_EQ_INT(ra, 1); /* half a second to the next token: rounded up to whole seconds */
    /* 500 ms later: one token (2/s) */
    CT_CHECK(gw_ratelimit_take(rl, r2, 500000, &ra));
    CT_CHECK(!gw_ratelimit_take(rl, r2, 500000, &ra));
    /* a long quiet spell refills to the burst, not beyond */
    for (int i = 0; i < 3; i++) CT_CHECK(gw_ratelimit_take(rl, r2, 60000000, &ra));
    CT_CHECK(!gw_ratelimit_take(rl, r2, 60000000, &ra));
    gw_ratelimit_free(rl);
    cs_shops_free(s);
}

static void test_shops_have_their_own_buckets_and_no_limit_is_free(void) {
    cs_shops *s = load(SHOPS);
    gw_ratelimit *rl = gw_ratelimit_new(s, 0);
    int ra;
    const cs_shop *r10 = cs_shops_find(s, "r10"), *r2 = cs_shops_find(s, "r2"), *fr = cs_shops_find(s, "free");
    for (int i = 0; i < 10; i++) CT_CHECK(gw_ratelimit_take(rl, r10, 0, &ra)); /* burst defaults to the rate */
    CT_CHECK(!gw_ratelimit_take(rl, r10, 0, &ra));
    CT_CHECK(gw_ratelimit_take(rl, r2, 0, &ra)); /* r10's use leaves r2 alone */
    for (int i = 0; i < 100000; i++)
        if (!gw_ratelimit_take(rl, fr, 0, &ra)) {
            CT_CHECK(!"a shop without webhook_rate was limited");
            break;
        }
    gw_ratelimit_free(rl);
    cs_shops_free(s);
}

static void test_burst_zero_still_lets_the_rate_through(void) {
    cs_shops *s = load(SHOPS);
    gw_ratelimit *rl = gw_ratelimit_new(s, 0);
    const cs_shop *st = cs_shops_find(s, "strict");
    int ra;
    CT_CHECK(gw_ratelimit_take(rl, st, 0, &ra));
    CT_CHECK(!gw_ratelimit_take(rl, st, 0, &ra));
    CT_EQ_INT(ra, 1);
    CT_CHECK(gw_ratelimit_take(rl, st, 1000000, &ra));
    gw_ratelimit_free(rl);
    cs_shops_free(s);
}

typedef struct race {
    gw_ratelimit *rl;
    const cs_shop *shop;
    atomic_int taken;
} race;

static void *taker(void *arg) {
    race *r = arg;
    int ra;
    for (int i = 0; i < 5000; i++)
        if (gw_ratelimit_take(r->rl, r->shop, 0, &ra)) atomic_fetch_add(&r->taken, 1);
    return NULL;
}

static void test_threads_never_take_more_than_the_bucket_holds(void) {
    cs_shops *s = load(SHOPS);
    race r = {gw_ratelimit_new(s, 0), cs_shops_find(s, "r10"), 0};
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, taker, &r);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    CT_EQ_INT(atomic_load(&r.taken), 10); /* the clock stood still: the burst, exactly */
    gw_ratelimit_free(r.rl);
    cs_shops_free(s);
}

int main(void) {
    static const ct_case cases[] = {
        CT_CASE(test_burst_then_429_with_retry_after),
        CT_CASE(test_shops_have_their_own_buckets_and_no_limit_is_free),
        CT_CASE(test_burst_zero_still_lets_the_rate_through),
        CT_CASE(test_threads_never_take_more_than_the_bucket_holds),
    };
    return ct_run(cases, sizeof cases / sizeof cases[0]);
}
