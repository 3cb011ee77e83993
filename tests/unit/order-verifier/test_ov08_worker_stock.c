/* test_ov08_worker_stock.c -- OV-8's arithmetic the worker applies
 * (rules/ov08_stock.c, moved there from verifier.c): the units an order
 * needs of a SKU (summed as int64: two lines of 2^31-1 do not wrap), whether
 * it can take them at the level now, which SKUs it waits for, and an
 * inventory event on a level (a count replaces an older one, a restock adds,
 * capped; the level "rose" re-verifies waiting orders). */
#include <stdint.h>

#include "ct.h"
#include "ov_fixtures.h"

static void test_ov8_needs_sums_lines_of_a_sku_without_overflow(void) {
    fx_order f;
    fx_order_init(&f); /* 2 x SKU-A */
    fx_add_line(&f, "L2", "SKU-A", 3, 100);
    fx_add_line(&f, "L3", "SKU-B", 1, 100);
    CT_EQ_INT(ov8_needs(&f.o, "SKU-A"), 5);
    CT_EQ_INT(ov8_needs(&f.o, "SKU-B"), 1);
    CT_EQ_INT(ov8_needs(&f.o, "SKU-C"), 0);
    fx_add_line(&f, "L4", "SKU-Z", INT32_MAX, 1);
    fx_add_line(&f, "L5", "SKU-Z", INT32_MAX, 1);
    CT_EQ_INT(ov8_needs(&f.o, "SKU-Z"), 2 * (int64_t)INT32_MAX);
}

/* What the worker asks: every SKU of the order fits at its level. */
static bool canTake(const Cs__V1__Order *o, const int32_t *available, const char *const *skus, size_t n) {
    bool all = true;
    for (size_t i = 0; i < n; i++) all = all && ov8_sku_fits(o, skus[i], available[i]);
    return all;
}

static void test_ov8_can_take_only_when_every_sku_fits(void) {
    fx_order f;
    fx_order_init(&f);
    fx_add_line(&f, "L2", "SKU-B", 4, 100);
    const char *skus[] = {"SKU-A", "SKU-B"};
    int32_t enough[] = {2, 4}, shortB[] = {2, 3}, lots[] = {INT32_MAX, INT32_MAX};
    CT_CHECK(canTake(&f.o, enough, skus, 2)); /* the last units go */
    CT_CHECK(!canTake(&f.o, shortB, skus, 2));
    CT_CHECK(canTake(&f.o, lots, skus, 2));
    fx_add_line(&f, "L3", "SKU-B", INT32_MAX, 1); /* needs more than any level */
    CT_CHECK(!canTake(&f.o, lots, skus, 2));
}

static void test_ov8_short_skus_count_what_the_order_holds(void) {
    fx_order f;
    fx_order_init(&f); /* 2 x SKU-A */
    fx_add_line(&f, "L2", "SKU-B", 3, 100);
    ov_stock st[] = {{.sku = "SKU-A", .available = 1, .known = true, .held_by_order = 1},
                     {.sku = "SKU-B", .available = 2, .known = true}};
    const char *out[4];
    CT_EQ_INT(ov8_short_skus(&f.o, st, 2, out, 4), 1); /* A: 1 + 1 held covers 2 */
    CT_EQ_STR(out[0], "SKU-B");
    CT_EQ_INT(ov8_short_skus(&f.o, st, 2, out, 0), 0);
}

static void test_ov8_inventory_count_replaces_only_older_restock_adds(void) {
    ov_level s = {.available = 5, .counted_ms = 2000, .known = true};
    Cs__V1__InventoryLevel l;
    cs__v1__inventory_level__init(&l);
    l.available = 1;
    l.counted_ms = 1000; /* an older count: ignored */
    CT_CHECK(!ov8_apply_level(&s, &l));
    CT_EQ_INT(s.available, 5);
    l.counted_ms = 3000; /* a newer one replaces */
    CT_CHECK(!ov8_apply_level(&s, &l));
    CT_EQ_INT(s.available, 1);
    CT_EQ_INT(s.counted_ms, 3000);
    cs__v1__inventory_level__init(&l);
    l.restock_quantity = 4; /* a restock adds to whatever the level is */
    CT_CHECK(ov8_apply_level(&s, &l));
    CT_EQ_INT(s.available, 5);
    l.restock_quantity = INT32_MAX;
    CT_CHECK(ov8_apply_level(&s, &l));
    CT_EQ_INT(s.available, INT32_MAX); /* capped, never wraps */
    ov_level out = {.available = 0, .restock_date_ms = 777, .known = true};
    cs__v1__inventory_level__init(&l);
    l.counted_ms = 10;
    CT_CHECK(!ov8_apply_level(&out, &l));
    CT_EQ_INT(out.restock_date_ms, 777); /* still out, no new date: the known one stays */
    l.restock_date_ms = 888;
    ov8_apply_level(&out, &l);
    CT_EQ_INT(out.restock_date_ms, 888);
    ov_level fresh = {0};
    cs__v1__inventory_level__init(&l);
    l.available = 3;
    l.counted_ms = 5;
    CT_CHECK(ov8_apply_level(&fresh, &l));
    CT_CHECK(fresh.known);
}

CT_MAIN(CT_CASE(test_ov8_needs_sums_lines_of_a_sku_without_overflow),
        CT_CASE(test_ov8_can_take_only_when_every_sku_fits), CT_CASE(test_ov8_short_skus_count_what_the_order_holds),
        CT_CASE(test_ov8_inventory_count_replaces_only_older_restock_adds))
