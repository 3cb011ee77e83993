/* strmap.h -- a small open-addressing hash map from strings to pointers,
 * for the per-batch indexes workers build (orders by key, stock by SKU).
 * The map copies keys and owns the copies; values are the caller's.
 * Iterate with keys[i] / vals[i] for i < cap, skipping NULL keys. */
#ifndef CS_STRMAP_H
#define CS_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct cs_strmap_chunk cs_strmap_chunk;

typedef struct cs_strmap {
    char **keys; /* copies, in chunks the map owns; NULL = empty slot */
    void **vals;
    uint64_t *hashes;
    size_t cap; /* power of two */
    size_t len;
    cs_strmap_chunk *chunks; /* where the key copies live, newest first */
} cs_strmap;

void cs_strmap_init(cs_strmap *m);
/* Frees keys and tables (not the values); the map is empty afterwards. */
void cs_strmap_clear(cs_strmap *m);
/* Empties the map but keeps its tables and one chunk of key storage for
 * the next use (a map refilled batch after batch allocates nothing once
 * warm); a map grown very large, or more than 8 times larger than this
 * use filled, is cleared instead. */
void cs_strmap_reset(cs_strmap *m);
void *cs_strmap_get(const cs_strmap *m, const char *key);
/* Sets key -> val (replacing). */
void cs_strmap_put(cs_strmap *m, const char *key, void *val);

#endif
