/* tz.c -- time zones for business time, read from compiled TZif files.
 *
 * Why not localtime_r(): it follows the one process-wide TZ, and the
 * workers serve shops in several zones at once. So each zone is loaded
 * from /usr/share/zoneinfo (or $TZDIR) into an immutable cs_tz:
 *
 *   - the transition table (UTC instants, ascending) and the local time
 *     types they switch to; v2+ files are read from their 64-bit section,
 *     v1 files from the 32-bit one (RFC 8536);
 *   - the footer POSIX TZ string ("CST-8", "EST5EDT,M3.2.0,M11.1.0"),
 *     evaluated arithmetically for instants after the last transition, so
 *     dates beyond the table (2038 and later) still get daylight saving.
 *
 * A lookup is a binary search over the table, or a few calendar sums for
 * the footer rule; nothing is cached or mutated after cs_tz_load(), so one
 * cs_tz may be shared by every thread. Leap-second records ("right/"
 * zones) are skipped: business time is POSIX time.
 *
 * "UTC" and "Etc/UTC" are built in, so they work without zone files. */
#include "cs/tz.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/util.h"

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_MAX_FILE (1024 * 1024) /* real zone files are < 4 KiB */

/* A POSIX TZ rule date: "Jn", "n" or "Mm.w.d", plus "/time". */
typedef struct tz_rule {
    char kind;      /* 'J' (1..365, no Feb 29), 'N' (0..365), 'M' */
    int n;          /* day for 'J' and 'N' */
    int m, w, d;    /* month 1..12, week 1..5 (5 = last), weekday 0..6 */
    int32_t time_s; /* local wall time of the change, seconds (may be <0 or >24h) */
} tz_rule;

/* The footer string, parsed. */
typedef struct tz_posix {
    int32_t std_off; /* standard time UTC offset, seconds east */
    int32_t dst_off; /* daylight time UTC offset, seconds east */
    bool has_dst;    /* a DST part with rules exists */
    tz_rule start;   /* DST starts (wall time in standard time) */
    tz_rule end;     /* DST ends (wall time in daylight time) */
} tz_posix;

struct cs_tz {
    char *name;         /* as given to cs_tz_load(); owned */
    int64_t *trans;     /* transition instants, UTC seconds, ascending; owned */
    int32_t *trans_off; /* UTC offset in force from trans[i]; owned */
    size_t ntrans;      /* entries in trans and trans_off */
    int32_t first_off;  /* offset before the first transition (type 0) */
    bool has_posix;     /* the footer string applies after the last transition */
    tz_posix posix;     /* the footer string, if has_posix */
};

/* ---- calendar arithmetic (H. Hinnant's days_from_civil) ---------------- */

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

cs_day cs_day_from_ymd(int y, int m, int d) {
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = floor_div(yy, 400);
    int64_t yoe = yy - era * 400;                                  /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0..146096 */
    return (cs_day)(era * 146097 + doe - 719468);
}

void cs_day_to_ymd(cs_day day, int *y, int *m, int *d) {
    int64_t z = (int64_t)day + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    int64_t yy = yoe + era * 400 + (mm <= 2);
    if (y) *y = (int)yy;
    if (m) *m = (int)mm;
    if (d) *d = (int)dd;
}

int cs_day_weekday(cs_day d) {
    /* 1970-01-01 was a Thursday (4). */
    return (int)floor_mod((int64_t)d + 4, 7);
}

void cs_day_format(cs_day d, char *buf, size_t len) {
    int y, m, dd;
    cs_day_to_ymd(d, &y, &m, &dd);
    snprintf(buf, len, "%04d-%02d-%02d", y, m, dd);
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m) {
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

/* ---- POSIX TZ footer --------------------------------------------------- */

/* Zone abbreviation: 3+ letters, or <...> with letters, digits, + and -. */
static const char *posix_name(const char *p) {
    if (*p == '<') {
        p++;
        const char *s = p;
        while (*p && *p != '>') p++;
        if (*p != '>' || p - s < 3) return NULL;
        return p + 1;
    }
    const char *s = p;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) p++;
    return p - s >= 3 ? p : NULL;
}

/* [+-]h[h[h]][:mm[:ss]] into seconds; max_h bounds the hours. */
static const char *posix_hms(const char *p, int max_h, int32_t *out) {
    int sign = 1;
    if (*p == '+' || *p == '-') {
        if (*p == '-') sign = -1;
        p++;
    }
    if (*p < '0' || *p > '9') return NULL;
    int h = 0, mi = 0, s = 0, nd = 0;
    while (*p >= '0' && *p <= '9' && nd < 3) h = h * 10 + (*p++ - '0'), nd++;
    if (h > max_h) return NULL;
    if (*p == ':') {
        p++;
        if (p[0] < '0' || p[0] > '5' || p[1] < '0' || p[1] > '9') return NULL;
        mi = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
        if (*p == ':') {
            p++;
            if (p[0] < '0' || p[0] > '5' || p[1] < '0' || p[1] > '9') return NULL;
            s = (p[0] - '0') * 10 + (p[1] - '0');
            p += 2;
        }
    }
    *out = sign * (h * 3600 + mi * 60 + s);
    return p;
}

static const char *posix_int(const char *p, int lo, int hi, int *out) {
    if (*p < '0' || *p > '9') return NULL;
    int v = 0;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (*p++ - '0');
        if (v > hi) return NULL;
    }
    if (v < lo) return NULL;
    *out = v;
    return p;
}

static const char *posix_rule(const char *p, tz_rule *r) {
    memset(r, 0, sizeof *r);
    if (*p == 'J') {
        r->kind = 'J';
        p = posix_int(p + 1, 1, 365, &r->n);
    } else if (*p == 'M') {
        r->kind = 'M';
        p = posix_int(p + 1, 1, 12, &r->m);
        if (p && *p == '.')
            p = posix_int(p + 1, 1, 5, &r->w);
        else
            p = NULL;
        if (p && *p == '.')
            p = posix_int(p + 1, 0, 6, &r->d);
        else
            p = NULL;
    } else {
        r->kind = 'N';
        p = posix_int(p, 0, 365, &r->n);
    }
    if (!p) return NULL;
    r->time_s = 2 * 3600;
    if (*p == '/') p = posix_hms(p + 1, 167, &r->time_s);
    return p;
}

/* Parses a footer string. Returns 0, or -1 if it is malformed. */
static int posix_parse(const char *s, tz_posix *out) {
    memset(out, 0, sizeof *out);
    const char *p = posix_name(s);
    int32_t off;
    if (!p || !(p = posix_hms(p, 24, &off))) return -1;
    out->std_off = -off; /* POSIX offsets are west-positive */
    if (*p == '\0') return 0;
    if (!(p = posix_name(p))) return -1;
    out->has_dst = true;
    out->dst_off = out->std_off + 3600;
    if (*p != ',' && *p != '\0') {
        if (!(p = posix_hms(p, 24, &off))) return -1;
        out->dst_off = -off;
    }
    if (*p == '\0') {
        /* No rules: POSIX leaves it to the implementation; use the US
         * rules as glibc's posixrules does. */
        out->start = (tz_rule){'M', 0, 3, 2, 0, 7200};
        out->end = (tz_rule){'M', 0, 11, 1, 0, 7200};
        return 0;
    }
    if (*p != ',' || !(p = posix_rule(p + 1, &out->start))) return -1;
    if (*p != ',' || !(p = posix_rule(p + 1, &out->end))) return -1;
    return *p == '\0' ? 0 : -1;
}

/* Local date on which rule r falls in year y. */
static int64_t rule_day(const tz_rule *r, int y) {
    int64_t jan1 = cs_day_from_ymd(y, 1, 1);
    if (r->kind == 'J') return jan1 + r->n - 1 + (is_leap(y) && r->n >= 60 ? 1 : 0);
    if (r->kind == 'N') return jan1 + r->n;
    int64_t first = cs_day_from_ymd(y, r->m, 1);
    int64_t day = first + floor_mod(r->d - cs_day_weekday((cs_day)first), 7) + (r->w - 1) * 7;
    int64_t last = first + month_days(y, r->m) - 1;
    while (day > last) day -= 7;
    return day;
}

/* UTC offset under the footer rule at UTC second t. */
static int32_t posix_offset(const tz_posix *px, int64_t t) {
    if (!px->has_dst) return px->std_off;
    int y;
    cs_day_to_ymd((cs_day)floor_div(t + px->std_off, 86400), &y, NULL, NULL);
    int64_t start = rule_day(&px->start, y) * 86400 + px->start.time_s - px->std_off;
    int64_t end = rule_day(&px->end, y) * 86400 + px->end.time_s - px->dst_off;
    bool dst;
    if (start < end)
        dst = t >= start && t < end;
    else
        dst = !(t >= end && t < start); /* southern hemisphere */
    return dst ? px->dst_off : px->std_off;
}

/* ---- TZif -------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p) { return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4)); }

typedef struct tzif_counts {
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_counts;

static int tzif_header(const unsigned char *p, size_t len, tzif_counts *c, int *version) {
    if (len < 44 || memcmp(p, "TZif", 4) != 0) return -1;
    *version = p[4] == 0 ? 1 : p[4] - '0';
    c->isutcnt = be32(p + 20);
    c->isstdcnt = be32(p + 24);
    c->leapcnt = be32(p + 28);
    c->timecnt = be32(p + 32);
    c->typecnt = be32(p + 36);
    c->charcnt = be32(p + 40);
    if (c->typecnt == 0 || c->typecnt > 256 || c->timecnt > 100000 || c->leapcnt > 100000 || c->charcnt > 100000 ||
        (c->isutcnt != 0 && c->isutcnt != c->typecnt) || (c->isstdcnt != 0 && c->isstdcnt != c->typecnt))
        return -1;
    return 0;
}

static size_t tzif_block_len(const tzif_counts *c, size_t tsize) {
    return (size_t)c->timecnt * tsize + c->timecnt + (size_t)c->typecnt * 6 + c->charcnt +
           (size_t)c->leapcnt * (tsize + 4) + c->isstdcnt + c->isutcnt;
}

/* Parses a whole TZif file into tz (name already set). Returns 0 or -1
 * with a reason in errbuf. */
static int tzif_parse(cs_tz *tz, const unsigned char *buf, size_t len, char *errbuf, size_t errlen) {
    tzif_counts c;
    int version;
    if (tzif_header(buf, len, &c, &version) != 0) goto bad;
    size_t tsize = 4;
    const unsigned char *p = buf + 44;
    size_t blen = tzif_block_len(&c, 4);
    if (len - 44 < blen) goto bad;
    if (version >= 2) {
        /* Skip the 32-bit data and use the 64-bit section. */
        size_t off = 44 + blen;
        if (tzif_header(buf + off, len - off, &c, &version) != 0) goto bad;
        tsize = 8;
        p = buf + off + 44;
        blen = tzif_block_len(&c, 8);
        if ((size_t)(buf + len - p) < blen) goto bad;
    }
    const unsigned char *times = p;
    const unsigned char *idxs = times + (size_t)c.timecnt * tsize;
    const unsigned char *types = idxs + c.timecnt;
    const unsigned char *end = p + blen;

    int32_t type_off[256];
    for (uint32_t i = 0; i < c.typecnt; i++) {
        int32_t o = (int32_t)be32(types + 6 * i);
        if (o <= -25 * 3600 || o >= 26 * 3600) goto bad;
        type_off[i] = o;
    }
    tz->first_off = type_off[0];
    tz->ntrans = c.timecnt;
    tz->trans = cs_xmalloc(sizeof *tz->trans * (c.timecnt ? c.timecnt : 1));
    tz->trans_off = cs_xmalloc(sizeof *tz->trans_off * (c.timecnt ? c.timecnt : 1));
    for (uint32_t i = 0; i < c.timecnt; i++) {
        int64_t t = tsize == 8 ? be64(times + 8 * (size_t)i) : (int32_t)be32(times + 4 * (size_t)i);
        if (i > 0 && t <= tz->trans[i - 1]) goto bad;
        if (idxs[i] >= c.typecnt) goto bad;
        tz->trans[i] = t;
        tz->trans_off[i] = type_off[idxs[i]];
    }

    if (version >= 2 && end < buf + len && *end == '\n') {
        const unsigned char *s = end + 1;
        const unsigned char *nl = memchr(s, '\n', (size_t)(buf + len - s));
        if (!nl) goto bad;
        if (nl > s) {
            char footer[128];
            size_t n = (size_t)(nl - s);
            if (n >= sizeof footer) goto bad;
            memcpy(footer, s, n);
            footer[n] = '\0';
            if (posix_parse(footer, &tz->posix) != 0) {
                snprintf(errbuf, errlen, "zone %s: unsupported TZ string \"%s\"", tz->name, footer);
                return -1;
            }
            tz->has_posix = true;
        }
    }
    return 0;
bad:
    snprintf(errbuf, errlen, "zone %s: not a valid TZif file", tz->name);
    return -1;
}

static bool name_ok(const char *name) {
    if (!name[0] || name[0] == '/' || strlen(name) > 255) return false;
    for (const char *p = name; *p; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '/' ||
              *p == '_' || *p == '-' || *p == '+' || *p == '.'))
            return false;
        if (*p == '.' && (p == name || p[-1] == '/')) return false; /* "..", hidden */
    }
    return true;
}

cs_tz *cs_tz_load(const char *name, char *errbuf, size_t errlen) {
    if (!name || !name_ok(name)) {
        snprintf(errbuf, errlen, "invalid time zone name \"%s\"", name ? name : "(null)");
        return NULL;
    }
    cs_tz *tz = cs_xcalloc(1, sizeof *tz);
    tz->name = cs_xstrdup(name);
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0) {
        tz->trans = cs_xmalloc(sizeof *tz->trans);
        tz->trans_off = cs_xmalloc(sizeof *tz->trans_off);
        return tz; /* built in: no transitions, offset 0 */
    }

    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : TZ_DEFAULT_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errbuf, errlen, "unknown time zone \"%s\" (%s: %s)", name, path, strerror(errno));
        cs_tz_free(tz);
        return NULL;
    }
    unsigned char *buf = cs_xmalloc(TZ_MAX_FILE);
    size_t len = fread(buf, 1, TZ_MAX_FILE, f);
    int rerr = ferror(f);
    fclose(f);
    int rc = -1;
    if (rerr)
        snprintf(errbuf, errlen, "time zone \"%s\": cannot read %s", name, path);
    else
        rc = tzif_parse(tz, buf, len, errbuf, errlen);
    free(buf);
    if (rc != 0) {
        cs_tz_free(tz);
        return NULL;
    }
    return tz;
}

void cs_tz_free(cs_tz *tz) {
    if (!tz) return;
    free(tz->name);
    free(tz->trans);
    free(tz->trans_off);
    free(tz);
}

const char *cs_tz_name(const cs_tz *tz) { return tz->name; }

/* UTC offset at UTC second t. */
static int32_t offset_at(const cs_tz *tz, int64_t t) {
    if (tz->ntrans == 0) return tz->has_posix ? posix_offset(&tz->posix, t) : tz->first_off;
    if (t < tz->trans[0]) return tz->first_off;
    if (t >= tz->trans[tz->ntrans - 1] && tz->has_posix) return posix_offset(&tz->posix, t);
    /* last i with trans[i] <= t */
    size_t lo = 0, hi = tz->ntrans; /* invariant: trans[lo] <= t, answer < hi */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return tz->trans_off[lo];
}

/* An instant as whole seconds, held to years 1..9999 (CS_TZ_MIN_MS,
 * CS_TZ_MAX_MS): a date outside them is no business date, and within them
 * any two cs_day differ by far less than INT_MAX, so the day arithmetic of
 * the rules cannot overflow whatever time an event claims. */
static int64_t ms_to_s(int64_t ms) {
    if (ms < CS_TZ_MIN_MS) ms = CS_TZ_MIN_MS;
    if (ms > CS_TZ_MAX_MS) ms = CS_TZ_MAX_MS;
    return floor_div(ms, 1000);
}

int32_t cs_tz_offset_s(const cs_tz *tz, int64_t ms) { return offset_at(tz, ms_to_s(ms)); }

cs_day cs_tz_day(const cs_tz *tz, int64_t ms) {
    int64_t s = ms_to_s(ms);
    return (cs_day)floor_div(s + offset_at(tz, s), 86400);
}

int cs_tz_minute_of_day(const cs_tz *tz, int64_t ms) {
    int64_t s = ms_to_s(ms);
    return (int)(floor_mod(s + offset_at(tz, s), 86400) / 60);
}

int64_t cs_tz_instant(const cs_tz *tz, cs_day day, int minute) {
    int64_t local = (int64_t)day * 86400 + (int64_t)minute * 60;
    /* Offsets in force around that wall time: sampled a day either side
     * and at the naive instants they give. */
    int32_t cand[6];
    int n = 0;
    cand[n++] = offset_at(tz, local - 86400);
    cand[n++] = offset_at(tz, local);
    cand[n++] = offset_at(tz, local + 86400);
    for (int i = 0; i < 3; i++) cand[n++] = offset_at(tz, local - cand[i]);

    bool found = false;
    int64_t best = 0;
    int32_t omin = cand[0], omax = cand[0];
    for (int i = 0; i < n; i++) {
        if (cand[i] < omin) omin = cand[i];
        if (cand[i] > omax) omax = cand[i];
        int64_t t = local - cand[i];
        if (offset_at(tz, t) == cand[i] && (!found || t < best)) {
            best = t; /* the earliest is the first occurrence of a fold */
            found = true;
        }
    }
    if (!found) {
        /* DST gap: the wall time lies between the transition's wall times.
         * Return the transition instant: the first one after the gap. */
        int64_t lo = local - omax, hi = local - omin;
        int32_t olo = offset_at(tz, lo);
        while (hi - lo > 1) { /* off(lo) == olo, off(hi) != olo */
            int64_t mid = lo + (hi - lo) / 2;
            if (offset_at(tz, mid) == olo)
                lo = mid;
            else
                hi = mid;
        }
        best = hi;
    }
    return best * 1000;
}

int cs_tz_day_number(const cs_tz *tz, int64_t origin_ms, int64_t ms) {
    return (int)(cs_tz_day(tz, ms) - cs_tz_day(tz, origin_ms)) + 1;
}
