"""Arrears aging and collection rate, by branch office: each one query over the bills, grouped in the database.

- **Aging**: every account that owes is put in one bucket by its *arrears age* — the days
  since the due date of its oldest unpaid bill (the age the household ledger shows) — and
  each bucket counts the accounts and sums what they owe. The query reads the balances of
  the bills still owed only (billing.BillBalance), and finds each account's oldest due date
  in their index by account.
- **Collection rate** of a bill month: of what the issued bills of that month asked
  (total + late fee), how much has been paid on them so far.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from billing.choices import BillStatus
from billing.models import Bill, BillBalance
from billing.run.periods import add_months
from staff.models import BranchOffice

OFFICE = "account__premise__district__office_id"


@dataclass(frozen=True)
class Bucket:
    index: int
    label: str
    low: int | None  # days past due, inclusive; None: not yet due
    high: int | None  # inclusive; None: no upper end


BUCKETS = [
    Bucket(0, _("Not yet due"), None, 0),
    Bucket(1, _("1–30 days"), 1, 30),
    Bucket(2, _("31–60 days"), 31, 60),
    Bucket(3, _("61–90 days"), 61, 90),
    Bucket(4, _("91–180 days"), 91, 180),
    Bucket(5, _("Over 180 days"), 181, None),
]


@dataclass
class Cell:
    accounts: int = 0
    owed: int = 0


@dataclass
class AgingRow:
    office: BranchOffice | None  # None: the total of all offices shown
    cells: list[Cell] = field(default_factory=lambda: [Cell() for _b in BUCKETS])

    @property
    def accounts(self) -> int:
        return sum(c.accounts for c in self.cells)

    @property
    def owed(self) -> int:
        return sum(c.owed for c in self.cells)

    @property
    def overdue(self) -> Cell:
        """The accounts past due, whatever how long (every bucket but the first)."""
        return Cell(sum(c.accounts for c in self.cells[1:]), sum(c.owed for c in self.cells[1:]))


@dataclass
class Aging:
    today: dt.date
    rows: list[AgingRow]
    total: AgingRow


def _bucket(today: dt.date) -> Case:
    """A bill's bucket by its own due date."""
    whens = [When(due_on__gte=today, then=Value(BUCKETS[0].index))]
    for bucket in BUCKETS[1:-1]:
        whens.append(When(due_on__gte=today - dt.timedelta(days=bucket.high), then=Value(bucket.index)))
    return Case(*whens, default=Value(BUCKETS[-1].index), output_field=IntegerField())


def aging_query(today: dt.date, *, office_id: int | None = None):
    """(office, bucket, accounts, owed) rows: one pass over the bills still owed, grouped in the database.

    Each bill takes the bucket of its account's oldest unpaid bill: one probe of the
    balances' index per bill (account, due_on), the bucket computed there, so the
    database evaluates it once per row.
    """
    oldest_bucket = Subquery(
        BillBalance.objects.filter(owed__gt=0, account_id=OuterRef("account_id"))
        .order_by("due_on")
        .annotate(bucket=_bucket(today))
        .values("bucket")[:1],
        output_field=IntegerField(),
    )
    owed = BillBalance.objects.filter(owed__gt=0)
    if office_id:
        owed = owed.filter(**{OFFICE: office_id})
    return (
        owed.annotate(bucket=oldest_bucket)
        .values("bucket", office=F(OFFICE))
        .annotate(accounts=Count("account_id", distinct=True), owing=Sum("owed"))
        .order_by()
    )


def arrears_aging(today: dt.date, *, office_id: int | None = None) -> Aging:
    offices = _offices(office_id)
    rows = {office.pk: AgingRow(office) for office in offices}
    total = AgingRow(None)
    for item in aging_query(today, office_id=office_id):
        row = rows.get(item["office"])
        if row is None:
            continue
        for target in (row.cells[item["bucket"]], total.cells[item["bucket"]]):
            target.accounts += item["accounts"]
            target.owed += item["owing"]
    return Aging(today, list(rows.values()), total)


@dataclass
class Rate:
    bills: int = 0
    billed: int = 0  # total + late fee of the month's issued bills
    collected: int = 0  # paid on them so far

    @property
    def outstanding(self) -> int:
        return self.billed - self.collected

    @property
    def percent(self) -> float | None:
        return 100 * self.collected / self.billed if self.billed else None

    def add(self, other: Rate) -> None:
        self.bills += other.bills
        self.billed += other.billed
        self.collected += other.collected


@dataclass
class RateRow:
    office: BranchOffice | None  # None: all offices shown
    months: list[Rate]
    total: Rate = field(default_factory=Rate)


@dataclass
class Rates:
    months: list[dt.date]  # first days, oldest first
    rows: list[RateRow]  # per office
    total: RateRow  # all offices shown, per month

    @property
    def newest_first(self) -> list[tuple[dt.date, Rate]]:
        return list(zip(self.months, self.total.months, strict=True))[::-1]


def last_months(latest: dt.date, count: int = 12) -> list[dt.date]:
    latest = latest.replace(day=1)
    return [add_months(latest, -offset) for offset in range(count - 1, -1, -1)]


def rate_query(months: list[dt.date], *, office_id: int | None = None):
    """(office, period, bills, billed, outstanding) rows: the months' issued bills, grouped in the database."""
    bills = Bill.objects.filter(status=BillStatus.ISSUED, period__gte=months[0], period__lte=months[-1])
    if office_id:
        bills = bills.filter(**{OFFICE: office_id})
    return (
        bills.values("period", office=F(OFFICE))
        .annotate(bills=Count("id"), billed=Sum(F("total") + F("late_fee")), outstanding=Sum("balance__owed"))
        .order_by()
    )


def collection_rate(months: list[dt.date], *, office_id: int | None = None) -> Rates:
    offices = _offices(office_id)
    index = {month: i for i, month in enumerate(months)}
    rows = {office.pk: RateRow(office, [Rate() for _m in months]) for office in offices}
    total = RateRow(None, [Rate() for _m in months])
    for item in rate_query(months, office_id=office_id):
        row, i = rows.get(item["office"]), index.get(item["period"])
        if row is None or i is None:
            continue
        billed = item["billed"] or 0
        rate = Rate(item["bills"], billed, billed - (item["outstanding"] or 0))
        for target in (row.months[i], row.total, total.months[i], total.total):
            target.add(rate)
    return Rates(months, list(rows.values()), total)


def _offices(office_id: int | None) -> list[BranchOffice]:
    offices = BranchOffice.objects.order_by("code")
    if office_id:
        offices = offices.filter(pk=office_id)
    return list(offices)
