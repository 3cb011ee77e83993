/* gw_producer.h -- the gateway's Kafka producer: idempotent, acks=all
 * (cs_kafka_conf's producer role), with a short message timeout so a
 * request never waits on Kafka for longer than CS_GATEWAY_PRODUCE_TIMEOUT_MS.
 *
 * Two threads of its own: one polls librdkafka and hands every delivery
 * report to the owner's callback (so acknowledgements arrive while the
 * HTTP threads keep serving); one probes the cluster's metadata every
 * second for /readyz. Ready means: the last probe saw every partition of
 * the inbound topics with a leader, and no delivery failed since. */
#ifndef GW_PRODUCER_H
#define GW_PRODUCER_H

#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "cs/config.h"

typedef struct gw_producer gw_producer;

/* Called on the poll thread once per record sent: err 0 = acknowledged by
 * every in-sync replica. opaque is gw_producer_send's. Must not block. */
typedef void (*gw_delivered_fn)(void *opaque, rd_kafka_resp_err_t err, void *arg);

/* Connects (lazily: librdkafka connects in the background) and starts the
 * threads. NULL with errbuf on a refused setting. */
gw_producer *gw_producer_new(const cs_config *cfg, int timeout_ms, gw_delivered_fn fn, void *arg, char *errbuf,
                             size_t errlen);
/* Queues one record. The value is NOT copied: it must stay valid until its
 * delivery report. Returns 0 (a report will follow), or -1 with errbuf
 * (no report will come). */
int gw_producer_send(gw_producer *p, const char *topic, const char *key, const void *value, size_t len,
                     const char *event_id, void *opaque, char *errbuf, size_t errlen);
/* Kafka takes writes (see above). */
bool gw_producer_ready(gw_producer *p);
/* librdkafka raised a fatal error: the producer cannot go on; the process
 * must be restarted (it answers 503 meanwhile). */
bool gw_producer_fatal(gw_producer *p);
/* Waits up to timeout_ms for every queued record's report; then stops the
 * threads and destroys the handle. Accepts NULL. */
void gw_producer_free(gw_producer *p, int timeout_ms);

#endif
