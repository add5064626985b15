"""Two payments for one account at the same moment cannot both pay the same bill (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection, connections

from billing.models import BillBalance
from collection.actions import record_payment
from collection.ledger import position
from collection.models import Allocation
from collection.tests.builders import at, issue_bill


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_payments_never_spend_one_bill_twice(city):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers anyway")
    account = city.account()
    bill = issue_bill(account, 10_000)
    barrier = threading.Barrier(4)
    errors = []

    def pay(reference):
        try:
            barrier.wait()
            record_payment(
                account, amount=10_000, source="card", reference=reference, received_at=at(), acting_user=None
            )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(f"C-{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    bill.refresh_from_db()
    assert bill.paid == 10_000
    assert sum(Allocation.objects.filter(released_at__isnull=True).values_list("amount", flat=True)) == 10_000
    assert position(account.pk).credit == 30_000
    assert not BillBalance.objects.filter(
        bill=bill
    ).exists()  # paid once, in full: nothing owed, nothing held


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_payment_reported_twice_at_once_is_recorded_once(city):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers anyway")
    account = city.account()
    issue_bill(account, 10_000)
    barrier = threading.Barrier(2)
    created = []

    def callback():
        try:
            barrier.wait()
            created.append(
                record_payment(
                    account,
                    amount=10_000,
                    source="online",
                    reference="PG-1",
                    received_at=at(),
                    acting_user=None,
                ).created
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=callback) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(created) == [False, True]
    assert position(account.pk).owed == 0 and position(account.pk).credit == 0
