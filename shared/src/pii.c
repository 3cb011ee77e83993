/* pii.c -- PII retention's pure part (see pii.h): the closing instant of
 * an order, the cutoff, and the masks. The I/O (which rows, locks,
 * batches) is cscli's (tools/cscli/cmd_pii.c). */
#include "cs/pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/util.h"

void cs_pii_mask_phone(const char *in, char *out, size_t outlen) {
    if (outlen == 0) return;
    out[0] = '\0';
    if (!in || !*in) return;
    size_t n = strlen(in);
    /* already masked: "****", or 3 digits, "****" and the last 4 ("138****8000") */
    bool masked = strcmp(in, "****") == 0 || (n == 11 && memcmp(in + 3, "****", 4) == 0);
    if (masked) {
        snprintf(out, outlen, "%s", in);
    } else if (n >= 11) {
        snprintf(out, outlen, "%.3s****%s", in, in + n - 4);
    } else {
        snprintf(out, outlen, "****");
    }
}

int64_t cs_pii_cutoff_ms(int64_t now_ms, int days) { return now_ms - (int64_t)days * CS_PII_DAY_MS; }

static int64_t later(int64_t a, int64_t b) { return a > b ? a : b; }

int64_t cs_pii_order_closed_ms(const Cs__V1__OrderState *st) {
    if (!st) return 0;
    int64_t t = 0;
    if (st->order) {
        t = later(t, st->order->created_ms);
        t = later(t, st->order->paid_ms);
        t = later(t, st->order->modified_ms);
    }
    t = later(t, st->shipped_ms);
    t = later(t, st->signed_ms);
    t = later(t, st->closed_ms);
    t = later(t, st->cancelled_ms);
    t = later(t, st->held_ms);
    t = later(t, st->last_verdict_ms);
    t = later(t, st->missed_listed_ms);
    for (size_t i = 0; i < st->n_versions; i++)
        if (st->versions[i]) t = later(t, st->versions[i]->modified_ms);
    return t;
}

bool cs_pii_order_due(const Cs__V1__OrderState *st, int64_t cutoff_ms) {
    int64_t closed = cs_pii_order_closed_ms(st);
    return closed > 0 && closed <= cutoff_ms;
}

/* Replaces *f by v when it differs; 1 when changed. The empty default
 * (protobuf_c_empty_string) is static and never freed. */
static int setStr(char **f, const char *v) {
    if (*f && strcmp(*f, v) == 0) return 0;
    if (!*f && !*v) return 0;
    if (*f && *f != protobuf_c_empty_string) free(*f);
    *f = cs_xstrdup(v);
    return 1;
}

/* A name: "*" unless empty. */
static int maskName(char **f) { return *f && **f ? setStr(f, CS_PII_NAME_MARK) : 0; }

static int maskPhone(char **f) {
    if (!*f || !**f) return 0;
    char buf[256];
    cs_pii_mask_phone(*f, buf, sizeof buf);
    return setStr(f, buf);
}

int cs_pii_mask_order(Cs__V1__OrderState *st) {
    if (!st || !st->order) return 0;
    /* the buyer's message and the seller's memo are free text that often
     * carries a number or an address ("call 138... before delivery"):
     * emptied, OV-7 needs them only while the order is checked */
    int n = setStr(&st->order->buyer_message, "") + setStr(&st->order->seller_memo, "");
    if (!st->order->receiver) return n;
    Cs__V1__Receiver *r = st->order->receiver;
    n += maskName(&r->name) + maskPhone(&r->phone);
    if (r->address) {
        Cs__V1__Address *a = r->address;
        n += setStr(&a->city, "") + setStr(&a->district, "") + setStr(&a->street, "") + setStr(&a->postcode, "");
    }
    return n;
}

int cs_pii_mask_review_case(Cs__V1__ReviewCaseState *rc) {
    if (!rc) return 0;
    return maskPhone(&rc->buyer_phone) + maskName(&rc->buyer_id);
}

int cs_pii_mask_refund_case(Cs__V1__RefundCaseState *rc) {
    if (!rc) return 0;
    return maskPhone(&rc->refund_account);
}
