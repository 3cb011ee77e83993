/* ov_common.c -- helpers the order-verifier's rule files share (RULES.md
 * section 1): recording reasons, annotations, tasks and notes into fixed
 * buffers, and the money and text primitives several rules need.
 *
 * Handbook: none of its own; it serves OV-1..OV-14 and NT-6.
 *
 * Why it is built this way: a decision is a plain struct with fixed-size
 * arrays so rules never allocate and a test can inspect it directly. When
 * an array is full the extra entry is dropped (never written past the end);
 * OV_MAX_REASONS is larger than the number of rules that can give a reason,
 * so in practice nothing is lost. Money helpers check every sum for
 * overflow with the compiler builtins: an impossible amount is reported by
 * the caller as a reason, never undefined behaviour. */
#include "ov_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/text.h"
#include "cs/util.h"

void ov_decision_init(ov_decision *d) {
    memset(d, 0, sizeof *d);
    d->state = CS__V1__VERDICT_STATE__VERDICT_STATE_UNSPECIFIED;
}

void ov_add_reason(ov_decision *d, const char *rule, const char *code, const char *fmt, ...) {
    if (d->nreasons >= OV_MAX_REASONS) return;
    ov_reason *r = &d->reasons[d->nreasons++];
    r->rule = rule;
    r->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
}

void ov_add_annotation(ov_decision *d, const char *rule, const char *code, const char *line_id, const char *fmt, ...) {
    if (d->nannotations >= OV_MAX_ANNOTATIONS) return;
    ov_annotation *a = &d->annotations[d->nannotations++];
    a->rule = rule;
    a->code = code;
    a->line_id = line_id;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->detail, sizeof a->detail, fmt, ap);
    va_end(ap);
}

bool ov_has_reason(const ov_decision *d, const char *code) {
    for (int i = 0; i < d->nreasons; i++)
        if (strcmp(d->reasons[i].code, code) == 0) return true;
    return false;
}

void ov_add_task(ov_decision *d, Cs__V1__TaskKind kind, const char *rule, bool urgent, const char *fmt, ...) {
    if (d->ntasks >= OV_MAX_TASKS) return;
    va_list ap;
    va_start(ap, fmt);
    cs_task_vset(&d->tasks[d->ntasks++], kind, rule, urgent, fmt, ap);
    va_end(ap);
}

void ov_task_set(ov_task *t, Cs__V1__TaskKind kind, const char *rule, bool urgent, const char *fmt, ...) {
    if (!t) return;
    va_list ap;
    va_start(ap, fmt);
    cs_task_vset(t, kind, rule, urgent, fmt, ap);
    va_end(ap);
}

void ov_note_init(ov_note *n, const char *rule, const char *template_id, Cs__V1__MessageChannel channel,
                  Cs__V1__MessageClass klass) {
    memset(n, 0, sizeof *n);
    n->rule = rule;
    n->template_id = template_id;
    n->channel = channel;
    n->klass = klass;
}

Cs__V1__MessageChannel ov_shop_channel(const cs_shop *shop) {
    /* IM is free and the handbook's default; SMS only where the shop asks. */
    if (shop && shop->msg_pref == CS_MSG_PREF_SMS) return CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS;
    return CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM;
}

void ov_appendf(char *buf, size_t len, const char *fmt, ...) {
    size_t used = strnlen(buf, len);
    if (used + 1 >= len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

/* ---- text ---------------------------------------------------------------- */

const char *ov_str(const char *s) { return s ? s : ""; }

/* Length of the whitespace code point at p (ASCII space/tab/CR/LF/VT/FF or
 * U+3000 IDEOGRAPHIC SPACE, which Chinese input methods type), else 0. */
static size_t space_len(const char *p) {
    unsigned char c = (unsigned char)p[0];
    if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
    if (c == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80) return 3;
    return 0;
}

bool ov_blank(const char *s) {
    if (!s) return true;
    for (const char *p = s; *p;) {
        size_t n = space_len(p);
        if (!n) return false;
        p += n;
    }
    return true;
}

/* Trims s into a fresh buffer (caller frees). */
static char *trim_dup(const char *s) {
    while (*s) {
        size_t n = space_len(s);
        if (!n) break;
        s += n;
    }
    size_t len = strlen(s);
    /* trailing: walk back over ASCII spaces and U+3000 */
    while (len > 0) {
        if (space_len(s + len - 1) == 1)
            len--;
        else if (len >= 3 && space_len(s + len - 3) == 3)
            len -= 3;
        else
            break;
    }
    char *out = cs_xmalloc(len + 1);
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}

/* Normalised copy of s (caller frees), or NULL when s is not valid UTF-8. */
static char *normalized_dup(const char *s) {
    size_t len = strlen(s);
    /* NFKC can expand a code point many times over (U+FDFA is 18 code
     * points); try a generous size, then the worst case. */
    size_t caps[2] = {len * 4 + 64, len * 18 * 3 + 64};
    for (int i = 0; i < 2; i++) {
        char *buf = cs_xmalloc(caps[i]);
        if (cs_text_normalize(s, buf, caps[i]) >= 0) return buf;
        free(buf);
    }
    return NULL;
}

char *ov_canon_name(const char *s) {
    if (ov_blank(s)) return NULL;
    char *c = normalized_dup(s);
    if (!c) c = trim_dup(s); /* not UTF-8: no normalisation possible, keep the bytes */
    if (!c[0]) {             /* punctuation only */
        free(c);
        return NULL;
    }
    return c;
}

bool ov_names_equal(const char *a, const char *b) {
    char *ca = ov_canon_name(a), *cb = ov_canon_name(b);
    bool eq = ca && cb && strcmp(ca, cb) == 0;
    free(ca);
    free(cb);
    return eq;
}

/* ---- money ----------------------------------------------------------------- */

bool ov_item_total(const Cs__V1__Order *o, int64_t *out) {
    int64_t total = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        const Cs__V1__OrderLine *l = o->lines[i];
        int64_t sub;
        if (!l || l->quantity < 0 || l->unit_price_fen < 0) return false;
        if (__builtin_mul_overflow((int64_t)l->quantity, l->unit_price_fen, &sub) ||
            __builtin_add_overflow(total, sub, &total))
            return false;
    }
    *out = total;
    return true;
}

bool ov_discount_total(const Cs__V1__Order *o, int64_t *out) {
    int64_t total = 0;
    for (size_t i = 0; i < o->n_discounts; i++) {
        const Cs__V1__Discount *dc = o->discounts[i];
        if (!dc) continue;
        if (dc->amount_fen < 0 || __builtin_add_overflow(total, dc->amount_fen, &total)) return false;
    }
    *out = total;
    return true;
}

bool ov_order_cod(const Cs__V1__Order *o) {
    return o->cod || o->payment_method == CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD;
}

bool ov_order_committed(const Cs__V1__Order *o) { return o->paid_ms != 0 || ov_order_cod(o); }

bool ov_order_over(const Cs__V1__OrderState *st) { return st->cancelled_ms != 0 || st->closed_ms != 0; }

int64_t ov_sku_quantity(const Cs__V1__Order *o, const char *sku) {
    int64_t n = 0;
    for (size_t i = 0; i < o->n_lines; i++)
        if (o->lines[i] && strcmp(ov_str(o->lines[i]->sku), sku) == 0 && o->lines[i]->quantity > 0)
            n += o->lines[i]->quantity;
    return n;
}
