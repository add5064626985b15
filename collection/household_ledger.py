"""The household's ledger, as the household page shows it: per account what is owed and since when,
the bills and the payments with what each paid.

A fixed number of queries whatever the household's history: the accounts' positions are
two grouped queries (the same sums as ``collection.ledger.position``), the bills and the
payments (with their allocations) one query each, limited per account in the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Min, Prefetch, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _

from billing.choices import BillStatus
from billing.models import Bill, BillBalance
from customers.choices import AccountStatus
from customers.models import Account
from customers.privacy import shown_name

from .choices import PaymentStatus
from .ledger import Position
from .models import Allocation, Payment

BILLS_SHOWN = 24
PAYMENTS_SHOWN = 24
# Closed accounts stay on the ledger this long after they ended (longer while they owe or hold credit).
PAST_ACCOUNTS_DAYS = 2 * 365

BILL_STATES = {
    "paid": _("Paid"),
    "part_paid": _("Part paid"),
    "overdue": _("Overdue"),
    "open": _("Not yet due"),
    "cancelled": _("Cancelled"),
}


@dataclass
class LedgerBill:
    bill: Bill
    state: str

    @property
    def left(self) -> int:
        return 0 if self.state == "cancelled" else self.bill.owed

    @property
    def state_label(self) -> str:
        return str(BILL_STATES[self.state])


@dataclass
class LedgerAccount:
    account: Account
    holder: str  # masked
    position: Position
    oldest_overdue: dt.date | None  # due date of the oldest bill still owed past it
    today: dt.date
    bills: list[LedgerBill] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)

    @property
    def arrears_days(self) -> int:
        return (self.today - self.oldest_overdue).days if self.oldest_overdue else 0

    @property
    def is_open(self) -> bool:
        return self.account.is_open

    @property
    def settled(self) -> bool:
        return self.position.owed == 0 and self.position.credit == 0


def bill_state(bill: Bill, today: dt.date) -> str:
    if bill.status == BillStatus.CANCELLED:
        return "cancelled"
    if bill.owed <= 0:
        return "paid"
    if bill.due_on < today:
        return "overdue"
    return "part_paid" if bill.paid else "open"


def load_ledger(premise_id: int, *, today: dt.date) -> list[LedgerAccount]:
    """The premise's open accounts, then its past ones that still owe, hold credit or ended recently."""
    accounts = list(
        Account.objects.filter(premise_id=premise_id)
        .select_related("customer")
        .order_by("-start_date", "-id")
    )
    if not accounts:
        return []
    ids = [a.pk for a in accounts]
    sums = {
        row["account_id"]: row
        for row in BillBalance.objects.filter(account_id__in=ids)
        .values("account_id")
        .annotate(
            owing=Sum("owed"),
            overdue=Sum("owed", filter=Q(due_on__lt=today)),
            oldest_overdue=Min("due_on", filter=Q(owed__gt=0, due_on__lt=today)),
        )
        .order_by()
    }
    credits = dict(
        Payment.objects.filter(account_id__in=ids, status=PaymentStatus.POSTED)
        .values("account_id")
        .annotate(credit=Sum(F("amount") - F("allocated") - F("refunded")))
        .order_by()
        .values_list("account_id", "credit")
    )
    ended_since = today - dt.timedelta(days=PAST_ACCOUNTS_DAYS)
    shown: list[LedgerAccount] = []
    for account in accounts:
        row = sums.get(account.pk, {})
        pos = Position(
            owed=row.get("owing") or 0, credit=credits.get(account.pk) or 0, overdue=row.get("overdue") or 0
        )
        keep = (
            account.status != AccountStatus.CLOSED
            or pos.owed
            or pos.credit
            or (account.end_date and account.end_date >= ended_since)
        )
        if keep:
            shown.append(
                LedgerAccount(account, shown_name(account.customer), pos, row.get("oldest_overdue"), today)
            )
    shown.sort(key=lambda item: (not item.is_open, item.settled))
    by_id = {item.account.pk: item for item in shown}
    if not by_id:
        return shown
    bills = latest_per_account(Bill.objects.select_related("balance"), by_id, ("-period", "-id"), BILLS_SHOWN)
    for bill in bills.order_by("account_id", "-period", "-id"):
        by_id[bill.account_id].bills.append(LedgerBill(bill, bill_state(bill, today)))
    payments = (
        latest_per_account(Payment.objects.all(), by_id, ("-received_at", "-id"), PAYMENTS_SHOWN)
        .select_related("counter_receipt", "reversed_by")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("bill")
                .only("id", "payment_id", "amount", "created_at", "released_at", "bill__id", "bill__period")
                .order_by("created_at", "id"),
            )
        )
        .order_by("account_id", "-received_at", "-id")
    )
    for payment in payments:
        by_id[payment.account_id].payments.append(payment)
    return shown


def latest_per_account(queryset, by_id, order, count):
    """The newest ``count`` rows of each account (a window in the database, not a loop)."""
    ordering = [F(name[1:]).desc() if name.startswith("-") else F(name).asc() for name in order]
    return (
        queryset.filter(account_id__in=list(by_id))
        .annotate(row=Window(RowNumber(), partition_by=[F("account_id")], order_by=ordering))
        .filter(row__lte=count)
    )
