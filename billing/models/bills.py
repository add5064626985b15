from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..choices import AdjustmentKind, BillKind, BillStatus


class SewerVolume(models.Model):
    """How an account's sewer volume differs from its water volume, from a date on.

    Groundwater users discharge water the meter never saw (added per month); an
    exemption or partial discharge (a factory's cooling water, a farm) is a percentage
    of the water volume below 100.
    """

    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, related_name="sewer_volumes")
    effective_from = models.DateField(_("effective from"))
    percent_of_water = models.PositiveSmallIntegerField(
        _("share of the water volume (%)"), default=100, validators=[MaxValueValidator(100)]
    )
    groundwater_m3_per_month = models.PositiveIntegerField(_("groundwater (m³ per month)"), default=0)
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sewer volume rule")
        verbose_name_plural = _("sewer volume rules")
        ordering = ["account", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["account", "effective_from"], name="sewer_volume_one_per_day"),
            models.CheckConstraint(condition=Q(percent_of_water__lte=100), name="sewer_share_at_most_all"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.percent_of_water}% + {self.groundwater_m3_per_month} m³"

    def sewer_m3(self, water_m3: int, months: int) -> int:
        return water_m3 * self.percent_of_water // 100 + self.groundwater_m3_per_month * months


class Bill(models.Model):
    """What an account owes for one period: usage between two readings priced by the tariff.

    One issued bill per account and period (a database constraint): a run that is
    repeated or resumed can only fill gaps. A wrong bill is cancelled and replaced,
    never edited.
    """

    # Indexes cost every bill of a run a write: the account's lookups use bill_account_latest
    # (it starts with the account), so the foreign keys below that nobody searches by have none.
    #
    # What a bill points at is written by the run from rows it has just read in the same
    # transaction, and the application never deletes any of them (on_delete=PROTECT is
    # enforced by Django, which asks before deleting; accounts are closed and readings voided,
    # never deleted). A database foreign-key check per bill would cost more than writing the
    # bill: on the run, reading and tariff version 1.4 → 4.4 s for a cycle of 47,000 bills;
    # on the account, whose check also locks each account row, 9 of 60 seconds for a city of
    # a million. The database still refuses to delete an account that has bills (a trigger,
    # migration 0010), and reading deletes are checked by Django without an index (readings
    # are only ever deleted when the demo city is flushed).
    account = models.ForeignKey(
        "customers.Account",
        on_delete=models.PROTECT,
        related_name="bills",
        db_index=False,
        db_constraint=False,
    )
    run = models.ForeignKey(
        "billing.BillingRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_bills",
        db_constraint=False,
    )
    period = models.DateField(_("billing month"), help_text=_("The first day of the month billed."))
    kind = models.CharField(_("kind"), max_length=8, choices=BillKind.choices, default=BillKind.REGULAR)
    status = models.CharField(
        _("status"), max_length=10, choices=BillStatus.choices, default=BillStatus.ISSUED
    )
    use_type = models.CharField(_("use type"), max_length=16)
    period_start = models.DateField(_("usage from"), help_text=_("The day of the previous reading."))
    period_end = models.DateField(_("usage to"), help_text=_("The day of this bill's reading."))
    days = models.PositiveIntegerField(_("days"))
    previous_value = models.PositiveBigIntegerField(_("previous register (m³)"), null=True, blank=True)
    current_value = models.PositiveBigIntegerField(_("current register (m³)"))
    end_reading = models.ForeignKey(
        "metering.MeterReading",
        on_delete=models.PROTECT,
        related_name="bills",
        verbose_name=_("reading"),
        db_constraint=False,
        db_index=False,
    )
    estimated = models.BooleanField(_("estimated reading"), default=False)
    water_m3 = models.PositiveBigIntegerField(_("water volume (m³)"))
    sewer_m3 = models.PositiveBigIntegerField(_("sewer volume (m³)"))
    households = models.PositiveIntegerField(_("households"), default=1)
    tariff_version = models.ForeignKey(
        "billing.TariffVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tariff"),
        db_index=False,
        db_constraint=False,
    )
    # [[component code, won], …] in the tariff's order; labels come from the tariff version.
    charges = models.JSONField(_("charges"))
    subtotal = models.BigIntegerField(_("charges (won)"))
    adjustments = models.BigIntegerField(_("adjustments (won)"), default=0)
    total = models.BigIntegerField(_("total (won)"))
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True, db_default="")
    # Charged by collection (dunning) once the bill is overdue; the run writes none, so new
    # bills take the database's 0. What is paid on the bill is kept beside it: BillBalance.
    late_fee = models.BigIntegerField(_("late fee (won)"), default=0, db_default=0)
    # A cancelled bill is replaced at most once (bill_replaced_once): a unique index of
    # only the bills that replace one, since nearly every bill replaces none.
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        db_index=False,
        verbose_name=_("replaces"),
        help_text=_("The cancelled bill this one was issued instead of."),
    )

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-period", "-id"]
        indexes = [
            models.Index(fields=["account", "-period_end"], name="bill_account_latest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period"],
                condition=Q(status=BillStatus.ISSUED),
                name="one_issued_bill_per_account_period",
                violation_error_message=_("This account already has a bill for this month."),
            ),
            models.UniqueConstraint(
                fields=["replaces"],
                condition=Q(replaces__isnull=False),
                name="bill_replaced_once",
                violation_error_message=_("This bill has already been replaced."),
            ),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("adjustments")), name="bill_total_adds_up"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="bill_period_forwards"
            ),
            models.CheckConstraint(condition=Q(late_fee__gte=0), name="bill_late_fee_positive"),
            models.CheckConstraint(
                condition=Q(status=BillStatus.ISSUED, cancelled_at__isnull=True)
                | Q(status=BillStatus.CANCELLED, cancelled_at__isnull=False),
                name="bill_cancelled_iff_cancelled_at",
            ),
        ]
        permissions = [("run_billing", _("Can run billing and correct bills"))]

    def __str__(self):
        return f"{self.account_id} {self.period:%Y-%m}"

    @property
    def is_issued(self) -> bool:
        return self.status == BillStatus.ISSUED

    @property
    def due(self) -> int:
        """What the bill asks: its total and late fee while issued, nothing once cancelled."""
        return self.total + self.late_fee if self.is_issued else 0

    @property
    def owed(self) -> int:
        """What is still owed on it (negative: it holds more than it may keep); load with select_related("balance")."""
        try:
            return self.balance.owed
        except BillBalance.DoesNotExist:
            return 0

    @property
    def paid(self) -> int:
        """What the payments allocated to it add up to."""
        return self.due - self.owed


class BillBalance(models.Model):
    """What a bill still owes, kept beside the bill: a row only while it is not settled.

    Paying the whole city's bills is then a million deletions of 60-byte rows, not a million
    new versions of 330-byte bill rows with an entry in each of the bill's indexes; and the bills
    still owed (what a payment pays, what dunning chases) are this small table, not a search
    of every bill ever issued. Kept by ``billing.balances`` (its writers: the billing run
    issuing, corrections, late fees, and collection allocating and releasing payments).

    ``owed`` = what the bill asks (total + late fee while issued, 0 once cancelled) − what
    the payments allocated to it add up to. Negative only for a moment: a bill cancelled or
    reduced below what was paid on it, whose excess collection releases in the same
    transaction.
    """

    # Written by the run from the bills it has just inserted, and bills are never deleted
    # (see Bill): database foreign-key checks would lock every bill and account row paid.
    bill = models.OneToOneField(
        Bill, on_delete=models.CASCADE, primary_key=True, related_name="balance", db_constraint=False
    )
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    due_on = models.DateField(_("due on"))  # the bill's, so the oldest is paid first without reading bills
    owed = models.BigIntegerField(_("still owed (won)"))

    class Meta:
        verbose_name = _("bill balance")
        verbose_name_plural = _("bill balances")
        indexes = [
            models.Index(fields=["account", "due_on", "bill"], name="bill_balance_account"),
            # Nearly always empty: what a settlement releases, found without reading the account's bills.
            models.Index(fields=["account"], condition=Q(owed__lt=0), name="bill_balance_holds_too_much"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(owed=0), name="bill_balance_not_settled")]

    def __str__(self):
        return f"{self.bill_id}: {self.owed}"


class Adjustment(models.Model):
    """A change to what a bill asks, with its reason and, for a rule, the rule's inputs and result."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="adjustment_lines")
    kind = models.CharField(_("kind"), max_length=16, choices=AdjustmentKind.choices)
    amount = models.BigIntegerField(_("amount (won)"), help_text=_("Negative for a reduction."))
    reason = models.CharField(_("reason"), max_length=300)
    # For a rule (the leak reduction): what it was computed from, so the customer can be told.
    calculation = models.JSONField(_("calculation"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["bill", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bill"],
                condition=Q(kind="leak"),
                name="one_leak_reduction_per_bill",
                violation_error_message=_("This bill already has a leak reduction."),
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
        ]

    def __str__(self):
        return f"{self.bill_id} {self.kind} {self.amount}"
