/* test_ov09_duplicate.c -- OV-9: same buyer, same address after NFKC
 * normalisation, same SKUs and quantities, placed less than 24 h after the
 * first = DUPLICATE_SUSPECTED (ON_HOLD). The window is half-open. */
#include "ov_fixtures.h"

static void fp(const char *shop, const fx_order *f, char out[OV_FP_LEN]) {
    CT_CHECK(ov9_fingerprint(shop, &f->o, out));
    CT_EQ_INT(strlen(out), 64);
}

static void test_ov9_same_order_details_same_fingerprint(void) {
    fx_order a, b;
    fx_order_init(&a);
    fx_order_init(&b);
    b.o.order_id = FX_S("O2");          /* other id, time, payment, receiver name: */
    b.o.created_ms += 3 * FX_HOUR;      /* none of these is in the fingerprint */
    b.o.paid_amount_fen = 1;
    b.rcv.name = FX_S("李四");
    char x[OV_FP_LEN], y[OV_FP_LEN];
    fp("shop-1", &a, x);
    fp("shop-1", &b, y);
    CT_EQ_STR(x, y);
}

/* The fingerprint's bytes are a stored format: orders.fingerprint of
 * orders verified by an older build must still match new ones. SHA-256 of
 * "cs.ov9.v1;6:shop-1;7:buyer-1;<n>:<address>;5:SKU-A;1:2;" (n = the
 * normalised address's length in bytes), computed outside the project. */
static void test_ov9_fingerprint_bytes_are_stable(void) {
    fx_order a;
    fx_order_init(&a);
    char x[OV_FP_LEN];
    fp("shop-1", &a, x);
    CT_EQ_STR(x, "222a8474ae8bbcd1d4cc969d2a939ce2ccbc47d2331be18eff057691605cb929");
}

static void test_ov9_fullwidth_digits_in_address_match(void) {
    fx_order a, b;
    fx_order_init(&a);
    fx_order_init(&b);
    a.addr.street = FX_S("文三路100号A座3单元");
    b.addr.street = FX_S("文三路１００号ａ座３单元"); /* full-width digits, letter */
    char x[OV_FP_LEN], y[OV_FP_LEN];
    fp("shop-1", &a, x);
    fp("shop-1", &b, y);
    CT_EQ_STR(x, y);
}

static void test_ov9_whitespace_punctuation_and_case_ignored(void) {
    fx_order a, b;
    fx_order_init(&a);
    fx_order_init(&b);
    a.addr.street = FX_S("文三路100号, Building-B");
    b.addr.street = FX_S(" 文三路 100 号\xE3\x80\x80（building b）。");
    char x[OV_FP_LEN], y[OV_FP_LEN];
    fp("shop-1", &a, x);
    fp("shop-1", &b, y);
    CT_EQ_STR(x, y);
}

static void test_ov9_one_character_difference_is_another_address(void) {
    /* the handbook's 一字之差: 100号 vs 10号 must not collapse */
    fx_order a, b;
    fx_order_init(&a);
    fx_order_init(&b);
    b.addr.street = FX_S("文三路10号");
    char x[OV_FP_LEN], y[OV_FP_LEN];
    fp("shop-1", &a, x);
    fp("shop-1", &b, y);
    CT_CHECK(strcmp(x, y) != 0);
}

static void test_ov9_line_order_and_split_lines_do_not_matter(void) {
    fx_order a, b;
    fx_order_init(&a); /* 2 x SKU-A */
    fx_add_line(&a, "L2", "SKU-B", 1, 500);
    fx_order_init(&b);
    b.line[0].sku = FX_S("SKU-B");
    b.line[0].quantity = 1;
    fx_add_line(&b, "L2", "SKU-A", 1, 1990);
    fx_add_line(&b, "L3", "SKU-A", 1, 1990);
    char x[OV_FP_LEN], y[OV_FP_LEN];
    fp("shop-1", &a, x);
    fp("shop-1", &b, y);
    CT_EQ_STR(x, y);
}

static void test_ov9_other_quantity_buyer_or_shop_differs(void) {
    fx_order a, b;
    char x[OV_FP_LEN], y[OV_FP_LEN];
    fx_order_init(&a);
    fp("shop-1", &a, x);

    fx_order_init(&b);
    b.line[0].quantity = 3;
    fp("shop-1", &b, y);
    CT_CHECK(strcmp(x, y) != 0);

    fx_order_init(&b);
    b.o.buyer_id = FX_S("buyer-2");
    fp("shop-1", &b, y);
    CT_CHECK(strcmp(x, y) != 0);

    fx_order_init(&b);
    fp("shop-2", &b, y);
    CT_CHECK(strcmp(x, y) != 0);
}

static void test_ov9_text_cannot_shift_between_fields(void) {
    fx_order a, b;
    fx_order_init(&a);
    fx_order_init(&b);
    a.o.buyer_id = FX_S("ab");
    a.line[0].sku = FX_S("c");
    b.o.buyer_id = FX_S("a");
    b.line[0].sku = FX_S("bc");
    char x[OV_FP_LEN], y[OV_FP_LEN];
    fp("shop-1", &a, x);
    fp("shop-1", &b, y);
    CT_CHECK(strcmp(x, y) != 0);
}

static void test_ov9_invalid_utf8_address_has_no_fingerprint(void) {
    fx_order a;
    fx_order_init(&a);
    a.addr.street = FX_S("\xff\xfe");
    char x[OV_FP_LEN];
    CT_CHECK(!ov9_fingerprint("shop-1", &a.o, x));
    fx_order_init(&a);
    a.o.buyer_id = FX_S("");
    CT_CHECK(!ov9_fingerprint("shop-1", &a.o, x));
}

static void check_dup_held(int64_t prior_ms, const char *prior_id, int64_t created_ms, const char *id,
                           bool cancelled, bool prior_held, int expect) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.order_id = FX_S(id);
    f.o.created_ms = created_ms;
    ov_prior_order prior = {.order_id = prior_id, .created_ms = prior_ms, .cancelled = cancelled, .held = prior_held};
    ov_state st = {.priors = &prior, .npriors = 1};
    ov_decision d;
    ov_decision_init(&d);
    ov9_check_duplicate(&f.o, &st, &s, &d);
    CT_EQ_INT(fx_count_code(&d, OV_DUPLICATE_SUSPECTED), expect);
    if (expect) {
        CT_EQ_INT(ov12_state_of(&d), CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD);
        CT_EQ_INT(d.ntasks, 1);
        CT_EQ_INT(d.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_REVIEW);
        CT_CHECK(fx_detail_has(fx_reason(&d, OV_DUPLICATE_SUSPECTED), prior_id));
    }
    fx_shop_done(&s);
}

static void check_dup(int64_t prior_ms, const char *prior_id, int64_t created_ms, const char *id,
                      bool cancelled, int expect) {
    check_dup_held(prior_ms, prior_id, created_ms, id, cancelled, false, expect);
}

static void test_ov9_23h59m_is_duplicate(void) {
    check_dup(FX_CREATED_MS, "O0", FX_CREATED_MS + 23 * FX_HOUR + 59 * FX_MIN, "O1", false, 1);
}

static void test_ov9_one_ms_under_24h_is_duplicate(void) {
    check_dup(FX_CREATED_MS, "O0", FX_CREATED_MS + FX_DAY - 1, "O1", false, 1);
}

static void test_ov9_exactly_24h_apart_is_not_duplicate(void) {
    check_dup(FX_CREATED_MS, "O0", FX_CREATED_MS + FX_DAY, "O1", false, 0);
}

static void test_ov9_exactly_24h_apart_either_way_is_not_duplicate(void) {
    check_dup(FX_CREATED_MS + FX_DAY, "O2", FX_CREATED_MS, "O1", false, 0);
    check_dup(FX_CREATED_MS + FX_DAY - 1, "O2", FX_CREATED_MS, "O1", false, 1);
}

static void test_ov9_earlier_placed_order_verified_second_is_held(void) {
    /* the twin was placed an hour later but verified first (its partition
     * was ahead): this one, verified second, is the one held */
    check_dup(FX_CREATED_MS + FX_HOUR, "O2", FX_CREATED_MS, "O1", false, 1);
}

static void test_ov9_twin_already_held_leaves_this_one_verified(void) {
    /* re-verifying the order that shipped-to-be (payment, address change):
     * its twin is the held one, so it stays verified; exactly one is held */
    check_dup_held(FX_CREATED_MS, "O0", FX_CREATED_MS + FX_HOUR, "O1", false, true, 0);
    check_dup_held(FX_CREATED_MS + FX_HOUR, "O2", FX_CREATED_MS, "O1", false, true, 0);
}

static void test_ov9_same_millisecond_twin_held_by_verification_order(void) {
    check_dup_held(FX_CREATED_MS, "O1", FX_CREATED_MS, "O2", false, false, 1); /* verified second */
    check_dup_held(FX_CREATED_MS, "O2", FX_CREATED_MS, "O1", false, true, 0);  /* its twin is held */
}

static void test_ov9_reason_names_the_earliest_unheld_twin(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.order_id = FX_S("O5");
    f.o.created_ms = FX_CREATED_MS;
    ov_prior_order priors[] = {
        {.order_id = "O3", .created_ms = FX_CREATED_MS - 3 * FX_HOUR, .held = true},
        {.order_id = "O4", .created_ms = FX_CREATED_MS - 2 * FX_HOUR},
        {.order_id = "O6", .created_ms = FX_CREATED_MS + FX_HOUR},
    };
    ov_state st = {.priors = priors, .npriors = 3};
    ov_decision d;
    ov_decision_init(&d);
    ov9_check_duplicate(&f.o, &st, &s, &d);
    CT_EQ_INT(fx_count_code(&d, OV_DUPLICATE_SUSPECTED), 1);
    CT_CHECK(fx_detail_has(fx_reason(&d, OV_DUPLICATE_SUSPECTED), "O4"));
    CT_CHECK(fx_detail_has(fx_reason(&d, OV_DUPLICATE_SUSPECTED), "2 h 0 min earlier"));
    fx_shop_done(&s);
}

static void test_ov9_cancelled_prior_is_not_duplicate(void) {
    check_dup(FX_CREATED_MS, "O0", FX_CREATED_MS + FX_HOUR, "O1", true, 0);
}

static void test_ov9_order_itself_among_priors_is_ignored(void) {
    check_dup(FX_CREATED_MS - FX_HOUR, "O1", FX_CREATED_MS, "O1", false, 0);
}

static void test_ov9_window_is_a_shop_setting(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    s.th.duplicate_window_min = 60;
    fx_order f;
    fx_order_init(&f);
    ov_prior_order prior = {.order_id = "O0", .created_ms = FX_CREATED_MS - 61 * FX_MIN};
    ov_state st = {.priors = &prior, .npriors = 1};
    ov_decision d;
    ov_decision_init(&d);
    ov9_check_duplicate(&f.o, &st, &s, &d);
    CT_EQ_INT(d.nreasons, 0);
    prior.created_ms = FX_CREATED_MS - 59 * FX_MIN;
    ov9_check_duplicate(&f.o, &st, &s, &d);
    CT_EQ_INT(fx_count_code(&d, OV_DUPLICATE_SUSPECTED), 1);
    fx_shop_done(&s);
}

static void test_ov9_extreme_times_do_not_overflow(void) {
    check_dup(INT64_MIN, "O0", INT64_MAX, "O1", false, 0);
}

CT_MAIN(CT_CASE(test_ov9_same_order_details_same_fingerprint),
        CT_CASE(test_ov9_fingerprint_bytes_are_stable),
        CT_CASE(test_ov9_fullwidth_digits_in_address_match),
        CT_CASE(test_ov9_whitespace_punctuation_and_case_ignored),
        CT_CASE(test_ov9_one_character_difference_is_another_address),
        CT_CASE(test_ov9_line_order_and_split_lines_do_not_matter),
        CT_CASE(test_ov9_other_quantity_buyer_or_shop_differs),
        CT_CASE(test_ov9_text_cannot_shift_between_fields),
        CT_CASE(test_ov9_invalid_utf8_address_has_no_fingerprint),
        CT_CASE(test_ov9_23h59m_is_duplicate),
        CT_CASE(test_ov9_one_ms_under_24h_is_duplicate),
        CT_CASE(test_ov9_exactly_24h_apart_is_not_duplicate),
        CT_CASE(test_ov9_exactly_24h_apart_either_way_is_not_duplicate),
        CT_CASE(test_ov9_earlier_placed_order_verified_second_is_held),
        CT_CASE(test_ov9_twin_already_held_leaves_this_one_verified),
        CT_CASE(test_ov9_same_millisecond_twin_held_by_verification_order),
        CT_CASE(test_ov9_reason_names_the_earliest_unheld_twin),
        CT_CASE(test_ov9_cancelled_prior_is_not_duplicate),
        CT_CASE(test_ov9_order_itself_among_priors_is_ignored),
        CT_CASE(test_ov9_window_is_a_shop_setting),
        CT_CASE(test_ov9_extreme_times_do_not_overflow))
