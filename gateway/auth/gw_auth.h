/* gw_auth.h -- who signed a webhook, checked before anything reads its body.
 *
 * Pure (gw_pure: OpenSSL's HMAC and the shops set, no I/O): the headers the
 * schemes use, the raw body and the caller's clock in, the shop that
 * signed or the reason it is refused out. The schemes (CONTRACTS.md
 * "Webhooks", docs/webhooks.md):
 *
 *   generic, taobao   X-CS-Shop names the shop; X-CS-Timestamp (unix
 *                     seconds, at most GW_AUTH_SKEW_S from now, past or
 *                     future); X-CS-Signature: sha256=<hex HMAC-SHA256(
 *                     secret, timestamp "." body)>.
 *   generic (also)    Standard Webhooks: webhook-id, webhook-timestamp,
 *                     webhook-signature "v1,<base64>" (a space-separated
 *                     list; any may match) over id "." timestamp "." body;
 *                     the shop is still named by X-CS-Shop. Used when the
 *                     request has no X-CS-Signature.
 *   shopify           X-Shopify-Hmac-Sha256 = base64 HMAC-SHA256(secret,
 *                     body); the shop is the one whose shopify_domain is
 *                     X-Shopify-Shop-Domain. Shopify signs no timestamp: a
 *                     replay is caught by the event id (X-Shopify-Webhook-Id)
 *                     already being accepted.
 *
 * Every secret of the shop for the platform is tried (the new one first,
 * then the one it replaces while a rotation is under way). MACs are
 * compared with CRYPTO_memcmp over the decoded bytes, so the time taken
 * says nothing about how much of a forged signature was right.
 *
 * The key of a Standard Webhooks signature: for a secret "whsec_<base64>"
 * the decoded bytes (the specification's libraries sign so). Any other
 * secret is tried as its bytes as written (a sender who HMACs with the
 * string) and, since those libraries base64-decode a secret given without
 * the prefix too, as its decoding when it is valid base64. X-CS-Signature
 * and Shopify always use the secret's bytes as written. */
#ifndef GW_AUTH_H
#define GW_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "cs/shop.h"

#define GW_AUTH_SKEW_S 300 /* a signed timestamp this far from now is refused (CONTRACTS.md) */

typedef enum gw_auth_result {
    GW_AUTH_OK = 0,
    GW_AUTH_UNKNOWN_SHOP = 1,  /* 404: the shop named is not in the shops file */
    GW_AUTH_NO_SECRET = 2,     /* 404: the shop takes no webhooks of this platform */
    GW_AUTH_MISSING = 3,       /* 401: a header the scheme needs is absent or malformed */
    GW_AUTH_STALE = 4,         /* 401: timestamp more than GW_AUTH_SKEW_S from now */
    GW_AUTH_BAD_SIGNATURE = 5, /* 401: no secret of the shop makes this signature */
} gw_auth_result;

/* The request headers the schemes read; NULL where absent. Not owned. */
typedef struct gw_auth_headers {
    const char *cs_shop;        /* X-CS-Shop */
    const char *cs_timestamp;   /* X-CS-Timestamp */
    const char *cs_signature;   /* X-CS-Signature */
    const char *shopify_hmac;   /* X-Shopify-Hmac-Sha256 */
    const char *shopify_domain; /* X-Shopify-Shop-Domain */
    const char *wh_id;          /* webhook-id (Standard Webhooks) */
    const char *wh_timestamp;   /* webhook-timestamp */
    const char *wh_signature;   /* webhook-signature */
} gw_auth_headers;

typedef struct gw_auth {
    const cs_shop *shop;    /* the shop that signed (OK), or the one named (other results), or NULL */
    const char *scheme;     /* "x-cs-signature", "standard-webhooks" or "shopify" (static) */
    const char *webhook_id; /* the signed webhook-id of a Standard Webhooks request (points
                             * into the headers), else NULL: only a signed id is trusted */
    int secret_index;       /* which secret matched: 0 current, 1 previous (rotation) */
    char reason[160];       /* a refusal's reason, safe to log and to answer */
} gw_auth;

/* Verifies the request of platform p. now_s is the caller's real clock
 * (unix seconds). Fills *out; returns GW_AUTH_OK or why not. */
gw_auth_result gw_auth_verify(cs_webhook_platform p, const cs_shops *shops, const gw_auth_headers *h, const char *body,
                              size_t len, int64_t now_s, gw_auth *out);

/* The HTTP status of a result: 200 for OK, 404 or 401. */
int gw_auth_status(gw_auth_result r);

/* ---- signing (senders, tests, scripts/webhook-sign's reference) ---------- */

/* "sha256=<64 hex>" of secret over timestamp "." body into out (>= 72 bytes). */
void gw_auth_sign_cs(const char *secret, const char *timestamp, const char *body, size_t len, char *out, size_t outlen);
/* base64 HMAC-SHA256(secret, body) into out (>= 45 bytes). */
void gw_auth_sign_shopify(const char *secret, const char *body, size_t len, char *out, size_t outlen);
/* "v1,<base64>" over id "." timestamp "." body into out (>= 48 bytes), keyed
 * with the decoded bytes of a "whsec_" secret, else the secret as written. */
void gw_auth_sign_standard(const char *secret, const char *id, const char *timestamp, const char *body, size_t len,
                           char *out, size_t outlen);

#endif
