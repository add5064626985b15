"""What collection records when bills go unpaid: late fees, dunning, protection, arrangements, disconnection.

- A **LateFee** is the one-off surcharge (가산금) charged on a bill unpaid after its due
  date; one per bill (unique), so a repeated daily run charges nothing twice. The bill's
  ``late_fee`` carries the amount (what the ledger and the household page read).
- An **ArrearsEpisode** is one stretch of an account's arrears, from the first reminder
  until nothing is overdue any more; its **DunningSteps** (reminder, disconnection
  notice, disconnection order) happen at most once each per episode.
- A **Protection** keeps a vulnerable household's water on whatever it owes (it is
  still reminded); a **PaymentArrangement** (분납) splits arrears into installments, and
  holds dunning while it is honoured.
- A **Disconnection** is an account whose water is ordered off for arrears, until the
  arrears are paid and the reconnection ordered (or the order withdrawn).
- A **DunningRun** is one run of the daily job: what it did, for the worklist.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..choices import (
    ArrangementStatus,
    DisconnectionResolution,
    DunningRunStatus,
    DunningStage,
    ProtectionReason,
)


class DunningRun(models.Model):
    """One run of the daily collection job (late fees, arrangements, dunning stages) for a date."""

    on = models.DateField(_("run for"))
    status = models.CharField(
        _("status"), max_length=8, choices=DunningRunStatus.choices, default=DunningRunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the scheduled run."),
    )
    late_fees = models.PositiveIntegerField(_("late fees charged"), default=0)
    late_fee_amount = models.BigIntegerField(_("late fees (won)"), default=0)
    reminders = models.PositiveIntegerField(_("reminders"), default=0)
    notices = models.PositiveIntegerField(_("disconnection notices"), default=0)
    disconnections = models.PositiveIntegerField(_("disconnection orders"), default=0)
    held_protected = models.PositiveIntegerField(_("held: protected"), default=0)
    held_arrangement = models.PositiveIntegerField(_("held: payment arrangement"), default=0)
    arrangements_completed = models.PositiveIntegerField(_("arrangements completed"), default=0)
    arrangements_broken = models.PositiveIntegerField(_("arrangements broken"), default=0)
    episodes_closed = models.PositiveIntegerField(_("arrears cleared"), default=0)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("dunning run")
        verbose_name_plural = _("dunning runs")
        ordering = ["-started_at", "-id"]
        constraints = [
            # Two runs at once (the schedule and a billing officer's "run now") would race for the same steps.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status=DunningRunStatus.RUNNING),
                name="one_dunning_run_at_a_time",
            ),
        ]
        permissions = [
            ("view_dunning", _("Can see the dunning worklist and letters")),
            ("run_dunning", _("Can run the dunning job for a date")),
        ]

    def __str__(self):
        return f"{self.on} {self.status}"


class LateFee(models.Model):
    """The late fee (가산금) charged on one bill: once, on what was unpaid after its due date."""

    bill = models.OneToOneField(
        "billing.Bill", on_delete=models.PROTECT, related_name="late_fee_charge", verbose_name=_("bill")
    )
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="late_fees", verbose_name=_("account")
    )
    amount = models.BigIntegerField(_("late fee (won)"))
    unpaid = models.BigIntegerField(_("unpaid when charged (won)"))
    rate_basis_points = models.PositiveIntegerField(_("rate (1/100 %)"))
    charged_on = models.DateField(_("charged on"))
    run = models.ForeignKey(DunningRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("late fee")
        verbose_name_plural = _("late fees")
        ordering = ["-charged_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0) & Q(unpaid__gt=0), name="late_fee_positive"),
        ]

    def __str__(self):
        return f"{self.bill_id}: {self.amount}"

    @property
    def rate_percent(self) -> str:
        return f"{self.rate_basis_points / 100:g}"


class ArrearsEpisode(models.Model):
    """One stretch of arrears of an account: from its first reminder until nothing is overdue."""

    account = models.ForeignKey(
        "customers.Account",
        on_delete=models.PROTECT,
        related_name="arrears_episodes",
        verbose_name=_("account"),
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("cleared on"), null=True, blank=True)
    stage = models.CharField(_("stage reached"), max_length=16, choices=DunningStage.choices)

    class Meta:
        verbose_name = _("arrears episode")
        verbose_name_plural = _("arrears episodes")
        ordering = ["account", "-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(closed_on__isnull=True), name="one_open_arrears_episode"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="arrears_episode_closes_after_opening",
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.opened_on}–{self.closed_on or ''} {self.stage}"


class DunningStep(models.Model):
    """A stage reached by an account in an arrears episode, with the notice it left."""

    episode = models.ForeignKey(ArrearsEpisode, on_delete=models.PROTECT, related_name="steps")
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="dunning_steps", verbose_name=_("account")
    )
    stage = models.CharField(_("stage"), max_length=16, choices=DunningStage.choices)
    on = models.DateField(_("on"))
    owed = models.BigIntegerField(_("overdue then (won)"))
    oldest_due_on = models.DateField(_("oldest unpaid due date"))
    deadline = models.DateField(_("pay by"), null=True, blank=True)
    # [[bill id, billing month (ISO), due date (ISO), owed won], …]: what the letter lists.
    bills = models.JSONField(_("bills overdue then"), default=list)
    # A protected household is reminded without any word of disconnection.
    protected = models.BooleanField(_("protected household"), default=False)
    # "sms", "email": what was queued besides the letter.
    notified = models.CharField(_("also sent by"), max_length=16, blank=True)
    work_order = models.ForeignKey(
        "servicedesk.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("work order"),
    )
    run = models.ForeignKey(DunningRun, null=True, blank=True, on_delete=models.PROTECT, related_name="steps")
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("dunning step")
        verbose_name_plural = _("dunning steps")
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["on", "stage"], name="dunning_step_day"),
            models.Index(fields=["account", "-on"], name="dunning_step_account"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "stage"],
                name="dunning_stage_once_per_episode",
                violation_error_message=_("This stage was already reached in this arrears episode."),
            ),
            models.CheckConstraint(condition=Q(owed__gt=0), name="dunning_step_owes"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.stage} {self.on}"


class Protection(models.Model):
    """A registered vulnerable household or medical need: never disconnected for arrears while it lasts."""

    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="protections", verbose_name=_("account")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ProtectionReason.choices)
    evidence = models.CharField(
        _("evidence"),
        max_length=300,
        help_text=_("The document seen or the agency that confirmed it (no resident registration numbers)."),
    )
    starts_on = models.DateField(_("protected from"))
    ends_on = models.DateField(
        _("protected until"), null=True, blank=True, help_text=_("Inclusive; empty until it is reviewed.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("protection")
        verbose_name_plural = _("protections")
        ordering = ["account", "-starts_on", "-id"]
        indexes = [models.Index(fields=["account", "starts_on"], name="protection_account")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="protection_ends_after_start",
            ),
        ]
        permissions = [("protect_account", _("Can register and end the protection of a household"))]

    def __str__(self):
        return f"{self.account_id} {self.reason} {self.starts_on}–{self.ends_on or ''}"

    def covers(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class PaymentArrangement(models.Model):
    """Arrears split into installments (분납); while honoured the account is not dunned."""

    account = models.ForeignKey(
        "customers.Account",
        on_delete=models.PROTECT,
        related_name="payment_arrangements",
        verbose_name=_("account"),
    )
    episode = models.ForeignKey(
        ArrearsEpisode, null=True, blank=True, on_delete=models.PROTECT, related_name="arrangements"
    )
    arrears = models.BigIntegerField(_("arrears arranged (won)"))
    status = models.CharField(
        _("status"), max_length=12, choices=ArrangementStatus.choices, default=ArrangementStatus.ACTIVE
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("agreed at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("how it ended"), max_length=300, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("payment arrangement")
        verbose_name_plural = _("payment arrangements")
        ordering = ["account", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status=ArrangementStatus.ACTIVE),
                name="one_active_arrangement_per_account",
                violation_error_message=_("This account already has an active payment arrangement."),
            ),
            models.CheckConstraint(condition=Q(arrears__gt=0), name="arrangement_arrears_positive"),
            models.CheckConstraint(
                condition=Q(status=ArrangementStatus.ACTIVE, ended_on__isnull=True)
                | (~Q(status=ArrangementStatus.ACTIVE) & Q(ended_on__isnull=False)),
                name="arrangement_ended_iff_not_active",
            ),
        ]
        permissions = [("arrange_payments", _("Can agree and cancel payment arrangements (분납)"))]

    def __str__(self):
        return f"{self.account_id} {self.arrears} {self.status}"


class Installment(models.Model):
    arrangement = models.ForeignKey(PaymentArrangement, on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField(_("installment"))
    due_on = models.DateField(_("due on"))
    amount = models.BigIntegerField(_("amount (won)"))

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["arrangement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "number"], name="installment_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="installment_positive"),
        ]

    def __str__(self):
        return f"{self.arrangement_id}#{self.number} {self.due_on} {self.amount}"


class Disconnection(models.Model):
    """Water ordered off for arrears (단수), until the arrears are paid (reconnection or withdrawal)."""

    account = models.ForeignKey(
        "customers.Account",
        on_delete=models.PROTECT,
        related_name="disconnections",
        verbose_name=_("account"),
    )
    step = models.OneToOneField(DunningStep, on_delete=models.PROTECT, related_name="disconnection")
    order = models.ForeignKey(
        "servicedesk.ServiceRequest",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("disconnection work order"),
    )
    ordered_at = models.DateTimeField(_("ordered at"))
    resolved_at = models.DateTimeField(_("arrears paid at"), null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=16, choices=DisconnectionResolution.choices, blank=True
    )
    reconnection = models.ForeignKey(
        "servicedesk.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reconnection work order"),
    )

    class Meta:
        verbose_name = _("disconnection")
        verbose_name_plural = _("disconnections")
        ordering = ["-ordered_at", "-id"]
        constraints = [
            # One open disconnection per account, hence never two reconnection orders for one.
            models.UniqueConstraint(
                fields=["account"], condition=Q(resolved_at__isnull=True), name="one_open_disconnection"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolution="")
                | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="disconnection_resolved_with_resolution",
            ),
            models.CheckConstraint(
                condition=~Q(
                    resolution__in=[DisconnectionResolution.RECONNECTION, DisconnectionResolution.PROTECTED]
                )
                | Q(reconnection__isnull=False),
                name="disconnection_reconnection_has_order",
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.ordered_at:%Y-%m-%d} {self.resolution or 'open'}"
