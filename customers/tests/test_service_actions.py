"""Start, stop, move, change of holder, suspension: the rules and their refusals.

Each refusal is checked to change nothing: no account, reading, holding,
customer or audit row appears or changes.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from core.sequences import is_valid_check_digit
from customers import actions
from customers.choices import AccountStatus, BillDelivery, PaymentMethod
from customers.models import Account, AccountHolding, AccountSuspension, Customer
from metering.models import MeterReading

D = dt.date


def snapshot():
    """Row counts and account states: what a refused operation must leave untouched."""
    return (
        Account.objects.count(),
        Customer.objects.count(),
        AccountHolding.objects.count(),
        AccountSuspension.objects.count(),
        MeterReading.objects.count(),
        AuditEvent.objects.count(),
        sorted(Account.objects.values_list("pk", "status", "end_date", "customer_id")),
    )


def refused(fn, *, field=None, contains=None):
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        fn()
    assert snapshot() == before, "a refused operation changed the database"
    error = info.value
    if field is not None:
        assert field in error.message_dict, error.message_dict
    if contains is not None:
        assert contains in " ".join(error.messages), error.messages
    return error


# --- start ---------------------------------------------------------------------------------


def test_start_service_opens_account_with_holder_reading_and_event(city, agent):
    premise = city.premise(install_reading=120)
    account = actions.start_service(
        premise=premise,
        customer=actions.CustomerDetails(name="홍길동", phone="010 1234 5678", consent_sms=True),
        use_type="domestic",
        on=D(2026, 11, 2),
        start_reading=130,
        payment_method=PaymentMethod.AUTO_DEBIT,
        bill_delivery=BillDelivery.SMS,
        acting_user=agent,
    )
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE and account.end_date is None
    assert is_valid_check_digit(account.number)
    assert account.customer.phone == "+821012345678"
    assert account.customer.number.startswith("C") and is_valid_check_digit(account.customer.number[1:])
    holding = account.holdings.get()
    assert (holding.customer, holding.valid_from, holding.valid_to) == (
        account.customer,
        D(2026, 11, 2),
        None,
    )
    reading = MeterReading.objects.get(account=account)
    assert (reading.kind, reading.value, reading.read_on) == ("start", 130, D(2026, 11, 2))
    event = AuditEvent.objects.get(action="service.started")
    assert event.actor == agent and event.household_id == premise.pk and event.effective_on == D(2026, 11, 2)
    assert event.details["customer"] == "홍*동", "personal data must be masked in audit details"


def test_start_refused_when_premise_has_open_account_of_that_use(city):
    premise = city.premise()
    city.account(premise)
    refused(lambda: city.account(premise, name="김철수"), field="premise", contains="already has an open")


def test_start_of_another_use_type_on_the_same_premise_is_allowed(city):
    premise = city.premise(building_use="mixed")
    city.account(premise, use_type="domestic")
    general = city.account(premise, name="(주)한빛상사", use_type="general", kind="organisation")
    assert general.premise == premise and Account.objects.filter(premise=premise).count() == 2


def test_open_account_uniqueness_is_also_a_database_constraint(city):
    from django.db import IntegrityError, transaction

    first = city.account()
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(
            number="9999999999",
            customer=first.customer,
            premise=first.premise,
            use_type="domestic",
            start_date=D(2024, 1, 1),
        )


def test_start_refuses_reading_below_the_last_one_unless_rolled_over(city):
    premise = city.premise(install_reading=9990, dials=4)
    refused(lambda: city.account(premise, reading=15), field="start_reading", contains="lower than the last")
    account = actions.start_service(
        premise=premise,
        customer=actions.CustomerDetails(name="홍길동"),
        use_type="domestic",
        on=D(2021, 3, 1),
        start_reading=15,
        rolled_over=True,
        acting_user=None,
    )
    assert MeterReading.objects.get(account=account).rolled_over


def test_rolled_over_flag_needs_a_lower_value(city):
    premise = city.premise(install_reading=100)
    refused(
        lambda: actions.start_service(
            premise=premise,
            customer=actions.CustomerDetails(name="홍길동"),
            use_type="domestic",
            on=D(2021, 3, 1),
            start_reading=150,
            rolled_over=True,
            acting_user=None,
        ),
        field="start_reading",
        contains="untick",
    )


def test_start_refuses_reading_beyond_the_register(city):
    premise = city.premise(dials=4)
    refused(lambda: city.account(premise, reading=10000), field="start_reading", contains="9,999")


def test_start_refuses_future_date_and_date_before_the_last_reading(city):
    premise = city.premise(installed_on=D(2022, 5, 1))
    refused(lambda: city.account(premise, on=D(2026, 11, 24)), field="on", contains="future")
    refused(lambda: city.account(premise, on=D(2022, 4, 30)), field="on", contains="last reading")


def test_start_refuses_date_before_previous_account_ended(city):
    premise = city.premise()
    old = city.account(premise, on=D(2021, 1, 1))
    actions.stop_service(old, on=D(2024, 6, 30), final_reading=50, acting_user=None)
    refused(lambda: city.account(premise, on=D(2024, 6, 1), reading=50), field="on", contains="ended on")


def test_start_refuses_premise_without_meter(city):
    premise = city.premise(meter=False)
    with pytest.raises(ValidationError) as info:
        actions.start_service(
            premise=premise,
            customer=actions.CustomerDetails(name="홍길동"),
            use_type="domestic",
            on=D(2026, 1, 5),
            start_reading=0,
            acting_user=None,
        )
    assert "No meter is installed" in " ".join(info.value.messages)
    assert not Customer.objects.exists(), "the new customer must not survive a refused start"


def test_start_refuses_email_bills_without_consent_and_bad_customer_details(city):
    premise = city.premise()
    refused(
        lambda: actions.start_service(
            premise=premise,
            customer=actions.CustomerDetails(name="홍길동"),
            use_type="domestic",
            on=D(2026, 1, 5),
            start_reading=0,
            bill_delivery=BillDelivery.EMAIL,
            acting_user=None,
        ),
        field="bill_delivery",
    )
    error = refused(lambda: city.account(premise, name=" ", phone="12"))
    assert {"name", "phone"} <= set(error.message_dict)


def test_existing_customer_can_open_a_second_account(city):
    first = city.account()
    second = actions.start_service(
        premise=city.premise(),
        customer=first.customer,
        use_type="domestic",
        on=D(2026, 1, 5),
        start_reading=0,
        acting_user=None,
    )
    assert second.customer == first.customer and Customer.objects.count() == 1


# --- stop ----------------------------------------------------------------------------------


def test_stop_service_closes_account_at_final_reading(city, agent):
    account = city.account(reading=10)
    actions.stop_service(account, on=D(2026, 11, 20), final_reading=87, reason="이사", acting_user=agent)
    account.refresh_from_db()
    assert account.status == AccountStatus.CLOSED and account.end_date == D(2026, 11, 20)
    assert account.holdings.get().valid_to == D(2026, 11, 20)
    assert MeterReading.objects.get(account=account, kind="final").value == 87
    event = AuditEvent.objects.get(action="service.stopped")
    assert event.reason == "이사" and event.actor == agent


def test_stop_refusals(city):
    account = city.account(reading=50, on=D(2025, 1, 10))
    refused(
        lambda: actions.stop_service(account, on=D(2026, 1, 1), final_reading=49, acting_user=None),
        field="final_reading",
        contains="lower than the last reading 50",
    )
    refused(
        lambda: actions.stop_service(account, on=D(2025, 1, 9), final_reading=60, acting_user=None),
        field="on",
        contains="cannot end before",
    )
    refused(
        lambda: actions.stop_service(account, on=D(2026, 12, 1), final_reading=60, acting_user=None),
        field="on",
        contains="future",
    )
    actions.stop_service(account, on=D(2026, 1, 1), final_reading=60, acting_user=None)
    refused(
        lambda: actions.stop_service(account, on=D(2026, 2, 1), final_reading=70, acting_user=None),
        contains="already closed",
    )


def test_stop_of_a_suspended_account_ends_the_suspension(city):
    account = city.account(reading=5)
    actions.suspend_account(account, on=D(2026, 3, 1), reading=40, acting_user=None)
    actions.stop_service(account, on=D(2026, 9, 1), final_reading=40, acting_user=None)
    assert account.suspensions.get().ended_on == D(2026, 9, 1)


# --- move ----------------------------------------------------------------------------------


def test_move_closes_old_and_opens_new_in_one_operation(city, agent):
    old = city.account(reading=0)
    Account.objects.filter(pk=old.pk).update(payment_method=PaymentMethod.AUTO_DEBIT)
    target = city.premise(road="율곡로", install_reading=300)
    new = actions.move_household(
        old,
        to_premise=target,
        moved_out_on=D(2026, 11, 20),
        final_reading=42,
        moved_in_on=D(2026, 11, 21),
        start_reading=305,
        acting_user=agent,
    )
    old.refresh_from_db()
    assert old.status == AccountStatus.CLOSED and old.end_date == D(2026, 11, 20)
    assert new.premise == target and new.customer_id == old.customer_id and new.status == AccountStatus.ACTIVE
    assert new.start_date == D(2026, 11, 21) and new.payment_method == PaymentMethod.AUTO_DEBIT
    assert MeterReading.objects.get(account=old, kind="final").value == 42
    assert MeterReading.objects.get(account=new, kind="start").value == 305
    out_event = AuditEvent.objects.get(action="service.moved_out")
    in_event = AuditEvent.objects.get(action="service.moved_in")
    assert out_event.operation == in_event.operation, "both halves are one operation"
    assert (out_event.household_id, in_event.household_id) == (old.premise_id, target.pk)


def test_move_to_the_same_premise_is_refused(city):
    account = city.account()
    refused(
        lambda: actions.move_household(
            account,
            to_premise=account.premise,
            moved_out_on=D(2026, 11, 1),
            final_reading=10,
            moved_in_on=D(2026, 11, 1),
            start_reading=10,
            acting_user=None,
        ),
        field="to_premise",
        contains="same",
    )


def test_move_refused_by_the_second_half_leaves_the_first_undone(city):
    """The old account is closed first; the new premise is occupied, so the start fails: nothing stays."""
    account = city.account()
    occupied = city.premise(road="율곡로")
    city.account(occupied, name="김철수", phone="010-2222-3333")
    refused(
        lambda: actions.move_household(
            account,
            to_premise=occupied,
            moved_out_on=D(2026, 11, 1),
            final_reading=10,
            moved_in_on=D(2026, 11, 1),
            start_reading=0,
            acting_user=None,
        ),
        field="premise",
        contains="already has an open",
    )
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE and not MeterReading.objects.filter(kind="final").exists()


def test_move_with_a_bad_start_reading_at_the_new_address_leaves_the_old_account_open(city):
    account = city.account()
    target = city.premise(road="율곡로", install_reading=500)
    refused(
        lambda: actions.move_household(
            account,
            to_premise=target,
            moved_out_on=D(2026, 11, 1),
            final_reading=10,
            moved_in_on=D(2026, 11, 1),
            start_reading=400,
            acting_user=None,
        ),
        field="start_reading",
    )
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE


def test_move_crash_in_the_second_half_rolls_back_the_first(city, monkeypatch):
    """An unexpected failure (not a validation refusal) after the stop also undoes the stop."""
    from customers.actions import service

    account = city.account()
    target = city.premise(road="율곡로")

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "_open_account", broken)
    before = snapshot()
    with pytest.raises(RuntimeError):
        actions.move_household(
            account,
            to_premise=target,
            moved_out_on=D(2026, 11, 1),
            final_reading=10,
            moved_in_on=D(2026, 11, 1),
            start_reading=0,
            acting_user=None,
        )
    assert snapshot() == before


def test_move_refuses_bad_dates_with_their_own_field_names(city):
    account = city.account(on=D(2024, 1, 1))
    target = city.premise(road="율곡로")
    refused(
        lambda: actions.move_household(
            account,
            to_premise=target,
            moved_out_on=D(2023, 12, 31),
            final_reading=10,
            moved_in_on=D(2026, 1, 1),
            start_reading=0,
            acting_user=None,
        ),
        field="moved_out_on",
    )
    refused(
        lambda: actions.move_household(
            account,
            to_premise=target,
            moved_out_on=D(2026, 1, 1),
            final_reading=10,
            moved_in_on=D(2027, 1, 1),
            start_reading=0,
            acting_user=None,
        ),
        field="moved_in_on",
    )


# --- change of holder ------------------------------------------------------------------------


def test_transfer_keeps_account_and_history_and_ends_auto_debit(city, clerk):
    account = city.account(on=D(2020, 5, 1), email="hong@example.com", consent_email=True)
    Account.objects.filter(pk=account.pk).update(
        payment_method=PaymentMethod.AUTO_DEBIT, bill_delivery=BillDelivery.EMAIL
    )
    old_holder = account.customer
    actions.transfer_account(
        account,
        new_holder=actions.CustomerDetails(name="김영희", phone="010-9999-8888"),
        on=D(2026, 10, 1),
        reason="매매",
        acting_user=clerk,
    )
    account.refresh_from_db()
    assert account.customer.name == "김영희" and account.number == Account.objects.get(pk=account.pk).number
    assert account.payment_method == PaymentMethod.DIRECT, "a bank mandate does not pass to the new holder"
    assert account.bill_delivery == BillDelivery.POST, "no e-mail consent from the new holder"
    history = list(
        account.holdings.order_by("valid_from").values_list("customer_id", "valid_from", "valid_to")
    )
    assert history == [
        (old_holder.pk, D(2020, 5, 1), D(2026, 10, 1)),
        (account.customer_id, D(2026, 10, 1), None),
    ]
    event = AuditEvent.objects.get(action="account.holder_changed")
    assert event.details["auto_debit_ended"] is True and event.details["new_holder"] == "김*희"


def test_transfer_refusals(city):
    account = city.account(on=D(2024, 1, 1))
    refused(
        lambda: actions.transfer_account(
            account, new_holder=account.customer, on=D(2026, 1, 1), acting_user=None
        ),
        field="new_holder",
    )
    refused(
        lambda: actions.transfer_account(
            account, new_holder=actions.CustomerDetails(name="김영희"), on=D(2023, 12, 1), acting_user=None
        ),
        field="on",
    )
    actions.stop_service(account, on=D(2025, 1, 1), final_reading=5, acting_user=None)
    refused(
        lambda: actions.transfer_account(
            account, new_holder=actions.CustomerDetails(name="김영희"), on=D(2026, 1, 1), acting_user=None
        ),
        contains="closed",
    )


# --- suspension ----------------------------------------------------------------------------


def test_suspend_and_resume(city, agent):
    account = city.account(reading=3)
    suspension = actions.suspend_account(
        account,
        on=D(2026, 6, 1),
        reading=20,
        planned_resume_on=D(2026, 12, 1),
        reason="해외 체류",
        acting_user=agent,
    )
    account.refresh_from_db()
    assert account.status == AccountStatus.SUSPENDED and suspension.ended_on is None
    actions.resume_account(account, on=D(2026, 11, 15), reading=20, acting_user=agent)
    account.refresh_from_db()
    suspension.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE and suspension.ended_on == D(2026, 11, 15)
    kinds = list(
        MeterReading.objects.filter(account=account).order_by("read_on").values_list("kind", flat=True)
    )
    assert kinds == ["start", "suspend", "resume"]
    assert AuditEvent.objects.filter(action__in=["account.suspended", "account.resumed"]).count() == 2


def test_suspension_refusals(city):
    account = city.account(reading=3, on=D(2025, 1, 1))
    refused(
        lambda: actions.resume_account(account, on=D(2026, 1, 1), reading=3, acting_user=None),
        contains="not suspended",
    )
    refused(
        lambda: actions.suspend_account(
            account, on=D(2026, 6, 1), reading=5, planned_resume_on=D(2026, 5, 1), acting_user=None
        ),
        field="planned_resume_on",
    )
    refused(
        lambda: actions.suspend_account(account, on=D(2024, 12, 1), reading=5, acting_user=None), field="on"
    )
    refused(
        lambda: actions.suspend_account(account, on=D(2026, 6, 1), reading=2, acting_user=None),
        field="reading",
    )
    actions.suspend_account(account, on=D(2026, 6, 1), reading=5, acting_user=None)
    refused(
        lambda: actions.suspend_account(account, on=D(2026, 7, 1), reading=5, acting_user=None),
        contains="Only an active account",
    )
    refused(
        lambda: actions.resume_account(account, on=D(2026, 5, 31), reading=5, acting_user=None), field="on"
    )
