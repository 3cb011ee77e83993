/* gw_auth.c -- webhook signatures (see gw_auth.h).
 *
 * Built so that a refusal costs no more than an acceptance and leaks
 * nothing: the signature a request carries is decoded to its 32 bytes
 * first (a malformed one is refused before any MAC is computed, which says
 * nothing about the secret), then compared with each candidate MAC by
 * CRYPTO_memcmp. Timestamps are strict decimal seconds: "+1", " 1", "1e9"
 * or a 20-digit number are malformed, not parsed leniently.
 *
 * Reasons never echo a header's value, so they are safe to answer and to
 * log. */
#include "gw_auth.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define MAC_LEN 32
#define STD_KEY_MAX 512 /* decoded whsec_ keys: secrets are at most 512 characters */

/* ---- encodings -------------------------------------------------------------- */

static int hexVal(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Exactly 2*n hex digits into n bytes; 0 or -1. */
static int hexDecode(const char *s, size_t slen, unsigned char *out, size_t n) {
    if (slen != 2 * n) return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hexVal(s[2 * i]), lo = hexVal(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

static int b64Val(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Strict standard base64 (padding required, length a multiple of 4) into
 * out (cap bytes). Returns the decoded length, or -1. */
static long b64Decode(const char *s, size_t slen, unsigned char *out, size_t cap) {
    if (slen == 0 || slen % 4) return -1;
    size_t pad = 0;
    if (s[slen - 1] == '=') pad++;
    if (s[slen - 2] == '=') pad++;
    size_t n = slen / 4 * 3 - pad;
    if (n > cap) return -1;
    size_t o = 0;
    for (size_t i = 0; i < slen; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++) {
            bool padPos = i + (size_t)k >= slen - pad;
            v[k] = padPos ? (s[i + (size_t)k] == '=' ? 0 : -1) : b64Val(s[i + (size_t)k]);
            if (v[k] < 0) return -1;
        }
        unsigned triple = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
        if (o < n) out[o++] = (unsigned char)(triple >> 16);
        if (o < n) out[o++] = (unsigned char)(triple >> 8);
        if (o < n) out[o++] = (unsigned char)triple;
    }
    return (long)n;
}

static void b64Encode(const unsigned char *in, size_t n, char *out, size_t outlen) {
    /* EVP_EncodeBlock writes 4*ceil(n/3) characters and a NUL */
    if (outlen < 4 * ((n + 2) / 3) + 1) {
        if (outlen) out[0] = '\0';
        return;
    }
    EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* ---- MACs ---------------------------------------------------------------------- */

/* HMAC-SHA256 over the concatenation of up to three parts (NULL = none). */
static void mac3(const void *key, size_t keylen, const char *a, size_t alen, const char *b, size_t blen, const char *c,
                 size_t clen, unsigned char out[MAC_LEN]) {
    /* HMAC_CTX is deprecated in OpenSSL 3; EVP_MAC is the way now, but one
     * HMAC() call needs the parts contiguous. The parts go through one
     * EVP_MAC context instead of a copy of the (up to 1 MiB) body. */
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0), OSSL_PARAM_construct_end()};
    size_t outl = 0;
    static const unsigned char nokey[1];
    if (!ctx || !EVP_MAC_init(ctx, keylen ? key : nokey, keylen, params) ||
        (a && !EVP_MAC_update(ctx, (const unsigned char *)a, alen)) ||
        (b && !EVP_MAC_update(ctx, (const unsigned char *)b, blen)) ||
        (c && !EVP_MAC_update(ctx, (const unsigned char *)c, clen)) || !EVP_MAC_final(ctx, out, &outl, MAC_LEN) ||
        outl != MAC_LEN) {
        /* only allocation can fail here: treat it like the rest of the
         * project treats out of memory */
        fprintf(stderr, "gw_auth: HMAC-SHA256 unavailable\n");
        abort();
    }
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
}

static void macCs(const char *secret, const char *ts, const char *body, size_t len, unsigned char out[MAC_LEN]) {
    char tsdot[32];
    int n = snprintf(tsdot, sizeof tsdot, "%s.", ts);
    mac3(secret, strlen(secret), tsdot, (size_t)n, body, len, NULL, 0, out);
}

static void macStd(const void *key, size_t keylen, const char *id, const char *ts, const char *body, size_t len,
                   unsigned char out[MAC_LEN]) {
    char tsdot[32];
    int n = snprintf(tsdot, sizeof tsdot, ".%s.", ts);
    mac3(key, keylen, id, strlen(id), tsdot, (size_t)n, body, len, out);
}

/* ---- checks -------------------------------------------------------------------- */

/* Unix seconds: 1..12 decimal digits, nothing else. */
static int parseTimestamp(const char *s, int64_t *out) {
    size_t n = strlen(s);
    if (n == 0 || n > 12) return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static gw_auth_result refuse(gw_auth *out, gw_auth_result r, const char *reason) {
    snprintf(out->reason, sizeof out->reason, "%s", reason);
    return r;
}

/* Timestamp header present, well-formed and within the skew. */
static gw_auth_result checkTimestamp(const char *name, const char *ts, int64_t now_s, gw_auth *out) {
    int64_t t;
    if (!ts) {
        snprintf(out->reason, sizeof out->reason, "missing %s", name);
        return GW_AUTH_MISSING;
    }
    if (parseTimestamp(ts, &t) != 0) {
        snprintf(out->reason, sizeof out->reason, "%s must be unix seconds (decimal digits)", name);
        return GW_AUTH_MISSING;
    }
    int64_t d = t - now_s;
    if (d > GW_AUTH_SKEW_S || d < -GW_AUTH_SKEW_S) {
        snprintf(out->reason, sizeof out->reason, "%s is %s than %d s from now (clock skew or a replay)", name,
                 d > 0 ? "further ahead" : "further back", GW_AUTH_SKEW_S);
        return GW_AUTH_STALE;
    }
    return GW_AUTH_OK;
}

/* The shop's secrets for p; refuses when it has none. */
static gw_auth_result shopSecrets(const cs_shop *shop, cs_webhook_platform p, gw_auth *out) {
    out->shop = shop;
    if (!shop->secrets[p][0]) {
        snprintf(out->reason, sizeof out->reason, "shop takes no %s webhooks (no secret configured)",
                 cs_webhook_platform_name(p));
        return GW_AUTH_NO_SECRET;
    }
    return GW_AUTH_OK;
}

static gw_auth_result verifyCs(const cs_shop *shop, cs_webhook_platform p, const gw_auth_headers *h, const char *body,
                               size_t len, int64_t now_s, gw_auth *out) {
    static const char prefix[] = "sha256=";
    out->scheme = "x-cs-signature";
    gw_auth_result r = checkTimestamp("X-CS-Timestamp", h->cs_timestamp, now_s, out);
    if (r != GW_AUTH_OK) return r;
    unsigned char got[MAC_LEN];
    const char *sig = h->cs_signature;
    if (strncmp(sig, prefix, sizeof prefix - 1) != 0 ||
        hexDecode(sig + sizeof prefix - 1, strlen(sig + sizeof prefix - 1), got, MAC_LEN) != 0)
        return refuse(out, GW_AUTH_MISSING, "X-CS-Signature must be sha256=<64 hex digits>");
    for (int k = 0; k < CS_SHOP_MAX_SECRETS && shop->secrets[p][k]; k++) {
        unsigned char want[MAC_LEN];
        macCs(shop->secrets[p][k], h->cs_timestamp, body, len, want);
        if (CRYPTO_memcmp(want, got, MAC_LEN) == 0) {
            out->secret_index = k;
            return GW_AUTH_OK;
        }
    }
    return refuse(out, GW_AUTH_BAD_SIGNATURE, "X-CS-Signature does not match the body and timestamp");
}

/* The candidate keys of a Standard Webhooks signature (gw_auth.h). */
typedef struct stdKeys {
    unsigned char buf[2][STD_KEY_MAX];
    const unsigned char *key[2];
    size_t len[2];
    int n;
} stdKeys;

static void stdKeysOf(const char *secret, stdKeys *k) {
    static const char whsec[] = "whsec_";
    k->n = 0;
    size_t slen = strlen(secret);
    if (strncmp(secret, whsec, sizeof whsec - 1) == 0) {
        long n = b64Decode(secret + sizeof whsec - 1, slen - (sizeof whsec - 1), k->buf[0], STD_KEY_MAX);
        if (n > 0) {
            k->key[0] = k->buf[0];
            k->len[0] = (size_t)n;
            k->n = 1;
        }
        return; /* a whsec_ secret that does not decode signs nothing */
    }
    k->key[k->n] = (const unsigned char *)secret;
    k->len[k->n++] = slen;
    long n = b64Decode(secret, slen, k->buf[1], STD_KEY_MAX);
    if (n > 0) {
        k->key[k->n] = k->buf[1];
        k->len[k->n++] = (size_t)n;
    }
}

static gw_auth_result verifyStandard(const cs_shop *shop, const gw_auth_headers *h, const char *body, size_t len,
                                     int64_t now_s, gw_auth *out) {
    out->scheme = "standard-webhooks";
    if (!h->wh_id || !*h->wh_id || strlen(h->wh_id) > 256)
        return refuse(out, GW_AUTH_MISSING, "missing webhook-id (1..256 characters)");
    gw_auth_result r = checkTimestamp("webhook-timestamp", h->wh_timestamp, now_s, out);
    if (r != GW_AUTH_OK) return r;
    /* the signatures the header lists, decoded; unknown versions skipped */
    unsigned char got[8][MAC_LEN];
    int ngot = 0;
    for (const char *s = h->wh_signature; *s && ngot < 8;) {
        while (*s == ' ') s++;
        size_t n = strcspn(s, " ");
        if (n > 3 && strncmp(s, "v1,", 3) == 0 && b64Decode(s + 3, n - 3, got[ngot], MAC_LEN) == MAC_LEN) ngot++;
        s += n;
    }
    if (ngot == 0) return refuse(out, GW_AUTH_MISSING, "webhook-signature has no v1,<base64 HMAC-SHA256> entry");
    for (int k = 0; k < CS_SHOP_MAX_SECRETS && shop->secrets[CS_WEBHOOK_GENERIC][k]; k++) {
        stdKeys keys;
        stdKeysOf(shop->secrets[CS_WEBHOOK_GENERIC][k], &keys);
        for (int i = 0; i < keys.n; i++) {
            unsigned char want[MAC_LEN];
            macStd(keys.key[i], keys.len[i], h->wh_id, h->wh_timestamp, body, len, want);
            for (int g = 0; g < ngot; g++) {
                if (CRYPTO_memcmp(want, got[g], MAC_LEN) == 0) {
                    out->secret_index = k;
                    out->webhook_id = h->wh_id;
                    return GW_AUTH_OK;
                }
            }
        }
    }
    return refuse(out, GW_AUTH_BAD_SIGNATURE, "no webhook-signature entry matches the body, id and timestamp");
}

static gw_auth_result verifyShopify(const cs_shops *shops, const gw_auth_headers *h, const char *body, size_t len,
                                    gw_auth *out) {
    out->scheme = "shopify";
    if (!h->shopify_domain || !*h->shopify_domain) return refuse(out, GW_AUTH_MISSING, "missing X-Shopify-Shop-Domain");
    const cs_shop *shop = cs_shops_find_shopify(shops, h->shopify_domain);
    if (!shop) return refuse(out, GW_AUTH_UNKNOWN_SHOP, "no shop has this X-Shopify-Shop-Domain");
    gw_auth_result r = shopSecrets(shop, CS_WEBHOOK_SHOPIFY, out);
    if (r != GW_AUTH_OK) return r;
    unsigned char got[MAC_LEN];
    if (!h->shopify_hmac) return refuse(out, GW_AUTH_MISSING, "missing X-Shopify-Hmac-Sha256");
    if (b64Decode(h->shopify_hmac, strlen(h->shopify_hmac), got, MAC_LEN) != MAC_LEN)
        return refuse(out, GW_AUTH_MISSING, "X-Shopify-Hmac-Sha256 must be the base64 of 32 bytes");
    for (int k = 0; k < CS_SHOP_MAX_SECRETS && shop->secrets[CS_WEBHOOK_SHOPIFY][k]; k++) {
        unsigned char want[MAC_LEN];
        const char *sec = shop->secrets[CS_WEBHOOK_SHOPIFY][k];
        mac3(sec, strlen(sec), body, len, NULL, 0, NULL, 0, want);
        if (CRYPTO_memcmp(want, got, MAC_LEN) == 0) {
            out->secret_index = k;
            return GW_AUTH_OK;
        }
    }
    return refuse(out, GW_AUTH_BAD_SIGNATURE, "X-Shopify-Hmac-Sha256 does not match the body");
}

gw_auth_result gw_auth_verify(cs_webhook_platform p, const cs_shops *shops, const gw_auth_headers *h, const char *body,
                              size_t len, int64_t now_s, gw_auth *out) {
    memset(out, 0, sizeof *out);
    if (p == CS_WEBHOOK_SHOPIFY) return verifyShopify(shops, h, body, len, out);
    out->scheme = "x-cs-signature";
    if (!h->cs_shop || !*h->cs_shop) return refuse(out, GW_AUTH_MISSING, "missing X-CS-Shop (the shop's id)");
    const cs_shop *shop = cs_shops_find(shops, h->cs_shop);
    if (!shop) return refuse(out, GW_AUTH_UNKNOWN_SHOP, "unknown shop (X-CS-Shop)");
    gw_auth_result r = shopSecrets(shop, p, out);
    if (r != GW_AUTH_OK) return r;
    if (h->cs_signature) return verifyCs(shop, p, h, body, len, now_s, out);
    if (p == CS_WEBHOOK_GENERIC && h->wh_signature) return verifyStandard(shop, h, body, len, now_s, out);
    return refuse(out, GW_AUTH_MISSING,
                  p == CS_WEBHOOK_GENERIC ? "missing X-CS-Signature (or the Standard Webhooks webhook-signature)"
                                          : "missing X-CS-Signature");
}

int gw_auth_status(gw_auth_result r) {
    switch (r) {
        case GW_AUTH_OK: return 200;
        case GW_AUTH_UNKNOWN_SHOP:
        case GW_AUTH_NO_SECRET: return 404;
        case GW_AUTH_MISSING:
        case GW_AUTH_STALE:
        case GW_AUTH_BAD_SIGNATURE: return 401;
    }
    return 401;
}

/* ---- signing -------------------------------------------------------------------- */

static void hexEncode(const unsigned char *in, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void gw_auth_sign_cs(const char *secret, const char *timestamp, const char *body, size_t len, char *out,
                     size_t outlen) {
    unsigned char mac[MAC_LEN];
    char hex[2 * MAC_LEN + 1];
    macCs(secret, timestamp, body, len, mac);
    hexEncode(mac, MAC_LEN, hex);
    snprintf(out, outlen, "sha256=%s", hex);
}

void gw_auth_sign_shopify(const char *secret, const char *body, size_t len, char *out, size_t outlen) {
    unsigned char mac[MAC_LEN];
    mac3(secret, strlen(secret), body, len, NULL, 0, NULL, 0, mac);
    b64Encode(mac, MAC_LEN, out, outlen);
}

void gw_auth_sign_standard(const char *secret, const char *id, const char *timestamp, const char *body, size_t len,
                           char *out, size_t outlen) {
    stdKeys keys;
    stdKeysOf(secret, &keys);
    unsigned char mac[MAC_LEN];
    char b64[64];
    if (keys.n == 0) { /* a whsec_ secret that does not decode: nothing can verify it */
        if (outlen) out[0] = '\0';
        return;
    }
    macStd(keys.key[0], keys.len[0], id, timestamp, body, len, mac);
    b64Encode(mac, MAC_LEN, b64, sizeof b64);
    snprintf(out, outlen, "v1,%s", b64);
}
