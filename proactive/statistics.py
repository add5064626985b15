"""Proactive care in figures: Seoul's table of the "four major inconveniences", and a
month's findings by outcome for tuning the thresholds.

The utility's own initiative (a leak found from the readings, a pre-call) is counted
apart from what citizens asked for, by request type and year (Asia/Seoul), cancelled
requests left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from servicedesk.choices import Origin, RequestStatus
from servicedesk.models import RequestType, ServiceRequest

from .choices import DetectionKind, DetectionStatus, PrecallOutcome, Suppression
from .models import Detection

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


@dataclass
class KindOutcomes:
    """One kind of finding in a month: how many were alerted, suppressed (by reason) and what the calls showed."""

    kind: str
    label: str
    alerted: int = 0
    suppressed: dict[str, int] = field(default_factory=dict)
    explained_at_precall: int = 0  # the household had a reason: a call the utility need not have made
    leak_found: int = 0

    @property
    def found(self) -> int:
        return self.alerted + sum(self.suppressed.values())

    @property
    def by_reason(self) -> list[int]:
        """Suppressed, per reason in the order of ``Suppression``."""
        return [self.suppressed.get(reason, 0) for reason in Suppression.values]


def detections_read(first_day: date, last_day: date, *, office=None):
    """The findings of reads between the two days, of one branch office's premises (None: all)."""
    detections = Detection.objects.filter(read_on__gte=first_day, read_on__lte=last_day)
    if office is not None:
        detections = detections.filter(account__premise__district__office=office)
    return detections


def detection_review(first_day: date, last_day: date, *, office=None) -> list[KindOutcomes]:
    """Per kind of finding read between the two days: alerted, suppressed by reason, pre-call and visit outcomes.

    What a utility tunes its thresholds on (docs/proactive.md): many suppressions by a
    seasonal window, or many calls explained by the household, say a bar is too low.
    """
    detections = detections_read(first_day, last_day, office=office)
    rows = {kind: KindOutcomes(kind, str(label)) for kind, label in DetectionKind.choices}
    for kind, status, reason, n in (
        detections.values_list("kind", "status", "suppressed_by").annotate(n=Count("id")).order_by()
    ):
        if status == DetectionStatus.ALERTED:
            rows[kind].alerted += n
        else:
            rows[kind].suppressed[reason] = rows[kind].suppressed.get(reason, 0) + n
    for kind, explained, leak in (
        detections.filter(case__isnull=False)
        .values_list("kind")
        .annotate(
            explained=Count("id", filter=Q(case__precall_outcome=PrecallOutcome.EXPLAINED)),
            leak=Count("id", filter=Q(case__leak_found=True)),
        )
        .order_by()
    ):
        rows[kind].explained_at_precall, rows[kind].leak_found = explained, leak
    return list(rows.values())
