/* gw_producer.c -- the gateway's producer, its poll thread and its
 * readiness probe (see gw_producer.h).
 *
 * Why its own poll thread rather than librdkafka's background queue: the
 * delivery reports are the moment a request may be answered, so they are
 * served by a loop that does nothing else (rd_kafka_poll with a 100 ms
 * timeout, so a stop is seen). Why a separate probe thread: a metadata
 * request to a dead cluster blocks for its timeout, and the reports must
 * not wait behind it. */
#include "gw_producer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cs/clock.h"
#include "cs/kafka.h"
#include "cs/log.h"
#include "cs/topics.h"
#include "cs/util.h"

#define PROBE_EVERY_MS 1000
#define PROBE_TIMEOUT_MS 1500

/* The topics the gateway writes (gw_map produces to these only): the probe
 * requires a leader for every partition of each. */
static const char *const probeTopics[] = {CS_TOPIC_ORDERS,    CS_TOPIC_AFTERSALES, CS_TOPIC_REVIEWS,
                                          CS_TOPIC_INVENTORY, CS_TOPIC_CONTACTS,   NULL};

struct gw_producer {
    rd_kafka_t *rk;         /* the producer handle */
    gw_delivered_fn fn;     /* owner's report callback */
    void *arg;              /* its argument */
    pthread_t poller;       /* serves delivery reports */
    pthread_t prober;       /* metadata probe for readiness */
    _Atomic bool stop;      /* threads leave their loops */
    _Atomic bool probe_ok;  /* last probe saw every partition led */
    _Atomic bool dr_failed; /* a report failed since the last good probe */
    _Atomic bool fatal;     /* librdkafka's fatal error: unusable */
    pthread_mutex_t mu;     /* guards stop_cv waits */
    pthread_cond_t stop_cv; /* wakes the prober at stop */
};

static void onDelivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    gw_producer *p = opaque;
    if (m->err) atomic_store(&p->dr_failed, true);
    p->fn(m->_private, m->err, p->arg);
}

static void onError(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    gw_producer *p = opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[512];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, why, sizeof why);
        cs_log_error("kafka fatal error %s: %s; the gateway answers 503 and must be restarted", rd_kafka_err2name(orig),
                     why);
        atomic_store(&p->fatal, true);
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) atomic_store(&p->probe_ok, false);
    cs_log_warn("kafka: %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

/* librdkafka's own lines, as JSON log lines like everything else. */
static void onLog(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    cs_log(level <= 3   ? CS_LOG_ERROR
           : level <= 4 ? CS_LOG_WARN
           : level <= 6 ? CS_LOG_INFO
                        : CS_LOG_DEBUG,
           "kafka %s %s: %s", rd_kafka_name(rk), fac, buf);
}

static void *pollLoop(void *arg) {
    gw_producer *p = arg;
    while (!atomic_load(&p->stop)) rd_kafka_poll(p->rk, 100);
    return NULL;
}

/* One metadata request: every partition of every inbound topic has a leader. */
static bool probeOnce(gw_producer *p) {
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(p->rk, 1, NULL, &md, PROBE_TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
    bool ok = md->broker_cnt > 0;
    for (size_t t = 0; ok && probeTopics[t]; t++) {
        bool seen = false;
        for (int i = 0; i < md->topic_cnt; i++) {
            const rd_kafka_metadata_topic_t *mt = &md->topics[i];
            if (strcmp(mt->topic, probeTopics[t]) != 0) continue;
            seen = mt->err == RD_KAFKA_RESP_ERR_NO_ERROR && mt->partition_cnt > 0;
            for (int k = 0; seen && k < mt->partition_cnt; k++)
                if (mt->partitions[k].err != RD_KAFKA_RESP_ERR_NO_ERROR || mt->partitions[k].leader < 0) seen = false;
        }
        ok = seen;
    }
    rd_kafka_metadata_destroy(md);
    return ok;
}

static void *probeLoop(void *arg) {
    gw_producer *p = arg;
    bool was = false;
    while (!atomic_load(&p->stop)) {
        bool ok = probeOnce(p);
        if (ok) atomic_store(&p->dr_failed, false);
        atomic_store(&p->probe_ok, ok);
        if (ok != was) cs_log_info("kafka %s", ok ? "takes writes: ready" : "cannot take writes: not ready");
        was = ok;
        pthread_mutex_lock(&p->mu);
        if (!atomic_load(&p->stop)) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += PROBE_EVERY_MS / 1000;
            pthread_cond_timedwait(&p->stop_cv, &p->mu, &ts);
        }
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

gw_producer *gw_producer_new(const cs_config *cfg, int timeout_ms, gw_delivered_fn fn, void *arg, char *errbuf,
                             size_t errlen) {
    /* message.timeout.ms bounds a record's whole life in librdkafka (queued,
     * retried, in flight); request.timeout.ms no more than it, so a request
     * to a broker that went silent fails within the same bound. */
    char tmo[24];
    snprintf(tmo, sizeof tmo, "%d", timeout_ms);
    const char *const overrides[] = {"message.timeout.ms", tmo, "request.timeout.ms", tmo, "linger.ms", "1", NULL};
    rd_kafka_conf_t *conf = cs_kafka_conf(cfg, CS_KAFKA_PRODUCER, NULL, overrides, errbuf, errlen);
    if (!conf) return NULL;
    gw_producer *p = cs_xcalloc(1, sizeof *p);
    p->fn = fn;
    p->arg = arg;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->stop_cv, NULL);
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_conf_set_dr_msg_cb(conf, onDelivery);
    rd_kafka_conf_set_error_cb(conf, onError);
    rd_kafka_conf_set_log_cb(conf, onLog);
    char why[512];
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (!p->rk) {
        snprintf(errbuf, errlen, "kafka producer: %s", why);
        rd_kafka_conf_destroy(conf);
        pthread_cond_destroy(&p->stop_cv);
        pthread_mutex_destroy(&p->mu);
        free(p);
        return NULL;
    }
    conf = NULL; /* rd_kafka_new() took ownership of the conf */
    pthread_create(&p->poller, NULL, pollLoop, p);
    pthread_create(&p->prober, NULL, probeLoop, p);
    return p;
}

int gw_producer_send(gw_producer *p, const char *topic, const char *key, const void *value, size_t len,
                     const char *event_id, void *opaque, char *errbuf, size_t errlen) {
    /* MSGFLAGS 0: the value is neither copied nor freed (the request owns it
     * until the report); the key and header are copied. */
    rd_kafka_resp_err_t err = rd_kafka_producev(
        p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_VALUE((void *)value, len),
        RD_KAFKA_V_MSGFLAGS(0), RD_KAFKA_V_HEADER("event-id", event_id, -1), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err) {
        snprintf(errbuf, errlen, "produce to %s: %s", topic, rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

bool gw_producer_ready(gw_producer *p) {
    return atomic_load(&p->probe_ok) && !atomic_load(&p->dr_failed) && !atomic_load(&p->fatal);
}

bool gw_producer_fatal(gw_producer *p) { return atomic_load(&p->fatal); }

void gw_producer_free(gw_producer *p, int timeout_ms) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, true);
    pthread_cond_broadcast(&p->stop_cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->poller, NULL);
    pthread_join(p->prober, NULL);
    /* flush serves the reports itself now that the poll thread is gone */
    rd_kafka_resp_err_t err = rd_kafka_flush(p->rk, timeout_ms);
    if (err) {
        cs_log_warn("kafka: %d records unacknowledged at exit (%s)", rd_kafka_outq_len(p->rk), rd_kafka_err2str(err));
        /* their reports (purged) are served here, so every request still
         * waiting hears of its records */
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_flush(p->rk, 1000);
    }
    rd_kafka_destroy(p->rk);
    pthread_cond_destroy(&p->stop_cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
