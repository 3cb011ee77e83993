/* gw_server.h -- the gateway's HTTP side on libmicrohttpd.
 *
 * One listening address (CS_GATEWAY_ADDR) serves the webhooks, /healthz,
 * /readyz and /metrics. libmicrohttpd runs a small pool of event-loop
 * threads (CS_GATEWAY_HTTP_THREADS); a webhook is read, checked
 * (Content-Type, size, signature, rate, mapping) on its loop -- CPU only,
 * no I/O -- and then its connection is suspended and the request handed
 * to gw_accept, whose thread resumes it with the answer once Kafka has
 * acknowledged (or refused) its records. Many requests are therefore in
 * flight while the loops keep serving, each answered when its own records
 * are acknowledged.
 *
 * Bounded: at most CS_GATEWAY_MAX_INFLIGHT requests between their headers
 * and their answer (more answer 503 before their body is read), each body
 * at most 1 MiB (413 as soon as Content-Length or the upload passes it). */
#ifndef GW_SERVER_H
#define GW_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "cs/shop.h"
#include "gw_accept.h"
#include "gw_config.h"
#include "gw_ratelimit.h"

#define GW_MAX_BODY (1024 * 1024) /* CONTRACTS.md: 413 above 1 MiB */

typedef struct gw_server gw_server;

/* Listens and serves. shops, rl and acc must outlive the server. NULL with
 * errbuf when the address cannot be bound. */
gw_server *gw_server_start(const gw_config *cfg, const cs_shops *shops, gw_ratelimit *rl, gw_accept *acc, char *errbuf,
                           size_t errlen);
/* The port bound (CS_GATEWAY_ADDR may say 0). */
int gw_server_port(const gw_server *s);
/* Shutdown, first stage: /readyz answers 503 and every new request 503
 * (Connection: close), while requests already taken finish. Connections
 * are still accepted, so none arriving now is reset unanswered. */
void gw_server_refuse_new(gw_server *s);
/* Second stage: the listening socket closes (connections are refused). */
void gw_server_quiesce(gw_server *s);
/* Requests taken and not yet answered. */
int gw_server_inflight(const gw_server *s);
/* Last: closes every connection and frees. Accepts NULL. Call it
 * once nothing is in flight (gw_accept_free drained). */
void gw_server_stop(gw_server *s);

#endif
