/* nt_config.c -- the notifier's CS_* variables: one table, one row each
 * (cs/envtable.h), so loading and --help cannot disagree. */
#include "nt_config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cs/envtable.h"
#include "cs/util.h"

/* CS_SMS_URL, CS_IM_URL: empty (the log provider) or an http(s) URL. */
static int httpUrl(const char *v, char *why, size_t whylen) {
    if (!v[0] || strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0) return 1;
    snprintf(why, whylen, "must be an http:// or https:// URL");
    return 0;
}

#define OFF(f) offsetof(nt_config, f)
#define SZ(f) sizeof(((nt_config *)0)->f)

static const cs_env_row rows[] = {
    {"CS_SMS_URL", 0, OFF(sms_url), SZ(sms_url), "", 0, 0,
     "SMS provider endpoint (POST JSON, Idempotency-Key); empty = the log provider", httpUrl},
    {"CS_IM_URL", 0, OFF(im_url), SZ(im_url), "", 0, 0,
     "IM provider endpoint (POST JSON, Idempotency-Key); empty = the log provider", httpUrl},
    {"CS_NOTIFIER_LOG_FILE", 0, OFF(log_file), SZ(log_file), "", 0, 0,
     "the log provider's JSON-lines file (empty = <CS_STATE_DIR>/messages.jsonl)", NULL},
    {"CS_NOTIFIER_TEMPLATES", 0, OFF(templates), SZ(templates), "workers/notifier/templates/zh-CN.json", 0, 0,
     "the repository's message templates (JSON)", NULL},
    {"CS_NOTIFIER_RATE", 1, OFF(rate_per_s), 0, "0", 0, 1000000,
     "outbound messages per second per provider (0 = no limit)", NULL},
    {"CS_NOTIFIER_TIMEOUT_MS", 1, OFF(timeout_ms), 0, "5000", 100, 120000,
     "one provider call's timeout (ms, real time)", NULL},
    {"CS_NOTIFIER_ATTEMPTS", 1, OFF(attempts), 0, "5", 1, 20,
     "provider calls per message on 5xx/timeout before it is dead-lettered", NULL},
    {"CS_NOTIFIER_BACKOFF_MS", 1, OFF(backoff_ms), 0, "200", 1, 60000,
     "first retry delay (ms); doubles per retry, capped at 30 s, with jitter", NULL},
    {"CS_NOTIFIER_CONCURRENCY", 1, OFF(concurrency), 0, "16", 1, 1024, "provider calls in flight at once", NULL},
};

#define NROWS (sizeof rows / sizeof rows[0])

int nt_config_load(nt_config *c, const char *state_dir, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    if (cs_env_table_load(rows, NROWS, c, err, errlen) != 0) return -1;
    if (!c->log_file[0]) {
        const char *d = state_dir && state_dir[0] ? state_dir : ".";
        /* the default location, for this user alone: the file holds the
         * messages sent (docs/security.md); an error shows when it is opened */
        mkdir(d, 0700);
        if ((size_t)snprintf(c->log_file, sizeof c->log_file, "%s/messages.jsonl", d) >= sizeof c->log_file) {
            snprintf(err, errlen, "CS_STATE_DIR: too long for the log provider's file");
            return -1;
        }
    }
    return 0;
}

void nt_config_usage(FILE *out) { cs_env_table_usage(out, "Notifier", rows, NROWS); }
