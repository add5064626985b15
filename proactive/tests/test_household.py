"""What a household declares (events, residents), and proactive care on the household page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.tests.test_billing_run import read, run, seoul  # noqa: F401 (fixtures)
from core.audit import describe
from core.dates import today
from core.models import AuditEvent
from customers.actions import stop_service
from proactive import actions, events
from proactive.choices import DetectionStatus, EventKind, PrecallOutcome, Suppression
from proactive.models import DeclaredEvent, Detection, ProactiveCase, ResidentCount
from proactive.tests.test_cases import leaking, scan  # noqa: F401 (fixture)


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def timeline_of(premise_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(household_id=premise_id).order_by("id"))


class TestDeclaredEvents:
    def test_a_declared_event_is_recorded_with_who_took_it_and_shown_in_the_timeline(self, city, agent):
        account = city.account()
        event = actions.declare_event(
            account,
            kind=EventKind.KIMJANG,
            starts_on=days(3),
            ends_on=days(4),
            note="배추 50포기",
            acting_user=agent,
        )
        assert (event.recorded_by, event.note) == (agent, "배추 50포기")
        entry = timeline_of(account.premise_id)[-1]
        assert entry.action == events.EVENT_DECLARED and entry.actor == agent
        assert account.display_number in describe(entry) and "배추 50포기" in describe(entry)

    @pytest.mark.parametrize(
        ("kind", "starts", "ends", "note", "field"),
        [
            ("picnic", 0, 1, "", "kind"),
            (EventKind.OTHER, 0, 1, "  ", "note"),  # "other" must say what
            (EventKind.GUESTS, 5, 4, "", "ends_on"),  # backwards
            (EventKind.GUESTS, 0, 62, "", "ends_on"),  # 63 days: a change of household, not an event
            (EventKind.TANK, -150, -140, "", "starts_on"),  # explains no read still to be judged
            (EventKind.TANK, 400, 401, "", "starts_on"),  # more than a year ahead
        ],
    )
    def test_an_impossible_declaration_is_refused_and_nothing_is_written(
        self, city, agent, kind, starts, ends, note, field
    ):
        account = city.account()
        before = AuditEvent.objects.count()
        with pytest.raises(ValidationError) as refused:
            actions.declare_event(
                account, kind=kind, starts_on=days(starts), ends_on=days(ends), note=note, acting_user=agent
            )
        assert field in refused.value.error_dict
        assert not DeclaredEvent.objects.exists() and AuditEvent.objects.count() == before

    def test_the_longest_event_is_accepted(self, city, agent):
        account = city.account()
        actions.declare_event(
            account, kind=EventKind.WORKS, starts_on=days(0), ends_on=days(61), note="", acting_user=agent
        )
        assert DeclaredEvent.objects.count() == 1

    def test_a_closed_account_takes_no_declaration(self, city, agent):
        account = city.account(on=dt.date(2025, 1, 1), reading=0)
        stop_service(account, on=dt.date(2025, 6, 1), final_reading=100, acting_user=None)
        with pytest.raises(ValidationError, match="closed"):
            actions.declare_event(
                account, kind=EventKind.GUESTS, starts_on=days(0), ends_on=days(1), note="", acting_user=agent
            )

    def test_a_withdrawn_event_no_longer_suppresses_the_rise(self, leaking, agent):  # noqa: F811
        event = DeclaredEvent.objects.create(
            account=leaking, kind=EventKind.TANK, starts_on=dt.date(2026, 5, 20), ends_on=dt.date(2026, 5, 21)
        )
        actions.withdraw_event(event, acting_user=agent)
        event.refresh_from_db()
        assert event.withdrawn_by == agent and event.withdrawn_at is not None
        with pytest.raises(ValidationError):
            actions.withdraw_event(event, acting_user=agent)  # once
        assert scan(leaking).alerted == 1
        assert AuditEvent.objects.filter(
            action=events.EVENT_WITHDRAWN, household_id=leaking.premise_id
        ).exists()


class TestResidents:
    def test_residents_are_registered_and_a_second_entry_for_the_day_corrects_the_first(self, city, agent):
        account = city.account(on=dt.date(2025, 1, 1), reading=0)
        actions.register_residents(
            account, residents=2, effective_from=dt.date(2025, 1, 1), reason="", acting_user=agent
        )
        actions.register_residents(
            account, residents=3, effective_from=dt.date(2025, 1, 1), reason="오기 정정", acting_user=agent
        )
        count = ResidentCount.objects.get()
        assert (count.residents, count.reason, count.recorded_by) == (3, "오기 정정", agent)
        registered = [e for e in timeline_of(account.premise_id) if e.action == events.RESIDENTS_REGISTERED]
        assert [e.details["residents"] for e in registered] == [2, 3]
        assert registered[1].details["corrected"] is True

    @pytest.mark.parametrize(
        ("residents", "effective_from", "field"),
        [
            (0, dt.date(2025, 2, 1), "residents"),
            (100, dt.date(2025, 2, 1), "residents"),
            (2, dt.date(2024, 12, 31), "effective_from"),  # before the account's service started
        ],
    )
    def test_an_impossible_count_is_refused(self, city, agent, residents, effective_from, field):
        account = city.account(on=dt.date(2025, 1, 1), reading=0)
        with pytest.raises(ValidationError) as refused:
            actions.register_residents(
                account, residents=residents, effective_from=effective_from, reason="", acting_user=agent
            )
        assert field in refused.value.error_dict and not ResidentCount.objects.exists()

    def test_a_shop_has_no_residents(self, city, agent):
        account = city.account(on=dt.date(2025, 1, 1), reading=0, use_type="general")
        with pytest.raises(ValidationError, match="domestic"):
            actions.register_residents(
                account, residents=3, effective_from=dt.date(2025, 2, 1), reason="", acting_user=agent
            )


class TestTimeline:
    def test_an_alerted_detection_and_the_case_steps_reach_the_household_timeline(self, leaking, clerk):  # noqa: F811
        scan(leaking)
        case = ProactiveCase.objects.get()
        actions.record_precall(
            case, outcome=PrecallOutcome.UNEXPLAINED, note="모르겠다고 함", acting_user=clerk
        )
        actions.record_leak_finding(
            ProactiveCase.objects.get(),
            leak_found=True,
            repaired_on=None,
            note="계량기 뒤 배관",
            acting_user=clerk,
        )
        entries = {e.action: describe(e) for e in timeline_of(leaking.premise_id)}
        found = entries[events.UNUSUAL_USE_ALERTED]
        assert case.request.number in found and "1.45" in found  # 45 m³ in 31 days
        assert "모르겠다고 함" in entries[events.PRECALL_RECORDED]
        assert "계량기 뒤 배관" in entries[events.LEAK_FINDING_RECORDED]

    def test_a_suppressed_detection_says_why_in_the_timeline(self, leaking):  # noqa: F811
        DeclaredEvent.objects.create(
            account=leaking,
            kind=EventKind.KIMJANG,
            starts_on=dt.date(2026, 5, 20),
            ends_on=dt.date(2026, 5, 21),
        )
        scan(leaking)
        entry = AuditEvent.objects.get(action=events.UNUSUAL_USE_SUPPRESSED)
        assert entry.household_id == leaking.premise_id and entry.actor is None
        assert str(Suppression.DECLARED_EVENT.label) in describe(entry)


class TestHouseholdPage:
    def test_the_panel_shows_residents_events_and_findings(self, client, leaking, agent):  # noqa: F811
        ResidentCount.objects.create(account=leaking, residents=4, effective_from=dt.date(2025, 12, 5))
        actions.declare_event(
            leaking,
            kind=EventKind.GUESTS,
            starts_on=days(1),
            ends_on=days(3),
            note="손님 6명",
            acting_user=agent,
        )
        scan(leaking)
        client.force_login(agent)
        household = client.get(reverse("household", args=[leaking.premise_id])).content.decode()
        assert reverse("household-proactive", args=[leaking.premise_id]) in household
        page = client.get(reverse("household-proactive", args=[leaking.premise_id])).content.decode()
        assert "손님 6명" in page
        assert reverse("declare-event", args=[leaking.premise_id, leaking.pk]) in page
        detection = Detection.objects.get()
        assert detection.status == DetectionStatus.ALERTED and detection.case.request.number in page
        # The agent takes calls but does not carry cases: the number is shown, not linked.
        assert reverse("proactive-case", args=[detection.case.pk]) not in page

    def test_an_agent_declares_an_event_from_the_household_page(self, client, city, agent):
        account = city.account()
        client.force_login(agent)
        url = reverse("declare-event", args=[account.premise_id, account.pk])
        assert client.get(url).status_code == 200
        refused = client.post(url, {"kind": "guests", "starts_on": days(5), "ends_on": days(1)})
        assert refused.status_code == 200 and "시작일보다 먼저 끝날 수 없습니다" in refused.content.decode()
        response = client.post(url, {"kind": "kimjang", "starts_on": days(5), "ends_on": days(6), "note": ""})
        assert response.status_code == 302 and DeclaredEvent.objects.get().kind == EventKind.KIMJANG

    def test_residents_and_withdrawal_from_the_page(self, client, city, agent):
        account = city.account(on=dt.date(2025, 1, 1), reading=0)
        client.force_login(agent)
        url = reverse("register-residents", args=[account.premise_id, account.pk])
        client.post(url, {"residents": 5, "effective_from": "2025-03-01", "reason": "출생"})
        assert ResidentCount.objects.get().residents == 5
        event = actions.declare_event(
            account, kind=EventKind.TANK, starts_on=days(0), ends_on=days(0), note="", acting_user=agent
        )
        client.post(reverse("withdraw-event", args=[account.premise_id, event.pk]))
        event.refresh_from_db()
        assert event.withdrawn_at is not None

    def test_the_crew_sees_the_panel_but_records_nothing(self, client, city, crew):
        account = city.account()
        client.force_login(crew)
        assert client.get(reverse("household-proactive", args=[account.premise_id])).status_code == 200
        url = reverse("declare-event", args=[account.premise_id, account.pk])
        assert (
            client.post(url, {"kind": "kimjang", "starts_on": days(0), "ends_on": days(0)}).status_code == 403
        )
        assert not DeclaredEvent.objects.exists()

    def test_an_account_of_another_premise_is_not_found(self, client, city, agent):
        mine, other = city.account(), city.account()
        client.force_login(agent)
        url = reverse("declare-event", args=[mine.premise_id, other.pk])
        assert (
            client.post(url, {"kind": "kimjang", "starts_on": days(0), "ends_on": days(0)}).status_code == 404
        )
