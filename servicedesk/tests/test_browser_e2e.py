"""Intake → dispatch → field completion → Happy Call, end to end in a real browser, in Korean.

Drives Debian's Chromium through Playwright against a live server. Skipped with a
message where Chromium is missing; CI (.ci/run) installs it and sets
SUIDO_REQUIRE_BROWSER=1 so there it fails instead of skipping.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from servicedesk.choices import LinkKind, RequestStatus, SurveyStatus, VisitStatus
from servicedesk.models import ServiceRequest, Survey

from .conftest import make_crew

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
KST = dt.timezone(dt.timedelta(hours=9))

pytestmark = pytest.mark.django_db(transaction=True)


def _install_seed_data():
    import importlib

    from django.apps import apps

    for module in ("servicedesk.migrations.0002_catalogue", "core.migrations.0004_year_end_closure"):
        migration = importlib.import_module(module)
        forward = getattr(migration, "install", None) or migration.create_closure
        forward(apps, None)


@pytest.fixture(autouse=True)
def _seed_data(transactional_db):
    """Live-server tests empty every table when they end, losing what migrations seeded (the
    request catalogue, the year-end closure): put it back before this test and after it."""
    _install_seed_data()
    yield
    _install_seed_data()


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        message = "browser test needs Debian's chromium: apt-get install chromium fonts-nanum"
        if os.environ.get("SUIDO_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def korean_page(browser, live_server, *, user=None, phone=False):
    size = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 900}
    context = browser.new_context(viewport=size, locale="ko-KR")
    context.add_cookies([{"name": "django_language", "value": "ko", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    if user is not None:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "pw")
        page.click("form button.primary")
        page.wait_for_url(re.compile(r"^(?!.*/login/)"))
    return page


def test_intake_dispatch_field_happy_call(
    _seed_data, browser, live_server, agent, clerk, city, django_user_model, types
):
    account = city.account(name="홍길동", phone="010-1234-5678", consent_sms=True)
    premise = account.premise
    crew = make_crew(django_user_model, city, "crew_e2e", "leak")

    # 1. The agent takes the call: a suspected leak, with what the caller says.
    page = korean_page(browser, live_server, user=agent)
    page.goto(f"{live_server.url}/desk/intake/?premise={premise.pk}")
    assert page.locator("html").get_attribute("lang") == "ko"
    page.select_option("[name=r0-type]", str(types["leak_diagnosis"].pk))
    # Choosing the type reloads the row with the type's own questions; type once it is back.
    page.wait_for_load_state("networkidle")
    page.fill("[name=r0-description]", "수도 요금이 갑자기 두 배로 나왔어요. 누수가 의심됩니다.")
    page.click("button.ik-save")
    page.wait_for_url(re.compile(r"/desk/intake/done/"))
    request = ServiceRequest.objects.get()
    assert request.number in page.content()
    assert "누수 진단" in page.content()
    assert request.status == RequestStatus.RECEIVED and request.visit is not None
    page.context.close()

    # 2. The clerk arranges the visit agreed with the citizen; the crew is chosen automatically.
    page = korean_page(browser, live_server, user=clerk)
    page.goto(f"{live_server.url}/desk/visits/{request.visit.number}/arrange/")
    page.fill("[name=on]", "2026-11-23")
    page.fill("[name=start]", "14:00")
    page.fill("[name=end]", "16:00")
    page.click("button[name=automatic]")
    page.wait_for_url(re.compile(rf"/desk/requests/{re.escape(request.number)}/"))
    request.refresh_from_db()
    assert request.status == RequestStatus.SCHEDULED and list(request.visit.crew.all()) == [crew]
    page.context.close()

    # 3. The crew member, on a phone, finds the job in the list, arrives and completes it.
    page = korean_page(browser, live_server, user=crew, phone=True)
    page.goto(f"{live_server.url}/field/")
    page.get_by_text(request.visit.number).first.wait_for()
    page.goto(f"{live_server.url}/field/visits/{request.visit.number}/")
    assert "수도 요금이 갑자기 두 배로" in page.content()  # what was said at intake
    page.get_by_role("button", name=re.compile("도착")).click()
    page.wait_for_load_state("networkidle")
    page.fill("[name=work_done]", "보일러실 배관 이음새 누수를 수리했습니다.")
    page.get_by_role("button", name=re.compile("방문 완료")).click()
    page.wait_for_url(re.compile(r"/field/$"))
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED and request.visit.status == VisitStatus.COMPLETED
    survey = Survey.objects.get(request=request)
    assert survey.scheduled_for - request.completed_at <= dt.timedelta(hours=1)
    page.context.close()

    # 4. The Happy Call: the citizen opens the survey link, is not satisfied; a revisit is arranged.
    page = korean_page(browser, live_server)
    page.goto(f"{live_server.url}/survey/{survey.token}/")
    for question in ("courtesy", "punctuality", "explanation"):
        page.check(f"[name={question}][value='4']")
    page.check("[name=result][value='1']")
    page.check("[name=satisfied][value='no']")
    page.fill("[name=comment]", "아직도 물이 샙니다.")
    page.get_by_role("button").last.click()
    page.wait_for_load_state("networkidle")
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ANSWERED and survey.satisfied is False
    revisit = ServiceRequest.objects.get(link_kind=LinkKind.REVISIT)
    assert revisit.parent == request and revisit.number in page.content()
    assert timezone.localtime(revisit.due_at) == dt.datetime(2026, 11, 24, 18, 0, tzinfo=KST)
    page.context.close()
