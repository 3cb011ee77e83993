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
    b.o.order_id = FX_S("O2");     /* other id, time, payment, receiver name: */
    b.o.created_ms += 3 * FX_HOUR; /* none of these is in the fingerprint */
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

static void check_dup_held(int64_t prior_ms, const char *prior_id, int64_t created_ms, const char *id, bool cancelled,
                           bool prior_held, int expect) {
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

static void check_dup(int64_t prior_ms, const char *prior_id, int64_t created_ms, const char *id, bool cancelled,
                      int expect) {
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

static void test_ov9_extreme_times_do_not_overflow(void) { check_dup(INT64_MIN, "O0", INT64_MAX, "O1", false, 0); }

/* ---- chains of repeat orders (issue 13) ----------------------------------
 * One buyer's orders with one fingerprint, verified one after the other as
 * the worker does (verifier.c): it keeps, per order, its placing time,
 * whether it is cancelled and whether its last verification held it; every
 * other order is a prior, verified before the one checked unless that one
 * is already recorded unheld. */

#define CHAIN_MAX 16

typedef struct chain_rec {
    const char *id;
    int64_t created_ms;
    bool cancelled, held;
} chain_rec;

typedef struct chain {
    chain_rec rec[CHAIN_MAX];
    size_t n;
    char reason[OV_DETAIL_LEN];   /* of the last verification that held */
    char summary[OV_SUMMARY_LEN]; /* its task's summary */
} chain;

/* Verifies (or re-verifies) order id placed at created_ms; true if held. */
static bool chain_verify(chain *c, const char *id, int64_t created_ms) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.order_id = FX_S(id);
    f.o.created_ms = created_ms;
    ov_prior_order priors[CHAIN_MAX];
    size_t np = 0;
    chain_rec *self = NULL;
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->rec[i].id, id) == 0)
            self = &c->rec[i];
        else
            priors[np++] =
                (ov_prior_order){c->rec[i].id, c->rec[i].created_ms, c->rec[i].cancelled, c->rec[i].held, false};
    }
    bool first = self && !self->held && !self->cancelled;
    for (size_t i = 0; i < np; i++) priors[i].verified_before = !first;
    ov_state st = {.priors = priors, .npriors = np};
    ov_decision d;
    ov_decision_init(&d);
    ov9_check_duplicate(&f.o, &st, &s, &d);
    bool held = fx_count_code(&d, OV_DUPLICATE_SUSPECTED) == 1;
    c->reason[0] = c->summary[0] = '\0';
    if (held) {
        CT_EQ_INT(ov12_state_of(&d), CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD);
        CT_EQ_INT(d.ntasks, 1);
        CT_EQ_INT(d.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_REVIEW);
        snprintf(c->reason, sizeof c->reason, "%s", fx_reason(&d, OV_DUPLICATE_SUSPECTED)->detail);
        snprintf(c->summary, sizeof c->summary, "%s", d.tasks[0].summary);
    } else {
        CT_EQ_INT(d.nreasons, 0);
        CT_EQ_INT(d.ntasks, 0);
    }
    if (!self) {
        CT_CHECK(c->n < CHAIN_MAX);
        self = &c->rec[c->n++];
        *self = (chain_rec){.id = id};
    }
    self->created_ms = created_ms;
    self->held = held;
    fx_shop_done(&s);
    return held;
}

/* A cancellation as the worker records it: cancelled, no longer held. */
static void chain_cancel(chain *c, const char *id) {
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->rec[i].id, id) == 0) c->rec[i].cancelled = true, c->rec[i].held = false;
}

static bool chain_held(const chain *c, const char *id) {
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->rec[i].id, id) == 0) return c->rec[i].held;
    return false;
}

static void test_ov9_chain_each_link_under_24h_holds_b_and_c(void) {
    chain c = {0};
    int64_t a = FX_CREATED_MS, b = a + 10 * FX_HOUR, cc = b + 10 * FX_HOUR;
    CT_CHECK(!chain_verify(&c, "OA", a));
    CT_CHECK(chain_verify(&c, "OB", b));
    CT_CHECK(strstr(c.summary, "order OB may duplicate OA: confirm") != NULL);
    /* C is within 24 h of both A (verified) and B (held): held, naming both */
    CT_CHECK(chain_verify(&c, "OC", cc));
    CT_CHECK(strstr(c.reason, "as order OA placed 20 h 0 min earlier (and 1 more") != NULL);
    CT_CHECK(strstr(c.summary, "order OC may duplicate OA, OB: confirm with the buyer before shipping") != NULL);
}

/* The reproduction: A to C more than 24 h, C less than 24 h after B. */
static void test_ov9_chain_c_under_24h_after_held_b_is_held(void) {
    chain c = {0};
    int64_t a = FX_CREATED_MS, b = a + 23 * FX_HOUR + 59 * FX_MIN, cc = b + FX_DAY - 1000;
    CT_CHECK(!chain_verify(&c, "OA", a));
    CT_CHECK(chain_verify(&c, "OB", b));
    CT_CHECK(chain_verify(&c, "OC", cc));
    CT_CHECK(strstr(c.reason, "as order OB placed 23 h 59 min earlier") != NULL);
    CT_CHECK(strstr(c.reason, "more") == NULL);
    CT_CHECK(strstr(c.summary, "order OC may duplicate OB: confirm") != NULL); /* A is 47 h 59 min earlier: not named */
}

static void test_ov9_chain_b_cancelled_c_compared_with_a_only(void) {
    /* C within 24 h of A: held, naming A alone */
    chain c = {0};
    int64_t a = FX_CREATED_MS;
    CT_CHECK(!chain_verify(&c, "OA", a));
    CT_CHECK(chain_verify(&c, "OB", a + FX_HOUR));
    chain_cancel(&c, "OB");
    CT_CHECK(chain_verify(&c, "OC", a + 2 * FX_HOUR));
    CT_CHECK(strstr(c.summary, "order OC may duplicate OA: confirm") != NULL);
    CT_CHECK(strstr(c.reason, "OB") == NULL);

    /* C less than 24 h after B, 24 h or more after A: verified */
    chain d = {0};
    CT_CHECK(!chain_verify(&d, "OA", a));
    CT_CHECK(chain_verify(&d, "OB", a + 23 * FX_HOUR));
    chain_cancel(&d, "OB");
    CT_CHECK(!chain_verify(&d, "OC", a + FX_DAY));
}

static void test_ov9_chain_reverified_links_keep_their_outcome(void) {
    /* payment, address or memo changes re-verify each order: the first
     * stays verified, the links stay held */
    chain c = {0};
    int64_t a = FX_CREATED_MS, b = a + 23 * FX_HOUR + 59 * FX_MIN, cc = b + FX_DAY - 1000;
    CT_CHECK(!chain_verify(&c, "OA", a));
    CT_CHECK(chain_verify(&c, "OB", b));
    CT_CHECK(chain_verify(&c, "OC", cc));
    for (int round = 0; round < 2; round++) {
        CT_CHECK(chain_verify(&c, "OC", cc));
        CT_CHECK(!chain_verify(&c, "OA", a));
        CT_CHECK(chain_verify(&c, "OB", b));
    }
}

static void test_ov9_chain_in_any_arrival_order_never_ships_two_within_24h(void) {
    /* later-placed orders reach the verifier first (their partitions were
     * ahead): whatever the order, no two orders less than 24 h apart both
     * ship, and the first one verified ships */
    static const char *const ids[] = {"OA", "OB", "OC", "OD"};
    int64_t at[4];
    for (int i = 0; i < 4; i++) at[i] = FX_CREATED_MS + i * (FX_DAY - FX_MIN);
    static const int orders[][4] = {{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}, {1, 3, 0, 2}, {0, 3, 1, 2}};
    for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        chain c = {0};
        for (int j = 0; j < 4; j++) chain_verify(&c, ids[orders[k][j]], at[orders[k][j]]);
        for (int j = 0; j < 4; j++) chain_verify(&c, ids[orders[k][j]], at[orders[k][j]]); /* and again */
        CT_CHECK(!chain_held(&c, ids[orders[k][0]]));
        for (int i = 0; i < 4; i++)
            for (int j = i + 1; j < 4; j++)
                if (at[j] - at[i] < FX_DAY) CT_CHECK(chain_held(&c, ids[i]) || chain_held(&c, ids[j]));
    }
}

static void test_ov9_chain_of_four_parcels_task_names_every_earlier_order(void) {
    /* the handbook's parcel sent four times, 6 h apart */
    chain c = {0};
    CT_CHECK(!chain_verify(&c, "OA", FX_CREATED_MS));
    CT_CHECK(chain_verify(&c, "OB", FX_CREATED_MS + 6 * FX_HOUR));
    CT_CHECK(chain_verify(&c, "OC", FX_CREATED_MS + 12 * FX_HOUR));
    CT_CHECK(chain_verify(&c, "OD", FX_CREATED_MS + 18 * FX_HOUR));
    CT_CHECK(strstr(c.summary, "order OD may duplicate OA, OB, OC: confirm") != NULL);
    CT_CHECK(strstr(c.reason, "as order OA placed 18 h 0 min earlier (and 2 more") != NULL);
}

static void test_ov9_task_counts_the_twins_its_summary_cannot_name(void) {
    enum { N = 12 };
    char ids[N][48];
    chain c = {0};
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "TB%02d-2024060112345678901234567890123", i);
        chain_verify(&c, ids[i], FX_CREATED_MS + i * FX_MIN);
    }
    CT_CHECK(chain_verify(&c, "ONEW", FX_CREATED_MS + FX_HOUR));
    CT_CHECK(strlen(c.summary) < OV_SUMMARY_LEN - 1);
    CT_CHECK(strstr(c.summary, "order ONEW may duplicate TB00-") == c.summary);
    CT_CHECK(strstr(c.summary, " more: confirm with the buyer before shipping") != NULL);
    int named = 0, more = 0;
    for (int i = 0; i < N; i++) named += strstr(c.summary, ids[i]) != NULL;
    const char *m = strstr(c.summary, " and ");
    CT_CHECK(m && sscanf(m, " and %d more", &more) == 1);
    CT_CHECK(named >= 3);
    CT_EQ_INT(named + more, N);
}

CT_MAIN(CT_CASE(test_ov9_same_order_details_same_fingerprint), CT_CASE(test_ov9_fingerprint_bytes_are_stable),
        CT_CASE(test_ov9_fullwidth_digits_in_address_match), CT_CASE(test_ov9_whitespace_punctuation_and_case_ignored),
        CT_CASE(test_ov9_one_character_difference_is_another_address),
        CT_CASE(test_ov9_line_order_and_split_lines_do_not_matter),
        CT_CASE(test_ov9_other_quantity_buyer_or_shop_differs), CT_CASE(test_ov9_text_cannot_shift_between_fields),
        CT_CASE(test_ov9_invalid_utf8_address_has_no_fingerprint), CT_CASE(test_ov9_23h59m_is_duplicate),
        CT_CASE(test_ov9_one_ms_under_24h_is_duplicate), CT_CASE(test_ov9_exactly_24h_apart_is_not_duplicate),
        CT_CASE(test_ov9_exactly_24h_apart_either_way_is_not_duplicate),
        CT_CASE(test_ov9_earlier_placed_order_verified_second_is_held),
        CT_CASE(test_ov9_twin_already_held_leaves_this_one_verified),
        CT_CASE(test_ov9_same_millisecond_twin_held_by_verification_order),
        CT_CASE(test_ov9_reason_names_the_earliest_unheld_twin), CT_CASE(test_ov9_cancelled_prior_is_not_duplicate),
        CT_CASE(test_ov9_order_itself_among_priors_is_ignored), CT_CASE(test_ov9_window_is_a_shop_setting),
        CT_CASE(test_ov9_extreme_times_do_not_overflow), CT_CASE(test_ov9_chain_each_link_under_24h_holds_b_and_c),
        CT_CASE(test_ov9_chain_c_under_24h_after_held_b_is_held),
        CT_CASE(test_ov9_chain_b_cancelled_c_compared_with_a_only),
        CT_CASE(test_ov9_chain_reverified_links_keep_their_outcome),
        CT_CASE(test_ov9_chain_in_any_arrival_order_never_ships_two_within_24h),
        CT_CASE(test_ov9_chain_of_four_parcels_task_names_every_earlier_order),
        CT_CASE(test_ov9_task_counts_the_twins_its_summary_cannot_name))
