/* bench_sample.c -- compiles cs-sample's generator into cs-bench.
 *
 * cs-bench links ov_worker, not cs-sample, and the build builds every
 * C file of bench/src into it; including the generator's source here keeps one
 * copy of the generator (tools/cs-sample/sample_gen.c) while the benchmark
 * loads exactly the orders the demo shows. */
#include "../../tools/cs-sample/sample_gen.c"
