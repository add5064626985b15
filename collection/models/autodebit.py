"""Auto-debit (자동납부): the customer's mandate, and the debits asked of the banks and their results.

- A **Mandate** lets the utility debit one bank account for one water account's bills:
  the bank, the bank account and its holder (personal data: shown masked), from which
  due date on (``starts_on``) and until when (``ended_on``: the first day it no longer
  applies). Mandates are never edited: a new bank account is a new mandate that
  replaces the old one. At most one mandate per account is without an end (a database
  constraint).
- A **DebitRequest** is the file for one collection date: every bill due that day (and,
  if chosen, the account's earlier unpaid bills) of an account whose mandate is active
  on it, one **DebitRequestLine** each, with a reference that is the same whenever the
  same bill is asked for on the same date. The bank's result file is checked against
  these lines; each line ends debited (a payment of source auto-debit with the line's
  reference) or failed (the bank's code and reason; the bill stays owed).
- A **DebitResultFile** is what a result file did besides payments: the failures it
  recorded and the mandates they ended (its payments are counted on the PaymentFile).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.pii import mask_name

from ..autodebit import events  # noqa: F401  (registers the auto-debit audit actions)
from ..autodebit.banks import bank_name, mask_bank_account, result_text, validate_bank
from ..choices import DebitLineStatus, MandateEndReason, PayerRelation
from .payments import PaymentFile


class Mandate(models.Model):
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="mandates", verbose_name=_("account")
    )
    bank = models.CharField(_("bank"), max_length=3, validators=[validate_bank])
    # Digits only, as the bank wrote it (leading zeros matter): personal data, shown masked.
    bank_account = models.CharField(_("bank account number"), max_length=16)
    holder_name = models.CharField(_("bank account holder"), max_length=100)
    payer_relation = models.CharField(
        _("payer"), max_length=12, choices=PayerRelation.choices, default=PayerRelation.HOLDER
    )
    requested_on = models.DateField(_("applied on"))
    starts_on = models.DateField(
        _("debits bills due from"),
        help_text=_("The first bill whose due date is on or after this day is debited."),
    )
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("The first day the mandate no longer applies.")
    )
    end_reason = models.CharField(
        _("why it ended"), max_length=16, choices=MandateEndReason.choices, blank=True
    )
    end_note = models.CharField(_("note on the end"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("auto-debit mandate")
        verbose_name_plural = _("auto-debit mandates")
        ordering = ["account", "-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(ended_on__isnull=True),
                name="one_current_mandate_per_account",
                violation_error_message=_("This account already has an auto-debit mandate."),
            ),
            models.CheckConstraint(
                condition=Q(bank_account__regex=r"^[0-9]{10,16}$"), name="mandate_account_digits"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__gte=models.F("requested_on")), name="mandate_starts_after_request"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("requested_on")),
                name="mandate_ends_after_request",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="")
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="mandate_end_has_reason",
            ),
        ]
        permissions = [
            ("manage_auto_debit", _("Can enrol accounts in auto-debit and cancel mandates")),
            ("exchange_debit_files", _("Can make debit-request files and import the banks' results")),
        ]

    def __str__(self):
        return f"{self.account_id}: {self.bank} {self.masked_account}"

    @property
    def bank_name(self) -> str:
        return bank_name(self.bank)

    @property
    def masked_account(self) -> str:
        return mask_bank_account(self.bank_account)

    @property
    def masked_holder(self) -> str:
        return mask_name(self.holder_name)

    def is_active_on(self, day) -> bool:
        return self.starts_on <= day and (self.ended_on is None or self.ended_on > day)


class DebitRequest(models.Model):
    """The debit-request file for one collection date (one per date; re-made only after it is withdrawn)."""

    collect_on = models.DateField(_("collection date"), unique=True)
    include_earlier = models.BooleanField(_("earlier unpaid bills included"), default=False)
    count = models.PositiveIntegerField(_("requests"), default=0)
    amount = models.BigIntegerField(_("amount requested (won)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("debit-request file")
        verbose_name_plural = _("debit-request files")
        ordering = ["-collect_on"]

    def __str__(self):
        return self.collect_on.isoformat()


class DebitRequestLine(models.Model):
    batch = models.ForeignKey(DebitRequest, on_delete=models.CASCADE, related_name="lines")
    # YYYYMMDD of the collection date and the bill's id: the same bill on the same date, the same reference.
    reference = models.CharField(_("request reference"), max_length=20, unique=True)
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="debits", db_index=False)
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    bill = models.ForeignKey("billing.Bill", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    amount = models.BigIntegerField(_("amount requested (won)"))
    status = models.CharField(
        _("status"), max_length=8, choices=DebitLineStatus.choices, default=DebitLineStatus.PENDING
    )
    result_code = models.CharField(_("result code"), max_length=4, blank=True)
    result_message = models.CharField(_("bank's message"), max_length=200, blank=True)
    result_at = models.DateTimeField(_("result at"), null=True, blank=True)
    result_file = models.ForeignKey(
        PaymentFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("debit request")
        verbose_name_plural = _("debit requests")
        ordering = ["batch", "id"]
        indexes = [models.Index(fields=["account", "-id"], name="debit_line_account_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="debit_line_positive"),
            models.CheckConstraint(
                condition=Q(status=DebitLineStatus.PENDING, result_code="", result_at__isnull=True)
                | (~Q(status=DebitLineStatus.PENDING) & ~Q(result_code="") & Q(result_at__isnull=False)),
                name="debit_line_result_iff_done",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def result_text(self) -> str:
        return result_text(self.result_code, self.result_message) if self.result_code else ""


class DebitResultFile(models.Model):
    """What a bank's result file recorded besides its payments (those are on the PaymentFile)."""

    file = models.OneToOneField(
        PaymentFile, on_delete=models.CASCADE, primary_key=True, related_name="debit_results"
    )
    failed = models.PositiveIntegerField(_("failed debits"), default=0)
    failed_already = models.PositiveIntegerField(_("failures already on record"), default=0)
    failed_amount = models.BigIntegerField(_("amount not debited (won)"), default=0)
    mandates_ended = models.PositiveIntegerField(_("mandates ended"), default=0)
    notices = models.PositiveIntegerField(_("notices queued"), default=0)

    class Meta:
        verbose_name = _("debit result file")
        verbose_name_plural = _("debit result files")

    def __str__(self):
        return str(self.file)
