"""Which accounts a run of a cycle and month must account for."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from customers.models import Account

from .periods import BillingPeriod


def scope(cycle, bp: BillingPeriod) -> QuerySet[Account]:
    """Every account the month's run must end with a bill or an exception.

    The accounts on the cycle's routes that were supplied before the reading window
    opened (one started inside the window is billed from its start next month) and
    that were not closed before the period began (one closed in the period gets its
    final bill).
    """
    return Account.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=bp.previous_read_on),
        premise__route__cycle=cycle,
        start_date__lt=bp.window_from,
    )
