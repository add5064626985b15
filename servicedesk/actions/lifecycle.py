"""The life of a request after intake: waiting for the citizen, delays, completion, cancellation."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.calendar import business_calendar

from .. import events, notices
from ..choices import RequestStatus, UpdateKind, VisitStatus
from ..models import ServiceRequest, Survey, Visit
from .common import audit, lock_requests, require_open, require_text, step


@transaction.atomic
def pause_request(request: ServiceRequest, *, reason: str, acting_user) -> ServiceRequest:
    """Stop the clock while waiting for the citizen (a document, access to the premise)."""
    (request,) = lock_requests(request)
    require_open(request)
    if request.status == RequestStatus.WAITING:
        raise ValidationError(_("Request %(number)s is already waiting.") % {"number": request.number})
    reason = require_text(reason, "reason", _("Say what we are waiting for; the citizen will read it."))
    now = timezone.now()
    request.remaining_seconds = business_calendar().remaining_seconds(
        now, request.due_at, request.type.standard_unit
    )
    request.paused_at = now
    request.status = RequestStatus.WAITING
    request.save(update_fields=["remaining_seconds", "paused_at", "status"])
    step(request, UpdateKind.WAITING, note=reason, actor=acting_user)
    audit(events.REQUEST_PAUSED, request, actor=acting_user, details={"reason": reason})
    return request


def _status_when_active(request: ServiceRequest) -> str:
    if request.visit_id and request.visit.appointment_start:
        return RequestStatus.SCHEDULED
    return RequestStatus.ASSIGNED if request.owner_id else RequestStatus.RECEIVED


@transaction.atomic
def resume_request(request: ServiceRequest, *, acting_user) -> ServiceRequest:
    """Restart the clock with the time that was left when it stopped."""
    (request,) = lock_requests(request)
    if request.status != RequestStatus.WAITING:
        raise ValidationError(_("Request %(number)s is not waiting.") % {"number": request.number})
    now = timezone.now()
    request.due_at = business_calendar().resume_due(
        now, request.remaining_seconds or 0, request.type.standard_unit
    )
    request.paused_at = None
    request.remaining_seconds = None
    request.status = _status_when_active(request)
    request.save(update_fields=["due_at", "paused_at", "remaining_seconds", "status"])
    step(request, UpdateKind.RESUMED, note=notices.when(request.due_at), actor=acting_user)
    audit(events.REQUEST_RESUMED, request, actor=acting_user, details={"due": notices.when(request.due_at)})
    return request


@transaction.atomic
def announce_delay(request: ServiceRequest, *, reason, expected, acting_user) -> ServiceRequest:
    """Tell the citizen the request will miss its standard: why, how far it has got, and when to expect it.

    ``reason`` and ``expected`` are the staff member's own words, or lazy texts (the automatic
    notice) that are written in the citizen's language.
    """
    (request,) = lock_requests(request)
    require_open(request)
    if not isinstance(reason, Promise):
        reason = require_text(reason, "reason", _("Say why it takes longer; the citizen will read it."))
    if not isinstance(expected, Promise):
        expected = require_text(expected, "expected", _("Say when the citizen can expect it."))
    last = request.updates.exclude(kind=UpdateKind.DELAYED).order_by("-at", "-id").first()
    request.delay_noticed_at = timezone.now()
    request.save(update_fields=["delay_noticed_at"])
    with translation.override(notices.citizen_language(request)):
        note = f"{reason} ({expected})"
    step(request, UpdateKind.DELAYED, note=note, actor=acting_user)
    notices.will_miss_standard(request, reason=reason, last_step=last, expected=expected)
    audit(events.REQUEST_DELAY_NOTICED, request, actor=acting_user, details={"reason": str(reason)})
    return request


def schedule_survey(request: ServiceRequest) -> Survey:
    """The Happy Call: ask within the hour whether the citizen is satisfied."""
    survey, _created = Survey.objects.get_or_create(
        request=request,
        defaults={
            "scheduled_for": request.completed_at + timedelta(minutes=settings.HAPPY_CALL_DELAY_MINUTES)
        },
    )
    notices.survey_invitation(survey)
    return survey


def on_live_visit(request: ServiceRequest) -> Visit | None:
    """The planned or ongoing visit the request rides on; it is completed with that visit, in the field."""
    if request.visit_id is None:
        return None
    return Visit.objects.filter(
        pk=request.visit_id, status__in=[VisitStatus.PLANNED, VisitStatus.ON_SITE]
    ).first()


@transaction.atomic
def complete_request(request: ServiceRequest, *, resolution: str, acting_user) -> ServiceRequest:
    """Complete a request handled at the desk (or with no visit left to do it)."""
    (request,) = lock_requests(request)
    visit = on_live_visit(request)
    if visit is not None:
        raise ValidationError(
            _("Request %(number)s is on visit %(visit)s: it is completed with the visit, on the field page.")
            % {"number": request.number, "visit": visit.number},
            code="on_visit",
        )
    return finish_request(request, resolution=resolution, acting_user=acting_user)


def finish_request(request: ServiceRequest, *, resolution: str, acting_user) -> ServiceRequest:
    """Close a locked request with what was done and schedule its Happy Call.

    The field actions call it for the requests of the visit they complete."""
    require_open(request)
    request.resolution = require_text(
        resolution, "resolution", _("Say what was done; the citizen will read it.")
    )
    request.completed_at = timezone.now()
    request.status = RequestStatus.COMPLETED
    request.paused_at = None
    request.remaining_seconds = None
    if request.owner_id is None and getattr(acting_user, "pk", None):
        request.owner = acting_user
    request.save(
        update_fields=["resolution", "completed_at", "status", "paused_at", "remaining_seconds", "owner"]
    )
    step(request, UpdateKind.COMPLETED, note=request.resolution, actor=acting_user)
    audit(events.REQUEST_COMPLETED, request, actor=acting_user, details={"resolution": request.resolution})
    notices.request_completed(request)
    schedule_survey(request)
    return request


@transaction.atomic
def cancel_request(request: ServiceRequest, *, reason: str, acting_user) -> ServiceRequest:
    (request,) = lock_requests(request)
    require_open(request)
    reason = require_text(reason, "reason", _("Say why the request is cancelled; the citizen will read it."))
    request.status = RequestStatus.CANCELLED
    request.resolution = reason
    request.save(update_fields=["status", "resolution"])
    step(request, UpdateKind.CANCELLED, note=reason, actor=acting_user)
    audit(events.REQUEST_CANCELLED, request, actor=acting_user, details={"reason": reason})
    return request
