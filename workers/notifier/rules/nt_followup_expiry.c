/* nt_followup_expiry.c -- RV-5 in the notifier: a revision, an opt-out or
 * the case being closed cancels every pending follow-up at once; never more
 * than one follow-up SMS per case per day.
 *
 * Why it is built this way: the review-scheduler cancels its own timers
 * when a case ends (rv05_cancel.c), but a follow-up it already asked for
 * is out of its hands: the notifier may be holding it under quiet hours
 * (NT-2) or the daily cap (NT-3). So the request carries what the notifier
 * needs to drop it on its own: the case it is about (case_id) and its
 * expiry (expires_ms, the end of the local day it belongs to). The worker
 * reads the case's stored state each time it decides (at request time and
 * again when a held message is released), and these functions say:
 *  - cancelled: the case is no longer open (revised, refused, no answer or
 *    closed). An opt-out stays NT-4's (nt04_opt_out.c, status suppressed):
 *    the notifier records opt-outs by number itself and needs no case for
 *    it;
 *  - expired: now is at or after expires_ms. Day N's SMS held past midnight
 *    would be a second SMS on day N+1 next to that day's own, which is what
 *    "one a day" forbids, and a nudge sent a day late is no longer the one
 *    the case asked for. nt_decide expires a follow-up at once when the hold
 *    it would get releases it at or after its expiry: holding it would
 *    only delay the same answer and leave a timer to fire for nothing.
 * Service messages are never expired nor cancelled here: they are what the
 * buyer is owed about his order (RULES.md section 5, why NT-4 lets them
 * through), late is better than never, and the proto gives expires_ms and
 * case_id their meaning for follow-ups only. A follow-up naming a case the
 * store has no row of is not cancelled: the case store is the
 * review-scheduler's, and a missing row is not a closure. */
#include "nt_rules.h"

#include <string.h>

/* RV-5 */
bool nt_rv5_case_ended(const char *stage, bool closed) {
    if (closed) return true;
    return stage && stage[0] && strcmp(stage, "open") != 0;
}

/* RV-5 */
bool nt_rv5_cancelled(Cs__V1__MessageClass klass, const nt_followup *fu) {
    return klass == NT_FOLLOW_UP && fu && fu->case_ended;
}

/* RV-5 */
bool nt_rv5_expired(Cs__V1__MessageClass klass, const nt_followup *fu, int64_t at_ms) {
    return klass == NT_FOLLOW_UP && fu && fu->expires_ms > 0 && at_ms >= fu->expires_ms;
}
