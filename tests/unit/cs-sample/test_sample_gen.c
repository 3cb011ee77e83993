/* test_sample_gen.c -- cs-sample's generator (tools/cs-sample/sample_gen.c):
 * the reviews and after-sales cases of the days after the morning, which
 * scripts/demo.sh counts on: how many of each, on which orders, at which
 * business times, and the same events for the same seed and run id. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "sample_gen.h"

#define START_MS 1794326400000LL /* 2026-11-11T00:00:00+08:00, the default morning */
#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
#define STAGE(x) CS__V1__CASE_STAGE__CASE_STAGE_##x

static cs_sample *sampleNew(const char *run, uint64_t seed, int count) {
    char err[256];
    cs_sample_opts o = {.run_id = run, .seed = seed, .count = count};
    cs_sample *s = cs_sample_new(&o, err, sizeof err);
    if (!s) fprintf(stderr, "  cs_sample_new: %s\n", err);
    return s;
}

/* One phase's events; the messages live in *a until it is reset. */
typedef struct dayEvents {
    cs_sample_event ev[CS_SAMPLE_MAX_DAY_EVENTS];
    int n;
} dayEvents;

static void dayOf(const cs_sample *s, cs_sample_phase ph, cs_sample_arena *a, dayEvents *d) {
    d->n = cs_sample_day_events(s, ph, a, d->ev, CS_SAMPLE_MAX_DAY_EVENTS);
}

static int countWhat(const dayEvents *d, const char *what) {
    int n = 0;
    for (int i = 0; i < d->n; i++) n += strcmp(d->ev[i].what, what) == 0;
    return n;
}

static const Cs__V1__AfterSalesCase *caseOfEvent(const cs_sample_event *e) {
    if (e->env->body_case != CS__V1__ENVELOPE__BODY_AFTERSALES) return NULL;
    const Cs__V1__AfterSalesEvent *a = e->env->aftersales;
    return a->body_case == CS__V1__AFTER_SALES_EVENT__BODY_CASE ? a->case_ : NULL;
}

static bool endsWith(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* What order i's own events say: paid, shipped (and when), cancelled. */
typedef struct orderFacts {
    bool paid, shipped, cancelled;
    int64_t paid_fen, shipped_ms;
    char shop[32];
} orderFacts;

static void factsOf(const cs_sample *s, int i, orderFacts *f) {
    cs_sample_arena a;
    cs_sample_arena_init(&a);
    cs_sample_event evs[CS_SAMPLE_MAX_EVENTS];
    int n = cs_sample_order_events(s, i, &a, evs);
    memset(f, 0, sizeof *f);
    for (int k = 0; k < n; k++) {
        const Cs__V1__OrderEvent *oe = evs[k].env->order;
        if (k == 0) snprintf(f->shop, sizeof f->shop, "%s", evs[k].env->shop_id);
        if (strcmp(evs[k].what, "PAID") == 0) {
            f->paid = true;
            f->paid_fen = oe->order->paid_amount_fen;
        }
        if (strcmp(evs[k].what, "SHIPPED") == 0) {
            f->shipped = true;
            f->shipped_ms = oe->shipment->shipped_ms;
        }
        if (strcmp(evs[k].what, "CANCELLED") == 0) f->cancelled = true;
    }
    cs_sample_arena_reset(&a);
}

static void test_phases_parse_by_name_and_run_in_time_order(void) {
    cs_sample *s = sampleNew("t-phases", 1, 100);
    CT_CHECK(s != NULL);
    if (!s) return;
    static const char *const names[] = {"afternoon", "evening", "day2", "day2pm", "day3"};
    static const int64_t at[] = {START_MS + 14 * HOUR_MS, START_MS + 21 * HOUR_MS + 30 * MIN_MS,
                                 START_MS + DAY_MS + 9 * HOUR_MS, START_MS + DAY_MS + 14 * HOUR_MS,
                                 START_MS + 2 * DAY_MS + 10 * HOUR_MS};
    CT_EQ_INT(CS_SAMPLE_NPHASES, 5);
    for (int k = 0; k < CS_SAMPLE_NPHASES; k++) {
        CT_EQ_INT(cs_sample_phase_parse(names[k]), k);
        CT_EQ_STR(cs_sample_phase_name((cs_sample_phase)k), names[k]);
        CT_EQ_INT(cs_sample_phase_ms(s, (cs_sample_phase)k), at[k]);
    }
    CT_EQ_INT(cs_sample_phase_parse("day4"), -1);
    CT_EQ_INT(cs_sample_phase_parse(NULL), -1);
    cs_sample_free(s);
}

static void test_afternoon_has_five_negative_and_three_neutral_reviews_of_shipped_taobao_orders(void) {
    cs_sample *s = sampleNew("t-reviews", 1, 10000);
    if (!s) return;
    cs_sample_arena a;
    cs_sample_arena_init(&a);
    static dayEvents d;
    dayOf(s, CS_SAMPLE_AFTERNOON, &a, &d);
    CT_EQ_INT(countWhat(&d, "REVIEW_NEGATIVE"), 5);
    CT_EQ_INT(countWhat(&d, "REVIEW_NEUTRAL"), 3);
    CT_EQ_INT(countWhat(&d, "REVIEW_REVISED"), 0);
    int reviews = 0;
    for (int k = 0; k < d.n; k++) {
        const cs_sample_event *e = &d.ev[k];
        if (e->env->body_case != CS__V1__ENVELOPE__BODY_REVIEW) continue;
        const Cs__V1__Review *r = e->env->review;
        reviews++;
        CT_EQ_STR(e->topic, "shop.reviews.v1");
        CT_EQ_STR(e->env->shop_id, "tb-demo");
        CT_CHECK(!r->revision);
        CT_CHECK(r->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE ||
                 r->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL);
        /* RV-4's day 1 is the posting date: 11-11, before the afternoon */
        CT_CHECK(r->posted_ms >= START_MS + 12 * HOUR_MS && r->posted_ms < START_MS + 14 * HOUR_MS);
        CT_EQ_INT(e->env->event_ms, r->posted_ms);
        /* a mainland mobile, so the follow-up SMS has somewhere to go */
        CT_EQ_INT(strlen(r->buyer_phone), 11);
        CT_CHECK(r->buyer_phone[0] == '1' && r->buyer_phone[1] >= '3');
        CT_CHECK(r->item_price_fen > 0 && r->sku[0]);
        /* of an order of the run that shipped before the review */
        int i = cs_sample_order_index(s, r->order_id);
        CT_CHECK(i >= 0);
        if (i < 0) continue;
        orderFacts f;
        factsOf(s, i, &f);
        CT_EQ_STR(f.shop, "tb-demo");
        CT_CHECK(f.shipped && f.shipped_ms < r->posted_ms);
        CT_EQ_STR(e->key + strlen("tb-demo:"), r->order_id);
        for (int q = 0; q < k; q++) /* one review per order, its own id */
            if (d.ev[q].env->body_case == CS__V1__ENVELOPE__BODY_REVIEW) {
                CT_CHECK(strcmp(d.ev[q].env->review->order_id, r->order_id) != 0);
                CT_CHECK(strcmp(d.ev[q].env->review->review_id, r->review_id) != 0);
            }
    }
    CT_EQ_INT(reviews, CS_SAMPLE_REVIEWS);
    cs_sample_arena_reset(&a);
    cs_sample_free(s);
}

static void test_day2_revises_one_negative_and_one_neutral_review_before_the_send_time(void) {
    cs_sample *s = sampleNew("t-revisions", 1, 10000);
    if (!s) return;
    cs_sample_arena a;
    cs_sample_arena_init(&a);
    static dayEvents pm, d2;
    dayOf(s, CS_SAMPLE_AFTERNOON, &a, &pm);
    dayOf(s, CS_SAMPLE_DAY2, &a, &d2);
    CT_EQ_INT(countWhat(&d2, "REVIEW_REVISED"), CS_SAMPLE_REVISIONS);
    int negative = 0, neutral = 0;
    for (int k = 0; k < d2.n; k++) {
        if (d2.ev[k].env->body_case != CS__V1__ENVELOPE__BODY_REVIEW) continue;
        const Cs__V1__Review *r = d2.ev[k].env->review;
        CT_CHECK(r->revision);
        CT_CHECK(r->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_POSITIVE);
        /* day 2, from 09:00 and before the 10:00 send time (RV-5) */
        CT_CHECK(d2.ev[k].env->event_ms >= START_MS + DAY_MS + 9 * HOUR_MS);
        CT_CHECK(d2.ev[k].env->event_ms < START_MS + DAY_MS + 10 * HOUR_MS);
        const Cs__V1__Review *orig = NULL;
        for (int q = 0; q < pm.n; q++)
            if (pm.ev[q].env->body_case == CS__V1__ENVELOPE__BODY_REVIEW &&
                strcmp(pm.ev[q].env->review->review_id, r->review_id) == 0)
                orig = pm.ev[q].env->review;
        CT_CHECK(orig != NULL);
        if (!orig) continue;
        CT_EQ_STR(r->order_id, orig->order_id);
        CT_EQ_INT(r->posted_ms, orig->posted_ms); /* its day 1 stays 11-11 */
        negative += orig->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE;
        neutral += orig->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_NEUTRAL;
    }
    CT_EQ_INT(negative, 1);
    CT_EQ_INT(neutral, 1);
    cs_sample_arena_reset(&a);
    cs_sample_free(s);
}

static void test_day2pm_one_negative_reviewer_not_revised_replies_td_after_the_sms(void) {
    cs_sample *s = sampleNew("t-optout", 1, 10000);
    if (!s) return;
    cs_sample_arena a;
    cs_sample_arena_init(&a);
    static dayEvents pm, d2, d2pm;
    dayOf(s, CS_SAMPLE_AFTERNOON, &a, &pm);
    dayOf(s, CS_SAMPLE_DAY2, &a, &d2);
    dayOf(s, CS_SAMPLE_DAY2PM, &a, &d2pm);
    CT_EQ_INT(countWhat(&d2pm, "SMS_OPT_OUT"), 1);
    for (int k = 0; k < d2pm.n; k++) {
        if (strcmp(d2pm.ev[k].what, "SMS_OPT_OUT") != 0) continue;
        const Cs__V1__InboundSms *sms = d2pm.ev[k].env->contact->sms;
        CT_EQ_STR(sms->text, "退订");
        CT_CHECK(d2pm.ev[k].env->event_ms > START_MS + DAY_MS + 10 * HOUR_MS); /* after the day-2 SMS */
        CT_CHECK(d2pm.ev[k].env->event_ms < START_MS + 2 * DAY_MS);            /* before day 3's */
        const Cs__V1__Review *r = NULL;
        for (int q = 0; q < pm.n; q++)
            if (pm.ev[q].env->body_case == CS__V1__ENVELOPE__BODY_REVIEW &&
                strcmp(pm.ev[q].env->review->buyer_phone, sms->from_phone) == 0)
                r = pm.ev[q].env->review;
        CT_CHECK(r != NULL);
        if (!r) continue;
        /* a negative review (a day-3 SMS was due), never revised */
        CT_CHECK(r->rating == CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE);
        for (int q = 0; q < d2.n; q++)
            if (d2.ev[q].env->body_case == CS__V1__ENVELOPE__BODY_REVIEW)
                CT_CHECK(strcmp(d2.ev[q].env->review->review_id, r->review_id) != 0);
    }
    cs_sample_arena_reset(&a);
    cs_sample_free(s);
}

static void test_case_events_by_phase(void) {
    cs_sample *s = sampleNew("t-cases", 1, 10000);
    if (!s) return;
    cs_sample_arena a;
    cs_sample_arena_init(&a);
    static dayEvents d;
    /* phase: requested, agreed, buyer shipped, received, refunded, reshipped */
    static const int want[CS_SAMPLE_NPHASES][6] = {
        [CS_SAMPLE_AFTERNOON] = {9, 6, 0, 0, 4, 0}, [CS_SAMPLE_EVENING] = {0, 0, 0, 0, 0, 0},
        [CS_SAMPLE_DAY2] = {0, 1, 2, 0, 0, 0},      [CS_SAMPLE_DAY2PM] = {0, 1, 0, 0, 1, 0},
        [CS_SAMPLE_DAY3] = {0, 0, 0, 2, 1, 1},
    };
    static const char *const what[6] = {"CASE_REQUESTED",       "CASE_AGREED",   "CASE_BUYER_SHIPPED",
                                        "CASE_RETURN_RECEIVED", "CASE_REFUNDED", "CASE_RESHIPPED"};
    for (int ph = 0; ph < CS_SAMPLE_NPHASES; ph++) {
        dayOf(s, (cs_sample_phase)ph, &a, &d);
        CT_CHECK(d.n < CS_SAMPLE_MAX_DAY_EVENTS); /* nothing cut off */
        for (int w = 0; w < 6; w++) {
            if (countWhat(&d, what[w]) != want[ph][w])
                fprintf(stderr, "  phase %s: %s\n", cs_sample_phase_name((cs_sample_phase)ph), what[w]);
            CT_EQ_INT(countWhat(&d, what[w]), want[ph][w]);
        }
        for (int k = 0; k < d.n; k++) { /* every case event is dated in its phase or after */
            const Cs__V1__AfterSalesCase *c = caseOfEvent(&d.ev[k]);
            if (!c || strstr(c->case_id, "-OOS")) continue;
            CT_CHECK(d.ev[k].env->event_ms >= cs_sample_phase_ms(s, (cs_sample_phase)ph));
            CT_CHECK(c->requested_ms > 0 && c->requested_ms <= d.ev[k].env->event_ms);
            CT_CHECK(cs_sample_order_index(s, c->order_id) >= 0);
        }
        cs_sample_arena_reset(&a);
    }
    cs_sample_free(s);
}

static void test_rf9_refund_only_requests_are_on_paid_unshipped_taobao_orders_and_refunded(void) {
    cs_sample *s = sampleNew("t-promo", 1, 10000);
    if (!s) return;
    cs_sample_arena a;
    cs_sample_arena_init(&a);
    static dayEvents d;
    dayOf(s, CS_SAMPLE_AFTERNOON, &a, &d);
    int cases = 0;
    for (int k = 0; k < d.n; k++) {
        const Cs__V1__AfterSalesCase *c = caseOfEvent(&d.ev[k]);
        if (!c || !strstr(c->case_id, "-PRM") || endsWith(c->case_id, "PRM05") || c->stage != STAGE(REQUESTED))
            continue;
        cases++;
        CT_EQ_STR(d.ev[k].env->shop_id, "tb-demo");
        CT_EQ_INT(c->type, CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY);
        CT_EQ_INT(c->logistics, CS__V1__LOGISTICS_STATE__LOGISTICS_STATE_NOT_SHIPPED);
        orderFacts f;
        factsOf(s, cs_sample_order_index(s, c->order_id), &f);
        CT_CHECK(f.paid && !f.shipped && !f.cancelled);
        CT_EQ_INT(c->amount_fen, f.paid_fen);
        /* the platform's agreement and the refund follow, later the same afternoon */
        int64_t agreed = 0, refunded = 0;
        for (int q = 0; q < d.n; q++) {
            const Cs__V1__AfterSalesCase *o = caseOfEvent(&d.ev[q]);
            if (!o || strcmp(o->case_id, c->case_id) != 0) continue;
            if (o->stage == STAGE(AGREED)) agreed = d.ev[q].env->event_ms;
            if (o->stage == STAGE(REFUNDED)) refunded = d.ev[q].env->event_ms;
        }
        CT_CHECK(d.ev[k].env->event_ms < agreed && agreed < refunded);
        CT_CHECK(refunded < START_MS + 16 * HOUR_MS);
    }
    CT_EQ_INT(cases, CS_SAMPLE_PROMO_REFUNDS);
    /* and one refund-only request on a shipped order: no auto-agreement for it */
    int shipped = 0;
    for (int k = 0; k < d.n; k++) {
        const Cs__V1__AfterSalesCase *c = caseOfEvent(&d.ev[k]);
        if (!c || !endsWith(c->case_id, "PRM05")) continue;
        shipped++;
        orderFacts f;
        factsOf(s, cs_sample_order_index(s, c->order_id), &f);
        CT_CHECK(f.shipped);
        CT_EQ_STR(f.shop, "tb-demo");
    }
    CT_EQ_INT(shipped, 1);
    cs_sample_arena_reset(&a);
    cs_sample_free(s);
}

static void test_rf2_return_agreed_on_day_2_is_never_shipped_back(void) {
    cs_sample *s = sampleNew("t-unshipped", 1, 10000);
    if (!s) return;
    cs_sample_arena a;
    cs_sample_arena_init(&a);
    static dayEvents d;
    int events = 0;
    for (int ph = 0; ph < CS_SAMPLE_NPHASES; ph++) {
        dayOf(s, (cs_sample_phase)ph, &a, &d);
        for (int k = 0; k < d.n; k++) {
            const Cs__V1__AfterSalesCase *c = caseOfEvent(&d.ev[k]);
            if (!c || !endsWith(c->case_id, "-RET01")) continue;
            events++;
            CT_EQ_INT(c->type, CS__V1__CASE_TYPE__CASE_TYPE_RETURN_REFUND);
            if (ph == CS_SAMPLE_AFTERNOON) CT_EQ_INT(c->stage, STAGE(REQUESTED));
            if (ph == CS_SAMPLE_DAY2) {
                CT_EQ_INT(c->stage, STAGE(AGREED));
                /* agreed 09:20 on day 2: RF-2's 2 x 24 h end on day 4 */
                CT_EQ_INT(d.ev[k].env->event_ms, START_MS + DAY_MS + 9 * HOUR_MS + 20 * MIN_MS);
            }
            CT_CHECK(ph == CS_SAMPLE_AFTERNOON || ph == CS_SAMPLE_DAY2);
        }
        cs_sample_arena_reset(&a);
    }
    CT_EQ_INT(events, 2);
    cs_sample_free(s);
}

/* Every phase packed, in order, into one buffer. */
static uint8_t *packedDays(const cs_sample *s, size_t *len) {
    cs_sample_arena a;
    cs_sample_arena_init(&a);
    static dayEvents d;
    uint8_t *all = NULL;
    *len = 0;
    for (int ph = 0; ph < CS_SAMPLE_NPHASES; ph++) {
        dayOf(s, (cs_sample_phase)ph, &a, &d);
        for (int k = 0; k < d.n; k++) {
            size_t n;
            uint8_t *b = cs_sample_pack(d.ev[k].env, &n);
            all = realloc(all, *len + n + strlen(d.ev[k].key) + 1);
            if (!all) abort();
            memcpy(all + *len, b, n);
            memcpy(all + *len + n, d.ev[k].key, strlen(d.ev[k].key) + 1);
            *len += n + strlen(d.ev[k].key) + 1;
            free(b);
        }
        cs_sample_arena_reset(&a);
    }
    return all;
}

static void test_days_are_the_same_for_the_same_seed_and_run_id(void) {
    cs_sample *s1 = sampleNew("t-same", 7, 3000), *s2 = sampleNew("t-same", 7, 3000);
    if (!s1 || !s2) return;
    size_t n1, n2;
    uint8_t *b1 = packedDays(s1, &n1), *b2 = packedDays(s2, &n2);
    CT_CHECK(n1 > 0);
    CT_EQ_INT(n1, n2);
    CT_CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0);
    free(b1);
    free(b2);
    cs_sample_free(s1);
    cs_sample_free(s2);
}

static void test_event_ids_are_unique_across_the_days_and_never_shared_between_runs(void) {
    static const char *const runs[2] = {"t-run-a", "t-run-b"};
    static char ids[2][5 * CS_SAMPLE_MAX_DAY_EVENTS][CS_SAMPLE_KEY_LEN];
    int n[2] = {0, 0};
    for (int r = 0; r < 2; r++) {
        cs_sample *s = sampleNew(runs[r], 1, 10000);
        if (!s) return;
        cs_sample_arena a;
        cs_sample_arena_init(&a);
        static dayEvents d;
        for (int ph = 0; ph < CS_SAMPLE_NPHASES; ph++) {
            dayOf(s, (cs_sample_phase)ph, &a, &d);
            for (int k = 0; k < d.n; k++) snprintf(ids[r][n[r]++], CS_SAMPLE_KEY_LEN, "%s", d.ev[k].env->event_id);
            cs_sample_arena_reset(&a);
        }
        cs_sample_free(s);
    }
    int dup = 0, shared = 0;
    for (int i = 0; i < n[0]; i++) {
        for (int j = i + 1; j < n[0]; j++) dup += strcmp(ids[0][i], ids[0][j]) == 0;
        for (int j = 0; j < n[1]; j++) shared += strcmp(ids[0][i], ids[1][j]) == 0;
    }
    CT_EQ_INT(n[0], n[1]);
    CT_EQ_INT(dup, 0);
    CT_EQ_INT(shared, 0);
}

static void test_a_smaller_run_still_reviews_revises_opts_out_and_escalates(void) {
    /* DEMO_COUNT=2000, the size used while iterating on the demo */
    cs_sample *s = sampleNew("t-small", 1, 2000);
    if (!s) return;
    cs_sample_arena a;
    cs_sample_arena_init(&a);
    static dayEvents d;
    dayOf(s, CS_SAMPLE_AFTERNOON, &a, &d);
    CT_EQ_INT(countWhat(&d, "REVIEW_NEGATIVE") + countWhat(&d, "REVIEW_NEUTRAL"), CS_SAMPLE_REVIEWS);
    CT_EQ_INT(countWhat(&d, "CASE_REQUESTED"), 9);
    cs_sample_arena_reset(&a);
    dayOf(s, CS_SAMPLE_DAY2, &a, &d);
    CT_EQ_INT(countWhat(&d, "REVIEW_REVISED"), CS_SAMPLE_REVISIONS);
    CT_EQ_INT(countWhat(&d, "CASE_AGREED"), 1);
    cs_sample_arena_reset(&a);
    dayOf(s, CS_SAMPLE_DAY2PM, &a, &d);
    CT_EQ_INT(countWhat(&d, "SMS_OPT_OUT"), 1);
    cs_sample_arena_reset(&a);
    cs_sample_free(s);
}

CT_MAIN(CT_CASE(test_phases_parse_by_name_and_run_in_time_order),
        CT_CASE(test_afternoon_has_five_negative_and_three_neutral_reviews_of_shipped_taobao_orders),
        CT_CASE(test_day2_revises_one_negative_and_one_neutral_review_before_the_send_time),
        CT_CASE(test_day2pm_one_negative_reviewer_not_revised_replies_td_after_the_sms),
        CT_CASE(test_case_events_by_phase),
        CT_CASE(test_rf9_refund_only_requests_are_on_paid_unshipped_taobao_orders_and_refunded),
        CT_CASE(test_rf2_return_agreed_on_day_2_is_never_shipped_back),
        CT_CASE(test_days_are_the_same_for_the_same_seed_and_run_id),
        CT_CASE(test_event_ids_are_unique_across_the_days_and_never_shared_between_runs),
        CT_CASE(test_a_smaller_run_still_reviews_revises_opts_out_and_escalates))
