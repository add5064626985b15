"""Read-only queries of the office queue, the supervisor's board and the Happy Call list.

Nothing here changes data; the operations are in ``actions``. Every list is one
query for its rows (joins, never a query per row) and every set of counts is one
aggregate query with ``Count(filter=Q(...))``.

"Due soon" is deliberately simple: an open request that is not yet overdue and
falls due before the close of the next business day — or, for the clock-hour
standards (emergencies, supply inconvenience), within the next two hours. A
request waiting for the citizen has its clock stopped, so it is neither due soon
nor overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.calendar import business_calendar
from core.models import Notification
from staff.models import BranchOffice

from .choices import (
    OPEN_REQUEST_STATUSES,
    LinkKind,
    RequestStatus,
    StandardUnit,
    SurveyStatus,
    TypeGroup,
    VisitStatus,
)
from .models import ServiceRequest, Survey, Visit

# The central team's requests have no office; in URLs it is written like this.
CENTRAL = "central"
# Clock-hour requests count as due soon this long before their deadline.
CLOCK_DUE_SOON = timedelta(hours=2)
# The board's lists show at most this many rows each (the counts above them are complete).
BOARD_LIST_LIMIT = 50
STATS_DAYS = 30

TABS = [
    ("all", _("All open")),
    ("unassigned", _("Unassigned")),
    ("mine", _("Mine")),
    ("visits", _("Visits to arrange")),
    ("waiting", _("Waiting for the citizen")),
    ("due_soon", _("Due soon")),
    ("overdue", _("Overdue")),
]
TAB_KEYS = {key for key, _label in TABS}

_RUNNING = [s for s in OPEN_REQUEST_STATUSES if s != RequestStatus.WAITING]


def overdue_q(now: datetime) -> Q:
    return Q(status__in=_RUNNING, due_at__lt=now)


def due_soon_q(now: datetime) -> Q:
    next_day_close = business_calendar().add_business_days(now, 1)
    clock = Q(type__standard_unit=StandardUnit.CLOCK_HOURS)
    return Q(status__in=_RUNNING, due_at__gte=now) & (
        (clock & Q(due_at__lte=now + CLOCK_DUE_SOON)) | (~clock & Q(due_at__lte=next_day_close))
    )


def visit_to_arrange_q() -> Q:
    return Q(
        type__group=TypeGroup.DISPATCH,
        visit__isnull=False,
        visit__status=VisitStatus.PLANNED,
        visit__appointment_start__isnull=True,
    )


def tab_q(tab: str, *, user, now: datetime) -> Q:
    return {
        "all": Q(),
        "unassigned": Q(owner__isnull=True),
        "mine": Q(owner=user),
        "visits": visit_to_arrange_q(),
        "waiting": Q(status=RequestStatus.WAITING),
        "due_soon": due_soon_q(now),
        "overdue": overdue_q(now),
    }[tab]


def office_q(office: BranchOffice | None) -> Q:
    return Q(office=office) if office is not None else Q(office__isnull=True)


def open_requests(office: BranchOffice | None) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(office_q(office), status__in=OPEN_REQUEST_STATUSES)


def queue(office: BranchOffice | None, tab: str, *, user, now: datetime) -> QuerySet[ServiceRequest]:
    """The rows of one tab of an office's queue, most urgent first."""
    return (
        open_requests(office)
        .filter(tab_q(tab, user=user, now=now))
        .select_related("type", "premise", "owner", "visit")
        .order_by("due_at", "pk")
    )


def tab_counts(office: BranchOffice | None, *, user, now: datetime) -> dict[str, int]:
    """How many requests each tab holds: one query."""
    return open_requests(office).aggregate(
        **{key: Count("pk", filter=tab_q(key, user=user, now=now)) for key in TAB_KEYS}
    )


def short_address(premise) -> str:
    """Road, building number and unit: enough to recognise the address in a list."""
    if premise is None:
        return ""
    parts = [premise.road_name, premise.building_number]
    if premise.unit:
        parts.append(premise.unit)
    return " ".join(parts)


def mark_urgency(requests, now: datetime) -> None:
    """Flag each request of a page as overdue or due soon (for the marks in the list)."""
    next_day_close = business_calendar().add_business_days(now, 1)
    for request in requests:
        running = request.status != RequestStatus.WAITING
        request.is_overdue = running and request.due_at < now
        horizon = (
            now + CLOCK_DUE_SOON if request.type.standard_unit == StandardUnit.CLOCK_HOURS else next_day_close
        )
        request.is_due_soon = running and not request.is_overdue and request.due_at <= horizon
        request.short_address = short_address(request.premise)


# The supervisor's board


@dataclass
class OfficeRow:
    office: BranchOffice | None
    key: str  # the value of ?office= in the queue's URL
    open: int = 0
    unassigned: int = 0
    due_soon: int = 0
    overdue: int = 0
    escalated: int = 0
    revisits: int = 0
    waiting: int = 0


COUNT_NAMES = ("open", "unassigned", "due_soon", "overdue", "escalated", "revisits", "waiting")


def office_rows(now: datetime) -> list[OfficeRow]:
    """Counts of open requests per office, and a last row for the central teams (two queries)."""
    counts = (
        ServiceRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES)
        .values("office")
        .annotate(
            open=Count("pk"),
            unassigned=Count("pk", filter=Q(owner__isnull=True)),
            due_soon=Count("pk", filter=due_soon_q(now)),
            overdue=Count("pk", filter=overdue_q(now)),
            escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
            revisits=Count("pk", filter=Q(link_kind=LinkKind.REVISIT)),
            waiting=Count("pk", filter=Q(status=RequestStatus.WAITING)),
        )
        .order_by()
    )
    by_office = {row["office"]: row for row in counts}
    rows = [OfficeRow(office, str(office.pk)) for office in BranchOffice.objects.order_by("code")]
    rows.append(OfficeRow(None, CENTRAL))
    for row in rows:
        found = by_office.get(row.office.pk if row.office else None)
        if found:
            for name in COUNT_NAMES:
                setattr(row, name, found[name])
    return rows


def totals(rows: list[OfficeRow]) -> dict[str, int]:
    return {name: sum(getattr(row, name) for row in rows) for name in COUNT_NAMES}


def overdue_and_escalated(now: datetime, limit: int = BOARD_LIST_LIMIT) -> list[ServiceRequest]:
    """Open requests past their deadline or escalated, the longest overdue first."""
    return list(
        ServiceRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES)
        .filter(overdue_q(now) | Q(escalated_at__isnull=False))
        .select_related("type", "premise", "owner", "office")
        .order_by("due_at", "pk")[:limit]
    )


def open_revisits(limit: int = BOARD_LIST_LIMIT) -> list[ServiceRequest]:
    return list(
        ServiceRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES, link_kind=LinkKind.REVISIT)
        .select_related("type", "premise", "owner", "office", "parent")
        .order_by("due_at", "pk")[:limit]
    )


@dataclass
class Satisfaction:
    unanswered: int
    answered: int
    satisfied: int

    @property
    def rate(self) -> float | None:
        return 100 * self.satisfied / self.answered if self.answered else None


def satisfaction(now: datetime, days: int = STATS_DAYS) -> Satisfaction:
    """Happy Calls due and not yet answered, and the last ``days`` days' answers (one query)."""
    since = now - timedelta(days=days)
    answered = Q(status=SurveyStatus.ANSWERED, answered_at__gte=since)
    row = Survey.objects.aggregate(
        unanswered=Count("pk", filter=Q(status=SurveyStatus.SCHEDULED, scheduled_for__lte=now)),
        answered=Count("pk", filter=answered),
        satisfied=Count("pk", filter=answered & Q(satisfied=True)),
    )
    return Satisfaction(**row)


@dataclass
class Compliance:
    completed: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return 100 * self.on_time / self.completed if self.completed else None


def sla_compliance(now: datetime, days: int = STATS_DAYS) -> Compliance:
    """Requests completed in the last ``days`` days, and how many on or before their due time (one query)."""
    row = ServiceRequest.objects.filter(
        status=RequestStatus.COMPLETED, completed_at__gte=now - timedelta(days=days)
    ).aggregate(completed=Count("pk"), on_time=Count("pk", filter=Q(completed_at__lte=F("due_at"))))
    return Compliance(**row)


# The Happy Call list


def call_list(now: datetime) -> QuerySet[Survey]:
    """Surveys whose time has come and that nobody has answered yet, the oldest first."""
    return (
        Survey.objects.filter(status=SurveyStatus.SCHEDULED, scheduled_for__lte=now)
        .select_related("request__type", "request__customer")
        .order_by("scheduled_for", "pk")
    )


def survey_links(request_ids) -> dict[int, list[tuple[str, str]]]:
    """For each request, its survey-link notices as (channel, status), sent first (one query)."""
    links: dict[int, list[tuple[str, str]]] = {}
    rows = (
        Notification.objects.filter(
            object_type=ContentType.objects.get_for_model(ServiceRequest),
            object_id__in=list(request_ids),
            kind="servicedesk.survey",
        )
        .order_by("object_id", "channel")
        .values_list("object_id", "channel", "status")
    )
    for request_id, channel, status in rows:
        links.setdefault(request_id, []).append((channel, status))
    for found in links.values():
        found.sort(key=lambda link: link[1] != Notification.Status.SENT)
    return links


def visits_that_day(crew_ids, day) -> dict[int, int]:
    """How many planned or ongoing visits each crew member has on ``day`` (one query).

    The day is a range of appointment times in the utility's zone, so the office-and-day
    index serves it (a ``__date`` lookup would read every visit of the crew)."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    rows = (
        Visit.objects.filter(
            crew__in=list(crew_ids),
            appointment_start__gte=start,
            appointment_start__lt=start + timedelta(days=1),
            status__in=[VisitStatus.PLANNED, VisitStatus.ON_SITE],
        )
        .values("crew")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    return {row["crew"]: row["n"] for row in rows}
