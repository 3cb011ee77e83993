/* it_cscli_safety.c -- cscli's human output shows text from outside
 * (buyers, platforms) without letting it drive the operator's terminal
 * (issue "Hardening", finding 1).
 *
 * A buyer writes "\x1b[1A\x1b[2Kfake line: state VERIFIED" as the order's
 * message: printed raw, the terminal moves the cursor up a line, erases it
 * and shows the forged text in its place. The order goes the real way
 * (Kafka, the order-verifier, PostgreSQL) with ESC, BEL and CR in the buyer
 * message, the receiver's name and the seller memo, and a right-to-left
 * override; a second order is written as the verifier would store it, with
 * what a platform could send that PostgreSQL text cannot hold (invalid
 * UTF-8) plus C1 controls, isolates and a line feed. `cscli order show`
 * must print none of those bytes raw, show them escaped (\x1b, \u202e),
 * keep the Chinese text as it is, and its --json must give the exact
 * strings back, again with no raw control bytes on the terminal. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cs/v1/state.pb-c.h"
#include "it.h"

#define SHOP "tb-demo"

#define FORGED "\x1b[1A\x1b[2Kfake line: state VERIFIED"
#define NAME "张三\x1b]0;pwned\x07"
#define MEMO                                                                                                           \
    "备注\rOVERWRITE \xe2\x80\xae"                                                                                   \
    "desrever\xe2\x80\xac 中文"

/* The first raw byte sequence of out a terminal would obey or that hides
 * the text's order: C0 but LF, DEL, C1 in UTF-8, the bidi controls, and
 * bytes that are not UTF-8; NULL when there is none. */
static const char *rawControl(const char *out) {
    const unsigned char *p = (const unsigned char *)out;
    while (*p) {
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f) return (const char *)p;
        if (*p < 0x80) {
            p++;
            continue;
        }
        int n = (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0) return (const char *)p;
        unsigned cp = *p & (0x7F >> n);
        for (int k = 1; k < n; k++) {
            if ((p[k] & 0xC0) != 0x80) return (const char *)p;
            cp = cp << 6 | (p[k] & 0x3F);
        }
        if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
            cp == 0x200E || cp == 0x200F || cp == 0x061C)
            return (const char *)p;
        p += n;
    }
    return NULL;
}

static void explainRaw(const char *out) {
    const char *bad = rawControl(out);
    if (!bad) return;
    size_t at = (size_t)(bad - out);
    fprintf(stderr, "  raw control byte 0x%02x at offset %zu, after: '%.40s'\n", (unsigned char)*bad, at,
            at > 40 ? bad - 40 : out);
}

/* The line of out that starts (after spaces) with label, copied. */
static bool lineOf(const char *out, const char *label, char *line, size_t len) {
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        const char *q = p;
        while (*q == ' ') q++;
        if (strncmp(q, label, strlen(label)) == 0) {
            size_t n = strcspn(p, "\n");
            it_copy(line, n + 1 < len ? n + 1 : len, p);
            return true;
        }
    }
    return false;
}

/* The real way in: a paid order whose buyer texts carry terminal controls,
 * through Kafka and the order-verifier; the human output shows every one
 * escaped on its own line, the JSON gives the texts back exactly. */
static void test_order_show_escapes_controls_in_buyer_texts(void) {
    char run[64], sku[96], id[160], buyer[160];
    it_run_id(run, sizeof run);
    snprintf(sku, sizeof sku, "SKU-%s", run);
    it_worker w;
    IT_REQUIRE(it_worker_start(&w, "safety", NULL) == 0);
    snprintf(id, sizeof id, "%s-inv", run);
    CT_EQ_INT(it_produce_inventory(SHOP, sku, 1000, it_wall_ms(), id, NULL), 0);

    it_order o;
    snprintf(id, sizeof id, "%s-o1", run);
    snprintf(buyer, sizeof buyer, "%s-b1", run);
    it_order_init(&o, SHOP, id, buyer, sku, NULL, 1);
    it_copy(o.buyer_message, sizeof o.buyer_message, FORGED);
    it_copy(o.name, sizeof o.name, NAME);
    it_copy(o.seller_memo, sizeof o.seller_memo, MEMO);
    snprintf(id, sizeof id, "%s-o1-c", run);
    CT_EQ_INT(
        it_produce_order_event(&o, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, id, o.created_ms, true, NULL),
        0);
    CT_EQ_INT(it_flush(30000), 0);
    IT_REQUIRE(it_wait_pg(IT_GE, 1, 90000, "SELECT count(*) FROM orders WHERE shop_id = '" SHOP "' AND order_id = '%s'",
                          o.order_id) == 1);

    char args[256], line[1024];
    snprintf(args, sizeof args, "order show " SHOP ":%s", o.order_id);
    IT_REQUIRE(it_cscli(args) == 0);
    CT_CHECK(rawControl(it_cscli_out) == NULL);
    explainRaw(it_cscli_out);
    /* the forged text stays on the buyer message's line, escaped */
    CT_CHECK(lineOf(it_cscli_out, "buyer msg", line, sizeof line));
    CT_CHECK(strstr(line, "\\x1b[1A\\x1b[2Kfake line: state VERIFIED") != NULL);
    CT_CHECK(!lineOf(it_cscli_out, "fake line", line, sizeof line));
    CT_CHECK(lineOf(it_cscli_out, "receiver", line, sizeof line));
    CT_CHECK(strstr(line, "张三\\x1b]0;pwned\\x07") != NULL);
    CT_CHECK(lineOf(it_cscli_out, "memo", line, sizeof line));
    CT_CHECK(strstr(line, "备注\\rOVERWRITE \\u202edesrever\\u202c 中文") != NULL);

    /* --json: the exact texts, and still nothing raw for a terminal */
    int rc;
    cJSON *doc = it_cscli_json(&rc, "order show " SHOP ":%s", o.order_id);
    CT_EQ_INT(rc, 0);
    CT_CHECK(rawControl(it_cscli_out) == NULL);
    explainRaw(it_cscli_out);
    IT_REQUIRE(doc != NULL);
    const cJSON *d = cJSON_GetObjectItem(doc, "doc");
    CT_EQ_STR(it_jstr(d, "buyer_message"), FORGED);
    CT_EQ_STR(it_jstr(d, "seller_memo"), MEMO);
    CT_EQ_STR(it_jstr(cJSON_GetObjectItem(d, "receiver"), "name"), NAME);
    cJSON_Delete(doc);
    it_pg_exec("DELETE FROM orders WHERE shop_id = '" SHOP "' AND order_id LIKE '%s%%'", run);
    it_pg_exec("DELETE FROM verdicts WHERE shop_id = '" SHOP "' AND order_id LIKE '%s%%'", run);
}

/* What PostgreSQL text cannot hold but a protobuf document can: bytes that
 * are not UTF-8 in the memo, C1 controls (U+009B is a one-character CSI
 * on some terminals), isolates and marks, a line feed and a tab in the
 * receiver's street. The order row is written as the verifier writes it. */
static void test_order_show_escapes_invalid_utf8_c1_and_isolates_in_the_doc(void) {
    char run[64], id[160];
    it_run_id(run, sizeof run);
    snprintf(id, sizeof id, "%s-o2", run);
    Cs__V1__Address ad = CS__V1__ADDRESS__INIT;
    ad.province = (char *)"浙江省";
    ad.city = (char *)"杭州市";
    ad.district = (char *)"西湖区";
    ad.street = (char *)"文三路\n\tstate VERIFIED\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c";
    Cs__V1__Receiver rcv = CS__V1__RECEIVER__INIT;
    rcv.name = (char *)"李四\xc2\x9b"
                       "2J";
    rcv.phone = (char *)"13800138000";
    rcv.address = &ad;
    Cs__V1__Order o = CS__V1__ORDER__INIT;
    o.order_id = id;
    o.receiver = &rcv;
    o.buyer_message = (char *)"ok \xff\xfe\xc0\xaf \xed\xa0\x80 end";
    o.seller_memo = (char *)"\x7f\x1b[31mred";
    Cs__V1__OrderState st = CS__V1__ORDER_STATE__INIT;
    st.created = true;
    st.order = &o;
    uint8_t buf[2048];
    size_t n = cs__v1__order_state__pack(&st, buf);
    char *hex = it_hex(buf, n);
    int ins = it_pg_exec("INSERT INTO orders (shop_id, order_id, version, state, created_ms, doc) VALUES "
                         "('" SHOP "', '%s', 1, 'PENDING_PAYMENT', %lld, decode('%s', 'hex'))",
                         id, (long long)it_wall_ms(), hex);
    free(hex);
    IT_REQUIRE(ins == 0);

    char args[256], line[1024];
    snprintf(args, sizeof args, "order show " SHOP ":%s", id);
    IT_REQUIRE(it_cscli(args) == 0);
    CT_CHECK(rawControl(it_cscli_out) == NULL);
    explainRaw(it_cscli_out);
    CT_CHECK(lineOf(it_cscli_out, "receiver", line, sizeof line));
    CT_CHECK(strstr(line, "李四\\u009b2J") != NULL);
    CT_CHECK(strstr(line, "文三路\\n\\tstate VERIFIED\\u2066x\\u2069\\u200f\\u061c") != NULL);
    CT_CHECK(!lineOf(it_cscli_out, "state VERIFIED", line, sizeof line));
    CT_CHECK(lineOf(it_cscli_out, "buyer msg", line, sizeof line));
    CT_CHECK(strstr(line, "ok \\xff\\xfe\\xc0\\xaf \\xed\\xa0\\x80 end") != NULL);
    CT_CHECK(lineOf(it_cscli_out, "memo", line, sizeof line));
    CT_CHECK(strstr(line, "\\x7f\\x1b[31mred") != NULL);

    int rc;
    cJSON *doc = it_cscli_json(&rc, "order show " SHOP ":%s", id);
    CT_EQ_INT(rc, 0);
    CT_CHECK(rawControl(it_cscli_out) == NULL);
    explainRaw(it_cscli_out);
    IT_REQUIRE(doc != NULL);
    const cJSON *r = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "doc"), "receiver");
    CT_EQ_STR(it_jstr(r, "name"), "李四\xc2\x9b"
                                  "2J");
    CT_EQ_STR(it_jstr(cJSON_GetObjectItem(doc, "doc"), "seller_memo"), "\x7f\x1b[31mred");
    /* JSON cannot carry bytes that are not UTF-8: each is U+FFFD */
    CT_EQ_STR(it_jstr(cJSON_GetObjectItem(doc, "doc"), "buyer_message"),
              "ok \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end");
    cJSON_Delete(doc);
    it_pg_exec("DELETE FROM orders WHERE shop_id = '" SHOP "' AND order_id LIKE '%s%%'", run);
}

IT_MAIN(CT_CASE(test_order_show_escapes_controls_in_buyer_texts),
        CT_CASE(test_order_show_escapes_invalid_utf8_c1_and_isolates_in_the_doc))
