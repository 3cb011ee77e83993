/* kafka.h -- the one place a librdkafka configuration is built.
 *
 * Every Kafka client of the project (a worker's consumer and producer, the
 * timer dispatcher, cscli's admin handle, cs-sample, the benchmark, the
 * integration tests' harness) takes its rd_kafka_conf_t from
 * cs_kafka_conf(). What all clients share -- the brokers, the client name
 * and, once there is any, the connection's security -- is therefore set
 * once, and a role's settings are the same wherever the role appears.
 * A caller with special needs (a tool's client name, the benchmark's
 * bigger queue) passes overrides instead of building a conf of its own. */
#ifndef CS_KAFKA_H
#define CS_KAFKA_H

#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "cs/config.h"

/* What the client is for; each role has its settings (kafka.c). */
typedef enum cs_kafka_role {
    CS_KAFKA_PRODUCER, /* idempotent, acks=all: nothing acknowledged is lost or doubled */
    CS_KAFKA_CONSUMER, /* a worker in its group: subscribes, stores and commits offsets by hand */
    CS_KAFKA_READER,   /* a consumer handle that is only assigned partitions, or reads and
                        * commits a group's offsets: never joins a group by subscribing */
    CS_KAFKA_ADMIN,    /* metadata and Admin API requests only (an RD_KAFKA_PRODUCER handle) */
} cs_kafka_role;

/* A new configuration for a client in `role`: the settings every client
 * shares (from cfg: CS_KAFKA_BROKERS, CS_INSTANCE as client.id), then the
 * role's (for CS_KAFKA_CONSUMER from cfg too: CS_ASSIGNOR,
 * CS_SESSION_TIMEOUT_MS, CS_QUEUE_KBYTES), then `overrides`, a
 * NULL-terminated list of key, value pairs applied last in order
 * ({"linger.ms", "5", "client.id", "cs-sample", NULL}), or NULL.
 *
 * group is the group.id of CS_KAFKA_CONSUMER and CS_KAFKA_READER (required
 * there, non-empty) and must be NULL for the other roles.
 *
 * Returns the conf, which the caller owns: it sets its callbacks on it and
 * hands it to rd_kafka_new() (which takes ownership on success), or
 * destroys it. NULL with "kafka config <key>=<value>: <reason>" in errbuf
 * when librdkafka refuses a setting. Reads cfg only during the call. */
rd_kafka_conf_t *cs_kafka_conf(const cs_config *cfg, cs_kafka_role role, const char *group,
                               const char *const *overrides, char *errbuf, size_t errlen);

/* Whether a produce error (from rd_kafka_producev() or a delivery report)
 * is the record's own: too large, refused as invalid, for a topic that does
 * not exist or may not be written. Such a record fails the same way however
 * often it is sent, so publishers dead-letter it instead of retrying
 * (runtime.c); every other error is transient and retried. */
bool cs_kafka_err_permanent(rd_kafka_resp_err_t err);
/* Of those, the ones that say the record is too large (a dead letter can
 * then be cut to fit). */
bool cs_kafka_err_size(rd_kafka_resp_err_t err);

#endif
