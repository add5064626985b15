"""The ordinance's settings for late fees and dunning, read and checked once (at start-up, CollectionConfig.ready).

A mistake (an unknown stage, a notice before the reminder, a percentage of "3%") stops the
process with a message naming the setting, rather than dunning a city with the wrong rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_STAGES = {
    "reminder": {"after_days": 10, "deadline_days": 10},
    "notice": {"after_days": 30, "deadline_days": 10},
    "disconnection": {"enabled": True},
}
_FIELDS = {"reminder": {"after_days", "deadline_days"}, "notice": {"after_days", "deadline_days"}}
_FIELDS["disconnection"] = {"enabled"}


@dataclass(frozen=True)
class StageRule:
    after_days: int  # days after the oldest unpaid due date
    deadline_days: int  # the letter's "pay by", counted from the day it is sent


@dataclass(frozen=True)
class DunningConfig:
    reminder: StageRule
    notice: StageRule
    disconnection: bool
    min_amount: int
    late_fee_basis_points: int  # 3 % = 300
    late_fee_grace_days: int
    late_fee_round_to: int
    arrangement_grace_days: int


def _fail(message: str):
    raise ImproperlyConfigured(message)


def _days(stage: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
        _fail(f"DUNNING_STAGES: {stage}.{name} must be a whole number of days from 1 to 365, not {value!r}.")
    return value


def _basis_points(raw) -> int:
    try:
        percent = Decimal(str(raw).strip())
    except InvalidOperation:
        _fail(f"LATE_FEE_PERCENT={raw!r} is not a number (write 3 or 2.5, without a % sign).")
    if not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
        _fail(f"LATE_FEE_PERCENT={raw!r} must be between 0 and 100.")
    points = percent * 100
    if points != points.to_integral_value():
        _fail(f"LATE_FEE_PERCENT={raw!r} may have at most two decimals.")
    return int(points)


def read_config() -> DunningConfig:
    """The settings as a checked DunningConfig; ImproperlyConfigured names what is wrong."""
    raw = settings.DUNNING_STAGES
    if not isinstance(raw, dict):
        _fail('DUNNING_STAGES must be a JSON object such as {"notice": {"after_days": 30}}.')
    unknown = sorted(set(raw) - set(DEFAULT_STAGES))
    if unknown:
        _fail(
            f"DUNNING_STAGES: unknown stage {', '.join(unknown)} (stages: reminder, notice, disconnection)."
        )
    stages = {}
    for stage, defaults in DEFAULT_STAGES.items():
        given = raw.get(stage, {})
        if not isinstance(given, dict):
            _fail(f"DUNNING_STAGES: {stage} must be an object, not {given!r}.")
        wrong = sorted(set(given) - _FIELDS[stage])
        if wrong:
            _fail(
                f"DUNNING_STAGES: {stage} has no setting {', '.join(wrong)} "
                f"(it has {', '.join(sorted(_FIELDS[stage]))})."
            )
        stages[stage] = {**defaults, **given}
    reminder = StageRule(
        _days("reminder", "after_days", stages["reminder"]["after_days"]),
        _days("reminder", "deadline_days", stages["reminder"]["deadline_days"]),
    )
    notice = StageRule(
        _days("notice", "after_days", stages["notice"]["after_days"]),
        _days("notice", "deadline_days", stages["notice"]["deadline_days"]),
    )
    if notice.after_days <= reminder.after_days:
        _fail(
            f"DUNNING_STAGES: the notice ({notice.after_days} days after the due date) must come after "
            f"the reminder ({reminder.after_days} days)."
        )
    enabled = stages["disconnection"]["enabled"]
    if not isinstance(enabled, bool):
        _fail(f"DUNNING_STAGES: disconnection.enabled must be true or false, not {enabled!r}.")
    if settings.DUNNING_MIN_AMOUNT < 1:
        _fail(f"DUNNING_MIN_AMOUNT={settings.DUNNING_MIN_AMOUNT} must be at least 1 won.")
    if settings.LATE_FEE_GRACE_DAYS < 0:
        _fail(f"LATE_FEE_GRACE_DAYS={settings.LATE_FEE_GRACE_DAYS} must not be negative.")
    if settings.LATE_FEE_ROUND_TO not in (1, 10, 100, 1000):
        _fail(f"LATE_FEE_ROUND_TO={settings.LATE_FEE_ROUND_TO} must be 1, 10, 100 or 1000 won.")
    if settings.ARRANGEMENT_GRACE_DAYS < 0:
        _fail(f"ARRANGEMENT_GRACE_DAYS={settings.ARRANGEMENT_GRACE_DAYS} must not be negative.")
    return DunningConfig(
        reminder=reminder,
        notice=notice,
        disconnection=enabled,
        min_amount=settings.DUNNING_MIN_AMOUNT,
        late_fee_basis_points=_basis_points(settings.LATE_FEE_PERCENT),
        late_fee_grace_days=settings.LATE_FEE_GRACE_DAYS,
        late_fee_round_to=settings.LATE_FEE_ROUND_TO,
        arrangement_grace_days=settings.ARRANGEMENT_GRACE_DAYS,
    )


def config() -> DunningConfig:
    """Read on every call (cheap): tests and a changed setting see the current values."""
    return read_config()
