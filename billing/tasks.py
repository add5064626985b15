"""Billing-run chunks as Celery tasks: any worker on any machine may take one."""

from celery import shared_task

from .models import BillingRun
from .run import engine


@shared_task(name="billing.tasks.bill_chunk", acks_late=True)
def bill_chunk(run_id: int, chunk_id: int) -> None:
    """Bill one chunk; the worker that finds no chunk left waiting reconciles the run."""
    from .actions import finish_billing_run

    engine.take_chunk(run_id, chunk_id)
    run = BillingRun.objects.select_related("cycle").get(pk=run_id)
    if not engine.waiting_chunks(run):
        finish_billing_run(run)
