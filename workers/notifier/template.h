/* template.h -- the notifier's message templates: the repository's zh-CN
 * set (workers/notifier/templates/zh-CN.json, path CS_NOTIFIER_TEMPLATES)
 * with each shop's overrides from the shops file (cs_shop.templates),
 * checked once at start-up (syntax and NT-5 wording) and rendered per
 * message.
 *
 * Template text is zh-CN with {param} placeholders (names of [a-z0-9_])
 * and optional segments in square brackets: "[，应付金额{amount}元]" is
 * left out when a parameter inside it has no value, so one template serves
 * a request with or without an amount. A placeholder outside brackets
 * whose parameter is missing is an error for that message (it fails,
 * permanently: sending "{amount}" to a buyer is worse than not sending). */
#ifndef NT_TEMPLATE_H
#define NT_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "cs/shop.h"

typedef struct nt_templates nt_templates;

/* Loads the repository set from a JSON file {"templates":[{"id","text",
 * "refusal"?, "rule"?}]}. NULL with "<file>: <reason>" in err. */
nt_templates *nt_templates_load(const char *path, char *err, size_t errlen);
void nt_templates_free(nt_templates *t); /* accepts NULL */
size_t nt_templates_count(const nt_templates *t);

/* The text for template id as shop sends it (its override, else the
 * repository's), or NULL when neither has it. *refusal is set when not
 * NULL. Points into the set or the shop. */
const char *nt_template_text(const nt_templates *t, const cs_shop *shop, const char *id, bool *refusal);

/* Syntax of one template: balanced {} and [], names of [a-z0-9_], no
 * nesting of [] . 0 or -1 with the reason. */
int nt_template_syntax(const char *text, char *why, size_t whylen);

/* The start-up check: every template of the set and every shop's override
 * passes nt_template_syntax() and NT-5 (nt5_check_wording). On the first
 * violation returns -1 with 'template "<id>" (<where>): "<phrase>": <why>'
 * in err, where <where> is "repository" or "shop <id> override". */
int nt_templates_check(const nt_templates *t, const cs_shops *shops, char *err, size_t errlen);

/* Renders text with params (keys[i] -> vals[i], n pairs) into out.
 * Returns 0, or -1 with the reason (a missing parameter, or out too small). */
int nt_render(const char *text, const char *const *keys, const char *const *vals, size_t n, char *out, size_t outlen,
              char *why, size_t whylen);

#endif
