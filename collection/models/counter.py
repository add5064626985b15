"""The counter: a payment taken in person, and its receipt (영수증).

A **CounterReceipt** is the counter's side of a cashier payment: the receipt number (also
the payment's reference), how the money was handed over, the clerk and office, and what
the receipt says — the bills it paid and the balance after — as it stood when the money
was taken, so that a reprint says the same as the original. The form's one-time token is
unique: a form sent twice (a double click, a reload) records one payment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import counter_events  # noqa: F401  (registers the receipt's audit actions)
from ..choices import CounterMeans
from .payments import Payment


class CounterReceipt(models.Model):
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="counter_receipt", verbose_name=_("payment")
    )
    number = models.CharField(_("receipt number"), max_length=20, unique=True)
    token = models.UUIDField(_("form token"), unique=True, editable=False)
    means = models.CharField(_("paid by"), max_length=8, choices=CounterMeans.choices)
    card_approval = models.CharField(_("card approval number"), max_length=20, blank=True)
    office = models.ForeignKey(
        "staff.BranchOffice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("office"),
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("clerk")
    )
    # What the receipt says, as it stood when the money was taken.
    holder = models.CharField(_("holder (masked)"), max_length=100)
    paid_bills = models.JSONField(
        _("bills paid"), default=list
    )  # [{"bill": id, "month": "2026-10", "amount": won}]
    owed_after = models.BigIntegerField(_("still owed after (won)"))
    credit_after = models.BigIntegerField(_("credit after (won)"))
    prints = models.PositiveIntegerField(_("times printed"), default=0)

    class Meta:
        verbose_name = _("counter receipt")
        verbose_name_plural = _("counter receipts")
        constraints = [
            models.CheckConstraint(
                condition=Q(owed_after__gte=0) & Q(credit_after__gte=0), name="receipt_after_positive"
            ),
        ]
        permissions = [
            ("view_collection_reports", _("Can see the arrears aging and collection rate reports")),
        ]

    def __str__(self):
        return self.number
