/* test_ov12_merge.c -- OV-12: one state by precedence from every reason;
 * order events merged field group by field group, last writer by
 * (modified_ms, event_id) wins, so a late older change never overwrites a
 * newer one; the merged state is heap-owned, frees completely and
 * survives a pack/unpack round trip (it is stored in PostgreSQL). */
#include <stdlib.h>

#include "ov_fixtures.h"

/* ---- precedence ------------------------------------------------------------ */

static Cs__V1__VerdictState state_with(const char *const *codes, int n) {
    ov_decision d;
    ov_decision_init(&d);
    for (int i = 0; i < n; i++) ov_add_reason(&d, "OV-x", codes[i], "test");
    return ov12_state_of(&d);
}

static void test_ov12_no_reason_is_verified(void) {
    CT_EQ_INT(state_with(NULL, 0), CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
}

static void test_ov12_exception_wins_over_everything(void) {
    const char *codes[] = {OV_UNPAID, OV_AWAITING_BUYER_PAYMENT, OV_DUPLICATE_SUSPECTED, OV_OUT_OF_STOCK,
                           OV_BUYER_MESSAGE_REVIEW};
    CT_EQ_INT(state_with(codes, 5), CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION);
}

static void test_ov12_each_exception_code_is_exception(void) {
    const char *codes[] = {OV_AMOUNT_MISMATCH, OV_ADDRESS_INCOMPLETE,   OV_COURIER_UNREACHABLE,
                           OV_OUT_OF_STOCK,    OV_PRESALE_DATE_MISSING, OV_LINE_INVALID};
    for (int i = 0; i < 6; i++) CT_EQ_INT(state_with(&codes[i], 1), CS__V1__VERDICT_STATE__VERDICT_STATE_EXCEPTION);
}

static void test_ov12_hold_over_finance_over_payment(void) {
    const char *hold[] = {OV_PAID_TO_BE_VERIFIED, OV_UNPAID, OV_DUPLICATE_SUSPECTED};
    CT_EQ_INT(state_with(hold, 3), CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD);
    const char *shop_hold[] = {OV_SHOP_HOLD};
    CT_EQ_INT(state_with(shop_hold, 1), CS__V1__VERDICT_STATE__VERDICT_STATE_ON_HOLD);
    const char *fin[] = {OV_UNPAID, OV_AWAITING_BUYER_PAYMENT};
    CT_EQ_INT(state_with(fin, 2), CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_FINANCE_CHECK);
    const char *pay[] = {OV_UNPAID};
    CT_EQ_INT(state_with(pay, 1), CS__V1__VERDICT_STATE__VERDICT_STATE_PENDING_PAYMENT);
}

/* ---- merge ------------------------------------------------------------------ */

typedef struct fx_event {
    Cs__V1__OrderEvent ev;
    fx_order f;
} fx_event;

/* An event of `kind` carrying the fixture order modified at t. */
static void ev_init(fx_event *e, Cs__V1__OrderEventKind kind, int64_t t) {
    cs__v1__order_event__init(&e->ev);
    fx_order_init(&e->f);
    e->f.o.modified_ms = t;
    e->ev.kind = kind;
    e->ev.order = &e->f.o;
}

static int apply(Cs__V1__OrderState *st, fx_event *e, const char *id) {
    char err[128] = "";
    int rc = ov12_apply_event(st, &e->ev, id, 1, err, sizeof err);
    if (rc < 0) fprintf(stderr, "  apply %s: %s\n", id, err);
    return rc;
}

#define T0 FX_CREATED_MS

static void test_ov12_created_sets_every_group(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event e;
    ev_init(&e, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, T0);
    e.f.o.buyer_message = FX_S("留言");
    CT_EQ_INT(apply(st, &e, "e1"), 1);
    CT_CHECK(st->created);
    CT_EQ_INT(st->version, 1);
    CT_EQ_INT(st->n_versions, 6);
    const Cs__V1__Order *o = st->order;
    CT_EQ_STR(o->order_id, "O1");
    CT_EQ_STR(o->buyer_id, "buyer-1");
    CT_EQ_INT(o->n_lines, 1);
    CT_EQ_STR(o->lines[0]->sku, "SKU-A");
    CT_CHECK(o->lines[0] != &e.f.line[0]); /* copied, not shared */
    CT_EQ_INT(o->n_discounts, 1);
    CT_EQ_INT(o->shipping_fee_fen, 1000);
    CT_EQ_INT(o->paid_amount_fen, 4480);
    CT_EQ_INT(o->paid_ms, T0 + 5 * FX_MIN);
    CT_EQ_STR(o->receiver->address->district, "西湖区");
    CT_EQ_STR(o->buyer_message, "留言");
    CT_EQ_STR(o->courier, "SF");
    CT_EQ_INT(o->modified_ms, T0);
    cs_order_state_free(st);
}

static void test_ov12_replay_of_the_same_event_changes_nothing(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event e;
    ev_init(&e, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, T0);
    CT_EQ_INT(apply(st, &e, "e1"), 1);
    CT_EQ_INT(apply(st, &e, "e1"), 0);
    CT_EQ_INT(st->version, 1);
    cs_order_state_free(st);
}

static void test_ov12_older_change_after_newer_is_ignored(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event c, newer, older;
    ev_init(&c, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, T0);
    CT_EQ_INT(apply(st, &c, "e1"), 1);
    ev_init(&newer, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, T0 + 3 * FX_MIN);
    newer.f.addr.street = FX_S("文一路200号");
    CT_EQ_INT(apply(st, &newer, "e3"), 1);
    ev_init(&older, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, T0 + 2 * FX_MIN);
    older.f.addr.street = FX_S("教工路1号");
    CT_EQ_INT(apply(st, &older, "e2"), 0);
    CT_EQ_STR(st->order->receiver->address->street, "文一路200号");
    CT_EQ_INT(st->version, 2);
    cs_order_state_free(st);
}

static void test_ov12_later_arriving_older_created_keeps_newer_address_and_fills_rest(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event addr, created;
    ev_init(&addr, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, T0 + FX_HOUR);
    addr.f.addr.street = FX_S("新地址9号");
    CT_EQ_INT(apply(st, &addr, "e2"), 1);
    CT_CHECK(!st->created);
    CT_EQ_INT(st->order->n_lines, 0);

    ev_init(&created, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, T0);
    CT_EQ_INT(apply(st, &created, "e1"), 1);
    CT_CHECK(st->created);
    CT_EQ_STR(st->order->receiver->address->street, "新地址9号"); /* not undone */
    CT_EQ_INT(st->order->n_lines, 1);                             /* filled */
    CT_EQ_STR(st->order->buyer_id, "buyer-1");
    CT_EQ_INT(st->order->created_ms, T0);
    CT_EQ_INT(st->order->modified_ms, T0 + FX_HOUR);
    CT_EQ_INT(st->version, 2);
    cs_order_state_free(st);
}

static void test_ov12_same_time_event_id_breaks_tie_in_any_arrival_order(void) {
    for (int order = 0; order < 2; order++) {
        Cs__V1__OrderState *st = cs_order_state_new();
        fx_event a, b;
        ev_init(&a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED, T0);
        a.f.o.seller_memo = FX_S("memo a");
        ev_init(&b, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED, T0);
        b.f.o.seller_memo = FX_S("memo b");
        if (order == 0) {
            CT_EQ_INT(apply(st, &a, "evt-a"), 1);
            CT_EQ_INT(apply(st, &b, "evt-b"), 1);
        } else {
            CT_EQ_INT(apply(st, &b, "evt-b"), 1);
            CT_EQ_INT(apply(st, &a, "evt-a"), 0);
        }
        CT_EQ_STR(st->order->seller_memo, "memo b");
        cs_order_state_free(st);
    }
}

static void test_ov12_payment_before_created_is_kept(void) {
    cs_shop s;
    fx_shop_init(&s, "Asia/Shanghai");
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event paid, created;
    ev_init(&paid, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID, T0 + 5 * FX_MIN);
    CT_EQ_INT(apply(st, &paid, "pay-1"), 1);
    CT_CHECK(!st->created);
    CT_EQ_STR(st->order->order_id, "O1");
    ov_decision d;
    CT_EQ_INT(ov_verify(st, &(ov_state){0}, &s, T0, &d), -1); /* not created yet */

    ev_init(&created, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, T0);
    created.f.o.paid_ms = 0; /* the creation snapshot predates the payment */
    created.f.o.paid_amount_fen = 0;
    CT_EQ_INT(apply(st, &created, "create-1"), 1);
    CT_CHECK(st->created);
    CT_EQ_INT(st->order->paid_ms, T0 + 5 * FX_MIN);
    CT_EQ_INT(st->order->paid_amount_fen, 4480);
    ov_stock stock[] = {{.sku = "SKU-A", .available = 5, .known = true}};
    ov_state io = {.stock = stock, .nstock = 1};
    CT_EQ_INT(ov_verify(st, &io, &s, T0, &d), 0);
    CT_EQ_INT(d.state, CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED);
    cs_order_state_free(st);
    fx_shop_done(&s);
}

static void test_ov12_paid_event_without_time_is_paid_at_its_version(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event paid;
    ev_init(&paid, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID, T0 + FX_HOUR);
    paid.f.o.paid_ms = 0;
    paid.f.o.payment_method = CS__V1__PAYMENT_METHOD__PAYMENT_METHOD_UNSPECIFIED;
    CT_EQ_INT(apply(st, &paid, "pay-1"), 1);
    CT_EQ_INT(st->order->paid_ms, T0 + FX_HOUR);
    cs_order_state_free(st);
}

static void test_ov12_zero_modified_time_falls_back_to_event_time(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event a, b;
    char err[64];
    ev_init(&a, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED, 0);
    a.f.o.buyer_message = FX_S("first");
    CT_EQ_INT(ov12_apply_event(st, &a.ev, "m1", T0 + 10 * FX_MIN, err, sizeof err), 1);
    ev_init(&b, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED, T0 + 5 * FX_MIN);
    b.f.o.buyer_message = FX_S("older");
    CT_EQ_INT(ov12_apply_event(st, &b.ev, "m2", T0 + 20 * FX_MIN, err, sizeof err), 0);
    CT_EQ_STR(st->order->buyer_message, "first");
    cs_order_state_free(st);
}

static void test_ov12_each_change_sets_only_its_group(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event c, fee, memo, lines;
    ev_init(&c, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, T0);
    CT_EQ_INT(apply(st, &c, "e1"), 1);

    ev_init(&fee, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_FEE_CHANGED, T0 + 1);
    fee.f.o.shipping_fee_fen = 0; /* 免邮 */
    fee.f.addr.street = FX_S("ignored");
    fee.f.o.buyer_message = FX_S("ignored");
    CT_EQ_INT(apply(st, &fee, "e2"), 1);
    CT_EQ_INT(st->order->shipping_fee_fen, 0);
    CT_EQ_STR(st->order->receiver->address->street, "文三路100号");
    CT_EQ_STR(st->order->buyer_message, "");

    ev_init(&memo, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_MEMO_CHANGED, T0 + 2);
    memo.f.o.gift_wrap = 1;
    memo.f.o.delivery_window = FX_S("周末");
    memo.f.o.installation = 1;
    memo.f.o.shipping_fee_fen = 999;
    CT_EQ_INT(apply(st, &memo, "e3"), 1);
    CT_CHECK(st->order->gift_wrap && st->order->installation);
    CT_EQ_STR(st->order->delivery_window, "周末");
    CT_EQ_INT(st->order->shipping_fee_fen, 0);

    ev_init(&lines, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_LINES_CHANGED, T0 + 3);
    fx_add_line(&lines.f, "L2", "SKU-B", 1, 500);
    CT_EQ_INT(apply(st, &lines, "e4"), 1);
    CT_EQ_INT(st->order->n_lines, 2);
    CT_EQ_INT(st->version, 4);
    cs_order_state_free(st);
}

static void test_ov12_lifecycle_facts_recorded_once(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    Cs__V1__OrderEvent ev = CS__V1__ORDER_EVENT__INIT;
    Cs__V1__Shipment ship = CS__V1__SHIPMENT__INIT;
    char err[64];
    ship.courier = FX_S("SF");
    ship.tracking_no = FX_S("SF1234567890");
    ship.shipped_ms = T0 + FX_DAY;
    ev.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED;
    ev.shipment = &ship;
    CT_EQ_INT(ov12_apply_event(st, &ev, "s1", T0 + FX_DAY, err, sizeof err), 1);
    CT_EQ_INT(st->shipped_ms, T0 + FX_DAY);
    CT_EQ_STR(st->shipment->tracking_no, "SF1234567890");
    ship.tracking_no = FX_S("SF999");
    CT_EQ_INT(ov12_apply_event(st, &ev, "s2", T0 + 2 * FX_DAY, err, sizeof err), 0);
    CT_EQ_STR(st->shipment->tracking_no, "SF1234567890");

    Cs__V1__OrderEvent sig = CS__V1__ORDER_EVENT__INIT;
    sig.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SIGNED;
    sig.signed_ms = T0 + 3 * FX_DAY;
    CT_EQ_INT(ov12_apply_event(st, &sig, "g1", T0 + 3 * FX_DAY, err, sizeof err), 1);
    CT_EQ_INT(ov12_apply_event(st, &sig, "g2", T0 + 4 * FX_DAY, err, sizeof err), 0);
    CT_EQ_INT(st->signed_ms, T0 + 3 * FX_DAY);

    Cs__V1__OrderEvent cl = CS__V1__ORDER_EVENT__INIT;
    cl.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CLOSED;
    CT_EQ_INT(ov12_apply_event(st, &cl, "c1", T0 + 10 * FX_DAY, err, sizeof err), 1);
    CT_EQ_INT(st->closed_ms, T0 + 10 * FX_DAY);
    CT_EQ_INT(st->version, 3);
    cs_order_state_free(st);
}

static void test_ov12_whole_cancellation_records_time_and_reason(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    Cs__V1__OrderEvent ev = CS__V1__ORDER_EVENT__INIT;
    Cs__V1__Cancellation c = CS__V1__CANCELLATION__INIT;
    char err[64];
    c.reason = FX_S("买家不想要了");
    ev.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED;
    ev.cancellation = &c;
    CT_EQ_INT(ov12_apply_event(st, &ev, "x1", T0 + FX_HOUR, err, sizeof err), 1);
    CT_EQ_INT(st->cancelled_ms, T0 + FX_HOUR);
    CT_EQ_STR(st->cancel_reason, "买家不想要了");
    CT_EQ_INT(ov12_apply_event(st, &ev, "x2", T0 + 2 * FX_HOUR, err, sizeof err), 0);
    cs_order_state_free(st);
}

static void test_ov12_partial_cancellation_removes_only_those_lines(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event c;
    ev_init(&c, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, T0);
    fx_add_line(&c.f, "L2", "SKU-B", 1, 500);
    fx_add_line(&c.f, "L3", "SKU-C", 1, 500);
    CT_EQ_INT(apply(st, &c, "e1"), 1);

    Cs__V1__OrderEvent ev = CS__V1__ORDER_EVENT__INIT;
    Cs__V1__Cancellation cx = CS__V1__CANCELLATION__INIT;
    char *ids[] = {FX_S("L2")};
    char err[64];
    cx.reason = FX_S("缺货");
    cx.line_ids = ids;
    cx.n_line_ids = 1;
    ev.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CANCELLED;
    ev.cancellation = &cx;
    CT_EQ_INT(ov12_apply_event(st, &ev, "x1", T0 + FX_HOUR, err, sizeof err), 1);
    CT_EQ_INT(st->cancelled_ms, 0); /* the order goes on */
    CT_EQ_INT(st->order->n_lines, 2);
    CT_EQ_STR(st->order->lines[0]->line_id, "L1");
    CT_EQ_STR(st->order->lines[1]->line_id, "L3");
    cs_order_state_free(st);
}

static void test_ov12_unknown_or_incomplete_event_is_refused_untouched(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event e;
    char err[128] = "";
    ev_init(&e, (Cs__V1__OrderEventKind)42, T0);
    CT_EQ_INT(ov12_apply_event(st, &e.ev, "u1", T0, err, sizeof err), -1);
    CT_CHECK(strstr(err, "unknown order event kind 42") != NULL);

    ev_init(&e, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, T0);
    e.f.o.receiver = NULL;
    CT_EQ_INT(ov12_apply_event(st, &e.ev, "u2", T0, err, sizeof err), -1);

    ev_init(&e, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID, T0);
    e.ev.order = NULL;
    CT_EQ_INT(ov12_apply_event(st, &e.ev, "u3", T0, err, sizeof err), -1);

    Cs__V1__OrderEvent sh = CS__V1__ORDER_EVENT__INIT;
    sh.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED;
    CT_EQ_INT(ov12_apply_event(st, &sh, "u4", T0, err, sizeof err), -1);

    CT_EQ_INT(st->version, 0);
    CT_EQ_INT(st->n_versions, 0);
    CT_EQ_STR(st->order->order_id, "");
    cs_order_state_free(st);
}

static void test_ov12_state_owns_its_strings(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event e;
    char street[] = "文三路100号";
    ev_init(&e, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, T0);
    e.f.addr.street = street;
    CT_EQ_INT(apply(st, &e, "e1"), 1);
    street[0] = 'X'; /* the event's buffer is reused by the consumer */
    CT_EQ_STR(st->order->receiver->address->street, "文三路100号");
    cs_order_state_free(st);
    cs_order_state_free(NULL); /* NULL is fine */
}

static void test_ov12_state_survives_pack_unpack(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event c, addr;
    ev_init(&c, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, T0);
    fx_add_line(&c.f, "L2", "SKU-B", 1, 500);
    CT_EQ_INT(apply(st, &c, "e1"), 1);
    ev_init(&addr, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, T0 + FX_HOUR);
    addr.f.addr.street = FX_S("文一路200号");
    CT_EQ_INT(apply(st, &addr, "e3"), 1);
    st->stock_reserved = 1;
    st->last_state = CS__V1__VERDICT_STATE__VERDICT_STATE_VERIFIED;

    size_t n = cs__v1__order_state__get_packed_size(st);
    uint8_t *buf = malloc(n);
    CT_CHECK(buf != NULL);
    if (!buf) return;
    cs__v1__order_state__pack(st, buf);
    Cs__V1__OrderState *back = cs__v1__order_state__unpack(NULL, n, buf);
    free(buf);
    CT_CHECK(back != NULL);
    if (!back) {
        cs_order_state_free(st);
        return;
    }
    CT_CHECK(back->created);
    CT_EQ_INT(back->version, 2);
    CT_EQ_INT(back->n_versions, 6);
    CT_EQ_INT(back->order->n_lines, 2);
    CT_EQ_STR(back->order->lines[1]->sku, "SKU-B");
    CT_EQ_STR(back->order->receiver->address->street, "文一路200号");
    CT_CHECK(back->stock_reserved);

    /* the versions came back too: an older address change is still refused */
    fx_event older, newer;
    ev_init(&older, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, T0 + 30 * FX_MIN);
    older.f.addr.street = FX_S("教工路1号");
    CT_EQ_INT(apply(back, &older, "e2"), 0);
    ev_init(&newer, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, T0 + 2 * FX_HOUR);
    newer.f.addr.street = FX_S("莫干山路5号");
    CT_EQ_INT(apply(back, &newer, "e4"), 1);
    CT_EQ_STR(back->order->receiver->address->street, "莫干山路5号");
    CT_EQ_INT(back->version, 3);
    cs__v1__order_state__free_unpacked(back, NULL);
    cs_order_state_free(st);
}

/* A newer event that restates a group's values (a Shopify orders/updated
 * sends every group, changed or not) is no new version, but moves the
 * group's mark: an older change arriving later stays older. */
static void test_ov12_restated_group_is_no_new_version_but_moves_its_mark(void) {
    Cs__V1__OrderState *st = cs_order_state_new();
    fx_event c, same, older, other;
    ev_init(&c, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, T0);
    CT_EQ_INT(apply(st, &c, "c"), 1);
    ev_init(&same, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, T0 + 20 * FX_MIN);
    CT_EQ_INT(apply(st, &same, "same"), OV12_RESTATED);
    CT_EQ_INT(st->version, 1);
    CT_EQ_INT(st->order->modified_ms, T0); /* the order's version time stays */
    /* an older change (between the two) is stale now */
    ev_init(&older, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, T0 + 10 * FX_MIN);
    older.f.addr.district = FX_S("上城区");
    CT_EQ_INT(apply(st, &older, "older"), 0);
    CT_EQ_STR(st->order->receiver->address->district, "西湖区");
    /* a real change still is a version */
    ev_init(&other, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_ADDRESS_CHANGED, T0 + 30 * FX_MIN);
    other.f.addr.district = FX_S("上城区");
    CT_EQ_INT(apply(st, &other, "other"), 1);
    CT_EQ_INT(st->version, 2);
    CT_EQ_STR(st->order->receiver->address->district, "上城区");
    /* a payment restated at a later time is no new version either */
    fx_event paid;
    ev_init(&paid, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID, T0 + 40 * FX_MIN);
    CT_EQ_INT(apply(st, &paid, "paid-again"), OV12_RESTATED);
    CT_EQ_INT(st->version, 2);
    cs_order_state_free(st);
}

CT_MAIN(CT_CASE(test_ov12_no_reason_is_verified), CT_CASE(test_ov12_exception_wins_over_everything),
        CT_CASE(test_ov12_each_exception_code_is_exception), CT_CASE(test_ov12_hold_over_finance_over_payment),
        CT_CASE(test_ov12_created_sets_every_group), CT_CASE(test_ov12_replay_of_the_same_event_changes_nothing),
        CT_CASE(test_ov12_older_change_after_newer_is_ignored),
        CT_CASE(test_ov12_later_arriving_older_created_keeps_newer_address_and_fills_rest),
        CT_CASE(test_ov12_same_time_event_id_breaks_tie_in_any_arrival_order),
        CT_CASE(test_ov12_payment_before_created_is_kept),
        CT_CASE(test_ov12_paid_event_without_time_is_paid_at_its_version),
        CT_CASE(test_ov12_zero_modified_time_falls_back_to_event_time),
        CT_CASE(test_ov12_each_change_sets_only_its_group), CT_CASE(test_ov12_lifecycle_facts_recorded_once),
        CT_CASE(test_ov12_whole_cancellation_records_time_and_reason),
        CT_CASE(test_ov12_partial_cancellation_removes_only_those_lines),
        CT_CASE(test_ov12_unknown_or_incomplete_event_is_refused_untouched), CT_CASE(test_ov12_state_owns_its_strings),
        CT_CASE(test_ov12_restated_group_is_no_new_version_but_moves_its_mark),
        CT_CASE(test_ov12_state_survives_pack_unpack))
