"""Human-facing numbers (account and customer numbers) with a check digit."""

from __future__ import annotations

from django.db import transaction

from .models import NumberSequence


def take_numbers(name: str, count: int = 1, *, start: int = 1) -> range:
    """Reserve ``count`` consecutive values of the named counter, under a row lock."""
    with transaction.atomic():
        NumberSequence.objects.get_or_create(name=name, defaults={"next_value": start})
        sequence = NumberSequence.objects.select_for_update().get(name=name)
        first = sequence.next_value
        sequence.next_value = first + count
        sequence.save(update_fields=["next_value"])
    return range(first, first + count)


def luhn_check_digit(digits: str) -> int:
    """The Luhn digit that makes ``digits + check`` valid; catches one-digit typos and swaps."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def with_check_digit(value: int, width: int) -> str:
    body = f"{value:0{width}d}"
    return body + str(luhn_check_digit(body))


def is_valid_check_digit(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_check_digit(number[:-1]) == int(number[-1])
