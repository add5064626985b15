"""The demo city's proactive records: flushed before the requests and accounts they point at,
and three days of AMI hourly flows imported the way a head-end's file is."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from customers.choices import OPEN_STATUSES
from customers.models import Account, MeterInstallation

from .models import (
    DeclaredEvent,
    Detection,
    FlowImport,
    FlowRejection,
    HourlyFlow,
    ProactiveCase,
    ResidentCount,
)

DEMO_HOURS = 72
# Typical hourly shape of a home's use (share of the day's use in each hour, from midnight).
HOME_DAY = np.array(
    [0.5, 0.3, 0.2, 0.2, 0.3, 1.2, 4.5, 8.0, 7.0, 5.0, 4.0, 4.0,
     5.0, 4.5, 3.5, 3.5, 4.0, 5.0, 7.0, 8.5, 8.0, 6.5, 4.5, 2.3]
)  # fmt: skip
HOME_DAY = HOME_DAY / HOME_DAY.sum()


def flush_demo_proactive() -> None:
    """Delete detections, cases, explanations and hourly flows (seasonal windows are configuration)."""
    tables = [Detection, ProactiveCase, DeclaredEvent, ResidentCount, HourlyFlow, FlowRejection, FlowImport]
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(quote(model._meta.db_table) for model in tables)}")
        else:
            for model in tables:  # in the order they point at each other
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")


def demo_flow_file(until: datetime, *, seed: int) -> bytes:
    """A head-end's file of the last DEMO_HOURS hours up to ``until`` for the open AMI meters.

    Homes follow a day's rhythm around 0.35 m³ a day; about one meter in forty has a
    running cistern (a flow that never stops, 8–30 L an hour) and one a burst pipe.
    """
    rng = np.random.default_rng(seed)
    premises = set(Account.objects.filter(status__in=OPEN_STATUSES).values_list("premise_id", flat=True))
    serials = sorted(
        serial
        for premise, serial in MeterInstallation.objects.filter(
            removed_on__isnull=True, meter__remote_read=True
        ).values_list("premise_id", "meter__serial")
        if premise in premises
    )
    if not serials:
        return b""
    start = until - timedelta(hours=DEMO_HOURS - 1)
    hours = [timezone.localtime(start + timedelta(hours=h)) for h in range(DEMO_HOURS)]
    shape = np.array([HOME_DAY[h.hour] for h in hours])
    daily = rng.gamma(4.0, 350 / 4.0, size=len(serials))  # litres a day
    litres = daily[:, None] * shape[None, :] * rng.lognormal(0, 0.35, size=(len(serials), DEMO_HOURS))
    litres[rng.random(litres.shape) < 0.25] = 0  # hours nobody ran a tap
    leaking = rng.random(len(serials)) < 1 / 40
    litres[leaking] += rng.uniform(8, 30, size=(int(leaking.sum()), 1))
    burst = int(rng.integers(len(serials)))
    litres[burst, -6:] += 600
    lines = ["meter,hour,litres"]
    for row, serial in enumerate(serials):
        lines.extend(
            f"{serial},{hour:%Y-%m-%dT%H:00},{int(v)}" for hour, v in zip(hours, litres[row], strict=True)
        )
    return ("\n".join(lines) + "\n").encode()
