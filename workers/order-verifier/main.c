/* order-verifier: checks every order by the handbook (RULES.md section 1).
 * All the work is in verifier.c and rules/; this only runs the runtime. */
#include "verifier.h"

int main(int argc, char **argv) { return cs_worker_main(ov_worker_def(), argc, argv); }
