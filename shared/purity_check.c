/* purity_check.c -- the main() of each worker's rules link check
 * (CMakeLists.txt, cs_add_worker): every object of the worker's rule
 * library is linked with the core library alone, so a rule that calls
 * I/O (libpq, librdkafka, hiredis, the runtime) is an undefined symbol
 * and the build fails. Never run. */
int main(void) { return 0; }
