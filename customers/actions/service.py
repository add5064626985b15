"""Service agreements: start, stop, move within the city, change of holder, suspension."""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit import record_event
from core.sequences import take_numbers, with_check_digit
from metering.choices import ReadingKind
from metering.readings import check_next_reading, record_reading

from .. import events
from ..choices import OPEN_STATUSES, AccountStatus, BillDelivery, HoldingReason, PaymentMethod, UseType
from ..models import Account, AccountHolding, AccountSuspension, Customer, Premise
from ..privacy import shown_name
from .common import installed_meter_or_refuse, lock_account, lock_premises, not_in_future, take_reading
from .customers import CustomerDetails, register_customer

ACCOUNT_NUMBER_SEQUENCE = "account_number"
ACCOUNT_NUMBER_START = 100_000_001


def new_account_numbers(count: int) -> list[str]:
    """9 digits + Luhn check digit, e.g. 1000000017 (shown as 100000001-7)."""
    return [
        with_check_digit(n, 9)
        for n in take_numbers(ACCOUNT_NUMBER_SEQUENCE, count, start=ACCOUNT_NUMBER_START)
    ]


def _resolve_customer(customer: Customer | CustomerDetails, *, acting_user, household_id) -> Customer:
    if isinstance(customer, Customer):
        return customer
    return register_customer(customer, acting_user=acting_user, household_id=household_id)


def _refuse_if_open_account(premise: Premise, use_type: str, field: str = "premise") -> None:
    existing = premise.accounts.filter(use_type=use_type, status__in=OPEN_STATUSES).first()
    if existing is not None:
        raise ValidationError(
            {
                field: _("%(address)s already has an open %(use_type)s account (%(account)s); stop it first.")
                % {
                    "address": premise.address_line,
                    "use_type": UseType(use_type).label,
                    "account": existing.display_number,
                }
            }
        )


def _open_account(
    premise: Premise,
    customer: Customer,
    *,
    use_type: str,
    on: date,
    start_reading: int,
    rolled_over: bool,
    payment_method: str,
    bill_delivery: str,
    acting_user,
    reading_field: str = "start_reading",
    date_field: str = "on",
) -> Account:
    """Validate and create an account with its first holding and start reading (no audit)."""
    if use_type not in UseType.values:
        raise ValidationError({"use_type": _("Choose a use type.")})
    _refuse_if_open_account(premise, use_type)
    previous = (
        premise.accounts.filter(use_type=use_type, end_date__isnull=False).order_by("-end_date").first()
    )
    if previous is not None and previous.end_date and on < previous.end_date:
        raise ValidationError(
            {
                date_field: _(
                    "The previous %(use_type)s account here ended on %(date)s; service cannot start before that."
                )
                % {"use_type": UseType(use_type).label, "date": date_format(previous.end_date)}
            }
        )
    meter = installed_meter_or_refuse(premise)
    check_next_reading(
        meter,
        value=start_reading,
        read_on=on,
        rolled_over=rolled_over,
        value_field=reading_field,
        date_field=date_field,
    )
    if payment_method not in PaymentMethod.values:
        raise ValidationError({"payment_method": _("Choose a payment method.")})
    bill_delivery = _deliverable(bill_delivery, customer)
    try:
        with transaction.atomic():
            account = Account.objects.create(
                number=new_account_numbers(1)[0],
                customer=customer,
                premise=premise,
                use_type=use_type,
                start_date=on,
                payment_method=payment_method,
                bill_delivery=bill_delivery,
            )
    except IntegrityError as exc:  # another agent opened the same account a moment ago
        raise ValidationError(
            {"premise": _("This premise already has an open account of this use type.")}
        ) from exc
    AccountHolding.objects.create(
        account=account, customer=customer, valid_from=on, reason=HoldingReason.OPENED
    )
    record_reading(
        meter,
        value=start_reading,
        read_on=on,
        kind=ReadingKind.START,
        rolled_over=rolled_over,
        account=account,
        acting_user=acting_user,
    )
    return account


def _deliverable(bill_delivery: str, customer: Customer) -> str:
    """Bills go by e-mail or SMS only to customers who agreed and can receive them."""
    if bill_delivery not in BillDelivery.values:
        raise ValidationError({"bill_delivery": _("Choose how bills are sent.")})
    if bill_delivery == BillDelivery.EMAIL and not customer.consent_email:
        raise ValidationError({"bill_delivery": _("The customer has not agreed to e-mail notices.")})
    if bill_delivery == BillDelivery.SMS and not customer.consent_sms:
        raise ValidationError({"bill_delivery": _("The customer has not agreed to SMS notices.")})
    return bill_delivery


def _close_account(
    account: Account,
    *,
    on: date,
    final_reading: int,
    rolled_over: bool,
    acting_user,
    reading_field: str = "final_reading",
    date_field: str = "on",
) -> Account:
    """Validate and close an open account at its final reading (no audit)."""
    if not account.is_open:
        raise ValidationError(
            _("Account %(account)s is already closed (since %(date)s).")
            % {"account": account.display_number, "date": date_format(account.end_date)}
        )
    on = not_in_future(on, date_field)
    if on < account.start_date:
        raise ValidationError(
            {
                date_field: _("Service started on %(date)s; it cannot end before that.")
                % {"date": date_format(account.start_date)}
            }
        )
    suspension = account.suspensions.filter(ended_on__isnull=True).first()
    if suspension is not None and on < suspension.suspended_on:
        raise ValidationError(
            {
                date_field: _("The account has been suspended since %(date)s; it cannot end before that.")
                % {"date": date_format(suspension.suspended_on)}
            }
        )
    take_reading(
        account,
        value=final_reading,
        on=on,
        kind=ReadingKind.FINAL,
        rolled_over=rolled_over,
        acting_user=acting_user,
        value_field=reading_field,
        date_field=date_field,
    )
    if suspension is not None:
        suspension.ended_on = on
        suspension.save(update_fields=["ended_on"])
    account.status = AccountStatus.CLOSED
    account.end_date = on
    account.save(update_fields=["status", "end_date", "updated_at"])
    account.holdings.filter(valid_to__isnull=True).update(valid_to=on)
    return account


@transaction.atomic
def start_service(
    *,
    premise: Premise,
    customer: Customer | CustomerDetails,
    use_type: str,
    on: date,
    start_reading: int,
    rolled_over: bool = False,
    payment_method: str = PaymentMethod.DIRECT,
    bill_delivery: str = BillDelivery.POST,
    reason: str = "",
    acting_user,
) -> Account:
    """Open an account for a customer (existing, or registered now) at a premise."""
    (premise,) = lock_premises(premise)
    on = not_in_future(on, "on")
    customer = _resolve_customer(customer, acting_user=acting_user, household_id=premise.pk)
    account = _open_account(
        premise,
        customer,
        use_type=use_type,
        on=on,
        start_reading=start_reading,
        rolled_over=rolled_over,
        payment_method=payment_method,
        bill_delivery=bill_delivery,
        acting_user=acting_user,
    )
    record_event(
        events.SERVICE_STARTED,
        actor=acting_user,
        subject=account,
        household_id=premise.pk,
        effective_on=on,
        details={
            "account": account.display_number,
            "customer": shown_name(customer),
            "use_type": use_type,
            "reading": start_reading,
            "payment_method": payment_method,
            "bill_delivery": account.bill_delivery,
        },
        reason=reason,
    )
    return account


@transaction.atomic
def stop_service(
    account: Account,
    *,
    on: date,
    final_reading: int,
    rolled_over: bool = False,
    reason: str = "",
    acting_user,
) -> Account:
    """Close an account at its final meter reading."""
    lock_premises(account.premise)
    account = lock_account(account)
    _close_account(
        account, on=on, final_reading=final_reading, rolled_over=rolled_over, acting_user=acting_user
    )
    record_event(
        events.SERVICE_STOPPED,
        actor=acting_user,
        subject=account,
        household_id=account.premise_id,
        effective_on=on,
        details={"account": account.display_number, "reading": final_reading},
        reason=reason,
    )
    return account


@transaction.atomic
def move_household(
    account: Account,
    *,
    to_premise: Premise,
    moved_out_on: date,
    final_reading: int,
    moved_in_on: date,
    start_reading: int,
    final_rolled_over: bool = False,
    start_rolled_over: bool = False,
    use_type: str | None = None,
    reason: str = "",
    acting_user,
) -> Account:
    """Stop service at the old premise and start it at the new one: both or neither.

    The customer, payment method and bill delivery move along; the new account
    has its own number because it serves another premise.
    """
    if to_premise.pk == account.premise_id:
        raise ValidationError({"to_premise": _("The new address is the same as the current one.")})
    lock_premises(account.premise, to_premise)
    account = lock_account(account)
    to_premise = Premise.objects.select_related("district").get(pk=to_premise.pk)
    old_address = account.premise.address_line
    closed = _close_account(
        account,
        on=moved_out_on,
        final_reading=final_reading,
        rolled_over=final_rolled_over,
        acting_user=acting_user,
        date_field="moved_out_on",
    )
    moved_in_on = not_in_future(moved_in_on, "moved_in_on")
    new = _open_account(
        to_premise,
        closed.customer,
        use_type=use_type or closed.use_type,
        on=moved_in_on,
        start_reading=start_reading,
        rolled_over=start_rolled_over,
        payment_method=closed.payment_method,
        bill_delivery=closed.bill_delivery,
        acting_user=acting_user,
        date_field="moved_in_on",
    )
    # Auto-debit moves along too: the same bank account debits the new account's bills.
    from collection.autodebit.mandates import carry_mandate_on_move  # collection builds on customers

    carry_mandate_on_move(closed, new, on=moved_in_on, acting_user=acting_user)
    operation = uuid.uuid4()
    customer = shown_name(closed.customer)
    record_event(
        events.MOVED_OUT,
        actor=acting_user,
        subject=closed,
        household_id=closed.premise_id,
        effective_on=moved_out_on,
        operation=operation,
        reason=reason,
        details={
            "account": closed.display_number,
            "customer": customer,
            "reading": final_reading,
            "to_address": to_premise.address_line,
            "new_account": new.display_number,
        },
    )
    record_event(
        events.MOVED_IN,
        actor=acting_user,
        subject=new,
        household_id=to_premise.pk,
        effective_on=moved_in_on,
        operation=operation,
        reason=reason,
        details={
            "account": new.display_number,
            "customer": customer,
            "reading": start_reading,
            "from_address": old_address,
            "old_account": closed.display_number,
        },
    )
    return new


@transaction.atomic
def transfer_account(
    account: Account, *, new_holder: Customer | CustomerDetails, on: date, reason: str = "", acting_user
) -> AccountHolding:
    """Change of holder (명의변경): the account, its premise and history stay; who holds it changes."""
    lock_premises(account.premise)
    account = lock_account(account)
    if not account.is_open:
        raise ValidationError(
            _("Account %(account)s is closed; a closed account cannot change holder.")
            % {"account": account.display_number}
        )
    on = not_in_future(on, "on")
    current = account.holdings.select_for_update().get(valid_to__isnull=True)
    if on < current.valid_from:
        raise ValidationError(
            {
                "on": _(
                    "The current holder has held the account since %(date)s; the change cannot be dated earlier."
                )
                % {"date": date_format(current.valid_from)}
            }
        )
    holder = _resolve_customer(new_holder, acting_user=acting_user, household_id=account.premise_id)
    if holder.pk == current.customer_id:
        raise ValidationError({"new_holder": _("This customer already holds the account.")})
    old_holder = account.customer
    current.valid_to = on
    current.save(update_fields=["valid_to"])
    holding = AccountHolding.objects.create(
        account=account, customer=holder, valid_from=on, reason=HoldingReason.TRANSFER
    )
    # A bank mandate belongs to the old holder; bill channels need the new holder's consent.
    from collection.autodebit.mandates import end_mandate_for_new_holder  # collection builds on customers

    mandate = end_mandate_for_new_holder(account, on=on, old_holder=old_holder, acting_user=acting_user)
    auto_debit_ended = mandate is not None or account.payment_method == PaymentMethod.AUTO_DEBIT
    account.customer = holder
    account.payment_method = PaymentMethod.DIRECT
    if (account.bill_delivery == BillDelivery.EMAIL and not holder.consent_email) or (
        account.bill_delivery == BillDelivery.SMS and not holder.consent_sms
    ):
        account.bill_delivery = BillDelivery.POST
    account.save(update_fields=["customer", "payment_method", "bill_delivery", "updated_at"])
    record_event(
        events.HOLDER_CHANGED,
        actor=acting_user,
        subject=account,
        household_id=account.premise_id,
        effective_on=on,
        details={
            "account": account.display_number,
            "old_holder": shown_name(old_holder),
            "new_holder": shown_name(holder),
            "on": on.isoformat(),
            "auto_debit_ended": auto_debit_ended,
        },
        changes={"holder": [old_holder.number, holder.number]},
        reason=reason,
    )
    return holding


@transaction.atomic
def suspend_account(
    account: Account,
    *,
    on: date,
    reading: int,
    planned_resume_on: date | None = None,
    rolled_over: bool = False,
    reason: str = "",
    acting_user,
) -> AccountSuspension:
    """Temporary stop for a long absence: the meter is read and service paused."""
    lock_premises(account.premise)
    account = lock_account(account)
    if account.status != AccountStatus.ACTIVE:
        raise ValidationError(
            _("Only an active account can be suspended; account %(account)s is %(status)s.")
            % {"account": account.display_number, "status": account.get_status_display()}
        )
    on = not_in_future(on, "on")
    if on < account.start_date:
        raise ValidationError(
            {
                "on": _("Service started on %(date)s; it cannot be suspended before that.")
                % {"date": date_format(account.start_date)}
            }
        )
    if planned_resume_on is not None and planned_resume_on <= on:
        raise ValidationError(
            {"planned_resume_on": _("The expected return must be after the suspension date.")}
        )
    take_reading(
        account,
        value=reading,
        on=on,
        kind=ReadingKind.SUSPEND,
        rolled_over=rolled_over,
        acting_user=acting_user,
    )
    suspension = AccountSuspension.objects.create(
        account=account, suspended_on=on, planned_resume_on=planned_resume_on, reason=reason.strip()
    )
    account.status = AccountStatus.SUSPENDED
    account.save(update_fields=["status", "updated_at"])
    record_event(
        events.SUSPENDED,
        actor=acting_user,
        subject=account,
        household_id=account.premise_id,
        effective_on=on,
        details={
            "account": account.display_number,
            "reading": reading,
            "planned": planned_resume_on.isoformat() if planned_resume_on else "—",
        },
        reason=reason,
    )
    return suspension


@transaction.atomic
def resume_account(
    account: Account, *, on: date, reading: int, rolled_over: bool = False, reason: str = "", acting_user
) -> Account:
    """End a suspension: the meter is read and service continues on the same account."""
    lock_premises(account.premise)
    account = lock_account(account)
    if account.status != AccountStatus.SUSPENDED:
        raise ValidationError(
            _("Account %(account)s is not suspended.") % {"account": account.display_number}
        )
    suspension = account.suspensions.select_for_update().get(ended_on__isnull=True)
    on = not_in_future(on, "on")
    if on < suspension.suspended_on:
        raise ValidationError(
            {
                "on": _("The account was suspended on %(date)s; it cannot resume before that.")
                % {"date": date_format(suspension.suspended_on)}
            }
        )
    take_reading(
        account,
        value=reading,
        on=on,
        kind=ReadingKind.RESUME,
        rolled_over=rolled_over,
        acting_user=acting_user,
    )
    suspension.ended_on = on
    suspension.save(update_fields=["ended_on"])
    account.status = AccountStatus.ACTIVE
    account.save(update_fields=["status", "updated_at"])
    record_event(
        events.RESUMED,
        actor=acting_user,
        subject=account,
        household_id=account.premise_id,
        effective_on=on,
        details={"account": account.display_number, "reading": reading},
        reason=reason,
    )
    return account
