"""The billing officer's reading pages."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metering.models import MeterReading, ReadingException, ReadingImport

from .test_imports import HEADER


@pytest.fixture
def account(city):
    return city.account(city.premise(dials=4), on=dt.date(2025, 5, 6), reading=0)


@pytest.fixture
def officer(client, billing_officer):
    client.cookies["django_language"] = "en"
    client.force_login(billing_officer)
    return client


def upload(client, text, name="route.csv"):
    return client.post(
        reverse("reading-import-file"),
        {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
    )


def test_import_a_file_and_download_its_rejection_report(officer, account):
    text = f"{HEADER}\n{account.number},,2025-06-05,20,actual,,,\n999999999,,2025-06-05,1,actual,,,\n"
    response = upload(officer, text)
    source = ReadingImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reading-import", args=[source.pk])
    page = officer.get(response["Location"]).content.decode()
    assert "route.csv" in page and "No account 999999999." in page and "Download the rejection report" in page
    report = officer.get(reverse("reading-rejections", args=[source.pk]))
    body = report.content.decode("utf-8-sig")
    assert report["Content-Type"].startswith("text/csv")
    assert body.splitlines() == [
        "line,reason,row",
        '3,No account 999999999.,"999999999,,2025-06-05,1,actual,,,"',
    ]
    # The same file again: nothing changes, the officer is told.
    again = upload(officer, text, name="again.csv")
    assert again["Location"] == response["Location"] and ReadingImport.objects.count() == 1


def test_a_file_that_cannot_be_read_comes_back_with_the_reason(officer, db):
    response = upload(officer, "account,read_on,value\n1,2025-06-05,3\n")
    assert response.status_code == 422
    assert "The header lacks the column(s) read_type" in response.content.decode()
    assert not ReadingImport.objects.exists()


def test_work_the_exceptions_queue(officer, account):
    upload(officer, f"{HEADER}\n{account.number},,2025-06-05,20,actual,,,\n", name="june.csv")
    upload(officer, f"{HEADER}\n{account.number},,2025-07-05,15,actual,,,\n", name="july.csv")
    exception = ReadingException.objects.get()
    queue = officer.get(reverse("reading-exceptions")).content.decode()
    assert "Lower than the last reading" in queue and account.display_number in queue
    url = reverse("reading-exception", args=[exception.pk])
    refused = officer.post(url, {"op": "correct", "correct-value": "35", "correct-note": ""})
    assert refused.status_code == 422 and "This field is required." in refused.content.decode()
    done = officer.post(url, {"op": "correct", "correct-value": "35", "correct-note": "사진 IMG_2"})
    assert done.status_code == 302
    exception.refresh_from_db()
    assert exception.status == "corrected" and exception.correction.consumption == 15
    assert MeterReading.objects.filter(status="valid", kind="actual").count() == 2
    assert "Corrected to 35" in officer.get(url).content.decode()


@pytest.mark.parametrize("persona", ["agent", "crew", "outsider"])
def test_others_may_not_see_the_reading_pages(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for name in ("reading-import-file", "reading-exceptions"):
        assert client.get(reverse(name)).status_code == 403


def test_the_queue_pages_keep_the_status(officer, account, monkeypatch):
    from metering import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    upload(officer, f"{HEADER}\n{account.number},,2025-06-05,20,actual,,,\n", name="june.csv")
    upload(officer, f"{HEADER}\n{account.number},,2025-07-05,20,actual,,,\n", name="zero.csv")
    upload(officer, f"{HEADER}\n{account.number},,2025-08-04,15,actual,,,\n", name="lower.csv")
    page = officer.get(reverse("reading-exceptions")).content.decode()
    assert "?status=open&amp;page=2" in page
