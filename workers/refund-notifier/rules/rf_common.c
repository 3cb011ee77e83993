/* rf_common.c -- helpers the refund-notifier's rule files share: the
 * decision's reset, N-day durations, which case types move goods, and
 * names for task summaries.
 *
 * Handbook: none of its own; it serves RF-1..RF-13.
 *
 * Why it is built this way: a decision is a plain struct (effects in
 * fixed arrays), so a test reads it directly; the names are static
 * strings, so a summary never points into the event. */
#include "rf_rules.h"

#include <string.h>

#include "cs/util.h"

void rf_decision_init(rf_decision *d) {
    memset(d, 0, sizeof *d);
    cs_fx_init(&d->fx);
}

const char *rf_agent_name(const rf_case *c) { return c->agent && c->agent[0] ? c->agent : RF_NO_AGENT; }

int64_t rf_days_ms(int days) { return (int64_t)days * 24 * 3600 * 1000; }

bool rf_type_returns_goods(Cs__V1__CaseType type) {
    return type == CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND || type == CS__V1__CASE_TYPE__CASE_TYPE_EXCHANGE ||
           type == CS__V1__CASE_TYPE__CASE_TYPE_REPAIR;
}

bool rf_type_reships(Cs__V1__CaseType type) {
    return type == CS__V1__CASE_TYPE__CASE_TYPE_EXCHANGE || type == CS__V1__CASE_TYPE__CASE_TYPE_REPAIR ||
           type == CS__V1__CASE_TYPE__CASE_TYPE_RESHIP;
}

const char *rf_type_name(Cs__V1__CaseType type) {
    static const char *const n[] = {"unspecified", "refund_only", "return_refund",     "exchange",
                                    "repair",      "reship",      "postage_difference"};
    return (int)type >= 0 && (int)type < (int)(sizeof n / sizeof n[0]) ? n[type] : "unknown";
}

const char *rf_reason_name(Cs__V1__CaseReason reason) {
    static const char *const n[] = {"unspecified",  "quality",      "wrong_item",   "missing_item", "no_reason_7d",
                                    "not_received", "out_of_stock", "changed_mind", "other"};
    return (int)reason >= 0 && (int)reason < (int)(sizeof n / sizeof n[0]) ? n[reason] : "unknown";
}

const char *rf_stage_name(Cs__V1__CaseStage stage) {
    static const char *const n[] = {"unspecified",     "requested", "agreed",    "refused", "buyer_shipped",
                                    "return_received", "refunded",  "reshipped", "closed",  "platform_intervened"};
    return (int)stage >= 0 && (int)stage < (int)(sizeof n / sizeof n[0]) ? n[stage] : "unknown";
}

void rf_task_to_owner(cs_task *t, const rf_case *c) {
    if (t && c->agent) cs_strlcpy(t->owner, c->agent, sizeof t->owner);
}
