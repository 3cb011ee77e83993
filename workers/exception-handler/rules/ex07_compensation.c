/* ex07_compensation.c -- EX-7: a Tmall order refunded because we are out
 * of stock: the buyer is compensated 5 % of the refunded amount, capped at
 * 30 CNY; an exchange is offered first.
 *
 * Handbook: 000 §2 #8 ("商城的订单,如因缺货或没货需通知客户退款时...尽可能引导客服
 * 更换款式,尽可能不要退款,退款也会扣除退款金额的5%,最多不超过30元)作为补偿,赔付
 * 给买家").
 *
 * Why it is built this way: money is integer fen and the percentage is
 * basis points (compensation_bp, 500), rounded half up to the fen as the
 * RULES.md preamble says: fen = (refunded * bp + 5000) / 10000, computed in
 * 128 bits so no refund can overflow, then capped (compensation_cap_fen,
 * 3000). So 59 989 fen refunded gives 2 999.45 -> 2 999 fen, 59 990 gives
 * 2 999.50 -> 3 000, and anything above is capped at 3 000. The exchange
 * offer is a call task when the buyer asks for the refund (stage
 * REQUESTED); the compensation is a finance request once the refund is
 * done (stage REFUNDED, for the amount actually refunded), one per case:
 * the worker keeps a record of compensated cases. Only Tmall orders: the
 * platform's rule (the shop pays the buyer, and a complaint can close the
 * store), not Taobao's or the own site's. */
#include "ex_rules.h"

/* EX-7 */
int64_t ex7_compensation_fen(int64_t refunded_fen, const cs_shop *shop) {
    if (refunded_fen <= 0 || shop->th.compensation_bp <= 0) return 0;
    __int128 v = ((__int128)refunded_fen * shop->th.compensation_bp + 5000) / 10000;
    int64_t cap = shop->th.compensation_cap_fen;
    return v > cap ? cap : (int64_t)v;
}

/* EX-7 */
bool ex7_stockout_case(const Cs__V1__AfterSalesCase *c, const ex_order *o, const cs_shop *shop,
                       bool already_compensated, ex_decision *d) {
    if (c->reason != CS__V1__CASE_REASON__CASE_REASON_OUT_OF_STOCK) return false;
    if (cs_order_channel(o, shop) != CS__V1__CHANNEL__CHANNEL_TMALL) return false;
    const char *order_id = c->order_id && c->order_id[0] ? c->order_id : ex_str(o->order_id);
    if (c->stage == CS__V1__CASE_STAGE__CASE_STAGE_REQUESTED) {
        cs_task *t = cs_fx_task(&d->fx, CS__V1__TASK_KIND__TASK_KIND_CALL, "EX-7", false,
                                "Tmall order %s: refund asked for an out-of-stock item (case %s): "
                                "offer another style or colour before refunding",
                                order_id, ex_str(c->case_id));
        (void)t;
        return true;
    }
    if (c->stage == CS__V1__CASE_STAGE__CASE_STAGE_REFUNDED) {
        if (already_compensated) return false;
        int64_t fen = ex7_compensation_fen(c->amount_fen, shop);
        if (fen <= 0) return false;
        cs_fx_finance(&d->fx, "compensation", "EX-7", fen,
                      "Tmall out-of-stock refund of %lld fen (case %s): compensation %d bp, cap %lld fen",
                      (long long)c->amount_fen, ex_str(c->case_id), shop->th.compensation_bp,
                      (long long)shop->th.compensation_cap_fen);
        return true;
    }
    return false;
}
