"""The findings review: a month's unusual reads by kind and outcome, for tuning the thresholds."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from billing.tests.test_billing_run import read, run, seoul  # noqa: F401 (fixtures)
from proactive import actions
from proactive.choices import EventKind, PrecallOutcome
from proactive.models import DeclaredEvent, ProactiveCase
from proactive.statistics import detection_review
from proactive.tests.test_cases import leaking, months_of_reads, scan  # noqa: F401 (fixture)

JUNE = (dt.date(2026, 6, 1), dt.date(2026, 6, 30))


def test_findings_are_counted_by_kind_and_outcome_and_listed(client, city, leaking, supervisor, clerk):  # noqa: F811
    scan(leaking)
    actions.record_precall(
        ProactiveCase.objects.get(), outcome=PrecallOutcome.EXPLAINED, note="손님", acting_user=clerk
    )
    # A neighbour's rise, explained beforehand by a declared 김장.
    neighbour = city.account(on=dt.date(2025, 12, 5), reading=0)
    months_of_reads(city, neighbour, [15, 15, 15, 15, 15, 45], bill=False)
    DeclaredEvent.objects.create(
        account=neighbour,
        kind=EventKind.KIMJANG,
        starts_on=dt.date(2026, 5, 20),
        ends_on=dt.date(2026, 5, 21),
    )
    scan(neighbour)

    spike = {row.kind: row for row in detection_review(*JUNE)}["spike"]
    assert (spike.found, spike.alerted, spike.explained_at_precall, spike.leak_found) == (2, 1, 1, 0)
    assert spike.by_reason == [1, 0, 0]  # declared event, seasonal window, open case
    assert all(row.found == 0 for row in detection_review(dt.date(2026, 7, 1), dt.date(2026, 7, 31)))

    client.force_login(clerk)  # carries cases, does not tune the scan
    assert client.get(reverse("proactive-detections")).status_code == 403
    client.force_login(supervisor)
    url = reverse("proactive-detections")
    page = client.get(url, {"month": "2026-06", "office": "all"}).content.decode()
    assert leaking.premise.address_line in page and neighbour.premise.address_line in page
    suppressed = client.get(
        url, {"month": "2026-06", "outcome": "declared_event", "office": "all"}
    ).content.decode()
    assert neighbour.premise.address_line in suppressed and leaking.premise.address_line not in suppressed
    # A month with nothing, and a month that is not one, show an empty list (the current month).
    assert leaking.premise.address_line not in client.get(url, {"month": "2026-07"}).content.decode()
    assert client.get(url, {"month": "June"}).status_code == 200
