/* ov11_quality.c -- OV-11: a SKU with 2 or more quality after-sales cases
 * in 30 days gets "test before shipping" on every new order line of it; 3
 * or more also lists it for delisting in the daily report.
 *
 * Handbook: 000 管理 #8 ("总结销售过程中,客户的反馈信息...哪些产品售后问题多,
 * 有售后2-3次后,应先测试发货,测试产品的功能或建议该产品是否需要下架").
 *
 * Why it is built this way: the worker counts the cases (it learns them
 * from shop.aftersales.v1 and keeps them in the database) over the window
 * that ov11_window_start_ms() gives and passes the counts in; this rule
 * only compares them with the shop's thresholds, so the thresholds and the
 * window stay shop settings. Neither annotation stops the order: testing
 * is a step for the warehouse (TEST_BEFORE_SHIPPING on each line of the
 * SKU, with its line id) and delisting is a report item (DELIST_CANDIDATE,
 * once per SKU, not per line). */
#include "ov_rules.h"

#include <string.h>

static int quality_cases(const ov_state *st, const char *sku) {
    for (size_t i = 0; st && i < st->nquality; i++)
        if (st->quality[i].sku && strcmp(st->quality[i].sku, sku) == 0) return st->quality[i].cases;
    return 0;
}

/* OV-11 */
int64_t ov11_window_start_ms(const cs_shop *shop, int64_t now_ms) {
    return now_ms - (int64_t)shop->th.quality_window_days * 86400 * 1000;
}

/* OV-11 */
void ov11_quality_watch(const Cs__V1__Order *o, const ov_state *st, const cs_shop *shop, ov_decision *d) {
    for (size_t i = 0; i < o->n_lines; i++) {
        const Cs__V1__OrderLine *l = o->lines[i];
        if (!l || ov_blank(l->sku)) continue;
        int n = quality_cases(st, l->sku);
        if (n <= 0 || n < shop->th.quality_test_cases) continue;
        ov_add_annotation(d, "OV-11", OV_TEST_BEFORE_SHIPPING, l->line_id,
                          "%s: %d quality cases in %d days, test before shipping", l->sku, n,
                          shop->th.quality_window_days);
        bool first = true; /* delisting is per SKU: only at its first line */
        for (size_t j = 0; j < i && first; j++) first = !(o->lines[j] && strcmp(ov_str(o->lines[j]->sku), l->sku) == 0);
        if (first && n >= shop->th.quality_delist_cases)
            ov_add_annotation(d, "OV-11", OV_DELIST_CANDIDATE, NULL,
                              "%s: %d quality cases in %d days, consider delisting", l->sku, n,
                              shop->th.quality_window_days);
    }
}
