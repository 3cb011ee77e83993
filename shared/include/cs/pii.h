/* pii.h -- PII retention (docs/security.md "PII retention"): when the
 * buyer's phone, name and address of an order or case are due to be
 * purged, and how they are masked. Pure functions: no I/O. `cscli pii
 * purge` (tools/cscli/cmd_pii.c) does the I/O around them.
 *
 * "Purged" means replaced by a marker, never deleted: ids, amounts, dates
 * and stages stay for reports. Every mask is idempotent: masking a masked
 * value gives it back unchanged, so a second run changes nothing. */
#ifndef CS_PII_H
#define CS_PII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/v1/state.pb-c.h"

#define CS_PII_DAY_MS INT64_C(86400000)
#define CS_PII_NAME_MARK "*" /* a purged name (receiver, buyer id of a case) */

/* The masked form of a phone number (or any contact value): the first 3
 * and last 4 characters of a value of 11 or more kept, "****" between
 * ("13800138000" -> "138****8000"); a shorter value becomes "****"; ""
 * stays "". Writes at most outlen-1 bytes plus NUL into out. Byte-wise, the
 * same rule as SQL cs_pii_mask_phone() (migration 0021). */
void cs_pii_mask_phone(const char *in, char *out, size_t outlen);

/* The business-time cutoff of a run: now less days whole days. A row
 * whose closing instant is at or before it is due. */
int64_t cs_pii_cutoff_ms(int64_t now_ms, int days);

/* The instant an order counts as closed for retention: its last activity,
 * the latest of every instant its state records (created, paid, shipped,
 * signed, closed, cancelled, held, last verdict, OV-13 listing, each field
 * group's modification time). A signed+closed or cancelled order closed
 * then (nothing later happened); an order still open is taken as closed
 * (abandoned) at its last activity. 0 when it records no instant. */
int64_t cs_pii_order_closed_ms(const Cs__V1__OrderState *st);

/* True when the order's PII is due: a closing instant, at or before
 * cutoff_ms. */
bool cs_pii_order_due(const Cs__V1__OrderState *st, int64_t cutoff_ms);

/* Masks the order's receiver in place: name "*", phone masked, address
 * parts emptied but the province (kept for reports: RF-3 postage, regional
 * counts); the buyer's message and the seller's memo (free text that holds
 * numbers and addresses) emptied. Returns the number of fields changed (0: nothing to purge,
 * already purged). Strings replaced are freed with free() (the default
 * protobuf-c allocator, as cs_* unpacks with). */
int cs_pii_mask_order(Cs__V1__OrderState *st);

/* A review case: buyer_phone masked, buyer_id "*". Same return. */
int cs_pii_mask_review_case(Cs__V1__ReviewCaseState *rc);

/* An after-sales case: refund_account (an Alipay or bank account, often a
 * phone number) masked like a phone. Same return. */
int cs_pii_mask_refund_case(Cs__V1__RefundCaseState *rc);

#endif
