"""How fast bills become PDFs: a month's print batches, and one bill for the console.

Loads the demo city of N premises (unless the database already holds one of that
size) and, untimed, bills it for the last fourteen months as ``billing_run.py`` does
(readings generated, every cycle run) with the example progressive tariff (in force
since 2024, with basic charges), so each bill has a year of usage to chart and the same
month last year to compare with. It then times:

- the print batches of the latest month, one per cycle's run, built through the action
  ``billing.actions.build_print_batch`` (delivery order, files of
  ``PRINT_BATCH_BILLS_PER_FILE`` bills, manifest, checksums, the batch record) into a
  temporary ``PRINT_BATCH_DIR``;
- one bill as the console serves it (``bill_pdf``), median of several bills.

``--workers W`` writes the runs' batches in W processes, as W Celery workers would.

Ends with: BENCH bill_pdf bills=N seconds=S pages_per_second=R single_ms=M cpu_ms_per_bill=C workers=W
(seconds are wall-clock time; on a shared machine cpu_ms_per_bill says what the batches cost)
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from datetime import timedelta

from _common import setup_django

# A year of bars and the same month last year, after a first month that takes up the usage since
# the demo city's own readings (the first bill of an account counts from its start of service).
HISTORY_MONTHS = 14
TARIFF = "example-progressive"


def wipe_print_batches() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("billing_printedbill", "billing_printbatch"):
            cursor.execute(f"DELETE FROM {table}")


def prepared(months: list) -> bool:
    """Whether every cycle was billed for each of ``months`` and nothing else since (an earlier run of this script)."""
    from billing.models import Bill, BillingRun, Tariff
    from customers.models import BillingCycle

    runs = BillingRun.objects.exclude(status="running")
    cycles = BillingCycle.objects.count()
    return (
        runs.filter(period__in=months).count() == len(months) * cycles
        and not BillingRun.objects.filter(period__gt=months[-1]).exists()
        and Bill.objects.filter(period=months[0], status="issued").exists()
        and Tariff.objects.filter(code=TARIFF, in_use=True).exists()
    )


def prepare(months: list) -> int:
    """Bill the demo city for ``months`` (oldest first) from generated readings; returns the readings written."""
    from billing_run import bill_month, generate_readings, wipe_earlier_runs

    wipe_earlier_runs(since=months[0] - timedelta(days=15))
    readings = 0
    for index, month in enumerate(months):
        readings += generate_readings(
            month, missing_share=0.02 if index == len(months) - 1 else 0.0, seed=index
        )
        bill_month(month, workers=1)
    return readings


def build_batches(runs: list, workers: int) -> list:
    """The runs' print batches; with several workers, shared by a pool as that many Celery workers would."""
    from django.db import connections

    from billing.actions import build_print_batch
    from billing.documents.fonts import bill_fonts
    from billing.models import PrintBatch

    if workers == 1:
        return [build_print_batch(run, actor=None) for run in runs]
    bill_fonts()  # registered once, before the workers fork
    connections.close_all()
    pool = multiprocessing.get_context("fork").Pool(workers)
    ids = pool.map(_build, [run.pk for run in runs], chunksize=1)
    pool.close()
    pool.join()  # reaped, so their CPU time is counted below
    return list(PrintBatch.objects.filter(pk__in=ids))


def _build(run_id: int) -> int:
    from django.db import connections

    from billing.actions import build_print_batch
    from billing.models import BillingRun

    connections.close_all()
    batch = build_print_batch(BillingRun.objects.select_related("cycle").get(pk=run_id), actor=None)
    connections.close_all()
    return batch.pk


def _cpu_seconds() -> float:
    """CPU time of this process and its finished workers (the database server's is not counted)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=3000, help="premises in the demo city")
    parser.add_argument(
        "--workers", type=int, default=1, help="processes writing the runs' batches in parallel"
    )
    parser.add_argument("--single", type=int, default=9, help="single bills timed (the median is reported)")
    args = parser.parse_args()

    out = tempfile.mkdtemp(prefix="suido-print-")
    os.environ["PRINT_BATCH_DIR"] = out
    setup_django()
    from django.core.management import call_command

    from billing.documents.output import bill_pdf
    from billing.models import Bill, BillingRun
    from billing.run.periods import add_months, month_start
    from core.dates import today
    from customers.models import Premise

    call_command("migrate", verbosity=0)
    if Premise.objects.count() != args.size:
        call_command("load_demo_city", premises=args.size, flush=True, stdout=io.StringIO())
    period = add_months(month_start(today()), -1)
    months = [add_months(period, k - HISTORY_MONTHS + 1) for k in range(HISTORY_MONTHS)]
    ready = prepared(months)  # asked before the tariff is put in use below
    call_command("load_tariffs", use=TARIFF, stdout=io.StringIO())
    started = time.perf_counter()
    wipe_print_batches()
    if ready:
        print(f"reusing the {HISTORY_MONTHS} months of bills already in the database")
    else:
        readings = prepare(months)
        print(
            f"prepared {readings:,} readings and {HISTORY_MONTHS} months of bills in {time.perf_counter() - started:.1f} s"
        )

    try:
        runs = list(BillingRun.objects.filter(period=period).select_related("cycle").order_by("cycle__code"))
        started, cpu = time.perf_counter(), _cpu_seconds()
        batches = build_batches(runs, args.workers)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        bills = sum(b.bills for b in batches)
        pages = sum(b.pages for b in batches)
        files = sum(b.file_count for b in batches)
        size = sum(f["bytes"] for b in batches for f in b.files)
        print(
            f"{len(batches)} print batches, {bills:,} bills, {pages:,} pages in {files} files, {size / 1e6:.1f} MB"
        )

        ids = list(Bill.objects.filter(period=period, status="issued").values_list("id", flat=True))
        samples = []
        for bill_id in random.Random(3).sample(ids, min(args.single, len(ids))):
            tick = time.perf_counter()
            bill_pdf(bill_id)
            samples.append((time.perf_counter() - tick) * 1000)
        single = statistics.median(samples)
        print(f"single bill: median {single:.0f} ms, first {samples[0]:.0f} ms, max {max(samples):.0f} ms")
    finally:
        shutil.rmtree(out, ignore_errors=True)
        # The batch records point at the bills: left behind, billing_run.py could not wipe its runs.
        wipe_print_batches()
    print(
        f"BENCH bill_pdf bills={bills} seconds={seconds:.1f} pages_per_second={pages / seconds:.0f} "
        f"single_ms={single:.0f} cpu_ms_per_bill={cpu * 1000 / max(bills, 1):.1f} workers={args.workers}"
    )


if __name__ == "__main__":
    main()
