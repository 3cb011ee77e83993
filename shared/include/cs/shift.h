/* shift.h -- SH-1: which shift an agent task goes to.
 *
 * A task goes to the on-duty shift that began most recently; created while
 * no shift is on duty, it waits for the first shift of the day (the next
 * one to start). Times are local to the shop. */
#ifndef CS_SHIFT_H
#define CS_SHIFT_H

#include <stdint.h>
#include "cs/shop.h"

/* The shift for a task created at now_ms, or NULL if the shop has none. */
const cs_shift *cs_shift_for_task(const cs_shop *shop, int64_t now_ms);

/* SH-1 handover: the shift that takes the open tasks of `ending` at its
 * end. Among the other shifts on duty at that minute, the one that began
 * most recently; when none is, the next one to start (the first of the
 * next day when none starts later that day). NULL if the shop has no
 * other shift. */
const cs_shift *cs_shift_handover(const cs_shop *shop, const cs_shift *ending);

/* The shop's shift named name, or NULL. */
const cs_shift *cs_shift_named(const cs_shop *shop, const char *name);

#endif
