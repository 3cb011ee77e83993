/* gw_main.h -- the gateway process (gateway/main.c is one call). */
#ifndef GW_MAIN_H
#define GW_MAIN_H

/* Runs the gateway until SIGTERM/SIGINT; returns the exit code (0 after
 * a clean stop, 1 after Kafka's fatal error, 2 for a bad start). */
int gw_main(int argc, char **argv);

#endif
