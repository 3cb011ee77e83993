/* template.c -- loading, checking and rendering message templates (see
 * template.h). The repository set is small (tens of templates) and
 * immutable after loading, so it is a plain array searched linearly. */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cs/util.h"
#include "rules/nt_rules.h"

typedef struct ntTpl {
    char *id;     /* template id */
    char *text;   /* zh-CN text with {param} and [optional] parts */
    bool refusal; /* NT-5: must open with 非常抱歉 */
} ntTpl;

struct nt_templates {
    ntTpl *items; /* owned */
    size_t n;
};

static char *readFile(const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return NULL;
    }
    size_t cap = 8192, len = 0;
    char *buf = cs_xmalloc(cap);
    size_t r;
    while ((r = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += r;
        if (len + 1 >= cap) buf = cs_xrealloc(buf, cap *= 2);
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

nt_templates *nt_templates_load(const char *path, char *err, size_t errlen) {
    char *raw = readFile(path, err, errlen);
    if (!raw) return NULL;
    cJSON *doc = cJSON_Parse(raw);
    free(raw);
    if (!doc) {
        snprintf(err, errlen, "%s: not valid JSON", path);
        return NULL;
    }
    nt_templates *t = cs_xcalloc(1, sizeof *t);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "templates");
    if (!cJSON_IsArray(arr)) {
        snprintf(err, errlen, "%s: templates: must be an array", path);
        goto fail;
    }
    t->items = cs_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *t->items);
    int idx = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(it, "text");
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(it, "refusal");
        if (!cJSON_IsString(id) || !id->valuestring[0]) {
            snprintf(err, errlen, "%s: templates[%d].id: required string", path, idx);
            goto fail;
        }
        if (!cJSON_IsString(text) || !text->valuestring[0]) {
            snprintf(err, errlen, "%s: templates[%d].text: required string", path, idx);
            goto fail;
        }
        if (ref && !cJSON_IsBool(ref)) {
            snprintf(err, errlen, "%s: templates[%d].refusal: must be true or false", path, idx);
            goto fail;
        }
        for (size_t k = 0; k < t->n; k++)
            if (strcmp(t->items[k].id, id->valuestring) == 0) {
                snprintf(err, errlen, "%s: templates[%d].id: duplicate \"%s\"", path, idx, id->valuestring);
                goto fail;
            }
        ntTpl *x = &t->items[t->n++];
        x->id = cs_xstrdup(id->valuestring);
        x->text = cs_xstrdup(text->valuestring);
        x->refusal = ref && cJSON_IsTrue(ref);
        idx++;
    }
    cJSON_Delete(doc);
    return t;
fail:
    cJSON_Delete(doc);
    nt_templates_free(t);
    return NULL;
}

void nt_templates_free(nt_templates *t) {
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->items[i].id);
        free(t->items[i].text);
    }
    free(t->items);
    free(t);
}

size_t nt_templates_count(const nt_templates *t) { return t ? t->n : 0; }

/* NT-5: a template the repository marks as a refusal stays one when a
 * shop overrides its wording (the override's own "refusal" defaults to
 * false, and an override saying "您好" must still be refused at start). */
static bool repoRefusal(const nt_templates *t, const char *id) {
    for (size_t i = 0; t && i < t->n; i++)
        if (strcmp(t->items[i].id, id) == 0) return t->items[i].refusal;
    return false;
}

const char *nt_template_text(const nt_templates *t, const cs_shop *shop, const char *id, bool *refusal) {
    if (!id) return NULL;
    const cs_template *o = shop ? cs_shop_template(shop, id) : NULL;
    if (o) {
        if (refusal) *refusal = o->refusal || repoRefusal(t, id);
        return o->text;
    }
    for (size_t i = 0; t && i < t->n; i++)
        if (strcmp(t->items[i].id, id) == 0) {
            if (refusal) *refusal = t->items[i].refusal;
            return t->items[i].text;
        }
    return NULL;
}

static bool nameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

int nt_template_syntax(const char *text, char *why, size_t whylen) {
    bool inOpt = false;
    for (const char *p = text; *p; p++) {
        if (*p == '{') {
            const char *q = p + 1;
            while (nameChar(*q)) q++;
            if (*q != '}' || q == p + 1) {
                snprintf(why, whylen, "placeholder at byte %d: {name} with a name of a-z, 0-9, _", (int)(p - text));
                return -1;
            }
            p = q;
        } else if (*p == '}') {
            snprintf(why, whylen, "'}' without '{' at byte %d", (int)(p - text));
            return -1;
        } else if (*p == '[') {
            if (inOpt) {
                snprintf(why, whylen, "optional parts [] do not nest (byte %d)", (int)(p - text));
                return -1;
            }
            inOpt = true;
        } else if (*p == ']') {
            if (!inOpt) {
                snprintf(why, whylen, "']' without '[' at byte %d", (int)(p - text));
                return -1;
            }
            inOpt = false;
        }
    }
    if (inOpt) {
        snprintf(why, whylen, "'[' never closed");
        return -1;
    }
    return 0;
}

static int checkOne(const char *id, const char *where, const char *text, bool refusal, char *err, size_t errlen) {
    char why[200], phrase[64];
    if (nt_template_syntax(text, why, sizeof why) != 0) {
        snprintf(err, errlen, "template \"%s\" (%s): %s", id, where, why);
        return -1;
    }
    if (nt5_check_wording(text, refusal, phrase, sizeof phrase, why, sizeof why) != 0) {
        snprintf(err, errlen, "NT-5: template \"%s\" (%s): \"%s\": %s", id, where, phrase, why);
        return -1;
    }
    return 0;
}

int nt_templates_check(const nt_templates *t, const cs_shops *shops, char *err, size_t errlen) {
    for (size_t i = 0; t && i < t->n; i++)
        if (checkOne(t->items[i].id, "repository", t->items[i].text, t->items[i].refusal, err, errlen) != 0) return -1;
    for (size_t s = 0; shops && s < cs_shops_count(shops); s++) {
        const cs_shop *shop = cs_shops_at(shops, s);
        char where[96];
        snprintf(where, sizeof where, "shop %s override", shop->id);
        for (int k = 0; k < shop->ntemplates; k++)
            if (checkOne(shop->templates[k].id, where, shop->templates[k].text,
                         shop->templates[k].refusal || repoRefusal(t, shop->templates[k].id), err, errlen) != 0)
                return -1;
    }
    return 0;
}

static const char *param(const char *const *keys, const char *const *vals, size_t n, const char *name, size_t namelen) {
    for (size_t i = 0; i < n; i++)
        if (keys[i] && strlen(keys[i]) == namelen && strncmp(keys[i], name, namelen) == 0)
            return vals[i] ? vals[i] : "";
    return NULL;
}

/* Appends s[0..n) to out at *len; false when it does not fit. */
static bool put(char *out, size_t outlen, size_t *len, const char *s, size_t n) {
    if (*len + n + 1 > outlen) return false;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
    return true;
}

int nt_render(const char *text, const char *const *keys, const char *const *vals, size_t n, char *out, size_t outlen,
              char *why, size_t whylen) {
    if (outlen == 0) return -1;
    out[0] = '\0';
    size_t len = 0, optStart = 0;
    bool inOpt = false, optMissing = false;
    for (const char *p = text; *p; p++) {
        if (*p == '[') {
            inOpt = true;
            optMissing = false;
            optStart = len;
            continue;
        }
        if (*p == ']' && inOpt) {
            if (optMissing) {
                len = optStart; /* leave the whole optional part out */
                out[len] = '\0';
            }
            inOpt = false;
            continue;
        }
        if (*p == '{') {
            const char *q = strchr(p, '}');
            if (!q) {
                snprintf(why, whylen, "unclosed placeholder");
                return -1;
            }
            const char *v = param(keys, vals, n, p + 1, (size_t)(q - p - 1));
            if (!v || !v[0]) {
                if (!inOpt) {
                    snprintf(why, whylen, "no value for {%.*s}", (int)(q - p - 1), p + 1);
                    return -1;
                }
                optMissing = true;
            } else if (!put(out, outlen, &len, v, strlen(v))) {
                goto toolong;
            }
            p = q;
            continue;
        }
        if (!put(out, outlen, &len, p, 1)) goto toolong;
    }
    return 0;
toolong:
    snprintf(why, whylen, "rendered text longer than %zu bytes", outlen - 1);
    return -1;
}
