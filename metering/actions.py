"""Metering operations (DESIGN.md §5): the billing officer's answers to the exceptions queue."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none

from . import events
from .choices import ExceptionReason, ExceptionStatus, ReadingKind, ReadingStatus
from .imports import import_readings
from .models import MeterReading, ReadingException
from .readings import check_next_reading, consumption_between, last_reading

__all__ = ["accept_reading", "correct_reading", "import_readings", "order_reread"]


def _open(exception: ReadingException) -> ReadingException:
    exception = (
        ReadingException.objects.select_for_update(of=("self",))
        .select_related("reading__meter", "account")
        .get(pk=exception.pk)
    )
    if exception.status != ExceptionStatus.OPEN:
        raise ValidationError(
            _("This exception was already resolved (%(status)s).")
            % {"status": exception.get_status_display()}
        )
    return exception


def _later_reading_exists(reading: MeterReading) -> bool:
    return (
        MeterReading.objects.filter(
            meter=reading.meter, status=ReadingStatus.VALID, read_on__gt=reading.read_on
        )
        .exclude(pk=reading.pk)
        .exists()
    )


def _resolve(exception, status, note, acting_user, outcome, correction=None):
    exception.status = status
    exception.resolved_by = user_or_none(acting_user)
    exception.resolved_at = timezone.now()
    exception.resolution_note = note.strip()
    exception.correction = correction
    exception.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note", "correction"])
    reading = exception.reading
    record_event(
        events.READING_EXCEPTION_RESOLVED,
        actor=acting_user,
        subject=reading,
        household_id=exception.account.premise_id if exception.account else None,
        details={"meter": reading.meter.serial, "read_on": reading.read_on.isoformat(), "outcome": outcome},
        reason=note.strip(),
    )
    return exception


@transaction.atomic
def accept_reading(exception: ReadingException, *, note: str = "", acting_user) -> ReadingException:
    """The reading is right after all (a leak, a long absence, a rollover): billing may use it."""
    exception = _open(exception)
    reading = exception.reading
    if reading.consumption is None and ExceptionReason.LOWER in exception.reasons:
        raise ValidationError(
            _("A reading lower than the last one cannot be accepted as it is: correct it or order a re-read.")
        )
    if _later_reading_exists(reading):
        raise ValidationError(
            _("Meter %(serial)s has a later reading, counted without this one: correct or re-read instead.")
            % {"serial": reading.meter.serial}
        )
    reading.status = ReadingStatus.VALID
    reading.save(update_fields=["status"])
    return _resolve(exception, ExceptionStatus.ACCEPTED, note, acting_user, _("accepted"))


@transaction.atomic
def correct_reading(
    exception: ReadingException, *, value: int, rolled_over: bool = False, note: str, acting_user
) -> ReadingException:
    """Replace the held reading by the right register value (a misread digit); the held one is kept, void."""
    exception = _open(exception)
    reading = exception.reading
    if not (note or "").strip():
        raise ValidationError({"note": _("Say where the corrected value comes from (photo, call, re-read).")})
    if _later_reading_exists(reading):
        raise ValidationError(
            _("Meter %(serial)s has a later reading; correct that one's base first.")
            % {"serial": reading.meter.serial}
        )
    reading.status = ReadingStatus.VOID
    reading.save(update_fields=["status"])
    check_next_reading(
        reading.meter, value=value, read_on=reading.read_on, rolled_over=rolled_over, value_field="value"
    )
    previous = last_reading(reading.meter)
    consumption = days = None
    if previous is not None:
        consumption = consumption_between(reading.meter, previous.value, value, rolled_over)
        days = (reading.read_on - previous.read_on).days
    correction = MeterReading.objects.create(
        meter=reading.meter,
        account=reading.account,
        read_on=reading.read_on,
        value=value,
        kind=ReadingKind.ACTUAL if reading.kind == ReadingKind.ESTIMATED else reading.kind,
        rolled_over=rolled_over,
        status=ReadingStatus.VALID,
        consumption=consumption,
        days=days,
        source=reading.source,
        reader=reading.reader,
        note=note.strip()[:200],
        recorded_by=user_or_none(acting_user),
    )
    outcome = _("corrected from %(old)s to %(new)s") % {"old": f"{reading.value:,}", "new": f"{value:,}"}
    return _resolve(exception, ExceptionStatus.CORRECTED, note, acting_user, outcome, correction=correction)


@transaction.atomic
def order_reread(exception: ReadingException, *, note: str = "", acting_user) -> ReadingException:
    """Send the reader back; the held reading is void and the account waits for the new one."""
    exception = _open(exception)
    reading = exception.reading
    reading.status = ReadingStatus.VOID
    reading.save(update_fields=["status"])
    return _resolve(exception, ExceptionStatus.REREAD, note, acting_user, _("re-read ordered"))
