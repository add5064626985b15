"""The billing run: bills, estimates, exceptions, reconciliation, idempotency and resume.

Cycle 01 is read on the 5th, monthly. For the month of 2026-03 the reading day is
5 March, the previous one 5 February (a full period of 28 days), and readings count
from 23 February to 15 March (± BILLING_READ_WINDOW_DAYS = 10).
Seoul's 2026 tariff (per m³): water 580, sewer 480, water-use 170, truncated to 10 won.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.test import override_settings
from django.utils import translation

from billing import actions
from billing.actions import TARIFF_FILES, load_tariff_file, run_billing_cycle
from billing.choices import BillKind, RunExceptionReason, RunStatus
from billing.models import Bill, BillingRun, RunException, SewerVolume
from billing.run import chunk as chunk_module
from customers import actions as registry
from customers.actions.common import current_installation
from metering.actions import order_reread
from metering.choices import ReadingKind, ReadingStatus
from metering.imports import import_readings
from metering.models import MeterReading, ReadingException
from metering.readings import record_reading

FEB, MAR, APR, MAY, JUN = (dt.date(2026, m, 1) for m in (2, 3, 4, 5, 6))


@pytest.fixture
def seoul(db):
    return load_tariff_file(TARIFF_FILES / "seoul.toml", put_in_use=True)


@pytest.fixture
def progressive(db):
    return load_tariff_file(TARIFF_FILES / "example_progressive.toml", put_in_use=True)


def read(account, value, on, kind=ReadingKind.ACTUAL):
    meter = current_installation(account.premise).meter
    return record_reading(meter, value=value, read_on=on, kind=kind, account=account, acting_user=None)


def run(city, month, **options):
    return run_billing_cycle(city.route.cycle, month, acting_user=None, **options)


def bill_of(account, month):
    return Bill.objects.get(account=account, period=month, status="issued")


def charges(bill):
    return dict(bill.charges)


def snapshot():
    """What the runs produced, comparable across two databases states."""
    bills = sorted(
        (b.account_id, b.period, b.water_m3, b.total, b.estimated, b.current_value, b.charges)
        for b in Bill.objects.all()
    )
    exceptions = sorted(RunException.objects.values_list("account_id", "reason"))
    estimates = sorted(
        MeterReading.objects.filter(kind=ReadingKind.ESTIMATED).values_list("account_id", "read_on", "value")
    )
    return bills, exceptions, estimates


class TestBills:
    def test_a_month_bills_the_usage_since_the_last_bill(self, city, seoul):
        account = city.account(on=dt.date(2025, 12, 1), reading=0)
        read(account, 20, dt.date(2026, 2, 4))
        february = run(city, FEB)
        bill = bill_of(account, FEB)
        # 20 m³: water 20 × 580 = 11,600; sewer 20 × 480 = 9,600; water-use 20 × 170 = 3,400.
        assert charges(bill) == {"water": 11600, "sewer": 9600, "water_use": 3400}
        assert (bill.total, bill.previous_value, bill.current_value) == (24600, 0, 20)
        assert (bill.period_start, bill.period_end, bill.kind) == (
            dt.date(2025, 12, 1),
            dt.date(2026, 2, 4),
            "regular",
        )
        assert february.status == RunStatus.BALANCED and (february.bills, february.amount_total) == (1, 24600)

        read(account, 35, dt.date(2026, 3, 6))
        run(city, MAR)
        march = bill_of(account, MAR)
        # 15 m³ since the February bill's reading: 8,700 + 7,200 + 2,550 = 18,450.
        assert (march.water_m3, march.total, march.previous_value, march.days) == (15, 18450, 20, 30)
        assert march.period_start == dt.date(2026, 2, 4)

    def test_what_a_bill_was_made_from_cannot_be_deleted(self, city, seoul):
        """The run, reading and tariff version of a bill are protected by the application (no database check)."""
        account = city.account(on=dt.date(2025, 12, 1), reading=0)
        read(account, 20, dt.date(2026, 2, 4))
        run(city, FEB)
        bill = bill_of(account, FEB)
        for referenced in (bill.end_reading, bill.tariff_version, bill.run, bill.account):
            with pytest.raises(ProtectedError):
                referenced.delete()
        assert Bill.objects.filter(pk=bill.pk).exists()

    def test_the_database_refuses_to_delete_an_account_that_has_bills(self, city, seoul):
        """Not a foreign key (too dear for the run), a trigger: even SQL past the application is refused."""
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("the guard is a PostgreSQL trigger")
        account = city.account(on=dt.date(2025, 12, 1), reading=0)
        read(account, 20, dt.date(2026, 2, 4))
        run(city, FEB)
        with (
            pytest.raises(IntegrityError, match="has bills"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM customers_account WHERE id = %s", [account.pk])
        assert Bill.objects.filter(account=account).exists()

    def test_a_chunk_with_no_account_left_in_the_cycle_bills_nothing(self, city, seoul):
        """Its accounts closed or moved to another cycle since the plan: an empty outcome, no error."""
        from billing.run.engine import context_for

        account = city.account(on=dt.date(2025, 12, 1), reading=0)
        outcome = chunk_module.bill_accounts(
            context_for(city.route.cycle, FEB), account.pk + 1, account.pk + 100
        )
        assert (outcome.accounts, outcome.bills, outcome.exceptions) == (0, 0, 0)

    def test_an_account_first_billed_long_after_it_started_counts_its_whole_history(self, city, seoul):
        """Its readings are asked for apart, so the other accounts' histories are not read with it."""
        regular = city.account(on=dt.date(2025, 12, 1), reading=0)
        read(regular, 20, dt.date(2026, 2, 4))
        run(city, FEB)
        late = city.account(on=dt.date(2024, 3, 1), reading=0)  # never billed before March 2026
        read(late, 40, dt.date(2025, 3, 1))
        read(late, 70, dt.date(2026, 3, 5))
        read(regular, 32, dt.date(2026, 3, 5))

        asked = []
        readings = chunk_module._readings
        with mock.patch.object(
            chunk_module,
            "_readings",
            lambda chunk, until: asked.append(chunk_module._since_groups(chunk)) or readings(chunk, until),
        ):
            run(city, MAR)

        # Two groups: the regular account from the day after its February bill's reading, the
        # late one (a first bill) from its start, whose reading gives the register it starts from.
        assert sorted(asked[0]) == [(dt.date(2024, 3, 1), [late.pk]), (dt.date(2026, 2, 5), [regular.pk])]
        bill = bill_of(late, MAR)
        # Everything since the start: 0 → 40 → 70, 70 m³ at 580 + 480 + 170 = 1,230 won per m³.
        assert (bill.period_start, bill.previous_value, bill.water_m3, bill.total) == (
            dt.date(2024, 3, 1), 0, 70, 86100,
        )  # fmt: skip
        assert bill_of(regular, MAR).water_m3 == 12

    def test_each_account_is_asked_for_its_readings_from_no_later_than_its_own_start(self):
        """Many start days in one chunk: the common ones exact, the rest together, the far ones apart."""
        from types import SimpleNamespace

        import numpy as np

        base = dt.date(2026, 2, 4).toordinal()
        # 40 accounts read last month over 7 days, 5 new accounts started on 5 other days this
        # month (first bills), 2 accounts never billed since 2016 and 2024.
        starts = [base + n % 7 for n in range(40)] + [base - 30 + 3 * n for n in range(5)]
        starts += [dt.date(2016, 5, 1).toordinal(), dt.date(2024, 3, 1).toordinal()]
        billed_before = [True] * 40 + [False] * 7
        chunk = SimpleNamespace(
            ids=np.arange(1, len(starts) + 1),
            start=np.array(starts),
            previous_value=np.where(billed_before, 100, chunk_module.NONE),
        )
        groups = chunk_module._since_groups(chunk)
        needed = {i + 1: starts[i] + (1 if billed_before[i] else 0) for i in range(len(starts))}
        asked = [account for _day, members in groups for account in members]
        assert sorted(asked) == sorted(needed)  # each account once
        for day, members in groups:
            assert all(day.toordinal() <= needed[account] for account in members)
            spread = max(needed[account] for account in members) - day.toordinal()
            assert spread <= chunk_module.SINCE_GROUP_DAYS  # no one's long history read for the others
        assert len(groups) <= chunk_module.SINCE_COMMON_DAYS + 2
        # The 40 regular accounts are each read from exactly the day after their last reading.
        assert all(
            day.toordinal() == needed[members[0]] for day, members in groups if 1 in members or 7 in members
        )

    def test_a_meter_replaced_in_the_period_counts_both_meters(self, city, seoul):
        account = city.account(on=dt.date(2025, 12, 1), reading=0)
        read(account, 20, dt.date(2026, 2, 4))
        run(city, FEB)
        from customers.actions import MeterSpec

        registry.replace_meter(
            account.premise,
            on=dt.date(2026, 2, 20),
            removal_reading=27,
            removal_reason="faulty",
            new_meter=MeterSpec(serial="NEW-1", diameter_mm=15, dials=4),
            install_reading=0,
            acting_user=None,
        )
        read(account, 5, dt.date(2026, 3, 5))
        run(city, MAR)
        # Old meter 20 → 27 (7 m³) plus new meter 0 → 5 (5 m³).
        assert bill_of(account, MAR).water_m3 == 12

    def test_a_groundwater_user_pays_sewer_on_more_than_the_meter_saw(self, city, seoul):
        account = city.account(on=dt.date(2025, 12, 1), reading=0)
        SewerVolume.objects.create(
            account=account, effective_from=dt.date(2026, 1, 1), percent_of_water=50,
            groundwater_m3_per_month=8, reason="지하수 병용",
        )  # fmt: skip
        read(account, 20, dt.date(2026, 2, 4))
        run(city, FEB)
        bill = bill_of(account, FEB)
        # Sewer volume 20 × 50 % + 8 × 1 month = 18 m³: 18 × 480 = 8,640.
        assert (bill.sewer_m3, charges(bill)["sewer"], charges(bill)["water"]) == (18, 8640, 11600)

    def test_households_and_basic_charge_come_from_the_premise_and_its_meter(self, city, progressive):
        premise = city.premise(households=3)
        account = city.account(premise, on=dt.date(2025, 12, 1), reading=0)
        read(account, 75, dt.date(2026, 2, 4))
        run(city, FEB)
        bill = bill_of(account, FEB)
        # 75 m³ over 3 households = 25 each: (20 × 360 + 5 × 550) × 3 = 29,850 + basic 1,080 (15 mm).
        assert (bill.households, charges(bill)["water"]) == (3, 30930)

    def test_the_final_bill_prorates_the_basic_charge(self, city, progressive):
        account = city.account(on=dt.date(2026, 1, 1), reading=0)
        read(account, 10, dt.date(2026, 2, 4))
        run(city, FEB)
        registry.stop_service(account, on=dt.date(2026, 2, 19), final_reading=16, acting_user=None)
        bill = actions.issue_final_bill(account, acting_user=None)
        # 6 m³ from 4 to 19 February (15 days of a 28-day period):
        # water 6 × 360 = 2,160 + basic 1,080 × 15 / 28 = 578.57 → 2,738.57, truncated to 2,730;
        # sewer 6 × 400 = 2,400; water-use 6 × 170 = 1,020.
        assert (bill.kind, bill.period, bill.water_m3, bill.days) == (BillKind.FINAL, MAR, 6, 15)
        assert charges(bill) == {"water": 2730, "sewer": 2400, "water_use": 1020}
        # The month's run finds it billed and does not bill it again.
        march = run(city, MAR)
        assert Bill.objects.filter(account=account, period=MAR).count() == 1
        assert march.status == RunStatus.BALANCED and march.unaccounted == 0

    def test_an_open_account_has_no_final_bill(self, city, seoul):
        account = city.account(on=dt.date(2026, 1, 1), reading=0)
        with pytest.raises(ValidationError, match="still open"):
            actions.issue_final_bill(account, acting_user=None)

    def test_a_month_whose_readings_are_not_due_cannot_be_billed(self, city, seoul):
        with pytest.raises(ValidationError, match="cannot be billed yet"):
            run(city, dt.date(2099, 1, 1))


class TestEstimates:
    def test_no_reading_is_estimated_from_the_last_year_and_trued_up_by_the_next(self, city, seoul):
        account = city.account(on=dt.date(2026, 1, 1), reading=0)
        for value, day in ((10, dt.date(2026, 1, 31)), (20, dt.date(2026, 3, 2)), (30, dt.date(2026, 4, 1))):
            read(account, value, day)
        run(city, APR)
        assert bill_of(account, APR).water_m3 == 30

        may = run(city, MAY)
        bill = bill_of(account, MAY)
        # 30 m³ in 90 days of readings; 34 days from 1 April to 5 May: 30 × 34 / 90 = 11.3 → 11 m³.
        estimate = MeterReading.objects.get(kind=ReadingKind.ESTIMATED)
        assert (estimate.read_on, estimate.value, estimate.consumption) == (dt.date(2026, 5, 5), 41, 11)
        assert bill.estimated and bill.water_m3 == 11 and bill.end_reading == estimate
        assert may.bills_estimated == 1

        read(account, 50, dt.date(2026, 6, 4))
        run(city, JUN)
        june = bill_of(account, JUN)
        # Counted from the estimate: 50 − 41 = 9 m³; over the two months 11 + 9 = 20, the real use.
        assert (june.water_m3, june.estimated) == (9, False)

    def test_without_history_there_is_no_estimate_but_an_exception(self, city, seoul):
        account = city.account(on=dt.date(2026, 2, 1), reading=0)
        result = run(city, MAR)
        exception = RunException.objects.get(run=result)
        assert (exception.account, exception.reason) == (account, RunExceptionReason.NO_READING)
        assert not MeterReading.objects.filter(kind=ReadingKind.ESTIMATED).exists()
        # The detail keeps its figures and reads in the language of whoever looks at it.
        assert exception.detail_params == {"days": 0, "needed": 28}
        with translation.override("en"):
            assert exception.shown_detail == "0 days of readings in the last year; 28 are needed to estimate."
        with translation.override("ko"):
            assert exception.shown_detail == "최근 1년 검침 기간이 0일입니다. 추정하려면 28일이 필요합니다."


class TestReconciliation:
    def test_every_account_ends_with_a_bill_or_an_exception(self, city, seoul, billing_officer):
        billed = city.account(on=dt.date(2025, 12, 1), reading=0)
        read(billed, 10, dt.date(2026, 3, 4))
        silent = city.account(on=dt.date(2026, 2, 1), reading=0)  # no reading, no history
        held = city.account(on=dt.date(2025, 12, 1), reading=0)
        read(held, 30, dt.date(2026, 2, 4))
        outcome = import_readings(
            "route.csv",
            f"account,meter,read_on,value,read_type,reader,note,photo_ref\n{held.number},,2026-03-05,12,actual,,,\n".encode(),
            acting_user=None,
            today=dt.date(2026, 3, 6),
        )
        assert outcome.source.held == 1
        suspended = city.account(on=dt.date(2025, 12, 1), reading=0)
        registry.suspend_account(suspended, on=dt.date(2026, 2, 1), reading=0, acting_user=None)
        reread = city.account(on=dt.date(2025, 12, 1), reading=0)
        read(reread, 30, dt.date(2026, 2, 4))
        import_readings(
            "again.csv",
            f"account,meter,read_on,value,read_type,reader,note,photo_ref\n{reread.number},,2026-03-05,3,actual,,,\n".encode(),
            acting_user=None,
            today=dt.date(2026, 3, 6),
        )
        order_reread(ReadingException.objects.get(account=reread), note="", acting_user=billing_officer)

        result = run(city, MAR)
        reasons = dict(RunException.objects.filter(run=result).values_list("account_id", "reason"))
        assert reasons == {
            silent.pk: RunExceptionReason.NO_READING,
            held.pk: RunExceptionReason.HELD_READING,
            suspended.pk: RunExceptionReason.SUSPENDED,
            reread.pk: RunExceptionReason.REREAD,
        }
        assert (result.scope_accounts, result.bills, result.exceptions, result.unaccounted) == (5, 1, 4, 0)
        assert result.status == RunStatus.WITH_EXCEPTIONS

        # The silent account's reading arrives; running the month again bills it and only it.
        read(silent, 9, dt.date(2026, 3, 6))
        again = run(city, MAR)
        assert again.passes == 2 and again.bills == 2 and again.exceptions == 3
        assert Bill.objects.filter(period=MAR).count() == 2
        assert not RunException.objects.filter(account=silent).exists()

    def test_a_failed_chunk_leaves_the_run_unbalanced_and_a_new_start_retries_it(self, city, seoul):
        accounts = [city.account(on=dt.date(2025, 12, 1), reading=0) for _ in range(3)]
        for account in accounts:
            read(account, 10, dt.date(2026, 3, 4))
        real = chunk_module.bill_accounts

        def failing_on_second(ctx, first, last, **kw):
            if first == accounts[1].pk:
                raise RuntimeError("disk full")
            return real(ctx, first, last, **kw)

        with mock.patch("billing.run.engine.bill_accounts", failing_on_second):
            result = run(city, MAR, chunk_size=1)
        assert result.status == RunStatus.UNBALANCED
        assert (result.bills, result.unaccounted) == (2, 1)
        assert "disk full" in result.errors[0]["error"]

        result = run(city, MAR, chunk_size=1)
        assert (result.status, result.bills, result.unaccounted) == (RunStatus.BALANCED, 3, 0)

    def test_no_tariff_in_use_is_an_exception_for_every_account(self, city):
        account = city.account(on=dt.date(2025, 12, 1), reading=0)
        read(account, 10, dt.date(2026, 3, 4))
        result = run(city, MAR)
        assert RunException.objects.get(run=result).reason == RunExceptionReason.NO_TARIFF
        assert result.status == RunStatus.WITH_EXCEPTIONS


class TestIdempotencyAndResume:
    def test_running_a_month_twice_never_duplicates(self, city, seoul):
        accounts = [city.account(on=dt.date(2025, 12, 1), reading=0) for _ in range(3)]
        for account in accounts:
            read(account, 10, dt.date(2026, 3, 4))
        run(city, MAR)
        first = snapshot()
        second = run(city, MAR)
        assert snapshot() == first and second.bills == 3 and BillingRun.objects.count() == 1

    def test_the_database_refuses_a_second_bill_for_an_account_and_month(self, city, seoul):
        account = city.account(on=dt.date(2025, 12, 1), reading=0)
        read(account, 10, dt.date(2026, 3, 4))
        run(city, MAR)
        bill = bill_of(account, MAR)
        bill.pk = None
        with pytest.raises(IntegrityError), transaction.atomic():
            bill.save()

    def test_a_run_killed_half_way_and_started_again_equals_an_uninterrupted_run(self, city, seoul):
        accounts = []
        for index in range(6):
            account = city.account(on=dt.date(2026, 1, 1), reading=0)
            read(account, 10, dt.date(2026, 1, 31))
            read(account, 20, dt.date(2026, 3, 2))
            if index % 3:  # every third account has no April reading: estimated
                read(account, 30 + index, dt.date(2026, 4, 3))
            accounts.append(account)
        # One account without any history: an exception.
        city.account(on=dt.date(2026, 3, 1), reading=0)

        run(city, APR, chunk_size=2)
        uninterrupted = snapshot()
        RunException.objects.all().delete()
        Bill.objects.all().delete()
        BillingRun.objects.all().delete()
        MeterReading.objects.filter(kind=ReadingKind.ESTIMATED).delete()

        real = chunk_module.bill_accounts
        calls = []

        def killed_in_third_chunk(ctx, first, last, **kw):
            calls.append(first)
            if len(calls) == 3:
                raise KeyboardInterrupt  # the worker is killed: not an error the run can record
            return real(ctx, first, last, **kw)

        with (
            mock.patch("billing.run.engine.bill_accounts", killed_in_third_chunk),
            pytest.raises(KeyboardInterrupt),
        ):
            run(city, APR, chunk_size=2)
        stopped = BillingRun.objects.get()
        assert stopped.status == RunStatus.RUNNING and stopped.chunks_done == 2

        resumed = run(city, APR, chunk_size=2)
        assert snapshot() == uninterrupted
        assert resumed.passes == 1 and resumed.status == RunStatus.WITH_EXCEPTIONS
        assert (
            MeterReading.objects.filter(kind=ReadingKind.ESTIMATED, status=ReadingStatus.VALID).count() == 2
        )


@override_settings(CELERY_EMBEDDED=False)
def test_with_workers_each_chunk_is_a_task_and_the_last_reconciles(
    city, seoul, django_capture_on_commit_callbacks
):
    accounts = [city.account(on=dt.date(2025, 12, 1), reading=0) for _ in range(3)]
    for account in accounts:
        read(account, 10, dt.date(2026, 3, 4))
    with (
        mock.patch("billing.tasks.bill_chunk.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = run(city, MAR, chunk_size=2)
    assert result.status == RunStatus.RUNNING and delay.call_count == 2
    from billing.tasks import bill_chunk

    for call in delay.call_args_list:
        bill_chunk(*call.args)
    result.refresh_from_db()
    assert (result.status, result.bills, result.chunks_done) == (RunStatus.BALANCED, 3, 2)
