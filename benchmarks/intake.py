"""How fast the web intake records a request, on the demo city.

Uses the demo city already in the database (loading one of 3,000 premises if there
is none), logs in as the demo agent and POSTs the intake form through Django's test
client the way the browser does: a household found by phone, one or two problems
(a compound complaint in one of five calls), the type's own questions, and an agreed
appointment — which chooses the crew — in one call of three that needs a visit.
Each POST is timed from request to the redirect to the confirmation page; the
database work, the audit events, the outbox rows and the crew choice are all inside.

Ends with: BENCH intake requests=N seconds=S p95_ms=… (N requests taken, S the total)
"""

from __future__ import annotations

import argparse
import io
import random
import re
import statistics
import time
import uuid

from _common import p95, setup_django


def refusals(response) -> str:
    """The error texts of a refused form, not its whole page."""
    html = response.content.decode()
    found = re.findall(r'class="(?:errors|errorlist)[^"]*"[^>]*>(.*?)</(?:div|ul)>', html, re.S)
    return " | ".join(" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found) or html[:500]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=200, help="intake forms to submit")
    parser.add_argument("--premises", type=int, default=3000, help="demo city size if none is loaded")
    args = parser.parse_args()

    setup_django(test_client=True)
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from core.calendar import business_calendar
    from customers.models import Account, Premise
    from servicedesk.models import RequestType, ServiceRequest, Visit
    from staff.models import User

    # Without a broker the notices are handed over in-process, to the memory SMS backend: their
    # cost is inside the timing (in production a worker sends them after the response).
    settings.SMS_BACKEND = "core.notify.backends.MemorySMSBackend"
    call_command("migrate", verbosity=0)
    if not Premise.objects.exists():
        call_command("load_demo_city", premises=args.premises, stdout=io.StringIO())
    elif not ServiceRequest.objects.exists():
        # A city loaded without its service desk (benchmarks/demo_city.py): add the crews and the
        # years of requests, so intake runs against a realistic history and numbering.
        from django.db import transaction

        from servicedesk.demo import load_demo_requests

        started = time.perf_counter()
        with transaction.atomic():
            loaded = load_demo_requests(seed=1)
        print(
            f"demo requests loaded: {loaded['requests']:,} in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    premises = Premise.objects.count()
    history = ServiceRequest.objects.count()

    rng = random.Random(11)
    accounts = list(
        Account.objects.filter(status="active", customer__phone__startswith="+8210")
        .select_related("customer")
        .order_by("?")[: args.size]
    )
    types = {t.code: t for t in RequestType.objects.filter(active=True)}
    works = ["leak_diagnosis", "supply_inconvenience", "water_quality", "meter_replacement", "indoor_piping"]
    admin = ["name_change", "auto_payment", "leak_reduction", "enquiry", "complaint"]
    details = {
        "supply_inconvenience": {"symptom": "low_pressure"},
        "leak_reduction": {"repaired_on": "2026-11-20"},
        "supply_works": {"works_kind": "change"},
    }
    client = Client()
    client.force_login(User.objects.get(username="agent"))
    day = business_calendar().next_business_day(timezone.localdate())
    before = ServiceRequest.objects.count()
    started_at = timezone.now()
    timings = []
    started_all = time.perf_counter()
    for number, account in enumerate(accounts):
        codes = [rng.choice(works) if rng.random() < 0.25 else rng.choice(admin)]
        if rng.random() < 0.2:
            codes.append(rng.choice(works))
        data = {
            "premise": account.premise_id,
            "intake_key": uuid.uuid4().hex,
            "channel": "phone",
            "contact_phone": account.customer.phone,
            "notify_by_sms": "on",
            "row": [str(i) for i in range(len(codes))],
            "save": "1",
        }
        for index, code in enumerate(codes):
            data[f"r{index}-type"] = types[code].pk
            data[f"r{index}-description"] = "수돗물 관련 문의입니다."
            for name, value in details.get(code, {}).items():
                data[f"r{index}-detail_{name}"] = value
        if any(types[c].needs_visit for c in codes) and number % 3 == 0:
            start = 9 + number % 8
            data.update(
                {
                    "appointment_date": day.isoformat(),
                    "appointment_start": f"{start:02d}:00",
                    "appointment_end": f"{start + 1:02d}:00",
                }
            )
        started = time.perf_counter()
        response = client.post("/desk/intake/", data)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 302:
            raise SystemExit(f"intake refused ({response.status_code}): {refusals(response)}")
    total = time.perf_counter() - started_all
    created = ServiceRequest.objects.count() - before
    unarranged = Visit.objects.filter(requested_start__isnull=False, created_at__gte=started_at).count()
    print(
        f"premises={premises:,} requests_before={history:,} forms={len(accounts)} requests={created} "
        f"visits_left_for_the_office={unarranged} "
        f"median_ms={statistics.median(timings):.1f} max_ms={max(timings):.1f}"
    )
    print(f"BENCH intake requests={created} seconds={total:.1f} p95_ms={p95(timings):.1f}")


if __name__ == "__main__":
    main()
