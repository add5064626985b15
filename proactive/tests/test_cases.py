"""From an unusual read to a call, a visit and a leak reduction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.choices import AdjustmentKind
from billing.tests.test_billing_run import read, run, seoul  # noqa: F401 (fixtures)
from core.models import Notification
from proactive import actions
from proactive.choices import CaseStage, DetectionStatus, EventKind, PrecallOutcome, Suppression
from proactive.models import DeclaredEvent, Detection, ProactiveCase, ResidentCount, SeasonalWindow
from servicedesk.choices import Origin, RequestStatus

JUNE_READ = dt.date(2026, 6, 5)


def months_of_reads(city, account, uses, first=dt.date(2026, 1, 5), bill=True):
    """One read on the 5th of each month from ``first``, adding each of ``uses`` m³; billed month by month."""
    value, day = 0, first
    for used in uses:
        value += used
        read(account, value, day)
        if bill:
            run(city, day.replace(day=1))
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=5)


@pytest.fixture
def leaking(city, seoul):  # noqa: F811
    """15 m³ a month from January to May (about 0.5 m³ a day), then 45 m³ to 5 June: 1.5 a day."""
    account = city.account(on=dt.date(2025, 12, 5), reading=0, consent_sms=True)
    months_of_reads(city, account, [15, 15, 15, 15, 15, 45])
    return account


def scan(account, until=dt.date(2026, 6, 10)):
    return actions.scan_accounts([account.pk], until)


def test_an_unexplained_rise_opens_a_proactive_case_and_tells_the_household(leaking):
    outcome = scan(leaking)
    assert (outcome.judged, outcome.unusual, outcome.alerted) == (1, 1, 1)
    detection = Detection.objects.get(account=leaking)
    assert detection.status == DetectionStatus.ALERTED and detection.read_on == JUNE_READ
    # 45 m³ in 31 days (5 May → 5 June) against a usual 15 m³ in about 30.
    assert detection.use_per_day == pytest.approx(45 / 31)
    assert detection.ratio == pytest.approx((45 / 31) / detection.baseline_per_day)
    case = detection.case
    request = case.request
    assert (request.origin, request.type.code, request.status) == (
        Origin.PROACTIVE,
        "leak_diagnosis",
        RequestStatus.RECEIVED,
    )
    assert request.visit is None and case.stage == CaseStage.PRECALL  # the call comes before any visit
    assert (
        Notification.objects.filter(kind="proactive.unusual_usage", channel=Notification.Channel.SMS).count()
        == 1
    )
    # Scanning again (a re-import, a re-run) finds the same read and opens nothing new.
    again = scan(leaking)
    assert (again.alerted, again.already_found) == (0, 1)
    assert ProactiveCase.objects.count() == 1


def test_a_steady_household_is_left_alone(city, seoul):  # noqa: F811
    account = city.account(on=dt.date(2025, 12, 5), reading=0)
    months_of_reads(city, account, [15, 15, 15, 15, 15, 16], bill=False)
    assert scan(account).unusual == 0 and not Detection.objects.exists()


def test_a_declared_event_suppresses_and_is_recorded(leaking):
    DeclaredEvent.objects.create(
        account=leaking, kind=EventKind.TANK, starts_on=dt.date(2026, 5, 20), ends_on=dt.date(2026, 5, 21)
    )
    assert scan(leaking).suppressed == 1
    detection = Detection.objects.get(account=leaking)
    assert detection.suppressed_by == Suppression.DECLARED_EVENT and detection.case is None
    assert not ProactiveCase.objects.exists() and not Notification.objects.filter(
        kind="proactive.unusual_usage"
    )


def test_an_event_outside_the_period_does_not(leaking):
    DeclaredEvent.objects.create(
        account=leaking, kind=EventKind.GUESTS, starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 3)
    )
    assert scan(leaking).alerted == 1


def test_a_seasonal_window_raises_the_bar(leaking):
    # About three times the usual use: alerted under a bar of 2.5, suppressed under 4.
    window = SeasonalWindow.objects.create(
        name="장마철", starts="05-25", ends="06-30", min_ratio=Decimal("4.0")
    )
    assert scan(leaking).suppressed == 1
    assert Detection.objects.get().suppressed_by == Suppression.SEASONAL_WINDOW
    Detection.objects.all().delete()
    window.min_ratio = Decimal("2.5")
    window.save()
    assert scan(leaking).alerted == 1


def test_an_open_case_suppresses_another_alert(leaking):
    scan(leaking)
    read(leaking, 150, dt.date(2026, 7, 5))  # still leaking in July
    outcome = scan(leaking, until=dt.date(2026, 7, 10))
    assert outcome.suppressed == 1
    assert Detection.objects.get(read_on=dt.date(2026, 7, 5)).suppressed_by == Suppression.OPEN_CASE


def test_a_registered_larger_household_is_compared_per_resident(city, seoul):  # noqa: F811
    account = city.account(on=dt.date(2025, 12, 5), reading=0)
    months_of_reads(city, account, [15, 15, 15, 15, 15, 45], bill=False)
    ResidentCount.objects.create(account=account, residents=1, effective_from=dt.date(2025, 12, 5))
    ResidentCount.objects.create(account=account, residents=3, effective_from=dt.date(2026, 5, 6))
    assert scan(account).unusual == 0


class TestTheCase:
    def test_an_explained_rise_closes_the_case_and_the_request(self, leaking, clerk):
        scan(leaking)
        case = ProactiveCase.objects.get()
        with pytest.raises(ValidationError):
            actions.record_precall(case, outcome=PrecallOutcome.EXPLAINED, note=" ", acting_user=clerk)
        case = actions.record_precall(
            case, outcome=PrecallOutcome.EXPLAINED, note="김장을 했습니다", acting_user=clerk
        )
        assert case.stage == CaseStage.CLOSED and case.closed_at is not None
        case.request.refresh_from_db()
        assert case.request.status == RequestStatus.COMPLETED and "김장" in case.request.resolution

    @pytest.mark.parametrize("outcome", [PrecallOutcome.UNEXPLAINED, PrecallOutcome.UNREACHABLE])
    def test_an_unexplained_rise_or_no_answer_sends_a_leak_diagnosis_visit(self, leaking, clerk, outcome):
        scan(leaking)
        case = actions.record_precall(
            ProactiveCase.objects.get(), outcome=outcome, note="", acting_user=clerk
        )
        case.request.refresh_from_db()
        assert case.stage == CaseStage.VISIT and case.request.visit is not None
        assert case.request.visit.premise == leaking.premise
        with pytest.raises(ValidationError, match="not at"):
            actions.record_precall(case, outcome=outcome, note="", acting_user=clerk)

    def test_a_repaired_leak_leads_to_the_reduction_prefilled_from_the_billing_rule(self, leaking, clerk):
        scan(leaking)
        case = actions.record_precall(
            ProactiveCase.objects.get(), outcome=PrecallOutcome.UNEXPLAINED, note="", acting_user=clerk
        )
        case = actions.record_leak_finding(
            case, leak_found=True, repaired_on=dt.date(2026, 6, 12), note="변기 누수 수리", acting_user=clerk
        )
        assert case.stage == CaseStage.REDUCTION
        proposal = actions.propose_reduction(case)
        assert proposal.bill.period == dt.date(2026, 6, 1) and proposal.share_percent == 50
        case = actions.apply_reduction(case, reason="변기 누수 수리 확인", acting_user=clerk)
        assert case.stage == CaseStage.CLOSED
        adjustment = case.adjustment
        assert adjustment.kind == AdjustmentKind.LEAK and adjustment.amount < 0
        # June's bill: 45 m³ against a usual 15 m³ a month over its days; half the excess waived.
        assert adjustment.calculation["leaked_m3"] == 45 - adjustment.calculation["baseline_m3"]
        assert adjustment.calculation["waived_m3"] == adjustment.calculation["leaked_m3"] * 50 // 100

    def test_no_leak_found_closes_the_case(self, leaking, clerk):
        scan(leaking)
        case = actions.record_precall(
            ProactiveCase.objects.get(), outcome=PrecallOutcome.UNREACHABLE, note="", acting_user=clerk
        )
        case = actions.record_leak_finding(
            case, leak_found=False, repaired_on=None, note="누수 없음", acting_user=clerk
        )
        assert case.stage == CaseStage.CLOSED and case.leak_found is False
        with pytest.raises(ValidationError):
            actions.record_leak_finding(case, leak_found=False, repaired_on=None, note="x", acting_user=clerk)


def test_a_reading_file_is_scanned_once_its_readings_are_committed(
    city,
    seoul,  # noqa: F811
    clerk,
    django_capture_on_commit_callbacks,
):
    from metering.imports import import_readings

    account = city.account(on=dt.date(2025, 12, 5), reading=0)
    months_of_reads(city, account, [15, 15, 15, 15, 15], bill=False)  # to 5 May: 75 m³
    # The tolerance band holds 45 m³ (three times the usual) for review; a figure inside it.
    content = f"account,meter,read_on,value,read_type,reader,note,photo_ref\n{account.number},,2026-06-05,100,actual,R01,,\n"
    with django_capture_on_commit_callbacks(execute=True):
        outcome = import_readings("route.csv", content.encode(), acting_user=clerk, today=dt.date(2026, 6, 6))
    assert outcome.source.accepted == 1
    detection = Detection.objects.get(account=account)
    assert detection.read_on == dt.date(2026, 6, 5) and detection.case is not None


def test_a_finished_billing_run_scans_the_accounts_it_billed(city, seoul, django_capture_on_commit_callbacks):  # noqa: F811
    # Readings that reach billing without an import (here: entered directly, as an accepted
    # exception or a correction is) are judged once the run that bills them has finished.
    account = city.account(on=dt.date(2025, 12, 5), reading=0)
    months_of_reads(city, account, [15, 15, 15, 15, 15, 45], bill=False)
    assert not Detection.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        run(city, dt.date(2026, 6, 1))
    detection = Detection.objects.get(account=account)
    assert detection.read_on == JUNE_READ and detection.case is not None


class TestHourlyMeters:
    """AMI meters: the last 72 hours of flow, judged at once."""

    UNTIL = dt.datetime(2026, 6, 10, 6, 0, tzinfo=dt.UTC)

    def flows(self, account, litres_by_hour):
        from customers.actions.common import current_installation
        from proactive.models import HourlyFlow

        meter = current_installation(account.premise).meter
        start = self.UNTIL - dt.timedelta(hours=len(litres_by_hour) - 1)
        HourlyFlow.objects.bulk_create(
            HourlyFlow(meter=meter, hour=start + dt.timedelta(hours=h), litres=litres)
            for h, litres in enumerate(litres_by_hour)
        )

    def test_a_flow_that_never_stops_opens_a_case(self, city):
        account = city.account(on=dt.date(2025, 12, 5), reading=0)
        day = [0] * 6 + [40] * 18  # nothing at night, some use by day
        self.flows(account, [litres + 12 for litres in day * 3])  # a running cistern: 12 L every hour
        quiet = city.account(on=dt.date(2025, 12, 5), reading=0)
        self.flows(quiet, day * 3)
        outcome = actions.scan_hourly(self.UNTIL)
        assert (outcome.judged, outcome.unusual, outcome.alerted) == (2, 1, 1)
        detection = Detection.objects.get()
        assert (detection.account, detection.kind) == (account, "continuous")
        assert detection.use_per_day == pytest.approx(12 * 24 / 1000)  # the lowest flow, over a day
        assert detection.case.request.origin == Origin.PROACTIVE
        assert actions.scan_hourly(self.UNTIL).already_found == 1  # once per kind and day

    def test_a_burst_is_found_and_a_gap_breaks_a_continuous_flow(self, city):
        account = city.account(on=dt.date(2025, 12, 5), reading=0)
        hours = [20] * 72
        hours[30] = 0  # one quiet hour: no continuous flow of 48 hours
        hours[60:64] = [900, 950, 1000, 980]
        self.flows(account, hours)
        actions.scan_hourly(self.UNTIL)
        assert list(Detection.objects.values_list("kind", flat=True)) == ["burst"]


class TestConsole:
    def test_the_clerk_calls_sends_a_visit_and_the_billing_officer_applies_the_reduction(
        self, client, leaking, clerk, billing_officer, agent
    ):
        from django.urls import reverse

        scan(leaking)
        case = ProactiveCase.objects.get()
        client.force_login(agent)  # takes calls, does not carry cases
        assert client.get(reverse("proactive-cases")).status_code == 403
        client.force_login(clerk)
        page = client.get(reverse("proactive-cases") + "?office=all").content.decode()
        assert case.request.number in page
        url = reverse("proactive-case", args=[case.pk])
        page = client.get(url).content.decode()
        # The number to call, masked; the full number is revealed (and logged) on the request's page.
        assert "010-****-5678" in page and "010-1234-5678" not in page
        # Explained needs a note: the form says so and nothing changes.
        response = client.post(url, {"outcome": "explained", "note": ""})
        assert response.status_code == 200 and ProactiveCase.objects.get().stage == CaseStage.PRECALL
        client.post(url, {"outcome": "unreachable", "note": ""})
        assert ProactiveCase.objects.get().stage == CaseStage.VISIT
        client.post(url, {"leak_found": "yes", "repaired_on": "2026-06-12", "note": "변기 누수"})
        assert ProactiveCase.objects.get().stage == CaseStage.REDUCTION
        # The clerk cannot change the bill; the billing officer can.
        assert client.post(url, {"reason": "누수 수리 확인"}).status_code == 403
        client.force_login(billing_officer)
        client.post(url, {"reason": "누수 수리 확인"})
        case = ProactiveCase.objects.get()
        assert case.stage == CaseStage.CLOSED and case.adjustment.kind == AdjustmentKind.LEAK
