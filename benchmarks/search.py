"""How fast an agent finds a household and opens its page, on a demo city of N premises.

Loads the demo city (unless the database already holds one of that size), then
times search_households for the four ways callers identify themselves — phone
number as typed, account number, name, address fragment — and full GET
requests of the household page through Django's test client as an agent.

Ends with: BENCH search premises=N queries=Q search_p95_ms=… household_p95_ms=…
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time

from _common import p95, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=3000, help="premises in the demo city")
    parser.add_argument("--queries", type=int, default=200, help="searches of each kind")
    args = parser.parse_args()

    setup_django(test_client=True)
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from core.phones import format_phone
    from customers.models import Account, Premise
    from customers.search import search_households
    from staff.models import User

    call_command("migrate", verbosity=0)
    if Premise.objects.count() != args.size:
        call_command("load_demo_city", premises=args.size, flush=True, stdout=io.StringIO())

    rng = random.Random(7)
    accounts = list(
        Account.objects.filter(status="active", customer__phone__startswith="+8210")
        .select_related("customer", "premise")
        .order_by("?")[: args.queries]
    )
    rng.shuffle(accounts)
    queries = []
    for account in accounts:
        national = format_phone(account.customer.phone)
        queries += [
            ("phone", rng.choice([national, national.replace("-", ""), national.replace("-", " ")])),
            ("account", account.display_number),
            ("name", account.customer.name),
            ("address", f"{account.premise.road_name} {account.premise.building_number}"),
        ]
    timings: dict[str, list[float]] = {}
    for kind, query in queries:
        started = time.perf_counter()
        hits = search_households(query)
        timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        if kind in ("phone", "account") and not hits:
            raise SystemExit(f"search for {kind} {query!r} found nothing")

    client = Client()
    client.force_login(User.objects.get(username="agent"))
    pages = []
    for account in accounts:
        started = time.perf_counter()
        response = client.get(f"/households/{account.premise_id}/")
        pages.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code

    for kind, samples in timings.items():
        print(f"search by {kind:<8} median {statistics.median(samples):7.1f} ms   p95 {p95(samples):7.1f} ms")
    print(f"household page    median {statistics.median(pages):7.1f} ms   p95 {p95(pages):7.1f} ms")
    everything = [t for samples in timings.values() for t in samples]
    print(
        f"BENCH search premises={args.size} queries={len(everything)} search_p95_ms={p95(everything):.1f} "
        f"household_p95_ms={p95(pages):.1f} database={settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
    )


if __name__ == "__main__":
    main()
