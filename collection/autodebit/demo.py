"""The demo city's mandates: every open account the demo marks as paying by auto-debit gets one."""

from __future__ import annotations

import random

from django.db.models import Exists, OuterRef

from customers.choices import OPEN_STATUSES, PaymentMethod
from customers.models import Account, AccountHolding

from ..choices import PayerRelation
from ..models import Mandate

# The banks households in a Korean city use most, with a typical length of their account numbers.
DEMO_BANKS = [
    ("004", 14),
    ("088", 12),
    ("011", 13),
    ("020", 13),
    ("081", 14),
    ("003", 12),
    ("090", 13),
    ("071", 14),
]
FAMILY_NAMES = "김이박최정강조윤장임"


def load_demo_mandates(*, seed: int = 1) -> int:
    """Mandates from the day the current holder took the account over (the demo's bank accounts are invented)."""
    rng = random.Random(seed)
    current = AccountHolding.objects.filter(account=OuterRef("pk"), valid_to__isnull=True)
    accounts = (
        Account.objects.filter(status__in=OPEN_STATUSES, payment_method=PaymentMethod.AUTO_DEBIT)
        .filter(~Exists(Mandate.objects.filter(account=OuterRef("pk"), ended_on__isnull=True)))
        .annotate(since=current.values("valid_from")[:1])
        .values_list("pk", "since", "start_date", "customer__name")
        .order_by("pk")
    )
    mandates = []
    for pk, since, start, name in accounts:
        bank, digits = rng.choice(DEMO_BANKS)
        on = since or start
        relation = PayerRelation.HOLDER if rng.random() < 0.9 else PayerRelation.FAMILY
        holder = name if relation == PayerRelation.HOLDER else rng.choice(FAMILY_NAMES) + name[1:]
        mandates.append(
            Mandate(
                account_id=pk,
                bank=bank,
                bank_account="".join(str(rng.randrange(10)) for _ in range(digits)),
                holder_name=holder[:100],
                payer_relation=relation,
                requested_on=on,
                starts_on=on,
            )
        )
    Mandate.objects.bulk_create(mandates, batch_size=2000)
    return len(mandates)
