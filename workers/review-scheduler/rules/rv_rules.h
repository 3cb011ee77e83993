/* rv_rules.h -- the review-scheduler's rules (RULES.md section 4, RV-1 to
 * RV-6) as pure functions: (decoded event, the follow-up case, shop
 * settings, now) -> decisions. No I/O happens here; the worker (next to
 * this folder, once it exists) loads the case, calls these and stores,
 * emits and schedules what they decide. Each rule lives in the file named
 * after it (rv01_open_case.c for RV-1, rv04_followup_sms.c for RV-4, ...);
 * rv_plan.c combines them for a review event.
 *
 * A decision is a plain struct: its effects (cs/effects.h) in fixed
 * arrays plus the case's state changes, so rules never allocate and a test
 * reads it directly. Text in a decision is copied into its own buffers or
 * points at static strings; nothing points into the event.
 *
 * Time: "day N" is a local calendar date in the shop's zone, day 1 being
 * the local date the review was POSTED (Review.posted_ms), whatever the
 * hour and whenever the event is processed: a review posted at 23:59 is
 * on day 1 until local midnight. Send times and day ends are local wall
 * times (cs_tz_instant), so across a daylight-saving change two send
 * times are 23 or 25 hours apart.
 *
 * Follow-ups and timers: every follow-up SMS of a case is requested when
 * the case opens, held by the notifier until its day's send time (RV-4);
 * the case's one timer (id "<kind>@<shop>:<case>", effects.h; the subject
 * is the case, which the wiring gives cs_fx_apply) is RV-6's no-answer
 * timer at the end of the last follow-up day. RV-5's "cancel every
 * pending follow-up at once" is two effects: cs_fx_cancel(fx, NULL, NULL)
 * (every pending timer of the case) and cs_fx_cancel_follow_ups() (every
 * follow-up the notifier still holds for it). */
#ifndef RV_RULES_H
#define RV_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/effects.h"
#include "cs/shop.h"
#include "cs/tz.h"
#include "cs/v1/contact.pb-c.h"
#include "cs/v1/outbound.pb-c.h"
#include "cs/v1/review.pb-c.h"

/* Timer kinds. */
#define RV_TIMER_NO_ANSWER "rv6.no_answer" /* RV-6: the end of the last follow-up day */
/* RV-4: day N's SMS timers of the version that kept the follow-ups as this
 * worker's timers; still routed, so that cases opened before the upgrade
 * get their SMS (rv4_on_legacy_timer). No longer armed. */
#define RV_TIMER_LEGACY_SMS_DAY2 "rv4.sms.d2"
#define RV_TIMER_LEGACY_SMS_DAY3 "rv4.sms.d3"

/* Notification template of the follow-up SMS (notifier templates/zh-CN.json;
 * params order_id). */
#define RV_TPL_FOLLOW_UP "review_follow_up"

/* RV-4: the last local day with a follow-up SMS, by rating (the first is
 * day 2). Fixed by the handbook (000 6月第一周 #5, #6); candidates for shop
 * settings. */
#define RV4_FIRST_SMS_DAY 2
#define RV4_NEGATIVE_LAST_SMS_DAY 3
#define RV4_NEUTRAL_LAST_SMS_DAY 2

/* ---- the follow-up case ------------------------------------------------- */

/* Where a case stands. Everything but RV_OPEN is an outcome (RV-6) and
 * final, except that a revision arriving after "refused" or "no answer"
 * still records the case as revised: that is what the buyer did. */
typedef enum rv_state {
    RV_STATE_NONE = 0,      /* in a decision: unchanged */
    RV_STATE_OPEN = 1,      /* follow-ups running */
    RV_STATE_REVISED = 2,   /* RV-6: the buyer revised the review */
    RV_STATE_REFUSED = 3,   /* RV-6: the buyer refused (on a call, or an agent's outcome) */
    RV_STATE_NO_ANSWER = 4, /* RV-6: the follow-ups ran out without an answer */
    RV_STATE_CLOSED = 5,    /* closed by an agent for another reason */
} rv_state;
#define RV_NSTATES 6

/* A contact of RV-2. */
typedef enum rv_contact {
    RV_CONTACT_CALL = 1, /* a phone-call task */
    RV_CONTACT_IM = 2,   /* an IM (旺旺) contact task: the buyer is online */
} rv_contact;

/* RV-3's remedy. */
typedef enum rv_remedy {
    RV_REMEDY_NONE = 0,
    RV_REMEDY_PARTIAL_REFUND_OR_GIFT = 1, /* item under cheap_item_fen */
    RV_REMEDY_RETURN_OR_EXCHANGE = 2,     /* cheap_item_fen and up, or a difficult buyer */
} rv_remedy;

/* One follow-up case (one per neutral or negative review) as the worker
 * stores it. Strings are the caller's (the stored row or the review
 * event) and must outlive the call. */
typedef struct rv_case {
    bool exists;           /* a case exists for the review */
    const char *review_id; /* the case's id */
    const char *order_id;
    const char *buyer_id;    /* IM handle */
    const char *buyer_phone; /* SMS recipient; opt-outs match it (NT-4) */
    const char *sku;
    Cs__V1__ReviewRating rating; /* NEUTRAL or NEGATIVE */
    Cs__V1__DislikeKind dislike; /* RV-1: what the buyer disliked (product, service) */
    int64_t posted_ms;           /* the review's posting: its local date is day 1 */
    cs_day day1;                 /* that local date (rv_case_from_review) */
    int64_t item_price_fen;      /* RV-3 */
    bool difficult;              /* RV-3: an agent marked the buyer difficult */
    int calls;                   /* RV-2: call tasks made so far */
    int ims;                     /* RV-2: IM contact tasks made so far */
    int last_contact_day;        /* RV-2: day number N of the last contact (0 = none) */
    uint32_t sms_days;           /* RV-4/RV-5: bit N-1 set = a follow-up SMS requested on day N */
    rv_state state;              /* RV_STATE_OPEN while following up */
    bool opted_out;              /* RV-5: the buyer's number opted out (NT-4) */
    int64_t closed_ms;           /* when the outcome was recorded (0 = open) */
} rv_case;

/* ---- what the rules decide ---------------------------------------------- */

typedef struct rv_decision {
    /* tasks (RV-2 contacts), follow-up notification requests (RV-4),
     * the no-answer timer (RV-6) and the cancel-all (RV-5): applied by
     * cs_fx_apply() with the case id as the subject */
    cs_effects fx;
    const char *rule; /* the rule that decided ("RV-4"), static */
    /* state changes, for the worker to store with the case */
    bool open;       /* RV-1: store a new case (rv_case_from_review) */
    int add_calls;   /* RV-2: call tasks made now */
    int add_ims;     /* RV-2: IM tasks made now */
    int contact_day; /* RV-2: day N of the contact made now (0 = none) */
    uint32_t sms_days; /* RV-4: bit N-1 set = day N's SMS requested now */
    rv_state state;  /* RV-5/RV-6: the new state (RV_STATE_NONE = unchanged) */
    bool opted_out;  /* RV-5: record the opt-out */
    bool difficult;  /* RV-3: record the buyer as difficult */
    Cs__V1__DislikeKind dislike; /* RV-1: what the buyer disliked, recorded now (0 = unchanged) */
} rv_decision;

/* ---- helpers (rv_common.c) ------------------------------------------------ */

void rv_decision_init(rv_decision *d);
/* The case a review opens (not yet stored): state open, nothing sent.
 * Strings point into r. day1 = the local date of posted_ms (of now_ms
 * when the review carries no posting time). */
void rv_case_from_review(const Cs__V1__Review *r, const cs_shop *shop, int64_t now_ms, rv_case *c);
/* The case with the decision's state changes applied, as the worker
 * stores it (now_ms: when an outcome is recorded). For tests and the
 * store alike; a new case (d->open) must already be in c. */
void rv_case_apply(rv_case *c, const rv_decision *d, int64_t now_ms);
/* Day number N of ms for the case (1 on the posting's local date). */
int rv_day_number(const rv_case *c, const cs_shop *shop, int64_t ms);
/* Local midnight that ends day N of the case. */
int64_t rv_day_end_ms(const rv_case *c, const cs_shop *shop, int n);
/* Names for rows, logs and the report: "open", "revised", ...;
 * "product", "service", "unspecified"; "neutral", "negative", .... */
const char *rv_state_name(rv_state s);
const char *rv_dislike_name(Cs__V1__DislikeKind k);
const char *rv_rating_name(Cs__V1__ReviewRating r);
/* s, or "" for NULL. */
const char *rv_str(const char *s);

/* ---- the rules, one file each --------------------------------------------- */

/* RV-1: a neutral or negative review that is not a revision opens a case
 * when none exists for it (`existing` is what the worker found under the
 * review id: the same review delivered twice opens one case). A positive
 * or unrated review opens none. Sets d->open; true if it opens. */
bool rv1_opens_case(const Cs__V1__Review *r, const rv_case *existing);
bool rv1_open_case(const Cs__V1__Review *r, const rv_case *existing, rv_decision *d);
/* RV-1: an agent says what the buyer disliked (product or service) on an
 * existing case, open or closed (the weekly report reads it): recorded
 * when it says something new. True if it does. */
bool rv1_record_dislike(const rv_case *c, Cs__V1__DislikeKind dislike, rv_decision *d);

/* RV-2: whether one more contact of kind is allowed on the case: open,
 * not opted out; neutral at most neutral_max_calls calls (IM contacts are
 * not capped for a neutral review); negative at most
 * negative_max_contacts contacts, calls and IMs together. */
bool rv2_contact_allowed(const rv_case *c, const cs_shop *shop, rv_contact kind);
/* RV-2: the day-1 contact of a case being opened: an IM task when the
 * buyer is online, else a call task; either carries RV-3's remedy in its
 * summary and is due at the end of the local day. true if one was made. */
bool rv2_day1_contact(const rv_case *c, bool buyer_online, const cs_shop *shop, int64_t now_ms, rv_decision *d);
/* RV-2: the buyer came online: an IM task when the case is open, no
 * contact was made today (local) and the cap allows one. */
bool rv2_on_presence(const Cs__V1__Presence *p, const rv_case *c, const cs_shop *shop, int64_t now_ms, rv_decision *d);
/* RV-2: a call's outcome on the case. Refused: the outcome refused (RV-6)
 * and every pending follow-up cancelled (RV-5). Unreachable on day 1: one
 * more call task when the cap allows. Reached or agreed: nothing (an
 * agreement is not a revision: the SMS of RV-4 still follow). */
bool rv2_on_call_result(const Cs__V1__CallResult *call, const rv_case *c, const cs_shop *shop, int64_t now_ms,
                        rv_decision *d);

/* RV-3: the remedy to propose: under cheap_item_fen (strictly less) a
 * partial refund or a gift with the next order; cheap_item_fen and up, or
 * a difficult buyer, return or exchange. */
rv_remedy rv3_remedy(const rv_case *c, const cs_shop *shop);
/* The remedy in words, for task summaries (static). */
const char *rv3_remedy_text(rv_remedy r);
/* RV-3: an agent marked the buyer difficult (a contact event): recorded
 * on an open case that is not yet so marked. */
bool rv3_mark_difficult(const rv_case *c, rv_decision *d);

/* RV-4: the last follow-up SMS day of the case's rating (0: none). */
int rv4_last_sms_day(const rv_case *c);
/* RV-4: the send time (follow_up_send_min, local) on day N of the case. */
int64_t rv4_send_ms(const rv_case *c, const cs_shop *shop, int n);
/* RV-4: day N's follow-up SMS requested ahead: one follow-up-class SMS
 * request about the case, held by the notifier until day N's send time
 * (not_before_ms) and expiring at the end of day N, when N is one of the
 * rating's SMS days, day N is not over at now_ms, the case is open, not
 * opted out, has a phone number, and no SMS was requested for day N yet
 * (RV-5: one a day). true if requested (d->sms_days gets day N). */
bool rv4_followup(const rv_case *c, const cs_shop *shop, int n, int64_t now_ms, rv_decision *d);
/* RV-4 (and RV-6's no-answer timer): what a case being opened schedules:
 * day 2's SMS, day 3's for a negative review (rv4_followup), and the
 * no-answer timer at the end of the last SMS day. */
void rv4_schedule(const rv_case *c, const cs_shop *shop, int64_t now_ms, rv_decision *d);
/* RV-4: a day-N SMS timer armed before the follow-ups were requested
 * ahead (RV_TIMER_LEGACY_SMS_DAY2/3) fired: day N's follow-up is requested
 * now, as rv4_followup decides (the notifier holds it to its send time or
 * expires it after its day). false for another kind. */
bool rv4_on_legacy_timer(const char *kind, const rv_case *c, const cs_shop *shop, int64_t now_ms, rv_decision *d);

/* RV-5: an inbound SMS reply that opts out (NT-4's words T, TD, 退订,
 * recognised by the notifier's nt4_is_opt_out) from the case's number. */
bool rv5_is_opt_out_from(const Cs__V1__InboundSms *sms, const rv_case *c);
/* RV-5: the opt-out: recorded, every pending follow-up cancelled at once;
 * the case stays open for its outcome, so the no-answer timer is armed
 * again (cancels apply before arms). */
bool rv5_opt_out(const Cs__V1__InboundSms *sms, const rv_case *c, const cs_shop *shop, int64_t now_ms, rv_decision *d);
/* RV-5: a revision of the review: the outcome revised and every pending
 * follow-up cancelled. Nothing for an unknown or already revised case. */
bool rv5_revision(const Cs__V1__Review *r, const rv_case *c, rv_decision *d);
/* RV-5: an agent closes the case with outcome (REFUSED, NO_ANSWER or
 * CLOSED): recorded, every pending follow-up cancelled. Nothing for a
 * case not open or for another outcome. */
bool rv5_close(const rv_case *c, rv_state outcome, rv_decision *d);

/* RV-6: the no-answer timer fired: an open case whose last follow-up day
 * is over (now at or after its end) gets the outcome "no answer". */
bool rv6_on_no_answer_timer(const rv_case *c, const cs_shop *shop, int64_t now_ms, rv_decision *d);

/* RV-6: the weekly report. A week is 7 local dates, Sunday to Saturday
 * (the handbook's Saturday report, 000 末 #1). */
typedef struct rv_week_report {
    cs_day week_start;          /* the Sunday */
    int closed;                 /* cases whose outcome was recorded in the week */
    int by_outcome[RV_NSTATES]; /* by rv_state (REVISED, REFUSED, NO_ANSWER, CLOSED) */
    int by_dislike[3];          /* by Cs__V1__DislikeKind (0 = unspecified) */
    int by_outcome_dislike[RV_NSTATES][3];
    int neutral; /* by rating */
    int negative;
    int by_outcome_rating[RV_NSTATES][2]; /* by rv_state and rating: [0] neutral, [1] negative */
} rv_week_report;
/* The Sunday starting the week of ms's local date. */
cs_day rv6_week_start(const cs_shop *shop, int64_t ms);
/* Aggregates cases[0..n) whose outcome was recorded (closed_ms) in the
 * week starting week_start; open cases and other weeks are skipped.
 * Returns how many were counted. */
int rv6_weekly_report(const rv_case *cases, size_t n, const cs_shop *shop, cs_day week_start, rv_week_report *out);

/* ---- a review event (rv_plan.c) ---------------------------------------------- */

/* A review event: a revision goes to RV-5; else RV-1 opens the case and,
 * when it does, RV-2's day-1 contact (with RV-3's remedy) and RV-4's
 * timers follow. buyer_online: the buyer's last presence (read model).
 * true if anything was decided. */
bool rv_on_review(const Cs__V1__Review *r, const rv_case *existing, bool buyer_online, const cs_shop *shop,
                  int64_t now_ms, rv_decision *d);

/* What the worker knows of the buyer when a case opens: presence (RV-2),
 * an agent's "difficult" mark from an earlier case (RV-3), an opt-out
 * already in force for the number (RV-5, NT-4). */
typedef struct rv_buyer {
    bool online;
    bool difficult;
    bool opted_out;
    /* the order's receiver phone, for a review that names no number (a
     * Taobao TradeRated carries none): RV-4's SMS and NT-4's opt-out go to
     * it. NULL or "" = none. */
    const char *order_phone;
} rv_buyer;
/* A case opened from a review without a number takes the order's
 * (buyer->order_phone), so RV-4 has a number to send to. */
void rv_case_phone_fallback(rv_case *c, const rv_buyer *buyer);
/* rv_on_review with the buyer's marks: the case opened carries them
 * (d->difficult, d->opted_out), so the day-1 contact proposes RV-3's
 * remedy for a difficult buyer and an opted-out buyer is left alone. */
bool rv_on_review_for(const Cs__V1__Review *r, const rv_case *existing, const rv_buyer *buyer, const cs_shop *shop,
                      int64_t now_ms, rv_decision *d);

#endif
