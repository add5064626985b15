"""What each bill still owes (``BillBalance``): the one place its rows are written.

A bill's balance row exists while the bill is not settled: the run opens one for each
bill it issues with something to pay; every later change to what the bill asks or what
was paid on it is an amount added to ``owed`` — a payment allocated (−), released (+), a
late fee (+), an adjustment (±), the bill cancelled (− what it asked). A balance that
reaches 0 is deleted, one that leaves 0 is created again; set-based for any number of
bills (a bank file of a million payments is one statement).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from core.bulk import insert_columns, sums_by_id

from .models import Bill, BillBalance


def open_balances(
    bill_ids: Sequence[int], account_ids: Sequence[int], due_ons: Sequence, totals: Sequence[int]
) -> None:
    """New bills: each owes its total (a bill of 0 won is settled from the start and has no row)."""
    owing = [i for i, total in enumerate(totals) if int(total)]
    if owing:
        columns = [bill_ids, account_ids, due_ons, totals]
        insert_columns(
            BillBalance,
            ["bill", "account", "due_on", "owed"],
            [[column[i] for i in owing] for column in columns],
        )


def add_to_owed(bill_ids: Sequence[int], amounts: Sequence[int]) -> None:
    """``owed += amount`` for each (bill, amount) (bills may repeat), keeping a row only while owed ≠ 0.

    The callers hold the bills' accounts locked (collection.ledger.lock_accounts), so no
    one else writes these rows meanwhile.
    """
    totals = {bill: amount for bill, amount in sums_by_id(bill_ids, amounts).items() if amount}
    if not totals:
        return
    if connection.vendor == "postgresql":
        _add_in_one_statement(totals)
        return
    existing = dict(BillBalance.objects.filter(bill_id__in=list(totals)).values_list("bill_id", "owed"))
    settled = [bill for bill, owed in existing.items() if owed + totals[bill] == 0]
    BillBalance.objects.filter(bill_id__in=settled).delete()
    for bill, owed in existing.items():
        if owed + totals[bill]:
            BillBalance.objects.filter(bill_id=bill).update(owed=owed + totals[bill])
    new = Bill.objects.filter(id__in=[bill for bill in totals if bill not in existing]).values_list(
        "id", "account_id", "due_on"
    )
    BillBalance.objects.bulk_create(
        [
            BillBalance(bill_id=bill, account_id=account, due_on=due_on, owed=totals[bill])
            for bill, account, due_on in new
        ]
    )


def _add_in_one_statement(totals: dict[int, int]) -> None:
    # Every part of one statement sees the rows as they were before it: the balances that
    # reach 0 are deleted, the others changed, and the bills without one get one.
    table = BillBalance._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH change AS (SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS c(bill_id, amount)),
            settled AS (
                DELETE FROM {table} AS b USING change AS c
                WHERE b.bill_id = c.bill_id AND b.owed + c.amount = 0
            ),
            changed AS (
                UPDATE {table} AS b SET owed = b.owed + c.amount FROM change AS c
                WHERE b.bill_id = c.bill_id AND b.owed + c.amount <> 0
            )
            INSERT INTO {table} (bill_id, account_id, due_on, owed)
            SELECT bill.id, bill.account_id, bill.due_on, c.amount
            FROM change AS c JOIN {Bill._meta.db_table} AS bill ON bill.id = c.bill_id
            WHERE NOT EXISTS (SELECT 1 FROM {table} AS b WHERE b.bill_id = c.bill_id)
            """,
            [list(totals), list(totals.values())],
        )


def move_due_date(bills, due_on) -> None:
    """The bills' due date was changed (only the demo does, when it dates its runs): their balances follow."""
    BillBalance.objects.filter(bill__in=bills).update(due_on=due_on)
