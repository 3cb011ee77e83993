/* rf03_postage.c -- RF-3: return postage. The buyer pays first;
 * freight-collect parcels are refused. When the return is our fault
 * (quality, wrong item, missing item) we reimburse at most 10 CNY out of
 * province, 8 CNY in province; otherwise the buyer bears both ways. The
 * case records whether the reimbursement is added to the refund or put in
 * the reshipped parcel as cash.
 *
 * Handbook: 000 §3 #2, #3 ("退回运费先由买家垫付, 不接受到付; 质量问题...省外最多
 * 补10元, 省内8元"); 003 退换货运费问题.
 *
 * Why it is built this way: money is integer fen: the reimbursement is
 * min(what the buyer paid, the cap), the cap being the shop's
 * postage_in_province_fen when the parcel comes from the shop's own
 * province (shop setting `province`) and postage_out_province_fen
 * otherwise, including when either province is unknown (the buyer is not
 * shortchanged by a missing field). Province names compare without their
 * administrative suffix, so "浙江", "浙江省" and "浙江 省" are one
 * province. What the buyer paid is on the case (0 = unknown: nothing is
 * reimbursed until it is known: "capped by what the buyer paid"). Where
 * it goes is the shop's setting postage_reimburse, but cash in a parcel
 * needs a parcel: a case where nothing is reshipped (a return and refund)
 * always gets it added to its refund. */
#include "rf_rules.h"

#include <string.h>

#define R(x) CS__V1__CASE_REASON__CASE_REASON_##x

/* The name without spaces and administrative suffix, into out. */
static void provinceKey(const char *in, char *out, size_t len) {
    static const char *const suffixes[] = {"特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区",
                                           "自治区",     "省",           "市",         NULL};
    size_t n = 0;
    for (const char *p = in; *p && n + 1 < len; p++)
        if (*p != ' ' && *p != '\t') out[n++] = *p;
    out[n] = '\0';
    for (int i = 0; suffixes[i]; i++) {
        size_t k = strlen(suffixes[i]);
        if (n > k && strcmp(out + n - k, suffixes[i]) == 0) {
            out[n - k] = '\0';
            return;
        }
    }
}

/* RF-3 */
bool rf3_same_province(const char *a, const char *b) {
    if (!a || !b || !a[0] || !b[0]) return false;
    char ka[128], kb[128];
    provinceKey(a, ka, sizeof ka);
    provinceKey(b, kb, sizeof kb);
    return ka[0] && strcmp(ka, kb) == 0;
}

static bool ourFault(const rf_case *c) {
    return c->reason == R(QUALITY) || c->reason == R(WRONG_ITEM) || c->reason == R(MISSING_ITEM);
}

/* RF-3 */
rf_postage_where rf3_where(const rf_case *c, const cs_shop *shop) {
    if (c->freight_collect || !rf_type_returns_goods(c->type) || !ourFault(c)) return RF_POSTAGE_NONE;
    return shop->postage_reimburse == CS_POSTAGE_IN_PARCEL && rf_type_reships(c->type) ? RF_POSTAGE_IN_PARCEL
                                                                                       : RF_POSTAGE_IN_REFUND;
}

/* RF-3 */
void rf3_postage(const rf_case *c, const cs_shop *shop, rf_postage *out) {
    memset(out, 0, sizeof *out);
    if (c->freight_collect) {
        out->refused = true;
        return;
    }
    if (!rf_type_returns_goods(c->type)) return; /* no return parcel */
    out->our_fault = ourFault(c);
    if (!out->our_fault) return;
    out->in_province = rf3_same_province(c->origin_province, shop->province);
    out->cap_fen = out->in_province ? shop->th.postage_in_province_fen : shop->th.postage_out_province_fen;
    int64_t paid = c->postage_paid_fen > 0 ? c->postage_paid_fen : 0;
    out->fen = paid < out->cap_fen ? paid : out->cap_fen;
    if (out->fen <= 0) {
        out->fen = 0;
        return;
    }
    out->where = rf3_where(c, shop);
}
