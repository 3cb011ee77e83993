/* test_nt02_quiet_hours.c -- NT-2: service messages not 21:00-08:00 local,
 * follow-ups not 20:00-08:00; the release is the next window opening in
 * the shop's zone, DST-correct. */
#include "nt_fixtures.h"

static void test_nt2_service_edges_2059_2100(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    int64_t t = nt_fx_local(&s, 2026, 11, 11, 20, 59, 59);
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_SERVICE, t), 0);
    t = nt_fx_local(&s, 2026, 11, 11, 21, 0, 0);
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_SERVICE, t), nt_fx_local(&s, 2026, 11, 12, 8, 0, 0));
    /* 08:00 Shanghai is 00:00 UTC */
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_SERVICE, t), nt_fx_utc(2026, 11, 12, 0, 0, 0));
    nt_fx_shop_done(&s);
}

static void test_nt2_service_edges_0759_0800(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    int64_t t = nt_fx_local(&s, 2026, 11, 12, 7, 59, 59);
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_SERVICE, t), nt_fx_local(&s, 2026, 11, 12, 8, 0, 0));
    t = nt_fx_local(&s, 2026, 11, 12, 8, 0, 0);
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_SERVICE, t), 0);
    /* just after midnight: the same morning, not the next one */
    t = nt_fx_local(&s, 2026, 11, 12, 0, 0, 1);
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_SERVICE, t), nt_fx_local(&s, 2026, 11, 12, 8, 0, 0));
    nt_fx_shop_done(&s);
}

static void test_nt2_follow_up_edges_1959_2000(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    int64_t t = nt_fx_local(&s, 2026, 11, 11, 19, 59, 59);
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_FOLLOW_UP, t), 0);
    t = nt_fx_local(&s, 2026, 11, 11, 20, 0, 0);
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_FOLLOW_UP, t), nt_fx_local(&s, 2026, 11, 12, 8, 0, 0));
    /* the same 20:30 is still open for a service message */
    t = nt_fx_local(&s, 2026, 11, 11, 20, 30, 0);
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_SERVICE, t), 0);
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_FOLLOW_UP, t), nt_fx_local(&s, 2026, 11, 12, 8, 0, 0));
    t = nt_fx_local(&s, 2026, 11, 12, 7, 59, 59);
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_FOLLOW_UP, t), nt_fx_local(&s, 2026, 11, 12, 8, 0, 0));
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_FOLLOW_UP, nt_fx_local(&s, 2026, 11, 12, 8, 0, 0)), 0);
    nt_fx_shop_done(&s);
}

static void test_nt2_release_across_dst_start_is_local_0800(void) {
    /* New York springs forward on 2026-03-08 at 02:00: 21:30 EST on the
     * 7th to 08:00 EDT on the 8th is 9.5 hours, not 10.5 */
    cs_shop s;
    nt_fx_shop_init(&s, "America/New_York");
    int64_t t = nt_fx_local(&s, 2026, 3, 7, 21, 30, 0);
    int64_t rel = nt2_quiet_release_ms(&s, NT_SERVICE, t);
    CT_EQ_INT(rel, nt_fx_utc(2026, 3, 8, 12, 0, 0)); /* 08:00 EDT = 12:00 UTC */
    CT_EQ_INT(rel - t, 9 * NT_FX_HOUR + 30 * 60 * 1000LL);
    CT_EQ_INT(cs_tz_minute_of_day(s.tz, rel), 8 * 60);
    nt_fx_shop_done(&s);
}

static void test_nt2_release_across_dst_end_is_local_0800(void) {
    /* falls back on 2026-11-01: 21:00 EDT on Oct 31 to 08:00 EST = 12 h */
    cs_shop s;
    nt_fx_shop_init(&s, "America/New_York");
    int64_t t = nt_fx_local(&s, 2026, 10, 31, 21, 0, 0);
    int64_t rel = nt2_quiet_release_ms(&s, NT_SERVICE, t);
    CT_EQ_INT(rel, nt_fx_utc(2026, 11, 1, 13, 0, 0)); /* 08:00 EST = 13:00 UTC */
    CT_EQ_INT(rel - t, 12 * NT_FX_HOUR);
    nt_fx_shop_done(&s);
}

static void test_nt2_shop_settings_move_the_window(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    s.th.service_quiet_start_min = 22 * 60;
    s.th.service_quiet_end_min = 9 * 60;
    int64_t t = nt_fx_local(&s, 2026, 11, 11, 21, 30, 0);
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_SERVICE, t), 0);
    t = nt_fx_local(&s, 2026, 11, 12, 8, 30, 0);
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_SERVICE, t), nt_fx_local(&s, 2026, 11, 12, 9, 0, 0));
    /* a span that does not wrap midnight: quiet 12:00-13:00 */
    s.th.service_quiet_start_min = 12 * 60;
    s.th.service_quiet_end_min = 13 * 60;
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_SERVICE, nt_fx_local(&s, 2026, 11, 12, 12, 30, 0)),
              nt_fx_local(&s, 2026, 11, 12, 13, 0, 0));
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_SERVICE, nt_fx_local(&s, 2026, 11, 12, 23, 0, 0)), 0);
    /* equal start and end: no quiet hours */
    s.th.service_quiet_start_min = s.th.service_quiet_end_min = 0;
    CT_EQ_INT(nt2_quiet_release_ms(&s, NT_SERVICE, nt_fx_local(&s, 2026, 11, 12, 3, 0, 0)), 0);
    nt_fx_shop_done(&s);
}

CT_MAIN(CT_CASE(test_nt2_service_edges_2059_2100), CT_CASE(test_nt2_service_edges_0759_0800),
        CT_CASE(test_nt2_follow_up_edges_1959_2000), CT_CASE(test_nt2_release_across_dst_start_is_local_0800),
        CT_CASE(test_nt2_release_across_dst_end_is_local_0800), CT_CASE(test_nt2_shop_settings_move_the_window))
