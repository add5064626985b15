"""Keeping what was paid right: the allocation of payments to bills, for many accounts at once.

``settle(account_ids)`` brings the accounts to the one state the rules allow:

1. **release** what may no longer stand — allocations to a cancelled bill, and, on a bill
   reduced below what was paid on it, the newest allocations until it fits;
2. **match** every payment's unallocated money (its credit, oldest payment first) to the
   bills still owed (oldest due date first), in part where it does not cover a whole bill.

It runs inside the caller's transaction, with the accounts' rows locked, so two
settlements of one account (a payment at the counter while a bank file is imported)
take turns and never spend a payment twice. Set-based: a few queries for any number of
accounts, then bulk writes (a bank file of a million payments is one settlement).

An account's position then reads, for any account:
    owed    = Σ of its bills' balances (billing.BillBalance: what each still owes)
    credit  = Σ over its posted payments of (amount − allocated − refunded)
    balance = owed − credit = Σ bills (with their adjustments) + Σ late fees − Σ payments not reversed + Σ refunds
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from billing.balances import add_to_owed
from billing.choices import BillStatus
from billing.models import BillBalance
from core.bulk import add_to_column, insert_columns
from core.dates import today as seoul_today
from core.lookups import Ids
from customers.models import Account

from .choices import PaymentStatus
from .models import Allocation, Payment
from .signals import payments_settled


@dataclass
class Settlement:
    allocated: int = 0  # won newly allocated to bills
    allocations: int = 0
    incoming_allocated: dict[int, int] = field(default_factory=dict)  # payment id → won, of ``incoming``


@dataclass(frozen=True)
class Incoming:
    """A payment not yet in the table (its id reserved), to be settled with the accounts' credit."""

    account_id: int
    payment_id: int
    amount: int
    received_at: datetime


def lock_accounts(account_ids) -> None:
    """Take the accounts' rows (in id order, so two lockers never wait on each other in a circle)."""
    ids = sorted({int(a) for a in account_ids})
    if ids and connection.vendor == "postgresql":
        list(Account.objects.filter(id__in_ids=Ids(ids)).order_by("id").select_for_update().values_list("id"))


def settle(account_ids, *, now=None, incoming: list[Incoming] | None = None) -> Settlement:
    """Release what may not stand and match credit to owed bills, for these accounts.

    ``incoming`` are payments about to be inserted (their ids reserved): they join the
    accounts' credit, newest last, and what they pay is returned in
    ``Settlement.incoming_allocated`` for the caller to insert them with — a bank file's
    million new payments are then written once instead of written and updated.
    """
    ids = sorted({int(a) for a in account_ids})
    outcome = Settlement()
    if not ids:
        return outcome
    now = now or timezone.now()
    # Only accounts with something to do are locked: a billing chunk's 50,000 accounts are
    # mostly without credit, and their new bills have nothing paid on them.
    # A bank file's accounts are all paid by ``incoming``: only the others are looked up.
    with_credit = {payment.account_id for payment in incoming or ()}
    others = [a for a in ids if a not in with_credit]
    if others:
        with_credit.update(
            _credit_payments(others).order_by().values_list("account_id", flat=True).distinct()
        )
    to_release = set(_holding_too_much(ids).values_list("account_id", flat=True))
    busy = sorted(with_credit | to_release)
    if not busy:
        return outcome
    lock_accounts(busy)
    _release(busy, now)
    _match(busy, now, outcome, incoming or [])
    if outcome.allocations:  # told once committed: reconnection, arrangements (collection.dunning)
        transaction.on_commit(lambda: payments_settled.send(sender=Payment, account_ids=busy))
    return outcome


def _credit_payments(ids):
    return Payment.objects.filter(
        account_id__in_ids=Ids(ids), status=PaymentStatus.POSTED, allocated__lt=F("amount") - F("refunded")
    )


def _holding_too_much(ids):
    """The balances of the accounts' bills holding payments they may not keep (a partial index of nearly none)."""
    return BillBalance.objects.filter(owed__lt=0, account_id__in_ids=Ids(ids)).order_by()


def release_allocations(allocations, now) -> int:
    """Release these active allocations: their bills owe it again, their payments hold it as credit."""
    rows = list(allocations.values_list("id", "payment_id", "bill_id", "amount"))
    if not rows:
        return 0
    Allocation.objects.filter(id__in_ids=Ids([r[0] for r in rows])).update(released_at=now)
    add_to_column(Payment, "allocated", [r[1] for r in rows], [-r[3] for r in rows])
    add_to_owed([r[2] for r in rows], [r[3] for r in rows])
    return sum(r[3] for r in rows)


def _release(ids, now) -> None:
    bills = list(_holding_too_much(ids).values_list("bill_id", "bill__status", "owed"))
    cancelled = [bill for bill, status, _owed in bills if status == BillStatus.CANCELLED]
    release_allocations(
        Allocation.objects.filter(released_at__isnull=True, bill_id__in_ids=Ids(cancelled)), now
    )
    # A bill reduced below what was paid on it: its newest allocations go first, the last in part.
    over = [(bill, -owed) for bill, status, owed in bills if status == BillStatus.ISSUED]
    for bill_id, excess in over:
        for allocation in Allocation.objects.filter(bill_id=bill_id, released_at__isnull=True).order_by(
            "-created_at", "-id"
        ):
            if excess <= 0:
                break
            if allocation.amount <= excess:
                excess -= release_allocations(Allocation.objects.filter(pk=allocation.pk), now)
            else:
                # Split: the part that still stands stays allocated, the excess is released.
                Allocation.objects.filter(pk=allocation.pk).update(amount=allocation.amount - excess)
                Allocation.objects.create(
                    payment_id=allocation.payment_id,
                    bill_id=bill_id,
                    amount=excess,
                    created_at=allocation.created_at,
                    released_at=now,
                )
                add_to_column(Payment, "allocated", [allocation.payment_id], [-excess])
                add_to_owed([bill_id], [excess])
                excess = 0


def _match(ids, now, outcome: Settlement, incoming: list[Incoming]) -> None:
    """First in, first out: each account's credit (oldest payment first) against its owed bills (oldest due first)."""
    recorded = list(
        _credit_payments(ids)
        .order_by("account_id", "received_at", "id")
        .values_list("account_id", "received_at", "id", F("amount") - F("allocated") - F("refunded"))
    )
    if incoming:
        recorded.extend((p.account_id, p.received_at, p.payment_id, p.amount) for p in incoming)
        recorded.sort()
    credits = [(account, payment, left) for account, _at, payment, left in recorded]
    if not credits:
        return
    owed = list(
        BillBalance.objects.filter(account_id__in_ids=Ids(sorted({c[0] for c in credits})), owed__gt=0)
        .order_by("account_id", "due_on", "bill_id")
        .values_list("account_id", "bill_id", "owed")
    )
    payment_ids, bill_ids, amounts = [], [], []
    b = 0
    bill_left = owed[0][2] if owed else 0
    for account, payment, left in credits:
        while b < len(owed) and owed[b][0] < account:
            b += 1
            bill_left = owed[b][2] if b < len(owed) else 0
        while left > 0 and b < len(owed) and owed[b][0] == account:
            take = min(left, bill_left)
            payment_ids.append(payment)
            bill_ids.append(owed[b][1])
            amounts.append(take)
            left -= take
            bill_left -= take
            if bill_left == 0:
                b += 1
                bill_left = owed[b][2] if b < len(owed) else 0
    if not amounts:
        return
    insert_columns(
        Allocation,
        ["payment", "bill", "amount", "created_at"],
        [payment_ids, bill_ids, amounts, [now] * len(amounts)],
    )
    new = {p.payment_id for p in incoming}
    recorded_ids, recorded_amounts = [], []
    for payment, amount in zip(payment_ids, amounts, strict=True):
        if payment in new:
            outcome.incoming_allocated[payment] = outcome.incoming_allocated.get(payment, 0) + amount
        else:
            recorded_ids.append(payment)
            recorded_amounts.append(amount)
    add_to_column(Payment, "allocated", recorded_ids, recorded_amounts)
    add_to_owed(bill_ids, [-amount for amount in amounts])
    outcome.allocated += sum(amounts)
    outcome.allocations += len(amounts)


@dataclass
class Position:
    owed: int
    credit: int
    overdue: int  # owed on bills past their due date

    @property
    def balance(self) -> int:
        return self.owed - self.credit


def position(account_id: int, *, today=None) -> Position:
    """What the account owes, holds as credit, and owes past due (from the bills' balances and payments' running sums)."""
    today = today or seoul_today()
    balances = BillBalance.objects.filter(account_id=account_id)
    sums = balances.aggregate(owing=Sum("owed"), overdue=Sum("owed", filter=Q(due_on__lt=today)))
    credit = Payment.objects.filter(account_id=account_id, status=PaymentStatus.POSTED).aggregate(
        credit=Sum(F("amount") - F("allocated") - F("refunded"))
    )["credit"]
    return Position(owed=sums["owing"] or 0, credit=credit or 0, overdue=sums["overdue"] or 0)


def settle_idle_credit(*, batch: int = 50_000) -> int:
    """Settle the accounts holding credit beside a bill still owed; returns how many there were.

    It happens when a payment commits while a billing chunk writes the same account's new
    bill: neither transaction sees the other's row, so the bill stays owed beside the
    credit that should pay it. Both sides are small: the ``payment_credit`` partial index and
    the bills' balances; a periodic task runs this.
    """
    with_credit = Payment.objects.filter(
        status=PaymentStatus.POSTED, allocated__lt=F("amount") - F("refunded")
    ).values("account_id")
    ids = sorted(
        set(
            BillBalance.objects.filter(owed__gt=0, account_id__in=with_credit)
            .order_by()
            .values_list("account_id", flat=True)
        )
    )
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            settle(ids[start : start + batch])
    return len(ids)
