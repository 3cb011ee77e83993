/* pg.h -- small libpq helpers shared by the workers and cscli.
 *
 * Statement errors are returned as -1 with "context: server message" in
 * errbuf; cs_pg_conn_lost() tells a lost connection (retry later) from a
 * statement the server refused (data error). COPY text-format buffers make
 * multi-row writes one round trip. */
#ifndef CS_PG_H
#define CS_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libpq-fe.h>

/* Starts a connection to dsn (a libpq connection string or URI) as the
 * process's role (identity.h): its user and password, when it has them,
 * win over the DSN's. connect_timeout and app (application_name) are
 * defaults the DSN may override; NULL = none. Never NULL; check
 * PQstatus() and PQfinish() it. */
PGconn *cs_pg_open(const char *dsn, const char *connect_timeout, const char *app);
/* cs_pg_open(), or NULL with "postgres connect: reason" in errbuf. */
PGconn *cs_pg_connect(const char *dsn, char *errbuf, size_t errlen);
bool cs_pg_conn_lost(PGconn *pg);
/* Per-connection set-up run on each new connection (a worker's
 * on_connect); 0 or -1 with why in errbuf. */
typedef int (*cs_pg_setup_fn)(void *arg, PGconn *pg, char *errbuf, size_t errlen);
/* Keeps *pg a live connection to dsn: one that is up is left alone; a
 * lost one is closed and a new one made, on which setup (when not NULL)
 * runs before it is kept, and "postgres connected" is logged. Returns 0
 * with *pg up, or -1 with *pg NULL and why in errbuf (a connection whose
 * setup failed is closed). *pg is owned by the caller (PQfinish). */
int cs_pg_ensure(PGconn **pg, const char *dsn, cs_pg_setup_fn setup, void *arg, char *errbuf, size_t errlen);
/* Runs sql with text params; 0 or -1. If res is not NULL the result is
 * handed to the caller (PQclear it). */
int cs_pg_exec(PGconn *pg, const char *sql, int nparams, const char *const *params, PGresult **res, char *errbuf,
               size_t errlen);
/* cs_pg_exec with some parameters in binary format (formats[k] 1: values[k]
 * is lengths[k] raw bytes, a bytea's content say; 0: NUL-terminated text,
 * lengths[k] ignored): for one row that carries bytes next to text. */
int cs_pg_exec_mixed(PGconn *pg, const char *sql, int nparams, const char *const *values, const int *lengths,
                     const int *formats, PGresult **res, char *errbuf, size_t errlen);

/* A growing buffer of COPY text rows (tab-separated, escaped). */
typedef struct cs_copybuf {
    char *data; /* owned */
    size_t len, cap;
    size_t rows;
    bool row_open; /* a field has been added to the current row */
    size_t peak;   /* the largest len since the last cs_copy_keep */
} cs_copybuf;

void cs_copy_reset(cs_copybuf *c);
void cs_copy_free(cs_copybuf *c);
/* For a buffer kept from batch to batch, called once a batch is done with
 * it: frees it when it is larger than max, or larger than 64 KiB while
 * the batch filled less than a quarter of it. The memory kept follows the
 * recent batches, not the largest one ever (a backlog's batches would
 * otherwise stay allocated for the life of the process). */
void cs_copy_keep(cs_copybuf *c, size_t max);
void cs_copy_text(cs_copybuf *c, const char *s); /* NULL -> \N */
void cs_copy_int(cs_copybuf *c, int64_t v);
void cs_copy_bool(cs_copybuf *c, bool v);
void cs_copy_bytea(cs_copybuf *c, const void *p, size_t n); /* hex bytea */
void cs_copy_null(cs_copybuf *c);
void cs_copy_end_row(cs_copybuf *c);
/* COPY's binary format, for rows that carry large byte strings (no hex
 * either side, no text parsing on the server): cs_copybin_start once, then per row cs_copybin_row with
 * its field count and one call per field, then cs_copybin_finish. Send
 * with "COPY t (a,b) FROM STDIN (FORMAT binary)". */
void cs_copybin_start(cs_copybuf *c);
void cs_copybin_row(cs_copybuf *c, int nfields);
void cs_copybin_text(cs_copybuf *c, const char *s); /* NULL -> NULL */
void cs_copybin_int4(cs_copybuf *c, int32_t v);
void cs_copybin_int8(cs_copybuf *c, int64_t v);
void cs_copybin_null(cs_copybuf *c);
/* A text[] of n elements (none NULL); n = 0 is '{}'. */
void cs_copybin_text_array(cs_copybuf *c, const char *const *items, size_t n);
void cs_copybin_int4_array(cs_copybuf *c, const int32_t *v, size_t n);
/* A jsonb value from JSON text (the server still parses the text). */
void cs_copybin_jsonb(cs_copybuf *c, const char *json);

/* Reading a one-dimensional array from a binary-format result
 * (PQexecParams with resultFormat 1): open with the element type's OID
 * (25 text, 23 int4), then next() per element until it returns -1.
 * Elements point into the result; a NULL element has elen -1. */
typedef struct cs_pgarr {
    const unsigned char *p, *end;
    uint32_t n, at;
} cs_pgarr;
int cs_pgarr_open(cs_pgarr *a, const char *data, int len, uint32_t elemtype);
int cs_pgarr_next(cs_pgarr *a, const char **elem, int *elen);
int32_t cs_pgarr_int4(const char *elem);                       /* an int4 element's value */
void cs_copybin_bytes(cs_copybuf *c, const void *p, size_t n); /* bytea */
void cs_copybin_finish(cs_copybuf *c);
/* Sends the buffer with `copy_sql` ("COPY t (a,b) FROM STDIN"). */
int cs_copy_send(PGconn *pg, const char *copy_sql, const cs_copybuf *c, char *errbuf, size_t errlen);

/* A bool field (one byte). */
void cs_copybin_bool(cs_copybuf *c, bool v);

/* Binary array parameters, for a batch's rows written by one statement
 * without a staging table: "INSERT ... SELECT * FROM unnest($1::text[],
 * $2::bigint[], ...)". An array element has the form of a binary COPY
 * field, so the rows are written as for COPY (cs_copybin_row, then one
 * cs_copybin_* call per field; no _start, no _finish) and
 * cs_pgbin_columns turns them into one array per column: cols[k] (reset
 * here) becomes a one-dimensional array of elemtypes[k] (CS_PG_TEXT ...),
 * ready for cs_pg_exec_bin. Returns the number of rows, or -1 if a row
 * does not have ncols fields (the caller's bug). */
#define CS_PG_BOOL 16u
#define CS_PG_BYTEA 17u
#define CS_PG_INT8 20u
#define CS_PG_INT4 23u
#define CS_PG_TEXT 25u
#define CS_PG_JSONB 3802u
#define CS_PG_MAX_BIN_PARAMS 32
long cs_pgbin_columns(const cs_copybuf *rows, int ncols, const uint32_t *elemtypes, cs_copybuf *cols);
/* cs_pg_exec with nparams (at most CS_PG_MAX_BIN_PARAMS) parameters in
 * binary format, params[k] holding the k+1th parameter's bytes. */
int cs_pg_exec_bin(PGconn *pg, const char *sql, int nparams, const cs_copybuf *params, PGresult **res, char *errbuf,
                   size_t errlen);

/* Text array literal builder for "= ANY($1::text[])" parameters. */
void cs_pg_text_array(cs_copybuf *out, const char *const *items, size_t n);
/* The same for integers: "{1,-2}", for "$1::bigint[]" and "$1::int[]". */
void cs_pg_int_array(cs_copybuf *out, const int64_t *v, size_t n);

#endif
