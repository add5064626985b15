"""The late fee (가산금): a one-off percentage of what a bill still owes after its due date, charged once.

Set-based, a chunk of bills per transaction: one UPDATE whose WHERE carries the rule
(issued, past due, something unpaid, no late fee yet), so a bill paid or charged in the
meantime is skipped by the database itself; then one LateFee row per bill charged (unique
per bill) and ``bills_changed`` for the accounts, whose credit then pays the fee.
A bill cancelled, or paid in full by its due date, is never charged; running the job
again the same day finds nothing left to charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import BigIntegerField, Exists, ExpressionWrapper, F, OuterRef, Value
from django.db.models.functions import Cast

from billing.choices import BillStatus
from billing.models import Bill
from billing.signals import bills_changed
from core.bulk import insert_columns
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


def _int(value: int):
    # A typed constant: both databases then divide integers as integers (truncating).
    return Cast(Value(value), BigIntegerField())


def fee_of(unpaid: int, cfg: DunningConfig) -> int:
    """The fee on ``unpaid`` won, truncated to the rounding unit (the same arithmetic as the SQL)."""
    return unpaid * cfg.late_fee_basis_points // (10000 * cfg.late_fee_round_to) * cfg.late_fee_round_to


def chargeable(before: date, cfg: DunningConfig):
    """Issued bills due before ``before`` with something unpaid, no late fee yet, and enough unpaid for one."""
    # The smallest unpaid amount whose fee is at least one rounding unit: smaller amounts are never charged,
    # so they do not come back every day.
    least = -(-10000 * cfg.late_fee_round_to // cfg.late_fee_basis_points)
    return Bill.objects.filter(
        status=BillStatus.ISSUED,
        late_fee=0,
        due_on__lt=before,
        paid__lt=F("total") + F("late_fee"),  # the predicate of the bill_unpaid index
        paid__lte=F("total") - least,
    )


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
    # Accounts first, then bills: the order every settlement takes, so the two never wait on each other.
    lock_accounts(account_ids)
    unit = cfg.late_fee_round_to
    fee = ExpressionWrapper(
        (F("total") - F("paid")) * _int(cfg.late_fee_basis_points) / _int(10000 * unit) * _int(unit),
        output_field=BigIntegerField(),
    )
    charged = chargeable(before, cfg).filter(id__in_ids=Ids(bill_ids)).update(late_fee=fee)
    if not charged:
        return 0, 0
    rows = list(
        Bill.objects.filter(id__in_ids=Ids(bill_ids), late_fee__gt=0)
        .filter(~Exists(LateFee.objects.filter(bill_id=OuterRef("pk"))))
        .order_by("id")
        .values_list("id", "account_id", "late_fee", F("total") - F("paid"))
    )
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
