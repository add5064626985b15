"""A tariff version's rules, read from its definition (the ordinance as data) and checked.

A definition is a mapping (stored as JSON, written by hand as TOML in
``billing/tariff_files/``)::

    rounding = {mode = "truncate", unit = 10}     # per component, after proration
    household_split = ["domestic"]                # 세대분할: blocks per household
    mixed_use = {allowance_m3 = 15, household_use = "domestic", applies_to = ["general"]}

    [[components]]
    code = "water"                                # water | sewer | water_use
    label = "상수도요금"
    label_en = "Water"
    volume = "water"                              # or "sewer": the account's sewer volume
    [components.schedules.domestic]
    basic = {15 = 1080, 20 = 3000}                # won per month by meter diameter (mm)
    blocks = [{upto = 20, rate = "360"}, {rate = "550"}]   # m³ per household; last is open

Rates are won per m³ and may have decimals (물이용부담금 36.4 won); they are kept as
integer thousandths of a won so all arithmetic is exact integer arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from customers.choices import UseType

COMPONENTS = ("water", "sewer", "water_use")
VOLUMES = ("water", "sewer")
ROUNDING_MODES = ("truncate", "round", "ceil")
MILLI = 1000  # rates and intermediate charges are in thousandths of a won


@dataclass(frozen=True)
class Block:
    upto: int | None  # upper bound in m³ per household (exclusive of the next block); None = open
    rate_milli: int  # thousandths of a won per m³


@dataclass(frozen=True)
class Schedule:
    blocks: tuple[Block, ...]
    basic_by_diameter: dict[int, int]  # won per month


@dataclass(frozen=True)
class Component:
    code: str
    label: str
    label_en: str
    volume: str
    schedules: dict[str, Schedule]


@dataclass(frozen=True)
class MixedUse:
    """A home-and-shop building on one meter: each household's first ``allowance_m3`` at the
    household rate, the rest at the account's own (general) rate (a Seoul rule)."""

    allowance_m3: int
    household_use: str
    applies_to: tuple[str, ...]


@dataclass(frozen=True)
class Rounding:
    mode: str
    unit: int

    def apply(self, milli: int):
        """Thousandths of a won → whole won, rounded to the unit (works on numpy arrays too)."""
        step = self.unit * MILLI
        if self.mode == "truncate":
            return milli // step * self.unit
        if self.mode == "ceil":
            return -(-milli // step) * self.unit
        return (milli + step // 2) // step * self.unit


@dataclass(frozen=True)
class TariffRules:
    effective_from: date
    components: tuple[Component, ...]
    rounding: Rounding
    household_split: tuple[str, ...]
    mixed_use: MixedUse | None


def parse_rules(definition: dict, effective_from: date) -> TariffRules:
    """Check a definition and return its rules; every refusal names what is wrong and where."""
    if not isinstance(definition, dict):
        raise ValidationError(_("A tariff definition is a table of settings."))
    errors: list[str] = []
    rounding = _rounding(definition.get("rounding", {"mode": "truncate", "unit": 10}), errors)
    split = tuple(definition.get("household_split", ["domestic"]))
    for use in split:
        if use not in UseType.values:
            errors.append(_("household_split names an unknown use type “%(use)s”.") % {"use": use})
    mixed = _mixed_use(definition.get("mixed_use"), errors)
    raw_components = definition.get("components")
    if not isinstance(raw_components, list) or not raw_components:
        errors.append(_("A tariff needs at least one charge component (water, sewer, water_use)."))
        raw_components = []
    components, seen = [], set()
    for position, raw in enumerate(raw_components, start=1):
        component = _component(raw, position, errors)
        if component is None:
            continue
        if component.code in seen:
            errors.append(_("Component “%(code)s” appears twice.") % {"code": component.code})
        seen.add(component.code)
        components.append(component)
    if mixed is not None and components:
        water = next((c for c in components if c.code == "water"), None)
        if water is not None and mixed.household_use not in water.schedules:
            errors.append(
                _("mixed_use bills households at “%(use)s”, which has no water schedule.")
                % {"use": mixed.household_use}
            )
    if errors:
        raise ValidationError(errors)
    return TariffRules(
        effective_from=effective_from,
        components=tuple(components),
        rounding=rounding,
        household_split=split,
        mixed_use=mixed,
    )


def _rounding(raw, errors) -> Rounding:
    mode, unit = (raw or {}).get("mode", "truncate"), (raw or {}).get("unit", 10)
    if mode not in ROUNDING_MODES:
        errors.append(
            _("Rounding mode must be one of truncate, round or ceil, not “%(mode)s”.") % {"mode": mode}
        )
        mode = "truncate"
    if not isinstance(unit, int) or unit not in (1, 10, 100, 1000):
        errors.append(_("Rounding unit must be 1, 10, 100 or 1000 won."))
        unit = 10
    return Rounding(mode, unit)


def _mixed_use(raw, errors) -> MixedUse | None:
    if raw is None:
        return None
    allowance = raw.get("allowance_m3")
    household_use = raw.get("household_use", "domestic")
    applies_to = tuple(raw.get("applies_to", ["general"]))
    if not isinstance(allowance, int) or allowance < 1:
        errors.append(_("mixed_use.allowance_m3 must be a whole number of m³, 1 or more."))
        allowance = 1
    for use in (household_use, *applies_to):
        if use not in UseType.values:
            errors.append(_("mixed_use names an unknown use type “%(use)s”.") % {"use": use})
    return MixedUse(allowance, household_use, applies_to)


def _component(raw, position, errors) -> Component | None:
    if not isinstance(raw, dict):
        errors.append(_("Component %(n)s is not a table.") % {"n": position})
        return None
    code = raw.get("code")
    if code not in COMPONENTS:
        errors.append(
            _("Component %(n)s: code must be one of water, sewer, water_use, not “%(code)s”.")
            % {"n": position, "code": code}
        )
        return None
    volume = raw.get("volume", "sewer" if code == "sewer" else "water")
    if volume not in VOLUMES:
        errors.append(_("Component “%(code)s”: volume must be water or sewer.") % {"code": code})
    schedules = {}
    raw_schedules = raw.get("schedules")
    if not isinstance(raw_schedules, dict) or not raw_schedules:
        errors.append(_("Component “%(code)s” has no schedule for any use type.") % {"code": code})
        raw_schedules = {}
    for use, schedule in raw_schedules.items():
        where = f"{code}.{use}"
        if use not in UseType.values:
            errors.append(_("%(where)s: unknown use type “%(use)s”.") % {"where": where, "use": use})
            continue
        parsed = _schedule(schedule, where, errors)
        if parsed is not None:
            schedules[use] = parsed
    return Component(
        code=code,
        label=str(raw.get("label") or code),
        label_en=str(raw.get("label_en") or raw.get("label") or code),
        volume=volume,
        schedules=schedules,
    )


def _schedule(raw, where, errors) -> Schedule | None:
    if not isinstance(raw, dict):
        errors.append(_("%(where)s is not a table.") % {"where": where})
        return None
    if "rate" in raw and "blocks" in raw:
        errors.append(_("%(where)s: give either a flat rate or blocks, not both.") % {"where": where})
        return None
    raw_blocks = [{"rate": raw["rate"]}] if "rate" in raw else raw.get("blocks")
    if not isinstance(raw_blocks, list) or not raw_blocks:
        errors.append(_("%(where)s: give a rate per m³ or a list of blocks.") % {"where": where})
        return None
    blocks, lower = [], 0
    for index, block in enumerate(raw_blocks, start=1):
        rate = _rate(block.get("rate") if isinstance(block, dict) else None)
        if rate is None:
            errors.append(
                _('%(where)s, block %(n)s: the rate must be a number of won per m³ (e.g. "580" or "36.4").')
                % {"where": where, "n": index}
            )
            return None
        upto = block.get("upto")
        last = index == len(raw_blocks)
        if last and upto is not None:
            errors.append(_("%(where)s: the last block must be open (no “upto”).") % {"where": where})
            return None
        if not last:
            if not isinstance(upto, int) or upto <= lower:
                errors.append(
                    _("%(where)s, block %(n)s: “upto” must be a whole number of m³ above %(lower)s.")
                    % {"where": where, "n": index, "lower": lower}
                )
                return None
            lower = upto
        blocks.append(Block(upto=upto, rate_milli=rate))
    basic = {}
    for diameter, won in (raw.get("basic") or {}).items():
        try:
            basic[int(diameter)] = int(won)
        except (TypeError, ValueError):
            errors.append(
                _("%(where)s: basic charges are whole won by meter diameter in mm.") % {"where": where}
            )
            return None
        if basic[int(diameter)] < 0:
            errors.append(_("%(where)s: a basic charge cannot be negative.") % {"where": where})
            return None
    return Schedule(blocks=tuple(blocks), basic_by_diameter=basic)


def _rate(raw) -> int | None:
    """A rate in won per m³ as integer thousandths of a won; None if it is not one."""
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    milli = value * MILLI
    if value < 0 or milli != milli.to_integral_value():
        return None
    return int(milli)
