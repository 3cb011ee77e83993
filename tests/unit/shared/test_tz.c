/* test_tz.c -- cs_tz against known instants: Shanghai day boundaries,
 * New York's DST gap and fold (table and footer rule), day numbers of
 * RULES.md, the calendar helpers, a hand-made v1 TZif file, and the
 * built-in UTC. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cs/tz.h"
#include "ct.h"

#define H (3600 * 1000LL)
#define MIN (60 * 1000LL)

/* Instant of y-m-d hh:mm UTC in ms. */
static int64_t utc_ms(int y, int m, int d, int hh, int mm) {
    return (int64_t)cs_day_from_ymd(y, m, d) * 86400000LL + hh * H + mm * MIN;
}

static cs_tz *load(const char *name) {
    char err[256];
    cs_tz *tz = cs_tz_load(name, err, sizeof err);
    if (!tz) fprintf(stderr, "  load %s: %s\n", name, err);
    return tz;
}

static void test_tz_shanghai_offset_is_eight_hours(void) {
    cs_tz *tz = load("Asia/Shanghai");
    CT_CHECK(tz != NULL);
    if (!tz) return;
    CT_EQ_STR(cs_tz_name(tz), "Asia/Shanghai");
    CT_EQ_INT(cs_tz_offset_s(tz, utc_ms(2024, 3, 1, 12, 0)), 8 * 3600);
    CT_EQ_INT(cs_tz_offset_s(tz, utc_ms(2060, 8, 1, 12, 0)), 8 * 3600); /* after the table */
    cs_tz_free(tz);
}

static void test_tz_shanghai_historic_dst_from_table(void) {
    /* China observed DST 1986-1991: 1988-07-01 was UTC+9. */
    cs_tz *tz = load("Asia/Shanghai");
    if (!tz) {
        CT_CHECK(tz != NULL);
        return;
    }
    CT_EQ_INT(cs_tz_offset_s(tz, utc_ms(1988, 7, 1, 0, 0)), 9 * 3600);
    CT_EQ_INT(cs_tz_offset_s(tz, utc_ms(1988, 12, 1, 0, 0)), 8 * 3600);
    cs_tz_free(tz);
}

static void test_tz_shanghai_local_midnight_is_1600_utc(void) {
    cs_tz *tz = load("Asia/Shanghai");
    if (!tz) {
        CT_CHECK(tz != NULL);
        return;
    }
    int64_t midnight = utc_ms(2024, 3, 1, 16, 0); /* 2024-03-02 00:00 local */
    CT_EQ_INT(cs_tz_day(tz, midnight - 1), cs_day_from_ymd(2024, 3, 1));
    CT_EQ_INT(cs_tz_day(tz, midnight), cs_day_from_ymd(2024, 3, 2));
    CT_EQ_INT(cs_tz_minute_of_day(tz, midnight - 1), 1439);
    CT_EQ_INT(cs_tz_minute_of_day(tz, midnight), 0);
    CT_EQ_INT(cs_tz_minute_of_day(tz, utc_ms(2024, 3, 1, 11, 0)), 19 * 60);
    CT_EQ_INT(cs_tz_instant(tz, cs_day_from_ymd(2024, 3, 2), 0), midnight);
    /* minute 1440 is the next local midnight */
    CT_EQ_INT(cs_tz_instant(tz, cs_day_from_ymd(2024, 3, 1), 1440), midnight);
    CT_EQ_INT(cs_tz_instant(tz, cs_day_from_ymd(2024, 3, 2), 19 * 60), utc_ms(2024, 3, 2, 11, 0));
    cs_tz_free(tz);
}

static void test_tz_day_number_across_local_midnight(void) {
    cs_tz *tz = load("Asia/Shanghai");
    if (!tz) {
        CT_CHECK(tz != NULL);
        return;
    }
    int64_t origin = utc_ms(2024, 3, 1, 15, 59); /* 23:59 local on 03-01 */
    CT_EQ_INT(cs_tz_day_number(tz, origin, origin), 1);
    CT_EQ_INT(cs_tz_day_number(tz, origin, utc_ms(2024, 3, 1, 16, 0)), 2); /* 2 min later */
    CT_EQ_INT(cs_tz_day_number(tz, origin, utc_ms(2024, 3, 3, 15, 59)), 3);
    CT_EQ_INT(cs_tz_day_number(tz, origin, utc_ms(2024, 3, 3, 16, 0)), 4);
    CT_EQ_INT(cs_tz_day_number(tz, origin, utc_ms(2024, 3, 1, 0, 0)), 1);    /* 08:00 same day */
    CT_EQ_INT(cs_tz_day_number(tz, origin, utc_ms(2024, 2, 29, 15, 59)), 0); /* day before */
    cs_tz_free(tz);
}

static void test_tz_new_york_spring_gap_maps_after_gap(void) {
    cs_tz *tz = load("America/New_York");
    if (!tz) {
        CT_CHECK(tz != NULL);
        return;
    }
    int64_t change = utc_ms(2024, 3, 10, 7, 0); /* 02:00 EST -> 03:00 EDT */
    CT_EQ_INT(cs_tz_offset_s(tz, change - 1000), -5 * 3600);
    CT_EQ_INT(cs_tz_offset_s(tz, change), -4 * 3600);
    cs_day d = cs_day_from_ymd(2024, 3, 10);
    /* 02:30 does not exist: the instant after the gap (03:00 EDT). */
    CT_EQ_INT(cs_tz_instant(tz, d, 2 * 60 + 30), change);
    CT_EQ_INT(cs_tz_instant(tz, d, 2 * 60), change);
    CT_EQ_INT(cs_tz_instant(tz, d, 3 * 60), change);
    CT_EQ_INT(cs_tz_instant(tz, d, 60 + 59), change - MIN);
    CT_EQ_INT(cs_tz_instant(tz, d, 0), utc_ms(2024, 3, 10, 5, 0));
    CT_EQ_INT(cs_tz_instant(tz, d, 1440), utc_ms(2024, 3, 11, 4, 0));
    CT_EQ_INT(cs_tz_minute_of_day(tz, change), 3 * 60);
    cs_tz_free(tz);
}

static void test_tz_new_york_fall_fold_takes_first_occurrence(void) {
    cs_tz *tz = load("America/New_York");
    if (!tz) {
        CT_CHECK(tz != NULL);
        return;
    }
    int64_t first = utc_ms(2024, 11, 3, 5, 30);  /* 01:30 EDT */
    int64_t second = utc_ms(2024, 11, 3, 6, 30); /* 01:30 EST */
    CT_EQ_INT(cs_tz_minute_of_day(tz, first), 90);
    CT_EQ_INT(cs_tz_minute_of_day(tz, second), 90);
    CT_EQ_INT(cs_tz_instant(tz, cs_day_from_ymd(2024, 11, 3), 90), first);
    CT_EQ_INT(cs_tz_instant(tz, cs_day_from_ymd(2024, 11, 3), 3 * 60), utc_ms(2024, 11, 3, 8, 0));
    cs_tz_free(tz);
}

static void test_tz_new_york_future_dst_from_footer_rule(void) {
    /* Zone tables end by 2037 at the latest (2007 in "slim" builds); after
     * that the footer "EST5EDT,M3.2.0,M11.1.0" must give the answers. */
    cs_tz *tz = load("America/New_York");
    if (!tz) {
        CT_CHECK(tz != NULL);
        return;
    }
    CT_EQ_INT(cs_tz_offset_s(tz, utc_ms(2040, 7, 1, 12, 0)), -4 * 3600);
    CT_EQ_INT(cs_tz_offset_s(tz, utc_ms(2040, 12, 1, 12, 0)), -5 * 3600);
    int64_t start = utc_ms(2040, 3, 11, 7, 0); /* second Sunday of March */
    CT_EQ_INT(cs_tz_offset_s(tz, start - 1000), -5 * 3600);
    CT_EQ_INT(cs_tz_offset_s(tz, start), -4 * 3600);
    int64_t end = utc_ms(2040, 11, 4, 6, 0); /* first Sunday of November */
    CT_EQ_INT(cs_tz_offset_s(tz, end - 1000), -4 * 3600);
    CT_EQ_INT(cs_tz_offset_s(tz, end), -5 * 3600);
    CT_EQ_INT(cs_tz_instant(tz, cs_day_from_ymd(2040, 3, 11), 150), start);
    CT_EQ_INT(cs_tz_instant(tz, cs_day_from_ymd(2040, 11, 4), 90), utc_ms(2040, 11, 4, 5, 30));
    CT_EQ_INT(cs_tz_offset_s(tz, utc_ms(2100, 7, 1, 12, 0)), -4 * 3600);
    cs_tz_free(tz);
}

static void test_tz_new_york_day_number_across_dst_change(void) {
    cs_tz *tz = load("America/New_York");
    if (!tz) {
        CT_CHECK(tz != NULL);
        return;
    }
    int64_t origin = utc_ms(2024, 3, 9, 17, 0); /* 12:00 EST, 03-09 */
    /* 23:59 EDT on 03-10 = 03:59Z on 03-11: still day 2 */
    CT_EQ_INT(cs_tz_day_number(tz, origin, utc_ms(2024, 3, 11, 3, 59)), 2);
    CT_EQ_INT(cs_tz_day_number(tz, origin, utc_ms(2024, 3, 11, 4, 0)), 3);
    cs_tz_free(tz);
}

static void test_tz_utc_works_without_zone_files(void) {
    char err[256];
    setenv("TZDIR", "/nonexistent-zoneinfo", 1);
    cs_tz *utc = cs_tz_load("UTC", err, sizeof err);
    cs_tz *sh = cs_tz_load("Asia/Shanghai", err, sizeof err);
    unsetenv("TZDIR");
    CT_CHECK(utc != NULL);
    CT_CHECK(sh == NULL);
    CT_CHECK(strstr(err, "Asia/Shanghai") != NULL);
    if (utc) {
        CT_EQ_INT(cs_tz_offset_s(utc, utc_ms(2024, 6, 1, 0, 0)), 0);
        CT_EQ_INT(cs_tz_day(utc, utc_ms(2024, 6, 1, 23, 59)), cs_day_from_ymd(2024, 6, 1));
        CT_EQ_INT(cs_tz_instant(utc, cs_day_from_ymd(2024, 6, 1), 0), utc_ms(2024, 6, 1, 0, 0));
        CT_EQ_INT(cs_tz_day(utc, -1), -1); /* 1969-12-31T23:59:59.999Z */
    }
    cs_tz_free(utc);
    cs_tz_free(sh);
}

static void test_tz_unknown_or_unsafe_name_refused(void) {
    char err[256] = "";
    CT_CHECK(cs_tz_load("Mars/Olympus_Mons", err, sizeof err) == NULL);
    CT_CHECK(strstr(err, "Mars/Olympus_Mons") != NULL);
    CT_CHECK(cs_tz_load("../../etc/passwd", err, sizeof err) == NULL);
    CT_CHECK(cs_tz_load("/etc/localtime", err, sizeof err) == NULL);
    CT_CHECK(cs_tz_load("", err, sizeof err) == NULL);
}

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void test_tz_reads_version1_file_and_refuses_garbage(void) {
    char dir[] = "/tmp/cs_tz_test_XXXXXX";
    if (!mkdtemp(dir)) {
        CT_CHECK(!"mkdtemp");
        return;
    }
    char path[128], bad[128];
    snprintf(path, sizeof path, "%s/V1", dir);
    snprintf(bad, sizeof bad, "%s/Bad", dir);

    /* v1: types +01:00 and +02:00 (DST), one transition at 10^9 s. */
    unsigned char f[44 + 4 + 1 + 12 + 8];
    memset(f, 0, sizeof f);
    memcpy(f, "TZif", 4);
    put32(f + 32, 1); /* timecnt */
    put32(f + 36, 2); /* typecnt */
    put32(f + 40, 8); /* charcnt */
    unsigned char *p = f + 44;
    put32(p, 1000000000u);
    p += 4;
    *p++ = 1;
    put32(p, 3600);
    p[4] = 0;
    p[5] = 0;
    p += 6;
    put32(p, 7200);
    p[4] = 1;
    p[5] = 4;
    p += 6;
    memcpy(p, "AAA\0BBB\0", 8);
    FILE *out = fopen(path, "wb");
    CT_CHECK(out != NULL);
    if (out) {
        fwrite(f, 1, sizeof f, out);
        fclose(out);
    }
    out = fopen(bad, "wb");
    if (out) {
        fputs("not a zone file\n", out);
        fclose(out);
    }

    char err[256];
    setenv("TZDIR", dir, 1);
    cs_tz *tz = cs_tz_load("V1", err, sizeof err);
    cs_tz *garbage = cs_tz_load("Bad", err, sizeof err);
    unsetenv("TZDIR");
    CT_CHECK(tz != NULL);
    CT_CHECK(garbage == NULL);
    CT_CHECK(strstr(err, "not a valid TZif file") != NULL);
    if (tz) {
        CT_EQ_INT(cs_tz_offset_s(tz, 999999999000LL), 3600);
        CT_EQ_INT(cs_tz_offset_s(tz, 1000000000000LL), 7200);
        CT_EQ_INT(cs_tz_offset_s(tz, 4000000000000LL), 7200); /* no footer: last type */
    }
    cs_tz_free(tz);
    unlink(path);
    unlink(bad);
    rmdir(dir);
}

/* Found by fuzz_envelope: a review posted in the year 300000 made the
 * review-scheduler's day number overflow an int. Instants are held to
 * years 1..9999 UTC, so any two days differ by a few million (in
 * Shanghai the last instant is already 10000-01-01). */
static void test_tz_instants_past_year_9999_are_held_to_its_last_instant(void) {
    cs_tz *tz = load("Asia/Shanghai");
    CT_CHECK(tz != NULL);
    cs_day last = cs_day_from_ymd(10000, 1, 1), first = cs_day_from_ymd(1, 1, 1);
    CT_EQ_INT(cs_tz_day(tz, CS_TZ_MAX_MS), last);
    CT_EQ_INT(cs_tz_day(tz, CS_TZ_MAX_MS + 1), last);
    CT_EQ_INT(cs_tz_day(tz, INT64_MAX), last);
    CT_EQ_INT(cs_tz_day(tz, INT64_MIN), first);
    CT_EQ_INT(cs_tz_day_number(tz, INT64_MIN, INT64_MAX), last - first + 1);
    CT_EQ_INT(cs_tz_day_number(tz, INT64_MAX, utc_ms(2024, 11, 20, 12, 0)), cs_day_from_ymd(2024, 11, 20) - last + 1);
    CT_EQ_INT(cs_tz_minute_of_day(tz, INT64_MAX), 8 * 60 - 1); /* 07:59 local */
    cs_tz_free(tz);
}

static void test_tz_calendar_helpers(void) {
    int y, m, d;
    CT_EQ_INT(cs_day_from_ymd(1970, 1, 1), 0);
    CT_EQ_INT(cs_day_from_ymd(1969, 12, 31), -1);
    CT_EQ_INT(cs_day_from_ymd(2000, 3, 1) - cs_day_from_ymd(2000, 2, 28), 2); /* 2000 leap */
    CT_EQ_INT(cs_day_from_ymd(1900, 3, 1) - cs_day_from_ymd(1900, 2, 28), 1); /* 1900 not */
    cs_day_to_ymd(cs_day_from_ymd(2024, 2, 29), &y, &m, &d);
    CT_EQ_INT(y, 2024);
    CT_EQ_INT(m, 2);
    CT_EQ_INT(d, 29);
    cs_day_to_ymd(-1, &y, &m, &d);
    CT_EQ_INT(y, 1969);
    CT_EQ_INT(m, 12);
    CT_EQ_INT(d, 31);
    CT_EQ_INT(cs_day_weekday(0), 4);                             /* Thursday */
    CT_EQ_INT(cs_day_weekday(cs_day_from_ymd(2024, 1, 1)), 1);   /* Monday */
    CT_EQ_INT(cs_day_weekday(cs_day_from_ymd(1969, 12, 28)), 0); /* Sunday */
    char buf[16];
    cs_day_format(cs_day_from_ymd(2024, 3, 9), buf, sizeof buf);
    CT_EQ_STR(buf, "2024-03-09");
    for (cs_day x = -800000; x < 800000; x += 997) { /* round trip */
        cs_day_to_ymd(x, &y, &m, &d);
        if (cs_day_from_ymd(y, m, d) != x) {
            CT_EQ_INT(cs_day_from_ymd(y, m, d), x);
            break;
        }
    }
}

CT_MAIN(CT_CASE(test_tz_shanghai_offset_is_eight_hours), CT_CASE(test_tz_shanghai_historic_dst_from_table),
        CT_CASE(test_tz_shanghai_local_midnight_is_1600_utc), CT_CASE(test_tz_day_number_across_local_midnight),
        CT_CASE(test_tz_new_york_spring_gap_maps_after_gap), CT_CASE(test_tz_new_york_fall_fold_takes_first_occurrence),
        CT_CASE(test_tz_new_york_future_dst_from_footer_rule), CT_CASE(test_tz_new_york_day_number_across_dst_change),
        CT_CASE(test_tz_utc_works_without_zone_files), CT_CASE(test_tz_unknown_or_unsafe_name_refused),
        CT_CASE(test_tz_reads_version1_file_and_refuses_garbage), CT_CASE(test_tz_calendar_helpers),
        CT_CASE(test_tz_instants_past_year_9999_are_held_to_its_last_instant))
