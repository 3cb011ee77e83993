/* test_ov_tasks.c -- one task per question (rules/ov_verify.c,
 * ov_tasks_to_raise): a rule whose task the previous verdict raised raises
 * none at the next version; a new rule does; the order remembers this
 * verdict's rules (each once). */
#include <stdlib.h>

#include "ct.h"
#include "ov_fixtures.h"

static void freeRules(Cs__V1__OrderState *st) {
    for (size_t k = 0; k < st->n_task_rules; k++) free(st->task_rules[k]);
    free(st->task_rules);
}

static void test_ov_one_task_per_question_across_versions(void) {
    Cs__V1__OrderState st;
    cs__v1__order_state__init(&st);
    ov_decision d;
    ov_decision_init(&d);
    ov_add_task(&d, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "OV-7", false, "buyer message");
    ov_add_task(&d, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "OV-7", false, "seller memo");
    bool raise[OV_MAX_TASKS] = {false};
    ov_tasks_to_raise(&st, &d, raise);
    CT_CHECK(raise[0] && raise[1]); /* nothing raised before */
    CT_EQ_INT(st.n_task_rules, 1);  /* OV-7 once */
    CT_EQ_STR(st.task_rules[0], "OV-7");
    ov_decision d2; /* the next version: still OV-7, now OV-9 too */
    ov_decision_init(&d2);
    ov_add_task(&d2, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "OV-7", false, "buyer message");
    ov_add_task(&d2, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "OV-9", false, "duplicate?");
    bool raise2[OV_MAX_TASKS] = {false};
    ov_tasks_to_raise(&st, &d2, raise2);
    CT_CHECK(!raise2[0]);
    CT_CHECK(raise2[1]);
    CT_EQ_INT(st.n_task_rules, 2);
    ov_decision none; /* a clean version: the memory empties, OV-7 would be asked again */
    ov_decision_init(&none);
    bool raise3[OV_MAX_TASKS] = {false};
    ov_tasks_to_raise(&st, &none, raise3);
    CT_EQ_INT(st.n_task_rules, 0);
    freeRules(&st);
}

CT_MAIN(CT_CASE(test_ov_one_task_per_question_across_versions))
