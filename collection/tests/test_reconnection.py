"""Reconnection (단수해제): a payment that clears a disconnected account's arrears, from any source, orders the
water back on at once and tells the customer; a partial payment does not; never two orders for one account."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from collection.choices import DisconnectionResolution, PaymentSource
from collection.dunning import events
from collection.dunning.protection import register_protection
from collection.dunning.reconnection import reconnect_cleared
from collection.dunning.run import run_dunning
from collection.imports import IncomingPayment, record_payments
from collection.models import ArrearsEpisode, Disconnection
from collection.tasks import sweep_reconnections
from collection.tests.dunning_helpers import NOTICE_DAY, ORDER_DAY, REMINDER_DAY, in_arrears, on_day, pay
from core.models import AuditEvent, Notification
from servicedesk.choices import RequestStatus, VisitStatus
from servicedesk.models import ServiceRequest, Visit

OWED = 61_800  # 60,000 and the late fee
PAID_DAY = dt.date(2026, 9, 21)


def disconnected(city, *, crew_went=True, **customer):
    """An account taken through every stage; the crew has shut the water off (or not yet gone)."""
    account = in_arrears(city, **customer)
    for day in (REMINDER_DAY, NOTICE_DAY, ORDER_DAY):
        with on_day(day):
            run_dunning()
    disconnection = Disconnection.objects.get(account=account)
    if crew_went:
        now = timezone.now()
        Visit.objects.filter(pk=disconnection.order.visit_id).update(
            status=VisitStatus.COMPLETED, started_at=now, completed_at=now
        )
        ServiceRequest.objects.filter(pk=disconnection.order_id).update(
            status=RequestStatus.COMPLETED, completed_at=now
        )
    return account, disconnection


def reconnections(account):
    return ServiceRequest.objects.filter(account=account, type__code="reconnection")


def test_a_payment_clearing_the_arrears_orders_the_reconnection_at_once(
    city, django_capture_on_commit_callbacks
):
    account, disconnection = disconnected(city)
    with on_day(PAID_DAY, hour=11), django_capture_on_commit_callbacks(execute=True):
        pay(account, OWED, source=PaymentSource.CASHIER)
    disconnection.refresh_from_db()
    (order,) = reconnections(account)
    assert (
        disconnection.resolution == DisconnectionResolution.RECONNECTION
        and disconnection.reconnection == order
    )
    assert order.visit is not None and order.visit.status == VisitStatus.PLANNED
    assert order.office == city.office and order.account_id == account.pk
    assert ArrearsEpisode.objects.get(account=account).closed_on == PAID_DAY
    sms = Notification.objects.get(kind="collection.reconnection")
    assert order.number in sms.body
    assert AuditEvent.objects.filter(
        action=events.RECONNECTION_ORDERED, household_id=account.premise_id
    ).exists()


def test_a_partial_payment_changes_nothing(city, django_capture_on_commit_callbacks):
    account, disconnection = disconnected(city)
    with on_day(PAID_DAY, hour=11), django_capture_on_commit_callbacks(execute=True):
        pay(account, OWED - 1_000)
    with on_day(PAID_DAY, hour=11):
        sweep_reconnections()
    disconnection.refresh_from_db()
    assert disconnection.resolved_at is None and not reconnections(account).exists()


def test_a_bank_file_payment_reconnects_too(city, django_capture_on_commit_callbacks):
    account, disconnection = disconnected(city)
    with on_day(PAID_DAY, hour=11), django_capture_on_commit_callbacks(execute=True):
        record_payments(
            [
                IncomingPayment(
                    line=1, raw="…", source=PaymentSource.VIRTUAL_ACCOUNT, reference="VA-1", amount=OWED,
                    received_at=timezone.now(), account_id=account.pk,
                )
            ],
            file=None,
            acting_user=None,
        )  # fmt: skip
    assert reconnections(account).count() == 1


def test_never_two_reconnection_orders_for_one_account(city, django_capture_on_commit_callbacks):
    account, disconnection = disconnected(city)
    with on_day(PAID_DAY, hour=11), django_capture_on_commit_callbacks(execute=True):
        pay(account, OWED)
        pay(account, 5_000)  # more money: credit, and another settlement
    with on_day(PAID_DAY, hour=12):
        assert reconnect_cleared().reconnections == 0
        assert sweep_reconnections() == 0
        run_dunning()
    assert reconnections(account).count() == 1
    assert Notification.objects.filter(kind="collection.reconnection").count() == 1


def test_the_sweep_catches_what_a_lost_task_missed(city):
    account, disconnection = disconnected(city)
    with on_day(PAID_DAY, hour=11):
        pay(account, OWED)  # on-commit callbacks never run here: the task was "lost"
    assert not reconnections(account).exists()
    with on_day(
        PAID_DAY,
        hour=11,
    ):
        assert sweep_reconnections() == 1
    assert reconnections(account).count() == 1


def test_paid_before_the_crew_went_the_order_is_withdrawn(city, django_capture_on_commit_callbacks):
    account, disconnection = disconnected(city, crew_went=False)
    with on_day(PAID_DAY, hour=11), django_capture_on_commit_callbacks(execute=True):
        pay(account, OWED)
    disconnection.refresh_from_db()
    assert (
        disconnection.resolution == DisconnectionResolution.WITHDRAWN and disconnection.reconnection is None
    )
    order = disconnection.order
    order.refresh_from_db()
    assert order.status == RequestStatus.CANCELLED
    assert Visit.objects.get(pk=order.visit_id).status == VisitStatus.CANCELLED
    assert not reconnections(account).exists()
    assert (
        "급수를 정지하지 않습니다" in Notification.objects.get(kind="collection.reconnection").body
    )  # customer's language


def test_a_household_protected_while_disconnected_is_reconnected_at_once(city, clerk):
    account, disconnection = disconnected(city)
    with on_day(PAID_DAY, hour=11):
        register_protection(
            account, reason="medical", evidence="Oxygen concentrator", starts_on=PAID_DAY, acting_user=clerk
        )
    disconnection.refresh_from_db()
    assert disconnection.resolution == DisconnectionResolution.PROTECTED
    assert reconnections(account).count() == 1
    # The arrears are still owed: the episode stays open, the water stays on.
    assert ArrearsEpisode.objects.get(account=account).closed_on is None
    with on_day(PAID_DAY + dt.timedelta(days=30)):
        assert run_dunning().disconnections == 0
