"""The daily collection job: late fees, arrangements, cleared arrears, then the dunning stages.

One run at a time (a database constraint on the running row); each part is idempotent for
the day, so running again — after a failure, or a billing officer's "run now" — only does
what is left. The run record keeps the counts for the worklist; the job writes one audit
event for itself (and one per late-fee run), the stages one per account on its timeline.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none
from core.dates import today as seoul_today

from ..choices import DunningRunStatus
from ..models import ArrearsEpisode, Disconnection, DunningRun
from . import events
from .arrangements import judge_arrangements
from .config import config
from .fees import charge_late_fees
from .reconnection import reconnect_cleared
from .stages import overdue_balances, run_stages

logger = logging.getLogger(__name__)

# A run still "running" after this long died with its worker; the next run may start.
STALE_AFTER = timedelta(hours=3)


def close_cleared_episodes(on: date) -> int:
    """Episodes whose account owes nothing overdue any more end (an open disconnection ends by its reconnection)."""
    return (
        ArrearsEpisode.objects.filter(closed_on__isnull=True, opened_on__lte=on)
        .exclude(account_id__in=overdue_balances(on).order_by().values("account_id"))
        .exclude(account_id__in=Disconnection.objects.filter(resolved_at__isnull=True).values("account_id"))
        .update(closed_on=on)
    )


def _claim(on: date, acting_user) -> DunningRun:
    now = timezone.now()
    DunningRun.objects.filter(status=DunningRunStatus.RUNNING, started_at__lt=now - STALE_AFTER).update(
        status=DunningRunStatus.FAILED, finished_at=now, message="Abandoned: the worker stopped."
    )
    try:
        with transaction.atomic():
            return DunningRun.objects.create(on=on, started_at=now, started_by=user_or_none(acting_user))
    except IntegrityError:
        running = DunningRun.objects.filter(status=DunningRunStatus.RUNNING).first()
        raise ValidationError(
            _("A dunning run (for %(on)s) is already running; try again when it has finished.")
            % {"on": running.on.isoformat() if running else "?"},
            code="running",
        ) from None


def run_dunning(on: date | None = None, *, acting_user=None) -> DunningRun:
    """Run the day's collection job for ``on`` (today by default; never a day still to come)."""
    today = seoul_today()
    on = on or today
    if on > today:
        raise ValidationError({"on": _("The dunning job cannot run for a day still to come.")})
    cfg = config()
    run = _claim(on, acting_user)
    try:
        fees = charge_late_fees(on, run=run, cfg=cfg)
        judged = judge_arrangements(on)
        reconnected = reconnect_cleared()
        closed = close_cleared_episodes(on)
        stages = run_stages(on, run=run, cfg=cfg)
    except Exception as exc:
        logger.exception("Dunning run for %s failed", on)
        DunningRun.objects.filter(pk=run.pk).update(
            status=DunningRunStatus.FAILED, finished_at=timezone.now(), message=str(exc)[:2000]
        )
        raise
    run.late_fees, run.late_fee_amount = fees.count, fees.amount
    run.reminders, run.notices, run.disconnections = stages.reminders, stages.notices, stages.disconnections
    run.held_protected, run.held_arrangement = stages.held_protected, stages.held_arrangement
    run.arrangements_completed, run.arrangements_broken = judged.completed, judged.broken
    run.episodes_closed = closed
    if reconnected.reconnections or reconnected.withdrawn:
        run.message = _(
            "Caught up: %(reconnections)s reconnection orders, %(withdrawn)s orders withdrawn."
        ) % {
            "reconnections": reconnected.reconnections,
            "withdrawn": reconnected.withdrawn,
        }
    run.status, run.finished_at = DunningRunStatus.DONE, timezone.now()
    with transaction.atomic():
        run.save()
        if fees.count:
            # One event for the job, not one per bill: a late-fee day may charge a hundred thousand bills.
            record_event(
                events.LATE_FEES_CHARGED,
                actor=acting_user,
                subject=run,
                effective_on=on,
                details={
                    "count": fees.count,
                    "amount": fees.amount,
                    "percent": f"{fees.basis_points / 100:g}",
                    "before": fees.before.isoformat(),
                },
            )
        record_event(
            events.DUNNING_RUN,
            actor=acting_user,
            subject=run,
            effective_on=on,
            details={
                "on": on.isoformat(),
                "reminders": stages.reminders,
                "notices": stages.notices,
                "disconnections": stages.disconnections,
            },
        )
    return run
