/* nt_config.h -- the notifier's own CS_* variables (docs/config.md,
 * "Notifier"). The runtime's table (shared/src/config.c) holds what every
 * worker reads; these only the notifier does, so they live here, read and
 * validated the same way (a bad value stops the process naming the
 * variable) and printed by `notifier --help`. */
#ifndef NT_CONFIG_H
#define NT_CONFIG_H

#include <stddef.h>
#include <stdio.h>

typedef struct nt_config {
    char sms_url[512];    /* CS_SMS_URL: "" = log provider */
    char im_url[512];     /* CS_IM_URL: "" = log provider */
    char log_file[1024];  /* CS_NOTIFIER_LOG_FILE ("" = <CS_STATE_DIR>/messages.jsonl) */
    char templates[1024]; /* CS_NOTIFIER_TEMPLATES */
    int rate_per_s;       /* CS_NOTIFIER_RATE: per provider, 0 = off */
    int timeout_ms;       /* CS_NOTIFIER_TIMEOUT_MS */
    int attempts;         /* CS_NOTIFIER_ATTEMPTS */
    int backoff_ms;       /* CS_NOTIFIER_BACKOFF_MS */
    int concurrency;      /* CS_NOTIFIER_CONCURRENCY */
} nt_config;

/* Reads the variables; 0, or -1 with "CS_NAME: reason". state_dir is the
 * runtime's CS_STATE_DIR, for the log file's default. */
int nt_config_load(nt_config *c, const char *state_dir, char *err, size_t errlen);
void nt_config_usage(FILE *out);

#endif
