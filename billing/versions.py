"""Which tariff versions apply to a billing period, and for how many of its days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from .models import Tariff, TariffVersion
from .pricing import Segment


def segments_for(tariff: Tariff, start: date, end: date) -> list[Segment]:
    """The versions in force from ``start`` to ``end`` (both included), each with its days.

    Empty when no version had started by ``end``; days before the first version are not
    covered (the caller reports the gap rather than pricing it with a later tariff).
    """
    versions = list(tariff.versions.filter(effective_from__lte=end).order_by("effective_from"))
    return [segment for _version, segment in split_by_version(versions, start, end)]


def split_by_version(
    versions: Sequence[TariffVersion], start: date, end: date
) -> list[tuple[TariffVersion, Segment]]:
    """``versions`` (ordered by effective date) cut to ``start``..``end``, each with its segment."""
    pieces = []
    for index, version in enumerate(versions):
        if version.effective_from > end:
            break
        following = (
            versions[index + 1].effective_from if index + 1 < len(versions) else end + timedelta(days=1)
        )
        first, last = max(version.effective_from, start), min(following - timedelta(days=1), end)
        if first <= last:
            pieces.append((version, Segment(rules=version.parsed_rules, days=(last - first).days + 1)))
    return pieces


def covered_days(segments: list[Segment]) -> int:
    return sum(s.days for s in segments)
