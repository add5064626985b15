"""Bill PDFs and print batches, read back as text with pypdf.

The household billed here uses the example progressive tariff (effective 2024): for 18 m³
in one household with a 15 mm meter,
water 18 × 360 = 6,480 + basic 1,080 = 7,560; sewer 18 × 400 = 7,200; water-use 18 × 170 = 3,060;
charges 17,820 won, less an adjustment of 2,000 won: 15,820 won.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from billing import actions
from billing.choices import BillStatus, PrintBatchStatus
from billing.documents.fonts import BillFontMissing
from billing.documents.output import CHECKSUMS, MANIFEST, bill_pdf, read_manifest
from billing.models import Bill, PrintBatch, PrintedBill
from core.models import AuditEvent
from customers.models import Premise, ReadingRoute

from .test_billing_run import progressive, read, run  # noqa: F401 (fixtures)

OCT_2025, OCT_2026 = dt.date(2025, 10, 1), dt.date(2026, 10, 1)
# m³ used in each month from October 2025 to October 2026 (read on the 5th).
MONTHLY_M3 = [15, 14, 16, 13, 12, 15, 14, 17, 19, 16, 15, 16, 18]


def months(first: dt.date, count: int) -> list[dt.date]:
    return [
        dt.date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1)
        for k in range(count)
    ]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture(autouse=True)
def _print_dir(settings, tmp_path):
    settings.PRINT_BATCH_DIR = tmp_path / "print"
    settings.BILL_PAYMENT_ACCOUNTS = [("우리은행", "2770-{account}"), ("신한은행", "5620-{account}")]
    settings.BILL_UTILITY_NAME = "수이도 상수도사업본부"


@pytest.fixture
def year_of_bills(city, progressive):  # noqa: F811
    """An account read every month from October 2025 to October 2026 and billed in some of them
    (fewer runs, a faster test; a bill counts from the last one): October 2025, November 2025,
    January 2026 (two months), September and October 2026. October 2026 is adjusted by −2,000 won."""
    account = city.account(on=dt.date(2025, 9, 1), reading=0)
    billed = {OCT_2025, dt.date(2025, 11, 1), dt.date(2026, 1, 1), dt.date(2026, 9, 1), OCT_2026}
    value = 0
    for month, used in zip(months(OCT_2025, 13), MONTHLY_M3, strict=True):
        value += used
        read(account, value, month.replace(day=5))
        if month in billed:
            run(city, month)
    bill = Bill.objects.get(account=account, period=OCT_2026, status=BillStatus.ISSUED)
    actions.adjust_bill(bill, amount=-2000, reason="검침 오류 정정", acting_user=None)
    bill.refresh_from_db()
    return bill


class TestBillPdf:
    def test_the_bill_says_what_is_owed_in_korean(self, year_of_bills):
        bill = year_of_bills
        assert dict(bill.charges) == {"water": 7560, "sewer": 7200, "water_use": 3060}
        assert (bill.total, bill.previous_value, bill.current_value) == (15820, 182, 200)
        text = pdf_text(bill_pdf(bill.pk))
        number = bill.account.number
        for expected in (
            "상하수도 요금 고지서",
            "2026년 10월분",
            f"{number[:-1]}-{number[-1]}",  # the account number as printed
            "서울특별시 종로구 세종대로",
            "홍*동",  # the holder's name masked
            "2026.09.05 ~ 2026.10.05 (30일)",
            "182",
            "200",
            "18 m³",
            "상수도요금 (기본요금 포함)",
            "7,560원",
            "하수도요금",
            "7,200원",
            "물이용부담금",
            "3,060원",
            "정정",
            "검침 오류 정정",
            "-2,000원",
            "합계",
            "15,820원",
            "납기일",
            f"{bill.due_on.year}년 {bill.due_on.month}월 {bill.due_on.day}일",
            "우리은행",
            f"2770-{number}",
            f"5620-{number}",
            "수이도 상수도사업본부",
            # The same month last year: 15 m³; this year 18 m³, 3 m³ (20.0 %) more.
            "작년 같은 달(2025년 10월)",
            "15 m³",
            "3 m³(20.0%) 증가",
            "중부수도사업소",
        ):
            assert expected in text, expected
        assert "추정" not in text

    def test_every_font_is_embedded(self, year_of_bills):
        page = PdfReader(io.BytesIO(bill_pdf(year_of_bills.pk))).pages[0]
        fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
        assert fonts and all("NanumGothic" in font["/BaseFont"] for font in fonts)
        assert all("/FontFile2" in font["/FontDescriptor"] for font in fonts)  # the TrueType glyphs

    def test_the_chart_shows_the_last_twelve_months(self, year_of_bills):
        text = pdf_text(bill_pdf(year_of_bills.pk))
        assert "최근 12회 사용량" in text
        for label in ("25.11", "26.01", "26.10"):
            assert label in text
        assert "25.10" not in text  # thirteen months ago is the comparison, not a bar

    def test_an_estimated_reading_is_flagged(self, city, progressive):  # noqa: F811
        account = city.account(on=dt.date(2026, 1, 1), reading=0)
        for value, day in ((10, dt.date(2026, 1, 31)), (20, dt.date(2026, 3, 2)), (30, dt.date(2026, 4, 1))):
            read(account, value, day)
        run(city, dt.date(2026, 4, 1))
        run(city, dt.date(2026, 5, 1))  # no reading in May: estimated
        bill = Bill.objects.get(account=account, period=dt.date(2026, 5, 1))
        assert bill.estimated
        text = pdf_text(bill_pdf(bill.pk))
        assert "추정" in text and "추정한 값입니다" in text
        assert "작년 같은 달 고지 내역이 없어 비교할 수 없습니다" in text

    def test_english_when_asked(self, year_of_bills):
        text = pdf_text(bill_pdf(year_of_bills.pk, language="en"))
        assert "Water and sewer bill" in text and "Amount due" in text and "₩15,820" in text

    def test_without_the_font_the_error_says_which_file_and_how_to_install_it(self, year_of_bills, settings):
        settings.BILL_FONT_REGULAR = "/nonexistent/fonts/NanumGothic.ttf"
        with pytest.raises(BillFontMissing) as missing:
            bill_pdf(year_of_bills.pk)
        message = str(missing.value)
        assert "/nonexistent/fonts/NanumGothic.ttf" in message
        assert "BILL_FONT_REGULAR" in message and "apt-get install fonts-nanum" in message
        with translation.override("ko"):
            assert "글꼴 파일" in str(missing.value)


class TestBillPdfView:
    def test_the_pdf_is_served_to_staff_who_may_see_bills(self, client, administrator, year_of_bills):
        client.force_login(administrator)
        response = client.get(reverse("bill-pdf", args=[year_of_bills.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline;")
        assert f"bill-{year_of_bills.account.number}-2026-10.pdf" in response["Content-Disposition"]
        assert response.content.startswith(b"%PDF")
        download = client.get(reverse("bill-pdf", args=[year_of_bills.pk]) + "?download=1")
        assert download["Content-Disposition"].startswith("attachment;")

    @pytest.mark.parametrize("persona", ["outsider", "crew"])
    def test_a_role_that_may_not_see_bills_is_refused(self, client, request, persona, year_of_bills):
        client.force_login(request.getfixturevalue(persona))
        assert client.get(reverse("bill-pdf", args=[year_of_bills.pk])).status_code == 403

    def test_a_missing_font_is_explained_not_a_server_error(
        self, client, administrator, year_of_bills, settings
    ):
        settings.BILL_FONT_BOLD = "/nonexistent/NanumGothicBold.ttf"
        client.force_login(administrator)
        response = client.get(reverse("bill-pdf", args=[year_of_bills.pk]))
        assert response.status_code == 503
        content = response.content.decode()
        assert "/nonexistent/NanumGothicBold.ttf" in content and "apt-get install fonts-nanum" in content


@pytest.fixture
def routes(city, progressive):  # noqa: F811
    """Five accounts on two routes of cycle 01, opened in an order unlike the delivery order."""
    second = ReadingRoute.objects.create(code="01-002", office=city.office, cycle=city.route.cycle)
    places = [(second, 1), (city.route, 3), (city.route, 1), (second, 2), (city.route, 2)]
    accounts = []
    for route, sequence in places:
        account = city.account(on=dt.date(2026, 1, 1), reading=0)
        Premise.objects.filter(pk=account.premise_id).update(route=route, route_sequence=sequence)
        read(account, 12, dt.date(2026, 10, 5))
        accounts.append(account)
    billing_run = run(city, OCT_2026)
    assert billing_run.bills == 5
    delivery = [accounts[i] for i in (2, 4, 1, 0, 3)]  # 01-001: 1, 2, 3; then 01-002: 1, 2
    return billing_run, delivery


class TestPrintBatch:
    def test_bills_in_delivery_order_split_into_files_with_a_manifest(
        self, routes, billing_officer, settings
    ):
        billing_run, delivery = routes
        batch = actions.build_print_batch(billing_run, actor=billing_officer, per_file=2)

        assert (batch.status, batch.bills, batch.pages, batch.number) == (PrintBatchStatus.DONE, 5, 5, 1)
        assert [(f["name"], f["bills"], f["pages"]) for f in batch.files] == [
            ("bills-0001.pdf", 2, 2),
            ("bills-0002.pdf", 2, 2),
            ("bills-0003.pdf", 1, 1),
        ]
        directory = settings.PRINT_BATCH_DIR / "2026-10-cycle-01" / "batch-01"
        assert batch.path == directory
        assert sorted(p.name for p in directory.iterdir()) == [
            CHECKSUMS, "bills-0001.pdf", "bills-0002.pdf", "bills-0003.pdf", MANIFEST,
        ]  # fmt: skip

        header, rows = read_manifest(directory / MANIFEST)
        assert header["run"] == [[str(billing_run.pk)]] and header["period"] == [["2026-10"]]
        assert header["bills"] == [["5"]] and header["pages"] == [["5"]] and header["files"] == [["3"]]
        for entry, recorded in zip(header["file"], batch.files, strict=True):
            content = (directory / entry[0]).read_bytes()
            assert entry == [recorded["name"], str(recorded["bills"]), str(recorded["pages"]),
                             str(len(content)), hashlib.sha256(content).hexdigest()]  # fmt: skip
            assert len(PdfReader(io.BytesIO(content)).pages) == recorded["pages"]
        assert [row["account"].replace("-", "") for row in rows] == [a.number for a in delivery]
        assert [(row["file"], row["sequence"], row["page"]) for row in rows] == [
            ("bills-0001.pdf", "1", "1"), ("bills-0001.pdf", "2", "2"), ("bills-0002.pdf", "3", "1"),
            ("bills-0002.pdf", "4", "2"), ("bills-0003.pdf", "5", "1"),
        ]  # fmt: skip
        assert [(row["route"], row["route_sequence"]) for row in rows] == [
            ("01-001", "1"), ("01-001", "2"), ("01-001", "3"), ("01-002", "1"), ("01-002", "2"),
        ]  # fmt: skip
        assert rows[0]["total"] == str(Bill.objects.get(pk=rows[0]["bill"]).total)
        manifest = (directory / MANIFEST).read_bytes()
        assert batch.manifest_sha256 == hashlib.sha256(manifest).hexdigest()
        assert f"{batch.manifest_sha256}  {MANIFEST}" in (directory / CHECKSUMS).read_text()

        # The first page of the second file is the third bill in delivery order.
        second = PdfReader(directory / "bills-0002.pdf").pages[0].extract_text()
        number = delivery[2].number
        assert f"{number[:-1]}-{number[-1]}" in second

        printed = list(
            PrintedBill.objects.filter(batch=batch).values_list("bill__account", "file_number", "page")
        )
        assert printed == [
            (a.pk, f, p) for a, (f, p) in zip(delivery, [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1)], strict=True)
        ]
        event = AuditEvent.objects.get(action="billing.print_batch_written", object_id=batch.pk)
        assert event.actor == billing_officer and event.details["bills"] == 5 and event.details["files"] == 3

    def test_the_default_bound_keeps_a_small_run_in_one_file(self, routes, settings):
        settings.PRINT_BATCH_BILLS_PER_FILE = 1000
        batch = actions.build_print_batch(routes[0], actor=None)
        assert [(f["name"], f["bills"]) for f in batch.files] == [("bills-0001.pdf", 5)]

    def test_printing_again_makes_a_new_batch_and_only_unprinted_finds_nothing_new(self, routes):
        billing_run, _delivery = routes
        actions.build_print_batch(billing_run, actor=None)
        with pytest.raises(ValidationError, match="already in a print batch"):
            actions.build_print_batch(billing_run, actor=None, only_unprinted=True)
        again = actions.build_print_batch(billing_run, actor=None)
        assert (again.number, again.bills, again.path.name) == (2, 5, "batch-02")

    def test_no_batch_is_started_without_the_font(self, routes, settings):
        settings.BILL_FONT_REGULAR = "/nonexistent/NanumGothic.ttf"
        with pytest.raises(BillFontMissing):
            actions.build_print_batch(routes[0], actor=None)
        assert not PrintBatch.objects.exists()

    def test_a_failure_while_writing_leaves_a_failed_batch_and_no_files(self, routes, settings, monkeypatch):
        from billing.documents import output

        def broken(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(output, "_write_manifest", broken)
        with pytest.raises(RuntimeError):
            actions.build_print_batch(routes[0], actor=None)
        batch = PrintBatch.objects.get()
        assert batch.status == PrintBatchStatus.FAILED and "disk full" in batch.error
        assert not any(settings.PRINT_BATCH_DIR.rglob("*.pdf"))


class TestPrintBatchViews:
    def test_the_billing_officer_builds_and_downloads_a_batch(self, client, administrator, routes):
        billing_run, _delivery = routes
        client.force_login(administrator)
        response = client.post(reverse("print-batch-build", args=[billing_run.pk]), {"next": "/"})
        assert response.status_code == 302
        batch = PrintBatch.objects.get(run=billing_run)
        manifest = client.get(reverse("print-batch-file", args=[batch.pk, MANIFEST]))
        assert manifest.status_code == 200 and manifest["Content-Type"] == "text/csv; charset=utf-8"
        assert b"#bills,5" in b"".join(manifest.streaming_content)
        pdf = client.get(reverse("print-batch-file", args=[batch.pk, "bills-0001.pdf"]))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert client.get(reverse("print-batch-file", args=[batch.pk, "secrets.txt"])).status_code == 404

    def test_a_role_without_billing_rights_is_refused(self, client, agent, routes):
        billing_run, _delivery = routes
        batch = actions.build_print_batch(billing_run, actor=None)
        client.force_login(agent)
        assert client.get(reverse("print-batch-file", args=[batch.pk, MANIFEST])).status_code == 403
        assert client.post(reverse("print-batch-build", args=[billing_run.pk])).status_code == 403
