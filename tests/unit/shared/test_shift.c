/* test_shift.c -- SH-1: a task goes to the on-duty shift that began most
 * recently; off duty, to the first shift of the day. Default shifts:
 * early 09:00-18:30, middle 11:30-21:00, night 16:00-24:00. */
#include <string.h>

#include "ct.h"
#include "cs/shift.h"
#include "cs/tz.h"

static void shopInit(cs_shop *s) {
    char err[256];
    memset(s, 0, sizeof *s);
    s->tz = cs_tz_load("Asia/Shanghai", err, sizeof err);
    s->shifts[0] = (cs_shift){(char *)"early", 9 * 60, 18 * 60 + 30};
    s->shifts[1] = (cs_shift){(char *)"middle", 11 * 60 + 30, 21 * 60};
    s->shifts[2] = (cs_shift){(char *)"night", 16 * 60, 24 * 60};
    s->nshifts = 3;
}

static int64_t at(const cs_shop *s, int hh, int mm) {
    return cs_tz_instant(s->tz, cs_day_from_ymd(2024, 6, 1), hh * 60 + mm);
}

static void test_sh1_at_17_00_overlap_goes_to_night(void) {
    cs_shop s;
    shopInit(&s);
    /* early, middle and night are all on duty; night began last (16:00) */
    CT_EQ_STR(cs_shift_for_task(&s, at(&s, 17, 0))->name, "night");
    CT_EQ_STR(cs_shift_for_task(&s, at(&s, 15, 59))->name, "middle");
    CT_EQ_STR(cs_shift_for_task(&s, at(&s, 11, 29))->name, "early");
    cs_tz_free((cs_tz *)s.tz);
}

static void test_sh1_at_03_00_waits_for_first_shift(void) {
    cs_shop s;
    shopInit(&s);
    CT_EQ_STR(cs_shift_for_task(&s, at(&s, 3, 0))->name, "early");
    CT_EQ_STR(cs_shift_for_task(&s, at(&s, 0, 0))->name, "early"); /* night ended at 24:00 */
    CT_EQ_STR(cs_shift_for_task(&s, at(&s, 23, 59))->name, "night");
    s.nshifts = 0;
    CT_CHECK(cs_shift_for_task(&s, at(&s, 3, 0)) == NULL);
    cs_tz_free((cs_tz *)s.tz);
}

static void test_sh1_handover_goes_to_shift_still_or_next_on_duty(void) {
    cs_shop s;
    shopInit(&s);
    /* early ends 18:30 with middle and night on duty: night began last */
    CT_EQ_STR(cs_shift_handover(&s, &s.shifts[0])->name, "night");
    /* middle ends 21:00: night */
    CT_EQ_STR(cs_shift_handover(&s, &s.shifts[1])->name, "night");
    /* night ends at 24:00, nobody on duty: the first shift of the next day */
    CT_EQ_STR(cs_shift_handover(&s, &s.shifts[2])->name, "early");
    /* a gap: early alone 09:00-12:00, late 14:00-20:00: early hands to late */
    s.shifts[0].end_min = 12 * 60;
    s.shifts[1] = (cs_shift){(char *)"late", 14 * 60, 20 * 60};
    s.nshifts = 2;
    CT_EQ_STR(cs_shift_handover(&s, &s.shifts[0])->name, "late");
    CT_EQ_STR(cs_shift_handover(&s, &s.shifts[1])->name, "early");
    s.nshifts = 1;
    CT_CHECK(cs_shift_handover(&s, &s.shifts[0]) == NULL);
    CT_CHECK(cs_shift_named(&s, "early") == &s.shifts[0]);
    CT_CHECK(cs_shift_named(&s, "late") == NULL);
    cs_tz_free((cs_tz *)s.tz);
}

CT_MAIN(CT_CASE(test_sh1_at_17_00_overlap_goes_to_night),
        CT_CASE(test_sh1_handover_goes_to_shift_still_or_next_on_duty),
        CT_CASE(test_sh1_at_03_00_waits_for_first_shift))
