/* log.c -- JSON-lines logging on stderr (see log.h).
 *
 * A line is built whole in memory and handed to the kernel with one
 * write(2), so lines from different threads never interleave (stderr is
 * unbuffered but stdio would still split a long line into several writes).
 * The timestamp is real UTC time with milliseconds, never the business
 * clock: logs say when something happened on this machine.
 *
 * No personal data reaches a line: every value (and the message) passes
 * through cs_mask_phones(); values of keys that name an address (address,
 * receiver, street, ...) go through cs_mask_address() whole, and values of
 * keys that name a phone have their digits masked whole even when the
 * number is malformed. Strings are escaped as JSON; bytes that are not
 * valid UTF-8 become U+FFFD so a line always parses. */
#include "cs/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cs/text.h"
#include "cs/util.h"

static char log_proc[64] = "cs";                /* "proc" of every line; set by init */
static _Atomic int log_min_level = CS_LOG_INFO; /* lines below this are dropped */

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void cs_log_init(const char *proc, const char *level) {
    if (proc && *proc) cs_strlcpy(log_proc, proc, sizeof log_proc);
    int lvl = CS_LOG_INFO;
    if (level) {
        if (strcasecmp(level, "debug") == 0)
            lvl = CS_LOG_DEBUG;
        else if (strcasecmp(level, "warn") == 0 || strcasecmp(level, "warning") == 0)
            lvl = CS_LOG_WARN;
        else if (strcasecmp(level, "error") == 0)
            lvl = CS_LOG_ERROR;
    }
    atomic_store(&log_min_level, lvl);
}

/* ---- a growing line buffer ---------------------------------------------- */

typedef struct linebuf {
    char *p;    /* owned; NUL-terminated */
    size_t len; /* bytes used, without the NUL */
    size_t cap; /* bytes allocated */
} linebuf;

static void lb_reserve(linebuf *b, size_t more) {
    if (b->len + more + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1) cap *= 2;
    b->p = cs_xrealloc(b->p, cap);
    b->cap = cap;
}

static void lb_put(linebuf *b, const char *s, size_t n) {
    lb_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void lb_puts(linebuf *b, const char *s) { lb_put(b, s, strlen(s)); }

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
        if (c == 0xED && s[1] > 0x9F) return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0; /* overlong */
        if (c == 0xF4 && s[1] > 0x8F) return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

/* Appends s as a JSON string literal, quotes included. */
static void lb_json_str(linebuf *b, const char *s) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    lb_put(b, "\"", 1);
    while (*u) {
        unsigned c = *u;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            lb_put(b, e, 2);
            u++;
        } else if (c < 0x20 || c == 0x7f) {
            switch (c) {
                case '\n': lb_put(b, "\\n", 2); break;
                case '\r': lb_put(b, "\\r", 2); break;
                case '\t': lb_put(b, "\\t", 2); break;
                case '\b': lb_put(b, "\\b", 2); break;
                case '\f': lb_put(b, "\\f", 2); break;
                default: {
                    char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                    lb_put(b, e, 6);
                }
            }
            u++;
        } else {
            size_t n = utf8_seq_len(u);
            if (n == 0) {
                lb_put(b, "\\ufffd", 6);
                u++;
            } else {
                lb_put(b, (const char *)u, n);
                u += n;
            }
        }
    }
    lb_put(b, "\"", 1);
}

/* ---- masking ------------------------------------------------------------ */

static bool key_is_address(const char *k) {
    return strcasestr(k, "address") || strcasestr(k, "receiver") || strcasestr(k, "street");
}

static bool key_is_phone(const char *k) {
    return strcasestr(k, "phone") || strcasecmp(k, "mobile") == 0 || strcasecmp(k, "tel") == 0 ||
           strcasecmp(k, "to") == 0;
}

/* A phone field masked whole: its ASCII digits become '*' except the first
 * 3 and last 4 when there are at least 11 (138****8000), else except the
 * last 2, so even a malformed number never appears in full. */
static void mask_phone_field(const char *in, char *out, size_t outlen) {
    size_t ndig = 0;
    for (const char *p = in; *p; p++) ndig += (*p >= '0' && *p <= '9');
    size_t keep_head = ndig >= 11 ? 3 : 0, keep_tail = ndig >= 11 ? 4 : (ndig > 4 ? 2 : 0);
    size_t i = 0, o = 0;
    for (const char *p = in; *p && o + 1 < outlen; p++) {
        if (*p >= '0' && *p <= '9') {
            out[o++] = (i < keep_head || i >= ndig - keep_tail) ? *p : '*';
            i++;
        } else {
            out[o++] = *p;
        }
    }
    if (outlen) out[o < outlen ? o : outlen - 1] = '\0';
}

/* Appends the masked value for key (key may be NULL: the message). */
static void lb_json_masked(linebuf *b, const char *key, const char *value) {
    if (!value) {
        lb_puts(b, "null");
        return;
    }
    size_t n = strlen(value);
    size_t cap = n * 2 + 64; /* masking never needs more than this */
    char stackbuf[1024];
    char *tmp = cap <= sizeof stackbuf ? stackbuf : cs_xmalloc(cap);
    if (key && key_is_address(key)) {
        cs_mask_address(value, tmp, cap);
    } else if (key && key_is_phone(key)) {
        mask_phone_field(value, tmp, cap);
    } else {
        cs_mask_phones(value, tmp, cap);
    }
    lb_json_str(b, tmp);
    if (tmp != stackbuf) free(tmp);
}

/* ---- lines -------------------------------------------------------------- */

static void format_ts(char *buf, size_t len) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    /* The fields are range-limited by gmtime_r; unsigned short casts let
     * the compiler see that the text fits. */
    snprintf(buf, len, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", (unsigned short)(tm.tm_year + 1900),
             (unsigned char)(tm.tm_mon + 1), (unsigned char)tm.tm_mday, (unsigned char)tm.tm_hour,
             (unsigned char)tm.tm_min, (unsigned char)tm.tm_sec, (unsigned short)(ts.tv_nsec / 1000000L));
}

/* Writes the whole buffer to fd 2; a short write (a very long line on a
 * pipe) is continued, EINTR retried, other errors dropped: logging never
 * stops the process. */
static void write_all(const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void emit(cs_log_level lvl, const char *msg, const char *const *kv) {
    char ts[40];
    format_ts(ts, sizeof ts);
    linebuf b = {0};
    lb_reserve(&b, 256);
    lb_puts(&b, "{\"ts\":\"");
    lb_puts(&b, ts);
    lb_puts(&b, "\",\"level\":\"");
    lb_puts(&b, level_names[lvl]);
    lb_puts(&b, "\",\"proc\":");
    lb_json_str(&b, log_proc);
    lb_puts(&b, ",\"msg\":");
    lb_json_masked(&b, NULL, msg ? msg : "");
    for (size_t i = 0; kv && kv[i]; i += 2) {
        lb_put(&b, ",", 1);
        lb_json_str(&b, kv[i]);
        lb_put(&b, ":", 1);
        lb_json_masked(&b, kv[i], kv[i + 1]);
        if (!kv[i + 1]) break;
    }
    lb_put(&b, "}\n", 2);
    write_all(b.p, b.len);
    free(b.p);
}

static bool level_enabled(cs_log_level lvl) { return (int)lvl >= atomic_load(&log_min_level); }

static cs_log_level clamp_level(cs_log_level lvl) {
    if ((int)lvl < CS_LOG_DEBUG) return CS_LOG_DEBUG;
    if ((int)lvl > CS_LOG_ERROR) return CS_LOG_ERROR;
    return lvl;
}

void cs_log_kv(cs_log_level lvl, const char *msg, const char *const *kv) {
    lvl = clamp_level(lvl);
    if (!level_enabled(lvl)) return;
    emit(lvl, msg, kv);
}

void cs_log(cs_log_level lvl, const char *fmt, ...) {
    lvl = clamp_level(lvl);
    if (!level_enabled(lvl)) return;
    char stackbuf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(stackbuf, sizeof stackbuf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof stackbuf) {
        emit(lvl, stackbuf, NULL);
        return;
    }
    char *big = cs_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    emit(lvl, big, NULL);
    free(big);
}
