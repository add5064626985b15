"""The household page's readings and bills: who sees them, what they show, and that they stay fast."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.actions import TARIFF_FILES, load_tariff_file, run_billing_cycle
from billing.models import Bill
from customers.actions.common import current_installation
from metering.choices import ReadingKind
from metering.readings import record_reading


def login(client, user):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def bill_months(city, account, months: list[tuple[int, dt.date]]):
    """Readings on the cycle's reading day (the 5th) with these registers, each month billed."""
    meter = current_installation(account.premise).meter
    for value, day in months:
        record_reading(
            meter, value=value, read_on=day, kind=ReadingKind.ACTUAL, account=account, acting_user=None
        )
        run_billing_cycle(city.route.cycle, day.replace(day=1), acting_user=None)


@pytest.fixture
def billed(city, db):
    load_tariff_file(TARIFF_FILES / "seoul.toml", put_in_use=True)
    account = city.account(on=dt.date(2026, 1, 1), reading=0)
    # 12 m³, 14 m³, then a leak: 60 m³.
    bill_months(
        city, account, [(12, dt.date(2026, 2, 5)), (26, dt.date(2026, 3, 5)), (86, dt.date(2026, 4, 6))]
    )
    return account


def test_agent_sees_the_panel_loaded_on_the_household_page(client, agent, billed):
    page = login(client, agent).get(reverse("household", args=[billed.premise_id])).content.decode()
    assert "Readings and bills" in page
    assert f'hx-get="{reverse("household-billing", args=[billed.premise_id])}"' in page


def test_crew_sees_the_household_without_bills(client, crew, billed):
    login(client, crew)
    page = client.get(reverse("household", args=[billed.premise_id])).content.decode()
    assert "Readings and bills" not in page
    assert client.get(reverse("household-billing", args=[billed.premise_id])).status_code == 403


def test_panel_shows_chart_bills_and_readings(client, agent, billed):
    panel = login(client, agent).get(reverse("household-billing", args=[billed.premise_id])).content.decode()
    assert "<html" not in panel, "a fragment for htmx"
    # One bar per billed month, with its m³.
    bars = re.findall(r'<rect class="bar[^"]*"[^>]*data-period="([\d-]+)" data-m3="(\d+)"', panel)
    assert bars == [("2026-02", "12"), ("2026-03", "14"), ("2026-04", "60")]
    assert "average 29 m³ a month" in panel
    # Bills newest first, linked to the bill page; amounts in won: 60 m³ × 1,230 = 73,800.
    april = Bill.objects.get(account=billed, period=dt.date(2026, 4, 1))
    assert reverse("bill", args=[april.pk]) in panel and "₩73,800" in panel
    bills = panel[panel.index(">Bills<") :]
    assert bills.index("2026-04") < bills.index("2026-03")
    # Readings: date, register, consumption and kind.
    assert "2026-04-06" in panel and ">86<" in panel and "60 <small" in panel and "Regular reading" in panel


def test_estimated_and_cancelled_bills_are_marked(client, billing_officer, city, billed):
    from billing.actions import cancel_bill

    cancel_bill(
        Bill.objects.get(account=billed, period=dt.date(2026, 4, 1)), reason="재검침", acting_user=None
    )
    run_billing_cycle(city.route.cycle, dt.date(2026, 5, 1), acting_user=None)  # no reading: estimated
    panel = (
        login(client, billing_officer)
        .get(reverse("household-billing", args=[billed.premise_id]))
        .content.decode()
    )
    assert "is-cancelled" in panel and "Cancelled" in panel
    assert 'class="bar estimated"' in panel and "Estimated" in panel


def test_a_household_without_bills(client, agent, city, db):
    account = city.account()
    panel = login(client, agent).get(reverse("household-billing", args=[account.premise_id])).content.decode()
    assert "No bill yet." in panel and "<svg" not in panel
    assert client.get(reverse("household-billing", args=[999999])).status_code == 404


def test_panel_queries_do_not_grow_with_history(client, agent, city, billed):
    other = city.account(city.premise(road="율곡로"), on=dt.date(2026, 1, 1), reading=0)
    bill_months(city, other, [(10, dt.date(2026, 2, 5))])
    login(client, agent)

    def queries(account):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("household-billing", args=[account.premise_id])).status_code == 200
        return len(ctx.captured_queries)

    assert queries(billed) == queries(other) <= 8
