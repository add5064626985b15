"""Intake: one conversation, any channel, one or more requests, at most one visit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.phones import normalize_phone
from customers.choices import OPEN_STATUSES
from customers.models import Account, Premise

from .. import events, notices
from ..choices import Channel, Origin, Routing, UpdateKind
from ..models import RequestType, ServiceRequest, Visit
from ..numbers import new_request_numbers, new_visit_numbers
from .common import audit, due_for, require_text, step


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
    if intake_key:
        earlier = list(ServiceRequest.objects.filter(intake_key=intake_key).select_related("type", "visit"))
        if earlier:
            return Intake(requests=earlier, visit=earlier[0].visit, repeated=True)
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

    now = received_at or timezone.now()
    account = _current_account(premise)
    office = premise.district.office if premise is not None else getattr(acting_user, "office", None)
    numbers = new_request_numbers(timezone.localtime(now).year, len(drafts))
    operation = uuid.uuid4()
    visit = None
    if not skip_visit and any(d.type.needs_visit for d in drafts):
        visit = Visit.objects.create(
            number=new_visit_numbers(timezone.localtime(now).year)[0],
            premise=premise,
            office=premise.district.office,
            created_at=now,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
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
    if notify_citizen:
        notices.request_received(created)
    if visit is not None and appointment is not None:
        from .dispatch import arrange_visit

        arrange_visit(
            visit,
            start=appointment[0],
            end=appointment[1],
            crew=None,
            note=appointment_note,
            acting_user=acting_user,
        )
        visit.refresh_from_db()
        for request in created:
            request.refresh_from_db()
    return Intake(requests=created, visit=visit)
