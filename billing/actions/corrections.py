"""Correcting bills: cancel, cancel and rebill, adjustments, and the leak reduction (누수감면).

A bill is never edited in place: a wrong bill is cancelled (with its reason) and billed
again from the corrected readings; a reduction or surcharge is an adjustment line on
the bill, whose total always equals its charges plus its adjustments (a database check).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none
from customers.choices import BuildingUse
from customers.models import Account

from .. import events
from ..balances import add_to_owed
from ..choices import AdjustmentKind, BillStatus, LeakBaseline
from ..models import Adjustment, Bill
from ..pricing import Consumers, MissingSchedule, Segment, price
from ..run import engine
from ..run.periods import add_months
from ..signals import bills_changed


def _lock_issued(bill: Bill) -> Bill:
    # The account first, as collection's settlements take it: what the bill still owes
    # (BillBalance) is written by both, so they take turns.
    list(Account.objects.select_for_update().filter(pk=bill.account_id).values_list("pk"))
    bill = (
        Bill.objects.select_for_update(of=("self",))
        .select_related("account__premise__route__cycle", "tariff_version", "end_reading__meter")
        .get(pk=bill.pk)
    )
    if bill.status != BillStatus.ISSUED:
        raise ValidationError(_("This bill was cancelled; correct the bill that replaced it."))
    return bill


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: the customer and the auditors will read it.")})
    return reason[:300]


def _month(bill: Bill) -> str:
    return bill.period.strftime("%Y-%m")


@transaction.atomic
def cancel_bill(bill: Bill, *, reason: str, acting_user) -> Bill:
    """Cancel the account's latest bill (a later bill was counted from this one's reading)."""
    bill = _lock_issued(bill)
    reason = _reason(reason)
    later = Bill.objects.filter(account_id=bill.account_id, status=BillStatus.ISSUED, period__gt=bill.period)
    if later.exists():
        raise ValidationError(
            _("The bill of %(month)s was counted from this one: cancel it first.")
            % {"month": _month(later.order_by("period").first())}
        )
    bill.status = BillStatus.CANCELLED
    bill.cancelled_at = timezone.now()
    bill.cancelled_by = user_or_none(acting_user)
    bill.cancel_reason = reason
    bill.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    add_to_owed([bill.pk], [-(bill.total + bill.late_fee)])  # it asks nothing now
    bills_changed.send(sender=Bill, account_ids=[bill.account_id])  # what was paid on it is released
    record_event(
        events.BILL_CANCELLED,
        actor=acting_user,
        subject=bill,
        household_id=bill.account.premise_id,
        details={"account": bill.account.display_number, "period": _month(bill), "total": bill.total},
        reason=reason,
    )
    return bill


@transaction.atomic
def rebill(bill: Bill, *, reason: str, acting_user) -> Bill:
    """Cancel the bill and bill the month again from the readings as they are now (corrected).

    Both or neither: if the month cannot be billed now, the old bill stays issued.
    Adjustments of the cancelled bill are not carried over; they are applied again to the
    new bill where they still hold.
    """
    old = cancel_bill(bill, reason=reason, acting_user=acting_user)
    try:
        new = engine.bill_one(old.account.premise.route.cycle, old.period, old.account_id)
    except engine.AccountNotBilled as refused:
        if not refused.why:
            raise ValidationError(_("The account is no longer billed for this month.")) from refused
        raise ValidationError(
            _("The month cannot be billed again: %(reason)s") % {"reason": refused.why}
        ) from refused
    new.replaces = old
    new.save(update_fields=["replaces"])
    record_event(
        events.BILL_REISSUED,
        actor=acting_user,
        subject=new,
        household_id=old.account.premise_id,
        details={
            "account": old.account.display_number,
            "period": _month(new),
            "old_total": old.total,
            "total": new.total,
        },
        reason=old.cancel_reason,
    )
    return new


def _apply(bill: Bill, *, kind: str, amount: int, reason: str, calculation: dict, acting_user) -> Adjustment:
    if amount == 0:
        raise ValidationError({"amount": _("An adjustment of 0 won changes nothing.")})
    if bill.total + amount < 0:
        raise ValidationError(
            {
                "amount": _("The bill's total is %(total)s won; it cannot be reduced below zero.")
                % {"total": f"{bill.total:,}"}
            }
        )
    adjustment = Adjustment.objects.create(
        bill=bill,
        kind=kind,
        amount=amount,
        reason=reason,
        calculation=calculation,
        created_by=user_or_none(acting_user),
    )
    bill.adjustments += amount
    bill.total += amount
    bill.save(update_fields=["adjustments", "total"])
    add_to_owed([bill.pk], [amount])
    bills_changed.send(sender=Bill, account_ids=[bill.account_id])
    record_event(
        events.BILL_ADJUSTED,
        actor=acting_user,
        subject=bill,
        household_id=bill.account.premise_id,
        details={
            "account": bill.account.display_number,
            "period": _month(bill),
            "adjustment_kind": adjustment.kind,
            "amount": amount,
            "total": bill.total,
        },
        reason=reason,
    )
    return adjustment


@transaction.atomic
def adjust_bill(
    bill: Bill, *, amount: int, reason: str, acting_user, kind: str = AdjustmentKind.CORRECTION
) -> Adjustment:
    """Add an adjustment (negative: a reduction) to an issued bill."""
    bill = _lock_issued(bill)
    if kind not in (AdjustmentKind.CORRECTION, AdjustmentKind.OTHER):
        raise ValidationError({"kind": _("Choose correction or other; a leak reduction has its own form.")})
    return _apply(
        bill, kind=kind, amount=int(amount), reason=_reason(reason), calculation={}, acting_user=acting_user
    )


def _baseline(bill: Bill, method: str, months: int) -> tuple[int, dict]:
    """The usage the bill's period would have had without the leak, and what it was computed from."""
    earlier = Bill.objects.filter(
        account_id=bill.account_id, status=BillStatus.ISSUED, period__lt=bill.period
    )
    if method == LeakBaseline.SAME_PERIOD_LAST_YEAR:
        last_year = earlier.filter(period=add_months(bill.period, -12)).first()
        if last_year is None or not last_year.days:
            raise ValidationError(_("There is no bill of the same month last year to compare with."))
        compared = [last_year]
    else:
        compared = list(earlier.order_by("-period")[:months])
        if not compared:
            raise ValidationError(_("There are no earlier bills to compare with."))
    used = sum(b.water_m3 for b in compared)
    days = sum(b.days for b in compared)
    if not days:
        raise ValidationError(_("The earlier bills cover no days to compare with."))
    # Periods differ in length: compare daily use, over this bill's days.
    baseline = round(used * bill.days / days)
    return baseline, {"compared": [{"period": _month(b), "m3": b.water_m3, "days": b.days} for b in compared]}


@transaction.atomic
def reduce_for_leak(
    bill: Bill,
    *,
    reason: str,
    acting_user,
    baseline: str | None = None,
    months: int | None = None,
    share_percent: int | None = None,
) -> Adjustment:
    """Waive part of the water a repaired leak wasted (누수요금감면).

    Leaked = the period's usage above the baseline (the daily average of the previous
    ``months`` bills, or of the same month last year, over this bill's days); waived =
    ``share_percent`` of it, in whole m³. The reduction is what the bill's charges would
    drop by with the waived volume taken off, priced by the bill's own tariff version —
    so progressive blocks are waived from the top. Rule, inputs and result are kept on
    the adjustment.
    """
    bill = _lock_issued(bill)
    reason = _reason(reason)
    method = baseline or settings.LEAK_BASELINE
    months = months or settings.LEAK_BASELINE_MONTHS
    share = settings.LEAK_REDUCTION_SHARE_PERCENT if share_percent is None else share_percent
    if method not in LeakBaseline.values:
        raise ValidationError({"baseline": _("Choose how the usage without the leak is estimated.")})
    if not 0 < share <= 100:
        raise ValidationError({"share_percent": _("The share waived is a percentage from 1 to 100.")})
    if bill.adjustment_lines.filter(kind=AdjustmentKind.LEAK).exists():
        raise ValidationError(_("This bill already has a leak reduction."))
    expected, inputs = _baseline(bill, method, months)
    leaked = bill.water_m3 - expected
    if leaked <= 0:
        raise ValidationError(
            _(
                "The usage (%(used)s m³) is not above the usage without a leak (%(expected)s m³): nothing to reduce."
            )
            % {"used": bill.water_m3, "expected": expected}
        )
    waived = leaked * share // 100
    if waived <= 0:
        raise ValidationError(_("Less than one m³ would be waived: nothing to reduce."))
    before, after = _reprice(bill, waived)
    by_component = {code: int(before[code] - after[code]) for code in before}
    amount = -sum(by_component.values())
    calculation = {
        "rule": "leak",
        "baseline": method,
        "months": months if method == LeakBaseline.PREVIOUS_MONTHS else None,
        **inputs,
        "usage_m3": bill.water_m3,
        "baseline_m3": expected,
        "leaked_m3": leaked,
        "share_percent": share,
        "waived_m3": waived,
        "by_component": by_component,
    }
    return _apply(
        bill,
        kind=AdjustmentKind.LEAK,
        amount=amount,
        reason=reason,
        calculation=calculation,
        acting_user=acting_user,
    )


def _reprice(bill: Bill, waived_m3: int) -> tuple[dict, dict]:
    """The bill's charges with its usage, and with ``waived_m3`` less water and sewer volume."""
    rules = bill.tariff_version.parsed_rules
    account = bill.account
    common = {
        "households": bill.households,
        "diameter_mm": bill.end_reading.meter.diameter_mm,
        "mixed": account.premise.building_use == BuildingUse.MIXED,
        "months": account.premise.route.cycle.months,
        "days": 1,
        "full_days": 1,
    }
    segments = [Segment(rules, 1)]
    try:
        before = price(
            segments,
            Consumers.single(bill.use_type, water_m3=bill.water_m3, sewer_m3=bill.sewer_m3, **common),
        )
        after = price(
            segments,
            Consumers.single(
                bill.use_type,
                water_m3=bill.water_m3 - waived_m3,
                sewer_m3=max(bill.sewer_m3 - waived_m3, 0),
                **common,
            ),
        )
    except MissingSchedule as missing:
        raise ValidationError(
            _("The bill's tariff has no price for %(what)s.") % {"what": str(missing)}
        ) from missing
    return {k: int(v[0]) for k, v in before.items()}, {k: int(v[0]) for k, v in after.items()}
