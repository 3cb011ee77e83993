/* shop_fixture.h -- the shop every rule test starts from: "shop-1", a
 * Taobao shop in the given zone, the handbook's default thresholds, IM
 * preferred, money in CNY, every address part required (OV-3), as the
 * loader's defaults are. Test groups add their couriers, shifts or
 * settings on top. */
#ifndef SHOP_FIXTURE_H
#define SHOP_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/shop.h"
#include "cs/tz.h"

static inline void ct_shop_init(cs_shop *s, const char *zone) {
    char err[256];
    memset(s, 0, sizeof *s);
    s->id = (char *)"shop-1";
    s->channel = CS_CHANNEL_TAOBAO;
    s->time_zone = (char *)zone;
    cs_tz *tz = cs_tz_load(zone, err, sizeof err);
    if (!tz) {
        fprintf(stderr, "fixture: cannot load zone %s: %s\n", zone, err);
        abort();
    }
    s->tz = tz;
    cs_thresholds_defaults(&s->th);
    s->msg_pref = CS_MSG_PREF_IM;
    /* the loader's defaults for the gateway's settings (shop.c) */
    memcpy(s->currency, "CNY", 4);
    s->address_required = CS_ADDR_ALL;
}

static inline void ct_shop_done(cs_shop *s) {
    cs_tz_free((cs_tz *)s->tz);
    s->tz = NULL;
}

#endif
