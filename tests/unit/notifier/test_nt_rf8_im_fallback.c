/* test_nt_rf8_im_fallback.c -- RF-8 in the notifier: an IM the provider
 * refused for good goes again by SMS to the request's fallback number,
 * under a key of its own. */
#include "nt_fixtures.h"

static void test_rf8_im_refused_for_good_falls_back_to_sms(void) {
    CT_EQ_STR(nt_rf8_sms_fallback(true, true, "13800138000"), "13800138000");
}

static void test_rf8_no_sms_fallback_without_an_im_refusal_or_a_number(void) {
    CT_CHECK(nt_rf8_sms_fallback(false, true, "13800138000") == NULL); /* an SMS refused: no second SMS */
    CT_CHECK(nt_rf8_sms_fallback(true, false, "13800138000") == NULL); /* sent, or not refused for good */
    CT_CHECK(nt_rf8_sms_fallback(true, true, "") == NULL);
    CT_CHECK(nt_rf8_sms_fallback(true, true, NULL) == NULL);
}

static void test_rf8_fallback_key_is_derived_from_the_im_key(void) {
    char out[64];
    CT_EQ_INT(nt_rf8_fallback_key("tb-demo/ev-1/note.0.refund_agreed", out, sizeof out), 0);
    CT_EQ_STR(out, "tb-demo/ev-1/note.0.refund_agreed:sms");
    char small[8];
    CT_EQ_INT(nt_rf8_fallback_key("a-long-key", small, sizeof small), -1);
}

CT_MAIN(CT_CASE(test_rf8_im_refused_for_good_falls_back_to_sms),
        CT_CASE(test_rf8_no_sms_fallback_without_an_im_refusal_or_a_number),
        CT_CASE(test_rf8_fallback_key_is_derived_from_the_im_key))
