/* identity.c -- the process's role and its passwords (see identity.h).
 *
 * A password file holds the password and at most one line end; a file
 * that other users could read or change is refused before it is read,
 * like libpq refuses such a ~/.pgpass, so a secret that leaked on disk
 * stops the process with a reason instead of being used. Group access is
 * allowed: a Kubernetes Secret mounted with fsGroup is group-readable. */
#include "cs/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cs/util.h"

static const char *const worker_roles[] = {
    "order-verifier", "exception-handler", "refund-notifier", "review-scheduler",
    "notifier",       "timer-dispatcher",  "gateway",         NULL,
};

static cs_identity processIdentity;

bool cs_role_known(const char *role) {
    if (!role) return false;
    if (strcmp(role, "operator") == 0 || strcmp(role, "admin") == 0) return true;
    for (size_t i = 0; worker_roles[i]; i++)
        if (strcmp(role, worker_roles[i]) == 0) return true;
    return false;
}

const char *cs_role_of(const char *program, const char *tool_role) {
    for (size_t i = 0; program && worker_roles[i]; i++)
        if (strcmp(program, worker_roles[i]) == 0) return worker_roles[i];
    return tool_role && *tool_role ? tool_role : "operator";
}

/* Reads one password file into out; 0, or -1 with the reason. */
static int readSecret(const char *var, const char *path, char *out, size_t outlen, char *errbuf, size_t errlen) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errbuf, errlen, "%s: cannot open %s: %s", var, path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(errbuf, errlen, "%s: %s is not a regular file", var, path);
        close(fd);
        return -1;
    }
    if (st.st_mode & (S_IRWXO | S_IWGRP)) {
        snprintf(errbuf, errlen, "%s: %s is open to other users (mode %04o): chmod 600 it", var, path,
                 (unsigned)(st.st_mode & 07777));
        close(fd);
        return -1;
    }
    char buf[CS_SECRET_MAX + 2];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (n < 0) {
        snprintf(errbuf, errlen, "%s: cannot read %s: %s", var, path, strerror(errno));
        return -1;
    }
    size_t len = (size_t)n;
    if (len && buf[len - 1] == '\n') len--;
    if (len && buf[len - 1] == '\r') len--;
    if (len == 0 || len >= outlen || memchr(buf, '\n', len) || memchr(buf, '\0', len)) {
        snprintf(errbuf, errlen, "%s: %s must hold one password of 1 to %zu bytes on one line", var, path,
                 outlen - 1);
        return -1;
    }
    memcpy(out, buf, len);
    out[len] = '\0';
    return 0;
}

/* One server's password: the explicit file, else <dir>/<role>.<ext> when
 * that exists, else none. */
static int serverSecret(const char *var, const char *file, const char *dir, const char *role, const char *ext,
                        char *out, size_t outlen, char *errbuf, size_t errlen) {
    out[0] = '\0';
    if (file && *file) return readSecret(var, file, out, outlen, errbuf, errlen);
    if (!dir || !*dir) return 0;
    char path[CS_PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s.%s", dir, role, ext);
    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(errbuf, errlen, "CS_SECRETS_DIR: path too long");
        return -1;
    }
    if (access(path, F_OK) != 0) return 0;
    return readSecret("CS_SECRETS_DIR", path, out, outlen, errbuf, errlen);
}

int cs_identity_build(const cs_identity_source *src, cs_identity *out, char *errbuf, size_t errlen) {
    memset(out, 0, sizeof *out);
    const char *role = cs_role_of(src->program, src->role);
    if (!cs_role_known(role)) {
        snprintf(errbuf, errlen,
                 "CS_ROLE: must be operator, admin or a worker's name (order-verifier, exception-handler, "
                 "refund-notifier, review-scheduler, notifier, timer-dispatcher, gateway), got '%s'",
                 role);
        return -1;
    }
    cs_strlcpy(out->role, role, sizeof out->role);
    if (serverSecret("CS_PG_PASSWORD_FILE", src->pg_file, src->secrets_dir, role, "pg", out->pg_password,
                     sizeof out->pg_password, errbuf, errlen) != 0 ||
        serverSecret("CS_REDIS_PASSWORD_FILE", src->redis_file, src->secrets_dir, role, "redis",
                     out->redis_password, sizeof out->redis_password, errbuf, errlen) != 0 ||
        serverSecret("CS_KAFKA_PASSWORD_FILE", src->kafka_file, src->secrets_dir, role, "kafka",
                     out->kafka_password, sizeof out->kafka_password, errbuf, errlen) != 0) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    /* PostgreSQL role names cannot hold '-' unquoted: cs_order_verifier */
    if (out->pg_password[0]) {
        snprintf(out->pg_user, sizeof out->pg_user, "cs_%s", role);
        for (char *p = out->pg_user; *p; p++)
            if (*p == '-') *p = '_';
    }
    /* Redis's admin is its "default" user, so that redis-cli's REDISCLI_AUTH
     * (a password without a user) is the admin's */
    if (out->redis_password[0])
        cs_strlcpy(out->redis_user, strcmp(role, "admin") == 0 ? "default" : role, sizeof out->redis_user);
    if (out->kafka_password[0]) cs_strlcpy(out->kafka_user, role, sizeof out->kafka_user);
    if (src->kafka_ca && *src->kafka_ca) {
        if (access(src->kafka_ca, R_OK) != 0) {
            snprintf(errbuf, errlen, "CS_KAFKA_CA_FILE: cannot read %s: %s", src->kafka_ca, strerror(errno));
            memset(out, 0, sizeof *out);
            return -1;
        }
        cs_strlcpy(out->kafka_ca, src->kafka_ca, sizeof out->kafka_ca);
    } else if (src->secrets_dir && *src->secrets_dir) {
        char path[CS_PATH_MAX];
        int n = snprintf(path, sizeof path, "%s/kafka-ca.pem", src->secrets_dir);
        if (n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0)
            cs_strlcpy(out->kafka_ca, path, sizeof out->kafka_ca);
    }
    return 0;
}

const cs_identity *cs_identity_get(void) { return &processIdentity; }

void cs_identity_set(const cs_identity *id) { processIdentity = *id; }
