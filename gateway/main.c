/* main.c -- the gateway binary: webhooks in, Kafka records out
 * (docs/webhooks.md; the process in gw_main.c). */
#include "gw_main.h"

int main(int argc, char **argv) { return gw_main(argc, argv); }
