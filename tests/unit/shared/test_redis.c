/* test_redis.c -- the Redis helper without a server (shared/src/redis.c):
 * URL checking, pipelines queued and reset, and a dead server reported as
 * -1 with a reason, quickly and without a connection left behind. The
 * commands against a live Redis run in it_timers. */
#include <string.h>

#include "ct.h"
#include "cs/clock.h"
#include "cs/redis.h"

static void test_urls_are_checked_without_connecting(void) {
    char err[256];
    const char *good[] = {"redis://127.0.0.1:6379", "redis://localhost", "redis://h:1/3", "redis://:secret@h:6380/0",
                          NULL};
    for (int i = 0; good[i]; i++) {
        cs_redis *r = cs_redis_new(good[i], err, sizeof err);
        if (!r) fprintf(stderr, "  refused %s: %s\n", good[i], err);
        CT_CHECK(r != NULL);
        cs_redis_free(r);
    }
    const char *bad[] = {
        "", "http://h:1", "redis://", "redis://h:0", "redis://h:70000", "redis://h:12x", "redis://h/x", NULL};
    for (int i = 0; bad[i]; i++) {
        err[0] = 0;
        cs_redis *r = cs_redis_new(bad[i], err, sizeof err);
        if (r) fprintf(stderr, "  accepted %s\n", bad[i]);
        CT_CHECK(r == NULL);
        CT_CHECK(strstr(err, "bad Redis URL") != NULL);
    }
    cs_redis_free(NULL);
}

static void test_pipeline_queues_copies_and_resets(void) {
    cs_redis_pipe *p = cs_redis_pipe_new();
    char word[8] = "ZADD";
    cs_redis_pipe_add(p, 4, (const char *[]){word, "k", "1", "m"});
    word[0] = 'X'; /* the pipe holds its own copy */
    cs_redis_pipe_add(p, 3, (const char *[]){"ZREM", "k", "m"});
    CT_EQ_INT(cs_redis_pipe_count(p), 2);
    CT_CHECK(cs_redis_pipe_reply(p, 0) == NULL); /* not run yet */
    cs_redis_pipe_reset(p);
    CT_EQ_INT(cs_redis_pipe_count(p), 0);
    cs_redis_pipe_free(p);
    cs_redis_pipe_free(NULL);
}

static void test_dead_server_is_reported_quickly(void) {
    char err[256] = "";
    cs_redis *r = cs_redis_new("redis://127.0.0.1:1", err, sizeof err);
    CT_CHECK(r != NULL);
    if (!r) return;
    cs_redis_pipe *p = cs_redis_pipe_new();
    cs_redis_pipe_add(p, 1, (const char *[]){"PING"});
    int64_t t0 = cs_mono_ms();
    CT_EQ_INT(cs_redis_pipe_run(r, p, err, sizeof err), -1);
    CT_CHECK(cs_mono_ms() - t0 < 3000);
    CT_CHECK(strstr(err, "127.0.0.1:1") != NULL);
    CT_CHECK(cs_redis_pipe_reply(p, 0) == NULL);
    CT_CHECK(cs_redis_command(r, 1, (const char *[]){"PING"}, err, sizeof err) == NULL);
    cs_redis_pipe_free(p);
    cs_redis_free(r);
}

CT_MAIN(CT_CASE(test_urls_are_checked_without_connecting), CT_CASE(test_pipeline_queues_copies_and_resets),
        CT_CASE(test_dead_server_is_reported_quickly))
