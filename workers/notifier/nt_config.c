/* nt_config.c -- the notifier's CS_* variables: one table, one row each
 * (as shared/src/config.c), so loading and --help cannot disagree. */
#include "nt_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cs/util.h"

typedef struct ntRow {
    const char *name;
    int isInt;
    size_t offset; /* into nt_config */
    size_t size;   /* string fields: buffer size */
    const char *def;
    long min, max;
    const char *help;
} ntRow;

#define OFF(f) offsetof(nt_config, f)
#define SZ(f) sizeof(((nt_config *)0)->f)

static const ntRow rows[] = {
    {"CS_SMS_URL", 0, OFF(sms_url), SZ(sms_url), "", 0, 0,
     "SMS provider endpoint (POST JSON, Idempotency-Key); empty = the log provider"},
    {"CS_IM_URL", 0, OFF(im_url), SZ(im_url), "", 0, 0,
     "IM provider endpoint (POST JSON, Idempotency-Key); empty = the log provider"},
    {"CS_NOTIFIER_LOG_FILE", 0, OFF(log_file), SZ(log_file), "", 0, 0,
     "the log provider's JSON-lines file (empty = <CS_STATE_DIR>/messages.jsonl)"},
    {"CS_NOTIFIER_TEMPLATES", 0, OFF(templates), SZ(templates), "workers/notifier/templates/zh-CN.json", 0, 0,
     "the repository's message templates (JSON)"},
    {"CS_NOTIFIER_RATE", 1, OFF(rate_per_s), 0, "0", 0, 1000000,
     "outbound messages per second per provider (0 = no limit)"},
    {"CS_NOTIFIER_TIMEOUT_MS", 1, OFF(timeout_ms), 0, "5000", 100, 120000,
     "one provider call's timeout (ms, real time)"},
    {"CS_NOTIFIER_ATTEMPTS", 1, OFF(attempts), 0, "5", 1, 20,
     "provider calls per message on 5xx/timeout before it is dead-lettered"},
    {"CS_NOTIFIER_BACKOFF_MS", 1, OFF(backoff_ms), 0, "200", 1, 60000,
     "first retry delay (ms); doubles per retry, capped at 30 s, with jitter"},
    {"CS_NOTIFIER_CONCURRENCY", 1, OFF(concurrency), 0, "16", 1, 1024, "provider calls in flight at once"},
};

#define NROWS (sizeof rows / sizeof rows[0])

int nt_config_load(nt_config *c, const char *state_dir, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NROWS; i++) {
        const ntRow *r = &rows[i];
        const char *v = getenv(r->name);
        if (!v) v = r->def;
        if (r->isInt) {
            char *end;
            errno = 0;
            long n = strtol(v, &end, 10);
            if (errno || end == v || *end || n < r->min || n > r->max) {
                snprintf(err, errlen, "%s: must be an integer from %ld to %ld, got '%s'", r->name, r->min, r->max, v);
                return -1;
            }
            *(int *)((char *)c + r->offset) = (int)n;
        } else {
            if (strlen(v) >= r->size) {
                snprintf(err, errlen, "%s: longer than %zu bytes", r->name, r->size - 1);
                return -1;
            }
            if ((strcmp(r->name, "CS_SMS_URL") == 0 || strcmp(r->name, "CS_IM_URL") == 0) && v[0] &&
                strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
                snprintf(err, errlen, "%s: must be an http:// or https:// URL, got '%s'", r->name, v);
                return -1;
            }
            cs_strlcpy((char *)c + r->offset, v, r->size);
        }
    }
    if (!c->log_file[0]) {
        const char *d = state_dir && state_dir[0] ? state_dir : ".";
        mkdir(d, 0750); /* the default location; an error shows when the file is opened */
        if ((size_t)snprintf(c->log_file, sizeof c->log_file, "%s/messages.jsonl", d) >= sizeof c->log_file) {
            snprintf(err, errlen, "CS_STATE_DIR: too long for the log provider's file");
            return -1;
        }
    }
    return 0;
}

void nt_config_usage(FILE *out) {
    fprintf(out, "Notifier:\n");
    for (size_t i = 0; i < NROWS; i++)
        fprintf(out, "  %-24s %s\n                           default '%s'\n", rows[i].name, rows[i].help, rows[i].def);
}
