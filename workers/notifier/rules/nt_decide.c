/* nt_decide.c -- the notifier's decision for one message: send now, hold
 * until a time, or suppress (NT-2, NT-3, NT-4 together).
 *
 * Order: an opted-out follow-up is suppressed outright (NT-4) -- holding it
 * would only delay the same answer. Then quiet hours (NT-2): a message
 * asked for at 22:00 waits for 08:00 whatever the count. Then the daily cap
 * (NT-3), counted on now's local date. A held message is decided again
 * when it is released, with the state of that moment. */
#include "nt_rules.h"

nt_decision nt_decide(Cs__V1__MessageClass klass, const nt_number_state *st, const cs_shop *shop, int64_t now_ms) {
    nt_decision d = {.action = NT_SEND, .until_ms = 0, .rule = NULL, .reason = ""};
    if (nt4_suppressed(klass, st->opted_out)) {
        d.action = NT_SUPPRESS;
        d.rule = "NT-4";
        d.reason = "OPTED_OUT";
        return d;
    }
    int64_t until = nt2_quiet_release_ms(shop, klass, now_ms);
    if (until) {
        d.action = NT_HOLD;
        d.until_ms = until;
        d.rule = "NT-2";
        d.reason = "QUIET_HOURS";
        return d;
    }
    until = nt3_cap_release_ms(shop, klass, st->sent_ms, st->nsent, now_ms);
    if (until) {
        d.action = NT_HOLD;
        d.until_ms = until;
        d.rule = "NT-3";
        d.reason = "DAILY_CAP";
    }
    return d;
}
