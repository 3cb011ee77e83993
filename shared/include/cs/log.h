/* log.h -- JSON-lines logging on stderr.
 *
 * One line per event: {"ts":"...","level":"info","proc":"order-verifier",
 * "msg":"...", ...fields}. Every string that goes into a line passes
 * through the phone masker (cs_mask_phones), and fields named "address"
 * or "phone" are masked whole, so no full number or address reaches a
 * log. Thread-safe: a line is written with one write(2). */
#ifndef CS_LOG_H
#define CS_LOG_H

typedef enum cs_log_level { CS_LOG_DEBUG, CS_LOG_INFO, CS_LOG_WARN, CS_LOG_ERROR } cs_log_level;

void cs_log_init(const char *proc, const char *level);
/* kv: NULL-terminated list of key, value string pairs (values masked). */
void cs_log_kv(cs_log_level lvl, const char *msg, const char *const *kv);
void cs_log(cs_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define cs_log_info(...) cs_log(CS_LOG_INFO, __VA_ARGS__)
#define cs_log_warn(...) cs_log(CS_LOG_WARN, __VA_ARGS__)
#define cs_log_error(...) cs_log(CS_LOG_ERROR, __VA_ARGS__)
#define cs_log_debug(...) cs_log(CS_LOG_DEBUG, __VA_ARGS__)

#endif
