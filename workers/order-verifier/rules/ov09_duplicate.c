/* ov09_duplicate.c -- OV-9: a second order by the same buyer, to the same
 * address, with the same SKUs and quantities, placed less than 24 h after
 * the first, is DUPLICATE_SUSPECTED: on hold until an agent confirms it.
 *
 * Handbook: 000 §2 #2 ("要跟客户仔细核对订购的产品,数量,金额和付款方式及地址
 * (之前出现一字之差,照成重复发4个EMS,成本太高)").
 *
 * Why it is built this way: the two orders have different keys and land on
 * different partitions and worker copies, so the comparison cannot be done
 * in memory. Each order version gets a fingerprint, a hex SHA-256 (OpenSSL
 * EVP) over shop, buyer, normalised address and the sorted (SKU, total
 * quantity) pairs; the worker stores it and looks up other orders with the
 * same fingerprint (ov_state.priors), which works across partitions. Each
 * part is written length-prefixed, so no two different orders can produce
 * the same hashed bytes by shifting text between fields. The address is
 * province + city + district + street concatenated and then normalised by
 * cs_text_normalize() (NFKC: full-width digits and letters become ASCII;
 * whitespace and punctuation removed; case-folded): "一字之差" typed with a
 * full-width "１２号" or an extra space is the same address. Quantities of a
 * SKU over several lines add up, and the order of lines does not matter.
 *
 * Which of the two is held: the one verified second, whatever their
 * placing times. The later-placed order often reaches the verifier first
 * (its partition was ahead, or the earlier one waited for payment); holding
 * only "the later-placed" would then let both ship, which is the one thing
 * the rule forbids. So an order is held when another order with the same
 * fingerprint, placed less than 24 h before or after it and verified
 * before it, is not cancelled, whatever state that twin is in (verified,
 * shipped, or itself held). A held twin counts too: the handbook's parcel
 * went out four times, A, B, C, D each a day or less after the one
 * before, and C may be more than 24 h after A; comparing C only with
 * unheld orders would let it ship (issue 13). The worker verifies one
 * buyer's orders one at a time (an advisory lock per buyer, across
 * partitions), so of two orders exactly one is verified first. Which one
 * was is known from what the worker stores: an order re-verified later
 * (payment, address change) that is already recorded unheld with this
 * fingerprint came first, and its held twins were held after it and
 * because of it (ov_prior_order.verified_before false): they do not hold
 * it, and it stays verified. An order new to its fingerprint, or already
 * held, counts every twin, so the held one stays held. Unheld twins hold
 * an order whatever the order of verification (as before chains).
 * The reason names the earliest-placed twin matched; the agent's task
 * names every one, earliest first, so the whole group is checked at once.
 * "Less than 24 h" is half-open as RULES.md says: exactly 24 h apart is no
 * duplicate, 23 h 59 m is. A cancelled twin is no reason to hold. */
#include "ov_rules.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cs/text.h"
#include "cs/util.h"

/* The bytes hashed, built in one buffer: "cs.ov9.v1;" then each part as
 * "<len>:<bytes>;". Formatted by hand: this runs for every order version,
 * and snprintf per part (and per hex digit) was a tenth of the verifier. */
typedef struct fp_buf {
    char *p; /* stack until it outgrows it, then heap */
    size_t n, cap;
    bool heap;
} fp_buf;

static void fp_add(fp_buf *b, const char *s, size_t n) {
    if (b->n + n > b->cap) {
        size_t cap = b->cap;
        while (b->n + n > cap) cap *= 2;
        char *p = cs_xmalloc(cap);
        memcpy(p, b->p, b->n);
        if (b->heap) free(b->p);
        b->p = p;
        b->cap = cap;
        b->heap = true;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

/* v in decimal into d (at least 21 bytes, no NUL); returns the length. */
static size_t fp_decimal(char *d, int64_t v) {
    char t[24];
    size_t k = sizeof t, n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do t[--k] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0) d[n++] = '-';
    memcpy(d + n, t + k, sizeof t - k);
    return n + sizeof t - k;
}

static void hash_part(fp_buf *b, const char *s, size_t n) {
    char len[24];
    fp_add(b, len, fp_decimal(len, (int64_t)n));
    fp_add(b, ":", 1);
    fp_add(b, s, n);
    fp_add(b, ";", 1);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The normalised address (caller frees), or NULL if it is not UTF-8. */
static char *normalized_address(const Cs__V1__Order *o) {
    const Cs__V1__Address *a = o->receiver ? o->receiver->address : NULL;
    const char *parts[4] = {a ? a->province : NULL, a ? a->city : NULL, a ? a->district : NULL, a ? a->street : NULL};
    size_t len = 1;
    for (int i = 0; i < 4; i++) len += strlen(ov_str(parts[i]));
    char *raw = cs_xmalloc(len);
    raw[0] = '\0';
    for (int i = 0; i < 4; i++) strcat(raw, ov_str(parts[i]));
    /* NFKC may expand a code point up to 18 times; try small, then worst. */
    size_t caps[2] = {len * 4 + 64, len * 18 * 3 + 64};
    for (int i = 0; i < 2; i++) {
        char *out = cs_xmalloc(caps[i]);
        if (cs_text_normalize(raw, out, caps[i]) >= 0) {
            free(raw);
            return out;
        }
        free(out);
    }
    free(raw);
    return NULL;
}

/* OV-9 */
bool ov9_fingerprint(const char *shop_id, const Cs__V1__Order *o, char out[OV_FP_LEN]) {
    out[0] = '\0';
    if (ov_blank(o->buyer_id)) return false; /* "same buyer" cannot be established */
    char *addr = normalized_address(o);
    if (!addr) return false;

    /* distinct SKUs, sorted, so line order and splitting do not matter */
    const char **skus = cs_xmalloc(sizeof *skus * (o->n_lines ? o->n_lines : 1));
    size_t n = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        if (!o->lines[i]) continue;
        const char *sku = ov_str(o->lines[i]->sku);
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++) seen = strcmp(skus[j], sku) == 0;
        if (!seen) skus[n++] = sku;
    }
    qsort(skus, n, sizeof *skus, cmp_str);

    const char *shop = ov_str(shop_id), *buyer = o->buyer_id;
    char stack[512];
    fp_buf b = {stack, 0, sizeof stack, false};
    fp_add(&b, "cs.ov9.v1;", 10);
    hash_part(&b, shop, strlen(shop));
    hash_part(&b, buyer, strlen(buyer));
    hash_part(&b, addr, strlen(addr));
    for (size_t i = 0; i < n; i++) {
        char qty[24];
        size_t k = fp_decimal(qty, ov_sku_quantity(o, skus[i]));
        hash_part(&b, skus[i], strlen(skus[i]));
        hash_part(&b, qty, k);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    bool ok = EVP_Digest(b.p, b.n, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32;
    if (b.heap) free(b.p);
    free(skus);
    free(addr);
    if (!ok) return false;
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < mdlen; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * mdlen] = '\0';
    return true;
}

/* true if (a_ms, a_id) was placed before (b_ms, b_id): created time, then
 * order id. Orders the twins named in the reason and the task. */
static bool placed_before(int64_t a_ms, const char *a_id, int64_t b_ms, const char *b_id) {
    if (a_ms != b_ms) return a_ms < b_ms;
    return strcmp(ov_str(a_id), ov_str(b_id)) < 0;
}

/* true if p makes o a duplicate: another order, not cancelled, placed less
 * than window_ms before or after o, and not held, or held but verified
 * before o (a link of a chain). *gap = o's created time minus p's. */
static bool is_twin(const Cs__V1__Order *o, const ov_prior_order *p, int64_t window_ms, int64_t *gap) {
    if (!p->order_id || strcmp(p->order_id, ov_str(o->order_id)) == 0 || p->cancelled) return false;
    if (p->held && !p->verified_before) return false; /* held after, and because of, this order */
    if (__builtin_sub_overflow(o->created_ms, p->created_ms, gap) || *gap == INT64_MIN) return false;
    return (*gap < 0 ? -*gap : *gap) < window_ms; /* half-open: exactly 24 h apart is outside */
}

#define OV9_TASK_FMT "order %s may duplicate %s: confirm with the buyer before shipping"

/* OV-9 */
void ov9_check_duplicate(const Cs__V1__Order *o, const ov_state *st, const cs_shop *shop, ov_decision *d) {
    int64_t window_ms = (int64_t)shop->th.duplicate_window_min * 60 * 1000;
    const ov_prior_order *hit = NULL;
    int64_t hit_gap = 0, gap;
    size_t nhits = 0;
    for (size_t i = 0; st && i < st->npriors; i++) {
        const ov_prior_order *p = &st->priors[i];
        if (!is_twin(o, p, window_ms, &gap)) continue;
        nhits++;
        if (!hit || placed_before(p->created_ms, p->order_id, hit->created_ms, hit->order_id)) {
            hit = p; /* name the earliest one */
            hit_gap = gap;
        }
    }
    if (!hit) return;
    int64_t gap_min = (hit_gap < 0 ? -hit_gap : hit_gap) / 60000;
    char more[48] = "";
    if (nhits > 1) snprintf(more, sizeof more, " (and %zu more: see the task)", nhits - 1);
    ov_add_reason(d, "OV-9", OV_DUPLICATE_SUSPECTED,
                  "same buyer, address and items as order %s placed %" PRId64 " h %" PRId64 " min %s%s", hit->order_id,
                  gap_min / 60, gap_min % 60, hit_gap >= 0 ? "earlier" : "later", more);

    /* every twin, earliest placed first, as many as the summary holds;
     * the rest counted ("and 2 more") */
    char names[OV_SUMMARY_LEN];
    size_t len = 0, named = 0;
    size_t fixed = strlen(OV9_TASK_FMT) - 4 + strlen(ov_str(o->order_id)) + 32; /* " and <n> more", NUL */
    size_t room = fixed < sizeof names ? sizeof names - fixed : 0;
    const ov_prior_order *prev = NULL;
    names[0] = '\0';
    while (named < nhits) {
        const ov_prior_order *next = NULL;
        for (size_t i = 0; i < st->npriors; i++) {
            const ov_prior_order *p = &st->priors[i];
            if (!is_twin(o, p, window_ms, &gap)) continue;
            if (prev && !placed_before(prev->created_ms, prev->order_id, p->created_ms, p->order_id)) continue;
            if (!next || placed_before(p->created_ms, p->order_id, next->created_ms, next->order_id)) next = p;
        }
        if (!next) break;
        size_t need = (named ? 2 : 0) + strlen(next->order_id);
        if (len + need >= room) break;
        len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", named ? ", " : "", next->order_id);
        named++;
        prev = next;
    }
    if (named < nhits) snprintf(names + len, sizeof names - len, named ? " and %zu more" : "%zu orders", nhits - named);
    ov_add_task(d, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "OV-9", false, OV9_TASK_FMT, ov_str(o->order_id), names);
}
