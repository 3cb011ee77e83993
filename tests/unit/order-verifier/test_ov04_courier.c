/* test_ov04_courier.c -- OV-4 courier coverage and OV-5's cash-on-delivery
 * part: keep a courier that reaches the address, else switch to the shop's
 * first courier that does, else COURIER_UNREACHABLE. Regions: one part
 * matches province, city or district; a path matches from the province
 * down as far as it goes. Fixture couriers: SF (not 浙江省/杭州市/淳安县,
 * not 西藏自治区; COD everywhere), YTO (not 新疆; COD in 浙江省 only), EMS
 * (everywhere; no COD). */
#include "ov_fixtures.h"

static void choose(const Cs__V1__Order *o, const cs_shop *s, ov_decision *d) {
    ov_decision_init(d);
    ov4_choose_courier(o, s, d);
}

static void set_addr(fx_order *f, const char *p, const char *c, const char *dist) {
    f->addr.province = FX_S(p);
    f->addr.city = FX_S(c);
    f->addr.district = FX_S(dist);
}

static void test_ov4_courier_that_reaches_is_kept(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    ov_decision d;
    choose(&f.o, &s, &d);
    CT_EQ_STR(d.courier, "SF");
    CT_EQ_INT(d.nreasons, 0);
    CT_EQ_INT(d.nannotations, 0);
    fx_shop_done(&s);
}

static void test_ov4_courier_reaches_city_not_district(void) {
    /* SF cannot reach 淳安县 of 杭州市: an address there is switched */
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    set_addr(&f, "浙江省", "杭州市", "淳安县");
    ov_decision d;
    choose(&f.o, &s, &d);
    CT_EQ_STR(d.courier, "YTO");
    CT_EQ_INT(d.nreasons, 0);
    CT_EQ_INT(fx_count_annotation(&d, OV_COURIER_SWITCHED), 1);
    const ov_annotation *a = fx_annotation(&d, OV_COURIER_SWITCHED);
    CT_CHECK(a && strstr(a->detail, "SF cannot reach 浙江省/杭州市/淳安县: switched to YTO"));
    CT_EQ_STR(a->rule, "OV-4");
    fx_shop_done(&s);
}

static void test_ov4_district_block_keeps_courier_for_other_district_of_city(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    set_addr(&f, "浙江省", "杭州市", "西湖区");
    CT_CHECK(ov4_courier_serves(&s.couriers[0], &f.addr, false));
    set_addr(&f, "浙江省", "杭州市", "淳安县");
    CT_CHECK(!ov4_courier_serves(&s.couriers[0], &f.addr, false));
    fx_shop_done(&s);
}

static void test_ov4_path_of_another_province_does_not_match(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    set_addr(&f, "安徽省", "杭州市", "淳安县"); /* same names below, other province */
    CT_CHECK(ov4_courier_serves(&s.couriers[0], &f.addr, false));
    fx_shop_done(&s);
}

static void test_ov4_two_part_path_blocks_the_whole_city(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    s.couriers[0].unreachable[0] = (cs_region){{FX_S("浙江省"), FX_S("杭州市"), NULL}, 2};
    fx_order f;
    fx_order_init(&f);
    CT_CHECK(!ov4_courier_serves(&s.couriers[0], &f.addr, false)); /* 西湖区 */
    set_addr(&f, "浙江省", "宁波市", "海曙区");
    CT_CHECK(ov4_courier_serves(&s.couriers[0], &f.addr, false));
    fx_shop_done(&s);
}

static void test_ov4_one_part_region_matches_province(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    set_addr(&f, "西藏自治区", "拉萨市", "城关区");
    ov_decision d;
    choose(&f.o, &s, &d);
    CT_EQ_STR(d.courier, "YTO");
    fx_shop_done(&s);
}

static void test_ov4_one_part_region_matches_city_or_district(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    s.couriers[0].unreachable[1] = (cs_region){{FX_S("杭州市"), NULL, NULL}, 1};
    fx_order f;
    fx_order_init(&f);
    CT_CHECK(!ov4_courier_serves(&s.couriers[0], &f.addr, false)); /* city */
    s.couriers[0].unreachable[1] = (cs_region){{FX_S("西湖区"), NULL, NULL}, 1};
    CT_CHECK(!ov4_courier_serves(&s.couriers[0], &f.addr, false)); /* district */
    s.couriers[0].unreachable[1] = (cs_region){{FX_S("滨江区"), NULL, NULL}, 1};
    CT_CHECK(ov4_courier_serves(&s.couriers[0], &f.addr, false));
    fx_shop_done(&s);
}

static void test_ov4_switch_follows_preference_order_skipping_failures(void) {
    /* the order chose YTO, which cannot reach 淳安县 here; SF (first in the
     * shop's order) cannot either; EMS can */
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    s.couriers[1].unreachable[1] = (cs_region){{FX_S("淳安县"), NULL, NULL}, 1};
    s.couriers[1].nunreachable = 2;
    fx_order f;
    fx_order_init(&f);
    f.o.courier = FX_S("YTO");
    set_addr(&f, "浙江省", "杭州市", "淳安县");
    ov_decision d;
    choose(&f.o, &s, &d);
    CT_EQ_STR(d.courier, "EMS");
    CT_EQ_INT(fx_count_annotation(&d, OV_COURIER_SWITCHED), 1);
    fx_shop_done(&s);
}

static void test_ov4_no_courier_reaches_is_unreachable(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    s.couriers[1].unreachable[1] = (cs_region){{FX_S("浙江省"), NULL, NULL}, 1};
    s.couriers[1].nunreachable = 2;
    s.couriers[2].unreachable[0] = (cs_region){{FX_S("浙江省"), FX_S("杭州市"), FX_S("淳安县")}, 3};
    s.couriers[2].nunreachable = 1;
    fx_order f;
    fx_order_init(&f);
    set_addr(&f, "浙江省", "杭州市", "淳安县");
    ov_decision d;
    choose(&f.o, &s, &d);
    CT_EQ_INT(fx_count_code(&d, OV_COURIER_UNREACHABLE), 1);
    CT_CHECK(fx_detail_has(fx_reason(&d, OV_COURIER_UNREACHABLE), "浙江省/杭州市/淳安县"));
    CT_EQ_INT(ov12_state_of(&d), CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION);
    CT_EQ_INT(fx_count_annotation(&d, OV_COURIER_SWITCHED), 0);
    fx_shop_done(&s);
}

static void test_ov4_cod_needs_a_courier_collecting_cash_there(void) {
    /* YTO collects cash only in 浙江省: a COD order to 江苏省 goes to SF */
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.courier = FX_S("YTO");
    f.o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_COD;
    f.o.paid_ms = 0;
    set_addr(&f, "江苏省", "南京市", "玄武区");
    ov_decision d;
    choose(&f.o, &s, &d);
    CT_EQ_STR(d.courier, "SF");
    CT_CHECK(strstr(fx_annotation(&d, OV_COURIER_SWITCHED)->detail, "collect cash"));

    /* the same order not COD keeps YTO */
    f.o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PLATFORM;
    choose(&f.o, &s, &d);
    CT_EQ_STR(d.courier, "YTO");

    /* the cod flag alone counts too */
    f.o.cod = 1;
    choose(&f.o, &s, &d);
    CT_EQ_STR(d.courier, "SF");
    fx_shop_done(&s);
}

static void test_ov4_cod_where_nobody_collects_is_unreachable(void) {
    /* 西藏: SF does not go, YTO goes but collects only in 浙江省, EMS no COD */
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.cod = 1;
    set_addr(&f, "西藏自治区", "拉萨市", "城关区");
    ov_decision d;
    choose(&f.o, &s, &d);
    CT_EQ_INT(fx_count_code(&d, OV_COURIER_UNREACHABLE), 1);
    CT_CHECK(fx_detail_has(fx_reason(&d, OV_COURIER_UNREACHABLE), "collect cash"));
    fx_shop_done(&s);
}

static void test_ov4_region_names_compared_after_normalisation(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    /* spaces (ASCII and ideographic) around the names as typed */
    set_addr(&f, "浙江省 ", "\xE3\x80\x80杭州市", "淳 安 县");
    CT_CHECK(!ov4_courier_serves(&s.couriers[0], &f.addr, false));
    /* full-width, upper-case Latin in the address vs ASCII in the config */
    s.couriers[2].unreachable[0] = (cs_region){{FX_S("Hong Kong"), NULL, NULL}, 1};
    s.couriers[2].nunreachable = 1;
    set_addr(&f, "ＨＯＮＧ ＫＯＮＧ", "九龙", "油尖旺区");
    CT_CHECK(!ov4_courier_serves(&s.couriers[2], &f.addr, false));
    fx_shop_done(&s);
}

static void test_ov4_courier_missing_from_shop_table_is_replaced(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.courier = FX_S("ZTO");
    ov_decision d;
    choose(&f.o, &s, &d);
    CT_EQ_STR(d.courier, "SF");
    CT_CHECK(strstr(fx_annotation(&d, OV_COURIER_SWITCHED)->detail, "ZTO not in the shop's table"));
    fx_shop_done(&s);
}

static void test_ov4_order_without_courier_gets_first_that_serves(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.courier = FX_S("");
    set_addr(&f, "浙江省", "杭州市", "淳安县");
    ov_decision d;
    choose(&f.o, &s, &d);
    CT_EQ_STR(d.courier, "YTO");
    CT_EQ_INT(fx_count_annotation(&d, OV_COURIER_ASSIGNED), 1);
    CT_EQ_INT(fx_count_annotation(&d, OV_COURIER_SWITCHED), 0);
    fx_shop_done(&s);
}

static void test_ov4_shop_without_couriers_keeps_the_order_courier(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    s.ncouriers = 0;
    fx_order f;
    fx_order_init(&f);
    f.o.courier = FX_S("ZTO");
    ov_decision d;
    choose(&f.o, &s, &d);
    CT_EQ_STR(d.courier, "ZTO");
    CT_EQ_INT(d.nreasons + d.nannotations, 0);
    fx_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ov4_courier_that_reaches_is_kept), CT_CASE(test_ov4_courier_reaches_city_not_district),
        CT_CASE(test_ov4_district_block_keeps_courier_for_other_district_of_city),
        CT_CASE(test_ov4_path_of_another_province_does_not_match),
        CT_CASE(test_ov4_two_part_path_blocks_the_whole_city), CT_CASE(test_ov4_one_part_region_matches_province),
        CT_CASE(test_ov4_one_part_region_matches_city_or_district),
        CT_CASE(test_ov4_switch_follows_preference_order_skipping_failures),
        CT_CASE(test_ov4_no_courier_reaches_is_unreachable),
        CT_CASE(test_ov4_cod_needs_a_courier_collecting_cash_there),
        CT_CASE(test_ov4_cod_where_nobody_collects_is_unreachable),
        CT_CASE(test_ov4_region_names_compared_after_normalisation),
        CT_CASE(test_ov4_courier_missing_from_shop_table_is_replaced),
        CT_CASE(test_ov4_order_without_courier_gets_first_that_serves),
        CT_CASE(test_ov4_shop_without_couriers_keeps_the_order_courier))
