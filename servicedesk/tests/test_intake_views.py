"""Intake, the confirmation, the request page and the household panel, through the pages, as the personas."""

import datetime as dt

import pytest
from django.urls import reverse

from core.models import AuditEvent
from servicedesk import actions
from servicedesk.choices import AnsweredVia, Channel, RequestStatus, UpdateKind
from servicedesk.models import ServiceRequest, Visit

KST = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture(autouse=True)
def _english(client):
    """The console speaks Korean by default; these assertions read English."""
    client.cookies["django_language"] = "en"


@pytest.fixture(autouse=True)
def _memory_sms(settings):
    settings.SMS_BACKEND = "core.notify.backends.MemorySMSBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def intake_data(types, premise, rows, *, key="key-1", **extra):
    """The intake form as the browser sends it: one prefixed row per request."""
    data = {
        "premise": premise.pk if premise else "",
        "intake_key": key,
        "channel": "phone",
        "contact_name": "",
        "contact_phone": "010-1234-5678",
        "notify_by_sms": "on",
        "contact_email": "",
        "appointment_date": "",
        "appointment_start": "",
        "appointment_end": "",
        "appointment_note": "",
        "row": [str(index) for index in range(len(rows))],
        "save": "1",
    }
    for index, (code, description, details) in enumerate(rows):
        data[f"r{index}-type"] = str(types[code].pk) if code else ""
        data[f"r{index}-description"] = description
        for name, value in details.items():
            data[f"r{index}-detail_{name}"] = value
    data.update(extra)
    return data


def take(types, premise, code, *, user, description="문제", details=None, **kwargs):
    return actions.take_requests(
        [actions.RequestDraft(type=types[code], description=description, details=details or {})],
        channel=Channel.PHONE,
        contact=actions.Contact(name="홍길동", phone="010-1234-5678"),
        premise=premise,
        acting_user=user,
        **kwargs,
    ).requests[0]


class TestIntake:
    def test_the_page_opens_on_the_lookup_and_offers_the_catalogue(self, client, agent):
        client.force_login(agent)
        response = client.get(reverse("intake"))
        page = response.content.decode()
        assert response.status_code == 200
        assert 'name="q"' in page and "autofocus" in page
        assert "Works (field visit)" in page and "Billing and administration" in page
        assert "Leak diagnosis — 9 business hours" in page
        assert 'name="intake_key"' in page

    def test_two_requests_with_an_appointment_make_one_visit_and_show_the_numbers(
        self, client, agent, types, household, leak_crew
    ):
        client.force_login(agent)
        data = intake_data(
            types,
            household,
            [
                ("leak_diagnosis", "계량기 옆에서 물이 새요", {"where": "마당"}),
                ("name_change", "명의를 바꾸고 싶어요", {}),
            ],
            appointment_date="2026-11-24",
            appointment_start="14:00",
            appointment_end="16:00",
            appointment_note="세입자가 집에 있음",
        )
        response = client.post(reverse("intake"), data)
        assert response.status_code == 302

        requests = list(ServiceRequest.objects.order_by("pk"))
        assert [r.type.code for r in requests] == ["leak_diagnosis", "name_change"]
        assert requests[0].details == {"where": "마당"}
        assert requests[0].contact_phone == "+821012345678" and requests[0].created_by == agent
        visit = Visit.objects.get()
        assert visit.appointment_start == dt.datetime(2026, 11, 24, 14, tzinfo=KST)
        assert visit.appointment_end == dt.datetime(2026, 11, 24, 16, tzinfo=KST)
        assert list(visit.crew.all()) == [leak_crew]
        assert requests[0].visit == visit and requests[1].visit is None
        assert response["Location"] == reverse("intake-done", args=[requests[0].number])

        done = client.get(response["Location"]).content.decode()
        for request in requests:
            year, serial, check = request.number.split("-")
            assert f"<span>{serial[:3]}</span>" in done and f"<span>{serial[3:]}</span>" in done
            assert reverse("request-status", args=[request.status_token]) in done
        assert visit.number in done and "crew_leak" in done
        assert "14:00–16:00" in done
        assert f"{reverse('intake')}?premise={household.pk}" in done
        assert reverse("household", args=[household.pk]) in done
        assert "010-****-5678" in done

    def test_an_appointment_no_crew_can_take_is_kept_for_the_arranging_clerk(
        self, client, agent, supervisor, types, household
    ):
        client.force_login(agent)
        data = intake_data(
            types,
            household,
            [("leak_diagnosis", "계량기 옆에서 물이 새요", {})],
            appointment_date="2026-11-24",
            appointment_start="14:00",
            appointment_end="16:00",
            appointment_note="세입자가 집에 있음",
        )
        response = client.post(reverse("intake"), data, follow=True)
        page = response.content.decode()
        assert response.status_code == 200 and ServiceRequest.objects.count() == 1
        assert "The requests are saved, but the visit could not be arranged" in page
        assert "The citizen asked for" in page and "14:00–16:00" in page
        visit = Visit.objects.get()
        client.force_login(supervisor)
        form = client.get(reverse("visit-arrange", args=[visit.number])).context["form"]
        assert (str(form.initial["on"]), str(form.initial["start"]), str(form.initial["end"])) == (
            "2026-11-24",
            "14:00:00",
            "16:00:00",
        )
        assert form.initial["note"] == "세입자가 집에 있음"

    def test_a_missing_required_field_names_it_and_keeps_what_was_typed(
        self, client, agent, types, household
    ):
        client.force_login(agent)
        data = intake_data(
            types,
            household,
            [("supply_inconvenience", "아침부터 물이 졸졸 나와요", {}), ("enquiry", "요금 문의입니다", {})],
            contact_name="김세입",
        )
        response = client.post(reverse("intake"), data)
        page = response.content.decode()
        assert response.status_code == 422
        assert "Symptom is required for Supply inconvenience (no or low water)." in page
        assert "Nothing was saved yet." in page
        assert "아침부터 물이 졸졸 나와요" in page and "요금 문의입니다" in page
        assert 'value="김세입"' in page and 'value="key-1"' in page
        assert not ServiceRequest.objects.exists()

    def test_a_refusal_of_the_action_comes_back_on_the_form(self, client, agent, types):
        # Works need an address: the action refuses, the page says so, nothing is lost.
        client.force_login(agent)
        data = intake_data(types, None, [("leak_diagnosis", "어딘가 새는 것 같아요", {})])
        response = client.post(reverse("intake"), data)
        page = response.content.decode()
        assert response.status_code == 422
        assert "Leak diagnosis needs a field visit: find the household&#x27;s address first." in page
        assert "어딘가 새는 것 같아요" in page
        assert not ServiceRequest.objects.exists()

    def test_an_enquiry_without_a_household(self, client, agent, types):
        client.force_login(agent)
        data = intake_data(
            types, None, [("enquiry", "이사 예정인데 절차가 궁금해요", {})], contact_name="이방문"
        )
        response = client.post(reverse("intake"), data)
        assert response.status_code == 302
        request = ServiceRequest.objects.get()
        assert request.premise is None and request.office is None and request.contact_name == "이방문"
        assert "No household" in client.get(response["Location"]).content.decode()

    def test_a_double_submit_creates_nothing_new(self, client, agent, types, household):
        client.force_login(agent)
        data = intake_data(
            types, household, [("leak_diagnosis", "누수", {}), ("enquiry", "문의", {})], key="same"
        )
        first = client.post(reverse("intake"), data)
        again = client.post(reverse("intake"), data)
        assert first.status_code == again.status_code == 302
        assert again["Location"] == first["Location"]
        assert ServiceRequest.objects.count() == 2 and Visit.objects.count() == 1
        assert AuditEvent.objects.filter(action="request.received").count() == 2

    def test_an_empty_added_row_is_skipped(self, client, agent, types, household):
        client.force_login(agent)
        data = intake_data(types, household, [("enquiry", "문의", {}), ("", "", {})])
        assert client.post(reverse("intake"), data).status_code == 302
        assert ServiceRequest.objects.count() == 1

    def test_an_incomplete_appointment_is_refused(self, client, agent, types, household):
        client.force_login(agent)
        data = intake_data(types, household, [("leak_diagnosis", "누수", {})], appointment_date="2026-11-24")
        response = client.post(reverse("intake"), data)
        assert response.status_code == 422
        assert "Enter the date and both times of the agreed visit" in response.content.decode()
        assert not Visit.objects.exists()

    def test_choosing_a_household_keeps_what_was_typed(self, client, agent, types, household):
        client.force_login(agent)
        data = intake_data(types, None, [("leak_diagnosis", "마당에 물이 고여요", {})], contact_phone="")
        del data["save"]
        data.update(choose_premise=str(household.pk), caller="010-1234-5678")
        response = client.post(reverse("intake"), data)
        page = response.content.decode()
        assert response.status_code == 200
        assert household.address_line in page and "마당에 물이 고여요" in page
        assert 'value="010-1234-5678"' in page  # the number the caller rang from
        assert "홍*동" in page and "홍길동" not in page
        assert not ServiceRequest.objects.exists()

    def test_without_scripts_another_request_is_added_by_sending_the_form(
        self, client, agent, types, household
    ):
        client.force_login(agent)
        data = intake_data(types, household, [("enquiry", "첫 번째 문의", {})])
        del data["save"]
        data["add_row"] = "1"
        page = client.post(reverse("intake"), data).content.decode()
        assert 'name="r1-type"' in page and "첫 번째 문의" in page
        assert not ServiceRequest.objects.exists()

    def test_the_outsider_and_the_crew_may_not_take_requests(self, client, outsider, crew, types, household):
        for user in (outsider, crew):
            client.force_login(user)
            assert client.get(reverse("intake")).status_code == 403
            data = intake_data(types, household, [("enquiry", "문의", {})])
            assert client.post(reverse("intake"), data).status_code == 403
            assert client.get(reverse("intake-row")).status_code == 403
        assert not ServiceRequest.objects.exists()

    def test_history_and_open_requests_of_the_household(self, client, agent, clerk, types, household):
        done = take(types, household, "enquiry", user=agent, description="지난 문의")
        actions.complete_request(done, resolution="안내함", acting_user=clerk)
        still_open = take(types, household, "name_change", user=agent, description="명의 변경 요청")
        elsewhere = take(types, None, "enquiry", user=agent, description="다른 사람")
        client.force_login(agent)
        page = client.get(reverse("intake") + f"?premise={household.pk}").content.decode()
        assert "Complaint history at this address" in page and "2 requests" in page
        assert done.number in page and still_open.number in page and elsewhere.number not in page
        assert "Open already: 1 request" in page
        assert page.index(still_open.number) < page.index("Complaint history at this address")
        assert "홍*동" in page and "홍길동" not in page


class TestFragments:
    def test_lookup_by_phone_number_finds_the_household(self, client, agent, household):
        client.force_login(agent)
        response = client.get(reverse("intake-household"), {"q": "010 1234 5678"}, HTTP_HX_REQUEST="true")
        page = response.content.decode()
        assert response.status_code == 200
        assert f'name="choose_premise" value="{household.pk}"' in page
        assert 'name="caller" value="010 1234 5678"' in page
        assert "<html" not in page

    def test_a_row_brings_the_questions_of_its_type(self, client, agent, types):
        client.force_login(agent)
        kind = types["supply_inconvenience"]
        response = client.get(
            reverse("intake-row"), {"index": "2", "r2-type": kind.pk, "r2-description": "물이 안 나와요"}
        )
        page = response.content.decode()
        assert 'name="r2-detail_symptom"' in page and "Low pressure" in page
        assert "물이 안 나와요" in page and 'name="row" value="2"' in page

    def test_another_request_adds_a_row_and_moves_the_button_on(self, client, agent):
        client.force_login(agent)
        page = client.get(reverse("intake-row"), {"index": "1", "add": "1"}).content.decode()
        assert 'name="r1-type"' in page and "autofocus" in page
        assert 'hx-swap-oob="true"' in page and "index=2" in page


@pytest.fixture
def open_request(agent, types, household):
    return take(types, household, "name_change", user=agent, description="명의를 바꾸려 합니다")


class TestRequestPage:
    def test_the_page_shows_the_request_and_its_steps(
        self, client, clerk, agent, types, household, open_request
    ):
        actions.pause_request(open_request, reason="가족관계증명서를 기다립니다", acting_user=clerk)
        client.force_login(clerk)
        page = client.get(reverse("request-detail", args=[open_request.number])).content.decode()
        assert open_request.number in page and "Name change" in page
        assert (
            "Request received" in page and "Waiting for you" in page and "가족관계증명서를 기다립니다" in page
        )
        assert "명의를 바꾸려 합니다" in page
        assert "010-****-5678" in page and "홍*동" in page and "홍길동" not in page
        assert reverse("household", args=[household.pk]) in page
        assert reverse("request-operation", args=[open_request.number, "resume"]) in page

    def test_the_visit_and_the_arrange_link(self, client, clerk, agent, types, household):
        request = take(types, household, "leak_diagnosis", user=agent)
        client.force_login(clerk)
        page = client.get(reverse("request-detail", args=[request.number])).content.decode()
        assert request.visit.number in page
        assert reverse("visit-arrange", args=[request.visit.number]) in page
        # A request on a visit is completed with the visit, not from here.
        assert reverse("request-operation", args=[request.number, "complete"]) not in page

    def test_an_agent_sees_the_page_without_operations(self, client, agent, open_request):
        client.force_login(agent)
        page = client.get(reverse("request-detail", args=[open_request.number])).content.decode()
        assert open_request.number in page and "Operations" not in page

    def test_the_survey_and_linked_requests(self, client, clerk, agent, types, household, leak_crew):
        request = take(
            types,
            household,
            "leak_diagnosis",
            user=agent,
            appointment=(dt.datetime(2026, 11, 24, 9, tzinfo=KST), dt.datetime(2026, 11, 24, 10, tzinfo=KST)),
        )
        actions.complete_visit(
            request.visit, findings="계량기 누수", work_done="패킹 교체", acting_user=leak_crew
        )
        request.refresh_from_db()
        actions.answer_survey(
            request.survey,
            actions.Answers(satisfied=False, result=2, comment="아직 샙니다"),
            via=AnsweredVia.LINK,
        )
        revisit = ServiceRequest.objects.get(parent=request)
        client.force_login(clerk)
        page = client.get(reverse("request-detail", args=[request.number])).content.decode()
        assert "Not satisfied" in page and "아직 샙니다" in page and "2/5" in page
        assert revisit.number in page and "패킹 교체" in page
        back = client.get(reverse("request-detail", args=[revisit.number])).content.decode()
        assert request.number in back

    def test_unknown_request_is_404(self, client, clerk):
        client.force_login(clerk)
        assert client.get(reverse("request-detail", args=["26-0000000-0"])).status_code == 404

    def test_the_outsider_is_denied(self, client, outsider, open_request):
        client.force_login(outsider)
        assert client.get(reverse("request-detail", args=[open_request.number])).status_code == 403


def operate(client, request, operation, **data):
    return client.post(reverse("request-operation", args=[request.number, operation]), data)


class TestOperations:
    def test_assign_to_me(self, client, clerk, open_request):
        client.force_login(clerk)
        response = operate(client, open_request, "assign", **{"assign-owner": clerk.pk})
        assert response.status_code == 302
        open_request.refresh_from_db()
        assert open_request.owner == clerk and open_request.status == RequestStatus.ASSIGNED

    def test_assign_to_office_crew(self, client, clerk, leak_crew, open_request):
        client.force_login(clerk)
        page = client.get(reverse("request-detail", args=[open_request.number])).content.decode()
        assert "crew_leak" in page and "Me (clerk_lee)" in page
        assert operate(client, open_request, "assign", **{"assign-owner": leak_crew.pk}).status_code == 302
        open_request.refresh_from_db()
        assert open_request.owner == leak_crew

    def test_assign_to_someone_not_offered_is_refused(self, client, clerk, agent, open_request):
        client.force_login(clerk)
        response = operate(client, open_request, "assign", **{"assign-owner": agent.pk})
        assert response.status_code == 422
        open_request.refresh_from_db()
        assert open_request.owner is None

    def test_pause_and_resume(self, client, clerk, open_request):
        client.force_login(clerk)
        assert operate(client, open_request, "pause", **{"pause-reason": "서류 대기"}).status_code == 302
        open_request.refresh_from_db()
        assert open_request.status == RequestStatus.WAITING
        response = operate(client, open_request, "resume")
        assert response.status_code == 302
        open_request.refresh_from_db()
        assert open_request.status == RequestStatus.RECEIVED and open_request.paused_at is None
        page = client.get(response["Location"]).content.decode()
        assert "resumed" in page

    def test_a_refusal_is_shown_and_nothing_changes(self, client, clerk, open_request):
        client.force_login(clerk)
        response = operate(client, open_request, "pause", **{"pause-reason": "  "})
        page = response.content.decode()
        assert response.status_code == 422
        assert "Say what we are waiting for; the citizen will read it." in page
        open_request.refresh_from_db()
        assert open_request.status == RequestStatus.RECEIVED

    def test_resume_of_a_request_that_is_not_waiting_is_refused(self, client, clerk, open_request):
        client.force_login(clerk)
        response = operate(client, open_request, "resume")
        assert response.status_code == 422
        assert f"Request {open_request.number} is not waiting." in response.content.decode()

    def test_announce_a_delay(self, client, clerk, open_request):
        client.force_login(clerk)
        response = operate(
            client,
            open_request,
            "delay",
            **{"delay-reason": "현장 확인 필요", "delay-expected": "금요일까지"},
        )
        assert response.status_code == 302
        open_request.refresh_from_db()
        assert open_request.delay_noticed_at is not None
        assert open_request.updates.filter(kind=UpdateKind.DELAYED).exists()

    def test_complete(self, client, clerk, open_request):
        client.force_login(clerk)
        response = operate(client, open_request, "complete", **{"complete-resolution": "명의 변경 완료"})
        assert response.status_code == 302
        open_request.refresh_from_db()
        assert open_request.status == RequestStatus.COMPLETED and open_request.resolution == "명의 변경 완료"
        assert open_request.survey is not None

    def test_a_request_on_a_visit_is_not_completed_here(self, client, clerk, agent, types, household):
        request = take(types, household, "leak_diagnosis", user=agent)
        client.force_login(clerk)
        response = operate(client, request, "complete", **{"complete-resolution": "완료"})
        assert response.status_code == 422
        assert "it is completed with the visit" in response.content.decode()
        request.refresh_from_db()
        assert request.status == RequestStatus.RECEIVED

    def test_cancel(self, client, clerk, open_request):
        client.force_login(clerk)
        assert (
            operate(client, open_request, "cancel", **{"cancel-reason": "민원인 취소 요청"}).status_code
            == 302
        )
        open_request.refresh_from_db()
        assert open_request.status == RequestStatus.CANCELLED
        page = client.get(reverse("request-detail", args=[open_request.number])).content.decode()
        assert "nothing more can be done" in page

    def test_unknown_operation_is_404(self, client, clerk, open_request):
        client.force_login(clerk)
        assert operate(client, open_request, "explode").status_code == 404

    def test_only_staff_who_handle_requests_may_operate(self, client, agent, crew, outsider, open_request):
        for user in (agent, crew, outsider):
            client.force_login(user)
            assert operate(client, open_request, "cancel", **{"cancel-reason": "x"}).status_code == 403
        open_request.refresh_from_db()
        assert open_request.status == RequestStatus.RECEIVED


class TestHouseholdPanel:
    def test_open_first_then_history(self, client, agent, clerk, types, household):
        old = take(types, household, "enquiry", user=agent, description="예전")
        actions.complete_request(old, resolution="안내", acting_user=clerk)
        current = take(types, household, "name_change", user=agent)
        client.force_login(agent)
        page = client.get(reverse("household-requests", args=[household.pk])).content.decode()
        assert page.index(current.number) < page.index(old.number)
        assert reverse("request-detail", args=[old.number]) in page

    def test_the_household_page_loads_the_panel_and_offers_a_new_request(self, client, agent, household):
        client.force_login(agent)
        page = client.get(reverse("household", args=[household.pk])).content.decode()
        assert reverse("household-requests", args=[household.pk]) in page
        assert f"{reverse('intake')}?premise={household.pk}" in page

    def test_the_outsider_is_denied(self, client, outsider, household):
        client.force_login(outsider)
        assert client.get(reverse("household-requests", args=[household.pk])).status_code == 403


def _many_requests(types, household, agent, clerk, count):
    for index in range(count):
        request = take(types, household, "enquiry", user=agent, description=f"문의 {index}")
        if index % 2:
            actions.complete_request(request, resolution="안내", acting_user=clerk)


class TestQueryCounts:
    @pytest.mark.parametrize("count", [2, 30])
    def test_household_panel(
        self, client, agent, clerk, types, household, count, django_assert_max_num_queries
    ):
        _many_requests(types, household, agent, clerk, count)
        client.force_login(agent)
        with django_assert_max_num_queries(9):
            response = client.get(reverse("household-requests", args=[household.pk]))
        assert response.status_code == 200

    @pytest.mark.parametrize("count", [2, 30])
    def test_request_page(
        self, client, agent, clerk, types, household, leak_crew, count, django_assert_max_num_queries
    ):
        _many_requests(types, household, agent, clerk, count)
        request = take(types, household, "leak_diagnosis", user=agent)
        for _ in range(count):
            actions.pause_request(request, reason="대기", acting_user=clerk)
            actions.resume_request(request, acting_user=clerk)
        client.force_login(clerk)
        with django_assert_max_num_queries(13):
            response = client.get(reverse("request-detail", args=[request.number]))
        assert response.status_code == 200

    @pytest.mark.parametrize("count", [2, 30])
    def test_intake_with_a_household(
        self, client, agent, clerk, types, household, count, django_assert_max_num_queries
    ):
        _many_requests(types, household, agent, clerk, count)
        client.force_login(agent)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("intake") + f"?premise={household.pk}")
        assert response.status_code == 200
