from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import PrintBatchStatus


class PrintBatch(models.Model):
    """A billing run's bills written as PDF files for the print shop, with a manifest.

    The files live in ``directory`` (under ``PRINT_BATCH_DIR``); ``files`` records each
    file's bills, pages, size and SHA-256 as written, so a file changed or lost since
    is noticed. The bills of the batch, and where each was printed, are its
    :class:`PrintedBill` rows.
    """

    run = models.ForeignKey(
        "billing.BillingRun",
        on_delete=models.PROTECT,
        related_name="print_batches",
        verbose_name=_("billing run"),
    )
    number = models.PositiveSmallIntegerField(_("batch number"), help_text=_("1, 2, … within the run."))
    status = models.CharField(
        _("status"), max_length=8, choices=PrintBatchStatus.choices, default=PrintBatchStatus.RUNNING
    )
    only_unprinted = models.BooleanField(
        _("only bills not printed before"),
        default=False,
        help_text=_("Otherwise every issued bill of the run."),
    )
    directory = models.CharField(_("directory"), max_length=300, help_text=_("Relative to PRINT_BATCH_DIR."))
    bills = models.PositiveIntegerField(_("bills"), default=0)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    # [{"name", "bills", "pages", "bytes", "sha256"}, …] in order; the manifest is not listed.
    files = models.JSONField(_("files"), default=list, blank=True)
    manifest_sha256 = models.CharField(_("manifest SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        ordering = ["run", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="print_batch_number_per_run"),
            models.UniqueConstraint(
                fields=["run"],
                condition=Q(status="running"),
                name="one_running_print_batch_per_run",
                violation_error_message=_("A print batch of this run is being written."),
            ),
        ]

    def __str__(self):
        return f"{self.run} #{self.number}"

    @property
    def file_count(self) -> int:
        return len(self.files)

    @property
    def path(self):
        return settings.PRINT_BATCH_DIR / self.directory


class PrintedBill(models.Model):
    """A bill in a print batch: its place in the delivery order and in the files."""

    batch = models.ForeignKey(PrintBatch, on_delete=models.CASCADE, related_name="printed_bills")
    bill = models.ForeignKey("billing.Bill", on_delete=models.PROTECT, related_name="printings")
    sequence = models.PositiveIntegerField(_("sequence"), help_text=_("1, 2, … in delivery order."))
    file_number = models.PositiveIntegerField(_("file"))
    page = models.PositiveIntegerField(_("first page in the file"))
    pages = models.PositiveSmallIntegerField(_("pages"), default=1)

    class Meta:
        verbose_name = _("printed bill")
        verbose_name_plural = _("printed bills")
        ordering = ["batch", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "sequence"], name="printed_bill_sequence"),
            models.UniqueConstraint(fields=["batch", "bill"], name="printed_bill_once_per_batch"),
        ]

    def __str__(self):
        return f"{self.batch_id}/{self.sequence}: {self.bill_id}"
