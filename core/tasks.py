"""Periodic housekeeping jobs (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.core.management import call_command

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
