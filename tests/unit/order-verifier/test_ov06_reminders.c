/* test_ov06_reminders.c -- OV-6: one payment reminder 30 min after an
 * unpaid order was placed (a call, or IM where the shop sets it); an
 * ON_HOLD order still open on day 3 of its hold (shop-local calendar days,
 * day 1 = the date the hold began) is escalated to the supervisor. */
#include "ov_fixtures.h"

static void unpaid(fx_order *f, Cs__V1__OrderState *st) {
    fx_order_init(f);
    f->o.paid_ms = 0;
    f->o.paid_amount_fen = 0;
    fx_state_init(st, f);
}

static void test_ov6_reminder_due_30_min_after_creation(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    CT_EQ_INT(ov6_reminder_due_ms(&f.o, &s), FX_CREATED_MS + 30 * FX_MIN);
    s.th.unpaid_reminder_min = 45;
    CT_EQ_INT(ov6_reminder_due_ms(&f.o, &s), FX_CREATED_MS + 45 * FX_MIN);
    fx_shop_done(&s);
}

static void test_ov6_no_reminder_before_30_min(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    Cs__V1__OrderState st;
    unpaid(&f, &st);
    ov_task t;
    ov_note n;
    CT_CHECK(!ov6_payment_reminder(&st, &s, FX_CREATED_MS + 30 * FX_MIN - 1, &t, &n));
    CT_EQ_INT(t.kind, CS__V1__TASK_KIND__TASK_KIND_UNSPECIFIED);
    CT_CHECK(n.template_id == NULL);
    fx_shop_done(&s);
}

static void test_ov6_reminder_call_task_at_30_min(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    Cs__V1__OrderState st;
    unpaid(&f, &st);
    ov_task t;
    ov_note n;
    CT_CHECK(ov6_payment_reminder(&st, &s, FX_CREATED_MS + 30 * FX_MIN, &t, &n));
    CT_EQ_INT(t.kind, CS__V1__TASK_KIND__TASK_KIND_PAYMENT_REMINDER);
    CT_EQ_STR(t.rule, "OV-6");
    CT_CHECK(strstr(t.summary, "44.80") != NULL);
    CT_CHECK(n.template_id == NULL); /* a call, not a message */
    fx_shop_done(&s);
}

static void test_ov6_reminder_is_im_message_when_shop_sets_it(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    s.payment_reminder_im = true;
    s.msg_pref = CS_MSG_PREF_SMS; /* the setting is IM instead of a call */
    fx_order f;
    Cs__V1__OrderState st;
    unpaid(&f, &st);
    ov_task t;
    ov_note n;
    CT_CHECK(ov6_payment_reminder(&st, &s, FX_CREATED_MS + 31 * FX_MIN, &t, &n));
    CT_EQ_INT(t.kind, CS__V1__TASK_KIND__TASK_KIND_UNSPECIFIED);
    CT_EQ_STR(n.template_id, "payment_reminder");
    CT_EQ_INT(n.channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM);
    CT_EQ_INT(n.klass, CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE);
    CT_EQ_STR(fx_param(&n, "order_id"), "O1");
    CT_EQ_STR(fx_param(&n, "amount"), "44.80");
    fx_shop_done(&s);
}

static void test_ov6_paid_cod_or_cancelled_order_gets_no_reminder(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    int64_t later = FX_CREATED_MS + 2 * FX_HOUR;
    fx_order f;
    Cs__V1__OrderState st;
    ov_task t;
    ov_note n;

    fx_order_init(&f); /* paid */
    fx_state_init(&st, &f);
    CT_CHECK(!ov6_payment_reminder(&st, &s, later, &t, &n));

    unpaid(&f, &st);
    f.o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD;
    CT_CHECK(!ov6_payment_reminder(&st, &s, later, &t, &n));

    unpaid(&f, &st);
    st.cancelled_ms = FX_CREATED_MS + 10 * FX_MIN;
    CT_CHECK(!ov6_payment_reminder(&st, &s, later, &t, &n));

    unpaid(&f, &st);
    st.created = 0; /* only a payment-less fragment seen: not an order yet */
    CT_CHECK(!ov6_payment_reminder(&st, &s, later, &t, &n));

    /* a bank transfer still waiting for the buyer is reminded */
    unpaid(&f, &st);
    f.o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER;
    CT_CHECK(ov6_payment_reminder(&st, &s, later, &t, &n));
    fx_shop_done(&s);
}

static Cs__V1__OrderState held_state(fx_order *f) {
    Cs__V1__OrderState st;
    fx_order_init(f);
    fx_state_init(&st, f);
    st.last_state = CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD;
    return st;
}

static void test_ov6_hold_escalation_at_start_of_day3_shanghai(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    Cs__V1__OrderState st = held_state(&f);
    int64_t held = fx_local_ms(&s, 2024, 6, 1, 23, 30); /* day 1, late evening */
    const int64_t day3 = 1717344000000LL;               /* 2024-06-03 00:00 +08:00 */
    CT_EQ_INT(ov6_hold_escalation_ms(held, &s), day3);
    ov_task t;
    CT_CHECK(!ov6_hold_escalation(&st, held, &s, day3 - 1, &t));
    CT_EQ_INT(t.kind, CS__V1__TASK_KIND__TASK_KIND_UNSPECIFIED);
    CT_CHECK(ov6_hold_escalation(&st, held, &s, day3, &t));
    CT_EQ_INT(t.kind, CS__V1__TASK_KIND__TASK_KIND_ESCALATION);
    CT_CHECK(t.urgent);
    CT_CHECK(strstr(t.summary, "since 2024-06-01 (day 3)") != NULL);
    fx_shop_done(&s);
}

static void test_ov6_hold_escalation_day3_new_york_dst(void) {
    /* held Sat 2024-03-09 12:00 EST; clocks spring forward on Sun 03-10;
     * day 3 starts Mon 2024-03-11 00:00 EDT = 04:00 UTC, not 05:00 */
    cs_shop s;
    fx_shop_init(&s, "America/New_York");
    fx_order f;
    Cs__V1__OrderState st = held_state(&f);
    const int64_t held = 1710003600000LL; /* 2024-03-09T17:00:00Z */
    const int64_t day3 = 1710129600000LL; /* 2024-03-11T04:00:00Z */
    CT_EQ_INT(ov6_hold_escalation_ms(held, &s), day3);
    ov_task t;
    CT_CHECK(!ov6_hold_escalation(&st, held, &s, day3 - 1, &t));
    CT_CHECK(ov6_hold_escalation(&st, held, &s, day3, &t));
    CT_CHECK(strstr(t.summary, "since 2024-03-09 (day 3)") != NULL);
    fx_shop_done(&s);
}

static void test_ov6_hold_escalation_day3_new_york_dst_end(void) {
    /* held Sat 2024-11-02 10:00 EDT; clocks fall back on Sun 11-03;
     * day 3 starts Mon 2024-11-04 00:00 EST = 05:00 UTC */
    cs_shop s;
    fx_shop_init(&s, "America/New_York");
    const int64_t held = 1730556000000LL; /* 2024-11-02T14:00:00Z */
    const int64_t day3 = 1730696400000LL; /* 2024-11-04T05:00:00Z */
    CT_EQ_INT(ov6_hold_escalation_ms(held, &s), day3);
    fx_shop_done(&s);
}

static void test_ov6_hold_settle_days_is_shop_setting(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    s.th.hold_settle_days = 5;
    int64_t held = fx_local_ms(&s, 2024, 6, 1, 9, 0);
    CT_EQ_INT(ov6_hold_escalation_ms(held, &s), fx_local_ms(&s, 2024, 6, 5, 0, 0));
    fx_shop_done(&s);
}

static void test_ov6_settled_or_shipped_hold_is_not_escalated(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    int64_t held = fx_local_ms(&s, 2024, 6, 1, 9, 0);
    int64_t late = fx_local_ms(&s, 2024, 6, 10, 9, 0);
    fx_order f;
    ov_task t;
    Cs__V1__OrderState st = held_state(&f);
    st.last_state = CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED; /* settled */
    CT_CHECK(!ov6_hold_escalation(&st, held, &s, late, &t));
    st = held_state(&f);
    st.shipped_ms = held + FX_HOUR;
    CT_CHECK(!ov6_hold_escalation(&st, held, &s, late, &t));
    st = held_state(&f);
    st.cancelled_ms = held + FX_HOUR;
    CT_CHECK(!ov6_hold_escalation(&st, held, &s, late, &t));
    st = held_state(&f);
    CT_CHECK(!ov6_hold_escalation(&st, 0, &s, late, &t)); /* never held */
    /* the shop's own hold counts even before a verdict recorded it */
    st = held_state(&f);
    st.last_state = CS__V1__VERDICT_STATE__VERDICT_STATE_UNSPECIFIED;
    f.o.on_hold = 1;
    CT_CHECK(ov6_hold_escalation(&st, held, &s, late, &t));
    fx_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ov6_reminder_due_30_min_after_creation), CT_CASE(test_ov6_no_reminder_before_30_min),
        CT_CASE(test_ov6_reminder_call_task_at_30_min), CT_CASE(test_ov6_reminder_is_im_message_when_shop_sets_it),
        CT_CASE(test_ov6_paid_cod_or_cancelled_order_gets_no_reminder),
        CT_CASE(test_ov6_hold_escalation_at_start_of_day3_shanghai),
        CT_CASE(test_ov6_hold_escalation_day3_new_york_dst), CT_CASE(test_ov6_hold_escalation_day3_new_york_dst_end),
        CT_CASE(test_ov6_hold_settle_days_is_shop_setting), CT_CASE(test_ov6_settled_or_shipped_hold_is_not_escalated))
