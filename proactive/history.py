"""Accounts' periodic reads as arrays, the shape :mod:`proactive.detection` judges.

One query per batch of accounts reads their measured, valid readings of the last two
years (estimates are not measurements: the actual read that follows one carries only
the days since it, and is counted per day like any other); numpy then lays them out
one row per account, the latest read last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from core.arrays import last_of_each
from core.lookups import Ids
from metering.choices import MEASURED_KINDS, ReadingStatus
from metering.models import MeterReading

READS = 25  # the latest read and the 24 before it: two years of monthly reads
HISTORY_DAYS = 25 * 31 + 31  # how far back a query looks (bimonthly reads use fewer columns)
YEAR_DAYS = 365


@dataclass
class PeriodicHistory:
    """One row per account (in ``account_ids`` order), the latest read last; NaN / 0 where none."""

    account_ids: np.ndarray
    use_m3: np.ndarray  # (accounts, READS)
    days: np.ndarray  # (accounts, READS)
    read_on: np.ndarray  # (accounts, READS) ordinal days (0: no read)
    latest_reading: np.ndarray  # (accounts,) id of the latest read (-1: none)
    same_season_m3_per_day: np.ndarray  # (accounts,) use a day of the read about a year before

    @property
    def latest_day(self) -> np.ndarray:
        return self.read_on[:, -1]


def readings_table(account_ids: Sequence[int], until: date) -> np.ndarray:
    """Rows (account, reading id, day ordinal, m³, days) of the accounts' measured valid reads."""
    rows = list(
        MeterReading.objects.filter(
            account_id__in_ids=Ids(list(account_ids)),
            status=ReadingStatus.VALID,
            kind__in=MEASURED_KINDS,
            consumption__isnull=False,
            days__gt=0,
            read_on__gt=until - timedelta(days=HISTORY_DAYS),
            read_on__lte=until,
        )
        .order_by("account_id", "read_on", "id")
        .values_list("account_id", "id", "read_on", "consumption", "days")
    )
    if not rows:
        return np.zeros((0, 5), dtype=np.int64)
    accounts, ids, days_on, used, spans = zip(*rows, strict=True)
    return np.column_stack(
        [
            np.array(accounts, dtype=np.int64),
            np.array(ids, dtype=np.int64),
            np.fromiter((d.toordinal() for d in days_on), dtype=np.int64, count=len(days_on)),
            np.array(used, dtype=np.int64),
            np.array(spans, dtype=np.int64),
        ]
    )


def shape_history(
    account_ids: np.ndarray, table: np.ndarray, *, reads: int = READS, season_window_days: int = 20
) -> PeriodicHistory:
    """Lay the rows of :func:`readings_table` (sorted by account, day, id) out per account."""
    n = len(account_ids)
    use = np.full((n, reads), np.nan)
    days = np.full((n, reads), np.nan)
    read_on = np.zeros((n, reads), dtype=np.int64)
    latest = np.full(n, -1, dtype=np.int64)
    season = np.full(n, np.nan)
    if len(table):
        account, reading, day, used, span = table.T
        row = np.searchsorted(account_ids, account)
        # Each reading's place counted from its account's last one.
        last_of_row = last_of_each(account)
        last_position = np.repeat(last_of_row, np.diff(np.concatenate([[-1], last_of_row])))
        column = reads - 1 - (last_position - np.arange(len(account)))
        kept = column >= 0
        use[row[kept], column[kept]] = used[kept]
        days[row[kept], column[kept]] = span[kept]
        read_on[row[kept], column[kept]] = day[kept]
        latest[row[last_of_row]] = reading[last_of_row]
        # The same season: the read nearest a year before the latest, within the window.
        distance = np.abs(day - (read_on[row, -1] - YEAR_DAYS))
        near = np.flatnonzero(distance <= season_window_days)
        if len(near):
            best = np.full(n, np.iinfo(np.int64).max)
            np.minimum.at(best, row[near], distance[near])
            chosen = near[distance[near] == best[row[near]]]
            season[row[chosen]] = used[chosen] / span[chosen]
    return PeriodicHistory(account_ids, use, days, read_on, latest, season)


def load_table(
    account_ids: Sequence[int], until: date, *, batch: int = 50_000
) -> tuple[np.ndarray, np.ndarray]:
    """The accounts (sorted, once each) and :func:`readings_table` of them, ``batch`` accounts a query."""
    ids = np.unique(np.asarray(list(account_ids), dtype=np.int64))
    tables = [readings_table(ids[i : i + batch].tolist(), until) for i in range(0, len(ids), batch)]
    return ids, np.concatenate(tables) if tables else np.zeros((0, 5), dtype=np.int64)


def load_history(account_ids: Sequence[int], until: date) -> PeriodicHistory:
    """The accounts' history up to ``until``."""
    return shape_history(*load_table(account_ids, until))
