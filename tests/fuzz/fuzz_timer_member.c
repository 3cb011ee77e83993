/* fuzz_timer_member.c -- libFuzzer target for a timer's Redis member
 * (cs_timer_member_parse, shared/src/timer_keys.c).
 *
 * The dispatcher parses every member it claims from the due sets, and
 * cscli every member it lists; Redis is shared, so a member may be
 * anything. Any bytes must parse or be refused, never crash. What parses
 * must be whole and must round-trip: the member built again from the
 * parsed fields (cs_timer_member) parses to the same fields -- the member
 * carries the whole firing (docs/architecture.md), so a field lost or
 * changed on the way would fire a different timer.
 *
 * Built with clang only (CS_FUZZ=ON) and run by tests/run.sh on a copy of
 * tests/fuzz/corpus/timer_member with tests/fuzz/timer_member.dict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cs/timer_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cs_timer_ref ref, again;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (cs_timer_member_parse((const char *)data, size, &ref) != 0) return 0;
    if (!ref.owner[0] || !ref.kind[0] || !ref.order_key[0] || !ref.timer_id[0]) abort();
    if (ref.generation <= 0 || ref.due_ms <= 0 || ref.payload_len > CS_TIMER_PAYLOAD_MAX) abort();
    char member[CS_TIMER_MEMBER_MAX];
    cs_timer_fields f = {.owner = ref.owner,
                         .timer_id = ref.timer_id,
                         .kind = ref.kind,
                         .order_key = ref.order_key,
                         .generation = ref.generation,
                         .due_ms = ref.due_ms,
                         .payload = ref.payload,
                         .payload_len = ref.payload_len};
    if (cs_timer_member(member, sizeof member, &f) != 0) abort();
    if (cs_timer_member_parse(member, strlen(member), &again) != 0) abort();
    if (strcmp(ref.owner, again.owner) != 0 || strcmp(ref.timer_id, again.timer_id) != 0 ||
        strcmp(ref.kind, again.kind) != 0 || strcmp(ref.order_key, again.order_key) != 0 ||
        ref.generation != again.generation || ref.due_ms != again.due_ms || ref.payload_len != again.payload_len ||
        memcmp(ref.payload, again.payload, ref.payload_len) != 0)
        abort();
    return 0;
}
