"""The demo city: a small city is generated and checked against the registry's rules."""

from __future__ import annotations

import hashlib
import io
import re
from collections import defaultdict
from itertools import pairwise

import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.audit import describe
from core.dates import today
from core.models import AuditEvent
from core.pii import mask_name
from customers import events
from customers.choices import AccountStatus, BillDelivery, CustomerKind, HoldingReason
from customers.demo_city import load_demo_city
from customers.demo_city.places import GU, OFFICES
from customers.models import (
    Account,
    AccountHolding,
    AccountSuspension,
    Customer,
    Meter,
    MeterInstallation,
    Premise,
    PremiseHouseholdCount,
    ReadingRoute,
)
from metering.choices import ReadingKind
from metering.models import MeterReading
from staff.demo import DEMO_USERS
from staff.models import BranchOffice, District, User

SIZE = 300


@pytest.fixture
def small_city(db):
    return load_demo_city(SIZE, seed=1)


def digest() -> str:
    """What must not change between two loads with the same seed (ids may: sequences are not reset)."""
    parts = []
    parts += Customer.objects.order_by("number").values_list("number", "name", "phone", "email")
    parts += Premise.objects.order_by("address_line").values_list("address_line", "postcode", "latitude")
    parts += Account.objects.order_by("number").values_list(
        "number", "customer__number", "premise__address_line", "status", "start_date", "end_date"
    )
    parts += Meter.objects.order_by("serial").values_list("serial", "diameter_mm", "dials")
    parts += MeterReading.objects.order_by("meter__serial", "read_on", "kind").values_list(
        "meter__serial", "read_on", "value", "kind"
    )
    parts += AuditEvent.objects.order_by("operation").values_list("operation", "action", "occurred_at")
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def test_reference_data(small_city):
    assert list(BranchOffice.objects.values_list("code", flat=True)) == [f"{n:02d}" for n in range(1, 9)]
    assert District.objects.count() == 25 and District.objects.filter(city="서울특별시").count() == 25
    for office in BranchOffice.objects.prefetch_related("districts"):
        assert 3 <= office.districts.count() <= 4
        assert office.name.endswith("수도사업소") and office.name_en.endswith("Waterworks Office")
    assert District.objects.get(name="종로구").name_en == "Jongno-gu"
    assert len({gu.name for gu in GU}) == 25 and len(OFFICES) == 8
    # Every premise is on a route of its own district's office, in walking order.
    premises = Premise.objects.select_related("district", "route")
    assert all(p.route.office_id == p.district.office_id for p in premises)
    for route in ReadingRoute.objects.all():
        sequences = sorted(route.premises.values_list("route_sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))


def test_premises_and_meters(small_city):
    assert Premise.objects.count() == SIZE
    for premise in Premise.objects.select_related("district"):
        assert premise.address_line == premise.compose_address_line()
        assert re.fullmatch(r"0[1-8]\d{3}", premise.postcode)
        assert abs(float(premise.latitude) - 37.55) < 0.2 and abs(float(premise.longitude) - 126.99) < 0.25
        assert premise.latitude.as_tuple().exponent == -6
    current = MeterInstallation.objects.filter(removed_on__isnull=True)
    assert current.count() == SIZE and current.values("premise").distinct().count() == SIZE
    for old in MeterInstallation.objects.filter(removed_on__isnull=False):
        assert old.removal_reading is not None and old.removal_reason
        replacement = current.get(premise=old.premise_id)
        assert replacement.installed_on == old.removed_on
        assert MeterReading.objects.filter(meter=old.meter_id, kind=ReadingKind.REMOVAL).count() == 1
    assert PremiseHouseholdCount.objects.values("premise").distinct().count() == SIZE
    shared = PremiseHouseholdCount.objects.filter(households__gte=20).select_related("premise")
    for count in shared:
        assert count.premise.building_use == "apartment" and count.premise.unit == ""


def test_accounts_and_holdings(small_city):
    today_ = today()
    open_accounts = Account.objects.exclude(status=AccountStatus.CLOSED)
    per_premise = defaultdict(int)
    for account in open_accounts:
        per_premise[account.premise_id, account.use_type] += 1
    assert max(per_premise.values()) == 1
    assert 0.9 * SIZE <= len(per_premise) < SIZE  # a few premises stand empty
    assert Account.objects.filter(start_date__gt=today_).count() == 0
    for account in Account.objects.filter(status=AccountStatus.CLOSED):
        assert account.end_date is not None and account.start_date <= account.end_date <= today_
    # Occupants follow each other: an account never starts before the previous one ended.
    by_premise = defaultdict(list)
    for account in Account.objects.order_by("start_date", "id"):
        by_premise[account.premise_id].append(account)
    for accounts in by_premise.values():
        for before, after in pairwise(accounts):
            assert before.end_date is not None and before.end_date <= after.start_date
    # Holdings cover each account without gap or overlap, the current holder last.
    for account in Account.objects.prefetch_related("holdings"):
        holdings = sorted(account.holdings.all(), key=lambda h: h.valid_from)
        assert holdings[0].valid_from == account.start_date and holdings[0].reason == HoldingReason.OPENED
        for before, after in pairwise(holdings):
            assert before.valid_to == after.valid_from and after.reason == HoldingReason.TRANSFER
        assert holdings[-1].valid_to == account.end_date
        assert holdings[-1].customer_id == account.customer_id
        holder = account.customer
        if account.bill_delivery == BillDelivery.EMAIL:
            assert holder.consent_email and holder.email
        if account.bill_delivery == BillDelivery.SMS:
            assert holder.consent_sms
    assert AccountHolding.objects.filter(reason=HoldingReason.TRANSFER).exists()
    for account in Account.objects.filter(status=AccountStatus.SUSPENDED):
        suspension = AccountSuspension.objects.get(account=account, ended_on__isnull=True)
        assert MeterReading.objects.filter(
            account=account, kind=ReadingKind.SUSPEND, read_on=suspension.suspended_on
        ).exists()


def test_readings_follow_each_meter(small_city):
    installations = {i.meter_id: i for i in MeterInstallation.objects.all()}
    dials = dict(Meter.objects.values_list("pk", "dials"))
    last = {}
    for reading in MeterReading.objects.order_by("meter", "read_on", "id"):
        installation = installations[reading.meter_id]
        assert installation.installed_on <= reading.read_on
        assert installation.removed_on is None or reading.read_on <= installation.removed_on
        assert reading.value < 10 ** dials[reading.meter_id] and not reading.rolled_over
        previous = last.get(reading.meter_id)
        if previous is not None:
            assert previous.read_on <= reading.read_on and previous.value <= reading.value
        else:
            assert reading.kind == ReadingKind.INSTALL and reading.value == installation.install_reading
        last[reading.meter_id] = reading
    for account in Account.objects.all():
        kinds = set(account.readings.values_list("kind", flat=True))
        assert ReadingKind.START in kinds
        assert (ReadingKind.FINAL in kinds) == (account.status == AccountStatus.CLOSED)


def test_customers(small_city):
    customers = list(Customer.objects.all())
    assert Customer.objects.filter(kind=CustomerKind.PERSON).count() > 0.8 * len(customers)
    for customer in customers:
        assert re.fullmatch(r"C\d{9}", customer.number)
        if customer.kind == CustomerKind.ORGANISATION:
            assert re.fullmatch(r"\d{3}-\d{2}-\d{5}", customer.business_number)
        assert customer.preferred_language in ("ko", "en")
        assert not customer.consent_email or customer.email
        assert (
            not customer.consent_sms
            or customer.phone.startswith("+8210")
            or customer.phone_alt.startswith("+8210")
        )
    names = [c.name for c in customers if c.kind == CustomerKind.PERSON and c.preferred_language == "ko"]
    assert sum(name.startswith("김") for name in names) > 0.1 * len(names)


def test_phone_numbers_are_valid_korean_numbers(small_city):
    numbers = [p for pair in Customer.objects.values_list("phone", "phone_alt") for p in pair if p]
    assert len(numbers) > SIZE
    for e164 in numbers[:400]:
        parsed = phonenumbers.parse(e164)
        assert phonenumbers.is_valid_number(parsed), e164
        assert phonenumbers.region_code_for_number(parsed) == "KR"
        if e164.startswith("+8210"):
            assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE


def _placeholders(action: str) -> set[str]:
    template = events.ACTIONS[action].template
    if callable(template):
        return {"account", "old_holder", "new_holder", "on"}
    return set(re.findall(r"%\((\w+)\)s", str(template)))


def test_audit_events_tell_each_household_story(small_city):
    registered = AuditEvent.objects.filter(action=events.PREMISE_REGISTERED)
    assert set(registered.values_list("household_id", flat=True)) == set(
        Premise.objects.values_list("pk", flat=True)
    )
    assert not AuditEvent.objects.filter(household_id__isnull=True).exists()
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()
    seen = set(AuditEvent.objects.values_list("action", flat=True))
    assert {events.PREMISE_REGISTERED, events.SERVICE_STARTED, events.SERVICE_STOPPED, events.METER_REPLACED,
            events.HOLDER_CHANGED} <= seen  # fmt: skip
    assert len(set(AuditEvent.objects.values_list("operation", flat=True))) == AuditEvent.objects.count()
    for event in AuditEvent.objects.all():
        assert _placeholders(event.action) <= set(event.details), event.action
        assert timezone.localtime(event.occurred_at).date() == event.effective_on  # Seoul time
        assert describe(event) != event.action
    # Names in the trail are masked like the screens show them; organisations keep theirs.
    accounts = {a.display_number: a for a in Account.objects.prefetch_related("holdings__customer")}
    for event in AuditEvent.objects.filter(action=events.SERVICE_STARTED):
        opener = min(accounts[event.details["account"]].holdings.all(), key=lambda h: h.valid_from).customer
        expected = mask_name(opener.name) if opener.kind == CustomerKind.PERSON else opener.name
        assert event.details["customer"] == expected
        assert event.object_id == accounts[event.details["account"]].pk
    for event in AuditEvent.objects.filter(action=events.METER_REPLACED):
        installation = MeterInstallation.objects.select_related("meter").get(pk=event.object_id)
        assert (
            installation.meter.serial == event.details["new_serial"]
            and installation.premise_id == event.household_id
        )


def test_demo_users_exist_with_their_roles(small_city):
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert list(user.groups.values_list("name", flat=True)) == [spec.role]
        assert user.check_password(spec.password)
        if spec.office_code:
            assert user.office.code == spec.office_code


def test_same_seed_same_city(db):
    load_demo_city(SIZE, seed=7)
    first = digest()
    load_demo_city(SIZE, seed=7, flush=True, chunk_size=64)  # chunking does not change the data
    assert digest() == first
    load_demo_city(SIZE, seed=8, flush=True)
    assert digest() != first


def test_command_refuses_to_load_twice_without_flush(db):
    out = io.StringIO()
    call_command("load_demo_city", premises=120, stdout=out)
    text = out.getvalue()
    assert "120 premises" in text
    for spec in DEMO_USERS:
        assert re.search(rf"{spec.username}\s+{spec.password}\s+{re.escape(spec.role_label)}", text)
    with pytest.raises(CommandError, match="--flush"):
        call_command("load_demo_city", premises=120, stdout=io.StringIO())
    assert Premise.objects.count() == 120
    call_command("load_demo_city", premises=150, flush=True, stdout=io.StringIO())
    assert Premise.objects.count() == 150
    assert BranchOffice.objects.count() == 8 and District.objects.count() == 25
