"""How fast a whole city's latest reads are judged for unusual usage.

Loads the demo city of N premises (unless the database already holds one of that size),
writes two years of monthly reads for every open account (use from the synthetic city of
``detection_quality.py``: household sizes, seasons, holidays, events), then times

- **load**: reading every account's history from the database into arrays
  (:func:`proactive.history.load_history`, 50,000 accounts a query), reported apart;
- **scan**: laying the reads out per account and judging each account's latest read
  (:func:`proactive.detection.periodic_by_use_type`: per day, per use type).

The reads it wrote are deleted at the end (they would change the other benchmarks).

Ends with: BENCH detection_scan accounts=N seconds=S load_seconds=L reads=R unusual=U
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import date, timedelta

import numpy as np
from _common import setup_django

MONTHS = 24
READER = "bench:detection_scan"


def first_days(last: date, months: int) -> list[date]:
    """The 15th of each of ``months`` months ending with ``last``'s month."""
    days, year, month = [], last.year, last.month
    for _ in range(months):
        days.append(date(year, month, 15))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return days[::-1]


def write_history(until: date, seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Two years of monthly reads (the 15th) for every open account; returns (accounts, use types, rows)."""
    from detection_quality import MONTHS as SIMULATED
    from detection_quality import simulate_city
    from django.db import transaction
    from django.utils import timezone

    from core.bulk import insert_columns
    from customers.choices import OPEN_STATUSES
    from customers.models import Account, MeterInstallation
    from metering.choices import ReadingKind, ReadingStatus
    from metering.models import MeterReading

    meters = dict(
        MeterInstallation.objects.filter(removed_on__isnull=True).values_list("premise_id", "meter_id")
    )
    rows = [
        (account, meters[premise], use_type)
        for account, premise, use_type in Account.objects.filter(status__in=OPEN_STATUSES)
        .order_by("id")
        .values_list("id", "premise_id", "use_type")
        .iterator(chunk_size=50_000)
        if premise in meters
    ]
    accounts = np.array([r[0] for r in rows], dtype=np.int64)
    meter = np.array([r[1] for r in rows], dtype=np.int64)
    use_types = np.array([r[2] for r in rows], dtype=object)
    city = simulate_city(len(rows), np.random.default_rng(seed))
    days_on = first_days(until, MONTHS)
    use = np.round(city.rate[:, SIMULATED - MONTHS :] * 30).astype(np.int64)
    register = np.cumsum(use, axis=1)
    now = timezone.now()
    n = len(rows)
    written = 0
    for month, day in enumerate(days_on):
        span = (day - days_on[month - 1]).days if month else 30
        with transaction.atomic():
            written += insert_columns(
                MeterReading,
                ["meter", "account", "read_on", "value", "kind", "rolled_over", "status", "consumption", "days",
                 "recorded_at", "reader"],
                [meter, accounts, [day] * n, register[:, month], [ReadingKind.ACTUAL] * n, [False] * n,
                 [ReadingStatus.VALID] * n, use[:, month], [span] * n, [now] * n, [READER] * n],
            )  # fmt: skip
    return accounts, use_types, written


def delete_history() -> int:
    """Delete the reads this benchmark wrote.

    Nothing refers to them, but PostgreSQL checks each deleted row against the three
    foreign keys that point at readings: 72 million checks, a quarter of an hour, for a
    full city. Where the benchmark's database user may (a superuser), those checks are
    skipped for this one statement; otherwise the plain delete takes its time.
    """
    from django.db import DatabaseError, connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except DatabaseError:
                pass  # not a superuser
        cursor.execute("DELETE FROM metering_meterreading WHERE reader = %s", [READER])
        return cursor.rowcount


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=3000, help="premises in the demo city")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    from core.bulk import refresh_statistics
    from core.dates import today
    from customers.models import Premise
    from metering.models import MeterReading
    from proactive.detection import periodic_by_use_type, thresholds_by_use_type
    from proactive.history import load_table, shape_history

    call_command("migrate", verbosity=0)
    if Premise.objects.count() != args.size:
        call_command("load_demo_city", premises=args.size, flush=True, stdout=io.StringIO())
    # History up to a year ago, clear of the other benchmarks' recent reads.
    until = (today().replace(day=1) - timedelta(days=365)).replace(day=15)
    delete_history()
    started = time.perf_counter()
    accounts, use_types, written = write_history(until, seed=3)
    refresh_statistics(MeterReading)
    print(f"wrote {written:,} reads for {len(accounts):,} accounts in {time.perf_counter() - started:.1f} s")
    try:
        started = time.perf_counter()
        ids, table = load_table(accounts, until)  # accounts are in id order already: use_types stay aligned
        load_seconds = time.perf_counter() - started

        started = time.perf_counter()
        history = shape_history(ids, table)
        by_use = thresholds_by_use_type()
        result = periodic_by_use_type(
            history.use_m3,
            history.days,
            use_types,
            by_use,
            same_season_m3_per_day=history.same_season_m3_per_day,
        )
        seconds = time.perf_counter() - started
    finally:
        delete_history()
    reads = int(np.sum(~np.isnan(history.use_m3)))
    print(
        f"{len(accounts):,} accounts, {reads:,} reads: loaded in {load_seconds:.1f} s, judged in {seconds:.2f} s"
    )
    print(
        f"BENCH detection_scan accounts={len(accounts)} seconds={seconds:.2f} load_seconds={load_seconds:.1f} "
        f"reads={reads} unusual={int(result.unusual.sum())}"
    )


if __name__ == "__main__":
    main()
