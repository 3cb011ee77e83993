/* money.c -- a decimal money string into integer fen (gw_money_fen).
 *
 * Money never passes through a float (RULES.md): "117.70" is read digit by
 * digit into 11770. The accepted form is deliberately narrow, so that a
 * body means exactly one amount and every platform's strings ("117.70",
 * "5", "0.10") fit:
 *
 *   1..11 integer digits, no leading zero but a lone "0" ("0.10", not
 *   "00.10"), then optionally '.' and one or two decimals.
 *
 * Refused, each with its own reason: empty, a sign ("-0.01", "+1"), blanks,
 * an exponent ("1e3"), hex ("0x10"), a point without digits on both sides
 * ("1.", ".5": ambiguous to a reader and produced by no platform), three
 * or more decimals ("12.345": not a whole fen), more than 11 integer
 * digits (above 99,999,999,999.99, which also keeps fen far inside
 * int64). */
#include "gw_map.h"

#include <stdio.h>
#include <string.h>

#define MONEY_INT_DIGITS 11

static int refuse(char *why, size_t whylen, const char *reason) {
    if (why && whylen) snprintf(why, whylen, "%s", reason);
    return -1;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Why s is not money, for the first character that breaks the form. */
static int refuse_char(const char *s, char *why, size_t whylen) {
    for (; *s; s++) {
        char c = *s;
        if (c == '-' || c == '+') return refuse(why, whylen, "a sign; money is an unsigned decimal such as \"117.70\"");
        if (c == 'e' || c == 'E') return refuse(why, whylen, "an exponent; money is a decimal such as \"117.70\"");
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            return refuse(why, whylen, "blanks; money is a decimal string such as \"117.70\"");
        if (!is_digit(c) && c != '.')
            return refuse(why, whylen, "not a decimal; money is a decimal string such as \"117.70\"");
    }
    return refuse(why, whylen, "not a decimal; money is a decimal string such as \"117.70\"");
}

int gw_money_fen(const char *s, int64_t *fen, char *why, size_t whylen) {
    if (!s || !*s) return refuse(why, whylen, "empty; money is a decimal string such as \"117.70\"");
    const char *p = s;
    int64_t yuan = 0;
    size_t nint = 0;
    for (; is_digit(*p); p++, nint++)
        if (nint < MONEY_INT_DIGITS) yuan = yuan * 10 + (*p - '0');
    if (nint == 0 && *p == '.') return refuse(why, whylen, "no digit before the point; write \"0.50\", not \".50\"");
    if (nint == 0) return refuse_char(s, why, whylen);
    if (nint > 1 && s[0] == '0') return refuse(why, whylen, "a leading zero; write \"7.50\", not \"07.50\"");
    if (nint > MONEY_INT_DIGITS) return refuse(why, whylen, "too large; at most 99999999999.99");
    int64_t cents = 0;
    if (*p == '.') {
        p++;
        size_t ndec = 0;
        for (; is_digit(*p); p++, ndec++)
            if (ndec < 2) cents = cents * 10 + (*p - '0');
        if (ndec == 0) return refuse(why, whylen, "no digit after the point; write \"1.00\" or \"1\", not \"1.\"");
        if (ndec > 2) return refuse(why, whylen, "more than two decimals; money is counted in whole fen (0.01)");
        if (ndec == 1) cents *= 10;
    }
    if (*p != '\0') return refuse_char(p, why, whylen);
    *fen = yuan * 100 + cents;
    return 0;
}
