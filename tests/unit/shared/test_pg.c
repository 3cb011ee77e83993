/* test_pg.c -- the COPY encoders and array parameters the workers write
 * their rows with: what PostgreSQL reads back as the value. */
#include <stdint.h>
#include <string.h>

#include "cs/pg.h"
#include "ct.h"

static void test_copy_int_edges(void) {
    cs_copybuf c = {0};
    cs_copy_int(&c, 0);
    cs_copy_int(&c, -1);
    cs_copy_int(&c, 1234567890123LL);
    cs_copy_int(&c, INT64_MAX);
    cs_copy_int(&c, INT64_MIN);
    cs_copy_end_row(&c);
    CT_EQ_STR(c.data, "0\t-1\t1234567890123\t9223372036854775807\t-9223372036854775808\n");
    CT_EQ_INT(c.rows, 1);
    cs_copy_free(&c);
}

static void test_copy_text_escapes_only_what_copy_reads_specially(void) {
    cs_copybuf c = {0};
    cs_copy_text(&c, "a\\b\tc\nd\re");
    cs_copy_text(&c, "浙江省 杭州市 ]^_`{|}~");
    cs_copy_text(&c, NULL);
    cs_copy_text(&c, "");
    cs_copy_end_row(&c);
    CT_EQ_STR(c.data, "a\\\\b\\tc\\nd\\re\t浙江省 杭州市 ]^_`{|}~\t\\N\t\n");
    cs_copy_free(&c);
}

static void test_copy_bytea_is_escaped_hex(void) {
    cs_copybuf c = {0};
    const unsigned char b[] = {0x00, 0x0f, 0x10, 0x7f, 0x80, 0xab, 0xff};
    cs_copy_bytea(&c, b, sizeof b);
    cs_copy_bytea(&c, b, 0);
    cs_copy_end_row(&c);
    CT_EQ_STR(c.data, "\\\\x000f107f80abff\t\\\\x\n");
    /* a buffer that has to grow many times keeps every byte */
    cs_copy_reset(&c);
    unsigned char big[5000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (unsigned char)(i * 7);
    cs_copy_bytea(&c, big, sizeof big);
    CT_EQ_INT(c.len, 3 + 2 * sizeof big);
    CT_CHECK(memcmp(c.data + 3 + 2 * 4999, "b1", 2) == 0); /* (4999 * 7) mod 256 = 0xb1 */
    cs_copy_free(&c);
}

/* COPY binary: signature, flags and extension length, then per row the
 * field count and each field as a 4-byte big-endian length (-1 = NULL)
 * and its bytes, then -1 as a 2-byte count. */
static void test_copybin_layout(void) {
    cs_copybuf c = {0};
    cs_copybin_start(&c);
    cs_copybin_row(&c, 4);
    cs_copybin_text(&c, "ov");
    cs_copybin_text(&c, NULL);
    cs_copybin_int4(&c, -2);
    const unsigned char raw[] = {0x00, 0xff};
    cs_copybin_bytes(&c, raw, sizeof raw);
    cs_copybin_finish(&c);
    static const unsigned char want[] = {'P',  'G',  'C',  'O',  'P',  'Y',  '\n', 0xff, '\r', '\n', 0,   0,
                                         0,    0,    0,    0,    0,    0,    0,    0,    4,    0,    0,   0,
                                         2,    'o',  'v',  0xff, 0xff, 0xff, 0xff, 0,    0,    0,    4,   0xff,
                                         0xff, 0xff, 0xfe, 0,    0,    0,    2,    0x00, 0xff, 0xff, 0xff};
    CT_EQ_INT(c.len, sizeof want);
    CT_CHECK(memcmp(c.data, want, sizeof want) == 0);
    CT_EQ_INT(c.rows, 1);
    cs_copy_free(&c);
}

/* int8 big-endian; text[] as array_send writes it: 1 dimension (none
 * when empty), no NULLs, element OID 25, length and lower bound 1, then
 * the elements. */
static void test_copybin_int8_null_and_text_array(void) {
    cs_copybuf c = {0};
    cs_copybin_int8(&c, -3);
    cs_copybin_null(&c);
    const char *codes[] = {"A", "BC"};
    cs_copybin_text_array(&c, codes, 2);
    cs_copybin_text_array(&c, NULL, 0);
    static const unsigned char want[] = {
        0, 0, 0, 8,   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 31, 0, 0,   0,
        1, 0, 0, 0,   0,    0,    0,    0,    25,   0,    0,    0,    2,    0,    0,    0,    1, 0, 0, 0,  1, 'A', 0,
        0, 0, 2, 'B', 'C',  0,    0,    0,    12,   0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0,  25};
    CT_EQ_INT(c.len, sizeof want);
    CT_CHECK(memcmp(c.data, want, sizeof want) == 0);
    /* jsonb: length, format version 1, the JSON text */
    cs_copy_reset(&c);
    cs_copybin_jsonb(&c, "[]");
    static const unsigned char jwant[] = {0, 0, 0, 3, 1, '[', ']'};
    CT_EQ_INT(c.len, sizeof jwant);
    CT_CHECK(memcmp(c.data, jwant, sizeof jwant) == 0);
    cs_copy_free(&c);
}

/* What cs_copybin_*_array writes is what cs_pgarr reads back (the
 * server sends arrays in the same array_send form). */
static void test_pgarr_reads_binary_arrays(void) {
    cs_copybuf c = {0};
    const char *skus[] = {"SKU-A", ""};
    const int32_t qty[] = {2, -7};
    cs_copybin_text_array(&c, skus, 2);
    cs_copybin_int4_array(&c, qty, 2);
    cs_copybin_int4_array(&c, NULL, 0);
    /* each value is a 4-byte length then the array */
    const char *p = c.data;
    cs_pgarr a;
    const char *e;
    int n;
    CT_EQ_INT(cs_pgarr_open(&a, p + 4, (int)(c.len), 25), 0);
    CT_EQ_INT(a.n, 2);
    CT_EQ_INT(cs_pgarr_next(&a, &e, &n), 0);
    CT_EQ_INT(n, 5);
    CT_CHECK(memcmp(e, "SKU-A", 5) == 0);
    CT_EQ_INT(cs_pgarr_next(&a, &e, &n), 0);
    CT_EQ_INT(n, 0);
    CT_EQ_INT(cs_pgarr_next(&a, &e, &n), -1);
    p += 4 + 12 + 8 + 4 + 5 + 4 + 0;
    CT_EQ_INT(cs_pgarr_open(&a, p + 4, 12 + 8 + 16, 25), -1); /* int4[] is not text[] */
    CT_EQ_INT(cs_pgarr_open(&a, p + 4, 12 + 8 + 16, 23), 0);
    CT_EQ_INT(cs_pgarr_next(&a, &e, &n), 0);
    CT_EQ_INT(cs_pgarr_int4(e), 2);
    CT_EQ_INT(cs_pgarr_next(&a, &e, &n), 0);
    CT_EQ_INT(cs_pgarr_int4(e), -7);
    CT_EQ_INT(cs_pgarr_next(&a, &e, &n), -1);
    p += 4 + 12 + 8 + 16;
    CT_EQ_INT(cs_pgarr_open(&a, p + 4, 12, 23), 0); /* empty */
    CT_EQ_INT(a.n, 0);
    CT_EQ_INT(cs_pgarr_next(&a, &e, &n), -1);
    CT_EQ_INT(cs_pgarr_open(&a, p + 4, 8, 23), -1); /* short */
    cs_copy_free(&c);
}

/* Rows written as for COPY become one array_send-form array per column:
 * one dimension of the row count, lower bound 1, the has-nulls flag set
 * where a NULL is, the column's element OID, the fields as elements. */
static void test_pgbin_columns_turns_rows_into_one_array_per_column(void) {
    cs_copybuf rows = {0}, cols[3] = {{0}};
    cs_copybin_row(&rows, 3);
    cs_copybin_text(&rows, "ab");
    cs_copybin_int8(&rows, -2);
    cs_copybin_bool(&rows, true);
    cs_copybin_row(&rows, 3);
    cs_copybin_text(&rows, NULL);
    cs_copybin_int8(&rows, 5);
    cs_copybin_bool(&rows, false);
    static const uint32_t types[3] = {CS_PG_TEXT, CS_PG_INT8, CS_PG_BOOL};
    CT_EQ_INT(cs_pgbin_columns(&rows, 3, types, cols), 2);
    static const unsigned char text[] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0,   0,   25,   0,    0,    0,
                                         2, 0, 0, 0, 1, 0, 0, 0, 2, 'a', 'b', 0xff, 0xff, 0xff, 0xff};
    CT_EQ_INT(cols[0].len, sizeof text);
    CT_CHECK(memcmp(cols[0].data, text, sizeof text) == 0);
    static const unsigned char int8[] = {0,    0,    0, 1, 0, 0, 0, 0, 0, 0,    0,    20,   0,    0,    0,
                                         2,    0,    0, 0, 1, 0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xfe, 0, 0, 0, 8, 0, 0, 0, 0,    0,    0,    0,    5};
    CT_EQ_INT(cols[1].len, sizeof int8);
    CT_CHECK(memcmp(cols[1].data, int8, sizeof int8) == 0);
    static const unsigned char bools[] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0,
                                          2, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0,  0, 1, 0};
    CT_EQ_INT(cols[2].len, sizeof bools);
    CT_CHECK(memcmp(cols[2].data, bools, sizeof bools) == 0);
    /* cs_pgarr reads them back */
    cs_pgarr a;
    const char *e;
    int n;
    CT_EQ_INT(cs_pgarr_open(&a, cols[0].data, (int)cols[0].len, CS_PG_TEXT), 0);
    CT_EQ_INT(a.n, 2);
    CT_EQ_INT(cs_pgarr_next(&a, &e, &n), 0);
    CT_EQ_INT(n, 2);
    CT_EQ_INT(cs_pgarr_next(&a, &e, &n), 0);
    CT_EQ_INT(n, -1);
    /* no rows: arrays of no dimension */
    cs_copy_reset(&rows);
    CT_EQ_INT(cs_pgbin_columns(&rows, 3, types, cols), 0);
    static const unsigned char empty[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20};
    CT_EQ_INT(cols[1].len, sizeof empty);
    CT_CHECK(memcmp(cols[1].data, empty, sizeof empty) == 0);
    /* a row with another field count, or cut short, is refused */
    cs_copybin_row(&rows, 2);
    cs_copybin_text(&rows, "x");
    cs_copybin_int8(&rows, 1);
    CT_EQ_INT(cs_pgbin_columns(&rows, 3, types, cols), -1);
    cs_copy_reset(&rows);
    cs_copybin_row(&rows, 3);
    cs_copybin_text(&rows, "x");
    CT_EQ_INT(cs_pgbin_columns(&rows, 3, types, cols), -1);
    cs_copy_free(&rows);
    for (int k = 0; k < 3; k++) cs_copy_free(&cols[k]);
}

static int setupCalls;
static int countSetup(void *arg, PGconn *pg, char *errbuf, size_t errlen) {
    (void)arg;
    (void)pg;
    (void)errbuf;
    (void)errlen;
    setupCalls++;
    return 0;
}

/* Nothing listening: -1 with the reason, no connection kept, no set-up run. */
static void test_pg_ensure_without_a_server_fails_and_keeps_nothing(void) {
    PGconn *pg = NULL;
    char err[256] = "";
    setupCalls = 0;
    CT_EQ_INT(
        cs_pg_ensure(&pg, "host=127.0.0.1 port=1 dbname=x user=x connect_timeout=2", countSetup, NULL, err, sizeof err),
        -1);
    CT_CHECK(pg == NULL);
    CT_CHECK(strstr(err, "postgres connect") != NULL);
    CT_EQ_INT(setupCalls, 0);
}

/* Array literals for "= ANY($1::text[])" and "$1::bigint[]": every text
 * element quoted, '"' and '\\' escaped; integers at both ends of int64. */
static void test_pg_array_literals(void) {
    cs_copybuf c = {0};
    const char *items[] = {"a", "b\"c\\d", "", "x,y"};
    cs_pg_text_array(&c, items, 4);
    CT_EQ_STR(c.data, "{\"a\",\"b\\\"c\\\\d\",\"\",\"x,y\"}");
    cs_pg_text_array(&c, NULL, 0);
    CT_EQ_STR(c.data, "{}");
    const int64_t v[] = {0, -5, INT64_MAX, INT64_MIN};
    cs_pg_int_array(&c, v, 4);
    CT_EQ_STR(c.data, "{0,-5,9223372036854775807,-9223372036854775808}");
    cs_copy_free(&c);
}

/* A kept buffer follows the recent batches: kept while they fill it,
 * freed after a batch that used under a quarter of it, or when over max. */
static void test_copy_keep_frees_what_the_last_batch_hardly_used(void) {
    cs_copybuf c = {0};
    char chunk[1024];
    memset(chunk, 'x', sizeof chunk - 1);
    chunk[sizeof chunk - 1] = 0;
    for (int i = 0; i < 512; i++) cs_copy_text(&c, chunk); /* ~512 KiB */
    size_t big = c.cap;
    cs_copy_reset(&c); /* the batch reuses it for something smaller */
    cs_copy_text(&c, "small");
    cs_copy_keep(&c, (size_t)4 << 20);
    CT_EQ_INT(c.cap, big); /* its peak filled it: kept */
    cs_copy_reset(&c);
    for (int i = 0; i < 16; i++) cs_copy_text(&c, chunk); /* 16 KiB of it */
    cs_copy_keep(&c, (size_t)4 << 20);
    CT_CHECK(c.data == NULL && c.cap == 0); /* under a quarter: freed */
    for (int i = 0; i < 16; i++) cs_copy_text(&c, chunk);
    cs_copy_reset(&c);
    cs_copy_keep(&c, (size_t)4 << 20);
    CT_CHECK(c.cap > 0); /* small buffers stay, used or not */
    for (int i = 0; i < 512; i++) cs_copy_text(&c, chunk);
    cs_copy_keep(&c, (size_t)256 << 10);
    CT_CHECK(c.data == NULL); /* over max: freed however full */
}

CT_MAIN(CT_CASE(test_copy_int_edges), CT_CASE(test_copy_keep_frees_what_the_last_batch_hardly_used), CT_CASE(test_pgbin_columns_turns_rows_into_one_array_per_column),
        CT_CASE(test_pg_ensure_without_a_server_fails_and_keeps_nothing), CT_CASE(test_pg_array_literals),
        CT_CASE(test_pgarr_reads_binary_arrays), CT_CASE(test_copybin_int8_null_and_text_array),
        CT_CASE(test_copybin_layout), CT_CASE(test_copy_text_escapes_only_what_copy_reads_specially),
        CT_CASE(test_copy_bytea_is_escaped_hex))
