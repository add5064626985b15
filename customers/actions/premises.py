"""Premises: registration, household count (세대분할), meter installation and replacement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit import record_event
from core.dates import today
from metering.choices import ReadingKind
from metering.readings import check_next_reading, record_reading

from .. import events
from ..choices import METER_DIAMETERS, OPEN_STATUSES, BuildingUse, RemovalReason
from ..models import Account, Meter, MeterInstallation, Premise, PremiseHouseholdCount
from .common import current_installation, lock_premises, not_far_ahead, not_in_future, require_date


@dataclass
class PremiseDetails:
    district: object
    road_name: str
    building_main: int
    postcode: str
    building_use: str
    building_sub: int = 0
    unit: str = ""
    legal_dong: str = ""
    building_name: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    route: object = None
    route_sequence: int = 0


@transaction.atomic
def register_premise(
    details: PremiseDetails, *, households: int = 1, on: date | None = None, acting_user
) -> Premise:
    on = require_date(on or today(), "on")
    if details.building_use not in BuildingUse.values:
        raise ValidationError({"building_use": _("Choose the building use.")})
    if households < 1:
        raise ValidationError({"households": _("A premise has at least one household.")})
    premise = Premise(**vars(details))
    premise.road_name = premise.road_name.strip()
    premise.unit = premise.unit.strip()
    premise.full_clean(exclude=["address_line"])
    try:
        with transaction.atomic():
            premise.save()
    except IntegrityError as exc:  # raced with another registration of the same address
        raise ValidationError(_("This address is already registered.")) from exc
    PremiseHouseholdCount.objects.create(premise=premise, households=households, effective_from=on)
    record_event(
        events.PREMISE_REGISTERED,
        actor=acting_user,
        subject=premise,
        household_id=premise.pk,
        effective_on=on,
        details={"households": households, "address": premise.address_line},
    )
    return premise


def households_on(premise: Premise, on: date) -> int | None:
    row = premise.household_counts.filter(effective_from__lte=on).order_by("-effective_from").first()
    return row.households if row else None


@transaction.atomic
def change_household_count(
    premise: Premise, *, households: int, effective_from: date, reason: str = "", acting_user
) -> PremiseHouseholdCount:
    """Record how many households share the meter from a date on; earlier periods keep their count."""
    (premise,) = lock_premises(premise)
    effective_from = not_far_ahead(effective_from, "effective_from")
    if households is None or not 1 <= households <= 9999:
        raise ValidationError({"households": _("Enter a number of households from 1 to 9,999.")})
    latest = premise.household_counts.order_by("-effective_from").first()
    if latest and effective_from <= latest.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "A change is already recorded from %(date)s; a new change must take effect after it."
                )
                % {"date": date_format(latest.effective_from)}
            }
        )
    before = latest.households if latest else None
    if before == households:
        raise ValidationError(
            {"households": _("The premise already has %(count)s household(s).") % {"count": households}}
        )
    row = PremiseHouseholdCount.objects.create(
        premise=premise, households=households, effective_from=effective_from, reason=reason.strip()
    )
    record_event(
        events.HOUSEHOLDS_CHANGED,
        actor=acting_user,
        subject=premise,
        household_id=premise.pk,
        effective_on=effective_from,
        details={"before": before, "after": households, "effective_from": effective_from.isoformat()},
        changes={"households": [before, households]},
        reason=reason,
    )
    return row


@dataclass
class MeterSpec:
    """The new meter: an existing spare by serial, or a new one with its size and dials."""

    serial: str
    diameter_mm: int | None = None
    dials: int | None = None
    manufacturer: str = ""
    remote_read: bool = False


def _meter_for(spec: MeterSpec) -> Meter:
    serial = (spec.serial or "").strip().upper()
    if not serial:
        raise ValidationError({"new_serial": _("Enter the new meter's serial number.")})
    meter = Meter.objects.select_for_update().filter(serial=serial).first()
    if meter is not None:
        elsewhere = (
            MeterInstallation.objects.filter(meter=meter, removed_on__isnull=True)
            .select_related("premise")
            .first()
        )
        if elsewhere is not None:
            raise ValidationError(
                {
                    "new_serial": _("Meter %(serial)s is installed at %(address)s; remove it there first.")
                    % {"serial": serial, "address": elsewhere.premise.address_line}
                }
            )
        return meter
    errors = {}
    if spec.diameter_mm not in METER_DIAMETERS:
        errors["new_diameter_mm"] = _("Choose the new meter's diameter.")
    if spec.dials is None or not 3 <= spec.dials <= 9:
        errors["new_dials"] = _("A meter has 3 to 9 dials.")
    if errors:
        raise ValidationError(errors)
    return Meter.objects.create(
        serial=serial,
        diameter_mm=spec.diameter_mm,
        dials=spec.dials,
        manufacturer=spec.manufacturer.strip(),
        remote_read=spec.remote_read,
    )


@transaction.atomic
def replace_meter(
    premise: Premise,
    *,
    on: date,
    new_meter: MeterSpec,
    install_reading: int,
    removal_reading: int | None = None,
    removal_rolled_over: bool = False,
    removal_reason: str = RemovalReason.REPLACED,
    reason: str = "",
    acting_user,
) -> MeterInstallation:
    """Remove the premise's meter at its removal reading and install another; a premise
    without a meter simply gets one."""
    (premise,) = lock_premises(premise)
    on = not_in_future(on, "on")
    old = current_installation(premise)
    if old is not None:
        if on < old.installed_on:
            raise ValidationError(
                {
                    "on": _("Meter %(serial)s was installed on %(date)s; it cannot be removed before that.")
                    % {"serial": old.meter.serial, "date": date_format(old.installed_on)}
                }
            )
        if removal_reason not in RemovalReason.values:
            raise ValidationError({"removal_reason": _("Choose why the meter is removed.")})
        check_next_reading(
            old.meter,
            value=removal_reading,
            read_on=on,
            rolled_over=removal_rolled_over,
            value_field="removal_reading",
        )
    elif removal_reading is not None:
        raise ValidationError(
            {"removal_reading": _("No meter is installed here, so there is nothing to remove.")}
        )

    meter = _meter_for(new_meter)
    if old is not None and meter.pk == old.meter_id:
        raise ValidationError(
            {"new_serial": _("The new meter must be a different meter from the one removed.")}
        )
    check_next_reading(meter, value=install_reading, read_on=on, value_field="install_reading")

    # The readings of a replacement belong to the account supplied here: the old meter's
    # last consumption is billed to it.
    supplied = (
        Account.objects.filter(premise=premise, status__in=OPEN_STATUSES, start_date__lte=on)
        .order_by("start_date", "id")
        .first()
    )
    if old is not None:
        old.removed_on = on
        old.removal_reading = removal_reading
        old.removal_reason = removal_reason
        old.save(update_fields=["removed_on", "removal_reading", "removal_reason"])
        record_reading(
            old.meter,
            value=removal_reading,
            read_on=on,
            kind=ReadingKind.REMOVAL,
            rolled_over=removal_rolled_over,
            account=supplied,
            acting_user=acting_user,
        )
    installation = MeterInstallation.objects.create(
        meter=meter, premise=premise, installed_on=on, install_reading=install_reading
    )
    record_reading(
        meter,
        value=install_reading,
        read_on=on,
        kind=ReadingKind.INSTALL,
        account=supplied,
        acting_user=acting_user,
    )
    details = {
        "new_serial": meter.serial,
        "new_diameter": meter.diameter_mm,
        "install_reading": install_reading,
    }
    if old is not None:
        details |= {
            "old_serial": old.meter.serial,
            "removal_reading": removal_reading,
            "removal_reason": removal_reason,
        }
    record_event(
        events.METER_REPLACED if old is not None else events.METER_INSTALLED,
        actor=acting_user,
        subject=installation,
        household_id=premise.pk,
        effective_on=on,
        details=details,
        reason=reason,
    )
    return installation
