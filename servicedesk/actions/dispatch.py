"""Dispatch: who goes, and when. A visit's crew covers every skill its requests need."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import record_event
from staff.models import BranchOffice, Skill

from .. import events, notices
from ..board import visits_that_day
from ..choices import OPEN_REQUEST_STATUSES, RequestStatus, UpdateKind, VisitStatus
from ..models import ServiceRequest, Visit
from .common import audit, lock_requests, lock_visit, new_visit, require_open, step

WORK_VISIT = "servicedesk.work_visit"
LATE_APPOINTMENT = gettext_lazy(
    "The visit was arranged for a time the citizen chose after the standard's deadline."
)


def appointment_window(start: datetime, end: datetime) -> str:
    """An agreed visit as it reads in the active language, e.g. "2026년 11월 26일 14:00–15:00"."""
    return _("%(day)s %(start)s–%(end)s") % {
        "day": date_format(timezone.localtime(start).date()),
        "start": timezone.localtime(start).strftime("%H:%M"),
        "end": timezone.localtime(end).strftime("%H:%M"),
    }


def field_crew(office: BranchOffice):
    """Active members of the office who may work visits (the field-crew role or a direct grant)."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True, office=office)
        .filter(Q(groups__permissions__codename="work_visit") | Q(user_permissions__codename="work_visit"))
        .distinct()
    )


def may_arrange(user, visit: Visit) -> bool:
    """Staff of a branch office arrange that office's visits; the call centre and head office
    (staff attached to no office) arrange any, as they take calls from the whole city."""
    office_id = getattr(user, "office_id", None)
    return office_id is None or office_id == visit.office_id


def skills_needed(visit: Visit) -> set[int]:
    return set(
        Skill.objects.filter(
            request_types__in=visit.requests.filter(status__in=OPEN_REQUEST_STATUSES).values("type")
        ).values_list("pk", flat=True)
    )


def choose_crew(office: BranchOffice, skills: set[int], day: date) -> list:
    """The smallest, least-loaded crew that covers ``skills``.

    Greedy set cover: take the member who covers most of the missing skills,
    preferring the one with fewest visits that day, until nothing is missing.
    With no skills needed, the least-loaded member goes alone.
    """
    members = list(field_crew(office).prefetch_related("skills").order_by("pk"))
    if not members:
        return []
    loads = visits_that_day([m.pk for m in members], day)
    for member in members:
        member.load = loads.get(member.pk, 0)
    members.sort(key=lambda m: (m.load, m.pk))
    member_skills = {m.pk: {s.pk for s in m.skills.all()} for m in members}
    missing = set(skills)
    chosen = []
    while missing and members:
        best = max(members, key=lambda m: (len(member_skills[m.pk] & missing), -m.load, -m.pk))
        if not member_skills[best.pk] & missing:
            break  # nobody has what is left; arrange_visit reports it
        chosen.append(best)
        missing -= member_skills[best.pk]
        members.remove(best)
    return chosen or ([members[0]] if not skills else [])


def _missing_skills(crew: list, skills: set[int]) -> list[Skill]:
    covered = set(Skill.objects.filter(staff__in=crew).values_list("pk", flat=True))
    return list(Skill.objects.filter(pk__in=skills - covered))


@transaction.atomic
def arrange_visit(
    visit: Visit, *, start: datetime, end: datetime, crew: list | None, note: str = "", acting_user
) -> Visit:
    """Record the appointment agreed with the citizen and send the crew.

    ``crew=None`` chooses it automatically (skills, office, load that day). A crew
    that lacks a needed skill is refused, naming the missing skills.
    """
    visit = lock_visit(visit)
    if not may_arrange(acting_user, visit):
        raise PermissionDenied(
            _("Visit %(number)s belongs to %(office)s; its own staff or the call centre arrange it.")
            % {"number": visit.number, "office": visit.office.display_name}
        )
    if visit.status not in (VisitStatus.PLANNED,):
        raise ValidationError(_("Visit %(number)s is no longer planned.") % {"number": visit.number})
    if start is None or end is None:
        raise ValidationError({"appointment_start": _("Enter the agreed appointment time.")})
    if end <= start:
        raise ValidationError({"appointment_end": _("The appointment must end after it starts.")})
    if end < timezone.now():
        raise ValidationError({"appointment_start": _("The appointment is in the past.")})
    needed = skills_needed(visit)
    day = timezone.localtime(start).date()
    if crew is None:
        crew = choose_crew(visit.office, needed, day)
        if not crew:
            raise ValidationError(
                {
                    "crew": _("No field crew of %(office)s is available; choose the crew by hand.")
                    % {"office": visit.office.display_name}
                }
            )
    crew = list(crew)
    if not crew:
        raise ValidationError({"crew": _("Choose at least one crew member.")})
    allowed = set(field_crew(visit.office).values_list("pk", flat=True))
    strangers = [member for member in crew if member.pk not in allowed]
    if strangers:
        raise ValidationError(
            {
                "crew": _("%(names)s cannot work visits of %(office)s.")
                % {"names": ", ".join(str(m) for m in strangers), "office": visit.office.display_name}
            }
        )
    missing = _missing_skills(crew, needed)
    if missing:
        raise ValidationError(
            {
                "crew": _("Nobody in this crew has: %(skills)s.")
                % {"skills": ", ".join(s.display_name for s in missing)}
            }
        )
    visit.appointment_start, visit.appointment_end, visit.appointment_note = start, end, note.strip()
    visit.save(update_fields=["appointment_start", "appointment_end", "appointment_note"])
    visit.crew.set(crew)
    lead = crew[0]
    operation = uuid.uuid4()
    window = appointment_window(start, end)
    requests = lock_requests(*visit.requests.filter(status__in=OPEN_REQUEST_STATUSES))
    for request in requests:
        fields = ["status"]
        if request.status != RequestStatus.WAITING:
            request.status = RequestStatus.SCHEDULED
        if request.owner_id is None:
            request.owner = lead
            fields.append("owner")
        request.save(update_fields=fields)
        step(request, UpdateKind.APPOINTMENT, note=window, actor=acting_user)
        notices.visit_arranged(request, start=start, end=end)
        if end > request.due_at and request.delay_noticed_at is None:
            # The agreed time itself misses the standard: say so now, with the reason.
            from .lifecycle import announce_delay

            # Lazy texts: the notice is written in the citizen's language, not the clerk's.
            announce_delay(
                request,
                reason=LATE_APPOINTMENT,
                expected=lazy(appointment_window, str)(start, end),
                acting_user=acting_user,
            )
    record_event(
        events.VISIT_ARRANGED,
        actor=acting_user,
        subject=visit,
        household_id=visit.premise_id,
        operation=operation,
        details={"number": visit.number, "appointment": window, "crew": ", ".join(str(m) for m in crew)},
    )
    return visit


@transaction.atomic
def assign_request(request: ServiceRequest, *, owner, acting_user) -> ServiceRequest:
    """Give a request an owner: the person the citizen's question now belongs to."""
    (request,) = lock_requests(request)
    require_open(request)
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": _("Choose an active member of staff.")})
    if not owner.has_perm("servicedesk.handle_request") and not owner.has_perm(WORK_VISIT):
        raise ValidationError({"owner": _("%(name)s cannot handle requests.") % {"name": owner}})
    if request.owner_id == owner.pk:
        return request
    request.owner = owner
    fields = ["owner"]
    if request.status == RequestStatus.RECEIVED:
        request.status = RequestStatus.ASSIGNED
        fields.append("status")
    request.save(update_fields=fields)
    step(request, UpdateKind.ASSIGNED, actor=acting_user)
    audit(events.REQUEST_ASSIGNED, request, actor=acting_user, details={"owner": str(owner)})
    return request


@transaction.atomic
def open_visit(request: ServiceRequest, *, acting_user) -> Visit:
    """A visit for a request taken without one (a proactive case whose pre-call did not
    explain the rise); it waits in the office's queue to be arranged like any other."""
    (request,) = lock_requests(request)
    require_open(request)
    if request.visit_id is not None:
        return request.visit
    if request.premise is None:
        raise ValidationError(_("A visit needs the household's address."), code="no_premise")
    visit = new_visit(request.premise, now=timezone.now(), acting_user=acting_user)
    request.visit = visit
    request.save(update_fields=["visit"])
    return visit
