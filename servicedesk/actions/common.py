"""Helpers shared by the service-desk operations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event
from core.calendar import business_calendar

from ..choices import OPEN_REQUEST_STATUSES, UpdateKind
from ..models import RequestUpdate, ServiceRequest, Visit
from ..numbers import new_visit_numbers


def lock_requests(*requests: ServiceRequest) -> list[ServiceRequest]:
    """Lock requests in id order (the fixed order keeps two operations from deadlocking)."""
    ids = sorted({r.pk for r in requests})
    return list(
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("type", "premise", "customer")
        .filter(pk__in=ids)
        .order_by("pk")
    )


def new_visit(premise, *, now, acting_user) -> Visit:
    """A visit to ``premise`` by its district's office, numbered, waiting to be arranged."""
    return Visit.objects.create(
        number=new_visit_numbers(timezone.localtime(now).year)[0],
        premise=premise,
        office=premise.district.office,
        created_at=now,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )


def lock_visit(visit: Visit) -> Visit:
    return Visit.objects.select_for_update(of=("self",)).select_related("premise", "office").get(pk=visit.pk)


def require_open(request: ServiceRequest) -> None:
    if request.status not in OPEN_REQUEST_STATUSES:
        raise ValidationError(
            _("Request %(number)s is already %(status)s.")
            % {"number": request.number, "status": request.get_status_display().lower()},
            code="closed",
        )


def step(request: ServiceRequest, kind: UpdateKind, *, note: str = "", actor=None, at=None) -> RequestUpdate:
    """A step the citizen sees on the status page; ``note`` is written for the citizen."""
    return RequestUpdate.objects.create(
        request=request,
        kind=kind,
        note=note,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at or timezone.now(),
    )


def audit(action: str, request: ServiceRequest, *, actor, details=None, reason: str = "", operation=None):
    base = {"number": request.number, "type": request.type.display_name}
    base.update(details or {})
    return record_event(
        action,
        actor=actor,
        subject=request,
        household_id=request.premise_id,
        details=base,
        reason=reason,
        operation=operation,
    )


def due_for(request_type, start):
    return business_calendar().due_at(start, request_type.standard_amount, request_type.standard_unit)


def require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value
