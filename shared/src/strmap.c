/* strmap.c -- see strmap.h. Linear probing with FNV-1a; grows at 50 % so
 * probes stay short; no deletion (per-batch maps are cleared whole). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cs/strmap.h"
#include "cs/util.h"

static uint64_t strmapHash(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ULL; }
    return h;
}

void cs_strmap_init(cs_strmap *m) { memset(m, 0, sizeof *m); }

void cs_strmap_clear(cs_strmap *m) {
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

void *cs_strmap_get(const cs_strmap *m, const char *key) {
    if (!m->cap) return NULL;
    for (size_t i = strmapHash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i]) return NULL;
        if (strcmp(m->keys[i], key) == 0) return m->vals[i];
    }
}

static void strmapInsert(char **keys, void **vals, size_t cap, char *key, void *val) {
    size_t i = strmapHash(key) & (cap - 1);
    while (keys[i]) i = (i + 1) & (cap - 1);
    keys[i] = key;
    vals[i] = val;
}

void cs_strmap_put(cs_strmap *m, const char *key, void *val) {
    if (m->cap) {
        for (size_t i = strmapHash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
            if (strcmp(m->keys[i], key) == 0) { m->vals[i] = val; return; }
    }
    if (2 * (m->len + 1) > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        char **keys = cs_xcalloc(cap, sizeof *keys);
        void **vals = cs_xcalloc(cap, sizeof *vals);
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i]) strmapInsert(keys, vals, cap, m->keys[i], m->vals[i]);
        free(m->keys);
        free(m->vals);
        m->keys = keys;
        m->vals = vals;
        m->cap = cap;
    }
    strmapInsert(m->keys, m->vals, m->cap, cs_xstrdup(key), val);
    m->len++;
}
