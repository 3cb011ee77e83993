/* test_ov13_capture_sweep.c -- OV-13: the capture sweep at 19:00 local: an
 * order paid before today (shop-local dates), not shipped, not in an
 * exception or on hold, is a missed order; the buyer is told the new ship
 * date. */
#include "ov_fixtures.h"

static void test_ov13_next_sweep_is_1900_local(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    const int64_t sweep = 1717239600000LL; /* 2024-06-01 19:00 +08:00 */
    CT_EQ_INT(ov13_next_sweep_ms(&s, FX_CREATED_MS), sweep);
    CT_EQ_INT(ov13_next_sweep_ms(&s, sweep), sweep); /* at the instant: now */
    CT_EQ_INT(ov13_next_sweep_ms(&s, sweep + 1), sweep + FX_DAY);
    s.th.capture_sweep_min = 18 * 60 + 30;
    CT_EQ_INT(ov13_next_sweep_ms(&s, FX_CREATED_MS), sweep - 30 * FX_MIN);
    fx_shop_done(&s);
}

static void test_ov13_sweep_stays_1900_on_new_york_dst_day(void) {
    cs_shop s;
    fx_shop_init(&s, "America/New_York");
    const int64_t morning = 1710072000000LL; /* 2024-03-10 08:00 EDT = 12:00Z */
    const int64_t sweep = 1710111600000LL;   /* 2024-03-10 19:00 EDT = 23:00Z */
    CT_EQ_INT(ov13_next_sweep_ms(&s, morning), sweep);
    /* the day before (EST), 19:00 is 00:00Z of the 10th */
    CT_EQ_INT(ov13_next_sweep_ms(&s, morning - FX_DAY), 1710028800000LL);
    fx_shop_done(&s);
}

/* The shop's sweep re-arms itself: the next day's 19:00 when on time; one
 * catch-up sweep at the latest 19:00 passed when late, not one per day. */
static void test_ov13_sweep_after_next_day_or_one_catch_up(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    const int64_t sweep = 1717239600000LL;                                      /* 2024-06-01 19:00 +08:00 */
    CT_EQ_INT(ov13_sweep_after(&s, sweep, sweep + 5 * FX_MIN), sweep + FX_DAY); /* on time */
    CT_EQ_INT(ov13_sweep_after(&s, sweep, sweep + FX_DAY - 1), sweep + FX_DAY); /* a page ran late: still tomorrow */
    CT_EQ_INT(ov13_sweep_after(&s, sweep, sweep + FX_DAY), sweep + FX_DAY);     /* exactly then: due now */
    CT_EQ_INT(ov13_sweep_after(&s, sweep, sweep + 10 * FX_DAY + FX_MIN), sweep + 10 * FX_DAY); /* days late: once */
    CT_EQ_INT(ov13_sweep_after(&s, sweep, sweep + 10 * FX_DAY - FX_MIN), sweep + 9 * FX_DAY); /* before today's 19:00 */
    fx_shop_done(&s);
}

static bool missed(const cs_shop *s, Cs__V1__OrderState *st, int64_t now, ov_task *t, ov_note *n) {
    return ov13_missed_order(st, s, now, t, n);
}

static void test_ov13_paid_yesterday_unshipped_is_missed(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f); /* paid 2024-06-01 10:05 */
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    st.last_state = CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED;
    ov_task t;
    ov_note n;
    CT_CHECK(missed(&s, &st, fx_local_ms(&s, 2024, 6, 2, 19, 0), &t, &n));
    CT_EQ_INT(t.kind, CS__V1__TASK_KIND__TASK_KIND_MISSED_ORDER);
    CT_EQ_STR(t.rule, "OV-13");
    CT_EQ_STR(n.template_id, "ship_date_changed");
    CT_EQ_INT(n.klass, CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE);
    CT_EQ_INT(n.channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM);
    CT_EQ_STR(fx_param(&n, "order_id"), "O1");
    CT_EQ_STR(fx_param(&n, "ship_date"), "2024-06-03");
    fx_shop_done(&s);
}

static void test_ov13_paid_today_is_not_missed(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    ov_task t;
    ov_note n;
    CT_CHECK(!missed(&s, &st, fx_local_ms(&s, 2024, 6, 1, 19, 0), &t, &n));
    CT_EQ_INT(t.kind, CS__V1__TASK_KIND__TASK_KIND_UNSPECIFIED);
    fx_shop_done(&s);
}

static void test_ov13_local_dates_decide_not_utc_dates(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    ov_task t;
    ov_note n;
    int64_t sweep = fx_local_ms(&s, 2024, 6, 2, 19, 0);
    /* 07:00 local today is 23:00 UTC yesterday: still today, not missed */
    f.o.paid_ms = fx_local_ms(&s, 2024, 6, 2, 7, 0);
    CT_CHECK(!missed(&s, &st, sweep, &t, &n));
    /* 23:50 local yesterday, only 19 h ago: missed */
    f.o.paid_ms = fx_local_ms(&s, 2024, 6, 1, 23, 50);
    CT_CHECK(missed(&s, &st, sweep, &t, &n));
    fx_shop_done(&s);
}

static void test_ov13_shipped_exception_hold_cancelled_unpaid_are_not_missed(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    int64_t sweep = fx_local_ms(&s, 2024, 6, 3, 19, 0);
    fx_order f;
    Cs__V1__OrderState st;
    ov_task t;
    ov_note n;

    fx_order_init(&f);
    fx_state_init(&st, &f);
    st.shipped_ms = sweep - FX_DAY;
    CT_CHECK(!missed(&s, &st, sweep, &t, &n));

    fx_state_init(&st, &f);
    st.last_state = CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION;
    CT_CHECK(!missed(&s, &st, sweep, &t, &n));

    fx_state_init(&st, &f);
    st.last_state = CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD;
    CT_CHECK(!missed(&s, &st, sweep, &t, &n));

    fx_state_init(&st, &f);
    f.o.on_hold = 1;
    CT_CHECK(!missed(&s, &st, sweep, &t, &n));
    f.o.on_hold = 0;

    fx_state_init(&st, &f);
    st.cancelled_ms = sweep - FX_DAY;
    CT_CHECK(!missed(&s, &st, sweep, &t, &n));

    fx_state_init(&st, &f);
    f.o.paid_ms = 0;
    CT_CHECK(!missed(&s, &st, sweep, &t, &n));
    fx_shop_done(&s);
}

static void test_ov13_paid_order_waiting_for_finance_is_listed(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    s.msg_pref = CS_MSG_PREF_SMS;
    fx_order f;
    fx_order_init(&f);
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    st.last_state = CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_FINANCE_CHECK;
    ov_task t;
    ov_note n;
    CT_CHECK(missed(&s, &st, fx_local_ms(&s, 2024, 6, 2, 19, 0), &t, &n));
    CT_EQ_INT(n.channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS);
    fx_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ov13_next_sweep_is_1900_local), CT_CASE(test_ov13_sweep_stays_1900_on_new_york_dst_day),
        CT_CASE(test_ov13_sweep_after_next_day_or_one_catch_up), CT_CASE(test_ov13_paid_yesterday_unshipped_is_missed),
        CT_CASE(test_ov13_paid_today_is_not_missed), CT_CASE(test_ov13_local_dates_decide_not_utc_dates),
        CT_CASE(test_ov13_shipped_exception_hold_cancelled_unpaid_are_not_missed),
        CT_CASE(test_ov13_paid_order_waiting_for_finance_is_listed))
