"""What of a customer's personal data a member of staff sees.

Everyone sees personal data masked; a role with ``reveal_personal_data`` may
reveal one customer's data with a reason (logged, see actions.reveal_personal_data).
Organisation names are not personal data and are never masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.phones import format_phone
from core.pii import mask_address, mask_email, mask_name, mask_phone

from .choices import CustomerKind

REVEAL_PERMISSION = "customers.reveal_personal_data"
PERSONAL_FIELDS = ("name", "phone", "phone_alt", "email", "mailing_address")


def shown_name(customer, *, revealed: bool = False) -> str:
    if revealed or customer.kind == CustomerKind.ORGANISATION:
        return customer.name
    return mask_name(customer.name)


@dataclass(frozen=True)
class CustomerView:
    """A customer's contact data as one member of staff may see it right now."""

    name: str
    phone: str
    phone_alt: str
    email: str
    mailing_address: str
    revealed: bool

    @classmethod
    def of(cls, customer, *, revealed: bool = False) -> CustomerView:
        phone, phone_alt = format_phone(customer.phone), format_phone(customer.phone_alt)
        if revealed:
            return cls(customer.name, phone, phone_alt, customer.email, customer.mailing_address, True)
        return cls(
            name=shown_name(customer),
            phone=mask_phone(phone) if phone else "",
            phone_alt=mask_phone(phone_alt) if phone_alt else "",
            email=mask_email(customer.email) if customer.email else "",
            mailing_address=mask_address(customer.mailing_address) if customer.mailing_address else "",
            revealed=False,
        )


def masked_value(field: str, value: str) -> str:
    """A personal field's value as written into audit events (never in clear)."""
    if not value:
        return value
    if field in ("phone", "phone_alt"):
        return mask_phone(format_phone(value))
    if field == "email":
        return mask_email(value)
    if field == "mailing_address":
        return mask_address(value)
    if field == "name":
        return mask_name(value)
    return value
