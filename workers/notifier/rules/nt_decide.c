/* nt_decide.c -- the notifier's decision for one message: send now, hold
 * until a time, suppress, or for a follow-up, cancel or expire (RV-5,
 * NT-2, NT-3, NT-4 together).
 *
 * Order: a follow-up whose case ended is cancelled and one past its expiry
 * expired (RV-5): nothing later can make either sendable again. Then an
 * opted-out follow-up is suppressed outright (NT-4) -- holding it would
 * only delay the same answer. Then a follow-up asked for ahead of its send
 * time (RV-4's not_before_ms) is held until then, and decided from
 * scratch when released. Then quiet hours (NT-2): a message asked for
 * at 22:00 waits for 08:00 whatever the count. Then the daily cap (NT-3),
 * counted on now's local date. A hold that would release a follow-up at or
 * after its expiry expires it now (RV-5): it could never be sent. A held
 * message is decided again when it is released, with the state of that
 * moment -- the case may have ended, or the release come late. */
#include "nt_rules.h"

static nt_decision holdOrExpire(Cs__V1__MessageClass klass, const nt_followup *fu, int64_t until, const char *rule,
                                const char *reason, const char *outlived) {
    nt_decision d = {.action = NT_HOLD, .until_ms = until, .rule = rule, .reason = reason, .detail = ""};
    if (nt_rv5_expired(klass, fu, until)) { /* RV-5: released too late to go */
        d.action = NT_EXPIRE;
        d.until_ms = 0;
        d.rule = "RV-5";
        d.reason = "EXPIRED";
        d.detail = outlived;
    }
    return d;
}

nt_decision nt_decide(Cs__V1__MessageClass klass, const nt_followup *fu, const nt_number_state *st, const cs_shop *shop,
                      int64_t now_ms) {
    nt_decision d = {.action = NT_SEND, .until_ms = 0, .rule = NULL, .reason = "", .detail = ""};
    if (nt_rv5_cancelled(klass, fu)) {
        d.action = NT_CANCEL;
        d.rule = "RV-5";
        d.reason = "CASE_CLOSED";
        d.detail = fu->case_stage ? fu->case_stage : "";
        return d;
    }
    if (nt_rv5_expired(klass, fu, now_ms)) {
        d.action = NT_EXPIRE;
        d.rule = "RV-5";
        d.reason = "EXPIRED";
        return d;
    }
    if (nt4_suppressed(klass, st->opted_out)) {
        d.action = NT_SUPPRESS;
        d.rule = "NT-4";
        d.reason = "OPTED_OUT";
        return d;
    }
    if (klass == NT_FOLLOW_UP && fu && fu->not_before_ms > now_ms)
        return holdOrExpire(klass, fu, fu->not_before_ms, "RV-4", "SEND_TIME", "held past it by RV-4 SEND_TIME");
    int64_t until = nt2_quiet_release_ms(shop, klass, now_ms);
    if (until) return holdOrExpire(klass, fu, until, "NT-2", "QUIET_HOURS", "held past it by NT-2 QUIET_HOURS");
    until = nt3_cap_release_ms(shop, klass, st->sent_ms, st->nsent, now_ms);
    if (until) return holdOrExpire(klass, fu, until, "NT-3", "DAILY_CAP", "held past it by NT-3 DAILY_CAP");
    return d;
}
