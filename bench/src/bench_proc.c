/* bench_proc.c -- the processes the benchmark drivers start, watch and
 * stop (the workers under test), and the small statistics both report. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

volatile sig_atomic_t bench_interrupted;

static void onSignal(int sig) {
    (void)sig;
    if (bench_interrupted) _exit(130); /* a second ^C: now */
    bench_interrupted = 1;
}

void bench_catch_signals(void) {
    signal(SIGINT, onSignal);
    signal(SIGTERM, onSignal);
}

void bench_sleep_us(int64_t us) {
    if (us <= 0) return;
    struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

pid_t bench_spawn(const char *bin, const char *logpath, const char *const *env, char *err, size_t errlen) {
    int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "%.900s: %s", logpath, strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (pid == 0) {
        dup2(fd, 2);
        close(fd);
        for (int i = 0; env && env[i]; i++) putenv((char *)env[i]);
        execl(bin, bin, (char *)NULL);
        fprintf(stderr, "cs-bench: exec %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    close(fd);
    return pid;
}

void bench_stop(pid_t *pids, int n) {
    for (int k = 0; k < n; k++)
        if (pids[k] > 0) kill(pids[k], SIGTERM);
    for (int i = 0; i < 300; i++) {
        int left = 0;
        for (int k = 0; k < n; k++) {
            if (pids[k] <= 0) continue;
            if (waitpid(pids[k], NULL, WNOHANG) == pids[k])
                pids[k] = 0;
            else
                left++;
        }
        if (!left) return;
        bench_sleep_us(100000);
    }
    for (int k = 0; k < n; k++) {
        if (pids[k] <= 0) continue;
        fprintf(stderr, "cs-bench: pid %d ignored SIGTERM for 30 s; killing it\n", (int)pids[k]);
        kill(pids[k], SIGKILL);
        waitpid(pids[k], NULL, 0);
        pids[k] = 0;
    }
}

int bench_proc_stat(const char *pid, char *comm, size_t commlen, int *ppid, double *cpu_s) {
    char path[700], buf[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* the command name is in parentheses and may itself hold spaces or ')' */
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close || close < open) return -1;
    int pp = 0;
    unsigned long ut = 0, st = 0;
    if (sscanf(close + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &pp, &ut, &st) != 3) return -1;
    if (comm) snprintf(comm, commlen, "%.*s", (int)(close - open - 1), open + 1);
    if (ppid) *ppid = pp;
    if (cpu_s) *cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
    return 0;
}

void bench_proc_each(const char *pid, void (*fn)(const char *id, const char *comm, double cpu_s, void *arg),
                     void *arg) {
    char dir[300];
    if (pid)
        snprintf(dir, sizeof dir, "/proc/%s/task", pid);
    else
        snprintf(dir, sizeof dir, "/proc");
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char id[600], comm[64];
        double sec;
        if (pid)
            snprintf(id, sizeof id, "%s/task/%s", pid, e->d_name);
        else
            snprintf(id, sizeof id, "%s", e->d_name);
        if (bench_proc_stat(id, comm, sizeof comm, NULL, &sec) == 0) fn(id, comm, sec, arg);
    }
    closedir(d);
}

double bench_cpu_s(pid_t pid) {
    char id[24];
    double s;
    snprintf(id, sizeof id, "%d", (int)pid);
    return bench_proc_stat(id, NULL, 0, NULL, &s) == 0 ? s : -1;
}

double bench_peak_rss_mib(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    double mib = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) mib = strtod(line + 6, NULL) / 1024.0;
    fclose(f);
    return mib;
}

static int cmpI64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

void bench_sort_i64(int64_t *v, size_t n) { qsort(v, n, sizeof *v, cmpI64); }

int64_t bench_percentile(const int64_t *v, size_t n, double p) {
    size_t k = (size_t)ceil(p / 100.0 * (double)n);
    return v[k ? k - 1 : 0];
}
