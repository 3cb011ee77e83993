/* test_batch_hooks.c -- the runtime's after-commit hooks (shared/src/
 * runtime.c, cs_batch_after_commit): they run only once the transaction
 * committed, in registration order, and their args are freed whether they
 * ran or not; and the before-commit hooks (cs_batch_before_commit), which
 * run once, in order, and stop at the first failure. Driven through a standalone batch (cs_batch_new), which
 * shares the code the worker loop uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "cs/runtime.h"

static char trace[64];
static int freed;

static void hookA(void *arg) { strcat(trace, arg); }
static void hookB(void *arg) {
    strcat(trace, "+");
    strcat(trace, arg);
}
static void countFree(void *arg) {
    (void)arg;
    freed++;
}

static void test_hooks_run_after_commit_in_order_and_are_freed(void) {
    trace[0] = 0;
    freed = 0;
    cs_batch *b = cs_batch_new(NULL, "w", 1000, NULL);
    cs_batch_after_commit(b, hookA, "a", countFree);
    cs_batch_after_commit(b, hookB, "b", countFree);
    CT_EQ_STR(trace, ""); /* nothing before the commit */
    cs_batch_committed(b);
    CT_EQ_STR(trace, "a+b");
    CT_EQ_INT(freed, 2);
    cs_batch_committed(b); /* once only */
    CT_EQ_STR(trace, "a+b");
    cs_batch_free(b);
    CT_EQ_INT(freed, 2);
}

static void test_hooks_of_a_rolled_back_batch_never_run_but_are_freed(void) {
    trace[0] = 0;
    freed = 0;
    cs_batch *b = cs_batch_new(NULL, "w", 1000, NULL);
    cs_batch_after_commit(b, hookA, "a", countFree);
    cs_batch_after_commit(b, hookA, "x", NULL);
    cs_batch_free(b);
    CT_EQ_STR(trace, "");
    CT_EQ_INT(freed, 1);
}

static void test_after_commit_arg_finds_the_first_registration(void) {
    cs_batch *b = cs_batch_new(NULL, "w", 1000, NULL);
    CT_CHECK(cs_batch_after_commit_arg(b, hookA) == NULL);
    cs_batch_after_commit(b, hookB, "b", NULL);
    cs_batch_after_commit(b, hookA, "first", NULL);
    cs_batch_after_commit(b, hookA, "second", NULL);
    CT_EQ_STR(cs_batch_after_commit_arg(b, hookA), "first");
    CT_EQ_STR(cs_batch_worker(b), "w");
    CT_EQ_INT(cs_batch_now(b), 1000);
    CT_EQ_INT(cs_batch_count(b), 0);
    cs_batch_free(b);
}

static int preCalls;

static int preOk(void *arg, cs_batch *b, char *err, size_t errlen) {
    (void)b;
    (void)err;
    (void)errlen;
    strcat(trace, arg);
    preCalls++;
    return 0;
}

static int preFail(void *arg, cs_batch *b, char *err, size_t errlen) {
    (void)arg;
    (void)b;
    snprintf(err, errlen, "refused");
    return -1;
}

static void test_before_commit_hooks_run_once_in_order_and_report_failure(void) {
    trace[0] = 0;
    preCalls = 0;
    char err[64] = "";
    cs_batch *b = cs_batch_new(NULL, "w", 1000, NULL);
    cs_batch_before_commit(b, preOk, "1");
    cs_batch_before_commit(b, preOk, "2");
    CT_EQ_INT(cs_batch_flush(b, err, sizeof err), 0);
    CT_EQ_STR(trace, "12");
    CT_EQ_INT(cs_batch_flush(b, err, sizeof err), 0); /* the list emptied */
    CT_EQ_INT(preCalls, 2);
    cs_batch_before_commit(b, preFail, NULL);
    cs_batch_before_commit(b, preOk, "3");
    CT_EQ_INT(cs_batch_flush(b, err, sizeof err), -1);
    CT_EQ_STR(err, "refused");
    CT_EQ_STR(trace, "12"); /* stops at the failure */
    cs_batch_free(b);
}

CT_MAIN(CT_CASE(test_hooks_run_after_commit_in_order_and_are_freed),
        CT_CASE(test_hooks_of_a_rolled_back_batch_never_run_but_are_freed),
        CT_CASE(test_after_commit_arg_finds_the_first_registration),
        CT_CASE(test_before_commit_hooks_run_once_in_order_and_report_failure))
