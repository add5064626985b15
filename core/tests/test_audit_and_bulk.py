"""Audit events read in the reader's language; bulk writes land every row."""

import datetime as dt
import zoneinfo

import numpy as np
import pytest
from django.utils import translation

from core.audit import describe, record_event
from core.bulk import insert_rows, reserve_ids
from core.models import AuditEvent, NumberSequence
from core.sequences import take_numbers
from staff.models import BranchOffice

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def test_describe_uses_choice_labels_in_the_active_language(city):
    account = city.account()
    event = AuditEvent.objects.get(action="service.started")
    with translation.override("en"):
        text = describe(event)
    assert "Domestic (가정용)" in text and account.display_number in text and "홍*동" in text


def test_unregistered_actions_are_refused(city):
    with pytest.raises(ValueError):
        record_event("no.such.action", actor=None, subject=city.office)


def test_bulk_insert_with_reserved_ids(db):
    ids = reserve_ids(BranchOffice, 3)
    rows = [(pk, f"9{n}", f"사업소{n}", f"Office {n}", "", "") for n, pk in enumerate(ids)]
    assert insert_rows(BranchOffice, ["id", "code", "name", "name_en", "phone", "address"], rows) == 3
    assert sorted(BranchOffice.objects.values_list("pk", flat=True)) == sorted(ids)
    # Later ordinary inserts do not collide with the reserved ids.
    later = BranchOffice.objects.create(code="99", name="다음")
    assert later.pk not in ids


def test_bulk_insert_json(db, city):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(BranchOffice)
    import uuid

    insert_rows(
        AuditEvent,
        [
            "occurred_at",
            "action",
            "object_type",
            "object_id",
            "operation",
            "details",
            "changes",
            "reason",
            "category",
        ],
        [
            (
                dt.datetime(2026, 1, 1, 9, 0, tzinfo=SEOUL),
                "premise.registered",
                ct.pk,
                1,
                uuid.uuid4(),
                {"households": 3},
                {},
                "",
                "operation",
            )
        ],
    )
    event = AuditEvent.objects.get()
    assert event.details == {"households": 3}
    assert event.occurred_at == dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC), (
        "aware datetimes keep their instant"
    )


def test_number_blocks_do_not_overlap(db):
    first = take_numbers("test-seq", 5, start=100)
    second = take_numbers("test-seq", 1)
    assert list(first) == [100, 101, 102, 103, 104] and list(second) == [105]
    assert NumberSequence.objects.get(name="test-seq").next_value == 106


def test_column_insert_round_trips_awkward_values(db, city):
    """COPY text needs escaping: tabs, newlines, backslashes and "\\N" in text must arrive as sent."""
    import uuid

    from django.contrib.contenttypes.models import ContentType

    from core.bulk import insert_columns
    from core.lookups import Ids

    ct = ContentType.objects.get_for_model(BranchOffice)
    awkward = ["tab\there", "line\nbreak\r", "back\\slash", "\\N", "", "한글 사유"]
    count = len(awkward)
    at = dt.datetime(2026, 1, 1, 9, 0, tzinfo=SEOUL)
    written = insert_columns(
        AuditEvent,
        [
            "occurred_at",
            "action",
            "object_type",
            "object_id",
            "operation",
            "details",
            "changes",
            "reason",
            "category",
        ],
        [
            [at] * count,
            ["premise.registered"] * count,
            [ct.pk] * count,
            np.arange(1, count + 1),  # a numpy column of ints is written as it is
            [uuid.uuid4() for _ in awkward],
            [{"n": n, "text": text} for n, text in enumerate(awkward)],
            ["{}"] * count,  # JSON already encoded passes as it is
            awkward,
            ["operation"] * count,
        ],
    )
    assert written == count
    events = AuditEvent.objects.filter(object_id__in_ids=Ids(range(1, count + 1))).order_by("object_id")
    assert [e.reason for e in events] == awkward
    assert [e.details["text"] for e in events] == awkward
    assert {e.occurred_at for e in events} == {at}
    assert all(e.changes == {} for e in events)


def test_column_insert_of_rows_that_are_all_alike(db):
    """Every column the same on every row: each row still arrives, whole."""
    import uuid

    from django.contrib.contenttypes.models import ContentType

    from core.bulk import insert_columns

    at = dt.datetime(2026, 1, 1, 9, 0, tzinfo=SEOUL)
    fields = [
        "occurred_at",
        "action",
        "object_type",
        "object_id",
        "operation",
        "details",
        "changes",
        "reason",
        "category",
    ]
    row = [at, "premise.registered", ContentType.objects.get_for_model(BranchOffice).pk, 7, uuid.uuid4(), {}, {},
           "같은 사유\t탭", "operation"]  # fmt: skip
    assert insert_columns(AuditEvent, fields, [[value] * 3 for value in row]) == 3
    assert (
        list(AuditEvent.objects.filter(object_id=7).values_list("reason", "occurred_at", "operation"))
        == [("같은 사유\t탭", at, row[4])] * 3
    )


def test_an_id_list_from_a_generator_serves_every_compilation_of_the_query(db):
    from core.lookups import Ids

    offices = [BranchOffice.objects.create(code=f"8{n}", name=f"사업소{n}") for n in range(3)]
    query = BranchOffice.objects.filter(id__in_ids=Ids(office.pk for office in offices))
    assert query.count() == 3
    assert sorted(query.values_list("pk", flat=True)) == sorted(o.pk for o in offices)
