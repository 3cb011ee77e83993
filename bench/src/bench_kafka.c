/* bench_kafka.c -- the benchmark's Kafka side (see bench.h): the load
 * producer, group positioning, the verdict listener and the raw consume
 * rate.
 *
 * Why the listener is a thread: latency is "verdict arrives at the driver
 * minus order handed to the producer", and the arrival must be stamped when
 * the record is polled, not whenever the pacing loop of the producer
 * happens to look. The thread polls every 100 ms at most and stamps each
 * record as it comes out of librdkafka (fetch.wait.max.ms 10, so an idle
 * fetch never holds a verdict back for long).
 *
 * Why offsets are committed for the verifier's group before it starts: the
 * load is written BEFORE the verifier runs (a backlog measures its maximum
 * rate), so the group must start exactly at the first record of this run,
 * not at whatever older runs left in the topic. */
#include "bench.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cs/kafka.h"
#include "cs/topics.h"
#include "cs/util.h"
#include "cs/v1/envelope.pb-c.h"

int64_t bench_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A consumer that is only ever assigned partitions (never subscribes). */
static rd_kafka_t *consumerNew(const cs_config *cfg, const char *group, char *err, size_t errlen) {
    static const char *const over[] = {
        "enable.partition.eof", "false", "fetch.wait.max.ms", "10", "client.id", "cs-bench", NULL};
    rd_kafka_conf_t *c = cs_kafka_conf(cfg, CS_KAFKA_READER, group, over, err, errlen);
    if (!c) return NULL;
    char e[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof e);
    if (!rk) {
        snprintf(err, errlen, "consumer: %s", e);
        rd_kafka_conf_destroy(c);
        return NULL;
    }
    /* rd_kafka_new() took ownership of c */
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

static rd_kafka_topic_partition_list_t *partsAt(const bench_offsets *o) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(o->n);
    for (int p = 0; p < o->n; p++) rd_kafka_topic_partition_list_add(l, o->topic, p)->offset = o->off[p];
    return l;
}

int bench_watermarks(const cs_config *cfg, const char *topic, bench_offsets *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    snprintf(out->topic, sizeof out->topic, "%s", topic);
    char group[64];
    snprintf(group, sizeof group, "cs-bench-meta-%d", (int)getpid());
    rd_kafka_t *rk = consumerNew(cfg, group, err, errlen);
    if (!rk) return -1;
    int rc = -1;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 10000);
    if (e || md->topic_cnt != 1 || md->topics[0].err) {
        snprintf(err, errlen, "metadata of %s: %s", topic,
                 rd_kafka_err2str(e               ? e
                                  : md->topic_cnt ? md->topics[0].err
                                                  : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC));
        goto out;
    }
    out->n = md->topics[0].partition_cnt;
    if (out->n > BENCH_MAX_PARTS) {
        snprintf(err, errlen, "%s: too many partitions", topic);
        goto out;
    }
    for (int p = 0; p < out->n; p++) {
        int64_t lo, hi;
        e = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000);
        if (e) {
            snprintf(err, errlen, "watermarks of %s/%d: %s", topic, p, rd_kafka_err2str(e));
            goto out;
        }
        out->off[p] = hi;
    }
    rc = 0;
out:
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

int64_t bench_offsets_span(const bench_offsets *from, const bench_offsets *to) {
    int64_t n = 0;
    for (int p = 0; p < to->n && p < from->n; p++) n += to->off[p] - from->off[p];
    return n;
}

int bench_commit_group(const cs_config *cfg, const char *group, const bench_offsets *at, char *err, size_t errlen) {
    rd_kafka_t *rk = consumerNew(cfg, group, err, errlen);
    if (!rk) return -1;
    rd_kafka_topic_partition_list_t *l = partsAt(at);
    rd_kafka_resp_err_t e = rd_kafka_commit(rk, l, 0); /* synchronous */
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (e) {
        snprintf(err, errlen, "commit offsets of %s for group %s: %s", at->topic, group, rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

/* ---- producer --------------------------------------------------------------- */

static long producerFailed;
static char producerError[256];

static void onDelivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    (void)opaque;
    if (m->err) {
        if (!producerFailed) snprintf(producerError, sizeof producerError, "%s", rd_kafka_err2str(m->err));
        producerFailed++;
    }
}

long bench_producer_failed(void) { return producerFailed; }

rd_kafka_t *bench_producer_new(const cs_config *cfg, char *err, size_t errlen) {
    /* message.timeout.ms: librdkafka's default (300 s), not the workers' 30 s: a
     * backlog of up to a million records is queued at once */
    static const char *const over[] = {
        "linger.ms", "5",         "message.timeout.ms", "300000", "queue.buffering.max.messages",
        "1000000",   "client.id", "cs-bench",           NULL};
    rd_kafka_conf_t *c = cs_kafka_conf(cfg, CS_KAFKA_PRODUCER, NULL, over, err, errlen);
    if (!c) return NULL;
    rd_kafka_conf_set_dr_msg_cb(c, onDelivery);
    char e[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, e, sizeof e);
    if (!rk) {
        snprintf(err, errlen, "producer: %s", e);
        rd_kafka_conf_destroy(c);
        return NULL;
    }
    return rk;
}

void bench_pack_order(const cs_sample *s, int i, cs_sample_arena *a, bench_record *out) {
    cs_sample_event ev;
    cs_sample_order_single(s, i, a, &ev);
    out->topic = ev.topic;
    memcpy(out->key, ev.key, sizeof out->key);
    out->value = cs_sample_pack(ev.env, &out->len);
    cs_sample_arena_reset(a);
}

int bench_produce_packed(rd_kafka_t *rk, bench_record *r, int64_t *produced_us, char *err, size_t errlen) {
    for (;;) {
        int64_t now = bench_now_us();
        rd_kafka_resp_err_t e = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(r->topic), RD_KAFKA_V_KEY(r->key, strlen(r->key)), RD_KAFKA_V_VALUE(r->value, r->len),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE), RD_KAFKA_V_END);
        if (!e) {
            if (produced_us) *produced_us = now;
            r->value = NULL; /* librdkafka owns it now */
            break;
        }
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            free(r->value);
            r->value = NULL;
            snprintf(err, errlen, "produce: %s", rd_kafka_err2str(e));
            return -1;
        }
        rd_kafka_poll(rk, 50);
    }
    rd_kafka_poll(rk, 0);
    return 0;
}

int bench_produce_order(rd_kafka_t *rk, const cs_sample *s, int i, cs_sample_arena *a, int64_t *produced_us,
                        size_t *bytes, char *err, size_t errlen) {
    bench_record r;
    bench_pack_order(s, i, a, &r);
    if (bytes) *bytes = r.len;
    return bench_produce_packed(rk, &r, produced_us, err, errlen);
}

int bench_producer_flush(rd_kafka_t *rk, char *err, size_t errlen) {
    rd_kafka_resp_err_t e = rd_kafka_flush(rk, 300000);
    if (e) {
        snprintf(err, errlen, "flush: %s", rd_kafka_err2str(e));
        return -1;
    }
    if (producerFailed) {
        snprintf(err, errlen, "%ld records failed: %s", producerFailed, producerError);
        return -1;
    }
    return 0;
}

/* ---- verdict listener --------------------------------------------------------- */

typedef struct benchPhase {
    const cs_sample *s; /* orders tracked (not owned), NULL = none */
    int64_t *arrival;   /* owned: per order index, 0 = not yet */
    int64_t count;      /* distinct orders with a verdict */
    int64_t last_us;    /* arrival of the latest first verdict */
} benchPhase;

struct bench_listener {
    rd_kafka_t *rk;
    pthread_t thread;
    pthread_mutex_t mu; /* guards phases and foreign */
    benchPhase phase[2];
    long foreign; /* verdicts of orders not tracked */
    volatile int stop;
};

/* The order a verdict is about, from the record's key "<shop>:<order>"
 * (CONTRACTS.md), not from its value: decoding every verdict was most of
 * this driver's CPU, on the same two cores as what it measures. Only
 * verdicts travel on cs.verdicts.v1. */
static void listenOne(bench_listener *l, const rd_kafka_message_t *m, int64_t now) {
    char order_id[256];
    const char *key = m->key, *colon = key ? memchr(key, ':', m->key_len) : NULL;
    if (!colon) return;
    size_t n = m->key_len - (size_t)(colon + 1 - key);
    if (n == 0 || n >= sizeof order_id) return;
    memcpy(order_id, colon + 1, n);
    order_id[n] = '\0';
    bool hit = false;
    pthread_mutex_lock(&l->mu);
    for (int p = 0; p < 2 && !hit; p++) {
        benchPhase *ph = &l->phase[p];
        if (!ph->s) continue;
        int i = cs_sample_order_index(ph->s, order_id);
        if (i < 0) continue;
        hit = true;
        if (ph->arrival[i]) continue; /* a later version or a re-sent record */
        ph->arrival[i] = now;
        ph->count++;
        ph->last_us = now;
    }
    if (!hit) l->foreign++;
    pthread_mutex_unlock(&l->mu);
}

static void *listenLoop(void *arg) {
    bench_listener *l = arg;
    while (!l->stop) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(l->rk, 100);
        if (!m) continue;
        int64_t now = bench_now_us(); /* stamped first: nothing else delays it */
        if (!m->err) listenOne(l, m, now);
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

bench_listener *bench_listener_start(const cs_config *cfg, const bench_offsets *from, char *err, size_t errlen) {
    char group[64];
    snprintf(group, sizeof group, "cs-bench-listen-%d", (int)getpid());
    rd_kafka_t *rk = consumerNew(cfg, group, err, errlen);
    if (!rk) return NULL;
    rd_kafka_topic_partition_list_t *parts = partsAt(from);
    rd_kafka_resp_err_t e = rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (e) {
        snprintf(err, errlen, "assign %s: %s", from->topic, rd_kafka_err2str(e));
        rd_kafka_destroy(rk);
        return NULL;
    }
    bench_listener *l = cs_xcalloc(1, sizeof *l);
    l->rk = rk;
    pthread_mutex_init(&l->mu, NULL);
    if (pthread_create(&l->thread, NULL, listenLoop, l) != 0) {
        snprintf(err, errlen, "listener thread: cannot start");
        rd_kafka_destroy(rk);
        free(l);
        return NULL;
    }
    return l;
}

void bench_listener_track(bench_listener *l, int phase, const cs_sample *s) {
    int64_t *arr = cs_xcalloc((size_t)cs_sample_count(s), sizeof *arr);
    pthread_mutex_lock(&l->mu);
    free(l->phase[phase].arrival);
    l->phase[phase] = (benchPhase){.s = s, .arrival = arr};
    pthread_mutex_unlock(&l->mu);
}

int64_t bench_listener_count(bench_listener *l, int phase, int64_t *last_us) {
    pthread_mutex_lock(&l->mu);
    int64_t n = l->phase[phase].count;
    if (last_us) *last_us = l->phase[phase].last_us;
    pthread_mutex_unlock(&l->mu);
    return n;
}

int64_t bench_listener_arrival(bench_listener *l, int phase, int i) {
    pthread_mutex_lock(&l->mu);
    int64_t t = l->phase[phase].arrival ? l->phase[phase].arrival[i] : 0;
    pthread_mutex_unlock(&l->mu);
    return t;
}

long bench_listener_foreign(bench_listener *l) {
    pthread_mutex_lock(&l->mu);
    long n = l->foreign;
    pthread_mutex_unlock(&l->mu);
    return n;
}

void bench_listener_stop(bench_listener *l) {
    if (!l) return;
    l->stop = 1;
    pthread_join(l->thread, NULL);
    rd_kafka_consumer_close(l->rk);
    rd_kafka_destroy(l->rk);
    for (int p = 0; p < 2; p++) free(l->phase[p].arrival);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

/* ---- raw consume -------------------------------------------------------------- */

double bench_raw_consume(const cs_config *cfg, const bench_offsets *from, const bench_offsets *to, int64_t *records,
                         char *err, size_t errlen) {
    char group[64];
    snprintf(group, sizeof group, "cs-bench-raw-%d", (int)getpid());
    rd_kafka_t *rk = consumerNew(cfg, group, err, errlen);
    if (!rk) return -1;
    rd_kafka_topic_partition_list_t *parts = partsAt(from);
    rd_kafka_resp_err_t e = rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (e) {
        snprintf(err, errlen, "assign %s: %s", from->topic, rd_kafka_err2str(e));
        rd_kafka_destroy(rk);
        return -1;
    }
    int64_t want = bench_offsets_span(from, to), got = 0, first = 0, last = 0, idle_since = bench_now_us();
    int64_t bytes = 0;
    while (got < want) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        int64_t now = bench_now_us();
        if (!m) {
            if (now - idle_since > 15000000) break; /* 15 s without a record: give up */
            continue;
        }
        if (!m->err && m->partition < to->n && m->offset < to->off[m->partition]) {
            if (!first) first = now;
            last = now;
            got++;
            bytes += (int64_t)m->len; /* touch the record, as any consumer does */
            idle_since = now;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    *records = got;
    if (got < want) {
        snprintf(err, errlen, "raw consume read %lld of %lld records", (long long)got, (long long)want);
        return -1;
    }
    (void)bytes;
    return last > first ? (double)got * 1e6 / (double)(last - first) : -1;
}

/* ---- reading a range back ------------------------------------------------------- */

int64_t bench_consume_range(const cs_config *cfg, const bench_offsets *from, const bench_offsets *to,
                            void (*fn)(const rd_kafka_message_t *m, void *arg), void *arg, char *err, size_t errlen) {
    char group[64];
    snprintf(group, sizeof group, "cs-bench-range-%d", (int)getpid());
    rd_kafka_t *rk = consumerNew(cfg, group, err, errlen);
    if (!rk) return -1;
    rd_kafka_topic_partition_list_t *parts = partsAt(from);
    rd_kafka_resp_err_t e = rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (e) {
        snprintf(err, errlen, "assign %s: %s", from->topic, rd_kafka_err2str(e));
        rd_kafka_destroy(rk);
        return -1;
    }
    int64_t want = bench_offsets_span(from, to), got = 0, idle_since = bench_now_us();
    while (got < want) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        int64_t now = bench_now_us();
        if (!m) {
            if (now - idle_since > 15000000) break; /* 15 s without a record: give up */
            continue;
        }
        if (!m->err && m->partition < to->n && m->offset < to->off[m->partition]) {
            fn(m, arg);
            got++;
            idle_since = now;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (got < want) {
        snprintf(err, errlen, "read %lld of %lld records of %s", (long long)got, (long long)want, from->topic);
        return -1;
    }
    return got;
}
