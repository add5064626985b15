"""Intake: one conversation, any channel, one or more requests, at most one visit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.phones import normalize_phone
from customers.choices import OPEN_STATUSES
from customers.models import Account, Premise

from .. import events, notices
from ..choices import Channel, Origin, Routing, UpdateKind
from ..models import RequestType, ServiceRequest, Visit
from ..numbers import new_request_numbers
from .common import audit, due_for, new_visit, require_text, step


@dataclass
class RequestDraft:
    """One problem the citizen describes."""

    type: RequestType
    description: str
    details: dict = field(default_factory=dict)


@dataclass
class Contact:
    """Who to call back and notify (may be a tenant or a neighbour, not the account holder)."""

    name: str = ""
    phone: str = ""
    email: str = ""
    by_sms: bool = True
    by_email: bool = False


@dataclass
class Intake:
    requests: list[ServiceRequest]
    visit: Visit | None
    repeated: bool = False  # the same form arrived twice; nothing new was created
    # Why the agreed appointment could not be arranged at once (no crew free); the visit
    # then waits in the queue with the citizen's time kept as ``requested_start``/``_end``.
    not_arranged: str = ""


def field_label(spec: dict) -> str:
    if (translation.get_language() or "ko").startswith("en"):
        return spec.get("label_en") or spec["label"]
    return spec["label"]


def clean_details(request_type: RequestType, raw: dict) -> dict:
    """The type's extra fields, checked against its configuration; unknown keys are dropped."""
    cleaned, errors = {}, []
    for spec in request_type.form_fields:
        name, kind = spec["name"], spec.get("kind", "text")
        value = str(raw.get(name, "") or "").strip()
        if not value:
            if spec.get("required"):
                errors.append(
                    _("%(field)s is required for %(type)s.")
                    % {"field": field_label(spec), "type": request_type.display_name}
                )
            continue
        if spec.get("choices") and value not in {choice[0] for choice in spec["choices"]}:
            errors.append(_("Choose one of the listed values for %(field)s.") % {"field": field_label(spec)})
            continue
        if kind == "number":
            if not value.isdigit() or int(value) < 1:
                errors.append(
                    _("%(field)s must be a whole number of 1 or more.") % {"field": field_label(spec)}
                )
                continue
            value = int(value)
        elif kind == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                errors.append(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": field_label(spec)})
                continue
        cleaned[name] = value
    if errors:
        raise ValidationError({"details": errors})
    return cleaned


def _clean_contact(contact: Contact) -> Contact:
    phone = normalize_phone(contact.phone) if contact.phone.strip() else ""
    email = contact.email.strip()
    if contact.by_email and not email:
        raise ValidationError({"contact_email": _("Enter an e-mail address to send notices by e-mail.")})
    return Contact(
        name=contact.name.strip(),
        phone=phone,
        email=email,
        by_sms=contact.by_sms and bool(phone),
        by_email=contact.by_email,
    )


def _current_account(premise: Premise | None) -> Account | None:
    if premise is None:
        return None
    return (
        Account.objects.select_related("customer")
        .filter(premise=premise, status__in=OPEN_STATUSES)
        .order_by("-start_date", "-pk")
        .first()
    )


@transaction.atomic
def take_requests(
    drafts: list[RequestDraft],
    *,
    channel: str,
    contact: Contact,
    acting_user,
    premise: Premise | None = None,
    origin: str = Origin.CITIZEN,
    appointment: tuple[datetime, datetime] | None = None,
    appointment_note: str = "",
    intake_key: str = "",
    parent: ServiceRequest | None = None,
    link_kind: str = "",
    received_at: datetime | None = None,
    notify_citizen: bool = True,
    skip_visit: bool = False,
) -> Intake:
    """Record everything one household asked for in one conversation.

    Each problem becomes a request with a tracking number, a routing and a due date
    from its type's service standard. The problems that need the field share one
    visit, so a compound complaint sends the specialists together; when an
    appointment was agreed the crew is chosen at once (see dispatch.arrange_visit).
    A resubmitted form (same ``intake_key``) returns what the first one created.
    ``skip_visit`` records a problem already fixed by the crew on site (no new visit).
    """
    earlier = _earlier_intake(intake_key)
    if earlier is not None:
        return earlier
    if not drafts:
        raise ValidationError(_("Add at least one request."), code="empty")
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose how the request reached us.")})
    if origin not in Origin.values:
        raise ValidationError({"origin": _("Unknown origin.")})
    if (channel == Channel.PROACTIVE) != (origin == Origin.PROACTIVE) and channel != Channel.FIELD:
        raise ValidationError({"channel": _("Proactive requests are recorded with the channel “proactive”.")})
    contact = _clean_contact(contact)
    for draft in drafts:
        draft.description = require_text(
            draft.description, "description", _("Write down what the citizen said.")
        )
        if not draft.type.active:
            raise ValidationError(
                {"type": _("%(type)s is no longer offered.") % {"type": draft.type.display_name}}
            )
        if draft.type.needs_visit and premise is None:
            raise ValidationError(
                {
                    "premise": _("%(type)s needs a field visit: find the household's address first.")
                    % {"type": draft.type.display_name}
                }
            )
        draft.details = clean_details(draft.type, draft.details)
    if appointment is not None and not any(d.type.needs_visit for d in drafts):
        appointment = None  # nothing to visit for

    try:
        # Two sends of one form racing each other: the unique (intake_key, position) lets one
        # win; the other rolls back to here and answers with what the winner created.
        with transaction.atomic():
            created, visit = _record(
                drafts,
                channel=channel,
                origin=origin,
                contact=contact,
                premise=premise,
                parent=parent,
                link_kind=link_kind,
                now=received_at or timezone.now(),
                intake_key=intake_key,
                skip_visit=skip_visit,
                acting_user=acting_user,
            )
    except IntegrityError:
        earlier = _earlier_intake(intake_key)
        if earlier is None:
            raise
        return earlier
    if notify_citizen:
        notices.request_received(created)
    not_arranged = ""
    if visit is not None and appointment is not None:
        not_arranged = _arrange_at_intake(visit, appointment, appointment_note, acting_user)
        visit.refresh_from_db()
        for request in created:
            request.refresh_from_db()
    return Intake(requests=created, visit=visit, not_arranged=not_arranged)


def _arrange_at_intake(visit: Visit, appointment, note: str, acting_user) -> str:
    """Send a crew for the agreed time; if none can go, keep the request and the wished time.

    A wrong time (in the past, ending before it starts) still refuses the intake: the
    agent can correct it with the caller on the line. No free crew is not the caller's
    problem, so the requests are saved and the visit waits in the queue.
    """
    from .dispatch import arrange_visit

    try:
        with transaction.atomic():
            arrange_visit(
                visit, start=appointment[0], end=appointment[1], crew=None, note=note, acting_user=acting_user
            )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict") or set(exc.error_dict) != {"crew"}:
            raise
        visit.requested_start, visit.requested_end = appointment
        visit.appointment_note = note.strip()
        visit.save(update_fields=["requested_start", "requested_end", "appointment_note"])
        return " ".join(exc.message_dict["crew"])
    return ""


def _earlier_intake(intake_key: str) -> Intake | None:
    """What an earlier send of the same form created, if any."""
    if not intake_key:
        return None
    earlier = list(
        ServiceRequest.objects.filter(intake_key=intake_key)
        .select_related("type", "visit")
        .order_by("intake_position")
    )
    return Intake(requests=earlier, visit=earlier[0].visit, repeated=True) if earlier else None


def _record(
    drafts: list[RequestDraft],
    *,
    channel: str,
    origin: str,
    contact: Contact,
    premise: Premise | None,
    parent: ServiceRequest | None,
    link_kind: str,
    now: datetime,
    intake_key: str,
    skip_visit: bool,
    acting_user,
) -> tuple[list[ServiceRequest], Visit | None]:
    """Write the requests (and their shared visit) of one checked intake."""
    account = _current_account(premise)
    office = premise.district.office if premise is not None else getattr(acting_user, "office", None)
    numbers = new_request_numbers(timezone.localtime(now).year, len(drafts))
    operation = uuid.uuid4()
    visit = None
    if not skip_visit and any(d.type.needs_visit for d in drafts):
        visit = new_visit(premise, now=now, acting_user=acting_user)
    created = []
    for position, (draft, number) in enumerate(zip(drafts, numbers, strict=True)):
        request = ServiceRequest.objects.create(
            number=number,
            type=draft.type,
            channel=channel,
            origin=origin,
            premise=premise,
            account=account,
            customer=account.customer if account else None,
            contact_name=contact.name or (account.customer.name if account else ""),
            contact_phone=contact.phone,
            contact_email=contact.email,
            notify_by_sms=contact.by_sms,
            notify_by_email=contact.by_email,
            description=draft.description,
            details=draft.details,
            office=office if draft.type.routing == Routing.OFFICE else None,
            visit=visit if draft.type.needs_visit and visit else None,
            parent=parent,
            link_kind=link_kind if parent else "",
            received_at=now,
            due_at=due_for(draft.type, now),
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
            intake_key=intake_key,
            intake_position=position,
        )
        step(request, UpdateKind.RECEIVED, actor=acting_user, at=now)
        audit(
            events.REQUEST_RECEIVED,
            request,
            actor=acting_user,
            operation=operation,
            details={"channel": channel, "link_kind": request.link_kind},
        )
        created.append(request)
    return created, visit
