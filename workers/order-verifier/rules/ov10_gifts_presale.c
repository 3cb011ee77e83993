/* ov10_gifts_presale.c -- OV-10: gift lines are annotated on the order; a
 * presale line must carry its promised ship date, else
 * PRESALE_DATE_MISSING.
 *
 * Handbook: 000 录单,发货注意 #1 ("客户拍下赠送的产品...也要备注好,以方便其它
 * 客服转单时容易看懂") and 004 活动问题 1 ("预售交付时间标注不规范导致损失赔偿。
 * 解决方法:明确预售产品的发货时间,标注预售字样").
 *
 * Why it is built this way: a gift is a line with price 0 or the gift
 * flag; it changes nothing about the order, so it is an annotation per
 * line (GIFT_LINE, carrying the line id) for whoever packs the order. A
 * presale line without a date is an exception because shipping it late is
 * what cost the shop compensation in the handbook; one reason lists every
 * such line. */
#include "ov_rules.h"

/* OV-10 */
void ov10_check_gifts_presale(const Cs__V1__Order *o, ov_decision *d) {
    char missing[OV_DETAIL_LEN] = "";
    for (size_t i = 0; i < o->n_lines; i++) {
        const Cs__V1__OrderLine *l = o->lines[i];
        if (!l) continue;
        if (l->gift || l->unit_price_fen == 0)
            ov_add_annotation(d, "OV-10", OV_GIFT_LINE, l->line_id, "gift: %s x%d (%s)", ov_str(l->title),
                              (int)l->quantity, ov_str(l->sku));
        if (l->presale && l->presale_ship_date_ms <= 0)
            ov_appendf(missing, sizeof missing, "%s%s (%s)", missing[0] ? ", " : "", ov_str(l->line_id),
                       ov_str(l->sku));
    }
    if (missing[0]) ov_add_reason(d, "OV-10", OV_PRESALE_DATE_MISSING, "presale line without ship date: %s", missing);
}
