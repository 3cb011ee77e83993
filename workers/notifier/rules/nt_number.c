/* nt_number.c -- one canonical spelling per recipient, so that NT-3's
 * count and NT-4's opt-out find the same number however a platform, an
 * agent or the buyer's own reply wrote it.
 *
 * A mainland mobile is 11 digits starting with 1; the country prefix
 * (+86, 0086, 86) and separators are dropped and full-width digits folded
 * (NFKC, through cs_text_normalize). A string of digits of another length
 * (a landline) keeps its digits. Anything with letters is an IM handle and
 * is kept as given, trimmed: handles are case-sensitive on some platforms. */
#include "nt_rules.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cs/text.h"

static bool allDigits(const char *s) {
    if (!*s) return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return false;
    return true;
}

int nt_number_canon(const char *in, char *out, size_t outlen) {
    if (!in || !outlen) return -1;
    char norm[128];
    if (cs_text_normalize(in, norm, sizeof norm) >= 0 && allDigits(norm)) {
        const char *d = norm;
        size_t n = strlen(d);
        if (n == 15 && strncmp(d, "0086", 4) == 0)
            d += 4;
        else if (n == 13 && strncmp(d, "86", 2) == 0)
            d += 2;
        if (strlen(d) == 11 && d[0] == '1') return (size_t)snprintf(out, outlen, "%s", d) < outlen ? 0 : -1;
        return (size_t)snprintf(out, outlen, "%s", norm) < outlen ? 0 : -1;
    }
    /* an IM handle: trimmed, as given */
    const char *b = in;
    while (*b && isspace((unsigned char)*b)) b++;
    size_t n = strlen(b);
    while (n && isspace((unsigned char)b[n - 1])) n--;
    if (n == 0 || n >= outlen) return -1;
    memcpy(out, b, n);
    out[n] = '\0';
    return 0;
}
