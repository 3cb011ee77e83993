/* test_rf03_postage.c -- RF-3: return postage in integer fen: our fault
 * (quality, wrong item, missing item) reimbursed up to 8 CNY in the
 * shop's province, 10 CNY out of it, never more than the buyer paid;
 * otherwise nothing; freight-collect refused; added to the refund or put
 * in the reshipped parcel as the shop sets. */
#include "rf_fixtures.h"

#define ST FXR_ST

static rf_case ret(Cs__V1__CaseType type, Cs__V1__CaseReason reason, int64_t paid, const char *from) {
    rf_case c = {.exists = true,
                 .case_id = "C1",
                 .order_id = "O1",
                 .agent = "小王",
                 .type = type,
                 .reason = reason,
                 .stage = ST(RETURN_RECEIVED),
                 .amount_fen = 9900};
    c.postage_paid_fen = paid;
    c.origin_province = from;
    return c;
}

static void test_rf3_in_province_against_out_of_province(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai"); /* the shop is in 浙江省 */
    rf_postage p;
    rf_case in = ret(FXR_T(RETURN_REFUND), FXR_R(QUALITY), 1200, "浙江省");
    rf3_postage(&in, &s, &p);
    CT_CHECK(p.our_fault && p.in_province);
    CT_EQ_INT(p.cap_fen, 800);
    CT_EQ_INT(p.fen, 800);
    CT_EQ_INT(p.where, RF_POSTAGE_IN_REFUND);
    rf_case out = ret(FXR_T(RETURN_REFUND), FXR_R(QUALITY), 1200, "江苏省");
    rf3_postage(&out, &s, &p);
    CT_CHECK(p.our_fault && !p.in_province);
    CT_EQ_INT(p.cap_fen, 1000);
    CT_EQ_INT(p.fen, 1000);
    fxr_shop_done(&s);
}

static void test_rf3_capped_by_what_the_buyer_paid(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_postage p;
    rf_case c = ret(FXR_T(RETURN_REFUND), FXR_R(WRONG_ITEM), 650, "江苏");
    rf3_postage(&c, &s, &p);
    CT_EQ_INT(p.fen, 650);
    c.postage_paid_fen = 1000; /* exactly the cap */
    rf3_postage(&c, &s, &p);
    CT_EQ_INT(p.fen, 1000);
    c.postage_paid_fen = 1001;
    rf3_postage(&c, &s, &p);
    CT_EQ_INT(p.fen, 1000);
    c.postage_paid_fen = 0; /* unknown: nothing yet */
    rf3_postage(&c, &s, &p);
    CT_EQ_INT(p.fen, 0);
    CT_EQ_INT(p.where, RF_POSTAGE_NONE);
    fxr_shop_done(&s);
}

static void test_rf3_buyer_bears_postage_when_not_our_fault(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_postage p;
    rf_case c = ret(FXR_T(RETURN_REFUND), FXR_R(NO_REASON_7D), 1200, "浙江省");
    rf3_postage(&c, &s, &p);
    CT_CHECK(!p.our_fault);
    CT_EQ_INT(p.fen, 0);
    c.reason = FXR_R(CHANGED_MIND);
    rf3_postage(&c, &s, &p);
    CT_EQ_INT(p.fen, 0);
    c.reason = FXR_R(MISSING_ITEM);
    rf3_postage(&c, &s, &p);
    CT_EQ_INT(p.fen, 800);
    /* refund only: no return parcel, no postage */
    c.type = FXR_T(REFUND_ONLY);
    rf3_postage(&c, &s, &p);
    CT_EQ_INT(p.fen, 0);
    fxr_shop_done(&s);
}

static void test_rf3_freight_collect_refused(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_postage p;
    rf_case c = ret(FXR_T(RETURN_REFUND), FXR_R(QUALITY), 1200, "浙江省");
    c.freight_collect = true;
    rf3_postage(&c, &s, &p);
    CT_CHECK(p.refused);
    CT_EQ_INT(p.fen, 0);
    /* in the life cycle: the shipped parcel is refused with a task */
    rf_order o;
    fxr_order(&o);
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(QUALITY), ST(AGREED), 9900);
    rf_case st = {0};
    rf_decision d;
    rf_event ev = fxr_event(&e, "a", 1000);
    fxr_apply(&st, &ev, &o, &s, &d);
    e.stage = ST(BUYER_SHIPPED);
    e.freight_collect = true;
    ev = fxr_event(&e, "b", 2000);
    fxr_apply(&st, &ev, &o, &s, &d);
    CT_CHECK(d.parcel_refused);
    const cs_task *t = fxr_task(&d, "RF-3");
    CT_CHECK(t != NULL);
    if (t) CT_CHECK(strstr(t->summary, "refuse the parcel") != NULL);
    fxr_shop_done(&s);
}

static void test_rf3_province_names_compare_without_suffix(void) {
    CT_CHECK(rf3_same_province("浙江省", "浙江"));
    CT_CHECK(rf3_same_province("上海市", "上海"));
    CT_CHECK(rf3_same_province("广西壮族自治区", "广西"));
    CT_CHECK(rf3_same_province(" 浙江 省", "浙江省"));
    CT_CHECK(!rf3_same_province("浙江省", "江苏省"));
    CT_CHECK(!rf3_same_province(NULL, "浙江省"));
    CT_CHECK(!rf3_same_province("浙江省", ""));
    /* a shop with no province set: every return is out of province */
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    s.province = NULL;
    rf_postage p;
    rf_case c = ret(FXR_T(RETURN_REFUND), FXR_R(QUALITY), 2000, "浙江省");
    rf3_postage(&c, &s, &p);
    CT_EQ_INT(p.fen, 1000);
    fxr_shop_done(&s);
}

static void test_rf3_reimbursement_added_to_refund_or_put_in_parcel(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    rf_order o;
    fxr_order(&o);
    /* added to the refund: one finance request for refund + postage */
    rf_case c = ret(FXR_T(RETURN_REFUND), FXR_R(QUALITY), 1200, "江苏省");
    Cs__V1__AfterSalesCase e = fxr_case(FXR_T(RETURN_REFUND), FXR_R(QUALITY), ST(REFUNDED), 9900);
    c.last_event_ms = 1000;
    rf_event ev = fxr_event(&e, "z", 2000);
    rf_decision d;
    rf_decision_init(&d);
    rf_case_event(&c, &ev, &o, &s, 2000, &d);
    CT_EQ_INT(d.postage.fen, 1000);
    CT_EQ_INT(d.postage.where, RF_POSTAGE_IN_REFUND);
    CT_EQ_INT(d.fx.nfinance, 1);
    CT_EQ_INT(d.fx.finance[0].amount_fen, 9900 + 1000);
    CT_CHECK(strstr(d.fx.finance[0].reason, "return postage 10.00 CNY") != NULL);
    /* in the parcel: an exchange reshipped with the shop set to "parcel" */
    s.postage_reimburse = CS_POSTAGE_IN_PARCEL;
    rf_case x = ret(FXR_T(EXCHANGE), FXR_R(QUALITY), 700, "浙江省");
    Cs__V1__AfterSalesCase e2 = fxr_case(FXR_T(EXCHANGE), FXR_R(QUALITY), ST(RESHIPPED), 0);
    rf_event ev2 = fxr_event(&e2, "z", 2000);
    rf_decision_init(&d);
    rf_case_event(&x, &ev2, &o, &s, 2000, &d);
    CT_EQ_INT(d.postage.where, RF_POSTAGE_IN_PARCEL);
    CT_EQ_INT(d.postage.fen, 700);
    CT_EQ_INT(d.fx.nfinance, 0);
    const cs_task *t = fxr_task(&d, "RF-3");
    CT_CHECK(t != NULL);
    if (t) CT_CHECK(strstr(t->summary, "put 7.00 CNY cash") != NULL);
    /* a return and refund has no parcel: still added to the refund */
    rf3_postage(&c, &s, &d.postage);
    CT_EQ_INT(d.postage.where, RF_POSTAGE_IN_REFUND);
    /* an exchange with the shop set to "refund": finance pays it alone */
    s.postage_reimburse = CS_POSTAGE_IN_REFUND;
    rf_decision_init(&d);
    rf_case_event(&x, &ev2, &o, &s, 2000, &d);
    CT_EQ_INT(d.fx.nfinance, 1);
    CT_EQ_STR(d.fx.finance[0].kind, "postage");
    CT_EQ_INT(d.fx.finance[0].amount_fen, 700);
    fxr_shop_done(&s);
}

/* The case records where the reimbursement goes when it is agreed, before
 * any amount is known: cash in the parcel for a quality exchange of a
 * shop set to "parcel", the refund for a return and refund, nothing for
 * a change of mind (the buyer bears it). */
static void test_rf3_case_records_where_the_reimbursement_goes_when_agreed(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    s.postage_reimburse = CS_POSTAGE_IN_PARCEL;
    rf_order o;
    fxr_order(&o);
    static const struct {
        Cs__V1__CaseType type;
        Cs__V1__CaseReason reason;
        int where;
    } cases[] = {
        {FXR_T(EXCHANGE), FXR_R(QUALITY), RF_POSTAGE_IN_PARCEL},
        {FXR_T(RETURN_REFUND), FXR_R(WRONG_ITEM), RF_POSTAGE_IN_REFUND},
        {FXR_T(RETURN_REFUND), FXR_R(CHANGED_MIND), RF_POSTAGE_NONE},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Cs__V1__AfterSalesCase e = fxr_case(cases[k].type, cases[k].reason, ST(REQUESTED), 9900);
        e.has_photo = true;
        rf_case c = {0};
        rf_decision d;
        rf_event ev = fxr_event(&e, "a", 1000);
        fxr_apply(&c, &ev, &o, &s, &d);
        CT_EQ_INT(c.postage_where, RF_POSTAGE_NONE); /* requested: not yet */
        e.stage = ST(AGREED);
        ev = fxr_event(&e, "b", 2000);
        fxr_apply(&c, &ev, &o, &s, &d);
        CT_EQ_INT(c.stage, ST(AGREED));
        CT_EQ_INT(c.postage_where, cases[k].where);
    }
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rf3_in_province_against_out_of_province), CT_CASE(test_rf3_capped_by_what_the_buyer_paid),
        CT_CASE(test_rf3_buyer_bears_postage_when_not_our_fault), CT_CASE(test_rf3_freight_collect_refused),
        CT_CASE(test_rf3_province_names_compare_without_suffix),
        CT_CASE(test_rf3_reimbursement_added_to_refund_or_put_in_parcel),
        CT_CASE(test_rf3_case_records_where_the_reimbursement_goes_when_agreed))
