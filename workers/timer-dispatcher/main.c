/* timer-dispatcher: fires due durable timers as cs.timers.v1 records. All
 * the work is in dispatcher.c (process) and fired.c (decisions). */
#include "dispatcher.h"

int main(int argc, char **argv) { return td_main(argc, argv); }
