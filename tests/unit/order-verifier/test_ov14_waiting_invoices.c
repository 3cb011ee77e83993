/* test_ov14_waiting_invoices.c -- OV-14 for requests that come before their
 * order (rules/ov14_invoice.c): each waits once in the order's state, a
 * repeat is not added twice, and at most OV14_MAX_WAITING wait. */
#include <stdlib.h>

#include "ct.h"
#include "ov_fixtures.h"

static void test_ov14_request_before_order_waits_once_and_the_list_is_capped(void) {
    Cs__V1__OrderState st;
    cs__v1__order_state__init(&st);
    CT_EQ_INT(ov14_wait_for_order(&st, "inv-1"), OV14_WAIT);
    CT_EQ_INT(ov14_wait_for_order(&st, "inv-1"), OV14_ALREADY_WAITING);
    CT_EQ_INT(st.n_pending_invoices, 1);
    char id[OV14_MAX_WAITING + 2][16];
    for (int i = 2; i <= OV14_MAX_WAITING; i++) {
        snprintf(id[i], sizeof id[i], "inv-%d", i);
        CT_EQ_INT(ov14_wait_for_order(&st, id[i]), OV14_WAIT);
    }
    CT_EQ_INT(st.n_pending_invoices, OV14_MAX_WAITING);
    CT_EQ_INT(ov14_wait_for_order(&st, "inv-overflow"), OV14_WAITING_FULL);
    CT_EQ_INT(st.n_pending_invoices, OV14_MAX_WAITING);
    for (size_t k = 0; k < st.n_pending_invoices; k++) free(st.pending_invoices[k]);
    free(st.pending_invoices);
}

CT_MAIN(CT_CASE(test_ov14_request_before_order_waits_once_and_the_list_is_capped))
