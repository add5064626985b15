"""The household page stays fast with ten years of history: bounded queries, paginated timeline."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEvent
from customers import actions
from customers.models import Premise

D = dt.date


def ten_years_of_history(city, premise):
    """Occupants every two years, meter replacements, household changes, and monthly events."""
    reading = 0
    account = None
    for year in range(2016, 2026, 2):
        if account is not None:
            reading += 150
            actions.stop_service(account, on=D(year, 2, 28), final_reading=reading, acting_user=None)
        account = city.account(
            premise, name=f"홍{year}", phone=f"010-1234-{year}", on=D(year, 3, 1), reading=reading
        )
        actions.transfer_account(
            account, new_holder=actions.CustomerDetails(name=f"김{year}"), on=D(year, 9, 1), acting_user=None
        )
        actions.suspend_account(account, on=D(year + 1, 1, 5), reading=reading + 40, acting_user=None)
        actions.resume_account(account, on=D(year + 1, 2, 5), reading=reading + 40, acting_user=None)
        reading += 60
        actions.replace_meter(
            premise,
            on=D(year + 1, 6, 1),
            removal_reading=reading,
            new_meter=actions.MeterSpec(serial=f"H-{year}", diameter_mm=15, dials=5),
            install_reading=0,
            acting_user=None,
        )
        reading = 0
        actions.change_household_count(
            premise, households=2 + year % 3, effective_from=D(year, 4, 1), acting_user=None
        )
    # Reads, bills and requests will join the timeline: 120 months of them.
    premise_type = ContentType.objects.get_for_model(Premise)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action="premise.registered",
            object_type=premise_type,
            object_id=premise.pk,
            household_id=premise.pk,
            details={"households": 1},
        )
        for _ in range(120)
    )
    return account


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.fixture
def staff_client(client, agent):
    client.force_login(agent)
    return client


def test_household_page_query_count_does_not_grow_with_history(city, staff_client):
    quiet = city.premise(road="율곡로")
    city.account(quiet)
    busy = city.premise(road="세종대로", number=175, installed_on=D(2015, 1, 1))
    ten_years_of_history(city, busy)
    assert AuditEvent.objects.filter(household_id=busy.pk).count() > 150

    small, _ = queries_for(staff_client, reverse("household", args=[quiet.pk]))
    large, response = queries_for(staff_client, reverse("household", args=[busy.pk]))
    assert large == small, "queries must not depend on the amount of history"
    assert large <= 16
    page = response.content.decode()
    assert page.count('class="event') == 25, "the timeline shows one page of 25 events"
    assert "홍*14" not in page  # masked holder names only


def test_timeline_is_paginated(city, staff_client):
    busy = city.premise(installed_on=D(2015, 1, 1))
    ten_years_of_history(city, busy)
    total = AuditEvent.objects.filter(household_id=busy.pk).count()
    pages = -(-total // 25)
    last, response = queries_for(
        staff_client, reverse("household-timeline", args=[busy.pk]) + f"?page={pages}"
    )
    html = response.content.decode()
    assert html.count('class="event') == total - 25 * (pages - 1)
    assert "<html" not in html, "the timeline page is a fragment for htmx"
    assert last <= 8


def test_household_page_shows_accounts_meter_history_and_counts(city, staff_client):
    premise = city.premise(installed_on=D(2015, 1, 1))
    current = ten_years_of_history(city, premise)
    staff_client.cookies["django_language"] = "en"
    page = staff_client.get(reverse("household", args=[premise.pk])).content.decode()
    assert current.display_number in page
    assert "Past accounts" in page and "Meter history" in page and "H-2024" in page
    assert "Holders of this account" in page
