/* test_log.c -- JSON-lines logging (shared/src/log.c): stderr is
 * redirected to a temp file with dup2, the lines are read back and parsed
 * as JSON; no full phone number or address may appear in them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ct.h"
#include "cs/log.h"

static char captured[65536]; /* what the last capture read back */

static int saved_fd = -1;
static FILE *cap_file;

static void capture_begin(void) {
    fflush(stderr);
    cap_file = tmpfile();
    saved_fd = dup(STDERR_FILENO);
    dup2(fileno(cap_file), STDERR_FILENO);
}

static const char *capture_end(void) {
    fflush(stderr);
    dup2(saved_fd, STDERR_FILENO);
    close(saved_fd);
    rewind(cap_file);
    size_t n = fread(captured, 1, sizeof captured - 1, cap_file);
    captured[n] = '\0';
    fclose(cap_file);
    return captured;
}

/* Parses the first line of the capture; caller deletes. */
static cJSON *first_line_json(void) {
    char *nl = strchr(captured, '\n');
    if (!nl) return NULL;
    return cJSON_ParseWithLength(captured, (size_t)(nl - captured));
}

static const char *field(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_line_has_ts_level_proc_msg_and_fields(void) {
    cs_log_init("order-verifier", "info");
    capture_begin();
    const char *kv[] = {"order", "shop1:T1001", "batch", "7", NULL};
    cs_log_kv(CS_LOG_INFO, "batch committed", kv);
    capture_end();
    CT_CHECK(strncmp(captured, "{\"ts\":\"", 7) == 0);
    cJSON *j = first_line_json();
    CT_CHECK(j != NULL);
    CT_EQ_STR(field(j, "level"), "info");
    CT_EQ_STR(field(j, "proc"), "order-verifier");
    CT_EQ_STR(field(j, "msg"), "batch committed");
    CT_EQ_STR(field(j, "order"), "shop1:T1001");
    CT_EQ_STR(field(j, "batch"), "7");
    /* ts: 2026-11-11T01:30:00.123Z */
    const char *ts = field(j, "ts");
    int y, mo, d, h, mi, s, ms;
    char z = 0;
    CT_CHECK(ts && strlen(ts) == 24);
    CT_EQ_INT(ts ? sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &s, &ms, &z) : 0, 8);
    CT_EQ_INT(z, 'Z');
    cJSON_Delete(j);
    CT_CHECK(captured[strlen(captured) - 1] == '\n');
    CT_CHECK(strchr(captured, '\n') == captured + strlen(captured) - 1); /* one line */
}

static void test_no_full_phone_number_reaches_the_output(void) {
    cs_log_init("test", "debug");
    capture_begin();
    cs_log_info("buyer 13800138000 asked for a refund");
    const char *kv[] = {
        "note", "call 13912345678 after 10:00", "phone", "1380013800", "receiver_phone", "+86 138-0013-8000", NULL};
    cs_log_kv(CS_LOG_WARN, "contact 13800138000", kv);
    cs_log_debug("tel %s", "15011112222");
    capture_end();
    CT_CHECK(strstr(captured, "13800138000") == NULL);
    CT_CHECK(strstr(captured, "13912345678") == NULL);
    CT_CHECK(strstr(captured, "15011112222") == NULL);
    CT_CHECK(strstr(captured, "1380013800") == NULL); /* malformed, masked whole by key */
    CT_CHECK(strstr(captured, "0013") == NULL);
    CT_CHECK(strstr(captured, "138****8000") != NULL);
    CT_CHECK(strstr(captured, "139****5678") != NULL);
}

static void test_address_fields_are_masked_whole(void) {
    cs_log_init("test", "info");
    capture_begin();
    const char *kv[] = {"address", "浙江省杭州市西湖区文三路90号", "receiver", "张三丰", "street", "文三路90号", NULL};
    cs_log_kv(CS_LOG_INFO, "address changed", kv);
    capture_end();
    CT_CHECK(strstr(captured, "文三路") == NULL);
    CT_CHECK(strstr(captured, "西湖区") == NULL);
    CT_CHECK(strstr(captured, "张三丰") == NULL);
    cJSON *j = first_line_json();
    CT_CHECK(j != NULL);
    CT_EQ_STR(field(j, "address"), "浙江****");
    cJSON_Delete(j);
}

static void test_json_special_characters_are_escaped(void) {
    cs_log_init("te\"st", "info");
    capture_begin();
    const char *kv[] = {"k\"ey", "a\\b", NULL};
    cs_log_kv(CS_LOG_ERROR, "quote \" backslash \\ newline \n tab \t bell \x01 end", kv);
    capture_end();
    CT_CHECK(strstr(captured, "\"proc\":\"te\\\"st\"") != NULL);
    CT_CHECK(strstr(captured, "\"msg\":\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0001 end\"") != NULL);
    CT_CHECK(strstr(captured, "\"k\\\"ey\":\"a\\\\b\"") != NULL);
    cJSON *j = first_line_json();
    CT_CHECK(j != NULL);
    CT_EQ_STR(field(j, "msg"), "quote \" backslash \\ newline \n tab \t bell \x01 end");
    CT_EQ_STR(field(j, "level"), "error");
    cJSON_Delete(j);
}

static void test_invalid_utf8_becomes_a_replacement_character(void) {
    cs_log_init("test", "info");
    capture_begin();
    cs_log_info("bad \xff\xfe bytes, good 中文");
    capture_end();
    cJSON *j = first_line_json();
    CT_CHECK(j != NULL);
    CT_EQ_STR(field(j, "msg"), "bad \xef\xbf\xbd\xef\xbf\xbd bytes, good 中文");
    cJSON_Delete(j);
}

static void test_level_filter_drops_lower_levels(void) {
    cs_log_init("test", "warn");
    capture_begin();
    cs_log_debug("debug line");
    cs_log_info("info line");
    cs_log_warn("warn line");
    cs_log_error("error line");
    capture_end();
    CT_CHECK(strstr(captured, "debug line") == NULL);
    CT_CHECK(strstr(captured, "info line") == NULL);
    CT_CHECK(strstr(captured, "\"level\":\"warn\",\"proc\":\"test\",\"msg\":\"warn line\"") != NULL);
    CT_CHECK(strstr(captured, "error line") != NULL);
}

static void test_long_message_is_written_whole(void) {
    cs_log_init("test", "info");
    static char big[20001];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    capture_begin();
    cs_log_info("%s", big);
    capture_end();
    cJSON *j = first_line_json();
    CT_CHECK(j != NULL);
    const char *m = field(j, "msg");
    CT_EQ_INT(m ? strlen(m) : 0, sizeof big - 1);
    cJSON_Delete(j);
}

CT_MAIN(CT_CASE(test_line_has_ts_level_proc_msg_and_fields), CT_CASE(test_no_full_phone_number_reaches_the_output),
        CT_CASE(test_address_fields_are_masked_whole), CT_CASE(test_json_special_characters_are_escaped),
        CT_CASE(test_invalid_utf8_becomes_a_replacement_character), CT_CASE(test_level_filter_drops_lower_levels),
        CT_CASE(test_long_message_is_written_whole))
