/* test_clock.c -- ISO-8601 parsing and formatting with and without
 * offsets, and the system clock mode (shared/src/clock.c). The Redis mode
 * against a live server, and its record in PostgreSQL, are integration
 * tests (it_clock, it_timers); here only its refusal of a bad URL or of no
 * record, and its -1 when nothing listens. */
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "cs/clock.h"
#include "cs/tz.h"

/* A PostgreSQL where nothing listens (the connect is refused at once). */
#define PG_NOWHERE "host=127.0.0.1 port=1 dbname=cs connect_timeout=1"

/* 2026-11-11T09:30:00+08:00 = 2026-11-11T01:30:00Z */
#define T_1111 INT64_C(1794360600000)

static cs_tz *zone(const char *name) {
    char err[256];
    cs_tz *tz = cs_tz_load(name, err, sizeof err);
    if (!tz) fprintf(stderr, "  cannot load %s: %s\n", name, err);
    return tz;
}

static void test_parse_with_z_and_numeric_offsets(void) {
    int64_t ms = 0;
    CT_EQ_INT(cs_parse_iso8601("2026-11-11T01:30:00Z", NULL, &ms), 0);
    CT_EQ_INT(ms, T_1111);
    CT_EQ_INT(cs_parse_iso8601("2026-11-11T09:30:00+08:00", NULL, &ms), 0);
    CT_EQ_INT(ms, T_1111);
    CT_EQ_INT(cs_parse_iso8601("2026-11-11T09:30:00+0800", NULL, &ms), 0);
    CT_EQ_INT(ms, T_1111);
    CT_EQ_INT(cs_parse_iso8601("2026-11-10T20:30:00-05:00", NULL, &ms), 0);
    CT_EQ_INT(ms, T_1111);
    /* an explicit offset wins over the default zone */
    cs_tz *ny = zone("America/New_York");
    CT_EQ_INT(cs_parse_iso8601("2026-11-11T01:30:00z", ny, &ms), 0);
    CT_EQ_INT(ms, T_1111);
    cs_tz_free(ny);
}

static void test_parse_without_offset_is_local_in_the_default_zone(void) {
    cs_tz *sh = zone("Asia/Shanghai");
    cs_tz *ny = zone("America/New_York");
    int64_t ms = 0;
    CT_EQ_INT(cs_parse_iso8601("2026-11-11T09:30:00", sh, &ms), 0);
    CT_EQ_INT(ms, T_1111);
    CT_EQ_INT(cs_parse_iso8601("2026-11-11T09:30", sh, &ms), 0);
    CT_EQ_INT(ms, T_1111);
    /* New York in summer is UTC-4, in winter UTC-5 */
    CT_EQ_INT(cs_parse_iso8601("2026-07-01T12:00:00", ny, &ms), 0);
    CT_EQ_INT(ms, INT64_C(1782921600000)); /* 2026-07-01T16:00:00Z */
    CT_EQ_INT(cs_parse_iso8601("2026-01-15T12:00:00", ny, &ms), 0);
    CT_EQ_INT(ms, INT64_C(1768496400000)); /* 2026-01-15T17:00:00Z */
    /* a date alone is local midnight */
    CT_EQ_INT(cs_parse_iso8601("2026-11-11", sh, &ms), 0);
    CT_EQ_INT(ms, T_1111 - (9 * 3600 + 30 * 60) * INT64_C(1000));
    /* no zone at all: UTC */
    CT_EQ_INT(cs_parse_iso8601("2026-11-11T01:30:00", NULL, &ms), 0);
    CT_EQ_INT(ms, T_1111);
    cs_tz_free(sh);
    cs_tz_free(ny);
}

static void test_parse_keeps_milliseconds_of_a_fraction(void) {
    int64_t ms = 0;
    CT_EQ_INT(cs_parse_iso8601("2026-11-11T01:30:00.5Z", NULL, &ms), 0);
    CT_EQ_INT(ms, T_1111 + 500);
    CT_EQ_INT(cs_parse_iso8601("2026-11-11T01:30:00.123456789Z", NULL, &ms), 0);
    CT_EQ_INT(ms, T_1111 + 123);
    CT_EQ_INT(cs_parse_iso8601("2026-11-11 01:30:00.042Z", NULL, &ms), 0);
    CT_EQ_INT(ms, T_1111 + 42);
}

static void test_parse_refuses_malformed_times(void) {
    static const char *const bad[] = {
        "",
        "garbage",
        "2026-11-11T",
        "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z",
        "2026-11-31",
        "2026-11-11T24:00:00Z",
        "2026-11-11T09:60Z",
        "2026-11-11T09:30:00+",
        "2026-11-11T09:30:00Zjunk",
        "2026-11-11T09:30:00.Z",
        "26-11-11",
        "2026/11/11",
        "2026-11-11T9:30",
        "2026-11-11T09:30:00+19:00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 7;
        if (cs_parse_iso8601(bad[i], NULL, &ms) != -1) {
            fprintf(stderr, "  accepted '%s'\n", bad[i]);
            CT_CHECK(!"malformed time accepted");
        }
    }
    int64_t ms;
    CT_EQ_INT(cs_parse_iso8601(NULL, NULL, &ms), -1);
    CT_EQ_INT(cs_parse_iso8601("2024-02-29T00:00:00Z", NULL, &ms), 0); /* leap year */
}

static void test_format_shows_the_zone_offset(void) {
    cs_tz *sh = zone("Asia/Shanghai");
    cs_tz *ny = zone("America/New_York");
    char buf[32];
    cs_format_iso8601(T_1111, sh, buf, sizeof buf);
    CT_EQ_STR(buf, "2026-11-11T09:30:00.000+08:00");
    cs_format_iso8601(T_1111 + 7, NULL, buf, sizeof buf);
    CT_EQ_STR(buf, "2026-11-11T01:30:00.007Z");
    cs_format_iso8601(T_1111, ny, buf, sizeof buf);
    CT_EQ_STR(buf, "2026-11-10T20:30:00.000-05:00");
    cs_format_iso8601(-1, NULL, buf, sizeof buf);
    CT_EQ_STR(buf, "1969-12-31T23:59:59.999Z");
    cs_format_iso8601(0, sh, buf, sizeof buf);
    CT_EQ_STR(buf, "1970-01-01T08:00:00.000+08:00");
    cs_tz_free(sh);
    cs_tz_free(ny);
}

static void test_format_then_parse_round_trips(void) {
    cs_tz *ny = zone("America/New_York");
    const int64_t samples[] = {
        T_1111, T_1111 + 999, 0, INT64_C(1772953200123), INT64_C(1788844000000), INT64_C(4102444800000)};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char buf[32];
        int64_t back = -1;
        cs_format_iso8601(samples[i], ny, buf, sizeof buf);
        CT_EQ_INT(cs_parse_iso8601(buf, NULL, &back), 0);
        CT_EQ_INT(back, samples[i]);
    }
    cs_tz_free(ny);
}

static void test_system_clock_reads_real_time(void) {
    char err[256] = "";
    cs_clock *c = cs_clock_new("system", NULL, NULL, err, sizeof err);
    CT_CHECK(c != NULL);
    int64_t now = 0, before = cs_real_ms();
    CT_EQ_INT(cs_clock_now(c, &now), 0);
    int64_t after = cs_real_ms();
    CT_CHECK(now >= before && now <= after);
    CT_CHECK(now > INT64_C(1700000000000));
    cs_clock_free(c);
    cs_clock_free(NULL);
}

static void test_system_clock_cannot_be_set_or_advanced(void) {
    char err[256] = "";
    cs_clock *c = cs_clock_new("system", NULL, NULL, err, sizeof err);
    CT_EQ_INT(cs_clock_set(c, T_1111, err, sizeof err), -1);
    CT_CHECK(strstr(err, "CS_CLOCK=redis") != NULL);
    err[0] = '\0';
    int64_t n = 0;
    CT_EQ_INT(cs_clock_advance(c, 1000, &n, err, sizeof err), -1);
    CT_CHECK(err[0] != '\0');
    cs_clock_free(c);
}

static void test_unknown_mode_and_bad_redis_url_are_refused(void) {
    char err[256] = "";
    CT_CHECK(cs_clock_new("ntp", NULL, NULL, err, sizeof err) == NULL);
    CT_CHECK(strstr(err, "ntp") != NULL);
    CT_CHECK(cs_clock_new("redis", "http://127.0.0.1:6379", PG_NOWHERE, err, sizeof err) == NULL);
    CT_CHECK(cs_clock_new("redis", "redis://:99999", PG_NOWHERE, err, sizeof err) == NULL);
    CT_CHECK(cs_clock_new("redis", NULL, PG_NOWHERE, err, sizeof err) == NULL);
}

/* The redis clock without its record would be the clock that jumps to
 * real time when Redis loses it: refused. */
static void test_redis_clock_without_a_record_dsn_is_refused(void) {
    char err[256] = "";
    CT_CHECK(cs_clock_new("redis", "redis://127.0.0.1:1", NULL, err, sizeof err) == NULL);
    CT_CHECK(strstr(err, "CS_PG_DSN") != NULL);
    CT_CHECK(cs_clock_new("redis", "redis://127.0.0.1:1", "", err, sizeof err) == NULL);
    /* the system clock needs neither */
    cs_clock *c = cs_clock_new("system", NULL, NULL, err, sizeof err);
    CT_CHECK(c != NULL);
    cs_clock_source src = CS_CLOCK_FROZEN;
    int64_t now = 0;
    CT_EQ_INT(cs_clock_read(c, &now, &src, err, sizeof err), 0);
    CT_EQ_INT(src, CS_CLOCK_SYSTEM);
    CT_EQ_INT(cs_clock_reset(c, err, sizeof err), -1);
    cs_clock_record rec;
    CT_EQ_INT(cs_clock_record_read(c, &rec, err, sizeof err), -1);
    cs_clock_free(c);
}

static void test_source_names_are_the_json_words(void) {
    CT_EQ_STR(cs_clock_source_name(CS_CLOCK_SYSTEM), "system");
    CT_EQ_STR(cs_clock_source_name(CS_CLOCK_REAL), "real");
    CT_EQ_STR(cs_clock_source_name(CS_CLOCK_FROZEN), "redis");
    CT_EQ_STR(cs_clock_source_name(CS_CLOCK_RESTORED), "restored");
}

static void test_redis_clock_with_nothing_listening_fails_instead_of_guessing(void) {
    char err[256] = "";
    /* Port 1 on loopback: nothing listens, the connect is refused at once. */
    cs_clock *c = cs_clock_new("redis", "redis://127.0.0.1:1", PG_NOWHERE, err, sizeof err);
    CT_CHECK(c != NULL);
    int64_t now = 0;
    CT_EQ_INT(cs_clock_now(c, &now), -1);
    CT_EQ_INT(cs_clock_read(c, &now, NULL, err, sizeof err), -1);
    CT_CHECK(strstr(err, "127.0.0.1:1") != NULL);
    /* no move without its record: PostgreSQL is asked first */
    CT_EQ_INT(cs_clock_set(c, T_1111, err, sizeof err), -1);
    CT_CHECK(strstr(err, "PostgreSQL") != NULL);
    CT_EQ_INT(cs_clock_advance(c, 1000, &now, err, sizeof err), -1);
    CT_EQ_INT(cs_clock_reset(c, err, sizeof err), -1);
    cs_clock_free(c);
}

static void test_monotonic_time_never_goes_back(void) {
    int64_t prev = cs_mono_ms();
    for (int i = 0; i < 1000; i++) {
        int64_t t = cs_mono_ms();
        CT_CHECK(t >= prev);
        prev = t;
    }
}

CT_MAIN(CT_CASE(test_parse_with_z_and_numeric_offsets), CT_CASE(test_parse_without_offset_is_local_in_the_default_zone),
        CT_CASE(test_parse_keeps_milliseconds_of_a_fraction), CT_CASE(test_parse_refuses_malformed_times),
        CT_CASE(test_format_shows_the_zone_offset), CT_CASE(test_format_then_parse_round_trips),
        CT_CASE(test_system_clock_reads_real_time), CT_CASE(test_system_clock_cannot_be_set_or_advanced),
        CT_CASE(test_unknown_mode_and_bad_redis_url_are_refused),
        CT_CASE(test_redis_clock_without_a_record_dsn_is_refused), CT_CASE(test_source_names_are_the_json_words),
        CT_CASE(test_redis_clock_with_nothing_listening_fails_instead_of_guessing),
        CT_CASE(test_monotonic_time_never_goes_back))
