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
through the ORM. A final bill at move-out is this function on a chunk of one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _

from core.bulk import insert_rows, reserve_ids
from customers.choices import AccountStatus, BuildingUse
from customers.models import MeterInstallation, PremiseHouseholdCount
from metering.checks import latest_by_meter
from metering.choices import MEASURED_KINDS, ExceptionStatus, ReadingKind, ReadingStatus
from metering.models import MeterReading, ReadingException

from ..choices import BillKind, BillStatus, RunExceptionReason
from ..models import Bill, RunException, SewerVolume, TariffVersion
from ..pricing import Consumers, MissingSchedule, price
from ..versions import split_by_version
from .periods import BillingPeriod
from .scope import scope

BILL_FIELDS = [
    "account", "run", "period", "kind", "status", "use_type", "period_start", "period_end", "days",
    "previous_value", "current_value", "end_reading", "estimated", "water_m3", "sewer_m3", "households",
    "tariff_version", "charges", "subtotal", "adjustments", "total", "issued_on", "due_on", "created_at",
]  # fmt: skip
ESTIMATE_FIELDS = [
    "id", "meter", "account", "read_on", "value", "kind", "rolled_over", "status", "consumption", "days",
    "recorded_at",
]  # fmt: skip
EXCEPTION_FIELDS = ["run", "account", "reason", "detail", "created_at"]


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
    refusals: list[tuple] = field(default_factory=list)  # (run, account, reason, detail, at)


@dataclass
class Reading:
    id: int
    read_on: date
    value: int
    kind: str
    status: str
    consumption: int
    meter_id: int


@dataclass
class Draft:
    """An account on its way to a bill."""

    account_id: int
    use_type: str
    kind: str
    start: date
    previous_value: int | None
    partial: bool
    premise_id: int
    mixed: bool
    end: Reading | None = None
    water_m3: int = 0


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
    accounts = scope(ctx.cycle, bp).filter(id__gte=first_id, id__lte=last_id)
    if account_ids is not None:
        accounts = accounts.filter(id__in=list(account_ids))
    rows = list(
        accounts.order_by("id").values_list(
            "id", "use_type", "status", "start_date", "end_date", "premise_id", "premise__building_use"
        )
    )
    outcome = Outcome(accounts=len(rows))
    if not rows:
        return outcome
    # A cycle's accounts are spread over the whole id range: every query below names the
    # chunk's accounts (or premises) rather than a range, or it would read other cycles' rows.
    ids = [row[0] for row in rows]
    billed = set(
        Bill.objects.filter(account_id__in_ids=ids, period=bp.period, status=BillStatus.ISSUED).values_list(
            "account_id", flat=True
        )
    )
    rows = [row for row in rows if row[0] not in billed]
    if not rows:
        return outcome
    last_bills = _last_bills([row[0] for row in rows], bp)
    drafts: dict[int, Draft] = {}
    for account_id, use_type, _status, start_date, end_date, premise_id, building_use in rows:
        last = last_bills.get(account_id)
        closing = end_date is not None and end_date <= bp.window_to
        drafts[account_id] = Draft(
            account_id=account_id,
            use_type=use_type,
            kind=BillKind.FINAL if closing else BillKind.REGULAR,
            start=last[0] if last else start_date,
            previous_value=last[1] if last else None,
            partial=closing or (last is None and start_date > bp.previous_read_on),
            premise_id=premise_id,
            mixed=building_use == BuildingUse.MIXED,
        )
    statuses = {row[0]: row[2] for row in rows}
    end_dates = {row[0]: row[4] for row in rows}
    ids = list(drafts)
    readings = _readings(ids, min(d.start for d in drafts.values()), bp.window_to)
    rereads = _rereads(ids, bp)
    meters = _meters({d.premise_id for d in drafts.values()}, bp)

    exceptions: list[tuple] = []
    to_estimate: list[Draft] = []

    def refuse(draft, reason, detail=""):
        exceptions.append((ctx.run_id, draft.account_id, reason, detail[:300], ctx.now))
        drafts.pop(draft.account_id)

    for draft in list(drafts.values()):
        mine = [r for r in readings.get(draft.account_id, ()) if r.read_on >= draft.start]
        if draft.previous_value is None:
            opening = [r for r in mine if r.read_on == draft.start and r.status == ReadingStatus.VALID]
            draft.previous_value = opening[-1].value if opening else None
        after = [r for r in mine if r.read_on > draft.start]
        valid = [r for r in after if r.status == ReadingStatus.VALID]
        if draft.kind == BillKind.FINAL:
            candidates = [r for r in valid if r.read_on <= end_dates[draft.account_id]]
        else:
            candidates = [r for r in valid if r.read_on >= bp.window_from]
        end = candidates[-1] if candidates else None
        held = [
            r
            for r in after
            if r.status == ReadingStatus.HELD
            and r.read_on >= bp.window_from
            and (end is None or r.read_on > end.read_on)
        ]
        if held:
            refuse(
                draft,
                RunExceptionReason.HELD_READING,
                _("Reading of %(date)s waits for review.") % {"date": held[-1].read_on.isoformat()},
            )
            continue
        if end is None:
            if draft.account_id in rereads:
                refuse(draft, RunExceptionReason.REREAD)
            elif statuses[draft.account_id] == AccountStatus.SUSPENDED:
                refuse(draft, RunExceptionReason.SUSPENDED)
            elif draft.premise_id not in meters:
                refuse(draft, RunExceptionReason.NO_METER)
            else:
                draft.water_m3 = sum(r.consumption for r in valid)
                to_estimate.append(draft)
            continue
        draft.end = end
        draft.water_m3 = sum(r.consumption for r in valid if r.read_on <= end.read_on)

    estimates = _estimate(ctx, to_estimate, meters, refuse)
    bills = _price(ctx, list(drafts.values()), meters, refuse)

    if estimates:
        insert_rows(MeterReading, ESTIMATE_FIELDS, estimates)
    if bills:
        bill_ids = reserve_ids(Bill, len(bills))
        insert_rows(
            Bill, ["id", *BILL_FIELDS], [(bid, *bill) for bid, bill in zip(bill_ids, bills, strict=True)]
        )
        outcome.bill_ids_by_account = {bill[0]: bid for bid, bill in zip(bill_ids, bills, strict=True)}
    if exceptions and record_exceptions:
        insert_rows(RunException, EXCEPTION_FIELDS, exceptions)
    outcome.refusals = exceptions
    outcome.bills = len(bills)
    outcome.estimated = len(estimates)
    outcome.exceptions = len(exceptions)
    outcome.amount = sum(bill[BILL_FIELDS.index("total")] for bill in bills)
    outcome.water_m3 = sum(bill[BILL_FIELDS.index("water_m3")] for bill in bills)
    return outcome


def _last_bills(ids: list[int], bp: BillingPeriod) -> dict[int, tuple[date, int]]:
    """Each account's last issued bill before the month: (its reading day, its register value).

    Usually last month's bill, found by an exact index lookup; only accounts without one
    (new, or a month skipped) are looked up among all their earlier bills.
    """
    issued = Bill.objects.filter(status=BillStatus.ISSUED)
    found = {
        account: (day, value)
        for account, day, value in issued.filter(
            account_id__in_ids=ids, period=bp.previous_period
        ).values_list("account_id", "period_end", "current_value")
    }
    missing = [account for account in ids if account not in found]
    if missing:
        older = (
            issued.filter(account_id__in_ids=missing, period__lt=bp.period)
            .order_by("account_id", "period_end", "id")
            .values_list("account_id", "period_end", "current_value")
        )
        for account, day, value in older:  # ascending: the last one of each account stays
            found[account] = (day, value)
    return found


def _readings(ids: list[int], since: date, until: date) -> dict[int, list[Reading]]:
    by_account: dict[int, list[Reading]] = defaultdict(list)
    rows = (
        MeterReading.objects.filter(account_id__in_ids=ids, read_on__gte=since, read_on__lte=until)
        .exclude(status=ReadingStatus.VOID)
        .order_by("account_id", "read_on", "id")
        .values_list("account_id", "id", "read_on", "value", "kind", "status", "consumption", "meter_id")
    )
    for account, rid, day, value, kind, status, consumption, meter in rows:
        by_account[account].append(Reading(rid, day, value, kind, status, consumption or 0, meter))
    return by_account


def _rereads(ids: list[int], bp: BillingPeriod) -> set[int]:
    return set(
        ReadingException.objects.filter(
            account_id__in_ids=ids,
            status=ExceptionStatus.REREAD,
            reading__read_on__gte=bp.window_from,
            reading__read_on__lte=bp.window_to,
        ).values_list("account_id", flat=True)
    )


@dataclass
class MeterAtPremise:
    meter_id: int
    diameter_mm: int
    register_limit: int
    households: int = 1


def _meters(premise_ids: set[int], bp: BillingPeriod) -> dict[int, MeterAtPremise]:
    """The meter at each premise of the chunk's accounts on the reading day, and its households."""
    meters: dict[int, MeterAtPremise] = {}
    installs = (
        MeterInstallation.objects.filter(premise_id__in_ids=premise_ids, installed_on__lte=bp.window_to)
        .order_by("premise_id", "installed_on", "id")
        .values_list("premise_id", "meter_id", "meter__diameter_mm", "meter__dials")
    )
    for premise, meter, diameter, dials in installs:
        meters[premise] = MeterAtPremise(meter, diameter, 10**dials)
    counts = (
        PremiseHouseholdCount.objects.filter(premise_id__in_ids=premise_ids, effective_from__lte=bp.read_on)
        .order_by("premise_id", "effective_from", "id")
        .values_list("premise_id", "households")
    )
    for premise, households in counts:
        if premise in meters:
            meters[premise].households = households
    return meters


def _estimate(ctx: RunContext, drafts: list[Draft], meters, refuse) -> list[tuple]:
    """Write an estimated reading for each draft that can be estimated; refuse the others."""
    if not drafts:
        return []
    bp = ctx.bp
    ids = [d.account_id for d in drafts]
    meter_ids = [meters[d.premise_id].meter_id for d in drafts]
    use = {
        row["account_id"]: (row["used"], row["spent"])
        for row in MeterReading.objects.filter(
            account_id__in_ids=ids,
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
        MeterReading.objects.filter(meter_id__in_ids=meter_ids, status=ReadingStatus.VALID)
    )
    reading_ids = iter(reserve_ids(MeterReading, len(drafts)))
    rows = []
    for draft in drafts:
        meter = meters[draft.premise_id]
        used, spent = use.get(draft.account_id, (0, 0))
        base = last.get(meter.meter_id)
        if spent < settings.BILLING_ESTIMATE_MIN_DAYS or base is None or base.read_on >= bp.read_on:
            refuse(
                draft,
                RunExceptionReason.NO_READING,
                _("%(days)s days of readings in the last year; %(needed)s are needed to estimate.")
                % {"days": spent, "needed": settings.BILLING_ESTIMATE_MIN_DAYS},
            )
            continue
        days = (bp.read_on - base.read_on).days
        estimate = round(used * days / spent)
        value = base.value + estimate
        rolled_over = value >= meter.register_limit
        value %= meter.register_limit
        reading_id = next(reading_ids)
        rows.append(
            (reading_id, meter.meter_id, draft.account_id, bp.read_on, value, ReadingKind.ESTIMATED,
             rolled_over, ReadingStatus.VALID, estimate, days, ctx.now)
        )  # fmt: skip
        draft.end = Reading(
            reading_id,
            bp.read_on,
            value,
            ReadingKind.ESTIMATED,
            ReadingStatus.VALID,
            estimate,
            meter.meter_id,
        )
        draft.water_m3 += estimate
    return rows


def _price(ctx: RunContext, drafts: list[Draft], meters, refuse) -> list[tuple]:
    """Bill rows for the drafts, priced group by group (use type × tariff versions in force)."""
    bp = ctx.bp
    full_days = bp.full_days
    sewer_rules = _sewer_rules(drafts, bp)
    groups: dict[tuple, list[Draft]] = defaultdict(list)
    group_pieces: dict[tuple, list] = {}
    pieces_by_window: dict[tuple[date, date], list] = {}
    for draft in drafts:
        end_day = draft.end.read_on
        window = (max(draft.start, end_day - timedelta(days=full_days)) + timedelta(days=1), end_day)
        if window not in pieces_by_window:
            pieces_by_window[window] = split_by_version(ctx.versions, *window)
        pieces = pieces_by_window[window]
        wanted = (window[1] - window[0]).days + 1
        if sum(segment.days for _v, segment in pieces) < wanted:
            refuse(
                draft,
                RunExceptionReason.NO_TARIFF,
                _("No tariff version is in force on %(date)s.") % {"date": window[0].isoformat()},
            )
            continue
        # One version: its days do not matter, so all such accounts share one group.
        key = (draft.use_type, tuple((v.pk, s.days if len(pieces) > 1 else 0) for v, s in pieces))
        groups[key].append(draft)
        group_pieces.setdefault(key, pieces)

    bills = []
    for key, members in groups.items():
        use_type, pieces = key[0], group_pieces[key]
        segments = [segment for _v, segment in pieces]
        water = np.array([d.water_m3 for d in members], dtype=np.int64)
        sewer = np.array(
            [
                sewer_rules[d.account_id].sewer_m3(d.water_m3, bp.months)
                if d.account_id in sewer_rules
                else d.water_m3
                for d in members
            ],
            dtype=np.int64,
        )
        days = np.array(
            [min((d.end.read_on - d.start).days, full_days) if d.partial else full_days for d in members],
            dtype=np.int64,
        )
        at = [meters[d.premise_id] for d in members]
        consumers = Consumers(
            use_type=use_type,
            water_m3=water,
            sewer_m3=sewer,
            households=np.array([m.households for m in at], dtype=np.int64),
            diameter_mm=np.array([m.diameter_mm for m in at], dtype=np.int64),
            mixed=np.array([d.mixed for d in members], dtype=bool),
            months=np.full(len(members), bp.months, dtype=np.int64),
            days=days,
            full_days=np.full(len(members), full_days, dtype=np.int64),
        )
        try:
            charges = price(segments, consumers)
        except MissingSchedule as missing:
            for draft in members:
                refuse(draft, RunExceptionReason.NO_TARIFF, str(missing))
            continue
        codes = list(charges)
        matrix = np.stack([charges[code] for code in codes], axis=1).astype(np.int64)
        subtotals = matrix.sum(axis=1)
        version_id = pieces[-1][0].pk
        for index, draft in enumerate(members):
            subtotal = int(subtotals[index])
            bills.append(
                (
                    draft.account_id, ctx.run_id, bp.period, draft.kind, BillStatus.ISSUED, use_type, draft.start,
                    draft.end.read_on, (draft.end.read_on - draft.start).days, draft.previous_value,
                    draft.end.value, draft.end.id, draft.end.kind == ReadingKind.ESTIMATED, draft.water_m3,
                    int(sewer[index]), int(consumers.households[index]), version_id,
                    [[code, int(matrix[index, col])] for col, code in enumerate(codes)],
                    subtotal, 0, subtotal, ctx.issued_on, ctx.due_on, ctx.now,
                )
            )  # fmt: skip
    return bills


def _sewer_rules(drafts: list[Draft], bp: BillingPeriod) -> dict[int, SewerVolume]:
    if not drafts:
        return {}
    rules = {}
    for rule in SewerVolume.objects.filter(
        account_id__in_ids=[d.account_id for d in drafts], effective_from__lte=bp.read_on
    ).order_by("account_id", "effective_from"):
        rules[rule.account_id] = rule
    return rules
