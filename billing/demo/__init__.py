"""Demo bills: a few months of the demo city read and billed by the real run, and a few corrections.

``load_demo_billing`` (called by ``manage.py demo_setup``) writes each month's readings
(``readings.MonthlyReadings``), bills the month with ``run_billing_cycle`` cycle by
cycle, and dates the runs and bills on the day they would have been issued. The latest
month is left unbilled for the cycles read in the last few days, so a billing officer
can start those runs from the console. A few bills are then corrected through the
actions, as an officer would: leak reductions, an adjustment, a cancel-and-rebill.

Each account's first bill in Suido counts from its start of service (there is no earlier
bill), so in the first month the demo bills, old accounts' bills span years; their usage
is one month's, counted from the opening reading.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.dates import today
from core.models import AuditEvent
from customers.choices import UseType
from customers.models import BillingCycle
from metering.choices import IMPORTED_KINDS, ReadingKind
from metering.models import MeterReading, ReadingException

from ..balances import move_due_date
from ..choices import BillStatus
from ..models import (
    Adjustment,
    Bill,
    BillingRun,
    BillingRunChunk,
    PrintBatch,
    PrintedBill,
    RunException,
    SewerVolume,
    Tariff,
)
from ..run.engine import due_date
from .readings import BILL_AFTER_DAYS, MonthlyReadings, Plan, plan_months

MONTHS = 6  # months billed (the opening reading comes the month before)


class DemoBillingError(Exception):
    """The demo bills cannot be made (no tariff in use, no city)."""


def load_demo_billing(
    *, months: int = MONTHS, seed: int = 1, log: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Read and bill the last ``months`` months of the demo city; returns what was made, by label."""
    from staff.models import User

    from ..actions import run_billing_cycle

    log = log or (lambda _message: None)
    tariff = Tariff.objects.filter(in_use=True).first()
    first_version = tariff.versions.order_by("effective_from").first() if tariff else None
    if first_version is None:
        raise DemoBillingError("No tariff is in use: run load_tariffs --use seoul first.")
    cycles = list(BillingCycle.objects.order_by("code"))
    on = today()
    plan = plan_months(cycles, first_version.effective_from, months, on)
    officer = User.objects.filter(username="billing").first()
    readings = MonthlyReadings(plan, seed=seed, officer_id=getattr(officer, "pk", None))
    runs: list[BillingRun] = []
    for period in plan.periods:
        readings.write(period)
        billed = [c for c in cycles if plan.billed(c.pk, period)]
        runs += [run_billing_cycle(cycle, period, acting_user=officer) for cycle in billed]
        readings.after_billing()
        log(f"{period:%Y-%m}: {len(billed)} cycles billed")
    with transaction.atomic():
        _date_runs(runs, on)
    counts = {"readings": readings.written.readings}
    counts.update({f"  {key}": value for key, value in readings.written.counts.items()})
    counts.update(
        {
            "billing runs": len(runs),
            "bills": sum(r.bills for r in runs),
            "  estimated": sum(r.bills_estimated for r in runs),
            "run exceptions": sum(r.exceptions for r in runs),
        }
    )
    corrections = _correct_some(
        plan, readings.written.leak_readings, officer, random.Random(f"{seed}:fixes"), log
    )
    counts.update({f"  {key}": value for key, value in corrections.items()})
    return counts


def _date_runs(runs: list[BillingRun], on: date) -> None:
    """Runs, their bills and audit events dated on their issue day, as if billed then (the run dates them today)."""
    zone = timezone.get_current_timezone()
    run_type = ContentType.objects.get_for_model(BillingRun)
    latest = timezone.now() - timedelta(minutes=10)
    for run in runs:
        issued = min(run.read_on + timedelta(days=BILL_AFTER_DAYS), on)
        started = datetime.combine(issued, time(2, 0), tzinfo=zone) + timedelta(
            minutes=int(run.cycle.code or 0)
        )
        started = min(started, latest)  # billed today: earlier today, not later
        BillingRun.objects.filter(pk=run.pk).update(
            started_at=started, finished_at=started + timedelta(seconds=4)
        )
        bills = Bill.objects.filter(run=run)
        bills.update(issued_on=issued, due_on=due_date(issued), created_at=started + timedelta(seconds=2))
        move_due_date(bills, due_date(issued))
        AuditEvent.objects.filter(object_type=run_type, object_id=run.pk).update(occurred_at=started)


def _correct_some(plan: Plan, leak_readings: list[int], officer, rng: random.Random, log) -> dict[str, int]:
    """A few corrections through the actions, as a billing officer makes them."""
    from ..actions import adjust_bill, rebill, reduce_for_leak

    done: dict[str, int] = {}
    issued = Bill.objects.filter(status=BillStatus.ISSUED)
    for bill in issued.filter(end_reading_id__in=leak_readings).order_by("id")[:3]:
        try:
            reduce_for_leak(bill, reason="옥내 누수 수리 확인 (누수요금감면 신청)", acting_user=officer)
            done["leak reductions"] = done.get("leak reductions", 0) + 1
        except ValidationError as refused:
            log(f"leak reduction of bill {bill.pk} refused: {' '.join(refused.messages)}")
    latest = issued.aggregate(p=Max("period"))["p"]
    if latest is None:
        return done
    candidates = list(
        issued.filter(period=latest, estimated=False, total__gte=20000)
        .exclude(end_reading_id__in=leak_readings)
        .order_by("id")[:60]
    )
    rng.shuffle(candidates)
    if candidates:
        adjust_bill(candidates.pop(), amount=-3000, reason="검침 지연 민원 보상", acting_user=officer)
        done["adjustments"] = 1
    general = next((b for b in candidates if b.use_type == UseType.GENERAL), None)
    if general is not None:
        # Found on a visit: the shop also draws groundwater, which reaches the sewer unmetered.
        SewerVolume.objects.create(
            account_id=general.account_id,
            effective_from=general.period_start,
            groundwater_m3_per_month=12,
            reason="지하수 병용 확인 (현장 조사)",
        )
        try:
            rebill(general, reason="지하수 병용 확인: 하수도 사용량 정정 후 재부과", acting_user=officer)
            done["rebills"] = 1
        except ValidationError as refused:
            log(f"rebill of bill {general.pk} refused: {' '.join(refused.messages)}")
    return done


def demo_billing_loaded() -> bool:
    """Whether the database already holds readings or runs (the demo bills are loaded once)."""
    return (
        BillingRun.objects.exists()
        or MeterReading.objects.filter(kind__in=[ReadingKind.ACTUAL, ReadingKind.CUSTOMER]).exists()
    )


def flush_demo_billing() -> None:
    """Delete bills, runs and the readings they were made from (to be called before the city is flushed)."""
    with transaction.atomic():
        PrintedBill.objects.all().delete()
        PrintBatch.objects.all().delete()
        Bill.objects.update(replaces=None)
        Adjustment.objects.all().delete()
        RunException.objects.all().delete()
        Bill.objects.all().delete()
        BillingRunChunk.objects.all().delete()
        BillingRun.objects.all().delete()
        SewerVolume.objects.all().delete()
        ReadingException.objects.all().delete()
        MeterReading.objects.filter(kind__in=IMPORTED_KINDS).delete()


__all__ = ["MONTHS", "DemoBillingError", "demo_billing_loaded", "flush_demo_billing", "load_demo_billing"]
