/* test_ov03_receiver.c -- OV-3: receiver name, a valid phone and a complete
 * address (province, city, district, street) or ADDRESS_INCOMPLETE. */
#include "ov_fixtures.h"

static void run(const Cs__V1__Order *o, ov_decision *d) {
    ov_decision_init(d);
    ov3_check_receiver(o, NULL, d);
}

static void test_ov3_complete_receiver_passes(void) {
    fx_order f;
    fx_order_init(&f);
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(d.nreasons, 0);
}

static void test_ov3_missing_district_is_incomplete(void) {
    fx_order f;
    fx_order_init(&f);
    f.addr.district = FX_S("");
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(fx_count_code(&d, OV_ADDRESS_INCOMPLETE), 1);
    CT_EQ_STR(fx_reason(&d, OV_ADDRESS_INCOMPLETE)->detail, "missing: district");
    CT_EQ_INT(ov12_state_of(&d), CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION);
}

static void test_ov3_street_of_spaces_only_is_incomplete(void) {
    fx_order f;
    fx_order_init(&f);
    f.addr.street = FX_S(" \xE3\x80\x80 \t"); /* ASCII and ideographic spaces */
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_STR(fx_reason(&d, OV_ADDRESS_INCOMPLETE)->detail, "missing: street");
}

static void test_ov3_invalid_phone_is_incomplete(void) {
    const char *bad[] = {"1380013800", "138001380000", "12800138000", "hello", "0-12345678"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        fx_order f;
        fx_order_init(&f);
        f.rcv.phone = FX_S(bad[i]);
        ov_decision d;
        run(&f.o, &d);
        CT_EQ_INT(fx_count_code(&d, OV_ADDRESS_INCOMPLETE), 1);
        CT_CHECK(fx_detail_has(fx_reason(&d, OV_ADDRESS_INCOMPLETE), "phone (invalid)"));
    }
}

static void test_ov3_landline_with_area_code_is_valid(void) {
    const char *good[] = {"010-12345678", "0571 8888 8888", "057188888888"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        fx_order f;
        fx_order_init(&f);
        f.rcv.phone = FX_S(good[i]);
        ov_decision d;
        run(&f.o, &d);
        CT_EQ_INT(d.nreasons, 0);
    }
}

static void test_ov3_fullwidth_digits_in_mobile_are_valid(void) {
    fx_order f;
    fx_order_init(&f);
    f.rcv.phone = FX_S("１３８００１３８０００");
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(d.nreasons, 0);
}

static void test_ov3_no_receiver_names_every_part_in_one_reason(void) {
    fx_order f;
    fx_order_init(&f);
    f.o.receiver = NULL;
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_INT(d.nreasons, 1);
    CT_EQ_STR(fx_reason(&d, OV_ADDRESS_INCOMPLETE)->detail,
              "missing: receiver name, phone, province, city, district, street");
    CT_EQ_STR(d.reasons[0].rule, "OV-3");
}

static void test_ov3_missing_name_and_phone(void) {
    fx_order f;
    fx_order_init(&f);
    f.rcv.name = NULL;
    f.rcv.phone = FX_S("");
    ov_decision d;
    run(&f.o, &d);
    CT_EQ_STR(fx_reason(&d, OV_ADDRESS_INCOMPLETE)->detail, "missing: receiver name, phone");
}

static void test_ov3_shop_without_district_requirement_accepts_no_district(void) {
    fx_order f;
    fx_order_init(&f);
    f.addr.district = FX_S("");
    cs_shop shop = {.address_required = CS_ADDR_PROVINCE | CS_ADDR_CITY | CS_ADDR_STREET};
    ov_decision d;
    ov_decision_init(&d);
    ov3_check_receiver(&f.o, &shop, &d);
    CT_EQ_INT(d.nreasons, 0);
    /* the parts it still requires are still checked */
    f.addr.city = FX_S("");
    ov_decision_init(&d);
    ov3_check_receiver(&f.o, &shop, &d);
    CT_EQ_STR(fx_reason(&d, OV_ADDRESS_INCOMPLETE)->detail, "missing: city");
}

CT_MAIN(CT_CASE(test_ov3_complete_receiver_passes), CT_CASE(test_ov3_missing_district_is_incomplete),
        CT_CASE(test_ov3_street_of_spaces_only_is_incomplete), CT_CASE(test_ov3_invalid_phone_is_incomplete),
        CT_CASE(test_ov3_landline_with_area_code_is_valid), CT_CASE(test_ov3_fullwidth_digits_in_mobile_are_valid),
        CT_CASE(test_ov3_no_receiver_names_every_part_in_one_reason), CT_CASE(test_ov3_missing_name_and_phone),
        CT_CASE(test_ov3_shop_without_district_requirement_accepts_no_district))
