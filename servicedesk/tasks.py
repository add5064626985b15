"""Periodic service-desk job (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from core.jobs import tracked

from . import actions


@shared_task(name="servicedesk.tasks.sweep_service_desk")
def sweep_service_desk() -> dict:
    with tracked("sweep_service_desk"):
        return {"warned": actions.warn_of_delays(), "escalated": actions.escalate_overdue()}
