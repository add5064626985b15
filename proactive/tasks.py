"""The unusual-usage scan as a Celery task, run once a reading file's readings are committed."""

from celery import shared_task
from django.db.models import Max

from metering.choices import ReadingStatus
from metering.models import MeterReading


@shared_task(name="proactive.tasks.scan_reading_import")
def scan_reading_import(import_id: int) -> None:
    """Judge the latest reads of the accounts a reading file brought valid readings for."""
    from .actions import scan_accounts

    accepted = MeterReading.objects.filter(
        source_id=import_id, status=ReadingStatus.VALID, account__isnull=False
    )
    until = accepted.aggregate(last=Max("read_on"))["last"]
    if until is not None:
        scan_accounts(list(accepted.values_list("account_id", flat=True).distinct()), until)


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
