/* envelope_seeds.c -- writes the seed corpus of fuzz_envelope: packed
 * cs.v1.Envelope records as the workers consume them.
 *
 *   fuzz_envelope_seeds <tests/fuzz/corpus/map> <shops.json> <out dir>
 *
 * Every webhook body of the mapping's corpus is mapped by the gateway's own
 * gw_map() for every shop of the shops file (orders, after-sales cases,
 * reviews, contacts, inventory: each shop has its own zone, currency and
 * thresholds, which the rules read), and the bodies no webhook carries are
 * built here for the first shop: a fired timer of the refund-notifier and a
 * notification request. Each record is one file, <shop>.<body>.<n>.pb.
 * Built with the fuzz targets (CS_FUZZ=ON), as an ordinary program. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/shop.h"
#include "cs/util.h"
#include "cs/v1/envelope.pb-c.h"
#include "gw_map.h"

static int written;

static int writeSeed(const char *dir, const char *shop, const char *name, const void *data, size_t len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%s.%d.pb", dir, shop, name, written++);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "envelope_seeds: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

static int writeEnvelope(const char *dir, const char *name, const Cs__V1__Envelope *env) {
    size_t len = cs__v1__envelope__get_packed_size(env);
    uint8_t *buf = cs_xmalloc(len ? len : 1);
    cs__v1__envelope__pack(env, buf);
    int rc = writeSeed(dir, env->shop_id, name, buf, len);
    free(buf);
    return rc;
}

static char *readAll(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16;
    char *b = cs_xmalloc(cap);
    *len = fread(b, 1, cap - 1, f);
    b[*len] = '\0';
    fclose(f);
    return b;
}

/* The bodies no webhook carries. */
static int builtSeeds(const char *dir, const char *shop) {
    Cs__V1__TimerFired t = CS__V1__TIMER_FIRED__INIT;
    char timer_id[256], order_key[256];
    snprintf(timer_id, sizeof timer_id, "rf2.resolve@%s:case-1", shop);
    snprintf(order_key, sizeof order_key, "%s:order-1", shop);
    t.timer_id = timer_id;
    t.owner = (char *)"refund-notifier";
    t.order_key = order_key;
    t.kind = (char *)"rf2.resolve";
    t.due_ms = INT64_C(1790000000000);
    t.generation = 1;
    Cs__V1__Envelope e = CS__V1__ENVELOPE__INIT;
    e.event_id = (char *)"timer/rf2.resolve/case-1/1";
    e.shop_id = (char *)shop;
    e.event_ms = INT64_C(1790000000000);
    e.body_case = CS__V1__ENVELOPE__BODY_TIMER;
    e.timer = &t;
    if (writeEnvelope(dir, "timer", &e) != 0) return -1;

    Cs__V1__NotificationRequest n = CS__V1__NOTIFICATION_REQUEST__INIT;
    n.idempotency_key = (char *)"ov6/order-1/remind";
    n.order_id = (char *)"order-1";
    n.to = (char *)"13800138000";
    n.channel = CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS;
    n.class_ = CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE;
    n.template_ = (char *)"payment_reminder";
    n.rule = (char *)"OV-6";
    e.event_id = (char *)"ov6/order-1/remind";
    e.body_case = CS__V1__ENVELOPE__BODY_NOTIFICATION;
    e.notification = &n;
    return writeEnvelope(dir, "notification", &e);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s <map corpus dir> <shops.json> <out dir>\n", argv[0]);
        return 2;
    }
    char err[512];
    cs_shops *shops = cs_shops_load(argv[2], err, sizeof err);
    if (!shops) {
        fprintf(stderr, "envelope_seeds: %s\n", err);
        return 1;
    }
    int rc = 0;
    for (size_t si = 0; rc == 0 && si < cs_shops_count(shops); si++) {
        const cs_shop *shop = cs_shops_at(shops, si);
        DIR *d = opendir(argv[1]);
        if (!d) {
            fprintf(stderr, "envelope_seeds: cannot open %s\n", argv[1]);
            rc = 1;
            break;
        }
        for (struct dirent *de; rc == 0 && (de = readdir(d));) {
            if (de->d_name[0] == '.') continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[1], de->d_name);
            size_t len;
            char *body = readAll(path, &len);
            if (!body) continue;
            gw_request rq = {.platform = CS_WEBHOOK_GENERIC,
                             .shop = shop,
                             .body = body,
                             .len = len,
                             .ingest_ms = INT64_C(1790000000000)};
            gw_mapped m;
            gw_error ge;
            if (gw_map(&rq, &m, &ge) == 0) {
                for (size_t i = 0; i < m.n && rc == 0; i++) {
                    char name[256];
                    snprintf(name, sizeof name, "%.*s", (int)strcspn(de->d_name, "."), de->d_name);
                    rc = writeSeed(argv[3], shop->id, name, m.rec[i].value, m.rec[i].len);
                }
                gw_mapped_free(&m);
            }
            free(body);
        }
        closedir(d);
    }
    if (rc == 0) rc = builtSeeds(argv[3], cs_shops_at(shops, 0)->id);
    cs_shops_free(shops);
    printf("envelope_seeds: %d records\n", written);
    return rc ? 1 : 0;
}
