"""Importing AMI head-ends' hourly flow files (format in docs/import-formats.md).

Head-ends send the litres each remote-read meter passed in each hour, usually in
overlapping windows (the last day or three). Every row ends in exactly one place:
accepted (a new hour on record), already on record (the same hour with the same litres:
no error), or rejected with a reason in the file's rejection report. A file imported
twice is recognised by its content and changes nothing. Set-based: a few queries for the
whole file, one bulk write, one transaction; the hourly scan of the file's meters follows
once it is committed.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none
from core.bulk import ANALYZE_AFTER_ROWS, insert_columns, refresh_statistics
from core.lookups import Ids
from core.uploads import check_header
from customers.models import Meter, MeterInstallation
from metering.imports import decode

from . import events
from .models import FlowImport, FlowRejection, HourlyFlow
from .tasks import scan_flow_import

COLUMNS = ("meter", "hour", "litres")
# Hours older than this explain nothing the scan still looks at; a head-end's backlog
# of years is loaded by the operator another way.
OLDEST_HOUR_DAYS = 400
# The most a meter can pass in an hour: the overload flow Q4 = 1.25 × Q3 of ISO 4064 /
# KS B 5336 for its nominal size (mm → m³/h of Q3). More is a head-end fault, not use.
PERMANENT_FLOW_M3_PER_HOUR = {
    15: 2.5, 20: 4.0, 25: 6.3, 32: 10, 40: 16, 50: 25, 65: 40, 80: 63,
    100: 100, 125: 160, 150: 250, 200: 400, 250: 630, 300: 1000,
}  # fmt: skip


def most_litres_in_an_hour(diameter_mm: int) -> int:
    sizes = sorted(PERMANENT_FLOW_M3_PER_HOUR)
    size = sizes[min(bisect.bisect_left(sizes, diameter_mm), len(sizes) - 1)]
    return int(PERMANENT_FLOW_M3_PER_HOUR[size] * 1.25 * 1000)


@dataclass
class FlowImportOutcome:
    source: FlowImport
    repeated: bool = False  # the same file was imported before; nothing changed
    rejected: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    raw: str
    serial: str
    hour: datetime
    litres: int
    meter_id: int = 0


@transaction.atomic
def import_hourly_flows(
    name: str, content: bytes, *, acting_user, now: datetime | None = None
) -> FlowImportOutcome:
    """Import one hourly flow file; refuses the whole file only when it cannot be read as one."""
    if len(content) > settings.READING_FILE_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(max)s MB; split it.")
            % {"max": settings.READING_FILE_MAX_BYTES // 2**20}
        )
    digest = hashlib.sha256(content).hexdigest()
    _one_import_at_a_time()
    earlier = FlowImport.objects.filter(sha256=digest).first()
    if earlier is not None:
        return FlowImportOutcome(source=earlier, repeated=True)
    reader = csv.reader(io.StringIO(decode(content)))
    header = [column.strip().lower() for column in next(reader, [])]
    check_header(header, COLUMNS, COLUMNS)
    now = now or timezone.now()

    rows, rejected = [], []
    parse = _Parser(header, now)
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue  # blank line
        parsed = parse(line, values)
        (rejected if isinstance(parsed, tuple) else rows).append(parsed)
    if not rows and not rejected:
        raise ValidationError(_("The file has a header but no hourly flows."))

    new, already = _check_against_registry(rows, rejected)
    hours = [row.hour for row in new]
    source = FlowImport.objects.create(
        name=name[:200],
        sha256=digest,
        uploaded_by=user_or_none(acting_user),
        rows=len(new) + already + len(rejected),
        accepted=len(new),
        already_on_record=already,
        rejected=len(rejected),
        first_hour=min(hours) if hours else None,
        last_hour=max(hours) if hours else None,
    )
    if new:
        insert_columns(
            HourlyFlow,
            ["meter", "hour", "litres", "source"],
            [[row.meter_id for row in new], hours, [row.litres for row in new], [source.pk] * len(new)],
        )
        if len(new) >= ANALYZE_AFTER_ROWS:
            refresh_statistics(HourlyFlow)
        meter_ids, until = sorted({row.meter_id for row in new}), source.last_hour.isoformat()
        transaction.on_commit(lambda: scan_flow_import.delay(meter_ids, until))
    rejected.sort()
    FlowRejection.objects.bulk_create(
        [
            FlowRejection(source=source, line=line, raw=raw[:2000], reason=reason[:300])
            for line, raw, reason in rejected
        ],
        batch_size=2000,
    )
    record_event(
        events.FLOWS_IMPORTED,
        actor=acting_user,
        subject=source,
        details={
            "file": source.name,
            "accepted": source.accepted,
            "already": already,
            "rejected": source.rejected,
        },
    )
    return FlowImportOutcome(source=source, rejected=[(line, reason) for line, _raw, reason in rejected])


def _one_import_at_a_time() -> None:
    """Two head-end files at once would race for the same hours: the second waits for the first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('proactive.import_hourly_flows'))")


class _Parser:
    """A row's fields, or (line, raw, why it is rejected). Hours repeat down a file: each is parsed once."""

    def __init__(self, header: list[str], now: datetime):
        self.index = {name: header.index(name) for name in COLUMNS}
        self.width = len(header)
        self.latest = now - timedelta(hours=1)  # the hour must be over
        self.oldest = now - timedelta(days=OLDEST_HOUR_DAYS)
        self.hours: dict[str, datetime | str] = {}

    def __call__(self, line: int, values: list[str]) -> _Row | tuple[int, str, str]:
        raw = ",".join(values)
        if len(values) != self.width:
            return line, raw, _("The row does not have as many fields as the header.")
        serial = values[self.index["meter"]].strip()
        if not serial:
            return line, raw, _("No meter serial is given.")
        hour_text = values[self.index["hour"]].strip()
        hour = self.hours.get(hour_text)
        if hour is None:
            hour = self.hours[hour_text] = self._hour(hour_text)
        if isinstance(hour, str):
            return line, raw, hour
        litres_text = values[self.index["litres"]].strip().replace(",", "")
        if not litres_text.isdigit():
            return line, raw, _("The litres “%(value)s” are not a whole number.") % {"value": litres_text}
        return _Row(line, raw, serial, hour, int(litres_text))

    def _hour(self, text: str) -> datetime | str:
        try:
            hour = parse_datetime(text.replace(" ", "T", 1))
        except ValueError:
            hour = None
        if hour is None:
            return _("The hour “%(value)s” is not a date and time (YYYY-MM-DDTHH:00).") % {"value": text}
        if timezone.is_naive(hour):
            hour = timezone.make_aware(hour)  # the head-end's clock is Seoul's
        if hour.minute or hour.second or hour.microsecond:
            return _("The hour “%(value)s” does not start on the hour.") % {"value": text}
        if hour > self.latest:
            return _("The hour starting %(value)s is not over yet.") % {"value": text}
        if hour < self.oldest:
            return _("The hour starting %(value)s is more than %(days)s days old.") % {
                "value": text,
                "days": OLDEST_HOUR_DAYS,
            }
        return hour


def _check_against_registry(rows: list[_Row], rejected: list) -> tuple[list[_Row], int]:
    """The rows new to the registry (with their meter), and how many were already on record."""
    if not rows:
        return [], 0
    meters = {
        serial: (pk, diameter, remote)
        for serial, pk, diameter, remote in Meter.objects.filter(
            serial__in={r.serial for r in rows}
        ).values_list("serial", "pk", "diameter_mm", "remote_read")
    }
    meter_ids = [m[0] for m in meters.values()]
    installed: dict[int, list[tuple]] = {}
    for meter, on, off in MeterInstallation.objects.filter(meter_id__in_ids=Ids(meter_ids)).values_list(
        "meter_id", "installed_on", "removed_on"
    ):
        installed.setdefault(meter, []).append((on, off))
    first, last = min(r.hour for r in rows), max(r.hour for r in rows)
    on_record = {
        (meter, hour): litres
        for meter, hour, litres in HourlyFlow.objects.filter(
            meter_id__in_ids=Ids(meter_ids), hour__gte=first, hour__lte=last
        ).values_list("meter_id", "hour", "litres")
    }
    new, already, seen = [], 0, set()
    for row in rows:
        meter = meters.get(row.serial)
        reason = None
        if meter is None:
            reason = _("No meter %(serial)s.") % {"serial": row.serial}
        elif not meter[2]:
            reason = _("Meter %(serial)s is not a remote-read (AMI) meter.") % {"serial": row.serial}
        else:
            day = timezone.localtime(row.hour).date()
            if not any(on <= day and (off is None or off >= day) for on, off in installed.get(meter[0], [])):
                reason = _("Meter %(serial)s was not installed anywhere on %(date)s.") % {
                    "serial": row.serial,
                    "date": day.isoformat(),
                }
            elif row.litres > most_litres_in_an_hour(meter[1]):
                reason = _(
                    "%(litres)s litres in an hour is more than a %(mm)s mm meter can pass (%(most)s)."
                ) % {
                    "litres": row.litres,
                    "mm": meter[1],
                    "most": most_litres_in_an_hour(meter[1]),
                }
        if reason is None:
            key = (meter[0], row.hour)
            recorded = on_record.get(key)
            if key in seen:
                reason = _("Meter %(serial)s has the hour %(hour)s twice in this file.") % {
                    "serial": row.serial,
                    "hour": _shown(row.hour),
                }
            elif recorded is not None and recorded != row.litres:
                reason = _("The hour %(hour)s of meter %(serial)s is on record with %(litres)s litres.") % {
                    "serial": row.serial,
                    "hour": _shown(row.hour),
                    "litres": recorded,
                }
            elif recorded is not None:
                seen.add(key)
                already += 1
                continue
        if reason is not None:
            rejected.append((row.line, row.raw, reason))
            continue
        seen.add(key)
        row.meter_id = meter[0]
        new.append(row)
    return new, already


def _shown(hour: datetime) -> str:
    return timezone.localtime(hour).strftime("%Y-%m-%d %H:00")
