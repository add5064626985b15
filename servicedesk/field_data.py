"""Read-only queries of the field crew's pages, each in a fixed number of queries.

"My jobs" lists the visits a crew member goes to; the visit page gathers what the
crew needs before ringing the bell: the address, the agreed time, who to call,
what was said at intake and the household's past complaints at that address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q
from django.utils import timezone, translation

from core.phones import format_phone
from core.pii import mask_name, mask_phone

from .choices import OPEN_REQUEST_STATUSES, LinkKind, VisitStatus
from .models import ServiceRequest, Visit, VisitPhoto

WORKABLE = (VisitStatus.PLANNED, VisitStatus.ON_SITE)
# A phone shows a day's work; a crew member never has more than this in a week.
MAX_JOBS = 100
LATER_DAYS = 7
HISTORY_LIMIT = 10
EXCERPT_CHARS = 90


@dataclass
class JobCard:
    visit: Visit
    requests: list[ServiceRequest]
    now: dt.datetime

    @property
    def types(self) -> list[str]:
        seen: list[str] = []
        for request in self.requests:
            name = request.type.display_name
            if name not in seen:
                seen.append(name)
        return seen

    @property
    def excerpt(self) -> str:
        text = " / ".join(" ".join(r.description.split()) for r in self.requests)
        return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"

    @property
    def emergency(self) -> bool:
        return any(r.type.emergency for r in self.requests)

    @property
    def revisit(self) -> bool:
        return any(r.link_kind == LinkKind.REVISIT for r in self.requests)

    @property
    def compound(self) -> bool:
        return len(self.requests) > 1

    @property
    def window_passed(self) -> bool:
        end = self.visit.appointment_end
        return self.visit.status == VisitStatus.PLANNED and end is not None and end < self.now


@dataclass
class Jobs:
    day: dt.date
    overdue: list[JobCard] = field(default_factory=list)
    today: list[JobCard] = field(default_factory=list)
    later: list[JobCard] = field(default_factory=list)
    unscheduled: list[JobCard] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.later) + len(self.unscheduled)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def my_jobs(user, *, now: dt.datetime | None = None) -> Jobs:
    """The user's unfinished visits: overdue first, then today's, the coming days, and those without a time yet.

    Two queries whatever the number of visits (the visits, then their requests).
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    today_start, tomorrow_start = _day_start(day), _day_start(day + dt.timedelta(days=1))
    horizon = _day_start(day + dt.timedelta(days=LATER_DAYS + 1))
    visits = (
        Visit.objects.filter(crew=user, status__in=WORKABLE)
        .filter(Q(appointment_start__lt=horizon) | Q(appointment_start__isnull=True))
        .select_related("premise__district")
        .prefetch_related(
            Prefetch(
                "requests",
                queryset=ServiceRequest.objects.select_related("type").order_by("pk"),
                to_attr="all_requests",
            )
        )
        .order_by(F("appointment_start").asc(nulls_last=True), "pk")[:MAX_JOBS]
    )
    jobs = Jobs(day=day)
    for visit in visits:
        open_requests = [r for r in visit.all_requests if r.status in OPEN_REQUEST_STATUSES]
        card = JobCard(visit=visit, requests=open_requests or visit.all_requests, now=now)
        start = visit.appointment_start
        if start is None:
            jobs.unscheduled.append(card)
        elif start < today_start:
            jobs.overdue.append(card)
        elif start < tomorrow_start:
            jobs.today.append(card)
        else:
            jobs.later.append(card)
    return jobs


def may_work(user, visit: Visit) -> bool:
    """Crew of the visit, or whoever dispatches visits (the actions allow the same)."""
    if user.has_perm("servicedesk.dispatch_visit"):
        return True
    return user.has_perm("servicedesk.work_visit") and visit.crew.filter(pk=user.pk).exists()


def load_visit(number: str) -> Visit:
    return (
        Visit.objects.select_related("premise__district__office", "office")
        .prefetch_related("crew")
        .get(number=number)
    )


@dataclass
class ContactCard:
    """Who to call about the visit, masked unless revealed (a logged operation)."""

    request: ServiceRequest  # the request the contact was taken with; a reveal names it
    name: str
    phone: str  # E.164
    revealed: bool = False
    request_ids: set[int] = field(default_factory=set)

    @property
    def customer(self):
        return self.request.customer

    @property
    def shown_name(self) -> str:
        return self.name if self.revealed else mask_name(self.name)

    @property
    def shown_phone(self) -> str:
        formatted = format_phone(self.phone)
        return formatted if self.revealed or not formatted else mask_phone(formatted)

    @property
    def dial(self) -> str:
        return self.phone if self.revealed else ""


def detail_rows(request: ServiceRequest) -> list[tuple[str, str]]:
    """The type's extra fields as (label, value) in the reader's language."""
    english = (translation.get_language() or "ko").startswith("en")
    rows = []
    for spec in request.type.form_fields:
        value = request.details.get(spec["name"])
        if value in (None, ""):
            continue
        label = (spec.get("label_en") if english else None) or spec["label"]
        shown = str(value)
        for choice in spec.get("choices") or []:
            if choice[0] == value:
                shown = choice[2] if english and len(choice) > 2 else choice[1]
        rows.append((label, shown))
    return rows


@dataclass
class CarriedRequest:
    request: ServiceRequest
    details: list[tuple[str, str]]


@dataclass
class VisitPage:
    visit: Visit
    carried: list[CarriedRequest]
    found: list[ServiceRequest]
    history: list[ServiceRequest]
    photos: list[VisitPhoto]
    contacts: list[ContactCard]

    @property
    def workable(self) -> bool:
        return self.visit.status in WORKABLE

    @property
    def open_requests(self) -> list[ServiceRequest]:
        return [c.request for c in self.carried if c.request.status in OPEN_REQUEST_STATUSES]


def found_on_visit(visit: Visit) -> list[ServiceRequest]:
    """Problems the crew found on this visit (fixed there, or handed to their team)."""
    return list(
        ServiceRequest.objects.filter(parent__visit=visit, link_kind=LinkKind.FOUND_ON_SITE)
        .select_related("type", "office", "visit")
        .order_by("pk")
    )


def visit_photos(visit: Visit) -> list[VisitPhoto]:
    return list(visit.photos.order_by("uploaded_at", "pk"))


def premise_history(visit: Visit) -> list[ServiceRequest]:
    """Earlier requests at the address, newest first (민원이력): not this visit's own work."""
    return list(
        ServiceRequest.objects.filter(premise_id=visit.premise_id)
        .exclude(visit=visit)
        .exclude(Q(link_kind=LinkKind.FOUND_ON_SITE) & Q(parent__visit=visit))
        .select_related("type")
        .order_by("-received_at", "-pk")[:HISTORY_LIMIT]
    )


def contacts_of(
    requests: list[ServiceRequest], *, revealed_request_id: int | None = None
) -> list[ContactCard]:
    """One card per distinct contact; the account holder's phone when none was given."""
    cards: dict[tuple[str, str], ContactCard] = {}
    for request in requests:
        phone = request.contact_phone or (request.customer.phone if request.customer else "")
        name = request.contact_name or (request.customer.name if request.customer else "")
        if not name and not phone:
            continue
        key = (name, phone)
        card = cards.get(key)
        if card is None:
            card = cards[key] = ContactCard(request=request, name=name, phone=phone)
        elif card.customer is None and request.customer is not None:
            card.request = request
        card.request_ids.add(request.pk)
    for card in cards.values():
        card.revealed = revealed_request_id in card.request_ids
    return list(cards.values())


def visit_page(visit: Visit, *, revealed_request_id: int | None = None) -> VisitPage:
    requests = list(visit.requests.select_related("type", "customer").order_by("pk"))
    ids = {r.pk for r in requests}
    # Problems found and fixed on this visit hang on it too; they are listed with the found ones.
    carried = [r for r in requests if not (r.link_kind == LinkKind.FOUND_ON_SITE and r.parent_id in ids)]
    return VisitPage(
        visit=visit,
        carried=[CarriedRequest(r, detail_rows(r)) for r in carried],
        found=found_on_visit(visit),
        history=premise_history(visit),
        photos=visit_photos(visit),
        contacts=contacts_of(carried, revealed_request_id=revealed_request_id),
    )
