/* provider.h -- sending messages to the SMS and IM providers (CONTRACTS.md
 * "Outbound messages").
 *
 * One provider per channel: HTTP when its URL is set (CS_SMS_URL,
 * CS_IM_URL), else `log`, which appends the same JSON document as one line
 * to a file (CS_NOTIFIER_LOG_FILE) so the local stack runs with no outside
 * service.
 *
 * HTTP: POST the JSON body with the header Idempotency-Key (NT-1: always
 * the request's key). 2xx = sent; 4xx = permanent failure, not retried
 * (except 408 and 429, which say "later", not "never"); 5xx, a timeout or a
 * connection failure = retried with exponential backoff and jitter (real
 * time, never the business clock), up to CS_NOTIFIER_ATTEMPTS calls, after
 * which the message is reported as failed for good (the worker
 * dead-letters it). All messages of a batch are sent concurrently (libcurl
 * multi, at most CS_NOTIFIER_CONCURRENCY at once), each provider paced by
 * CS_NOTIFIER_RATE messages per second (0 = unpaced) so a Double-11 peak
 * does not trip the provider's own limits.
 *
 * A provider that answered 2xx but whose answer we lost (a timeout after
 * it accepted, or a crash before our record committed) gets the same key
 * again on the retry: deduping by key is the provider's part of the
 * contract. */
#ifndef NT_PROVIDER_H
#define NT_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum nt_channel { NT_CH_IM = 0, NT_CH_SMS = 1, NT_NCHANNELS = 2 } nt_channel;

typedef struct nt_provider_cfg {
    const char *url[NT_NCHANNELS]; /* "" or NULL = the log provider */
    const char *log_file;          /* the log provider's file */
    int rate_per_s;                /* per provider; 0 = off */
    int timeout_ms;                /* one HTTP call */
    int attempts;                  /* calls per message at most (>= 1) */
    int backoff_ms;                /* first retry delay; doubles, capped at 30 s */
    int concurrency;               /* HTTP calls in flight at once */
} nt_provider_cfg;

typedef enum nt_send_result {
    NT_SEND_PENDING = 0,
    NT_SEND_OK = 1,        /* 2xx, or written by the log provider */
    NT_SEND_PERMANENT = 2, /* 4xx: recorded, never retried */
    NT_SEND_EXHAUSTED = 3, /* 5xx / timeout on every attempt: dead-letter */
} nt_send_result;

/* One message to send. The caller owns key and body and keeps them alive
 * during nt_provider_send(). */
typedef struct nt_send {
    nt_channel channel;
    const char *key;  /* Idempotency-Key (NT-1) */
    const char *body; /* the JSON document of the contract */
    /* results */
    nt_send_result result;
    int http_status; /* last answer, 0 if none */
    int attempts;    /* calls made */
    char error[160]; /* last failure, "" if none */
} nt_send;

typedef struct nt_provider nt_provider;

/* NULL with the reason in err (e.g. the log file cannot be opened). */
nt_provider *nt_provider_new(const nt_provider_cfg *cfg, char *err, size_t errlen);
void nt_provider_free(nt_provider *p); /* accepts NULL */
/* "http" or "log" for a channel. */
const char *nt_provider_kind(const nt_provider *p, nt_channel ch);

/* Sends every message of msgs[0..n) and fills its results; returns when
 * each one is OK, PERMANENT or EXHAUSTED. Blocks (real time). */
void nt_provider_send(nt_provider *p, nt_send *msgs, size_t n);

/* The provider's answer, read without libcurl (tests/fuzz/fuzz_provider.c
 * feeds it any bytes). nt_provider_answer_append() keeps the start of the
 * body: chunk[0..n) is appended to buf (cap bytes, always NUL-terminated,
 * *len of them used) as far as it fits. nt_provider_answer() classifies a
 * finished call from its transport failure (NULL: an HTTP answer came),
 * the status and the body kept (body[0..bodylen), NUL-terminated): sets
 * m->http_status and m->error (clean UTF-8 text: it is logged and stored),
 * and m->result to OK (2xx) or PERMANENT (other 3xx/4xx), or returns true:
 * the call may be retried (transport failure, 408, 429, 5xx, or a status
 * out of any class). */
void nt_provider_answer_append(char *buf, size_t cap, size_t *len, const char *chunk, size_t n);
bool nt_provider_answer(nt_send *m, const char *transport_error, long status, const char *body, size_t bodylen);

/* Backoff before retry number `retry` (1 = after the first failure):
 * base * 2^(retry-1), capped at 30 s, times a random factor in [0.5, 1.0]
 * ("equal jitter"), so many senders failing together do not come back
 * together. Real milliseconds. rnd in [0, 1). */
int nt_backoff_ms(int base_ms, int retry, double rnd);

#endif
