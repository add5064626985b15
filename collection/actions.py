"""Collection's operations (views, the API, commands and tasks call these, nothing else)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none
from customers.models import Account

from . import events
from .choices import PaymentSource, PaymentStatus
from .ledger import lock_accounts, release_allocations, settle
from .models import Payment


@dataclass
class Recorded:
    payment: Payment
    created: bool  # False: the same source and reference were recorded before; nothing changed


def record_payment(
    account: Account | None,
    *,
    amount: int,
    source: str,
    reference: str,
    received_at: datetime,
    acting_user,
    payer: str = "",
    note: str = "",
    stated_account: str = "",
) -> Recorded:
    """Record one payment and let it pay the account's oldest bills; the rest is credit.

    The same source and reference arriving again returns the payment on record and
    changes nothing (a second callback, a re-sent file line) — as long as it says the
    same; a different amount under a known reference is refused. Without an account the
    payment waits in suspense.
    """
    if source not in PaymentSource.values:
        raise ValidationError({"source": _("Unknown payment source.")})
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("A payment needs its source's reference.")})
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError({"amount": _("The amount must be a positive whole number of won.")})
    if timezone.is_naive(received_at):
        raise ValueError("received_at must be timezone-aware")
    earlier = _earlier(source, reference, amount)
    if earlier is not None:
        return Recorded(earlier, False)
    try:
        with transaction.atomic():
            if account is not None:
                lock_accounts([account.pk])
            payment = Payment.objects.create(
                account=account,
                source=source,
                reference=reference[:64],
                amount=amount,
                status=PaymentStatus.POSTED if account is not None else PaymentStatus.SUSPENSE,
                received_at=received_at,
                payer=payer[:100],
                note=note[:300],
                stated_account=stated_account[:40],
                recorded_by=user_or_none(acting_user),
            )
            if account is not None:
                settle([account.pk])
                payment.refresh_from_db(fields=["allocated"])
                record_event(
                    events.PAYMENT_RECORDED,
                    actor=acting_user,
                    subject=payment,
                    household_id=account.premise_id,
                    details={
                        "account": account.display_number,
                        "amount": amount,
                        "source": source,
                        "reference": payment.reference,
                        "allocated": payment.allocated,
                    },
                )
    except IntegrityError:
        # The same payment, recorded by a concurrent request between our look and our write.
        earlier = _earlier(source, reference, amount)
        if earlier is None:
            raise
        return Recorded(earlier, False)
    return Recorded(payment, True)


def _earlier(source: str, reference: str, amount: int) -> Payment | None:
    earlier = Payment.objects.filter(source=source, reference=reference[:64]).first()
    if earlier is not None and earlier.amount != amount:
        raise ValidationError(
            _("Payment %(reference)s is on record with %(recorded)s won, not %(amount)s won.")
            % {"reference": reference, "recorded": f"{earlier.amount:,}", "amount": f"{amount:,}"},
            code="conflict",
        )
    return earlier


@transaction.atomic
def reverse_payment(payment: Payment, *, reason: str, acting_user) -> Payment:
    """A bounced or cancelled payment: what it paid is owed again; other credit then pays it if it can."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the payment is reversed.")})
    if payment.account_id is not None:
        lock_accounts([payment.account_id])
    payment = Payment.objects.select_for_update(of=("self",)).select_related("account").get(pk=payment.pk)
    if payment.status == PaymentStatus.REVERSED:
        raise ValidationError(_("This payment was already reversed."), code="reversed")
    if payment.refunded:
        raise ValidationError(
            _("%(amount)s won of this payment was refunded to the payer; it cannot be reversed as a whole.")
            % {"amount": f"{payment.refunded:,}"},
            code="refunded",
        )
    now = timezone.now()
    release_allocations(payment.allocations.filter(released_at__isnull=True), now)
    Payment.objects.filter(pk=payment.pk).update(
        status=PaymentStatus.REVERSED,
        allocated=0,
        reversed_at=now,
        reversed_by=user_or_none(acting_user),
        reversal_reason=reason[:300],
    )
    payment.refresh_from_db()
    if payment.account_id is not None:
        settle([payment.account_id])
        record_event(
            events.PAYMENT_REVERSED,
            actor=acting_user,
            subject=payment,
            household_id=payment.account.premise_id,
            details={
                "account": payment.account.display_number,
                "amount": payment.amount,
                "source": payment.source,
                "reference": payment.reference,
                "reason": payment.reversal_reason,
            },
        )
    return payment


@transaction.atomic
def match_suspense_payment(payment: Payment, account: Account, *, acting_user, note: str = "") -> Payment:
    """A payment in suspense is the account's: it is posted and pays the account's oldest bills."""
    lock_accounts([account.pk])
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.SUSPENSE:
        raise ValidationError(_("This payment is no longer in suspense."), code="not_in_suspense")
    Payment.objects.filter(pk=payment.pk).update(
        account=account,
        status=PaymentStatus.POSTED,
        note=(note or payment.note).strip()[:300],
    )
    settle([account.pk])
    payment.refresh_from_db()
    record_event(
        events.SUSPENSE_MATCHED,
        actor=acting_user,
        subject=payment,
        household_id=account.premise_id,
        details={
            "account": account.display_number,
            "amount": payment.amount,
            "source": payment.source,
            "reference": payment.reference,
            "allocated": payment.allocated,
        },
    )
    return payment
