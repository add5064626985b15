"""How fast a bank's deposit file of the whole city paying is imported and allocated.

Prepares, untimed: the demo city (about 1.7 % more premises than payments, so that
every payment has an account with bills, as the billing benchmark's city of 1,017,000
premises holds 1,000,272 accounts), one month's readings and its billing run when no
bills are issued yet; then forgets earlier runs of this benchmark's payments and writes
a deposit file of N rows, one per account with something owed (accounts pay twice
when N is larger than the accounts owing):

- 60 % into the account's virtual account, 30 % by bank transfer with the account
  number written in the memo, each paying exactly what is owed;
- 5 % paying half, 4 % paying 10,000 won more than owed (credit);
- 1 % that names no account (suspense).

Timed: ``collection.imports.import_deposits`` on the file — reading and checking each
line, matching accounts, the duplicate check against the payments on record, writing
the payments and allocating them to every account's bills, oldest first, in one
transaction. Then checks the ledger adds up (Σ payments' allocated = Σ allocations = what
the bills no longer owe) and times
the same file imported again (recognised, nothing changes).

Ends with: BENCH payments_import payments=N seconds=S …
"""

from __future__ import annotations

import argparse
import io
import math
import time

from _common import setup_django

# Premises per payment: the billing benchmark's full city (1,017,000 premises) holds 1,000,272
# open accounts; a city of size × 1.017 has an account with a bill for every payment.
PREMISES_PER_PAYMENT = 1.017


def prepare_bills(premises: int) -> None:
    """The demo city of ``premises`` and one month billed (if the database does not hold them)."""
    from billing_run import bill_month, generate_readings, vacuum_analyze
    from django.core.management import call_command

    from billing.choices import BillStatus
    from billing.models import Bill
    from billing.run.periods import add_months, month_start
    from billing.signals import billing_run_finished
    from core.dates import today
    from customers.models import Premise

    billing_run_finished.disconnect(dispatch_uid="proactive.scan_after_billing")
    if Premise.objects.count() < premises:
        call_command("load_demo_city", premises=premises, flush=True, stdout=io.StringIO())
    if Bill.objects.filter(status=BillStatus.ISSUED).exists():
        return
    call_command("load_tariffs", use="seoul", stdout=io.StringIO())
    period = add_months(month_start(today()), -1)
    generate_readings(period, missing_share=0.0, seed=1)
    bill_month(period, workers=1)
    vacuum_analyze()


def forget_payments() -> None:
    """What earlier runs of this benchmark recorded: payments, allocations, their files; bills unpaid again.

    Each issued bill then owes its total and late fee again (its balance row as the run opened it).
    """
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        tables = "collection_allocation, collection_paymentfilerejection, collection_payment, collection_paymentfile"
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        else:
            for table in tables.split(", "):
                cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM billing_billbalance")
        cursor.execute(
            "INSERT INTO billing_billbalance (bill_id, account_id, due_on, owed) "
            "SELECT id, account_id, due_on, total + late_fee FROM billing_bill "
            "WHERE status = 'issued' AND total + late_fee <> 0"
        )


def owed_by_account() -> list[tuple[str, int]]:
    """(account number, won owed) of every account with something owed, in account order."""
    from django.db.models import Sum

    from billing.models import BillBalance

    return list(
        BillBalance.objects.filter(owed__gt=0)
        .values("account_id")
        .annotate(owing=Sum("owed"))
        .order_by("account_id")
        .values_list("account__number", "owing")
    )


def deposit_file(size: int, owing: list[tuple[str, int]], when) -> bytes:
    from django.conf import settings

    virtual = next(t for _bank, t in settings.BILL_PAYMENT_ACCOUNTS if "{account}" in t)
    stamp = when.strftime("%Y-%m-%d %H:%M:%S")
    lines = ["bank,transaction,deposited_at,amount,virtual_account,account,payer"]
    for i in range(size):
        number, owed = owing[i % len(owing)]
        kind = i % 100
        amount = owed if kind < 90 else owed // 2 if kind < 95 else owed + 10_000 if kind < 99 else 5_000
        amount = max(amount, 1)
        if kind < 60:
            lines.append(f"020,D{i:09d},{stamp},{amount},{virtual.replace('{account}', number)},,")
        elif kind < 99:
            lines.append(f"088,D{i:09d},{stamp},{amount},,{number[:-1]}-{number[-1]},예금주")
        else:
            lines.append(f"088,D{i:09d},{stamp},{amount},,,이름만 적은 입금")
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=3000, help="rows (payments) in the bank file")
    args = parser.parse_args()

    setup_django()
    from datetime import timedelta

    from billing_run import vacuum_analyze
    from django.core.management import call_command
    from django.db.models import F, Sum
    from django.utils import timezone

    from billing.choices import BillStatus
    from billing.models import Bill, BillBalance
    from collection.imports import import_deposits
    from collection.models import Allocation, Payment

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    prepare_bills(max(math.ceil(args.size * PREMISES_PER_PAYMENT), 3000))
    forget_payments()
    # What autovacuum does between two days of payments (this server may run without it): the
    # bill rows an earlier run of this benchmark paid and forgot are cleared, statistics fresh.
    vacuum_analyze()
    owing = owed_by_account()
    now = timezone.now()
    content = deposit_file(args.size, owing, now - timedelta(hours=2))
    owed_before = sum(owed for _number, owed in owing)
    print(
        f"prepared {len(owing):,} accounts owing {owed_before:,} won and a file of {args.size:,} rows "
        f"({len(content) / 2**20:.0f} MB) in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    outcome = import_deposits("bench-deposits.csv", content, acting_user=None, now=now)
    seconds = time.perf_counter() - started

    source = outcome.source
    allocated = Payment.objects.aggregate(s=Sum("allocated"))["s"] or 0
    allocations = Allocation.objects.filter(released_at__isnull=True).aggregate(s=Sum("amount"))["s"] or 0
    billed = (
        Bill.objects.filter(status=BillStatus.ISSUED).aggregate(s=Sum(F("total") + F("late_fee")))["s"] or 0
    )
    paid = billed - (BillBalance.objects.aggregate(s=Sum("owed"))["s"] or 0)  # what the bills no longer owe
    if source.rows != args.size or source.rejected or not allocated == allocations == paid:
        raise SystemExit(
            f"wrong: rows={source.rows} rejected={source.rejected} allocated={allocated} "
            f"allocations={allocations} paid={paid}"
        )
    started = time.perf_counter()
    again = import_deposits("bench-deposits.csv", content, acting_user=None, now=now)
    repeat_seconds = time.perf_counter() - started
    if not again.repeated:
        raise SystemExit("the same file imported twice was not recognised")
    print(
        f"{source.posted:,} posted, {source.suspense:,} in suspense, {source.amount:,} won; {paid:,} won paid bills"
    )
    print(
        f"BENCH payments_import payments={source.rows} seconds={seconds:.1f} "
        f"payments_per_second={source.rows / seconds:.0f} posted={source.posted} suspense={source.suspense} "
        f"won_allocated={paid} repeat_seconds={repeat_seconds:.2f}"
    )


if __name__ == "__main__":
    main()
