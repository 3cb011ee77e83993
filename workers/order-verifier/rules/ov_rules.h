/* ov_rules.h -- the order-verifier's rules (RULES.md section 1 and NT-6)
 * as pure functions: (decoded event or merged order, state read from the
 * database, shop settings, now) -> decisions. No I/O happens here; the
 * worker (../verifier.c) loads the state, calls these and writes what they
 * decide. Each rule lives in the file named after it (ov02_amount.c for
 * OV-2, nt06_logistics.c for NT-6, ...).
 *
 * Ownership: decisions point into the order and shop passed in, or into
 * fixed-size buffers inside the decision; nothing here allocates except
 * ov12_apply_event(), which edits the protobuf-c OrderState it is given
 * (strings there are owned by that message; see its comment). */
#ifndef OV_RULES_H
#define OV_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/effects.h"
#include "cs/shop.h"
#include "cs/v1/envelope.pb-c.h"
#include "cs/v1/state.pb-c.h"

#define OV_MAX_REASONS 16
#define OV_MAX_ANNOTATIONS 32
#define OV_MAX_TASKS 4
#define OV_MAX_NOTES 2
#define OV_DETAIL_LEN 160
#define OV_SUMMARY_LEN CS_FX_TEXT_LEN /* a task's summary: OV-9 names every order it matched */
#define OV_FP_LEN 65                  /* hex SHA-256 + NUL */

typedef struct ov_reason {
    const char *rule;           /* "OV-2" (static string) */
    const char *code;           /* "AMOUNT_MISMATCH" (static string) */
    char detail[OV_DETAIL_LEN]; /* text for the agent */
} ov_reason;

typedef struct ov_annotation {
    const char *rule;
    const char *code; /* COURIER_SWITCHED, WAREHOUSE_FLAG, GIFT_LINE, TEST_BEFORE_SHIPPING, DELIST_CANDIDATE */
    char detail[OV_DETAIL_LEN];
    const char *line_id; /* into the order, or NULL */
} ov_annotation;

/* Tasks and notification requests are the effects every worker shares
 * (cs/effects.h); the verifier's worker applies them with cs_fx_apply_*.
 * A note goes to the receiver's phone (cs_note.to = CS_TO_PHONE, zero). */
typedef cs_task ov_task;

typedef cs_note ov_note;

/* Stock of one SKU as locked in the batch transaction (OV-8). */
typedef struct ov_stock {
    const char *sku;
    int32_t available;       /* sellable units not held by any order */
    int64_t restock_date_ms; /* 0 = unknown */
    bool known;              /* false: no inventory row (treated as 0 available) */
    int32_t held_by_order;   /* units of this SKU the order being verified
                              * already holds (when ov_state.stock_reserved);
                              * they count as available to it when its lines
                              * change (OV-8 re-reservation) */
} ov_stock;

/* Another order with the same OV-9 fingerprint (same shop, buyer,
 * normalised address, SKUs and quantities). */
typedef struct ov_prior_order {
    const char *order_id;
    int64_t created_ms;
    bool cancelled;       /* a cancelled prior is no duplicate */
    bool held;            /* itself on hold as DUPLICATE_SUSPECTED */
    bool verified_before; /* verified before the order checked now
                                    * (which is new to its fingerprint, or
                                    * held already): a held prior then holds
                                    * it too (a chain of repeats is held at
                                    * every link). false: a held prior was
                                    * held after this order, and does not
                                    * hold it */
} ov_prior_order;

/* After-sales cases with a quality reason for a SKU in the OV-11 window. */
typedef struct ov_quality_count {
    const char *sku;
    int cases;
} ov_quality_count;

/* What the worker read for this verification. */
typedef struct ov_state {
    const ov_stock *stock; /* one per distinct SKU of the order, plus
                                    * one per SKU the order holds units of
                                    * (held_by_order), read FOR UPDATE */
    size_t nstock;
    bool stock_reserved;          /* the order holds units right now (the
                                    * worker's word; st->stock_reserved is
                                    * read only for cancelled/closed orders) */
    const ov_prior_order *priors; /* other orders with this version's OV-9
                                    * fingerprint (any partition); the order
                                    * itself may be among them */
    size_t npriors;
    const ov_quality_count *quality; /* cases per SKU of the order with
                                      * case time > ov11_window_start_ms() */
    size_t nquality;
} ov_state;

/* One verification's outcome (OV-12: exactly one state, every reason). */
typedef struct ov_decision {
    Cs__V1__VerdictState state;
    ov_reason reasons[OV_MAX_REASONS];
    int nreasons;
    ov_annotation annotations[OV_MAX_ANNOTATIONS];
    int nannotations;
    const char *courier;     /* after OV-4 (into shop or order), may be NULL */
    int64_t item_total_fen;  /* OV-1 */
    int64_t payable_fen;     /* OV-2 */
    int64_t restock_date_ms; /* OV-8, 0 unknown */
    bool reserve_stock;      /* OV-8: take the order's units now */
    bool release_stock;      /* OV-8: give back units held by an earlier version */
    ov_task tasks[OV_MAX_TASKS];
    int ntasks;
} ov_decision;

/* ---- the rules, one file each ---------------------------------------- */

/* OV-1: lines complete; sets d->item_total_fen. false if a line is bad
 * (reason LINE_INVALID added). Overflow of the total is a bad line too. */
bool ov1_check_lines(const Cs__V1__Order *o, ov_decision *d);

/* OV-2: payable = items - discounts + shipping; a paid order whose paid
 * amount differs by any fen -> AMOUNT_MISMATCH. Sets d->payable_fen. */
void ov2_check_amount(const Cs__V1__Order *o, ov_decision *d);

/* OV-3: receiver name, valid phone, complete address (the parts the shop
 * requires: shop->address_required; every part when shop is NULL), else
 * ADDRESS_INCOMPLETE (one reason naming every missing part). */
void ov3_check_receiver(const Cs__V1__Order *o, const cs_shop *shop, ov_decision *d);

/* OV-4 (with OV-5's COD part): keeps the chosen courier if it reaches the
 * address (and collects cash there for COD), else switches to the first
 * courier in the shop's order that does (annotation COURIER_SWITCHED),
 * else COURIER_UNREACHABLE. Sets d->courier. */
void ov4_choose_courier(const Cs__V1__Order *o, const cs_shop *shop, ov_decision *d);
/* true if courier c can deliver to a (and collect cash there if cod). */
bool ov4_courier_serves(const cs_courier *c, const Cs__V1__Address *a, bool cod);

/* OV-5: bank transfer, own-site Alipay, online banking ->
 * PENDING_FINANCE_CHECK with AWAITING_BUYER_PAYMENT or
 * PAID_TO_BE_VERIFIED; unpaid platform orders -> UNPAID (pending
 * payment). */
void ov5_check_payment(const Cs__V1__Order *o, ov_decision *d);

/* OV-6: the instant the unpaid order's payment reminder falls due
 * (created + unpaid_reminder_min). */
int64_t ov6_reminder_due_ms(const Cs__V1__Order *o, const cs_shop *shop);
/* OV-6: true when a reminder is to be made at `now` (unpaid, not
 * cancelled, due reached). Fills the task or IM note per shop setting. */
bool ov6_payment_reminder(const Cs__V1__OrderState *st, const cs_shop *shop, int64_t now_ms, ov_task *task,
                          ov_note *note);
/* OV-6: the instant an ON_HOLD order must be escalated: the start (00:00
 * local) of day hold_settle_days counted from the day it went on hold. */
int64_t ov6_hold_escalation_ms(int64_t held_ms, const cs_shop *shop);
/* OV-6: true (and the escalation task) if the hold is still open at now
 * and now is on or after day 3 of the hold. held_ms is st->held_ms, kept
 * by ov_record_verdict() (the instant the order first went ON_HOLD). */
bool ov6_hold_escalation(const Cs__V1__OrderState *st, int64_t held_ms, const cs_shop *shop, int64_t now_ms,
                         ov_task *task);

/* OV-7: buyer message or remark on a paid order -> BUYER_MESSAGE_REVIEW
 * (on hold, review task); special requests -> WAREHOUSE_FLAG annotations. */
void ov7_check_notes(const Cs__V1__Order *o, ov_decision *d);

/* OV-8: for a paid order, every SKU must have enough available units
 * (quantities of one SKU over several lines add up); else OUT_OF_STOCK
 * with the latest known restock date (0 if any is unknown). Sets
 * reserve_stock when the order can take its units and does not hold them
 * yet. An order that holds units (ov_state.stock_reserved) counts its
 * held_by_order as available to it: same quantities = nothing to do;
 * changed lines that fit = release_stock + reserve_stock (swap, in one
 * transaction); changed lines that do not fit = OUT_OF_STOCK, keeping the
 * old holding. "Paid" here includes cash on delivery. */
void ov8_check_stock(const Cs__V1__Order *o, const ov_state *st, ov_decision *d);

/* OV-8, the worker's arithmetic: units of sku over all the order's lines
 * (int64: no sum of int32 quantities overflows). */
int64_t ov8_needs(const Cs__V1__Order *o, const char *sku);
/* OV-8: the order can take the units it needs of sku at the level
 * available now (after what it held was given back); it takes its units
 * only when every SKU of it fits. */
bool ov8_sku_fits(const Cs__V1__Order *o, const char *sku, int32_t available);
/* OV-8: the SKUs an OUT_OF_STOCK order waits for (available plus what it
 * holds is less than it needs), into out (at most max); their count. */
size_t ov8_short_skus(const Cs__V1__Order *o, const ov_stock *stock, size_t n, const char **out, size_t max);
/* A SKU's level as the worker keeps it. */
typedef struct ov_level {
    int32_t available;
    int64_t restock_date_ms; /* 0 = unknown */
    int64_t counted_ms;      /* time of the count the level comes from */
    bool known;              /* an inventory event has been seen */
} ov_level;
/* OV-8: an inventory event on the level: a count replaces it when at least
 * as new as the last count, a restock adds to it (capped at INT32_MAX), the
 * restock date follows the event (kept while the SKU is out and the event
 * gives none). true when the level rose (waiting orders are re-verified). */
bool ov8_apply_level(ov_level *s, const Cs__V1__InventoryLevel *l);

/* OV-9: the fingerprint of an order, hex SHA-256 over shop, buyer,
 * normalised address and the sorted (SKU, total quantity) pairs. false if
 * the address cannot be normalised. */
bool ov9_fingerprint(const char *shop_id, const Cs__V1__Order *o, char out[OV_FP_LEN]);
/* OV-9: this order is a duplicate (DUPLICATE_SUSPECTED, one review task)
 * if a prior (same fingerprint) placed less than duplicate_window_min
 * before or after it is not cancelled, and is not held or was verified
 * before it (ov_prior_order.verified_before). The reason names the
 * earliest-placed such prior, the task every one. */
void ov9_check_duplicate(const Cs__V1__Order *o, const ov_state *st, const cs_shop *shop, ov_decision *d);

/* OV-10: gift lines annotated; a presale line without a ship date ->
 * PRESALE_DATE_MISSING. */
void ov10_check_gifts_presale(const Cs__V1__Order *o, ov_decision *d);

/* OV-11: TEST_BEFORE_SHIPPING on lines of SKUs with >= quality_test_cases
 * quality cases in the window; DELIST_CANDIDATE at >= quality_delist_cases. */
void ov11_quality_watch(const Cs__V1__Order *o, const ov_state *st, const cs_shop *shop, ov_decision *d);

/* OV-12: the state by precedence from the reasons recorded. */
Cs__V1__VerdictState ov12_state_of(const ov_decision *d);

/* OV-12: merges one order event into the state, field group by field
 * group, last writer by (modified_ms, event_id) wins. Returns 1 if the
 * state changed (a new order version: st->version is bumped), 2 if it
 * only restated what was held (OV12_RESTATED: the groups' marks moved, so
 * the state must be saved, but there is no new version to verify), 0 if
 * the event was stale or changed nothing, -1 with errbuf for an event that
 * cannot apply (unknown kind). Strings copied into st are malloc'd and
 * owned by st (free it with protobuf_c_message_free_unpacked and the
 * system allocator, i.e. cs_order_state_free()). */
#define OV12_RESTATED 2
int ov12_apply_event(Cs__V1__OrderState *st, const Cs__V1__OrderEvent *ev, const char *event_id, int64_t event_ms,
                     char *errbuf, size_t errlen);
/* A new empty state (owned by caller) and its destructor (NULL ok). */
Cs__V1__OrderState *cs_order_state_new(void);
void cs_order_state_free(Cs__V1__OrderState *st);

/* The whole verification of one order version: OV-1..5, 7..12 combined by
 * OV-12's precedence. Returns 0, or -1 if the order cannot be verified
 * yet (not created). reserve_stock is set only when the state is
 * VERIFIED, ON_HOLD or PENDING_FINANCE_CHECK of a paid order. A cancelled
 * or closed order is not verified: it returns 0 with d->state UNSPECIFIED
 * (publish no verdict), one ORDER_CANCELLED/ORDER_CLOSED reason, and
 * release_stock if it holds units and did not ship. */
int ov_verify(const Cs__V1__OrderState *st, const ov_state *io, const cs_shop *shop, int64_t now_ms, ov_decision *d);

/* OV-13: at the capture sweep of `now`'s local date, an order paid before
 * today, not shipped, not cancelled, not in EXCEPTION or ON_HOLD is a
 * missed order: fills the task and the buyer's new-ship-date note. */
bool ov13_missed_order(const Cs__V1__OrderState *st, const cs_shop *shop, int64_t now_ms, ov_task *task, ov_note *note);
/* OV-13: the next sweep instant at or after now (19:00 local). */
int64_t ov13_next_sweep_ms(const cs_shop *shop, int64_t now_ms);
/* When the sweep after the one due at sweep_ms runs: the next day's 19:00,
 * or, when that has passed already (a late sweep), once at the latest
 * 19:00 before now_ms. */
int64_t ov13_sweep_after(const cs_shop *shop, int64_t sweep_ms, int64_t now_ms);

/* OV-14: invoice amount = goods (item total - discounts, never postage),
 * + own_site_invoice_tax_bp for own-site orders, half-up to the fen. */
int64_t ov14_invoice_amount(const Cs__V1__Order *o, const cs_shop *shop);
/* OV-14: an invoice request for an order not seen yet waits in the order's
 * state (topics do not order against each other) and is answered when the
 * order is created; at most OV14_MAX_WAITING wait, so a stream of requests
 * for an order that never comes cannot grow a row without bound. */
#define OV14_MAX_WAITING 16
typedef enum ov14_wait { OV14_WAIT = 1, OV14_ALREADY_WAITING = 2, OV14_WAITING_FULL = 3 } ov14_wait;
/* What to do with request event_id for the not-yet-created order of st:
 * record it (OV14_WAIT: appended to st->pending_invoices), nothing (it
 * waits already) or refuse it (full). */
ov14_wait ov14_wait_for_order(Cs__V1__OrderState *st, const char *event_id);
/* OV-14: the answer to an invoice request as a note (params order_id,
 * amount in yuan "12.34"). For an impossible order (amount -1) the note's
 * template_id is NULL: nothing to send, an agent must answer. */
void ov14_invoice_note(const Cs__V1__Order *o, const cs_shop *shop, ov_note *note);

/* NT-6: after shipment, exactly one logistics message (courier name and
 * tracking number); false if already sent or no tracking number. The
 * caller sets st->logistics_sent in the transaction that queues it. */
bool nt6_logistics_message(const Cs__V1__OrderState *st, const cs_shop *shop, ov_note *note);

/* helpers shared by the rule files (ov_common.c) */
void ov_add_reason(ov_decision *d, const char *rule, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ov_add_annotation(ov_decision *d, const char *rule, const char *code, const char *line_id, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
bool ov_has_reason(const ov_decision *d, const char *code);
#define ov_note_param cs_fx_note_param /* the same note type (effects.h) */

/* ---- additions (helpers and worker glue) ------------------------------ */

/* Reason and annotation codes the rules emit (stable strings, published in
 * verdicts; ov12_state_of() maps them to states). */
#define OV_LINE_INVALID "LINE_INVALID"
#define OV_AMOUNT_MISMATCH "AMOUNT_MISMATCH"
#define OV_ADDRESS_INCOMPLETE "ADDRESS_INCOMPLETE"
#define OV_COURIER_UNREACHABLE "COURIER_UNREACHABLE"
#define OV_OUT_OF_STOCK "OUT_OF_STOCK"
#define OV_PRESALE_DATE_MISSING "PRESALE_DATE_MISSING"
#define OV_BUYER_MESSAGE_REVIEW "BUYER_MESSAGE_REVIEW"
#define OV_DUPLICATE_SUSPECTED "DUPLICATE_SUSPECTED"
#define OV_SHOP_HOLD "SHOP_HOLD" /* Order.on_hold set by the shop */
#define OV_AWAITING_BUYER_PAYMENT "AWAITING_BUYER_PAYMENT"
#define OV_PAID_TO_BE_VERIFIED "PAID_TO_BE_VERIFIED"
#define OV_UNPAID "UNPAID"
#define OV_ORDER_CANCELLED "ORDER_CANCELLED" /* no verdict state: see ov_verify() */
#define OV_ORDER_CLOSED "ORDER_CLOSED"
#define OV_COURIER_SWITCHED "COURIER_SWITCHED"
#define OV_COURIER_ASSIGNED "COURIER_ASSIGNED" /* order named no courier */
#define OV_WAREHOUSE_FLAG "WAREHOUSE_FLAG"
#define OV_GIFT_LINE "GIFT_LINE"
#define OV_TEST_BEFORE_SHIPPING "TEST_BEFORE_SHIPPING"
#define OV_DELIST_CANDIDATE "DELIST_CANDIDATE"

/* Zeroes a decision (state UNSPECIFIED, no reasons). */
void ov_decision_init(ov_decision *d);
/* Appends a task to d (dropped, never overflowing, past OV_MAX_TASKS). */
void ov_add_task(ov_decision *d, Cs__V1__TaskKind kind, const char *rule, bool urgent, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Fills *t (which may be NULL: then nothing happens). */
void ov_task_set(ov_task *t, Cs__V1__TaskKind kind, const char *rule, bool urgent, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Clears *n and sets the fields every note carries. */
void ov_note_init(ov_note *n, const char *rule, const char *template_id, Cs__V1__MessageChannel channel,
                  Cs__V1__MessageClass klass);
/* The shop's preferred written channel (IM unless it prefers SMS). */
Cs__V1__MessageChannel ov_shop_channel(const cs_shop *shop);

/* Appends formatted text to the NUL-terminated buf (size len), truncating;
 * for details that list several items ("L1: no SKU; L2: quantity 0"). */
void ov_appendf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* s, or "" for NULL (hand-built protobuf-c messages may carry NULL). */
const char *ov_str(const char *s);
/* true if s is NULL or only whitespace (ASCII or U+3000 ideographic). */
bool ov_blank(const char *s);
/* The comparable form of a place name: cs_text_normalize()d (the trimmed
 * bytes when it is not valid UTF-8); malloc'd, caller frees; NULL when the
 * name is blank. */
char *ov_canon_name(const char *s);
/* Place names equal in their comparable forms; blank equals nothing. */
bool ov_names_equal(const char *a, const char *b);

/* Money sums with overflow and sign checks: false for an impossible
 * amount (overflow, negative price, quantity or discount). */
bool ov_item_total(const Cs__V1__Order *o, int64_t *out);
bool ov_discount_total(const Cs__V1__Order *o, int64_t *out);
/* Total quantity of sku over the order's lines (positive quantities only;
 * int64 so no sum of int32 quantities overflows). */
int64_t ov_sku_quantity(const Cs__V1__Order *o, const char *sku);
/* Cash on delivery (flag or payment method). */
bool ov_order_cod(const Cs__V1__Order *o);
/* Paid (paid_ms set) or cash on delivery: the order is committed and will
 * ship without a further payment, so OV-7 reviews and OV-8 reserves it. */
bool ov_order_committed(const Cs__V1__Order *o);
/* The order is over: cancelled as a whole or closed. */
bool ov_order_over(const Cs__V1__OrderState *st);

/* OV-11: the start of the quality window at now (now - quality_window_days,
 * half-open: a case at exactly that instant is outside). The worker counts
 * cases with case_ms > this into ov_state.quality. */
int64_t ov11_window_start_ms(const cs_shop *shop, int64_t now_ms);

/* One task per question: of d's tasks, those to raise (raise[i]) are the
 * ones whose rule raised none at the previous verdict (the agent has that
 * task already); st->task_rules become this verdict's rules. Edits st
 * (allocates its strings, like ov12_apply_event). */
void ov_tasks_to_raise(Cs__V1__OrderState *st, const ov_decision *d, bool raise[OV_MAX_TASKS]);
/* After the worker has published the verdict of d for st->version:
 * records last_state, verified_version, last_verdict_ms, restock date,
 * stock_reserved (from reserve/release) and held_ms (the instant the order
 * first went ON_HOLD, 0 once it leaves it; OV-6 counts days from it). */
void ov_record_verdict(Cs__V1__OrderState *st, const ov_decision *d, int64_t now_ms);

#endif
