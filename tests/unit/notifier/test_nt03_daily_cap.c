/* test_nt03_daily_cap.c -- NT-3: at most 3 messages a local date to one
 * number from one shop; the 4th is held to the next day's window; days are
 * counted in the shop's zone, across local midnight. */
#include "nt_fixtures.h"

static void test_nt3_fourth_message_of_the_day_is_held_to_next_morning(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    int64_t sent[3] = {nt_fx_local(&s, 2026, 11, 11, 9, 0, 0), nt_fx_local(&s, 2026, 11, 11, 12, 0, 0),
                       nt_fx_local(&s, 2026, 11, 11, 15, 0, 0)};
    int64_t now = nt_fx_local(&s, 2026, 11, 11, 16, 0, 0);
    CT_EQ_INT(nt3_cap_release_ms(&s, NT_SERVICE, sent, 2, now), 0); /* the 3rd goes */
    CT_EQ_INT(nt3_cap_release_ms(&s, NT_SERVICE, sent, 3, now), nt_fx_local(&s, 2026, 11, 12, 8, 0, 0));
    CT_EQ_INT(nt3_cap_release_ms(&s, NT_FOLLOW_UP, sent, 3, now), nt_fx_local(&s, 2026, 11, 12, 8, 0, 0));
    nt_fx_shop_done(&s);
}

static void test_nt3_counting_across_local_midnight(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    /* three sent late on the 11th (local) */
    int64_t sent[3] = {nt_fx_local(&s, 2026, 11, 11, 20, 10, 0), nt_fx_local(&s, 2026, 11, 11, 20, 30, 0),
                       nt_fx_local(&s, 2026, 11, 11, 20, 50, 0)};
    /* 23:59:59 on the 11th: still the same local date */
    int64_t before = nt_fx_local(&s, 2026, 11, 11, 23, 59, 59);
    CT_EQ_INT(nt3_sent_on_local_day(s.tz, sent, 3, before), 3);
    /* 00:00:00 on the 12th: a new date, nothing counted yet */
    int64_t after = nt_fx_local(&s, 2026, 11, 12, 0, 0, 0);
    CT_EQ_INT(nt3_sent_on_local_day(s.tz, sent, 3, after), 0);
    CT_EQ_INT(nt3_cap_release_ms(&s, NT_SERVICE, sent, 3, nt_fx_local(&s, 2026, 11, 12, 8, 0, 0)), 0);
    nt_fx_shop_done(&s);
}

static void test_nt3_local_date_not_utc_date(void) {
    /* Shanghai midnight is 16:00 UTC: 15:59 and 16:01 UTC are two local
     * dates although one UTC date */
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    int64_t sent[3] = {nt_fx_utc(2026, 11, 11, 15, 0, 0), nt_fx_utc(2026, 11, 11, 15, 30, 0),
                       nt_fx_utc(2026, 11, 11, 15, 59, 0)};
    int64_t now = nt_fx_utc(2026, 11, 11, 16, 1, 0);
    CT_EQ_INT(nt3_sent_on_local_day(s.tz, sent, 3, now), 0);
    CT_EQ_INT(nt3_sent_on_local_day(s.tz, sent, 3, nt_fx_utc(2026, 11, 11, 15, 59, 30)), 3);
    nt_fx_shop_done(&s);
}

static void test_nt3_cap_is_a_shop_setting(void) {
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    s.th.daily_message_cap = 1;
    int64_t sent[1] = {nt_fx_local(&s, 2026, 11, 11, 9, 0, 0)};
    int64_t now = nt_fx_local(&s, 2026, 11, 11, 9, 1, 0);
    CT_EQ_INT(nt3_cap_release_ms(&s, NT_SERVICE, sent, 0, now), 0);
    CT_EQ_INT(nt3_cap_release_ms(&s, NT_SERVICE, sent, 1, now), nt_fx_local(&s, 2026, 11, 12, 8, 0, 0));
    nt_fx_shop_done(&s);
}

CT_MAIN(CT_CASE(test_nt3_fourth_message_of_the_day_is_held_to_next_morning),
        CT_CASE(test_nt3_counting_across_local_midnight), CT_CASE(test_nt3_local_date_not_utc_date),
        CT_CASE(test_nt3_cap_is_a_shop_setting))
