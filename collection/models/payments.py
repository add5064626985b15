"""What collection records: each payment once, and what it paid.

- A **Payment** arrives from one source (cashier, bank transfer, virtual account, card,
  online, auto-debit) with that source's own reference: the pair is unique, so the
  same payment reported twice is recorded once. A payment no account could be matched
  to waits in suspense. ``allocated`` is how much of it pays bills; the rest is the
  household's credit, which the next bill consumes.
- An **Allocation** is part of a payment paying part of a bill. It is released, not
  deleted, when the payment is reversed or the bill cancelled or reduced below what was
  paid on it; the payment's ``allocated`` is the sum of its active allocations, and the
  bill's balance (billing.BillBalance) what it asks less its active allocations
  (collection.ledger keeps both so, in the same transaction).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..choices import PaymentFileKind, PaymentSource, PaymentStatus


class PaymentFile(models.Model):
    """One file of payments from a bank (deposits, auto-debit results), and what became of its rows.

    A file is known by its content: the same file imported again changes nothing. Each
    row ends in one place: posted to an account, in suspense (money received, no account
    matched), already on record (the same bank reference in an earlier file), or rejected.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=PaymentFileKind.choices)
    name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    posted = models.PositiveIntegerField(_("posted"), default=0)
    suspense = models.PositiveIntegerField(_("in suspense"), default=0)
    already_on_record = models.PositiveIntegerField(_("already on record"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    amount = models.BigIntegerField(_("amount recorded (won)"), default=0)

    class Meta:
        verbose_name = _("payment file")
        verbose_name_plural = _("payment files")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows=F("posted") + F("suspense") + F("already_on_record") + F("rejected")),
                name="payment_file_every_row_accounted",
            ),
        ]
        permissions = [("import_payments", _("Can import banks' payment files"))]

    def __str__(self):
        return self.name


class PaymentFileRejection(models.Model):
    """A row of a payment file that was not taken, with the reason."""

    source = models.ForeignKey(PaymentFile, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("line"))
    raw = models.TextField(_("row as received"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("rejected payment row")
        verbose_name_plural = _("rejected payment rows")
        ordering = ["source", "line"]

    def __str__(self):
        return f"{self.source_id}:{self.line}"


# What a bank file writes by the million — each payment's account and file, each allocation's
# payment and bill — is not checked by database foreign keys: their checks (one locking
# lookup per row and key, at commit) took a third of a whole-city file's import (37 of
# 109 s). collection writes these columns only from rows it has just read or written in
# the same transaction, with the accounts locked (collection.ledger, collection.imports);
# nothing is ever deleted, and the database still refuses to delete an account, bill,
# payment or file that rows point at (delete triggers, migration 0006).
class Payment(models.Model):
    account = models.ForeignKey(
        "customers.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("account"),
        db_constraint=False,
    )
    source = models.CharField(_("source"), max_length=16, choices=PaymentSource.choices)
    reference = models.CharField(
        _("reference"), max_length=64, help_text=_("The source's own id of the payment.")
    )
    amount = models.BigIntegerField(_("amount (won)"))
    allocated = models.BigIntegerField(_("allocated to bills (won)"), default=0)
    # Credit given back to the payer (collection.refunds): no longer the household's credit.
    refunded = models.BigIntegerField(_("refunded (won)"), default=0, db_default=0)
    status = models.CharField(_("status"), max_length=12, choices=PaymentStatus.choices)
    received_at = models.DateTimeField(_("received at"))
    payer = models.CharField(_("payer as reported"), max_length=100, blank=True)
    # What the payer gave to say whose payment it is (an account number, a virtual account),
    # as received: what a clerk matching a payment in suspense goes by.
    stated_account = models.CharField(_("account as stated"), max_length=40, blank=True)
    file = models.ForeignKey(
        PaymentFile,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("payment file"),
        db_index=False,  # payments of a file are listed seldom; a million-row file writes no index for it
        db_constraint=False,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversal_reason = models.CharField(_("reason for the reversal"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-received_at"], name="payment_account_recent"),
            # Payments with money not yet paying a bill: the credit a new bill consumes.
            models.Index(
                fields=["account", "received_at", "id"],
                condition=Q(status=PaymentStatus.POSTED) & Q(allocated__lt=F("amount") - F("refunded")),
                name="payment_credit",
            ),
            models.Index(
                fields=["received_at"], condition=Q(status=PaymentStatus.SUSPENSE), name="payment_suspense"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "reference"],
                name="payment_once_per_source_reference",
                violation_error_message=_("This payment is already recorded."),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0)
                & Q(refunded__gte=0)
                & Q(allocated__lte=F("amount") - F("refunded")),
                name="payment_allocated_and_refunded_within",
            ),
            # In suspense: no account yet. Without an account: in suspense, or returned to the payer.
            models.CheckConstraint(
                condition=Q(status=PaymentStatus.SUSPENSE, account__isnull=True)
                | Q(status=PaymentStatus.POSTED, account__isnull=False)
                | Q(status=PaymentStatus.REVERSED),
                name="payment_account_unless_suspense",
            ),
            models.CheckConstraint(
                condition=~Q(status=PaymentStatus.REVERSED) | (Q(allocated=0) & Q(reversed_at__isnull=False)),
                name="payment_reversed_pays_nothing",
            ),
        ]
        permissions = [
            ("take_payment", _("Can take payments at the counter")),
            ("reverse_payment", _("Can reverse payments and resolve the suspense queue")),
        ]

    def __str__(self):
        return f"{self.source}:{self.reference} {self.amount}"

    @property
    def credit(self) -> int:
        return self.amount - self.allocated - self.refunded if self.status == PaymentStatus.POSTED else 0


class Allocation(models.Model):
    # Not database foreign keys: see Payment.
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="allocations", db_constraint=False
    )
    bill = models.ForeignKey(
        "billing.Bill", on_delete=models.PROTECT, related_name="allocations", db_constraint=False
    )
    amount = models.BigIntegerField(_("amount (won)"))
    created_at = models.DateTimeField(_("allocated at"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive")]

    def __str__(self):
        return f"{self.payment_id} → {self.bill_id}: {self.amount}"


class Refund(models.Model):
    """Credit given back to the household: to a bank account it names, or in cash at the counter."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Transfer to the customer's bank account")
        CASH = "cash", _("Cash at the counter")

    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="refunds", verbose_name=_("account")
    )
    amount = models.BigIntegerField(_("amount (won)"))
    method = models.CharField(_("paid back by"), max_length=16, choices=Method.choices)
    bank = models.CharField(_("bank"), max_length=3, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=16, blank=True)
    holder = models.CharField(_("bank account holder"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("refunded at"))

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive"),
            models.CheckConstraint(
                condition=Q(method="cash") | (~Q(bank="") & ~Q(bank_account="") & ~Q(holder="")),
                name="refund_transfer_names_the_bank_account",
            ),
        ]

    def __str__(self):
        return f"{self.account_id}: {self.amount}"


class RefundPart(models.Model):
    """How much of a refund came out of one payment's credit."""

    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, related_name="parts")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refund_parts")
    amount = models.BigIntegerField(_("amount (won)"))

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_part_positive")]

    def __str__(self):
        return f"{self.refund_id} ← {self.payment_id}: {self.amount}"
