/* text.h -- text helpers the rules share: normalisation for comparisons
 * (OV-9), phone and address checks (OV-3), masking for logs, money
 * arithmetic (integer fen, half-up rounding). All pure; ICU does NFKC. */
#ifndef CS_TEXT_H
#define CS_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* The length (1..4) of the well-formed UTF-8 character at p[0..n), or 0:
 * a stray continuation byte, an overlong form, a surrogate, a code point
 * past U+10FFFF, or a character cut by the end. n >= 1. */
size_t cs_utf8_char(const char *p, size_t n);
/* Makes s valid UTF-8 in place: each byte that is not part of a
 * well-formed character (one cut by a "%.64s", a stray byte) becomes '?'.
 * Returns how many were replaced. Text that is logged or stored as
 * PostgreSQL text, and is built from what an outsider sent, goes through
 * it (a poison event's reason). */
size_t cs_utf8_repair(char *s);

/* OV-9 normalisation: Unicode NFKC (full-width digits and letters become
 * ASCII), then every whitespace and punctuation code point removed, then
 * case-folded. Writes NUL-terminated UTF-8 into out; returns its length,
 * or -1 if in is not valid UTF-8 or out is too small. */
int cs_text_normalize(const char *in, char *out, size_t outlen);
/* The same, always through ICU: cs_text_normalize() takes a path of its
 * own for ASCII and common CJK text, and tests compare the two. */
int cs_text_normalize_icu(const char *in, char *out, size_t outlen);

/* OV-3: a mainland mobile (1[3-9] + 9 digits) or an area-code landline
 * (0 + 2..3 digit area code + 7..8 digits, optional '-' after the area
 * code and optional "-ext"). Full-width digits are accepted (NFKC first);
 * spaces are ignored. A +86 / 0086 prefix is accepted for mobiles. */
bool cs_phone_valid(const char *phone);

/* Masks phone numbers for logs: every run of 11 digits starting with 1
 * becomes 138****8000; landlines keep their first 3 and last 2 digits.
 * Writes into out (NUL-terminated, truncated to outlen). */
void cs_mask_phones(const char *in, char *out, size_t outlen);

/* Masks an address for logs: keeps the first two UTF-8 characters and
 * replaces the rest with "****". */
void cs_mask_address(const char *in, char *out, size_t outlen);

/* Money: amount * bp / 10000 rounded half up to the fen (bp = basis
 * points; 500 = 5 %). amount >= 0. */
int64_t cs_fen_percent_bp(int64_t amount_fen, int bp);

/* "12.34" (yuan with two decimals) for messages; buf >= 24 bytes. */
void cs_fen_format(int64_t fen, char *buf, size_t len);

#endif
