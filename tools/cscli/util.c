/* util.c -- what every cscli command shares: argument and value parsing,
 * error reporting with the contract's exit codes, JSON output and aligned
 * text tables.
 *
 * Parsing is strict on purpose: an operator typing "clock advance 1.5h"
 * gets a usage error (exit 2), not a clock moved by some other amount. */
#include "cscli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cs/pg.h"
#include "cs/util.h"

/* ---- argument parsing --------------------------------------------------- */

static const cscli_opt *find_opt(const cscli_opt *opts, size_t nopts, const char *name, size_t namelen) {
    for (size_t i = 0; i < nopts; i++)
        if (strlen(opts[i].name) == namelen && strncmp(opts[i].name, name, namelen) == 0) return &opts[i];
    return NULL;
}

int cscli_parse_args(int argc, char **argv, const cscli_opt *opts, size_t nopts, const char **pos, int maxpos,
                     int *npos, char *errbuf, size_t errlen) {
    bool options_done = false;
    *npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9')) {
            const char *name = strcmp(a, "-h") == 0 ? "--help" : a;
            const char *eq = strchr(name, '=');
            size_t namelen = eq ? (size_t)(eq - name) : strlen(name);
            const cscli_opt *o = find_opt(opts, nopts, name, namelen);
            if (!o) {
                snprintf(errbuf, errlen, "unknown option '%.*s'", (int)namelen, name);
                return -1;
            }
            if (o->flag) {
                if (eq) {
                    snprintf(errbuf, errlen, "option %s takes no value", o->name);
                    return -1;
                }
                *o->flag = true;
            } else if (eq) {
                *o->value = eq + 1;
            } else if (i + 1 < argc) {
                *o->value = argv[++i];
            } else {
                snprintf(errbuf, errlen, "option %s needs a value", o->name);
                return -1;
            }
            continue;
        }
        if (*npos >= maxpos) {
            snprintf(errbuf, errlen, "unexpected argument '%s'", a);
            return -1;
        }
        pos[(*npos)++] = a;
    }
    return 0;
}

#define DURATION_MAX_MS (3650LL * 86400 * 1000)

int cscli_parse_duration(const char *s, int64_t *ms) {
    if (!s || !*s) return -1;
    int64_t total = 0;
    const char *p = s;
    while (*p) {
        if (*p < '0' || *p > '9') return -1;
        int64_t n = 0;
        int nd = 0;
        while (*p >= '0' && *p <= '9') {
            if (++nd > 12) return -1; /* more than 3650 days in any unit */
            n = n * 10 + (*p++ - '0');
        }
        int64_t unit;
        switch (*p++) {
            case 's': unit = 1000; break;
            case 'm': unit = 60 * 1000; break;
            case 'h': unit = 3600 * 1000; break;
            case 'd': unit = 86400 * 1000; break;
            default: return -1; /* no unit, or an unknown one */
        }
        if (n > DURATION_MAX_MS / unit) return -1;
        total += n * unit;
        if (total > DURATION_MAX_MS) return -1;
    }
    *ms = total;
    return 0;
}

int cscli_parse_order_key(const char *s, char *shop, size_t shoplen, char *order, size_t orderlen) {
    if (!s) return -1;
    const char *colon = strchr(s, ':');
    if (!colon || colon == s || !colon[1]) return -1;
    size_t sn = (size_t)(colon - s);
    if (sn >= shoplen || strlen(colon + 1) >= orderlen) return -1;
    memcpy(shop, s, sn);
    shop[sn] = '\0';
    cs_strlcpy(order, colon + 1, orderlen);
    return 0;
}

int cscli_parse_int(const char *s, int max, int *out) {
    if (!s || *s < '0' || *s > '9') return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 1 || v > max) return -1;
    *out = (int)v;
    return 0;
}

/* ---- errors and output -------------------------------------------------- */

static void report(cscli *c, int code, const char *msg) {
    /* Messages quote what was asked and what servers answered: escaped
     * whole like any value from outside (escape.c). The JSON document
     * is made safe by c->out's stream. */
    char *safe = cscli_escape(msg, strlen(msg), CSCLI_ESC_FIELD);
    fprintf(c->err, "cscli: %s\n", safe);
    free(safe);
    if (c->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON *e = cJSON_AddObjectToObject(doc, "error");
        cJSON_AddNumberToObject(e, "code", code);
        cJSON_AddStringToObject(e, "message", msg);
        cscli_print_json(c, doc);
    }
}

int cscli_fail(cscli *c, int code, const char *fmt, ...) {
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    report(c, code, msg);
    return code;
}

int cscli_usage_error(cscli *c, const char *usage, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    report(c, CSCLI_USAGE, msg);
    if (usage) fprintf(c->err, "%s", usage);
    return CSCLI_USAGE;
}

void cscli_print_json(cscli *c, cJSON *doc) {
    char *s = cJSON_PrintUnformatted(doc);
    if (!s) {
        fprintf(stderr, "cscli: out of memory printing JSON\n");
        abort();
    }
    fprintf(c->out, "%s\n", s);
    cJSON_free(s);
    cJSON_Delete(doc);
}

void cscli_json_int(cJSON *obj, const char *name, int64_t v) { cJSON_AddNumberToObject(obj, name, (double)v); }

int cscli_load_config(cscli *c) {
    if (c->cfg_loaded) return CSCLI_OK;
    char err[512];
    if (cs_config_load(&c->cfg, err, sizeof err) != 0) return cscli_fail(c, CSCLI_USAGE, "%s", err);
    c->cfg_loaded = true;
    return CSCLI_OK;
}

/* ---- tables ------------------------------------------------------------- */

struct cscli_table {
    int ncols;    /* cells per row */
    size_t nrows; /* rows added */
    size_t cap;   /* rows allocated */
    char **cells; /* nrows * ncols owned strings, row-major */
};

cscli_table *cscli_table_new(int ncols) {
    cscli_table *t = cs_xcalloc(1, sizeof *t);
    t->ncols = ncols;
    return t;
}

void cscli_table_free(cscli_table *t) {
    if (!t) return;
    for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++) free(t->cells[i]);
    free(t->cells);
    free(t);
}

void cscli_table_row(cscli_table *t, ...) {
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = cs_xrealloc(t->cells, t->cap * (size_t)t->ncols * sizeof *t->cells);
    }
    va_list ap;
    va_start(ap, t);
    for (int i = 0; i < t->ncols; i++) {
        const char *s = va_arg(ap, const char *);
        /* Escaped whole: a tab or a line feed would break the alignment,
         * and a terminal must obey nothing in a value (escape.c). */
        if (!s || !*s) s = "-";
        t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = cscli_escape(s, strlen(s), CSCLI_ESC_FIELD);
    }
    va_end(ap);
    t->nrows++;
}

/* Wide (two-cell) code points: CJK, Hangul, full-width forms. */
static bool wide(unsigned cp) {
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

size_t cscli_text_width(const char *s) {
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp;
        int n;
        if (*p < 0x80) {
            cp = *p;
            n = 1;
        } else if ((*p & 0xE0) == 0xC0) {
            cp = *p & 0x1F;
            n = 2;
        } else if ((*p & 0xF0) == 0xE0) {
            cp = *p & 0x0F;
            n = 3;
        } else if ((*p & 0xF8) == 0xF0) {
            cp = *p & 0x07;
            n = 4;
        } else {
            p++;
            w++;
            continue;
        }
        int k = 1;
        for (; k < n && (p[k] & 0xC0) == 0x80; k++) cp = (cp << 6) | (p[k] & 0x3F);
        p += k;
        w += k == n && wide(cp) ? 2 : 1;
    }
    return w;
}

void cscli_table_print(const cscli_table *t, FILE *out, const char *indent) {
    size_t *width = cs_xcalloc((size_t)t->ncols, sizeof *width);
    for (size_t r = 0; r < t->nrows; r++)
        for (int i = 0; i < t->ncols; i++) {
            size_t w = cscli_text_width(t->cells[r * (size_t)t->ncols + (size_t)i]);
            if (w > width[i]) width[i] = w;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        fputs(indent ? indent : "", out);
        for (int i = 0; i < t->ncols; i++) {
            const char *cell = t->cells[r * (size_t)t->ncols + (size_t)i];
            fputs(cell, out);
            if (i + 1 < t->ncols)
                for (size_t pad = cscli_text_width(cell); pad < width[i] + 2; pad++) fputc(' ', out);
        }
        fputc('\n', out);
    }
    free(width);
}

const char *cscli_field(cscli *c, const char *s) {
    if (!s || !*s) return "-";
    c->fields = cs_xrealloc(c->fields, (c->nfields + 1) * sizeof *c->fields);
    return c->fields[c->nfields++] = cscli_escape(s, strlen(s), CSCLI_ESC_FIELD);
}

void cscli_one_line(const char *in, char *out, size_t len) {
    cs_strlcpy(out, in ? in : "", len);
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\t') *p = ' ';
    size_t n = strlen(out);
    while (n && out[n - 1] == ' ') out[--n] = '\0';
}

PGconn *cscli_pg_connect(cscli *c, char *err, size_t errlen) {
    /* the DSN may override the 3 s connect timeout and application name */
    PGconn *pg = cs_pg_open(c->cfg.pg_dsn, "3", "cscli");
    if (PQstatus(pg) != CONNECTION_OK) {
        cscli_one_line(PQerrorMessage(pg), err, errlen);
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

PGresult *cscli_pg_run(PGconn *pg, const char *sql, int n, const char *const *p, char *err, size_t errlen) {
    PGresult *r = PQexecParams(pg, sql, n, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
        cscli_one_line(PQresultErrorMessage(r), err, errlen);
        PQclear(r);
        return NULL;
    }
    return r;
}
