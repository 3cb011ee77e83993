/* test_nt05_wording.c -- NT-5: 您 never 你; no 不 nor a word with it; no
 * bare 哦/恩; a refusal starts with 非常抱歉; the violation names the
 * phrase. Also the start-up check over the repository's templates. */
#include "nt_fixtures.h"
#include "template.h"

static int check(const char *text, bool refusal, char *phrase) {
    char why[200];
    phrase[0] = '\0';
    return nt5_check_wording(text, refusal, phrase, 64, why, sizeof why);
}

static void test_nt5_good_templates_pass(void) {
    char p[64];
    CT_EQ_INT(check("您好，您的订单已由{courier}发出，运单号{tracking_no}。", false, p), 0);
    CT_EQ_INT(check("非常抱歉，您购买的{sku}暂时缺货，预计{date}发出。", true, p), 0);
    CT_EQ_INT(check("非常抱歉，价格已经无法再低了，无法帮到您。", true, p), 0);
    CT_EQ_INT(check("感谢您的支持，感恩！", false, p), 0); /* 恩 of thanks is allowed */
}

static void test_nt5_ni_instead_of_nin_is_named(void) {
    char p[64];
    CT_EQ_INT(check("你好，订单已发出。", false, p), -1);
    CT_EQ_STR(p, "你好");
}

static void test_nt5_bu_words_are_named_as_the_handbook_does(void) {
    char p[64];
    CT_EQ_INT(check("您好，不好意思，商品缺货。", false, p), -1);
    CT_EQ_STR(p, "不好意思");
    CT_EQ_INT(check("您好，这个价格不能再低了。", false, p), -1);
    CT_EQ_STR(p, "不能");
    CT_EQ_INT(check("您好，快递到不了您那里。", false, p), -1);
    CT_EQ_STR(p, "到不了");
    CT_EQ_INT(check("您好，我不知道。", false, p), -1);
    CT_EQ_STR(p, "我不知道");
    CT_EQ_INT(check("您好，我不大清楚。", false, p), -1);
    CT_EQ_STR(p, "我不大清楚");
    CT_EQ_INT(check("您好，找不到人问。", false, p), -1);
    CT_EQ_STR(p, "找不到人问");
    /* any other word with 不: named by 不 and the character after it */
    CT_EQ_INT(check("您好，不会耽误您。", false, p), -1);
    CT_EQ_STR(p, "不会");
}

static void test_nt5_bare_interjections_are_refused(void) {
    char p[64];
    CT_EQ_INT(check("您好哦，已发货。", false, p), -1);
    CT_EQ_STR(p, "哦");
    CT_EQ_INT(check("恩，您的订单已发出。", false, p), -1);
    CT_EQ_STR(p, "恩");
}

static void test_nt5_refusal_must_open_with_apology(void) {
    char p[64];
    CT_EQ_INT(check("抱歉，价格无法再低了。", true, p), -1);
    CT_EQ_STR(p, "抱歉，价");
    /* the same text not marked as a refusal is fine */
    CT_EQ_INT(check("抱歉，价格无法再低了。", false, p), 0);
}

static void test_nt5_repository_templates_pass_the_startup_check(void) {
    char path[1024], err[512] = "";
    const char *src = getenv("CS_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/workers/notifier/templates/zh-CN.json", src ? src : ".");
    nt_templates *t = nt_templates_load(path, err, sizeof err);
    CT_CHECK(t != NULL);
    if (!t) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    CT_CHECK(nt_templates_count(t) >= 10);
    CT_EQ_INT(nt_templates_check(t, NULL, err, sizeof err), 0);
    if (err[0]) fprintf(stderr, "  %s\n", err);
    /* the ids the verifier and the exception-handler ask for are there */
    static const char *const ids[] = {"logistics_shipped", "payment_reminder",    "ship_date_changed",
                                      "invoice_amount",    "restock_ship_date",   "buyer_unreachable",
                                      "review_follow_up",  "refund_agreed",       "return_received",
                                      "refund_done",       "not_received_signed", "not_received_in_transit"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) CT_CHECK(nt_template_text(t, NULL, ids[i], NULL) != NULL);
    nt_templates_free(t);
}

/* The shops file tests/data/<name> and the repository's templates; false
 * (reported) if either does not load. */
static bool loadBoth(const char *name, cs_shops **shops, nt_templates **t) {
    char path[1024], err[512] = "";
    const char *src = getenv("CS_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/data/%s", src ? src : ".", name);
    *shops = cs_shops_load(path, err, sizeof err);
    snprintf(path, sizeof path, "%s/workers/notifier/templates/zh-CN.json", src ? src : ".");
    *t = *shops ? nt_templates_load(path, err, sizeof err) : NULL;
    if (*shops && *t) return true;
    fprintf(stderr, "  %s\n", err);
    cs_shops_free(*shops);
    return false;
}

static void test_nt5_bad_shop_override_stops_startup_naming_template_and_phrase(void) {
    char err[512] = "";
    cs_shops *shops;
    nt_templates *t;
    CT_CHECK(loadBoth("shops_bad_template.json", &shops, &t));
    if (!t) return;
    CT_EQ_INT(nt_templates_check(t, shops, err, sizeof err), -1);
    CT_CHECK(strstr(err, "logistics_shipped") != NULL);
    CT_CHECK(strstr(err, "不好意思") != NULL);
    CT_CHECK(strstr(err, "shop bad-shop override") != NULL);
    nt_templates_free(t);
    cs_shops_free(shops);
}

/* A shop's override of a template the repository marks as a refusal is a
 * refusal too, whatever the override says of itself: wording that does
 * not open with 非常抱歉 stops the start, and the notifier renders it as a
 * refusal. */
static void test_nt5_override_of_a_refusal_template_must_still_apologise(void) {
    char err[512] = "";
    cs_shops *shops;
    nt_templates *t;
    CT_CHECK(loadBoth("shops_refusal_override.json", &shops, &t));
    if (!t) return;
    CT_EQ_INT(nt_templates_check(t, shops, err, sizeof err), -1);
    CT_CHECK(strstr(err, "out_of_stock_apology") != NULL);
    CT_CHECK(strstr(err, "shop override-shop override") != NULL);
    bool refusal = false;
    CT_CHECK(nt_template_text(t, cs_shops_at(shops, 0), "out_of_stock_apology", &refusal) != NULL);
    CT_CHECK(refusal);
    nt_templates_free(t);
    cs_shops_free(shops);
}

CT_MAIN(CT_CASE(test_nt5_good_templates_pass), CT_CASE(test_nt5_ni_instead_of_nin_is_named),
        CT_CASE(test_nt5_bu_words_are_named_as_the_handbook_does), CT_CASE(test_nt5_bare_interjections_are_refused),
        CT_CASE(test_nt5_refusal_must_open_with_apology), CT_CASE(test_nt5_repository_templates_pass_the_startup_check),
        CT_CASE(test_nt5_bad_shop_override_stops_startup_naming_template_and_phrase),
        CT_CASE(test_nt5_override_of_a_refusal_template_must_still_apologise))
