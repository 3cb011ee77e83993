/* it_reviews.c -- the review-scheduler against the real stack, on the
 * Redis clock, with the real timer-dispatcher and notifier (its log
 * provider: every send is a `messages` row with status 'sent').
 *
 * One sample week in tb-demo (Asia/Shanghai), four reviews posted on
 * 11-20 at 18:30 local (day 1), each by its own buyer and number:
 *   A  negative, never revised: a call task on day 1 (buyer offline), one
 *      follow-up SMS on 11-21 and one on 11-22 at the send time (10:00),
 *      nothing on 11-23 or later, and the outcome "no answer" (RV-2, RV-4,
 *      RV-6); delivered twice, it opens one case (RV-1);
 *   B  negative, revised on 11-21 at 09:00, before the send time: no SMS
 *      at all, its timers cancelled, outcome "revised" (RV-5);
 *   C  neutral, never revised: one SMS, on day 2 (RV-4);
 *   D  negative, the buyer online (an IM task, not a call), replies 退订
 *      after the day-2 SMS: no day-3 SMS, while a service message (a
 *      refund notice) to the same number still goes (RV-5, NT-4);
 *   E  positive: no case.
 * And an agent's case update: the buyer of F marked difficult (RV-3),
 * then the case closed "refused" (RV-5/RV-6), its follow-ups cancelled. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cs/clock.h"
#include "cs/tz.h"
#include "cs/v1/state.pb-c.h"
#include "it.h"

#define RV_NAME "review-scheduler"
#define RATING(r) CS__V1__REVIEW_RATING__REVIEW_RATING_##r
#define MIN_MS 60000LL
#define HOUR_MS 3600000LL

static int64_t shanghai(int y, int m, int d, int hh, int mm) {
    char err[128];
    static cs_tz *tz;
    if (!tz) tz = cs_tz_load("Asia/Shanghai", err, sizeof err);
    return cs_tz_instant(tz, cs_day_from_ymd(y, m, d), hh * 60 + mm);
}

/* A mobile number unique to this run: 137 + 8 digits. */
static void numberFor(char *out, size_t len, int k) {
    static unsigned base;
    if (!base) base = (unsigned)((getpid() * 7919u + (unsigned)it_wall_ms()) % 90000000u);
    snprintf(out, len, "137%08u", (base + (unsigned)k * 1013u) % 100000000u);
}

/* Review REV<tag> of order RV<tag> by the buyer of buyer_tag. */
static int produceReviewBy(const char *run, const char *tag, const char *buyer_tag, Cs__V1__ReviewRating rating,
                           bool revision, const char *phone, int64_t posted_ms, const char *event_id,
                           int64_t event_ms) {
    char order[96], review[96], buyer[96];
    snprintf(order, sizeof order, "RV%s-%s", tag, run);
    snprintf(review, sizeof review, "REV%s-%s", tag, run);
    snprintf(buyer, sizeof buyer, "buyer-%s-%s", buyer_tag, run);
    Cs__V1__Review r = CS__V1__REVIEW__INIT;
    r.review_id = review;
    r.order_id = order;
    r.buyer_id = buyer;
    r.sku = (char *)"SKU-RV";
    r.rating = rating;
    r.text = (char *)"物流太慢";
    r.dislike = CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE;
    r.posted_ms = posted_ms;
    r.item_price_fen = 2999;
    r.revision = revision;
    r.buyer_phone = (char *)phone;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.event_id = (char *)event_id;
    env.shop_id = (char *)"tb-demo";
    env.event_ms = event_ms;
    env.ingest_ms = it_wall_ms();
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_REVIEW;
    env.review = &r;
    char key[256];
    snprintf(key, sizeof key, "tb-demo:%s", order);
    return it_produce_env("shop.reviews.v1", -1, key, &env, NULL);
}

static int produceReview(const char *run, const char *tag, Cs__V1__ReviewRating rating, bool revision,
                         const char *phone, int64_t posted_ms, const char *event_id, int64_t event_ms) {
    return produceReviewBy(run, tag, tag, rating, revision, phone, posted_ms, event_id, event_ms);
}

static int produceContact(const char *key, Cs__V1__ContactEvent *c, const char *event_id, int64_t event_ms) {
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.event_id = (char *)event_id;
    env.shop_id = (char *)"tb-demo";
    env.event_ms = event_ms;
    env.ingest_ms = it_wall_ms();
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_CONTACT;
    env.contact = c;
    return it_produce_env("shop.contacts.v1", -1, key, &env, NULL);
}

static int producePresence(const char *run, const char *tag, bool online, const char *event_id, int64_t event_ms) {
    char buyer[96], key[160];
    snprintf(buyer, sizeof buyer, "buyer-%s-%s", tag, run);
    snprintf(key, sizeof key, "tb-demo:%s", buyer);
    Cs__V1__Presence p = CS__V1__PRESENCE__INIT;
    p.buyer_id = buyer;
    p.online = online;
    Cs__V1__ContactEvent c = CS__V1__CONTACT_EVENT__INIT;
    c.body_case = CS__V1__CONTACT_EVENT__BODY_PRESENCE;
    c.presence = &p;
    return produceContact(key, &c, event_id, event_ms);
}

static int produceReply(const char *phone, const char *text, const char *event_id, int64_t event_ms) {
    char key[160];
    snprintf(key, sizeof key, "tb-demo:%s", phone);
    Cs__V1__InboundSms s = CS__V1__INBOUND_SMS__INIT;
    s.from_phone = (char *)phone;
    s.text = (char *)text;
    Cs__V1__ContactEvent c = CS__V1__CONTACT_EVENT__INIT;
    c.body_case = CS__V1__CONTACT_EVENT__BODY_SMS;
    c.sms = &s;
    return produceContact(key, &c, event_id, event_ms);
}

static int produceUpdate(const char *run, const char *tag, bool difficult, Cs__V1__CaseOutcome outcome,
                         const char *event_id, int64_t event_ms) {
    char order[96], review[96], key[160];
    snprintf(order, sizeof order, "RV%s-%s", tag, run);
    snprintf(review, sizeof review, "REV%s-%s", tag, run);
    snprintf(key, sizeof key, "tb-demo:%s", order);
    Cs__V1__CaseUpdate u = CS__V1__CASE_UPDATE__INIT;
    u.case_id = review;
    u.order_id = order;
    u.agent = (char *)"小李";
    u.buyer_difficult = difficult;
    u.outcome = outcome;
    Cs__V1__ContactEvent c = CS__V1__CONTACT_EVENT__INIT;
    c.body_case = CS__V1__CONTACT_EVENT__BODY_CASE_UPDATE;
    c.case_update = &u;
    return produceContact(key, &c, event_id, event_ms);
}

/* A service-class notice (a refund notice, as the refund-notifier asks
 * for one) to phone, straight onto cs.notifications.v1. */
static int produceServiceNotice(const char *run, const char *phone, const char *key) {
    char order[96];
    snprintf(order, sizeof order, "RVD-%s", run);
    Cs__V1__NotificationRequest req = CS__V1__NOTIFICATION_REQUEST__INIT;
    req.idempotency_key = (char *)key;
    req.order_id = order;
    req.to = (char *)phone;
    req.channel = CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS;
    req.class_ = CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE;
    req.template_ = (char *)"refund_done";
    req.rule = (char *)"RF-8";
    Cs__V1__NotificationRequest__ParamsEntry e[3];
    Cs__V1__NotificationRequest__ParamsEntry *pe[3] = {&e[0], &e[1], &e[2]};
    const char *kv[3][2] = {{"order_id", order}, {"amount", "29.99"}, {"agent", "小王"}};
    for (int i = 0; i < 3; i++) {
        cs__v1__notification_request__params_entry__init(&e[i]);
        e[i].key = (char *)kv[i][0];
        e[i].value = (char *)kv[i][1];
    }
    req.n_params = 3;
    req.params = pe;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.event_id = (char *)key;
    env.shop_id = (char *)"tb-demo";
    env.event_ms = it_wall_ms();
    env.ingest_ms = it_wall_ms();
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_NOTIFICATION;
    env.notification = &req;
    char k[200];
    snprintf(k, sizeof k, "tb-demo:%s", order);
    return it_produce_env("cs.notifications.v1", -1, k, &env, NULL);
}

/* Follow-up SMS sent for the order of tag, between from and to (business ms). */
static long long followUps(const char *run, const char *tag, int64_t from, int64_t to) {
    return it_pg_int("SELECT count(*) FROM messages WHERE shop_id = 'tb-demo' AND order_id = 'RV%s-%s' AND "
                     "template = 'review_follow_up' AND status = 'sent' AND sent_ms >= %lld AND sent_ms < %lld",
                     tag, run, (long long)from, (long long)to);
}

/* Follow-up rows of the order of tag in status (any status: NULL). The
 * follow-ups are requested when the case opens and held by the notifier
 * until their send time (RV-4), so a case has its rows from day 1. */
static long long followUpRows(const char *run, const char *tag, const char *status) {
    return it_pg_int("SELECT count(*) FROM messages WHERE shop_id = 'tb-demo' AND order_id = 'RV%s-%s' AND "
                     "template = 'review_follow_up' AND status LIKE '%s'",
                     tag, run, status ? status : "%");
}

/* Follow-ups of the order of tag that a release sweep would still find:
 * held, or cancelled with their release time or sweep bucket left on the
 * row (a cancel clears both; docs/notifier.md). */
static long long pendingReleases(const char *run, const char *tag) {
    return it_pg_int("SELECT count(*) FROM messages WHERE shop_id = 'tb-demo' AND order_id = 'RV%s-%s' AND "
                     "(status = 'held' OR (status = 'cancelled' AND (release_ms IS NOT NULL OR "
                     "release_bucket IS NOT NULL)))",
                     tag, run);
}

static bool caseStage(const char *run, const char *tag, const char *stage) {
    char got[64] = "";
    for (int i = 0; i < 300; i++) {
        if (it_pg_text(got, sizeof got,
                       "SELECT stage FROM cases WHERE shop_id = 'tb-demo' AND kind = 'review' AND case_id = 'REV%s-%s'",
                       tag, run) &&
            strcmp(got, stage) == 0)
            return true;
        it_sleep_ms(100);
    }
    fprintf(stderr, "  case REV%s-%s: stage '%s', want '%s'\n", tag, run, got, stage);
    return false;
}

static long long processed(const char *worker, const char *event_id) {
    return it_wait_pg(IT_EQ, 1, 60000, "SELECT count(*) FROM processed_events WHERE worker = '%s' AND event_id = '%s'",
                      worker, event_id);
}

/* The clock to t, and time for every timer due by then to fire and its
 * follow-up to be sent: waits until no timer of the run is pending at or
 * before t and the workers have caught up. */
static void clockTo(const char *run, int64_t t) {
    IT_REQUIRE(it_clock_set(t) == 0);
    it_wait_pg(IT_EQ, 0, 60000,
               "SELECT count(*) FROM timers WHERE owner = '" RV_NAME "' AND status = 'pending' AND due_ms <= %lld AND "
               "timer_id LIKE '%%-%s'",
               (long long)t, run);
    it_sleep_ms(1500); /* the fired timer's follow-up through the notifier */
}

/* Back to real time: the key and its record (deleting the key alone
 * would have it restored from the record). */
static void clockRelease(void) { it_clock_reset(); }

static bool startWorkers(it_worker *td, it_worker *rv, it_worker *nt, const char *run) {
    char g1[96], g2[96], tpl[1200], state[1200];
    snprintf(g1, sizeof g1, "CS_GROUP_ID=" RV_NAME "-%s", run);
    snprintf(g2, sizeof g2, "CS_GROUP_ID=notifier-rv-%s", run);
    snprintf(tpl, sizeof tpl, "CS_NOTIFIER_TEMPLATES=%s/workers/notifier/templates/zh-CN.json", it.source_dir);
    snprintf(state, sizeof state, "CS_STATE_DIR=%s/rv-%s", it.log_dir, run);
    it_sh("mkdir -p '%s/rv-%s'", it.log_dir, run);
    if (!it_group_at_end(g1) || !it_group_at_end(g2)) return false; /* not the suite's history first */
    if (it_worker_start_bin(td, "timer-dispatcher", "td-rv", NULL, (const char *[]){"CS_CLOCK=redis", NULL}) != 0)
        return false;
    if (it_worker_start_bin(rv, RV_NAME, "rv", NULL, (const char *[]){"CS_CLOCK=redis", g1, NULL}) != 0) return false;
    if (it_worker_start_bin(nt, "notifier", "nt-rv", NULL,
                            (const char *[]){"CS_CLOCK=redis", g2, tpl, state, "CS_SMS_URL=", "CS_IM_URL=",
                                             "CS_BATCH_WAIT_MS=5", NULL}) != 0)
        return false;
    if (!it_worker_wait_assigned(rv, 60000) || !it_worker_wait_assigned(nt, 60000)) {
        fprintf(stderr, "  workers got no partitions (logs %s, %s)\n", rv->log, nt->log);
        return false;
    }
    return true;
}

static void test_rv1_to_rv6_a_week_of_follow_ups_on_the_redis_clock(void) {
    char run[32], eid[160], pa[32], pb[32], pc[32], pd[32], pf[32];
    it_run_id(run, sizeof run);
    numberFor(pa, sizeof pa, 1);
    numberFor(pb, sizeof pb, 2);
    numberFor(pc, sizeof pc, 3);
    numberFor(pd, sizeof pd, 4);
    numberFor(pf, sizeof pf, 6);
    const int64_t posted = shanghai(2026, 11, 20, 18, 30);
    const int64_t d2 = shanghai(2026, 11, 21, 0, 0), d3 = shanghai(2026, 11, 22, 0, 0),
                  d4 = shanghai(2026, 11, 23, 0, 0), d6 = shanghai(2026, 11, 25, 0, 0);
    IT_REQUIRE(it_clock_set(posted + MIN_MS) == 0);
    it_worker td, rv, nt;
    if (!startWorkers(&td, &rv, &nt, run)) {
        clockRelease();
        IT_REQUIRE(false);
    }

    /* day 1: D's buyer is online; the reviews (A twice) */
    snprintf(eid, sizeof eid, "%s-pres-D", run);
    CT_EQ_INT(producePresence(run, "D", true, eid, posted - MIN_MS), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(RV_NAME, eid), 1);
    struct {
        const char *tag;
        Cs__V1__ReviewRating rating;
        const char *phone;
    } reviews[] = {{"A", RATING(NEGATIVE), pa}, {"A", RATING(NEGATIVE), pa}, {"B", RATING(NEGATIVE), pb},
                   {"C", RATING(NEUTRAL), pc},  {"D", RATING(NEGATIVE), pd}, {"E", RATING(POSITIVE), pa},
                   {"F", RATING(NEGATIVE), pf}};
    for (size_t i = 0; i < sizeof reviews / sizeof reviews[0]; i++) {
        snprintf(eid, sizeof eid, "%s-review-%s-%zu", run, reviews[i].tag, i);
        CT_EQ_INT(produceReview(run, reviews[i].tag, reviews[i].rating, false, reviews[i].phone, posted, eid, posted),
                  0);
    }
    CT_EQ_INT(it_flush(10000), 0);
    snprintf(eid, sizeof eid, "%s-review-F-6", run);
    CT_EQ_INT(processed(RV_NAME, eid), 1);
    /* RV-1: one case per neutral or negative review, none for the positive */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM cases WHERE kind = 'review' AND case_id LIKE 'REV_-%s'", run), 5);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM cases WHERE kind = 'review' AND case_id = 'REVA-%s'", run), 1);
    /* RV-2: a call task for the offline buyer, an IM task for the online one */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE order_id = 'RVA-%s' AND rule = 'RV-2' AND kind = 'TASK_KIND_CALL'",
                        run),
              1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE order_id = 'RVD-%s' AND rule = 'RV-2' AND kind = 'TASK_KIND_REVIEW'",
                        run),
              1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE order_id = 'RVE-%s'", run), 0);
    /* RV-3: 29.99 CNY is under 30: partial refund or gift ... */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE order_id = 'RVA-%s' AND summary LIKE '%%partial refund%%'",
                        run),
              1);
    /* ... until an agent marks F's buyer difficult: then return or exchange */
    snprintf(eid, sizeof eid, "%s-update-F-difficult", run);
    CT_EQ_INT(produceUpdate(run, "F", true, CS__V1__CASE_OUTCOME__CASE_OUTCOME_UNSPECIFIED, eid, posted + MIN_MS), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(RV_NAME, eid), 1);
    CT_CHECK(caseStage(run, "F", "open"));
    /* the mark is the buyer's: F's buyer's next review (G, 29.99 CNY too)
     * proposes a return or exchange from its first contact */
    snprintf(eid, sizeof eid, "%s-review-G", run);
    CT_EQ_INT(produceReviewBy(run, "G", "F", RATING(NEUTRAL), false, pf, posted, eid, posted + 2 * MIN_MS), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(RV_NAME, eid), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE order_id = 'RVG-%s' AND rule = 'RV-2' AND "
                        "summary LIKE '%%difficult buyer%%' AND summary LIKE '%%return or an exchange%%'",
                        run),
              1);

    /* day 2, 09:00: B revised before the send time; F closed "refused" */
    clockTo(run, shanghai(2026, 11, 21, 9, 0));
    snprintf(eid, sizeof eid, "%s-review-B-revised", run);
    CT_EQ_INT(produceReview(run, "B", RATING(POSITIVE), true, pb, posted, eid, shanghai(2026, 11, 21, 9, 0)), 0);
    snprintf(eid, sizeof eid, "%s-update-F-refused", run);
    CT_EQ_INT(produceUpdate(run, "F", false, CS__V1__CASE_OUTCOME__CASE_OUTCOME_REFUSED, eid,
                            shanghai(2026, 11, 21, 9, 0)),
              0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(RV_NAME, eid), 1);
    CT_CHECK(caseStage(run, "B", "revised"));
    CT_CHECK(caseStage(run, "F", "refused"));
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner = '" RV_NAME "' AND status = 'pending' AND "
                        "timer_id LIKE '%%:REVB-%s'",
                        run),
              0);
    /* RV-5 at once: what the notifier held for B and F (days 2 and 3) is
     * cancelled before the send time, out of its sweeps */
    CT_EQ_INT(it_wait_pg(IT_EQ, 2, 30000,
                         "SELECT count(*) FROM messages WHERE order_id = 'RVB-%s' AND status = 'cancelled' AND "
                         "reason = 'RV-5 CASE_CLOSED (revised)'",
                         run),
              2);
    CT_EQ_INT(it_wait_pg(IT_EQ, 2, 30000,
                         "SELECT count(*) FROM messages WHERE order_id = 'RVF-%s' AND status = 'cancelled' AND "
                         "reason = 'RV-5 CASE_CLOSED (refused)'",
                         run),
              2);
    CT_EQ_INT(followUpRows(run, "B", "held"), 0);
    CT_EQ_INT(pendingReleases(run, "B"), 0);
    CT_EQ_INT(pendingReleases(run, "F"), 0);

    /* day 2, the send time: A, C and D get their SMS */
    clockTo(run, shanghai(2026, 11, 21, 10, 0));
    it_wait_pg(IT_EQ, 3, 30000,
               "SELECT count(*) FROM messages WHERE template = 'review_follow_up' AND status = 'sent' AND "
               "order_id IN ('RVA-%s', 'RVC-%s', 'RVD-%s')",
               run, run, run);
    CT_EQ_INT(followUps(run, "A", d2, d3), 1);
    /* at the send time: the clock stands at 10:00 */
    CT_EQ_INT(followUps(run, "A", shanghai(2026, 11, 21, 10, 0), shanghai(2026, 11, 21, 10, 0) + 1), 1);
    CT_EQ_INT(followUps(run, "C", d2, d3), 1);
    CT_EQ_INT(followUps(run, "D", d2, d3), 1);
    CT_EQ_INT(followUpRows(run, "B", "sent"), 0);
    CT_EQ_INT(followUpRows(run, "F", "sent"), 0);

    /* D replies 退订; a refund notice to D still goes (service class) */
    IT_REQUIRE(it_clock_set(shanghai(2026, 11, 21, 12, 0)) == 0);
    snprintf(eid, sizeof eid, "%s-reply-D", run);
    CT_EQ_INT(produceReply(pd, "退订", eid, shanghai(2026, 11, 21, 12, 0)), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(RV_NAME, eid), 1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM messages WHERE order_id = 'RVD-%s' AND status = 'cancelled' AND "
                         "reason = 'RV-5 OPTED_OUT'",
                         run),
              1);
    char key[160];
    snprintf(key, sizeof key, "%s-refund-notice-D", run);
    CT_EQ_INT(produceServiceNotice(run, pd, key), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM messages WHERE idempotency_key = '%s' AND status = 'sent'", key),
              1);

    /* day 3: A only (negative, not revised, not opted out) */
    clockTo(run, shanghai(2026, 11, 22, 10, 0));
    it_wait_pg(IT_EQ, 1, 30000,
               "SELECT count(*) FROM messages WHERE template = 'review_follow_up' AND status = 'sent' AND "
               "order_id = 'RVA-%s' AND sent_ms >= %lld",
               run, (long long)d3);
    CT_EQ_INT(followUps(run, "A", d3, d4), 1);
    CT_EQ_INT(followUps(run, "A", shanghai(2026, 11, 22, 10, 0), shanghai(2026, 11, 22, 10, 0) + 1), 1);
    CT_EQ_INT(followUps(run, "C", d3, d6), 0);
    /* D: day 2's sent; day 3's, held, cancelled by the opt-out at once */
    CT_EQ_INT(followUpRows(run, "D", "sent"), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE order_id = 'RVD-%s' AND status = 'cancelled' AND "
                        "reason = 'RV-5 OPTED_OUT'",
                        run),
              1);
    CT_EQ_INT(pendingReleases(run, "D"), 0);

    /* day 4 and after: nothing more; A ends "no answer" */
    clockTo(run, shanghai(2026, 11, 23, 10, 0) + MIN_MS);
    clockTo(run, shanghai(2026, 11, 24, 10, 0) + MIN_MS);
    CT_CHECK(caseStage(run, "A", "no_answer"));
    CT_CHECK(caseStage(run, "C", "no_answer"));
    CT_EQ_INT(followUps(run, "A", d4, d6), 0);
    CT_EQ_INT(followUpRows(run, "A", NULL), 2);
    CT_EQ_INT(followUpRows(run, "A", "sent"), 2);
    CT_EQ_INT(followUpRows(run, "C", NULL), 1);
    CT_EQ_INT(followUpRows(run, "C", "sent"), 1);
    CT_EQ_INT(followUpRows(run, "B", "sent"), 0);

    CT_EQ_INT(it_worker_stop(&rv, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&nt, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&td, SIGTERM, 30000), 0);
    clockRelease();
}

/* A revision that overtakes its review: the late original opens nothing
 * to follow up (the case is stored revised). */
static void test_rv5_revision_before_its_review_leaves_nothing_to_follow_up(void) {
    char run[32], g[96], eid[160], ph[32];
    it_run_id(run, sizeof run);
    numberFor(ph, sizeof ph, 9);
    snprintf(g, sizeof g, "CS_GROUP_ID=" RV_NAME "-%s", run);
    it_worker rv;
    IT_REQUIRE(it_group_at_end(g));
    IT_REQUIRE(it_worker_start_bin(&rv, RV_NAME, "rv-order", NULL, (const char *[]){g, NULL}) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&rv, 60000));
    int64_t now = it_wall_ms();
    snprintf(eid, sizeof eid, "%s-revision", run);
    CT_EQ_INT(produceReview(run, "R", RATING(POSITIVE), true, ph, now - HOUR_MS, eid, now), 0);
    snprintf(eid, sizeof eid, "%s-original", run);
    CT_EQ_INT(produceReview(run, "R", RATING(NEGATIVE), false, ph, now - HOUR_MS, eid, now - HOUR_MS), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(RV_NAME, eid), 1);
    CT_CHECK(caseStage(run, "R", "revised"));
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE order_id = 'RVR-%s'", run), 0);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE timer_id LIKE '%%:REVR-%s' AND status = 'pending'", run), 0);
    CT_EQ_INT(it_worker_stop(&rv, SIGTERM, 30000), 0);
}

/* A review without a number (a Taobao TradeRated names the buyer's nick
 * only) follows up on the order's receiver phone as the verifier stored
 * it: the case keeps that number and its two RV-4 requests are made. The
 * order's row is written here as the verifier writes it (its doc). */
static void test_rv4_review_without_a_number_follows_up_on_the_orders_phone(void) {
    char run[32], g[96], eid[160], ph[32], order[96];
    it_run_id(run, sizeof run);
    numberFor(ph, sizeof ph, 11);
    snprintf(order, sizeof order, "RVN-%s", run);
    int64_t now = it_wall_ms();
    Cs__V1__Receiver rcv = CS__V1__RECEIVER__INIT;
    rcv.name = (char *)"张三";
    rcv.phone = ph;
    Cs__V1__Order o = CS__V1__ORDER__INIT;
    o.order_id = order;
    o.buyer_id = (char *)"buyer-N";
    o.created_ms = now - 48 * HOUR_MS;
    o.paid_amount_fen = 2999;
    o.receiver = &rcv;
    Cs__V1__OrderState st = CS__V1__ORDER_STATE__INIT;
    st.order = &o;
    st.version = 2;
    uint8_t buf[1024];
    char *doc = it_hex(buf, cs__v1__order_state__pack(&st, buf));
    IT_REQUIRE(it_pg_exec("INSERT INTO orders (shop_id, order_id, version, state, buyer_id, created_ms, payable_fen, "
                          "paid_fen, fingerprint, doc) VALUES ('tb-demo', '%s', 2, 'VERIFIED', 'buyer-N', %lld, 2999, "
                          "2999, 'fp-rvn', decode('%s', 'hex'))",
                          order, (long long)o.created_ms, doc) == 0);
    free(doc);
    snprintf(g, sizeof g, "CS_GROUP_ID=" RV_NAME "-%s", run);
    it_worker rv;
    IT_REQUIRE(it_group_at_end(g));
    IT_REQUIRE(it_worker_start_bin(&rv, RV_NAME, "rv-nophone", NULL, (const char *[]){g, NULL}) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&rv, 60000));
    snprintf(eid, sizeof eid, "%s-nophone", run);
    CT_EQ_INT(produceReview(run, "N", RATING(NEGATIVE), false, NULL, now - HOUR_MS, eid, now - HOUR_MS), 0);
    CT_EQ_INT(it_flush(10000), 0);
    CT_EQ_INT(processed(RV_NAME, eid), 1);
    CT_CHECK(caseStage(run, "N", "open"));
    char got[64] = "";
    CT_CHECK(it_pg_text(got, sizeof got,
                        "SELECT phone FROM cases WHERE shop_id = 'tb-demo' AND kind = 'review' AND case_id = 'REVN-%s'",
                        run));
    CT_EQ_STR(got, ph);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM notification_requests WHERE shop_id = 'tb-demo' AND order_id = '%s' "
                        "AND rule = 'RV-4' AND class LIKE '%%FOLLOW_UP'",
                        order),
              2);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM dead_letters WHERE event_id = '%s'", eid), 0);
    CT_EQ_INT(it_worker_stop(&rv, SIGTERM, 30000), 0);
}

int main(int argc, char **argv) {
    (void)argc;
    it_init(argv[0]);
    static const ct_case cases[] = {
        CT_CASE(test_rv5_revision_before_its_review_leaves_nothing_to_follow_up),
        CT_CASE(test_rv4_review_without_a_number_follows_up_on_the_orders_phone),
        CT_CASE(test_rv1_to_rv6_a_week_of_follow_ups_on_the_redis_clock), /* last: the clock */
    };
    int rc = it_run_cases(cases, sizeof cases / sizeof cases[0]);
    it_shutdown();
    return rc;
}
