/* kafka.c -- every librdkafka configuration of the project (see kafka.h).
 *
 * Three layers, applied in this order so a later one wins:
 *
 *   1. what every client shares: the brokers, the client name and the
 *      connection's security (the role's SCRAM credentials and the CA
 *      of the broker's TLS, identity.h), so every client follows;
 *   2. the role's settings, which hold the project's contracts: a producer
 *      is idempotent with acks=all (CONTRACTS.md: nothing is acknowledged
 *      that is not durably in Kafka), a worker's consumer commits by hand
 *      only after PostgreSQL committed (runtime.c);
 *   3. the caller's overrides, for what only that caller needs.
 *
 * Every setting goes through rd_kafka_conf_set() with an error buffer, as
 * in librdkafka's examples, and the first refusal ends the build with the
 * key, the value and librdkafka's reason. */
#include "cs/kafka.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>

#include "cs/identity.h"

/* A worker's consumer: heartbeats every second so a lost member is noticed
 * within the session timeout; a batch may take up to 10 minutes between
 * polls (a PostgreSQL outage is retried inside the loop); a short fetch
 * wait so a batch is not held back by an idle partition. */
#define CONSUMER_HEARTBEAT_MS "1000"
#define CONSUMER_MAX_POLL_MS "600000"
#define CONSUMER_FETCH_WAIT_MS "20"
/* A producer batches for 2 ms and gives a record up after 30 s. */
#define PRODUCER_LINGER_MS "2"
#define PRODUCER_TIMEOUT_MS "30000"

/* One setting; on refusal "kafka config key=value: reason" in errbuf. */
static int kafkaSet(rd_kafka_conf_t *conf, const char *key, const char *value, char *errbuf, size_t errlen) {
    char why[512];
    if (rd_kafka_conf_set(conf, key, value, why, sizeof why) != RD_KAFKA_CONF_OK) {
        snprintf(errbuf, errlen, "kafka config %s=%s: %s", key, value, why);
        return -1;
    }
    return 0;
}

/* kv: NULL-terminated key, value pairs (NULL = none). */
static int kafkaSetAll(rd_kafka_conf_t *conf, const char *const *kv, char *errbuf, size_t errlen) {
    for (size_t i = 0; kv && kv[i]; i += 2) {
        assert(kv[i + 1] != NULL); /* a key without its value */
        if (kafkaSet(conf, kv[i], kv[i + 1], errbuf, errlen) != 0) return -1;
    }
    return 0;
}

/* 1. What every client shares: the brokers, the client's name, and the
 * role's credentials (identity.h): SCRAM-SHA-512 over TLS checked against
 * the stack's CA, or over a plain connection when no CA is given (a
 * broker behind a TLS-terminating proxy); PLAINTEXT only without a
 * password. */
static int kafkaCommon(rd_kafka_conf_t *conf, const cs_config *cfg, char *errbuf, size_t errlen) {
    const char *const kv[] = {
        "bootstrap.servers", cfg->brokers, "client.id", cfg->instance, NULL,
    };
    if (kafkaSetAll(conf, kv, errbuf, errlen) != 0) return -1;
    const cs_identity *id = cs_identity_get();
    if (!id->kafka_password[0]) return 0;
    const char *const sasl[] = {
        "security.protocol", id->kafka_ca[0] ? "sasl_ssl" : "sasl_plaintext",
        "sasl.mechanisms",   "SCRAM-SHA-512",
        "sasl.username",     id->kafka_user,
        NULL,
    };
    if (kafkaSetAll(conf, sasl, errbuf, errlen) != 0) return -1;
    /* set apart from the table so that a refusal never prints it */
    char why[256];
    if (rd_kafka_conf_set(conf, "sasl.password", id->kafka_password, why, sizeof why) != RD_KAFKA_CONF_OK) {
        snprintf(errbuf, errlen, "kafka config sasl.password: %s", why);
        return -1;
    }
    if (!id->kafka_ca[0]) return 0;
    const char *const tls[] = {
        "ssl.ca.location", id->kafka_ca, "ssl.endpoint.identification.algorithm", "https", NULL,
    };
    return kafkaSetAll(conf, tls, errbuf, errlen);
}

/* 2. The role's settings. */
static int kafkaRole(rd_kafka_conf_t *conf, const cs_config *cfg, cs_kafka_role role, const char *group, char *errbuf,
                     size_t errlen) {
    switch (role) {
        case CS_KAFKA_PRODUCER: {
            const char *const kv[] = {
                "enable.idempotence", "true", "acks", "all", "linger.ms", PRODUCER_LINGER_MS, "message.timeout.ms",
                PRODUCER_TIMEOUT_MS,  NULL,
            };
            return kafkaSetAll(conf, kv, errbuf, errlen);
        }
        case CS_KAFKA_CONSUMER: {
            char session[24], queue[24];
            snprintf(session, sizeof session, "%d", cfg->session_timeout_ms);
            snprintf(queue, sizeof queue, "%d", cfg->queue_kbytes);
            /* Offsets are stored and committed by the runtime, after the
         * PostgreSQL transaction; a group with no offset yet starts at the
         * beginning (no event may be skipped). */
            const char *const kv[] = {
                "group.id",
                group,
                "enable.auto.commit",
                "false",
                "enable.auto.offset.store",
                "false",
                "auto.offset.reset",
                "earliest",
                "partition.assignment.strategy",
                cfg->assignor,
                "session.timeout.ms",
                session,
                "heartbeat.interval.ms",
                CONSUMER_HEARTBEAT_MS,
                "max.poll.interval.ms",
                CONSUMER_MAX_POLL_MS,
                "queued.max.messages.kbytes",
                queue,
                "fetch.wait.max.ms",
                CONSUMER_FETCH_WAIT_MS,
                NULL,
            };
            return kafkaSetAll(conf, kv, errbuf, errlen);
        }
        case CS_KAFKA_READER: {
            const char *const kv[] = {
                "group.id", group, "enable.auto.commit", "false", NULL,
            };
            return kafkaSetAll(conf, kv, errbuf, errlen);
        }
        case CS_KAFKA_ADMIN: return 0;
    }
    snprintf(errbuf, errlen, "kafka config: unknown role %d", (int)role);
    return -1;
}

rd_kafka_conf_t *cs_kafka_conf(const cs_config *cfg, cs_kafka_role role, const char *group,
                               const char *const *overrides, char *errbuf, size_t errlen) {
    assert(cfg && cfg->brokers && cfg->instance);
    bool grouped = role == CS_KAFKA_CONSUMER || role == CS_KAFKA_READER;
    if (grouped && (!group || !*group)) {
        snprintf(errbuf, errlen, "kafka config: a consumer needs a group.id");
        return NULL;
    }
    if (!grouped && group) {
        snprintf(errbuf, errlen, "kafka config: group.id '%s' given to a client that is no consumer", group);
        return NULL;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (kafkaCommon(conf, cfg, errbuf, errlen) != 0 || kafkaRole(conf, cfg, role, group, errbuf, errlen) != 0 ||
        kafkaSetAll(conf, overrides, errbuf, errlen) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

/* The errors that say something about the record itself, so that sending
 * it again can only fail again. Everything else (a broker away, a leader
 * moving, a timeout, the queue full) passes with time and is retried.
 * UNKNOWN_TOPIC_OR_PART from a broker is left transient: librdkafka
 * retries it itself while a topic propagates, and reports a topic that
 * really is missing as _UNKNOWN_TOPIC once topic.metadata.propagation.max.ms
 * has passed. */
bool cs_kafka_err_permanent(rd_kafka_resp_err_t err) {
    switch (err) {
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:    /* over message.max.bytes (client) or the topic's limit */
        case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE: /* the same, said of the batch */
        case RD_KAFKA_RESP_ERR_INVALID_RECORD:        /* the broker's validation refused it */
        case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT: /* headers on an old-format topic */
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:                 /* no such topic in the cluster */
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION: /* not a valid topic name */
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR__INVALID_ARG: return true;
        default: return false;
    }
}

bool cs_kafka_err_size(rd_kafka_resp_err_t err) {
    return err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE || err == RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE;
}
