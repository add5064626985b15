"""Which tariff versions apply to a billing period, and for how many of its days."""

from __future__ import annotations

from datetime import date, timedelta

from .models import Tariff
from .pricing import Segment


def segments_for(tariff: Tariff, start: date, end: date) -> list[Segment]:
    """The versions in force from ``start`` to ``end`` (both included), each with its days.

    Empty when no version had started by ``end``; days before the first version are not
    covered (the caller reports the gap rather than pricing it with a later tariff).
    """
    versions = list(tariff.versions.filter(effective_from__lte=end).order_by("effective_from"))
    segments = []
    for index, version in enumerate(versions):
        following = (
            versions[index + 1].effective_from if index + 1 < len(versions) else end + timedelta(days=1)
        )
        first, last = max(version.effective_from, start), min(following - timedelta(days=1), end)
        if first <= last:
            segments.append(Segment(rules=version.rules(), days=(last - first).days + 1))
    return segments


def covered_days(segments: list[Segment]) -> int:
    return sum(s.days for s in segments)
