"""Bill a cycle for a month from the command line (operators, cron, the benchmark)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from billing.actions import run_billing_cycle
from customers.models import BillingCycle


class Command(BaseCommand):
    help = "Run (or resume, or fill the gaps of) the billing of cycles for a month: run_billing 2026-11 [--cycle 01 …]"

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--cycle", action="append", help="cycle code (default: every cycle)")
        parser.add_argument("--chunk-size", type=int)

    def handle(self, *args, month, cycle, chunk_size, **options):
        try:
            period = date.fromisoformat(f"{month}-01")
        except ValueError as exc:
            raise CommandError(f"month must be YYYY-MM, not {month!r}") from exc
        cycles = BillingCycle.objects.all()
        if cycle:
            cycles = cycles.filter(code__in=cycle)
            unknown = set(cycle) - set(cycles.values_list("code", flat=True))
            if unknown:
                raise CommandError(f"no such cycle: {', '.join(sorted(unknown))}")
        failed = False
        for billing_cycle in cycles:
            try:
                run = run_billing_cycle(billing_cycle, period, acting_user=None, chunk_size=chunk_size)
            except ValidationError as exc:
                raise CommandError("\n".join(exc.messages)) from exc
            self.stdout.write(
                f"{billing_cycle.code} {month}: {run.get_status_display()} — {run.bills} bills "
                f"({run.bills_estimated} estimated), {run.exceptions} exceptions, {run.unaccounted} unaccounted, "
                f"{run.amount_total:,} won"
            )
            failed |= run.unaccounted > 0
        if failed:
            raise CommandError("some accounts are unaccounted for; see the runs' errors")
