"""Print batches: a billing run's bills written as PDF files for the print shop (docs/bill-documents.md)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none
from core.bulk import insert_rows

from ..choices import BillStatus, PrintBatchStatus, RunStatus
from ..documents import events
from ..documents.fonts import bill_fonts
from ..documents.output import BatchHeading, write_print_files
from ..models import Bill, BillingRun, PrintBatch, PrintedBill

# A batch still "being written" after this long was left by a worker that died.
ABANDONED_AFTER = timedelta(hours=2)
PRINTED_FIELDS = ["batch", "bill", "sequence", "file_number", "page", "pages"]


def delivery_order(
    run: BillingRun, *, only_unprinted: bool = False, exists: bool = False
) -> list[int] | bool:
    """The run's issued bills in the order they are delivered: route, place on the route, account.

    (``exists``: only whether there is any.)
    """
    bills = Bill.objects.filter(run=run, status=BillStatus.ISSUED)
    if only_unprinted:
        printed = PrintedBill.objects.filter(batch__run=run, batch__status=PrintBatchStatus.DONE)
        bills = bills.exclude(id__in=printed.values("bill_id"))
    if exists:
        return bills.exists()
    return list(
        bills.order_by(
            F("account__premise__route__code").asc(nulls_last=True),
            "account__premise__route_sequence",
            "account__number",
        ).values_list("id", flat=True)
    )


def build_print_batch(
    run: BillingRun, *, actor, only_unprinted: bool = False, per_file: int | None = None
) -> PrintBatch:
    """Print the run: its issued bills, in delivery order, as PDF files of at most ``per_file`` bills and a manifest.

    ``only_unprinted``: only the bills no earlier batch of the run printed (those a later pass
    of the run added). The batch is recorded at once as *being written*, so staff see it.
    Embedded, the files are written here; with a broker, by a worker
    (``billing.documents.tasks.write_print_batch``). A refusal (the run still billing, nothing
    to print, the font missing) is raised here either way.
    """
    per_file = per_file or settings.PRINT_BATCH_BILLS_PER_FILE
    if per_file < 1:
        raise ValidationError(_("A print file holds at least one bill."))
    bill_fonts()  # no batch is started without its font
    batch = _start(run, actor=actor, only_unprinted=only_unprinted)
    if settings.CELERY_EMBEDDED:
        return write_print_batch(batch, per_file=per_file)
    from ..documents.tasks import write_print_batch as task

    transaction.on_commit(lambda: task.delay(batch.pk, per_file))
    return batch


def write_print_batch(batch: PrintBatch, *, per_file: int | None = None) -> PrintBatch:
    """Write a started batch's files; it ends *ready to print* with its files' checksums, or *failed*."""
    per_file = per_file or settings.PRINT_BATCH_BILLS_PER_FILE
    run = batch.run
    heading = BatchHeading(
        run_id=run.pk,
        cycle=run.cycle.code,
        period=run.period,
        batch=batch.number,
        created_at=timezone.localtime(batch.created_at).isoformat(timespec="seconds"),
    )
    try:
        bill_ids = delivery_order(run, only_unprinted=batch.only_unprinted)
        written = write_print_files(batch.path, bill_ids, heading, per_file=per_file)
    except Exception as exc:
        PrintBatch.objects.filter(pk=batch.pk).update(
            status=PrintBatchStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        insert_rows(
            PrintedBill,
            PRINTED_FIELDS,
            [(batch.pk, p.bill_id, p.sequence, p.file_number, p.page, p.pages) for p in written.placements],
        )
        batch.status = PrintBatchStatus.DONE
        batch.bills = written.bills
        batch.pages = written.pages
        batch.files = [f.as_dict() for f in written.files]
        batch.manifest_sha256 = written.manifest_sha256
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "bills", "pages", "files", "manifest_sha256", "finished_at"])
        record_event(
            events.PRINT_BATCH_WRITTEN,
            actor=batch.created_by,
            subject=batch,
            details={
                "cycle": run.cycle.code,
                "period": run.period.strftime("%Y-%m"),
                "batch": batch.number,
                "bills": batch.bills,
                "files": len(batch.files),
                "pages": batch.pages,
            },
        )
    return batch


@transaction.atomic
def _start(run: BillingRun, *, actor, only_unprinted: bool) -> PrintBatch:
    """Record the batch as being written (committed at once, so it shows), or refuse."""
    run = BillingRun.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=run.pk)
    if run.status == RunStatus.RUNNING:
        raise ValidationError(_("The run is still billing; print its bills when it has finished."))
    now = timezone.now()
    running = PrintBatch.objects.filter(run=run, status=PrintBatchStatus.RUNNING).first()
    if running is not None:
        if now - running.created_at < ABANDONED_AFTER:
            raise ValidationError(
                _("Print batch %(number)s of this run is being written (started %(time)s).")
                % {"number": running.number, "time": timezone.localtime(running.created_at).strftime("%H:%M")}
            )
        running.status = PrintBatchStatus.FAILED
        running.error = "abandoned"
        running.finished_at = now
        running.save(update_fields=["status", "error", "finished_at"])
    if not delivery_order(run, only_unprinted=only_unprinted, exists=True):
        raise ValidationError(
            _("Every issued bill of this run is already in a print batch.")
            if only_unprinted
            else _("This run has no issued bills to print.")
        )
    number = (PrintBatch.objects.filter(run=run).aggregate(last=Max("number"))["last"] or 0) + 1
    directory = f"{run.period:%Y-%m}-cycle-{slugify(run.cycle.code) or run.cycle.pk}/batch-{number:02d}"
    if (settings.PRINT_BATCH_DIR / directory).exists():
        raise ValidationError(
            _("The directory %(path)s already exists; move it away before printing this run again.")
            % {"path": settings.PRINT_BATCH_DIR / directory}
        )
    batch = PrintBatch.objects.create(
        run=run,
        number=number,
        only_unprinted=only_unprinted,
        directory=directory,
        created_by=user_or_none(actor),
        created_at=now,
    )
    return batch
