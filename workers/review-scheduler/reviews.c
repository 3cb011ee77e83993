/* reviews.c -- the review-scheduler's wiring (see reviews.h): its routes,
 * the cases it loads and saves, and nothing else.
 *
 * Locks. A review and everything found by its order (call outcomes,
 * agents' case updates) and the case's timers hold "<shop>:<order>", the
 * key the runtime takes for them before any handler runs. Presence and
 * opt-out replies name no order: they hold "<shop>:buyer:<id>" or
 * "<shop>:phone:<number>" and find the buyer's open cases through the
 * store's columns; every case load locks its row (FOR UPDATE), so two
 * events of one case reached under different keys still apply one after
 * the other (a deadlock between two such batches is the runtime's
 * retry).
 *
 * Ids. Outputs derive from the input event's id; an event that can touch
 * several cases (presence, opt-out, call outcome, case update) derives
 * them from "<event id>/<case id>", so two cases never share an id and a
 * replay emits the same ones.
 *
 * Order. A revision that arrives before its review is stored as a case
 * already revised, so the late original opens nothing (RV-1 sees a case):
 * a revised review is never followed up. */
#include "reviews.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/apply.h"
#include "cs/casestore.h"
#include "cs/log.h"
#include "cs/metrics.h"
#include "cs/pg.h"
#include "cs/readmodel.h"
#include "cs/strmap.h"
#include "cs/topics.h"
#include "cs/util.h"
#include "nt_rules.h"

static cs_metric *mOpened, *mOutcome[RV_NSTATES], *mOptOuts;

/* What the batch's prepare hook read about the buyers and numbers of its
 * reviews (one query each, instead of two round trips per review): key
 * "<shop>\x1f<buyer>" -> BUYER_* bits, "<shop>\x1f<number>" -> 1 for a number
 * opted out. Reset at each batch transaction; a presence or a mark applied
 * in the batch updates it, so a later review of the batch sees it. */
enum { BUYER_KNOWN = 1, BUYER_ONLINE = 2, BUYER_DIFFICULT = 4 };
static cs_strmap batchBuyers, batchOptOuts;
static bool batchPrefetched;

/* ---- the stored form ---------------------------------------------------------------- */

static const char *orNull(const char *s) { return s && s[0] ? s : NULL; }
static char *orEmpty(const char *s) { return (char *)(s ? s : ""); }

void rv_case_from_state(rv_case *c, const Cs__V1__ReviewCaseState *st, const cs_shop *shop) {
    memset(c, 0, sizeof *c);
    if (!st) return;
    *c = (rv_case){.exists = st->exists,
                   .review_id = orNull(st->review_id),
                   .order_id = orNull(st->order_id),
                   .buyer_id = orNull(st->buyer_id),
                   .buyer_phone = orNull(st->buyer_phone),
                   .sku = orNull(st->sku),
                   .rating = st->rating,
                   .dislike = st->dislike,
                   .posted_ms = st->posted_ms,
                   .day1 = cs_tz_day(shop->tz, st->posted_ms),
                   .item_price_fen = st->item_price_fen,
                   .difficult = st->difficult,
                   .calls = st->calls,
                   .ims = st->ims,
                   .last_contact_day = st->last_contact_day,
                   .sms_days = st->sms_days,
                   .state = (rv_state)st->state,
                   .opted_out = st->opted_out,
                   .closed_ms = st->closed_ms};
}

void rv_case_to_state(const rv_case *c, Cs__V1__ReviewCaseState *st) {
    cs__v1__review_case_state__init(st);
    st->exists = c->exists;
    st->review_id = orEmpty(c->review_id);
    st->order_id = orEmpty(c->order_id);
    st->buyer_id = orEmpty(c->buyer_id);
    st->buyer_phone = orEmpty(c->buyer_phone);
    st->sku = orEmpty(c->sku);
    st->rating = c->rating;
    st->dislike = c->dislike;
    st->posted_ms = c->posted_ms;
    st->item_price_fen = c->item_price_fen;
    st->difficult = c->difficult;
    st->calls = c->calls;
    st->ims = c->ims;
    st->last_contact_day = c->last_contact_day;
    st->sms_days = c->sms_days;
    st->state = (int32_t)c->state;
    st->opted_out = c->opted_out;
    st->closed_ms = c->closed_ms;
}

/* ---- loads and saves ------------------------------------------------------------------ */

/* One loaded case: c's strings point into st (or into the event for a
 * case being opened). */
typedef struct rvCase {
    rv_case c;
    Cs__V1__ReviewCaseState *st;
} rvCase;

static void rvCaseFree(rvCase *k) {
    if (k->st) cs__v1__review_case_state__free_unpacked(k->st, NULL);
    k->st = NULL;
}

static int loadCase(cs_batch *b, const char *shop_id, const cs_shop *shop, const char *case_id, rvCase *k, char *err,
                    size_t errlen) {
    cs_case_doc doc;
    memset(k, 0, sizeof *k);
    if (cs_case_load(b, shop_id, CS_CASE_REVIEW, case_id, &doc, err, errlen) != 0) return -1;
    if (doc.doc) {
        k->st = cs__v1__review_case_state__unpack(NULL, doc.len, doc.doc);
        if (!k->st) { /* not ours to repair here: the batch fails, loudly */
            snprintf(err, errlen, "case %s:%s: stored state does not decode", shop_id, case_id);
            cs_case_doc_free(&doc);
            return -1;
        }
    }
    cs_case_doc_free(&doc);
    rv_case_from_state(&k->c, k->st, shop);
    return 0;
}

static int saveCase(cs_batch *b, const char *shop_id, const rv_case *c, char *err, size_t errlen) {
    Cs__V1__ReviewCaseState st;
    rv_case_to_state(c, &st);
    size_t len = cs__v1__review_case_state__get_packed_size(&st);
    uint8_t *buf = cs_xmalloc(len ? len : 1);
    cs__v1__review_case_state__pack(&st, buf);
    char phone[64] = "";
    if (c->buyer_phone && nt_number_canon(c->buyer_phone, phone, sizeof phone) != 0) phone[0] = '\0';
    cs_case_cols cols = {.order_id = c->order_id,
                         .stage = rv_state_name(c->state),
                         .opened_ms = c->posted_ms,
                         .closed_ms = c->state == RV_STATE_OPEN ? 0 : (c->closed_ms ? c->closed_ms : 1),
                         .buyer_id = c->buyer_id,
                         .phone = phone};
    int rc = cs_case_save(b, shop_id, CS_CASE_REVIEW, cs_str(c->review_id), &cols, buf, len, err, errlen);
    free(buf);
    return rc;
}

/* Stores what d changed on k's case and applies d's effects, with the
 * case as their subject and trigger as the root of their ids. */
static int settle(cs_batch *b, const cs_event *ev, const char *trigger, rv_case *c, const rv_decision *d, char *err,
                  size_t errlen) {
    const char *shop_id = ev->env->shop_id;
    rv_state before = c->state;
    rv_case_apply(c, d, cs_batch_now(b));
    if (saveCase(b, shop_id, c, err, errlen) != 0) return -1;
    if (d->open) cs_metric_add(mOpened, 1);
    if (c->state != before && c->state < RV_NSTATES) cs_metric_add(mOutcome[c->state], 1);
    if (d->opted_out && !d->open) cs_metric_add(mOptOuts, 1);
    if (d->fx.dropped) cs_log_warn("case %s:%s: %d effects dropped", shop_id, cs_str(c->review_id), d->fx.dropped);
    cs_fx_target t = {.shop = ev->shop,
                      .shop_id = shop_id,
                      .order_id = cs_str(c->order_id),
                      .buyer_id = c->buyer_id,
                      .phone = c->buyer_phone,
                      .trigger = trigger,
                      .subject = cs_str(c->review_id)};
    return cs_fx_apply(b, &t, &d->fx, err, errlen);
}

/* RV-2 / RV-3: the buyer's last presence and an agent's "difficult" mark
 * (false when unknown), in one statement. */
static void mapKey(char *out, size_t len, const char *shop, const char *id) { snprintf(out, len, "%s\x1f%s", shop, id); }

/* A presence or a mark applied in the batch, for its later reviews. */
static void setBuyerBits(const char *shop, const char *buyer, uintptr_t clear, uintptr_t set) {
    char key[512];
    mapKey(key, sizeof key, shop, buyer);
    uintptr_t v = (uintptr_t)cs_strmap_get(&batchBuyers, key);
    if (v & BUYER_KNOWN) cs_strmap_put(&batchBuyers, key, (void *)((v & ~clear) | set));
}

static int buyerFacts(cs_batch *b, const char *shop_id, const char *buyer_id, rv_buyer *out, char *err,
                      size_t errlen) {
    if (!buyer_id || !buyer_id[0]) return 0;
    char key[512];
    mapKey(key, sizeof key, shop_id, buyer_id);
    uintptr_t v = (uintptr_t)cs_strmap_get(&batchBuyers, key);
    if (v & BUYER_KNOWN) {
        out->online = v & BUYER_ONLINE;
        out->difficult = v & BUYER_DIFFICULT;
        return 0;
    }
    const char *p[] = {shop_id, buyer_id};
    PGresult *r = PQexecParams(cs_batch_pg(b),
                               "SELECT (SELECT online FROM buyer_presence WHERE shop_id = $1 AND buyer_id = $2), "
                               "(SELECT difficult FROM buyer_marks WHERE shop_id = $1 AND buyer_id = $2)",
                               2, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "buyer %s:%s: %s", shop_id, buyer_id, PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    out->online = PQgetvalue(r, 0, 0)[0] == 't';
    out->difficult = PQgetvalue(r, 0, 1)[0] == 't';
    PQclear(r);
    return 0;
}

/* RV-3: an agent marked the buyer difficult: kept for the buyer's later
 * cases too. */
static int markDifficult(cs_batch *b, const cs_event *ev, const char *buyer_id, const char *agent, char *err,
                         size_t errlen) {
    if (!buyer_id || !buyer_id[0]) return 0;
    char ms[24];
    snprintf(ms, sizeof ms, "%lld", (long long)ev->env->event_ms);
    const char *p[] = {ev->env->shop_id, buyer_id, ms, agent ? agent : "", ev->env->event_id};
    PGresult *r = PQexecParams(cs_batch_pg(b),
                               "INSERT INTO buyer_marks (shop_id, buyer_id, difficult, marked_ms, agent, event_id) "
                               "VALUES ($1, $2, true, $3::bigint, $4, $5) ON CONFLICT (shop_id, buyer_id) DO UPDATE "
                               "SET difficult = true, marked_ms = EXCLUDED.marked_ms, agent = EXCLUDED.agent, "
                               "event_id = EXCLUDED.event_id",
                               5, NULL, p, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        snprintf(err, errlen, "buyer mark: %s", PQresultErrorMessage(r));
        rc = -1;
    } else {
        setBuyerBits(ev->env->shop_id, buyer_id, 0, BUYER_DIFFICULT);
    }
    PQclear(r);
    return rc;
}

/* RV-5: the number already opted out of the shop's follow-ups (NT-4's
 * record, the notifier's table): a case opened for it starts opted out. */
static int numberOptedOut(cs_batch *b, const char *shop_id, const char *phone, bool *out, char *err, size_t errlen) {
    char canon[64], key[512];
    *out = false;
    if (!phone || nt_number_canon(phone, canon, sizeof canon) != 0) return 0;
    if (batchPrefetched) { /* the prepare hook read every number of the batch's reviews */
        mapKey(key, sizeof key, shop_id, canon);
        *out = cs_strmap_get(&batchOptOuts, key) != NULL;
        return 0;
    }
    const char *p[] = {shop_id, canon};
    PGresult *r = PQexecParams(cs_batch_pg(b),
                               "SELECT 1 FROM message_optouts WHERE shop_id = $1 AND to_addr = $2 AND lifted_ms IS NULL",
                               2, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "opt-out of %s: %s", shop_id, PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    *out = PQntuples(r) > 0;
    PQclear(r);
    return 0;
}

/* ---- reviews ---------------------------------------------------------------------------- */

static bool validReview(const cs_event *ev, char *why, size_t len) {
    const Cs__V1__Review *r = ev->env->review;
    if (r && r->review_id && r->review_id[0] && r->order_id && r->order_id[0]) return true;
    snprintf(why, len, "review without review_id or order_id");
    return false;
}

static bool lockReview(const cs_event *ev, char *out, size_t len) {
    snprintf(out, len, "%s:%s", ev->env->shop_id, ev->env->review->order_id);
    return true;
}

static int onReview(void *user, cs_batch *b, cs_event *ev, char *err, size_t errlen) {
    (void)user;
    const Cs__V1__Review *r = ev->env->review;
    const char *shop_id = ev->env->shop_id;
    int64_t now = cs_batch_now(b);
    rvCase k;
    if (loadCase(b, shop_id, ev->shop, r->review_id, &k, err, errlen) != 0) return -1;
    int rc = 0;
    rv_decision d;
    rv_decision_init(&d);
    if (r->revision && !k.c.exists) {
        /* the revision overtook its review: a case already revised */
        rv_case_from_review(r, ev->shop, now, &k.c);
        d.state = RV_STATE_REVISED;
        d.rule = "RV-5";
        rc = settle(b, ev, ev->env->event_id, &k.c, &d, err, errlen);
    } else if (r->revision) {
        if (rv5_revision(r, &k.c, &d)) rc = settle(b, ev, ev->env->event_id, &k.c, &d, err, errlen);
    } else if (rv1_opens_case(r, &k.c)) {
        rv_buyer buyer = {0};
        cs_order_view order = {0};
        bool ownNumber = r->buyer_phone && r->buyer_phone[0];
        /* A review that names no number (a Taobao TradeRated) follows up
         * on the order's receiver phone, as the verifier stored it (the
         * prepare hook read the batch's such orders: found in memory). */
        if (!ownNumber) {
            if (cs_order_load(b, shop_id, r->order_id, &order, err, errlen) != 0) {
                rvCaseFree(&k);
                return -1;
            }
            buyer.order_phone = order.f.phone;
        }
        if (buyerFacts(b, shop_id, r->buyer_id, &buyer, err, errlen) != 0 ||
            numberOptedOut(b, shop_id, ownNumber ? r->buyer_phone : buyer.order_phone, &buyer.opted_out, err,
                           errlen) != 0) {
            cs_order_view_free(&order);
            rvCaseFree(&k);
            return -1;
        }
        rv_case_from_review(r, ev->shop, now, &k.c);
        rv_case_phone_fallback(&k.c, &buyer);
        if (rv_on_review_for(r, NULL, &buyer, ev->shop, now, &d))
            rc = settle(b, ev, ev->env->event_id, &k.c, &d, err, errlen);
        cs_order_view_free(&order);
    }
    rvCaseFree(&k);
    return rc;
}

/* ---- contacts ----------------------------------------------------------------------------- */

static const Cs__V1__ContactEvent *contactOf(const cs_event *ev) { return ev->env->contact; }

static bool validContact(const cs_event *ev, char *why, size_t len) {
    const Cs__V1__ContactEvent *c = contactOf(ev);
    if (!c) return true;
    if (c->body_case == CS__V1__CONTACT_EVENT__BODY_CASE_UPDATE) {
        const Cs__V1__CaseUpdate *u = c->case_update;
        if ((u->case_id && u->case_id[0]) || (u->order_id && u->order_id[0])) return true;
        snprintf(why, len, "case update without case_id or order_id");
        return false;
    }
    return true;
}

static bool lockContact(const cs_event *ev, char *out, size_t len) {
    const Cs__V1__ContactEvent *c = contactOf(ev);
    const char *shop = ev->env->shop_id;
    if (!c) return false;
    switch (c->body_case) {
        case CS__V1__CONTACT_EVENT__BODY_CALL:
            if (!c->call->order_id || !c->call->order_id[0]) return false;
            snprintf(out, len, "%s:%s", shop, c->call->order_id);
            return true;
        case CS__V1__CONTACT_EVENT__BODY_CASE_UPDATE:
            if (c->case_update->order_id && c->case_update->order_id[0])
                snprintf(out, len, "%s:%s", shop, c->case_update->order_id);
            else
                snprintf(out, len, "%s:review:%s", shop, c->case_update->case_id);
            return true;
        case CS__V1__CONTACT_EVENT__BODY_PRESENCE:
            if (!c->presence->buyer_id || !c->presence->buyer_id[0]) return false;
            snprintf(out, len, "%s:buyer:%s", shop, c->presence->buyer_id);
            return true;
        case CS__V1__CONTACT_EVENT__BODY_SMS: {
            char canon[64];
            if (nt_number_canon(c->sms->from_phone, canon, sizeof canon) != 0) return false;
            snprintf(out, len, "%s:phone:%s", shop, canon);
            return true;
        }
        default: return false;
    }
}

/* A call result is the review-scheduler's when its task is an RV-2 task
 * ("<trigger>/task/<i>/RV-2", effects ids), or names no task at all (an
 * agent reporting on the order's review). */
static bool callIsOurs(const Cs__V1__CallResult *call) {
    const char *t = call->task_id;
    if (!t || !t[0]) return true;
    size_t n = strlen(t);
    return n >= 5 && strcmp(t + n - 5, "/RV-2") == 0;
}

/* What one contact decides for one case. */
static bool decideContact(const Cs__V1__ContactEvent *c, const rv_case *k, const cs_shop *shop, int64_t now,
                          rv_decision *d) {
    switch (c->body_case) {
        case CS__V1__CONTACT_EVENT__BODY_CALL: return rv2_on_call_result(c->call, k, shop, now, d);
        case CS__V1__CONTACT_EVENT__BODY_PRESENCE: return rv2_on_presence(c->presence, k, shop, now, d);
        case CS__V1__CONTACT_EVENT__BODY_SMS: return rv5_opt_out(c->sms, k, shop, now, d);
        case CS__V1__CONTACT_EVENT__BODY_CASE_UPDATE: {
            const Cs__V1__CaseUpdate *u = c->case_update;
            bool any = u->buyer_difficult && rv3_mark_difficult(k, d);
            any = rv1_record_dislike(k, u->dislike, d) || any;
            rv_state outcome = RV_STATE_NONE;
            switch (u->outcome) {
                case CS__V1__CASE_OUTCOME__CASE_OUTCOME_REFUSED: outcome = RV_STATE_REFUSED; break;
                case CS__V1__CASE_OUTCOME__CASE_OUTCOME_NO_ANSWER: outcome = RV_STATE_NO_ANSWER; break;
                case CS__V1__CASE_OUTCOME__CASE_OUTCOME_CLOSED: outcome = RV_STATE_CLOSED; break;
                default: break;
            }
            if (outcome != RV_STATE_NONE) any = rv5_close(k, outcome, d) || any;
            return any;
        }
        default: return false;
    }
}

/* RV-2 presence: the newest by event time wins. */
static int recordPresence(cs_batch *b, const cs_event *ev, const Cs__V1__Presence *p, char *err, size_t errlen) {
    char ms[24];
    snprintf(ms, sizeof ms, "%lld", (long long)ev->env->event_ms);
    const char *v[] = {ev->env->shop_id, p->buyer_id, p->online ? "t" : "f", ms, ev->env->event_id};
    PGresult *r = PQexecParams(cs_batch_pg(b),
                               "INSERT INTO buyer_presence (shop_id, buyer_id, online, event_ms, event_id) "
                               "VALUES ($1, $2, $3::boolean, $4::bigint, $5) ON CONFLICT (shop_id, buyer_id) DO UPDATE "
                               "SET online = EXCLUDED.online, event_ms = EXCLUDED.event_ms, event_id = EXCLUDED.event_id "
                               "WHERE (buyer_presence.event_ms, buyer_presence.event_id) < "
                               "(EXCLUDED.event_ms, EXCLUDED.event_id)",
                               5, NULL, v, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        snprintf(err, errlen, "presence: %s", PQresultErrorMessage(r));
        rc = -1;
    } else if (strcmp(PQcmdTuples(r), "1") == 0) {
        setBuyerBits(ev->env->shop_id, p->buyer_id, BUYER_ONLINE, p->online ? BUYER_ONLINE : 0);
    }
    PQclear(r);
    return rc;
}

/* The open cases a contact is about: (by, value), or the one case id. */
static int contactCases(cs_batch *b, const cs_event *ev, const Cs__V1__ContactEvent *c, char ***ids, size_t *n,
                        char *err, size_t errlen) {
    const char *shop = ev->env->shop_id;
    *ids = NULL;
    *n = 0;
    switch (c->body_case) {
        case CS__V1__CONTACT_EVENT__BODY_CALL:
            if (!callIsOurs(c->call)) return 0;
            return cs_case_find_open(b, shop, CS_CASE_REVIEW, CS_CASE_BY_ORDER, c->call->order_id, ids, n, err,
                                     errlen);
        case CS__V1__CONTACT_EVENT__BODY_PRESENCE:
            return cs_case_find_open(b, shop, CS_CASE_REVIEW, CS_CASE_BY_BUYER, c->presence->buyer_id, ids, n, err,
                                     errlen);
        case CS__V1__CONTACT_EVENT__BODY_SMS: {
            char canon[64];
            if (!nt4_is_opt_out(c->sms->text) || nt_number_canon(c->sms->from_phone, canon, sizeof canon) != 0)
                return 0;
            return cs_case_find_open(b, shop, CS_CASE_REVIEW, CS_CASE_BY_PHONE, canon, ids, n, err, errlen);
        }
        case CS__V1__CONTACT_EVENT__BODY_CASE_UPDATE: {
            const Cs__V1__CaseUpdate *u = c->case_update;
            if (u->case_id && u->case_id[0]) {
                *ids = cs_xcalloc(1, sizeof **ids);
                (*ids)[0] = cs_xstrdup(u->case_id);
                *n = 1;
                return 0;
            }
            return cs_case_find_open(b, shop, CS_CASE_REVIEW, CS_CASE_BY_ORDER, u->order_id, ids, n, err, errlen);
        }
        default: return 0;
    }
}

static int onContact(void *user, cs_batch *b, cs_event *ev, char *err, size_t errlen) {
    (void)user;
    const Cs__V1__ContactEvent *c = contactOf(ev);
    if (!c) return 0;
    if (c->body_case == CS__V1__CONTACT_EVENT__BODY_PRESENCE && c->presence->buyer_id && c->presence->buyer_id[0] &&
        recordPresence(b, ev, c->presence, err, errlen) != 0)
        return -1;
    char **ids;
    size_t n;
    if (contactCases(b, ev, c, &ids, &n, err, errlen) != 0) return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rvCase k;
        if (loadCase(b, ev->env->shop_id, ev->shop, ids[i], &k, err, errlen) != 0) {
            rc = -1;
            break;
        }
        rv_decision d;
        rv_decision_init(&d);
        if (k.c.exists && c->body_case == CS__V1__CONTACT_EVENT__BODY_CASE_UPDATE && c->case_update->buyer_difficult &&
            markDifficult(b, ev, k.c.buyer_id, c->case_update->agent, err, errlen) != 0) {
            rvCaseFree(&k);
            rc = -1;
            break;
        }
        if (k.c.exists && decideContact(c, &k.c, ev->shop, cs_batch_now(b), &d)) {
            char trigger[CS_FX_ID_LEN];
            cs_event_id_derive(trigger, sizeof trigger, ev->env->event_id, ids[i]);
            rc = settle(b, ev, trigger, &k.c, &d, err, errlen);
        }
        rvCaseFree(&k);
    }
    cs_case_ids_free(ids, n);
    return rc;
}

/* ---- timers --------------------------------------------------------------------------------- */

/* RV-6: the no-answer timer of the case `subject` fired; or RV-4: a day's
 * SMS timer armed before the follow-ups were requested ahead. */
static int onTimer(void *user, cs_batch *b, cs_event *ev, const char *subject, char *err, size_t errlen) {
    (void)user;
    rvCase k;
    if (loadCase(b, ev->env->shop_id, ev->shop, subject, &k, err, errlen) != 0) return -1;
    int rc = 0;
    const char *kind = ev->env->timer->kind;
    rv_decision d;
    rv_decision_init(&d);
    int64_t now = cs_batch_now(b);
    bool decided = strcmp(kind, RV_TIMER_NO_ANSWER) == 0 ? rv6_on_no_answer_timer(&k.c, ev->shop, now, &d)
                                                          : rv4_on_legacy_timer(kind, &k.c, ev->shop, now, &d);
    if (decided) rc = settle(b, ev, ev->env->event_id, &k.c, &d, err, errlen);
    rvCaseFree(&k);
    return rc;
}

/* ---- the batch's cases in one read ------------------------------------------------------ */

/* The case an event names by id (a review, an agent's case update);
 * contacts found by order, buyer or number are looked up in their
 * handler. */
static const char *caseOfEvent(const cs_event *ev) {
    if (ev->env->body_case == CS__V1__ENVELOPE__BODY_REVIEW) return ev->env->review->review_id;
    const Cs__V1__ContactEvent *c = ev->env->body_case == CS__V1__ENVELOPE__BODY_CONTACT ? ev->env->contact : NULL;
    if (c && c->body_case == CS__V1__CONTACT_EVENT__BODY_CASE_UPDATE) return c->case_update->case_id;
    return NULL;
}

/* The batch's new reviews (not a revision, not poison): what the prepare
 * hook reads ahead for. */
static bool newReview(const cs_event *ev) {
    return !ev->poison && ev->env->body_case == CS__V1__ENVELOPE__BODY_REVIEW && !ev->env->review->revision;
}

/* The buyers (presence, marks) and numbers (opt-outs) of the batch's new
 * reviews, one query each; a review without a number counts its order's
 * (read by rvPrepare just before, so cs_order_load finds it in memory). */
static int prefetchBuyers(cs_batch *b, char *err, size_t errlen) {
    cs_strmap_reset(&batchBuyers);
    cs_strmap_reset(&batchOptOuts);
    batchPrefetched = false;
    size_t n = cs_batch_count(b), nb = 0, np = 0;
    const char **bs = cs_xcalloc(n ? n : 1, sizeof *bs), **bb = cs_xcalloc(n ? n : 1, sizeof *bb),
               **ps = cs_xcalloc(n ? n : 1, sizeof *ps);
    char(*pp)[64] = cs_xcalloc(n ? n : 1, sizeof *pp);
    bool loadFailed = false;
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(b, i);
        if (!newReview(ev)) continue;
        const Cs__V1__Review *r = ev->env->review;
        if (r->buyer_id && r->buyer_id[0]) {
            bs[nb] = ev->env->shop_id;
            bb[nb++] = r->buyer_id;
        }
        const char *phone = r->buyer_phone;
        cs_order_view o = {0};
        if (!phone || !phone[0]) {
            if (cs_order_load(b, ev->env->shop_id, r->order_id, &o, err, errlen) != 0) {
                loadFailed = true;
                break;
            }
            phone = o.f.phone;
        }
        if (phone && nt_number_canon(phone, pp[np], sizeof pp[np]) == 0) ps[np++] = ev->env->shop_id;
        cs_order_view_free(&o);
    }
    int rc = loadFailed ? -1 : 0;
    cs_copybuf a1 = {0}, a2 = {0};
    PGresult *r = NULL;
    char key[512];
    if (rc == 0 && nb) {
        /* every buyer known (neither online nor marked), then what the two
         * tables say: one probe per buyer (LATERAL), as the notifier's */
        for (size_t i = 0; i < nb; i++) {
            mapKey(key, sizeof key, bs[i], bb[i]);
            cs_strmap_put(&batchBuyers, key, (void *)(uintptr_t)BUYER_KNOWN);
        }
        cs_pg_text_array(&a1, bs, nb);
        cs_pg_text_array(&a2, bb, nb);
        const char *p[] = {a1.data, a2.data};
        r = PQexecParams(cs_batch_pg(b),
                         "SELECT k.s, k.b, coalesce(p.online, false), coalesce(m.difficult, false) "
                         "FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS k(s, b)) k "
                         "LEFT JOIN LATERAL (SELECT online FROM buyer_presence WHERE shop_id = k.s AND buyer_id = k.b) "
                         "p ON true LEFT JOIN LATERAL (SELECT difficult FROM buyer_marks WHERE shop_id = k.s AND "
                         "buyer_id = k.b) m ON true",
                         2, NULL, p, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            snprintf(err, errlen, "buyers of %zu reviews: %s", nb, PQresultErrorMessage(r));
            rc = -1;
        }
        for (int j = 0; rc == 0 && j < PQntuples(r); j++) {
            mapKey(key, sizeof key, PQgetvalue(r, j, 0), PQgetvalue(r, j, 1));
            uintptr_t v = (uintptr_t)cs_strmap_get(&batchBuyers, key);
            if (!v) continue; /* another row's shop with this buyer id */
            v |= (PQgetvalue(r, j, 2)[0] == 't' ? BUYER_ONLINE : 0) | (PQgetvalue(r, j, 3)[0] == 't' ? BUYER_DIFFICULT : 0);
            cs_strmap_put(&batchBuyers, key, (void *)v);
        }
        PQclear(r);
    }
    if (rc == 0 && np) {
        const char **pv = cs_xcalloc(np, sizeof *pv);
        for (size_t i = 0; i < np; i++) pv[i] = pp[i];
        cs_pg_text_array(&a1, ps, np);
        cs_pg_text_array(&a2, pv, np);
        free(pv);
        const char *p[] = {a1.data, a2.data};
        r = PQexecParams(cs_batch_pg(b),
                         "SELECT o.shop_id, o.to_addr FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) "
                         "AS k(s, t)) k CROSS JOIN LATERAL (SELECT shop_id, to_addr FROM message_optouts WHERE "
                         "lifted_ms IS NULL AND shop_id = k.s AND to_addr = k.t OFFSET 0) o",
                         2, NULL, p, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            snprintf(err, errlen, "opt-outs of %zu reviews: %s", np, PQresultErrorMessage(r));
            rc = -1;
        }
        for (int j = 0; rc == 0 && j < PQntuples(r); j++) {
            mapKey(key, sizeof key, PQgetvalue(r, j, 0), PQgetvalue(r, j, 1));
            cs_strmap_put(&batchOptOuts, key, (void *)1);
        }
        PQclear(r);
    }
    batchPrefetched = rc == 0;
    cs_copy_free(&a1);
    cs_copy_free(&a2);
    free(bs);
    free(bb);
    free(ps);
    free(pp);
    return rc;
}

/* The orders of the batch's new reviews that name no number, in one
 * query: their receiver phones stand in (RV-4). */
static int prefetchOrders(cs_batch *b, char *err, size_t errlen) {
    size_t n = cs_batch_count(b), m = 0;
    const char **shops = cs_xcalloc(n ? n : 1, sizeof *shops), **orders = cs_xcalloc(n ? n : 1, sizeof *orders);
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(b, i);
        if (!newReview(ev)) continue;
        const Cs__V1__Review *r = ev->env->review;
        if (r->buyer_phone && r->buyer_phone[0]) continue;
        shops[m] = ev->env->shop_id;
        orders[m++] = r->order_id;
    }
    int rc = m ? cs_order_prefetch(b, shops, orders, m, err, errlen) : 0;
    free(shops);
    free(orders);
    return rc;
}

static int rvPrepare(void *user, cs_batch *b, char *err, size_t errlen) {
    (void)user;
    if (cs_case_prefetch_batch(b, CS_CASE_REVIEW, caseOfEvent, err, errlen) != 0) return -1;
    if (prefetchOrders(b, err, errlen) != 0) return -1;
    return prefetchBuyers(b, err, errlen);
}

/* ---- the declaration ------------------------------------------------------------------- */

static int rvInit(void *user, const cs_config *cfg, const cs_shops *shops, char *err, size_t errlen) {
    (void)user, (void)cfg, (void)shops, (void)err, (void)errlen;
    cs_strmap_init(&batchBuyers);
    cs_strmap_init(&batchOptOuts);
    cs_fx_metrics("cs_rv", RV_WORKER_NAME, NULL);
    mOpened = cs_metric_get(CS_METRIC_COUNTER, "cs_rv_cases_opened_total", "Review follow-up cases opened (RV-1)",
                            NULL);
    static const char *const outcomes[RV_NSTATES] = {NULL,       NULL,        "outcome=\"revised\"",
                                                     "outcome=\"refused\"", "outcome=\"no_answer\"",
                                                     "outcome=\"closed\""};
    for (int s = RV_STATE_REVISED; s < RV_NSTATES; s++)
        mOutcome[s] = cs_metric_get(CS_METRIC_COUNTER, "cs_rv_cases_closed_total",
                                    "Review follow-up cases closed, by outcome (RV-6)", outcomes[s]);
    mOptOuts = cs_metric_get(CS_METRIC_COUNTER, "cs_rv_opt_outs_total",
                             "Follow-up cases whose buyer opted out (RV-5)", NULL);
    return 0;
}

static void rvFini(void *user) {
    (void)user;
    cs_strmap_clear(&batchBuyers);
    cs_strmap_clear(&batchOptOuts);
}

static const cs_route rvRoutes[] = {
    {CS_TOPIC_REVIEWS, CS__V1__ENVELOPE__BODY_REVIEW, validReview, lockReview, onReview},
    {CS_TOPIC_CONTACTS, CS__V1__ENVELOPE__BODY_CONTACT, validContact, lockContact, onContact},
    {0},
};

static const cs_timer_route rvTimerRoutes[] = {
    {RV_TIMER_NO_ANSWER, onTimer},
    {RV_TIMER_LEGACY_SMS_DAY2, onTimer},
    {RV_TIMER_LEGACY_SMS_DAY3, onTimer},
    {0},
};

static const cs_worker_def rvDef = {
    .name = RV_WORKER_NAME,
    .routes = rvRoutes,
    .timer_routes = rvTimerRoutes,
    .prepare = rvPrepare,
    .init = rvInit,
    .fini = rvFini,
};

const cs_worker_def *rv_worker_def(void) { return &rvDef; }
