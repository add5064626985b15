"""Unusual usage, found from the readings alone: the arithmetic, set-based over a whole cycle.

Two kinds of meters, two kinds of evidence:

- **Periodic reads** (monthly or bimonthly, by a reader or a drive-by terminal): each read's
  usage is turned into m³ per day (periods differ in length) and, where the number of
  residents is known, per resident; the latest read is compared with the household's own
  baseline — the median of its recent reads, or the same season last year when that was
  higher — by a robust score (the modified z-score on the median absolute deviation,
  Iglewicz & Hoaglin) **and** two material thresholds: a relative rise (the latest read at
  least ``min_ratio`` × the baseline) and an absolute floor in m³ per day. A small
  household's noise passes the score but not the floor; a large user's swing passes the
  floor but not the score.
- **Hourly (AMI) meters**: a *continuous flow* — the hourly flow never falls below a small
  floor for ``continuous_hours`` or more (a tap or cistern that never stops; a household
  uses nothing at some hour of the night) — and a *burst* — a high flow held for
  ``burst_hours`` or more.

Everything here is numpy over arrays of accounts (one row per account); the database
work (building the arrays, recording detections, suppressions and cases) is in
:mod:`proactive.actions`. The defaults and their sources are in ``docs/proactive.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

# The modified z-score's constant: the median absolute deviation of a normal sample times
# 1.4826 estimates its standard deviation (0.6745 = 1 / 1.4826).
MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class Thresholds:
    """When a read is unusual. Every figure is configuration (settings.PROACTIVE_THRESHOLDS)."""

    recent_reads: int = 12  # how many reads before the latest make the baseline
    min_history: int = 4  # fewer valid reads than this: no baseline, no detection
    season_window_days: int = 20  # last year's read counts as "the same season" within ± this
    min_score: float = 3.5  # modified z-score (Iglewicz & Hoaglin's outlier cut)
    min_ratio: float = 1.5  # the latest read at least this many times the baseline
    min_excess_m3_per_day: float = 0.3  # and at least this much more water a day
    # The spread never counts as smaller than this share of the baseline (a very regular
    # household's tiny MAD would make every small rise look extreme) …
    min_spread_share: float = 0.15
    # … nor smaller than this many m³ a day (registers count whole m³: a 30-day period
    # cannot show less than 1/30 m³ a day of difference).
    min_spread_m3_per_day: float = 0.05
    # Hourly meters.
    continuous_floor_lph: float = 5.0  # a flow that never drops below this many litres an hour …
    continuous_hours: int = 48  # … for this long is a continuous flow
    burst_lph: float = 300.0  # a flow of at least this many litres an hour …
    burst_hours: int = 3  # … held this long is a burst

    @classmethod
    def from_settings(cls, overrides: dict | None, base: Thresholds | None = None) -> Thresholds:
        """``base`` (or the defaults) with ``overrides`` ({name: value}); an unknown name is refused."""
        unknown = set(overrides or {}) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown proactive thresholds: {', '.join(sorted(unknown))}")
        return replace(base or cls(), **(overrides or {}))


# A shop's or a factory's use swings far more from month to month than a home's: for
# them a rise must stand out further from their own spread before anyone is called.
USE_TYPE_DEFAULTS: dict[str, dict] = {
    "general": {"min_score": 5.0},
    "bathhouse": {"min_score": 5.0},
    "industrial": {"min_score": 5.0},
    "public": {"min_score": 5.0},
}


def thresholds_by_use_type(configured: dict | None = None) -> dict[str, Thresholds]:
    """The thresholds of each use type (``"*"``: every other) from the configuration.

    ``configured``: {"*": {…}, "general": {…}, …}, each a set of overrides; a use type's own
    overrides apply over ``"*"`` and over its defaults (``USE_TYPE_DEFAULTS``).
    """
    configured = dict(configured or {})
    common = Thresholds.from_settings(configured.pop("*", None))
    by_use = {"*": common}
    for use_type in set(USE_TYPE_DEFAULTS) | set(configured):
        own = {**USE_TYPE_DEFAULTS.get(use_type, {}), **(configured.get(use_type) or {})}
        by_use[use_type] = Thresholds.from_settings(own, base=common)
    return by_use


@dataclass
class PeriodicResult:
    """Per account (one entry each): the verdict on its latest read and the figures behind it."""

    unusual: np.ndarray  # bool
    use_per_day: np.ndarray  # m³ a day of the latest read
    baseline_per_day: np.ndarray  # m³ a day expected (NaN: not enough history)
    excess_per_day: np.ndarray  # m³ a day above the baseline
    ratio: np.ndarray  # latest ÷ baseline (per resident where known)
    score: np.ndarray  # modified z-score (per resident where known)
    history: np.ndarray  # how many earlier reads the baseline rests on


def nan_median(values: np.ndarray) -> np.ndarray:
    """Median of each row, ignoring NaN (NaN for a row without values).

    Sorted once (NaN sorts last), then the middle of each row's valid values: several times
    faster than ``np.nanmedian`` on a million short rows.
    """
    ordered = np.sort(values, axis=1)
    count = np.sum(~np.isnan(values), axis=1)
    low = np.clip((count - 1) // 2, 0, None)
    high = np.clip(count // 2, 0, None)
    rows = np.arange(len(values))
    with np.errstate(invalid="ignore"):
        median = (ordered[rows, low] + ordered[rows, high]) / 2
    median[count == 0] = np.nan
    return median


def periodic(
    use_m3: np.ndarray,
    days: np.ndarray,
    *,
    same_season_m3_per_day: np.ndarray | None = None,
    residents: np.ndarray | None = None,
    thresholds: Thresholds = Thresholds(),
) -> PeriodicResult:
    """Judge each account's latest periodic read against its own history.

    ``use_m3`` and ``days``: (accounts, reads) in date order, the latest read last; NaN
    where an account has fewer reads. ``same_season_m3_per_day``: each account's use a day
    in the read about a year before the latest (NaN: none). ``residents``: (accounts,
    reads) residents at each read (NaN: not known); where known at every read of the
    window, the comparison is per resident, so a household that grew is not unusual for
    using more.
    """
    t = thresholds
    with np.errstate(invalid="ignore", divide="ignore"):
        per_day = use_m3 / days
    latest = per_day[:, -1]
    window = slice(-(t.recent_reads + 1), -1)  # the reads the baseline rests on
    # The unit of comparison: the household, or one resident where residents are known.
    unit = np.ones(len(per_day))
    compared = per_day
    if residents is not None:
        # Known at every read of the window (NaN compares False; columns without a read do not count).
        recent = slice(window.start, None)
        known = ((residents[:, recent] > 0) | np.isnan(per_day[:, recent])).all(axis=1) & (
            residents[:, -1] > 0
        )
        unit = np.where(known, residents[:, -1], 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            compared = np.where(known[:, None], per_day / residents, per_day)
    earlier = compared[:, window]
    history = np.sum(~np.isnan(earlier), axis=1)
    baseline = nan_median(earlier)
    if same_season_m3_per_day is not None:
        season = same_season_m3_per_day / unit
        baseline = np.where(np.isnan(season), baseline, np.fmax(baseline, season))
    spread = MAD_TO_SIGMA * nan_median(np.abs(earlier - baseline[:, None]))
    spread = np.fmax(spread, t.min_spread_share * baseline)
    spread = np.fmax(
        spread, t.min_spread_m3_per_day / unit
    )  # the floor is the meter's, shared by its residents
    with np.errstate(invalid="ignore", divide="ignore"):
        score = (compared[:, -1] - baseline) / spread
        ratio = np.where(baseline > 0, compared[:, -1] / baseline, np.inf)
    expected = baseline * unit  # m³ a day at the household's usual rate, for its residents now
    excess = latest - expected
    with np.errstate(invalid="ignore"):
        unusual = (
            (history >= t.min_history)
            & (score >= t.min_score)
            & (ratio >= t.min_ratio)
            & (excess >= t.min_excess_m3_per_day)
        )
    return PeriodicResult(unusual, latest, expected, excess, ratio, score, history)


@dataclass
class HourlyResult:
    """Per meter: a continuous flow and a burst, with the figures behind them."""

    continuous: np.ndarray  # bool
    lowest_flow_lph: np.ndarray  # the highest "lowest hourly flow" over any continuous_hours
    burst: np.ndarray  # bool
    held_flow_lph: np.ndarray  # the highest flow held for burst_hours


def rolling_min(values: np.ndarray, width: int) -> np.ndarray:
    """The minimum of every ``width`` consecutive columns of each row (NaN spreads: a gap breaks a stretch).

    By doubling: minima over 1, 2, 4 … columns, then two overlapping power-of-two spans
    cover any width — log₂(width) passes over the array instead of ``width``.
    """
    if width < 1 or values.shape[1] < width:
        return np.empty((len(values), 0))
    spans, span = values, 1
    while span * 2 <= width:
        spans = np.minimum(spans[:, :-span], spans[:, span:])
        span *= 2
    rest = width - span
    return np.minimum(spans[:, : spans.shape[1] - rest], spans[:, rest:]) if rest else spans


def _highest(values: np.ndarray) -> np.ndarray:
    """Each row's highest value, ignoring NaN (NaN for a row with none)."""
    if values.shape[1] == 0:
        return np.full(len(values), np.nan)
    with np.errstate(invalid="ignore"):
        return np.fmax.reduce(values, axis=1)


def hourly(flow_lph: np.ndarray, thresholds: Thresholds = Thresholds()) -> HourlyResult:
    """Judge each meter's hourly flows (meters, hours) in litres an hour, NaN where none arrived."""
    t = thresholds
    lowest = _highest(rolling_min(flow_lph, t.continuous_hours))
    held = _highest(rolling_min(flow_lph, t.burst_hours))
    with np.errstate(invalid="ignore"):
        return HourlyResult(
            continuous=lowest > t.continuous_floor_lph,
            lowest_flow_lph=lowest,
            burst=held >= t.burst_lph,
            held_flow_lph=held,
        )


def periodic_by_use_type(
    use_m3: np.ndarray,
    days: np.ndarray,
    use_types: np.ndarray,
    by_use_type: dict[str, Thresholds],
    *,
    same_season_m3_per_day: np.ndarray | None = None,
    residents: np.ndarray | None = None,
) -> PeriodicResult:
    """:func:`periodic` with each account judged by the thresholds of its use type (``"*"``: the rest)."""
    n = len(use_m3)
    merged = PeriodicResult(
        *(np.zeros(n, dtype=bool) if name == "unusual" else np.full(n, np.nan) for name in PERIODIC_FIELDS)
    )
    for use_type in np.unique(use_types).tolist():
        rows = np.flatnonzero(use_types == use_type)
        part = periodic(
            use_m3[rows],
            days[rows],
            same_season_m3_per_day=None if same_season_m3_per_day is None else same_season_m3_per_day[rows],
            residents=None if residents is None else residents[rows],
            thresholds=by_use_type.get(use_type, by_use_type["*"]),
        )
        for name in PERIODIC_FIELDS:
            getattr(merged, name)[rows] = getattr(part, name)
    return merged


PERIODIC_FIELDS = [f.name for f in fields(PeriodicResult)]
