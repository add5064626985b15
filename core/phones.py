"""Phone numbers: parsed and validated with ``phonenumbers``, stored as E.164.

Agents type numbers in any format (010-1234-5678, 01012345678, +82 10 1234 5678,
02 123 4567); they are stored as E.164 (+821012345678) so one index answers
every format, and shown in the national format.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def parse_phone(raw: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_phone(raw: str) -> str:
    """E.164 form of a phone number, or ValidationError with a message for the user."""
    raw = (raw or "").strip()
    number = parse_phone(raw)
    if number is None:
        raise ValidationError(
            _("“%(value)s” is not a valid phone number. Example: 010-1234-5678 or 02-123-4567."),
            code="invalid_phone",
            params={"value": raw},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_query(raw: str) -> str | None:
    """The E.164 form if the text is a phone number, else None (for search)."""
    number = parse_phone(raw.strip())
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """National format for Korean numbers (010-1234-5678), international otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.PHONE_DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
