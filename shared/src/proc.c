/* proc.c -- process life shared by the worker runtime and the timer
 * dispatcher (see cs/proc.h). */
#include "cs/proc.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
