"""Checks every registry operation applies to a register value before writing it."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit import user_or_none

from .choices import ReadingKind, ReadingStatus
from .models import MeterReading


def record_reading(
    meter, *, value: int, read_on: date, kind: str, acting_user, rolled_over: bool = False, account=None
) -> MeterReading:
    """Write a reading that :func:`check_next_reading` has accepted.

    Like an imported reading, it carries the consumption since the meter's previous
    valid reading, which is what billing sums (an install reading starts a meter's count).
    """
    consumption = days = None
    previous = last_reading(meter) if kind != ReadingKind.INSTALL else None
    if previous is not None:
        consumption = consumption_between(meter, previous.value, value, rolled_over)
        days = (read_on - previous.read_on).days
    return MeterReading.objects.create(
        meter=meter,
        account=account,
        read_on=read_on,
        value=value,
        kind=kind,
        rolled_over=rolled_over,
        consumption=consumption,
        days=days,
        recorded_by=user_or_none(acting_user),
    )


def consumption_between(meter, previous: int, value: int, rolled_over: bool) -> int:
    """m³ used from register ``previous`` to ``value`` (across zero when the register rolled over)."""
    return meter.register_limit - previous + value if rolled_over else value - previous


def last_reading(meter) -> MeterReading | None:
    """The meter's latest reading billing may use (held and void readings do not count)."""
    return (
        MeterReading.objects.filter(meter=meter, status=ReadingStatus.VALID)
        .order_by("-read_on", "-id")
        .first()
    )


def check_next_reading(
    meter,
    *,
    value: int | None,
    read_on: date,
    rolled_over: bool = False,
    value_field: str = "reading",
    date_field: str = "on",
) -> None:
    """Refuse a reading that cannot follow the meter's last one.

    Errors are keyed by the caller's form field names so a form shows them
    beside the right input.
    """
    if value is None:
        raise ValidationError({value_field: _("Enter the meter reading.")})
    if value < 0:
        raise ValidationError({value_field: _("A meter reading cannot be negative.")})
    if value >= meter.register_limit:
        raise ValidationError(
            {
                value_field: _("Meter %(serial)s has %(dials)s dials, so its register shows at most %(max)s.")
                % {"serial": meter.serial, "dials": meter.dials, "max": f"{meter.register_limit - 1:,}"}
            }
        )
    last = last_reading(meter)
    if last is None:
        if rolled_over:
            raise ValidationError(
                {
                    value_field: _("Meter %(serial)s has no earlier reading to roll over from.")
                    % {"serial": meter.serial}
                }
            )
        return
    if read_on < last.read_on:
        raise ValidationError(
            {
                date_field: _("The date cannot be before the meter's last reading on %(date)s.")
                % {"date": date_format(last.read_on)}
            }
        )
    if rolled_over and value >= last.value:
        raise ValidationError(
            {
                value_field: _(
                    "A rolled-over register must show less than the last reading (%(last)s); "
                    "untick “register rolled over”."
                )
                % {"last": f"{last.value:,}"}
            }
        )
    if not rolled_over and value < last.value:
        raise ValidationError(
            {
                value_field: _(
                    "The reading %(value)s is lower than the last reading %(last)s on %(date)s. "
                    "Check the number; if the register passed its maximum, tick “register rolled over”."
                )
                % {"value": f"{value:,}", "last": f"{last.value:,}", "date": date_format(last.read_on)}
            }
        )
