/* topics.c -- the table of every Kafka topic, and creating / listing them
 * with librdkafka's Admin API (see topics.h).
 *
 * Creation is idempotent and cheap to re-run: one metadata request finds
 * what exists, CreateTopics is sent only for the missing topics, and
 * "already exists" (another operator racing us) counts as success. An
 * existing topic is never altered, even if its partition count differs
 * from the table; `cscli topics list` shows such a mismatch.
 *
 * Creation returns only once the topics can be used: every partition of
 * every table topic has a leader that serves it (wait_ready). Kafka
 * answers CreateTopics before the leaders are elected, and a client that
 * comes at once (the benchmark right after `stack.sh up` on a fresh
 * machine) got "Not leader for partition". Existing topics are waited for
 * too: after a broker restart their leaders take a moment as well.
 *
 * The admin handle is a short-lived producer instance (librdkafka runs
 * admin requests on any client type). Its log lines go to cs_log at debug
 * level only: a broker that cannot be reached is reported once, through
 * errbuf, by whoever decides what to do about it. */
#include "cs/topics.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "cs/clock.h"
#include "cs/kafka.h"
#include "cs/log.h"
#include "cs/util.h"

#define METADATA_TIMEOUT_MS 5000 /* longest wait for the cluster to answer */
#define CREATE_TIMEOUT_MS 15000  /* longest wait for CreateTopics */
#define READY_TIMEOUT_MS 30000   /* longest wait for every partition to have a working leader */
#define READY_RETRY_MS 200       /* pause between two looks */

#define ORDER_KEY "<shop_id>:<order_id>"
#define INBOUND_PRODUCER "gateway, cs-sample"
#define ALL_WORKERS "order-verifier, exception-handler, refund-notifier, review-scheduler"
/* the value is cut to fit Kafka when the origin only just fitted (truncated=<size>;
 * whole in dead_letters.payload) */
#define DLQ_MESSAGE                                                                                                    \
    "origin value (cut to fit: header truncated) + headers (error, origin topic/partition/offset, worker)"
#define DLQ_CONSUMER "cscli dlq list / dlq replay (operators)"

static const cs_topic_info topic_table[] = {
    /* Inbound: platform events through the gateway. */
    {CS_TOPIC_ORDERS, 6, ORDER_KEY, "cs.v1.Envelope{order: OrderEvent}", INBOUND_PRODUCER,
     "order-verifier, exception-handler"},
    {CS_TOPIC_AFTERSALES, 6, ORDER_KEY, "cs.v1.Envelope{aftersales: AfterSalesEvent}", INBOUND_PRODUCER,
     "order-verifier (OV-11), exception-handler, refund-notifier"},
    {CS_TOPIC_REVIEWS, 6, ORDER_KEY, "cs.v1.Envelope{review: Review}", INBOUND_PRODUCER, "review-scheduler"},
    {CS_TOPIC_INVENTORY, 6, "<sku>", "cs.v1.Envelope{inventory: InventoryLevel}", INBOUND_PRODUCER, "order-verifier"},
    {CS_TOPIC_CONTACTS, 6, ORDER_KEY, "cs.v1.Envelope{contact: ContactEvent}", INBOUND_PRODUCER,
     "order-verifier, exception-handler, review-scheduler, notifier (opt-outs)"},
    /* Outbound: what the workers decide. */
    {CS_TOPIC_VERDICTS, 6, ORDER_KEY, "cs.v1.Envelope{verdict: Verdict}", "order-verifier", "exception-handler"},
    {CS_TOPIC_TASKS, 3, ORDER_KEY, "cs.v1.Envelope{task: AgentTask}", ALL_WORKERS,
     "agent workbench (outside the project)"},
    {CS_TOPIC_NOTIFICATIONS, 3, ORDER_KEY,
     "cs.v1.Envelope{notification: NotificationRequest}, cs.v1.Envelope{follow_up_cancel: FollowUpCancel}",
     ALL_WORKERS ", notifier (RF-8: the SMS fallback of an IM refused for good)", "notifier"},
    {CS_TOPIC_FINANCE, 3, ORDER_KEY, "cs.v1.Envelope{finance: FinanceRequest}",
     "order-verifier, exception-handler, refund-notifier", "finance system (outside the project)"},
    {CS_TOPIC_TIMERS, 6, ORDER_KEY, "cs.v1.Envelope{timer: TimerFired}", "timer dispatcher",
     ALL_WORKERS ", notifier (each its own timers, by owner)"},
    {CS_TOPIC_SLA, 3, ORDER_KEY, "cs.v1.Envelope{sla_breach: SlaBreach}", "exception-handler",
     "reports, supervisors' dashboards (outside the project)"},
    {CS_TOPIC_DECISIONS, 6, ORDER_KEY, "cs.v1.Envelope{decision: Decision}", "refund-notifier (RF-9, RF-13)",
     "platform connector (outside the project)"},
    /* Dead letters: poison records of the topics consumed by the workers. */
    {CS_TOPIC_ORDERS CS_TOPIC_DLQ_SUFFIX, 1, "origin key", DLQ_MESSAGE, "consumers of " CS_TOPIC_ORDERS, DLQ_CONSUMER},
    {CS_TOPIC_AFTERSALES CS_TOPIC_DLQ_SUFFIX, 1, "origin key", DLQ_MESSAGE, "consumers of " CS_TOPIC_AFTERSALES,
     DLQ_CONSUMER},
    {CS_TOPIC_REVIEWS CS_TOPIC_DLQ_SUFFIX, 1, "origin key", DLQ_MESSAGE, "consumers of " CS_TOPIC_REVIEWS,
     DLQ_CONSUMER},
    {CS_TOPIC_INVENTORY CS_TOPIC_DLQ_SUFFIX, 1, "origin key", DLQ_MESSAGE, "consumers of " CS_TOPIC_INVENTORY,
     DLQ_CONSUMER},
    {CS_TOPIC_CONTACTS CS_TOPIC_DLQ_SUFFIX, 1, "origin key", DLQ_MESSAGE, "consumers of " CS_TOPIC_CONTACTS,
     DLQ_CONSUMER},
    {CS_TOPIC_VERDICTS CS_TOPIC_DLQ_SUFFIX, 1, "origin key", DLQ_MESSAGE, "consumers of " CS_TOPIC_VERDICTS,
     DLQ_CONSUMER},
    {CS_TOPIC_TIMERS CS_TOPIC_DLQ_SUFFIX, 1, "origin key", DLQ_MESSAGE, "consumers of " CS_TOPIC_TIMERS, DLQ_CONSUMER},
    {CS_TOPIC_NOTIFICATIONS CS_TOPIC_DLQ_SUFFIX, 1, "origin key", DLQ_MESSAGE, "consumers of " CS_TOPIC_NOTIFICATIONS,
     DLQ_CONSUMER},
};

#define NTOPICS (sizeof topic_table / sizeof topic_table[0])

const cs_topic_info *cs_topics(size_t *n) {
    if (n) *n = NTOPICS;
    return topic_table;
}

const cs_topic_info *cs_topic_find(const char *name) {
    for (size_t i = 0; i < NTOPICS; i++)
        if (strcmp(topic_table[i].name, name) == 0) return &topic_table[i];
    return NULL;
}

/* ---- the admin client --------------------------------------------------- */

static void kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    (void)level;
    cs_log(CS_LOG_DEBUG, "librdkafka %s: %s", fac, buf);
}

static rd_kafka_t *admin_new(const cs_config *cfg, char *errbuf, size_t errlen) {
    char err[512];
    /* A broker that is not there is reported within seconds. */
    const char *const over[] = {"client.id", "cs-topics", "socket.connection.setup.timeout.ms", "3000", NULL};
    rd_kafka_conf_t *conf = cs_kafka_conf(cfg, CS_KAFKA_ADMIN, NULL, over, errbuf, errlen);
    if (!conf) return NULL;
    rd_kafka_conf_set_log_cb(conf, kafka_log);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        snprintf(errbuf, errlen, "Kafka client: %s", err);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    /* rd_kafka_new() took ownership of conf. */
    return rk;
}

static int metadata(rd_kafka_t *rk, const char *brokers, const struct rd_kafka_metadata **md, char *errbuf,
                    size_t errlen) {
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, md, METADATA_TIMEOUT_MS);
    if (err) {
        snprintf(errbuf, errlen, "Kafka at %s unreachable: %s", brokers, rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

static const rd_kafka_metadata_topic_t *md_find(const struct rd_kafka_metadata *md, const char *name) {
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, name) == 0 && md->topics[i].err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            return &md->topics[i];
    return NULL;
}

/* Sends CreateTopics for the table rows flagged in `missing` and waits for
 * the answer. Marks each as created (or existed, if someone raced us). */
bool cs_topic_holds_pii(const char *name) { return name && strncmp(name, "shop.", 5) == 0; }

static int create_missing(rd_kafka_t *rk, int replication, const bool *missing, const char *retention_ms,
                          cs_topic_result *results, char *errbuf, size_t errlen) {
    rd_kafka_NewTopic_t *nt[NTOPICS];
    size_t cnt = 0;
    char err[512];
    int rc = -1;
    for (size_t i = 0; i < NTOPICS; i++) {
        if (!missing[i]) continue;
        nt[cnt] = rd_kafka_NewTopic_new(topic_table[i].name, topic_table[i].partitions, replication, err, sizeof err);
        if (!nt[cnt]) {
            snprintf(errbuf, errlen, "topic %s: %s", topic_table[i].name, err);
            goto out;
        }
        if (retention_ms && cs_topic_holds_pii(topic_table[i].name)) {
            if (rd_kafka_NewTopic_set_config(nt[cnt], "retention.ms", retention_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                snprintf(errbuf, errlen, "topic %s: retention.ms %s refused", topic_table[i].name, retention_ms);
                cnt++;
                goto out;
            }
            results[i].retention_set = true;
        }
        cnt++;
    }
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(opts, CREATE_TIMEOUT_MS, err, sizeof err);
    rd_kafka_AdminOptions_set_request_timeout(opts, CREATE_TIMEOUT_MS, err, sizeof err);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, nt, cnt, opts, q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, CREATE_TIMEOUT_MS + 5000);
    rd_kafka_queue_destroy(q);
    if (!ev) {
        snprintf(errbuf, errlen, "Kafka: no answer to CreateTopics within %d ms", CREATE_TIMEOUT_MS + 5000);
        goto out;
    }
    if (rd_kafka_event_error(ev)) {
        snprintf(errbuf, errlen, "Kafka CreateTopics: %s", rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        goto out;
    }
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    size_t nres = 0;
    const rd_kafka_topic_result_t **tr = res ? rd_kafka_CreateTopics_result_topics(res, &nres) : NULL;
    rc = 0;
    for (size_t j = 0; j < nres; j++) {
        const char *name = rd_kafka_topic_result_name(tr[j]);
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[j]);
        for (size_t i = 0; i < NTOPICS; i++) {
            if (strcmp(topic_table[i].name, name) != 0) continue;
            if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
                results[i].outcome = CS_TOPIC_CREATED;
            } else if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                results[i].outcome = CS_TOPIC_EXISTED;
            } else if (rc == 0) {
                const char *why = rd_kafka_topic_result_error_string(tr[j]);
                snprintf(errbuf, errlen, "Kafka refused to create %s: %s", name,
                         why && *why ? why : rd_kafka_err2str(e));
                rc = -1;
            }
        }
    }
    rd_kafka_event_destroy(ev);
out:
    rd_kafka_NewTopic_destroy_array(nt, cnt);
    return rc;
}

/* Gives the existing PII topics flagged in `due` retention.ms: one
 * DescribeConfigs, then one AlterConfigs for those whose value differs.
 * AlterConfigs (the only alteration librdkafka 2.0 has) replaces a topic's
 * whole set of topic-level settings, so each resource carries every
 * setting the topic has at topic level now, with retention.ms changed. */
static int alter_retention(rd_kafka_t *rk, const bool *due, const char *retention_ms, cs_topic_result *results,
                           char *errbuf, size_t errlen) {
    rd_kafka_ConfigResource_t *desc[NTOPICS], *alter[NTOPICS];
    size_t idx[NTOPICS], nd = 0, na = 0;
    char err[512];
    int rc = -1;
    for (size_t i = 0; i < NTOPICS; i++)
        if (due[i]) {
            idx[nd] = i;
            desc[nd++] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic_table[i].name);
        }
    if (nd == 0) return 0;
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_AdminOptions_set_request_timeout(opts, CREATE_TIMEOUT_MS, err, sizeof err);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DescribeConfigs(rk, desc, nd, opts, q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, CREATE_TIMEOUT_MS + 5000);
    if (!ev || rd_kafka_event_error(ev)) {
        snprintf(errbuf, errlen, "Kafka DescribeConfigs: %s", ev ? rd_kafka_event_error_string(ev) : "no answer");
        goto out;
    }
    const rd_kafka_DescribeConfigs_result_t *dres = rd_kafka_event_DescribeConfigs_result(ev);
    size_t nres = 0;
    const rd_kafka_ConfigResource_t **rs = dres ? rd_kafka_DescribeConfigs_result_resources(dres, &nres) : NULL;
    for (size_t j = 0; j < nres; j++) {
        const char *name = rd_kafka_ConfigResource_name(rs[j]);
        if (rd_kafka_ConfigResource_error(rs[j])) {
            snprintf(errbuf, errlen, "Kafka DescribeConfigs %s: %s", name, rd_kafka_ConfigResource_error_string(rs[j]));
            goto out;
        }
        size_t ncfg = 0;
        const rd_kafka_ConfigEntry_t **ce = rd_kafka_ConfigResource_configs(rs[j], &ncfg);
        bool same = false;
        rd_kafka_ConfigResource_t *a = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name);
        for (size_t k = 0; k < ncfg; k++) {
            const char *cn = rd_kafka_ConfigEntry_name(ce[k]), *cv = rd_kafka_ConfigEntry_value(ce[k]);
            if (rd_kafka_ConfigEntry_source(ce[k]) != RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG) continue;
            if (strcmp(cn, "retention.ms") == 0) {
                same = cv && strcmp(cv, retention_ms) == 0;
                continue;
            }
            if (cv) rd_kafka_ConfigResource_set_config(a, cn, cv);
        }
        if (same) {
            rd_kafka_ConfigResource_destroy(a);
            continue;
        }
        rd_kafka_ConfigResource_set_config(a, "retention.ms", retention_ms);
        alter[na++] = a;
        for (size_t d = 0; d < nd; d++)
            if (strcmp(topic_table[idx[d]].name, name) == 0) results[idx[d]].retention_set = true;
    }
    rd_kafka_event_destroy(ev);
    ev = NULL;
    if (na > 0) {
        opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ALTERCONFIGS);
        rd_kafka_AdminOptions_set_request_timeout(opts, CREATE_TIMEOUT_MS, err, sizeof err);
        rd_kafka_AlterConfigs(rk, alter, na, opts, q);
        rd_kafka_AdminOptions_destroy(opts);
        ev = rd_kafka_queue_poll(q, CREATE_TIMEOUT_MS + 5000);
        if (!ev || rd_kafka_event_error(ev)) {
            snprintf(errbuf, errlen, "Kafka AlterConfigs: %s", ev ? rd_kafka_event_error_string(ev) : "no answer");
            goto out;
        }
        const rd_kafka_AlterConfigs_result_t *ares = rd_kafka_event_AlterConfigs_result(ev);
        const rd_kafka_ConfigResource_t **ar = ares ? rd_kafka_AlterConfigs_result_resources(ares, &nres) : NULL;
        for (size_t j = 0; ar && j < nres; j++)
            if (rd_kafka_ConfigResource_error(ar[j])) {
                snprintf(errbuf, errlen, "Kafka refused retention.ms for %s: %s", rd_kafka_ConfigResource_name(ar[j]),
                         rd_kafka_ConfigResource_error_string(ar[j]));
                goto out;
            }
    }
    rc = 0;
out:
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_ConfigResource_destroy_array(desc, nd);
    rd_kafka_ConfigResource_destroy_array(alter, na);
    return rc;
}

/* ---- readiness ------------------------------------------------------------ */

/* One look: 1 if every partition of every table topic has a leader that
 * serves it, with each topic's partition count in results; 0 if not yet,
 * with the first partition that is not (and why) in `why`.
 *
 * "Serves it" is checked with a ListOffsets request (the high watermark),
 * not only with metadata: a KRaft broker publishes a new leadership in its
 * metadata a moment before its replica manager has taken the partition
 * over, and a ListOffsets in between -- a consumer's first position, the
 * benchmark's watermarks -- is refused with "Not leader for partition". */
static int topics_ready(rd_kafka_t *rk, cs_topic_result *results, char *why, size_t whylen) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, METADATA_TIMEOUT_MS);
    if (err) {
        snprintf(why, whylen, "metadata: %s", rd_kafka_err2str(err));
        return 0;
    }
    int ready = 1;
    for (size_t i = 0; i < NTOPICS && ready; i++) {
        const rd_kafka_metadata_topic_t *t = md_find(md, topic_table[i].name);
        if (!t || t->err || t->partition_cnt == 0) {
            snprintf(why, whylen, "%s: %s", topic_table[i].name,
                     t && t->err ? rd_kafka_err2str(t->err) : "not in the metadata yet");
            ready = 0;
            break;
        }
        results[i].actual_partitions = t->partition_cnt;
        for (int p = 0; p < t->partition_cnt && ready; p++) {
            const rd_kafka_metadata_partition_t *mp = &t->partitions[p];
            int64_t lo = 0, hi = 0;
            rd_kafka_resp_err_t e = mp->err;
            if (!e && mp->leader < 0) e = RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
            if (!e) e = rd_kafka_query_watermark_offsets(rk, t->topic, mp->id, &lo, &hi, METADATA_TIMEOUT_MS);
            if (e) {
                snprintf(why, whylen, "%s[%d]: %s", t->topic, (int)mp->id, rd_kafka_err2str(e));
                ready = 0;
            }
        }
    }
    rd_kafka_metadata_destroy(md);
    return ready;
}

/* Looks until every table topic is ready (topics_ready), timeout_ms at
 * most. 0, or -1 with the last reason in errbuf. */
static int wait_ready(rd_kafka_t *rk, const char *brokers, int timeout_ms, cs_topic_result *results, char *errbuf,
                      size_t errlen) {
    int64_t deadline = cs_mono_ms() + timeout_ms;
    char why[384] = "";
    while (!topics_ready(rk, results, why, sizeof why)) {
        if (cs_mono_ms() >= deadline) {
            snprintf(errbuf, errlen,
                     "Kafka at %s: topics not ready after %d ms (a partition without a "
                     "working leader): %s",
                     brokers, timeout_ms, why);
            return -1;
        }
        cs_log(CS_LOG_DEBUG, "topics not ready yet: %s", why);
        struct timespec ts = {0, READY_RETRY_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

int cs_topics_wait_ready(const cs_config *cfg, int timeout_ms, char *errbuf, size_t errlen) {
    rd_kafka_t *rk = admin_new(cfg, errbuf, errlen);
    if (!rk) return -1;
    cs_topic_result results[NTOPICS];
    int rc = wait_ready(rk, cfg->brokers, timeout_ms, results, errbuf, errlen);
    rd_kafka_destroy(rk);
    return rc;
}

int cs_topics_create_results(const cs_config *cfg, int replication, cs_topic_result *results, char *errbuf,
                             size_t errlen) {
    if (replication < 1) {
        snprintf(errbuf, errlen, "replication factor must be at least 1, got %d", replication);
        return -1;
    }
    rd_kafka_t *rk = admin_new(cfg, errbuf, errlen);
    if (!rk) return -1;
    int rc = -1;
    const struct rd_kafka_metadata *md = NULL;
    if (metadata(rk, cfg->brokers, &md, errbuf, errlen) != 0) goto out;

    bool missing[NTOPICS], pii[NTOPICS];
    size_t nmissing = 0;
    char retention[32] = "";
    if (cfg->pii_topic_days > 0)
        snprintf(retention, sizeof retention, "%lld", (long long)cfg->pii_topic_days * 86400000LL);
    for (size_t i = 0; i < NTOPICS; i++) {
        const rd_kafka_metadata_topic_t *t = md_find(md, topic_table[i].name);
        results[i].topic = &topic_table[i];
        results[i].outcome = CS_TOPIC_EXISTED;
        results[i].actual_partitions = t ? t->partition_cnt : 0;
        results[i].retention_set = false;
        missing[i] = t == NULL;
        nmissing += missing[i];
        pii[i] = t != NULL && retention[0] && cs_topic_holds_pii(topic_table[i].name);
    }
    rd_kafka_metadata_destroy(md);
    md = NULL;
    if (nmissing > 0 &&
        create_missing(rk, replication, missing, retention[0] ? retention : NULL, results, errbuf, errlen) != 0)
        goto out;
    /* PII retention of the existing inbound topics (docs/security.md) */
    if (retention[0] && alter_retention(rk, pii, retention, results, errbuf, errlen) != 0) goto out;
    /* Ready to use, new and existing alike; the partition counts are read
     * back from the cluster on the way. */
    if (wait_ready(rk, cfg->brokers, READY_TIMEOUT_MS, results, errbuf, errlen) != 0) goto out;
    rc = 0;
out:
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(rk);
    return rc;
}

int cs_topics_create(const cs_config *cfg, int replication, char *report, size_t len, char *errbuf, size_t errlen) {
    cs_topic_result results[NTOPICS];
    if (report && len) report[0] = '\0';
    if (cs_topics_create_results(cfg, replication, results, errbuf, errlen) != 0) return -1;
    size_t used = 0;
    for (size_t i = 0; report && i < NTOPICS; i++) {
        const cs_topic_result *r = &results[i];
        char note[96] = "";
        if (r->actual_partitions != r->topic->partitions)
            snprintf(note, sizeof note, ", table says %d", r->topic->partitions);
        int n = snprintf(report + used, len - used, "%s %s (%d partitions%s)\n",
                         r->outcome == CS_TOPIC_CREATED ? "created" : "exists ", r->topic->name, r->actual_partitions,
                         note);
        if (n < 0 || (size_t)n >= len - used) break;
        used += (size_t)n;
    }
    return 0;
}

static int cmp_state_name(const void *a, const void *b) {
    return strcmp(((const cs_topic_state *)a)->name, ((const cs_topic_state *)b)->name);
}

int cs_topics_list(const cs_config *cfg, cs_topic_state **out, size_t *n, char *errbuf, size_t errlen) {
    *out = NULL;
    *n = 0;
    rd_kafka_t *rk = admin_new(cfg, errbuf, errlen);
    if (!rk) return -1;
    const struct rd_kafka_metadata *md = NULL;
    if (metadata(rk, cfg->brokers, &md, errbuf, errlen) != 0) {
        rd_kafka_destroy(rk);
        return -1;
    }
    cs_topic_state *s = cs_xcalloc(NTOPICS + (size_t)md->topic_cnt, sizeof *s);
    size_t k = 0;
    for (size_t i = 0; i < NTOPICS; i++) {
        const rd_kafka_metadata_topic_t *t = md_find(md, topic_table[i].name);
        s[k].name = cs_xstrdup(topic_table[i].name);
        s[k].info = &topic_table[i];
        s[k].partitions = t ? t->partition_cnt : 0;
        s[k].replication = t && t->partition_cnt > 0 ? t->partitions[0].replica_cnt : 0;
        k++;
    }
    size_t first_other = k;
    for (int i = 0; i < md->topic_cnt; i++) {
        const rd_kafka_metadata_topic_t *t = &md->topics[i];
        if (strncmp(t->topic, "__", 2) == 0 || cs_topic_find(t->topic)) continue;
        if (t->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
        s[k].name = cs_xstrdup(t->topic);
        s[k].info = NULL;
        s[k].partitions = t->partition_cnt;
        s[k].replication = t->partition_cnt > 0 ? t->partitions[0].replica_cnt : 0;
        k++;
    }
    qsort(s + first_other, k - first_other, sizeof *s, cmp_state_name);
    rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(rk);
    *out = s;
    *n = k;
    return 0;
}

void cs_topic_states_free(cs_topic_state *s, size_t n) {
    if (!s) return;
    for (size_t i = 0; i < n; i++) free(s[i].name);
    free(s);
}
