/* gw_metrics.h -- what the gateway counts, on top of the shared registry
 * (cs/metrics.h): requests by platform and status, a latency histogram,
 * requests in flight, rate-limited requests by shop. Kafka produce
 * errors, dedupe hits and Redis errors are counted where they happen
 * (gw_accept.c). The shared registry has counters and gauges only, so the
 * histogram is kept here and appended to its text (gw_metrics_render). */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stdint.h>

#include "cs/shop.h"

/* A request answered: platform (-1 for the probes and unknown paths),
 * HTTP status, microseconds from its headers to its answer. Lock-free. */
void gw_metrics_request(int platform, unsigned status, int64_t elapsed_us);
/* The in-flight gauge (requests taken, not yet answered). */
void gw_metrics_inflight(int64_t n);
void gw_metrics_rate_limited(const cs_shop *shop);
/* The whole exposition text (malloc'd; caller frees). */
char *gw_metrics_render(void);

#endif
