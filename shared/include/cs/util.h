/* util.h -- small helpers every module uses: allocation that aborts on
 * out-of-memory (STYLE.md: "Out of memory aborts"), so callers never
 * carry a NULL check for malloc, and a bounded string copy. */
#ifndef CS_UTIL_H
#define CS_UTIL_H

#include <stddef.h>

/* malloc/calloc/realloc/strdup that print a line to stderr and abort()
 * when memory runs out. The caller owns the result and frees it with
 * free(). cs_xmalloc(0) and cs_xcalloc(0, x) return a unique pointer. */
void *cs_xmalloc(size_t n);
void *cs_xcalloc(size_t nmemb, size_t size);
void *cs_xrealloc(void *p, size_t n);
char *cs_xstrdup(const char *s);
/* The n bytes at s (which need not be NUL-terminated) as a string. */
char *cs_xstrndup(const char *s, size_t n);

/* s, or "" for NULL. */
const char *cs_str(const char *s);

/* Copies src into dst (size dstlen), always NUL-terminating when
 * dstlen > 0; returns strlen(src), so a result >= dstlen means the copy
 * was truncated (BSD strlcpy semantics). */
size_t cs_strlcpy(char *dst, const char *src, size_t dstlen);

#endif
