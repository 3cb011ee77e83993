/* rf07_finance.c -- RF-7: every refund produces a finance request: agent,
 * shop, buyer nick, order, amount, refund account, reason.
 *
 * Handbook: 000 末 #2 ("每笔退款都要交财务: 客服、店铺、买家旺旺、订单号、金额、
 * 退款账户、原因").
 *
 * Why it is built this way: exactly one request per refund: it is decided
 * only where the case's history gains its REFUNDED stage (rf_case.c: the
 * move into REFUNDED, or a late REFUNDED event filling in a stage the case
 * skipped) and only while the stored case has no refunded_ms, which the
 * worker sets in the same transaction. Duplicates and replays therefore
 * make none, and a cancelled order's refund stays EX-8's (the
 * exception-handler's): a REFUNDED case on an order the verifier knows as
 * cancelled is recorded without a request (rf_case.c, onRefunded). Shop, buyer
 * and order come from the applier's target (the order key and its facts);
 * the rule fills the amount (RF-3's postage added when the shop puts it
 * in the refund), the owning agent, the account and the reason. */
#include "rf_rules.h"

#include "cs/text.h"
#include "cs/util.h"

/* RF-7 */
void rf7_refund_request(const rf_case *c, int64_t refund_fen, const rf_postage *postage, rf_decision *d) {
    int64_t postage_fen = postage && postage->where == RF_POSTAGE_IN_REFUND ? postage->fen : 0;
    int64_t total = refund_fen + postage_fen;
    char pbuf[24] = "0.00";
    cs_fen_format(postage_fen, pbuf, sizeof pbuf);
    cs_finance *f =
        cs_fx_finance(&d->fx, "refund", "RF-7", total, "after-sales case %s (%s, %s), order %s: refund %lld fen%s%s%s",
                      cs_str(c->case_id), rf_type_name(c->type), rf_reason_name(c->reason), cs_str(c->order_id),
                      (long long)refund_fen, postage_fen ? " + return postage " : "", postage_fen ? pbuf : "",
                      postage_fen ? " CNY (RF-3)" : "");
    if (f) {
        cs_strlcpy(f->agent, cs_str(c->agent), sizeof f->agent);
        cs_strlcpy(f->account, cs_str(c->refund_account), sizeof f->account);
    }
    d->refund_recorded = true;
    d->refund_fen = refund_fen;
}
