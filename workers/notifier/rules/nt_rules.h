/* nt_rules.h -- the notifier's rules (RULES.md section 5, NT-1..NT-5, and
 * the notifier's half of RV-5) as pure functions: (request, the number's
 * and the case's state read from the database, shop settings, now) ->
 * decisions. No I/O happens here; the worker (../notifier.c) loads the
 * state, calls these, talks to the provider and records what they decide.
 * Each rule lives in the file named after it (nt02_quiet_hours.c is NT-2,
 * ..., nt_followup_expiry.c is RV-5's expiry and cancelled cases);
 * nt_decide.c combines them.
 *
 * Ownership: nothing here allocates; decisions point to static strings or
 * into what they were given. */
#ifndef NT_RULES_H
#define NT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/shop.h"
#include "cs/v1/envelope.pb-c.h"

#define NT_SERVICE CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE
#define NT_FOLLOW_UP CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_FOLLOW_UP

/* ---- NT-1: idempotency ---------------------------------------------------- */

/* The key every provider call for this request carries: the request's own
 * idempotency_key, never one made here (a key made at send time would
 * differ between a crashed attempt and its retry, and the buyer would get
 * the message twice). Returns NULL, with the reason in why, when the
 * request has no usable key (empty, over 200 bytes, or with control
 * characters that cannot go in an HTTP header). */
const char *nt1_provider_key(const Cs__V1__NotificationRequest *req, char *why, size_t whylen);

/* What to do with a request whose key already has a message row. */
typedef enum nt1_replay {
    NT1_NEW = 0,   /* no row: decide and send */
    NT1_DONE = 1,  /* sent, held, suppressed or permanently failed: nothing more */
    NT1_RETRY = 2, /* failed after retries (dead-lettered): a replay tries again */
} nt1_replay;
/* status: the row's status ("sent", "held", ...) or NULL when there is no
 * row; permanent: the row's permanent flag. */
nt1_replay nt1_on_request(const char *status, bool permanent);

/* ---- NT-2: quiet hours ---------------------------------------------------- */

/* 0 when a message of class klass may go out at now_ms in the shop's zone;
 * else the instant the class's window next opens (the release time). The
 * service class is quiet 21:00-08:00, follow-ups 20:00-08:00 (shop
 * settings). Minute resolution: 20:59:59 is open, 21:00:00 is not. The
 * release is the local wall time of the window's opening, DST-correct
 * (cs_tz_instant). An unspecified class is treated as service. */
int64_t nt2_quiet_release_ms(const cs_shop *shop, Cs__V1__MessageClass klass, int64_t now_ms);
/* When the class's window opens on local date `day` (quiet end). */
int64_t nt2_window_open_ms(const cs_shop *shop, Cs__V1__MessageClass klass, cs_day day);

/* ---- NT-3: daily cap ------------------------------------------------------ */

/* How many of sent_ms[0..n) fall on now_ms's local date in zone tz. */
int nt3_sent_on_local_day(const cs_tz *tz, const int64_t *sent_ms, size_t n, int64_t now_ms);
/* 0 when one more message to this number is allowed today (fewer than the
 * shop's daily_message_cap sent on now's local date, both classes
 * together); else the release: the class's window opening on the next
 * local date. */
int64_t nt3_cap_release_ms(const cs_shop *shop, Cs__V1__MessageClass klass, const int64_t *sent_ms, size_t n,
                           int64_t now_ms);

/* ---- NT-4: opt-out -------------------------------------------------------- */

/* An inbound SMS reply that opts out: "T", "TD" or "退订", whatever the
 * case, width (full-width ＴＤ) or surrounding spaces and punctuation. */
bool nt4_is_opt_out(const char *sms_text);
/* Follow-ups to an opted-out number are suppressed; service messages go. */
bool nt4_suppressed(Cs__V1__MessageClass klass, bool opted_out);

/* ---- RF-8: an IM refused for good goes again by SMS ------------------------- */

/* The number to send the notice to by SMS, or NULL: only for a message sent
 * by IM that the provider refused for good (4xx), with a fallback number on
 * its request (NotificationRequest.fallback_sms_to). */
const char *nt_rf8_sms_fallback(bool sent_by_im, bool refused_for_good, const char *fallback_to);
/* The SMS's idempotency key, "<IM key>:sms"; -1 when it does not fit. */
int nt_rf8_fallback_key(const char *im_key, char *out, size_t outlen);

/* ---- NT-5: wording ---------------------------------------------------------- */

/* Checks one template's text against the handbook's wording: 您 never 你;
 * no 不 nor any word containing it; no bare 哦 or 恩 interjection; a
 * refusal starts with 非常抱歉. Returns 0, or -1 with the offending phrase
 * (e.g. "不好意思") in phrase and the rule it breaks in why. */
int nt5_check_wording(const char *text, bool refusal, char *phrase, size_t phraselen, char *why, size_t whylen);

/* ---- numbers ------------------------------------------------------------------ */

/* Canonical form of a recipient, so that counts (NT-3) and opt-outs
 * (NT-4) match however the number was written: a mainland mobile given as
 * "+86 138-0013-8000", "0086…" or with full-width digits becomes
 * "13800138000"; anything else (IM handles, landlines) is kept with
 * surrounding spaces trimmed. Returns 0, or -1 if it is empty or does not
 * fit. */
int nt_number_canon(const char *in, char *out, size_t outlen);

/* ---- the combined decision --------------------------------------------------- */

typedef enum nt_action {
    NT_SEND = 1,
    NT_HOLD = 2, /* until until_ms */
    NT_SUPPRESS = 3,
    NT_EXPIRE = 4, /* RV-5: a follow-up past its expiry, never sent */
    NT_CANCEL = 5, /* RV-5: a follow-up whose case is no longer open */
} nt_action;

typedef struct nt_decision {
    nt_action action;
    int64_t until_ms;   /* NT_HOLD: the release time */
    const char *rule;   /* "NT-2", "NT-3", "NT-4", "RV-5"; NULL for NT_SEND */
    const char *reason; /* "QUIET_HOURS", "DAILY_CAP", "OPTED_OUT", "EXPIRED",
                         * "CASE_CLOSED"; "" for NT_SEND */
    const char *detail; /* "" or more for the record: the case's stage
                         * (CASE_CLOSED), the hold that would outlive the
                         * follow-up (EXPIRED) */
} nt_decision;

/* ---- RV-5 in the notifier: follow-up expiry and ended cases ---------------- */

/* What the request says and what the worker read about the case it names.
 * All zero (or a NULL pointer where one is taken) = no expiry, no case. */
typedef struct nt_followup {
    int64_t expires_ms;     /* the request's expires_ms; 0 = never */
    bool case_ended;        /* its case is no longer open (nt_rv5_case_ended) */
    const char *case_stage; /* that case's stage ("revised", ...), or NULL */
    int64_t not_before_ms;  /* RV-4: held until this send time; 0 = now */
} nt_followup;

/* RV-5: a stored review case (cases.stage, cases.closed_ms IS NOT NULL)
 * that is no longer open: a stage other than "open", or closed. A NULL or
 * empty stage of an unclosed case says nothing: open. */
bool nt_rv5_case_ended(const char *stage, bool closed);
/* RV-5: true when a follow-up whose case ended must not go (cancelled).
 * Service messages are never cancelled by their case. */
bool nt_rv5_cancelled(Cs__V1__MessageClass klass, const nt_followup *fu);
/* RV-5: true when a follow-up may not be sent at at_ms: expires_ms > 0 and
 * at_ms >= expires_ms (half-open, as every window of RULES.md). Service
 * messages never expire (their expires_ms is ignored). */
bool nt_rv5_expired(Cs__V1__MessageClass klass, const nt_followup *fu, int64_t at_ms);

/* What the worker read about the recipient (one shop, one number). */
typedef struct nt_number_state {
    const int64_t *sent_ms; /* business times of messages sent to it by the
                              * shop, at least since the start of yesterday */
    size_t nsent;
    bool opted_out; /* NT-4 opt-out in force */
} nt_number_state;

/* RV-5 first (a follow-up whose case ended is cancelled, one past its
 * expiry expired), then NT-4 (a suppressed follow-up is never held), then
 * RV-4 (a follow-up before its send time, not_before_ms, is held until
 * then), then NT-2, then NT-3; a follow-up whose hold would release it at or after its
 * expiry is expired at once rather than held. fu may be NULL (no expiry,
 * no case). */
nt_decision nt_decide(Cs__V1__MessageClass klass, const nt_followup *fu, const nt_number_state *st, const cs_shop *shop,
                      int64_t now_ms);

#endif
