/* util.c -- allocation helpers that abort on out-of-memory and a bounded
 * string copy (see cs/util.h). Out of memory is not a condition the
 * workers can recover from meaningfully, so it stops the process loudly
 * instead of threading NULL checks through every caller. */
#include "cs/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n) {
    fprintf(stderr, "cs: out of memory allocating %zu bytes\n", n);
    abort();
}

void *cs_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *cs_xcalloc(size_t nmemb, size_t size) {
    if (nmemb == 0 || size == 0) nmemb = size = 1;
    void *p = calloc(nmemb, size);
    if (!p) oom(nmemb * size);
    return p;
}

void *cs_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *cs_xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = cs_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

char *cs_xstrndup(const char *s, size_t n) {
    char *p = cs_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

size_t cs_strlcpy(char *dst, const char *src, size_t dstlen) {
    size_t n = strlen(src);
    if (dstlen > 0) {
        size_t c = n < dstlen - 1 ? n : dstlen - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

const char *cs_str(const char *s) { return s ? s : ""; }
