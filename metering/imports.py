"""Importing reading files from handheld terminals and AMI head-ends (docs/import-formats.md).

Every row ends in exactly one place: accepted (a valid reading billing may use), held (a
reading in the exceptions queue, see :mod:`metering.checks`) or rejected with a reason in
the file's rejection report. A file imported twice is recognised by its content and
changes nothing; a reading already on record for that meter and day is rejected, never
duplicated. The work is set-based: a handful of queries for the whole file, then bulk
writes, all in one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none
from core.bulk import ANALYZE_AFTER_ROWS, refresh_statistics
from core.uploads import check_header
from customers.choices import OPEN_STATUSES
from customers.models import Account, Meter, MeterInstallation

from . import events
from .checks import Verdict, judge, load_context
from .choices import IMPORTED_KINDS, ReadingStatus
from .models import MeterReading, ReadingException, ReadingImport, ReadingRejection
from .signals import readings_imported

COLUMNS = ("account", "meter", "read_on", "value", "read_type", "reader", "note", "photo_ref")
REQUIRED = ("read_on", "value", "read_type")
READ_TYPES = {kind.value for kind in IMPORTED_KINDS}


@dataclass
class Row:
    line: int
    raw: str
    account_number: str
    serial: str
    read_on: date
    value: int
    kind: str
    reader: str
    note: str
    photo_ref: str
    meter: Meter | None = None
    account: Account | None = None
    installation: MeterInstallation | None = None


@dataclass
class ImportOutcome:
    source: ReadingImport
    repeated: bool = False  # the same file was imported before; nothing changed
    rejected: list[tuple[int, str]] = field(default_factory=list)


def decode(content: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else CP949 as older Korean terminals write."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is neither UTF-8 nor CP949 text."))


@transaction.atomic
def import_readings(name: str, content: bytes, *, acting_user, today: date | None = None) -> ImportOutcome:
    """Import one reading file; refuses the whole file only when it cannot be read as one."""
    if len(content) > settings.READING_FILE_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(max)s MB; split it.")
            % {"max": settings.READING_FILE_MAX_BYTES // 2**20}
        )
    digest = hashlib.sha256(content).hexdigest()
    earlier = ReadingImport.objects.filter(sha256=digest).first()
    if earlier is not None:
        return ImportOutcome(source=earlier, repeated=True)
    text = decode(content)
    reader = csv.reader(io.StringIO(text))
    header = [column.strip().lower() for column in next(reader, [])]
    check_header(header, COLUMNS, REQUIRED, one_of=("account", "meter"))
    today = today or timezone.localdate()

    rows, rejected = [], []
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue  # blank line
        raw = ",".join(values)
        parsed = _parse(line, raw, dict(zip(header, values, strict=False)), len(values) == len(header), today)
        if isinstance(parsed, str):
            rejected.append((line, raw, parsed))
        else:
            rows.append(parsed)
    if not rows and not rejected:
        raise ValidationError(_("The file has a header but no readings."))

    rows = _resolve(rows, rejected)
    rows.sort(key=lambda row: (row.meter.pk, row.read_on))  # a meter's readings in date order
    context = load_context(rows)
    readings, held = [], []
    for row in rows:
        verdict = judge(row, context)
        if isinstance(verdict, str):
            rejected.append((row.line, row.raw, verdict))
            continue
        readings.append((row, verdict))
    source = ReadingImport.objects.create(
        name=name[:200],
        sha256=digest,
        uploaded_by=user_or_none(acting_user),
        status="done",
        rows=len(readings) + len(rejected),
        accepted=sum(1 for _row, v in readings if not v.reasons),
        held=sum(1 for _row, v in readings if v.reasons),
        rejected=len(rejected),
    )
    created = MeterReading.objects.bulk_create(
        [_reading(row, verdict, source, acting_user) for row, verdict in readings], batch_size=2000
    )
    for reading, (row, verdict) in zip(created, readings, strict=True):
        if verdict.reasons:
            held.append(
                ReadingException(
                    reading=reading,
                    account=row.account,
                    reasons=list(verdict.reasons),
                    expected=verdict.expected,
                )
            )
    ReadingException.objects.bulk_create(held, batch_size=2000)
    if len(created) >= ANALYZE_AFTER_ROWS:
        refresh_statistics(MeterReading)
    rejected.sort()
    ReadingRejection.objects.bulk_create(
        [
            ReadingRejection(source=source, line=line, raw=raw[:2000], reason=reason[:300])
            for line, raw, reason in rejected
        ],
        batch_size=2000,
    )
    if source.accepted:
        # What else follows new readings (the unusual-usage scan) runs once they are committed.
        transaction.on_commit(lambda: readings_imported.send(sender=ReadingImport, reading_import=source))
    record_event(
        events.READINGS_IMPORTED,
        actor=acting_user,
        subject=source,
        details={
            "file": source.name,
            "accepted": source.accepted,
            "held": source.held,
            "rejected": source.rejected,
        },
    )
    return ImportOutcome(source=source, rejected=[(line, reason) for line, _raw, reason in rejected])


def _parse(line: int, raw: str, values: dict, complete: bool, today: date) -> Row | str:
    """A row's fields, or why it is rejected."""
    if not complete:
        return _("The row does not have as many fields as the header.")
    cell = {key: (value or "").strip() for key, value in values.items()}
    account_number = cell.get("account", "").replace("-", "")
    serial = cell.get("meter", "")
    if not account_number and not serial:
        return _("Neither an account number nor a meter serial is given.")
    try:
        read_on = date.fromisoformat(cell["read_on"])
    except ValueError:
        return _("The reading date “%(value)s” is not a date (YYYY-MM-DD).") % {"value": cell["read_on"]}
    if read_on > today:
        return _("The reading date %(date)s is in the future.") % {"date": read_on.isoformat()}
    value_text = cell["value"].replace(",", "")
    if not value_text.isdigit():
        return _("The register value “%(value)s” is not a whole number of m³.") % {"value": cell["value"]}
    kind = cell["read_type"].lower()
    if kind not in READ_TYPES:
        return _("The read type “%(value)s” is not one of actual, estimated, customer.") % {
            "value": cell["read_type"]
        }
    return Row(
        line=line,
        raw=raw,
        account_number=account_number,
        serial=serial,
        read_on=read_on,
        value=int(value_text),
        kind=kind,
        reader=cell.get("reader", "")[:30],
        note=cell.get("note", "")[:200],
        photo_ref=cell.get("photo_ref", "")[:200],
    )


def _resolve(rows: list[Row], rejected: list) -> list[Row]:
    """Find each row's account, meter and installation (a few bulk queries); reject what does not match."""
    accounts = {
        a.number: a
        for a in Account.objects.filter(number__in={r.account_number for r in rows if r.account_number})
    }
    meters = {m.serial: m for m in Meter.objects.filter(serial__in={r.serial for r in rows if r.serial})}
    premise_ids = {a.premise_id for a in accounts.values()}
    installations = list(
        MeterInstallation.objects.select_related("meter")
        .filter(Q(premise_id__in=premise_ids) | Q(meter__in=meters.values()))
        .order_by("installed_on", "id")
    )
    by_premise, by_meter = {}, {}
    for installation in installations:
        by_premise.setdefault(installation.premise_id, []).append(installation)
        by_meter.setdefault(installation.meter_id, []).append(installation)
    open_accounts = {}
    for account in Account.objects.filter(
        premise_id__in={i.premise_id for i in installations}, status__in=OPEN_STATUSES
    ).order_by("pk"):
        open_accounts.setdefault(account.premise_id, account)

    def installed(candidates, day):
        return next(
            (
                i
                for i in candidates
                if i.installed_on <= day and (i.removed_on is None or i.removed_on >= day)
            ),
            None,
        )

    kept, seen = [], set()
    for row in rows:
        if row.account_number:
            row.account = accounts.get(row.account_number)
            if row.account is None:
                rejected.append(
                    (row.line, row.raw, _("No account %(number)s.") % {"number": row.account_number})
                )
                continue
            row.installation = installed(by_premise.get(row.account.premise_id, []), row.read_on)
            if row.installation is None:
                rejected.append(
                    (
                        row.line,
                        row.raw,
                        _("No meter was installed at account %(number)s's premise on %(date)s.")
                        % {"number": row.account_number, "date": row.read_on.isoformat()},
                    )
                )
                continue
            if row.serial and row.installation.meter.serial != row.serial:
                rejected.append(
                    (
                        row.line,
                        row.raw,
                        _("Meter %(serial)s is not the one installed for account %(number)s (%(installed)s).")
                        % {
                            "serial": row.serial,
                            "number": row.account_number,
                            "installed": row.installation.meter.serial,
                        },
                    )
                )
                continue
        else:
            meter = meters.get(row.serial)
            if meter is None:
                rejected.append((row.line, row.raw, _("No meter %(serial)s.") % {"serial": row.serial}))
                continue
            row.installation = installed(by_meter.get(meter.pk, []), row.read_on)
            if row.installation is None:
                rejected.append(
                    (
                        row.line,
                        row.raw,
                        _("Meter %(serial)s was not installed anywhere on %(date)s.")
                        % {"serial": row.serial, "date": row.read_on.isoformat()},
                    )
                )
                continue
            row.account = open_accounts.get(row.installation.premise_id)
        row.meter = row.installation.meter
        key = (row.meter.pk, row.read_on)
        if key in seen:
            rejected.append(
                (
                    row.line,
                    row.raw,
                    _("Meter %(serial)s is read twice on %(date)s in this file.")
                    % {"serial": row.meter.serial, "date": row.read_on.isoformat()},
                )
            )
            continue
        seen.add(key)
        kept.append(row)
    return kept


def _reading(row: Row, verdict: Verdict, source: ReadingImport, acting_user) -> MeterReading:
    return MeterReading(
        meter=row.meter,
        account=row.account,
        read_on=row.read_on,
        value=row.value,
        kind=row.kind,
        rolled_over=verdict.rolled_over,
        status=ReadingStatus.HELD if verdict.reasons else ReadingStatus.VALID,
        consumption=verdict.consumption,
        days=verdict.days,
        source=source,
        reader=row.reader,
        note=row.note,
        photo_ref=row.photo_ref,
        recorded_by=user_or_none(acting_user),
    )
