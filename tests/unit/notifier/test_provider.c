/* test_provider.c -- the provider module without a network: backoff with
 * jitter grows and is capped; the log provider appends one JSON line per
 * message, carrying the idempotency key. (HTTP answers, retries and
 * Idempotency-Key headers are tested against a stub server in
 * tests/integration/it_notifier.c.) */
#include <unistd.h>

#include "nt_fixtures.h"
#include "provider.h"

static void test_backoff_doubles_with_jitter_and_is_capped(void) {
    CT_EQ_INT(nt_backoff_ms(200, 1, 0.0), 100); /* equal jitter: [d/2, d] */
    CT_EQ_INT(nt_backoff_ms(200, 1, 0.999999), 199);
    CT_EQ_INT(nt_backoff_ms(200, 2, 0.0), 200);
    CT_EQ_INT(nt_backoff_ms(200, 3, 0.0), 400);
    CT_EQ_INT(nt_backoff_ms(200, 4, 0.5), 1200);   /* 1600 * 0.75 */
    CT_EQ_INT(nt_backoff_ms(200, 30, 0.0), 15000); /* capped at 30 s before jitter */
    CT_CHECK(nt_backoff_ms(200, 30, 0.999999) <= 30000);
}

static void test_log_provider_appends_one_line_per_message(void) {
    char path[] = "/tmp/nt-log-provider-XXXXXX";
    int fd = mkstemp(path);
    CT_CHECK(fd >= 0);
    if (fd < 0) return;
    close(fd);
    nt_provider_cfg cfg = {.log_file = path, .attempts = 3};
    char err[256];
    nt_provider *p = nt_provider_new(&cfg, err, sizeof err);
    CT_CHECK(p != NULL);
    if (!p) return;
    CT_EQ_STR(nt_provider_kind(p, NT_CH_SMS), "log");
    nt_send m[2] = {
        {.channel = NT_CH_SMS, .key = "k-1", .body = "{\"idempotency_key\":\"k-1\",\"text\":\"您好\"}"},
        {.channel = NT_CH_IM, .key = "k-2", .body = "{\"idempotency_key\":\"k-2\",\"text\":\"您好\"}"},
    };
    nt_provider_send(p, m, 2);
    CT_EQ_INT(m[0].result, NT_SEND_OK);
    CT_EQ_INT(m[1].result, NT_SEND_OK);
    CT_EQ_INT(m[0].attempts, 1);
    nt_provider_free(p);
    FILE *f = fopen(path, "r");
    char line[256];
    int lines = 0;
    while (f && fgets(line, sizeof line, f)) {
        lines++;
        if (lines == 1) CT_CHECK(strstr(line, "\"idempotency_key\":\"k-1\"") != NULL);
        if (lines == 2) CT_CHECK(strstr(line, "\"idempotency_key\":\"k-2\"") != NULL);
    }
    if (f) fclose(f);
    CT_EQ_INT(lines, 2);
    unlink(path);
}

static void test_log_provider_unwritable_file_is_a_startup_error(void) {
    nt_provider_cfg cfg = {.log_file = "/nonexistent-dir/x/messages.jsonl"};
    char err[256] = "";
    nt_provider *p = nt_provider_new(&cfg, err, sizeof err);
    CT_CHECK(p == NULL);
    CT_CHECK(strstr(err, "/nonexistent-dir/x/messages.jsonl") != NULL);
}

/* Found by fuzz_provider: a 503 error page was copied into the error as
 * it came, newlines and all, and the error is logged, stored with the
 * message and put into the dead-letter reason. It is one clean line. */
static void test_provider_error_of_an_html_answer_is_one_clean_line(void) {
    static const char page[] = "<html><body><h1>503 Service Unavailable</h1>\n</body></html>";
    nt_send m = {.channel = NT_CH_SMS};
    CT_CHECK(nt_provider_answer(&m, NULL, 503, page, sizeof page - 1)); /* retried */
    CT_EQ_INT(m.result, NT_SEND_PENDING);
    CT_EQ_INT(m.http_status, 503);
    CT_EQ_STR(m.error, "http 503: <html><body><h1>503 Service Unavailable</h1>?</body></html>");
}

/* Found by fuzz_provider: bytes that are not UTF-8 (a NUL, Latin-1, a
 * character cut by the 100-byte excerpt) went into the error, which
 * PostgreSQL then refused as text. Each becomes '?', and a cut character
 * is left out whole. */
static void test_provider_error_of_a_binary_answer_is_clean_utf8(void) {
    static const char body[] = "x\0\xe9t\xe9\xff\x1b";
    nt_send m = {.channel = NT_CH_SMS};
    CT_CHECK(!nt_provider_answer(&m, NULL, 400, body, sizeof body - 1)); /* permanent */
    CT_EQ_INT(m.result, NT_SEND_PERMANENT);
    CT_EQ_STR(m.error, "http 400: x??t???");
    char cn[128] = "";
    for (int i = 0; i < 40; i++) strcat(cn, "\xe9\x94\x99"); /* 120 bytes of 错 */
    CT_CHECK(nt_provider_answer(&m, NULL, 500, cn, strlen(cn)));
    CT_EQ_INT((int)strlen(m.error), 10 + 99); /* "http 500: " and 33 whole characters of 3 bytes */
    CT_EQ_INT(strncmp(m.error + 10, cn, 99), 0);
}

/* The body kept of an answer: the start, NUL-terminated, however libcurl
 * chunks it. */
static void test_provider_answer_keeps_the_start_of_the_body(void) {
    char buf[8];
    size_t len = 0;
    nt_provider_answer_append(buf, sizeof buf, &len, "abcd", 4);
    nt_provider_answer_append(buf, sizeof buf, &len, "efghij", 6);
    CT_EQ_INT((int)len, 7);
    CT_EQ_STR(buf, "abcdefg");
    nt_send m = {.channel = NT_CH_IM};
    CT_CHECK(!nt_provider_answer(&m, NULL, 204, buf, len));
    CT_EQ_INT(m.result, NT_SEND_OK);
    CT_EQ_STR(m.error, "");
    CT_CHECK(nt_provider_answer(&m, "Timeout was reached", 0, "", 0));
    CT_EQ_STR(m.error, "Timeout was reached");
}

CT_MAIN(CT_CASE(test_backoff_doubles_with_jitter_and_is_capped),
        CT_CASE(test_provider_error_of_an_html_answer_is_one_clean_line),
        CT_CASE(test_provider_error_of_a_binary_answer_is_clean_utf8),
        CT_CASE(test_provider_answer_keeps_the_start_of_the_body),
        CT_CASE(test_log_provider_appends_one_line_per_message),
        CT_CASE(test_log_provider_unwritable_file_is_a_startup_error))
