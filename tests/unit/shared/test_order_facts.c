/* test_order_facts.c -- the order facts other workers read (shared/src/
 * order_facts.c): taken from the verifier's merged state, pointing into it;
 * an unknown order; the channel falling back to the shop's; the committed
 * instant (paid, or created for cash on delivery); a SKU's units summed as
 * int64. */
#include <stdint.h>

#include "ct.h"
#include "cs/order_facts.h"

static void test_order_facts_from_state_and_unknown_order(void) {
    Cs__V1__OrderLine l1 = CS__V1__ORDER_LINE__INIT, l2 = CS__V1__ORDER_LINE__INIT;
    l1.sku = (char *)"SKU-A";
    l1.quantity = INT32_MAX;
    l1.unit_price_fen = 1990;
    l2.sku = (char *)"SKU-A";
    l2.quantity = INT32_MAX;
    l2.presale = true;
    l2.presale_ship_date_ms = 5000;
    Cs__V1__OrderLine *lines[] = {&l1, &l2};
    Cs__V1__Receiver r = CS__V1__RECEIVER__INIT;
    r.phone = (char *)"13800138000";
    r.name = (char *)"张三";
    Cs__V1__Order o = CS__V1__ORDER__INIT;
    o.order_id = (char *)"T1";
    o.buyer_id = (char *)"";
    o.lines = lines;
    o.n_lines = 2;
    o.receiver = &r;
    o.paid_ms = 100;
    o.paid_amount_fen = 3980;
    Cs__V1__OrderState st = CS__V1__ORDER_STATE__INIT;
    st.order = &o;
    st.created = true;
    st.signed_ms = 900;
    cs_order_facts f;
    cs_order_facts_from_state(&f, &st, "asked");
    CT_CHECK(f.known);
    CT_EQ_STR(f.order_id, "T1");
    CT_CHECK(f.buyer_id == NULL); /* empty is none */
    CT_EQ_STR(f.phone, "13800138000");
    CT_EQ_STR(f.receiver_name, "张三");
    CT_EQ_INT(f.paid_fen, 3980);
    CT_EQ_INT(f.signed_ms, 900);
    CT_EQ_INT(f.presale_ship_ms, 5000);
    CT_EQ_INT(f.nlines, 2);
    CT_EQ_INT(f.lines[0]->unit_price_fen, 1990);
    CT_EQ_INT(cs_order_committed_ms(&f), 100);
    CT_EQ_INT(cs_order_sku_quantity(&o, "SKU-A"), 2 * (int64_t)INT32_MAX);
    o.paid_ms = 0;
    cs_order_facts_from_state(&f, &st, "asked");
    CT_EQ_INT(f.paid_fen, 0); /* unpaid: nothing paid, whatever the amount field says */
    cs_order_facts_from_state(&f, NULL, "T9");
    CT_CHECK(!f.known);
    CT_EQ_STR(f.order_id, "T9");
    CT_CHECK(f.lines == NULL && f.nlines == 0);
}

static void test_order_facts_channel_falls_back_to_shop_and_cod_commits_at_creation(void) {
    cs_shop shop;
    memset(&shop, 0, sizeof shop);
    shop.channel = CS_CHANNEL_TMALL;
    cs_order_facts f;
    cs_order_facts_from_state(&f, NULL, "T1");
    CT_EQ_INT(cs_order_channel(&f, &shop), CS__V1__CHANNEL__CHANNEL_TMALL);
    f.channel = CS__V1__CHANNEL__CHANNEL_OWN_SITE;
    CT_EQ_INT(cs_order_channel(&f, &shop), CS__V1__CHANNEL__CHANNEL_OWN_SITE);
    f.cod = true;
    f.created_ms = 42;
    CT_EQ_INT(cs_order_committed_ms(&f), 42);
    f.cod = false;
    CT_EQ_INT(cs_order_committed_ms(&f), 0);
}

CT_MAIN(CT_CASE(test_order_facts_from_state_and_unknown_order),
        CT_CASE(test_order_facts_channel_falls_back_to_shop_and_cod_commits_at_creation))
