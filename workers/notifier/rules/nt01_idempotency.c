/* nt01_idempotency.c -- NT-1: every outbound message carries an
 * idempotency key fixed when it was requested; a message is never sent
 * twice by us, whatever crashes or replays.
 *
 * Why it is built this way: the worker that asks for a message (the
 * order-verifier for NT-6, the exception-handler for EX-4, ...) derives the
 * key from the event that caused it, so a replay of that event asks again
 * with the same key. The notifier never makes a key of its own: every
 * provider call, first try, retry after a 5xx, or a second attempt after a
 * crash lost our record of a 2xx, carries the request's key, and the
 * provider dedupes by it (CONTRACTS.md "Outbound messages"). Our own record
 * (the messages row, keyed by shop and key, written in the same transaction
 * as the input's progress) makes a replayed request a no-op before the
 * provider is even asked. The one exception is a message whose retries ran
 * out (dead-lettered): replaying it is how an operator retries it, and it
 * goes out with the same key again. */
#include "nt_rules.h"

#include <stdio.h>
#include <string.h>

#define NT1_MAX_KEY 200

/* NT-1 */
const char *nt1_provider_key(const Cs__V1__NotificationRequest *req, char *why, size_t whylen) {
    const char *k = req ? req->idempotency_key : NULL;
    if (!k || !k[0]) {
        snprintf(why, whylen, "NT-1: request has no idempotency_key");
        return NULL;
    }
    size_t n = strlen(k);
    if (n > NT1_MAX_KEY) {
        snprintf(why, whylen, "NT-1: idempotency_key longer than %d bytes", NT1_MAX_KEY);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)k[i];
        if (c < 0x20 || c == 0x7f) {
            snprintf(why, whylen, "NT-1: idempotency_key has a control character");
            return NULL;
        }
    }
    return k;
}

/* NT-1 */
nt1_replay nt1_on_request(const char *status, bool permanent) {
    if (!status) return NT1_NEW;
    if (strcmp(status, "failed") == 0 && !permanent) return NT1_RETRY;
    return NT1_DONE;
}
