/* test_template.c -- rendering {param} placeholders and [optional] parts,
 * template syntax, shop overrides, number canonicalisation. */
#include "nt_fixtures.h"
#include "template.h"

static void test_render_fills_placeholders(void) {
    const char *k[] = {"courier", "tracking_no"}, *v[] = {"顺丰速运", "SF123"};
    char out[256], why[128];
    CT_EQ_INT(nt_render("您好，由{courier}发出，运单号{tracking_no}。", k, v, 2, out, sizeof out, why, sizeof why), 0);
    CT_EQ_STR(out, "您好，由顺丰速运发出，运单号SF123。");
}

static void test_render_optional_part_left_out_without_its_param(void) {
    const char *k[] = {"order_id", "amount"}, *v[] = {"T1", "12.34"};
    char out[256], why[128];
    const char *tpl = "您好，订单{order_id}已为您保留[，应付金额{amount}元]。";
    CT_EQ_INT(nt_render(tpl, k, v, 2, out, sizeof out, why, sizeof why), 0);
    CT_EQ_STR(out, "您好，订单T1已为您保留，应付金额12.34元。");
    CT_EQ_INT(nt_render(tpl, k, v, 1, out, sizeof out, why, sizeof why), 0);
    CT_EQ_STR(out, "您好，订单T1已为您保留。");
}

static void test_render_missing_required_param_fails(void) {
    const char *k[] = {"courier"}, *v[] = {"顺丰速运"};
    char out[256], why[128] = "";
    CT_EQ_INT(nt_render("由{courier}发出，运单号{tracking_no}。", k, v, 1, out, sizeof out, why, sizeof why), -1);
    CT_CHECK(strstr(why, "{tracking_no}") != NULL);
    /* too small a buffer is an error, never a truncated message */
    CT_EQ_INT(nt_render("由{courier}发出", k, v, 1, out, 8, why, sizeof why), -1);
}

static void test_template_syntax(void) {
    char why[128];
    CT_EQ_INT(nt_template_syntax("您好{a_1}[，{b}]。", why, sizeof why), 0);
    CT_EQ_INT(nt_template_syntax("您好{A}", why, sizeof why), -1);
    CT_EQ_INT(nt_template_syntax("您好{a", why, sizeof why), -1);
    CT_EQ_INT(nt_template_syntax("您好a}", why, sizeof why), -1);
    CT_EQ_INT(nt_template_syntax("[[{a}]]", why, sizeof why), -1);
    CT_EQ_INT(nt_template_syntax("[{a}", why, sizeof why), -1);
}

static void test_shop_override_wins_over_repository(void) {
    char path[1024], err[256];
    const char *src = getenv("CS_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/workers/notifier/templates/zh-CN.json", src ? src : ".");
    nt_templates *t = nt_templates_load(path, err, sizeof err);
    CT_CHECK(t != NULL);
    if (!t) return;
    cs_shop s;
    nt_fx_shop_init(&s, "Asia/Shanghai");
    cs_template o = {.id = NT_FX_S("logistics_shipped"), .text = NT_FX_S("您好，{courier}已发出{tracking_no}。")};
    s.templates[0] = o;
    s.ntemplates = 1;
    bool refusal = true;
    CT_EQ_STR(nt_template_text(t, &s, "logistics_shipped", &refusal), "您好，{courier}已发出{tracking_no}。");
    CT_CHECK(!refusal);
    CT_CHECK(nt_template_text(t, &s, "buyer_unreachable", NULL) != NULL); /* from the repository */
    CT_CHECK(nt_template_text(t, &s, "no_such_template", NULL) == NULL);
    CT_CHECK(nt_template_text(t, NULL, "out_of_stock_apology", &refusal) != NULL);
    CT_CHECK(refusal);
    nt_fx_shop_done(&s);
    nt_templates_free(t);
}

static void test_number_canonical_forms(void) {
    char out[64];
    CT_EQ_INT(nt_number_canon("13800138000", out, sizeof out), 0);
    CT_EQ_STR(out, "13800138000");
    CT_EQ_INT(nt_number_canon("+86 138-0013-8000", out, sizeof out), 0);
    CT_EQ_STR(out, "13800138000");
    CT_EQ_INT(nt_number_canon("008613800138000", out, sizeof out), 0);
    CT_EQ_STR(out, "13800138000");
    CT_EQ_INT(nt_number_canon("１３８００１３８０００", out, sizeof out), 0);
    CT_EQ_STR(out, "13800138000");
    CT_EQ_INT(nt_number_canon("0571-88886666", out, sizeof out), 0);
    CT_EQ_STR(out, "057188886666");
    CT_EQ_INT(nt_number_canon(" wangwang_Buyer ", out, sizeof out), 0);
    CT_EQ_STR(out, "wangwang_Buyer");
    CT_EQ_INT(nt_number_canon("  ", out, sizeof out), -1);
    CT_EQ_INT(nt_number_canon("", out, sizeof out), -1);
}

CT_MAIN(CT_CASE(test_render_fills_placeholders), CT_CASE(test_render_optional_part_left_out_without_its_param),
        CT_CASE(test_render_missing_required_param_fails), CT_CASE(test_template_syntax),
        CT_CASE(test_shop_override_wins_over_repository), CT_CASE(test_number_canonical_forms))
