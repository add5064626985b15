"""The stream of premises of one district: buildings along streets, units in buildings.

A district's premises are generated street by street in walking order, so the
reading routes (cut from the stream) and ``route_sequence`` follow the street
and the building numbers increase along it, as on a real walk. Addresses are
unique by construction (one counter per street), never by checking a set.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import NamedTuple

from ..choices import BuildingUse
from ..models import compose_address_line
from .people import (
    APARTMENT_BRANDS,
    BATH_NAMES,
    BATH_SUFFIXES,
    CHURCHES,
    COMPANY_SUFFIXES,
    OFFICE_SUFFIXES,
    PREFIXES,
    VILLA_SUFFIXES,
    dong_stem,
)
from .places import CITY, FACTORY_GU, Gu

# Building kinds. A kind fixes the building use, the use type of its accounts and who holds them.
HOUSE, VILLA, APT, APT_SHARED, MIXED, SHOP, CHURCH, OFFICE, BATH, FACTORY, SCHOOL, PUBLIC = range(12)

KIND_USE = {
    HOUSE: BuildingUse.DETACHED_HOUSE.value,
    VILLA: BuildingUse.MULTI_HOUSEHOLD.value,
    APT: BuildingUse.APARTMENT.value,
    APT_SHARED: BuildingUse.APARTMENT.value,
    MIXED: BuildingUse.MIXED.value,
    SHOP: BuildingUse.SHOP.value,
    # A small church is a 근린생활시설 (종교집회장) under the building code.
    CHURCH: BuildingUse.SHOP.value,
    OFFICE: BuildingUse.OFFICE.value,
    BATH: BuildingUse.BATHHOUSE.value,
    FACTORY: BuildingUse.FACTORY.value,
    SCHOOL: BuildingUse.SCHOOL.value,
    PUBLIC: BuildingUse.PUBLIC.value,
}

# Buildings (not premises) per kind: an apartment complex holds ~250 metered units and a villa ~8,
# so these weights give roughly 45 % apartment units, 22 % villa units, 15 % houses, 10 % shops.
BUILDING_WEIGHTS = {
    HOUSE: 1500, VILLA: 275, APT: 17, APT_SHARED: 8, MIXED: 200, SHOP: 300, CHURCH: 6,
    OFFICE: 90, BATH: 10, FACTORY: 3, SCHOOL: 15, PUBLIC: 20,
}  # fmt: skip
# Large sites front the main roads; houses, villas and shops the numbered side streets (…길).
ON_MAIN_ROAD = {APT, APT_SHARED, OFFICE, SCHOOL, PUBLIC, FACTORY, BATH}

# Days of history: premises, accounts and readings are dated within the last ten years.
HISTORY_DAYS = 3650


class Site(NamedTuple):
    """One premise as the stream produces it (ids and history are added later)."""

    gu: int
    road: str
    main: int
    sub: int
    unit: str
    dong: str
    building_name: str
    postcode: str
    lat: str
    lon: str
    kind: int
    households: int
    route: int  # index into the route list of the district
    route_sequence: int
    registered_day: int  # days since the start of the history
    address_line: str
    holder_name: str  # organisation holding the premise's accounts; "" for private customers


class _Street:
    __slots__ = ("dong", "lat", "lon", "name", "next_number", "last_number", "last_sub", "limit", "postcode")

    def __init__(self, name, dong, postcode, lat, lon, start, limit):
        self.name, self.dong, self.postcode, self.lat, self.lon = name, dong, postcode, lat, lon
        self.next_number, self.limit = start, limit
        self.last_number, self.last_sub = 0, 0


class DistrictStream:
    """Premises of one gu, in walking order, until ``quota`` is reached."""

    def __init__(self, rng: random.Random, gu_index: int, gu: Gu, quota: int, route_sizes: list[int]):
        self.rng = rng
        self.random = rng.random
        self.gu_index, self.gu, self.quota = gu_index, gu, quota
        self.route_sizes = route_sizes
        weights = dict(BUILDING_WEIGHTS)
        weights[FACTORY] *= FACTORY_GU.get(gu.code, 0.3)
        self.kinds = list(weights)
        self.cum_weights = []
        total = 0.0
        for kind in self.kinds:
            total += weights[kind]
            self.cum_weights.append(total)
        self.main_streets: dict[str, _Street] = {}
        self.side_numbers = dict.fromkeys(gu.roads, 0)
        self.side: _Street | None = None
        self.road_turn = 0
        self.has_gu_office = False
        # An apartment complex may take at most a quarter of a small district (the 3,000-premise demo).
        self.complex_cap = max(20, quota // 4)

    # -- streets -------------------------------------------------------------------------------
    def _new_street(self, name: str, start: int, limit: int) -> _Street:
        r, gu = self.random, self.gu
        span = gu.postcode_to - gu.postcode_from
        return _Street(
            name,
            gu.dongs[int(r() * len(gu.dongs))],
            gu.postcode_from + int(r() * (span - 5)),
            gu.lat + self.rng.gauss(0, 0.009),
            gu.lon + self.rng.gauss(0, 0.011),
            start,
            limit,
        )

    def _main_street(self) -> _Street:
        road = self.gu.roads[int(self.random() * len(self.gu.roads))]
        street = self.main_streets.get(road)
        if street is None:
            street = self.main_streets[road] = self._new_street(road, 1 + int(self.random() * 20), 10**9)
        return street

    def _side_street(self) -> _Street:
        street = self.side
        if street is None or street.next_number > street.limit:
            road = self.gu.roads[self.road_turn % len(self.gu.roads)]
            self.road_turn += 1
            # Side streets are numbered along their main road: 세종대로1길, 세종대로3길, 세종대로4길 …
            self.side_numbers[road] += 1 + int(self.random() * 2)
            name = f"{road}{self.side_numbers[road]}길"
            street = self.side = self._new_street(
                name, 1 + int(self.random() * 3), 15 + int(self.random() * 90)
            )
        return street

    def _address(self, street: _Street, kind: int) -> tuple[int, int]:
        r = self.random
        # Houses on subdivided lots share a main number: 12, 12-1, 12-2.
        if kind in (HOUSE, VILLA, MIXED) and street.last_number and r() < 0.25:
            street.last_sub += 1
            return street.last_number, street.last_sub
        main = street.next_number
        street.next_number += 1 + int(r() * (8 if kind in ON_MAIN_ROAD else 3))
        street.last_number, street.last_sub = main, 0
        return main, 0

    # -- buildings -----------------------------------------------------------------------------
    def _units(self, kind: int, street: _Street) -> tuple[list[str], str, int, str]:
        """(units, building name, households per premise, organisation holder) of one building."""
        r, gu = self.random, self.gu
        stem = dong_stem(street.dong)
        if kind == HOUSE:
            return [""], "", 1 if r() < 0.85 else 2 + int(r() * 3), ""
        if kind == MIXED:
            return [""], "", 1 + int(r() * 2), ""
        if kind == VILLA:
            floors, per_floor = 2 + int(r() * 3), 2 + int(r() * 3)
            units = [
                f"{floor}{line:02d}호" for floor in range(2, floors + 2) for line in range(1, per_floor + 1)
            ]
            name = ""
            if r() < 0.6:
                base = stem if r() < 0.5 else PREFIXES[int(r() * len(PREFIXES))]
                name = base + VILLA_SUFFIXES[int(r() * len(VILLA_SUFFIXES))]
            return units, name, 1, ""
        if kind == APT:
            buildings, floors, per_floor = 1 + int(r() * 14), 5 + int(r() * 21), 2 + int(r() * 3)
            while buildings * floors * per_floor > self.complex_cap and buildings > 1:
                buildings -= 1
            while buildings * floors * per_floor > self.complex_cap and floors > 1:
                floors -= 1
            brand = APARTMENT_BRANDS[int(r() * len(APARTMENT_BRANDS))]
            name = f"{stem}{brand}" if r() < 0.6 else f"{brand}{stem} {1 + int(r() * 3)}차"
            units = [
                f"{101 + b}동 {floor}{line:02d}호"
                for b in range(buildings)
                for floor in range(1, floors + 1)
                for line in range(1, per_floor + 1)
            ]
            return units, name, 1, ""
        if kind == APT_SHARED:
            name = f"{stem}{APARTMENT_BRANDS[int(r() * len(APARTMENT_BRANDS))]}아파트"
            return [""], name, 20 + int(r() ** 2 * 281), f"{name} 관리사무소"
        if kind == SHOP:
            count = 1 + int(r() ** 2 * 6)
            units = [""] if count == 1 else [f"{1 + i // 3}{1 + i % 3:02d}호" for i in range(count)]
            name = f"{stem}상가" if r() < 0.3 else ""
            return units, name, 1, ""
        if kind == CHURCH:
            name = CHURCHES[int(r() * len(CHURCHES))]
            return [""], name, 1, name
        if kind == OFFICE:
            base = PREFIXES[int(r() * len(PREFIXES))]
            name = base + OFFICE_SUFFIXES[int(r() * len(OFFICE_SUFFIXES))]
            if r() < 0.7:
                return [""], name, 1, "*company"
            return [f"{floor}층" for floor in range(2, 3 + int(r() * 7))], name, 1, "*company"
        if kind == BATH:
            name = BATH_NAMES[int(r() * len(BATH_NAMES))] + BATH_SUFFIXES[int(r() * len(BATH_SUFFIXES))]
            return [""], name, 1, name
        if kind == FACTORY:
            company = PREFIXES[int(r() * len(PREFIXES))] + COMPANY_SUFFIXES[int(r() * len(COMPANY_SUFFIXES))]
            return [""], f"{company} {'제2공장' if r() < 0.2 else '공장'}", 1, f"(주){company}"
        if kind == SCHOOL:
            level = ("초등학교", "초등학교", "중학교", "고등학교")[int(r() * 4)]
            name = f"서울{stem}{level}"
            return [""], name, 1, name
        # PUBLIC: the gu office once, then community centres, libraries, police boxes, parks.
        gu_short = gu.name[:-1] if len(gu.name) > 2 else gu.name
        if not self.has_gu_office:
            self.has_gu_office = True
            return [""], f"{gu.name}청", 1, f"{CITY} {gu.name}"
        choice = r()
        if choice < 0.4:
            return [""], f"{stem}동주민센터", 1, f"{CITY} {gu.name}"
        if choice < 0.6:
            return [""], f"{gu.name}립{stem}도서관", 1, f"{CITY} {gu.name}"
        if choice < 0.8:
            return [""], f"{stem}파출소", 1, f"서울{gu_short}경찰서"
        return [""], f"{stem}근린공원", 1, f"{CITY} {gu.name}"

    def __iter__(self) -> Iterator[Site]:
        r, gu, gu_index = self.random, self.gu, self.gu_index
        choose = self.rng.choices
        produced = 0
        route, route_sequence, route_left = 0, 0, self.route_sizes[0] if self.route_sizes else 0
        history = HISTORY_DAYS
        while produced < self.quota:
            kind = choose(self.kinds, cum_weights=self.cum_weights)[0]
            street = self._main_street() if kind in ON_MAIN_ROAD else self._side_street()
            main, sub = self._address(street, kind)
            units, building_name, households, holder = self._units(kind, street)
            # Most buildings predate the system (loaded in its first months); the rest were built since.
            registered = int(r() * 120) if r() < 0.7 else 120 + int(r() * (history - 210))
            # Six decimals as text: exact for the DecimalField, and cheaper to write than Decimal objects.
            lat = f"{street.lat + (r() - 0.5) * 0.002:.6f}"
            lon = f"{street.lon + (r() - 0.5) * 0.002:.6f}"
            postcode = f"{min(street.postcode + main // 60, gu.postcode_to):05d}"
            prefix = compose_address_line(CITY, gu.name, street.name, main, sub, "", "", "")
            extras = f" ({street.dong}, {building_name})" if building_name else f" ({street.dong})"
            for unit in units:
                if produced >= self.quota:
                    return
                if route_left == 0:
                    route, route_sequence = route + 1, 0
                    route_left = self.route_sizes[route]
                route_left -= 1
                route_sequence += 1
                line = f"{prefix} {unit}{extras}" if unit else prefix + extras
                yield Site(
                    gu_index,
                    street.name,
                    main,
                    sub,
                    unit,
                    street.dong,
                    building_name,
                    postcode,
                    lat,
                    lon,
                    kind,
                    households,
                    route,
                    route_sequence,
                    registered,
                    line,
                    holder,
                )
                produced += 1


def route_sizes(rng: random.Random, quota: int, low: int, high: int) -> list[int]:
    """Cut a district's walk into routes of ``low``–``high`` premises (the last takes the rest)."""
    sizes = []
    left = quota
    while left > 0:
        size = low + int(rng.random() * (high - low + 1))
        if left - size < low // 2:  # no crumb of a route at the end
            size = left
        sizes.append(min(size, left))
        left -= sizes[-1]
    return sizes
