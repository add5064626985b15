"""Billing runs and the final bill: the run engine behind one operation each."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none
from customers.models import Account, BillingCycle

from .. import events
from ..choices import BillStatus
from ..models import Bill, BillingRun
from ..run import engine
from ..run.periods import BillingPeriod, month_start
from ..signals import billing_run_finished


def run_billing_cycle(
    cycle: BillingCycle, period: date, *, acting_user, chunk_size: int | None = None
) -> BillingRun:
    """Bill ``cycle`` for the month of ``period``: start the run, resume it, or fill its gaps.

    The first call plans the run's chunks; a later call takes the chunks a stopped run
    left waiting, retries failed ones, or — when all are done — passes again over the
    accounts still without a bill. Embedded, the chunks are billed here; with a broker,
    each is a Celery task any worker may take, and the last one to finish reconciles.
    """
    run = start_billing_run(cycle, period, acting_user=acting_user, chunk_size=chunk_size)
    chunks = engine.waiting_chunks(run)
    if settings.CELERY_EMBEDDED:
        context = engine.context_for(run.cycle, run.period, run.pk)
        while engine.take_chunk(run.pk, context=context):
            pass
        return finish_billing_run(run)
    from ..tasks import bill_chunk

    transaction.on_commit(lambda: [bill_chunk.delay(run.pk, chunk) for chunk in chunks])
    return run


def start_billing_run(
    cycle: BillingCycle, period: date, *, acting_user, chunk_size: int | None = None
) -> BillingRun:
    """The run of ``cycle`` and month with its chunks waiting (planned, resumed or a new pass), none billed yet."""
    period = month_start(period)
    bp = BillingPeriod.of(cycle, period)
    if bp.window_from > timezone.localdate():
        raise ValidationError(
            _("The readings of %(month)s are taken from %(date)s; the month cannot be billed yet.")
            % {"month": period.strftime("%Y-%m"), "date": bp.window_from.isoformat()}
        )
    with transaction.atomic():
        run = _run_for(cycle, period, bp, acting_user)
        engine.retry_failed(run)
        resumed = bool(engine.waiting_chunks(run))
        if not resumed:
            engine.plan_pass(run, chunk_size or settings.BILLING_CHUNK_SIZE)
        record_event(
            events.BILLING_RUN_STARTED,
            actor=acting_user,
            subject=run,
            details={"cycle": cycle.code, "period": period.strftime("%Y-%m"), "pass": run.passes},
        )
    return run


@transaction.atomic
def issue_final_bill(account, *, acting_user) -> Bill:
    """The final bill of a closed account, for the partial period up to its final reading.

    The same chunk code as the run, on a chunk of one; the month's run then finds the
    account billed. Refused, with the reason, when it cannot be billed.
    """
    account = (
        Account.objects.select_for_update(of=("self",))
        .select_related("premise__route__cycle")
        .get(pk=account.pk)
    )
    if account.end_date is None:
        raise ValidationError(
            _("Account %(number)s is still open: stop the service first.")
            % {"number": account.display_number}
        )
    cycle = account.premise.route.cycle
    bp = BillingPeriod.containing(cycle, account.end_date)
    existing = Bill.objects.filter(account=account, period=bp.period, status=BillStatus.ISSUED).first()
    if existing is not None:
        return existing
    try:
        bill = engine.bill_one(cycle, bp.period, account.pk)
    except engine.AccountNotBilled as refused:
        raise ValidationError(
            refused.why
            or _("Account %(number)s is not billed for %(month)s (it was not supplied in that period).")
            % {"number": account.display_number, "month": bp.period.strftime("%Y-%m")}
        ) from refused
    record_event(
        events.FINAL_BILL_ISSUED,
        actor=acting_user,
        subject=bill,
        household_id=account.premise_id,
        details={
            "account": account.display_number,
            "period": bp.period.strftime("%Y-%m"),
            "total": bill.total,
        },
    )
    return bill


def _run_for(cycle, period, bp, acting_user) -> BillingRun:
    try:
        with transaction.atomic():
            run, _created = BillingRun.objects.get_or_create(
                cycle=cycle,
                period=period,
                defaults={
                    "read_on": bp.read_on,
                    "previous_read_on": bp.previous_read_on,
                    "window_from": bp.window_from,
                    "window_to": bp.window_to,
                    "started_by": user_or_none(acting_user),
                    "started_at": timezone.now(),
                },
            )
    except IntegrityError:  # started at the same moment by someone else
        run = BillingRun.objects.get(cycle=cycle, period=period)
    return BillingRun.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=run.pk)


def finish_billing_run(run: BillingRun) -> BillingRun:
    """Reconcile the run once no chunk waits; audit how it ended."""
    run = engine.reconcile(run)
    if run.finished:
        transaction.on_commit(lambda: billing_run_finished.send(sender=BillingRun, run=run))
        record_event(
            events.BILLING_RUN_FINISHED,
            actor=None,
            subject=run,
            details={
                "cycle": run.cycle.code,
                "period": run.period.strftime("%Y-%m"),
                "status": run.get_status_display(),
                "bills": run.bills,
                "exceptions": run.exceptions,
                "unaccounted": run.unaccounted,
            },
        )
    return run
