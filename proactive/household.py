"""What the household page's proactive-care panel shows, in a fixed number of queries.

For each account open at the premise: the residents registered (now and before) and
the events the household declared (still to come or recently over); for the premise:
the latest detections, alerted with their case or suppressed with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Prefetch

from core.dates import today
from customers.choices import OPEN_STATUSES
from customers.models import Account

from .models import DeclaredEvent, Detection, ResidentCount

# Declared events that ended longer ago than this are history, not shown on the panel.
RECENT_EVENT_DAYS = 92
DETECTIONS_SHOWN = 10


@dataclass
class AccountExplanations:
    account: Account
    residents_now: ResidentCount | None
    resident_counts: list[ResidentCount] = field(default_factory=list)
    events: list[DeclaredEvent] = field(default_factory=list)


@dataclass
class ProactivePanel:
    accounts: list[AccountExplanations]
    detections: list[Detection]
    more_detections: bool


def proactive_panel(premise_id: int) -> ProactivePanel:
    now = today()
    accounts = (
        Account.objects.filter(premise_id=premise_id, status__in=OPEN_STATUSES)
        .order_by("-start_date", "-id")
        .prefetch_related(
            Prefetch("resident_counts", queryset=ResidentCount.objects.order_by("-effective_from")),
            Prefetch(
                "declared_events",
                queryset=DeclaredEvent.objects.filter(ends_on__gte=now - timedelta(days=RECENT_EVENT_DAYS))
                .select_related("recorded_by", "withdrawn_by")
                .order_by("-starts_on", "-id"),
            ),
        )
    )
    cards = []
    for account in accounts:
        counts = list(account.resident_counts.all())
        cards.append(
            AccountExplanations(
                account=account,
                residents_now=next((c for c in counts if c.effective_from <= now), None),
                resident_counts=counts,
                events=list(account.declared_events.all()),
            )
        )
    detections = list(
        Detection.objects.filter(account__premise_id=premise_id)
        .select_related("account", "case__request")
        .order_by("-read_on", "-id")[: DETECTIONS_SHOWN + 1]
    )
    return ProactivePanel(
        accounts=cards,
        detections=detections[:DETECTIONS_SHOWN],
        more_detections=len(detections) > DETECTIONS_SHOWN,
    )
