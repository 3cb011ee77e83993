/* platform_fixture.h -- what the Taobao and Shopify mapping tests share:
 * the example bodies of tests/data/webhooks (read through CS_TEST_DATA),
 * a textual edit of a body (so a test states the one thing it changes and
 * every other byte, ids included, stays the example's), a mapping call,
 * and the packed envelope of a record unpacked for field-by-field checks.
 *
 * Memory: every helper returns malloc'd text the test frees, and
 * pf_unpack()'s envelope is freed with pf_env_free(); ct.h's checks
 * allocate nothing, so valgrind sees only the code under test. */
#ifndef PLATFORM_FIXTURE_H
#define PLATFORM_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/shop.h"
#include "cs/tz.h"
#include "cs/v1/envelope.pb-c.h"
#include "ct.h"
#include "gw_map.h"
#include "shop_fixture.h"

#define PF_INGEST_MS INT64_C(1794400000000)

/* Unix ms of a UTC wall time (independent of the code under test). */
static inline int64_t pf_utc_ms(int y, int mo, int d, int h, int mi, int s) {
    return (int64_t)cs_day_from_ymd(y, mo, d) * 86400000 + ((int64_t)h * 3600 + mi * 60 + s) * 1000;
}
/* Unix ms of a wall time in Asia/Shanghai (UTC+8, no DST since 1991). */
static inline int64_t pf_cn_ms(int y, int mo, int d, int h, int mi, int s) {
    return pf_utc_ms(y, mo, d, h, mi, s) - INT64_C(8) * 3600000;
}

/* tests/data/<rel>, NUL-terminated; aborts if it cannot be read. */
static inline char *pf_read(const char *rel) {
    const char *dir = getenv("CS_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fixture: cannot open %s (set CS_TEST_DATA)\n", path);
        abort();
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) abort();
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* text with its first `from` replaced by `to` (freeing text); aborts when
 * `from` is not there, so an edit that no longer applies fails loudly. */
static inline char *pf_edit(char *text, const char *from, const char *to) {
    char *at = strstr(text, from);
    if (!at) {
        fprintf(stderr, "fixture: \"%s\" not in the body\n", from);
        abort();
    }
    size_t head = (size_t)(at - text), nf = strlen(from), nt = strlen(to), tail = strlen(at + nf);
    char *out = malloc(head + nt + tail + 1);
    if (!out) abort();
    memcpy(out, text, head);
    memcpy(out + head, to, nt);
    memcpy(out + head + nt, at + nf, tail + 1);
    free(text);
    return out;
}

/* Maps body (freeing it) as platform for shop; topic and webhook_id are
 * the Shopify headers (NULL elsewhere). gw_map()'s result. */
static inline int pf_map(cs_webhook_platform platform, const cs_shop *shop, char *body, const char *topic,
                         const char *webhook_id, gw_mapped *out, gw_error *err) {
    gw_request rq = {.platform = platform,
                     .shop = shop,
                     .body = body,
                     .len = strlen(body),
                     .topic = topic,
                     .webhook_id = webhook_id,
                     .ingest_ms = PF_INGEST_MS};
    int rc = gw_map(&rq, out, err);
    free(body);
    return rc;
}

/* The envelope record i carries (NULL, and a failed check, if none). */
static inline Cs__V1__Envelope *pf_unpack(const gw_mapped *m, size_t i) {
    if (i >= m->n) {
        fprintf(stderr, "  fixture: record %zu of %zu\n", i, m->n);
        ct_failed_checks++;
        return NULL;
    }
    Cs__V1__Envelope *e = cs__v1__envelope__unpack(NULL, m->rec[i].len, m->rec[i].value);
    CT_CHECK(e != NULL);
    return e;
}

static inline void pf_env_free(Cs__V1__Envelope *e) {
    if (e) cs__v1__envelope__free_unpacked(e, NULL);
}

/* The envelope's stamp and the record's topic and key. */
static inline void pf_check_stamp(const gw_mapped *m, size_t i, const Cs__V1__Envelope *e, const char *topic,
                                  const char *key, const char *event_id, int64_t event_ms, const char *source) {
    CT_EQ_STR(m->rec[i].topic, topic);
    CT_EQ_STR(m->rec[i].key, key);
    CT_EQ_STR(m->rec[i].event_id, event_id);
    CT_EQ_STR(e->event_id, event_id);
    CT_EQ_STR(e->shop_id, "shop-1");
    CT_EQ_INT(e->event_ms, event_ms);
    CT_EQ_INT(e->ingest_ms, PF_INGEST_MS);
    CT_EQ_STR(e->source, source);
}

/* The order event of record i (its envelope in *env, to free), or NULL. */
static inline const Cs__V1__OrderEvent *pf_order_event(const gw_mapped *m, size_t i, Cs__V1__Envelope **env) {
    *env = pf_unpack(m, i);
    if (!*env) return NULL;
    CT_EQ_INT((*env)->body_case, CS__V1__ENVELOPE__BODY_ORDER);
    const Cs__V1__OrderEvent *ev = (*env)->body_case == CS__V1__ENVELOPE__BODY_ORDER ? (*env)->order : NULL;
    CT_CHECK(ev && ev->order);
    return ev && ev->order ? ev : NULL;
}

/* The after-sales case of record i (its envelope in *env, to free), or NULL. */
static inline const Cs__V1__AfterSalesCase *pf_case(const gw_mapped *m, size_t i, Cs__V1__Envelope **env) {
    *env = pf_unpack(m, i);
    if (!*env) return NULL;
    CT_EQ_INT((*env)->body_case, CS__V1__ENVELOPE__BODY_AFTERSALES);
    const Cs__V1__AfterSalesEvent *a =
        (*env)->body_case == CS__V1__ENVELOPE__BODY_AFTERSALES ? (*env)->aftersales : NULL;
    CT_CHECK(a && a->body_case == CS__V1__AFTER_SALES_EVENT__BODY_CASE);
    return a && a->body_case == CS__V1__AFTER_SALES_EVENT__BODY_CASE ? a->case_ : NULL;
}

/* A refusal naming field (and a reason that contains `why`, if given). */
static inline void pf_check_refused(int rc, const gw_mapped *m, const gw_error *err, const char *field,
                                    const char *why) {
    CT_EQ_INT(rc, -1);
    CT_EQ_INT(m->n, 0);
    CT_EQ_STR(err->field, field);
    if (why && !strstr(err->reason, why)) {
        fprintf(stderr, "  reason \"%s\" lacks \"%s\"\n", err->reason, why);
        ct_failed_checks++;
    }
}

#endif
