/* gw_route.c -- request routing and the Content-Type check (gw_route.h). */
#include "gw_route.h"

#include <string.h>
#include <strings.h>

#define WEBHOOK_PREFIX "/v1/webhooks/"

void gw_route_of(const char *method, const char *path, gw_route *r) {
    memset(r, 0, sizeof *r);
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (strncmp(path, WEBHOOK_PREFIX, sizeof WEBHOOK_PREFIX - 1) == 0) {
        int p = cs_webhook_platform_parse(path + sizeof WEBHOOK_PREFIX - 1);
        if (p < 0) return;
        r->kind = GW_ROUTE_WEBHOOK;
        r->platform = (cs_webhook_platform)p;
        r->method_ok = strcmp(method, "POST") == 0;
        r->allow = "POST";
        return;
    }
    if (strcmp(path, "/healthz") == 0)
        r->kind = GW_ROUTE_HEALTHZ;
    else if (strcmp(path, "/readyz") == 0)
        r->kind = GW_ROUTE_READYZ;
    else if (strcmp(path, "/metrics") == 0)
        r->kind = GW_ROUTE_METRICS;
    else
        return;
    r->method_ok = get;
    r->allow = "GET, HEAD";
}

/* Skips blanks (RFC 9110 OWS: spaces and tabs). */
static const char *ows(const char *s) {
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

bool gw_route_is_json(const char *ct) {
    static const char json[] = "application/json";
    if (!ct) return false;
    ct = ows(ct);
    if (strncasecmp(ct, json, sizeof json - 1) != 0) return false;
    const char *p = ows(ct + sizeof json - 1);
    while (*p) {
        if (*p != ';') return false; /* "application/jsonx", "application/json garbage" */
        p = ows(p + 1);
        size_t n = strcspn(p, ";");
        static const char cs[] = "charset=";
        if (strncasecmp(p, cs, sizeof cs - 1) == 0) {
            const char *v = p + sizeof cs - 1;
            size_t vn = n - (sizeof cs - 1);
            while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t')) vn--;
            if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
                v++;
                vn -= 2;
            }
            if (!((vn == 5 && strncasecmp(v, "utf-8", 5) == 0) || (vn == 4 && strncasecmp(v, "utf8", 4) == 0)))
                return false;
        }
        p += n;
    }
    return true;
}
