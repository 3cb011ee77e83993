/* bench_soak.c -- cs-bench soak-ids: the event ids of every record now on
 * the given topics, for bench/soak/check.sql (bench/run soak).
 *
 *   cs-bench soak-ids --topics t1,t2,... --mark FILE
 *   cs-bench soak-ids --topics t1,t2,... [--from FILE] --out FILE
 *
 * --mark writes the high watermarks of every partition ("topic partition
 * offset" lines) and exits: the soak's start. Otherwise each topic is read
 * from the marked offset (--from; else its first offset) to the high
 * watermark taken at start and writes one line per record: topic, event id, timer owner (or
 * "-"), tab-separated. The event id is the one the worker runtime dedupes
 * on (shared/src/runtime.c, msgEventId): the envelope's event_id when
 * present, at most 200 bytes and plain text, else "<topic>:<partition>:<offset>"
 * (the id a worker dead-letters an undecodable record under). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cs/kafka.h"
#include "cs/v1/envelope.pb-c.h"

static bool plainText(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\') return false;
    return true;
}

/* The offset marked for topic/partition in file from (NULL: none), or -1. */
static int64_t markedAt(const char *from, const char *topic, int part) {
    if (!from) return -1;
    FILE *f = fopen(from, "r");
    if (!f) return -1;
    char t[128];
    int p;
    long long off, found = -1;
    while (fscanf(f, "%127s %d %lld", t, &p, &off) == 3)
        if (strcmp(t, topic) == 0 && p == part) found = off;
    fclose(f);
    return found;
}

static int dumpTopic(const cs_config *cfg, const char *topic, const char *from, FILE *out, long long *count, char *err,
                     size_t errlen) {
    bench_offsets hi;
    if (bench_watermarks(cfg, topic, &hi, err, errlen) != 0) return -1;
    char group[64];
    snprintf(group, sizeof group, "cs-bench-soak-%d", (int)getpid());
    static const char *const over[] = {"enable.partition.eof", "false", "client.id", "cs-bench-soak", NULL};
    rd_kafka_conf_t *c = cs_kafka_conf(cfg, CS_KAFKA_READER, group, over, err, errlen);
    if (!c) return -1;
    char e[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof e);
    if (!rk) {
        snprintf(err, errlen, "consumer: %s", e);
        rd_kafka_conf_destroy(c);
        return -1;
    }
    rd_kafka_poll_set_consumer(rk);
    int64_t want = 0, lo[BENCH_MAX_PARTS];
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(hi.n);
    for (int p = 0; p < hi.n; p++) {
        int64_t h;
        if (rd_kafka_query_watermark_offsets(rk, topic, p, &lo[p], &h, 10000)) lo[p] = 0;
        int64_t mark = markedAt(from, topic, p);
        if (mark > lo[p]) lo[p] = mark;
        if (hi.off[p] > lo[p]) want += hi.off[p] - lo[p];
        rd_kafka_topic_partition_list_add(l, topic, p)->offset = lo[p];
    }
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    int64_t n = 0, idle = bench_now_us();
    int rc = 0;
    while (n < want) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) {
            if (bench_now_us() - idle > 30000000) {
                snprintf(err, errlen, "%s: %" PRId64 " of %" PRId64 " records read, then nothing for 30 s", topic, n,
                         want);
                rc = -1;
                break;
            }
            continue;
        }
        idle = bench_now_us();
        if (m->err || m->partition >= hi.n || m->offset >= hi.off[m->partition]) {
            rd_kafka_message_destroy(m);
            continue;
        }
        char synth[160];
        snprintf(synth, sizeof synth, "%s:%d:%" PRId64, topic, (int)m->partition, m->offset);
        Cs__V1__Envelope *env = cs__v1__envelope__unpack(NULL, m->len, m->payload);
        const char *id = synth, *owner = "-";
        if (env && env->event_id && env->event_id[0] && strlen(env->event_id) <= 200 && plainText(env->event_id))
            id = env->event_id;
        if (env && env->body_case == CS__V1__ENVELOPE__BODY_TIMER && env->timer && env->timer->owner &&
            env->timer->owner[0] && plainText(env->timer->owner))
            owner = env->timer->owner;
        fprintf(out, "%s\t%s\t%s\n", topic, id, owner);
        if (env) cs__v1__envelope__free_unpacked(env, NULL);
        rd_kafka_message_destroy(m);
        n++;
    }
    *count = n;
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

int bench_soak_ids_main(int argc, char **argv) {
    const char *topics = NULL, *outpath = NULL, *from = NULL, *mark = NULL;
    static const struct option opts[] = {{"topics", required_argument, 0, 't'},
                                         {"out", required_argument, 0, 'o'},
                                         {"from", required_argument, 0, 'f'},
                                         {"mark", required_argument, 0, 'm'},
                                         {0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 't') topics = optarg;
        else if (c == 'o') outpath = optarg;
        else if (c == 'f') from = optarg;
        else if (c == 'm') mark = optarg;
        else return 2;
    }
    if (!topics || (!outpath && !mark)) {
        fprintf(stderr, "usage: cs-bench soak-ids --topics t1,t2,... (--mark FILE | [--from FILE] --out FILE)\n");
        return 2;
    }
    char err[512];
    cs_config cfg;
    if (cs_config_load(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "cs-bench soak-ids: %s\n", err);
        return 2;
    }
    FILE *out = fopen(mark ? mark : outpath, "w");
    if (!out) {
        perror(mark ? mark : outpath);
        return 1;
    }
    char *list = strdup(topics), *save = NULL;
    int rc = 0;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        long long n = 0;
        if (mark) {
            bench_offsets hi;
            if (bench_watermarks(&cfg, t, &hi, err, sizeof err) != 0) {
                fprintf(stderr, "cs-bench soak-ids: %s\n", err);
                rc = 1;
                continue;
            }
            for (int p = 0; p < hi.n; p++) fprintf(out, "%s %d %lld\n", t, p, (long long)hi.off[p]);
            continue;
        }
        if (dumpTopic(&cfg, t, from, out, &n, err, sizeof err) != 0) {
            fprintf(stderr, "cs-bench soak-ids: %s\n", err);
            rc = 1;
        }
        fprintf(stderr, "cs-bench soak-ids: %s %lld records\n", t, n);
    }
    free(list);
    if (fclose(out) != 0) rc = 1;
    return rc;
}
