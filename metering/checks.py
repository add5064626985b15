"""The checks a reading from a file must pass, and the context they need, fetched set-based.

A row is **rejected** (never stored) when it cannot be a reading of that meter: dated
before the meter's last reading, beyond the register's dials, or already on record for
that day. A row that can be a reading but looks wrong is stored **held** and goes to the
exceptions queue with its reasons:

- lower than the last reading (and not a rollover of the register);
- a rollover of the register (the last reading near the top of its dials, the new one
  near zero): consumption is counted across zero, and an officer confirms it;
- no consumption on an active account;
- consumption outside the band around the expected (``READING_TOLERANCE_HIGH`` /
  ``_LOW``): the household's own daily use in the same season last year, else over the
  last twelve months, times the days since the last reading;
- the meter was replaced during the period (its last reading is the install reading of a
  replacement): the old meter's part has to be checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from customers.choices import AccountStatus
from customers.models import MeterInstallation

from .choices import IMPORTED_KINDS, MEASURED_KINDS, ExceptionReason, ReadingKind, ReadingStatus
from .models import MeterReading
from .readings import consumption_between

CHUNK = 5000
# A register "rolls over" when the last reading was in the top tenth of its range and the new one
# is in the bottom tenth; anything else lower than the last reading is a suspicious reading.
ROLLOVER_TOP_SHARE = 0.9
ROLLOVER_BOTTOM_SHARE = 0.1


@dataclass
class Verdict:
    consumption: int | None
    days: int | None
    rolled_over: bool = False
    reasons: tuple[str, ...] = ()
    expected: int | None = None


@dataclass
class Last:
    read_on: date
    value: int
    kind: str


@dataclass
class Context:
    last: dict[int, Last] = field(default_factory=dict)  # meter id → its latest valid reading
    taken: set[tuple[int, date]] = field(default_factory=set)  # (meter, day) already on record
    yearly_daily: dict[int, float] = field(default_factory=dict)  # m³/day over the last 12 months
    season_daily: dict[int, float] = field(default_factory=dict)  # m³/day around the same time last year
    replaced: set[int] = field(default_factory=set)  # meters installed as a replacement


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def load_context(rows) -> Context:
    context = Context()
    meter_ids = {row.meter.pk for row in rows}
    if not meter_ids:
        return context
    days = [row.read_on for row in rows]
    first, last = min(days), max(days)
    middle = first + (last - first) / 2
    for ids in _chunks(meter_ids):
        valid = MeterReading.objects.filter(meter_id__in=ids, status=ReadingStatus.VALID)
        context.last.update(latest_by_meter(valid))
        context.taken.update(
            MeterReading.objects.filter(
                meter_id__in=ids, read_on__gte=first, read_on__lte=last, kind__in=IMPORTED_KINDS
            )
            .exclude(status=ReadingStatus.VOID)
            .values_list("meter_id", "read_on")
        )
        with_use = valid.filter(kind__in=MEASURED_KINDS, consumption__isnull=False, days__gt=0)
        for target, start, end in (
            (context.yearly_daily, first - timedelta(days=365), last),
            (context.season_daily, middle - timedelta(days=395), middle - timedelta(days=335)),
        ):
            for row in (
                with_use.filter(read_on__gte=start, read_on__lte=end)
                .values("meter_id")
                .annotate(used=Sum("consumption"), spent=Sum("days"), n=Count("id"))
            ):
                if row["spent"]:
                    target[row["meter_id"]] = row["used"] / row["spent"]
        installs = MeterInstallation.objects.filter(meter_id__in=ids).values_list(
            "meter_id", "premise_id", "installed_on"
        )
        earlier = {
            (premise, removed)
            for premise, removed in MeterInstallation.objects.filter(
                premise_id__in={p for _m, p, _d in installs}, removed_on__isnull=False
            ).values_list("premise_id", "removed_on")
        }
        context.replaced.update(meter for meter, premise, day in installs if (premise, day) in earlier)
    return context


def latest_by_meter(readings) -> dict[int, Last]:
    """Each meter's latest reading among ``readings`` (a queryset)."""
    fields = ("meter_id", "read_on", "value", "kind")
    if connection.vendor == "postgresql":
        rows = readings.order_by("meter_id", "-read_on", "-id").distinct("meter_id").values_list(*fields)
        return {meter: Last(day, value, kind) for meter, day, value, kind in rows}
    latest: dict[int, Last] = {}
    for meter, day, value, kind in readings.order_by("meter_id", "read_on", "id").values_list(*fields):
        latest[meter] = Last(day, value, kind)
    return latest


def expected_use(context: Context, meter_id: int, days: int) -> int | None:
    daily = context.season_daily.get(meter_id, context.yearly_daily.get(meter_id))
    return None if daily is None else round(daily * days)


def judge(row, context: Context) -> Verdict | str:
    """The row's verdict, or the reason it is rejected. A valid reading becomes the meter's last."""
    meter = row.meter
    if row.value >= meter.register_limit:
        return _("Meter %(serial)s has %(dials)s dials, so its register shows at most %(max)s.") % {
            "serial": meter.serial,
            "dials": meter.dials,
            "max": f"{meter.register_limit - 1:,}",
        }
    if (meter.pk, row.read_on) in context.taken:
        return _("Meter %(serial)s already has a reading on %(date)s.") % {
            "serial": meter.serial,
            "date": row.read_on.isoformat(),
        }
    last = context.last.get(meter.pk)
    if last is None:
        verdict = Verdict(consumption=None, days=None)  # the meter's first reading: nothing to compare
    elif row.read_on < last.read_on:
        return _("The reading date is before the meter's last reading on %(date)s.") % {
            "date": last.read_on.isoformat()
        }
    else:
        verdict = _compare(row, last, context)
    context.taken.add((meter.pk, row.read_on))
    if not verdict.reasons:
        context.last[meter.pk] = Last(row.read_on, row.value, row.kind)
    return verdict


def _compare(row, last: Last, context: Context) -> Verdict:
    meter, days = row.meter, (row.read_on - last.read_on).days
    reasons, rolled_over = [], False
    if row.value >= last.value:
        consumption = consumption_between(meter, last.value, row.value, False)
    else:
        limit = meter.register_limit
        if last.value >= limit * ROLLOVER_TOP_SHARE and row.value < limit * ROLLOVER_BOTTOM_SHARE:
            consumption, rolled_over = consumption_between(meter, last.value, row.value, True), True
            reasons.append(ExceptionReason.ROLLOVER)
        else:
            return Verdict(consumption=None, days=days, reasons=(ExceptionReason.LOWER,))
    if last.kind == ReadingKind.INSTALL and meter.pk in context.replaced:
        reasons.append(ExceptionReason.METER_CHANGED)
    active = row.account is not None and row.account.status == AccountStatus.ACTIVE
    if consumption == 0 and active and days > 0:
        reasons.append(ExceptionReason.ZERO)
    expected = expected_use(context, meter.pk, days) if days > 0 else None
    if consumption and expected is not None and expected >= settings.READING_MIN_EXPECTED_M3:
        if consumption > expected * (1 + settings.READING_TOLERANCE_HIGH):
            reasons.append(ExceptionReason.HIGH)
        elif consumption < expected * (1 - settings.READING_TOLERANCE_LOW):
            reasons.append(ExceptionReason.LOW)
    return Verdict(
        consumption=consumption, days=days, rolled_over=rolled_over, reasons=tuple(reasons), expected=expected
    )
