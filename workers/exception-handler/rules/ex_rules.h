/* ex_rules.h -- the exception-handler's rules (RULES.md section 2, EX-1 to
 * EX-10) as pure functions: (decoded event, exception state, shop
 * settings, now) -> decisions. No I/O happens here; the worker
 * (../exceptions.c) reads the state, calls these and writes, emits and
 * schedules what they decide. Each rule lives in the file named after it
 * (ex01_restock_message.c for EX-1, ex07_compensation.c for EX-7, ...).
 *
 * A decision is a plain struct of fixed-size arrays, so rules never
 * allocate and a test reads it directly. Text in a decision is copied into
 * its own buffers or points at static strings; nothing points into the
 * event, so a decision may outlive it.
 *
 * Time: every "today", "day N" and "end of the day" is a local calendar
 * date in the shop's zone (RULES.md preamble: day 1 is the local date of
 * the triggering event), computed with cs_tz_*; durations (1 h, 48 h) are
 * elapsed time. */
#ifndef EX_RULES_H
#define EX_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/shop.h"
#include "cs/v1/envelope.pb-c.h"
#include "cs/v1/state.pb-c.h"

#define EX_MAX_TASKS 4
#define EX_MAX_NOTES 2
#define EX_MAX_FINANCE 2
#define EX_MAX_TIMERS 4
#define EX_MAX_CANCEL_TIMERS 4
#define EX_MAX_STOCK 16
#define EX_TEXT_LEN 200

/* Where a task goes when it is not the shift queue's (EX-6, EX-9, EX-10). */
#define EX_SUPERVISOR "supervisor"

/* Timer kinds (the worker's timer ids are "<kind>@<shop>:<subject id>"). */
#define EX_TIMER_REQUEUE "ex6.requeue"    /* end of a day of the exception, before day N */
#define EX_TIMER_ESCALATE "ex6.escalate"  /* start of day N */
#define EX_TIMER_BREACH "ex6.breach"      /* end of day N */
#define EX_TIMER_COMPLAINT "ex9.deadline" /* the complaint level's deadline */

/* Notification templates the rules request (rendered by the notifier). */
#define EX_TPL_RESTOCK "restock_ship_date"  /* EX-1: params order_id, ship_date (notifier template) */
#define EX_TPL_UNREACHABLE "buyer_unreachable" /* EX-4: params order_id (notifier template) */

/* ---- what the rules read ---------------------------------------------- */

/* The order as the exception-handler sees it: the order-verifier's merged
 * state (orders.doc) reduced to what EX-* need. Strings point into the
 * state it was built from (ex_order_from_state) or are NULL. */
typedef struct ex_order {
    bool known;                  /* the order exists (a state was found) */
    const char *order_id;
    const char *buyer_id;        /* also the buyer's IM handle on the platforms */
    const char *phone;           /* receiver's phone, NULL if none */
    Cs__V1__Channel channel;     /* UNSPECIFIED: the shop's channel applies */
    bool cod;                    /* cash on delivery */
    int64_t created_ms;
    int64_t paid_ms;             /* 0 = unpaid (COD orders are committed at creation) */
    int64_t paid_fen;
    int64_t presale_ship_ms;     /* latest promised ship date of its presale lines, 0 = none */
    int64_t shipped_ms;
    int64_t cancelled_ms;
} ex_order;

/* One exception (one open per order at most) as stored by the worker. */
typedef struct ex_exception {
    bool exists;                 /* a row exists for the order */
    bool open;                   /* not closed */
    int64_t opened_ms;           /* day 1 = its local date */
    int64_t escalated_ms;        /* EX-6 day-N escalation done (0 = not yet) */
    int64_t breached_ms;         /* EX-6 breach recorded (0 = not yet) */
    bool written_sent;           /* EX-4: its one written message went out */
} ex_exception;

/* A complaint as stored by the worker (EX-9). */
typedef struct ex_complaint {
    bool exists;
    Cs__V1__ComplaintLevel level;
    int64_t opened_ms;
    int64_t deadline_ms;
    int64_t met_ms;              /* the level's action done (0 = not yet) */
    int64_t breached_ms;
    int64_t closed_ms;
} ex_complaint;

/* What EX-9's VIP flag reads: counted by the worker over the windows of
 * ex9_vip_complaint_since_ms() / ex9_vip_paid_since_ms(). */
typedef struct ex_buyer_stats {
    int complaints;              /* complaints in the window, this one included */
    int64_t paid_fen;            /* paid orders in the window */
} ex_buyer_stats;

/* ---- what the rules decide ---------------------------------------------- */

typedef struct ex_task {
    Cs__V1__TaskKind kind;
    const char *rule;            /* "EX-3" (static) */
    char summary[EX_TEXT_LEN];
    bool urgent;
    int64_t due_ms;              /* 0 = none */
    const char *assignee;        /* EX_SUPERVISOR, or NULL (the shift's queue) */
    const char *shift;           /* a named shift (EX-6), or NULL: SH-1 routes it */
    bool top_of_queue;           /* EX-6 */
    int64_t queue_at_ms;         /* EX-6: enters the queue then (0 = now) */
} ex_task;

typedef enum ex_recipient {
    EX_TO_IM = 1,                /* the buyer's IM handle (buyer id) */
    EX_TO_PHONE = 2,             /* the receiver's phone (SMS) */
} ex_recipient;

typedef struct ex_note {
    const char *rule;
    const char *template_id;
    Cs__V1__MessageChannel channel;
    Cs__V1__MessageClass klass;
    ex_recipient to;
    int nparams;
    const char *param_keys[4];
    char param_vals[4][64];
} ex_note;

typedef struct ex_finance {
    const char *kind;            /* "refund", "compensation" */
    const char *rule;
    int64_t amount_fen;
    char reason[EX_TEXT_LEN];
} ex_finance;

typedef struct ex_timer {
    const char *kind;            /* EX_TIMER_* */
    int64_t due_ms;
} ex_timer;

/* A unit count to give back to stock (EX-8). */
typedef struct ex_stock_line {
    const char *sku;             /* into the order state */
    int32_t quantity;
} ex_stock_line;

typedef struct ex_decision {
    ex_task tasks[EX_MAX_TASKS];
    int ntasks;
    ex_note notes[EX_MAX_NOTES];
    int nnotes;
    ex_finance finance[EX_MAX_FINANCE];
    int nfinance;
    ex_timer timers[EX_MAX_TIMERS];          /* to schedule */
    int ntimers;
    const char *cancel_timers[EX_MAX_CANCEL_TIMERS]; /* kinds to cancel */
    int ncancel;
    /* state changes */
    const char *plan_rule;       /* the rule that decided how the exception is worked */
    bool open;                   /* open an exception */
    bool close;                  /* close the open exception */
    const char *close_reason;    /* static text */
    bool escalated;              /* EX-6 escalation done now */
    bool written_sent;           /* EX-4 message requested now */
    bool breach;                 /* an SLA breach to record and emit */
    const char *breach_rule;
    int64_t breach_deadline_ms;
    char breach_detail[EX_TEXT_LEN];
    bool complaint_met;          /* EX-9: the level's action is done */
    bool vip;                    /* EX-9: flag the buyer VIP */
    char vip_reason[96];
    ex_stock_line stock[EX_MAX_STOCK]; /* EX-8: units to give back */
    int nstock;
} ex_decision;

/* ---- helpers (ex_common.c) ------------------------------------------------ */

void ex_decision_init(ex_decision *d);
/* Appends a task (dropped past EX_MAX_TASKS) and returns it, or NULL. */
ex_task *ex_add_task(ex_decision *d, Cs__V1__TaskKind kind, const char *rule, bool urgent,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
ex_note *ex_add_note(ex_decision *d, const char *rule, const char *template_id,
                     Cs__V1__MessageChannel channel, ex_recipient to);
void ex_note_param(ex_note *n, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
ex_finance *ex_add_finance(ex_decision *d, const char *kind, const char *rule, int64_t amount_fen,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void ex_add_timer(ex_decision *d, const char *kind, int64_t due_ms);
void ex_cancel_timer(ex_decision *d, const char *kind);

/* The order facts from the verifier's state (NULL st: an unknown order,
 * known = false and order_id as given). Points into st. */
void ex_order_from_state(ex_order *o, const Cs__V1__OrderState *st, const char *order_id);
/* The order's channel, the shop's when the order does not say. */
Cs__V1__Channel ex_channel(const ex_order *o, const cs_shop *shop);
/* The instant the order was committed: paid, or created for COD (0 if
 * neither). "Paid today" in EX-1..3 is this instant's local date. */
int64_t ex_committed_ms(const ex_order *o);
/* Local midnight at the start of the date after ms's local date. */
int64_t ex_end_of_day_ms(const cs_shop *shop, int64_t ms);
/* "YYYY-MM-DD" of ms in the shop's zone (buf >= 11). */
void ex_local_date(const cs_shop *shop, int64_t ms, char *buf, size_t len);
/* s, or "" for NULL. */
const char *ex_str(const char *s);

/* ---- the rules, one file each --------------------------------------------- */

/* EX-1: out of stock, paid today (local), restock known and arriving by
 * tomorrow (its local date <= today + 1): one IM message with the new
 * ship date (the restock date, today at the earliest). true if it applied. */
bool ex1_restock_message(const ex_order *o, int64_t restock_ms, const cs_shop *shop,
                         int64_t now_ms, ex_decision *d);

/* EX-2: out of stock, paid today, restock date unknown (or later than
 * tomorrow, which the handbook's "cannot be sure when" covers): a call
 * task; the agent proposes another style or colour (exchange before
 * refund). */
bool ex2_restock_unknown_call(const ex_order *o, int64_t restock_ms, const cs_shop *shop,
                              int64_t now_ms, ex_decision *d);

/* EX-3: out of stock, paid before today, whatever the restock date: a
 * call task. An order with no payment time (and not COD) counts as paid
 * before today: the safer plan is a call. */
bool ex3_paid_earlier_call(const ex_order *o, int64_t restock_ms, const cs_shop *shop,
                           int64_t now_ms, ex_decision *d);

/* EX-4: a call outcome "unreachable" on an order with an open exception:
 * exactly one written message for that exception, IM by default, SMS
 * when the shop prefers SMS or the buyer has no IM (own-site buyers
 * without buyer_has_im; platform buyers always have the platform's IM).
 * Nothing if the exception already had its message or there is no one to
 * write to. */
bool ex4_unreachable_message(const Cs__V1__CallResult *call, const ex_order *o,
                             const ex_exception *x, const cs_shop *shop, ex_decision *d);

/* EX-5: an own-site order (shop or order channel; cash on delivery first:
 * urgent) in an exception cannot ship today: a call task due the same
 * day (local midnight ending today). */
bool ex5_own_site_call(const ex_order *o, const char *reasons, const cs_shop *shop,
                       int64_t now_ms, ex_decision *d);

/* EX-6: the instants of one exception opened at opened_ms: the end of
 * each day before the escalation day (requeue), the start of day N
 * (escalate; N = exception_escalate_day) and the end of day N (breach). */
int64_t ex6_escalate_ms(const cs_shop *shop, int64_t opened_ms);
int64_t ex6_breach_ms(const cs_shop *shop, int64_t opened_ms);
/* The timers for a newly opened exception (requeue at the end of day 1
 * when N > 2, escalate, breach). */
void ex6_schedule(const cs_shop *shop, int64_t opened_ms, ex_decision *d);
/* The next start of the requeue shift (shop->requeue_shift, else the
 * first shift of the day) at or after ms. */
int64_t ex6_next_requeue_start_ms(const cs_shop *shop, int64_t ms);
/* A fired EX-6 timer of kind for exception x at now: requeue (task at the
 * top of the requeue shift's queue when it next starts; the next requeue
 * timer if the next day is still before day N), escalation (supervisor
 * task, urgent) or breach (SLA breach + supervisor task). Nothing for a
 * closed exception or one already escalated / breached. */
bool ex6_on_timer(const char *kind, const ex_exception *x, const ex_order *o, const cs_shop *shop,
                  int64_t now_ms, ex_decision *d);

/* EX-7: compensation for a Tmall out-of-stock refund: compensation_bp of
 * the refunded amount, rounded half up to the fen, capped at
 * compensation_cap_fen (0 for a non-positive amount). */
int64_t ex7_compensation_fen(int64_t refunded_fen, const cs_shop *shop);
/* EX-7: an after-sales case of a Tmall order with reason OUT_OF_STOCK:
 * REQUESTED -> a call task offering an exchange first; REFUNDED -> the
 * compensation finance request. already_compensated: the worker's record
 * says this case was compensated (one compensation per case). */
bool ex7_stockout_case(const Cs__V1__AfterSalesCase *c, const ex_order *o, const cs_shop *shop,
                       bool already_compensated, ex_decision *d);

/* EX-8: a cancellation (whole order: no line ids) registered today with
 * its reason, the cancelled lines' units to give back, and a refund
 * request to finance when anything was paid (the cancellation's
 * refund_fen, else the paid amount for a whole order, else the cancelled
 * lines' value). st may be NULL (unknown order: registered, refund as the
 * event says). Also closes the order's open exception when the whole
 * order is cancelled. */
void ex8_cancellation(const Cs__V1__Cancellation *c, const Cs__V1__OrderState *st,
                      const ex_order *o, const ex_exception *x, const cs_shop *shop,
                      ex_decision *d);

/* EX-9: the deadline of a complaint of level opened at opened_ms (L1
 * complaint_l1_min, L2 l2, L3 l3 after it; 0 for an unknown level). */
int64_t ex9_deadline_ms(Cs__V1__ComplaintLevel level, int64_t opened_ms, const cs_shop *shop);
/* EX-9: VIP = complaints >= vip_complaints in the window, or paid_fen >=
 * vip_paid_fen in the window; reason text into d. */
bool ex9_vip(const ex_buyer_stats *s, const cs_shop *shop, ex_decision *d);
/* EX-9: the windows' starts at now (half-open: a complaint or payment at
 * exactly that instant is outside). 30 days is elapsed time; 12 months
 * are calendar months in the shop's zone (same local time, n months
 * earlier, the day clamped to the month's end). */
int64_t ex9_vip_complaint_since_ms(const cs_shop *shop, int64_t now_ms);
int64_t ex9_vip_paid_since_ms(const cs_shop *shop, int64_t now_ms);
/* EX-9: a complaint event. New (no stored complaint): a task by level (L1
 * escalation to the supervisor, urgent; L2 solution; L3 answer and close)
 * due at the deadline, the deadline timer, and the VIP flag (task urgent
 * and marked VIP). Known: the level's action done (L1 escalated, L2
 * solution offered, any level closed) marks it met and cancels the
 * timer. */
bool ex9_complaint(const Cs__V1__Complaint *c, const ex_complaint *stored, const ex_buyer_stats *s,
                   const cs_shop *shop, int64_t now_ms, ex_decision *d);
/* EX-9: the deadline timer fired: an SLA breach when the action is still
 * not done. */
bool ex9_on_deadline(const ex_complaint *stored, const char *complaint_id, const cs_shop *shop,
                     int64_t now_ms, ex_decision *d);

/* EX-10: the promised ship date: the presale date (the end of its local
 * date), else payment (or COD creation) + chaser_default_ship_h; 0 if
 * the order is neither paid nor COD. */
int64_t ex10_promised_ship_ms(const ex_order *o, const cs_shop *shop);
/* EX-10: a buyer chasing delivery: always a supervisor task, urgent when
 * the order has not shipped and now is past the promised ship date. */
bool ex10_delivery_chaser(const Cs__V1__DeliveryChaser *c, const ex_order *o, const cs_shop *shop,
                          int64_t now_ms, ex_decision *d);

/* The plan for a newly opened exception (an EXCEPTION verdict for an order
 * without an open exception): EX-5 for own-site orders, else EX-1/EX-2/
 * EX-3 for OUT_OF_STOCK, else an agent task to work the reasons; and
 * EX-6's timers. reasons: the verdict's reason codes, comma-separated. */
void ex_plan_open(const ex_order *o, const char *reasons, int64_t restock_ms, const cs_shop *shop,
                  int64_t now_ms, ex_decision *d);

#endif
