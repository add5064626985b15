"""Ten years in the life of each premise: meters, occupants, name changes, suspensions.

A chunk of premises is handled in two passes. ``plan`` draws only the dates of
what happened (cheap integers), which fixes how many customers, accounts and
meters the chunk needs, so their ids and numbers are reserved in one call each;
``emit_chunk`` then builds every row with those ids. Days are integers from the
start of the history (``HISTORY_DAYS`` ago) to today, turned into ISO text only
when a row is built: no date arithmetic per row.
"""

from __future__ import annotations

from datetime import date, timedelta

from core.pii import mask_name

from ..choices import AccountStatus, BillDelivery, HoldingReason, PaymentMethod, RemovalReason, UseType
from ..events import HOLDER_CHANGED, METER_REPLACED, PREMISE_REGISTERED, SERVICE_STARTED, SERVICE_STOPPED
from ..events import SUSPENDED as SUSPENDED_EVENT
from .buildings import (
    APT,
    APT_SHARED,
    BATH,
    CHURCH,
    FACTORY,
    HISTORY_DAYS,
    HOUSE,
    KIND_USE,
    MIXED,
    OFFICE,
    PUBLIC,
    SCHOOL,
    SHOP,
    VILLA,
)
from .people import People

T = HISTORY_DAYS
# Buildings older than this (in days) were loaded when the system started: their meters were already running.
MIGRATED = 120
DOMESTIC_KINDS = {HOUSE, VILLA, APT, APT_SHARED, MIXED}
PRIVATE_KINDS = {HOUSE, VILLA, APT, MIXED}  # homes held by a person
# Schools, public buildings and managed apartments keep one holder for the whole history.
STABLE_KINDS = {APT_SHARED, SCHOOL, PUBLIC, CHURCH}
USE_TYPE = {
    **dict.fromkeys(DOMESTIC_KINDS, UseType.DOMESTIC.value),
    **dict.fromkeys((SHOP, CHURCH, OFFICE), UseType.GENERAL.value),
    BATH: UseType.BATHHOUSE.value,
    FACTORY: UseType.INDUSTRIAL.value,
    SCHOOL: UseType.PUBLIC.value,
    PUBLIC: UseType.PUBLIC.value,
}
# Registered business-number middle digits: 82 non-profit, 83 public bodies and schools.
ORG_MIDDLE = {APT_SHARED: 82, CHURCH: 82, SCHOOL: 83, PUBLIC: 83}
MAKERS = [
    ("DH", "대한계기"),
    ("KM", "한국계량기"),
    ("SC", "삼천리정밀"),
    ("DY", "동양계기"),
    ("SH", "신한미터"),
]
MAKER_INDEX = {code: index for index, (code, _name) in enumerate(MAKERS)}
REMOVAL_REASONS = (
    [RemovalReason.EXPIRED.value] * 6 + [RemovalReason.FAULTY.value] * 3 + [RemovalReason.REPLACED.value]
)
SUSPEND_REASONS = ["장기 해외 체류", "장기 입원", "빈집 (매매 중)", "리모델링 공사", "군 입대"]
# Event times (minutes after midnight, KST) so one day's events read in order on the timeline.
AT_REGISTERED, AT_METER, AT_STOP, AT_START, AT_HOLDER, AT_SUSPEND = 540, 600, 660, 780, 840, 900

ACTIVE, SUSPENDED, CLOSED = (
    AccountStatus.ACTIVE.value,
    AccountStatus.SUSPENDED.value,
    AccountStatus.CLOSED.value,
)
AUTO, DIRECT = PaymentMethod.AUTO_DEBIT.value, PaymentMethod.DIRECT.value
POST, EMAIL, SMS = BillDelivery.POST.value, BillDelivery.EMAIL.value, BillDelivery.SMS.value
OPENED, TRANSFER = HoldingReason.OPENED.value, HoldingReason.TRANSFER.value


class Calendar:
    """Day numbers as ISO dates and (day, minute) as ISO timestamps with the Seoul offset.

    Text, not date and datetime objects: both databases take ISO text (COPY parses it on the
    server; Django's SQLite adapters parse it, offset included), and building a string from two
    precomputed parts is several times cheaper than building and dumping a datetime.
    """

    def __init__(self, today: date):
        self.first = today - timedelta(days=T)
        days = [self.first + timedelta(days=d) for d in range(T + 400)]  # planned resumptions lie ahead
        self.dates = [d.isoformat() for d in days]
        self.years = [d.year % 100 for d in days]
        self.clock = [f" {m // 60:02d}:{m % 60:02d}:00+09:00" for m in range(1440)]

    def at(self, day: int, minute: int) -> str:
        return self.dates[day] + self.clock[minute]


def _meter_spec(kind, unit, households, r):
    """(diameter mm, dials, m³ per day, remote read) for the premise's use."""
    if kind in (HOUSE, VILLA, APT, MIXED):
        return (
            (15 if r() < 0.75 else 20),
            (4 if r() < 0.65 else 5),
            households * (0.25 + r() * 0.45),
            r() < 0.12,
        )
    if kind == APT_SHARED:
        size = (
            50
            if households <= 60
            else (65, 75)[int(r() * 2)]
            if households <= 120
            else 80
            if households <= 200
            else 100
        )
        return size, 6, households * (0.3 + r() * 0.2), r() < 0.5
    if kind == SHOP:
        return (20, 25)[int(r() * 2)], 5, 0.1 + r() * 1.4, r() < 0.2
    if kind == CHURCH:
        return (25, 32)[int(r() * 2)], 5, 0.3 + r() * 1.7, r() < 0.2
    if kind == OFFICE:
        if unit:
            return (20, 25)[int(r() * 2)], 5, 0.3 + r() * 1.7, r() < 0.3
        return (32, 40, 50)[int(r() * 3)], 5, 2 + r() * 13, r() < 0.4
    if kind == BATH:
        return (40, 50)[int(r() * 2)], 6, 15 + r() * 45, r() < 0.4
    if kind == FACTORY:
        return (50, 65, 75, 80, 100)[int(r() * 5)], 6, 5 + r() * 115, r() < 0.5
    if kind == SCHOOL:
        return (50, 65, 75, 80)[int(r() * 4)], 6, 5 + r() * 25, r() < 0.5
    return (25, 32, 40, 50)[int(r() * 4)], 5, 0.5 + r() * 9.5, r() < 0.4


class History:
    def __init__(self, plan_rng, rng, people: People, calendar: Calendar, content_types: dict):
        # Two generators: the plan pass and the row pass draw independently, so the data does not
        # depend on the chunk size (a chunk plans all its premises before emitting any).
        self.plan_random = plan_rng.random
        self.random = rng.random
        self.uuid_bits = rng.getrandbits  # audit operation ids come from the seed, not uuid4
        self.people = people
        self.cal = calendar
        self.ct = content_types
        self.serials: dict[int, int] = {}
        self.masked: dict[str, str] = {}

    # -- pass 1 ------------------------------------------------------------------------------
    def plan(self, site) -> tuple[int, list, int, int]:
        """(meter replaced on, [(start, end or -1)], holder changed on, suspended on); -1: never."""
        r = self.plan_random
        registered, kind = site.registered_day, site.kind
        replaced = -1
        if registered + 730 < T - 14 and r() < 0.11:  # ~10 %: meters reach their 8-year service life
            replaced = registered + 730 + int(r() * (T - 14 - registered - 730))
        start = registered if registered < MIGRATED else min(registered + int(r() * 60), T)
        stable = kind in STABLE_KINDS
        u = r()
        earlier = 0 if stable or u < 0.70 else 1 if u < 0.90 else 2 if u < 0.97 else 3
        room = T - 7 - (start + 30)
        while earlier and room < 60 * earlier:
            earlier -= 1
        periods = []
        if earlier:
            for cut in sorted(start + 30 + int(r() * room) for _ in range(earlier)):
                end = max(cut, start)
                periods.append((start, end))
                # Half the time the next occupant moves in the same day; otherwise it stood empty a while.
                start = min(end + (0 if r() < 0.6 else 1 + int(r() * 45)), T)
        transferred = suspended = -1
        if not stable and r() < 0.02:  # vacant: the last occupant left, nobody came yet
            periods.append((start, start + int(r() * (T - start + 1))))
        else:
            periods.append((start, -1))
            if T - start > 60 and r() < 0.10:
                transferred = start + 30 + int(r() * (T - start - 30))
            if r() < 0.015:
                after = max(start, transferred) + 1
                if after < T:
                    suspended = after + int(r() * (T - after))
        return replaced, periods, transferred, suspended

    # -- pass 2 ------------------------------------------------------------------------------
    def _serial(self, year: int) -> tuple[str, str]:
        r = self.random
        code, maker = MAKERS[int(r() * len(MAKERS))]
        key = year * 10 + MAKER_INDEX[code]
        # One counter per year and maker keeps serials unique without a lookup.
        number = self.serials.get(key) or 100_000 + int(r() * 50_000)
        number += 1 + int(r() * 3)
        self.serials[key] = number
        return f"{year:02d}-{code}{number:06d}", maker

    def _holder(self, site, current: bool, family_of: str | None = None) -> tuple:
        people, kind = self.people, site.kind
        if kind in PRIVATE_KINDS:
            return people.person(family_of)
        if kind == SHOP:
            if self.random() < 0.65:
                return people.person(family_of)
            return people.organisation(people.shop_name(), roman="shop")
        if site.holder_name == "*company" or kind == FACTORY and not current:
            return people.organisation(people.company_name(), roman="company")
        if kind == BATH and not current:
            return people.organisation(people.bathhouse_name(), roman="bath")
        return people.organisation(site.holder_name, ORG_MIDDLE.get(kind), roman="office")

    def _shown(self, holder) -> str:
        """The name as audit details keep it: masked for a person (privacy.shown_name), plain otherwise."""
        if holder[0] != "person":
            return holder[1]
        name = holder[1]
        masked = self.masked.get(name)
        if masked is None:  # a few thousand distinct names: mask each once
            masked = self.masked[name] = mask_name(name)
        return masked

    def _delivery(self, holder) -> str:
        """E-mail or SMS bills only to a holder who agreed to them (the operations refuse otherwise)."""
        consent_sms, consent_email = holder[8], holder[9]
        u = self.random()
        if consent_email and u < 0.35:
            return EMAIL
        if consent_sms and u < 0.8:
            return SMS
        return POST

    # fmt: off
    def emit_chunk(self, chunk, plans, ids) -> dict[str, list]:
        """Every row of a chunk of premises, by table label; ids and numbers are taken from ``ids``.

        One long loop with everything bound to locals: at a million premises the cost of
        attribute lookups and small calls per row is most of the generation time.
        """
        r, uuid_bits, cal, ct = self.random, self.uuid_bits, self.cal, self.ct
        dates, years, clock = cal.dates, cal.years, cal.clock
        ct_premise, ct_account, ct_installation = ct["premise"], ct["account"], ct["installation"]
        next_premise, next_meter = ids.premise.__next__, ids.meter.__next__
        next_installation = ids.installation.__next__
        next_customer, next_account = ids.customer.__next__, ids.account.__next__
        next_customer_number, next_account_number = ids.customer_number.__next__, ids.account_number.__next__
        districts, routes = ids.district, ids.route
        holder_of, shown_of, delivery_of, serial_of = self._holder, self._shown, self._delivery, self._serial
        premises, households, meters, installations = [], [], [], []
        customers, accounts, holdings, suspensions, readings, audit = [], [], [], [], [], []
        add_reading, add_event, add_customer, add_holding = (
            readings.append, audit.append, customers.append, holdings.append
        )

        for site, (replaced, periods, transferred, suspended) in zip(chunk, plans, strict=True):
            registered, kind = site.registered_day, site.kind
            premise_id = next_premise()
            at_registered = dates[registered] + clock[AT_REGISTERED + int(r() * 60)]
            premises.append(
                (premise_id, districts[site.gu], site.road, site.main, site.sub, site.dong, site.building_name,
                 site.unit, site.postcode, site.lat, site.lon, KIND_USE[kind], routes[site.gu][site.route],
                 site.route_sequence, site.address_line, at_registered)
            )
            households.append((premise_id, site.households, dates[registered], "", at_registered))
            # Audit rows: occurred_at, category, action, object type, object id, household, operation,
            # effective on, details, changes, reason (actor left out: NULL, the system).
            add_event(
                (at_registered, "operation", PREMISE_REGISTERED, ct_premise, premise_id, premise_id,
                 f"{uuid_bits(128):032x}", dates[registered],
                 {"households": site.households, "address": site.address_line}, "{}", "")
            )

            # The register must not pass its last dial in ten years, so busy premises get more dials.
            diameter, dials, rate, remote = _meter_spec(kind, site.unit, site.households, r)
            migrated = registered < MIGRATED
            start_value = int(r() * 0.3 * 10**dials) if migrated else int(r() * 3)
            while start_value + rate * (T - registered) >= 10**dials and dials < 6:
                dials += 1
            if start_value + rate * (T - registered) >= 10**dials:
                start_value, rate = 0, (10**dials - 1) / (T - registered + 1)
            old_meter, old_install = next_meter(), next_installation()
            serial, maker = serial_of(years[registered] - (int(r() * 7) if migrated else 0))
            meters.append((old_meter, serial, diameter, dials, maker, remote))
            add_reading((old_meter, None, dates[registered], start_value, "install", False, at_registered))
            new_meter = old_meter
            if replaced >= 0:
                removal_value = start_value + int(rate * (replaced - registered))
                new_meter, new_install = next_meter(), next_installation()
                new_serial, new_maker = serial_of(years[replaced])
                meters.append((new_meter, new_serial, diameter, dials, new_maker, remote or r() < 0.3))
                reason = REMOVAL_REASONS[int(r() * len(REMOVAL_REASONS))]
                installations.append(
                    (old_install, old_meter, premise_id, dates[registered], start_value, dates[replaced],
                     removal_value, reason)
                )
                installations.append((new_install, new_meter, premise_id, dates[replaced], 0, None, None, ""))
                at_meter = dates[replaced] + clock[AT_METER + int(r() * 60)]
                add_reading((old_meter, None, dates[replaced], removal_value, "removal", False, at_meter))
                add_reading((new_meter, None, dates[replaced], 0, "install", False, at_meter))
                add_event(
                    (at_meter, "operation", METER_REPLACED, ct_installation, new_install, premise_id,
                     f"{uuid_bits(128):032x}", dates[replaced],
                     {"new_serial": new_serial, "new_diameter": diameter, "install_reading": 0,
                      "old_serial": serial, "removal_reading": removal_value, "removal_reason": reason}, "{}", "")
                )
            else:
                installations.append(
                    (old_install, old_meter, premise_id, dates[registered], start_value, None, None, "")
                )

            use_type = USE_TYPE[kind]
            for start, end in periods:
                holder = holder_of(site, end < 0)
                customer_id, customer_number = next_customer(), next_customer_number()
                at_start = dates[start] + clock[AT_START + int(r() * 60)]
                add_customer((customer_id, customer_number, *holder, at_start, at_start))
                account_id, number = next_account(), next_account_number()
                shown_number = f"{number[:-1]}-{number[-1]}"
                payment = AUTO if r() < 0.6 else DIRECT
                delivery = delivery_of(holder)
                # A reading is taken on the meter installed that day (the new one from its install day on).
                if replaced >= 0 and start >= replaced:
                    meter, value = new_meter, int(rate * (start - replaced))
                else:
                    meter, value = old_meter, start_value + int(rate * (start - registered))
                add_reading((meter, account_id, dates[start], value, "start", False, at_start))
                shown = shown_of(holder)
                add_event(
                    (at_start, "operation", SERVICE_STARTED, ct_account, account_id, premise_id,
                     f"{uuid_bits(128):032x}", dates[start],
                     {"account": shown_number, "customer": shown, "use_type": use_type, "reading": value,
                      "payment_method": payment, "bill_delivery": delivery}, "{}", "")
                )
                status, current_id, changed = ACTIVE, customer_id, start
                if end >= 0:
                    status, changed = CLOSED, end
                    if replaced >= 0 and end >= replaced:
                        meter, value = new_meter, int(rate * (end - replaced))
                    else:
                        meter, value = old_meter, start_value + int(rate * (end - registered))
                    at_end = dates[end] + clock[AT_STOP + int(r() * 60)]
                    add_reading((meter, account_id, dates[end], value, "final", False, at_end))
                    add_holding((account_id, customer_id, dates[start], dates[end], OPENED))
                    add_event(
                        (at_end, "operation", SERVICE_STOPPED, ct_account, account_id, premise_id,
                         f"{uuid_bits(128):032x}", dates[end], {"account": shown_number, "reading": value},
                         "{}", "")
                    )
                elif transferred >= 0:
                    # 명의변경: the old holder's bank mandate ends; the new holder may have applied for their own.
                    new_holder = holder_of(site, True, holder[1])
                    current_id, new_number = next_customer(), next_customer_number()
                    at_change = dates[transferred] + clock[AT_HOLDER + int(r() * 60)]
                    add_customer((current_id, new_number, *new_holder, at_change, at_change))
                    add_holding((account_id, customer_id, dates[start], dates[transferred], OPENED))
                    add_holding((account_id, current_id, dates[transferred], None, TRANSFER))
                    add_event(
                        (at_change, "operation", HOLDER_CHANGED, ct_account, account_id, premise_id,
                         f"{uuid_bits(128):032x}", dates[transferred],
                         {"account": shown_number, "old_holder": shown, "new_holder": shown_of(new_holder),
                          "on": dates[transferred], "auto_debit_ended": payment == AUTO},
                         {"holder": [customer_number, new_number]}, "")
                    )
                    # The old holder's bank mandate ends with the change (as transfer_account does);
                    # a new holder's own enrolment would be an audited operation of its own.
                    payment = DIRECT
                    delivery = delivery_of(new_holder)
                    changed = transferred
                else:
                    add_holding((account_id, customer_id, dates[start], None, OPENED))
                if end < 0 and suspended >= 0:
                    status, changed = SUSPENDED, suspended
                    if replaced >= 0 and suspended >= replaced:
                        meter, value = new_meter, int(rate * (suspended - replaced))
                    else:
                        meter, value = old_meter, start_value + int(rate * (suspended - registered))
                    planned = dates[suspended + 30 + int(r() * 335)] if r() < 0.8 else None
                    at_suspend = dates[suspended] + clock[AT_SUSPEND + int(r() * 60)]
                    suspensions.append(
                        (account_id, dates[suspended], planned, None,
                         SUSPEND_REASONS[int(r() * len(SUSPEND_REASONS))])
                    )
                    add_reading((meter, account_id, dates[suspended], value, "suspend", False, at_suspend))
                    add_event(
                        (at_suspend, "operation", SUSPENDED_EVENT, ct_account, account_id, premise_id,
                         f"{uuid_bits(128):032x}", dates[suspended],
                         {"account": shown_number, "reading": value, "planned": planned or "—"}, "{}", "")
                    )
                accounts.append(
                    (account_id, number, current_id, premise_id, use_type, status, dates[start],
                     dates[end] if end >= 0 else None, payment, delivery, at_start,
                     dates[changed] + clock[AT_START])
                )
        return {
            "premise": premises, "household": households, "meter": meters, "installation": installations,
            "customer": customers, "account": accounts, "holding": holdings, "suspension": suspensions,
            "reading": readings, "event": audit,
        }
    # fmt: on
