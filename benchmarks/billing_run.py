"""How fast a month of the demo city is billed: every cycle, every account.

Loads the demo city of N premises (unless the database already holds one of that
size), then prepares, untimed, what a month's run starts from: readings for last
month and this month for the open accounts (about 2 % of this month's missing, so
the run estimates them or reports them), and last month billed by a first run. It
then times the run of this month over every cycle — planning, chunks (numpy
pricing, bulk writes of bills, estimated readings and exceptions) and the
reconciliation that proves every account has a bill or an exception.

``--workers W`` bills the chunks in W processes running the Celery task, as W
workers would, while this process plans the cycles one after another.

Ends with: BENCH billing_run accounts=N seconds=S bills_per_second=R …
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import random
import time
from datetime import timedelta

from _common import setup_django


def generate_readings(period, *, missing_share: float, seed: int) -> int:
    """One actual reading per open account of every cycle around the cycle's reading day of ``period``."""
    from django.db import transaction
    from django.utils import timezone

    from billing.run.periods import BillingPeriod
    from core.bulk import insert_rows
    from core.lookups import Ids
    from customers.choices import OPEN_STATUSES, UseType
    from customers.models import Account, BillingCycle, MeterInstallation
    from metering.checks import latest_by_meter
    from metering.choices import ReadingKind, ReadingStatus
    from metering.models import MeterReading

    rng = random.Random(seed)
    now = timezone.now()
    mean_m3 = {UseType.DOMESTIC: 14, UseType.GENERAL: 40, UseType.BATHHOUSE: 600, UseType.INDUSTRIAL: 300}
    written = 0
    for cycle in BillingCycle.objects.all():
        bp = BillingPeriod.of(cycle, period)
        meters = dict(
            MeterInstallation.objects.filter(
                removed_on__isnull=True, premise__route__cycle=cycle
            ).values_list("premise_id", "meter_id")
        )
        last = {
            meter: (latest.read_on, latest.value)
            for meter, latest in latest_by_meter(
                MeterReading.objects.filter(
                    meter_id__in_ids=Ids(list(meters.values())), status=ReadingStatus.VALID
                )
            ).items()
        }
        rows = []
        accounts = Account.objects.filter(
            premise__route__cycle=cycle, status__in=OPEN_STATUSES, start_date__lt=bp.window_from
        ).values_list("id", "premise_id", "use_type")
        for account, premise, use_type in accounts.iterator(chunk_size=20000):
            meter = meters.get(premise)
            if meter is None or meter not in last or rng.random() < missing_share:
                continue
            previous_day, previous = last[meter]
            day = bp.read_on + timedelta(days=rng.randint(-3, 3))
            if day <= previous_day:
                continue
            used = max(0, round(rng.gammavariate(2.0, mean_m3.get(use_type, 20) / 2)))
            value = previous + used
            rows.append(
                (meter, account, day, value, ReadingKind.ACTUAL, False, ReadingStatus.VALID, used,
                 (day - previous_day).days, now)
            )  # fmt: skip
            last[meter] = (day, value)
        with transaction.atomic():
            written += insert_rows(
                MeterReading,
                ["meter", "account", "read_on", "value", "kind", "rolled_over", "status", "consumption", "days",
                 "recorded_at"],
                rows,
            )  # fmt: skip
    return written


def wipe_earlier_runs(since) -> None:
    """Remove what an earlier run of this benchmark left (bills, runs, its readings, payments), in plain SQL."""
    from django.db import connection, transaction

    from metering.choices import ReadingKind

    # Allocations and bill balances point at bills without database foreign keys (CASCADE does
    # not reach them); the payments whose allocations go are emptied with them.
    tables = (
        "collection_allocation", "collection_payment", "collection_paymentfile", "billing_billbalance",
        "billing_printedbill", "billing_printbatch", "billing_adjustment", "billing_runexception", "billing_bill",
        "billing_billingrunchunk", "billing_billingrun",
    )  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Emptied, not deleted row by row: the bill table and its indexes start as new, not
            # swollen by the rows earlier runs of this benchmark wrote and deleted.
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")  # with what points at them (cases)
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            "DELETE FROM metering_meterreading WHERE kind = %s OR (kind = %s AND read_on >= %s)",
            [ReadingKind.ESTIMATED, ReadingKind.ACTUAL, since],
        )


def vacuum_analyze() -> None:
    """VACUUM ANALYZE the whole database (PostgreSQL): dead rows cleared, statistics refreshed.

    Then a CHECKPOINT: what the preparation wrote is on disk before the timed run starts,
    as it is after the quiet days before a real run, so the run does not share the
    machine with the writing-out of the preparation's millions of rows.
    """
    from django.db import connection

    from core.bulk import refresh_statistics

    if connection.vendor != "postgresql":
        return refresh_statistics()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")


def bill_month(period, workers: int, chunk_size: int | None = None):
    """Run every cycle's billing for ``period``.

    One worker: ``run_billing_cycle`` cycle after cycle (the embedded default). Several:
    the flow of a deployment with Celery — this process plans each cycle's run as the
    ``run_billing`` command does and queues its chunks while W worker processes run the
    real ``billing.tasks.bill_chunk`` task on them (the worker that finds a run's chunks
    all done reconciles it), so planning, billing and reconciling overlap.
    """
    from django.db import connections

    from billing.actions import finish_billing_run, run_billing_cycle, start_billing_run
    from billing.models import BillingRun
    from billing.run import engine
    from customers.models import BillingCycle

    cycles = list(BillingCycle.objects.all())
    if workers == 1:
        return [run_billing_cycle(c, period, acting_user=None, chunk_size=chunk_size) for c in cycles]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    tasks = context.Queue()
    pool = [context.Process(target=_worker, args=(tasks,)) for _ in range(workers)]
    for process in pool:
        process.start()
    run_ids = []
    for cycle in cycles:
        run = start_billing_run(cycle, period, acting_user=None, chunk_size=chunk_size)
        run_ids.append(run.pk)
        for chunk in engine.waiting_chunks(run):
            tasks.put((run.pk, chunk))
    for _process in pool:
        tasks.put(None)
    for process in pool:
        process.join()
        if process.exitcode:
            raise SystemExit(f"a worker failed with exit code {process.exitcode}")
    runs = BillingRun.objects.filter(pk__in=run_ids).select_related("cycle").order_by("cycle__code")
    return [run if run.finished else finish_billing_run(run) for run in runs]


def _worker(tasks) -> None:
    """A Celery worker's loop: take a task, run it, until told to stop."""
    from django.db import connections

    from billing.tasks import bill_chunk

    connections.close_all()
    while (task := tasks.get()) is not None:
        bill_chunk(*task)  # the task's own body, run here as a worker would
    connections.close_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=3000, help="premises in the demo city")
    parser.add_argument("--workers", type=int, default=1, help="processes billing chunks in parallel")
    parser.add_argument("--chunk-size", type=int, help="accounts per chunk (default: BILLING_CHUNK_SIZE)")
    parser.add_argument(
        "--missing", type=float, default=0.02, help="share of this month's readings not taken"
    )
    args = parser.parse_args()

    setup_django()
    from django.core.management import call_command

    from billing.run.periods import add_months, month_start
    from billing.signals import billing_run_finished
    from core.dates import today
    from customers.models import Premise

    call_command("migrate", verbosity=0)
    # What follows a finished run — the unusual-usage scan of its accounts — is another task on
    # another worker, measured by detection_scan.py; without a broker it would run in this process.
    billing_run_finished.disconnect(dispatch_uid="proactive.scan_after_billing")
    if Premise.objects.count() != args.size:
        call_command("load_demo_city", premises=args.size, flush=True, stdout=io.StringIO())
    call_command("load_tariffs", use="seoul", stdout=io.StringIO())

    # This month is last calendar month (all its readings are due); the one before sets the start.
    period = add_months(month_start(today()), -1)
    previous = add_months(period, -1)
    started = time.perf_counter()
    wipe_earlier_runs(since=previous - timedelta(days=15))
    vacuum_analyze()
    readings = generate_readings(previous, missing_share=0.0, seed=1)
    bill_month(previous, args.workers, args.chunk_size)
    readings += generate_readings(period, missing_share=args.missing, seed=2)
    # What autovacuum does in the month between two runs (a reading import of this size analyses
    # itself); done here because a server may run without autovacuum, and the rows an earlier run of
    # this benchmark deleted would otherwise slow every later run down.
    vacuum_analyze()
    print(f"prepared {readings:,} readings and last month's bills in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    runs = bill_month(period, args.workers, args.chunk_size)
    seconds = time.perf_counter() - started

    accounts = sum(r.scope_accounts for r in runs)
    bills = sum(r.bills for r in runs)
    estimated = sum(r.bills_estimated for r in runs)
    exceptions = sum(r.exceptions for r in runs)
    unaccounted = sum(r.unaccounted for r in runs)
    amount = sum(r.amount_total for r in runs)
    if unaccounted:
        raise SystemExit(f"{unaccounted} accounts unaccounted for: the run is wrong")
    print(
        f"{len(runs)} cycles, {bills:,} bills ({estimated:,} estimated), {exceptions:,} exceptions, {amount:,} won"
    )
    print(
        f"BENCH billing_run accounts={accounts} seconds={seconds:.1f} bills_per_second={bills / seconds:.0f} "
        f"bills={bills} estimated={estimated} exceptions={exceptions} workers={args.workers}"
    )


if __name__ == "__main__":
    main()
