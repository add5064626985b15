"""Which accounts a run of a cycle and month must account for."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from customers.models import Account, Premise

from .periods import BillingPeriod


def _in_month(bp: BillingPeriod) -> Q:
    """Supplied before the reading window opened, not closed before the period began."""
    return (Q(end_date__isnull=True) | Q(end_date__gt=bp.previous_read_on)) & Q(start_date__lt=bp.window_from)


def scope(cycle, bp: BillingPeriod) -> QuerySet[Account]:
    """Every account the month's run must end with a bill or an exception.

    The accounts on the cycle's routes that were supplied before the reading window
    opened (one started inside the window is billed from its start next month) and
    that were not closed before the period began (one closed in the period gets its
    final bill). Found through the cycle's premises by index (see ``__any_of``): a
    cycle is a twentieth of the city, and this query runs when a run is planned and
    again when it is reconciled.
    """
    return Account.objects.filter(
        _in_month(bp), premise_id__any_of=Premise.objects.filter(route__cycle=cycle).values("id")
    )


def chunk_scope(bp: BillingPeriod) -> QuerySet[Account]:
    """The month's conditions alone, for a query that names the accounts by id (a chunk's).

    The caller checks each account's cycle on its premise's row (the chunk reads the
    premises anyway, ``chunk._premises``): asked in the query, the cycle makes the planner read all the cycle's premises for
    every chunk instead of following each account to its premise.
    """
    return Account.objects.filter(_in_month(bp))
