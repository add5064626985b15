"""Moving accounts in arrears through the dunning stages: reminder, disconnection notice, disconnection order.

The candidates are found set-based (the accounts owing at least ``DUNNING_MIN_AMOUNT`` on
bills past due, from the bills' balances: billing.BillBalance); their state (open episode and its steps,
protection, arrangement, open disconnection) is read for a chunk at a time, and each
account's next stage decided by :func:`next_step`:

- **reminder** once the oldest unpaid bill is ``reminder.after_days`` past due;
- **disconnection notice** once it is ``notice.after_days`` past due *and* the reminder's
  deadline has passed — never for a protected household, a supply not active (suspended
  or closed), or while a payment arrangement is honoured;
- **disconnection order** once the notice's deadline has passed unpaid (same exceptions):
  a field work order and the account marked disconnected.

A stage happens once per arrears episode (a database constraint), so a repeated run the
same day records nothing new. Reminders and notices are written in bulk; each order is
its own small transaction (it opens a service request and a visit).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Min, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.models import Bill, BillBalance
from core.audit import record_event
from core.calendar import business_calendar
from core.lookups import Ids
from core.models import AuditEvent
from customers.choices import AccountStatus
from customers.models import Account

from ..choices import ArrangementStatus, DunningStage
from ..ledger import lock_accounts
from ..models import ArrearsEpisode, Disconnection, DunningStep, PaymentArrangement, Protection
from . import events
from .config import DunningConfig, config
from .notices import notify_step

CHUNK = 2000
DISCONNECTION_TYPE = "disconnection"
RECONNECTION_TYPE = "reconnection"

# Why an account that is due a stage does not get it.
HELD_PROTECTED = "protected"
HELD_ARRANGEMENT = "arrangement"
HELD_NOT_SUPPLIED = "not_supplied"  # suspended or closed: nothing to cut off
HELD_DISABLED = "disabled"  # the utility does not disconnect (DUNNING_STAGES)


def overdue_balances(on: date):
    """The balances of the bills past their due date with something still owed (issued ones: only they owe)."""
    return BillBalance.objects.filter(owed__gt=0, due_on__lt=on)


def overdue_bills(on: date):
    """The bills past their due date with something still owed (``balance__owed``: how much)."""
    return Bill.objects.filter(balance__owed__gt=0, due_on__lt=on)


def overdue_by_account(on: date, account_ids=None, *, min_amount: int = 1) -> dict[int, tuple[int, date]]:
    """{account: (won overdue, oldest unpaid due date)} for the accounts owing at least ``min_amount``."""
    balances = overdue_balances(on)
    if account_ids is not None:
        balances = balances.filter(account_id__in_ids=Ids(sorted(account_ids)))
    rows = (
        balances.order_by()
        .values("account_id")
        .annotate(overdue=Sum("owed"), oldest=Min("due_on"))
        .filter(overdue__gte=min_amount)
        .values_list("account_id", "overdue", "oldest")
    )
    return {account: (overdue, oldest) for account, overdue, oldest in rows}


def deadline_from(on: date, days: int) -> date:
    """``days`` after ``on``, moved to the next business day (a deadline never falls on a holiday)."""
    calendar = business_calendar()
    deadline = on + timedelta(days=days)
    return deadline if calendar.is_business_day(deadline) else calendar.next_business_day(deadline)


@dataclass
class State:
    """What decides an account's next stage."""

    account_id: int
    account_status: str
    overdue: int
    oldest_due: date
    episode_id: int | None = None
    steps: dict[str, DunningStep] = field(default_factory=dict)
    protected: bool = False
    arranged: bool = False
    disconnected: bool = False


@dataclass
class Next:
    stage: str | None  # None: every stage reached
    on: date | None  # the first day it may happen
    held: str = ""  # why it will not happen while things stay as they are


def next_step(state: State, cfg: DunningConfig) -> Next:
    reached = state.steps
    if DunningStage.REMINDER not in reached:
        stage, when = DunningStage.REMINDER, state.oldest_due + timedelta(days=cfg.reminder.after_days)
    elif DunningStage.NOTICE not in reached:
        reminder_over = (
            reached[DunningStage.REMINDER].deadline or reached[DunningStage.REMINDER].on
        ) + timedelta(days=1)
        stage, when = (
            DunningStage.NOTICE,
            max(state.oldest_due + timedelta(days=cfg.notice.after_days), reminder_over),
        )
    elif DunningStage.DISCONNECTION not in reached and not state.disconnected:
        notice = reached[DunningStage.NOTICE]
        stage, when = DunningStage.DISCONNECTION, (notice.deadline or notice.on) + timedelta(days=1)
    else:
        return Next(None, None)
    held = ""
    if state.arranged:
        held = HELD_ARRANGEMENT
    elif stage != DunningStage.REMINDER:
        if stage == DunningStage.DISCONNECTION and not cfg.disconnection:
            held = HELD_DISABLED
        elif state.protected:
            held = HELD_PROTECTED
        elif state.account_status != AccountStatus.ACTIVE:
            held = HELD_NOT_SUPPLIED
    return Next(stage, when, held)


def load_states(arrears: dict[int, tuple[int, date]], on: date) -> dict[int, State]:
    """The state of each account in ``arrears`` (a few queries for the whole chunk)."""
    ids = sorted(arrears)
    states = {
        pk: State(pk, status, *arrears[pk])
        for pk, status in Account.objects.filter(id__in_ids=Ids(ids)).values_list("id", "status")
    }
    for step in DunningStep.objects.filter(account_id__in_ids=Ids(ids), episode__closed_on__isnull=True):
        state = states[step.account_id]
        state.episode_id = step.episode_id
        state.steps[step.stage] = step
    for episode_id, account_id in ArrearsEpisode.objects.filter(
        account_id__in_ids=Ids(ids), closed_on__isnull=True
    ).values_list("id", "account_id"):
        states[account_id].episode_id = episode_id
    for account_id in Protection.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on), account_id__in_ids=Ids(ids), starts_on__lte=on
    ).values_list("account_id", flat=True):
        states[account_id].protected = True
    for account_id in PaymentArrangement.objects.filter(
        account_id__in_ids=Ids(ids), status=ArrangementStatus.ACTIVE
    ).values_list("account_id", flat=True):
        states[account_id].arranged = True
    for account_id in Disconnection.objects.filter(
        account_id__in_ids=Ids(ids), resolved_at__isnull=True
    ).values_list("account_id", flat=True):
        states[account_id].disconnected = True
    return states


@dataclass
class StageOutcome:
    reminders: int = 0
    notices: int = 0
    disconnections: int = 0
    held_protected: int = 0
    held_arrangement: int = 0

    def add(self, stage: str) -> None:
        if stage == DunningStage.REMINDER:
            self.reminders += 1
        elif stage == DunningStage.NOTICE:
            self.notices += 1
        else:
            self.disconnections += 1


def run_stages(on: date, *, run=None, cfg: DunningConfig | None = None, now=None) -> StageOutcome:
    """Move every account in arrears on ``on`` to the stage it has come to (once per stage and episode)."""
    cfg = cfg or config()
    now = now or timezone.now()
    outcome = StageOutcome()
    candidates = sorted(overdue_by_account(on, min_amount=cfg.min_amount))
    for start in range(0, len(candidates), CHUNK):
        orders = _letters_chunk(candidates[start : start + CHUNK], on, run, cfg, now, outcome)
        for state in orders:
            if order_disconnection(state.account_id, on=on, run=run, cfg=cfg, now=now) is not None:
                outcome.disconnections += 1
    return outcome


@transaction.atomic
def _letters_chunk(ids, on, run, cfg, now, outcome: StageOutcome) -> list[State]:
    """Reminders and notices of a chunk of accounts, in bulk; returns the accounts due a disconnection order."""
    # Read again inside the transaction: a payment since the candidates were listed may have cleared some.
    states = load_states(overdue_by_account(on, ids, min_amount=cfg.min_amount), on)
    letters, orders = [], []
    for state in states.values():
        nxt = next_step(state, cfg)
        if nxt.stage is None or nxt.on > on:
            continue
        if nxt.held == HELD_PROTECTED:
            outcome.held_protected += 1
        elif nxt.held == HELD_ARRANGEMENT:
            outcome.held_arrangement += 1
        if nxt.held:
            continue
        (orders if nxt.stage == DunningStage.DISCONNECTION else letters).append((state, nxt.stage))
    if letters:
        _write_steps(letters, on, run, cfg, now, outcome)
    return [state for state, _stage in orders]


def _bills_of(account_ids, on) -> dict[int, list]:
    bills = defaultdict(list)
    for account_id, bill_id, period, due_on, owed in (
        overdue_bills(on)
        .filter(account_id__in_ids=Ids(sorted(account_ids)))
        .order_by("account_id", "due_on", "id")
        .values_list("account_id", "id", "period", "due_on", "balance__owed")
    ):
        bills[account_id].append([bill_id, period.isoformat(), due_on.isoformat(), owed])
    return bills


def _write_steps(letters: list[tuple[State, str]], on, run, cfg: DunningConfig, now, outcome: StageOutcome):
    # Episodes for the accounts reminded for the first time in this stretch of arrears.
    new = [s.account_id for s, _stage in letters if not s.episode_id]
    if new:
        ArrearsEpisode.objects.bulk_create(
            [ArrearsEpisode(account_id=pk, opened_on=on, stage=DunningStage.REMINDER) for pk in new]
        )
        opened = dict(
            ArrearsEpisode.objects.filter(account_id__in_ids=Ids(new), closed_on__isnull=True).values_list(
                "account_id", "id"
            )
        )
        for state, _stage in letters:
            state.episode_id = state.episode_id or opened[state.account_id]
    bills = _bills_of([s.account_id for s, _stage in letters], on)
    steps = []
    for state, stage in letters:
        rule = cfg.reminder if stage == DunningStage.REMINDER else cfg.notice
        steps.append(
            DunningStep(
                episode_id=state.episode_id,
                account_id=state.account_id,
                stage=stage,
                on=on,
                owed=state.overdue,
                oldest_due_on=state.oldest_due,
                deadline=deadline_from(on, rule.deadline_days),
                bills=bills[state.account_id],
                protected=state.protected,
                run=run,
                created_at=now,
            )
        )
    DunningStep.objects.bulk_create(steps, batch_size=1000)
    # Read back with what the notices need (bulk_create returns no ids on every database).
    written = {(s.episode_id, s.stage) for s in steps}
    steps = [
        step
        for step in DunningStep.objects.filter(
            episode_id__in_ids=Ids(sorted({s.episode_id for s in steps})), on=on
        ).select_related("account__customer", "account__premise__district__office")
        if (step.episode_id, step.stage) in written
    ]
    by_stage = defaultdict(list)
    for step in steps:
        by_stage[step.stage].append(step.episode_id)
        outcome.add(step.stage)
    for stage, episode_ids in by_stage.items():
        ArrearsEpisode.objects.filter(id__in_ids=Ids(episode_ids)).update(stage=stage)
    # The notices: SMS / e-mail to those who agreed (the letters are printed from the steps).
    notified = defaultdict(list)
    for step in steps:
        sent = notify_step(step, step.account, step.account.premise.district.office)
        if sent:
            notified[sent].append(step.pk)
    for sent, step_ids in notified.items():
        DunningStep.objects.filter(id__in_ids=Ids(step_ids)).update(notified=sent)
    _step_events(steps)


def _step_events(steps) -> None:
    """One audit event per step on the household's timeline, written in one go."""
    step_type = ContentType.objects.get_for_model(DunningStep)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=None,
                action=events.DUNNING_STEP,
                object_type=step_type,
                object_id=step.pk,
                household_id=step.account.premise_id,
                operation=uuid.uuid4(),
                effective_on=step.on,
                details=step_details(step),
            )
            for step in steps
        ],
        batch_size=1000,
    )


def step_details(step, work_order: str = "") -> dict:
    details = {
        "dunning_stage": step.stage,
        "account": step.account.display_number,
        "owed": step.owed,
        "deadline": step.deadline.isoformat() if step.deadline else "",
        "protected": "yes" if step.protected else "",
    }
    if work_order:
        details["work_order"] = work_order
    return details


def order_disconnection(account_id: int, *, on: date, run=None, cfg: DunningConfig | None = None, now=None):
    """The disconnection order of one account: a field work order, and the account marked disconnected.

    Decided again with the account locked (a payment or an arrangement may have come since the
    candidates were read); returns the step, or None when it is no longer due.
    """
    from servicedesk.actions import Contact, RequestDraft, take_requests
    from servicedesk.choices import Channel, Origin
    from servicedesk.models import RequestType

    cfg = cfg or config()
    now = now or timezone.now()
    with transaction.atomic():
        lock_accounts([account_id])
        states = load_states(overdue_by_account(on, [account_id], min_amount=cfg.min_amount), on)
        state = states.get(account_id)
        if state is None:
            return None
        nxt = next_step(state, cfg)
        if nxt.stage != DunningStage.DISCONNECTION or nxt.on > on or nxt.held:
            return None
        account = Account.objects.select_related("customer", "premise__district__office").get(pk=account_id)
        try:
            kind = RequestType.objects.get(code=DISCONNECTION_TYPE)
        except RequestType.DoesNotExist:
            raise RuntimeError(
                "The request type “disconnection” is missing: run the migrations (servicedesk 0004)."
            ) from None
        step = DunningStep.objects.create(
            episode_id=state.episode_id,
            account_id=account_id,
            stage=DunningStage.DISCONNECTION,
            on=on,
            owed=state.overdue,
            oldest_due_on=state.oldest_due,
            bills=_bills_of([account_id], on)[account_id],
            run=run,
            created_at=now,
        )
        notice = state.steps[DunningStage.NOTICE]
        with translation.override(settings.LANGUAGE_CODE):
            description = _(
                "Disconnection for arrears of account %(account)s: %(owed)s won overdue since %(since)s; "
                "the notice of %(notice)s gave until %(deadline)s. Close and seal the valve at the meter and "
                "leave the notice. If the customer shows a receipt of payment, do not disconnect: call the office."
            ) % {
                "account": account.display_number,
                "owed": f"{state.overdue:,}",
                "since": state.oldest_due.isoformat(),
                "notice": notice.on.isoformat(),
                "deadline": (notice.deadline or notice.on).isoformat(),
            }
        customer = account.customer
        intake = take_requests(
            [RequestDraft(kind, description)],
            channel=Channel.PROACTIVE,
            origin=Origin.PROACTIVE,
            contact=Contact(name=customer.name, phone=customer.phone or customer.phone_alt, by_sms=False),
            acting_user=None,
            premise=account.premise,
            received_at=now,
            notify_citizen=False,
            intake_key=f"dunning-disconnection:{step.pk}",
        )
        order = intake.requests[0]
        step.work_order = order
        step.notified = notify_step(step, account, account.premise.district.office)
        step.save(update_fields=["work_order", "notified"])
        Disconnection.objects.create(account_id=account_id, step=step, order=order, ordered_at=now)
        ArrearsEpisode.objects.filter(pk=state.episode_id).update(stage=DunningStage.DISCONNECTION)
        step.account = account
        record_event(
            events.DUNNING_STEP,
            actor=None,
            subject=step,
            household_id=account.premise_id,
            effective_on=on,
            details=step_details(step, work_order=order.number),
        )
        return step
