"""The scan after a reading import or billing run, and the hourly scan of AMI meters.

``scan_accounts`` judges every account's latest read at once (``proactive.detection``
over ``proactive.history``); only the few unusual reads are then looked at one by one:
an open case, a declared event or a seasonal window suppresses (and is recorded), the
rest become a proactive case — a request of type "leak diagnosis" with origin
"proactive" in the branch office's queue — and customers who agreed to notices are
told (the case's next steps are in :mod:`.cases`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import notify
from core.audit import record_event
from core.lookups import Ids
from core.models import Notification
from customers.choices import OPEN_STATUSES
from customers.models import Account
from servicedesk.actions.intake import Contact, RequestDraft, take_requests
from servicedesk.choices import Channel, Origin
from servicedesk.models import RequestType

from .. import events
from ..choices import DetectionKind, DetectionStatus, Suppression
from ..detection import hourly, periodic_by_use_type, thresholds_by_use_type
from ..history import PeriodicHistory, load_history
from ..models import DeclaredEvent, Detection, HourlyFlow, ProactiveCase, ResidentCount, SeasonalWindow

LEAK_DIAGNOSIS = "leak_diagnosis"
# Reads older than this before the scan's day were judged by an earlier scan.
FRESH_DAYS = 45
# An hourly scan looks at this many hours up to its moment (the longest rule needs 48).
HOURLY_WINDOW_HOURS = 72


@dataclass
class ScanOutcome:
    accounts: int = 0
    judged: int = 0  # accounts with a fresh read
    unusual: int = 0
    alerted: int = 0
    suppressed: int = 0
    already_found: int = 0


def scan_accounts(account_ids: list[int], until: date, *, now=None) -> ScanOutcome:
    """Judge the latest read (of the last FRESH_DAYS up to ``until``) of each of the accounts."""
    now = now or timezone.now()
    history = load_history(account_ids, until)
    outcome = ScanOutcome(accounts=len(history.account_ids))
    if not outcome.accounts:
        return outcome
    use_types = dict(
        Account.objects.filter(id__in_ids=Ids(history.account_ids.tolist())).values_list("id", "use_type")
    )
    uses = np.array([use_types[a] for a in history.account_ids.tolist()], dtype=object)
    result = periodic_by_use_type(
        history.use_m3,
        history.days,
        uses,
        thresholds_by_use_type(settings.PROACTIVE_THRESHOLDS),
        same_season_m3_per_day=history.same_season_m3_per_day,
        residents=_residents(history),
    )
    fresh = history.latest_day > (until - timedelta(days=FRESH_DAYS)).toordinal()
    outcome.judged = int(fresh.sum())
    found = np.flatnonzero(result.unusual & fresh)
    outcome.unusual = len(found)
    if not len(found):
        return outcome
    accounts = Account.objects.select_related("customer", "premise__district__office").in_bulk(
        history.account_ids[found].tolist()
    )
    windows = list(SeasonalWindow.objects.filter(active=True))
    leak_type = RequestType.objects.get(code=LEAK_DIAGNOSIS)
    with transaction.atomic():
        for index in found.tolist():
            read_on = date.fromordinal(int(history.latest_day[index]))
            figures = Figures(
                use_per_day=float(result.use_per_day[index]),
                baseline_per_day=_finite(result.baseline_per_day[index]),
                excess_per_day=_finite(result.excess_per_day[index]),
                ratio=_finite(result.ratio[index]),
                score=_finite(result.score[index]),
            )
            _record(
                accounts[int(history.account_ids[index])], DetectionKind.SPIKE, read_on,
                read_on - timedelta(days=int(history.days[index, -1])), figures, outcome,
                reading_id=int(history.latest_reading[index]), windows=windows, leak_type=leak_type, now=now,
            )  # fmt: skip
    return outcome


@dataclass
class Figures:
    """What a detection shows the officer (m³ a day; ratio and score for periodic reads)."""

    use_per_day: float
    baseline_per_day: float | None = None
    excess_per_day: float | None = None
    ratio: float | None = None
    score: float | None = None


def _record(account, kind, read_on, period_from, figures: Figures, outcome: ScanOutcome, *, reading_id=None,
            windows, leak_type, now) -> None:  # fmt: skip
    """One unusual finding: recorded once, suppressed with its reason, or alerted with a case."""
    if Detection.objects.filter(account=account, kind=kind, read_on=read_on).exists():
        outcome.already_found += 1
        return
    suppressed_by, note = _suppression(account, period_from, read_on, figures.ratio, windows)
    detection = Detection.objects.create(
        account=account,
        kind=kind,
        read_on=read_on,
        reading_id=reading_id,
        **vars(figures),
        status=DetectionStatus.SUPPRESSED if suppressed_by else DetectionStatus.ALERTED,
        suppressed_by=suppressed_by,
        note=note[:300],
        detected_at=now,
    )
    if suppressed_by:
        _record_on_timeline(events.UNUSUAL_USE_SUPPRESSED, account, detection)
        outcome.suppressed += 1
        return
    detection.case = _open_case(account, detection, leak_type, now)
    detection.save(update_fields=["case"])
    _record_on_timeline(events.UNUSUAL_USE_ALERTED, account, detection)
    _tell_the_household(account, detection)
    outcome.alerted += 1


def _record_on_timeline(action: str, account, detection: Detection) -> None:
    """The detection in the household's timeline (the system found it: no actor)."""
    usual = detection.baseline_per_day  # figures as numbers: the sentence is built when shown
    record_event(
        action,
        actor=None,
        subject=detection,
        household_id=account.premise_id,
        effective_on=detection.read_on,
        details={
            "detection_kind": detection.kind,
            "account": account.display_number,
            "read_on": detection.read_on.isoformat(),
            "use": round(detection.use_per_day, 3),
            "usual": round(usual, 3) if usual is not None else None,
            "ratio": round(detection.ratio, 2) if detection.ratio is not None else None,
            "number": detection.case.request.number if detection.case else "",
            "suppression": detection.suppressed_by,
            "note": detection.note,
        },
    )


def scan_hourly(until: datetime, *, meter_ids: list[int] | None = None, now=None) -> ScanOutcome:
    """Judge the last HOURLY_WINDOW_HOURS of every AMI meter's flow (or ``meter_ids``') up to ``until``.

    A continuous flow or a burst is recorded, suppressed or alerted like an unusual read,
    on the account open at the meter's premise, one detection per kind and day.
    """
    now = now or timezone.now()
    start = until - timedelta(hours=HOURLY_WINDOW_HOURS)
    flows = HourlyFlow.objects.filter(hour__gt=start, hour__lte=until)
    if meter_ids is not None:
        flows = flows.filter(meter_id__in_ids=Ids(meter_ids))
    rows = list(flows.values_list("meter_id", "hour", "litres"))
    outcome = ScanOutcome()
    if not rows:
        return outcome
    meters = np.unique(np.array([r[0] for r in rows], dtype=np.int64))
    flow = np.full((len(meters), HOURLY_WINDOW_HOURS), np.nan)
    row = np.searchsorted(meters, [r[0] for r in rows])
    column = np.array([int((r[1] - start).total_seconds() // 3600) - 1 for r in rows])
    flow[row, column] = [r[2] for r in rows]
    result = hourly(flow, thresholds_by_use_type(settings.PROACTIVE_THRESHOLDS)["*"])
    outcome.accounts = outcome.judged = len(meters)
    found = np.flatnonzero(result.continuous | result.burst)
    outcome.unusual = len(found)
    if not len(found):
        return outcome
    account_of = dict(
        Account.objects.filter(
            status__in=OPEN_STATUSES,
            premise__meter_installations__removed_on__isnull=True,
            premise__meter_installations__meter_id__in=meters[found].tolist(),
        ).values_list("premise__meter_installations__meter_id", "pk")
    )
    accounts = Account.objects.select_related("customer", "premise__district__office").in_bulk(
        account_of.values()
    )
    day = timezone.localtime(until).date()
    leak_type = RequestType.objects.get(code=LEAK_DIAGNOSIS)
    with transaction.atomic():
        for index in found.tolist():
            account = accounts.get(account_of.get(int(meters[index])))
            if account is None:
                continue  # no one is supplied there now
            for kind, lph in ((DetectionKind.CONTINUOUS, result.lowest_flow_lph[index]),
                              (DetectionKind.BURST, result.held_flow_lph[index])):  # fmt: skip
                flagged = (
                    result.continuous[index] if kind == DetectionKind.CONTINUOUS else result.burst[index]
                )
                if flagged:
                    figures = Figures(use_per_day=float(lph) * 24 / 1000)
                    _record(
                        account, kind, day, day, figures, outcome, windows=[], leak_type=leak_type, now=now
                    )
    return outcome


def _finite(value) -> float | None:
    return float(value) if np.isfinite(value) else None


def _residents(history: PeriodicHistory) -> np.ndarray | None:
    """Residents registered at each read (NaN: none registered yet), for the accounts that have any."""
    counts = (
        ResidentCount.objects.filter(account_id__in_ids=Ids(history.account_ids.tolist()))
        .order_by("account_id", "effective_from")
        .values_list("account_id", "effective_from", "residents")
    )
    by_account: dict[int, list[tuple[int, int]]] = {}
    for account, day, residents in counts:
        by_account.setdefault(account, []).append((day.toordinal(), residents))
    if not by_account:
        return None
    residents = np.full(history.use_m3.shape, np.nan)
    row_of = {a: i for i, a in enumerate(history.account_ids.tolist())}
    for account, steps in by_account.items():
        days, values = np.array(steps).T
        row = row_of[account]
        at = np.searchsorted(days, history.read_on[row], side="right") - 1
        residents[row] = np.where(at >= 0, values[np.clip(at, 0, None)], np.nan)
    return residents


def _suppression(account, period_from: date, read_on: date, ratio: float | None, windows) -> tuple[str, str]:
    """Why this unusual read is not alerted ("" when it is), and a note for the officer."""
    if ProactiveCase.objects.filter(account=account, closed_at__isnull=True).exists():
        return Suppression.OPEN_CASE, ""
    event = (
        DeclaredEvent.objects.filter(
            account=account, starts_on__lte=read_on, ends_on__gt=period_from, withdrawn_at__isnull=True
        )
        .order_by("-starts_on")
        .first()
    )
    if event is not None:
        return Suppression.DECLARED_EVENT, f"{event.get_kind_display()} {event.starts_on}–{event.ends_on}"
    for window in windows:
        if (
            ratio is not None
            and window.covers(read_on)
            and window.applies_to(account.use_type)
            and ratio < float(window.min_ratio)
        ):
            return Suppression.SEASONAL_WINDOW, window.display_name
    return "", ""


def _open_case(account, detection: Detection, leak_type: RequestType, now) -> ProactiveCase:
    customer = account.customer
    with translation.override(customer.preferred_language or settings.LANGUAGE_CODE):
        description = " ".join([detection.summary(), _("Call the household before it calls us.")])
    intake = take_requests(
        [RequestDraft(leak_type, description)],
        channel=Channel.PROACTIVE,
        origin=Origin.PROACTIVE,
        contact=Contact(
            name=customer.name,
            phone=customer.phone or customer.phone_alt,
            email=customer.email,
            by_sms=customer.consent_sms,
            by_email=customer.consent_email,
        ),  # fmt: skip
        acting_user=None,
        premise=account.premise,
        received_at=now,
        notify_citizen=False,
        # The visit comes only if the pre-call does not explain the rise.
        skip_visit=True,
    )
    return ProactiveCase.objects.create(request=intake.requests[0], account=account, created_at=now)


def _tell_the_household(account, detection: Detection) -> None:
    """An "unusual usage" notice to a customer who agreed to SMS or e-mail notices."""
    customer = account.customer
    with translation.override(customer.preferred_language or settings.LANGUAGE_CODE):
        if detection.kind == DetectionKind.SPIKE:
            body = _(
                "Suido: your water use in the period to %(day)s was %(ratio).1f times your usual use. "
                "If nothing explains it, a tap or pipe may be leaking; we will call you."
            ) % {"day": detection.read_on.isoformat(), "ratio": detection.ratio or 0}
        else:
            body = _(
                "Suido: your meter showed water running without a pause up to %(day)s. If nothing should be "
                "running, a tap, cistern or pipe may be leaking; we will call you."
            ) % {"day": detection.read_on.isoformat()}
        subject = _("Unusual water use")
    phone = customer.phone or customer.phone_alt
    if customer.consent_sms and phone:
        notify.queue(Notification.Channel.SMS, phone, kind="proactive.unusual_usage", body=body,
                     about=detection, dedupe_key=f"detection:{detection.pk}:sms")  # fmt: skip
    if customer.consent_email and customer.email:
        notify.queue(Notification.Channel.EMAIL, customer.email, kind="proactive.unusual_usage", subject=subject,
                     body=body, about=detection, dedupe_key=f"detection:{detection.pk}:email")  # fmt: skip
