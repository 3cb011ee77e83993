/* map.c -- gw_map(): the checks every platform shares, then the
 * platform's own mapping; and the records' packing and ownership.
 *
 * The shared checks come first so that no mapping sees a body that is not
 * a valid, shallow JSON object (gw_json_parse()). A mapping fills a
 * gw_mapped through gw_mapped_begin()/gw_mapped_emit() only, so every
 * record's envelope is stamped the same way (the authenticated shop, the
 * gateway's ingest time, derived ids "<id>#<n>") and gw_mapped_free()
 * knows everything there is to free. */
#include "gw_map_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/util.h"

static int fail(gw_error *err, const char *field, const char *reason) {
    snprintf(err->field, sizeof err->field, "%s", field);
    snprintf(err->reason, sizeof err->reason, "%s", reason);
    return -1;
}

static gw_map_fn mapping_of(cs_webhook_platform p) {
    switch (p) {
        case CS_WEBHOOK_GENERIC: return gw_map_generic;
        case CS_WEBHOOK_TAOBAO: return gw_map_taobao;
        case CS_WEBHOOK_SHOPIFY: return gw_map_shopify;
        default: return NULL;
    }
}

int gw_map(const gw_request *rq, gw_mapped *out, gw_error *err) {
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    if (!rq || !rq->shop || !rq->shop->id) return fail(err, "shop", "no authenticated shop");
    gw_map_fn fn = mapping_of(rq->platform);
    if (!fn) return fail(err, "platform", "unknown platform");
    cJSON *root = NULL;
    if (gw_json_parse(rq->body, rq->len, &root, err) != 0) return -1;
    int rc = fn(rq, root, out, err);
    cJSON_Delete(root);
    if (rc == 0 && (out->n == 0 || !out->event_id)) rc = fail(err, "body", "maps to no record");
    if (rc != 0) {
        gw_mapped_free(out);
        return -1;
    }
    return 0;
}

void gw_mapped_free(gw_mapped *m) {
    if (!m) return;
    for (size_t i = 0; i < m->n && i < GW_MAX_RECORDS; i++) {
        free(m->rec[i].key);
        free(m->rec[i].event_id);
        free(m->rec[i].value);
    }
    free(m->event_id);
    memset(m, 0, sizeof *m);
}

bool gw_event_id_valid(const char *id) {
    if (!id) return false;
    size_t n = 0;
    for (; id[n]; n++)
        if ((unsigned char)id[n] < 0x21 || (unsigned char)id[n] > 0x7E) return false;
    return n >= 1 && n <= GW_MAX_EVENT_ID;
}

void gw_mapped_begin(gw_mapped *m, const char *event_id, const char *kind) {
    free(m->event_id);
    m->event_id = cs_xstrdup(event_id);
    snprintf(m->kind, sizeof m->kind, "%s", kind);
}

int gw_mapped_emit(gw_mapped *m, const gw_request *rq, const char *source, int64_t event_ms, const char *topic,
                   const char *key, Cs__V1__Envelope *env, gw_error *err) {
    if (m->n >= GW_MAX_RECORDS || !m->event_id) return fail(err, "body", "maps to too many records");
    gw_record *r = &m->rec[m->n];
    if (m->n == 0) {
        r->event_id = cs_xstrdup(m->event_id);
    } else {
        size_t len = strlen(m->event_id) + 24;
        r->event_id = cs_xmalloc(len);
        snprintf(r->event_id, len, "%s#%zu", m->event_id, m->n);
    }
    env->event_id = r->event_id;
    env->shop_id = rq->shop->id;
    env->event_ms = event_ms;
    env->ingest_ms = rq->ingest_ms;
    env->source = (char *)source;
    r->topic = topic;
    r->key = cs_xstrdup(key);
    r->len = cs__v1__envelope__get_packed_size(env);
    r->value = cs_xmalloc(r->len ? r->len : 1);
    cs__v1__envelope__pack(env, r->value);
    /* the envelope must not keep pointers the caller does not own */
    env->event_id = env->shop_id = env->source = NULL;
    m->n++;
    return 0;
}
