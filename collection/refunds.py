"""Refunds of credit: money a household paid beyond its bills, given back.

Only credit can be refunded — what no bill owes (settle has already let credit pay
every owed bill). The refund takes the credit of the newest payments first (an
overpayment is usually the last payment) and records from which payment each part came,
so a payment's ``amount = allocated + refunded + credit`` always holds and a payment
whose money was partly given back cannot then be reversed as if it were all still here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none
from customers.models import Account

from . import events
from .autodebit.banks import mask_bank_account, validate_bank
from .choices import PaymentStatus
from .ledger import lock_accounts
from .models import Payment, Refund, RefundPart


@transaction.atomic
def refund_credit(
    account: Account,
    *,
    amount: int,
    method: str,
    reason: str,
    acting_user,
    bank: str = "",
    bank_account: str = "",
    holder: str = "",
) -> Refund:
    """Give back ``amount`` won of the account's credit, by transfer to a bank account or in cash."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError({"amount": _("The amount must be a positive whole number of won.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the credit is refunded.")})
    if method not in Refund.Method.values:
        raise ValidationError({"method": _("Choose how the money is paid back.")})
    if method == Refund.Method.BANK_TRANSFER:
        bank_account = "".join(ch for ch in bank_account if ch.isdigit())
        holder = (holder or "").strip()
        validate_bank(bank)
        if not 10 <= len(bank_account) <= 16:
            raise ValidationError({"bank_account": _("A bank account number has 10 to 16 digits.")})
        if not holder:
            raise ValidationError({"holder": _("Name the bank account's holder.")})
    else:
        bank = bank_account = holder = ""
    lock_accounts([account.pk])
    payments = list(
        Payment.objects.filter(account=account, status=PaymentStatus.POSTED)
        .filter(allocated__lt=F("amount") - F("refunded"))
        .order_by("-received_at", "-id")
        .select_for_update()
    )
    credit = sum(p.credit for p in payments)
    if amount > credit:
        raise ValidationError(
            {"amount": _("The account holds %(credit)s won of credit; %(amount)s won cannot be refunded.")
             % {"credit": f"{credit:,}", "amount": f"{amount:,}"}}
        )  # fmt: skip
    now = timezone.now()
    refund = Refund.objects.create(
        account=account,
        amount=amount,
        method=method,
        bank=bank,
        bank_account=bank_account,
        holder=holder[:100],
        reason=reason[:300],
        created_by=user_or_none(acting_user),
        created_at=now,
    )
    left = amount
    for payment in payments:
        if left == 0:
            break
        take = min(left, payment.credit)
        RefundPart.objects.create(refund=refund, payment=payment, amount=take)
        Payment.objects.filter(pk=payment.pk).update(refunded=F("refunded") + take)
        left -= take
    record_event(
        events.CREDIT_REFUNDED,
        actor=acting_user,
        subject=refund,
        household_id=account.premise_id,
        details={
            "account": account.display_number,
            "amount": amount,
            "refund_method": method,
            "to": mask_bank_account(bank_account) if bank_account else "",
            "reason": refund.reason,
        },
    )
    return refund
