/* test_ex08_cancellation.c -- EX-8: a cancelled order or line is
 * registered with its reason, its units listed for return to stock, and a
 * refund asked of finance when something was paid. */
#include "ex_fixtures.h"

typedef struct fx_state {
    Cs__V1__OrderState st;
    Cs__V1__Order o;
    Cs__V1__OrderLine l[3];
    Cs__V1__OrderLine *lp[3];
} fx_state;

/* O1: L1 2 x SKU-A at 1990, L2 1 x SKU-B at 500, L3 1 x SKU-A at 1000;
 * paid 7480. */
static void fxState(fx_state *f) {
    memset(f, 0, sizeof *f);
    cs__v1__order_state__init(&f->st);
    cs__v1__order__init(&f->o);
    static const char *ids[] = {"L1", "L2", "L3"}, *skus[] = {"SKU-A", "SKU-B", "SKU-A"};
    static const int q[] = {2, 1, 1};
    static const int64_t p[] = {1990, 500, 1000};
    for (int i = 0; i < 3; i++) {
        cs__v1__order_line__init(&f->l[i]);
        f->l[i].line_id = FXE_S(ids[i]);
        f->l[i].sku = FXE_S(skus[i]);
        f->l[i].quantity = q[i];
        f->l[i].unit_price_fen = p[i];
        f->lp[i] = &f->l[i];
    }
    f->o.order_id = FXE_S("O1");
    f->o.lines = f->lp;
    f->o.n_lines = 3;
    f->o.paid_ms = 1000;
    f->o.paid_amount_fen = 7480;
    f->st.order = &f->o;
    f->st.created = 1;
}

static void test_ex8_whole_order_cancel_refunds_paid_and_returns_all_units(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    fx_state f;
    fxState(&f);
    ex_order o;
    cs_order_facts_from_state(&o, &f.st, "O1");
    Cs__V1__Cancellation c;
    cs__v1__cancellation__init(&c);
    c.reason = FXE_S("buyer changed mind");
    ex_exception x = {.exists = true, .open = true, .opened_ms = 1};
    ex_decision d;
    ex_decision_init(&d);
    ex8_cancellation(&c, &f.st, &o, &x, 0, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 1);
    CT_EQ_STR(d.fx.finance[0].kind, "refund");
    CT_EQ_STR(d.fx.finance[0].rule, "EX-8");
    CT_EQ_INT(d.fx.finance[0].amount_fen, 7480);
    CT_CHECK(strstr(d.fx.finance[0].reason, "buyer changed mind") != NULL);
    CT_EQ_INT(d.nstock, 2); /* SKU-A merged over two lines */
    CT_EQ_STR(d.stock[0].sku, "SKU-A");
    CT_EQ_INT(d.stock[0].quantity, 3);
    CT_EQ_STR(d.stock[1].sku, "SKU-B");
    CT_EQ_INT(d.stock[1].quantity, 1);
    CT_CHECK(d.close); /* nothing left to work */
    CT_CHECK(fxe_cancels(&d, EX_TIMER_ESCALATE));
    CT_CHECK(fxe_cancels(&d, EX_TIMER_BREACH));
    char *json = ex8_stock_json(&d); /* the registry row's units given back */
    CT_EQ_STR(json, "[{\"sku\":\"SKU-A\",\"quantity\":3},{\"sku\":\"SKU-B\",\"quantity\":1}]");
    free(json);
    fxe_shop_done(&s);
}

static void test_ex8_line_cancel_refunds_line_value_and_keeps_exception(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    fx_state f;
    fxState(&f);
    ex_order o;
    cs_order_facts_from_state(&o, &f.st, "O1");
    Cs__V1__Cancellation c;
    cs__v1__cancellation__init(&c);
    char *lines[] = {FXE_S("L2")};
    c.line_ids = lines;
    c.n_line_ids = 1;
    c.reason = FXE_S("out of stock");
    ex_exception x = {.exists = true, .open = true, .opened_ms = 1};
    ex_decision d;
    ex_decision_init(&d);
    ex8_cancellation(&c, &f.st, &o, &x, 0, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 1);
    CT_EQ_INT(d.fx.finance[0].amount_fen, 500);
    CT_EQ_INT(d.nstock, 1);
    CT_EQ_STR(d.stock[0].sku, "SKU-B");
    CT_CHECK(!d.close);
    /* the platform's refund amount wins */
    c.refund_fen = 450;
    ex_decision_init(&d);
    ex8_cancellation(&c, &f.st, &o, &x, 0, &s, &d);
    CT_EQ_INT(d.fx.finance[0].amount_fen, 450);
    fxe_shop_done(&s);
}

static void test_ex8_unpaid_order_is_registered_without_refund(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    fx_state f;
    fxState(&f);
    f.o.paid_ms = 0;
    f.o.paid_amount_fen = 0;
    ex_order o;
    cs_order_facts_from_state(&o, &f.st, "O1");
    Cs__V1__Cancellation c;
    cs__v1__cancellation__init(&c);
    ex_exception none = {0};
    ex_decision d;
    ex_decision_init(&d);
    ex8_cancellation(&c, &f.st, &o, &none, 0, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 0);
    CT_EQ_INT(d.nstock, 2);
    CT_EQ_STR(d.plan_rule, "EX-8");
    CT_CHECK(!d.close);
    /* an unknown order: registered, refund as the event says */
    ex_order unknown;
    cs_order_facts_from_state(&unknown, NULL, "O9");
    c.refund_fen = 1200;
    ex_decision_init(&d);
    ex8_cancellation(&c, NULL, &unknown, &none, 0, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 1);
    CT_EQ_INT(d.fx.finance[0].amount_fen, 1200);
    CT_EQ_INT(d.nstock, 0);
    fxe_shop_done(&s);
}

/* A refund reported twice: the after-sales case reached REFUNDED first
 * (RF-7 asked finance), then the platform closed the order. */
static void test_ex8_refund_already_asked_by_rf7_is_not_asked_again(void) {
    cs_shop s;
    fxe_shop_init(&s, "Asia/Shanghai", CS_CHANNEL_TAOBAO);
    fx_state f;
    fxState(&f);
    ex_order o;
    cs_order_facts_from_state(&o, &f.st, "O1");
    Cs__V1__Cancellation c;
    cs__v1__cancellation__init(&c);
    c.reason = FXE_S("closed after a full refund");
    c.refund_fen = 7480; /* the platform restates the whole payment */
    ex_exception none = {0};
    ex_decision d;
    ex_decision_init(&d);
    ex8_cancellation(&c, &f.st, &o, &none, 7480, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 0); /* registered, stock returned, no second refund */
    CT_EQ_INT(d.nstock, 2);
    CT_EQ_STR(d.plan_rule, "EX-8");
    /* a part refunded by a case: only the rest of the payment */
    ex_decision_init(&d);
    ex8_cancellation(&c, &f.st, &o, &none, 2000, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 1);
    CT_EQ_INT(d.fx.finance[0].amount_fen, 5480);
    /* a line's cancellation within what is left is asked in full */
    char *lines[] = {FXE_S("L2")};
    c.line_ids = lines;
    c.n_line_ids = 1;
    c.refund_fen = 0;
    ex_decision_init(&d);
    ex8_cancellation(&c, &f.st, &o, &none, 2000, &s, &d);
    CT_EQ_INT(d.fx.finance[0].amount_fen, 500);
    /* an unknown order: the event's amount less what was refunded */
    ex_order unknown;
    cs_order_facts_from_state(&unknown, NULL, "O9");
    c.n_line_ids = 0;
    c.refund_fen = 1200;
    ex_decision_init(&d);
    ex8_cancellation(&c, NULL, &unknown, &none, 1200, &s, &d);
    CT_EQ_INT(d.fx.nfinance, 0);
    fxe_shop_done(&s);
}

CT_MAIN(CT_CASE(test_ex8_whole_order_cancel_refunds_paid_and_returns_all_units),
        CT_CASE(test_ex8_line_cancel_refunds_line_value_and_keeps_exception),
        CT_CASE(test_ex8_unpaid_order_is_registered_without_refund),
        CT_CASE(test_ex8_refund_already_asked_by_rf7_is_not_asked_again))
