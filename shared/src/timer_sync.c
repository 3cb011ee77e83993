/* timer_sync.c -- PostgreSQL's pending timers back into Redis (see
 * timer_sync.h).
 *
 * Races it tolerates, each costing at most a second firing of the same
 * generation (same event id: the owner dedupes, and cs_timer_take_fired
 * acts once): a row read here that is claimed, produced, taken by its
 * owner and removed from inflight before the ZSCOREs run is found in
 * neither set and added again. A timer rescheduled between the read and
 * the ZADD gets its old generation's member back: it fires, and its owner
 * ignores it (the generation is not the row's). */
#include "cs/timer_sync.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/clock.h"
#include "cs/pg.h"
#include "cs/timer_keys.h"
#include "cs/util.h"

static const char sqlAll[] = "SELECT owner, timer_id, generation, due_ms, kind, order_key, payload FROM timers "
                             "WHERE status = 'pending' AND (owner, timer_id) > ($1, $2) "
                             "ORDER BY owner, timer_id LIMIT 1000";
/* The recent rows through their own index (timers_pending_recent_key, on
 * the page key (scheduled_at, owner, timer_id), migration 0017): walking the
 * pending rows by key and filtering on scheduled_at read every pending
 * timer on every pass, which after a burst of scheduling (a review wave's
 * 250 000 follow-ups) cost more than the firing itself. */
static const char sqlRecent[] = "SELECT owner, timer_id, generation, due_ms, kind, order_key, payload, scheduled_at "
                                "FROM timers WHERE status = 'pending' "
                                "AND scheduled_at >= greatest(now() - make_interval(secs => $3::int), $4::timestamptz) "
                                "AND (scheduled_at, owner, timer_id) > ($4::timestamptz, $1, $2) "
                                "ORDER BY scheduled_at, owner, timer_id LIMIT 1000";

int cs_timer_member_of_row(char *out, size_t outlen, const char *owner, const char *timer_id, const char *generation,
                           const char *due_ms, const char *kind, const char *order_key, const char *payload_bytea) {
    size_t plen = 0;
    unsigned char *payload = PQunescapeBytea((const unsigned char *)payload_bytea, &plen);
    if (!payload) return -1;
    cs_timer_fields f = {owner,   timer_id, kind, order_key, strtoll(generation, NULL, 10), strtoll(due_ms, NULL, 10),
                         payload, plen};
    int rc = cs_timer_member(out, outlen, &f);
    PQfreemem(payload);
    return rc;
}

/* Checks one page of rows and re-adds the missing. 0 or -1. */
static int syncPage(cs_redis *redis, cs_redis_pipe *p, PGresult *r, long *restored, char *errbuf, size_t errlen) {
    int nr = PQntuples(r);
    if (nr == 0) return 0;
    /* one string per row: a page of CS_TIMER_MEMBER_MAX slots would be 2 MB
     * of mostly unused memory touched every pass */
    char **members = cs_xcalloc((size_t)nr, sizeof *members);
    char m[CS_TIMER_MEMBER_MAX];
    int *shard = cs_xcalloc((size_t)nr, sizeof *shard);
    cs_redis_pipe_reset(p);
    for (int j = 0; j < nr; j++) {
        const char *owner = PQgetvalue(r, j, 0), *id = PQgetvalue(r, j, 1);
        char due[CS_TIMER_KEY_LEN], inf[CS_TIMER_KEY_LEN];
        shard[j] = cs_timer_shard(owner, id);
        cs_timer_due_key(due, sizeof due, shard[j]);
        cs_timer_inflight_key(inf, sizeof inf, shard[j]);
        if (cs_timer_member_of_row(m, sizeof m, owner, id, PQgetvalue(r, j, 2), PQgetvalue(r, j, 3),
                                   PQgetvalue(r, j, 4), PQgetvalue(r, j, 5), PQgetvalue(r, j, 6)) != 0)
            m[0] = 0; /* cannot be in Redis; cs_timer_schedule refuses such rows */
        members[j] = cs_xstrdup(m);
        cs_redis_pipe_add(p, 3, (const char *[]){"ZSCORE", due, members[j]});
        cs_redis_pipe_add(p, 3, (const char *[]){"ZSCORE", inf, members[j]});
    }
    int rc = cs_redis_pipe_run(redis, p, errbuf, errlen);
    if (rc == 0) {
        bool *missing = cs_xcalloc((size_t)nr, sizeof *missing);
        for (int j = 0; j < nr; j++) {
            const redisReply *a = cs_redis_pipe_reply(p, 2 * (size_t)j);
            const redisReply *b = cs_redis_pipe_reply(p, 2 * (size_t)j + 1);
            missing[j] = members[j][0] && a && a->type == REDIS_REPLY_NIL && b && b->type == REDIS_REPLY_NIL;
        }
        cs_redis_pipe_reset(p);
        for (int j = 0; j < nr; j++) {
            if (!missing[j]) continue;
            char due[CS_TIMER_KEY_LEN];
            cs_timer_due_key(due, sizeof due, shard[j]);
            cs_redis_pipe_add(p, 5, (const char *[]){"ZADD", due, "NX", PQgetvalue(r, j, 3), members[j]});
        }
        long add = (long)cs_redis_pipe_count(p);
        if (add) rc = cs_redis_pipe_run(redis, p, errbuf, errlen);
        if (rc == 0) *restored += add;
        free(missing);
    }
    for (int j = 0; j < nr; j++) free(members[j]);
    free(members);
    free(shard);
    return rc;
}

int cs_timer_sync(PGconn *pg, cs_redis *redis, int window_s, cs_timer_sync_progress progress, void *arg,
                  cs_timer_sync_stats *out, char *errbuf, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (window_s <= 0) {
        /* Set before the pass: data lost during it removes the key again. */
        char real[24];
        snprintf(real, sizeof real, "%" PRId64, cs_real_ms());
        redisReply *r = cs_redis_command(redis, 3, (const char *[]){"SET", CS_TIMER_EPOCH_KEY, real}, errbuf, errlen);
        if (!r) return -1;
        freeReplyObject(r);
    }
    char since[16];
    snprintf(since, sizeof since, "%d", window_s);
    char after_owner[128] = "", after_id[384] = "", after_at[64] = "-infinity";
    cs_redis_pipe *p = cs_redis_pipe_new();
    int rc = 0;
    for (;;) {
        const char *params[4] = {after_owner, after_id, since, after_at};
        PGresult *r = NULL;
        if (cs_pg_exec(pg, window_s > 0 ? sqlRecent : sqlAll, window_s > 0 ? 4 : 2, params, &r, errbuf, errlen) != 0) {
            rc = -1;
            break;
        }
        int nr = PQntuples(r);
        rc = syncPage(redis, p, r, &out->restored, errbuf, errlen);
        out->checked += nr;
        if (nr > 0) {
            cs_strlcpy(after_owner, PQgetvalue(r, nr - 1, 0), sizeof after_owner);
            cs_strlcpy(after_id, PQgetvalue(r, nr - 1, 1), sizeof after_id);
            if (window_s > 0) cs_strlcpy(after_at, PQgetvalue(r, nr - 1, 7), sizeof after_at);
        }
        PQclear(r);
        if (rc != 0) break;
        if (progress && !progress(arg, out)) break;
        if (nr < CS_TIMER_SYNC_PAGE) break;
    }
    cs_redis_pipe_free(p);
    return rc;
}
