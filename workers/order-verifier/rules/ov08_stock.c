/* ov08_stock.c -- OV-8: stock is reserved per line on payment; not enough
 * stock is OUT_OF_STOCK carrying the restock date when known.
 *
 * Handbook: 000 §2 #5 (F2里的异常件) and #7 ("当天付好款的订单,如果缺货的产品
 * 第二天可以到货...不确定到货时间的,需电话通知"): a stock-out is an exception
 * whose follow-up depends on the restock date, so the date travels with it.
 *
 * Why it is built this way: this function only decides; the worker takes
 * or gives back units in the same database transaction that locked the
 * inventory rows it passed in (ov_state.stock), which is what makes "two
 * orders can never both take the last unit" hold across worker copies.
 * Quantities of one SKU over several lines add up (compared as int64, so
 * no sum overflows). A SKU without an inventory row has 0 available and an
 * unknown restock date. The restock date of the exception is the latest of
 * the short SKUs' dates, because the order ships only when all are back;
 * if any short SKU's date is unknown, the order's is unknown (0).
 *
 * Reservation: only committed orders (paid, or cash on delivery, which
 * ships without payment) take stock; an unpaid one is re-verified when it
 * is paid. If the order holds nothing yet and everything fits,
 * reserve_stock. If it already holds stock (ov_state.stock_reserved) the
 * units it holds (ov_stock.held_by_order) count as available to it: the
 * same quantities as held = nothing to do; different ones that fit (its
 * lines changed) = release_stock + reserve_stock, i.e. swap the old
 * reservation for the new one in one transaction; a change that no longer
 * fits = OUT_OF_STOCK and the old reservation is kept (release nothing, so
 * the paid buyer does not lose units while an agent looks). A worker that
 * sets stock_reserved without filling any held_by_order (all 0) is taken
 * to hold exactly what the order needs: nothing is re-reserved, which can
 * never take units twice. ov_verify() later drops the reservation when
 * the final state is not one that ships (see there). */
#include "ov_rules.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "cs/order_facts.h"

static const ov_stock *stock_of(const ov_state *st, const char *sku) {
    for (size_t i = 0; st && i < st->nstock; i++)
        if (st->stock[i].sku && strcmp(st->stock[i].sku, sku) == 0) return &st->stock[i];
    return NULL;
}

/* true if line i is the first line carrying its SKU (each SKU once). */
static bool first_of_sku(const Cs__V1__Order *o, size_t i) {
    for (size_t j = 0; j < i; j++)
        if (o->lines[j] && strcmp(ov_str(o->lines[j]->sku), ov_str(o->lines[i]->sku)) == 0) return false;
    return true;
}

/* OV-8 */
void ov8_check_stock(const Cs__V1__Order *o, const ov_state *st, ov_decision *d) {
    bool holds = st && st->stock_reserved;
    bool holds_known = false, same_as_held = true, short_any = false, date_unknown = false;
    int64_t restock = 0;
    char detail[OV_DETAIL_LEN] = "";

    d->reserve_stock = d->release_stock = false;
    d->restock_date_ms = 0;
    if (!ov_order_committed(o)) return; /* stock is taken on payment */

    for (size_t i = 0; holds && i < st->nstock; i++) {
        if (st->stock[i].held_by_order != 0) holds_known = true;
        /* a held SKU the order no longer has lines for: the holding differs */
        if (st->stock[i].held_by_order != 0 && ov_sku_quantity(o, ov_str(st->stock[i].sku)) == 0) same_as_held = false;
    }

    for (size_t i = 0; i < o->n_lines; i++) {
        if (!o->lines[i] || ov_blank(o->lines[i]->sku) || !first_of_sku(o, i)) continue;
        const char *sku = o->lines[i]->sku;
        const ov_stock *s = stock_of(st, sku);
        int64_t need = ov_sku_quantity(o, sku);
        int64_t held = holds && s ? s->held_by_order : 0;
        int64_t avail = (s && s->known ? s->available : 0) + held;
        if (need != held) same_as_held = false;
        if (need <= avail) continue;
        short_any = true;
        int64_t date = s && s->known ? s->restock_date_ms : 0;
        if (date == 0)
            date_unknown = true;
        else if (date > restock)
            restock = date;
        ov_appendf(detail, sizeof detail, "%s%s: need %" PRId64 ", available %" PRId64, detail[0] ? "; " : "", sku,
                   need, avail);
    }

    if (short_any) {
        d->restock_date_ms = date_unknown ? 0 : restock;
        ov_add_reason(d, "OV-8", OV_OUT_OF_STOCK, "%s", detail);
        return; /* keep whatever it holds; take nothing new */
    }
    if (!holds) {
        d->reserve_stock = true;
    } else if (holds_known && !same_as_held) {
        d->release_stock = true; /* lines changed: swap the reservation */
        d->reserve_stock = true;
    }
}

/* ---- the worker's side of a decision (moved here from verifier.c: these
 * are OV-8's arithmetic, so they are tested with the rule) ---------------- */

int64_t ov8_needs(const Cs__V1__Order *o, const char *sku) { return cs_order_sku_quantity(o, sku); }

bool ov8_sku_fits(const Cs__V1__Order *o, const char *sku, int32_t available) {
    return (int64_t)available >= ov8_needs(o, sku);
}

size_t ov8_short_skus(const Cs__V1__Order *o, const ov_stock *stock, size_t n, const char **out, size_t max) {
    size_t k = 0;
    for (size_t i = 0; i < n && k < max; i++)
        if ((int64_t)stock[i].available + stock[i].held_by_order < ov8_needs(o, stock[i].sku)) out[k++] = stock[i].sku;
    return k;
}

bool ov8_apply_level(ov_level *s, const Cs__V1__InventoryLevel *l) {
    int32_t before = s->available;
    /* a count replaces the level only if it is at least as new as the one
     * we have; a restock adds to whatever the level is (capped) */
    if (l->counted_ms > 0 && l->counted_ms >= s->counted_ms) {
        s->available = l->available;
        s->counted_ms = l->counted_ms;
        s->known = true;
    }
    if (l->restock_quantity > 0) {
        s->available = s->available > INT32_MAX - l->restock_quantity ? INT32_MAX : s->available + l->restock_quantity;
        s->known = true;
    }
    /* the restock date is the latest word, unless it would erase a known
     * date while the SKU is still out */
    if (l->restock_date_ms > 0 || s->available > 0) s->restock_date_ms = l->restock_date_ms;
    return s->available > before;
}
