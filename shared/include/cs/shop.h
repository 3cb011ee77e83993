/* shop.h -- per-shop settings read from the file named by CS_SHOPS_FILE.
 *
 * Every number of RULES.md is a shop setting with the handbook's default;
 * the rules read them from here and never hard-code them. The file is JSON
 * (format in docs/config.md, sample in deploy/config/shops.sample.json) and
 * is validated completely at start-up: a bad file stops the process with
 * the file, the key path and the reason (cs_shops_load()).
 *
 * A cs_shops set is immutable after loading and owns every string in it,
 * so rule functions may keep `const cs_shop *` pointers for as long as the
 * set lives. */
#ifndef CS_SHOP_H
#define CS_SHOP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "cs/tz.h"

#define CS_SHOP_MAX_COURIERS 16
#define CS_SHOP_MAX_REGIONS 64
#define CS_SHOP_MAX_SHIFTS 8
#define CS_SHOP_MAX_TEMPLATES 64

typedef enum cs_channel {
    CS_CHANNEL_TAOBAO = 1,
    CS_CHANNEL_TMALL = 2,
    CS_CHANNEL_OWN_SITE = 3,
} cs_channel;

/* The webhook platforms of POST /v1/webhooks/{platform} (CONTRACTS.md). */
typedef enum cs_webhook_platform {
    CS_WEBHOOK_GENERIC = 0,
    CS_WEBHOOK_TAOBAO = 1,
    CS_WEBHOOK_SHOPIFY = 2,
    CS_WEBHOOK_PLATFORMS = 3,
} cs_webhook_platform;
#define CS_SHOP_MAX_SECRETS 2 /* current + previous, while a shop rotates */

/* OV-3's address parts, as bits of cs_shop.address_required. */
#define CS_ADDR_PROVINCE 0x1u
#define CS_ADDR_CITY 0x2u
#define CS_ADDR_DISTRICT 0x4u
#define CS_ADDR_STREET 0x8u
#define CS_ADDR_ALL (CS_ADDR_PROVINCE | CS_ADDR_CITY | CS_ADDR_DISTRICT | CS_ADDR_STREET)

typedef enum cs_postage_mode {
    CS_POSTAGE_IN_REFUND = 1, /* RF-3: reimbursed postage added to the refund (default) */
    CS_POSTAGE_IN_PARCEL = 2, /* RF-3: cash in the reshipped parcel (where one is reshipped) */
} cs_postage_mode;

typedef enum cs_msg_pref {
    CS_MSG_PREF_IM = 1,  /* IM first (default; free) */
    CS_MSG_PREF_SMS = 2, /* SMS first (shop prefers it for reach or cost) */
} cs_msg_pref;

/* A region a courier cannot reach or where it collects cash: "浙江省",
 * "杭州市", "淳安县" or a path "浙江省/杭州市/淳安县". A one-part name
 * matches the province, city or district of an address; a path matches
 * from the province down, as far as it goes. */
typedef struct cs_region {
    char *parts[3]; /* province, city, district; NULL where absent */
    int nparts;     /* 1..3 */
} cs_region;

typedef struct cs_courier {
    char *code;                                 /* "SF", "YTO", ... as on orders */
    char *name;                                 /* display name for messages */
    cs_region unreachable[CS_SHOP_MAX_REGIONS]; /* OV-4: cannot deliver there */
    int nunreachable;
    cs_region cod[CS_SHOP_MAX_REGIONS]; /* OV-5: collects cash there */
    int ncod;
    bool cod_everywhere; /* "cod": ["*"] */
} cs_courier;

typedef struct cs_shift {
    char *name;    /* "early", "middle", "night" */
    int start_min; /* minutes after local midnight, 0..1439 */
    int end_min;   /* 1..1440; 1440 = midnight ("24:00") */
} cs_shift;

typedef struct cs_template {
    char *id;     /* template id, e.g. "logistics_shipped" */
    char *text;   /* zh-CN text with {param} placeholders */
    bool refusal; /* NT-5: a refusal must start with 非常抱歉 */
} cs_template;

/* Every numeric threshold of RULES.md. Names carry their unit. */
typedef struct cs_thresholds {
    /* OV */
    int unpaid_reminder_min;     /* OV-6: 30 */
    int hold_settle_days;        /* OV-6: 3 (escalate on day N) */
    int duplicate_window_min;    /* OV-9: 1440 (24 h, half-open) */
    int quality_window_days;     /* OV-11: 30 */
    int quality_test_cases;      /* OV-11: 2 */
    int quality_delist_cases;    /* OV-11: 3 */
    int capture_sweep_min;       /* OV-13: 19:00 = 1140 */
    int own_site_invoice_tax_bp; /* OV-14: 600 basis points = 6 % */
    /* EX */
    int compensation_bp;           /* EX-7: 500 = 5 % */
    int64_t compensation_cap_fen;  /* EX-7: 3000 */
    int complaint_l1_min;          /* EX-9: 60 */
    int complaint_l2_min;          /* EX-9: 240 */
    int complaint_l3_min;          /* EX-9: 1440 */
    int vip_complaints;            /* EX-9: 2 */
    int vip_complaint_window_days; /* EX-9: 30 */
    int64_t vip_paid_fen;          /* EX-9: 200000 */
    int vip_paid_window_months;    /* EX-9: 12 */
    int exception_escalate_day;    /* EX-6: 3 */
    int chaser_default_ship_h;     /* EX-10: 48 */
    /* RF */
    int return_ship_days;             /* RF-2: 2 */
    int case_deadline_days;           /* RF-2: 7 */
    int64_t postage_out_province_fen; /* RF-3: 1000 */
    int64_t postage_in_province_fen;  /* RF-3: 800 */
    int no_reason_return_days;        /* RF-4: 7 */
    int64_t cheap_item_fen;           /* RF-10 / RV-3: 3000 */
    int dispute_evidence_days;        /* RF-11: 3 */
    int dispute_month_limit;          /* RF-11: 5 */
    int dispute_alert_at;             /* RF-11: 4 */
    /* RV */
    int neutral_max_calls;     /* RV-2: 2 */
    int negative_max_contacts; /* RV-2: 3 */
    int follow_up_send_min;    /* RV-4: 10:00 = 600 */
    /* NT */
    int service_quiet_start_min;   /* NT-2: 21:00 = 1260 */
    int service_quiet_end_min;     /* NT-2: 08:00 = 480 */
    int follow_up_quiet_start_min; /* NT-2: 20:00 = 1200 */
    int follow_up_quiet_end_min;   /* NT-2: 08:00 = 480 */
    int daily_message_cap;         /* NT-3: 3 */
    /* TG */
    int target_base_pct;     /* TG-1: 110 */
    int target_stretch_pct;  /* TG-1: 125 */
    int enquiries_per_agent; /* TG-3: 300 */
    /* Privacy */
    int pii_retention_days; /* PIPL: buyer phone, name, address purged this long after close (90) */
} cs_thresholds;

typedef struct cs_shop {
    char *id; /* shop id as in envelopes and keys */
    cs_channel channel;
    char *time_zone;                           /* IANA name, e.g. "Asia/Shanghai" */
    const cs_tz *tz;                           /* loaded zone; owned by the cs_shops set */
    /* Webhook HMAC secrets by platform (CS_WEBHOOK_*): the current one
     * first, then, during a rotation, the one it replaces; NULL where absent.
     * A signature made with either is accepted. */
    char *secrets[CS_WEBHOOK_PLATFORMS][CS_SHOP_MAX_SECRETS];
    char *shopify_domain;                      /* X-Shopify-Shop-Domain, NULL if none */
    char currency[4];                          /* ISO 4217 code of the shop's money ("CNY") */
    unsigned address_required;                 /* OV-3: CS_ADDR_* parts an address needs */
    int webhook_rate;                          /* gateway: requests/s a shop may send (0 = no limit) */
    int webhook_burst;                         /* gateway: requests above the rate let through at once */
    cs_courier couriers[CS_SHOP_MAX_COURIERS]; /* preference order (OV-4) */
    int ncouriers;
    cs_thresholds th;
    cs_shift shifts[CS_SHOP_MAX_SHIFTS]; /* SH-1 */
    int nshifts;
    bool promotion_mode;                          /* RF-9 */
    cs_msg_pref msg_pref;                         /* EX-4, RF-8 */
    char *province;                               /* RF-3: the shop's own province ("浙江省"); NULL = unknown
                                     * (every return counts as out of province) */
    cs_postage_mode postage_reimburse;            /* RF-3: where a reimbursement goes */
    bool payment_reminder_im;                     /* OV-6: IM message instead of a call */
    const char *requeue_shift;                    /* EX-6: name of the shift whose queue takes
                                     * exceptions open at day end (points into
                                     * shifts[]; NULL = first shift of the day) */
    cs_template templates[CS_SHOP_MAX_TEMPLATES]; /* overrides by id */
    int ntemplates;
} cs_shop;

typedef struct cs_shops cs_shops;

/* Loads and validates the shops file. On error returns NULL and writes
 * "<file>: <key path>: <reason>" (with a line number for JSON syntax
 * errors) into errbuf. */
cs_shops *cs_shops_load(const char *path, char *errbuf, size_t errlen);
/* The same from the file's text[0..len) (need not end in a NUL; the
 * caller keeps it); path only names it in errbuf. cs_shops_load() reads
 * the file and calls this; tests/fuzz/fuzz_shops.c feeds it any bytes. */
cs_shops *cs_shops_parse(const char *text, size_t len, const char *path, char *errbuf, size_t errlen);
/* Frees the set; accepts NULL. */
void cs_shops_free(cs_shops *s);
/* The shop with this id, or NULL (an unknown shop is a poison event). */
const cs_shop *cs_shops_find(const cs_shops *s, const char *id);
/* The shop whose shopify_domain is this, or NULL. */
const cs_shop *cs_shops_find_shopify(const cs_shops *s, const char *domain);
size_t cs_shops_count(const cs_shops *s);
const cs_shop *cs_shops_at(const cs_shops *s, size_t i);
/* Default thresholds (the handbook's numbers); used by the loader and by
 * unit tests that build a cs_shop by hand. */
void cs_thresholds_defaults(cs_thresholds *th);
/* The platform named "generic", "taobao" or "shopify", or -1. */
int cs_webhook_platform_parse(const char *name);
const char *cs_webhook_platform_name(cs_webhook_platform p);
/* Courier by code in a shop, or NULL. */
const cs_courier *cs_shop_courier(const cs_shop *shop, const char *code);
/* A shop's template override by id, or NULL. */
const cs_template *cs_shop_template(const cs_shop *shop, const char *id);

#endif
