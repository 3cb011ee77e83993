/* nt_rf8_im_fallback.c -- RF-8 in the notifier: a buyer notice goes by IM,
 * SMS as fallback. The refund-notifier chooses the channel (IM when the
 * buyer has a platform handle) and puts the receiver's phone on the request
 * as its fallback; this is what the notifier does with it.
 *
 * Why it is built this way: a 4xx from the IM provider (no such handle,
 * the buyer blocked the shop) is final for that message (CONTRACTS.md:
 * recorded, never retried), but the buyer still has to be told. The SMS
 * is a message of its own, with a key derived from the IM's (NT-1: fixed
 * when it is requested, so a replay asks for the same one), and it passes
 * quiet hours, the daily cap and opt-outs like any request. A 5xx or a
 * timeout that outlasts the retries is not a refusal: that request is
 * dead-lettered for an operator, who may replay it, and no SMS goes
 * behind its back. */
#include "nt_rules.h"

#include <stdio.h>
#include <string.h>

/* RF-8 */
const char *nt_rf8_sms_fallback(bool sent_by_im, bool refused_for_good, const char *fallback_to) {
    if (!sent_by_im || !refused_for_good || !fallback_to || !fallback_to[0]) return NULL;
    return fallback_to;
}

/* RF-8 */
int nt_rf8_fallback_key(const char *im_key, char *out, size_t outlen) {
    int n = snprintf(out, outlen, "%s:sms", im_key ? im_key : "");
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
