"""Payment arrangements (분납): arrears split into installments; honoured, they hold dunning.

An arrangement is **honoured** while the money received since it was agreed (every posted
payment, whatever it was allocated to) covers the installments fallen due — each judged
``ARRANGEMENT_GRACE_DAYS`` after its date. One installment later than that **breaks** it:
dunning resumes at the stage the episode had reached. It is **completed** when the
arrears are paid (the installments' sum received, or nothing overdue any more).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none
from core.dates import today as seoul_today
from core.lookups import Ids
from customers.models import Account

from ..choices import ArrangementStatus, PaymentStatus
from ..ledger import lock_accounts, position
from ..models import ArrearsEpisode, Installment, Payment, PaymentArrangement
from . import events
from .config import config
from .notices import notify_arrangement, notify_broken_arrangement

MIN_INSTALLMENTS, MAX_INSTALLMENTS = 2, 12
# The last installment falls within this many days of the agreement.
LONGEST_DAYS = 366


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 January + 1 month → 28/29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for dom in (day.day, 30, 29, 28):
        try:
            return date(year, month, dom)
        except ValueError:
            continue
    raise ValueError(day)


def equal_installments(arrears: int, count: int, first_due: date) -> list[tuple[date, int]]:
    """A monthly schedule of ``count`` installments in 10-won amounts; the first takes what does not divide."""
    if count < 1:
        return []
    part = arrears // count // 10 * 10
    first = arrears - part * (count - 1)
    return [(add_months(first_due, k), first if k == 0 else part) for k in range(count)]


def _check_schedule(schedule: list[tuple[date, int]], arrears: int, today: date) -> None:
    if not MIN_INSTALLMENTS <= len(schedule) <= MAX_INSTALLMENTS:
        raise ValidationError(
            {
                "installments": _("An arrangement has from %(min)s to %(max)s installments, not %(count)s.")
                % {"min": MIN_INSTALLMENTS, "max": MAX_INSTALLMENTS, "count": len(schedule)}
            }
        )
    for number, (due_on, amount) in enumerate(schedule, start=1):
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValidationError(
                {
                    "amounts": _("Installment %(number)s must be a positive whole number of won.")
                    % {"number": number}
                }
            )
        if not isinstance(due_on, date):
            raise ValidationError(
                {"first_due_on": _("Installment %(number)s needs a date.") % {"number": number}}
            )
    total = sum(amount for _day, amount in schedule)
    if total != arrears:
        raise ValidationError(
            {
                "amounts": _(
                    "The installments add up to %(total)s won; the arrears to arrange are %(arrears)s won."
                )
                % {"total": f"{total:,}", "arrears": f"{arrears:,}"}
            }
        )
    days = [due_on for due_on, _amount in schedule]
    if days[0] < today:
        raise ValidationError({"first_due_on": _("The first installment cannot fall due in the past.")})
    if any(later <= earlier for earlier, later in zip(days, days[1:], strict=False)):
        raise ValidationError({"first_due_on": _("Each installment must fall due after the one before.")})
    if days[-1] > today + timedelta(days=LONGEST_DAYS):
        raise ValidationError(
            {"installments": _("The last installment must fall due within a year of the agreement.")}
        )


@transaction.atomic
def make_arrangement(
    account: Account,
    *,
    schedule: list[tuple[date, int]],
    note: str = "",
    acting_user,
    today: date | None = None,
) -> PaymentArrangement:
    """Agree to have the account's overdue arrears paid in installments; dunning waits while they are paid."""
    today = today or seoul_today()
    lock_accounts([account.pk])
    account = Account.objects.select_related("customer", "premise__district__office").get(pk=account.pk)
    arrears = position(account.pk, today=today).overdue
    if arrears <= 0:
        raise ValidationError(
            _("Account %(account)s has nothing overdue to arrange.") % {"account": account.display_number}
        )
    if PaymentArrangement.objects.filter(account=account, status=ArrangementStatus.ACTIVE).exists():
        raise ValidationError(_("This account already has an active payment arrangement."), code="exists")
    _check_schedule(schedule, arrears, today)
    episode = ArrearsEpisode.objects.filter(account=account, closed_on__isnull=True).first()
    try:
        with transaction.atomic():
            arrangement = PaymentArrangement.objects.create(
                account=account,
                episode=episode,
                arrears=arrears,
                note=(note or "").strip()[:300],
                created_at=timezone.now(),
                created_by=user_or_none(acting_user),
            )
    except IntegrityError:
        raise ValidationError(
            _("This account already has an active payment arrangement."), code="exists"
        ) from None
    installments = Installment.objects.bulk_create(
        [
            Installment(arrangement=arrangement, number=number, due_on=due_on, amount=amount)
            for number, (due_on, amount) in enumerate(schedule, start=1)
        ]
    )
    record_event(
        events.ARRANGEMENT_MADE,
        actor=acting_user,
        subject=arrangement,
        household_id=account.premise_id,
        details={
            "account": account.display_number,
            "arrears": arrears,
            "count": len(schedule),
            "first_amount": schedule[0][1],
            "first_due": schedule[0][0].isoformat(),
        },
        reason=arrangement.note,
    )
    notify_arrangement(arrangement, account, installments)
    return arrangement


@transaction.atomic
def cancel_arrangement(arrangement: PaymentArrangement, *, reason: str, acting_user) -> PaymentArrangement:
    """End an arrangement by agreement (e.g. replaced by another); dunning resumes where it was."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the arrangement is cancelled.")})
    return _end(arrangement.pk, ArrangementStatus.CANCELLED, reason, seoul_today(), acting_user)


def _end(pk: int, status: str, reason: str, on: date, acting_user) -> PaymentArrangement:
    arrangement = PaymentArrangement.objects.select_related("account").get(pk=pk)
    ended = PaymentArrangement.objects.filter(pk=pk, status=ArrangementStatus.ACTIVE).update(
        status=status, ended_on=on, end_reason=reason[:300], ended_by=user_or_none(acting_user)
    )
    if not ended:
        raise ValidationError(
            _("This arrangement is already %(status)s.")
            % {"status": arrangement.get_status_display().lower()},
            code="ended",
        )
    arrangement.refresh_from_db()
    record_event(
        events.ARRANGEMENT_ENDED,
        actor=acting_user,
        subject=arrangement,
        household_id=arrangement.account.premise_id,
        effective_on=on,
        details={
            "account": arrangement.account.display_number,
            "arrangement_status": status,
            "reason": reason,
        },
    )
    return arrangement


@dataclass
class Progress:
    paid: int  # received since the agreement
    late: Installment | None  # the first installment late beyond the grace days
    next: Installment | None  # the first installment not yet covered


def progress(installments, paid: int, on: date, grace_days: int) -> Progress:
    cumulative, late, upcoming = 0, None, None
    for installment in installments:
        cumulative += installment.amount
        if paid < cumulative:
            upcoming = upcoming or installment
            if late is None and installment.due_on + timedelta(days=grace_days) < on:
                late = installment
    return Progress(paid=paid, late=late, next=upcoming)


def paid_since(arrangements) -> dict[int, int]:
    """Money received by each arrangement's account since it was agreed (posted payments, reversals excluded)."""
    by_account = defaultdict(list)
    for a in arrangements:
        by_account[a.account_id].append(a)
    paid = defaultdict(int)
    for account_id, received_at, amount in Payment.objects.filter(
        account_id__in_ids=Ids(sorted(by_account)),
        status=PaymentStatus.POSTED,
        received_at__gte=min(a.created_at for a in arrangements),  # none earlier counts
    ).values_list("account_id", "received_at", "amount"):
        for a in by_account[account_id]:
            if received_at >= a.created_at:
                paid[a.pk] += amount
    return paid


@dataclass
class Judged:
    completed: int = 0
    broken: int = 0


def judge_arrangements(on: date, account_ids=None) -> Judged:
    """Complete the arrangements paid, break those with an installment late beyond the grace days."""
    from .stages import overdue_by_account

    cfg = config()
    active = PaymentArrangement.objects.filter(status=ArrangementStatus.ACTIVE).select_related(
        "account__customer", "account__premise__district__office"
    )
    if account_ids is not None:
        active = active.filter(account_id__in_ids=Ids(sorted(account_ids)))
    active = list(active)
    outcome = Judged()
    if not active:
        return outcome
    paid = paid_since(active)
    overdue = overdue_by_account(on, [a.account_id for a in active])
    installments = defaultdict(list)
    for installment in Installment.objects.filter(arrangement__in=[a.pk for a in active]).order_by("number"):
        installments[installment.arrangement_id].append(installment)
    for arrangement in active:
        state = progress(installments[arrangement.pk], paid[arrangement.pk], on, cfg.arrangement_grace_days)
        with transaction.atomic():
            if state.paid >= arrangement.arrears or arrangement.account_id not in overdue:
                _end(arrangement.pk, ArrangementStatus.COMPLETED, _("The arrears are paid."), on, None)
                outcome.completed += 1
            elif state.late is not None:
                _end(
                    arrangement.pk,
                    ArrangementStatus.BROKEN,
                    _("Installment %(number)s of %(amount)s won, due %(day)s, was not paid.")
                    % {
                        "number": state.late.number,
                        "amount": f"{state.late.amount:,}",
                        "day": state.late.due_on.isoformat(),
                    },
                    on,
                    None,
                )
                notify_broken_arrangement(arrangement, arrangement.account, state.late)
                outcome.broken += 1
    return outcome
