"""Monthly meter readings for the demo city (and the billing benchmark), generated set-based.

The demo city (customers/demo_city) holds ten years of registry history but only the
readings its operations wrote (install, start, final …). ``MonthlyReadings`` adds one
reading a month around each cycle's reading day for every metered premise with an open
account: household-like usage (a rate per account, seasons, noise) and a few anomalies —
leaks the billing officer accepted, readings held in the exceptions queue, re-reads
ordered, readings not taken (the run estimates them), a household away.

Months are written one at a time, oldest first, so a month can be billed before the
next one is read, as in life: a reading is counted from the meter's latest valid
reading, an estimate the run wrote included. Each month is generated in memory and
written with one bulk insert (``core.bulk``).

The month before the first one billed gets an *opening* reading without consumption:
the register as it stands when the demo starts reading it, which the first bill counts
from (the registry readings of the demo city are years apart).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from core.bulk import insert_rows, reserve_ids
from core.dates import today
from customers.choices import AccountStatus, UseType
from customers.models import Account, AccountSuspension, MeterInstallation, Premise, PremiseHouseholdCount
from metering.choices import ExceptionReason, ExceptionStatus, ReadingKind, ReadingStatus
from metering.models import MeterReading, ReadingException

from ..run.periods import BillingPeriod, add_months, month_start

JITTER_DAYS = 2  # readers go a day or two early or late; remote (AMI) meters are read on the day
BILL_AFTER_DAYS = 5  # a month is billed (and its bills issued) this many days after its reading day

# Mean m³ per day: per household for homes, per account otherwise (Seoul-like magnitudes).
DAILY_M3 = {
    UseType.DOMESTIC: 0.42,
    UseType.GENERAL: 1.0,
    UseType.BATHHOUSE: 35.0,
    UseType.INDUSTRIAL: 20.0,
    UseType.PUBLIC: 6.0,
}
# Summer showers and gardens, winter less.
SEASON = {
    1: 0.95,
    2: 0.93,
    3: 0.97,
    4: 1.0,
    5: 1.02,
    6: 1.05,
    7: 1.12,
    8: 1.15,
    9: 1.05,
    10: 1.0,
    11: 0.98,
    12: 0.97,
}
# Shares of the accounts read in a month that get an anomaly.
LEAK_SHARE = 0.015  # the month before the last: a leak, repaired; the officer accepted the reading
HELD_SHARE = 0.01  # the last month: held in the exceptions queue (too high, zero, too low)
REREAD_SHARE = 0.003  # the last month: a re-read ordered, the new reading not in yet
MISSING_SHARE = 0.025  # the last month: not read (a locked gate); the run estimates
MISSING_EARLIER_SHARE = 0.008  # earlier months
HOLIDAY_SHARE = 0.005  # a month without any use (a household away)
LEAK_NOTE = "옥내 누수 확인 (수리 완료)"
REREAD_NOTE = "계량기 오독 의심: 재검침 요청"

READING_FIELDS = [
    "id", "meter", "account", "read_on", "value", "kind", "rolled_over", "status", "consumption", "days",
    "recorded_at", "reader",
]  # fmt: skip
EXCEPTION_FIELDS = [
    "reading", "account", "reasons", "expected", "status", "created_at", "resolved_by", "resolved_at",
    "resolution_note",
]  # fmt: skip
# Registry readings the billing counts the use up to (a final bill, a meter's last reading).
CLOSING_KINDS = (ReadingKind.FINAL, ReadingKind.REMOVAL, ReadingKind.SUSPEND)


@dataclass
class Month:
    """One month of one cycle: its reading day, and what the demo does with it."""

    period: date
    read_on: date
    opening: bool = False  # the reading before the first billed month, without consumption
    last: bool = False  # the latest month: held readings, re-reads and missed readings are here
    billed: bool = True
    leaks: bool = False  # the month of the leaks (the one before the last)


@dataclass
class Plan:
    months_by_cycle: dict[int, dict[date, Month]]
    periods: list[date]  # every month read, oldest first (the opening months included)

    def billed(self, cycle_id: int, period: date) -> bool:
        month = self.months_by_cycle.get(cycle_id, {}).get(period)
        return month is not None and month.billed


def _priced(cycle, period: date, first_tariff_day: date) -> bool:
    """A tariff version is in force on the first day of the month's full period, however early the reader came."""
    bp = BillingPeriod.of(cycle, period)
    return bp.read_on - timedelta(days=JITTER_DAYS + bp.full_days - 1) >= first_tariff_day


def plan_months(cycles, first_tariff_day: date, months: int, on: date | None = None) -> Plan:
    """Per cycle, the ``months`` latest months whose readings are in, and an opening month before them.

    A month is read once its reading day (and the readers' lateness) has passed and
    billed ``BILL_AFTER_DAYS`` later. Months the tariff cannot price are left out.
    """
    on = on or today()
    by_cycle: dict[int, dict[date, Month]] = {}
    for cycle in cycles:
        latest = month_start(on)
        while BillingPeriod.of(cycle, latest).read_on + timedelta(days=JITTER_DAYS) >= on:
            latest = add_months(latest, -1)
        wanted = [
            Month(period=period, read_on=BillingPeriod.of(cycle, period).read_on)
            for period in (add_months(latest, -back) for back in range(months, -1, -1))
        ]
        while len(wanted) > 1 and not _priced(cycle, wanted[1].period, first_tariff_day):
            wanted.pop(0)
        if len(wanted) < 2:
            continue
        wanted[0].opening, wanted[0].billed = True, False
        wanted[-1].last = True
        wanted[-1].billed = wanted[-1].read_on + timedelta(days=BILL_AFTER_DAYS) <= on
        if len(wanted) > 2:
            wanted[-2].leaks = True
        by_cycle[cycle.pk] = {m.period: m for m in wanted}
    periods = sorted({period for months_ in by_cycle.values() for period in months_})
    return Plan(by_cycle, periods)


@dataclass
class _Meter:
    meter_id: int
    installed_on: date
    removed_on: date | None
    limit: int
    remote: bool


@dataclass
class _Account:
    id: int
    premise: int
    use_type: str
    status: str
    start: date
    end: date | None
    suspended_on: date | None = None


@dataclass
class Written:
    readings: int = 0
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    leak_readings: list[int] = field(default_factory=list)


class MonthlyReadings:
    """The registry read once in bulk; then, month by month, one reading per metered premise.

    ``write(period)`` generates and writes the month's readings (and the exceptions of
    the anomalous ones); ``after_billing()`` picks up the estimates the run wrote, so the
    next month's readings are counted from them.
    """

    def __init__(self, plan: Plan, *, seed: int = 1, officer_id: int | None = None):
        self.plan, self.officer_id = plan, officer_id
        self.rng = random.Random(f"{seed}:demo-readings")
        self.rates: dict[int, float] = {}
        # meter → (day, register, read by the demo since): what the next reading counts from
        self.state: dict[int, tuple[date, int, bool]] = {}
        self.written = Written()
        self._estimates_after = 0
        self._load()

    # -- the registry, read once ------------------------------------------------------------
    def _load(self) -> None:
        plan = self.plan
        self.cycle_of = {
            premise: cycle
            for premise, cycle in Premise.objects.filter(route__isnull=False).values_list(
                "id", "route__cycle_id"
            )
            if cycle in plan.months_by_cycle
        }
        if not self.cycle_of:
            return
        first_day = min(m.read_on for months in plan.months_by_cycle.values() for m in months.values())
        first_day -= timedelta(days=JITTER_DAYS + 1)
        # Ascending: each premise's latest household count stays.
        self.households = dict(
            PremiseHouseholdCount.objects.order_by("premise_id", "effective_from", "id").values_list(
                "premise_id", "households"
            )
        )
        self.meters: dict[int, list[_Meter]] = defaultdict(list)
        installs = MeterInstallation.objects.order_by("premise_id", "installed_on", "id").values_list(
            "premise_id", "meter_id", "installed_on", "removed_on", "meter__dials", "meter__remote_read"
        )
        for premise, meter, installed, removed, dials, remote in installs:
            self.meters[premise].append(_Meter(meter, installed, removed, 10**dials, remote))
        self.accounts: dict[int, list[_Account]] = defaultdict(list)
        self.by_id: dict[int, _Account] = {}
        rows = Account.objects.order_by("premise_id", "start_date", "id").values_list(
            "id", "premise_id", "use_type", "status", "start_date", "end_date"
        )
        for aid, premise, use_type, status, start, end in rows:
            account = _Account(aid, premise, use_type, status, start, end)
            self.accounts[premise].append(account)
            self.by_id[aid] = account
        open_suspensions = AccountSuspension.objects.filter(ended_on__isnull=True)
        for aid, suspended_on in open_suspensions.values_list("account_id", "suspended_on"):
            if aid in self.by_id:
                self.by_id[aid].suspended_on = suspended_on
        valid = MeterReading.objects.filter(status=ReadingStatus.VALID).order_by("meter_id", "read_on", "id")
        for meter, day, value in valid.filter(read_on__lt=first_day).values_list(
            "meter_id", "read_on", "value"
        ):
            self.state[meter] = (day, value, False)  # ascending: each meter's last reading stays
        # The registry readings (moves, meter changes) among the demo's months, passed in order.
        self.pending: dict[int, list[tuple]] = defaultdict(list)
        for row in valid.filter(read_on__gte=first_day).values_list(
            "id", "meter_id", "account_id", "read_on", "value", "kind", "consumption"
        ):
            self.pending[row[1]].append(row)
        self._estimates_after = MeterReading.objects.aggregate(m=Max("id"))["m"] or 0

    def rate(self, account: _Account) -> float:
        """m³ per day of the account, drawn once: households differ, months vary around it."""
        rate = self.rates.get(account.id)
        if rate is None:
            base, spread = DAILY_M3.get(account.use_type, 1.0), 0.7
            if account.use_type == UseType.DOMESTIC:
                base, spread = base * max(self.households.get(account.premise, 1), 1), 0.35
            rate = self.rates[account.id] = base * self.rng.lognormvariate(0, spread)
        return rate

    # -- one month --------------------------------------------------------------------------
    def write(self, period: date, *, now: datetime | None = None) -> int:
        """Generate and write the month's readings; returns how many."""
        batch = _Batch(now or timezone.now())
        for premise, cycle in self.cycle_of.items():
            month = self.plan.months_by_cycle[cycle].get(period)
            if month is not None:
                self._read_premise(premise, month, batch)
        with transaction.atomic():
            written = batch.write(self.officer_id)
        self.written.readings += written
        self.written.leak_readings += batch.leak_ids
        for key, value in batch.counts.items():
            self.written.counts[key] += value
        return written

    def after_billing(self) -> None:
        """Count the next readings from the estimates the run just wrote."""
        estimates = MeterReading.objects.filter(
            id__gt=self._estimates_after, kind=ReadingKind.ESTIMATED, status=ReadingStatus.VALID
        ).values_list("id", "meter_id", "read_on", "value")
        for rid, meter, day, value in estimates:
            self._estimates_after = max(self._estimates_after, rid)
            if meter in self.state and self.state[meter][0] < day:
                self.state[meter] = (day, value, True)

    def _catch_up(self, meter: _Meter, until: date, batch: _Batch) -> None:
        """Pass the registry readings up to ``until``; a closing one after a demo reading gets its use."""
        queue = self.pending.get(meter.meter_id)
        while queue and queue[0][3] <= until:
            rid, _meter, account_id, day, value, kind, consumption = queue.pop(0)
            previous = self.state.get(meter.meter_id)
            if (
                kind in CLOSING_KINDS
                and consumption is None
                and previous
                and previous[2]
                and day > previous[0]
            ):
                days = (day - previous[0]).days
                account = self.by_id.get(account_id)
                rate = self.rate(account) if account else 0.3
                batch.closing.append((round(rate * days * SEASON[day.month]), days, rid))
            self.state[meter.meter_id] = (day, value, False)

    def _read_premise(self, premise: int, month: Month, batch: _Batch) -> None:
        installed = self.meters.get(premise)
        if not installed:
            return
        meter = next(
            (
                m
                for m in installed
                if m.installed_on < month.read_on and (m.removed_on is None or m.removed_on > month.read_on)
            ),
            None,
        )
        # The moves and meter changes up to the end of the month's reading window are counted by its run.
        window_end = month.read_on + timedelta(days=settings.BILLING_READ_WINDOW_DAYS)
        if meter is None:
            for m in installed:
                self._catch_up(m, window_end, batch)
            return
        day = month.read_on
        if not meter.remote:
            day += timedelta(days=self.rng.randint(-JITTER_DAYS, JITTER_DAYS))
        # A registry reading that day (a move, a meter change) stands for this month's.
        same_day = any(r[3] == day for r in self.pending.get(meter.meter_id, ()))
        for m in installed:
            self._catch_up(m, day, batch)
        account = next(
            (
                a
                for a in reversed(self.accounts.get(premise, []))
                if a.start < day
                and (a.end is None or a.end > day)
                and (a.suspended_on is None or a.suspended_on > day)
            ),
            None,
        )
        previous = self.state.get(meter.meter_id)
        if not (same_day or account is None or previous is None or previous[0] >= day):
            if month.opening:
                self._open(meter, account, day, previous, batch)
            else:
                self._read(meter, account, month, day, previous, batch)
        for m in installed:
            self._catch_up(m, window_end, batch)

    def _open(self, meter: _Meter, account: _Account, day: date, previous, batch: _Batch) -> None:
        if previous[0] < day - timedelta(days=20):
            batch.add(meter, account.id, day, previous[1], None, None)
            batch.counts["opening"] += 1
            self.state[meter.meter_id] = (day, previous[1], True)
        else:  # a recent registry reading (a move-in) is where the first bill counts from
            self.state[meter.meter_id] = (*previous[:2], True)

    def _read(
        self, meter: _Meter, account: _Account, month: Month, day: date, previous, batch: _Batch
    ) -> None:
        rng = self.rng
        if rng.random() < (MISSING_SHARE if month.last else MISSING_EARLIER_SHARE):
            batch.counts["not read"] += 1
            return
        days = (day - previous[0]).days
        normal = max(0, round(self.rate(account) * days * SEASON[day.month] * rng.gammavariate(25, 1 / 25)))
        used, status, reasons = normal, ReadingStatus.VALID, None
        u = rng.random()
        if month.last and u < HELD_SHARE:
            w = rng.random()
            if w < 0.5:
                used, reasons = max(normal, 3) * rng.randint(3, 8), [ExceptionReason.HIGH.value]
            elif w < 0.8 and account.status == AccountStatus.ACTIVE:
                used, reasons = 0, [ExceptionReason.ZERO.value]
            else:
                used, reasons = normal // 5, [ExceptionReason.LOW.value]
            status = ReadingStatus.HELD
        elif month.last and u < HELD_SHARE + REREAD_SHARE:
            used, status = max(normal, 2) * 10, ReadingStatus.VOID
        elif month.leaks and u < LEAK_SHARE and account.use_type in (UseType.DOMESTIC, UseType.GENERAL):
            used = max(normal, 4) * rng.randint(3, 6)
            reasons = [ExceptionReason.HIGH.value]
        elif u > 1 - HOLIDAY_SHARE:
            used = 0
        index = batch.add(meter, account.id, day, previous[1] + used, used, days, status)
        if reasons or status != ReadingStatus.VALID:
            batch.flag(index, account.id, status, reasons, normal)
        if status == ReadingStatus.VALID:
            self.state[meter.meter_id] = (day, previous[1] + used, True)
        batch.counts["read"] += 1


class _Batch:
    """One month's rows, written together."""

    def __init__(self, now: datetime):
        self.now = now
        self.rows: list[list] = []
        self.flagged: list[tuple[int, int, str, list[str] | None, int]] = []
        self.closing: list[tuple[int, int, int]] = []  # (consumption, days, reading id)
        self.counts: dict[str, int] = defaultdict(int)
        self.leak_ids: list[int] = []

    def add(
        self, meter: _Meter, account_id: int, day: date, value: int, used, days, status=ReadingStatus.VALID
    ):
        self.rows.append(
            [None, meter.meter_id, account_id, day, value % meter.limit, ReadingKind.ACTUAL, value >= meter.limit,
             status, used, days, self.now, "AMI" if meter.remote else ""]
        )  # fmt: skip
        return len(self.rows) - 1

    def flag(self, index: int, account_id: int, status: str, reasons, expected: int) -> None:
        self.flagged.append((index, account_id, status, reasons, expected))

    def write(self, officer_id: int | None) -> int:
        rows, now = self.rows, self.now
        for row, rid in zip(rows, reserve_ids(MeterReading, len(rows)), strict=True):
            row[0] = rid
        exceptions = []
        for index, account_id, status, reasons, expected in self.flagged:
            reading = rows[index][0]
            if status == ReadingStatus.HELD:
                exceptions.append(
                    (reading, account_id, reasons, expected, ExceptionStatus.OPEN, now, None, None, "")
                )
                self.counts["held"] += 1
            elif status == ReadingStatus.VOID:
                exceptions.append(
                    (reading, account_id, [ExceptionReason.HIGH.value], None, ExceptionStatus.REREAD, now,
                     officer_id, now, REREAD_NOTE)
                )  # fmt: skip
                self.counts["re-read"] += 1
            else:
                exceptions.append(
                    (reading, account_id, reasons, expected, ExceptionStatus.ACCEPTED, now, officer_id, now,
                     LEAK_NOTE)
                )  # fmt: skip
                self.leak_ids.append(reading)
                self.counts["leak"] += 1
        written = insert_rows(MeterReading, READING_FIELDS, rows)
        insert_rows(ReadingException, EXCEPTION_FIELDS, exceptions)
        if self.closing:
            table = connection.ops.quote_name(MeterReading._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET consumption = %s, days = %s WHERE id = %s", self.closing
                )
        return written
