"""Helpers of the dunning tests: a day to stand on, payments on that day, the account in arrears."""

from __future__ import annotations

import datetime as dt
import itertools
from contextlib import contextmanager

import time_machine

from collection.actions import record_payment
from collection.tests.builders import issue_bill

SEOUL = dt.timezone(dt.timedelta(hours=9))
DUE = dt.date(2026, 8, 3)  # a Monday
REMINDER_DAY = dt.date(2026, 8, 13)  # 10 days after; pay by 08-23, a Sunday → Monday 08-24
NOTICE_DAY = dt.date(2026, 9, 2)  # 30 days after; pay by 09-12, a Saturday → Monday 09-14
ORDER_DAY = dt.date(2026, 9, 15)  # the day after the notice's deadline
_refs = itertools.count(1)


@contextmanager
def on_day(day: dt.date, hour: int = 7):
    """Stand on ``day`` (Seoul), the clock still."""
    with time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=SEOUL), tick=False):
        yield


def pay(account, amount, *, source="bank_transfer"):
    """A payment received now (the day the test stands on)."""
    from django.utils import timezone

    return record_payment(
        account,
        amount=amount,
        source=source,
        reference=f"DN{next(_refs):06d}",
        received_at=timezone.now(),
        acting_user=None,
    ).payment


def in_arrears(city, amount=60_000, **customer):
    """An account with SMS consent and one bill due on DUE (a Monday) that nobody paid."""
    customer.setdefault("consent_sms", True)
    account = city.account(**customer)
    issue_bill(account, amount, due_on=DUE)
    return account
