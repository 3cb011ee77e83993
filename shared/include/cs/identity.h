/* identity.h -- who this process is to PostgreSQL, Redis and Kafka.
 *
 * Every process authenticates as one role (docs/security.md "Roles"): a
 * worker as itself (order-verifier, exception-handler, refund-notifier,
 * review-scheduler, notifier, timer-dispatcher, gateway), a tool (cscli,
 * cs-sample, the benchmarks, the test harness) as CS_ROLE, "operator" by
 * default. A worker ignores CS_ROLE: the grants of its role are what it
 * may do, and nothing in its environment widens them.
 *
 * Passwords are read from files, never from the command line or an
 * environment value, and never logged: CS_PG_PASSWORD_FILE,
 * CS_REDIS_PASSWORD_FILE and CS_KAFKA_PASSWORD_FILE name them, and
 * without those CS_SECRETS_DIR holds one file per role and server,
 * <role>.pg, <role>.redis, <role>.kafka (what deploy/local/stack.sh
 * writes, and what a Kubernetes Secret mounts). A file readable or
 * writable by other users is refused. A server with no password file is
 * connected to as the connection settings say (CS_PG_DSN, CS_REDIS_URL),
 * without authentication of our own.
 *
 * The identity is process-wide, like the process's credentials are:
 * cs_config_load() sets it, and every connection (cs_pg_open,
 * cs_redis_*, cs_kafka_conf) uses it. */
#ifndef CS_IDENTITY_H
#define CS_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#define CS_ROLE_MAX 32
#define CS_USER_MAX 64
#define CS_SECRET_MAX 256
#define CS_PATH_MAX 1024

typedef struct cs_identity {
    char role[CS_ROLE_MAX];             /* "order-verifier", "operator", "admin" */
    char pg_user[CS_USER_MAX];          /* "cs_order_verifier" when pg_password is set */
    char pg_password[CS_SECRET_MAX];    /* "" = none of our own */
    char redis_user[CS_USER_MAX];       /* the role ("default" for admin), when redis_password is set */
    char redis_password[CS_SECRET_MAX]; /* "" = none of our own */
    char kafka_user[CS_USER_MAX];       /* the role, when kafka_password is set */
    char kafka_password[CS_SECRET_MAX]; /* "" = none: PLAINTEXT */
    char kafka_ca[CS_PATH_MAX];         /* CA file for Kafka's TLS; "" = none: SASL_PLAINTEXT */
} cs_identity;

/* Where the identity's parts come from (cs_config's CS_* values). */
typedef struct cs_identity_source {
    const char *program;     /* this binary's name (argv[0]'s base name) */
    const char *role;        /* CS_ROLE ("" = operator), for tools only */
    const char *secrets_dir; /* CS_SECRETS_DIR ("" = none) */
    const char *pg_file;     /* CS_PG_PASSWORD_FILE ("" = from secrets_dir) */
    const char *redis_file;  /* CS_REDIS_PASSWORD_FILE */
    const char *kafka_file;  /* CS_KAFKA_PASSWORD_FILE */
    const char *kafka_ca;    /* CS_KAFKA_CA_FILE ("" = secrets_dir/kafka-ca.pem if there) */
} cs_identity_source;

/* True for the name of a role (a worker's, "operator" or "admin"). */
bool cs_role_known(const char *role);
/* The role a program authenticates as: a worker binary's own name, else
 * tool_role (or "operator" when empty). */
const char *cs_role_of(const char *program, const char *tool_role);

/* Builds an identity from src, reading its password files. Returns 0, or
 * -1 with the variable and the reason in errbuf (an unknown role, a file
 * that cannot be read, is empty, too long, or open to other users). */
int cs_identity_build(const cs_identity_source *src, cs_identity *out, char *errbuf, size_t errlen);

/* The process's identity (set by cs_identity_set; all empty before). */
const cs_identity *cs_identity_get(void);
void cs_identity_set(const cs_identity *id);

#endif
