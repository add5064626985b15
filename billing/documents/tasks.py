"""Print batches written by a Celery worker (with a broker; embedded, the action writes them itself)."""

from celery import shared_task


@shared_task(name="billing.documents.tasks.write_print_batch", acks_late=True)
def write_print_batch(batch_id: int, per_file: int | None = None) -> None:
    from ..actions.documents import write_print_batch as write
    from ..choices import PrintBatchStatus
    from ..models import PrintBatch

    batch = PrintBatch.objects.select_related("run__cycle", "created_by").get(pk=batch_id)
    if batch.status == PrintBatchStatus.RUNNING:  # a redelivered task finds it written (or failed)
        write(batch, per_file=per_file)
