/* redis.c -- a lazily made hiredis connection and command pipelines (see
 * redis.h).
 *
 * A pipeline keeps its commands as argument vectors until it runs: the
 * connection may have to be remade between queueing and sending, and a
 * retry must resend the same commands, which hiredis's own output buffer
 * (redisAppendCommand) cannot do once it is lost with its context. */
#include "cs/redis.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cs/identity.h"
#include "cs/log.h"
#include "cs/util.h"

#define REDIS_TIMEOUT_MS 1000

struct cs_redis {
    char host[256];     /* server host */
    int port;           /* server port */
    int db;             /* SELECT this db after connecting (0 = default) */
    char password[128]; /* AUTH with this when not empty */
    redisContext *rc;   /* owned; NULL until connected or after a failure */
    bool down;          /* the last attempt failed (log transitions once) */
};

typedef struct pipeCmd {
    int argc;
    char **argv;  /* owned words */
    size_t *lens; /* owned lengths */
} pipeCmd;

struct cs_redis_pipe {
    pipeCmd *cmds; /* owned */
    size_t n, cap;
    redisReply **replies; /* owned after a run, n entries */
    size_t nreplies;
};

static int parseUrl(cs_redis *r, const char *url, char *errbuf, size_t errlen) {
    static const char scheme[] = "redis://";
    if (!url || strncmp(url, scheme, sizeof scheme - 1) != 0) goto bad;
    const char *p = url + sizeof scheme - 1;
    const char *at = strchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        size_t n = (size_t)(at - pw);
        if (n >= sizeof r->password) goto bad;
        memcpy(r->password, pw, n);
        r->password[n] = '\0';
        p = at + 1;
    }
    size_t hn = strcspn(p, ":/");
    if (hn == 0 || hn >= sizeof r->host) goto bad;
    memcpy(r->host, p, hn);
    r->host[hn] = '\0';
    p += hn;
    r->port = 6379;
    if (*p == ':') {
        char *end;
        errno = 0;
        long port = strtol(p + 1, &end, 10);
        if (errno || end == p + 1 || port < 1 || port > 65535) goto bad;
        r->port = (int)port;
        p = end;
    }
    if (*p == '/') {
        if (p[1]) {
            char *end;
            long db = strtol(p + 1, &end, 10);
            if (*end || db < 0 || db > 1000) goto bad;
            r->db = (int)db;
        }
        p += strlen(p);
    }
    if (*p) goto bad;
    return 0;
bad:
    snprintf(errbuf, errlen, "bad Redis URL '%s' (want redis://host[:port][/db])", url ? url : "");
    return -1;
}

cs_redis *cs_redis_new(const char *url, char *errbuf, size_t errlen) {
    cs_redis *r = cs_xcalloc(1, sizeof *r);
    if (parseUrl(r, url, errbuf, errlen) != 0) {
        free(r);
        return NULL;
    }
    return r;
}

static void dropConn(cs_redis *r) {
    if (r->rc) redisFree(r->rc);
    r->rc = NULL;
}

void cs_redis_free(cs_redis *r) {
    if (!r) return;
    dropConn(r);
    free(r);
}

/* A short command on a fresh connection (AUTH, SELECT); 0 or -1. */
static int setupCommand(cs_redis *r, const char *what, int argc, const char **argv, char *errbuf, size_t errlen) {
    redisReply *rep = redisCommandArgv(r->rc, argc, argv, NULL);
    bool ok = rep && rep->type != REDIS_REPLY_ERROR;
    if (!ok)
        snprintf(errbuf, errlen, "Redis %s:%d: %s failed: %s", r->host, r->port, what, rep ? rep->str : r->rc->errstr);
    if (rep) freeReplyObject(rep);
    return ok ? 0 : -1;
}

static int connectNow(cs_redis *r, char *errbuf, size_t errlen) {
    struct timeval tv = {REDIS_TIMEOUT_MS / 1000, (REDIS_TIMEOUT_MS % 1000) * 1000};
    redisContext *rc = redisConnectWithTimeout(r->host, r->port, tv);
    if (!rc) {
        snprintf(errbuf, errlen, "Redis %s:%d: cannot allocate a context", r->host, r->port);
        return -1;
    }
    if (rc->err) {
        snprintf(errbuf, errlen, "Redis %s:%d: %s", r->host, r->port, rc->errstr);
        redisFree(rc);
        return -1;
    }
    redisSetTimeout(rc, tv);
    r->rc = rc;
    /* a password in the URL wins (AUTH as the default user); else the
     * role's own ACL user and password (identity.h) */
    const cs_identity *id = cs_identity_get();
    const char *argv[] = {"AUTH", id->redis_user, id->redis_password};
    int argc = 3;
    if (r->password[0]) argv[1] = r->password, argc = 2;
    if ((argc == 2 || id->redis_password[0]) && setupCommand(r, "AUTH", argc, argv, errbuf, errlen) != 0) {
        dropConn(r);
        return -1;
    }
    if (r->db) {
        char db[16];
        snprintf(db, sizeof db, "%d", r->db);
        const char *argv[] = {"SELECT", db};
        if (setupCommand(r, "SELECT", 2, argv, errbuf, errlen) != 0) {
            dropConn(r);
            return -1;
        }
    }
    return 0;
}

cs_redis_pipe *cs_redis_pipe_new(void) { return cs_xcalloc(1, sizeof(cs_redis_pipe)); }

static void pipeFreeReplies(cs_redis_pipe *p) {
    for (size_t i = 0; i < p->nreplies; i++)
        if (p->replies[i]) freeReplyObject(p->replies[i]);
    free(p->replies);
    p->replies = NULL;
    p->nreplies = 0;
}

void cs_redis_pipe_reset(cs_redis_pipe *p) {
    pipeFreeReplies(p);
    for (size_t i = 0; i < p->n; i++) {
        for (int k = 0; k < p->cmds[i].argc; k++) free(p->cmds[i].argv[k]);
        free(p->cmds[i].argv);
        free(p->cmds[i].lens);
    }
    p->n = 0;
}

void cs_redis_pipe_free(cs_redis_pipe *p) {
    if (!p) return;
    cs_redis_pipe_reset(p);
    free(p->cmds);
    free(p);
}

void cs_redis_pipe_add(cs_redis_pipe *p, int argc, const char *const *argv) {
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 16;
        p->cmds = cs_xrealloc(p->cmds, p->cap * sizeof *p->cmds);
    }
    pipeCmd *c = &p->cmds[p->n++];
    c->argc = argc;
    c->argv = cs_xcalloc((size_t)argc, sizeof *c->argv);
    c->lens = cs_xcalloc((size_t)argc, sizeof *c->lens);
    for (int k = 0; k < argc; k++) {
        c->argv[k] = cs_xstrdup(argv[k]);
        c->lens[k] = strlen(argv[k]);
    }
}

size_t cs_redis_pipe_count(const cs_redis_pipe *p) { return p->n; }

const redisReply *cs_redis_pipe_reply(const cs_redis_pipe *p, size_t i) {
    return i < p->nreplies ? p->replies[i] : NULL;
}

/* One attempt: connect if needed, append everything, read every reply. */
static int pipeOnce(cs_redis *r, cs_redis_pipe *p, char *errbuf, size_t errlen) {
    if (!r->rc && connectNow(r, errbuf, errlen) != 0) return -1;
    for (size_t i = 0; i < p->n; i++)
        if (redisAppendCommandArgv(r->rc, p->cmds[i].argc, (const char **)p->cmds[i].argv, p->cmds[i].lens) != REDIS_OK)
            goto lost;
    p->replies = cs_xcalloc(p->n ? p->n : 1, sizeof *p->replies);
    for (size_t i = 0; i < p->n; i++) {
        void *rep = NULL;
        if (redisGetReply(r->rc, &rep) != REDIS_OK || !rep) goto lost;
        p->replies[p->nreplies++] = rep;
    }
    return 0;
lost:
    snprintf(errbuf, errlen, "Redis %s:%d: %s", r->host, r->port, r->rc->errstr[0] ? r->rc->errstr : "no reply");
    pipeFreeReplies(p);
    dropConn(r);
    return -1;
}

int cs_redis_pipe_run(cs_redis *r, cs_redis_pipe *p, char *errbuf, size_t errlen) {
    pipeFreeReplies(p);
    bool had = r->rc != NULL;
    int rc = pipeOnce(r, p, errbuf, errlen);
    /* A kept connection may have gone stale (server restarted): once more. */
    if (rc != 0 && had) rc = pipeOnce(r, p, errbuf, errlen);
    if (rc != 0 && !r->down) {
        cs_log_warn("redis: %s", errbuf);
        r->down = true;
    } else if (rc == 0 && r->down) {
        cs_log_info("redis: %s:%d reachable again", r->host, r->port);
        r->down = false;
    }
    return rc;
}

redisReply *cs_redis_command(cs_redis *r, int argc, const char *const *argv, char *errbuf, size_t errlen) {
    cs_redis_pipe *p = cs_redis_pipe_new();
    cs_redis_pipe_add(p, argc, argv);
    redisReply *rep = NULL;
    if (cs_redis_pipe_run(r, p, errbuf, errlen) == 0) {
        rep = p->replies[0];
        p->replies[0] = NULL;
        if (rep->type == REDIS_REPLY_ERROR) {
            snprintf(errbuf, errlen, "Redis %s: %s", argv[0], rep->str);
            freeReplyObject(rep);
            rep = NULL;
        }
    }
    cs_redis_pipe_free(p);
    return rep;
}
