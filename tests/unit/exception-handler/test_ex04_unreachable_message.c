/* test_ex04_unreachable_message.c -- EX-4: an unreachable buyer gets
 * exactly one written message: IM by default, SMS when the shop prefers
 * SMS or the buyer has no IM; never both, never twice per exception. */
#include "ex_fixtures.h"

static Cs__V1__CallResult call(Cs__V1__CallOutcome outcome, bool has_im) {
    Cs__V1__CallResult c;
    cs__v1__call_result__init(&c);
    c.order_id = FXE_S("O1");
    c.outcome = outcome;
    c.buyer_has_im = has_im;
    return c;
}

static const ex_exception open_x = {.exists = true, .open = true, .opened_ms = 1};

static void test_ex4_unreachable_gets_one_im_by_default(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    ex_order o;
    fxe_order(&o, 1);
    Cs__V1__CallResult c = call(CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE, false);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex4_unreachable_message(&c, &o, &open_x, &s, &d));
    CT_EQ_INT(d.fx.nnotes, 1); /* one, not both */
    CT_EQ_INT(d.fx.notes[0].channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM);
    CT_EQ_INT(d.fx.notes[0].to, CS_TO_IM);
    CT_EQ_STR(d.fx.notes[0].rule, "EX-4");
    CT_EQ_STR(d.fx.notes[0].template_id, EX_TPL_UNREACHABLE);
    CT_CHECK(d.written_sent);
    fxe_shop_done(&s);
}

static void test_ex4_shop_preferring_sms_gets_one_sms(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    s.msg_pref = CS_MSG_PREF_SMS;
    ex_order o;
    fxe_order(&o, 1);
    Cs__V1__CallResult c = call(CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE, true);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex4_unreachable_message(&c, &o, &open_x, &s, &d));
    CT_EQ_INT(d.fx.nnotes, 1);
    CT_EQ_INT(d.fx.notes[0].channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS);
    CT_EQ_INT(d.fx.notes[0].to, CS_TO_PHONE);
    fxe_shop_done(&s);
}

static void test_ex4_own_site_buyer_without_im_gets_sms(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_OWN_SITE);
    ex_order o;
    fxe_order(&o, 1);
    ex_decision d;
    ex_decision_init(&d);
    Cs__V1__CallResult c = call(CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE, false);
    CT_CHECK(ex4_unreachable_message(&c, &o, &open_x, &s, &d));
    CT_EQ_INT(d.fx.nnotes, 1);
    CT_EQ_INT(d.fx.notes[0].channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS);
    /* the same buyer with IM: IM */
    ex_decision_init(&d);
    c = call(CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE, true);
    CT_CHECK(ex4_unreachable_message(&c, &o, &open_x, &s, &d));
    CT_EQ_INT(d.fx.notes[0].channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM);
    fxe_shop_done(&s);
}

static void test_ex4_second_unreachable_sends_nothing_more(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    ex_order o;
    fxe_order(&o, 1);
    ex_exception x = open_x;
    x.written_sent = true;
    Cs__V1__CallResult c = call(CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE, true);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(!ex4_unreachable_message(&c, &o, &x, &s, &d));
    CT_EQ_INT(d.fx.nnotes, 0);
    fxe_shop_done(&s);
}

static void test_ex4_reached_or_no_open_exception_sends_nothing(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    ex_order o;
    fxe_order(&o, 1);
    ex_decision d;
    ex_decision_init(&d);
    Cs__V1__CallResult c = call(CS__V1__CALL_OUTCOME__CALL_OUTCOME_REACHED, true);
    CT_CHECK(!ex4_unreachable_message(&c, &o, &open_x, &s, &d));
    c = call(CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE, true);
    ex_exception closed = {.exists = true, .open = false};
    CT_CHECK(!ex4_unreachable_message(&c, &o, &closed, &s, &d));
    ex_exception none = {0};
    CT_CHECK(!ex4_unreachable_message(&c, &o, &none, &s, &d));
    CT_EQ_INT(d.fx.nnotes, 0);
    fxe_shop_done(&s);
}

static void test_ex4_sms_preference_without_phone_falls_back_to_im(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    s.msg_pref = CS_MSG_PREF_SMS;
    ex_order o;
    fxe_order(&o, 1);
    o.phone = NULL;
    Cs__V1__CallResult c = call(CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE, false);
    ex_decision d;
    ex_decision_init(&d);
    CT_CHECK(ex4_unreachable_message(&c, &o, &open_x, &s, &d));
    CT_EQ_INT(d.fx.nnotes, 1);
    CT_EQ_INT(d.fx.notes[0].channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM);
    /* own site, no IM and no phone: nobody to write to */
    fxe_shop_done(&s);
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_OWN_SITE);
    ex_decision_init(&d);
    CT_CHECK(!ex4_unreachable_message(&c, &o, &open_x, &s, &d));
    CT_EQ_INT(d.fx.nnotes, 0);
    CT_CHECK(!d.written_sent);
    fxe_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ex4_unreachable_gets_one_im_by_default), CT_CASE(test_ex4_shop_preferring_sms_gets_one_sms),
        CT_CASE(test_ex4_own_site_buyer_without_im_gets_sms), CT_CASE(test_ex4_second_unreachable_sends_nothing_more),
        CT_CASE(test_ex4_reached_or_no_open_exception_sends_nothing),
        CT_CASE(test_ex4_sms_preference_without_phone_falls_back_to_im))
