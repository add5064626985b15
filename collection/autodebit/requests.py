"""The debit-request file (출금 요청) for a collection date; format in docs/import-formats.md.

For a collection date D, every issued bill still owing something (total + late fee −
paid > 0) that falls due on D, of an account whose mandate is active on D, is one
request for what it still owes. With ``include_earlier`` (settings.AUTO_DEBIT_INCLUDE_EARLIER
by default) the same accounts' earlier unpaid bills are asked for again — only those
due since the mandate started, and none that another file is still awaiting a result
for. The selection is one query; the lines are written in one bulk insert.

A request's reference is the date and the bill's id, so the same bill on the same date
has the same reference: a file written again is the same file. There is one file per
date; it can be withdrawn (and made again) until a result for it has been imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from billing.choices import BillStatus
from billing.models import Bill
from core.audit import record_event, user_or_none
from core.bulk import insert_columns
from core.dates import today as seoul_today
from core.models import AuditEvent

from ..choices import DebitLineStatus
from ..models import DebitRequest, DebitRequestLine
from . import events

COLUMNS = ("reference", "collect_on", "bank", "bank_account", "holder", "amount", "account", "bill")


def reference_for(collect_on: date, bill_id: int) -> str:
    """20261125000000012345: the collection date and the bill, 20 digits as the banks' files take them."""
    return f"{collect_on:%Y%m%d}{bill_id:012d}"


@dataclass
class Made:
    batch: DebitRequest
    created: bool  # False: the date's file was made before; it is returned as it is


def due_for_debit(collect_on: date, *, include_earlier: bool):
    """(bill, account, mandate, amount) of every bill to ask the banks for on ``collect_on``: one query."""
    owing = Q(status=BillStatus.ISSUED, balance__owed__gt=0)
    # One filter() call: every condition on account__mandates is about the same mandate row.
    mandate_active = Q(account__mandates__starts_on__lte=collect_on) & (
        Q(account__mandates__ended_on__isnull=True) | Q(account__mandates__ended_on__gt=collect_on)
    )
    awaited = DebitRequestLine.objects.filter(bill_id=OuterRef("pk"), status=DebitLineStatus.PENDING)
    if include_earlier:
        due_that_day = Bill.objects.filter(owing, account_id=OuterRef("account_id"), due_on=collect_on)
        which = Q(due_on=collect_on) | Q(
            due_on__lt=collect_on, due_on__gte=F("account__mandates__starts_on")
        ) & Exists(due_that_day)
    else:
        which = Q(due_on=collect_on)
    return (
        Bill.objects.filter(owing & mandate_active & which & ~Exists(awaited))
        .order_by("account_id", "due_on", "id")
        .values_list("id", "account_id", "account__mandates__id", "balance__owed")
    )


@transaction.atomic
def make_debit_requests(
    collect_on: date, *, acting_user, include_earlier: bool | None = None, today: date | None = None
) -> Made:
    """The debit-request file for ``collect_on``: made now, or the one made before for that date."""
    today = today or seoul_today()
    if collect_on < today:
        raise ValidationError(
            {"collect_on": _("The collection date %(date)s has passed; the bank can only debit on a date to come.")
             % {"date": date_format(collect_on)}}
        )  # fmt: skip
    earlier = DebitRequest.objects.filter(collect_on=collect_on).first()
    if earlier is not None:
        return Made(earlier, False)
    if include_earlier is None:
        include_earlier = settings.AUTO_DEBIT_INCLUDE_EARLIER
    rows = list(due_for_debit(collect_on, include_earlier=include_earlier))
    try:
        with transaction.atomic():
            batch = DebitRequest.objects.create(
                collect_on=collect_on,
                include_earlier=include_earlier,
                count=len(rows),
                amount=sum(row[3] for row in rows),
                created_by=user_or_none(acting_user),
            )
    except IntegrityError:
        # Made by another officer between our look and our write: theirs stands.
        return Made(DebitRequest.objects.get(collect_on=collect_on), False)
    if rows:
        insert_columns(
            DebitRequestLine,
            [
                "batch",
                "reference",
                "mandate",
                "account",
                "bill",
                "amount",
                "status",
                "result_code",
                "result_message",
            ],
            [
                [batch.pk] * len(rows),
                [reference_for(collect_on, row[0]) for row in rows],
                [row[2] for row in rows],
                [row[1] for row in rows],
                [row[0] for row in rows],
                [row[3] for row in rows],
                [DebitLineStatus.PENDING] * len(rows),
                [""] * len(rows),
                [""] * len(rows),
            ],
        )
    record_event(
        events.REQUESTS_MADE,
        actor=acting_user,
        subject=batch,
        details={"collect_on": collect_on.isoformat(), "count": batch.count, "amount": batch.amount},
    )
    return Made(batch, True)


@transaction.atomic
def withdraw_debit_requests(batch: DebitRequest, *, acting_user) -> None:
    """Take back a file made too early or wrongly, before any of its results came in; the date can be made again."""
    batch = DebitRequest.objects.select_for_update().get(pk=batch.pk)
    if batch.lines.exclude(status=DebitLineStatus.PENDING).exists():
        raise ValidationError(
            _("Results for the file of %(date)s have been imported; it can no longer be withdrawn.")
            % {"date": date_format(batch.collect_on)},
            code="has_results",
        )
    record_event(
        events.REQUESTS_WITHDRAWN,
        actor=acting_user,
        subject=batch,
        details={"collect_on": batch.collect_on.isoformat(), "count": batch.count, "amount": batch.amount},
    )
    batch.lines.all().delete()
    batch.delete()


def export_debit_requests(batch: DebitRequest, *, acting_user) -> str:
    """The file to send to the bank (CSV, bank accounts in clear): every download is logged."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    lines = (
        batch.lines.order_by("reference")
        .values_list(
            "reference",
            "mandate__bank",
            "mandate__bank_account",
            "mandate__holder_name",
            "amount",
            "account__number",
            "bill_id",
        )
        .iterator(chunk_size=5000)
    )
    day = batch.collect_on.isoformat()
    for reference, bank, bank_account, holder, amount, account, bill in lines:
        writer.writerow([reference, day, bank, bank_account, holder, amount, account, bill])
    record_event(
        events.REQUEST_FILE_DOWNLOADED,
        actor=acting_user,
        subject=batch,
        category=AuditEvent.Category.ACCESS,
        details={"collect_on": day, "count": batch.count},
    )
    return out.getvalue()


@dataclass
class BatchProgress:
    pending: int = 0
    debited: int = 0
    failed: int = 0
    debited_amount: int = 0
    failed_amount: int = 0


def progress(batch: DebitRequest) -> BatchProgress:
    """How many of the file's requests were debited, failed, or still await the bank."""
    out = BatchProgress()
    for status, count, amount in (
        batch.lines.order_by().values_list("status").annotate(n=Count("id"), amount=Sum("amount"))
    ):
        if status == DebitLineStatus.PENDING:
            out.pending = count
        elif status == DebitLineStatus.DEBITED:
            out.debited, out.debited_amount = count, amount
        else:
            out.failed, out.failed_amount = count, amount
    return out
