/* text.c -- text helpers shared by the rules: OV-9 normalisation, OV-3
 * phone checks, masking for logs, and integer money arithmetic.
 *
 * Unicode work goes through ICU (NFKC, character classes, case folding)
 * rather than hand-made tables: addresses arrive in every width and form
 * buyers' input methods produce ("１２３号Ａ栋", "12３号 a栋"), and OV-9
 * must see them as one. ICU works in UTF-16, so each function converts
 * in, works, and converts out; every buffer is the function's own and
 * freed before it returns. ICU's normaliser instance is a process-wide
 * singleton that ICU builds thread-safely, so everything here is pure and
 * may run on any thread.
 *
 * Money never touches floating point (RULES.md): percentages are computed
 * in integer fen with half-up rounding and saturate instead of wrapping. */
#include "cs/text.h"

#include <assert.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utypes.h>

#include "cs/util.h"

/* ---- ICU plumbing ------------------------------------------------------ */

/* UTF-8 -> NFKC UTF-16. Returns a buffer the caller frees (length in
 * *outlen), or NULL if in is not valid UTF-8. */
static UChar *nfkc_utf16(const char *in, int32_t *outlen) {
    UErrorCode err = U_ZERO_ERROR;
    size_t inlen = strlen(in);
    if (inlen > INT32_MAX / 4) return NULL;
    int32_t n16 = 0;
    u_strFromUTF8(NULL, 0, &n16, in, (int32_t)inlen, &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return NULL;
    UChar *src = cs_xmalloc(sizeof(UChar) * ((size_t)n16 + 1));
    err = U_ZERO_ERROR;
    u_strFromUTF8(src, n16 + 1, NULL, in, (int32_t)inlen, &err);
    if (U_FAILURE(err)) {
        free(src);
        return NULL;
    }

    const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&err);
    if (U_FAILURE(err)) {
        fprintf(stderr, "cs: ICU NFKC data unavailable: %s\n", u_errorName(err));
        abort();
    }
    /* NFKC may expand (e.g. "㍿" -> "株式会社"); preflight on overflow. */
    int32_t cap = n16 + 16;
    UChar *dst = cs_xmalloc(sizeof(UChar) * (size_t)cap);
    int32_t len = unorm2_normalize(nfkc, src, n16, dst, cap, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) {
        free(dst);
        cap = len + 1;
        dst = cs_xmalloc(sizeof(UChar) * (size_t)cap);
        err = U_ZERO_ERROR;
        len = unorm2_normalize(nfkc, src, n16, dst, cap, &err);
    }
    free(src);
    if (U_FAILURE(err)) {
        free(dst);
        return NULL;
    }
    *outlen = len;
    return dst;
}

/* True for code points OV-9 drops: whitespace, punctuation (P*), separators
 * (Z*), symbols (S*: "+", "~", "¥", "★") and invisible controls and format
 * characters (Cc, Cf: zero-width space, BOM), which only differ between
 * copies of one address by how it was typed. */
static bool ov9_drop(UChar32 c) {
    if (u_isspace(c) || u_ispunct(c)) return true;
    uint32_t mask = U_GET_GC_MASK(c);
    return (mask & (U_GC_P_MASK | U_GC_Z_MASK | U_GC_S_MASK | U_GC_CC_MASK | U_GC_CF_MASK)) != 0;
}

/* ---- OV-9 -------------------------------------------------------------- */

/* Which ASCII characters ov9_drop() drops, asked of ICU once. */
static bool asciiDrop[128];
static pthread_once_t asciiDropOnce = PTHREAD_ONCE_INIT;
static void asciiDropInit(void) {
    for (int c = 0; c < 128; c++) asciiDrop[c] = ov9_drop(c);
}

/* The common case without ICU: text made only of ASCII and CJK Unified
 * Ideographs (U+4E00..U+9FFF), which is how most addresses arrive. NFKC
 * leaves both unchanged and composes neither with its neighbours (there
 * are no combining marks in such text), the ideographs have no case and
 * are letters (or unassigned), so the result is the text with the ASCII
 * characters ov9_drop() names removed and A-Z folded to a-z, the same
 * bytes the ICU path gives (test_text checks every code point of both
 * ranges). Returns the length, -1 if out is too small, or -2 if the text
 * holds anything else and must go through ICU. */
static int quickNormalize(const char *in, char *out, size_t outlen) {
    pthread_once(&asciiDropOnce, asciiDropInit);
    const unsigned char *p = (const unsigned char *)in;
    size_t w = 0;
    while (*p) {
        if (*p < 0x80) {
            if (!asciiDrop[*p]) {
                if (w + 1 >= outlen) return -1;
                out[w++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p);
            }
            p++;
            continue;
        }
        if ((p[0] & 0xF0) != 0xE0 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return -2;
        uint32_t c = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (uint32_t)(p[2] & 0x3F);
        if (c < 0x4E00 || c > 0x9FFF) return -2;
        if (w + 3 >= outlen) return -1;
        memcpy(out + w, p, 3);
        w += 3;
        p += 3;
    }
    if (outlen == 0) return -1;
    out[w] = '\0';
    return (int)w;
}

int cs_text_normalize(const char *in, char *out, size_t outlen) {
    if (!in) return -1;
    int quick = quickNormalize(in, out, outlen);
    if (quick != -2) {
        if (quick < 0 && outlen) out[0] = '\0';
        return quick;
    }
    return cs_text_normalize_icu(in, out, outlen);
}

int cs_text_normalize_icu(const char *in, char *out, size_t outlen) {
    if (!in) return -1;
    int32_t n = 0;
    UChar *s = nfkc_utf16(in, &n);
    if (!s) return -1;

    /* Filter in place; a kept code point never moves forward. */
    int32_t w = 0;
    for (int32_t i = 0; i < n;) {
        int32_t start = i;
        UChar32 c;
        U16_NEXT(s, i, n, c);
        if (ov9_drop(c)) continue;
        for (int32_t k = start; k < i; k++) s[w++] = s[k];
    }

    if (w > (INT32_MAX - 1) / 3) {
        free(s);
        return -1;
    }
    UErrorCode err = U_ZERO_ERROR;
    int32_t cap = w * 3 + 1; /* full folding expands at most threefold */
    UChar *folded = cs_xmalloc(sizeof(UChar) * (size_t)cap);
    int32_t flen = u_strFoldCase(folded, cap, s, w, U_FOLD_CASE_DEFAULT, &err);
    free(s);
    if (U_FAILURE(err)) {
        free(folded);
        return -1;
    }

    int32_t need = 0;
    err = U_ZERO_ERROR;
    int32_t dstcap = outlen > INT32_MAX ? INT32_MAX : (int32_t)outlen;
    u_strToUTF8(out, dstcap, &need, folded, flen, &err);
    free(folded);
    /* need must leave room for the NUL; U_STRING_NOT_TERMINATED_WARNING
     * means it did not. */
    if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING || (size_t)need >= outlen) {
        if (outlen) out[0] = '\0';
        return -1;
    }
    return need;
}

/* ---- OV-3 phones ------------------------------------------------------- */

static bool all_digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static bool mobile_ok(const char *s) {
    return strlen(s) == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && all_digits(s, 11);
}

/* 0 + 2..3 digit area code, optional '-', 7..8 digits, optional "-ext"
 * (1..6 digits): "0571-88886666", "01066668888", "0571-88886666-123". */
static bool landline_ok(const char *s) {
    if (s[0] != '0') return false;
    size_t len[3];
    int np = 0;
    for (const char *p = s;; np++) {
        if (np == 3) return false;
        const char *d = strchr(p, '-');
        len[np] = d ? (size_t)(d - p) : strlen(p);
        if (len[np] == 0 || !all_digits(p, len[np])) return false;
        if (!d) {
            np++;
            break;
        }
        p = d + 1;
    }
    bool split = len[0] >= 3 && len[0] <= 4;    /* area code, then '-' */
    bool joined = len[0] >= 10 && len[0] <= 12; /* area code and number */
    if (np == 1) return joined;
    bool ext_ok = len[np - 1] <= 6;
    if (np == 2) return (split && len[1] >= 7 && len[1] <= 8) || (joined && ext_ok);
    return split && len[1] >= 7 && len[1] <= 8 && ext_ok;
}

bool cs_phone_valid(const char *phone) {
    if (!phone) return false;
    int32_t n = 0;
    UChar *s = nfkc_utf16(phone, &n);
    if (!s) return false;
    char a[40];
    size_t k = 0;
    bool ok = true;
    for (int32_t i = 0; i < n && ok;) {
        UChar32 c;
        U16_NEXT(s, i, n, c);
        if (u_isspace(c)) continue;
        if (c > 0x7f || k + 1 >= sizeof a)
            ok = false;
        else
            a[k++] = (char)c;
    }
    free(s);
    if (!ok || k == 0) return false;
    a[k] = '\0';

    const char *p = a;
    bool intl = false;
    if (strncmp(p, "+86", 3) == 0)
        p += 3, intl = true;
    else if (strncmp(p, "0086", 4) == 0)
        p += 4, intl = true;
    if (intl) {
        if (*p == '-') p++;
        return mobile_ok(p);
    }
    return mobile_ok(p) || landline_ok(p);
}

/* ---- masking for logs -------------------------------------------------- */

/* Appends whole pieces to a fixed buffer; once a piece does not fit the
 * output stops there (never mid-character). */
typedef struct mwriter {
    char *out;  /* destination */
    size_t cap; /* its size */
    size_t len; /* bytes written */
    bool full;  /* a piece did not fit */
} mwriter;

static void mw_put(mwriter *w, const char *p, size_t n) {
    if (w->full) return;
    if (w->len + n + 1 > w->cap) {
        w->full = true;
        return;
    }
    memcpy(w->out + w->len, p, n);
    w->len += n;
    w->out[w->len] = '\0';
}

/* Byte length of the digit at s ("0".."9" or full-width "０".."９"), or 0. */
static size_t digit_len(const char *s, char *ascii) {
    if (*s >= '0' && *s <= '9') {
        if (ascii) *ascii = *s;
        return 1;
    }
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) {
        if (ascii) *ascii = (char)('0' + (u[2] - 0x90));
        return 3;
    }
    return 0;
}

/* A run of digits at s: its end and its digits (ASCII, up to 31). */
typedef struct digit_run {
    const char *start;
    const char *end;
    char digits[32];
    size_t n; /* digit count (may exceed what digits holds) */
} digit_run;

static void scan_run(const char *s, digit_run *r) {
    r->start = s;
    r->n = 0;
    char c;
    size_t l;
    while ((l = digit_len(s, &c)) > 0) {
        if (r->n < sizeof r->digits - 1) r->digits[r->n] = c;
        r->n++;
        s += l;
    }
    r->digits[r->n < sizeof r->digits ? r->n : sizeof r->digits - 1] = '\0';
    r->end = s;
}

/* Copies digits [from, to) of the runs, masking those with index in
 * [keep_head, total - keep_tail), separators kept as they are. */
static void put_masked(mwriter *w, const char *from, const char *to, size_t keep_head, size_t keep_tail, size_t total) {
    size_t idx = 0;
    for (const char *p = from; p < to;) {
        size_t l = digit_len(p, NULL);
        if (l == 0) {
            mw_put(w, p, 1);
            p++;
            continue;
        }
        if (idx < keep_head || idx >= total - keep_tail)
            mw_put(w, p, l);
        else
            mw_put(w, "*", 1);
        idx++;
        p += l;
    }
}

static bool is_sep(char c) { return c == '-' || c == ' '; }

void cs_mask_phones(const char *in, char *out, size_t outlen) {
    if (outlen == 0) return;
    mwriter w = {out, outlen, 0, false};
    out[0] = '\0';
    if (!in) return;
    const char *p = in;
    bool prev_digit = false;
    while (*p && !w.full) {
        if (prev_digit || digit_len(p, NULL) == 0) {
            size_t l = digit_len(p, NULL);
            prev_digit = l > 0;
            if (!l) l = 1;
            mw_put(&w, p, l);
            p += l;
            continue;
        }
        /* Up to three digit groups joined by single '-' or ' '. */
        digit_run g[3];
        int ng = 0;
        const char *q = p;
        scan_run(q, &g[ng++]);
        while (ng < 3 && is_sep(*g[ng - 1].end) && digit_len(g[ng - 1].end + 1, NULL)) {
            scan_run(g[ng - 1].end + 1, &g[ng]);
            ng++;
        }
        bool done = false;
        /* "138 0013 8000", "138-0013-8000" */
        if (ng == 3 && g[0].n == 3 && g[1].n == 4 && g[2].n == 4 && g[0].digits[0] == '1' && *g[0].end == *g[1].end) {
            put_masked(&w, p, g[2].end, 3, 4, 11);
            p = g[2].end;
            done = true;
        }
        /* "0571-88886666", "010 66668888" */
        if (!done && ng >= 2 && g[0].digits[0] == '0' && g[0].n >= 3 && g[0].n <= 4 && g[1].n >= 7 && g[1].n <= 8) {
            size_t total = g[0].n + g[1].n;
            put_masked(&w, p, g[1].end, 3, 2, total);
            p = g[1].end;
            done = true;
        }
        if (!done) {
            const digit_run *r = &g[0];
            size_t head = 0, tail = 0;
            if (r->n == 11 && r->digits[0] == '1')
                head = 3, tail = 4; /* mobile */
            else if (r->n == 13 && strncmp(r->digits, "861", 3) == 0)
                head = 5, tail = 4;
            else if (r->n == 15 && strncmp(r->digits, "00861", 5) == 0)
                head = 7, tail = 4;
            else if (r->n >= 10 && r->n <= 12 && r->digits[0] == '0')
                head = 3, tail = 2;
            if (head)
                put_masked(&w, p, r->end, head, tail, r->n);
            else
                mw_put(&w, p, (size_t)(r->end - p));
            p = r->end;
        }
        prev_digit = true;
    }
}

void cs_mask_address(const char *in, char *out, size_t outlen) {
    if (outlen == 0) return;
    mwriter w = {out, outlen, 0, false};
    out[0] = '\0';
    if (!in || !*in) return;
    const char *p = in;
    for (int chars = 0; *p && chars < 2; chars++) {
        const char *s = p++;
        while ((*p & 0xC0) == 0x80) p++; /* continuation bytes */
        mw_put(&w, s, (size_t)(p - s));
    }
    mw_put(&w, "****", 4);
}

/* ---- money ------------------------------------------------------------- */

int64_t cs_fen_percent_bp(int64_t amount_fen, int bp) {
    /* amount * bp / 10000, half away from zero (half up for amount >= 0),
     * as amount = q * 10000 + r so that nothing overflows but a result
     * that cannot be represented, which saturates. */
    bool neg = (amount_fen < 0) != (bp < 0);
    uint64_t a = amount_fen < 0 ? (uint64_t)0 - (uint64_t)amount_fen : (uint64_t)amount_fen;
    uint64_t b = bp < 0 ? (uint64_t)0 - (uint64_t)(int64_t)bp : (uint64_t)bp;
    uint64_t q = a / 10000, r = a % 10000;
    uint64_t hi;
    uint64_t lo = (r * b + 5000) / 10000; /* r*b < 10000 * 2^31 */
    uint64_t res;
    if (__builtin_mul_overflow(q, b, &hi) || __builtin_add_overflow(hi, lo, &res) || res > (uint64_t)INT64_MAX)
        return neg ? -INT64_MAX : INT64_MAX;
    return neg ? -(int64_t)res : (int64_t)res;
}

void cs_fen_format(int64_t fen, char *buf, size_t len) {
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(buf, len, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", a / 100, a % 100);
}

size_t cs_utf8_char(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    assert(n >= 1);
    if (p[0] < 0x80) return 1;
    size_t k = p[0] >= 0xC2 && p[0] <= 0xDF   ? 2
               : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
               : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
                                              : 0;
    if (k == 0 || k > n) return 0;
    for (size_t i = 1; i < k; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F) || (p[0] == 0xF0 && p[1] < 0x90) ||
        (p[0] == 0xF4 && p[1] > 0x8F))
        return 0;
    return k;
}

size_t cs_utf8_repair(char *s) {
    size_t n = strlen(s), bad = 0;
    for (size_t i = 0; i < n;) {
        size_t k = cs_utf8_char(s + i, n - i);
        if (k) {
            i += k;
            continue;
        }
        s[i++] = '?';
        bad++;
    }
    return bad;
}
