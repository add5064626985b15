"""Periodic housekeeping jobs (scheduled in settings.CELERY_BEAT_SCHEDULE) and notification delivery."""

from celery import shared_task
from django.core.management import call_command

from . import notify
from .jobs import tracked


@shared_task(name="core.tasks.scheduler_heartbeat")
def scheduler_heartbeat() -> None:
    """Proves the scheduler runs: the console shows when it last did."""
    with tracked("scheduler_heartbeat"):
        pass


@shared_task(name="core.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    with tracked("clear_expired_sessions"):
        call_command("clearsessions")


@shared_task(name="core.tasks.deliver_notification")
def deliver_notification(notification_id: int) -> bool:
    """Queued on commit by core.notify.queue; the claim makes a repeated run harmless."""
    return notify.deliver(notification_id)


@shared_task(name="core.tasks.deliver_pending_notifications")
def deliver_pending_notifications() -> int:
    """The outbox sweep: delivers what the on-commit task could not (broker down, retries, scheduled)."""
    with tracked("deliver_pending_notifications"):
        return notify.deliver_pending()
