/* test_metrics.c -- the metrics registry, its text exposition and the
 * /metrics, /healthz endpoint (shared/src/metrics.c), fetched on an
 * ephemeral loopback port with a plain socket. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ct.h"
#include "cs/metrics.h"

static size_t count_of(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

static void test_same_name_and_labels_return_the_same_series(void) {
    cs_metric *a = cs_metric_get(CS_METRIC_COUNTER, "t_same_total", "help", "k=\"v\"");
    cs_metric *b = cs_metric_get(CS_METRIC_COUNTER, "t_same_total", "help", "k=\"v\"");
    cs_metric *c = cs_metric_get(CS_METRIC_COUNTER, "t_same_total", "help", "k=\"w\"");
    CT_CHECK(a == b);
    CT_CHECK(a != c);
    cs_metric_add(a, 2);
    cs_metric_add(b, 3);
    CT_EQ_INT(cs_metric_value(a), 5);
    CT_EQ_INT(cs_metric_value(c), 0);
    cs_metric *g = cs_metric_get(CS_METRIC_GAUGE, "t_same_gauge", "g", NULL);
    cs_metric_set(g, 42);
    cs_metric_set(g, -7);
    CT_EQ_INT(cs_metric_value(g), -7);
}

static void test_render_prints_help_and_type_once_per_name(void) {
    cs_metric *d = cs_metric_get(CS_METRIC_COUNTER, "t_dlq_total", "Events dead-lettered.", "reason=\"decode\"");
    cs_metric *u = cs_metric_get(CS_METRIC_COUNTER, "t_dlq_total", "Events dead-lettered.", "reason=\"unknown_shop\"");
    cs_metric *lag = cs_metric_get(CS_METRIC_GAUGE, "t_lag_ms", "Lag\nwith \\ newline.", NULL);
    cs_metric_add(d, 3);
    cs_metric_add(u, 1);
    cs_metric_set(lag, 1500);
    char *text = cs_metrics_render();
    CT_EQ_INT(count_of(text, "# HELP t_dlq_total "), 1);
    CT_EQ_INT(count_of(text, "# TYPE t_dlq_total counter\n"), 1);
    CT_CHECK(strstr(text, "# HELP t_dlq_total Events dead-lettered.\n# TYPE t_dlq_total counter\n"
                          "t_dlq_total{reason=\"decode\"} 3\nt_dlq_total{reason=\"unknown_shop\"} 1\n") != NULL);
    CT_CHECK(strstr(text, "# HELP t_lag_ms Lag\\nwith \\\\ newline.\n# TYPE t_lag_ms gauge\nt_lag_ms 1500\n") != NULL);
    CT_CHECK(text[strlen(text) - 1] == '\n');
    free(text);
}

static void test_render_includes_resident_memory(void) {
    char *text = cs_metrics_render();
    CT_CHECK(strstr(text, "# TYPE cs_process_resident_memory_bytes gauge\n") != NULL);
    const char *line = strstr(text, "\ncs_process_resident_memory_bytes ");
    long long v = line ? atoll(line + strlen("\ncs_process_resident_memory_bytes ")) : 0;
    CT_CHECK(v > 100 * 1024);
    free(text);
}

static cs_metric *race_metric;

static void *adder(void *arg) {
    (void)arg;
    for (int i = 0; i < 100000; i++) cs_metric_add(race_metric, 1);
    return NULL;
}

static void test_concurrent_adds_are_not_lost(void) {
    race_metric = cs_metric_get(CS_METRIC_COUNTER, "t_race_total", "race", NULL);
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, adder, NULL);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    CT_EQ_INT(cs_metric_value(race_metric), 400000);
}

/* ---- HTTP --------------------------------------------------------------- */

/* GET path on 127.0.0.1:port; returns the status, body copied into body. */
static int http_get(int port, const char *method, const char *path, char *body, size_t len) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    char req[256];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", method, path);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    static char resp[1 << 16];
    size_t got = 0;
    ssize_t r;
    while (got < sizeof resp - 1 && (r = read(fd, resp + got, sizeof resp - 1 - got)) > 0) got += (size_t)r;
    resp[got] = '\0';
    close(fd);
    int status = 0;
    if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1) return -1;
    const char *b = strstr(resp, "\r\n\r\n");
    snprintf(body, len, "%s", b ? b + 4 : "");
    return status;
}

static bool healthy = true;

static bool health(void *arg, char *why, size_t whylen) {
    CT_CHECK(arg == &healthy);
    if (!healthy) snprintf(why, whylen, "postgres unreachable");
    return healthy;
}

static void test_http_serves_metrics_and_healthz_on_an_ephemeral_port(void) {
    char err[256] = "", body[1 << 16];
    CT_EQ_INT(cs_http_start("127.0.0.1:0", health, &healthy, err, sizeof err), 0);
    int port = cs_http_port();
    CT_CHECK(port > 0);
    cs_metric_add(cs_metric_get(CS_METRIC_COUNTER, "t_http_total", "scraped", NULL), 9);

    CT_EQ_INT(http_get(port, "GET", "/metrics", body, sizeof body), 200);
    CT_CHECK(strstr(body, "# TYPE t_http_total counter\nt_http_total 9\n") != NULL);

    healthy = true;
    CT_EQ_INT(http_get(port, "GET", "/healthz", body, sizeof body), 200);
    CT_EQ_STR(body, "ok\n");

    healthy = false;
    CT_EQ_INT(http_get(port, "GET", "/healthz", body, sizeof body), 503);
    CT_EQ_STR(body, "postgres unreachable\n");

    CT_EQ_INT(http_get(port, "GET", "/nothing", body, sizeof body), 404);
    CT_EQ_INT(http_get(port, "GET", "/", body, sizeof body), 404);
    CT_EQ_INT(http_get(port, "POST", "/metrics", body, sizeof body), 405);

    /* One endpoint per process. */
    CT_EQ_INT(cs_http_start("127.0.0.1:0", NULL, NULL, err, sizeof err), -1);
    cs_http_stop();
    CT_EQ_INT(cs_http_port(), 0);
    CT_EQ_INT(http_get(port, "GET", "/healthz", body, sizeof body), -1);
}

static void test_healthz_without_callback_is_always_ok(void) {
    char err[256] = "", body[256];
    CT_EQ_INT(cs_http_start("127.0.0.1:0", NULL, NULL, err, sizeof err), 0);
    CT_EQ_INT(http_get(cs_http_port(), "GET", "/healthz", body, sizeof body), 200);
    cs_http_stop();
}

static void test_http_start_refuses_a_bad_address(void) {
    char err[256] = "";
    CT_EQ_INT(cs_http_start("no-port", NULL, NULL, err, sizeof err), -1);
    CT_CHECK(err[0] != '\0');
    CT_EQ_INT(cs_http_start("127.0.0.1:http", NULL, NULL, err, sizeof err), -1);
    /* empty = off: succeeds without listening */
    CT_EQ_INT(cs_http_start("", NULL, NULL, err, sizeof err), 0);
    CT_EQ_INT(cs_http_port(), 0);
    cs_http_stop();
}

CT_MAIN(CT_CASE(test_same_name_and_labels_return_the_same_series),
        CT_CASE(test_render_prints_help_and_type_once_per_name), CT_CASE(test_render_includes_resident_memory),
        CT_CASE(test_concurrent_adds_are_not_lost), CT_CASE(test_http_serves_metrics_and_healthz_on_an_ephemeral_port),
        CT_CASE(test_healthz_without_callback_is_always_ok), CT_CASE(test_http_start_refuses_a_bad_address))
