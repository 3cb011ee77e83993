/* ov01_lines.c -- OV-1: every order line is complete, and the item total.
 *
 * Handbook: 000 §2 "F2转F3" ("一定要...仔细核对好产品,数量.价格和邮费")
 * and 001 §03 订单信息核对 (商品名称、规格、数量...是否与客户需求一致).
 *
 * Why it is built this way: a line with no SKU or title cannot be picked,
 * a quantity below 1 cannot be shipped and a negative price is no price;
 * all are one reason LINE_INVALID listing every bad line, so the agent
 * fixes the order in one go. An order without lines is invalid too: there
 * is nothing to verify or ship. The total is summed in int64 fen with
 * overflow checks; a total that cannot be represented is an impossible
 * order (LINE_INVALID), never undefined behaviour. Blank means empty after
 * trimming ASCII and ideographic spaces, since buyers' input methods type
 * both. */
#include "ov_rules.h"

#include <inttypes.h>
#include <string.h>

/* OV-1 */
bool ov1_check_lines(const Cs__V1__Order *o, ov_decision *d) {
    char detail[OV_DETAIL_LEN] = "";
    bool ok = true;
    int64_t total = 0;

    d->item_total_fen = 0;
    if (o->n_lines == 0) {
        ov_add_reason(d, "OV-1", OV_LINE_INVALID, "order has no lines");
        return false;
    }
    for (size_t i = 0; i < o->n_lines; i++) {
        const Cs__V1__OrderLine *l = o->lines[i];
        const char *id = l && !ov_blank(l->line_id) ? l->line_id : "?";
        char why[OV_DETAIL_LEN] = "";
        if (!l) {
            ov_appendf(detail, sizeof detail, "%sline %zu missing", ok ? "" : "; ", i + 1);
            ok = false;
            continue;
        }
        if (ov_blank(l->sku)) ov_appendf(why, sizeof why, " no SKU,");
        if (ov_blank(l->title)) ov_appendf(why, sizeof why, " no title,");
        if (l->quantity < 1) ov_appendf(why, sizeof why, " quantity %" PRId32 ",", l->quantity);
        if (l->unit_price_fen < 0) ov_appendf(why, sizeof why, " unit price %" PRId64 " fen,", l->unit_price_fen);
        if (why[0]) {
            why[strlen(why) - 1] = '\0'; /* drop the trailing comma */
            ov_appendf(detail, sizeof detail, "%s%s:%s", ok ? "" : "; ", id, why);
            ok = false;
            continue;
        }
        int64_t sub;
        if (__builtin_mul_overflow((int64_t)l->quantity, l->unit_price_fen, &sub) ||
            __builtin_add_overflow(total, sub, &total)) {
            ov_appendf(detail, sizeof detail, "%s%s: amount overflows", ok ? "" : "; ", id);
            ok = false;
        }
    }
    if (!ok) {
        ov_add_reason(d, "OV-1", OV_LINE_INVALID, "%s", detail);
        return false;
    }
    d->item_total_fen = total;
    return true;
}
