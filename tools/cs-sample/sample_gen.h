/* sample_gen.h -- a generator of realistic sample events: a Double-11
 * morning of orders across the demo shops, the stock levels and after-sales
 * history they meet, and the follow-ups (invoice requests, a restock).
 *
 * Why a library: the same orders serve the demo (cs-sample, every event
 * kind, production paced or not) and the benchmark (cs-bench, one event per
 * order), so a figure measured by the benchmark is measured on the orders
 * the demo shows. Everything is a pure function of (run id, seed, index):
 * order i is the same order whenever it is asked for, in any process, so a
 * re-run with the same run id re-sends the same event ids (the verifier
 * dedupes them) and two runs with different run ids never share an order
 * id, a buyer or an event id.
 *
 * The mix (sample_gen.c has the weights) triggers every rule of RULES.md
 * section 1 that the order-verifier applies without a timer: OV-1 a line of
 * quantity 0; OV-2 paid 1 fen off; OV-3 a missing district, a bad phone;
 * OV-4 Tibet by YTO (switched to SF), cash on delivery where no courier
 * collects cash (unreachable); OV-5 bank transfer, own-site Alipay, online
 * banking; OV-7 buyer messages, gift wrap, delivery windows; OV-8 SKUs that
 * run out and "last unit" SKUs; OV-9 the same buyer ordering again 2 h
 * later with the address typed in full-width digits; OV-10 gift lines and
 * presale lines with and without a ship date; OV-11 quality cases (3+ for
 * two SKUs, 2 for one); OV-12 address changes, one of them arriving after
 * a newer one; OV-14 invoice requests; NT-6 shipments with tracking numbers.
 * Most orders are plain and end VERIFIED.
 *
 * Memory: every protobuf-c message the generator builds lives in a
 * cs_sample_arena the caller passes in; pack the envelope, then reset the
 * arena. Never free those messages with protobuf-c's free_unpacked. */
#ifndef CS_SAMPLE_GEN_H
#define CS_SAMPLE_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/v1/envelope.pb-c.h"

#define CS_SAMPLE_KEY_LEN 160
#define CS_SAMPLE_ID_LEN 112
#define CS_SAMPLE_MAX_EVENTS 8 /* events one order can produce */

/* A bump allocator for the messages of a few events. */
typedef struct cs_sample_chunk cs_sample_chunk;
typedef struct cs_sample_arena {
    cs_sample_chunk *head; /* owned list of chunks, newest first */
} cs_sample_arena;

void cs_sample_arena_init(cs_sample_arena *a);
/* Frees every chunk; the arena is empty and reusable afterwards. */
void cs_sample_arena_reset(cs_sample_arena *a);

/* What order i is about (one scenario per order; PLAIN for most). */
typedef enum cs_sample_scenario {
    CS_SAMPLE_PLAIN = 0,
    CS_SAMPLE_OV1_QTY0,            /* a line with quantity 0 */
    CS_SAMPLE_OV2_OFF_BY_1,        /* paid amount 1 fen off payable */
    CS_SAMPLE_OV3_NO_DISTRICT,     /* address without district */
    CS_SAMPLE_OV3_BAD_PHONE,       /* 10-digit mobile */
    CS_SAMPLE_OV4_TIBET_YTO,       /* YTO cannot reach Tibet: switched */
    CS_SAMPLE_OV4_COD_NOWHERE,     /* COD where no courier collects cash */
    CS_SAMPLE_OV5_BANK,            /* bank transfer (half paid, half not) */
    CS_SAMPLE_OV5_ALIPAY,          /* own-site Alipay */
    CS_SAMPLE_OV5_ONLINE_BANK,     /* online banking */
    CS_SAMPLE_OV7_MESSAGE,         /* buyer message */
    CS_SAMPLE_OV7_SPECIAL,         /* gift wrap, delivery window, installation */
    CS_SAMPLE_OV8_LAST_UNIT,       /* buys a SKU of which one unit is left */
    CS_SAMPLE_OV9_DUPLICATE,       /* an earlier order again, 2 h later */
    CS_SAMPLE_OV10_GIFT,           /* with a gift line (price 0) */
    CS_SAMPLE_OV10_PRESALE,        /* presale line with its ship date */
    CS_SAMPLE_OV10_PRESALE_NODATE, /* presale line without a ship date */
    CS_SAMPLE_OV12_ADDRESS,        /* address changed after payment */
    CS_SAMPLE_OV12_STALE,          /* an older address change arrives late */
    CS_SAMPLE_MEMO,                /* seller memo added after payment */
    CS_SAMPLE_FEE,                 /* price changed before payment */
    CS_SAMPLE_CANCEL,              /* cancelled (before or after payment) */
    CS_SAMPLE_UNPAID,              /* created, never paid */
    CS_SAMPLE_SHIPPED,             /* shipped with a tracking number (NT-6) */
    CS_SAMPLE_COD,                 /* cash on delivery that can be served */
    CS_SAMPLE_OV14_INVOICE,        /* an invoice request follows */
    CS_SAMPLE_EX3_YESTERDAY,       /* paid the evening before, delivered late by the
                                  * platform: verified last, so a run-out SKU is gone
                                  * (EX-3 "paid before today"); one of them is a normal
                                  * order that OV-13's first sweep lists */
    CS_SAMPLE_NT3_REPEAT,          /* one reseller's orders, all shipped: more than 3
                                  * messages to one number in a day (NT-3) */
    CS_SAMPLE_NSCENARIOS
} cs_sample_scenario;

/* Name of a scenario for counts ("OV2_OFF_BY_1"); static string. */
const char *cs_sample_scenario_name(cs_sample_scenario sc);

typedef struct cs_sample_opts {
    const char *run_id; /* part of every order and event id; copied */
    uint64_t seed;      /* varies the mix; same seed + run id = same events */
    int count;          /* orders (>= 1) */
    int64_t start_ms;   /* first order (0 = 2026-11-11T00:00:00+08:00) */
    int64_t spread_ms;  /* orders spread over this (0 = 12 h, front-loaded) */
    int64_t counted_ms; /* stock count time on inventory events (0 = start - 1 h);
                           * cs-sample passes the wall clock so that a new run's
                           * count replaces what earlier runs left */
} cs_sample_opts;

typedef struct cs_sample cs_sample;

/* Plans the run: scenario positions and the stock every SKU gets (a
 * pass over all orders to size it). Returns NULL and a reason in errbuf
 * for bad options. Free with cs_sample_free() (NULL ok). */
cs_sample *cs_sample_new(const cs_sample_opts *o, char *errbuf, size_t errlen);
void cs_sample_free(cs_sample *s);
int cs_sample_count(const cs_sample *s);
const char *cs_sample_run_id(const cs_sample *s);

/* Order i's id ("<run_id>-<i, 6 digits>") into buf. */
void cs_sample_order_id(const cs_sample *s, int i, char *buf, size_t len);
/* The index of an order id of this run, or -1 if it is not one. */
int cs_sample_order_index(const cs_sample *s, const char *order_id);
cs_sample_scenario cs_sample_scenario_of(const cs_sample *s, int i);

/* One record to produce. */
typedef struct cs_sample_event {
    const char *topic;           /* static string */
    char key[CS_SAMPLE_KEY_LEN]; /* "<shop>:<order>" or the SKU */
    Cs__V1__Envelope *env;       /* in the arena */
    int64_t at_ms;               /* when the platform delivers it: production order */
    bool late;                   /* a follow-up: produce after the orders (the
                                     * verifier refuses an invoice for an order it
                                     * does not know yet) */
    const char *what;            /* "CREATED", "INVENTORY", ... for counts */
} cs_sample_event;

/* The events of order i, in the platform's delivery order (CREATED, then
 * PAID, changes, SHIPPED or CANCELLED; an invoice request as a late
 * event). Returns how many were written to out (<= CS_SAMPLE_MAX_EVENTS). */
int cs_sample_order_events(const cs_sample *s, int i, cs_sample_arena *a, cs_sample_event *out);

/* The benchmark's form: order i as ONE CREATED event carrying the whole
 * order, already paid when the order gets paid at all, so that each event
 * is one order version and gets exactly one verdict. */
void cs_sample_order_single(const cs_sample *s, int i, cs_sample_arena *a, cs_sample_event *out);

/* Before the orders: stock levels (shop.inventory.v1, one per shop and
 * SKU) and the after-sales history with quality reasons (OV-11). n is
 * the number of such events; event k of them into *out. */
int cs_sample_preamble_count(const cs_sample *s);
void cs_sample_preamble_event(const cs_sample *s, int k, cs_sample_arena *a, cs_sample_event *out);

/* After the orders: a restock of a SKU that ran out (OV-8 re-verifies
 * the orders waiting for it). */
int cs_sample_epilogue_count(const cs_sample *s);
void cs_sample_epilogue_event(const cs_sample *s, int k, cs_sample_arena *a, cs_sample_event *out);

/* The working days after the morning: what buyers and agents do once the
 * verdicts are in, for the exception-handler, the refund-notifier, the
 * review-scheduler and the notifier. Each phase is a fixed business time
 * of the run (cs_sample_phase_ms); produce its events when the business
 * clock is there. Every event of a phase is dated at or after the phase's
 * time except the reviews, which the platform delivers a little after
 * their posting.
 *   AFTERNOON (day 1, 14:00): calls on exception orders (AGREED closes one,
 *     REACHED), Tmall stock-out after-sales cases, requested and refunded
 *     (EX-7), complaints of each level, some met at once, two of one buyer
 *     (EX-9, VIP), delivery chasers (EX-10), opt-out replies T / TD / 退订
 *     (NT-4) and a reply that is no opt-out.
 *     Reviews (RV-1): CS_SAMPLE_REVIEWS neutral and negative reviews of
 *     Taobao orders shipped that morning, posted 12:30-13:20 (day 1), each
 *     with the buyer's phone. After-sales cases (RF-1): refund-only
 *     requests on paid, unshipped Taobao orders (auto-agreed where the shop
 *     is in promotion mode, RF-9), agreed and refunded within the hour
 *     (RF-7); one refund-only request on a shipped Taobao order (RF-9
 *     routes it, never auto-agrees it); a return (wrong item), a quality
 *     return, a quality refund-only and an exchange requested on shipped
 *     orders, the quality return and the exchange agreed at once.
 *   EVENING (day 1, 21:30): the night shift's calls: UNREACHABLE (EX-4, its
 *     written message falls in NT-2's quiet hours).
 *   DAY2 (day 2, 09:00): revisions of CS_SAMPLE_REVISIONS of the reviews,
 *     before the 10:00 send time, so their follow-up SMS never goes (RV-5);
 *     the wrong-item return agreed (its buyer never ships it: RF-2 escalates
 *     it 2 x 24 h later, on day 4); the quality return and the exchange
 *     shipped back by their buyers, with the postage they paid (RF-3).
 *   DAY2PM (day 2, 14:00): one reviewer replies 退订 after the day-2 SMS,
 *     so gets no day-3 SMS (RV-5, NT-4); the quality refund-only agreed and
 *     refunded (RF-7).
 *   DAY3 (day 3, 10:00): chasers of orders now past their promised ship
 *     date (urgent), a second failed call (EX-4 sends nothing more); the
 *     returns received (RF-6), the quality return refunded (RF-7) and the
 *     exchange reshipped (RF-3). */
typedef enum cs_sample_phase {
    CS_SAMPLE_AFTERNOON = 0,
    CS_SAMPLE_EVENING,
    CS_SAMPLE_DAY2,
    CS_SAMPLE_DAY2PM,
    CS_SAMPLE_DAY3,
    CS_SAMPLE_NPHASES
} cs_sample_phase;

#define CS_SAMPLE_MAX_DAY_EVENTS 128
#define CS_SAMPLE_REVIEWS 8       /* reviews of the afternoon, at most (fewer orders, fewer) */
#define CS_SAMPLE_REVISIONS 2     /* of them revised on day 2 */
#define CS_SAMPLE_PROMO_REFUNDS 4 /* refund-only requests on unshipped Taobao orders */

/* "afternoon", "evening", "day2", "day2pm", "day3" -> the phase, or -1. */
int cs_sample_phase_parse(const char *name);
const char *cs_sample_phase_name(cs_sample_phase ph);
/* The business time of a phase (epoch ms). */
int64_t cs_sample_phase_ms(const cs_sample *s, cs_sample_phase ph);
/* The events of a phase into out (at most max); returns how many. */
int cs_sample_day_events(const cs_sample *s, cs_sample_phase ph, cs_sample_arena *a, cs_sample_event *out, int max);

/* Stock the run plans, one row per shop and SKU (for seeding a database
 * directly, as the benchmark does). */
typedef struct cs_sample_stock {
    const char *shop_id; /* static */
    const char *sku;     /* owned by the cs_sample */
    int32_t available;
    int64_t restock_date_ms; /* 0 = unknown */
} cs_sample_stock;
int cs_sample_stock_count(const cs_sample *s);
void cs_sample_stock_at(const cs_sample *s, int k, cs_sample_stock *out);

/* Malformed record k for shop.orders.v1 (k % 3: garbage bytes, unknown
 * shop, negative amount). *value is malloc'd (caller frees); key into key. */
void cs_sample_poison(const cs_sample *s, int k, uint8_t **value, size_t *len, char key[CS_SAMPLE_KEY_LEN],
                      const char **what);

/* Packs env into a malloc'd buffer (caller frees). */
uint8_t *cs_sample_pack(const Cs__V1__Envelope *env, size_t *len);

#endif
