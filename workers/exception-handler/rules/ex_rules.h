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

#include "cs/effects.h"
#include "cs/order_facts.h"
#include "cs/event.h"

#define EX_MAX_STOCK 16

/* Timer kinds (timer ids "<kind>@<shop>:<subject id>", effects.h). */
#define EX_TIMER_REQUEUE "ex6.requeue"    /* end of a day of the exception, before day N */
#define EX_TIMER_ESCALATE "ex6.escalate"  /* start of day N */
#define EX_TIMER_BREACH "ex6.breach"      /* end of day N */
#define EX_TIMER_COMPLAINT "ex9.deadline" /* the complaint level's deadline */

/* Notification templates the rules request (rendered by the notifier). */
#define EX_TPL_RESTOCK "restock_ship_date"     /* EX-1: params order_id, ship_date (notifier template) */
#define EX_TPL_UNREACHABLE "buyer_unreachable" /* EX-4: params order_id (notifier template) */

/* ---- what the rules read ---------------------------------------------- */

/* The order as the exception-handler sees it: the verifier's merged state
 * (orders.doc) reduced to the shared order facts (cs/order_facts.h). */
typedef cs_order_facts ex_order;

/* One exception (one open per order at most) as stored by the worker. */
typedef struct ex_exception {
    bool exists;          /* a row exists for the order */
    bool open;            /* not closed */
    int64_t opened_ms;    /* day 1 = its local date */
    int64_t escalated_ms; /* EX-6 day-N escalation done (0 = not yet) */
    int64_t breached_ms;  /* EX-6 breach recorded (0 = not yet) */
    bool written_sent;    /* EX-4: its one written message went out */
} ex_exception;

/* A complaint as stored by the worker (EX-9). */
typedef struct ex_complaint {
    bool exists;
    Cs__V1__ComplaintLevel level;
    int64_t opened_ms;
    int64_t deadline_ms;
    int64_t met_ms; /* the level's action done (0 = not yet) */
    int64_t breached_ms;
    int64_t closed_ms;
} ex_complaint;

/* What EX-9's VIP flag reads: counted by the worker over the windows of
 * ex9_vip_complaint_since_ms() / ex9_vip_paid_since_ms(). */
typedef struct ex_buyer_stats {
    int complaints;   /* complaints in the window, this one included */
    int64_t paid_fen; /* paid orders in the window */
} ex_buyer_stats;

/* ---- what the rules decide ---------------------------------------------- */

/* A unit count to give back to stock (EX-8). */
typedef struct ex_stock_line {
    const char *sku; /* into the order state */
    int32_t quantity;
} ex_stock_line;

typedef struct ex_decision {
    /* tasks, notification requests, finance requests, SLA breaches, tasks
     * closed, timers armed and cancelled: applied by cs_fx_apply() with the
     * exception (or complaint) as the timers' subject */
    cs_effects fx;
    /* state changes */
    const char *plan_rule;    /* the rule that decided how the exception is worked */
    bool open;                /* open an exception */
    bool close;               /* close the open exception (ex_close) */
    const char *close_reason; /* static text */
    bool escalated;           /* EX-6 escalation done now */
    bool written_sent;        /* EX-4 message requested now */
    bool breach;              /* an SLA breach recorded now (its effect in fx) */
    bool complaint_met;       /* EX-9: the level's action is done */
    bool vip;                 /* EX-9: flag the buyer VIP */
    char vip_reason[96];
    ex_stock_line stock[EX_MAX_STOCK]; /* EX-8: units to give back */
    int nstock;
} ex_decision;

/* ---- helpers (ex_common.c) ------------------------------------------------ */

void ex_decision_init(ex_decision *d);
/* Local midnight at the start of the date after ms's local date. */
int64_t ex_end_of_day_ms(const cs_shop *shop, int64_t ms);
/* "YYYY-MM-DD" of ms in the shop's zone (buf >= 11). */
void ex_local_date(const cs_shop *shop, int64_t ms, char *buf, size_t len);
/* s, or "" for NULL. */
const char *ex_str(const char *s);

/* ---- which events, about which order (ex_valid.c) -------------------------- */

/* Per route: false and a reason make the event poison (dead-lettered). */
bool ex_valid_verdict(const cs_event *ev, char *why, size_t len);
bool ex_valid_order(const cs_event *ev, char *why, size_t len);
bool ex_valid_aftersales(const cs_event *ev, char *why, size_t len);
bool ex_valid_contact(const cs_event *ev, char *why, size_t len);
/* The lock key of an event: "<shop>:<order>" of the order it is about;
 * false for events that change nothing here (order events other than a
 * cancellation, shipment or closing). */
bool ex_lock_order(const cs_event *ev, char *out, size_t len);

/* ---- the exception's life (ex_close.c) ------------------------------------ */

/* Closing an open exception (shipped, closed, cancelled, worked, agreed on
 * a call): its agent tasks of EX-1, EX-2, EX-3, EX-5 and EX-6 are done with
 * it, and every pending timer of the exception (EX-6) is cancelled. */
void ex_close(ex_decision *d, const char *reason);
/* The rules whose tasks an exception's closing closes (NULL-terminated). */
extern const char *const ex_exception_task_rules[];
/* A call outcome on a task: an EX task called about is done. */
void ex_call_done(ex_decision *d, const char *task_id);
/* An exception verdict's reasons for the exceptions row: the reason codes,
 * comma-separated, into out (cut at len). */
void ex_reason_list(const Cs__V1__Verdict *v, char *out, size_t len);

/* ---- the rules, one file each --------------------------------------------- */

/* EX-1: out of stock, paid today (local), restock known and arriving by
 * tomorrow (its local date <= today + 1): one IM message with the new
 * ship date (the restock date, today at the earliest). true if it applied. */
bool ex1_restock_message(const ex_order *o, int64_t restock_ms, const cs_shop *shop, int64_t now_ms, ex_decision *d);

/* EX-2: out of stock, paid today, restock date unknown (or later than
 * tomorrow, which the handbook's "cannot be sure when" covers): a call
 * task; the agent proposes another style or colour (exchange before
 * refund). */
bool ex2_restock_unknown_call(const ex_order *o, int64_t restock_ms, const cs_shop *shop, int64_t now_ms,
                              ex_decision *d);

/* EX-3: out of stock, paid before today, whatever the restock date: a
 * call task. An order with no payment time (and not COD) counts as paid
 * before today: the safer plan is a call. */
bool ex3_paid_earlier_call(const ex_order *o, int64_t restock_ms, const cs_shop *shop, int64_t now_ms, ex_decision *d);

/* EX-4: a call outcome "unreachable" on an order with an open exception:
 * exactly one written message for that exception, IM by default, SMS
 * when the shop prefers SMS or the buyer has no IM (own-site buyers
 * without buyer_has_im; platform buyers always have the platform's IM).
 * Nothing if the exception already had its message or there is no one to
 * write to. */
bool ex4_unreachable_message(const Cs__V1__CallResult *call, const ex_order *o, const ex_exception *x,
                             const cs_shop *shop, ex_decision *d);

/* EX-5: an own-site order (shop or order channel; cash on delivery first:
 * urgent) in an exception cannot ship today: a call task due the same
 * day (local midnight ending today). */
bool ex5_own_site_call(const ex_order *o, const char *reasons, const cs_shop *shop, int64_t now_ms, ex_decision *d);

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
bool ex6_on_timer(const char *kind, const ex_exception *x, const ex_order *o, const cs_shop *shop, int64_t now_ms,
                  ex_decision *d);

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
 * order is cancelled. refunded_fen: what the order's after-sales refunds
 * already asked of finance (RF-7); that money is never asked again. */
void ex8_cancellation(const Cs__V1__Cancellation *c, const Cs__V1__OrderState *st, const ex_order *o,
                      const ex_exception *x, int64_t refunded_fen, const cs_shop *shop, ex_decision *d);
/* EX-8: the units given back, as the cancellations registry stores them:
 * a JSON array of {"sku","quantity"} (malloc'd; the caller frees). */
char *ex8_stock_json(const ex_decision *d);

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
bool ex9_complaint(const Cs__V1__Complaint *c, const ex_complaint *stored, const ex_buyer_stats *s, const cs_shop *shop,
                   int64_t now_ms, ex_decision *d);
/* EX-9: the deadline timer fired: an SLA breach when the action is still
 * not done. */
bool ex9_on_deadline(const ex_complaint *stored, const char *complaint_id, const cs_shop *shop, int64_t now_ms,
                     ex_decision *d);

/* EX-10: the promised ship date: the presale date (the end of its local
 * date), else payment (or COD creation) + chaser_default_ship_h; 0 if
 * the order is neither paid nor COD. */
int64_t ex10_promised_ship_ms(const ex_order *o, const cs_shop *shop);
/* EX-10: a buyer chasing delivery: always a supervisor task, urgent when
 * the order has not shipped and now is past the promised ship date. */
bool ex10_delivery_chaser(const Cs__V1__DeliveryChaser *c, const ex_order *o, const cs_shop *shop, int64_t now_ms,
                          ex_decision *d);

/* The plan for a newly opened exception (an EXCEPTION verdict for an order
 * without an open exception): EX-5 for own-site orders, else EX-1/EX-2/
 * EX-3 for OUT_OF_STOCK, else an agent task to work the reasons; and
 * EX-6's timers. reasons: the verdict's reason codes, comma-separated. */
void ex_plan_open(const ex_order *o, const char *reasons, int64_t restock_ms, const cs_shop *shop, int64_t now_ms,
                  ex_decision *d);

#endif
