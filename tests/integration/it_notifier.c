/* it_notifier.c -- the notifier end to end on the real stack (Kafka,
 * PostgreSQL, Redis) with a provider stub: a small HTTP server on a
 * thread of this test that records every request (its Idempotency-Key
 * header and body) and answers, per idempotency key, a scripted sequence
 * of statuses (200 by default; 500 then 200; 400; "hang").
 *
 * The business clock is the Redis clock, frozen at a time each case
 * chooses (a weekday morning, or 22:00), so quiet hours are deterministic;
 * the test deletes the clock key at the end. Numbers are made from the run
 * id so that the NT-3 count of one run never sees another's messages. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "it.h"
#include "cs/redis.h"
#include "cs/tz.h"

#define TOPIC_NOTES "cs.notifications.v1"
#define TOPIC_CONTACTS "shop.contacts.v1"
#define TOPIC_NOTES_DLQ "cs.notifications.v1.dlq"
#define SHOP "tb-demo"
#define GROUP IT_GROUP_NOTIFIER
#define NT_SERVICE_CLASS CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE
#define NT_FOLLOW_UP_CLASS CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_FOLLOW_UP

/* ---- the provider stub ------------------------------------------------------- */

#define STUB_MAX_REQS 4096
#define STUB_MAX_RULES 64

typedef struct stubReq {
    char key[256]; /* Idempotency-Key header */
    char *body;    /* owned */
} stubReq;

typedef struct stubRule {
    char key[256]; /* exact idempotency key */
    int codes[8];  /* answers in order; the last repeats; 0 = hang */
    int ncodes;
    int seen;
} stubRule;

static struct {
    pthread_mutex_t mu;
    int listenFd;
    int port;
    stubReq reqs[STUB_MAX_REQS];
    int nreqs;
    stubRule rules[STUB_MAX_RULES];
    int nrules;
    volatile int stop;
} stub = {.mu = PTHREAD_MUTEX_INITIALIZER, .listenFd = -1};

static void stubScript(const char *key, int n, const int *codes) {
    pthread_mutex_lock(&stub.mu);
    stubRule *r = &stub.rules[stub.nrules++];
    it_copy(r->key, sizeof r->key, key);
    for (int i = 0; i < n && i < 8; i++) r->codes[i] = codes[i];
    r->ncodes = n;
    r->seen = 0;
    pthread_mutex_unlock(&stub.mu);
}

/* Requests recorded with this key. */
static int stubCount(const char *key) {
    int n = 0;
    pthread_mutex_lock(&stub.mu);
    for (int i = 0; i < stub.nreqs; i++)
        if (strcmp(stub.reqs[i].key, key) == 0) n++;
    pthread_mutex_unlock(&stub.mu);
    return n;
}

/* Copy of the last body recorded with this key ("" if none). */
static void stubBody(const char *key, char *out, size_t len) {
    out[0] = '\0';
    pthread_mutex_lock(&stub.mu);
    for (int i = 0; i < stub.nreqs; i++)
        if (strcmp(stub.reqs[i].key, key) == 0) it_copy(out, len, stub.reqs[i].body);
    pthread_mutex_unlock(&stub.mu);
}

static int answerFor(const char *key) {
    int code = 200;
    pthread_mutex_lock(&stub.mu);
    for (int i = 0; i < stub.nrules; i++) {
        stubRule *r = &stub.rules[i];
        if (strcmp(r->key, key) != 0) continue;
        int k = r->seen < r->ncodes ? r->seen : r->ncodes - 1;
        code = r->codes[k];
        r->seen++;
    }
    pthread_mutex_unlock(&stub.mu);
    return code;
}

static const char *headerValue(const char *head, const char *name, char *out, size_t len) {
    out[0] = '\0';
    size_t n = strlen(name);
    for (const char *p = head; (p = strcasestr(p, name)); p += n) {
        if (p != head && p[-1] != '\n') continue;
        if (p[n] != ':') continue;
        const char *v = p + n + 1;
        while (*v == ' ') v++;
        size_t k = strcspn(v, "\r\n");
        if (k >= len) k = len - 1;
        memcpy(out, v, k);
        out[k] = '\0';
        return out;
    }
    return NULL;
}

/* One connection: requests in a loop (keep-alive). */
static void *stubConn(void *arg) {
    int fd = (int)(intptr_t)arg;
    char *buf = malloc(65536);
    size_t have = 0;
    for (;;) {
        char *end = NULL;
        while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
            if (have >= 65535) goto done;
            ssize_t r = recv(fd, buf + have, 65535 - have, 0);
            if (r <= 0) goto done;
            have += (size_t)r;
        }
        size_t headLen = (size_t)(end - buf) + 4;
        char head[8192];
        size_t hl = headLen < sizeof head ? headLen : sizeof head - 1;
        memcpy(head, buf, hl);
        head[hl] = '\0';
        char v[300];
        size_t clen = headerValue(head, "Content-Length", v, sizeof v) ? (size_t)atol(v) : 0;
        while (have < headLen + clen) {
            if (have >= 65535) goto done;
            ssize_t r = recv(fd, buf + have, 65535 - have, 0);
            if (r <= 0) goto done;
            have += (size_t)r;
        }
        char key[256];
        headerValue(head, "Idempotency-Key", key, sizeof key);
        pthread_mutex_lock(&stub.mu);
        if (stub.nreqs < STUB_MAX_REQS) {
            stubReq *q = &stub.reqs[stub.nreqs++];
            it_copy(q->key, sizeof q->key, key);
            q->body = strndup(buf + headLen, clen);
        }
        pthread_mutex_unlock(&stub.mu);
        memmove(buf, buf + headLen + clen, have - headLen - clen);
        have -= headLen + clen;
        int code = answerFor(key);
        if (code == 0) {
            /* hang: answer nothing until the client gives up */
            while (!stub.stop) {
                char c;
                ssize_t r = recv(fd, &c, 1, 0);
                if (r <= 0) goto done;
            }
            goto done;
        }
        char resp[256];
        int n = snprintf(resp, sizeof resp,
                         "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}",
                         code);
        if (send(fd, resp, (size_t)n, MSG_NOSIGNAL) != n) goto done;
    }
done:
    free(buf);
    close(fd);
    return NULL;
}

static void *stubAccept(void *arg) {
    (void)arg;
    while (!stub.stop) {
        int fd = accept(stub.listenFd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR) continue;
            break;
        }
        pthread_t t;
        pthread_create(&t, NULL, stubConn, (void *)(intptr_t)fd);
        pthread_detach(t);
    }
    return NULL;
}

static int stubStart(void) {
    if (stub.listenFd >= 0) return 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0) {
        close(fd);
        return -1;
    }
    socklen_t al = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &al);
    stub.port = ntohs(a.sin_port);
    stub.listenFd = fd;
    pthread_t t;
    pthread_create(&t, NULL, stubAccept, NULL);
    pthread_detach(t);
    return 0;
}

/* ---- clock, numbers, requests ----------------------------------------------------- */

static bool clockUsed;

/* Back to real time: the key and its record (it_clock_reset). */
static void clockClear(void) {
    if (clockUsed) it_clock_reset();
}

/* Freezes the business clock at ms, recorded as cscli records it. */
static int clockSet(int64_t ms) {
    if (!clockUsed) {
        clockUsed = true;
        /* whatever happens to the cases, the clock is real time again after */
        atexit(clockClear);
    }
    return it_clock_set(ms);
}

/* Local wall time in Shanghai (the sample shops' zone). */
static int64_t shanghai(int y, int m, int d, int hh, int mm) {
    char err[128];
    static cs_tz *tz;
    if (!tz) tz = cs_tz_load("Asia/Shanghai", err, sizeof err);
    return cs_tz_instant(tz, cs_day_from_ymd(y, m, d), hh * 60 + mm);
}

/* A mobile number unique to this run and case: 139 + 8 digits. */
static void numberFor(char *out, size_t len, int k) {
    static unsigned base;
    if (!base) base = (unsigned)((getpid() * 7919u + (unsigned)it_wall_ms()) % 90000000u);
    snprintf(out, len, "139%08u", (base + (unsigned)k * 1009u) % 100000000u);
}

/* A request as a worker makes it; case_id (may be NULL) and expires_ms
 * (0 = never) are what a review follow-up carries (RV-4, RV-5). */
/* A request by IM to `to` with an SMS fallback number (RF-8), or by SMS
 * when fallback is NULL. */
static int produceRequestOn(const char *run, const char *event_id, const char *key, const char *order, const char *to,
                            Cs__V1__MessageClass klass, const char *tpl, const char *case_id, int64_t expires_ms,
                            const char *fallback) {
    Cs__V1__NotificationRequest req = CS__V1__NOTIFICATION_REQUEST__INIT;
    req.case_id = (char *)(case_id ? case_id : "");
    req.expires_ms = expires_ms;
    req.idempotency_key = (char *)key;
    req.order_id = (char *)order;
    req.to = (char *)to;
    req.channel = fallback ? CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM : CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS;
    req.fallback_sms_to = (char *)(fallback ? fallback : "");
    req.class_ = klass;
    req.template_ = (char *)tpl;
    req.rule = (char *)"IT";
    Cs__V1__NotificationRequest__ParamsEntry e[4], *pe[4];
    const char *k[4] = {"order_id", "courier", "tracking_no", "ship_date"};
    const char *v[4] = {order, "顺丰速运", "SF0001", "2026-11-13"};
    for (int i = 0; i < 4; i++) {
        cs__v1__notification_request__params_entry__init(&e[i]);
        e[i].key = (char *)k[i];
        e[i].value = (char *)v[i];
        pe[i] = &e[i];
    }
    req.n_params = 4;
    req.params = pe;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.event_id = (char *)event_id;
    env.shop_id = (char *)SHOP;
    env.event_ms = it_wall_ms();
    env.ingest_ms = env.event_ms;
    env.source = (char *)run;
    env.body_case = CS__V1__ENVELOPE__BODY_NOTIFICATION;
    env.notification = &req;
    char rkey[256];
    snprintf(rkey, sizeof rkey, "%s:%s", SHOP, order);
    return it_produce_env(TOPIC_NOTES, -1, rkey, &env, NULL);
}

static int produceRequestFor(const char *run, const char *event_id, const char *key, const char *order, const char *to,
                             Cs__V1__MessageClass klass, const char *tpl, const char *case_id, int64_t expires_ms) {
    return produceRequestOn(run, event_id, key, order, to, klass, tpl, case_id, expires_ms, NULL);
}

static int produceRequest(const char *run, const char *event_id, const char *key, const char *order, const char *to,
                          Cs__V1__MessageClass klass, const char *tpl) {
    return produceRequestFor(run, event_id, key, order, to, klass, tpl, NULL, 0);
}

static int produceSms(const char *run, const char *event_id, const char *from, const char *text) {
    Cs__V1__InboundSms sms = CS__V1__INBOUND_SMS__INIT;
    sms.from_phone = (char *)from;
    sms.text = (char *)text;
    Cs__V1__ContactEvent c = CS__V1__CONTACT_EVENT__INIT;
    c.body_case = CS__V1__CONTACT_EVENT__BODY_SMS;
    c.sms = &sms;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.event_id = (char *)event_id;
    env.shop_id = (char *)SHOP;
    env.event_ms = it_wall_ms();
    env.ingest_ms = env.event_ms;
    env.source = (char *)run;
    env.body_case = CS__V1__ENVELOPE__BODY_CONTACT;
    env.contact = &c;
    char rkey[256];
    snprintf(rkey, sizeof rkey, "%s:%s", SHOP, from);
    return it_produce_env(TOPIC_CONTACTS, -1, rkey, &env, NULL);
}

static int startNotifier(it_worker *w, const char *name, const char *const *extra) {
    if (stubStart() != 0) return -1;
    /* Once: the group starts after what other suites left on the topic
     * (the verifier's OV-13 sweep alone asks for thousands of messages),
     * so the stub records this suite's requests. */
    static bool skipped;
    if (!skipped) {
        if (it_group_commit_end(GROUP, "cs.notifications.v1") != 0) return -1;
        skipped = true;
    }
    static char url[128], tpl[1200];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/send", stub.port);
    snprintf(tpl, sizeof tpl, "CS_NOTIFIER_TEMPLATES=%s/workers/notifier/templates/zh-CN.json", it.source_dir);
    char sms[160], im[160];
    snprintf(sms, sizeof sms, "CS_SMS_URL=%s", url);
    snprintf(im, sizeof im, "CS_IM_URL=%s", url);
    const char *env[16] = {sms,
                           im,
                           tpl,
                           "CS_CLOCK=redis",
                           "CS_GROUP_ID=" GROUP,
                           "CS_NOTIFIER_ATTEMPTS=3",
                           "CS_NOTIFIER_BACKOFF_MS=50",
                           "CS_NOTIFIER_TIMEOUT_MS=1000",
                           "CS_BATCH_WAIT_MS=5"};
    int n = 9;
    for (int i = 0; extra && extra[i] && n < 15; i++) env[n++] = extra[i];
    env[n] = NULL;
    if (it_worker_start_bin(w, "notifier", name, NULL, env) != 0) return -1;
    return it_worker_wait_assigned(w, 60000) ? 0 : -1;
}

/* The NT-3 case's held message, released in the NT-2 case. */
static char capHeldKey[128];

static long long msgCount(const char *key, const char *status) {
    return it_pg_int("SELECT count(*) FROM messages WHERE shop_id = '" SHOP
                     "' AND idempotency_key = '%s' AND status = '%s'",
                     key, status);
}

static long long waitStatus(const char *key, const char *status) {
    return it_wait_pg(IT_EQ, 1, 60000,
                      "SELECT count(*) FROM messages WHERE shop_id = '" SHOP
                      "' AND idempotency_key = '%s' AND status = '%s'",
                      key, status);
}

/* ---- cases ----------------------------------------------------------------------------- */

/* NT-1: one message, one provider call carrying the request's key; the
 * same request again (same event, or a new event with the same key) sends
 * nothing more. */
static void test_nt1_service_message_sent_once_with_its_key_replay_sends_nothing(void) {
    char run[64], key[128], ev[160], order[96], to[32], marker[128];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "%s-k1", run);
    snprintf(order, sizeof order, "%s-o1", run);
    numberFor(to, sizeof to, 1);
    IT_REQUIRE(clockSet(shanghai(2026, 11, 11, 10, 0)) == 0);
    it_worker w;
    IT_REQUIRE(startNotifier(&w, "nt-once", NULL) == 0);
    snprintf(ev, sizeof ev, "%s-e1", run);
    CT_EQ_INT(produceRequest(run, ev, key, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(key, "sent"), 1);
    CT_EQ_INT(stubCount(key), 1);
    char body[2048];
    stubBody(key, body, sizeof body);
    CT_CHECK(strstr(body, key) != NULL); /* idempotency_key in the body too */
    CT_CHECK(strstr(body, to) != NULL);
    CT_CHECK(strstr(body, "您好，您的订单已由顺丰速运发出，运单号SF0001") != NULL); /* rendered */
    CT_CHECK(strstr(body, "\"template\":\"logistics_shipped\"") != NULL);

    /* replays: the same event, and another event carrying the same key */
    CT_EQ_INT(produceRequest(run, ev, key, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    snprintf(ev, sizeof ev, "%s-e1-again", run);
    CT_EQ_INT(produceRequest(run, ev, key, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    /* a marker behind them on the same partition: once it is sent, they were seen */
    snprintf(marker, sizeof marker, "%s-marker", run);
    snprintf(ev, sizeof ev, "%s-e-marker", run);
    CT_EQ_INT(produceRequest(run, ev, marker, order, to, NT_SERVICE_CLASS, "ship_date_changed"), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(marker, "sent"), 1);
    CT_EQ_INT(stubCount(key), 1);
    CT_EQ_INT(it_pg_int("SELECT attempts FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s'", key), 1);
    int port = it_worker_http_port(&w);
    CT_CHECK(it_metric(port, "cs_nt_replays_total") >= 1);
    CT_CHECK(it_metric(port, "cs_nt_messages_total{status=\"sent\"}") >= 2);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
}

/* 4xx: permanent failure, recorded, one call, never retried. */
static void test_provider_400_is_failed_and_not_retried(void) {
    char run[64], key[128], ev[160], order[96], to[32];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "%s-k400", run);
    snprintf(order, sizeof order, "%s-o400", run);
    numberFor(to, sizeof to, 2);
    stubScript(key, 1, (const int[]){400});
    IT_REQUIRE(clockSet(shanghai(2026, 11, 11, 10, 0)) == 0);
    it_worker w;
    IT_REQUIRE(startNotifier(&w, "nt-400", NULL) == 0);
    snprintf(ev, sizeof ev, "%s-e400", run);
    CT_EQ_INT(produceRequest(run, ev, key, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(key, "failed"), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s' "
                        "AND permanent AND http_status = 400 AND attempts = 1",
                        key),
              1);
    it_sleep_ms(500);
    CT_EQ_INT(stubCount(key), 1);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
}

/* RF-8: IM, SMS as fallback. An IM the provider refuses for good (4xx)
 * is recorded failed and the notice goes once by SMS to the request's
 * fallback number, under the key "<key>:sms"; a replay of the request
 * sends neither again. An IM that goes through sends no SMS. */
static void test_rf8_im_refused_for_good_is_sent_once_by_sms(void) {
    char run[64], key[128], ev[160], order[96], to[32], skey[160], body[2048], okKey[128], okEv[160], im[96];
    it_run_id(run, sizeof run);
    snprintf(im, sizeof im, "%s-buyer", run); /* the buyer's IM handle, this run's own (NT-3) */
    snprintf(key, sizeof key, "%s-kim", run);
    snprintf(skey, sizeof skey, "%s:sms", key);
    snprintf(order, sizeof order, "%s-oim", run);
    numberFor(to, sizeof to, 23);
    stubScript(key, 1, (const int[]){404});
    IT_REQUIRE(clockSet(shanghai(2026, 11, 11, 10, 0)) == 0);
    it_worker w;
    IT_REQUIRE(startNotifier(&w, "nt-im-fallback", NULL) == 0);
    snprintf(ev, sizeof ev, "%s-eim", run);
    CT_EQ_INT(produceRequestOn(run, ev, key, order, im, NT_SERVICE_CLASS, "logistics_shipped", NULL, 0, to), 0);
    snprintf(okKey, sizeof okKey, "%s-kimok", run); /* an IM that goes */
    snprintf(okEv, sizeof okEv, "%s-eimok", run);
    CT_EQ_INT(produceRequestOn(run, okEv, okKey, order, im, NT_SERVICE_CLASS, "logistics_shipped", NULL, 0, to), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(key, "failed"), 1);
    CT_EQ_INT(waitStatus(skey, "sent"), 1);
    CT_EQ_INT(waitStatus(okKey, "sent"), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s' "
                        "AND channel = 'SMS' AND to_addr = '%s' AND template = 'logistics_shipped'",
                        skey, to),
              1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s' "
                        "AND channel = 'IM' AND permanent AND http_status = 404",
                        key),
              1);
    stubBody(skey, body, sizeof body);
    CT_CHECK(strstr(body, to) != NULL);
    /* the same request again: nothing more, by either channel */
    char ev2[200];
    snprintf(ev2, sizeof ev2, "%s-again", ev);
    CT_EQ_INT(produceRequestOn(run, ev2, key, order, im, NT_SERVICE_CLASS, "logistics_shipped", NULL, 0, to), 0);
    CT_EQ_INT(it_flush(30000), 0);
    it_sleep_ms(1500);
    CT_EQ_INT(stubCount(key), 1);
    CT_EQ_INT(stubCount(skey), 1);
    CT_EQ_INT(stubCount(okKey), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key = '%s:sms'", okKey),
              0);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
}

/* 5xx then 2xx: retried with backoff, sent once, both calls with the same key. */
static void test_provider_500_then_200_is_sent_once_after_retry(void) {
    char run[64], key[128], ev[160], order[96], to[32];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "%s-k500", run);
    snprintf(order, sizeof order, "%s-o500", run);
    numberFor(to, sizeof to, 3);
    stubScript(key, 2, (const int[]){500, 200});
    IT_REQUIRE(clockSet(shanghai(2026, 11, 11, 10, 0)) == 0);
    it_worker w;
    IT_REQUIRE(startNotifier(&w, "nt-500", NULL) == 0);
    snprintf(ev, sizeof ev, "%s-e500", run);
    CT_EQ_INT(produceRequest(run, ev, key, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(key, "sent"), 1);
    CT_EQ_INT(stubCount(key), 2); /* the 500 and the 200, one key */
    CT_EQ_INT(it_pg_int("SELECT attempts FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s'", key), 2);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
}

/* 5xx (or a hang) on every attempt: failed, dead-lettered with the reason. */
static void test_provider_down_every_attempt_is_dead_lettered(void) {
    char run[64], key[128], key2[128], ev[160], order[96], to[32];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "%s-k503", run);
    snprintf(key2, sizeof key2, "%s-khang", run);
    snprintf(order, sizeof order, "%s-o503", run);
    numberFor(to, sizeof to, 4);
    stubScript(key, 1, (const int[]){503});
    stubScript(key2, 1, (const int[]){0});
    it_reader *dlq = it_reader_open(TOPIC_NOTES_DLQ, false);
    IT_REQUIRE(dlq != NULL);
    IT_REQUIRE(clockSet(shanghai(2026, 11, 11, 10, 0)) == 0);
    it_worker w;
    IT_REQUIRE(startNotifier(&w, "nt-503", NULL) == 0);
    snprintf(ev, sizeof ev, "%s-e503", run);
    CT_EQ_INT(produceRequest(run, ev, key, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    snprintf(ev, sizeof ev, "%s-ehang", run);
    CT_EQ_INT(produceRequest(run, ev, key2, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(key, "failed"), 1);
    CT_EQ_INT(waitStatus(key2, "failed"), 1);
    CT_EQ_INT(stubCount(key), 3); /* CS_NOTIFIER_ATTEMPTS */
    CT_EQ_INT(stubCount(key2), 3);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key IN ('%s','%s') "
                        "AND NOT permanent AND reason LIKE '%%dead-lettered'",
                        key, key2),
              2);
    CT_EQ_INT(it_reader_collect(dlq, run, 2, 30000), 2);
    for (size_t i = 0; i < it_reader_count(dlq); i++) {
        const char *e = it_rec_header(it_reader_get(dlq, i), "error");
        CT_CHECK(e && strstr(e, "provider:") != NULL);
    }
    it_reader_close(dlq);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
}

/* NT-4: "TD" from a number stops a review follow-up to it, not a service
 * message; another number still gets its follow-up. */
static void test_nt4_opt_out_stops_follow_up_but_not_service(void) {
    char run[64], kf[128], ks[128], kother[128], ev[160], order[96], to[32], other[32];
    it_run_id(run, sizeof run);
    snprintf(kf, sizeof kf, "%s-kfollow", run);
    snprintf(ks, sizeof ks, "%s-kservice", run);
    snprintf(kother, sizeof kother, "%s-kother", run);
    snprintf(order, sizeof order, "%s-o4", run);
    numberFor(to, sizeof to, 5);
    numberFor(other, sizeof other, 6);
    IT_REQUIRE(clockSet(shanghai(2026, 11, 11, 10, 0)) == 0);
    it_worker w;
    IT_REQUIRE(startNotifier(&w, "nt-optout", NULL) == 0);
    snprintf(ev, sizeof ev, "%s-sms", run);
    CT_EQ_INT(produceSms(run, ev, to, " ＴＤ "), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM message_optouts WHERE shop_id='" SHOP "' "
                         "AND to_addr='%s' AND lifted_ms IS NULL",
                         to),
              1);
    snprintf(ev, sizeof ev, "%s-ef", run);
    CT_EQ_INT(produceRequest(run, ev, kf, order, to, NT_FOLLOW_UP_CLASS, "review_follow_up"), 0);
    snprintf(ev, sizeof ev, "%s-es", run);
    CT_EQ_INT(produceRequest(run, ev, ks, order, to, NT_SERVICE_CLASS, "ship_date_changed"), 0);
    snprintf(ev, sizeof ev, "%s-eo", run);
    CT_EQ_INT(produceRequest(run, ev, kother, order, other, NT_FOLLOW_UP_CLASS, "review_follow_up"), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(kf, "suppressed"), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s' "
                        "AND reason = 'NT-4 OPTED_OUT'",
                        kf),
              1);
    CT_EQ_INT(waitStatus(ks, "sent"), 1);
    CT_EQ_INT(stubCount(ks), 1);
    CT_EQ_INT(waitStatus(kother, "sent"), 1);
    CT_EQ_INT(stubCount(kf), 0);
    /* until an operator lifts it: then follow-ups reach the number again */
    CT_EQ_INT(it_sh("%s/cscli messages lift " SHOP " %s --by it >/dev/null", it.build_dir, to), 0);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM message_optouts WHERE shop_id='" SHOP "' AND to_addr='%s' "
                        "AND lifted_ms IS NOT NULL AND lifted_by = 'it'",
                        to),
              1);
    CT_EQ_INT(it_sh("%s/cscli messages lift " SHOP " %s >/dev/null 2>&1", it.build_dir, to), 1); /* none left */
    char kf2[128];
    snprintf(kf2, sizeof kf2, "%s-kfollow2", run);
    snprintf(ev, sizeof ev, "%s-ef2", run);
    CT_EQ_INT(produceRequest(run, ev, kf2, order, to, NT_FOLLOW_UP_CLASS, "review_follow_up"), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(kf2, "sent"), 1);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
}

/* NT-4 with a service message that renders: it goes to the opted-out number. */
static void test_nt4_service_message_still_goes_to_opted_out_number(void) {
    char run[64], ks[128], ev[160], order[96], to[32];
    it_run_id(run, sizeof run);
    snprintf(ks, sizeof ks, "%s-kservice2", run);
    snprintf(order, sizeof order, "%s-o42", run);
    numberFor(to, sizeof to, 7);
    IT_REQUIRE(clockSet(shanghai(2026, 11, 11, 10, 0)) == 0);
    it_worker w;
    IT_REQUIRE(startNotifier(&w, "nt-optout2", NULL) == 0);
    snprintf(ev, sizeof ev, "%s-sms2", run);
    CT_EQ_INT(produceSms(run, ev, to, "退订"), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM message_optouts WHERE shop_id='" SHOP "' "
                         "AND to_addr='%s' AND lifted_ms IS NULL",
                         to),
              1);
    snprintf(ev, sizeof ev, "%s-es2", run);
    CT_EQ_INT(produceRequest(run, ev, ks, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(ks, "sent"), 1);
    CT_EQ_INT(stubCount(ks), 1);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
}

/* n service messages to one number, keys "<run>-<tag><i>", each produced
 * once the one before it has its row: which one is the 4th is then known. */
static void produceInTurn(const char *run, const char *tag, const char *to, char (*key)[128], int n) {
    char ev[160], order[96];
    for (int i = 0; i < n; i++) {
        snprintf(key[i], 128, "%s-%s%d", run, tag, i);
        snprintf(order, sizeof order, "%s-%so%d", run, tag, i);
        snprintf(ev, sizeof ev, "%s-%se%d", run, tag, i);
        CT_EQ_INT(produceRequest(run, ev, key[i], order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
        CT_EQ_INT(it_flush(30000), 0);
        CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                             "SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s'",
                             key[i]),
                  1);
    }
}

/* NT-3: the 4th message of a local day to one number is held to 08:00 the
 * next day, with its release timer recorded. */
static void test_nt3_fourth_message_of_the_day_is_held_to_next_morning(void) {
    char run[64], key[4][128], to[32];
    it_run_id(run, sizeof run);
    numberFor(to, sizeof to, 8);
    IT_REQUIRE(clockSet(shanghai(2026, 11, 11, 15, 0)) == 0);
    it_worker w;
    IT_REQUIRE(startNotifier(&w, "nt-cap", NULL) == 0);
    produceInTurn(run, "cap", to, key, 4);
    for (int i = 0; i < 3; i++) CT_EQ_INT(msgCount(key[i], "sent"), 1);
    CT_EQ_INT(msgCount(key[3], "held"), 1);
    CT_EQ_INT(stubCount(key[3]), 0);
    it_copy(capHeldKey, sizeof capHeldKey, key[3]);
    long long rel =
        it_pg_int("SELECT release_ms FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s'", key[3]);
    CT_EQ_INT(rel, shanghai(2026, 11, 12, 8, 0));
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s' "
                        "AND reason = 'NT-3 DAILY_CAP'",
                        key[3]),
              1);
    /* its sweep: the timer of its (shop, release time, bucket) */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers t JOIN messages m ON t.timer_id = " IT_SWEEP_ID("m", "m.release_ms")
                        " WHERE t.owner='notifier' AND t.kind='nt.sweep' AND m.shop_id='" SHOP "' AND "
                        "m.idempotency_key='%s' AND t.status='pending' AND t.due_ms = %lld",
                        key[3], rel),
              1);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
}

/* NT-3 inside one burst: five requests to one number at once (one or a
 * few batches) give exactly three sent and two held. */
static void test_nt3_burst_of_five_to_one_number_sends_three(void) {
    char run[64], key[128], ev[160], order[96], to[32];
    it_run_id(run, sizeof run);
    numberFor(to, sizeof to, 11);
    IT_REQUIRE(clockSet(shanghai(2026, 11, 11, 16, 0)) == 0);
    it_worker w;
    IT_REQUIRE(startNotifier(&w, "nt-burst", NULL) == 0);
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "%s-b%d", run, i);
        snprintf(order, sizeof order, "%s-ob%d", run, i); /* orders on different partitions */
        snprintf(ev, sizeof ev, "%s-eb%d", run, i);
        CT_EQ_INT(produceRequest(run, ev, key, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    }
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 5, 60000,
                         "SELECT count(*) FROM messages WHERE shop_id='" SHOP "' "
                         "AND idempotency_key LIKE '%s-b%%'",
                         run),
              5);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key LIKE '%s-b%%' "
                        "AND status='sent'",
                        run),
              3);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key LIKE '%s-b%%' "
                        "AND status='held' AND reason='NT-3 DAILY_CAP'",
                        run),
              2);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
}

/* Throughput through the stub with no rate limit, then the rate limit
 * (CS_NOTIFIER_RATE) holding a burst to its pace. Figures, not goals. */
static void test_throughput_and_rate_limit(void) {
    enum { N = 2000, NR = 60, RATE = 40 };
    char run[64], key[128], ev[160], order[96], to[32];
    it_run_id(run, sizeof run);
    IT_REQUIRE(clockSet(shanghai(2026, 11, 11, 10, 0)) == 0);
    it_worker w;
    const char *big[] = {"CS_BATCH_MAX=500", "CS_BATCH_WAIT_MS=20", NULL};
    IT_REQUIRE(startNotifier(&w, "nt-speed", big) == 0);
    int64_t t0 = it_now_ms();
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "%s-t%d", run, i);
        snprintf(order, sizeof order, "%s-ot%d", run, i);
        snprintf(ev, sizeof ev, "%s-et%d", run, i);
        numberFor(to, sizeof to, 100 + i); /* a number each: NT-3 stays out of it */
        CT_EQ_INT(produceRequest(run, ev, key, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    }
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, N, 120000,
                         "SELECT count(*) FROM messages WHERE shop_id='" SHOP "' "
                         "AND idempotency_key LIKE '%s-t%%' AND status='sent'",
                         run),
              N);
    int64_t took = it_now_ms() - t0;
    it_measure("%d messages through the provider stub (HTTP, no rate limit) in %lld ms: %.0f msgs/s", N,
               (long long)took, took > 0 ? 1000.0 * N / (double)took : 0.0);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);

    char rate[64];
    snprintf(rate, sizeof rate, "CS_NOTIFIER_RATE=%d", RATE);
    const char *slow[] = {rate, "CS_BATCH_MAX=500", "CS_BATCH_WAIT_MS=200", NULL};
    IT_REQUIRE(startNotifier(&w, "nt-rate", slow) == 0);
    t0 = it_now_ms();
    for (int i = 0; i < NR; i++) {
        snprintf(key, sizeof key, "%s-r%d", run, i);
        snprintf(order, sizeof order, "%s-or%d", run, i);
        snprintf(ev, sizeof ev, "%s-er%d", run, i);
        numberFor(to, sizeof to, 5000 + i);
        CT_EQ_INT(produceRequest(run, ev, key, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    }
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, NR, 60000,
                         "SELECT count(*) FROM messages WHERE shop_id='" SHOP "' "
                         "AND idempotency_key LIKE '%s-r%%' AND status='sent'",
                         run),
              NR);
    took = it_now_ms() - t0;
    it_measure("%d messages at CS_NOTIFIER_RATE=%d took %lld ms", NR, RATE, (long long)took);
    /* paced: NR messages cannot go faster than (NR - 1) / RATE seconds */
    CT_CHECK(took >= 1000LL * (NR - 1) / RATE - 100);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
}

/* NT-5: a shops file whose override breaks the wording stops the process
 * at start-up, naming the template and the phrase. */
static void test_nt5_bad_template_stops_the_process_naming_it(void) {
    char shops[1200], tpl[1200];
    snprintf(shops, sizeof shops, "CS_SHOPS_FILE=%s/tests/data/shops_bad_template.json", it.source_dir);
    snprintf(tpl, sizeof tpl, "CS_NOTIFIER_TEMPLATES=%s/workers/notifier/templates/zh-CN.json", it.source_dir);
    const char *env[] = {shops, tpl, NULL};
    it_worker w;
    IT_REQUIRE(it_worker_start_bin(&w, "notifier", "nt-bad-template", NULL, env) == 0);
    CT_EQ_INT(it_worker_wait(&w, 30000), 2);
    char *log = it_log_read(w.log);
    CT_CHECK(strstr(log, "logistics_shipped") != NULL);
    CT_CHECK(strstr(log, "不好意思") != NULL);
    CT_CHECK(strstr(log, "NT-5") != NULL);
    free(log);
}

/* NT-1 across a crash: the provider answered 2xx, the process died before
 * the record committed; the restarted notifier sends again with the same
 * key (the provider dedupes) and records one sent message. */
static void test_nt1_crash_after_provider_2xx_resends_the_same_key(void) {
    char run[64], key[128], ev[160], order[96], to[32];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "%s-kcrash", run);
    snprintf(order, sizeof order, "%s-ocrash", run);
    numberFor(to, sizeof to, 9);
    IT_REQUIRE(clockSet(shanghai(2026, 11, 11, 10, 0)) == 0);
    it_worker w;
    const char *crash[] = {"CS_CRASH_POINT=after_provider_2xx", NULL};
    IT_REQUIRE(startNotifier(&w, "nt-crash", crash) == 0);
    snprintf(ev, sizeof ev, "%s-ecrash", run);
    CT_EQ_INT(produceRequest(run, ev, key, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(it_worker_wait(&w, 60000), 86);
    CT_EQ_INT(stubCount(key), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s'", key), 0);
    it_worker w2;
    IT_REQUIRE(startNotifier(&w2, "nt-crash-2", NULL) == 0);
    CT_EQ_INT(waitStatus(key, "sent"), 1);
    CT_EQ_INT(stubCount(key), 2); /* twice to the provider, one key: one message to the buyer */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s'", key), 1);
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 20000), 0);
}

/* NT-2: a service message requested at 22:00 is held to 08:00 and sent
 * then, released by its timer (the real timer-dispatcher on the Redis
 * clock); the message held by NT-3 in the case above goes out at the same
 * morning. */
static void test_nt2_service_message_at_2200_is_sent_at_0800(void) {
    char run[64], key[128], ev[160], order[96], to[32];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "%s-knight", run);
    snprintf(order, sizeof order, "%s-onight", run);
    numberFor(to, sizeof to, 10);
    IT_REQUIRE(clockSet(shanghai(2026, 11, 11, 22, 0)) == 0);
    it_worker w, d;
    IT_REQUIRE(startNotifier(&w, "nt-night", NULL) == 0);
    const char *denv[] = {"CS_CLOCK=redis", NULL};
    IT_REQUIRE(it_worker_start_bin(&d, "timer-dispatcher", "nt-dispatcher", NULL, denv) == 0);
    snprintf(ev, sizeof ev, "%s-enight", run);
    CT_EQ_INT(produceRequest(run, ev, key, order, to, NT_SERVICE_CLASS, "logistics_shipped"), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(key, "held"), 1);
    CT_EQ_INT(it_pg_int("SELECT release_ms FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s'", key),
              shanghai(2026, 11, 12, 8, 0));
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s' "
                        "AND reason = 'NT-2 QUIET_HOURS'",
                        key),
              1);
    /* 07:59: still quiet, nothing fires */
    IT_REQUIRE(clockSet(shanghai(2026, 11, 12, 7, 59)) == 0);
    it_sleep_ms(2500);
    CT_EQ_INT(msgCount(key, "held"), 1);
    CT_EQ_INT(stubCount(key), 0);
    /* 08:00: the window opens, the timer fires, the message goes once */
    IT_REQUIRE(clockSet(shanghai(2026, 11, 12, 8, 0)) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM messages WHERE shop_id='" SHOP "' "
                         "AND idempotency_key='%s' AND status='sent'",
                         key),
              1);
    CT_EQ_INT(stubCount(key), 1);
    CT_EQ_INT(it_pg_int("SELECT sent_ms FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s'", key),
              shanghai(2026, 11, 12, 8, 0));
    if (capHeldKey[0]) {
        CT_EQ_INT(waitStatus(capHeldKey, "sent"), 1);
        CT_EQ_INT(stubCount(capHeldKey), 1);
    }
    CT_CHECK(it_metric(it_worker_http_port(&w), "cs_nt_released_total") >= 1);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
    it_worker_stop(&d, SIGTERM, 20000);
}

/* NT-3 across days: seven messages to one number on one afternoon go three
 * that day, three the next morning and the last the morning after. The
 * seventh, released with the other held ones, is held again, into the
 * sweep of the next morning (the release time is in the sweep's id),
 * whose firing releases it. */
static void test_nt3_seven_messages_go_three_a_day_over_three_days(void) {
    char run[64], key[7][128], to[32];
    it_run_id(run, sizeof run);
    numberFor(to, sizeof to, 12);
    IT_REQUIRE(clockSet(shanghai(2026, 11, 13, 15, 0)) == 0);
    it_worker w, d;
    IT_REQUIRE(startNotifier(&w, "nt-3days", NULL) == 0);
    produceInTurn(run, "d3k", to, key, 7);
    for (int i = 0; i < 3; i++) CT_EQ_INT(msgCount(key[i], "sent"), 1);
    for (int i = 3; i < 7; i++) CT_EQ_INT(msgCount(key[i], "held"), 1);
    const char *denv[] = {"CS_CLOCK=redis", NULL};
    IT_REQUIRE(it_worker_start_bin(&d, "timer-dispatcher", "nt-3days-dispatcher", NULL, denv) == 0);
    /* 11-14 08:00: the four held ones are released; three go, one is held again */
    IT_REQUIRE(clockSet(shanghai(2026, 11, 14, 8, 0)) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 6, 60000,
                         "SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key LIKE '%s-d3k%%' "
                         "AND status='sent'",
                         run),
              6);
    /* waited for, not read at once: the four releases may come in two
     * batches, and the six sent may commit before the seventh is held again */
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 60000,
                         "SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key LIKE '%s-d3k%%' "
                         "AND status='held' AND reason='NT-3 DAILY_CAP' AND release_ms=%lld",
                         run, (long long)shanghai(2026, 11, 15, 8, 0)),
              1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers t JOIN messages m ON t.timer_id = " IT_SWEEP_ID("m", "m.release_ms")
                        " WHERE t.owner='notifier' AND m.shop_id='" SHOP "' AND m.idempotency_key LIKE '%s-d3k%%' "
                        "AND m.status='held' AND t.status='pending' AND t.due_ms=%lld",
                        run, (long long)shanghai(2026, 11, 15, 8, 0)),
              1);
    /* the three released and sent went by the sweeps of 08:00 (a released
     * row keeps its bucket), each armed again after it released something
     * and done ('fired') once a firing found nothing */
    CT_EQ_INT(it_wait_pg(IT_EQ, 3, 10000,
                         "SELECT count(*) FROM timers t JOIN messages m ON t.timer_id = " IT_SWEEP_ID("m", "%lld")
                         " WHERE t.owner='notifier' AND m.shop_id='" SHOP "' AND m.idempotency_key LIKE '%s-d3k%%' "
                         "AND m.status='sent' AND t.status='fired'",
                         (long long)shanghai(2026, 11, 14, 8, 0), run),
              3);
    /* 11-15 08:00: the last one goes */
    IT_REQUIRE(clockSet(shanghai(2026, 11, 15, 8, 0)) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 7, 60000,
                         "SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key LIKE '%s-d3k%%' "
                         "AND status='sent'",
                         run),
              7);
    for (int i = 0; i < 7; i++) CT_EQ_INT(stubCount(key[i]), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key LIKE '%s-d3k%%' "
                        "AND sent_ms=%lld",
                        run, (long long)shanghai(2026, 11, 14, 8, 0)),
              3);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key LIKE '%s-d3k%%' "
                        "AND sent_ms=%lld",
                        run, (long long)shanghai(2026, 11, 15, 8, 0)),
              1);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
    it_worker_stop(&d, SIGTERM, 20000);
}

/* ---- RV-5: follow-up expiry and ended cases ------------------------------------------------ */

/* A review case row as the review-scheduler stores it (migration 0010);
 * doc is any bytes: the notifier reads only stage and closed_ms. */
static int caseRow(const char *case_id, const char *order, const char *stage, int64_t closed_ms) {
    char closed[24] = "NULL";
    if (closed_ms) snprintf(closed, sizeof closed, "%lld", (long long)closed_ms);
    return it_pg_exec(
        "INSERT INTO cases (shop_id, case_id, kind, order_id, stage, opened_ms, closed_ms, updated_ms, doc) "
        "VALUES ('" SHOP "', '%s', 'review', '%s', '%s', 0, %s, 0, decode('00', 'hex')) "
        "ON CONFLICT (shop_id, kind, case_id) DO UPDATE SET stage = EXCLUDED.stage, "
        "closed_ms = EXCLUDED.closed_ms",
        case_id, order, stage, closed);
}

static long long reasonCount(const char *key, const char *reason) {
    return it_pg_int("SELECT count(*) FROM messages WHERE shop_id = '" SHOP
                     "' AND idempotency_key = '%s' AND reason = '%s'",
                     key, reason);
}

/* RV-5: a follow-up whose review case was revised (closed) is cancelled and
 * never reaches the provider; one whose case is open goes; a replay of the
 * cancelled key does nothing (NT-1). */
static void test_rv5_follow_up_of_a_closed_case_is_cancelled_never_sent(void) {
    char run[64], kc[128], ko[128], marker[128], ev[160], order[96], caseClosed[96], caseOpen[96], to[32], other[32];
    it_run_id(run, sizeof run);
    snprintf(kc, sizeof kc, "%s-kcancel", run);
    snprintf(ko, sizeof ko, "%s-kopen", run);
    snprintf(marker, sizeof marker, "%s-kmark", run);
    snprintf(order, sizeof order, "%s-o5", run);
    snprintf(caseClosed, sizeof caseClosed, "%s-rv-closed", run);
    snprintf(caseOpen, sizeof caseOpen, "%s-rv-open", run);
    numberFor(to, sizeof to, 20);
    numberFor(other, sizeof other, 21);
    int64_t now = shanghai(2026, 11, 12, 10, 0), expires = shanghai(2026, 11, 13, 0, 0);
    IT_REQUIRE(clockSet(now) == 0);
    IT_REQUIRE(caseRow(caseClosed, order, "revised", now - 3600000) == 0);
    IT_REQUIRE(caseRow(caseOpen, order, "open", 0) == 0);
    it_worker w;
    IT_REQUIRE(startNotifier(&w, "nt-rv5-cancel", NULL) == 0);
    snprintf(ev, sizeof ev, "%s-ecancel", run);
    CT_EQ_INT(produceRequestFor(run, ev, kc, order, to, NT_FOLLOW_UP_CLASS, "review_follow_up", caseClosed, expires),
              0);
    snprintf(ev, sizeof ev, "%s-eopen", run);
    CT_EQ_INT(produceRequestFor(run, ev, ko, order, other, NT_FOLLOW_UP_CLASS, "review_follow_up", caseOpen, expires),
              0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(kc, "cancelled"), 1);
    CT_EQ_INT(reasonCount(kc, "RV-5 CASE_CLOSED (revised)"), 1);
    CT_EQ_INT(waitStatus(ko, "sent"), 1);
    CT_EQ_INT(stubCount(ko), 1);
    /* the cancelled key again (a new event): final, nothing more; a marker
     * behind it on the same partition shows it was seen */
    snprintf(ev, sizeof ev, "%s-ecancel-again", run);
    CT_EQ_INT(produceRequestFor(run, ev, kc, order, to, NT_FOLLOW_UP_CLASS, "review_follow_up", caseClosed, expires),
              0);
    snprintf(ev, sizeof ev, "%s-emark", run);
    CT_EQ_INT(produceRequest(run, ev, marker, order, to, NT_SERVICE_CLASS, "ship_date_changed"), 0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(marker, "sent"), 1);
    CT_EQ_INT(msgCount(kc, "cancelled"), 1);
    CT_EQ_INT(stubCount(kc), 0);
    int port = it_worker_http_port(&w);
    CT_CHECK(it_metric(port, "cs_nt_messages_total{status=\"cancelled\"}") >= 1);
    CT_CHECK(it_metric(port, "cs_nt_replays_total") >= 1);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
}

/* RV-5: a follow-up that arrives after its expiry (day 2's SMS consumed on
 * day 3) is expired, never sent. */
static void test_rv5_follow_up_requested_after_its_expiry_is_expired(void) {
    char run[64], key[128], ev[160], order[96], caseId[96], to[32];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "%s-klate", run);
    snprintf(order, sizeof order, "%s-o6", run);
    snprintf(caseId, sizeof caseId, "%s-rv-late", run);
    numberFor(to, sizeof to, 22);
    IT_REQUIRE(clockSet(shanghai(2026, 11, 13, 10, 0)) == 0);
    IT_REQUIRE(caseRow(caseId, order, "open", 0) == 0);
    it_worker w;
    IT_REQUIRE(startNotifier(&w, "nt-rv5-late", NULL) == 0);
    snprintf(ev, sizeof ev, "%s-elate", run);
    CT_EQ_INT(produceRequestFor(run, ev, key, order, to, NT_FOLLOW_UP_CLASS, "review_follow_up", caseId,
                                shanghai(2026, 11, 13, 0, 0)),
              0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(key, "expired"), 1);
    CT_EQ_INT(reasonCount(key, "RV-5 EXPIRED"), 1);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s' "
                        "AND sent_ms IS NULL AND release_ms IS NULL",
                        key),
              1);
    it_sleep_ms(300);
    CT_EQ_INT(stubCount(key), 0);
    CT_CHECK(it_metric(it_worker_http_port(&w), "cs_nt_messages_total{status=\"expired\"}") >= 1);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
}

/* RV-5 under quiet hours (NT-2), with the real timer-dispatcher on the
 * Redis clock. Asked for at 20:30:
 *  - expiring at midnight: the window opens at 08:00, after the expiry, so
 *    it is expired at once (no hold, no timer), and 08:00 sends nothing;
 *  - expiring at 09:00 (its case stays open): held to 08:00, but the
 *    release fires late (the clock jumps to 09:30): expired, not sent;
 *  - expiring at noon, its case revised in the night: held, then cancelled
 *    when released at 09:30. */
static void test_rv5_follow_up_held_by_quiet_hours_is_expired_or_cancelled_not_sent(void) {
    char run[64], kMid[128], kNine[128], kRev[128], ev[160], order[96], caseId[96], caseOpen[96], to[3][32];
    it_run_id(run, sizeof run);
    snprintf(kMid, sizeof kMid, "%s-kmidnight", run);
    snprintf(kNine, sizeof kNine, "%s-knine", run);
    snprintf(kRev, sizeof kRev, "%s-krevised", run);
    snprintf(order, sizeof order, "%s-o7", run);
    snprintf(caseId, sizeof caseId, "%s-rv-night", run);
    snprintf(caseOpen, sizeof caseOpen, "%s-rv-stays-open", run);
    for (int i = 0; i < 3; i++) numberFor(to[i], sizeof to[i], 23 + i);
    IT_REQUIRE(clockSet(shanghai(2026, 11, 14, 20, 30)) == 0);
    IT_REQUIRE(caseRow(caseId, order, "open", 0) == 0);
    IT_REQUIRE(caseRow(caseOpen, order, "open", 0) == 0);
    it_worker w, d;
    IT_REQUIRE(startNotifier(&w, "nt-rv5-night", NULL) == 0);
    const char *denv[] = {"CS_CLOCK=redis", NULL};
    IT_REQUIRE(it_worker_start_bin(&d, "timer-dispatcher", "nt-rv5-dispatcher", NULL, denv) == 0);
    snprintf(ev, sizeof ev, "%s-emid", run);
    CT_EQ_INT(produceRequestFor(run, ev, kMid, order, to[0], NT_FOLLOW_UP_CLASS, "review_follow_up", caseId,
                                shanghai(2026, 11, 15, 0, 0)),
              0);
    snprintf(ev, sizeof ev, "%s-enine", run);
    CT_EQ_INT(produceRequestFor(run, ev, kNine, order, to[1], NT_FOLLOW_UP_CLASS, "review_follow_up", caseOpen,
                                shanghai(2026, 11, 15, 9, 0)),
              0);
    snprintf(ev, sizeof ev, "%s-erev", run);
    CT_EQ_INT(produceRequestFor(run, ev, kRev, order, to[2], NT_FOLLOW_UP_CLASS, "review_follow_up", caseId,
                                shanghai(2026, 11, 15, 12, 0)),
              0);
    CT_EQ_INT(it_flush(30000), 0);
    CT_EQ_INT(waitStatus(kMid, "expired"), 1);
    CT_EQ_INT(reasonCount(kMid, "RV-5 EXPIRED (held past it by NT-2 QUIET_HOURS)"), 1);
    /* never held: no bucket, no sweep */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s' AND "
                        "release_bucket IS NULL",
                        kMid),
              1);
    CT_EQ_INT(waitStatus(kNine, "held"), 1);
    CT_EQ_INT(waitStatus(kRev, "held"), 1);
    CT_EQ_INT(it_pg_int("SELECT release_ms FROM messages WHERE shop_id='" SHOP "' AND idempotency_key='%s'", kNine),
              shanghai(2026, 11, 15, 8, 0));
    /* in the night the buyer revises the review: the case ends */
    IT_REQUIRE(caseRow(caseId, order, "revised", shanghai(2026, 11, 14, 23, 0)) == 0);
    /* the release timers fire late, at 09:30 */
    IT_REQUIRE(clockSet(shanghai(2026, 11, 15, 9, 30)) == 0);
    CT_EQ_INT(waitStatus(kNine, "expired"), 1);
    CT_EQ_INT(reasonCount(kNine, "RV-5 EXPIRED"), 1);
    CT_EQ_INT(waitStatus(kRev, "cancelled"), 1);
    CT_EQ_INT(reasonCount(kRev, "RV-5 CASE_CLOSED (revised)"), 1);
    CT_EQ_INT(msgCount(kMid, "expired"), 1);
    it_sleep_ms(500);
    CT_EQ_INT(stubCount(kMid), 0);
    CT_EQ_INT(stubCount(kNine), 0);
    CT_EQ_INT(stubCount(kRev), 0);
    CT_CHECK(it_metric(it_worker_http_port(&w), "cs_nt_released_total") >= 2);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 20000), 0);
    it_worker_stop(&d, SIGTERM, 20000);
}

static void test_cleanup_clock(void) {
    clockClear();
    CT_CHECK(1);
}

IT_MAIN(CT_CASE(test_nt1_service_message_sent_once_with_its_key_replay_sends_nothing),
        CT_CASE(test_provider_400_is_failed_and_not_retried), CT_CASE(test_rf8_im_refused_for_good_is_sent_once_by_sms),
        CT_CASE(test_provider_500_then_200_is_sent_once_after_retry),
        CT_CASE(test_provider_down_every_attempt_is_dead_lettered),
        CT_CASE(test_nt4_opt_out_stops_follow_up_but_not_service),
        CT_CASE(test_nt4_service_message_still_goes_to_opted_out_number),
        CT_CASE(test_nt3_fourth_message_of_the_day_is_held_to_next_morning),
        CT_CASE(test_nt3_burst_of_five_to_one_number_sends_three), CT_CASE(test_throughput_and_rate_limit),
        CT_CASE(test_nt5_bad_template_stops_the_process_naming_it),
        CT_CASE(test_nt1_crash_after_provider_2xx_resends_the_same_key),
        CT_CASE(test_nt2_service_message_at_2200_is_sent_at_0800),
        CT_CASE(test_nt3_seven_messages_go_three_a_day_over_three_days),
        CT_CASE(test_rv5_follow_up_of_a_closed_case_is_cancelled_never_sent),
        CT_CASE(test_rv5_follow_up_requested_after_its_expiry_is_expired),
        CT_CASE(test_rv5_follow_up_held_by_quiet_hours_is_expired_or_cancelled_not_sent), CT_CASE(test_cleanup_clock))
