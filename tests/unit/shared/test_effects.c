/* test_effects.c -- the effects every rule returns (shared/src/effects.c):
 * filled in order, a full array drops and counts the extra entry instead
 * of writing past its end, text is copied (nothing points into the
 * caller's buffers), and the timer id scheme "<kind>@<shop>:<subject>". */
#include <string.h>

#include "ct.h"
#include "cs/effects.h"

static void test_effects_fill_in_order_and_copy_their_text(void) {
    cs_effects fx;
    cs_fx_init(&fx);
    CT_CHECK(cs_fx_empty(&fx));
    char who[16] = "T1001";
    cs_task *t = cs_fx_task(&fx, CS__V1__TASK_KIND__TASK_KIND_CALL, "EX-2", true, "call the buyer of %s", who);
    strcpy(who, "changed");
    CT_CHECK(t != NULL);
    CT_EQ_STR(fx.tasks[0].summary, "call the buyer of T1001");
    CT_EQ_STR(fx.tasks[0].rule, "EX-2");
    CT_CHECK(fx.tasks[0].urgent);
    CT_CHECK(fx.tasks[0].shift == NULL); /* SH-1 routes it */
    cs_note *n = cs_fx_note(&fx, "EX-1", "restock_ship_date", CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_IM, CS_TO_IM);
    cs_fx_note_param(n, "order_id", "%s", "T1001");
    cs_fx_note_param(n, "ship_date", "%d-%02d-%02d", 2026, 11, 12);
    CT_EQ_INT(fx.notes[0].klass, CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_SERVICE);
    CT_EQ_INT(fx.notes[0].nparams, 2);
    CT_EQ_STR(fx.notes[0].param_vals[1], "2026-11-12");
    cs_fx_finance(&fx, "refund", "EX-8", 11770, "order cancelled: %s", "out of stock");
    CT_EQ_INT(fx.finance[0].amount_fen, 11770);
    cs_breach *b = cs_fx_breach(&fx, "EX-6", "exception", 42, "open at the end of day %d", 3);
    CT_EQ_STR(b->subject_id, ""); /* the applier's subject */
    CT_EQ_STR(fx.breaches[0].detail, "open at the end of day 3");
    CT_CHECK(!cs_fx_empty(&fx));
    CT_EQ_INT(fx.dropped, 0);
}

static void test_effects_full_array_drops_and_counts_never_overflows(void) {
    cs_effects fx;
    cs_fx_init(&fx);
    for (int i = 0; i < CS_FX_MAX_TASKS + 3; i++)
        cs_fx_task(&fx, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "OV-7", false, "task %d", i);
    CT_EQ_INT(fx.ntasks, CS_FX_MAX_TASKS);
    CT_EQ_INT(fx.dropped, 3);
    CT_CHECK(cs_fx_task(&fx, CS__V1__TASK_KIND__TASK_KIND_REVIEW, "OV-7", false, "x") == NULL);
    cs_note *n =
        cs_fx_note(&fx, "NT-6", "logistics_shipped", CS__V1__MESSAGE_CHANNEL__MESSAGE_CHANNEL_SMS, CS_TO_PHONE);
    for (int i = 0; i < CS_FX_MAX_PARAMS + 2; i++) cs_fx_note_param(n, "k", "%d", i);
    CT_EQ_INT(n->nparams, CS_FX_MAX_PARAMS);
    cs_fx_note_param(NULL, "k", "v"); /* a dropped note's params are ignored */
}

static void test_effects_timers_arm_cancel_and_cancel_every_kind_of_a_subject(void) {
    cs_effects fx;
    cs_fx_init(&fx);
    cs_fx_timer(&fx, "rf2.ship_return", "C77", 1000);
    cs_fx_timer(&fx, "ex6.breach", NULL, 2000);
    cs_fx_cancel(&fx, "ex6.requeue", NULL);
    cs_fx_cancel(&fx, NULL, "C77"); /* every pending timer of case C77 */
    CT_EQ_INT(fx.ntimers, 2);
    CT_EQ_STR(fx.timers[0].subject, "C77");
    CT_EQ_STR(fx.timers[1].subject, "");
    CT_EQ_INT(fx.ncancels, 2);
    CT_EQ_STR(fx.cancels[0].kind, "ex6.requeue");
    CT_CHECK(fx.cancels[1].kind == NULL);
    CT_EQ_STR(fx.cancels[1].subject, "C77");
}

static void test_effects_timer_id_scheme_and_its_subject(void) {
    char id[128];
    cs_fx_timer_id(id, sizeof id, "ex6.escalate", "tb-demo", "E1/exception");
    CT_EQ_STR(id, "ex6.escalate@tb-demo:E1/exception");
    CT_EQ_STR(cs_fx_timer_subject(id), "E1/exception");
    cs_fx_timer_id(id, sizeof id, "ov13.sweep", "tb-demo", NULL); /* a shop-wide timer */
    CT_EQ_STR(id, "ov13.sweep@tb-demo:");
    CT_EQ_STR(cs_fx_timer_subject(id), "");
    CT_CHECK(cs_fx_timer_subject("no-at-sign") == NULL);
    CT_CHECK(cs_fx_timer_subject("kind@shop-without-colon") == NULL);
}

static void test_effects_close_tasks_by_id_or_by_rules(void) {
    static const char *const rules[] = {"EX-1", "EX-2", NULL};
    cs_effects fx;
    cs_fx_init(&fx);
    cs_fx_close_task(&fx, "T-9", NULL);
    cs_fx_close_tasks(&fx, rules, NULL);
    cs_fx_close_tasks(&fx, NULL, "EX-");
    CT_EQ_INT(fx.ncloses, 3);
    CT_EQ_STR(fx.closes[0].task_id, "T-9");
    CT_CHECK(fx.closes[1].rules == rules && fx.closes[1].rule_prefix == NULL);
    CT_EQ_STR(fx.closes[2].rule_prefix, "EX-");
}

CT_MAIN(CT_CASE(test_effects_fill_in_order_and_copy_their_text),
        CT_CASE(test_effects_full_array_drops_and_counts_never_overflows),
        CT_CASE(test_effects_timers_arm_cancel_and_cancel_every_kind_of_a_subject),
        CT_CASE(test_effects_timer_id_scheme_and_its_subject), CT_CASE(test_effects_close_tasks_by_id_or_by_rules))
