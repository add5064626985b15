"""Billing a chunk of accounts, set-based: a few bulk reads, numpy pricing, bulk writes.

For each account of the chunk that has no bill for the month yet:

1. **Where the bill starts**: the end of its last bill (usually last month's), or the
   account's start of service for its first bill.
2. **Where it ends**: its latest valid reading taken within the month's reading window
   (for an account closed in the period: its final reading). A held reading later than
   that one means the bill waits for the billing officer (exception).
3. **No reading**: if nothing explains it (re-read ordered, supply suspended, no meter),
   an **estimated reading** is written — average daily use of the last year's valid
   readings times the days since the last reading — and the bill is flagged estimated.
   The next actual reading is counted from the estimate, which trues it up.
4. **Usage**: the sum of the valid readings' consumption after the start up to the end
   (each reading carries its consumption since the meter's previous reading, so a meter
   replaced or a register rolled over in the period is counted right).
5. **Price**: accounts grouped by use type and tariff versions in force, priced by
   :func:`billing.pricing.price` over the last full period before the reading; the basic
   charge is prorated by days only for a partial period (first or final bill).

Every account ends with a bill row or an exception row; nothing is written per account
through the ORM. Steps 1–5 are array operations over the whole chunk (its accounts and
its readings as numpy arrays, days as ordinals); only the accounts without a reading
are looked at one by one. A final bill at move-out is this function on a chunk of one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from itertools import compress

import numpy as np
from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, Sum

from core.arrays import last_of_each
from core.bulk import insert_columns, insert_rows, reserve_ids
from core.lookups import Ids
from customers.choices import AccountStatus, BuildingUse
from customers.models import Meter, MeterInstallation, Premise, PremiseHouseholdCount
from metering.checks import latest_by_meter
from metering.choices import MEASURED_KINDS, ExceptionStatus, ReadingKind, ReadingStatus
from metering.models import MeterReading, ReadingException

from ..balances import open_balances
from ..choices import BillKind, BillStatus, RunExceptionReason
from ..models import Bill, RunException, SewerVolume, TariffVersion
from ..pricing import Consumers, MissingSchedule, price
from ..signals import bills_changed
from ..versions import split_by_version
from .periods import BillingPeriod
from .scope import chunk_scope

BILL_FIELDS = [
    "account", "run", "period", "kind", "status", "use_type", "period_start", "period_end", "days",
    "previous_value", "current_value", "end_reading", "estimated", "water_m3", "sewer_m3", "households",
    "tariff_version", "charges", "subtotal", "adjustments", "total", "issued_on", "due_on", "created_at",
]  # fmt: skip
ESTIMATE_FIELDS = [
    "id", "meter", "account", "read_on", "value", "kind", "rolled_over", "status", "consumption", "days",
    "recorded_at",
]  # fmt: skip
EXCEPTION_FIELDS = ["run", "account", "reason", "detail", "detail_params", "created_at"]


@dataclass
class RunContext:
    """What every chunk of a run shares: the month, the tariff, the dates written on the bills."""

    cycle: object
    bp: BillingPeriod
    versions: list[TariffVersion]  # of the tariff in use, by effective date
    issued_on: date
    due_on: date
    now: datetime
    run_id: int | None = None


@dataclass
class Outcome:
    accounts: int = 0
    bills: int = 0
    estimated: int = 0
    exceptions: int = 0
    amount: int = 0
    water_m3: int = 0
    bill_ids_by_account: dict[int, int] = field(default_factory=dict)
    refusals: list[tuple] = field(default_factory=list)  # rows of EXCEPTION_FIELDS


@dataclass
class Estimate:
    """The estimated reading written for an account without one: where its bill ends."""

    id: int
    read_on: date
    value: int


@dataclass
class Draft:
    """An account that needs an estimated reading on its way to a bill."""

    account_id: int
    index: int  # its place in the chunk's arrays
    water_m3: int = 0
    end: Estimate | None = None


NONE = -1  # "no reading" in an array of reading positions


@dataclass
class Accounts:
    """The chunk's accounts still to bill, one array entry each, in id order (days as ordinals)."""

    ids: np.ndarray
    use_type: np.ndarray  # object (str)
    suspended: np.ndarray  # bool
    final: np.ndarray  # bool: closed in the period, so a final bill up to the closing day
    end_date: np.ndarray  # the closing day (0 for an open account)
    start: np.ndarray  # the reading day of the last bill, or the start of service
    previous_value: np.ndarray  # the register at ``start`` (-1: not known yet)
    partial: np.ndarray  # bool: a first or final bill, shorter than a full period
    premise: np.ndarray
    # Of its premise (see :class:`Premises`): building use, and the meter on the reading day.
    mixed: np.ndarray  # bool: a home-and-shop building
    meter: np.ndarray  # NONE: no meter
    diameter_mm: np.ndarray
    register_limit: np.ndarray
    households: np.ndarray

    @classmethod
    def build(cls, rows: list[tuple], last_bills: dict, premises: Premises, bp: BillingPeriod) -> Accounts:
        ids, use_types, statuses, starts, end_dates, premise_ids = zip(*rows, strict=True)
        at = premises.positions(premise_ids)
        last = [last_bills.get(account) for account in ids]
        start = np.array(
            [(b[0] if b else s).toordinal() for b, s in zip(last, starts, strict=True)], dtype=np.int64
        )
        end_date = np.array([e.toordinal() if e else 0 for e in end_dates], dtype=np.int64)
        final = (end_date > 0) & (end_date <= bp.window_to.toordinal())
        first = np.array([b is None for b in last]) & (start > bp.previous_read_on.toordinal())
        return cls(
            ids=np.array(ids, dtype=np.int64),
            use_type=np.array(use_types, dtype=object),
            suspended=np.array([s == AccountStatus.SUSPENDED for s in statuses]),
            final=final,
            end_date=end_date,
            start=start,
            previous_value=np.array([b[1] if b else NONE for b in last], dtype=np.int64),
            partial=final | first,
            premise=premises.ids[at],
            mixed=premises.mixed[at],
            meter=premises.meter[at],
            diameter_mm=premises.diameter_mm[at],
            register_limit=premises.register_limit[at],
            households=premises.households[at],
        )


@dataclass
class Readings:
    """The chunk's readings (void ones left out), ordered by account, day and id; one array entry each."""

    at: np.ndarray  # the account's place in :class:`Accounts`
    id: np.ndarray
    day: np.ndarray
    value: np.ndarray
    estimated: np.ndarray  # bool
    valid: np.ndarray  # bool
    held: np.ndarray  # bool
    consumption: np.ndarray


@dataclass
class Ends:
    """Per account: the reading that ends its bill (NONE: none yet) and the usage up to it."""

    reading: np.ndarray
    water_m3: np.ndarray
    held_day: np.ndarray  # the last held reading that stops the bill (0: none)


@dataclass
class EndReadings:
    """Per account of the chunk, what the bill is written from (meaningful where ``billable``)."""

    billable: np.ndarray  # bool
    id: np.ndarray
    day: np.ndarray
    value: np.ndarray
    estimated: np.ndarray
    water_m3: np.ndarray
    previous_value: np.ndarray  # NONE: no register known at the start


class Refusals:
    """The chunk's accounts that end the month with an exception instead of a bill.

    Called as ``refuse(index, reason, detail, params)`` with the account's place in the chunk.
    """

    def __init__(self, ctx: RunContext, chunk: Accounts):
        self.ctx, self.chunk = ctx, chunk
        self.rows: list[tuple] = []  # rows of EXCEPTION_FIELDS
        self.mask = np.zeros(len(chunk.ids), dtype=bool)

    def __call__(self, index: int, reason: str, detail: str = "", params: dict | None = None) -> None:
        """``params``: the figures of the reason's sentence (see ``RunException.shown_detail``)."""
        account = int(self.chunk.ids[index])
        self.rows.append((self.ctx.run_id, account, reason, detail[:300], params or {}, self.ctx.now))
        self.mask[index] = True


def bill_accounts(
    ctx: RunContext,
    first_id: int,
    last_id: int,
    *,
    account_ids: Iterable[int] | None = None,
    record_exceptions: bool = True,
) -> Outcome:
    """Bill the run's accounts with ids in ``first_id..last_id`` (optionally only ``account_ids``).

    The accounts that cannot be billed are written as the run's exceptions, or, with
    ``record_exceptions=False`` (one account billed outside a run), only returned.
    """
    bp = ctx.bp
    accounts = chunk_scope(bp).filter(id__gte=first_id, id__lte=last_id)
    if account_ids is not None:
        accounts = accounts.filter(id__in_ids=Ids(list(account_ids)))
    rows = list(
        accounts.order_by("id").values_list(
            "id", "use_type", "status", "start_date", "end_date", "premise_id"
        )
    )
    if not rows:
        return Outcome()
    # The premises tell each account's cycle (checked here, row by row: see chunk_scope),
    # its building use, its meter and its households.
    premise_ids = [row[5] for row in rows]
    premises = _premises(premise_ids, bp)
    in_cycle = premises.cycle[premises.positions(premise_ids)] == ctx.cycle.pk
    rows = list(compress(rows, in_cycle.tolist()))
    outcome = Outcome(accounts=len(rows))
    if not rows:
        return outcome
    # A cycle's accounts are spread over the whole id range: every query below names the
    # chunk's accounts (or premises) rather than a range, or it would read other cycles' rows.
    billed, last_bills = _bills_of_month_and_last([row[0] for row in rows], bp)
    rows = [row for row in rows if row[0] not in billed]
    if not rows:
        return outcome
    chunk = Accounts.build(rows, last_bills, premises, bp)
    readings = _readings(chunk, bp.window_to)
    ends = _ends(chunk, readings, bp)

    refuse = Refusals(ctx, chunk)
    for index in np.flatnonzero(ends.held_day).tolist():
        held_on = date.fromordinal(int(ends.held_day[index])).isoformat()
        refuse(index, RunExceptionReason.HELD_READING, params={"date": held_on})
    to_estimate = _explain_missing(chunk, ends, bp, refuse)
    estimates = _estimate(ctx, chunk, to_estimate, refuse)
    ending = _end_readings(chunk, readings, ends, to_estimate, refuse)
    bills = _price(ctx, chunk, ending, refuse)

    if estimates:
        insert_rows(MeterReading, ESTIMATE_FIELDS, estimates)
    count = len(bills["account"])
    if count:
        bills["id"] = reserve_ids(Bill, count)
        insert_columns(Bill, ["id", *BILL_FIELDS], [bills[name] for name in ["id", *BILL_FIELDS]])
        open_balances(bills["id"], bills["account"].tolist(), bills["due_on"], bills["total"].tolist())
        outcome.bill_ids_by_account = dict(zip(bills["account"].tolist(), bills["id"], strict=True))
        # A credit the household holds pays the new bill (collection), in this chunk's transaction.
        bills_changed.send(sender=Bill, account_ids=list(outcome.bill_ids_by_account))
    if refuse.rows and record_exceptions:
        insert_rows(RunException, EXCEPTION_FIELDS, refuse.rows)
    outcome.refusals = refuse.rows
    outcome.bills = count
    outcome.estimated = len(estimates)
    outcome.exceptions = len(refuse.rows)
    outcome.amount = int(np.sum(bills["total"]))
    outcome.water_m3 = int(np.sum(bills["water_m3"]))
    return outcome


def _bills_of_month_and_last(
    ids: list[int], bp: BillingPeriod
) -> tuple[set[int], dict[int, tuple[date, int]]]:
    """The accounts already billed for the month, and each account's last issued bill before it.

    The last bill is (its reading day, its register value): usually last period's bill,
    read by the same index lookup as this month's; only accounts without one (new, or a
    month skipped) are looked up among all their earlier bills.
    """
    issued = Bill.objects.filter(status=BillStatus.ISSUED)
    billed, last = set(), {}
    for account, period, day, value in issued.filter(
        account_id__in_ids=Ids(ids), period__in=[bp.period, bp.previous_period]
    ).values_list("account_id", "period", "period_end", "current_value"):
        if period == bp.period:
            billed.add(account)
        else:
            last[account] = (day, value)
    missing = [account for account in ids if account not in last and account not in billed]
    if missing:
        older = (
            issued.filter(account_id__in_ids=Ids(missing), period__lt=bp.period)
            .order_by("account_id", "period_end", "id")
            .values_list("account_id", "period_end", "current_value")
        )
        for account, day, value in older:  # ascending: the last one of each account stays
            last[account] = (day, value)
    return billed, last


# A chunk's accounts start their bills on a handful of days (the days of last month's
# readings): the accounts of each of the SINCE_COMMON_DAYS most common days are asked for
# with that day, so their readings are read from their own start. The few others (new
# accounts, a month skipped) share the earliest day among them — except those whose start
# lies further back than SINCE_GROUP_DAYS, asked for apart, so that one long history is not
# read for every account of the chunk.
SINCE_COMMON_DAYS = 8
SINCE_GROUP_DAYS = 62


def _since_groups(chunk: Accounts) -> list[tuple[date, list[int]]]:
    """The chunk's accounts in groups, each with the first day of readings its accounts need.

    A bill starts at the reading of its last bill, so it needs the readings after that
    day; a first bill also needs the reading on its start day (the register it starts from).
    """
    since = np.where(chunk.previous_value == NONE, chunk.start, chunk.start + 1)
    days, counts = np.unique(since, return_counts=True)
    common = days[np.argsort(-counts, kind="stable")[:SINCE_COMMON_DAYS]]
    groups = [(day, since == day) for day in common.tolist()]
    rest = ~np.isin(since, common)
    near = since >= int(np.median(since)) - SINCE_GROUP_DAYS
    for members in (rest & near, rest & ~near):
        if members.any():
            groups.append((int(since[members].min()), members))
    return [(date.fromordinal(day), chunk.ids[members].tolist()) for day, members in groups]


def _readings(chunk: Accounts, until: date) -> Readings:
    """The chunk's readings from each account's start (or a little earlier) to ``until``."""
    since = Q()
    for first_day, ids in _since_groups(chunk):
        since |= Q(account_id__in_ids=Ids(ids), read_on__gte=first_day)
    flag = partial(ExpressionWrapper, output_field=BooleanField())
    rows = list(
        MeterReading.objects.filter(since, read_on__lte=until)
        .exclude(status=ReadingStatus.VOID)
        .order_by("account_id", "read_on", "id")
        .values_list(
            "read_on",
            "account_id",
            "id",
            "value",
            flag(Q(kind=ReadingKind.ESTIMATED)),
            flag(Q(status=ReadingStatus.VALID)),
            flag(Q(status=ReadingStatus.HELD)),
            "consumption",
        )  # fmt: skip
    )
    if not rows:
        ints, flags = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        return Readings(ints, ints, ints, ints, flags, flags, flags, ints)
    # Everything but the day is a number: one conversion of the rows into a table. As floats,
    # so that a missing consumption (a meter's first reading) is NaN; ids, registers and
    # volumes are far below 2**53, where floats are exact.
    table = np.array([row[1:] for row in rows], dtype=np.float64)
    table[:, 6] = np.nan_to_num(table[:, 6])
    table = table.astype(np.int64)
    return Readings(
        at=np.searchsorted(chunk.ids, table[:, 0]),
        id=table[:, 1],
        day=np.array([row[0].toordinal() for row in rows], dtype=np.int64),
        value=table[:, 2],
        estimated=table[:, 3].astype(bool),
        valid=table[:, 4].astype(bool),
        held=table[:, 5].astype(bool),
        consumption=table[:, 6],
    )


def _ends(chunk: Accounts, r: Readings, bp: BillingPeriod) -> Ends:
    """Each account's ending reading, its usage, and a held reading that stops it — in arrays.

    - ending reading: the latest valid reading after the bill's start that is within the
      month's reading window (for an account closed in the period: on or before its
      closing day);
    - usage: the consumption of the valid readings after the start up to the ending one
      (all of them when there is none yet: the estimate adds to it);
    - a held reading in the window later than the ending one means the bill waits.
    """
    n = len(chunk.ids)
    reading = np.full(n, NONE, dtype=np.int64)
    held_day = np.zeros(n, dtype=np.int64)
    if not len(r.at):
        return Ends(reading, np.zeros(n, dtype=np.int64), held_day)
    after = r.day > chunk.start[r.at]
    valid = after & r.valid
    in_window = np.where(
        chunk.final[r.at], r.day <= chunk.end_date[r.at], r.day >= bp.window_from.toordinal()
    )
    candidates = np.flatnonzero(valid & in_window)
    # Readings are in (account, day, id) order: the largest position is the account's last.
    np.maximum.at(reading, r.at[candidates], candidates)
    limit = np.where(reading == NONE, np.iinfo(np.int64).max, r.day[reading])
    counted = valid & (r.day <= limit[r.at])
    water = np.bincount(r.at[counted], weights=r.consumption[counted], minlength=n).astype(np.int64)
    held = (
        after
        & r.held
        & (r.day >= bp.window_from.toordinal())
        & (r.day > np.where(reading == NONE, 0, limit)[r.at])
    )
    np.maximum.at(held_day, r.at[held], r.day[held])
    return Ends(reading, water, held_day)


def _opening_values(chunk: Accounts, r: Readings) -> np.ndarray:
    """For a first bill: the register of the valid reading on the day service started (NONE: none)."""
    opening = np.full(len(chunk.ids), NONE, dtype=np.int64)
    on_start = np.flatnonzero(r.valid & (r.day == chunk.start[r.at]))
    # In (account, day, id) order the last write of an account wins, as the last reading that day should.
    last = np.full(len(chunk.ids), NONE, dtype=np.int64)
    np.maximum.at(last, r.at[on_start], on_start)
    found = last != NONE
    opening[found] = r.value[last[found]]
    return opening


@dataclass
class Premises:
    """The chunk's premises, one array entry each in id order: their cycle and building use,
    and the meter installed on the reading day with the households sharing it."""

    ids: np.ndarray
    cycle: np.ndarray  # of its reading route (NONE: on no route)
    mixed: np.ndarray  # bool: a home-and-shop building
    meter: np.ndarray  # NONE: no meter
    diameter_mm: np.ndarray
    register_limit: np.ndarray  # 10 ** dials: where the register rolls over
    households: np.ndarray

    def positions(self, premise_ids: Sequence[int]) -> np.ndarray:
        return np.searchsorted(self.ids, premise_ids)


def _table(rows: Iterable[tuple], width: int) -> np.ndarray:
    """Rows of integers as a table (an empty one keeps its width)."""
    return np.array(list(rows), dtype=np.int64).reshape(-1, width)


def _premises(premise_ids: Sequence[int], bp: BillingPeriod) -> Premises:
    """The chunk's premises: cycle, building use, the meter on the reading day and its households.

    Four lookups by the premises' (or meters') ids, each turned into arrays at once.
    Asked as one query, with the latest installation and household count as subqueries per
    premise, it costs PostgreSQL more than the three extra round trips (measured: 165
    against 120 ms a chunk).
    """
    wanted = Ids(sorted(set(premise_ids)))
    ids, cycles, uses = zip(
        *Premise.objects.filter(id__in_ids=wanted)
        .order_by("id")
        .values_list("id", "route__cycle_id", "building_use"),
        strict=True,
    )
    n = len(ids)
    ids = np.array(ids, dtype=np.int64)
    premises = Premises(
        ids=ids,
        cycle=np.array([NONE if cycle is None else cycle for cycle in cycles], dtype=np.int64),
        mixed=np.array(uses, dtype=object) == BuildingUse.MIXED,
        meter=np.full(n, NONE, dtype=np.int64),
        diameter_mm=np.zeros(n, dtype=np.int64),
        register_limit=np.zeros(n, dtype=np.int64),
        households=np.ones(n, dtype=np.int64),
    )
    # In date order: the last installation of each premise is the one on the reading day.
    installed = _table(
        MeterInstallation.objects.filter(premise_id__in_ids=wanted, installed_on__lte=bp.window_to)
        .order_by("premise_id", "installed_on", "id")
        .values_list("premise_id", "meter_id"),
        2,
    )
    installed = installed[last_of_each(installed[:, 0])]
    if len(installed):
        # The meters by their own ids (a join would let the planner read the whole meter table).
        sizes = _table(
            Meter.objects.filter(id__in_ids=Ids(installed[:, 1].tolist()))
            .order_by("id")
            .values_list("id", "diameter_mm", "dials"),
            3,
        )
        at, size = premises.positions(installed[:, 0]), np.searchsorted(sizes[:, 0], installed[:, 1])
        premises.meter[at] = installed[:, 1]
        premises.diameter_mm[at] = sizes[size, 1]
        premises.register_limit[at] = 10 ** sizes[size, 2]
    counts = _table(
        PremiseHouseholdCount.objects.filter(premise_id__in_ids=wanted, effective_from__lte=bp.read_on)
        .order_by("premise_id", "effective_from", "id")
        .values_list("premise_id", "households"),
        2,
    )
    counts = counts[last_of_each(counts[:, 0])]  # the count in force on the reading day
    premises.households[premises.positions(counts[:, 0])] = counts[:, 1]
    return premises


def _explain_missing(chunk: Accounts, ends: Ends, bp: BillingPeriod, refuse: Refusals) -> list[Draft]:
    """Accounts without an ending reading: explained (re-read, suspended, no meter), or to estimate."""
    without = np.flatnonzero((ends.reading == NONE) & ~refuse.mask).tolist()
    rereads = _rereads([int(chunk.ids[i]) for i in without], bp) if without else set()
    to_estimate: list[Draft] = []
    for index in without:
        account_id = int(chunk.ids[index])
        if account_id in rereads:
            refuse(index, RunExceptionReason.REREAD)
        elif chunk.suspended[index]:
            refuse(index, RunExceptionReason.SUSPENDED)
        elif chunk.meter[index] == NONE:
            refuse(index, RunExceptionReason.NO_METER)
        else:
            to_estimate.append(Draft(account_id, index, int(ends.water_m3[index])))
    return to_estimate


def _rereads(ids: list[int], bp: BillingPeriod) -> set[int]:
    return set(
        ReadingException.objects.filter(
            account_id__in_ids=Ids(ids),
            status=ExceptionStatus.REREAD,
            reading__read_on__gte=bp.window_from,
            reading__read_on__lte=bp.window_to,
        ).values_list("account_id", flat=True)
    )


def _estimate(ctx: RunContext, chunk: Accounts, drafts: list[Draft], refuse: Refusals) -> list[tuple]:
    """Write an estimated reading for each draft that can be estimated; refuse the others."""
    if not drafts:
        return []
    bp = ctx.bp
    ids = [d.account_id for d in drafts]
    meter_ids = chunk.meter[[d.index for d in drafts]].tolist()
    use = {
        row["account_id"]: (row["used"], row["spent"])
        for row in MeterReading.objects.filter(
            account_id__in_ids=Ids(ids),
            status=ReadingStatus.VALID,
            kind__in=MEASURED_KINDS,
            read_on__gte=bp.read_on - timedelta(days=365),
            read_on__lte=bp.read_on,
            consumption__isnull=False,
            days__gt=0,
        )
        .values("account_id")
        .annotate(used=Sum("consumption"), spent=Sum("days"))
    }
    last = latest_by_meter(
        MeterReading.objects.filter(meter_id__in_ids=Ids(meter_ids), status=ReadingStatus.VALID)
    )
    reading_ids = iter(reserve_ids(MeterReading, len(drafts)))
    rows = []
    for draft in drafts:
        meter, register_limit = int(chunk.meter[draft.index]), int(chunk.register_limit[draft.index])
        used, spent = use.get(draft.account_id, (0, 0))
        base = last.get(meter)
        if spent < settings.BILLING_ESTIMATE_MIN_DAYS or base is None or base.read_on >= bp.read_on:
            refuse(
                draft.index,
                RunExceptionReason.NO_READING,
                params={"days": spent, "needed": settings.BILLING_ESTIMATE_MIN_DAYS},
            )
            continue
        days = (bp.read_on - base.read_on).days
        estimate = round(used * days / spent)
        value = base.value + estimate
        rolled_over = value >= register_limit
        value %= register_limit
        reading_id = next(reading_ids)
        rows.append(
            (reading_id, meter, draft.account_id, bp.read_on, value, ReadingKind.ESTIMATED,
             rolled_over, ReadingStatus.VALID, estimate, days, ctx.now)
        )  # fmt: skip
        draft.end = Estimate(reading_id, bp.read_on, value)
        draft.water_m3 += estimate
    return rows


def _end_readings(
    chunk: Accounts, readings: Readings, ends: Ends, estimated: list[Draft], refuse: Refusals
) -> EndReadings:
    """The bill's last reading per account, as arrays: a measured one, or the estimate just made."""
    billable = (ends.reading != NONE) & ~refuse.mask
    at = np.where(billable, ends.reading, 0)  # a reading's position, meaningful where billable

    def gather(values, empty=0):
        return np.where(billable, values[at], empty) if len(values) else np.full(len(at), empty)

    end_id, end_day, end_value = gather(readings.id), gather(readings.day), gather(readings.value)
    end_estimated = gather(readings.estimated, False).astype(bool)
    water = ends.water_m3.copy()
    for draft in estimated:
        if draft.end is not None and not refuse.mask[draft.index]:
            i = draft.index
            billable[i] = True
            end_id[i], end_day[i], end_value[i] = draft.end.id, draft.end.read_on.toordinal(), draft.end.value
            end_estimated[i], water[i] = True, draft.water_m3
    previous = chunk.previous_value.copy()
    unknown = previous == NONE
    previous[unknown] = _opening_values(chunk, readings)[unknown]
    return EndReadings(billable, end_id, end_day, end_value, end_estimated, water, previous)


def _price(ctx: RunContext, chunk: Accounts, end: EndReadings, refuse: Refusals) -> dict[str, Sequence]:
    """Bill columns (by field name) for the billable accounts, priced group by group.

    Each account is priced over the last full period before its reading (shorter for a
    first or final bill); accounts whose period meets the same tariff versions for the
    same days share one group and one call of :func:`billing.pricing.price`.
    """
    bp = ctx.bp
    full_days = bp.full_days
    columns: dict[str, list] = {name: [] for name in BILL_FIELDS}  # per field, its parts by group
    billable = np.flatnonzero(end.billable)  # positions in the chunk
    if not len(billable):
        return {name: [] for name in BILL_FIELDS}
    start, end_day = chunk.start[billable], end.day[billable]
    window_from = np.maximum(start, end_day - full_days) + 1
    windows, window_of = np.unique(np.stack([window_from, end_day], axis=1), axis=0, return_inverse=True)
    window_of = window_of.reshape(-1)
    pieces_of = []  # per window: its versions with their days, or None when a day has no tariff
    for first, last in windows.tolist():
        pieces = split_by_version(ctx.versions, date.fromordinal(first), date.fromordinal(last))
        pieces_of.append(pieces if sum(seg.days for _v, seg in pieces) >= last - first + 1 else None)
    households, diameter = chunk.households[billable], chunk.diameter_mm[billable]
    water = end.water_m3[billable]
    sewer = water.copy()
    account_ids = chunk.ids[billable]
    for position, rule in _sewer_rules(account_ids.tolist(), bp).items():
        sewer[position] = rule.sewer_m3(int(water[position]), bp.months)
    days = np.where(chunk.partial[billable], np.minimum(end_day - start, full_days), full_days)

    # One version: its days do not matter, so all accounts of a use type under it share one group.
    groups: dict[tuple, list[int]] = defaultdict(list)
    keys_of_window = [
        None if pieces is None else tuple((v.pk, seg.days if len(pieces) > 1 else 0) for v, seg in pieces)
        for pieces in pieces_of
    ]
    use_types = chunk.use_type[billable]
    for position, (use_type, window) in enumerate(zip(use_types.tolist(), window_of.tolist(), strict=True)):
        groups[(use_type, window)].append(position)

    merged: dict[tuple, tuple[list, list[int]]] = {}
    for (use_type, window), positions in groups.items():
        key = keys_of_window[window]
        if key is None:
            first_day = date.fromordinal(int(windows[window][0]))
            for position in positions:
                refuse(
                    int(billable[position]),
                    RunExceptionReason.NO_TARIFF,
                    params={"date": first_day.isoformat()},
                )
            continue
        merged.setdefault((use_type, key), (pieces_of[window], []))[1].extend(positions)

    for (use_type, _key), (pieces, positions) in merged.items():
        members = np.array(sorted(positions), dtype=np.int64)
        consumers = Consumers(
            use_type=use_type,
            water_m3=water[members],
            sewer_m3=sewer[members],
            households=households[members],
            diameter_mm=diameter[members],
            mixed=chunk.mixed[billable][members],
            months=np.full(len(members), bp.months, dtype=np.int64),
            days=days[members],
            full_days=np.full(len(members), full_days, dtype=np.int64),
        )
        try:
            charges = price([segment for _v, segment in pieces], consumers)
        except MissingSchedule as missing:
            for position in members.tolist():
                refuse(int(billable[position]), RunExceptionReason.NO_TARIFF, str(missing))
            continue
        codes = list(charges)
        matrix = np.stack([charges[code] for code in codes], axis=1).astype(np.int64)
        subtotals = matrix.sum(axis=1)
        # The charges as JSON text straight away: [["water", 1234], …] in the tariff's order.
        template = "[" + ", ".join(f"[{json.dumps(code)}, %d]" for code in codes) + "]"
        count = len(members)
        chosen = billable[members]
        previous = end.previous_value[chosen]
        # Numbers stay numpy arrays (insert_columns writes them without looking at each value).
        values = {
            "account": chunk.ids[chosen],
            "run": [ctx.run_id] * count,
            "period": [bp.period] * count,
            "kind": np.where(chunk.final[chosen], BillKind.FINAL, BillKind.REGULAR).tolist(),
            "status": [BillStatus.ISSUED] * count,
            "use_type": [use_type] * count,
            "period_start": _days_as_text(chunk.start[chosen]),
            "period_end": _days_as_text(end.day[chosen]),
            "days": end.day[chosen] - chunk.start[chosen],
            "previous_value": (
                [None if v == NONE else v for v in previous.tolist()]
                if (previous == NONE).any()
                else previous
            ),
            "current_value": end.value[chosen],
            "end_reading": end.id[chosen],
            "estimated": end.estimated[chosen].astype(bool),
            "water_m3": water[members],
            "sewer_m3": sewer[members],
            "households": households[members],
            "tariff_version": [pieces[-1][0].pk] * count,
            "charges": _charges_text(template, matrix),
            "subtotal": subtotals,
            "adjustments": [0] * count,
            "total": subtotals,
            "issued_on": [ctx.issued_on] * count,
            "due_on": [ctx.due_on] * count,
            "created_at": [ctx.now] * count,
        }
        for name, parts in columns.items():
            parts.append(values[name])
    return {name: _joined(parts) for name, parts in columns.items()}


def _charges_text(template: str, matrix: np.ndarray) -> list[str]:
    """Each row of charges as JSON text: many bills of a chunk owe the same, each such row formatted once."""
    distinct, which = np.unique(matrix, axis=0, return_inverse=True)
    texts = [template % tuple(row) for row in distinct.tolist()]
    return [texts[i] for i in which.reshape(-1).tolist()]


def _days_as_text(days: np.ndarray) -> list[str]:
    """Ordinal days as ISO dates: a chunk's bills share a handful of days, each formatted once."""
    text = {day: date.fromordinal(day).isoformat() for day in np.unique(days).tolist()}
    return [text[day] for day in days.tolist()]


def _joined(parts: list) -> np.ndarray | list:
    """One column from its groups' parts: an array if every part is one, else a list."""
    if parts and all(isinstance(part, np.ndarray) for part in parts):
        return np.concatenate(parts)
    return [value for part in parts for value in (part.tolist() if isinstance(part, np.ndarray) else part)]


def _sewer_rules(account_ids: list[int], bp: BillingPeriod) -> dict[int, SewerVolume]:
    """The sewer volume rule in force for the accounts that have one, by their position in ``account_ids``."""
    position = {account: index for index, account in enumerate(account_ids)}
    rules = {}
    for rule in SewerVolume.objects.filter(
        account_id__in_ids=Ids(account_ids), effective_from__lte=bp.read_on
    ).order_by("account_id", "effective_from"):
        rules[position[rule.account_id]] = rule
    return rules
