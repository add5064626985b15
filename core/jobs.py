"""Bookkeeping of periodic jobs: when each last started and finished, and how."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from django.utils import timezone

from .models import PeriodicJobRun

# The heartbeat runs every minute; three missed beats mean the scheduler is down.
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


@contextmanager
def tracked(name: str):
    PeriodicJobRun.objects.update_or_create(
        name=name, defaults={"last_started_at": timezone.now(), "last_status": "running"}
    )
    try:
        yield
    except Exception as exc:
        PeriodicJobRun.objects.filter(name=name).update(
            last_finished_at=timezone.now(), last_status="failed", last_message=str(exc)[:2000]
        )
        raise
    PeriodicJobRun.objects.filter(name=name).update(
        last_finished_at=timezone.now(), last_status="ok", last_message=""
    )


def scheduler_alive() -> bool | None:
    """True if the heartbeat ran recently, False if it stopped, None if it never ran."""
    run = PeriodicJobRun.objects.filter(name="scheduler_heartbeat").first()
    if run is None or run.last_finished_at is None:
        return None
    return timezone.now() - run.last_finished_at < HEARTBEAT_STALE_AFTER
