"""Unmasking who to call about a request: always with a reason, always logged."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record_event
from core.models import AuditEvent
from customers.actions import check_reveal, reveal_personal_data

from .. import events
from ..models import ServiceRequest

CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


@dataclass(frozen=True)
class RequestContact:
    """Who to call about a request, in clear: its own contact, else the account holder."""

    name: str
    phone: str
    email: str
    holder_phone: str  # the account holder's number when it differs from the contact's


@transaction.atomic
def reveal_request_contact(
    service_request: ServiceRequest, *, reason: str, note: str = "", acting_user
) -> RequestContact:
    """Unmask the request's contact and log it.

    A contact given at intake (a tenant, a neighbour; there may be no customer record at
    all) is logged against the request; the account holder's data, shown beside it or
    in its place, through the customer's own reveal log.
    """
    note = check_reveal(acting_user, reason, note)
    sr, customer = service_request, service_request.customer
    own = [name for name in CONTACT_FIELDS if getattr(sr, name)]
    if not own and customer is None:
        raise ValidationError(_("Request %(number)s has no contact to reveal.") % {"number": sr.number})
    if own:
        record_event(
            events.REQUEST_CONTACT_REVEALED,
            actor=acting_user,
            subject=sr,
            household_id=sr.premise_id,
            category=AuditEvent.Category.ACCESS,
            details={"number": sr.number, "fields": own, "why": reason},
            reason=note,
        )
    if customer is not None:
        reveal_personal_data(
            customer, reason=reason, note=note, acting_user=acting_user, household_id=sr.premise_id
        )
    holder_phone = customer.phone if customer is not None else ""
    phone = sr.contact_phone or holder_phone
    return RequestContact(
        name=sr.contact_name or (customer.name if customer is not None else ""),
        phone=phone,
        email=sr.contact_email or (customer.email if customer is not None else ""),
        holder_phone=holder_phone if holder_phone != phone else "",
    )
