"""Celery runs embedded (in-process) without a broker; periodic jobs are scheduled and recorded."""

from django.conf import settings

from core.jobs import scheduler_alive
from core.models import PeriodicJobRun
from suido.celery import app


def test_embedded_mode_runs_tasks_in_process():
    assert settings.CELERY_EMBEDDED and app.conf.task_always_eager


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


def test_heartbeat_records_its_run(db):
    from core.tasks import scheduler_heartbeat

    assert scheduler_alive() is None
    scheduler_heartbeat.delay()
    run = PeriodicJobRun.objects.get(name="scheduler_heartbeat")
    assert run.last_status == "ok" and run.last_finished_at is not None
    assert scheduler_alive() is True


def test_a_failing_job_is_recorded_as_failed(db):
    import pytest

    from core.jobs import tracked

    with pytest.raises(ValueError), tracked("broken"):
        int("not a number")
    assert PeriodicJobRun.objects.get(name="broken").last_status == "failed"
