/* metrics.h -- Prometheus counters and gauges, and the per-process HTTP
 * endpoint (/metrics, /healthz) on libmicrohttpd.
 *
 * Metrics are registered once at start-up (name, help, label values fixed)
 * and updated lock-free with atomics from any thread. The registry owns
 * every metric. /healthz answers 200 while the process's health callback
 * says it is healthy, 503 otherwise (e.g. PostgreSQL unreachable). */
#ifndef CS_METRICS_H
#define CS_METRICS_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct cs_metric cs_metric;

typedef enum cs_metric_type { CS_METRIC_COUNTER, CS_METRIC_GAUGE } cs_metric_type;

/* Registers (or returns the existing) series name{labels}. labels is the
 * text inside braces, e.g. "reason=\"decode\"", or NULL. */
cs_metric *cs_metric_get(cs_metric_type type, const char *name, const char *help, const char *labels);
void cs_metric_add(cs_metric *m, int64_t v);
void cs_metric_set(cs_metric *m, int64_t v);
int64_t cs_metric_value(const cs_metric *m);
/* Writes the text exposition into a malloc'd string (caller frees). */
char *cs_metrics_render(void);

typedef bool (*cs_health_fn)(void *arg, char *why, size_t whylen);
/* Starts the HTTP endpoint on "host:port" (port 0 = ephemeral). Returns 0,
 * or -1 with errbuf. health may be NULL (always healthy). */
int cs_http_start(const char *addr, cs_health_fn health, void *arg, char *errbuf, size_t errlen);
void cs_http_stop(void);
/* The port actually bound (after start with port 0). */
int cs_http_port(void);

#endif
