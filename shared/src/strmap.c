/* strmap.c -- see strmap.h. Linear probing with FNV-1a; grows at 50 % so
 * probes stay short; no deletion (per-batch maps are cleared whole).
 *
 * Key copies go into chunks rather than one malloc each, and each slot
 * keeps its key's hash: the verifier builds and clears maps of thousands
 * of keys per batch, and a strdup and a free per key (and the heap
 * consolidation they caused) showed in its profile. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cs/strmap.h"
#include "cs/util.h"

struct cs_strmap_chunk {
    cs_strmap_chunk *next;
    size_t used, cap;
    char data[];
};

/* The first chunk of a map stays below glibc's large-request size (1 KB):
 * a large malloc while freed small chunks wait in the fast bins makes
 * glibc consolidate the whole heap first, and the timers' per-round maps
 * hold a handful of keys. Later chunks double. */
/* reset() keeps tables up to this many slots (3 x 8 bytes each) */
#define STRMAP_KEEP_SLOTS 65536

#define CHUNK_MIN (1000 - sizeof(cs_strmap_chunk))

static uint64_t strmapHash(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static char *keyCopy(cs_strmap *m, const char *key) {
    size_t n = strlen(key) + 1;
    cs_strmap_chunk *c = m->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        if (c && c->cap * 2 > cap && c->cap < (size_t)1 << 20)
            cap = c->cap * 2; /* fewer, larger chunks as a map grows */
        c = cs_xmalloc(sizeof *c + cap);
        c->next = m->chunks;
        c->used = 0;
        c->cap = cap;
        m->chunks = c;
    }
    char *k = c->data + c->used;
    memcpy(k, key, n);
    c->used += n;
    return k;
}

void cs_strmap_init(cs_strmap *m) { memset(m, 0, sizeof *m); }

void cs_strmap_clear(cs_strmap *m) {
    for (cs_strmap_chunk *c = m->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(m->keys);
    free(m->vals);
    free(m->hashes);
    memset(m, 0, sizeof *m);
}

void cs_strmap_reset(cs_strmap *m) {
    /* a table more than 8 times what this use filled (a backlog's batch
     * before a run of small ones) is given back, so that what a map keeps
     * follows its recent uses; the first tables stay */
    if (m->cap > STRMAP_KEEP_SLOTS || (m->cap > 1024 && m->len * 8 < m->cap)) {
        cs_strmap_clear(m);
        return;
    }
    if (m->cap) memset(m->keys, 0, m->cap * sizeof *m->keys);
    m->len = 0;
    /* keep the newest (largest) chunk, emptied */
    cs_strmap_chunk *keep = m->chunks;
    if (keep) {
        for (cs_strmap_chunk *c = keep->next, *next; c; c = next) {
            next = c->next;
            free(c);
        }
        keep->next = NULL;
        keep->used = 0;
    }
}

void *cs_strmap_get(const cs_strmap *m, const char *key) {
    if (!m->cap) return NULL;
    uint64_t h = strmapHash(key);
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i]) return NULL;
        if (m->hashes[i] == h && strcmp(m->keys[i], key) == 0) return m->vals[i];
    }
}

static void strmapInsert(cs_strmap *m, char *key, uint64_t h, void *val) {
    size_t i = h & (m->cap - 1);
    while (m->keys[i]) i = (i + 1) & (m->cap - 1);
    m->keys[i] = key;
    m->vals[i] = val;
    m->hashes[i] = h;
}

void cs_strmap_put(cs_strmap *m, const char *key, void *val) {
    uint64_t h = strmapHash(key);
    if (m->cap) {
        for (size_t i = h & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
            if (m->hashes[i] == h && strcmp(m->keys[i], key) == 0) {
                m->vals[i] = val;
                return;
            }
    }
    if (2 * (m->len + 1) > m->cap) {
        cs_strmap old = *m;
        m->cap = old.cap ? 2 * old.cap : 64;
        m->keys = cs_xcalloc(m->cap, sizeof *m->keys);
        m->vals = cs_xcalloc(m->cap, sizeof *m->vals);
        m->hashes = cs_xmalloc(m->cap * sizeof *m->hashes);
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i]) strmapInsert(m, old.keys[i], old.hashes[i], old.vals[i]);
        free(old.keys);
        free(old.vals);
        free(old.hashes);
    }
    strmapInsert(m, keyCopy(m, key), h, val);
    m->len++;
}
