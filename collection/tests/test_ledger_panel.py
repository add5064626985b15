"""The household's ledger panel: the right figures, the bills and payments with what each paid, and reversals."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.balances import add_to_owed
from billing.models import Bill
from billing.signals import bills_changed
from collection.actions import record_payment
from collection.choices import PaymentStatus
from collection.events import PAYMENT_REVERSED
from collection.household_ledger import load_ledger
from collection.ledger import position
from collection.models import Payment
from collection.tests.builders import at, issue_bill
from core.dates import today
from core.models import AuditEvent
from customers import actions as registry

_refs = itertools.count(1)


def login(client, user):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def pay(account, amount, *, source="bank_transfer", day=1):
    return record_payment(
        account,
        amount=amount,
        source=source,
        reference=f"L{next(_refs):06d}",
        received_at=at(day),
        acting_user=None,
    ).payment


@pytest.fixture
def household(city):
    """Three bills (one paid, one part paid and overdue with a late fee, one not yet due) and one payment.

    Today is 2026-11-23.
    """
    account = city.account()
    old = issue_bill(account, 30_000, due_on=dt.date(2026, 9, 30))
    mid = issue_bill(account, 20_000, due_on=dt.date(2026, 10, 31))
    new = issue_bill(account, 10_000, due_on=dt.date(2026, 11, 30))
    Bill.objects.filter(pk=mid.pk).update(late_fee=1_000)
    add_to_owed([mid.pk], [1_000])
    bills_changed.send(sender=Bill, account_ids=[account.pk])
    payment = pay(account, 35_000)
    return account, old, mid, new, payment


def panel(client, account):
    return client.get(reverse("household-ledger", args=[account.premise_id]))


def test_the_panel_shows_balance_overdue_and_arrears_age_first(client, agent, household):
    account, old, mid, new, payment = household
    page = panel(login(client, agent), account)
    assert page.status_code == 200
    text = page.content.decode()
    # owed: (20,000 + 1,000 − 5,000) + 10,000; overdue: the October bill's 16,000 won, 23 days late
    assert position(account.pk).owed == 26_000 and position(account.pk).overdue == 16_000
    assert text.index("₩26,000") < text.index("₩16,000") < text.index("Bills")
    assert "23 days late · since 2026-10-31" in text
    for state in ("Paid", "Overdue", "part paid", "Not yet due"):
        assert state in text
    # The payment with what it paid.
    assert payment.reference in text
    assert f"{old.period:%Y-%m} bill: ₩30,000" in text and f"{mid.period:%Y-%m} bill: ₩5,000" in text
    # An agent may look but neither take nor reverse payments.
    assert "Take a payment" not in text and "Reverse" not in text


def test_the_ledger_figures_are_the_ledgers_own(household, city):
    account, *_rest = household
    closed = city.account(name="김철수")
    issue_bill(closed, 5_000)
    pay(closed, 8_000)  # 3,000 won credit left on a closed account
    registry.stop_service(closed, on=dt.date(2026, 11, 1), final_reading=0, acting_user=None)
    for item in load_ledger(account.premise_id, today=today()) + load_ledger(
        closed.premise_id, today=today()
    ):
        assert item.position == position(item.account.pk)
    (past,) = load_ledger(closed.premise_id, today=today())
    assert not past.is_open and past.position.credit == 3_000 and past.position.balance == -3_000


def test_counter_staff_see_take_a_payment_and_supervisors_reverse(client, clerk, supervisor, household):
    account, *_rest, payment = household
    text = panel(login(client, clerk), account).content.decode()
    assert f"{reverse('counter')}?account={account.pk}" in text
    assert reverse("ledger-payment-reverse", args=[payment.pk]) not in text
    text = panel(login(client, supervisor), account).content.decode()
    assert reverse("ledger-payment-reverse", args=[payment.pk]) in text


def test_the_household_page_loads_the_panel(client, agent, crew, household):
    account, *_rest = household
    page = login(client, agent).get(reverse("household", args=[account.premise_id])).content.decode()
    assert f'hx-get="{reverse("household-ledger", args=[account.premise_id])}"' in page
    login(client, crew)
    assert (
        "household-ledger" not in client.get(reverse("household", args=[account.premise_id])).content.decode()
    )
    assert panel(client, account).status_code == 403


def test_reversing_needs_the_permission(client, agent, clerk, household):
    account, _old, mid, _new, payment = household
    url = reverse("ledger-payment-reverse", args=[payment.pk])
    for user in (agent, clerk):
        login(client, user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "bounced"}).status_code == 403
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.POSTED


def test_a_supervisor_reverses_a_payment_and_its_bills_are_owed_again(client, supervisor, household):
    account, old, mid, _new, payment = household
    url = reverse("ledger-payment-reverse", args=[payment.pk])
    login(client, supervisor)
    form = client.get(url).content.decode()
    assert "₩30,000" in form and "₩5,000" in form  # what reversing it reopens
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 422
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.POSTED
    done = client.post(url, {"reason": "The bank returned the transfer"})
    assert done.status_code == 302 and done.url == reverse("household", args=[account.premise_id])
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REVERSED and payment.reversed_by == supervisor
    assert [Bill.objects.get(pk=b.pk).paid for b in (old, mid)] == [0, 0]
    assert position(account.pk).owed == 61_000
    event = AuditEvent.objects.get(action=PAYMENT_REVERSED)
    assert event.household_id == account.premise_id and event.actor == supervisor
    text = panel(client, account).content.decode()
    assert "Reversed" in text and "The bank returned the transfer" in text
    # Reversed once: the form is not offered again.
    assert client.post(url, {"reason": "again"}).status_code == 200
    assert AuditEvent.objects.filter(action=PAYMENT_REVERSED).count() == 1


def test_the_panel_reads_in_a_fixed_number_of_queries(client, agent, household, city):
    account, *_rest = household
    login(client, agent)
    with CaptureQueriesContext(connection) as few:
        panel(client, account)
    for _month in range(10):
        issue_bill(account, 1_000)
        pay(account, 700)
    with CaptureQueriesContext(connection) as many:
        assert panel(client, account).status_code == 200
    assert len(many) == len(few)
