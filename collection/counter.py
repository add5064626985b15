"""The counter (수납 창구): finding the account, what it owes, and taking a payment with its receipt.

A counter payment is a cashier payment whose reference is the receipt number. The form
carries a one-time token: sent twice (a double click, a reload after a slow answer) it
returns the payment recorded the first time instead of taking the money again.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.choices import BillStatus
from billing.models import Bill
from core.dates import today as seoul_today
from core.sequences import is_valid_check_digit, take_numbers
from customers.models import Account
from customers.privacy import shown_name

from .actions import record_payment
from .choices import CounterMeans, PaymentSource
from .ledger import Position, lock_accounts, position
from .models import CounterReceipt

ACCOUNT_NUMBER = re.compile(r"^\d{9}-?\d$")
# A payment larger than this at the counter is a typing slip (a zero too many), not a payment.
COUNTER_LIMIT = 100_000_000


def find_account(text: str) -> Account:
    """The account a clerk typed, with or without the check digit's hyphen (100000001-7 or 1000000017)."""
    typed = "".join((text or "").split())
    if not typed:
        raise ValidationError({"number": _("Enter the account number.")})
    if not ACCOUNT_NUMBER.match(typed):
        raise ValidationError(
            {"number": _("An account number has ten digits, the last one after a hyphen: 100000001-7.")}
        )
    digits = typed.replace("-", "")
    if not is_valid_check_digit(digits):
        raise ValidationError(
            {
                "number": _(
                    "%(number)s is not a valid account number: its last digit does not match. "
                    "Check the number with the customer."
                )
                % {"number": typed}
            }
        )
    account = (
        Account.objects.select_related("customer", "premise__district__office").filter(number=digits).first()
    )
    if account is None:
        raise ValidationError({"number": _("No account has the number %(number)s.") % {"number": typed}})
    return account


@dataclass
class OpenBill:
    bill: Bill
    left: int
    overdue: bool


@dataclass
class AccountDue:
    """What the clerk sees before taking the money."""

    account: Account
    holder: str  # masked
    position: Position
    today: dt.date
    bills: list[OpenBill] = field(default_factory=list)

    @property
    def oldest_overdue(self) -> dt.date | None:
        """The due date of the oldest bill still owed past it."""
        return min((b.bill.due_on for b in self.bills if b.overdue), default=None)

    @property
    def arrears_days(self) -> int:
        """Days since then (0: nothing overdue)."""
        return (self.today - self.oldest_overdue).days if self.oldest_overdue else 0

    @property
    def suggested(self) -> int:
        """The amount the form starts with: everything owed (nothing if the account holds credit)."""
        return max(self.position.balance, 0)

    @property
    def closed_with_nothing_owed(self) -> bool:
        return not self.account.is_open and self.position.owed == 0


def account_due(account: Account, *, today=None) -> AccountDue:
    today = today or seoul_today()
    bills = (
        Bill.objects.filter(account=account, status=BillStatus.ISSUED, balance__owed__gt=0)
        .select_related("balance")
        .order_by("due_on", "id")
    )
    return AccountDue(
        account=account,
        holder=shown_name(account.customer),
        position=position(account.pk, today=today),
        today=today,
        bills=[OpenBill(b, b.owed, b.due_on < today) for b in bills],
    )


@dataclass
class Taken:
    receipt: CounterReceipt
    created: bool  # False: the form had been sent before; this is the payment recorded then


def take_counter_payment(
    account: Account,
    *,
    amount: int,
    means: str,
    token: uuid.UUID,
    acting_user,
    card_approval: str = "",
    now: datetime | None = None,
) -> Taken:
    """Take money at the counter: record it as a cashier payment, paying the oldest bills, and write its receipt.

    More than is owed is kept as the household's credit; less pays the oldest bills, the
    last in part. A closed account that owes nothing takes no payment (nothing to pay,
    and no next bill to use a credit).
    """
    if means not in CounterMeans.values:
        raise ValidationError({"means": _("Choose how the customer paid.")})
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError({"amount": _("The amount must be a positive whole number of won.")})
    if amount > COUNTER_LIMIT:
        raise ValidationError(
            {
                "amount": _("%(amount)s won is more than a counter payment can be; check the amount.")
                % {"amount": f"{amount:,}"}
            }
        )
    if not isinstance(token, uuid.UUID):
        raise ValueError("token must be a UUID")
    if not getattr(acting_user, "pk", None):
        raise ValueError("a counter payment is taken by a member of staff")
    earlier = _sent_before(token, account, amount)
    if earlier is not None:
        return earlier
    now = now or timezone.now()
    try:
        with transaction.atomic():
            lock_accounts([account.pk])
            # The same form, sent again while the first was being recorded: it waited for the lock.
            earlier = _sent_before(token, account, amount)
            if earlier is not None:
                return earlier
            before = position(account.pk)
            if not account.is_open and before.owed == 0:
                raise ValidationError(
                    _("Account %(account)s is closed and owes nothing: there is nothing to pay.")
                    % {"account": account.display_number},
                    code="closed",
                )
            number = next_receipt_number(now)
            payment = record_payment(
                account,
                amount=amount,
                source=PaymentSource.CASHIER,
                reference=number,
                received_at=now,
                acting_user=acting_user,
                note=_counter_note(means, card_approval),
            ).payment
            paid = list(
                payment.allocations.filter(released_at__isnull=True)
                .select_related("bill")
                .order_by("bill__due_on", "bill_id")
            )
            after = position(account.pk)
            receipt = CounterReceipt.objects.create(
                payment=payment,
                number=number,
                token=token,
                means=means,
                card_approval=card_approval.strip()[:20],
                office=getattr(acting_user, "office", None),
                taken_by=acting_user,
                holder=shown_name(account.customer),
                paid_bills=[
                    {"bill": a.bill_id, "month": f"{a.bill.period:%Y-%m}", "amount": a.amount} for a in paid
                ],
                owed_after=after.owed,
                credit_after=after.credit,
            )
    except IntegrityError:
        # Two submissions of one form at the same moment (a database without row locks): one wins.
        earlier = _sent_before(token, account, amount)
        if earlier is None:
            raise
        return earlier
    return Taken(receipt, True)


def _sent_before(token: uuid.UUID, account: Account, amount: int) -> Taken | None:
    receipt = CounterReceipt.objects.select_related("payment").filter(token=token).first()
    if receipt is None:
        return None
    if receipt.payment.account_id != account.pk or receipt.payment.amount != amount:
        raise ValidationError(
            _(
                "This form already recorded payment %(receipt)s (%(amount)s won). "
                "Start a new payment for another amount or account."
            )
            % {"receipt": receipt.number, "amount": f"{receipt.payment.amount:,}"},
            code="token_used",
        )
    return Taken(receipt, False)


def next_receipt_number(now: datetime) -> str:
    """20261123-00042: the day in Seoul and that day's count, taken under a row lock."""
    day = timezone.localdate(now)
    (value,) = take_numbers(f"collection.receipt.{day:%Y%m%d}", 1)
    return f"{day:%Y%m%d}-{value:05d}"


def _counter_note(means: str, card_approval: str) -> str:
    note = f"counter {means}"
    if card_approval.strip():
        note += f" approval {card_approval.strip()[:20]}"
    return note
