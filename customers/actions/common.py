"""Helpers shared by the registry operations."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.dates import today
from metering.readings import check_next_reading, record_reading

from ..models import Account, MeterInstallation, Premise

# Effective dates further ahead than this are almost always typing mistakes.
MAX_DAYS_AHEAD = 366


def require_date(value: date | None, field: str) -> date:
    if value is None:
        raise ValidationError({field: _("Enter a date.")})
    return value


def not_in_future(value: date | None, field: str) -> date:
    """Operations with a meter reading happen on or before today: a future reading is unknowable."""
    value = require_date(value, field)
    if value > today():
        raise ValidationError(
            {
                field: _(
                    "The date %(date)s is in the future; a meter reading can only be taken on or before today."
                )
                % {"date": date_format(value)}
            }
        )
    return value


def not_far_ahead(value: date | None, field: str) -> date:
    value = require_date(value, field)
    if value > today() + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            {
                field: _("The date %(date)s is more than a year ahead; check the year.")
                % {"date": date_format(value)}
            }
        )
    return value


def lock_premises(*premises: Premise) -> list[Premise]:
    """Lock the premises an operation touches, always in id order, so two operations cannot deadlock."""
    ids = sorted({p.pk for p in premises})
    return list(
        Premise.objects.select_for_update().select_related("district").filter(pk__in=ids).order_by("pk")
    )


def lock_account(account: Account) -> Account:
    return (
        Account.objects.select_for_update().select_related("customer", "premise__district").get(pk=account.pk)
    )


def current_installation(premise: Premise) -> MeterInstallation | None:
    return (
        MeterInstallation.objects.select_related("meter")
        .filter(premise=premise, removed_on__isnull=True)
        .first()
    )


def take_reading(
    account: Account,
    *,
    value: int,
    on: date,
    kind: str,
    rolled_over: bool,
    acting_user,
    value_field: str = "reading",
    date_field: str = "on",
):
    """Read the meter of the account's premise: refuse a value that cannot follow the last one, else record it."""
    meter = installed_meter_or_refuse(account.premise, field=date_field)
    check_next_reading(
        meter,
        value=value,
        read_on=on,
        rolled_over=rolled_over,
        value_field=value_field,
        date_field=date_field,
    )
    return record_reading(
        meter,
        value=value,
        read_on=on,
        kind=kind,
        rolled_over=rolled_over,
        account=account,
        acting_user=acting_user,
    )


def installed_meter_or_refuse(premise: Premise, field: str = "premise"):
    installation = current_installation(premise)
    if installation is None:
        raise ValidationError(
            {
                field: _("No meter is installed at %(address)s. Install a meter first.")
                % {"address": premise.address_line}
            }
        )
    return installation.meter
