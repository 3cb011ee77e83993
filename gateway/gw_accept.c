/* gw_accept.c -- the event id's claim, the produce and the answer (see
 * gw_accept.h for the protocol).
 *
 * One thread, one Redis connection. Each turn takes every job that is
 * ready -- new ones to claim, waiting ones due for another look, finished
 * ones to settle -- and sends all their commands as one pipeline: at
 * thousands of requests a second that is a few round trips, not
 * thousands. The producer's poll thread touches a job only through its
 * atomics and the settling list.
 *
 * A job (its records) belongs to gw_accept from submit until both its
 * answer is given and Kafka has reported on every record it sent, since
 * librdkafka holds the record values (not copied) until then. The two
 * usually coincide; after the answer deadline (gw_accept.h) they do not,
 * and the job stays on the `sent` list until its reports come. */
#include "gw_accept.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cs/clock.h"
#include "cs/log.h"
#include "cs/metrics.h"
#include "cs/redis.h"
#include "cs/util.h"
#include "gw_producer.h"

#define KEY_PREFIX "cs:gw:id:"
#define WAIT_LOOK_MS 100      /* a waiting job looks at the claim again this often */
#define REDIS_BACKOFF_MS 1000 /* after a failed round trip, refuse at once for this long */
#define RETRY_BUSY_S 1        /* Retry-After: the other request is nearly done */
#define RETRY_DOWN_S 5        /* Retry-After: Kafka or Redis unreachable */
#define TURN_MAX 512          /* jobs per pipeline */
#define ANSWER_SLACK_MS 1000  /* answer deadline past the produce timeout */

/* Deletes the key only while it still holds this request's claim: a claim
 * that expired and was taken by another copy is not ours to free. */
static const char releaseScript[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

typedef enum jobStage { STAGE_CLAIM, STAGE_WAIT, STAGE_SENT, STAGE_SETTLE } jobStage;

typedef struct job {
    const cs_shop *shop;   /* authenticated shop (the set outlives us) */
    gw_mapped m;           /* the records (owned) */
    gw_answer_fn answer;   /* the submitter's callback */
    void *arg;             /* its argument; forgotten once answered */
    bool answered;         /* answer called */
    jobStage stage;        /* where it is */
    int64_t deadline_ms;   /* monotonic: the claim wait ends */
    int64_t next_ms;       /* monotonic: a waiting job's next look */
    int64_t answer_by_ms;  /* monotonic: sent records: answer 503 if not reported by then */
    char token[128];       /* this request's claim: "<instance>/<n>" */
    atomic_int pending;    /* records without a report yet (+1 while sending) */
    atomic_int failed;     /* rd_kafka_resp_err_t of the first failure, 0 if none */
    struct job *next;      /* incoming, waiting or settling list */
    struct job *sent_next; /* the `sent` list: every job with records in librdkafka */
} job;

struct gw_accept {
    gw_producer *producer;    /* Kafka; its reports call onDelivered */
    cs_redis *redis;          /* the protocol thread's connection */
    pthread_t thread;         /* the protocol thread */
    pthread_mutex_t mu;       /* guards incoming, settling, inflight, closed, stop */
    pthread_cond_t cv;        /* work arrived (or stop) */
    pthread_cond_t idle_cv;   /* inflight reached 0 */
    job *incoming;            /* submitted, to claim */
    job *settling;            /* every record reported: mark or release */
    int inflight;             /* submitted and not answered */
    bool closed;              /* gw_accept_close(): no job taken any more */
    bool stop;                /* the thread leaves once nothing is unanswered */
    atomic_bool closing;      /* closed, read without the lock */
    job *waiting;             /* protocol thread only: claim held elsewhere */
    job *sent;                /* protocol thread only: records handed to librdkafka, not settled */
    uint64_t seq;             /* protocol thread only: claim token counter */
    int64_t redis_retry_ms;   /* protocol thread only: no Redis round trip before this */
    char instance[64];        /* CS_INSTANCE, in claim tokens */
    int claim_ttl_ms;         /* CS_GATEWAY_CLAIM_TTL_MS */
    int claim_wait_ms;        /* CS_GATEWAY_CLAIM_WAIT_MS */
    int id_ttl_s;             /* CS_GATEWAY_ID_TTL */
    int answer_after_ms;      /* produce timeout + slack */
    cs_metric *m_dup;         /* dedupe hits (200) */
    cs_metric *m_wait;        /* requests that waited on another's claim */
    cs_metric *m_produce_err; /* records Kafka refused or did not acknowledge */
    cs_metric *m_late;        /* requests answered 503 before Kafka reported */
    cs_metric *m_redis_err;   /* failed Redis round trips */
    cs_metric *m_unmarked;    /* accepted ids whose mark could not be written */
};

/* ---- jobs ------------------------------------------------------------------------ */

static void push(job **list, job *j) {
    j->next = *list;
    *list = j;
}

static void jobFree(job *j) {
    gw_mapped_free(&j->m);
    free(j);
}

static void onDelivered(void *opaque, rd_kafka_resp_err_t err, void *arg) {
    gw_accept *a = arg;
    job *j = opaque;
    if (err) {
        int none = 0;
        atomic_compare_exchange_strong(&j->failed, &none, (int)err);
        cs_metric_add(a->m_produce_err, 1);
    }
    if (atomic_fetch_sub(&j->pending, 1) == 1) {
        pthread_mutex_lock(&a->mu);
        push(&a->settling, j);
        pthread_cond_signal(&a->cv);
        pthread_mutex_unlock(&a->mu);
    }
}

bool gw_accept_submit(gw_accept *a, const cs_shop *shop, gw_mapped *m, gw_answer_fn answer, void *arg) {
    pthread_mutex_lock(&a->mu);
    bool open = !a->closed;
    if (open) {
        job *j = cs_xcalloc(1, sizeof *j);
        j->shop = shop;
        j->m = *m;
        memset(m, 0, sizeof *m); /* moved */
        j->answer = answer;
        j->arg = arg;
        j->stage = STAGE_CLAIM;
        j->deadline_ms = cs_mono_ms() + a->claim_wait_ms;
        atomic_init(&j->pending, 0);
        atomic_init(&j->failed, 0);
        a->inflight++;
        push(&a->incoming, j);
        pthread_cond_signal(&a->cv);
    }
    pthread_mutex_unlock(&a->mu);
    return open;
}

/* Gives the job's answer (once). */
static void answer(gw_accept *a, job *j, gw_outcome o, int retry_after_s) {
    if (j->answered) return;
    j->answered = true;
    j->answer(j->arg, o, retry_after_s, &j->m);
    j->arg = NULL;
    pthread_mutex_lock(&a->mu);
    if (--a->inflight == 0) pthread_cond_broadcast(&a->idle_cv);
    pthread_mutex_unlock(&a->mu);
}

/* Answers a job that has nothing in librdkafka, and frees it. */
static void finish(gw_accept *a, job *j, gw_outcome o, int retry_after_s) {
    answer(a, j, o, retry_after_s);
    jobFree(j);
}

/* ---- the claim's value --------------------------------------------------------------- */

/* Whether a stored value ("c <shop> <token>" or "a <shop>") names shop. */
static bool valueShopIs(const char *v, size_t len, const char *shop) {
    if (len < 3 || v[1] != ' ') return false;
    size_t n = strlen(shop);
    return len >= 2 + n && memcmp(v + 2, shop, n) == 0 && (len == 2 + n || v[2 + n] == ' ');
}

/* ---- one turn -------------------------------------------------------------------------- */

/* Produces the claimed job's records; a refusal counts as a failed report. */
static void produce(gw_accept *a, job *j, job **settleNow) {
    const gw_mapped *m = &j->m;
    j->stage = STAGE_SENT;
    j->answer_by_ms = cs_mono_ms() + a->answer_after_ms;
    j->sent_next = a->sent;
    a->sent = j;
    atomic_store(&j->pending, (int)m->n + 1); /* +1: held until every send is done */
    for (size_t i = 0; i < m->n; i++) {
        const gw_record *r = &m->rec[i];
        char err[256];
        if (gw_producer_send(a->producer, r->topic, r->key, r->value, r->len, r->event_id, j, err, sizeof err) != 0) {
            cs_log_warn("event %s: %s", m->event_id, err);
            cs_metric_add(a->m_produce_err, 1);
            int none = 0;
            atomic_compare_exchange_strong(&j->failed, &none, (int)RD_KAFKA_RESP_ERR__FAIL);
            atomic_fetch_sub(&j->pending, (int)(m->n - i)); /* no report will come for these */
            break;
        }
    }
    if (atomic_fetch_sub(&j->pending, 1) == 1) push(settleNow, j); /* every report already in */
}

/* The reply to a job's SET NX GET. */
static void claimed(gw_accept *a, job *j, const redisReply *rep, int64_t now, job **settleNow) {
    if (rep->type == REDIS_REPLY_NIL) { /* ours */
        produce(a, j, settleNow);
        return;
    }
    if (rep->type != REDIS_REPLY_STRING) {
        cs_log_error("redis: SET NX GET for event %s answered %s", j->m.event_id,
                     rep->type == REDIS_REPLY_ERROR ? rep->str : "an unexpected type (Redis 7 needed)");
        cs_metric_add(a->m_redis_err, 1);
        finish(a, j, GW_OUT_REDIS, RETRY_DOWN_S);
        return;
    }
    if (!valueShopIs(rep->str, rep->len, j->shop->id)) {
        finish(a, j, GW_OUT_OTHER_SHOP, 0);
        return;
    }
    if (rep->str[0] == 'a') {
        cs_metric_add(a->m_dup, 1);
        finish(a, j, GW_OUT_DUPLICATE, 0);
        return;
    }
    /* another request of this shop holds the id's claim */
    if (j->stage == STAGE_CLAIM) cs_metric_add(a->m_wait, 1);
    if (now >= j->deadline_ms) {
        finish(a, j, GW_OUT_BUSY, RETRY_BUSY_S);
        return;
    }
    j->stage = STAGE_WAIT;
    j->next_ms = now + WAIT_LOOK_MS;
    push(&a->waiting, j);
}

/* Drops j from the sent list and frees it (its reports are all in). */
static void sentRemove(gw_accept *a, job *j) {
    for (job **p = &a->sent; *p; p = &(*p)->sent_next)
        if (*p == j) {
            *p = j->sent_next;
            break;
        }
    jobFree(j);
}

/* A settled job: answered (if it was not yet) and freed. */
static void settled(gw_accept *a, job *j, bool marked) {
    if (atomic_load(&j->failed) == 0) {
        if (!marked) {
            /* in Kafka: answered 202; a repeat after the claim expires is
             * produced again and deduplicated by the workers */
            cs_metric_add(a->m_unmarked, 1);
            cs_log_warn("event %s accepted but not recorded in Redis (a repeat will be produced again)", j->m.event_id);
        }
        answer(a, j, GW_OUT_ACCEPTED, 0);
    } else {
        if (!j->answered)
            cs_log_warn("event %s: Kafka did not acknowledge: %s", j->m.event_id,
                        rd_kafka_err2str((rd_kafka_resp_err_t)atomic_load(&j->failed)));
        answer(a, j, GW_OUT_KAFKA, RETRY_DOWN_S);
    }
    sentRemove(a, j);
}

/* After a round trip that failed (or was skipped while Redis is down). */
static void redisDown(gw_accept *a, job *claims, job *settles) {
    for (job *j = claims, *nx; j; j = nx) {
        nx = j->next;
        finish(a, j, GW_OUT_REDIS, RETRY_DOWN_S);
    }
    for (job *j = settles, *nx; j; j = nx) {
        nx = j->next;
        settled(a, j, false); /* a failed one's claim expires by itself */
    }
}

static void turn(gw_accept *a, cs_redis_pipe *pipe, job *claims, job *settles) {
    char key[512], ttl[24], claimTtl[24];
    snprintf(ttl, sizeof ttl, "%d", a->id_ttl_s);
    snprintf(claimTtl, sizeof claimTtl, "%d", a->claim_ttl_ms);
    int64_t now = cs_mono_ms();

    /* Kafka known down (or shutting down): refuse before claiming */
    job *toClaim = NULL;
    for (job *j = claims, *nx; j; j = nx) {
        nx = j->next;
        if (atomic_load(&a->closing) || !gw_producer_ready(a->producer))
            finish(a, j, GW_OUT_KAFKA, RETRY_DOWN_S);
        else
            push(&toClaim, j);
    }
    claims = toClaim;
    if (!claims && !settles) return;
    if (now < a->redis_retry_ms) {
        redisDown(a, claims, settles);
        return;
    }
    cs_redis_pipe_reset(pipe);
    for (job *j = claims; j; j = j->next) {
        char value[256];
        if (!j->token[0]) snprintf(j->token, sizeof j->token, "%s/%llu", a->instance, (unsigned long long)++a->seq);
        snprintf(key, sizeof key, KEY_PREFIX "%s", j->m.event_id);
        snprintf(value, sizeof value, "c %s %s", j->shop->id, j->token);
        const char *argv[] = {"SET", key, value, "NX", "PX", claimTtl, "GET"};
        cs_redis_pipe_add(pipe, 7, argv);
    }
    for (job *j = settles; j; j = j->next) {
        char value[256];
        snprintf(key, sizeof key, KEY_PREFIX "%s", j->m.event_id);
        if (atomic_load(&j->failed) == 0) {
            snprintf(value, sizeof value, "a %s", j->shop->id);
            const char *argv[] = {"SET", key, value, "EX", ttl};
            cs_redis_pipe_add(pipe, 5, argv);
        } else {
            snprintf(value, sizeof value, "c %s %s", j->shop->id, j->token);
            const char *argv[] = {"EVAL", releaseScript, "1", key, value};
            cs_redis_pipe_add(pipe, 5, argv);
        }
    }
    char err[256];
    if (cs_redis_pipe_run(a->redis, pipe, err, sizeof err) != 0) {
        cs_log_error("redis: %s (webhooks answer 503 until it answers again)", err);
        cs_metric_add(a->m_redis_err, 1);
        a->redis_retry_ms = cs_mono_ms() + REDIS_BACKOFF_MS;
        redisDown(a, claims, settles);
        return;
    }
    size_t i = 0;
    job *settleNow = NULL;
    now = cs_mono_ms();
    for (job *j = claims, *nx; j; j = nx, i++) {
        nx = j->next;
        claimed(a, j, cs_redis_pipe_reply(pipe, i), now, &settleNow);
    }
    for (job *j = settles, *nx; j; j = nx, i++) {
        nx = j->next;
        const redisReply *rep = cs_redis_pipe_reply(pipe, i);
        bool ok = rep->type != REDIS_REPLY_ERROR;
        if (!ok) {
            cs_log_warn("redis: settling event %s: %s", j->m.event_id, rep->str);
            cs_metric_add(a->m_redis_err, 1);
        }
        settled(a, j, ok);
    }
    /* jobs whose every send failed at once settle in the next turn */
    if (settleNow) {
        pthread_mutex_lock(&a->mu);
        while (settleNow) {
            job *j = settleNow;
            settleNow = j->next;
            push(&a->settling, j);
        }
        pthread_mutex_unlock(&a->mu);
    }
}

/* Sent jobs past their answer deadline are answered 503 now (their
 * reports settle them later). Returns the earliest deadline still ahead. */
static int64_t answerLate(gw_accept *a, int64_t now, int64_t wake) {
    for (job *j = a->sent; j; j = j->sent_next) {
        if (j->answered) continue;
        if (now >= j->answer_by_ms) {
            cs_metric_add(a->m_late, 1);
            cs_log_warn("event %s: no word from Kafka within %d ms: answered 503 (its claim stays until Kafka reports)",
                        j->m.event_id, a->answer_after_ms);
            answer(a, j, GW_OUT_KAFKA, RETRY_DOWN_S);
        } else if (j->answer_by_ms < wake)
            wake = j->answer_by_ms;
    }
    return wake;
}

/* Takes up to *budget jobs off *list into *out. */
static void takeSome(job **list, job **out, int *budget) {
    while (*list && *budget > 0) {
        job *j = *list;
        *list = j->next;
        push(out, j);
        (*budget)--;
    }
}

static void *loop(void *arg) {
    gw_accept *a = arg;
    cs_redis_pipe *pipe = cs_redis_pipe_new();
    pthread_mutex_lock(&a->mu);
    for (;;) {
        int64_t now = cs_mono_ms(), wake = now + 1000;
        job *claims = NULL, *settles = NULL, *still = NULL;
        int budget = TURN_MAX;
        takeSome(&a->settling, &settles, &budget);
        takeSome(&a->incoming, &claims, &budget);
        while (a->waiting) { /* due ones are claimed again: SET NX takes a freed or expired claim */
            job *j = a->waiting;
            a->waiting = j->next;
            if (j->next_ms <= now && budget > 0) {
                push(&claims, j);
                budget--;
            } else {
                if (j->next_ms < wake) wake = j->next_ms;
                push(&still, j);
            }
        }
        a->waiting = still;
        if (claims || settles) {
            pthread_mutex_unlock(&a->mu);
            turn(a, pipe, claims, settles);
            pthread_mutex_lock(&a->mu);
            continue;
        }
        pthread_mutex_unlock(&a->mu);
        wake = answerLate(a, now, wake);
        pthread_mutex_lock(&a->mu);
        if (a->stop && a->inflight == 0) break;
        if (a->incoming || a->settling) continue;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ms = wake - now;
        if (ms < 1) ms = 1;
        ts.tv_sec += ms / 1000;
        ts.tv_nsec += (ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&a->cv, &a->mu, &ts);
    }
    pthread_mutex_unlock(&a->mu);
    cs_redis_pipe_free(pipe);
    return NULL;
}

/* ---- life ------------------------------------------------------------------------------- */

gw_accept *gw_accept_new(const cs_config *cfg, const gw_config *gcfg, char *errbuf, size_t errlen) {
    gw_accept *a = cs_xcalloc(1, sizeof *a);
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    pthread_cond_init(&a->idle_cv, NULL);
    cs_strlcpy(a->instance, cfg->instance, sizeof a->instance);
    a->claim_ttl_ms = gcfg->claim_ttl_ms;
    a->claim_wait_ms = gcfg->claim_wait_ms;
    a->id_ttl_s = gcfg->id_ttl_s;
    a->answer_after_ms = gcfg->produce_timeout_ms + ANSWER_SLACK_MS;
    a->m_dup = cs_metric_get(CS_METRIC_COUNTER, "cs_gateway_dedupe_hits_total",
                             "Webhooks whose event id was accepted before (answered 200)", NULL);
    a->m_wait = cs_metric_get(CS_METRIC_COUNTER, "cs_gateway_claim_waits_total",
                              "Webhooks that waited on another request producing the same event id", NULL);
    a->m_produce_err = cs_metric_get(CS_METRIC_COUNTER, "cs_gateway_kafka_produce_errors_total",
                                     "Records Kafka refused or did not acknowledge in time", NULL);
    a->m_late = cs_metric_get(CS_METRIC_COUNTER, "cs_gateway_kafka_late_answers_total",
                              "Webhooks answered 503 at the deadline, before Kafka reported on their records", NULL);
    a->m_redis_err = cs_metric_get(CS_METRIC_COUNTER, "cs_gateway_redis_errors_total",
                                   "Failed Redis round trips and error replies", NULL);
    a->m_unmarked = cs_metric_get(CS_METRIC_COUNTER, "cs_gateway_ids_unrecorded_total",
                                  "Accepted event ids Redis could not record (a repeat is produced again)", NULL);
    a->redis = cs_redis_new(cfg->redis_url, errbuf, errlen);
    if (!a->redis) goto fail;
    a->producer = gw_producer_new(cfg, gcfg->produce_timeout_ms, onDelivered, a, errbuf, errlen);
    if (!a->producer) goto fail;
    pthread_create(&a->thread, NULL, loop, a);
    return a;
fail:
    cs_redis_free(a->redis);
    pthread_cond_destroy(&a->idle_cv);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    free(a);
    return NULL;
}

bool gw_accept_ready(gw_accept *a) { return gw_producer_ready(a->producer); }

bool gw_accept_fatal(gw_accept *a) { return gw_producer_fatal(a->producer); }

int gw_accept_inflight(gw_accept *a) {
    pthread_mutex_lock(&a->mu);
    int n = a->inflight;
    pthread_mutex_unlock(&a->mu);
    return n;
}

void gw_accept_close(gw_accept *a, int wait_ms) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    atomic_store(&a->closing, true);
    pthread_mutex_lock(&a->mu);
    a->closed = true;
    pthread_cond_signal(&a->cv);
    /* waiting jobs fail at their next look, sent ones are answered by
     * their reports or their deadline */
    while (a->inflight > 0)
        if (pthread_cond_timedwait(&a->idle_cv, &a->mu, &until) != 0) break;
    if (a->inflight) cs_log_warn("%d webhooks still unanswered after %d ms", a->inflight, wait_ms);
    pthread_mutex_unlock(&a->mu);
}

void gw_accept_free(gw_accept *a) {
    if (!a) return;
    atomic_store(&a->closing, true);
    pthread_mutex_lock(&a->mu);
    a->closed = true;
    a->stop = true;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    /* the thread leaves once every request is answered (each has a deadline) */
    pthread_join(a->thread, NULL);
    /* The producer flushes (5 s), then purges what Kafka never reported:
     * every report has come once it is gone, so the jobs still holding
     * records can be freed. Their claims expire by themselves. */
    gw_producer_free(a->producer, 5000);
    for (job *j = a->sent, *nx; j; j = nx) {
        nx = j->sent_next;
        jobFree(j);
    }
    cs_redis_free(a->redis);
    pthread_cond_destroy(&a->idle_cv);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    free(a);
}
