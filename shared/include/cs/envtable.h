/* envtable.h -- a process's own CS_* settings as one table, one row each
 * (the notifier's nt_config.c, the gateway's gw_config.c), so that
 * loading, validation and --help cannot disagree. shared/src/config.c is
 * the runtime's table of the settings every worker shares. */
#ifndef CS_ENVTABLE_H
#define CS_ENVTABLE_H

#include <stddef.h>
#include <stdio.h>

typedef struct cs_env_row {
    const char *name; /* environment variable */
    int is_int;       /* 1: an integer in [min, max], stored as an int; 0: a string */
    size_t offset;    /* into the settings struct */
    size_t size;      /* strings: buffer size (the value must fit with its NUL) */
    const char *def;  /* default, as text */
    long min, max;    /* integers: inclusive range */
    const char *help; /* one line for --help and docs/config.md */
    /* strings, optional: false with a reason ("must be host:port") refuses it */
    int (*check)(const char *value, char *why, size_t whylen);
} cs_env_row;

/* Fills dst from the environment (or each row's default): 0, or -1 with
 * "<NAME>: <reason>, got '<value>'" in err. dst is zeroed first. */
int cs_env_table_load(const cs_env_row *rows, size_t n, void *dst, char *err, size_t errlen);
/* The --help block: the title, then each variable, its help and default. */
void cs_env_table_usage(FILE *out, const char *title, const cs_env_row *rows, size_t n);

#endif
