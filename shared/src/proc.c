/* proc.c -- process life shared by the worker runtime and the timer
 * dispatcher (see cs/proc.h). */
#include "cs/proc.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cs/clock.h"

static volatile sig_atomic_t stopRequested;

static void onSignal(int sig) {
    (void)sig;
    if (stopRequested) _exit(1); /* second signal: leave at once */
    stopRequested = 1;
}

void cs_proc_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = onSignal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

bool cs_proc_stopping(void) { return stopRequested != 0; }

void cs_proc_sleep_ms(int ms) {
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !stopRequested) {}
}

int cs_proc_backoff(int cur, int min_ms, int max_ms) {
    int next = cur ? cur * 2 : min_ms;
    if (next > max_ms) next = max_ms;
    return next - next / 4 + (int)(random() % (next / 2 + 1));
}

/* glibc keeps freed heap for reuse: after a backlog (a fetch of many
 * records, a batch of thousands, a rebalance that brought more partitions)
 * the process stays at its high-water mark, and a week of faults reads as
 * a leak. Handing the free pages back every 30 s costs a walk of the free
 * lists (well under a millisecond at our heap sizes). */
#define TRIM_EVERY_MS 30000

void cs_proc_trim_memory(void) {
    static int64_t last;
    int64_t now = cs_mono_ms();
    if (last && now - last < TRIM_EVERY_MS) return;
    last = now;
    malloc_trim(0);
}

/* Why a fixed threshold (docs/performance.md, "The peak RSS and glibc's
 * mmap threshold"): glibc starts at 128 KiB and raises the threshold to
 * the size of each mapped block freed, up to 32 MiB. The batch buffers
 * the runtime and workers give back after a large round (cs_copy_keep,
 * roundTrim) are such blocks, so after the first ones the next large
 * buffers came from the heap, where they fragmented it and stayed
 * resident: the refund-notifier peaked at 65.5 MiB at 8,789 events/s,
 * 55.6 MiB with the threshold fixed, at the same throughput. */
#define CS_PROC_MMAP_THRESHOLD (256 * 1024)

void cs_proc_memory_setup(void) {
    if (getenv("MALLOC_MMAP_THRESHOLD_")) return; /* the operator's choice */
    mallopt(M_MMAP_THRESHOLD, CS_PROC_MMAP_THRESHOLD);
}
