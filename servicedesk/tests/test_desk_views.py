"""The office desk through the browser: queue, arranging visits, the board and the Happy Calls."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.models import AuditEvent, Notification
from servicedesk import actions
from servicedesk.choices import Channel, LinkKind, RequestStatus, SurveyStatus
from servicedesk.models import ServiceRequest, Survey, Visit
from staff.models import BranchOffice, District

KST = dt.timezone(dt.timedelta(hours=9))


def at(*args):
    return dt.datetime(*args, tzinfo=KST)


DETAILS = {
    "supply_inconvenience": {"symptom": "low_pressure"},
    "emergency_leak": {"where": "마당"},
    "supply_works": {"works_kind": "change"},
}


def take(types, premise, *codes, agent, **kwargs):
    drafts = [
        actions.RequestDraft(type=types[code], description=f"{code} problem", details=DETAILS.get(code, {}))
        for code in codes
    ]
    return actions.take_requests(
        drafts,
        channel=Channel.PHONE,
        contact=actions.Contact(name="홍길동", phone="010-1234-5678"),
        premise=premise,
        acting_user=agent,
        **kwargs,
    )


def one(types, premise, code, agent, **kwargs):
    (request,) = take(types, premise, code, agent=agent, **kwargs).requests
    return request


@pytest.fixture(autouse=True)
def _memory_sms(settings):
    settings.SMS_BACKEND = "core.notify.backends.MemorySMSBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def browser(client):
    """The test client in English (the console defaults to Korean)."""
    client.cookies["django_language"] = "en"

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def office_clerk(clerk, city):
    clerk.office = city.office
    clerk.save(update_fields=["office"])
    return clerk


@pytest.fixture
def other_premise(db, city):
    """A premise served by a second branch office."""
    office = BranchOffice.objects.create(code="02", name="서부수도사업소", name_en="Seobu Waterworks Office")
    district = District.objects.create(
        code="11410", office=office, name="서대문구", name_en="Seodaemun-gu", city="서울특별시"
    )
    from customers.tests.builders import CityBuilder

    return CityBuilder(office, district, city.route).premise(road="연희로")


def numbers(response):
    return {r.number for r in response.context["page"].object_list}


# The queue


class TestQueue:
    @pytest.fixture
    def queue(self, agent, office_clerk, types, household, other_premise, leak_crew):
        """A small office with one request of each kind the filters separate."""
        q = {}
        q["visit"] = one(types, household, "leak_diagnosis", agent)  # due tomorrow 10:30, visit not arranged
        q["admin"] = one(types, household, "name_change", agent)  # 15 business days
        q["emergency"] = one(types, household, "emergency_leak", agent)  # due in 2 clock hours
        q["supply"] = one(types, household, "supply_inconvenience", agent)  # due in 4 clock hours
        q["mine"] = one(types, household, "complaint", agent)
        actions.assign_request(q["mine"], owner=office_clerk, acting_user=office_clerk)
        q["waiting"] = one(types, household, "other", agent)
        actions.pause_request(q["waiting"], reason="서류 보완", acting_user=office_clerk)
        q["overdue"] = one(types, household, "move", agent, received_at=at(2026, 11, 16, 9, 0))
        q["central"] = one(types, household, "auto_payment", agent)
        q["elsewhere"] = one(types, other_premise, "name_change", agent)
        return q

    def test_each_filter_lists_the_right_requests_of_the_office(self, browser, office_clerk, queue):
        client = browser(office_clerk)
        url = reverse("desk-queue")
        n = {key: r.number for key, r in queue.items()}
        office_all = {n[k] for k in ("visit", "admin", "emergency", "supply", "mine", "waiting", "overdue")}
        assert numbers(client.get(url)) == office_all
        assert numbers(client.get(url, {"tab": "unassigned"})) == office_all - {n["mine"]}
        assert numbers(client.get(url, {"tab": "mine"})) == {n["mine"]}
        assert numbers(client.get(url, {"tab": "visits"})) == {n["visit"], n["emergency"], n["supply"]}
        assert numbers(client.get(url, {"tab": "waiting"})) == {n["waiting"]}
        # Leak diagnosis is due tomorrow (within the next business day), the emergency within 2 hours.
        assert numbers(client.get(url, {"tab": "due_soon"})) == {n["visit"], n["emergency"]}
        assert numbers(client.get(url, {"tab": "overdue"})) == {n["overdue"]}
        response = client.get(url, {"tab": "overdue"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "overdue" in html and n["overdue"] in html
        assert reverse("request-detail", args=[n["overdue"]]) in html
        # A clerk cannot look into another office by changing the URL.
        assert numbers(client.get(url, {"office": "central"})) == office_all

    def test_rows_are_sorted_by_due_time_and_marked(self, browser, office_clerk, queue):
        response = browser(office_clerk).get(reverse("desk-queue"))
        rows = list(response.context["page"].object_list)
        assert [r.due_at for r in rows] == sorted(r.due_at for r in rows)
        assert rows[0].number == queue["overdue"].number and rows[0].is_overdue
        html = response.content.decode()
        assert "due soon" in html
        assert reverse("visit-arrange", args=[queue["visit"].visit.number]) in html

    def test_central_staff_see_the_central_teams_requests(self, browser, billing_officer, queue):
        response = browser(billing_officer).get(reverse("desk-queue"))
        assert response.status_code == 200
        assert numbers(response) == {queue["central"].number}
        assert "Central teams" in response.content.decode()

    def test_a_supervisor_may_pick_another_office(self, browser, supervisor, queue):
        client = browser(supervisor)
        office = queue["elsewhere"].office
        response = client.get(reverse("desk-queue"), {"office": office.pk})
        assert numbers(response) == {queue["elsewhere"].number}
        assert "Seobu Waterworks Office" in response.content.decode()
        response = client.get(reverse("desk-queue"), {"office": "central"})
        assert numbers(response) == {queue["central"].number}

    def test_htmx_gets_only_the_queue(self, browser, office_clerk, queue):
        response = browser(office_clerk).get(
            reverse("desk-queue"), {"tab": "mine"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue"
        )
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="queue"') and "<html" not in html

    @pytest.mark.parametrize("persona", ["outsider", "crew", "agent"])
    def test_others_are_refused(self, browser, request, persona):
        response = browser(request.getfixturevalue(persona)).get(reverse("desk-queue"))
        assert response.status_code == 403

    def test_the_queue_does_not_query_per_row(
        self, browser, office_clerk, agent, types, city, django_assert_max_num_queries
    ):
        for number in range(1, 31):
            premise = city.premise(number=500 + number)
            request = one(types, premise, "leak_diagnosis", agent)
            if number % 2:
                actions.assign_request(request, owner=office_clerk, acting_user=office_clerk)
        client = browser(office_clerk)
        client.get(reverse("desk-queue"))  # warm the calendar and content-type caches
        with django_assert_max_num_queries(10):
            response = client.get(reverse("desk-queue"))
        assert len(response.context["page"].object_list) == 30


# Arranging a visit


class TestArrange:
    @pytest.fixture
    def visit(self, agent, types, household):
        return take(types, household, "leak_diagnosis", "supply_inconvenience", agent=agent).visit

    def form(self, **extra):
        data = {"on": "2026-11-24", "start": "14:00", "end": "16:00", "note": "세입자와 통화, 초인종 두 번"}
        data.update(extra)
        return data

    def test_the_page_shows_the_work_and_the_crew(
        self, browser, office_clerk, visit, leak_crew, plumbing_crew
    ):
        response = browser(office_clerk).get(reverse("visit-arrange", args=[visit.number]))
        assert response.status_code == 200
        html = response.content.decode()
        for request in visit.requests.all():
            assert request.number in html
        assert "crew_leak" in html and "crew_pipe" in html
        assert "Leak detection" in html and "Piping" in html
        assert visit.premise.address_line in html

    def test_the_crew_load_is_counted_on_the_chosen_day(
        self, browser, office_clerk, agent, types, city, visit, leak_crew, plumbing_crew
    ):
        take(
            types,
            city.premise(),
            "leak_diagnosis",
            agent=agent,
            appointment=(at(2026, 11, 24, 9), at(2026, 11, 24, 10)),
        )  # the leak crew is out on Tuesday morning
        url = reverse("visit-arrange", args=[visit.number])
        response = browser(office_clerk).get(url, {"on": "2026-11-24", "crew": [plumbing_crew.pk]})
        rows = {row["member"]: row for row in response.context["crew_rows"]}
        assert rows[leak_crew]["load"] == 1 and rows[plumbing_crew]["load"] == 0
        assert rows[plumbing_crew]["checked"] and not rows[leak_crew]["checked"]
        assert "Visits on 11-24" in response.content.decode()

    def test_automatic_crew(self, browser, office_clerk, visit, leak_crew, plumbing_crew):
        response = browser(office_clerk).post(
            reverse("visit-arrange", args=[visit.number]), self.form(automatic="1")
        )
        first = visit.requests.order_by("pk").first()
        assert response.status_code == 302
        assert response["Location"] == reverse("request-detail", args=[first.number])
        visit.refresh_from_db()
        assert set(visit.crew.all()) == {leak_crew, plumbing_crew}
        assert visit.appointment_start == at(2026, 11, 24, 14) and visit.appointment_end == at(
            2026, 11, 24, 16
        )
        assert visit.appointment_note == "세입자와 통화, 초인종 두 번"
        assert set(visit.requests.values_list("status", flat=True)) == {RequestStatus.SCHEDULED}

    def test_a_crew_missing_a_skill_is_refused_and_nothing_is_saved(
        self, browser, office_clerk, visit, leak_crew, plumbing_crew
    ):
        response = browser(office_clerk).post(
            reverse("visit-arrange", args=[visit.number]), self.form(crew=[leak_crew.pk])
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert "Nobody in this crew has: Piping" in html
        # The input is kept.
        assert "세입자와 통화, 초인종 두 번" in html and 'value="14:00"' in html
        assert f'value="{leak_crew.pk}" id="crew-{leak_crew.pk}" checked' in html
        visit.refresh_from_db()
        assert visit.crew.count() == 0 and visit.appointment_start is None
        assert not visit.requests.filter(status=RequestStatus.SCHEDULED).exists()

    def test_chosen_crew(self, browser, office_clerk, visit, leak_crew, plumbing_crew):
        response = browser(office_clerk).post(
            reverse("visit-arrange", args=[visit.number]),
            self.form(crew=[leak_crew.pk, plumbing_crew.pk]),
            follow=False,
        )
        assert response.status_code == 302
        assert set(visit.crew.all()) == {leak_crew, plumbing_crew}

    @pytest.mark.parametrize(
        "times, message",
        [
            ({"on": "2026-11-20", "start": "09:00", "end": "10:00"}, "The appointment is in the past."),
            ({"start": "16:00", "end": "14:00"}, "The appointment must end after it starts."),
        ],
    )
    def test_impossible_times_are_refused(self, browser, office_clerk, visit, leak_crew, times, message):
        response = browser(office_clerk).post(
            reverse("visit-arrange", args=[visit.number]), self.form(automatic="1", **times)
        )
        assert response.status_code == 422
        assert message in response.content.decode()
        visit.refresh_from_db()
        assert visit.appointment_start is None

    def test_a_clerk_of_another_office_may_not_arrange(self, browser, clerk, visit, leak_crew, plumbing_crew):
        clerk.office = BranchOffice.objects.create(code="98", name="다른사업소", name_en="Another office")
        clerk.save(update_fields=["office"])
        url = reverse("visit-arrange", args=[visit.number])
        client = browser(clerk)
        assert client.get(url).status_code == 403
        assert client.post(url, self.form(automatic="1")).status_code == 403
        with pytest.raises(PermissionDenied):
            actions.arrange_visit(
                visit, start=at(2026, 11, 24, 14), end=at(2026, 11, 24, 16), crew=None, acting_user=clerk
            )
        assert Visit.objects.get(pk=visit.pk).appointment_start is None

    @pytest.mark.parametrize("persona", ["outsider", "crew", "agent"])
    def test_others_may_not_arrange(self, browser, request, persona, visit, leak_crew, plumbing_crew):
        client = browser(request.getfixturevalue(persona))
        url = reverse("visit-arrange", args=[visit.number])
        assert client.get(url).status_code == 403
        assert client.post(url, self.form(automatic="1")).status_code == 403
        assert Visit.objects.get(pk=visit.pk).appointment_start is None


# The supervisor's board


def completed_survey(types, premise, agent, crew, *, time_machine):
    """A leak diagnosis done by ``crew`` within the hour, its Happy Call due now."""
    from django.utils import timezone

    now = timezone.now()
    visit = take(
        types,
        premise,
        "leak_diagnosis",
        agent=agent,
        appointment=(now + dt.timedelta(hours=1), now + dt.timedelta(hours=2)),
    ).visit
    time_machine.move_to(now + dt.timedelta(hours=1))
    actions.complete_visit(visit, findings="", work_done="밸브 교체", acting_user=crew)
    time_machine.move_to(now + dt.timedelta(hours=1, minutes=40))
    return Survey.objects.get(request__visit=visit)


class TestBoard:
    @pytest.fixture
    def prepared(self, agent, office_clerk, types, household, city, leak_crew, time_machine):
        overdue = one(types, household, "move", agent, received_at=at(2026, 11, 16, 9, 0))
        assigned = one(types, household, "complaint", agent)
        actions.assign_request(assigned, owner=office_clerk, acting_user=office_clerk)
        central = one(types, household, "auto_payment", agent)
        survey = completed_survey(types, city.premise(), agent, leak_crew, time_machine=time_machine)
        revisit = actions.answer_survey(
            survey, actions.Answers(satisfied=False, comment="아직 샘"), via="call", acting_user=agent
        ).revisit
        return {"overdue": overdue, "assigned": assigned, "central": central, "revisit": revisit}

    def test_counts_per_office_and_the_lists(self, browser, supervisor, city, prepared):
        response = browser(supervisor).get(reverse("desk-board"))
        assert response.status_code == 200
        rows = {row.key: row for row in response.context["rows"]}
        office = rows[str(city.office.pk)]
        # Open at the office: the overdue move, the assigned complaint, the revisit.
        assert (office.open, office.unassigned, office.overdue, office.revisits) == (3, 1, 1, 1)
        assert office.escalated == 0 and office.waiting == 0
        assert office.due_soon == 1  # the revisit is due at the close of tomorrow
        assert (rows["central"].open, rows["central"].unassigned) == (1, 1)
        html = response.content.decode()
        assert [r.number for r in response.context["overdue"]] == [prepared["overdue"].number]
        assert [r.number for r in response.context["revisits"]] == [prepared["revisit"].number]
        assert f"?office={city.office.pk}&amp;tab=overdue" in html
        # One survey answered, not satisfied; the leak diagnosis was completed on time.
        assert response.context["satisfaction"].rate == 0
        assert response.context["compliance"].rate == 100
        assert "0.0 %" in html and "100.0 %" in html

    def test_escalate_overdue_now(self, browser, supervisor, prepared):
        client = browser(supervisor)
        response = client.post(reverse("desk-board"))
        assert response.status_code == 302
        prepared["overdue"].refresh_from_db()
        assert prepared["overdue"].escalated_at is not None
        assert ServiceRequest.objects.filter(escalated_at__isnull=False).count() == 1
        response = client.get(reverse("desk-board"))
        assert "1 overdue request(s) escalated." in response.content.decode()
        assert {row.key: row for row in response.context["rows"]}[
            str(prepared["overdue"].office_id)
        ].escalated == 1

    def test_the_board_does_not_query_per_row(
        self, browser, supervisor, agent, types, city, django_assert_max_num_queries
    ):
        for number in range(1, 21):
            one(types, city.premise(number=700 + number), "move", agent, received_at=at(2026, 11, 16, 9, 0))
        client = browser(supervisor)
        client.get(reverse("desk-board"))
        with django_assert_max_num_queries(12):
            response = client.get(reverse("desk-board"))
        assert len(response.context["overdue"]) == 20

    @pytest.mark.parametrize("persona", ["outsider", "clerk", "agent", "crew"])
    def test_only_supervisors(self, browser, request, persona):
        client = browser(request.getfixturevalue(persona))
        assert client.get(reverse("desk-board")).status_code == 403
        assert client.post(reverse("desk-board")).status_code == 403


# Happy Calls


class TestHappyCalls:
    @pytest.fixture
    def survey(self, agent, types, household, leak_crew, time_machine):
        return completed_survey(types, household, agent, leak_crew, time_machine=time_machine)

    def test_the_call_list(self, browser, agent, survey):
        response = browser(agent).get(reverse("happy-calls"))
        assert response.status_code == 200
        html = response.content.decode()
        assert survey.request.number in html and "010-****-5678" in html and "010-1234-5678" not in html
        assert "SMS queued" in html
        assert reverse("happy-call", args=[survey.pk]) in html
        Notification.objects.filter(kind="servicedesk.survey").update(status=Notification.Status.SENT)
        assert "SMS sent" in browser(agent).get(reverse("happy-calls")).content.decode()
        Notification.objects.filter(kind="servicedesk.survey").delete()
        assert "not sent" in browser(agent).get(reverse("happy-calls")).content.decode()

    def test_a_survey_not_yet_due_is_not_listed(self, browser, agent, survey, time_machine):
        time_machine.move_to(survey.scheduled_for - dt.timedelta(minutes=5))
        response = browser(agent).get(reverse("happy-calls"))
        assert list(response.context["surveys"]) == []

    def test_the_list_does_not_query_per_row(
        self, browser, agent, types, city, leak_crew, time_machine, django_assert_max_num_queries
    ):
        for number in range(1, 6):
            completed_survey(
                types, city.premise(number=900 + number), agent, leak_crew, time_machine=time_machine
            )
        client = browser(agent)
        client.get(reverse("happy-calls"))
        with django_assert_max_num_queries(8):
            response = client.get(reverse("happy-calls"))
        assert len(response.context["surveys"]) == 5

    def test_the_script_page(self, browser, agent, survey):
        response = browser(agent).get(reverse("happy-call", args=[survey.pk]))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Was our staff courteous?" in html and "Did we keep the appointment time?" in html
        assert "Are you satisfied overall?" in html and 'type="radio"' in html
        assert "홍*동" in html and "010-****-5678" in html and "010-1234-5678" not in html

    def test_unsatisfied_answer_creates_the_revisit_shown_on_the_board(
        self, browser, agent, supervisor, survey, leak_crew
    ):
        client = browser(agent)
        response = client.post(
            reverse("happy-call", args=[survey.pk]),
            {
                "op": "answer",
                "courtesy": "4",
                "punctuality": "5",
                "explanation": "3",
                "result": "1",
                "satisfied": "no",
                "comment": "아직도 물이 샙니다",
            },
            follow=True,
        )
        survey.refresh_from_db()
        assert survey.status == SurveyStatus.ANSWERED and survey.satisfied is False
        assert (survey.courtesy, survey.result, survey.answered_via, survey.called_by) == (
            4,
            1,
            "call",
            agent,
        )
        revisit = survey.revisit
        assert revisit.link_kind == LinkKind.REVISIT and revisit.owner == leak_crew
        message = response.content.decode()
        assert f"Revisit {revisit.number} created" in message and "crew_leak" in message
        board = browser(supervisor).get(reverse("desk-board"))
        assert [r.number for r in board.context["revisits"]] == [revisit.number]
        assert revisit.number in board.content.decode()

    def test_satisfied_answer(self, browser, agent, survey):
        response = browser(agent).post(
            reverse("happy-call", args=[survey.pk]), {"op": "answer", "satisfied": "yes", "result": "5"}
        )
        assert response.status_code == 302
        survey.refresh_from_db()
        assert survey.satisfied is True and survey.revisit is None and survey.courtesy is None

    def test_the_overall_verdict_is_required(self, browser, agent, survey):
        response = browser(agent).post(
            reverse("happy-call", args=[survey.pk]), {"op": "answer", "result": "2"}
        )
        assert response.status_code == 422
        assert "Say whether the citizen is satisfied overall." in response.content.decode()
        survey.refresh_from_db()
        assert survey.status == SurveyStatus.SCHEDULED

    def test_no_answer_counts_the_attempts(self, browser, agent, survey):
        client = browser(agent)
        response = client.post(reverse("happy-call", args=[survey.pk]), {"op": "no_answer"})
        assert response.status_code == 302 and response["Location"] == reverse("happy-calls")
        survey.refresh_from_db()
        assert survey.call_attempts == 1 and survey.status == SurveyStatus.SCHEDULED
        client.post(reverse("happy-call", args=[survey.pk]), {"op": "no_answer"})
        response = client.post(reverse("happy-call", args=[survey.pk]), {"op": "no_answer"}, follow=True)
        survey.refresh_from_db()
        assert survey.call_attempts == 3 and survey.status == SurveyStatus.UNREACHABLE
        assert "unreachable" in response.content.decode()

    def test_revealing_the_phone_is_logged(self, browser, agent, survey):
        response = browser(agent).post(
            reverse("happy-call", args=[survey.pk]), {"op": "reveal", "note": "해피콜"}
        )
        assert response.status_code == 200
        assert "010-1234-5678" in response.content.decode()
        event = AuditEvent.objects.get(action="customer.personal_data_revealed")
        assert event.category == AuditEvent.Category.ACCESS and event.actor == agent
        assert event.details["why"] == "callback" and event.reason == "해피콜"
        assert event.household_id == survey.request.premise_id
        assert event.object_type == ContentType.objects.get_for_model(survey.request.customer)

    def test_reveal_with_htmx_returns_the_phone_block(self, browser, agent, survey):
        response = browser(agent).post(
            reverse("happy-call", args=[survey.pk]), {"op": "reveal"}, HTTP_HX_REQUEST="true"
        )
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="call-phone"') and "010-1234-5678" in html
        assert AuditEvent.objects.get(action="customer.personal_data_revealed").reason.startswith(
            "Happy Call"
        )

    def test_a_contact_without_a_customer_record_is_revealed_and_logged_on_the_request(
        self, browser, agent, survey
    ):
        ServiceRequest.objects.filter(pk=survey.request_id).update(
            customer=None, account=None, contact_phone="+821098765432", contact_name="김세입"
        )
        client = browser(agent)
        html = client.get(reverse("happy-call", args=[survey.pk])).content.decode()
        assert "010-****-5432" in html and "010-9876-5432" not in html and "Reveal to call" in html
        response = client.post(reverse("happy-call", args=[survey.pk]), {"op": "reveal"})
        html = response.content.decode()
        assert response.status_code == 200 and "010-9876-5432" in html and "김세입" in html
        event = AuditEvent.objects.get(action="request.contact_revealed")
        assert event.category == AuditEvent.Category.ACCESS and event.actor == agent
        assert (
            event.details["fields"] == ["contact_name", "contact_phone"]
            and event.details["why"] == "callback"
        )
        assert event.object_id == survey.request_id
        assert not AuditEvent.objects.filter(action="customer.personal_data_revealed").exists()

    @pytest.mark.parametrize("persona", ["outsider", "crew"])
    def test_others_may_not_call(self, browser, request, persona, survey):
        client = browser(request.getfixturevalue(persona))
        assert client.get(reverse("happy-calls")).status_code == 403
        assert client.get(reverse("happy-call", args=[survey.pk])).status_code == 403
        assert client.post(reverse("happy-call", args=[survey.pk]), {"op": "no_answer"}).status_code == 403
        survey.refresh_from_db()
        assert survey.call_attempts == 0


def test_pages_render_in_korean(client, supervisor, agent, types, household, leak_crew, time_machine):
    survey = completed_survey(types, household, agent, leak_crew, time_machine=time_machine)
    visit = take(types, household, "leak_diagnosis", agent=agent).visit
    client.cookies["django_language"] = "ko"
    client.force_login(supervisor)
    for url in (
        reverse("desk-queue"),
        reverse("desk-board"),
        reverse("happy-calls"),
        reverse("happy-call", args=[survey.pk]),
        reverse("visit-arrange", args=[visit.number]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="ko">' in response.content.decode()
