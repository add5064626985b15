"""Importing a bank's debit-result file (출금 결과); format in docs/import-formats.md.

One row per request: its reference, the bank's result code (``0000``: debited), the
amount debited and when. Every row ends in one place:

- **debited**: a payment of source auto-debit whose reference is the request's,
  recorded with ``collection.imports.record_payments`` on the request's account (it
  pays the bill like any payment; a request debited before is "already on record");
- **failed**: the request is marked failed with the bank's code and reason; the bill
  stays owed as any unpaid bill (nothing was paid, so nothing is undone); the customer
  is told to pay another way (once per request), and the household's timeline shows it.
  A failure saying the mandate cannot work again (bank account closed, no such account,
  holder mismatch, mandate revoked or not registered at the bank) ends the mandate;
- **rejected**, with a reason in the file's rejection report: an unknown reference, a
  reference twice in the file, an amount other than the one asked for, a failure
  reported for a request already debited, a row that cannot be read.

The file is known by its content: imported again, it changes nothing.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.audit import user_or_none
from core.models import AuditEvent

from ..choices import DebitLineStatus, PaymentFileKind, PaymentSource
from ..imports import (
    LOOKUP_BATCH,
    IncomingPayment,
    PaymentFileOutcome,
    finish_payment_file,
    read_payment_file,
    record_payments,
)
from ..models import DebitRequestLine, DebitResultFile, PaymentFile
from . import events, notices
from .banks import SUCCESS, ends_mandate
from .mandates import end_mandate_after_failure

COLUMNS = ("reference", "result", "amount", "debited_at", "message")
REQUIRED = ("reference", "result", "amount", "debited_at")
OLDEST_RESULT_DAYS = 400


@dataclass
class _Row:
    line: int
    raw: str
    reference: str
    code: str
    amount: int
    at: datetime
    message: str


@dataclass
class _Request:
    id: int
    account_id: int
    amount: int
    status: str
    account_number: str


@transaction.atomic
def import_debit_results(
    name: str, content: bytes, *, acting_user, now: datetime | None = None
) -> PaymentFileOutcome:
    """Import one debit-result file; refuses the whole file only when it cannot be read as one."""
    now = now or timezone.now()
    read = read_payment_file(content, columns=COLUMNS, required=REQUIRED, parser=_Parser, now=now,
                             nothing=_("The file has a header but no results."))  # fmt: skip
    if read.earlier is not None:
        return PaymentFileOutcome(source=read.earlier, repeated=True)
    rows, rejected, digest = read.rows, read.rejected, read.digest

    requests = _requests({row.reference for row in rows})
    debits, failures, failed_already = _sort(rows, requests, rejected)

    source = PaymentFile.objects.create(
        kind=PaymentFileKind.AUTO_DEBIT_RESULTS,
        name=name[:200],
        sha256=digest,
        uploaded_by=user_or_none(acting_user),
    )
    recorded = record_payments(debits, file=source, acting_user=acting_user, now=now)
    refused = {line for line, _raw, _reason in recorded.rejected}
    _mark_debited([row for row in debits if row.line not in refused], requests, source)
    summary = _record_failures(failures, requests, source, acting_user=acting_user)
    summary.failed_already = failed_already
    summary.save()
    return finish_payment_file(source, recorded, rejected, acting_user=acting_user)


def _requests(references: set[str]) -> dict[str, _Request]:
    found = {}
    wanted = sorted(references)
    for start in range(0, len(wanted), LOOKUP_BATCH):
        for pk, reference, account_id, amount, status, number in DebitRequestLine.objects.filter(
            reference__in=wanted[start : start + LOOKUP_BATCH]
        ).values_list("id", "reference", "account_id", "amount", "status", "account__number"):
            found[reference] = _Request(pk, account_id, amount, status, number)
    return found


def _sort(rows: list[_Row], requests: dict[str, _Request], rejected: list) -> tuple[list, list, int]:
    """The rows that are debits (as payments), the new failures, and how many failures were on record."""
    debits, failures, failed_already = [], [], 0
    first_line: dict[str, int] = {}
    for row in rows:
        request = requests.get(row.reference)
        reason = None
        if request is None:
            reason = _("No debit request has the reference %(reference)s.") % {"reference": row.reference}
        elif row.reference in first_line:
            reason = _("Reference %(reference)s is already on line %(line)s of this file.") % {
                "reference": row.reference,
                "line": first_line[row.reference],
            }
        elif row.code == SUCCESS and row.amount != request.amount:
            reason = _(
                "The bank reports %(debited)s won debited for request %(reference)s, which asked for %(requested)s won."
            ) % {"debited": f"{row.amount:,}", "reference": row.reference, "requested": f"{request.amount:,}"}
        elif row.code != SUCCESS and request.status == DebitLineStatus.DEBITED:
            reason = _(
                "Request %(reference)s is on record as debited; a failure cannot follow. "
                "If the bank took the money back, reverse the payment."
            ) % {"reference": row.reference}
        if reason is not None:
            rejected.append((row.line, row.raw, reason))
            continue
        first_line[row.reference] = row.line
        if row.code == SUCCESS:
            # A request that failed earlier may still be debited (the bank tried again): the money came.
            debits.append(
                IncomingPayment(
                    line=row.line,
                    raw=row.raw,
                    source=PaymentSource.AUTO_DEBIT,
                    reference=row.reference,
                    amount=row.amount,
                    received_at=row.at,
                    account_id=request.account_id,
                    stated_account=request.account_number,
                )
            )
        elif request.status == DebitLineStatus.FAILED:
            failed_already += 1
        else:
            failures.append(row)
    return debits, failures, failed_already


def _mark_debited(debits: list[IncomingPayment], requests: dict[str, _Request], source: PaymentFile) -> None:
    by_time = defaultdict(list)  # a bank's file carries one or a few times: one update each
    for row in debits:
        request = requests[row.reference]
        if request.status != DebitLineStatus.DEBITED:
            by_time[row.received_at].append(request.id)
    for at, ids in by_time.items():
        for start in range(0, len(ids), LOOKUP_BATCH):
            DebitRequestLine.objects.filter(id__in=ids[start : start + LOOKUP_BATCH]).update(
                status=DebitLineStatus.DEBITED,
                result_code=SUCCESS,
                result_message="",
                result_at=at,
                result_file=source,
            )


def _record_failures(
    failures: list[_Row], requests: dict[str, _Request], source: PaymentFile, *, acting_user
):
    summary = DebitResultFile(file=source)
    if not failures:
        return summary
    by_outcome = defaultdict(list)
    for row in failures:
        by_outcome[(row.code, row.message[:200], row.at)].append(requests[row.reference].id)
    for (code, message, at), ids in by_outcome.items():
        DebitRequestLine.objects.filter(id__in=ids).update(
            status=DebitLineStatus.FAILED,
            result_code=code,
            result_message=message,
            result_at=at,
            result_file=source,
        )
    lines = list(
        DebitRequestLine.objects.filter(id__in=[requests[row.reference].id for row in failures])
        .select_related("account__customer", "mandate", "bill")
        .order_by("id")
    )
    summary.failed = len(lines)
    summary.failed_amount = sum(line.amount for line in lines)

    ended = set()
    for line in lines:
        reason = ends_mandate(line.result_code)
        if reason and line.mandate_id not in ended:
            day = timezone.localtime(line.result_at).date()
            if end_mandate_after_failure(
                line.mandate,
                line.account,
                on=day,
                reason=reason,
                result_code=line.result_code,
                acting_user=acting_user,
            ):
                ended.add(line.mandate_id)
    summary.mandates_ended = len(ended)

    line_type = ContentType.objects.get_for_model(DebitRequestLine)
    actor = user_or_none(acting_user)
    audit = []
    for line in lines:
        mandate_ended = line.mandate_id in ended
        summary.notices += notices.debit_failed(
            line, line.account.customer, due_on=line.bill.due_on, mandate_ended=mandate_ended
        )
        audit.append(
            AuditEvent(
                actor=actor,
                category=AuditEvent.Category.OPERATION,
                action=events.DEBIT_FAILED,
                object_type=line_type,
                object_id=line.pk,
                household_id=line.account.premise_id,
                operation=_operation(source),
                effective_on=timezone.localtime(line.result_at).date(),
                details={
                    "account": line.account.display_number,
                    "amount": line.amount,
                    "due_on": line.bill.due_on.isoformat(),
                    "reference": line.reference,
                    "result_code": line.result_code,
                    "bank_message": line.result_message,
                },
            )
        )
    # One event per failed debit, written together (record_event's row, without a query each).
    AuditEvent.objects.bulk_create(audit, batch_size=2000)
    return summary


def _operation(source: PaymentFile) -> uuid.UUID:
    """The failures of one file share an operation id, derived from the file so it is stable."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"suido:auto-debit-results:{source.sha256}")


class _Parser:
    """A row's result, or (line, raw, why it is rejected)."""

    def __init__(self, header: list[str], now: datetime):
        self.index = {name: header.index(name) for name in COLUMNS if name in header}
        self.width = len(header)
        self.latest = now + timedelta(minutes=5)  # the bank's clock may run a little ahead
        self.oldest = now - timedelta(days=OLDEST_RESULT_DAYS)
        self.times: dict[str, datetime | str] = {}

    def cell(self, values: list[str], name: str) -> str:
        index = self.index.get(name)
        return values[index].strip() if index is not None else ""

    def __call__(self, line: int, values: list[str]) -> _Row | tuple[int, str, str]:
        raw = ",".join(values)
        if len(values) != self.width:
            return line, raw, _("The row does not have as many fields as the header.")
        reference = self.cell(values, "reference")
        if not reference:
            return line, raw, _("The request reference is missing.")
        code = self.cell(values, "result")
        if not (len(code) == 4 and code.isdigit()):
            return line, raw, _("The result code “%(value)s” is not four digits.") % {"value": code}
        amount_text = self.cell(values, "amount").replace(",", "")
        if not amount_text.isdigit():
            return (
                line,
                raw,
                _("The amount “%(value)s” is not a whole number of won.") % {"value": amount_text},
            )
        amount = int(amount_text)
        if code == SUCCESS and amount == 0:
            return line, raw, _("A debit (result 0000) of 0 won is not a debit.")
        text = self.cell(values, "debited_at")
        at = self.times.get(text)
        if at is None:
            at = self.times[text] = self._time(text)
        if isinstance(at, str):
            return line, raw, at
        return _Row(line, raw, reference, code, amount, at, self.cell(values, "message"))

    def _time(self, text: str) -> datetime | str:
        try:
            moment = parse_datetime(text.replace(" ", "T", 1))
            if moment is None and parse_date(text) is not None:
                moment = datetime.combine(parse_date(text), datetime.min.time())
        except ValueError:
            moment = None
        if moment is None:
            return _("The time “%(value)s” is not a date and time (YYYY-MM-DD HH:MM:SS).") % {"value": text}
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)  # the bank's clock is Seoul's
        if moment > self.latest:
            return _("The time %(value)s is in the future.") % {"value": text}
        if moment < self.oldest:
            return _("The time %(value)s is more than %(days)s days ago.") % {
                "value": text,
                "days": OLDEST_RESULT_DAYS,
            }
        return moment
