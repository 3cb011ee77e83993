/* test_rf08_buyer_messages.c -- RF-8: the buyer is told on agreement, on
 * return receipt and on refund, naming the owning agent; IM by default,
 * SMS where the shop prefers it or the buyer has no IM; one message, not
 * both. */
#include "rf_fixtures.h"

#define ST FXR_ST

/* A Shanghai shop, the fixture order and an open case owned by 小王. */
static void rf8Setup(cs_shop *s, rf_order *o, rf_case *c, rf_decision *d) {
    fxr_shop_init(s, "Asia/Shanghai");
    fxr_order(o);
    *c = (rf_case){.exists = true, .case_id = "C1", .order_id = "O1", .agent = "小王"};
    rf_decision_init(d);
}

static void test_rf8_told_on_agreement_receipt_and_refund_naming_agent(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(CHANGED_MIND), ST(REQUESTED), 4550);
    rf_case c = {0};
    rf_decision d;
    rf_event ev = fxr_event(&e, "a", 1000);
    fxr_apply(&c, &ev, &o, &s, &d);
    CT_EQ_INT(d.fx.nnotes, 0); /* the request itself: no message */
    static const Cs__V1__CaseStage stages[] = {ST(AGREED), ST(BUYER_SHIPPED), ST(RETURN_RECEIVED), ST(REFUNDED)};
    static const char *const tpl[] = {RF_TPL_AGREED, NULL, RF_TPL_RECEIVED, RF_TPL_REFUNDED};
    static const char *const ids[] = {"b", "c", "d", "e"};
    for (int i = 0; i < 4; i++) {
        e.stage = stages[i];
        ev = fxr_event(&e, ids[i], 2000 + i);
        fxr_apply(&c, &ev, &o, &s, &d);
        if (!tpl[i]) {
            CT_EQ_INT(d.fx.nnotes, 0);
            continue;
        }
        CT_EQ_INT(d.fx.nnotes, 1);
        const cs_note *n = &d.fx.notes[0];
        CT_EQ_STR(n->template_id, tpl[i]);
        CT_EQ_STR(n->rule, "RF-8");
        CT_EQ_INT(n->channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM);
        CT_EQ_INT(n->to, CS_TO_IM);
        CT_EQ_INT(n->klass, CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE);
        CT_EQ_STR(fxr_param(n, "agent"), "小王");
        CT_EQ_STR(fxr_param(n, "order_id"), "O1");
        if (stages[i] == ST(RETURN_RECEIVED))
            CT_CHECK(fxr_param(n, "amount") == NULL);
        else
            CT_EQ_STR(fxr_param(n, "amount"), "45.50");
    }
    fxr_shop_done(&s);
}

static void test_rf8_sms_when_shop_prefers_or_no_im(void) {
    cs_shop s;
    rf_order o;
    rf_case c;
    rf_decision d;
    rf8Setup(&s, &o, &c, &d);
    s.msg_pref = CS_MSG_PREF_SMS;
    const cs_note *n = rf8_buyer_message(&c, &o, &s, "RF-8", RF_TPL_AGREED, 100, &d);
    CT_CHECK(n != NULL);
    if (n) CT_EQ_INT(n->channel, CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS);
    if (n) CT_EQ_INT(n->to, CS_TO_PHONE);
    /* prefers SMS but no phone: IM still reaches */
    o.phone = NULL;
    n = rf8_buyer_message(&c, &o, &s, "RF-8", RF_TPL_AGREED, 100, &d);
    CT_CHECK(n && n->channel == CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM);
    /* an own-site buyer has no platform IM: SMS */
    s.msg_pref = CS_MSG_PREF_IM;
    o.phone = "13800138000";
    o.channel = CS__V1__CHANNEL__CHANNEL_OWN_SITE;
    n = rf8_buyer_message(&c, &o, &s, "RF-8", RF_TPL_AGREED, 100, &d);
    CT_CHECK(n && n->channel == CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS);
    /* nobody to write to: nothing */
    o.phone = NULL;
    CT_CHECK(rf8_buyer_message(&c, &o, &s, "RF-8", RF_TPL_AGREED, 100, &d) == NULL);
    CT_EQ_INT(d.fx.nnotes, 3);
    fxr_shop_done(&s);
}

/* IM first, SMS as fallback: an IM notice carries the phone for the
 * notifier to use if the IM is refused; an SMS notice or a buyer without
 * a phone carries none. */
static void test_rf8_im_notice_carries_the_phone_as_its_sms_fallback(void) {
    cs_shop s;
    rf_order o;
    rf_case c;
    rf_decision d;
    rf8Setup(&s, &o, &c, &d);
    s.msg_pref = CS_MSG_PREF_IM;
    const cs_note *n = rf8_buyer_message(&c, &o, &s, "RF-8", RF_TPL_AGREED, 100, &d);
    CT_CHECK(n && n->channel == CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM && n->to == CS_TO_IM);
    CT_CHECK(n && n->sms_fallback);
    o.phone = NULL; /* no phone: IM alone */
    n = rf8_buyer_message(&c, &o, &s, "RF-8", RF_TPL_AGREED, 100, &d);
    CT_CHECK(n && n->channel == CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM && !n->sms_fallback);
    o.phone = "13800138000"; /* SMS already: nothing to fall back to */
    s.msg_pref = CS_MSG_PREF_SMS;
    n = rf8_buyer_message(&c, &o, &s, "RF-8", RF_TPL_AGREED, 100, &d);
    CT_CHECK(n && n->channel == CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS && !n->sms_fallback);
    fxr_shop_done(&s);
}

static void test_rf8_case_without_owner_names_the_shop_service(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    rf_case c = {.exists = true, .case_id = "C1", .order_id = "O1"};
    rf_decision d;
    rf_decision_init(&d);
    const cs_note *n = rf8_buyer_message(&c, &o, &s, "RF-8", RF_TPL_REFUNDED, 1, &d);
    CT_CHECK(n != NULL);
    if (n) CT_EQ_STR(fxr_param(n, "agent"), RF_NO_AGENT);
    if (n) CT_EQ_STR(fxr_param(n, "amount"), "0.01");
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rf8_told_on_agreement_receipt_and_refund_naming_agent),
        CT_CASE(test_rf8_sms_when_shop_prefers_or_no_im),
        CT_CASE(test_rf8_im_notice_carries_the_phone_as_its_sms_fallback), CT_CASE(test_rf8_case_without_owner_names_the_shop_service))
