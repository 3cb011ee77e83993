/* review-scheduler: follows up every neutral and negative review by the
 * handbook (RULES.md section 4). All the work is in reviews.c and rules/;
 * this only runs the runtime. */
#include "reviews.h"

int main(int argc, char **argv) { return cs_worker_main(rv_worker_def(), argc, argv); }
