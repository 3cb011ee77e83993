/* nt04_opt_out.c -- NT-4: an inbound reply of T, TD or 退订 suppresses
 * follow-ups from that shop to that number until an operator lifts it;
 * service messages still go.
 *
 * Why it is built this way: buyers type the reply on a phone keyboard, so
 * "td", " TD ", "ＴＤ" (full width) and "退订。" all mean the same; the text
 * is NFKC-normalised, stripped of spaces and punctuation and case-folded
 * (the OV-9 normalisation) before the comparison. Anything longer ("TD
 * please call me") is a message for an agent, not an opt-out: the
 * providers' own rule is the bare keyword. A buyer who opts out still
 * needs to hear about the order he paid for (shipping, refunds): that is
 * why only the follow-up class is suppressed. */
#include "nt_rules.h"

#include <string.h>

#include "cs/text.h"

/* NT-4 */
bool nt4_is_opt_out(const char *sms_text) {
    char norm[64];
    if (!sms_text || cs_text_normalize(sms_text, norm, sizeof norm) < 0) return false;
    return strcmp(norm, "t") == 0 || strcmp(norm, "td") == 0 || strcmp(norm, "退订") == 0;
}

/* NT-4 */
bool nt4_suppressed(Cs__V1__MessageClass klass, bool opted_out) { return opted_out && klass == NT_FOLLOW_UP; }
