"""The household page's auto-debit panel: each open account's mandate, its history and recent debits."""

from __future__ import annotations

from dataclasses import dataclass, field

from customers.choices import OPEN_STATUSES, PaymentMethod
from customers.models import Account

from ..household_ledger import latest_per_account
from ..models import DebitRequestLine, Mandate

RECENT_DEBITS = 6


@dataclass
class AccountDebits:
    account: Account
    current: Mandate | None = None  # the mandate without an end
    active: Mandate | None = None  # the one debiting now (a replaced one until its successor starts)
    past: list[Mandate] = field(default_factory=list)
    debits: list[DebitRequestLine] = field(default_factory=list)

    @property
    def marked_without_mandate(self) -> bool:
        """Marked as paying by auto-debit with no mandate on record: nothing is debited."""
        return (
            self.account.payment_method == PaymentMethod.AUTO_DEBIT
            and self.current is None
            and self.active is None
        )


def autodebit_panel(premise_id: int, *, today) -> list[AccountDebits]:
    accounts = list(
        Account.objects.filter(premise_id=premise_id, status__in=OPEN_STATUSES)
        .select_related("customer")
        .order_by("id")
    )
    cards = {account.pk: AccountDebits(account) for account in accounts}
    for mandate in Mandate.objects.filter(account_id__in=cards).order_by("-starts_on", "-id"):
        card = cards[mandate.account_id]
        if mandate.is_active_on(today):
            card.active = mandate
        if mandate.ended_on is None:
            card.current = mandate
        elif mandate is not card.active:  # a replaced mandate still debiting is shown above, not here
            card.past.append(mandate)
    recent = latest_per_account(
        DebitRequestLine.objects.select_related("batch", "bill"), cards, ("-id",), RECENT_DEBITS
    )
    for line in recent.order_by("account_id", "-id"):
        cards[line.account_id].debits.append(line)
    return list(cards.values())
