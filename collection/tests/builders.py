"""Bills and payments for collection's tests, without running billing for each one."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from billing.balances import open_balances
from billing.choices import BillStatus
from billing.models import Bill
from billing.signals import bills_changed

_months = itertools.count()


def issue_bill(account, total: int, *, due_on: dt.date | None = None) -> Bill:
    """An issued bill of ``total`` won, each a month after the previous one, announced as billing does."""
    n = next(_months)
    period = dt.date(2000 + n // 12, n % 12 + 1, 1)
    bill = Bill.objects.create(
        account=account,
        period=period,
        status=BillStatus.ISSUED,
        use_type=account.use_type,
        period_start=period,
        period_end=period + dt.timedelta(days=27),
        days=28,
        current_value=0,
        end_reading_id=0,  # not a foreign key in the database: the ledger never reads it
        water_m3=0,
        sewer_m3=0,
        tariff_version_id=0,
        charges=[],
        subtotal=total,
        total=total,
        issued_on=period,
        due_on=due_on or period + dt.timedelta(days=30),
        created_at=timezone.now(),
    )
    open_balances([bill.pk], [account.pk], [bill.due_on], [total])
    bills_changed.send(sender=Bill, account_ids=[account.pk])
    return bill


def at(day: int = 1) -> dt.datetime:
    return dt.datetime(2026, 11, day, 10, 0, tzinfo=timezone.get_default_timezone())
