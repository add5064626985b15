"""Household count (세대분할), meter installation and replacement, premise registration."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from customers import actions
from customers.actions.premises import households_on
from customers.models import Meter, MeterInstallation, Premise
from customers.tests.test_service_actions import refused
from metering.models import MeterReading

D = dt.date


def test_household_count_change_takes_effect_from_its_date(city, clerk):
    premise = city.premise(households=1, installed_on=D(2020, 1, 1))
    actions.change_household_count(
        premise, households=3, effective_from=D(2026, 12, 1), reason="세대분할 신청서 접수", acting_user=clerk
    )
    assert households_on(premise, D(2026, 11, 30)) == 1
    assert households_on(premise, D(2026, 12, 1)) == 3
    event = AuditEvent.objects.get(action="premise.households_changed")
    assert event.changes == {"households": [1, 3]} and event.effective_on == D(2026, 12, 1)
    assert event.reason == "세대분할 신청서 접수"


def test_household_count_refusals(city):
    premise = city.premise(households=2, installed_on=D(2020, 1, 1))
    refused(
        lambda: actions.change_household_count(
            premise, households=2, effective_from=D(2026, 1, 1), acting_user=None
        ),
        field="households",
        contains="already has 2",
    )
    refused(
        lambda: actions.change_household_count(
            premise, households=0, effective_from=D(2026, 1, 1), acting_user=None
        ),
        field="households",
    )
    refused(
        lambda: actions.change_household_count(
            premise, households=4, effective_from=D(2019, 12, 31), acting_user=None
        ),
        field="effective_from",
        contains="after it",
    )
    refused(
        lambda: actions.change_household_count(
            premise, households=4, effective_from=D(2028, 1, 1), acting_user=None
        ),
        field="effective_from",
        contains="year",
    )


def test_meter_replacement_keeps_history_with_both_readings(city, crew):
    premise = city.premise(install_reading=0, installed_on=D(2018, 4, 1))
    old = MeterInstallation.objects.get(premise=premise)
    new = actions.replace_meter(
        premise,
        on=D(2026, 11, 10),
        removal_reading=1523,
        removal_reason="expired",
        new_meter=actions.MeterSpec(serial="NEW-0001", diameter_mm=20, dials=5),
        install_reading=0,
        acting_user=crew,
    )
    old.refresh_from_db()
    assert (old.removed_on, old.removal_reading, old.removal_reason) == (D(2026, 11, 10), 1523, "expired")
    assert new.meter.serial == "NEW-0001" and new.removed_on is None and new.install_reading == 0
    assert MeterInstallation.objects.filter(premise=premise).count() == 2
    assert MeterReading.objects.get(meter=old.meter, kind="removal").value == 1523
    assert MeterReading.objects.get(meter=new.meter, kind="install").value == 0
    event = AuditEvent.objects.get(action="meter.replaced")
    assert event.actor == crew and event.details["old_serial"] == old.meter.serial


def test_meter_replacement_refusals(city):
    premise = city.premise(install_reading=100, installed_on=D(2022, 1, 1))
    other = city.premise(road="율곡로")
    elsewhere = MeterInstallation.objects.get(premise=other).meter
    current = MeterInstallation.objects.get(premise=premise).meter

    def replace(**overrides):
        kwargs = {
            "on": D(2026, 11, 1),
            "removal_reading": 150,
            "install_reading": 0,
            "acting_user": None,
            "new_meter": actions.MeterSpec(serial="NEW-1", diameter_mm=15, dials=4),
        }
        kwargs.update(overrides)
        return lambda: actions.replace_meter(premise, **kwargs)

    refused(replace(removal_reading=99), field="removal_reading", contains="lower than the last")
    refused(replace(removal_reading=None), field="removal_reading")
    refused(replace(on=D(2021, 12, 31)), field="on")
    refused(replace(on=D(2026, 11, 24)), field="on", contains="future")
    refused(
        replace(new_meter=actions.MeterSpec(serial=elsewhere.serial)),
        field="new_serial",
        contains="installed at",
    )
    refused(replace(new_meter=actions.MeterSpec(serial=current.serial)), field="new_serial")
    refused(replace(new_meter=actions.MeterSpec(serial="NEW-2")), field="new_diameter_mm")
    refused(replace(install_reading=10000), field="install_reading", contains="9,999")
    assert not Meter.objects.filter(serial__startswith="NEW").exists()


def test_removal_reading_may_roll_over_when_said_so(city):
    premise = city.premise(install_reading=9950, dials=4)
    actions.replace_meter(
        premise,
        on=D(2026, 11, 1),
        removal_reading=30,
        removal_rolled_over=True,
        new_meter=actions.MeterSpec(serial="NEW-9", diameter_mm=15, dials=4),
        install_reading=0,
        acting_user=None,
    )
    assert MeterReading.objects.get(kind="removal").rolled_over


def test_install_meter_on_a_premise_without_one(city):
    premise = city.premise(meter=False)
    refused(
        lambda: actions.replace_meter(
            premise,
            on=D(2026, 11, 1),
            removal_reading=5,
            new_meter=actions.MeterSpec(serial="N1", diameter_mm=15, dials=4),
            install_reading=0,
            acting_user=None,
        ),
        field="removal_reading",
    )
    installation = actions.replace_meter(
        premise,
        on=D(2026, 11, 1),
        new_meter=actions.MeterSpec(serial="n1", diameter_mm=15, dials=4),
        install_reading=0,
        acting_user=None,
    )
    assert installation.meter.serial == "N1", "serials are stored upper-case"
    assert AuditEvent.objects.filter(action="meter.installed", household_id=premise.pk).exists()


def test_a_spare_meter_can_be_reinstalled_above_its_last_reading(city):
    first = city.premise(install_reading=0, installed_on=D(2020, 1, 1))
    meter = MeterInstallation.objects.get(premise=first).meter
    actions.replace_meter(
        first,
        on=D(2024, 1, 1),
        removal_reading=400,
        new_meter=actions.MeterSpec(serial="SPARE-2", diameter_mm=15, dials=4),
        install_reading=0,
        acting_user=None,
    )
    second = city.premise(road="율곡로", meter=False)
    with pytest.raises(ValidationError):
        actions.replace_meter(
            second,
            on=D(2025, 1, 1),
            new_meter=actions.MeterSpec(serial=meter.serial),
            install_reading=399,
            acting_user=None,
        )
    installation = actions.replace_meter(
        second,
        on=D(2025, 1, 1),
        new_meter=actions.MeterSpec(serial=meter.serial),
        install_reading=400,
        acting_user=None,
    )
    assert installation.meter == meter


def test_register_premise_composes_the_road_name_address(city):
    premise = city.premise(road="세종대로", number=175, unit="101동 1203호", building_name="세종빌딩")
    assert premise.address_line == "서울특별시 종로구 세종대로 175 101동 1203호 (세종빌딩)"
    with pytest.raises(ValidationError):
        city.premise(road="세종대로", number=175, unit="101동 1203호")
    assert Premise.objects.count() == 1
