"""The crew on site: arrive, record findings and photos, fix what else they find, complete."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event

from .. import events
from ..choices import OPEN_REQUEST_STATUSES, Channel, LinkKind, Origin, UpdateKind, VisitStatus
from ..models import RequestType, ServiceRequest, Visit, VisitPhoto
from .common import lock_requests, lock_visit, require_text, step
from .intake import Contact, RequestDraft, take_requests
from .lifecycle import finish_request

# The first bytes of the photo formats phones produce.
_PHOTO_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")
_HEIC_BRANDS = (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc")


def _require_crew_member(visit: Visit, user) -> None:
    if not visit.crew.filter(pk=user.pk).exists() and not user.has_perm("servicedesk.dispatch_visit"):
        raise ValidationError(_("You are not in the crew of visit %(number)s.") % {"number": visit.number})


def _require_workable(visit: Visit) -> None:
    if visit.status in (VisitStatus.COMPLETED, VisitStatus.CANCELLED):
        raise ValidationError(
            _("Visit %(number)s is already %(status)s.")
            % {"number": visit.number, "status": visit.get_status_display().lower()}
        )


@transaction.atomic
def start_visit(visit: Visit, *, acting_user) -> Visit:
    visit = lock_visit(visit)
    _require_crew_member(visit, acting_user)
    _require_workable(visit)
    if visit.status == VisitStatus.ON_SITE:
        return visit
    visit.status = VisitStatus.ON_SITE
    visit.started_at = timezone.now()
    visit.save(update_fields=["status", "started_at"])
    for request in visit.requests.filter(status__in=OPEN_REQUEST_STATUSES):
        step(request, UpdateKind.ON_SITE, actor=acting_user)
    record_event(
        events.VISIT_STARTED,
        actor=acting_user,
        subject=visit,
        household_id=visit.premise_id,
        details={"number": visit.number},
    )
    return visit


@transaction.atomic
def record_findings(visit: Visit, *, findings: str, work_done: str, acting_user) -> Visit:
    visit = lock_visit(visit)
    _require_crew_member(visit, acting_user)
    _require_workable(visit)
    visit.findings, visit.work_done = findings.strip(), work_done.strip()
    visit.save(update_fields=["findings", "work_done"])
    return visit


def _looks_like_photo(head: bytes) -> bool:
    return head.startswith(_PHOTO_SIGNATURES) or head[4:12] in _HEIC_BRANDS


@transaction.atomic
def add_photo(visit: Visit, *, upload, caption: str = "", acting_user) -> VisitPhoto:
    visit = lock_visit(visit)
    _require_crew_member(visit, acting_user)
    _require_workable(visit)
    if upload is None:
        raise ValidationError({"image": _("Choose a photo.")})
    if upload.size > settings.MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                "image": _("The photo is larger than %(mb)s MB.")
                % {"mb": settings.MAX_PHOTO_BYTES // (1024 * 1024)}
            }
        )
    head = upload.read(16)
    upload.seek(0)
    if not _looks_like_photo(head):
        raise ValidationError({"image": _("Only JPEG, PNG, WebP or HEIC photos can be attached.")})
    return VisitPhoto.objects.create(visit=visit, image=upload, caption=caption.strip(), taken_by=acting_user)


@transaction.atomic
def report_found_problem(
    visit: Visit,
    *,
    request_type: RequestType,
    description: str,
    details: dict | None = None,
    resolved_on_site: bool,
    resolution: str = "",
    acting_user,
) -> ServiceRequest:
    """A problem the crew found on site, beyond what was asked.

    Fixed on the spot: recorded on this visit and completed at once. Otherwise handed
    straight to the responsible team as a new request linked to the visit's request,
    so the citizen does not have to call again. ``details`` answers the type's own
    questions, checked as at intake.
    """
    visit = lock_visit(visit)
    _require_crew_member(visit, acting_user)
    _require_workable(visit)
    parent = visit.requests.order_by("pk").first()
    if resolved_on_site:
        resolution = require_text(resolution, "resolution", _("Say what was fixed on the spot."))
    intake = take_requests(
        [RequestDraft(type=request_type, description=description, details=details or {})],
        channel=Channel.FIELD,
        origin=parent.origin if parent else Origin.CITIZEN,
        premise=visit.premise,
        contact=Contact(
            name=parent.contact_name if parent else "",
            phone=parent.contact_phone if parent else "",
            email=parent.contact_email if parent else "",
            by_sms=parent.notify_by_sms if parent else False,
            by_email=parent.notify_by_email if parent else False,
        ),
        parent=parent,
        link_kind=LinkKind.FOUND_ON_SITE if parent else "",
        acting_user=acting_user,
        notify_citizen=not resolved_on_site,
        skip_visit=resolved_on_site,
    )
    (found,) = intake.requests
    if resolved_on_site:
        found.visit = visit
        found.owner = acting_user
        found.save(update_fields=["visit", "owner"])
        (found,) = lock_requests(found)
        found = finish_request(found, resolution=resolution, acting_user=acting_user)
    return found


@transaction.atomic
def complete_visit(
    visit: Visit, *, findings: str, work_done: str, resolutions: dict[int, str] | None = None, acting_user
) -> Visit:
    """Finish the visit: every open request it carries is completed with what was done."""
    visit = lock_visit(visit)
    _require_crew_member(visit, acting_user)
    _require_workable(visit)
    work_done = require_text(work_done, "work_done", _("Say what was done; the citizen will read it."))
    resolutions = resolutions or {}
    visit.findings, visit.work_done = findings.strip(), work_done
    visit.status = VisitStatus.COMPLETED
    visit.completed_at = timezone.now()
    visit.started_at = visit.started_at or visit.completed_at
    visit.save(update_fields=["findings", "work_done", "status", "completed_at", "started_at"])
    open_requests = lock_requests(*visit.requests.filter(status__in=OPEN_REQUEST_STATUSES))
    for request in open_requests:
        finish_request(request, resolution=resolutions.get(request.pk) or work_done, acting_user=acting_user)
    record_event(
        events.VISIT_COMPLETED,
        actor=acting_user,
        subject=visit,
        household_id=visit.premise_id,
        operation=uuid.uuid4(),
        details={"number": visit.number, "work_done": work_done},
    )
    return visit
