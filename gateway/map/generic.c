/* generic.c -- the generic webhook body (in progress: refuses every body). */
#include "gw_map_internal.h"

#include <stdio.h>

int gw_map_generic(const gw_request *rq, const cJSON *root, gw_mapped *out, gw_error *err) {
    (void)rq, (void)root, (void)out;
    snprintf(err->field, sizeof err->field, "platform");
    snprintf(err->reason, sizeof err->reason, "platform mapping not built yet");
    return -1;
}
