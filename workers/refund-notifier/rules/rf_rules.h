/* rf_rules.h -- the refund-notifier's rules (RULES.md section 3, RF-1 to
 * RF-13) as pure functions: (after-sales event, stored case, order facts,
 * shop settings, now) -> decisions. No I/O happens here; the worker
 * (../refunds.c) loads the case, calls rf_case_event() or
 * rf_on_timer(), and stores, emits and schedules what they decide. Each
 * rule lives in the file named after it (rf03_postage.c for RF-3, ...);
 * rf_case.c strings them together for one event.
 *
 * A decision is a plain struct of fixed-size arrays (cs_effects plus the
 * state changes), so rules never allocate and a test reads it directly.
 * Text in a decision is copied into its own buffers or points at static
 * strings; nothing points into the event.
 *
 * Time: "within N days" (RF-2, RF-11) runs N x 24 h from the triggering
 * event's time (RULES.md preamble); "day N" and "the seven days" of RF-4
 * are local calendar dates in the shop's zone (cs_tz_*); windows are
 * half-open: a deadline reached exactly is passed. */
#ifndef RF_RULES_H
#define RF_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/effects.h"
#include "cs/order_facts.h"
#include "cs/shop.h"
#include "cs/v1/aftersales.pb-c.h"

/* Timer kinds (timer ids "<kind>@<shop>:<case id>", effects.h); the
 * subject is always the case, so the rules leave it to the applier. */
#define RF_TIMER_SHIP_RETURN "rf2.ship_return" /* agreement + return_ship_days x 24 h */
#define RF_TIMER_RESOLVE "rf2.resolve"         /* registration + case_deadline_days x 24 h */
#define RF_TIMER_ESCALATE "rf2.escalate"       /* registration + case_deadline_days x 24 h */
#define RF_TIMER_EVIDENCE "rf11.evidence"      /* intervention + dispute_evidence_days x 24 h */

/* Notification templates (workers/notifier/templates/zh-CN.json). */
#define RF_TPL_AGREED "refund_agreed"               /* RF-8: order_id, amount (optional), agent */
#define RF_TPL_RECEIVED "return_received"           /* RF-8: order_id, agent */
#define RF_TPL_REFUNDED "refund_done"               /* RF-8: order_id, amount (optional), agent */
#define RF_TPL_NR_SIGNED "not_received_signed"      /* RF-13: order_id, agent */
#define RF_TPL_NR_TRANSIT "not_received_in_transit" /* RF-13: order_id, agent */

/* The name a buyer message gives when the case has no owner yet. */
#define RF_NO_AGENT "本店客服"

/* RF-9's queues (cs_task.queue). */
#define RF_QUEUE_BACK_OFFICE "back-office"
#define RF_QUEUE_VERIFICATION "verification"
#define RF_QUEUE_DIFFICULT "difficult"
#define RF_QUEUE_COMPLAINTS "complaints"

/* ---- what the rules read ---------------------------------------------- */

/* The order as the refund-notifier sees it (shipment, signing, buyer,
 * phone, lines). */
typedef cs_order_facts rf_order;

/* One after-sales event as the rules read it: the platform's case record
 * and its envelope's position, plus the RF-3 / RF-6 fields the worker copies
 * from AfterSalesCase (postage_paid_fen, origin_province,
 * supplier_exchanges). Every pointer is the caller's, read during the call only. */
typedef struct rf_event {
    const Cs__V1__AfterSalesCase *c; /* not NULL */
    const char *event_id;            /* envelope event id (ties of event_ms) */
    int64_t event_ms;                /* envelope event time: the order of application (RF-1) */
    int64_t postage_paid_fen;        /* RF-3: what the buyer paid to send the return (0 = unknown) */
    const char *origin_province;     /* RF-3: the province the return is sent from (NULL = unknown) */
    bool supplier_exchanges;         /* RF-6: on RETURN_RECEIVED, the supplier takes the damaged item back */
} rf_event;

/* One after-sales case as the worker stores it (a row per case). Strings
 * are the worker's, valid during the call. */
typedef struct rf_case {
    bool exists; /* registered (RF-1) */
    const char *case_id;
    const char *order_id;
    const char *sku;             /* the item the case is about, NULL = the whole order */
    const char *agent;           /* owning agent (RF-1), NULL/"" = none yet */
    const char *refund_account;  /* RF-7, NULL = the original payment */
    const char *origin_province; /* RF-3 */
    Cs__V1__CaseType type;
    Cs__V1__CaseReason reason;
    Cs__V1__CaseStage stage; /* current stage (RF-1) */
    int64_t registered_ms;   /* time of the first event (RF-1, RF-2) */
    int64_t requested_ms;    /* the buyer's request (RF-4), 0 = registered_ms */
    int64_t agreed_ms;       /* entered AGREED (RF-2), 0 = never */
    int64_t refunded_ms;     /* RF-7's request made (exactly once), 0 = never */
    int64_t intervened_ms;   /* entered PLATFORM_INTERVENED (RF-11), 0 = never */
    int64_t last_event_ms;   /* position of the last applied event (RF-1) */
    const char *last_event_id;
    int64_t amount_fen;       /* requested / refunded amount */
    int64_t postage_paid_fen; /* RF-3: return postage the buyer paid (0 = unknown) */
    bool has_photo;           /* RF-5 */
    bool item_unusable_photo; /* RF-5 */
    bool goods_unused;        /* RF-4 */
    bool packaging_complete;  /* RF-4 */
    bool freight_collect;     /* RF-3 */
    int refused_transitions;  /* RF-1: impossible transitions seen (counted) */
    int64_t refund_fen;       /* RF-7: the refund recorded, without RF-3 postage (RF-12 summary) */
    int64_t postage_fen;      /* RF-3: return postage reimbursed (RF-12 summary) */
    int64_t postage_ms;       /* when RF-3 decided a reimbursement, 0 = never */
    int remedy;               /* RF-10: the rf_remedy proposed, 0 = none (RF-12 summary) */
    int postage_where;        /* RF-3: the rf_postage_where recorded when agreed, 0 = none */
} rf_case;

/* ---- what the rules decide ---------------------------------------------- */

/* RF-3: where a postage reimbursement goes. */
typedef enum rf_postage_where {
    RF_POSTAGE_NONE = 0,      /* nothing reimbursed */
    RF_POSTAGE_IN_REFUND = 1, /* added to the refund */
    RF_POSTAGE_IN_PARCEL = 2, /* cash in the reshipped parcel */
} rf_postage_where;

/* RF-3: the outcome for one return. */
typedef struct rf_postage {
    bool refused;     /* freight-collect: the parcel is refused */
    bool our_fault;   /* quality, wrong item, missing item */
    bool in_province; /* origin province = the shop's */
    int64_t cap_fen;  /* the cap applied (0 when not our fault) */
    int64_t fen;      /* reimbursed: min(paid, cap), 0 when not ours */
    rf_postage_where where;
} rf_postage;

/* RF-6 */
typedef enum rf_return_condition {
    RF_RETURN_UNKNOWN = 0,
    RF_RETURN_RESELLABLE = 1, /* back to stock */
    RF_RETURN_DAMAGED = 2,
} rf_return_condition;

/* RF-9 / RF-13: a decision for the platform connector (cs.decisions.v1). */
typedef enum rf_verdict {
    RF_VERDICT_NONE = 0,
    RF_VERDICT_AGREE = 1,
    RF_VERDICT_REFUSE = 2,
} rf_verdict;

typedef struct rf_platform_decision {
    rf_verdict verdict;
    const char *rule;   /* "RF-9", "RF-13" (static) */
    int64_t amount_fen; /* the amount agreed */
    char reason[160];
} rf_platform_decision;

/* RF-10 */
typedef enum rf_remedy {
    RF_REMEDY_NONE = 0,
    RF_REMEDY_PARTIAL_OR_GIFT = 1, /* under cheap_item_fen: partial refund or a gift */
    RF_REMEDY_RETURN_OR_EXCHANGE = 2,
} rf_remedy;

/* RF-13 */
typedef enum rf_nr_action {
    RF_NR_NONE = 0,
    RF_NR_GUIDE_CONFIRM = 1,      /* signed: guide the buyer to confirm receipt */
    RF_NR_AGREE = 2,              /* refused or stuck: agree at once */
    RF_NR_CONFIRM_ON_ARRIVAL = 3, /* in transit: confirm on arrival */
    RF_NR_RETURN_ADDRESS = 4,     /* wants to return: the address, freight insurance */
} rf_nr_action;

typedef struct rf_decision {
    /* tasks, buyer messages, finance requests, breaches, timers: applied by
     * cs_fx_apply() with the case as the timers' subject */
    cs_effects fx;
    /* RF-1: the case's life */
    bool registered; /* a new case: store type, reason, owner, registered_ms */
    int64_t registered_ms;
    bool stage_changed; /* move the case to `stage` */
    Cs__V1__CaseStage stage;
    int64_t stage_ms;        /* the event time of the move (last_event_ms) */
    bool duplicate;          /* the event at the case's position again: nothing */
    bool stale;              /* older than the case's position: not applied */
    bool refused_transition; /* impossible: recorded and counted, not applied */
    Cs__V1__CaseStage refused_from, refused_to;
    /* RF-3 */
    rf_postage postage;  /* decided when the refund or reshipment is made */
    rf_postage_where postage_where; /* RF-3: where it will go, recorded on the case when agreed */
    bool parcel_refused; /* a freight-collect return is refused */
    /* RF-6 */
    rf_return_condition return_condition;
    bool restock; /* resellable: back to stock */
    /* RF-7 */
    bool refund_recorded; /* refunded_ms = stage_ms: the finance request is in fx */
    int64_t refund_fen;
    /* RF-9, RF-13 */
    rf_platform_decision decision; /* for cs.decisions.v1 */
    const char *queue;             /* RF-9: the queue the case's tasks went to, NULL = none */
    /* RF-10 */
    rf_remedy remedy;
    /* RF-13 */
    rf_nr_action not_received;
    /* RF-2, RF-11 */
    bool escalated;       /* a supervisor task for the case */
    bool dispute_opened;  /* the worker counts it for rf11_dispute_month() */
    int64_t late_intervened_ms; /* RF-11: a platform intervention the case never recorded, arriving
                                 * after the case moved on (stale): the time it happened */
    bool dispute_alert;   /* RF-11: the alert at dispute_alert_at */
    bool campaign_barred; /* RF-11: past dispute_month_limit */
} rf_decision;

/* ---- helpers (rf_common.c) ------------------------------------------------ */

void rf_decision_init(rf_decision *d);
/* The owner's name for buyer messages: the agent, else RF_NO_AGENT. */
const char *rf_agent_name(const rf_case *c);
/* Gives task t (NULL: nothing) to the case's owner (cs_task.owner). */
void rf_task_to_owner(cs_task *t, const rf_case *c);
/* N x 24 h in ms (RULES.md: "within N days"). */
int64_t rf_days_ms(int days);
/* true for the types where the buyer sends goods back (return and
 * refund, exchange, repair). */
bool rf_type_returns_goods(Cs__V1__CaseType type);
/* true for the types where we send goods (exchange, repair, reship). */
bool rf_type_reships(Cs__V1__CaseType type);
/* Short English names for summaries ("return_refund", "quality"). */
const char *rf_type_name(Cs__V1__CaseType type);
const char *rf_reason_name(Cs__V1__CaseReason reason);
const char *rf_stage_name(Cs__V1__CaseStage stage);

/* ---- the rules, one file each --------------------------------------------- */

/* RF-1: may stage `to` follow stage `from`? from UNSPECIFIED (a case not
 * registered yet) takes any stage; a stage never follows itself; CLOSED
 * is followed by nothing. */
bool rf1_transition_allowed(Cs__V1__CaseStage from, Cs__V1__CaseStage to);
/* RF-1: the order of application: <0 when (ms, id) is before the case's
 * last applied event, 0 when it is that event, >0 after it. */
int rf1_compare_position(const rf_case *c, int64_t event_ms, const char *event_id);
/* RF-1: places the event in the case's life: registration (first event:
 * type, reason, owner), a stage move, a duplicate, a stale event or an
 * impossible transition (refused_transition). true when the stage moves
 * (or the case is registered). Effects of the move are rf_case_event's. */
bool rf1_place(const rf_case *c, const rf_event *ev, rf_decision *d);

/* RF-2: the timers of a stage entered at at_ms (registration: resolve and
 * escalate; AGREED on a return: ship_return) and the cancellation of
 * those the stage moves past. */
void rf2_on_stage(const rf_case *c, Cs__V1__CaseType type, Cs__V1__CaseStage stage, bool registering, int64_t at_ms,
                  const cs_shop *shop, rf_decision *d);
/* RF-2 / RF-11: a fired timer of kind for case c (reads the stored case,
 * so a late or repeated firing after the case moved on does nothing):
 * ship_return still AGREED -> supervisor escalation; resolve neither
 * refunded nor reshipped nor closed -> urgent task to the owner; escalate
 * still open -> supervisor escalation; evidence still intervened ->
 * urgent task to the owner. true if it decided anything. */
bool rf_on_timer(const char *kind, const rf_case *c, const rf_order *o, const cs_shop *shop, int64_t now_ms,
                 rf_decision *d);

/* RF-3: the same province? Names compare after dropping the suffix
 * (省, 市, 自治区, 特别行政区...): "浙江" = "浙江省". false if either is
 * unknown. */
bool rf3_same_province(const char *a, const char *b);
/* RF-3: the postage outcome of case c's return. */
void rf3_postage(const rf_case *c, const cs_shop *shop, rf_postage *out);
/* RF-3: where a reimbursement of c's return postage goes (the shop's
 * postage_reimburse; cash needs a reshipped parcel), whatever its amount;
 * RF_POSTAGE_NONE when none is owed (no return parcel, not the shop's
 * fault, freight collect). */
rf_postage_where rf3_where(const rf_case *c, const cs_shop *shop);

/* RF-4: is a seven-day no-reason return requested at requested_ms valid
 * for an order signed at signed_ms? The 7 days are the local dates after
 * the signing date (signing date + 1 .. + no_reason_return_days); goods
 * unused and packaging complete. why (may be NULL) says the failed
 * condition. */
bool rf4_no_reason_ok(int64_t signed_ms, int64_t requested_ms, bool goods_unused, bool packaging_complete,
                      const cs_shop *shop, char *why, size_t whylen);
/* RF-4: the instant the window ends (local midnight after its last day;
 * a request at or after it is late). */
int64_t rf4_window_end_ms(int64_t signed_ms, const cs_shop *shop);

/* RF-5: may the case be agreed on its evidence? A quality claim needs a
 * photo; a full refund without return (refund-only, amount >= the
 * order's paid amount, goods shipped) needs the item-unusable photo. why
 * names what is missing. */
bool rf5_evidence_ok(const rf_case *c, const rf_order *o, char *why, size_t whylen);

/* RF-6: the returned goods received: resellable -> back to stock;
 * damaged and the supplier will not exchange -> a supervisor task. */
void rf6_return_received(const rf_case *c, bool resellable, bool supplier_exchanges, rf_decision *d);

/* RF-7: the refund's finance request: kind "refund", amount (plus RF-3
 * postage added to the refund), agent, account, reason; buyer and order
 * come from the applier's order. Sets refund_recorded. */
void rf7_refund_request(const rf_case *c, int64_t refund_fen, const rf_postage *postage, rf_decision *d);

/* RF-8: a buyer message of template about case c: IM to the buyer,
 * SMS when the shop prefers it or there is no IM handle; naming the
 * owning agent. amount_fen < 0: no amount. NULL if nobody to write to. */
cs_note *rf8_buyer_message(const rf_case *c, const rf_order *o, const cs_shop *shop, const char *rule,
                           const char *template_id, int64_t amount_fen, rf_decision *d);

/* RF-9: the queue of a case by the routing table (first matching row). */
const char *rf9_queue_for(Cs__V1__CaseType type, Cs__V1__CaseReason reason, Cs__V1__CaseStage stage);
/* RF-9: in promotion mode, auto-agree a refund-only request on an
 * unshipped order or a valid seven-day no-reason return. true if agreed
 * (decision filled). */
bool rf9_auto_agree(const rf_case *c, const rf_order *o, const cs_shop *shop, rf_decision *d);

/* RF-10: the remedy for a quality complaint on an item of item_fen:
 * strictly under cheap_item_fen partial refund or gift, else return or
 * exchange. */
rf_remedy rf10_remedy(int64_t item_fen, const cs_shop *shop);
/* RF-10: the item's price: the unit price of the case's SKU on the order,
 * else the case's amount. */
int64_t rf10_item_fen(const rf_case *c, const rf_order *o);

/* RF-11: the instant the current local calendar month began (for the
 * worker's count of the shop's disputes this month). */
int64_t rf11_month_start_ms(const cs_shop *shop, int64_t now_ms);
/* RF-11: the n-th dispute of the month (this one included): at
 * dispute_alert_at an alert (supervisor task, dispute_alert); past
 * dispute_month_limit the shop is barred from campaigns (supervisor task,
 * campaign_barred). true if it raised anything. */
bool rf11_dispute_month(int n, const cs_shop *shop, int64_t now_ms, rf_decision *d);

/* RF-12: what the worker counts over the rolling window (half-open:
 * [rf12_window_start_ms(), now)). */
typedef struct rf12_counts {
    int64_t quality_refund_orders; /* orders first asking a refund for quality */
    int64_t closed_orders;         /* orders closed */
    int64_t refund_only_done;      /* refund-only cases refunded */
    int64_t refund_only_total_ms;  /* sum of their request-to-refund times */
    int64_t return_refund_done;    /* return-and-refund cases refunded */
    int64_t return_refund_total_ms;
    int64_t seller_dispute_refunds; /* disputed refunds the seller was responsible for */
    int64_t paid_orders;            /* orders paid */
} rf12_counts;

typedef struct rf12_metrics {
    int64_t product_experience_refund_bp; /* quality refunds / closed orders, basis points, half up */
    int64_t refund_only_mean_ms;          /* mean request to refund, rounded half up; 0 = none */
    int64_t return_refund_mean_ms;
    int64_t dispute_refund_bp; /* seller-responsible disputed refunds / paid orders */
} rf12_metrics;

/* RF-12: the start of the rolling window, 30 x 24 h before now. */
int64_t rf12_window_start_ms(int64_t now_ms);
/* RF-12: the rates and means of c (a zero denominator gives 0). */
void rf12_compute(const rf12_counts *c, rf12_metrics *m);
/* RF-12: the week of the Saturday summary at now: [start, end) from local
 * Sunday 00:00 to the midnight ending the latest Saturday that has ended
 * by now (on a Saturday itself, the week before: its own week is not over). */
void rf12_summary_week(const cs_shop *shop, int64_t now_ms, int64_t *start_ms, int64_t *end_ms);

/* RF-12: what stored cases add to the rolling counts of [start_ms,
 * end_ms): quality_refund_orders (distinct orders with a quality-reason
 * request in the window), the refund-only and return-and-refund cases
 * refunded in the window with their request-to-refund times, and
 * seller_dispute_refunds (disputed cases refunded after the intervention:
 * the platform ruled against the seller). closed_orders and paid_orders
 * are the orders' and left alone. cases[0..n) in any order. */
void rf12_count_cases(const rf_case *cases, size_t n, int64_t start_ms, int64_t end_ms, rf12_counts *k);

/* RF-12: the Saturday after-sales cost summary, one line (the caller
 * keeps one per case type and reason, and a total). Money in fen. */
typedef struct rf12_cost {
    int refunds;                /* RF-7 refunds recorded in the week */
    int64_t refunds_fen;        /* their amounts, without RF-3 postage */
    int postage;                /* RF-3 reimbursements decided in the week */
    int64_t postage_fen;        /* their amounts (in the refund or in the parcel) */
    int compensations;          /* EX-7 compensations made in the week (the caller adds them) */
    int64_t compensation_fen;   /* their amounts */
    int partial_refunds;        /* RF-10 cases refunded in the week: partial refunds (also in refunds) */
    int64_t partial_refund_fen; /* their amounts */
    int gifts;                  /* RF-10 cases closed in the week with nothing refunded: a gift */
} rf12_cost;
/* RF-12: adds what case c cost in [start_ms, end_ms) to k. */
void rf12_cost_add_case(const rf_case *c, int64_t start_ms, int64_t end_ms, rf12_cost *k);

/* RF-13: the action for a "not received" request by logistics state. */
rf_nr_action rf13_action(Cs__V1__LogisticsState logistics, bool buyer_wants_return);

/* ---- one event (rf_case.c) -------------------------------------------------- */

/* RF-1 to RF-13 for one after-sales event: places it (RF-1) and, when the
 * stage moves, decides what the new stage asks for. c is the stored case
 * (exists false for a new one); o the order's facts. */
void rf_case_event(const rf_case *c, const rf_event *ev, const rf_order *o, const cs_shop *shop, int64_t now_ms,
                   rf_decision *d);
/* The case as it is after d (registration and stage only; the worker's
 * store does the same): for tests and the worker's save. Strings point
 * into c or ev. */
void rf_case_after(const rf_case *c, const rf_event *ev, const rf_decision *d, rf_case *out);

#endif
