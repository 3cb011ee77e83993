/* cs-sample: produces a realistic Double-11 morning of sample events to
 * Kafka (the generator is sample_gen.c; this file is the command line and
 * the producer).
 *
 *   cs-sample orders [--count N] [--seed S] [--run-id ID] [--start ISO]
 *                    [--rate R] [--poison K] [--settle SEC] [--brokers LIST]
 *                    [--gateway URL [--inflight N]]
 *
 * Production happens in three phases because the verifier reads several
 * topics and records of different topics arrive in any order: first the
 * stock levels and after-sales history (so orders meet their stock and the
 * OV-11 quality counts), a settle pause, then the orders in the platform's
 * delivery order (poison records spread among them), another pause, then
 * the follow-ups that name an order (invoice requests: the verifier
 * refuses one for an order it does not know) and a restock.
 *
 * The producer is idempotent (enable.idempotence, acks=all), lingers 5 ms
 * to batch, and is flushed at the end of every phase; a record that Kafka
 * did not acknowledge makes the exit code 1. --rate paces the records
 * (records per second, all topics together) for latency measurements.
 *
 * With --gateway, nothing is produced here: every record is sent to the
 * webhook gateway as the request its shop would send (webhook_enc.c: a
 * Taobao TMC message, a Shopify webhook, or generic when a platform's
 * format would lose a field), signed with the shop's secret from
 * CS_SHOPS_FILE, up to --inflight at a time (webhook_send.c), phase by
 * phase as above: a phase is over when every request has its answer. Poison
 * records go as malformed requests. A request that should have been
 * accepted and was not (after retries of 429 and 503) makes the exit code 1;
 * the summary counts the answers by platform and status. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "cs/clock.h"
#include "cs/config.h"
#include "cs/kafka.h"
#include "cs/topics.h"
#include "cs/tz.h"
#include "cs/util.h"
#include "sample_gen.h"
#include "webhook_enc.h"
#include "webhook_send.h"

#define EXIT_USAGE 2
#define EXIT_BACKEND 3
#define MAX_KINDS 32

/* One record waiting to be produced. */
typedef struct smpRecord {
    int64_t at_ms;     /* platform delivery time: the production order */
    uint32_t seq;      /* tie-break: generation order */
    const char *topic; /* static */
    const char *what;  /* static: counted per kind */
    char *key;         /* owned */
    uint8_t *value;    /* owned until handed to librdkafka; NULL with --gateway */
    size_t len;
    cs_webhook wh; /* --gateway: the request that stands for the record (owned) */
} smpRecord;

typedef struct smpList {
    smpRecord *r;
    size_t n, cap;
} smpList;

/* Counts by kind of record ("CREATED", "INVENTORY", ...). */
typedef struct smpCounts {
    const char *name[MAX_KINDS];
    long n[MAX_KINDS];
    int len;
} smpCounts;

static volatile sig_atomic_t stopRequested;

static long deliveredOk, deliveredFailed;
static char firstError[256];

static void onSignal(int sig) {
    (void)sig;
    if (stopRequested) _exit(130); /* a second signal: leave at once */
    stopRequested = 1;
}

static void countAdd(smpCounts *c, const char *name, long n) {
    for (int i = 0; i < c->len; i++)
        if (strcmp(c->name[i], name) == 0) {
            c->n[i] += n;
            return;
        }
    if (c->len < MAX_KINDS) {
        c->name[c->len] = name;
        c->n[c->len++] = n;
    }
}

static void countPrint(const char *label, const smpCounts *c) {
    printf("  %-10s", label);
    if (!c->len) printf(" -");
    for (int i = 0; i < c->len; i++) printf("%s %s %ld", i ? "," : "", c->name[i], c->n[i]);
    printf("\n");
}

/* Adds ev to l: packed for Kafka, or, with shops (--gateway), encoded as
 * its webhook request. 0, or -1 with err when no request carries it. */
static int listAdd(smpList *l, const cs_sample_event *ev, uint32_t seq, const cs_shops *shops, char *err,
                   size_t errlen) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->r = cs_xrealloc(l->r, l->cap * sizeof *l->r);
    }
    smpRecord *r = &l->r[l->n];
    memset(r, 0, sizeof *r);
    if (shops && cs_webhook_encode(shops, ev->topic, ev->env, &r->wh, err, errlen) != 0) return -1;
    l->n++;
    r->at_ms = ev->at_ms;
    r->seq = seq;
    r->topic = ev->topic;
    r->what = ev->what;
    r->key = cs_xstrdup(ev->key);
    if (!shops) r->value = cs_sample_pack(ev->env, &r->len);
    return 0;
}

static void listFree(smpList *l) {
    for (size_t i = 0; i < l->n; i++) {
        free(l->r[i].key);
        free(l->r[i].value);
        cs_webhook_free(&l->r[i].wh);
    }
    free(l->r);
    memset(l, 0, sizeof *l);
}

static int byTime(const void *a, const void *b) {
    const smpRecord *x = a, *y = b;
    if (x->at_ms != y->at_ms) return x->at_ms < y->at_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void onDelivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    (void)opaque;
    if (m->err) {
        if (!deliveredFailed)
            snprintf(firstError, sizeof firstError, "%s: %s", rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
        deliveredFailed++;
    } else {
        deliveredOk++;
    }
}

/* The project's idempotent producer (acks=all: no duplicates from our own
 * retries), tuned for a burst of sample records. */
static rd_kafka_t *producerNew(const cs_config *cfg, char *err, size_t errlen) {
    static const char *const over[] = {
        "linger.ms",          "5", /* batch without hurting latency runs */
        "message.timeout.ms", "60000", "queue.buffering.max.messages", "500000", "client.id", "cs-sample", NULL,
    };
    rd_kafka_conf_t *conf = cs_kafka_conf(cfg, CS_KAFKA_PRODUCER, NULL, over, err, errlen);
    if (!conf) return NULL;
    rd_kafka_conf_set_dr_msg_cb(conf, onDelivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, errlen);
    if (!rk) goto fail;
    /* rd_kafka_new() took ownership of conf */
    return rk;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

/* Broker auto-creation is off (CONTRACTS.md): check the topics exist, so a
 * missing one is one clear message rather than a minute of timeouts. */
static int checkTopics(rd_kafka_t *rk, char *err, size_t errlen) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, 10000);
    if (e) {
        snprintf(err, errlen, "Kafka metadata: %s", rd_kafka_err2str(e));
        return EXIT_BACKEND;
    }
    static const char *const need[] = {CS_TOPIC_INVENTORY, CS_TOPIC_AFTERSALES, CS_TOPIC_ORDERS, CS_TOPIC_CONTACTS};
    int rc = 0;
    for (size_t i = 0; i < sizeof need / sizeof need[0] && rc == 0; i++) {
        bool found = false;
        for (int t = 0; t < md->topic_cnt; t++)
            found = found || (strcmp(md->topics[t].topic, need[i]) == 0 && !md->topics[t].err);
        if (!found) {
            snprintf(err, errlen, "topic %s does not exist (run `cscli topics create`)", need[i]);
            rc = 1;
        }
    }
    rd_kafka_metadata_destroy(md);
    return rc;
}

/* Paces production at rate records/s from t0 (0 = as fast as possible). */
typedef struct smpPacer {
    double rate;
    int64_t t0_ms;
    long sent;
} smpPacer;

static void pacerWait(rd_kafka_t *rk, smpPacer *p) {
    if (p->rate <= 0) return;
    if (p->sent == 0) p->t0_ms = cs_mono_ms();
    int64_t due = p->t0_ms + (int64_t)((double)p->sent * 1000.0 / p->rate);
    for (;;) {
        int64_t now = cs_mono_ms();
        if (now >= due || stopRequested) break;
        rd_kafka_poll(rk, (int)(due - now > 50 ? 50 : due - now));
    }
}

/* Hands value to librdkafka (which frees it); retries while the local
 * queue is full. Returns 0, or -1 with err. */
static int produceOne(rd_kafka_t *rk, smpPacer *pacer, const char *topic, const char *key, uint8_t *value, size_t len,
                      char *err, size_t errlen) {
    pacerWait(rk, pacer);
    for (;;) {
        rd_kafka_resp_err_t e =
            rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                              RD_KAFKA_V_VALUE(value, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE), RD_KAFKA_V_END);
        if (!e) break;
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL && !stopRequested) {
            rd_kafka_poll(rk, 100);
            continue;
        }
        free(value);
        snprintf(err, errlen, "produce to %s: %s", topic, rd_kafka_err2str(e));
        return -1;
    }
    pacer->sent++;
    rd_kafka_poll(rk, 0);
    return 0;
}

static int flushAll(rd_kafka_t *rk, char *err, size_t errlen) {
    rd_kafka_resp_err_t e = rd_kafka_flush(rk, 120000);
    if (e) {
        snprintf(err, errlen, "flush: %s (%d records not acknowledged)", rd_kafka_err2str(e), rd_kafka_outq_len(rk));
        return -1;
    }
    return 0;
}

/* Waits seconds, serving rk's callbacks meanwhile (rk NULL: just waits). */
static void settle(rd_kafka_t *rk, double seconds) {
    int64_t end = cs_mono_ms() + (int64_t)(seconds * 1000);
    while (!stopRequested && cs_mono_ms() < end) {
        if (rk) {
            rd_kafka_poll(rk, 100);
            continue;
        }
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* ---- --gateway ------------------------------------------------------------------ */

/* Requests by platform, and the platform shops' records that went generic
 * by what they were and which platform: how many, and every field that
 * platform lost of them (or that it has no topic for them). */
#define MAX_FALLBACKS 40
typedef struct smpShares {
    long platform[CS_WEBHOOK_PLATFORMS];
    struct {
        const char *what; /* static */
        char platform[16];
        char why[480]; /* "loses a, b" (the union over the records) or the platform's reason */
        long n;
    } fb[MAX_FALLBACKS];
    int nfb;
} smpShares;

/* Adds the fields of "loses a, b" to why, each once. */
static void lossUnion(char *why, size_t len, const char *fields) {
    if (!why[0]) snprintf(why, len, "loses");
    for (const char *p = fields; *p;) {
        size_t n = strcspn(p, ",");
        char f[160], have[420];
        snprintf(f, sizeof f, " %.*s", (int)(n < 150 ? n : 150), p);
        snprintf(have, sizeof have, "%s,", why);
        char probe[170];
        snprintf(probe, sizeof probe, "%s,", f);
        if (!strstr(have, probe)) {
            size_t k = strlen(why);
            snprintf(why + k, len - k, "%s%s", strcmp(why, "loses") ? "," : "", f);
        }
        p += n;
        while (*p == ',' || *p == ' ') p++;
    }
}

static void sharesAdd(smpShares *sh, const smpList *l) {
    for (size_t i = 0; i < l->n; i++) {
        const smpRecord *r = &l->r[i];
        sh->platform[r->wh.platform]++;
        if (!r->wh.fallback[0]) continue;
        const char *fb = r->wh.fallback, *colon = strchr(fb, ':');
        int plen = colon ? (int)(colon - fb) : 0;
        int k = 0;
        while (k < sh->nfb && (strcmp(sh->fb[k].what, r->what) != 0 || strncmp(sh->fb[k].platform, fb, plen) != 0 ||
                               sh->fb[k].platform[plen]))
            k++;
        if (k == sh->nfb) {
            if (sh->nfb == MAX_FALLBACKS) continue;
            memset(&sh->fb[k], 0, sizeof sh->fb[k]);
            sh->fb[k].what = r->what;
            snprintf(sh->fb[k].platform, sizeof sh->fb[k].platform, "%.*s", plen, fb);
            sh->nfb++;
        }
        sh->fb[k].n++;
        const char *why = colon ? colon + 2 : fb;
        if (strncmp(why, "loses ", 6) == 0)
            lossUnion(sh->fb[k].why, sizeof sh->fb[k].why, why + 6);
        else
            snprintf(sh->fb[k].why, sizeof sh->fb[k].why, "%s", why);
    }
}

static void sharesPrint(const smpShares *sh) {
    printf("  webhooks   taobao %ld, shopify %ld, generic %ld\n", sh->platform[CS_WEBHOOK_TAOBAO],
           sh->platform[CS_WEBHOOK_SHOPIFY], sh->platform[CS_WEBHOOK_GENERIC]);
    for (int k = 0; k < sh->nfb; k++)
        printf("  generic    %-22s %6ld of %s: %s\n", sh->fb[k].what, sh->fb[k].n, sh->fb[k].platform, sh->fb[k].why);
}

/* One phase's requests for the sender: the records of l and, when poison
 * is given, the poison requests spread among them as in the Kafka path.
 * *items is malloc'd (caller frees). */
static size_t gatewayItems(const smpList *l, cs_webhook *poison, int npoison, cs_wh_item **items) {
    size_t n = 0, every = npoison ? l->n / (size_t)npoison + 1 : 0;
    int used = 0;
    *items = cs_xcalloc(l->n + (size_t)npoison + 1, sizeof **items);
    for (size_t i = 0; i < l->n; i++) {
        (*items)[n++] = (cs_wh_item){&l->r[i].wh, l->r[i].key};
        if (used < npoison && every && i % every == every / 2) {
            (*items)[n++] = (cs_wh_item){&poison[used], poison[used].event_id};
            used++;
        }
    }
    for (; used < npoison; used++) (*items)[n++] = (cs_wh_item){&poison[used], poison[used].event_id};
    return n;
}

/* Sends the three phases through the gateway. Returns the requests not
 * answered as expected. */
static long gatewayRun(cs_wh_sender *gw, const smpList *phases[3], cs_webhook *poison, int npoison, double settle_s) {
    long unexpected = 0;
    for (int p = 0; p < 3 && !stopRequested; p++) {
        if (p > 0 && phases[p]->n) settle(NULL, settle_s);
        cs_wh_item *items;
        size_t n = gatewayItems(phases[p], p == 1 ? poison : NULL, p == 1 ? npoison : 0, &items);
        unexpected += cs_wh_send(gw, items, n, &stopRequested);
        free(items);
    }
    return unexpected;
}

static void usage(FILE *out) {
    fprintf(out, "usage: cs-sample orders [options]\n"
                 "       cs-sample day --phase afternoon|evening|day2|day2pm|day3 --run-id ID [--count N] [--seed S]\n"
                 "\n"
                 "Produces a Double-11 morning of sample events to Kafka: stock levels for every\n"
                 "SKU and after-sales history first, then the orders (CREATED, PAID and the\n"
                 "changes, shipments and cancellations that follow), then invoice requests and a\n"
                 "restock. The mix triggers every OV rule the order-verifier applies without a\n"
                 "timer. Event ids are fixed by (run id, seed, index): re-running with the same\n"
                 "run id re-sends the same events, which the consumers dedupe.\n"
                 "\n"
                 "options:\n"
                 "  --count N       orders (default 10000)\n"
                 "  --seed S        varies the mix (default 1)\n"
                 "  --run-id ID     part of every order and event id (default sample-<unix time>)\n"
                 "  --start ISO     first order (default 2026-11-11T00:00:00+08:00; no offset = Asia/Shanghai)\n"
                 "  --rate R        records per second, all topics together (default: as fast as possible)\n"
                 "  --poison K      add K malformed records to shop.orders.v1 (garbage, unknown shop,\n"
                 "                  negative amount)\n"
                 "  --settle SEC    pause between the phases (default 3)\n"
                 "  --brokers LIST  bootstrap servers (default $CS_KAFKA_BROKERS)\n"
                 "  --gateway URL   send every record to the webhook gateway at URL (http://127.0.0.1:8080)\n"
                 "                  as its shop's platform would (Taobao TMC, Shopify, else generic),\n"
                 "                  signed with the shop's secret from $CS_SHOPS_FILE, instead of to Kafka\n"
                 "  --inflight N    --gateway: requests open at once (default 64)\n"
                 "  --dry-run       generate and count, produce nothing\n"
                 "  --list          print one line per order: key, scenario, event kinds\n"
                 "  --phase P       (day) the days after the morning of run ID (same --count, --seed,\n"
                 "                  --start): afternoon (day 1 14:00: calls, stock-out refunds,\n"
                 "                  complaints, chasers, opt-outs, yesterday's late orders, neutral and\n"
                 "                  negative reviews posted at noon, after-sales requests: refund-only\n"
                 "                  on unshipped orders, returns, an exchange), evening (21:30:\n"
                 "                  unanswered calls), day2 (09:00: reviews revised, a return agreed,\n"
                 "                  returns shipped back), day2pm (14:00: a reviewer's 退订, a quality\n"
                 "                  refund), day3 (10:00: chasers past the promise, returns received,\n"
                 "                  refunded, reshipped)\n"
                 "\n"
                 "exit codes: 0 ok, 1 records not acknowledged or topics missing (--gateway: a request\n"
                 "not accepted), 2 usage, 3 Kafka down\n");
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    bool day_mode = strcmp(argv[1], "day") == 0;
    int phase = -1;
    if (strcmp(argv[1], "orders") != 0 && !day_mode) {
        fprintf(stderr, "cs-sample: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return EXIT_USAGE;
    }
    int count = 10000, poison = 0;
    uint64_t seed = 1;
    double rate = 0, settle_s = 3;
    const char *start_iso = NULL, *brokers = NULL, *gateway = NULL;
    int inflight = 64;
    char run_id[80] = "";
    bool dry = false, list = false;
    static const struct option opts[] = {{"count", required_argument, NULL, 'n'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"run-id", required_argument, NULL, 'r'},
                                         {"start", required_argument, NULL, 't'},
                                         {"rate", required_argument, NULL, 'R'},
                                         {"poison", required_argument, NULL, 'p'},
                                         {"settle", required_argument, NULL, 'S'},
                                         {"brokers", required_argument, NULL, 'b'},
                                         {"dry-run", no_argument, NULL, 'd'},
                                         {"list", no_argument, NULL, 'l'},
                                         {"phase", required_argument, NULL, 'P'},
                                         {"gateway", required_argument, NULL, 'g'},
                                         {"inflight", required_argument, NULL, 'i'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    optind = 2;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        errno = 0;
        switch (c) {
            case 'n':
                count = (int)strtol(optarg, &end, 10);
                if (*end || count < 1) goto bad;
                break;
            case 's':
                seed = strtoull(optarg, &end, 10);
                if (*end || errno) goto bad;
                break;
            case 'r':
                if (strlen(optarg) >= sizeof run_id) goto bad;
                snprintf(run_id, sizeof run_id, "%s", optarg);
                break;
            case 't': start_iso = optarg; break;
            case 'R':
                rate = strtod(optarg, &end);
                if (*end || rate < 0) goto bad;
                break;
            case 'p':
                poison = (int)strtol(optarg, &end, 10);
                if (*end || poison < 0) goto bad;
                break;
            case 'S':
                settle_s = strtod(optarg, &end);
                if (*end || settle_s < 0) goto bad;
                break;
            case 'b': brokers = optarg; break;
            case 'g': gateway = optarg; break;
            case 'i':
                inflight = (int)strtol(optarg, &end, 10);
                if (*end || inflight < 1 || inflight > 4096) goto bad;
                break;
            case 'd': dry = true; break;
            case 'l': list = true; break;
            case 'P':
                phase = cs_sample_phase_parse(optarg);
                if (phase < 0) goto bad;
                break;
            case 'h': usage(stdout); return 0;
            default: usage(stderr); return EXIT_USAGE;
        }
        continue;
    bad:
        fprintf(stderr, "cs-sample: bad option value '%s'\n", optarg);
        return EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "cs-sample: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (day_mode && (phase < 0 || !run_id[0])) {
        fprintf(stderr, "cs-sample: day needs --phase and the --run-id (and --count, --seed) of its morning\n");
        return EXIT_USAGE;
    }
    if (!run_id[0]) snprintf(run_id, sizeof run_id, "sample-%lld", (long long)(cs_real_ms() / 1000));

    char err[512];
    cs_config cfg;
    if (cs_config_load(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "cs-sample: %s\n", err);
        return EXIT_USAGE;
    }
    if (brokers) { /* --brokers wins over CS_KAFKA_BROKERS */
        free(cfg.brokers);
        cfg.brokers = cs_xstrdup(brokers);
    }

    int64_t start_ms = 0;
    if (start_iso) {
        cs_tz *tz = cs_tz_load("Asia/Shanghai", err, sizeof err);
        if (!tz) {
            fprintf(stderr, "cs-sample: %s\n", err);
            return EXIT_USAGE;
        }
        int bad_start = cs_parse_iso8601(start_iso, tz, &start_ms);
        cs_tz_free(tz);
        if (bad_start != 0) {
            fprintf(stderr, "cs-sample: --start: not an ISO-8601 time: '%s'\n", start_iso);
            return EXIT_USAGE;
        }
    }

    /* The stock count carries the wall clock so that this run's levels
     * replace whatever earlier runs left (older counts never overwrite
     * newer ones). */
    cs_sample_opts so = {
        .run_id = run_id, .seed = seed, .count = count, .start_ms = start_ms, .counted_ms = cs_real_ms()};
    cs_sample *s = cs_sample_new(&so, err, sizeof err);
    if (!s) {
        fprintf(stderr, "cs-sample: %s\n", err);
        return EXIT_USAGE;
    }
    /* --gateway: the shops' platforms and secrets */
    cs_shops *shops = NULL;
    if (gateway && !(shops = cs_shops_load(cfg.shops_file, err, sizeof err))) {
        fprintf(stderr, "cs-sample: %s\n", err);
        cs_sample_free(s);
        cs_config_free(&cfg);
        return EXIT_USAGE;
    }

    /* Generate everything first: counts are known before the first record
     * goes out, and the orders phase is sorted by delivery time. */
    smpList pre = {0}, main_ = {0}, late = {0};
    smpCounts kinds_pre = {0}, kinds_main = {0}, kinds_late = {0}, scen = {0};
    cs_sample_arena a;
    cs_sample_arena_init(&a);
    uint32_t seq = 0;
    if (day_mode) { /* one phase of the days after: everything is a follow-up */
        cs_sample_event evs[CS_SAMPLE_MAX_DAY_EVENTS];
        int n = cs_sample_day_events(s, (cs_sample_phase)phase, &a, evs, CS_SAMPLE_MAX_DAY_EVENTS);
        for (int k = 0; k < n; k++) {
            if (listAdd(&late, &evs[k], seq++, shops, err, sizeof err)) goto unencodable;
            countAdd(&kinds_late, evs[k].what, 1);
        }
        cs_sample_arena_reset(&a);
        settle_s = 0;
        count = 0; /* no preamble, no orders */
    }
    for (int k = 0; !day_mode && k < cs_sample_preamble_count(s); k++) {
        cs_sample_event ev;
        cs_sample_preamble_event(s, k, &a, &ev);
        if (listAdd(&pre, &ev, seq++, shops, err, sizeof err)) goto unencodable;
        countAdd(&kinds_pre, ev.what, 1);
        cs_sample_arena_reset(&a);
    }
    for (int i = 0; i < count; i++) {
        cs_sample_event evs[CS_SAMPLE_MAX_EVENTS];
        int n = cs_sample_order_events(s, i, &a, evs);
        if (list) {
            char oid[CS_SAMPLE_ID_LEN];
            cs_sample_order_id(s, i, oid, sizeof oid);
            printf("%s\t%s\t", n ? evs[0].key : oid, cs_sample_scenario_name(cs_sample_scenario_of(s, i)));
            for (int k = 0; k < n; k++) printf("%s%s", k ? "," : "", evs[k].what);
            printf("\n");
        }
        for (int k = 0; k < n; k++) {
            if (listAdd(evs[k].late ? &late : &main_, &evs[k], seq++, shops, err, sizeof err)) goto unencodable;
            countAdd(evs[k].late ? &kinds_late : &kinds_main, evs[k].what, 1);
        }
        countAdd(&scen, cs_sample_scenario_name(cs_sample_scenario_of(s, i)), 1);
        cs_sample_arena_reset(&a);
    }
    for (int k = 0; !day_mode && k < cs_sample_epilogue_count(s); k++) {
        cs_sample_event ev;
        cs_sample_epilogue_event(s, k, &a, &ev);
        if (listAdd(&late, &ev, seq++, shops, err, sizeof err)) goto unencodable;
        countAdd(&kinds_late, ev.what, 1);
        cs_sample_arena_reset(&a);
    }
    qsort(pre.r, pre.n, sizeof *pre.r, byTime);
    qsort(main_.r, main_.n, sizeof *main_.r, byTime);
    qsort(late.r, late.n, sizeof *late.r, byTime);

    char startbuf[40];
    {
        cs_tz *tz = cs_tz_load("Asia/Shanghai", err, sizeof err);
        cs_format_iso8601(start_ms ? start_ms : 1794326400000LL, tz, startbuf, sizeof startbuf);
        cs_tz_free(tz);
    }
    if (day_mode) {
        char at[40];
        cs_tz *tz = cs_tz_load("Asia/Shanghai", err, sizeof err);
        cs_format_iso8601(cs_sample_phase_ms(s, (cs_sample_phase)phase), tz, at, sizeof at);
        cs_tz_free(tz);
        printf("cs-sample: run %s, seed %" PRIu64 ": the %s of the days after (%s)%s\n", run_id, seed,
               cs_sample_phase_name((cs_sample_phase)phase), at, dry ? " (dry run)" : "");
    } else {
        printf("cs-sample: run %s, seed %" PRIu64 ": %d orders from %s over the morning%s\n", run_id, seed, count,
               startbuf, dry ? " (dry run)" : "");
    }

    int rc = 0;
    rd_kafka_t *rk = NULL;
    int64_t t_start = cs_mono_ms();
    smpPacer pacer = {.rate = rate};
    smpCounts kinds_poison = {0};
    cs_wh_sender *gw = NULL;
    cs_webhook *poison_wh = cs_xcalloc((size_t)poison + 1, sizeof *poison_wh);
    if (!dry && gateway) {
        signal(SIGINT, onSignal);
        signal(SIGTERM, onSignal);
        if (!(gw = cs_wh_sender_new(gateway, inflight, err, sizeof err))) {
            fprintf(stderr, "cs-sample: %s\n", err);
            rc = EXIT_USAGE;
            goto out;
        }
        for (int k = 0; k < poison; k++) { /* malformed requests, spread among the orders */
            uint8_t *v;
            size_t len;
            char key[CS_SAMPLE_KEY_LEN];
            const char *what;
            cs_sample_poison(s, k, &v, &len, key, &what);
            cs_webhook_encode_poison(shops, key, v, len, &poison_wh[k]);
            free(v);
            countAdd(&kinds_poison, what, 1);
        }
        const smpList *phases[3] = {&pre, &main_, &late};
        if (gatewayRun(gw, phases, poison_wh, poison, settle_s) > 0) rc = 1;
        if (stopRequested) {
            fprintf(stderr, "cs-sample: interrupted\n");
            rc = 1;
        }
    } else if (!dry) {
        signal(SIGINT, onSignal);
        signal(SIGTERM, onSignal);
        rk = producerNew(&cfg, err, sizeof err);
        if (!rk) {
            fprintf(stderr, "cs-sample: producer: %s\n", err);
            rc = EXIT_BACKEND;
            goto out;
        }
        if ((rc = checkTopics(rk, err, sizeof err)) != 0) {
            fprintf(stderr, "cs-sample: %s\n", err);
            goto out;
        }

        /* phase 1: stock levels and after-sales history */
        for (size_t i = 0; i < pre.n && !stopRequested; i++) {
            if (produceOne(rk, &pacer, pre.r[i].topic, pre.r[i].key, pre.r[i].value, pre.r[i].len, err, sizeof err))
                goto fail;
            pre.r[i].value = NULL; /* librdkafka owns it now */
        }
        if (flushAll(rk, err, sizeof err)) goto fail;
        settle(rk, settle_s);

        /* phase 2: the orders, with the poison records spread among them */
        pacer.sent = 0;
        size_t every = poison ? main_.n / (size_t)poison + 1 : 0;
        int poisoned = 0;
        for (size_t i = 0; i < main_.n && !stopRequested; i++) {
            if (produceOne(rk, &pacer, main_.r[i].topic, main_.r[i].key, main_.r[i].value, main_.r[i].len, err,
                           sizeof err))
                goto fail;
            main_.r[i].value = NULL;
            if (poisoned < poison && every && i % every == every / 2) {
                uint8_t *v;
                size_t len;
                char key[CS_SAMPLE_KEY_LEN];
                const char *what;
                cs_sample_poison(s, poisoned++, &v, &len, key, &what);
                if (produceOne(rk, &pacer, CS_TOPIC_ORDERS, key, v, len, err, sizeof err)) goto fail;
                countAdd(&kinds_poison, what, 1);
            }
        }
        while (poisoned < poison && !stopRequested) { /* fewer orders than poison records */
            uint8_t *v;
            size_t len;
            char key[CS_SAMPLE_KEY_LEN];
            const char *what;
            cs_sample_poison(s, poisoned++, &v, &len, key, &what);
            if (produceOne(rk, &pacer, CS_TOPIC_ORDERS, key, v, len, err, sizeof err)) goto fail;
            countAdd(&kinds_poison, what, 1);
        }
        if (flushAll(rk, err, sizeof err)) goto fail;

        /* phase 3: follow-ups that need their order to be known */
        if (late.n) settle(rk, settle_s);
        pacer.sent = 0;
        for (size_t i = 0; i < late.n && !stopRequested; i++) {
            if (produceOne(rk, &pacer, late.r[i].topic, late.r[i].key, late.r[i].value, late.r[i].len, err, sizeof err))
                goto fail;
            late.r[i].value = NULL;
        }
        if (flushAll(rk, err, sizeof err)) goto fail;
        if (stopRequested) {
            fprintf(stderr, "cs-sample: interrupted\n");
            rc = 1;
        }
    } else {
        for (int k = 0; k < poison; k++)
            countAdd(&kinds_poison,
                     k % 3 == 0   ? "POISON_GARBAGE"
                     : k % 3 == 1 ? "POISON_UNKNOWN_SHOP"
                                  : "POISON_NEGATIVE_AMOUNT",
                     1);
    }
    goto report;
fail:
    fprintf(stderr, "cs-sample: %s\n", err);
    rc = 1;
report : {
    double secs = (double)(cs_mono_ms() - t_start) / 1000.0;
    countPrint("preamble", &kinds_pre);
    countPrint("orders", &kinds_main);
    countPrint("follow-ups", &kinds_late);
    countPrint("poison", &kinds_poison);
    countPrint("scenarios", &scen);
    if (shops) {
        smpShares sh;
        memset(&sh, 0, sizeof sh);
        sharesAdd(&sh, &pre);
        sharesAdd(&sh, &main_);
        sharesAdd(&sh, &late);
        sharesPrint(&sh);
    }
    if (gw) {
        char counts[512];
        cs_wh_sender_counts(gw, counts, sizeof counts);
        printf("  gateway: %s\n", counts);
        printf("  answered   %ld requests (%ld sent again after 429/503 or no answer) in %.1f s (%.0f requests/s)\n",
               cs_wh_sender_answered(gw), cs_wh_sender_retries(gw), secs,
               secs > 0 ? (double)cs_wh_sender_answered(gw) / secs : 0.0);
        if (cs_wh_sender_first_error(gw)[0])
            fprintf(stderr, "cs-sample: requests not answered as expected; first: %s\n", cs_wh_sender_first_error(gw));
    } else if (!dry) {
        printf("  delivered  %ld records acknowledged, %ld failed, in %.1f s (%.0f records/s)\n", deliveredOk,
               deliveredFailed, secs, secs > 0 ? (double)deliveredOk / secs : 0.0);
        if (deliveredFailed) {
            fprintf(stderr, "cs-sample: %ld records not delivered; first error: %s\n", deliveredFailed, firstError);
            rc = 1;
        }
    }
}
out:
    if (rk) {
        rd_kafka_flush(rk, 10000);
        rd_kafka_destroy(rk);
    }
    cs_wh_sender_free(gw);
    for (int k = 0; k < poison; k++) cs_webhook_free(&poison_wh[k]);
    free(poison_wh);
    cs_shops_free(shops);
    listFree(&pre);
    listFree(&main_);
    listFree(&late);
    cs_sample_free(s);
    cs_config_free(&cfg);
    return rc;

unencodable: /* a record no request carries: the encoder's check failed */
    fprintf(stderr, "cs-sample: %s\n", err);
    cs_sample_arena_reset(&a);
    listFree(&pre);
    listFree(&main_);
    listFree(&late);
    cs_shops_free(shops);
    cs_sample_free(s);
    cs_config_free(&cfg);
    return 1;
}
