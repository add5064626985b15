import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what, when, to which record, and why.

    Audit rows outlive the records they describe, so the subject is kept as a
    content type and id rather than a foreign key that could cascade. Personal
    data in ``details`` and ``changes`` is stored masked.
    """

    class Category(models.TextChoices):
        OPERATION = "operation", _("Operation")
        ACCESS = "access", _("Access to personal data")

    occurred_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for work done by the system itself (imports, scheduled jobs)."),
    )
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.OPERATION)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    # The premise (household) whose timeline shows this event.
    household_id = models.BigIntegerField(null=True, blank=True)
    # Rows written by one operation (a move writes one on each premise) share this.
    operation = models.UUIDField(default=uuid.uuid4, editable=False)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(
        default=dict, blank=True, help_text=_("Which fields changed, with their values before and after.")
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["household_id", "-occurred_at", "-id"], name="audit_household_timeline"),
            models.Index(fields=["object_type", "object_id"], name="audit_subject"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor"),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"


class NumberSequence(models.Model):
    """Counters for human-facing numbers (account numbers, customer numbers).

    Numbers are taken under a row lock so two clerks never get the same one,
    and in blocks so a bulk load takes a million in one statement.
    """

    name = models.CharField(max_length=64, primary_key=True)
    next_value = models.BigIntegerField(default=1)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self):
        return f"{self.name}: {self.next_value}"


class PeriodicJobRun(models.Model):
    """The last run of each periodic job, so operators can see the scheduler is alive."""

    name = models.CharField(max_length=100, primary_key=True)
    last_started_at = models.DateTimeField(null=True)
    last_finished_at = models.DateTimeField(null=True)
    last_status = models.CharField(max_length=16, blank=True)
    last_message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("periodic job run")
        verbose_name_plural = _("periodic job runs")

    def __str__(self):
        return self.name


class Closure(models.Model):
    """A day or span the utility's offices are closed beyond the public holidays.

    Public holidays come from the ``holidays`` library; this table holds what is the
    utility's own decision: the year-end closure (29 Dec - 3 Jan, every year), a
    foundation day, a one-off closure. A row with ``every_year`` repeats on the same
    month and day each year (a span may run across New Year).
    """

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    every_year = models.BooleanField(_("every year"), default=False)

    class Meta:
        verbose_name = _("office closure")
        verbose_name_plural = _("office closures")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                # A yearly span may wrap over New Year (29 Dec - 3 Jan), so only one-off spans are ordered.
                condition=models.Q(every_year=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="closure_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.starts_on:%m-%d} - {self.ends_on:%m-%d})"


class Notification(models.Model):
    """One message to one recipient, kept until it is delivered (the outbox).

    The row is written in the same transaction as the change it announces, so a
    notice exists exactly when its cause does; delivery happens afterwards, by a
    task queued on commit and, should the broker be down, by the periodic sweep.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    # What the notice is about, e.g. "servicedesk.intake"; for statistics and the request's log.
    kind = models.CharField(_("kind"), max_length=64)
    object_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    # The same notice is never created twice for the same cause (e.g. "sr:42:completed").
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    send_after = models.DateTimeField(_("not before"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["status", "send_after"], name="notification_due"),
            models.Index(fields=["object_type", "object_id"], name="notification_subject"),
        ]

    def __str__(self):
        return f"{self.channel} {self.kind} → {self.recipient}"
