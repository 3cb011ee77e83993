/* fuzz_shops.c -- libFuzzer target for the shops file (cs_shops_parse).
 *
 * The shops file is written by hand by whoever runs the stack, and every
 * process reads it at start: any text must give a set of shops or NULL
 * with a reason ("<file>: <key path>: <reason>"), never a crash, a leak or
 * undefined behaviour. A set that loads must also be usable: every shop is
 * found again by its id (and by its Shopify domain when it has one), has
 * a time zone and a three-letter currency.
 *
 * cs_shops_load() reads the file and calls cs_shops_parse(), so the bytes
 * go to the loader's own parser without a temporary file. Built with clang
 * only (CS_FUZZ=ON) and run by tests/run.sh on a copy of
 * tests/fuzz/corpus/shops (deploy/config/shops.sample.json and variants)
 * with tests/fuzz/shops.dict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cs/shop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void checkShops(const cs_shops *set) {
    size_t n = cs_shops_count(set);
    if (n == 0) abort(); /* "at least one shop required" */
    for (size_t i = 0; i < n; i++) {
        const cs_shop *s = cs_shops_at(set, i);
        if (!s || !s->id || !s->id[0] || !s->tz || strlen(s->currency) != 3) abort();
        if (!cs_shops_find(set, s->id)) abort();
        if (s->shopify_domain && !cs_shops_find_shopify(set, s->shopify_domain)) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512];
    err[0] = '\0';
    cs_shops *set = cs_shops_parse((const char *)data, size, "shops.json", err, sizeof err);
    if (set) {
        checkShops(set);
    } else if (strncmp(err, "shops.json: ", 12) != 0) {
        abort(); /* a refusal names the file and says why */
    }
    cs_shops_free(set);
    return 0;
}
