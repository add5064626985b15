"""The service desk's business rules, through the actions, as the personas who use them."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from core.models import AuditEvent, Notification
from servicedesk import actions
from servicedesk.actions.sweeps import at_risk_after
from servicedesk.choices import (
    AnsweredVia,
    Channel,
    LinkKind,
    RequestStatus,
    SurveyStatus,
    UpdateKind,
    VisitStatus,
)
from servicedesk.models import ServiceRequest, Survey, Visit

from .conftest import make_crew

KST = dt.timezone(dt.timedelta(hours=9))
# The frozen clock: Monday 2026-11-23 10:30 KST.
NOW = dt.datetime(2026, 11, 23, 10, 30, tzinfo=KST)


def at(*args):
    return dt.datetime(*args, tzinfo=KST)


def contact(phone="010-1234-5678"):
    return actions.Contact(name="홍길동", phone=phone)


def take(types, premise, *codes, agent=None, appointment=None, **kwargs):
    drafts = [
        actions.RequestDraft(type=types[code], description=f"{code} problem", details=_details(code))
        for code in codes
    ]
    return actions.take_requests(
        drafts,
        channel=Channel.PHONE,
        contact=contact(),
        premise=premise,
        acting_user=agent,
        appointment=appointment,
        **kwargs,
    )


def _details(code):
    return {
        "supply_inconvenience": {"symptom": "low_pressure"},
        "emergency_leak": {"where": "마당"},
        "supply_works": {"works_kind": "change"},
    }.get(code, {})


@pytest.fixture(autouse=True)
def _memory_sms(settings):
    settings.SMS_BACKEND = "core.notify.backends.MemorySMSBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def sms_kinds(request):
    return list(
        Notification.objects.filter(object_id=request.pk, channel="sms")
        .order_by("pk")
        .values_list("kind", flat=True)
    )


class TestIntake:
    def test_a_request_gets_a_tracking_number_an_office_and_a_due_date(self, agent, types, household):
        (request,) = take(types, household, "leak_diagnosis", agent=agent).requests
        assert request.number.startswith("26-") and len(request.number) == 12
        assert request.office == household.district.office
        assert request.customer.name == "홍길동" and request.account is not None
        # Leak diagnosis: 9 business hours = one office day: Mon 10:30 -> Tue 10:30.
        assert request.due_at.replace(microsecond=0) == at(2026, 11, 24, 10, 30)
        assert request.status == RequestStatus.RECEIVED
        assert [u.kind for u in request.updates.all()] == [UpdateKind.RECEIVED]
        assert AuditEvent.objects.filter(action="request.received", household_id=household.pk).count() == 1

    def test_the_citizen_is_told_the_tracking_number_and_status_link(
        self, agent, types, household, django_capture_on_commit_callbacks
    ):
        from core.notify.backends import outbox

        outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            (request,) = take(types, household, "enquiry", agent=agent).requests
        assert len(outbox) == 1
        assert request.number in outbox[0].body and request.status_token in outbox[0].body

    def test_compound_complaint_is_one_visit_with_both_specialists(
        self, agent, types, household, leak_crew, plumbing_crew
    ):
        # A leak and low pressure at one household: one trip, the leak detector and the plumber together.
        appointment = (at(2026, 11, 24, 14, 0), at(2026, 11, 24, 16, 0))
        intake = take(
            types,
            household,
            "leak_diagnosis",
            "supply_inconvenience",
            "name_change",
            agent=agent,
            appointment=appointment,
        )
        assert Visit.objects.count() == 1
        visit = intake.visit
        assert {r.type.code for r in visit.requests.all()} == {"leak_diagnosis", "supply_inconvenience"}
        assert set(visit.crew.all()) == {leak_crew, plumbing_crew}
        assert (visit.appointment_start, visit.appointment_end) == appointment
        work = [r for r in intake.requests if r.visit_id]
        assert all(r.status == RequestStatus.SCHEDULED for r in work)
        name_change = next(r for r in intake.requests if r.type.code == "name_change")
        assert name_change.visit_id is None and name_change.status == RequestStatus.RECEIVED

    def test_no_free_crew_keeps_the_requests_and_the_wished_time(self, agent, types, household):
        # Nobody in the office can diagnose leaks: the caller's request is not refused for it.
        appointment = (at(2026, 11, 24, 14, 0), at(2026, 11, 24, 16, 0))
        intake = take(types, household, "leak_diagnosis", agent=agent, appointment=appointment)
        (request,) = intake.requests
        assert "choose the crew by hand" in intake.not_arranged
        visit = intake.visit
        assert visit.appointment_start is None and not visit.crew.exists()
        assert (visit.requested_start, visit.requested_end) == appointment
        assert request.status == RequestStatus.RECEIVED and request.visit == visit

    def test_an_appointment_in_the_past_still_refuses_the_intake(self, agent, types, household, leak_crew):
        with pytest.raises(ValidationError, match="in the past"):
            take(
                types,
                household,
                "leak_diagnosis",
                agent=agent,
                appointment=(at(2026, 11, 20, 9), at(2026, 11, 20, 10)),
            )
        assert not ServiceRequest.objects.exists() and not Visit.objects.exists()

    def test_two_racing_sends_of_one_form_create_it_once(self, agent, types, household, monkeypatch):
        from servicedesk.actions import intake as intake_module

        first = take(types, household, "leak_diagnosis", "enquiry", agent=agent, intake_key="k1")
        # The second send checked for an earlier one before the first had committed.
        real = intake_module._earlier_intake
        calls = []
        monkeypatch.setattr(
            intake_module,
            "_earlier_intake",
            lambda key: calls.append(key) or (real(key) if len(calls) > 1 else None),
        )
        again = take(types, household, "leak_diagnosis", "enquiry", agent=agent, intake_key="k1")
        assert again.repeated and [r.number for r in again.requests] == [r.number for r in first.requests]
        assert ServiceRequest.objects.count() == 2 and Visit.objects.count() == 1
        assert Notification.objects.filter(kind="servicedesk.received").count() == 1

    def test_crew_choice_stops_when_everyone_is_chosen(self, city, leak_crew):
        from staff.models import Skill

        needed = set(Skill.objects.filter(code__in=["leak", "plumbing"]).values_list("pk", flat=True))
        # The only member covers part of it: chosen, and arrange_visit names what is missing.
        assert actions.choose_crew(city.office, needed, dt.date(2026, 11, 24)) == [leak_crew]
        assert actions.choose_crew(city.office, set(), dt.date(2026, 11, 24)) == [leak_crew]

    def test_automatic_crew_prefers_the_least_loaded_member(
        self, agent, types, city, household, django_user_model
    ):
        busy = make_crew(django_user_model, city, "busy", "leak")
        idle = make_crew(django_user_model, city, "idle", "leak")
        other = city.premise()
        take(
            types,
            other,
            "leak_diagnosis",
            appointment=(at(2026, 11, 24, 9), at(2026, 11, 24, 10)),
            agent=agent,
        ).visit.crew.set([busy])
        visit = take(
            types,
            household,
            "leak_diagnosis",
            appointment=(at(2026, 11, 24, 11), at(2026, 11, 24, 12)),
            agent=agent,
        ).visit
        assert list(visit.crew.all()) == [idle]

    def test_a_crew_without_a_needed_skill_is_refused(self, agent, clerk, types, household, leak_crew):
        visit = take(types, household, "supply_inconvenience", agent=agent).visit
        with pytest.raises(ValidationError, match="Piping"):
            actions.arrange_visit(
                visit,
                start=at(2026, 11, 24, 9),
                end=at(2026, 11, 24, 10),
                crew=[leak_crew],
                acting_user=clerk,
            )
        assert visit.crew.count() == 0

    def test_a_visit_type_needs_an_address(self, agent, types):
        with pytest.raises(ValidationError, match="address"):
            take(types, None, "leak_diagnosis", agent=agent)
        assert not ServiceRequest.objects.exists()

    def test_required_form_fields_are_enforced(self, agent, types, household):
        with pytest.raises(ValidationError, match="Symptom"):
            actions.take_requests(
                [actions.RequestDraft(type=types["supply_inconvenience"], description="물이 안 나와요")],
                channel=Channel.PHONE,
                contact=contact(),
                premise=household,
                acting_user=agent,
            )
        assert not ServiceRequest.objects.exists() and not Visit.objects.exists()

    def test_a_refused_second_request_leaves_nothing_half_written(self, agent, types, household):
        drafts = [
            actions.RequestDraft(type=types["leak_diagnosis"], description="누수"),
            actions.RequestDraft(type=types["enquiry"], description="  "),
        ]
        with pytest.raises(ValidationError):
            actions.take_requests(
                drafts, channel=Channel.PHONE, contact=contact(), premise=household, acting_user=agent
            )
        assert not ServiceRequest.objects.exists() and not Visit.objects.exists()
        assert not Notification.objects.exists()

    def test_a_resubmitted_form_creates_nothing_new(self, agent, types, household):
        first = take(types, household, "leak_diagnosis", "enquiry", agent=agent, intake_key="k-1")
        again = take(types, household, "leak_diagnosis", "enquiry", agent=agent, intake_key="k-1")
        assert again.repeated
        assert {r.pk for r in again.requests} == {r.pk for r in first.requests}
        assert ServiceRequest.objects.count() == 2 and Visit.objects.count() == 1

    def test_a_bad_phone_number_is_refused(self, agent, types, household):
        with pytest.raises(ValidationError, match="not a valid phone number"):
            actions.take_requests(
                [actions.RequestDraft(type=types["enquiry"], description="문의")],
                channel=Channel.PHONE,
                contact=contact("12"),
                premise=household,
                acting_user=agent,
            )

    def test_central_types_go_to_the_central_team(self, agent, types, household):
        (request,) = take(types, household, "auto_payment", agent=agent).requests
        assert request.office is None


class TestPauseAndResume:
    def test_waiting_for_the_citizen_stops_the_clock(self, clerk, agent, types, household, time_machine):
        (request,) = take(types, household, "complaint", agent=agent).requests
        # Complaint: 30 business days from Mon 23 Nov 2026 (year-end closure 29 Dec - 3 Jan skipped).
        due_before = request.due_at
        # Tuesday 09:00: one office day plus the rest of Monday (7.5 h) has passed.
        time_machine.move_to(at(2026, 11, 24, 9, 0))
        actions.pause_request(request, reason="서류 보완 요청", acting_user=clerk)
        request.refresh_from_db()
        assert request.status == RequestStatus.WAITING
        # The citizen takes a whole week (5 business days) to send the document.
        time_machine.move_to(at(2026, 12, 1, 9, 0))
        actions.resume_request(request, acting_user=clerk)
        request.refresh_from_db()
        assert request.status == RequestStatus.RECEIVED
        # The deadline moved by exactly the business time spent waiting: 5 office days.
        from core.calendar import business_calendar

        cal = business_calendar()
        assert cal.business_seconds_between(due_before, request.due_at) == 5 * 9 * 3600
        assert [u.kind for u in request.updates.all()][-2:] == [UpdateKind.WAITING, UpdateKind.RESUMED]

    def test_waiting_needs_a_reason(self, clerk, agent, types, household):
        (request,) = take(types, household, "complaint", agent=agent).requests
        with pytest.raises(ValidationError):
            actions.pause_request(request, reason=" ", acting_user=clerk)


class TestFieldWork:
    @pytest.fixture
    def visit(self, agent, types, household, leak_crew):
        return take(
            types,
            household,
            "leak_diagnosis",
            agent=agent,
            appointment=(at(2026, 11, 23, 14), at(2026, 11, 23, 15)),
        ).visit

    def test_extra_problem_handed_off_becomes_a_linked_request(self, visit, leak_crew, types):
        actions.start_visit(visit, acting_user=leak_crew)
        found = actions.report_found_problem(
            visit,
            request_type=types["meter_replacement"],
            description="계량기 유리 파손",
            resolved_on_site=False,
            acting_user=leak_crew,
        )
        original = visit.requests.get(type__code="leak_diagnosis")
        assert found.parent == original and found.link_kind == LinkKind.FOUND_ON_SITE
        assert found.channel == Channel.FIELD and found.status == RequestStatus.RECEIVED
        # Handed to the meter team: its own new visit, awaiting dispatch; not on this one.
        assert found.visit is not None and found.visit != visit
        assert found.visit.status == VisitStatus.PLANNED and found.visit.appointment_start is None

    def test_a_request_on_a_live_visit_is_not_completed_from_the_desk(self, visit, clerk, leak_crew):
        (request,) = visit.requests.all()
        with pytest.raises(ValidationError, match="completed with the visit"):
            actions.complete_request(request, resolution="전화로 해결", acting_user=clerk)
        request.refresh_from_db()
        assert request.status == RequestStatus.SCHEDULED and not Survey.objects.exists()
        Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.CANCELLED)
        assert actions.complete_request(request, resolution="전화로 해결", acting_user=clerk).is_open is False

    def test_a_found_problem_answers_its_kinds_questions(self, visit, leak_crew, types):
        with pytest.raises(ValidationError, match="Symptom is required"):
            actions.report_found_problem(
                visit,
                request_type=types["supply_inconvenience"],
                description="수압 약함",
                resolved_on_site=False,
                acting_user=leak_crew,
            )
        found = actions.report_found_problem(
            visit,
            request_type=types["supply_inconvenience"],
            description="수압 약함",
            details={"symptom": "low_pressure"},
            resolved_on_site=False,
            acting_user=leak_crew,
        )
        assert found.details == {"symptom": "low_pressure"}

    def test_extra_problem_fixed_on_the_spot_is_completed_on_this_visit(self, visit, leak_crew, types):
        found = actions.report_found_problem(
            visit,
            request_type=types["indoor_piping"],
            description="싱크대 배관 이음새 누수",
            resolved_on_site=True,
            resolution="이음새 교체",
            acting_user=leak_crew,
        )
        assert found.visit == visit and found.status == RequestStatus.COMPLETED
        assert Visit.objects.count() == 1

    def test_completion_schedules_the_happy_call_within_the_hour(self, visit, leak_crew):
        actions.complete_visit(
            visit, findings="옥내 배관 누수", work_done="밸브 교체, 누수 멈춤", acting_user=leak_crew
        )
        request = visit.requests.get()
        assert request.status == RequestStatus.COMPLETED
        survey = Survey.objects.get(request=request)
        assert request.completed_at < survey.scheduled_for <= request.completed_at + dt.timedelta(hours=1)
        link = Notification.objects.get(kind="servicedesk.survey")
        assert link.send_after == survey.scheduled_for and survey.token in link.body
        assert "servicedesk.completed" in sms_kinds(request)

    def test_only_the_crew_may_work_the_visit(self, visit, plumbing_crew):
        with pytest.raises(ValidationError, match="not in the crew"):
            actions.start_visit(visit, acting_user=plumbing_crew)

    def test_a_completed_visit_cannot_be_completed_again(self, visit, leak_crew):
        actions.complete_visit(visit, findings="", work_done="수리", acting_user=leak_crew)
        with pytest.raises(ValidationError, match="already"):
            actions.complete_visit(visit, findings="", work_done="수리", acting_user=leak_crew)
        assert Survey.objects.count() == 1


class TestHappyCall:
    @pytest.fixture
    def survey(self, agent, types, household, leak_crew):
        visit = take(
            types,
            household,
            "leak_diagnosis",
            agent=agent,
            appointment=(at(2026, 11, 23, 14), at(2026, 11, 23, 15)),
        ).visit
        actions.complete_visit(visit, findings="", work_done="수리 완료", acting_user=leak_crew)
        return Survey.objects.get()

    def test_dissatisfied_answer_creates_a_revisit_due_next_business_day(self, survey, agent, leak_crew):
        answers = actions.Answers(
            satisfied=False, courtesy=4, punctuality=5, explanation=3, result=1, comment="아직도 물이 샙니다"
        )
        survey = actions.answer_survey(survey, answers, via=AnsweredVia.CALL, acting_user=agent)
        revisit = survey.revisit
        assert revisit.parent == survey.request and revisit.link_kind == LinkKind.REVISIT
        # Answered Monday 23 Nov: due at the close of Tuesday 24 Nov.
        assert revisit.due_at == at(2026, 11, 24, 18, 0)
        assert revisit.owner == leak_crew and revisit.status == RequestStatus.ASSIGNED
        assert list(revisit.visit.crew.all()) == [leak_crew]
        assert "아직도 물이 샙니다" in revisit.description
        assert UpdateKind.REVISIT in [u.kind for u in survey.request.updates.all()]

    def test_revisit_due_skips_the_weekend_and_holidays(self, survey, agent, time_machine):
        time_machine.move_to(at(2026, 12, 24, 16, 0))  # Thursday before Christmas (Friday 25th)
        survey = actions.answer_survey(survey, actions.Answers(satisfied=False), via=AnsweredVia.LINK)
        assert survey.revisit.due_at == at(2026, 12, 28, 18, 0)  # Monday

    def test_satisfied_answer_closes_the_matter(self, survey):
        actions.answer_survey(survey, actions.Answers(satisfied=True, result=5), via=AnsweredVia.LINK)
        survey.refresh_from_db()
        assert survey.status == SurveyStatus.ANSWERED and survey.revisit is None
        assert ServiceRequest.objects.count() == 1

    def test_a_survey_is_answered_once(self, survey):
        actions.answer_survey(survey, actions.Answers(satisfied=False), via=AnsweredVia.LINK)
        with pytest.raises(ValidationError, match="already been answered"):
            actions.answer_survey(survey, actions.Answers(satisfied=False), via=AnsweredVia.LINK)
        assert ServiceRequest.objects.filter(link_kind=LinkKind.REVISIT).count() == 1

    def test_three_unanswered_calls_mean_unreachable(self, survey, agent):
        for _ in range(3):
            survey = actions.record_no_answer(survey, acting_user=agent)
        assert survey.status == SurveyStatus.UNREACHABLE


class TestDelaysAndEscalation:
    def test_a_request_about_to_miss_its_standard_is_announced_once(
        self, agent, types, household, time_machine
    ):
        (request,) = take(types, household, "enquiry", agent=agent).requests
        # Enquiry: 7 business days -> due Wed 2 Dec 18:00. Nothing yet on Thursday 26th.
        time_machine.move_to(at(2026, 11, 26, 12, 0))
        assert actions.warn_of_delays() == 0
        # In the last fifth of the span (from about Mon 30 Nov 18:00): the citizen is told.
        time_machine.move_to(at(2026, 12, 1, 9, 0))
        assert actions.warn_of_delays() == 1
        assert actions.warn_of_delays() == 0
        request.refresh_from_db()
        assert request.delay_noticed_at is not None
        notice = Notification.objects.get(kind="servicedesk.delayed")
        # Written in the customer's language (Korean): the number and the status-page link are in it.
        assert request.number in notice.body and request.status_token in notice.body
        assert request.updates.filter(kind=UpdateKind.DELAYED).exists()

    def test_the_at_risk_moment_is_the_last_fifth_of_the_standard(
        self, agent, types, household, time_machine
    ):
        (request,) = take(types, household, "enquiry", agent=agent).requests
        threshold = at_risk_after(request)
        assert threshold == request.due_at - (request.due_at - request.received_at) / 5
        time_machine.move_to(threshold - dt.timedelta(minutes=1))
        assert actions.warn_of_delays() == 0
        time_machine.move_to(threshold + dt.timedelta(minutes=1))
        assert actions.warn_of_delays() == 1

    def test_the_automatic_notice_is_in_the_citizens_language(self, agent, types, household, time_machine):
        customer = household.accounts.get().customer
        customer.preferred_language = "en"
        customer.save(update_fields=["preferred_language"])
        (request,) = take(types, household, "enquiry", agent=agent).requests
        time_machine.move_to(at(2026, 12, 1, 9, 0))
        with translation.override("ko"):  # the worker's or the clerk's language does not matter
            assert actions.warn_of_delays() == 1
        body = Notification.objects.get(kind="servicedesk.delayed").body
        assert "Reason: Your request is still being worked on" in body
        assert (
            "So far: Request received on 11/23/2026 10:30 a.m.; expected: within the next business day."
            in body
        )
        note = request.updates.get(kind=UpdateKind.DELAYED).note
        assert note.startswith("Your request is still being worked on")

    def test_staff_announce_a_delay_with_their_reason(self, clerk, agent, types, household):
        (request,) = take(types, household, "supply_works", agent=agent).requests
        actions.announce_delay(
            request, reason="도로 굴착 허가 대기 중", expected="12월 10일", acting_user=clerk
        )
        notice = Notification.objects.get(kind="servicedesk.delayed")
        assert "도로 굴착 허가 대기 중" in notice.body and "12월 10일" in notice.body

    def test_an_appointment_after_the_deadline_is_announced_at_once(self, agent, types, household, leak_crew):
        # Leak diagnosis due Tue 10:30; the citizen can only be home on Thursday.
        take(
            types,
            household,
            "leak_diagnosis",
            agent=agent,
            appointment=(at(2026, 11, 26, 14), at(2026, 11, 26, 15)),
        )
        assert Notification.objects.filter(kind="servicedesk.delayed").count() == 1

    def test_overdue_requests_are_escalated_once(self, agent, supervisor, types, household, time_machine):
        (request,) = take(types, household, "leak_diagnosis", agent=agent).requests
        time_machine.move_to(at(2026, 11, 25, 9, 0))
        assert actions.escalate_overdue(acting_user=supervisor) == 1
        assert actions.escalate_overdue() == 0
        request.refresh_from_db()
        assert request.escalated_at is not None
        assert AuditEvent.objects.get(action="request.escalated").actor == supervisor


class TestRevealingTheContact:
    def test_a_tenant_and_the_holder_are_both_logged(self, agent, types, household):
        (sr,) = actions.take_requests(
            [actions.RequestDraft(type=types["enquiry"], description="문의")],
            channel=Channel.PHONE,
            contact=actions.Contact(name="김세입", phone="010-9876-5432"),
            premise=household,
            acting_user=agent,
        ).requests
        shown = actions.reveal_request_contact(sr, reason="callback", acting_user=agent)
        assert (shown.name, shown.phone, shown.holder_phone) == ("김세입", "+821098765432", "+821012345678")
        logged = set(AuditEvent.objects.filter(category="access").values_list("action", flat=True))
        assert logged == {"request.contact_revealed", "customer.personal_data_revealed"}

    def test_refused_without_the_right_or_a_reason(
        self, agent, leak_crew, types, household, django_user_model
    ):
        (sr,) = take(types, household, "enquiry", agent=agent).requests
        nobody = django_user_model.objects.create_user(username="nobody", password="pw")
        with pytest.raises(PermissionDenied):
            actions.reveal_request_contact(sr, reason="callback", acting_user=nobody)
        with pytest.raises(ValidationError, match="Describe the reason"):
            actions.reveal_request_contact(sr, reason="other", acting_user=agent)
        ServiceRequest.objects.filter(pk=sr.pk).update(customer=None, contact_name="", contact_phone="")
        sr.refresh_from_db()
        with pytest.raises(ValidationError, match="has no contact to reveal"):
            actions.reveal_request_contact(sr, reason="callback", acting_user=agent)
        assert not AuditEvent.objects.filter(category="access").exists()


def test_email_notices_go_through_django_mail(agent, types, household, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.take_requests(
            [actions.RequestDraft(type=types["enquiry"], description="요금 문의")],
            channel=Channel.EMAIL,
            contact=actions.Contact(name="홍길동", email="hong@example.com", by_sms=False, by_email=True),
            premise=household,
            acting_user=agent,
        )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hong@example.com"]


def test_now_is_monday_morning():
    assert timezone.localtime().replace(second=0, microsecond=0) == NOW
