"""Arrears aging and collection rate by office and month, on a small city whose answer is worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.balances import add_to_owed
from billing.choices import BillStatus
from billing.models import Bill
from billing.signals import bills_changed
from collection.actions import record_payment
from collection.reports import arrears_aging, collection_rate, last_months
from collection.tests.builders import at, issue_bill
from customers.tests.builders import CityBuilder
from staff.models import BranchOffice, District

TODAY = dt.date(2026, 11, 23)
_refs = itertools.count(1)


def pay(account, amount):
    record_payment(
        account,
        amount=amount,
        source="bank_transfer",
        reference=f"R{next(_refs):06d}",
        received_at=at(),
        acting_user=None,
    )


def bill(account, total, *, due_on, month=None, late_fee=0):
    made = issue_bill(account, total, due_on=due_on)
    changes = {"late_fee": late_fee}
    if month:
        changes["period"] = month
    Bill.objects.filter(pk=made.pk).update(**changes)
    add_to_owed([made.pk], [late_fee])
    bills_changed.send(sender=Bill, account_ids=[account.pk])
    return made


@pytest.fixture
def two_offices(city):
    east = BranchOffice.objects.create(code="02", name="동부수도사업소", name_en="Dongbu Waterworks Office")
    district = District.objects.create(
        code="11230", office=east, name="동대문구", name_en="Dongdaemun-gu", city="서울특별시"
    )
    return city, CityBuilder(east, district, city.route)


@pytest.fixture
def arrears(two_offices):
    west, east = two_offices
    a1, a2, a3, a4 = (west.account() for _ in range(4))
    b5, b6, b7 = (east.account() for _ in range(3))
    bill(a1, 10_000, due_on=dt.date(2026, 12, 5))  # not yet due
    bill(a2, 20_000, due_on=dt.date(2026, 11, 10))  # 13 days late, 5,000 paid
    bill(a2, 8_000, due_on=dt.date(2026, 12, 10))
    pay(a2, 5_000)
    bill(a3, 30_000, due_on=dt.date(2026, 8, 1))  # 114 days late
    bill(a3, 40_000, due_on=dt.date(2026, 9, 1))
    bill(a4, 9_000, due_on=dt.date(2026, 5, 1))
    pay(a4, 9_000)  # paid: not in arrears
    bill(b5, 50_000, due_on=dt.date(2026, 3, 1))  # 267 days late
    bill(b6, 12_000, due_on=dt.date(2026, 10, 20), late_fee=600)  # 34 days late
    pay(b7, 4_000)  # credit only
    cancelled = bill(b7, 7_000, due_on=dt.date(2026, 1, 1))
    cancel_bill(cancelled, reason="read wrongly", acting_user=None)
    return west.office, east.office


def cancel_bill(made, **_kwargs):
    """Cancelled as a rebill cancels a bill (the billing action wants a bill made by a run)."""
    Bill.objects.filter(pk=made.pk).update(status=BillStatus.CANCELLED, cancelled_at=timezone.now())
    add_to_owed([made.pk], [-made.total])
    bills_changed.send(sender=Bill, account_ids=[made.account_id])


def cells(row):
    return [(c.accounts, c.owed) for c in row.cells]


def test_aging_puts_each_account_in_the_bucket_of_its_oldest_unpaid_bill(arrears):
    west, east = arrears
    aging = arrears_aging(TODAY)
    by_office = {row.office: row for row in aging.rows}
    assert cells(by_office[west]) == [(1, 10_000), (1, 23_000), (0, 0), (0, 0), (1, 70_000), (0, 0)]
    assert cells(by_office[east]) == [(0, 0), (0, 0), (1, 12_600), (0, 0), (0, 0), (1, 50_000)]
    assert (aging.total.accounts, aging.total.owed) == (5, 165_600)
    assert (aging.total.overdue.accounts, aging.total.overdue.owed) == (4, 155_600)
    only_east = arrears_aging(TODAY, office_id=east.pk)
    assert [row.office for row in only_east.rows] == [east] and only_east.total.owed == 62_600


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [(-1, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (180, 4), (181, 5)],
)
def test_the_bucket_edges(city, days_late, bucket):
    account = city.account()
    bill(account, 1_000, due_on=TODAY - dt.timedelta(days=days_late))
    aging = arrears_aging(TODAY)
    assert [c.accounts for c in aging.total.cells] == [int(i == bucket) for i in range(6)]


def test_aging_is_one_query_over_the_bills(arrears):
    with CaptureQueriesContext(connection) as queries:
        arrears_aging(TODAY)
    assert len(queries) == 2  # the offices, and the bills grouped by office and bucket


@pytest.fixture
def months(two_offices):
    west, east = two_offices
    sep, oct_ = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
    w1, w2 = west.account(), west.account()
    e1 = east.account()
    bill(w1, 30_000, month=sep, due_on=dt.date(2026, 9, 30))
    bill(w2, 20_000, month=sep, due_on=dt.date(2026, 9, 30))
    pay(w2, 20_000)
    bill(w1, 40_000, month=oct_, due_on=dt.date(2026, 10, 31), late_fee=1_000)
    pay(w1, 50_500)  # the September bill (30,000), then 20,500 of October's
    bill(e1, 10_000, month=sep, due_on=dt.date(2026, 9, 30))
    pay(e1, 10_000)
    cancelled = bill(e1, 99_000, month=oct_, due_on=dt.date(2026, 10, 31))
    cancel_bill(cancelled, reason="read wrongly", acting_user=None)
    return west.office, east.office


def test_collection_rate_by_office_and_month(months):
    west, east = months
    rates = collection_rate(last_months(dt.date(2026, 11, 1)))
    assert rates.months[0] == dt.date(2025, 12, 1) and rates.months[-1] == dt.date(2026, 11, 1)
    sep, oct_ = rates.months.index(dt.date(2026, 9, 1)), rates.months.index(dt.date(2026, 10, 1))
    by_office = {row.office: row for row in rates.rows}
    w_sep, w_oct = by_office[west].months[sep], by_office[west].months[oct_]
    assert (w_sep.bills, w_sep.billed, w_sep.collected, w_sep.percent) == (2, 50_000, 50_000, 100.0)
    assert (w_oct.bills, w_oct.billed, w_oct.collected, w_oct.outstanding) == (1, 41_000, 20_500, 20_500)
    assert w_oct.percent == 50.0
    e_oct = by_office[east].months[oct_]
    assert (e_oct.bills, e_oct.billed, e_oct.percent) == (0, 0, None)  # the cancelled bill counts nowhere
    total_sep = rates.total.months[sep]
    assert (total_sep.billed, total_sep.collected, total_sep.percent) == (60_000, 60_000, 100.0)
    assert rates.total.total.billed == 101_000 and rates.total.total.collected == 80_500
    assert rates.newest_first[0][0] == dt.date(2026, 11, 1)


def test_a_partly_paid_month(two_offices):
    west, _east = two_offices
    account = west.account()
    bill(account, 30_000, month=dt.date(2026, 9, 1), due_on=dt.date(2026, 9, 30))
    pay(account, 12_000)
    rates = collection_rate(last_months(dt.date(2026, 9, 1)), office_id=west.office.pk)
    assert rates.total.months[-1].percent == 40.0 and rates.total.months[-1].outstanding == 18_000


def login(client, user):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def test_supervisors_and_billing_officers_see_the_report_others_do_not(
    client, agent, clerk, supervisor, billing_officer, arrears
):
    url = reverse("arrears-report")
    for user in (agent, clerk):
        assert login(client, user).get(url).status_code == 403
        assert client.get(reverse("arrears-aging-csv")).status_code == 403
    for user in (supervisor, billing_officer):
        page = login(client, user).get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert "Arrears aging" in text and "Dongbu Waterworks Office" in text and "₩165,600" in text


def test_the_report_filters_by_office_and_downloads_csv(client, supervisor, arrears):
    _west, east = arrears
    login(client, supervisor)
    text = client.get(reverse("arrears-report"), {"office": east.pk, "month": "2026-11"}).content.decode()
    assert "₩62,600" in text and "₩165,600" not in text
    response = client.get(reverse("arrears-aging-csv"), {"office": east.pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["office_code"] for r in rows} == {"02"} and len(rows) == 6
    assert sum(int(r["owed_won"]) for r in rows) == 62_600
    response = client.get(reverse("collection-rate-csv"), {"office": "all", "month": "2026-11"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 24 and {r["month"] for r in rows} >= {"2025-12", "2026-11"}


def test_the_report_starts_on_the_officers_own_office(client, supervisor, arrears):
    _west, east = arrears
    supervisor.office = east
    supervisor.save(update_fields=["office"])
    text = login(client, supervisor).get(reverse("arrears-report")).content.decode()
    assert "₩62,600" in text and "₩165,600" not in text
    text = client.get(reverse("arrears-report"), {"office": "all"}).content.decode()
    assert "₩165,600" in text
