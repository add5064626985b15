"""AMI head-end hourly flow files: every row accounted for, nothing twice, the scan after."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from core.models import AuditEvent, Notification
from customers.actions.common import current_installation
from proactive.imports import import_hourly_flows, most_litres_in_an_hour
from proactive.models import Detection, FlowImport, FlowRejection, HourlyFlow

SEOUL = dt.timezone(dt.timedelta(hours=9))
NOW = dt.datetime(2026, 6, 10, 12, 30, tzinfo=SEOUL)
FIRST = dt.datetime(2026, 6, 7, 9, 0, tzinfo=SEOUL)  # 72 hours before 9:00 on the 10th


def ami_meter(account):
    meter = current_installation(account.premise).meter
    meter.remote_read = True
    meter.save()
    return meter


def csv_of(rows, header="meter,hour,litres") -> bytes:
    return ("\n".join([header, *(",".join(map(str, row)) for row in rows)]) + "\n").encode()


def hours_of(serial, litres, first=FIRST):
    return [
        (serial, (first + dt.timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M"), value)
        for h, value in enumerate(litres)
    ]


def load(content, **kwargs):
    return import_hourly_flows("headend.csv", content, acting_user=None, now=NOW, **kwargs)


@pytest.fixture
def meter(city):
    return ami_meter(city.account(on=dt.date(2025, 12, 5), reading=0, consent_sms=True))


def test_new_hours_are_recorded_and_every_row_is_accounted_for(meter):
    outcome = load(csv_of(hours_of(meter.serial, [0, 5, 120, 3])))
    source = outcome.source
    assert (source.rows, source.accepted, source.already_on_record, source.rejected) == (4, 4, 0, 0)
    assert (source.first_hour, source.last_hour) == (FIRST, FIRST + dt.timedelta(hours=3))
    assert list(HourlyFlow.objects.order_by("hour").values_list("litres", flat=True)) == [0, 5, 120, 3]
    assert HourlyFlow.objects.filter(source=source).count() == 4
    assert AuditEvent.objects.filter(action="proactive.flows_imported").count() == 1


def test_the_same_file_twice_changes_nothing(meter):
    content = csv_of(hours_of(meter.serial, [1, 2, 3]))
    first = load(content)
    again = load(content)
    assert again.repeated and again.source == first.source
    assert HourlyFlow.objects.count() == 3 and FlowImport.objects.count() == 1


def test_an_overlapping_window_adds_only_the_new_hours(meter):
    load(csv_of(hours_of(meter.serial, [1, 2, 3])))
    # The head-end sends the last four hours again, one of them new.
    source = load(csv_of(hours_of(meter.serial, [1, 2, 3, 4]))).source
    assert (source.accepted, source.already_on_record, source.rejected) == (1, 3, 0)
    assert HourlyFlow.objects.count() == 4


def test_an_hour_on_record_with_other_litres_is_rejected_not_overwritten(meter):
    load(csv_of(hours_of(meter.serial, [10])))
    outcome = load(csv_of(hours_of(meter.serial, [99])))
    assert outcome.source.rejected == 1 and "10" in outcome.rejected[0][1]
    assert HourlyFlow.objects.get().litres == 10


def test_an_hour_given_with_an_offset_is_the_same_hour(meter):
    load(csv_of([(meter.serial, "2026-06-08T09:00", 7)]))
    same = load(csv_of([(meter.serial, "2026-06-08T00:00:00Z", 7)]))
    assert same.source.already_on_record == 1 and HourlyFlow.objects.count() == 1


def test_each_bad_row_is_rejected_with_its_reason_and_the_rest_is_kept(city, meter):
    plain = city.account(on=dt.date(2025, 12, 5), reading=0)
    plain_meter = current_installation(plain.premise).meter  # read by hand, not by the head-end
    most = most_litres_in_an_hour(15)
    rows = [
        (meter.serial, "2026-06-08T09:00", 12),  # kept
        ("NO-SUCH", "2026-06-08T09:00", 1),
        (plain_meter.serial, "2026-06-08T09:00", 1),
        (meter.serial, "2026-06-08T09:30", 1),  # not on the hour
        (meter.serial, "2026-06-10T12:00", 1),  # not over yet
        (meter.serial, "2025-01-01T09:00", 1),  # older than the scan looks
        (meter.serial, "2026-06-08 10:00", "-3"),
        (meter.serial, "yesterday", 1),
        (meter.serial, "2026-06-08T11:00", most + 1),  # more than a 15 mm meter passes
        (meter.serial, "2026-06-08T09:00", 12),  # twice in the file
        (meter.serial, "2019-12-31T09:00", 1),  # before the meter was installed: too old anyway
    ]
    content = csv_of(rows).decode() + f"{meter.serial},2026-06-08T12:00\n"  # a field short
    outcome = load(content.encode())
    assert outcome.source.accepted == 1 and HourlyFlow.objects.get().litres == 12
    reasons = dict(outcome.rejected)
    assert len(reasons) == len(rows)  # every other row, with the short one
    assert "No meter NO-SUCH" in reasons[3]
    assert "not a remote-read" in reasons[4]
    assert "on the hour" in reasons[5]
    assert "not over yet" in reasons[6]
    assert "days old" in reasons[7]
    assert "whole number" in reasons[8]
    assert "not a date and time" in reasons[9]
    assert "15 mm" in reasons[10]
    assert "twice in this file" in reasons[11]
    assert "as many fields" in reasons[13]
    assert FlowRejection.objects.filter(source=outcome.source).count() == len(rows)


def test_an_hour_after_the_meter_was_removed_is_rejected(city):
    from customers import actions as registry

    account = city.account(on=dt.date(2025, 12, 5), reading=0)
    old = ami_meter(account)
    registry.replace_meter(
        account.premise,
        on=dt.date(2026, 6, 1),
        removal_reading=100,
        new_meter=registry.MeterSpec(serial="AMI-NEW", diameter_mm=15, dials=4),
        install_reading=0,
        acting_user=None,
    )
    outcome = load(csv_of([(old.serial, "2026-06-08T09:00", 5)]))
    assert "not installed anywhere" in outcome.rejected[0][1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"meter,hour,litres,extra\nX,2026-06-08T09:00,1,2\n", "Unknown column"),
        (b"meter,hour\nX,2026-06-08T09:00\n", "lacks"),
        (b"meter,hour,litres\n", "no hourly flows"),
        (b"\xff\xfe\x00garbage", "neither UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(meter, content, message):
    with pytest.raises(ValidationError, match=message):
        load(content)
    assert not FlowImport.objects.exists() and not HourlyFlow.objects.exists()


def test_a_continuous_flow_in_the_file_is_judged_once_it_is_committed(
    city, meter, django_capture_on_commit_callbacks
):
    day = [0] * 6 + [40] * 18
    litres = [value + 12 for value in day * 3]  # a running cistern: never below 12 L an hour
    with django_capture_on_commit_callbacks(execute=True):
        load(csv_of(hours_of(meter.serial, litres)))
    detection = Detection.objects.get()
    assert detection.kind == "continuous" and detection.case is not None
    # The words fit the finding: a flow that never stops, not "times your usual use" (in the
    # customer's language, Korean unless they chose another).
    assert "한 번도 멈추지 않았습니다" in detection.case.request.description
    notice = Notification.objects.get(kind="proactive.unusual_usage")
    assert "쉬지 않고 흐르는" in notice.body and "평소" not in notice.body
    with translation.override("en"):
        assert "at least 12 litres every hour" in detection.summary()


def test_the_billing_officer_imports_a_file_from_the_console(client, meter, billing_officer, clerk):
    client.force_login(clerk)
    assert client.get(reverse("flow-import-file")).status_code == 403
    client.force_login(billing_officer)
    page = client.get(reverse("flow-import-file"))
    assert page.status_code == 200
    rows = [*hours_of(meter.serial, [1, 2]), ("NO-SUCH", "2026-06-08T09:00", 1)]
    upload = io.BytesIO(csv_of(rows))
    upload.name = "headend-0610.csv"
    response = client.post(reverse("flow-import-file"), {"file": upload})
    source = FlowImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("flow-import", args=[source.pk])
    detail = client.get(response.url).content.decode()
    assert "NO-SUCH" in detail and reverse("flow-rejections", args=[source.pk]) in detail
    report = client.get(reverse("flow-rejections", args=[source.pk]))
    assert report["Content-Type"].startswith("text/csv") and "NO-SUCH" in report.content.decode("utf-8-sig")
    unreadable = io.BytesIO(b"what,is,this\n")
    unreadable.name = "other.csv"
    refused = client.post(reverse("flow-import-file"), {"file": unreadable})
    assert refused.status_code == 422


def test_the_command_imports_files_and_fails_on_a_refused_one(meter, tmp_path):
    good = tmp_path / "a.csv"
    good.write_bytes(
        csv_of(hours_of(meter.serial, [1, 2, 3], first=dt.datetime(2026, 6, 7, 9, tzinfo=SEOUL)))
    )
    bad = tmp_path / "b.csv"
    bad.write_bytes(b"meter\n")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_hourly_flows", str(good), str(bad), stdout=out, stderr=err)
    assert "accepted=3" in out.getvalue() and "b.csv: refused" in err.getvalue()
    assert HourlyFlow.objects.count() == 3
