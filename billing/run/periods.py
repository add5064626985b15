"""The dates of a billing month for a cycle.

A cycle is read on its reading day; the month's reading is the one taken within
``BILLING_READ_WINDOW_DAYS`` of that day. A full period runs from the previous reading
day (one or two months earlier) to this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


@dataclass(frozen=True)
class BillingPeriod:
    period: date  # first day of the billing month
    read_on: date  # the cycle's reading day this month
    previous_read_on: date  # the reading day one period earlier
    window_from: date
    window_to: date
    months: int

    @classmethod
    def of(cls, cycle, period: date) -> BillingPeriod:
        period = month_start(period)
        read_on = period.replace(day=cycle.read_day)
        previous = add_months(read_on, -cycle.months)
        window = timedelta(days=settings.BILLING_READ_WINDOW_DAYS)
        return cls(period, read_on, previous, read_on - window, read_on + window, cycle.months)

    @classmethod
    def containing(cls, cycle, day: date) -> BillingPeriod:
        """The month whose period (previous reading day, reading day] contains ``day``."""
        month = month_start(day)
        if day > month.replace(day=cycle.read_day):
            month = add_months(month, 1)
        return cls.of(cycle, month)

    @property
    def full_days(self) -> int:
        return (self.read_on - self.previous_read_on).days

    @property
    def previous_period(self) -> date:
        return add_months(self.period, -self.months)
