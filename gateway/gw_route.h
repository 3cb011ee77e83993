/* gw_route.h -- what a request is for, decided from its method, path and
 * Content-Type alone (pure, unit-tested: tests/unit/gateway/test_gw_route.c).
 *
 *   POST /v1/webhooks/{taobao,shopify,generic}   a webhook
 *   GET|HEAD /healthz, /readyz, /metrics         the probes and the scrape
 *
 * Any other path is 404 (an unknown platform too); a known path with
 * another method is 405 with Allow. */
#ifndef GW_ROUTE_H
#define GW_ROUTE_H

#include <stdbool.h>

#include "cs/shop.h"

typedef enum gw_route_kind {
    GW_ROUTE_NOT_FOUND = 0,
    GW_ROUTE_WEBHOOK = 1,
    GW_ROUTE_HEALTHZ = 2,
    GW_ROUTE_READYZ = 3,
    GW_ROUTE_METRICS = 4,
} gw_route_kind;

typedef struct gw_route {
    gw_route_kind kind;
    cs_webhook_platform platform; /* GW_ROUTE_WEBHOOK */
    bool method_ok;               /* false: answer 405 with Allow: allow */
    const char *allow;            /* the methods the path takes (static) */
} gw_route;

void gw_route_of(const char *method, const char *path, gw_route *r);

/* A Content-Type the webhooks take: application/json (any case), with at
 * most parameters, of which a charset must be utf-8. NULL is refused. */
bool gw_route_is_json(const char *content_type);

#endif
