"""What the dunning worklist and the household page's arrears panel show (reads only, fixed query counts)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, Sum

from customers.models import Account

from ..choices import DUNNING_ORDER, ArrangementStatus, DunningStage
from ..models import (
    ArrearsEpisode,
    Disconnection,
    DunningRun,
    DunningStep,
    Installment,
    LateFee,
    PaymentArrangement,
    Protection,
)
from .arrangements import Progress, paid_since, progress
from .config import config
from .stages import Next, State, load_states, next_step, overdue_by_account

RECENT_DAYS = 7


@dataclass
class StageCount:
    stage: str
    label: str
    count: int = 0
    owed: int = 0


def _by_stage(steps) -> list[StageCount]:
    counts = {s: StageCount(s, DunningStage(s).label) for s in DUNNING_ORDER}
    for stage, count, owed in (
        steps.order_by()
        .values("stage")
        .annotate(n=Count("id"), won=Sum("owed"))
        .values_list("stage", "n", "won")
    ):
        counts[stage].count, counts[stage].owed = count, owed or 0
    return list(counts.values())


@dataclass
class WorklistRow:
    episode: ArrearsEpisode
    overdue: int
    oldest_due: date | None
    days_overdue: int | None
    protected: bool
    arranged: bool
    disconnection: Disconnection | None
    next: Next | None
    last_step: DunningStep | None


def summary(day: date, office=None) -> dict:
    steps = DunningStep.objects.all()
    if office is not None:
        steps = steps.filter(account__premise__district__office=office)
    return {
        "day": _by_stage(steps.filter(on=day)),
        "recent": _by_stage(steps.filter(on__gt=day - timedelta(days=RECENT_DAYS), on__lte=day)),
        "recent_from": day - timedelta(days=RECENT_DAYS - 1),
    }


def open_episodes(office=None, stage: str = ""):
    episodes = ArrearsEpisode.objects.filter(closed_on__isnull=True)
    if office is not None:
        episodes = episodes.filter(account__premise__district__office=office)
    if stage:
        episodes = episodes.filter(stage=stage)
    return episodes.select_related("account__premise__district__office").order_by("opened_on", "id")


def worklist_rows(episodes, today: date) -> list[WorklistRow]:
    """The page's accounts with what they owe now and what comes next (a few queries for the page)."""
    episodes = list(episodes)
    ids = [e.account_id for e in episodes]
    arrears = overdue_by_account(today, ids)
    states = load_states(arrears, today)
    cfg = config()
    last = {}
    for step in DunningStep.objects.filter(episode__in=[e.pk for e in episodes]).order_by("on", "id"):
        last[step.episode_id] = step
    open_disconnections = {
        d.account_id: d
        for d in Disconnection.objects.filter(account_id__in=ids, resolved_at__isnull=True).select_related(
            "order"
        )
    }
    protected = set(
        Protection.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today), account_id__in=ids, starts_on__lte=today
        ).values_list("account_id", flat=True)
    )
    arranged = set(
        PaymentArrangement.objects.filter(account_id__in=ids, status=ArrangementStatus.ACTIVE).values_list(
            "account_id", flat=True
        )
    )
    rows = []
    for episode in episodes:
        state: State | None = states.get(episode.account_id)
        overdue, oldest = arrears.get(episode.account_id, (0, None))
        rows.append(
            WorklistRow(
                episode=episode,
                overdue=overdue,
                oldest_due=oldest,
                days_overdue=(today - oldest).days if oldest else None,
                protected=episode.account_id in protected,
                arranged=episode.account_id in arranged,
                disconnection=open_disconnections.get(episode.account_id),
                next=next_step(state, cfg) if state is not None and overdue >= cfg.min_amount else None,
                last_step=last.get(episode.pk),
            )
        )
    return rows


def recent_runs(limit: int = 8):
    return DunningRun.objects.select_related("started_by")[:limit]


# The household page's panel


@dataclass
class ArrangementView:
    arrangement: PaymentArrangement
    installments: list[Installment]
    progress: Progress | None


@dataclass
class AccountArrears:
    account: Account
    overdue: int = 0
    oldest_due: date | None = None
    next: Next | None = None
    episode: ArrearsEpisode | None = None
    steps: list[DunningStep] = field(default_factory=list)
    late_fees: list[LateFee] = field(default_factory=list)
    protections: list[Protection] = field(default_factory=list)
    protected_now: Protection | None = None
    arrangements: list[ArrangementView] = field(default_factory=list)
    active_arrangement: ArrangementView | None = None
    disconnections: list[Disconnection] = field(default_factory=list)
    open_disconnection: Disconnection | None = None

    @property
    def days_overdue(self) -> int | None:
        return None if self.oldest_due is None else (self._today - self.oldest_due).days

    _today: date = date.min

    @property
    def quiet(self) -> bool:
        """Nothing to show beyond "nothing overdue"."""
        return not (self.overdue or self.steps or self.late_fees or self.protections or self.arrangements)


def household_panel(premise_id: int, today: date) -> list[AccountArrears]:
    """For each account of the household (open ones, and closed ones still owing), its arrears and dunning."""
    accounts = list(
        Account.objects.filter(premise_id=premise_id)
        .select_related("customer")
        .order_by("-start_date", "-id")
    )
    ids = [a.pk for a in accounts]
    arrears = overdue_by_account(today, ids)
    cfg = config()
    states = load_states(arrears, today)
    cards = {a.pk: AccountArrears(account=a, _today=today) for a in accounts}
    for pk, (overdue, oldest) in arrears.items():
        card = cards[pk]
        card.overdue, card.oldest_due = overdue, oldest
        if overdue >= cfg.min_amount and pk in states:
            card.next = next_step(states[pk], cfg)
    for episode in ArrearsEpisode.objects.filter(account_id__in=ids).order_by(
        "account_id", "-opened_on", "-id"
    ):
        cards[episode.account_id].episode = cards[episode.account_id].episode or episode
    latest_episodes = [c.episode.pk for c in cards.values() if c.episode]
    for step in (
        DunningStep.objects.filter(episode__in=latest_episodes)
        .select_related("work_order")
        .order_by("on", "id")
    ):
        cards[step.account_id].steps.append(step)
    for fee in (
        LateFee.objects.filter(account_id__in=ids).select_related("bill").order_by("-charged_on", "-id")[:50]
    ):
        cards[fee.account_id].late_fees.append(fee)
    for protection in (
        Protection.objects.filter(account_id__in=ids)
        .select_related("recorded_by")
        .order_by("-starts_on", "-id")
    ):
        card = cards[protection.account_id]
        card.protections.append(protection)
        if protection.covers(today) and card.protected_now is None:
            card.protected_now = protection
    arrangements = list(PaymentArrangement.objects.filter(account_id__in=ids).order_by("-created_at", "-id"))
    installments = defaultdict(list)
    for installment in Installment.objects.filter(arrangement__in=[a.pk for a in arrangements]).order_by(
        "number"
    ):
        installments[installment.arrangement_id].append(installment)
    active = [a for a in arrangements if a.status == ArrangementStatus.ACTIVE]
    paid = paid_since(active) if active else {}
    for arrangement in arrangements:
        view = ArrangementView(arrangement, installments[arrangement.pk], None)
        if arrangement.status == ArrangementStatus.ACTIVE:
            view.progress = progress(
                view.installments, paid.get(arrangement.pk, 0), today, cfg.arrangement_grace_days
            )
            cards[arrangement.account_id].active_arrangement = view
        cards[arrangement.account_id].arrangements.append(view)
    for disconnection in Disconnection.objects.filter(account_id__in=ids).select_related(
        "order", "reconnection"
    ):
        card = cards[disconnection.account_id]
        card.disconnections.append(disconnection)
        if disconnection.resolved_at is None:
            card.open_disconnection = disconnection
    return [c for c in cards.values() if c.account.is_open or not c.quiet]
