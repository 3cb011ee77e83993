/* cscli.h -- the operator CLI (CONTRACTS.md "cscli"): commands as library
 * functions so the unit tests can drive them, main.c only calls
 * cscli_main().
 *
 * Every command takes --json (one JSON document on stdout) and --help, and
 * ends with one of the contract's exit codes. A command checks all of its
 * arguments before it touches a backend, so a usage error never waits on a
 * dead server. Diagnostics go to stderr as "cscli: ..." lines; with --json
 * an error is also printed as {"error":{"code":N,"message":"..."}} on
 * stdout so a script always has a document to read. */
#ifndef CSCLI_H
#define CSCLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include <libpq-fe.h>

#include "cs/config.h"

/* Exit codes (CONTRACTS.md). */
enum {
    CSCLI_OK = 0,        /* done */
    CSCLI_NOT_FOUND = 1, /* the thing asked about does not exist */
    CSCLI_USAGE = 2,     /* bad arguments or bad CS_* environment */
    CSCLI_BACKEND = 3,   /* PostgreSQL, Redis or Kafka unreachable or failing */
};

/* The zone times are shown and read in when no --tz is given: the default
 * shop zone. */
#define CSCLI_DEFAULT_TZ "Asia/Shanghai"

/* One invocation. */
typedef struct cscli {
    FILE *out;       /* results: tables or the JSON document; the escaping stream (escape.c) over the caller's */
    FILE *err;       /* diagnostics and usage text (not owned) */
    bool json;       /* --json: machine-readable output */
    cs_config cfg;   /* CS_* settings, valid once cfg_loaded */
    bool cfg_loaded; /* cscli_load_config() succeeded */
    char **fields;   /* cscli_field() results, owned, freed when the command ends */
    size_t nfields;  /* entries in fields */
} cscli;

/* ---- argument parsing (util.c) ------------------------------------------ */

/* One accepted option. Exactly one of flag / value is set. */
typedef struct cscli_opt {
    const char *name;   /* long form with dashes, "--json" */
    bool *flag;         /* set true when present (takes no value) */
    const char **value; /* receives the value ("--tz X" or "--tz=X") */
} cscli_opt;

/* Splits argv[0..argc) into options from opts and positionals (at most
 * maxpos, in *npos). "-h" is "--help" when opts has "--help"; "--" ends
 * the options. Returns 0, or -1 with the reason (unknown option, missing
 * value, too many arguments). Pointers stored point into argv. */
int cscli_parse_args(int argc, char **argv, const cscli_opt *opts, size_t nopts, const char **pos, int maxpos,
                     int *npos, char *errbuf, size_t errlen);

/* "90s", "15m", "2h", "1d", or a sum like "1h30m": one or more <digits><unit>
 * with unit s, m, h or d, at most 3650 days in all. Returns 0 with the
 * milliseconds, or -1. */
int cscli_parse_duration(const char *s, int64_t *ms);

/* "<shop>:<order>" split at the first ':'; both parts non-empty and fit.
 * Returns 0 or -1. */
int cscli_parse_order_key(const char *s, char *shop, size_t shoplen, char *order, size_t orderlen);

/* A positive integer (1..max) from text; 0 or -1. */
int cscli_parse_int(const char *s, int max, int *out);

/* ---- output (util.c) ---------------------------------------------------- */

/* Reports an error and returns code: "cscli: <message>" on err, plus the
 * JSON error document on out with --json. */
int cscli_fail(cscli *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A usage error: the message, then "usage: ..." (usage text) on err;
 * returns CSCLI_USAGE. */
int cscli_usage_error(cscli *c, const char *usage, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prints doc as one line of JSON on out and frees it (takes ownership). */
void cscli_print_json(cscli *c, cJSON *doc);
/* Loads the CS_* settings once; on a bad value reports it and returns
 * CSCLI_USAGE, else CSCLI_OK. */
int cscli_load_config(cscli *c);

/* PostgreSQL for every command: a connection to CS_PG_DSN (3 s connect
 * timeout, application name cscli), or NULL with libpq's reason on one
 * line in err; a statement that must return rows or succeed, or NULL with
 * the server's reason on one line. */
PGconn *cscli_pg_connect(cscli *c, char *err, size_t errlen);
PGresult *cscli_pg_run(PGconn *pg, const char *sql, int n, const char *const *p, char *err, size_t errlen);
/* libpq's messages end in newlines and may span lines: one line here. */
void cscli_one_line(const char *in, char *out, size_t len);
/* Adds an int64 as a JSON number (exact up to 2^53: every ms and fen). */
void cscli_json_int(cJSON *obj, const char *name, int64_t v);

/* A text table printed with aligned columns (display width aware: CJK
 * characters take two cells). Cells are copied, escaped whole
 * (CSCLI_ESC_FIELD): a line feed in a value shows as \n, never a new row. */
typedef struct cscli_table cscli_table;
cscli_table *cscli_table_new(int ncols);
void cscli_table_free(cscli_table *t);     /* accepts NULL */
void cscli_table_row(cscli_table *t, ...); /* ncols const char * ("-" for NULL) */
void cscli_table_print(const cscli_table *t, FILE *out, const char *indent);
/* Display width of UTF-8 text in terminal cells. */
size_t cscli_text_width(const char *s);

/* ---- terminal safety (escape.c) ------------------------------------------ */

/* How text from outside is made safe to print (escape.c says what is
 * escaped and why). */
typedef enum cscli_esc {
    CSCLI_ESC_FIELD, /* one value: every control escaped, LF and TAB too (\n, \t) */
    CSCLI_ESC_LINES, /* cscli's own lines: LF kept, the rest as FIELD */
    CSCLI_ESC_JSON,  /* a printed JSON document: LF kept, \u0000-style escapes, U+FFFD for non-UTF-8 */
} cscli_esc;

/* Escapes n bytes of in (NULs included). Returns a malloc'd NUL-terminated
 * string the caller frees. Printable text and Chinese come out unchanged;
 * escaping the result again changes nothing. */
char *cscli_escape(const char *in, size_t n, cscli_esc mode);
/* How many leading bytes of in[0..n) are whole: n less a well-formed UTF-8
 * sequence the end cuts short (the next bytes may complete it). */
size_t cscli_escape_whole(const char *in, size_t n);
/* A stream that escapes everything written to it (CSCLI_ESC_LINES, or
 * CSCLI_ESC_JSON while *json) and passes it on to raw. fclose() flushes it
 * into raw and leaves raw open. Neither pointer is owned. */
FILE *cscli_safe_stream(FILE *raw, const bool *json);
/* A value from outside escaped whole (CSCLI_ESC_FIELD) for printing inside
 * a line; "-" for NULL or "". The string belongs to c until the command
 * ends. */
const char *cscli_field(cscli *c, const char *s);

/* ---- commands ----------------------------------------------------------- */

/* argv[0] is the command word ("clock"); return an exit code. */
int cscli_cmd_clock(cscli *c, int argc, char **argv);
int cscli_cmd_order(cscli *c, int argc, char **argv);
int cscli_cmd_topics(cscli *c, int argc, char **argv);
int cscli_cmd_timers(cscli *c, int argc, char **argv);
int cscli_cmd_messages(cscli *c, int argc, char **argv);
int cscli_cmd_tasks(cscli *c, int argc, char **argv);
int cscli_cmd_exceptions(cscli *c, int argc, char **argv);
int cscli_cmd_cases(cscli *c, int argc, char **argv);
int cscli_cmd_finance(cscli *c, int argc, char **argv);
int cscli_cmd_decisions(cscli *c, int argc, char **argv);
int cscli_cmd_report(cscli *c, int argc, char **argv);
int cscli_cmd_pii(cscli *c, int argc, char **argv);

/* ---- list commands (list.c) ---------------------------------------------- */

typedef enum cscli_col_type {
    CSCLI_COL_TEXT, /* as is */
    CSCLI_COL_INT,  /* JSON number */
    CSCLI_COL_MS,   /* business time: ISO-8601 in the zone / JSON ms */
    CSCLI_COL_BOOL, /* yes/no / JSON bool */
    CSCLI_COL_FEN,  /* yuan "12.34" / JSON integer fen */
    CSCLI_COL_MASK, /* text with phone numbers masked (138****8000) in both */
} cscli_col_type;

typedef struct cscli_col {
    const char *name; /* column header and JSON key */
    cscli_col_type type;
} cscli_col;

/* Runs sql (text params; at most 16 columns, in cols' order) read-only
 * against CS_PG_DSN and prints the rows: a table, or with --json
 * {"<json_key>": [...], "count": N}. tzname NULL = Asia/Shanghai. Returns
 * the exit code (3 when PostgreSQL is down or refuses the query). */
int cscli_list_query(cscli *c, const char *sql, int nparams, const char *const *params, const cscli_col *cols,
                     int ncols, const char *tzname, const char *json_key);
/* The same with one extra string fact about the list (extra_key NULL =
 * none): a member of the JSON document, and a last line "<key>: <value>"
 * for people. */
int cscli_list_query_extra(cscli *c, const char *sql, int nparams, const char *const *params, const cscli_col *cols,
                           int ncols, const char *tzname, const char *json_key, const char *extra_key,
                           const char *extra_value);

/* The arguments every `<thing> list` command shares: list [--open]
 * [--shop S] [--order SHOP:ORDER] [--limit N] [--tz ZONE] [--json]
 * [--help], plus one command-specific valued option (extra_opt, e.g.
 * "--shift"; NULL = none). */
typedef struct cscli_list_args {
    bool open;
    const char *shop, *order, *tzname, *extra;
    char order_shop[256], order_id[256]; /* --order split; "" when absent */
    char limit[16];                      /* --limit as text, default "100" */
} cscli_list_args;

/* Parses them for command `what` (argv[0] is the command). Returns -1 when
 * parsed (go on), else the exit code to return: CSCLI_OK after --help, the
 * usage error otherwise. */
int cscli_list_args_parse(cscli *c, int argc, char **argv, const char *what, const char *usage, const char *extra_opt,
                          cscli_list_args *a);

/* The whole CLI: global options, dispatch, exit code. */
int cscli_main(int argc, char **argv, FILE *out, FILE *err);

#endif
