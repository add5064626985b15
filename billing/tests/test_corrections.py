"""Cancel, rebill, adjustments and the leak reduction, with the arithmetic in the comments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from billing import actions
from billing.choices import AdjustmentKind, BillStatus
from billing.models import Bill, SewerVolume, Tariff
from core.models import AuditEvent

from .test_billing_run import bill_of, progressive, read, run, seoul  # noqa: F401 (fixtures)

FEB, MAR, APR, MAY = (dt.date(2026, m, 1) for m in (2, 3, 4, 5))


@pytest.fixture
def four_months(city, seoul):  # noqa: F811
    """15 m³ a month for February to April, then 45 m³ in May (a leak)."""
    account = city.account(on=dt.date(2026, 1, 1), reading=0)
    for value, day, month in (
        (15, dt.date(2026, 2, 4), FEB),  # 34 days
        (30, dt.date(2026, 3, 6), MAR),  # 30 days
        (45, dt.date(2026, 4, 5), APR),  # 30 days
        (90, dt.date(2026, 5, 6), MAY),  # 31 days
    ):
        read(account, value, day)
        run(city, month)
    return account


class TestLeakReduction:
    def test_half_of_the_usage_above_the_last_three_months_is_waived(self, four_months, billing_officer):
        bill = bill_of(four_months, MAY)
        assert bill.total == 55350  # 45 m³ × (580 + 480 + 170) = 26,100 + 21,600 + 7,650
        adjustment = actions.reduce_for_leak(
            bill, reason="세면대 배관 누수 수리", acting_user=billing_officer
        )
        # Baseline: April, March, February used 45 m³ in 94 days → 45 × 31 / 94 = 14.8 → 15 m³ in May's 31 days.
        # Leaked 45 − 15 = 30 m³; half waived: 15 m³ × 1,230 won = 18,450 won.
        calc = adjustment.calculation
        assert (calc["baseline_m3"], calc["leaked_m3"], calc["waived_m3"], calc["share_percent"]) == (
            15,
            30,
            15,
            50,
        )
        assert calc["by_component"] == {"water": 8700, "sewer": 7200, "water_use": 2550}
        assert [c["period"] for c in calc["compared"]] == ["2026-04", "2026-03", "2026-02"]
        bill.refresh_from_db()
        assert (adjustment.amount, bill.adjustments, bill.total) == (-18450, -18450, 36900)
        assert adjustment.kind == AdjustmentKind.LEAK
        assert AuditEvent.objects.filter(action="billing.bill_adjusted", object_id=bill.pk).exists()

    def test_only_once_per_bill(self, four_months, billing_officer):
        bill = bill_of(four_months, MAY)
        actions.reduce_for_leak(bill, reason="누수", acting_user=billing_officer)
        with pytest.raises(ValidationError, match="already has a leak reduction"):
            actions.reduce_for_leak(bill, reason="누수", acting_user=billing_officer)

    def test_usage_not_above_the_baseline_is_refused(self, four_months, billing_officer):
        april = bill_of(four_months, APR)
        # Against March alone: 15 m³ in 30 days, April the same → nothing leaked.
        with pytest.raises(ValidationError, match="not above"):
            actions.reduce_for_leak(april, reason="누수", months=1, acting_user=billing_officer)
        # Against three months: baseline 30 × 30 / 64 = 14.1 → 14, leaked 1, half of it is less than 1 m³.
        with pytest.raises(ValidationError, match="Less than one"):
            actions.reduce_for_leak(april, reason="누수", acting_user=billing_officer)

    def test_same_month_last_year_and_blocks_waived_from_the_top(self, city, progressive, billing_officer):  # noqa: F811
        account = city.account(on=dt.date(2025, 4, 5), reading=0)
        read(account, 20, dt.date(2025, 5, 5))
        run(city, dt.date(2025, 5, 1))
        read(account, 300, dt.date(2026, 4, 5))
        run(city, APR)
        read(account, 350, dt.date(2026, 5, 5))
        run(city, MAY)
        bill = bill_of(account, MAY)
        adjustment = actions.reduce_for_leak(
            bill,
            reason="보일러 배관 누수",
            baseline="last_year",
            share_percent=50,
            acting_user=billing_officer,
        )
        # Last May 20 m³ in 30 days; this May 50 m³ in 30 days: leaked 30, waived 15 → priced at 35 instead of 50.
        # Water: 50 → 20×360 + 10×550 + 20×790 = 28,500; 35 → 7,200 + 5,500 + 5×790 = 16,650: 11,850 less.
        # Sewer: 50 → 30×400 + 20×600 = 24,000; 35 → 12,000 + 5×600 = 15,000: 9,000 less.
        # Water-use: 15 × 170 = 2,550 less. The basic charge is the same either way.
        assert adjustment.calculation["by_component"] == {"water": 11850, "sewer": 9000, "water_use": 2550}
        assert adjustment.amount == -23400

    def test_no_earlier_bill_to_compare_with(self, city, seoul, billing_officer):  # noqa: F811
        account = city.account(on=dt.date(2026, 1, 1), reading=0)
        read(account, 40, dt.date(2026, 2, 4))
        run(city, FEB)
        with pytest.raises(ValidationError, match="no earlier bills"):
            actions.reduce_for_leak(bill_of(account, FEB), reason="누수", acting_user=billing_officer)


class TestAdjustments:
    def test_an_adjustment_changes_the_total_and_needs_a_reason(self, four_months, billing_officer):
        bill = bill_of(four_months, MAY)
        with pytest.raises(ValidationError, match="Say why"):
            actions.adjust_bill(bill, amount=-1000, reason=" ", acting_user=billing_officer)
        actions.adjust_bill(bill, amount=-1000, reason="검침 지연 보상", acting_user=billing_officer)
        bill.refresh_from_db()
        assert (bill.subtotal, bill.adjustments, bill.total) == (55350, -1000, 54350)

    def test_a_bill_cannot_go_below_zero(self, four_months, billing_officer):
        with pytest.raises(ValidationError, match="below zero"):
            actions.adjust_bill(
                bill_of(four_months, MAY), amount=-60000, reason="x", acting_user=billing_officer
            )


class TestCancelAndRebill:
    def test_rebill_prices_the_month_again_and_links_the_bills(self, four_months, billing_officer):
        bill = bill_of(four_months, MAY)
        # Found afterwards: the household also uses groundwater, 10 m³ a month.
        SewerVolume.objects.create(
            account=four_months,
            effective_from=dt.date(2026, 1, 1),
            groundwater_m3_per_month=10,
            reason="지하수",
        )
        new = actions.rebill(bill, reason="지하수 사용 확인", acting_user=billing_officer)
        bill.refresh_from_db()
        assert bill.status == BillStatus.CANCELLED and bill.cancel_reason == "지하수 사용 확인"
        assert new.replaces == bill and new.status == BillStatus.ISSUED
        # Sewer on 45 + 10 = 55 m³: 26,400 instead of 21,600.
        assert (new.sewer_m3, dict(new.charges)["sewer"], new.total) == (55, 26400, 60150)
        assert AuditEvent.objects.filter(action="billing.bill_reissued", object_id=new.pk).exists()

    def test_the_database_lets_a_cancelled_bill_be_replaced_only_once(self, four_months, billing_officer):
        from django.db import IntegrityError, transaction

        bill = bill_of(four_months, MAY)
        new = actions.rebill(bill, reason="검침 오류", acting_user=billing_officer)
        second = Bill.objects.get(pk=new.pk)
        second.pk, second.status, second.cancelled_at = None, BillStatus.CANCELLED, dt.datetime.now(dt.UTC)
        with pytest.raises(IntegrityError, match="bill_replaced_once|replaces_id"), transaction.atomic():
            second.save()

    def test_only_the_latest_bill_can_be_cancelled(self, four_months, billing_officer):
        with pytest.raises(ValidationError, match="cancel it first"):
            actions.cancel_bill(bill_of(four_months, APR), reason="오류", acting_user=billing_officer)

    def test_a_rebill_that_cannot_bill_leaves_the_old_bill_issued(self, four_months, billing_officer):
        bill = bill_of(four_months, MAY)
        Tariff.objects.update(in_use=False)
        with pytest.raises(ValidationError, match="cannot be billed again"):
            actions.rebill(bill, reason="재부과", acting_user=billing_officer)
        bill.refresh_from_db()
        assert bill.status == BillStatus.ISSUED

    def test_a_cancelled_bill_is_not_corrected_again(self, four_months, billing_officer):
        bill = actions.cancel_bill(bill_of(four_months, MAY), reason="오부과", acting_user=billing_officer)
        with pytest.raises(ValidationError, match="was cancelled"):
            actions.adjust_bill(bill, amount=-10, reason="x", acting_user=billing_officer)


def test_adjustment_event_keeps_the_code_and_reads_in_each_language(four_months, billing_officer):
    """The timeline shows the adjustment's kind in the reader's language, not the writer's."""
    from django.utils import translation

    from core.audit import describe

    bill = bill_of(four_months, MAY)
    with translation.override("ko"):
        actions.reduce_for_leak(bill, reason="누수 수리", acting_user=billing_officer)
    event = AuditEvent.objects.get(action="billing.bill_adjusted", object_id=bill.pk)
    assert event.details["adjustment_kind"] == AdjustmentKind.LEAK
    with translation.override("en"):
        assert describe(event).startswith("Leak reduction (누수감면) of -18,450 won")
    with translation.override("ko"):
        assert "Leak reduction" not in describe(event)
