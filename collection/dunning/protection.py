"""Protected households: registered vulnerable households and medical need are never disconnected for arrears.

They are still reminded (a reminder that says nothing of disconnection): the debt is real,
and the reminder is often what brings them to ask for an arrangement or welfare support.
Registering protection on an account whose water is ordered off orders it back on at once.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none
from core.dates import today as seoul_today
from customers.models import Account

from ..choices import ProtectionReason
from ..ledger import lock_accounts
from ..models import Disconnection, Protection
from . import events


def _details(protection: Protection) -> dict:
    return {
        "account": protection.account.display_number,
        "protection_reason": protection.reason,
        "starts_on": protection.starts_on.isoformat(),
        "ends_on": protection.ends_on.isoformat() if protection.ends_on else "",
    }


@transaction.atomic
def register_protection(
    account: Account,
    *,
    reason: str,
    evidence: str,
    starts_on: date,
    ends_on: date | None = None,
    acting_user,
) -> Protection:
    """Protect the account from disconnection notices and orders from ``starts_on`` (until ``ends_on``, inclusive)."""
    today = seoul_today()
    if reason not in ProtectionReason.values:
        raise ValidationError({"reason": _("Choose why the household is protected.")})
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError(
            {"evidence": _("Say what shows the need: the document seen or the agency that confirmed it.")}
        )
    if starts_on > today:
        raise ValidationError({"starts_on": _("Protection starts today at the latest.")})
    if ends_on is not None and ends_on < today:
        raise ValidationError({"ends_on": _("The end must not be in the past.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end must be on or after the start.")})
    lock_accounts([account.pk])
    overlapping = Protection.objects.filter(account=account).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    if overlapping.exists():
        raise ValidationError(
            _("Account %(account)s is already protected for these dates; end that protection first.")
            % {"account": account.display_number},
            code="overlap",
        )
    protection = Protection.objects.create(
        account=account,
        reason=reason,
        evidence=evidence[:300],
        starts_on=starts_on,
        ends_on=ends_on,
        recorded_by=user_or_none(acting_user),
        recorded_at=timezone.now(),
    )
    record_event(
        events.PROTECTION_REGISTERED,
        actor=acting_user,
        subject=protection,
        household_id=account.premise_id,
        effective_on=starts_on,
        details=_details(protection),
        reason=evidence,
    )
    disconnection = Disconnection.objects.filter(account=account, resolved_at__isnull=True).first()
    if disconnection is not None:
        from .reconnection import resolve

        # Water off in a protected household (a dialysis patient …) cannot wait for the arrears.
        resolve(disconnection.pk, protected=True)
    return protection


@transaction.atomic
def end_protection(protection: Protection, *, reason: str, acting_user) -> Protection:
    """End a protection today (the household is protected through the end of the day)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the protection ends (e.g. the benefit ended).")})
    today = seoul_today()
    protection = Protection.objects.select_for_update().select_related("account").get(pk=protection.pk)
    if protection.ended_at is not None or (protection.ends_on is not None and protection.ends_on < today):
        raise ValidationError(_("This protection has already ended."), code="ended")
    protection.ends_on = max(today, protection.starts_on)
    protection.ended_at = timezone.now()
    protection.ended_by = user_or_none(acting_user)
    protection.end_reason = reason[:300]
    protection.save(update_fields=["ends_on", "ended_at", "ended_by", "end_reason"])
    record_event(
        events.PROTECTION_ENDED,
        actor=acting_user,
        subject=protection,
        household_id=protection.account.premise_id,
        effective_on=protection.ends_on,
        details=_details(protection),
        reason=reason,
    )
    return protection
