"""Corrections of customer details and the logged reveal of personal data."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from customers import actions
from customers.tests.test_service_actions import refused


def test_update_customer_normalises_and_audits_masked_values(city, agent):
    account = city.account(phone="010-1234-5678")
    customer = actions.update_customer(
        account.customer, changes={"phone": "010 9876 5432"}, reason="고객 요청", acting_user=agent
    )
    assert customer.phone == "+821098765432"
    event = AuditEvent.objects.get(action="customer.updated")
    assert event.changes == {"phone": ["010-****-5678", "010-****-5432"]}
    assert "9876" not in str(event.details) + str(event.changes), "no personal data in clear in the audit log"
    assert event.household_id == account.premise_id


def test_update_customer_refusals(city):
    customer = city.account(phone="02-123-4567").customer
    refused(lambda: actions.update_customer(customer, changes={}, acting_user=None), contains="Nothing")
    refused(
        lambda: actions.update_customer(customer, changes={"consent_sms": True}, acting_user=None),
        field="consent_sms",
        contains="mobile",
    )
    refused(
        lambda: actions.update_customer(customer, changes={"email": "not-an-email"}, acting_user=None),
        field="email",
    )
    refused(
        lambda: actions.update_customer(customer, changes={"consent_email": True}, acting_user=None),
        field="consent_email",
    )
    refused(lambda: actions.update_customer(customer, changes={"name": "  "}, acting_user=None), field="name")


def test_reveal_is_logged_with_reason(city, agent):
    account = city.account()
    actions.reveal_personal_data(
        account.customer,
        reason="other",
        note="민원 회신 전화",
        acting_user=agent,
        household_id=account.premise_id,
    )
    event = AuditEvent.objects.get(action="customer.personal_data_revealed")
    assert (event.actor, event.category, event.reason) == (agent, "access", "민원 회신 전화")
    assert event.details["why"] == "other"


def test_reveal_needs_permission_and_reason(city, outsider, agent):
    account = city.account()
    with pytest.raises(PermissionDenied):
        actions.reveal_personal_data(account.customer, reason="x", acting_user=outsider, household_id=None)
    with pytest.raises(ValidationError):
        actions.reveal_personal_data(account.customer, reason=" ", acting_user=agent, household_id=None)
    with pytest.raises(ValidationError):  # "other" must say what
        actions.reveal_personal_data(
            account.customer, reason="other", note=" ", acting_user=agent, household_id=None
        )
    assert not AuditEvent.objects.filter(category="access").exists()
