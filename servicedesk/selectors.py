"""Read-only queries of intake and the request page.

Nothing here changes data (the operations are in ``actions``). Every function
answers in a fixed number of queries, however long a household's history is:
lists are one query for their rows (joins, never a query per row) plus, where a
list is cut short, one count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers.choices import OPEN_STATUSES
from customers.models import Account, Premise

from .board import mark_urgency
from .choices import OPEN_REQUEST_STATUSES, Routing, TypeGroup
from .models import RequestType, RequestUpdate, ServiceRequest, Visit

# The intake page shows this many past requests of the address (the count says how many there are).
HISTORY_LIMIT = 10
# The household page's panel shows more; older ones are a click away.
PANEL_HISTORY_LIMIT = 20
# More open requests than this at one address is not a household, it is a building site.
OPEN_LIMIT = 50

HANDLE = "servicedesk.handle_request"
WORK_VISIT = "servicedesk.work_visit"


# The catalogue


def catalogue() -> list[RequestType]:
    """The types offered at intake, in the catalogue's order (one query)."""
    return list(RequestType.objects.filter(active=True).order_by("position", "code"))


def standard_text(request_type: RequestType) -> str:
    """The service standard as read out: "9 business hours", "15 business days"."""
    return _("%(amount)s %(unit)s") % {
        "amount": request_type.standard_amount,
        "unit": request_type.get_standard_unit_display(),
    }


def handled_by(request_type: RequestType) -> str:
    """Who the request goes to, as the agent tells the caller."""
    if request_type.routing == Routing.CENTRAL:
        return request_type.central_team or _("a central team")
    return _("the branch office of the address")


def grouped_types(types: list[RequestType]) -> list[tuple[str, list[RequestType]]]:
    """Works first, then billing and administration, as the intake's type list shows them."""
    return [
        (label, [t for t in types if t.group == group])
        for group, label in TypeGroup.choices
        if any(t.group == group for t in types)
    ]


def field_label(spec: dict) -> str:
    if (translation.get_language() or "ko").startswith("en"):
        return spec.get("label_en") or spec["label"]
    return spec["label"]


def choice_label(choice: list) -> str:
    if (translation.get_language() or "ko").startswith("en") and len(choice) > 2:
        return choice[2]
    return choice[1] if len(choice) > 1 else choice[0]


def detail_rows(request: ServiceRequest) -> list[tuple[str, str]]:
    """The type's extra fields as (label, value) in the reader's language, in the type's order."""
    rows = []
    for spec in request.type.form_fields:
        value = request.details.get(spec["name"])
        if value in (None, ""):
            continue
        shown = str(value)
        for choice in spec.get("choices") or []:
            if choice[0] == value:
                shown = choice_label(choice)
        rows.append((field_label(spec), shown))
    return rows


# The household


@dataclass
class HouseholdSummary:
    premise: Premise
    accounts: list[Account]  # open accounts, the longest-standing first, with their holders

    @property
    def account(self) -> Account | None:
        return self.accounts[0] if self.accounts else None


def load_premise(pk) -> Premise | None:
    try:
        return Premise.objects.select_related("district__office").get(pk=int(pk))
    except (Premise.DoesNotExist, TypeError, ValueError):
        return None


def household_summary(premise: Premise) -> HouseholdSummary:
    accounts = list(
        Account.objects.filter(premise=premise, status__in=OPEN_STATUSES)
        .select_related("customer")
        .order_by("start_date", "pk")
    )
    return HouseholdSummary(premise=premise, accounts=accounts)


@dataclass
class History:
    """The requests of one address: what is open, and the history newest first (cut at ``limit``)."""

    open: list[ServiceRequest]
    past: list[ServiceRequest]
    total: int  # every request the history holds, not only those shown
    limit: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.past), 0)


def _at(premise_id: int):
    return ServiceRequest.objects.filter(premise_id=premise_id).select_related(
        "type", "owner", "premise", "visit"
    )


def open_requests_at(premise_id: int, *, now=None) -> list[ServiceRequest]:
    """What is already open at the address, the most urgent first, each marked overdue or due soon."""
    rows = list(
        _at(premise_id).filter(status__in=OPEN_REQUEST_STATUSES).order_by("due_at", "pk")[:OPEN_LIMIT]
    )
    mark_urgency(rows, now or timezone.now())
    return rows


def complaint_history(premise_id: int, *, limit: int = HISTORY_LIMIT, now=None) -> History:
    """Every request ever made at the address (민원이력), newest first, and what is open now.

    Three queries at most: the open ones, the newest ``limit`` of the history, and its count.
    """
    history = _at(premise_id)
    past = list(history.order_by("-received_at", "-pk")[:limit])
    total = len(past) if len(past) < limit else history.count()
    return History(open=open_requests_at(premise_id, now=now), past=past, total=total, limit=limit)


def closed_requests_page(premise_id: int, page_number, *, per_page: int = PANEL_HISTORY_LIMIT) -> Page:
    """The finished requests of the address, newest first, one page at a time (two queries)."""
    closed = _at(premise_id).exclude(status__in=OPEN_REQUEST_STATUSES).order_by("-received_at", "-pk")
    return Paginator(closed, per_page).get_page(page_number)


# One request, with everything its page needs


@dataclass
class RequestPage:
    request: ServiceRequest
    details: list[tuple[str, str]]
    updates: list[RequestUpdate]
    linked: list[ServiceRequest]  # requests that point at this one (found on site, revisits, follow-ups)
    same_visit: list[ServiceRequest] = field(default_factory=list)  # the other requests the visit carries
    crew: list = field(default_factory=list)
    photo_count: int = 0

    @property
    def visit(self) -> Visit | None:
        return self.request.visit

    @property
    def survey(self):
        return getattr(self.request, "survey", None)

    @property
    def revisit_of(self):
        """The survey whose unsatisfied answer created this request, if it is a revisit."""
        return getattr(self.request, "revisit_of_survey", None)


def request_page(number: str, *, now=None) -> RequestPage:
    """A request and what surrounds it, in a fixed number of queries.

    Raises ServiceRequest.DoesNotExist.
    """
    request = (
        ServiceRequest.objects.select_related(
            "type",
            "premise__district__office",
            "office",
            "owner",
            "visit",
            "customer",
            "account",
            "parent__type",
            "created_by",
            "survey__revisit__type",
            "survey__called_by",
            "revisit_of_survey__request__type",
        )
        .prefetch_related(
            Prefetch("updates", queryset=RequestUpdate.objects.select_related("actor").order_by("at", "id")),
            Prefetch(
                "linked_requests",
                queryset=ServiceRequest.objects.select_related("type").order_by("received_at", "pk"),
            ),
        )
        .get(number=number)
    )
    mark_urgency([request], now or timezone.now())
    if not request.is_open:
        request.is_overdue = request.is_due_soon = False  # only open requests can still be late
    page = RequestPage(
        request=request,
        details=detail_rows(request),
        updates=list(request.updates.all()),
        linked=list(request.linked_requests.all()),
    )
    visit = request.visit
    if visit is not None:
        page.crew = list(visit.crew.order_by("full_name", "username"))
        page.photo_count = visit.photos.count()
        page.same_visit = list(visit.requests.exclude(pk=request.pk).select_related("type").order_by("pk"))
    return page


def assignable_staff(office, *, me=None) -> list:
    """Who may own a request of ``office``: its staff who handle requests or work visits.

    Requests of a central team (no office) go to staff without an office who handle requests.
    ``me`` comes first when given, whether or not they belong to the office. One query.
    """
    User = get_user_model()
    codenames = ["handle_request", "work_visit"] if office is not None else ["handle_request"]
    granted = Permission.objects.filter(content_type__app_label="servicedesk", codename__in=codenames)
    staff = list(
        User.objects.filter(is_active=True, office=office)
        .filter(Q(groups__permissions__in=granted) | Q(user_permissions__in=granted) | Q(is_superuser=True))
        .distinct()
        .order_by("full_name", "username")
    )
    if me is not None:
        staff = [me] + [member for member in staff if member.pk != me.pk]
    return staff


# What one intake created


@dataclass
class IntakeResult:
    requests: list[ServiceRequest]
    visit: Visit | None
    crew: list

    @property
    def first(self) -> ServiceRequest:
        return self.requests[0]


def intake_result(number: str) -> IntakeResult:
    """The requests taken in the same conversation as ``number`` (same intake key), and their visit.

    Raises ServiceRequest.DoesNotExist.
    """
    rows = ServiceRequest.objects.select_related(
        "type", "office", "visit", "premise__district__office", "customer"
    )
    first = rows.get(number=number)
    requests = list(rows.filter(intake_key=first.intake_key).order_by("pk")) if first.intake_key else [first]
    visit = next((r.visit for r in requests if r.visit_id), None)
    crew = list(visit.crew.order_by("full_name", "username")) if visit is not None else []
    return IntakeResult(requests=requests, visit=visit, crew=crew)
