"""The notification outbox: written with its cause, delivered after commit exactly once,
kept and delivered later when the broker is down, retried with backoff on gateway errors."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from core import notify
from core.models import Closure, Notification, PeriodicJobRun
from core.notify import backends, delivery
from core.tasks import deliver_notification, deliver_pending_notifications

Status = Notification.Status


class Boom(Exception):
    pass


class FailingSMSBackend(backends.SMSBackend):
    """A gateway that refuses everything."""

    def send(self, recipient, body):
        raise ConnectionRefusedError("gateway refused")


@pytest.fixture(autouse=True)
def _memory_backends(settings):
    settings.SMS_BACKEND = "core.notify.backends.MemorySMSBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 6
    backends.outbox.clear()
    yield
    backends.outbox.clear()


@pytest.fixture
def closure(db):
    return Closure.objects.create(
        name="Foundation day", starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 1)
    )


def queue_sms(**extra):
    return notify.queue("sms", "010-1234-5678", kind="test.notice", body="Your request is done.", **extra)


def later(**delta):
    """Move the clock on (nested inside the suite's frozen date)."""
    return time_machine.travel(timezone.now() + dt.timedelta(**delta), tick=False)


def test_row_is_written_in_the_transaction_and_sent_after_commit(closure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notification = queue_sms(about=closure)
            assert Notification.objects.get().status == Status.PENDING
        assert backends.outbox == []  # committed, but the on-commit hooks have not run yet
    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.sent_at and notification.attempts == 1
    assert notification.object_type == ContentType.objects.get_for_model(Closure)
    assert notification.object_id == closure.pk
    assert backends.outbox == [backends.SMSMessage("120", "010-1234-5678", "Your request is done.")]


def test_rolled_back_cause_leaves_no_notice(db, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        queue_sms()
        raise Boom
    assert callbacks == []
    assert not Notification.objects.exists()
    assert backends.outbox == []


def test_the_same_dedupe_key_queues_one_notice(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert queue_sms(dedupe_key="sr:42:completed") is not None
        assert queue_sms(dedupe_key="sr:42:completed") is None
        Closure.objects.create(
            name="still usable", starts_on=dt.date(2026, 12, 2), ends_on=dt.date(2026, 12, 2)
        )
    assert Notification.objects.count() == 1
    assert Closure.objects.filter(name="still usable").exists()
    assert len(backends.outbox) == 1


def test_a_concurrent_duplicate_does_not_break_the_callers_transaction(db):
    queue_sms(dedupe_key="sr:42:completed")
    # The other transaction's row was not visible to the pre-check; the unique index catches it.
    with (
        transaction.atomic(),
        mock.patch.object(notify.outbox, "_already_queued", side_effect=[False, True]) as check,
    ):
        assert queue_sms(dedupe_key="sr:42:completed") is None
        assert check.call_count == 2  # the insert hit the unique index in between
        assert Notification.objects.count() == 1  # the transaction still answers queries
    assert Notification.objects.count() == 1


def test_an_unknown_channel_is_refused(db):
    with pytest.raises(ValueError):
        notify.queue("fax", "02-123-4567", kind="test.notice", body="x")


@pytest.mark.parametrize(
    "error", [OperationalError("broker down"), ConnectionRefusedError(111, "refused"), RuntimeError("bug")]
)
def test_broker_down_keeps_the_notice_for_the_sweep(db, django_capture_on_commit_callbacks, caplog, error):
    with (
        mock.patch.object(deliver_notification, "apply_async", side_effect=error) as hand_over,
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = queue_sms()  # no exception reaches the business action
    hand_over.assert_called_once_with(args=[notification.pk])
    notification.refresh_from_db()
    assert notification.status == Status.PENDING and notification.attempts == 0
    assert backends.outbox == []
    assert f"notification {notification.pk}" in caplog.text.lower()

    # The broker is back: the periodic sweep delivers it, and only once.
    deliver_pending_notifications()
    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert PeriodicJobRun.objects.get(name="deliver_pending_notifications").last_status == "ok"
    deliver_pending_notifications()
    assert notify.deliver(notification.pk) is False
    assert len(backends.outbox) == 1


def test_a_scheduled_notice_waits_for_its_time(db, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(deliver_notification, "apply_async") as hand_over,
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = queue_sms(send_after=timezone.now() + dt.timedelta(minutes=30))
    hand_over.assert_not_called()
    assert notify.deliver(notification.pk) is False
    assert notify.deliver_pending() == 0
    with later(minutes=29):
        assert notify.deliver_pending() == 0
    with later(minutes=31):
        assert notify.deliver_pending() == 1
    assert len(backends.outbox) == 1


def test_gateway_errors_are_retried_with_backoff_then_given_up(db, settings):
    settings.SMS_BACKEND = "core.tests.test_notify.FailingSMSBackend"
    notification = queue_sms()
    due, waits = notification.send_after, []
    for attempt in range(1, 6):
        with time_machine.travel(due, tick=False):
            assert notify.deliver_pending() == 0
        notification.refresh_from_db()
        assert notification.status == Status.PENDING and notification.attempts == attempt
        assert notification.last_error == "ConnectionRefusedError: gateway refused"
        waits.append(notification.send_after - due)
        with time_machine.travel(notification.send_after - dt.timedelta(seconds=1), tick=False):
            assert notify.deliver_pending() == 0  # not due again yet
        assert Notification.objects.get().attempts == attempt
        due = notification.send_after
    assert waits == [dt.timedelta(minutes=m) for m in (1, 5, 15, 60, 180)]
    with time_machine.travel(due, tick=False):
        notify.deliver_pending()  # the sixth and last attempt
    notification.refresh_from_db()
    assert notification.status == Status.FAILED and notification.attempts == 6
    assert notification.last_error == "ConnectionRefusedError: gateway refused"
    with later(days=1):
        assert notify.deliver_pending() == 0
    assert Notification.objects.get().attempts == 6
    assert backends.outbox == []


def test_a_retry_that_succeeds_clears_the_error(db, settings):
    settings.SMS_BACKEND = "core.tests.test_notify.FailingSMSBackend"
    notification = queue_sms()
    assert notify.deliver(notification.pk) is False
    settings.SMS_BACKEND = "core.notify.backends.MemorySMSBackend"  # the gateway recovers
    assert notify.deliver(notification.pk) is False  # waits out the backoff first
    with later(minutes=2):
        assert notify.deliver_pending() == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == (Status.SENT, 2, "")
    assert len(backends.outbox) == 1


def test_only_the_claimer_sends(db, settings):
    """A second worker arriving while the first is still sending finds nothing to claim."""
    notification = queue_sms()
    second_tries = []

    class SlowGateway(backends.MemorySMSBackend):
        def send(self, recipient, body):
            second_tries.append(notify.deliver(notification.pk))
            super().send(recipient, body)

    with mock.patch.object(delivery, "get_sms_backend", SlowGateway):
        assert notify.deliver(notification.pk) is True
    assert second_tries == [False]
    assert len(backends.outbox) == 1


def test_a_send_abandoned_by_a_dead_worker_is_reclaimed(db, settings):
    now = timezone.now()
    abandoned = queue_sms()
    in_progress = queue_sms()
    exhausted = queue_sms()
    Notification.objects.filter(pk=abandoned.pk).update(
        status=Status.SENDING, claimed_at=now - dt.timedelta(minutes=11), attempts=1
    )
    Notification.objects.filter(pk=in_progress.pk).update(
        status=Status.SENDING, claimed_at=now - dt.timedelta(minutes=2), attempts=1
    )
    Notification.objects.filter(pk=exhausted.pk).update(
        status=Status.SENDING, claimed_at=now - dt.timedelta(minutes=11), attempts=6
    )
    assert notify.deliver_pending() == 1
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses == {
        abandoned.pk: Status.SENT,
        in_progress.pk: Status.SENDING,
        exhausted.pk: Status.FAILED,
    }
    assert Notification.objects.get(pk=abandoned.pk).attempts == 2
    assert len(backends.outbox) == 1


def test_email_goes_through_django_mail(db, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.DEFAULT_FROM_EMAIL = "Suido <no-reply@suido.test>"
    with django_capture_on_commit_callbacks(execute=True):
        notify.queue(
            "email", "hong@example.com", kind="test.notice", subject="Request received", body="We are on it."
        )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert (message.subject, message.body, message.from_email, message.to) == (
        "Request received",
        "We are on it.",
        "Suido <no-reply@suido.test>",
        ["hong@example.com"],
    )
    assert Notification.objects.get().status == Status.SENT
    assert backends.outbox == []


def test_the_console_backend_prints_the_message(capsys, settings):
    settings.SMS_SENDER = "1588-0000"
    backends.ConsoleSMSBackend().send("010-1234-5678", "Water off 10:00-12:00")
    out = capsys.readouterr().out
    assert "1588-0000" in out and "010-1234-5678" in out and "Water off 10:00-12:00" in out


def test_the_sms_backend_follows_the_setting(settings):
    assert isinstance(backends.get_sms_backend(), backends.MemorySMSBackend)
    settings.SMS_BACKEND = "core.notify.backends.ConsoleSMSBackend"
    assert isinstance(backends.get_sms_backend(), backends.ConsoleSMSBackend)
