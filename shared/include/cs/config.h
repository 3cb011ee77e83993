/* config.h -- process settings from CS_* environment variables.
 *
 * One table (config.c) lists every variable: name, type, default, help.
 * cs_config_load() reads them all once at start-up and validates each; a
 * bad value stops the process with "CS_X: reason". docs/config.md mirrors
 * the table, and `--help` of every binary prints it. */
#ifndef CS_CONFIG_H
#define CS_CONFIG_H

#include <stddef.h>
#include <stdio.h>
#include <stdbool.h>

typedef struct cs_config {
    char *brokers;          /* CS_KAFKA_BROKERS: bootstrap list */
    char *pg_dsn;           /* CS_PG_DSN: libpq connection string */
    char *redis_url;        /* CS_REDIS_URL: redis://host:port */
    char *clock;            /* CS_CLOCK: "system" or "redis" */
    char *shops_file;       /* CS_SHOPS_FILE: per-shop settings (JSON) */
    char *http_addr;        /* CS_HTTP_ADDR: host:port for /metrics and /healthz; "" = off */
    char *group_id;         /* CS_GROUP_ID: consumer group ("" = the worker's name) */
    char *assignor;         /* CS_ASSIGNOR: "cooperative-sticky" or "range" */
    int batch_max;          /* CS_BATCH_MAX: events per transaction */
    int batch_wait_ms;      /* CS_BATCH_WAIT_MS: longest wait to fill a batch */
    int session_timeout_ms; /* CS_SESSION_TIMEOUT_MS: consumer group session */
    int queue_kbytes;       /* CS_QUEUE_KBYTES: librdkafka prefetch per partition */
    char *log_level;        /* CS_LOG_LEVEL: debug, info, warn, error */
    char *crash_point;      /* CS_CRASH_POINT: named crash point (tests only) */
    int crash_after;        /* CS_CRASH_AFTER: crash at the Nth pass of it */
    char *instance;         /* CS_INSTANCE: name in logs and DLQ headers */
    char *state_dir;        /* CS_STATE_DIR: where the log provider writes */
    int timer_tick_ms;      /* CS_TIMER_TICK_MS: dispatcher's poll interval */
    int timer_lease_ms;     /* CS_TIMER_LEASE_MS: claim lease before a re-fire (real time) */
    int pii_topic_days;     /* CS_PII_KAFKA_RETENTION_DAYS: retention.ms of shop.* topics (0 = from the shops file) */
    int timer_untaken_s;    /* CS_TIMER_UNTAKEN_S: produced, not processed by its owner: re-fire after */
    int timer_reconcile_s;  /* CS_TIMER_RECONCILE_S: routine reconciliation period */
    int timer_full_reconcile_s; /* CS_TIMER_FULL_RECONCILE_S: full reconciliation period */
    char *role;                 /* CS_ROLE: a tool's identity ("" = operator; workers are themselves) */
    char *secrets_dir;          /* CS_SECRETS_DIR: <role>.pg/.redis/.kafka password files, kafka-ca.pem */
    char *pg_password_file;     /* CS_PG_PASSWORD_FILE */
    char *redis_password_file;  /* CS_REDIS_PASSWORD_FILE */
    char *kafka_password_file;  /* CS_KAFKA_PASSWORD_FILE */
    char *kafka_ca_file;        /* CS_KAFKA_CA_FILE */
} cs_config;

/* Reads and validates every CS_* variable, then reads the password files
 * they name and sets the process's identity (identity.h). Returns 0, or -1
 * with "CS_NAME: reason" in errbuf. Strings are owned by cfg. */
int cs_config_load(cs_config *cfg, char *errbuf, size_t errlen);
void cs_config_free(cs_config *cfg);
/* Prints the table of variables (name, default, help) for --help. */
void cs_config_usage(FILE *out);

#endif
