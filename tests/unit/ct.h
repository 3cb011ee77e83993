/* ct.h -- the unit tests' tiny harness: CT_TEST functions registered in
 * a table, checks that record the failing expression and go on, and a
 * closing line "N passed, N failed" that CI reads. No allocation, so
 * valgrind sees only the code under test. */
#ifndef CT_H
#define CT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int ct_failed_checks;

#define CT_CHECK(cond)                                                                                                 \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                 \
            ct_failed_checks++;                                                                                        \
        }                                                                                                              \
    } while (0)
#define CT_EQ_INT(a, b)                                                                                                \
    do {                                                                                                               \
        long long ct_a = (long long)(a), ct_b = (long long)(b);                                                        \
        if (ct_a != ct_b) {                                                                                            \
            fprintf(stderr, "  %s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, ct_a, #b, ct_b);     \
            ct_failed_checks++;                                                                                        \
        }                                                                                                              \
    } while (0)
#define CT_EQ_STR(a, b)                                                                                                \
    do {                                                                                                               \
        const char *ct_a = (a), *ct_b = (b);                                                                           \
        if (!ct_a || !ct_b || strcmp(ct_a, ct_b) != 0) {                                                               \
            fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a,                        \
                    ct_a ? ct_a : "(null)", ct_b ? ct_b : "(null)");                                                   \
            ct_failed_checks++;                                                                                        \
        }                                                                                                              \
    } while (0)

typedef struct ct_case {
    const char *name;
    void (*fn)(void);
} ct_case;
#define CT_CASE(fn)                                                                                                    \
    { #fn, fn }

static inline int ct_run(const ct_case *cases, size_t n) {
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        int before = ct_failed_checks;
        cases[i].fn();
        if (ct_failed_checks == before) {
            passed++;
            fprintf(stderr, "ok   %s\n", cases[i].name);
        } else {
            failed++;
            fprintf(stderr, "FAIL %s\n", cases[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
#define CT_MAIN(...)                                                                                                   \
    int main(void) {                                                                                                   \
        static const ct_case cs_[] = {__VA_ARGS__};                                                                    \
        return ct_run(cs_, sizeof cs_ / sizeof cs_[0]);                                                                \
    }

#endif
