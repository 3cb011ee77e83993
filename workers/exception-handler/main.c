/* exception-handler: works every exception order to closure by the
 * handbook (RULES.md section 2). All the work is in exceptions.c and
 * rules/; this only runs the runtime. */
#include "exceptions.h"

int main(int argc, char **argv) { return cs_worker_main(ex_worker_def(), argc, argv); }
