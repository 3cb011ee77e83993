/* proc.h -- the process life every long-running binary shares
 * (shared/src/proc.c): SIGTERM/SIGINT as "finish what you are doing, then
 * stop" (a second signal exits at once), sleeps that a stop request
 * interrupts, and retry backoff with jitter. */
#ifndef CS_PROC_H
#define CS_PROC_H

#include <stdbool.h>
#include <stdint.h>

/* Installs the two-stage SIGTERM/SIGINT handler and ignores SIGPIPE. */
void cs_proc_signals(void);
/* A first SIGTERM/SIGINT has arrived. */
bool cs_proc_stopping(void);
/* Sleeps ms milliseconds, or less when a stop is requested meanwhile. */
void cs_proc_sleep_ms(int ms);
/* The next retry delay after cur (0 = first failure): doubling from min_ms
 * to max_ms, then +-25 % jitter so restarted copies do not retry in
 * lockstep. */
int cs_proc_backoff(int cur, int min_ms, int max_ms);
/* Returns freed heap to the system, at most once every 30 s (calls in
 * between do nothing): the main loops call it when a round is done, so
 * the resident size follows the live heap rather than its high-water mark
 * (cs_process_heap_inuse_bytes, docs/operations.md). One thread only. */
void cs_proc_trim_memory(void);
/* Fixes glibc's mmap threshold at CS_PROC_MMAP_THRESHOLD (256 KiB) unless
 * MALLOC_MMAP_THRESHOLD_ is set: every buffer that large is its own
 * mapping, given back whole when freed. Called once at start. */
void cs_proc_memory_setup(void);

#endif
