/* gw_main.c -- the gateway process: configuration, shops, the pieces
 * started in dependency order, and the two-stage shutdown.
 *
 * Start: config (runtime's and the gateway's tables), logs, shops file
 * (a bad one stops the process), rate limiter, gw_accept (Redis handle,
 * Kafka producer and their threads), then the HTTP server last, so no
 * request arrives before what it needs exists.
 *
 * Stop (SIGTERM/SIGINT; a second one exits at once, cs_proc_signals):
 *   1. refuse new work: /readyz answers 503 and a new request 503 with
 *      Retry-After and Connection: close, for STOP_GRACE_MS, while the
 *      listening socket stays open (a connection in its backlog would
 *      otherwise be reset with its request unanswered);
 *   2. quiesce: the listening socket closes;
 *   3. drain: every request taken is answered once its records are
 *      acknowledged or have failed (at most the produce timeout, plus the
 *      claim wait), up to DRAIN_MS;
 *   4. the producer flushes, the HTTP daemon closes its connections. */
#include "gw_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cs/clock.h"
#include "cs/config.h"
#include "cs/log.h"
#include "cs/proc.h"
#include "cs/shop.h"
#include "gw_accept.h"
#include "gw_config.h"
#include "gw_ratelimit.h"
#include "gw_server.h"

#define DRAIN_MS 15000
#define STOP_GRACE_MS 1000

static void usage(FILE *out) {
    fprintf(out, "usage: gateway\n\n"
                 "Takes webhooks (POST /v1/webhooks/{taobao,shopify,generic}), verifies their\n"
                 "signatures, maps them to cs.v1 records and answers 202 once Kafka has\n"
                 "acknowledged every record (docs/webhooks.md). Serves /healthz, /readyz and\n"
                 "/metrics on the same address. Reads CS_KAFKA_BROKERS, CS_REDIS_URL,\n"
                 "CS_SHOPS_FILE, CS_LOG_LEVEL and CS_INSTANCE from the table below; CS_HTTP_ADDR\n"
                 "is not used (everything is on CS_GATEWAY_ADDR).\n\n");
    cs_config_usage(out);
    fputc('\n', out);
    gw_config_usage(out);
}

int gw_main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        fprintf(stderr, "gateway: unknown argument '%s' (try --help)\n", argv[i]);
        return 2;
    }
    char err[1024];
    cs_config cfg;
    gw_config gcfg;
    if (cs_config_load(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "gateway: configuration: %s\n", err);
        return 2;
    }
    if (gw_config_load(&gcfg, err, sizeof err) != 0) {
        fprintf(stderr, "gateway: configuration: %s\n", err);
        cs_config_free(&cfg);
        return 2;
    }
    cs_log_init("gateway", cfg.log_level);
    int code = 0;
    gw_ratelimit *rl = NULL;
    gw_accept *acc = NULL;
    gw_server *srv = NULL;
    cs_shops *shops = cs_shops_load(cfg.shops_file, err, sizeof err);
    if (!shops) {
        cs_log_error("shops file: %s", err);
        fprintf(stderr, "gateway: shops file: %s\n", err);
        code = 2;
        goto out;
    }
    /* the file holds every shop's webhook secrets (docs/security.md): say
     * so when other users can read it (the repository's sample is) */
    struct stat st;
    if (stat(cfg.shops_file, &st) == 0 && (st.st_mode & S_IROTH))
        cs_log_warn("shops file %s is readable by other users and holds the webhook secrets: chmod o-r it",
                    cfg.shops_file);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    rl = gw_ratelimit_new(shops, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
    cs_proc_signals();
    cs_proc_memory_setup();
    acc = gw_accept_new(&cfg, &gcfg, err, sizeof err);
    if (!acc) {
        cs_log_error("%s", err);
        code = 2;
        goto out;
    }
    srv = gw_server_start(&gcfg, shops, rl, acc, err, sizeof err);
    if (!srv) {
        cs_log_error("%s", err);
        code = 2;
        goto out;
    }
    char port[16], shopsN[16];
    snprintf(port, sizeof port, "%d", gw_server_port(srv));
    snprintf(shopsN, sizeof shopsN, "%zu", cs_shops_count(shops));
    cs_log_kv(CS_LOG_INFO, "started",
              (const char *const[]){"addr", gcfg.addr, "port", port, "shops", shopsN, "instance", cfg.instance, NULL});
    /* also in the form the harness and workers.sh look for */
    cs_log_info("http endpoint on port %s", port);

    while (!cs_proc_stopping()) {
        if (gw_accept_fatal(acc)) {
            code = 1; /* the producer cannot go on: stop cleanly, the supervisor restarts us */
            break;
        }
        cs_proc_trim_memory();
        cs_proc_sleep_ms(200);
    }
    cs_log_info("stopping: refusing new requests; answering the %d in flight", gw_server_inflight(srv));
    gw_server_refuse_new(srv);
    for (int64_t until = cs_mono_ms() + STOP_GRACE_MS; cs_mono_ms() < until;) cs_proc_sleep_ms(50);
    gw_server_quiesce(srv);
    for (int64_t until = cs_mono_ms() + DRAIN_MS; gw_server_inflight(srv) > 0 && cs_mono_ms() < until;)
        cs_proc_sleep_ms(20);
    /* what is left (a slow upload, a request waiting on a claim) is
     * answered 503 now, then its answer is given time to go out */
    gw_accept_close(acc, 10000);
    for (int64_t until = cs_mono_ms() + 2000; gw_server_inflight(srv) > 0 && cs_mono_ms() < until;)
        cs_proc_sleep_ms(20);
out:
    gw_server_stop(srv); /* no request can reach gw_accept after this */
    gw_accept_free(acc); /* flushes the producer */
    gw_ratelimit_free(rl);
    cs_shops_free(shops);
    cs_config_free(&cfg);
    if (code == 0) cs_log_info("stopped");
    return code;
}
