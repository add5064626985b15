"""Proactive against citizen-raised work: Seoul's table of the "four major inconveniences".

The utility's own initiative (a leak found from the readings, a pre-call) is counted
apart from what citizens asked for, by request type and year (Asia/Seoul), cancelled
requests left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractYear

from servicedesk.choices import Origin, RequestStatus
from servicedesk.models import RequestType, ServiceRequest

# 누수진단, 누수요금감면, 급수불편, 수질검사: the four types Seoul reports proactive work on.
FOUR_INCONVENIENCES = ["leak_diagnosis", "leak_reduction", "supply_inconvenience", "water_quality"]


@dataclass
class Cell:
    proactive: int = 0
    citizen: int = 0

    @property
    def total(self) -> int:
        return self.proactive + self.citizen

    @property
    def proactive_share(self) -> float | None:
        return 100 * self.proactive / self.total if self.total else None


@dataclass
class Row:
    type: RequestType | None  # None: the total of the types
    cells: list[Cell] = field(default_factory=list)  # one per year


def four_inconveniences(years: int = 5) -> tuple[list[int], list[Row]]:
    """The last ``years`` years that have any of these requests, and a row per type plus a total."""
    types = {t.code: t for t in RequestType.objects.filter(code__in=FOUR_INCONVENIENCES)}
    counts = (
        ServiceRequest.objects.filter(type__code__in=FOUR_INCONVENIENCES)
        .exclude(status=RequestStatus.CANCELLED)
        .annotate(year=ExtractYear("received_at"))
        .values_list("type__code", "year", "origin")
        .annotate(n=Count("id"))
    )
    found: dict[tuple[str, int], Cell] = {}
    for code, year, origin, n in counts:
        cell = found.setdefault((code, year), Cell())
        if origin == Origin.PROACTIVE:
            cell.proactive += n
        else:
            cell.citizen += n
    shown_years = sorted({year for _code, year in found})[-years:]
    rows = [
        Row(types[code], [found.get((code, year), Cell()) for year in shown_years])
        for code in FOUR_INCONVENIENCES
        if code in types
    ]
    total = Row(None, [Cell(sum(r.cells[i].proactive for r in rows), sum(r.cells[i].citizen for r in rows))
                       for i in range(len(shown_years))])  # fmt: skip
    return shown_years, [*rows, total]
