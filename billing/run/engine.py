"""The run's bookkeeping: passes of chunks, taking a chunk, and the final reconciliation.

A chunk is billed in one transaction together with its "done" mark, so a worker killed
half-way leaves the chunk waiting and nothing of it written; started again, the run
takes the waiting chunks. Any number of workers may take chunks at once: a chunk is
claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and the one-bill-per-account-and-month
constraint makes a double bill impossible even so.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from core.calendar import business_calendar
from core.dates import today

from ..choices import INFORMATIONAL_REASONS, BillStatus, ChunkStatus, RunExceptionReason, RunStatus
from ..models import Bill, BillingRun, BillingRunChunk, RunException, Tariff
from ..models.runs import detail_text
from .chunk import RunContext, bill_accounts
from .periods import BillingPeriod
from .scope import scope

log = logging.getLogger(__name__)


def due_date(issued_on):
    """``BILL_DUE_DAYS`` after issue, moved to a business day."""
    due = issued_on + timedelta(days=settings.BILL_DUE_DAYS)
    calendar = business_calendar()
    return due if calendar.is_business_day(due) else calendar.next_business_day(due)


def context_for(cycle, period, run_id: int | None = None) -> RunContext:
    tariff = Tariff.objects.filter(in_use=True).first()
    versions = list(tariff.versions.order_by("effective_from")) if tariff else []
    issued_on = today()
    return RunContext(
        cycle=cycle,
        bp=BillingPeriod.of(cycle, period),
        versions=versions,
        issued_on=issued_on,
        due_on=due_date(issued_on),
        now=timezone.now(),
        run_id=run_id,
    )


class AccountNotBilled(Exception):
    """``why`` is the run exception's text, or empty when the account is not billed that month at all."""

    def __init__(self, why: str = ""):
        self.why = why
        super().__init__(why)


def bill_one(cycle, period, account_id: int) -> Bill:
    """One account billed outside a run (a final bill, a rebill): the run's chunk code on a chunk of one."""
    outcome = bill_accounts(context_for(cycle, period), account_id, account_id, record_exceptions=False)
    if outcome.refusals:
        _run, _account, reason, detail, params, _at = outcome.refusals[0]
        label, detail = str(RunExceptionReason(reason).label), detail_text(reason, detail, params)
        raise AccountNotBilled(f"{label}: {detail}" if detail else label)
    if not outcome.bills:
        raise AccountNotBilled()
    return Bill.objects.get(pk=outcome.bill_ids_by_account[account_id])


def plan_pass(run: BillingRun, chunk_size: int) -> int:
    """Cut the run's accounts still without a bill into chunks; returns how many chunks."""
    bp = BillingPeriod.of(run.cycle, run.period)
    # NOT EXISTS, looked up per account of the cycle: the cost follows the cycle, not the bill table.
    billed = Bill.objects.filter(account_id=OuterRef("pk"), period=bp.period, status=BillStatus.ISSUED)
    ids = list(scope(run.cycle, bp).filter(~Exists(billed)).order_by("id").values_list("id", flat=True))
    run.passes += 1
    chunks = [
        BillingRunChunk(
            run=run,
            pass_number=run.passes,
            number=number,
            first_account_id=ids[start],
            last_account_id=ids[min(start + chunk_size, len(ids)) - 1],
            account_ids=ids[start : start + chunk_size],
        )
        for number, start in enumerate(range(0, len(ids), chunk_size), start=1)
    ]
    BillingRunChunk.objects.bulk_create(chunks)
    run.chunks_total = BillingRunChunk.objects.filter(run=run).count()
    run.chunks_done = BillingRunChunk.objects.filter(run=run, status=ChunkStatus.DONE).count()
    run.status = RunStatus.RUNNING
    run.finished_at = None
    run.save(update_fields=["passes", "chunks_total", "chunks_done", "status", "finished_at"])
    return len(chunks)


def take_chunk(run_id: int, chunk_id: int | None = None, context: RunContext | None = None) -> bool:
    """Bill one waiting chunk of the run (``chunk_id`` or any); False when none is waiting.

    An error in the chunk marks it failed with the message (the run then ends
    unbalanced and says so); anything that stops the process (a kill) leaves it waiting.
    """
    with transaction.atomic():
        waiting = BillingRunChunk.objects.select_for_update(skip_locked=True).filter(
            run_id=run_id, status=ChunkStatus.PENDING
        )
        if chunk_id is not None:
            waiting = waiting.filter(pk=chunk_id)
        chunk = waiting.order_by("pass_number", "number").first()
        if chunk is None:
            return False
        run = BillingRun.objects.select_related("cycle").get(pk=run_id)
        context = context or context_for(run.cycle, run.period, run.pk)
        try:
            with transaction.atomic():
                RunException.objects.filter(
                    run=run, account_id__gte=chunk.first_account_id, account_id__lte=chunk.last_account_id
                ).delete()
                outcome = bill_accounts(
                    context,
                    chunk.first_account_id,
                    chunk.last_account_id,
                    account_ids=chunk.account_ids or None,
                )
        except Exception as error:
            log.exception("billing run %s chunk %s failed", run_id, chunk.pk)
            chunk.status, chunk.error = ChunkStatus.FAILED, f"{type(error).__name__}: {error}"[:2000]
            chunk.finished_at = timezone.now()
            chunk.save(update_fields=["status", "error", "finished_at"])
            return True
        chunk.status = ChunkStatus.DONE
        chunk.accounts, chunk.bills, chunk.exceptions = outcome.accounts, outcome.bills, outcome.exceptions
        chunk.finished_at = timezone.now()
        chunk.save(update_fields=["status", "accounts", "bills", "exceptions", "finished_at"])
        BillingRun.objects.filter(pk=run_id).update(
            chunks_done=F("chunks_done") + 1,
            bills=F("bills") + outcome.bills,
            bills_estimated=F("bills_estimated") + outcome.estimated,
            amount_total=F("amount_total") + outcome.amount,
            water_m3=F("water_m3") + outcome.water_m3,
        )
    return True


def reconcile(run: BillingRun) -> BillingRun:
    """Count from the database what the run achieved and set its status.

    Balanced only if every account in scope has a bill for the month or an exception
    of this run; an unaccounted account (a failed chunk) makes the run unbalanced.
    """
    with transaction.atomic():
        run = BillingRun.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=run.pk)
        bp = BillingPeriod.of(run.cycle, run.period)
        # One pass over the cycle's accounts: has each a bill for the month, or this run's exception?
        counts = (
            scope(run.cycle, bp)
            .annotate(
                billed=Exists(
                    Bill.objects.filter(account_id=OuterRef("pk"), period=bp.period, status=BillStatus.ISSUED)
                ),
                excepted=Exists(RunException.objects.filter(account_id=OuterRef("pk"), run_id=run.pk)),
            )
            .aggregate(
                accounts=Count("id"),
                unaccounted=Count("id", filter=Q(billed=False, excepted=False)),
            )
        )
        # What this run issued (a final bill or a rebill issued outside it is accounted for above).
        totals = Bill.objects.filter(run=run, status=BillStatus.ISSUED).aggregate(
            n=Count("id"),
            amount=Sum("total"),
            water=Sum("water_m3"),
            estimated=Count("id", filter=Q(estimated=True)),
        )
        excepted = RunException.objects.filter(run=run)
        run.scope_accounts = counts["accounts"]
        run.unaccounted = counts["unaccounted"]
        run.bills = totals["n"]
        run.amount_total = totals["amount"] or 0
        run.water_m3 = totals["water"] or 0
        run.bills_estimated = totals["estimated"]
        run.exceptions = excepted.count()
        failed = BillingRunChunk.objects.filter(run=run, status=ChunkStatus.FAILED)
        run.errors = [
            {
                "chunk": f"{c.pass_number}/{c.number}",
                "accounts": f"{c.first_account_id}–{c.last_account_id}",
                "error": c.error,
            }
            for c in failed
        ]
        run.chunks_done = BillingRunChunk.objects.filter(run=run, status=ChunkStatus.DONE).count()
        waiting = BillingRunChunk.objects.filter(run=run, status=ChunkStatus.PENDING).exists()
        if waiting:
            run.status = RunStatus.RUNNING
        elif run.unaccounted:
            run.status = RunStatus.UNBALANCED
        elif excepted.exclude(reason__in=INFORMATIONAL_REASONS).exists():
            run.status = RunStatus.WITH_EXCEPTIONS
        else:
            run.status = RunStatus.BALANCED
        run.finished_at = None if waiting else timezone.now()
        run.save()
    return run


def waiting_chunks(run: BillingRun) -> list[int]:
    return list(
        BillingRunChunk.objects.filter(run=run, status=ChunkStatus.PENDING)
        .order_by("pass_number", "number")
        .values_list("pk", flat=True)
    )


def retry_failed(run: BillingRun) -> int:
    """Failed chunks wait again (the run is being started again)."""
    return BillingRunChunk.objects.filter(run=run, status=ChunkStatus.FAILED).update(
        status=ChunkStatus.PENDING, error="", finished_at=None
    )
