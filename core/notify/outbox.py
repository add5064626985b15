"""Writing notices into the outbox, inside the transaction of the change they announce.

The row commits or rolls back with its cause, so a notice is never sent for a change
that did not happen and never lost for one that did. Delivery starts only after
commit; if the broker cannot take the hand-over, the periodic sweep delivers later.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from core.models import Notification

logger = logging.getLogger(__name__)


def queue(
    channel: str,
    recipient: str,
    *,
    kind: str,
    body: str,
    subject: str = "",
    about: models.Model | None = None,
    dedupe_key: str | None = None,
    send_after: datetime | None = None,
) -> Notification | None:
    """Add a notice to the outbox; returns None if ``dedupe_key`` was queued before.

    Call it inside the business action's transaction. Nothing is sent before commit.
    """
    if channel not in Notification.Channel.values:
        raise ValueError(f"unknown notification channel {channel!r}")
    if dedupe_key is not None and _already_queued(dedupe_key):
        return None
    fields = {
        "channel": channel,
        "recipient": recipient,
        "kind": kind,
        "subject": subject,
        "body": body,
        "dedupe_key": dedupe_key,
        "send_after": send_after or timezone.now(),
    }
    if about is not None:
        fields["object_type"] = ContentType.objects.get_for_model(about)
        fields["object_id"] = about.pk
    try:
        # A savepoint: a duplicate inserted concurrently must not break the caller's transaction.
        with transaction.atomic():
            notification = Notification.objects.create(**fields)
    except IntegrityError:
        if dedupe_key is not None and _already_queued(dedupe_key):
            return None
        raise
    transaction.on_commit(lambda: _hand_over(notification))
    return notification


def _already_queued(dedupe_key: str) -> bool:
    # Checked before inserting so that repeated sweeps do not fill the database log with
    # unique-constraint errors; the savepoint above still covers a concurrent insert.
    return Notification.objects.filter(dedupe_key=dedupe_key).exists()


def _hand_over(notification: Notification) -> None:
    """Give a due notice to a worker; never raises, because the change is already committed."""
    if notification.send_after > timezone.now():
        return  # the sweep picks it up when it falls due
    from core.tasks import deliver_notification  # core.tasks imports this package

    try:
        deliver_notification.apply_async(args=[notification.pk])
    except (BrokerError, OSError) as exc:  # OSError includes ConnectionError
        logger.warning(
            "Broker unreachable, notification %s stays pending for the sweep: %s", notification.pk, exc
        )
    except Exception:
        # Embedded mode runs the task right here; its failure must not undo the caller's success.
        logger.exception("Handing over notification %s failed; it stays for the sweep", notification.pk)
