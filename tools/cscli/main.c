/* main.c -- the cscli binary: everything is in the cscli library
 * (cscli.c and cmd_*.c) so the unit tests can run the same code. */
#include <stdio.h>

#include "cscli.h"

int main(int argc, char **argv) { return cscli_main(argc, argv, stdout, stderr); }
