"""The staff console: who may see and do what, masking, reveals, search, forms."""

import datetime as dt

import pytest
from django.urls import reverse

from core.models import AuditEvent
from customers.choices import AccountStatus
from customers.models import Account

D = dt.date


@pytest.fixture
def household(city):
    return city.account(name="홍길동", phone="010-1234-5678", email="gildong@example.com", reading=10)


def login(client, user):
    client.force_login(user)
    return client


# --- access --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, household):
    for url in (reverse("search"), reverse("household", args=[household.premise_id])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_outsider_is_denied_everything(client, outsider, household):
    login(client, outsider)
    p, a = household.premise_id, household.pk
    for url in (
        reverse("search") + "?q=홍길동",
        reverse("household", args=[p]),
        reverse("household-timeline", args=[p]),
        reverse("stop-service", args=[p, a]),
        reverse("start-service", args=[p]),
        reverse("replace-meter", args=[p]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("stop-service", args=[p, a]), {"on": "2026-11-20", "final_reading": 20})
    assert response.status_code == 403
    assert (
        client.post(
            reverse("reveal", args=[p, household.customer_id]), {"reason_code": "callback"}
        ).status_code
        == 403
    )
    household.refresh_from_db()
    assert household.status == AccountStatus.ACTIVE
    assert not AuditEvent.objects.filter(category="access").exists()


def test_field_crew_sees_the_household_but_cannot_change_accounts(client, crew, household):
    login(client, crew)
    p, a = household.premise_id, household.pk
    assert client.get(reverse("household", args=[p])).status_code == 200
    for name in ("stop-service", "move", "transfer", "suspend"):
        assert client.get(reverse(name, args=[p, a])).status_code == 403, name
        assert (
            client.post(reverse(name, args=[p, a]), {"on": "2026-11-20", "final_reading": 99}).status_code
            == 403
        )
    assert client.get(reverse("start-service", args=[p])).status_code == 403
    assert client.get(reverse("edit-customer", args=[p, household.customer_id])).status_code == 403
    household.refresh_from_db()
    assert household.status == AccountStatus.ACTIVE
    # … but records the meter work they do.
    assert client.get(reverse("replace-meter", args=[p])).status_code == 200


def test_billing_officer_cannot_start_or_stop_service(client, billing_officer, household):
    login(client, billing_officer)
    assert client.get(reverse("start-service", args=[household.premise_id])).status_code == 403
    assert client.get(reverse("stop-service", args=[household.premise_id, household.pk])).status_code == 403
    assert client.get(reverse("household-count", args=[household.premise_id])).status_code == 200


def test_role_groups_match_the_permission_table(db):
    from django.contrib.auth.models import Group

    from staff.roles import ROLE_PERMISSIONS, Role

    for role, codes in ROLE_PERMISSIONS.items():
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=role).permissions.select_related("content_type")
        }
        assert set(codes) <= granted
        if role != Role.ADMIN:
            assert granted == set(codes), role
    crew = {
        f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name="crew").permissions.all()
    }
    assert "customers.operate_service" not in crew and "customers.transfer_account" not in crew


# --- masking and reveal ----------------------------------------------------------------------


def test_agent_sees_personal_data_masked(client, agent, household):
    login(client, agent)
    page = client.get(reverse("household", args=[household.premise_id])).content.decode()
    assert "홍*동" in page and "010-****-5678" in page and "gi*****@example.com" in page
    assert "홍길동" not in page and "1234" not in page and "gildong@" not in page


def test_reveal_shows_personal_data_and_logs_who_and_why(client, agent, household):
    login(client, agent)
    url = reverse("reveal", args=[household.premise_id, household.customer_id])
    page = client.post(
        url, {"reason_code": "caller_verified", "reason_text": "본인 확인 완료"}
    ).content.decode()
    assert "홍길동" in page and "010-1234-5678" in page and "gildong@example.com" in page
    event = AuditEvent.objects.get(category="access")
    assert (event.actor, event.reason, event.household_id) == (agent, "본인 확인 완료", household.premise_id)
    assert event.details["why"] == "caller_verified"
    # The next page view is masked again: a reveal is for one look, not the session.
    assert "홍길동" not in client.get(reverse("household", args=[household.premise_id])).content.decode()


def test_reveal_through_htmx_returns_only_the_customer_block(client, agent, household):
    login(client, agent)
    url = reverse("reveal", args=[household.premise_id, household.customer_id])
    response = client.post(url, {"reason_code": "callback"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "010-1234-5678" in html and "<html" not in html


def test_reveal_without_a_reason_is_refused_and_not_logged(client, agent, household):
    login(client, agent)
    client.cookies["django_language"] = "en"
    url = reverse("reveal", args=[household.premise_id, household.customer_id])
    response = client.post(url, {"reason_code": "other", "reason_text": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "Describe the reason" in response.content.decode()
    assert not AuditEvent.objects.filter(category="access").exists()


def test_reveal_only_for_customers_of_that_household(client, agent, household, city):
    stranger = city.account(name="김철수", phone="010-5555-6666")
    login(client, agent)
    url = reverse("reveal", args=[household.premise_id, stranger.customer_id])
    assert client.post(url, {"reason_code": "callback"}).status_code == 404
    assert not AuditEvent.objects.filter(category="access").exists()


def test_search_results_are_masked(client, agent, household):
    login(client, agent)
    results = client.get(
        reverse("search"), {"q": "010-1234-5678"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    ).content.decode()
    assert "홍*동" in results and "홍길동" not in results and "<html" not in results


# --- operations through the forms -------------------------------------------------------------


def test_stop_through_the_form(client, agent, household):
    login(client, agent)
    url = reverse("stop-service", args=[household.premise_id, household.pk])
    response = client.post(url, {"on": "2026-11-20", "final_reading": "55", "reason": "이사"})
    assert response.status_code == 302 and response.url == reverse("household", args=[household.premise_id])
    household.refresh_from_db()
    assert household.status == AccountStatus.CLOSED
    assert AuditEvent.objects.get(action="service.stopped").actor == agent


def test_refusal_is_shown_beside_the_field_in_the_users_language(client, agent, household):
    login(client, agent)
    url = reverse("stop-service", args=[household.premise_id, household.pk])
    client.cookies["django_language"] = "en"
    page = client.post(url, {"on": "2026-11-20", "final_reading": "3"}).content.decode()
    assert "is lower than the last reading 10" in page and 'class="field has-error' in page
    client.cookies["django_language"] = "ko"
    page = client.post(url, {"on": "2026-11-20", "final_reading": "3"}).content.decode()
    assert "마지막 검침값 10보다 낮습니다" in page
    household.refresh_from_db()
    assert household.status == AccountStatus.ACTIVE


def test_missing_fields_are_named(client, agent, household):
    login(client, agent)
    client.cookies["django_language"] = "en"
    page = client.post(
        reverse("stop-service", args=[household.premise_id, household.pk]), {}
    ).content.decode()
    assert page.count("This field is required.") == 2


def test_move_through_the_form(client, agent, household, city):
    target = city.premise(road="율곡로", install_reading=70)
    login(client, agent)
    response = client.post(
        reverse("move", args=[household.premise_id, household.pk]),
        {
            "to_premise": target.pk,
            "moved_out_on": "2026-11-20",
            "final_reading": "40",
            "moved_in_on": "2026-11-21",
            "start_reading": "71",
        },
    )
    assert response.status_code == 302 and response.url == reverse("household", args=[target.pk])
    assert Account.objects.get(premise=target).customer_id == household.customer_id


def test_start_service_form_with_a_new_customer(client, agent, city):
    premise = city.premise()
    login(client, agent)
    response = client.post(
        reverse("start-service", args=[premise.pk]),
        {
            "kind": "person",
            "name": "이영희",
            "phone": "01055556666",
            "preferred_language": "ko",
            "use_type": "domestic",
            "on": "2026-11-23",
            "start_reading": "0",
            "payment_method": "direct",
            "bill_delivery": "post",
        },
    )
    assert response.status_code == 302
    assert Account.objects.get(premise=premise).customer.phone == "+821055556666"


def test_start_service_form_with_an_unknown_customer_number(client, agent, city):
    premise = city.premise()
    login(client, agent)
    client.cookies["django_language"] = "en"
    page = client.post(
        reverse("start-service", args=[premise.pk]),
        {
            "existing_customer": "C999999999",
            "kind": "person",
            "preferred_language": "ko",
            "use_type": "domestic",
            "on": "2026-11-23",
            "start_reading": "0",
            "payment_method": "direct",
            "bill_delivery": "post",
        },
    ).content.decode()
    assert "No customer has the number C999999999" in page and not Account.objects.exists()


def test_edit_customer_keeps_what_is_left_empty(client, agent, household):
    login(client, agent)
    url = reverse("edit-customer", args=[household.premise_id, household.customer_id])
    response = client.post(url, {"phone_alt": "02-765-4321", "preferred_language": "ko"})
    assert response.status_code == 302
    household.customer.refresh_from_db()
    assert household.customer.phone == "+821012345678" and household.customer.phone_alt == "+8227654321"


def test_household_count_form(client, clerk, household):
    login(client, clerk)
    response = client.post(
        reverse("household-count", args=[household.premise_id]),
        {"households": "2", "effective_from": "2026-12-01", "reason": "신청서"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="premise.households_changed").exists()


def test_register_premise_form(client, clerk, city):
    login(client, clerk)
    response = client.post(
        reverse("premise-new"),
        {
            "district": city.district.pk,
            "road_name": "삼일대로",
            "building_main": "30",
            "building_sub": "0",
            "postcode": "03100",
            "building_use": "shop",
            "households": "1",
        },
    )
    assert response.status_code == 302
    client.cookies["django_language"] = "en"
    page = client.get(response.url).content.decode()
    assert "서울특별시 종로구 삼일대로 30" in page and "No meter installed." in page


def test_access_to_personal_data_is_in_the_timeline_on_request(client, agent, household):
    login(client, agent)
    client.cookies["django_language"] = "en"
    client.post(
        reverse("reveal", args=[household.premise_id, household.customer_id]), {"reason_code": "callback"}
    )
    url = reverse("household", args=[household.premise_id])
    assert "Personal data of customer" not in client.get(url).content.decode()
    shown = client.get(url, {"access": "1"}).content.decode()
    assert "Personal data of customer" in shown and "Calling the customer back" in shown


def test_move_form_address_lookup_lists_premises(client, agent, household, city):
    target = city.premise(road="율곡로", number=77)
    login(client, agent)
    html = client.get(reverse("premise-lookup"), {"address": "율곡로 77"}).content.decode()
    assert f'data-pick-premise="{target.pk}"' in html and "율곡로 77" in html
    assert "data-pick-premise" not in client.get(reverse("premise-lookup"), {"address": "x"}).content.decode()
