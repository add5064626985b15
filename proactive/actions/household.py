"""What a household tells the utility that explains its use: declared events and residents.

A declared event (김장 next week, guests for a month, filling a tank) suppresses an
unusual read whose period overlaps it; the number of residents turns use into use per
person, so a new baby or a lodger is not mistaken for a leak. Both are recorded with
who took them and appear in the household's timeline.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event
from core.dates import today
from customers.actions.common import lock_account
from customers.choices import UseType
from customers.models import Account

from .. import events
from ..choices import EventKind
from ..models import DeclaredEvent, ResidentCount

# An event explains days of use, not a season: a longer rise is a change of household
# (residents) or a case for the pre-call, never silently suppressed.
LONGEST_EVENT_DAYS = 62
# How far back an event may be declared: the read that covers it is at most two months old.
EARLIEST_EVENT_DAYS = 92
# How far ahead a declaration or a resident change may be recorded.
FURTHEST_AHEAD_DAYS = 365
MAX_RESIDENTS = 99


def _lock_open_account(account: Account) -> Account:
    account = lock_account(account)
    if not account.is_open:
        raise ValidationError(
            _("Account %(account)s is closed; record this on the account open now.")
            % {"account": account.display_number},
            code="closed",
        )
    return account


@transaction.atomic
def declare_event(
    account: Account, *, kind: str, starts_on: date, ends_on: date, note: str, acting_user
) -> DeclaredEvent:
    """Record an event the household will use (or used) more water for."""
    if kind not in EventKind.values:
        raise ValidationError({"kind": _("Choose what the household uses more water for.")})
    note = (note or "").strip()
    if kind == EventKind.OTHER and not note:
        raise ValidationError({"note": _("Say what the event is.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The event cannot end before it starts.")})
    if (ends_on - starts_on).days + 1 > LONGEST_EVENT_DAYS:
        raise ValidationError(
            {
                "ends_on": _(
                    "An event lasts at most %(days)s days. For a lasting change, register the residents instead."
                )
                % {"days": LONGEST_EVENT_DAYS}
            }
        )
    now = today()
    if ends_on < now - timedelta(days=EARLIEST_EVENT_DAYS):
        raise ValidationError(
            {"starts_on": _("An event that ended more than %(days)s days ago explains no read still to be judged.")
             % {"days": EARLIEST_EVENT_DAYS}}
        )  # fmt: skip
    if starts_on > now + timedelta(days=FURTHEST_AHEAD_DAYS):
        raise ValidationError({"starts_on": _("An event can be declared at most a year ahead.")})
    account = _lock_open_account(account)
    event = DeclaredEvent.objects.create(
        account=account,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note[:200],
        recorded_by=acting_user,
    )
    record_event(
        events.EVENT_DECLARED,
        actor=acting_user,
        subject=event,
        household_id=account.premise_id,
        effective_on=starts_on,
        details={
            "account": account.display_number,
            "event_kind": kind,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "note": event.note,
        },
    )
    return event


@transaction.atomic
def withdraw_event(event: DeclaredEvent, *, acting_user) -> DeclaredEvent:
    """A mistaken declaration stops explaining reads; the record stays (a suppression may cite it)."""
    event = DeclaredEvent.objects.select_for_update().select_related("account").get(pk=event.pk)
    if event.withdrawn_at is not None:
        raise ValidationError(_("This event was already withdrawn."), code="withdrawn")
    event.withdrawn_at, event.withdrawn_by = timezone.now(), acting_user
    event.save(update_fields=["withdrawn_at", "withdrawn_by"])
    record_event(
        events.EVENT_WITHDRAWN,
        actor=acting_user,
        subject=event,
        household_id=event.account.premise_id,
        details={
            "account": event.account.display_number,
            "event_kind": event.kind,
            "starts_on": event.starts_on.isoformat(),
            "ends_on": event.ends_on.isoformat(),
        },
    )
    return event


@transaction.atomic
def register_residents(
    account: Account, *, residents: int, effective_from: date, reason: str, acting_user
) -> ResidentCount:
    """How many people live in the household from a date on (a second entry for that date corrects it)."""
    if not 1 <= residents <= MAX_RESIDENTS:
        raise ValidationError(
            {"residents": _("Between 1 and %(most)s people live in one household.") % {"most": MAX_RESIDENTS}}
        )
    account = _lock_open_account(account)
    if account.use_type != UseType.DOMESTIC:
        # A shop's or a factory's use follows its trade, not the people in it.
        raise ValidationError(_("Residents are counted for homes (domestic use) only."), code="not_domestic")
    if effective_from < account.start_date:
        raise ValidationError(
            {"effective_from": _("The account's service started on %(start)s; count from then on.")
             % {"start": account.start_date.isoformat()}}
        )  # fmt: skip
    if effective_from > today() + timedelta(days=FURTHEST_AHEAD_DAYS):
        raise ValidationError({"effective_from": _("A change can be recorded at most a year ahead.")})
    reason = (reason or "").strip()[:200]
    count, created = ResidentCount.objects.update_or_create(
        account=account,
        effective_from=effective_from,
        defaults={"residents": residents, "reason": reason, "recorded_by": acting_user},
    )
    record_event(
        events.RESIDENTS_REGISTERED,
        actor=acting_user,
        subject=count,
        household_id=account.premise_id,
        effective_on=effective_from,
        details={
            "account": account.display_number,
            "residents": residents,
            "effective_from": effective_from.isoformat(),
            "reason": reason,
            "corrected": not created,
        },
    )
    return count
