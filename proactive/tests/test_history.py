"""Readings laid out per account for the detection."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from customers.actions.common import current_installation
from metering.choices import ReadingKind
from metering.readings import record_reading
from proactive.detection import periodic
from proactive.history import READS, load_history


def read(account, value, on, kind=ReadingKind.ACTUAL):
    meter = current_installation(account.premise).meter
    return record_reading(meter, value=value, read_on=on, kind=kind, account=account, acting_user=None)


def monthly(account, start_value, first, uses):
    """One read a month on the 5th from ``first`` on, adding each of ``uses`` m³."""
    value, day = start_value, first
    for used in uses:
        value += used
        read(account, value, day)
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=5)


def test_two_years_of_reads_become_one_row_latest_last(city):
    steady = city.account(on=dt.date(2023, 12, 20), reading=0)
    # 27 months of 12 m³ (more than a row holds) up to March 2026, then 36 m³ in April.
    monthly(steady, 0, dt.date(2024, 1, 5), [12] * 27 + [36])
    young = city.account(on=dt.date(2026, 6, 20), reading=100)
    monthly(young, 100, dt.date(2026, 7, 5), [10, 11, 12])
    silent = city.account(on=dt.date(2026, 1, 1), reading=0)

    history = load_history([young.pk, steady.pk, silent.pk], until=dt.date(2026, 3, 31))
    row = {account: i for i, account in enumerate(history.account_ids.tolist())}
    s, y, q = row[steady.pk], row[young.pk], row[silent.pk]
    # Up to 31 March 2026: reads from January 2024 to 5 March 2026 — 27 reads, the last 25 kept.
    assert history.use_m3.shape == (3, READS)
    assert np.isnan(history.use_m3[s]).sum() == 0
    assert history.read_on[s, -1] == dt.date(2026, 3, 5).toordinal()
    assert history.days[s, -1] == 28  # 5 February → 5 March
    assert history.use_m3[s, -1] == 12
    # The young account's reads are all after the 31st of March: nothing yet.
    assert np.isnan(history.use_m3[y]).all() and history.latest_reading[y] == -1
    assert np.isnan(history.use_m3[q]).all()
    # The same season: 5 March 2025 — 12 m³ in 28 days.
    assert history.same_season_m3_per_day[s] == pytest.approx(12 / 28)

    later = load_history([steady.pk, young.pk], until=dt.date(2026, 12, 31))
    assert later.use_m3[0, -1] == 36 and later.use_m3[1, -3:].tolist() == [10, 11, 12]
    assert np.isnan(later.use_m3[1, :-3]).all()
    result = periodic(later.use_m3, later.days, same_season_m3_per_day=later.same_season_m3_per_day)
    assert result.unusual.tolist() == [True, False]  # the young account has too short a history


def test_estimates_are_not_history(city):
    account = city.account(on=dt.date(2025, 12, 20), reading=0)
    monthly(account, 0, dt.date(2026, 1, 5), [12, 12])
    read(account, 40, dt.date(2026, 3, 5), kind=ReadingKind.ESTIMATED)
    history = load_history([account.pk], until=dt.date(2026, 3, 31))
    assert history.use_m3[0, -2:].tolist() == [12, 12]
