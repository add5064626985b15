"""Auto-debit mandates: enrolment and cancellation rules, masking, logged reveals, holder change and move."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from collection.autodebit.banks import BANKS, format_bank_account, mask_bank_account
from collection.autodebit.mandates import cancel_auto_debit, enrol_auto_debit, reveal_mandate
from collection.choices import MandateEndReason, PayerRelation
from collection.models import Mandate
from core.audit import describe
from core.models import AuditEvent, Notification
from customers import actions as registry
from customers.choices import AccountStatus, PaymentMethod
from customers.models import Account

D = dt.date
TODAY = D(2026, 11, 23)  # conftest freezes the clock here


def enrol(account, user=None, **overrides):
    fields = {
        "bank": "088",
        "bank_account": "110-123-455678",
        "holder_name": "홍길동",
        "starts_on": D(2026, 12, 1),
        "acting_user": user,
    }
    return enrol_auto_debit(account, **(fields | overrides))


def snapshot():
    return (
        list(Mandate.objects.values_list("pk", "ended_on", "end_reason")),
        list(Account.objects.values_list("pk", "payment_method")),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def refused(fn, *, field=None, contains=None):
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        fn()
    assert snapshot() == before, "a refused operation changed the database"
    if field is not None:
        assert field in info.value.message_dict, info.value
    if contains is not None:
        assert contains in " ".join(info.value.messages), info.value.messages
    return info.value


def test_bank_accounts_are_masked_keeping_the_last_four_digits():
    assert mask_bank_account("110123455678") == "110-***-**5678"
    assert mask_bank_account("1234567890") == "123-***-7890"
    assert mask_bank_account("1234567890123456") == "123-***-******3456"
    assert format_bank_account("110123455678") == "110-123-455678"
    assert BANKS["004"] == "KB국민은행" and BANKS["088"] == "신한은행" and BANKS["092"] == "토스뱅크"


def test_enrolment_records_the_mandate_switches_the_account_and_tells_the_customer(city, agent):
    account = city.account(consent_sms=True, email="hong@example.com", consent_email=True)
    mandate = enrol(account, agent, payer_relation=PayerRelation.HOLDER)
    mandate.refresh_from_db()
    assert (mandate.bank, mandate.bank_account, mandate.holder_name) == ("088", "110123455678", "홍길동")
    assert (mandate.requested_on, mandate.starts_on, mandate.ended_on) == (TODAY, D(2026, 12, 1), None)
    assert mandate.recorded_by == agent
    account.refresh_from_db()
    assert account.payment_method == PaymentMethod.AUTO_DEBIT

    event = AuditEvent.objects.get(action="autodebit.enrolled")
    assert event.household_id == account.premise_id and event.actor == agent
    assert event.details["bank_account"] == "110-***-**5678" and event.details["holder"] == "홍*동"
    assert "455678" not in str(event.details) and "홍길동" not in str(event.details), (
        "no personal data in clear"
    )
    assert "110-***-**5678" in describe(event)

    notices = Notification.objects.filter(kind="collection.auto_debit").order_by("channel")
    assert [n.channel for n in notices] == ["email", "sms"]
    assert all("110-***-**5678" in n.body and "455678" not in n.body for n in notices)


def test_no_notice_without_the_customers_consent(city):
    account = city.account()  # neither SMS nor e-mail agreed
    enrol(account)
    assert not Notification.objects.exists()


def test_enrolment_refusals_say_what_is_wrong_and_change_nothing(city):
    account = city.account()
    refused(lambda: enrol(account, bank="999"), field="bank", contains="Unknown bank code")
    refused(lambda: enrol(account, bank_account="110-123"), field="bank_account", contains="10 to 16 digits")
    refused(lambda: enrol(account, bank_account="1101234556781234567"), field="bank_account")
    refused(lambda: enrol(account, bank_account="110-12A-455678"), field="bank_account")
    refused(lambda: enrol(account, holder_name="  "), field="holder_name")
    refused(lambda: enrol(account, starts_on=D(2026, 11, 22)), field="starts_on", contains="in the past")
    refused(lambda: enrol(account, starts_on=None), field="starts_on")
    refused(lambda: enrol(account, requested_on=D(2026, 11, 24)), field="requested_on")

    enrol(account, starts_on=TODAY)  # today is not the past
    refused(
        lambda: enrol(account, bank="004", bank_account="12345678901"), contains="already pays by auto-debit"
    )

    closed = city.account(reading=0)
    registry.stop_service(closed, on=D(2026, 11, 20), final_reading=5, acting_user=None)
    closed.refresh_from_db()
    assert closed.status == AccountStatus.CLOSED
    refused(lambda: enrol(closed), contains="closed")


def test_the_database_allows_one_current_mandate_per_account(city):
    account = city.account()
    mandate = enrol(account)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.create(
            account=account,
            bank="004",
            bank_account="12345678901",
            holder_name="x",
            requested_on=TODAY,
            starts_on=TODAY,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.filter(pk=mandate.pk).update(bank_account="12345")


def test_a_new_bank_account_replaces_the_mandate_without_a_gap(city, clerk):
    account = city.account()
    old = enrol(account, starts_on=TODAY)
    new = enrol(
        account, clerk, bank="004", bank_account="123456789012", starts_on=D(2026, 12, 10), replace=True
    )
    old.refresh_from_db()
    assert (old.ended_on, old.end_reason) == (D(2026, 12, 10), MandateEndReason.REPLACED)
    assert old.is_active_on(D(2026, 12, 9)) and not old.is_active_on(D(2026, 12, 10))
    assert new.is_active_on(D(2026, 12, 10)) and not new.is_active_on(D(2026, 12, 9))
    account.refresh_from_db()
    assert account.payment_method == PaymentMethod.AUTO_DEBIT
    refused(
        lambda: enrol(account, bank="004", bank_account="123456789012", replace=True),
        field="bank_account",
        contains="already debits",
    )


def test_cancellation_ends_the_mandate_today_and_the_account_pays_directly(city, agent):
    account = city.account(consent_sms=True)
    mandate = enrol(account, starts_on=TODAY)
    Notification.objects.all().delete()
    cancel_auto_debit(mandate, reason=MandateEndReason.CUSTOMER_REQUEST, note="전화 요청", acting_user=agent)
    mandate.refresh_from_db()
    assert (mandate.ended_on, mandate.end_reason, mandate.ended_by) == (
        TODAY,
        MandateEndReason.CUSTOMER_REQUEST,
        agent,
    )
    assert not mandate.is_active_on(TODAY)
    account.refresh_from_db()
    assert account.payment_method == PaymentMethod.DIRECT
    event = AuditEvent.objects.get(action="autodebit.ended")
    assert event.household_id == account.premise_id and event.reason == "전화 요청"
    assert event.details["bank_account"] == "110-***-**5678"
    notice = Notification.objects.get()
    assert notice.channel == "sms" and "2770-" in notice.body, "says how to pay from now on"

    refused(lambda: cancel_auto_debit(mandate, reason="customer", acting_user=agent), contains="already ends")
    other = enrol(account)
    refused(lambda: cancel_auto_debit(other, reason="", acting_user=agent), field="reason")
    refused(
        lambda: cancel_auto_debit(other, reason=MandateEndReason.HOLDER_CHANGED, acting_user=agent),
        field="reason",
    )


def test_revealing_the_bank_account_is_logged_and_needs_the_permission(city, agent, crew, outsider):
    account = city.account()
    mandate = enrol(account)
    shown = reveal_mandate(mandate, reason="callback", acting_user=agent)
    assert (shown.bank_account, shown.holder_name) == ("110-123-455678", "홍길동")
    event = AuditEvent.objects.get(action="autodebit.revealed")
    assert event.category == AuditEvent.Category.ACCESS and event.actor == agent
    assert event.household_id == account.premise_id and event.details["why"] == "callback"

    with pytest.raises(PermissionDenied):
        reveal_mandate(mandate, reason="callback", acting_user=outsider)
    with pytest.raises(ValidationError):
        reveal_mandate(mandate, reason="", acting_user=agent)
    assert AuditEvent.objects.filter(action="autodebit.revealed").count() == 1


def test_a_change_of_holder_ends_the_mandate(city, clerk):
    account = city.account(consent_sms=True)
    mandate = enrol(account, starts_on=TODAY)
    registry.transfer_account(
        account,
        new_holder=registry.CustomerDetails(name="김영희", phone="010-9999-8888"),
        on=TODAY,
        acting_user=clerk,
    )
    mandate.refresh_from_db()
    assert (mandate.ended_on, mandate.end_reason) == (TODAY, MandateEndReason.HOLDER_CHANGED)
    account.refresh_from_db()
    assert account.payment_method == PaymentMethod.DIRECT
    assert not Mandate.objects.filter(account=account, ended_on__isnull=True).exists()
    assert AuditEvent.objects.get(action="account.holder_changed").details["auto_debit_ended"] is True
    # The old holder, who gave the mandate, is told; the new holder's number gets nothing about it.
    # (in the customer's language: Korean)
    assert Notification.objects.filter(body__contains="해지됩니다", recipient="+821012345678").exists()
    assert not Notification.objects.filter(recipient="+821099998888").exists()


def test_a_move_within_the_city_carries_the_mandate_to_the_new_account(city, agent):
    old = city.account(reading=0)
    mandate = enrol(old, starts_on=TODAY)
    target = city.premise(road="율곡로", install_reading=300)
    new = registry.move_household(
        old,
        to_premise=target,
        moved_out_on=D(2026, 11, 20),
        final_reading=42,
        moved_in_on=D(2026, 11, 21),
        start_reading=305,
        acting_user=agent,
    )
    carried = Mandate.objects.get(account=new)
    assert (carried.bank, carried.bank_account, carried.starts_on) == ("088", "110123455678", D(2026, 11, 21))
    mandate.refresh_from_db()
    assert mandate.ended_on is None, "the old account's final bill is still debited"
    assert new.payment_method == PaymentMethod.AUTO_DEBIT
