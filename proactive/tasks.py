"""The unusual-usage scans as Celery tasks: after a reading file, a billing run, an hourly flow file, and hourly."""

from celery import shared_task
from django.db.models import Max

from metering.choices import ReadingStatus
from metering.models import MeterReading


@shared_task(name="proactive.tasks.scan_reading_import")
def scan_reading_import(import_id: int) -> None:
    """Judge the latest reads of the accounts a reading file brought valid readings for."""
    accepted = MeterReading.objects.filter(
        source_id=import_id, status=ReadingStatus.VALID, account__isnull=False
    )
    until = accepted.aggregate(last=Max("read_on"))["last"]
    if until is not None:
        _scan_in_batches(list(accepted.values_list("account_id", flat=True).distinct()), until)


@shared_task(name="proactive.tasks.scan_billing_run")
def scan_billing_run(run_id: int) -> None:
    """Judge the latest reads of the accounts a finished billing run billed (a detection is made once)."""
    from billing.models import Bill

    bills = Bill.objects.filter(run_id=run_id)
    until = bills.aggregate(last=Max("period_end"))["last"]
    if until is not None:
        _scan_in_batches(sorted(set(bills.values_list("account_id", flat=True))), until)


# A whole cycle's history at once would hold gigabytes: judged this many accounts at a time.
SCAN_BATCH = 100_000


def _scan_in_batches(account_ids: list[int], until) -> None:
    from .actions import scan_accounts

    for start in range(0, len(account_ids), SCAN_BATCH):
        scan_accounts(account_ids[start : start + SCAN_BATCH], until)


@shared_task(name="proactive.tasks.scan_hourly_flows")
def scan_hourly_flows() -> None:
    """Every hour: the AMI meters' last three days of hourly flow, up to the last full hour."""
    from django.utils import timezone

    from .actions import scan_hourly

    scan_hourly(timezone.now().replace(minute=0, second=0, microsecond=0))


@shared_task(name="proactive.tasks.scan_flow_import")
def scan_flow_import(meter_ids: list[int], until: str) -> None:
    """The meters an hourly flow file brought new hours for, judged up to its last hour."""
    from datetime import datetime

    from .actions import scan_hourly

    scan_hourly(datetime.fromisoformat(until), meter_ids=meter_ids)
