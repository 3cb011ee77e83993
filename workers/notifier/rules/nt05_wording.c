/* nt05_wording.c -- NT-5: templates follow the handbook's wording (000
 * 客服用语基本准则): the buyer is 您 (never 你); no 不 and no word
 * containing it (不行, 不能, 不好意思, 到不了, 我不知道, 我不大清楚,
 * 找不到人问...), with the handbook's replacements (无法再低了, 非常抱歉,
 * 无法帮到您, 无法到达); no bare 哦 or 恩 interjections; a refusal starts
 * with 非常抱歉.
 *
 * Why it is built this way: the check runs at start-up over every template
 * (the repository's and each shop's overrides) and a violation stops the
 * process, so what it reports must let whoever wrote the template fix it at
 * once: the phrase as the handbook names it ("不好意思", not just "不")
 * when it is one of the handbook's examples, else the 不 with the character
 * after it ("不会"), which is the word it starts. Only template text is
 * checked: parameters are data (a product called 不锈钢保温杯 is what the
 * buyer bought). 哦 has no use but the interjection, so any 哦 is one; 恩
 * also lives in words of thanks (感恩, 恩惠, 报恩), which are allowed --
 * the handbook bans the grunt, not gratitude. UTF-8 is self-synchronising,
 * so searching for a character's bytes never matches inside another one. */
#include "nt_rules.h"

#include <stdio.h>
#include <string.h>

#define U_NI "\xe4\xbd\xa0" /* 你 */
#define U_BU "\xe4\xb8\x8d" /* 不 */
#define U_O "\xe5\x93\xa6"  /* 哦 */
#define U_EN "\xe6\x81\xa9" /* 恩 */
#define REFUSAL_OPENING "非常抱歉"

/* The handbook's own examples, longest first so "我不知道" wins over a
 * shorter match. */
static const char *const buWords[] = {"我不大清楚", "找不到人问", "不好意思", "我不知道",
                                      "不能",       "不行",       "到不了",   NULL};
/* Words where 恩 is gratitude, not an interjection. */
static const char *const enBefore[] = {"感", "报", "谢", NULL};
static const char *const enAfter[] = {"惠", "情", "人", "赐", NULL};

/* Length in bytes of the UTF-8 character at p (1 for a stray byte). */
static size_t charLen(const char *p) {
    unsigned char c = (unsigned char)*p;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)p[i] >> 6) != 2) return 1;
    return n;
}

/* A CJK ideograph (U+4E00..U+9FFF): part of the same word. */
static bool isIdeograph(const char *p) {
    unsigned char c = (unsigned char)p[0];
    return charLen(p) == 3 && c >= 0xe4 && c <= 0xe9;
}

/* The character at p plus the ideograph after it, if any. */
static void withNext(const char *p, size_t len, char *out, size_t outlen) {
    const char *q = p + len;
    size_t n = len + (*q && isIdeograph(q) ? 3 : 0);
    snprintf(out, outlen, "%.*s", (int)n, p);
}

static bool startsWithAny(const char *p, const char *const *list) {
    for (size_t i = 0; list[i]; i++)
        if (strncmp(p, list[i], strlen(list[i])) == 0) return true;
    return false;
}

static bool endsWithAny(const char *text, const char *p, const char *const *list) {
    for (size_t i = 0; list[i]; i++) {
        size_t n = strlen(list[i]);
        if ((size_t)(p - text) >= n && strncmp(p - n, list[i], n) == 0) return true;
    }
    return false;
}

static void buPhrase(const char *text, const char *p, char *out, size_t outlen) {
    for (size_t i = 0; buWords[i]; i++) {
        const char *w = buWords[i];
        size_t off = (size_t)(strstr(w, U_BU) - w);
        if ((size_t)(p - text) >= off && strncmp(p - off, w, strlen(w)) == 0) {
            snprintf(out, outlen, "%s", w);
            return;
        }
    }
    withNext(p, 3, out, outlen);
}

/* NT-5 */
int nt5_check_wording(const char *text, bool refusal, char *phrase, size_t phraselen, char *why, size_t whylen) {
    if (!text) text = "";
    if (refusal) {
        const char *t = text;
        while (*t == ' ' || *t == '\t' || *t == '\n') t++;
        if (strncmp(t, REFUSAL_OPENING, strlen(REFUSAL_OPENING)) != 0) {
            /* the opening it has: up to four characters */
            size_t n = 0;
            for (int k = 0; k < 4 && t[n]; k++) n += charLen(t + n);
            snprintf(phrase, phraselen, "%.*s", (int)n, t);
            snprintf(why, whylen, "a refusal starts with %s", REFUSAL_OPENING);
            return -1;
        }
    }
    for (const char *p = text; *p; p += charLen(p)) {
        if (strncmp(p, U_NI, 3) == 0) {
            withNext(p, 3, phrase, phraselen);
            snprintf(why, whylen, "the buyer is 您, never 你");
            return -1;
        }
        if (strncmp(p, U_BU, 3) == 0) {
            buPhrase(text, p, phrase, phraselen);
            snprintf(why, whylen, "no 不 nor any word containing it (say 无法再低了, 非常抱歉, 无法帮到您, 无法到达)");
            return -1;
        }
        if (strncmp(p, U_O, 3) == 0) {
            snprintf(phrase, phraselen, U_O);
            snprintf(why, whylen, "no 哦 or 恩 interjection");
            return -1;
        }
        if (strncmp(p, U_EN, 3) == 0 && !endsWithAny(text, p, enBefore) && !startsWithAny(p + 3, enAfter)) {
            snprintf(phrase, phraselen, U_EN);
            snprintf(why, whylen, "no 哦 or 恩 interjection");
            return -1;
        }
    }
    return 0;
}
