/* webhook_send.c -- webhook requests to the gateway with libcurl's multi
 * interface (webhook_send.h).
 *
 * How it is built: the items of a phase are chained by key (an item waits
 * for the previous item of its key, found by sorting the indices by key),
 * so the startable items are those with no predecessor, taken in phase
 * order by a cursor, and the successors released as their predecessors
 * get their final answers, taken first. A slot is one open request; a
 * request answered 429 or 503 (or whose connection failed) waits in the
 * retry list until its Retry-After has passed and keeps its key blocked
 * meanwhile. One thread: curl_multi_poll() waits for sockets with a short
 * timeout so the stop flag and due retries are seen. */
#include "webhook_send.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "cs/clock.h"
#include "cs/util.h"

#define MAX_ATTEMPTS 10   /* sends of one request, retries included */
#define MAX_WAIT_MS 10000 /* longest wait before a retry, whatever Retry-After says */
#define REQUEST_TIMEOUT_MS 60000
#define MAX_STATUSES 16 /* distinct statuses counted per platform */

typedef struct whSlot {
    CURL *easy;              /* NULL: free */
    struct curl_slist *hdrs; /* this attempt's headers */
    size_t item;             /* index into the phase's items */
    char answer[256];        /* start of the answer body, for an error message */
    size_t answer_len;
} whSlot;

/* Final answers of one platform by status, kept in status order. */
typedef struct whCounts {
    int status[MAX_STATUSES]; /* HTTP status, 0 = no answer */
    long n[MAX_STATUSES];     /* answers with it */
    int len;
} whCounts;

typedef struct whRetry {
    size_t item;    /* index into the phase's items */
    int64_t due_ms; /* monotonic time it may go again */
} whRetry;

struct cs_wh_sender {
    char *base;   /* base URL without a trailing slash; owned */
    int inflight; /* slots */
    CURLM *multi;
    whSlot *slots;
    whCounts counts[CS_WEBHOOK_PLATFORMS]; /* by platform */
    long retries, answered;
    char first_error[512];
};

/* The phase being sent. */
typedef struct whPhase {
    const cs_wh_item *items;
    size_t n;
    size_t *next;            /* per item: the next item of its key, or n */
    unsigned char *has_prev; /* per item: waits for an earlier item of its key */
    int *attempts;           /* per item: sends so far */
    size_t cursor;           /* the next item without a predecessor to look at */
    size_t *released;        /* FIFO of successors now startable */
    size_t rel_head, rel_tail;
    whRetry *retry; /* requests waiting to go again */
    size_t nretry;
    size_t done; /* items with their final answer */
    long unexpected;
} whPhase;

cs_wh_sender *cs_wh_sender_new(const char *base_url, int inflight, char *errbuf, size_t errlen) {
    if (!base_url || (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0)) {
        snprintf(errbuf, errlen, "--gateway: an http:// or https:// URL expected");
        return NULL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        snprintf(errbuf, errlen, "libcurl: global init failed");
        return NULL;
    }
    cs_wh_sender *s = cs_xcalloc(1, sizeof *s);
    s->base = cs_xstrdup(base_url);
    size_t l = strlen(s->base);
    while (l > 0 && s->base[l - 1] == '/') s->base[--l] = '\0';
    s->inflight = inflight > 0 ? inflight : 1;
    s->slots = cs_xcalloc((size_t)s->inflight, sizeof *s->slots);
    s->multi = curl_multi_init();
    if (!s->multi) {
        snprintf(errbuf, errlen, "libcurl: multi init failed");
        cs_wh_sender_free(s);
        return NULL;
    }
    curl_multi_setopt(s->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)s->inflight);
    return s;
}

void cs_wh_sender_free(cs_wh_sender *s) {
    if (!s) return;
    for (int i = 0; i < s->inflight; i++)
        if (s->slots[i].easy) {
            curl_multi_remove_handle(s->multi, s->slots[i].easy);
            curl_easy_cleanup(s->slots[i].easy);
            curl_slist_free_all(s->slots[i].hdrs);
        }
    if (s->multi) curl_multi_cleanup(s->multi);
    curl_global_cleanup();
    free(s->slots);
    free(s->base);
    free(s);
}

/* ---- counts --------------------------------------------------------------------- */

static void countAnswer(cs_wh_sender *s, cs_webhook_platform p, int status) {
    if ((unsigned)p >= CS_WEBHOOK_PLATFORMS) return;
    whCounts *c = &s->counts[p];
    int i = 0;
    while (i < c->len && c->status[i] < status) i++;
    if (i < c->len && c->status[i] == status) {
        c->n[i]++;
        return;
    }
    if (c->len == MAX_STATUSES) return;
    memmove(&c->status[i + 1], &c->status[i], (size_t)(c->len - i) * sizeof *c->status);
    memmove(&c->n[i + 1], &c->n[i], (size_t)(c->len - i) * sizeof *c->n);
    c->status[i] = status;
    c->n[i] = 1;
    c->len++;
}

void cs_wh_sender_counts(const cs_wh_sender *s, char *out, size_t len) {
    static const cs_webhook_platform order[] = {CS_WEBHOOK_TAOBAO, CS_WEBHOOK_SHOPIFY, CS_WEBHOOK_GENERIC};
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof order / sizeof *order && k < len; i++) {
        const whCounts *c = &s->counts[order[i]];
        k += (size_t)snprintf(out + k, len - k, "%s%s%s", k ? ", " : "", cs_webhook_platform_name(order[i]),
                              c->len ? "" : " -");
        for (int j = 0; j < c->len && k < len; j++)
            k += (size_t)snprintf(out + k, len - k, " %d=%ld", c->status[j], c->n[j]);
    }
}

long cs_wh_sender_retries(const cs_wh_sender *s) { return s->retries; }
long cs_wh_sender_answered(const cs_wh_sender *s) { return s->answered; }
const char *cs_wh_sender_first_error(const cs_wh_sender *s) { return s->first_error; }

/* ---- the phase ------------------------------------------------------------------- */

static const cs_wh_item *sortItems; /* qsort's context: the items being chained */

static int byKeyThenIndex(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(sortItems[x].key ? sortItems[x].key : "", sortItems[y].key ? sortItems[y].key : "");
    return c ? c : (x < y ? -1 : x > y);
}

/* Chains every item to the next of its key (phase order). */
static void phaseInit(whPhase *ph, const cs_wh_item *items, size_t n) {
    memset(ph, 0, sizeof *ph);
    ph->items = items;
    ph->n = n;
    ph->next = cs_xcalloc(n ? n : 1, sizeof *ph->next);
    ph->has_prev = cs_xcalloc(n ? n : 1, 1);
    ph->attempts = cs_xcalloc(n ? n : 1, sizeof *ph->attempts);
    ph->released = cs_xcalloc(n ? n : 1, sizeof *ph->released);
    ph->retry = cs_xcalloc(n ? n : 1, sizeof *ph->retry);
    size_t *idx = cs_xcalloc(n ? n : 1, sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i, ph->next[i] = n;
    sortItems = items;
    qsort(idx, n, sizeof *idx, byKeyThenIndex);
    for (size_t i = 0; i + 1 < n; i++)
        if (items[idx[i]].key && items[idx[i + 1]].key && strcmp(items[idx[i]].key, items[idx[i + 1]].key) == 0) {
            ph->next[idx[i]] = idx[i + 1];
            ph->has_prev[idx[i + 1]] = 1;
        }
    free(idx);
}

static void phaseFree(whPhase *ph) {
    free(ph->next);
    free(ph->has_prev);
    free(ph->attempts);
    free(ph->released);
    free(ph->retry);
}

/* The next item to send: a due retry, a released successor, then the
 * cursor's next item without a predecessor. false when none is ready. */
static bool nextItem(whPhase *ph, int64_t now, size_t *item) {
    for (size_t i = 0; i < ph->nretry; i++)
        if (ph->retry[i].due_ms <= now) {
            *item = ph->retry[i].item;
            ph->retry[i] = ph->retry[--ph->nretry];
            return true;
        }
    if (ph->rel_head < ph->rel_tail) {
        *item = ph->released[ph->rel_head++];
        return true;
    }
    while (ph->cursor < ph->n && ph->has_prev[ph->cursor]) ph->cursor++;
    if (ph->cursor >= ph->n) return false;
    *item = ph->cursor++;
    return true;
}

static size_t onAnswer(char *data, size_t size, size_t nmemb, void *arg) {
    whSlot *slot = arg;
    size_t n = size * nmemb, room = sizeof slot->answer - 1 - slot->answer_len;
    memcpy(slot->answer + slot->answer_len, data, n < room ? n : room);
    slot->answer_len += n < room ? n : room;
    slot->answer[slot->answer_len] = '\0';
    return n;
}

/* Starts item in slot: signed now, sent as it is. */
static void startItem(cs_wh_sender *s, whPhase *ph, whSlot *slot, size_t item) {
    const cs_webhook *w = ph->items[item].wh;
    char hdr[CS_WEBHOOK_MAX_HEADERS][CS_WEBHOOK_HEADER_LEN];
    int nh = cs_webhook_headers(w, cs_real_ms() / 1000, hdr);
    slot->hdrs = NULL;
    for (int i = 0; i < nh; i++) slot->hdrs = curl_slist_append(slot->hdrs, hdr[i]);
    slot->hdrs = curl_slist_append(slot->hdrs, "Expect:"); /* no 100-continue round trip */
    char url[512];
    snprintf(url, sizeof url, "%s%s", s->base, cs_webhook_path(w->platform));
    slot->easy = curl_easy_init();
    if (!slot->easy) abort(); /* out of memory */
    slot->item = item;
    slot->answer_len = 0;
    slot->answer[0] = '\0';
    CURL *e = slot->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, slot->hdrs);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, w->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)w->len);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, onAnswer);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, slot);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)REQUEST_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, slot);
    ph->attempts[item]++;
    curl_multi_add_handle(s->multi, e);
}

/* The wait before sending again: Retry-After (capped), else a backoff. */
static int64_t retryWaitMs(CURL *e, int attempts) {
    curl_off_t after = -1;
    if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0)
        return after * 1000 > MAX_WAIT_MS ? MAX_WAIT_MS : after * 1000;
    int64_t ms = 250LL << (attempts < 6 ? attempts : 6);
    return ms > MAX_WAIT_MS ? MAX_WAIT_MS : ms;
}

/* A request in slot ended with status (0: no answer, res says why). */
static void finishSlot(cs_wh_sender *s, whPhase *ph, whSlot *slot, CURLcode res) {
    long status = 0;
    if (res == CURLE_OK) curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &status);
    size_t item = slot->item;
    const cs_webhook *w = ph->items[item].wh;
    bool again = (res != CURLE_OK || status == 429 || status == 503) && ph->attempts[item] < MAX_ATTEMPTS;
    if (again) {
        ph->retry[ph->nretry++] = (whRetry){item, cs_mono_ms() + retryWaitMs(slot->easy, ph->attempts[item])};
        s->retries++;
    } else {
        bool expected = w->expect == 202 ? status == 202 || status == 200 : status == w->expect;
        countAnswer(s, w->platform, (int)status);
        s->answered++;
        if (!expected) {
            if (!ph->unexpected++)
                snprintf(s->first_error, sizeof s->first_error, "%s %s (event %s): %ld, expected %d: %s",
                         cs_webhook_platform_name(w->platform), w->kind, w->event_id, status, w->expect,
                         res == CURLE_OK ? slot->answer : curl_easy_strerror(res));
        }
        ph->done++;
        if (ph->next[item] < ph->n) ph->released[ph->rel_tail++] = ph->next[item];
    }
    curl_multi_remove_handle(s->multi, slot->easy);
    curl_easy_cleanup(slot->easy);
    curl_slist_free_all(slot->hdrs);
    slot->easy = NULL;
    slot->hdrs = NULL;
}

long cs_wh_send(cs_wh_sender *s, const cs_wh_item *items, size_t n, volatile sig_atomic_t *stop) {
    whPhase ph;
    phaseInit(&ph, items, n);
    int running = 0;
    while (ph.done < n && !(stop && *stop)) {
        int64_t now = cs_mono_ms();
        for (int i = 0; i < s->inflight; i++) {
            size_t item;
            if (s->slots[i].easy || !nextItem(&ph, now, &item)) continue;
            startItem(s, &ph, &s->slots[i], item);
        }
        curl_multi_perform(s->multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(s->multi, &left)))
            if (m->msg == CURLMSG_DONE) {
                whSlot *slot = NULL;
                curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&slot);
                finishSlot(s, &ph, slot, m->data.result);
            }
        if (ph.done < n) curl_multi_poll(s->multi, NULL, 0, running ? 100 : 20, NULL);
    }
    /* interrupted: drop what is still open */
    for (int i = 0; i < s->inflight; i++)
        if (s->slots[i].easy) {
            curl_multi_remove_handle(s->multi, s->slots[i].easy);
            curl_easy_cleanup(s->slots[i].easy);
            curl_slist_free_all(s->slots[i].hdrs);
            s->slots[i].easy = NULL;
            s->slots[i].hdrs = NULL;
        }
    long unexpected = ph.unexpected + (long)(n - ph.done);
    phaseFree(&ph);
    return unexpected;
}
