/* refund-notifier: works every after-sales case by the handbook (RULES.md
 * section 3). All the work is in refunds.c and rules/; this only runs the
 * runtime. */
#include "refunds.h"

int main(int argc, char **argv) { return cs_worker_main(rf_worker_def(), argc, argv); }
