"""Customers: registration, corrections of name and contact details, and logged reveals."""

from __future__ import annotations

from dataclasses import dataclass, fields

import phonenumbers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record_event
from core.models import AuditEvent
from core.phones import normalize_phone, parse_phone
from core.sequences import take_numbers, with_check_digit

from .. import events
from ..choices import OPEN_STATUSES, CustomerKind, RevealReason
from ..models import Customer
from ..privacy import PERSONAL_FIELDS, REVEAL_PERMISSION, masked_value, shown_name

CUSTOMER_NUMBER_SEQUENCE = "customer_number"
CUSTOMER_NUMBER_START = 10_000_001


def new_customer_numbers(count: int) -> list[str]:
    """C + 8 digits + check digit, e.g. C100000017."""
    return [
        "C" + with_check_digit(n, 8)
        for n in take_numbers(CUSTOMER_NUMBER_SEQUENCE, count, start=CUSTOMER_NUMBER_START)
    ]


@dataclass
class CustomerDetails:
    """What an agent types for a new customer (or a new holder)."""

    name: str
    kind: str = CustomerKind.PERSON
    phone: str = ""
    phone_alt: str = ""
    email: str = ""
    mailing_address: str = ""
    business_number: str = ""
    preferred_language: str = "ko"
    consent_sms: bool = False
    consent_email: bool = False

    def cleaned(self) -> CustomerDetails:
        """Normalised copy, or ValidationError naming every field at fault."""
        errors: dict[str, list[str]] = {}
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in ("name", "phone", "phone_alt", "email", "mailing_address", "business_number"):
            values[key] = (values[key] or "").strip()
        if not values["name"]:
            errors.setdefault("name", []).append(_("Enter the customer's name."))
        if values["kind"] not in CustomerKind.values:
            errors.setdefault("kind", []).append(_("Choose person or organisation."))
        for key in ("phone", "phone_alt"):
            if values[key]:
                try:
                    values[key] = normalize_phone(values[key])
                except ValidationError as exc:
                    errors.setdefault(key, []).extend(exc.messages)
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                errors.setdefault("email", []).append(_("Enter a valid e-mail address."))
        if values["consent_email"] and not values["email"]:
            errors.setdefault("consent_email", []).append(_("E-mail notices need an e-mail address."))
        if values["consent_sms"] and not _has_mobile(values["phone"], values["phone_alt"]):
            errors.setdefault("consent_sms", []).append(_("SMS notices need a mobile phone number."))
        if values["preferred_language"] not in ("ko", "en"):
            errors.setdefault("preferred_language", []).append(_("Choose Korean or English."))
        if errors:
            raise ValidationError(errors)
        return CustomerDetails(**values)


def _has_mobile(*numbers: str) -> bool:
    mobile_types = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    for number in numbers:
        parsed = parse_phone(number) if number else None
        if parsed is not None and phonenumbers.number_type(parsed) in mobile_types:
            return True
    return False


def customer_households(customer: Customer) -> list[int]:
    """Premises whose timelines show events about this customer: open accounts, else the latest."""
    accounts = customer.accounts.order_by("-start_date", "-id")
    open_ids = sorted({a.premise_id for a in accounts if a.status in OPEN_STATUSES})
    if open_ids:
        return open_ids
    latest = accounts.first()
    return [latest.premise_id] if latest else []


def _record_customer_event(action, customer, *, actor, details, changes=None, reason="", category=None):
    households = customer_households(customer) or [None]
    operation = None
    for household_id in households:
        event = record_event(
            action,
            actor=actor,
            subject=customer,
            household_id=household_id,
            details=details,
            changes=changes,
            reason=reason,
            operation=operation,
            **({"category": category} if category else {}),
        )
        operation = event.operation


@transaction.atomic
def register_customer(details: CustomerDetails, *, acting_user, household_id: int | None = None) -> Customer:
    clean = details.cleaned()
    customer = Customer.objects.create(number=new_customer_numbers(1)[0], **vars(clean))
    record_event(
        events.CUSTOMER_REGISTERED,
        actor=acting_user,
        subject=customer,
        household_id=household_id,
        details={"customer_number": customer.number, "customer": shown_name(customer)},
    )
    return customer


EDITABLE_FIELDS = (
    "name",
    "phone",
    "phone_alt",
    "email",
    "mailing_address",
    "business_number",
    "preferred_language",
    "consent_sms",
    "consent_email",
)


@transaction.atomic
def update_customer(customer: Customer, *, changes: dict, reason: str = "", acting_user) -> Customer:
    """Correct a customer's name or contact details; ``changes`` holds only the fields to change."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    current = {f: getattr(customer, f) for f in EDITABLE_FIELDS}
    merged = CustomerDetails(kind=customer.kind, **{**current, **changes}).cleaned()
    after = {f: getattr(merged, f) for f in EDITABLE_FIELDS}
    changed = {f: [current[f], after[f]] for f in EDITABLE_FIELDS if current[f] != after[f]}
    if not changed:
        raise ValidationError(_("Nothing was changed."))
    for field, (_before, value) in changed.items():
        setattr(customer, field, value)
    customer.save(update_fields=[*changed, "updated_at"])
    masked = {
        f: [masked_value(f, b), masked_value(f, a)] if f in PERSONAL_FIELDS else [b, a]
        for f, (b, a) in changed.items()
    }
    _record_customer_event(
        events.CUSTOMER_UPDATED,
        customer,
        actor=acting_user,
        details={
            "customer_number": customer.number,
            "fields": list(changed),
        },
        changes=masked,
        reason=reason,
    )
    return customer


def check_reveal(acting_user, reason: str, note: str = "") -> str:
    """Refuse a reveal the role may not make or that gives no reason; returns the cleaned note.

    Shared by every reveal of personal data (a customer's, a request's contact)."""
    if not acting_user.has_perm(REVEAL_PERMISSION):
        raise PermissionDenied(_("Your role may not reveal personal data."))
    note = (note or "").strip()
    if reason not in RevealReason.values:
        raise ValidationError({"reason_code": _("Say why you need to see the personal data.")})
    if reason == RevealReason.OTHER and not note:
        raise ValidationError({"reason_text": _("Describe the reason.")})
    return note


@transaction.atomic
def reveal_personal_data(
    customer: Customer, *, reason: str, note: str = "", acting_user, household_id: int | None
) -> None:
    """Log that a member of staff unmasked this customer's personal data, and why.

    ``reason`` is a RevealReason; "other" needs a ``note`` saying what it is.
    """
    note = check_reveal(acting_user, reason, note)
    record_event(
        events.PERSONAL_DATA_REVEALED,
        actor=acting_user,
        subject=customer,
        household_id=household_id,
        category=AuditEvent.Category.ACCESS,
        details={"customer_number": customer.number, "fields": list(PERSONAL_FIELDS), "why": reason},
        reason=note,
    )
