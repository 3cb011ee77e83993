/* routes.c -- a worker's declared routes run over a batch (see routes.h
 * and runtime.h).
 *
 * Passes over the batch's new events, in partition order:
 *   1. route: find each event's route by topic; a body that is not the
 *      topic's, a refusal of the route's `valid`, a fired timer of a kind
 *      with no route, or a topic with no route at all makes it poison;
 *   2. lock: every routed event's lock key (a fired timer's order key),
 *      hashed, sorted and taken in one statement, so every transaction of
 *      every worker takes its locks in the same order and none can wait on
 *      another in a cycle;
 *   3. prepare: the worker's own set-based loads for the batch (optional);
 *   4. dispatch: each event to its handler; the fired timers of a run
 *      (consecutive timer records) first taken in one statement
 *      (cs_timer_take_fired_many), and one that a handler of the run
 *      cancels or reschedules before its turn skipped, so a cancelled or
 *      rescheduled timer never reaches its handler.
 * Locks come before any handler reads, which is what makes "read the
 * subject, decide, write" safe across the copies of a worker. */
#include "cs/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/effects.h"
#include "cs/pg.h"
#include "cs/timers.h"
#include "cs/topics.h"
#include "cs/util.h"

#define ROUTE_KEY_LEN 600

/* FNV-1a 64 over bytes, continued from h. */
static uint64_t fnv(uint64_t h, const char *p) {
    for (const unsigned char *c = (const unsigned char *)p; *c; c++) {
        h ^= *c;
        h *= 1099511628211ULL;
    }
    return h;
}

#define FNV_START 1469598103934665603ULL

int64_t cs_lock_hash(const char *key) { return (int64_t)fnv(FNV_START, key); }

static int cmpI64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts h[0..n) and drops repeats: the one global order. */
static size_t sortUnique(int64_t *h, size_t n) {
    if (n > 1) qsort(h, n, sizeof *h, cmpI64);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || h[k - 1] != h[i]) h[k++] = h[i];
    return k;
}

size_t cs_lock_order(const char *const *keys, size_t n, int64_t *out) {
    for (size_t i = 0; i < n; i++) out[i] = cs_lock_hash(keys[i]);
    return sortUnique(out, n);
}

int cs_batch_lock_hashes(cs_batch *b, const int64_t *hashes, size_t n, char *err, size_t errlen) {
    if (n == 0) return 0;
    cs_copybuf arr = {0};
    cs_pg_int_array(&arr, hashes, n);
    const char *p[] = {arr.data};
    /* the subquery keeps the array's order: the locks are taken in it */
    int rc = cs_pg_exec(cs_batch_pg(b),
                        "SELECT pg_advisory_xact_lock(h) FROM (SELECT h FROM unnest($1::bigint[]) "
                        "WITH ORDINALITY AS u(h, i) ORDER BY i) s",
                        1, p, NULL, err, errlen);
    cs_copy_free(&arr);
    return rc;
}

int cs_batch_lock_pairs(cs_batch *b, const char *ns, const char *const *a, const char *const *c, size_t n, char *err,
                        size_t errlen) {
    /* the hash of "<ns>|<a>|<c>", computed piece by piece: no key built */
    int64_t *h = cs_xcalloc(n ? n : 1, sizeof *h);
    for (size_t i = 0; i < n; i++) h[i] = (int64_t)fnv(fnv(fnv(fnv(fnv(FNV_START, ns), "|"), a[i]), "|"), c[i]);
    int rc = cs_batch_lock_hashes(b, h, sortUnique(h, n), err, errlen);
    free(h);
    return rc;
}

size_t cs_routes_topics(const cs_worker_def *def, const char **out, size_t max) {
    size_t n = 0;
    if (max == 0) return 0;
    if (def->topics) {
        for (size_t i = 0; def->topics[i] && n + 1 < max; i++) out[n++] = def->topics[i];
        out[n] = NULL;
        return n;
    }
    for (const cs_route *r = def->routes; r && r->topic && n + 1 < max; r++) {
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++) seen = strcmp(out[i], r->topic) == 0;
        if (!seen) out[n++] = r->topic;
    }
    bool timers = def->timer_routes && def->timer_routes[0].kind;
    for (size_t i = 0; i < n && timers; i++)
        if (strcmp(out[i], CS_TOPIC_TIMERS) == 0) timers = false;
    if (timers && n + 1 < max) out[n++] = CS_TOPIC_TIMERS;
    out[n] = NULL;
    return n;
}

static const char *bodyName(int body) {
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(&cs__v1__envelope__descriptor, (unsigned)body);
    return f ? f->name : "none";
}

/* The route of ev (NULL: poisoned here, with the reason). */
static const cs_route *routeOf(const cs_worker_def *def, cs_event *ev) {
    const cs_route *topicSeen = NULL;
    for (const cs_route *r = def->routes; r && r->topic; r++) {
        if (strcmp(r->topic, ev->topic) != 0) continue;
        if (!topicSeen) topicSeen = r;
        if (r->body == ev->env->body_case) return r;
    }
    if (topicSeen)
        cs_event_poison(ev, "validation: %s carries %s, got body %s", ev->topic, bodyName(topicSeen->body),
                        bodyName(ev->env->body_case));
    else
        cs_event_poison(ev, "validation: topic %s is not routed by %s", ev->topic, def->name);
    return NULL;
}

static const cs_timer_route *timerRouteOf(const cs_worker_def *def, cs_event *ev) {
    const Cs__V1__TimerFired *f = ev->env->timer;
    if (!f || !f->timer_id || !f->timer_id[0] || !f->kind) {
        cs_event_poison(ev, "validation: %s carries a fired timer with an id and a kind", CS_TOPIC_TIMERS);
        return NULL;
    }
    for (const cs_timer_route *t = def->timer_routes; t && t->kind; t++)
        if (strcmp(t->kind, f->kind) == 0) return t;
    /* A kind this worker no longer routes (retired, renamed): it is taken
     * below, so its row stops being pending and reconciliation does not
     * fire it again and again, and dead-lettered as a record of it. */
    cs_event_poison(ev, "validation: no timer route for kind '%.64s' in %s (taken: it fires no more)", f->kind,
                    def->name);
    return NULL;
}

static bool isTimer(const cs_event *ev) {
    return strcmp(ev->topic, CS_TOPIC_TIMERS) == 0 && ev->env->body_case == CS__V1__ENVELOPE__BODY_TIMER;
}

/* The subject a timer route is given: the id's subject part, else the
 * payload (text). */
static void timerSubject(const Cs__V1__TimerFired *f, char *out, size_t len) {
    const char *s = cs_fx_timer_subject(f->timer_id);
    if (s) {
        cs_strlcpy(out, s, len);
        return;
    }
    size_t n = f->payload.len < len - 1 ? f->payload.len : len - 1;
    if (n) memcpy(out, f->payload.data, n);
    out[n] = 0;
}

int cs_routes_run(const cs_worker_def *def, cs_batch *b, const cs_route_io *io, char *err, size_t errlen) {
    int (*lock)(cs_batch *, const int64_t *, size_t, char *, size_t) = io && io->lock ? io->lock : cs_batch_lock_hashes;
    int (*take)(cs_batch *, const Cs__V1__TimerFired *, char *, size_t) =
        io && io->take_fired ? io->take_fired : cs_timer_take_fired;
    size_t n = cs_batch_count(b);
    const void **route = cs_xcalloc(n ? n : 1, sizeof *route);
    char **keys = cs_xcalloc(n ? n : 1, sizeof *keys);
    bool *unrouted = cs_xcalloc(n ? n : 1, sizeof *unrouted); /* a timer of a kind with no route */
    size_t nkeys = 0;
    char key[ROUTE_KEY_LEN], why[CS_REASON_LEN];
    /* 1. route */
    for (size_t i = 0; i < n; i++) {
        cs_event *ev = cs_batch_event(b, i);
        if (ev->poison) continue;
        if (strcmp(ev->topic, CS_TOPIC_TIMERS) == 0) {
            const cs_timer_route *t = NULL;
            if (!isTimer(ev))
                cs_event_poison(ev, "validation: %s carries timer, got body %s", CS_TOPIC_TIMERS,
                                bodyName(ev->env->body_case));
            else if (!(t = timerRouteOf(def, ev)) && ev->env->timer->kind)
                unrouted[i] = true;
            route[i] = t;
            if (t && ev->env->timer->order_key && ev->env->timer->order_key[0])
                keys[nkeys++] = cs_xstrdup(ev->env->timer->order_key);
            continue;
        }
        const cs_route *r = routeOf(def, ev);
        if (r && r->valid && !r->valid(ev, why, sizeof why)) {
            cs_event_poison(ev, "%s", why);
            r = NULL;
        }
        route[i] = r;
        if (r && r->lock_key && r->lock_key(ev, key, sizeof key)) keys[nkeys++] = cs_xstrdup(key);
    }
    /* 2. lock */
    int64_t *hashes = cs_xcalloc(nkeys ? nkeys : 1, sizeof *hashes);
    size_t nh = cs_lock_order((const char *const *)keys, nkeys, hashes);
    int rc = nh ? lock(b, hashes, nh, err, errlen) : 0;
    /* 3. the worker's set-based loads for the whole batch */
    if (rc == 0 && def->prepare) rc = def->prepare(def->user, b, err, errlen);
    /* 4. dispatch. The fired timers of a run (consecutive timer records)
     * are taken in one statement before the first of them is handled; a
     * handler that cancels or reschedules a later timer of the run makes
     * that one skipped, as if its take had come after the cancel. */
    char subject[CS_FX_ID_LEN * 2];
    bool *taken = cs_xcalloc(n ? n : 1, sizeof *taken);
    const Cs__V1__TimerFired **run = cs_xcalloc(n ? n : 1, sizeof *run);
    size_t runEnd = 0; /* [i, runEnd) is the run taken */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        cs_event *ev = cs_batch_event(b, i);
        if (i >= runEnd && isTimer(ev)) {
            if (runEnd > 0 && !(io && io->take_fired)) cs_timer_watch_end(b);
            size_t j = i;
            while (j < n && isTimer(cs_batch_event(b, j))) j++;
            size_t m = 0;
            for (size_t k = i; k < j; k++) {
                cs_event *e = cs_batch_event(b, k);
                run[m++] = (!e->poison && route[k]) || (e->poison && unrouted[k]) ? e->env->timer : NULL;
            }
            if (io && io->take_fired) {
                for (size_t k = 0; k < m && rc == 0; k++) {
                    int t = run[k] ? take(b, run[k], err, errlen) : 0;
                    if (t < 0) rc = -1;
                    taken[i + k] = t > 0;
                }
            } else {
                rc = cs_timer_take_fired_many(b, run, m, taken + i, err, errlen);
            }
            if (rc != 0) break;
            if (!(io && io->take_fired)) cs_timer_watch_begin(b);
            runEnd = j;
        }
        if (ev->poison || !route[i]) continue;
        if (isTimer(ev)) {
            const cs_timer_route *t = route[i];
            if (!taken[i] || (!(io && io->take_fired) && cs_timer_watch_touched(b, ev->env->timer->timer_id)))
                continue; /* cancelled or rescheduled since: no effect */
            timerSubject(ev->env->timer, subject, sizeof subject);
            rc = t->handle(def->user, b, ev, subject, err, errlen);
        } else {
            const cs_route *r = route[i];
            rc = r->handle(def->user, b, ev, err, errlen);
        }
    }
    if (runEnd > 0 && !(io && io->take_fired)) cs_timer_watch_end(b);
    free(taken);
    free(run);
    for (size_t i = 0; i < nkeys; i++) free(keys[i]);
    free(keys);
    free(hashes);
    free(route);
    free(unrouted);
    return rc;
}
