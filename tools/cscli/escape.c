/* escape.c -- what cscli prints cannot drive the operator's terminal
 * (issue "Hardening", finding 1).
 *
 * cscli shows text that comes from outside: buyer messages, receiver
 * names, seller memos, SKUs, titles, platform ids, server error messages.
 * Printed raw, "\x1b[1A\x1b[2Kfake line: state VERIFIED" in a buyer message
 * moves the cursor up, erases a line and forges another; a right-to-left
 * override (U+202E) reorders what follows it; a CR rewrites the line from
 * its start. So every such character is shown as an escape people can
 * read instead: C0 controls and DEL as \xNN (\n, \r, \t by name), C1
 * controls (U+0080..U+009F) and the bidirectional controls (U+202A..U+202E,
 * U+2066..U+2069, U+200E, U+200F, U+061C) and the line and paragraph
 * separators (U+2028, U+2029: some viewers break lines there) as \u plus 4 hex digits,
 * and every byte that is not part of well-formed UTF-8 (Unicode 15, table
 * 3-7: no overlongs, no surrogates, nothing above U+10FFFF) as \xNN.
 * Everything else -- Chinese text above all -- is printed as it is, and so
 * is the backslash: the human output is for reading, and --json gives the
 * exact value when it matters. What comes out is printable ASCII plus safe
 * UTF-8, so escaping twice changes nothing: a table cell escaped when it
 * is added passes the stream below untouched.
 *
 * It is done once, where all commands meet: cscli_main() puts
 * cscli_safe_stream() between every command and its stdout, so no command,
 * today's or a future one, can print a raw control whatever it formats.
 * That stream keeps LF (cscli ends its own lines with it) and escapes the
 * rest. An LF inside one value cannot be told from cscli's own there, so
 * values are escaped whole (LF too) where they are placed: table cells
 * (cscli_table_row), error messages (cscli_fail) and the few values
 * printed straight into a line (cscli_field). While --json is on the
 * stream switches to JSON's own escapes (\u007f, \u009b, \u202e; U+FFFD for
 * a byte that is not UTF-8, which JSON cannot carry): the document keeps
 * its values and stays printable on a terminal. */
#include "cscli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cs/util.h"

/* The length of the well-formed UTF-8 sequence at p (n bytes left), with
 * its code point in *cp; 0 when p[0] cannot start one; -1 when the bytes
 * so far are a valid start that the end of the input cut short. */
static int utf8Unit(const unsigned char *p, size_t n, unsigned *cp) {
    unsigned char b = p[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    int len;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        if (b == 0xE0) lo = 0xA0; /* no overlongs */
        if (b == 0xED) hi = 0x9F; /* no surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        if (b == 0xF0) lo = 0x90; /* no overlongs */
        if (b == 0xF4) hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 0; /* 80..C1 (continuations, overlong leads), F5..FF */
    }
    unsigned v = b & (0x7Fu >> len);
    for (int k = 1; k < len; k++) {
        if ((size_t)k >= n) return -1;
        unsigned char c = p[k];
        if (k == 1 ? (c < lo || c > hi) : (c & 0xC0) != 0x80) return 0;
        v = v << 6 | (c & 0x3Fu);
    }
    *cp = v;
    return len;
}

/* A code point a terminal obeys or that hides the text's order. */
static bool unsafeCodePoint(unsigned cp) {
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

/* A growing output string. */
typedef struct escBuf {
    char *s;    /* owned, NUL-terminated */
    size_t len; /* bytes before the NUL */
    size_t cap; /* bytes allocated */
} escBuf;

static void escPut(escBuf *b, const char *p, size_t n) {
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap) b->cap = b->cap ? b->cap * 2 : 64;
        b->s = cs_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void escPutf(escBuf *b, const char *fmt, unsigned v) {
    char tmp[16];
    int n = snprintf(tmp, sizeof tmp, fmt, v);
    escPut(b, tmp, (size_t)n);
}

char *cscli_escape(const char *in, size_t n, cscli_esc mode) {
    escBuf b = {NULL, 0, 0};
    escPut(&b, "", 0);
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0;
    while (i < n) {
        /* the run of bytes that need nothing */
        size_t j = i;
        unsigned cp = 0;
        int len = 0;
        while (j < n && (len = utf8Unit(p + j, n - j, &cp)) > 0 &&
               (!unsafeCodePoint(cp) || (cp == '\n' && mode != CSCLI_ESC_FIELD)))
            j += (size_t)len;
        escPut(&b, (const char *)p + i, j - i);
        if (j >= n) break;
        if (len <= 0) {
            /* not UTF-8: one byte, then look again at the next */
            if (mode == CSCLI_ESC_JSON)
                escPut(&b, "\\ufffd", 6);
            else
                escPutf(&b, "\\x%02x", p[j]);
            i = j + 1;
            continue;
        }
        if (mode == CSCLI_ESC_JSON || cp >= 0x80)
            escPutf(&b, "\\u%04x", cp);
        else if (cp == '\n')
            escPut(&b, "\\n", 2);
        else if (cp == '\r')
            escPut(&b, "\\r", 2);
        else if (cp == '\t')
            escPut(&b, "\\t", 2);
        else
            escPutf(&b, "\\x%02x", cp);
        i = j + (size_t)len;
    }
    return b.s;
}

size_t cscli_escape_whole(const char *in, size_t n) {
    /* A cut sequence is at most 3 bytes, so only the end is looked at. */
    const unsigned char *p = (const unsigned char *)in;
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned cp;
        if (p[n - back] < 0x80) break;
        if (utf8Unit(p + n - back, back, &cp) == -1) return n - back;
    }
    return n;
}

/* ---- the stream between the commands and stdout ------------------------- */

typedef struct safeStream {
    FILE *raw;        /* where the escaped text goes (not owned) */
    const bool *json; /* the invocation's --json (not owned): JSON escapes while true */
    char carry[4];    /* the start of a UTF-8 sequence cut by stdio's buffer */
    size_t ncarry;    /* bytes in carry */
} safeStream;

static ssize_t safeWrite(void *cookie, const char *buf, size_t size) {
    safeStream *s = cookie;
    size_t n = s->ncarry + size;
    char *all = cs_xmalloc(n ? n : 1);
    memcpy(all, s->carry, s->ncarry);
    memcpy(all + s->ncarry, buf, size);
    size_t whole = cscli_escape_whole(all, n);
    char *esc = cscli_escape(all, whole, *s->json ? CSCLI_ESC_JSON : CSCLI_ESC_LINES);
    s->ncarry = n - whole;
    memcpy(s->carry, all + whole, s->ncarry);
    size_t elen = strlen(esc);
    bool ok = fwrite(esc, 1, elen, s->raw) == elen;
    free(esc);
    free(all);
    return ok ? (ssize_t)size : -1;
}

static int safeClose(void *cookie) {
    safeStream *s = cookie;
    int rc = 0;
    if (s->ncarry) {
        /* the input ended inside a sequence: those bytes are not UTF-8 */
        char *esc = cscli_escape(s->carry, s->ncarry, *s->json ? CSCLI_ESC_JSON : CSCLI_ESC_LINES);
        if (fputs(esc, s->raw) == EOF) rc = EOF;
        free(esc);
    }
    if (fflush(s->raw) != 0) rc = EOF;
    free(s);
    return rc;
}

FILE *cscli_safe_stream(FILE *raw, const bool *json) {
    safeStream *s = cs_xcalloc(1, sizeof *s);
    s->raw = raw;
    s->json = json;
    cookie_io_functions_t io = {.read = NULL, .write = safeWrite, .seek = NULL, .close = safeClose};
    FILE *f = fopencookie(s, "w", io);
    if (!f) {
        fprintf(stderr, "cscli: out of memory opening the output stream\n");
        abort();
    }
    /* A person at a terminal sees each line as it is printed. */
    int fd = fileno(raw);
    if (fd >= 0 && isatty(fd)) setvbuf(f, NULL, _IOLBF, 0);
    return f;
}
