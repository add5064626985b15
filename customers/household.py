"""Everything the household page shows, loaded in a fixed number of queries.

The household is the premise: its accounts past and present with their
holders, its meters, household counts, suspensions, and the timeline of every
event. History grows for years; the number of queries must not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q

from core.audit import describe
from core.dates import today
from core.models import AuditEvent
from metering.models import MeterReading

from .choices import OPEN_STATUSES, AccountStatus
from .models import Account, AccountHolding, AccountSuspension, Customer, MeterInstallation, Premise
from .privacy import CustomerView


@dataclass
class AccountCard:
    account: Account
    customer: CustomerView
    other_open_accounts: int
    holdings: list = field(default_factory=list)
    open_suspension: AccountSuspension | None = None
    suspensions: list = field(default_factory=list)


@dataclass
class TimelineEntry:
    event: AuditEvent
    text: str


@dataclass
class Household:
    premise: Premise
    households_now: int | None
    household_counts: list
    open_accounts: list[AccountCard]
    past_accounts: list[AccountCard]
    installation: MeterInstallation | None
    installations: list
    last_reading: MeterReading | None
    timeline: Page
    timeline_entries: list[TimelineEntry]


def load_premise(pk: int) -> Premise:
    return Premise.objects.select_related("district__office", "route__cycle").get(pk=pk)


def timeline_page(
    premise_id: int, page_number, *, with_access: bool = False
) -> tuple[Page, list[TimelineEntry]]:
    """One page of the household's events, newest first.

    Reveals of personal data are logged as access events; they are shown on request
    (``with_access``) so that the story of the household stays readable.
    """
    events = AuditEvent.objects.filter(household_id=premise_id)
    if not with_access:
        events = events.exclude(category=AuditEvent.Category.ACCESS)
    events = events.select_related("actor").order_by("-occurred_at", "-id")
    page = Paginator(events, settings.TIMELINE_PAGE_SIZE).get_page(page_number)
    return page, [TimelineEntry(event, describe(event)) for event in page.object_list]


def load_household(
    premise: Premise, *, revealed_customer_id: int | None = None, page_number=1, with_access: bool = False
) -> Household:
    accounts = list(
        Account.objects.filter(premise=premise)
        .select_related("customer")
        .annotate(
            # how many other open accounts the holder has (a landlord, a chain of shops)
            holder_open_accounts=Count(
                "customer__accounts", filter=Q(customer__accounts__status__in=OPEN_STATUSES)
            )
        )
        .prefetch_related(
            Prefetch(
                "holdings",
                queryset=AccountHolding.objects.select_related("customer").order_by("-valid_from", "-id"),
            ),
            Prefetch("suspensions", queryset=AccountSuspension.objects.order_by("-suspended_on")),
        )
        .order_by("-start_date", "-id")
    )
    cards_open, cards_past = [], []
    for account in accounts:
        card = AccountCard(
            account=account,
            customer=CustomerView.of(account.customer, revealed=account.customer_id == revealed_customer_id),
            other_open_accounts=max(account.holder_open_accounts - (1 if account.is_open else 0), 0),
            holdings=list(account.holdings.all()),
            suspensions=list(account.suspensions.all()),
        )
        card.open_suspension = next((s for s in card.suspensions if s.ended_on is None), None)
        (cards_open if account.status != AccountStatus.CLOSED else cards_past).append(card)

    installations = list(
        MeterInstallation.objects.filter(premise=premise)
        .select_related("meter")
        .order_by("-installed_on", "-id")
    )
    installation = next((i for i in installations if i.removed_on is None), None)
    last_reading = (
        MeterReading.objects.filter(meter_id=installation.meter_id).order_by("-read_on", "-id").first()
        if installation
        else None
    )
    counts = list(premise.household_counts.order_by("-effective_from"))
    now = today()
    households_now = next((c.households for c in counts if c.effective_from <= now), None)
    page, entries = timeline_page(premise.pk, page_number, with_access=with_access)
    return Household(
        premise=premise,
        households_now=households_now,
        household_counts=counts,
        open_accounts=cards_open,
        past_accounts=cards_past,
        installation=installation,
        installations=installations,
        last_reading=last_reading,
        timeline=page,
        timeline_entries=entries,
    )


def customer_at_premise(premise: Premise, customer_id: int) -> Customer | None:
    """A customer who holds or held an account here (what a household page may reveal)."""
    return Customer.objects.filter(pk=customer_id, holdings__account__premise=premise).distinct().first()
