/* test_rv02_contact.c -- RV-2: day 1, an online buyer gets an IM contact,
 * an offline one a call task; caps: neutral at most 2 calls, negative at
 * most 3 contacts (calls and IMs together); a refused call ends the
 * follow-ups; an opted-out buyer is left alone. */
#include "rv_fixtures.h"

static Cs__V1__CallResult callResult(Cs__V1__CallOutcome outcome) {
    Cs__V1__CallResult call = CS__V1__CALL_RESULT__INIT;
    call.task_id = FXR_S("T1");
    call.order_id = FXR_S("O1");
    call.agent = FXR_S("agent-1");
    call.outcome = outcome;
    return call;
}

static void test_rv2_day1_offline_buyer_gets_a_call_task(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 18, 30);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, posted, &c, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_INT(d.fx.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_CALL);
    CT_EQ_STR(d.fx.tasks[0].rule, "RV-2");
    CT_EQ_INT(d.fx.tasks[0].due_ms, fxr_local(&s, 2024, 11, 21, 0, 0));
    CT_CHECK(strstr(d.fx.tasks[0].summary, "contact 1 of at most 3") != NULL);
    /* no message on day 1: the only requests are RV-4's, held to day 2 and 3 */
    for (int i = 0; i < d.fx.nnotes; i++) CT_CHECK(rv_day_number(&c, &s, d.fx.notes[i].not_before_ms) >= 2);
    CT_EQ_INT(c.calls, 1);
    CT_EQ_INT(c.ims, 0);
    CT_EQ_INT(c.last_contact_day, 1);
    fxr_shop_done(&s);
}

static void test_rv2_day1_online_buyer_gets_an_im_contact(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 18, 30);
    Cs__V1__Review r = fxr_review(FXR_NEU, posted);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, true, &s, posted, &c, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_EQ_INT(d.fx.tasks[0].kind, CS__V1__TASK_KIND__TASK_KIND_REVIEW);
    CT_CHECK(d.fx.tasks[0].urgent);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "contact by IM") != NULL);
    CT_EQ_INT(c.calls, 0);
    CT_EQ_INT(c.ims, 1);
    fxr_shop_done(&s);
}

static void test_rv2_neutral_at_most_two_calls(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 9, 0);
    Cs__V1__Review r = fxr_review(FXR_NEU, posted);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, posted, &c, &d));
    Cs__V1__CallResult unreachable = callResult(CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE);
    /* first call unreachable: a second call, the last one allowed */
    rv_decision_init(&d);
    CT_CHECK(rv2_on_call_result(&unreachable, &c, &s, posted + FXR_HOUR, &d));
    CT_EQ_INT(d.fx.ntasks, 1);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "call 2 of at most 2") != NULL);
    rv_case_apply(&c, &d, posted + FXR_HOUR);
    CT_EQ_INT(c.calls, 2);
    /* second unreachable: no third call */
    rv_decision_init(&d);
    CT_CHECK(!rv2_on_call_result(&unreachable, &c, &s, posted + 2 * FXR_HOUR, &d));
    CT_EQ_INT(d.fx.ntasks, 0);
    CT_CHECK(!rv2_contact_allowed(&c, &s, RV_CONTACT_CALL));
    /* IM is not a call: a neutral case may still be contacted by IM */
    CT_CHECK(rv2_contact_allowed(&c, &s, RV_CONTACT_IM));
    fxr_shop_done(&s);
}

static void test_rv2_negative_at_most_three_contacts_calls_and_ims_together(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 9, 0);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, posted, &c, &d)); /* call 1 */
    Cs__V1__CallResult unreachable = callResult(CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE);
    rv_decision_init(&d);
    CT_CHECK(rv2_on_call_result(&unreachable, &c, &s, posted + FXR_HOUR, &d)); /* call 2 */
    rv_case_apply(&c, &d, posted + FXR_HOUR);
    /* day 2: the buyer comes online: IM, the third and last contact */
    Cs__V1__Presence online = CS__V1__PRESENCE__INIT;
    online.buyer_id = FXR_S("buyer-1");
    online.online = true;
    int64_t day2 = fxr_local(&s, 2024, 11, 21, 11, 0);
    rv_decision_init(&d);
    CT_CHECK(rv2_on_presence(&online, &c, &s, day2, &d));
    CT_EQ_INT(d.add_ims, 1);
    CT_CHECK(strstr(d.fx.tasks[0].summary, "contact 3 of at most 3") != NULL);
    rv_case_apply(&c, &d, day2);
    CT_EQ_INT(c.calls + c.ims, 3);
    /* day 3: online again, but the cap is reached */
    rv_decision_init(&d);
    CT_CHECK(!rv2_on_presence(&online, &c, &s, fxr_local(&s, 2024, 11, 22, 11, 0), &d));
    CT_EQ_INT(d.fx.ntasks, 0);
    CT_CHECK(!rv2_contact_allowed(&c, &s, RV_CONTACT_IM));
    CT_CHECK(!rv2_contact_allowed(&c, &s, RV_CONTACT_CALL));
    fxr_shop_done(&s);
}

static void test_rv2_presence_makes_at_most_one_contact_a_day(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 9, 0);
    Cs__V1__Review r = fxr_review(FXR_NEU, posted);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, posted, &c, &d)); /* day-1 call */
    Cs__V1__Presence online = CS__V1__PRESENCE__INIT;
    online.online = true;
    /* online later on day 1: the day already had its contact */
    rv_decision_init(&d);
    CT_CHECK(!rv2_on_presence(&online, &c, &s, posted + 3 * FXR_HOUR, &d));
    CT_EQ_INT(d.fx.ntasks, 0);
    /* day 2: one IM; online again the same day: nothing more */
    int64_t day2 = fxr_local(&s, 2024, 11, 21, 14, 0);
    rv_decision_init(&d);
    CT_CHECK(rv2_on_presence(&online, &c, &s, day2, &d));
    rv_case_apply(&c, &d, day2);
    rv_decision_init(&d);
    CT_CHECK(!rv2_on_presence(&online, &c, &s, day2 + FXR_HOUR, &d));
    CT_EQ_INT(c.ims, 1);
    /* going offline is not a contact */
    online.online = false;
    rv_decision_init(&d);
    CT_CHECK(!rv2_on_presence(&online, &c, &s, fxr_local(&s, 2024, 11, 22, 9, 0), &d));
    fxr_shop_done(&s);
}

static void test_rv2_unreachable_on_day2_is_left_to_the_sms(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 23, 30);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, posted, &c, &d));
    Cs__V1__CallResult unreachable = callResult(CS__V1__CALL_OUTCOME__CALL_OUTCOME_UNREACHABLE);
    rv_decision_init(&d);
    CT_CHECK(!rv2_on_call_result(&unreachable, &c, &s, fxr_local(&s, 2024, 11, 21, 9, 30), &d));
    CT_EQ_INT(d.fx.ntasks, 0);
    fxr_shop_done(&s);
}

static void test_rv2_refused_call_records_refused_and_cancels_every_followup(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 18, 30);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, posted, &c, &d));
    Cs__V1__CallResult refused = callResult(CS__V1__CALL_OUTCOME__CALL_OUTCOME_REFUSED);
    rv_decision_init(&d);
    CT_CHECK(rv2_on_call_result(&refused, &c, &s, posted + FXR_HOUR, &d));
    CT_EQ_INT(d.state, RV_STATE_REFUSED);
    CT_CHECK(fxr_cancels_all(&d));
    CT_EQ_INT(d.fx.ntasks, 0);
    rv_case_apply(&c, &d, posted + FXR_HOUR);
    CT_EQ_INT(c.state, RV_STATE_REFUSED);
    CT_EQ_INT(c.closed_ms, posted + FXR_HOUR);
    fxr_shop_done(&s);
}

static void test_rv2_agreed_call_keeps_the_followups(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 18, 30);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, posted, &c, &d));
    Cs__V1__CallResult agreed = callResult(CS__V1__CALL_OUTCOME__CALL_OUTCOME_AGREED);
    rv_decision_init(&d);
    CT_CHECK(!rv2_on_call_result(&agreed, &c, &s, posted + FXR_HOUR, &d));
    CT_CHECK(cs_fx_empty(&d.fx));
    CT_EQ_INT(d.state, RV_STATE_NONE);
    /* an agreement is not a revision: the SMS asked for stay asked for */
    CT_CHECK(d.fx.followup_cancel == NULL);
    CT_EQ_INT(c.sms_days, 0x6);
    fxr_shop_done(&s);
}

static void test_rv2_opted_out_buyer_is_not_contacted(void) {
    cs_shop s;
    fxr_shop_init(&s, "Asia/Shanghai");
    int64_t posted = fxr_local(&s, 2024, 11, 20, 9, 0);
    Cs__V1__Review r = fxr_review(FXR_NEG, posted);
    rv_case c;
    rv_decision d;
    CT_CHECK(fxr_open(&r, false, &s, posted, &c, &d));
    c.opted_out = true;
    Cs__V1__Presence online = CS__V1__PRESENCE__INIT;
    online.online = true;
    rv_decision_init(&d);
    CT_CHECK(!rv2_on_presence(&online, &c, &s, fxr_local(&s, 2024, 11, 21, 11, 0), &d));
    CT_EQ_INT(d.fx.ntasks, 0);
    fxr_shop_done(&s);
}

CT_MAIN(CT_CASE(test_rv2_day1_offline_buyer_gets_a_call_task), CT_CASE(test_rv2_day1_online_buyer_gets_an_im_contact),
        CT_CASE(test_rv2_neutral_at_most_two_calls),
        CT_CASE(test_rv2_negative_at_most_three_contacts_calls_and_ims_together),
        CT_CASE(test_rv2_presence_makes_at_most_one_contact_a_day),
        CT_CASE(test_rv2_unreachable_on_day2_is_left_to_the_sms),
        CT_CASE(test_rv2_refused_call_records_refused_and_cancels_every_followup),
        CT_CASE(test_rv2_agreed_call_keeps_the_followups), CT_CASE(test_rv2_opted_out_buyer_is_not_contacted))
