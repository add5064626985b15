"""The household page's readings-and-bills panel (loaded by htmx) and its usage chart."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from customers.models import Premise
from metering.models import MeterReading

from ..choices import BillStatus
from ..models import Bill
from ..run.periods import add_months
from . import VIEW_BILLS

CHART_PERIODS = 24
BILLS_SHOWN = 24
READINGS_SHOWN = 12
# The chart's drawing box (SVG user units); the SVG scales to the panel's width.
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 200, 44, 24, 18


@dataclass
class Bar:
    period: object
    m3: int | None
    estimated: bool
    x: float
    y: float
    width: float
    height: float
    label: str  # the month under the bar (every few bars), or ""

    @property
    def cx(self) -> float:
        return self.x + self.width / 2


@dataclass
class UsageChart:
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, m³)
    average: float | None  # m³ per billed month
    average_y: float | None
    values_shown: bool = False  # few bars: each one's m³ written above it
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: int = HEIGHT - BOTTOM
    top: int = TOP


def _nice_step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if peak / step <= 4:
            return step
    return max(peak // 4, 1)


def usage_chart(monthly: dict, latest) -> UsageChart | None:
    """Bars of the billed use of the last ``CHART_PERIODS`` months, drawn server-side as SVG.

    ``monthly`` maps a billing month to (m³, estimated). Months without a bill stay empty,
    so a gap is visible rather than hidden.
    """
    if not monthly:
        return None
    first = max(min(monthly), add_months(latest, -(CHART_PERIODS - 1)))
    periods = []
    month = first
    while month <= latest:
        periods.append(month)
        month = add_months(month, 1)
    peak = max([m3 for m3, _est in monthly.values()] + [1])
    step = _nice_step(peak)
    top_value = step * -(-peak // step)
    plot_h = HEIGHT - BOTTOM - TOP
    plot_w = WIDTH - LEFT - 8
    slot = plot_w / max(len(periods), 1)
    bar_w = max(slot * 0.7, 2)
    every = 1 if len(periods) <= 12 else 3

    def y_of(value: float) -> float:
        return HEIGHT - BOTTOM - plot_h * value / top_value

    bars = []
    for index, period in enumerate(periods):
        m3, estimated = monthly.get(period, (None, False))
        height = plot_h * (m3 or 0) / top_value
        label = period.strftime("%y.%m") if index % every == 0 or index == len(periods) - 1 else ""
        bars.append(
            Bar(
                period,
                m3,
                estimated,
                LEFT + index * slot + (slot - bar_w) / 2,
                HEIGHT - BOTTOM - height,
                bar_w,
                height,
                label,
            )
        )
    shown = [b.m3 for b in bars if b.m3 is not None]
    average = sum(shown) / len(shown) if shown else None
    ticks = [(y_of(v), v) for v in range(0, top_value + 1, step)]
    return UsageChart(
        bars, ticks, average, y_of(average) if average is not None else None, values_shown=len(bars) <= 12
    )


@login_required
@permission_required("customers.view_household", raise_exception=True)
@permission_required(VIEW_BILLS, raise_exception=True)
@require_GET
def household_billing(request, pk: int):
    premise = Premise.objects.filter(pk=pk).only("id").first()
    if premise is None:
        raise Http404(_("No such premise."))
    bills = list(
        Bill.objects.filter(account__premise_id=pk)
        .select_related("account")
        .order_by("-period", "-id")[:BILLS_SHOWN]
    )
    monthly = {
        row["period"]: (row["m3"], row["estimated"] > 0)
        for row in Bill.objects.filter(account__premise_id=pk, status=BillStatus.ISSUED)
        .values("period")
        .annotate(m3=Sum("water_m3"), estimated=Count("id", filter=Q(estimated=True)))
        .order_by("-period")[:CHART_PERIODS]
    }
    readings = list(
        MeterReading.objects.filter(meter__installations__premise_id=pk)
        .select_related("meter")
        .order_by("-read_on", "-id")[:READINGS_SHOWN]
    )
    context = {
        "premise": premise,
        "bills": bills,
        "readings": readings,
        "chart": usage_chart(monthly, max(monthly)) if monthly else None,
    }
    return render(request, "billing/_household_billing.html", context)
