/* cmd_topics.c -- `cscli topics create` and `cscli topics list`: the
 * project's Kafka topics (shared/src/topics.c holds the table).
 *
 * create is idempotent (missing topics are created, existing ones left
 * alone) so deploy scripts run it on every start. list compares the
 * cluster with the table: a missing topic or a partition count that
 * differs from the table is shown, and other non-internal topics are
 * listed after the project's. Kafka unreachable is exit 3. */
#include "cscli.h"

#include <stdlib.h>
#include <string.h>

#include "cs/kafka_acl.h"
#include "cs/shop.h"
#include "cs/topics.h"
#include "cs/util.h"

static const char topics_usage[] = "usage: cscli topics [list] [--json]\n"
                                   "         every project topic: partitions in the cluster and in the table,\n"
                                   "         replicas, key and message type; then other topics in the cluster\n"
                                   "       cscli topics create [--replication N] [--json]\n"
                                   "         create the missing topics (idempotent); N replicas, default 1\n";

static const char *state_word(const cs_topic_state *s) {
    if (!s->info) return "other";
    if (s->partitions == 0) return "missing";
    if (s->partitions != s->info->partitions) return "mismatch";
    return "ok";
}

static int do_list(cscli *c) {
    cs_topic_state *st = NULL;
    size_t n = 0;
    char err[512];
    if (cs_topics_list(&c->cfg, &st, &n, err, sizeof err) != 0) return cscli_fail(c, CSCLI_BACKEND, "topics: %s", err);
    if (c->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(doc, "topics");
        for (size_t i = 0; i < n; i++) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "name", st[i].name);
            cJSON_AddStringToObject(t, "status", state_word(&st[i]));
            cscli_json_int(t, "partitions", st[i].partitions);
            cscli_json_int(t, "replication", st[i].replication);
            if (st[i].info) {
                cscli_json_int(t, "expected_partitions", st[i].info->partitions);
                cJSON_AddStringToObject(t, "key", st[i].info->key);
                cJSON_AddStringToObject(t, "message", st[i].info->message);
                cJSON_AddStringToObject(t, "producers", st[i].info->producers);
                cJSON_AddStringToObject(t, "consumers", st[i].info->consumers);
            }
            cJSON_AddItemToArray(arr, t);
        }
        cscli_print_json(c, doc);
    } else {
        cscli_table *t = cscli_table_new(6);
        cscli_table_row(t, "TOPIC", "PARTITIONS", "REPLICAS", "STATUS", "KEY", "MESSAGE");
        for (size_t i = 0; i < n; i++) {
            char parts[32], reps[16];
            if (st[i].info && st[i].partitions == 0)
                snprintf(parts, sizeof parts, "- (want %d)", st[i].info->partitions);
            else if (st[i].info && st[i].partitions != st[i].info->partitions)
                snprintf(parts, sizeof parts, "%d (want %d)", st[i].partitions, st[i].info->partitions);
            else
                snprintf(parts, sizeof parts, "%d", st[i].partitions);
            snprintf(reps, sizeof reps, "%d", st[i].replication);
            cscli_table_row(t, st[i].name, parts, st[i].partitions ? reps : "-", state_word(&st[i]),
                            st[i].info ? st[i].info->key : "-", st[i].info ? st[i].info->message : "-");
        }
        cscli_table_print(t, c->out, "");
        cscli_table_free(t);
    }
    cs_topic_states_free(st, n);
    return CSCLI_OK;
}

/* CS_PII_KAFKA_RETENTION_DAYS, else the largest pii_retention_days of the
 * shops file (docs/security.md "PII retention"); 0 when neither. */
static int retentionDays(cscli *c) {
    if (c->cfg.pii_topic_days > 0) return c->cfg.pii_topic_days;
    char err[512];
    cs_shops *shops = cs_shops_load(c->cfg.shops_file, err, sizeof err);
    if (!shops) {
        fprintf(c->err, "cscli: note: shops file unreadable (%s): inbound topics keep the broker's retention\n", err);
        return 0;
    }
    int days = 0;
    for (size_t i = 0; cs_shops_at(shops, i); i++)
        if (cs_shops_at(shops, i)->th.pii_retention_days > days) days = cs_shops_at(shops, i)->th.pii_retention_days;
    cs_shops_free(shops);
    return days;
}

static int do_create(cscli *c, int replication) {
    c->cfg.pii_topic_days = retentionDays(c);
    size_t n;
    cs_topics(&n);
    cs_topic_result *res = cs_xcalloc(n, sizeof *res);
    char err[512];
    if (cs_topics_create_results(&c->cfg, replication, res, err, sizeof err) != 0) {
        free(res);
        return cscli_fail(c, CSCLI_BACKEND, "topics create: %s", err);
    }
    size_t created = 0;
    for (size_t i = 0; i < n; i++) created += res[i].outcome == CS_TOPIC_CREATED;
    /* the roles' ACLs (kafka_acl.h) with the topics they are about; a
     * cluster without an authorizer has none to make */
    bool noAuthorizer = false;
    int acls = cs_kafka_acls_apply(&c->cfg, &noAuthorizer, err, sizeof err);
    if (acls < 0) {
        free(res);
        return cscli_fail(c, CSCLI_BACKEND, "topics create: ACLs: %s", err);
    }
    if (c->json) {
        cJSON *doc = cJSON_CreateObject();
        cscli_json_int(doc, "created", (int64_t)created);
        if (noAuthorizer)
            cJSON_AddNullToObject(doc, "acls");
        else
            cscli_json_int(doc, "acls", acls);
        cJSON *arr = cJSON_AddArrayToObject(doc, "topics");
        for (size_t i = 0; i < n; i++) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "name", res[i].topic->name);
            cJSON_AddStringToObject(t, "status", res[i].outcome == CS_TOPIC_CREATED ? "created" : "exists");
            cscli_json_int(t, "partitions", res[i].actual_partitions);
            cscli_json_int(t, "expected_partitions", res[i].topic->partitions);
            if (cs_topic_holds_pii(res[i].topic->name) && c->cfg.pii_topic_days > 0)
                cscli_json_int(t, "retention_ms", (int64_t)c->cfg.pii_topic_days * 86400000);
            cJSON_AddBoolToObject(t, "retention_set", res[i].retention_set);
            cJSON_AddItemToArray(arr, t);
        }
        cscli_print_json(c, doc);
    } else {
        cscli_table *t = cscli_table_new(3);
        cscli_table_row(t, "TOPIC", "PARTITIONS", "STATUS");
        for (size_t i = 0; i < n; i++) {
            char parts[32];
            if (res[i].actual_partitions != res[i].topic->partitions)
                snprintf(parts, sizeof parts, "%d (want %d)", res[i].actual_partitions, res[i].topic->partitions);
            else
                snprintf(parts, sizeof parts, "%d", res[i].actual_partitions);
            cscli_table_row(t, res[i].topic->name, parts, res[i].outcome == CS_TOPIC_CREATED ? "created" : "exists");
        }
        cscli_table_print(t, c->out, "");
        cscli_table_free(t);
        fprintf(c->out, "%zu created, %zu already there\n", created, n - created);
        if (noAuthorizer)
            fprintf(c->out, "ACLs: none made (the cluster has no authorizer)\n");
        else
            fprintf(c->out, "ACLs: %d bindings for the roles (docs/security.md)\n", acls);
    }
    free(res);
    return CSCLI_OK;
}

int cscli_cmd_topics(cscli *c, int argc, char **argv) {
    bool help = false, json = false;
    const char *repl_s = NULL;
    const cscli_opt opts[] = {{"--json", &json, NULL}, {"--help", &help, NULL}, {"--replication", NULL, &repl_s}};
    const char *pos[1];
    int npos;
    char err[512];
    int rc = cscli_parse_args(argc - 1, argv + 1, opts, sizeof opts / sizeof opts[0], pos, 1, &npos, err, sizeof err);
    c->json |= json;
    if (rc != 0) return cscli_usage_error(c, topics_usage, "topics: %s", err);
    if (help) {
        fputs(topics_usage, c->out);
        return CSCLI_OK;
    }
    const char *sub = npos ? pos[0] : "list";
    int replication = 1;
    if (strcmp(sub, "create") == 0) {
        if (repl_s && cscli_parse_int(repl_s, 32, &replication) != 0)
            return cscli_usage_error(c, topics_usage, "topics create: --replication must be 1..32, got '%s'", repl_s);
    } else if (strcmp(sub, "list") == 0) {
        if (repl_s) return cscli_usage_error(c, topics_usage, "topics list: --replication is for create");
    } else {
        return cscli_usage_error(c, topics_usage, "topics: unknown subcommand '%s'", sub);
    }
    if ((rc = cscli_load_config(c)) != CSCLI_OK) return rc;
    return strcmp(sub, "create") == 0 ? do_create(c, replication) : do_list(c);
}
