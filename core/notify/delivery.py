"""Sending notices from the outbox, at most once each in normal operation.

Whoever delivers (the on-commit task, the sweep, two sweeps at once) first claims the
row with a conditional UPDATE; only the one whose UPDATE matched sends. Run these
functions outside a transaction so the claim is committed before anything is sent.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from core.models import Notification

from .backends import get_sms_backend

logger = logging.getLogger(__name__)

# Waits before the 2nd, 3rd, ... attempt; the last one repeats if more attempts are allowed.
BACKOFF = [timedelta(minutes=m) for m in (1, 5, 15, 60, 180)]
# A row still "sending" after this long belongs to a worker that died mid-send.
# Longer than any send may take, so that a slow send is not delivered twice.
STALE_AFTER = timedelta(minutes=10)

Status = Notification.Status


def deliver(notification_id: int) -> bool:
    """Send one due notice if nobody else is; True if this call sent it."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Status.PENDING, send_after__lte=now
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False  # already sent, being sent, not yet due, failed, or gone
    notification = Notification.objects.get(pk=notification_id)
    mine = Notification.objects.filter(pk=notification_id, status=Status.SENDING, claimed_at=now)
    try:
        _send(notification)
    except Exception as exc:
        _record_failure(notification, mine, exc)
        return False
    if not mine.update(status=Status.SENT, sent_at=timezone.now(), last_error=""):
        logger.warning("Notification %s was sent after its claim had been reclaimed", notification_id)
    return True


def deliver_pending(limit: int = 500) -> int:
    """The sweep: reclaim abandoned sends, then deliver due notices, longest due first.

    Returns how many were sent.
    """
    _reclaim_stale()
    due = (
        Notification.objects.filter(status=Status.PENDING, send_after__lte=timezone.now())
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver(pk) for pk in list(due))


def _send(notification: Notification) -> None:
    if notification.channel == Notification.Channel.EMAIL:
        message = EmailMessage(
            notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.recipient]
        )
        if not message.send():
            raise RuntimeError("the mail backend accepted no message")
    elif notification.channel == Notification.Channel.SMS:
        get_sms_backend().send(notification.recipient, notification.body)
    else:
        raise ValueError(f"unknown channel {notification.channel!r}")


def _record_failure(notification: Notification, mine, exc: Exception) -> None:
    """Schedule the next attempt, waiting longer each time, or give up after the last one."""
    attempts, error = notification.attempts, f"{type(exc).__name__}: {exc}"[:2000]
    if attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        mine.update(status=Status.FAILED, last_error=error)
        logger.error("Notification %s failed after %s attempts: %s", notification.pk, attempts, error)
        return
    wait = BACKOFF[min(attempts, len(BACKOFF)) - 1]
    mine.update(status=Status.PENDING, send_after=timezone.now() + wait, last_error=error)
    logger.warning(
        "Notification %s attempt %s failed, next in %s: %s", notification.pk, attempts, wait, error
    )


def _reclaim_stale() -> None:
    """Put sends abandoned by a dead worker back in the queue (the claim already counted the attempt)."""
    stale = Notification.objects.filter(status=Status.SENDING, claimed_at__lt=timezone.now() - STALE_AFTER)
    error = "the sender stopped before confirming delivery"
    exhausted = stale.filter(attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS).update(
        status=Status.FAILED, last_error=error
    )
    reclaimed = stale.update(status=Status.PENDING, last_error=error)
    if exhausted or reclaimed:
        logger.warning("Reclaimed %s abandoned notifications, gave up on %s", reclaimed, exhausted)
