from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .choices import (
    IMPORTED_KINDS,
    ExceptionStatus,
    ImportStatus,
    ReadingKind,
    ReadingStatus,
)


class MeterReading(models.Model):
    """A register value of a meter on a date.

    Registry operations (start, stop, suspend, resume, meter replacement) write
    readings too, so the last reading of a meter is always known. A value lower
    than the previous one is only valid as a rollover of the register, which
    is recorded explicitly.
    """

    # Searched through reading_meter_latest and reading_account_day, which start with these
    # columns; an index of their own would only cost every imported reading two more writes.
    meter = models.ForeignKey(
        "customers.Meter", on_delete=models.PROTECT, related_name="readings", db_index=False
    )
    account = models.ForeignKey(
        "customers.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="readings",
        db_index=False,
    )
    read_on = models.DateField(_("read on"))
    value = models.PositiveBigIntegerField(_("register (m³)"))
    kind = models.CharField(_("kind"), max_length=16, choices=ReadingKind.choices)
    rolled_over = models.BooleanField(
        _("register rolled over"),
        default=False,
        help_text=_("The register passed its maximum and restarted at zero."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ReadingStatus.choices,
        default=ReadingStatus.VALID,
        db_default=ReadingStatus.VALID,  # bulk loaders (the demo city) leave it to the database
    )
    # m³ since the meter's previous valid reading (rollover counted); set by the import's checks.
    consumption = models.PositiveBigIntegerField(_("consumption (m³)"), null=True, blank=True)
    days = models.PositiveIntegerField(_("days since the previous reading"), null=True, blank=True)
    source = models.ForeignKey(
        "metering.ReadingImport", null=True, blank=True, on_delete=models.PROTECT, related_name="readings"
    )
    reader = models.CharField(_("reader"), max_length=30, blank=True, db_default="")
    note = models.CharField(_("note"), max_length=200, blank=True, db_default="")
    photo_ref = models.CharField(_("photo reference"), max_length=200, blank=True, db_default="")

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        ordering = ["meter", "-read_on", "-id"]
        indexes = [
            models.Index(fields=["meter", "-read_on", "-id"], name="reading_meter_latest"),
            # The billing run reads each account's readings of the period.
            models.Index(fields=["account", "read_on"], name="reading_account_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rolled_over=True) | ~Q(kind__in=[ReadingKind.INSTALL]),
                name="reading_install_never_rolls_over",
            ),
            # A re-imported file cannot read a meter twice on one day.
            models.UniqueConstraint(
                fields=["meter", "read_on"],
                condition=Q(kind__in=IMPORTED_KINDS) & ~Q(status=ReadingStatus.VOID),
                name="one_imported_reading_per_meter_day",
            ),
        ]
        permissions = [("review_readings", _("Can import readings and resolve reading exceptions"))]

    def __str__(self):
        return f"{self.meter_id} {self.read_on}: {self.value}"


class ReadingImport(models.Model):
    """One reading file from a handheld terminal or an AMI head-end, and what became of its rows."""

    name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=8, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    held = models.PositiveIntegerField(_("held for review"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    problem = models.TextField(_("why the file was refused"), blank=True)

    class Meta:
        verbose_name = _("reading import")
        verbose_name_plural = _("reading imports")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows=F("accepted") + F("held") + F("rejected")), name="import_every_row_accounted"
            ),
        ]

    def __str__(self):
        return self.name


class ReadingRejection(models.Model):
    """A row of a reading file that was not taken, with the reason (the rejection report)."""

    source = models.ForeignKey(ReadingImport, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("line"))
    raw = models.TextField(_("row as received"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("rejected reading row")
        verbose_name_plural = _("rejected reading rows")
        ordering = ["source", "line"]

    def __str__(self):
        return f"{self.source_id}:{self.line} {self.reason}"


class ReadingException(models.Model):
    """A suspicious reading held from billing until a billing officer accepts, corrects it or orders a re-read."""

    reading = models.OneToOneField(MeterReading, on_delete=models.PROTECT, related_name="exception")
    account = models.ForeignKey(
        "customers.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reading_exceptions",
    )
    reasons = models.JSONField(_("reasons"), default=list)  # ExceptionReason codes
    expected = models.PositiveBigIntegerField(_("expected consumption (m³)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_note = models.CharField(_("note"), max_length=300, blank=True)
    correction = models.OneToOneField(
        MeterReading, null=True, blank=True, on_delete=models.PROTECT, related_name="corrects"
    )

    class Meta:
        verbose_name = _("reading exception")
        verbose_name_plural = _("reading exceptions")
        ordering = ["status", "created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="reading_exception_queue")]

    def __str__(self):
        return f"{self.reading} ({', '.join(self.reasons)})"
