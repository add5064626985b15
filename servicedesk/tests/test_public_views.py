"""The citizen's pages, reached without logging in by the token in their notices."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk import actions
from servicedesk.choices import AnsweredVia, Channel, LinkKind, SurveyStatus
from servicedesk.models import ServiceRequest, Survey

KST = dt.timezone(dt.timedelta(hours=9))


def at(*args):
    return dt.datetime(*args, tzinfo=KST)


@pytest.fixture(autouse=True)
def _memory_sms(settings):
    settings.SMS_BACKEND = "core.notify.backends.MemorySMSBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def home(city):
    """A flat with a distinctive building number and unit, so the page can be searched for them."""
    premise = city.premise(road="세종대로", number=4729, unit="302동 1507호")
    city.account(premise, name="홍길동", phone="010-2468-9753", consent_sms=True)
    return premise


@pytest.fixture
def done(agent, types, home, leak_crew):
    """A leak diagnosis visited and completed: its Happy Call is open."""
    intake = actions.take_requests(
        [actions.RequestDraft(type=types["leak_diagnosis"], description="계량기가 돌아가요")],
        channel=Channel.PHONE,
        contact=actions.Contact(name="홍길동", phone="010-2468-9753"),
        premise=home,
        acting_user=agent,
        appointment=(at(2026, 11, 23, 14), at(2026, 11, 23, 15)),
    )
    actions.start_visit(intake.visit, acting_user=leak_crew)
    actions.complete_visit(intake.visit, findings="", work_done="밸브 교체, 누수 멈춤", acting_user=leak_crew)
    return intake.requests[0]


def status_url(request):
    return reverse("request-status", args=[request.status_token])


def survey_url(request):
    return reverse("survey", args=[Survey.objects.get(request=request).token])


def assert_private(response, referrer_policy="no-referrer"):
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == referrer_policy
    page = response.content.decode()
    assert '<meta name="robots" content="noindex">' in page
    assert f'<meta name="referrer" content="{referrer_policy}">' in page


class TestStatusPage:
    def test_shows_the_steps_and_nobody(self, en, done, agent, leak_crew, clerk):
        response = en.get(status_url(done))
        assert response.status_code == 200
        assert_private(response)
        page = response.content.decode()
        assert done.number in page and "Leak diagnosis" in page
        assert "9 office hours" in page  # the service standard
        for step in ("Request received", "Visit arranged", "Staff arrived", "Completed"):
            assert step in page
        assert "밸브 교체, 누수 멈춤" in page  # the result, written for the citizen
        assert "14:00" in page  # the appointment window is a public note
        assert "Jongno-gu 세종대로" in page
        # No person: not the contact, nor their phone, nor the house, nor the staff.
        forbidden = ["홍길동", "홍*동", "2468", "9753", "4729", "1507", "302동"]
        forbidden += [u.username for u in (agent, leak_crew, clerk)]
        forbidden += [u.full_name for u in (agent, leak_crew, clerk)]
        for text in forbidden:
            assert text not in page, text

    def test_offers_the_open_survey_once(self, en, done):
        page = en.get(status_url(done)).content.decode()
        assert survey_url(done) in page
        actions.answer_survey(Survey.objects.get(), actions.Answers(satisfied=True), via=AnsweredVia.LINK)
        page = en.get(status_url(done)).content.decode()
        assert survey_url(done) not in page and "Thank you for answering" in page

    def test_linked_requests_by_number_type_and_status_only(self, en, agent, types, home, leak_crew):
        intake = actions.take_requests(
            [actions.RequestDraft(type=types["leak_diagnosis"], description="누수")],
            channel=Channel.PHONE,
            contact=actions.Contact(name="홍길동", phone="010-2468-9753"),
            premise=home,
            acting_user=agent,
            appointment=(at(2026, 11, 23, 14), at(2026, 11, 23, 15)),
        )
        found = actions.report_found_problem(
            intake.visit,
            request_type=types["meter_replacement"],
            description="계량기 유리 파손 — 내부 메모",
            resolved_on_site=False,
            acting_user=leak_crew,
        )
        page = en.get(status_url(intake.requests[0])).content.decode()
        assert found.number in page and "Meter replacement" in page
        assert found.status_token not in page and "내부 메모" not in page
        page = en.get(status_url(found)).content.decode()
        assert intake.requests[0].number in page

    def test_an_unknown_token_is_a_friendly_404(self, en, done):
        for url in (
            reverse("request-status", args=["no-such-token"]),
            reverse("request-status", args=[done.status_token[:-1]]),
            reverse("survey", args=["no-such-token"]),
            reverse("request-status", args=["x" * 500]),
        ):
            response = en.get(url)
            assert response.status_code == 404
            assert "We could not find this page" in response.content.decode()
            assert_private(response)

    def test_korean_by_default_and_english_by_a_link(self, client, done):
        page = client.get(status_url(done)).content.decode()
        assert '<html lang="ko">' in page and done.number in page and 'href="?lang=en"' in page
        response = client.get(status_url(done) + "?lang=en")
        assert response.status_code == 302 and response["Location"] == status_url(done)
        assert response["Referrer-Policy"] == "no-referrer"
        page = client.get(status_url(done)).content.decode()
        assert '<html lang="en">' in page and "Tracking number" in page
        assert client.get(status_url(done) + "?lang=xx").status_code == 404


class TestSurvey:
    def test_unsatisfied_brings_a_revisit_shown_with_its_number(self, en, done):
        url = survey_url(done)
        response = en.get(url)
        assert response.status_code == 200
        # The form's POST needs a real Origin header (CSRF), so the referrer is kept to our own site.
        assert_private(response, "same-origin")
        assert "Were our staff courteous?" in response.content.decode()
        response = en.post(
            url,
            {
                "courtesy": "4",
                "punctuality": "5",
                "explanation": "3",
                "result": "1",
                "satisfied": "no",
                "comment": "아직도 물이 샙니다",
            },
        )
        assert response.status_code == 200
        assert_private(response, "same-origin")
        survey = Survey.objects.get()
        assert survey.status == SurveyStatus.ANSWERED and survey.answered_via == AnsweredVia.LINK
        assert (survey.courtesy, survey.punctuality, survey.explanation, survey.result) == (4, 5, 3, 1)
        revisit = survey.revisit
        assert revisit.parent == done and revisit.link_kind == LinkKind.REVISIT
        page = response.content.decode()
        assert "We will come back" in page and revisit.number in page
        assert "Nov. 24, 2026" in page and "18:00" in page  # due the next business day

    def test_answering_twice_is_politely_refused(self, en, done):
        url = survey_url(done)
        en.post(url, {"satisfied": "no"})
        response = en.post(url, {"satisfied": "no"})
        assert response.status_code == 200
        assert "already been answered" in response.content.decode()
        assert ServiceRequest.objects.filter(link_kind=LinkKind.REVISIT).count() == 1
        response = en.get(url)
        assert "already been answered" in response.content.decode()
        assert Survey.objects.get().revisit.number in response.content.decode()

    def test_satisfied_closes_the_matter(self, en, done):
        response = en.post(survey_url(done), {"satisfied": "yes", "result": "5"})
        assert "Thank you for your answers" in response.content.decode()
        assert Survey.objects.get().satisfied is True
        assert not ServiceRequest.objects.filter(link_kind=LinkKind.REVISIT).exists()

    def test_the_overall_answer_is_needed(self, en, done):
        response = en.post(survey_url(done), {"courtesy": "5"})
        assert "Please say whether you are satisfied overall." in response.content.decode()
        assert Survey.objects.get().status == SurveyStatus.SCHEDULED

    def test_a_score_outside_the_scale_is_refused(self, en, done):
        response = en.post(survey_url(done), {"satisfied": "yes", "courtesy": "9"})
        assert response.status_code == 200
        assert Survey.objects.get().status == SurveyStatus.SCHEDULED

    def test_csrf_stays_on(self, done):
        client = Client(enforce_csrf_checks=True)
        url = survey_url(done)
        assert client.post(url, {"satisfied": "no"}).status_code == 403
        assert Survey.objects.get().status == SurveyStatus.SCHEDULED
        # As a browser does it: the form's token, and the Origin a same-origin policy lets through.
        client.get(url)
        token = client.cookies["csrftoken"].value
        response = client.post(
            url, {"satisfied": "yes", "csrfmiddlewaretoken": token}, HTTP_ORIGIN="http://testserver"
        )
        assert response.status_code == 200
        assert Survey.objects.get().status == SurveyStatus.ANSWERED
