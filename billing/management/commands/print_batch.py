"""Print a billing run's bills (PDF files and a manifest for the print shop) from the command line."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from billing.actions import build_print_batch
from billing.documents.fonts import BillFontMissing
from billing.models import BillingRun


class Command(BaseCommand):
    help = (
        "Write the print batch of billing runs: print_batch 2026-11 [--cycle 01 …] [--only-unprinted] "
        "[--per-file N]"
    )

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--cycle", action="append", help="cycle code (default: every run of the month)")
        parser.add_argument(
            "--only-unprinted", action="store_true", help="only bills no earlier batch of the run printed"
        )
        parser.add_argument(
            "--per-file", type=int, help="bills per PDF file (default: PRINT_BATCH_BILLS_PER_FILE)"
        )

    def handle(self, *args, month, cycle, only_unprinted, per_file, **options):
        try:
            period = date.fromisoformat(f"{month}-01")
        except ValueError as exc:
            raise CommandError(f"month must be YYYY-MM, not {month!r}") from exc
        runs = BillingRun.objects.filter(period=period).select_related("cycle").order_by("cycle__code")
        if cycle:
            runs = runs.filter(cycle__code__in=cycle)
            missing = set(cycle) - {run.cycle.code for run in runs}
            if missing:
                raise CommandError(f"no billing run of {month} for cycle {', '.join(sorted(missing))}")
        if not runs:
            raise CommandError(f"no billing run of {month}")
        for run in runs:
            try:
                batch = build_print_batch(run, actor=None, only_unprinted=only_unprinted, per_file=per_file)
            except ValidationError as exc:
                raise CommandError(f"{run.cycle.code} {month}: " + " ".join(exc.messages)) from exc
            except BillFontMissing as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"{run.cycle.code} {month}: batch {batch.number} {batch.get_status_display()} — "
                f"{batch.bills} bills, {batch.pages} pages in {batch.file_count} files: {batch.path}"
            )
