/* test_config.c -- CS_* settings (shared/src/config.c): defaults, values
 * from the environment, and refusals that name the variable. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct.h"
#include "cs/config.h"

static const char *const all_vars[] = {
    "CS_KAFKA_BROKERS",      "CS_PG_DSN",       "CS_REDIS_URL", "CS_CLOCK",       "CS_SHOPS_FILE",
    "CS_HTTP_ADDR",          "CS_GROUP_ID",     "CS_ASSIGNOR",  "CS_BATCH_MAX",   "CS_BATCH_WAIT_MS",
    "CS_SESSION_TIMEOUT_MS", "CS_QUEUE_KBYTES", "CS_LOG_LEVEL", "CS_CRASH_POINT", "CS_CRASH_AFTER",
    "CS_INSTANCE",           "CS_STATE_DIR",
};

static void clear_env(void) {
    for (size_t i = 0; i < sizeof all_vars / sizeof all_vars[0]; i++) unsetenv(all_vars[i]);
}

/* Loads with one variable set; returns the load's result, errbuf filled. */
static int load_with(const char *name, const char *value, cs_config *cfg, char *err, size_t len) {
    clear_env();
    setenv(name, value, 1);
    int rc = cs_config_load(cfg, err, len);
    unsetenv(name);
    return rc;
}

static void test_defaults_match_the_documented_values(void) {
    clear_env();
    cs_config cfg;
    char err[256] = "";
    CT_EQ_INT(cs_config_load(&cfg, err, sizeof err), 0);
    CT_EQ_STR(cfg.brokers, "127.0.0.1:19092");
    CT_EQ_STR(cfg.pg_dsn, "host=127.0.0.1 port=15432 dbname=cs user=cs_admin");
    CT_EQ_STR(cfg.redis_url, "redis://127.0.0.1:16379");
    CT_EQ_STR(cfg.clock, "system");
    CT_EQ_STR(cfg.shops_file, "deploy/config/shops.sample.json");
    CT_EQ_STR(cfg.http_addr, "127.0.0.1:0");
    CT_EQ_STR(cfg.group_id, "");
    CT_EQ_STR(cfg.assignor, "range");
    CT_EQ_INT(cfg.batch_max, 500);
    CT_EQ_INT(cfg.batch_wait_ms, 20);
    CT_EQ_INT(cfg.session_timeout_ms, 10000);
    CT_EQ_INT(cfg.queue_kbytes, 2048);
    CT_EQ_STR(cfg.log_level, "info");
    CT_EQ_STR(cfg.crash_point, "");
    CT_EQ_INT(cfg.crash_after, 1);
    CT_EQ_STR(cfg.state_dir, "run/state");
    cs_config_free(&cfg);
}

static void test_instance_defaults_to_hostname_dash_pid(void) {
    clear_env();
    cs_config cfg;
    char err[256], host[256], want[300];
    CT_EQ_INT(cs_config_load(&cfg, err, sizeof err), 0);
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    snprintf(want, sizeof want, "%s-%ld", host, (long)getpid());
    CT_EQ_STR(cfg.instance, want);
    cs_config_free(&cfg);
}

static void test_environment_overrides_defaults(void) {
    clear_env();
    setenv("CS_BATCH_MAX", "1000", 1);
    setenv("CS_CLOCK", "redis", 1);
    setenv("CS_ASSIGNOR", "cooperative-sticky", 1);
    setenv("CS_INSTANCE", "ov-1", 1);
    setenv("CS_HTTP_ADDR", "", 1);
    setenv("CS_CRASH_POINT", "after_produce", 1);
    cs_config cfg;
    char err[256] = "";
    CT_EQ_INT(cs_config_load(&cfg, err, sizeof err), 0);
    CT_EQ_INT(cfg.batch_max, 1000);
    CT_EQ_STR(cfg.clock, "redis");
    CT_EQ_STR(cfg.assignor, "cooperative-sticky");
    CT_EQ_STR(cfg.instance, "ov-1");
    CT_EQ_STR(cfg.http_addr, "");
    CT_EQ_STR(cfg.crash_point, "after_produce");
    cs_config_free(&cfg);
    clear_env();
}

static void test_bad_integer_names_the_variable(void) {
    cs_config cfg;
    char err[256] = "";
    CT_EQ_INT(load_with("CS_BATCH_MAX", "abc", &cfg, err, sizeof err), -1);
    CT_EQ_STR(err, "CS_BATCH_MAX: must be an integer from 1 to 100000, got 'abc'");
    CT_CHECK(cfg.brokers == NULL); /* nothing half-loaded is left behind */
    cs_config_free(&cfg);          /* and freeing it again is harmless */
}

static void test_integer_with_trailing_junk_is_refused(void) {
    cs_config cfg;
    char err[256] = "";
    CT_EQ_INT(load_with("CS_BATCH_WAIT_MS", "20ms", &cfg, err, sizeof err), -1);
    CT_EQ_STR(err, "CS_BATCH_WAIT_MS: must be an integer from 0 to 10000, got '20ms'");
    CT_EQ_INT(load_with("CS_BATCH_WAIT_MS", " 20", &cfg, err, sizeof err), -1);
    CT_EQ_INT(load_with("CS_BATCH_WAIT_MS", "", &cfg, err, sizeof err), -1);
}

static void test_integer_out_of_range_is_refused(void) {
    cs_config cfg;
    char err[256] = "";
    CT_EQ_INT(load_with("CS_SESSION_TIMEOUT_MS", "5999", &cfg, err, sizeof err), -1);
    CT_EQ_STR(err, "CS_SESSION_TIMEOUT_MS: must be an integer from 6000 to 300000, got '5999'");
    CT_EQ_INT(load_with("CS_QUEUE_KBYTES", "99999999999999999999", &cfg, err, sizeof err), -1);
    CT_CHECK(strncmp(err, "CS_QUEUE_KBYTES: ", 17) == 0);
    CT_EQ_INT(load_with("CS_CRASH_AFTER", "0", &cfg, err, sizeof err), -1);
    CT_EQ_STR(err, "CS_CRASH_AFTER: must be an integer of at least 1, got '0'");
}

static void test_range_edges_are_accepted(void) {
    cs_config cfg;
    char err[256] = "";
    CT_EQ_INT(load_with("CS_BATCH_MAX", "100000", &cfg, err, sizeof err), 0);
    CT_EQ_INT(cfg.batch_max, 100000);
    cs_config_free(&cfg);
    CT_EQ_INT(load_with("CS_BATCH_WAIT_MS", "0", &cfg, err, sizeof err), 0);
    CT_EQ_INT(cfg.batch_wait_ms, 0);
    cs_config_free(&cfg);
}

static void test_unknown_clock_value_is_refused(void) {
    cs_config cfg;
    char err[256] = "";
    CT_EQ_INT(load_with("CS_CLOCK", "ntp", &cfg, err, sizeof err), -1);
    CT_EQ_STR(err, "CS_CLOCK: must be one of system, redis, got 'ntp'");
    CT_EQ_INT(load_with("CS_CLOCK", "Redis", &cfg, err, sizeof err), -1);
}

static void test_unknown_assignor_and_crash_point_are_refused(void) {
    cs_config cfg;
    char err[256] = "";
    CT_EQ_INT(load_with("CS_ASSIGNOR", "sticky", &cfg, err, sizeof err), -1);
    CT_CHECK(strncmp(err, "CS_ASSIGNOR: must be one of range, roundrobin, cooperative-sticky", 65) == 0);
    CT_EQ_INT(load_with("CS_CRASH_POINT", "after_commit", &cfg, err, sizeof err), -1);
    CT_CHECK(strncmp(err, "CS_CRASH_POINT: ", 16) == 0);
    CT_EQ_INT(load_with("CS_LOG_LEVEL", "trace", &cfg, err, sizeof err), -1);
    CT_CHECK(strncmp(err, "CS_LOG_LEVEL: ", 14) == 0);
}

static void test_bad_redis_url_and_http_addr_are_refused(void) {
    cs_config cfg;
    char err[256] = "";
    CT_EQ_INT(load_with("CS_REDIS_URL", "127.0.0.1:16379", &cfg, err, sizeof err), -1);
    CT_CHECK(strncmp(err, "CS_REDIS_URL: ", 14) == 0);
    CT_EQ_INT(load_with("CS_REDIS_URL", "redis://h:99999", &cfg, err, sizeof err), -1);
    CT_EQ_INT(load_with("CS_HTTP_ADDR", "localhost", &cfg, err, sizeof err), -1);
    CT_CHECK(strncmp(err, "CS_HTTP_ADDR: ", 14) == 0);
    CT_EQ_INT(load_with("CS_KAFKA_BROKERS", "", &cfg, err, sizeof err), -1);
    CT_EQ_STR(err, "CS_KAFKA_BROKERS: must not be empty");
    CT_EQ_INT(load_with("CS_REDIS_URL", "redis://cache:6380/2", &cfg, err, sizeof err), 0);
    cs_config_free(&cfg);
}

static void test_usage_lists_every_variable_with_its_default(void) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cs_config_usage(f);
    fclose(f);
    for (size_t i = 0; i < sizeof all_vars / sizeof all_vars[0]; i++) CT_CHECK(strstr(text, all_vars[i]) != NULL);
    CT_CHECK(strstr(text, "127.0.0.1:19092") != NULL);
    CT_CHECK(strstr(text, "1..100000") != NULL);
    free(text);
}

CT_MAIN(CT_CASE(test_defaults_match_the_documented_values), CT_CASE(test_instance_defaults_to_hostname_dash_pid),
        CT_CASE(test_environment_overrides_defaults), CT_CASE(test_bad_integer_names_the_variable),
        CT_CASE(test_integer_with_trailing_junk_is_refused), CT_CASE(test_integer_out_of_range_is_refused),
        CT_CASE(test_range_edges_are_accepted), CT_CASE(test_unknown_clock_value_is_refused),
        CT_CASE(test_unknown_assignor_and_crash_point_are_refused),
        CT_CASE(test_bad_redis_url_and_http_addr_are_refused),
        CT_CASE(test_usage_lists_every_variable_with_its_default))
