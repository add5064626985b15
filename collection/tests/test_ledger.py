"""Payments land once, on the right bills: oldest first, in part, the rest as credit, and undone when reversed."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError

from billing.actions import adjust_bill, cancel_bill
from billing.choices import AdjustmentKind
from billing.models import Bill
from billing.tests.test_billing_run import read, run, seoul  # noqa: F401 (fixtures)
from collection.actions import record_payment, reverse_payment
from collection.choices import PaymentStatus
from collection.ledger import position
from collection.models import Allocation, Payment
from collection.tests.builders import at, issue_bill
from proactive.tests.test_cases import months_of_reads

_refs = itertools.count(1)


def pay(account, amount, *, source="bank_transfer", reference=None, day=1):
    return record_payment(
        account,
        amount=amount,
        source=source,
        reference=reference or f"T{next(_refs):06d}",
        received_at=at(day),
        acting_user=None,
    )


def paid(*bills):
    return [type(b).objects.get(pk=b.pk).paid for b in bills]


def test_a_payment_pays_the_oldest_bill_first_and_a_part_of_the_next(city):
    account = city.account()
    first, second = issue_bill(account, 30_000), issue_bill(account, 20_000)
    pay(account, 40_000)
    assert paid(first, second) == [30_000, 10_000]
    assert position(account.pk).owed == 10_000 and position(account.pk).credit == 0


def test_an_overpayment_is_credit_that_the_next_bill_consumes(city):
    account = city.account()
    bill = issue_bill(account, 12_000)
    payment = pay(account, 20_000).payment
    assert paid(bill) == [12_000] and payment.allocated == 12_000
    assert position(account.pk).balance == -8_000
    later = issue_bill(account, 5_000)
    assert paid(later) == [5_000]
    assert position(account.pk).credit == 3_000 and position(account.pk).balance == -3_000


def test_the_same_payment_reported_twice_is_recorded_once(city):
    account = city.account()
    issue_bill(account, 10_000)
    first = pay(account, 10_000, reference="KB-20261101-0001")
    again = pay(account, 10_000, reference="KB-20261101-0001")
    assert first.created and not again.created and again.payment == first.payment
    assert Payment.objects.count() == 1 and Allocation.objects.count() == 1
    # The same reference from another source is another payment.
    assert pay(account, 10_000, reference="KB-20261101-0001", source="card").created
    with pytest.raises(ValidationError, match="on record with 10,000 won"):
        pay(account, 9_000, reference="KB-20261101-0001")


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_an_impossible_amount_is_refused(city, amount):
    with pytest.raises(ValidationError):
        pay(city.account(), amount)
    assert not Payment.objects.exists()


def test_a_reversed_payment_reopens_what_it_paid_and_other_credit_pays_it(city):
    account = city.account()
    old, new = issue_bill(account, 10_000), issue_bill(account, 10_000)
    bounced = pay(account, 10_000).payment  # pays the old bill
    spare = pay(account, 15_000).payment  # pays the new bill, 5,000 left as credit
    assert paid(old, new) == [10_000, 10_000]
    reverse_payment(bounced, reason="부도", acting_user=None)
    bounced.refresh_from_db()
    spare.refresh_from_db()
    assert bounced.status == PaymentStatus.REVERSED and bounced.allocated == 0
    # The old bill is owed again; the spare 5,000 pays half of it.
    assert paid(old, new) == [5_000, 10_000] and spare.allocated == 15_000
    assert position(account.pk).owed == 5_000
    with pytest.raises(ValidationError):
        reverse_payment(bounced, reason="again", acting_user=None)


@pytest.fixture
def billed(city, seoul):  # noqa: F811
    """An account with two bills from real billing runs (February and March 2026)."""
    account = city.account(on=dt.date(2025, 12, 5), reading=0)
    months_of_reads(city, account, [15, 15, 15])
    return account, list(Bill.objects.filter(account=account).order_by("period"))


def test_a_cancelled_bill_gives_back_what_was_paid_on_it(billed):
    account, (older, latest) = billed
    pay(account, older.total + latest.total)
    assert paid(older, latest) == [older.total, latest.total]
    cancel_bill(latest, reason="오검침", acting_user=None)
    assert paid(older, latest) == [older.total, 0]
    assert position(account.pk).credit == latest.total
    assert not Allocation.objects.filter(bill=latest, released_at__isnull=True).exists()


def test_a_bill_reduced_below_what_was_paid_releases_the_newest_payment_first(billed):
    account, (older, bill) = billed
    pay(account, older.total)
    first = pay(account, bill.total - 1_000).payment
    last = pay(account, 1_000).payment
    assert paid(bill) == [bill.total]
    adjust_bill(bill, kind=AdjustmentKind.OTHER, amount=-3_000, reason="감면", acting_user=None)
    assert paid(bill) == [bill.total - 3_000]
    assert position(account.pk).credit == 3_000 and position(account.pk).owed == 0
    first.refresh_from_db()
    last.refresh_from_db()
    # All of the newest payment's 1,000 went back, and 2,000 of the one before.
    assert (last.allocated, first.allocated) == (0, bill.total - 3_000)


def test_a_credit_pays_the_next_bill_the_billing_run_issues(city, seoul):  # noqa: F811
    account = city.account(on=dt.date(2025, 12, 5), reading=0)
    months_of_reads(city, account, [15, 15])  # billed in February
    pay(account, 200_000)  # far more than a month
    read(account, 45, dt.date(2026, 3, 5))
    run(city, dt.date(2026, 3, 1))
    bills = list(Bill.objects.filter(account=account).order_by("period"))
    assert len(bills) == 2 and all(b.paid == b.total for b in bills)
    assert position(account.pk).credit == 200_000 - sum(b.total for b in bills)


def test_a_payment_without_an_account_waits_in_suspense(city):
    recorded = pay(None, 7_000)
    assert recorded.payment.status == PaymentStatus.SUSPENSE and recorded.payment.allocated == 0


def test_the_sweep_settles_credit_left_beside_an_owed_bill(city):
    from billing.models import Bill, BillBalance
    from collection.ledger import settle_idle_credit

    account, other = city.account(), city.account()
    pay(account, 9_000)
    # A bill written by a billing chunk that did not see the payment commit beside it: no settle.
    bill = issue_bill(other, 5_000)
    Bill.objects.filter(pk=bill.pk).update(account=account)
    BillBalance.objects.filter(bill=bill).update(account=account)
    assert position(account.pk).credit == 9_000 and position(account.pk).owed == 5_000
    assert settle_idle_credit() == 1
    assert paid(bill) == [5_000] and position(account.pk).credit == 4_000
    assert settle_idle_credit() == 0


@pytest.mark.postgres
@pytest.mark.parametrize(
    "table, kept",
    [
        ("billing_bill", "bill"),  # an allocation points at it
        ("collection_payment", "payment"),  # its allocation points at it
        ("customers_account", "payer"),  # a payment (credit, no bill) points at it
        ("collection_paymentfile", "file"),  # a payment points at it
    ],
)
def test_the_database_refuses_to_delete_what_payments_and_allocations_point_at(city, table, kept):
    """Not foreign keys (collection.models.payments): delete triggers keep what they point at."""
    from django.db import IntegrityError, connection, transaction

    from collection.models import PaymentFile

    if connection.vendor != "postgresql":
        pytest.skip("the delete triggers are PostgreSQL's")
    account, payer = city.account(), city.account()
    bill = issue_bill(account, 10_000)
    payment = pay(account, 10_000).payment
    file = PaymentFile.objects.create(kind="deposits", name="d.csv", sha256="0" * 64, rows=1, posted=1)
    Payment.objects.filter(pk=pay(payer, 5_000).payment.pk).update(file=file)
    ids = {"bill": bill.pk, "payment": payment.pk, "payer": payer.pk, "file": file.pk}
    with (
        pytest.raises(IntegrityError, match="cannot be deleted"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute(f"DELETE FROM {table} WHERE id = %s", [ids[kept]])
