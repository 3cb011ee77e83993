/* pg.c -- libpq helpers: connect, exec with a readable error, COPY
 * buffers and array parameters.
 *
 * Workers write a batch's new rows with COPY, and rows to upsert with a
 * single INSERT ... SELECT FROM unnest(<array parameters>) ... ON CONFLICT
 * statement (never through a temporary staging table: a transaction that
 * touches one makes its COMMIT truncate every ON COMMIT DELETE ROWS
 * table), so a batch of hundreds of events costs a handful of round trips
 * rather than several per event. The COPY text format needs escaping of
 * backslash, tab, newline and CR (PostgreSQL docs, "COPY ... Text
 * Format"); bytea goes as \\x hex. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#include "cs/identity.h"
#include "cs/log.h"
#include "cs/pg.h"
#include "cs/util.h"

PGconn *cs_pg_open(const char *dsn, const char *connect_timeout, const char *app) {
    const cs_identity *id = cs_identity_get();
    const char *keys[6], *vals[6];
    int k = 0;
    if (connect_timeout) keys[k] = "connect_timeout", vals[k++] = connect_timeout;
    if (app) keys[k] = "application_name", vals[k++] = app;
    /* dbname after the defaults: with expand_dbname its connection string
     * wins over them; the role's user and password after it win over the
     * string's, so a DSN shared by every role cannot log one in as another */
    keys[k] = "dbname", vals[k++] = dsn;
    if (id->pg_password[0]) {
        keys[k] = "user", vals[k++] = id->pg_user;
        keys[k] = "password", vals[k++] = id->pg_password;
    }
    keys[k] = NULL, vals[k] = NULL;
    return PQconnectdbParams(keys, vals, 1);
}

PGconn *cs_pg_connect(const char *dsn, char *errbuf, size_t errlen) {
    const cs_identity *id = cs_identity_get();
    PGconn *pg = cs_pg_open(dsn, NULL, id->role[0] ? id->role : NULL);
    if (PQstatus(pg) != CONNECTION_OK) {
        snprintf(errbuf, errlen, "postgres connect: %s", PQerrorMessage(pg));
        /* libpq messages end in a newline; a log line should not */
        size_t n = strlen(errbuf);
        while (n && (errbuf[n - 1] == '\n' || errbuf[n - 1] == ' ')) errbuf[--n] = 0;
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

bool cs_pg_conn_lost(PGconn *pg) { return pg == NULL || PQstatus(pg) != CONNECTION_OK; }

int cs_pg_ensure(PGconn **pg, const char *dsn, cs_pg_setup_fn setup, void *arg, char *errbuf, size_t errlen) {
    if (!cs_pg_conn_lost(*pg)) return 0;
    if (*pg) {
        PQfinish(*pg);
        *pg = NULL;
    }
    PGconn *c = cs_pg_connect(dsn, errbuf, errlen);
    if (!c) return -1;
    if (setup && setup(arg, c, errbuf, errlen) != 0) {
        PQfinish(c);
        return -1;
    }
    *pg = c;
    cs_log_info("postgres connected");
    return 0;
}

static void pgErr(PGconn *pg, const PGresult *r, const char *ctx, char *errbuf, size_t errlen) {
    const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(pg);
    if (!m || !*m) m = PQerrorMessage(pg);
    snprintf(errbuf, errlen, "%s: %s", ctx, m);
    size_t n = strlen(errbuf);
    while (n && (errbuf[n - 1] == '\n' || errbuf[n - 1] == ' ')) errbuf[--n] = 0;
}

/* Hands r to the caller (res) or clears it; -1 with the statement's
 * first words and the server's message if it failed. */
static int execDone(PGconn *pg, PGresult *r, const char *sql, PGresult **res, char *errbuf, size_t errlen) {
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char ctx[80];
        snprintf(ctx, sizeof ctx, "%.60s", sql);
        for (char *p = ctx; *p; p++)
            if (*p == '\n') *p = ' ';
        pgErr(pg, r, ctx, errbuf, errlen);
        PQclear(r);
        if (res) *res = NULL;
        return -1;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return 0;
}

int cs_pg_exec(PGconn *pg, const char *sql, int nparams, const char *const *params, PGresult **res, char *errbuf,
               size_t errlen) {
    PGresult *r = nparams ? PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0) : PQexec(pg, sql);
    return execDone(pg, r, sql, res, errbuf, errlen);
}

int cs_pg_exec_mixed(PGconn *pg, const char *sql, int nparams, const char *const *values, const int *lengths,
                     const int *formats, PGresult **res, char *errbuf, size_t errlen) {
    assert(nparams > 0);
    PGresult *r = PQexecParams(pg, sql, nparams, NULL, values, lengths, formats, 0);
    return execDone(pg, r, sql, res, errbuf, errlen);
}

int cs_pg_exec_bin(PGconn *pg, const char *sql, int nparams, const cs_copybuf *params, PGresult **res, char *errbuf,
                   size_t errlen) {
    assert(nparams > 0 && nparams <= CS_PG_MAX_BIN_PARAMS);
    const char *vals[CS_PG_MAX_BIN_PARAMS];
    int lens[CS_PG_MAX_BIN_PARAMS], fmts[CS_PG_MAX_BIN_PARAMS];
    for (int k = 0; k < nparams; k++) {
        assert(params[k].len <= INT32_MAX);
        vals[k] = params[k].data;
        lens[k] = (int)params[k].len;
        fmts[k] = 1;
    }
    PGresult *r = PQexecParams(pg, sql, nparams, NULL, vals, lens, fmts, 0);
    return execDone(pg, r, sql, res, errbuf, errlen);
}

/* ---- COPY text buffers ---------------------------------------------------- */

static void copyReserve(cs_copybuf *c, size_t more) {
    if (c->len + more + 1 <= c->cap) return;
    size_t cap = c->cap ? c->cap : 4096;
    while (cap < c->len + more + 1) cap *= 2;
    c->data = cs_xrealloc(c->data, cap);
    c->cap = cap;
}

static void copyRaw(cs_copybuf *c, const char *s, size_t n) {
    copyReserve(c, n);
    memcpy(c->data + c->len, s, n);
    c->len += n;
    c->data[c->len] = 0;
}

static void copySep(cs_copybuf *c) {
    if (c->row_open) copyRaw(c, "\t", 1);
    c->row_open = true;
}

void cs_copy_reset(cs_copybuf *c) {
    if (c->len > c->peak) c->peak = c->len;
    c->len = 0;
    c->rows = 0;
    c->row_open = false;
    if (c->data) c->data[0] = 0;
}

void cs_copy_free(cs_copybuf *c) {
    if (!c) return;
    free(c->data);
    memset(c, 0, sizeof *c);
}

void cs_copy_keep(cs_copybuf *c, size_t max) {
    size_t used = c->len > c->peak ? c->len : c->peak;
    if (c->cap > max || (c->cap > ((size_t)64 << 10) && used < c->cap / 4)) {
        cs_copy_free(c);
        return;
    }
    c->peak = 0;
}

void cs_copy_text(cs_copybuf *c, const char *s) {
    copySep(c);
    if (!s) {
        copyRaw(c, "\\N", 2);
        return;
    }
    size_t n = strlen(s);
    copyReserve(c, 2 * n);
    char *d = c->data + c->len;
    for (const char *p = s; *p; p++) {
        /* most text needs no escape: one test for the four that do */
        unsigned char ch = (unsigned char)*p;
        if (ch > '\\' || (ch != '\\' && ch != '\t' && ch != '\n' && ch != '\r')) {
            *d++ = (char)ch;
            continue;
        }
        *d++ = '\\';
        *d++ = ch == '\\' ? '\\' : ch == '\t' ? 't' : ch == '\n' ? 'n' : 'r';
    }
    c->len = (size_t)(d - c->data);
    c->data[c->len] = 0;
}

/* Decimal digits of v into the end of b (no locale, no format parsing:
 * COPY buffers carry several integers per row). Returns the first digit. */
static char *decimal(char *end, int64_t v) {
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = end;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    return p;
}

void cs_copy_int(cs_copybuf *c, int64_t v) {
    char b[24], *p = decimal(b + sizeof b, v);
    copySep(c);
    copyRaw(c, p, (size_t)(b + sizeof b - p));
}

void cs_copy_bool(cs_copybuf *c, bool v) {
    copySep(c);
    copyRaw(c, v ? "t" : "f", 1);
}

void cs_copy_bytea(cs_copybuf *c, const void *p, size_t n) {
    /* two hex digits per byte from one table lookup: documents and outbox
     * blobs are hundreds of bytes a row */
    static const char pairs[513] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                                   "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                                   "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
                                   "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                                   "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
                                   "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                                   "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
                                   "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
    const unsigned char *b = p;
    copySep(c);
    /* "\x" must itself be escaped in the COPY text format: "\\x" */
    copyReserve(c, 3 + 2 * n);
    char *d = c->data + c->len;
    *d++ = '\\';
    *d++ = '\\';
    *d++ = 'x';
    for (size_t i = 0; i < n; i++, d += 2) memcpy(d, pairs + 2 * b[i], 2);
    c->len = (size_t)(d - c->data);
    c->data[c->len] = 0;
}

void cs_copy_null(cs_copybuf *c) {
    copySep(c);
    copyRaw(c, "\\N", 2);
}

void cs_copy_end_row(cs_copybuf *c) {
    copyRaw(c, "\n", 1);
    c->rows++;
    c->row_open = false;
}

/* ---- COPY binary buffers ------------------------------------------------ */

static void binU32(cs_copybuf *c, uint32_t v) {
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                          (unsigned char)v};
    copyRaw(c, (const char *)b, 4);
}

static void binU16(cs_copybuf *c, uint16_t v) {
    unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    copyRaw(c, (const char *)b, 2);
}

void cs_copybin_start(cs_copybuf *c) {
    cs_copy_reset(c);
    copyRaw(c, "PGCOPY\n\377\r\n\0", 11); /* signature */
    binU32(c, 0);                         /* flags: no OIDs */
    binU32(c, 0);                         /* header extension length */
}

void cs_copybin_row(cs_copybuf *c, int nfields) {
    binU16(c, (uint16_t)nfields);
    c->rows++;
}

void cs_copybin_text(cs_copybuf *c, const char *s) {
    if (!s) {
        binU32(c, UINT32_MAX);
        return;
    } /* -1: NULL */
    cs_copybin_bytes(c, s, strlen(s));
}

void cs_copybin_int4(cs_copybuf *c, int32_t v) {
    binU32(c, 4);
    binU32(c, (uint32_t)v);
}

void cs_copybin_int8(cs_copybuf *c, int64_t v) {
    binU32(c, 8);
    binU32(c, (uint32_t)((uint64_t)v >> 32));
    binU32(c, (uint32_t)v);
}

void cs_copybin_null(cs_copybuf *c) { binU32(c, UINT32_MAX); }

void cs_copybin_bool(cs_copybuf *c, bool v) {
    binU32(c, 1);
    copyRaw(c, v ? "\1" : "\0", 1);
}

/* text[]'s binary form (array_send): dimensions, a has-nulls flag, the
 * element type (text, OID 25), then per dimension its length and lower
 * bound, then each element length-prefixed. No dimensions when empty. */
void cs_copybin_text_array(cs_copybuf *c, const char *const *items, size_t n) {
    size_t body = 12 + (n ? 8 : 0);
    for (size_t i = 0; i < n; i++) body += 4 + strlen(items[i]);
    binU32(c, (uint32_t)body);
    binU32(c, n ? 1 : 0);
    binU32(c, 0);
    binU32(c, 25);
    if (n) {
        binU32(c, (uint32_t)n);
        binU32(c, 1);
    }
    for (size_t i = 0; i < n; i++) cs_copybin_bytes(c, items[i], strlen(items[i]));
}

void cs_copybin_jsonb(cs_copybuf *c, const char *json) {
    if (!json) {
        binU32(c, UINT32_MAX);
        return;
    }
    size_t n = strlen(json);
    binU32(c, (uint32_t)(n + 1));
    copyRaw(c, "\1", 1); /* jsonb_recv's format version */
    copyRaw(c, json, n);
}

void cs_copybin_int4_array(cs_copybuf *c, const int32_t *v, size_t n) {
    binU32(c, (uint32_t)(12 + (n ? 8 : 0) + 8 * n));
    binU32(c, n ? 1 : 0);
    binU32(c, 0);
    binU32(c, 23); /* int4 */
    if (n) {
        binU32(c, (uint32_t)n);
        binU32(c, 1);
    }
    for (size_t i = 0; i < n; i++) cs_copybin_int4(c, v[i]);
}

static uint32_t rdU32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int cs_pgarr_open(cs_pgarr *a, const char *data, int len, uint32_t elemtype) {
    memset(a, 0, sizeof *a);
    const unsigned char *p = (const unsigned char *)data;
    if (!data || len < 12) return -1;
    uint32_t ndim = rdU32(p);
    if (rdU32(p + 8) != elemtype || ndim > 1) return -1;
    a->end = p + len;
    a->p = p + 12;
    if (ndim == 0) return 0;
    if (len < 20) return -1;
    a->n = rdU32(p + 12);
    a->p = p + 20;
    return 0;
}

int cs_pgarr_next(cs_pgarr *a, const char **elem, int *elen) {
    if (a->at >= a->n || a->end - a->p < 4) return -1;
    uint32_t n = rdU32(a->p);
    a->p += 4;
    a->at++;
    if (n == UINT32_MAX) {
        *elem = NULL;
        *elen = -1;
        return 0;
    }
    if ((size_t)(a->end - a->p) < n) return -1;
    *elem = (const char *)a->p;
    *elen = (int)n;
    a->p += n;
    return 0;
}

int32_t cs_pgarr_int4(const char *elem) { return (int32_t)rdU32((const unsigned char *)elem); }

void cs_copybin_bytes(cs_copybuf *c, const void *p, size_t n) {
    binU32(c, (uint32_t)n);
    if (n) copyRaw(c, p, n);
}

void cs_copybin_finish(cs_copybuf *c) { binU16(c, UINT16_MAX); } /* -1: end of data */

/* ---- binary array parameters --------------------------------------------- */

static uint16_t rdU16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void putU32(char *at, uint32_t v) {
    unsigned char *p = (unsigned char *)at;
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* array_send's layout: dimensions, a has-nulls flag, the element type, then
 * per dimension its length and lower bound, then the elements (each
 * length-prefixed, -1 for NULL). The header is written with room for one
 * dimension and filled in at the end; no rows is an array of no dimension. */
long cs_pgbin_columns(const cs_copybuf *rows, int ncols, const uint32_t *elemtypes, cs_copybuf *cols) {
    assert(ncols > 0 && ncols <= CS_PG_MAX_BIN_PARAMS);
    bool nulls[CS_PG_MAX_BIN_PARAMS] = {false};
    for (int k = 0; k < ncols; k++) {
        cs_copy_reset(&cols[k]);
        copyReserve(&cols[k], 20);
        cols[k].len = 20;
    }
    const unsigned char *p = (const unsigned char *)rows->data, *end = p + rows->len;
    long n = 0;
    while (p && p < end) {
        if (end - p < 2) return -1;
        uint16_t nf = rdU16(p);
        p += 2;
        if (nf == UINT16_MAX) break; /* a COPY trailer: the end */
        if (nf != (uint16_t)ncols) return -1;
        for (int k = 0; k < ncols; k++) {
            if (end - p < 4) return -1;
            uint32_t flen = rdU32(p);
            size_t sz = 4;
            if (flen == UINT32_MAX)
                nulls[k] = true;
            else
                sz += flen;
            if ((size_t)(end - p) < sz) return -1;
            copyRaw(&cols[k], (const char *)p, sz);
            p += sz;
        }
        n++;
    }
    for (int k = 0; k < ncols; k++) {
        cs_copybuf *c = &cols[k];
        putU32(c->data, n ? 1 : 0);
        putU32(c->data + 4, nulls[k] ? 1 : 0);
        putU32(c->data + 8, elemtypes[k]);
        if (n) {
            putU32(c->data + 12, (uint32_t)n);
            putU32(c->data + 16, 1);
        } else {
            c->len = 12;
        }
        c->data[c->len] = 0;
        c->rows = (size_t)n;
    }
    return n;
}

int cs_copy_send(PGconn *pg, const char *copy_sql, const cs_copybuf *c, char *errbuf, size_t errlen) {
    PGresult *r = PQexec(pg, copy_sql);
    if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
        pgErr(pg, r, copy_sql, errbuf, errlen);
        PQclear(r);
        return -1;
    }
    PQclear(r);
    if ((c->len && PQputCopyData(pg, c->data, (int)c->len) != 1) || PQputCopyEnd(pg, NULL) != 1) {
        pgErr(pg, NULL, copy_sql, errbuf, errlen);
        return -1;
    }
    int rc = 0;
    while ((r = PQgetResult(pg)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            if (rc == 0) pgErr(pg, r, copy_sql, errbuf, errlen);
            rc = -1;
        }
        PQclear(r);
    }
    return rc;
}

void cs_pg_text_array(cs_copybuf *out, const char *const *items, size_t n) {
    cs_copy_reset(out);
    copyRaw(out, "{", 1);
    for (size_t i = 0; i < n; i++) {
        copyRaw(out, i ? ",\"" : "\"", i ? 2 : 1);
        /* runs without '"' or '\\' in one copy: ids rarely hold either */
        for (const char *p = items[i]; *p;) {
            size_t run = strcspn(p, "\"\\");
            if (run) copyRaw(out, p, run);
            p += run;
            if (*p) {
                char esc[2] = {'\\', *p++};
                copyRaw(out, esc, 2);
            }
        }
        copyRaw(out, "\"", 1);
    }
    copyRaw(out, "}", 1);
}

void cs_pg_int_array(cs_copybuf *out, const int64_t *v, size_t n) {
    cs_copy_reset(out);
    copyRaw(out, "{", 1);
    for (size_t i = 0; i < n; i++) {
        char d[24];
        size_t k = sizeof d;
        uint64_t u = v[i] < 0 ? (uint64_t)0 - (uint64_t)v[i] : (uint64_t)v[i];
        do d[--k] = (char)('0' + u % 10);
        while ((u /= 10) != 0);
        if (v[i] < 0) d[--k] = '-';
        if (i) copyRaw(out, ",", 1);
        copyRaw(out, d + k, sizeof d - k);
    }
    copyRaw(out, "}", 1);
}
