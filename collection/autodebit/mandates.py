"""Auto-debit mandates: enrolment, a change of bank account, cancellation, a logged reveal.

A mandate debits the bills whose due date is on or after its ``starts_on``, until its
``ended_on`` (the first day it no longer applies). Enrolling switches the account's
payment method to auto-debit; the end of its last mandate switches it back to direct
payment. Audit events and notices carry the bank account masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none
from core.dates import today as seoul_today
from core.models import AuditEvent
from customers.actions import check_reveal
from customers.choices import PaymentMethod
from customers.models import Account

from ..choices import MandateEndReason, PayerRelation
from ..models import Mandate
from . import events, notices
from .banks import BANKS, format_bank_account

# What staff may give as the reason when they cancel; the others are set by the system.
CANCEL_REASONS = (
    MandateEndReason.CUSTOMER_REQUEST,
    MandateEndReason.BANK_ACCOUNT_CLOSED,
    MandateEndReason.REVOKED_AT_BANK,
    MandateEndReason.ENTERED_IN_ERROR,
)
# A start further ahead than this is a typing mistake.
MAX_DAYS_AHEAD = 366


def bank_account_digits(text: str) -> str:
    """The number as the customer writes it (110-123-455678, spaces) → its digits."""
    return re.sub(r"[\s-]", "", text or "")


def current_mandate(account_id: int, *, lock: bool = False) -> Mandate | None:
    mandates = Mandate.objects.filter(account_id=account_id, ended_on__isnull=True)
    if lock:
        mandates = mandates.select_for_update()
    return mandates.first()


def _lock_account(account: Account) -> Account:
    return Account.objects.select_for_update().select_related("customer").get(pk=account.pk)


def _details(mandate: Mandate, account: Account) -> dict:
    return {
        "account": account.display_number,
        "bank": f"{mandate.bank} {mandate.bank_name}",
        "bank_account": mandate.masked_account,
    }


@transaction.atomic
def enrol_auto_debit(
    account: Account,
    *,
    bank: str,
    bank_account: str,
    holder_name: str,
    starts_on: date | None,
    acting_user,
    payer_relation: str = PayerRelation.HOLDER,
    requested_on: date | None = None,
    replace: bool = False,
) -> Mandate:
    """Debit the account's bills from this bank account, from the first bill due on or after ``starts_on``.

    With ``replace`` the account's current mandate gives way to the new one (a new bank
    account): it applies until the new one starts, so no bill in between goes undebited.
    """
    today = seoul_today()
    bank = (bank or "").strip()
    digits = bank_account_digits(bank_account)
    holder_name = " ".join((holder_name or "").split())
    requested_on = requested_on or today
    errors = {}
    if bank not in BANKS:
        errors["bank"] = _("Unknown bank code “%(code)s”; choose one of the banks in the list.") % {
            "code": bank
        }
    if not re.fullmatch(r"[0-9]{10,16}", digits):
        errors["bank_account"] = _("A bank account number has 10 to 16 digits; “%(value)s” does not.") % {
            "value": bank_account
        }
    if not holder_name:
        errors["holder_name"] = _("Enter the name of the bank account's holder.")
    elif len(holder_name) > 100:
        errors["holder_name"] = _("The holder's name is longer than 100 characters.")
    if payer_relation not in PayerRelation.values:
        errors["payer_relation"] = _("Say whose bank account it is.")
    if requested_on > today:
        errors["requested_on"] = _("The application cannot be dated in the future.")
    if starts_on is None:
        errors["starts_on"] = _("Enter the date from which bills are debited.")
    elif starts_on < today:
        errors["starts_on"] = _(
            "Auto-debit cannot start in the past (%(date)s): bills already due are paid directly. Start today or later."
        ) % {"date": date_format(starts_on)}
    elif starts_on > today + timedelta(days=MAX_DAYS_AHEAD):
        errors["starts_on"] = _("The start %(date)s is more than a year ahead; check the year.") % {
            "date": date_format(starts_on)
        }
    if errors:
        raise ValidationError(errors)

    account = _lock_account(account)
    if not account.is_open:
        raise ValidationError(
            _("Account %(account)s is closed; a closed account cannot be enrolled in auto-debit.")
            % {"account": account.display_number},
            code="closed",
        )
    current = current_mandate(account.pk, lock=True)
    if current is not None and not replace:
        raise ValidationError(
            _(
                "Account %(account)s already pays by auto-debit from %(bank)s %(bank_account)s "
                "(bills due from %(date)s). To debit another bank account, change the bank account."
            )
            % {
                "account": account.display_number,
                "bank": current.bank_name,
                "bank_account": current.masked_account,
                "date": date_format(current.starts_on),
            },
            code="enrolled",
        )
    if current is not None and (current.bank, current.bank_account) == (bank, digits):
        raise ValidationError(
            {"bank_account": _("This is the bank account the current mandate already debits.")}
        )
    if current is not None:
        _end(
            current,
            account,
            on=max(starts_on, current.requested_on),
            reason=MandateEndReason.REPLACED,
            acting_user=acting_user,
            tell_customer=None,  # the enrolment notice below says what changes
        )
    mandate = Mandate.objects.create(
        account=account,
        bank=bank,
        bank_account=digits,
        holder_name=holder_name,
        payer_relation=payer_relation,
        requested_on=requested_on,
        starts_on=starts_on,
        recorded_by=user_or_none(acting_user),
    )
    if account.payment_method != PaymentMethod.AUTO_DEBIT:
        account.payment_method = PaymentMethod.AUTO_DEBIT
        account.save(update_fields=["payment_method", "updated_at"])
    details = _details(mandate, account) | {
        "holder": mandate.masked_holder,
        "payer_relation": payer_relation,
        "starts_on": starts_on.isoformat(),
    }
    if current is not None:
        details["replaces"] = f"{current.bank_name} {current.masked_account}"
    record_event(
        events.MANDATE_ENROLLED,
        actor=acting_user,
        subject=mandate,
        household_id=account.premise_id,
        effective_on=starts_on,
        details=details,
    )
    notices.enrolled(mandate, account.customer)
    return mandate


@transaction.atomic
def cancel_auto_debit(mandate: Mandate, *, reason: str, acting_user, note: str = "") -> Mandate:
    """End the mandate today: bills falling due from today on are paid directly."""
    if reason not in CANCEL_REASONS:
        raise ValidationError({"reason": _("Say why auto-debit is cancelled.")})
    note = (note or "").strip()
    account = _lock_account(mandate.account)
    mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if mandate.ended_on is not None:
        raise ValidationError(
            _("This mandate already ends on %(date)s (%(reason)s).")
            % {"date": date_format(mandate.ended_on), "reason": mandate.get_end_reason_display()},
            code="ended",
        )
    _end(
        mandate,
        account,
        on=max(seoul_today(), mandate.requested_on),
        reason=reason,
        note=note,
        acting_user=acting_user,
        tell_customer=account.customer,
    )
    return mandate


def end_mandate_for_new_holder(account: Account, *, on: date, old_holder, acting_user) -> Mandate | None:
    """A change of holder: the old holder's bank account stops paying the account's bills from ``on``.

    Called by customers.actions.transfer_account inside its transaction, with the account locked.
    """
    current = current_mandate(account.pk, lock=True)
    if current is None:
        return None
    _end(
        current,
        account,
        on=max(on, current.requested_on),
        reason=MandateEndReason.HOLDER_CHANGED,
        acting_user=acting_user,
        tell_customer=old_holder,
        switch_to_direct=False,  # the transfer sets the account's payment method itself
    )
    return current


def carry_mandate_on_move(closed: Account, new: Account, *, on: date, acting_user) -> Mandate | None:
    """A move within the city: the same bank account debits the new account's bills from the move-in on.

    The old account's mandate stays: its final bill is still debited from it. Called by
    customers.actions.move_household inside its transaction, with both accounts locked.
    """
    current = current_mandate(closed.pk)
    if current is None:
        return None
    mandate = Mandate.objects.create(
        account=new,
        bank=current.bank,
        bank_account=current.bank_account,
        holder_name=current.holder_name,
        payer_relation=current.payer_relation,
        requested_on=on,
        starts_on=on,
        recorded_by=user_or_none(acting_user),
    )
    record_event(
        events.MANDATE_ENROLLED,
        actor=acting_user,
        subject=mandate,
        household_id=new.premise_id,
        effective_on=on,
        details=_details(mandate, new)
        | {
            "holder": mandate.masked_holder,
            "payer_relation": mandate.payer_relation,
            "starts_on": on.isoformat(),
            "moved_from": closed.display_number,
        },
    )
    notices.enrolled(mandate, new.customer)
    return mandate


def end_mandate_after_failure(
    mandate: Mandate, account: Account, *, on: date, reason: str, result_code: str, acting_user
) -> bool:
    """A failed debit that says the mandate cannot work again (account closed, revoked at the bank).

    Returns whether it ended now; the customer's notice of the failure says so.
    """
    mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if mandate.ended_on is not None and mandate.ended_on <= on:
        return False
    _end(
        mandate,
        account,
        on=max(on, mandate.requested_on),
        reason=reason,
        acting_user=acting_user,
        tell_customer=None,  # the failure notice tells
        result_code=result_code,
    )
    return True


def _end(
    mandate: Mandate,
    account: Account,
    *,
    on: date,
    reason: str,
    acting_user,
    tell_customer,
    note: str = "",
    result_code: str = "",
    switch_to_direct: bool = True,
) -> None:
    mandate.ended_on = on
    mandate.end_reason = reason
    mandate.end_note = note[:300]
    mandate.ended_by = user_or_none(acting_user)
    mandate.save(update_fields=["ended_on", "end_reason", "end_note", "ended_by"])
    still_debited = (
        Mandate.objects.filter(account=account, ended_on__isnull=True).exclude(pk=mandate.pk).exists()
    )
    back_to_direct = switch_to_direct and reason != MandateEndReason.REPLACED and not still_debited
    if back_to_direct and account.payment_method != PaymentMethod.DIRECT:
        account.payment_method = PaymentMethod.DIRECT
        account.save(update_fields=["payment_method", "updated_at"])
    details = _details(mandate, account) | {"ended_on": on.isoformat(), "end_reason": reason}
    if result_code:
        details["result_code"] = result_code
    record_event(
        events.MANDATE_ENDED,
        actor=acting_user,
        subject=mandate,
        household_id=account.premise_id,
        effective_on=on,
        details=details,
        reason=note,
    )
    if tell_customer is not None:
        notices.ended(mandate, tell_customer)


@dataclass(frozen=True)
class RevealedMandate:
    bank_account: str  # grouped, in clear
    holder_name: str


@transaction.atomic
def reveal_mandate(mandate: Mandate, *, reason: str, note: str = "", acting_user) -> RevealedMandate:
    """Unmask the mandate's bank account and holder for one response, and log who did it and why."""
    note = check_reveal(acting_user, reason, note)
    account = mandate.account
    record_event(
        events.MANDATE_REVEALED,
        actor=acting_user,
        subject=mandate,
        household_id=account.premise_id,
        category=AuditEvent.Category.ACCESS,
        details={"account": account.display_number, "why": reason},
        reason=note,
    )
    return RevealedMandate(format_bank_account(mandate.bank_account), mandate.holder_name)
