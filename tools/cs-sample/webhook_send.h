/* webhook_send.h -- sends encoded webhook requests (webhook_enc.h) to the
 * gateway over HTTP, many at a time, and counts the answers.
 *
 * Why it is built this way: the gateway answers a request only once Kafka
 * has acknowledged its records, so one request at a time would measure
 * round trips, not the gateway; libcurl's multi interface keeps up to
 * `inflight` requests open on one thread. Requests of one Kafka key (one
 * order) still go one after the other, in the phase's order: the next is
 * sent when the previous got its answer, so an order's CREATED is in Kafka
 * before its PAID, as with cs-sample's own producer. A 429 or 503 is sent
 * again after its Retry-After (a bounded number of times), with a fresh
 * signature; so is a request whose connection failed.
 *
 * Memory: the sender keeps pointers to the items of the phase it sends,
 * only while cs_wh_send() runs. */
#ifndef CS_WEBHOOK_SEND_H
#define CS_WEBHOOK_SEND_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "webhook_enc.h"

typedef struct cs_wh_sender cs_wh_sender;

/* One request of a phase. */
typedef struct cs_wh_item {
    const cs_webhook *wh; /* the request; not owned */
    const char *key;      /* its record's Kafka key: one key's requests go in order */
} cs_wh_item;

/* A sender to base_url ("http://127.0.0.1:8080") with at most inflight
 * requests open. NULL with errbuf on a bad URL or libcurl failure. Free
 * with cs_wh_sender_free() (NULL ok). */
cs_wh_sender *cs_wh_sender_new(const char *base_url, int inflight, char *errbuf, size_t errlen);
void cs_wh_sender_free(cs_wh_sender *s);

/* Sends items[0..n) and returns when every one has its final answer, or
 * when *stop is set (then the rest are not sent). Returns how many got an
 * answer other than the one expected (cs_webhook.expect; 200 counts as
 * 202: already accepted). */
long cs_wh_send(cs_wh_sender *s, const cs_wh_item *items, size_t n, volatile sig_atomic_t *stop);

/* "taobao 202=7310, shopify 202=1488, generic 202=11822 400=2 404=1":
 * final answers by platform and status (0 = no answer), into out. */
void cs_wh_sender_counts(const cs_wh_sender *s, char *out, size_t len);
/* Requests sent again (429, 503, connection failures), answers counted,
 * and the first unexpected answer ("" if none), for the summary. */
long cs_wh_sender_retries(const cs_wh_sender *s);
long cs_wh_sender_answered(const cs_wh_sender *s);
const char *cs_wh_sender_first_error(const cs_wh_sender *s);

#endif
