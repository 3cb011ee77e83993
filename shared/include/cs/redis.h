/* redis.h -- one lazily made hiredis connection with pipelines
 * (shared/src/redis.c), for the modules that keep data in Redis: the
 * timers (timers.c, the timer dispatcher, cscli timers).
 *
 * cs_redis_new() only parses the URL: nothing connects until the first
 * pipeline, so a process that never uses Redis never opens a socket. Every
 * connect and command has a 1 s timeout, so a dead Redis costs a caller
 * about a second, never a hang. A pipeline that fails on a connection made
 * earlier is retried once on a fresh one (a Redis restart is hidden from
 * the caller); callers therefore send only commands that may run twice
 * (ZADD, ZREM, the idempotent Lua scripts of timer_keys.h).
 *
 * Not thread-safe: one cs_redis per thread. */
#ifndef CS_REDIS_H
#define CS_REDIS_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

typedef struct cs_redis cs_redis;

/* redis://[[user]:password@]host[:port][/db]. Returns NULL with errbuf on a
 * bad URL. Does not connect. */
cs_redis *cs_redis_new(const char *url, char *errbuf, size_t errlen);
/* Closes the connection if any; accepts NULL. */
void cs_redis_free(cs_redis *r);

/* Commands queued for one round trip. The caller owns it; args are copied
 * when added, so they may be stack buffers. */
typedef struct cs_redis_pipe cs_redis_pipe;
cs_redis_pipe *cs_redis_pipe_new(void);
void cs_redis_pipe_free(cs_redis_pipe *p);  /* accepts NULL; frees replies too */
void cs_redis_pipe_reset(cs_redis_pipe *p); /* empties it for reuse */
/* Queues one command of argc NUL-terminated words. */
void cs_redis_pipe_add(cs_redis_pipe *p, int argc, const char *const *argv);
size_t cs_redis_pipe_count(const cs_redis_pipe *p);

/* Sends the queued commands and reads every reply. Returns 0 when all
 * replies arrived (individual replies may still be REDIS_REPLY_ERROR), or
 * -1 with errbuf when the connection failed. */
int cs_redis_pipe_run(cs_redis *r, cs_redis_pipe *p, char *errbuf, size_t errlen);
/* The i-th reply after a successful run (owned by the pipe). */
const redisReply *cs_redis_pipe_reply(const cs_redis_pipe *p, size_t i);

/* One command, for the simple cases: returns the reply (the caller frees
 * it with freeReplyObject) or NULL with errbuf (transport failure or an
 * error reply). */
redisReply *cs_redis_command(cs_redis *r, int argc, const char *const *argv, char *errbuf, size_t errlen);

#endif
