/* test_ex_close.c -- an exception's end (rules/ex_close.c) and which events
 * the exception-handler takes (rules/ex_valid.c): closing closes the tasks
 * of EX-1/2/3/5/6 (not EX-7/9/10, which are about a case, a complaint or a
 * chaser) and cancels every pending timer of the exception; a call's task
 * is done (if it is an EX task); a verdict's reasons as stored; events
 * refused with their reason; the lock key is the order. */
#include "ct.h"
#include "ex_fixtures.h"

static void test_ex_close_closes_exception_tasks_and_cancels_every_timer(void) {
    ex_decision d;
    ex_decision_init(&d);
    ex_close(&d, "order shipped");
    CT_CHECK(d.close);
    CT_EQ_STR(d.close_reason, "order shipped");
    CT_EQ_INT(d.fx.ncloses, 1);
    const char *const *r = d.fx.closes[0].rules;
    int n = 0;
    bool ex7 = false;
    for (; r && r[n]; n++) ex7 = ex7 || strcmp(r[n], "EX-7") == 0;
    CT_EQ_INT(n, 5);
    CT_CHECK(!ex7);
    CT_EQ_INT(d.fx.ncancels, 1);
    CT_CHECK(d.fx.cancels[0].kind == NULL); /* every kind */
    CT_EQ_STR(d.fx.cancels[0].subject, ""); /* of the exception */
    CT_CHECK(fxe_cancels(&d, EX_TIMER_REQUEUE) && fxe_cancels(&d, EX_TIMER_ESCALATE) &&
             fxe_cancels(&d, EX_TIMER_BREACH));
}

static void test_ex_call_done_closes_its_ex_task_only(void) {
    ex_decision d;
    ex_decision_init(&d);
    ex_call_done(&d, "");
    CT_EQ_INT(d.fx.ncloses, 0);
    ex_call_done(&d, "E1/task/0/EX-2");
    CT_EQ_INT(d.fx.ncloses, 1);
    CT_EQ_STR(d.fx.closes[0].task_id, "E1/task/0/EX-2");
    CT_EQ_STR(d.fx.closes[0].rule_prefix, "EX-");
}

static void test_ex_reason_list_joins_codes_and_cuts_cleanly(void) {
    Cs__V1__Reason a = CS__V1__REASON__INIT, b = CS__V1__REASON__INIT, c = CS__V1__REASON__INIT;
    a.code = FXE_S("OUT_OF_STOCK");
    b.code = FXE_S("");
    c.code = FXE_S("ADDRESS_INCOMPLETE");
    Cs__V1__Reason *rs[] = {&a, &b, &c};
    Cs__V1__Verdict v = CS__V1__VERDICT__INIT;
    v.reasons = rs;
    v.n_reasons = 3;
    char out[64];
    ex_reason_list(&v, out, sizeof out);
    CT_EQ_STR(out, "OUT_OF_STOCK,ADDRESS_INCOMPLETE");
    char small[16];
    ex_reason_list(&v, small, sizeof small);
    CT_EQ_STR(small, "OUT_OF_STOCK"); /* a code that does not fit is left out whole */
}

static void test_ex_valid_events_refused_with_reason_and_lock_on_order(void) {
    Cs__V1__Envelope e = CS__V1__ENVELOPE__INIT;
    e.shop_id = FXE_S("tb-demo");
    cs_event ev = {.topic = "shop.contacts.v1", .env = &e};
    Cs__V1__ContactEvent c = CS__V1__CONTACT_EVENT__INIT;
    Cs__V1__CallResult call = CS__V1__CALL_RESULT__INIT;
    call.order_id = FXE_S("");
    c.body_case = CS__V1__CONTACT_EVENT__BODY_CALL;
    c.call = &call;
    e.body_case = CS__V1__ENVELOPE__BODY_CONTACT;
    e.contact = &c;
    char why[128], key[128];
    CT_CHECK(!ex_valid_contact(&ev, why, sizeof why));
    CT_EQ_STR(why, "call result without order_id");
    CT_CHECK(!ex_lock_order(&ev, key, sizeof key));
    call.order_id = FXE_S("T7");
    CT_CHECK(ex_valid_contact(&ev, why, sizeof why));
    CT_CHECK(ex_lock_order(&ev, key, sizeof key));
    CT_EQ_STR(key, "tb-demo:T7");

    Cs__V1__AfterSalesEvent a = CS__V1__AFTER_SALES_EVENT__INIT;
    Cs__V1__AfterSalesCase k = CS__V1__AFTER_SALES_CASE__INIT;
    k.case_id = FXE_S("C1");
    k.order_id = FXE_S("T7");
    k.amount_fen = 100000000001LL;
    a.body_case = CS__V1__AFTER_SALES_EVENT__BODY_CASE;
    a.case_ = &k;
    e.body_case = CS__V1__ENVELOPE__BODY_AFTERSALES;
    e.aftersales = &a;
    CT_CHECK(!ex_valid_aftersales(&ev, why, sizeof why));
    CT_EQ_STR(why, "impossible amount: case.amount_fen");

    Cs__V1__OrderEvent oe = CS__V1__ORDER_EVENT__INIT;
    Cs__V1__Order o = CS__V1__ORDER__INIT;
    o.order_id = FXE_S("T7");
    oe.order = &o;
    oe.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID;
    e.body_case = CS__V1__ENVELOPE__BODY_ORDER;
    e.order = &oe;
    CT_CHECK(ex_valid_order(&ev, why, sizeof why));
    CT_CHECK(!ex_lock_order(&ev, key, sizeof key)); /* a payment changes nothing here */
    oe.kind = CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_SHIPPED;
    CT_CHECK(ex_lock_order(&ev, key, sizeof key));
    oe.order = NULL;
    CT_CHECK(!ex_valid_order(&ev, why, sizeof why));
    CT_EQ_STR(why, "not an order event with an order id");
}

CT_MAIN(CT_CASE(test_ex_close_closes_exception_tasks_and_cancels_every_timer),
        CT_CASE(test_ex_call_done_closes_its_ex_task_only), CT_CASE(test_ex_reason_list_joins_codes_and_cuts_cleanly),
        CT_CASE(test_ex_valid_events_refused_with_reason_and_lock_on_order))
