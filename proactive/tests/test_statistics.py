"""Proactive against citizen-raised requests, by type and year (the console's statistics page)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse

from proactive.statistics import four_inconveniences
from servicedesk.actions import cancel_request
from servicedesk.actions.intake import Contact, RequestDraft, take_requests
from servicedesk.choices import Channel, Origin
from servicedesk.models import RequestType

SEOUL = ZoneInfo("Asia/Seoul")


def take(code, premise, at, origin=Origin.CITIZEN):
    channel = Channel.PROACTIVE if origin == Origin.PROACTIVE else Channel.PHONE
    intake = take_requests(
        [RequestDraft(RequestType.objects.get(code=code), "확인 요청")],
        channel=channel,
        origin=origin,
        contact=Contact(name="김수도", phone="010-1234-5678"),
        acting_user=None,
        premise=premise,
        received_at=at,
        notify_citizen=False,
    )
    return intake.requests[0]


def test_requests_are_counted_by_type_year_and_origin(city):
    premise = city.account(on=dt.date(2024, 1, 1), reading=0).premise
    # 31 December 2025, 23:30 in Seoul is still 2025; 00:30 on 1 January is 2026 (both 2025 in UTC).
    take("leak_diagnosis", premise, dt.datetime(2025, 12, 31, 23, 30, tzinfo=SEOUL))
    take("leak_diagnosis", premise, dt.datetime(2025, 5, 2, 10, 0, tzinfo=SEOUL))
    take("leak_diagnosis", premise, dt.datetime(2026, 1, 1, 0, 30, tzinfo=SEOUL), Origin.PROACTIVE)
    take("water_quality", premise, dt.datetime(2026, 3, 3, 9, 0, tzinfo=SEOUL))
    dropped = take("leak_diagnosis", premise, dt.datetime(2026, 4, 1, 9, 0, tzinfo=SEOUL), Origin.PROACTIVE)
    cancel_request(dropped, reason="중복 접수", acting_user=None)
    take("name_change", premise, dt.datetime(2026, 4, 1, 9, 0, tzinfo=SEOUL))  # not one of the four

    years, rows = four_inconveniences()
    assert years == [2025, 2026]
    table = {
        row.type.code if row.type else "total": [(c.proactive, c.citizen) for c in row.cells] for row in rows
    }
    assert table["leak_diagnosis"] == [(0, 2), (1, 0)]
    assert table["water_quality"] == [(0, 0), (0, 1)]
    assert table["leak_reduction"] == [(0, 0), (0, 0)]
    assert table["total"] == [(0, 2), (1, 1)]
    assert rows[-1].cells[1].proactive_share == 50.0


def test_the_page_shows_the_table_to_supervisors_only(client, city, supervisor, agent):
    premise = city.account(on=dt.date(2024, 1, 1), reading=0).premise
    take("leak_diagnosis", premise, dt.datetime(2026, 1, 5, 9, 0, tzinfo=SEOUL), Origin.PROACTIVE)
    url = reverse("proactive-statistics")
    client.force_login(agent)
    assert client.get(url).status_code == 403
    client.force_login(supervisor)
    page = client.get(url).content.decode()
    assert "2026" in page and "100.0 %" in page
