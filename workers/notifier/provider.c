/* provider.c -- the SMS/IM providers (see provider.h): libcurl multi for
 * HTTP, an append-only JSON-lines file for the log provider.
 *
 * Why one multi handle for the process: its connection cache keeps the
 * HTTP connections to each provider alive between batches, so a busy
 * notifier does not pay a TCP handshake per message. Every transfer is
 * its own easy handle, made when it starts and freed when it ends: with
 * retries interleaved, reusing easy handles would only complicate who
 * owns which header list. */
#include "provider.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cs/clock.h"
#include "cs/log.h"
#include "cs/text.h"
#include "cs/util.h"

#define NT_BACKOFF_CAP_MS 30000
/* Bytes of the provider's answer kept in an error: with "http <status>: "
 * the error stays under the 150 bytes the notifier quotes of it. */
#define NT_ANSWER_EXCERPT 100

struct nt_provider {
    char *url[NT_NCHANNELS]; /* owned; NULL = log provider */
    char *log_file;          /* owned */
    int log_fd;              /* -1 until the first log write */
    int rate_per_s;
    int timeout_ms;
    int attempts;
    int backoff_ms;
    int concurrency;
    int64_t next_slot_us[NT_NCHANNELS]; /* pacing: earliest start of the next call */
    CURLM *multi;                       /* owned; shared connection cache */
};

/* One transfer of one message (all its attempts). */
typedef struct ntXfer {
    nt_send *m;
    CURL *easy;             /* while in flight */
    struct curl_slist *hdr; /* while in flight */
    int64_t not_before_ms;  /* next attempt not before (real, monotonic) */
    char resp[128];         /* start of the response body, for errors */
    size_t resplen;
} ntXfer;

int nt_backoff_ms(int base_ms, int retry, double rnd) {
    if (base_ms < 1) base_ms = 1;
    int64_t d = base_ms;
    for (int i = 1; i < retry && d < NT_BACKOFF_CAP_MS; i++) d *= 2;
    if (d > NT_BACKOFF_CAP_MS) d = NT_BACKOFF_CAP_MS;
    if (rnd < 0) rnd = 0;
    if (rnd >= 1) rnd = 0.999999;
    return (int)((double)d * (0.5 + 0.5 * rnd));
}

nt_provider *nt_provider_new(const nt_provider_cfg *cfg, char *err, size_t errlen) {
    static int curlReady;
    if (!curlReady) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            snprintf(err, errlen, "libcurl: global init failed");
            return NULL;
        }
        curlReady = 1;
    }
    nt_provider *p = cs_xcalloc(1, sizeof *p);
    for (int c = 0; c < NT_NCHANNELS; c++) p->url[c] = cfg->url[c] && cfg->url[c][0] ? cs_xstrdup(cfg->url[c]) : NULL;
    p->log_file = cs_xstrdup(cfg->log_file ? cfg->log_file : "");
    p->log_fd = -1;
    p->rate_per_s = cfg->rate_per_s;
    p->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 5000;
    p->attempts = cfg->attempts > 0 ? cfg->attempts : 1;
    p->backoff_ms = cfg->backoff_ms > 0 ? cfg->backoff_ms : 200;
    p->concurrency = cfg->concurrency > 0 ? cfg->concurrency : 16;
    if (!p->url[NT_CH_IM] || !p->url[NT_CH_SMS]) {
        /* open now so a bad path stops the process at start-up */
        if (!p->log_file[0]) {
            snprintf(err, errlen, "log provider: no file (CS_NOTIFIER_LOG_FILE)");
            nt_provider_free(p);
            return NULL;
        }
        /* 0600: the messages hold buyers' numbers and names */
        p->log_fd = open(p->log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (p->log_fd < 0) {
            snprintf(err, errlen, "log provider: %s: %s", p->log_file, strerror(errno));
            nt_provider_free(p);
            return NULL;
        }
    }
    p->multi = curl_multi_init();
    if (!p->multi) {
        snprintf(err, errlen, "libcurl: multi init failed");
        nt_provider_free(p);
        return NULL;
    }
    curl_multi_setopt(p->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)p->concurrency);
    return p;
}

void nt_provider_free(nt_provider *p) {
    if (!p) return;
    for (int c = 0; c < NT_NCHANNELS; c++) free(p->url[c]);
    free(p->log_file);
    if (p->log_fd >= 0) close(p->log_fd);
    if (p->multi) curl_multi_cleanup(p->multi);
    free(p);
}

const char *nt_provider_kind(const nt_provider *p, nt_channel ch) { return p->url[ch] ? "http" : "log"; }

void nt_provider_answer_append(char *buf, size_t cap, size_t *len, const char *chunk, size_t n) {
    assert(cap > 0 && *len < cap);
    size_t room = cap - 1 - *len;
    size_t k = n < room ? n : room;
    if (k) memcpy(buf + *len, chunk, k);
    *len += k;
    buf[*len] = '\0';
}

static size_t onBody(char *ptr, size_t size, size_t nmemb, void *userdata) {
    ntXfer *x = userdata;
    size_t n = size * nmemb;
    nt_provider_answer_append(x->resp, sizeof x->resp, &x->resplen, ptr, n);
    return n;
}

/* At most max bytes of the body into out (max + 1 bytes) as one line of
 * clean text: whole UTF-8 characters; a control character or a byte that
 * is not UTF-8 becomes '?'. The provider writes what it likes (HTML error
 * pages, another encoding, NULs), and this text is logged and stored
 * (PostgreSQL text, the dead-letter reason). */
static void answerExcerpt(const char *body, size_t len, char *out, size_t max) {
    const unsigned char *p = (const unsigned char *)body;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t k = cs_utf8_char(body + i, len - i);
        bool bad = k == 0 || (k == 1 && (p[i] < 0x20 || p[i] == 0x7F));
        size_t w = bad ? 1 : k;
        if (o + w > max) break;
        if (bad)
            out[o] = '?';
        else
            memcpy(out + o, p + i, k);
        o += w;
        i += k ? k : 1;
    }
    out[o] = '\0';
}

bool nt_provider_answer(nt_send *m, const char *transport_error, long status, const char *body, size_t bodylen) {
    m->http_status = (int)status;
    if (transport_error) {
        snprintf(m->error, sizeof m->error, "%s", transport_error);
        return true; /* timeout, refused, reset: maybe later */
    }
    if (status >= 200 && status < 300) {
        m->result = NT_SEND_OK;
        m->error[0] = '\0';
        return false;
    }
    char excerpt[NT_ANSWER_EXCERPT + 1];
    answerExcerpt(body, bodylen, excerpt, NT_ANSWER_EXCERPT);
    snprintf(m->error, sizeof m->error, "http %ld: %s", status, excerpt);
    if (status == 408 || status == 429) return true; /* "later", not "never" */
    if (status >= 300 && status < 500) {
        m->result = NT_SEND_PERMANENT;
        return false;
    }
    return true; /* 5xx */
}

/* The log provider: one line, one write(2) on an O_APPEND descriptor, so
 * lines of concurrent notifier processes never interleave. */
static void sendLog(nt_provider *p, nt_send *m) {
    size_t n = strlen(m->body);
    char *line = cs_xmalloc(n + 2);
    memcpy(line, m->body, n);
    line[n] = '\n';
    line[n + 1] = '\0';
    ssize_t w = write(p->log_fd, line, n + 1);
    free(line);
    m->attempts++;
    if (w == (ssize_t)(n + 1)) {
        m->result = NT_SEND_OK;
    } else {
        /* a full disk is not the message's fault: retried like a 5xx
         * (the batch is re-applied), never reported as permanent */
        m->result = NT_SEND_EXHAUSTED;
        snprintf(m->error, sizeof m->error, "log provider: write: %s", w < 0 ? strerror(errno) : "short write");
    }
}

static int startXfer(nt_provider *p, ntXfer *x) {
    nt_send *m = x->m;
    CURL *e = curl_easy_init();
    if (!e) return -1;
    char hdr[300];
    snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", m->key); /* NT-1 */
    x->hdr = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    x->hdr = curl_slist_append(x->hdr, hdr);
    x->hdr = curl_slist_append(x->hdr, "Expect:");
    x->resplen = 0;
    x->resp[0] = '\0';
    curl_easy_setopt(e, CURLOPT_URL, p->url[m->channel]);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, m->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(m->body));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdr);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)p->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)p->timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    if (curl_multi_add_handle(p->multi, e) != CURLM_OK) {
        curl_easy_cleanup(e);
        curl_slist_free_all(x->hdr);
        x->hdr = NULL;
        return -1;
    }
    x->easy = e;
    m->attempts++;
    return 0;
}

static void endXfer(nt_provider *p, ntXfer *x) {
    curl_multi_remove_handle(p->multi, x->easy);
    curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->hdr);
    x->easy = NULL;
    x->hdr = NULL;
}

/* Classifies a finished call; schedules the retry when there is one. */
static void finished(nt_provider *p, ntXfer *x, CURLcode rc) {
    nt_send *m = x->m;
    long code = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    endXfer(p, x);
    bool retry = nt_provider_answer(m, rc != CURLE_OK ? curl_easy_strerror(rc) : NULL, code, x->resp, x->resplen);
    if (!retry) return; /* OK or PERMANENT */
    if (m->attempts < p->attempts) {
        double rnd = (double)random() / ((double)RAND_MAX + 1.0);
        x->not_before_ms = cs_mono_us() / 1000 + nt_backoff_ms(p->backoff_ms, m->attempts, rnd);
        return;
    }
    m->result = NT_SEND_EXHAUSTED;
}

void nt_provider_send(nt_provider *p, nt_send *msgs, size_t n) {
    size_t left = 0;
    bool logged = false;
    ntXfer *xs = cs_xcalloc(n ? n : 1, sizeof *xs);
    for (size_t i = 0; i < n; i++) {
        nt_send *m = &msgs[i];
        m->result = NT_SEND_PENDING;
        m->http_status = 0;
        m->attempts = 0;
        m->error[0] = '\0';
        xs[i].m = m;
        if (!p->url[m->channel]) {
            sendLog(p, m);
            logged = true;
        } else {
            left++;
        }
    }
    /* the log provider's "sent" is only as good as the disk */
    if (logged && p->log_fd >= 0) fdatasync(p->log_fd);

    int64_t intervalUs = p->rate_per_s > 0 ? 1000000 / p->rate_per_s : 0;
    int active = 0;
    while (left > 0) {
        int64_t nowUs = cs_mono_us();
        int64_t waitMs = 50;
        for (size_t i = 0; i < n && active < p->concurrency; i++) {
            ntXfer *x = &xs[i];
            if (x->m->result != NT_SEND_PENDING || x->easy || !p->url[x->m->channel]) continue;
            if (x->not_before_ms * 1000 > nowUs) {
                int64_t w = x->not_before_ms - nowUs / 1000;
                if (w < waitMs) waitMs = w;
                continue;
            }
            nt_channel ch = x->m->channel;
            if (intervalUs) {
                if (p->next_slot_us[ch] > nowUs) {
                    int64_t w = (p->next_slot_us[ch] - nowUs) / 1000;
                    if (w < waitMs) waitMs = w;
                    continue;
                }
                /* a quiet period does not bank a burst: at most one slot behind */
                int64_t base = p->next_slot_us[ch] > nowUs - intervalUs ? p->next_slot_us[ch] : nowUs;
                p->next_slot_us[ch] = base + intervalUs;
            }
            if (startXfer(p, x) != 0) {
                snprintf(x->m->error, sizeof x->m->error, "libcurl: cannot start a transfer");
                x->m->result = NT_SEND_EXHAUSTED;
                left--;
                continue;
            }
            active++;
        }
        int running = 0;
        curl_multi_perform(p->multi, &running);
        CURLMsg *cm;
        int q;
        bool progressed = false;
        while ((cm = curl_multi_info_read(p->multi, &q))) {
            if (cm->msg != CURLMSG_DONE) continue;
            ntXfer *x = NULL;
            curl_easy_getinfo(cm->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            CURLcode rc = cm->data.result;
            active--;
            finished(p, x, rc);
            if (x->m->result != NT_SEND_PENDING) left--;
            progressed = true;
        }
        if (left == 0) break;
        if (!progressed) {
            if (waitMs < 1) waitMs = 1;
            curl_multi_poll(p->multi, NULL, 0, (int)waitMs, NULL);
        }
    }
    free(xs);
}
