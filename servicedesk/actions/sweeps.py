"""Periodic checks over all open requests: delays the citizen must hear about, escalation of the overdue."""

from __future__ import annotations

from django.db import transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.audit import record_event

from .. import events
from ..choices import OPEN_REQUEST_STATUSES, RequestStatus, StandardUnit
from ..models import ServiceRequest
from .lifecycle import announce_delay

# A request is "at risk" in the last fifth of its standard; the citizen hears of it then,
# before the deadline passes, as the charter asks.
AT_RISK_SHARE = 0.2
AT_RISK_PARTS = round(1 / AT_RISK_SHARE)  # at risk once (due - now) × 5 <= (due - received)

# What the automatic notice says, written in each citizen's own language when it is sent.
AUTOMATIC_REASON = gettext_lazy("Your request is still being worked on and may pass our standard time.")
EXPECTED_IN_DAYS = gettext_lazy("within the next business day")
EXPECTED_IN_HOURS = gettext_lazy("within the next few hours")


def at_risk_after(request: ServiceRequest):
    """The moment from which the request counts as at risk of missing its standard."""
    span = request.due_at - request.received_at
    return request.due_at - span * AT_RISK_SHARE


def at_risk(now) -> QuerySet[ServiceRequest]:
    """Open requests (not waiting for the citizen) in the last fifth of their standard, in SQL."""
    span = ExpressionWrapper(F("due_at") - F("received_at"), output_field=DurationField())
    left = ExpressionWrapper(
        (F("due_at") - Value(now, output_field=DateTimeField())) * AT_RISK_PARTS,
        output_field=DurationField(),
    )
    return (
        ServiceRequest.objects.filter(
            status__in=[s for s in OPEN_REQUEST_STATUSES if s != RequestStatus.WAITING]
        )
        .alias(span=span, left=left)
        .filter(span__gte=F("left"))
    )


def warn_of_delays(now=None) -> int:
    """Announce the delay of every open request in the last fifth of its standard that has not been announced.

    The citizen is told the progress so far; staff see the request as due soon on the board
    and may send a more specific notice with their own reason. Each announcement is its own
    transaction, so one failure does not hold back the others' notices.
    """
    now = now or timezone.now()
    due = at_risk(now).filter(delay_noticed_at__isnull=True).select_related("type").order_by("due_at")
    warned = 0
    for request in due.iterator(chunk_size=500):
        in_hours = request.type.standard_unit == StandardUnit.CLOCK_HOURS
        with transaction.atomic():
            announce_delay(
                request,
                reason=AUTOMATIC_REASON,
                expected=EXPECTED_IN_HOURS if in_hours else EXPECTED_IN_DAYS,
                acting_user=None,
            )
        warned += 1
    return warned


@transaction.atomic
def escalate_overdue(now=None, *, acting_user=None) -> int:
    """Mark every overdue open request as escalated (once) so the supervisor's board lists it.

    ``acting_user`` is None for the periodic sweep, or the supervisor who ran it by hand.
    """
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
            actor=acting_user,
            subject=request,
            household_id=request.premise_id,
            details={"number": request.number, "type": request.type.display_name},
        )
    return len(overdue)
