/* envtable.c -- load and describe a table of CS_* settings (envtable.h). */
#include "cs/envtable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cs/util.h"

int cs_env_table_load(const cs_env_row *rows, size_t n, void *dst, char *err, size_t errlen) {
    for (size_t i = 0; i < n; i++) {
        const cs_env_row *r = &rows[i];
        char *field = (char *)dst + r->offset;
        const char *v = getenv(r->name);
        if (!v) v = r->def;
        if (r->is_int) {
            char *end;
            errno = 0;
            long x = strtol(v, &end, 10);
            if (errno || end == v || *end || x < r->min || x > r->max) {
                snprintf(err, errlen, "%s: must be an integer from %ld to %ld, got '%s'", r->name, r->min, r->max, v);
                return -1;
            }
            int narrow = (int)x;
            memcpy(field, &narrow, sizeof narrow);
            continue;
        }
        char why[160];
        if (r->check && !r->check(v, why, sizeof why)) {
            snprintf(err, errlen, "%s: %s, got '%s'", r->name, why, v);
            return -1;
        }
        if (strlen(v) >= r->size) {
            snprintf(err, errlen, "%s: longer than %zu bytes", r->name, r->size - 1);
            return -1;
        }
        cs_strlcpy(field, v, r->size);
    }
    return 0;
}

void cs_env_table_usage(FILE *out, const char *title, const cs_env_row *rows, size_t n) {
    fprintf(out, "%s:\n", title);
    for (size_t i = 0; i < n; i++) {
        const cs_env_row *r = &rows[i];
        fprintf(out, "  %-29s %s\n  %-29s   default '%s'", r->name, r->help, "", r->def);
        if (r->is_int) fprintf(out, ", range %ld..%ld", r->min, r->max);
        fputc('\n', out);
    }
}
