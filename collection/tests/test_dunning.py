"""Dunning: reminder, disconnection notice, disconnection order — in order, once each, with notice and event;
protected households and honoured arrangements are never threatened nor disconnected."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from collection.choices import ArrangementStatus, DunningStage
from collection.dunning import events
from collection.dunning.arrangements import cancel_arrangement, equal_installments, make_arrangement
from collection.dunning.protection import end_protection, register_protection
from collection.dunning.run import run_dunning
from collection.models import ArrearsEpisode, Disconnection, DunningRun, DunningStep, PaymentArrangement
from collection.tests.builders import issue_bill
from collection.tests.dunning_helpers import DUE, NOTICE_DAY, ORDER_DAY, REMINDER_DAY, in_arrears, on_day, pay
from core.models import AuditEvent, Notification
from servicedesk.choices import Origin, RequestStatus, VisitStatus


def stages(account):
    return list(DunningStep.objects.filter(account=account).order_by("on").values_list("stage", flat=True))


def run(day):
    with on_day(day):
        return run_dunning()


def test_each_stage_comes_in_order_on_its_day_with_its_notice_and_event(city):
    account = in_arrears(city)
    run(REMINDER_DAY - dt.timedelta(days=1))
    assert stages(account) == []
    assert run(REMINDER_DAY).reminders == 1
    reminder = DunningStep.objects.get(account=account)
    # 60,000 + the 3 % late fee charged by the same run (the bill was past due)
    assert (reminder.stage, reminder.owed, reminder.oldest_due_on) == (DunningStage.REMINDER, 61_800, DUE)
    assert reminder.deadline == dt.date(2026, 8, 24)  # 08-23 is a Sunday
    assert reminder.bills[0][2:] == ["2026-08-03", 61_800]
    assert reminder.notified == "sms"
    sms = Notification.objects.get(kind="collection.dunning.reminder")
    assert "61,800" in sms.body and sms.dedupe_key == f"dunning:{reminder.pk}:sms"
    event = AuditEvent.objects.get(action=events.DUNNING_STEP, object_id=reminder.pk)
    assert event.household_id == account.premise_id and event.details["dunning_stage"] == "reminder"

    run(NOTICE_DAY - dt.timedelta(days=1))
    assert stages(account) == ["reminder"]
    assert run(NOTICE_DAY).notices == 1
    notice = DunningStep.objects.get(account=account, stage=DunningStage.NOTICE)
    assert notice.deadline == dt.date(2026, 9, 14)  # 09-12 is a Saturday
    assert (
        "급수가 정지됩니다" in Notification.objects.get(kind="collection.dunning.notice").body
    )  # customer's language

    run(dt.date(2026, 9, 14))  # the deadline itself: still time to pay
    assert stages(account) == ["reminder", "notice"]
    assert run(ORDER_DAY).disconnections == 1
    order_step = DunningStep.objects.get(account=account, stage=DunningStage.DISCONNECTION)
    disconnection = Disconnection.objects.get(account=account)
    order = disconnection.order
    assert order_step.work_order == order and disconnection.resolved_at is None
    assert order.type.code == "disconnection" and order.origin == Origin.PROACTIVE
    assert order.visit is not None and order.visit.status == VisitStatus.PLANNED
    assert order.visit.premise_id == account.premise_id and order.office == city.office
    assert ArrearsEpisode.objects.get(account=account).stage == DunningStage.DISCONNECTION
    assert AuditEvent.objects.filter(action=events.DUNNING_STEP, household_id=account.premise_id).count() == 3
    assert Notification.objects.filter(kind="collection.dunning.disconnection").count() == 1

    # Nothing more to do, however often it runs.
    assert run(ORDER_DAY + dt.timedelta(days=7)).disconnections == 0
    assert stages(account) == ["reminder", "notice", "disconnection"]


def test_a_second_run_the_same_day_records_nothing_new(city):
    accounts = [in_arrears(city) for _ in range(3)]
    first = run(REMINDER_DAY)
    counts = (DunningStep.objects.count(), Notification.objects.count(), AuditEvent.objects.count())
    second = run(REMINDER_DAY)
    assert first.reminders == 3 and second.reminders == 0 and second.late_fees == 0
    assert (DunningStep.objects.count(), Notification.objects.count()) == counts[:2]
    assert AuditEvent.objects.count() == counts[2] + 1  # only the second run's own event
    assert DunningRun.objects.filter(status="done").count() == 2
    assert all(stages(a) == ["reminder"] for a in accounts)


def test_the_management_command_runs_the_same_job(city, capsys):
    in_arrears(city)
    with on_day(REMINDER_DAY):
        call_command("run_dunning")
        call_command("run_dunning", "--date", "2026-08-12")
    out = capsys.readouterr().out
    assert "1 reminders" in out and "0 reminders" in out


def test_below_the_minimum_nobody_is_dunned(city, settings):
    settings.DUNNING_MIN_AMOUNT = 10_000
    small = city.account()
    issue_bill(small, 9_700, due_on=DUE)  # 9,700 + 290 late fee = 9,990
    run(REMINDER_DAY)
    assert stages(small) == []


def test_a_protected_household_is_reminded_without_threat_but_never_given_notice_or_order(city, clerk):
    account = in_arrears(city)
    with on_day(dt.date(2026, 8, 5)):
        register_protection(
            account, reason="medical", evidence="Home dialysis, hospital letter", starts_on=dt.date(2026, 8, 5),
            acting_user=clerk,
        )  # fmt: skip
    run(REMINDER_DAY)
    reminder = DunningStep.objects.get(account=account)
    assert reminder.protected
    body = Notification.objects.get(kind="collection.dunning.reminder").body
    assert "suspend" not in body and "disconnect" not in body
    held = run(NOTICE_DAY)
    assert held.notices == 0 and held.held_protected == 1
    run(ORDER_DAY + dt.timedelta(days=30))
    assert stages(account) == ["reminder"] and not Disconnection.objects.exists()


def test_when_protection_ends_dunning_goes_on(city, clerk):
    account = in_arrears(city)
    with on_day(dt.date(2026, 8, 5)):
        protection = register_protection(
            account, reason="basic_livelihood", evidence="Certificate", starts_on=dt.date(2026, 8, 5),
            ends_on=dt.date(2026, 12, 31), acting_user=clerk,
        )  # fmt: skip
    run(REMINDER_DAY)
    run(NOTICE_DAY)
    with on_day(dt.date(2026, 9, 10)):
        end_protection(protection, reason="The benefit ended", acting_user=clerk)
    run(dt.date(2026, 9, 11))
    assert stages(account) == ["reminder", "notice"]
    assert not DunningStep.objects.get(account=account, stage="notice").protected


def test_an_honoured_arrangement_holds_dunning_and_a_broken_one_resumes_at_its_stage(city, clerk):
    account = in_arrears(city)
    run(REMINDER_DAY)  # 61,800 overdue
    with on_day(dt.date(2026, 8, 20)):
        arrangement = make_arrangement(
            account, schedule=equal_installments(61_800, 3, dt.date(2026, 8, 25)), acting_user=clerk
        )
    assert [(i.due_on, i.amount) for i in arrangement.installments.all()] == [
        (dt.date(2026, 8, 25), 20_600),
        (dt.date(2026, 9, 25), 20_600),
        (dt.date(2026, 10, 25), 20_600),
    ]
    with on_day(dt.date(2026, 8, 24), hour=12):
        pay(account, 20_600)
    held = run(NOTICE_DAY)
    assert held.notices == 0 and held.held_arrangement == 1
    with on_day(dt.date(2026, 9, 30), hour=12):  # five days late: within the grace days
        pay(account, 20_600)
    run(dt.date(2026, 10, 1))
    assert stages(account) == ["reminder"]
    # The third is not paid: 7 days of grace after 10-25, broken on 11-02, and the notice follows.
    run(dt.date(2026, 11, 1))
    assert PaymentArrangement.objects.get().status == ArrangementStatus.ACTIVE
    broken = run(dt.date(2026, 11, 2))
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.BROKEN and arrangement.ended_on == dt.date(2026, 11, 2)
    assert broken.arrangements_broken == 1 and broken.notices == 1
    assert stages(account) == ["reminder", "notice"]
    assert AuditEvent.objects.filter(action=events.ARRANGEMENT_ENDED, object_id=arrangement.pk).exists()


def test_an_honoured_arrangement_after_a_notice_prevents_the_disconnection_and_completes_when_paid(
    city, clerk
):
    account = in_arrears(city)
    run(REMINDER_DAY)
    run(NOTICE_DAY)
    with on_day(dt.date(2026, 9, 7)):
        make_arrangement(account, schedule=[(dt.date(2026, 9, 10), 30_000), (dt.date(2026, 10, 10), 31_800)],
                         acting_user=clerk)  # fmt: skip
    with on_day(dt.date(2026, 9, 9), hour=12):
        pay(account, 30_000)
    assert run(ORDER_DAY).disconnections == 0
    with on_day(dt.date(2026, 10, 8), hour=12):
        pay(account, 31_800)
    done = run(dt.date(2026, 10, 9))
    assert done.arrangements_completed == 1 and done.episodes_closed == 1
    assert PaymentArrangement.objects.get().status == ArrangementStatus.COMPLETED
    assert not Disconnection.objects.exists()
    assert ArrearsEpisode.objects.get(account=account).closed_on == dt.date(2026, 10, 9)


def test_a_cancelled_arrangement_lets_dunning_resume(city, clerk):
    account = in_arrears(city)
    run(REMINDER_DAY)
    with on_day(dt.date(2026, 8, 20)):
        arrangement = make_arrangement(
            account, schedule=equal_installments(61_800, 2, dt.date(2026, 8, 25)), acting_user=clerk
        )
        with pytest.raises(ValidationError, match="Say why"):
            cancel_arrangement(arrangement, reason=" ", acting_user=clerk)
        cancel_arrangement(arrangement, reason="Customer will pay in full", acting_user=clerk)
    run(NOTICE_DAY)
    assert stages(account) == ["reminder", "notice"]


@pytest.mark.parametrize(
    "schedule, message",
    [
        ([(dt.date(2026, 8, 25), 61_800)], "from 2 to 12 installments"),
        ([(dt.date(2026, 8, 25), 30_000), (dt.date(2026, 9, 25), 30_000)], "add up to 60,000 won"),
        ([(dt.date(2026, 8, 25), 61_800), (dt.date(2026, 9, 25), 0)], "positive whole number"),
        ([(dt.date(2026, 8, 19), 30_000), (dt.date(2026, 9, 25), 31_800)], "cannot fall due in the past"),
        ([(dt.date(2026, 9, 25), 30_000), (dt.date(2026, 9, 25), 31_800)], "after the one before"),
        ([(dt.date(2026, 8, 25), 30_000), (dt.date(2027, 9, 25), 31_800)], "within a year"),
    ],
)
def test_an_arrangement_is_checked(city, clerk, schedule, message):
    account = in_arrears(city)
    run(REMINDER_DAY)
    with on_day(dt.date(2026, 8, 20)), pytest.raises(ValidationError, match=message):
        make_arrangement(account, schedule=schedule, acting_user=clerk)
    assert not PaymentArrangement.objects.exists()


def test_one_active_arrangement_per_account_and_none_without_arrears(city, clerk):
    account = in_arrears(city)
    schedule = equal_installments(61_800, 2, dt.date(2026, 8, 25))
    run(REMINDER_DAY)
    with on_day(dt.date(2026, 8, 20)):
        make_arrangement(account, schedule=schedule, acting_user=clerk)
        with pytest.raises(ValidationError, match="already has an active"):
            make_arrangement(account, schedule=schedule, acting_user=clerk)
        with pytest.raises(ValidationError, match="nothing overdue"):
            make_arrangement(city.account(), schedule=schedule, acting_user=clerk)


def test_protection_is_checked(city, clerk):
    account = city.account()
    with pytest.raises(ValidationError, match="what shows the need"):
        register_protection(
            account, reason="medical", evidence=" ", starts_on=dt.date(2026, 11, 1), acting_user=clerk
        )
    with pytest.raises(ValidationError, match="today at the latest"):
        register_protection(
            account, reason="medical", evidence="x", starts_on=dt.date(2026, 12, 1), acting_user=clerk
        )
    register_protection(
        account, reason="medical", evidence="x", starts_on=dt.date(2026, 11, 1), acting_user=clerk
    )
    with pytest.raises(ValidationError, match="already protected"):
        register_protection(
            account, reason="other", evidence="y", starts_on=dt.date(2026, 11, 20), acting_user=clerk
        )
    assert AuditEvent.objects.filter(
        action=events.PROTECTION_REGISTERED, household_id=account.premise_id
    ).exists()


def test_a_closed_account_is_reminded_but_never_disconnected(city):
    from customers.actions import stop_service

    account = in_arrears(city)
    with on_day(dt.date(2026, 8, 10)):
        stop_service(account, on=dt.date(2026, 8, 10), final_reading=0, acting_user=None)
    run(REMINDER_DAY)
    run(NOTICE_DAY)
    run(ORDER_DAY)
    assert stages(account) == ["reminder"]


def test_a_disconnection_order_is_a_work_order_the_desk_sees(city):
    account = in_arrears(city)
    for day in (REMINDER_DAY, NOTICE_DAY, ORDER_DAY):
        run(day)
    order = Disconnection.objects.get().order
    assert order.status == RequestStatus.RECEIVED and order.account_id == account.pk
    assert "61,800" in order.description
    assert not order.notify_by_sms  # the customer was told by the dunning notice, not by the desk
