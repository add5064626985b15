"""Tracking numbers read out over the phone: "26-0001234-5" (year, serial, check digit)."""

from __future__ import annotations

from core.sequences import luhn_check_digit, take_numbers

REQUEST_SEQUENCE = "service_request"
VISIT_SEQUENCE = "visit"


def format_request_number(year: int, serial: int) -> str:
    body = f"{year % 100:02d}{serial:07d}"
    return f"{body[:2]}-{body[2:]}-{luhn_check_digit(body)}"


def format_visit_number(year: int, serial: int) -> str:
    return f"W{year % 100:02d}-{serial:06d}"


def new_request_numbers(year: int, count: int = 1) -> list[str]:
    return [format_request_number(year, serial) for serial in take_numbers(REQUEST_SEQUENCE, count)]


def new_visit_numbers(year: int, count: int = 1) -> list[str]:
    return [format_visit_number(year, serial) for serial in take_numbers(VISIT_SEQUENCE, count)]
