/* test_ov_verify.c -- the whole verification (OV-1..5, 7..12): exactly one
 * state by OV-12's precedence, every reason recorded, and the OV-8 stock
 * decision taken only for states that will ship. */
#include "ov_fixtures.h"

static ov_stock g_stock[] = {{.sku = "SKU-A", .available = 10, .known = true}};

static void verify(const Cs__V1__OrderState *st, const ov_state *io, const cs_shop *s, ov_decision *d) {
    CT_EQ_INT(ov_verify(st, io, s, FX_CREATED_MS + FX_HOUR, d), 0);
}

static void test_ov_verify_clean_paid_order_is_verified_and_reserves(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    ov_state io = {.stock = g_stock, .nstock = 1};
    ov_decision d;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
    CT_EQ_INT(d.nreasons, 0);
    CT_EQ_INT(d.item_total_fen, 3980);
    CT_EQ_INT(d.payable_fen, 4480);
    CT_EQ_STR(d.courier, "SF");
    CT_CHECK(d.reserve_stock);
    CT_CHECK(!d.release_stock);
    fx_shop_done(&s);
}

static void test_ov_verify_order_not_created_is_refused(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    st.created = 0;
    ov_decision d;
    CT_EQ_INT(ov_verify(&st, NULL, &s, FX_CREATED_MS, &d), -1);
    fx_shop_done(&s);
}

static void test_ov_verify_records_every_reason_exception_wins(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.paid_amount_fen = 4479;         /* OV-2 */
    f.addr.district = FX_S("");         /* OV-3 */
    f.o.buyer_message = FX_S("发顺丰"); /* OV-7 */
    f.line[0].presale = 1;              /* OV-10 */
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    ov_prior_order prior = {.order_id = "O0", .created_ms = FX_CREATED_MS - FX_HOUR};
    ov_stock none[] = {{.sku = "SKU-A", .available = 0, .known = true, .restock_date_ms = 777}};
    ov_state io = {.stock = none, .nstock = 1, .priors = &prior, .npriors = 1};
    ov_decision d;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION);
    CT_EQ_INT(fx_count_code(&d, OV_AMOUNT_MISMATCH), 1);
    CT_EQ_INT(fx_count_code(&d, OV_ADDRESS_INCOMPLETE), 1);
    CT_EQ_INT(fx_count_code(&d, OV_BUYER_MESSAGE_REVIEW), 1);
    CT_EQ_INT(fx_count_code(&d, OV_DUPLICATE_SUSPECTED), 1);
    CT_EQ_INT(fx_count_code(&d, OV_PRESALE_DATE_MISSING), 1);
    CT_EQ_INT(fx_count_code(&d, OV_OUT_OF_STOCK), 1);
    CT_EQ_INT(d.nreasons, 6);
    CT_EQ_INT(d.restock_date_ms, 777);
    CT_CHECK(!d.reserve_stock);
    fx_shop_done(&s);
}

static void test_ov_verify_exception_for_other_reasons_takes_no_stock(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.rcv.phone = FX_S("123");
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    ov_state io = {.stock = g_stock, .nstock = 1};
    ov_decision d;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION);
    CT_CHECK(!d.reserve_stock);
    CT_CHECK(!d.release_stock);

    /* holding stock already, and its lines changed: keeps the old holding */
    ov_stock held[] = {{.sku = "SKU-A", .available = 10, .known = true, .held_by_order = 1}};
    io = (ov_state){.stock = held, .nstock = 1, .stock_reserved = true};
    verify(&st, &io, &s, &d);
    CT_CHECK(!d.reserve_stock);
    CT_CHECK(!d.release_stock);
    fx_shop_done(&s);
}

static void test_ov_verify_units_given_back_before_verifying_are_taken_again(void) {
    /* the state still says "reserved" from the last verdict, but the worker
     * released the units before this verification and says so in io */
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    st.stock_reserved = 1;
    ov_state io = {.stock = g_stock, .nstock = 1, .stock_reserved = false};
    ov_decision d;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
    CT_CHECK(d.reserve_stock);
    CT_CHECK(!d.release_stock);
    fx_shop_done(&s);
}

static void test_ov_verify_on_hold_reserves_stock(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.seller_memo = FX_S("VIP");
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    ov_state io = {.stock = g_stock, .nstock = 1};
    ov_decision d;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD);
    CT_CHECK(d.reserve_stock);
    CT_EQ_INT(d.ntasks, 1);
    fx_shop_done(&s);
}

static void test_ov_verify_shop_hold_is_on_hold(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.on_hold = 1;
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    ov_state io = {.stock = g_stock, .nstock = 1};
    ov_decision d;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD);
    CT_EQ_INT(fx_count_code(&d, OV_SHOP_HOLD), 1);
    fx_shop_done(&s);
}

static void test_ov_verify_finance_check_reserves_only_when_paid(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER;
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    ov_state io = {.stock = g_stock, .nstock = 1};
    ov_decision d;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_FINANCE_CHECK);
    CT_EQ_INT(fx_count_code(&d, OV_PAID_TO_BE_VERIFIED), 1);
    CT_CHECK(d.reserve_stock);

    f.o.paid_ms = 0;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_FINANCE_CHECK);
    CT_EQ_INT(fx_count_code(&d, OV_AWAITING_BUYER_PAYMENT), 1);
    CT_CHECK(!d.reserve_stock);
    fx_shop_done(&s);
}

static void test_ov_verify_unpaid_order_is_pending_payment_without_stock_check(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.paid_ms = 0;
    f.o.paid_amount_fen = 0;
    f.o.buyer_message = FX_S("明天付款");
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    ov_state io = {0}; /* no stock anywhere: still no OUT_OF_STOCK */
    ov_decision d;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_PAYMENT);
    CT_EQ_INT(d.nreasons, 1);
    CT_EQ_INT(fx_count_code(&d, OV_UNPAID), 1);
    CT_CHECK(!d.reserve_stock);
    fx_shop_done(&s);
}

static void test_ov_verify_out_of_stock_is_exception_with_restock_date(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    ov_stock one[] = {{.sku = "SKU-A", .available = 1, .known = true, .restock_date_ms = FX_CREATED_MS + FX_DAY}};
    ov_state io = {.stock = one, .nstock = 1};
    ov_decision d;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION);
    CT_EQ_INT(d.restock_date_ms, FX_CREATED_MS + FX_DAY);
    CT_CHECK(!d.reserve_stock);
    fx_shop_done(&s);
}

static void test_ov_verify_cancelled_order_releases_stock_without_verdict(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    st.cancelled_ms = FX_CREATED_MS + FX_HOUR;
    st.cancel_reason = FX_S("买家取消");
    st.stock_reserved = 1;
    ov_state io = {.stock = g_stock, .nstock = 1};
    ov_decision d;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_UNSPECIFIED);
    CT_CHECK(d.release_stock);
    CT_CHECK(!d.reserve_stock);
    CT_EQ_INT(fx_count_code(&d, OV_ORDER_CANCELLED), 1);
    CT_CHECK(fx_detail_has(fx_reason(&d, OV_ORDER_CANCELLED), "买家取消"));

    st.stock_reserved = 0; /* holding nothing: nothing to give back */
    verify(&st, &io, &s, &d);
    CT_CHECK(!d.release_stock);

    st.stock_reserved = 1; /* shipped then closed: the units left with it */
    st.cancelled_ms = 0;
    st.shipped_ms = FX_CREATED_MS + FX_DAY;
    st.closed_ms = FX_CREATED_MS + 5 * FX_DAY;
    verify(&st, &io, &s, &d);
    CT_CHECK(!d.release_stock);
    CT_EQ_INT(fx_count_code(&d, OV_ORDER_CLOSED), 1);
    fx_shop_done(&s);
}

static void test_ov_verify_bad_lines_skip_amount_and_stock(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.line[0].quantity = 0;
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    ov_state io = {0};
    ov_decision d;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION);
    CT_EQ_INT(fx_count_code(&d, OV_LINE_INVALID), 1);
    CT_EQ_INT(fx_count_code(&d, OV_AMOUNT_MISMATCH), 0);
    CT_EQ_INT(fx_count_code(&d, OV_OUT_OF_STOCK), 0);
    fx_shop_done(&s);
}

static void test_ov_verify_courier_switch_is_annotation_not_state(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.addr.district = FX_S("淳安县");
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    ov_state io = {.stock = g_stock, .nstock = 1};
    ov_decision d;
    verify(&st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
    CT_EQ_STR(d.courier, "YTO");
    CT_EQ_INT(fx_count_annotation(&d, OV_COURIER_SWITCHED), 1);
    fx_shop_done(&s);
}

static void test_ov_verify_record_verdict_tracks_hold_and_stock(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    fx_order f;
    fx_order_init(&f);
    f.o.buyer_message = FX_S("请核对颜色");
    Cs__V1__OrderState st;
    fx_state_init(&st, &f);
    st.version = 2;
    ov_state io = {.stock = g_stock, .nstock = 1};
    ov_decision d;
    int64_t t1 = FX_CREATED_MS + FX_HOUR, t2 = t1 + FX_DAY;
    verify(&st, &io, &s, &d);
    ov_record_verdict(&st, &d, t1);
    CT_EQ_INT(st.last_state, CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD);
    CT_EQ_INT(st.verified_version, 2);
    CT_EQ_INT(st.held_ms, t1);
    CT_CHECK(st.stock_reserved);
    /* re-verified while still on hold: the hold keeps its first day */
    io.stock_reserved = true;
    verify(&st, &io, &s, &d);
    CT_CHECK(!d.reserve_stock);
    ov_record_verdict(&st, &d, t2);
    CT_EQ_INT(st.held_ms, t1);
    CT_CHECK(st.stock_reserved);
    /* the agent cleared the message: verified, hold over */
    f.o.buyer_message = FX_S("");
    verify(&st, &io, &s, &d);
    ov_record_verdict(&st, &d, t2);
    CT_EQ_INT(st.last_state, CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
    CT_EQ_INT(st.held_ms, 0);
    /* cancelled: released, last state kept */
    st.cancelled_ms = t2;
    verify(&st, &io, &s, &d);
    ov_record_verdict(&st, &d, t2);
    CT_CHECK(!st.stock_reserved);
    CT_EQ_INT(st.last_state, CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
    fx_shop_done(&s);
}

static void test_ov_verify_end_to_end_from_events_in_any_order(void) {
    /* PAID arrives before CREATED; then an older address change arrives
     * late: the verdict is the same as in platform order */
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    Cs__V1__OrderState *st = cs_order_state_new();
    char err[64];
    fx_order paid, created, addr_old;
    Cs__V1__OrderEvent ev = CS__V1__ORDER_EVENT__INIT;

    fx_order_init(&paid);
    paid.o.modified_ms = FX_CREATED_MS + 5 * FX_MIN;
    ev.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID;
    ev.order = &paid.o;
    CT_EQ_INT(ov12_apply_event(st, &ev, "p", 0, err, sizeof err), 1);

    fx_order_init(&created);
    created.o.modified_ms = FX_CREATED_MS;
    created.o.paid_ms = 0;
    created.o.paid_amount_fen = 0;
    created.addr.district = FX_S("淳安县");
    ev.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED;
    ev.order = &created.o;
    CT_EQ_INT(ov12_apply_event(st, &ev, "c", 0, err, sizeof err), 1);

    fx_order_init(&addr_old);
    addr_old.o.modified_ms = FX_CREATED_MS - 1; /* older than the creation snapshot */
    addr_old.addr.district = FX_S("");
    ev.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED;
    ev.order = &addr_old.o;
    CT_EQ_INT(ov12_apply_event(st, &ev, "a", 0, err, sizeof err), 0);

    ov_state io = {.stock = g_stock, .nstock = 1};
    ov_decision d;
    verify(st, &io, &s, &d);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
    CT_EQ_STR(d.courier, "YTO"); /* 淳安县 kept, so SF was switched */
    CT_CHECK(d.reserve_stock);
    ov_record_verdict(st, &d, FX_CREATED_MS + FX_HOUR);
    CT_EQ_INT(st->verified_version, 2);
    cs_order_state_free(st);
    fx_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ov_verify_clean_paid_order_is_verified_and_reserves),
        CT_CASE(test_ov_verify_order_not_created_is_refused),
        CT_CASE(test_ov_verify_records_every_reason_exception_wins),
        CT_CASE(test_ov_verify_exception_for_other_reasons_takes_no_stock),
        CT_CASE(test_ov_verify_units_given_back_before_verifying_are_taken_again),
        CT_CASE(test_ov_verify_on_hold_reserves_stock), CT_CASE(test_ov_verify_shop_hold_is_on_hold),
        CT_CASE(test_ov_verify_finance_check_reserves_only_when_paid),
        CT_CASE(test_ov_verify_unpaid_order_is_pending_payment_without_stock_check),
        CT_CASE(test_ov_verify_out_of_stock_is_exception_with_restock_date),
        CT_CASE(test_ov_verify_cancelled_order_releases_stock_without_verdict),
        CT_CASE(test_ov_verify_bad_lines_skip_amount_and_stock),
        CT_CASE(test_ov_verify_courier_switch_is_annotation_not_state),
        CT_CASE(test_ov_verify_record_verdict_tracks_hold_and_stock),
        CT_CASE(test_ov_verify_end_to_end_from_events_in_any_order))
