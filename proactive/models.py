"""What proactive care records: the households' explanations, each detection, each case.

- A **DeclaredEvent** is something a household told the utility it would use more water
  for (김장, 제사, guests, filling a tank …), with its dates; a **ResidentCount** is the
  registered number of people living there from a date on; a **SeasonalWindow** is a
  time of year when a rise must be larger before anyone is called (김장철).
- A **Detection** is one unusual read found by the scan, alerted or suppressed (with the
  reason: every suppression is recorded).
- A **ProactiveCase** follows an alerted detection through the branch office: the
  pre-call, the leak-diagnosis visit, and the leak bill reduction. Its request in the
  service desk (origin "proactive") is what queues, deadlines and statistics count.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from staff.models import LocalizedNameMixin

from .choices import CaseStage, DetectionKind, DetectionStatus, EventKind, PrecallOutcome, Suppression
from .wording import finding_sentence


class DeclaredEvent(models.Model):
    account = models.ForeignKey(
        "customers.Account",
        on_delete=models.PROTECT,
        related_name="declared_events",
        verbose_name=_("account"),
    )
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # A mistaken declaration is withdrawn, not deleted: a suppression may have cited it.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("declared event")
        verbose_name_plural = _("declared events")
        ordering = ["account", "-starts_on"]
        indexes = [models.Index(fields=["account", "ends_on"], name="declared_event_account")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="declared_event_forwards"),
        ]
        permissions = [
            ("record_explanation", _("Can record what a household declares: events and residents")),
        ]

    def __str__(self):
        return f"{self.account_id} {self.kind} {self.starts_on}–{self.ends_on}"


class ResidentCount(models.Model):
    """How many people live in the household from a date on (registered by the household or at a pre-call)."""

    account = models.ForeignKey(
        "customers.Account",
        on_delete=models.PROTECT,
        related_name="resident_counts",
        verbose_name=_("account"),
    )
    residents = models.PositiveSmallIntegerField(
        _("residents"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    effective_from = models.DateField(_("from"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resident count")
        verbose_name_plural = _("resident counts")
        ordering = ["account", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["account", "effective_from"], name="resident_count_one_per_day"),
            models.CheckConstraint(condition=Q(residents__gte=1), name="resident_count_positive"),
        ]

    def __str__(self):
        return f"{self.account_id}: {self.residents} @ {self.effective_from}"


class SeasonalWindow(LocalizedNameMixin):
    """A time of year (month-day to month-day, across New Year if need be) with a higher bar."""

    starts = models.CharField(_("from (MM-DD)"), max_length=5)
    ends = models.CharField(_("until (MM-DD)"), max_length=5)
    min_ratio = models.DecimalField(
        _("rise needed"),
        max_digits=4,
        decimal_places=2,
        help_text=_("Inside the window a read is alerted only at this many times its baseline."),
    )
    use_types = models.JSONField(
        _("use types"), default=list, blank=True, help_text=_("Empty: every use type.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("seasonal window")
        verbose_name_plural = _("seasonal windows")
        ordering = ["starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts__regex=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
                & Q(ends__regex=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"),
                name="seasonal_window_month_day",
            ),
            models.CheckConstraint(condition=Q(min_ratio__gt=1), name="seasonal_window_raises_the_bar"),
        ]

    def covers(self, day) -> bool:
        key = day.strftime("%m-%d")
        if self.starts <= self.ends:
            return self.starts <= key <= self.ends
        return key >= self.starts or key <= self.ends  # across New Year

    def applies_to(self, use_type: str) -> bool:
        return not self.use_types or use_type in self.use_types


class ProactiveCase(models.Model):
    request = models.OneToOneField(
        "servicedesk.ServiceRequest", on_delete=models.PROTECT, related_name="proactive_case"
    )
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="proactive_cases")
    stage = models.CharField(_("stage"), max_length=16, choices=CaseStage.choices, default=CaseStage.PRECALL)
    precall_outcome = models.CharField(
        _("pre-call outcome"), max_length=16, choices=PrecallOutcome.choices, blank=True
    )
    precall_note = models.TextField(_("what the household said"), blank=True)
    precall_at = models.DateTimeField(_("called at"), null=True, blank=True)
    precall_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    leak_found = models.BooleanField(_("leak found"), null=True)
    repaired_on = models.DateField(_("repaired on"), null=True, blank=True)
    adjustment = models.ForeignKey(
        "billing.Adjustment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("proactive case")
        verbose_name_plural = _("proactive cases")
        indexes = [models.Index(fields=["account", "-created_at"], name="proactive_case_account")]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage=CaseStage.CLOSED) | Q(closed_at__isnull=True),
                name="proactive_case_closed_at",
            ),
            models.CheckConstraint(
                condition=Q(precall_outcome="") | Q(precall_at__isnull=False),
                name="proactive_case_precall_time",
            ),
        ]
        permissions = [("work_proactive", _("Can make pre-calls and carry proactive cases"))]

    def __str__(self):
        return f"{self.request_id} {self.stage}"


class Detection(models.Model):
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="detections")
    kind = models.CharField(_("kind"), max_length=16, choices=DetectionKind.choices)
    read_on = models.DateField(_("read on"))
    reading = models.ForeignKey(
        "metering.MeterReading",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    use_per_day = models.FloatField(_("use (m³ a day)"))
    baseline_per_day = models.FloatField(_("usual use (m³ a day)"), null=True)
    excess_per_day = models.FloatField(_("above usual (m³ a day)"), null=True)
    ratio = models.FloatField(_("times usual"), null=True)
    score = models.FloatField(_("score"), null=True)
    status = models.CharField(_("status"), max_length=12, choices=DetectionStatus.choices)
    suppressed_by = models.CharField(
        _("suppressed by"), max_length=16, choices=Suppression.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    case = models.ForeignKey(
        ProactiveCase, null=True, blank=True, on_delete=models.PROTECT, related_name="detections"
    )
    detected_at = models.DateTimeField()

    class Meta:
        verbose_name = _("detection")
        verbose_name_plural = _("detections")
        ordering = ["-read_on", "-id"]
        indexes = [models.Index(fields=["status", "-read_on"], name="detection_status_day")]
        constraints = [
            # A scan repeated after a re-import finds what it found before.
            models.UniqueConstraint(fields=["account", "kind", "read_on"], name="detection_once_per_read"),
            models.CheckConstraint(
                condition=Q(status=DetectionStatus.SUPPRESSED, suppressed_by__gt="")
                | Q(status=DetectionStatus.ALERTED, suppressed_by=""),
                name="detection_suppression_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.kind} {self.read_on}"

    def summary(self) -> str:
        return finding_sentence(
            self.kind, date_format(self.read_on), self.use_per_day, self.baseline_per_day, self.ratio
        )


class HourlyFlow(models.Model):
    """One hour of an AMI meter's flow, as its head-end reports it (litres in the hour starting at ``hour``)."""

    meter = models.ForeignKey("customers.Meter", on_delete=models.PROTECT, related_name="hourly_flows")
    hour = models.DateTimeField(_("hour starting"))
    litres = models.PositiveIntegerField(_("litres"))
    source = models.ForeignKey(
        "FlowImport", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("hourly flow")
        verbose_name_plural = _("hourly flows")
        constraints = [models.UniqueConstraint(fields=["meter", "hour"], name="hourly_flow_once")]

    def __str__(self):
        return f"{self.meter_id} {self.hour:%Y-%m-%d %H}h: {self.litres} L"


class FlowImport(models.Model):
    """One file of hourly flows from an AMI head-end, and what became of its rows."""

    name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    # Head-ends send overlapping windows: an hour already on record with the same litres is no error.
    already_on_record = models.PositiveIntegerField(_("already on record"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    first_hour = models.DateTimeField(_("first hour"), null=True, blank=True)
    last_hour = models.DateTimeField(_("last hour"), null=True, blank=True)

    class Meta:
        verbose_name = _("hourly flow import")
        verbose_name_plural = _("hourly flow imports")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows=F("accepted") + F("already_on_record") + F("rejected")),
                name="flow_import_every_row_accounted",
            ),
        ]

    def __str__(self):
        return self.name


class FlowRejection(models.Model):
    """A row of an hourly flow file that was not taken, with the reason."""

    source = models.ForeignKey(FlowImport, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("line"))
    raw = models.TextField(_("row as received"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("rejected hourly flow row")
        verbose_name_plural = _("rejected hourly flow rows")
        ordering = ["source", "line"]

    def __str__(self):
        return f"{self.source_id}:{self.line} {self.reason}"
