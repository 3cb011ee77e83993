/* test_strmap.c -- the per-batch string map: put, replace, get across
 * growth and chunk boundaries, reset keeping storage, clear. */
#include <stdio.h>
#include <string.h>

#include "cs/strmap.h"
#include "ct.h"

static void test_strmap_put_get_replace_across_growth(void) {
    cs_strmap m;
    cs_strmap_init(&m);
    static int vals[5000];
    char key[64];
    for (int i = 0; i < 5000; i++) {
        /* long keys fill several chunks of key storage */
        snprintf(key, sizeof key, "shop-%d:order-%06d-with-a-longer-suffix", i % 7, i);
        cs_strmap_put(&m, key, &vals[i]);
    }
    CT_EQ_INT(m.len, 5000);
    int bad = 0;
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "shop-%d:order-%06d-with-a-longer-suffix", i % 7, i);
        if (cs_strmap_get(&m, key) != &vals[i]) bad++;
    }
    CT_EQ_INT(bad, 0);
    CT_CHECK(cs_strmap_get(&m, "absent") == NULL);
    cs_strmap_put(&m, "shop-0:order-000000-with-a-longer-suffix", &vals[1]); /* replace */
    CT_CHECK(cs_strmap_get(&m, "shop-0:order-000000-with-a-longer-suffix") == &vals[1]);
    CT_EQ_INT(m.len, 5000);
    cs_strmap_put(&m, "", &vals[2]); /* the empty key is a key */
    CT_CHECK(cs_strmap_get(&m, "") == &vals[2]);
    cs_strmap_clear(&m);
    CT_EQ_INT(m.len, 0);
    CT_CHECK(cs_strmap_get(&m, "") == NULL);
}

static void test_strmap_reset_empties_and_keeps_storage(void) {
    cs_strmap m;
    cs_strmap_init(&m);
    int a = 1, b = 2;
    char key[32];
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof key, "k%d", i);
        cs_strmap_put(&m, key, &a);
    }
    size_t cap = m.cap;
    cs_strmap_reset(&m);
    CT_EQ_INT(m.len, 0);
    CT_EQ_INT(m.cap, cap); /* tables kept */
    CT_CHECK(cs_strmap_get(&m, "k1") == NULL);
    cs_strmap_put(&m, "k1", &b); /* and usable again */
    CT_CHECK(cs_strmap_get(&m, "k1") == &b);
    CT_EQ_INT(m.len, 1);
    cs_strmap_clear(&m);
    cs_strmap_reset(&m); /* on an empty map: nothing to keep */
    CT_EQ_INT(m.cap, 0);
}

/* A backlog's batch grows a table; the small batches after it give it
 * back instead of keeping it for the life of the process. */
static void test_strmap_reset_gives_back_a_table_the_last_use_hardly_filled(void) {
    cs_strmap m;
    cs_strmap_init(&m);
    int a = 1;
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        cs_strmap_put(&m, key, &a);
    }
    size_t big = m.cap;
    cs_strmap_reset(&m); /* this use filled it: kept */
    CT_EQ_INT(m.cap, big);
    for (int i = 0; i < (int)(big / 8) - 1; i++) {
        snprintf(key, sizeof key, "k%d", i);
        cs_strmap_put(&m, key, &a);
    }
    cs_strmap_reset(&m); /* under an eighth of it: given back */
    CT_EQ_INT(m.cap, 0);
    CT_CHECK(m.chunks == NULL);
    cs_strmap_put(&m, "k1", &a);
    CT_CHECK(cs_strmap_get(&m, "k1") == &a);
    cs_strmap_reset(&m); /* a small table stays, however little used */
    CT_CHECK(m.cap > 0);
    cs_strmap_clear(&m);
}

CT_MAIN(CT_CASE(test_strmap_put_get_replace_across_growth), CT_CASE(test_strmap_reset_empties_and_keeps_storage),
        CT_CASE(test_strmap_reset_gives_back_a_table_the_last_use_hardly_filled))
