"""The ordinance as tables a citizen can read: tariffs, their versions, and each version's rates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.http import require_GET

from core.dates import today
from customers.choices import UseType

from ..models import Tariff, TariffVersion
from ..pricing import Consumers, MissingSchedule, Segment, price
from ..rules import MILLI, Component, Schedule, TariffRules
from . import VIEW_TARIFFS

# The month a citizen asks about: one household, the smallest meter, a full month.
EXAMPLE_M3 = {UseType.DOMESTIC: (10, 20, 30, 50), UseType.GENERAL: (30, 100)}


def component_label(component: Component) -> str:
    if (translation.get_language() or "ko").startswith("en"):
        return component.label_en or component.label
    return component.label


def rate_text(milli: int) -> str:
    """Thousandths of a won as the ordinance writes it: 1,270 or 36.4."""
    won = Decimal(milli) / MILLI
    return f"{won:,.3f}".rstrip("0").rstrip(".")


@dataclass
class VersionRow:
    version: TariffVersion
    effective_to: date | None
    state: str  # "in_force", "scheduled", "ended"


def version_rows(tariff: Tariff, on: date) -> list[VersionRow]:
    versions = sorted(tariff.versions.all(), key=lambda v: v.effective_from)
    rows = []
    for index, version in enumerate(versions):
        following = versions[index + 1].effective_from if index + 1 < len(versions) else None
        until = following - timedelta(days=1) if following else None
        if version.effective_from > on:
            state = "scheduled"
        elif until is not None and until < on:
            state = "ended"
        else:
            state = "in_force"
        rows.append(VersionRow(version, until, state))
    return list(reversed(rows))


@dataclass
class Block:
    lower: int
    upper: int | None
    rate: str


@dataclass
class Cell:
    blocks: list[Block]
    per_household: bool

    @property
    def flat(self) -> str | None:
        return self.blocks[0].rate if len(self.blocks) == 1 else None


@dataclass
class RateRow:
    use_type: str
    label: str
    cells: list[Cell | None]


@dataclass
class BasicTable:
    columns: list[tuple[str, str]]  # (component label, use type label)
    rows: list[tuple[int, list[int | None]]]  # (diameter mm, won per month per column)


@dataclass
class Example:
    use_label: str
    m3: int
    charges: list[int]
    total: int


@dataclass
class VersionTables:
    components: list[tuple[Component, str]]  # (component, label)
    rates: list[RateRow]
    basic: BasicTable | None
    examples: list[Example] = field(default_factory=list)
    example_diameter: int = 15


def _cell(schedule: Schedule | None, per_household: bool) -> Cell | None:
    if schedule is None:
        return None
    blocks, lower = [], 0
    for block in schedule.blocks:
        blocks.append(Block(lower, block.upto, rate_text(block.rate_milli)))
        lower = block.upto or lower
    return Cell(blocks, per_household and len(blocks) > 1)


def version_tables(rules: TariffRules) -> VersionTables:
    components = [(c, component_label(c)) for c in rules.components]
    uses = [u for u in UseType.values if any(u in c.schedules for c in rules.components)]
    rates = [
        RateRow(
            use,
            str(UseType(use).label),
            [_cell(c.schedules.get(use), use in rules.household_split) for c in rules.components],
        )
        for use in uses
    ]
    columns, by_column = [], []
    for component, label in components:
        for use in uses:
            schedule = component.schedules.get(use)
            if schedule is not None and schedule.basic_by_diameter:
                columns.append((label, str(UseType(use).label)))
                by_column.append(schedule.basic_by_diameter)
    basic = None
    if columns:
        diameters = sorted({d for table in by_column for d in table})
        basic = BasicTable(columns, [(d, [table.get(d) for table in by_column]) for d in diameters])
    tables = VersionTables(components, rates, basic)
    if basic:
        tables.example_diameter = 15 if any(d == 15 for d, _ in basic.rows) else basic.rows[0][0]
    for use, volumes in EXAMPLE_M3.items():
        if use not in uses:
            continue
        for m3 in volumes:
            try:
                charges = price(
                    [Segment(rules, 30)],
                    Consumers.single(use, water_m3=m3, diameter_mm=tables.example_diameter, days=30),
                )
            except MissingSchedule:
                break
            amounts = [int(charges[c.code][0]) for c, _label in components]
            tables.examples.append(Example(str(UseType(use).label), m3, amounts, sum(amounts)))
    return tables


@login_required
@permission_required(VIEW_TARIFFS, raise_exception=True)
@require_GET
def tariffs(request):
    on = today()
    listed = [(tariff, version_rows(tariff, on)) for tariff in Tariff.objects.prefetch_related("versions")]
    return render(request, "billing/tariffs.html", {"tariffs": listed, "today": on})


@login_required
@permission_required(VIEW_TARIFFS, raise_exception=True)
@require_GET
def tariff_version(request, pk: int):
    version = get_object_or_404(TariffVersion.objects.select_related("tariff", "created_by"), pk=pk)
    rules = version.parsed_rules
    row = next(r for r in version_rows(version.tariff, today()) if r.version.pk == version.pk)
    context = {
        "version": version,
        "tariff": version.tariff,
        "row": row,
        "rules": rules,
        "tables": version_tables(rules),
        "household_split": [str(UseType(u).label) for u in rules.household_split],
        "mixed_use": rules.mixed_use,
        "mixed_labels": {
            "household": str(UseType(rules.mixed_use.household_use).label),
            "applies_to": [str(UseType(u).label) for u in rules.mixed_use.applies_to],
        }
        if rules.mixed_use
        else None,
    }
    return render(request, "billing/tariff_version.html", context)
