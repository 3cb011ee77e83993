/* config.c -- the CS_* environment variables: one table, one row each.
 *
 * Built like pgbouncer's config table: every variable is a row (name, type,
 * where it lands in cs_config, default, allowed range or values, help), and
 * loading, validation and `--help` all walk the same table, so a new
 * variable is one line here (and one in docs/config.md) and cannot be read
 * in one place but forgotten in the usage text.
 *
 * Validation is strict and names the variable: a bad value stops the
 * process with "CS_BATCH_MAX: must be an integer from 1 to 100000, got
 * 'abc'". A variable that is set to the empty string is taken as given
 * (CS_HTTP_ADDR="" turns the endpoint off), except CS_INSTANCE, whose
 * empty value means "compute the default" (hostname-pid). */
#include "cs/config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cs/identity.h"
#include "cs/util.h"

typedef enum cfg_type {
    CFG_STR,  /* any string (optionally checked by a validator) */
    CFG_ENUM, /* one of a fixed list of strings */
    CFG_INT,  /* a decimal integer in [min, max] */
} cfg_type;

/* Optional extra check of a string value; writes the reason on failure. */
typedef int (*cfg_check_fn)(const char *value, char *why, size_t whylen);

typedef struct cfg_row {
    const char *name; /* environment variable */
    cfg_type type;
    size_t offset;             /* of the char * or int field in cs_config */
    const char *def;           /* default as text; NULL = computed (CS_INSTANCE) */
    long min, max;             /* CFG_INT: inclusive range */
    const char *const *values; /* CFG_ENUM: NULL-terminated allowed values */
    cfg_check_fn check;        /* CFG_STR: extra validation, or NULL */
    const char *help;          /* one line for --help and docs/config.md */
} cfg_row;

static const char *const clock_values[] = {"system", "redis", NULL};
static const char *const assignor_values[] = {"range", "roundrobin", "cooperative-sticky", NULL};
static const char *const level_values[] = {"debug", "info", "warn", "error", NULL};
static const char *const crash_values[] = {"",
                                           "after_pg_commit",
                                           "after_produce",
                                           "before_pg_commit",
                                           "before_commit_hooks",
                                           "timer_before_ack",
                                           "after_provider_2xx",
                                           NULL};

static int check_nonempty(const char *v, char *why, size_t whylen);
static int check_redis_url(const char *v, char *why, size_t whylen);
static int check_http_addr(const char *v, char *why, size_t whylen);

#define OFF(f) offsetof(cs_config, f)

static const cfg_row cfg_table[] = {
    {"CS_KAFKA_BROKERS", CFG_STR, OFF(brokers), "127.0.0.1:19092", 0, 0, NULL, check_nonempty,
     "Kafka bootstrap servers, host:port[,host:port...]"},
    {"CS_PG_DSN", CFG_STR, OFF(pg_dsn), "host=127.0.0.1 port=15432 dbname=cs user=cs_admin", 0, 0, NULL, NULL,
     "PostgreSQL libpq connection string"},
    {"CS_REDIS_URL", CFG_STR, OFF(redis_url), "redis://127.0.0.1:16379", 0, 0, NULL, check_redis_url,
     "Redis address, redis://host[:port][/db]"},
    {"CS_CLOCK", CFG_ENUM, OFF(clock), "system", 0, 0, clock_values, NULL,
     "business clock: system, or redis (key cs:clock:now_ms, set by cscli clock)"},
    {"CS_SHOPS_FILE", CFG_STR, OFF(shops_file), "deploy/config/shops.sample.json", 0, 0, NULL, check_nonempty,
     "per-shop settings file (JSON)"},
    {"CS_HTTP_ADDR", CFG_STR, OFF(http_addr), "127.0.0.1:0", 0, 0, NULL, check_http_addr,
     "host:port serving /metrics and /healthz (port 0 = any free port, empty = off)"},
    {"CS_GROUP_ID", CFG_STR, OFF(group_id), "", 0, 0, NULL, NULL, "Kafka consumer group (empty = the worker's name)"},
    {"CS_ASSIGNOR", CFG_ENUM, OFF(assignor), "range", 0, 0, assignor_values, NULL,
     "partition assignor: range, roundrobin or cooperative-sticky"},
    {"CS_BATCH_MAX", CFG_INT, OFF(batch_max), "500", 1, 100000, NULL, NULL,
     "most events applied in one PostgreSQL transaction"},
    {"CS_BATCH_WAIT_MS", CFG_INT, OFF(batch_wait_ms), "20", 0, 10000, NULL, NULL, "longest wait (ms) to fill a batch"},
    {"CS_SESSION_TIMEOUT_MS", CFG_INT, OFF(session_timeout_ms), "10000", 6000, 300000, NULL, NULL,
     "consumer group session timeout (ms)"},
    {"CS_QUEUE_KBYTES", CFG_INT, OFF(queue_kbytes), "2048", 64, 1048576, NULL, NULL,
     "librdkafka prefetch queue per partition (KiB)"},
    {"CS_LOG_LEVEL", CFG_ENUM, OFF(log_level), "info", 0, 0, level_values, NULL,
     "least level logged: debug, info, warn or error"},
    {"CS_CRASH_POINT", CFG_ENUM, OFF(crash_point), "", 0, 0, crash_values, NULL,
     "tests only: after_pg_commit, after_produce, before_pg_commit, before_commit_hooks, timer_before_ack or "
     "after_provider_2xx"},
    {"CS_CRASH_AFTER", CFG_INT, OFF(crash_after), "1", 1, INT_MAX, NULL, NULL,
     "tests only: crash at the Nth pass of CS_CRASH_POINT"},
    {"CS_INSTANCE", CFG_STR, OFF(instance), NULL, 0, 0, NULL, NULL, "this process's name in logs and DLQ headers"},
    {"CS_STATE_DIR", CFG_STR, OFF(state_dir), "run/state", 0, 0, NULL, check_nonempty,
     "directory for local state (the log message provider's file)"},
    {"CS_TIMER_TICK_MS", CFG_INT, OFF(timer_tick_ms), "100", 10, 10000, NULL, NULL,
     "timer dispatcher: how often (ms) it looks for due timers"},
    {"CS_PII_KAFKA_RETENTION_DAYS", CFG_INT, OFF(pii_topic_days), "0", 0, 3650, NULL, NULL,
     "days the inbound shop.* topics (and their .dlq) keep records: retention.ms set by cscli topics create "
     "(0 = the largest pii_retention_days of CS_SHOPS_FILE; docs/security.md \"PII retention\")"},
    {"CS_TIMER_LEASE_MS", CFG_INT, OFF(timer_lease_ms), "30000", 500, 3600000, NULL, NULL,
     "timer dispatcher: a claimed timer not acknowledged within this (real ms) fires again"},
    {"CS_TIMER_UNTAKEN_S", CFG_INT, OFF(timer_untaken_s), "1800", 10, 604800, NULL, NULL,
     "timer dispatcher: a fired timer its owner has not processed within this (real s) fires again"},
    {"CS_TIMER_RECONCILE_S", CFG_INT, OFF(timer_reconcile_s), "5", 1, 3600, NULL, NULL,
     "timer dispatcher: seconds between reconciliations of recent timers (PostgreSQL -> Redis)"},
    {"CS_TIMER_FULL_RECONCILE_S", CFG_INT, OFF(timer_full_reconcile_s), "600", 10, 604800, NULL, NULL,
     "timer dispatcher: seconds between full reconciliations of every pending timer"},
    {"CS_ROLE", CFG_STR, OFF(role), "", 0, 0, NULL, NULL,
     "a tool's role (cscli, cs-sample, benchmarks): operator (empty) or admin; a worker is always its own role"},
    {"CS_SECRETS_DIR", CFG_STR, OFF(secrets_dir), "", 0, 0, NULL, NULL,
     "folder of password files <role>.pg, <role>.redis, <role>.kafka and kafka-ca.pem (docs/security.md)"},
    {"CS_PG_PASSWORD_FILE", CFG_STR, OFF(pg_password_file), "", 0, 0, NULL, NULL,
     "file holding the role's PostgreSQL password (wins over CS_SECRETS_DIR)"},
    {"CS_REDIS_PASSWORD_FILE", CFG_STR, OFF(redis_password_file), "", 0, 0, NULL, NULL,
     "file holding the role's Redis password (wins over CS_SECRETS_DIR)"},
    {"CS_KAFKA_PASSWORD_FILE", CFG_STR, OFF(kafka_password_file), "", 0, 0, NULL, NULL,
     "file holding the role's Kafka SCRAM password (wins over CS_SECRETS_DIR)"},
    {"CS_KAFKA_CA_FILE", CFG_STR, OFF(kafka_ca_file), "", 0, 0, NULL, NULL,
     "CA certificate (PEM) Kafka's TLS is checked against (empty = CS_SECRETS_DIR/kafka-ca.pem if there)"},
};

#define CFG_NROWS (sizeof cfg_table / sizeof cfg_table[0])

static char **str_field(cs_config *cfg, const cfg_row *r) { return (char **)((char *)cfg + r->offset); }

static int *int_field(cs_config *cfg, const cfg_row *r) { return (int *)((char *)cfg + r->offset); }

static int check_nonempty(const char *v, char *why, size_t whylen) {
    if (*v) return 0;
    snprintf(why, whylen, "must not be empty");
    return -1;
}

/* "host:port" where port is 0..65535; returns -1 if not. */
static int check_host_port(const char *v, bool port_required) {
    const char *colon = strrchr(v, ':');
    if (!colon) return port_required ? -1 : (*v ? 0 : -1);
    if (colon == v) return -1;
    const char *p = colon + 1;
    if (!*p) return -1;
    long port = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        port = port * 10 + (*p - '0');
        if (port > 65535) return -1;
    }
    return 0;
}

static int check_redis_url(const char *v, char *why, size_t whylen) {
    static const char scheme[] = "redis://";
    if (strncmp(v, scheme, sizeof scheme - 1) == 0) {
        char hostport[256];
        const char *h = v + sizeof scheme - 1;
        const char *at = strchr(h, '@');
        if (at) h = at + 1;
        size_t n = strcspn(h, "/");
        if (n > 0 && n < sizeof hostport) {
            memcpy(hostport, h, n);
            hostport[n] = '\0';
            if (check_host_port(hostport, false) == 0) return 0;
        }
    }
    snprintf(why, whylen, "must be redis://host[:port][/db], got '%s'", v);
    return -1;
}

static int check_http_addr(const char *v, char *why, size_t whylen) {
    if (!*v || check_host_port(v, true) == 0) return 0;
    snprintf(why, whylen, "must be host:port (port 0 = any) or empty, got '%s'", v);
    return -1;
}

/* Parses a whole decimal integer (optional sign, no spaces). */
static int parse_long(const char *s, long *out) {
    if (!*s || !(*s == '-' || *s == '+' || (*s >= '0' && *s <= '9'))) return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

static void enum_list(const char *const *values, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; values[i]; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", values[i][0] ? values[i] : "'' (empty)");
        if (n < 0 || (size_t)n >= len - used) break;
        used += (size_t)n;
    }
}

/* The computed default of CS_INSTANCE: "<hostname>-<pid>". */
static char *default_instance(void) {
    char host[256];
    if (gethostname(host, sizeof host) != 0 || !host[0]) cs_strlcpy(host, "cs", sizeof host);
    host[sizeof host - 1] = '\0';
    char buf[300];
    snprintf(buf, sizeof buf, "%s-%ld", host, (long)getpid());
    return cs_xstrdup(buf);
}

/* Applies one row's value (from the environment or its default). */
static int load_row(cs_config *cfg, const cfg_row *r, char *errbuf, size_t errlen) {
    const char *env = getenv(r->name);
    char why[512];

    if (!r->def && (!env || !*env)) {
        /* Computed default (CS_INSTANCE unset or empty). */
        *str_field(cfg, r) = default_instance();
        return 0;
    }
    const char *v = env ? env : r->def;
    switch (r->type) {
        case CFG_INT: {
            long n;
            if (parse_long(v, &n) != 0 || n < r->min || n > r->max) {
                if (r->max == INT_MAX)
                    snprintf(errbuf, errlen, "%s: must be an integer of at least %ld, got '%s'", r->name, r->min, v);
                else
                    snprintf(errbuf, errlen, "%s: must be an integer from %ld to %ld, got '%s'", r->name, r->min,
                             r->max, v);
                return -1;
            }
            *int_field(cfg, r) = (int)n;
            return 0;
        }
        case CFG_ENUM:
            for (size_t i = 0; r->values[i]; i++) {
                if (strcmp(v, r->values[i]) == 0) {
                    *str_field(cfg, r) = cs_xstrdup(v);
                    return 0;
                }
            }
            enum_list(r->values, why, sizeof why);
            snprintf(errbuf, errlen, "%s: must be one of %s, got '%s'", r->name, why, v);
            return -1;
        case CFG_STR:
            if (r->check && r->check(v, why, sizeof why) != 0) {
                snprintf(errbuf, errlen, "%s: %s", r->name, why);
                return -1;
            }
            *str_field(cfg, r) = cs_xstrdup(v);
            return 0;
    }
    return -1;
}

int cs_config_load(cs_config *cfg, char *errbuf, size_t errlen) {
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < CFG_NROWS; i++) {
        if (load_row(cfg, &cfg_table[i], errbuf, errlen) != 0) {
            cs_config_free(cfg);
            return -1;
        }
    }
    const cs_identity_source src = {
        .program = program_invocation_short_name,
        .role = cfg->role,
        .secrets_dir = cfg->secrets_dir,
        .pg_file = cfg->pg_password_file,
        .redis_file = cfg->redis_password_file,
        .kafka_file = cfg->kafka_password_file,
        .kafka_ca = cfg->kafka_ca_file,
    };
    cs_identity id;
    if (cs_identity_build(&src, &id, errbuf, errlen) != 0) {
        cs_config_free(cfg);
        return -1;
    }
    cs_identity_set(&id);
    memset(&id, 0, sizeof id);
    return 0;
}

void cs_config_free(cs_config *cfg) {
    if (!cfg) return;
    for (size_t i = 0; i < CFG_NROWS; i++) {
        if (cfg_table[i].type == CFG_INT) continue;
        char **p = str_field(cfg, &cfg_table[i]);
        free(*p);
        *p = NULL;
    }
    memset(cfg, 0, sizeof *cfg);
}

void cs_config_usage(FILE *out) {
    fprintf(out, "Environment:\n");
    for (size_t i = 0; i < CFG_NROWS; i++) {
        const cfg_row *r = &cfg_table[i];
        char def[128];
        if (!r->def)
            cs_strlcpy(def, "<hostname>-<pid>", sizeof def);
        else
            snprintf(def, sizeof def, "'%s'", r->def);
        fprintf(out, "  %-22s %s\n  %-22s   default %s", r->name, r->help, "", def);
        if (r->type == CFG_INT) {
            if (r->max == INT_MAX)
                fprintf(out, ", at least %ld", r->min);
            else
                fprintf(out, ", range %ld..%ld", r->min, r->max);
        }
        fputc('\n', out);
    }
}
