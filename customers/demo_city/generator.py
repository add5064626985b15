"""Loading the demo city: reference data once, then premises in chunks.

Each chunk (``chunk_size`` premises with their customers, meters, accounts,
readings and audit events) is generated, written with COPY (PostgreSQL) or
executemany (SQLite) and dropped before the next is generated, so memory stays
flat at a million premises. The whole load, --flush included, is one
transaction: a load that fails leaves the database as it was, never half a
city (and on PostgreSQL lets pgload.py set indexes aside safely).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import chain, islice
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from core.bulk import insert_rows, reserve_ids
from core.dates import today
from core.models import AuditEvent, NumberSequence
from metering.models import MeterReading
from staff.demo import create_demo_users
from staff.models import BranchOffice, District

from ..actions.customers import CUSTOMER_NUMBER_SEQUENCE, new_customer_numbers
from ..actions.service import ACCOUNT_NUMBER_SEQUENCE, new_account_numbers
from ..models import (
    Account,
    AccountHolding,
    AccountSuspension,
    BillingCycle,
    Customer,
    Meter,
    MeterInstallation,
    Premise,
    PremiseHouseholdCount,
    ReadingRoute,
)
from .buildings import DistrictStream, route_sizes
from .history import Calendar, History
from .people import People
from .pgload import deferred_indexes
from .places import CITY, CYCLES, GU, OFFICES, ROUTE_SIZE, split_evenly

DEFAULT_CHUNK = 20_000

# Table label → (model, fields in the order History.emit_chunk writes them), in foreign-key order.
TABLES = {
    "premise": (Premise, ["id", "district", "road_name", "building_main", "building_sub", "legal_dong",
                          "building_name", "unit", "postcode", "latitude", "longitude", "building_use", "route",
                          "route_sequence", "address_line", "created_at"]),
    "household": (PremiseHouseholdCount, ["premise", "households", "effective_from", "reason", "recorded_at"]),
    "meter": (Meter, ["id", "serial", "diameter_mm", "dials", "manufacturer", "remote_read"]),
    "installation": (MeterInstallation, ["id", "meter", "premise", "installed_on", "install_reading", "removed_on",
                                         "removal_reading", "removal_reason"]),
    "customer": (Customer, ["id", "number", "kind", "name", "business_number", "phone", "phone_alt", "email",
                            "mailing_address", "preferred_language", "consent_sms", "consent_email",
                            "created_at", "updated_at"]),
    "account": (Account, ["id", "number", "customer", "premise", "use_type", "status", "start_date", "end_date",
                          "payment_method", "bill_delivery", "created_at", "updated_at"]),
    "holding": (AccountHolding, ["account", "customer", "valid_from", "valid_to", "reason"]),
    "suspension": (AccountSuspension, ["account", "suspended_on", "planned_resume_on", "ended_on", "reason"]),
    # Left out, so NULL: recorded_by and actor (the system did it).
    "reading": (MeterReading, ["meter", "account", "read_on", "value", "kind", "rolled_over", "recorded_at"]),
    "event": (AuditEvent, ["occurred_at", "category", "action", "object_type", "object_id", "household_id",
                           "operation", "effective_on", "details", "changes", "reason"]),
}  # fmt: skip
# What --flush empties, children first (SQLite deletes in this order; PostgreSQL truncates them together).
FLUSHED = [MeterReading, AccountSuspension, AccountHolding, Account, MeterInstallation, Meter,
           PremiseHouseholdCount, Premise, Customer, ReadingRoute, BillingCycle]  # fmt: skip
REGISTRY_APPS = ("customers", "metering")


class DemoCityError(Exception):
    """The city cannot be loaded as asked (e.g. the registry already holds data)."""


@dataclass
class LoadResult:
    premises: int
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def registry_is_empty() -> bool:
    return not any(model.objects.exists() for model in (Premise, Customer, Meter, Account))


def flush_registry() -> None:
    """Delete the registry (and its audit trail) so a new city can be loaded; staff logins stay."""
    # Requests point at premises and accounts: they go first (and their number sequences with them).
    from billing.demo import flush_demo_billing
    from proactive.demo import flush_demo_proactive
    from servicedesk.demo import flush_demo_requests

    flush_demo_proactive()  # cases point at requests, detections at accounts and readings
    flush_demo_requests()
    if connection.vendor != "postgresql":  # PostgreSQL's TRUNCATE … CASCADE below takes them along
        flush_demo_billing()  # bills and readings protect the accounts and meters they point at
    registry_types = list(
        ContentType.objects.filter(app_label__in=REGISTRY_APPS).values_list("pk", flat=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        quote = connection.ops.quote_name
        if connection.vendor == "postgresql":
            # TRUNCATE instead of DELETE: emptying 15 million rows row by row takes minutes. Without
            # RESTART IDENTITY: ids are reserved on a second connection during the load, which must not
            # wait for (or miss) a sequence reset made inside this transaction.
            # CASCADE follows database foreign keys only: the tables whose rows point at accounts
            # without one (bills, their balances, payments and their allocations) are named too.
            from billing.models import Bill, BillBalance
            from collection.models import Allocation, Payment

            without_keys = [Bill, BillBalance, Payment, Allocation]
            tables = ", ".join(quote(model._meta.db_table) for model in [*FLUSHED, *without_keys])
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        else:
            for model in FLUSHED:
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")
        events = AuditEvent.objects.all()
        if connection.vendor == "postgresql" and not events.exclude(object_type__in=registry_types).exists():
            cursor.execute(f"TRUNCATE {quote(AuditEvent._meta.db_table)}")
        else:  # keep events about staff and other apps
            events.filter(object_type__in=registry_types).delete()
        NumberSequence.objects.filter(name__in=[CUSTOMER_NUMBER_SEQUENCE, ACCOUNT_NUMBER_SEQUENCE]).delete()
        District.objects.all().delete()
        # Offices that staff belong to stay (and are updated below); the rest go.
        BranchOffice.objects.filter(staff__isnull=True).delete()


def _reference_data(rng: random.Random, quotas: list[int]) -> SimpleNamespace:
    """Offices, districts, cycles and routes; upserted by code so offices kept by --flush are reused."""
    offices = {}
    for spec in OFFICES:
        offices[spec.code], _ = BranchOffice.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "name_en": spec.name_en,
                "phone": spec.phone,
                "address": spec.address,
            },
        )
    districts = []
    for gu in GU:
        district, _ = District.objects.update_or_create(
            code=gu.code,
            defaults={"name": gu.name, "name_en": gu.name_en, "office": offices[gu.office], "city": CITY},
        )
        districts.append(district.pk)
    cycles = []
    for code, day in CYCLES:
        cycle, _ = BillingCycle.objects.update_or_create(code=code, defaults={"read_day": day, "months": 1})
        cycles.append(cycle.pk)
    # Routes are cut from each district's walk; they take cycles round-robin so every cycle gets its share.
    sizes = [route_sizes(rng, quota, *ROUTE_SIZE) for quota in quotas]
    route_ids = reserve_ids(ReadingRoute, sum(len(s) for s in sizes))
    routes, rows, turn = [], [], 0
    for gu, gu_sizes in zip(GU, sizes, strict=True):
        gu_routes = []
        for number in range(1, len(gu_sizes) + 1):
            route_id = route_ids[turn]
            rows.append(
                (route_id, f"{gu.office}-{gu.code}-{number:03d}", offices[gu.office].pk, cycles[turn % 20])
            )
            gu_routes.append(route_id)
            turn += 1
        routes.append(gu_routes)
    insert_rows(ReadingRoute, ["id", "code", "office", "cycle"], rows)
    return SimpleNamespace(
        offices=offices, districts=districts, routes=routes, route_sizes=sizes, count=len(rows)
    )


def load_demo_city(
    premises: int,
    *,
    seed: int = 1,
    flush: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    log: Callable[[str], None] | None = None,
) -> LoadResult:
    """Load a city of ``premises`` premises; all or nothing (one transaction, flush included)."""
    if premises < 1:
        raise DemoCityError("Ask for at least one premise.")
    started = time.monotonic()
    log = log or (lambda _message: None)
    result = LoadResult(premises=premises)
    with transaction.atomic():
        if flush:
            flush_registry()
            log(f"Flushed the registry in {time.monotonic() - started:.1f} s.")
        elif not registry_is_empty():
            held = (
                f"{Premise.objects.count():,} premises, {Customer.objects.count():,} customers, "
                f"{Meter.objects.count():,} meters"
            )
            raise DemoCityError(
                f"The database already holds registry data ({held}); loading again would duplicate it. "
                "Run load_demo_city with --flush to replace it."
            )
        else:
            # Routes without premises (left by hand, or by an older loader) would clash on their codes.
            ReadingRoute.objects.all().delete()
        quotas = split_evenly(premises, [gu.weight for gu in GU])
        ref = _reference_data(random.Random(f"{seed}:routes"), quotas)
        result.counts.update(office=len(OFFICES), district=len(GU), cycle=len(CYCLES), route=ref.count)
        tables = [model._meta.db_table for model, _fields in TABLES.values()]
        bulk_mode = deferred_indexes(tables, log) if connection.vendor == "postgresql" else nullcontext()
        with bulk_mode:
            _write_city(premises, seed, quotas, ref, result.counts, chunk_size, log, started)
        log(f"Rows written, indexes and foreign keys in place: {time.monotonic() - started:.1f} s")
        if connection.vendor == "postgresql":
            # Fresh statistics, so the first searches after the load do not plan against empty tables.
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            log(f"Analyzed: {time.monotonic() - started:.1f} s")
        create_demo_users(ref.offices)
    result.seconds = time.monotonic() - started
    return result


def _write_city(premises, seed, quotas, ref, counts, chunk_size, log, started) -> None:
    # Independent generators per concern: the streets do not shift when the people change.
    places_rng = random.Random(f"{seed}:places")
    people_rng = random.Random(f"{seed}:people")
    content_types = {
        label: ContentType.objects.get_for_model(model).pk
        for label, model in (("premise", Premise), ("account", Account), ("installation", MeterInstallation))
    }
    people = People(people_rng, _mailing_addresses(random.Random(f"{seed}:mail")))
    history = History(random.Random(f"{seed}:plans"), people_rng, people, Calendar(today()), content_types)
    sites = chain.from_iterable(
        DistrictStream(places_rng, index, gu, quota, ref.route_sizes[index])
        for index, (gu, quota) in enumerate(zip(GU, quotas, strict=True))
    )

    def prepare() -> SimpleNamespace | None:
        """The next chunk's premises and plans: enough to know how many ids and numbers it takes."""
        chunk = list(islice(sites, chunk_size))
        if not chunk:
            return None
        plans = [history.plan(site) for site in chunk]
        meters = accounts = customers = 0
        for replaced, periods, transferred, _suspended in plans:
            meters += 1 if replaced < 0 else 2
            accounts += len(periods)
            customers += len(periods) + (transferred >= 0)
        return SimpleNamespace(
            sites=chunk,
            plans=plans,
            premises=len(chunk),
            meters=meters,
            accounts=accounts,
            customers=customers,
        )

    def write(rows: dict[str, list]) -> None:
        for label, (model, fields) in TABLES.items():
            counts[label] = counts.get(label, 0) + insert_rows(model, fields, rows.pop(label))
        log(f"{counts['premise']:,} / {premises:,} premises, {time.monotonic() - started:.1f} s")

    if connection.vendor != "postgresql":
        # SQLite reserves ids as MAX(id) + 1, so each chunk reserves after the previous one is written.
        while chunk := prepare():
            write(history.emit_chunk(chunk.sites, chunk.plans, _ids(chunk, _reserve(chunk), ref)))
        return

    # PostgreSQL: the main thread writes chunk k (COPY: much of it is the server's work) while one
    # worker generates chunk k+1's rows and another reserves chunk k+2's ids on its own connection
    # (sequences stand outside transactions). The workers share the interpreter lock, so this wins the
    # server's time, not a second Python core. Each chunk is dropped once written: memory stays flat.
    reserver = ThreadPoolExecutor(1, thread_name_prefix="demo-city-ids")
    emitter = ThreadPoolExecutor(1, thread_name_prefix="demo-city-rows")
    try:

        def start_reserving() -> SimpleNamespace | None:
            chunk = prepare()
            if chunk is not None:
                chunk.reserved = reserver.submit(_reserve, chunk)
            return chunk

        upcoming, generating = start_reserving(), None
        while upcoming is not None or generating is not None:
            generated_next = None
            if upcoming is not None:
                # Numbers come from the load's own transaction: taken here, before the write below.
                ids = _ids(upcoming, upcoming.reserved.result(), ref)
                generated_next = emitter.submit(history.emit_chunk, upcoming.sites, upcoming.plans, ids)
                upcoming = start_reserving()
            if generating is not None:
                write(generating.result())
            generating = generated_next
    finally:
        reserver.submit(_close_connection).result()  # the worker's own connection
        reserver.shutdown(cancel_futures=True)
        emitter.shutdown(cancel_futures=True)


def _close_connection() -> None:
    # ``connection`` resolves per thread: called in the worker, this closes the worker's connection.
    connection.close()


def _reserve(chunk) -> dict[str, list[int]]:
    return {
        "premise": reserve_ids(Premise, chunk.premises),
        "meter": reserve_ids(Meter, chunk.meters),
        "installation": reserve_ids(MeterInstallation, chunk.meters),
        "customer": reserve_ids(Customer, chunk.customers),
        "account": reserve_ids(Account, chunk.accounts),
    }


def _ids(chunk, reserved: dict[str, list[int]], ref) -> SimpleNamespace:
    return SimpleNamespace(
        **{label: iter(values) for label, values in reserved.items()},
        # One call each per chunk: the counters are taken under one row lock.
        customer_number=iter(new_customer_numbers(chunk.customers)),
        account_number=iter(new_account_numbers(chunk.accounts)),
        district=ref.districts,
        route=ref.routes,
    )


def _mailing_addresses(rng: random.Random) -> list[str]:
    """Addresses elsewhere in the city, for the few customers whose bills go to another address."""
    addresses = []
    for _ in range(200):
        gu = GU[int(rng.random() * len(GU))]
        road = gu.roads[int(rng.random() * len(gu.roads))]
        addresses.append(f"{CITY} {gu.name} {road} {1 + int(rng.random() * 300)}")
    return addresses
