/* kafka_acl.h -- what each role may do in Kafka, and making it so.
 *
 * With the broker's authorizer on (deploy/local/stack.sh: SASL/SCRAM,
 * StandardAuthorizer, nothing allowed without an ACL), a role reaches a
 * topic only through the bindings listed here:
 *
 *   a worker     READ on the topics it consumes, WRITE on the topics it
 *                produces (its outbox's and the dead-letter topic of each
 *                topic it consumes), READ on the consumer groups whose
 *                name starts with its role (the default group is the
 *                role's name; CS_GROUP_ID may add a suffix);
 *   gateway      WRITE on the inbound shop.* topics;
 *   operator     READ, WRITE and DESCRIBE_CONFIGS on every topic, READ on
 *                every group (cscli: tail, lag, dlq replay);
 *   admin        a super user of the broker: no ACL.
 *
 * cs_kafka_acls_apply() (run by `cscli topics create` as admin) creates
 * them; creating an ACL that exists is a no-op, so it is idempotent. The
 * tables are checked against the topics table and against each worker's
 * subscriptions by the unit tests. */
#ifndef CS_KAFKA_ACL_H
#define CS_KAFKA_ACL_H

#include <stdbool.h>
#include <stddef.h>

#include "cs/config.h"

typedef struct cs_kafka_grant {
    const char *role;           /* "order-verifier" */
    const char *const *reads;   /* topics consumed (NULL-terminated) */
    const char *const *writes;  /* topics produced, dead-letter topics not included */
    bool dead_letters;          /* also WRITE <read topic>.dlq for every read topic */
} cs_kafka_grant;

/* The table (static storage); *n gets its length. */
const cs_kafka_grant *cs_kafka_grants(size_t *n);
/* The row of a role, or NULL (admin and operator have none). */
const cs_kafka_grant *cs_kafka_grant_of(const char *role);
/* True if role may write (or read) topic by the table. */
bool cs_kafka_may_write(const char *role, const char *topic);
bool cs_kafka_may_read(const char *role, const char *topic);

/* Creates every binding for the principals User:<role>. Returns the number
 * of bindings (>= 0), 0 with *disabled true when the cluster has no
 * authorizer (nothing to do), or -1 with errbuf. */
int cs_kafka_acls_apply(const cs_config *cfg, bool *disabled, char *errbuf, size_t errlen);

#endif
