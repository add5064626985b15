"""The billing console: tariffs, runs with live progress, bills and their corrections, per role.

Cycle 01 is read on the 5th. Seoul's 2026 tariff per m³: water 580, sewer 480, water-use 170.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from billing.actions import start_billing_run
from billing.choices import AdjustmentKind, BillStatus, RunExceptionReason, RunStatus
from billing.models import Adjustment, Bill, BillingRun, RunException
from billing.run import engine
from core.models import AuditEvent

from .test_billing_run import bill_of, read, run, seoul  # noqa: F401 (fixtures)

FEB, MAR, APR, MAY = (dt.date(2026, m, 1) for m in (2, 3, 4, 5))


def login(client, user, language="en"):
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


@pytest.fixture
def household(city, seoul):  # noqa: F811
    """15 m³ a month from February to April, then 45 m³ in May (a leak); and two accounts without a bill."""
    account = city.account(on=dt.date(2026, 1, 1), reading=0)
    unread = city.account(name="김미검", on=dt.date(2026, 1, 1), reading=0)  # never read: no history
    for value, day, month in (
        (15, dt.date(2026, 2, 4), FEB),
        (30, dt.date(2026, 3, 6), MAR),
        (45, dt.date(2026, 4, 5), APR),
        (90, dt.date(2026, 5, 6), MAY),
    ):
        read(account, value, day)
        run(city, month)
    return account, unread


@pytest.fixture
def may_bill(household):
    return bill_of(household[0], MAY)


@pytest.fixture
def may_run(household):
    return BillingRun.objects.get(period=MAY)


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "tariffs", "runs", "bill"),
    [
        ("billing_officer", 200, 200, 200),
        ("administrator", 200, 200, 200),
        ("agent", 200, 403, 200),
        ("clerk", 200, 403, 200),
        ("supervisor", 200, 403, 200),
        ("crew", 403, 403, 403),
        ("outsider", 403, 403, 403),
    ],
)
def test_each_page_for_each_role(request, client, household, may_bill, may_run, persona, tariffs, runs, bill):
    login(client, request.getfixturevalue(persona))
    version = may_bill.tariff_version
    assert client.get(reverse("tariffs")).status_code == tariffs
    assert client.get(reverse("tariff-version", args=[version.pk])).status_code == tariffs
    assert client.get(reverse("billing-runs")).status_code == runs
    assert client.get(reverse("billing-run", args=[may_run.pk])).status_code == runs
    assert client.get(reverse("billing-run-progress", args=[may_run.pk])).status_code == runs
    assert client.get(reverse("bill", args=[may_bill.pk])).status_code == bill


def test_anonymous_is_sent_to_the_login(client, may_bill):
    response = client.get(reverse("bill", args=[may_bill.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_agent_reads_a_bill_but_cannot_correct_it(client, agent, may_bill):
    login(client, agent)
    page = client.get(reverse("bill", args=[may_bill.pk])).content.decode()
    assert "Water bill for 2026-05" in page and "₩55,350" in page
    assert "Correct this bill" not in page and 'name="op"' not in page
    response = client.post(reverse("bill", args=[may_bill.pk]), {"op": "cancel", "cancel-reason": "test"})
    assert response.status_code == 403
    may_bill.refresh_from_db()
    assert may_bill.status == BillStatus.ISSUED


def test_nav_shows_billing_to_the_officer_and_tariffs_to_the_agent(client, billing_officer, agent, crew, db):
    page = login(client, billing_officer).get(reverse("search")).content.decode()
    assert reverse("billing-runs") in page
    page = login(client, agent).get(reverse("search")).content.decode()
    assert reverse("tariffs") in page and reverse("billing-runs") not in page
    page = login(client, crew).get(reverse("search")).content.decode()
    assert reverse("tariffs") not in page


# --- tariffs ---------------------------------------------------------------------------------


def test_tariffs_list_versions_and_a_version_reads_as_the_ordinance(client, agent, administrator, seoul):  # noqa: F811
    login(client, agent)
    page = client.get(reverse("tariffs")).content.decode()
    assert "Seoul water and sewer tariff" in page and "2026-01-01" in page and "in force" in page
    assert "in use for billing" in page
    assert reverse("admin:billing_tariff_change", args=[seoul.pk]) not in page  # not an administrator
    version = seoul.versions.get()
    page = client.get(reverse("tariff-version", args=[version.pk])).content.decode()
    # Flat rates per use type and component, and what 20 m³ at a home costs: 11,600 + 9,600 + 3,400.
    assert "Domestic (가정용)" in page and ">580<" in page and ">480<" in page and ">170<" in page
    assert "₩11,600" in page and "₩9,600" in page and "₩3,400" in page and "₩24,600" in page
    assert "rounded down to 10 won" in page
    # The illustrative general-use sewer blocks read as blocks.
    assert "0–30 m³" in page and "over 100 m³" in page
    page = login(client, administrator).get(reverse("tariff-version", args=[version.pk])).content.decode()
    assert reverse("admin:billing_tariff_change", args=[seoul.pk]) in page


def test_a_progressive_tariff_shows_blocks_per_household_and_basic_charges(client, agent, db):
    from billing.actions import TARIFF_FILES, load_tariff_file

    tariff = load_tariff_file(TARIFF_FILES / "example_progressive.toml")
    page = (
        login(client, agent).get(reverse("tariff-version", args=[tariff.versions.get().pk])).content.decode()
    )
    assert "blocks per household" in page and "Basic charge by meter size" in page
    # 20 m³ at a home with a 15 mm meter: 20 × 360 + 1,080 basic = 8,280 water.
    assert "₩8,280" in page and "₩1,080" in page


# --- runs ------------------------------------------------------------------------------------


def test_runs_list_summarises_months_and_lists_the_month_runs(client, billing_officer, may_run):
    page = login(client, billing_officer).get(reverse("billing-runs")).content.decode()
    assert "2026-05" in page and "2026-02" in page
    assert reverse("billing-run", args=[may_run.pk]) in page
    page = client.get(reverse("billing-runs") + "?month=2026-03").content.decode()
    assert "Runs of 2026-03" in page and reverse("billing-run", args=[may_run.pk]) not in page


def test_start_a_run_for_a_cycle_and_month(client, billing_officer, city, household):
    account, _unread = household
    read(account, 100, dt.date(2026, 6, 5))
    login(client, billing_officer)
    response = client.post(reverse("billing-runs"), {"cycle": city.route.cycle.pk, "month": "2026-06"})
    june = BillingRun.objects.get(period=dt.date(2026, 6, 1))
    assert response.status_code == 302 and response["Location"] == reverse("billing-run", args=[june.pk])
    assert bill_of(account, dt.date(2026, 6, 1)).water_m3 == 10
    assert june.finished and june.started_by == billing_officer
    # Started again: nothing is billed twice.
    client.post(reverse("billing-runs"), {"cycle": city.route.cycle.pk, "month": "2026-06"})
    assert Bill.objects.filter(account=account, period=dt.date(2026, 6, 1)).count() == 1


def test_start_every_cycle_and_a_month_not_yet_billable(client, billing_officer, city, household):
    login(client, billing_officer)
    response = client.post(reverse("billing-runs"), {"cycle": "", "month": "2026-06"})
    assert response.status_code == 302 and "month=2026-06" in response["Location"]
    assert BillingRun.objects.filter(period=dt.date(2026, 6, 1)).count() == 1
    response = client.post(reverse("billing-runs"), {"cycle": city.route.cycle.pk, "month": "2027-01"})
    assert response.status_code == 422
    assert "cannot be billed yet" in response.content.decode()
    assert not BillingRun.objects.filter(period=dt.date(2027, 1, 1)).exists()


def test_start_needs_a_month_and_the_right(client, billing_officer, agent, city, household):
    response = login(client, billing_officer).post(reverse("billing-runs"), {"month": "June"})
    assert response.status_code == 422 and "Enter the month as YYYY-MM." in response.content.decode()
    response = login(client, agent).post(reverse("billing-runs"), {"month": "2026-06"})
    assert response.status_code == 403


def test_run_detail_reconciles_and_lists_exceptions_by_reason(client, billing_officer, may_run, household):
    _account, unread = household
    assert may_run.status == RunStatus.WITH_EXCEPTIONS
    login(client, billing_officer)
    page = client.get(reverse("billing-run", args=[may_run.pk])).content.decode()
    # 2 accounts in the cycle = 1 bill + 1 exception.
    assert "Reconciliation" in page and "<strong>2</strong> accounts" in page
    assert "<strong>1</strong> bills" in page and "<strong>1</strong> exceptions" in page
    assert "No reading, and no history to estimate from" in page
    assert unread.display_number in page and reverse("household", args=[unread.premise_id]) in page
    page = client.get(reverse("billing-run", args=[may_run.pk]) + "?reason=held_reading").content.decode()
    assert unread.display_number not in page


def test_exceptions_are_paged(client, billing_officer, city, may_run, monkeypatch):
    from billing.views import runs

    other = city.account(name="박미검", on=dt.date(2026, 1, 1), reading=0)
    RunException.objects.create(
        run=may_run, account=other, reason=RunExceptionReason.NO_READING, created_at=may_run.started_at
    )
    monkeypatch.setattr(runs, "PAGE_SIZE", 1)
    login(client, billing_officer)
    first = client.get(reverse("billing-run", args=[may_run.pk])).content.decode()
    second = client.get(reverse("billing-run", args=[may_run.pk]) + "?page=2").content.decode()
    assert "1 / 2" in first and "1 / 2" not in second and "2 / 2" in second
    assert (other.display_number in first) != (other.display_number in second)


def test_live_progress_polls_while_running_and_reloads_when_done(client, billing_officer, city, household):
    account, _unread = household
    read(account, 100, dt.date(2026, 6, 5))
    running = start_billing_run(city.route.cycle, dt.date(2026, 6, 1), acting_user=billing_officer)
    login(client, billing_officer)
    url = reverse("billing-run-progress", args=[running.pk])
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in partial and "0 of 1 chunk billed" in partial
    assert "Accounts done so far" in partial
    assert "<html" not in partial
    page = client.get(reverse("billing-run", args=[running.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page  # the detail page polls its progress
    # A worker bills the chunk and reconciles.
    while engine.take_chunk(running.pk):
        pass
    from billing.actions import finish_billing_run

    finish_billing_run(running)
    polled = client.get(url + "?poll=1", headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"
    done = client.get(url).content.decode()
    assert "every 2s" not in done and "1 of 1 chunk billed" in done and "Reconciliation" in done


# --- a bill and its corrections ----------------------------------------------------------------


def test_bill_detail_shows_readings_charges_and_links(client, billing_officer, may_bill, household):
    account, _unread = household
    page = login(client, billing_officer).get(reverse("bill", args=[may_bill.pk])).content.decode()
    assert account.display_number in page and "홍*동" in page and "홍길동" not in page
    assert "2026-04-05 – 2026-05-06" in page and "31 days" in page
    assert "45 m³" in page and "Regular reading" in page
    # 45 m³ × 580, × 480, × 170.
    assert "₩26,100" in page and "₩21,600" in page and "₩7,650" in page and "₩55,350" in page
    assert "Water-use charge" in page and "due 2026-12-14" in page
    assert reverse("household", args=[account.premise_id]) in page
    assert reverse("billing-run", args=[may_bill.run_id]) in page
    assert reverse("tariff-version", args=[may_bill.tariff_version_id]) in page
    for operation in ("adjust", "leak", "rebill", "cancel"):
        assert f'name="op" value="{operation}"' in page


def post(client, bill, op, **data):
    return client.post(
        reverse("bill", args=[bill.pk]), {"op": op, **{f"{op}-{k}": v for k, v in data.items()}}
    )


def test_cancel_without_a_reason_says_why_and_changes_nothing(client, billing_officer, may_bill):
    login(client, billing_officer)
    response = post(client, may_bill, "cancel", reason="  ")
    assert response.status_code == 422
    assert "Say why: the customer and the auditors will read it." in response.content.decode()
    may_bill.refresh_from_db()
    assert may_bill.status == BillStatus.ISSUED
    assert not AuditEvent.objects.filter(action="billing.bill_cancelled").exists()


def test_cancel_with_a_reason(client, billing_officer, may_bill):
    login(client, billing_officer)
    response = post(client, may_bill, "cancel", reason="이중 부과")
    assert response.status_code == 302 and response["Location"] == reverse("bill", args=[may_bill.pk])
    may_bill.refresh_from_db()
    assert may_bill.status == BillStatus.CANCELLED and may_bill.cancel_reason == "이중 부과"
    page = client.get(response["Location"]).content.decode()
    assert "Cancelled" in page and "이중 부과" in page and "Correct this bill" not in page


def test_an_earlier_bill_cannot_be_cancelled_first(client, billing_officer, household):
    april = bill_of(household[0], APR)
    response = post(login(client, billing_officer), april, "cancel", reason="잘못 검침")
    assert response.status_code == 422
    assert "The bill of 2026-05 was counted from this one: cancel it first." in response.content.decode()
    april.refresh_from_db()
    assert april.status == BillStatus.ISSUED


def test_cancel_and_rebill_links_both_bills(client, billing_officer, may_bill):
    login(client, billing_officer)
    assert post(client, may_bill, "rebill", reason="").status_code == 422
    response = post(client, may_bill, "rebill", reason="검침값 정정")
    new = Bill.objects.get(replaces=may_bill)
    assert response["Location"] == reverse("bill", args=[new.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Issued instead of a cancelled bill" in page and reverse("bill", args=[may_bill.pk]) in page
    page = client.get(reverse("bill", args=[may_bill.pk])).content.decode()
    assert "replaced by the bill of ₩55,350" in page and reverse("bill", args=[new.pk]) in page


def test_adjust_the_amount(client, billing_officer, may_bill):
    login(client, billing_officer)
    response = post(client, may_bill, "adjust", amount="0", kind="correction", reason="보상")
    assert (
        response.status_code == 422 and "An adjustment of 0 won changes nothing." in response.content.decode()
    )
    response = post(client, may_bill, "adjust", amount="-99999", kind="correction", reason="보상")
    assert "it cannot be reduced below zero" in response.content.decode()
    response = post(client, may_bill, "adjust", amount="-3000", kind="correction", reason="")
    assert "Say why" in response.content.decode()
    assert not Adjustment.objects.exists()
    response = post(client, may_bill, "adjust", amount="-3000", kind="correction", reason="검침 지연 보상")
    assert response.status_code == 302
    may_bill.refresh_from_db()
    assert (may_bill.adjustments, may_bill.total) == (-3000, 52350)
    page = client.get(reverse("bill", args=[may_bill.pk])).content.decode()
    assert "검침 지연 보상" in page and "-₩3,000" in page and "₩52,350" in page


def test_leak_reduction_shows_its_calculation(client, billing_officer, may_bill):
    login(client, billing_officer)
    response = post(
        client, may_bill, "leak", reason="배관 누수 수리", baseline="previous", months="3", share_percent="0"
    )
    assert response.status_code == 422
    assert "The share waived is a percentage from 1 to 100." in response.content.decode()
    response = post(
        client, may_bill, "leak", reason="배관 누수 수리", baseline="previous", months="3", share_percent="50"
    )
    assert response.status_code == 302
    adjustment = Adjustment.objects.get(bill=may_bill)
    assert adjustment.kind == AdjustmentKind.LEAK and adjustment.amount == -18450
    page = client.get(reverse("bill", args=[may_bill.pk])).content.decode()
    # Baseline 15 m³ (45 m³ in 94 days × 31), leaked 30, half waived: 15 m³.
    assert "Average of the previous months" in page and "2026-04: 15 m³ / 30 days" in page
    assert "<strong>15 m³</strong> (50 %)" in page and "Water -₩8,700" in page
    assert 'value="leak"' not in page, "one leak reduction per bill: the form is gone"


def test_errors_read_in_korean(client, billing_officer, may_bill):
    login(client, billing_officer, language="ko")
    response = post(client, may_bill, "cancel", reason="")
    page = response.content.decode()
    assert response.status_code == 422 and "Say why" not in page
    assert 'lang="ko"' in page


def test_unknown_operation_is_refused(client, billing_officer, may_bill):
    assert post(login(client, billing_officer), may_bill, "delete").status_code == 400


# --- the demo city -----------------------------------------------------------------------------


def test_demo_city_gets_months_of_readings_runs_and_bills(db):
    from django.core.management import call_command

    from billing.demo import load_demo_billing
    from customers.demo_city import load_demo_city

    load_demo_city(40, seed=3)
    call_command("load_tariffs", use="seoul", verbosity=0)
    counts = load_demo_billing(months=2, seed=3)
    runs = BillingRun.objects.all()
    assert counts["billing runs"] == runs.count() > 0 and counts["bills"] > 0
    assert not runs.filter(unaccounted__gt=0).exists(), "every account billed or explained"
    assert runs.filter(status=RunStatus.BALANCED).exists()
    assert Bill.objects.filter(status=BillStatus.ISSUED).count() > 0
    # Bills are dated as issued after their reading day, not on the day the demo was loaded.
    first = runs.order_by("period").first()
    assert first.started_at.date() < dt.date(2026, 11, 1)
