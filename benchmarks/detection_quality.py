"""How well unusual-usage detection finds leaks: injected leaks of known size and start.

A synthetic city of N households is simulated month by month for three years: household
sizes (1–5 residents; a third of them known to the utility), seasonality (a summer peak),
holidays (설 and 추석 guests), 김장 in November or December, guests and absences, residents
moving in and out (registered or not), monthly and bimonthly reads on days that vary, whole
m³ registers, misreads that the next read corrects, general-use and large users. In the last
twelve months leaks start in some households, on a random day, of a size drawn
log-uniformly between 0.1 and 3 m³ a day; a leak that is found is repaired by the next
read, one that is not lasts until the household notices (about four months).

After every read the real detection (:func:`proactive.detection.periodic` with the
default thresholds, the same-season baseline and the residents the utility knows) judges
each household; declared events and the configured 김장 window suppress as they do in
the system, and a household with an open case is not alerted again.

- recall: leaks found at a read inside the first billing period that contains them whole
  (or earlier), by size; the target is at least 0.9 for leaks of 0.5 m³ a day or more;
- precision: alerts at a household with a leak running ÷ all alerts (target ≥ 0.8);
- alert rate: alerts per household per cycle (target < 2 %).

No database: the detection is pure arithmetic over arrays (``--size`` households).

Ends with: BENCH detection_quality households=N precision=… recall=… alert_rate=…
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from proactive.detection import periodic_by_use_type, thresholds_by_use_type

MONTHS = 36
EVALUATED = 12  # the last twelve months are judged; leaks start in them
SIZE_BUCKETS = [(0.1, 0.25), (0.25, 0.5), (0.5, 1.0), (1.0, 2.0), (2.0, 3.0)]
KIMJANG_MONTHS = (10, 11)  # November, December (0-based month of the year)
READING_TOLERANCE_HIGH = 0.7  # the reading checks' upper band (settings.READING_TOLERANCE_HIGH)


@dataclass
class City:
    """The simulated city: true daily use per household and month, and what the utility knows."""

    rate: np.ndarray  # (N, MONTHS) m³ a day without leaks
    leak: np.ndarray  # (N, MONTHS) m³ a day leaked (filled as the simulation runs)
    days: np.ndarray  # (N, MONTHS) days of the period ending with the read of that month
    bimonthly: np.ndarray  # (N,) bool
    use_type: np.ndarray  # (N,) "domestic", "general" or "industrial"
    residents: np.ndarray  # (N, MONTHS) residents in fact
    residents_known: np.ndarray  # (N, MONTHS) residents as registered (NaN: not known)
    declared: np.ndarray  # (N, MONTHS) bool: the household declared an event in that period
    misread: np.ndarray  # (N, MONTHS) m³ added to the register by a misread (undone next read)


def simulate_city(n: int, rng: np.random.Generator) -> City:
    month_of_year = np.arange(MONTHS) % 12
    domestic = rng.random(n) < 0.90
    large = ~domestic & (rng.random(n) < 0.2)
    residents = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.33, 0.28, 0.19, 0.15, 0.05]).astype(float)
    residents = np.repeat(residents[:, None], MONTHS, axis=1)
    # Residents come and go (a birth, a child leaving home): 0.3 % of households a month
    # change by one, about 4 % a year (a household that moves out closes its account).
    for month in range(1, MONTHS):
        change = rng.random(n) < 0.003
        step = rng.choice([-1.0, 1.0], size=n)
        residents[change, month:] = np.clip(residents[change, month:] + step[change, None], 1, 6)
    per_person = 0.17 * rng.lognormal(0.0, 0.35, size=n)
    base = np.where(
        domestic,
        per_person * residents[:, 0] ** 0.85,
        np.where(large, rng.uniform(10, 50, size=n), rng.lognormal(np.log(2.0), 0.6, size=n)),
    )
    scale = np.where(domestic[:, None], (residents / residents[:, :1]) ** 0.85, 1.0)
    season = 1 + 0.10 * np.cos(2 * np.pi * (month_of_year - 7) / 12)  # August peak
    noise = rng.lognormal(0.0, np.where(domestic, 0.10, 0.18)[:, None], size=(n, MONTHS))
    rate = base[:, None] * scale * season[None, :] * noise
    # Holidays: 설 (February) and 추석 (September) bring guests to a quarter of the homes.
    for holiday in (1, 8):
        guests = domestic[:, None] & (month_of_year == holiday)[None, :] & (rng.random((n, MONTHS)) < 0.25)
        rate = np.where(guests, rate * rng.uniform(1.05, 1.25, size=(n, MONTHS)), rate)
    # Other events any month: guests staying (3 % of homes a month: 1–3 guests for 2–14 days),
    # absences (1 %).
    days = 30 + rng.integers(-3, 4, size=(n, MONTHS))
    guests = rng.random((n, MONTHS)) < 0.03
    stay = rng.integers(1, 4, size=(n, MONTHS)) * per_person[:, None] * rng.uniform(2, 14, size=(n, MONTHS))
    rate = np.where(guests, rate + stay / days, rate)
    away = rng.random((n, MONTHS)) < 0.01
    rate = np.where(away, rate * rng.uniform(0.2, 0.6, size=(n, MONTHS)), rate)
    # 김장: a third of homes use 1–2 m³ more in one of November or December.
    kimjang_month = rng.choice(KIMJANG_MONTHS, size=n)
    kimjang = (
        domestic[:, None] & (month_of_year[None, :] == kimjang_month[:, None]) & (rng.random((n, 1)) < 0.33)
    )
    rate = rate + np.where(kimjang, rng.uniform(1.0, 2.0, size=(n, MONTHS)) / days, 0.0)
    # What the utility knows: residents for a third of the homes, and a change only if registered (60 %).
    known = domestic & (rng.random(n) < 0.33)
    registered = residents.copy()
    for month in range(1, MONTHS):
        unregistered = (residents[:, month] != residents[:, month - 1]) & (rng.random(n) < 0.4)
        registered[unregistered, month:] = registered[unregistered, month - 1 : month]
    residents_known = np.where(known[:, None], registered, np.nan)
    declared = (guests & (rng.random((n, MONTHS)) < 0.4)) | (kimjang & (rng.random((n, MONTHS)) < 0.2))
    misread = np.where(rng.random((n, MONTHS)) < 0.003, rng.integers(2, 10, size=(n, MONTHS)), 0).astype(
        float
    )
    return City(
        rate=rate,
        leak=np.zeros((n, MONTHS)),
        days=days.astype(float),
        bimonthly=rng.random(n) < 0.2,
        use_type=np.where(domestic, "domestic", np.where(large, "industrial", "general")),
        residents=np.where(domestic[:, None], residents, np.nan),
        residents_known=residents_known,
        declared=declared,
        misread=misread,
    )


@dataclass
class Leak:
    household: np.ndarray
    size: np.ndarray  # m³ a day
    start_month: np.ndarray  # the month whose period it starts in
    start_share: np.ndarray  # share of that period it runs
    found_at: np.ndarray  # month of the read that found it (-1: not yet)


def start_leaks(
    city: City, month: int, leaks: list[Leak], rng: np.random.Generator, per_month: float
) -> None:
    """Leaks starting in ``month``'s period: 0.3 % of the households without one running."""
    n = len(city.rate)
    running = city.leak[:, month] > 0
    new = np.flatnonzero(~running & (rng.random(n) < per_month))
    size = np.exp(rng.uniform(np.log(0.1), np.log(3.0), size=len(new)))
    share = rng.random(len(new))
    # Undetected, a household notices after about four months (geometric).
    lasts = rng.geometric(1 / 4, size=len(new))
    for household, s, sh, months in zip(
        new.tolist(), size.tolist(), share.tolist(), lasts.tolist(), strict=True
    ):
        city.leak[household, month] = s * sh
        city.leak[household, month + 1 : month + 1 + months] = s
    leaks.append(Leak(new, size, np.full(len(new), month), share, np.full(len(new), -1)))


def reads_of(monthly: bool, up_to: int) -> np.ndarray:
    """The months read up to ``up_to``: every month, or every other month ending with ``up_to``."""
    months = np.arange(up_to + 1)
    if not monthly:
        months = months[(up_to - months) % 2 == 0]
    return months


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=20000, help="households in the synthetic city")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--thresholds",
        default="{}",
        help='overrides of the thresholds as JSON, e.g. \'{"*": {"min_ratio": 1.8}, "general": {…}}\'',
    )
    parser.add_argument(
        "--leaks-per-month", type=float, default=0.003, help="share of households a leak starts in"
    )
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    city = simulate_city(args.size, rng)
    thresholds = thresholds_by_use_type(json.loads(args.thresholds))
    n = args.size
    leaks: list[Leak] = []
    alerts = true_alerts = judged = 0
    case_until = np.full(n, -1)  # a household with an open case is not alerted again
    first = MONTHS - EVALUATED
    for month in range(first, MONTHS):
        start_leaks(city, month, leaks, rng, args.leaks_per_month)
        for monthly in (True, False):
            group = city.bimonthly != monthly
            if not monthly and (MONTHS - 1 - month) % 2:
                continue  # bimonthly households are read every other month
            households = np.flatnonzero(group)
            months = reads_of(monthly, month)
            use, days, residents = _reads(city, households, months)
            # The read about a year before: 12 months back (6 reads for bimonthly).
            back = 12 if monthly else 6
            season = (use[:, -1 - back] / days[:, -1 - back]) if use.shape[1] > back else None
            result = periodic_by_use_type(
                use[:, -25:], days[:, -25:], city.use_type[households], thresholds,
                same_season_m3_per_day=season, residents=residents[:, -25:],
            )  # fmt: skip
            span = months[-1] - (months[-2] if len(months) > 1 else months[-1] - 1)
            period_months = np.arange(month - span + 1, month + 1)
            suppressed = city.declared[np.ix_(households, period_months)].any(axis=1)
            # The 김장 window (November–December): a rise there must be twice the baseline.
            if (month % 12) in KIMJANG_MONTHS:
                suppressed |= result.ratio < 2.0
            open_case = case_until[households] >= month
            # A misread far above the expected use is held by the reading checks (tolerance band)
            # and corrected by a re-read before anything is judged.
            held = (city.misread[households, month] > 0) & (result.ratio >= 1 + READING_TOLERANCE_HIGH)
            city.misread[households[held], month] = 0
            alert = result.unusual & ~suppressed & ~open_case & ~held
            leaking = (city.leak[np.ix_(households, period_months)] > 0).any(axis=1)
            judged += len(households)
            alerts += int(alert.sum())
            true_alerts += int((alert & leaking).sum())
            found = households[alert]
            case_until[found] = month + span  # the case runs until the next read
            # The pre-call registers the household's size when it has changed (or was not known).
            explained = found[~leaking[alert]]
            changed = city.residents[explained, month] != city.residents_known[explained, month]
            # The household says since when, so its earlier size is known too.
            for household in explained[changed].tolist():
                city.residents_known[household, :] = city.residents[household, :]
            # A leak found is repaired by the next read.
            for leak in leaks:
                hit = np.isin(leak.household, found) & (leak.found_at < 0)
                leak.found_at[hit] = month
                for household in leak.household[hit].tolist():
                    city.leak[household, month + 1 :] = 0
    # A leak counts as found in time when found at a read within the first period containing it whole.
    sizes = np.concatenate([leak.size for leak in leaks])
    start = np.concatenate([leak.start_month for leak in leaks])
    found_at = np.concatenate([leak.found_at for leak in leaks])
    household = np.concatenate([leak.household for leak in leaks])
    span = np.where(city.bimonthly[household], 2, 1)
    # The first read after a whole period: for monthly reads the month after the start;
    # for bimonthly, the read two months after the start's period.
    deadline = start + span + np.where(city.bimonthly[household] & ((MONTHS - 1 - start) % 2 == 1), 1, 0)
    judgeable = deadline < MONTHS
    in_time = (found_at >= 0) & (found_at <= deadline)
    precision = true_alerts / alerts if alerts else 0.0
    material = judgeable & (sizes >= 0.5)
    recall = in_time[material].mean() if material.any() else 0.0
    alert_rate = alerts / judged
    buckets = [((low, high), judgeable & (sizes >= low) & (sizes < high)) for low, high in SIZE_BUCKETS]
    print(f"{n:,} households, {EVALUATED} months judged, {len(sizes):,} leaks started, {alerts:,} alerts")
    for (low, high), bucket in buckets:
        if bucket.any():
            print(
                f"  leaks of {low:.2f}–{high:.2f} m³/day: {bucket.sum():6,}  recall {in_time[bucket].mean():.3f}"
            )
    print(
        f"  alerts per household per cycle: {alert_rate:.4f} over {EVALUATED} cycles; {time.perf_counter() - started:.1f} s"
    )
    uses = city.use_type[household]
    for use_type in np.unique(uses).tolist():
        bucket = material & (uses == use_type)
        if bucket.any():
            print(
                f"  {use_type} accounts, leaks of 0.5 m³/day or more: {bucket.sum():6,}  recall {in_time[bucket].mean():.3f}"
            )
    homes = material & (uses == "domestic")
    by_size = " ".join(
        f"recall_{str(low).replace('.', '_')}={in_time[bucket].mean():.3f}"
        for (low, _high), bucket in buckets
        if bucket.any()
    )
    print(
        f"BENCH detection_quality households={n} precision={precision:.3f} recall={recall:.3f} "
        f"alert_rate={alert_rate:.4f} leaks={int(material.sum())} "
        f"recall_domestic={in_time[homes].mean() if homes.any() else 0:.3f} {by_size}"
    )


def _reads(city: City, households: np.ndarray, months: np.ndarray):
    """Use, days and registered residents of each read (a read covers the months since the previous one)."""
    true_use = (city.rate + city.leak)[households] * city.days[households]
    register = np.cumsum(true_use, axis=1)
    shown = register + city.misread[households]  # a misread is off once; the next read is right
    whole = np.floor(shown[:, months])  # registers show whole m³
    previous = np.concatenate([np.floor(shown[:, [months[0] - 1]]) if months[0] > 0 else np.zeros((len(households), 1)),
                               whole[:, :-1]], axis=1)  # fmt: skip
    use = whole - previous
    cumulative_days = np.cumsum(city.days[households], axis=1)
    days_at = cumulative_days[:, months]
    days_before = np.concatenate(
        [
            cumulative_days[:, [months[0] - 1]] if months[0] > 0 else np.zeros((len(households), 1)),
            days_at[:, :-1],
        ],
        axis=1,
    )
    return use, days_at - days_before, city.residents_known[households][:, months]


if __name__ == "__main__":
    main()
