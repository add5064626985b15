"""manage.py load_demo_city --premises N [--seed S] [--flush]: the synthetic demo city."""

import io

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from customers.demo_city import DemoCityError, load_demo_city
from servicedesk.demo import load_demo_requests
from staff.demo import logins_table


class Command(BaseCommand):
    help = "Load a synthetic Seoul-like city (premises, customers, meters, ten years of history) and demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--premises", type=int, default=3000, help="Number of premises (default 3000).")
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed; the same seed gives the same city."
        )
        parser.add_argument("--flush", action="store_true", help="Delete the existing registry data first.")
        parser.add_argument("--chunk-size", type=int, default=None, help="Premises per transaction.")

    def handle(self, *args, premises, seed, flush, chunk_size, verbosity, **options):
        progress = self.stdout.write if verbosity > 1 else None
        extra = {"chunk_size": chunk_size} if chunk_size else {}
        try:
            # The city loads in chunks of its own transactions (flushing old requests first); the
            # requests then stand on it.
            result = load_demo_city(premises, seed=seed, flush=flush, log=progress, **extra)
            with transaction.atomic():
                requests = load_demo_requests(seed=seed, stdout=self.stdout if verbosity > 1 else None)
            # The ordinance the demo city bills by (configuration, not demo data: loading is idempotent).
            call_command("load_tariffs", use="seoul", stdout=io.StringIO())
        except DemoCityError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Demo city loaded: {result.premises:,} premises in {result.seconds:.1f} s.")
        )
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<13}{count:>12,}")
        self.stdout.write(f"  {'rows':<13}{result.rows:>12,}")
        self.stdout.write("Service desk:")
        for label, count in requests.items():
            self.stdout.write(f"  {label:<13}{count:>12,}")
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        self.stdout.write("\n".join(logins_table()))
