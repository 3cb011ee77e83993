/* ov04_courier.c -- OV-4 courier coverage (with OV-5's cash-on-delivery
 * part): keep the chosen courier if it can deliver to the address, else
 * switch to the shop's first courier that can, else COURIER_UNREACHABLE.
 *
 * Handbook: 000 §2 #3 ("注意货到付款的订单和地址明显不到的订单核查更改快递")
 * and 000 6月第二周 #1 (顺丰不到的地方改发其他快递); 000 §2 #6 for COD.
 *
 * Why it is built this way: the shops file lists, per courier, the regions
 * it cannot reach and where it collects cash (cs_region). A one-part region
 * ("杭州市") matches the address's province, city or district; a path
 * ("浙江省/杭州市/淳安县") matches from the province down as far as it goes,
 * so it blocks only that district and a courier that stops at 淳安县 still
 * serves 西湖区 of the same city. Names are compared after
 * cs_text_normalize() (NFKC, no spaces or punctuation, case-folded) so
 * full-width or spaced input matches the configured name; no suffix magic
 * ("杭州" is not "杭州市"): the shops file must use the platform's names.
 * The switch goes to the first courier in the shop's preference order,
 * skipping the one that failed, and is recorded as an annotation so the
 * warehouse prints the right label. A chosen courier missing from the
 * shop's table cannot be checked and is replaced like an unreachable one;
 * a shop with no couriers configured keeps whatever the order names. */
#include "ov_rules.h"

#include <stdlib.h>
#include <string.h>

/* An address's place names in comparable form, computed once per check
 * (normalisation goes through ICU; a courier table has many regions). */
typedef struct places {
    char *name[3]; /* province, city, district; NULL where blank */
} places;

static void places_of(places *p, const Cs__V1__Address *a) {
    p->name[0] = a ? ov_canon_name(a->province) : NULL;
    p->name[1] = a ? ov_canon_name(a->city) : NULL;
    p->name[2] = a ? ov_canon_name(a->district) : NULL;
}

static void places_free(places *p) {
    for (int i = 0; i < 3; i++) free(p->name[i]);
}

static bool same(const char *canon_place, const char *region_part) {
    if (!canon_place) return false;
    char *c = ov_canon_name(region_part);
    bool eq = c && strcmp(c, canon_place) == 0;
    free(c);
    return eq;
}

/* OV-4: does region rg cover the address? One part: equal to its
 * province, city or district. A path: equal level by level from the
 * province down, as far as the path goes. */
static bool region_covers(const cs_region *rg, const places *p) {
    if (rg->nparts <= 0) return false;
    if (rg->nparts == 1)
        return same(p->name[0], rg->parts[0]) || same(p->name[1], rg->parts[0]) || same(p->name[2], rg->parts[0]);
    for (int i = 0; i < rg->nparts && i < 3; i++)
        if (rg->parts[i] && !same(p->name[i], rg->parts[i])) return false;
    return true;
}

static bool any_region_covers(const cs_region *rs, int n, const places *p) {
    for (int i = 0; i < n; i++)
        if (region_covers(&rs[i], p)) return true;
    return false;
}

/* OV-4, OV-5 */
bool ov4_courier_serves(const cs_courier *c, const Cs__V1__Address *a, bool cod) {
    /* no address: nothing to exclude (OV-3 reports it), no place to collect */
    places p;
    places_of(&p, a);
    bool ok = !any_region_covers(c->unreachable, c->nunreachable, &p) &&
              (!cod || c->cod_everywhere || any_region_covers(c->cod, c->ncod, &p));
    places_free(&p);
    return ok;
}

static const cs_courier *courier_by_code(const cs_shop *shop, const char *code) {
    for (int i = 0; i < shop->ncouriers; i++)
        if (strcmp(ov_str(shop->couriers[i].code), code) == 0) return &shop->couriers[i];
    return NULL;
}

/* OV-4 */
void ov4_choose_courier(const Cs__V1__Order *o, const cs_shop *shop, ov_decision *d) {
    const Cs__V1__Address *a = o->receiver ? o->receiver->address : NULL;
    bool cod = ov_order_cod(o);
    const char *chosen = ov_blank(o->courier) ? NULL : o->courier;
    char where[OV_DETAIL_LEN] = "";

    d->courier = chosen;
    if (!shop || shop->ncouriers == 0) return; /* no table to check against */

    if (a) ov_appendf(where, sizeof where, "%s/%s/%s", ov_str(a->province), ov_str(a->city), ov_str(a->district));
    const cs_courier *cc = chosen ? courier_by_code(shop, chosen) : NULL;
    if (cc && ov4_courier_serves(cc, a, cod)) {
        d->courier = cc->code;
        return;
    }
    for (int i = 0; i < shop->ncouriers; i++) {
        const cs_courier *c = &shop->couriers[i];
        if (c == cc || !ov4_courier_serves(c, a, cod)) continue;
        d->courier = c->code;
        if (!chosen)
            ov_add_annotation(d, "OV-4", OV_COURIER_ASSIGNED, NULL, "no courier chosen: %s", c->code);
        else if (!cc)
            ov_add_annotation(d, "OV-4", OV_COURIER_SWITCHED, NULL,
                              "courier %s not in the shop's table: switched to %s", chosen, c->code);
        else
            ov_add_annotation(d, "OV-4", OV_COURIER_SWITCHED, NULL, "%s cannot %s %s: switched to %s", chosen,
                              cod ? "deliver or collect cash in" : "reach", where, c->code);
        return;
    }
    ov_add_reason(d, "OV-4", OV_COURIER_UNREACHABLE, "no courier of the shop can %s %s",
                  cod ? "deliver and collect cash in" : "reach", where);
}
