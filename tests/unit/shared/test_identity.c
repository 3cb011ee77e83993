/* test_identity.c -- the process's role and passwords (shared/src/
 * identity.c): which role a program is, where each password comes from,
 * and the files that are refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct.h"
#include "cs/identity.h"

static char dir[] = "/tmp/cs-test-identity-XXXXXX";

static void put(const char *name, const char *text, mode_t mode) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static void drop(const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

static void test_a_worker_is_its_own_role_whatever_cs_role_says(void) {
    CT_EQ_STR(cs_role_of("order-verifier", "admin"), "order-verifier");
    CT_EQ_STR(cs_role_of("gateway", ""), "gateway");
    CT_EQ_STR(cs_role_of("timer-dispatcher", "operator"), "timer-dispatcher");
}

static void test_a_tool_is_cs_role_or_the_operator(void) {
    CT_EQ_STR(cs_role_of("cscli", ""), "operator");
    CT_EQ_STR(cs_role_of("cscli", NULL), "operator");
    CT_EQ_STR(cs_role_of("bench", "admin"), "admin");
    CT_CHECK(cs_role_known("admin"));
    CT_CHECK(cs_role_known("refund-notifier"));
    CT_CHECK(!cs_role_known("root"));
    CT_CHECK(!cs_role_known(""));
}

static void test_unknown_cs_role_is_refused_naming_the_variable(void) {
    cs_identity id;
    char err[512] = "";
    cs_identity_source src = {.program = "cscli", .role = "superuser"};
    CT_EQ_INT(cs_identity_build(&src, &id, err, sizeof err), -1);
    CT_CHECK(strstr(err, "CS_ROLE") != NULL && strstr(err, "superuser") != NULL);
}

static void test_secrets_dir_gives_each_server_the_roles_password_and_user(void) {
    put("order-verifier.pg", "pg-secret\n", 0600);
    put("order-verifier.redis", "redis-secret", 0600);
    put("order-verifier.kafka", "kafka-secret\r\n", 0600);
    put("kafka-ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
    cs_identity id;
    char err[512] = "";
    cs_identity_source src = {.program = "order-verifier", .role = "admin", .secrets_dir = dir};
    CT_EQ_INT(cs_identity_build(&src, &id, err, sizeof err), 0);
    CT_EQ_STR(id.role, "order-verifier");
    CT_EQ_STR(id.pg_user, "cs_order_verifier");
    CT_EQ_STR(id.pg_password, "pg-secret");
    CT_EQ_STR(id.redis_user, "order-verifier");
    CT_EQ_STR(id.redis_password, "redis-secret");
    CT_EQ_STR(id.kafka_user, "order-verifier");
    CT_EQ_STR(id.kafka_password, "kafka-secret");
    char ca[300];
    snprintf(ca, sizeof ca, "%s/kafka-ca.pem", dir);
    CT_EQ_STR(id.kafka_ca, ca);
    drop("order-verifier.pg");
    drop("order-verifier.redis");
    drop("order-verifier.kafka");
    drop("kafka-ca.pem");
}

static void test_the_admins_redis_user_is_default(void) {
    put("admin.redis", "r", 0600);
    cs_identity id;
    char err[512] = "";
    cs_identity_source src = {.program = "it_smoke", .role = "admin", .secrets_dir = dir};
    CT_EQ_INT(cs_identity_build(&src, &id, err, sizeof err), 0);
    CT_EQ_STR(id.redis_user, "default");
    CT_EQ_STR(id.pg_user, ""); /* no admin.pg: the DSN's own user */
    CT_EQ_STR(id.pg_password, "");
    drop("admin.redis");
}

static void test_an_explicit_file_wins_over_the_secrets_dir(void) {
    put("notifier.kafka", "from-dir", 0600);
    put("mine", "from-file\n", 0400);
    char file[300];
    snprintf(file, sizeof file, "%s/mine", dir);
    cs_identity id;
    char err[512] = "";
    cs_identity_source src = {.program = "notifier", .secrets_dir = dir, .kafka_file = file};
    CT_EQ_INT(cs_identity_build(&src, &id, err, sizeof err), 0);
    CT_EQ_STR(id.kafka_password, "from-file");
    CT_EQ_STR(id.kafka_ca, ""); /* no CA: SCRAM without TLS */
    drop("notifier.kafka");
    drop("mine");
}

static void test_a_file_open_to_other_users_is_refused(void) {
    put("operator.pg", "secret", 0644);
    cs_identity id;
    char err[512] = "";
    cs_identity_source src = {.program = "cscli", .secrets_dir = dir};
    CT_EQ_INT(cs_identity_build(&src, &id, err, sizeof err), -1);
    CT_CHECK(strstr(err, "open to other users") != NULL);
    CT_CHECK(strstr(err, "secret\n") == NULL && strstr(err, ": secret") == NULL);
    CT_EQ_STR(id.pg_password, "");
    put("operator.pg", "secret", 0620); /* group-writable */
    CT_EQ_INT(cs_identity_build(&src, &id, err, sizeof err), -1);
    put("operator.pg", "secret", 0640); /* group-readable: a Secret mounted with fsGroup */
    CT_EQ_INT(cs_identity_build(&src, &id, err, sizeof err), 0);
    CT_EQ_STR(id.pg_password, "secret");
    drop("operator.pg");
}

static void test_empty_multiline_and_missing_files_are_refused(void) {
    cs_identity id;
    char err[512] = "";
    put("p", "\n", 0600);
    char file[300];
    snprintf(file, sizeof file, "%s/p", dir);
    cs_identity_source src = {.program = "cscli", .pg_file = file};
    CT_EQ_INT(cs_identity_build(&src, &id, err, sizeof err), -1);
    CT_CHECK(strstr(err, "CS_PG_PASSWORD_FILE") != NULL);
    put("p", "one\ntwo\n", 0600);
    CT_EQ_INT(cs_identity_build(&src, &id, err, sizeof err), -1);
    drop("p");
    CT_EQ_INT(cs_identity_build(&src, &id, err, sizeof err), -1);
    CT_CHECK(strstr(err, "cannot open") != NULL);
    src = (cs_identity_source){.program = "cscli", .kafka_ca = file};
    CT_EQ_INT(cs_identity_build(&src, &id, err, sizeof err), -1);
    CT_CHECK(strstr(err, "CS_KAFKA_CA_FILE") != NULL);
}

static void test_no_password_anywhere_means_no_credentials(void) {
    cs_identity id;
    char err[512] = "";
    cs_identity_source src = {.program = "refund-notifier", .secrets_dir = dir};
    CT_EQ_INT(cs_identity_build(&src, &id, err, sizeof err), 0);
    CT_EQ_STR(id.role, "refund-notifier");
    CT_EQ_STR(id.pg_user, "");
    CT_EQ_STR(id.redis_user, "");
    CT_EQ_STR(id.kafka_user, "");
}

static void setup(void) {
    if (!mkdtemp(dir)) abort();
}

static void teardown(void) { rmdir(dir); }

static void test_setup(void) { setup(); }
static void test_teardown(void) {
    teardown();
    CT_CHECK(access(dir, F_OK) != 0);
}

CT_MAIN(CT_CASE(test_setup), CT_CASE(test_a_worker_is_its_own_role_whatever_cs_role_says),
        CT_CASE(test_a_tool_is_cs_role_or_the_operator), CT_CASE(test_unknown_cs_role_is_refused_naming_the_variable),
        CT_CASE(test_secrets_dir_gives_each_server_the_roles_password_and_user),
        CT_CASE(test_the_admins_redis_user_is_default), CT_CASE(test_an_explicit_file_wins_over_the_secrets_dir),
        CT_CASE(test_a_file_open_to_other_users_is_refused), CT_CASE(test_empty_multiline_and_missing_files_are_refused),
        CT_CASE(test_no_password_anywhere_means_no_credentials), CT_CASE(test_teardown))
