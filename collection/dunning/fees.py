"""The late fee (가산금): a one-off percentage of what a bill still owes after its due date, charged once.

Set-based, a chunk of bills per transaction: with the bills' accounts locked, the bills that
still meet the rule (issued, past due, something unpaid, no late fee yet) are read and
charged in one UPDATE; one LateFee row per bill charged (unique per bill: never twice) and
``bills_changed`` for the accounts, whose credit then pays the fee.
A bill cancelled, or paid in full by its due date, is never charged; running the job
again the same day finds nothing left to charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from billing.balances import add_to_owed
from billing.models import Bill
from billing.signals import bills_changed
from core.bulk import add_to_column, insert_columns
from core.lookups import Ids

from ..ledger import lock_accounts
from ..models import LateFee
from .config import DunningConfig, config

CHUNK = 5000


@dataclass
class LateFeeOutcome:
    count: int = 0
    amount: int = 0
    before: date | None = None  # bills due before this day were charged
    basis_points: int = 0


def fee_of(unpaid: int, cfg: DunningConfig) -> int:
    """The fee on ``unpaid`` won, truncated to the rounding unit."""
    return unpaid * cfg.late_fee_basis_points // (10000 * cfg.late_fee_round_to) * cfg.late_fee_round_to


def chargeable(before: date, cfg: DunningConfig):
    """Issued bills due before ``before`` with something unpaid, no late fee yet, and enough unpaid for one."""
    # The smallest unpaid amount whose fee is at least one rounding unit: smaller amounts are never charged,
    # so they do not come back every day. Only issued bills owe (billing.BillBalance).
    least = -(-10000 * cfg.late_fee_round_to // cfg.late_fee_basis_points)
    return Bill.objects.filter(late_fee=0, due_on__lt=before, balance__owed__gte=least)


def charge_late_fees(on: date, *, run=None, cfg: DunningConfig | None = None) -> LateFeeOutcome:
    """Charge the late fee on every bill that has come to owe one by ``on``."""
    cfg = cfg or config()
    before = on - timedelta(days=cfg.late_fee_grace_days)
    outcome = LateFeeOutcome(before=before, basis_points=cfg.late_fee_basis_points)
    if cfg.late_fee_basis_points == 0:
        return outcome
    last_id = 0
    while True:
        rows = list(
            chargeable(before, cfg)
            .filter(id__gt=last_id)
            .order_by("id")
            .values_list("id", "account_id")[:CHUNK]
        )
        if not rows:
            return outcome
        last_id = rows[-1][0]
        count, amount = _charge_chunk(
            [r[0] for r in rows], sorted({r[1] for r in rows}), on, before, run, cfg
        )
        outcome.count += count
        outcome.amount += amount


@transaction.atomic
def _charge_chunk(bill_ids, account_ids, on, before, run, cfg) -> tuple[int, int]:
    # Accounts first: the order every settlement takes, so the two never wait on each other. Once
    # they are locked, what the bills owe cannot change under us: read again, a bill paid or
    # charged meanwhile is no longer chargeable.
    lock_accounts(account_ids)
    owing = (
        chargeable(before, cfg)
        .filter(id__in_ids=Ids(bill_ids))
        .order_by("id")
        .values_list("id", "account_id", "balance__owed")
    )
    rows = [(bill, account, fee_of(owed, cfg), owed) for bill, account, owed in owing]
    if not rows:
        return 0, 0
    ids, fees = [r[0] for r in rows], [r[2] for r in rows]
    add_to_column(Bill, "late_fee", ids, fees)
    add_to_owed(ids, fees)
    insert_columns(
        LateFee,
        ["bill", "account", "amount", "unpaid", "rate_basis_points", "charged_on", "run"],
        [
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
            [r[3] for r in rows],
            [cfg.late_fee_basis_points] * len(rows),
            [on] * len(rows),
            [run.pk if run else None] * len(rows),
        ],
    )
    # Credit the household holds (an overpayment) pays the fee at once, in this transaction.
    bills_changed.send(sender=LateFee, account_ids=sorted({r[1] for r in rows}))
    return len(rows), sum(r[2] for r in rows)
