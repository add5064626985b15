"""Masking of personal data for display.

Staff see names, phone numbers, e-mail addresses and mailing addresses masked
unless their role may reveal them and they do so with a reason, which is
logged. Masking keeps enough to confirm a caller ("홍*동", "010-****-5678")
and no more.
"""

from __future__ import annotations

import re

MASK = "*"


def mask_name(name: str) -> str:
    """홍길동 → 홍*동, 남궁민수 → 남**수, 홍길 → 홍*; each word of a Latin name alike."""
    words = name.split()
    if len(words) > 1:
        return " ".join(mask_name(word) for word in words)
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + MASK
    return name[0] + MASK * (len(name) - 2) + name[-1]


def mask_phone(formatted: str) -> str:
    """010-1234-5678 → 010-****-5678; every group between the first and the last is masked.

    A number without separators keeps only its last four digits.
    """
    parts = re.split(r"([- ])", formatted)  # groups at even indexes, separators at odd
    if len(parts) < 5:
        keep = 4 if len(formatted) > 6 else 2
        return MASK * (len(formatted) - keep) + formatted[-keep:]
    for index in range(2, len(parts) - 1, 2):
        parts[index] = MASK * len(parts[index])
    return "".join(parts)


def mask_email(email: str) -> str:
    """hong.gildong@example.com → ho**********@example.com"""
    local, at, domain = email.partition("@")
    if not at:
        return mask_name(email)
    keep = 2 if len(local) > 3 else 1
    return local[:keep] + MASK * (len(local) - keep) + "@" + domain


def mask_address(address: str) -> str:
    """Keep the area and the road, mask the building number and unit.

    서울특별시 종로구 세종대로 175 101동 1203호 → 서울특별시 종로구 세종대로 *** **** *****
    """
    words = address.split()
    for index, word in enumerate(words):
        if any(ch.isdigit() for ch in word):
            return " ".join(words[:index] + [MASK * len(w) for w in words[index:]])
    # No number in it: keep the first two words (area) only.
    return " ".join(words[:2] + [MASK * len(w) for w in words[2:]])


def masked_phone(e164: str) -> str:
    """A stored (E.164) number as staff see it before revealing it: 010-****-5678 ("" for none)."""
    from .phones import format_phone

    return mask_phone(format_phone(e164)) if e164 else ""
