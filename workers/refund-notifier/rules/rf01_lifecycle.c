/* rf01_lifecycle.c -- RF-1: every after-sales case is registered (type,
 * reason, owning agent) from its first event and followed through its
 * life: requested, agreed, refused, buyer shipped, return received,
 * refunded, reshipped, closed, platform intervention. The owner keeps it
 * until it is closed.
 *
 * Handbook: 000 §3 #1 ("售后问题登记: 类型、原因、处理人"), 000 6月第一周 #3.
 *
 * Why it is built this way: events of one case come out of order and more
 * than once (CONTRACTS.md), so they apply in the order of (event time,
 * event id): an event at the case's position is a duplicate, one before
 * it is stale and never moves the case backwards, one after it moves the
 * case only along the transition table below. A move the table does not
 * allow (an agreement after the refund, anything after CLOSED) is an
 * impossible transition: reported in the decision (the worker records and
 * counts it), not applied, and it does not advance the case's position.
 * The table allows skipping stages forward (REQUESTED straight to
 * BUYER_SHIPPED when the agreement event is late or lost): the later
 * stage implies the earlier ones, and the late event then arrives stale.
 * The first event of a case registers it whatever its stage (its earlier
 * events may be the late ones); its type, reason and owner are taken from
 * it, and an owner first named later is taken then (the owner is never
 * replaced: it keeps the case until closed). */
#include "rf_rules.h"

#include "cs/util.h"

#include <string.h>

#define S(x) CS__V1__CASE_STAGE__CASE_STAGE_##x
#define NSTAGES 10

/* allowed[from][to]: which stage may follow which. Row UNSPECIFIED (a
 * case not registered) takes any stage. */
/* clang-format off */
static const bool allowed[NSTAGES][NSTAGES] = {
    /*                           UNS REQ AGR REF BSH RRC RFD RSH CLO PIN */
    [S(UNSPECIFIED)]         = {  0,  1,  1,  1,  1,  1,  1,  1,  1,  1 },
    [S(REQUESTED)]           = {  0,  0,  1,  1,  1,  1,  1,  1,  1,  1 },
    [S(AGREED)]              = {  0,  0,  0,  0,  1,  1,  1,  1,  1,  1 },
    /* refused: the buyer may ask again, the seller reconsider, the platform step in */
    [S(REFUSED)]             = {  0,  1,  1,  0,  0,  0,  0,  0,  1,  1 },
    /* the goods on their way back may still be refused on inspection */
    [S(BUYER_SHIPPED)]       = {  0,  0,  0,  1,  0,  1,  1,  1,  1,  1 },
    [S(RETURN_RECEIVED)]     = {  0,  0,  0,  1,  0,  0,  1,  1,  1,  1 },
    [S(REFUNDED)]            = {  0,  0,  0,  0,  0,  0,  0,  0,  1,  0 },
    [S(RESHIPPED)]           = {  0,  0,  0,  0,  0,  0,  0,  0,  1,  0 },
    [S(CLOSED)]              = {  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    /* the platform rules, for the buyer (agreement, refund) or the seller */
    [S(PLATFORM_INTERVENED)] = {  0,  0,  1,  1,  1,  1,  1,  1,  1,  0 },
};
/* clang-format on */

/* RF-1 */
bool rf1_transition_allowed(Cs__V1__CaseStage from, Cs__V1__CaseStage to) {
    if ((int)from < 0 || (int)from >= NSTAGES || (int)to <= 0 || (int)to >= NSTAGES) return false;
    return allowed[from][to];
}

/* RF-1 */
int rf1_compare_position(const rf_case *c, int64_t event_ms, const char *event_id) {
    if (event_ms != c->last_event_ms) return event_ms < c->last_event_ms ? -1 : 1;
    int r = strcmp(cs_str(event_id), cs_str(c->last_event_id));
    return r < 0 ? -1 : r > 0 ? 1 : 0;
}

/* RF-1 */
bool rf1_place(const rf_case *c, const rf_event *ev, rf_decision *d) {
    Cs__V1__CaseStage to = ev->c->stage;
    if (!c->exists) {
        if (!rf1_transition_allowed(S(UNSPECIFIED), to)) {
            d->refused_transition = true;
            d->refused_from = S(UNSPECIFIED);
            d->refused_to = to;
            return false;
        }
        d->registered = true;
        d->registered_ms = ev->event_ms;
        d->stage_changed = true;
        d->stage = to;
        d->stage_ms = ev->event_ms;
        return true;
    }
    int pos = rf1_compare_position(c, ev->event_ms, ev->event_id);
    if (pos == 0) {
        d->duplicate = true;
        return false;
    }
    if (pos < 0) {
        d->stale = true;
        return false;
    }
    if (to == c->stage) return false; /* the same stage again, later: nothing moves */
    if (!rf1_transition_allowed(c->stage, to)) {
        d->refused_transition = true;
        d->refused_from = c->stage;
        d->refused_to = to;
        return false;
    }
    d->stage_changed = true;
    d->stage = to;
    d->stage_ms = ev->event_ms;
    return true;
}
