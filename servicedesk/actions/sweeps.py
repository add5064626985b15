"""Periodic checks over all open requests: delays the citizen must hear about, escalation of the overdue."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event

from .. import events
from ..choices import OPEN_REQUEST_STATUSES, RequestStatus, StandardUnit
from ..models import ServiceRequest
from .lifecycle import announce_delay

# A request is "at risk" in the last fifth of its standard; the citizen hears of it then,
# before the deadline passes, as the charter asks.
AT_RISK_SHARE = 0.2


def at_risk_after(request: ServiceRequest):
    """The moment from which the request counts as at risk of missing its standard."""
    span = request.due_at - request.received_at
    return request.due_at - span * AT_RISK_SHARE


def warn_of_delays(now=None) -> int:
    """Announce the delay of every open request in the last fifth of its standard that has not been announced.

    The citizen is told the progress so far; staff see the request as due soon on the board
    and may send a more specific notice with their own reason.
    """
    now = now or timezone.now()
    horizon = now + timedelta(days=30)  # no standard is longer than 30 days
    candidates = (
        ServiceRequest.objects.filter(
            status__in=[s for s in OPEN_REQUEST_STATUSES if s != RequestStatus.WAITING],
            delay_noticed_at__isnull=True,
            due_at__lte=horizon,
        )
        .select_related("type", "visit")
        .order_by("due_at")
    )
    warned = 0
    for request in candidates.iterator(chunk_size=500):
        if at_risk_after(request) > now:
            continue
        expected = (
            _("within the next business day")
            if request.type.standard_unit != StandardUnit.CLOCK_HOURS
            else _("within the next few hours")
        )
        with transaction.atomic():
            announce_delay(
                request,
                reason=_("Your request is still being worked on and may pass our standard time."),
                expected=expected,
                acting_user=None,
            )
        warned += 1
    return warned


@transaction.atomic
def escalate_overdue(now=None) -> int:
    """Mark every overdue open request as escalated (once) so the supervisor's board lists it."""
    now = now or timezone.now()
    overdue = list(
        ServiceRequest.objects.select_for_update(of=("self",))
        .filter(
            status__in=[s for s in OPEN_REQUEST_STATUSES if s != RequestStatus.WAITING],
            due_at__lt=now,
            escalated_at__isnull=True,
        )
        .select_related("type")
    )
    ServiceRequest.objects.filter(pk__in=[r.pk for r in overdue]).update(escalated_at=now)
    for request in overdue:
        record_event(
            events.REQUEST_ESCALATED,
            actor=None,
            subject=request,
            household_id=request.premise_id,
            details={"number": request.number, "type": request.type.display_name},
        )
    return len(overdue)
