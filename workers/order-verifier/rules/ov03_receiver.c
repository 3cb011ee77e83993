/* ov03_receiver.c -- OV-3: receiver name, a valid phone and a complete
 * address, else ADDRESS_INCOMPLETE.
 *
 * Handbook: 001 §03 客户联系方式验证 ("确保客户填写的电话号码...及收货地址
 * 完整有效,以便物流配送和售后沟通顺畅进行").
 *
 * Why it is built this way: one reason names every missing or invalid part
 * at once (name, phone, province, city, district, street), so the agent
 * asks the buyer a single time. "Complete" means each of province, city,
 * district and street detail is non-empty after trimming (ASCII and
 * ideographic spaces); the phone syntax is cs_phone_valid()'s (mainland
 * mobile 1[3-9] + 9 digits or an area-code landline, full-width digits
 * accepted), shared with the other workers so every rule reads a phone the
 * same way. Which address parts are required is a shop setting
 * (address_required, default all four as RULES.md lists them): a Shopify
 * shop's addresses have no district, and its country may need fewer parts. */
#include "ov_rules.h"

#include "cs/text.h"

/* OV-3 */
void ov3_check_receiver(const Cs__V1__Order *o, const cs_shop *shop, ov_decision *d) {
    unsigned need = shop ? shop->address_required : CS_ADDR_ALL;
    const Cs__V1__Receiver *r = o->receiver;
    const Cs__V1__Address *a = r ? r->address : NULL;
    char missing[OV_DETAIL_LEN] = "";

    if (!r || ov_blank(r->name)) ov_appendf(missing, sizeof missing, ", receiver name");
    if (!r || ov_blank(r->phone))
        ov_appendf(missing, sizeof missing, ", phone");
    else if (!cs_phone_valid(r->phone))
        ov_appendf(missing, sizeof missing, ", phone (invalid)");
    if ((need & CS_ADDR_PROVINCE) && (!a || ov_blank(a->province))) ov_appendf(missing, sizeof missing, ", province");
    if ((need & CS_ADDR_CITY) && (!a || ov_blank(a->city))) ov_appendf(missing, sizeof missing, ", city");
    if ((need & CS_ADDR_DISTRICT) && (!a || ov_blank(a->district))) ov_appendf(missing, sizeof missing, ", district");
    if ((need & CS_ADDR_STREET) && (!a || ov_blank(a->street))) ov_appendf(missing, sizeof missing, ", street");
    if (missing[0]) ov_add_reason(d, "OV-3", OV_ADDRESS_INCOMPLETE, "missing: %s", missing + 2);
}
