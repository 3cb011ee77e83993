/* gw_metrics.c -- the gateway's metrics (see gw_metrics.h).
 *
 * Series of the shared registry are looked up by name and labels under
 * its mutex; the request counters are therefore cached per (platform,
 * status) in atomic pointers, found once and then only added to. */
#include "gw_metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/metrics.h"
#include "cs/util.h"

/* Every status the gateway answers; anything else counts as "other". */
static const unsigned statuses[] = {200, 202, 400, 401, 404, 405, 413, 415, 429, 500, 503};
#define NSTATUS (sizeof statuses / sizeof statuses[0])
#define NPLATFORM (CS_WEBHOOK_PLATFORMS + 1) /* + "none": probes, unknown paths */

static _Atomic(cs_metric *) reqSeries[NPLATFORM][NSTATUS + 1];

/* Latency buckets (seconds): a 202 waits for Kafka's acks=all, so most
 * land between 2 and 50 ms; a 503 after the produce timeout lands at 5 s. */
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])
static atomic_llong bucketCount[NBOUNDS + 1]; /* per bucket (not cumulative); last = +Inf */
static atomic_llong sumUs;                    /* total microseconds */

void gw_metrics_request(int platform, unsigned status, int64_t elapsed_us) {
    size_t p = platform >= 0 && platform < CS_WEBHOOK_PLATFORMS ? (size_t)platform : CS_WEBHOOK_PLATFORMS;
    size_t s = 0;
    while (s < NSTATUS && statuses[s] != status) s++;
    cs_metric *m = atomic_load_explicit(&reqSeries[p][s], memory_order_acquire);
    if (!m) {
        char labels[96], code[8];
        snprintf(code, sizeof code, "%u", s < NSTATUS ? statuses[s] : 0);
        snprintf(labels, sizeof labels, "platform=\"%s\",code=\"%s\"",
                 p < CS_WEBHOOK_PLATFORMS ? cs_webhook_platform_name((cs_webhook_platform)p) : "none",
                 s < NSTATUS ? code : "other");
        m = cs_metric_get(CS_METRIC_COUNTER, "cs_gateway_requests_total", "HTTP requests by platform and status",
                          labels);
        atomic_store_explicit(&reqSeries[p][s], m, memory_order_release);
    }
    cs_metric_add(m, 1);
    if (platform < 0) return; /* the probes and scrapes stay out of the latency */
    double sec = (double)elapsed_us / 1e6;
    size_t b = 0;
    while (b < NBOUNDS && sec > bounds[b]) b++;
    atomic_fetch_add_explicit(&bucketCount[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sumUs, elapsed_us, memory_order_relaxed);
}

void gw_metrics_inflight(int64_t n) {
    static _Atomic(cs_metric *) g;
    cs_metric *m = atomic_load(&g);
    if (!m) {
        m = cs_metric_get(CS_METRIC_GAUGE, "cs_gateway_inflight_requests",
                          "Webhook requests taken and not yet answered", NULL);
        atomic_store(&g, m);
    }
    cs_metric_set(m, n);
}

void gw_metrics_rate_limited(const cs_shop *shop) {
    char labels[128];
    snprintf(labels, sizeof labels, "shop=\"%s\"", shop->id); /* ids are [A-Za-z0-9._-]: no escaping */
    cs_metric_add(cs_metric_get(CS_METRIC_COUNTER, "cs_gateway_rate_limited_total",
                                "Webhooks refused with 429 (the shop's webhook_rate)", labels),
                  1);
}

char *gw_metrics_render(void) {
    char *base = cs_metrics_render();
    size_t n = strlen(base), cap = n + 2048;
    char *out = cs_xrealloc(base, cap);
    int w = snprintf(out + n, cap - n,
                     "# HELP cs_gateway_request_duration_seconds Webhook requests from headers to answer\n"
                     "# TYPE cs_gateway_request_duration_seconds histogram\n");
    n += (size_t)w;
    long long cum = 0;
    for (size_t b = 0; b <= NBOUNDS; b++) {
        cum += atomic_load_explicit(&bucketCount[b], memory_order_relaxed);
        if (b < NBOUNDS)
            w = snprintf(out + n, cap - n, "cs_gateway_request_duration_seconds_bucket{le=\"%g\"} %lld\n", bounds[b],
                         cum);
        else
            w = snprintf(out + n, cap - n, "cs_gateway_request_duration_seconds_bucket{le=\"+Inf\"} %lld\n", cum);
        n += (size_t)w;
    }
    snprintf(out + n, cap - n,
             "cs_gateway_request_duration_seconds_sum %.6f\ncs_gateway_request_duration_seconds_count %lld\n",
             (double)atomic_load(&sumUs) / 1e6, cum);
    return out;
}
