"""Loading and flushing the demo requests: the generator's rows written set-based, table by table."""

from __future__ import annotations

import json
import random
import time as _time
from contextlib import nullcontext
from datetime import UTC, date, datetime, time
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from core import dates
from core.bulk import insert_rows, reserve_ids
from core.calendar import business_calendar
from core.models import AuditEvent, Notification, NumberSequence
from core.sequences import take_numbers
from customers.demo_city.pgload import deferred_indexes
from customers.models import Premise
from staff.models import BranchOffice

from ..models import RequestUpdate, ServiceRequest, Survey, Visit, VisitPhoto, new_token
from ..numbers import REQUEST_SEQUENCE, VISIT_SEQUENCE, format_request_number, format_visit_number
from .figures import REQUEST_FIELDS, SURVEY_FIELDS, UPDATE_FIELDS, VISIT_FIELDS
from .generator import _Generator, _Request, _Visit
from .staff import _ensure_staff

# Flushing


def flush_demo_requests() -> None:
    """Delete every request, visit and survey (and their numbers), so the city under them can go."""
    tables = [Survey, RequestUpdate, VisitPhoto, ServiceRequest, Visit.crew.through, Visit]
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # CASCADE: what other apps keep about requests (proactive cases) goes with them.
            cursor.execute(f"TRUNCATE {', '.join(quote(model._meta.db_table) for model in tables)} CASCADE")
        else:
            request_table = quote(ServiceRequest._meta.db_table)
            parent = quote(ServiceRequest._meta.get_field("parent").column)
            link = quote(ServiceRequest._meta.get_field("link_kind").column)
            cursor.execute(
                f"UPDATE {request_table} SET {parent} = NULL, {link} = '' WHERE {parent} IS NOT NULL"
            )
            for model in tables:
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")
        # Their audit trail and notices go too: request ids restart on SQLite, and a notice's dedupe key
        # ("sr:<id>:…") left behind would silently swallow the notice of a new request with that id.
        types = list(ContentType.objects.filter(app_label="servicedesk").values_list("pk", flat=True))
        AuditEvent.objects.filter(object_type__in=types).delete()
        Notification.objects.filter(Q(object_type__in=types) | Q(kind__startswith="servicedesk.")).delete()
        NumberSequence.objects.filter(name__in=[REQUEST_SEQUENCE, VISIT_SEQUENCE]).delete()


# Loading


def load_demo_requests(*, seed: int, years: int = 3, today: date | None = None, stdout=None) -> dict:
    """Crews and ``years`` years of requests, visits and Happy Calls ending ``today``; returns counts."""
    if years < 1:
        raise ValueError("years must be at least 1")
    started = _time.monotonic()
    real_today = dates.today()
    today = today or real_today
    tz = business_calendar().tz
    if today >= real_today:
        now = timezone.now().astimezone(tz).replace(microsecond=0)
    else:
        now = datetime.combine(today, time(18), tzinfo=tz)
    counts = {"requests": 0, "visits": 0, "surveys": 0, "revisits": 0, "crews": 0}
    with transaction.atomic():
        offices = list(BranchOffice.objects.order_by("code"))
        counts["crews"] = _ensure_staff(offices, random.Random(f"{seed}:crews"))
        if not Premise.objects.exists():
            return counts
        generator = _Generator(seed, today, now, years)
        day = None
        for request in generator.draw():
            if request.received.date() != day:
                day = request.received.date()
                generator.reseed(day, 1)
            generator.build(request)
        counts.update(_write(generator))
        counts.update(revisits=generator.revisits, found_on_site=generator.found)
    if stdout is not None:
        stdout.write(f"Service desk: {counts['requests']:,} requests in {_time.monotonic() - started:.1f} s.")
    return counts


def _insert(model, fields: list[str], rows) -> int:
    """``core.bulk.insert_rows``, with a faster road for SQLite's datetimes.

    On SQLite insert_rows adapts each datetime through its model field (about 25 µs a value, most
    of the load for a million step times); ours are all aware, so they become SQLite's text here.
    """
    if connection.vendor == "postgresql":
        return insert_rows(model, fields, rows)
    kinds = [model._meta.get_field(name) for name in fields]
    moments = [i for i, f in enumerate(kinds) if isinstance(f, models.DateTimeField)]
    documents = [i for i, f in enumerate(kinds) if isinstance(f, models.JSONField)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in kinds)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    written = 0
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(rows, 2000)):
            if moments or documents:
                for index, row in enumerate(batch):
                    row = batch[index] = list(row)
                    for i in moments:
                        if row[i] is not None:
                            row[i] = str(row[i].astimezone(UTC).replace(tzinfo=None))
                    for i in documents:
                        row[i] = _json_text(row[i])
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


_json_text = json.JSONEncoder(ensure_ascii=False).encode


def _write(generator: _Generator) -> dict[str, int]:
    requests = sorted(generator.requests, key=lambda r: r.received)
    visits = sorted(generator.visits, key=lambda v: v.created_at)
    tz = generator.tz
    for visit, pk, serial in zip(
        visits, reserve_ids(Visit, len(visits)), take_numbers(VISIT_SEQUENCE, len(visits)), strict=True
    ):
        visit.pk, visit.number = pk, format_visit_number(visit.created_at.astimezone(tz).year, serial)
    for request, pk, serial in zip(
        requests,
        reserve_ids(ServiceRequest, len(requests)),
        take_numbers(REQUEST_SEQUENCE, len(requests)),
        strict=True,
    ):
        request.pk, request.number = pk, format_request_number(request.received.astimezone(tz).year, serial)

    counts = {}
    tables = [
        model._meta.db_table for model in (Visit, Visit.crew.through, ServiceRequest, Survey, RequestUpdate)
    ]
    # PostgreSQL: indexes built once and foreign keys checked with one join each, as for the city.
    with deferred_indexes(tables) if connection.vendor == "postgresql" else nullcontext():
        counts.update(_write_rows(visits, requests))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Visit, ServiceRequest, Survey, RequestUpdate):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return counts


def _write_rows(visits: list[_Visit], requests: list[_Request]) -> dict[str, int]:
    counts = {}
    counts["visits"] = _insert(
        Visit,
        VISIT_FIELDS,
        (
            (v.pk, v.number, v.premise, v.office, v.status, v.start, v.end, v.note, v.started, v.completed,
             v.findings, v.work_done, v.created_at, v.created_by)
            for v in visits
        ),
    )  # fmt: skip
    _insert(Visit.crew.through, ["visit", "user"], ((v.pk, member) for v in visits for member in v.crew))
    counts["requests"] = _insert(
        ServiceRequest,
        REQUEST_FIELDS,
        (
            (r.pk, r.number, r.type.pk, r.channel, r.origin, r.premise, r.holder[0] if r.holder else None,
             r.holder[1] if r.holder else None, r.contact[0], r.contact[1], r.contact[2], bool(r.contact[1]),
             bool(r.contact[2]), r.description, r.details, r.office, r.owner, r.status,
             r.visit.pk if r.visit else None, r.parent.pk if r.parent else None, r.link_kind, r.received,
             r.due, r.paused, r.remaining, r.completed, r.resolution, r.delay_noticed, r.created_by,
             new_token(), "")
            for r in requests
        ),
    )  # fmt: skip
    counts["surveys"] = _insert(
        Survey,
        SURVEY_FIELDS,
        (
            (r.pk, new_token(), *r.survey[:-1], r.survey[-1].pk if r.survey[-1] else None)
            for r in requests
            if r.survey is not None
        ),
    )
    counts["updates"] = _insert(
        RequestUpdate,
        UPDATE_FIELDS,
        (
            (r.pk, kind, at, note.number if isinstance(note, _Request) else note, actor)
            for r in requests
            for kind, at, note, actor in r.steps
        ),
    )
    return counts
