/* strmap.h -- a small open-addressing hash map from strings to pointers,
 * for the per-batch indexes workers build (orders by key, stock by SKU).
 * The map copies keys and owns the copies; values are the caller's. */
#ifndef CS_STRMAP_H
#define CS_STRMAP_H

#include <stddef.h>

typedef struct cs_strmap {
    char **keys;     /* owned copies; NULL = empty slot */
    void **vals;
    size_t cap;      /* power of two */
    size_t len;
} cs_strmap;

void cs_strmap_init(cs_strmap *m);
/* Frees keys and tables (not the values); the map is empty afterwards. */
void cs_strmap_clear(cs_strmap *m);
void *cs_strmap_get(const cs_strmap *m, const char *key);
/* Sets key -> val (replacing). */
void cs_strmap_put(cs_strmap *m, const char *key, void *val);

#endif
