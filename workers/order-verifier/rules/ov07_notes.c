/* ov07_notes.c -- OV-7: a paid order with a buyer message or a remark is
 * reviewed by an agent before it may ship; special requests are flagged
 * for the warehouse.
 *
 * Handbook: 002 日常工作流程 2 ("后台交易状态为'买家已付款'应检查买家是否有
 * 留言或备注,如果有用户的留言信息按照用户的要求录入系统") and 001 §03
 * 特殊需求备注标注 (礼品包装 / 配送时间段 / 上门安装 "同步至仓库部门").
 *
 * Why it is built this way: the review is a reason (BUYER_MESSAGE_REVIEW,
 * ON_HOLD by OV-12) plus a REVIEW task, because the order must not ship
 * until someone has read the message. Only committed orders (paid, or cash
 * on delivery, which ships without payment) are reviewed: an unpaid order
 * is re-verified when the payment arrives, and reviewing it earlier would
 * make an agent read messages of orders that may never be paid. Special
 * requests do not stop the order; they are annotations (WAREHOUSE_FLAG)
 * whatever the payment state, one per request, so the packing list shows
 * each. Whitespace-only text counts as no text. */
#include "ov_rules.h"

/* OV-7 */
void ov7_check_notes(const Cs__V1__Order *o, ov_decision *d) {
    bool message = !ov_blank(o->buyer_message), memo = !ov_blank(o->seller_memo);

    if (ov_order_committed(o) && (message || memo)) {
        ov_add_reason(d, "OV-7", OV_BUYER_MESSAGE_REVIEW, "%s%s%s%s%s", message ? "buyer message: " : "",
                      message ? o->buyer_message : "", message && memo ? " | " : "", memo ? "remark: " : "",
                      memo ? o->seller_memo : "");
        ov_add_task(d, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "OV-7", false,
                    "order %s: read the buyer's %s before shipping", ov_str(o->order_id),
                    message && memo ? "message and remark"
                    : message       ? "message"
                                    : "remark");
    }
    if (o->gift_wrap) ov_add_annotation(d, "OV-7", OV_WAREHOUSE_FLAG, NULL, "gift wrap");
    if (!ov_blank(o->delivery_window))
        ov_add_annotation(d, "OV-7", OV_WAREHOUSE_FLAG, NULL, "delivery window: %s", o->delivery_window);
    if (o->installation) ov_add_annotation(d, "OV-7", OV_WAREHOUSE_FLAG, NULL, "installation");
}
