"""Pricing usage with a tariff: whole arrays of accounts at once, or one account as an array of one.

The billing run groups a chunk's accounts by use type and prices each group in a few
numpy operations; a final bill at move-out goes through exactly the same function.
All amounts are integers: thousandths of a won until each component is rounded to won.

The rules, with the arithmetic the tests check by hand:

- **Blocks per household (세대분할)**: a household's blocks times the number of
  households, i.e. the block bounds are multiplied by the households, which equals
  "usage ÷ households, priced per household, × households" without fractions.
- **Mixed home and shop (주상복합)**: on a mixed building's account of a use type the
  rule applies to, min(usage, allowance × households) is priced with the household use's
  blocks (per household), the rest with the account's own blocks.
- **Basic charge** by meter diameter, per month, times the months of the period, and by
  days for a partial period (a final bill at move-out).
- **Tariff change inside the period**: each version prices the whole period's usage and
  the results are weighted by the days each version was in force.
- **Rounding** per component at the end (e.g. 10 won truncated), with the rounding rule
  of the version in force at the end of the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .rules import MILLI, Block, Component, Schedule, TariffRules


class MissingSchedule(Exception):
    """The tariff has no price for these accounts (a use type or meter diameter it does not list)."""

    def __init__(self, component: str, use_type: str, diameter: int | None = None):
        self.component, self.use_type, self.diameter = component, use_type, diameter
        super().__init__(f"{component}/{use_type}" + (f"/{diameter} mm" if diameter else ""))


@dataclass(frozen=True)
class Segment:
    """A tariff version and the days of the billing period it was in force."""

    rules: TariffRules
    days: int


@dataclass
class Consumers:
    """Accounts of one use type, one array entry each."""

    use_type: str
    water_m3: np.ndarray
    sewer_m3: np.ndarray
    households: np.ndarray
    diameter_mm: np.ndarray
    mixed: np.ndarray  # bool: a home-and-shop building
    months: np.ndarray  # months in a full period of the account's cycle (1 or 2)
    days: np.ndarray  # days billed (shorter than full_days for a partial period)
    full_days: np.ndarray  # days of a full period

    @classmethod
    def single(
        cls,
        use_type: str,
        *,
        water_m3: int,
        sewer_m3: int | None = None,
        households: int = 1,
        diameter_mm: int = 15,
        mixed: bool = False,
        months: int = 1,
        days: int = 30,
        full_days: int | None = None,
    ) -> Consumers:
        def one(value, dtype=np.int64):
            return np.array([value], dtype=dtype)

        return cls(
            use_type=use_type,
            water_m3=one(water_m3),
            sewer_m3=one(water_m3 if sewer_m3 is None else sewer_m3),
            households=one(households),
            diameter_mm=one(diameter_mm),
            mixed=one(mixed, bool),
            months=one(months),
            days=one(days),
            full_days=one(days if full_days is None else full_days),
        )


def price(segments: Sequence[Segment], consumers: Consumers) -> dict[str, np.ndarray]:
    """Won per component (in the tariff's order), one entry per account."""
    if not segments:
        raise ValueError("no tariff version covers the period")
    total_days = sum(s.days for s in segments)
    weighted: dict[str, np.ndarray] = {}
    for segment in segments:
        for component in segment.rules.components:
            milli = _component_milli(segment.rules, component, consumers)
            weighted[component.code] = weighted.get(component.code, 0) + milli * segment.days
    rounding = segments[-1].rules.rounding
    return {code: rounding.apply(amount // total_days) for code, amount in weighted.items()}


def component_labels(segments: Sequence[Segment]) -> dict[str, Component]:
    """The components of the period, each with its latest label."""
    found: dict[str, Component] = {}
    for segment in segments:
        for component in segment.rules.components:
            found[component.code] = component
    return found


def _component_milli(rules: TariffRules, component: Component, c: Consumers) -> np.ndarray:
    own = component.schedules.get(c.use_type)
    if own is None:
        raise MissingSchedule(component.code, c.use_type)
    volume = c.water_m3 if component.volume == "water" else c.sewer_m3
    ones = np.ones_like(volume)
    split = c.households if c.use_type in rules.household_split else ones
    charge = _blocks_milli(own.blocks, volume, split)
    mixed = rules.mixed_use
    if mixed is not None and c.use_type in mixed.applies_to and c.mixed.any():
        household = component.schedules.get(mixed.household_use)
        if household is not None:
            allowance = np.minimum(volume, mixed.allowance_m3 * c.households)
            as_mixed = _blocks_milli(household.blocks, allowance, c.households) + _blocks_milli(
                own.blocks, volume - allowance, ones
            )
            charge = np.where(c.mixed, as_mixed, charge)
    return charge + _basic_milli(own, component.code, c)


def _blocks_milli(blocks: tuple[Block, ...], volume: np.ndarray, households: np.ndarray) -> np.ndarray:
    charge = np.zeros_like(volume)
    lower = 0
    for block in blocks:
        above = np.maximum(volume - lower * households, 0)
        if block.upto is not None:
            above = np.minimum(above, (block.upto - lower) * households)
            lower = block.upto
        charge += above * block.rate_milli
    return charge


def _basic_milli(schedule: Schedule, component: str, c: Consumers) -> np.ndarray:
    if not schedule.basic_by_diameter:
        return np.zeros_like(c.water_m3)
    monthly = np.zeros_like(c.water_m3)
    for diameter in np.unique(c.diameter_mm):
        won = schedule.basic_by_diameter.get(int(diameter))
        if won is None:
            raise MissingSchedule(component, c.use_type, int(diameter))
        monthly[c.diameter_mm == diameter] = won
    return monthly * MILLI * c.months * c.days // c.full_days
